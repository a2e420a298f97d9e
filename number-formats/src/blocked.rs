//! Block fixed point: [`Format::Block`] (`block<W,F,N>`) and its static type [`Blocked<W, F, N>`].
//!
//! A weight tensor is cut into blocks of `N` consecutive values (the last block may be shorter); every block
//! gets its own binary point, so a row of small weights next to a row of large ones loses nothing to the
//! large row's range. With `N` = the row length of a weight matrix (the inner-product length of a dense or
//! convolution layer) this is *per-channel* fixed point; with `N = 32` it is block fixed point as in the OCP
//! MX formats (MXINT).
//!
//! # Exact semantics of `block<W,F,N>`
//!
//! - `W` in `1..=7` value bits, `F` the *coarsest* binary point (fraction bits), `N` in `1..=65535`. The
//!   *finest* binary point is `T = F + 8 − W` for `W ≥ 2` and `T = F + 6` for `W = 1` ([`finest`]).
//! - `W ≥ 2`: block `b` uses `fixed<W, F_b>` with `F_b` in `F ..= T` (at most seven choices, stored in 3 bits
//!   per block). Let `I = ceil(log2 max|x|)` over the block's finite values (`I = 0` when all are zero or
//!   non-finite) and `clamp(g) = min(max(g, F), T)`. The candidates are `F1 = clamp(W − 1 − I)` (the
//!   block's largest magnitude fits, as `number_tune::tune::Range::MaxAbs`) and
//!   `F2 = clamp(W − I)` (one bit finer: the largest values clip). `F_b` is the candidate whose rounding gives
//!   the smaller sum of squared errors over the block's finite values (computed in `f64`; `F1` on ties): per
//!   block, MSE-optimal clipping between the two. Every value then rounds to nearest (ties to even) and
//!   saturates in `fixed<W, F_b>`; NaN becomes 0 and `±inf` the largest value of its sign.
//! - `W = 1`: block `b` is `binary<F_b>` (`±2^-F_b`, the sign bit of each value as [`Format::Binary`]: NaN
//!   and `+0.0` positive), with the `F_b` in `F ..= T` of the smallest sum of squared errors over the block's
//!   finite values (the coarsest on ties): a power-of-two scale per block (per channel: XNOR-Net's binary
//!   weights with one scale per output channel).
//! - Every result lies on the grid of `fixed<8, T>` (the *container*): the static type stores that raw
//!   integer in an `i8`, so the integer inner-product kernels take block weights like `fixed<8, …>` weights,
//!   with no per-block scaling at run time.
//! - A single value ([`Format::quantize`]) is a block of one.
//! - Storage: `W` bits per value plus 3 bits per block ([`Format::storage_bits`]).
//!
//! ```
//! use number_formats::Format;
//! let f: Format = "block<4,2,3>".parse().unwrap(); // 4 bits, F in 2..=6, blocks of 3
//! let mut xs = [0.9f32, -0.3, 0.05, 0.01, 0.02, -0.015];
//! f.quantize_slice(&mut xs);
//! assert_eq!(xs[..3], [0.875, -0.25, 0.0]); // block 0: max 0.9 → fixed<4,3>
//! assert_eq!(xs[3..], [0.015625, 0.015625, -0.015625]); // block 1: max 0.02 → clamped to fixed<4,6>
//! assert_eq!(f.storage_bits(6), 6 * 4 + 2 * 3);
//! ```
use core::fmt;

use crate::kernel::{self, int_bits};
use crate::number::FixedInfo;
use crate::{Format, Number};

/// Bits that store one block's binary point (`F_b − F` in `0..=6`).
pub const BLOCK_EXP_BITS: u32 = 3;

/// The finest block binary point `T` of `block<w,f,·>` (the container's fraction bits): `f + 8 − w`, and
/// `f + 6` for `w = 1` (so that the container raw `±2^(T−F_b)` fits an `i8`).
///
/// ```
/// assert_eq!(number_formats::blocked::finest(4, 2), 6);
/// assert_eq!(number_formats::blocked::finest(1, 2), 8);
/// ```
pub const fn finest(w: u32, f: i32) -> i32 {
    f + if w == 1 { 6 } else { 8 - w as i32 }
}

/// The raw integer of `x` in `fixed<w, fb>` (signed, saturating, NaN → 0), or `±1` of `binary<fb>` for
/// `w = 1`, as an `f32` holding an integer.
#[inline(always)]
fn raw_in(x: f32, w: u32, fb: i32) -> f32 {
    if w == 1 {
        return if kernel::binary_negative(x) {
            -1.0
        } else {
            1.0
        };
    }
    let hi = ((1i32 << (w - 1)) - 1) as f32;
    kernel::fixed_raw32(x, kernel::pow2_f32(fb), -hi - 1.0, hi)
}

/// The binary point `F_b` of one block of values (see the module documentation); GPTQ rounding uses it to
/// round a block's elements on the grid the block will get.
pub fn block_frac(xs: &[f32], w: u32, f: i32) -> i32 {
    let top = finest(w, f);
    let sse = |fb: i32| -> f64 {
        let inv = kernel::pow2_f32(-fb);
        xs.iter()
            .filter(|x| x.is_finite())
            .map(|&x| {
                let e = (raw_in(x, w, fb) * inv) as f64 - x as f64;
                e * e // (no `powi` in `core`: the deploy crate builds this `#![no_std]`)
            })
            .sum()
    };
    if w == 1 {
        let mut best = (sse(f), f);
        for fb in f + 1..=top {
            let e = sse(fb);
            if e < best.0 {
                best = (e, fb);
            }
        }
        return best.1;
    }
    let m = xs
        .iter()
        .filter(|x| x.is_finite())
        .fold(0.0f32, |m, x| m.max(x.abs()));
    let i = int_bits(m);
    let f1 = (w as i32 - 1 - i).clamp(f, top);
    let f2 = (w as i32 - i).clamp(f, top);
    if f1 == f2 {
        return f1;
    }
    if sse(f2) < sse(f1) { f2 } else { f1 }
}

/// The container raw integers (grid `2^-(F+8−W)`) of `xs` under `block<w,f,len>`, one call of `out` per value.
pub(crate) fn block_raws(xs: &[f32], w: u32, f: i32, len: u32, mut out: impl FnMut(i8)) {
    let top = finest(w, f);
    for blk in xs.chunks(len.max(1) as usize) {
        let fb = block_frac(blk, w, f);
        let up = kernel::pow2_f32(top - fb); // exact: the raw fits W bits, the shift at most 8 − W
        for &x in blk {
            out((raw_in(x, w, fb) * up) as i8);
        }
    }
}

/// `xs` quantized in place under `block<w,f,len>` (the values, see the module documentation).
pub(crate) fn quantize_blocks(xs: &mut [f32], w: u32, f: i32, len: u32) {
    let top = finest(w, f);
    let inv = kernel::pow2_f32(-top);
    for blk in xs.chunks_mut(len.max(1) as usize) {
        let fb = block_frac(blk, w, f);
        let up = kernel::pow2_f32(top - fb);
        for x in blk.iter_mut() {
            *x = (raw_in(*x, w, fb) * up) as i8 as f32 * inv;
        }
    }
}

/// The container raw integers of a whole tensor under `block<w,f,len>` (baked weight tables).
pub fn block_raw_vec(xs: &[f32], w: u32, f: i32, len: u32) -> alloc::vec::Vec<i8> {
    let mut v = alloc::vec::Vec::with_capacity(xs.len());
    block_raws(xs, w, f, len, |r| v.push(r));
    v
}

/// `quantize` of one value: a block of one.
#[inline]
pub(crate) fn quantize_one(x: f32, w: u32, f: i32) -> i8 {
    let mut r = 0;
    block_raws(core::slice::from_ref(&x), w, f, 1, |v| r = v);
    r
}

/// `block<W,F,N>` as a static type: a value of block fixed point, stored as its raw integer on the container
/// grid `2^-(F+8−W)` in an `i8` (see the [module documentation](self) for the exact semantics).
///
/// Blocks are a property of a *slice*: build weight tensors with [`Number::from_f32_slice`], which cuts them
/// into blocks of `N` (what the zoo's weight loaders do); [`from_f32`](Number::from_f32) quantizes a block of
/// one. The checks `1 <= W <= 7`, `-64 <= F` and `finest(W, F) <= 64`, and `1 <= N <= 65535` run at
/// compile time.
///
/// ```
/// use number_formats::{Blocked, Format, Number};
/// type B = Blocked<3, 1, 2>; // 3 bits, F_b in 1..=6, blocks of 2
/// let w = B::from_f32_slice(&[1.2, -0.7, 0.05, 0.06]);
/// let v: Vec<f32> = w.iter().map(|x| x.to_f32()).collect();
/// assert_eq!(v, [1.0, -0.5, 0.046875, 0.046875]); // fixed<3,1> for block 0, fixed<3,6> (the finest) for block 1
/// let mut q = [1.2, -0.7, 0.05, 0.06];
/// B::FORMAT.quantize_slice(&mut q); // the runtime format agrees bit for bit
/// assert_eq!(q.to_vec(), v);
/// assert_eq!(<B as Number>::FIXED.unwrap().frac, 6); // the integer kernels see fixed<8,6>
/// ```
#[repr(transparent)]
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Blocked<const W: u32, const F: i32, const N: usize>(i8);

impl<const W: u32, const F: i32, const N: usize> Blocked<W, F, N> {
    const CHECK: () = assert!(
        W >= 1 && W <= 7 && F >= -64 && finest(W, F) <= 64 && N >= 1 && N <= 65535,
        "block<W,F,N>: W must be in 1..=7, F in -64..=56+W (-64..=58 for W = 1) and N in 1..=65535"
    );
    const FRAC: i32 = finest(W, F);
    const INV: f32 = {
        let () = Self::CHECK;
        kernel::pow2_f32(-Self::FRAC)
    };
    /// The value with this container raw integer (value = `raw · 2^-(F+8−W)`).
    pub const fn from_raw(raw: i8) -> Self {
        Blocked(raw)
    }
    /// Values from their container raw integers, in a `const` context (baked weight tables, which hold
    /// tensors already cut into blocks).
    ///
    /// ```
    /// use number_formats::{Blocked, Number};
    /// static W: [Blocked<4, 0, 32>; 2] = Blocked::<4, 0, 32>::from_raw_array(&[16, -3]);
    /// assert_eq!((W[0].to_f32(), W[1].to_f32()), (1.0, -0.1875));
    /// ```
    pub const fn from_raw_array<const M: usize>(raw: &[i8; M]) -> [Self; M] {
        let mut out = [Blocked(0); M];
        let mut i = 0;
        while i < M {
            out[i] = Blocked(raw[i]);
            i += 1;
        }
        out
    }
}

impl<const W: u32, const F: i32, const N: usize> crate::number::Sealed for Blocked<W, F, N> {}

impl<const W: u32, const F: i32, const N: usize> Number for Blocked<W, F, N> {
    const FORMAT: Format = {
        let () = Self::CHECK;
        Format::Block {
            w: W,
            f: F,
            len: N as u32,
        }
    };
    #[inline]
    fn from_f32(x: f32) -> Self {
        let () = Self::CHECK;
        Blocked(quantize_one(x, W, F))
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self.0 as f32 * Self::INV
    }
    #[inline(always)]
    fn to_code(self) -> u32 {
        self.0 as u8 as u32
    }
    #[inline(always)]
    fn from_code(code: u32) -> Self {
        Blocked(code as u8 as i8)
    }
    const FIXED: Option<FixedInfo> = Some(FixedInfo {
        frac: finest(W, F),
        raw_min: -128,
        raw_max: 127,
    });
    #[inline(always)]
    fn raw(self) -> i64 {
        self.0 as i64
    }
    #[inline(always)]
    fn raw_slice(s: &[Self]) -> crate::dot::Raw<'_> {
        // SAFETY: `Blocked` is `#[repr(transparent)]` over `i8` (its raw integer).
        unsafe { crate::dot::Raw::of_i8(s) }
    }
    fn from_f32_slice(xs: &[f32]) -> alloc::vec::Vec<Self> {
        let () = Self::CHECK;
        let mut v = alloc::vec::Vec::with_capacity(xs.len());
        block_raws(xs, W, F, N as u32, |r| v.push(Blocked(r)));
        v
    }
}

impl<const W: u32, const F: i32, const N: usize> fmt::Debug for Blocked<W, F, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_f32())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// A direct transcription of the module documentation, in f64, as the reference.
    fn reference(xs: &[f32], w: u32, f: i32, len: usize) -> Vec<f32> {
        let q = |x: f32, fb: i32| -> f64 {
            if w == 1 {
                return if x.is_sign_negative() && !x.is_nan() {
                    -(2f64.powi(-fb))
                } else {
                    2f64.powi(-fb)
                };
            }
            if x.is_nan() {
                return 0.0;
            }
            let hi = ((1i64 << (w - 1)) - 1) as f64;
            let y = (x as f64 * 2f64.powi(fb)).clamp(-hi - 1.0, hi);
            let r = y.round();
            let r = if (y - y.trunc()).abs() == 0.5 {
                2.0 * (y / 2.0).round()
            } else {
                r
            };
            r * 2f64.powi(-fb)
        };
        let mut out = Vec::new();
        for blk in xs.chunks(len) {
            let m = blk
                .iter()
                .filter(|x| x.is_finite())
                .fold(0.0f64, |m, x| m.max(x.abs() as f64));
            let i = if m == 0.0 { 0 } else { m.log2().ceil() as i32 };
            let top = if w == 1 { f + 6 } else { f + 8 - w as i32 };
            let (f1, f2) = (
                (w as i32 - 1 - i).clamp(f, top),
                (w as i32 - i).clamp(f, top),
            );
            let sse = |fb| {
                blk.iter()
                    .filter(|x| x.is_finite())
                    .map(|&x| (q(x, fb) - x as f64).powi(2))
                    .sum::<f64>()
            };
            let fb = if w == 1 {
                (f..=top).fold(f, |b, g| if sse(g) < sse(b) { g } else { b })
            } else if f1 != f2 && sse(f2) < sse(f1) {
                f2
            } else {
                f1
            };
            out.extend(blk.iter().map(|&x| q(x, fb) as f32));
        }
        out
    }

    fn data(n: usize, seed: u32) -> Vec<f32> {
        (0..n as u32)
            .map(|i| {
                let h = (i ^ seed)
                    .wrapping_mul(2_654_435_761)
                    .rotate_left(13)
                    .wrapping_mul(0x9e37_79b9);
                let u = (h >> 8) as f32 / (1u32 << 24) as f32 - 0.5;
                u * (1u32 << (h & 7)) as f32 / 64.0 // magnitudes spread over eight octaves
            })
            .collect()
    }

    fn check<const W: u32, const F: i32, const N: usize>() {
        let fmt = Format::Block {
            w: W,
            f: F,
            len: N as u32,
        };
        let mut xs = data(1000, W * 7 + N as u32);
        xs.extend([
            f32::NAN,
            f32::INFINITY,
            -f32::INFINITY,
            0.0,
            -0.0,
            1e30,
            -1e-30,
        ]);
        let typed: Vec<f32> = Blocked::<W, F, N>::from_f32_slice(&xs)
            .iter()
            .map(|b| b.to_f32())
            .collect();
        let mut emulated = xs.clone();
        fmt.quantize_slice(&mut emulated);
        let want = reference(&xs, W, F, N);
        for i in 0..xs.len() {
            assert_eq!(
                typed[i].to_bits(),
                emulated[i].to_bits(),
                "{fmt} x[{i}] = {}",
                xs[i]
            );
            assert_eq!(typed[i], want[i], "{fmt} x[{i}] = {} (reference)", xs[i]);
        }
        for &x in &xs {
            assert_eq!(
                Blocked::<W, F, N>::from_f32(x).to_f32().to_bits(),
                fmt.quantize(x).to_bits(),
                "{x}"
            );
        }
    }

    #[test]
    fn static_runtime_and_reference_agree() {
        check::<1, 0, 1>();
        check::<1, 3, 25>();
        check::<1, -5, 400>();
        check::<2, 0, 1>();
        check::<3, 2, 32>();
        check::<4, 3, 150>();
        check::<7, -2, 7>();
        check::<5, 6, 1000>();
    }

    #[test]
    fn storage_and_text() {
        let f: Format = "block<3, 4, 32>".parse().unwrap();
        assert_eq!(
            f,
            Format::Block {
                w: 3,
                f: 4,
                len: 32
            }
        );
        assert_eq!(f.to_string(), "block<3,4,32>");
        assert_eq!(f.storage_bits(100), 300 + 4 * 3);
        assert_eq!(Format::from_bytes(f.to_bytes()), Ok(f));
        assert_eq!(
            "block<1,2,8>".parse::<Format>().unwrap().storage_bits(16),
            16 + 2 * 3
        );
        for bad in [
            "block<8,0,32>",
            "block<0,0,32>",
            "block<1,59,8>",
            "block<4,0,0>",
            "block<4,0,70000>",
            "block<4,61,8>",
            "block<4,2>",
        ] {
            assert!(bad.parse::<Format>().is_err(), "{bad}");
        }
    }
}
