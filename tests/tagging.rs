//! Tagged PDF: the structure tree read back with lopdf — types, nesting, reading order,
//! alt text and languages — and the accessibility errors `check` reports.

use crate::common;

use crate::common::{Scratch, stderr, tag_dump};
use std::path::PathBuf;

/// Builds one edition's 2027 flyer (in `lang`, or the base language) and returns its path.
fn build_flyer(scratch: &Scratch, edition: &str, lang: Option<&str>) -> PathBuf {
    let mut args = vec!["build", "--county", edition, "--layout", "flyer-letter"];
    args.extend(["--year", "2027"]);
    if let Some(lang) = lang {
        args.extend(["--lang", lang]);
    }
    let output = scratch.run(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let name = match lang {
        Some(lang) => format!("flyer-letter.{lang}.pdf"),
        None => "flyer-letter.pdf".to_string(),
    };
    scratch
        .path()
        .join(format!("out/2027/trafficking-prevention/{edition}"))
        .join(name)
}

#[test]
fn flyer_tag_tree() {
    let scratch = Scratch::new();
    let flyer = build_flyer(&scratch, "alameda", None);
    insta::assert_snapshot!(tag_dump(&flyer));
}

#[test]
fn a_logo_without_alt_text_fails_check_naming_the_row() {
    let scratch = Scratch::new();
    scratch.add_logo("kern.jpg");
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "Kern,Bakersfield,en,,,,,",
        "Kern,Bakersfield,en,,,,logos/kern.jpg,",
    );
    let output = scratch.run(&["check"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("county `Kern` has a logo but no alt text"),
        "{err}"
    );
    assert!(
        err.contains("counties.csv:"),
        "names the file and row: {err}"
    );
    assert!(err.contains("logo_alt"), "names the column: {err}");

    // Declared decorative, it checks, builds, and the PDF has no figure for it.
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "logos/kern.jpg,",
        "logos/kern.jpg,decorative",
    );
    let output = scratch.run(&["build", "--county", "kern", "--layout", "flyer-letter"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let flyer = common::year_dir(&scratch.path().join("out"))
        .join("trafficking-prevention/kern/flyer-letter.pdf");
    assert!(!tag_dump(&flyer).contains("Figure"));

    // With alt text, the logo is a figure carrying it.
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "logos/kern.jpg,decorative",
        "logos/kern.jpg,Kern County seal",
    );
    let output = scratch.run(&["build", "--county", "kern", "--layout", "flyer-letter"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(tag_dump(&flyer).contains("Figure alt=\"Kern County seal\""));
}

#[test]
fn a_layout_without_the_headline_skips_a_heading_level() {
    let scratch = Scratch::new();
    scratch.edit(
        "layouts/flyer-letter.toml",
        "content = \"headline\"\nstyle = \"headline\"",
        "style = \"headline\"",
    );
    // Only the edited layout is checked (its every edition): the others are unchanged.
    let output = scratch.run(&["check", "--layout", "flyer-letter"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains("layout `flyer-letter` skips a heading level: `blocks.sections[0].heading` is an H2 with no H1 before it"),
        "{err}"
    );
    assert!(err.contains("flyer-letter.toml"), "{err}");
}

#[test]
fn repeated_content_must_be_declared_decorative() {
    let scratch = Scratch::new();
    let repeat = "\n[[frames]]\nid = \"action-again\"\narea = { col = 1, row = 1, cols = 12, rows = 4 }\ncontent = \"action\"\nstyles = { label = \"action-label\", phone = \"action-phone\" }\n";
    let path = scratch.path().join("layouts/flyer-letter.toml");
    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{original}{repeat}")).unwrap();
    // Only the edited layout is checked (its every edition): the others are unchanged.
    let output = scratch.run(&["check", "--layout", "flyer-letter"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains(
            "frame `action-again` repeats `blocks.action.label`, which frame `action` already shows"
        ),
        "{err}"
    );
    assert!(err.contains("decorative = true"), "{err}");

    std::fs::write(&path, format!("{original}{repeat}decorative = true\n")).unwrap();
    let flyer = build_flyer(&scratch, "alameda", None);
    let dump = tag_dump(&flyer);
    assert_eq!(
        dump.matches("For additional information").count(),
        1,
        "{dump}"
    );
}

/// Text read from the tag tree, in tree order, is the campaign's content in reading order,
/// page by page.
#[test]
fn reading_order_follows_the_content_not_the_grid() {
    let scratch = Scratch::new();
    let output = scratch.run(&["build", "--county", "alameda", "--year", "2027"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let campaign: toml::Value =
        toml::from_str(&std::fs::read_to_string(scratch.campaign().join("campaign.toml")).unwrap())
            .unwrap();
    let blocks = &campaign["blocks"];
    let s = |v: &toml::Value| v.as_str().unwrap().to_string();
    // The flyer shows the first three sections (the fourth is on the fact sheet), before
    // the figures; the fact sheet its figures on page 1 and all four sections on page 2,
    // so they are read after the figures.
    let expected_for = |sections: usize, figures_first: bool| -> Vec<String> {
        let mut expected = vec![
            s(&blocks["headline"]["text"]),
            s(&blocks["definition"]["text"]),
        ];
        let mut text = Vec::new();
        for section in blocks["sections"].as_array().unwrap().iter().take(sections) {
            text.push(s(&section["heading"]));
            text.push(s(&section["body"]));
        }
        let mut figures = vec![s(&blocks["facts"]["text"])];
        for stat in blocks["stats"].as_array().unwrap() {
            figures.push(s(&stat["value"]));
            figures.push(s(&stat["caption"]));
        }
        figures.push(s(&blocks["callout"]["value"]));
        figures.push(s(&blocks["callout"]["text"]));
        if figures_first {
            expected.extend(figures);
            expected.extend(text);
        } else {
            expected.extend(text);
            expected.extend(figures);
        }
        expected.push(s(&blocks["agency"]["name"]));
        expected.push(s(&blocks["agency"]["department"]));
        expected
    };
    // Compare letters only: Markdown marks, hyphenation and case transforms aside, and
    // the dump's escapes for spaces it quotes (`\u{2003}`, a paragraph's indent).
    let letters = |t: &str| -> String {
        t.replace("]()", "")
            .replace("\\u{2003}", " ")
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    for (layout, sections, figures_first) in [
        ("flyer-letter", 3, false),
        ("factsheet-letter", usize::MAX, true),
    ] {
        let expected = expected_for(sections, figures_first);
        let pdf = scratch.path().join(format!(
            "out/2027/trafficking-prevention/alameda/{layout}.pdf"
        ));
        // The dump's text lines only (its element names and titles aside).
        let dump = tag_dump(&pdf);
        let text_lines: String = dump
            .lines()
            .map(str::trim_start)
            .filter(|l| l.starts_with('"'))
            .collect();
        let tree_text = letters(&text_lines);
        let mut from = 0;
        for (n, piece) in expected.iter().enumerate() {
            let want = letters(piece);
            match tree_text[from..].find(&want) {
                Some(at) => from += at + want.len(),
                None => panic!(
                    "{layout}: content #{n} {piece:?} is missing or out of order in the tag tree"
                ),
            }
        }
    }
}

/// A Spanish edition is Spanish as a document; the agency's official English name, kept on
/// purpose by the translation, is tagged English so a screen reader switches voice.
#[test]
fn a_span_in_another_language_gets_its_own_language() {
    let scratch = Scratch::new();
    let pdf = build_flyer(&scratch, "statewide", Some("es"));
    let dump = tag_dump(&pdf);
    assert!(dump.starts_with("Document lang=\"es\""), "{dump}");
    let agency = dump
        .lines()
        .position(|l| l.contains("OFFICE OF CHILD ABUSE"))
        .expect("agency name tagged");
    let element = dump.lines().nth(agency - 1).unwrap();
    assert_eq!(element.trim(), "P lang=\"en\"", "{dump}");
    // Everything else is in the document's language: no other element carries a Lang.
    assert_eq!(dump.matches("lang=").count(), 2, "{dump}");
}

/// `decorative` is for repeats: on the only frame showing a block it would hide the block
/// from screen readers; and a second logo frame must be declared decorative too.
#[test]
fn decorative_must_not_hide_content_and_the_logo_shows_once() {
    let scratch = Scratch::new();
    scratch.edit(
        "layouts/flyer-letter.toml",
        "content = \"action\"\nstyles = { label = \"action-label\", phone = \"action-phone\" }",
        "content = \"action\"\nstyles = { label = \"action-label\", phone = \"action-phone\" }\ndecorative = true",
    );
    // Only the edited layout is checked (its every edition): the others are unchanged.
    let output = scratch.run(&["check", "--layout", "flyer-letter"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.contains(
            "frame `action` is decorative, but no other frame shows `blocks.action.label`"
        ),
        "{err}"
    );

    let scratch = Scratch::new();
    let path = scratch.path().join("layouts/flyer-letter.toml");
    let original = std::fs::read_to_string(&path).unwrap();
    let second = "\n[[frames]]\nid = \"logo-again\"\narea = { col = 1, row = 1, cols = 2, rows = 2 }\nimage = \"logo\"\n";
    std::fs::write(&path, format!("{original}{second}")).unwrap();
    let err = stderr(&scratch.run(&["check", "--layout", "flyer-letter"]));
    assert!(
        err.contains("frame `logo-again` repeats the logo, which frame `logo` already shows"),
        "{err}"
    );
    std::fs::write(&path, format!("{original}{second}decorative = true\n")).unwrap();
    let output = scratch.run(&["check", "--layout", "flyer-letter"]);
    assert!(output.status.success(), "{}", stderr(&output));
}

/// In an Arabic line the runs are drawn right to left; the tag tree still reads them in
/// logical order: the Arabic sources label before the (English) source titles after it.
#[test]
fn right_to_left_lines_read_in_logical_order() {
    let scratch = Scratch::new();
    let pdf = build_flyer(&scratch, "statewide", Some("ar"));
    let dump = tag_dump(&pdf);
    // Within a right-to-left run the glyphs are in visual order, so a reader that maps
    // glyphs one by one (lopdf here) spells the word backwards; the runs' order is ours.
    let reversed: String = "المصادر".chars().rev().collect();
    let label = dump
        .find(&reversed)
        .or_else(|| dump.find("المصادر"))
        .unwrap_or_else(|| panic!("sources label tagged: {dump}"));
    let first = dump
        .find("CSEC in North America")
        .expect("first source tagged");
    let last = dump
        .find("Online Sexual solicitations")
        .expect("last source tagged");
    assert!(label < first && first < last, "{dump}");
}
