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
                // A standard query names hayro's stand-in (Helvetica-Bold for any bold
                // sans), not the document's font; a fallback query names the document's.
                let name = match query {
                    FontQuery::Standard(font) => format!(
                        "a font of this document (the previewer's stand-in would be `{}`)",
                        font.postscript_name()
                    ),
                    FontQuery::Fallback(font) => font
                        .post_script_name
                        .clone()
                        .or_else(|| font.font_name.clone())
                        .map_or_else(
                            || "a font of this document".to_string(),
                            |name| format!("font `{name}`"),
                        ),
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
        .enumerate()
        .map(|(index, page)| {
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
                    "the preview of page {} cannot draw {font}: the previewer cannot read it, so its text would be missing from the picture",
                    index + 1
                ))
                .hint("build the PDF (`broadside build`) and open it in a PDF reader; if the text is missing there too, replace the font file"));
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

    /// A one-page PDF that sets "Hello" in `font`, a font dictionary made by `make_font`.
    fn pdf_with_font(make_font: impl FnOnce(&mut Document) -> Object) -> Vec<u8> {
        let mut doc = Document::with_version("1.7");
        let pages_id = doc.new_object_id();
        let font = make_font(&mut doc);
        let font = doc.add_object(font);
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"BT /F1 24 Tf 72 720 Td <00010002> Tj (Hello) Tj ET".to_vec(),
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
    fn an_unembedded_standard_font_refuses_the_preview() {
        let pdf = pdf_with_font(|_| {
            Object::Dictionary(dictionary! {
                "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            })
        });
        let err = preview_png(pdf, 30.0).unwrap_err();
        assert!(err.message.contains("page 1"), "{err:?}");
        assert!(
            err.message.contains("stand-in would be `Helvetica`"),
            "{err:?}"
        );
        assert!(err.message.contains("text would be missing"), "{err:?}");
    }

    /// Our case: a Type0 font (as krilla writes them) whose embedded TrueType program the
    /// previewer cannot read. The preview names the document's font.
    #[test]
    fn an_unreadable_embedded_font_refuses_the_preview_naming_it() {
        let pdf = pdf_with_font(|doc| {
            let program =
                doc.add_object(Stream::new(dictionary! {}, b"not a font program".to_vec()));
            let descriptor = doc.add_object(dictionary! {
                "Type" => "FontDescriptor",
                "FontName" => "ABCDEF+Oswald-Bold",
                "Flags" => 32,
                "FontBBox" => vec![0.into(), 0.into(), 1000.into(), 1000.into()],
                "ItalicAngle" => 0, "Ascent" => 800, "Descent" => -200,
                "CapHeight" => 700, "StemV" => 80,
                "FontFile2" => program,
            });
            let cid_font = doc.add_object(dictionary! {
                "Type" => "Font", "Subtype" => "CIDFontType2",
                "BaseFont" => "ABCDEF+Oswald-Bold",
                "CIDSystemInfo" => dictionary! {
                    "Registry" => Object::string_literal("Adobe"),
                    "Ordering" => Object::string_literal("Identity"),
                    "Supplement" => 0,
                },
                "FontDescriptor" => descriptor,
                "CIDToGIDMap" => "Identity",
            });
            Object::Dictionary(dictionary! {
                "Type" => "Font", "Subtype" => "Type0",
                "BaseFont" => "ABCDEF+Oswald-Bold",
                "Encoding" => "Identity-H",
                "DescendantFonts" => vec![cid_font.into()],
            })
        });
        let err = preview_png(pdf, 30.0).unwrap_err();
        assert!(err.message.contains("page 1"), "{err:?}");
        assert!(err.message.contains("font `Oswald-Bold`"), "{err:?}");
    }
}
