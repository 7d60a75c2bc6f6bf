//! Print mode (`build --print`): page boxes, crop marks and slug, and colour painted in
//! DeviceCMYK from the palette — read back with lopdf.

use crate::common::{Scratch, pdf_text, stderr};
use lopdf::Document;
use lopdf::content::Content;

fn rect(doc: &Document, page: lopdf::ObjectId, key: &[u8]) -> [f32; 4] {
    let dict = doc.get_dictionary(page).unwrap();
    let array = dict
        .get(key)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(key)))
        .as_array()
        .unwrap();
    let n = |i: usize| array[i].as_float().unwrap();
    [n(0), n(1), n(2), n(3)]
}

fn contains(outer: [f32; 4], inner: [f32; 4]) -> bool {
    outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3]
}

/// Every colour operator of every page's content: (operator, operands).
fn colour_ops(doc: &Document) -> Vec<(String, Vec<f32>)> {
    let mut ops = Vec::new();
    for &page in doc.get_pages().values() {
        let content = Content::decode(&doc.get_page_content(page)).unwrap();
        for op in content.operations {
            if matches!(
                op.operator.as_str(),
                "rg" | "RG" | "k" | "K" | "g" | "G" | "sc" | "scn" | "SC" | "SCN" | "cs" | "CS"
            ) {
                let operands = op
                    .operands
                    .iter()
                    .filter_map(|o| o.as_float().ok())
                    .collect();
                ops.push((op.operator.clone(), operands));
            }
        }
    }
    ops
}

#[test]
fn print_pages_have_bleed_and_trim_boxes_marks_and_cmyk_only() {
    let scratch = Scratch::new();
    let output = scratch.run(&["build", "--print", "--county", "alameda", "--year", "2027"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let dir = scratch
        .path()
        .join("out/2027/trafficking-prevention/alameda");
    let bleed = 9.0; // every shipped layout has a 0.125 in bleed
    for (layout, (w, h)) in [
        ("flyer-letter", (612.0, 792.0)),
        ("poster-18x24", (1296.0, 1728.0)),
        ("factsheet-letter", (612.0, 792.0)),
    ] {
        let path = dir.join(format!("{layout}.print.pdf"));
        let doc = Document::load(&path).unwrap();
        for (&number, &page) in &doc.get_pages() {
            let media = rect(&doc, page, b"MediaBox");
            let bleed_box = rect(&doc, page, b"BleedBox");
            let trim = rect(&doc, page, b"TrimBox");
            assert!(
                contains(media, bleed_box) && contains(bleed_box, trim),
                "{layout} page {number}: {media:?} {bleed_box:?} {trim:?}"
            );
            assert!(
                ((trim[2] - trim[0]) - w).abs() < 0.01 && ((trim[3] - trim[1]) - h).abs() < 0.01,
                "{layout}: trim {trim:?}"
            );
            for i in 0..2 {
                assert!(
                    (trim[i] - bleed_box[i] - bleed).abs() < 0.01,
                    "{layout}: bleed {bleed_box:?} around {trim:?}"
                );
                assert!((bleed_box[i + 2] - trim[i + 2] - bleed).abs() < 0.01);
            }
            assert!(
                media[0] < bleed_box[0] - 20.0,
                "room for crop marks outside the bleed"
            );
        }
        // Only CMYK (and the registration colour of the marks) is painted.
        let ops = colour_ops(&doc);
        assert!(!ops.is_empty());
        assert!(
            ops.iter().all(|(op, _)| op == "k" || op == "K"),
            "{layout}: {:?}",
            ops.iter().find(|(op, _)| op != "k" && op != "K")
        );
        // The palette's navy, separated through the bundled profile, is painted exactly
        // (to 8 bits, as krilla writes it).
        let navy = broadside::pdfx::IccProfile::default_print()
            .press()
            .unwrap()
            .separate([0x1f, 0x2a, 0x5c])
            .map(|p| f32::from((u16::from(p) * 255 / 100) as u8) / 255.0);
        assert!(
            ops.iter().any(
                |(_, v)| v.len() == 4 && v.iter().zip(navy).all(|(a, b)| (a - b).abs() < 0.003)
            ),
            "{layout}: navy not painted in CMYK"
        );
        assert!(
            ops.iter()
                .any(|(op, v)| op == "K" && v == &vec![1.0, 1.0, 1.0, 1.0]),
            "{layout}: crop marks in registration"
        );
        let text = pdf_text(&path);
        assert!(
            text.contains(&format!(
                "trafficking-prevention · alameda · en · {layout} · 2027 · page 1 of"
            )),
            "{layout}: {text}"
        );
    }
    // Screen files are untouched by print mode: they are separate files.
    assert!(!dir.join("flyer-letter.pdf").exists());
}

#[test]
fn screen_pages_stay_trim_sized_and_rgb() {
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
    assert!(output.status.success());
    let doc = Document::load(
        scratch
            .path()
            .join("out/2027/trafficking-prevention/alameda/flyer-letter.pdf"),
    )
    .unwrap();
    let page = *doc.get_pages().values().next().unwrap();
    assert_eq!(rect(&doc, page, b"MediaBox"), [0.0, 0.0, 612.0, 792.0]);
    assert!(doc.get_dictionary(page).unwrap().get(b"TrimBox").is_err());
    assert!(
        colour_ops(&doc)
            .iter()
            .all(|(op, _)| op == "rg" || op == "RG")
    );
}

/// The soft proof (`softproof.py` in the shared tools) pairs a screen file's colour
/// operators with its print file's one by one, in order: the screen file's lean steps
/// (joined text objects) must keep every one of them. The Arabic poster is where krilla
/// writes a mixed-script line differently in the two files.
#[test]
fn screen_and_print_files_set_the_same_colours_in_the_same_order() {
    let scratch = Scratch::new();
    let args = [
        "build",
        "--county",
        "statewide",
        "--lang",
        "ar",
        "--layout",
        "poster-18x24",
        "--year",
        "2027",
    ];
    for print in [false, true] {
        let mut args = args.to_vec();
        if print {
            args.push("--print");
        }
        let output = scratch.run(&args);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let dir = scratch
        .path()
        .join("out/2027/trafficking-prevention/statewide");
    let screen = colour_ops(&Document::load(dir.join("poster-18x24.ar.pdf")).unwrap());
    let print: Vec<_> = colour_ops(&Document::load(dir.join("poster-18x24.ar.print.pdf")).unwrap())
        .into_iter()
        // The marks and slug, in registration, are the print file's own.
        .filter(|(_, v)| v != &vec![1.0, 1.0, 1.0, 1.0])
        .collect();
    assert!(!screen.is_empty());
    assert_eq!(screen.len(), print.len());
    for ((s, _), (p, _)) in screen.iter().zip(&print) {
        // Fill with fill, stroke with stroke.
        assert_eq!(s == "rg", p == "k", "{s} against {p}");
    }
}
