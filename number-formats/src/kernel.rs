//! Exact rounding kernels shared by [`Format`](crate::Format) and the static number types, so that both are
//! bit-identical by construction. Everything here is branch-free arithmetic on `f64` (in which every `f32`
//! scaled by a power of two in the supported range is exact) plus bit manipulation; all parameters fold to
//! constants in the static types.

/// `1.5 · 2^52`: adding and subtracting it rounds an `f64` of magnitude `<= 2^51` to an integer, ties to even,
/// in the default rounding mode (which Rust never changes).
pub(crate) const MAGIC: f64 = 6_755_399_441_055_744.0;
pub(crate) const SIGN64: u64 = 1 << 63;

/// `2^k` for `k` in `-1022..=1023`.
#[inline(always)]
pub(crate) const fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// `2^k` as an `f32`, for `k` in `-126..=127` (built from the exponent bits).
#[inline(always)]
pub(crate) const fn pow2_f32(k: i32) -> f32 {
    f32::from_bits(((k + 127) as u32) << 23)
}

/// Whether `binary<F>` takes `x` to its negative value: the sign bit of `x`, except for NaN (→ positive).
#[inline(always)]
pub(crate) fn binary_negative(x: f32) -> bool {
    x.is_sign_negative() && !x.is_nan()
}

/// Round to an integer, ties to even; `|y| <= 2^51`. `-0.0` and values rounding to zero give `+0.0`.
#[inline(always)]
pub(crate) fn rne(y: f64) -> f64 {
    (y + MAGIC) - MAGIC
}

/// `floor(y)` for `|y| < 2^62`.
#[inline(always)]
pub(crate) fn floor_small(y: f64) -> f64 {
    let t = (y as i64) as f64; // toward zero
    if t > y { t - 1.0 } else { t }
}

/// `NaN → 0`, everything else unchanged (compiles to a compare and a mask).
#[inline(always)]
pub(crate) fn nan_to_zero(x: f32) -> f32 {
    if x.is_nan() { 0.0 } else { x }
}

/// The raw integer (as an exact integer-valued `f64`) of the fixed-point value nearest `x·2^F` (`scale = 2^F`),
/// ties to even, clamped to `[lo, hi]`; NaN → 0. `lo`, `hi` are integers with `|lo|, |hi| <= 2^32`.
#[inline(always)]
pub(crate) fn fixed_raw(x: f32, scale: f64, lo: f64, hi: f64) -> f64 {
    let y = nan_to_zero(x) as f64 * scale;
    let y = if y < lo { lo } else { y };
    let y = if y > hi { hi } else { y };
    rne(y)
}

/// `1.5 · 2^23`: the `f32` counterpart of [`MAGIC`], for magnitudes `<= 2^22`.
pub(crate) const MAGIC32: f32 = 12_582_912.0;

/// Fixed formats of at most this many bits use the all-`f32` kernel [`fixed_raw32`] (4 lanes per SSE register
/// instead of 2); the result is the same exact value.
pub(crate) const NARROW_FIXED: u32 = 22;

/// [`fixed_raw`] computed in `f32`, for `|lo|, |hi| <= 2^22` and `scale = 2^F` with `|F| <= 64`. Exact:
/// `x·2^F` is exact in `f32` unless it overflows (then it saturates) or drops below `2^-126` (then it rounds to
/// 0 either way), and the magic-number rounding is exact below `2^22`.
#[inline(always)]
pub(crate) fn fixed_raw32(x: f32, scale: f32, lo: f32, hi: f32) -> f32 {
    let y = nan_to_zero(x) * scale;
    let y = if y < lo { lo } else { y };
    let y = if y > hi { hi } else { y };
    (y + MAGIC32) - MAGIC32
}

/// [`fixed_raw`] for an `f64` input (the exact result of an operation). NaN → 0.
#[inline(always)]
pub(crate) fn fixed_raw_f64(x: f64, scale: f64, lo: f64, hi: f64) -> f64 {
    let x = if x.is_nan() { 0.0 } else { x };
    let y = x * scale;
    let y = if y < lo { lo } else { y };
    let y = if y > hi { hi } else { y };
    rne(y)
}

/// Layout of a float format: `m` mantissa bits, `emin = 1 - bias` (exponent of the smallest normal), largest
/// finite magnitude `max`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FloatParams {
    pub m: u32,
    pub emin: i32,
    /// Exponent of the largest binade (`max = (2 - 2^-m)·2^emax` or less).
    pub emax: i32,
    pub max: f64,
}

impl FloatParams {
    /// All-finite `float<e,m,bias>`: the top exponent code holds ordinary numbers.
    #[inline(always)]
    pub const fn all_finite(e: u32, m: u32, bias: i32) -> Self {
        let emax = (1i32 << e) - 1 - bias;
        Self {
            m,
            emin: 1 - bias,
            emax,
            max: max_value(emax, m),
        }
    }
    /// IEEE-style layout: the top exponent code is inf/NaN.
    #[inline(always)]
    pub const fn ieee(e: u32, m: u32, bias: i32) -> Self {
        let emax = (1i32 << e) - 2 - bias;
        Self {
            m,
            emin: 1 - bias,
            emax,
            max: max_value(emax, m),
        }
    }
    pub const E4M3: Self = Self {
        m: 3,
        emin: -6,
        emax: 8,
        max: 448.0,
    };
    pub const E5M2: Self = Self::ieee(5, 2, 15);
    pub const F16: Self = Self::ieee(5, 10, 15);
    pub const BF16: Self = Self::ieee(8, 7, 127);
    #[inline(always)]
    pub const fn bias(&self) -> i32 {
        1 - self.emin
    }
    /// Whether [`float_rne32`] applies: the rounding constant `2^(e-m+23)` stays a finite `f32` for every
    /// exponent up to `emax + 1`, `m <= 22`, and the smallest normal `2^emin` is an `f32` normal (so that the
    /// exponent field of an `f32` subnormal input, which understates its exponent, is clamped to `emin`).
    #[inline(always)]
    pub const fn fits_f32(&self) -> bool {
        self.m <= 22 && self.emax <= 103 + self.m as i32 && self.emin >= -126
    }
}

/// `(2 - 2^-m)·2^emax`.
const fn max_value(emax: i32, m: u32) -> f64 {
    let mant = ((1u64 << m) - 1) << (52 - m);
    f64::from_bits((((emax + 1023) as u64) << 52) | mant)
}

/// The nearest value of the float layout to `x` (ties to even), saturated to `±max`, sign kept (so `-0.0` and
/// negative values that round to zero give `-0.0`). `x` must not be NaN; `±inf` saturates.
#[inline(always)]
pub(crate) fn float_rne(x: f64, p: FloatParams) -> f64 {
    let bits = x.to_bits();
    let sign = bits & SIGN64;
    let a = f64::from_bits(bits ^ sign);
    let e = ((bits >> 52) & 0x7ff) as i32 - 1023;
    let e = if e < p.emin { p.emin } else { e };
    // Anything above 2^200 saturates; capping keeps the constant below finite.
    let e = if e > 200 { 200 } else { e };
    // The quantum at x is q = 2^(e-m); numbers in [c, 2c) with c = 2^52·q are spaced exactly q apart and
    // a < 2^(e+1) <= c, so a + c rounds a to a multiple of q, ties to even (the parity of (a+c)/q is that of a/q).
    let c = pow2(e - p.m as i32 + 52);
    let r = (a + c) - c;
    let r = if r > p.max { p.max } else { r };
    f64::from_bits(r.to_bits() | sign)
}

/// [`float_rne`] computed in `f32` (and 32-bit integers, so it vectorizes with SSE2) for layouts with
/// [`FloatParams::fits_f32`]. Same result: with `e` the exponent of `|x|` clamped to `[emin, emax + 1]`,
/// numbers in `[c, 2c)`, `c = 2^(e-m+23)`, are spaced `2^(e-m)` apart and `|x| < 2^(e+1) <= c`, so `|x| + c`
/// rounds `|x|` to the grid, ties to even; beyond the range the result exceeds `max` (or is infinite) and
/// saturates. `x` must not be NaN.
#[inline(always)]
pub(crate) fn float_rne32(x: f32, p: FloatParams) -> f32 {
    let max = p.max as f32;
    let bits = x.to_bits();
    let sign = bits & 0x8000_0000;
    let a = f32::from_bits(bits ^ sign);
    let e = ((bits >> 23) & 0xff) as i32 - 127;
    let e = if e < p.emin { p.emin } else { e };
    let e = if e > p.emax + 1 { p.emax + 1 } else { e };
    let c = f32::from_bits(((e - p.m as i32 + 23 + 127) as u32) << 23);
    let r = (a + c) - c;
    let r = if r > max { max } else { r };
    f32::from_bits(r.to_bits() | sign)
}

/// bfloat16 rounding of a non-NaN `f32` on its bits (nearest, ties to even; subnormals included since they
/// share the `f32` grid), saturated to the largest finite bf16 value of the sign.
#[inline(always)]
pub(crate) fn bf16_rne(x: f32) -> f32 {
    let b = x.to_bits();
    let sign = b & 0x8000_0000;
    let a = b ^ sign;
    let r = (a + 0x7fff + ((a >> 16) & 1)) & 0xffff_0000;
    let r = if r > 0x7f7f_0000 { 0x7f7f_0000 } else { r };
    f32::from_bits(r | sign)
}

/// Nearest value of a float layout to a non-NaN `f32`: the fastest exact kernel that applies.
#[inline(always)]
pub(crate) fn float_quantize(x: f32, p: FloatParams) -> f32 {
    if p.fits_f32() {
        float_rne32(x, p)
    } else {
        float_rne(x as f64, p) as f32
    }
}

/// How to round onto the grid in [`float_round_with`] and [`fixed_round_with`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mode {
    Nearest,
    TowardZero,
    /// Round the magnitude up with probability equal to its fractional position between the two neighbours;
    /// `u` is uniform in `[0, 1)` (a multiple of `2^-53`).
    Stochastic(f64),
}

/// [`float_rne`] with a rounding mode. Saturates to `±max` in every mode.
#[inline]
pub(crate) fn float_round_with(x: f64, p: FloatParams, mode: Mode) -> f64 {
    let u = match mode {
        Mode::Nearest => return float_rne(x, p),
        Mode::TowardZero => 1.0,
        Mode::Stochastic(u) => u,
    };
    let bits = x.to_bits();
    let sign = bits & SIGN64;
    let a = f64::from_bits(bits ^ sign);
    let a = if a > p.max { p.max } else { a };
    let e = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let e = if e < p.emin { p.emin } else { e };
    let q = pow2(e - p.m as i32);
    let t = a / q; // exact: q is a power of two and t < 2^(m+1)
    let fl = floor_small(t);
    let up = if t - fl > u { 1.0 } else { 0.0 };
    let r = (fl + up) * q;
    let r = if r > p.max { p.max } else { r };
    f64::from_bits(r.to_bits() | sign)
}

/// The raw value of `x` in a fixed format with a rounding mode, unclamped but exact (an integer-valued `f64`).
/// `x` must be finite.
#[inline]
pub(crate) fn fixed_round_unclamped(y: f64, mode: Mode) -> f64 {
    // |y| >= 2^52 is an integer already.
    if y.abs() >= 4_503_599_627_370_496.0 {
        return y;
    }
    match mode {
        Mode::Nearest => rne(y),
        Mode::TowardZero => (y as i64) as f64,
        Mode::Stochastic(u) => {
            let fl = floor_small(y);
            fl + if y - fl > u { 1.0 } else { 0.0 }
        }
    }
}

/// Saturating fixed rounding with a mode: `y = x·2^F` (finite or infinite, not NaN).
#[inline]
pub(crate) fn fixed_round_with(y: f64, lo: f64, hi: f64, mode: Mode) -> f64 {
    let y = if y < lo { lo } else { y };
    let y = if y > hi { hi } else { y };
    fixed_round_unclamped(y, mode)
}

/// `r mod 2^w` of an integer-valued finite `f64`, as the low `w` bits (`w <= 32`).
#[inline]
pub(crate) fn wrap_low_bits(r: f64, w: u32) -> u64 {
    let bits = r.to_bits();
    let a = f64::from_bits(bits & !SIGN64);
    let mag: u64 = if a < 9_223_372_036_854_775_808.0 {
        a as u64
    } else {
        // a = mant · 2^k with k >= 11; the low 64 bits of the integer.
        let k = ((bits >> 52) & 0x7ff) as i32 - 1075;
        let mant = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
        if k >= 64 { 0 } else { mant << k }
    };
    let v = if bits & SIGN64 != 0 {
        mag.wrapping_neg()
    } else {
        mag
    };
    v & mask64(w)
}

/// `2^w - 1`.
#[inline(always)]
pub(crate) const fn mask64(w: u32) -> u64 {
    if w >= 64 { u64::MAX } else { (1u64 << w) - 1 }
}

/// The code (`sign | exponent | mantissa`, sign at bit `e + m`) of a value `v` of the float layout (already
/// rounded: `v` is exactly representable and not NaN).
#[inline(always)]
pub(crate) fn float_encode(v: f64, e: u32, p: FloatParams) -> u32 {
    let bits = v.to_bits();
    let sign = (bits >> 63) as u32;
    let a = f64::from_bits(bits & !SIGN64);
    let sub = (a * pow2(p.m as i32 - p.emin)) as u32;
    let norm = ((a.to_bits() >> (52 - p.m)).wrapping_sub(((1023 - p.bias()) as u64) << p.m)) as u32;
    let mag = if a < pow2(p.emin) { sub } else { norm };
    (sign << (e + p.m)) | mag
}

/// Which codes of a float layout are special.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Special {
    /// Every code is a finite number (`float<E,M,B>`).
    None,
    /// OCP E4M3: only `S.1111.111` is NaN; no infinities.
    Ocp,
    /// IEEE: the top exponent code is infinity (mantissa 0) or NaN.
    Ieee,
}

/// The value of a code of a float layout (bits above `1 + e + m` are ignored).
#[inline(always)]
pub(crate) fn float_decode(code: u32, e: u32, p: FloatParams, special: Special) -> f32 {
    let m = p.m;
    let sign = ((code >> (e + m)) & 1) as u64;
    let expf = (code >> m) & ((1u32 << e) - 1);
    let mant = (code & ((1u32 << m) - 1)) as u64;
    let top = (1u32 << e) - 1;
    match special {
        Special::Ocp if expf == top && mant == (1u64 << m) - 1 => return f32::NAN,
        Special::Ieee if expf == top => {
            let inf = if mant == 0 { f32::INFINITY } else { f32::NAN };
            return if sign == 1 { -inf } else { inf };
        }
        _ => {}
    }
    // Subnormals: (1.mant · 2^emin) - 2^emin = mant · 2^(emin - m), exact.
    let ef = if expf == 0 { 1 } else { expf as i32 };
    let v = f64::from_bits((((ef - p.bias() + 1023) as u64) << 52) | (mant << (52 - m)));
    let v = if expf == 0 { v - pow2(p.emin) } else { v };
    f64::from_bits(v.to_bits() | (sign << 63)) as f32
}

/// splitmix64: the stochastic-rounding draw for a seed and counter.
#[inline]
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
pub(crate) fn unit(z: u64) -> f64 {
    (z >> 11) as f64 * pow2(-53)
}

/// `round(p · 2^-s)` ties to even, saturated to `[lo, hi]`, for any `i128` `p` with `|p| < 2^126` and any `s`.
#[inline(always)]
pub(crate) fn shr_rne_sat(p: i128, s: i32, lo: i64, hi: i64) -> i64 {
    let r: i128 = if s <= 0 {
        let k = (-s) as u32;
        if p == 0 {
            0
        } else if k >= 64 || p.unsigned_abs() >= (1u128 << (126 - k)) {
            // Certainly out of the i64 range: saturate by sign.
            if p > 0 { i128::MAX } else { i128::MIN }
        } else {
            p << k
        }
    } else if s >= 127 {
        0 // |p · 2^-s| < 2^-1: rounds to 0
    } else {
        let s = s as u32;
        let half = 1i128 << (s - 1);
        (p + (half - 1) + ((p >> s) & 1)) >> s
    };
    if r < lo as i128 {
        lo
    } else if r > hi as i128 {
        hi
    } else {
        r as i64
    }
}

/// [`shr_rne_sat`] for `|p| <= 2^62` and `1 <= s <= 62`, in `i64`.
#[inline(always)]
pub(crate) fn shr_rne_sat_small(p: i64, s: u32, lo: i64, hi: i64) -> i64 {
    let half = 1i64 << (s - 1);
    let r = (p + (half - 1) + ((p >> s) & 1)) >> s;
    r.clamp(lo, hi)
}

/// `round(n / d)` ties to even, saturated to `[lo, hi]`; `d == 0` saturates by the sign of `n` (0/0 → 0).
#[inline]
pub(crate) fn div_rne_sat(n: i128, d: i128, lo: i64, hi: i64) -> i64 {
    if d == 0 {
        return if n > 0 {
            hi
        } else if n < 0 {
            lo
        } else {
            0
        };
    }
    let (n, d) = if d < 0 { (-n, -d) } else { (n, d) };
    let q = n.div_euclid(d); // floor, since d > 0
    let r = n.rem_euclid(d); // 0 <= r < d
    let q = match (2 * r).cmp(&d) {
        core::cmp::Ordering::Less => q,
        core::cmp::Ordering::Greater => q + 1,
        core::cmp::Ordering::Equal => q + (q & 1),
    };
    if q < lo as i128 {
        lo
    } else if q > hi as i128 {
        hi
    } else {
        q as i64
    }
}

/// `ceil(log2 r)` for finite `r > 0` (exact), 0 otherwise: the integer bits needed to hold `r`.
pub(crate) fn int_bits(r: f32) -> i32 {
    if !(r.is_finite() && r > 0.0) {
        return 0;
    }
    let bits = r.to_bits();
    let exp = (bits >> 23) as i32;
    let mant = bits & 0x7f_ffff;
    let (floor, pow2) = if exp == 0 {
        let lead = 31 - mant.leading_zeros() as i32; // bit index of the leading one
        (-149 + lead, mant == 1 << lead)
    } else {
        (exp - 127, mant == 0)
    };
    if pow2 { floor } else { floor + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rne_ties_to_even() {
        for (y, r) in [
            (0.5, 0.0),
            (1.5, 2.0),
            (2.5, 2.0),
            (-0.5, 0.0),
            (-1.5, -2.0),
            (-2.5, -2.0),
            (2.4999, 2.0),
        ] {
            assert_eq!(rne(y), r, "{y}");
        }
        assert_eq!(rne(-0.0).to_bits(), 0);
        assert_eq!(rne(-0.25).to_bits(), 0);
    }

    #[test]
    fn shifts_round_half_even() {
        // 3·2^-1 = 1.5 → 2; 5·2^-1 = 2.5 → 2; -3·2^-1 → -2; 7·2^-2 = 1.75 → 2
        assert_eq!(shr_rne_sat(3, 1, -100, 100), 2);
        assert_eq!(shr_rne_sat(5, 1, -100, 100), 2);
        assert_eq!(shr_rne_sat(-3, 1, -100, 100), -2);
        assert_eq!(shr_rne_sat(-5, 1, -100, 100), -2);
        assert_eq!(shr_rne_sat(7, 2, -100, 100), 2);
        assert_eq!(shr_rne_sat(3, -2, -100, 100), 12);
        assert_eq!(shr_rne_sat(3, -70, -100, 100), 100);
        assert_eq!(shr_rne_sat(-3, -70, -100, 100), -100);
        assert_eq!(shr_rne_sat(1 << 100, 200, -100, 100), 0);
        for p in -40i64..40 {
            for s in 1..5u32 {
                assert_eq!(
                    shr_rne_sat_small(p, s, -100, 100),
                    shr_rne_sat(p as i128, s as i32, -100, 100)
                );
                let exact = p as f64 / (1u64 << s) as f64;
                assert_eq!(shr_rne_sat_small(p, s, -100, 100) as f64, rne(exact));
            }
        }
    }

    #[test]
    fn division_rounds_half_even() {
        assert_eq!(div_rne_sat(5, 2, -9, 9), 2);
        assert_eq!(div_rne_sat(7, 2, -9, 9), 4);
        assert_eq!(div_rne_sat(-5, 2, -9, 9), -2);
        assert_eq!(div_rne_sat(5, -2, -9, 9), -2);
        assert_eq!(div_rne_sat(-7, -2, -9, 9), 4);
        assert_eq!(div_rne_sat(1, 3, -9, 9), 0);
        assert_eq!(div_rne_sat(2, 3, -9, 9), 1);
        assert_eq!(div_rne_sat(100, 3, -9, 9), 9);
        assert_eq!(div_rne_sat(1, 0, -9, 9), 9);
        assert_eq!(div_rne_sat(-1, 0, -9, 9), -9);
        assert_eq!(div_rne_sat(0, 0, -9, 9), 0);
    }

    #[test]
    fn wrap_low_bits_of_large_integers() {
        assert_eq!(wrap_low_bits(5.0, 2), 1);
        assert_eq!(wrap_low_bits(-1.0, 4), 15);
        assert_eq!(
            wrap_low_bits(2f64.powi(70) + 2f64.powi(20) * 3.0, 32),
            3 << 20
        );
        assert_eq!(wrap_low_bits(-(2f64.powi(70)), 32), 0);
        assert_eq!(
            wrap_low_bits(-(2f64.powi(63) + 2048.0), 16),
            (2048u64).wrapping_neg() & 0xffff
        );
    }
}
