//! Structure: the document's logical tree for tagged PDF — headings, paragraphs, the list
//! of statistics, the logo figure, the list of sources — page by page, and on a page in the
//! content's reading order (headline → definition → sections → statistics → callout →
//! action → contact → agency → sources), whatever the frames' places on the grid. Leaves name paragraphs by id; render ties each
//! to the glyph runs it drew.

use crate::diag::Diagnostic;
use crate::model::content::{BlockKey, Role as ParaRole};
use crate::model::layout::Layout;
use crate::model::layout::TextTransform;
use crate::page::Item;
pub use crate::page::structure::{Element, Node, Role};
use crate::resolve::{Para, Resolved};
use std::collections::{BTreeMap, BTreeSet};

impl Element {
    fn new(role: Role) -> Element {
        Element {
            role,
            lang: None,
            alt: None,
            field: None,
            actual_text: None,
            children: Vec::new(),
        }
    }

    /// A paragraph-level element holding one paragraph's text.
    fn holding(role: Role, para: &Para) -> Element {
        Element {
            role,
            lang: para.lang.clone(),
            alt: None,
            field: Some(para.field.clone()),
            actual_text: None,
            children: vec![Node::Text(para.id)],
        }
    }
}

/// Builds the logical structure of a composed document: only what the layout placed, in
/// reading order. Fails when the headings would skip a level (a layout without the headline
/// that still shows section headings), which a screen-reader user navigates by.
pub fn build(
    resolved: &Resolved,
    layout: &Layout,
    pages: &[super::Page],
) -> Result<Vec<Element>, Diagnostic> {
    let placed: BTreeSet<usize> = pages
        .iter()
        .flat_map(|p| &p.items)
        .filter_map(|item| match item {
            Item::Text(run) => run.para,
            _ => None,
        })
        .collect();
    let has_image = pages
        .iter()
        .flat_map(|p| &p.items)
        .any(|i| matches!(i, Item::Image(_)));
    let paras = |key: &BlockKey| -> Vec<&Para> {
        resolved
            .paragraphs(key)
            .unwrap_or_default()
            .iter()
            .filter(|p| placed.contains(&p.id))
            .collect()
    };
    let mut tree = Vec::new();
    let push_each = |tree: &mut Vec<Element>, key: &BlockKey| {
        for para in paras(key) {
            tree.push(element_for(para, key));
        }
    };
    push_each(&mut tree, &BlockKey::Headline);
    push_each(&mut tree, &BlockKey::Kicker);
    push_each(&mut tree, &BlockKey::Definition);
    push_each(&mut tree, &BlockKey::Sections);
    push_each(&mut tree, &BlockKey::Facts);

    // The statistics and the callout read as one list: each figure is the label of the
    // sentence that explains it ("95%: Nearly 95% of …").
    let mut stats = Element::new(Role::List { numbered: false });
    let all_stats = resolved.paragraphs(&BlockKey::Stats).unwrap_or_default();
    let callout = resolved.paragraphs(&BlockKey::Callout).unwrap_or_default();
    for pair in all_stats.chunks(2).chain(callout.chunks(2)) {
        let mut item = Element::new(Role::ListItem);
        for para in pair.iter().filter(|p| placed.contains(&p.id)) {
            let role = if para.role == ParaRole::Value {
                Role::Label
            } else {
                Role::ListBody
            };
            item.children
                .push(Node::Element(Element::holding(role, para)));
        }
        if !item.children.is_empty() {
            stats.children.push(Node::Element(item));
        }
    }
    if !stats.children.is_empty() {
        tree.push(stats);
    }

    push_each(&mut tree, &BlockKey::Action);
    push_each(&mut tree, &BlockKey::Contact);
    let extras: Vec<&BlockKey> = resolved
        .blocks
        .keys()
        .filter(|k| matches!(k, BlockKey::Extra(_)))
        .collect();
    for key in extras {
        push_each(&mut tree, key);
    }
    if has_image && let Some(alt) = resolved.logo.as_ref().and_then(|l| l.alt.clone()) {
        let mut figure = Element::new(Role::Figure);
        figure.alt = Some(alt);
        figure.field = Some("logo_alt".into());
        figure.children.push(Node::Image);
        tree.push(figure);
    }
    push_each(&mut tree, &BlockKey::Agency);

    // Sources: the inline footnote is one paragraph; the full list is a list of items.
    push_each(&mut tree, &BlockKey::Sources);
    let list = paras(&BlockKey::SourcesList);
    let mut sources = Element::new(Role::List { numbered: true });
    for para in list {
        if para.role == ParaRole::Item {
            let mut item = Element::new(Role::ListItem);
            item.children
                .push(Node::Element(Element::holding(Role::ListBody, para)));
            sources.children.push(Node::Element(item));
        } else {
            tree.push(element_for(para, &BlockKey::SourcesList));
        }
    }
    if !sources.children.is_empty() {
        tree.push(sources);
    }

    // Page by page: what a page shows is read before the next page (a fact sheet with its
    // figures on page 1 and the sections on page 2 reads the figures first); on a page, in
    // the content's order.
    let page_of: BTreeMap<usize, usize> = pages
        .iter()
        .enumerate()
        .flat_map(|(n, p)| {
            p.items.iter().filter_map(move |item| match item {
                Item::Text(run) => run.para.map(|para| (para, n)),
                _ => None,
            })
        })
        .fold(BTreeMap::new(), |mut first, (para, n)| {
            first.entry(para).or_insert(n);
            first
        });
    let mut previous = 0;
    let mut keyed: Vec<(usize, Element)> = tree
        .into_iter()
        .map(|element| {
            // An element without text of its own (the logo) stays after the one before it.
            let page = first_page(&element, &page_of).unwrap_or(previous);
            previous = page;
            (page, element)
        })
        .collect();
    keyed.sort_by_key(|(page, _)| *page);
    let mut tree: Vec<Element> = keyed.into_iter().map(|(_, e)| e).collect();

    check_heading_levels(&tree, layout)?;
    let transformed = transformed_paragraphs(resolved, layout);
    for element in &mut tree {
        read_as_written(element, &transformed);
    }
    Ok(tree)
}

/// The first page any paragraph of `element` is drawn on.
fn first_page(element: &Element, page_of: &BTreeMap<usize, usize>) -> Option<usize> {
    element
        .children
        .iter()
        .filter_map(|child| match child {
            Node::Text(id) => page_of.get(id).copied(),
            Node::Element(inner) => first_page(inner, page_of),
            Node::Image => None,
        })
        .min()
}

/// The paragraphs (by id, with their plain text in NFC) that a style shows transformed
/// (in capitals), in a frame that is read.
fn transformed_paragraphs(resolved: &Resolved, layout: &Layout) -> BTreeMap<usize, String> {
    let mut out = BTreeMap::new();
    for frame in layout.frames.iter().filter(|f| !f.decorative) {
        let Some(key) = &frame.content else { continue };
        let paras = resolved
            .paragraphs(super::block_key(frame, key))
            .unwrap_or_default();
        for para in paras {
            let style = frame
                .style_for(para.role)
                .and_then(|s| layout.styles.get(s));
            if style.is_some_and(|s| s.transform != TextTransform::None) {
                let text = para.inline.plain_text();
                out.insert(para.id, crate::typography::nfc(&text));
            }
        }
    }
    out
}

/// Gives each element holding a transformed paragraph that paragraph's text as written.
fn read_as_written(element: &mut Element, transformed: &BTreeMap<usize, String>) {
    for child in &mut element.children {
        match child {
            Node::Text(id) => {
                if let Some(text) = transformed.get(id) {
                    element.actual_text = Some(text.clone());
                }
            }
            Node::Element(inner) => read_as_written(inner, transformed),
            Node::Image => {}
        }
    }
}

/// The element one paragraph of block `key` becomes on its own: the headline is the H1,
/// section and facts headings H2, everything else a paragraph. Decided by the block and the
/// role, never by the field's name (which messages may word as they like).
fn element_for(para: &Para, key: &BlockKey) -> Element {
    let heading = match (key, para.role) {
        (BlockKey::Headline, _) => Some(1),
        (BlockKey::Facts, _) | (_, ParaRole::Heading) => Some(2),
        _ => None,
    };
    match heading {
        Some(level) => {
            let mut e = Element::holding(Role::Heading(level), para);
            e.alt = Some(crate::typography::nfc(&para.inline.plain_text()));
            e
        }
        None => Element::holding(Role::Paragraph, para),
    }
}

/// Headings must start at H1 and go down one level at a time.
fn check_heading_levels(tree: &[Element], layout: &Layout) -> Result<(), Diagnostic> {
    let mut previous = 0;
    for e in tree {
        let Role::Heading(level) = e.role else {
            continue;
        };
        if level > previous + 1 {
            let field = e.field.clone().unwrap_or_default();
            let message = if previous == 0 {
                format!(
                    "layout `{}` skips a heading level: `{field}` is an H{level} with no H1 before it",
                    layout.name
                )
            } else {
                format!(
                    "layout `{}` skips a heading level: `{field}` is an H{level} after an H{previous}",
                    layout.name
                )
            };
            return Err(Diagnostic::error(message)
                .in_file(&layout.file.path)
                .field(field)
                .hint("give the layout a frame for `headline`, the document's one H1, before other headings"));
        }
        previous = level;
    }
    Ok(())
}
