//! A translation laid over its campaign: checking that it fits (lists of the same length,
//! the same source ids; what it leaves untranslated) and finding the translation of a base
//! field. The one place that knows both files, so neither imports the other.

use super::Text;
use super::campaign::Campaign;
use super::translation::{Translation, is_only_variables};
use crate::diag::Diagnostic;

impl Translation {
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
fn is_untranslatable_var(campaign: &Campaign, field: &str) -> bool {
    field
        .strip_prefix("vars.")
        .and_then(|name| campaign.vars.get(name))
        .is_some_and(|value| !value.get_ref().chars().any(char::is_alphabetic))
}
