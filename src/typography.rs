//! Smart typography at composition: curly quotes and apostrophes by language, en dashes
//! in numeric ranges, phrases (place names) kept on one line, and the line-breaking limits
//! a typesetter expects (consecutive hyphens, capitalised words, short words, runts).
//! Content files keep what the author typed; the typographic characters exist only in the
//! composed text, so the glyphs, the tag tree and extracted text all carry the same ones.

use std::ops::Range;

/// How quotation marks are set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quotes {
    /// As typed: straight quotes stay straight.
    Straight,
    /// The language's curly quotes (“ ” ‘ ’ for English, „ “ for German …).
    Curly,
    /// Angle quotes « » outside, curly quotes inside (Spanish where a translation asks).
    Guillemets,
}

/// The typographic settings of one edition: the campaign's `[campaign] typography`, the
/// translation's overrides, and the place names to keep together.
#[derive(Debug, Clone, PartialEq)]
pub struct Typography {
    pub quotes: Quotes,
    /// Hyphens between figures become en dashes ("50–80%", "2014–15"); a hyphen with a
    /// space on both sides becomes a spaced en dash.
    pub dashes: bool,
    /// Phrases never broken across lines (as if their spaces were no-break spaces),
    /// matched case-insensitively on word boundaries.
    pub keep_together: Vec<String>,
    /// At most this many consecutive lines end in a hyphen (0: no limit).
    pub hyphen_limit: usize,
    /// Words shorter than this (in letters) are never hyphenated.
    pub hyphen_min_word: usize,
    /// Capitalised words (names, proper terms) may be hyphenated.
    pub hyphenate_capitalized: bool,
    /// Avoid a single word (in CJK, a single character) alone on a paragraph's last line.
    pub avoid_runts: bool,
}

/// Multiword place names kept together in every campaign, besides the county names and
/// seats from the county sheet.
pub const PLACE_NAMES: &[&str] = &[
    "San Francisco Bay Area",
    "Bay Area",
    "United States",
    "EE. UU.",
    "Estados Unidos",
    "Hoa Kỳ",
    "Estados Unidos de América",
];

impl Default for Typography {
    fn default() -> Self {
        Typography {
            quotes: Quotes::Curly,
            dashes: true,
            keep_together: PLACE_NAMES.iter().map(|s| s.to_string()).collect(),
            hyphen_limit: 2,
            hyphen_min_word: 6,
            hyphenate_capitalized: false,
            avoid_runts: true,
        }
    }
}

impl Typography {
    /// Text exactly as typed, line breaking without typographic limits (for tests that
    /// look at raw breaking, and for campaigns that switch it off).
    pub fn off() -> Typography {
        Typography {
            quotes: Quotes::Straight,
            dashes: false,
            keep_together: Vec::new(),
            hyphen_limit: 0,
            hyphen_min_word: 6,
            hyphenate_capitalized: true,
            avoid_runts: false,
        }
    }
}

/// The quotation marks of a language: (open double, close double, open single, close
/// single). The apostrophe is always U+2019.
fn marks(lang: &str, quotes: Quotes) -> [char; 4] {
    let primary = lang
        .split(['-', '_'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let curly = match primary.as_str() {
        "de" | "cs" | "sk" | "lt" | "bg" => ['„', '“', '‚', '‘'],
        "fr" | "ar" | "fa" | "ru" | "uk" => ['«', '»', '“', '”'],
        _ => ['“', '”', '‘', '’'],
    };
    match quotes {
        Quotes::Guillemets => ['«', '»', '“', '”'],
        _ => curly,
    }
}

/// Applies the substitutions to `text` (plain text, markup already removed). Returns the
/// new text and, for every byte offset of the old text (and its end), the offset in the
/// new one, so formatting ranges can follow.
pub fn apply(text: &str, lang: &str, settings: &Typography) -> (String, Vec<usize>) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let protected = unbreakable_tokens(text);
    let in_token = |at: usize| protected.iter().any(|t| t.contains(&at));
    let [open2, close2, open1, close1] = marks(lang, settings.quotes);
    let mut out = String::with_capacity(text.len() + 16);
    let mut map = vec![0; text.len() + 1];
    for (k, &(i, c)) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(k + 1).map(|n| n.1);
        let opens = prev.is_none_or(|p| {
            p.is_whitespace() || matches!(p, '(' | '[' | '{' | '—' | '–' | '/' | '“' | '‘' | '«')
        });
        let replacement = match c {
            '"' if settings.quotes != Quotes::Straight && !in_token(i) => {
                Some(if opens { open2 } else { close2 })
            }
            '\'' if settings.quotes != Quotes::Straight && !in_token(i) => {
                let letter_before = prev.is_some_and(char::is_alphanumeric);
                let digit_after = next.is_some_and(|n| n.is_ascii_digit());
                Some(if letter_before || (opens && digit_after) {
                    '’' // an apostrophe: What’s, counties’, ’90s
                } else if opens {
                    open1
                } else {
                    close1
                })
            }
            '-' if settings.dashes
                && !in_token(i)
                && (is_range_dash(&chars, k) || spaced(prev, next)) =>
            {
                Some('–')
            }
            _ => None,
        };
        for b in 0..c.len_utf8() {
            map[i + b] = out.len();
        }
        match replacement {
            Some(r) => out.push(r),
            None => out.push(c),
        }
    }
    map[text.len()] = out.len();
    (out, map)
}

/// A hyphen with a space on each side is a dash.
fn spaced(prev: Option<char>, next: Option<char>) -> bool {
    prev == Some(' ') && next == Some(' ')
}

/// Whether the hyphen at `chars[k]` joins two figures as a range: "50-80%", "2014-15",
/// "$5-10". Chains of hyphenated figures (dates such as 2024-01-15, identifiers) are left
/// alone, as are phone numbers (protected before this is asked).
fn is_range_dash(chars: &[(usize, char)], k: usize) -> bool {
    let figure = |c: char| c.is_ascii_digit();
    let inside = |c: char| c.is_ascii_digit() || c == ',' || c == '.';
    // Left: figures, optionally followed by a percent sign.
    let mut j = k;
    if j > 0 && chars[j - 1].1 == '%' {
        j -= 1;
    }
    if j == 0 || !figure(chars[j - 1].1) {
        return false;
    }
    while j > 0 && inside(chars[j - 1].1) {
        j -= 1;
    }
    // A letter before the figures makes an identifier (COVID-19, A1-2); ideographs do not
    // ("有50-80%的").
    let latin_letter = |c: char| c.is_alphabetic() && (c as u32) < 0x0590;
    if j > 0 && (matches!(chars[j - 1].1, '-' | '–') || latin_letter(chars[j - 1].1)) {
        return false;
    }
    // Right: figures, not followed by another hyphen and figure.
    let mut e = k + 1;
    if e < chars.len() && matches!(chars[e].1, '$' | '€' | '£') {
        e += 1;
    }
    if e >= chars.len() || !figure(chars[e].1) {
        return false;
    }
    while e < chars.len() && inside(chars[e].1) {
        e += 1;
    }
    !(e + 1 < chars.len() && chars[e].1 == '-' && figure(chars[e + 1].1))
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

/// Whether a line could break inside `phrase` (at a space, a hyphen or a slash, or between
/// two ideographs), so that keeping it together means something: "Los Angeles",
/// "Pang-aalipin" and "勞力販運", not "Alameda".
pub fn can_break_inside(phrase: &str) -> bool {
    phrase.contains(|c: char| c.is_whitespace() || matches!(c, '-' | '\u{2010}' | '/'))
        || phrase.chars().filter(|&c| is_ideographic(c)).count() >= 2
}

/// The byte ranges of `text` where a phrase to keep together occurs: case-insensitive
/// (headlines are set in capitals), any white space matching any white space, and only on
/// word boundaries ("San Diego" is not found inside "San Diegoan"); ideographs have no
/// word boundaries, so a phrase of them is found anywhere ("兒童勞力販運" in "處理兒童勞力販運？").
pub fn kept_phrases(text: &str, phrases: &[String]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let starts: Vec<usize> = text
        .char_indices()
        .filter(|&(i, c)| {
            is_ideographic(c)
                || text[..i]
                    .chars()
                    .next_back()
                    .is_none_or(|p| !p.is_alphanumeric())
        })
        .map(|(i, _)| i)
        .collect();
    // Each word's first letter in lower case, once: every phrase is tried at every word.
    let initials: Vec<(char, Option<char>)> = starts
        .iter()
        .map(|&start| {
            let c = text[start..]
                .chars()
                .next()
                .expect("a start is a character");
            (c, single_lowercase(c))
        })
        .collect();
    for phrase in phrases {
        if !can_break_inside(phrase) {
            continue; // one word: there is nothing to keep together
        }
        // A phrase's first letter against each word's first letter, before anything else:
        // most words start with another letter (what `match_at` would find first). Where
        // either letter lowers to more than one character, `match_at` decides.
        let first = phrase
            .chars()
            .next()
            .filter(|p| !p.is_whitespace())
            .map(|p| (p, single_lowercase(p)));
        for (&start, &(c, c_lower)) in starts.iter().zip(&initials) {
            if let Some((p, p_lower)) = first
                && c != p
                && let (Some(c_lower), Some(p_lower)) = (c_lower, p_lower)
                && c_lower != p_lower
            {
                continue;
            }
            // A Korean phrase may end inside a word: its particles and endings attach to
            // it (성 착취를, round 55), and the phrase is no less one term before them.
            let ends_a_word = |end: usize| {
                text[..end]
                    .chars()
                    .next_back()
                    .is_some_and(|c| is_ideographic(c) || is_hangul_syllable(c))
                    || text[end..]
                        .chars()
                        .next()
                        .is_none_or(|n| !n.is_alphanumeric())
            };
            if let Some(end) = match_at(text, start, phrase)
                && ends_a_word(end)
            {
                out.push(start..end);
            }
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// `c` in lower case where that is one character (`None` for the few, such as 'İ', that
/// lower to two): what comparing `to_lowercase()` sequences comes to for such a pair.
fn single_lowercase(c: char) -> Option<char> {
    let mut lower = c.to_lowercase();
    let first = lower.next()?;
    lower.next().is_none().then_some(first)
}

/// The end of `phrase` if it occurs at byte `start` of `text`.
fn match_at(text: &str, start: usize, phrase: &str) -> Option<usize> {
    let mut rest = text[start..].char_indices().peekable();
    let mut end = start;
    for p in phrase.chars() {
        let (offset, c) = rest.next()?;
        let same = if p.is_whitespace() {
            c.is_whitespace() && c != '\n'
        } else if c.is_ascii() && p.is_ascii() {
            // The same answer as the Unicode comparison below, without its case tables:
            // every start of every word is tried against every phrase.
            c.eq_ignore_ascii_case(&p)
        } else {
            c == p || c.to_lowercase().eq(p.to_lowercase())
        };
        if !same {
            return None;
        }
        end = start + offset + c.len_utf8();
    }
    Some(end)
}

/// `text` in Unicode normalization form C, as tagged and extracted text is. Most text
/// already is (all of it ASCII in English), and is copied as it is: the normalizer's
/// character-by-character rebuild of every bookmark, tag and title was 1.4% of a 59-flyer
/// batch. (`is_nfc_quick` answers "yes" only for text that is in NFC.)
pub fn nfc(text: &str) -> String {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text.to_string()
    } else {
        text.nfc().collect()
    }
}

/// Ideographic characters (Han, kana, CJK punctuation and fullwidth forms): they are set
/// on a square grid, may take inter-character spacing in justified lines, and a line of
/// only one of them is a runt. Hangul is excluded: Korean is set word by word.
pub fn is_ideographic(c: char) -> bool {
    matches!(c,
        '\u{2e80}'..='\u{2fdf}'     // radicals
        | '\u{3000}'..='\u{303f}'   // CJK symbols and punctuation
        | '\u{3040}'..='\u{30ff}'   // hiragana, katakana
        | '\u{3400}'..='\u{4dbf}'   // extension A
        | '\u{4e00}'..='\u{9fff}'   // unified ideographs
        | '\u{f900}'..='\u{faff}'   // compatibility ideographs
        | '\u{ff00}'..='\u{ffef}'   // fullwidth forms
        | '\u{20000}'..='\u{3134f}')
}

/// Full-width punctuation: the CJK commas, full stops, brackets and quotes (、。〈〉「」【】…)
/// and the full-width forms' punctuation (！，．：；？（）［］｛｝…), and the dashes and
/// ellipses CJK text sets in pairs (——, ……). Each is set in an em box that already holds
/// white beside its ink, or runs on as a rule.
pub fn is_cjk_punctuation(c: char) -> bool {
    matches!(c,
        '\u{2014}' | '\u{2015}' | '\u{2025}' | '\u{2026}'
        | '\u{3001}'..='\u{3003}'
        | '\u{3008}'..='\u{3011}'
        | '\u{3014}'..='\u{301f}'
        | '\u{ff01}'..='\u{ff0f}'
        | '\u{ff1a}'..='\u{ff20}'
        | '\u{ff3b}'..='\u{ff40}'
        | '\u{ff5b}'..='\u{ff65}')
}

/// Full-width punctuation that closes or ends (、。，」』）】…): it never starts a line, so
/// a pair of them (」。) always stands on one line.
pub fn is_cjk_closing(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '〉'
            | '》'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〗'
            | '〙'
            | '〛'
            | '！'
            | '）'
            | '，'
            | '．'
            | '：'
            | '；'
            | '？'
            | '］'
            | '｝'
            | '｣'
    )
}

/// Full-width punctuation that opens (「『（【〈《…): at the start of a line its white stands
/// before its ink, so the line reads indented by half an em.
pub fn is_cjk_opening(c: char) -> bool {
    matches!(
        c,
        '〈' | '《' | '「' | '『' | '【' | '〔' | '〖' | '〘' | '〚' | '（' | '［' | '｛' | '｢'
    )
}

/// Hangul syllables (가–힣): Korean, set word by word.
pub fn is_hangul_syllable(c: char) -> bool {
    matches!(c, '\u{ac00}'..='\u{d7a3}')
}

/// Characters a justified line may space apart: ideographs and Hangul syllables. Korean
/// words are long and its columns narrow, so stretching only at spaces leaves loose lines.
pub fn takes_letter_spacing(c: char) -> bool {
    is_ideographic(c) || is_hangul_syllable(c)
}

/// Whether Chinese or Japanese text sets a quarter em of white between `before` and
/// `after`: an ideograph or kana beside a Latin letter or a figure (於 2014, LGBTQ 的), as
/// Taiwanese and Japanese typesetting does (W3C clreq §3.2, jlreq §3.6.2). Set solid the
/// Latin word runs into the characters beside it. Punctuation on either side takes none:
/// its em box already holds its white.
pub fn is_cjk_latin_boundary(before: char, after: char) -> bool {
    let latin = |c: char| {
        c.is_ascii_alphanumeric()
            || c == '%'
            || (('\u{c0}'..='\u{24f}').contains(&c) && c.is_alphabetic())
    };
    // The katakana middle dot and double hyphen (ジョン・F・ケネディ) are punctuation too.
    let character = |c: char| is_ideograph(c) && !matches!(c, '\u{30a0}' | '\u{30fb}');
    (character(before) && latin(after)) || (latin(before) && character(after))
}

/// The white [`is_cjk_latin_boundary`] sets, in ems.
pub const CJK_LATIN_SPACE: f32 = 0.25;

/// Ideographs proper (not punctuation): what counts as a character on a CJK last line.
pub fn is_ideograph(c: char) -> bool {
    is_ideographic(c)
        && !matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ff0f}' | '\u{ff1a}'..='\u{ff20}' | '\u{ff3b}'..='\u{ff40}' | '\u{ff5b}'..='\u{ff65}')
}

/// Byte ranges of phone numbers ("(916) 653-1838", "+1 916 653 1838"), web addresses
/// and e-mail: text that must neither break nor hyphenate, and that reads left to right
/// even inside right-to-left text.
pub fn unbreakable_tokens(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let opens = (bytes[i] == b'(' || bytes[i] == b'+')
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(bytes[i].is_ascii_digit() || opens) || (i > 0 && bytes[i - 1].is_ascii_alphanumeric())
        {
            i += 1;
            continue;
        }
        let mut end = i;
        let mut last_digit = i;
        while end < bytes.len() && (bytes[end].is_ascii_digit() || b" ()-.+".contains(&bytes[end]))
        {
            if bytes[end].is_ascii_digit() {
                last_digit = end;
            }
            end += 1;
        }
        let token = last_digit + 1;
        // A phone number: at least seven digits with separators, e.g. (916) 653-1838.
        let digits = text[i..token].bytes().filter(u8::is_ascii_digit).count();
        if digits >= 7 && text[i..token].bytes().any(|b| b"-.() ".contains(&b)) {
            out.push(i..token);
        }
        i = end.max(i + 1);
    }
    let mut offset = 0;
    for word in text.split_inclusive(char::is_whitespace) {
        // Trailing punctuation belongs to the sentence, not the address.
        let trimmed = word
            .trim_end()
            .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '،', '؛', '۔', '؟']);
        if trimmed.contains("://")
            || trimmed.starts_with("www.")
            || (trimmed.contains('@') && trimmed.contains('.'))
        {
            out.push(offset..offset + trimmed.len());
        }
        offset += word.len();
    }
    out.sort_by_key(|r| r.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text in NFC comes back as it is; text that is not (a decomposed accent, as some
    /// editors save it) comes back composed, as the normalizer gives it.
    #[test]
    fn nfc_composes_what_is_not_composed() {
        use unicode_normalization::UnicodeNormalization;
        for text in [
            "Call 1-888-373-7888",
            "Tháng Một",
            "兒童勞力販運",
            "e\u{301}té",
            "\u{1100}\u{1161}",
        ] {
            assert_eq!(nfc(text), text.nfc().collect::<String>(), "{text:?}");
        }
        assert_eq!(nfc("e\u{301}té"), "été");
    }

    fn smart(text: &str, lang: &str) -> String {
        apply(text, lang, &Typography::default()).0
    }

    #[test]
    fn curly_quotes_and_apostrophes_by_language() {
        assert_eq!(
            smart(
                "What's \"human trafficking\"? The counties' 'work' in the '90s",
                "en"
            ),
            "What’s “human trafficking”? The counties’ ‘work’ in the ’90s"
        );
        assert_eq!(smart("\"Menschenhandel\"", "de"), "„Menschenhandel“");
        assert_eq!(smart("\"trata\"", "es"), "“trata”");
        let angle = Typography {
            quotes: Quotes::Guillemets,
            ..Typography::default()
        };
        assert_eq!(apply("\"trata\"", "es", &angle).0, "«trata»");
        assert_eq!(smart("«الاتجار» \"بالبشر\"", "ar"), "«الاتجار» «بالبشر»");
        // Switched off, the text is what was typed.
        assert_eq!(
            apply("What's \"this\"", "en", &Typography::off()).0,
            "What's \"this\""
        );
    }

    #[test]
    fn en_dashes_in_ranges_only() {
        assert_eq!(
            smart("50-80% of children in 2014-15, $5-10 each", "en"),
            "50–80% of children in 2014–15, $5–10 each"
        );
        assert_eq!(smart("from 9-5 - daily", "en"), "from 9–5 – daily");
        assert_eq!(smart("有50-80%的", "zh-Hant"), "有50–80%的");
        // Not in words, dates, phone numbers or identifiers.
        for kept in [
            "well-known",
            "2024-01-15",
            "(916) 653-1838",
            "COVID-19",
            "1-800-422-4453",
        ] {
            assert_eq!(smart(kept, "en"), kept);
        }
    }

    #[test]
    fn offsets_follow_the_substitutions() {
        let text = "it's \"x\"";
        let (out, map) = apply(text, "en", &Typography::default());
        assert_eq!(&out[map[5]..map[8]], "“x”");
        assert_eq!(map[text.len()], out.len());
    }

    #[test]
    fn phrases_are_found_in_any_case_on_word_boundaries() {
        let phrases = vec!["Los Angeles".to_string(), "EE. UU.".to_string()];
        let text = "LOS ANGELES and Los\u{a0}Angeles, not Los Angelesx; en EE. UU.";
        let found: Vec<&str> = kept_phrases(text, &phrases)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, vec!["LOS ANGELES", "Los\u{a0}Angeles", "EE. UU."]);
    }

    #[test]
    fn a_hyphenated_word_is_kept_whole_but_a_plain_word_needs_no_keeping() {
        let phrases = vec!["Pang-aalipin".to_string(), "Alameda".to_string()];
        let text = "SA PANG-AALIPIN AT SA ALAMEDA";
        let found: Vec<&str> = kept_phrases(text, &phrases)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, vec!["PANG-AALIPIN"]);
    }

    #[test]
    fn a_korean_phrase_is_kept_before_the_particle_that_ends_its_word() {
        // Round 55: 상업적 성 / 착취를 broke though 성 착취 was kept.
        let phrases = vec!["성 착취".to_string()];
        let text = "아동이 상업적 성 착취를 당하고, 성 착취 피해";
        let found: Vec<&str> = kept_phrases(text, &phrases)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, vec!["성 착취", "성 착취"]);
        // A Latin phrase still ends only at a word's end.
        let phrases = vec!["Los Angeles".to_string()];
        assert!(kept_phrases("Los Angelesx", &phrases).is_empty());
    }

    #[test]
    fn a_chinese_word_is_kept_wherever_it_occurs_but_one_ideograph_needs_no_keeping() {
        let phrases = vec!["勞力販運".to_string(), "州".to_string()];
        let text = "CDSS正採取哪些行動處理兒童勞力販運？加州";
        let found: Vec<&str> = kept_phrases(text, &phrases)
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, vec!["勞力販運"]);
        assert!(can_break_inside("勞力販運") && !can_break_inside("州"));
    }
}
