//! Helpers shared by the integration tests: the repository's paths, a scratch copy of the
//! bundled inputs, running the binary, the whole kit built and checked once per process
//! for the tests that only read it, and the gate that lets the timed live-preview test run
//! while nothing else works.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Condvar, Mutex, MutexGuard};

/// All areas run in one test binary, so the live preview test (which holds a real browser
/// to a 2 s bound) would otherwise share two cores with whole-kit builds. Work that runs the
/// binary or composes in-process holds [`shared`]; the timed test holds [`alone`]. Shared
/// holders never wait for a waiting `alone` (so a test may hold several, or hand one to a
/// thread, without deadlock); `alone` waits until no one holds `shared`.
struct Gate {
    /// (shared holders, whether `alone` is held)
    state: Mutex<(usize, bool)>,
    changed: Condvar,
}

static GATE: Gate = Gate {
    state: Mutex::new((0, false)),
    changed: Condvar::new(),
};

impl Gate {
    fn lock(&self) -> MutexGuard<'_, (usize, bool)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wait_while(
        &self,
        guard: MutexGuard<'static, (usize, bool)>,
        busy: impl FnMut(&mut (usize, bool)) -> bool,
    ) -> MutexGuard<'static, (usize, bool)> {
        self.changed
            .wait_while(guard, busy)
            .unwrap_or_else(|e| e.into_inner())
    }
}

/// Held while a test does heavy work; see [`Gate`].
pub struct Shared(());

pub fn shared() -> Shared {
    let mut state = GATE.wait_while(GATE.lock(), |s| s.1);
    state.0 += 1;
    Shared(())
}

impl Drop for Shared {
    fn drop(&mut self) {
        GATE.lock().0 -= 1;
        GATE.changed.notify_all();
    }
}

/// Held by a test that must run with no other test working; see [`Gate`].
pub struct Alone(());

pub fn alone() -> Alone {
    let mut state = GATE.wait_while(GATE.lock(), |s| s.0 > 0 || s.1);
    state.1 = true;
    Alone(())
}

impl Drop for Alone {
    fn drop(&mut self) {
        GATE.lock().1 = false;
        GATE.changed.notify_all();
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary kit holding copies of `content/`, `layouts/` and `broadside.toml` and a link to `fonts/`,
/// so a test can run `broadside` with no arguments and edit inputs freely.
pub struct Scratch {
    pub dir: tempfile::TempDir,
    _shared: Shared,
}

/// Fills `dir` with a kit like the repository's: copies of `content/`, `layouts/` and
/// `broadside.toml` (through which commands find their inputs) and a link to `fonts/`.
fn populate(dir: &Path) {
    copy_dir(&repo().join("content"), &dir.join("content"));
    copy_dir(&repo().join("layouts"), &dir.join("layouts"));
    std::os::unix::fs::symlink(repo().join("fonts"), dir.join("fonts")).unwrap();
    std::fs::copy(repo().join("broadside.toml"), dir.join("broadside.toml")).unwrap();
}

impl Scratch {
    pub fn new() -> Scratch {
        let shared = shared();
        let dir = tempfile::tempdir().unwrap();
        populate(dir.path());
        Scratch {
            dir,
            _shared: shared,
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn campaign(&self) -> PathBuf {
        self.path().join("content/trafficking-prevention")
    }

    /// Runs the binary in the scratch folder.
    pub fn run(&self, args: &[&str]) -> Output {
        run_in(self.path(), args)
    }

    /// Runs `command` on Alameda's English flyer alone ([`ALAMEDA_FLYER`]), with `extra`
    /// arguments.
    pub fn run_alameda_flyer(&self, command: &str, extra: &[&str]) -> Output {
        let mut args = vec![command];
        args.extend_from_slice(ALAMEDA_FLYER);
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Puts the fixture JPEG logo into the campaign as `logos/<name>`, for a county row.
    pub fn add_logo(&self, name: &str) {
        let logo = repo().join("tests/fixtures/linked-campaign/logos/jaypeg.jpg");
        std::fs::create_dir_all(self.campaign().join("logos")).unwrap();
        std::fs::copy(logo, self.campaign().join("logos").join(name)).unwrap();
    }

    /// Adds an `extra.local` column to the county sheet: `row` gives each county's row (as
    /// the sheet has it) with its new cell.
    pub fn add_local_column(&self, row: impl Fn(&str) -> String) {
        let header = "county,seat,languages,program,contact,phone,logo,logo_alt";
        let sheet = "content/trafficking-prevention/counties.csv";
        self.edit(sheet, header, &format!("{header},extra.local"));
        let csv = self.path().join(sheet);
        let text: Vec<String> = std::fs::read_to_string(&csv)
            .unwrap()
            .lines()
            .map(|l| match l {
                l if l.starts_with("county,") => l.to_string(),
                other => row(other),
            })
            .collect();
        std::fs::write(&csv, text.join("\n") + "\n").unwrap();
    }

    /// Replaces the first occurrence of `from` in a file, panicking if it is not there.
    pub fn edit(&self, relative: &str, from: &str, to: &str) {
        let path = self.path().join(relative);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "`{from}` not in {relative}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// Every PDF under `out/`, sorted.
    pub fn outputs(&self) -> Vec<PathBuf> {
        pdfs_under(&self.path().join("out"))
    }

    /// Every file under `out/` (PDFs, manifests, anything left behind), sorted.
    pub fn all_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        walk(&self.path().join("out"), &mut files);
        files.sort();
        files
    }
}

/// Every PDF under `dir`, sorted.
pub fn pdfs_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.retain(|p| p.extension().is_some_and(|e| e == "pdf"));
    files.sort();
    files
}

/// A run of the binary over an unmodified copy of the bundled kit, made once per test
/// process and shared by the tests that only read what it wrote and said (none may write
/// into its folder): the whole kit takes seconds to compose in a test build, and several
/// areas ask the same question of it. A process's statics are never dropped, so its
/// folder outlives the process: each folder has a lock file the process holds until it
/// ends, and a run removes the folders whose lock it can take (an ended process's), never
/// one a running process holds (another `cargo test`, in this or another container).
pub struct KitRun {
    dir: PathBuf,
    pub output: Output,
    /// Held for the life of the process; see above.
    _lock: std::fs::File,
}

impl KitRun {
    fn new(name: &str, args: &[&str]) -> KitRun {
        let _shared = shared();
        // In cargo's temporary folder for tests, or the system's where that cannot be written.
        let prefix = format!("kit-{name}-");
        let dir = tempfile::Builder::new()
            .prefix(&prefix)
            .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
            .or_else(|_| tempfile::Builder::new().prefix(&prefix).tempdir())
            .unwrap_or_else(|e| panic!("cannot make a folder for the shared {name}: {e}"))
            .keep();
        // Not this folder: it has no lock file yet.
        remove_ended_kit_runs(dir.parent().expect("a folder in a folder"));
        let lock = std::fs::File::create(dir.with_extension("lock"))
            .and_then(|file| file.lock().map(|()| file))
            .unwrap_or_else(|e| panic!("cannot lock {}.lock: {e}", dir.display()));
        populate(&dir);
        let output = run_in(&dir, args);
        KitRun {
            dir,
            output,
            _lock: lock,
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Every PDF under `out/`, sorted.
    pub fn outputs(&self) -> Vec<PathBuf> {
        pdfs_under(&self.dir.join("out"))
    }
}

/// Removes the shared kit runs (see [`KitRun`]) in `base` whose process has ended: those
/// whose lock file can be locked. A lock file younger than a minute is left alone, as its
/// process may not have locked it yet.
fn remove_ended_kit_runs(base: &Path) {
    let minute_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for entry in std::fs::read_dir(base).into_iter().flatten().flatten() {
        let lock = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with("kit-") && name.ends_with(".lock")) {
            continue;
        }
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified < minute_ago);
        let Ok(file) = std::fs::File::open(&lock) else {
            continue;
        };
        if old && file.try_lock().is_ok() {
            let _ = std::fs::remove_dir_all(lock.with_extension(""));
            let _ = std::fs::remove_file(&lock);
        }
    }
}

/// `broadside build --jobs 2` over the bundled kit: the README's command, with two worker
/// threads whatever the machine (`yearly` compares it with one thread's build). Held with
/// the [`Gate`] for a test that reads what it wrote.
pub fn built_kit() -> (&'static KitRun, Shared) {
    static RUN: std::sync::OnceLock<KitRun> = std::sync::OnceLock::new();
    let run = RUN.get_or_init(|| KitRun::new("build", &["build", "--jobs", "2"]));
    (run, shared())
}

/// `broadside check --year 2027` over the bundled kit: a year fixed, so that what it finds
/// does not change with the calendar (every edition names its January).
pub fn checked_kit() -> (&'static KitRun, Shared) {
    static RUN: std::sync::OnceLock<KitRun> = std::sync::OnceLock::new();
    let run = RUN.get_or_init(|| KitRun::new("check", &["check", "--year", "2027"]));
    (run, shared())
}

/// One document, Alameda's English flyer: for tests about one file (a logo, a refusal),
/// not about the kit.
pub const ALAMEDA_FLYER: &[&str] = &[
    "--county",
    "alameda",
    "--layout",
    "flyer-letter",
    "--lang",
    "en",
];

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    let _shared = shared();
    // The tests' runs read their kit's inputs and write into its folder, whatever the
    // developer's environment says.
    Command::new(env!("CARGO_BIN_EXE_broadside"))
        .args(args)
        .current_dir(dir)
        .env_remove("BROADSIDE_FONT_PATHS")
        .env_remove("BROADSIDE_OUT")
        .output()
        .unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The text lopdf extracts from every page of a PDF.
pub fn pdf_text(path: &Path) -> String {
    let doc = lopdf::Document::load(path).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).unwrap()
}

/// Width and height of each page's MediaBox, in points.
pub fn page_sizes(doc: &lopdf::Document) -> Vec<(f32, f32)> {
    doc.get_pages()
        .values()
        .map(|&id| {
            let page = doc.get_dictionary(id).unwrap();
            let b = page.get(b"MediaBox").unwrap().as_array().unwrap();
            let n = |i: usize| b[i].as_float().unwrap();
            (n(2) - n(0), n(3) - n(1))
        })
        .collect()
}

/// The year folder a default build wrote into.
pub fn year_dir(out: &Path) -> PathBuf {
    let years: Vec<_> = std::fs::read_dir(out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(years.len(), 1, "{years:?}");
    years[0].clone()
}

/// The text of every marked-content sequence of a page, by MCID, decoded through each
/// font's ToUnicode map.
fn marked_text(doc: &lopdf::Document, page: lopdf::ObjectId) -> BTreeMap<i64, String> {
    use lopdf::content::Content;
    let encodings: BTreeMap<Vec<u8>, lopdf::Encoding> = doc
        .get_page_fonts(page)
        .unwrap()
        .into_iter()
        .map(|(name, font)| (name, font.get_font_encoding(doc).unwrap()))
        .collect();
    let content = Content::decode(&doc.get_page_content(page)).unwrap();
    let mut out = BTreeMap::new();
    let mut stack: Vec<Option<i64>> = Vec::new();
    let mut font: Option<&lopdf::Encoding> = None;
    for op in content.operations {
        match op.operator.as_str() {
            "BDC" => {
                let mcid = op.operands.get(1).and_then(|p| match p {
                    lopdf::Object::Dictionary(d) => d.get(b"MCID").ok()?.as_i64().ok(),
                    _ => None,
                });
                stack.push(mcid);
            }
            "BMC" => stack.push(None),
            "EMC" => {
                stack.pop();
            }
            "Tf" => {
                font = op.operands[0]
                    .as_name()
                    .ok()
                    .and_then(|name| encodings.get(name));
            }
            "Tj" | "TJ" => {
                let Some(Some(mcid)) = stack.iter().rev().find(|m| m.is_some()) else {
                    continue;
                };
                let strings: Vec<&lopdf::Object> = match &op.operands[0] {
                    lopdf::Object::Array(items) => items.iter().collect(),
                    other => vec![other],
                };
                for s in strings {
                    if let (lopdf::Object::String(bytes, _), Some(enc)) = (s, font) {
                        let text = lopdf::Document::decode_text(enc, bytes).unwrap_or_default();
                        out.entry(*mcid).or_insert_with(String::new).push_str(&text);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The structure tree of a tagged PDF as an indented dump — type, language, alt text and
/// each element's own text in reading order — read with lopdf, independently of our code.
pub fn tag_dump(path: &Path) -> String {
    let doc = lopdf::Document::load(path).unwrap();
    let mut texts: BTreeMap<lopdf::ObjectId, BTreeMap<i64, String>> = BTreeMap::new();
    for &page in doc.get_pages().values() {
        texts.insert(page, marked_text(&doc, page));
    }
    let root = doc.catalog().unwrap().get(b"StructTreeRoot").unwrap();
    let root = doc.dereference(root).unwrap().1.as_dict().unwrap();
    let mut out = String::new();
    walk_struct(&doc, root.get(b"K").unwrap(), None, 0, &texts, &mut out);
    out
}

fn walk_struct(
    doc: &lopdf::Document,
    kids: &lopdf::Object,
    page: Option<lopdf::ObjectId>,
    depth: usize,
    texts: &BTreeMap<lopdf::ObjectId, BTreeMap<i64, String>>,
    out: &mut String,
) {
    use std::fmt::Write as _;
    let kids: Vec<&lopdf::Object> = match kids {
        lopdf::Object::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut text = String::new();
    for kid in kids {
        if let Ok(mcid) = kid.as_i64() {
            if let Some(t) = page.and_then(|p| texts.get(&p)).and_then(|m| m.get(&mcid)) {
                text.push_str(t);
            }
            continue;
        }
        let Ok((_, object)) = doc.dereference(kid) else {
            continue;
        };
        let Ok(dict) = object.as_dict() else { continue };
        let kind = dict.get(b"Type").and_then(|t| t.as_name()).unwrap_or(b"");
        let page_of = |d: &lopdf::Dictionary| d.get(b"Pg").and_then(|p| p.as_reference()).ok();
        match kind {
            b"MCR" => {
                let mcid = dict.get(b"MCID").unwrap().as_i64().unwrap();
                let pg = page_of(dict).or(page);
                if let Some(t) = pg.and_then(|p| texts.get(&p)).and_then(|m| m.get(&mcid)) {
                    text.push_str(t);
                }
            }
            b"OBJR" => {
                if !text.is_empty() {
                    let _ = writeln!(out, "{}{text:?}", "  ".repeat(depth));
                    text.clear();
                }
                let annot = doc.dereference(dict.get(b"Obj").unwrap()).unwrap().1;
                let alt = annot
                    .as_dict()
                    .ok()
                    .and_then(|a| a.get(b"Contents").ok())
                    .and_then(|c| lopdf::decode_text_string(c).ok())
                    .unwrap_or_default();
                let _ = writeln!(out, "{}<annotation {alt:?}>", "  ".repeat(depth));
            }
            _ => {
                if !text.is_empty() {
                    let _ = writeln!(out, "{}{text:?}", "  ".repeat(depth));
                    text.clear();
                }
                let role = dict
                    .get(b"S")
                    .and_then(|s| s.as_name())
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .unwrap_or_default();
                let _ = write!(out, "{}{role}", "  ".repeat(depth));
                for (key, label) in [(&b"Lang"[..], "lang"), (b"Alt", "alt"), (b"T", "title")] {
                    if let Ok(v) = dict.get(key)
                        && let Ok(s) = lopdf::decode_text_string(v)
                    {
                        let _ = write!(out, " {label}={s:?}");
                    }
                }
                let _ = writeln!(out);
                if let Ok(k) = dict.get(b"K") {
                    walk_struct(doc, k, page_of(dict).or(page), depth + 1, texts, out);
                }
            }
        }
    }
    if !text.is_empty() {
        let _ = writeln!(out, "{}{text:?}", "  ".repeat(depth));
    }
}
