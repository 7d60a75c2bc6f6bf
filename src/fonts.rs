//! FontBook: the bundled fonts (compiled into the binary), a kit's `fonts/` and any
//! `--font-dir`, parsed once and shared read-only.
//!
//! Fonts never come from the system: only the embedded set and the directories given here
//! are read. A folder's face with the family, weight and slant of an embedded one replaces
//! it in place (same face id, so fallback order does not change); other faces add to the set.

use crate::diag::Diagnostic;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
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
    /// The face's tables, parsed once and kept beside the bytes they borrow.
    struct Parsed {
        owner: FontData,
        #[covariant]
        dependent: Tables,
    }
);

/// One face's tables as two readers see them: ttf-parser (outlines, ink boxes, coverage,
/// metrics) and read-fonts (harfrust's shaping).
struct Tables<'a> {
    ttf: ttf_parser::Face<'a>,
    font: harfrust::FontRef<'a>,
}

/// How many of a face's krilla handles there are (see [`Face::pdf_font`]): pool threads
/// beyond this many share them.
const PDF_FONT_SLOTS: usize = 8;

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
    /// krilla's handles on the same bytes (cheap to clone; subset at write time), made
    /// when a document first uses the face: one per writing thread (see
    /// [`Face::pdf_font`]).
    pdf_fonts: [OnceLock<krilla::text::Font>; PDF_FONT_SLOTS],
    pub units_per_em: f32,
    /// Ascender and descender in em (descender is negative).
    pub ascender: f32,
    pub descender: f32,
    /// Height of the capitals in em (OS/2 `sCapHeight`; 0.7 em where the face has none).
    pub cap_height: f32,
    /// OS/2 fsType: 0 means installable embedding.
    pub embedding_flags: u16,
    /// Parsed when the face is first read from: most runs use a handful of the faces.
    parsed: OnceLock<Parsed>,
    /// What harfrust works out once per face (table offsets, lookup caches), made when the
    /// face first shapes text.
    shaper_data: OnceLock<harfrust::ShaperData>,
    /// Shape plans by direction, script and language: compiling one costs more than
    /// shaping a line, and a document needs only a handful.
    plans: RwLock<HashMap<PlanKey, Arc<harfrust::ShapePlan>>>,
    /// Shaped strings by (text, right-to-left, language). Shaping does not depend on the
    /// size, and a kit sets the same strings again and again (every county, every fit
    /// attempt), so each is shaped once per face.
    /// With each, the script it was shaped in and whether it was shaped whole (not cut
    /// from a longer string).
    shaped: RwLock<crate::MemoMap<ShapeKey, ShapedEntry>>,
    /// Half-width forms of full-width punctuation (OpenType `halt`) by character: the
    /// advance and x offset in font units, `None` where the face has no narrower form.
    half_widths: RwLock<HashMap<char, Option<(i32, i32)>>>,
    /// This face's own number (see [`RECENT`]).
    number: u64,
    /// One of the large faces compiled into the binary whose pages are handed back after
    /// a document that sets text in one ([`release_large_builtin_faces`]).
    large_builtin: bool,
    /// Ink bounds by glyph id: line spacing asks for the same glyphs on every fit
    /// attempt, and a CFF glyph's bounds cost an outline walk. A slot per glyph, made when
    /// the face is first asked: a shared map behind a lock cost a batch 6% of its time in
    /// lookups, most of it the two threads taking turns at the lock. Each slot holds the
    /// outline's box in font units, four `i16`s in one word (see [`ink_slot`]): 8 bytes a
    /// glyph rather than 24 for a cell of `InkBounds` in em, 1 MB less for a kit that
    /// sets the four CJK faces.
    ink: OnceLock<Box<[AtomicU64]>>,
}

/// An ink slot not measured yet, and one measured to nothing (a space): two boxes no
/// outline gives (a box that packs to one of them is never stored).
const INK_UNMEASURED: u64 = u64::MAX;
const INK_NONE: u64 = u64::MAX - 1;

/// A glyph's outline box in font units packed into a slot's word.
fn ink_slot(b: ttf_parser::Rect) -> u64 {
    [b.x_min, b.y_min, b.x_max, b.y_max]
        .iter()
        .fold(0, |word, &v| (word << 16) | u64::from(v as u16))
}

/// The box a slot's word holds.
fn ink_box(word: u64) -> ttf_parser::Rect {
    let at = |shift: u32| (word >> shift) as u16 as i16;
    ttf_parser::Rect {
        x_min: at(48),
        y_min: at(32),
        x_max: at(16),
        y_max: at(0),
    }
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
    /// Where the cluster ends: the smallest larger cluster's offset, or the text's length
    /// (set by `with_cluster_ends` when a string is shaped, carried over by `piece_of`
    /// when one is cut from a longer one).
    pub cluster_end: u32,
    pub x_advance: i32,
    pub x_offset: i32,
    pub y_offset: i32,
    /// Breaking the text where this glyph's cluster starts would change the shaping of
    /// one side or the other (a kerning pair, a ligature, a joining form across it).
    pub unsafe_to_break: bool,
}

/// A string shaped lately on this thread: the lines of a paragraph are cut from it when
/// they start and end where breaking is safe.
struct Shaped {
    face: u64,
    text: String,
    rtl: bool,
    lang: String,
    script: harfrust::Script,
    glyphs: Arc<Vec<UnitGlyph>>,
}

thread_local! {
    /// The last few strings of a line's length or more shaped (or found in the cache) on
    /// this thread: a paragraph is shaped whole when it is measured, then set line by line
    /// at each size a fit tries; each line is a piece of the paragraph, so its glyphs are
    /// a piece of the paragraph's.
    static RECENT: std::cell::RefCell<Vec<Arc<Shaped>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How many strings [`RECENT`] keeps, and the shortest it keeps.
const RECENT_KEPT: usize = 8;
const RECENT_MIN_LEN: usize = 24;

/// Each face's own number, for [`RECENT`] (an address could be a later face's).
static FACE_NUMBERS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The glyphs of `whole[start..end]` cut from `glyphs`, the shaping of all of `whole`,
/// with clusters counted from `start`: when `start` and `end` are cluster starts (or the
/// ends of `whole`) where breaking is safe, shaping the piece on its own gives these
/// glyphs and positions (that is what the shaper's unsafe-to-break flag promises).
fn piece_of(
    glyphs: &[UnitGlyph],
    whole_len: usize,
    start: usize,
    end: usize,
) -> Option<Vec<UnitGlyph>> {
    let safe_at = |b: usize| {
        if b == 0 || b == whole_len {
            return true;
        }
        let mut at = glyphs.iter().filter(|g| g.cluster as usize == b).peekable();
        at.peek().is_some() && at.all(|g| !g.unsafe_to_break)
    };
    if start >= end || !safe_at(start) || !safe_at(end) {
        return None;
    }
    let piece: Vec<UnitGlyph> = glyphs
        .iter()
        .filter(|g| (start..end).contains(&(g.cluster as usize)))
        // A piece ends where a cluster starts (or with the string), so each glyph's cluster
        // ends in the piece where it ended in the string.
        .map(|g| UnitGlyph {
            cluster: g.cluster - start as u32,
            cluster_end: g.cluster_end - start as u32,
            ..*g
        })
        .collect();
    (!piece.is_empty()).then_some(piece)
}

/// `glyphs` with each one's `cluster_end` set: where its cluster ends in the text of
/// `text_len` bytes they were shaped from. The smallest larger cluster, not the next
/// glyph's: in a right-to-left run the next glyph's cluster is smaller. Size does not
/// change it, so it is found once per shaped string rather than each time the string is
/// set at a size.
fn with_cluster_ends(mut glyphs: Vec<UnitGlyph>, text_len: usize) -> Vec<UnitGlyph> {
    let mut starts: Vec<u32> = glyphs.iter().map(|g| g.cluster).collect();
    starts.sort_unstable();
    starts.dedup();
    let end = u32::try_from(text_len).unwrap_or(u32::MAX);
    for glyph in &mut glyphs {
        glyph.cluster_end = starts
            .get(starts.partition_point(|&s| s <= glyph.cluster))
            .copied()
            .unwrap_or(end);
    }
    glyphs
}

type ShapeKey = (String, bool, String);
type ShapedEntry = (Arc<Vec<UnitGlyph>>, harfrust::Script, bool);

/// Past this many distinct strings a face's shaping cache starts afresh.
const SHAPE_CACHE_LIMIT: usize = 20_000;

type PlanKey = (
    harfrust::Direction,
    Option<harfrust::Script>,
    Option<harfrust::Language>,
);

impl Face {
    /// The face's tables as ttf-parser reads them (outlines, ink boxes, coverage, metrics),
    /// over the shared bytes; parsed once, when first asked.
    pub fn parsed(&self) -> &ttf_parser::Face<'_> {
        &self.tables().ttf
    }

    fn tables(&self) -> &Tables<'_> {
        self.parsed
            .get_or_init(|| {
                Parsed::new(self.data.clone(), |bytes| Tables {
                    ttf: ttf_parser::Face::parse(bytes, self.index)
                        .expect("the face parsed when it was loaded"),
                    font: harfrust::FontRef::from_index(bytes, self.index)
                        .expect("the face was checked when it was loaded"),
                })
            })
            .borrow_dependent()
    }

    /// One of the large faces compiled into the binary whose pages
    /// [`release_large_builtin_faces`] hands back.
    pub fn is_large_builtin(&self) -> bool {
        self.large_builtin
    }

    /// A harfrust shaper for this face (its default instance). Cheap once the face's
    /// shaper data is made: it only points at tables found then.
    fn shaper(&self) -> harfrust::Shaper<'_> {
        let font = &self.tables().font;
        self.shaper_data
            .get_or_init(|| harfrust::ShaperData::new(font))
            .shaper(font)
            .build()
    }

    /// krilla's font for this face if a document has made it, for naming the file in the
    /// writer's errors (every thread's handle is equal to krilla).
    pub fn made_pdf_font(&self) -> Option<&krilla::text::Font> {
        self.pdf_fonts.iter().find_map(OnceLock::get)
    }

    /// krilla's font for this face, this thread's handle. krilla clones a font's `Arc`
    /// several times for every glyph it draws; with one handle for all threads, its
    /// counter's cache line went back and forth between the cores of a batch. Each pool
    /// thread has a handle of its own (the same bytes; krilla tells fonts apart by their
    /// hash, so all are the same font to it).
    pub fn pdf_font(&self) -> krilla::text::Font {
        let slot = rayon::current_thread_index().map_or(0, |i| i % PDF_FONT_SLOTS);
        self.pdf_fonts[slot]
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
        if let Some((glyphs, script, whole)) = self
            .shaped
            .read()
            .ok()
            .and_then(|cache| cache.get(&key).cloned())
        {
            if whole {
                self.remember(text, rtl, lang, script, &glyphs);
            }
            return glyphs;
        }
        let mut buffer = harfrust::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(if rtl {
            harfrust::Direction::RightToLeft
        } else {
            harfrust::Direction::LeftToRight
        });
        if let Ok(language) = lang.parse() {
            buffer.set_language(language);
        }
        // The script the shaper would guess, which picks its plan: a piece is cut only
        // from a string shaped with the same one.
        buffer.guess_segment_properties();
        let script = buffer.script();
        let piece = self.piece_of_recent(text, rtl, lang, script);
        let whole = piece.is_none();
        let glyphs = match piece {
            Some(piece) => Arc::new(piece),
            None => {
                let output = self.shape(buffer);
                let glyphs = output
                    .glyph_infos()
                    .iter()
                    .zip(output.glyph_positions())
                    .map(|(info, pos)| UnitGlyph {
                        id: info.glyph_id as u16,
                        cluster: info.cluster,
                        cluster_end: 0, // set by `with_cluster_ends` below
                        x_advance: pos.x_advance,
                        x_offset: pos.x_offset,
                        y_offset: pos.y_offset,
                        unsafe_to_break: info.unsafe_to_break(),
                    })
                    .collect();
                Arc::new(with_cluster_ends(glyphs, text.len()))
            }
        };
        if let Ok(mut cache) = self.shaped.write() {
            if cache.len() >= SHAPE_CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, (glyphs.clone(), script, whole));
        }
        // Pieces are not kept: a paragraph's lines would push the paragraph out.
        if whole {
            self.remember(text, rtl, lang, script, &glyphs);
        }
        glyphs
    }

    /// Keeps a long shaped string among this thread's [`RECENT`] ones.
    fn remember(
        &self,
        text: &str,
        rtl: bool,
        lang: &str,
        script: harfrust::Script,
        glyphs: &Arc<Vec<UnitGlyph>>,
    ) {
        if text.len() < RECENT_MIN_LEN {
            return;
        }
        RECENT.with(|recent| {
            let mut recent = recent.borrow_mut();
            if let Some(i) = recent.iter().position(|r| Arc::ptr_eq(&r.glyphs, glyphs)) {
                let known = recent.remove(i);
                recent.push(known);
                return;
            }
            if recent.len() >= RECENT_KEPT {
                recent.remove(0);
            }
            recent.push(Arc::new(Shaped {
                face: self.number,
                text: text.to_string(),
                rtl,
                lang: lang.to_string(),
                script,
                glyphs: glyphs.clone(),
            }));
        });
    }

    /// `text`'s glyphs cut from a longer string of this face shaped lately, if one holds
    /// it between two places where breaking is safe.
    fn piece_of_recent(
        &self,
        text: &str,
        rtl: bool,
        lang: &str,
        script: harfrust::Script,
    ) -> Option<Vec<UnitGlyph>> {
        if text.is_empty() {
            return None;
        }
        RECENT.with(|recent| {
            let recent = recent.borrow();
            recent
                .iter()
                .rev()
                .filter(|r| {
                    r.face == self.number
                        && r.rtl == rtl
                        && r.script == script
                        && r.lang == lang
                        && r.text.len() > text.len()
                })
                .find_map(|r| {
                    r.text
                        .match_indices(text)
                        .find_map(|(at, _)| piece_of(&r.glyphs, r.text.len(), at, at + text.len()))
                })
        })
    }

    /// The ink of glyph `id` (its outline's bounding box) in em; `None` for a glyph that
    /// draws nothing (a space).
    pub fn ink_bounds(&self, id: u16) -> Option<InkBounds> {
        let in_em = |b: ttf_parser::Rect| {
            let scale = 1.0 / self.units_per_em;
            InkBounds {
                x_min: f32::from(b.x_min) * scale,
                y_min: f32::from(b.y_min) * scale,
                x_max: f32::from(b.x_max) * scale,
                y_max: f32::from(b.y_max) * scale,
            }
        };
        let measure = || self.parsed().glyph_bounding_box(ttf_parser::GlyphId(id));
        let slots = self.ink.get_or_init(|| {
            (0..self.parsed().number_of_glyphs())
                .map(|_| AtomicU64::new(INK_UNMEASURED))
                .collect()
        });
        // Not a glyph of this face: measured (to nothing) each time.
        let Some(slot) = slots.get(usize::from(id)) else {
            return measure().map(in_em);
        };
        match slot.load(Ordering::Relaxed) {
            INK_UNMEASURED => {}
            INK_NONE => return None,
            word => return Some(in_em(ink_box(word))),
        }
        let found = measure();
        let word = found.map_or(INK_NONE, ink_slot);
        // A box that reads as one of the two markers is measured again each time.
        if found.is_none() || ![INK_UNMEASURED, INK_NONE].contains(&word) {
            slot.store(word, Ordering::Relaxed);
        }
        found.map(in_em)
    }

    /// Shapes a buffer (default features: kerning, ligatures …) with a cached plan.
    pub fn shape(&self, mut buffer: harfrust::UnicodeBuffer) -> harfrust::GlyphBuffer {
        buffer.guess_segment_properties();
        let key: PlanKey = (buffer.direction(), Some(buffer.script()), buffer.language());
        let shaper = self.shaper();
        let cached = self
            .plans
            .read()
            .ok()
            .and_then(|plans| plans.get(&key).cloned());
        let plan = cached.unwrap_or_else(|| {
            let plan = Arc::new(harfrust::ShapePlan::new(
                &shaper,
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
        shaper.shape(buffer, harfrust::ShapeOptions::new().plan(Some(&plan)))
    }
}

impl Face {
    /// `c` in its half-width form (the face's OpenType `halt` feature): its advance and x
    /// offset in font units, or `None` where the face sets it no narrower (a face without
    /// the feature, a character it does not narrow). Full-width punctuation in Chinese and
    /// Japanese fonts holds half an em of white beside its ink; a pair such as 」。 is set
    /// with the first in this form (see `compose::text::shape`).
    pub fn half_width(&self, c: char) -> Option<(i32, i32)> {
        if let Some(known) = self
            .half_widths
            .read()
            .ok()
            .and_then(|m| m.get(&c).copied())
        {
            return known;
        }
        let shaper = self.shaper();
        let shaped = |features: &[harfrust::Feature]| {
            let mut buffer = harfrust::UnicodeBuffer::new();
            buffer.push_str(c.encode_utf8(&mut [0; 4]));
            buffer.guess_segment_properties();
            let output = shaper.shape(buffer, harfrust::ShapeOptions::new().features(features));
            match (output.glyph_positions(), output.glyph_infos()) {
                ([position], [info]) => {
                    Some((info.glyph_id, position.x_advance, position.x_offset))
                }
                _ => None,
            }
        };
        let halt = harfrust::Feature::new(harfrust::Tag::new(b"halt"), 1, ..);
        let half = match (shaped(&[]), shaped(&[halt])) {
            (Some((id, full, _)), Some((half_id, half, offset)))
                if id == half_id && half < full =>
            {
                Some((half, offset))
            }
            _ => None,
        };
        if let Ok(mut memo) = self.half_widths.write() {
            memo.insert(c, half);
        }
        half
    }
}

/// All faces available to a run.
pub struct FontBook {
    /// Unique in the process (never reused): what a cache of work done with these faces
    /// (`compose::text::prepare_shared`) is keyed by.
    id: u64,
    faces: Vec<Face>,
    /// Each family's faces, in face order, made on the first [`FontBook::select`]: text
    /// asks for its face once per character, and a walk over every face cost a batch 5%.
    by_family: OnceLock<Vec<(String, Vec<FontId>)>>,
    /// [`FontBook::fallback`]'s answers, by character, weight, slant and CJK region: an
    /// Arabic, Korean or Vietnamese document asks for the same few dozen letters in every
    /// paragraph, and each answer walks the families in order, looking the letter up in
    /// each (3% of an Arabic fact sheet with a memo per paragraph; 10% without).
    fallbacks: RwLock<HashMap<FallbackKey, Option<FontId>>>,
}

type FallbackKey = (char, u16, bool, Option<&'static str>);

/// At most this many remembered fallbacks (a few bytes each): more distinct characters
/// than a kit's languages hold, so the bound is only there for a long `serve`.
const FALLBACKS_MAX: usize = 1 << 14;

impl Default for FontBook {
    fn default() -> Self {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        FontBook {
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            faces: Vec::new(),
            by_family: OnceLock::new(),
            fallbacks: RwLock::default(),
        }
    }
}

impl FontBook {
    /// This book's identity in the process (see the `id` field).
    pub fn id(&self) -> u64 {
        self.id
    }

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
                if is_builtin_copy(&path) {
                    continue;
                }
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
            .parsed()
            .glyph_index(c)
            .is_some_and(|g| g.0 != 0)
    }

    /// The face to draw `c` with when the style's own face lacks it: Noto Sans first (it
    /// matches the text face's metrics), then the script packs and CJK faces — for Han the
    /// one made for the language (TC for zh-Hant, KR for ko …). The closest weight and slant
    /// of that family; `None` if no loaded face has the character.
    pub fn fallback(&self, c: char, weight: u16, italic: bool, lang: &str) -> Option<FontId> {
        let preferred = cjk_tag(lang);
        let key = (c, weight, italic, preferred);
        let known = self
            .fallbacks
            .read()
            .ok()
            .and_then(|m| m.get(&key).copied());
        if let Some(known) = known {
            return known;
        }
        let found = self.find_fallback(c, weight, italic, preferred);
        if let Ok(mut memo) = self.fallbacks.write()
            && memo.len() < FALLBACKS_MAX
        {
            memo.insert(key, found);
        }
        found
    }

    /// [`FontBook::fallback`] worked out: the families in order, the first face that covers
    /// `c`.
    fn find_fallback(
        &self,
        c: char,
        weight: u16,
        italic: bool,
        preferred: Option<&'static str>,
    ) -> Option<FontId> {
        let rank = |family: &str| -> u8 {
            if family == "Noto Sans" {
                0
            } else if preferred.is_some_and(|tag| family.ends_with(tag)) {
                1
            } else {
                2
            }
        };
        let mut families: Vec<&str> = self.families();
        // Sorted by name already: a stable sort by rank keeps that order within a rank.
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
        let families = self.by_family.get_or_init(|| {
            let mut families: Vec<(String, Vec<FontId>)> = Vec::new();
            for (id, face) in self.faces() {
                match families
                    .iter_mut()
                    .find(|(name, _)| name.eq_ignore_ascii_case(&face.family))
                {
                    Some((_, ids)) => ids.push(id),
                    None => families.push((face.family.clone(), vec![id])),
                }
            }
            families
        });
        let (_, ids) = families
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(family))?;
        // The first of the closest, as the walk over all faces in order chose.
        ids.iter().copied().min_by_key(|&id| {
            let f = self.face(id);
            let slant_penalty = if f.italic == italic { 0 } else { 10_000 };
            slant_penalty + (i32::from(f.weight) - i32::from(weight)).unsigned_abs()
        })
    }
}

/// Faces compiled into the binary above this size (the Chinese and Korean faces, 1.7 to
/// 3.7 MB each) have their pages handed back after each document.
const LARGE_BUILTIN_FACE: usize = 1 << 20;

/// Hands the pages of the large faces compiled into the binary back to the kernel. A
/// Chinese or Korean document reads glyphs all over its face, and the kernel maps the
/// neighbourhood of each page read (~120 KB here), so after a few documents the faces were
/// nearly whole in the process's resident set: a tenth of the whole kit's peak. What this
/// saves is resident file pages, not heap: the pages stay in the page cache (which could
/// reclaim them anyway), and the next document that reads a face has them mapped again from
/// there. Done only where `/proc/self/maps` shows the faces in a read-only private mapping
/// of a file, as an executable's read-only data is: pages nothing here ever writes, which
/// come back as the file's bytes (a packed executable unpacked into anonymous memory would
/// get zeros instead, and is left alone). Like any mapped file, the faces then read what
/// the binary's file holds: a binary changed underneath a running process (possible on a
/// network file system) is outside this contract, as it is for the code.
pub fn release_large_builtin_faces() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `sysconf` with a valid name has no other input.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(0);
        if page == 0 {
            return;
        }
        for bytes in releasable_builtin_faces() {
            let start = (bytes.as_ptr() as usize).div_ceil(page) * page;
            let end = (bytes.as_ptr() as usize + bytes.len()) / page * page;
            if end > start {
                // SAFETY: whole pages inside the face's bytes, which lie in a read-only
                // private file mapping (checked once, for these very slices): MADV_DONTNEED
                // unmaps them, and the next read maps the file's same bytes again.
                unsafe {
                    libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
                }
            }
        }
    }
}

/// The faces [`release_large_builtin_faces`] hands back: those compiled into the binary
/// over [`LARGE_BUILTIN_FACE`], if every one lies in a read-only private file mapping;
/// else none. Worked out once, for the very slices the font book reads.
#[cfg(target_os = "linux")]
fn releasable_builtin_faces() -> &'static [&'static [u8]] {
    static FACES: OnceLock<Vec<&'static [u8]>> = OnceLock::new();
    FACES.get_or_init(|| {
        let large: Vec<&'static [u8]> = crate::assets::FONTS
            .iter()
            .map(|(_, bytes)| *bytes)
            .filter(|bytes| bytes.len() > LARGE_BUILTIN_FACE)
            .collect();
        let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
            return Vec::new();
        };
        if large
            .iter()
            .all(|bytes| in_read_only_file_mapping(&maps, bytes))
        {
            large
        } else {
            Vec::new()
        }
    })
}

/// Whether `bytes` lie wholly in one read-only private mapping of a file, by the process's
/// memory map (`/proc/self/maps`: `start-end perms offset dev inode path`).
#[cfg(target_os = "linux")]
fn in_read_only_file_mapping(maps: &str, bytes: &[u8]) -> bool {
    let (first, last) = (
        bytes.as_ptr() as usize,
        bytes.as_ptr() as usize + bytes.len(),
    );
    maps.lines().any(|line| {
        let mut fields = line.split_whitespace();
        let (Some(range), Some(perms), Some(_offset), Some(_dev), Some(inode), Some(path)) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return false;
        };
        let Some((start, end)) = range.split_once('-') else {
            return false;
        };
        let (Ok(start), Ok(end)) = (
            usize::from_str_radix(start, 16),
            usize::from_str_radix(end, 16),
        ) else {
            return false;
        };
        start <= first && last <= end && perms == "r--p" && inode != "0" && path.starts_with('/')
    })
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

/// Whether the font file at `path` is a copy of one compiled into the binary: the same
/// length and the same first bytes, which hold the sfnt header and table directory with
/// every table's checksum (font tools write them anew on any change). The repository's own
/// `fonts/` folder holds the very files the binary carries; loading them again mapped,
/// parsed and checked each a second time, and a whole kit's peak memory held both copies'
/// pages (about 3 MiB more).
fn is_builtin_copy(path: &Path) -> bool {
    use std::io::Read;
    const HEAD: usize = 4096;
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return false;
    };
    let mut head = Vec::with_capacity(HEAD);
    if file
        .by_ref()
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .is_err()
    {
        return false;
    }
    crate::assets::FONTS
        .iter()
        .any(|(_, bytes)| bytes.len() as u64 == len && bytes.starts_with(&head))
}

/// Every face of a font file: one, or each face of a `.ttc`/`.otc` collection.
fn load_faces(path: &Path) -> Result<Vec<Face>, Diagnostic> {
    let file = std::fs::File::open(path)
        .map_err(|err| Diagnostic::error(format!("cannot read font: {err}")).in_file(path))?;
    // SAFETY: the map is read-only and the font files are not changed while we run; a
    // file truncated underneath us could fault, which is the usual contract for fonts.
    let map = unsafe { memmap2::Mmap::map(&file) }
        .map_err(|err| Diagnostic::error(format!("cannot read font: {err}")).in_file(path))?;
    // Glyphs are read here and there across a file, not from start to end: without this,
    // each glyph read brought the pages around it in too (read-ahead), and a Chinese
    // document had nearly all of a 3.6 MB face resident. Only advice: ignored where
    // unsupported.
    #[cfg(unix)]
    let _ = map.advise(memmap2::Advice::Random);
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
    // shaped or written would fail in the middle of a batch instead. Shaping (harfrust)
    // reads the tables through read-fonts, as krilla does; building its shaping data here
    // too would cost every face's lookups at start-up, for the handful a run sets. The
    // faces compiled into the binary passed both checks when it was tested (a unit test
    // makes both for every one), so a run does not parse each again.
    if !matches!(*data, FontBytes::Embedded(_)) {
        if harfrust::FontRef::from_index(&data, index).is_err() {
            return Err(Diagnostic::error(
                "not a usable font: its tables cannot be read for shaping",
            )
            .in_file(path));
        }
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
        cap_height: parsed
            .capital_height()
            .filter(|&h| h > 0)
            .map_or(0.7, |h| f32::from(h) / units_per_em),
        embedding_flags,
        plans: RwLock::default(),
        shaped: RwLock::default(),
        half_widths: RwLock::default(),
        ink: OnceLock::new(),
        number: FACE_NUMBERS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        large_builtin: matches!(*data, FontBytes::Embedded(b) if b.len() > LARGE_BUILTIN_FACE),
        parsed: OnceLock::new(),
        shaper_data: OnceLock::new(),
        pdf_fonts: Default::default(),
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
/// Asked once per character a face lacks, so it compares in place rather than lower-casing
/// a copy of the tag.
fn cjk_tag(lang: &str) -> Option<&'static str> {
    let starts_with = |prefix: &str| {
        lang.get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    let is = |tag: &str| lang.eq_ignore_ascii_case(tag);
    Some(if starts_with("zh-hant") || is("zh-tw") || is("zh-hk") {
        "TC"
    } else if starts_with("zh") {
        "SC"
    } else if starts_with("ko") {
        "KR"
    } else if starts_with("ja") {
        "JP"
    } else {
        return None;
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The large built-in faces read the same after their pages are handed back, and this
    /// test binary's faces are where the release expects them, in a read-only mapping of
    /// its file (so the release is not skipped here, where the test can see it).
    #[cfg(target_os = "linux")]
    #[test]
    fn large_builtin_faces_read_the_same_after_their_pages_are_handed_back() {
        use sha2::Digest as _;
        let faces = releasable_builtin_faces();
        assert!(
            faces.len() >= 4,
            "the CJK faces are compiled in and releasable"
        );
        // The very slices the font book reads.
        for face in faces {
            assert!(
                crate::assets::FONTS
                    .iter()
                    .any(|(_, bytes)| std::ptr::eq(*bytes, *face))
            );
        }
        let digests = || -> Vec<[u8; 32]> {
            faces
                .iter()
                .map(|b| sha2::Sha256::digest(b).into())
                .collect()
        };
        let before = digests();
        // The faces a document's text must use for the release to follow it; the text face
        // is not one.
        let book = FontBook::load(&[]).unwrap();
        let large: Vec<&Face> = book
            .faces()
            .map(|(_, f)| f)
            .filter(|f| f.large_builtin)
            .collect();
        assert_eq!(
            large.len(),
            faces.len(),
            "the faces marked large are the releasable ones"
        );
        for face in &large {
            assert!(
                faces
                    .iter()
                    .any(|b| std::ptr::eq(b.as_ptr(), face.data.as_ptr()))
            );
        }
        let text_face = book.face(book.select("Noto Sans", 400, false).unwrap());
        assert!(!text_face.is_large_builtin());
        assert!(large[0].parsed().number_of_glyphs() > 100);
        release_large_builtin_faces();
        assert_eq!(digests(), before);
        // A heap buffer is in no file mapping.
        let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
        let heap = vec![1u8; 1 << 16];
        assert!(!in_read_only_file_mapping(&maps, &heap));
    }

    /// Each language tag's Noto CJK region, whatever the tag's case.
    #[test]
    fn cjk_regions_by_language_tag() {
        for (lang, tag) in [
            ("zh-Hant", Some("TC")),
            ("ZH-HANT-TW", Some("TC")),
            ("zh-TW", Some("TC")),
            ("zh-hk", Some("TC")),
            ("zh-tw-x", Some("SC")),
            ("zh", Some("SC")),
            ("zh-Hans", Some("SC")),
            ("ko", Some("KR")),
            ("KO-kr", Some("KR")),
            ("ja", Some("JP")),
            ("en", None),
            ("z", None),
            ("", None),
            ("zh\u{e9}", Some("SC")),
            ("\u{e9}zh", None),
        ] {
            assert_eq!(cjk_tag(lang), tag, "{lang}");
        }
    }

    /// `make_face` trusts the faces compiled into the binary; this is where they earn it.
    #[test]
    fn every_embedded_face_can_be_shaped_and_embedded() {
        for (path, bytes) in crate::assets::FONTS {
            let count = ttf_parser::fonts_in_collection(bytes).unwrap_or(1);
            for index in 0..count {
                let font = harfrust::FontRef::from_index(bytes, index)
                    .unwrap_or_else(|e| panic!("{path} #{index} cannot be read: {e}"));
                let data = harfrust::ShaperData::new(&font);
                let mut buffer = harfrust::UnicodeBuffer::new();
                buffer.push_str("Hi");
                buffer.guess_segment_properties();
                let shaped = data
                    .shaper(&font)
                    .build()
                    .shape(buffer, harfrust::ShapeOptions::new());
                assert_eq!(shaped.len(), 2, "{path} #{index} cannot be shaped");
                let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(bytes.to_vec());
                assert!(
                    krilla::text::Font::new(data.into(), index).is_some(),
                    "{path} #{index} cannot be embedded"
                );
            }
        }
    }

    #[test]
    fn select_takes_the_closest_weight_and_slant_of_a_family_in_any_case() {
        let book = FontBook::load(&[]).unwrap();
        let regular = book.select("noto sans", 400, false).unwrap();
        assert_eq!(book.face(regular).weight, 400);
        assert!(!book.face(regular).italic);
        let bold_italic = book.select("Noto Sans", 800, true).unwrap();
        assert_eq!(book.face(bold_italic).weight, 700);
        assert!(book.face(bold_italic).italic);
        assert!(book.select("No Such Family", 400, false).is_none());
        // Asked again (the family index is made once), the same answers.
        assert_eq!(book.select("Noto Sans", 400, false), Some(regular));
    }

    /// `text` shaped afresh, without the cache or [`RECENT`]: each glyph's id, cluster,
    /// where its cluster ends (the next larger cluster, found by a scan), advance and offsets.
    fn fresh(
        face: &Face,
        text: &str,
        rtl: bool,
        lang: &str,
    ) -> Vec<(u16, u32, u32, i32, i32, i32)> {
        let mut buffer = harfrust::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.set_direction(if rtl {
            harfrust::Direction::RightToLeft
        } else {
            harfrust::Direction::LeftToRight
        });
        buffer.set_language(lang.parse().unwrap());
        let out = face.shape(buffer);
        let clusters: Vec<u32> = out.glyph_infos().iter().map(|i| i.cluster).collect();
        let end_of = |cluster: u32| {
            clusters
                .iter()
                .copied()
                .filter(|&c| c > cluster)
                .min()
                .unwrap_or(text.len() as u32)
        };
        out.glyph_infos()
            .iter()
            .zip(out.glyph_positions())
            .map(|(i, p)| {
                (
                    i.glyph_id as u16,
                    i.cluster,
                    end_of(i.cluster),
                    p.x_advance,
                    p.x_offset,
                    p.y_offset,
                )
            })
            .collect()
    }

    #[test]
    fn a_line_cut_from_its_shaped_paragraph_is_the_line_shaped_alone() {
        let book = FontBook::load(&[]).unwrap();
        let cases = [
            // Kerning pairs (AV, To, Wa) and ligatures (fi, ffl) across and inside words.
            (
                "Noto Sans",
                "AVATAR Wave To office; the affluent fiancé waffled. Yes, Vietnam's Tô Văn Ánh",
                false,
                "en",
            ),
            (
                "Oswald",
                "JANUARY IS NATIONAL SLAVERY & HUMAN TRAFFICKING PREVENTION MONTH",
                false,
                "en",
            ),
            // Joining forms: a cut inside a word is unsafe, between words it is safe.
            (
                "Noto Sans Arabic",
                "الاتجار بالبشر هو تجنيد أشخاص أو نقلهم أو تنقيلهم أو إيواؤهم",
                true,
                "ar",
            ),
        ];
        let mut cut = 0;
        for (family, paragraph, rtl, lang) in cases {
            let face = book.face(book.select(family, 400, false).unwrap());
            let whole = face.shape_units(paragraph, rtl, lang);
            assert_eq!(
                whole
                    .iter()
                    .map(|g| (
                        g.id,
                        g.cluster,
                        g.cluster_end,
                        g.x_advance,
                        g.x_offset,
                        g.y_offset
                    ))
                    .collect::<Vec<_>>(),
                fresh(face, paragraph, rtl, lang)
            );
            // Every piece from one word start to a later word end, as lines are.
            let starts: Vec<usize> = std::iter::once(0)
                .chain(paragraph.match_indices(' ').map(|(i, _)| i + 1))
                .collect();
            let ends: Vec<usize> = paragraph
                .match_indices(' ')
                .map(|(i, _)| i)
                .chain(std::iter::once(paragraph.len()))
                .collect();
            for &start in &starts {
                for &end in ends.iter().filter(|&&e| e > start) {
                    let line = &paragraph[start..end];
                    if line.len() >= paragraph.len() {
                        continue;
                    }
                    if piece_of(&whole, paragraph.len(), start, end).is_some() {
                        cut += 1;
                    }
                    // Shaped again so the paragraph is the recent one for each line.
                    face.shape_units(paragraph, rtl, lang);
                    let got: Vec<_> = face
                        .shape_units(line, rtl, lang)
                        .iter()
                        .map(|g| {
                            (
                                g.id,
                                g.cluster,
                                g.cluster_end,
                                g.x_advance,
                                g.x_offset,
                                g.y_offset,
                            )
                        })
                        .collect();
                    assert_eq!(got, fresh(face, line, rtl, lang), "{family}: {line:?}");
                }
            }
        }
        assert!(cut > 100, "lines are cut from their paragraph ({cut})");
    }

    #[test]
    fn ink_bounds_are_the_outline_box_in_em_and_none_for_a_space() {
        let book = FontBook::load(&[]).unwrap();
        let face = book.face(book.select("Noto Sans", 400, false).unwrap());
        let h = face.parsed().glyph_index('H').unwrap().0;
        let space = face.parsed().glyph_index(' ').unwrap().0;
        let ink = face.ink_bounds(h).unwrap();
        assert!(
            ink.y_min.abs() < 0.01 && ink.y_max > 0.6 && ink.y_max < 0.8,
            "{ink:?}"
        );
        assert_eq!(
            face.ink_bounds(h),
            Some(ink),
            "the cached answer is the same"
        );
        assert_eq!(face.ink_bounds(space), None);
        assert_eq!(
            face.ink_bounds(space),
            None,
            "the cached answer is the same"
        );
        assert_eq!(face.ink_bounds(u16::MAX), None, "no such glyph");
        // A descender's negative units survive the slot's packing.
        let p = face.parsed().glyph_index('p').unwrap().0;
        let measured = face
            .parsed()
            .glyph_bounding_box(ttf_parser::GlyphId(p))
            .unwrap();
        assert!(measured.y_min < 0);
        assert_eq!(ink_box(ink_slot(measured)), measured);
        assert_eq!(face.ink_bounds(p), face.ink_bounds(p));
        let extremes = ttf_parser::Rect {
            x_min: i16::MIN,
            y_min: -1,
            x_max: i16::MAX,
            y_max: 0,
        };
        assert_eq!(ink_box(ink_slot(extremes)), extremes);
    }

    #[test]
    fn a_folder_copy_of_a_built_in_font_is_not_loaded_twice_but_a_changed_one_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        let (name, bytes) = crate::assets::FONTS
            .iter()
            .find(|(name, _)| name.ends_with("NotoSans-Regular.ttf"))
            .unwrap();
        let copy = dir.path().join("NotoSans-Regular.ttf");
        std::fs::write(&copy, bytes).unwrap();
        assert!(is_builtin_copy(&copy), "{name}");
        let book = FontBook::load(&[dir.path().to_path_buf()]).unwrap();
        let regular = book.select("Noto Sans", 400, false).unwrap();
        assert!(
            matches!(*book.face(regular).data, FontBytes::Embedded(_)),
            "the identical file is the built-in face"
        );
        assert_eq!(
            book.faces().count(),
            FontBook::load(&[]).unwrap().faces().count()
        );
        // The same file with one table's checksum changed (as a font tool writes an edited
        // table) is another font: it takes the built-in face's place.
        let mut changed = bytes.to_vec();
        changed[12 + 4] ^= 1;
        std::fs::write(&copy, &changed).unwrap();
        assert!(!is_builtin_copy(&copy));
        let book = FontBook::load(&[dir.path().to_path_buf()]).unwrap();
        let regular = book.select("Noto Sans", 400, false).unwrap();
        assert!(matches!(*book.face(regular).data, FontBytes::Mapped(_)));
        assert_eq!(book.face(regular).path, copy);
    }
}
