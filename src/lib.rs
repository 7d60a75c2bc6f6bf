//! broadside: campaign content + layouts + bundled fonts → print-ready PDF kits.
//!
//! The pipeline, one module per stage: [`model`] → [`resolve`] → [`compose`] → [`render`]
//! → [`output`], driven for many editions by [`batch`].

pub mod batch;
pub mod cli;
pub mod compose;
pub mod diag;
pub mod fonts;
pub mod model;
pub mod output;
pub mod render;
pub mod resolve;
pub mod units;
