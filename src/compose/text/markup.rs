//! Markup: a paragraph's parsed inline Markdown (bold, italic, links, hard breaks; parsed
//! once, in resolve) to plain NFC text and the formatting of each byte range: the first
//! stage of the inline engine.

use crate::markup::{Inline, Piece};
use crate::model::layout::TextTransform;
use std::ops::Range;

/// Inline formatting of a byte range of the plain text.
pub(super) struct Mark {
    pub(super) range: Range<usize>,
    pub(super) bold: bool,
    pub(super) italic: bool,
    pub(super) link: Option<String>,
}

/// Parsed inline Markdown → NFC plain text (in capitals where the style says) and the
/// formatting of each range.
pub(super) fn parse_markup(inline: &Inline, transform: TextTransform) -> (String, Vec<Mark>) {
    let mut text = String::new();
    let mut marks: Vec<Mark> = Vec::new();
    let mut block_ended = false;
    let mut push = |s: &str, bold: bool, italic: bool, link: Option<String>, text: &mut String| {
        let s = crate::typography::nfc(s);
        let s = match transform {
            TextTransform::Uppercase => s.to_uppercase(),
            TextTransform::None => s,
        };
        let start = text.len();
        text.push_str(&s);
        match marks.last_mut() {
            Some(m)
                if m.bold == bold
                    && m.italic == italic
                    && m.link == link
                    && m.range.end == start =>
            {
                m.range.end = text.len()
            }
            _ => marks.push(Mark {
                range: start..text.len(),
                bold,
                italic,
                link,
            }),
        }
    };
    for piece in &inline.pieces {
        match piece {
            Piece::Text {
                text: t,
                bold,
                italic,
                link,
            } => {
                if std::mem::take(&mut block_ended) && !text.is_empty() {
                    push("\n", false, false, None, &mut text);
                }
                let url = link.as_ref().filter(|u| !u.is_empty()).cloned();
                push(t, *bold, *italic, url, &mut text)
            }
            Piece::SoftBreak { bold, italic } => push(" ", *bold, *italic, None, &mut text),
            Piece::HardBreak { bold, italic } => push("\n", *bold, *italic, None, &mut text),
            // Text here is one paragraph: a blank line, or a line that Markdown reads as a
            // list item or heading, becomes a line break rather than gluing words together.
            Piece::BlockEnd(_) => block_ended = true,
        }
    }
    (text, marks)
}
