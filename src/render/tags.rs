//! Tags: the krilla tag tree from the document's structure and what drawing marked, and a
//! validator's complaints told in the structure's terms (the content field of a glyph).

use super::{Piece, Tags};
use crate::page::Document;
use crate::page::structure::{Element, Node, Role};
use krilla::tagging::{ListNumbering, Tag, TagGroup, TagKind, TagTree};
use std::num::NonZeroU16;

/// A validator's complaint in our terms: what is wrong and, where krilla knows the glyph's
/// location, the content field it came from.
pub(super) fn describe_violation(
    problem: &krilla::configure::ValidationError,
    doc: &Document,
) -> String {
    use krilla::configure::ValidationError as V;
    let field = |location: &Option<krilla::surface::Location>| -> String {
        location
            .and_then(|l| usize::try_from(l.get() - 1).ok())
            .and_then(|para| field_of_para(&doc.structure, para))
            .map_or(String::new(), |f| format!(" in `{f}`"))
    };
    match problem {
        V::ContainsNotDefGlyph(_, location, text) => {
            format!("no glyph for {text:?}{}", field(location))
        }
        V::NoCodepointMapping(_, glyph, location) => format!(
            "glyph {} has no Unicode text{}",
            glyph.to_u32(),
            field(location)
        ),
        V::InvalidCodepointMapping(_, _, c, location)
        | V::UnicodePrivateArea(_, _, c, location) => {
            format!(
                "character U+{:04X} cannot be tagged{}",
                *c as u32,
                field(location)
            )
        }
        V::RestrictedLicense(font) => format!("a font's licence forbids embedding: {font:?}"),
        V::NoDocumentLanguage => "the document has no language".into(),
        V::NoDocumentTitle => "the document has no title (the headline)".into(),
        V::MissingAltText(_) => "an image has no alt text (`logo_alt`)".into(),
        V::MissingHeadingTitle => "a heading has no title".into(),
        V::MissingDocumentOutline => "the document has no outline".into(),
        other => format!("{other:?}"),
    }
}

/// The content field of the glyph a validator's complaint is about, where krilla knows it.
pub(super) fn violation_field(
    problem: &krilla::configure::ValidationError,
    doc: &Document,
) -> Option<String> {
    use krilla::configure::ValidationError as V;
    let location = match problem {
        V::ContainsNotDefGlyph(_, location, _)
        | V::NoCodepointMapping(_, _, location)
        | V::InvalidCodepointMapping(_, _, _, location)
        | V::UnicodePrivateArea(_, _, _, location) => location,
        _ => return None,
    };
    let para = usize::try_from(location.as_ref()?.get() - 1).ok()?;
    field_of_para(&doc.structure, para)
}

fn field_of_para(tree: &[Element], para: usize) -> Option<String> {
    tree.iter().find_map(|e| {
        e.children.iter().find_map(|child| match child {
            Node::Text(id) if *id == para => e.field.clone(),
            Node::Element(inner) => field_of_para(std::slice::from_ref(inner), para),
            _ => None,
        })
    })
}

/// The krilla tag tree for the document's structure, filled with what drawing marked.
/// Every marked piece must find its place: text that no structure element claims would be
/// invisible to a screen reader (and krilla refuses identifiers without a parent).
pub(super) fn tag_tree(doc: &Document, mut tags: Tags) -> Result<TagTree, String> {
    let mut tree = TagTree::new().with_lang(Some(doc.lang.clone()));
    for element in &doc.structure {
        if let Some(group) = tag_group(element, &mut tags) {
            tree.push(group);
        }
    }
    if let Some((para, _)) = tags.paras.iter().find(|(_, pieces)| !pieces.is_empty()) {
        return Err(format!(
            "paragraph {para} was drawn but has no place in the document structure"
        ));
    }
    if !tags.figures.is_empty() {
        return Err("the logo was drawn but has no place in the document structure".into());
    }
    Ok(tree)
}

fn tag_group(element: &Element, tags: &mut Tags) -> Option<TagGroup> {
    let mut kind: TagKind = match element.role {
        Role::Heading(level) => Tag::Hn(
            NonZeroU16::new(level).unwrap_or(NonZeroU16::MIN),
            element.alt.clone(),
        )
        .into(),
        Role::Paragraph => Tag::P.into(),
        Role::List { numbered } => Tag::L(if numbered {
            ListNumbering::Decimal
        } else {
            ListNumbering::None
        })
        .into(),
        Role::ListItem => Tag::LI.into(),
        Role::Label => Tag::Lbl.into(),
        Role::ListBody => Tag::LBody.into(),
        Role::Figure => Tag::Figure(element.alt.clone()).into(),
    };
    kind.as_any_mut().set_lang(element.lang.clone());
    kind.as_any_mut()
        .set_actual_text(element.actual_text.clone());
    let mut group = TagGroup::new(kind);
    for child in &element.children {
        match child {
            Node::Element(e) => {
                if let Some(g) = tag_group(e, tags) {
                    group.push(g);
                }
            }
            Node::Text(para) => {
                for piece in tags.paras.remove(para).unwrap_or_default() {
                    match piece {
                        Piece::Span(id) | Piece::Link(id, None) => group.push(id),
                        Piece::Link(text, Some(annotation)) => {
                            let mut link = TagGroup::new(Tag::Link);
                            link.push(text);
                            link.push(annotation);
                            group.push(link);
                        }
                    }
                }
            }
            Node::Image => {
                for id in tags.figures.drain(..) {
                    group.push(id);
                }
            }
        }
    }
    (!group.children.is_empty()).then_some(group)
}
