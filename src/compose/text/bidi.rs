//! Bidi: the embedding level of each byte of a paragraph (UAX #9), with figures, phone
//! numbers and addresses isolated left to right, and the visual order of a line's level
//! runs (rule L2).

use super::Prepared;
use std::ops::Range;

pub use crate::typography::is_rtl_language;

/// The bidi embedding level of each byte (UAX #9), with the paragraph direction set by
/// the language rather than guessed from the first letter.
///
/// Figures are isolated first (UAX #9 X5a–X6a, as HTML's `<bdi dir="ltr">` would): left
/// alone, the rules make European digits after Arabic letters Arabic numbers (W2) and
/// resolve the hyphen of "2014-15" as right-to-left (N1), so it reads "15-2014". An
/// isolate keeps a range, a percentage, a date or a phone number one left-to-right unit
/// while the text around it still resolves as if it were one neutral character.
pub(super) fn bidi_levels(text: &str, rtl: bool) -> Vec<u8> {
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
    let mut units = crate::compose::typography::unbreakable_tokens(text);
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
    /// The line's level runs in visual order (UAX #9 rule L2), each with its direction and
    /// whether it carries the line-end hyphen.
    pub(super) fn visual_pieces(
        &self,
        range: Range<usize>,
        hyphen: bool,
    ) -> Vec<(Range<usize>, bool, bool)> {
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
}
