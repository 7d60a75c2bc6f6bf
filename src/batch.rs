//! Batch: loads fonts, layouts and campaigns once, plans the editions a command asks for,
//! and drives each through resolve → compose → render → output, reporting every failure
//! while the rest still build.

use crate::compose::{self, Document};
use crate::diag::{Diagnostic, closest, one_of};
use crate::fonts::FontBook;
use crate::manifest::{Entry, Manifest};
use crate::model::campaign::Campaign;
use crate::model::layout::Layout;
use crate::output;
use crate::pdfx::{self, IccProfile};
use crate::render;
use crate::resolve::{self, Edition};
use crate::tile::{self, TileSpec};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where inputs come from and which editions to build.
#[derive(Debug, Clone)]
pub struct Options {
    /// The folder of campaigns (`content/`); each sub-folder with a `campaign.toml` is one.
    pub content: PathBuf,
    pub layouts: PathBuf,
    /// `fonts/` plus any `--font-dir`.
    pub font_dirs: Vec<PathBuf>,
    pub out: PathBuf,
    pub year: Option<i32>,
    pub campaigns: Vec<String>,
    /// County names or slugs; `statewide` selects the statewide edition.
    pub counties: Vec<String>,
    pub layout_names: Vec<String>,
    /// Only these languages (BCP 47 tags); all of each edition's languages when empty.
    pub languages: Vec<String>,
    /// Today's date, for working out the upcoming observance; `None` reads the clock.
    pub today: Option<jiff::civil::Date>,
    /// Build only shard `i` of `n` (1-based): a deterministic share of the jobs.
    pub shard: Option<(usize, usize)>,
    /// Print mode: bleed and trim boxes, crop marks, a slug line, DeviceCMYK colours.
    pub print: bool,
    /// Archival screen editions: PDF/A-2a as well as PDF/UA-1.
    pub archive: bool,
    /// Tile documents too big for this sheet over several sheets (`--tile`).
    pub tile: Option<TileSpec>,
    /// The CMYK output profile for print files (`--icc`), over any layout's `[print] icc`.
    pub icc: Option<PathBuf>,
}

impl Options {
    /// Everything from the standard folders under `root` (`content/`, `layouts/`,
    /// `fonts/`, output to `out/`), every campaign, edition, language and layout.
    pub fn at(root: &Path) -> Options {
        Options {
            content: root.join("content"),
            layouts: root.join("layouts"),
            font_dirs: vec![root.join("fonts")],
            out: root.join("out"),
            year: None,
            campaigns: Vec::new(),
            counties: Vec::new(),
            layout_names: Vec::new(),
            languages: Vec::new(),
            today: None,
            shard: None,
            print: false,
            archive: false,
            tile: None,
            icc: None,
        }
    }
}

/// Everything parsed once and shared read-only by every edition.
pub struct Session {
    pub fonts: FontBook,
    pub layouts: Vec<Layout>,
    pub campaigns: Vec<Campaign>,
    /// Problems that do not stop a build (e.g. a source without a URL).
    pub warnings: Vec<Diagnostic>,
    /// The font set's names and sizes, part of every output's inputs hash.
    font_fingerprint: String,
    /// `--icc`: the output profile of every print file.
    icc: Option<Arc<IccProfile>>,
}

/// One document to make: a campaign edition in one layout.
#[derive(Debug, Clone)]
pub struct Job {
    pub campaign: usize,
    pub layout: usize,
    pub edition: Edition,
    pub path: PathBuf,
    /// A print-mode PDF (`<layout>[.<lang>].print.pdf`).
    pub print: bool,
    /// An archival PDF/A-2a screen edition (`<layout>[.<lang>].archive.pdf`).
    pub archive: bool,
    /// The document's pages tiled over sheets (`<layout>[.<lang>][.print].tiles-<sheet>.pdf`).
    pub tile: Option<TileSpec>,
}

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
    /// Loads fonts, layouts and campaigns, reporting the problems of all of them together.
    pub fn load(options: &Options) -> Result<Session, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let fonts = FontBook::load(&options.font_dirs)?;
        let layouts = Layout::load_dir(&options.layouts, &fonts).unwrap_or_else(|mut errs| {
            problems.append(&mut errs);
            Vec::new()
        });
        let mut campaigns = Vec::new();
        let mut warnings = Vec::new();
        for dir in campaign_dirs(&options.content, &mut problems) {
            match Campaign::load(&dir) {
                Ok((campaign, mut warns)) => {
                    warnings.append(&mut warns);
                    campaigns.push(campaign);
                }
                Err(mut errs) => problems.append(&mut errs),
            }
        }
        let icc = options.icc.as_ref().and_then(|path| {
            IccProfile::load_for_print(path)
                .map(Arc::new)
                .map_err(|why| {
                    problems.push(
                        Diagnostic::error(format!(
                            "--icc `{}` cannot be the output intent: {why}",
                            path.display()
                        ))
                        .hint("name a CMYK output ICC profile (class `prtr`), e.g. your printer's GRACoL or FOGRA profile"),
                    )
                })
                .ok()
        });
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        let mut fingerprint: Vec<String> = fonts
            .faces()
            .map(|(_, f)| {
                format!(
                    "{} {}",
                    f.path
                        .file_name()
                        .map(|n| n.to_string_lossy())
                        .unwrap_or_default(),
                    f.data.len()
                )
            })
            .collect();
        fingerprint.sort();
        Ok(Session {
            fonts,
            layouts,
            campaigns,
            warnings,
            font_fingerprint: fingerprint.join("\n"),
            icc,
        })
    }

    /// The jobs the options select, or every reason the selection is wrong.
    pub fn plan(&self, options: &Options) -> Result<Vec<Job>, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let mut layouts: Vec<usize> = select(
            "layout",
            &options.layout_names,
            self.layouts.iter().map(|l| l.name.as_str()),
            &mut problems,
        );
        if let Some(spec) = options.tile {
            // Only what an office printer cannot print whole is tiled (see `tile_notes`).
            layouts.retain(|&li| !self.fits_on_sheet(li, spec));
            for &li in &layouts {
                let layout = &self.layouts[li];
                if let Err(e) = tile::Grid::plan(layout.width.0, layout.height.0, spec) {
                    problems.push(
                        Diagnostic::error(format!("cannot tile layout `{}`: {e}", layout.name))
                            .field("--tile-overlap")
                            .hint("give a smaller --tile-overlap (the default is 0.5in) or a larger --tile sheet"),
                    );
                }
            }
        }
        let campaigns = select(
            "campaign",
            &options.campaigns,
            self.campaigns.iter().map(|c| c.meta.id.as_str()),
            &mut problems,
        );
        let mut jobs = Vec::new();
        for ci in campaigns {
            let campaign = &self.campaigns[ci];
            let year = options
                .year
                .unwrap_or_else(|| upcoming_year(campaign.meta.observance.month, options.today));
            // The statewide edition in every language the campaign has; each county in the
            // languages of its row (the base language when the cell is empty).
            let slugs: Vec<&str> = std::iter::once("statewide")
                .chain(campaign.counties.iter().map(|c| c.slug.as_str()))
                .collect();
            let picked: Vec<usize> = if options.counties.is_empty() {
                (0..slugs.len()).collect()
            } else {
                let wanted: Vec<String> = options
                    .counties
                    .iter()
                    .map(|c| crate::model::counties::slug(c.trim_end_matches(" County")))
                    .collect();
                select("county", &wanted, slugs.iter().copied(), &mut problems)
            };
            let languages = campaign.languages();
            for lang in &options.languages {
                if !languages.contains(&lang.as_str()) {
                    let d = Diagnostic::error(format!(
                        "campaign `{}` has no language `{lang}`",
                        campaign.meta.id
                    ))
                    .hint(format!("languages: {}", one_of(languages.iter().copied())));
                    problems.push(d);
                }
            }
            let wanted_lang = |lang: &str| {
                options.languages.is_empty() || options.languages.iter().any(|l| l == lang)
            };
            let mut editions = Vec::new();
            for i in picked {
                if i == 0 {
                    editions.extend(
                        languages
                            .iter()
                            .filter(|l| wanted_lang(l))
                            .map(|l| Edition::statewide(campaign, l, year)),
                    );
                    continue;
                }
                let county = &campaign.counties[i - 1];
                let county_langs: Vec<&str> = if county.languages.is_empty() {
                    vec![campaign.meta.lang.as_str()]
                } else {
                    county.languages.iter().map(String::as_str).collect()
                };
                editions.extend(
                    county_langs
                        .into_iter()
                        .filter(|l| wanted_lang(l))
                        .map(|l| Edition::for_county(campaign, county, l, year)),
                );
            }
            for edition in editions {
                for &li in &layouts {
                    // The base language keeps the plain name; others add their tag.
                    let mut name = self.layouts[li].name.clone();
                    if !edition.is_base_language(campaign) {
                        name = format!("{name}.{}", edition.lang);
                    }
                    if options.print {
                        name.push_str(".print");
                    } else if options.archive && options.tile.is_none() {
                        name.push_str(".archive");
                    }
                    if let Some(spec) = options.tile {
                        name = format!("{name}.tiles-{}", spec.sheet);
                    }
                    let name = format!("{name}.pdf");
                    let path = options
                        .out
                        .join(year.to_string())
                        .join(&campaign.meta.id)
                        .join(&edition.slug)
                        .join(name);
                    jobs.push(Job {
                        campaign: ci,
                        layout: li,
                        edition: edition.clone(),
                        path,
                        print: options.print,
                        archive: options.archive && !options.print && options.tile.is_none(),
                        tile: options.tile,
                    });
                }
            }
        }
        if let Some((i, n)) = options.shard {
            if n == 0 || i == 0 || i > n {
                problems.push(
                    Diagnostic::error(format!("shard {i}/{n} does not exist"))
                        .hint("write --shard I/N with 1 ≤ I ≤ N"),
                );
            } else {
                // Jobs are planned in a fixed order (campaign, edition, language, layout), so
                // taking every n-th one is the same split on every machine.
                jobs = jobs
                    .into_iter()
                    .enumerate()
                    .filter(|(k, _)| k % n == i - 1)
                    .map(|(_, j)| j)
                    .collect();
            }
        }
        if problems.is_empty() {
            Ok(jobs)
        } else {
            Err(problems)
        }
    }

    /// A hash of everything a job's PDF is made from: the campaign and translation files,
    /// the county's row, its logo, the layout file, the font set, the year and the
    /// version of broadside. Equal hashes mean the PDF would come out the same.
    pub fn inputs_hash(&self, job: &Job) -> String {
        let campaign = &self.campaigns[job.campaign];
        let mut inputs: Vec<u8> = Vec::new();
        let mut add = |label: &str, bytes: &[u8]| {
            inputs.extend_from_slice(label.as_bytes());
            inputs.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            inputs.extend_from_slice(bytes);
        };
        add("broadside", env!("CARGO_PKG_VERSION").as_bytes());
        add("year", job.edition.year.to_string().as_bytes());
        add("lang", job.edition.lang.as_bytes());
        add("campaign", campaign.file.text.as_bytes());
        if let Some(t) = campaign.translation(&job.edition.lang) {
            add("translation", t.file.text.as_bytes());
        }
        if let Some(county) = &job.edition.county {
            let row = format!(
                "{}|{}|{:?}|{:?}|{:?}|{:?}|{:?}",
                county.name,
                county.seat,
                county.languages,
                county.logo,
                county.logo_alt,
                county.overrides,
                county.extras
            );
            add("county", row.as_bytes());
            if let Some(logo) = &county.logo {
                // Only a regular file of a size an image may have is read here (a pipe
                // would block); anything else is refused when the document is composed.
                let readable = std::fs::metadata(logo).is_ok_and(|m| {
                    m.is_file() && m.len() <= crate::compose::image_limits::MAX_FILE_BYTES
                });
                let bytes = if readable {
                    std::fs::read(logo).unwrap_or_default()
                } else {
                    Vec::new()
                };
                add("logo", &bytes);
            }
        }
        add("layout", self.layouts[job.layout].file.text.as_bytes());
        add("fonts", self.font_fingerprint.as_bytes());
        let mode: &[u8] = match (job.print, job.archive) {
            (true, _) => b"print",
            (false, true) => b"archive",
            (false, false) => b"screen",
        };
        add("mode", mode);
        if let Some(spec) = job.tile {
            add(
                "tile",
                format!("{} {}", spec.sheet, spec.overlap.to_bits()).as_bytes(),
            );
        }
        if job.print {
            add("icc", self.print_profile(job).sha256.as_bytes());
        }
        crate::manifest::sha256_hex(&inputs)
    }

    /// The manifest path and the output's path relative to it.
    fn manifest_place(job: &Job) -> (PathBuf, String) {
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

    /// Freshness: statistics whose source's figures are older than the campaign allows
    /// for the kit's year.
    pub fn stale_sources(&self, campaign: usize, year: i32) -> Vec<Diagnostic> {
        let c = &self.campaigns[campaign];
        let limit = c.meta.stale_after_years;
        let mut out = Vec::new();
        let cited = c
            .blocks
            .callout
            .iter()
            .map(|x| {
                (
                    x.value.get_ref(),
                    x.source.as_ref(),
                    "blocks.callout".to_string(),
                )
            })
            .chain(c.blocks.stats.iter().enumerate().map(|(i, s)| {
                (
                    s.value.get_ref(),
                    s.source.as_ref(),
                    format!("blocks.stats[{i}]"),
                )
            }));
        for (value, source, field) in cited {
            let Some(source) = source.and_then(|id| c.source(id.get_ref())) else {
                continue;
            };
            let Some(as_of) = source.as_of else { continue };
            if year - as_of > limit {
                out.push(
                    Diagnostic::warning(format!(
                        "statistic `{value}` cites `{}` (\"{}\") with {as_of} figures: {} years old for the {year} kit (the limit is {limit})",
                        source.id.get_ref(),
                        source.title.get_ref(),
                        year - as_of
                    ))
                    .at(c.file.span_location(&source.id.span()))
                    .field(field)
                    .hint("update the figure and its source's `as_of`, or raise [campaign] stale_after_years"),
                );
            }
        }
        out
    }

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
            crate::color::separate_document(&mut document, layout, press);
            // Tiles are cut from the trim; press marks outside it would only be clipped.
            if job.tile.is_none() {
                let slug = self.slug(job);
                compose::marks::add_print_marks(&mut document, layout.bleed.0, &slug, &self.fonts);
            }
        }
        Ok(document)
    }

    /// The output profile of a job's print file: `--icc`, else the layout's `[print] icc`,
    /// else the bundled FOGRA39 profile.
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

    /// Renders a job's composed document to PDF bytes (tiles, or PDF/X-4 for print).
    fn render_document(&self, job: &Job, document: &Document) -> Result<Vec<u8>, Vec<Diagnostic>> {
        let conformance = render::Conformance {
            accessible: !job.print,
            archival: job.archive,
        };
        let in_context = |e: String| {
            vec![Diagnostic::error(format!(
                "{e} (edition {}, layout `{}`)",
                job.edition, self.layouts[job.layout].name
            ))]
        };
        if let Some(spec) = job.tile {
            return tile::to_pdf(document, spec, &self.slug(job), &self.fonts, job.print)
                .map_err(in_context);
        }
        let bytes = render::to_pdf_as(document, &self.fonts, conformance).map_err(in_context)?;
        if !job.print {
            return Ok(bytes);
        }
        // Print files go on to PDF/X-4; the slug names the document across rebuilds.
        pdfx::convert(&bytes, &self.print_profile(job), &self.slug(job)).map_err(in_context)
    }

    /// Whether a layout's pages print whole on the tile sheet, so `--tile` leaves it out.
    fn fits_on_sheet(&self, layout: usize, spec: TileSpec) -> bool {
        let layout = &self.layouts[layout];
        tile::fits_on_one_sheet(layout.width.0, layout.height.0, spec.sheet)
    }

    /// For `--tile`: one note per layout the user named that is not tiled because it prints
    /// whole on the sheet. Layouts picked by default are left out silently.
    pub fn tile_notes(&self, options: &Options) -> Vec<Diagnostic> {
        let Some(spec) = options.tile else {
            return Vec::new();
        };
        self.layouts
            .iter()
            .enumerate()
            .filter(|(li, l)| {
                options
                    .layout_names
                    .iter()
                    .any(|n| n.eq_ignore_ascii_case(&l.name))
                    && self.fits_on_sheet(*li, spec)
            })
            .map(|(_, l)| {
                Diagnostic::warning(format!(
                    "layout `{}` ({:.1} × {:.1} in) prints whole on a {} sheet; it is not tiled",
                    l.name,
                    l.width.0 / crate::units::PT_PER_IN,
                    l.height.0 / crate::units::PT_PER_IN,
                    spec.sheet
                ))
                .hint("build it without --tile and print it at “fit to page”")
            })
            .collect()
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
}

impl Session {
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

/// Where a campaign stands for the yearly run.
#[derive(Debug, Clone)]
pub enum Due {
    /// The build date for the coming observance has not come yet.
    NotYet {
        year: i32,
        build_date: jiff::civil::Date,
    },
    /// Built, and nothing changed since.
    UpToDate { year: i32 },
    /// Due: these jobs' files are missing or out of date.
    Build { year: i32, jobs: Vec<Job> },
}

impl Session {
    /// For `build --due`: each selected campaign's state for its coming observance, given
    /// today's date. Outputs of earlier years are never considered.
    pub fn due(
        &self,
        options: &Options,
        today: jiff::civil::Date,
    ) -> Result<Vec<(String, Due)>, Vec<Diagnostic>> {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        let ids: Vec<usize> = select(
            "campaign",
            &options.campaigns,
            self.campaigns.iter().map(|c| c.meta.id.as_str()),
            &mut problems,
        );
        if !problems.is_empty() {
            return Err(problems);
        }
        for ci in ids {
            let campaign = &self.campaigns[ci];
            let meta = &campaign.meta;
            let year = upcoming_year(meta.observance.month, Some(today));
            let build_date = build_date(meta, year).map_err(|e| {
                vec![
                    Diagnostic::error(e)
                        .in_file(&campaign.file.path)
                        .field("campaign.build"),
                ]
            })?;
            if today < build_date {
                out.push((meta.id.clone(), Due::NotYet { year, build_date }));
                continue;
            }
            let scoped = Options {
                year: Some(year),
                campaigns: vec![meta.id.clone()],
                ..options.clone()
            };
            let jobs = self.plan(&scoped)?;
            let mut manifests: std::collections::BTreeMap<PathBuf, Option<Manifest>> =
                Default::default();
            let stale: Vec<Job> = jobs
                .into_iter()
                .filter(|job| {
                    let (path, _) = Self::manifest_place(job);
                    let manifest = manifests
                        .entry(path.clone())
                        .or_insert_with(|| Manifest::load(&path));
                    self.up_to_date(job, manifest.as_ref()).is_none()
                })
                .collect();
            out.push((
                meta.id.clone(),
                if stale.is_empty() {
                    Due::UpToDate { year }
                } else {
                    Due::Build { year, jobs: stale }
                },
            ));
        }
        Ok(out)
    }
}

/// The day a campaign's kit for the observance in `year` is built: its build date in the
/// months before the observance (December 1 for a January observance is in `year - 1`).
/// Without a build date the kit is due at once.
pub fn build_date(
    meta: &crate::model::campaign::CampaignMeta,
    year: i32,
) -> Result<jiff::civil::Date, String> {
    let Some(build) = meta.build else {
        return jiff::civil::Date::new(year as i16 - 1, 1, 1).map_err(|e| e.to_string());
    };
    let build_year = if build.month > meta.observance.month {
        year - 1
    } else {
        year
    };
    jiff::civil::Date::new(build_year as i16, build.month as i8, build.day as i8).map_err(|e| {
        format!(
            "build date month {} day {} is not a date: {e}",
            build.month, build.day
        )
    })
}

/// The year of the next observance: this year's if its month has not passed, else next year's.
pub fn upcoming_year(observance_month: u8, today: Option<jiff::civil::Date>) -> i32 {
    let today = today.unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let year = i32::from(today.year());
    if today.month() as u8 <= observance_month {
        year
    } else {
        year + 1
    }
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

/// Indexes of `names` among `wanted`; all of them when `wanted` is empty.
fn select<'a>(
    what: &str,
    wanted: &[String],
    names: impl Iterator<Item = &'a str> + Clone,
    problems: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    if wanted.is_empty() {
        return (0..names.count()).collect();
    }
    let mut picked = Vec::new();
    for w in wanted {
        match names.clone().position(|n| n.eq_ignore_ascii_case(w)) {
            Some(i) if !picked.contains(&i) => picked.push(i),
            Some(_) => {}
            None => {
                let mut d = Diagnostic::error(format!("no {what} named `{w}`"));
                d = match closest(w, names.clone()) {
                    Some(best) => d.hint(format!("did you mean `{best}`?")),
                    None => d.hint(format!("{what}s: {}", one_of(names.clone()))),
                };
                problems.push(d);
            }
        }
    }
    picked.sort_unstable();
    picked
}

/// How a manifest warning line from the print preflight starts: the output it is about.
fn preflight_prefix(relative: &str) -> String {
    format!("preflight {relative}: ")
}

/// A diagnostic on one line, for the manifest.
fn one_line(d: &Diagnostic) -> String {
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
