//! Itemize: a face for every character — the style's (bold or italic where the markup
//! says), the previous character's for marks and joiners, else a fallback — cut into
//! spans of one face, one link and one direction.

use super::markup::Mark;
use super::{MissingGlyph, Span, TextError};
use crate::fonts::{FontBook, FontId};
use crate::model::layout::Style;

/// The spans of `text`: one face, one link and one direction each, every character in a
/// face that draws it; the characters no loaded font draws are an error.
pub(super) fn itemize(
    text: &str,
    marks: &[Mark],
    levels: &[u8],
    style: &Style,
    fonts: &FontBook,
    lang: &str,
) -> Result<Vec<Span>, TextError> {
    // Faces: the style's (bold/italic variants for marked-up text), else a fallback.
    let mut missing: Vec<MissingGlyph> = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut previous: Option<FontId> = None;
    for (i, c) in text.char_indices() {
        let mark = marks
            .iter()
            .find(|m| m.range.contains(&i))
            .expect("every byte is marked");
        let weight = if mark.bold {
            style.weight.max(700)
        } else {
            style.weight
        };
        let italic = style.italic ^ mark.italic;
        let own = fonts
            .select(&style.font, weight, italic)
            .expect("layout styles name loaded families");
        let font = if fonts.covers(own, c) {
            own
        } else if let Some(prev) = previous.filter(|&p| joins_previous(c) && fonts.covers(p, c)) {
            prev
        } else if c == '\n' || c.is_whitespace() {
            previous.unwrap_or(own)
        } else {
            match fonts.fallback(c, weight, italic, lang) {
                Some(f) => f,
                None => {
                    if !missing.iter().any(|m| m.character == c) {
                        let mut tried = vec![style.font.clone()];
                        tried.extend(
                            fonts
                                .families()
                                .into_iter()
                                .filter(|f| *f != style.font)
                                .map(str::to_string),
                        );
                        missing.push(MissingGlyph {
                            character: c,
                            tried,
                        });
                    }
                    own
                }
            }
        };
        previous = Some(font);
        let end = i + c.len_utf8();
        let rtl_run = levels[i] % 2 == 1;
        match spans.last_mut() {
            Some(last)
                if last.font == font
                    && last.link == mark.link
                    && last.rtl == rtl_run
                    && last.range.end == i =>
            {
                last.range.end = end
            }
            _ => spans.push(Span {
                range: i..end,
                font,
                link: mark.link.clone(),
                rtl: rtl_run,
            }),
        }
    }
    if !missing.is_empty() {
        return Err(TextError::MissingGlyphs(missing));
    }
    Ok(spans)
}

/// Characters that belong with the one before: combining marks, joiners, selectors.
fn joins_previous(c: char) -> bool {
    use unicode_normalization::char::is_combining_mark;
    is_combining_mark(c) || matches!(c, '\u{200c}' | '\u{200d}' | '\u{fe00}'..='\u{fe0f}')
}
