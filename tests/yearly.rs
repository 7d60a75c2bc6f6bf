//! Every county, every year: variables and county overrides, failure isolation, the
//! manifest, determinism across thread counts and subsets, the yearly `--due` run, the
//! schedule snippets, sharding and freshness — all through the binary.

use crate::common;

use crate::common::{Scratch, pdf_text, stderr};
use std::collections::BTreeMap;
use std::path::Path;

fn hashes(root: &Path) -> BTreeMap<String, String> {
    let mut files = Vec::new();
    common::walk(root, &mut files);
    files
        .into_iter()
        .map(|p| {
            let key = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            (
                key,
                broadside::manifest::sha256_hex(&std::fs::read(&p).unwrap()),
            )
        })
        .collect()
}

#[test]
fn an_unknown_variable_names_the_string_and_the_closest_variable() {
    let scratch = Scratch::new();
    scratch.edit(
        "content/trafficking-prevention/campaign.toml",
        "{contact} at **{phone}**",
        "{contact} at **{phnoe}**",
    );
    let output = scratch.run(&["build", "--county", "alameda", "--layout", "flyer-letter"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("unknown variable `{phnoe}` in `blocks.contact.text`"),
        "{err}"
    );
    assert!(err.contains("did you mean `{phone}`?"), "{err}");
    assert!(err.contains("campaign.toml:"), "{err}");
}

#[test]
fn a_county_with_its_own_logo_languages_and_local_line() {
    let scratch = Scratch::new();
    scratch.add_logo("kern.jpg");
    scratch.add_local_column(|row| match row {
        "Kern,Bakersfield,en,,,,," => "Kern,Bakersfield,en;es,,,,logos/kern.jpg,Kern County seal,Local help: {county_seat} office".to_string(),
        other => format!("{other},"),
    });
    let output = scratch.run(&[
        "build",
        "--county",
        "kern",
        "--county",
        "kings",
        "--layout",
        "factsheet-letter",
        "--year",
        "2027",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let dir = scratch.path().join("out/2027/trafficking-prevention");
    for name in ["kern/factsheet-letter.pdf", "kern/factsheet-letter.es.pdf"] {
        let text = pdf_text(&dir.join(name));
        assert!(
            text.contains("Local help: Bakersfield office"),
            "{name}: {text}"
        );
        let doc = lopdf::Document::load(dir.join(name)).unwrap();
        let images = doc
            .objects
            .values()
            .filter_map(|o| o.as_stream().ok())
            .filter(|s| {
                s.dict.get(b"Subtype").and_then(lopdf::Object::as_name).ok()
                    == Some(b"Image".as_slice())
            });
        assert_eq!(images.count(), 1, "{name} carries the county logo");
    }
    // A county without the extra prints no local line (and no empty tinted box).
    assert!(!dir.join("kings/factsheet-letter.es.pdf").exists());
    assert!(!pdf_text(&dir.join("kings/factsheet-letter.pdf")).contains("Local help"));
}

#[test]
fn a_missing_logo_fails_only_its_county() {
    let scratch = Scratch::new();
    scratch.edit(
        "content/trafficking-prevention/counties.csv",
        "Inyo,Independence,en,,,,,",
        "Inyo,Independence,en,,,,logos/missing.png,Inyo County seal",
    );
    let output = scratch.run(&["build", "--year", "2027", "--layout", "flyer-letter"]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("failed:") && err.contains("inyo (Inyo County, en, 2027)"),
        "{err}"
    );
    assert!(err.contains("missing.png"), "{err}");
    let pdfs = scratch.outputs();
    assert_eq!(
        pdfs.len(),
        7 + 57,
        "every other edition is built: {}",
        pdfs.len()
    );
    assert!(!pdfs.iter().any(|p| p.to_string_lossy().contains("/inyo/")));
}

#[test]
fn same_bytes_whatever_the_threads_or_the_subset() {
    // The whole kit with two worker threads (shared with other areas), then with one, in
    // another folder: the same bytes whatever the threads, and wherever the kit is.
    let (two, _shared) = common::built_kit();
    assert!(two.output.status.success(), "{}", stderr(&two.output));
    // The shared build's year (the upcoming one), should the calendar turn meanwhile.
    let year = common::year_dir(&two.path().join("out"));
    let year = year.file_name().unwrap().to_str().unwrap();
    let scratch = Scratch::new();
    let one = scratch.run(&["build", "--year", year, "--jobs", "1", "--out", "one"]);
    assert!(one.status.success(), "{}", stderr(&one));
    let (a, b) = (
        hashes(&scratch.path().join("one")),
        hashes(&two.path().join("out")),
    );
    assert_eq!(a.len(), 195 + 1, "195 PDFs and the manifest");
    assert_eq!(a, b);
    // One county built alone matches its file from the whole run.
    let alone = scratch.run(&[
        "build", "--year", year, "--county", "mono", "--out", "alone",
    ]);
    assert!(alone.status.success());
    let c = hashes(&scratch.path().join("alone"));
    for (path, hash) in c.iter().filter(|(p, _)| p.ends_with(".pdf")) {
        assert_eq!(a.get(path), Some(hash), "{path}");
    }
}

#[test]
fn an_unchanged_rerun_rewrites_nothing_and_the_manifest_lists_every_file() {
    let scratch = Scratch::new();
    assert!(
        scratch
            .run(&["build", "--year", "2027", "--county", "alameda"])
            .status
            .success()
    );
    let manifest_path = scratch
        .path()
        .join("out/2027/trafficking-prevention/manifest.json");
    let first = std::fs::read(&manifest_path).unwrap();
    let manifest: broadside::manifest::Manifest = serde_json::from_slice(&first).unwrap();
    assert_eq!(manifest.outputs.len(), 3);
    for entry in &manifest.outputs {
        let file = std::fs::read(manifest_path.parent().unwrap().join(&entry.path)).unwrap();
        assert_eq!(entry.sha256, broadside::manifest::sha256_hex(&file));
        assert_eq!(entry.bytes, file.len());
        assert_eq!(entry.inputs.len(), 64);
    }
    assert!(manifest.warnings.iter().any(|w| w.contains("has no URL")));
    let modified = std::fs::metadata(&manifest_path)
        .unwrap()
        .modified()
        .unwrap();
    let again = scratch.run(&["build", "--year", "2027", "--county", "alameda"]);
    assert!(
        stderr(&again).contains("0 written, 3 unchanged"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read(&manifest_path).unwrap(), first);
    assert_eq!(
        std::fs::metadata(&manifest_path)
            .unwrap()
            .modified()
            .unwrap(),
        modified
    );
    // A changed input rebuilds exactly the documents it feeds.
    scratch.edit(
        "layouts/poster-18x24.toml",
        "size = \"14pt\"",
        "size = \"13pt\"",
    );
    let changed = scratch.run(&["build", "--year", "2027", "--county", "alameda"]);
    assert!(
        stderr(&changed).contains("1 written, 2 unchanged"),
        "{}",
        stderr(&changed)
    );
}

#[test]
fn the_yearly_run_builds_once_when_due_and_never_touches_earlier_years() {
    let scratch = Scratch::new();
    let build_2026 = || {
        let output = scratch.run(&[
            "build",
            "--year",
            "2026",
            "--county",
            "statewide",
            "--lang",
            "en",
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
    };
    // A kit from an earlier year is already there.
    build_2026();
    let earlier = hashes(&scratch.path().join("out/2026"));
    let due = |today: &str| scratch.run(&["build", "--due", "--today", today]);

    let before = due("2026-11-30");
    assert!(before.status.success());
    assert!(
        stderr(&before).contains("the 2027 kit is not due until 2026-12-01; nothing to do"),
        "{}",
        stderr(&before)
    );
    assert!(!scratch.path().join("out/2027").exists());

    let on = due("2026-12-01");
    assert!(on.status.success(), "{}", stderr(&on));
    assert!(
        stderr(&on).contains("the 2027 kit is due: 195 document(s)"),
        "{}",
        stderr(&on)
    );
    assert_eq!(hashes(&scratch.path().join("out/2027")).len(), 196);

    let next_day = due("2026-12-02");
    assert!(
        stderr(&next_day).contains("the 2027 kit is up to date; nothing to do"),
        "{}",
        stderr(&next_day)
    );

    let february = due("2027-02-01");
    assert!(
        stderr(&february).contains("the 2028 kit is not due until 2027-12-01"),
        "{}",
        stderr(&february)
    );
    assert_eq!(
        hashes(&scratch.path().join("out/2026")),
        earlier,
        "an earlier year is never touched"
    );

    // Rebuilding a past year is explicit and gives the same bytes.
    std::fs::remove_dir_all(scratch.path().join("out/2026")).unwrap();
    build_2026();
    assert_eq!(hashes(&scratch.path().join("out/2026")), earlier);
}

#[test]
fn schedule_snippets_are_well_formed() {
    let scratch = Scratch::new();
    let emit =
        |kind: &str| String::from_utf8(scratch.run(&["schedule", "--emit", kind]).stdout).unwrap();

    let cron = emit("cron");
    let line = cron.lines().find(|l| !l.starts_with('#')).unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    let ranges = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)];
    for (field, (low, high)) in fields[..5].iter().zip(ranges) {
        assert!(
            *field == "*"
                || field
                    .parse::<u32>()
                    .is_ok_and(|n| (low..=high).contains(&n)),
            "{field} in {line}"
        );
    }
    assert!(line.contains("build --due"), "{line}");

    let systemd = emit("systemd");
    assert!(
        systemd.contains("[Service]\nType=oneshot")
            && systemd.contains("ExecStart=")
            && systemd.contains(" build --due")
    );
    assert!(systemd.contains("[Timer]\nOnCalendar=*-*-* 06:17:00\nPersistent=true"));
    if let Ok(status) = std::process::Command::new("systemd-analyze")
        .arg("--version")
        .output()
        && status.status.success()
    {
        let dir = tempfile::tempdir().unwrap();
        let (service, timer) = systemd
            .split_once("# /etc/systemd/system/broadside-due.timer")
            .unwrap();
        std::fs::write(dir.path().join("broadside-due.service"), service).unwrap();
        std::fs::write(dir.path().join("broadside-due.timer"), timer).unwrap();
        let verify = std::process::Command::new("systemd-analyze")
            .arg("verify")
            .arg(dir.path().join("broadside-due.timer"))
            .output()
            .unwrap();
        assert!(
            verify.status.success(),
            "{}",
            String::from_utf8_lossy(&verify.stderr)
        );
    }

    let workflow = emit("github-actions");
    let cron_line = workflow
        .lines()
        .find(|l| l.trim_start().starts_with("- cron:"))
        .unwrap();
    let expression = cron_line.split('"').nth(1).unwrap();
    assert_eq!(expression.split_whitespace().count(), 5, "{expression}");
    assert!(workflow.contains("on:\n  schedule:") && workflow.contains("build --due"));
    assert!(!workflow.contains('\t'), "YAML takes no tabs");
}

#[test]
fn shards_split_the_run_and_their_manifests_merge_into_the_whole() {
    let scratch = Scratch::new();
    let whole = scratch.run(&[
        "build",
        "--year",
        "2027",
        "--layout",
        "poster-18x24",
        "--out",
        "whole",
    ]);
    assert!(whole.status.success());
    for shard in ["1/3", "2/3", "3/3"] {
        let out = format!("shard{}", &shard[..1]);
        let run = scratch.run(&[
            "build",
            "--year",
            "2027",
            "--layout",
            "poster-18x24",
            "--shard",
            shard,
            "--out",
            &out,
        ]);
        assert!(run.status.success(), "{}", stderr(&run));
    }
    let parts: Vec<BTreeMap<String, String>> = ["shard1", "shard2", "shard3"]
        .iter()
        .map(|d| hashes(&scratch.path().join(d)))
        .collect();
    let sizes: Vec<usize> = parts
        .iter()
        .map(|p| p.keys().filter(|k| k.ends_with(".pdf")).count())
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), 65, "{sizes:?}");
    assert!(sizes.iter().all(|&n| n == 21 || n == 22), "{sizes:?}");
    let mut union = BTreeMap::new();
    for part in &parts {
        for (k, v) in part.iter().filter(|(k, _)| k.ends_with(".pdf")) {
            assert!(
                union.insert(k.clone(), v.clone()).is_none(),
                "{k} in two shards"
            );
        }
    }
    let whole = hashes(&scratch.path().join("whole"));
    let whole_pdfs: BTreeMap<_, _> = whole
        .into_iter()
        .filter(|(k, _)| k.ends_with(".pdf"))
        .collect();
    assert_eq!(union, whole_pdfs);

    let manifest = |dir: &str| format!("{dir}/2027/trafficking-prevention/manifest.json");
    let merge = scratch.run(&[
        "manifest",
        "merge",
        &manifest("shard1"),
        &manifest("shard2"),
        &manifest("shard3"),
        "--out",
        "merged.json",
    ]);
    assert!(merge.status.success(), "{}", stderr(&merge));
    let merged = std::fs::read(scratch.path().join("merged.json")).unwrap();
    let whole_manifest = std::fs::read(scratch.path().join(manifest("whole"))).unwrap();
    assert!(
        merged == whole_manifest,
        "the merged manifest differs from the whole run's"
    );
}

#[test]
fn old_figures_are_flagged_by_check_and_the_yearly_run() {
    let repo = common::repo();
    let check = common::run_in(
        &repo,
        &["check", "--content", "tests/fixtures", "--year", "2031"],
    );
    let err = stderr(&check);
    assert!(
        err.contains("statistic `1,000` cites `alpha` (\"Alpha Report\") with 2024 figures: 7 years old for the 2031 kit (the limit is 5)"),
        "{err}"
    );
    assert!(err.contains("statistic `10%` cites `alpha`"), "{err}");
    let fresh = common::run_in(
        &repo,
        &["check", "--content", "tests/fixtures", "--year", "2027"],
    );
    assert!(!stderr(&fresh).contains("years old"), "{}", stderr(&fresh));
}
