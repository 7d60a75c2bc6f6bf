//! Itemize: a face for every character — the style's (bold or italic where the markup
//! says), the previous character's for marks and joiners, else a fallback — cut into
//! spans of one face, one link and one direction.

use super::markup::Mark;
use super::{MissingGlyph, Span, TextError};
use crate::fonts::{FontBook, FontId};
use crate::model::layout::Style;
use std::collections::HashMap;

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
    // The style's face for the last weight and slant asked for, and which ASCII characters
    // that face covers, as far as asked: a paragraph asks for the same face and the same
    // few letters hundreds of times, and choosing the face and looking each character up in
    // its `cmap` were a tenth of preparing a flyer's paragraphs.
    let mut own_face: Option<((u16, bool), FontId)> = None;
    let mut ascii_covered = [None::<bool>; 128];
    // The paragraph's own copy of the fallbacks it asked the font book for: the book
    // remembers them for every paragraph behind a lock, which each of an Arabic
    // paragraph's hundreds of letters would otherwise take.
    let mut fallbacks: HashMap<(char, u16, bool), Option<FontId>> = HashMap::new();
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
        let own = match own_face {
            Some((key, id)) if key == (weight, italic) => id,
            _ => {
                let id = fonts
                    .select(&style.font, weight, italic)
                    .expect("layout styles name loaded families");
                if own_face.is_none_or(|(_, old)| old != id) {
                    ascii_covered = [None; 128];
                }
                own_face = Some(((weight, italic), id));
                id
            }
        };
        let own_covers = match ascii_covered.get_mut(c as usize) {
            Some(known) => *known.get_or_insert_with(|| fonts.covers(own, c)),
            None => fonts.covers(own, c),
        };
        let font = if own_covers {
            own
        } else if let Some(prev) = previous.filter(|&p| joins_previous(c) && fonts.covers(p, c)) {
            prev
        } else if c == '\n' || c.is_whitespace() {
            previous.unwrap_or(own)
        } else {
            let fallback = *fallbacks
                .entry((c, weight, italic))
                .or_insert_with(|| fonts.fallback(c, weight, italic, lang));
            match fallback {
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
