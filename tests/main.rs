//! The integration tests, one module per area, in one test binary: one link instead of one
//! per file (linking dominated a cold `cargo test`), and one process whose helpers in
//! `common` can share work between areas.

mod common;

mod cli;
mod color;
mod design;
mod hostile;
mod ink;
mod install;
mod logo;
mod pdf;
mod pdfx;
mod preflight;
mod print;
mod reference;
mod snapshots;
mod tagging;
mod tagtext;
mod tile;
mod yearly;
