//! The command line (clap): `build`, `check`, `preview`, `fonts`. Parses arguments into
//! batch options and prints diagnostics and summaries; all real work is in the library.

use crate::batch::{Options, Outcome, Session};
use crate::diag::Diagnostic;
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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build PDFs into out/<year>/<campaign>/<edition>/<layout>.pdf (all editions and layouts by default)
    Build(Selection),
    /// Validate content, layouts and every selected edition without writing anything
    Check(Selection),
    /// Render the selected PDFs' pages to PNG (into --out, default `preview/`)
    Preview {
        #[command(flatten)]
        selection: Selection,
        /// Resolution of the PNGs
        #[arg(long, default_value_t = 60.0)]
        dpi: f32,
    },
    /// List the bundled font families and their styles
    Fonts {
        #[command(flatten)]
        inputs: Inputs,
    },
}

#[derive(Debug, Args)]
pub struct Inputs {
    /// Folder of campaigns (each sub-folder with a campaign.toml)
    #[arg(long, default_value = "content")]
    pub content: PathBuf,
    /// Folder of layout files
    #[arg(long, default_value = "layouts")]
    pub layouts: PathBuf,
    /// The bundled fonts
    #[arg(long, default_value = "fonts", hide = true)]
    pub fonts: PathBuf,
    /// An extra folder of fonts to load besides fonts/ (repeatable); system fonts are never used
    #[arg(long = "font-dir")]
    pub font_dirs: Vec<PathBuf>,
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
    #[arg(long)]
    pub year: Option<i32>,
    /// Output folder
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl Selection {
    fn options(&self, default_out: &str) -> Options {
        let mut font_dirs = vec![self.inputs.fonts.clone()];
        font_dirs.extend(self.inputs.font_dirs.iter().cloned());
        Options {
            content: self.inputs.content.clone(),
            layouts: self.inputs.layouts.clone(),
            font_dirs,
            out: self
                .out
                .clone()
                .unwrap_or_else(|| PathBuf::from(default_out)),
            year: self.year,
            campaigns: self.campaign.clone(),
            counties: self.county.clone(),
            layout_names: self.layout.clone(),
            languages: self.lang.clone(),
            today: None,
        }
    }
}

/// Runs a parsed command line. Exit codes: 0 success, 1 some documents failed,
/// 2 the inputs or arguments are wrong.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Build(selection) => build(&selection.options("out")),
        Command::Check(selection) => check(&selection.options("out")),
        Command::Preview { selection, dpi } => preview(&selection.options("preview"), dpi),
        Command::Fonts { inputs } => fonts(&inputs),
    }
}

fn report(diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        eprintln!("{d}\n");
    }
}

fn load(options: &Options) -> Result<(Session, Vec<crate::batch::Job>), ExitCode> {
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
    Ok((session, jobs))
}

/// Prints each failure and a summary line; returns the number of failures.
fn summarize(outcomes: &[Outcome], verb: &str) -> usize {
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
    eprintln!(
        "{} document(s) {verb}, {} failed",
        outcomes.len() - failures.len(),
        failures.len()
    );
    failures.len()
}

fn build(options: &Options) -> ExitCode {
    let (session, jobs) = match load(options) {
        Ok(x) => x,
        Err(code) => return code,
    };
    // The build's log stays short for scheduled runs: the input warnings (sources without
    // an address, untranslated strings) are counted here and listed by `check`.
    if !session.warnings.is_empty() {
        eprintln!(
            "{} warning(s) about the inputs; `broadside check` lists them",
            session.warnings.len()
        );
    }
    let outcomes = session.build(jobs);
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
    eprintln!(
        "{written} written, {} unchanged, {:.1} MB in all, under {}",
        outcomes.len() - failed - written,
        total as f64 / 1e6,
        options.out.display()
    );
    if failed > 0 {
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
    let outcomes = session.check(jobs);
    let failed = summarize(&outcomes, "checked");
    eprintln!("{} warning(s)", session.warnings.len());
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
        let result = session.render(&job).and_then(|pdf| {
            crate::render::preview_png(pdf, dpi).map_err(|e| vec![Diagnostic::error(e)])
        });
        match result {
            Ok(pages) => {
                for (n, png) in pages.iter().enumerate() {
                    let name = format!("{}-{}.png", session.layouts[job.layout].name, n + 1);
                    let path = options.out.join(&job.edition.slug).join(name);
                    if let Err(e) = crate::output::write_atomic(&path, png) {
                        eprintln!("error: cannot write `{}`: {e}", path.display());
                        failed += 1;
                    } else {
                        println!("{}", path.display());
                    }
                }
            }
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

fn fonts(inputs: &Inputs) -> ExitCode {
    let mut dirs = vec![inputs.fonts.clone()];
    dirs.extend(inputs.font_dirs.iter().cloned());
    let book = match crate::fonts::FontBook::load(&dirs) {
        Ok(book) => book,
        Err(errs) => {
            report(&errs);
            return ExitCode::from(2);
        }
    };
    for family in book.families() {
        let faces: Vec<_> = book.faces().filter(|(_, f)| f.family == family).collect();
        let styles: Vec<String> = faces
            .iter()
            .map(|(_, f)| format!("{}{}", f.weight, if f.italic { " italic" } else { "" }))
            .collect();
        let (id, _) = faces[0];
        let scripts: Vec<&str> = crate::fonts::SCRIPT_SAMPLES
            .iter()
            .filter(|(_, sample, _)| sample.chars().all(|c| book.covers(id, c)))
            .map(|(script, _, _)| *script)
            .collect();
        let languages: Vec<&str> = crate::fonts::SCRIPT_SAMPLES
            .iter()
            .filter(|(script, _, _)| scripts.contains(script))
            .flat_map(|(_, _, langs)| langs.iter().copied())
            .collect();
        println!("{family}");
        println!("  styles:    {}", styles.join(", "));
        println!(
            "  scripts:   {}",
            if scripts.is_empty() {
                "-".to_string()
            } else {
                scripts.join(", ")
            }
        );
        println!(
            "  languages: {}",
            if languages.is_empty() {
                "-".to_string()
            } else {
                languages.join(" ")
            }
        );
    }
    ExitCode::SUCCESS
}
