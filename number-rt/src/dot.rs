//! Inner-product kernels: what `#[quantize]` emits for an accumulation loop in tuned builds.
//!
//! A loop `for i in lo..hi { acc += a[ia] * b[ib]; }` whose indices step by one with `i` means, under the site
//! semantics (docs/ARCHITECTURE.md: f32 arithmetic between sites, one rounding per assignment):
//!
//! ```text
//! for k in 0..n { acc = A::quantize(acc + a[k] * b[k]) }     // f32 product, f32 sum, one rounding into A
//! ```
//!
//! [`dot`] returns exactly that, bit for bit, by the fastest way that is provably exact for the data at hand:
//!
//! 1. **integer**: when both operands are fixed point (`a` holds values of format `TA` with
//!    `TA::FIXED = Some(..)`, and likewise `b`), their raw integers are multiplied and summed in an `i32`, once
//!    checked that every partial sum stays below 2^24 units of the product's binary point (so that each f32
//!    product and sum of the reference is exact and the reference equals the integer sum), that `acc` lies on
//!    that grid, and that `A` holds every partial sum unrounded (`f32`, or fixed point with a fine enough
//!    binary point and range). Integer sums are associative, so the compiler vectorizes this loop; the f32
//!    reference cannot be reordered.
//! 2. **f32 chain**: when `A` is `f32`, the sum runs without the per-step rounding (NaN → 0, ±inf → ±max); if
//!    the result is finite, every partial sum was finite and the per-step rounding was the identity.
//! 3. otherwise (and when 1 or 2 cannot prove exactness) the reference loop.
//!
//! ```
//! use number_rt::{dot::dot, Fixed, Number};
//! type W = Fixed<4, 3>;
//! type X = Fixed<8, 4>;
//! let w: Vec<W> = [0.5f32, -0.25, 0.875].iter().map(|&v| W::from_f32(v)).collect();
//! let x: Vec<f32> = [1.5f32, 2.0, -0.0625].iter().map(|&v| X::quantize(v)).collect(); // values of format X
//! let r = dot::<f32, W, X, _, _>(0.125, &w, &x);
//! assert_eq!(r, 0.125 + 0.5 * 1.5 - 0.25 * 2.0 + 0.875 * -0.0625);
//! ```
use crate::number::FixedInfo;
use crate::{Format, Number};

/// The fixed-point layout of an operand: its element type's own when that is fixed point (typed weights), else
/// its site type's (f32 elements holding values of the site's format).
#[inline(always)]
const fn layout(site: Option<FixedInfo>, elem: Option<FixedInfo>) -> Option<FixedInfo> {
    if elem.is_some() { elem } else { site }
}

/// The raw integer of an element holding a value of layout `info` (`scale` = 2^frac). For f32 elements the
/// value is on the format's grid with |raw| < 2^22, so adding 1.5·2^23 puts the raw integer in the low mantissa
/// bits exactly (a conversion the compiler vectorizes, unlike the saturating `as i32`).
#[inline(always)]
fn raw_of<E: Number>(e: E, scale: f32) -> i32 {
    const MAGIC: f32 = 12_582_912.0;
    if E::FIXED.is_some() { e.raw() as i32 } else { (e.to_f32() * scale + MAGIC).to_bits() as i32 - MAGIC.to_bits() as i32 }
}

/// `2^k` as f64, `k` in `-1022..=1023`.
#[inline(always)]
const fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// Below this many units every partial sum is exact in f32.
const EXACT: i64 = 1 << 24;

/// `acc` after `acc = A::quantize(acc + a[k] * b[k])` for every `k` (see the module docs).
///
/// `TA` / `TB` are the site types of the operands; `a` / `b` hold either those types or `f32` values already
/// in those formats (quantized by their site). Both slices have the same length.
#[inline(always)]
pub fn dot<A: Number, TA: Number, TB: Number, EA: Number, EB: Number>(acc: f32, a: &[EA], b: &[EB]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    if let (Some(la), Some(lb)) = (layout(TA::FIXED, EA::FIXED), layout(TB::FIXED, EB::FIXED))
        && let Some(r) = integer::<A, EA, EB>(acc, a, b, la, lb)
    {
        return r;
    }
    if matches!(A::FORMAT, Format::F32) {
        let mut s = acc;
        for (x, y) in a.iter().zip(b) {
            s += x.to_f32() * y.to_f32();
        }
        if s.is_finite() {
            return s;
        }
    }
    reference::<A, EA, EB>(acc, a, b)
}

/// The reference loop.
#[inline(never)]
pub fn reference<A: Number, EA: Number, EB: Number>(mut acc: f32, a: &[EA], b: &[EB]) -> f32 {
    for (x, y) in a.iter().zip(b) {
        acc = A::quantize(acc + x.to_f32() * y.to_f32());
    }
    acc
}

#[inline(always)]
fn integer<A: Number, EA: Number, EB: Number>(acc: f32, a: &[EA], b: &[EB], la: FixedInfo, lb: FixedInfo) -> Option<f32> {
    let s = la.frac + lb.frac;
    let pmax = la.max_abs().saturating_mul(lb.max_abs());
    // Every value k·2^-s with |k| < 2^24 is an f32 when -104 <= s <= 149; f32 elements convert exactly below
    // 2^22 (see `raw_of`).
    let small = |l: FixedInfo, typed: bool| typed || l.max_abs() < 1 << 22;
    if !(-104..=149).contains(&s) || pmax >= EXACT || !small(la, EA::FIXED.is_some()) || !small(lb, EB::FIXED.is_some()) {
        return None;
    }
    if acc.to_bits() == 0x8000_0000 {
        return None; // -0.0 stays -0.0 through a sum of -0.0 products; the integer sum cannot say so
    }
    let ar = acc as f64 * pow2(s);
    let ai = ar as i64; // saturating; NaN → 0
    if ai as f64 != ar {
        return None; // off the grid of the products (or not finite)
    }
    let bound = ai.saturating_abs().saturating_add((a.len() as i64).saturating_mul(pmax));
    if bound >= EXACT {
        return None;
    }
    match A::FIXED {
        None if matches!(A::FORMAT, Format::F32) => {}
        None => return None,
        Some(acc_l) => {
            let up = acc_l.frac - s;
            if !(0..=38).contains(&up) {
                return None;
            }
            let hi = bound << up;
            if hi > acc_l.raw_max || -hi < acc_l.raw_min {
                return None;
            }
        }
    }
    let (sa, sb) = (pow2(la.frac) as f32, pow2(lb.frac) as f32);
    let mut sum: i32 = 0;
    if la.max_abs() <= i16::MAX as i64 && lb.max_abs() <= i16::MAX as i64 {
        // 16-bit operands: products of sign-extended i16 pairs, which SSE2 sums pairwise (pmaddwd).
        for (x, y) in a.iter().zip(b) {
            sum += raw_of(*x, sa) as i16 as i32 * raw_of(*y, sb) as i16 as i32;
        }
    } else {
        for (x, y) in a.iter().zip(b) {
            sum += raw_of(*x, sa) * raw_of(*y, sb);
        }
    }
    Some(((ai + sum as i64) as f64 * pow2(-s)) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{E4m3, Fixed, UFixed};

    fn rng(seed: &mut u64) -> f32 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    fn check<A: Number, TA: Number, TB: Number>(scale: f32, n: usize, seed: u64) {
        let mut s = seed;
        let a: Vec<TA> = (0..n).map(|_| TA::from_f32(rng(&mut s) * scale)).collect();
        let b: Vec<f32> = (0..n).map(|_| TB::quantize(rng(&mut s) * scale)).collect();
        let acc = A::quantize(rng(&mut s) * scale);
        let want = reference::<A, TA, f32>(acc, &a, &b);
        let got = dot::<A, TA, TB, TA, f32>(acc, &a, &b);
        assert_eq!(got.to_bits(), want.to_bits(), "{} · {} into {}, n {n}", TA::FORMAT, TB::FORMAT, A::FORMAT);
        // Both operands typed, and both as f32.
        let bt: Vec<TB> = b.iter().map(|&v| TB::from_f32(v)).collect();
        assert_eq!(dot::<A, TA, TB, TA, TB>(acc, &a, &bt).to_bits(), want.to_bits());
        let af: Vec<f32> = a.iter().map(|v| v.to_f32()).collect();
        assert_eq!(dot::<A, TA, TB, f32, f32>(acc, &af, &b).to_bits(), want.to_bits());
    }

    #[test]
    fn every_path_equals_the_reference() {
        for (n, seed) in [(0, 1), (1, 2), (5, 3), (25, 4), (400, 5), (5000, 6)] {
            for scale in [0.01f32, 1.0, 100.0, 1e30] {
                check::<f32, Fixed<4, 3>, Fixed<8, 4>>(scale, n, seed);
                check::<f32, Fixed<2, 4>, UFixed<8, 8>>(scale, n, seed);
                check::<f32, Fixed<16, 12>, Fixed<16, 8>>(scale, n, seed);
                check::<f32, Fixed<8, -2>, Fixed<8, 0>>(scale, n, seed);
                check::<Fixed<16, 7>, Fixed<4, 3>, Fixed<4, 4>>(scale, n, seed);
                check::<Fixed<12, 10>, Fixed<4, 3>, Fixed<4, 4>>(scale, n, seed);
                check::<Fixed<8, 3>, Fixed<4, 3>, Fixed<8, 4>>(scale, n, seed);
                check::<E4m3, Fixed<4, 3>, Fixed<8, 4>>(scale, n, seed);
                check::<f32, E4m3, Fixed<8, 4>>(scale, n, seed);
                check::<f32, f32, f32>(scale, n, seed);
                check::<Fixed<8, 4>, f32, E4m3>(scale, n, seed);
                check::<f32, crate::Binary<5>, UFixed<8, 4>>(scale, n, seed);
                check::<f32, crate::Binary<-2>, Fixed<8, 4>>(scale, n, seed);
                check::<Fixed<16, 9>, crate::Binary<5>, Fixed<8, 4>>(scale, n, seed);
            }
        }
    }

    #[test]
    fn the_integer_path_is_taken_when_exact() {
        type W = Fixed<4, 3>;
        type X = Fixed<8, 4>;
        let (lw, lx) = (W::FIXED.unwrap(), X::FIXED.unwrap());
        let w = vec![W::from_f32(-1.0); 400];
        let x = vec![X::quantize(7.9); 400];
        assert!(integer::<f32, W, f32>(0.5, &w, &x, lw, lx).is_some());
        // 2^24 units of 2^-7 exceeded: -1 · 7.9375 · 3000 is not exact in every partial sum.
        let (w, x) = (vec![W::from_f32(-1.0); 20000], vec![X::quantize(7.9); 20000]);
        assert!(integer::<f32, W, f32>(0.5, &w, &x, lw, lx).is_none());
        // acc off the grid of the products (2^-7).
        assert!(integer::<f32, W, f32>(1.0 / 1024.0, &w[..4], &x[..4], lw, lx).is_none());
        // A fixed accumulator too coarse or too narrow.
        assert!(integer::<Fixed<16, 6>, W, f32>(0.5, &w[..4], &x[..4], lw, lx).is_none());
        assert!(integer::<Fixed<8, 7>, W, f32>(0.5, &w[..4], &x[..4], lw, lx).is_none());
        assert!(integer::<Fixed<16, 7>, W, f32>(0.5, &w[..4], &x[..4], lw, lx).is_some());
        // One-bit weights are raw ±1.
        type B = crate::Binary<3>;
        let wb: Vec<B> = (0..400).map(|i| B::from_f32(if i % 3 == 0 { -1.0 } else { 1.0 })).collect();
        let r = integer::<f32, B, f32>(0.5, &wb, &x, B::FIXED.unwrap(), lx);
        assert_eq!(r, Some(reference::<f32, B, f32>(0.5, &wb, &x)));
    }

    #[test]
    fn overflow_falls_back_to_the_per_step_rounding() {
        // f32 accumulator: products overflow to inf, which the site rounding clamps to f32::MAX at every step.
        let a = [f32::MAX, f32::MAX, -f32::MAX];
        let b = [2.0f32, 2.0, 1.0];
        let r = dot::<f32, f32, f32, f32, f32>(0.0, &a, &b);
        assert_eq!(r, reference::<f32, f32, f32>(0.0, &a, &b));
        assert_eq!(r, 0.0); // MAX + inf → MAX, then MAX − MAX
    }

    #[test]
    fn negative_zero_survives_like_in_the_reference() {
        let a = [Fixed::<4, 3>::from_f32(0.0); 3];
        let b = [-1.0f32, -2.0, -0.5];
        let want = reference::<f32, Fixed<4, 3>, f32>(-0.0, &a, &b);
        assert!(want == 0.0 && want.is_sign_negative());
        assert_eq!(dot::<f32, Fixed<4, 3>, Fixed<8, 4>, _, _>(-0.0, &a, &b).to_bits(), want.to_bits());
    }
}
