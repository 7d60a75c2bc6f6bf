//! The command line (clap): `build`, `check`, `preview`, `watch`, `serve`, `init`, `fonts`
//! and the rest. Finds the kit, parses arguments into batch options and prints diagnostics
//! and summaries; all real work is in the library.

use crate::diag::Diagnostic;
use crate::kit::{Options, Outcome, Place, Session};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "broadside",
    version,
    about = "Turn a campaign's content into print-ready flyers, posters and fact sheets for every county"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Colour in messages: auto (on a terminal, unless NO_COLOR is set), always or never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print only errors (no warnings, progress or summaries)
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Print more: the kit in use and a line per document even on a terminal
    #[arg(long, short, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How much the commands print (`--quiet`, `--verbose`).
static LEVEL: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(1);

fn quiet() -> bool {
    LEVEL.load(std::sync::atomic::Ordering::Relaxed) == 0
}

fn verbose() -> bool {
    LEVEL.load(std::sync::atomic::Ordering::Relaxed) >= 2
}

/// Prints a line of the run's story to stderr, unless `--quiet`.
macro_rules! say {
    ($($arg:tt)*) => {
        if !quiet() {
            eprintln!($($arg)*);
        }
    };
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build PDFs into out/<year>/<campaign>/<edition>/<layout>.pdf (all editions and layouts by default)
    Build {
        #[command(flatten)]
        selection: Selection,
        #[command(flatten)]
        run: RunOptions,
    },
    /// Validate content, layouts and every selected edition without writing anything
    /// (with --print: compose the print documents and run the print preflight)
    Check(Selection),
    /// Render the selected PDFs' pages to PNG (into --out, default `preview/`)
    Preview {
        #[command(flatten)]
        selection: Selection,
        /// Resolution of the PNGs (1 to 600; a page may have at most 50 million pixels)
        #[arg(long, default_value_t = 60.0, value_parser = parse_dpi)]
        dpi: f32,
    },
    /// A proof sheet per layout: every selected edition as a labelled thumbnail, in plan
    /// order, failing and flagged editions marked (PDF and PNG, into --out, default `proof/`)
    Proof {
        #[command(flatten)]
        selection: Selection,
        /// The paper the proof sheets are laid out on
        #[arg(long, value_enum, default_value_t = crate::proof::ProofSheet::Letter)]
        sheet: crate::proof::ProofSheet,
        /// Resolution of the PNGs (1 to 600)
        #[arg(long, default_value_t = 60.0, value_parser = parse_dpi)]
        dpi: f32,
    },
    /// Print a crontab line, a systemd timer and service, or a CI workflow for the yearly run
    Schedule {
        /// What to print
        #[arg(long, value_enum)]
        emit: ScheduleKind,
        #[command(flatten)]
        inputs: Inputs,
    },
    /// Work with run manifests
    Manifest {
        #[command(subcommand)]
        command: ManifestCommand,
    },
    /// List the font families (built in, from the kit's fonts/ or --font-dir): where each
    /// comes from, its styles and scripts
    Fonts {
        #[command(flatten)]
        inputs: Inputs,
    },
    /// Start a kit: broadside.toml, a campaign folder and copies of the layouts
    Init {
        /// The kit's folder (default: the current folder); created if missing
        dir: Option<PathBuf>,
        /// The campaign to start from: `trafficking-prevention` (the shipped campaign, the
        /// default) or a new campaign id, which gets a commented blank template
        #[arg(long, value_name = "NAME")]
        campaign: Option<String>,
    },
    /// Rebuild the selection whenever a content, layout, county or font file is saved
    Watch {
        #[command(flatten)]
        selection: Selection,
    },
    /// Live preview in the browser on 127.0.0.1: rebuilds on save and updates the page
    Serve {
        #[command(flatten)]
        selection: Selection,
        /// The port to listen on (0 picks a free one)
        #[arg(long, default_value_t = 7878)]
        port: u16,
        /// Resolution of the page images
        #[arg(long, default_value_t = 72.0)]
        dpi: f32,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell)
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), e.g. `broadside man > broadside.1`
    Man,
}

#[derive(Debug, Args)]
pub struct RunOptions {
    /// Build only what is due: each campaign whose build date for the coming observance has
    /// passed and whose outputs for that year are missing or out of date (safe to run daily)
    #[arg(long)]
    pub due: bool,
    /// The date to take as today, YYYY-MM-DD (default: the system clock)
    #[arg(long, value_parser = parse_date)]
    pub today: Option<jiff::civil::Date>,
    /// Worker threads, 1 to 64 (default: one per core)
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=MAX_JOBS as i64))]
    pub jobs: Option<u16>,
    /// Build shard I of N (e.g. 2/4): a deterministic share of the documents, for spreading a
    /// run over machines; merge the manifests with `broadside manifest merge`
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(usize, usize)>,
}

pub use crate::kit::schedule::ScheduleKind;

#[derive(Debug, Subcommand)]
pub enum ManifestCommand {
    /// Merge the manifests of a sharded run into one (written to --out, or printed)
    Merge {
        /// The shards' manifest.json files
        #[arg(required = true)]
        manifests: Vec<PathBuf>,
        /// Where to write the merged manifest
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// The most worker threads `--jobs` starts: far more than the cores of any machine that
/// builds a kit; 100,000 threads would only exhaust the process.
pub const MAX_JOBS: usize = 64;

/// `--dpi`: a finite resolution up to [`crate::render::MAX_PREVIEW_DPI`].
fn parse_dpi(text: &str) -> Result<f32, String> {
    let dpi: f32 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    let max = crate::render::MAX_PREVIEW_DPI;
    if !dpi.is_finite() || !(1.0..=max).contains(&dpi) {
        return Err(format!("the preview resolution must be 1 to {max} dpi"));
    }
    Ok(dpi)
}

/// `--year`: a four-digit year (dates and folder names hold no other).
fn parse_year(text: &str) -> Result<i32, String> {
    match text.trim().parse::<i32>() {
        Ok(year) if (1000..=9999).contains(&year) => Ok(year),
        _ => Err(format!("`{text}` is not a year from 1000 to 9999")),
    }
}

fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse()
        .map_err(|e| format!("`{text}` is not a date (YYYY-MM-DD): {e}"))
}

fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (i, n) = text
        .split_once('/')
        .ok_or("write the shard as I/N, e.g. 2/4")?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| "I must be a number")?,
        n.trim().parse().map_err(|_| "N must be a number")?,
    );
    if n == 0 || i == 0 || i > n {
        return Err(format!("shard {i}/{n} does not exist: 1 ≤ I ≤ N"));
    }
    Ok((i, n))
}

#[derive(Debug, Args)]
pub struct Inputs {
    /// Folder of campaigns, each sub-folder with a campaign.toml (default: the kit's, from
    /// broadside.toml)
    #[arg(long)]
    pub content: Option<PathBuf>,
    /// Folder of layout files (default: the kit's, else the built-in layouts)
    #[arg(long)]
    pub layouts: Option<PathBuf>,
    /// An extra folder of fonts that adds to or replaces built-in faces (repeatable; the
    /// kit's fonts/ is read too); system fonts are never used
    #[arg(long = "font-dir", env = "BROADSIDE_FONT_PATHS", value_delimiter = ':')]
    pub font_dirs: Vec<PathBuf>,
}

impl Inputs {
    /// Finds the kit above the current folder and fills in what the flags leave out.
    /// `need_content`: whether the command needs campaigns (then a missing kit is an error).
    pub fn place(&self, need_content: bool) -> Result<Place, Diagnostic> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        crate::kit::place(
            &cwd,
            self.content.clone(),
            self.layouts.clone(),
            &self.font_dirs,
            need_content,
        )
    }
}

#[derive(Debug, Args)]
pub struct Selection {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Only these counties (name or slug; `statewide` for the statewide edition); repeatable
    #[arg(long)]
    pub county: Vec<String>,
    /// Only these layouts (file name without .toml); repeatable
    #[arg(long)]
    pub layout: Vec<String>,
    /// Only these languages (e.g. `es`, `zh-Hant`); repeatable
    #[arg(long)]
    pub lang: Vec<String>,
    /// Only these campaigns (id); repeatable
    #[arg(long)]
    pub campaign: Vec<String>,
    /// The observance year (default: the upcoming one)
    #[arg(long, value_parser = parse_year)]
    pub year: Option<i32>,
    /// Output folder (default: `out` in broadside.toml)
    #[arg(long, env = "BROADSIDE_OUT")]
    pub out: Option<PathBuf>,
    /// Print mode: bleed and trim boxes, crop marks and a slug line, colours in CMYK
    /// (files are named `<layout>[.<lang>].print.pdf`)
    #[arg(long)]
    pub print: bool,
    /// Archival screen editions: PDF/A-2a as well as PDF/UA-1, for records retention
    /// (files are named `<layout>[.<lang>].archive.pdf`)
    #[arg(long, conflicts_with_all = ["print", "tile"])]
    pub archive: bool,
    /// Tile documents too big for an office printer (posters) over sheets of this size, to
    /// tape together: letter, tabloid or a4 (files are named `<layout>[.<lang>].tiles-<sheet>.pdf`)
    #[arg(long, value_name = "SHEET", value_parser = parse_sheet)]
    pub tile: Option<crate::tile::Sheet>,
    /// How far neighbouring tiles overlap (for gluing), e.g. `0.5in`, `12mm`
    #[arg(long, value_name = "LENGTH", default_value = "0.5in", value_parser = parse_overlap, requires = "tile")]
    pub tile_overlap: crate::units::Pt,
    /// The press condition for print files' PDF/X-4 output intent, over any layout's `[print]
    /// icc`: a bundled profile — GRACoL (US sheetfed, the default), SWOP (US web) or FOGRA39
    /// (Europe) — or your printer's CMYK output ICC profile file
    #[arg(long, value_name = "NAME|FILE", requires = "print")]
    pub icc: Option<PathBuf>,
}

fn parse_sheet(text: &str) -> Result<crate::tile::Sheet, String> {
    text.parse()
}

fn parse_overlap(text: &str) -> Result<crate::units::Pt, String> {
    crate::units::parse_length(text)
}

impl Selection {
    /// The batch options: flags first, then the kit's `broadside.toml` (folders and default
    /// selection). `default_out` names the output folder under the kit's root when neither
    /// `--out` nor the kit says (`preview` for PNGs).
    pub fn options(&self, default_out: Option<&str>) -> Result<Options, ExitCode> {
        let place = self.inputs.place(true).map_err(|d| {
            report(&[d]);
            ExitCode::from(2)
        })?;
        let defaults = place
            .kit
            .as_ref()
            .map(|k| k.defaults.clone())
            .unwrap_or_default();
        let or = |given: &Vec<String>, default: &Vec<String>| {
            if given.is_empty() {
                default.clone()
            } else {
                given.clone()
            }
        };
        let out = match (&self.out, default_out, &place.kit) {
            (Some(out), _, _) => out.clone(),
            (None, Some(name), _) => place.root.join(name),
            (None, None, Some(kit)) => kit.out.clone(),
            (None, None, None) => place.root.join("out"),
        };
        if verbose() {
            match &place.kit {
                Some(kit) => eprintln!("kit: {}", kit.root.display()),
                None => eprintln!("no kit: inputs from the command line"),
            }
        }
        Ok(Options {
            content: place.content,
            layouts: place.layouts,
            font_dirs: place.font_dirs,
            out,
            year: self.year,
            campaigns: or(&self.campaign, &defaults.campaigns),
            counties: or(&self.county, &defaults.counties),
            layout_names: or(&self.layout, &defaults.layouts),
            languages: or(&self.lang, &defaults.languages),
            today: None,
            shard: None,
            print: self.print,
            archive: self.archive,
            tile: self.tile.map(|sheet| crate::tile::TileSpec {
                sheet,
                overlap: self.tile_overlap,
            }),
            icc: self.icc.clone(),
        })
    }
}

/// Runs a parsed command line. Exit codes: 0 success, 1 some documents failed,
/// 2 the inputs or arguments are wrong.
pub fn run(cli: Cli) -> ExitCode {
    use std::io::IsTerminal;
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        // https://no-color.org: any non-empty NO_COLOR turns colour off.
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    };
    crate::diag::set_color(color);
    LEVEL.store(
        if cli.quiet {
            0
        } else if cli.verbose {
            2
        } else {
            1
        },
        std::sync::atomic::Ordering::Relaxed,
    );
    let options = |selection: &Selection, out: Option<&str>| selection.options(out);
    match cli.command {
        Command::Build { selection, run } => {
            // A build is a short run of many documents; `serve` and `watch` run for hours
            // and keep the allocator's defaults (see `malloc`).
            crate::malloc::tune();
            let mut options = match options(&selection, None) {
                Ok(o) => o,
                Err(code) => return code,
            };
            options.today = run.today;
            options.shard = run.shard;
            with_threads(run.jobs.map(usize::from), || build(&options, run.due))
        }
        Command::Schedule { emit, inputs } => schedule(emit, &inputs),
        Command::Manifest {
            command: ManifestCommand::Merge { manifests, out },
        } => merge(&manifests, out.as_deref()),
        Command::Check(selection) => match options(&selection, None) {
            Ok(o) => check(&o),
            Err(code) => code,
        },
        Command::Preview { selection, dpi } => match options(&selection, Some("preview")) {
            Ok(o) => preview(&o, dpi),
            Err(code) => code,
        },
        Command::Proof {
            selection,
            sheet,
            dpi,
        } => match options(&selection, Some("proof")) {
            Ok(o) => proof(&o, sheet, dpi),
            Err(code) => code,
        },
        Command::Fonts { inputs } => fonts(&inputs),
        Command::Init { dir, campaign } => init(dir, campaign),
        Command::Watch { selection } => match options(&selection, None) {
            Ok(o) => crate::serve::watch(o, |o| build(o, false)),
            Err(code) => code,
        },
        Command::Serve {
            selection,
            port,
            dpi,
        } => match options(&selection, None) {
            Ok(o) => crate::serve::serve(o, port, dpi),
            Err(code) => code,
        },
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let mut command = Cli::command();
            clap_complete::generate(shell, &mut command, "broadside", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man => {
            use clap::CommandFactory;
            let man = clap_mangen::Man::new(Cli::command());
            match man.render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: cannot write the man page: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// Prints diagnostics (warnings only without `--quiet`), each followed by a blank line.
pub fn report(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        if d.is_error() || !quiet() {
            eprintln!("{d}\n");
        }
    }
}

/// `broadside init`: writes a kit that builds as it stands.
fn init(dir: Option<PathBuf>, campaign: Option<String>) -> ExitCode {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let root = dir.map_or(cwd.clone(), |d| cwd.join(d));
    match crate::kit::init(&root, campaign.as_deref()) {
        Ok(written) => {
            for path in &written {
                say!("  wrote {}", path.display());
            }
            say!(
                "a broadside kit is ready in {}\nnext: cd there, then `broadside build` (PDFs into out/) or `broadside serve` (live preview)",
                root.display()
            );
            ExitCode::SUCCESS
        }
        Err(d) => {
            report(&[d]);
            ExitCode::from(2)
        }
    }
}

fn load(options: &Options) -> Result<(Session, Vec<crate::kit::Job>), ExitCode> {
    let session = Session::load(options).map_err(|errs| {
        report(&errs);
        eprintln!(
            "{} problem(s) in the inputs; nothing was built",
            errs.iter().filter(|d| d.is_error()).count()
        );
        ExitCode::from(2)
    })?;
    let jobs = session.plan(options).map_err(|errs| {
        report(&errs);
        ExitCode::from(2)
    })?;
    report(&session.tile_notes(options));
    Ok((session, jobs))
}

/// Prints each failure and a summary line; returns the number of failures.
fn summarize(outcomes: &[Outcome], verb: &str) -> usize {
    // Print preflight warnings of the documents that passed (a failed one lists its
    // warnings with its errors below).
    for built in outcomes.iter().filter_map(|o| o.result.as_ref().ok()) {
        report(&built.warnings);
    }
    let failures: Vec<&Outcome> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    for outcome in &failures {
        if let Err(errs) = &outcome.result {
            report(errs);
        }
    }
    if !failures.is_empty() {
        eprintln!("failed:");
        for outcome in &failures {
            let reason = outcome
                .result
                .as_ref()
                .err()
                .and_then(|e| e.first())
                .map_or(String::new(), |d| d.message.clone());
            eprintln!(
                "  {} — {}: {reason}",
                outcome.job.edition,
                outcome.job.path.display()
            );
        }
    }
    say!(
        "{} document(s) {verb}, {} failed",
        outcomes.len() - failures.len(),
        failures.len()
    );
    failures.len()
}

/// The number of print preflight warnings of the documents that passed.
fn preflight_warnings(outcomes: &[Outcome]) -> usize {
    outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .map(|b| b.warnings.len())
        .sum()
}

/// Runs `f` on a pool of `jobs` threads (rayon's default: one per core).
fn with_threads(jobs: Option<usize>, f: impl FnOnce() -> ExitCode + Send) -> ExitCode {
    match jobs {
        Some(n) => match rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build()
        {
            Ok(pool) => pool.install(f),
            Err(e) => {
                eprintln!("error: cannot start {n} worker threads: {e}");
                ExitCode::from(2)
            }
        },
        None => f(),
    }
}

/// How long a build waits for another run to release the output folder:
/// `BROADSIDE_LOCK_WAIT` seconds, default 600.
fn lock_wait() -> std::time::Duration {
    let seconds = std::env::var("BROADSIDE_LOCK_WAIT")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(600);
    std::time::Duration::from_secs(seconds)
}

fn build(options: &Options, due: bool) -> ExitCode {
    let (session, mut jobs) = match load(options) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // One run at a time per output folder: the manifests are read, merged and written
    // under this lock, so two runs cannot lose each other's entries.
    let _lock = match crate::output::OutputLock::acquire(&options.out, lock_wait()) {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!("error: {e}");
            eprintln!("  = hint: wait for the other run to finish, or build into another --out");
            return ExitCode::from(1);
        }
    };
    if due {
        let today = options.today.unwrap_or_else(crate::kit::due::today);
        let statuses = match session.due(options, today) {
            Ok(s) => s,
            Err(errs) => {
                report(&errs);
                return ExitCode::from(2);
            }
        };
        jobs = Vec::new();
        for (campaign, status) in statuses {
            match status {
                crate::kit::Due::NotYet { year, build_date } => {
                    say!("{campaign}: the {year} kit is not due until {build_date}; nothing to do")
                }
                crate::kit::Due::UpToDate { year } => {
                    say!("{campaign}: the {year} kit is up to date; nothing to do")
                }
                crate::kit::Due::Build {
                    year,
                    jobs: due_jobs,
                } => {
                    say!(
                        "{campaign}: the {year} kit is due: {} document(s) missing or out of date",
                        due_jobs.len()
                    );
                    let ci = session
                        .campaigns
                        .iter()
                        .position(|c| c.meta.id == campaign)
                        .expect("known campaign");
                    report(&session.stale_sources(ci, year));
                    jobs.extend(due_jobs);
                }
            }
        }
        if jobs.is_empty() {
            return ExitCode::SUCCESS;
        }
    }
    // The build's log stays short for scheduled runs: the input warnings (sources without
    // an address, untranslated strings) are counted here and listed by `check`.
    if !session.warnings.is_empty() {
        say!(
            "{} warning(s) about the inputs; `broadside check` lists them",
            session.warnings.len()
        );
    }
    let (outcomes, manifest_problems) =
        session.build_reporting(jobs.clone(), &progress(jobs.len()));
    report(&manifest_problems);
    let written = outcomes
        .iter()
        .filter(|o| o.result.as_ref().is_ok_and(|b| b.written))
        .count();
    let total: usize = outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().ok())
        .map(|b| b.bytes)
        .sum();
    let failed = summarize(&outcomes, "built");
    let warned = preflight_warnings(&outcomes);
    if warned > 0 {
        say!("{warned} preflight warning(s)");
    }
    say!(
        "{written} written, {} unchanged, {:.1} MB in all, under {}",
        outcomes.len() - failed - written,
        total as f64 / 1e6,
        options.out.display()
    );
    if failed > 0 || !manifest_problems.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn check(options: &Options) -> ExitCode {
    let (session, jobs) = match load(options) {
        Ok(x) => x,
        Err(code) => return code,
    };
    report(&session.warnings);
    let stale = session.stale_for_run(options);
    report(&stale);
    let outcomes = session.check(jobs);
    let failed = summarize(&outcomes, "checked");
    say!(
        "{} warning(s)",
        session.warnings.len() + stale.len() + preflight_warnings(&outcomes)
    );
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn preview(options: &Options, dpi: f32) -> ExitCode {
    let (session, jobs) = match load(options) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let mut failed = 0;
    for job in jobs {
        match session.write_preview(&job, dpi) {
            Ok(paths) => paths.iter().for_each(|p| println!("{}", p.display())),
            Err(errs) => {
                report(&errs);
                failed += 1;
            }
        }
    }
    if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `broadside proof`: one proof (PDF, and a PNG per sheet) per campaign and layout of the
/// selection. Exit code 1 when an edition fails: the proof is written and marks it.
fn proof(options: &Options, sheet: crate::proof::ProofSheet, dpi: f32) -> ExitCode {
    let (session, jobs) = match load(options) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let mut failing = 0;
    let mut broken = false;
    for proof in session.write_proofs(jobs, sheet, dpi, &options.out) {
        match &proof.written {
            Ok(paths) => paths.iter().for_each(|p| println!("{}", p.display())),
            Err(d) => {
                report(std::slice::from_ref(d));
                broken = true;
            }
        }
        failing += proof.failing;
        say!(
            "proof {}: {} edition(s), {} failing, {} with findings",
            proof.layout,
            proof.editions,
            proof.failing,
            proof.flagged
        );
    }
    if broken || failing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn fonts(inputs: &Inputs) -> ExitCode {
    // Outside a kit this lists the built-in fonts (and any --font-dir).
    let dirs = match inputs.place(false) {
        Ok(place) => place.font_dirs,
        Err(d) => {
            report(&[d]);
            return ExitCode::from(2);
        }
    };
    let book = match crate::fonts::FontBook::load(&dirs) {
        Ok(book) => book,
        Err(errs) => {
            report(&errs);
            return ExitCode::from(2);
        }
    };
    let listed = |items: &[&str], sep: &str| {
        if items.is_empty() {
            "-".to_string()
        } else {
            items.join(sep)
        }
    };
    for family in book.coverage() {
        println!("{}", family.family);
        println!("  styles:    {}", family.styles.join(", "));
        println!("  scripts:   {}", listed(&family.scripts, ", "));
        println!("  languages: {}", listed(&family.languages, " "));
        // Last, so the lines above keep their places for readers of this output.
        println!("  from:      {}", family.origin);
    }
    ExitCode::SUCCESS
}

/// Reports each finished document: a progress bar on a terminal, a plain line otherwise
/// (logs of scheduled runs).
fn progress(total: usize) -> impl Fn(&Outcome) + Sync {
    use std::io::IsTerminal;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let bar = (std::io::stderr().is_terminal() && !verbose() && !quiet()).then(|| {
        let bar = indicatif::ProgressBar::new(total as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}") {
            bar.set_style(style);
        }
        bar
    });
    let done = AtomicUsize::new(0);
    move |outcome: &Outcome| {
        let n = done.fetch_add(1, Ordering::Relaxed) + 1;
        let state = match &outcome.result {
            Ok(b) if b.written => "built",
            Ok(_) => "unchanged",
            Err(_) => "FAILED",
        };
        match &bar {
            Some(bar) => {
                bar.set_message(format!(
                    "{} {}",
                    outcome.job.edition.slug, outcome.job.edition.lang
                ));
                bar.set_position(n as u64);
                if n == total {
                    bar.finish_and_clear();
                }
            }
            None => say!("[{n}/{total}] {state} {}", outcome.job.path.display()),
        }
    }
}

/// Prints a ready-to-install schedule for the yearly run. It runs `build --due` daily:
/// the command does nothing until the build date and nothing once the kit is built.
fn schedule(kind: ScheduleKind, inputs: &Inputs) -> ExitCode {
    // The kit's root, wherever in it the command ran: the scheduled run must find the kit.
    let place = match inputs.place(true) {
        Ok(place) => place,
        Err(d) => {
            report(&[d]);
            return ExitCode::from(2);
        }
    };
    let exe = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("broadside"));
    let build_days = crate::kit::schedule::build_days(&place.content);
    print!(
        "{}",
        crate::kit::schedule::text(kind, &place.root, &exe, &build_days)
    );
    ExitCode::SUCCESS
}

fn merge(paths: &[PathBuf], out: Option<&std::path::Path>) -> ExitCode {
    let mut parts = Vec::new();
    for path in paths {
        match crate::manifest::Manifest::load(path) {
            Some(m) => parts.push(m),
            None => {
                eprintln!(
                    "error: `{}` is not a readable broadside manifest",
                    path.display()
                );
                return ExitCode::from(2);
            }
        }
    }
    let merged = match crate::manifest::Manifest::merge(parts) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match out {
        Some(path) => {
            if let Err(e) = crate::output::write_atomic(path, merged.to_json().as_bytes()) {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return ExitCode::from(1);
            }
        }
        None => print!("{}", merged.to_json()),
    }
    ExitCode::SUCCESS
}
