//! End-to-end tests: run the `broadside` binary in a scratch folder (or read the whole
//! kit's shared build and check, `common::built_kit` and `common::checked_kit`) and check
//! what it writes and says, reading the PDFs back with lopdf.

use crate::common;

use crate::common::{Scratch, page_sizes, pdf_text, stderr, year_dir};

const LAYOUTS: [(&str, (f32, f32), usize); 3] = [
    ("factsheet-letter", (612.0, 792.0), 2),
    ("flyer-letter", (612.0, 792.0), 1),
    ("poster-18x24", (1296.0, 1728.0), 1),
];

#[test]
fn default_build_makes_the_whole_kit() {
    let (run, _shared) = common::built_kit();
    let output = &run.output;
    assert!(output.status.success(), "{}", stderr(output));

    let year = year_dir(&run.path().join("out"));
    let expected_year = broadside::batch::upcoming_year(1, None);
    assert_eq!(
        year.file_name().unwrap().to_str().unwrap(),
        expected_year.to_string()
    );
    let kit = year.join("trafficking-prevention");
    let editions: Vec<_> = std::fs::read_dir(&kit)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    assert_eq!(editions.len(), 59, "statewide + 58 counties");
    assert!(kit.join("manifest.json").is_file());
    let pdfs = run.outputs();
    // Statewide in English and the six translations; each county in its languages (English).
    assert_eq!(pdfs.len(), (7 + 58) * LAYOUTS.len(), "{pdfs:?}");
    for lang in ["es", "vi", "zh-Hant", "ko", "tl", "ar"] {
        for (layout, size, pages) in LAYOUTS {
            let path = kit.join(format!("statewide/{layout}.{lang}.pdf"));
            let doc =
                lopdf::Document::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(page_sizes(&doc), vec![size; pages], "{}", path.display());
            let catalog = doc.catalog().unwrap();
            assert_eq!(
                catalog.get(b"Lang").unwrap().as_str().unwrap(),
                lang.as_bytes()
            );
        }
    }
    for edition in ["statewide", "alameda", "contra-costa", "yuba"] {
        for (layout, size, pages) in LAYOUTS {
            let path = kit.join(edition).join(format!("{layout}.pdf"));
            let doc =
                lopdf::Document::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(page_sizes(&doc), vec![size; pages], "{}", path.display());
        }
    }
    for pdf in &pdfs {
        lopdf::Document::load(pdf).unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
    }
}

#[test]
fn county_pdf_names_the_county_and_falls_back_to_the_statewide_phone() {
    let scratch = Scratch::new();
    let output = scratch.run(&["build", "--county", "Contra Costa", "--year", "2027"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(scratch.outputs().len(), 3);
    for (layout, _, _) in LAYOUTS {
        let path = scratch.path().join(format!(
            "out/2027/trafficking-prevention/contra-costa/{layout}.pdf"
        ));
        let text = pdf_text(&path);
        assert!(
            text.to_lowercase().contains("contra costa county"),
            "{layout}: {text}"
        );
        assert!(text.contains("(916) 653-1838"), "{layout}: {text}");
        assert!(text.contains("JANUARY 2027"), "{layout}");
    }
}

#[test]
fn a_county_override_replaces_the_statewide_value() {
    let scratch = Scratch::new();
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "Alpine,Markleeville,en,,,,,",
        "Alpine,Markleeville,en,,Duty Officer,(555) 010-0123,,",
    );
    let output = scratch.run(&[
        "build",
        "--county",
        "alpine",
        "--layout",
        "flyer-letter",
        "--year",
        "2027",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = pdf_text(
        &scratch
            .path()
            .join("out/2027/trafficking-prevention/alpine/flyer-letter.pdf"),
    );
    assert!(
        text.contains("Duty Officer at") && text.contains("(555) 010-0123"),
        "{text}"
    );
    assert!(!text.contains("653-1838"));
}

#[test]
fn malformed_toml_is_reported_with_line_and_column() {
    let scratch = Scratch::new();
    scratch.edit(
        "content/trafficking-prevention/campaign.toml",
        "lang = \"en\"",
        "lang = en\"",
    );
    let line = std::fs::read_to_string(scratch.campaign().join("campaign.toml"))
        .unwrap()
        .lines()
        .position(|l| l.starts_with("lang = en"))
        .unwrap()
        + 1;
    let output = scratch.run(&["build"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(&format!(
            "content/trafficking-prevention/campaign.toml:{line}:8 (field `campaign.lang`)"
        )),
        "{err}"
    );
    assert!(err.contains("nothing was built"), "{err}");
    assert!(scratch.outputs().is_empty());
}

#[test]
fn several_input_errors_are_reported_together() {
    let scratch = Scratch::new();
    scratch.edit(
        "layouts/flyer-letter.toml",
        "color = \"navy\"\nspace_before",
        "color = \"navvy\"\nspace_before",
    );
    scratch.edit(
        "layouts/poster-18x24.toml",
        "style = \"kicker\"",
        "style = \"kickr\"",
    );
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "logo_alt",
        "logo_alt,fax",
    );
    scratch.edit(
        "layouts/factsheet-letter.toml",
        "id = \"stat-2\"",
        "id = \"stat-1\"",
    );
    let output = scratch.run(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("frame id `stat-1` is used twice"), "{err}");
    assert!(
        err.contains("unknown colour `navvy`") && err.contains("did you mean `navy`?"),
        "{err}"
    );
    assert!(err.contains("(field `styles.heading.color`)"), "{err}");
    assert!(
        err.contains("unknown style `kickr`") && err.contains("did you mean `kicker`?"),
        "{err}"
    );
    assert!(
        err.contains("unknown column `fax`") && err.contains("counties.csv:1:"),
        "{err}"
    );
}

#[test]
fn overflow_names_layout_frame_edition_and_amount_and_the_rest_still_build() {
    let scratch = Scratch::new();
    let long = "A very long program name that no contact line could ever hold ".repeat(12);
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "Butte,Oroville,en,,,,,",
        &format!("Butte,Oroville,en,{long},,,,"),
    );
    let output = scratch.run(&["build", "--year", "2027"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("text does not fit frame `action` of layout `flyer-letter` for edition butte (Butte County, en, 2027)"),
        "{err}"
    );
    assert!(err.contains("mm too tall"), "{err}");
    assert!(err.contains("layouts/flyer-letter.toml:"), "{err}");
    assert!(
        err.contains("failed:") && err.contains("butte (Butte County"),
        "{err}"
    );
    // Every other edition is built; the failing ones leave nothing behind, not even temp files.
    let files = scratch.all_files();
    let butte: Vec<_> = files
        .iter()
        .filter(|p| p.to_string_lossy().contains("/butte/"))
        .collect();
    assert!(
        !butte.iter().any(|p| p.ends_with("flyer-letter.pdf")),
        "{butte:?}"
    );
    assert!(
        !files
            .iter()
            .any(|p| p.file_name().unwrap().to_string_lossy().starts_with('.')),
        "temp file left: {files:?}"
    );
    assert!(files.len() >= 58 * 3, "{}", files.len());
}

#[test]
fn a_failed_rebuild_keeps_the_earlier_file() {
    let scratch = Scratch::new();
    let args = [
        "build",
        "--county",
        "butte",
        "--layout",
        "flyer-letter",
        "--year",
        "2027",
    ];
    assert!(scratch.run(&args).status.success());
    let path = scratch
        .path()
        .join("out/2027/trafficking-prevention/butte/flyer-letter.pdf");
    let before = std::fs::read(&path).unwrap();
    let long = "An overlong program name ".repeat(30);
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "Butte,Oroville,en,,,,,",
        &format!("Butte,Oroville,en,{long},,,,"),
    );
    let output = scratch.run(&args);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert_eq!(scratch.outputs().len(), 1);
}

#[test]
fn a_logo_path_leaving_the_campaign_folder_is_refused() {
    let scratch = Scratch::new();
    std::fs::write(scratch.path().join("content/secret.png"), b"not for you").unwrap();
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "Colusa,Colusa,en,,,,,",
        "Colusa,Colusa,en,,,,../secret.png,",
    );
    let output = scratch.run(&["build"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("logo path `../secret.png` leaves the campaign folder"),
        "{err}"
    );
    assert!(err.contains("counties.csv:7:"), "{err}");
    assert!(scratch.outputs().is_empty());
}

#[test]
fn check_writes_nothing_and_warns_about_missing_urls() {
    let (run, _shared) = common::checked_kit();
    let output = &run.output;
    assert!(output.status.success(), "{}", stderr(output));
    let err = stderr(output);
    for title in [
        "CSEC in North America",
        "CSEC/Trafficking",
        "Trafficking Trends",
        "Online Sexual solicitations",
    ] {
        assert!(
            err.contains(&format!("(\"{title}\") has no URL")),
            "{title}: {err}"
        );
    }
    assert!(
        err.contains("inline link \"Child Welfare Council\" has no URL"),
        "{err}"
    );
    assert!(err.contains("195 document(s) checked, 0 failed"), "{err}");
    assert!(!run.path().join("out").exists());
}

#[test]
fn filters_and_unknown_names() {
    let scratch = Scratch::new();
    let output = scratch.run(&[
        "build",
        "--county",
        "statewide",
        "--layout",
        "poster-18x24",
        "--year",
        "2031",
        "--out",
        "elsewhere",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        scratch
            .path()
            .join("elsewhere/2031/trafficking-prevention/statewide/poster-18x24.pdf")
            .is_file()
    );
    let output = scratch.run(&["build", "--county", "Alamedaa"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no county named `alamedaa`")
            && stderr(&output).contains("did you mean `alameda`?"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn counties_print_in_their_languages_and_translations_are_checked() {
    let scratch = Scratch::new();
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "Fresno,Fresno,en,",
        "Fresno,Fresno,en;es;ko,",
    );
    let output = scratch.run(&[
        "build",
        "--county",
        "fresno",
        "--layout",
        "flyer-letter",
        "--year",
        "2027",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let dir = scratch
        .path()
        .join("out/2027/trafficking-prevention/fresno");
    for name in [
        "flyer-letter.pdf",
        "flyer-letter.es.pdf",
        "flyer-letter.ko.pdf",
    ] {
        assert!(dir.join(name).is_file(), "{name}");
    }
    let spanish = pdf_text(&dir.join("flyer-letter.es.pdf"));
    assert!(spanish.contains("CONDADO DE FRESNO"), "{spanish}");
    // --lang selects one language.
    let output = scratch.run(&[
        "build",
        "--county",
        "statewide",
        "--lang",
        "ar",
        "--year",
        "2028",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let files = scratch.outputs();
    let arabic: Vec<_> = files
        .iter()
        .filter(|p| p.to_string_lossy().contains("/2028/"))
        .collect();
    assert_eq!(arabic.len(), 3, "{arabic:?}");
    assert!(
        arabic
            .iter()
            .all(|p| p.to_string_lossy().ends_with(".ar.pdf"))
    );

    // A language without a translation is an input error at the county's row.
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "en;es;ko",
        "en;hy",
    );
    let output = scratch.run(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(
            "county `Fresno` lists language `hy`, which the campaign has no translation for"
        ),
        "{err}"
    );
    assert!(err.contains("counties.csv:11:"), "{err}");
}

#[test]
fn untranslated_strings_and_missing_glyphs_are_reported() {
    let scratch = Scratch::new();
    let es = "content/trafficking-prevention/campaign.es.toml";
    let text = std::fs::read_to_string(scratch.path().join(es)).unwrap();
    let tagline = text
        .lines()
        .find(|l| l.starts_with("tagline = "))
        .unwrap()
        .to_string();
    scratch.edit(es, &format!("{tagline}\n"), "");
    let output = scratch.run(&["check", "--lang", "es"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("Español (es) leaves 1 string(s) untranslated; they print in `en`: blocks.agency.tagline"), "{err}");

    // A character no bundled font has fails `check` for that edition, before any build.
    scratch.edit(
        "content/trafficking-prevention/campaign.ko.toml",
        "[blocks.headline]\ntext = \"",
        "[blocks.headline]\ntext = \"\u{1F600} ",
    );
    let output = scratch.run(&["check", "--lang", "ko"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("no font has a glyph for `\u{1F600}` (U+1F600) in `blocks.headline.text`"),
        "{err}"
    );
    assert!(
        err.contains("edition statewide (캘리포니아, ko, 2027)") || err.contains(", ko, "),
        "{err}"
    );
    assert!(err.contains("fonts tried: Oswald, Noto Sans"), "{err}");
    assert!(!scratch.path().join("out").exists());
}

#[test]
fn fonts_lists_families_styles_and_coverage() {
    let output = common::run_in(&common::repo(), &["fonts"]);
    assert!(output.status.success());
    let out = String::from_utf8_lossy(&output.stdout);
    let block = |family: &str| {
        let start = out
            .find(&format!("{family}\n"))
            .unwrap_or_else(|| panic!("{family} missing: {out}"));
        out[start..]
            .split("\n\n")
            .next()
            .unwrap()
            .lines()
            .take(4)
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(block("Oswald").contains("styles:    700, 600"), "{out}");
    assert!(
        block("Noto Sans Arabic").contains("languages: ar fa"),
        "{out}"
    );
    assert!(block("Noto Sans CJK TC").contains("zh-Hant"), "{out}");
    assert!(block("Noto Sans CJK KR").contains("Hangul"), "{out}");
    assert!(block("Noto Sans Khmer").contains("km"), "{out}");
}
