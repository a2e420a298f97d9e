//! The one-bit static type [`Binary<F>`]: the sign of a value times a power of two.
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::Neg;

use crate::number::FixedInfo;
use crate::{Format, Number};

/// `binary<F>`: one bit per value, `+2^-F` (code 0) or `-2^-F` (code 1), with `F` in `-64..=64` (checked at
/// compile time). No zero: [`from_f32`](Number::from_f32) keeps the sign bit of `x` (`-0.0`, negative values
/// and `-inf` give `-2^-F`; `+0.0`, positive values, `+inf` and NaN give `+2^-F`), the nearest value for every
/// non-zero `x`. These are the binarised weights of BinaryConnect / XNOR-Net with a power-of-two scale; the
/// tuner offers them as the one-bit rung of the fixed-point ladder of signed weight sites, placing `F` where
/// the mean squared error of the site's profiled values is smallest (near `log2 mean|w|`).
///
/// As an integer it is `raw · 2^-F` with `raw ∈ {-1, +1}` ([`Number::FIXED`]), so the integer inner-product
/// kernels ([`dot`](crate::dot::dot)) take it like a fixed-point value. Stored as that raw integer in an `i8`, so
/// slices feed the byte kernels directly; the code (bit 0: 1 = negative) is what packed storage
/// keeps one bit per value. Equality and order are those of the value; the default
/// is `+2^-F` (code 0).
///
/// ```
/// use number_formats::{Binary, Format, Number};
/// type B = Binary<4>; // ±1/16
/// assert_eq!(B::from_f32(0.3).to_f32(), 0.0625);
/// assert_eq!(B::from_f32(-1e-30).to_f32(), -0.0625);
/// assert_eq!(B::from_f32(0.0).to_f32(), 0.0625); // +0.0 keeps its (positive) sign
/// assert_eq!(B::from_f32(f32::NAN).to_f32(), 0.0625);
/// assert_eq!((B::from_f32(-2.0).to_code(), B::from_f32(-2.0).raw()), (1, -1));
/// assert_eq!(B::FORMAT, Format::Binary { f: 4 });
/// assert_eq!((-B::from_f32(1.0)).to_f32(), -0.0625);
/// ```
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct Binary<const F: i32>(i8);

impl<const F: i32> Default for Binary<F> {
    fn default() -> Self {
        Self::ONE
    }
}

impl<const F: i32> Binary<F> {
    const CHECK: () = assert!(F >= -64 && F <= 64, "binary<F>: F must be in -64..=64");
    /// `2^-F`, built from the exponent bits (a normal `f32` for every allowed `F`).
    const MAG: f32 = {
        let () = Self::CHECK;
        crate::kernel::pow2_f32(-F)
    };
    /// `+2^-F`.
    pub const ONE: Self = Binary(1);
    /// `-2^-F`.
    pub const MINUS_ONE: Self = Binary(-1);

    /// Values from their codes (bit 0: 1 = negative), in a `const` context (baked weight tables).
    ///
    /// ```
    /// use number_formats::{Binary, Number};
    /// static W: [Binary<1>; 2] = Binary::<1>::from_bits_array(&[0, 1]);
    /// assert_eq!((W[0].to_f32(), W[1].to_f32()), (0.5, -0.5));
    /// ```
    pub const fn from_bits_array<const N: usize>(codes: &[u32; N]) -> [Self; N] {
        let mut out = [Self::ONE; N];
        let mut i = 0;
        while i < N {
            out[i] = Binary(1 - 2 * (codes[i] & 1) as i8);
            i += 1;
        }
        out
    }
}

impl<const F: i32> crate::number::Sealed for Binary<F> {}

impl<const F: i32> Number for Binary<F> {
    const FORMAT: Format = {
        let () = Self::CHECK;
        Format::Binary { f: F }
    };
    #[inline(always)]
    fn from_f32(x: f32) -> Self {
        let () = Self::CHECK;
        Binary(1 - 2 * crate::kernel::binary_negative(x) as i8)
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self.0 as f32 * Self::MAG
    }
    #[inline(always)]
    fn to_code(self) -> u32 {
        (self.0 < 0) as u32
    }
    #[inline(always)]
    fn from_code(code: u32) -> Self {
        Binary(1 - 2 * (code & 1) as i8)
    }
    const FIXED: Option<FixedInfo> = Some(FixedInfo {
        frac: F,
        raw_min: -1,
        raw_max: 1,
    });
    #[inline(always)]
    fn raw(self) -> i64 {
        self.0 as i64
    }
    #[inline(always)]
    fn raw_slice(s: &[Self]) -> crate::dot::Raw<'_> {
        // SAFETY: `Binary<F>` is `#[repr(transparent)]` over `i8` (its raw integer).
        unsafe { crate::dot::Raw::of_i8(s) }
    }
}

impl<const F: i32> Neg for Binary<F> {
    type Output = Self;
    /// Exact: the other sign.
    #[inline(always)]
    fn neg(self) -> Self {
        Binary(-self.0)
    }
}

impl<const F: i32> PartialEq for Binary<F> {
    fn eq(&self, o: &Self) -> bool {
        self.0 == o.0
    }
}
impl<const F: i32> Eq for Binary<F> {}
impl<const F: i32> Hash for Binary<F> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.0.hash(h)
    }
}
impl<const F: i32> PartialOrd for Binary<F> {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl<const F: i32> Ord for Binary<F> {
    /// By value: `-2^-F < +2^-F`.
    fn cmp(&self, o: &Self) -> Ordering {
        self.0.cmp(&o.0)
    }
}
impl<const F: i32> fmt::Debug for Binary<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_f32())
    }
}
impl<const F: i32> fmt::Display for Binary<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_f32(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code and a sweep of f32 inputs (incl. specials) against the runtime format, for extreme F too.
    fn check<const F: i32>() {
        let fmt = Format::Binary { f: F };
        for c in 0..4u32 {
            assert_eq!(
                Binary::<F>::from_code(c).to_f32().to_bits(),
                fmt.decode(c).to_bits()
            );
        }
        let specials = [
            0.0,
            -0.0,
            f32::NAN,
            -f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
            -1e-45,
        ];
        let sweep = (0..20_000u32).map(|i| f32::from_bits(i.wrapping_mul(2_654_435_761)));
        for x in specials.into_iter().chain(sweep) {
            let b = Binary::<F>::from_f32(x);
            assert_eq!(b.to_f32().to_bits(), fmt.quantize(x).to_bits(), "{x:e}");
            assert_eq!(b.to_code(), fmt.encode(x), "{x:e}");
            assert_eq!(b.to_f32(), b.raw() as f32 * (-F as f32).exp2());
            assert_eq!(
                <Binary<F> as Number>::quantize(x).to_bits(),
                fmt.quantize(x).to_bits()
            );
        }
    }

    #[test]
    fn agrees_with_format() {
        check::<0>();
        check::<5>();
        check::<-3>();
        check::<64>();
        check::<-64>();
    }

    #[test]
    fn order_and_negation() {
        let (p, m) = (Binary::<2>::ONE, Binary::<2>::MINUS_ONE);
        assert!(m < p && -p == m && -m == p);
        assert_eq!((p.to_f32(), m.to_f32()), (0.25, -0.25));
    }
}
