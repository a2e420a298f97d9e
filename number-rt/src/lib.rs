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
#[cfg(feature = "std")]
pub mod rounding;

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

    /// `dst[k·ds] = src[k·ss]` for `k` in `0..n`: what `#[quantize]` emits in tuned builds for a loop copying
    /// between typed bindings of one format. Panics (like the loop would, at its last element) when either slice
    /// is too short. Unit steps move the bytes at once: with a masked 64-byte load and store when they fit one
    /// (AVX-512 builds: no call for the short rows of an im2col gather), else `copy_from_slice`.
    #[inline(always)]
    pub fn copy_strided<T: Copy>(dst: &mut [T], ds: usize, src: &[T], ss: usize, n: usize) {
        let span = |step: usize| {
            (n - 1).checked_mul(step).and_then(|v| v.checked_add(1)).expect("copy_strided: index arithmetic overflows")
        };
        if n == 0 {
            return;
        }
        let (dst, src) = (&mut dst[..span(ds)], &src[..span(ss)]);
        if ds == 0 {
            dst[0] = src[src.len() - 1]; // every step writes the same element: the last write stays
        } else if ss == 0 {
            for d in dst.iter_mut().step_by(ds) {
                *d = src[0];
            }
        } else if ds == 1 && ss == 1 {
            #[cfg(all(target_arch = "x86_64", target_feature = "avx512bw"))]
            if (1..=64).contains(&core::mem::size_of_val(src)) {
                use core::arch::x86_64::*;
                let m: __mmask64 = u64::MAX >> (64 - core::mem::size_of_val(src));
                // SAFETY: both slices hold exactly the masked bytes (the same length, checked above), and masked-off
                // bytes are neither read nor written; `T: Copy` values are moved as their bytes.
                unsafe {
                    let v = _mm512_maskz_loadu_epi8(m, src.as_ptr().cast());
                    _mm512_mask_storeu_epi8(dst.as_mut_ptr().cast(), m, v);
                }
                return;
            }
            dst.copy_from_slice(src);
        } else {
            for k in 0..n {
                // SAFETY: k·ds <= (n-1)·ds < dst.len() and k·ss <= (n-1)·ss < src.len() (the spans above).
                unsafe { *dst.get_unchecked_mut(k * ds) = *src.get_unchecked(k * ss) };
            }
        }
    }

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

    #[cfg(test)]
    mod tests {
        use super::copy_strided;

        /// `copy_strided` against the element loop it replaces, for every kind of step.
        #[test]
        fn strided_copies_equal_the_element_loop() {
            let src: Vec<u16> = (0..300).collect();
            for (d0, ds, s0, ss, n) in
                [(0, 1, 0, 1, 1), (3, 1, 5, 1, 32), (0, 1, 7, 1, 33), (1, 1, 0, 1, 200), (2, 3, 1, 2, 40), (0, 1, 4, 0, 9), (5, 0, 2, 3, 7), (0, 2, 0, 1, 1)]
            {
                let mut want = vec![9u16; 300];
                for k in 0..n {
                    want[d0 + k * ds] = src[s0 + k * ss];
                }
                let mut got = vec![9u16; 300];
                copy_strided(&mut got[d0..], ds, &src[s0..], ss, n);
                assert_eq!(got, want, "d0 {d0} ds {ds} s0 {s0} ss {ss} n {n}");
            }
            let mut none = vec![1u8; 4];
            copy_strided(&mut none, 1, &[], 1, 0);
            assert_eq!(none, [1; 4]);
        }

        #[test]
        #[should_panic]
        fn a_short_source_panics_like_the_loop() {
            let mut d = [0u8; 10];
            copy_strided(&mut d, 1, &[1u8; 5], 2, 4);
        }
    }
}
