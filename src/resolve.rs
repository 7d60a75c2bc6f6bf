//! Resolve: pick one edition (campaign × county × language × year) and turn the campaign
//! into plain paragraphs: variables substituted, county overrides applied, no TOML left.

use crate::diag::{Diagnostic, closest, one_of};
use crate::model::campaign::{Campaign, Text};
use crate::model::content::{BlockKey, Role};
use crate::model::counties::County;
use crate::typography::{PLACE_NAMES, Quotes, Typography};
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Which edition to build.
#[derive(Debug, Clone)]
pub struct Edition {
    /// `statewide` or the county's slug; the output folder name.
    pub slug: String,
    /// "California" or "Alameda County".
    pub name: String,
    pub county: Option<County>,
    pub lang: String,
    pub year: i32,
}

impl Edition {
    /// The statewide edition in `lang` (the campaign's base language or a translation's).
    pub fn statewide(campaign: &Campaign, lang: &str, year: i32) -> Edition {
        let region = campaign
            .translation(lang)
            .and_then(|t| t.meta.region.as_ref())
            .map_or(campaign.meta.region.clone(), |r| r.get_ref().clone());
        Edition {
            slug: "statewide".into(),
            name: region,
            county: None,
            lang: lang.to_string(),
            year,
        }
    }

    /// A county's edition in `lang`; its name follows the language's edition label.
    pub fn for_county(campaign: &Campaign, county: &County, lang: &str, year: i32) -> Edition {
        // The county as this language prints it (`county:zh-Hant`, `program:es`, …).
        let county = &county.localized_for(lang);
        let label = campaign
            .translation(lang)
            .and_then(|t| t.meta.edition_label.as_ref())
            .map_or(campaign.meta.edition_label.as_str(), |l| {
                l.get_ref().as_str()
            });
        Edition {
            slug: county.slug.clone(),
            name: label.replace("{county}", &county.name),
            county: Some(county.clone()),
            lang: lang.to_string(),
            year,
        }
    }

    /// Whether this edition is in the campaign's base language (its files carry no
    /// language suffix).
    pub fn is_base_language(&self, campaign: &Campaign) -> bool {
        self.lang == campaign.meta.lang
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {}, {})",
            self.slug, self.name, self.lang, self.year
        )
    }
}

/// What a paragraph is, for styling (the frame maps roles to styles) and structure.
#[derive(Debug, Clone, PartialEq)]
pub struct Para {
    /// What the paragraph is: its style in a frame, its place in the structure.
    pub role: Role,
    /// Inline Markdown with variables already substituted.
    pub markdown: String,
    /// `markdown` parsed, once, here: compose sets it and reads its words from it.
    pub inline: crate::markup::Inline,
    /// Where the text came from, for overflow and glyph errors.
    pub field: String,
    /// Identifies the paragraph across the blocks that share it ("sections" and
    /// "sections.1"), in the order resolve made them.
    pub id: usize,
    /// Set when this paragraph is in another language than its edition: a string the
    /// edition's translation does not have is printed from the base campaign, and a screen
    /// reader must switch voice for it.
    pub lang: Option<String>,
}

/// The image for an edition's logo frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    pub path: PathBuf,
    /// What a screen reader announces; `None` for a logo declared decorative.
    pub alt: Option<String>,
}

/// One edition's content, ready to compose.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub edition: Edition,
    pub campaign_id: String,
    pub title: String,
    pub author: String,
    pub subject: String,
    pub blocks: BTreeMap<BlockKey, Vec<Para>>,
    pub logo: Option<Logo>,
    /// How composition sets this edition's text: quotes, dashes, phrases kept together.
    pub typography: Typography,
}

impl Resolved {
    /// The paragraphs of a block ("headline", "stats.2", the sources as a list …).
    pub fn paragraphs(&self, key: &BlockKey) -> Option<&[Para]> {
        if let Some(found) = self.blocks.get(key) {
            return Some(found.as_slice());
        }
        // A run past the last section ("sections.1-3" of a campaign with two) shows the
        // sections there are.
        let &BlockKey::SectionRun(first, _) = key else {
            return None;
        };
        let count = (1..)
            .take_while(|&n| self.blocks.contains_key(&BlockKey::Section(n)))
            .count();
        let clamped = match count {
            n if n < first => return None,
            n if n == first => BlockKey::Section(first),
            n => BlockKey::SectionRun(first, n),
        };
        self.blocks.get(&clamped).map(Vec::as_slice)
    }
}

/// Resolves one edition, reporting every unknown variable at once.
pub fn resolve(campaign: &Campaign, edition: &Edition) -> Result<Resolved, Vec<Diagnostic>> {
    let vars = variables(campaign, edition);
    let translation = campaign.translation(&edition.lang);
    let mut problems = Vec::new();
    // Fields printed from the base campaign in an edition of another language.
    let foreign_fields = std::cell::RefCell::new(std::collections::BTreeSet::new());
    let base_lang = campaign.meta.lang.as_str();
    // Every string comes from the edition's translation when it has one, else from the base.
    let mut sub = |base: &Text, field: &str| -> String {
        let (text, file) = match translation
            .filter(|t| !t.keeps_original(field))
            .and_then(|t| Some((t.lookup(campaign, field)?, &t.file)))
        {
            Some(found) => found,
            None => {
                // Only variables (`{phone}`) are in no language: nothing to tag.
                if edition.lang != base_lang
                    && !crate::model::translation::is_only_variables(base.get_ref())
                {
                    foreign_fields.borrow_mut().insert(field.to_string());
                }
                (base, &campaign.file)
            }
        };
        match substitute(text.get_ref(), &vars) {
            Ok(s) => s,
            Err(unknown) => {
                let mut d =
                    Diagnostic::error(format!("unknown variable `{{{unknown}}}` in `{field}`"))
                        .at(file.span_location(&text.span()))
                        .field(field.to_string());
                d = match closest(&unknown, vars.keys().map(String::as_str)) {
                    Some(best) => d.hint(format!(
                        "did you mean `{{{best}}}`? write `{{{{` for a literal brace"
                    )),
                    None => d.hint(format!(
                        "known variables: {}",
                        one_of(vars.keys().map(String::as_str))
                    )),
                };
                problems.push(d);
                String::new()
            }
        }
    };
    let next_id = std::cell::Cell::new(0);
    let para = |role: Role, markdown: String, field: String| {
        let id = next_id.replace(next_id.get() + 1);
        let lang = foreign_fields
            .borrow()
            .contains(&field)
            .then(|| base_lang.to_string());
        Para {
            role,
            inline: crate::markup::parse_shared(&markdown),
            markdown,
            field,
            id,
            lang,
        }
    };

    let b = &campaign.blocks;
    let mut blocks: BTreeMap<BlockKey, Vec<Para>> = BTreeMap::new();
    let single = |key: BlockKey,
                  text: &Text,
                  blocks: &mut BTreeMap<BlockKey, Vec<Para>>,
                  sub: &mut dyn FnMut(&Text, &str) -> String| {
        let field = format!("blocks.{key}.text");
        blocks.insert(key, vec![para(Role::Text, sub(text, &field), field)]);
    };
    single(BlockKey::Headline, &b.headline.text, &mut blocks, &mut sub);
    for (key, block) in [
        (BlockKey::Kicker, &b.kicker),
        (BlockKey::Definition, &b.definition),
        (BlockKey::Facts, &b.facts),
        (BlockKey::Contact, &b.contact),
    ] {
        if let Some(block) = block {
            single(key, &block.text, &mut blocks, &mut sub);
        }
    }

    let mut all_sections = Vec::new();
    let mut section_ends = Vec::new();
    for (i, s) in b.sections.iter().enumerate() {
        let heading_field = format!("blocks.sections[{i}].heading");
        let body_field = format!("blocks.sections[{i}].body");
        let mut paras = vec![para(
            Role::Heading,
            sub(&s.heading, &heading_field),
            heading_field,
        )];
        let body = sub(&s.body, &body_field);
        for paragraph in split_paragraphs(&body) {
            paras.push(para(Role::Body, paragraph, body_field.clone()));
        }
        blocks.insert(BlockKey::Section(i + 1), paras.clone());
        all_sections.extend(paras);
        section_ends.push(all_sections.len());
    }
    // Runs of sections ("sections.1-3"), for a layout that shows only the first few.
    for first in 0..section_ends.len() {
        let start = if first == 0 {
            0
        } else {
            section_ends[first - 1]
        };
        for last in first + 1..section_ends.len() {
            blocks.insert(
                BlockKey::SectionRun(first + 1, last + 1),
                all_sections[start..section_ends[last]].to_vec(),
            );
        }
    }
    blocks.insert(BlockKey::Sections, all_sections);

    if let Some(c) = &b.callout {
        blocks.insert(
            BlockKey::Callout,
            vec![
                para(
                    Role::Value,
                    sub(&c.value, "blocks.callout.value"),
                    "blocks.callout.value".into(),
                ),
                para(
                    Role::Text,
                    sub(&c.text, "blocks.callout.text"),
                    "blocks.callout.text".into(),
                ),
            ],
        );
    }
    let mut all_stats = Vec::new();
    for (i, s) in b.stats.iter().enumerate() {
        let vf = format!("blocks.stats[{i}].value");
        let cf = format!("blocks.stats[{i}].caption");
        let paras = vec![
            para(Role::Value, sub(&s.value, &vf), vf),
            para(Role::Caption, sub(&s.caption, &cf), cf),
        ];
        blocks.insert(BlockKey::Stat(i + 1), paras.clone());
        all_stats.extend(paras);
    }
    blocks.insert(BlockKey::Stats, all_stats);

    if let Some(a) = &b.action {
        blocks.insert(
            BlockKey::Action,
            vec![
                para(
                    Role::Label,
                    sub(&a.label, "blocks.action.label"),
                    "blocks.action.label".into(),
                ),
                para(
                    Role::Phone,
                    sub(&a.phone, "blocks.action.phone"),
                    "blocks.action.phone".into(),
                ),
            ],
        );
    }
    if let Some(a) = &b.agency {
        let mut paras = vec![
            para(
                Role::Name,
                sub(&a.name, "blocks.agency.name"),
                "blocks.agency.name".into(),
            ),
            para(
                Role::Department,
                sub(&a.department, "blocks.agency.department"),
                "blocks.agency.department".into(),
            ),
        ];
        if let Some(t) = &a.tagline {
            paras.push(para(
                Role::Tagline,
                sub(t, "blocks.agency.tagline"),
                "blocks.agency.tagline".into(),
            ));
        }
        blocks.insert(BlockKey::Agency, paras);
    }

    if let Some(label_block) = &b.sources {
        let label = sub(&label_block.label, "blocks.sources.label");
        let titles: Vec<(String, String, String)> = campaign
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let field = format!("sources[{i}].title");
                (
                    sub(&s.title, &field),
                    s.url.get_ref().trim().to_string(),
                    field,
                )
            })
            .collect();
        let inline = titles
            .iter()
            .map(|(t, url, _)| link(t, url))
            .collect::<Vec<_>>()
            .join("; ");
        // A label ending in a full-width colon ("*資料來源：") carries its own space.
        let gap = if label.ends_with(crate::typography::is_ideographic) {
            ""
        } else {
            " "
        };
        blocks.insert(
            BlockKey::Sources,
            vec![para(
                Role::Item,
                format!("{label}{gap}{inline}"),
                "sources".into(),
            )],
        );

        let mut list = vec![para(Role::Label, label, "blocks.sources.label".into())];
        for (i, (title, url, field)) in titles.iter().enumerate() {
            let source = &campaign.sources[i];
            // The escaped period keeps Markdown from turning "1." into a list marker.
            // The figures it supports and their year, in parentheses: language-neutral.
            let mut line = format!("{}\\. **{}**", i + 1, escape(title));
            let mut notes = cited_values(campaign, source.id.get_ref(), &mut sub);
            notes.extend(source.as_of.map(|year| year.to_string()));
            if !notes.is_empty() {
                line.push_str(&format!(" ({})", notes.join("; ")));
            }
            // Right to left, a period after a Latin title lands on the far side of it
            // (".CSEC in North America"): the list goes without.
            if !crate::typography::is_rtl_language(&edition.lang) {
                line.push('.');
            }
            if !url.is_empty() {
                line.push_str(&format!(" {}", link(url, url)));
            }
            list.push(para(Role::Item, line, field.clone()));
        }
        blocks.insert(BlockKey::SourcesList, list);
    }

    // County-only extras: substituted like any text, shown only where a frame asks.
    if let Some(county) = &edition.county {
        for (name, text) in &county.extras {
            let field = format!("counties.csv extra.{name} ({})", county.name);
            match substitute(text, &vars) {
                Ok(markdown) => {
                    blocks.insert(
                        BlockKey::Extra(name.clone()),
                        vec![para(Role::Text, markdown, field)],
                    );
                }
                Err(unknown) => problems.push(
                    Diagnostic::error(format!(
                        "unknown variable `{{{unknown}}}` in `extra.{name}` of {}",
                        county.name
                    ))
                    .at(county.location.clone())
                    .field(format!("extra.{name}"))
                    .hint(format!(
                        "known variables: {}",
                        one_of(vars.keys().map(String::as_str))
                    )),
                ),
            }
        }
    }

    let logo = edition.county.as_ref().and_then(|c| {
        c.logo.as_ref().map(|path| Logo {
            path: path.clone(),
            alt: c
                .logo_alt
                .clone()
                .filter(|alt| alt != crate::model::counties::DECORATIVE),
        })
    });

    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Resolved {
        edition: edition.clone(),
        campaign_id: campaign.meta.id.clone(),
        title: {
            // The headline as this edition prints it, so the title is in its language.
            let headline = blocks
                .get(&BlockKey::Headline)
                .map(|p| p[0].inline.plain_text());
            let title = headline.unwrap_or_else(|| campaign.meta.title.clone());
            xml_text(&match &edition.county {
                Some(_) => format!("{title} — {}", edition.name),
                None => title,
            })
        },
        author: xml_text(&campaign.meta.author),
        subject: xml_text(
            campaign
                .meta
                .subject
                .as_deref()
                .unwrap_or(&campaign.meta.title),
        ),
        blocks,
        logo,
        typography: typography(campaign, &edition.lang),
    })
}

/// The edition's typography: the campaign's settings, its translation's quotes and
/// phrases, and the place names to keep together (common ones, and every multiword county
/// name and seat on the county sheet, so "Los Angeles" is never split in any edition).
pub fn typography(campaign: &Campaign, lang: &str) -> Typography {
    use crate::model::translation::QuoteStyle;
    let spec = &campaign.meta.typography;
    let translated = campaign.translation(lang).map(|t| &t.meta.typography);
    let quotes = match translated.and_then(|t| t.quotes) {
        Some(QuoteStyle::Guillemets) if spec.smart_quotes => Quotes::Guillemets,
        Some(QuoteStyle::Straight) => Quotes::Straight,
        _ if spec.smart_quotes => Quotes::Curly,
        _ => Quotes::Straight,
    };
    let mut keep: Vec<String> = spec.keep_together.clone();
    keep.extend(
        translated
            .into_iter()
            .flat_map(|t| t.keep_together.iter().cloned()),
    );
    if spec.places {
        keep.extend(PLACE_NAMES.iter().map(|s| s.to_string()));
        for county in &campaign.counties {
            keep.push(county.name.clone());
            keep.push(county.seat.clone());
        }
    }
    keep.retain(|p| crate::typography::can_break_inside(p));
    keep.sort();
    keep.dedup();
    Typography {
        quotes,
        dashes: spec.dashes,
        keep_together: keep,
        hyphen_limit: spec.hyphen_limit,
        hyphen_min_word: spec.hyphen_min_word,
        hyphenate_capitalized: spec.hyphenate_capitalized,
        avoid_runts: spec.avoid_runts,
    }
}

/// The values (e.g. "95%") of the statistics that cite a source.
fn cited_values(
    campaign: &Campaign,
    id: &str,
    sub: &mut dyn FnMut(&Text, &str) -> String,
) -> Vec<String> {
    let b = &campaign.blocks;
    let mut out = Vec::new();
    if let Some(c) = &b.callout
        && c.source.as_ref().is_some_and(|s| s.get_ref() == id)
    {
        out.push(sub(&c.value, "blocks.callout.value"));
    }
    for (i, s) in b.stats.iter().enumerate() {
        if s.source.as_ref().is_some_and(|s| s.get_ref() == id) {
            out.push(sub(&s.value, &format!("blocks.stats[{i}].value")));
        }
    }
    out
}

/// The variables of an edition: campaign `[vars]`, then the county row's overrides, then
/// the built-ins.
pub fn variables(campaign: &Campaign, edition: &Edition) -> BTreeMap<String, String> {
    let mut vars: BTreeMap<String, String> = campaign
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.get_ref().clone()))
        .collect();
    if let Some(translation) = campaign.translation(&edition.lang) {
        vars.extend(
            translation
                .vars
                .iter()
                .map(|(k, v)| (k.clone(), v.get_ref().clone())),
        );
    }
    // A county sheet's cells are plain text, not Markdown: a `*` or `[` in a cell prints
    // as typed, and cannot open a link or emphasis in the text it is put into.
    if let Some(county) = &edition.county {
        vars.extend(county.overrides.iter().map(|(k, v)| (k.clone(), escape(v))));
    }
    let (county, seat) = match &edition.county {
        Some(c) => (escape(&c.name), escape(&c.seat)),
        None => (campaign.meta.region.clone(), String::new()),
    };
    vars.insert("county".into(), county);
    vars.insert("county_seat".into(), seat);
    vars.insert("edition_name".into(), escape(&edition.name));
    let region = campaign
        .translation(&edition.lang)
        .and_then(|t| t.meta.region.as_ref())
        .map_or(campaign.meta.region.clone(), |r| r.get_ref().clone());
    vars.insert("region".into(), region);
    vars.insert("year".into(), edition.year.to_string());
    vars
}

/// Replaces `{name}` with its value; `{{` and `}}` are literal braces. Returns the first
/// unknown name on failure.
pub fn substitute(text: &str, vars: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
        } else if tail.starts_with('{') {
            let Some(end) = tail.find('}') else {
                out.push_str(tail);
                rest = "";
                break;
            };
            let name = tail[1..end].trim();
            match vars.get(name) {
                Some(value) => out.push_str(value),
                None => return Err(name.to_string()),
            }
            rest = &tail[end + 1..];
        } else {
            out.push('}');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Splits a body at blank lines. Lines within a paragraph keep their line ends, so a
/// Markdown hard break (a backslash at the end of a line) survives.
fn split_paragraphs(body: &str) -> Vec<String> {
    body.split("\n\n")
        .map(|p| {
            p.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|p| !p.is_empty())
        .collect()
}

/// A Markdown link, or the escaped text alone when there is no address yet.
fn link(text: &str, url: &str) -> String {
    if url.is_empty() {
        escape(text)
    } else {
        format!("[{}](<{}>)", escape(text), percent_encode(url))
    }
}

/// A URL made safe inside a Markdown link destination: characters that would end or
/// bend it (`<`, `>`, quotes, backslashes, spaces, non-ASCII) percent-encoded.
pub fn percent_encode(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_ascii_graphic()
            && !matches!(c, '<' | '>' | '"' | '\\' | '`' | '{' | '}' | '|' | '^')
        {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Metadata text as XML can hold it (the XMP packet, the document information): control
/// characters, noncharacters and the byte-order mark dropped, tabs and line ends as spaces.
pub fn xml_text(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            c if crate::model::forbidden_char(c) => None,
            c => Some(c),
        })
        .collect()
}

/// Plain text made literal in inline Markdown: every ASCII punctuation character that
/// could open markup is backslash-escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '*' | '_'
                | '['
                | ']'
                | '\\'
                | '`'
                | '<'
                | '>'
                | '!'
                | '&'
                | '#'
                | '~'
                | '|'
                | '('
                | ')'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substitutes_variables_and_escapes() {
        let vars = BTreeMap::from([("phone".to_string(), "(916) 653-1838".to_string())]);
        assert_eq!(
            substitute("call {phone}", &vars).unwrap(),
            "call (916) 653-1838"
        );
        assert_eq!(substitute("{{literal}}", &vars).unwrap(), "{literal}");
        assert_eq!(substitute("{phnoe}", &vars).unwrap_err(), "phnoe");
    }

    fn shipped_campaign_with(
        edit: impl Fn(&str) -> String,
        es: impl Fn(&str) -> String,
    ) -> Campaign {
        let src =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/trafficking-prevention");
        let dir = tempfile::tempdir().unwrap();
        for entry in std::fs::read_dir(&src).unwrap().flatten() {
            let name = entry.file_name().into_string().unwrap();
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let text = match name.as_str() {
                "campaign.toml" => edit(&text),
                "campaign.es.toml" => es(&text),
                _ => text,
            };
            std::fs::write(dir.path().join(&name), text).unwrap();
        }
        let (campaign, _) = Campaign::load(dir.path()).unwrap();
        campaign
    }

    /// A content file without its own `typography = …` line, for a test to set its own.
    fn without_typography(text: &str) -> String {
        text.lines()
            .filter(|l| !l.starts_with("typography = "))
            .map(|l| format!("{l}\n"))
            .collect()
    }

    #[test]
    fn typography_comes_from_the_campaign_its_translation_and_its_counties() {
        let campaign = shipped_campaign_with(|t| t.to_string(), |t| t.to_string());
        let en = typography(&campaign, "en");
        assert_eq!(en.quotes, Quotes::Curly);
        assert!(en.dashes && en.avoid_runts && !en.hyphenate_capitalized);
        for place in [
            "Los Angeles",
            "San Diego",
            "San Luis Obispo",
            "Nevada City",
            "EE. UU.",
        ] {
            assert!(en.keep_together.iter().any(|p| p == place), "{place}");
        }
        // One-word names need no keeping.
        assert!(!en.keep_together.iter().any(|p| p == "Alameda"));

        let campaign = shipped_campaign_with(
            |t| {
                // The shipped campaign's own settings give way to the test's.
                without_typography(t).replacen(
                    "[campaign]\n",
                    "[campaign]\ntypography = { dashes = false, places = false, keep_together = [\"Task Force\"], hyphen_limit = 3 }\n",
                    1,
                )
            },
            |t| {
                without_typography(t).replacen(
                    "[translation]\n",
                    "[translation]\ntypography = { quotes = \"guillemets\", keep_together = [\"Servicios Sociales\"] }\n",
                    1,
                )
            },
        );
        let en = typography(&campaign, "en");
        assert!(!en.dashes);
        assert_eq!(en.hyphen_limit, 3);
        assert_eq!(en.keep_together, vec!["Task Force".to_string()]);
        let es = typography(&campaign, "es");
        assert_eq!(es.quotes, Quotes::Guillemets);
        assert_eq!(
            es.keep_together,
            vec!["Servicios Sociales".to_string(), "Task Force".to_string()]
        );
    }

    #[test]
    fn the_source_note_follows_its_label_with_one_space_or_none_after_a_full_width_colon() {
        let campaign = shipped_campaign_with(|t| t.to_string(), |t| t.to_string());
        let note = |lang: &str| {
            let resolved = resolve(&campaign, &Edition::statewide(&campaign, lang, 2027)).unwrap();
            resolved.blocks[&BlockKey::Sources][0].markdown.clone()
        };
        // "*Sources: CSEC …", but "*資料來源：CSEC …": the full-width colon is its own space.
        assert!(note("en").starts_with("*Sources: CSEC"), "{}", note("en"));
        let zh = note("zh-Hant");
        assert!(zh.starts_with("*資料來源：CSEC"), "{zh}");
    }

    #[test]
    fn paragraphs_split_on_blank_lines() {
        assert_eq!(
            split_paragraphs("a\n  b\\\nc\n\n\nd"),
            vec!["a\nb\\\nc", "d"]
        );
    }
}
