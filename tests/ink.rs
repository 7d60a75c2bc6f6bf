//! No line's ink touches another's: `check` over the whole default kit (every edition,
//! layout and language) finds no two lines of a frame whose glyph outlines' boxes overlap,
//! and a layout that keeps its leading exact where Vietnamese capitals need more room
//! yields exactly that finding, with frame, edition, language, lines and the overlap.

use crate::common::{Scratch, stderr};

/// The diagnostics' first lines (`error: …`, `warning: …`) the binary printed.
fn findings(output: &std::process::Output) -> Vec<String> {
    stderr(output)
        .lines()
        .filter(|l| l.starts_with("error: ") || l.starts_with("warning: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_default_kit_has_no_colliding_lines() {
    let (run, _shared) = crate::common::checked_kit();
    let output = &run.output;
    let ink: Vec<String> = findings(output)
        .into_iter()
        .filter(|f| f.contains("ink of lines"))
        .collect();
    assert!(ink.is_empty(), "{ink:#?}");
    assert!(output.status.success(), "{}", stderr(output));
    // Every edition, layout and language was composed: 65 editions × 3 layouts.
    assert!(
        stderr(output).contains("195 document(s) checked"),
        "{}",
        stderr(output)
    );
}

#[test]
fn exact_leading_over_stacked_marks_is_a_located_finding() {
    let scratch = Scratch::new();
    // The flyer's headline keeps an exact leading (1.08 for Vietnamese, where the layout
    // asks 1.22) whatever its glyphs: the marks stacked
    // over the capitals of the Vietnamese headline's second line (PHÒNG CHỐNG NÔ LỆ …)
    // reach up into the letters of the first.
    scratch.edit(
        "layouts/flyer-letter.toml",
        "leading = 1.1\ntransform = \"uppercase\"",
        "leading = 1.0\nkeep_leading = true\ntransform = \"uppercase\"",
    );
    scratch.edit(
        "layouts/flyer-letter.toml",
        "[styles.headline.lang.vi]\nleading = 1.22",
        "[styles.headline.lang.vi]\nleading = 1.08",
    );
    let output = scratch.run(&[
        "check",
        "--year",
        "2027",
        "--county",
        "statewide",
        "--lang",
        "vi",
        "--layout",
        "flyer-letter",
    ]);
    assert!(!output.status.success());
    let found = findings(&output);
    let ink: Vec<&String> = found.iter().filter(|f| f.contains("ink of")).collect();
    assert_eq!(ink.len(), 1, "{found:#?}");
    let message = ink[0];
    assert!(
        message.starts_with(
            "error: ink of lines 1 and 2 in frame `headline` of layout `flyer-letter` overlaps by "
        ),
        "{message}"
    );
    assert!(
        message.contains("page 1, edition statewide (California, vi, 2027)"),
        "{message}"
    );
    let pt: f32 = message
        .split("overlaps by ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!((0.1..6.0).contains(&pt), "{pt} pt: {message}");
    // It points at the frame in the layout file.
    assert!(
        stderr(&output).contains("flyer-letter.toml"),
        "{}",
        stderr(&output)
    );
    // English keeps clear of the line above with the same leading: no finding.
    let english = scratch.run(&[
        "check",
        "--year",
        "2027",
        "--county",
        "statewide",
        "--lang",
        "en",
        "--layout",
        "flyer-letter",
    ]);
    assert!(english.status.success(), "{}", stderr(&english));
}
