//! The run manifest (`out/<year>/<campaign>/manifest.json`): every output with its edition,
//! layout, language, size, SHA-256 and a hash of the inputs that made it, plus the run's
//! warnings. It has no timestamps, so an unchanged re-run leaves it byte for byte alone;
//! and it is how `build --due` knows what is out of date.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub campaign: String,
    pub year: i32,
    /// Sorted by path.
    pub outputs: Vec<Entry>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Relative to the manifest's folder, e.g. `alameda/flyer-letter.pdf`.
    pub path: String,
    pub edition: String,
    pub layout: String,
    pub lang: String,
    pub bytes: usize,
    pub sha256: String,
    /// SHA-256 of everything that went into the file (content, translation, county row,
    /// layout, logo, font set, broadside version, year).
    pub inputs: String,
}

pub const FILE_NAME: &str = "manifest.json";

/// The largest manifest read (a national run's is a few MB).
pub const MAX_BYTES: u64 = 64 << 20;

/// Whether a manifest entry's path stays inside the manifest's folder: relative, with
/// plain names only.
pub fn is_inside(relative: &str) -> bool {
    let path = Path::new(relative);
    !relative.is_empty()
        && !relative.contains('\\')
        && path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Manifest {
    /// Reads a manifest; `None` if it is missing or unreadable (it is then rebuilt).
    /// Entries whose path leaves the manifest's folder (`..`, absolute) are dropped: the
    /// manifest only ever describes files in its folder.
    pub fn load(path: &Path) -> Option<Manifest> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_file() || meta.len() > MAX_BYTES {
            return None;
        }
        let mut manifest: Manifest = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
        manifest.outputs.retain(|e| is_inside(&e.path));
        Some(manifest)
    }

    pub fn entry(&self, path: &str) -> Option<&Entry> {
        self.outputs.iter().find(|e| e.path == path)
    }

    /// Adds or replaces entries, keeping the list sorted by path.
    pub fn upsert(&mut self, entries: impl IntoIterator<Item = Entry>) {
        for entry in entries {
            match self.outputs.iter_mut().find(|e| e.path == entry.path) {
                Some(old) => *old = entry,
                None => self.outputs.push(entry),
            }
        }
        self.outputs.sort_by(|a, b| a.path.cmp(&b.path));
    }

    /// Combines the manifests of several shards of one run. They must be for the same
    /// campaign and year; warnings are merged without repeats.
    pub fn merge(parts: Vec<Manifest>) -> Result<Manifest, String> {
        let mut merged: Option<Manifest> = None;
        for part in parts {
            match &mut merged {
                None => merged = Some(part),
                Some(m) => {
                    if m.campaign != part.campaign || m.year != part.year {
                        return Err(format!(
                            "cannot merge {} {} with {} {}",
                            m.campaign, m.year, part.campaign, part.year
                        ));
                    }
                    m.upsert(part.outputs);
                    for w in part.warnings {
                        if !m.warnings.contains(&w) {
                            m.warnings.push(w);
                        }
                    }
                }
            }
        }
        let mut merged = merged.ok_or("no manifests to merge")?;
        merged.warnings.sort();
        Ok(merged)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a manifest serializes");
        text.push('\n');
        text
    }
}
