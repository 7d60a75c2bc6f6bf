//! Outputs beside the kit's PDFs: PNG previews of each document and proof sheets of a
//! selection (one per campaign and layout, a PDF and a PNG per sheet). `cli` only prints
//! what these wrote.

use super::{Job, Session, contained};
use crate::diag::Diagnostic;
use crate::proof::{ProofSheet, Status};
use std::path::{Path, PathBuf};

/// One proof sheet run: a campaign's layout, its editions' verdicts and what was written.
pub struct Proof {
    pub layout: String,
    pub editions: usize,
    pub failing: usize,
    pub flagged: usize,
    /// The PDF, then a PNG per sheet; or why they could not be written.
    pub written: Result<Vec<PathBuf>, Diagnostic>,
}

impl Session {
    /// Renders a job and writes a PNG of each page at `dpi` beside where its PDF would go
    /// (`<pdf stem>-<page>.png`: year, campaign, edition, layout and language all in the
    /// path, so no preview replaces another). Returns the files written.
    pub fn write_preview(&self, job: &Job, dpi: f32) -> Result<Vec<PathBuf>, Vec<Diagnostic>> {
        let pages = contained(job, || {
            self.render(job).and_then(|pdf| {
                crate::render::preview_png(pdf, dpi).map_err(|e| vec![self.naming_job(job, e)])
            })
        })?;
        let stem = job.path.with_extension("");
        let mut written = Vec::new();
        for (n, png) in pages.iter().enumerate() {
            let path = PathBuf::from(format!("{}-{}.png", stem.display(), n + 1));
            write(&path, png).map_err(|d| vec![d])?;
            written.push(path);
        }
        Ok(written)
    }

    /// Proof sheets for `jobs`: one per campaign and layout, each with its editions in the
    /// order given (the plan's), written into `out` as `<campaign>-<year>-<layout>.pdf`
    /// and a PNG per sheet.
    pub fn write_proofs(
        &self,
        jobs: Vec<Job>,
        sheet: ProofSheet,
        dpi: f32,
        out: &Path,
    ) -> Vec<Proof> {
        let mut groups: Vec<((usize, usize), Vec<Job>)> = Vec::new();
        for job in jobs {
            let key = (job.campaign, job.layout);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, jobs)) => jobs.push(job),
                None => groups.push((key, vec![job])),
            }
        }
        let mut proofs = Vec::new();
        for ((campaign, layout), jobs) in groups {
            let year = jobs[0].edition.year;
            let campaign = &self.campaigns[campaign].meta.id;
            let layout = &self.layouts[layout].name;
            let entries = self.proof_entries(jobs);
            let title = format!("Proof: {campaign} · {layout} · {year}");
            let doc = crate::proof::sheets(&title, &entries, sheet, year, &self.fonts);
            let stem = out.join(format!("{campaign}-{year}-{layout}"));
            let written = crate::render::sheets_to_pdf(&doc, &self.fonts, false).and_then(|pdf| {
                let path = stem.with_extension("pdf");
                write(&path, &pdf)?;
                let mut paths = vec![path];
                for (n, png) in crate::render::preview_png(pdf, dpi)?.iter().enumerate() {
                    let path = PathBuf::from(format!("{}-{}.png", stem.display(), n + 1));
                    write(&path, png)?;
                    paths.push(path);
                }
                Ok(paths)
            });
            proofs.push(Proof {
                layout: layout.clone(),
                editions: entries.len(),
                failing: entries
                    .iter()
                    .filter(|e| matches!(e.status, Status::Failed(_)))
                    .count(),
                flagged: entries
                    .iter()
                    .filter(|e| matches!(e.status, Status::Flagged(_)))
                    .count(),
                written,
            });
        }
        proofs
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    crate::output::write_atomic(path, bytes).map_err(|e| {
        Diagnostic::error(format!("cannot write `{}`: {e}", path.display())).in_file(path)
    })
}
