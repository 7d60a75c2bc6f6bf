//! Print colour management with moxcms: palette colours and RGB images (a county's logo)
//! separated into CMYK through the print output profile, and printed CMYK proofed back to
//! CIELAB and sRGB, so print files match their screen twins and the preflight can measure
//! what the press will put down.
//!
//! Conventions: CMYK is in whole percent (what a printer reads on a proof, and what a
//! layout pins), Lab is CIELAB D50 (the ICC connection space), the rendering intent is
//! relative colorimetric (paper white is the page's white; in-gamut colours stay exact),
//! as the soft-proofing tools (LittleCMS, Acrobat's output preview) use for spot checks.

use crate::page::image::{ImageData, ImageFormat};
use crate::page::{Color, Document, Item};
use moxcms::{ColorProfile, Layout as Channels, RenderingIntent, TransformOptions};
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// CMYK percentages, 0–100 each.
pub type Cmyk = [u8; 4];
/// CIELAB D50: L* 0–100, a*, b*.
pub type Lab = [f32; 3];

/// 100 K alone: the build of text black, which overprints.
pub const TEXT_BLACK: Cmyk = [0, 0, 0, 100];

/// One output profile's conversions: sRGB → CMYK (the separation), CMYK → Lab and
/// CMYK → sRGB (the soft proof).
pub struct Press {
    to_cmyk: Arc<moxcms::TransformF64Executor>,
    /// CMYK → ProPhoto RGB, whose gamut holds every printable colour, so nothing is
    /// clipped on the way to Lab (moxcms has no CMYK → Lab transform).
    to_wide: Arc<moxcms::TransformF64Executor>,
    /// ProPhoto's primaries in XYZ D50 (the columns of its RGB → XYZ matrix).
    wide_primaries: [[f64; 3]; 3],
    to_rgb: Arc<moxcms::TransformF64Executor>,
    /// The most ink the profile's own separation puts down (its build of sRGB black), in
    /// percent: the profile's total ink limit, which derived builds keep to.
    pub max_ink: u16,
    /// Builds already derived, by screen colour: a document paints few colours many times.
    builds: Mutex<HashMap<[u8; 3], Cmyk>>,
    /// The output profile, for the pixel transforms images are separated with.
    profile: ColorProfile,
    /// Images already separated, by the SHA-256 of their file: a county's logo is placed
    /// in every print file of its edition. Bounded by [`SEPARATED_MEMO_BYTES`].
    images: Mutex<SeparatedMemo>,
}

/// Separated images by the SHA-256 of their file, and the bytes they hold.
type SeparatedMemo = (HashMap<[u8; 32], Arc<ImageData>>, usize);

/// The most separated pixels a [`Press`] remembers: past it, images are separated again
/// for each file rather than held (58 counties' logos must not pile up in memory).
const SEPARATED_MEMO_BYTES: usize = 32 << 20;

impl std::fmt::Debug for Press {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Press")
            .field("max_ink", &self.max_ink)
            .finish()
    }
}

impl Press {
    /// Reads a CMYK output profile's tables; `Err` says why moxcms cannot use them.
    pub fn new(icc: &[u8]) -> Result<Press, String> {
        let cmyk = ColorProfile::new_from_slice(icc)
            .map_err(|e| format!("its tables cannot be read for colour conversion: {e}"))?;
        let srgb = ColorProfile::new_srgb();
        let wide = ColorProfile::new_pro_photo_rgb();
        let options = TransformOptions {
            rendering_intent: RenderingIntent::RelativeColorimetric,
            // Palette colours are few: take the floating-point path for precision.
            prefer_fixed_point: false,
            ..TransformOptions::default()
        };
        let fail = |what: &str, e: moxcms::CmsError| {
            format!("it cannot convert {what} (relative colorimetric): {e}")
        };
        // moxcms carries four channels in its RGBA layout.
        let to_cmyk = srgb
            .create_transform_f64(Channels::Rgb, &cmyk, Channels::Rgba, options)
            .map_err(|e| fail("sRGB to CMYK", e))?;
        let to_wide = cmyk
            .create_transform_f64(Channels::Rgba, &wide, Channels::Rgb, options)
            .map_err(|e| fail("CMYK to ProPhoto RGB", e))?;
        let xyz = |c: moxcms::Xyzd| [c.x, c.y, c.z];
        let wide_primaries = [
            xyz(wide.red_colorant),
            xyz(wide.green_colorant),
            xyz(wide.blue_colorant),
        ];
        let to_rgb = cmyk
            .create_transform_f64(Channels::Rgba, &srgb, Channels::Rgb, options)
            .map_err(|e| fail("CMYK to sRGB", e))?;
        let mut press = Press {
            to_cmyk,
            to_wide,
            wide_primaries,
            to_rgb,
            max_ink: 400,
            builds: Mutex::default(),
            profile: cmyk,
            images: Mutex::default(),
        };
        let black = press.table_build([0, 0, 0]);
        press.max_ink = total_ink(black).max(100);
        Ok(press)
    }

    /// The profile's own separation of an sRGB colour (its B2A table), rounded to percent.
    fn table_build(&self, rgb: [u8; 3]) -> Cmyk {
        let src = rgb.map(|c| f64::from(c) / 255.0);
        let mut out = [0.0f64; 4];
        if self.to_cmyk.transform(&src, &mut out).is_err() {
            return [0, 0, 0, 100];
        }
        out.map(|v| (v * 100.0).round().clamp(0.0, 100.0) as u8)
    }

    /// The CMYK build of a screen colour: the profile's separation, refined against its
    /// forward (A2B) table so that the build proofs as close to the screen colour as the
    /// press allows. The profile's B2A table is coarse (its grid misses dark saturated
    /// colours such as a navy by ΔE 4 or so); the refinement starts from its build, keeps
    /// its total ink limit and moves one ink a percent at a time while that brings the
    /// proof closer, so the black generation stays near the profile's.
    pub fn separate(&self, rgb: [u8; 3]) -> Cmyk {
        if let Some(&known) = self
            .builds
            .lock()
            .expect("no panics under the lock")
            .get(&rgb)
        {
            return known;
        }
        let target = lab_of_srgb(rgb);
        let mut best = self.table_build(rgb);
        // Paper stays paper: no refinement can beat "no ink" for white, and a speck of
        // ink in a white panel would show.
        if rgb != [255, 255, 255] {
            let mut best_de = delta_e(target, self.lab(best));
            // Coordinate descent on whole percents; a few hundred steps at most.
            for _ in 0..400 {
                let mut improved = false;
                for channel in 0..4 {
                    for step in [-1i16, 1] {
                        let v = i16::from(best[channel]) + step;
                        if !(0..=100).contains(&v) {
                            continue;
                        }
                        let mut trial = best;
                        trial[channel] = v as u8;
                        if total_ink(trial) > self.max_ink {
                            continue;
                        }
                        let de = delta_e(target, self.lab(trial));
                        if de + 1e-4 < best_de {
                            (best, best_de, improved) = (trial, de, true);
                        }
                    }
                }
                if !improved {
                    break;
                }
            }
        }
        self.builds
            .lock()
            .expect("no panics under the lock")
            .insert(rgb, best);
        best
    }

    /// What a build prints as, in CIELAB D50 (relative to the paper).
    pub fn lab(&self, cmyk: Cmyk) -> Lab {
        let src = cmyk.map(|p| f64::from(p) / 100.0);
        let mut out = [0.0f64; 3];
        if self.to_wide.transform(&src, &mut out).is_err() {
            return [0.0; 3];
        }
        // ProPhoto: a pure 1.8 gamma, D50 primaries.
        let linear = out.map(|v| v.max(0.0).powf(1.8));
        let p = &self.wide_primaries;
        let xyz =
            [0, 1, 2].map(|i| p[0][i] * linear[0] + p[1][i] * linear[1] + p[2][i] * linear[2]);
        lab_of_xyz(xyz)
    }

    /// What a build prints as, on screen (sRGB, clipped to its gamut).
    pub fn proof(&self, cmyk: Cmyk) -> [u8; 3] {
        let src = cmyk.map(|p| f64::from(p) / 100.0);
        let mut out = [0.0f64; 3];
        if self.to_rgb.transform(&src, &mut out).is_err() {
            return [0, 0, 0];
        }
        out.map(|v| (v * 255.0).round().clamp(0.0, 255.0) as u8)
    }
}

/// Total ink (total area coverage) of a build, in percent.
pub fn total_ink(cmyk: Cmyk) -> u16 {
    cmyk.iter().map(|&p| u16::from(p)).sum()
}

/// CIE 1976 colour difference.
pub fn delta_e(a: Lab, b: Lab) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
}

/// CIELAB D50 of an sRGB colour: the sRGB curve, the sRGB primaries to XYZ D65, the
/// Bradford adaptation to D50 (as the ICC sRGB profile has it built in).
pub fn lab_of_srgb(rgb: [u8; 3]) -> Lab {
    let linear = rgb.map(|c| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    });
    // sRGB → XYZ D50 (the D65 matrix with Bradford adaptation folded in).
    const M: [[f64; 3]; 3] = [
        [0.436_074_7, 0.385_064_9, 0.143_080_4],
        [0.222_504_5, 0.716_878_6, 0.060_616_9],
        [0.013_932_2, 0.097_104_5, 0.714_173_3],
    ];
    lab_of_xyz(M.map(|row| row[0] * linear[0] + row[1] * linear[1] + row[2] * linear[2]))
}

/// CIELAB of XYZ, both relative to D50.
fn lab_of_xyz(xyz: [f64; 3]) -> Lab {
    const WHITE: [f64; 3] = [0.964_22, 1.0, 0.825_21];
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (
        f(xyz[0] / WHITE[0]),
        f(xyz[1] / WHITE[1]),
        f(xyz[2] / WHITE[2]),
    );
    [
        (116.0 * fy - 16.0) as f32,
        (500.0 * (fx - fy)) as f32,
        (200.0 * (fy - fz)) as f32,
    ]
}

/// How a palette colour prints: pinned by hand, text black, or derived from its screen
/// colour through the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Build {
    /// `cmyk = [...]` in the layout: the designer's (or the printer's) build, as given.
    Pinned(Cmyk),
    /// `black = true`: 100 K alone for text and rules (it overprints); large areas (fills)
    /// in the derived rich black.
    TextBlack,
    /// Neither: separated from `rgb` through the output profile.
    Derived,
}

/// A palette colour's build by the layout's rules: `black` names the palette colours the
/// layout marks `black = true` (`Layout::black`).
pub fn build_of(color: &Color, black: &BTreeSet<String>) -> Build {
    match color.cmyk {
        Some(cmyk) => Build::Pinned(cmyk),
        None if black.contains(&color.name) => Build::TextBlack,
        None => Build::Derived,
    }
}

impl Press {
    /// An RGB image (a county's PNG or JPEG logo) as CMYK pixels separated through the
    /// output profile — from the file's own ICC profile where it has an RGB one, else from
    /// sRGB, relative colorimetric like the palette — with its alpha kept beside them;
    /// `None` for an image that is already grey or CMYK, which prints as it is. Errors
    /// complete "image … cannot be separated: …".
    pub fn separate_image(&self, image: &ImageData) -> Result<Option<Arc<ImageData>>, String> {
        use sha2::Digest as _;
        if image.format == ImageFormat::Cmyk {
            return Ok(None);
        }
        let key = <[u8; 32]>::from(sha2::Sha256::digest(image.bytes.as_slice()));
        if let Some(known) = self.images.lock().ok().and_then(|m| m.0.get(&key).cloned()) {
            return Ok(Some(known));
        }
        let decoded =
            crate::page::image::decode_shown(&image.bytes, image.format, image.orientation);
        let (decoded, icc) = match decoded {
            Ok(decoded) => decoded,
            // A CMYK JPEG goes to the press as it is.
            Err(crate::page::image::Decode::CmykJpeg) => return Ok(None),
            Err(crate::page::image::Decode::Failed(why)) => return Err(why),
        };
        if !decoded.color().has_color() {
            return Ok(None); // grey prints in black alone
        }
        let source = icc
            .and_then(|icc| ColorProfile::new_from_slice(&icc).ok())
            .filter(|p| p.color_space == moxcms::DataColorSpace::Rgb)
            .unwrap_or_else(ColorProfile::new_srgb);
        let options = TransformOptions {
            rendering_intent: RenderingIntent::RelativeColorimetric,
            ..TransformOptions::default()
        };
        // moxcms carries the four inks in its RGBA layout.
        let transform = source
            .create_transform_8bit(Channels::Rgb, &self.profile, Channels::Rgba, options)
            .map_err(|e| format!("the output profile cannot separate its pixels ({e})"))?;
        let has_alpha = decoded.color().has_alpha();
        let rgba = decoded.into_rgba8();
        let (width, height) = rgba.dimensions();
        let pixels = rgba.into_raw();
        let rgb: Vec<u8> = pixels
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        let mut inks = vec![0u8; rgb.len() / 3 * 4];
        transform
            .transform(&rgb, &mut inks)
            .map_err(|e| format!("its pixels cannot be separated ({e})"))?;
        let alpha: Vec<u8> = pixels.chunks_exact(4).map(|p| p[3]).collect();
        let separated = Arc::new(ImageData {
            bytes: Arc::new(inks),
            format: ImageFormat::Cmyk,
            alpha: (has_alpha && alpha.iter().any(|&a| a < 255)).then(|| Arc::new(alpha)),
            width_px: width,
            height_px: height,
            orientation: 1,
        });
        if let Ok(mut memo) = self.images.lock() {
            let size = separated.bytes.len() + separated.alpha.as_ref().map_or(0, |a| a.len());
            if memo.1 + size <= SEPARATED_MEMO_BYTES {
                memo.1 += size;
                memo.0.insert(key, separated.clone());
            }
        }
        Ok(Some(separated))
    }
}

/// Gives every colour a print file paints its CMYK build: pinned builds stay, text black is
/// 100 K for text and rules, everything else is separated through `press`. Called on a
/// composed print document before the preflight looks at it and render paints it. `black`
/// names the layout's text-black colours (`Layout::black`).
pub fn separate_document(doc: &mut Document, black: &BTreeSet<String>, press: &Press) {
    // Small marks (text, rules, outlines) in text black print in K alone; areas get the
    // rich build, which covers solid where one ink alone would look grey.
    let build = |color: &mut Color, small: bool| {
        color.cmyk = Some(match build_of(color, black) {
            Build::Pinned(cmyk) => cmyk,
            Build::TextBlack if small => TEXT_BLACK,
            Build::TextBlack | Build::Derived => press.separate(color.rgb),
        });
    };
    for page in &mut doc.pages {
        Item::each_mut(&mut page.items, &mut |item| match item {
            Item::Shape { fill, stroke, .. } => {
                if let Some(fill) = fill {
                    build(fill, false);
                }
                if let Some((color, _)) = stroke {
                    build(color, true);
                }
            }
            Item::Line { color, .. } => build(color, true),
            Item::Text(run) => build(&mut run.color, true),
            // An RGB image is separated too; one that cannot be stays RGB, and the print
            // preflight says the shop converts it.
            Item::Image(placed) => {
                if let Ok(Some(separated)) = press.separate_image(&placed.image) {
                    placed.image = separated;
                }
            }
            Item::Link { .. } | Item::Group(_) => {}
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press() -> Press {
        Press::new(crate::pdfx::icc::DEFAULT_PROFILE).unwrap()
    }

    #[test]
    fn srgb_lab_matches_reference_values() {
        // ICC D50 values (LittleCMS agrees to 0.1).
        let white = lab_of_srgb([255, 255, 255]);
        assert!(delta_e(white, [100.0, 0.0, 0.0]) < 0.05, "{white:?}");
        let grey = lab_of_srgb([0x22, 0x22, 0x22]);
        assert!(
            (grey[0] - 13.3).abs() < 0.1 && grey[1].abs() < 0.1,
            "{grey:?}"
        );
        let red = lab_of_srgb([255, 0, 0]);
        assert!(delta_e(red, [54.3, 80.8, 69.9]) < 0.5, "{red:?}");
    }

    #[test]
    fn proofs_agree_with_littlecms() {
        // Reference values from LittleCMS 2 (Pillow ImageCms, relative colorimetric) on each
        // bundled profile: 100 K and 100/85/25/20 (8-bit Lab, so within 1 ΔE).
        for (profile, black, blue) in [
            ("GRACoL", [16.5, 0.0, 0.0], [26.3, 1.0, -29.0]),
            ("FOGRA39", [17.3, 0.0, 1.0], [26.7, 4.0, -31.0]),
        ] {
            let bytes = crate::pdfx::icc::BUNDLED
                .iter()
                .find(|b| b.name == profile)
                .unwrap()
                .bytes;
            let p = Press::new(bytes).unwrap();
            let k = p.lab(TEXT_BLACK);
            assert!(delta_e(k, black) < 1.0, "{profile}: {k:?}");
            let navy = p.lab([100, 85, 25, 20]);
            assert!(delta_e(navy, blue) < 1.5, "{profile}: {navy:?}");
            let paper = p.lab([0, 0, 0, 0]);
            assert!(delta_e(paper, [100.0, 0.0, 0.0]) < 0.5, "{paper:?}");
            assert_eq!(p.proof([0, 0, 0, 0]), [255, 255, 255]);
        }
    }

    #[test]
    fn separations_proof_back_to_their_screen_colour() {
        let p = press();
        for rgb in [[0x22, 0x22, 0x22], [0x55, 0x5b, 0x6e], [0xee, 0xf1, 0xf8]] {
            let cmyk = p.separate(rgb);
            let de = delta_e(lab_of_srgb(rgb), p.lab(cmyk));
            assert!(de < 2.0, "{rgb:?} → {cmyk:?}: ΔE {de}");
            assert!(total_ink(cmyk) <= p.max_ink);
        }
        assert_eq!(p.separate([255, 255, 255]), [0, 0, 0, 0]);
        assert!((280..=340).contains(&p.max_ink), "{}", p.max_ink);
    }
}
