//! broadside: campaign content + layouts + bundled fonts → print-ready PDF kits.
//!
//! The pipeline, one module per stage: [`model`] → [`resolve`] → [`compose`] → [`page`]
//! (the display list, the one seam) → [`render`] → [`output`], driven for many editions by
//! [`kit`]. Print files pass through [`pdfx`]
//! (PDF/X-4) between render and output; [`color`] separates their palette colours through
//! the output profile.

// A `Diagnostic` is the error value of every fallible step by design (file, span, field,
// hint); it is built once per problem, so its size is not worth boxing.
#![allow(clippy::result_large_err)]

pub mod assets;
pub mod cli;
pub mod color;
pub mod compose;
pub mod diag;
pub mod fonts;
pub mod kit;
/// The former name of [`kit`]'s run machinery, kept for callers written against it.
pub use kit as batch;
pub mod lean;
pub mod malloc;
pub mod manifest;
pub mod markup;
pub mod memo;
pub mod model;
pub mod output;
pub mod page;
pub mod pdfx;
pub mod preflight;
pub mod proof;
pub mod render;
pub mod resolve;
pub mod serve;
pub mod tile;
pub mod typography;
pub mod units;

/// A hash map for the memo tables the composer asks on every fit attempt (breaks, set
/// lines, their ink, shaped strings): foldhash rather than std's SipHash, which was 2 to 3%
/// of a flyer's instructions in hashing their small keys. Only looked up, never iterated,
/// so the order of entries (foldhash's seed is random too) never reaches the output.
pub(crate) type MemoMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
