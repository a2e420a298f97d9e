//! # number-tune — the libnumber auto-tuner
//!
//! - [`tune`]: the search for a format per site that minimises an objective (parameter bits by default) while
//!   the user's accuracy stays within a tolerance, measured under emulation; the confirmation of its choice on
//!   held-out inputs; the report;
//! - [`codegen`]: writes `tuned.rs` (and the baked `static`s of a no_std deploy crate);
//! - [`tuned_file`]: reads a `tuned.rs` back into its configuration;
//! - [`export`]: the formats as a Vivado/Vitis HLS header and an hls4ml configuration;
//! - [`workflow`]: the whole tuning step for any model given as a `Task` (profile, GPTQ, search, confirmation,
//!   tuned.rs, emulation of the test split).
//!
//! It runs in calibrate builds only: users reach it as `number_rt::tune` etc. with number-rt's `calibrate`
//! feature, and tuned builds compile none of it.
#![warn(missing_docs)]

pub mod codegen;
pub mod export;
pub mod tune;
pub mod tuned_file;
pub mod workflow;

pub use number_formats::Format;
pub(crate) use number_formats::{Overflow, Rounding, blocked, packed};
pub use number_runtime::{emulate, profile, rounding};
