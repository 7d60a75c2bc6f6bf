//! Shared by the fuzz targets: the bundled fonts and the flyer layout, loaded once.
// Each target is its own crate and uses only some of these.
#![allow(dead_code)]

use broadside::fonts::FontBook;
use broadside::model::layout::Layout;
use std::path::PathBuf;
use std::sync::OnceLock;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn fonts() -> &'static FontBook {
    static FONTS: OnceLock<FontBook> = OnceLock::new();
    FONTS.get_or_init(|| FontBook::load(&[repo().join("fonts")]).expect("the bundled fonts load"))
}

pub fn flyer() -> &'static Layout {
    static FLYER: OnceLock<Layout> = OnceLock::new();
    FLYER.get_or_init(|| {
        Layout::load(&repo().join("layouts/flyer-letter.toml"), fonts())
            .expect("the bundled flyer loads")
    })
}
