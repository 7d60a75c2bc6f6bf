//! Text: inline Markdown to styled spans, shaping (rustybuzz), line breaking at UAX #14
//! opportunities (unicode-linebreak) and alignment. Produces positioned lines, no PDF.

use crate::fonts::{FontBook, FontId};
use crate::model::layout::{Align, Color, Style, TextTransform};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;
use unicode_linebreak::BreakOpportunity;

/// A stretch of a paragraph in one face.
#[derive(Debug, Clone)]
pub struct Span {
    pub range: Range<usize>,
    pub font: FontId,
    pub link: Option<String>,
}

/// One glyph with its advance and offsets in points.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedGlyph {
    pub id: u16,
    pub x_advance: f32,
    pub x_offset: f32,
    pub y_offset: f32,
    /// Byte range of the glyph's cluster in the run's text.
    pub range: Range<usize>,
}

/// A run of glyphs in one font on one line, with the text it came from.
#[derive(Debug, Clone)]
pub struct LineRun {
    pub font: FontId,
    pub glyphs: Vec<PlacedGlyph>,
    pub text: String,
    /// x of the run's start relative to the line start.
    pub x: f32,
    pub width: f32,
    pub link: Option<String>,
}

/// A set line: its runs, its natural width, and the offset alignment gives it.
#[derive(Debug, Clone)]
pub struct Line {
    pub runs: Vec<LineRun>,
    pub width: f32,
    pub x: f32,
    /// Byte range in the paragraph text.
    pub range: Range<usize>,
}

/// A paragraph with its markup parsed and faces chosen, ready to break into lines.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub text: String,
    pub spans: Vec<Span>,
    pub size: f32,
    pub tracking: f32,
    pub align: Align,
    pub lang: String,
    /// Advance of the text before each byte offset (prefix sums), for measuring.
    prefix: Vec<f32>,
}

/// A character the chosen font cannot draw.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingGlyph {
    pub character: char,
    pub font: FontId,
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

/// Parses inline Markdown (bold, italic, links, hard breaks) into plain text and spans.
pub fn prepare(
    markdown: &str,
    style: &Style,
    fonts: &FontBook,
    lang: &str,
) -> Result<Prepared, TextError> {
    let mut text = String::new();
    let mut spans: Vec<Span> = Vec::new();
    let (mut bold, mut italic) = (0u32, 0u32);
    let mut link: Vec<String> = Vec::new();
    let mut block_ended = false;
    let face_for = |bold: bool, italic: bool| {
        let weight = if bold {
            style.weight.max(700)
        } else {
            style.weight
        };
        fonts
            .select(&style.font, weight, style.italic ^ italic)
            .expect("layout styles name loaded families")
    };
    let mut push = |s: &str, bold: bool, italic: bool, link: Option<String>, text: &mut String| {
        let s = match style.transform {
            TextTransform::Uppercase => s.to_uppercase(),
            TextTransform::None => s.to_string(),
        };
        let start = text.len();
        text.push_str(&s);
        let font = face_for(bold, italic);
        match spans.last_mut() {
            Some(last) if last.font == font && last.link == link && last.range.end == start => {
                last.range.end = text.len()
            }
            _ => spans.push(Span {
                range: start..text.len(),
                font,
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
    let mut prepared = Prepared {
        text,
        spans,
        size: style.size.0,
        tracking: style.tracking,
        align: style.align,
        lang: lang.to_string(),
        prefix: Vec::new(),
    };
    prepared.measure(fonts)?;
    Ok(prepared)
}

impl Prepared {
    /// Shapes every span once and records the advance before each byte offset.
    fn measure(&mut self, fonts: &FontBook) -> Result<(), TextError> {
        let mut per_byte = vec![0.0f32; self.text.len() + 1];
        let mut missing = Vec::new();
        for span in &self.spans {
            let glyphs = shape(
                &self.text[span.range.clone()],
                span.font,
                self.size,
                self.tracking,
                &self.lang,
                fonts,
            );
            for g in &glyphs {
                if g.id == 0 {
                    let character = self.text[span.range.start + g.range.start..]
                        .chars()
                        .next()
                        .unwrap_or('\u{fffd}');
                    if !character.is_whitespace()
                        && !missing
                            .iter()
                            .any(|m: &MissingGlyph| m.character == character)
                    {
                        missing.push(MissingGlyph {
                            character,
                            font: span.font,
                        });
                    }
                }
                per_byte[span.range.start + g.range.start] += g.x_advance;
            }
        }
        if !missing.is_empty() {
            return Err(TextError::MissingGlyphs(missing));
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
        Ok(())
    }

    fn width(&self, range: Range<usize>) -> f32 {
        self.prefix[range.end] - self.prefix[range.start]
    }

    /// End of `range` without trailing white space (which hangs past the line end).
    fn trimmed_end(&self, start: usize, end: usize) -> usize {
        start + self.text[start..end].trim_end().len()
    }

    /// Breaks the text from byte `from` into lines no wider than `width`, choosing for each
    /// line the last break opportunity that fits (a first cut; the total-fit breaker replaces it).
    pub fn break_lines(&self, from: usize, width: f32) -> Result<Vec<Range<usize>>, TextError> {
        let opportunities: Vec<(usize, BreakOpportunity)> =
            unicode_linebreak::linebreaks(&self.text)
                .filter(|(i, _)| *i > from)
                .collect();
        let mut lines = Vec::new();
        let mut start = from;
        let mut last_fit: Option<usize> = None;
        let mut idx = 0;
        // A little slack so rounding never breaks a line that exactly fits.
        let limit = width + 0.01;
        while idx < opportunities.len() {
            let (at, kind) = opportunities[idx];
            let end = self.trimmed_end(start, at);
            if self.width(start..end) <= limit {
                if kind == BreakOpportunity::Mandatory {
                    lines.push(start..at);
                    start = at;
                    last_fit = None;
                } else {
                    last_fit = Some(at);
                }
                idx += 1;
                continue;
            }
            match last_fit.take() {
                Some(fit) => {
                    lines.push(start..fit);
                    start = fit;
                    // Re-examine the same opportunity from the new line start.
                }
                None => {
                    let word = self.text[start..end].trim().to_string();
                    return Err(TextError::TooWide {
                        excess: self.width(start..end) - width,
                        word,
                    });
                }
            }
        }
        if start < self.text.len() && !self.text[start..].trim().is_empty() {
            lines.push(start..self.text.len());
        }
        Ok(lines)
    }

    /// Shapes and positions one line, applying alignment (and justification unless it is
    /// the paragraph's last line or ends at a forced break).
    pub fn set_line(&self, range: Range<usize>, width: f32, last: bool, fonts: &FontBook) -> Line {
        let forced = self.text[range.clone()].ends_with('\n');
        let end = self.trimmed_end(range.start, range.end);
        let mut runs = Vec::new();
        let mut x = 0.0;
        for span in &self.spans {
            let s = span.range.start.max(range.start);
            let e = span.range.end.min(end);
            if s >= e {
                continue;
            }
            let text = self.text[s..e].to_string();
            let glyphs = shape(
                &text,
                span.font,
                self.size,
                self.tracking,
                &self.lang,
                fonts,
            );
            let run_width: f32 = glyphs.iter().map(|g| g.x_advance).sum();
            runs.push(LineRun {
                font: span.font,
                glyphs,
                text,
                x,
                width: run_width,
                link: span.link.clone(),
            });
            x += run_width;
        }
        let natural = x;
        let mut line = Line {
            runs,
            width: natural,
            x: 0.0,
            range,
        };
        let slack = (width - natural).max(0.0);
        match self.align {
            Align::Left => {}
            Align::Center => line.x = slack / 2.0,
            Align::Right => line.x = slack,
            Align::Justify if !last && !forced => justify(&mut line, slack),
            Align::Justify => {}
        }
        line
    }
}

/// The words of inline Markdown without its markup, on one line (for bookmarks).
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, Options::empty()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Spreads `slack` over the spaces of a line.
fn justify(line: &mut Line, slack: f32) {
    let is_space = |run: &LineRun, g: &PlacedGlyph| run.text[g.range.clone()] == *" ";
    let spaces: usize = line
        .runs
        .iter()
        .map(|r| r.glyphs.iter().filter(|g| is_space(r, g)).count())
        .sum();
    if spaces == 0 {
        return;
    }
    let extra = slack / spaces as f32;
    let mut x = 0.0;
    for run in &mut line.runs {
        run.x = x;
        let text = run.text.clone();
        for g in &mut run.glyphs {
            if text[g.range.clone()] == *" " {
                g.x_advance += extra;
            }
        }
        run.width = run.glyphs.iter().map(|g| g.x_advance).sum();
        x += run.width;
    }
    line.width = x;
}

/// Shapes `text` in one face with kerning and ligatures on; adds tracking after each cluster.
pub fn shape(
    text: &str,
    font: FontId,
    size: f32,
    tracking: f32,
    lang: &str,
    fonts: &FontBook,
) -> Vec<PlacedGlyph> {
    let face = fonts.face(font);
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.set_direction(rustybuzz::Direction::LeftToRight);
    if let Ok(language) = lang.parse() {
        buffer.set_language(language);
    }
    let output = face.shape(buffer);
    let scale = size / face.units_per_em;
    let track = tracking / 1000.0 * size;
    let infos = output.glyph_infos();
    let positions = output.glyph_positions();
    // Cluster ends: the next larger cluster start, or the end of the text.
    let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let end_of = |start: usize| {
        starts
            .iter()
            .find(|&&s| s > start)
            .copied()
            .unwrap_or(text.len())
    };
    let mut glyphs: Vec<PlacedGlyph> = infos
        .iter()
        .zip(positions)
        .map(|(info, pos)| {
            let start = info.cluster as usize;
            PlacedGlyph {
                id: info.glyph_id as u16,
                x_advance: pos.x_advance as f32 * scale,
                x_offset: pos.x_offset as f32 * scale,
                y_offset: pos.y_offset as f32 * scale,
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
mod tests {
    use super::*;
    use crate::units::Pt;
    use std::sync::OnceLock;

    fn fonts() -> &'static FontBook {
        static BOOK: OnceLock<FontBook> = OnceLock::new();
        BOOK.get_or_init(|| {
            FontBook::load(&[concat!(env!("CARGO_MANIFEST_DIR"), "/fonts").into()])
                .expect("bundled fonts load")
        })
    }

    fn style(align: Align) -> Style {
        let black = Color {
            name: "black".into(),
            rgb: [0, 0, 0],
            cmyk: None,
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
        }
    }

    const PARAGRAPH: &str = "Children who are sex trafficked are more commonly known as Commercially Sexually Exploited Children. It is estimated that as many as 12,500 children are already exploited within the state.";

    fn lines(p: &Prepared, width: f32) -> Vec<String> {
        p.break_lines(0, width)
            .unwrap()
            .into_iter()
            .map(|r| p.text[r].trim_end().to_string())
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
        for range in p.break_lines(0, width).unwrap() {
            let line = p.set_line(range, width, false, fonts());
            assert!(line.width <= width + 0.01, "{} > {width}", line.width);
        }
        // Greedy choice: the next word would not have fitted on any line but the last.
        for pair in broken.windows(2) {
            let next_word = pair[1].split(' ').next().unwrap();
            let longer = format!("{} {next_word}", pair[0]);
            let q = prepare(&longer, &style(Align::Left), fonts(), "en").unwrap();
            assert!(
                q.width(0..q.text.len()) > width,
                "`{longer}` would have fitted"
            );
        }
    }

    #[test]
    fn break_opportunities_follow_uax14() {
        // A hyphen is a break opportunity; a non-breaking space is not.
        let p = prepare("well-known\u{a0}fact", &style(Align::Left), fonts(), "en").unwrap();
        let after_hyphen = p.text.find('-').unwrap() + 1;
        let broken = lines(&p, p.width(after_hyphen..p.text.len()) + 1.0);
        assert_eq!(broken, vec!["well-", "known\u{a0}fact"]);
    }

    #[test]
    fn hard_breaks_are_mandatory() {
        let p = prepare("one\\\ntwo", &style(Align::Left), fonts(), "en").unwrap();
        assert_eq!(lines(&p, 500.0), vec!["one", "two"]);
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

    #[test]
    fn alignment_offsets_lines() {
        let width = 300.0;
        let set = |align| {
            let p = prepare("Short line", &style(align), fonts(), "en").unwrap();
            let range = p.break_lines(0, width).unwrap().remove(0);
            p.set_line(range, width, true, fonts())
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
        let ranges = p.break_lines(0, width).unwrap();
        let n = ranges.len();
        for (i, range) in ranges.into_iter().enumerate() {
            let line = p.set_line(range, width, i + 1 == n, fonts());
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
        let fi = shape("fi", f, 10.0, 0.0, "en", fonts());
        assert_eq!(fi.len(), 1);
        assert_eq!(fi[0].range, 0..2);
        // "AV" is kerned tighter than the sum of its letters.
        let pair: f32 = shape("AV", f, 10.0, 0.0, "en", fonts())
            .iter()
            .map(|g| g.x_advance)
            .sum();
        let apart: f32 = ["A", "V"]
            .iter()
            .map(|s| shape(s, f, 10.0, 0.0, "en", fonts())[0].x_advance)
            .sum();
        assert!(pair < apart - 0.1, "{pair} vs {apart}");
        // Tracking adds to every cluster.
        let tracked: f32 = shape("AV", f, 10.0, 100.0, "en", fonts())
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
    fn blank_lines_and_list_markers_become_line_breaks() {
        let p = prepare("one.\n\ntwo\n\n- three", &style(Align::Left), fonts(), "en").unwrap();
        assert_eq!(p.text, "one.\ntwo\nthree");
        assert_eq!(lines(&p, 500.0), vec!["one.", "two", "three"]);
    }

    #[test]
    fn uppercase_transform_and_missing_glyphs() {
        let mut s = style(Align::Left);
        s.transform = TextTransform::Uppercase;
        assert_eq!(
            prepare("straße", &s, fonts(), "en").unwrap().text,
            "STRASSE"
        );
        s.font = "Oswald".into();
        match prepare("안녕", &s, fonts(), "en") {
            Err(TextError::MissingGlyphs(m)) => {
                assert_eq!(m.iter().map(|g| g.character).collect::<String>(), "안녕")
            }
            other => panic!("expected missing glyphs, got {other:?}"),
        }
    }
}
