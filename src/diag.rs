//! Diagnostics: every problem names the file, line, column and field it came from, with a hint.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

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

/// Whether diagnostics are printed in colour (`--color`, NO_COLOR, a terminal or not).
static COLOR: AtomicBool = AtomicBool::new(false);

/// Turns colour on or off for every diagnostic printed after.
pub fn set_color(on: bool) {
    COLOR.store(on, Ordering::Relaxed);
}

pub fn color() -> bool {
    COLOR.load(Ordering::Relaxed)
}

impl Diagnostic {
    /// The diagnostic as cargo and typst print theirs: the message, the place and field,
    /// the source line with a caret under the span, then the hint; with ANSI colours when
    /// `color` is set (a terminal), plain otherwise (a log).
    pub fn render(&self, color: bool) -> String {
        let paint = |code: &str, text: &str| {
            if color {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_string()
            }
        };
        let (label, tone) = match self.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        let snippet = self.location.as_ref().and_then(snippet);
        // The gutter is as wide as the line number (at least two, as before snippets).
        let width = snippet
            .as_ref()
            .map_or(2, |s| s.line.to_string().len().max(2));
        let pad = " ".repeat(width);
        let mut out = format!(
            "{}{}",
            paint(tone, &format!("{label}:")),
            paint("1", &format!(" {}", self.message))
        );
        if let Some(location) = &self.location {
            out.push_str(&format!(
                "\n{pad}{} {}",
                paint("1;34", "-->"),
                location.file.display()
            ));
            if let Some((line, col)) = location.line_col {
                out.push_str(&format!(":{line}:{col}"));
            }
        }
        if let Some(field) = &self.field {
            if self.location.is_some() {
                out.push_str(&format!(" (field `{field}`)"));
            } else {
                out.push_str(&format!(
                    "\n{pad}{} (field `{field}`)",
                    paint("1;34", "-->")
                ));
            }
        }
        if let Some(s) = &snippet {
            let bar = paint("1;34", "|");
            out.push_str(&format!("\n{pad} {bar}"));
            out.push_str(&format!(
                "\n{} {bar} {}",
                paint("1;34", &format!("{:>width$}", s.line)),
                s.text
            ));
            out.push_str(&format!(
                "\n{pad} {bar} {}{}",
                " ".repeat(s.column),
                paint(tone, &"^".repeat(s.width))
            ));
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("\n{pad}{} {hint}", paint("1", "= hint:")));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(color()))
    }
}

/// The source line of a location, and where under it the caret goes.
struct Snippet {
    line: usize,
    /// The line as printed (tabs as spaces).
    text: String,
    /// Characters before the caret, and how many carets.
    column: usize,
    width: usize,
}

/// Reads the line a location points at (from the file, or the binary for a built-in
/// file) and underlines the token starting at its column: a quoted string to its closing
/// quote, otherwise up to a space, comma, bracket or `=`.
fn snippet(location: &Location) -> Option<Snippet> {
    let (line, col) = location.line_col?;
    let text = match crate::assets::builtin_text(&location.file) {
        Some(text) => text.to_string(),
        None => std::fs::read_to_string(&location.file).ok()?,
    };
    let source: Vec<char> = text.lines().nth(line.checked_sub(1)?)?.chars().collect();
    let column = col.saturating_sub(1).min(source.len());
    let rest = &source[column..];
    let width = match rest.first() {
        // A table header, `[[frames]]`, whole.
        Some('[') => rest
            .iter()
            .rposition(|&c| c == ']')
            .map_or(1, |end| end + 1),
        Some(&q @ ('"' | '\'')) => rest[1..]
            .iter()
            .position(|&c| c == q)
            .map_or(rest.len(), |end| end + 2),
        Some(_) => rest
            .iter()
            .position(|c| c.is_whitespace() || ",]}=".contains(*c))
            .unwrap_or(rest.len()),
        None => 0,
    }
    .max(1);
    Some(Snippet {
        line,
        text: source
            .iter()
            .map(|&c| if c == '\t' { ' ' } else { c })
            .collect::<String>()
            .trim_end()
            .to_string(),
        column,
        width,
    })
}

/// The text of one input file, kept so byte spans can be turned into line:column.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
    /// Where each line of `text` starts, found on the first [`SourceFile::location`]: a
    /// layout places every frame, and counting the lines from the top for each one was
    /// 1.4% of a one-flyer run.
    line_starts: std::sync::OnceLock<Vec<usize>>,
    /// The SHA-256 of `text`, found on the first [`SourceFile::digest`].
    digest: std::sync::OnceLock<[u8; 32]>,
}

impl SourceFile {
    pub fn read(path: &Path) -> Result<Self, Diagnostic> {
        if let Some(text) = crate::assets::builtin_text(path) {
            return Ok(SourceFile::new(path, text.to_string()));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|err| Diagnostic::error(format!("cannot read file: {err}")).in_file(path))?;
        Ok(SourceFile::new(path, text))
    }

    pub fn new(path: &Path, text: String) -> Self {
        SourceFile {
            path: path.to_path_buf(),
            text,
            line_starts: std::sync::OnceLock::new(),
            digest: std::sync::OnceLock::new(),
        }
    }

    /// The SHA-256 of the file's text, worked out once: each document of a run composed
    /// from a layout digests its layout by it (the composer's frame memo), and hashing the
    /// flyer's 18 KB again for each of them was 1% of a batch.
    pub fn digest(&self) -> [u8; 32] {
        use sha2::Digest as _;
        *self
            .digest
            .get_or_init(|| sha2::Sha256::digest(self.text.as_bytes()).into())
    }

    /// The location of a byte offset, as 1-based line and column (columns count characters).
    pub fn location(&self, offset: usize) -> Location {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        // The lines that start at or before `offset`: 0 and one after each newline before it.
        let line = starts.partition_point(|&start| start <= offset);
        let line_start = starts[line - 1];
        let col = self.text[line_start..offset].chars().count() + 1;
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

    /// The digest is the text's SHA-256, so two files of one text digest alike, and a
    /// file of another text (even one byte) does not.
    #[test]
    fn a_file_digests_its_text() {
        use sha2::Digest as _;
        let file = SourceFile::new(Path::new("a.toml"), "pages = 1\n".into());
        let expected: [u8; 32] = sha2::Sha256::digest(b"pages = 1\n").into();
        assert_eq!(file.digest(), expected);
        assert_eq!(file.clone().digest(), expected);
        let other = SourceFile::new(Path::new("a.toml"), "pages = 2\n".into());
        assert_ne!(other.digest(), expected);
    }

    #[test]
    fn line_and_column_from_offset() {
        let file = SourceFile::new(Path::new("x.toml"), "a = 1\nbé = 2\n".into());
        assert_eq!(file.location(0).line_col, Some((1, 1)));
        let offset = file.text.find('=').unwrap();
        assert_eq!(file.location(offset).line_col, Some((1, 3)));
        let offset = file.text.rfind('=').unwrap();
        assert_eq!(file.location(offset).line_col, Some((2, 4)));
        // At a line's start and past the end.
        assert_eq!(file.location(6).line_col, Some((2, 1)));
        assert_eq!(file.location(usize::MAX).line_col, Some((3, 1)));
    }

    #[test]
    fn snippet_underlines_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.toml");
        std::fs::write(&path, "[styles.heading]\ncolor = \"navvy\"\n").unwrap();
        let d = Diagnostic::error("unknown colour `navvy`")
            .at(Location {
                file: path.clone(),
                line_col: Some((2, 9)),
            })
            .field("styles.heading.color")
            .hint("did you mean `navy`?");
        let expected = format!(
            "error: unknown colour `navvy`\n  --> {}:2:9 (field `styles.heading.color`)\n   |\n 2 | color = \"navvy\"\n   |         ^^^^^^^\n  = hint: did you mean `navy`?",
            path.display()
        );
        assert_eq!(d.render(false), expected);
        assert!(d.render(true).contains("\x1b[1;31merror:\x1b[0m"));
    }

    #[test]
    fn closest_name() {
        assert_eq!(closest("navvy", ["navy", "gold"]), Some("navy"));
        assert_eq!(closest("zzzzzz", ["navy", "gold"]), None);
    }
}
