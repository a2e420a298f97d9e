//! Static custom-float types: the all-finite [`Float<E, M, B>`] (with the OCP MX element aliases [`E3m2`],
//! [`E2m3`], [`E2m1`]), OCP FP8 [`E4m3`] and [`E5m2`], and the IEEE-layout [`Bf16`] and [`F16`].
//!
//! Each stores its code (`sign | exponent | mantissa`) in the smallest unsigned integer that holds it. For
//! `Float<E, M, B>` the width `1 + E + M` cannot be computed in a type position on stable Rust, so the
//! storage is `<FloatBits<E, M> as StorageOf>::U`, with an impl of [`StorageOf`] generated for every valid
//! `(E, M)` (see [`storage`](crate::storage)): `size_of::<E3m2>() == 1`, `size_of::<Float<5, 10, 15>>() == 2`.
//!
//! Conversions share their kernel with [`Format::quantize`]: round to nearest, ties to even, saturate to the
//! largest finite value of the sign (also for `±inf`), NaN → `+0.0`; the sign of zero is kept (`-0.0` and
//! negative values that round to zero give `-0.0`). Same-type operators compute in `f64` — exact for `+`,
//! `-`, `*` and `%`, and for `/` the `f64` quotient rounded again is still the correctly rounded quotient
//! (`53 >= 2·24 + 2`, so double rounding is innocuous) — then round once into the type; `0/0` and `x % 0`
//! give `+0.0`, `x / 0` saturates to `±MAX`. Equality and order are those of the value (`-0.0 == +0.0`; NaN
//! codes of `e4m3`/`e5m2`/`bf16`/`f16`, which `from_f32` never produces, are unordered).
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::iter::{Product, Sum};
use core::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

use num_traits::{Bounded, FromPrimitive, Num, NumCast, One, Signed, ToPrimitive, Zero};

use crate::fixed::i128_to_f64_odd;
use crate::format::decode_bf16;
use crate::kernel::{self, FloatParams, Special};
use crate::storage::{FloatBits, Storage, StorageOf, truncate_const};
use crate::{Format, Number};

/// `float<E,M,B>`: sign bit, `E` exponent bits (`1..=8`), `M` mantissa bits (`0..=23`), exponent bias `B`,
/// subnormals, and every code a finite number (no inf/NaN codes), as the OCP MX element formats.
///
/// A code `s.x.y` is `(-1)^s · 2^(x-B) · (1 + y/2^M)` for exponent field `x > 0` and
/// `(-1)^s · 2^(1-B) · y/2^M` for `x = 0`; the largest value is `(2 - 2^-M)·2^(2^E-1-B)` and the smallest
/// positive one `2^(1-B-M)`. `B` must lie in [`Format::bias_range`] (checked at compile time): every value is
/// then exactly an `f32`. There is no default for `B` (const generic defaults cannot depend on `E`); the
/// usual one is `2^(E-1)-1`. See the [module documentation](self) for rounding and operator semantics.
///
/// **Power-of-two (logarithmic) weights.** With `M = 0` a value is a sign and an exponent: `0` (exponent field
/// 0) or `±2^(x-B)` for `x` in `1..=2^E-1`. Rounding is to the nearest value as for every format: between
/// `2^k` and `2^(k+1)` the midpoint `1.5·2^k` rounds up (ties to even: `2^(k+1)` is the even multiple of the
/// binade's quantum `2^k`), and below the smallest power `2^(1-B)` half of it rounds to zero.
/// `Float<1, 0, B>` is ternary (`0, ±2^(1-B)`). For `E <= 4` these lie on the grid of
/// [`FixedInfo`](crate::FixedInfo) `{ frac: B-1, raw: 0, ±1, ±2, …, ±2^(2^E-2) }` ([`Number::FIXED`]), so the
/// integer inner products of [`crate::dot`] apply to them as operands.
///
/// ```
/// use number_formats::{E2m1, E3m2, Float, Number};
/// type P = Float<3, 0, 3>; // 0, ±2^-2 ..= ±2^4
/// assert_eq!((P::from_f32(0.3).to_f32(), P::from_f32(-5.0).to_f32(), P::from_f32(0.1).to_f32()), (0.25, -4.0, 0.0));
/// assert_eq!((P::from_f32(-5.0).raw(), P::FIXED.unwrap().frac), (-16, 2));
/// assert_eq!(E2m1::MAX.to_f32(), 6.0); // float<2,1,1>: OCP MX FP4
/// assert_eq!(E3m2::MAX.to_f32(), 28.0);
/// assert_eq!(core::mem::size_of::<E3m2>(), 1);
/// assert_eq!(E2m1::from_f32(2.5).to_f32(), 2.0); // tie between 2 and 3: to even (mantissa 0)
/// assert_eq!(E2m1::from_f32(1e9).to_f32(), 6.0); // saturates
/// assert_eq!(E2m1::from_f32(-0.2).to_f32().to_bits(), (-0.0f32).to_bits()); // sign of zero kept
/// type F = Float<3, 4, 2>;
/// assert_eq!(F::FORMAT.to_string(), "float<3,4,2>");
/// let (a, b) = (F::from_f32(1.5), F::from_f32(2.25));
/// assert_eq!((a * b).to_f32(), 3.375);
/// assert_eq!((a - b).to_f32(), -0.75);
/// assert_eq!(format!("{}", a), "1.5");
/// ```
#[repr(transparent)]
pub struct Float<const E: u32, const M: u32, const B: i32>(<FloatBits<E, M> as StorageOf>::U)
where
    FloatBits<E, M>: StorageOf;

/// OCP MX FP6 E3M2: `float<3,2,3>`, max 28, smallest positive 2^-4.
pub type E3m2 = Float<3, 2, 3>;
/// OCP MX FP6 E2M3: `float<2,3,1>`, max 7.5, smallest positive 2^-3.
pub type E2m3 = Float<2, 3, 1>;
/// OCP MX FP4 E2M1: `float<2,1,1>`, max 6, smallest positive 0.5.
pub type E2m1 = Float<2, 1, 1>;

/// OCP FP8 E4M3 (format `e4m3`): bias 7, 3 mantissa bits, subnormals, max 448, smallest positive 2^-9, no
/// infinities, NaN only at `S.1111.111` (`0x7F`/`0xFF`, never produced by `from_f32`, which saturates).
///
/// ```
/// use number_formats::{E4m3, Number};
/// assert_eq!(E4m3::MAX.to_f32(), 448.0);
/// assert_eq!(E4m3::from_f32(1e6).to_bits(), 0x7E);
/// assert_eq!(E4m3::from_f32(-460.0).to_f32(), -448.0);
/// assert_eq!(E4m3::from_f32(0.3).to_f32(), 0.3125);
/// assert!(E4m3::from_bits(0x7F).is_nan());
/// ```
#[repr(transparent)]
pub struct E4m3(u8);

/// OCP FP8 E5M2 (format `e5m2`): bias 15, 2 mantissa bits, subnormals, max 57344, smallest positive 2^-16,
/// IEEE infinities (`S.11111.00`) and NaNs (`S.11111.xx`); `from_f32` saturates and never produces them.
///
/// ```
/// use number_formats::{E5m2, Number};
/// assert_eq!(E5m2::MAX.to_f32(), 57344.0);
/// assert_eq!(E5m2::from_f32(f32::INFINITY).to_f32(), 57344.0);
/// assert_eq!(E5m2::from_bits(0x7C).to_f32(), f32::INFINITY);
/// ```
#[repr(transparent)]
pub struct E5m2(u8);

/// bfloat16 (format `bf16`): the upper 16 bits of an IEEE binary32 (bias 127, 7 mantissa bits, subnormals),
/// max `(2-2^-7)·2^127`. `from_f32` rounds to nearest even and saturates (unlike a plain IEEE conversion, which
/// overflows to infinity); infinity and NaN codes decode as in IEEE.
///
/// ```
/// use number_formats::{Bf16, Number};
/// assert_eq!(Bf16::from_f32(1.0 + 1.0 / 256.0).to_f32(), 1.0); // tie → even
/// assert_eq!(Bf16::from_f32(f32::MAX).to_f32(), Bf16::MAX.to_f32());
/// assert_eq!(Bf16::from_f32(3.0).to_bits(), 0x4040);
/// ```
#[repr(transparent)]
pub struct Bf16(u16);

/// IEEE binary16 (format `f16`): bias 15, 10 mantissa bits, subnormals, max 65504. `from_f32` rounds to nearest
/// even and saturates to ±65504 (also `±inf`); infinity and NaN codes decode as in IEEE.
///
/// ```
/// use number_formats::{F16, Number};
/// assert_eq!(F16::from_f32(65520.0).to_f32(), 65504.0);
/// assert_eq!(F16::from_f32(1.0).to_bits(), 0x3C00);
/// assert_eq!(F16::MIN_POSITIVE.to_f32(), 2f32.powi(-24));
/// ```
#[repr(transparent)]
pub struct F16(u16);

impl<const E: u32, const M: u32, const B: i32> Float<E, M, B>
where
    FloatBits<E, M>: StorageOf,
{
    const CHECK: () = assert!(
        E >= 1 && E <= 8 && M <= 23 && B >= (1 << E) - 128 && B <= 150 - M as i32,
        "Float<E, M, B> needs E in 1..=8, M in 0..=23 and B in 2^E - 128 ..= 150 - M (see Format::bias_range)"
    );
    const E_BITS: u32 = E;
    const P: FloatParams = {
        let () = Self::CHECK;
        FloatParams::all_finite(E, M, B)
    };
    const MAX_CODE: u32 = (1 << (E + M)) - 1;
    /// Power-of-two formats (`M = 0`, see [`Float`]) of at most 4 exponent bits lie on a fixed-point grid:
    /// value = raw · 2^-(B-1), raw ∈ {0, ±1, ±2, …, ±2^(2^E-2)}, so the integer kernels of [`crate::dot`] may
    /// multiply their raw integers (a product with a power of two is a shift). `None` for every other float.
    /// The grid is *sparse* (not every integer in `raw_min..=raw_max` is a value), which the kernels allow for
    /// operands but never for accumulators.
    const LOG_FIXED: Option<crate::FixedInfo> = if M == 0 && E <= 4 {
        let top = 1i64 << ((1u32 << E) - 2);
        Some(crate::FixedInfo {
            frac: B - 1,
            raw_min: -top,
            raw_max: top,
        })
    } else {
        None
    };
    const FMT: Format = {
        let () = Self::CHECK;
        Format::Float {
            e: E,
            m: M,
            bias: B,
        }
    };
    #[inline(always)]
    fn decode(code: u32) -> f32 {
        kernel::float_decode(code, E, Self::P, Special::None)
    }
    #[inline(always)]
    fn round(x: f32) -> f32 {
        kernel::float_quantize(x, Self::P)
    }
    #[inline(always)]
    fn encode_f32(v: f32) -> u32 {
        kernel::float_encode(v as f64, E, Self::P)
    }
}

impl E4m3 {
    const LOG_FIXED: Option<crate::FixedInfo> = None;
    const E_BITS: u32 = 4;
    const P: FloatParams = FloatParams::E4M3;
    const MAX_CODE: u32 = 0x7E;
    const FMT: Format = Format::E4M3;
    #[inline(always)]
    fn decode(code: u32) -> f32 {
        kernel::float_decode(code, 4, Self::P, Special::Ocp)
    }
    #[inline(always)]
    fn round(x: f32) -> f32 {
        kernel::float_quantize(x, Self::P)
    }
    #[inline(always)]
    fn encode_f32(v: f32) -> u32 {
        kernel::float_encode(v as f64, Self::E_BITS, Self::P)
    }
}

impl E5m2 {
    const LOG_FIXED: Option<crate::FixedInfo> = None;
    const E_BITS: u32 = 5;
    const P: FloatParams = FloatParams::E5M2;
    const MAX_CODE: u32 = 0x7B;
    const FMT: Format = Format::E5M2;
    #[inline(always)]
    fn decode(code: u32) -> f32 {
        kernel::float_decode(code, 5, Self::P, Special::Ieee)
    }
    #[inline(always)]
    fn round(x: f32) -> f32 {
        kernel::float_quantize(x, Self::P)
    }
    #[inline(always)]
    fn encode_f32(v: f32) -> u32 {
        kernel::float_encode(v as f64, Self::E_BITS, Self::P)
    }
}

impl Bf16 {
    const LOG_FIXED: Option<crate::FixedInfo> = None;
    const E_BITS: u32 = 8;
    const P: FloatParams = FloatParams::BF16;
    const MAX_CODE: u32 = 0x7F7F;
    const FMT: Format = Format::Bf16;
    #[inline(always)]
    fn decode(code: u32) -> f32 {
        decode_bf16(code)
    }
    #[inline(always)]
    fn round(x: f32) -> f32 {
        kernel::bf16_rne(x)
    }
    #[inline(always)]
    fn encode_f32(v: f32) -> u32 {
        v.to_bits() >> 16
    }
}

impl F16 {
    const LOG_FIXED: Option<crate::FixedInfo> = None;
    const E_BITS: u32 = 5;
    const P: FloatParams = FloatParams::F16;
    const MAX_CODE: u32 = 0x7BFF;
    const FMT: Format = Format::F16;
    #[inline(always)]
    fn decode(code: u32) -> f32 {
        kernel::float_decode(code, 5, Self::P, Special::Ieee)
    }
    #[inline(always)]
    fn round(x: f32) -> f32 {
        kernel::float_quantize(x, Self::P)
    }
    #[inline(always)]
    fn encode_f32(v: f32) -> u32 {
        kernel::float_encode(v as f64, Self::E_BITS, Self::P)
    }
}

macro_rules! float_common {
    ([$($g:tt)*] $T:ty, [$($w:tt)*]) => {
        impl<$($g)*> $T
        where
            $($w)*
        {
            /// Bits per code (`1 + E + M`).
            pub const BITS: u32 = 1 + Self::E_BITS + Self::P.m;
            const SIGN: u32 = 1 << (Self::E_BITS + Self::P.m);
            /// `+0.0`.
            pub const ZERO: Self = Self::from_bits(0);
            /// The largest finite value.
            pub const MAX: Self = Self::from_bits(Self::MAX_CODE);
            /// The most negative finite value (`-MAX`).
            pub const MIN: Self = Self::from_bits(Self::MAX_CODE | Self::SIGN);
            /// The smallest positive value (the smallest subnormal, code 1).
            pub const MIN_POSITIVE: Self = Self::from_bits(1);

            /// The value with this code (`sign | exponent | mantissa`; higher bits are ignored). Usable in
            /// constants.
            #[inline(always)]
            pub const fn from_bits(code: u32) -> Self {
                Self(truncate_const((code as u64 & kernel::mask64(Self::BITS)) as u32))
            }
            /// [`from_bits`](Self::from_bits) of each code: a table of values in a constant or `static` (baked
            /// weights, see `number_rt::codegen::baked_weights`), without allocation.
            ///
            /// ```
            /// use number_formats::{E4m3, Number};
            /// static W: [E4m3; 2] = E4m3::from_bits_array(&[0x38, 0xb8]);
            /// assert_eq!((W[0].to_f32(), W[1].to_f32()), (1.0, -1.0));
            /// ```
            pub const fn from_bits_array<const N: usize>(codes: &[u32; N]) -> [Self; N] {
                let mut out = [Self::ZERO; N];
                let mut i = 0;
                while i < N {
                    out[i] = Self::from_bits(codes[i]);
                    i += 1;
                }
                out
            }
            /// [`Number::from_f32`] (inherent, so that it is not ambiguous with `FromPrimitive::from_f32`).
            #[inline(always)]
            pub fn from_f32(x: f32) -> Self {
                <Self as Number>::from_f32(x)
            }
            /// [`Number::to_f32`].
            #[inline(always)]
            pub fn to_f32(self) -> f32 {
                <Self as Number>::to_f32(self)
            }
            /// The code.
            #[inline(always)]
            pub fn to_bits(self) -> u32 {
                self.0.to_i64() as u32
            }
            /// The exact value as `f64`.
            #[inline(always)]
            pub fn to_f64(self) -> f64 {
                Self::decode(self.to_bits()) as f64
            }
            /// Rounds an `f64` once into the type (nearest, ties to even; saturating; NaN → `+0.0`). Equals
            /// `FORMAT.quantize_f64(x)`.
            #[inline(always)]
            pub fn from_f64(x: f64) -> Self {
                let x = if x.is_nan() { 0.0 } else { x };
                let v = kernel::float_rne(x, Self::P);
                Self::from_bits(kernel::float_encode(v, Self::E_BITS, Self::P))
            }
            /// Whether this is a NaN code (only possible via `from_bits`/`from_code`).
            #[inline]
            pub fn is_nan(self) -> bool {
                Self::decode(self.to_bits()).is_nan()
            }
            /// Whether the sign bit is set (also for `-0.0`).
            #[inline]
            pub fn is_sign_negative(self) -> bool {
                self.to_bits() & Self::SIGN != 0
            }
            #[inline(always)]
            fn from_int(n: i128) -> Self {
                Self::from_f64(i128_to_f64_odd(n))
            }
        }

        impl<$($g)*> crate::number::Sealed for $T where $($w)* {}

        impl<$($g)*> Number for $T
        where
            $($w)*
        {
            const FORMAT: Format = Self::FMT;
            const FIXED: Option<crate::FixedInfo> = Self::LOG_FIXED;
            /// The raw integer (value · 2^(B-1)) of a power-of-two `Float<E, 0, B>` with `E <= 4` (see
            /// [`Number::FIXED`]); 0 for every other float type.
            #[inline(always)]
            fn raw(self) -> i64 {
                if Self::LOG_FIXED.is_none() {
                    return 0;
                }
                // M = 0: the code is `sign | exponent`; exponent x > 0 is 2^(x-B) = 2^(x-1) units of 2^-(B-1).
                let code = self.to_bits();
                let x = code & ((1 << Self::E_BITS) - 1);
                let mag = if x == 0 { 0 } else { 1i64 << (x - 1) };
                if code >> Self::E_BITS & 1 == 1 { -mag } else { mag }
            }
            #[inline(always)]
            fn from_f32(x: f32) -> Self {
                Self::from_bits(Self::encode_f32(<Self as Number>::quantize(x)))
            }
            #[inline(always)]
            fn to_f32(self) -> f32 {
                Self::decode(self.to_bits())
            }
            /// `from_f32(x).to_f32()` without the round trip through the code (same result).
            #[inline(always)]
            fn quantize(x: f32) -> f32 {
                Self::round(kernel::nan_to_zero(x))
            }
            #[inline(always)]
            fn to_code(self) -> u32 {
                self.to_bits()
            }
            #[inline(always)]
            fn from_code(code: u32) -> Self {
                Self::from_bits(code)
            }
        }

        impl<$($g)*> Clone for $T
        where
            $($w)*
        {
            #[inline(always)]
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<$($g)*> Copy for $T where $($w)* {}
        impl<$($g)*> Default for $T
        where
            $($w)*
        {
            /// `+0.0`.
            #[inline(always)]
            fn default() -> Self {
                Self::ZERO
            }
        }
        impl<$($g)*> PartialEq for $T
        where
            $($w)*
        {
            /// Equality of values (`-0.0 == +0.0`; NaN codes are unequal to everything).
            #[inline(always)]
            fn eq(&self, other: &Self) -> bool {
                Number::to_f32(*self) == Number::to_f32(*other)
            }
        }
        impl<$($g)*> fmt::Debug for $T
        where
            $($w)*
        {
            /// The value, like `f32`'s `Debug`.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&Number::to_f32(*self), f)
            }
        }
        impl<$($g)*> fmt::Display for $T
        where
            $($w)*
        {
            /// The value, like `f32`'s `Display` (exact: every value is an `f32`).
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&Number::to_f32(*self), f)
            }
        }
        impl<$($g)*> From<$T> for f32
        where
            $($w)*
        {
            /// The exact value.
            #[inline(always)]
            fn from(x: $T) -> f32 {
                Number::to_f32(x)
            }
        }
        impl<$($g)*> From<$T> for f64
        where
            $($w)*
        {
            /// The exact value.
            #[inline(always)]
            fn from(x: $T) -> f64 {
                x.to_f64()
            }
        }

        impl<$($g)*> Add for $T
        where
            $($w)*
        {
            type Output = Self;
            /// Exact sum rounded once.
            #[inline(always)]
            fn add(self, rhs: Self) -> Self {
                Self::from_f64(self.to_f64() + rhs.to_f64())
            }
        }
        impl<$($g)*> Sub for $T
        where
            $($w)*
        {
            type Output = Self;
            /// Exact difference rounded once.
            #[inline(always)]
            fn sub(self, rhs: Self) -> Self {
                Self::from_f64(self.to_f64() - rhs.to_f64())
            }
        }
        impl<$($g)*> Mul for $T
        where
            $($w)*
        {
            type Output = Self;
            /// Exact product rounded once.
            #[inline(always)]
            fn mul(self, rhs: Self) -> Self {
                Self::from_f64(self.to_f64() * rhs.to_f64())
            }
        }
        impl<$($g)*> Div for $T
        where
            $($w)*
        {
            type Output = Self;
            /// Correctly rounded quotient; `x / 0` saturates to `±MAX`, `0 / 0` is `+0.0`.
            #[inline(always)]
            fn div(self, rhs: Self) -> Self {
                Self::from_f64(self.to_f64() / rhs.to_f64())
            }
        }
        impl<$($g)*> Rem for $T
        where
            $($w)*
        {
            type Output = Self;
            /// Exact remainder of truncated division (as `f32 %`); `x % 0` is `+0.0`.
            #[inline(always)]
            fn rem(self, rhs: Self) -> Self {
                Self::from_f64(self.to_f64() % rhs.to_f64())
            }
        }
        impl<$($g)*> Neg for $T
        where
            $($w)*
        {
            type Output = Self;
            /// Flips the sign bit (exact; `-(+0.0)` is `-0.0`).
            #[inline(always)]
            fn neg(self) -> Self {
                Self::from_bits(self.to_bits() ^ Self::SIGN)
            }
        }
        impl<$($g)*> AddAssign for $T
        where
            $($w)*
        {
            #[inline(always)]
            fn add_assign(&mut self, rhs: Self) {
                *self = *self + rhs;
            }
        }
        impl<$($g)*> SubAssign for $T
        where
            $($w)*
        {
            #[inline(always)]
            fn sub_assign(&mut self, rhs: Self) {
                *self = *self - rhs;
            }
        }
        impl<$($g)*> MulAssign for $T
        where
            $($w)*
        {
            #[inline(always)]
            fn mul_assign(&mut self, rhs: Self) {
                *self = *self * rhs;
            }
        }
        impl<$($g)*> DivAssign for $T
        where
            $($w)*
        {
            #[inline(always)]
            fn div_assign(&mut self, rhs: Self) {
                *self = *self / rhs;
            }
        }
        impl<$($g)*> RemAssign for $T
        where
            $($w)*
        {
            #[inline(always)]
            fn rem_assign(&mut self, rhs: Self) {
                *self = *self % rhs;
            }
        }
        impl<$($g)*> Sum for $T
        where
            $($w)*
        {
            /// Left fold with `+` (rounded at every step, like a site accumulator).
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(Self::ZERO, |a, b| a + b)
            }
        }
        impl<'a, $($g)*> Sum<&'a $T> for $T
        where
            $($w)*
        {
            fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                iter.fold(Self::ZERO, |a, b| a + *b)
            }
        }
        impl<$($g)*> Product for $T
        where
            $($w)*
        {
            /// Left fold with `*` starting from [`One::one`].
            fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(Self::one(), |a, b| a * b)
            }
        }

        impl<$($g)*> Zero for $T
        where
            $($w)*
        {
            #[inline(always)]
            fn zero() -> Self {
                Self::ZERO
            }
            /// `±0`.
            #[inline(always)]
            fn is_zero(&self) -> bool {
                self.to_bits() & !Self::SIGN == 0
            }
        }
        impl<$($g)*> One for $T
        where
            $($w)*
        {
            /// 1 rounded into the format (exactly 1 unless the format's range excludes it, then saturated or
            /// rounded).
            #[inline(always)]
            fn one() -> Self {
                Self::from_f64(1.0)
            }
        }
        impl<$($g)*> Num for $T
        where
            $($w)*
        {
            type FromStrRadixErr = num_traits::ParseFloatError;
            /// Parses like `f64`'s `from_str_radix`, then rounds once into the format.
            fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
                <f64 as Num>::from_str_radix(s, radix).map(Self::from_f64)
            }
        }
        impl<$($g)*> Bounded for $T
        where
            $($w)*
        {
            /// `MIN` (`-MAX`).
            #[inline(always)]
            fn min_value() -> Self {
                Self::MIN
            }
            /// `MAX`.
            #[inline(always)]
            fn max_value() -> Self {
                Self::MAX
            }
        }
        impl<$($g)*> Signed for $T
        where
            $($w)*
        {
            /// Clears the sign bit.
            #[inline]
            fn abs(&self) -> Self {
                Self::from_bits(self.to_bits() & !Self::SIGN)
            }
            /// `x - y` if `x > y`, else `+0.0`.
            #[inline]
            fn abs_sub(&self, other: &Self) -> Self {
                if *self <= *other { Self::ZERO } else { *self - *other }
            }
            /// As `f32::signum` (`±1` for `±0` too), rounded into the format; a NaN code is returned unchanged.
            #[inline]
            fn signum(&self) -> Self {
                if self.is_nan() {
                    return *self;
                }
                Self::from_f64(if self.is_sign_negative() { -1.0 } else { 1.0 })
            }
            /// `x > 0`.
            #[inline]
            fn is_positive(&self) -> bool {
                Number::to_f32(*self) > 0.0
            }
            /// `x < 0`.
            #[inline]
            fn is_negative(&self) -> bool {
                Number::to_f32(*self) < 0.0
            }
        }
        impl<$($g)*> ToPrimitive for $T
        where
            $($w)*
        {
            /// The value truncated toward zero; `None` if out of range or NaN.
            fn to_i64(&self) -> Option<i64> {
                <$T>::to_f64(*self).to_i64()
            }
            /// The value truncated toward zero; `None` if out of range or NaN.
            fn to_u64(&self) -> Option<u64> {
                <$T>::to_f64(*self).to_u64()
            }
            fn to_i128(&self) -> Option<i128> {
                <$T>::to_f64(*self).to_i128()
            }
            fn to_u128(&self) -> Option<u128> {
                <$T>::to_f64(*self).to_u128()
            }
            /// The exact value.
            fn to_f32(&self) -> Option<f32> {
                Some(Number::to_f32(*self))
            }
            /// The exact value.
            fn to_f64(&self) -> Option<f64> {
                Some(<$T>::to_f64(*self))
            }
        }
        impl<$($g)*> FromPrimitive for $T
        where
            $($w)*
        {
            /// The exact integer rounded once (saturating): always `Some`.
            fn from_i64(n: i64) -> Option<Self> {
                Some(Self::from_int(n as i128))
            }
            /// The exact integer rounded once (saturating): always `Some`.
            fn from_u64(n: u64) -> Option<Self> {
                Some(Self::from_int(n as i128))
            }
            fn from_i128(n: i128) -> Option<Self> {
                Some(Self::from_int(n))
            }
            fn from_u128(n: u128) -> Option<Self> {
                Some(Self::from_int(n.min(i128::MAX as u128) as i128))
            }
            /// `Number::from_f32` (saturating, NaN → 0): always `Some`.
            fn from_f32(x: f32) -> Option<Self> {
                Some(<Self as Number>::from_f32(x))
            }
            /// Rounded once (saturating, NaN → 0): always `Some`.
            fn from_f64(x: f64) -> Option<Self> {
                Some(<$T>::from_f64(x))
            }
        }
        impl<$($g)*> NumCast for $T
        where
            $($w)*
        {
            /// Rounds the exact value of `n` once into the format (saturating, NaN → 0); `None` only if `n` has
            /// no `f64` value.
            fn from<N: ToPrimitive>(n: N) -> Option<Self> {
                let f = n.to_f64()?;
                if f.abs() >= 9_007_199_254_740_992.0 && f.abs() < 1e36 {
                    if let Some(i) = n.to_i128() {
                        return Some(Self::from_int(i));
                    }
                }
                Some(<$T>::from_f64(f))
            }
        }
    };
}

float_common!([const E: u32, const M: u32, const B: i32] Float<E, M, B>, [FloatBits<E, M>: StorageOf]);
// The IEEE/OCP layouts have NaN codes: their value order is partial.
macro_rules! float_partial_ord {
    ($($T:ty),*) => {$(
        impl PartialOrd for $T {
            #[inline(always)]
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Number::to_f32(*self).partial_cmp(&Number::to_f32(*other))
            }
        }
    )*};
}
float_partial_ord!(E4m3, E5m2, Bf16, F16);

float_common!([] E4m3, []);
float_common!([] E5m2, []);
float_common!([] Bf16, []);
float_common!([] F16, []);

// Every code of `Float<E, M, B>` is a number, so value equality is an equivalence and the value order total.
impl<const E: u32, const M: u32, const B: i32> Eq for Float<E, M, B> where FloatBits<E, M>: StorageOf
{}
impl<const E: u32, const M: u32, const B: i32> PartialOrd for Float<E, M, B>
where
    FloatBits<E, M>: StorageOf,
{
    #[inline(always)]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<const E: u32, const M: u32, const B: i32> Ord for Float<E, M, B>
where
    FloatBits<E, M>: StorageOf,
{
    /// The order of the values (`-0.0 == +0.0`).
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        Number::to_f32(*self)
            .partial_cmp(&Number::to_f32(*other))
            .unwrap_or(Ordering::Equal)
    }
}
impl<const E: u32, const M: u32, const B: i32> Hash for Float<E, M, B>
where
    FloatBits<E, M>: StorageOf,
{
    /// Hashes the value (`-0.0` and `+0.0` alike, consistent with `Eq`).
    fn hash<H: Hasher>(&self, state: &mut H) {
        (Number::to_f32(*self) + 0.0).to_bits().hash(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(core::mem::size_of::<E4m3>(), 1);
        assert_eq!(core::mem::size_of::<E2m1>(), 1);
        assert_eq!(core::mem::size_of::<Bf16>(), 2);
        assert_eq!(core::mem::size_of::<Float<8, 8, 130>>(), 4);
    }

    #[test]
    fn consts() {
        assert_eq!(E2m3::MAX.to_f32(), 7.5);
        assert_eq!(E2m3::MIN.to_f32(), -7.5);
        assert_eq!(E5m2::MIN_POSITIVE.to_f32(), 2f32.powi(-16));
        assert_eq!(Bf16::MAX.to_f32(), f32::from_bits(0x7F7F_0000));
        assert_eq!(F16::MAX.to_f32(), 65504.0);
        assert_eq!(E4m3::MIN_POSITIVE.to_f32(), 2f32.powi(-9));
        assert_eq!(Float::<1, 0, 0>::MAX.to_f32(), 2.0); // codes: 0, 1 (subnormal: 0 mantissa bits → 0), 2^1
    }

    #[test]
    fn int_conversion_is_single_rounding() {
        let n: i64 = (1 << 60) + (1 << 36) + 1; // f32 grid at 2^60 is 2^37: just above a midpoint → up
        let x = <Bf16 as FromPrimitive>::from_i64(n).unwrap();
        assert_eq!(x.to_f64(), (1u64 << 60) as f64); // bf16 grid is 2^53 there: far below the midpoint
        type F24 = Float<7, 23, 63>;
        let y = <F24 as FromPrimitive>::from_i64(n).unwrap();
        assert_eq!(y.to_f64(), ((1u64 << 60) + (1 << 37)) as f64);
    }
}
