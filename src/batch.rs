//! Batch: loads fonts, layouts and campaigns once, plans the editions a command asks for,
//! and drives each through resolve → compose → render → output, reporting every failure
//! while the rest still build.

use crate::compose::{self, Document};
use crate::diag::{Diagnostic, closest, one_of};
use crate::fonts::FontBook;
use crate::model::campaign::Campaign;
use crate::model::layout::Layout;
use crate::output;
use crate::render;
use crate::resolve::{self, Edition};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

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
}

/// Everything parsed once and shared read-only by every edition.
pub struct Session {
    pub fonts: FontBook,
    pub layouts: Vec<Layout>,
    pub campaigns: Vec<Campaign>,
    /// Problems that do not stop a build (e.g. a source without a URL).
    pub warnings: Vec<Diagnostic>,
}

/// One document to make: a campaign edition in one layout.
#[derive(Debug, Clone)]
pub struct Job {
    pub campaign: usize,
    pub layout: usize,
    pub edition: Edition,
    pub path: PathBuf,
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
        if problems.iter().any(Diagnostic::is_error) {
            return Err(problems);
        }
        Ok(Session {
            fonts,
            layouts,
            campaigns,
            warnings,
        })
    }

    /// The jobs the options select, or every reason the selection is wrong.
    pub fn plan(&self, options: &Options) -> Result<Vec<Job>, Vec<Diagnostic>> {
        let mut problems = Vec::new();
        let layouts: Vec<usize> = select(
            "layout",
            &options.layout_names,
            self.layouts.iter().map(|l| l.name.as_str()),
            &mut problems,
        );
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
                    let name = if edition.is_base_language(campaign) {
                        format!("{}.pdf", self.layouts[li].name)
                    } else {
                        format!("{}.{}.pdf", self.layouts[li].name, edition.lang)
                    };
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
                    });
                }
            }
        }
        if problems.is_empty() {
            Ok(jobs)
        } else {
            Err(problems)
        }
    }

    /// Resolves and composes one job.
    pub fn compose(&self, job: &Job) -> Result<Document, Vec<Diagnostic>> {
        let resolved = resolve::resolve(&self.campaigns[job.campaign], &job.edition)?;
        compose::compose(&resolved, &self.layouts[job.layout], &self.fonts)
    }

    /// Composes and renders one job to PDF bytes.
    pub fn render(&self, job: &Job) -> Result<Vec<u8>, Vec<Diagnostic>> {
        let document = self.compose(job)?;
        render::to_pdf(&document, &self.fonts).map_err(|e| vec![Diagnostic::error(e)])
    }

    /// Builds every job, in parallel, writing each PDF atomically. A failing job writes
    /// nothing and does not stop the others. Outcomes come back in job order.
    pub fn build(&self, jobs: Vec<Job>) -> Vec<Outcome> {
        jobs.into_par_iter()
            .map(|job| {
                let result = self.render(&job).and_then(|bytes| {
                    let written = output::write_if_changed(&job.path, &bytes).map_err(|e| {
                        vec![Diagnostic::error(format!(
                            "cannot write `{}`: {e}",
                            job.path.display()
                        ))]
                    })?;
                    Ok(Built {
                        bytes: bytes.len(),
                        written,
                    })
                });
                Outcome { job, result }
            })
            .collect()
    }

    /// Composes every job without writing anything; returns each job's problems.
    pub fn check(&self, jobs: Vec<Job>) -> Vec<Outcome> {
        jobs.into_par_iter()
            .map(|job| {
                let result = self.compose(&job).map(|_| Built {
                    bytes: 0,
                    written: false,
                });
                Outcome { job, result }
            })
            .collect()
    }
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
