//! The pipeline of one document: resolve → compose (→ separate colours and add marks for
//! print) → preflight → render (→ tiles, or PDF/X-4 for print); and `check` and the proof
//! sheet's entries, which run it without writing.

use super::{Built, Job, Outcome, Session, one_line};
use crate::compose;
use crate::diag::Diagnostic;
use crate::page::Document;
use crate::pdfx::{self, IccProfile};
use crate::render;
use crate::resolve;
use crate::tile;
use rayon::prelude::*;
use std::sync::Arc;

impl Session {
    /// Resolves and composes one job.
    pub fn compose(&self, job: &Job) -> Result<Document, Vec<Diagnostic>> {
        let resolved = resolve::resolve(&self.campaigns[job.campaign], &job.edition)?;
        let layout = &self.layouts[job.layout];
        let mut document = compose::compose(&resolved, layout, &self.fonts)?;
        if job.print {
            // Print paints every colour in CMYK: pinned builds as given, the rest
            // separated from their screen colour through this file's output profile.
            let profile = self.print_profile(job);
            let press = profile.press().ok_or_else(|| {
                vec![Diagnostic::error(format!(
                    "print profile \"{}\" has no colour conversions loaded",
                    profile.description
                ))]
            })?;
            crate::color::separate_document(&mut document, &layout.black, press);
            // Tiles are cut from the trim; press marks outside it would only be clipped.
            if job.tile.is_none() {
                let slug = self.slug(job);
                compose::marks::add_print_marks(&mut document, layout.bleed, &slug, &self.fonts);
            }
        }
        Ok(document)
    }

    /// The output profile of a job's print file: `--icc`, else the layout's `[print] icc`,
    /// else the bundled GRACoL profile.
    pub fn print_profile(&self, job: &Job) -> Arc<IccProfile> {
        self.icc
            .clone()
            .or_else(|| self.layouts[job.layout].icc.clone())
            .unwrap_or_else(IccProfile::default_print)
    }

    /// The line naming a document on press sheets and tiles: campaign, edition, language,
    /// layout, year.
    fn slug(&self, job: &Job) -> String {
        format!(
            "{} · {} · {} · {} · {}",
            self.campaigns[job.campaign].meta.id,
            job.edition.slug,
            job.edition.lang,
            self.layouts[job.layout].name,
            job.edition.year
        )
    }

    /// Composes and renders one job to PDF bytes; print files go on to PDF/X-4.
    pub fn render(&self, job: &Job) -> Result<Vec<u8>, Vec<Diagnostic>> {
        self.render_document(job, &self.compose(job)?)
    }

    /// `d` with the job's edition and layout named after its message: a run makes many
    /// documents, and a stage that works on bytes does not know which one it has.
    pub(super) fn naming_job(&self, job: &Job, mut d: Diagnostic) -> Diagnostic {
        d.message = format!(
            "{} (edition {}, layout `{}`)",
            d.message, job.edition, self.layouts[job.layout].name
        );
        d
    }

    /// Renders a job's composed document to PDF bytes (tiles, or PDF/X-4 for print).
    pub(super) fn render_document(
        &self,
        job: &Job,
        document: &Document,
    ) -> Result<Vec<u8>, Vec<Diagnostic>> {
        let conformance = render::Conformance {
            accessible: !job.print,
            archival: job.archive,
        };
        // Where a stage could not say where the problem is, the edition's inputs are: the
        // campaign when it names a content field, else the layout being drawn.
        let in_context = |d: Diagnostic| {
            let layout = &self.layouts[job.layout];
            let mut d = self.naming_job(job, d);
            if d.location.is_none() {
                let file = match d.field {
                    Some(_) => &self.campaigns[job.campaign].file.path,
                    None => &layout.file.path,
                };
                d = d.in_file(file);
            }
            vec![d]
        };
        if let Some(spec) = job.tile {
            // Palette colours and marks are DeviceCMYK in print tiles, RGB otherwise (office
            // printers take RGB).
            let sheets = tile::sheets(document, spec, &self.slug(job), &self.fonts, job.print)
                .map_err(in_context)?;
            return render::sheets_to_pdf(&sheets, &self.fonts, job.print).map_err(in_context);
        }
        let bytes = render::to_pdf_as(document, &self.fonts, conformance).map_err(in_context)?;
        if !job.print {
            return Ok(bytes);
        }
        // Print files go on to PDF/X-4; the slug names the document across rebuilds.
        pdfx::convert(&bytes, &self.print_profile(job), &self.slug(job)).map_err(in_context)
    }

    /// The print preflight of a composed print job: its warnings, or every finding when
    /// one is an error (the document must not go to press). Screen jobs are checked only
    /// for lines whose ink overlaps, which spoils reading on any medium.
    pub fn preflight_document(
        &self,
        job: &Job,
        document: &Document,
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        if !job.print {
            let collisions = crate::compose::ink::findings(
                document,
                &self.layouts[job.layout],
                &job.edition,
                &self.fonts,
            );
            return if collisions.is_empty() {
                Ok(Vec::new())
            } else {
                Err(collisions)
            };
        }
        let profile = self.print_profile(job);
        let Some(press) = profile.press() else {
            return Err(vec![Diagnostic::error(format!(
                "print profile \"{}\" has no colour conversions loaded",
                profile.description
            ))]);
        };
        let findings = crate::preflight::check(
            document,
            &self.layouts[job.layout],
            &job.edition,
            &self.fonts,
            press,
        );
        if findings.iter().any(Diagnostic::is_error) {
            // Errors first: the failure summary names a document's first problem.
            let mut findings = findings;
            findings.sort_by_key(|d| !d.is_error());
            Err(findings)
        } else {
            Ok(findings)
        }
    }

    /// Does everything `build` does but writing: composes, preflights and renders every
    /// job (fonts subset, images embedded, the PDF validated, PDF/X-4 made for print), so
    /// whatever build would refuse, check refuses first with the same message.
    pub fn check(&self, jobs: Vec<Job>) -> Vec<Outcome> {
        jobs.into_par_iter()
            .map(|job| {
                let result = contained(&job, || {
                    self.compose(&job).and_then(|document| {
                        let warnings = self.preflight_document(&job, &document)?;
                        let bytes = self.render_document(&job, &document)?;
                        Ok(Built {
                            bytes: bytes.len(),
                            written: false,
                            sha256: String::new(),
                            inputs: String::new(),
                            warnings,
                        })
                    })
                });
                Outcome { job, result }
            })
            .collect()
    }

    /// Each job as a proof sheet shows it, in the order given: its first page when it
    /// composes, and what `check` would say of it (failing, with findings, or passing).
    pub fn proof_entries(&self, jobs: Vec<Job>) -> Vec<crate::proof::Entry> {
        use crate::proof::{Entry, Status};
        let first_lines = |ds: &[Diagnostic]| -> Vec<String> { ds.iter().map(one_line).collect() };
        jobs.into_par_iter()
            .map(|job| {
                // The statewide edition's name is translated (its region); labels are set in
                // Latin type, so they name it in English like the counties.
                let name = match job.edition.county {
                    Some(_) => job.edition.name.as_str(),
                    None => "Statewide",
                };
                let label = format!("{name} ({})", job.edition.lang);
                let mut shown = None;
                let result = contained(&job, || {
                    let document = self.compose(&job)?;
                    shown = Some((document.pages.first().cloned(), document.pages.len()));
                    let warnings = self.preflight_document(&job, &document)?;
                    self.render_document(&job, &document)?;
                    Ok(warnings)
                });
                let (page, pages) = shown.unwrap_or((None, 0));
                let status = match result {
                    Err(errors) => Status::Failed(first_lines(&errors)),
                    Ok(findings) if findings.is_empty() => Status::Passed,
                    Ok(findings) => Status::Flagged(first_lines(&findings)),
                };
                Entry {
                    label,
                    page,
                    pages,
                    status,
                }
            })
            .collect()
    }
}

/// Runs one document's work, turning a panic inside it (a bug, or an input no check
/// foresaw) into that document's failure: the rest of the batch still builds.
pub fn contained<T>(
    job: &Job,
    work: impl FnOnce() -> Result<T, Vec<Diagnostic>>,
) -> Result<T, Vec<Diagnostic>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".into());
        Err(vec![
            Diagnostic::error(format!(
                "internal error while making {} (edition {}): {what}",
                job.path.display(),
                job.edition
            ))
            .hint("this is a bug in broadside; the other documents were made. Please report it with the inputs that caused it"),
        ])
    })
}
