//! # number-contract — what the tuner and a build agree on
//!
//! - [`site`]: site names (`Fc1/dense.w`) and kinds, and a configuration (site → [`Format`]);
//! - [`tuned_file`]: the file `tuned.rs` — its header fields, the items it holds and the
//!   [`Format`] ↔ Rust type table — with the one renderer the tuner writes with and the one parser
//!   (`parse` feature) that the macro, the reader and export read with.
//!
//! Users depend on `number-rt`; this crate is its internal contract.
#![warn(missing_docs)]

pub mod site;
pub mod tuned_file;

pub use number_formats::Format;
pub use site::{Config, SiteKind, site_name};
