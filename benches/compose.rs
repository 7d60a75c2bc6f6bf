//! `cargo bench`: time to compose (shape, break, place), to write (the composed page to
//! PDF) and both for one flyer, per language, as medians over many runs; then whole
//! batches in one process — the flyers of the 58 counties, and the full default kit —
//! written to a scratch folder. A plain bench binary (no harness) so it needs no extra
//! crates; compare medians between commits, the machines are noisy.

use broadside::batch::{Options, Session};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    for _ in 0..runs / 10 + 1 {
        std::hint::black_box(f());
    }
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let options = Options {
        counties: vec!["statewide".into()],
        year: Some(2027),
        layout_names: vec!["flyer-letter".into()],
        out: repo.join("target/bench-out"),
        ..Options::at(&repo)
    };
    let start = Instant::now();
    let session = Session::load(&options).expect("bundled inputs load");
    println!("load fonts, layouts, campaign: {:.2?}", start.elapsed());
    for job in session.plan(&options).unwrap() {
        let label = format!("{} {}", job.edition.slug, job.edition.lang);
        let compose = time(200, || session.compose(&job).unwrap());
        let pdf = time(200, || session.render(&job).unwrap());
        // Writing alone, from the composed page. Streams deflated once are remembered for
        // the run (`lean`), so after the first run this is writing as a batch sees it.
        let doc = session.compose(&job).unwrap();
        let write = time(200, || {
            broadside::render::to_pdf(&doc, &session.fonts).unwrap()
        });
        println!(
            "flyer {label}: compose {compose:.2?}, write {write:.2?}, compose + PDF {pdf:.2?} (median of 200)"
        );
    }

    // Batches, in parallel as `broadside build` runs them, into a fresh folder each time
    // (an existing manifest would let unchanged documents be skipped).
    let batch =
        |label: &str, counties: Vec<String>, layouts: Vec<String>, languages: Vec<String>| {
            let options = Options {
                counties,
                layout_names: layouts,
                languages,
                ..options.clone()
            };
            let jobs_count = session.plan(&options).unwrap().len();
            let runs = 7;
            let median_time = time(runs, || {
                let dir = tempfile_dir();
                let scoped = Options {
                    out: dir.clone(),
                    ..options.clone()
                };
                let jobs = session.plan(&scoped).unwrap();
                let outcomes = session.build(jobs, &|_| {});
                assert!(outcomes.iter().all(|o| o.result.is_ok()));
                let _ = std::fs::remove_dir_all(&dir);
            });
            println!("{label}: {jobs_count} documents in {median_time:.2?} (median of {runs})");
        };
    let counties: Vec<String> = session.campaigns[0]
        .counties
        .iter()
        .map(|c| c.slug.clone())
        .collect();
    batch(
        "flyers of the 58 counties",
        counties,
        vec!["flyer-letter".into()],
        vec![],
    );
    batch("the full default kit", vec![], vec![], vec![]);
}

/// A fresh scratch folder under target/ for one batch run.
fn tempfile_dir() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let n = RUN.fetch_add(1, Ordering::Relaxed);
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/bench-out/run-{}-{n}", std::process::id()))
}
