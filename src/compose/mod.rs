//! Compose: the layout engine. Places an edition's paragraphs into a layout's frames and
//! produces `Page`s of positioned items in points. Compose never writes PDF.

mod decisions;
mod draw;
mod flow;
mod frames;
mod grid;
pub mod ink;
pub mod linebreak;
pub mod marks;
pub mod structure;
pub mod text;

// Typographic conventions sit below model, resolve and compose, which all use them.
pub use crate::typography;
// The display list compose produces lives in `page`; these names stay here for callers
// that think of it as compose's output.
pub use crate::page::{
    Document, FrameRegion, GlyphRun, ImageData, ImageFormat, Item, OutlineEntry, Page, PlacedImage,
    PrintSetup, image_limits,
};

use crate::diag::Diagnostic;
use crate::fonts::FontBook;
use crate::model::content::{BlockKey, Role};
use crate::model::layout::{Frame, ImageFit, Layout, Side};
use crate::page::Rect;
use crate::resolve::{Para, Resolved};
use crate::units::Pt;
use draw::decorate;
#[cfg(test)]
use draw::fit_image;
use std::sync::Arc;
use text::{Line, MissingGlyph};

/// Composes one edition in one layout, or explains every reason it cannot.
pub fn compose(
    resolved: &Resolved,
    layout: &Layout,
    fonts: &FontBook,
) -> Result<Document, Vec<Diagnostic>> {
    // What this document's frames are set from, digested once for the frame memo: the
    // layout as loaded (a function of its file's text and the font book), then what the
    // steps below change it by (the language, and which frames have nothing to show).
    let mut identity = decisions::KeyWriter::new();
    identity
        .bytes(&layout.file.digest())
        .text(&layout.name)
        .text(&resolved.edition.lang)
        .text(&resolved.campaign_id)
        .part(&fonts.id())
        .part(&resolved.typography);
    let mirrored;
    let layout = if layout.mirror_rtl && text::is_rtl_language(&resolved.edition.lang) {
        mirrored = layout.mirrored();
        &mirrored
    } else {
        layout
    };
    // What frames repeat is a question of the layout as written: a logo frame standing
    // in with text is still the logo's frame.
    if let Some(problem) = repeated_content(resolved, layout) {
        return Err(vec![problem]);
    }
    let emptiness = |layout: &Layout| -> Vec<bool> {
        layout
            .frames
            .iter()
            .map(|f| frame_is_empty(f, resolved))
            .collect()
    };
    identity.part(&emptiness(layout));
    // An image frame the edition has no image for shows its stand-in text instead.
    let stood_in = with_stand_ins(layout, resolved);
    let layout = stood_in.as_ref().unwrap_or(layout);
    identity.part(&emptiness(layout));
    // A layout made in code (a test's) has no file to tell it by: its frames are not kept.
    let identity = (!layout.file.text.is_empty()).then(|| identity.finish());
    // Frames with nothing to show in this edition give their area to the frame they name.
    let collapsed = layout.collapsed(|frame| frame_is_empty(frame, resolved));
    let layout = collapsed.as_ref().unwrap_or(layout);
    // Per-language styles (`[styles.body.lang.zh-Hant]`): CJK justification, more leading.
    let localized;
    let layout = match layout.styles_for_language(&resolved.edition.lang) {
        Some(styles) => {
            localized = Layout {
                styles,
                ..layout.clone()
            };
            &localized
        }
        None => layout,
    };
    text::shared_scope(&layout.name, &resolved.edition.lang);
    frames::scope(&layout.name, &resolved.edition.lang);
    let mut composer = Composer {
        resolved,
        layout,
        fonts,
        identity,
        state: ComposerState {
            problems: Vec::new(),
            outline: Vec::new(),
            fitted_scale: vec![None; layout.frames.len()],
            scale_ceiling: vec![None; layout.frames.len()],
            rects: layout.frames.iter().map(|f| f.rect).collect(),
            text_foot: vec![None; layout.frames.len()],
            last_baseline: vec![None; layout.frames.len()],
            first_cap_top: vec![None; layout.frames.len()],
            spare: vec![None; layout.frames.len()],
            group_spare: vec![None; layout.frames.len()],
        },
    };
    let mut frame_items: Vec<Vec<Item>> = vec![Vec::new(); layout.frames.len()];
    composer.share_group_sizes(&mut frame_items);
    for (i, frame) in layout.frames.iter().enumerate() {
        if let Some(above) = frame.follows {
            composer.follow(i, above, frame_items[above].is_empty());
        }
        if frame.is_continuation {
            continue;
        }
        if let Some(key) = &frame.content {
            composer.flow_text(i, key, &mut frame_items);
        }
        if let Some(key) = &frame.image {
            composer.place_image(frame, key, &mut frame_items[i]);
        }
    }
    if !composer.state.problems.is_empty() {
        return Err(composer.state.problems);
    }
    let mut pages: Vec<Page> = (0..layout.pages)
        .map(|_| Page {
            width: layout.width,
            height: layout.height,
            items: Vec::new(),
            regions: Vec::new(),
        })
        .collect();
    for ((frame, items), rect) in layout
        .frames
        .iter()
        .zip(frame_items)
        .zip(&composer.state.rects)
    {
        let page = &mut pages[frame.page];
        let start = page.items.len();
        // An image frame's fill and border frame the image, an extra's frame its text;
        // without them they would be an empty box, so they are drawn only when present.
        // A frame that followed the text above it (or was followed) is drawn where it
        // stands in this edition.
        if !shows_nothing(layout, frame, resolved) {
            decorate(frame, *rect, layout, page);
        }
        page.items.extend(items);
        if page.items.len() > start {
            page.regions.push(FrameRegion {
                frame: frame.index,
                items: start..page.items.len(),
            });
        }
    }
    // Bookmarks stay in the layout's frame order (the reading order), not sorted by
    // position, which would interleave columns.
    let outline = composer.state.outline;
    let structure = structure::build(resolved, layout, &pages).map_err(|d| vec![d])?;
    Ok(Document {
        title: resolved.title.clone(),
        author: resolved.author.clone(),
        subject: resolved.subject.clone(),
        lang: resolved.edition.lang.clone(),
        year: resolved.edition.year,
        pages,
        outline,
        print: None,
        structure,
    })
}

/// The layout with each frame that names a `stand_in` and has nothing of its own to show
/// in this edition showing the stand-in instead; `None` when nothing stands in.
/// - An image frame without an image becomes a text frame of its stand-in (a county
///   without a logo shows its name where the logo would be, without the logo's tile).
/// - A text frame whose content is empty (an `extra.*` the county leaves blank) shows the
///   stand-in block in its own card: the statewide poster shows the number to call where a
///   county's local help line would be, rather than a hole. A block another frame already
///   reads is shown as decoration, so a screen reader does not hear it twice.
fn with_stand_ins(layout: &Layout, resolved: &Resolved) -> Option<Layout> {
    let mut out: Option<Layout> = None;
    for (i, frame) in layout.frames.iter().enumerate() {
        let Some(key) = &frame.stand_in else {
            continue;
        };
        if !frame_is_empty(frame, resolved) {
            continue;
        }
        let read_elsewhere = layout
            .frames
            .iter()
            .any(|f| f.index != frame.index && !f.decorative && f.content.as_ref() == Some(key));
        let frame = &mut out.get_or_insert_with(|| layout.clone()).frames[i];
        if frame.image.take().is_some() {
            // The tile (fill, border, rules) is the logo's, drawn only under one: the name
            // stands on the band itself, so it reads as the edition's name, not as a seal
            // it lacks.
            frame.fill = None;
            frame.border = None;
            frame.rules.clear();
        } else {
            frame.decorative |= read_elsewhere;
        }
        frame.content = Some(key.clone());
    }
    out
}

/// The edition's mark (`content = "edition"`): a county's name, as the edition names it
/// in its language ("Kern County"); the statewide edition has none. Decoration, read as an
/// artifact: the kicker already says the name to a screen reader.
fn edition_mark(resolved: &Resolved) -> Option<Para> {
    resolved.edition.county.as_ref()?;
    let markdown = crate::resolve::escape(&resolved.edition.name);
    Some(Para {
        role: Role::Text,
        inline: crate::markup::parse(&markdown),
        markdown,
        field: BlockKey::Edition.to_string(),
        // Never referenced: the mark is an artifact, outside the structure.
        id: usize::MAX,
        lang: None,
    })
}

/// The folio paragraph ("1 / 2 ›" on a page that continues, "2 / 2" on the last) for page
/// `page` (from 0) of `pages`.
fn folio(page: usize, pages: usize, lang: &str) -> Para {
    // The count reads left to right in any script: on a right-to-left page it is set in a
    // left-to-right isolate (U+2066 … U+2069), which the bidi step keeps one unit with its
    // spaces, "1 / 2" as on every other page (without, it read "2 / 1"; set "1/2" to
    // avoid that, three reviews found it unlike the others); the cue points the way the
    // pages turn. The cue is a single guillemet, which
    // the Latin faces carry: an arrow (→) is only in the CJK faces, so it fell back to one.
    let rtl = text::is_rtl_language(lang);
    // The same character either way: U+203A is mirrored in a right-to-left run (UAX #9
    // L4), so an Arabic page shows it pointing left, the way its pages turn.
    let arrow = if page + 1 < pages { " ›" } else { "" };
    let count = if rtl {
        format!("\u{2066}{} / {pages}\u{2069}", page + 1)
    } else {
        format!("{} / {pages}", page + 1)
    };
    let markdown = format!("{count}{arrow}");
    Para {
        role: Role::Text,
        inline: crate::markup::parse(&markdown),
        markdown,
        field: BlockKey::Folio.to_string(),
        // Never referenced: a folio is an artifact, outside the structure.
        id: usize::MAX,
        lang: None,
    }
}

/// Whether a frame has nothing to show in this edition: a logo frame without a logo, an
/// `extra.*` the county leaves blank, or a block whose text is empty. Such a frame draws no
/// fill or border (it would be an empty panel) and may give its area to another frame.
/// Whether a frame has nothing to show in this edition: its own content is empty, or, for
/// a frame another threads into, the chain's content is (the second column of an empty
/// definition draws no panel either).
fn shows_nothing(layout: &Layout, frame: &Frame, resolved: &Resolved) -> bool {
    if !frame.is_continuation {
        return frame_is_empty(frame, resolved);
    }
    // Walk back to the chain's first frame; the loader refuses loops, and the step count
    // bounds the walk regardless.
    let mut head = frame.index;
    for _ in 0..layout.frames.len() {
        match layout
            .frames
            .iter()
            .position(|f| f.continue_to == Some(head))
        {
            Some(before) => head = before,
            None => break,
        }
    }
    head != frame.index && frame_is_empty(&layout.frames[head], resolved)
}

fn frame_is_empty(frame: &Frame, resolved: &Resolved) -> bool {
    if frame.image.is_some() {
        return resolved.logo.is_none();
    }
    match &frame.content {
        Some(BlockKey::Folio) => false,
        Some(BlockKey::Edition) => resolved.edition.county.is_none(),
        Some(key) => resolved
            .paragraphs(block_key(frame, key))
            .is_none_or(|paras| paras.iter().all(|p| p.markdown.trim().is_empty())),
        None => false,
    }
}

/// The resolved block a frame's content key shows: the sources as a full list when the
/// frame asks for one.
fn block_key<'k>(frame: &Frame, key: &'k BlockKey) -> &'k BlockKey {
    static SOURCES_LIST: BlockKey = BlockKey::SourcesList;
    if *key == BlockKey::Sources && frame.sources == crate::model::layout::SourcesMode::List {
        &SOURCES_LIST
    } else {
        key
    }
}

/// What a screen reader would get wrong in a layout's use of the content: a paragraph (or
/// the logo) shown by two frames would be read twice, so all but one must be declared
/// decorative; and a decorative frame whose content no other frame shows would hide it.
/// Threaded frames share a paragraph legitimately and are not checked.
fn repeated_content(resolved: &Resolved, layout: &Layout) -> Option<Diagnostic> {
    let repeat = |frame: &Frame, what: &str, earlier: &Frame| {
        Diagnostic::error(format!(
            "frame `{}` repeats {what}, which frame `{}` already shows: a screen reader would read it twice (layout `{}`)",
            frame.id, earlier.id, layout.name
        ))
        .at(frame.location.clone())
        .field(format!("frames[{}].decorative", frame.index))
        .hint("mark the repeat `decorative = true` so it is tagged as decoration, not content")
    };
    let mut shown_by: std::collections::HashMap<usize, &Frame> = Default::default();
    let mut decorative_only: Vec<(&Frame, &crate::resolve::Para)> = Vec::new();
    // The sources inline and as a list are the same sources in other words.
    let mut sources_by: Option<&Frame> = None;
    let mut logo_by: Option<&Frame> = None;
    for frame in &layout.frames {
        if frame.image.is_some() && !frame.decorative {
            if let Some(earlier) = logo_by {
                return Some(repeat(frame, "the logo", earlier));
            }
            logo_by = Some(frame);
        }
        let Some(key) = &frame.content else { continue };
        let paras = resolved
            .paragraphs(block_key(frame, key))
            .unwrap_or_default();
        if frame.decorative {
            decorative_only.extend(paras.iter().map(|p| (frame, p)));
            continue;
        }
        if *key == BlockKey::Sources {
            if let Some(earlier) = sources_by {
                return Some(repeat(frame, "the sources", earlier));
            }
            sources_by = Some(frame);
        }
        for para in paras {
            if let Some(earlier) = shown_by.insert(para.id, frame)
                && earlier.id != frame.id
            {
                return Some(repeat(frame, &format!("`{}`", para.field), earlier));
            }
        }
    }
    let (frame, para) = decorative_only
        .into_iter()
        .find(|(_, para)| !shown_by.contains_key(&para.id))?;
    Some(
        Diagnostic::error(format!(
            "frame `{}` is decorative, but no other frame shows `{}`: a screen reader would never read it (layout `{}`)",
            frame.id, para.field, layout.name
        ))
        .at(frame.location.clone())
        .field(format!("frames[{}].decorative", frame.index))
        .hint("decorative is for repeats; remove it, or show the content in another frame"),
    )
}

struct Composer<'a> {
    resolved: &'a Resolved,
    layout: &'a Layout,
    fonts: &'a FontBook,
    /// A digest of what every frame's setting shares (see `compose`): the first part of
    /// each frame's key in the frame memo (`frames`); `None` keeps no frames.
    identity: Option<FrameKey>,
    /// What composing has worked out so far.
    state: ComposerState,
}

/// What composing a document has worked out so far, frame by frame: everything setting a
/// frame may change (the frame memo keeps and restores it; debug builds compare it whole).
#[derive(Debug, Clone)]
struct ComposerState {
    problems: Vec<Diagnostic>,
    outline: Vec<OutlineEntry>,
    /// The size scale each frame's text was set at (after its fit policy), by frame.
    fitted_scale: Vec<Option<f32>>,
    /// The largest scale a frame may be set at: the smallest fitted scale of its
    /// `fit_group`, so figures side by side share one size.
    scale_ceiling: Vec<Option<f32>>,
    /// Each frame's area as set: the layout's, or moved up under the text it `follows`.
    rects: Vec<Rect>,
    /// Where each frame's text ends (the last line's foot), once it is set.
    text_foot: Vec<Option<f32>>,
    /// Each frame's lowest baseline, once its text is set (for `end_level_with`).
    last_baseline: Vec<Option<f32>>,
    /// The top of each frame's first line's capitals, once its text is set (for
    /// `top_level_with`).
    first_cap_top: Vec<Option<f32>>,
    /// The height each frame's text leaves free in its area, once set.
    spare: Vec<Option<f32>>,
    /// For a centred frame of a `fit_group`: the least spare of the group's frames on its
    /// page, set at the size they share, which they all move by.
    group_spare: Vec<Option<f32>>,
}

/// A frame's setting's inputs, digested (see `frames`).
type FrameKey = [u8; 32];

impl Composer<'_> {
    /// Fits every frame of a `fit_group` on its own (a trial, its output dropped), then caps
    /// each at the group's smallest scale, so the main pass sets them all at one size; and,
    /// for groups that centre, measures at that size how far they may move as one.
    fn share_group_sizes(&mut self, scratch: &mut [Vec<Item>]) {
        let layout = self.layout;
        let grouped: Vec<usize> = (0..layout.frames.len())
            .filter(|&i| layout.frames[i].fit_group.is_some() && layout.frames[i].content.is_some())
            .collect();
        if grouped.is_empty() {
            return;
        }
        let (problems, outline) = (self.state.problems.len(), self.state.outline.len());
        for &i in &grouped {
            if let Some(key) = layout.frames[i].content.clone() {
                self.flow_text(i, &key, scratch);
            }
        }
        let members = |i: usize| {
            let group = &layout.frames[i].fit_group;
            grouped
                .iter()
                .copied()
                .filter(move |&j| &layout.frames[j].fit_group == group)
        };
        for &i in &grouped {
            let smallest = members(i)
                .filter_map(|j| self.state.fitted_scale[j])
                .fold(f32::MAX, f32::min);
            if smallest < f32::MAX {
                self.state.scale_ceiling[i] = Some(smallest);
            }
        }
        // Centred members move as one, by the least spare among them at the size they
        // share: a second trial, at that size, measures it (a member fitted larger on its
        // own has more spare once capped). Side by side: the members on one page.
        let centred = |j: usize| layout.frames[j].valign != crate::model::layout::VAlign::Top;
        if grouped.iter().any(|&j| centred(j)) {
            for &i in &grouped {
                if let Some(key) = layout.frames[i].content.clone() {
                    self.flow_text(i, &key, scratch);
                }
            }
            for &i in grouped.iter().filter(|&&i| centred(i)) {
                self.state.group_spare[i] = members(i)
                    .filter(|&j| layout.frames[j].page == layout.frames[i].page)
                    .filter_map(|j| self.state.spare[j])
                    .reduce(f32::min);
            }
        }
        // Trial problems are reported by the main pass, if they remain.
        self.state.problems.truncate(problems);
        self.state.outline.truncate(outline);
        scratch.iter_mut().for_each(Vec::clear);
        self.state
            .text_foot
            .iter_mut()
            .for_each(|foot| *foot = None);
        self.state.last_baseline.iter_mut().for_each(|b| *b = None);
        self.state.first_cap_top.iter_mut().for_each(|t| *t = None);
    }

    /// Frame `i` follows the frame `above`: its top moves up to the foot of the text set
    /// there (to that frame's top when it shows nothing; not at all past an image), its
    /// foot stays. Its own `inset` keeps the gap. The frame above ends under its text, so
    /// its rules and fill end there too.
    fn follow(&mut self, i: usize, above: usize, above_is_empty: bool) {
        let top = match self.state.text_foot[above] {
            Some(foot) => {
                let end = Pt(foot) + self.layout.frames[above].inset.bottom;
                let rect = &mut self.state.rects[above];
                rect.h = (end - rect.y).max(Pt(0.0)).min(rect.h);
                rect.bottom().0
            }
            None if above_is_empty => self.state.rects[above].y.0,
            None => return,
        };
        let rect = &mut self.state.rects[i];
        if top < rect.y.0 {
            rect.h = rect.bottom() - Pt(top);
            rect.y = Pt(top);
        }
    }

    /// A frame's area inside its inset, where it stands in this edition.
    fn area(&self, frame: &Frame) -> Rect {
        self.state.rects[frame.index].inset(&frame.inset)
    }

    fn frame_error(&self, frame: &Frame, message: String) -> Diagnostic {
        Diagnostic::error(message)
            .at(frame.location.clone())
            .field(format!("frames[{}]", frame.index))
    }

    fn missing_glyphs(&self, frame: &Frame, para: &Para, missing: &[MissingGlyph]) -> Diagnostic {
        let chars: Vec<String> = missing
            .iter()
            .map(|m| format!("`{}` (U+{:04X})", m.character, m.character as u32))
            .collect();
        let message = format!(
            "no font has a glyph for {} in `{}` (frame `{}` of layout `{}`), edition {}",
            chars.join(", "),
            para.field,
            frame.id,
            self.layout.name,
            self.resolved.edition
        );
        self.frame_error(frame, message).hint(format!(
            "fonts tried: {}; add a font that covers these characters with --font-dir",
            missing[0].tried.join(", ")
        ))
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_line(
        &mut self,
        frame: &Frame,
        area: Rect,
        top: Pt,
        block: &flow::Block,
        line: &Line,
        out: &mut Vec<Item>,
        decorative: bool,
    ) {
        let style = &block.style;
        // The edition's mark is artwork: drawn in outlines, so the headline beside it
        // extracts as one sentence.
        let outlined = frame.content == Some(BlockKey::Edition);
        let face = self.fonts.face(block.prepared.spans[0].font);
        let size = style.size;
        let content = (face.ascender - face.descender) * size;
        let baseline = area.y + top + Pt(flow::baseline_offset(block, self.fonts));
        // Bookmarks: the headline, the facts heading, section headings and the sources label,
        // each at its first line.
        let heads_outline = !decorative
            && (matches!(block.para.role, Role::Heading | Role::Label)
                || matches!(frame.content, Some(BlockKey::Headline | BlockKey::Facts)));
        if heads_outline && line.range.start == 0 {
            self.state.outline.push(OutlineEntry {
                // As written, not as transformed: bookmarks read better in sentence case.
                title: block.para.inline.plain_text(),
                page: frame.page,
                y: area.y + top,
            });
        }
        // Runs are drawn in reading (logical) order, not left to right, so the tagged text
        // of a right-to-left or mixed line reads in order; each run is placed by its own x.
        let mut in_reading_order: Vec<&text::LineRun> = line.runs.iter().collect();
        in_reading_order.sort_by_key(|run| run.start);
        let last = in_reading_order.len().saturating_sub(1);
        for (n, run) in in_reading_order.into_iter().enumerate() {
            let x = area.x + Pt(line.x) + Pt(run.x);
            let mut glyphs = run.glyphs.clone();
            let mut text = run.text.clone();
            // The hyphen added at a line break is not part of the word: it is drawn as an
            // artifact, so the tag tree reads "Commercially", not "Commer-cially".
            let mut hyphen = None;
            if line.hyphenated && n == last && text.ends_with('-') && !run.rtl {
                let at = text.len() - 1;
                let split = glyphs
                    .iter()
                    .position(|g| g.range.start >= at)
                    .unwrap_or(glyphs.len());
                let mut tail = glyphs.split_off(split);
                text.truncate(at);
                for g in &mut tail {
                    g.range = g.range.start - at..g.range.end - at;
                }
                let before = Pt(glyphs.iter().map(|g| g.x_advance).sum());
                hyphen = Some(GlyphRun {
                    font: run.font,
                    size,
                    color: text::run_color(style, run).clone(),
                    x: x + before,
                    y: baseline,
                    text: "-".into(),
                    glyphs: text::in_em(tail, size),
                    para: None,
                    outlined,
                });
            }
            let drawn = !glyphs.is_empty();
            if drawn {
                out.push(Item::Text(GlyphRun {
                    font: run.font,
                    size,
                    color: text::run_color(style, run).clone(),
                    x,
                    y: baseline,
                    text,
                    glyphs: text::in_em(glyphs, size),
                    // Decorative text is an artifact: no paragraph to read it under.
                    para: (!decorative).then_some(block.para.id),
                    outlined,
                }));
            }
            if let Some(url) = run.link.as_ref().filter(|_| drawn) {
                out.push(Item::Link {
                    rect: Rect {
                        x,
                        y: baseline - face.ascender * size,
                        w: Pt(run.width),
                        h: content,
                    },
                    url: url.clone(),
                });
            }
            // After the run's link, which must directly follow the text it annotates.
            out.extend(hyphen.map(Item::Text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::campaign::Campaign;
    use crate::resolve::{Edition, resolve};
    use std::path::Path;

    fn fonts() -> FontBook {
        FontBook::load(&[Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts")]).unwrap()
    }

    #[test]
    fn the_page_cue_is_one_character_the_latin_faces_draw() {
        assert_eq!(folio(0, 2, "en").markdown, "1 / 2 ›");
        assert_eq!(folio(1, 2, "en").markdown, "2 / 2");
        // Right to left: the count spaced alike, in a left-to-right isolate, the same cue
        // (mirrored when set).
        assert_eq!(folio(0, 2, "ar").markdown, "\u{2066}1 / 2\u{2069} ›");
        // The folio's face (Oswald) draws the cue itself: no fallback to a CJK face.
        let book = fonts();
        let oswald = book.select("Oswald", 600, false).unwrap();
        assert!(book.covers(oswald, '›'));
    }

    /// The fixture campaign composed into a one-frame layout whose definition frame is
    /// `rows` grid rows (of 20 pt) tall.
    fn compose_definition(rows: u32) -> Result<Document, Vec<Diagnostic>> {
        compose_tiny("", &frame("definition", "definition", 1, rows, ""))
    }

    fn frame(id: &str, content: &str, row: u32, rows: u32, extra: &str) -> String {
        let content = if content.is_empty() {
            String::new()
        } else {
            format!("content = \"{content}\"\nstyle = \"body\"\n")
        };
        format!(
            "[[frames]]\nid = \"{id}\"\narea = {{ col = 1, row = {row}, cols = 1, rows = {rows} }}\n{content}{extra}\n"
        )
    }

    /// A one-column layout of eight grid rows on a `size` page (20 pt margin), one `body`
    /// style (Noto Sans, leading 1.2, plus `body`: its size and anything else) and
    /// `frames`; the folder holding the file goes with it.
    fn tiny_layout(
        fonts: &FontBook,
        size: &str,
        body: &str,
        frames: &str,
    ) -> (tempfile::TempDir, Layout) {
        let dir = tempfile::tempdir().unwrap();
        let layout_path = dir.path().join("tiny.toml");
        std::fs::write(
            &layout_path,
            format!(
                r##"kind = "flyer"
[page]
size = "{size}"
margin = "20pt"
grid = {{ columns = 1, rows = 8 }}
[colors]
ink = {{ rgb = "#000000" }}
[styles.body]
font = "Noto Sans"
leading = 1.2
color = "ink"
{body}
{frames}"##
            ),
        )
        .unwrap();
        let layout = Layout::load(&layout_path, fonts).unwrap();
        (dir, layout)
    }

    /// The fixture campaign's statewide English edition.
    fn fixture_edition() -> Resolved {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (campaign, _) = Campaign::load(&root.join("tests/fixtures/linked-campaign")).unwrap();
        resolve(&campaign, &Edition::statewide(&campaign, "en", 2027)).unwrap()
    }

    /// The fixture campaign in a 200 pt square layout with a 160×160 pt grid of eight
    /// 20 pt rows, one `body` style (10 pt, leading 1.2, plus `style_extra`) and `frames`.
    fn compose_tiny(style_extra: &str, frames: &str) -> Result<Document, Vec<Diagnostic>> {
        let body = format!("size = \"10pt\"\n{style_extra}");
        let fonts = fonts();
        let (_dir, layout) = tiny_layout(&fonts, "200pt x 200pt", &body, frames);
        compose(&fixture_edition(), &layout, &fonts)
    }

    /// The tag tree follows each paragraph's block and role: the words messages use for
    /// a field (`blocks.headline.text`) may change without changing a PDF's tags.
    #[test]
    fn renaming_fields_leaves_the_tag_tree_alone() {
        let mut frames = frame("headline", "headline", 1, 2, "");
        frames.push_str(&frame("sections", "sections", 3, 3, ""));
        frames.push_str(&frame("facts", "facts", 6, 1, ""));
        frames.push_str(&frame("stats", "stats", 7, 2, ""));
        let body = "size = \"8pt\"\nfit = { min = \"3pt\" }";
        let fonts = fonts();
        let (_dir, layout) = tiny_layout(&fonts, "400pt x 400pt", body, &frames);
        let resolved = fixture_edition();
        let tags = |resolved: &Resolved| {
            fn strip(e: &mut structure::Element) {
                e.field = None;
                for child in &mut e.children {
                    if let structure::Node::Element(inner) = child {
                        strip(inner);
                    }
                }
            }
            let mut tree = compose(resolved, &layout, &fonts).unwrap().structure;
            tree.iter_mut().for_each(strip);
            tree
        };
        let before = tags(&resolved);
        let mut renamed = resolved.clone();
        for paras in renamed.blocks.values_mut() {
            for para in paras {
                para.field = format!("renamed {}", para.id);
            }
        }
        assert_eq!(tags(&renamed), before);
        // And the tree is the one the content asks for: the headline the H1, the section
        // heading and the facts H2s, the statistics a list.
        let roles: Vec<String> = before.iter().map(|e| e.role.name()).collect();
        assert_eq!(roles, ["H1", "H2", "P", "H2", "L"]);
    }

    /// A frame's fit search is done once: the next document that searches the same frame
    /// with the same inputs sets its text at the decision remembered, and gets the same
    /// page. (Scaling the remembered decisions shows that they are what sets it.)
    #[test]
    fn a_remembered_fit_decision_sets_the_same_page() {
        let mut frames = frame("headline", "headline", 1, 2, "");
        frames.push_str(&frame("sections", "sections", 3, 6, "text_fit = \"fill\""));
        let body = "size = \"6pt\"\nfit = { min = \"4pt\", max = \"20pt\" }";
        let fonts = fonts();
        let (_dir, layout) = tiny_layout(&fonts, "300pt x 300pt", body, &frames);
        let resolved = fixture_edition();
        let page = || format!("{:?}", compose(&resolved, &layout, &fonts).unwrap().pages);
        let searched = page();
        assert_eq!(
            page(),
            searched,
            "the remembered decision sets the same page"
        );
        decisions::scale_all(0.8);
        // Set the frames again rather than recall them (see `frames`), so the decision is
        // what sets them.
        frames::forget_all();
        let poisoned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(page));
        if cfg!(debug_assertions) {
            let message = poisoned.expect_err("the search checks the remembered decision");
            let message = message
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default();
            assert!(message.contains("is not the search's"), "{message}");
        } else {
            assert_ne!(
                poisoned.unwrap(),
                searched,
                "the remembered decision sets the page"
            );
        }
    }

    /// A frame set twice is kept, and the next document that sets it with the same inputs
    /// gets it from the memo, the same; a frame whose text differs is set anew. (Debug
    /// builds also set every recalled frame and compare: a key that missed the text would
    /// fail there.)
    #[test]
    fn a_remembered_frame_sets_the_same_page() {
        let mut frames_toml = frame("headline", "headline", 1, 2, "");
        frames_toml.push_str(&frame("sections", "sections", 3, 6, "text_fit = \"fill\""));
        let body = "size = \"6pt\"\nfit = { min = \"4pt\", max = \"20pt\" }";
        let fonts = fonts();
        let (_dir, layout) = tiny_layout(&fonts, "300pt x 300pt", body, &frames_toml);
        let page = |resolved: &Resolved| {
            format!("{:?}", compose(resolved, &layout, &fonts).unwrap().pages)
        };
        let resolved = fixture_edition();
        frames::forget_all();
        let first = page(&resolved);
        assert_eq!(page(&resolved), first);
        let recalled = frames::recalls();
        assert_eq!(
            page(&resolved),
            first,
            "the remembered frames set the same page"
        );
        assert_eq!(frames::recalls(), recalled + 2, "both frames are recalled");
        // Another headline: that frame is set anew, the sections recalled.
        let mut other = resolved.clone();
        let headline = &mut other.blocks.get_mut(&BlockKey::Headline).unwrap()[0];
        headline.markdown = "Another headline".into();
        headline.inline = crate::markup::parse(&headline.markdown);
        let changed = page(&other);
        assert_ne!(changed, first);
        assert_eq!(frames::recalls(), recalled + 3);
        frames::forget_all();
        assert_eq!(page(&other), changed, "as set afresh");
    }

    fn runs(doc: &Document) -> Vec<&GlyphRun> {
        doc.pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text(run) => Some(run),
                _ => None,
            })
            .collect()
    }

    /// A frame that `follows` another starts under that frame's text, wherever it ends:
    /// the one above keeps what it needs, this one takes the rest, and the frame above's
    /// rule ends with its text.
    #[test]
    fn a_frame_that_follows_starts_where_the_text_above_ends() {
        let tops = |definition_rows: u32| {
            let mut frames = frame(
                "definition",
                "definition",
                1,
                definition_rows,
                "rules = [{ side = \"left\", color = \"ink\", width = \"1pt\" }]",
            );
            frames.push_str(&frame("kicker", "kicker", 6, 3, "follows = \"definition\""));
            let doc = compose_tiny("", &frames).unwrap();
            let baselines: Vec<f32> = runs(&doc).iter().map(|r| r.y.0).collect();
            let following = *baselines.last().unwrap();
            let definition_foot = baselines[..baselines.len() - 1]
                .iter()
                .copied()
                .fold(f32::MIN, f32::max);
            let rule_foot = doc.pages[0]
                .items
                .iter()
                .find_map(|i| match i {
                    Item::Line { to, .. } => Some(to.1.0),
                    _ => None,
                })
                .unwrap();
            (definition_foot, following, rule_foot)
        };
        // The definition's three lines (12 pt apart) end well inside its five rows: the
        // edition line moves up to the line under them, not to row 6 (top 120 pt).
        let (foot, following, rule) = tops(5);
        assert!(
            following < 120.0,
            "the following frame stayed at its row: {following}"
        );
        assert!(
            (following - foot - 12.0).abs() < 0.5,
            "the following line on {following}, the definition's last on {foot}"
        );
        // The rule ends under the definition's text, not at its rows' foot (120 pt).
        assert!(
            rule < foot + 4.0,
            "the rule runs to {rule}, the text ends {foot}"
        );
        // Given fewer rows the definition still sets, and the next frame follows it alike.
        let (foot_short, following_short, _) = tops(3);
        assert!((foot_short - foot).abs() < 0.01 && (following_short - following).abs() < 0.01);
    }

    /// A fixed first baseline puts the frame's first line on it in any face and size.
    #[test]
    fn a_fixed_first_baseline_sets_the_first_line_on_it() {
        let fonts = fonts();
        for size in ["8pt", "14pt"] {
            let frames = frame(
                "definition",
                "definition",
                1,
                5,
                "first_baseline = \"17pt\"",
            );
            let body = format!("size = \"{size}\"");
            let (_dir, layout) = tiny_layout(&fonts, "200pt x 200pt", &body, &frames);
            let doc = compose(&fixture_edition(), &layout, &fonts);
            let doc = doc.unwrap_or_else(|e| panic!("{size}: {e:?}"));
            let first = runs(&doc).iter().map(|r| r.y.0).fold(f32::MAX, f32::min);
            // The grid's first row starts at the 20 pt margin.
            assert!(
                (first - 37.0).abs() < 0.01,
                "{size}: first baseline {first}"
            );
        }
    }

    #[test]
    fn fit_policy_shrinks_within_its_range() {
        // Three lines need 36 pt; the frame has 20 pt. Without a policy that is an error …
        assert!(compose_definition(1).is_err());
        // … with one, the type shrinks as far as needed and no further.
        let doc = compose_tiny(
            "fit = { min = \"5pt\" }",
            &frame("definition", "definition", 1, 1, ""),
        )
        .unwrap();
        let size = runs(&doc)[0].size.0;
        assert!((5.0..9.0).contains(&size), "{size}");
        let bottom = runs(&doc).iter().map(|r| r.y.0).fold(0.0, f32::max);
        assert!(bottom <= 40.0 + 0.5, "text stays in the frame: {bottom}");
    }

    #[test]
    fn fit_policy_tightens_then_fails_with_the_amount() {
        // Neither shrinking (to 9.5 pt at most) nor tightening fits 36 pt of text into 20 pt.
        let errors = compose_tiny(
            "fit = { min = \"9.5pt\", tracking_min = -40, remedies = [\"shrink\", \"tighten\"] }",
            &frame("definition", "definition", 1, 1, ""),
        )
        .unwrap_err();
        let message = &errors[0].message;
        assert!(
            message
                .contains("after trying to shrink to 9.5pt and tighten tracking by 40/1000 em: "),
            "{message}"
        );
        assert!(message.contains("mm too tall"), "{message}");
    }

    #[test]
    fn fill_grows_the_type_to_the_frame() {
        let doc = compose_tiny(
            "fit = { min = \"8pt\", max = \"40pt\" }",
            &frame("definition", "definition", 1, 8, "text_fit = \"fill\""),
        )
        .unwrap();
        let size = runs(&doc)[0].size.0;
        assert!(size > 13.0 && size <= 40.0, "{size}");
        let bottom = runs(&doc).iter().map(|r| r.y.0).fold(0.0, f32::max);
        assert!(bottom <= 180.5, "{bottom}");
    }

    /// Lines per frame of a two-frame chain whose first frame holds `capacity` lines of 12
    /// pt, in a measure narrowed by `side` points on each side. The second frame's measure
    /// is as wide but starts 5 pt further right, which tells the frames' lines apart.
    fn split(side: f32, capacity: usize) -> Vec<usize> {
        let bottom = 160.0 - (12.0 * capacity as f32 + 1.0);
        let first =
            format!("inset = \"0pt {side}pt {bottom}pt {side}pt\"\ncontinue_to = \"second\"");
        let second = format!("inset = \"0pt {}pt 0pt {}pt\"", side - 5.0, side + 5.0);
        let frames = format!(
            "{}{}",
            frame("first", "definition", 1, 8, &first),
            frame("second", "", 1, 8, &second)
        );
        let doc = compose_tiny("", &frames).unwrap();
        // Each line's first run starts at its frame's left edge.
        let (first_x, second_x) = (20.0 + side, 20.0 + side + 5.0);
        let mut lines: Vec<(usize, i32)> = runs(&doc)
            .iter()
            .filter_map(|r| {
                let frame = if (r.x.0 - first_x).abs() < 0.01 {
                    0
                } else if (r.x.0 - second_x).abs() < 0.01 {
                    1
                } else {
                    return None;
                };
                Some((frame, r.y.0.round() as i32))
            })
            .collect();
        lines.sort();
        lines.dedup();
        vec![
            lines.iter().filter(|l| l.0 == 0).count(),
            lines.iter().filter(|l| l.0 == 1).count(),
        ]
    }

    #[test]
    fn threaded_text_leaves_no_widow_or_orphan() {
        for side in [15.0, 25.0, 35.0, 45.0] {
            let total: usize = split(side, 13).iter().sum();
            for capacity in 1..total {
                let lines = split(side, capacity);
                assert_eq!(
                    lines.iter().sum::<usize>(),
                    total,
                    "side {side}, capacity {capacity}"
                );
                assert!(
                    lines.iter().all(|&n| n != 1) || total < 2,
                    "a line alone: {lines:?} (side {side}, capacity {capacity}, {total} lines)"
                );
                assert!(lines[0] <= capacity);
            }
        }
        // The usual case: room for all but one line sends two over.
        let total: usize = split(45.0, 13).iter().sum();
        assert!(total >= 5);
        assert_eq!(split(45.0, total - 1), vec![total - 2, 2]);
    }

    #[test]
    fn a_style_at_its_own_max_keeps_its_size_while_the_others_fill() {
        // The callout's figure may shrink but never grows (`max` = its size); its sentence
        // grows to fill the frame, not held back by the figure.
        let frames = format!(
            "[styles.figure]\nfont = \"Noto Sans\"\nsize = \"20pt\"\ncolor = \"ink\"\nfit = {{ min = \"12pt\", max = \"20pt\" }}\n\n{}",
            frame(
                "callout",
                "",
                1,
                8,
                "content = \"callout\"\nstyles = { value = \"figure\", text = \"body\" }\ntext_fit = \"fill\""
            )
        );
        let doc = compose_tiny("fit = { min = \"8pt\", max = \"30pt\" }", &frames).unwrap();
        let sizes: Vec<f32> = runs(&doc).iter().map(|r| r.size.0).collect();
        // The figure is the first run, its sentence the rest.
        let figure = sizes[0];
        let sentence = sizes[1..].iter().copied().fold(f32::MAX, f32::min);
        assert_eq!(figure, 20.0, "{sizes:?}");
        assert!(sentence > 10.5, "the sentence did not grow: {sizes:?}");
    }

    #[test]
    fn an_overflowing_list_of_side_heads_reports_the_height_its_rows_need() {
        // Three figures beside their one-line captions: each row is as tall as its figure,
        // so the height the list needs is about three figures' lines, not the figures and
        // the captions stacked.
        let frames = |rows: u32| {
            format!(
                "[styles.figure]\nfont = \"Noto Sans\"\nsize = \"20pt\"\ncolor = \"ink\"\n\n{}",
                frame(
                    "figures",
                    "",
                    1,
                    rows,
                    "content = \"stats\"\nstyles = { value = \"figure\", caption = \"body\" }\nside_head = { role = \"value\", width = \"40pt\" }"
                )
            )
        };
        let doc = compose_tiny("", &frames(8)).unwrap();
        let figures: Vec<f32> = runs(&doc)
            .iter()
            .filter(|r| r.size.0 == 20.0)
            .map(|r| r.y.0)
            .collect();
        assert_eq!(figures.len(), 3, "{figures:?}");
        // From the frame's top (20 pt) to the last figure's line foot (24 pt lines).
        let taken = figures[2] - 20.0 + 0.3 * 20.0;
        let errors = compose_tiny("", &frames(1)).unwrap_err();
        let message = &errors[0].message;
        let needs: f32 = message
            .split("needs ")
            .nth(1)
            .and_then(|rest| rest.split(" mm").next())
            .and_then(|mm| mm.parse().ok())
            .unwrap_or_else(|| panic!("no amount in {message}"));
        let needs = needs * crate::units::PT_PER_MM;
        assert!(
            (needs - taken).abs() < 0.2 * taken,
            "reports {needs:.1} pt, the rows take about {taken:.1} pt: {message}"
        );
    }

    #[test]
    fn no_word_is_divided_across_threaded_frames() {
        // Hyphenated text split at every height the first frame can have, in several
        // measures: the first frame's last line never ends in the hyphen a break adds (the
        // word goes on whole, with the paragraph when only two lines would stay behind).
        let mut hyphenated = 0;
        for step in 0..24 {
            let side = 10.0 + 2.0 * step as f32;
            for capacity in 1..6 {
                let bottom = 160.0 - (12.0 * capacity as f32 + 1.0);
                let first = format!(
                    "inset = \"0pt {side}pt {bottom}pt {side}pt\"\ncontinue_to = \"second\""
                );
                let frames = format!(
                    "{}{}",
                    frame("first", "definition", 1, 8, &first),
                    frame("second", "", 1, 8, &format!("inset = \"0pt {side}pt\""))
                );
                let Ok(doc) = compose_tiny("hyphenate = true", &frames) else {
                    continue; // too little room for the text in two frames
                };
                hyphenated += runs(&doc).iter().filter(|r| r.text == "-").count();
                // The first frame's runs (frame 0 of the layout), and its lowest line.
                let page = &doc.pages[0];
                let first: Vec<&GlyphRun> = page
                    .regions
                    .iter()
                    .filter(|region| region.frame == 0)
                    .flat_map(|region| &page.items[region.items.clone()])
                    .filter_map(|item| match item {
                        Item::Text(run) => Some(run),
                        _ => None,
                    })
                    .collect();
                let foot = first.iter().map(|r| r.y.0).fold(f32::MIN, f32::max);
                assert!(
                    !first
                        .iter()
                        .any(|r| (r.y.0 - foot).abs() < 0.05 && r.text == "-"),
                    "side {side}, capacity {capacity}: the first frame ends in a divided word"
                );
            }
        }
        assert!(
            hyphenated > 0,
            "no case hyphenated: the test proves nothing"
        );
    }

    #[test]
    fn balanced_lines_are_of_similar_length() {
        let widths = |extra: &str| -> Vec<f32> {
            let doc = compose_tiny(extra, &frame("definition", "definition", 1, 8, "")).unwrap();
            let mut by_line: Vec<(i32, f32)> = Vec::new();
            for run in runs(&doc) {
                let w = run.width().0;
                match by_line
                    .iter_mut()
                    .find(|(y, _)| *y == run.y.0.round() as i32)
                {
                    Some((_, total)) => *total += w,
                    None => by_line.push((run.y.0.round() as i32, w)),
                }
            }
            by_line.into_iter().map(|(_, w)| w).collect()
        };
        let ragged = widths("");
        let balanced = widths("balance = true");
        assert_eq!(ragged.len(), balanced.len());
        let spread = |w: &[f32]| {
            w.iter().cloned().fold(0.0, f32::max) - w.iter().cloned().fold(f32::MAX, f32::min)
        };
        assert!(
            spread(&balanced) < spread(&ragged),
            "{balanced:?} vs {ragged:?}"
        );
    }

    /// The display list keeps glyph advances in em of the run's size: the same word at
    /// two sizes has the same em advances (the font's units over its em), and its width in
    /// points scales with the size.
    #[test]
    fn placed_glyph_advances_are_in_em_of_the_run_size() {
        let fonts = fonts();
        let ink = crate::page::Color {
            name: "ink".into(),
            rgb: [0, 0, 0],
            cmyk: None,
            spot: None,
        };
        let run_at = |size: f32| {
            let anchor = marks::Anchor::Start(Pt::ZERO, Pt::ZERO);
            match marks::text_run("Mom", 400, Pt(size), &ink, anchor, Pt(1000.0), &fonts) {
                Some(Item::Text(run)) => run,
                other => panic!("{other:?}"),
            }
        };
        let (small, large) = (run_at(10.0), run_at(40.0));
        let face = fonts.face(small.font);
        let units = face.shape_units("Mom", false, "en");
        assert_eq!(small.glyphs.len(), units.len());
        for ((s, l), u) in small.glyphs.iter().zip(&large.glyphs).zip(units.iter()) {
            let em = u.x_advance as f32 / face.units_per_em;
            assert!(em > 0.3 && em < 1.2, "{em}");
            assert!((s.x_advance_em - em).abs() < 1e-5, "{s:?} vs {em}");
            assert!((l.x_advance_em - em).abs() < 1e-5, "{l:?} vs {em}");
        }
        assert!((large.width() - 4.0 * small.width()).abs() < Pt(1e-3));
        let em_sum: f32 = units.iter().map(|u| u.x_advance as f32).sum::<f32>() / face.units_per_em;
        assert!(
            (small.width() - Pt(10.0 * em_sum)).abs() < Pt(1e-3),
            "{}",
            small.width()
        );
    }

    #[test]
    fn text_that_fits_is_placed_inside_its_frame() {
        let doc = compose_definition(8).unwrap();
        let runs: Vec<&GlyphRun> = doc.pages[0]
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text(run) => Some(run),
                _ => None,
            })
            .collect();
        assert!(runs.len() >= 3);
        for run in runs {
            assert!(
                run.x.0 >= 20.0 && run.y.0 > 20.0 && run.y.0 < 180.0,
                "{run:?}"
            );
        }
    }

    #[test]
    fn overflow_is_an_error_with_frame_edition_and_amount() {
        // Five lines of 12 pt need 60 pt; one 20 pt row is 40 pt short (14.1 mm).
        let errors = compose_definition(1).unwrap_err();
        assert_eq!(errors.len(), 1);
        let message = &errors[0].message;
        assert!(
            message.starts_with("text does not fit frame `definition` of layout `tiny` for edition statewide (Testland, en, 2027): "),
            "{message}"
        );
        let mm: f32 = message
            .split(": ")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let lines = compose_definition(8).unwrap().pages[0]
            .items
            .iter()
            .filter(|i| matches!(i, Item::Text(r) if r.x.0 == 20.0))
            .count() as f32;
        let expected = (lines * 12.0 - 20.0) / crate::units::PT_PER_MM;
        assert!((mm - expected).abs() < 0.15, "{mm} mm, expected {expected}");
        assert_eq!(errors[0].field.as_deref(), Some("frames[0]"));
        assert!(
            errors[0]
                .hint
                .as_deref()
                .unwrap()
                .contains("blocks.definition.text")
        );
    }

    #[test]
    fn images_contain_or_cover() {
        let area = Rect {
            x: Pt(0.0),
            y: Pt(0.0),
            w: Pt(100.0),
            h: Pt(50.0),
        };
        let contain = fit_image(area, 200, 200, ImageFit::Contain);
        assert_eq!(
            contain,
            Rect {
                x: Pt(25.0),
                y: Pt(0.0),
                w: Pt(50.0),
                h: Pt(50.0)
            }
        );
        let cover = fit_image(area, 200, 200, ImageFit::Cover);
        assert_eq!(
            cover,
            Rect {
                x: Pt(0.0),
                y: Pt(-25.0),
                w: Pt(100.0),
                h: Pt(100.0)
            }
        );
    }
}
