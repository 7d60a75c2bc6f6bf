//! The plan: which documents a command makes — campaigns × editions (statewide in every
//! language, each county in its languages) × layouts, in a fixed order, filtered by the
//! selection, named by path, and split into shards the same way on every machine.

use super::{Session, upcoming_year};
use crate::diag::{Diagnostic, closest, one_of};
use crate::resolve::Edition;
use crate::tile::{self, TileSpec};
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

impl Session {
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
                if let Err(e) = tile::Grid::plan(layout.width, layout.height, spec) {
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

    /// Whether a layout's pages print whole on the tile sheet, so `--tile` leaves it out.
    fn fits_on_sheet(&self, layout: usize, spec: TileSpec) -> bool {
        let layout = &self.layouts[layout];
        tile::fits_on_one_sheet(layout.width, layout.height, spec.sheet)
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
                    l.width.to_in(),
                    l.height.to_in(),
                    spec.sheet
                ))
                .hint("build it without --tile and print it at “fit to page”")
            })
            .collect()
    }
}

/// Indexes of `names` among `wanted`; all of them when `wanted` is empty.
pub(crate) fn select<'a>(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn options(counties: &[&str], layouts: &[&str]) -> Options {
        Options {
            year: Some(2027),
            counties: counties.iter().map(|c| c.to_string()).collect(),
            layout_names: layouts.iter().map(|l| l.to_string()).collect(),
            ..Options::at(Path::new(env!("CARGO_MANIFEST_DIR")))
        }
    }

    fn session() -> Session {
        Session::load(&options(&[], &[])).unwrap()
    }

    #[test]
    fn the_plan_runs_edition_then_language_then_layout_in_a_fixed_order() {
        let session = session();
        let o = options(&["Contra Costa", "statewide"], &[]);
        let jobs = session.plan(&o).unwrap();
        let campaign = &session.campaigns[0];
        let languages = campaign.languages();
        let layouts = session.layouts.len();
        // Statewide first (whatever order the selection named them in), in every language,
        // each in every layout; then the county in its languages.
        let county_langs = campaign
            .counties
            .iter()
            .find(|c| c.slug == "contra-costa")
            .map_or(1, |c| c.languages.len().max(1));
        assert_eq!(jobs.len(), (languages.len() + county_langs) * layouts);
        for (k, job) in jobs.iter().enumerate() {
            assert_eq!(job.layout, k % layouts, "layouts innermost");
        }
        let statewide = languages.len() * layouts;
        assert!(
            jobs[..statewide]
                .iter()
                .all(|j| j.edition.slug == "statewide")
        );
        assert!(
            jobs[statewide..]
                .iter()
                .all(|j| j.edition.slug == "contra-costa")
        );
        let langs: Vec<&str> = jobs[..statewide]
            .iter()
            .step_by(layouts)
            .map(|j| j.edition.lang.as_str())
            .collect();
        assert_eq!(langs, languages);
        // The base language keeps the plain file name; another adds its tag.
        let out = &o.out;
        let first = &jobs[0];
        assert_eq!(
            first.path,
            out.join("2027/trafficking-prevention/statewide")
                .join(format!("{}.pdf", session.layouts[0].name))
        );
        let other = jobs[..statewide]
            .iter()
            .find(|j| j.edition.lang != campaign.meta.lang)
            .unwrap();
        assert!(
            other
                .path
                .to_string_lossy()
                .ends_with(&format!(".{}.pdf", other.edition.lang))
        );
        // The same options plan the same jobs.
        let again: Vec<PathBuf> = session
            .plan(&o)
            .unwrap()
            .into_iter()
            .map(|j| j.path)
            .collect();
        assert_eq!(
            again,
            jobs.iter().map(|j| j.path.clone()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn shards_split_the_plan_into_disjoint_shares_that_cover_it() {
        let session = session();
        let all: Vec<PathBuf> = session
            .plan(&options(&[], &[]))
            .unwrap()
            .into_iter()
            .map(|j| j.path)
            .collect();
        let n = 3;
        let mut union = Vec::new();
        for i in 1..=n {
            let shard = Options {
                shard: Some((i, n)),
                ..options(&[], &[])
            };
            let jobs = session.plan(&shard).unwrap();
            assert!(jobs.len().abs_diff(all.len() / n) <= 1);
            union.extend(jobs.into_iter().map(|j| j.path));
        }
        union.sort();
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(union, sorted);
        let bad = Options {
            shard: Some((4, 3)),
            ..options(&[], &[])
        };
        assert!(session.plan(&bad).is_err());
    }

    #[test]
    fn a_misspelt_name_is_refused_with_the_closest_one() {
        let session = session();
        let errors = session.plan(&options(&[], &["flyer-leter"])).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.contains("no layout named `flyer-leter`"));
        assert!(
            errors[0]
                .hint
                .as_deref()
                .is_some_and(|h| h.contains("flyer-letter")),
            "{:?}",
            errors[0]
        );
        let errors = session.plan(&options(&["Contra Cost"], &[])).unwrap_err();
        assert!(errors[0].message.contains("no county named"));
    }

    #[test]
    fn tiling_plans_only_what_does_not_fit_the_sheet() {
        let session = session();
        let o = Options {
            tile: Some(TileSpec {
                sheet: tile::Sheet::Letter,
                overlap: crate::units::Pt(36.0),
            }),
            ..options(&["statewide"], &[])
        };
        let jobs = session.plan(&o).unwrap();
        assert!(!jobs.is_empty());
        for job in &jobs {
            let layout = &session.layouts[job.layout];
            assert!(!tile::fits_on_one_sheet(
                layout.width,
                layout.height,
                tile::Sheet::Letter
            ));
            assert!(job.path.to_string_lossy().ends_with(".tiles-letter.pdf"));
        }
    }
}
