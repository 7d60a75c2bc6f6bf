//! Print colour: every shipped palette colour's CMYK, proofed back through the output
//! profile, matches its screen colour (ΔE76 ≤ 3) or is pinned by hand; text black prints
//! as 100 K that overprints (read back from the print PDF: the `k` operands and the
//! ExtGState in force); no text is set in a rich black; a pinned build is painted as given.

use crate::common::{Scratch, repo, stderr};
use broadside::color::{Build, TEXT_BLACK, build_of, delta_e, lab_of_srgb, total_ink};
use broadside::fonts::FontBook;
use broadside::model::layout::Layout;
use broadside::pdfx::IccProfile;
use lopdf::content::Content;
use lopdf::{Document, Object};
use std::collections::BTreeMap;

/// The largest ΔE76 between a derived build, soft-proofed, and its screen colour.
const MAX_DELTA_E: f32 = 3.0;

#[test]
fn every_shipped_palette_colour_prints_within_delta_e_3_of_its_screen_colour() {
    let fonts = FontBook::load(&[repo().join("fonts")]).unwrap();
    let layouts = Layout::load_dir(&repo().join("layouts"), &fonts).unwrap();
    let profile = IccProfile::default_print();
    let press = profile.press().unwrap();
    let mut checked = 0;
    for layout in &layouts {
        for color in layout.colors.values() {
            let screen = lab_of_srgb(color.rgb);
            let what = format!("colour `{}` of layout `{}`", color.name, layout.name);
            match build_of(color, &layout.black) {
                Build::Pinned(cmyk) => {
                    // A build pinned by hand is the designer's or the printer's call, not
                    // the profile's; it is reported, not held to the ΔE.
                    let de = delta_e(screen, press.lab(cmyk));
                    eprintln!("{what} is pinned by hand to {cmyk:?} (ΔE76 {de:.1}): not checked");
                    continue;
                }
                Build::TextBlack => {
                    // Text black is 100 K by rule (it overprints); its fills are the
                    // derived rich black, which must match like any derived colour.
                    let de = delta_e(screen, press.lab(TEXT_BLACK));
                    eprintln!("{what} is text black: text prints 100 K by rule (ΔE76 {de:.1})");
                }
                Build::Derived => {}
            }
            let cmyk = press.separate(color.rgb);
            let de = delta_e(screen, press.lab(cmyk));
            eprintln!("{what} {:?} → {cmyk:?}: ΔE76 {de:.1}", color.rgb);
            assert!(
                de <= MAX_DELTA_E,
                "{what} ({:?}) separates to {cmyk:?}, which prints ΔE76 {de:.1} away",
                color.rgb
            );
            assert!(
                total_ink(cmyk) <= press.max_ink,
                "{what}: {cmyk:?} is over the profile's {}% total ink",
                press.max_ink
            );
            checked += 1;
        }
    }
    assert!(checked >= 7, "only {checked} colours checked");
}

/// What a content stream paints text with: for each text-showing operator, the font size,
/// the fill colour (`k` operands) and whether overprint (`/op`, with `/OPM 1`) is in force.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Painted {
    size: f32,
    fill: [f32; 4],
    overprint: bool,
    opm: i64,
}

fn painted_text(doc: &Document, page: lopdf::ObjectId) -> Vec<Painted> {
    let page_dict = doc.get_dictionary(page).unwrap();
    let resources = doc
        .dereference(page_dict.get(b"Resources").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap();
    // The page's graphics states: name → (op, OPM) as far as each sets them.
    let mut states: BTreeMap<Vec<u8>, (Option<bool>, Option<i64>)> = BTreeMap::new();
    if let Ok(gs) = resources.get(b"ExtGState") {
        for (name, state) in doc.dereference(gs).unwrap().1.as_dict().unwrap().iter() {
            let state = doc.dereference(state).unwrap().1.as_dict().unwrap();
            // `/op` absent: `/OP` sets it too (ISO 32000-1, table 58).
            let op = state
                .get(b"op")
                .or_else(|_| state.get(b"OP"))
                .ok()
                .map(|o| o.as_bool().unwrap());
            let opm = state.get(b"OPM").ok().map(|o| o.as_i64().unwrap());
            states.insert(name.clone(), (op, opm));
        }
    }
    let content = Content::decode(&doc.get_page_content(page)).unwrap();
    let mut current = Painted {
        size: 0.0,
        fill: [0.0; 4],
        overprint: false,
        opm: 0,
    };
    let mut stack = Vec::new();
    let mut out = Vec::new();
    let number = |o: &Object| o.as_float().unwrap();
    for op in &content.operations {
        match op.operator.as_str() {
            "q" => stack.push(current),
            "Q" => current = stack.pop().unwrap(),
            "k" => {
                let v: Vec<f32> = op.operands.iter().map(number).collect();
                current.fill = [v[0], v[1], v[2], v[3]];
            }
            "Tf" => current.size = number(&op.operands[1]),
            "gs" => {
                let name = op.operands[0].as_name().unwrap();
                let (op, opm) = states[name];
                if let Some(op) = op {
                    current.overprint = op;
                }
                if let Some(opm) = opm {
                    current.opm = opm;
                }
            }
            "Tj" | "TJ" | "'" | "\"" => out.push(current),
            _ => {}
        }
    }
    out
}

fn build_statewide(scratch: &Scratch, layout: &str, extra: &[&str]) -> std::path::PathBuf {
    let mut args = vec![
        "build",
        "--print",
        "--county",
        "statewide",
        "--lang",
        "en",
        "--year",
        "2027",
        "--layout",
        layout,
    ];
    args.extend_from_slice(extra);
    let output = scratch.run(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    scratch.path().join(format!(
        "out/2027/trafficking-prevention/statewide/{layout}.print.pdf"
    ))
}

#[test]
fn body_text_prints_in_100_k_that_overprints() {
    let scratch = Scratch::new();
    for layout in ["flyer-letter", "factsheet-letter", "poster-18x24"] {
        let path = build_statewide(&scratch, layout, &[]);
        let doc = Document::load(&path).unwrap();
        let mut runs = Vec::new();
        for page in doc.get_pages().into_values() {
            runs.extend(painted_text(&doc, page));
        }
        // Body text is the most frequent size (the poster has no body text: its most
        // frequent type is reversed out of the navy band).
        let mut by_size: BTreeMap<u32, usize> = BTreeMap::new();
        for run in &runs {
            *by_size.entry((run.size * 100.0) as u32).or_default() += 1;
        }
        let body = *by_size.iter().max_by_key(|(_, n)| **n).unwrap().0;
        let body_runs: Vec<&Painted> = runs
            .iter()
            .filter(|r| (r.size * 100.0) as u32 == body)
            .collect();
        for run in body_runs.iter().filter(|_| layout != "poster-18x24") {
            assert_eq!(
                run.fill,
                [0.0, 0.0, 0.0, 1.0],
                "{layout}: body text {run:?}"
            );
            assert!(run.overprint, "{layout}: body text knocks out: {run:?}");
            assert_eq!(run.opm, 1, "{layout}: overprint mode {run:?}");
        }
        assert!(
            runs.iter().any(|r| r.fill == [0.0, 0.0, 0.0, 1.0]),
            "{layout}: no text in 100 K"
        );
        // Everything in 100 K overprints, and nothing else does.
        for run in &runs {
            let k_only = run.fill == [0.0, 0.0, 0.0, 1.0];
            assert_eq!(run.overprint, k_only, "{layout}: {run:?}");
            // Rich black is for areas: no text in a dark neutral of four inks (but the
            // slug, a printer's mark, is in registration colour on every plate).
            let [c, m, y, k] = run.fill;
            let registration = run.fill == [1.0; 4];
            assert!(
                registration || !(c > 0.3 && m > 0.3 && y > 0.3 && k > 0.5),
                "{layout}: text in rich black {run:?}"
            );
        }
    }
}

#[test]
fn palette_colours_print_as_their_derived_builds() {
    // The flyer's navy band paints the profile's separation of #1f2a5c, not a typed build.
    let scratch = Scratch::new();
    let path = build_statewide(&scratch, "flyer-letter", &[]);
    let doc = Document::load(&path).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let content = Content::decode(&doc.get_page_content(page)).unwrap();
    let fills: Vec<[u8; 4]> = content
        .operations
        .iter()
        .filter(|op| op.operator == "k")
        .map(|op| {
            let v: Vec<f32> = op.operands.iter().map(|o| o.as_float().unwrap()).collect();
            [0, 1, 2, 3].map(|i| (v[i] * 100.0).round() as u8)
        })
        .collect();
    let press = IccProfile::default_print();
    let navy = press.press().unwrap().separate([0x1f, 0x2a, 0x5c]);
    assert!(fills.contains(&navy), "{navy:?} not in {fills:?}");
    assert!(
        !fills.contains(&[100, 85, 25, 20]),
        "the old hand-typed navy build is still painted"
    );
}

#[test]
fn a_pinned_build_is_painted_as_given() {
    // `cmyk = [...]` pins the build: the profile's separation does not replace it.
    let scratch = Scratch::new();
    scratch.edit(
        "layouts/flyer-letter.toml",
        r##"navy  = { rgb = "#1f2a5c" }"##,
        r##"navy  = { rgb = "#1f2a5c", cmyk = [100, 85, 25, 20] }"##,
    );
    let path = build_statewide(&scratch, "flyer-letter", &[]);
    let doc = Document::load(&path).unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    let content = Content::decode(&doc.get_page_content(page)).unwrap();
    // krilla writes 8-bit components: compare in whole percent.
    assert!(content.operations.iter().any(|op| {
        op.operator == "k"
            && op
                .operands
                .iter()
                .map(|o| (o.as_float().unwrap() * 100.0).round() as u8)
                .eq([100, 85, 25, 20])
    }));
}

#[test]
fn text_black_cannot_be_pinned_too() {
    let scratch = Scratch::new();
    scratch.edit(
        "layouts/flyer-letter.toml",
        r##"ink   = { rgb = "#222222", black = true }"##,
        r##"ink   = { rgb = "#222222", black = true, cmyk = [0, 0, 0, 87] }"##,
    );
    let output = scratch.run(&["check", "--county", "alameda"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(
        err.contains("colour `ink` is marked `black = true` but also gives a `cmyk` build"),
        "{err}"
    );
    assert!(err.contains("flyer-letter.toml:"), "{err}");
    assert!(err.contains("colors.ink.black"), "{err}");
}
