//! Diagnostics: every problem names the file, line, column and field it came from, with a hint.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
}

/// Where in an input file a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based line and column; `None` when the problem concerns the whole file.
    pub line_col: Option<(usize, usize)>,
}

/// One problem found in the input, or while composing an edition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    /// The field the problem is about, e.g. `frames[3].style`.
    pub field: Option<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            field: None,
            hint: None,
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn in_file(mut self, file: &Path) -> Self {
        self.location = Some(Location {
            file: file.to_path_buf(),
            line_col: None,
        });
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.message)?;
        if let Some(location) = &self.location {
            write!(f, "\n  --> {}", location.file.display())?;
            if let Some((line, col)) = location.line_col {
                write!(f, ":{line}:{col}")?;
            }
        }
        if let Some(field) = &self.field {
            let lead = if self.location.is_some() {
                " "
            } else {
                "\n  --> "
            };
            write!(f, "{lead}(field `{field}`)")?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  = hint: {hint}")?;
        }
        Ok(())
    }
}

/// The text of one input file, kept so byte spans can be turned into line:column.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

impl SourceFile {
    pub fn read(path: &Path) -> Result<Self, Diagnostic> {
        let text = std::fs::read_to_string(path)
            .map_err(|err| Diagnostic::error(format!("cannot read file: {err}")).in_file(path))?;
        Ok(SourceFile {
            path: path.to_path_buf(),
            text,
        })
    }

    /// The location of a byte offset, as 1-based line and column (columns count characters).
    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before[line_start..].chars().count() + 1;
        Location {
            file: self.path.clone(),
            line_col: Some((line, col)),
        }
    }

    pub fn span_location(&self, span: &Range<usize>) -> Location {
        self.location(span.start)
    }
}

/// The closest candidate to `wanted` by edit distance, for "did you mean" hints.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(wanted, c), c))
        .filter(|(d, c)| *d <= (c.len().max(wanted.len()) / 2).max(1))
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

/// Renders a list of candidates for a hint: "`a`, `b` or `c`".
pub fn one_of<'a>(candidates: impl IntoIterator<Item = &'a str>) -> String {
    let list: Vec<String> = candidates.into_iter().map(|c| format!("`{c}`")).collect();
    match list.len() {
        0 => "nothing is defined".to_string(),
        1 => list[0].clone(),
        n => format!("{} or {}", list[..n - 1].join(", "), list[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_from_offset() {
        let file = SourceFile {
            path: "x.toml".into(),
            text: "a = 1\nbé = 2\n".into(),
        };
        assert_eq!(file.location(0).line_col, Some((1, 1)));
        let offset = file.text.find('=').unwrap();
        assert_eq!(file.location(offset).line_col, Some((1, 3)));
        let offset = file.text.rfind('=').unwrap();
        assert_eq!(file.location(offset).line_col, Some((2, 4)));
    }

    #[test]
    fn closest_name() {
        assert_eq!(closest("navvy", ["navy", "gold"]), Some("navy"));
        assert_eq!(closest("zzzzzz", ["navy", "gold"]), None);
    }
}
