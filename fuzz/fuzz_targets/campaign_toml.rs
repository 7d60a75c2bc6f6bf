//! Any bytes as campaign.toml: load, and when it loads, resolve and compose the statewide
//! flyer and write its PDF. Errors are fine; panics are findings.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("campaign.toml"), text).unwrap();
    let Ok((campaign, _)) = broadside::model::campaign::Campaign::load(dir.path()) else {
        return;
    };
    let edition = broadside::resolve::Edition::statewide(&campaign, &campaign.meta.lang, 2027);
    let Ok(resolved) = broadside::resolve::resolve(&campaign, &edition) else {
        return;
    };
    let fonts = common::fonts();
    let Ok(document) = broadside::compose::compose(&resolved, common::flyer(), fonts) else {
        return;
    };
    let _ = broadside::render::to_pdf(&document, fonts);
});
