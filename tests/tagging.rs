//! Tagged PDF: the structure tree read back with lopdf — types, nesting, reading order,
//! alt text and languages — and the accessibility errors `check` reports.

mod common;

use common::{Scratch, stderr, tag_dump};

#[test]
fn flyer_tag_tree() {
    let scratch = Scratch::new();
    let output = scratch.run(&[
        "build",
        "--county",
        "alameda",
        "--layout",
        "flyer-letter",
        "--year",
        "2027",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let flyer = scratch
        .path()
        .join("out/2027/trafficking-prevention/alameda/flyer-letter.pdf");
    insta::assert_snapshot!(tag_dump(&flyer));
}
