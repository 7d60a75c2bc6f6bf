//! Reference renders: each shipped layout for one county is rendered to PNG (hayro) and
//! compared with the committed image in tests/refs/ within a tolerance. On a mismatch the
//! render and a diff image are written to target/ref-diffs/. To accept a deliberate change:
//! `UPDATE_REFS=1 cargo test --test main reference::`.

use crate::common;

use broadside::batch::{Options, Session};
use image::{GenericImageView, Rgba, RgbaImage};

const DPI: f32 = 40.0;
/// Mean absolute difference per channel allowed, out of 255.
const MEAN_TOLERANCE: f64 = 1.0;
/// Share of pixels allowed to differ by more than 64 in any channel.
const PIXEL_TOLERANCE: f64 = 0.002;

#[test]
fn layouts_render_like_their_references() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    let repo = common::repo();
    let options = Options {
        counties: vec!["alameda".into()],
        year: Some(2027),
        ..Options::at(&repo)
    };
    let session = Session::load(&options).unwrap();
    let update = std::env::var_os("UPDATE_REFS").is_some();
    let diffs = repo.join("target/ref-diffs");
    let mut failures = Vec::new();
    // Every layout for one county, and the statewide flyer and poster in every shipped
    // language.
    let mut jobs = session.plan(&options).unwrap();
    let languages = Options {
        counties: vec!["statewide".into()],
        layout_names: vec!["flyer-letter".into(), "poster-18x24".into()],
        ..options.clone()
    };
    jobs.extend(session.plan(&languages).unwrap());
    assert_eq!(jobs.len(), 3 + 2 * 7);
    for job in jobs {
        let pdf = session.render(&job).unwrap();
        let pages = broadside::render::preview_png(pdf, DPI).unwrap();
        for (n, png) in pages.iter().enumerate() {
            let name = format!(
                "{}-{}-{}-{}.png",
                job.edition.slug,
                session.layouts[job.layout].name,
                job.edition.lang,
                n + 1
            );
            let reference = repo.join("tests/refs").join(&name);
            if update {
                std::fs::create_dir_all(reference.parent().unwrap()).unwrap();
                std::fs::write(&reference, png).unwrap();
                continue;
            }
            let expected = image::open(&reference).unwrap_or_else(|e| {
                panic!(
                    "{}: {e}; run UPDATE_REFS=1 cargo test --test main reference::",
                    reference.display()
                )
            });
            let actual = image::load_from_memory(png).unwrap();
            if let Err(why) = compare(&expected, &actual) {
                std::fs::create_dir_all(&diffs).unwrap();
                std::fs::write(diffs.join(&name), png).unwrap();
                if let Some(diff) = diff_image(&expected, &actual) {
                    diff.save(diffs.join(format!("diff-{name}"))).unwrap();
                }
                failures.push(format!("{name}: {why}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "renders differ from tests/refs (see target/ref-diffs):\n{}",
        failures.join("\n")
    );
}

fn compare(expected: &image::DynamicImage, actual: &image::DynamicImage) -> Result<(), String> {
    if expected.dimensions() != actual.dimensions() {
        return Err(format!(
            "size {:?} != {:?}",
            actual.dimensions(),
            expected.dimensions()
        ));
    }
    let (a, b) = (expected.to_rgba8(), actual.to_rgba8());
    let mut sum = 0u64;
    let mut far = 0usize;
    for (p, q) in a.pixels().zip(b.pixels()) {
        let d: Vec<u64> = (0..4).map(|i| u64::from(p[i].abs_diff(q[i]))).collect();
        sum += d.iter().sum::<u64>();
        if d.iter().any(|&x| x > 64) {
            far += 1;
        }
    }
    let pixels = (a.width() * a.height()) as f64;
    let mean = sum as f64 / (pixels * 4.0);
    let share = far as f64 / pixels;
    if mean > MEAN_TOLERANCE || share > PIXEL_TOLERANCE {
        return Err(format!(
            "mean difference {mean:.3}/255, {:.2}% of pixels far off",
            share * 100.0
        ));
    }
    Ok(())
}

/// Red where the images differ, faded grey elsewhere.
fn diff_image(expected: &image::DynamicImage, actual: &image::DynamicImage) -> Option<RgbaImage> {
    if expected.dimensions() != actual.dimensions() {
        return None;
    }
    let (a, b) = (expected.to_rgba8(), actual.to_rgba8());
    Some(RgbaImage::from_fn(a.width(), a.height(), |x, y| {
        let (p, q) = (a.get_pixel(x, y), b.get_pixel(x, y));
        if (0..3).any(|i| p[i].abs_diff(q[i]) > 32) {
            Rgba([255, 0, 0, 255])
        } else {
            let grey = 200 + (u16::from(p[0]) * 55 / 255) as u8;
            Rgba([grey, grey, grey, 255])
        }
    }))
}

#[test]
fn the_comparison_catches_a_real_change() {
    let white = image::DynamicImage::ImageRgba8(RgbaImage::from_pixel(
        100,
        100,
        Rgba([255, 255, 255, 255]),
    ));
    let mut marked = white.to_rgba8();
    for x in 0..20 {
        for y in 0..20 {
            marked.put_pixel(x, y, Rgba([0, 0, 0, 255]));
        }
    }
    assert!(compare(&white, &white).is_ok());
    assert!(compare(&white, &image::DynamicImage::ImageRgba8(marked)).is_err());
}
