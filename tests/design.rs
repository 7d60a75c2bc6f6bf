//! Design rules of the shipped layouts, checked on the composed pages (no PDF): type sizes a
//! poster is read by from across a room, the flyer's and fact sheet's body size, figures
//! that share a baseline and a size, the agency lock-up set alike everywhere, frames that give their area away when
//! they have nothing to show, and no attribution the content file does not make.

use crate::common;

use broadside::batch::{Job, Options, Session};
use broadside::page::{Document, GlyphRun, Item};

fn session_for(counties: &[&str], root: &std::path::Path) -> (Session, Vec<Job>) {
    let options = Options {
        counties: counties.iter().map(|c| c.to_string()).collect(),
        year: Some(2027),
        ..Options::at(root)
    };
    let session = Session::load(&options).expect("inputs load");
    let jobs = session.plan(&options).unwrap();
    (session, jobs)
}

/// The text runs each frame (by id) drew, over all pages.
fn runs_by_frame<'d>(
    session: &Session,
    job: &Job,
    document: &'d Document,
) -> Vec<(String, &'d GlyphRun)> {
    let layout = &session.layouts[job.layout];
    let mut out = Vec::new();
    for page in &document.pages {
        for region in &page.regions {
            for item in &page.items[region.items.clone()] {
                if let Item::Text(run) = item {
                    out.push((layout.frames[region.frame].id.clone(), run));
                }
            }
        }
    }
    out
}

/// The filled rectangle frame `id` drew on `page` (a card, a logo's tile), if any.
fn filled_rect(
    document: &Document,
    layout: &broadside::model::layout::Layout,
    page: usize,
    id: &str,
) -> Option<broadside::page::Rect> {
    let index = layout.frames.iter().position(|f| f.id == id)?;
    document.pages[page]
        .regions
        .iter()
        .filter(|r| r.frame == index)
        .flat_map(|r| document.pages[page].items[r.items.clone()].iter())
        .find_map(|item| match item {
            Item::Shape {
                rect,
                fill: Some(_),
                ..
            } => Some(*rect),
            _ => None,
        })
}

/// A copy of the repository's kit in which Kern, which has no logo in the shipped county
/// sheet, has one (the fixture JPEG as `logos/kern.jpg`).
fn kern_with_a_logo() -> common::Scratch {
    let scratch = common::Scratch::new();
    scratch.add_logo("kern.jpg");
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "Kern,Bakersfield,en,,,,,",
        "Kern,Bakersfield,en,,,,logos/kern.jpg,Kern County seal",
    );
    scratch
}

fn layout_name<'s>(session: &'s Session, job: &Job) -> &'s str {
    &session.layouts[job.layout].name
}

fn compose(session: &Session, job: &Job) -> Document {
    session
        .compose(job)
        .unwrap_or_else(|e| panic!("{}: {e:?}", job.path.display()))
}

/// Composes every statewide edition of `layout` and hands each one's language and text
/// runs (by frame) to `check`; returns how many editions it checked.
fn each_statewide(layout: &str, mut check: impl FnMut(&str, &[(String, &GlyphRun)])) -> usize {
    each_statewide_job(layout, |_, job, runs| check(&job.edition.lang, runs))
}

/// [`each_statewide`], with the session (its layouts and fonts) and the job.
fn each_statewide_job(
    layout: &str,
    mut check: impl FnMut(&Session, &Job, &[(String, &GlyphRun)]),
) -> usize {
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    let mut checked = 0;
    for job in jobs.iter().filter(|j| layout_name(&session, j) == layout) {
        let document = compose(&session, job);
        check(&session, job, &runs_by_frame(&session, job, &document));
        checked += 1;
    }
    checked
}

#[test]
fn the_poster_reads_from_across_a_room_in_every_language() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    let posters: Vec<&Job> = jobs
        .iter()
        .filter(|j| layout_name(&session, j) == "poster-18x24")
        .collect();
    assert_eq!(posters.len(), 7, "the statewide poster in seven languages");
    for job in posters {
        let document = compose(&session, job);
        let lang = &job.edition.lang;
        let runs = runs_by_frame(&session, job, &document);
        let mut phone = 0;
        for (frame, run) in &runs {
            let what = format!(
                "{lang}: `{}` in frame `{frame}` at {:.1}pt",
                run.text, run.size.0
            );
            if frame == "sources" {
                continue; // the footnote, read up close
            }
            assert!(run.size.0 >= 24.0, "{what}: under 24 pt");
            if frame.starts_with("stat-") || frame == "callout" {
                assert!(run.size.0 >= 32.0, "{what}: a caption under 32 pt");
            }
            if frame == "action" && run.text.contains("653-1838") {
                assert!(run.size.0 >= 48.0, "{what}: the phone number under 48 pt");
                phone += 1;
            }
        }
        assert!(phone >= 1, "{lang}: the poster shows the phone number");
        // The statistics stand in the middle of their band, as one: round 55 found 1.5 in
        // of empty tint under the captions and the source note pressed against the footer.
        let layout = &session.layouts[job.layout];
        let stat = layout.frames.iter().find(|f| f.id == "stat-1").unwrap();
        let (area_top, area_bottom) = (
            stat.rect.y.0 + stat.inset.top.0,
            stat.rect.bottom().0 - stat.inset.bottom.0,
        );
        let stat_runs: Vec<&GlyphRun> = runs
            .iter()
            .filter(|(f, _)| f.starts_with("stat-"))
            .map(|(_, r)| *r)
            .collect();
        let cap_top = stat_runs
            .iter()
            .map(|r| r.y.0 - session.fonts.face(r.font).cap_height * r.size.0)
            .fold(f32::MAX, f32::min);
        let last_baseline = stat_runs.iter().map(|r| r.y.0).fold(f32::MIN, f32::max);
        let (above, below) = (cap_top - area_top, area_bottom - last_baseline);
        assert!(
            (above - below).abs() < 16.0,
            "{lang}: {above:.1} pt of the band above the figures' capitals, {below:.1} pt under the last caption line"
        );
        // The lead figure leads: its sentence no smaller than the statistics' captions
        // (rounds 36 and 37 found 32.5 pt under the hero, 36 pt under the three).
        let smallest = |pick: &dyn Fn(&str) -> bool| {
            runs.iter()
                .filter(|(f, r)| pick(f) && r.size.0 < 60.0)
                .map(|(_, r)| r.size.0)
                .fold(f32::MAX, f32::min)
        };
        let hero_sentence = smallest(&|f| f == "callout");
        let captions = runs
            .iter()
            .filter(|(f, r)| f.starts_with("stat-") && r.size.0 < 60.0)
            .map(|(_, r)| r.size.0)
            .fold(f32::MIN, f32::max);
        assert!(
            captions <= hero_sentence + 0.01,
            "{lang}: the statistics' captions ({captions:.2} pt) outsize the hero's sentence ({hero_sentence:.2} pt)"
        );
    }
}

#[test]
fn the_flyer_body_is_set_for_reading() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    let (session, jobs) = session_for(&["statewide", "alameda"], &common::repo());
    let flyers: Vec<&Job> = jobs
        .iter()
        .filter(|j| layout_name(&session, j) == "flyer-letter")
        .collect();
    assert!(flyers.len() > 7, "seven statewide languages and Alameda's");
    for job in flyers {
        let document = compose(&session, job);
        let runs = runs_by_frame(&session, job, &document);
        let body: Vec<f32> = runs
            .iter()
            .filter(|(frame, _)| frame == "sections")
            .map(|(_, run)| run.size.0)
            .collect();
        assert!(!body.is_empty());
        // The footer band's top as drawn: the full-width fill low on the page.
        let layout = &session.layouts[job.layout];
        let band_top = document.pages[0]
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Shape {
                    rect,
                    fill: Some(_),
                    ..
                } if rect.w.0 >= layout.width.0 && rect.y.0 > layout.height.0 * 0.75 => {
                    Some(rect.y.0)
                }
                _ => None,
            })
            .fold(f32::MAX, f32::min);
        assert!(
            band_top < f32::MAX,
            "{}: no footer band",
            job.path.display()
        );
        // Clear of the footer band: the last lines and the source note stand off its top
        // by a line's worth (round 36: 7 pt under the descenders read as overset).
        for (frame, run) in runs
            .iter()
            .filter(|(f, _)| f == "sections" || f == "sources")
        {
            let descent = 0.3 * run.size.0;
            assert!(
                run.y.0 + descent <= band_top - 10.0,
                "{}: `{frame}` text at {:.1} (descenders to {:.1}) within 10 pt of the footer band at {band_top:.1}",
                job.path.display(),
                run.y.0,
                run.y.0 + descent
            );
        }
        // The lock-up stands clear of the band's top edge (round 39 found its capitals
        // 4.4 pt under it): 8 pt or more of navy above "OFFICE OF".
        let caps = runs
            .iter()
            .filter(|(f, _)| f == "agency")
            .map(|(_, r)| r.y.0 - session.fonts.face(r.font).cap_height * r.size.0)
            .fold(f32::MAX, f32::min);
        assert!(
            caps - band_top >= 8.0,
            "{}: the lock-up's capitals stand {:.1} pt under the footer band's top",
            job.path.display(),
            caps - band_top
        );
        // On a reading measure: 55–75 characters a line in the languages written in
        // words of Latin letters (the median line: a paragraph's last is shorter).
        let lang = job.edition.lang.as_str();
        if ["en", "es", "tl", "vi"].contains(&lang) {
            let baselines = body_baselines(&runs, "sections");
            let mut lengths: Vec<usize> = baselines
                .iter()
                .map(|y| {
                    runs.iter()
                        .filter(|(f, r)| f == "sections" && (r.y.0 - y).abs() < 0.05)
                        .map(|(_, r)| r.text.chars().count())
                        .sum::<usize>()
                })
                .collect();
            lengths.sort_unstable();
            let median = lengths[lengths.len() / 2];
            assert!(
                (55..=75).contains(&median),
                "{}: the body's lines hold {median} characters (median), not 55–75",
                job.path.display()
            );
        }
        let smallest = body.iter().copied().fold(f32::MAX, f32::min);
        // Every language, Tagalog (a third longer than English) included: a public flyer
        // is read at 9.5 pt or more.
        assert!(
            smallest >= 9.5 - 0.01,
            "{}: flyer text at {smallest:.2} pt, under 9.5 pt",
            job.path.display()
        );
    }
}

#[test]
fn the_fact_sheet_sets_its_text_at_a_reading_size_in_every_language() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // All four sections fill page 2's two columns, grown to fill them, in no language
    // smaller than a reading size.
    let checked = each_statewide("factsheet-letter", |lang, runs| {
        let smallest = runs
            .iter()
            .filter(|(frame, _)| frame.starts_with("sections-"))
            .map(|(_, run)| run.size.0)
            .fold(f32::MAX, f32::min);
        assert!(
            smallest >= 9.49,
            "{lang}: fact sheet text at {smallest:.2} pt, under 9.5 pt"
        );
    });
    assert_eq!(checked, 7);
}

/// The first baseline a frame's text sits on.
fn first_baseline(runs: &[(String, &GlyphRun)], frame: &str) -> f32 {
    runs.iter()
        .filter(|(f, _)| f == frame)
        .map(|(_, r)| r.y.0)
        .fold(f32::MAX, f32::min)
}

#[test]
fn figures_side_by_side_share_a_baseline_and_a_size_in_every_language() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    for job in &jobs {
        let document = compose(&session, job);
        let runs = runs_by_frame(&session, job, &document);
        let name = layout_name(&session, job);
        // The flyer lists its statistics beside their captions (see the next test).
        if name == "flyer-letter" {
            continue;
        }
        let figures: &[&str] = &["stat-1", "stat-2", "stat-3"];
        let baselines: Vec<f32> = figures.iter().map(|f| first_baseline(&runs, f)).collect();
        for (f, b) in figures.iter().zip(&baselines) {
            assert!(
                (b - baselines[0]).abs() < 0.5,
                "{name}: `{f}` figure on {b:.1}, `{}` on {:.1}",
                figures[0],
                baselines[0]
            );
        }
        // The three statistics are fitted as one (`fit_group`): the figures are one size
        // and so are the captions, even where one caption is longer than the others.
        let sizes = |frame: &str| {
            let sizes: Vec<f32> = runs
                .iter()
                .filter(|(f, _)| f == frame)
                .map(|(_, r)| r.size.0)
                .collect();
            let figure = sizes.iter().copied().fold(f32::MIN, f32::max);
            let caption = sizes.iter().copied().fold(f32::MAX, f32::min);
            (figure, caption)
        };
        let first = sizes("stat-1");
        for frame in ["stat-2", "stat-3"] {
            let other = sizes(frame);
            assert!(
                (other.0 - first.0).abs() < 0.01 && (other.1 - first.1).abs() < 0.01,
                "{name} ({}): `{frame}` set at {other:?} (figure, caption), `stat-1` at {first:?}",
                job.edition.lang
            );
        }
    }
}

#[test]
fn the_flyer_stacks_each_figure_over_its_caption_in_the_figures_column_in_every_language() {
    // The flyer's figures stand in a column beside the reading column: the lead figure,
    // then the three statistics, each figure over its caption (the caption starts under
    // the figure, on its edge: the left, or the right in Arabic), at a reading size.
    let _shared = crate::common::shared();
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    let mut checked = 0;
    for job in jobs
        .iter()
        .filter(|j| layout_name(&session, j) == "flyer-letter")
    {
        let lang = &job.edition.lang;
        let rtl = lang == "ar";
        let document = compose(&session, job);
        let runs = runs_by_frame(&session, job, &document);
        let stats: Vec<&GlyphRun> = runs
            .iter()
            .filter(|(f, _)| f == "stats")
            .map(|(_, r)| *r)
            .collect();
        let figure_size = stats.iter().map(|r| r.size.0).fold(0.0, f32::max);
        let mut figures: Vec<&GlyphRun> = stats
            .iter()
            .copied()
            .filter(|r| r.size.0 == figure_size)
            .collect();
        figures.sort_by(|a, b| a.y.0.total_cmp(&b.y.0));
        assert_eq!(figures.len(), 3, "{lang}: three figures in the list");
        // Under the lead figure's sentence.
        let stats_top = first_baseline(&runs, "stats");
        let lead_last = runs
            .iter()
            .filter(|(f, _)| f == "callout")
            .map(|(_, r)| r.y.0)
            .fold(f32::MIN, f32::max);
        assert!(
            lead_last < stats_top,
            "{lang}: the statistics overlap the lead figure"
        );
        for (n, figure) in figures.iter().enumerate() {
            let next = figures.get(n + 1).map_or(f32::MAX, |f| f.y.0 - f.size.0);
            let caption: Vec<&GlyphRun> = stats
                .iter()
                .copied()
                .filter(|r| r.size.0 < figure_size && r.y.0 > figure.y.0 && r.y.0 < next)
                .collect();
            assert!(
                !caption.is_empty(),
                "{lang}: `{}` has no caption",
                figure.text
            );
            for run in &caption {
                // Under the figure, from its edge, never before it.
                let edge = if rtl {
                    (run.x + run.width()).0 <= (figure.x + figure.width()).0 + 0.5
                } else {
                    run.x.0 >= figure.x.0 - 0.5
                };
                assert!(
                    edge,
                    "{lang}: caption `{}` starts outside its figure's edge",
                    run.text
                );
                // A reading size in every language (the column stacks, so a longer
                // language's captions take more lines, not a smaller size).
                let floor = 9.5;
                assert!(
                    run.size.0 >= floor - 0.01,
                    "{lang}: caption `{}` at {:.2} pt",
                    run.text,
                    run.size.0
                );
            }
            let first = caption.iter().map(|r| r.y.0).fold(f32::MAX, f32::min);
            assert!(
                first - figure.y.0 < 2.5 * figure_size,
                "{lang}: `{}`'s caption starts {:.1} pt under it: it reads as another item's",
                figure.text,
                first - figure.y.0
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 7);
}

#[test]
fn the_agency_lock_up_is_three_lines_aligned_alike_in_every_layout() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    let mut alignments = Vec::new();
    for job in jobs.iter().filter(|j| j.edition.lang == "en") {
        let document = compose(&session, job);
        let name = layout_name(&session, job).to_string();
        let runs = runs_by_frame(&session, job, &document);
        // The name's lines: the agency frame's Oswald runs, one baseline each.
        let mut lines: Vec<(f32, f32, f32)> = Vec::new(); // (baseline, left, right)
        for (_, run) in runs.iter().filter(|(f, _)| f == "agency") {
            if !session.fonts.face(run.font).family.contains("Oswald") {
                continue;
            }
            let width = run.width().0;
            match lines.iter_mut().find(|l| (l.0 - run.y.0).abs() < 0.5) {
                Some(line) => {
                    line.1 = line.1.min(run.x.0);
                    line.2 = line.2.max(run.x.0 + width);
                }
                None => lines.push((run.y.0, run.x.0, run.x.0 + width)),
            }
        }
        assert_eq!(
            lines.len(),
            3,
            "{name}: OFFICE OF / CHILD ABUSE / PREVENTION, got {lines:?}"
        );
        let lefts_agree = lines.iter().all(|l| (l.1 - lines[0].1).abs() < 0.5);
        let rights_agree = lines.iter().all(|l| (l.2 - lines[0].2).abs() < 0.5);
        alignments.push((name, lefts_agree, rights_agree));
    }
    assert_eq!(alignments.len(), 3);
    for (name, left, right) in &alignments {
        assert!(
            *left && !*right,
            "{name}: the lock-up is set flush left (left edges agree: {left}, right edges: {right})"
        );
    }
}

#[test]
fn the_fact_sheets_lock_up_is_set_alike_on_both_pages() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // Round 53: page 1's footer broke "California Department / of Social Services", page
    // 2's card set it on one line, and Tagalog's tagline wrapped on page 1 only.
    let lines_of = |runs: &[(String, &GlyphRun)], frame: &str| {
        // (baseline, the line's runs as (x, text), size)
        type Line = (f32, Vec<(f32, String)>, f32);
        let mut lines: Vec<Line> = Vec::new();
        for (_, run) in runs.iter().filter(|(f, _)| f == frame) {
            match lines.iter_mut().find(|l| (l.0 - run.y.0).abs() < 0.5) {
                Some(line) => line.1.push((run.x.0, run.text.clone())),
                None => lines.push((run.y.0, vec![(run.x.0, run.text.clone())], run.size.0)),
            }
        }
        lines.sort_by(|a, b| a.0.total_cmp(&b.0));
        lines
            .into_iter()
            .map(|(_, mut pieces, size)| {
                pieces.sort_by(|a, b| a.0.total_cmp(&b.0));
                let text: String = pieces.into_iter().map(|p| p.1).collect();
                (text.trim().to_string(), (size * 100.0).round() / 100.0)
            })
            .collect::<Vec<_>>()
    };
    let checked = each_statewide_job("factsheet-letter", |_, job, runs| {
        let (front, back) = (lines_of(runs, "agency-1"), lines_of(runs, "agency"));
        assert!(front.len() >= 4, "{}: {front:?}", job.edition.lang);
        assert_eq!(
            front, back,
            "{}: the lock-up on page 1 (left) and page 2 (right)",
            job.edition.lang
        );
    });
    assert_eq!(checked, 7);
}

/// A frame with nothing to show draws nothing: no text or image region, and no filled
/// shape inside its rectangle (an empty panel or tile).
fn assert_draws_nothing(
    page: &broadside::page::Page,
    layout: &broadside::model::layout::Layout,
    frame: usize,
) {
    let id = &layout.frames[frame].id;
    assert!(
        page.regions.iter().all(|r| r.frame != frame),
        "the empty `{id}` frame drew something"
    );
    let own = &layout.frames[frame].rect;
    let panel = page.items.iter().any(|item| {
        matches!(item, Item::Shape { rect, fill: Some(_), .. }
            if rect.x.0 > own.x.0 - 0.5
                && rect.y.0 > own.y.0 - 0.5
                && rect.right().0 < own.right().0 + 0.5
                && rect.bottom().0 < own.bottom().0 + 0.5)
    });
    assert!(
        !panel,
        "an empty filled panel was drawn for the `{id}` frame"
    );
}

#[test]
fn a_frame_with_nothing_to_show_draws_no_panel_and_gives_its_area_away() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // The statewide fact sheet has no local resource line: the `local` frame draws nothing.
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    let job = jobs
        .iter()
        .find(|j| layout_name(&session, j) == "factsheet-letter" && j.edition.lang == "en")
        .unwrap();
    let document = compose(&session, job);
    let layout = &session.layouts[job.layout];
    let local = layout.frames.iter().position(|f| f.id == "local").unwrap();
    for page in &document.pages {
        assert_draws_nothing(page, layout, local);
    }

    // The statewide flyer has no county logo: the co-branding tile before the agency
    // lock-up draws nothing, and the call to action sets across the logo's columns too
    // (`collapse_into`).
    let job = jobs
        .iter()
        .find(|j| layout_name(&session, j) == "flyer-letter" && j.edition.lang == "en")
        .unwrap();
    let document = compose(&session, job);
    let layout = &session.layouts[job.layout];
    let frame = |id: &str| layout.frames.iter().position(|f| f.id == id).unwrap();
    let (logo, action) = (frame("logo"), frame("action"));
    assert_draws_nothing(&document.pages[0], layout, logo);
    let widest = runs_by_frame(&session, job, &document)
        .into_iter()
        .filter(|(f, _)| f == "action")
        .map(|(_, r)| r.x.0 + r.width().0)
        .fold(f32::MIN, f32::max);
    let own_right = layout.frames[action].rect.right().0;
    assert!(
        widest > own_right + 1.0,
        "the call to action stays inside its own columns (right edge {own_right:.1}, widest line ends {widest:.1}) instead of taking the logo's"
    );

    // An empty block: its frame draws no fill, and `check` warns about it.
    let scratch = common::Scratch::new();
    scratch.edit(
        "content/trafficking-prevention/campaign.toml",
        "[blocks.definition]\ntext = \"\"\"",
        "[blocks.definition]\ntext = \"\"\n\nold = \"\"\"",
    );
    // The rest of the old text is now an unknown field; drop it instead.
    let path = scratch.campaign().join("campaign.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("\n\nold = \"\"\"").unwrap();
    let end =
        start + text[start..].find("exploitation.\"\"\"").unwrap() + "exploitation.\"\"\"".len();
    std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let check = scratch.run(&["check", "--county", "statewide", "--lang", "en"]);
    let err = common::stderr(&check);
    assert!(
        err.contains("`blocks.definition.text` is empty"),
        "check warns about the empty block:\n{err}"
    );
    let (session, jobs) = session_for(&["statewide"], scratch.path());
    let job = jobs
        .iter()
        .find(|j| layout_name(&session, j) == "flyer-letter" && j.edition.lang == "en")
        .unwrap();
    let document = compose(&session, job);
    let layout = &session.layouts[job.layout];
    let definition = &layout.frames[layout
        .frames
        .iter()
        .position(|f| f.id == "definition")
        .unwrap()];
    // No panel and no rule: nothing drawn inside the definition's area …
    let drawn = document.pages[0].items.iter().any(|item| match item {
        Item::Shape { rect, .. } => {
            rect.x.0 > definition.rect.x.0 - 0.5
                && rect.y.0 > definition.rect.y.0 - 0.5
                && rect.y.0 < definition.rect.bottom().0 - 0.5
                && rect.x.0 < definition.rect.right().0
        }
        Item::Line { from, .. } => {
            from.0.0 < definition.rect.right().0
                && from.1.0 > definition.rect.y.0 - 0.5
                && from.1.0 < definition.rect.bottom().0 - 0.5
        }
        _ => false,
    });
    assert!(!drawn, "an empty definition still drew its panel or rule");
    // … and the sections that follow it (`follows`) start at its top, in its rows.
    let sections = &layout.frames[layout
        .frames
        .iter()
        .position(|f| f.id == "sections")
        .unwrap()];
    let first = first_baseline(&runs_by_frame(&session, job, &document), "sections");
    assert!(
        first < definition.rect.y.0 + 30.0 && first < sections.rect.y.0,
        "with no definition the sections start on {first:.1}, not at the definition's top ({:.1})",
        definition.rect.y.0
    );
}

#[test]
fn sources_print_only_the_attribution_the_content_makes() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    let job = jobs
        .iter()
        .find(|j| layout_name(&session, j) == "factsheet-letter" && j.edition.lang == "en")
        .unwrap();
    let document = compose(&session, job);
    let sources: String = runs_by_frame(&session, job, &document)
        .into_iter()
        .filter(|(f, _)| f == "sources")
        .map(|(_, r)| r.text.clone())
        .collect();
    assert!(sources.contains("CSEC in North America"), "{sources}");
    for figure in ["300,000", "95%", "72%", "25%"] {
        assert!(
            !sources.contains(figure),
            "the source list attributes {figure}, which the content never does: {sources}"
        );
    }
}

/// The baselines of a frame's runs set at the size most of its runs have (the body), in
/// order, each once.
fn body_baselines(runs: &[(String, &GlyphRun)], frame: &str) -> Vec<f32> {
    let sizes: Vec<f32> = runs
        .iter()
        .filter(|(f, _)| f == frame)
        .map(|(_, r)| r.size.0)
        .collect();
    let body = sizes
        .iter()
        .copied()
        .max_by_key(|s| sizes.iter().filter(|t| (*t - s).abs() < 0.01).count())
        .unwrap_or(0.0);
    let mut baselines: Vec<f32> = runs
        .iter()
        .filter(|(f, r)| f == frame && (r.size.0 - body).abs() < 0.01)
        .map(|(_, r)| r.y.0)
        .collect();
    baselines.sort_by(f32::total_cmp);
    baselines.dedup_by(|a, b| (*a - *b).abs() < 0.05);
    baselines
}

#[test]
fn threaded_columns_start_on_one_baseline_and_keep_their_lines_level() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    let mut checked = 0;
    for job in &jobs {
        let name = layout_name(&session, job);
        if name == "poster-18x24" {
            continue;
        }
        let document = compose(&session, job);
        let runs = runs_by_frame(&session, job, &document);
        let where_ = format!("{name} ({})", job.edition.lang);
        // Columns side by side start on one baseline (a heading at the top of the first,
        // whatever the second starts with). The fact sheet threads its sections through
        // two columns (on page 2), each column's body lines evenly spaced; the flyer has
        // one reading column, its definition level with the facts heading in the figures'
        // column. (Neither keeps a baseline grid now: on the fact sheet's, a paragraph
        // stood a whole blank line under the last, as far as a section (rounds 35-39).)
        let (columns, evenly) = if name == "flyer-letter" {
            (("definition", "facts-heading"), None)
        } else {
            (
                ("sections-1", "sections-2"),
                Some(("sections-1", "sections-2")),
            )
        };
        let (a, b) = columns;
        let (first, second) = (first_baseline(&runs, a), first_baseline(&runs, b));
        assert!(
            first < f32::MAX && second < f32::MAX,
            "{where_}: nothing in `{a}` or `{b}`"
        );
        // (A head at the top of the second column whose text would miss the grid line
        // under it by a little rises by that much, under a quarter line, rather than
        // leave a blank line between itself and its text: rounds 49-50, Arabic.)
        let body = body_baselines(&runs, a);
        let pitch = body
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f32::MAX, f32::min);
        let rises = evenly.is_some() && second < first && first - second <= pitch / 4.0;
        assert!(
            (first - second).abs() < 0.3 || rises,
            "{where_}: `{a}` and `{b}` start on {first:.2} and {second:.2}"
        );
        // No blank line under a head that opens the second column: its text follows it
        // as closely as the first column's heads are followed.
        if evenly.is_some() {
            let text = body_baselines(&runs, b);
            if let Some(&text_first) = text.first()
                && text_first - second > 0.3
            {
                let head_last = runs
                    .iter()
                    .filter(|(f, r)| f == b && r.y.0 < text_first - 0.3)
                    .map(|(_, r)| r.y.0)
                    .fold(f32::MIN, f32::max);
                assert!(
                    text_first - head_last < 1.3 * pitch,
                    "{where_}: `{b}` opens with a head {:.1} pt over its text ({pitch:.1} pt lines)",
                    text_first - head_last
                );
            }
        }
        // The body's lines keep one step, the same in both columns, on one grid: a column
        // that opened its lines to end level with the other drifted out of step across the
        // gutter (round 42), and half-line paragraph spaces did too (rounds 43-44).
        if let Some((a, b)) = evenly {
            let (left, right) = (body_baselines(&runs, a), body_baselines(&runs, b));
            let pitch = left
                .windows(2)
                .map(|w| w[1] - w[0])
                .fold(f32::MAX, f32::min);
            for y in left.iter().chain(&right) {
                let steps = (y - left[0]) / pitch;
                assert!(
                    (steps - steps.round()).abs() * pitch < 0.3,
                    "{where_}: a body line on {y:.2} is off the grid of {pitch:.2} from {:.2}",
                    left[0]
                );
            }
        }
        let mut steps = Vec::new();
        for column in evenly.into_iter().flat_map(|(a, b)| [a, b]) {
            let baselines = body_baselines(&runs, column);
            let shortest = baselines
                .windows(2)
                .map(|w| w[1] - w[0])
                .fold(f32::MAX, f32::min);
            assert!(
                shortest > 5.0 && shortest < 30.0,
                "{where_}: `{column}` lines {shortest} apart"
            );
            // Steps within a paragraph are the line; gaps between paragraphs are larger
            // (at least the body's 5 pt space after).
            for w in baselines.windows(2) {
                let step = w[1] - w[0];
                assert!(
                    step < shortest + 0.3 || step > shortest + 3.0,
                    "{where_}: `{column}` has a line {step:.2} under the one above where its lines are {shortest:.2} apart"
                );
            }
            steps.push(shortest);
        }
        if let [a, b] = steps[..] {
            assert!(
                (a - b).abs() < 0.05,
                "{where_}: the columns' lines are {a:.2} and {b:.2} apart"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 14, "flyer and fact sheet in seven languages");
}

#[test]
fn a_county_without_a_logo_gets_no_made_up_mark_and_its_name_in_the_edition_line() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // Kern has no logo in the shipped county sheet. A typeset "KERN COUNTY" in the logo's
    // place beside the state's lock-up read as the county co-signing a flyer it never saw
    // (art-director rounds 23–28), and squeezed the call to action: the footer is the
    // statewide one, the number to call as large as there, and the edition line names the
    // county at 18 pt or more on every piece.
    let (session, jobs) = session_for(&["kern", "statewide"], &common::repo());
    let english: Vec<&Job> = jobs
        .iter()
        .filter(|j| j.edition.lang == "en" && j.edition.slug == "kern")
        .collect();
    assert_eq!(english.len(), 3, "flyer, fact sheet and poster");
    for job in english {
        let document = compose(&session, job);
        let layout = &session.layouts[job.layout];
        let runs = runs_by_frame(&session, job, &document);
        assert!(
            runs.iter().all(|(f, _)| f != "logo"),
            "{}: text is set in the logo's place: {:?}",
            layout.name,
            runs.iter()
                .filter(|(f, _)| f == "logo")
                .map(|(_, r)| &r.text)
                .collect::<Vec<_>>()
        );
        assert!(
            !runs
                .iter()
                .any(|(f, r)| !f.starts_with("kicker") && r.text.to_uppercase().contains("KERN")),
            "{}: the county's name is set outside the edition line (`kicker`, on each page)",
            layout.name
        );
        // The call to action has the logo's columns, as on the statewide edition: its
        // number is set as large.
        let statewide = jobs
            .iter()
            .find(|j| {
                j.edition.slug == "statewide" && j.edition.lang == "en" && j.layout == job.layout
            })
            .unwrap();
        let phone = |job: &Job, document: &Document| {
            runs_by_frame(&session, job, document)
                .iter()
                .filter(|(f, r)| f == "action" && r.text.contains("653"))
                .map(|(_, r)| r.size.0)
                .fold(0.0, f32::max)
        };
        let state = phone(statewide, &compose(&session, statewide));
        let county = phone(job, &document);
        assert!(
            county > 0.0 && (county - state).abs() < 0.01,
            "{}: the number to call is {county:.1} pt, statewide {state:.1} pt",
            layout.name
        );
        let edition = runs
            .iter()
            .filter(|(f, r)| f == "kicker" && r.text.to_uppercase().contains("KERN"))
            .map(|(_, r)| r.size.0)
            .fold(0.0, f32::max);
        assert!(
            edition >= 18.0,
            "{}: the edition line names the county at {edition:.1} pt",
            layout.name
        );
    }

    // With a logo of its own, the tile shows the logo and no name.
    let scratch = kern_with_a_logo();
    let (session, jobs) = session_for(&["kern"], scratch.path());
    let job = jobs
        .iter()
        .find(|j| layout_name(&session, j) == "flyer-letter")
        .unwrap();
    let document = compose(&session, job);
    assert!(
        runs_by_frame(&session, job, &document)
            .iter()
            .all(|(f, _)| f != "logo"),
        "a county with a logo still shows its name in the tile"
    );
    assert!(
        document.pages[0]
            .items
            .iter()
            .any(|item| matches!(item, Item::Image(_))),
        "the county's logo is missing"
    );
}

#[test]
fn a_county_logo_stands_beside_the_state_lock_up_in_every_layout() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // Co-branding: a county's logo sits in the footer band, on the lock-up's line and
    // just before it, not up in the headline band where it cost the headline its width.
    let scratch = kern_with_a_logo();
    let (session, jobs) = session_for(&["kern"], scratch.path());
    let english: Vec<&Job> = jobs.iter().filter(|j| j.edition.lang == "en").collect();
    assert_eq!(english.len(), 3, "flyer, fact sheet and poster");
    for job in english {
        let document = compose(&session, job);
        let layout = &session.layouts[job.layout];
        let name = layout_name(&session, job);
        let logo = document.pages[0]
            .items
            .iter()
            .find_map(|item| match item {
                Item::Image(image) => Some(image.rect),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{name}: the county's logo is missing"));
        // Page 1's lock-up: the fact sheet's is `agency-1` (its `agency` signs page 2).
        let runs = runs_by_frame(&session, job, &document);
        let front = if runs.iter().any(|(f, _)| f == "agency-1") {
            "agency-1"
        } else {
            "agency"
        };
        let lock_up: Vec<&GlyphRun> = runs
            .into_iter()
            .filter(|(f, _)| f == front)
            .map(|(_, r)| r)
            .collect();
        let (top, bottom) = lock_up.iter().fold((f32::MAX, f32::MIN), |(t, b), r| {
            (t.min(r.y.0 - r.size.0), b.max(r.y.0))
        });
        let left = lock_up.iter().map(|r| r.x.0).fold(f32::MAX, f32::min);
        let middle = logo.y.0 + logo.h.0 / 2.0;
        assert!(
            logo.y.0 > layout.height.0 * 0.75 && middle > top && middle < bottom,
            "{name}: the logo (y {:.0}..{:.0}) is not on the lock-up's lines (y {top:.0}..{bottom:.0})",
            logo.y.0,
            logo.bottom().0
        );
        let gap = left - logo.right().0;
        assert!(
            gap > 0.0 && gap < 72.0,
            "{name}: the logo ends {gap:.0} pt before the lock-up, not beside it"
        );
        // The two marks read as a pair: the footer's hairline stands before the logo
        // (between it and the contact), and no rule stands between logo and lock-up.
        let rules: Vec<f32> = document.pages[0]
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Line { from, to, .. }
                    if (from.0.0 - to.0.0).abs() < 0.01 && from.1.0 > layout.height.0 * 0.75 =>
                {
                    Some(from.0.0)
                }
                _ => None,
            })
            .collect();
        assert!(
            rules.iter().all(|&x| x < logo.x.0 || x > left),
            "{name}: a rule between the logo ({:.0}..{:.0}) and the lock-up ({left:.0}): {rules:?}",
            logo.x.0,
            logo.right().0
        );
        assert!(
            rules.iter().any(|&x| x < logo.x.0 && x > logo.x.0 - 72.0),
            "{name}: no hairline just before the logo at {:.0}: {rules:?}",
            logo.x.0
        );
    }
}

#[test]
fn the_fact_sheets_second_page_signs_off_with_the_county_logo_as_its_first_does() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // Round 54: page 2's tile stood portrait at the card's far side, 1.3 in from the
    // lock-up; round 55: its foot on the sign-off's last line where page 1's top stands on
    // the lock-up's capitals.
    let scratch = kern_with_a_logo();
    let (session, jobs) = session_for(&["kern"], scratch.path());
    let job = jobs
        .iter()
        .find(|j| layout_name(&session, j) == "factsheet-letter")
        .unwrap();
    let document = compose(&session, job);
    let layout = &session.layouts[job.layout];
    let runs = runs_by_frame(&session, job, &document);
    // Per page: the logo as placed, its tile, and the lock-up's first baseline and left edge.
    let sign_off = |page: usize, logo_frame: &str, lock_up: &str| {
        let image = document.pages[page]
            .items
            .iter()
            .find_map(|item| match item {
                Item::Image(image) => Some(image.rect),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no logo on page {}", page + 1));
        let tile = filled_rect(&document, layout, page, logo_frame)
            .unwrap_or_else(|| panic!("no tile under the logo on page {}", page + 1));
        let lines: Vec<&GlyphRun> = runs
            .iter()
            .filter(|(f, _)| f == lock_up)
            .map(|(_, r)| *r)
            .collect();
        let first = lines.iter().map(|r| r.y.0).fold(f32::MAX, f32::min);
        let left = lines.iter().map(|r| r.x.0).fold(f32::MAX, f32::min);
        (image, tile, first, left)
    };
    let (front, front_tile, front_first, front_left) = sign_off(0, "logo", "agency-1");
    let (back, back_tile, back_first, back_left) = sign_off(1, "logo-2", "agency");
    assert!(
        (front.w.0 - back.w.0).abs() < 0.5 && (front.h.0 - back.h.0).abs() < 0.5,
        "the logo is {:.1}×{:.1} pt on page 1, {:.1}×{:.1} pt on page 2",
        front.w.0,
        front.h.0,
        back.w.0,
        back.h.0
    );
    // The tile stands where it does on page 1 against the lock-up's first line, and as
    // near before it.
    let (front_drop, back_drop) = (front_first - front_tile.y.0, back_first - back_tile.y.0);
    assert!(
        (front_drop - back_drop).abs() < 0.5,
        "the lock-up's first baseline stands {front_drop:.1} pt under the tile's top on page 1, {back_drop:.1} on page 2"
    );
    for (page, gap) in [
        (1, front_left - front_tile.right().0),
        (2, back_left - back_tile.right().0),
    ] {
        assert!(
            (10.0..36.0).contains(&gap),
            "page {page}: the tile ends {gap:.1} pt before the lock-up"
        );
    }
}

#[test]
fn a_card_without_its_own_content_shows_its_stand_in_read_once() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // A designer may fill the poster's local-help card, when a county has no local line,
    // with another block (`stand_in` on a text frame): here the number to call. The
    // footer reads the number already, so the card's copy is decoration and a screen
    // reader hears it once; the card keeps its tint.
    let scratch = common::Scratch::new();
    scratch.edit(
        "layouts/poster-18x24.toml",
        "content = \"extra.local\"\nstyle = \"local\"\n",
        "content = \"extra.local\"\nstyle = \"local\"\nstand_in = \"action\"\nstyles = { label = \"local\", phone = \"local\" }\n",
    );
    let (session, jobs) = session_for(&["statewide"], scratch.path());
    let job = jobs
        .iter()
        .find(|j| layout_name(&session, j) == "poster-18x24" && j.edition.lang == "en")
        .unwrap();
    let document = compose(&session, job);
    let runs = runs_by_frame(&session, job, &document);
    let card: Vec<&GlyphRun> = runs
        .iter()
        .filter(|(f, _)| f == "local")
        .map(|(_, r)| *r)
        .collect();
    let text: String = card.iter().map(|r| r.text.clone() + " ").collect();
    assert!(text.contains("653-1838"), "the card shows {text:?}");
    assert!(
        card.iter().all(|r| r.para.is_none()),
        "the card's copy of the number is read as content, a second time"
    );
    assert!(
        runs.iter()
            .any(|(f, r)| f == "action" && r.text.contains("653") && r.para.is_some()),
        "the footer's number is not read"
    );
    let layout = &session.layouts[job.layout];
    let local = &layout.frames[layout.frames.iter().position(|f| f.id == "local").unwrap()];
    assert!(
        document.pages[0].items.iter().any(|item| matches!(item,
            Item::Shape { rect, fill: Some(_), .. }
                if (rect.x.0 - local.rect.x.0).abs() < 1.0 && (rect.y.0 - local.rect.y.0).abs() < 1.0)),
        "the card's tint is not drawn under its stand-in"
    );

    // The shipped poster has no stand-in there: with no local line the hero takes the
    // card's columns (round 14 found the repeated contact block a waste of the spot).
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    let job = jobs
        .iter()
        .find(|j| layout_name(&session, j) == "poster-18x24" && j.edition.lang == "en")
        .unwrap();
    let document = compose(&session, job);
    assert!(
        runs_by_frame(&session, job, &document)
            .iter()
            .all(|(f, _)| f != "local"),
        "the shipped poster's card shows something without a local line"
    );
}

#[test]
fn the_fact_sheets_second_page_ends_level_with_its_sign_off_in_every_language() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    // How far the end card's top stands under the second column's last line, where the
    // card rose to meet the text.
    let mut risen_gaps: Vec<(String, f32)> = Vec::new();
    let mut checked = 0;
    for job in jobs
        .iter()
        .filter(|j| layout_name(&session, j) == "factsheet-letter")
    {
        let lang = &job.edition.lang;
        let layout = &session.layouts[job.layout];
        let document = compose(&session, job);
        let runs = runs_by_frame(&session, job, &document);
        let runs = runs.as_slice();
        let (left, right) = (
            body_baselines(runs, "sections-1"),
            body_baselines(runs, "sections-2"),
        );
        assert!(
            !left.is_empty() && !right.is_empty(),
            "{lang}: page 2's columns hold {} and {} lines",
            left.len(),
            right.len()
        );
        let pitch = left
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(f32::MAX, f32::min);
        // The first column runs to its foot: less than a line and a half of its grid is
        // left under its last line (a heading's kept lines left it up to three lines short
        // at the largest size that fits, round 48).
        let first = layout.frames.iter().find(|f| f.id == "sections-1").unwrap();
        let foot = first.rect.bottom().0;
        let last = *left.last().unwrap();
        assert!(
            foot - last < 1.5 * pitch,
            "{lang}: page 2's first column ends {:.1} pt above its foot ({pitch:.1} pt lines)",
            foot - last
        );
        // The second column ends in the end card: the card rises to meet the text (round
        // 53: up to 1.7 in of white stood over a card fixed at the foot), never nearer it
        // than its least top allows, and the number to call stands in it over the
        // sign-off, whose last line is level with the first column's last (the agency's
        // lock-up ends the page).
        let card_index = layout
            .frames
            .iter()
            .position(|f| f.id == "end-card")
            .unwrap();
        let card = filled_rect(&document, layout, 1, "end-card")
            .unwrap_or_else(|| panic!("{lang}: no end card drawn on page 2"));
        let right_last = *right.last().unwrap();
        let gap = card.y.0 - right_last;
        assert!(
            gap > pitch,
            "{lang}: the end card's top stands {gap:.1} pt under the second column's last line ({pitch:.1} pt lines)"
        );
        let least_top = layout.frames[card_index].rect.y.0;
        if card.y.0 < least_top - 0.5 {
            risen_gaps.push((lang.clone(), gap));
        }
        let lowest = |frame: &str| {
            runs.iter()
                .filter(|(f, _)| f == frame)
                .map(|(_, r)| r.y.0)
                .fold(f32::MIN, f32::max)
        };
        let highest = |frame: &str| {
            runs.iter()
                .filter(|(f, _)| f == frame)
                .map(|(_, r)| r.y.0)
                .fold(f32::MAX, f32::min)
        };
        assert!(
            highest("action-2") > card.y.0 + 16.0 && lowest("action-2") < highest("agency"),
            "{lang}: the number to call stands from {:.1} to {:.1} pt, the card's top at {:.1}, the sign-off from {:.1}",
            highest("action-2"),
            lowest("action-2"),
            card.y.0,
            highest("agency")
        );
        // No slab of empty navy between the number and the sign-off (round 49: 168 pt in
        // Chinese, when the card followed text set small on a full first column).
        let navy = highest("agency") - lowest("action-2");
        assert!(
            navy < 90.0,
            "{lang}: {navy:.1} pt of navy stands between the number to call and the sign-off"
        );
        assert!(
            (lowest("agency") - last).abs() < 0.5,
            "{lang}: the sign-off ends at {:.1} pt, the first column at {last:.1} pt",
            lowest("agency")
        );
        checked += 1;
    }
    assert_eq!(checked, 7, "the fact sheet in seven languages");
    // Where the card rose, it stands one distance under the text in every language (the
    // scripts' line depths under the baseline differ by a few points).
    let (narrowest, widest) = risen_gaps
        .iter()
        .fold((f32::MAX, f32::MIN), |(n, w), (_, g)| {
            (n.min(*g), w.max(*g))
        });
    assert!(
        risen_gaps.len() >= 3 && widest - narrowest < 4.0,
        "the end card stands under the text by {risen_gaps:?}"
    );

    // Every section break on the page is the same height, in both columns: no break
    // opens to level the columns (the end card takes what the text leaves).
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    for job in jobs
        .iter()
        .filter(|j| layout_name(&session, j) == "factsheet-letter")
    {
        let layout = &session.layouts[job.layout];
        let document = compose(&session, job);
        let runs = runs_by_frame(&session, job, &document);
        // The steps into every heading on the page (from the body line above it), both
        // columns: round 43 found 57.7 against 37.2 pt of white above the Spanish heads,
        // round 48 a break a line or two taller in every language where the shorter of
        // two balanced columns opened it to end level.
        let mut heading_steps: Vec<f32> = Vec::new();
        let mut page_pitch = f32::MAX;
        for id in ["sections-1", "sections-2"] {
            let baselines = body_baselines(&runs, id);
            let pitch = baselines
                .windows(2)
                .map(|w| w[1] - w[0])
                .fold(f32::MAX, f32::min);
            // Sections stand apart more than the paragraphs of one section: the space before
            // a heading (from the body line above it) is larger than any paragraph's.
            // A heading's line: set in Oswald, or (Arabic, whose heads are in Noto Sans
            // Arabic Bold) bold throughout.
            let mut lines: Vec<(f32, bool)> = Vec::new();
            let mut in_frame: Vec<&GlyphRun> = runs
                .iter()
                .filter(|(f, _)| f == id)
                .map(|(_, r)| *r)
                .collect();
            in_frame.sort_by(|a, b| a.y.0.total_cmp(&b.y.0));
            for line in in_frame.chunk_by(|a, b| (a.y.0 - b.y.0).abs() < 0.05) {
                let face = |r: &&GlyphRun| session.fonts.face(r.font);
                let heading = line.iter().any(|r| face(r).family.contains("Oswald"))
                    || line.iter().all(|r| face(r).weight >= 600);
                lines.push((line[0].y.0, heading));
            }
            let (mut before_heading, mut between_paragraphs) = (f32::MAX, 0.0f32);
            for w in lines.windows(2) {
                let step = w[1].0 - w[0].0;
                match (w[0].1, w[1].1) {
                    (false, true) => {
                        before_heading = before_heading.min(step);
                        heading_steps.push(step);
                    }
                    (false, false) => between_paragraphs = between_paragraphs.max(step),
                    _ => {}
                }
            }
            // Paragraphs of a section stand under a blank line apart: a whole line (the
            // grid's, up to round 39) read as a new section without its heading.
            assert!(
                between_paragraphs <= 1.75 * pitch,
                "{} ({}): `{id}` has {between_paragraphs:.1} pt between paragraphs ({pitch:.1} pt lines)",
                layout.name,
                job.edition.lang
            );
            if before_heading < f32::MAX {
                assert!(
                    before_heading > between_paragraphs + 0.5,
                    "{} ({}): `{id}` has {before_heading:.1} pt before a heading, {between_paragraphs:.1} pt between paragraphs",
                    layout.name,
                    job.edition.lang
                );
            }
            page_pitch = page_pitch.min(pitch);
        }
        let widest = heading_steps.iter().copied().fold(f32::MIN, f32::max);
        let narrowest = heading_steps.iter().copied().fold(f32::MAX, f32::min);
        // (Within 2 pt: a two-line Arabic head opens its own leading for its marks' ink.)
        assert!(
            heading_steps.len() < 2 || widest - narrowest <= 2.0,
            "{} ({}): the steps into page 2's headings run from {narrowest:.1} to {widest:.1} pt ({page_pitch:.1} pt lines)",
            layout.name,
            job.edition.lang
        );
    }
}

#[test]
fn no_word_is_divided_across_columns_or_the_page_turn() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    for job in &jobs {
        let name = layout_name(&session, job);
        if name == "poster-18x24" {
            continue; // no threaded columns
        }
        let document = compose(&session, job);
        let runs = runs_by_frame(&session, job, &document);
        let frames: std::collections::BTreeSet<&str> = runs
            .iter()
            .map(|(f, _)| f.as_str())
            .filter(|f| f.starts_with("sections-"))
            .collect();
        // Every column but the chain's last ends in a whole word: the hyphen a break adds
        // is drawn as its own run ("-"), so the column's last line must not hold one.
        let last_frame = frames.iter().next_back().copied();
        for frame in frames {
            if Some(frame) == last_frame {
                continue;
            }
            let foot = runs
                .iter()
                .filter(|(f, _)| f == frame)
                .map(|(_, r)| r.y.0)
                .fold(f32::MIN, f32::max);
            let divided = runs
                .iter()
                .any(|(f, r)| f == frame && (r.y.0 - foot).abs() < 0.05 && r.text == "-");
            assert!(
                !divided,
                "{name} ({}): `{frame}` ends in a hyphenated word",
                job.edition.lang
            );
        }
    }
}

#[test]
fn a_county_s_longer_local_line_still_sets_on_every_piece() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // A county's own help line under the headline is the county's to write: one a good
    // deal longer than the sample (round 35: a few words more failed the Spanish flyer)
    // is set smaller, down to 9 pt, never refused.
    let scratch = common::Scratch::new();
    let line = "Alameda County H.E.A.T. Watch: confidential help 24 hours a day, every day of \
                the year, at **(510) 208-4777** or heatwatch.org";
    scratch.add_local_column(|row| match row {
        row if row.starts_with("Alameda,") => format!("{row},\"{line}\""),
        other => format!("{other},"),
    });
    let (session, jobs) = session_for(&["alameda"], scratch.path());
    let mut checked = 0;
    for job in &jobs {
        let name = layout_name(&session, job);
        let document = session
            .compose(job)
            .unwrap_or_else(|e| panic!("{name}: the longer local line is refused: {e:?}"));
        let runs = runs_by_frame(&session, job, &document);
        let local: Vec<&&GlyphRun> = runs
            .iter()
            .filter(|(f, _)| f == "local" || f == "local-card")
            .map(|(_, r)| r)
            .collect();
        let text: String = local.iter().map(|r| r.text.as_str()).collect();
        assert!(
            text.contains("208-4777"),
            "{name}: the local line is not set: {text}"
        );
        for run in &local {
            assert!(
                run.size.0 >= 9.0 - 0.01,
                "{name}: local line at {:.2} pt",
                run.size.0
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 3, "flyer, poster and fact sheet");
}

#[test]
fn the_poster_lock_up_keeps_one_size_in_every_language() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // The department line and the motto under the agency's name: one size in every
    // language (round 37 found 25.5 pt in Tagalog, 29–30 in Spanish and Vietnamese and
    // 32 in English: the block changed shape); a longer line takes more lines instead.
    let mut sizes = Vec::new();
    let checked = each_statewide("poster-18x24", |lang, runs| {
        let under_name: Vec<f32> = runs
            .iter()
            // The name is set at 44 pt, the lines under it far smaller.
            .filter(|(f, r)| f == "agency" && r.size.0 < 40.0)
            .map(|(_, r)| r.size.0)
            .collect();
        assert!(!under_name.is_empty(), "{lang}: no department line");
        sizes.push((
            lang.to_string(),
            under_name.iter().copied().fold(f32::MAX, f32::min),
        ));
    });
    assert_eq!(checked, 7);
    let (least, most) = sizes.iter().fold((f32::MAX, f32::MIN), |(a, b), (_, s)| {
        (a.min(*s), b.max(*s))
    });
    assert!(
        most - least <= 1.5 && least >= 26.0 - 0.01,
        "the lock-up's lines under the name: {sizes:?}"
    );
}

#[test]
fn the_fact_sheets_source_note_stands_clear_of_the_captions_in_every_language() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // Set right under the statistics, the note came within 4 pt of five-line Spanish and
    // Tagalog captions and read as one more caption line (round 42): its baseline stands
    // at least 1.7 caption sizes under the lowest caption's.
    let checked = each_statewide("factsheet-letter", |lang, runs| {
        let lowest_caption = runs
            .iter()
            .filter(|(f, _)| f.starts_with("stat-"))
            .map(|(_, r)| (r.y.0, r.size.0))
            .fold((f32::MIN, 0.0), |a, b| if b.0 > a.0 { b } else { a });
        let note = first_baseline(runs, "sources");
        assert!(note < f32::MAX, "{lang}: no source note");
        let (caption, size) = lowest_caption;
        assert!(
            note - caption >= 1.7 * size,
            "{lang}: the source note's baseline is {:.1} pt under the last caption line ({size:.1} pt)",
            note - caption
        );
    });
    assert_eq!(checked, 7, "the fact sheet in seven languages");
}

#[test]
fn the_fact_sheets_definition_stands_centred_in_its_panel_in_every_language() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    let checked = each_statewide_job("factsheet-letter", |session, job, runs| {
        let lang = &job.edition.lang;
        let layout = &session.layouts[job.layout];
        let panel = layout.frames.iter().find(|f| f.id == "definition").unwrap();
        let halves: Vec<Vec<f32>> = ["definition", "definition-2"]
            .iter()
            .map(|id| body_baselines(runs, id))
            .collect();
        assert!(halves.iter().all(|h| !h.is_empty()), "{lang}: {halves:?}");
        // Both halves start on one baseline...
        assert!(
            (halves[0][0] - halves[1][0]).abs() < 0.05,
            "{lang}: the definition's halves start at {:.1} and {:.1} pt",
            halves[0][0],
            halves[1][0]
        );
        // ...and the block sits in the middle of the panel: as much white over its first
        // line's capitals as under its last line (Chinese ran three lines of five from
        // the top, 15 pt over it and 31 pt under, round 48).
        let size = runs
            .iter()
            .find(|(f, _)| f == "definition")
            .map(|(_, r)| r.size.0)
            .unwrap();
        let first = halves[0][0];
        let last = halves
            .iter()
            .filter_map(|h| h.last())
            .copied()
            .fold(f32::MIN, f32::max);
        let above = first - 0.75 * size - panel.rect.y.0;
        let below = panel.rect.bottom().0 - last - 0.25 * size;
        assert!(
            (above - below).abs() < 0.6 * size,
            "{lang}: {above:.1} pt over the definition, {below:.1} pt under it"
        );
    });
    assert_eq!(checked, 7, "the fact sheet in seven languages");
}

#[test]
fn the_fact_sheets_paragraphs_open_with_an_indent_and_no_space() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // On page 2's grid a paragraph told apart by space stood a blank line under the last,
    // as far as a section (rounds 35-39); half a line set the columns out of step (rounds
    // 42-44). A paragraph after a paragraph opens with a one-em indent instead (two in
    // Chinese); a paragraph after a heading starts flush.
    let checked = each_statewide("factsheet-letter", |lang, runs| {
        let ems = if lang.starts_with("zh") { 2 } else { 1 };
        for frame in ["sections-1", "sections-2"] {
            // Each line's runs, in the order set (logical order: an indent leads its line).
            let mut lines: Vec<(f32, String)> = Vec::new();
            for (_, run) in runs.iter().filter(|(f, _)| f == frame) {
                match lines.iter_mut().find(|l| (l.0 - run.y.0).abs() < 0.05) {
                    Some(line) => line.1.push_str(&run.text),
                    None => lines.push((run.y.0, run.text.clone())),
                }
            }
            let indents: Vec<usize> = lines
                .iter()
                .map(|(_, text)| text.chars().take_while(|&c| c == '\u{2003}').count())
                .filter(|&n| n > 0)
                .collect();
            assert!(
                indents.iter().all(|&n| n == ems),
                "{lang}: `{frame}` indents by {indents:?} em, not {ems}"
            );
            if frame == "sections-2" {
                assert!(
                    !indents.is_empty(),
                    "{lang}: no paragraph in `{frame}` is indented"
                );
            }
        }
    });
    assert_eq!(checked, 7, "the fact sheet in seven languages");
}

#[test]
fn chinese_body_text_is_set_flush_on_both_sides() {
    // Composes in-process: the live preview test waits (see common::shared).
    let _shared = crate::common::shared();
    // Set flush left, breaking only between dictionary words, Chinese ended lines up to two
    // characters short (rounds 38-45 asked for it justified, as it is set in print): it
    // now breaks between any two ideographs and every line but a paragraph's last is
    // flush with the measure, the definition's too (round 46).
    let (session, jobs) = session_for(&["statewide"], &common::repo());
    let mut checked = 0;
    for job in jobs.iter().filter(|j| j.edition.lang == "zh-Hant") {
        let frames: &[&str] = match layout_name(&session, job) {
            "flyer-letter" => &["definition", "sections"],
            "factsheet-letter" => &["definition", "definition-2", "sections-1", "sections-2"],
            _ => continue,
        };
        let document = compose(&session, job);
        let runs = runs_by_frame(&session, job, &document);
        for frame in frames {
            // Each body line (the frame's commonest size; heads are balanced, not
            // justified): (baseline, right edge, paragraph).
            let sizes: Vec<f32> = runs
                .iter()
                .filter(|(f, _)| f == frame)
                .map(|(_, r)| r.size.0)
                .collect();
            let body = sizes
                .iter()
                .copied()
                .max_by_key(|s| sizes.iter().filter(|t| (*t - s).abs() < 0.01).count())
                .unwrap_or(0.0);
            let mut lines: Vec<(f32, f32, Option<usize>)> = Vec::new();
            for (_, run) in runs
                .iter()
                .filter(|(f, r)| f == frame && (r.size.0 - body).abs() < 0.01)
            {
                let right = run.x.0 + run.glyphs.iter().map(|g| run.advance(g).0).sum::<f32>();
                match lines.iter_mut().find(|l| (l.0 - run.y.0).abs() < 0.05) {
                    Some(line) => line.1 = line.1.max(right),
                    None => lines.push((run.y.0, right, run.para)),
                }
            }
            lines.sort_by(|a, b| a.0.total_cmp(&b.0));
            let measure = lines.iter().map(|l| l.1).fold(f32::MIN, f32::max);
            for w in lines.windows(2) {
                // A line the same paragraph goes on from is a full line.
                if w[0].2.is_some() && w[0].2 == w[1].2 {
                    assert!(
                        measure - w[0].1 < 1.0,
                        "{}: `{frame}` has a line on {:.1} ending {:.1} pt short of the measure",
                        layout_name(&session, job),
                        w[0].0,
                        measure - w[0].1
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 20, "only {checked} Chinese lines checked");
}
