//! Content keys and roles as types: which block of an edition a frame shows ([`BlockKey`])
//! and what each paragraph is ([`Role`]). Layout files and messages spell them as strings;
//! styles, tags and bookmarks are decided on these enums, never on a field's name.

use std::fmt;

/// A block of an edition's content, as a layout's `content = "…"` names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BlockKey {
    Kicker,
    Headline,
    Definition,
    /// Every section, heading and body.
    Sections,
    /// One section, counted from 1 (`sections.2`).
    Section(usize),
    /// Sections `first` to `last`, counted from 1 (`sections.1-3`).
    SectionRun(usize, usize),
    Facts,
    Callout,
    /// Every statistic, value and caption.
    Stats,
    /// One statistic, counted from 1 (`stats.2`).
    Stat(usize),
    Contact,
    Action,
    Agency,
    /// The page number ("1 / 2 →"): the layout's, made by compose.
    Folio,
    /// The edition's name as a mark ("Kern County"): a county edition's, made by compose
    /// (the statewide edition has none).
    Edition,
    /// The sources as one footnote paragraph.
    Sources,
    /// The sources as a numbered list (a frame with `sources = "list"`).
    SourcesList,
    /// A county-only text: the county sheet's `extra.<name>` column.
    Extra(String),
}

impl BlockKey {
    /// The block a layout's content key names; `None` for a key that names none.
    pub fn parse(key: &str) -> Option<BlockKey> {
        use BlockKey::*;
        if let Some(name) = key.strip_prefix("extra.")
            && !name.is_empty()
        {
            return Some(Extra(name.to_string()));
        }
        let Some((list, n)) = key.split_once('.') else {
            return Some(match key {
                "kicker" => Kicker,
                "headline" => Headline,
                "definition" => Definition,
                "sections" => Sections,
                "facts" => Facts,
                "callout" => Callout,
                "stats" => Stats,
                "contact" => Contact,
                "action" => Action,
                "agency" => Agency,
                "folio" => Folio,
                "edition" => Edition,
                "sources" => Sources,
                _ => return None,
            });
        };
        // One item ("sections.2") or a run of items ("sections.1-3").
        let is_run = n.contains('-');
        let (first, last) = n.split_once('-').unwrap_or((n, n));
        let (first, last) = (first.parse::<usize>().ok()?, last.parse::<usize>().ok()?);
        if first < 1 || first > last {
            return None;
        }
        match (list, is_run) {
            ("sections", false) => Some(Section(first)),
            ("sections", true) => Some(SectionRun(first, last)),
            ("stats", false) => Some(Stat(first)),
            _ => None,
        }
    }
}

/// The key as a layout writes it (the list of sources as `sources#list`), for messages.
impl fmt::Display for BlockKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use BlockKey::*;
        let name = match self {
            Kicker => "kicker",
            Headline => "headline",
            Definition => "definition",
            Sections => "sections",
            Section(n) => return write!(f, "sections.{n}"),
            SectionRun(first, last) => return write!(f, "sections.{first}-{last}"),
            Facts => "facts",
            Callout => "callout",
            Stats => "stats",
            Stat(n) => return write!(f, "stats.{n}"),
            Contact => "contact",
            Action => "action",
            Agency => "agency",
            Folio => "folio",
            Edition => "edition",
            Sources => "sources",
            SourcesList => "sources#list",
            Extra(name) => return write!(f, "extra.{name}"),
        };
        f.write_str(name)
    }
}

/// What a paragraph is: a frame styles each role (`styles = { heading = "…" }`), and the
/// document's structure and bookmarks follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// A block's one paragraph (headline, kicker, definition, facts, contact, an extra).
    Text,
    /// A section's heading.
    Heading,
    /// A paragraph of a section's body.
    Body,
    /// A statistic's (or the callout's) figure.
    Value,
    /// A statistic's sentence.
    Caption,
    /// The action's label, the sources' label.
    Label,
    /// The action's number to call.
    Phone,
    /// The agency's name.
    Name,
    /// The agency's department.
    Department,
    /// The agency's tagline.
    Tagline,
    /// A source (in the footnote or the list).
    Item,
}

impl Role {
    /// The role's name in layout files (`styles = { body = "…" }`, `baseline_grid`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Text => "text",
            Role::Heading => "heading",
            Role::Body => "body",
            Role::Value => "value",
            Role::Caption => "caption",
            Role::Label => "label",
            Role::Phone => "phone",
            Role::Name => "name",
            Role::Department => "department",
            Role::Tagline => "tagline",
            Role::Item => "item",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_as_written() {
        for key in [
            "kicker",
            "headline",
            "sections",
            "sections.2",
            "sections.1-3",
            "stats",
            "stats.4",
            "folio",
            "edition",
            "sources",
            "extra.local",
        ] {
            let parsed = BlockKey::parse(key).unwrap();
            assert_eq!(parsed.to_string(), key);
        }
        assert_eq!(BlockKey::SourcesList.to_string(), "sources#list");
    }

    #[test]
    fn keys_that_name_no_block_are_refused() {
        for key in [
            "",
            "extra.",
            "stats.1-2",
            "sections.0",
            "sections.3-2",
            "sections.x",
            "sources#list",
            "title",
        ] {
            assert_eq!(BlockKey::parse(key), None, "{key}");
        }
    }
}
