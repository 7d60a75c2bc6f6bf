//! Snapshot tests of the composed display list (frames, lines, runs with positions) for each
//! shipped layout, for one county. A change in layout or text engine shows up as a diff;
//! accept a deliberate one with `cargo insta review` (or INSTA_UPDATE=always).

use crate::common;

use broadside::batch::{Options, Session};

fn options() -> Options {
    let repo = common::repo();
    Options {
        counties: vec!["alameda".into()],
        year: Some(2027),
        ..Options::at(&repo)
    }
}

#[test]
fn composed_pages_of_each_layout_for_alameda() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    let options = options();
    let session = Session::load(&options).expect("bundled inputs load");
    let jobs = session.plan(&options).unwrap();
    assert_eq!(jobs.len(), 3);
    for job in jobs {
        let document = session.compose(&job).unwrap_or_else(|e| panic!("{e:?}"));
        let layout = &session.layouts[job.layout].name;
        insta::assert_snapshot!(
            format!("alameda-{layout}"),
            document.describe(&session.fonts)
        );
    }
}
