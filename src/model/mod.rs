//! Model: parse campaign, county and layout files into typed, validated structs that keep
//! the source spans every later error points back to.

pub mod campaign;
pub mod counties;
pub mod layout;

use crate::diag::{Diagnostic, SourceFile};
use serde::de::DeserializeOwned;

/// Parses a TOML file, turning a syntax or schema error into a diagnostic at its line:column.
pub(crate) fn parse_toml<T: DeserializeOwned>(source: &SourceFile) -> Result<T, Diagnostic> {
    toml::from_str(&source.text).map_err(|err| {
        let message = err.message().trim().to_string();
        let (message, hint) = explain_toml_error(&message);
        let mut diagnostic = Diagnostic::error(message);
        diagnostic = match err.span() {
            Some(span) => diagnostic.at(source.span_location(&span)),
            None => diagnostic.in_file(&source.path),
        };
        if let Some(hint) = hint {
            diagnostic = diagnostic.hint(hint);
        }
        diagnostic
    })
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
