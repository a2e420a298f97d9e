//! # number-rt — the libnumber runtime
//!
//! libnumber picks the number format of every float value ("site") in `#[quantize]`d model code.
//! This crate holds everything that runs:
//!
//! - [`Format`]: the runtime descriptor of a number format (`fixed<8,4>`, `e4m3`, …) with exact quantisation;
//! - static number types ([`Fixed`], [`UFixed`], the one-bit [`Binary`], [`Float`], the named 8/16-bit floats)
//!   and block fixed point [`Blocked`] (a binary point per block of weights: per-channel or MX-style)
//!   implementing [`Number`],
//!   used by tuned builds, bit-identical to [`Format::quantize`];
//! - [`Packed`]: storage of W-bit values in W bits each;
//! - [`BlockFormat`]: OCP Microscaling (MX) block formats and block fixed point (a shared power-of-two scale
//!   per block of values); [`PerChannel`]: fixed point with one binary point per output channel;
//! - with `std`: [`emulate`] (calibrate-mode runtime: per-site formats chosen at run time, profiling),
//!   [`profile`] (value-range statistics as versioned JSON), [`tune`] (the auto-tuner) and [`codegen`]
//!   (writes `tuned.rs`).
//!
//! The `#[quantize]` attribute ([`quantize`]) is re-exported from `number-macros`; the build mode is chosen
//! by this crate's features: none (plain f32), `calibrate`, or `tuned`.
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod format;
pub mod number;
pub mod fixed;
pub mod binary;
pub mod blocked;
pub mod float;
pub mod packed;
pub mod dot;
pub mod storage;
pub mod block;
pub mod channel;
mod kernel;
#[cfg(feature = "std")]
pub mod emulate;
#[cfg(feature = "std")]
pub mod profile;
#[cfg(feature = "std")]
pub mod tune;
#[cfg(feature = "std")]
pub mod codegen;
#[cfg(feature = "std")]
pub mod tuned_file;
#[cfg(feature = "std")]
pub mod export;

pub use format::{Format, FormatError, Overflow, Rounding};
pub use number::{FixedInfo, Number};
pub use fixed::{Fixed, UFixed};
pub use binary::Binary;
pub use blocked::Blocked;
pub use float::{Float, Bf16, E2m1, E2m3, E3m2, E4m3, E5m2, F16};
pub use packed::Packed;
pub use fixed::{FixedPoint, Wide};
pub use format::Quantizer;
pub use packed::{PackError, PackedCodes};
pub use block::BlockFormat;
pub use channel::PerChannel;
pub use number_macros::{include_tuned, quantize};

/// A layer instance: a type naming one use of a `#[quantize]` layer function (`dense::<Fc1>(…)`), so that each
/// use gets its own formats. Declare instances with [`instances!`].
pub trait Instance: 'static {
    /// The readable name used in site names (`Fc1/dense.w`).
    const NAME: &'static str;
    /// `module_path!()` where the instance type is declared (used by the code generator).
    const MODULE: &'static str;
}

/// Declares layer-instance types: `number_rt::instances!(pub Fc1, pub Fc2);` defines unit structs that
/// implement [`Instance`], named `Fc1`, `Fc2` in site names.
///
/// ```
/// number_rt::instances!(pub Conv1, Fc1);
/// use number_rt::Instance;
/// assert_eq!(Conv1::NAME, "Conv1");
/// ```
#[macro_export]
macro_rules! instances {
    ($($vis:vis $name:ident),* $(,)?) => {$(
        #[doc = concat!("Layer instance `", stringify!($name), "` (see `number_rt::Instance`).")]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        $vis struct $name;
        impl $crate::Instance for $name {
            const NAME: &'static str = stringify!($name);
            const MODULE: &'static str = module_path!();
        }
    )*};
}

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
compile_error!("number-rt: the features `calibrate` and `tuned` select different build modes; enable at most one");

/// Support for generated code; not a public API.
#[doc(hidden)]
pub mod __private {
    /// The `Vec` of generated code (tuned builds copy input slices into quantized vectors): `alloc`'s, so that
    /// tuned layers build in `#![no_std]` crates (with `alloc`).
    pub use alloc::vec::Vec;

    /// The quantized copy of an input slice in tuned builds (`let x: &[T] = &Typed::<T, 1024>::new(x)`): the values
    /// `T::from_f32(x[i])`, on the stack when there are at most `N` of them (no allocation per call), else in a
    /// `Vec`.
    pub struct Typed<T: crate::Number, const N: usize> {
        len: usize,
        inline: [core::mem::MaybeUninit<T>; N],
        heap: Vec<T>,
    }

    impl<T: crate::Number, const N: usize> Typed<T, N> {
        /// Quantizes `x` into `T`.
        #[inline(always)]
        pub fn new(x: &[f32]) -> Self {
            let mut t = Typed { len: x.len(), inline: [const { core::mem::MaybeUninit::uninit() }; N], heap: Vec::new() };
            if x.len() <= N {
                for (d, &v) in t.inline.iter_mut().zip(x) {
                    d.write(T::from_f32(v));
                }
            } else {
                t.heap = x.iter().map(|&v| T::from_f32(v)).collect();
            }
            t
        }
    }

    impl<T: crate::Number, const N: usize> core::ops::Deref for Typed<T, N> {
        type Target = [T];
        #[inline(always)]
        fn deref(&self) -> &[T] {
            if self.len <= N {
                // SAFETY: `new` initialized the first `len` elements of `inline` when `len <= N`.
                unsafe { core::slice::from_raw_parts(self.inline.as_ptr() as *const T, self.len) }
            } else {
                &self.heap
            }
        }
    }

    /// Maps any type to `f32`, so that plain- and calibrate-mode type aliases can name an unused instance.
    pub trait AnyF32 {
        /// Always `f32`.
        type F32;
    }
    impl<T: ?Sized> AnyF32 for T {
        type F32 = f32;
    }
}
