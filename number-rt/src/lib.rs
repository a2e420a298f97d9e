//! # number-rt — libnumber
//!
//! libnumber picks the number format of every float value ("site") in `#[quantize]`d model code. This is the one
//! crate a user depends on; it re-exports:
//!
//! - the number formats (`number-formats`): [`Format`], the runtime descriptor (`fixed<8,4>`, `e4m3`, …) with
//!   exact quantisation, and the static types of tuned builds ([`Fixed`], [`UFixed`], [`Binary`], [`Blocked`],
//!   [`Float`], the named 8/16-bit floats) implementing [`Number`], bit-identical to [`Format::quantize`];
//! - [`quantize`] and [`include_tuned!`] (`number-macros`), and layer [`Instance`]s ([`instances!`]);
//! - with `std`: [`workflow`] (a user's model as a `Task`: the command line `cargo number` drives in every build
//!   mode), [`weights`] (safetensors weight files, `to_site`) and [`rounded_weights`] (the GPTQ-rounded weights a
//!   tuned.rs names);
//! - with `calibrate` (or `emulate`/`tune` alone): `emulate` (per-site formats chosen at run time), `profile`
//!   (value-range statistics), `rounding` (GPTQ), and from `number-tune`: `tune` (the auto-tuner), `codegen`
//!   (writes `tuned.rs`), `tuned_file` (reads it) and `export` (HLS).
//!
//! The build mode is chosen by this crate's features: none (plain f32), `calibrate`, or `tuned`. Tuned builds
//! compile none of the tuner's dependencies.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

pub use number_formats::Packed;
pub use number_formats::{
    Bf16, Binary, Blocked, Codebook1, Codebook2, Codebook3, Codebook4, E2m1, E2m3, E3m2, E4m3,
    E5m2, F16, Fixed, FixedInfo, FixedPoint, Float, Format, FormatError, Number, Overflow,
    Quantizer, Rounding, UFixed, Wide,
};
pub use number_formats::{
    binary, blocked, codebook, dot, fixed, float, format, number, packed, storage,
};
pub use number_macros::{include_tuned, quantize};
pub use number_runtime::{Instance, instances};

#[cfg(feature = "std")]
pub use number_runtime::{rounded_weights, weights};
#[cfg(feature = "std")]
pub mod workflow;
#[cfg(feature = "emulate")]
pub use number_runtime::{emulate, profile, rounding};
#[cfg(feature = "tune")]
pub use number_tune::{codegen, export, tune, tuned_file};

/// The build mode this crate was compiled in, as selected by its features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// No tuned formats: `#[quantize]` functions are the original f32 code.
    Plain,
    /// Profiling and emulation: formats are chosen at run time per site.
    Calibrate,
    /// Static formats from `tuned.rs`.
    Tuned,
}

/// The mode of this build.
pub const MODE: Mode = if cfg!(feature = "tuned") {
    Mode::Tuned
} else if cfg!(feature = "calibrate") {
    Mode::Calibrate
} else {
    Mode::Plain
};

#[cfg(all(feature = "tuned", feature = "calibrate"))]
compile_error!(
    "number-rt: the features `calibrate` and `tuned` select different build modes; enable at most one"
);

/// Support for generated code; not a public API. Every path `#[quantize]` emits goes through here.
#[doc(hidden)]
pub mod __private {
    pub use number_formats::Number;
    pub use number_formats::dot::rows::{columns, columns_at, dot, sum};
    pub use number_formats::packed::{Packed, Row, Unpacked, WeightRead};
    /// What a layer's container alias (`dense::W<L>`) stores in tuned builds: the values packed at their
    /// format's width with the feature `packed`, one storage integer per value without it.
    #[cfg(feature = "packed")]
    pub type Stored<T> = Packed<T>;
    /// What a layer's container alias (`dense::W<L>`) stores in tuned builds: the values packed at their
    /// format's width with the feature `packed`, one storage integer per value without it.
    #[cfg(not(feature = "packed"))]
    pub type Stored<T> = Vec<T>;
    pub use number_runtime::__private::*;
    pub use number_runtime::Instance;
    #[cfg(feature = "emulate")]
    pub use number_runtime::emulate::{FnInfo, Frame, SiteInfo};
    #[cfg(feature = "emulate")]
    pub use number_runtime::profile::SiteKind;
}
