//! Set lines: a broken line shaped and positioned in visual order, aligned or justified,
//! with the space at its end kept for text extraction; and the paragraph as the line
//! breaker sees it.

use super::{Line, LineRun, Prepared, ShapedGlyph, TextError, shape};
use crate::compose::linebreak::{self, Break};
use crate::compose::typography::{is_cjk_punctuation, takes_letter_spacing};
use crate::fonts::FontBook;
use crate::model::layout::Align;
use std::ops::Range;

impl Prepared {
    /// Adds a zero-width space glyph at the logical end of a line: in the last run's own
    /// font when it has a space (CJK subsets may not), else as a run of its own.
    fn keep_line_end_space(&self, runs: &mut Vec<LineRun>, fonts: &FontBook) {
        // The logical end is the run that starts last in the text, whatever its direction
        // or its place on the line (a phone number ending an Arabic line).
        let Some(at_end) = (0..runs.len()).max_by_key(|&i| runs[i].start) else {
            return;
        };
        let run = &mut runs[at_end];
        let own_font = fonts.covers(run.font, ' ');
        let font = if own_font {
            run.font
        } else {
            match fonts.fallback(' ', 400, false, &self.lang) {
                Some(font) => font,
                None => return,
            }
        };
        let Some(space) = shape(" ", font, self.size, 0.0, &self.lang, false, fonts).pop() else {
            return;
        };
        let zero_width = |at: usize| ShapedGlyph {
            x_advance: 0.0,
            x_offset: 0.0,
            y_offset: 0.0,
            range: at..at + 1,
            ..space
        };
        if own_font {
            let glyph = zero_width(run.text.len());
            run.text.push(' ');
            // Glyphs are in visual order: a right-to-left run ends on the left.
            if run.rtl {
                run.glyphs.insert(0, glyph);
            } else {
                run.glyphs.push(glyph);
            }
        } else {
            let (x, rtl) = if run.rtl {
                (run.x, true)
            } else {
                (run.x + run.width, false)
            };
            let spacer = LineRun {
                font,
                glyphs: vec![zero_width(0)],
                text: " ".into(),
                x,
                width: 0.0,
                link: None,
                start: run.start + run.text.len(),
                rtl,
            };
            runs.insert(if rtl { at_end } else { at_end + 1 }, spacer);
        }
    }

    /// End of `range` without trailing white space (which hangs past the line end).
    pub(crate) fn trimmed_end(&self, start: usize, end: usize) -> usize {
        start + self.text[start..end].trim_end().len()
    }

    /// Breaks the text from byte `from` into lines no wider than `width` (total fit).
    /// The same question gives the answer it gave before (see `BreakMemo`).
    pub fn break_lines(&self, from: usize, width: f32) -> Result<Vec<Break>, TextError> {
        let key = (
            from,
            width.to_bits(),
            self.size.to_bits(),
            self.tracking.to_bits(),
        );
        if let Some(found) = self.broken.0.borrow().breaks.get(&key) {
            return found.clone();
        }
        let found = linebreak::total_fit(&self.breakable(), from, width)
            .map_err(|linebreak::TooWide { word, excess }| TextError::TooWide { word, excess });
        self.broken.0.borrow_mut().breaks.insert(key, found.clone());
        found
    }

    /// The paragraph as the line breaker sees it.
    pub(crate) fn breakable(&self) -> linebreak::Breakable<'_> {
        linebreak::Breakable {
            text: &self.text,
            prefix: &self.prefix,
            size: self.size,
            justified: self.align == Align::Justify,
            opportunities: &self.opportunities,
            hyphen_limit: self.hyphen_limit,
            avoid_runts: self.avoid_runts,
        }
    }

    /// Shapes and positions one line in visual order, applying alignment (and
    /// justification unless it is the paragraph's last line or ends at a forced break).
    /// Alignment is relative to the paragraph direction: `left` means the start side.
    /// The same line asked for again is the line set before (see `BreakMemo`).
    pub fn set_line(&self, brk: &Break, width: f32, last: bool, fonts: &FontBook) -> Line {
        let key = (
            brk.range.start,
            brk.range.end,
            brk.hyphen,
            width.to_bits(),
            last,
        );
        let at = (self.size.to_bits(), self.tracking.to_bits());
        {
            let memo = self.broken.0.borrow();
            if memo.lines_at == at
                && let Some(line) = memo.lines.get(&key)
            {
                return line.clone();
            }
        }
        let line = self.set_line_afresh(brk, width, last, fonts);
        let mut memo = self.broken.0.borrow_mut();
        if memo.lines_at != at {
            memo.lines.clear();
            memo.lines_at = at;
        }
        memo.lines.insert(key, line.clone());
        line
    }

    fn set_line_afresh(&self, brk: &Break, width: f32, last: bool, fonts: &FontBook) -> Line {
        let range = brk.range.clone();
        let forced = self.text[range.clone()].ends_with('\n');
        let end = self.trimmed_end(range.start, range.end);
        let mut runs = Vec::new();
        let mut x = 0.0;
        for (piece, rtl, hyphen) in self.visual_pieces(range.start..end, brk.hyphen) {
            for span in self.spans_in(&piece, rtl) {
                let mut text = self.text[span.clone()].to_string();
                let (font, link) = {
                    let s = self
                        .spans
                        .iter()
                        .find(|s| s.range.contains(&span.start))
                        .expect("span");
                    (s.font, s.link.clone())
                };
                if hyphen && span.end == end {
                    text.push('-');
                }
                let glyphs = shape(
                    &text,
                    font,
                    self.size,
                    self.tracking,
                    &self.lang,
                    rtl,
                    fonts,
                );
                let run_width: f32 = glyphs.iter().map(|g| g.x_advance).sum();
                runs.push(LineRun {
                    font,
                    glyphs,
                    text,
                    x,
                    width: run_width,
                    link,
                    start: span.start,
                    rtl,
                });
                x += run_width;
            }
        }
        x += self.space_cjk_latin(&mut runs);
        x -= self.open_flush_at_line_start(&mut runs, fonts);
        // A line that ended at a space or a hard break keeps a space as an invisible, zero-width glyph, so text
        // extraction and screen readers see the word boundary ("the threat", not
        // "thethreat"); tagged PDF asks for explicit spaces.
        if end < range.end {
            self.keep_line_end_space(&mut runs, fonts);
        }
        let natural = x;
        let mut line = Line {
            runs,
            width: natural,
            x: 0.0,
            range,
            hyphenated: brk.hyphen,
        };
        // Total fit may choose a justified line a little wider than the measure, to be
        // shrunk at its spaces; every other line has room to spare.
        let overfull = width - natural;
        let slack = overfull.max(0.0);
        let start_side = if self.rtl { slack } else { 0.0 };
        let end_side = if self.rtl { 0.0 } else { slack };
        match self.align {
            Align::Left => line.x = start_side,
            Align::Center => line.x = slack / 2.0,
            Align::Right => line.x = end_side,
            Align::Justify if !last && !forced => justify(&mut line, overfull),
            Align::Justify => line.x = start_side,
        }
        line
    }

    /// Where a Chinese or Japanese character and a Latin letter or figure meet on the line
    /// (either way round), widens the earlier one's last glyph by a quarter em, as `measure`
    /// counted it; nothing at the line's end. Returns the width added.
    fn space_cjk_latin(&self, runs: &mut [LineRun]) -> f32 {
        if !self.spaces_cjk_latin() {
            return 0.0;
        }
        let space = crate::typography::CJK_LATIN_SPACE * self.size;
        // Every cluster on the line in order, as (run, its last glyph, its first and last
        // characters): the boundary is between one cluster's last character and the next
        // one's first, as `measure` reads the text (a kanji with a variation selector).
        let mut clusters: Vec<(usize, usize, char, char)> = Vec::new();
        for (r, run) in runs.iter().enumerate() {
            for (g, glyph) in run.glyphs.iter().enumerate() {
                let ends_cluster = run.glyphs.get(g + 1).is_none_or(|n| n.range != glyph.range);
                let text = &run.text[glyph.range.clone()];
                if let (Some(first), Some(last)) = (text.chars().next(), text.chars().next_back())
                    && ends_cluster
                {
                    clusters.push((r, g, first, last));
                }
            }
        }
        let mut added = 0.0;
        for pair in clusters.windows(2) {
            let ((r, g, _, before), (_, _, after, _)) = (pair[0], pair[1]);
            if crate::typography::is_cjk_latin_boundary(before, after) {
                runs[r].glyphs[g].x_advance += space;
                runs[r].width += space;
                added += space;
            }
        }
        if added > 0.0 {
            let mut x = runs.first().map_or(0.0, |r| r.x);
            for run in runs.iter_mut() {
                run.x = x;
                x += run.width;
            }
        }
        added
    }

    /// Sets a full-width opening bracket that starts a Chinese or Japanese line in its
    /// half-width form (the face's `halt`), its ink flush with the measure: set whole, its
    /// white read as an indent (round 49: （CDSS） at a line's start). Returns the width
    /// taken off (the line's justification spreads it).
    fn open_flush_at_line_start(&self, runs: &mut [LineRun], fonts: &FontBook) -> f32 {
        if self.rtl || !(self.lang.starts_with("zh") || self.lang.starts_with("ja")) {
            return 0.0;
        }
        let Some(run) = runs.first_mut() else {
            return 0.0;
        };
        let Some(glyph) = run.glyphs.first_mut() else {
            return 0.0;
        };
        let Some(c) = run.text[glyph.range.clone()].chars().next() else {
            return 0.0;
        };
        if !crate::typography::is_cjk_opening(c) {
            return 0.0;
        }
        let face = fonts.face(run.font);
        let Some((advance, offset)) = face.half_width(c) else {
            return 0.0;
        };
        let scale = self.size / face.units_per_em;
        let taken = glyph.x_advance - advance as f32 * scale;
        glyph.x_advance -= taken;
        glyph.x_offset += offset as f32 * scale;
        run.width -= taken;
        for later in runs.iter_mut().skip(1) {
            later.x -= taken;
        }
        taken
    }

    /// The span pieces of a level run, in drawing order.
    fn spans_in(&self, piece: &Range<usize>, rtl: bool) -> Vec<Range<usize>> {
        let mut pieces: Vec<Range<usize>> = self
            .spans
            .iter()
            .filter_map(|s| {
                let a = s.range.start.max(piece.start);
                let b = s.range.end.min(piece.end);
                (a < b).then_some(a..b)
            })
            .collect();
        if rtl {
            pieces.reverse();
        }
        pieces
    }
}

/// Spreads `slack` over the spaces of a line, and over the gaps after its ideographs and
/// Hangul syllables (CJK is justified between characters): each gap takes an equal share, so a line of
/// Chinese with a few Latin words is flush too. No gap follows the line's last glyph, and
/// none opens beside full-width punctuation (、。，「」…), whose em box already holds its
/// own half-em of white: spread there, a pair such as 」。 read as a hole in the line.
fn justify(line: &mut Line, slack: f32) {
    // The zero-width space kept at a line's end (for text extraction) does not stretch.
    let stretches = |run: &LineRun, g: &ShapedGlyph| {
        let cluster = &run.text[g.range.clone()];
        (cluster == " " || cluster.starts_with(takes_letter_spacing)) && g.x_advance > 0.0
    };
    let first_char = |run: &LineRun, g: &ShapedGlyph| run.text[g.range.clone()].chars().next();
    // Glyphs in drawing order; only the last glyph of a cluster takes the gap after it.
    let mut gaps: Vec<(usize, usize)> = Vec::new();
    // Gaps with full-width punctuation on either side: used only when a line has no other.
    let mut beside_punctuation: Vec<(usize, usize)> = Vec::new();
    // The visible cluster before the current one, as (run, glyph) of its last glyph and
    // whether it may stretch, waiting to learn what follows it.
    let mut pending: Option<((usize, usize), bool, bool)> = None;
    for (r, run) in line.runs.iter().enumerate() {
        for (g, glyph) in run.glyphs.iter().enumerate() {
            if glyph.x_advance <= 0.0 {
                continue;
            }
            let punctuation = first_char(run, glyph).is_some_and(is_cjk_punctuation);
            let starts_cluster = g == 0 || run.glyphs[g - 1].range != glyph.range;
            if starts_cluster && let Some((gap, stretchy, after_punctuation)) = pending.take() {
                match (stretchy, after_punctuation || punctuation) {
                    (true, false) => gaps.push(gap),
                    (true, true) => beside_punctuation.push(gap),
                    _ => {}
                }
            }
            let ends_cluster = run.glyphs.get(g + 1).is_none_or(|n| n.range != glyph.range);
            if ends_cluster {
                pending = Some(((r, g), stretches(run, glyph), punctuation));
            }
        }
    }
    // The visually last glyph (`pending` now) takes no gap: the line's right edge, or
    // left in right-to-left.
    if gaps.is_empty() {
        gaps = beside_punctuation;
    }
    if gaps.is_empty() {
        return;
    }
    let extra = slack / gaps.len() as f32;
    for &(r, g) in &gaps {
        line.runs[r].glyphs[g].x_advance += extra;
    }
    let mut x = 0.0;
    for run in &mut line.runs {
        run.x = x;
        run.width = run.glyphs.iter().map(|g| g.x_advance).sum();
        x += run.width;
    }
    line.width = x;
}
