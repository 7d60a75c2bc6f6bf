//! Inline Markdown (bold, italic, links) as content files write it, parsed once into an
//! [`Inline`]: resolve parses each paragraph, model checks a field's links, and every later
//! stage (setting text, bookmarks, heading titles, messages) reads the parsed form. Below
//! model, resolve and compose alike.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// A paragraph's inline Markdown, parsed: its pieces in order and its links.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Inline {
    pub pieces: Vec<Piece>,
    /// Every link, in the order they start.
    pub links: Vec<Link>,
}

/// One piece of parsed inline Markdown, with the formatting in force where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Piece {
    /// Text (or code), inside `link` (the destination, trimmed; empty for `[text]()`).
    Text {
        text: String,
        bold: bool,
        italic: bool,
        link: Option<String>,
    },
    /// A line break in the source that Markdown reads as a space.
    SoftBreak { bold: bool, italic: bool },
    /// A forced line break (two spaces or a backslash at a line's end).
    HardBreak { bold: bool, italic: bool },
    /// The end of a block Markdown found inside the paragraph: a blank line, a line it
    /// reads as a list item or a heading.
    BlockEnd(Block),
}

/// The kinds of block whose end a [`Piece::BlockEnd`] marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Block {
    Paragraph,
    Item,
    Heading,
}

/// A link: its destination (trimmed) and the text it is written on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Link {
    pub url: String,
    pub text: String,
}

/// At most this many parsed texts are kept per thread by [`parse_shared`]; past it the
/// memo starts afresh. A campaign has ~60 blocks of text.
const SHARED_PARSES: usize = 512;

thread_local! {
    static PARSED: std::cell::RefCell<crate::MemoMap<String, Inline>> =
        std::cell::RefCell::new(crate::MemoMap::default());
}

/// [`parse`], remembered per thread by the text: every county's edition of a campaign
/// parses the same blocks (a county's own few aside), and parsing them again was 1% of a
/// 59-flyer batch. A parse is a function of the text alone.
pub fn parse_shared(markdown: &str) -> Inline {
    PARSED.with(|cell| {
        if let Some(inline) = cell.borrow().get(markdown) {
            return inline.clone();
        }
        let inline = parse(markdown);
        let mut memo = cell.borrow_mut();
        if memo.len() >= SHARED_PARSES {
            memo.clear();
        }
        memo.insert(markdown.to_string(), inline.clone());
        inline
    })
}

/// Parses inline Markdown (CommonMark without extensions).
pub fn parse(markdown: &str) -> Inline {
    let mut inline = Inline::default();
    let (mut bold, mut italic) = (0u32, 0u32);
    let mut link: Vec<String> = Vec::new();
    // The link whose text is being collected (an index into `inline.links`).
    let mut open: Option<usize> = None;
    for event in Parser::new_ext(markdown, Options::empty()) {
        let (b, i) = (bold > 0, italic > 0);
        match event {
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold -= 1,
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic -= 1,
            Event::Start(Tag::Link { dest_url, .. }) => {
                let url = dest_url.trim().to_string();
                open = Some(inline.links.len());
                inline.links.push(Link {
                    url: url.clone(),
                    text: String::new(),
                });
                link.push(url);
            }
            Event::End(TagEnd::Link) => {
                link.pop();
                open = None;
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(k) = open {
                    inline.links[k].text.push_str(&t);
                }
                inline.pieces.push(Piece::Text {
                    text: t.to_string(),
                    bold: b,
                    italic: i,
                    link: link.last().cloned(),
                })
            }
            Event::SoftBreak => inline.pieces.push(Piece::SoftBreak { bold: b, italic: i }),
            Event::HardBreak => inline.pieces.push(Piece::HardBreak { bold: b, italic: i }),
            Event::End(TagEnd::Paragraph) => inline.pieces.push(Piece::BlockEnd(Block::Paragraph)),
            Event::End(TagEnd::Item) => inline.pieces.push(Piece::BlockEnd(Block::Item)),
            Event::End(TagEnd::Heading(_)) => inline.pieces.push(Piece::BlockEnd(Block::Heading)),
            _ => {}
        }
    }
    inline
}

impl Inline {
    /// The words without the markup, on one line (for bookmarks, titles and messages).
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text { text, .. } => out.push_str(text),
                Piece::SoftBreak { .. }
                | Piece::HardBreak { .. }
                | Piece::BlockEnd(Block::Paragraph) => out.push(' '),
                Piece::BlockEnd(_) => {}
            }
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// The words of inline Markdown without its markup, on one line (for bookmarks).
pub fn plain_text(markdown: &str) -> String {
    parse(markdown).plain_text()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_carry_their_formatting_and_links_their_text() {
        let inline = parse("Call **now** at [the *line*](  tel:+1 ) or [here]().");
        assert_eq!(
            inline.links,
            vec![
                Link {
                    url: "tel:+1".into(),
                    text: "the line".into()
                },
                Link {
                    url: String::new(),
                    text: "here".into()
                }
            ]
        );
        assert!(inline.pieces.contains(&Piece::Text {
            text: "now".into(),
            bold: true,
            italic: false,
            link: None
        }));
        assert!(inline.pieces.contains(&Piece::Text {
            text: "line".into(),
            bold: false,
            italic: true,
            link: Some("tel:+1".into())
        }));
        assert_eq!(inline.plain_text(), "Call now at the line or here.");
    }

    #[test]
    fn plain_text_joins_lines_and_paragraphs_with_one_space() {
        assert_eq!(
            plain_text("one\ntwo  \nthree\n\nfour"),
            "one two three four"
        );
    }

    /// The shared parse is the parse, the first time and the next, and two texts that
    /// differ in one mark parse apart.
    #[test]
    fn a_shared_parse_is_the_parse() {
        for text in [
            "**Bold** and [a link](https://example.org)",
            "**Bold** and a link",
        ] {
            assert_eq!(parse_shared(text), parse(text));
            assert_eq!(parse_shared(text), parse(text));
        }
        assert_ne!(parse_shared("*a*"), parse_shared("**a**"));
    }

    /// Markdown is parsed in one place: every other module reads the parsed form.
    #[test]
    fn only_this_module_runs_the_markdown_parser() {
        fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        sources(&src, &mut files);
        let parsers: Vec<_> = files
            .iter()
            .filter(|f| {
                std::fs::read_to_string(f)
                    .unwrap()
                    .contains(concat!("pulldown", "_cmark"))
            })
            .map(|f| f.strip_prefix(&src).unwrap().to_path_buf())
            .collect();
        assert_eq!(parsers, vec![std::path::PathBuf::from("markup.rs")]);
    }
}
