//! Kits: a folder users own, marked by a `broadside.toml` at its root. Every command finds
//! its kit by walking up from the current folder (as cargo finds `Cargo.toml`), so it runs
//! the same from any subfolder; `broadside init` writes a new one.

use crate::diag::{Diagnostic, SourceFile};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The file that marks a kit's root.
pub const FILE: &str = "broadside.toml";

/// What `broadside.toml` says, with every folder made absolute against the kit's root.
#[derive(Debug, Clone)]
pub struct Kit {
    pub root: PathBuf,
    /// The folder of campaigns (each sub-folder with a `campaign.toml`).
    pub content: PathBuf,
    /// The folder of layouts, or the built-in layouts (`<built-in>/layouts`) when the file
    /// names none.
    pub layouts: PathBuf,
    pub out: PathBuf,
    /// Font folders that add to or replace the built-in fonts.
    pub fonts: Vec<PathBuf>,
    pub defaults: Defaults,
}

/// The selection a command uses when its own flags leave it empty.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    #[serde(default)]
    pub campaigns: Vec<String>,
    #[serde(default)]
    pub counties: Vec<String>,
    #[serde(default)]
    pub layouts: Vec<String>,
    #[serde(default)]
    pub languages: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct KitFile {
    content: Option<String>,
    layouts: Option<String>,
    out: Option<String>,
    fonts: Option<Vec<String>>,
    #[serde(default)]
    defaults: Defaults,
}

/// The nearest `broadside.toml` in `start` or a folder above it.
pub fn find(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .map(|dir| dir.join(FILE))
        .find(|file| file.is_file())
}

/// The error for a command run outside any kit.
pub fn not_found(start: &Path) -> Diagnostic {
    Diagnostic::error(format!(
        "no {FILE} in `{}` or any folder above it: this is not a broadside kit",
        start.display()
    ))
    .hint("start a kit here with `broadside init` (or `broadside init DIR`), or pass --content DIR")
}

impl Kit {
    /// Reads a kit's `broadside.toml`.
    pub fn load(file: &Path) -> Result<Kit, Diagnostic> {
        let source = SourceFile::read(file)?;
        let spec: KitFile = crate::model::parse_toml(&source)?;
        let root = file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let layouts = match &spec.layouts {
            Some(dir) => root.join(dir),
            None => crate::assets::builtin_path("layouts"),
        };
        // A kit's own `fonts/` adds to the built-in set without being named.
        let fonts = match &spec.fonts {
            Some(dirs) => dirs.iter().map(|d| root.join(d)).collect(),
            None => {
                let dir = root.join("fonts");
                if dir.is_dir() { vec![dir] } else { Vec::new() }
            }
        };
        Ok(Kit {
            content: root.join(spec.content.as_deref().unwrap_or("content")),
            out: root.join(spec.out.as_deref().unwrap_or("out")),
            layouts,
            fonts,
            defaults: spec.defaults,
            root,
        })
    }
}

/// The campaign `init` copies when no other is named.
pub const SHIPPED: &str = "trafficking-prevention";

/// `path` (inside the kit's `root`) relative to `cwd` when `cwd` is in the kit: `content`
/// from the root, `../../content` from two folders down; otherwise as it is.
fn near(path: &Path, root: &Path, cwd: &Path) -> PathBuf {
    let (Ok(inside), Ok(depth)) = (path.strip_prefix(root), cwd.strip_prefix(root)) else {
        return path.to_path_buf();
    };
    let mut relative = PathBuf::new();
    for _ in depth.components() {
        relative.push("..");
    }
    relative.push(inside);
    if relative.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        relative
    }
}

/// Where a command's inputs come from: its kit (found from the current folder) and flags.
pub struct Place {
    pub kit: Option<Kit>,
    pub content: PathBuf,
    pub layouts: PathBuf,
    pub font_dirs: Vec<PathBuf>,
    /// The folder the kit's outputs go to by default (the kit's root outside `out`).
    pub root: PathBuf,
}

/// Finds the kit above `cwd` and fills in what the flags (`content`, `layouts`, extra
/// `font_dirs`) leave out. `need_content`: whether the command needs campaigns (then a
/// missing kit is an error).
pub fn place(
    cwd: &Path,
    content: Option<PathBuf>,
    layouts: Option<PathBuf>,
    extra_fonts: &[PathBuf],
    need_content: bool,
) -> Result<Place, Diagnostic> {
    let kit = match find(cwd) {
        Some(file) => Some(Kit::load(&file)?),
        None => None,
    };
    if kit.is_none() && content.is_none() && need_content {
        return Err(not_found(cwd));
    }
    // Kit paths are shown relative to the current folder, as cargo shows its paths.
    let kit = kit.map(|mut k| {
        k.content = near(&k.content, &k.root, cwd);
        if !k.layouts.starts_with(crate::assets::BUILTIN) {
            k.layouts = near(&k.layouts, &k.root, cwd);
        }
        k.out = near(&k.out, &k.root, cwd);
        k.fonts = k.fonts.iter().map(|f| near(f, &k.root, cwd)).collect();
        k
    });
    let mut font_dirs = kit.as_ref().map(|k| k.fonts.clone()).unwrap_or_default();
    font_dirs.extend(extra_fonts.iter().cloned());
    Ok(Place {
        content: content
            .or_else(|| kit.as_ref().map(|k| k.content.clone()))
            .unwrap_or_else(|| PathBuf::from("content")),
        layouts: layouts
            .or_else(|| kit.as_ref().map(|k| k.layouts.clone()))
            .unwrap_or_else(|| crate::assets::builtin_path("layouts")),
        font_dirs,
        root: kit.as_ref().map_or(cwd.to_path_buf(), |k| k.root.clone()),
        kit,
    })
}

/// Writes a new kit into `root` (created if missing): `broadside.toml`, the campaign
/// (the shipped one, or a blank template for a new id) and copies of the built-in layouts.
/// Returns the files written. An existing `broadside.toml` is never overwritten.
pub fn init(root: &Path, campaign: Option<&str>) -> Result<Vec<PathBuf>, Diagnostic> {
    let marker = root.join(FILE);
    if marker.exists() {
        return Err(
            Diagnostic::error(format!("`{}` is already a broadside kit", root.display()))
                .in_file(&marker)
                .hint("edit its files, or run `broadside init` with a new folder"),
        );
    }
    let id = campaign.unwrap_or(SHIPPED);
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(Diagnostic::error(format!("`{id}` cannot be a campaign id"))
            .field("--campaign")
            .hint("use lowercase letters, digits and dashes, e.g. `water-safety`"));
    }
    let mut files: Vec<(PathBuf, String)> = vec![
        (marker, TEMPLATE.to_string()),
        (root.join(".gitignore"), "/out/\n/preview/\n".to_string()),
    ];
    for (path, text) in crate::assets::LAYOUTS {
        files.push((root.join(path), text.to_string()));
    }
    let campaign_dir = root.join("content").join(id);
    if id == SHIPPED {
        for (path, text) in crate::assets::CAMPAIGN {
            let name = Path::new(path).file_name().expect("a file");
            files.push((campaign_dir.join(name), text.to_string()));
        }
    } else {
        files.push((campaign_dir.join("campaign.toml"), blank_campaign(id)));
        files.push((
            campaign_dir.join("counties.csv"),
            BLANK_COUNTIES.to_string(),
        ));
    }
    let mut written = Vec::new();
    for (path, text) in files {
        if path.exists() {
            return Err(Diagnostic::error("will not overwrite an existing file")
                .in_file(&path)
                .hint("start the kit in an empty folder"));
        }
        crate::output::write_atomic(&path, text.as_bytes())
            .map_err(|e| Diagnostic::error(format!("cannot write: {e}")).in_file(&path))?;
        written.push(path);
    }
    Ok(written)
}

/// The `broadside.toml` that `init` writes.
pub const TEMPLATE: &str = r#"# broadside kit: every `broadside` command run in this folder or below it uses this file.
# Paths are relative to this folder.

# Campaigns: each sub-folder with a campaign.toml (plus translations and counties.csv).
content = "content"
# Layouts to edit. Leave this out to use the layouts built into broadside.
layouts = "layouts"
# Where `broadside build` writes (BROADSIDE_OUT or --out override it).
out = "out"
# Font folders that add to, or replace faces of, the built-in fonts (default: fonts/ when
# it exists). --font-dir and BROADSIDE_FONT_PATHS add more.
# fonts = ["fonts"]

# What a command selects when you name nothing on its command line.
[defaults]
# layouts = ["flyer-letter"]
# languages = ["en", "es"]
# counties = ["statewide"]
"#;

/// The commented campaign that `init --campaign NAME` writes for a new campaign.
pub fn blank_campaign(id: &str) -> String {
    format!(
        r#"# {id}: a campaign. Every field is documented in broadside's docs/formats.md.
# Text takes a small Markdown: **bold**, *italic*, [links](https://…).
# Variables: {{county}}, {{edition_name}}, {{year}} and everything in [vars].

[campaign]
id = "{id}"
title = "Your campaign's title"
subject = "What the campaign is about, in one line"
author = "Your organisation"
lang = "en"
region = "Your state"
observance = {{ month = 1 }}            # the month the campaign runs
build = {{ month = 12, day = 1 }}       # `broadside build --due` builds the kit from this date

# Defaults for every edition; a county row in counties.csv overrides any of them.
[vars]
program = "Your program"
contact = "Program contact"
phone = "(555) 010-0000"

[blocks.kicker]
text = "{{edition_name}} · January {{year}}"

[blocks.headline]
text = "Your headline"

[blocks.definition]
text = "One paragraph that says what the campaign is about."

[[blocks.sections]]
heading = "What can you do?"
body = "A few sentences of advice."

[[blocks.sections]]
heading = "Where to learn more"
body = "Another few sentences. Leave out a block a layout does not need: `check` says which ones a layout shows."

# The heading over the figures, the big figure and three smaller ones.
[blocks.facts]
text = "Facts*"

[blocks.callout]
value = "1 in 10"
text = "A sentence that explains the big figure."

[[blocks.stats]]
value = "50%"
caption = "What the first figure means."

[[blocks.stats]]
value = "25%"
caption = "What the second figure means."

[[blocks.stats]]
value = "10%"
caption = "What the third figure means."

[blocks.contact]
text = "For more information contact {{contact}} at **{{phone}}**"

[blocks.action]
label = "Questions? Call {{contact}} at"
phone = "{{phone}}"

[blocks.agency]
name = "Your office"
department = "Your department"

[blocks.sources]
label = "*Sources:"

# Where the figures come from; `as_of` is the year of the figures (old ones are flagged).
[[sources]]
id = "your-report"
title = "Your report"
url = "https://example.org/report"
as_of = 2026
"#
    )
}

/// The county sheet of a blank campaign: one example row.
pub const BLANK_COUNTIES: &str =
    "county,seat,languages,program,contact,phone,logo,logo_alt\nExample,Example City,en,,,,,\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_kit_above_and_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), TEMPLATE).unwrap();
        let sub = dir.path().join("content/a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let file = find(&sub).unwrap();
        assert_eq!(file, dir.path().join(FILE));
        let kit = Kit::load(&file).unwrap();
        assert_eq!(kit.content, dir.path().join("content"));
        assert_eq!(kit.layouts, dir.path().join("layouts"));
        assert!(kit.fonts.is_empty());
        let outside = tempfile::tempdir().unwrap();
        assert_eq!(find(outside.path()), None);
    }
}
