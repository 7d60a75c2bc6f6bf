//! FontBook: the bundled fonts (compiled into the binary), a kit's `fonts/` and any
//! `--font-dir`, parsed once and shared read-only.
//!
//! Fonts never come from the system: only the embedded set and the directories given here
//! are read. A folder's face with the family, weight and slant of an embedded one replaces
//! it in place (same face id, so fallback order does not change); other faces add to the set.

use crate::diag::Diagnostic;
use rustybuzz::ttf_parser;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

/// Index of a face in its [`FontBook`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FontId(pub usize);

/// A font file's bytes: compiled into the binary, or memory-mapped from a folder so a run
/// reads only the pages of the faces it uses. Font files are not modified while broadside
/// runs.
pub type FontData = Arc<FontBytes>;

pub enum FontBytes {
    Embedded(&'static [u8]),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for FontBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FontBytes::Embedded(bytes) => bytes,
            FontBytes::Mapped(map) => map,
        }
    }
}

impl AsRef<[u8]> for FontBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

self_cell::self_cell!(
    /// The shaping face, parsed once and kept beside the bytes it borrows.
    struct Shaper {
        owner: FontData,
        #[covariant]
        dependent: ShapingFace,
    }
);

type ShapingFace<'a> = rustybuzz::Face<'a>;

/// One loaded font face with the metrics the composer needs.
pub struct Face {
    pub family: String,
    pub weight: u16,
    pub italic: bool,
    pub path: PathBuf,
    /// The face's index in its file: 0, or its place in a `.ttc`/`.otc` collection.
    pub index: u32,
    /// A variable font (`fvar`): broadside sets its default instance only.
    pub variable: bool,
    pub data: FontData,
    /// krilla's handle on the same bytes (cheap to clone; subset at write time), made
    /// when a document first uses the face.
    pdf_font: OnceLock<krilla::text::Font>,
    pub units_per_em: f32,
    /// Ascender and descender in em (descender is negative).
    pub ascender: f32,
    pub descender: f32,
    /// OS/2 fsType: 0 means installable embedding.
    pub embedding_flags: u16,
    /// Built when the face first shapes text: most runs use a handful of the faces.
    shaper: OnceLock<Shaper>,
    /// Shape plans by direction, script and language: compiling one costs more than
    /// shaping a line, and a document needs only a handful.
    plans: RwLock<HashMap<PlanKey, Arc<rustybuzz::ShapePlan>>>,
    /// Shaped strings by (text, right-to-left, language). Shaping does not depend on the
    /// size, and a kit sets the same strings again and again (every county, every fit
    /// attempt), so each is shaped once per face.
    shaped: RwLock<HashMap<ShapeKey, Arc<Vec<UnitGlyph>>>>,
    /// Ink bounds by glyph id, in em: line spacing asks for the same glyphs on every fit
    /// attempt, and a CFF glyph's bounds cost an outline walk.
    ink: RwLock<HashMap<u16, Option<InkBounds>>>,
}

/// A glyph's ink (outline bounding box) in em, y up from the baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InkBounds {
    pub x_min: f32,
    pub y_min: f32,
    pub x_max: f32,
    pub y_max: f32,
}

/// A shaped glyph in font units, independent of size.
#[derive(Debug, Clone, Copy)]
pub struct UnitGlyph {
    pub id: u16,
    /// Byte offset of the glyph's cluster in the shaped text.
    pub cluster: u32,
    pub x_advance: i32,
    pub x_offset: i32,
    pub y_offset: i32,
}

type ShapeKey = (String, bool, String);

/// Past this many distinct strings a face's shaping cache starts afresh.
const SHAPE_CACHE_LIMIT: usize = 20_000;

type PlanKey = (
    rustybuzz::Direction,
    Option<rustybuzz::Script>,
    Option<rustybuzz::Language>,
);

impl Face {
    /// The shaping face over the shared bytes. Building one parses the layout tables, which
    /// costs more than shaping a line, so it is done once when the font is loaded.
    pub fn shaper(&self) -> &rustybuzz::Face<'_> {
        self.shaper
            .get_or_init(|| {
                Shaper::new(self.data.clone(), |bytes| {
                    rustybuzz::Face::from_slice(bytes, self.index)
                        .expect("the face parsed when it was loaded")
                })
            })
            .borrow_dependent()
    }

    /// krilla's font for this face if a document has made it, for naming the file in the
    /// writer's errors.
    pub fn made_pdf_font(&self) -> Option<&krilla::text::Font> {
        self.pdf_font.get()
    }

    /// krilla's font for this face.
    pub fn pdf_font(&self) -> krilla::text::Font {
        self.pdf_font
            .get_or_init(|| {
                let data: Arc<dyn AsRef<[u8]> + Send + Sync> = self.data.clone();
                krilla::text::Font::new(data.into(), self.index)
                    .expect("the face parsed when it was loaded")
            })
            .clone()
    }

    /// `text` shaped in this face (default features: kerning, ligatures, the script's
    /// required forms), in drawing order, from the cache when it was shaped before.
    pub fn shape_units(&self, text: &str, rtl: bool, lang: &str) -> Arc<Vec<UnitGlyph>> {
        let key: ShapeKey = (text.to_string(), rtl, lang.to_string());
        if let Some(hit) = self
            .shaped
            .read()
            .ok()
            .and_then(|cache| cache.get(&key).cloned())
        {
            return hit;
        }
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(if rtl {
            rustybuzz::Direction::RightToLeft
        } else {
            rustybuzz::Direction::LeftToRight
        });
        if let Ok(language) = lang.parse() {
            buffer.set_language(language);
        }
        let output = self.shape(buffer);
        let glyphs: Arc<Vec<UnitGlyph>> = Arc::new(
            output
                .glyph_infos()
                .iter()
                .zip(output.glyph_positions())
                .map(|(info, pos)| UnitGlyph {
                    id: info.glyph_id as u16,
                    cluster: info.cluster,
                    x_advance: pos.x_advance,
                    x_offset: pos.x_offset,
                    y_offset: pos.y_offset,
                })
                .collect(),
        );
        if let Ok(mut cache) = self.shaped.write() {
            if cache.len() >= SHAPE_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, glyphs.clone());
        }
        glyphs
    }

    /// The ink of glyph `id` (its outline's bounding box) in em; `None` for a glyph that
    /// draws nothing (a space).
    pub fn ink_bounds(&self, id: u16) -> Option<InkBounds> {
        if let Some(hit) = self.ink.read().ok().and_then(|c| c.get(&id).copied()) {
            return hit;
        }
        let scale = 1.0 / self.units_per_em;
        let bounds = self
            .shaper()
            .glyph_bounding_box(ttf_parser::GlyphId(id))
            .map(|b| InkBounds {
                x_min: f32::from(b.x_min) * scale,
                y_min: f32::from(b.y_min) * scale,
                x_max: f32::from(b.x_max) * scale,
                y_max: f32::from(b.y_max) * scale,
            });
        if let Ok(mut cache) = self.ink.write() {
            cache.insert(id, bounds);
        }
        bounds
    }

    /// Shapes a buffer (default features: kerning, ligatures …) with a cached plan.
    pub fn shape(&self, mut buffer: rustybuzz::UnicodeBuffer) -> rustybuzz::GlyphBuffer {
        buffer.guess_segment_properties();
        let key: PlanKey = (buffer.direction(), Some(buffer.script()), buffer.language());
        let cached = self
            .plans
            .read()
            .ok()
            .and_then(|plans| plans.get(&key).cloned());
        let plan = cached.unwrap_or_else(|| {
            let plan = Arc::new(rustybuzz::ShapePlan::new(
                self.shaper(),
                key.0,
                key.1,
                key.2.as_ref(),
                &[],
            ));
            if let Ok(mut plans) = self.plans.write() {
                plans.insert(key, plan.clone());
            }
            plan
        });
        rustybuzz::shape_with_plan(self.shaper(), &plan, buffer)
    }
}

/// All faces available to a run.
#[derive(Default)]
pub struct FontBook {
    faces: Vec<Face>,
}

impl FontBook {
    /// The embedded fonts, then every `.ttf`/`.otf` under each directory (recursively, in
    /// sorted order so that face ids are the same on every machine). A folder's face with
    /// an embedded face's family, weight and slant takes its place.
    pub fn load(dirs: &[PathBuf]) -> Result<FontBook, Vec<Diagnostic>> {
        let mut book = FontBook::default();
        let mut problems = Vec::new();
        for (path, bytes) in crate::assets::FONTS {
            let path = crate::assets::builtin_path(path);
            match make_face(&path, Arc::new(FontBytes::Embedded(bytes)), 0) {
                Ok(face) => book.faces.push(face),
                Err(err) => problems.push(err),
            }
        }
        let embedded = book.faces.len();
        for dir in dirs {
            if !dir.is_dir() {
                problems.push(
                    Diagnostic::error(format!("font directory `{}` does not exist", dir.display()))
                        .hint(
                            "check --font-dir, BROADSIDE_FONT_PATHS or `fonts` in broadside.toml",
                        ),
                );
                continue;
            }
            let mut files = Vec::new();
            collect_font_files(dir, &mut files, &mut problems, 0);
            files.sort();
            for path in files {
                match load_faces(&path) {
                    Ok(faces) => {
                        // A folder face of an embedded family, weight and slant takes its
                        // slot (fallback order unchanged); any other face is added.
                        for face in faces {
                            let same = book.faces[..embedded].iter().position(|f| {
                                f.family == face.family
                                    && f.weight == face.weight
                                    && f.italic == face.italic
                            });
                            match same {
                                Some(i) => book.faces[i] = face,
                                None => book.faces.push(face),
                            }
                        }
                    }
                    Err(err) => problems.push(err),
                }
            }
        }
        if book.faces.is_empty() && problems.is_empty() {
            problems.push(
                Diagnostic::error("no fonts found")
                    .hint("the bundled fonts live in fonts/; see FONTS in the README"),
            );
        }
        if problems.is_empty() {
            Ok(book)
        } else {
            Err(problems)
        }
    }

    /// What each family offers, sorted by family: `broadside fonts` prints it.
    pub fn coverage(&self) -> Vec<Coverage> {
        self.families()
            .into_iter()
            .map(|family| {
                let faces: Vec<_> = self.faces().filter(|(_, f)| f.family == family).collect();
                let styles = faces
                    .iter()
                    .map(|(_, f)| format!("{}{}", f.weight, if f.italic { " italic" } else { "" }))
                    .collect();
                let (id, _) = faces[0];
                let scripts: Vec<&'static str> = SCRIPT_SAMPLES
                    .iter()
                    .filter(|(_, sample, _)| sample.chars().all(|c| self.covers(id, c)))
                    .map(|(script, _, _)| *script)
                    .collect();
                let languages = SCRIPT_SAMPLES
                    .iter()
                    .filter(|(script, _, _)| scripts.contains(script))
                    .flat_map(|(_, _, langs)| langs.iter().copied())
                    .collect();
                Coverage {
                    family: family.to_string(),
                    styles,
                    scripts,
                    languages,
                    origin: self.origin(family),
                }
            })
            .collect()
    }

    /// Where a family's faces come from: `built in`, or the files that added or replaced them.
    pub fn origin(&self, family: &str) -> String {
        let mut places: Vec<String> = Vec::new();
        for face in self.faces.iter().filter(|f| f.family == family) {
            let place = if face.path.starts_with(crate::assets::BUILTIN) {
                "built in".to_string()
            } else {
                face.path.display().to_string()
            };
            if !places.contains(&place) {
                places.push(place);
            }
        }
        places.join(", ")
    }

    pub fn face(&self, id: FontId) -> &Face {
        &self.faces[id.0]
    }

    pub fn faces(&self) -> impl Iterator<Item = (FontId, &Face)> {
        self.faces.iter().enumerate().map(|(i, f)| (FontId(i), f))
    }

    /// Family names, sorted and without repeats.
    pub fn families(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.faces.iter().map(|f| f.family.as_str()).collect();
        names.sort();
        names.dedup();
        names
    }

    /// Whether a face has a glyph for `c`.
    pub fn covers(&self, id: FontId, c: char) -> bool {
        self.face(id)
            .shaper()
            .glyph_index(c)
            .is_some_and(|g| g.0 != 0)
    }

    /// The face to draw `c` with when the style's own face lacks it: Noto Sans first (it
    /// matches the text face's metrics), then the script packs and CJK faces — for Han the
    /// one made for the language (TC for zh-Hant, KR for ko …). The closest weight and slant
    /// of that family; `None` if no loaded face has the character.
    pub fn fallback(&self, c: char, weight: u16, italic: bool, lang: &str) -> Option<FontId> {
        let preferred = cjk_tag(lang);
        let rank = |family: &str| -> (u8, String) {
            let first = if family == "Noto Sans" {
                0
            } else if preferred.is_some_and(|tag| family.ends_with(tag)) {
                1
            } else {
                2
            };
            (first, family.to_string())
        };
        let mut families: Vec<&str> = self.families();
        families.sort_by_key(|f| rank(f));
        families.into_iter().find_map(|family| {
            let id = self.select(family, weight, italic)?;
            if self.covers(id, c) {
                return Some(id);
            }
            // Another weight of the family may cover it (subsets can differ); any face will do.
            self.faces()
                .find(|(i, f)| f.family == family && self.covers(*i, c))
                .map(|(i, _)| i)
        })
    }

    /// The face of `family` closest to the requested weight and slant, or `None` if the
    /// family is not loaded. An upright face stands in for a missing italic only if the
    /// family has no italic at all.
    pub fn select(&self, family: &str, weight: u16, italic: bool) -> Option<FontId> {
        self.faces()
            .filter(|(_, f)| f.family.eq_ignore_ascii_case(family))
            .min_by_key(|(_, f)| {
                let slant_penalty = if f.italic == italic { 0 } else { 10_000 };
                slant_penalty + (i32::from(f.weight) - i32::from(weight)).unsigned_abs()
            })
            .map(|(id, _)| id)
    }
}

/// How deep font folders are searched (a symbolic link may make a folder its own child).
const MAX_FONT_DEPTH: usize = 8;

/// Font files (`.ttf`, `.otf`, `.ttc`, `.otc`) under `dir`. Only regular files are taken:
/// a FIFO or device named like a font would block or never end when read, so it is an
/// error naming the file.
fn collect_font_files(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    problems: &mut Vec<Diagnostic>,
    depth: usize,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_font = matches!(
            path.extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .as_deref(),
            Some("ttf" | "otf" | "ttc" | "otc")
        );
        // Followed through symbolic links, without opening anything.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if depth < MAX_FONT_DEPTH {
                collect_font_files(&path, out, problems, depth + 1);
            }
        } else if is_font && meta.is_file() {
            out.push(path);
        } else if is_font {
            problems.push(
                Diagnostic::error(
                    "a font file name that is not a regular file (a pipe, socket or device)",
                )
                .in_file(&path)
                .hint("remove it from the font folder; fonts are read only from regular files"),
            );
        }
    }
}

/// Every face of a font file: one, or each face of a `.ttc`/`.otc` collection.
fn load_faces(path: &Path) -> Result<Vec<Face>, Diagnostic> {
    let file = std::fs::File::open(path)
        .map_err(|err| Diagnostic::error(format!("cannot read font: {err}")).in_file(path))?;
    // SAFETY: the map is read-only and the font files are not changed while we run; a
    // file truncated underneath us could fault, which is the usual contract for fonts.
    let map = unsafe { memmap2::Mmap::map(&file) }
        .map_err(|err| Diagnostic::error(format!("cannot read font: {err}")).in_file(path))?;
    let data: FontData = Arc::new(FontBytes::Mapped(map));
    let count = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
    if count == 0 {
        return Err(Diagnostic::error("font collection holds no fonts").in_file(path));
    }
    (0..count)
        .map(|index| make_face(path, data.clone(), index))
        .collect()
}

/// One face of a font file (or of an embedded font), checked for everything later stages
/// need.
fn make_face(path: &Path, data: FontData, index: u32) -> Result<Face, Diagnostic> {
    let parsed = ttf_parser::Face::parse(&data, index)
        .map_err(|err| Diagnostic::error(format!("not a usable font: {err}")).in_file(path))?;
    // Everything later stages need must be there now: a face that parses but cannot be
    // shaped or written would fail in the middle of a batch instead.
    if rustybuzz::Face::from_slice(&data, index).is_none() {
        return Err(Diagnostic::error("not a usable font: it cannot be shaped").in_file(path));
    }
    {
        let bytes: Arc<dyn AsRef<[u8]> + Send + Sync> = data.clone();
        if krilla::text::Font::new(bytes.into(), index).is_none() {
            return Err(
                Diagnostic::error("not a usable font: it cannot be embedded in a PDF")
                    .in_file(path),
            );
        }
    }
    let family = family_name(&parsed).ok_or_else(|| {
        Diagnostic::error("font has no family name in its name table").in_file(path)
    })?;
    let units_per_em = f32::from(parsed.units_per_em());
    let embedding_flags = parsed
        .raw_face()
        .table(ttf_parser::Tag::from_bytes(b"OS/2"))
        .and_then(|os2| os2.get(8..10))
        .map_or(0, |b| u16::from_be_bytes([b[0], b[1]]));
    let face = Face {
        family,
        weight: parsed.weight().to_number(),
        italic: parsed.is_italic(),
        path: path.to_path_buf(),
        index,
        variable: parsed.is_variable(),
        units_per_em,
        ascender: f32::from(parsed.ascender()) / units_per_em,
        descender: f32::from(parsed.descender()) / units_per_em,
        embedding_flags,
        plans: RwLock::default(),
        shaped: RwLock::default(),
        ink: RwLock::default(),
        shaper: OnceLock::new(),
        pdf_font: OnceLock::new(),
        data,
    };
    Ok(face)
}

/// The typographic family (name id 16) if present, else the legacy family (id 1).
fn family_name(face: &ttf_parser::Face) -> Option<String> {
    let names = face.names();
    let find = |id: u16| {
        names
            .into_iter()
            .filter(|n| n.name_id == id && n.is_unicode())
            .find_map(|n| n.to_string())
    };
    find(ttf_parser::name_id::TYPOGRAPHIC_FAMILY).or_else(|| find(ttf_parser::name_id::FAMILY))
}

/// Maps a weight keyword from a layout to its OS/2 number.
pub fn weight_from_name(name: &str) -> Option<u16> {
    Some(match name.to_ascii_lowercase().as_str() {
        "thin" => 100,
        "extralight" | "extra-light" => 200,
        "light" => 300,
        "regular" | "normal" => 400,
        "medium" => 500,
        "semibold" | "semi-bold" => 600,
        "bold" => 700,
        "extrabold" | "extra-bold" => 800,
        "black" => 900,
        other => return other.parse().ok().filter(|w| (1..=1000).contains(w)),
    })
}

/// The Noto CJK family suffix for a language, so Han characters take the right regional forms.
fn cjk_tag(lang: &str) -> Option<&'static str> {
    let lang = lang.to_ascii_lowercase();
    Some(
        if lang.starts_with("zh-hant") || lang == "zh-tw" || lang == "zh-hk" {
            "TC"
        } else if lang.starts_with("zh") {
            "SC"
        } else if lang.starts_with("ko") {
            "KR"
        } else if lang.starts_with("ja") {
            "JP"
        } else {
            return None;
        },
    )
}

/// Scripts counties print in, a few characters that a face must have to set each, and the
/// languages (BCP 47) written in it — for `broadside fonts`.
/// A family's faces, the scripts its regular face draws (of [`SCRIPT_SAMPLES`]), the
/// languages those scripts write, and where its files come from.
pub struct Coverage {
    pub family: String,
    /// Weight, and ` italic` for an italic face: `400`, `700 italic`.
    pub styles: Vec<String>,
    pub scripts: Vec<&'static str>,
    pub languages: Vec<&'static str>,
    pub origin: String,
}

pub const SCRIPT_SAMPLES: &[(&str, &str, &[&str])] = &[
    ("Latin", "AaZzÑñ", &["en", "es", "tl", "hmn", "pt"]),
    ("Vietnamese", "ẠạỆệỮữđ", &["vi"]),
    ("Cyrillic", "АяЖж", &["ru", "uk"]),
    ("Armenian", "ԱաՖֆ", &["hy"]),
    ("Arabic", "ابتثلا", &["ar", "fa"]),
    ("Khmer", "កខគ", &["km"]),
    ("Lao", "ກຂຄ", &["lo"]),
    ("Thai", "กขค", &["th"]),
    ("Gurmukhi", "ਕਖਗ", &["pa"]),
    ("Devanagari", "कखग", &["hi"]),
    ("Han (Traditional)", "人口販運", &["zh-Hant"]),
    ("Hangul", "한국어", &["ko"]),
];
