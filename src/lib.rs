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
pub mod layers;
#[cfg(feature = "std")]
pub mod pth;
#[cfg(feature = "std")]
pub mod weights;
