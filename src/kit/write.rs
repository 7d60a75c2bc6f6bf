//! Writing a batch: every job in parallel, each PDF written atomically (and only when it
//! changed), documents whose inputs are unchanged skipped per the manifest, and each
//! campaign year's manifest brought up to date with the run's warnings.

use super::{Job, Session, contained};
use crate::diag::Diagnostic;
use crate::manifest::{Entry, Manifest};
use crate::output;
use crate::page::Item;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// How one document ended.
pub struct Outcome {
    pub job: Job,
    pub result: Result<Built, Vec<Diagnostic>>,
}

pub struct Built {
    pub bytes: usize,
    /// False when an identical file was already there.
    pub written: bool,
    pub sha256: String,
    /// Hash of the inputs the file was made from.
    pub inputs: String,
    /// Print preflight warnings: the document went out, but the shop or designer should
    /// know (empty for screen documents and for files left unchanged).
    pub warnings: Vec<Diagnostic>,
}

impl Session {
    /// The manifest path and the output's path relative to it.
    pub(super) fn manifest_place(job: &Job) -> (PathBuf, String) {
        let edition_dir = job
            .path
            .parent()
            .expect("outputs live in an edition folder");
        let campaign_dir = edition_dir
            .parent()
            .expect("editions live in a campaign folder");
        let relative = job
            .path
            .strip_prefix(campaign_dir)
            .expect("inside")
            .to_string_lossy()
            .replace('\\', "/");
        (campaign_dir.join(crate::manifest::FILE_NAME), relative)
    }

    /// Whether a job's file is there and was made from the same inputs, per the manifest.
    pub fn up_to_date(&self, job: &Job, manifest: Option<&Manifest>) -> Option<Built> {
        let (_, relative) = Self::manifest_place(job);
        let entry = manifest?.entry(&relative)?;
        let inputs = self.inputs_hash(job);
        if entry.inputs != inputs {
            return None;
        }
        let bytes = std::fs::read(&job.path).ok()?;
        let sha256 = crate::manifest::sha256_hex(&bytes);
        (sha256 == entry.sha256).then_some(Built {
            bytes: bytes.len(),
            written: false,
            sha256,
            inputs,
            warnings: Vec::new(),
        })
    }

    /// Builds every job, in parallel, writing each PDF atomically; `done` hears about each
    /// as it finishes. A job whose file is there and whose inputs are unchanged (per the
    /// manifest) is not composed again. A failing job writes nothing and does not stop the
    /// others. Outcomes come back in job order; then the manifests are brought up to date.
    pub fn build(&self, jobs: Vec<Job>, done: &(dyn Fn(&Outcome) + Sync)) -> Vec<Outcome> {
        let (outcomes, problems) = self.build_reporting(jobs, done);
        for d in problems {
            eprintln!("{d}");
        }
        outcomes
    }

    /// [`Session::build`], returning the problems of writing the manifests (which the
    /// command line turns into a non-zero exit) instead of printing them.
    pub fn build_reporting(
        &self,
        jobs: Vec<Job>,
        done: &(dyn Fn(&Outcome) + Sync),
    ) -> (Vec<Outcome>, Vec<Diagnostic>) {
        self.remove_stale_temporaries(&jobs);
        let mut manifests: std::collections::BTreeMap<PathBuf, Option<Manifest>> =
            Default::default();
        for job in &jobs {
            let (path, _) = Self::manifest_place(job);
            manifests
                .entry(path.clone())
                .or_insert_with(|| Manifest::load(&path));
        }
        let outcomes: Vec<Outcome> = jobs
            .into_par_iter()
            .map(|job| {
                let (manifest_path, _) = Self::manifest_place(&job);
                let known = manifests.get(&manifest_path).and_then(Option::as_ref);
                let result = contained(&job, || match self.up_to_date(&job, known) {
                    Some(built) => Ok(built),
                    // Composed once: the print preflight looks at the same document that
                    // is rendered.
                    None => self.compose(&job).and_then(|document| {
                        let warnings = self.preflight_document(&job, &document)?;
                        let bytes = self.render_document(&job, &document)?;
                        // A document set in a Chinese or Korean face compiled into the
                        // binary hands its pages back (the whole kit's peak memory); one
                        // that only looked a character up in one (a fallback) leaves them
                        // to the next such document.
                        let reads_large_face = document.pages.iter().any(|page| {
                            Item::any(&page.items, &mut |item| {
                                matches!(item, Item::Text(run)
                                    if self.fonts.face(run.font).is_large_builtin())
                            })
                        });
                        if reads_large_face {
                            crate::fonts::release_large_builtin_faces();
                        }
                        let written = output::write_if_changed(&job.path, &bytes).map_err(|e| {
                            vec![Diagnostic::error(format!(
                                "cannot write `{}`: {e}",
                                job.path.display()
                            ))]
                        })?;
                        Ok(Built {
                            bytes: bytes.len(),
                            written,
                            sha256: crate::manifest::sha256_hex(&bytes),
                            inputs: self.inputs_hash(&job),
                            warnings,
                        })
                    }),
                });
                let outcome = Outcome { job, result };
                done(&outcome);
                outcome
            })
            .collect();
        let problems = self.update_manifests(&outcomes, manifests);
        (outcomes, problems)
    }

    /// Removes the temporary files (`.<name>.tmp-<pid>-<n>`) a killed run left in the
    /// folders these jobs write to. Called under the output folder's lock, so no other
    /// run is writing them.
    fn remove_stale_temporaries(&self, jobs: &[Job]) {
        let mut dirs: std::collections::BTreeSet<&Path> = Default::default();
        for job in jobs {
            if let Some(edition_dir) = job.path.parent() {
                dirs.insert(edition_dir);
                if let Some(campaign_dir) = edition_dir.parent() {
                    dirs.insert(campaign_dir);
                }
            }
        }
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if output::is_temporary(&name) && entry.file_type().is_ok_and(|t| t.is_file()) {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }

    /// Records the built files in each campaign year's manifest, keeping the entries of
    /// files this run did not touch, and writes it only if it changed.
    fn update_manifests(
        &self,
        outcomes: &[Outcome],
        mut manifests: std::collections::BTreeMap<PathBuf, Option<Manifest>>,
    ) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        // Preflight warnings are kept per output file (`preflight <path>: …`): a file this
        // run rebuilt gets its new ones, a file left unchanged keeps those it was built with.
        // Per manifest: the files rebuilt, and their warning lines.
        let mut preflight: std::collections::BTreeMap<PathBuf, (Vec<String>, Vec<String>)> =
            Default::default();
        for outcome in outcomes {
            let Ok(built) = &outcome.result else { continue };
            let job = &outcome.job;
            let (path, relative) = Self::manifest_place(job);
            if built.written || !built.warnings.is_empty() {
                let (files, lines) = preflight.entry(path.clone()).or_default();
                files.push(relative.clone());
                lines.extend(
                    built
                        .warnings
                        .iter()
                        .map(|w| format!("{}{}", preflight_prefix(&relative), one_line(w))),
                );
            }
            let campaign = &self.campaigns[job.campaign];
            let manifest = manifests
                .entry(path)
                .or_default()
                .get_or_insert_with(|| Manifest {
                    campaign: campaign.meta.id.clone(),
                    year: job.edition.year,
                    ..Manifest::default()
                });
            manifest.upsert([Entry {
                path: relative,
                edition: job.edition.slug.clone(),
                layout: self.layouts[job.layout].name.clone(),
                lang: job.edition.lang.clone(),
                bytes: built.bytes,
                sha256: built.sha256.clone(),
                inputs: built.inputs.clone(),
            }]);
        }
        for (path, manifest) in manifests {
            let Some(mut manifest) = manifest else {
                continue;
            };
            let dir = path.parent().expect("manifest folder");
            // Forget files that are gone, and entries (hand-edited) that point outside the
            // folder; keep the warnings of this run.
            manifest
                .outputs
                .retain(|e| crate::manifest::is_inside(&e.path) && dir.join(&e.path).is_file());
            let campaign = self
                .campaigns
                .iter()
                .position(|c| c.meta.id == manifest.campaign);
            // This campaign's warnings only (each names a file in its folder).
            let campaign_dir = campaign.map(|ci| self.campaigns[ci].dir.clone());
            let mut warnings: Vec<String> = self
                .warnings
                .iter()
                .filter(|w| match (&w.location, &campaign_dir) {
                    (Some(loc), Some(dir)) => loc.file.starts_with(dir),
                    _ => true,
                })
                .map(one_line)
                .collect();
            if let Some(ci) = campaign {
                warnings.extend(self.stale_sources(ci, manifest.year).iter().map(one_line));
            }
            let (rebuilt, fresh) = preflight.remove(&path).unwrap_or_default();
            let kept = manifest.warnings.iter().filter(|w| {
                w.strip_prefix("preflight ")
                    .and_then(|rest| rest.split_once(": "))
                    .is_some_and(|(file, _)| {
                        dir.join(file).is_file() && !rebuilt.iter().any(|r| r == file)
                    })
            });
            warnings.extend(kept.cloned());
            warnings.extend(fresh);
            warnings.sort();
            warnings.dedup();
            manifest.warnings = warnings;
            if let Err(e) = output::write_if_changed(&path, manifest.to_json().as_bytes()) {
                problems.push(
                    Diagnostic::error(format!("cannot write the manifest: {e}"))
                        .in_file(&path)
                        .hint("the PDFs were written, but the next run cannot tell they are up to date; make the folder writable and build again"),
                );
            }
        }
        problems
    }
}

/// How a manifest warning line from the print preflight starts: the output it is about.
fn preflight_prefix(relative: &str) -> String {
    format!("preflight {relative}: ")
}

/// A diagnostic on one line, for the manifest.
pub(crate) fn one_line(d: &Diagnostic) -> String {
    let mut line = d.message.clone();
    if let Some(loc) = &d.location {
        line.push_str(&format!(" ({}", loc.file.display()));
        if let Some((l, c)) = loc.line_col {
            line.push_str(&format!(":{l}:{c}"));
        }
        line.push(')');
    }
    line
}
