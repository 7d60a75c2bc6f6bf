//! Markup: a paragraph's inline Markdown (bold, italic, links, hard breaks) to plain NFC
//! text and the formatting of each byte range: the first stage of the inline engine.

use crate::model::layout::TextTransform;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;
use unicode_normalization::UnicodeNormalization;

/// Inline formatting of a byte range of the plain text.
pub(super) struct Mark {
    pub(super) range: Range<usize>,
    pub(super) bold: bool,
    pub(super) italic: bool,
    pub(super) link: Option<String>,
}

/// Markdown → NFC plain text and the formatting of each range.
pub(super) fn parse_markup(markdown: &str, transform: TextTransform) -> (String, Vec<Mark>) {
    let mut text = String::new();
    let mut marks: Vec<Mark> = Vec::new();
    let (mut bold, mut italic) = (0u32, 0u32);
    let mut link: Vec<String> = Vec::new();
    let mut block_ended = false;
    let mut push = |s: &str, bold: bool, italic: bool, link: Option<String>, text: &mut String| {
        let s: String = s.nfc().collect();
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
    for event in Parser::new_ext(markdown, Options::empty()) {
        match event {
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold -= 1,
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic -= 1,
            Event::Start(Tag::Link { dest_url, .. }) => link.push(dest_url.trim().to_string()),
            Event::End(TagEnd::Link) => {
                link.pop();
            }
            Event::Text(t) | Event::Code(t) => {
                if std::mem::take(&mut block_ended) && !text.is_empty() {
                    push("\n", false, false, None, &mut text);
                }
                let url = link.last().filter(|u| !u.is_empty()).cloned();
                push(&t, bold > 0, italic > 0, url, &mut text)
            }
            Event::SoftBreak => push(" ", bold > 0, italic > 0, None, &mut text),
            Event::HardBreak => push("\n", bold > 0, italic > 0, None, &mut text),
            // Text here is one paragraph: a blank line, or a line that Markdown reads as a
            // list item or heading, becomes a line break rather than gluing words together.
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => block_ended = true,
            _ => {}
        }
    }
    (text, marks)
}
