//! Ink: where the glyphs of a set line really put ink — each glyph's outline bounds, in
//! whatever face the line fell back to — how far apart two baselines must be for two lines'
//! ink to keep a gap, and the check that finds lines of one frame whose ink overlaps.
//!
//! Leading alone cannot promise that lines stay apart: a Vietnamese capital with stacked
//! marks (Ấ) rises well above the cap height, Arabic letters descend below the Latin
//! descender, and a figure's comma hangs under its baseline into a caption set close below.

use super::text::{Line, ShapedGlyph};
use super::{Document, GlyphRun, Item};
use crate::diag::Diagnostic;
use crate::fonts::{FontBook, FontId};
use crate::model::layout::Layout;
use crate::resolve::Edition;

/// Overlaps thinner than this (pt) are rounding, not ink.
const EPSILON: f32 = 0.01;

/// One glyph's ink: `x0..x1` across (from the origin the caller chose), and how far it
/// reaches `above` and `below` its baseline, in points (a mark lifted off the baseline
/// can have a negative `below`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InkBox {
    pub x0: f32,
    pub x1: f32,
    pub above: f32,
    pub below: f32,
}

/// A glyph as ink measuring needs it: id, advance, x and y offsets, in points.
type GlyphPt = (u16, f32, f32, f32);

/// The ink boxes of glyphs set from pen position `x` at `size`.
fn glyph_boxes(
    font: FontId,
    size: f32,
    x: f32,
    glyphs: impl Iterator<Item = GlyphPt>,
    fonts: &FontBook,
    out: &mut Vec<InkBox>,
) {
    let face = fonts.face(font);
    let mut pen = x;
    for (id, advance, x_offset, y_offset) in glyphs {
        if let Some(b) = face.ink_bounds(id) {
            let origin = pen + x_offset;
            out.push(InkBox {
                x0: origin + b.x_min * size,
                x1: origin + b.x_max * size,
                above: b.y_max * size + y_offset,
                below: -b.y_min * size - y_offset,
            });
        }
        pen += advance;
    }
}

/// A composed line's glyphs, already in points.
fn shaped_pt(glyphs: &[ShapedGlyph]) -> impl Iterator<Item = GlyphPt> + '_ {
    glyphs
        .iter()
        .map(|g| (g.id, g.x_advance, g.x_offset, g.y_offset))
}

/// A placed run's glyphs, from em to points at the run's size.
fn placed_pt(run: &GlyphRun) -> impl Iterator<Item = GlyphPt> + '_ {
    let size = run.size.0;
    run.glyphs.iter().map(move |g| {
        (
            g.id,
            g.x_advance_em * size,
            g.x_offset_em * size,
            g.y_offset_em * size,
        )
    })
}

/// The ink of a set line, x from the start of its measure.
pub fn line_boxes(line: &Line, size: f32, fonts: &FontBook) -> Vec<InkBox> {
    // At most a box a glyph: grown one push at a time, this was half the call's cost.
    let mut out = Vec::with_capacity(line.runs.iter().map(|r| r.glyphs.len()).sum());
    for run in &line.runs {
        glyph_boxes(
            run.font,
            size,
            line.x + run.x,
            shaped_pt(&run.glyphs),
            fonts,
            &mut out,
        );
    }
    out
}

/// The least baseline-to-baseline distance at which no glyph of `lower` comes within `gap`
/// of a glyph of `upper` above it; at least `natural`. Only glyphs that overlap across
/// (within `gap`) constrain each other, so a descender over a space costs nothing.
pub fn clearance(upper: &[InkBox], lower: &[InkBox], gap: f32, natural: f32) -> f32 {
    let deepest = upper.iter().map(|b| b.below).fold(f32::MIN, f32::max);
    let highest = lower.iter().map(|b| b.above).fold(f32::MIN, f32::max);
    // Most line pairs are far apart for any pairing of their glyphs.
    if deepest + highest + gap <= natural {
        return natural;
    }
    let mut needed = natural;
    for a in upper {
        for b in lower {
            if a.x0 < b.x1 + gap && b.x0 < a.x1 + gap {
                needed = needed.max(a.below + b.above + gap);
            }
        }
    }
    needed
}

/// Two lines of one frame whose ink overlaps.
#[derive(Debug, Clone, PartialEq)]
pub struct Collision {
    /// Index of the frame in the layout.
    pub frame: usize,
    /// Page, from 0.
    pub page: usize,
    /// The lines, numbered from 1 within the frame top to bottom, with their text.
    pub upper: (usize, String),
    pub lower: (usize, String),
    /// How far the ink overlaps vertically (pt): the lower line would have to move down
    /// this much for the two to touch at most.
    pub overlap: f32,
}

/// A line of a composed frame: baseline, ink in page coordinates across, and its text.
struct PageLine {
    y: f32,
    ink: Vec<InkBox>,
    text: String,
}

/// Every pair of lines within one frame whose glyph ink overlaps, from the display list
/// (what will be drawn, whatever made it so).
pub fn collisions(doc: &Document, fonts: &FontBook) -> Vec<Collision> {
    let mut found = Vec::new();
    for (page_index, page) in doc.pages.iter().enumerate() {
        for region in &page.regions {
            let mut lines: Vec<PageLine> = Vec::new();
            for item in &page.items[region.items.clone()] {
                let Item::Text(run) = item else { continue };
                // Runs of one line share its baseline exactly.
                let at = match lines.iter().position(|l| (l.y - run.y.0).abs() < EPSILON) {
                    Some(at) => at,
                    None => {
                        lines.push(PageLine {
                            y: run.y.0,
                            ink: Vec::new(),
                            text: String::new(),
                        });
                        lines.len() - 1
                    }
                };
                let line = &mut lines[at];
                // Room for the run's glyphs at once: grown a box at a time, the vectors'
                // growing had been a third of the check.
                line.ink.reserve(run.glyphs.len());
                glyph_boxes(
                    run.font,
                    run.size.0,
                    run.x.0,
                    placed_pt(run),
                    fonts,
                    &mut line.ink,
                );
                line.text.push_str(&run.text);
            }
            lines.sort_by(|a, b| a.y.total_cmp(&b.y));
            // Each line's tallest ink above and below its baseline, found once: every pair
            // of lines asks for it.
            let reach: Vec<(f32, f32)> = lines.iter().map(PageLine::reach).collect();
            let tallest_above = reach.iter().fold(0.0f32, |m, r| m.max(r.0));
            for (i, a) in lines.iter().enumerate() {
                for (j, b) in lines.iter().enumerate().skip(i + 1) {
                    // Lines come by baseline: once one's ink, however tall, starts below
                    // this line's, so does every later one's.
                    if b.y - tallest_above - (a.y + reach[i].1) > EPSILON {
                        break;
                    }
                    let overlap = overlap(a, reach[i], b, reach[j]);
                    if overlap > EPSILON {
                        found.push(Collision {
                            frame: region.frame,
                            page: page_index,
                            upper: (i + 1, snippet(&a.text)),
                            lower: (j + 1, snippet(&b.text)),
                            overlap,
                        });
                    }
                }
            }
        }
    }
    found
}

/// The deepest vertical overlap of two glyphs that also overlap across (0 if none).
impl PageLine {
    /// The line's tallest ink above and below its baseline.
    fn reach(&self) -> (f32, f32) {
        self.ink.iter().fold((0.0f32, 0.0f32), |(up, down), g| {
            (up.max(g.above), down.max(g.below))
        })
    }
}

/// How far the ink of lines `a` and `b` overlaps, given each one's [`PageLine::reach`].
fn overlap(
    a: &PageLine,
    (a_up, a_down): (f32, f32),
    b: &PageLine,
    (b_up, b_down): (f32, f32),
) -> f32 {
    // No glyph pair can overlap more than the lines' tallest ink does: most pairs of lines
    // in a frame are far apart, and comparing every glyph with every glyph is quadratic.
    if (a.y + a_down).min(b.y + b_down) - (a.y - a_up).max(b.y - b_up) <= EPSILON {
        return 0.0;
    }
    let mut worst = 0.0f32;
    for ga in &a.ink {
        for gb in &b.ink {
            let across = ga.x1.min(gb.x1) - ga.x0.max(gb.x0);
            if across <= EPSILON {
                continue;
            }
            // y grows downwards: ink spans baseline - above .. baseline + below.
            let top = (a.y - ga.above).max(b.y - gb.above);
            let bottom = (a.y + ga.below).min(b.y + gb.below);
            worst = worst.max(bottom - top);
        }
    }
    worst
}

/// A line's text for a message: trimmed, at most 40 characters.
fn snippet(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The `check` and preflight finding for every collision in a composed document: an error,
/// since touching marks change how a word reads (Ấ over Ạ reads as a dot below).
pub fn findings(
    doc: &Document,
    layout: &Layout,
    edition: &Edition,
    fonts: &FontBook,
) -> Vec<Diagnostic> {
    collisions(doc, fonts)
        .into_iter()
        .map(|c| {
            let frame = &layout.frames[c.frame];
            Diagnostic::error(format!(
                "ink of lines {} and {} in frame `{}` of layout `{}` overlaps by {:.2} pt (\"{}\" / \"{}\"), page {}, edition {}",
                c.upper.0,
                c.lower.0,
                frame.id,
                layout.name,
                c.overlap,
                c.upper.1,
                c.lower.1,
                c.page + 1,
                edition
            ))
            .at(frame.location.clone())
            .field(format!("frames[{}]", frame.index))
            .hint("let lines make room for their ink (remove `keep_leading`), or raise the style's leading for this language")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(x0: f32, x1: f32, above: f32, below: f32) -> InkBox {
        InkBox {
            x0,
            x1,
            above,
            below,
        }
    }

    #[test]
    fn only_glyphs_over_each_other_push_lines_apart() {
        // A descender 4 pt deep over a mark 12 pt high, with a 1 pt gap: 17 pt.
        let upper = [b(0.0, 5.0, 7.0, 4.0), b(10.0, 15.0, 7.0, 0.0)];
        let lower = [b(2.0, 6.0, 12.0, 0.0)];
        assert_eq!(clearance(&upper, &lower, 1.0, 12.0), 17.0);
        // The same mark under the letter without a descender needs only 13 pt.
        let lower = [b(11.0, 14.0, 12.0, 0.0)];
        assert_eq!(clearance(&upper, &lower, 1.0, 12.0), 13.0);
        // Far enough apart already: the natural distance stands.
        assert_eq!(clearance(&upper, &lower, 1.0, 20.0), 20.0);
        // Glyphs side by side within the gap still count.
        let lower = [b(15.5, 18.0, 12.0, 0.0)];
        assert_eq!(clearance(&upper, &lower, 1.0, 12.0), 13.0);
        let lower = [b(16.5, 18.0, 12.0, 0.0)];
        assert_eq!(clearance(&upper, &lower, 1.0, 12.0), 12.0);
    }
}
