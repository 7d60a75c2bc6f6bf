//! The logical structure a page's tags hang on: headings, paragraphs, lists, the figure.
//! Compose builds it (compose::structure); render turns it into the PDF's tag tree and ties
//! each leaf to the glyph runs the display list drew for that paragraph.

/// Structure types we use (a subset of PDF's standard structure types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A heading, level 1 (the headline) or 2.
    Heading(u16),
    Paragraph,
    /// A list; `numbered` when its items carry their own numbers (the sources).
    List {
        numbered: bool,
    },
    ListItem,
    /// A list item's label: a statistic's figure.
    Label,
    /// A list item's body: a statistic's caption, a source.
    ListBody,
    Figure,
}

impl Role {
    /// The PDF structure type's name, as a tag dump shows it.
    pub fn name(self) -> String {
        match self {
            Role::Heading(n) => format!("H{n}"),
            Role::Paragraph => "P".into(),
            Role::List { .. } => "L".into(),
            Role::ListItem => "LI".into(),
            Role::Label => "Lbl".into(),
            Role::ListBody => "LBody".into(),
            Role::Figure => "Figure".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub role: Role,
    /// Set when the element is in another language than the document.
    pub lang: Option<String>,
    /// A figure's alternate text; a heading's title (plain text).
    pub alt: Option<String>,
    /// Where the element's text comes from, for messages.
    pub field: Option<String>,
    /// The text to read instead of the drawn glyphs: the paragraph as written, where its
    /// style sets it in capitals (a screen reader may spell out a word in capitals).
    pub actual_text: Option<String>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    /// Every glyph run (and link) drawn for paragraph `Para::id`, in drawing order.
    Text(usize),
    /// The document's only image, the logo.
    Image,
}
