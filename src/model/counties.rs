//! The county sheet (`counties.csv`): one row per county with its seat, languages and any
//! variable overrides. Empty cells fall back to the campaign's statewide values.

use crate::diag::{Diagnostic, Location, closest, one_of};
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// Columns with a fixed meaning; any other column must name a campaign variable.
/// The `logo_alt` that marks a logo as decoration: tagged as an artifact, not announced.
pub const DECORATIVE: &str = "decorative";

pub const FIXED_COLUMNS: &[&str] = &["county", "seat", "languages", "logo", "logo_alt"];

#[derive(Debug, Clone, PartialEq)]
pub struct County {
    pub name: String,
    /// File-system and CLI name: lowercase, hyphenated ("contra-costa").
    pub slug: String,
    pub seat: String,
    pub languages: Vec<String>,
    /// The county's logo, already checked to stay inside the campaign folder.
    pub logo: Option<PathBuf>,
    pub logo_alt: Option<String>,
    /// Non-empty cells of variable columns; anything absent falls back to `[vars]`.
    pub overrides: BTreeMap<String, String>,
    /// Non-empty `extra.<name>` cells: county-only text (a local resource line, say) that
    /// prints only where a layout has a frame for `extra.<name>`.
    pub extras: BTreeMap<String, String>,
    /// Non-empty cells of columns with a language (`program:es`, `extra.local:zh-Hant`,
    /// `county:zh-Hant`): language tag → column → text, used by that language's editions
    /// in place of the plain column.
    pub localized: BTreeMap<String, BTreeMap<String, String>>,
    /// Where the row is, for errors about it.
    pub location: Location,
}

/// Columns that may carry a language (`county:zh-Hant`) besides the variables and extras.
const LOCALIZABLE: &[&str] = &["county", "seat", "logo_alt"];

impl County {
    /// This county as its editions in `lang` print it: each cell with a `<column>:<lang>`
    /// version (the exact tag, else its primary language) takes that version. The slug, and
    /// so the output folder, stays the plain name's.
    pub fn localized_for(&self, lang: &str) -> County {
        let mut out = self.clone();
        for cells in self.versions_for(lang) {
            for (column, text) in cells {
                match column.as_str() {
                    "county" => out.name = text.clone(),
                    "seat" => out.seat = text.clone(),
                    "logo_alt" => out.logo_alt = Some(text.clone()),
                    _ => match column.strip_prefix("extra.") {
                        Some(extra) => {
                            out.extras.insert(extra.to_string(), text.clone());
                        }
                        None => {
                            out.overrides.insert(column.clone(), text.clone());
                        }
                    },
                }
            }
        }
        out
    }

    /// The cells of this county's language columns that serve `lang`: its primary
    /// language's first, then the exact tag's, which win where both have a column.
    fn versions_for<'c>(
        &'c self,
        lang: &'c str,
    ) -> impl Iterator<Item = &'c BTreeMap<String, String>> + 'c {
        let primary = lang.split(['-', '_']).next().unwrap_or(lang);
        [primary, lang]
            .into_iter()
            .filter_map(|tag| self.localized.get(tag))
    }

    /// The cells this county fills in its own words (a variable, an `extra.*`, its logo's
    /// alt text) that have no version for `lang`, exact or primary: its editions in `lang`
    /// print them as written. Cells without a letter (a phone number) read alike in every
    /// language and are left out.
    pub fn cells_without_language(&self, lang: &str) -> Vec<(String, &str)> {
        let has_version = |column: &str| {
            self.versions_for(lang)
                .any(|cells| cells.contains_key(column))
        };
        let alt = self
            .logo_alt
            .as_deref()
            .filter(|a| *a != DECORATIVE)
            .map(|a| ("logo_alt".to_string(), a));
        self.overrides
            .iter()
            .map(|(column, text)| (column.clone(), text.as_str()))
            .chain(
                self.extras
                    .iter()
                    .map(|(name, text)| (format!("extra.{name}"), text.as_str())),
            )
            .chain(alt)
            .filter(|(column, text)| text.chars().any(char::is_alphabetic) && !has_version(column))
            .collect()
    }
}

/// Where each line of the sheet starts, for the line of a record in messages. The csv crate's
/// own line count is one short after a CRLF line end (Excel's): it takes the LF as the start
/// of the next record.
struct LineStarts<'b> {
    bytes: &'b [u8],
    feeds: Vec<usize>,
}

impl<'b> LineStarts<'b> {
    fn new(bytes: &'b [u8]) -> Self {
        let feeds = (0..bytes.len()).filter(|&i| bytes[i] == b'\n').collect();
        LineStarts { bytes, feeds }
    }

    /// The 1-based line of the record's first character (past any line ends before it).
    fn line_of(&self, position: &csv::Position) -> usize {
        let mut start = (position.byte() as usize).min(self.bytes.len());
        while self
            .bytes
            .get(start)
            .is_some_and(|b| matches!(b, b'\r' | b'\n'))
        {
            start += 1;
        }
        1 + self.feeds.partition_point(|&feed| feed < start)
    }
}

/// A column name split into the column and its language: `program:es` → (`program`, `es`).
fn column_language(header: &str) -> (&str, Option<&str>) {
    match header.split_once(':') {
        Some((column, lang)) => (column, Some(lang)),
        None => (header, None),
    }
}

pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_lowercase());
    }
    out
}

/// Reads the county sheet, reporting every bad row rather than stopping at the first.
/// `var_names` are the campaign's variables; `None` when the campaign file could not be
/// read, in which case extra columns are not judged.
pub fn load(
    path: &Path,
    campaign_dir: &Path,
    var_names: Option<&[String]>,
) -> Result<Vec<County>, Vec<Diagnostic>> {
    let file_error = |msg: String| vec![Diagnostic::error(msg).in_file(path)];
    // Read whole (a county sheet is small) so that messages can count its lines.
    let bytes =
        std::fs::read(path).map_err(|e| file_error(format!("cannot read county sheet: {e}")))?;
    let lines = LineStarts::new(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(bytes.as_slice());
    let headers = reader
        .headers()
        .map_err(|e| {
            let utf8 = matches!(e.kind(), csv::ErrorKind::Utf8 { .. });
            let mut d = file_error(format!("cannot read the header row: {e}"));
            if utf8 {
                d[0] = d[0].clone().hint(NOT_UTF8);
            }
            d
        })?
        .clone();
    let mut problems = Vec::new();
    let header_location = Location {
        file: path.to_path_buf(),
        line_col: Some((1, 1)),
    };
    let mut known: Vec<&str> = FIXED_COLUMNS.to_vec();
    known.extend(var_names.unwrap_or_default().iter().map(String::as_str));
    for (i, header) in headers.iter().enumerate() {
        let (column, lang) = column_language(header);
        if let Some(lang) = lang {
            let localizable = LOCALIZABLE.contains(&column)
                || column.starts_with("extra.")
                || (var_names.is_none_or(|v| v.iter().any(|n| n == column))
                    && !FIXED_COLUMNS.contains(&column));
            if !localizable || !super::is_language_tag(lang) {
                let what = if localizable {
                    format!("`{lang}` in column `{header}` is not a language tag")
                } else {
                    format!("column `{header}`: `{column}` cannot have a language version")
                };
                problems.push(
                    Diagnostic::error(what)
                        .at(Location {
                            line_col: Some((1, column_of(&headers, i))),
                            ..header_location.clone()
                        })
                        .field(header.to_string())
                        .hint("a language version is `<column>:<language>`, e.g. `program:es` or `extra.local:zh-Hant`, for the county name, seat, logo_alt, a variable or an extra"),
                );
            }
            continue;
        }
        if var_names.is_some() && !known.contains(&header) && !header.starts_with("extra.") {
            let mut d = Diagnostic::error(format!("unknown column `{header}`"))
                .at(Location {
                    line_col: Some((1, column_of(&headers, i))),
                    ..header_location.clone()
                })
                .field(header.to_string());
            d = match closest(header, known.iter().copied()) {
                Some(best) => d.hint(format!("did you mean `{best}`? other columns must name a variable in campaign.toml [vars]")),
                None => d.hint(format!("columns are {}", one_of(known.iter().copied()))),
            };
            problems.push(d);
        }
    }
    if !headers.iter().any(|h| h == "county") {
        problems.push(
            Diagnostic::error("the county sheet has no `county` column")
                .at(header_location.clone())
                .hint("the first row must name the columns, starting with `county`"),
        );
        return Err(problems);
    }

    let mut counties: Vec<County> = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| lines.line_of(p));
                let hint = if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    NOT_UTF8
                } else {
                    "every row needs as many cells as the header; quote cells that contain commas"
                };
                problems.push(
                    Diagnostic::error(format!("malformed row: {e}"))
                        .at(Location {
                            file: path.to_path_buf(),
                            line_col: Some((line, 1)),
                        })
                        .hint(hint),
                );
                continue;
            }
        };
        let line = record.position().map_or(0, |p| lines.line_of(p));
        let cell = |name: &str| -> (String, usize) {
            headers
                .iter()
                .position(|h| h == name)
                .map(|i| {
                    (
                        record.get(i).unwrap_or("").to_string(),
                        column_of(&record, i),
                    )
                })
                .unwrap_or_default()
        };
        let at = |col: usize| Location {
            file: path.to_path_buf(),
            line_col: Some((line, col)),
        };
        let (name, name_col) = cell("county");
        if name.is_empty() {
            problems.push(
                Diagnostic::error("row has no county name")
                    .at(at(name_col))
                    .field("county"),
            );
            continue;
        }
        if counties.iter().any(|c| c.name == name) {
            problems.push(
                Diagnostic::error(format!("county `{name}` appears twice"))
                    .at(at(name_col))
                    .field("county")
                    .hint("keep one row per county"),
            );
            continue;
        }
        // Every cell is text that may end up on a page or in a file name.
        for (i, value) in record.iter().enumerate() {
            if let Some(why) = super::text_problem(value) {
                problems.push(
                    Diagnostic::error(format!(
                        "cell `{}` of county `{name}` {why}",
                        headers.get(i).unwrap_or("?")
                    ))
                    .at(at(column_of(&record, i)))
                    .field(headers.get(i).unwrap_or("?").to_string())
                    .hint(super::TEXT_HINT),
                );
            }
        }
        // The slug names the edition's folder: two rows with one slug would write over
        // each other's files, and `statewide` is the statewide edition's.
        let county_slug = slug(&name);
        if county_slug.is_empty() || county_slug.len() > MAX_SLUG {
            problems.push(
                Diagnostic::error(format!(
                    "county name `{name}` makes no usable folder name (`{county_slug}`)"
                ))
                .at(at(name_col))
                .field("county")
                .hint(format!(
                    "use letters or digits, at most {MAX_SLUG} in the folder name"
                )),
            );
            continue;
        }
        if county_slug == "statewide" {
            problems.push(
                Diagnostic::error(format!(
                    "county `{name}` has the folder name `statewide`, which is the statewide edition's"
                ))
                .at(at(name_col))
                .field("county")
                .hint("rename the row; the statewide edition is built from campaign.toml without a row"),
            );
            continue;
        }
        if let Some(other) = counties.iter().find(|c| c.slug == county_slug) {
            let other_line = other.location.line_col.map_or(0, |(l, _)| l);
            problems.push(
                Diagnostic::error(format!(
                    "counties `{}` (line {other_line}) and `{name}` (line {line}) have the same folder name `{county_slug}`: one would overwrite the other's files",
                    other.name
                ))
                .at(at(name_col))
                .field("county")
                .hint("give each row a name that differs in its letters or digits, not only in punctuation or case"),
            );
            continue;
        }
        let (logo_cell, logo_col) = cell("logo");
        let logo = if logo_cell.is_empty() {
            None
        } else {
            match contained_path(campaign_dir, &logo_cell)
                .and_then(|p| resolved_inside(campaign_dir, &p).map(|()| p))
            {
                Ok(p) => Some(p),
                Err(why) => {
                    problems.push(
                        Diagnostic::error(format!("logo path `{logo_cell}` {why}"))
                            .at(at(logo_col))
                            .field("logo")
                            .hint(
                                "put the logo inside the campaign folder, e.g. `logos/alameda.png`",
                            ),
                    );
                    None
                }
            }
        };
        let (languages, _) = cell("languages");
        let (logo_alt, logo_alt_col) = cell("logo_alt");
        if logo.is_some() && logo_alt.trim().is_empty() {
            // A screen reader announces the logo by its alt text; without one, the tagged
            // PDF would hold an image nobody can hear.
            problems.push(
                Diagnostic::error(format!("county `{name}` has a logo but no alt text"))
                    .at(at(logo_alt_col))
                    .field("logo_alt")
                    .hint(format!(
                        "write what the logo says or shows, e.g. `{name} County seal`; or `{DECORATIVE}` if it carries no information"
                    )),
            );
        }
        let mut localized: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (i, header) in headers.iter().enumerate() {
            let (column, Some(lang)) = column_language(header) else {
                continue;
            };
            let value = record.get(i).unwrap_or("");
            if !value.is_empty() {
                localized
                    .entry(lang.to_string())
                    .or_default()
                    .insert(column.to_string(), value.to_string());
            }
        }
        let extras = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.contains(':'))
            .filter_map(|(i, h)| {
                let name = h.strip_prefix("extra.")?;
                let value = record.get(i).unwrap_or("");
                (!value.is_empty()).then(|| (name.to_string(), value.to_string()))
            })
            .collect();
        let overrides = headers
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                !FIXED_COLUMNS.contains(h) && !h.starts_with("extra.") && !h.contains(':')
            })
            .filter_map(|(i, h)| {
                let value = record.get(i).unwrap_or("");
                (!value.is_empty()).then(|| (h.to_string(), value.to_string()))
            })
            .collect();
        counties.push(County {
            slug: county_slug,
            seat: cell("seat").0,
            languages: {
                let mut unique: Vec<String> = Vec::new();
                for lang in languages.split([';', ' ']).filter(|l| !l.is_empty()) {
                    if !unique.iter().any(|u| u == lang) {
                        unique.push(lang.to_string());
                    }
                }
                unique
            },
            logo,
            logo_alt: Some(logo_alt.trim().to_string()).filter(|a| !a.is_empty()),
            overrides,
            extras,
            localized,
            location: at(1),
            name,
        });
    }
    if problems.is_empty() {
        Ok(counties)
    } else {
        Err(problems)
    }
}

/// The 1-based character column where cell `index` starts, assuming plain comma separation.
fn column_of(record: &csv::StringRecord, index: usize) -> usize {
    1 + record
        .iter()
        .take(index)
        .map(|f| f.chars().count() + 1)
        .sum::<usize>()
}

/// Resolves `relative` inside `base`, refusing absolute paths and any `..` that could
/// leave the campaign folder.
pub fn contained_path(base: &Path, relative: &str) -> Result<PathBuf, &'static str> {
    let rel = Path::new(relative);
    let mut out = base.to_path_buf();
    for component in rel.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err("leaves the campaign folder (`..` is not allowed)"),
            Component::RootDir | Component::Prefix(_) => {
                return Err("must be relative to the campaign folder");
            }
        }
    }
    Ok(out)
}

/// What to do about a sheet that is not UTF-8 (a spreadsheet's default "CSV" is often not).
const NOT_UTF8: &str = "the sheet is not UTF-8 text: save it as \"CSV UTF-8\" from the spreadsheet";

/// The longest county folder name.
pub const MAX_SLUG: usize = 64;

/// Checks that `path` (already free of `..` and absolute parts) still lies inside `base`
/// once symbolic links are followed; a path that does not exist yet is left to the reader.
pub fn resolved_inside(base: &Path, path: &Path) -> Result<(), &'static str> {
    let Ok(real) = std::fs::canonicalize(path) else {
        return Ok(());
    };
    let root = std::fs::canonicalize(base).map_err(|_| "cannot be resolved")?;
    if real.starts_with(&root) {
        Ok(())
    } else {
        Err("leads outside the campaign folder through a symbolic link")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Contra Costa"), "contra-costa");
        assert_eq!(slug("San Luis Obispo"), "san-luis-obispo");
    }

    #[test]
    fn a_row_s_line_is_right_with_excel_s_crlf_line_ends() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("counties.csv");
        let vars = vec!["program".to_string()];
        for end in ["\n", "\r\n"] {
            let sheet = [
                "county,seat,languages,logo,logo_alt",
                "Alpine,Markleeville,en,,",
                "",
                "Fresno,Fresno,en,logo.png,",
            ]
            .join(end);
            std::fs::write(&csv, sheet + end).unwrap();
            std::fs::write(dir.path().join("logo.png"), b"x").unwrap();
            let problems = load(&csv, dir.path(), Some(&vars)).unwrap_err();
            let at = problems[0].location.as_ref().and_then(|l| l.line_col);
            assert_eq!(
                at.map(|(line, _)| line),
                Some(4),
                "{end:?}: {:?}",
                problems[0].message
            );
        }
    }

    #[test]
    fn refuses_escaping_paths() {
        let base = Path::new("/c/campaign");
        assert_eq!(
            contained_path(base, "logos/a.png").unwrap(),
            Path::new("/c/campaign/logos/a.png")
        );
        assert!(contained_path(base, "../secret.png").is_err());
        assert!(contained_path(base, "logos/../../x.png").is_err());
        assert!(contained_path(base, "/etc/passwd").is_err());
    }

    #[test]
    fn language_columns_localize_a_county_for_that_language_only() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("counties.csv");
        std::fs::write(
            &csv,
            "county,seat,languages,program,program:es,county:zh-Hant,extra.local,extra.local:es\n\
             Alameda,Oakland,en;es;zh-Hant,the Alameda County Agency,la Agencia del Condado de Alameda,阿拉米達,Help nearby,Ayuda cerca\n",
        )
        .unwrap();
        let vars = vec!["program".to_string()];
        let counties = load(&csv, dir.path(), Some(&vars)).unwrap();
        let alameda = &counties[0];
        let es = alameda.localized_for("es");
        assert_eq!(es.overrides["program"], "la Agencia del Condado de Alameda");
        assert_eq!(es.extras["local"], "Ayuda cerca");
        assert_eq!(es.name, "Alameda");
        let zh = alameda.localized_for("zh-Hant");
        assert_eq!(zh.name, "阿拉米達");
        assert_eq!(zh.slug, "alameda", "the folder keeps the plain name");
        assert_eq!(zh.overrides["program"], "the Alameda County Agency");
        assert_eq!(alameda.localized_for("en"), *alameda);

        // A fixed column has no language version; a tag must be a tag.
        std::fs::write(&csv, "county,languages:es,program:e s\nAlameda,en,x\n").unwrap();
        let problems = load(&csv, dir.path(), Some(&vars)).unwrap_err();
        let messages: Vec<String> = problems.iter().map(|d| d.message.clone()).collect();
        assert_eq!(problems.len(), 2, "{messages:?}");
        assert!(
            messages[0].contains("`languages` cannot have a language version"),
            "{messages:?}"
        );
        assert!(
            messages[1].contains("`e s` in column `program:e s` is not a language tag"),
            "{messages:?}"
        );
    }

    #[test]
    fn cells_in_a_county_s_own_words_without_a_language_version_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("counties.csv");
        std::fs::write(
            &csv,
            "county,seat,languages,program,program:es,phone,contact,logo_alt,extra.local,extra.local:zh\n\
             Alameda,Oakland,en;es;zh-Hant,the Alameda County Agency,la Agencia,(510) 271-9100,the Coordinator,,Help nearby,附近求助\n",
        )
        .unwrap();
        let vars = ["program", "phone", "contact"].map(String::from).to_vec();
        let alameda = &load(&csv, dir.path(), Some(&vars)).unwrap()[0];
        let columns = |lang: &str| -> Vec<String> {
            let cells = alameda.cells_without_language(lang);
            cells.into_iter().map(|(column, _)| column).collect()
        };
        // Spanish has its program; its contact and local line are the English words. The
        // phone has no words to translate.
        assert_eq!(columns("es"), ["contact", "extra.local"]);
        // `extra.local:zh` serves zh-Hant (the primary language).
        assert_eq!(columns("zh-Hant"), ["contact", "program"]);
    }
}
