//! Helpers shared by the integration tests: the repository's paths, a scratch copy of the
//! bundled inputs, and running the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A temporary folder holding copies of `content/` and `layouts/` and a link to `fonts/`,
/// so a test can run `broadside` with no arguments and edit inputs freely.
pub struct Scratch {
    pub dir: tempfile::TempDir,
}

impl Scratch {
    pub fn new() -> Scratch {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("content"), &dir.path().join("content"));
        copy_dir(&repo().join("layouts"), &dir.path().join("layouts"));
        std::os::unix::fs::symlink(repo().join("fonts"), dir.path().join("fonts")).unwrap();
        Scratch { dir }
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

    /// Replaces the first occurrence of `from` in a file, panicking if it is not there.
    pub fn edit(&self, relative: &str, from: &str, to: &str) {
        let path = self.path().join(relative);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "`{from}` not in {relative}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    /// Every PDF under `out/`, sorted.
    pub fn outputs(&self) -> Vec<PathBuf> {
        let mut files = self.all_files();
        files.retain(|p| p.extension().is_some_and(|e| e == "pdf"));
        files
    }

    /// Every file under `out/` (PDFs, manifests, anything left behind), sorted.
    pub fn all_files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        walk(&self.path().join("out"), &mut files);
        files.sort();
        files
    }
}

pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_broadside"))
        .args(args)
        .current_dir(dir)
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
