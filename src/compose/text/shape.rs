//! Shape: glyphs for a run of text in one face and direction (harfrust), and a prepared
//! paragraph's measurements — the advance before each byte, hyphen widths — at its size.

use super::{Prepared, ShapedGlyph};
use crate::compose::linebreak;
use crate::fonts::{FontBook, FontId};

impl Prepared {
    fn font_at(&self, at: usize) -> FontId {
        self.spans
            .iter()
            .find(|s| s.range.contains(&at))
            .or(self.spans.last())
            .map(|s| s.font)
            .expect("a paragraph has a span")
    }

    /// The same paragraph at another size and tracking, as [`super::prepare_with`] would give it:
    /// the markup, typography, faces, bidi levels and break opportunities do not depend on
    /// them, so only the measurements (advances, hyphen widths) are redone. Fit searches
    /// try a paragraph at a dozen sizes; this saves re-parsing and re-analysing it each time.
    pub fn resized(&self, size: f32, tracking: f32, fonts: &FontBook) -> Prepared {
        let mut p = self.clone();
        if p.size == size && p.tracking == tracking {
            return p;
        }
        p.size = size;
        p.tracking = tracking;
        p.measure(fonts);
        let hyphens: Vec<(usize, f32)> = p
            .opportunities
            .iter()
            .enumerate()
            .filter(|(_, o)| o.kind == linebreak::Kind::Hyphen)
            .map(|(i, o)| (i, prepared_hyphen_width(&p, o.at, fonts)))
            .collect();
        for (i, width) in hyphens {
            p.opportunities[i].hyphen_width = width;
        }
        p
    }

    /// Shapes every span once and records the advance before each byte offset.
    pub(super) fn measure(&mut self, fonts: &FontBook) {
        let mut per_byte = vec![0.0f32; self.text.len() + 1];
        for span in &self.spans {
            let glyphs = shape(
                &self.text[span.range.clone()],
                span.font,
                self.size,
                self.tracking,
                &self.lang,
                span.rtl,
                fonts,
            );
            for g in &glyphs {
                per_byte[span.range.start + g.range.start] += g.x_advance;
            }
        }
        // The quarter em between Chinese or Japanese and Latin, counted with the character
        // before it (a line that breaks there sets none, and measures a hair long).
        if self.spaces_cjk_latin() {
            let space = crate::typography::CJK_LATIN_SPACE * self.size;
            let mut chars = self.text.char_indices().peekable();
            while let Some((at, c)) = chars.next() {
                if let Some(&(_, next)) = chars.peek()
                    && crate::typography::is_cjk_latin_boundary(c, next)
                {
                    per_byte[at] += space;
                }
            }
        }
        let mut acc = 0.0;
        self.prefix = per_byte
            .iter()
            .map(|w| {
                let before = acc;
                acc += w;
                before
            })
            .collect();
    }
}

impl Prepared {
    /// Whether this paragraph sets a quarter em between its Chinese or Japanese and its
    /// Latin (see [`crate::typography::is_cjk_latin_boundary`]).
    pub(super) fn spaces_cjk_latin(&self) -> bool {
        !self.rtl && (self.lang.starts_with("zh") || self.lang.starts_with("ja"))
    }
}

/// Width of the hyphen added when a line breaks inside a word at `at`, in that word's face.
pub(super) fn prepared_hyphen_width(p: &Prepared, at: usize, fonts: &FontBook) -> f32 {
    let font = p.font_at(at.saturating_sub(1));
    shape("-", font, p.size, p.tracking, &p.lang, false, fonts)
        .iter()
        .map(|g| g.x_advance)
        .sum()
}

/// Shapes `text` in one face and direction with the font's default features (kerning,
/// ligatures, and the script's required forms); adds tracking after each cluster.
/// Glyphs come back in visual (drawing) order.
pub fn shape(
    text: &str,
    font: FontId,
    size: f32,
    tracking: f32,
    lang: &str,
    rtl: bool,
    fonts: &FontBook,
) -> Vec<ShapedGlyph> {
    let face = fonts.face(font);
    let shaped = face.shape_units(text, rtl, lang);
    let scale = size / face.units_per_em;
    let track = tracking / 1000.0 * size;
    // Everything but the size was worked out when the string was shaped (its clusters'
    // ends too): setting it at a size is scaling.
    let mut glyphs: Vec<ShapedGlyph> = shaped
        .iter()
        .map(|g| ShapedGlyph {
            id: g.id,
            x_advance: g.x_advance as f32 * scale,
            x_offset: g.x_offset as f32 * scale,
            y_offset: g.y_offset as f32 * scale,
            range: g.cluster as usize..g.cluster_end as usize,
        })
        .collect();
    if lang.starts_with("zh") || lang.starts_with("ja") {
        squeeze_punctuation_pairs(&mut glyphs, text, face, scale);
        join_dash_pairs(&mut glyphs, text, face, size);
    }
    if track != 0.0 {
        for i in 0..glyphs.len() {
            let last_of_cluster = glyphs
                .get(i + 1)
                .is_none_or(|next| next.range != glyphs[i].range);
            if last_of_cluster {
                glyphs[i].x_advance += track;
            }
        }
    }
    glyphs
}

/// Sets the first of two full-width closing punctuation marks in a row (」。, 。」, ）、) in its
/// half-width form, as Chinese and Japanese typesetting does: each holds half an em of
/// white beside its ink, and set whole the pair reads as a hole in the line. Such a pair
/// never breaks across lines (neither mark may start one), so a paragraph measures as its
/// lines are set.
fn squeeze_punctuation_pairs(
    glyphs: &mut [ShapedGlyph],
    text: &str,
    face: &crate::fonts::Face,
    scale: f32,
) {
    use crate::typography::is_cjk_closing;
    let char_at = |range: &std::ops::Range<usize>| text[range.clone()].chars().next();
    for i in 0..glyphs.len().saturating_sub(1) {
        let (this, next) = (&glyphs[i], &glyphs[i + 1]);
        // One glyph per mark, in reading order (Chinese and Japanese runs are left to right).
        if this.range.len()
            != text[this.range.clone()]
                .chars()
                .next()
                .map_or(0, char::len_utf8)
            || next.range.start != this.range.end
        {
            continue;
        }
        let (Some(c), Some(after)) = (char_at(&this.range), char_at(&next.range)) else {
            continue;
        };
        if !(is_cjk_closing(c) && is_cjk_closing(after)) {
            continue;
        }
        if let Some((advance, offset)) = face.half_width(c) {
            let glyph = &mut glyphs[i];
            glyph.x_offset += offset as f32 * scale;
            glyph.x_advance = advance as f32 * scale;
        }
    }
}

/// Closes the white between the two dashes of a Chinese or Japanese dash (——, a
/// two-em rule): each dash's ink stops short of its advance, and set as they come the pair
/// reads as two (round 51: 的人——能夠). UAX #14 never breaks between the two, so the
/// paragraph measures as its lines are set.
fn join_dash_pairs(glyphs: &mut [ShapedGlyph], text: &str, face: &crate::fonts::Face, size: f32) {
    let is_dash = |g: &ShapedGlyph| matches!(&text[g.range.clone()], "\u{2014}" | "\u{2015}");
    for i in 0..glyphs.len().saturating_sub(1) {
        if !(is_dash(&glyphs[i]) && is_dash(&glyphs[i + 1])) {
            continue;
        }
        let (Some(this), Some(next)) = (
            face.ink_bounds(glyphs[i].id),
            face.ink_bounds(glyphs[i + 1].id),
        ) else {
            continue;
        };
        // White after this dash's ink and before the next one's, in points.
        let gap = (glyphs[i].x_advance / size - this.x_max + next.x_min) * size;
        if gap > 0.0 {
            glyphs[i].x_advance -= gap;
        }
    }
}
