//! Any bytes as a layout file: loading either succeeds or reports diagnostics; never a
//! panic, hang or unbounded allocation.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.toml");
    std::fs::write(&path, text).unwrap();
    let _ = broadside::model::layout::Layout::load(&path, common::fonts());
});
