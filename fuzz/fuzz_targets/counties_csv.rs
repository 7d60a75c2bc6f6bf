//! Any bytes as counties.csv (beside the bundled campaign.toml): loading either succeeds
//! or reports diagnostics.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let campaign = common::repo().join("content/trafficking-prevention/campaign.toml");
    std::fs::copy(campaign, dir.path().join("campaign.toml")).unwrap();
    std::fs::write(dir.path().join("counties.csv"), data).unwrap();
    let _ = broadside::model::campaign::Campaign::load(dir.path());
});
