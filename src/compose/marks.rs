//! Print furniture: crop marks at the trim corners outside the bleed, and a slug line
//! naming the document, for print-mode PDFs; and the one-line labels that tiles and proof
//! sheets carry. Placed in trim coordinates, outside the
//! trim; render grows the page to show them.

use super::text;
use super::{Document, GlyphRun, Item, PrintSetup};
use crate::fonts::FontBook;
use crate::page::Color;
use crate::units::Pt;

/// Gap between the bleed edge and a crop mark, and the mark's length, in points.
const MARK_GAP: Pt = Pt(3.0);
const MARK_LENGTH: Pt = Pt(15.0);
/// Hairline-safe mark width (0.25 pt is the thinnest a press reliably holds).
const MARK_WIDTH: Pt = Pt(0.25);
const SLUG_SIZE: Pt = Pt(6.0);

/// Printed on every separation, so marks show on each plate.
fn registration() -> Color {
    Color {
        name: "registration".into(),
        rgb: [0, 0, 0],
        cmyk: Some([100, 100, 100, 100]),
        spot: None,
    }
}

/// Adds crop marks and a slug line (`slug` + page number) to every page and records the
/// print geometry the renderer needs.
pub fn add_print_marks(doc: &mut Document, bleed: Pt, slug: &str, fonts: &FontBook) {
    let offset = bleed + MARK_GAP + MARK_LENGTH + Pt(9.0);
    doc.print = Some(PrintSetup { bleed, offset });
    let pages = doc.pages.len();
    for (n, page) in doc.pages.iter_mut().enumerate() {
        let (w, h) = (page.width, page.height);
        let near = bleed + MARK_GAP;
        let far = near + MARK_LENGTH;
        for (x, y, sx, sy) in [
            (Pt::ZERO, Pt::ZERO, -1.0, -1.0),
            (w, Pt::ZERO, 1.0, -1.0),
            (Pt::ZERO, h, -1.0, 1.0),
            (w, h, 1.0, 1.0),
        ] {
            // One horizontal and one vertical stroke per corner, both outside the bleed.
            page.items.push(Item::Line {
                from: (x + sx * near, y),
                to: (x + sx * far, y),
                color: registration(),
                width: MARK_WIDTH,
                dash: None,
            });
            page.items.push(Item::Line {
                from: (x, y + sy * near),
                to: (x, y + sy * far),
                color: registration(),
                width: MARK_WIDTH,
                dash: None,
            });
        }
        let Some(font) = fonts.select("Noto Sans", 400, false) else {
            continue;
        };
        let text = format!("{slug} · page {} of {pages}", n + 1);
        let glyphs = super::text::shape(&text, font, SLUG_SIZE.0, 0.0, "en", false, fonts);
        page.items.push(Item::Text(GlyphRun {
            font,
            size: SLUG_SIZE,
            color: registration(),
            x: far + Pt(4.0),
            y: h + bleed + MARK_GAP + SLUG_SIZE + Pt(2.0),
            text,
            glyphs: super::text::in_em(glyphs, SLUG_SIZE),
            para: None,
            outlined: false,
        }));
    }
}

/// Where a line of text goes: its baseline starts at, or is centred on, a point.
#[derive(Debug, Clone, Copy)]
pub enum Anchor {
    Start(Pt, Pt),
    Center(Pt, Pt),
}

/// A line of Noto Sans text (labels on tiles and proof sheets) at `anchor`, shrunk to fit `max_width`; `None` when the font
/// is missing (the bundle always has it).
pub fn text_run(
    text: &str,
    weight: u16,
    size: Pt,
    color: &Color,
    anchor: Anchor,
    max_width: Pt,
    fonts: &FontBook,
) -> Option<Item> {
    let font = fonts.select("Noto Sans", weight, false)?;
    let width = |glyphs: &[text::ShapedGlyph]| Pt(glyphs.iter().map(|g| g.x_advance).sum());
    let mut size = size;
    let mut glyphs = text::shape(text, font, size.0, 0.0, "en", false, fonts);
    if width(&glyphs) > max_width {
        size *= max_width / width(&glyphs);
        glyphs = text::shape(text, font, size.0, 0.0, "en", false, fonts);
    }
    let (x, y) = match anchor {
        Anchor::Start(x, y) => (x, y),
        Anchor::Center(x, y) => (x - width(&glyphs) / 2.0, y),
    };
    Some(Item::Text(GlyphRun {
        font,
        size,
        color: color.clone(),
        x,
        y,
        text: text.to_string(),
        glyphs: text::in_em(glyphs, size),
        para: None,
        outlined: false,
    }))
}
