//! Inline Markdown (bold, italic, links) as content files write it: what every stage that
//! needs the words without the markup (bookmarks, heading titles, messages) reads, below
//! resolve and compose alike.

use pulldown_cmark::{Event, Options, Parser, TagEnd};

/// The words of inline Markdown without its markup, on one line (for bookmarks).
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, Options::empty()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
