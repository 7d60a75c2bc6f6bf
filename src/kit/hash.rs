//! Incremental builds: a hash of everything a document is made from. Equal hashes mean the
//! PDF would come out the same, so the manifest can skip composing it again.

use super::{Job, Session};
use crate::model::counties::County;
use std::path::Path;

/// What broadside writes for the same inputs, by revision: raised by every change of the
/// code that changes the bytes of a PDF (a layout decision, a deflate level), so that a
/// kit built before it is built again rather than kept as "unchanged" beside new files.
/// The package version alone stays put between releases. 2: size searches stop at 0.05 pt
/// and streams are deflated at level 5 (December 2026).
pub const OUTPUT_REVISION: u32 = 2;

impl Session {
    /// A hash of everything a job's PDF is made from: the campaign and translation files,
    /// the county's row, its logo, the layout file, the font set, the year, the version of
    /// broadside and its [`OUTPUT_REVISION`]. Equal hashes mean the PDF would come out the
    /// same.
    pub fn inputs_hash(&self, job: &Job) -> String {
        let campaign = &self.campaigns[job.campaign];
        let mut inputs: Vec<u8> = Vec::new();
        let mut add = |label: &str, bytes: &[u8]| {
            inputs.extend_from_slice(label.as_bytes());
            inputs.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            inputs.extend_from_slice(bytes);
        };
        add("broadside", env!("CARGO_PKG_VERSION").as_bytes());
        add("output", OUTPUT_REVISION.to_string().as_bytes());
        add("year", job.edition.year.to_string().as_bytes());
        add("lang", job.edition.lang.as_bytes());
        // The files by their digests, each worked out once a run (`SourceFile::digest`):
        // every document of a campaign hashed its 25 KB of campaign and layout text again.
        add("campaign", &campaign.file.digest());
        if let Some(t) = campaign.translation(&job.edition.lang) {
            add("translation", &t.file.digest());
        }
        if let Some(county) = &job.edition.county {
            add("county", &county_bytes(county, &campaign.dir));
            if let Some(logo) = &county.logo {
                // Only a regular file of a size an image may have is read here (a pipe
                // would block); anything else is refused when the document is composed.
                let readable = std::fs::metadata(logo).is_ok_and(|m| {
                    m.is_file() && m.len() <= crate::page::image_limits::MAX_FILE_BYTES
                });
                let bytes = if readable {
                    std::fs::read(logo).unwrap_or_default()
                } else {
                    Vec::new()
                };
                add("logo", &bytes);
            }
        }
        add("layout", &self.layouts[job.layout].file.digest());
        add("fonts", self.font_fingerprint().as_bytes());
        let mode: &[u8] = match (job.print, job.archive) {
            (true, _) => b"print",
            (false, true) => b"archive",
            (false, false) => b"screen",
        };
        add("mode", mode);
        if let Some(spec) = job.tile {
            add(
                "tile",
                format!("{} {}", spec.sheet, spec.overlap.0.to_bits()).as_bytes(),
            );
        }
        if job.print {
            add("icc", self.print_profile(job).sha256.as_bytes());
        }
        crate::manifest::sha256_hex(&inputs)
    }
}

/// A county row in a fixed form, never `Debug` text (which is not a stable format): each
/// field named and length-prefixed in a fixed order; a list item by item; a map in its keys'
/// order (sorted, as a `BTreeMap` keeps them, whatever order the sheet's columns came in).
/// An absent value and an empty one differ.
pub fn county_bytes(county: &County, campaign_dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    let mut field = |name: &str, value: Option<&str>| {
        out.extend_from_slice(name.as_bytes());
        match value {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                out.extend_from_slice(&(v.len() as u64).to_le_bytes());
                out.extend_from_slice(v.as_bytes());
            }
        }
    };
    field("name", Some(&county.name));
    field("seat", Some(&county.seat));
    for lang in &county.languages {
        field("language", Some(lang));
    }
    // The logo by its path in the campaign folder with `/` between parts, the same on every
    // platform and wherever the kit lives; its bytes are hashed beside the row.
    let logo = county.logo.as_ref().map(|p| {
        p.strip_prefix(campaign_dir)
            .unwrap_or(p)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    });
    field("logo", logo.as_deref());
    field("logo_alt", county.logo_alt.as_deref());
    for (key, value) in &county.overrides {
        field("var", Some(key));
        field("=", Some(value));
    }
    for (key, value) in &county.extras {
        field("extra", Some(key));
        field("=", Some(value));
    }
    // Cells for one language (`program:es`): language, column, text.
    for (lang, cells) in &county.localized {
        for (column, text) in cells {
            field("localized", Some(lang));
            field("column", Some(column));
            field("=", Some(text));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::Options;

    fn county(overrides: &[(&str, &str)]) -> County {
        County {
            name: "Contra Costa".into(),
            slug: "contra-costa".into(),
            seat: "Martinez".into(),
            languages: vec!["en".into(), "es".into()],
            logo: Some(
                Path::new("/kit/content/c")
                    .join("logos")
                    .join("contra-costa.png"),
            ),
            logo_alt: Some("Contra Costa County seal".into()),
            overrides: overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            extras: [("local".to_string(), "Call 211".to_string())].into(),
            localized: Default::default(),
            location: crate::diag::Location {
                file: "counties.csv".into(),
                line_col: Some((8, 1)),
            },
        }
    }

    #[test]
    fn a_county_row_hashes_the_same_whatever_its_columns_order() {
        let one = county(&[("phone", "(925) 555-0100"), ("contact", "Ana")]);
        let other = county(&[("contact", "Ana"), ("phone", "(925) 555-0100")]);
        assert_eq!(county_bytes(&one, dir()), county_bytes(&other, dir()));
        // Pinned: the form is part of every manifest; changing it (or the Rust version's
        // Debug output, which it no longer uses) must be a decision, not an accident.
        assert_eq!(
            crate::manifest::sha256_hex(&county_bytes(&one, dir())),
            PINNED_COUNTY_HASH
        );
    }

    fn dir() -> &'static Path {
        Path::new("/kit/content/c")
    }

    #[test]
    fn a_logo_counts_by_its_place_in_the_campaign_not_the_kit_s() {
        let here = county(&[]);
        let mut moved = here.clone();
        moved.logo = Some(Path::new("/elsewhere/c/logos/contra-costa.png").into());
        assert_eq!(
            county_bytes(&here, dir()),
            county_bytes(&moved, Path::new("/elsewhere/c"))
        );
    }

    const PINNED_COUNTY_HASH: &str =
        "f04879daefae6494fd77e34ccff0c0d3a0db292f5b635283c592eddc08637a3f";

    #[test]
    fn every_field_of_the_row_counts() {
        let base = county(&[("phone", "1")]);
        let mut changed = vec![];
        let mut c = base.clone();
        c.seat = "Concord".into();
        changed.push(c);
        let mut c = base.clone();
        c.languages.reverse();
        changed.push(c);
        let mut c = base.clone();
        c.logo_alt = None;
        changed.push(c);
        let mut c = base.clone();
        c.logo_alt = Some(String::new());
        changed.push(c);
        let mut c = base.clone();
        c.overrides.insert("phone".into(), "2".into());
        changed.push(c);
        let mut c = base.clone();
        c.extras.clear();
        changed.push(c);
        let mut c = base.clone();
        c.localized.insert(
            "es".into(),
            [("program".to_string(), "Programa".to_string())].into(),
        );
        changed.push(c);
        let mut seen = vec![county_bytes(&base, dir())];
        for c in &changed {
            let bytes = county_bytes(c, dir());
            assert!(!seen.contains(&bytes), "{c:?}");
            seen.push(bytes);
        }
    }

    /// A folder font replaced by another file of the same name and size (here the same
    /// face with one table's checksum changed) changes every output's inputs hash, so
    /// `--due` rebuilds; the same file again gives the same hash.
    #[test]
    fn a_folder_font_replaced_by_one_of_the_same_name_and_size_counts() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let original = std::fs::read(root.join("fonts/Oswald-Bold.ttf")).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let font = dir.path().join("Oswald-Bold.ttf");
        let hash_with = |bytes: &[u8]| {
            std::fs::write(&font, bytes).unwrap();
            let mut options = Options {
                year: Some(2027),
                counties: vec!["alameda".into()],
                layout_names: vec!["flyer-letter".into()],
                ..Options::at(root)
            };
            options.font_dirs.push(dir.path().to_path_buf());
            let session = Session::load(&options).unwrap();
            let jobs = session.plan(&options).unwrap();
            session.inputs_hash(&jobs[0])
        };
        // The first table record's checksum (bytes 16..20): not a copy of the built-in
        // face, so the folder's face is the one used, and still a font.
        let mut one = original.clone();
        one[16] ^= 0x55;
        let mut other = original;
        other[17] ^= 0x55;
        let first = hash_with(&one);
        assert_ne!(hash_with(&other), first);
        assert_eq!(hash_with(&one), first);
    }

    /// The kit's Alameda flyer in English, 2027.
    fn alameda_flyer() -> Options {
        Options {
            year: Some(2027),
            counties: vec!["alameda".into()],
            layout_names: vec!["flyer-letter".into()],
            ..Options::at(Path::new(env!("CARGO_MANIFEST_DIR")))
        }
    }

    #[test]
    fn inputs_hash_is_the_same_across_sessions() {
        let options = alameda_flyer();
        let hashes = || {
            let session = Session::load(&options).unwrap();
            let jobs = session.plan(&options).unwrap();
            jobs.iter()
                .map(|j| session.inputs_hash(j))
                .collect::<Vec<_>>()
        };
        let first = hashes();
        assert_eq!(first.len(), 1);
        assert_eq!(first, hashes());
    }

    /// The campaign and layout files count by their text (through their digests): one
    /// character more in either is another hash.
    #[test]
    fn an_edited_campaign_or_layout_is_another_hash() {
        let options = alameda_flyer();
        let mut session = Session::load(&options).unwrap();
        let job = session.plan(&options).unwrap().remove(0);
        let before = session.inputs_hash(&job);
        let edited = |file: &crate::diag::SourceFile| {
            crate::diag::SourceFile::new(&file.path, format!("{}\n", file.text))
        };
        let campaign = &mut session.campaigns[job.campaign];
        campaign.file = edited(&campaign.file);
        let campaign_edited = session.inputs_hash(&job);
        assert_ne!(campaign_edited, before);
        let layout = &mut session.layouts[job.layout];
        layout.file = edited(&layout.file);
        assert_ne!(session.inputs_hash(&job), campaign_edited);
    }
}
