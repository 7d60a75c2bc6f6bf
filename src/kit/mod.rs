//! The kit and its runs: finding a kit (`broadside.toml`), loading its inputs once
//! ([`session`]), planning the documents a command asks for ([`plan`]), hashing their
//! inputs for incremental builds ([`hash`]), making each one ([`pipeline`]), writing them
//! and the manifest ([`write`]), and the yearly schedule ([`due`], [`schedule`]). Every
//! failure is reported while the rest still build.

pub mod discover;
pub mod due;
pub mod hash;
pub mod outputs;
pub mod pipeline;
pub mod plan;
pub mod schedule;
pub mod session;
pub mod write;

pub use discover::*;
pub use due::{Due, build_date, upcoming_year};
pub use outputs::Proof;
pub use pipeline::contained;
pub use plan::{Job, Options};
pub use session::Session;
pub use write::{Built, Outcome};

pub(crate) use plan::select;
pub(crate) use write::one_line;
