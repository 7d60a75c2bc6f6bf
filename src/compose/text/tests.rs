//! Tests of the inline engine as a whole: markup, fallback, bidi, shaping, breaking and
//! setting lines, each seen through a prepared and set paragraph.

use super::*;
use crate::markup::parse;
use crate::model::layout::TextTransform;
use crate::units::Pt;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

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
        indent: 0,
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
    let p = prepare_with(&parse("Commercially"), &s, fonts(), "en", &allow).unwrap();
    assert!(hyphen_points(&p).contains(&"Commer"));
    // A minimum word length: "cannot" (6 letters) hyphenates at 6, not at 7.
    let seven = Typography {
        hyphen_min_word: 7,
        ..Typography::default()
    };
    let short = prepare_with(&parse("window"), &s, fonts(), "en", &seven).unwrap();
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
        let p = prepare_with(&parse(text), &s, fonts(), "en", t).unwrap();
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
    let p = prepare_with(
        &parse(text),
        &style(Align::Left),
        fonts(),
        "en",
        &typography,
    )
    .unwrap();
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
        &parse(PARAGRAPH),
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
        &parse(PARAGRAPH),
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
fn figure_in_arabic(text: &str, figure: &str, typography: &Typography) -> (bool, String, String) {
    let p = prepare_with(&parse(text), &style(Align::Left), fonts(), "ar", typography).unwrap();
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

/// Each glyph of a set line with the character its cluster starts with and its advance.
fn advances(line: &Line) -> Vec<(char, f32)> {
    line.runs
        .iter()
        .flat_map(|r| {
            r.glyphs
                .iter()
                .map(|g| (r.text[g.range.clone()].chars().next().unwrap(), g.x_advance))
        })
        .collect()
}

/// `text` at 10 pt, flush left, set as the one line it makes in a 500 pt measure.
fn one_line(text: &str, lang: &str) -> Line {
    let p = prepare(text, &style(Align::Left), fonts(), lang).unwrap();
    let breaks = p.break_lines(0, 500.0).unwrap();
    p.set_line(&breaks[0], 500.0, true, fonts())
}

#[test]
fn the_first_of_two_closing_marks_is_set_half_width() {
    // Size 10 pt: a full-width mark is 10 pt wide, its half-width form 5 pt.
    let pair = advances(&one_line("兒童「商業性剝削」。據估計", "zh-Hant"));
    let alone = advances(&one_line("兒童「商業性剝削」據估計", "zh-Hant"));
    let advance = |glyphs: &[(char, f32)], c: char| glyphs.iter().find(|g| g.0 == c).unwrap().1;
    assert!((advance(&alone, '」') - 10.0).abs() < 0.01);
    assert!((advance(&pair, '」') - 5.0).abs() < 0.01, "{pair:?}");
    // The second mark, and an opening one, keep their width.
    assert!((advance(&pair, '。') - 10.0).abs() < 0.01);
    assert!((advance(&pair, '「') - 10.0).abs() < 0.01);
    // The line is 12.5 em, and the paragraph measures so: it stands on one line of
    // 125 pt (measured with the mark whole, it would need 130).
    let width: f32 = pair.iter().map(|g| g.1).sum();
    assert!((width - 125.0).abs() < 0.01, "{width}");
    let p = prepare(
        "兒童「商業性剝削」。據估計",
        &style(Align::Left),
        fonts(),
        "zh-Hant",
    )
    .unwrap();
    assert_eq!(p.break_lines(0, 125.0).unwrap().len(), 1);
}

#[test]
fn a_justified_cjk_line_closes_a_hair_to_take_a_word_kept_whole() {
    // Fourteen characters and 美元 (kept whole) are 160 pt at 10 pt; the measure is
    // 0.1 pt less. Rather than leave 美元 to the next line and open every gap of this one
    // by a quarter em (round 48), the line takes it and closes its gaps by a hundredth of
    // a point each.
    let text = "一二三四五六七八九十一二三四美元五六七八九十一二三四五六七八九十";
    let typography = Typography {
        keep_together: vec!["美元".into()],
        ..Typography::default()
    };
    let p = prepare_with(
        &parse(text),
        &style(Align::Justify),
        fonts(),
        "zh-Hant",
        &typography,
    )
    .unwrap();
    let width = 159.9;
    let breaks = p.break_lines(0, width).unwrap();
    assert!(
        p.text[breaks[0].range.clone()].ends_with("美元"),
        "{:?}",
        &p.text[breaks[0].range.clone()]
    );
    let line = p.set_line(&breaks[0], width, false, fonts());
    assert!((line.width - width).abs() < 0.05, "{}", line.width);
}

#[test]
fn an_opening_bracket_starting_a_cjk_line_stands_flush_with_the_measure() {
    // Round 49: （CDSS） at a line's start read as an indent, its half em of white before
    // the ink.
    let text = "加州社會服務部成立了兒童勞力販運工作小組（CDSS）並與各夥伴合作打擊兒童勞力販運";
    let p = prepare(text, &style(Align::Justify), fonts(), "zh-Hant").unwrap();
    // Twenty characters a line: the second line starts with the bracket.
    let width = 200.0;
    let breaks = p.break_lines(0, width).unwrap();
    let second = &p.text[breaks[1].range.clone()];
    assert!(second.starts_with('（'), "{second:?}");
    let line = p.set_line(&breaks[1], width, false, fonts());
    let first = &line.runs[0].glyphs[0];
    assert!((first.x_advance - 5.0).abs() < 0.01, "{first:?}");
    assert!(first.x_offset < -4.0, "{first:?}");
    assert!((line.width - width).abs() < 0.05, "{}", line.width);
    // Within a line the bracket keeps its width.
    let whole = p.set_line(&breaks[0], width, false, fonts());
    let inside = advances(&whole);
    assert!(
        inside
            .iter()
            .all(|g| g.0 != '（' || (g.1 - 10.0).abs() < 1.0),
        "{inside:?}"
    );
}

#[test]
fn the_two_dashes_of_a_chinese_dash_join() {
    // Round 51: 的人——能夠 read as two dashes, a gap of white between their inks.
    let line = one_line("的人——能夠", "zh-Hant");
    let (run, at) = line
        .runs
        .iter()
        .find_map(|r| {
            r.glyphs
                .iter()
                .position(|g| &r.text[g.range.clone()] == "\u{2014}")
                .map(|i| (r, i))
        })
        .unwrap();
    let (first, second) = (&run.glyphs[at], &run.glyphs[at + 1]);
    let face = fonts().face(run.font);
    let (a, b) = (
        face.ink_bounds(first.id).unwrap(),
        face.ink_bounds(second.id).unwrap(),
    );
    // At 10 pt: the first dash's ink ends where the second's begins.
    let white = first.x_advance / 10.0 - a.x_max + b.x_min;
    assert!(white.abs() < 0.001, "{white} em between the dashes");
    // An English dash pair is left as the face sets it.
    let glyphs = advances(&one_line("a——b", "en"));
    let dashes: Vec<f32> = glyphs
        .iter()
        .filter(|g| g.0 == '\u{2014}')
        .map(|g| g.1)
        .collect();
    assert!((dashes[0] - dashes[1]).abs() < 0.001, "{dashes:?}");
}

#[test]
fn justified_cjk_lines_open_no_gap_beside_punctuation() {
    // Round 46 found 」。 pulled apart in a line one character short of its measure.
    use crate::typography::is_cjk_punctuation;
    let text = "據估計，光是加州境內就已有多達12,500名兒童遭受「商業性剝削」。據信有50-80%的兒童（包括青少年）曾接觸兒童福利系統，而且「高風險」的兒童更多。";
    let justified = prepare(text, &style(Align::Justify), fonts(), "zh-Hant").unwrap();
    let natural = prepare(text, &style(Align::Left), fonts(), "zh-Hant").unwrap();
    let mut checked = 0;
    for width in (90..=210).step_by(3).map(|w| w as f32) {
        let breaks = justified.break_lines(0, width).unwrap();
        for b in &breaks[..breaks.len() - 1] {
            let set = justified.set_line(b, width, false, fonts());
            let plain = natural.set_line(b, width, false, fonts());
            let (set, plain) = (advances(&set), advances(&plain));
            assert_eq!(set.len(), plain.len());
            for i in 0..set.len().saturating_sub(1) {
                if is_cjk_punctuation(set[i].0) || is_cjk_punctuation(set[i + 1].0) {
                    checked += 1;
                    assert!(
                        (set[i].1 - plain[i].1).abs() < 0.01,
                        "{width}: the gap between {:?} and {:?} opened by {:.2} pt",
                        set[i].0,
                        set[i + 1].0,
                        set[i].1 - plain[i].1
                    );
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} punctuation gaps checked");
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
    let face = |i: usize| fonts().face(p.spans.iter().find(|s| s.range.contains(&i)).unwrap().font);
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

/// Where each glyph is drawn (pen plus offset), by glyph id.
fn drawn_at(glyphs: &[ShapedGlyph]) -> Vec<(u16, f32)> {
    let mut pen = 0.0;
    let mut out: Vec<(u16, f32)> = glyphs
        .iter()
        .map(|g| {
            let at = pen + g.x_offset;
            pen += g.x_advance;
            (g.id, at)
        })
        .collect();
    out.sort_by_key(|g| g.0);
    out
}

#[test]
fn right_to_left_glyphs_are_written_in_reading_order_in_place() {
    let glyph = |id: u16, range: Range<usize>, x_advance: f32, x_offset: f32| ShapedGlyph {
        id,
        x_advance,
        x_offset,
        y_offset: 0.0,
        range,
    };
    // Visual order, as shaping returns a right-to-left run: the last cluster first; a
    // mark (id 3, no advance) shares the cluster of its letter (id 2).
    let visual = vec![
        glyph(4, 4..6, 5.0, 0.0),
        glyph(3, 2..4, 0.0, 1.5),
        glyph(2, 2..4, 3.0, 0.0),
        glyph(1, 0..2, 4.0, 0.0),
    ];
    let logical = logical_order(visual.clone());
    let ids: Vec<u16> = logical.iter().map(|g| g.id).collect();
    assert_eq!(ids, vec![1, 3, 2, 4]);
    assert_eq!(drawn_at(&logical), drawn_at(&visual));
    let width = |g: &[ShapedGlyph]| g.iter().map(|g| g.x_advance).sum::<f32>();
    assert!((width(&logical) - width(&visual)).abs() < 1e-4);
    // Left-to-right runs are left alone.
    let ltr = vec![glyph(1, 0..1, 4.0, 0.0), glyph(2, 1..2, 3.0, 0.0)];
    assert_eq!(logical_order(ltr.clone()), ltr);
}

#[test]
fn chinese_sets_a_quarter_em_beside_latin_and_figures() {
    // Round 50: 於2014–15年度 and LGBTQ的 ran the figures into the characters beside them.
    let solid = |text: &str| {
        advances(&one_line(text, "en"))
            .iter()
            .map(|g| g.1)
            .sum::<f32>()
    };
    let spaced = one_line("加州於2014年投入", "zh-Hant");
    let glyphs = advances(&spaced);
    let advance = |c: char| glyphs.iter().find(|g| g.0 == c).unwrap().1;
    // At 10 pt: 於 takes 2.5 pt after it, and the last figure before 年 as much.
    assert!((advance('於') - 12.5).abs() < 0.01, "{glyphs:?}");
    assert!((advance('州') - 10.0).abs() < 0.01, "{glyphs:?}");
    let four = glyphs
        .iter()
        .filter(|g| g.0 == '4')
        .map(|g| g.1)
        .sum::<f32>();
    assert!((four - solid("4") - 2.5).abs() < 0.01, "{glyphs:?}");
    // Two boundaries: the line is 5 pt wider than set solid, and measures so.
    let total: f32 = glyphs.iter().map(|g| g.1).sum();
    assert!((total - spaced.width).abs() < 0.01);
    let p = prepare("加州於2014年投入", &style(Align::Left), fonts(), "zh-Hant").unwrap();
    assert_eq!(p.break_lines(0, total + 0.01).unwrap().len(), 1);
    assert!(p.break_lines(0, total - 2.0).unwrap().len() > 1);
    // Beside punctuation, in Korean and in English nothing is added.
    let bracket = advances(&one_line("部（CDSS）成立", "zh-Hant"));
    assert!(
        bracket
            .iter()
            .all(|g| g.0 != '（' || (g.1 - 10.0).abs() < 0.01)
    );
    let korean = one_line("가나2014다", "ko");
    let korean_solid: f32 = advances(&korean).iter().map(|g| g.1).sum();
    assert!((korean.width - korean_solid).abs() < 0.01);
    assert!(advances(&korean).iter().all(|g| g.0 != '나' || g.1 < 10.5));
}

#[test]
fn a_line_beside_latin_sets_as_wide_as_it_was_measured() {
    // The quarter em is found between one cluster's last character and the next one's
    // first, both when measuring and when setting (a review found the setter reading a
    // cluster's first character); the katakana middle dot takes none (ジョン・F).
    for (text, lang) in [
        ("中e\u{301}中文字", "zh-Hant"),
        ("加州於2014年投入", "zh-Hant"),
        ("自我認同為LGBTQ的青少年", "zh-Hant"),
    ] {
        let line = one_line(text, lang);
        let p = prepare(text, &style(Align::Left), fonts(), lang).unwrap();
        assert_eq!(
            p.break_lines(0, line.width + 0.01).unwrap().len(),
            1,
            "{text}: set {:.2} pt, measured wider",
            line.width
        );
        assert!(
            p.break_lines(0, line.width - 0.5).unwrap().len() > 1,
            "{text}: set {:.2} pt, measured narrower",
            line.width
        );
    }
    assert!(!crate::typography::is_cjk_latin_boundary('・', 'F'));
}
