//! `cargo bench`: time to compose (shape, break, place) and to write one flyer, per
//! language, as medians over many runs. A plain bench binary (no harness) so it needs no
//! extra crates; compare medians between commits, the machines are noisy.

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
        content: repo.join("content"),
        layouts: repo.join("layouts"),
        font_dirs: vec![repo.join("fonts")],
        out: repo.join("target/bench-out"),
        year: Some(2027),
        campaigns: vec![],
        counties: vec!["statewide".into()],
        layout_names: vec!["flyer-letter".into()],
        languages: vec![],
        shard: None,
        today: None,
    };
    let start = Instant::now();
    let session = Session::load(&options).expect("bundled inputs load");
    println!("load fonts, layouts, campaign: {:.2?}", start.elapsed());
    for job in session.plan(&options).unwrap() {
        let label = format!("{} {}", job.edition.slug, job.edition.lang);
        let compose = time(200, || session.compose(&job).unwrap());
        let pdf = time(200, || session.render(&job).unwrap());
        println!("flyer {label}: compose {compose:.2?}, compose + PDF {pdf:.2?} (median of 200)");
    }
}
