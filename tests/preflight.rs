//! The print preflight (`check --print`, and before every `build --print`): a fixture with
//! a 72 ppi logo, a hairline, a frame at the trim and pale text gives exactly those four
//! findings with their measurements (contrast as printed); the colour fixtures give small
//! reversed type and contrast that fails only in ink; the shipped kit gives no errors.

use crate::common::{Scratch, repo, run_in, stderr};

/// The diagnostics' first lines (`error: …`, `warning: …`) in what the binary printed.
fn findings(output: &std::process::Output) -> Vec<String> {
    let mut lines: Vec<String> = stderr(output)
        .lines()
        .filter(|l| l.starts_with("error: ") || l.starts_with("warning: "))
        .map(str::to_string)
        .collect();
    lines.sort();
    lines
}

/// Runs the binary from the repository root on the preflight fixture.
fn run_fixture(args: &[&str], county: &str) -> std::process::Output {
    run_layouts("tests/fixtures/preflight/layouts", args, county)
}

/// Runs the binary on the preflight fixture's content with the layouts in `layouts`.
fn run_layouts(layouts: &str, args: &[&str], county: &str) -> std::process::Output {
    let content = repo().join("tests/fixtures/preflight/content");
    let layouts = repo().join(layouts);
    let mut all: Vec<&str> = args.to_vec();
    all.extend([
        "--content",
        content.to_str().unwrap(),
        "--layouts",
        layouts.to_str().unwrap(),
        "--county",
        county,
        "--year",
        "2027",
    ]);
    run_in(&repo(), &all)
}

#[test]
fn fixture_gives_exactly_its_four_findings() {
    let output = run_fixture(&["check", "--print"], "lowres");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let edition = "edition lowres (Lowres County, en, 2027)";
    let expected = vec![
        format!(
            "error: image in frame `logo` of layout `preflight` is 72 ppi at its placed size of 1.00 × 1.00 in (72 × 72 px; print needs 300 ppi, under 150 is an error), {edition}"
        ),
        format!(
            "warning: a stroke in frame `rule` of layout `preflight` is 0.10 pt wide, under the 0.25 pt a press holds, {edition}"
        ),
        format!(
            "warning: frame `corner` of layout `preflight` reaches the trim (0.0 pt) on the top and left without declaring a bleed there (safe zone 9.0 pt), {edition}"
        ),
        format!(
            "warning: text in frame `headline` of layout `preflight` has a contrast of 1.91:1 as printed (`pale` #aaaaaa → C0 M0 Y0 K33 on paper; 2.32:1 on screen), under the 4.5:1 WCAG AA needs for normal text, {edition}"
        ),
    ];
    let mut expected = expected;
    expected.sort();
    assert_eq!(findings(&output), expected, "{}", stderr(&output));
    // Each finding points at its frame in the layout file.
    let text = stderr(&output);
    for field in ["frames[0]", "frames[1]", "frames[2]", "frames[3]"] {
        assert!(text.contains(&format!("(field `{field}`)")), "{text}");
    }
    assert!(text.contains("preflight.toml:"), "{text}");
}

/// Runs `check --print` on one layout of the colour fixtures (`tests/fixtures/
/// preflight-colour`) for the county without a logo.
fn colour_fixture(layout: &str) -> std::process::Output {
    run_layouts(
        "tests/fixtures/preflight-colour/layouts",
        &["check", "--print", "--layout", layout],
        "nologo",
    )
}

#[test]
fn small_reversed_type_over_four_inks_is_its_one_finding() {
    let output = colour_fixture("reversed");
    assert!(output.status.success(), "{}", stderr(&output));
    let found = findings(&output);
    assert_eq!(found.len(), 1, "{found:#?}");
    let finding = &found[0];
    assert_eq!(
        finding,
        "warning: 7.5 pt text in frame `band` of layout `reversed` is reversed out of `navy` #1f2a5c → C100 M85 Y25 K20 (4 inks) in `white` #ffffff → C0 M0 Y0 K0: under 9 pt, misregistered plates fringe its letters, edition nologo (Nologo County, en, 2027)"
    );
    assert!(stderr(&output).contains("(field `frames[0]`)"));
    assert!(stderr(&output).contains("reversed.toml:"));
    // At 9 pt the same type is no longer flagged.
    let scratch = tempfile::tempdir().unwrap();
    let layouts = scratch.path().join("layouts");
    std::fs::create_dir(&layouts).unwrap();
    let text = std::fs::read_to_string(
        repo().join("tests/fixtures/preflight-colour/layouts/reversed.toml"),
    )
    .unwrap();
    std::fs::write(
        layouts.join("reversed.toml"),
        text.replace("size = \"7.5pt\"", "size = \"9pt\""),
    )
    .unwrap();
    let output = run_layouts(
        layouts.to_str().unwrap(),
        &["check", "--print", "--layout", "reversed"],
        "nologo",
    );
    assert!(findings(&output).is_empty(), "{}", stderr(&output));
}

#[test]
fn contrast_that_passes_on_screen_but_fails_in_ink_is_its_one_finding() {
    let output = colour_fixture("ink-contrast");
    assert!(output.status.success(), "{}", stderr(&output));
    let found = findings(&output);
    assert_eq!(found.len(), 1, "{found:#?}");
    let finding = &found[0];
    // 3.76:1 on screen passes the 3:1 for large text; the pinned build prints lighter.
    assert!(
        finding.starts_with(
            "warning: text in frame `figure` of layout `ink-contrast` has a contrast of "
        ),
        "{finding}"
    );
    assert!(
        finding.ends_with(":1 as printed (`amber` #b27800 → C0 M35 Y100 K20 on paper; 3.76:1 on screen), under the 3:1 WCAG AA needs for large text, edition nologo (Nologo County, en, 2027)"),
        "{finding}"
    );
    let ratio: f32 = finding
        .split("contrast of ")
        .nth(1)
        .and_then(|r| r.split(':').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(ratio < 3.0, "{finding}");
    assert!(stderr(&output).contains("(field `frames[0]`)"));
}

#[test]
fn print_build_refuses_errors_and_records_warnings() {
    let out = tempfile::tempdir().unwrap();
    let out_arg = out.path().to_str().unwrap();
    // The 72 ppi logo is an error: nothing is written for that document.
    let failed = run_fixture(&["build", "--print", "--out", out_arg], "lowres");
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    let dir = out.path().join("2027/preflight");
    assert!(!dir.join("lowres/preflight.print.pdf").exists());
    // Without a logo only warnings remain: the PDF is written, the warnings reported and
    // kept in the manifest.
    let built = run_fixture(&["build", "--print", "--out", out_arg], "nologo");
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(dir.join("nologo/preflight.print.pdf").is_file());
    assert_eq!(findings(&built).len(), 3, "{}", stderr(&built));
    assert!(stderr(&built).contains("3 preflight warning(s)"));
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let warnings: Vec<&str> = manifest["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    let ours: Vec<&&str> = warnings
        .iter()
        .filter(|w| w.starts_with("preflight nologo/preflight.print.pdf: "))
        .collect();
    assert_eq!(ours.len(), 3, "{warnings:#?}");
    assert!(ours.iter().any(|w| w.contains("0.10 pt wide")));
    // A re-run leaves the file alone and keeps its warnings in the manifest.
    let again = run_fixture(&["build", "--print", "--out", out_arg], "nologo");
    assert!(again.status.success(), "{}", stderr(&again));
    let after = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    assert_eq!(
        after
            .matches("preflight nologo/preflight.print.pdf: ")
            .count(),
        3
    );
    // Screen builds are not preflighted.
    let screen = run_fixture(&["check"], "lowres");
    assert!(screen.status.success(), "{}", stderr(&screen));
    assert!(findings(&screen).is_empty(), "{}", stderr(&screen));
}

/// The statewide edition in all seven languages prints without a single preflight finding:
/// Arabic's tall letters once reached above the flyer's footer band, white ink on paper.
#[test]
fn the_statewide_kit_gives_no_preflight_finding_in_any_language() {
    let scratch = Scratch::new();
    let output = scratch.run(&[
        "check",
        "--print",
        "--county",
        "statewide",
        "--year",
        "2027",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let preflight: Vec<String> = findings(&output)
        .into_iter()
        .filter(|l| l.contains("of layout `"))
        .collect();
    assert!(preflight.is_empty(), "{preflight:#?}");
}

#[test]
fn shipped_kit_passes_preflight_without_errors() {
    let scratch = Scratch::new();
    let output = scratch.run(&["check", "--print", "--county", "alameda", "--year", "2027"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        !stderr(&output).lines().any(|l| l.starts_with("error: ")),
        "{}",
        stderr(&output)
    );
}

#[test]
fn text_below_the_layout_minimum_is_reported_with_its_size() {
    let scratch = Scratch::new();
    // The poster's source note is fine print (12 pt); ordinary poster text must be 24 pt.
    scratch.edit(
        "layouts/poster-18x24.toml",
        "fine_print = [\"sources\"]",
        "fine_print = []",
    );
    let output = scratch.run(&[
        "check",
        "--print",
        "--county",
        "alameda",
        "--layout",
        "poster-18x24",
        "--year",
        "2027",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let found = findings(&output);
    assert!(
        found.iter().any(|f| f.starts_with(
            "warning: text in frame `sources` of layout `poster-18x24` is set at 14.0 pt, under the layout's minimum of 24.0 pt"
        )),
        "{found:#?}"
    );
}

/// A county that fills in everything of its own — contact, phone, logo and a local help
/// line, in English, Spanish and Chinese, where Spanish sets longest — still gives print
/// files every layout's preflight passes: the longer words must stay inside the safe zone
/// (Spanish once pushed the poster's call to action within 2.7 pt of the trim).
#[test]
fn a_county_with_all_its_own_data_passes_preflight_in_every_layout_and_language() {
    let scratch = Scratch::new();
    // A seal fine enough for the poster's 2 in tile at 300 ppi (and downsampled for the
    // flyer's smaller one).
    let logos = scratch.campaign().join("logos");
    std::fs::create_dir_all(&logos).unwrap();
    std::fs::write(logos.join("alameda.png"), crate::logo::seal_png(1200, None)).unwrap();
    // A sheet of this one county, with the translated columns its languages need.
    let sheet = format!("{HEADER}\n{ALAMEDA}\n");
    std::fs::write(scratch.campaign().join("counties.csv"), &sheet).unwrap();
    let output = scratch.run(&["check", "--print", "--county", "alameda", "--year", "2027"]);
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(!err.lines().any(|l| l.starts_with("error: ")), "{err}");
    // Nine documents were checked: three layouts in three languages.
    assert!(err.contains("9 document(s) checked"), "{err}");
    // Every cell in its own words has its Spanish and Chinese: no warning about them.
    assert!(!err.contains("has its own"), "{err}");

    // Without its Spanish contact, the Spanish editions would print the English words
    // inside a Spanish sentence: `check` says which column is missing.
    let sheet = sheet.replace(",la Coordinadora de Trata de Personas,", ",,");
    std::fs::write(scratch.campaign().join("counties.csv"), sheet).unwrap();
    let output = scratch.run(&["check", "--county", "alameda", "--lang", "es"]);
    let found = findings(&output);
    let untranslated: Vec<&String> = found.iter().filter(|l| l.contains("has its own")).collect();
    assert_eq!(
        untranslated,
        [
            "warning: county `Alameda` has its own `contact` but no `contact:es`: its `es` editions print \"the Human Trafficking Coordinator\" as written"
        ],
        "{found:#?}"
    );
}

const HEADER: &str = r#"county,seat,languages,program,contact,phone,logo,logo_alt,extra.local,program:es,contact:es,extra.local:es,logo_alt:es,county:es,county:zh-Hant,program:zh-Hant,contact:zh-Hant,extra.local:zh-Hant,logo_alt:zh-Hant"#;
const ALAMEDA: &str = r#"Alameda,Oakland,en;es;zh-Hant,the Alameda County Social Services Agency,the Human Trafficking Coordinator,(510) 271-9100,logos/alameda.png,Alameda County Social Services seal,Alameda County H.E.A.T. Watch: 24-hour help at **(510) 208-4777** or heatwatch.org,la Agencia de Servicios Sociales del Condado de Alameda,la Coordinadora de Trata de Personas,H.E.A.T. Watch del Condado de Alameda: ayuda las 24 horas al **(510) 208-4777** o en heatwatch.org,Sello de Servicios Sociales del Condado de Alameda,Alameda,阿拉米達,阿拉米達縣社會服務局,人口販運協調員,阿拉米達縣 H.E.A.T. Watch：24 小時求助專線 **(510) 208-4777** 或 heatwatch.org,阿拉米達縣社會服務局徽章"#;
