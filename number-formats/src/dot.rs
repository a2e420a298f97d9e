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
//!    reference cannot be reordered. Byte operands run the CPU's byte kernel ([`cpu`]); rows of at most 64
//!    values, whose time is mostly the per-call cost, an inlined kernel of the build target's AVX2 instead.
//! 2. **f32 chain**: when `A` is `f32`, the sum runs without the per-step rounding (NaN → 0, ±inf → ±max); if
//!    the result is finite, every partial sum was finite and the per-step rounding was the identity.
//! 3. otherwise (and when 1 or 2 cannot prove exactness) the reference loop.
//!
//! ```
//! use number_formats::{dot::dot, Fixed, Number};
//! type W = Fixed<4, 3>;
//! type X = Fixed<8, 4>;
//! let w: Vec<W> = [0.5f32, -0.25, 0.875].iter().map(|&v| W::from_f32(v)).collect();
//! let x: Vec<f32> = [1.5f32, 2.0, -0.0625].iter().map(|&v| X::quantize(v)).collect(); // values of format X
//! let r = dot::<f32, W, X, _, _>(0.125, &w, &x);
//! assert_eq!(r, 0.125 + 0.5 * 1.5 - 0.25 * 2.0 + 0.875 * -0.0625);
//! ```
use crate::number::FixedInfo;
use crate::{Format, Number};

mod columns;
pub mod cpu;
pub mod rows;
pub use columns::{columns, columns_at};

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
    if E::FIXED.is_some() {
        e.raw() as i32
    } else {
        (e.to_f32() * scale + MAGIC).to_bits() as i32 - MAGIC.to_bits() as i32
    }
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
pub fn dot<A: Number, TA: Number, TB: Number, EA: Number, EB: Number>(
    acc: f32,
    a: &[EA],
    b: &[EB],
) -> f32 {
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

/// `acc` after `acc = A::quantize(acc + x[k])` for every `k`: what `#[quantize]` emits for a summing loop
/// `for i in lo..hi { acc += x[ix]; }` (same conditions as an accumulation loop, one operand). Integer sum when `x`
/// is fixed point and every partial sum is provably exact and held by `A` (the argument of [`dot`] with products
/// `x[k]·1`); else the f32 chain (f32 accumulator, finite result); else the reference.
///
/// ```
/// use number_formats::{dot::sum, Number, UFixed};
/// type X = UFixed<8, 4>;
/// let x: Vec<X> = [1.5f32, 2.25, 0.0625].iter().map(|&v| X::from_f32(v)).collect();
/// assert_eq!(sum::<f32, X, _>(0.5, &x), 0.5 + 1.5 + 2.25 + 0.0625);
/// ```
#[inline(always)]
pub fn sum<A: Number, TX: Number, EX: Number>(acc: f32, x: &[EX]) -> f32 {
    if let Some(lx) = layout(TX::FIXED, EX::FIXED)
        && (-104..=126).contains(&lx.frac)
        && (EX::FIXED.is_some() || lx.max_abs() < 1 << 22)
    {
        let (n, max) = (x.len() as i64, lx.max_abs());
        let scale = pow2(lx.frac) as f32;
        let prods = if n < EXACT / max.max(1) {
            n * max
        } else {
            abs_sum(x, scale)
        };
        if prods < EXACT
            && let Some(ai) = acc_units::<A>(acc, lx.frac, prods)
        {
            let mut s: i32 = 0;
            for e in x {
                s += raw_of(*e, scale);
            }
            // |ai + s| < 2^24: exact.
            return (ai + s) as f32 * pow2(-lx.frac) as f32;
        }
    }
    if matches!(A::FORMAT, Format::F32) {
        let mut s = acc;
        for e in x {
            s += e.to_f32();
        }
        if s.is_finite() {
            return s;
        }
    }
    let mut acc = acc;
    for e in x {
        acc = A::quantize(acc + e.to_f32());
    }
    acc
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
fn integer<A: Number, EA: Number, EB: Number>(
    acc: f32,
    a: &[EA],
    b: &[EB],
    la: FixedInfo,
    lb: FixedInfo,
) -> Option<f32> {
    let (s, pmax) = grid::<EA, EB>(la, lb)?;
    // The products add up to at most `prods` units (n·pmax, or for long slices the bound from the data).
    let n = a.len();
    let prods = if (n as u64) < (EXACT / pmax.max(1)) as u64 {
        n as i64 * pmax
    } else {
        data_bound(a, la, b, lb)?
    };
    let ai = acc_units::<A>(acc, s, prods)?;
    let down = pow2(-s) as f32;
    let (ra, rb) = (EA::raw_slice(a), EB::raw_slice(b));
    if n <= bytes::SHORT
        && let Some(sum) = bytes::short(ra, rb)
    {
        return Some((ai + sum) as f32 * down);
    }
    if let Some(sum) = bytes::dot(ra, rb) {
        return Some((ai + sum) as f32 * down);
    }
    let (sa, sb) = (pow2(la.frac) as f32, pow2(lb.frac) as f32);
    if n <= bytes::SHORT
        && la.max_abs() <= i16::MAX as i64
        && lb.max_abs() <= i16::MAX as i64
        && let Some(sum) = bytes::short_lanes(a, ra, sa, b, rb, sb)
    {
        return Some((ai + sum) as f32 * down);
    }
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
    // |ai + sum| < 2^24: the conversion and the scaling are exact.
    Some((ai + sum) as f32 * down)
}

/// The binary point `s` of the products of layouts `la` × `lb` (value = k·2^-s) and the largest |product| in
/// units, when the integer path can be exact for them at all: every value k·2^-s with |k| < 2^24 is an f32
/// when -104 <= s <= 149; below 127, 2^s is an f32 too (the conversion of `acc`). f32 elements convert exactly
/// below 2^22 (see `raw_of`). All of this is known at compile time.
#[inline(always)]
fn grid<EA: Number, EB: Number>(la: FixedInfo, lb: FixedInfo) -> Option<(i32, i64)> {
    let s = la.frac + lb.frac;
    let pmax = la.max_abs().saturating_mul(lb.max_abs());
    let small = |l: FixedInfo, typed: bool| typed || l.max_abs() < 1 << 22;
    let ok = (-104..=126).contains(&s)
        && pmax < EXACT
        && small(la, EA::FIXED.is_some())
        && small(lb, EB::FIXED.is_some());
    ok.then_some((s, pmax))
}

/// The per-call check, in f32 only: `acc` as `k` units of 2^-s, when |k| + `prods` < 2^24, `acc` lies on the
/// grid, and the accumulator format `A` holds every partial sum unrounded (|k| <= [`acc_limit`]). `acc · 2^s` is
/// exact unless it overflows (then it fails the bound) or underflows (then it truncates to 0, and the round trip
/// below gives +0.0, not `acc`). NaN fails the bound.
#[inline(always)]
fn acc_units<A: Number>(acc: f32, s: i32, prods: i64) -> Option<i32> {
    let limit = acc_limit::<A>(s, prods)?;
    let (ai, ok) = units(acc, s, prods);
    (ok && ai.unsigned_abs() <= limit).then_some(ai)
}

/// `acc` as units of 2^-s and whether that is exact and leaves `prods` units of room below 2^24 (see
/// [`acc_units`]); branch-free, so that a loop over many accumulators vectorizes.
#[inline(always)]
fn units(acc: f32, s: i32, prods: i64) -> (i32, bool) {
    let room = (EXACT - prods) as f32; // exact: an integer below 2^24
    let (up, down) = (pow2(s) as f32, pow2(-s) as f32);
    let v = acc * up;
    let inside = v.abs() < room; // false for NaN
    // SAFETY: |v| < 2^24 or 0.0, which truncate to an i32 (exact when `inside`); no saturation fix-ups, so a
    // loop over many starts vectorizes.
    let ai: i32 = unsafe { (if inside { v } else { 0.0 }).to_int_unchecked() };
    // The round trip is exact (|ai| < 2^24, `down` a power of two with every k·down an f32) and equals `acc`'s
    // bits only when `acc` is on the grid of the products: this also rejects -0.0, which stays -0.0 through a
    // sum of -0.0 products where the integer sum cannot say so.
    (ai, inside & ((ai as f32 * down).to_bits() == acc.to_bits()))
}

/// The largest |units| of a starting `acc` for which the accumulator format `A` holds every partial sum of the
/// products (`prods` units of 2^-s at most) unrounded: any for `f32` (the 2^24 bound of [`units`] applies),
/// `None` when no start qualifies (a float format other than f32, a fixed format too coarse or too narrow, or a
/// format whose grid is sparse: `binary`, `block`, power-of-two floats, which do not hold every integer of their
/// raw range).
#[inline(always)]
fn acc_limit<A: Number>(s: i32, prods: i64) -> Option<u32> {
    let dense = matches!(A::FORMAT, Format::Fixed { .. } | Format::UFixed { .. });
    match A::FIXED {
        None if matches!(A::FORMAT, Format::F32) => Some(u32::MAX),
        None => None,
        Some(_) if !dense => None,
        Some(acc_l) => {
            let up = acc_l.frac - s;
            if !(0..=38).contains(&up) {
                return None;
            }
            // (|k| + prods) << up must lie in raw_min..=raw_max.
            let room = acc_l.raw_max.min(acc_l.raw_min.saturating_neg()) >> up;
            let limit = room - prods;
            (limit >= 0).then(|| limit.min(u32::MAX as i64) as u32)
        }
    }
}

/// For slices too long for the format bound n·max|a|·max|b| (an 8-bit weight row of more than 514 values
/// against 8-bit unsigned inputs, say): `Σ|a_k| · max|b|` or `|a|max · Σ|b_k|` from the raw integers, the smaller,
/// if below 2^24 units. Every partial sum of the products is at most `Σ|a_k·b_k|`, which both bound. One pass
/// over one or both operands (in chunks whose i32 sums cannot overflow: |raw| < 2^22, see [`integer`]).
#[inline(never)]
fn data_bound<EA: Number, EB: Number>(
    a: &[EA],
    la: FixedInfo,
    b: &[EB],
    lb: FixedInfo,
) -> Option<i64> {
    let (sa, sb) = (pow2(la.frac) as f32, pow2(lb.frac) as f32);
    let via_a = abs_sum(a, sa).saturating_mul(lb.max_abs());
    if via_a < EXACT {
        return Some(via_a);
    }
    let via_b = abs_sum(b, sb).saturating_mul(la.max_abs());
    (via_b < EXACT).then_some(via_b)
}

/// `Σ|raw|` of a fixed-point slice of layout scale `scale` (= 2^frac), in chunks whose i32 sums cannot overflow.
fn abs_sum<E: Number>(x: &[E], scale: f32) -> i64 {
    let mut s: i64 = 0;
    for chunk in x.chunks(256) {
        let mut c: i32 = 0;
        for e in chunk {
            c += raw_of(*e, scale).abs();
        }
        s += c as i64;
    }
    s
}

/// The raw integers of a fixed-point slice stored one byte per value ([`Number::raw_slice`]).
#[doc(hidden)]
#[derive(Clone, Copy, Debug)]
pub enum Raw<'a> {
    /// Signed bytes (`Fixed<W, F>`, W <= 8, and `Binary<F>`).
    I8(&'a [i8]),
    /// Unsigned bytes (`UFixed<W, F>`, W <= 8).
    U8(&'a [u8]),
    /// Any other storage.
    Other,
}

impl<'a> Raw<'a> {
    /// The raw bytes of a slice of a type stored as its raw integer in one `i8` (`Binary`, `Blocked`).
    ///
    /// # Safety
    /// `T` must be `#[repr(transparent)]` over `i8`.
    #[inline(always)]
    pub(crate) unsafe fn of_i8<T>(s: &'a [T]) -> Raw<'a> {
        // SAFETY: by the caller, `s` is `s.len()` `i8`s.
        Raw::I8(unsafe { core::slice::from_raw_parts(s.as_ptr() as *const i8, s.len()) })
    }
}

/// Inner products of byte operands with the CPU's 8-bit dot-product instruction (AVX-512 VNNI `vpdpbusd`:
/// 64 products of an unsigned and a signed byte summed into 16 `i32` lanes per instruction), or with AVX2 (bytes
/// widened to 16 bits, `vpmaddwd`: 16 products summed pairwise into 8 `i32` lanes per instruction, exact for
/// every pair of bytes of either signedness), when the CPU has it ([`cpu`]); `None` otherwise, and the caller's
/// portable loop runs. The sums are exact modulo 2^32, and the caller has checked that the true sum is below
/// 2^24 in magnitude, so they are the exact sums.
pub(crate) mod bytes {
    use super::Raw;

    /// Rows of at most this many bytes take [`short`] (where the build targets AVX2) instead of the kernel the
    /// CPU selects: inlined, no CPU lookup, no call.
    pub(crate) const SHORT: usize = 64;

    /// `Σ a[k]·b[k]` (wrapping) of two byte slices of at most [`SHORT`] values, inlined into the caller: with the
    /// AVX2 of the build's target (x86-64-v3, `.cargo/config.toml`), no run-time CPU selection; `None` where the
    /// build does not target AVX2 or an operand is not bytes. Exact like every byte kernel, so it returns what
    /// they return.
    #[inline(always)]
    pub(crate) fn short(a: Raw<'_>, b: Raw<'_>) -> Option<i32> {
        #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
        {
            let ((x, xs), (y, ys)) = (unsigned(a)?, unsigned(b)?);
            // SAFETY: the build targets AVX2 (cfg).
            Some(unsafe { avx2::short(x, xs, y, ys) })
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
        {
            let _ = (a, b);
            None
        }
    }

    #[inline(always)]
    pub(super) fn dot(a: Raw<'_>, b: Raw<'_>) -> Option<i32> {
        #[cfg(target_arch = "x86_64")]
        if super::cpu::vnni() {
            // SAFETY: the CPU has AVX-512 F, BW and VNNI (`cpu::vnni`).
            return match (a, b) {
                (Raw::U8(u), Raw::I8(s)) | (Raw::I8(s), Raw::U8(u)) => {
                    Some(unsafe { vnni::dot_u8_i8(u, s) })
                }
                (Raw::I8(x), Raw::I8(s)) => Some(unsafe { vnni::dot_i8_i8(x, s) }),
                _ => None,
            };
        } else if super::cpu::avx_vnni() {
            // SAFETY: the CPU has AVX-VNNI and AVX2 (`cpu::avx_vnni`).
            return match (a, b) {
                (Raw::U8(u), Raw::I8(s)) | (Raw::I8(s), Raw::U8(u)) => {
                    Some(unsafe { avx_vnni::dot_u8_i8(u, s) })
                }
                (Raw::I8(x), Raw::I8(s)) => Some(unsafe { avx_vnni::dot_i8_i8(x, s) }),
                // Unsigned × unsigned: `vpdpbusd` needs one signed operand; AVX2 widens both.
                _ => {
                    let ((x, xs), (y, ys)) = (unsigned(a)?, unsigned(b)?);
                    Some(unsafe { avx2::dot(x, xs, y, ys) })
                }
            };
        } else if super::cpu::avx2() {
            let ((x, xs), (y, ys)) = (unsigned(a)?, unsigned(b)?);
            // SAFETY: the CPU has AVX2 (`cpu::avx2`).
            return Some(unsafe { avx2::dot(x, xs, y, ys) });
        }
        let _ = (a, b);
        None
    }

    /// The elements of `s` as `f32`s, when they are (`E` is `f32`).
    #[inline(always)]
    #[cfg(target_feature = "avx2")]
    fn f32s<E: crate::Number>(s: &[E]) -> Option<&[f32]> {
        let is_f32 = matches!(E::FORMAT, crate::Format::F32)
            && E::FIXED.is_none()
            && core::mem::size_of::<E>() == 4
            && core::mem::align_of::<E>() == 4;
        // SAFETY: `E` is `f32` (the only `Number` of format `F32`; same size and alignment).
        is_f32.then(|| unsafe { core::slice::from_raw_parts(s.as_ptr().cast::<f32>(), s.len()) })
    }

    /// `Σ raw(a[k])·raw(b[k])` of two short slices (at most [`SHORT`] values), each bytes (`Raw`) or `f32` values on
    /// the grid of scale `sa` / `sb` (= 2^frac) with |raw| < 2^15, at least one of them `f32` (two byte slices
    /// take [`short`]), inlined, with the build target's AVX2: 8 values at a time as `i32` lanes (bytes widened,
    /// `f32` values scaled and converted, exact for integers below 2^24, rounding to nearest even like
    /// [`super::raw_of`] otherwise), products by `vpmulld`. `None` for other operands or builds.
    #[inline(always)]
    pub(crate) fn short_lanes<EA: crate::Number, EB: crate::Number>(
        a: &[EA],
        ra: Raw<'_>,
        sa: f32,
        b: &[EB],
        rb: Raw<'_>,
        sb: f32,
    ) -> Option<i32> {
        #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
        {
            use avx2::Lanes;
            fn side<'a>(r: Raw<'a>, f: Option<&'a [f32]>) -> Option<Lanes<'a>> {
                match (unsigned(r), f) {
                    (Some((u, signed)), _) => Some(Lanes::Bytes(u, signed)),
                    (None, Some(f)) => Some(Lanes::F32(f)),
                    _ => None,
                }
            }
            let (x, y) = (side(ra, f32s(a))?, side(rb, f32s(b))?);
            if matches!((x, y), (Lanes::Bytes(..), Lanes::Bytes(..))) {
                return None;
            }
            // SAFETY: the build targets AVX2 (cfg); both operands hold `n = a.len() = b.len()` values.
            Some(unsafe { avx2::short_lanes(x, sa, y, sb, a.len().min(b.len())) })
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
        {
            let _ = (a, ra, sa, b, rb, sb);
            None
        }
    }

    /// The bytes of a byte slice as `u8`, and whether they are signed.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn unsigned(r: Raw<'_>) -> Option<(&[u8], bool)> {
        match r {
            // SAFETY: i8 and u8 have the same layout.
            Raw::I8(s) => Some((
                unsafe { core::slice::from_raw_parts(s.as_ptr().cast::<u8>(), s.len()) },
                true,
            )),
            Raw::U8(u) => Some((u, false)),
            Raw::Other => None,
        }
    }

    #[cfg(target_arch = "x86_64")]
    pub(crate) mod avx2 {
        use core::arch::x86_64::*;

        /// 16 bytes at `p` widened to 16-bit lanes, sign- or zero-extended.
        #[target_feature(enable = "avx2")]
        #[inline]
        pub(crate) unsafe fn widen(p: *const u8, signed: bool) -> __m256i {
            unsafe {
                let v = _mm_loadu_si128(p.cast());
                if signed {
                    _mm256_cvtepi8_epi16(v)
                } else {
                    _mm256_cvtepu8_epi16(v)
                }
            }
        }

        /// An operand of [`short_lanes`]: bytes (signed or not) or `f32` values on a fixed-point grid.
        #[derive(Clone, Copy)]
        #[cfg(target_feature = "avx2")]
        pub(crate) enum Lanes<'a> {
            Bytes(&'a [u8], bool),
            F32(&'a [f32]),
        }

        /// Masks of 32-bit lanes: the 8 lanes loaded from `KEEP32[k..]` keep lane `j` iff `k + j >= 8`.
        #[cfg(target_feature = "avx2")]
        static KEEP32: [i32; 16] = [0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1];

        /// The 8 raw integers of values `i..i + 8` of `v` as `i32` lanes (`scale` = 2^frac for `f32` values).
        ///
        /// # Safety
        /// The CPU has AVX2; values `i..i + 8` exist.
        #[inline(always)]
        #[cfg(target_feature = "avx2")]
        unsafe fn lanes8(v: Lanes<'_>, scale: f32, i: usize) -> __m256i {
            unsafe {
                match v {
                    Lanes::Bytes(b, signed) => {
                        let q = _mm_loadl_epi64(b.as_ptr().add(i).cast());
                        if signed {
                            _mm256_cvtepi8_epi32(q)
                        } else {
                            _mm256_cvtepu8_epi32(q)
                        }
                    }
                    Lanes::F32(f) => _mm256_cvtps_epi32(_mm256_mul_ps(
                        _mm256_loadu_ps(f.as_ptr().add(i)),
                        _mm256_set1_ps(scale),
                    )),
                }
            }
        }

        /// `Σ raw(x_k)·raw(y_k)` over `k < n` (see [`super::short_lanes`]): groups of 8 values, then the last 8
        /// values again with the lanes already summed masked off; below 8 values one by one.
        ///
        /// # Safety
        /// The CPU has AVX2; both operands hold at least `n` values.
        #[inline(always)]
        #[cfg(target_feature = "avx2")]
        pub(crate) unsafe fn short_lanes(
            x: Lanes<'_>,
            sx: f32,
            y: Lanes<'_>,
            sy: f32,
            n: usize,
        ) -> i32 {
            let one = |v: Lanes<'_>, s: f32, k: usize| match v {
                Lanes::Bytes(b, true) => b[k] as i8 as i32,
                Lanes::Bytes(b, false) => b[k] as i32,
                Lanes::F32(f) => super::super::raw_of(f[k], s),
            };
            if n < 8 {
                let mut s = 0i32;
                for k in 0..n {
                    s += one(x, sx, k) * one(y, sy, k);
                }
                return s;
            }
            // SAFETY: the loads read values `..n` of both operands; the CPU has AVX2 (caller).
            unsafe {
                let group = |i: usize| _mm256_mullo_epi32(lanes8(x, sx, i), lanes8(y, sy, i));
                let mut acc = group(0);
                let mut i = 8;
                while i + 8 <= n {
                    acc = _mm256_add_epi32(acc, group(i));
                    i += 8;
                }
                if i < n {
                    // Values n-8..n; lane j holds value n - 8 + j, summed already when below i.
                    let keep = _mm256_loadu_si256(KEEP32.as_ptr().add(n - i).cast());
                    acc = _mm256_add_epi32(acc, _mm256_and_si256(group(n - 8), keep));
                }
                let s = _mm_add_epi32(
                    _mm256_castsi256_si128(acc),
                    _mm256_extracti128_si256::<1>(acc),
                );
                let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
                let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
                _mm_cvtsi128_si32(s)
            }
        }

        /// Masks of 16-bit lanes: the 8 or 16 lanes loaded from `KEEP[k..]` keep lane `j` iff `k + j >= 16`.
        #[cfg(target_feature = "avx2")]
        static KEEP: [i16; 32] = {
            let mut t = [0i16; 32];
            let mut i = 16;
            while i < 32 {
                t[i] = -1;
                i += 1;
            }
            t
        };

        /// 16 bytes widened to 16-bit lanes, sign- or zero-extended.
        #[inline(always)]
        #[cfg(target_feature = "avx2")]
        unsafe fn widen128(v: __m128i, signed: bool) -> __m256i {
            unsafe {
                if signed {
                    _mm256_cvtepi8_epi16(v)
                } else {
                    _mm256_cvtepu8_epi16(v)
                }
            }
        }

        /// [`dot`] for the short rows of [`super::short`], inlined into a caller compiled for AVX2 (no call, no
        /// loop over long rows): whole groups of 16 bytes, then the last 16 bytes of the row again (overlapping
        /// the group before, the lanes already summed masked off); below 16 bytes two overlapping 8-byte loads
        /// (the same way), below 8 bytes a scalar loop. Reads only the `min(x.len(), y.len())` bytes of each.
        ///
        /// # Safety
        /// The CPU has AVX2.
        #[inline(always)]
        #[cfg(target_feature = "avx2")]
        pub(crate) unsafe fn short(x: &[u8], xs: bool, y: &[u8], ys: bool) -> i32 {
            let n = x.len().min(y.len());
            let (px, py) = (x.as_ptr(), y.as_ptr());
            let v = |b: u8, signed: bool| if signed { b as i8 as i32 } else { b as i32 };
            if n < 8 {
                let mut s = 0i32;
                for k in 0..n {
                    s += v(x[k], xs) * v(y[k], ys);
                }
                return s;
            }
            // SAFETY: every load below reads bytes inside `..n` of both slices; the CPU has AVX2 (caller).
            unsafe {
                let acc = if n < 16 {
                    // Bytes 0..8 and n-8..n; of the second load, lanes j with n - 8 + j < 8 were summed already.
                    let load = |p: *const u8| {
                        _mm_unpacklo_epi64(
                            _mm_loadl_epi64(p.cast()),
                            _mm_loadl_epi64(p.add(n - 8).cast()),
                        )
                    };
                    let keep = _mm256_set_m128i(
                        _mm_loadu_si128(KEEP.as_ptr().add(n).cast()),
                        _mm_set1_epi16(-1),
                    );
                    let wx = _mm256_and_si256(widen128(load(px), xs), keep);
                    _mm256_madd_epi16(wx, widen128(load(py), ys))
                } else {
                    let group = |i: usize| {
                        _mm256_madd_epi16(
                            widen128(_mm_loadu_si128(px.add(i).cast()), xs),
                            widen128(_mm_loadu_si128(py.add(i).cast()), ys),
                        )
                    };
                    let mut acc = group(0);
                    let mut i = 16;
                    while i + 16 <= n {
                        acc = _mm256_add_epi32(acc, group(i));
                        i += 16;
                    }
                    if i < n {
                        // Bytes n-16..n; lane j holds byte n - 16 + j, summed already when below i.
                        let keep = _mm256_loadu_si256(KEEP.as_ptr().add(n - i).cast());
                        let wx = _mm256_and_si256(
                            widen128(_mm_loadu_si128(px.add(n - 16).cast()), xs),
                            keep,
                        );
                        let wy = widen128(_mm_loadu_si128(py.add(n - 16).cast()), ys);
                        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(wx, wy));
                    }
                    acc
                };
                let s = _mm_add_epi32(
                    _mm256_castsi256_si128(acc),
                    _mm256_extracti128_si256::<1>(acc),
                );
                let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b01_00_11_10>(s));
                let s = _mm_add_epi32(s, _mm_shuffle_epi32::<0b10_11_00_01>(s));
                _mm_cvtsi128_si32(s)
            }
        }

        /// `Σ x[k]·y[k]` (wrapping) over the shorter length, each operand's bytes signed or not.
        #[target_feature(enable = "avx2")]
        pub(crate) unsafe fn dot(x: &[u8], xs: bool, y: &[u8], ys: bool) -> i32 {
            let n = x.len().min(y.len());
            let (px, py) = (x.as_ptr(), y.as_ptr());
            unsafe {
                let (mut a0, mut a1) = (_mm256_setzero_si256(), _mm256_setzero_si256());
                let mut i = 0;
                while i + 32 <= n {
                    let p0 = _mm256_madd_epi16(widen(px.add(i), xs), widen(py.add(i), ys));
                    let p1 =
                        _mm256_madd_epi16(widen(px.add(i + 16), xs), widen(py.add(i + 16), ys));
                    a0 = _mm256_add_epi32(a0, p0);
                    a1 = _mm256_add_epi32(a1, p1);
                    i += 32;
                }
                if i + 16 <= n {
                    a0 = _mm256_add_epi32(
                        a0,
                        _mm256_madd_epi16(widen(px.add(i), xs), widen(py.add(i), ys)),
                    );
                    i += 16;
                }
                let mut lanes = [0i32; 8];
                _mm256_storeu_si256(lanes.as_mut_ptr().cast(), _mm256_add_epi32(a0, a1));
                let mut s = lanes.iter().fold(0i32, |s, &v| s.wrapping_add(v));
                let v = |b: u8, signed: bool| if signed { b as i8 as i32 } else { b as i32 };
                for k in i..n {
                    s = s.wrapping_add(v(x[k], xs) * v(y[k], ys));
                }
                s
            }
        }
    }

    /// The AVX-VNNI kernels: the AVX-512 VNNI ones on 256-bit registers (`vpdpbusd`, VEX-encoded), without
    /// masked loads: 64 then 32 then 16 bytes at a time, the last bytes (fewer than 16) one by one.
    #[cfg(target_arch = "x86_64")]
    pub(crate) mod avx_vnni {
        use core::arch::x86_64::*;

        /// `Σ u[k]·s[k]` (wrapping), over the shorter length.
        #[target_feature(enable = "avx2,avxvnni")]
        pub(crate) unsafe fn dot_u8_i8(u: &[u8], s: &[i8]) -> i32 {
            let n = u.len().min(s.len());
            let (pu, ps) = (u.as_ptr(), s.as_ptr());
            // SAFETY: every load reads bytes below `n` of both slices (the loop bounds).
            unsafe {
                let ld = |p: *const u8| _mm256_loadu_si256(p.cast());
                let (mut a0, mut a1) = (_mm256_setzero_si256(), _mm256_setzero_si256());
                let mut i = 0;
                while i + 64 <= n {
                    a0 = _mm256_dpbusd_avx_epi32(a0, ld(pu.add(i)), ld(ps.add(i).cast()));
                    a1 = _mm256_dpbusd_avx_epi32(a1, ld(pu.add(i + 32)), ld(ps.add(i + 32).cast()));
                    i += 64;
                }
                if i + 32 <= n {
                    a0 = _mm256_dpbusd_avx_epi32(a0, ld(pu.add(i)), ld(ps.add(i).cast()));
                    i += 32;
                }
                let a = _mm256_add_epi32(a0, a1);
                let mut h =
                    _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256::<1>(a));
                if i + 16 <= n {
                    h = _mm_dpbusd_avx_epi32(
                        h,
                        _mm_loadu_si128(pu.add(i).cast()),
                        _mm_loadu_si128(ps.add(i).cast()),
                    );
                    i += 16;
                }
                let mut t = hsum(h);
                for k in i..n {
                    t = t.wrapping_add(u[k] as i32 * s[k] as i32);
                }
                t
            }
        }

        /// `Σ x[k]·s[k]` (wrapping) of two signed byte slices: `(x + 128)` is an unsigned byte, and
        /// `Σ (x + 128)·s − 128·Σ s` is the sum.
        #[target_feature(enable = "avx2,avxvnni")]
        pub(crate) unsafe fn dot_i8_i8(x: &[i8], s: &[i8]) -> i32 {
            let n = x.len().min(s.len());
            let (px, ps) = (x.as_ptr(), s.as_ptr());
            // SAFETY: every load reads bytes below `n` of both slices (the loop bounds).
            unsafe {
                let ld = |p: *const i8| _mm256_loadu_si256(p.cast());
                let bias = _mm256_set1_epi8(i8::MIN);
                let ones = _mm256_set1_epi8(1);
                let (mut a0, mut c0) = (_mm256_setzero_si256(), _mm256_setzero_si256());
                let (mut a1, mut c1) = (_mm256_setzero_si256(), _mm256_setzero_si256());
                let mut i = 0;
                while i + 64 <= n {
                    let (s0, s1) = (ld(ps.add(i)), ld(ps.add(i + 32)));
                    a0 = _mm256_dpbusd_avx_epi32(a0, _mm256_xor_si256(ld(px.add(i)), bias), s0);
                    a1 =
                        _mm256_dpbusd_avx_epi32(a1, _mm256_xor_si256(ld(px.add(i + 32)), bias), s1);
                    c0 = _mm256_dpbusd_avx_epi32(c0, ones, s0);
                    c1 = _mm256_dpbusd_avx_epi32(c1, ones, s1);
                    i += 64;
                }
                if i + 32 <= n {
                    let s0 = ld(ps.add(i));
                    a0 = _mm256_dpbusd_avx_epi32(a0, _mm256_xor_si256(ld(px.add(i)), bias), s0);
                    c0 = _mm256_dpbusd_avx_epi32(c0, ones, s0);
                    i += 32;
                }
                // Σ(x + 128)·s − 128·Σs, lane by lane (wrapping, as the whole sum).
                let a = _mm256_sub_epi32(
                    _mm256_add_epi32(a0, a1),
                    _mm256_slli_epi32::<7>(_mm256_add_epi32(c0, c1)),
                );
                let mut h =
                    _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256::<1>(a));
                if i + 16 <= n {
                    let s0 = _mm_loadu_si128(ps.add(i).cast());
                    let xb =
                        _mm_xor_si128(_mm_loadu_si128(px.add(i).cast()), _mm_set1_epi8(i8::MIN));
                    let c = _mm_dpbusd_avx_epi32(_mm_setzero_si128(), _mm_set1_epi8(1), s0);
                    h = _mm_sub_epi32(_mm_dpbusd_avx_epi32(h, xb, s0), _mm_slli_epi32::<7>(c));
                    i += 16;
                }
                let mut t = hsum(h);
                for k in i..n {
                    t = t.wrapping_add(x[k] as i32 * s[k] as i32);
                }
                t
            }
        }

        /// The wrapping sum of the four lanes of `h`.
        #[target_feature(enable = "avx2")]
        #[inline]
        pub(crate) fn hsum(h: __m128i) -> i32 {
            let h = _mm_add_epi32(h, _mm_shuffle_epi32::<0b01_00_11_10>(h));
            let h = _mm_add_epi32(h, _mm_shuffle_epi32::<0b10_11_00_01>(h));
            _mm_cvtsi128_si32(h)
        }
    }

    #[cfg(target_arch = "x86_64")]
    mod vnni {
        use core::arch::x86_64::*;

        /// `Σ u[k]·s[k]` (wrapping), over the shorter length.
        #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
        pub(super) unsafe fn dot_u8_i8(u: &[u8], s: &[i8]) -> i32 {
            let n = u.len().min(s.len());
            let (pu, ps) = (u.as_ptr() as *const i8, s.as_ptr());
            unsafe {
                let (mut a0, mut a1) = (_mm512_setzero_si512(), _mm512_setzero_si512());
                let mut i = 0;
                while i + 128 <= n {
                    a0 = _mm512_dpbusd_epi32(
                        a0,
                        _mm512_loadu_si512(pu.add(i).cast()),
                        _mm512_loadu_si512(ps.add(i).cast()),
                    );
                    a1 = _mm512_dpbusd_epi32(
                        a1,
                        _mm512_loadu_si512(pu.add(i + 64).cast()),
                        _mm512_loadu_si512(ps.add(i + 64).cast()),
                    );
                    i += 128;
                }
                if i + 64 <= n {
                    a0 = _mm512_dpbusd_epi32(
                        a0,
                        _mm512_loadu_si512(pu.add(i).cast()),
                        _mm512_loadu_si512(ps.add(i).cast()),
                    );
                    i += 64;
                }
                if i < n {
                    // The last n - i < 64 bytes; the masked-off bytes are not read.
                    let m: __mmask64 = (1u64 << (n - i)) - 1;
                    a1 = _mm512_dpbusd_epi32(
                        a1,
                        _mm512_maskz_loadu_epi8(m, pu.add(i)),
                        _mm512_maskz_loadu_epi8(m, ps.add(i)),
                    );
                }
                _mm512_reduce_add_epi32(_mm512_add_epi32(a0, a1))
            }
        }

        /// `Σ x[k]·s[k]` (wrapping) of two signed byte slices: `(x + 128)` is an unsigned byte, and
        /// `Σ (x + 128)·s − 128·Σ s` is the sum.
        #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
        pub(super) unsafe fn dot_i8_i8(x: &[i8], s: &[i8]) -> i32 {
            let n = x.len().min(s.len());
            let (px, ps) = (x.as_ptr(), s.as_ptr());
            unsafe {
                let bias = _mm512_set1_epi8(i8::MIN);
                let ones = _mm512_set1_epi8(1);
                let (mut a0, mut c0) = (_mm512_setzero_si512(), _mm512_setzero_si512());
                let mut i = 0;
                while i < n {
                    let m: __mmask64 = if n - i >= 64 {
                        !0
                    } else {
                        (1u64 << (n - i)) - 1
                    };
                    let xv = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, px.add(i)), bias);
                    let xv = _mm512_maskz_mov_epi8(m, xv); // masked-off lanes stay 0, not 128
                    let sv = _mm512_maskz_loadu_epi8(m, ps.add(i));
                    a0 = _mm512_dpbusd_epi32(a0, xv, sv);
                    c0 = _mm512_dpbusd_epi32(c0, ones, sv);
                    i += 64;
                }
                // One horizontal sum of Σ(x + 128)·s − 128·Σs, lane by lane (wrapping, as the whole sum).
                _mm512_reduce_add_epi32(_mm512_sub_epi32(a0, _mm512_slli_epi32::<7>(c0)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{E4m3, Fixed, UFixed};

    fn rng(seed: &mut u64) -> f32 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    fn check<A: Number, TA: Number, TB: Number>(scale: f32, n: usize, seed: u64) {
        let mut s = seed;
        let a: Vec<TA> = (0..n).map(|_| TA::from_f32(rng(&mut s) * scale)).collect();
        let b: Vec<f32> = (0..n).map(|_| TB::quantize(rng(&mut s) * scale)).collect();
        let acc = A::quantize(rng(&mut s) * scale);
        let want = reference::<A, TA, f32>(acc, &a, &b);
        let got = dot::<A, TA, TB, TA, f32>(acc, &a, &b);
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "{} · {} into {}, n {n}",
            TA::FORMAT,
            TB::FORMAT,
            A::FORMAT
        );
        // Both operands typed, and both as f32.
        let bt: Vec<TB> = b.iter().map(|&v| TB::from_f32(v)).collect();
        assert_eq!(
            dot::<A, TA, TB, TA, TB>(acc, &a, &bt).to_bits(),
            want.to_bits()
        );
        let af: Vec<f32> = a.iter().map(|v| v.to_f32()).collect();
        assert_eq!(
            dot::<A, TA, TB, f32, f32>(acc, &af, &b).to_bits(),
            want.to_bits()
        );
    }

    #[test]
    fn every_path_equals_the_reference() {
        for (n, seed) in [
            (0, 1),
            (1, 2),
            (5, 3),
            (25, 4),
            (63, 7),
            (64, 8),
            (65, 9),
            (127, 10),
            (128, 11),
            (150, 12),
            (400, 5),
            (5000, 6),
        ] {
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
                // Byte operands (the 8-bit kernels when the build has them): unsigned × signed, both orders,
                // and signed × signed over the whole i8 range.
                check::<f32, Fixed<4, 4>, UFixed<8, 4>>(scale, n, seed);
                check::<f32, UFixed<8, 4>, Fixed<4, 4>>(scale, n, seed);
                check::<f32, Fixed<8, 7>, Fixed<8, 7>>(scale, n, seed);
                check::<f32, UFixed<8, 0>, Fixed<8, 0>>(scale, n, seed);
                check::<f32, Fixed<8, 0>, Fixed<8, 0>>(scale, n, seed);
                // Block weights: raw integers on their 8-bit container grid.
                check::<f32, crate::Blocked<3, 2, 32>, UFixed<8, 4>>(scale, n, seed);
                check::<f32, crate::Blocked<1, 0, 7>, Fixed<8, 5>>(scale, n, seed);
                // Power-of-two weights (`float<E,0,B>`, a sparse fixed-point grid): as operands on the integer
                // path, as accumulators (sparse, so never on it) and as the accumulator of fixed operands.
                check::<f32, crate::Float<3, 0, 3>, UFixed<8, 4>>(scale, n, seed);
                check::<f32, crate::Float<1, 0, 5>, Fixed<8, 5>>(scale, n, seed);
                check::<f32, crate::Float<2, 0, -1>, Fixed<4, 2>>(scale, n, seed);
                check::<f32, crate::Float<4, 0, 9>, Fixed<8, 4>>(scale, n, seed);
                check::<Fixed<16, 9>, crate::Float<3, 0, 5>, Fixed<8, 4>>(scale, n, seed);
                check::<crate::Float<3, 0, 1>, crate::Float<3, 0, 3>, Fixed<4, 0>>(scale, n, seed);
                check::<crate::Float<4, 0, 6>, Fixed<2, 0>, Fixed<2, 0>>(scale, n, seed);
                check::<f32, crate::Float<5, 0, 15>, Fixed<8, 4>>(scale, n, seed);
                // Codebook weights: the index expanded to the table's integer (a sparse grid).
                check::<f32, crate::Codebook2<4, -20, -4, 5, 31>, UFixed<8, 4>>(scale, n, seed);
                check::<f32, crate::Codebook1<-3, -1, 1>, Fixed<8, 2>>(scale, n, seed);
                check::<
                    Fixed<16, 8>,
                    crate::Codebook3<5, -128, -20, -3, 0, 1, 9, 40, 127>,
                    Fixed<4, 2>,
                >(scale, n, seed);
                check::<crate::Codebook2<0, -2, -1, 1, 2>, Fixed<2, 0>, Fixed<2, 0>>(
                    scale, n, seed,
                );
            }
        }
    }

    #[test]
    fn power_of_two_weights_take_the_integer_path() {
        type P = crate::Float<3, 0, 3>;
        type X = UFixed<8, 4>;
        let lp = P::FIXED.unwrap();
        assert_eq!((lp.frac, lp.raw_min, lp.raw_max), (2, -64, 64));
        // Every code's raw integer is its value in units of 2^-2.
        for c in 0..16u32 {
            let v = P::from_code(c);
            assert_eq!(v.raw() as f32 * 0.25, v.to_f32(), "code {c}");
        }
        let w: Vec<P> = [0.25f32, -16.0, 2.0, 0.0, -0.5]
            .iter()
            .map(|&v| P::from_f32(v))
            .collect();
        let x: Vec<f32> = [1.5f32, 2.0, 0.0625, 3.0, 15.9375]
            .iter()
            .map(|&v| X::quantize(v))
            .collect();
        let r = integer::<f32, P, f32>(0.5, &w, &x, lp, X::FIXED.unwrap());
        assert_eq!(r, Some(0.5 + 0.375 - 32.0 + 0.125 + 0.0 - 7.96875));
        // A power-of-two accumulator is never on the integer path: 3 units are not one of its values.
        assert_eq!(acc_limit::<P>(2, 3), None);
        assert_eq!(acc_limit::<crate::Binary<0>>(0, 0), None);
        assert!(acc_limit::<Fixed<8, 2>>(2, 3).is_some());
        // Wider exponents have no fixed-point layout (2^30 units would not fit the kernels' bounds anyway).
        assert!(<crate::Float<5, 0, 15> as Number>::FIXED.is_none());
        assert_eq!(<crate::Float<5, 0, 15> as Number>::from_f32(4.0).raw(), 0);
    }

    #[test]
    fn sums_equal_the_reference() {
        fn check<A: Number, TX: Number>(scale: f32, n: usize, seed: u64) {
            let mut s = seed;
            let x: Vec<TX> = (0..n).map(|_| TX::from_f32(rng(&mut s) * scale)).collect();
            let xf: Vec<f32> = x.iter().map(|v| v.to_f32()).collect();
            for acc in [
                A::quantize(rng(&mut s) * scale),
                0.0,
                -0.0,
                0.1,
                f32::NAN,
                f32::INFINITY,
                1e30,
            ] {
                let mut want = acc;
                for v in &xf {
                    want = A::quantize(want + v);
                }
                assert_eq!(
                    sum::<A, TX, TX>(acc, &x).to_bits(),
                    want.to_bits(),
                    "{} into {}, n {n}, acc {acc}",
                    TX::FORMAT,
                    A::FORMAT
                );
                assert_eq!(
                    sum::<A, TX, f32>(acc, &xf).to_bits(),
                    want.to_bits(),
                    "{} (f32) into {}",
                    TX::FORMAT,
                    A::FORMAT
                );
            }
        }
        for (n, seed) in [(0, 1), (1, 2), (49, 3), (400, 4), (70000, 5)] {
            for scale in [0.01f32, 1.0, 300.0, 1e30] {
                check::<f32, UFixed<8, 3>>(scale, n, seed);
                check::<f32, Fixed<8, 5>>(scale, n, seed);
                check::<f32, Fixed<16, 12>>(scale, n, seed);
                check::<Fixed<16, 3>, UFixed<8, 3>>(scale, n, seed);
                check::<Fixed<10, 3>, UFixed<8, 3>>(scale, n, seed);
                check::<E4m3, UFixed<8, 3>>(scale, n, seed);
                check::<f32, E4m3>(scale, n, seed);
                check::<f32, f32>(scale, n, seed);
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
        let (w, x) = (
            vec![W::from_f32(-1.0); 20000],
            vec![X::quantize(7.9); 20000],
        );
        assert!(integer::<f32, W, f32>(0.5, &w, &x, lw, lx).is_none());
        // acc off the grid of the products (2^-7).
        assert!(integer::<f32, W, f32>(1.0 / 1024.0, &w[..4], &x[..4], lw, lx).is_none());
        // A fixed accumulator too coarse or too narrow.
        assert!(integer::<Fixed<16, 6>, W, f32>(0.5, &w[..4], &x[..4], lw, lx).is_none());
        assert!(integer::<Fixed<8, 7>, W, f32>(0.5, &w[..4], &x[..4], lw, lx).is_none());
        assert!(integer::<Fixed<16, 7>, W, f32>(0.5, &w[..4], &x[..4], lw, lx).is_some());
        // One-bit weights are raw ±1.
        type B = crate::Binary<3>;
        let wb: Vec<B> = (0..400)
            .map(|i| B::from_f32(if i % 3 == 0 { -1.0 } else { 1.0 }))
            .collect();
        let r = integer::<f32, B, f32>(0.5, &wb, &x, B::FIXED.unwrap(), lx);
        assert_eq!(r, Some(reference::<f32, B, f32>(0.5, &wb, &x)));
    }

    #[test]
    fn long_slices_take_the_integer_path_when_their_data_allow() {
        // 8-bit weights against 8-bit unsigned inputs: the format bound n·128·255 passes 2^24 units from 514
        // terms on, so longer rows need the bound from the data, Σ|w|·255 (or 128·Σ|x|).
        type W = Fixed<8, 7>;
        type X = UFixed<8, 8>;
        let (lw, lx) = (W::FIXED.unwrap(), X::FIXED.unwrap());
        let raw_w = |r: i32| W::from_f32(r as f32 / 128.0);
        let mut seed = 5;
        for n in [600usize, 784, 9216] {
            let w: Vec<W> = (0..n).map(|_| W::from_f32(rng(&mut seed) / 16.0)).collect(); // |raw| ≤ 8
            let x: Vec<X> = (0..n).map(|_| X::from_f32(rng(&mut seed).abs())).collect();
            let want = reference::<f32, W, X>(0.25, &w, &x).to_bits();
            assert_eq!(
                integer::<f32, W, X>(0.25, &w, &x, lw, lx).map(f32::to_bits),
                Some(want),
                "n {n}"
            );
            assert_eq!(
                integer::<f32, X, W>(0.25, &x, &w, lx, lw).map(f32::to_bits),
                Some(want),
                "n {n}, swapped"
            );
        }
        // At the edge: Σ|w| = 65793 and every x = 255 units give 65793·255 = 2^24 − 1 units of room for the
        // products, and `acc` = 0 fits; one more unit of weight does not (nor does the bound via x).
        let mut w: Vec<W> = (0..1000)
            .map(|i| raw_w(if i < 513 { -128 } else { 0 }))
            .collect();
        w[600] = raw_w(127);
        w[601] = raw_w(2);
        let x = vec![X::from_f32(255.0 / 256.0); 1000];
        assert_eq!(w.iter().map(|v| v.raw().abs() as i64).sum::<i64>(), 65793);
        let want = reference::<f32, W, X>(0.0, &w, &x);
        assert_eq!(integer::<f32, W, X>(0.0, &w, &x, lw, lx), Some(want));
        w[602] = raw_w(1);
        assert_eq!(integer::<f32, W, X>(0.0, &w, &x, lw, lx), None);
        assert_eq!(
            dot::<f32, W, X, W, X>(0.0, &w, &x).to_bits(),
            reference::<f32, W, X>(0.0, &w, &x).to_bits()
        );
    }

    #[test]
    fn byte_kernels_equal_the_portable_sums() {
        let mut seed = 3u64;
        let mut byte = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 56) as u8
        };
        for n in (0..300).chain([1000, 4099]) {
            let u: Vec<u8> = (0..n).map(|_| byte()).collect();
            let s: Vec<i8> = (0..n).map(|_| byte() as i8).collect();
            let t: Vec<i8> = (0..n).map(|_| byte() as i8).collect();
            let us: i32 = u.iter().zip(&s).map(|(&a, &b)| a as i32 * b as i32).sum();
            let st: i32 = s.iter().zip(&t).map(|(&a, &b)| a as i32 * b as i32).sum();
            let uu: i32 = u.iter().map(|&a| a as i32 * a as i32).sum();
            // The AVX2 kernel itself, where the CPU has AVX2 (whatever the kernels selected now).
            #[cfg(all(target_arch = "x86_64", feature = "std"))]
            if std::is_x86_feature_detected!("avx2") {
                let b = |v: &[i8]| v.iter().map(|&x| x as u8).collect::<Vec<u8>>();
                let (sb, tb) = (b(&s), b(&t));
                for (x, xs, y, ys, want) in [
                    (&u, false, &sb, true, us),
                    (&sb, true, &u, false, us),
                    (&sb, true, &tb, true, st),
                    (&u, false, &u, false, uu),
                ] {
                    // SAFETY: the CPU has AVX2.
                    assert_eq!(unsafe { bytes::avx2::dot(x, xs, y, ys) }, want, "n {n}");
                }
            }
            // The AVX-VNNI kernels themselves, where the CPU has them.
            #[cfg(all(target_arch = "x86_64", feature = "std"))]
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("avxvnni") {
                // SAFETY: the CPU has AVX2 and AVX-VNNI.
                unsafe {
                    assert_eq!(bytes::avx_vnni::dot_u8_i8(&u, &s), us, "n {n}");
                    assert_eq!(bytes::avx_vnni::dot_i8_i8(&s, &t), st, "n {n}");
                }
            }
            for k in cpu::every_available() {
                cpu::limit(Some(k));
                for (got, want, uu_case) in [
                    (bytes::dot(Raw::U8(&u), Raw::I8(&s)), us, false),
                    (bytes::dot(Raw::I8(&s), Raw::U8(&u)), us, false),
                    (bytes::dot(Raw::I8(&s), Raw::I8(&t)), st, false),
                    // Unsigned × unsigned: not on AVX-512 VNNI (which multiplies unsigned by signed bytes).
                    (bytes::dot(Raw::U8(&u), Raw::U8(&u)), uu, true),
                ] {
                    let declines =
                        k == cpu::Kernels::Portable || (uu_case && k == cpu::Kernels::Avx512Vnni);
                    assert_eq!(got.is_none(), declines, "n {n}, {k:?}");
                    if let Some(got) = got {
                        assert_eq!(got, want, "n {n}, {k:?}");
                    }
                }
            }
            cpu::limit(None);
        }
    }

    /// The inlined kernel of short byte rows against the portable sums, every length it takes (and beyond), every
    /// signedness, extreme bytes included, at every offset into the slices.
    #[test]
    fn the_short_byte_kernel_equals_the_portable_sums() {
        let mut seed = 17u64;
        let mut byte = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            match (seed >> 60) & 3 {
                0 => 0x80,
                1 => 0x7f,
                2 => 0xff,
                _ => (seed >> 48) as u8,
            }
        };
        let u: Vec<u8> = (0..200).map(|_| byte()).collect();
        let t: Vec<u8> = (0..200).map(|_| byte()).collect();
        let v = |b: u8, signed: bool| if signed { b as i8 as i32 } else { b as i32 };
        for n in 0..=80 {
            for off in [0usize, 1, 7, 33] {
                let (x, y) = (&u[off..off + n], &t[off + 5..off + 5 + n]);
                for (xs, ys) in [(false, true), (true, false), (true, true), (false, false)] {
                    let want: i32 = x.iter().zip(y).map(|(&a, &b)| v(a, xs) * v(b, ys)).sum();
                    fn raw(s: &[u8], signed: bool) -> Raw<'_> {
                        if signed {
                            // SAFETY: i8 and u8 have the same layout.
                            Raw::I8(unsafe {
                                core::slice::from_raw_parts(s.as_ptr().cast(), s.len())
                            })
                        } else {
                            Raw::U8(s)
                        }
                    }
                    if let Some(got) = bytes::short(raw(x, xs), raw(y, ys)) {
                        assert_eq!(got, want, "n {n}, off {off}, signed {xs} {ys}");
                    }
                }
            }
        }
    }

    /// The portable loops always, and every set of the CPU's kernels it has, give the reference's bits.
    #[test]
    fn the_portable_loops_and_the_cpu_kernels_give_the_same_bits() {
        for k in cpu::every_available() {
            cpu::limit(Some(k));
            for n in [1usize, 15, 16, 31, 32, 33, 37, 64, 150, 400] {
                for scale in [0.01f32, 1.0, 100.0] {
                    check::<f32, Fixed<4, 4>, UFixed<8, 4>>(scale, n, 11);
                    check::<f32, UFixed<8, 4>, Fixed<4, 4>>(scale, n, 12);
                    check::<f32, Fixed<8, 7>, Fixed<8, 7>>(scale, n, 13);
                    check::<f32, UFixed<8, 0>, UFixed<8, 4>>(scale, n, 15);
                    check::<Fixed<16, 7>, Fixed<4, 3>, Fixed<4, 4>>(scale, n, 14);
                }
            }
        }
        cpu::limit(None);
    }

    #[test]
    fn every_accumulator_start_equals_the_reference() {
        // Starting values around the edges of the per-call check: off and on the grid of the products (2^-8),
        // subnormal, near the 2^24-unit bound, huge, infinite, NaN, both zeros.
        type W = Fixed<4, 4>;
        type X = UFixed<8, 4>;
        let mut seed = 9;
        for n in [1usize, 37, 64, 150, 400, 8000] {
            let w: Vec<W> = (0..n).map(|_| W::from_f32(rng(&mut seed))).collect();
            let x: Vec<X> = (0..n)
                .map(|_| X::from_f32(rng(&mut seed).abs() * 16.0))
                .collect();
            let xf: Vec<f32> = x.iter().map(|v| v.to_f32()).collect();
            let u = 1.0f32 / 256.0;
            let edge = (1 << 24) as f32 * u;
            let room = edge - (n as f32 * 8.0 * 255.0) * u;
            for acc in [
                0.0f32,
                -0.0,
                u,
                -u,
                u / 2.0,
                3.0 * u,
                1e-45,
                -1e-40,
                f32::MIN_POSITIVE,
                room,
                room - u,
                -room,
                -(room - u),
                edge,
                edge - u,
                1e6,
                1e30,
                f32::MAX,
                f32::INFINITY,
                f32::NEG_INFINITY,
                f32::NAN,
                0.1,
                1.5,
                -7.25,
            ] {
                let want = reference::<f32, W, X>(acc, &w, &x);
                assert_eq!(
                    dot::<f32, W, X, W, X>(acc, &w, &x).to_bits(),
                    want.to_bits(),
                    "acc {acc:e}, n {n}"
                );
                assert_eq!(
                    dot::<f32, W, X, W, f32>(acc, &w, &xf).to_bits(),
                    want.to_bits(),
                    "acc {acc:e}, n {n}"
                );
                let want = reference::<Fixed<24, 8>, W, X>(acc, &w, &x);
                assert_eq!(
                    dot::<Fixed<24, 8>, W, X, W, X>(acc, &w, &x).to_bits(),
                    want.to_bits(),
                    "acc {acc:e}"
                );
            }
        }
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
        assert_eq!(
            dot::<f32, Fixed<4, 3>, Fixed<8, 4>, _, _>(-0.0, &a, &b).to_bits(),
            want.to_bits()
        );
    }
}
