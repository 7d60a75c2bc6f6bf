//! The session: fonts, layouts and campaigns loaded once and shared read-only by every
//! document of a run, with the problems of all of them reported together.

use super::Options;
use crate::diag::Diagnostic;
use crate::fonts::FontBook;
use crate::model::campaign::Campaign;
use crate::model::layout::Layout;
use crate::pdfx::IccProfile;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Everything parsed once and shared read-only by every edition.
pub struct Session {
    pub fonts: FontBook,
    pub layouts: Vec<Layout>,
    pub campaigns: Vec<Campaign>,
    /// Problems that do not stop a build (e.g. a source without a URL).
    pub warnings: Vec<Diagnostic>,
    /// The font set, part of every output's inputs hash (see [`Session::font_fingerprint`]).
    font_fingerprint: std::sync::OnceLock<String>,
    /// `--icc`: the output profile of every print file.
    pub(super) icc: Option<Arc<IccProfile>>,
}

impl Session {
    /// Loads fonts, layouts and campaigns, reporting the problems of all of them together.
    pub fn load(options: &Options) -> Result<Session, Vec<Diagnostic>> {
        // The campaigns do not depend on the fonts and layouts: read on a second thread,
        // they take a fifth off a one-flyer build (the fonts and layouts are the longer half).
        let (faces_and_layouts, (campaigns, warnings, campaign_problems)) = rayon::join(
            || -> Result<_, Vec<Diagnostic>> {
                let fonts = FontBook::load(&options.font_dirs)?;
                // Only the layouts the run names (all when it names none).
                let layouts =
                    Layout::load_dir_named(&options.layouts, &fonts, &options.layout_names);
                Ok((fonts, layouts))
            },
            || {
                let campaigns = load_campaigns(options);
                // The campaigns are the shorter half: the languages the run names have
                // their hyphenation patterns loaded beside the fonts, not before the first
                // paragraph.
                for lang in &options.languages {
                    crate::compose::linebreak::load_hyphenation(lang);
                }
                campaigns
            },
        );
        let (fonts, layouts) = faces_and_layouts?;
        let mut problems = Vec::new();
        let layouts = layouts.unwrap_or_else(|mut errs| {
            problems.append(&mut errs);
            Vec::new()
        });
        problems.extend(campaign_problems);
        let icc = options.icc.as_ref().and_then(|path| {
            // A bundled profile's name ("GRACoL", "SWOP", "FOGRA39"), else a file.
            path.to_str()
                .and_then(IccProfile::bundled)
                .map_or_else(|| IccProfile::load_for_print(path).map(Arc::new), Ok)
                .map_err(|why| {
                    problems.push(
                        Diagnostic::error(format!(
                            "--icc `{}` cannot be the output intent: {why}",
                            path.display()
                        ))
                        .hint(format!("name a bundled profile ({}) or a CMYK output ICC profile file (class `prtr`), e.g. your printer's", crate::pdfx::icc::bundled_names())),
                    )
                })
                .ok()
        });
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        Ok(Session {
            fonts,
            layouts,
            campaigns,
            warnings,
            font_fingerprint: std::sync::OnceLock::new(),
            icc,
        })
    }
}

impl Session {
    /// The font set as an output's inputs hash sees it: each face's file name and size, and
    /// for a face read from a folder the SHA-256 of its bytes (a font replaced by another of
    /// the same name and size is a change; the faces compiled into the binary change only
    /// with it). Worked out when a run first asks, not when a session loads: `check` and
    /// the previews never need it.
    pub(super) fn font_fingerprint(&self) -> &str {
        self.font_fingerprint.get_or_init(|| {
            let mut faces: Vec<String> = self
                .fonts
                .faces()
                .map(|(_, f)| {
                    let name = f.path.file_name().map(|n| n.to_string_lossy());
                    let mut line = format!("{} {}", name.unwrap_or_default(), f.data.len());
                    if matches!(*f.data, crate::fonts::FontBytes::Mapped(_)) {
                        line.push(' ');
                        line.push_str(&crate::manifest::sha256_hex(&f.data));
                    }
                    line
                })
                .collect();
            faces.sort();
            faces.join("\n")
        })
    }
}

/// Every campaign in the content folder, with only the translations of the languages the
/// run names (all when it names none): the campaigns, their warnings and their problems.
fn load_campaigns(options: &Options) -> (Vec<Campaign>, Vec<Diagnostic>, Vec<Diagnostic>) {
    let (mut campaigns, mut warnings, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    for dir in campaign_dirs(&options.content, &mut problems) {
        match Campaign::load_languages(&dir, &options.languages) {
            Ok((campaign, mut warns)) => {
                warnings.append(&mut warns);
                campaigns.push(campaign);
            }
            Err(mut errs) => problems.append(&mut errs),
        }
    }
    (campaigns, warnings, problems)
}

fn campaign_dirs(content: &Path, problems: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    let entries = match std::fs::read_dir(content) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(
                Diagnostic::error(format!(
                    "cannot read content folder `{}`: {e}",
                    content.display()
                ))
                .hint("run from the repository root, or pass --content"),
            );
            return Vec::new();
        }
    };
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("campaign.toml").is_file())
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        problems.push(
            Diagnostic::error(format!("no campaigns in `{}`", content.display()))
                .hint("a campaign is a folder with a campaign.toml"),
        );
    }
    dirs
}
