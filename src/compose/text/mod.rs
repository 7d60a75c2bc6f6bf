//! Text: the inline layout engine, one file per stage. A paragraph's inline Markdown becomes
//! plain NFC text with marks (`markup`), the typography is applied, each character gets
//! a bidi level (`bidi`) and a face, falling back where the style's face lacks it
//! (`itemize`); the spans are shaped and measured (`shape`); `compose::linebreak` decides
//! where lines break from a narrow `Breakable`; and broken lines are set — visual
//! reordering, alignment, justification (`lines`). Produces positioned lines, no PDF.

mod bidi;
mod itemize;
mod lines;
mod markup;
mod shape;
mod shared;

use super::linebreak::{self, Opportunity};
use super::typography::Typography;
use crate::fonts::{FontBook, FontId};
use crate::markup::Inline;
use crate::model::layout::{Align, Style};
use crate::page::Color;
use crate::units::Pt;
use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;

use bidi::bidi_levels;
pub use bidi::is_rtl_language;
use markup::parse_markup;
use shape::prepared_hyphen_width;
pub use shape::shape;
pub use shared::{prepare_shared, shared_scope};

/// A stretch of a paragraph in one face, one link and one direction.
#[derive(Debug, Clone)]
pub struct Span {
    pub range: Range<usize>,
    pub font: FontId,
    pub link: Option<String>,
    pub rtl: bool,
}

/// One shaped glyph with its advance and offsets in points at the size it was shaped at.
/// Composing measures, tracks and justifies lines in points; the display list keeps em
/// ([`crate::page::PlacedGlyph`]), made by [`in_em`] when a run is placed.
#[derive(Debug, Clone, PartialEq)]
pub struct ShapedGlyph {
    pub id: u16,
    pub x_advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    /// Byte range of the glyph's cluster in the run's text.
    pub range: Range<usize>,
}

/// The display list's glyphs for `glyphs` shaped at `size`: in reading order
/// ([`logical_order`]), points divided by the size. (The renderer multiplies by the size
/// again; dividing here, once, after ordering in points, is what it used to do itself, so
/// the PDF's numbers are the same.)
pub fn in_em(glyphs: Vec<ShapedGlyph>, size: Pt) -> Vec<crate::page::PlacedGlyph> {
    logical_order(glyphs)
        .into_iter()
        .map(|g| crate::page::PlacedGlyph {
            id: g.id,
            x_advance_em: Pt(g.x_advance) / size,
            x_offset_em: Pt(g.x_offset) / size,
            y_offset_em: Pt(g.y_offset) / size,
            range: g.range,
        })
        .collect()
}

/// A run of glyphs in one font on one line, in visual order, with the text it came from.
#[derive(Debug, Clone)]
pub struct LineRun {
    pub font: FontId,
    pub glyphs: Vec<ShapedGlyph>,
    pub text: String,
    /// x of the run's start relative to the line start.
    pub x: f32,
    pub width: f32,
    pub link: Option<String>,
    /// Where the run's text starts in the paragraph (bytes): runs come in visual order,
    /// and this gives their reading order back.
    pub start: usize,
    /// The run's direction.
    pub rtl: bool,
}

/// A run's glyphs in the order they are read (the order the display list and the PDF
/// keep them in), each still landing where it was set.
///
/// Shaping returns a right-to-left run in visual order; written that way, a reader of the
/// content stream gets the word backwards, and krilla's `/ReversedChars` (which would
/// undo that) cannot apply to a run whose marks share their letter's cluster. So the
/// glyphs are written cluster by cluster in logical order, the pen stepping right to left:
/// each glyph keeps its own offset, and the advances jump the pen to the next glyph's
/// place; they still add up to the run's width. Left-to-right runs come back unchanged.
pub fn logical_order(glyphs: Vec<ShapedGlyph>) -> Vec<ShapedGlyph> {
    if glyphs
        .windows(2)
        .all(|w| w[0].range.start <= w[1].range.start)
    {
        return glyphs;
    }
    // Where each glyph's pen stood when it was set in visual order.
    let mut pens = Vec::with_capacity(glyphs.len());
    let mut pen = 0.0;
    for g in &glyphs {
        pens.push(pen);
        pen += g.x_advance;
    }
    let width = pen;
    let mut order: Vec<usize> = (0..glyphs.len()).collect();
    // Stable: the glyphs of one cluster keep their visual order among themselves.
    order.sort_by_key(|&i| glyphs[i].range.start);
    let mut out = Vec::with_capacity(glyphs.len());
    let mut pen = 0.0;
    for (k, &i) in order.iter().enumerate() {
        let next = order.get(k + 1).map_or(width, |&j| pens[j]);
        out.push(ShapedGlyph {
            x_offset: glyphs[i].x_offset + pens[i] - pen,
            x_advance: next - pen,
            ..glyphs[i].clone()
        });
        pen = next;
    }
    out
}

/// A set line: its runs, its natural width, and the offset alignment gives it.
#[derive(Debug, Clone)]
pub struct Line {
    pub runs: Vec<LineRun>,
    pub width: f32,
    pub x: f32,
    /// Byte range in the paragraph text.
    pub range: Range<usize>,
    /// The line ends inside a word, and the run at its logical end carries the hyphen
    /// added there (its last character, not in the paragraph's text).
    pub hyphenated: bool,
}

/// A paragraph with its markup parsed, faces chosen and directions resolved, ready to
/// break into lines.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub text: String,
    pub spans: Vec<Span>,
    pub size: f32,
    pub tracking: f32,
    pub align: Align,
    pub lang: String,
    /// The paragraph's base direction is right-to-left (Arabic, Farsi, Hebrew, Urdu).
    pub rtl: bool,
    /// Bidi embedding level of each byte.
    levels: Vec<u8>,
    /// Advance of the text before each byte offset (prefix sums), for measuring.
    prefix: Vec<f32>,
    /// Where lines may break, with hyphenation points when the style hyphenates.
    pub(crate) opportunities: Vec<Opportunity>,
    /// At most this many hyphenated lines in a row (0: no limit).
    pub(crate) hyphen_limit: usize,
    /// Keep a single word (CJK: a single character) off the last line where possible.
    pub(crate) avoid_runts: bool,
    /// Line breaks already found at these measurements (see [`Prepared::break_lines`]).
    pub(crate) broken: BreakMemo,
}

/// The line breaks a paragraph already gave, by where they start, the measure and the
/// size and tracking it was measured at, and the lines it set from them: fit searches,
/// balancing and the height estimate ask a paragraph for the same breaks and lines many
/// times (total fit was a sixth of a batch's time, setting lines a tenth of a flyer's).
/// Shared by a paragraph's copies at every size ([`Prepared::resized`]): everything a
/// break or a set line depends on but the size and tracking is fixed when the paragraph
/// is prepared, so a fit search that comes back to a size finds its answers. The lines
/// are kept for one size and tracking at a time (balancing places the blocks of one size
/// a dozen times): kept for every size a search tried, they raised a whole kit's peak
/// memory by 2 MB.
#[derive(Debug, Clone, Default)]
pub(crate) struct BreakMemo(Rc<RefCell<Memo>>);

#[derive(Debug, Default)]
pub(crate) struct Memo {
    pub(crate) breaks: crate::MemoMap<BreakKey, Result<Vec<linebreak::Break>, TextError>>,
    pub(crate) lines: crate::MemoMap<LineKey, Line>,
    /// The size and tracking (their bits) of the lines in `lines`.
    pub(crate) lines_at: (u32, u32),
}

/// Start, measure, size and tracking (the floats by their bits).
pub(crate) type BreakKey = (usize, u32, u32, u32);

/// The line's range, whether it ends hyphenated, the measure (its bits) and whether it is
/// the paragraph's last line.
pub(crate) type LineKey = (usize, usize, bool, u32, bool);

/// A character no loaded font can draw.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingGlyph {
    pub character: char,
    /// The families tried, in order.
    pub tried: Vec<String>,
}

/// Text problems compose turns into diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub enum TextError {
    MissingGlyphs(Vec<MissingGlyph>),
    /// A piece of text between break opportunities is wider than the frame.
    TooWide {
        word: String,
        excess: f32,
    },
}

/// [`prepare_with`] inline Markdown and the default typography (curly quotes, en dashes,
/// place names kept together, hyphenation limits), for tests that start from a string.
pub fn prepare(
    markdown: &str,
    style: &Style,
    fonts: &FontBook,
    lang: &str,
) -> Result<Prepared, TextError> {
    let inline = crate::markup::parse(markdown);
    prepare_with(&inline, style, fonts, lang, &Typography::default())
}

/// Turns parsed inline Markdown (bold, italic, links, hard breaks) into plain NFC text, applies
/// the typography (quotes, dashes), picks a face for every character (falling back per
/// character where the style's face lacks it), resolves bidi levels, shapes and measures.
pub fn prepare_with(
    inline: &Inline,
    style: &Style,
    fonts: &FontBook,
    lang: &str,
    typography: &Typography,
) -> Result<Prepared, TextError> {
    let (typed, mut marks) = parse_markup(inline, style.transform);
    let (text, moved) = super::typography::apply(&typed, lang, typography);
    for mark in &mut marks {
        mark.range = moved[mark.range.start]..moved[mark.range.end];
    }
    let rtl = is_rtl_language(lang);
    let levels = bidi_levels(&text, rtl);

    let spans = itemize::itemize(&text, &marks, &levels, style, fonts, lang)?;

    let mut prepared = Prepared {
        text,
        spans,
        size: style.size.0,
        tracking: style.tracking,
        align: style.align,
        lang: lang.to_string(),
        rtl,
        levels,
        prefix: Vec::new(),
        opportunities: Vec::new(),
        hyphen_limit: typography.hyphen_limit,
        avoid_runts: typography.avoid_runts,
        broken: BreakMemo::default(),
    };
    prepared.measure(fonts);
    let links: Vec<Range<usize>> = prepared
        .spans
        .iter()
        .filter(|s| s.link.is_some())
        .map(|s| s.range.clone())
        .collect();
    let kept = super::typography::kept_phrases(&prepared.text, &typography.keep_together);
    prepared.opportunities = linebreak::opportunities(
        &prepared.text,
        lang,
        linebreak::Breaking {
            hyphenate: style.hyphenate,
            justified: style.align == Align::Justify,
        },
        &links,
        &kept,
        typography,
        |at| prepared_hyphen_width(&prepared, at, fonts),
    );
    Ok(prepared)
}

/// The colour a run is painted in: links take the style's link colour.
pub fn run_color<'a>(style: &'a Style, run: &LineRun) -> &'a Color {
    match (&run.link, &style.link_color) {
        (Some(_), Some(c)) => c,
        _ => &style.color,
    }
}

#[cfg(test)]
pub(crate) mod tests;
