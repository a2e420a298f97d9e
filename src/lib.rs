//! The libnumber model zoo: layer code shared by the examples (written once in plain f32 and marked
//! `#[quantize]`), real data loaders, weights files, and the command line every example shares.
//!
//! Without the default `std` feature the crate is `#![no_std]` (it needs `alloc`) and offers [`layers`] only.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "std")]
pub mod data;
#[cfg(feature = "std")]
pub mod driver;
// Not formatted by rustfmt: the fingerprints that every checked-in tuned.rs records are taken over these
// functions' tokens, and formatting can change tokens (trailing commas), which would make those files stale.
#[rustfmt::skip]
pub mod layers;
#[cfg(feature = "std")]
pub mod pth;
#[cfg(feature = "std")]
pub mod weights;
