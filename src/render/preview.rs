//! Previews: PDF pages drawn as PNG with hayro (`preview`, the live preview, proof sheets).

use crate::diag::Diagnostic;

/// The highest `preview --dpi`: print resolution, more than a screen preview needs.
pub const MAX_PREVIEW_DPI: f32 = 600.0;
/// The most pixels of one preview page (200 MB as RGBA): an 18×24 in poster at 340 dpi.
pub const MAX_PREVIEW_PIXELS: f64 = 50e6;

/// Renders every page of a PDF to PNG bytes at `dpi`, on white.
pub fn preview_png(pdf_bytes: Vec<u8>, dpi: f32) -> Result<Vec<Vec<u8>>, Diagnostic> {
    if !dpi.is_finite() || !(1.0..=MAX_PREVIEW_DPI).contains(&dpi) {
        return Err(Diagnostic::error(format!(
            "the preview resolution must be 1 to {MAX_PREVIEW_DPI} dpi, got {dpi}"
        ))
        .field("--dpi"));
    }
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    let pdf = Pdf::new(pdf_bytes)
        .map_err(|e| Diagnostic::error(format!("cannot read PDF for preview: {e:?}")))?;
    let cache = hayro::RenderCache::new();
    let scale = dpi / 72.0;
    let settings = hayro::RenderSettings {
        x_scale: scale,
        y_scale: scale,
        bg_color: WHITE,
        ..hayro::RenderSettings::default()
    };
    pdf.pages()
        .iter()
        .map(|page| {
            let (w, h) = page.render_dimensions();
            let pixels = f64::from(w * scale) * f64::from(h * scale);
            if !pixels.is_finite() || pixels > MAX_PREVIEW_PIXELS {
                let most = (MAX_PREVIEW_PIXELS / (f64::from(w) * f64::from(h))).sqrt() * 72.0;
                return Err(Diagnostic::error(format!(
                    "a {:.1} × {:.1} in page at {dpi} dpi is {:.0} million pixels, more than the {:.0} million a preview may have; use --dpi {:.0} or less",
                    w / 72.0,
                    h / 72.0,
                    pixels / 1e6,
                    MAX_PREVIEW_PIXELS / 1e6,
                    most.floor()
                ))
                .field("--dpi"));
            }
            let pixmap = hayro::render(
                page,
                &cache,
                &InterpreterSettings::default(),
                &settings,
            );
            pixmap
                .into_png()
                .map_err(|e| Diagnostic::error(format!("cannot encode PNG: {e:?}")))
        })
        .collect()
}
