//! The campaign file (`campaign.toml`): what to say, its variables and its sources.

use crate::diag::{Diagnostic, SourceFile};
use crate::model::counties::{self, County};
use crate::model::translation::Translation;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A text field, with its span in `campaign.toml` for error messages.
pub use super::Text;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CampaignFile {
    campaign: CampaignMeta,
    #[serde(default)]
    vars: BTreeMap<String, Text>,
    blocks: Blocks,
    #[serde(default)]
    sources: Vec<Source>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignMeta {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub subject: Option<String>,
    /// The publishing agency, written into the PDF's author field.
    pub author: String,
    /// BCP 47 language of the base content.
    pub lang: String,
    /// The name of the statewide edition's region ("California").
    pub region: String,
    /// How a county edition's name reads: "{county} County".
    #[serde(default = "default_edition_label")]
    pub edition_label: String,
    pub observance: Observance,
    #[serde(default)]
    pub build: Option<BuildDate>,
    /// `check` and the yearly run warn when a statistic's figures are older than this.
    #[serde(default = "default_stale_after_years")]
    pub stale_after_years: i32,
    /// Smart typography at composition: `typography = { smart_quotes = false, … }`.
    #[serde(default)]
    pub typography: TypographySpec,
}

/// `[campaign] typography`: what composition does to the typed text and to line breaks.
/// Everything is on by default; content files always keep what the author typed.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TypographySpec {
    /// Straight quotes become the language's curly quotes, apostrophes become ’.
    pub smart_quotes: bool,
    /// Hyphens between figures become en dashes (50–80%, 2014–15).
    pub dashes: bool,
    /// Phrases never broken across lines, besides the place names.
    pub keep_together: Vec<String>,
    /// Keep multiword county names and seats (from counties.csv) and common place names
    /// ("San Francisco Bay Area", "EE. UU.") on one line.
    pub places: bool,
    /// At most this many consecutive hyphenated lines (0: no limit).
    pub hyphen_limit: usize,
    /// Words shorter than this many letters are not hyphenated.
    pub hyphen_min_word: usize,
    /// Hyphenate capitalised words (names, proper terms) too.
    pub hyphenate_capitalized: bool,
    /// Keep a single word (CJK: a single character) off a paragraph's last line.
    pub avoid_runts: bool,
}

impl Default for TypographySpec {
    fn default() -> Self {
        let d = crate::typography::Typography::default();
        TypographySpec {
            smart_quotes: true,
            dashes: d.dashes,
            keep_together: Vec::new(),
            places: true,
            hyphen_limit: d.hyphen_limit,
            hyphen_min_word: d.hyphen_min_word,
            hyphenate_capitalized: d.hyphenate_capitalized,
            avoid_runts: d.avoid_runts,
        }
    }
}

fn default_stale_after_years() -> i32 {
    5
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observance {
    pub month: u8,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildDate {
    pub month: u8,
    pub day: u8,
}

/// The content blocks a layout's frames can show. All text takes inline Markdown.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Blocks {
    /// A short line above the headline, e.g. the edition and month.
    #[serde(default)]
    pub kicker: Option<TextBlock>,
    pub headline: TextBlock,
    #[serde(default)]
    pub definition: Option<TextBlock>,
    #[serde(default)]
    pub sections: Vec<Section>,
    /// The heading over the statistics.
    #[serde(default)]
    pub facts: Option<TextBlock>,
    #[serde(default)]
    pub callout: Option<Callout>,
    #[serde(default)]
    pub stats: Vec<Stat>,
    #[serde(default)]
    pub contact: Option<TextBlock>,
    /// The one thing a reader can do: a short prompt and the number to call.
    #[serde(default)]
    pub action: Option<Action>,
    #[serde(default)]
    pub agency: Option<Agency>,
    #[serde(default)]
    pub sources: Option<SourcesBlock>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextBlock {
    pub text: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub heading: Text,
    /// Paragraphs separated by a blank line.
    pub body: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Callout {
    pub value: Text,
    pub text: Text,
    #[serde(default)]
    pub source: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stat {
    pub value: Text,
    pub caption: Text,
    #[serde(default)]
    pub source: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub name: Text,
    pub department: Text,
    #[serde(default)]
    pub tagline: Option<Text>,
}

/// The call to action: a prompt ("Questions? Call") and the number, set as two lines so a
/// layout can give the number its own, larger style.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    pub label: Text,
    pub phone: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesBlock {
    /// Printed before the list, e.g. "*Sources:".
    pub label: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub id: Spanned<String>,
    pub title: Text,
    /// Empty until someone finds the real address; `check` warns about it.
    #[serde(default = "empty_url")]
    pub url: Spanned<String>,
    /// The year the figures are from.
    #[serde(default)]
    pub as_of: Option<i32>,
}

fn default_edition_label() -> String {
    "{county} County".to_string()
}

fn empty_url() -> Spanned<String> {
    Spanned::new(0..0, String::new())
}

/// A loaded campaign: its folder, its parsed file and its county sheet.
#[derive(Debug, Clone)]
pub struct Campaign {
    pub dir: PathBuf,
    pub file: SourceFile,
    pub meta: CampaignMeta,
    pub vars: BTreeMap<String, Text>,
    pub blocks: Blocks,
    pub sources: Vec<Source>,
    pub counties: Vec<County>,
    pub counties_file: Option<PathBuf>,
    /// Overlays found beside `campaign.toml`, sorted by language tag: all of them, or
    /// those of the languages a run selects ([`Campaign::load_languages`]).
    pub translations: Vec<Translation>,
    /// The language of every overlay beside `campaign.toml` (read from its file name),
    /// sorted, whether it was loaded or not.
    translation_langs: Vec<String>,
}

/// Variables every edition defines; a campaign's `[vars]` may not redefine them.
pub const BUILTIN_VARS: &[&str] = &["county", "county_seat", "edition_name", "year", "region"];

impl Campaign {
    /// Loads `dir/campaign.toml` and `dir/counties.csv` (if present), returning every
    /// problem found in either file.
    pub fn load(dir: &Path) -> Result<(Campaign, Vec<Diagnostic>), Vec<Diagnostic>> {
        Campaign::load_languages(dir, &[])
    }

    /// Like [`Campaign::load`], but reads and checks only the translations of `langs`
    /// (all when it is empty): a run that builds one language need not parse and
    /// validate the others (half of a one-flyer run's loading). The other overlays are
    /// still known by their file names, so the campaign's languages stay the same.
    pub fn load_languages(
        dir: &Path,
        langs: &[String],
    ) -> Result<(Campaign, Vec<Diagnostic>), Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let path = dir.join("campaign.toml");
        let file = SourceFile::read(&path).map_err(|e| vec![e])?;
        let parsed: Result<CampaignFile, _> = super::parse_toml(&file);
        let counties_path = dir.join("counties.csv");
        let counties_file = counties_path.is_file().then_some(counties_path);

        let parsed = match parsed {
            Ok(parsed) => Some(parsed),
            Err(err) => {
                problems.push(err);
                None
            }
        };
        // Without the campaign's variables the sheet's extra columns cannot be judged.
        let var_names: Option<Vec<String>> =
            parsed.as_ref().map(|p| p.vars.keys().cloned().collect());
        let counties = match &counties_file {
            Some(csv) => match counties::load(csv, dir, var_names.as_deref()) {
                Ok(counties) => counties,
                Err(mut errs) => {
                    problems.append(&mut errs);
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        let Some(parsed) = parsed else {
            return Err(problems);
        };
        let campaign = Campaign {
            dir: dir.to_path_buf(),
            file,
            meta: parsed.campaign,
            vars: parsed.vars,
            blocks: parsed.blocks,
            sources: parsed.sources,
            counties,
            counties_file,
            translations: Vec::new(),
            translation_langs: Vec::new(),
        };
        let mut campaign = campaign;
        (campaign.translations, campaign.translation_langs) =
            load_translations(dir, langs, &mut problems);
        let mut warnings = campaign.validate(&mut problems);
        for translation in &campaign.translations {
            translation.validate(&campaign, &mut problems, &mut warnings);
        }
        for county in &campaign.counties {
            for lang in &county.languages {
                // A county's own words in a plain column print in every language it lists:
                // its Spanish edition would read English inside Spanish sentences.
                if *lang != campaign.meta.lang {
                    for (column, text) in county.cells_without_language(lang) {
                        warnings.push(
                            Diagnostic::warning(format!(
                                "county `{}` has its own `{column}` but no `{column}:{lang}`: its `{lang}` editions print \"{}\" as written",
                                county.name,
                                shorten(text)
                            ))
                            .at(county.location.clone())
                            .field(column.clone())
                            .hint(format!(
                                "add a column `{column}:{lang}` with the words in that language (the plain cell stays for the others)"
                            )),
                        );
                    }
                }
                if !campaign.languages().contains(&lang.as_str()) {
                    problems.push(
                        Diagnostic::error(format!(
                            "county `{}` lists language `{lang}`, which the campaign has no translation for",
                            county.name
                        ))
                        .at(county.location.clone())
                        .field("languages")
                        .hint(format!(
                            "add campaign.{lang}.toml, or use one of {}",
                            crate::diag::one_of(campaign.languages())
                        )),
                    );
                }
            }
        }
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        Ok((campaign, warnings))
    }

    /// Checks cross-references; errors go to `problems`, warnings are returned.
    fn validate(&self, problems: &mut Vec<Diagnostic>) -> Vec<Diagnostic> {
        let mut warnings = Vec::new();
        let at = |span: std::ops::Range<usize>| self.file.span_location(&span);
        if let Some(build) = self.meta.build {
            // Checked against a common year: a build date must exist every year.
            if jiff::civil::Date::new(2023, build.month as i8, build.day as i8).is_err()
                || build.month > 12
            {
                problems.push(
                    Diagnostic::error(format!("build date month {} day {} is not a date every year", build.month, build.day))
                        .in_file(&self.file.path)
                        .field("campaign.build")
                        .hint("give a month 1–12 and a day that month always has, e.g. { month = 12, day = 1 }"),
                );
            }
        }
        // The id names the output folder (`out/<year>/<id>/`): it must be one plain name.
        if !valid_id(&self.meta.id) {
            problems.push(
                Diagnostic::error(format!(
                    "campaign id `{}` cannot name a folder",
                    self.meta.id.escape_debug()
                ))
                .at(self.line_of("id"))
                .field("campaign.id")
                .hint(format!(
                    "use lowercase letters, digits and hyphens, starting with a letter or digit, at most {MAX_ID} characters, e.g. `trafficking-prevention`"
                )),
            );
        }
        if !(0..=100).contains(&self.meta.stale_after_years) {
            problems.push(
                Diagnostic::error(format!(
                    "stale_after_years must be 0 to 100, got {}",
                    self.meta.stale_after_years
                ))
                .at(self.line_of("stale_after_years"))
                .field("campaign.stale_after_years"),
            );
        }
        for (key, value) in [
            ("title", Some(&self.meta.title)),
            ("author", Some(&self.meta.author)),
            ("subject", self.meta.subject.as_ref()),
            ("region", Some(&self.meta.region)),
            ("edition_label", Some(&self.meta.edition_label)),
        ] {
            if let Some(why) = value.and_then(|v| super::text_problem(v)) {
                problems.push(
                    Diagnostic::error(format!("campaign {key} {why}"))
                        .at(self.line_of(key))
                        .field(format!("campaign.{key}"))
                        .hint(super::TEXT_HINT),
                );
            }
        }
        for (field, text) in self.all_texts() {
            if let Some(why) = super::text_problem(text.get_ref()) {
                problems.push(
                    Diagnostic::error(format!("`{field}` {why}"))
                        .at(at(text.span()))
                        .field(field.clone())
                        .hint(super::TEXT_HINT),
                );
            }
        }
        if !(1..=12).contains(&self.meta.observance.month) {
            problems.push(
                Diagnostic::error("observance month must be 1 to 12")
                    .in_file(&self.file.path)
                    .field("campaign.observance.month"),
            );
        }
        for name in self.vars.keys() {
            if BUILTIN_VARS.contains(&name.as_str()) {
                problems.push(
                    Diagnostic::error(format!("`{name}` is a built-in variable and cannot be set in [vars]"))
                        .at(at(self.vars[name].span()))
                        .field(format!("vars.{name}"))
                        .hint("built-in variables come from the edition: county, county_seat, edition_name, region, year"),
                );
            }
        }
        let mut seen = BTreeMap::new();
        for (i, source) in self.sources.iter().enumerate() {
            if let Some(first) = seen.insert(source.id.get_ref().clone(), i) {
                problems.push(
                    Diagnostic::error(format!("source id `{}` is used twice", source.id.get_ref()))
                        .at(at(source.id.span()))
                        .field(format!("sources[{i}].id"))
                        .hint(format!("sources[{first}] already has this id")),
                );
            }
            if let Some(year) = source.as_of
                && !(1000..=9999).contains(&year)
            {
                problems.push(
                    Diagnostic::error(format!(
                        "as_of must be a year from 1000 to 9999, got {year}"
                    ))
                    .at(at(source.id.span()))
                    .field(format!("sources[{i}].as_of")),
                );
            }
            let url = source.url.get_ref().trim();
            if !url.is_empty()
                && let Err(why) = crate::model::check_url(url)
            {
                problems.push(
                    Diagnostic::error(format!(
                        "source `{}` has a URL that cannot be printed as a link: {why}",
                        source.id.get_ref()
                    ))
                    .at(at(source.url.span()))
                    .field(format!("sources[{i}].url"))
                    .hint(crate::model::URL_HINT),
                );
            }
            if source.url.get_ref().trim().is_empty() {
                warnings.push(
                    Diagnostic::warning(format!(
                        "source `{}` (\"{}\") has no URL; it will print without a link",
                        source.id.get_ref(),
                        source.title.get_ref()
                    ))
                    .at(at(source.id.span()))
                    .field(format!("sources[{i}].url"))
                    .hint("add the address of the publication as `url = \"https://…\"`"),
                );
            }
        }
        let cited = self
            .blocks
            .callout
            .iter()
            .map(|c| (&c.source, "blocks.callout.source".to_string()))
            .chain(
                self.blocks
                    .stats
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (&s.source, format!("blocks.stats[{i}].source"))),
            );
        for (source, field) in cited {
            if let Some(id) = source
                && !seen.contains_key(id.get_ref())
            {
                let known: Vec<&str> = self
                    .sources
                    .iter()
                    .map(|s| s.id.get_ref().as_str())
                    .collect();
                let mut d = Diagnostic::error(format!("unknown source `{}`", id.get_ref()))
                    .at(at(id.span()))
                    .field(field);
                d = match crate::diag::closest(id.get_ref(), known.iter().copied()) {
                    Some(best) => d.hint(format!("did you mean `{best}`?")),
                    None => d.hint(format!("known sources: {}", crate::diag::one_of(known))),
                };
                problems.push(d);
            }
        }
        for (field, text) in self.all_texts() {
            if field.starts_with("blocks.") && text.get_ref().trim().is_empty() {
                warnings.push(
                    Diagnostic::warning(format!(
                        "`{field}` is empty: a frame that shows it prints nothing (and gives its area away where the layout says `collapse_into`)"
                    ))
                    .at(at(text.span()))
                    .field(field.clone())
                    .hint("write the text, or remove the block if no layout should show it"),
                );
            }
            let inline = crate::markup::parse(text.get_ref());
            for (url, why) in unsafe_inline_links(&inline) {
                problems.push(
                    Diagnostic::error(format!(
                        "inline link to `{}` cannot be printed: {why}",
                        shorten(&url)
                    ))
                    .at(at(text.span()))
                    .field(field.clone())
                    .hint(crate::model::URL_HINT),
                );
            }
            for url in empty_inline_links(&inline) {
                warnings.push(
                    Diagnostic::warning(format!(
                        "inline link \"{url}\" has no URL; it will print as plain text"
                    ))
                    .at(at(text.span()))
                    .field(field.clone())
                    .hint("write the address inside the parentheses: [text](https://…)"),
                );
            }
        }
        warnings
    }

    /// Every text field with its field path, for checks that look at all content.
    pub fn all_texts(&self) -> Vec<(String, &Text)> {
        let b = &self.blocks;
        let mut out: Vec<(String, &Text)> = Vec::new();
        for (name, block) in [
            ("kicker", &b.kicker),
            ("definition", &b.definition),
            ("facts", &b.facts),
            ("contact", &b.contact),
        ] {
            if let Some(block) = block {
                out.push((format!("blocks.{name}.text"), &block.text));
            }
        }
        out.push(("blocks.headline.text".into(), &b.headline.text));
        for (i, s) in b.sections.iter().enumerate() {
            out.push((format!("blocks.sections[{i}].heading"), &s.heading));
            out.push((format!("blocks.sections[{i}].body"), &s.body));
        }
        if let Some(c) = &b.callout {
            out.push(("blocks.callout.value".into(), &c.value));
            out.push(("blocks.callout.text".into(), &c.text));
        }
        for (i, s) in b.stats.iter().enumerate() {
            out.push((format!("blocks.stats[{i}].value"), &s.value));
            out.push((format!("blocks.stats[{i}].caption"), &s.caption));
        }
        if let Some(a) = &b.action {
            out.push(("blocks.action.label".into(), &a.label));
            out.push(("blocks.action.phone".into(), &a.phone));
        }
        if let Some(a) = &b.agency {
            out.push(("blocks.agency.name".into(), &a.name));
            out.push(("blocks.agency.department".into(), &a.department));
            if let Some(t) = &a.tagline {
                out.push(("blocks.agency.tagline".into(), t));
            }
        }
        if let Some(s) = &b.sources {
            out.push(("blocks.sources.label".into(), &s.label));
        }
        for (i, s) in self.sources.iter().enumerate() {
            out.push((format!("sources[{i}].title"), &s.title));
        }
        for (name, value) in &self.vars {
            out.push((format!("vars.{name}"), value));
        }
        out
    }

    /// The base language, then every translation's.
    pub fn languages(&self) -> Vec<&str> {
        let mut langs = vec![self.meta.lang.as_str()];
        langs.extend(self.translation_langs.iter().map(String::as_str));
        langs
    }

    pub fn translation(&self, lang: &str) -> Option<&Translation> {
        self.translations.iter().find(|t| t.lang() == lang)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id.get_ref() == id)
    }
}

/// The longest campaign id.
pub const MAX_ID: usize = 64;

/// Whether a campaign id is one plain folder name: `a-z`, `0-9` and `-`, not starting
/// with `-`, at most [`MAX_ID`] characters.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID
        && !id.starts_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A URL or a cell for a message: the first 60 characters.
fn shorten(url: &str) -> String {
    if url.chars().count() > 60 {
        format!("{}…", url.chars().take(60).collect::<String>())
    } else {
        url.to_string()
    }
}

/// Markdown links whose (non-empty) destination is not allowed, with the reason.
fn unsafe_inline_links(inline: &crate::markup::Inline) -> Vec<(String, String)> {
    inline
        .links
        .iter()
        .filter(|link| !link.url.is_empty())
        .filter_map(|link| {
            crate::model::check_url(&link.url)
                .err()
                .map(|why| (link.url.clone(), why))
        })
        .collect()
}

impl Campaign {
    /// The place of `key = …` in campaign.toml (its first line), for fields read without
    /// spans; the file when it is not found.
    fn line_of(&self, key: &str) -> crate::diag::Location {
        let text = &self.file.text;
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix(key)
                && rest.trim_start().starts_with('=')
            {
                return self.file.location(offset + (line.len() - trimmed.len()));
            }
            offset += line.len();
        }
        crate::diag::Location {
            file: self.file.path.clone(),
            line_col: None,
        }
    }
}

/// Link texts of Markdown links whose destination is empty: `[text]()`.
fn empty_inline_links(inline: &crate::markup::Inline) -> Vec<String> {
    inline
        .links
        .iter()
        .filter(|link| link.url.is_empty())
        .map(|link| link.text.clone())
        .collect()
}

/// Loads every `campaign.<lang>.toml` beside the campaign, sorted by language tag.
/// The overlays beside `campaign.toml` of `langs` (all when empty), and the language of
/// every overlay there, by file name; one that does not load is in neither.
fn load_translations(
    dir: &Path,
    langs: &[String],
    problems: &mut Vec<Diagnostic>,
) -> (Vec<Translation>, Vec<String>) {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    name.starts_with("campaign.")
                        && name.ends_with(".toml")
                        && name != "campaign.toml"
                })
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    let mut translations = Vec::new();
    let mut all = Vec::new();
    for path in &paths {
        let lang = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("campaign."))
            .and_then(|n| n.strip_suffix(".toml"))
            .unwrap_or("");
        if !langs.is_empty() && !langs.iter().any(|l| l == lang) {
            all.push(lang.to_string());
            continue;
        }
        match Translation::load(path) {
            Ok(t) => {
                all.push(t.lang().to_string());
                translations.push(t);
            }
            Err(e) => problems.push(e),
        }
    }
    (translations, all)
}
