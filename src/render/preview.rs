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
    use hayro::hayro_interpret::font::FontQuery;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    use std::sync::{Arc, Mutex};
    let pdf = Pdf::new(pdf_bytes)
        .map_err(|e| Diagnostic::error(format!("cannot read PDF for preview: {e:?}")))?;
    // Our PDFs embed every font, so hayro asks this resolver only for a font it could not
    // read from the file. It has no fonts to give (its bundled standard fonts are left out,
    // see Cargo.toml): the font's name is kept and the preview refused, rather than drawn
    // without that text.
    let unreadable: Arc<Mutex<Option<String>>> = Arc::default();
    let interpreter = InterpreterSettings {
        font_resolver: {
            let unreadable = unreadable.clone();
            Arc::new(move |query| {
                let name = match query {
                    FontQuery::Standard(font) => font.postscript_name().to_string(),
                    FontQuery::Fallback(font) => font
                        .post_script_name
                        .clone()
                        .or_else(|| font.font_name.clone())
                        .unwrap_or_else(|| "(unnamed)".to_string()),
                };
                if let Ok(mut first) = unreadable.lock() {
                    first.get_or_insert(name);
                }
                None
            })
        },
        ..InterpreterSettings::default()
    };
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
            let pixmap = hayro::render(page, &cache, &interpreter, &settings);
            if let Some(font) = unreadable.lock().ok().and_then(|mut name| name.take()) {
                return Err(Diagnostic::error(format!(
                    "the preview cannot draw font `{font}`: it is not embedded in the PDF, or the previewer cannot read it, so its text would be missing from the picture"
                ))
                .hint("the PDF itself is unaffected: open it in a PDF reader to see the page"));
            }
            pixmap
                .into_png()
                .map_err(|e| Diagnostic::error(format!("cannot encode PNG: {e:?}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Document, Object, Stream, dictionary};

    /// A one-page PDF that sets "Hello" in Helvetica without embedding it.
    fn pdf_with_unembedded_font() -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        });
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 24 Tf 72 720 Td (Hello) Tj ET".to_vec(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Contents" => content,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        bytes
    }

    #[test]
    fn a_font_the_previewer_cannot_read_refuses_the_preview_naming_it() {
        let err = preview_png(pdf_with_unembedded_font(), 30.0).unwrap_err();
        assert!(err.message.contains("font `Helvetica`"), "{err:?}");
        assert!(err.message.contains("text would be missing"), "{err:?}");
    }
}
