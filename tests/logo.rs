//! County logos finer than 1200 ppi where they land (issue 11): downsampled to 1200 ppi at
//! their placed size, their ICC profile kept, the print file still PDF/X-4, the same bytes
//! on every build. The big logos are generated here, never committed.

use crate::common::{Scratch, stderr};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object};
use std::path::Path;

/// The most pixels across an image placed `points` wide may have at 1200 ppi.
pub fn most_at_1200_ppi(points: f32) -> u32 {
    // A hundredth of a pixel of slack for the placed width's rounding in the content stream.
    (1200.0 * points / 72.0 + 0.01).floor() as u32
}

/// An image XObject drawn on a page: its pixels, where it lands and its colour space.
#[derive(Debug)]
pub struct Drawn {
    pub width_px: u32,
    pub height_px: u32,
    /// The placed size in points (the current transformation's unit square).
    pub width_pt: f32,
    pub height_pt: f32,
    /// The colour space's family (`ICCBased`, `DeviceGray`, …) and, for an ICC-based
    /// space, the profile's bytes.
    pub space: String,
    pub icc: Option<Vec<u8>>,
}

type Matrix = [f32; 6];

fn times(m: Matrix, n: Matrix) -> Matrix {
    [
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    ]
}

fn matrix(objects: &[Object]) -> Matrix {
    let v: Vec<f32> = objects.iter().map(|o| o.as_float().unwrap()).collect();
    [v[0], v[1], v[2], v[3], v[4], v[5]]
}

fn resolve<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    doc.dereference(object).unwrap().1
}

/// Every image drawn in a PDF, following form XObjects, each with its placed size.
pub fn drawn_images(path: &Path) -> Vec<Drawn> {
    let doc = Document::load(path).unwrap();
    let mut out = Vec::new();
    for (_, page) in doc.get_pages() {
        let content = doc.get_and_decode_page_content(page).unwrap();
        let page = doc.get_dictionary(page).unwrap();
        let resources = resolve(&doc, page.get(b"Resources").unwrap())
            .as_dict()
            .unwrap();
        walk(
            &doc,
            &content,
            resources,
            [1., 0., 0., 1., 0., 0.],
            &mut out,
        );
    }
    out
}

fn walk(
    doc: &Document,
    content: &Content,
    resources: &Dictionary,
    start: Matrix,
    out: &mut Vec<Drawn>,
) {
    let mut ctm = start;
    let mut saved = Vec::new();
    for op in &content.operations {
        match op.operator.as_str() {
            "q" => saved.push(ctm),
            "Q" => ctm = saved.pop().unwrap(),
            "cm" => ctm = times(matrix(&op.operands), ctm),
            "Do" => {
                let name = op.operands[0].as_name().unwrap();
                let xobjects = resolve(doc, resources.get(b"XObject").unwrap())
                    .as_dict()
                    .unwrap();
                let stream = resolve(doc, xobjects.get(name).unwrap())
                    .as_stream()
                    .unwrap();
                let kind = stream.dict.get(b"Subtype").unwrap().as_name().unwrap();
                if kind == b"Form" {
                    let inner = stream
                        .dict
                        .get(b"Matrix")
                        .map(|m| matrix(m.as_array().unwrap()))
                        .unwrap_or([1., 0., 0., 1., 0., 0.]);
                    let own = stream
                        .dict
                        .get(b"Resources")
                        .map(|r| resolve(doc, r).as_dict().unwrap())
                        .unwrap_or(resources);
                    let content = Content::decode(
                        &stream
                            .decompressed_content()
                            .unwrap_or_else(|_| stream.content.clone()),
                    )
                    .unwrap();
                    walk(doc, &content, own, times(inner, ctm), out);
                } else {
                    let number = |key: &[u8]| stream.dict.get(key).unwrap().as_i64().unwrap();
                    let space = resolve(doc, stream.dict.get(b"ColorSpace").unwrap());
                    let (space, icc) = match space {
                        Object::Array(a) => {
                            let family = String::from_utf8_lossy(a[0].as_name().unwrap());
                            let icc = (family == "ICCBased").then(|| {
                                resolve(doc, &a[1])
                                    .as_stream()
                                    .unwrap()
                                    .decompressed_content()
                                    .unwrap()
                            });
                            (family.into_owned(), icc)
                        }
                        other => (
                            String::from_utf8_lossy(other.as_name().unwrap()).into_owned(),
                            None,
                        ),
                    };
                    out.push(Drawn {
                        width_px: number(b"Width") as u32,
                        height_px: number(b"Height") as u32,
                        width_pt: ctm[0].hypot(ctm[1]),
                        height_pt: ctm[2].hypot(ctm[3]),
                        space,
                        icc,
                    });
                }
            }
            _ => {}
        }
    }
}

/// A Display P3 profile (not sRGB, so a profile in the PDF can only have come from the
/// logo), marked ICC v4.0: the PDF writer leaves out a profile newer than the file's PDF
/// version takes (4.1 for the print files' PDF 1.6, 4.2 for PDF 1.7; moxcms writes 4.3),
/// from the county's own file as from a resampled one.
fn display_p3() -> Vec<u8> {
    let mut icc = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    icc[8..12].copy_from_slice(&[4, 0, 0, 0]);
    icc[84..100].fill(0); // no profile ID: it would no longer match
    icc
}

/// A `side` × `side` seal: an RGBA PNG, a disc of stripes on a transparent ground, tagged
/// with `icc`.
pub fn seal_png(side: u32, icc: Option<Vec<u8>>) -> Vec<u8> {
    use image::ImageEncoder;
    let c = side as f32 / 2.0;
    let pixels = image::RgbaImage::from_fn(side, side, |x, y| {
        let r = (x as f32 + 0.5 - c).hypot(y as f32 + 0.5 - c) / c;
        if r > 1.0 {
            image::Rgba([0, 0, 0, 0])
        } else if r > 0.88 {
            image::Rgba([200, 160, 40, 255])
        } else if ((x + y) / (side / 24).max(1)).is_multiple_of(2) {
            image::Rgba([
                (40 + 60 * x / side) as u8,
                50,
                (90 + 80 * y / side) as u8,
                255,
            ])
        } else {
            image::Rgba([230, 230, 230, 255])
        }
    });
    let mut png = Vec::new();
    let mut encoder = image::codecs::png::PngEncoder::new(&mut png);
    if let Some(icc) = icc {
        encoder.set_icc_profile(icc).unwrap();
    }
    encoder
        .write_image(&pixels, side, side, image::ExtendedColorType::Rgba8)
        .unwrap();
    png
}

/// Gives Alameda `bytes` as its logo, `logos/<name>`.
fn alameda_logo(scratch: &Scratch, name: &str, bytes: &[u8]) {
    let dir = scratch.campaign().join("logos");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(name), bytes).unwrap();
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "Alameda,Oakland,en,,,,,",
        &format!("Alameda,Oakland,en,,,,logos/{name},Alameda County seal"),
    );
}

/// Runs `command` on Alameda's English flyer, the one document these tests build or check.
fn run_flyer(scratch: &Scratch, command: &str, extra: &[&str]) -> std::process::Output {
    scratch.run_alameda_flyer(command, extra)
}

fn build_flyer(scratch: &Scratch, extra: &[&str]) -> std::process::Output {
    run_flyer(scratch, "build", extra)
}

/// The one image drawn in a PDF with a soft mask's partner left out: the logo's colour.
fn the_logo(path: &Path) -> Drawn {
    let mut images = drawn_images(path);
    images.retain(|d| d.space != "DeviceGray" || d.icc.is_some());
    assert_eq!(images.len(), 1, "{images:?}");
    images.pop().unwrap()
}

#[test]
fn a_2400_px_logo_in_the_flyer_is_downsampled_to_1200_ppi_with_its_icc_profile() {
    let scratch = Scratch::new();
    let p3 = display_p3();
    alameda_logo(&scratch, "seal.png", &seal_png(2400, Some(p3.clone())));
    let check = run_flyer(&scratch, "check", &[]);
    assert!(check.status.success(), "{}", stderr(&check));
    let build = build_flyer(&scratch, &[]);
    assert!(build.status.success(), "{}", stderr(&build));
    assert!(!stderr(&build).contains("error"), "{}", stderr(&build));
    let pdf = scratch
        .path()
        .join("out/2027/trafficking-prevention/alameda/flyer-letter.pdf");
    let logo = the_logo(&pdf);
    // Under an inch wide: 2400 px would be far above 1200 ppi.
    assert!(logo.width_pt < 72.0 && logo.width_pt > 18.0, "{logo:?}");
    let most = most_at_1200_ppi(logo.width_pt);
    assert!(logo.width_px <= most, "{logo:?}: at most {most} px");
    // Resampled to the cap, not below it; the aspect kept.
    assert!(logo.width_px + 2 >= most, "{logo:?}: {most} px allowed");
    assert_eq!(logo.width_px, logo.height_px, "{logo:?}");
    assert!(
        logo.height_px <= most_at_1200_ppi(logo.height_pt),
        "{logo:?}"
    );
    // The seal's own profile, byte for byte, with its transparency.
    assert_eq!(logo.space, "ICCBased");
    assert!(
        logo.icc.as_ref() == Some(&p3),
        "the logo's ICC profile is lost"
    );
    let doc = Document::load(&pdf).unwrap();
    let masked = doc.objects.values().any(|o| {
        o.as_stream()
            .is_ok_and(|s| s.dict.has(b"SMask") && s.dict.get(b"Width").is_ok())
    });
    assert!(masked, "the seal's transparency is lost");
}

#[test]
fn a_logo_at_or_below_1200_ppi_is_embedded_as_it_is() {
    // 200 px of an inch-wide tile: well under the cap, so the file's own pixels go in.
    let scratch = Scratch::new();
    alameda_logo(&scratch, "seal.png", &seal_png(200, None));
    let build = build_flyer(&scratch, &[]);
    assert!(build.status.success(), "{}", stderr(&build));
    let logo = the_logo(
        &scratch
            .path()
            .join("out/2027/trafficking-prevention/alameda/flyer-letter.pdf"),
    );
    assert_eq!((logo.width_px, logo.height_px), (200, 200), "{logo:?}");
}

#[test]
fn the_print_flyer_with_a_downsampled_logo_is_pdfx4_and_rebuilds_identically() {
    let scratch = Scratch::new();
    let p3 = display_p3();
    alameda_logo(&scratch, "seal.png", &seal_png(2400, Some(p3.clone())));
    let build = |out: &str| {
        let output = build_flyer(&scratch, &["--print", "--out", out]);
        assert!(output.status.success(), "{}", stderr(&output));
        scratch
            .path()
            .join(out)
            .join("2027/trafficking-prevention/alameda/flyer-letter.print.pdf")
    };
    let (first, second) = (build("a"), build("b"));
    crate::pdfx::assert_pdfx4(&first);
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap(),
        "the print flyer differs between two builds"
    );
    let logo = the_logo(&first);
    assert!(logo.width_px <= most_at_1200_ppi(logo.width_pt), "{logo:?}");
    // Separated for the press (its P3 profile read on the way): CMYK, no profile of its own.
    assert_eq!(logo.space, "DeviceCMYK", "{logo:?}");
    assert!(logo.icc.is_none(), "{logo:?}");
    // The press's RIP renders the image at its own resolution: no smoothing asked for.
    let doc = Document::load(&first).unwrap();
    assert!(
        doc.objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .all(|stream| !matches!(stream.dict.get(b"Interpolate"), Ok(Object::Boolean(true)))),
        "an image asks to be interpolated in a print file"
    );
}

#[test]
fn a_county_s_rgb_logo_prints_in_cmyk_separated_through_the_output_profile() {
    // An untagged (sRGB) seal: the screen file keeps its RGB pixels; the print file has
    // them separated through the output profile, so the shop gets the inks the proof shows
    // and its transparency still masks the tile.
    let scratch = Scratch::new();
    alameda_logo(&scratch, "seal.png", &seal_png(200, None));
    let output = build_flyer(&scratch, &["--print"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        !stderr(&output).contains("converts it to CMYK"),
        "{}",
        stderr(&output)
    );
    let out = scratch
        .path()
        .join("out/2027/trafficking-prevention/alameda");
    let print = out.join("flyer-letter.print.pdf");
    let logo = the_logo(&print);
    assert_eq!(logo.space, "DeviceCMYK", "{logo:?}");
    assert_eq!((logo.width_px, logo.height_px), (200, 200), "{logo:?}");
    crate::pdfx::assert_pdfx4(&print);

    // The seal's gold rim, separated: its proof through the profile is the screen gold.
    let doc = Document::load(&print).unwrap();
    let image = doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .find(|s| {
            s.dict
                .get(b"ColorSpace")
                .ok()
                .and_then(|c| c.as_name().ok())
                == Some(b"DeviceCMYK")
                && s.dict.get(b"Width").is_ok()
        })
        .expect("a CMYK image");
    assert!(image.dict.has(b"SMask"), "the seal's transparency is lost");
    let inks = image.decompressed_content().unwrap();
    assert_eq!(inks.len(), 200 * 200 * 4);
    let at = (4 * 200 + 100) * 4; // row 4, the middle: on the rim
    let cmyk: [u8; 4] =
        std::array::from_fn(|i| (f32::from(inks[at + i]) * 100.0 / 255.0).round() as u8);
    let press = broadside::color::Press::new(broadside::pdfx::icc::DEFAULT_PROFILE).unwrap();
    let de = broadside::color::delta_e(
        press.lab(cmyk),
        broadside::color::lab_of_srgb([200, 160, 40]),
    );
    assert!(
        de < 4.0,
        "the rim separates to {cmyk:?}, ΔE76 {de:.1} from its screen gold"
    );

    // The screen file keeps the county's RGB pixels.
    let output = build_flyer(&scratch, &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let screen = the_logo(&out.join("flyer-letter.pdf"));
    assert_ne!(screen.space, "DeviceCMYK", "{screen:?}");
}

#[test]
fn the_archive_flyer_with_a_downsampled_logo_is_pdfa() {
    // krilla's PDF/A-2a validator refused any logo here: images asked the reader to
    // interpolate them, which PDF/A forbids. Archival files now ask for none.
    let scratch = Scratch::new();
    let p3 = display_p3();
    alameda_logo(&scratch, "seal.png", &seal_png(2400, Some(p3.clone())));
    let output = build_flyer(&scratch, &["--archive"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let pdf = scratch
        .path()
        .join("out/2027/trafficking-prevention/alameda/flyer-letter.archive.pdf");
    let logo = the_logo(&pdf);
    assert!(logo.width_px <= most_at_1200_ppi(logo.width_pt), "{logo:?}");
    assert!(
        logo.icc.as_ref() == Some(&p3),
        "the logo's ICC profile is lost"
    );
    let doc = Document::load(&pdf).unwrap();
    for object in doc.objects.values() {
        if let Ok(stream) = object.as_stream() {
            assert!(
                !matches!(stream.dict.get(b"Interpolate"), Ok(Object::Boolean(true))),
                "an image asks to be interpolated in a PDF/A file"
            );
        }
    }
}
