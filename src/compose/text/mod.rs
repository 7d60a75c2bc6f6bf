//! Text: inline Markdown to styled runs — NFC normalization, per-character font fallback,
//! bidi levels (unicode-bidi), shaping (rustybuzz) — and setting broken lines: visual
//! reordering, alignment, justification. Produces positioned lines, no PDF. Where lines
//! break is decided in `linebreak`.

use super::linebreak::{self, Break, Opportunity};
use super::typography::{Typography, takes_letter_spacing};
use crate::fonts::{FontBook, FontId};
use crate::model::layout::{Align, Color, Style, TextTransform};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;
use unicode_normalization::UnicodeNormalization;

/// A stretch of a paragraph in one face, one link and one direction.
#[derive(Debug, Clone)]
pub struct Span {
    pub range: Range<usize>,
    pub font: FontId,
    pub link: Option<String>,
    pub rtl: bool,
}

pub use crate::page::PlacedGlyph;

/// A run of glyphs in one font on one line, in visual order, with the text it came from.
#[derive(Debug, Clone)]
pub struct LineRun {
    pub font: FontId,
    pub glyphs: Vec<PlacedGlyph>,
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
}

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

/// Languages written right to left.
pub fn is_rtl_language(lang: &str) -> bool {
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(
        primary.as_str(),
        "ar" | "fa" | "he" | "ur" | "ps" | "yi" | "syr"
    )
}

/// [`prepare_with`] the default typography (curly quotes, en dashes, place names kept
/// together, hyphenation limits).
pub fn prepare(
    markdown: &str,
    style: &Style,
    fonts: &FontBook,
    lang: &str,
) -> Result<Prepared, TextError> {
    prepare_with(markdown, style, fonts, lang, &Typography::default())
}

/// Parses inline Markdown (bold, italic, links, hard breaks) into plain NFC text, applies
/// the typography (quotes, dashes), picks a face for every character (falling back per
/// character where the style's face lacks it), resolves bidi levels, shapes and measures.
pub fn prepare_with(
    markdown: &str,
    style: &Style,
    fonts: &FontBook,
    lang: &str,
    typography: &Typography,
) -> Result<Prepared, TextError> {
    let (typed, mut marks) = parse_markup(markdown, style.transform);
    let (text, moved) = super::typography::apply(&typed, lang, typography);
    for mark in &mut marks {
        mark.range = moved[mark.range.start]..moved[mark.range.end];
    }
    let rtl = is_rtl_language(lang);
    let levels = bidi_levels(&text, rtl);

    // Faces: the style's (bold/italic variants for marked-up text), else a fallback.
    let mut missing: Vec<MissingGlyph> = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut previous: Option<FontId> = None;
    for (i, c) in text.char_indices() {
        let mark = marks
            .iter()
            .find(|m| m.range.contains(&i))
            .expect("every byte is marked");
        let weight = if mark.bold {
            style.weight.max(700)
        } else {
            style.weight
        };
        let italic = style.italic ^ mark.italic;
        let own = fonts
            .select(&style.font, weight, italic)
            .expect("layout styles name loaded families");
        let font = if fonts.covers(own, c) {
            own
        } else if let Some(prev) = previous.filter(|&p| joins_previous(c) && fonts.covers(p, c)) {
            prev
        } else if c == '\n' || c.is_whitespace() {
            previous.unwrap_or(own)
        } else {
            match fonts.fallback(c, weight, italic, lang) {
                Some(f) => f,
                None => {
                    if !missing.iter().any(|m| m.character == c) {
                        let mut tried = vec![style.font.clone()];
                        tried.extend(
                            fonts
                                .families()
                                .into_iter()
                                .filter(|f| *f != style.font)
                                .map(str::to_string),
                        );
                        missing.push(MissingGlyph {
                            character: c,
                            tried,
                        });
                    }
                    own
                }
            }
        };
        previous = Some(font);
        let end = i + c.len_utf8();
        let rtl_run = levels[i] % 2 == 1;
        match spans.last_mut() {
            Some(last)
                if last.font == font
                    && last.link == mark.link
                    && last.rtl == rtl_run
                    && last.range.end == i =>
            {
                last.range.end = end
            }
            _ => spans.push(Span {
                range: i..end,
                font,
                link: mark.link.clone(),
                rtl: rtl_run,
            }),
        }
    }
    if !missing.is_empty() {
        return Err(TextError::MissingGlyphs(missing));
    }

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
        style.hyphenate,
        &links,
        &kept,
        typography,
        |at| prepared_hyphen_width(&prepared, at, fonts),
    );
    Ok(prepared)
}

/// Width of the hyphen added when a line breaks inside a word at `at`, in that word's face.
fn prepared_hyphen_width(p: &Prepared, at: usize, fonts: &FontBook) -> f32 {
    let font = p.font_at(at.saturating_sub(1));
    shape("-", font, p.size, p.tracking, &p.lang, false, fonts)
        .iter()
        .map(|g| g.x_advance)
        .sum()
}

/// Characters that belong with the one before: combining marks, joiners, selectors.
fn joins_previous(c: char) -> bool {
    use unicode_normalization::char::is_combining_mark;
    is_combining_mark(c) || matches!(c, '\u{200c}' | '\u{200d}' | '\u{fe00}'..='\u{fe0f}')
}

/// Inline formatting of a byte range of the plain text.
struct Mark {
    range: Range<usize>,
    bold: bool,
    italic: bool,
    link: Option<String>,
}

/// Markdown → NFC plain text and the formatting of each range.
fn parse_markup(markdown: &str, transform: TextTransform) -> (String, Vec<Mark>) {
    let mut text = String::new();
    let mut marks: Vec<Mark> = Vec::new();
    let (mut bold, mut italic) = (0u32, 0u32);
    let mut link: Vec<String> = Vec::new();
    let mut block_ended = false;
    let mut push = |s: &str, bold: bool, italic: bool, link: Option<String>, text: &mut String| {
        let s: String = s.nfc().collect();
        let s = match transform {
            TextTransform::Uppercase => s.to_uppercase(),
            TextTransform::None => s,
        };
        let start = text.len();
        text.push_str(&s);
        match marks.last_mut() {
            Some(m)
                if m.bold == bold
                    && m.italic == italic
                    && m.link == link
                    && m.range.end == start =>
            {
                m.range.end = text.len()
            }
            _ => marks.push(Mark {
                range: start..text.len(),
                bold,
                italic,
                link,
            }),
        }
    };
    for event in Parser::new_ext(markdown, Options::empty()) {
        match event {
            Event::Start(Tag::Strong) => bold += 1,
            Event::End(TagEnd::Strong) => bold -= 1,
            Event::Start(Tag::Emphasis) => italic += 1,
            Event::End(TagEnd::Emphasis) => italic -= 1,
            Event::Start(Tag::Link { dest_url, .. }) => link.push(dest_url.trim().to_string()),
            Event::End(TagEnd::Link) => {
                link.pop();
            }
            Event::Text(t) | Event::Code(t) => {
                if std::mem::take(&mut block_ended) && !text.is_empty() {
                    push("\n", false, false, None, &mut text);
                }
                let url = link.last().filter(|u| !u.is_empty()).cloned();
                push(&t, bold > 0, italic > 0, url, &mut text)
            }
            Event::SoftBreak => push(" ", bold > 0, italic > 0, None, &mut text),
            Event::HardBreak => push("\n", bold > 0, italic > 0, None, &mut text),
            // Text here is one paragraph: a blank line, or a line that Markdown reads as a
            // list item or heading, becomes a line break rather than gluing words together.
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => block_ended = true,
            _ => {}
        }
    }
    (text, marks)
}

/// The bidi embedding level of each byte (UAX #9), with the paragraph direction set by
/// the language rather than guessed from the first letter.
///
/// Figures are isolated first (UAX #9 X5a–X6a, as HTML's `<bdi dir="ltr">` would): left
/// alone, the rules make European digits after Arabic letters Arabic numbers (W2) and
/// resolve the hyphen of "2014-15" as right-to-left (N1), so it reads "15-2014". An
/// isolate keeps a range, a percentage, a date or a phone number one left-to-right unit
/// while the text around it still resolves as if it were one neutral character.
fn bidi_levels(text: &str, rtl: bool) -> Vec<u8> {
    use unicode_bidi::{BidiInfo, Level};
    if !rtl
        && !text
            .chars()
            .any(|c| unicode_bidi::bidi_class(c).is_rtl_like())
    {
        return vec![0; text.len()];
    }
    const LRI: char = '\u{2066}';
    const PDI: char = '\u{2069}';
    let figures = left_to_right_units(text);
    let mut isolated = String::with_capacity(text.len() + figures.len() * 6);
    let mut at = vec![0usize; text.len()];
    let mut next = figures.iter().peekable();
    let mut open: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if open == Some(i) {
            isolated.push(PDI);
            open = None;
        }
        if let Some(unit) = next.next_if(|u| u.start == i) {
            isolated.push(LRI);
            open = Some(unit.end);
        }
        for b in 0..c.len_utf8() {
            at[i + b] = isolated.len() + b;
        }
        isolated.push(c);
    }
    if open.is_some() {
        isolated.push(PDI);
    }
    let base = if rtl { Level::rtl() } else { Level::ltr() };
    let info = BidiInfo::new(&isolated, Some(base));
    at.iter().map(|&j| info.levels[j].number()).collect()
}

/// The stretches that read left to right as one unit even in right-to-left text: figures
/// with their separators and signs ("2014–15", "50-80%", "12,500", "$5", "01/15/2027",
/// "9:30"), phone numbers, web and e-mail addresses. Sorted, not overlapping.
fn left_to_right_units(text: &str) -> Vec<Range<usize>> {
    let mut units = super::typography::unbreakable_tokens(text);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let digit =
        |c: char| c.is_ascii_digit() || matches!(c, '\u{660}'..='\u{669}' | '\u{6f0}'..='\u{6f9}');
    let joins = |c: char| matches!(c, ',' | '.' | '-' | '–' | '/' | ':' | '٫' | '٬');
    let mut k = 0;
    while k < chars.len() {
        if !digit(chars[k].1) || (k > 0 && (chars[k - 1].1.is_alphanumeric())) {
            k += 1;
            continue;
        }
        let mut first = k;
        if k > 0 && matches!(chars[k - 1].1, '$' | '€' | '£' | '+' | '-' | '−') {
            first = k - 1;
        }
        let mut last = k;
        let mut e = k + 1;
        while e < chars.len() {
            let c = chars[e].1;
            if digit(c) {
                last = e;
            } else if !(joins(c) && chars.get(e + 1).is_some_and(|n| digit(n.1))) {
                if matches!(c, '%' | '٪' | '‰') {
                    last = e;
                }
                break;
            }
            e += 1;
        }
        let end = chars[last].0 + chars[last].1.len_utf8();
        let unit = chars[first].0..end;
        if !units
            .iter()
            .any(|u| u.start < unit.end && unit.start < u.end)
        {
            units.push(unit);
        }
        k = last + 1;
    }
    // One isolate per stretch: a phone number inside a web address is part of it.
    units.sort_by_key(|u| u.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(units.len());
    for unit in units {
        match merged.last_mut() {
            Some(last) if unit.start < last.end => last.end = last.end.max(unit.end),
            _ => merged.push(unit),
        }
    }
    merged
}

trait RtlLike {
    fn is_rtl_like(&self) -> bool;
}

impl RtlLike for unicode_bidi::BidiClass {
    fn is_rtl_like(&self) -> bool {
        use unicode_bidi::BidiClass::*;
        matches!(self, R | AL | RLE | RLO | RLI | AN)
    }
}

impl Prepared {
    fn font_at(&self, at: usize) -> FontId {
        self.spans
            .iter()
            .find(|s| s.range.contains(&at))
            .or(self.spans.last())
            .map(|s| s.font)
            .expect("a paragraph has a span")
    }

    /// Shapes every span once and records the advance before each byte offset.
    /// The same paragraph at another size and tracking, as [`prepare_with`] would give it:
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

    fn measure(&mut self, fonts: &FontBook) {
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
        let zero_width = |at: usize| PlacedGlyph {
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
    pub fn break_lines(&self, from: usize, width: f32) -> Result<Vec<Break>, TextError> {
        linebreak::total_fit(&self.breakable(), from, width)
            .map_err(|linebreak::TooWide { word, excess }| TextError::TooWide { word, excess })
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
    pub fn set_line(&self, brk: &Break, width: f32, last: bool, fonts: &FontBook) -> Line {
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

    /// The line's level runs in visual order (UAX #9 rule L2), each with its direction and
    /// whether it carries the line-end hyphen.
    fn visual_pieces(&self, range: Range<usize>, hyphen: bool) -> Vec<(Range<usize>, bool, bool)> {
        let mut runs: Vec<(Range<usize>, u8)> = Vec::new();
        for (offset, c) in self.text[range.clone()].char_indices() {
            let i = range.start + offset;
            let level = self.levels[i];
            match runs.last_mut() {
                Some((r, l)) if *l == level => r.end = i + c.len_utf8(),
                _ => runs.push((i..i + c.len_utf8(), level)),
            }
        }
        let highest = runs.iter().map(|r| r.1).max().unwrap_or(0);
        let lowest_odd = runs
            .iter()
            .map(|r| r.1)
            .filter(|l| l % 2 == 1)
            .min()
            .unwrap_or(highest + 1);
        let mut level = highest;
        while level >= lowest_odd && level > 0 {
            let mut i = 0;
            while i < runs.len() {
                if runs[i].1 >= level {
                    let start = i;
                    while i < runs.len() && runs[i].1 >= level {
                        i += 1;
                    }
                    runs[start..i].reverse();
                } else {
                    i += 1;
                }
            }
            level -= 1;
        }
        runs.into_iter()
            .map(|(r, l)| {
                let carries_hyphen = hyphen && r.end == range.end;
                (r, l % 2 == 1, carries_hyphen)
            })
            .collect()
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

pub use crate::markup::plain_text;

/// Spreads `slack` over the spaces of a line, and over the gaps after its ideographs and
/// Hangul syllables (CJK is justified between characters): each gap takes an equal share, so a line of
/// Chinese with a few Latin words is flush too. No gap follows the line's last glyph.
fn justify(line: &mut Line, slack: f32) {
    // The zero-width space kept at a line's end (for text extraction) does not stretch.
    let stretches = |run: &LineRun, g: &PlacedGlyph| {
        let cluster = &run.text[g.range.clone()];
        (cluster == " " || cluster.starts_with(takes_letter_spacing)) && g.x_advance > 0.0
    };
    // Glyphs in drawing order; only the last glyph of a cluster takes the gap after it.
    let mut gaps: Vec<(usize, usize)> = Vec::new();
    for (r, run) in line.runs.iter().enumerate() {
        for (g, glyph) in run.glyphs.iter().enumerate() {
            let ends_cluster = run.glyphs.get(g + 1).is_none_or(|n| n.range != glyph.range);
            if ends_cluster && stretches(run, glyph) {
                gaps.push((r, g));
            }
        }
    }
    // Visually last: no gap after it (the line's right edge, or left in right-to-left).
    let last_visible = line
        .runs
        .iter()
        .enumerate()
        .flat_map(|(r, run)| {
            run.glyphs
                .iter()
                .enumerate()
                .filter(|(_, g)| g.x_advance > 0.0)
                .map(move |(g, _)| (r, g))
        })
        .last();
    gaps.retain(|&gap| Some(gap) != last_visible);
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
) -> Vec<PlacedGlyph> {
    let face = fonts.face(font);
    let shaped = face.shape_units(text, rtl, lang);
    let scale = size / face.units_per_em;
    let track = tracking / 1000.0 * size;
    // A cluster ends where the smallest larger cluster starts (in RTL runs the next glyph's
    // cluster is smaller, so "the next one" would be wrong), or at the end of the text.
    let mut starts: Vec<usize> = shaped.iter().map(|g| g.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    // Sorted, so a binary search: a paragraph-long run has hundreds of clusters, and a
    // linear scan per glyph made shaping quadratic.
    let end_of = |start: usize| {
        starts
            .get(starts.partition_point(|&s| s <= start))
            .copied()
            .unwrap_or(text.len())
    };
    let mut glyphs: Vec<PlacedGlyph> = shaped
        .iter()
        .map(|g| {
            let start = g.cluster as usize;
            PlacedGlyph {
                id: g.id,
                x_advance: g.x_advance as f32 * scale,
                x_offset: g.x_offset as f32 * scale,
                y_offset: g.y_offset as f32 * scale,
                range: start..end_of(start),
            }
        })
        .collect();
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

/// The colour a run is painted in: links take the style's link colour.
pub fn run_color<'a>(style: &'a Style, run: &LineRun) -> &'a Color {
    match (&run.link, &style.link_color) {
        (Some(_), Some(c)) => c,
        _ => &style.color,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::units::Pt;
    use std::sync::OnceLock;

    pub(crate) fn fonts() -> &'static FontBook {
        static BOOK: OnceLock<FontBook> = OnceLock::new();
        BOOK.get_or_init(|| {
            FontBook::load(&[concat!(env!("CARGO_MANIFEST_DIR"), "/fonts").into()])
                .expect("bundled fonts load")
        })
    }

    pub(crate) fn style(align: Align) -> Style {
        let black = Color {
            name: "black".into(),
            rgb: [0, 0, 0],
            cmyk: None,
            spot: None,
        };
        Style {
            name: "test".into(),
            font: "Noto Sans".into(),
            weight: 400,
            italic: false,
            size: Pt(10.0),
            leading: 1.2,
            tracking: 0.0,
            color: black,
            link_color: None,
            transform: TextTransform::None,
            align,
            space_before: Pt(0.0),
            space_after: Pt(0.0),
            hyphenate: false,
            balance: false,
            lines: None,
            ink_gap: None,
            keep_leading: false,
            fit: None,
            fill: false,
        }
    }

    const PARAGRAPH: &str = "Children who are sex trafficked are more commonly known as Commercially Sexually Exploited Children. It is estimated that as many as 12,500 children are already exploited within the state.";

    fn lines(p: &Prepared, width: f32) -> Vec<String> {
        p.break_lines(0, width)
            .unwrap()
            .into_iter()
            .map(|b| p.text[b.range].trim_end().to_string())
            .collect()
    }

    #[test]
    fn lines_break_at_spaces_and_fit_the_width() {
        let p = prepare(PARAGRAPH, &style(Align::Left), fonts(), "en").unwrap();
        let width = 150.0;
        let broken = lines(&p, width);
        assert!(broken.len() >= 5, "{broken:?}");
        // No word is split, nothing is lost, and every line fits.
        assert_eq!(broken.join(" "), PARAGRAPH);
        for b in p.break_lines(0, width).unwrap() {
            let line = p.set_line(&b, width, false, fonts());
            assert!(line.width <= width + 0.01, "{} > {width}", line.width);
        }
    }

    #[test]
    fn break_opportunities_follow_uax14() {
        // A hyphen is a break opportunity; a non-breaking space is not.
        let p = prepare("well-known\u{a0}fact", &style(Align::Left), fonts(), "en").unwrap();
        let after_hyphen = p.text.find('-').unwrap() + 1;
        let broken = lines(&p, p.breakable().width(after_hyphen..p.text.len()) + 1.0);
        assert_eq!(broken, vec!["well-", "known\u{a0}fact"]);
    }

    #[test]
    fn hard_breaks_are_mandatory() {
        let p = prepare("one\\\ntwo", &style(Align::Left), fonts(), "en").unwrap();
        assert_eq!(lines(&p, 500.0), vec!["one", "two"]);
    }

    #[test]
    fn blank_lines_and_list_markers_become_line_breaks() {
        let p = prepare("one.\n\ntwo\n\n- three", &style(Align::Left), fonts(), "en").unwrap();
        assert_eq!(p.text, "one.\ntwo\nthree");
        assert_eq!(lines(&p, 500.0), vec!["one.", "two", "three"]);
    }

    #[test]
    fn a_word_wider_than_the_frame_is_an_error() {
        let p = prepare("Supercalifragilistic", &style(Align::Left), fonts(), "en").unwrap();
        match p.break_lines(0, 20.0) {
            Err(TextError::TooWide { word, excess }) => {
                assert_eq!(word, "Supercalifragilistic");
                assert!(excess > 50.0, "{excess}");
            }
            other => panic!("expected TooWide, got {other:?}"),
        }
    }

    /// Greedy first-fit over the same opportunities, for comparison.
    fn greedy(p: &Prepared, width: f32) -> Vec<Range<usize>> {
        let mut lines = Vec::new();
        let (mut start, mut last_fit) = (0, None);
        let opps: Vec<usize> = p
            .opportunities
            .iter()
            .filter(|o| o.kind != linebreak::Kind::Hyphen)
            .map(|o| o.at)
            .collect();
        let mut i = 0;
        while i < opps.len() {
            let end = p.trimmed_end(start, opps[i]);
            if p.breakable().width(start..end) <= width {
                last_fit = Some(opps[i]);
                i += 1;
            } else {
                let fit = last_fit.take().expect("words fit");
                lines.push(start..fit);
                start = fit;
            }
        }
        lines.push(start..p.text.len());
        lines
    }

    #[test]
    fn total_fit_beats_greedy() {
        let p = prepare(PARAGRAPH, &style(Align::Justify), fonts(), "en").unwrap();
        let mut better = 0;
        for width in [120.0, 140.0, 160.0, 180.0, 200.0] {
            let total: Vec<Range<usize>> = p
                .break_lines(0, width)
                .unwrap()
                .into_iter()
                .map(|b| b.range)
                .collect();
            let greedy = greedy(&p, width);
            let demerits = |lines: &[Range<usize>]| {
                linebreak::total_demerits(&p.breakable(), lines, width).expect("feasible")
            };
            let (t, g) = (demerits(&total), demerits(&greedy));
            assert!(
                t <= g + 0.01,
                "width {width}: total fit {t} worse than greedy {g}"
            );
            if t < g * 0.9 {
                better += 1;
            }
        }
        assert!(
            better >= 1,
            "total fit should improve on greedy for some width"
        );
    }

    #[test]
    fn hyphenation_points_come_from_the_language_patterns() {
        let mut s = style(Align::Justify);
        s.hyphenate = true;
        let p = prepare(
            "commercially exploited children at (916) 653-1838",
            &s,
            fonts(),
            "en",
        )
        .unwrap();
        let hyphens: Vec<&str> = p
            .opportunities
            .iter()
            .filter(|o| o.kind == linebreak::Kind::Hyphen)
            .map(|o| &p.text[..o.at])
            .collect();
        assert!(hyphens.contains(&"com"), "{hyphens:?}");
        assert!(hyphens.contains(&"commer"), "{hyphens:?}");
        assert!(
            hyphens.iter().all(|h| !h.contains('(')),
            "no hyphens in the phone number: {hyphens:?}"
        );
        // Nor any break inside it.
        let phone = p.text.find('(').unwrap();
        assert!(
            p.opportunities
                .iter()
                .all(|o| o.at <= phone || o.at >= p.text.len()),
            "{:?}",
            p.opportunities
        );
        // Spanish has its own patterns; a language without patterns gets none.
        let es = prepare("explotación", &s, fonts(), "es").unwrap();
        assert!(
            es.opportunities
                .iter()
                .any(|o| o.kind == linebreak::Kind::Hyphen)
        );
        let vi = prepare("explotación", &s, fonts(), "vi").unwrap();
        assert!(
            vi.opportunities
                .iter()
                .all(|o| o.kind != linebreak::Kind::Hyphen)
        );
        // A line broken at a hyphenation point gets a hyphen.
        let narrow = p.break_lines(0, 80.0).unwrap();
        let broken = narrow.iter().find(|b| b.hyphen).expect("a hyphenated line");
        let line = p.set_line(broken, 80.0, false, fonts());
        assert!(line.runs.last().unwrap().text.ends_with('-'));
        // Styles that do not hyphenate (headlines, numbers) have no such points.
        let plain = prepare("Commercially", &style(Align::Left), fonts(), "en").unwrap();
        assert!(
            plain
                .opportunities
                .iter()
                .all(|o| o.kind != linebreak::Kind::Hyphen)
        );
    }

    fn hyphen_points(p: &Prepared) -> Vec<&str> {
        p.opportunities
            .iter()
            .filter(|o| o.kind == linebreak::Kind::Hyphen)
            .map(|o| &p.text[..o.at])
            .collect()
    }

    #[test]
    fn capitalised_and_short_words_are_not_hyphenated() {
        let mut s = style(Align::Justify);
        s.hyphenate = true;
        let p = prepare(
            "Commercially Sexually Exploited Children",
            &s,
            fonts(),
            "en",
        )
        .unwrap();
        assert_eq!(hyphen_points(&p), Vec::<&str>::new());
        // The same words in lower case hyphenate, and a campaign may allow capitals.
        let lower = prepare("commercially sexually exploited", &s, fonts(), "en").unwrap();
        assert!(hyphen_points(&lower).contains(&"commer"));
        let allow = Typography {
            hyphenate_capitalized: true,
            ..Typography::default()
        };
        let p = prepare_with("Commercially", &s, fonts(), "en", &allow).unwrap();
        assert!(hyphen_points(&p).contains(&"Commer"));
        // A minimum word length: "cannot" (6 letters) hyphenates at 6, not at 7.
        let seven = Typography {
            hyphen_min_word: 7,
            ..Typography::default()
        };
        let short = prepare_with("window", &s, fonts(), "en", &seven).unwrap();
        assert!(hyphen_points(&short).is_empty());
    }

    #[test]
    fn at_most_two_hyphenated_lines_in_a_row() {
        let mut s = style(Align::Justify);
        s.hyphenate = true;
        let text = "internationalization administratively characteristically \
            telecommunications unquestionably incomprehensibility counterrevolutionary \
            institutionalization disproportionately electroencephalography \
            misunderstandings representationalism";
        let unlimited = Typography {
            hyphen_limit: 0,
            ..Typography::default()
        };
        let max_run = |t: &Typography| {
            let p = prepare_with(text, &s, fonts(), "en", t).unwrap();
            let mut longest = 0;
            for width in (60..=160).step_by(4) {
                let mut run = 0;
                for b in p.break_lines(0, width as f32).unwrap() {
                    run = if b.hyphen { run + 1 } else { 0 };
                    longest = longest.max(run);
                }
            }
            longest
        };
        assert!(max_run(&unlimited) > 2, "the text needs the limit");
        assert_eq!(max_run(&Typography::default()), 2);
    }

    #[test]
    fn los_angeles_is_never_split() {
        let typography = Typography {
            keep_together: vec!["Los Angeles".into(), "San Diego".into()],
            ..Typography::default()
        };
        let text = "Programs in Los Angeles and San Diego counties serve youth in LOS ANGELES";
        let p = prepare_with(text, &style(Align::Left), fonts(), "en", &typography).unwrap();
        for width in (70..=300).step_by(3) {
            for b in p.break_lines(0, width as f32).unwrap() {
                let line = p.text[b.range].trim();
                for word in ["Angeles", "ANGELES", "Diego"] {
                    if line.starts_with(word) {
                        panic!("width {width}: a line starts with {line:?}");
                    }
                }
            }
        }
        // Without the phrase the same width splits it.
        let plain = prepare(text, &style(Align::Left), fonts(), "en").unwrap();
        let split = (70..=300).step_by(3).any(|w| {
            plain
                .break_lines(0, w as f32)
                .unwrap()
                .iter()
                .any(|b| plain.text[b.range.clone()].starts_with("Angeles"))
        });
        assert!(split, "the test widths must reach the phrase");
    }

    #[test]
    fn a_last_line_avoids_a_single_word() {
        let runt = |p: &Prepared, width: f32| {
            let b = p.break_lines(0, width).unwrap();
            b.len() > 1
                && p.text[b.last().unwrap().range.clone()]
                    .split_whitespace()
                    .count()
                    == 1
        };
        let widths = || (100..=300).step_by(5).map(|w| w as f32);
        // Ragged text can nearly always take a word down from the line above.
        let left = prepare(PARAGRAPH, &style(Align::Left), fonts(), "en").unwrap();
        let left_off = prepare_with(
            PARAGRAPH,
            &style(Align::Left),
            fonts(),
            "en",
            &Typography::off(),
        )
        .unwrap();
        let before = widths().filter(|&w| runt(&left_off, w)).count();
        let after = widths().filter(|&w| runt(&left, w)).count();
        assert!(
            before >= 3,
            "some widths leave a runt without the rule: {before}"
        );
        assert!(
            after * 3 <= before,
            "ragged runts: {after} with the rule, {before} without"
        );
        // Justified text avoids it where the lines above stay reasonably spaced (a
        // penalty, not a rule): fewer runts than without.
        let justified = prepare(PARAGRAPH, &style(Align::Justify), fonts(), "en").unwrap();
        let justified_off = prepare_with(
            PARAGRAPH,
            &style(Align::Justify),
            fonts(),
            "en",
            &Typography::off(),
        )
        .unwrap();
        let with = widths().filter(|&w| runt(&justified, w)).count();
        let without = widths().filter(|&w| runt(&justified_off, w)).count();
        eprintln!("runts over 41 widths: ragged {before} → {after}, justified {without} → {with}");
        assert!(
            with < without,
            "justified runts: {with} with the rule, {without} without"
        );
    }

    #[test]
    fn curly_quotes_reach_the_set_line() {
        let p = prepare("What's \"this\"?", &style(Align::Left), fonts(), "en").unwrap();
        assert_eq!(p.text, "What’s “this”?");
        let b = p.break_lines(0, 500.0).unwrap().remove(0);
        let line = p.set_line(&b, 500.0, true, fonts());
        assert_eq!(line.runs[0].text, "What’s “this”?");
        // Formatting follows the text when a substitution changes its length.
        let p = prepare("it's **\"bold\"** 'x'", &style(Align::Left), fonts(), "en").unwrap();
        let bold = p
            .spans
            .iter()
            .find(|s| fonts().face(s.font).weight == 700)
            .unwrap();
        assert_eq!(&p.text[bold.range.clone()], "“bold”");
    }

    /// The figure's run on a fully set Arabic line: its text, direction, and the texts
    /// drawn to its left and right.
    fn figure_in_arabic(
        text: &str,
        figure: &str,
        typography: &Typography,
    ) -> (bool, String, String) {
        let p = prepare_with(text, &style(Align::Left), fonts(), "ar", typography).unwrap();
        let b = p.break_lines(0, 800.0).unwrap().remove(0);
        let line = p.set_line(&b, 800.0, true, fonts());
        let at = line
            .runs
            .iter()
            .position(|r| r.text.trim() == figure)
            .unwrap_or_else(|| {
                panic!(
                    "{figure} is one run: {:?}",
                    line.runs.iter().map(|r| &r.text).collect::<Vec<_>>()
                )
            });
        let run = &line.runs[at];
        let in_order = run
            .glyphs
            .windows(2)
            .all(|g| g[0].range.start < g[1].range.start);
        let left: String = line.runs[..at].iter().map(|r| r.text.as_str()).collect();
        let right: String = line.runs[at + 1..]
            .iter()
            .map(|r| r.text.as_str())
            .collect();
        assert!(
            in_order,
            "{figure}: glyphs drawn left to right in logical order"
        );
        (run.rtl, left, right)
    }

    #[test]
    fn ranges_and_percentages_in_arabic_stay_left_to_right() {
        for typography in [Typography::default(), Typography::off()] {
            let dash = if typography.dashes { "–" } else { "-" };
            for (text, figure, before, after) in [
                (
                    "استثمرت 5 ملايين دولار في 2014-15 لدعم المقاطعات",
                    format!("2014{dash}15"),
                    "في",
                    "لدعم",
                ),
                (
                    "ويُعتقد أن 50-80% من الأطفال",
                    format!("50{dash}80%"),
                    "أن",
                    "من",
                ),
                (
                    "اتصل على (916) 653-1838 الآن",
                    "(916) 653-1838".to_string(),
                    "على",
                    "الآن",
                ),
                (
                    "في 01/15/2027 و 12,500 طفل",
                    "01/15/2027".to_string(),
                    "في",
                    "و",
                ),
            ] {
                let (rtl, left, right) = figure_in_arabic(text, &figure, &typography);
                assert!(!rtl, "{figure} reads left to right");
                // Right to left: the word before the figure is drawn to its right.
                assert!(
                    right.contains(before),
                    "{figure}: {before} to the right, got {right:?}"
                );
                assert!(
                    left.contains(after),
                    "{figure}: {after} to the left, got {left:?}"
                );
            }
        }
    }

    #[test]
    fn chinese_words_are_not_split() {
        let text = "在美國，能上網的兒童中有四分之一曾至少一次遭網路掠奪者引誘。如需更多資訊，請聯絡：計畫顧問";
        let p = prepare(text, &style(Align::Left), fonts(), "zh-Hant").unwrap();
        for word in ["四分之一", "聯絡"] {
            let at = p.text.find(word).unwrap();
            let inside: Vec<usize> = p
                .opportunities
                .iter()
                .map(|o| o.at)
                .filter(|&o| at < o && o < at + word.len())
                .collect();
            assert!(inside.is_empty(), "{word} may break at {inside:?}");
            // It may break before and after the word.
            assert!(p.opportunities.iter().any(|o| o.at == at), "before {word}");
        }
        // Other ideographs still break (the text is not one word).
        assert!(p.opportunities.len() > 8, "{}", p.opportunities.len());
    }

    #[test]
    fn a_cjk_last_line_never_holds_one_character() {
        let text = "遭受性販運的兒童通常被稱為商業性剝削兒童。風險最高的兒童包括逃家兒童、曾遭受性虐待的兒童，以及自我認同為LGBTQ的青少年成員。";
        for align in [Align::Left, Align::Justify] {
            let p = prepare(text, &style(align), fonts(), "zh-Hant").unwrap();
            for width in (60..=400).step_by(2).map(|w| w as f32) {
                let breaks = p.break_lines(0, width).unwrap();
                if breaks.len() < 2 {
                    continue;
                }
                let last = p.text[breaks.last().unwrap().range.clone()].trim();
                let ideographs = last
                    .chars()
                    .filter(|&c| super::super::typography::is_ideograph(c))
                    .count();
                assert!(ideographs >= 2, "{align:?} {width}: last line {last:?}");
            }
        }
    }

    #[test]
    fn justified_cjk_lines_are_flush() {
        let text = "遭受性販運的兒童通常被稱為商業性剝削兒童。據估計，光是加州境內就已有多達12,500名兒童遭受商業性剝削。據信有50-80%的商業性剝削兒童目前或過去曾接觸兒童福利系統。";
        let p = prepare(text, &style(Align::Justify), fonts(), "zh-Hant").unwrap();
        for width in [97.0, 150.0, 203.0] {
            let breaks = p.break_lines(0, width).unwrap();
            let n = breaks.len();
            assert!(n > 2);
            for (i, b) in breaks.iter().enumerate().take(n - 1) {
                let line = p.set_line(b, width, false, fonts());
                assert!(
                    (line.width - width).abs() < 0.05,
                    "{width}: line {i} {:?} is {} wide",
                    &p.text[b.range.clone()],
                    line.width
                );
                // The line ends on its last character, not on added space.
                let run = line.runs.last().unwrap();
                let end = run.x + run.glyphs.iter().map(|g| g.x_advance).sum::<f32>();
                assert!((end - width).abs() < 0.05);
            }
        }
    }

    #[test]
    fn no_line_is_set_wider_than_its_measure() {
        for align in [Align::Justify, Align::Left] {
            let p = prepare(PARAGRAPH, &style(align), fonts(), "en").unwrap();
            for width in (90..=260).step_by(7).map(|w| w as f32) {
                let breaks = p.break_lines(0, width).unwrap();
                let n = breaks.len();
                for (i, b) in breaks.iter().enumerate() {
                    let line = p.set_line(b, width, i + 1 == n, fonts());
                    assert!(
                        line.width <= width + 0.05,
                        "{align:?} {width}: line {i} is {}",
                        line.width
                    );
                }
            }
        }
    }

    #[test]
    fn addresses_leave_their_sentence_punctuation_outside() {
        let text = "Call (916) 653-1838, or see www.example.org. Thanks";
        let tokens: Vec<&str> = crate::typography::unbreakable_tokens(text)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(tokens, vec!["(916) 653-1838", "www.example.org"]);
    }

    #[test]
    fn alignment_offsets_lines() {
        let width = 300.0;
        let set = |align| {
            let p = prepare("Short line", &style(align), fonts(), "en").unwrap();
            let b = p.break_lines(0, width).unwrap().remove(0);
            p.set_line(&b, width, true, fonts())
        };
        let left = set(Align::Left);
        let center = set(Align::Center);
        let right = set(Align::Right);
        assert_eq!(left.x, 0.0);
        assert!((center.x - (width - center.width) / 2.0).abs() < 0.01);
        assert!((right.x + right.width - width).abs() < 0.01);
    }

    #[test]
    fn justified_lines_fill_the_width_except_the_last() {
        let width = 160.0;
        let p = prepare(PARAGRAPH, &style(Align::Justify), fonts(), "en").unwrap();
        let breaks = p.break_lines(0, width).unwrap();
        let n = breaks.len();
        for (i, b) in breaks.iter().enumerate() {
            let line = p.set_line(b, width, i + 1 == n, fonts());
            if i + 1 < n {
                assert!(
                    (line.width - width).abs() < 0.05,
                    "line {i} is {} wide",
                    line.width
                );
            } else {
                assert!(line.width < width - 1.0);
            }
        }
    }

    #[test]
    fn shaping_kerns_and_makes_ligatures() {
        let f = fonts().select("Noto Sans", 400, false).unwrap();
        // "fi" is one ligature glyph covering both characters.
        let fi = shape("fi", f, 10.0, 0.0, "en", false, fonts());
        assert_eq!(fi.len(), 1);
        assert_eq!(fi[0].range, 0..2);
        // "AV" is kerned tighter than the sum of its letters.
        let pair: f32 = shape("AV", f, 10.0, 0.0, "en", false, fonts())
            .iter()
            .map(|g| g.x_advance)
            .sum();
        let apart: f32 = ["A", "V"]
            .iter()
            .map(|s| shape(s, f, 10.0, 0.0, "en", false, fonts())[0].x_advance)
            .sum();
        assert!(pair < apart - 0.1, "{pair} vs {apart}");
        // Tracking adds to every cluster.
        let tracked: f32 = shape("AV", f, 10.0, 100.0, "en", false, fonts())
            .iter()
            .map(|g| g.x_advance)
            .sum();
        assert!((tracked - pair - 2.0).abs() < 0.01);
    }

    #[test]
    fn markdown_becomes_styled_spans() {
        let p = prepare(
            "plain **bold** *italic* [link](https://example.org)",
            &style(Align::Left),
            fonts(),
            "en",
        )
        .unwrap();
        assert_eq!(p.text, "plain bold italic link");
        let face =
            |i: usize| fonts().face(p.spans.iter().find(|s| s.range.contains(&i)).unwrap().font);
        assert_eq!(face(0).weight, 400);
        assert_eq!(face(7).weight, 700);
        assert!(face(12).italic);
        let link = p.spans.iter().find(|s| s.link.is_some()).unwrap();
        assert_eq!(&p.text[link.range.clone()], "link");
        assert_eq!(link.link.as_deref(), Some("https://example.org"));
    }

    #[test]
    fn nfd_input_gives_the_same_glyphs_as_nfc() {
        let nfc = "Tiếng Việt";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfc, nfd);
        let glyphs = |text: &str| {
            let p = prepare(text, &style(Align::Left), fonts(), "vi").unwrap();
            let b = p.break_lines(0, 500.0).unwrap().remove(0);
            let line = p.set_line(&b, 500.0, true, fonts());
            line.runs
                .iter()
                .flat_map(|r| r.glyphs.iter().map(|g| g.id))
                .collect::<Vec<_>>()
        };
        assert_eq!(glyphs(&nfd), glyphs(nfc));
    }

    #[test]
    fn fallback_picks_a_face_per_character() {
        let mut s = style(Align::Left);
        s.font = "Oswald".into();
        let p = prepare("Call 911 — اتصل", &s, fonts(), "en").unwrap();
        let family = |needle: &str| {
            let at = p.text.find(needle).unwrap();
            fonts()
                .face(p.spans.iter().find(|s| s.range.contains(&at)).unwrap().font)
                .family
                .clone()
        };
        assert_eq!(family("Call"), "Oswald");
        assert_eq!(family("ا"), "Noto Sans Arabic");
    }

    #[test]
    fn a_missing_glyph_names_the_character_and_the_fonts_tried() {
        let s = style(Align::Left);
        match prepare("ok \u{1F600}", &s, fonts(), "en") {
            Err(TextError::MissingGlyphs(m)) => {
                assert_eq!(m[0].character, '\u{1F600}');
                assert_eq!(m[0].tried[0], "Noto Sans");
                assert!(m[0].tried.iter().any(|f| f == "Oswald"));
            }
            other => panic!("expected missing glyphs, got {other:?}"),
        }
    }

    #[test]
    fn a_phone_number_in_arabic_text_stays_left_to_right() {
        // (Also covered, with ranges and dates, by ranges_and_percentages_in_arabic_…)
        let s = style(Align::Left);
        let p = prepare("اتصل على (916) 653-1838 الآن", &s, fonts(), "ar").unwrap();
        assert!(p.rtl);
        let b = p.break_lines(0, 500.0).unwrap().remove(0);
        let line = p.set_line(&b, 500.0, true, fonts());
        // Visual order: the last Arabic word is drawn first (leftmost), the number reads
        // left to right in the middle, the first word is drawn last (rightmost).
        let texts: Vec<&str> = line.runs.iter().map(|r| r.text.as_str()).collect();
        let number = texts
            .iter()
            .position(|t| t.contains("653-1838"))
            .expect("number run");
        assert!(
            texts[..number].iter().any(|t| t.contains("الآن")),
            "{texts:?}"
        );
        assert!(
            texts[number + 1..].iter().any(|t| t.contains("اتصل")),
            "{texts:?}"
        );
        let digits = &line.runs[number];
        let first = digits.glyphs.first().unwrap().range.start;
        let last = digits.glyphs.last().unwrap().range.start;
        assert!(
            first < last,
            "the digits' glyphs are in logical (left-to-right) order"
        );
        // The paragraph is right-aligned: its start side is the right.
        assert!((line.x + line.width - 500.0).abs() < 0.01);
    }

    #[test]
    fn scripts_without_spaces_break_between_words() {
        let mut s = style(Align::Left);
        s.font = "Noto Sans".into();
        let khmer = "ការការពារកុមារពីការកេងប្រវ័ញ្ច";
        let p = prepare(khmer, &s, fonts(), "km").unwrap();
        let inner = p
            .opportunities
            .iter()
            .filter(|o| o.at > 0 && o.at < p.text.len())
            .count();
        assert!(inner >= 2, "dictionary breaks inside Khmer text: {inner}");
        let thai = prepare("การป้องกันการค้ามนุษย์", &s, fonts(), "th").unwrap();
        assert!(
            thai.opportunities
                .iter()
                .filter(|o| o.at < thai.text.len())
                .count()
                >= 2
        );
    }

    #[test]
    fn korean_breaks_between_words_not_syllables() {
        let p = prepare(
            "인신매매 예방의 달입니다",
            &style(Align::Left),
            fonts(),
            "ko",
        )
        .unwrap();
        let inner: Vec<&str> = p.opportunities.iter().map(|o| &p.text[..o.at]).collect();
        assert_eq!(
            inner,
            vec!["인신매매 ", "인신매매 예방의 ", "인신매매 예방의 달입니다"]
        );
        // A particle or counter stays with the bracket or figure it is written against.
        let p = prepare(
            "복지부(CDSS)는 3곳인 4분의 1이",
            &style(Align::Left),
            fonts(),
            "ko",
        )
        .unwrap();
        let inner: Vec<&str> = p.opportunities.iter().map(|o| &p.text[..o.at]).collect();
        assert_eq!(
            inner,
            vec![
                "복지부(CDSS)는 ",
                "복지부(CDSS)는 3곳인 ",
                "복지부(CDSS)는 3곳인 4분의 ",
                "복지부(CDSS)는 3곳인 4분의 1이"
            ]
        );
        // Chinese breaks between words (人口 販運 防制 月), not inside them.
        let zh = prepare("人口販運防制月", &style(Align::Left), fonts(), "zh-Hant").unwrap();
        let at: Vec<&str> = zh.opportunities.iter().map(|o| &zh.text[..o.at]).collect();
        assert!(at.len() >= 3, "{at:?}");
        assert!(!at.contains(&"人"), "{at:?}");
        let face = fonts().face(zh.spans[0].font);
        assert_eq!(face.family, "Noto Sans CJK TC");
    }

    #[test]
    fn chinese_punctuation_never_starts_a_line() {
        // Kinsoku: no break before a closing mark such as 。or 、.
        let p = prepare(
            "人口販運。防制、宣導",
            &style(Align::Left),
            fonts(),
            "zh-Hant",
        )
        .unwrap();
        for mark in ["。", "、"] {
            let at = p.text.find(mark).unwrap();
            assert!(
                p.opportunities.iter().all(|o| o.at != at),
                "break before {mark}"
            );
            assert!(
                p.opportunities.iter().any(|o| o.at == at + mark.len()),
                "break after {mark}"
            );
        }
    }

    #[test]
    fn indic_text_is_shaped_into_conjuncts() {
        // क्ष is three characters (ka, virama, ssa) drawn as one conjunct glyph.
        let p = prepare("क्षमा", &style(Align::Left), fonts(), "hi").unwrap();
        assert_eq!(fonts().face(p.spans[0].font).family, "Noto Sans Devanagari");
        let b = p.break_lines(0, 500.0).unwrap().remove(0);
        let line = p.set_line(&b, 500.0, true, fonts());
        let glyphs: usize = line.runs.iter().map(|r| r.glyphs.len()).sum();
        assert!(glyphs < "क्षमा".chars().count(), "{glyphs} glyphs");
        assert!(line.runs.iter().flat_map(|r| &r.glyphs).all(|g| g.id != 0));
    }

    #[test]
    fn uppercase_transform() {
        let mut s = style(Align::Left);
        s.transform = TextTransform::Uppercase;
        assert_eq!(
            prepare("straße", &s, fonts(), "en").unwrap().text,
            "STRASSE"
        );
    }
}
