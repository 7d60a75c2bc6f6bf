//! The defaults compiled into the binary: the bundled fonts, the three layouts and the
//! shipped campaign, so an installed `broadside` works from any folder (the ICC profile is
//! embedded by [`crate::pdfx::icc`]).
//!
//! Paths are the files' places in the repository; they name embedded files in messages
//! (`<built-in>/layouts/flyer-letter.toml`) and give `broadside init` the names to write.

use std::path::{Path, PathBuf};

/// The prefix of an embedded file's path in diagnostics and `broadside fonts`.
pub const BUILTIN: &str = "<built-in>";

/// Every font under `fonts/`, in the order a folder walk sorts them (face ids must not
/// depend on whether a face came from the binary or from the folder).
///
/// A `static`, not a `const`: a constant's bytes may be copied into each place that uses
/// it, and one more use had put a second copy of every CJK face (10.8 MB) in the binary.
pub static FONTS: &[(&str, &[u8])] = &[
    (
        "fonts/NotoSans-Bold.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/NotoSans-Bold.ttf"
        )),
    ),
    (
        "fonts/NotoSans-BoldItalic.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/NotoSans-BoldItalic.ttf"
        )),
    ),
    (
        "fonts/NotoSans-Italic.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/NotoSans-Italic.ttf"
        )),
    ),
    (
        "fonts/NotoSans-Regular.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/NotoSans-Regular.ttf"
        )),
    ),
    (
        "fonts/Oswald-Bold.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/Oswald-Bold.ttf"
        )),
    ),
    (
        "fonts/Oswald-SemiBold.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/Oswald-SemiBold.ttf"
        )),
    ),
    (
        "fonts/cjk/NotoSansCJKKR-Bold-subset.otf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/cjk/NotoSansCJKKR-Bold-subset.otf"
        )),
    ),
    (
        "fonts/cjk/NotoSansCJKKR-Regular-subset.otf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/cjk/NotoSansCJKKR-Regular-subset.otf"
        )),
    ),
    (
        "fonts/cjk/NotoSansCJKTC-Bold-subset.otf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/cjk/NotoSansCJKTC-Bold-subset.otf"
        )),
    ),
    (
        "fonts/cjk/NotoSansCJKTC-Regular-subset.otf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/cjk/NotoSansCJKTC-Regular-subset.otf"
        )),
    ),
    (
        "fonts/lang/NotoSansArabic-Bold.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansArabic-Bold.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansArabic-Regular.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansArabic-Regular.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansArmenian-Bold.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansArmenian-Bold.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansArmenian-Regular.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansArmenian-Regular.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansDevanagari-Bold.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansDevanagari-Bold.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansDevanagari-Regular.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansDevanagari-Regular.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansGurmukhi-Bold.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansGurmukhi-Bold.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansGurmukhi-Regular.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansGurmukhi-Regular.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansKhmer-Bold.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansKhmer-Bold.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansKhmer-Regular.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansKhmer-Regular.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansLao-Bold.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansLao-Bold.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansLao-Regular.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansLao-Regular.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansThai-Bold.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansThai-Bold.ttf"
        )),
    ),
    (
        "fonts/lang/NotoSansThai-Regular.ttf",
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fonts/lang/NotoSansThai-Regular.ttf"
        )),
    ),
];

/// The shipped layouts.
pub const LAYOUTS: &[(&str, &str)] = &[
    (
        "layouts/factsheet-letter.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/layouts/factsheet-letter.toml"
        )),
    ),
    (
        "layouts/flyer-letter.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/layouts/flyer-letter.toml"
        )),
    ),
    (
        "layouts/poster-18x24.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/layouts/poster-18x24.toml"
        )),
    ),
];

/// The shipped campaign (`broadside init` copies it into a new kit).
pub const CAMPAIGN: &[(&str, &str)] = &[
    (
        "content/trafficking-prevention/campaign.ar.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/trafficking-prevention/campaign.ar.toml"
        )),
    ),
    (
        "content/trafficking-prevention/campaign.es.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/trafficking-prevention/campaign.es.toml"
        )),
    ),
    (
        "content/trafficking-prevention/campaign.ko.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/trafficking-prevention/campaign.ko.toml"
        )),
    ),
    (
        "content/trafficking-prevention/campaign.tl.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/trafficking-prevention/campaign.tl.toml"
        )),
    ),
    (
        "content/trafficking-prevention/campaign.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/trafficking-prevention/campaign.toml"
        )),
    ),
    (
        "content/trafficking-prevention/campaign.vi.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/trafficking-prevention/campaign.vi.toml"
        )),
    ),
    (
        "content/trafficking-prevention/campaign.zh-Hant.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/trafficking-prevention/campaign.zh-Hant.toml"
        )),
    ),
    (
        "content/trafficking-prevention/counties.csv",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/content/trafficking-prevention/counties.csv"
        )),
    ),
];

/// The path under which an embedded file is reported, e.g. `<built-in>/layouts/x.toml`.
pub fn builtin_path(relative: &str) -> PathBuf {
    Path::new(BUILTIN).join(relative)
}

/// The text of an embedded layout or campaign file named by its `<built-in>/…` path.
pub fn builtin_text(path: &Path) -> Option<&'static str> {
    let relative = path.strip_prefix(BUILTIN).ok()?;
    LAYOUTS
        .iter()
        .chain(CAMPAIGN)
        .find(|(p, _)| Path::new(p) == relative)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_match_the_repository() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for (path, bytes) in FONTS {
            assert_eq!(std::fs::read(root.join(path)).unwrap(), *bytes, "{path}");
        }
        // Every font in the folder is embedded.
        let mut on_disk = 0;
        let mut stack = vec![root.join("fonts")];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "ttf" || x == "otf") {
                    on_disk += 1;
                }
            }
        }
        assert_eq!(on_disk, FONTS.len());
        assert_eq!(
            LAYOUTS.len(),
            std::fs::read_dir(root.join("layouts")).unwrap().count()
        );
        assert_eq!(
            builtin_text(&builtin_path("layouts/flyer-letter.toml")),
            Some(LAYOUTS[1].1)
        );
    }
}
