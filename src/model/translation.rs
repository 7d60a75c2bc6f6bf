//! Translation overlays (`campaign.<lang>.toml`): the strings of one language, laid over
//! the base campaign. Only what is translated is written; what is missing is reported and
//! prints in the base language.

use crate::diag::{Diagnostic, SourceFile};
use crate::model::campaign::{Campaign, Text};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TranslationFile {
    translation: TranslationMeta,
    #[serde(default)]
    vars: BTreeMap<String, Text>,
    #[serde(default)]
    blocks: TranslatedBlocks,
    #[serde(default)]
    sources: BTreeMap<String, TranslatedSource>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationMeta {
    /// BCP 47 tag; must match the file name.
    pub lang: String,
    /// The language's name in itself ("Español").
    pub name: String,
    /// "draft" until a qualified translator has reviewed it.
    pub status: String,
    /// How a county edition's name reads, e.g. "Condado de {county}".
    #[serde(default)]
    pub edition_label: Option<Text>,
    /// The statewide region's name in this language.
    #[serde(default)]
    pub region: Option<Text>,
    /// Fields printed in the campaign's base language on purpose (an agency's official
    /// name): not reported as untranslated, and tagged in the base language so a screen
    /// reader pronounces them in it.
    #[serde(default)]
    pub keep_original: Vec<Text>,
    /// This language's typography: `typography = { quotes = "guillemets", keep_together =
    /// ["EE. UU."] }`.
    #[serde(default)]
    pub typography: TranslationTypography,
}

/// `[translation] typography`: quotation marks and phrases of one language.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslationTypography {
    /// `"curly"` (the language's own), `"guillemets"` (« »), or `"straight"`.
    #[serde(default)]
    pub quotes: Option<QuoteStyle>,
    /// Phrases of this language never broken across lines.
    #[serde(default)]
    pub keep_together: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteStyle {
    Curly,
    Guillemets,
    Straight,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatedBlocks {
    pub kicker: Option<TextOnly>,
    pub headline: Option<TextOnly>,
    pub definition: Option<TextOnly>,
    #[serde(default)]
    pub sections: Vec<TranslatedSection>,
    pub facts: Option<TextOnly>,
    pub callout: Option<TranslatedPair>,
    #[serde(default)]
    pub stats: Vec<TranslatedStat>,
    pub contact: Option<TextOnly>,
    pub action: Option<TranslatedAction>,
    pub agency: Option<TranslatedAgency>,
    pub sources: Option<TranslatedLabel>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatedAction {
    pub label: Option<Text>,
    pub phone: Option<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextOnly {
    pub text: Text,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatedSection {
    pub heading: Option<Text>,
    pub body: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatedPair {
    pub value: Option<Text>,
    pub text: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatedStat {
    pub value: Option<Text>,
    pub caption: Option<Text>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatedAgency {
    pub name: Option<Text>,
    pub department: Option<Text>,
    pub tagline: Option<Text>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatedLabel {
    pub label: Text,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatedSource {
    pub title: Text,
}

/// One loaded translation.
#[derive(Debug, Clone)]
pub struct Translation {
    pub file: SourceFile,
    pub meta: TranslationMeta,
    pub vars: BTreeMap<String, Text>,
    pub blocks: TranslatedBlocks,
    pub sources: BTreeMap<String, TranslatedSource>,
}

impl Translation {
    /// Loads `path`, whose name must be `campaign.<lang>.toml`.
    pub fn load(path: &Path) -> Result<Translation, Diagnostic> {
        let file = SourceFile::read(path)?;
        let parsed: TranslationFile = super::parse_toml(&file)?;
        let expected = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("campaign."))
            .and_then(|n| n.strip_suffix(".toml"))
            .unwrap_or("");
        if parsed.translation.lang != expected {
            return Err(Diagnostic::error(format!(
                "the file is named for `{expected}` but says lang = \"{}\"",
                parsed.translation.lang
            ))
            .in_file(path)
            .field("translation.lang")
            .hint("name translation files campaign.<lang>.toml after their lang"));
        }
        Ok(Translation {
            file,
            meta: parsed.translation,
            vars: parsed.vars,
            blocks: parsed.blocks,
            sources: parsed.sources,
        })
    }

    pub fn lang(&self) -> &str {
        &self.meta.lang
    }

    /// Checks the overlay against its campaign: list lengths and ids must match (errors);
    /// every base string it leaves out is a warning, since it will print untranslated.
    pub fn validate(
        &self,
        campaign: &Campaign,
        problems: &mut Vec<Diagnostic>,
        warnings: &mut Vec<Diagnostic>,
    ) {
        let path = &self.file.path;
        let count = |what: &str, ours: usize, theirs: usize, problems: &mut Vec<Diagnostic>| {
            if ours != 0 && ours != theirs {
                problems.push(
                    Diagnostic::error(format!(
                        "{ours} {what} translated, but the campaign has {theirs}"
                    ))
                    .in_file(path)
                    .field(format!("blocks.{what}"))
                    .hint(format!(
                        "translate the {what} in the campaign's order, one entry each"
                    )),
                );
            }
        };
        count(
            "sections",
            self.blocks.sections.len(),
            campaign.blocks.sections.len(),
            problems,
        );
        count(
            "stats",
            self.blocks.stats.len(),
            campaign.blocks.stats.len(),
            problems,
        );
        for (id, source) in &self.sources {
            if campaign.source(id).is_none() {
                problems.push(
                    Diagnostic::error(format!("translation of unknown source `{id}`"))
                        .at(self.file.span_location(&source.title.span()))
                        .field(format!("sources.{id}")),
                );
            }
        }
        for name in self.vars.keys() {
            if !campaign.vars.contains_key(name) {
                problems.push(
                    Diagnostic::error(format!("translation of unknown variable `{name}`"))
                        .at(self.file.span_location(&self.vars[name].span()))
                        .field(format!("vars.{name}"))
                        .hint("translate only variables the campaign's [vars] defines"),
                );
            }
        }
        for (field, _) in campaign.all_texts() {
            if let Some(text) = self.lookup(campaign, &field)
                && let Some(why) = super::text_problem(text.get_ref())
            {
                problems.push(
                    Diagnostic::error(format!("`{field}` {why}"))
                        .at(self.file.span_location(&text.span()))
                        .field(field.clone())
                        .hint(super::TEXT_HINT),
                );
            }
        }
        let missing: Vec<String> = campaign
            .all_texts()
            .into_iter()
            // A field that is only variables (`phone = "{phone}"`) has no words to translate.
            .filter(|(_, text)| !is_only_variables(text.get_ref()))
            .map(|(field, _)| field)
            .filter(|field| self.lookup(campaign, field).is_none())
            .filter(|field| !is_untranslatable_var(campaign, field))
            .filter(|field| !self.keeps_original(field))
            .collect();
        // Variables are substituted into many fields, so they are kept by keeping the fields.
        let fields: Vec<String> = campaign
            .all_texts()
            .into_iter()
            .map(|(f, _)| f)
            .filter(|f| !f.starts_with("vars."))
            .collect();
        for kept in &self.meta.keep_original {
            if !fields.contains(kept.get_ref()) {
                let mut d = Diagnostic::error(format!(
                    "`keep_original` names `{}`, which is not a field of the campaign",
                    kept.get_ref()
                ))
                .at(self.file.span_location(&kept.span()))
                .field("translation.keep_original");
                if let Some(best) =
                    crate::diag::closest(kept.get_ref(), fields.iter().map(String::as_str))
                {
                    d = d.hint(format!("did you mean `{best}`?"));
                }
                problems.push(d);
            }
        }
        if !missing.is_empty() {
            warnings.push(
                Diagnostic::warning(format!(
                    "{} ({}) leaves {} string(s) untranslated; they print in `{}`: {}",
                    self.meta.name,
                    self.meta.lang,
                    missing.len(),
                    campaign.meta.lang,
                    missing.join(", ")
                ))
                .in_file(path)
                .hint("add the translations, or copy the original text to keep it on purpose"),
            );
        }
    }

    /// Whether `field` stays in the base language on purpose.
    pub fn keeps_original(&self, field: &str) -> bool {
        self.meta.keep_original.iter().any(|k| k.get_ref() == field)
    }

    /// The translation of a base field, by the field path `Campaign::all_texts` uses.
    pub fn lookup(&self, campaign: &Campaign, field: &str) -> Option<&Text> {
        let b = &self.blocks;
        let indexed = |prefix: &str| -> Option<(usize, String)> {
            let rest = field.strip_prefix(prefix)?;
            let (index, tail) = rest.split_once("].")?;
            Some((index.parse().ok()?, tail.to_string()))
        };
        if let Some((i, tail)) = indexed("blocks.sections[") {
            let s = b.sections.get(i)?;
            return match tail.as_str() {
                "heading" => s.heading.as_ref(),
                _ => s.body.as_ref(),
            };
        }
        if let Some((i, tail)) = indexed("blocks.stats[") {
            let s = b.stats.get(i)?;
            return match tail.as_str() {
                "value" => s.value.as_ref(),
                _ => s.caption.as_ref(),
            };
        }
        if let Some((i, _)) = indexed("sources[") {
            let id = campaign.sources.get(i)?.id.get_ref();
            return self.sources.get(id).map(|s| &s.title);
        }
        if let Some(name) = field.strip_prefix("vars.") {
            return self.vars.get(name);
        }
        match field {
            "blocks.kicker.text" => b.kicker.as_ref().map(|t| &t.text),
            "blocks.headline.text" => b.headline.as_ref().map(|t| &t.text),
            "blocks.definition.text" => b.definition.as_ref().map(|t| &t.text),
            "blocks.facts.text" => b.facts.as_ref().map(|t| &t.text),
            "blocks.contact.text" => b.contact.as_ref().map(|t| &t.text),
            "blocks.callout.value" => b.callout.as_ref()?.value.as_ref(),
            "blocks.callout.text" => b.callout.as_ref()?.text.as_ref(),
            "blocks.action.label" => b.action.as_ref()?.label.as_ref(),
            "blocks.action.phone" => b.action.as_ref()?.phone.as_ref(),
            "blocks.agency.name" => b.agency.as_ref()?.name.as_ref(),
            "blocks.agency.department" => b.agency.as_ref()?.department.as_ref(),
            "blocks.agency.tagline" => b.agency.as_ref()?.tagline.as_ref(),
            "blocks.sources.label" => b.sources.as_ref().map(|s| &s.label),
            _ => None,
        }
    }
}

/// Variables such as a phone number are the same in every language.
/// Whether a text has no letters outside its `{variables}`: nothing in it to translate.
pub(crate) fn is_only_variables(text: &str) -> bool {
    let mut in_variable = false;
    !text.chars().any(|c| {
        match c {
            '{' => in_variable = true,
            '}' => in_variable = false,
            _ => {}
        }
        !in_variable && c.is_alphabetic()
    })
}

fn is_untranslatable_var(campaign: &Campaign, field: &str) -> bool {
    field
        .strip_prefix("vars.")
        .and_then(|name| campaign.vars.get(name))
        .is_some_and(|value| !value.get_ref().chars().any(char::is_alphabetic))
}
