//! Model: parse campaign, county and layout files into typed, validated structs that keep
//! the source spans every later error points back to.

pub mod campaign;
pub mod counties;
pub mod layout;
pub mod translation;

use crate::diag::{Diagnostic, SourceFile};
use serde::de::DeserializeOwned;

/// Parses a TOML file, turning a syntax or schema error into a diagnostic at its line:column.
pub(crate) fn parse_toml<T: DeserializeOwned>(source: &SourceFile) -> Result<T, Diagnostic> {
    toml::from_str(&source.text).map_err(|err| toml_error(source, err))
}

fn toml_error(source: &SourceFile, err: toml::de::Error) -> Diagnostic {
    let message = err.message().trim().to_string();
    let (message, hint) = explain_toml_error(&message);
    let mut diagnostic = Diagnostic::error(message);
    let mut field = None;
    diagnostic = match err.span() {
        Some(span) => {
            field = field_at(&source.text, span.start);
            diagnostic.at(source.span_location(&span))
        }
        None => diagnostic.in_file(&source.path),
    };
    if let Some(hint) = hint {
        diagnostic = diagnostic.hint(hint);
    }
    if let Some(field) = field {
        diagnostic = diagnostic.field(field);
    }
    diagnostic
}

/// The dotted path of the key at a byte offset, read from the text around it: the table
/// header above (`[styles.body]`, or `[[frames]]` counted to `frames[3]`) and the key on
/// the offset's line. serde's errors carry a span but not the path.
fn field_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or("");
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !k.starts_with('['));
    let before = &text[..line_start];
    let header = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['));
    let table = header.map(|h| {
        if let Some(name) = h.strip_prefix("[[").and_then(|h| h.split("]]").next()) {
            let marker = format!("[[{name}]]");
            let index = before
                .lines()
                .filter(|l| l.trim().starts_with(&marker))
                .count();
            format!("{name}[{}]", index.saturating_sub(1))
        } else {
            h.trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        }
    });
    match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(t), None) => Some(t),
        (None, None) => None,
    }
}

/// serde's messages are precise but terse; add a hint for the common ones.
fn explain_toml_error(message: &str) -> (String, Option<String>) {
    let hint = if message.starts_with("unknown field") {
        Some(
            "check the spelling; the fields this table accepts are listed in the message and in docs/formats.md",
        )
    } else if message.starts_with("missing field") {
        Some("add the field; docs/formats.md shows every required field")
    } else if message.contains("invalid type") {
        Some("strings need quotes; lengths are strings with a unit, e.g. \"12pt\"")
    } else if message.contains("expected") || message.contains("invalid") {
        Some("see docs/formats.md for the TOML shapes broadside reads")
    } else {
        None
    };
    (message.to_string(), hint.map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::field_at;

    #[test]
    fn field_paths_from_text() {
        let text = "kind = 1\n[styles.body]\nsize = x\n[[frames]]\nid = 1\n[[frames]]\narea = { col = 0 }\n";
        let at = |needle: &str| field_at(text, text.find(needle).unwrap());
        assert_eq!(at("kind").as_deref(), Some("kind"));
        assert_eq!(at("size").as_deref(), Some("styles.body.size"));
        assert_eq!(at("col").as_deref(), Some("frames[1].area"));
    }
}
