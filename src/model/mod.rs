//! Model: parse campaign, county and layout files into typed, validated structs that keep
//! the source spans every later error points back to.

pub mod campaign;
pub mod content;
pub mod counties;
pub mod layout;
pub mod overlay;
pub mod translation;

use crate::diag::{Diagnostic, SourceFile};
use serde::de::DeserializeOwned;

/// A content string with where it stands in its file, for messages that point at it.
pub type Text = toml::Spanned<String>;

/// What to do about a character [`text_problem`] finds.
pub const TEXT_HINT: &str = "retype the text without it (copying from a word processor or PDF often brings such characters); use spaces instead of tabs";

/// Why a piece of content text cannot be set, if it cannot: it holds a control character
/// (a tab, NUL, …), a byte-order mark or a Unicode noncharacter. Such characters have no
/// glyph, make the tagged PDF's text differ from what is shown, and cannot go into XML
/// metadata. New lines are fine.
pub fn text_problem(text: &str) -> Option<String> {
    let (at, c) = text.char_indices().find(|&(_, c)| forbidden_char(c))?;
    let line = text[..at].matches('\n').count() + 1;
    let name = match c {
        '\t' => "a tab".to_string(),
        '\0' => "a NUL character".to_string(),
        '\u{feff}' => "a byte-order mark (U+FEFF)".to_string(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("the invisible character U+{:04X}", c as u32),
    };
    Some(if line > 1 {
        format!("holds {name} (on its line {line})")
    } else {
        format!("holds {name}")
    })
}

/// Control characters other than line ends, the byte-order mark, line/paragraph
/// separators and noncharacters.
pub fn forbidden_char(c: char) -> bool {
    let u = c as u32;
    (c.is_control() && c != '\n' && c != '\r')
        || c == '\u{feff}'
        || c == '\u{2028}'
        || c == '\u{2029}'
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE
}

/// The longest URL a link may have: long enough for any real address of a publication.
pub const MAX_URL: usize = 2048;

/// What to do about a URL [`check_url`] refuses.
pub const URL_HINT: &str = "links may use https, http, mailto or tel, at most 2048 characters, without spaces or control characters, e.g. `https://www.cdss.ca.gov/…`";

/// Whether `tag` has the shape of a BCP 47 language tag (`vi`, `zh-Hant`, `es-419`):
/// subtags of 1–8 letters or digits joined by `-`, starting with a letter. Whether the
/// language exists is another question (a translation file answers it).
pub fn is_language_tag(tag: &str) -> bool {
    tag.len() <= 35
        && tag.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && tag.split('-').all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// Checks a link's address: a scheme from the allow-list (https, http, mailto, tel), no
/// spaces or control characters, at most [`MAX_URL`] characters. `javascript:`, `file:`,
/// `data:`, UNC paths and the like could run code or reach files when a reader clicks.
pub fn check_url(url: &str) -> Result<(), String> {
    if url.len() > MAX_URL {
        return Err(format!(
            "it is {} characters long, more than {MAX_URL}",
            url.len()
        ));
    }
    if let Some(c) = url
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || forbidden_char(*c))
    {
        return Err(format!("it holds the character U+{:04X}", c as u32));
    }
    let scheme = url
        .split_once(':')
        .map(|(s, _)| s.to_ascii_lowercase())
        .filter(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        });
    match scheme.as_deref() {
        Some("https" | "http") => {
            if url
                .split_once("//")
                .is_none_or(|(_, rest)| rest.is_empty() || rest.starts_with('/'))
            {
                return Err("it names no host".into());
            }
            Ok(())
        }
        Some("mailto" | "tel") => Ok(()),
        Some(other) => Err(format!("the scheme `{other}:` is not allowed")),
        None => Err("it has no scheme (such as `https:`)".into()),
    }
}

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
    if let Some(hint) = unknown_field_hint(message) {
        return (message.to_string(), Some(hint));
    }
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

/// "did you mean `color`?" for serde's "unknown field `colour`, expected one of `a`, `b`"
/// (the same hint colours, styles and fonts get), when one allowed field is close.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (wanted, rest) = rest.split_once('`')?;
    let allowed: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let best = crate::diag::closest(wanted, allowed.iter().copied())?;
    Some(format!("did you mean `{best}`?"))
}

#[cfg(test)]
mod tests {
    use super::field_at;

    #[test]
    fn unknown_field_suggests_the_closest() {
        let message = "unknown field `colour`, expected one of `font`, `color`, `size`";
        assert_eq!(
            super::unknown_field_hint(message).as_deref(),
            Some("did you mean `color`?")
        );
        assert!(super::unknown_field_hint("unknown field `zzzzzzzz`, expected `font`").is_none());
    }

    #[test]
    fn field_paths_from_text() {
        let text = "kind = 1\n[styles.body]\nsize = x\n[[frames]]\nid = 1\n[[frames]]\narea = { col = 0 }\n";
        let at = |needle: &str| field_at(text, text.find(needle).unwrap());
        assert_eq!(at("kind").as_deref(), Some("kind"));
        assert_eq!(at("size").as_deref(), Some("styles.body.size"));
        assert_eq!(at("col").as_deref(), Some("frames[1].area"));
    }
}
