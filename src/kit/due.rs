//! The yearly run: when a campaign's kit is due (`build --due`), the upcoming observance
//! year, and which cited figures have gone stale for it.

use super::{Job, Options, Session, select};
use crate::diag::Diagnostic;
use crate::manifest::Manifest;
use std::path::PathBuf;

impl Session {
    /// Freshness of every campaign's figures for the year a run builds: its `--year`, else
    /// each campaign's upcoming observance.
    pub fn stale_for_run(&self, options: &Options) -> Vec<Diagnostic> {
        let mut stale = Vec::new();
        for (ci, campaign) in self.campaigns.iter().enumerate() {
            let year = options.year.unwrap_or_else(|| {
                super::upcoming_year(campaign.meta.observance.month, options.today)
            });
            stale.extend(self.stale_sources(ci, year));
        }
        stale
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

/// Today's date in the machine's time zone. jiff's `ZonedDateTime::now` names the system
/// zone by walking the whole zoneinfo database, a millisecond of a one-flyer build that
/// only needs the date; on Unix without `TZ` the zone is read straight from
/// `/etc/localtime` (the file the database walk would resolve it to).
pub fn today() -> jiff::civil::Date {
    #[cfg(unix)]
    if std::env::var_os("TZ").is_none()
        && let Some(zone) = std::fs::read("/etc/localtime")
            .ok()
            .and_then(|tzif| jiff::tz::TimeZone::tzif("localtime", &tzif).ok())
    {
        return jiff::Timestamp::now().to_zoned_datetime(zone).date();
    }
    jiff::ZonedDateTime::now().date()
}

/// The year of the next observance: this year's if its month has not passed, else next year's.
pub fn upcoming_year(observance_month: u8, today: Option<jiff::civil::Date>) -> i32 {
    let today = today.unwrap_or_else(self::today);
    let year = i32::from(today.year());
    if today.month() as u8 <= observance_month {
        year
    } else {
        year + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use std::path::Path;

    fn session_and_options(out: &Path) -> (Session, Options) {
        let options = Options {
            out: out.to_path_buf(),
            counties: vec!["statewide".into()],
            layout_names: vec!["flyer-letter".into()],
            ..Options::at(Path::new(env!("CARGO_MANIFEST_DIR")))
        };
        (Session::load(&options).unwrap(), options)
    }

    #[test]
    fn today_is_the_date_in_the_system_zone() {
        // Read from /etc/localtime, it must be the date jiff's own lookup of the system
        // zone gives (read twice around it, in case midnight passes in between).
        let before = today();
        let system = jiff::ZonedDateTime::now().date();
        assert!(before == system || today() == system);
    }

    #[test]
    fn the_upcoming_observance_is_this_year_s_until_its_month_has_passed() {
        assert_eq!(upcoming_year(1, Some(date(2026, 12, 2))), 2027);
        assert_eq!(upcoming_year(1, Some(date(2027, 1, 31))), 2027);
        assert_eq!(upcoming_year(1, Some(date(2027, 2, 1))), 2028);
        assert_eq!(upcoming_year(4, Some(date(2027, 3, 1))), 2027);
    }

    #[test]
    fn a_build_date_after_the_observance_month_falls_in_the_year_before() {
        let dir = tempfile::tempdir().unwrap();
        let (session, _) = session_and_options(dir.path());
        let mut meta = session.campaigns[0].meta.clone();
        meta.observance.month = 1;
        meta.build = Some(crate::model::campaign::BuildDate { month: 12, day: 1 });
        assert_eq!(build_date(&meta, 2027).unwrap(), date(2026, 12, 1));
        meta.observance.month = 4;
        meta.build = Some(crate::model::campaign::BuildDate { month: 3, day: 15 });
        assert_eq!(build_date(&meta, 2027).unwrap(), date(2027, 3, 15));
        // Without a build date the kit is due at once (from the first of the year before).
        meta.build = None;
        assert_eq!(build_date(&meta, 2027).unwrap(), date(2026, 1, 1));
        meta.build = Some(crate::model::campaign::BuildDate { month: 2, day: 30 });
        assert!(build_date(&meta, 2027).is_err());
    }

    #[test]
    fn due_waits_for_the_build_date_then_lists_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let (session, options) = session_and_options(dir.path());
        let meta = &session.campaigns[0].meta;
        let year = 2027;
        let on = build_date(meta, year).unwrap();
        let before = on.yesterday().unwrap();
        let due = session.due(&options, before).unwrap();
        assert!(
            matches!(&due[..], [(_, Due::NotYet { year: 2027, build_date })] if *build_date == on),
            "{due:?}"
        );
        let due = session.due(&options, on).unwrap();
        let [(id, Due::Build { year: 2027, jobs })] = &due[..] else {
            panic!("{due:?}");
        };
        assert_eq!(id, &meta.id);
        let planned = Options {
            year: Some(year),
            ..options.clone()
        };
        assert_eq!(jobs.len(), session.plan(&planned).unwrap().len());
        // An unknown campaign is named, not skipped.
        let wrong = Options {
            campaigns: vec!["nope".into()],
            ..options
        };
        assert!(session.due(&wrong, on).is_err());
    }
}
