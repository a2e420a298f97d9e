//! # number-formats — the number formats of libnumber
//!
//! Every format exists twice with identical semantics:
//!
//! - [`Format`]: the runtime descriptor (`fixed<8,4>`, `e4m3`, …) with exact quantisation, parsed from and
//!   printed to its documented text form; the tuner and emulation use it;
//! - a static type implementing the sealed trait [`Number`] ([`Fixed`], [`UFixed`], the one-bit [`Binary`],
//!   block fixed point [`Blocked`], codebooks [`Codebook1`]..[`Codebook4`], [`Float`] and the named 8/16-bit
//!   floats), used by tuned builds,
//!   bit-identical to [`Format::quantize`].
//!
//! [`dot`] holds the exact integer inner products the static types run on. The crate is `#![no_std]` (with
//! `alloc`); users depend on `number-rt`, which re-exports it.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod binary;
pub mod blocked;
pub mod codebook;
pub mod dot;
pub mod fixed;
pub mod float;
pub mod format;
mod kernel;
pub mod number;
pub mod packed;
pub mod storage;

pub use binary::Binary;
pub use blocked::Blocked;
pub use codebook::{Codebook1, Codebook2, Codebook3, Codebook4};
pub use fixed::{Fixed, FixedPoint, UFixed, Wide};
pub use float::{Bf16, E2m1, E2m3, E3m2, E4m3, E5m2, F16, Float};
pub use format::{Format, FormatError, Overflow, Quantizer, Rounding};
pub use number::{FixedInfo, Number};
pub use packed::Packed;
