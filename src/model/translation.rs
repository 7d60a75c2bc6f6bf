//! Translation overlays (`campaign.<lang>.toml`): the strings of one language, laid over
//! the base campaign. Only what is translated is written; what is missing is reported and
//! prints in the base language.

use super::Text;
use crate::diag::{Diagnostic, SourceFile};
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

    /// Whether `field` stays in the base language on purpose.
    pub fn keeps_original(&self, field: &str) -> bool {
        self.meta.keep_original.iter().any(|k| k.get_ref() == field)
    }
}

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
