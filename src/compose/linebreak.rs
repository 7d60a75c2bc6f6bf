//! Line breaking: where a paragraph may break (UAX #14 via unicode-linebreak, a dictionary
//! segmenter for scripts written without spaces, hyphenation points per language) and
//! where it should (total fit: the breaks that minimise the paragraph's demerits, in the
//! manner of Knuth and Plass, rather than filling each line greedily).

use super::typography::{Typography, is_ideograph, takes_letter_spacing, unbreakable_tokens};
use std::ops::Range;
use std::sync::{LazyLock, OnceLock};
use unicode_linebreak::{BreakClass, BreakOpportunity};

/// What the breaker reads of a paragraph, and nothing else (no fonts, no styles): its
/// text, the advance before each byte, its size (stretch and shrink scale with it), where
/// it may break and the limits on hyphens and runts.
pub struct Breakable<'a> {
    pub text: &'a str,
    /// Advance of the text before each byte offset (prefix sums), in points.
    pub prefix: &'a [f32],
    pub size: f32,
    /// Lines are justified (both edges flush), so spaces may stretch and shrink.
    pub justified: bool,
    pub opportunities: &'a [Opportunity],
    /// At most this many hyphenated lines in a row (0: no limit).
    pub hyphen_limit: usize,
    /// Keep a single word (CJK: a single character) off the last line where possible.
    pub avoid_runts: bool,
}

impl Breakable<'_> {
    /// The natural width of a byte range.
    pub fn width(&self, range: Range<usize>) -> f32 {
        self.prefix[range.end] - self.prefix[range.start]
    }

    /// End of `range` without trailing white space (which hangs past the line end).
    fn trimmed_end(&self, start: usize, end: usize) -> usize {
        start + self.text[start..end].trim_end().len()
    }
}

/// A piece of text between break opportunities that is wider than the line.
#[derive(Debug, Clone, PartialEq)]
pub struct TooWide {
    pub word: String,
    pub excess: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A hyphenation point inside a word: breaking adds a hyphen.
    Hyphen,
    Allowed,
    /// A hard break: the line must end here.
    Mandatory,
}

/// A place the text may break before byte `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Opportunity {
    pub at: usize,
    pub kind: Kind,
    /// For hyphenation points, the width of the hyphen the line would gain.
    pub hyphen_width: f32,
}

/// A chosen line: its byte range and whether it ends with an added hyphen.
#[derive(Debug, Clone, PartialEq)]
pub struct Break {
    pub range: Range<usize>,
    pub hyphen: bool,
}

/// How a paragraph may break beyond UAX #14: at hyphenation points, and (justified
/// Chinese and Japanese) between any two ideographs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Breaking {
    pub hyphenate: bool,
    pub justified: bool,
}

/// Every break opportunity of `text`, in order. `kept` are phrases that must not break
/// (place names); `rules` gives the hyphenation limits.
pub fn opportunities(
    text: &str,
    lang: &str,
    Breaking {
        hyphenate,
        justified,
    }: Breaking,
    links: &[Range<usize>],
    kept: &[Range<usize>],
    rules: &Typography,
    hyphen_width: impl Fn(usize) -> f32,
) -> Vec<Opportunity> {
    let mut out: Vec<Opportunity> = unicode_linebreak::linebreaks(text)
        .map(|(at, kind)| Opportunity {
            at,
            kind: if kind == BreakOpportunity::Mandatory {
                Kind::Mandatory
            } else {
                Kind::Allowed
            },
            hyphen_width: 0.0,
        })
        .collect();
    // Phone numbers, addresses and e-mail never break inside.
    let tokens = unbreakable_tokens(text);
    out.retain(|o| {
        o.kind == Kind::Mandatory || !tokens.iter().any(|t| t.start < o.at && o.at < t.end)
    });
    if lang.to_ascii_lowercase().starts_with("ko") {
        // Korean is set word by word (CSS `word-break: keep-all`): UAX #14 would allow a
        // break beside any Hangul syllable, splitting words — and a particle or counter
        // from the figure or bracket it is written against ("복지부(CDSS)는", "3곳", "1이").
        out.retain(|o| {
            o.kind == Kind::Mandatory
                || text[..o.at].ends_with(char::is_whitespace)
                || !(text[o.at..].starts_with(is_hangul) || text[..o.at].ends_with(is_hangul))
        });
    }
    if is_chinese_or_japanese(lang) && !justified {
        // UAX #14 allows a break between any two ideographs, which splits words such as
        // 四分之一 or 聯絡; a dictionary finds the words, and breaks stay between them. A
        // justified line breaks between any two (as Chinese is set on the character grid):
        // between words only, it spread up to two characters' slack over its gaps.
        let words = ideographic_words(text);
        out.retain(|o| {
            o.kind == Kind::Mandatory || !words.iter().any(|w| w.start < o.at && o.at < w.end)
        });
    }
    out.extend(
        complex_script_breaks(text)
            .into_iter()
            .map(|at| Opportunity {
                at,
                kind: Kind::Allowed,
                hyphen_width: 0.0,
            }),
    );
    if hyphenate {
        out.extend(
            hyphenation_points(text, lang, links, rules)
                .into_iter()
                .map(|at| Opportunity {
                    at,
                    kind: Kind::Hyphen,
                    hyphen_width: hyphen_width(at),
                }),
        );
    }
    // A kept phrase breaks nowhere inside, not even at a hyphenation point.
    out.retain(|o| {
        o.kind == Kind::Mandatory || !kept.iter().any(|k| k.start < o.at && o.at < k.end)
    });
    // An en dash between figures ("2014–15") holds them together as a hyphen-minus
    // would (UAX #14 allows a break after the dash, which the hyphen-minus does not).
    out.retain(|o| {
        o.kind == Kind::Mandatory
            || !(text[..o.at].ends_with('–')
                && text[..o.at - '–'.len_utf8()]
                    .ends_with(|c: char| c.is_ascii_digit() || c == '%')
                && text[o.at..].starts_with(|c: char| c.is_ascii_digit() || c == '$'))
    });
    // An ampersand joins what is on either side: it ends a line ("SLAVERY &") rather
    // than starting the next one ("& HUMAN TRAFFICKING").
    out.retain(|o| o.kind == Kind::Mandatory || !text[o.at..].starts_with("& "));
    // A compound breaks at its hyphen only between parts of three characters or more:
    // "24-/hour" or "e-/mail" reads as two words (round 23 found "24-" ending a line of a
    // county's help line).
    out.retain(|o| o.kind == Kind::Mandatory || !splits_short_compound(text, o.at));
    out.sort_by(|a, b| a.at.cmp(&b.at).then(b.kind.cmp(&a.kind)));
    out.dedup_by_key(|o| o.at);
    out
}

/// Whether a break at `at` would follow a hyphen with fewer than three characters of the
/// compound on one side of it.
fn splits_short_compound(text: &str, at: usize) -> bool {
    let Some(head) = text[..at].strip_suffix(['-', '\u{2010}']) else {
        return false;
    };
    let in_part = |c: &char| !c.is_whitespace() && !matches!(c, '-' | '\u{2010}');
    let head_part = head.chars().rev().take_while(in_part).count();
    let tail_part = text[at..].chars().take_while(in_part).count();
    head_part < 3 || tail_part < 3
}

fn is_chinese_or_japanese(lang: &str) -> bool {
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    matches!(primary.as_str(), "zh" | "ja" | "yue" | "cmn")
}

/// Byte ranges of the words of two or more ideographs, found by ICU4X's dictionary word
/// segmenter (CJ dictionary).
fn ideographic_words(text: &str) -> Vec<Range<usize>> {
    static WORDS: LazyLock<icu_segmenter::WordSegmenterBorrowed<'static>> =
        LazyLock::new(|| icu_segmenter::WordSegmenter::new_auto(Default::default()));
    let bounds: Vec<usize> = WORDS.segment_str(text).collect();
    bounds
        .windows(2)
        .map(|w| w[0]..w[1])
        .filter(|w| {
            let word = &text[w.clone()];
            word.chars().count() >= 2 && word.chars().all(is_ideograph)
        })
        .collect()
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{ac00}'..='\u{d7a3}' | '\u{1100}'..='\u{11ff}' | '\u{3130}'..='\u{318f}')
}

/// Thai, Lao, Khmer and Myanmar put no spaces between words; UAX #14 leaves such runs
/// (class SA) unbroken, so a dictionary/LSTM segmenter (ICU4X) finds the word boundaries.
fn complex_script_breaks(text: &str) -> Vec<usize> {
    static SEGMENTER: LazyLock<icu_segmenter::LineSegmenterBorrowed<'static>> =
        LazyLock::new(|| icu_segmenter::LineSegmenter::new_auto(Default::default()));
    let mut out = Vec::new();
    let mut run: Option<usize> = None;
    let flush = |start: usize, end: usize, out: &mut Vec<usize>| {
        let segment = &text[start..end];
        out.extend(
            SEGMENTER
                .segment_str(segment)
                .filter(|&b| b > 0 && b < segment.len())
                .map(|b| start + b),
        );
    };
    for (i, c) in text.char_indices() {
        let sa = unicode_linebreak::break_property(c as u32) == BreakClass::ComplexContext;
        match (sa, run) {
            (true, None) => run = Some(i),
            (false, Some(start)) => {
                flush(start, i, &mut out);
                run = None;
            }
            _ => {}
        }
    }
    if let Some(start) = run {
        flush(start, text.len(), &mut out);
    }
    out
}

/// Loads the hyphenation patterns for `lang` now (if we have them), so that the first
/// paragraph set in it does not wait for them: a run that names its languages loads them
/// on its second thread while the fonts load (`Session::load`). Loading the English
/// patterns is 3% of a one-flyer run.
pub fn load_hyphenation(lang: &str) {
    dictionary(lang);
}

/// The hyphenation dictionary for a language, if we have patterns for it.
fn dictionary(lang: &str) -> Option<&'static hyphenation::Standard> {
    use hyphenation::{Language, Load, Standard};
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let (slot, language): (&'static OnceLock<Option<Standard>>, Language) = match primary.as_str() {
        "en" => {
            static EN: OnceLock<Option<Standard>> = OnceLock::new();
            (&EN, Language::EnglishUS)
        }
        "es" => {
            static ES: OnceLock<Option<Standard>> = OnceLock::new();
            (&ES, Language::Spanish)
        }
        "pt" => {
            static PT: OnceLock<Option<Standard>> = OnceLock::new();
            (&PT, Language::Portuguese)
        }
        _ => return None,
    };
    slot.get_or_init(|| Standard::from_embedded(language).ok())
        .as_ref()
}

/// Hyphenation points of the words of `text`. Words with digits or URL/e-mail punctuation
/// (phone numbers, addresses), words in links, and short words are never hyphenated.
fn hyphenation_points(
    text: &str,
    lang: &str,
    links: &[Range<usize>],
    rules: &Typography,
) -> Vec<usize> {
    use hyphenation::Hyphenator;
    let Some(dict) = dictionary(lang) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut offset = 0;
    for token in text.split_inclusive(char::is_whitespace) {
        let start = offset;
        offset += token.len();
        let word = token.trim_end();
        let technical = word
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '/' | '@' | ':' | '.' | '_' | '\\'));
        if technical
            || links
                .iter()
                .any(|l| l.start < start + word.len() && start < l.end)
        {
            continue;
        }
        // Hyphenate the letters only, leaving surrounding punctuation alone.
        let Some(first) = word.find(char::is_alphabetic) else {
            continue;
        };
        let letters: &str = &word[first..];
        let letters = &letters[..letters
            .find(|c: char| !c.is_alphabetic() && c != '\'' && c != '’')
            .unwrap_or(letters.len())];
        if letters.chars().count() < rules.hyphen_min_word.max(2) || letters.contains('-') {
            continue;
        }
        // Names and proper terms ("Commercially Sexually Exploited Children") keep their
        // shape: a typesetter does not hyphenate capitalised words.
        if !rules.hyphenate_capitalized && letters.starts_with(char::is_uppercase) {
            continue;
        }
        let lower = letters.to_lowercase();
        if lower.len() != letters.len() {
            continue; // case mapping changed byte offsets; skip rather than misplace a break
        }
        out.extend(
            dict.hyphenate(&lower)
                .breaks
                .into_iter()
                .map(|b| start + first + b),
        );
    }
    out
}

/// How far a line may stretch or shrink, per space, as a fraction of the font size, in
/// justified text; and the fixed stretch of ragged lines as a fraction of the width.
const SPACE_STRETCH: f32 = 0.5 * 0.26;
const SPACE_SHRINK: f32 = 0.33 * 0.26;
/// How far the gap between two ideographs may open in a justified CJK line, as a fraction
/// of the font size: CJK is justified between characters, having no spaces.
const CJK_STRETCH: f32 = 0.1;
/// ...and how far it may close: a fortieth of an em, unseen, so a line a hair too long for
/// its last two characters (a word kept whole, 美元) takes them rather than opening every
/// gap of the line by a quarter em (round 48: 0.1 pt short).
const CJK_SHRINK: f32 = 0.025;
const RAGGED_STRETCH: f32 = 0.2;
const LINE_PENALTY: f32 = 10.0;
const HYPHEN_PENALTY: f32 = 50.0;
const DOUBLE_HYPHEN_DEMERITS: f32 = 3000.0;
/// A single word alone on a paragraph's last line: avoided when the lines above can take
/// it with spaces up to about 1.5 times their stretch.
const RUNT_DEMERITS: f32 = 1.0e5;
/// A single CJK character alone on a last line (員。): worse than any line that fits, so
/// it happens only when nothing else can be done.
const CJK_RUNT_DEMERITS: f32 = 1.0e9;

/// Total-fit line breaking from byte `from`: each stretch between hard breaks is broken
/// where the sum of the lines' demerits is least.
pub fn total_fit(p: &Breakable, from: usize, width: f32) -> Result<Vec<Break>, TooWide> {
    let mut lines = Vec::new();
    // Room for every opportunity at once: most paragraphs are one segment.
    let mut segment: Vec<&Opportunity> = Vec::with_capacity(p.opportunities.len());
    let mut start = from;
    let counts = p.justified.then(|| StretchCounts::new(p.text));
    let counts = counts.as_ref();
    for o in p.opportunities.iter().filter(|o| o.at > from) {
        segment.push(o);
        if o.kind == Kind::Mandatory {
            lines.extend(fit_segment(p, counts, start, &segment, width)?);
            start = o.at;
            segment.clear();
        }
    }
    if !segment.is_empty() {
        lines.extend(fit_segment(p, counts, start, &segment, width)?);
    }
    lines.retain(|b| !p.text[b.range.clone()].trim().is_empty());
    Ok(lines)
}

#[derive(Clone, Copy)]
struct Node {
    demerits: f32,
    previous: usize,
    /// How many lines in a row, up to and including this one, end in a hyphen.
    hyphens: usize,
}

/// A justified paragraph's spaces and letter-spaced characters (ideographs, Hangul
/// syllables) before each byte offset, counted once per breaking: the breaker asks how
/// far every candidate line may stretch, and counting them anew over each line's text made
/// breaking a justified Chinese paragraph quadratic in its line length.
struct StretchCounts {
    spaces: Vec<u32>,
    letters: Vec<u32>,
}

impl StretchCounts {
    fn new(text: &str) -> StretchCounts {
        let mut spaces = Vec::with_capacity(text.len() + 1);
        let mut letters = Vec::with_capacity(text.len() + 1);
        let (mut space_count, mut letter_count) = (0, 0);
        spaces.push(0);
        letters.push(0);
        for c in text.chars() {
            // The offsets inside a character (never a line's end) hold the counts before it.
            for _ in 1..c.len_utf8() {
                spaces.push(space_count);
                letters.push(letter_count);
            }
            space_count += u32::from(c == ' ');
            letter_count += u32::from(takes_letter_spacing(c));
            spaces.push(space_count);
            letters.push(letter_count);
        }
        StretchCounts { spaces, letters }
    }

    /// Where the line `text[range]` may stretch: its spaces, and the gaps after ideographs
    /// and Hangul syllables (all but the line's last character).
    fn gaps(&self, text: &str, range: Range<usize>) -> (f32, f32) {
        let spaces = self.spaces[range.end] - self.spaces[range.start];
        let ideographic = self.letters[range.end] - self.letters[range.start];
        let last_is = text[range]
            .chars()
            .next_back()
            .is_some_and(takes_letter_spacing);
        let gaps = ideographic.saturating_sub(u32::from(last_is));
        (spaces as f32, gaps as f32)
    }
}

/// Whether a last line is a runt: one CJK character (with its punctuation), or in other
/// scripts one word. Returns the demerits it adds.
fn runt_demerits(line: &str) -> f32 {
    let line = line.trim();
    // The breaker asks this of every candidate last line, and decoding each character to
    // test it against the ideograph ranges was a fifth of breaking. Every ideograph is
    // U+2E80 or above, so its UTF-8 lead byte is 0xE2 or above: a line without one (all
    // of Latin, Greek, Cyrillic, Arabic, Vietnamese…) has none, and is not decoded.
    let ideographs = if line.bytes().all(|b| b < 0xE2) {
        0
    } else {
        line.chars().filter(|&c| is_ideograph(c)).count()
    };
    if ideographs > 0 {
        let other_words = line
            .chars()
            .any(|c| c.is_alphanumeric() && !is_ideograph(c));
        if ideographs < 2 && !other_words {
            return CJK_RUNT_DEMERITS;
        }
        return 0.0;
    }
    if line.contains(char::is_whitespace) || !line.contains(char::is_alphabetic) {
        0.0
    } else {
        RUNT_DEMERITS
    }
}

/// The demerits of one line from byte `a` to opportunity `to`, or `None` if it cannot fit
/// even with its spaces shrunk. Lines with equal demerits look equally good. `first` says
/// the line starts its paragraph (a one-line paragraph cannot avoid a runt);
/// `after_hyphen`, that the line before ends in a hyphen. `trimmed` is where the text
/// before `to` ends without its trailing white space (`trimmed_end(0, to.at)`): a line from
/// `a` ends there, or at `a` if it is all white space.
fn line_demerits(
    p: &Breakable,
    counts: Option<&StretchCounts>,
    a: usize,
    (to, trimmed): (&Opportunity, usize),
    width: f32,
    (first, last): (bool, bool),
    after_hyphen: bool,
) -> Option<f32> {
    let hyphen = to.kind == Kind::Hyphen;
    let end = a.max(trimmed);
    let natural = p.width(a..end) + if hyphen { to.hyphen_width } else { 0.0 };
    // Only a justified line stretches at its spaces and ideograph gaps (counted once per
    // breaking, see `StretchCounts`); a ragged line stretches by a share of the measure.
    let (stretch, shrink) = if let Some(counts) = counts {
        let (spaces, gaps) = counts.gaps(p.text, a..end);
        (
            spaces * SPACE_STRETCH * p.size + gaps * CJK_STRETCH * p.size,
            spaces * SPACE_SHRINK * p.size + gaps * CJK_SHRINK * p.size,
        )
    } else {
        (RAGGED_STRETCH * width, 0.0)
    };
    if natural > width + shrink + 0.01 {
        return None;
    }
    // A last line (of the paragraph, or before a hard break) is never justified, so it
    // cannot be shrunk at its spaces: it must fit as it is.
    if last && natural > width + 0.01 {
        return None;
    }
    let badness = if last && natural <= width + 0.01 {
        0.0 // the last line may end short
    } else if natural >= width {
        let ratio = if shrink > 0.0 {
            (natural - width) / shrink
        } else {
            0.0
        };
        100.0 * ratio.powi(3)
    } else if stretch > 0.0 {
        (100.0 * ((width - natural) / stretch).powi(3)).min(10_000.0)
    } else {
        10_000.0
    };
    let mut demerits = (LINE_PENALTY + badness).powi(2);
    if hyphen {
        demerits += HYPHEN_PENALTY.powi(2);
        if after_hyphen {
            demerits += DOUBLE_HYPHEN_DEMERITS;
        }
    }
    if last && !first && p.avoid_runts {
        demerits += runt_demerits(&p.text[a..end]);
    }
    Some(demerits)
}

/// The total demerits of a given set of lines (for comparing breakers in tests).
#[cfg(test)]
pub(crate) fn total_demerits(p: &Breakable, lines: &[Range<usize>], width: f32) -> Option<f32> {
    let mut sum = 0.0;
    let counts = p.justified.then(|| StretchCounts::new(p.text));
    for (i, line) in lines.iter().enumerate() {
        let to = p.opportunities.iter().find(|o| o.at == line.end)?;
        let place = (i == 0, i + 1 == lines.len());
        let trimmed = p.trimmed_end(0, to.at);
        sum += line_demerits(
            p,
            counts.as_ref(),
            line.start,
            (to, trimmed),
            width,
            place,
            false,
        )?;
    }
    Some(sum)
}

fn fit_segment(
    p: &Breakable,
    counts: Option<&StretchCounts>,
    start: usize,
    opps: &[&Opportunity],
    width: f32,
) -> Result<Vec<Break>, TooWide> {
    let position = |node: usize| if node == 0 { start } else { opps[node - 1].at };
    let mut best: Vec<Option<Node>> = vec![None; opps.len() + 1];
    best[0] = Some(Node {
        demerits: 0.0,
        previous: 0,
        hyphens: 0,
    });
    for j in 1..=opps.len() {
        let to = opps[j - 1];
        let last = j == opps.len();
        let hyphen = to.kind == Kind::Hyphen;
        // Every line ending at `to` ends where its trailing white space starts: found once
        // here rather than for each line tried (the loop below is most of breaking).
        let trimmed = p.trimmed_end(0, to.at);
        for i in (0..j).rev() {
            let Some(from) = best[i] else { continue };
            let place = (i == 0, last);
            let end = (to, trimmed);
            let after_hyphen = from.hyphens > 0;
            let Some(demerits) =
                line_demerits(p, counts, position(i), end, width, place, after_hyphen)
            else {
                break; // longer lines (smaller i) only get wider
            };
            // At most `hyphen_limit` hyphenated lines in a row.
            if hyphen && p.hyphen_limit > 0 && from.hyphens >= p.hyphen_limit {
                continue;
            }
            let total = from.demerits + demerits;
            if best[j].is_none_or(|b| total < b.demerits) {
                best[j] = Some(Node {
                    demerits: total,
                    previous: i,
                    hyphens: if hyphen { from.hyphens + 1 } else { 0 },
                });
            }
        }
    }
    if best[opps.len()].is_none() {
        return Err(too_wide(p, start, opps, width));
    }
    let mut breaks = Vec::new();
    let mut j = opps.len();
    while j > 0 {
        let node = best[j].expect("reachable");
        breaks.push(Break {
            range: position(node.previous)..opps[j - 1].at,
            hyphen: node.hyphens > 0,
        });
        j = node.previous;
    }
    breaks.reverse();
    Ok(breaks)
}

/// The first unbreakable piece wider than the line, for the error message.
fn too_wide(p: &Breakable, start: usize, opps: &[&Opportunity], width: f32) -> TooWide {
    let mut a = start;
    for o in opps.iter().filter(|o| o.kind != Kind::Hyphen) {
        let end = p.trimmed_end(a, o.at);
        if p.width(a..end) > width {
            return TooWide {
                word: p.text[a..end].trim().to_string(),
                excess: p.width(a..end) - width,
            };
        }
        a = o.at;
    }
    TooWide {
        word: p.text[start..].trim().to_string(),
        excess: 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where English text may break, with the default typography and no hyphenation.
    fn english_breaks(text: &str) -> Vec<usize> {
        opportunities(
            text,
            "en",
            Breaking::default(),
            &[],
            &[],
            &Typography::default(),
            |_| 0.0,
        )
        .into_iter()
        .map(|o| o.at)
        .collect()
    }

    #[test]
    fn an_ampersand_ends_a_line_rather_than_starting_one() {
        let at = english_breaks("SLAVERY & HUMAN TRAFFICKING");
        assert!(!at.contains(&"SLAVERY ".len()), "{at:?}");
        assert!(at.contains(&"SLAVERY & ".len()), "{at:?}");
    }

    /// The stretch of every line a justified paragraph could be broken into, from the
    /// counts made once, is what counting over the line's own text gives.
    #[test]
    fn stretch_counts_give_each_line_its_spaces_and_ideograph_gaps() {
        let by_counting = |line: &str| {
            let spaces = line.matches(' ').count() as f32;
            let letters = line.chars().filter(|&c| takes_letter_spacing(c)).count();
            let last_is = line.chars().next_back().is_some_and(takes_letter_spacing);
            (spaces, letters.saturating_sub(usize::from(last_is)) as f32)
        };
        let text = "致電 1-888-373-7888 求助。인신매매 신고 24시간 Call now, é 全天候 ";
        let counts = StretchCounts::new(text);
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect();
        for (k, &a) in boundaries.iter().enumerate() {
            for &b in &boundaries[k..] {
                assert_eq!(
                    counts.gaps(text, a..b),
                    by_counting(&text[a..b]),
                    "{:?}",
                    &text[a..b]
                );
            }
        }
    }

    #[test]
    fn a_compound_breaks_at_its_hyphen_only_between_longer_parts() {
        let at = english_breaks;
        assert!(!at("24-hour help").contains(&"24-".len()));
        assert!(!at("call-in line").contains(&"call-".len()));
        assert!(at("state-funded work").contains(&"state-".len()));
    }
}
