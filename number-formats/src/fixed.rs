//! Static fixed-point types [`Fixed<W, F>`] and [`UFixed<W, F>`], and the exact wide accumulator [`Wide<F>`].
//!
//! Storage is the smallest integer with at least `W` bits (see [`storage`](crate::storage)); shifts and bounds
//! are associated constants folded by the compiler. Conversions from `f32` share their kernel with
//! [`Format::quantize`], so `T::from_f32(x).to_f32() == T::FORMAT.quantize(x)` bit for bit.
//!
//! Operators between two values of the *same* type compute the exact result and round it once (to nearest,
//! ties to even) and saturate into the type, as the hardware does; NaN-like results (`0/0`, `x % 0`) are 0
//! and division by zero saturates by the sign of the dividend (as `f32` ±inf would). Mixed formats go through
//! [`Wide`]: `a.mul_wide(b)` is the exact product, and `Fixed::<W, F>::from_wide` rounds it once.
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::iter::{Product, Sum};
use core::ops::{
    Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, RemAssign, Sub, SubAssign,
};

use num_traits::{Bounded, FromPrimitive, Num, NumCast, One, Signed, ToPrimitive, Zero};

use crate::kernel::{self, pow2};
use crate::storage::{Bits, Storage, StorageOf, truncate_const};
use crate::{Format, Number};

/// Signed fixed point `fixed<W,F>`: two's complement, `W` bits in all (`2..=32`), value = raw × 2^-F with raw
/// in `-2^(W-1) ..= 2^(W-1)-1`; `F` in `-64..=64` may be negative or exceed `W`.
///
/// Stored in the smallest of `i8`/`i16`/`i32` with at least `W` bits (`#[repr(transparent)]`).
/// [`from_f32`](Number::from_f32) rounds to nearest, ties to even, saturates to `[MIN, MAX]` (so `±inf`
/// become `MIN`/`MAX`) and maps NaN to 0; zero is always `+0.0`. [`to_f32`](Number::to_f32) is exact
/// when the raw value has at most 24 significant bits (always for `W <= 24`), else rounded to nearest even.
/// Same-type operators are exact and rounded once into the type; `Rem` is the exact remainder (sign of the
/// dividend); `x / 0` saturates by the sign of `x`, `0 / 0` and `x % 0` are 0; `-MIN` saturates to `MAX`.
/// Equality, order and hashing are those of the value (the raw integer).
///
/// ```
/// use number_formats::{Fixed, Number};
/// type Q = Fixed<4, 2>; // -2.0 ..= 1.75 in steps of 0.25
/// assert_eq!(core::mem::size_of::<Q>(), 1);
/// assert_eq!(Q::from_f32(0.375).to_f32(), 0.5); // 1.5 quanta: tie, to even
/// assert_eq!(Q::from_f32(1.625).to_f32(), 1.5); // 6.5 quanta → 6
/// assert_eq!(Q::from_f32(1.875).to_f32(), 1.75); // 7.5 quanta → 8, saturated to 7
/// assert_eq!(Q::from_f32(-10.0), Q::MIN);
/// assert_eq!(Q::from_raw(3).to_f32(), 0.75);
/// let (a, b) = (Q::from_f32(1.5), Q::from_f32(0.75));
/// assert_eq!((a * b).to_f32(), 1.0); // 1.125 → 1.0 (4.5 quanta → 4)
/// assert_eq!((a + b), Q::MAX); // 2.25 saturates
/// assert_eq!(format!("{}", Q::from_raw(-3)), "-0.75");
/// ```
#[repr(transparent)]
pub struct Fixed<const W: u32, const F: i32>(<Bits<W> as StorageOf>::S)
where
    Bits<W>: StorageOf;

/// Unsigned fixed point `ufixed<W,F>`: `W` bits (`1..=32`), value = raw × 2^-F with raw in `0 ..= 2^W-1`,
/// `F` in `-64..=64`. For non-negative sites (after ReLU).
///
/// Stored in the smallest of `u8`/`u16`/`u32` with at least `W` bits. Rounding is to nearest, ties to even;
/// every negative input (and `-inf`) saturates to 0, large ones to `MAX`, NaN becomes 0. Same-type operators
/// are exact and rounded once into the type, so `a - b` saturates at 0 when `b > a`. There is no `Neg`.
///
/// ```
/// use number_formats::{Number, UFixed};
/// type U = UFixed<8, 4>; // 0 ..= 15.9375 in steps of 1/16
/// assert_eq!(U::from_f32(-3.0).to_f32(), 0.0);
/// assert_eq!(U::from_f32(100.0), U::MAX);
/// assert_eq!(U::from_f32(0.03125).to_f32(), 0.0); // half a quantum: tie, to even (0)
/// assert_eq!(U::from_f32(0.09375).to_f32(), 0.125); // 1.5 quanta → 2
/// let (a, b) = (U::from_f32(1.0), U::from_f32(2.0));
/// assert_eq!((a - b).to_f32(), 0.0);
/// ```
#[repr(transparent)]
pub struct UFixed<const W: u32, const F: i32>(<Bits<W> as StorageOf>::U)
where
    Bits<W>: StorageOf;

/// A fixed-point type whose values are integers `raw × 2^-FRAC`: [`Fixed`] and [`UFixed`]. Lets mixed-format
/// code ([`Fixed::mul_wide`], [`Fixed::from_fixed`]) take either.
pub trait FixedPoint: Number {
    /// Fraction bits `F`.
    const FRAC: i32;
    /// Smallest raw value.
    const RAW_LO: i64;
    /// Largest raw value.
    const RAW_HI: i64;
    /// The raw integer.
    fn raw_i64(self) -> i64;
    /// The value with raw integer `raw` clamped to `[RAW_LO, RAW_HI]`.
    fn from_raw_sat(raw: i64) -> Self;
}

/// The exact value `raw × 2^-F` of a product or sum of products of fixed-point values, in an `i64`, before the
/// single rounding into a site type with [`Fixed::from_wide`] / [`UFixed::from_wide`].
///
/// The binary point `F` is a const parameter: `a.mul_wide::<FP, _>(b)` checks at compile time that `FP` is the
/// sum of the operands' fraction bits (a type cannot compute `F1 + F2` on stable Rust, so the caller — usually
/// generated code — writes it). `+`, `-` and `+=` are plain `i64` arithmetic: exact as long as the sum fits
/// (a product of two `W`-bit values takes `2W - 1` bits, so e.g. 2^47 products of 8-bit values fit);
/// overflow panics in debug builds and wraps in release builds, like `i64`.
///
/// ```
/// use number_formats::{Fixed, UFixed, Wide, Number};
/// let w = [Fixed::<8, 6>::from_f32(0.5), Fixed::<8, 6>::from_f32(-0.25)];
/// let x = [UFixed::<8, 4>::from_f32(3.0), UFixed::<8, 4>::from_f32(1.5)];
/// let mut acc = Wide::<10>::ZERO;
/// for (w, x) in w.iter().zip(&x) {
///     acc += w.mul_wide(*x); // exact: raw product with 6 + 4 fraction bits
/// }
/// assert_eq!(acc.to_f64(), 1.125);
/// let y = Fixed::<8, 2>::from_wide(acc); // one rounding: 4.5 quanta → 4
/// assert_eq!(y.to_f32(), 1.0);
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Wide<const F: i32>(pub i64);

impl<const F: i32> Wide<F> {
    /// Zero.
    pub const ZERO: Self = Wide(0);
    /// The value `raw × 2^-F`.
    #[inline(always)]
    pub const fn new(raw: i64) -> Self {
        Wide(raw)
    }
    /// The raw integer.
    #[inline(always)]
    pub const fn raw(self) -> i64 {
        self.0
    }
    /// The value (exact when `|raw| <= 2^53`, else rounded to nearest even).
    #[inline]
    pub fn to_f64(self) -> f64 {
        self.0 as f64 * pow2(-F)
    }
    /// The same value with `G >= F` fraction bits (exact; panics if it overflows `i64`). `G - F` must be in
    /// `0..=62` (checked at compile time).
    #[inline]
    pub fn rescale<const G: i32>(self) -> Wide<G> {
        const {
            assert!(
                G >= F && G - F <= 62,
                "Wide::rescale::<G>() needs 0 <= G - F <= 62"
            )
        };
        Wide(
            self.0
                .checked_mul(1i64 << (G - F))
                .expect("Wide::rescale: value overflows i64"),
        )
    }
}

impl<const F: i32> fmt::Debug for Wide<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Wide<{F}>({} = {})", self.0, self.to_f64())
    }
}

impl<const F: i32> Add for Wide<F> {
    type Output = Self;
    #[inline(always)]
    fn add(self, rhs: Self) -> Self {
        Wide(self.0 + rhs.0)
    }
}
impl<const F: i32> Sub for Wide<F> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, rhs: Self) -> Self {
        Wide(self.0 - rhs.0)
    }
}
impl<const F: i32> Neg for Wide<F> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Wide(-self.0)
    }
}
impl<const F: i32> AddAssign for Wide<F> {
    #[inline(always)]
    fn add_assign(&mut self, rhs: Self) {
        self.0 += rhs.0;
    }
}
impl<const F: i32> SubAssign for Wide<F> {
    #[inline(always)]
    fn sub_assign(&mut self, rhs: Self) {
        self.0 -= rhs.0;
    }
}
impl<const F: i32> Sum for Wide<F> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Wide(0), |a, b| a + b)
    }
}

/// Exact conversion of an integer to `f64` with round-to-odd, so that a later rounding to at most 51 bits is
/// the correctly rounded result of the integer (no double-rounding error).
#[inline]
pub(crate) fn i128_to_f64_odd(n: i128) -> f64 {
    let a = n.unsigned_abs();
    let v = if a < (1u128 << 53) {
        a as f64
    } else {
        let s = 128 - a.leading_zeros() - 53;
        let top = (a >> s) as u64 | ((a & ((1u128 << s) - 1)) != 0) as u64;
        top as f64 * pow2(s as i32)
    };
    if n < 0 { -v } else { v }
}

/// Shared code of `Fixed` and `UFixed`: `$S` is the storage field's associated type (`S` or `U`), `$raw` the
/// raw integer type (`i32`/`u32`).
macro_rules! fixed_common {
    ($T:ident, $S:ident, $raw:ty, $signed:literal, $wmin:literal, $fmt:ident) => {
        impl<const W: u32, const F: i32> $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            const CHECK: () = assert!(
                W >= $wmin && W <= 32 && F >= -64 && F <= 64,
                concat!(stringify!($T), "<W, F> needs W in ", stringify!($wmin), "..=32 and F in -64..=64")
            );
            /// Smallest raw value (`-2^(W-1)` signed, 0 unsigned).
            pub const RAW_MIN: $raw = {
                let () = Self::CHECK;
                if $signed { (-(1i64 << (W - 1))) as $raw } else { 0 }
            };
            /// Largest raw value (`2^(W-1)-1` signed, `2^W-1` unsigned).
            pub const RAW_MAX: $raw = {
                let () = Self::CHECK;
                if $signed { ((1i64 << (W - 1)) - 1) as $raw } else { ((1i64 << W) - 1) as $raw }
            };
            const SCALE: f64 = pow2(F);
            const INV: f64 = pow2(-F);
            const LO: f64 = Self::RAW_MIN as f64;
            const HI: f64 = Self::RAW_MAX as f64;
            /// The most negative value (raw `RAW_MIN`).
            pub const MIN: Self = Self::from_raw(Self::RAW_MIN);
            /// The largest value (raw `RAW_MAX`).
            pub const MAX: Self = Self::from_raw(Self::RAW_MAX);
            /// Zero.
            pub const ZERO: Self = Self::from_raw(0);
            /// The smallest positive value `2^-F` (raw 1).
            pub const DELTA: Self = Self::from_raw(1);

            /// The value with raw integer `raw` (value `raw × 2^-F`), saturated to `[RAW_MIN, RAW_MAX]`.
            /// Usable in constants.
            #[inline(always)]
            pub const fn from_raw(raw: $raw) -> Self {
                let r = if raw < Self::RAW_MIN {
                    Self::RAW_MIN
                } else if raw > Self::RAW_MAX {
                    Self::RAW_MAX
                } else {
                    raw
                };
                Self(truncate_const(r as u32))
            }
            /// [`from_raw`](Self::from_raw) of each raw integer: a table of values in a constant or `static`
            /// (baked weights, see `number_rt::codegen::baked_weights`), without allocation.
            ///
            /// ```
            #[doc = concat!("use number_formats::", stringify!($T), ";")]
            #[doc = concat!("static W: [", stringify!($T), "<4, 2>; 3] = ", stringify!($T), "::<4, 2>::from_raw_array(&[1, 0, 7]);")]
            /// assert_eq!(W[2].to_f32(), 1.75);
            /// ```
            pub const fn from_raw_array<const N: usize>(raw: &[$raw; N]) -> [Self; N] {
                let mut out = [Self::ZERO; N];
                let mut i = 0;
                while i < N {
                    out[i] = Self::from_raw(raw[i]);
                    i += 1;
                }
                out
            }
            /// `Some(from_raw(raw))` if `raw` is in range, else `None`.
            #[inline]
            pub const fn checked_from_raw(raw: $raw) -> Option<Self> {
                if raw < Self::RAW_MIN || raw > Self::RAW_MAX { None } else { Some(Self::from_raw(raw)) }
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
            /// The raw integer (value × 2^F).
            #[inline(always)]
            pub fn raw(self) -> $raw {
                self.0.to_i64() as $raw
            }
            /// The exact value as `f64`.
            #[inline(always)]
            pub fn to_f64(self) -> f64 {
                self.0.to_i64() as f64 * Self::INV
            }
            /// Rounds an `f64` once into the type (nearest, ties to even; saturating; NaN → 0). Equals
            /// `FORMAT.quantize_f64(x)`.
            #[inline(always)]
            pub fn from_f64(x: f64) -> Self {
                let r = kernel::fixed_raw_f64(x, Self::SCALE, Self::LO, Self::HI);
                Self(Storage::from_i64(r as i64))
            }
            #[inline(always)]
            fn sat(raw: i64) -> Self {
                Self(Storage::from_i64(raw.clamp(Self::RAW_MIN as i64, Self::RAW_MAX as i64)))
            }
            /// Rounds an exact wide value once into the type (nearest, ties to even; saturating).
            #[inline(always)]
            pub fn from_wide<const FP: i32>(w: Wide<FP>) -> Self {
                let raw = if FP - F >= 1 && FP - F <= 62 && w.0.unsigned_abs() <= 1 << 62 {
                    kernel::shr_rne_sat_small(w.0, (FP - F) as u32, Self::RAW_MIN as i64, Self::RAW_MAX as i64)
                } else {
                    kernel::shr_rne_sat(w.0 as i128, FP - F, Self::RAW_MIN as i64, Self::RAW_MAX as i64)
                };
                Self(Storage::from_i64(raw))
            }
            /// The exact value as a [`Wide`] with `FP >= F` fraction bits (`FP - F` in `0..=31`, checked at
            /// compile time); start an accumulator from a value.
            #[inline(always)]
            pub fn to_wide<const FP: i32>(self) -> Wide<FP> {
                const { assert!(FP >= F && FP - F <= 31, "to_wide::<FP>() needs 0 <= FP - F <= 31") };
                Wide(self.0.to_i64() << (FP - F))
            }
            /// The exact product with any fixed-point value, as a [`Wide`] with `FP = F + R::FRAC` fraction bits
            /// (checked at compile time). The product of two raw values always fits `i64` except for two
            /// 32-bit unsigned operands (overflow panics in debug builds).
            #[inline(always)]
            pub fn mul_wide<const FP: i32, R: FixedPoint>(self, rhs: R) -> Wide<FP> {
                const { assert!(FP == F + R::FRAC, "mul_wide: the result Wide<FP> needs FP = F + R::FRAC") };
                Wide(self.0.to_i64() * rhs.raw_i64())
            }
            /// Converts from another fixed-point format, rounding once (nearest, ties to even; saturating).
            #[inline(always)]
            pub fn from_fixed<R: FixedPoint>(r: R) -> Self {
                Self(Storage::from_i64(kernel::shr_rne_sat(
                    r.raw_i64() as i128,
                    R::FRAC - F,
                    Self::RAW_MIN as i64,
                    Self::RAW_MAX as i64,
                )))
            }
            /// Exact from an integer: `round(n × 2^F)`, saturated.
            #[inline]
            fn from_int(n: i128) -> Self {
                Self(Storage::from_i64(kernel::shr_rne_sat(n, -F, Self::RAW_MIN as i64, Self::RAW_MAX as i64)))
            }
        }

        impl<const W: u32, const F: i32> FixedPoint for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            const FRAC: i32 = F;
            const RAW_LO: i64 = Self::RAW_MIN as i64;
            const RAW_HI: i64 = Self::RAW_MAX as i64;
            #[inline(always)]
            fn raw_i64(self) -> i64 {
                self.0.to_i64()
            }
            #[inline(always)]
            fn from_raw_sat(raw: i64) -> Self {
                Self::sat(raw)
            }
        }

        impl<const W: u32, const F: i32> crate::number::Sealed for $T<W, F> where Bits<W>: StorageOf {}

        impl<const W: u32, const F: i32> Number for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            const FORMAT: Format = {
                let () = Self::CHECK;
                Format::$fmt { w: W, f: F }
            };
            #[inline(always)]
            fn from_f32(x: f32) -> Self {
                if W <= kernel::NARROW_FIXED {
                    let r = kernel::fixed_raw32(x, Self::SCALE as f32, Self::LO as f32, Self::HI as f32);
                    // SAFETY: `fixed_raw32` returns an integer in `LO..=HI` (|LO|, |HI| <= 2^22; NaN → 0, ±inf
                    // clamped), so the conversion is exact: no saturation fix-ups, and the loops converting
                    // slices vectorize to plain `cvttps2dq`.
                    let r: i32 = unsafe { r.to_int_unchecked() };
                    Self(Storage::from_i64(r as i64))
                } else {
                    let r = kernel::fixed_raw(x, Self::SCALE, Self::LO, Self::HI);
                    // SAFETY: an integer in `LO..=HI` (|LO|, |HI| <= 2^32), so exact in i64.
                    let r: i64 = unsafe { r.to_int_unchecked() };
                    Self(Storage::from_i64(r))
                }
            }
            #[inline(always)]
            fn to_f32(self) -> f32 {
                if W <= kernel::NARROW_FIXED {
                    self.0.to_i64() as i32 as f32 * Self::INV as f32
                } else {
                    (self.0.to_i64() as f64 * Self::INV) as f32
                }
            }
            /// `from_f32(x).to_f32()` without the round trip through the integer (same result).
            #[inline(always)]
            fn quantize(x: f32) -> f32 {
                if W <= kernel::NARROW_FIXED {
                    kernel::fixed_raw32(x, Self::SCALE as f32, Self::LO as f32, Self::HI as f32) * Self::INV as f32
                } else {
                    (kernel::fixed_raw(x, Self::SCALE, Self::LO, Self::HI) * Self::INV) as f32
                }
            }
            #[inline(always)]
            fn to_code(self) -> u32 {
                (self.0.to_i64() as u32) & (kernel::mask64(W) as u32)
            }
            const FIXED: Option<crate::number::FixedInfo> =
                Some(crate::number::FixedInfo { frac: F, raw_min: Self::RAW_MIN as i64, raw_max: Self::RAW_MAX as i64 });
            #[inline(always)]
            fn raw(self) -> i64 {
                self.0.to_i64()
            }
            #[inline(always)]
            fn raw_slice(s: &[Self]) -> crate::dot::Raw<'_> {
                // SAFETY: `Self` is `#[repr(transparent)]` over its storage, which is `i8` (`Fixed`) or `u8`
                // (`UFixed`) for W <= 8 (storage.rs), so the slice is one of those integers, same length.
                debug_assert!(W > 8 || core::mem::size_of::<Self>() == 1);
                if W <= 8 && $signed {
                    crate::dot::Raw::I8(unsafe { core::slice::from_raw_parts(s.as_ptr() as *const i8, s.len()) })
                } else if W <= 8 {
                    crate::dot::Raw::U8(unsafe { core::slice::from_raw_parts(s.as_ptr() as *const u8, s.len()) })
                } else {
                    crate::dot::Raw::Other
                }
            }
            #[inline(always)]
            fn from_code(code: u32) -> Self {
                let raw = if $signed {
                    (((code << (32 - W)) as i32) >> (32 - W)) as i64
                } else {
                    (code as u64 & kernel::mask64(W)) as i64
                };
                Self(Storage::from_i64(raw))
            }
        }

        impl<const W: u32, const F: i32> Clone for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            #[inline(always)]
            fn clone(&self) -> Self {
                *self
            }
        }
        impl<const W: u32, const F: i32> Copy for $T<W, F> where Bits<W>: StorageOf {}
        impl<const W: u32, const F: i32> Default for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            /// Zero.
            #[inline(always)]
            fn default() -> Self {
                Self::ZERO
            }
        }
        impl<const W: u32, const F: i32> PartialEq for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            #[inline(always)]
            fn eq(&self, other: &Self) -> bool {
                self.0 == other.0
            }
        }
        impl<const W: u32, const F: i32> Eq for $T<W, F> where Bits<W>: StorageOf {}
        impl<const W: u32, const F: i32> PartialOrd for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            #[inline(always)]
            fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
                Some(self.cmp(other))
            }
        }
        impl<const W: u32, const F: i32> Ord for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            #[inline(always)]
            fn cmp(&self, other: &Self) -> Ordering {
                self.0.cmp(&other.0)
            }
        }
        impl<const W: u32, const F: i32> Hash for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.0.hash(state)
            }
        }
        impl<const W: u32, const F: i32> fmt::Debug for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            /// The value (as `f64`, exact), like `f64`'s `Debug`.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&$T::to_f64(*self), f)
            }
        }
        impl<const W: u32, const F: i32> fmt::Display for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            /// The value (as `f64`, exact), honouring precision and width like `f64`.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&$T::to_f64(*self), f)
            }
        }
        impl<const W: u32, const F: i32> From<$T<W, F>> for f64
        where
            Bits<W>: StorageOf,
        {
            /// The exact value.
            #[inline(always)]
            fn from(x: $T<W, F>) -> f64 {
                x.to_f64()
            }
        }
        impl<const W: u32, const F: i32> From<$T<W, F>> for f32
        where
            Bits<W>: StorageOf,
        {
            /// `to_f32()`.
            #[inline(always)]
            fn from(x: $T<W, F>) -> f32 {
                x.to_f32()
            }
        }

        impl<const W: u32, const F: i32> Add for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            type Output = Self;
            /// Exact sum, saturated.
            #[inline(always)]
            fn add(self, rhs: Self) -> Self {
                Self::sat(self.0.to_i64() + rhs.0.to_i64())
            }
        }
        impl<const W: u32, const F: i32> Sub for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            type Output = Self;
            /// Exact difference, saturated.
            #[inline(always)]
            fn sub(self, rhs: Self) -> Self {
                Self::sat(self.0.to_i64() - rhs.0.to_i64())
            }
        }
        impl<const W: u32, const F: i32> Mul for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            type Output = Self;
            /// Exact product (binary point `2F`), rounded once to nearest even and saturated.
            #[inline(always)]
            fn mul(self, rhs: Self) -> Self {
                let (a, b) = (self.0.to_i64(), rhs.0.to_i64());
                let raw = if F >= 1 && F <= 62 && ($signed || W <= 31) {
                    // |a·b| <= 2^62: signed operands of at most 32 bits, unsigned of at most 31.
                    kernel::shr_rne_sat_small(a * b, F as u32, Self::RAW_MIN as i64, Self::RAW_MAX as i64)
                } else {
                    kernel::shr_rne_sat(a as i128 * b as i128, F, Self::RAW_MIN as i64, Self::RAW_MAX as i64)
                };
                Self(Storage::from_i64(raw))
            }
        }
        impl<const W: u32, const F: i32> Div for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            type Output = Self;
            /// Exact quotient rounded once to nearest even, saturated; `x / 0` saturates by the sign of `x`,
            /// `0 / 0` is 0.
            #[inline]
            fn div(self, rhs: Self) -> Self {
                let (a, b) = (self.0.to_i64() as i128, rhs.0.to_i64() as i128);
                let (n, d) = if F >= 0 { (a << F, b) } else { (a, b << -F) };
                Self(Storage::from_i64(kernel::div_rne_sat(n, d, Self::RAW_MIN as i64, Self::RAW_MAX as i64)))
            }
        }
        impl<const W: u32, const F: i32> Rem for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            type Output = Self;
            /// Exact remainder of truncated division (sign of the dividend, as `f32 %`); `x % 0` is 0.
            #[inline]
            fn rem(self, rhs: Self) -> Self {
                let (a, b) = (self.0.to_i64(), rhs.0.to_i64());
                Self::sat(if b == 0 { 0 } else { a % b })
            }
        }
        impl<const W: u32, const F: i32> AddAssign for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            #[inline(always)]
            fn add_assign(&mut self, rhs: Self) {
                *self = *self + rhs;
            }
        }
        impl<const W: u32, const F: i32> SubAssign for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            #[inline(always)]
            fn sub_assign(&mut self, rhs: Self) {
                *self = *self - rhs;
            }
        }
        impl<const W: u32, const F: i32> MulAssign for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            #[inline(always)]
            fn mul_assign(&mut self, rhs: Self) {
                *self = *self * rhs;
            }
        }
        impl<const W: u32, const F: i32> DivAssign for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            #[inline(always)]
            fn div_assign(&mut self, rhs: Self) {
                *self = *self / rhs;
            }
        }
        impl<const W: u32, const F: i32> RemAssign for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            #[inline(always)]
            fn rem_assign(&mut self, rhs: Self) {
                *self = *self % rhs;
            }
        }
        impl<const W: u32, const F: i32> Sum for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            /// Left fold with `+` (saturating at every step, like a site accumulator).
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(Self::ZERO, |a, b| a + b)
            }
        }
        impl<'a, const W: u32, const F: i32> Sum<&'a $T<W, F>> for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                iter.fold(Self::ZERO, |a, b| a + *b)
            }
        }
        impl<const W: u32, const F: i32> Product for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            /// Left fold with `*` starting from [`One::one`].
            fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(Self::one(), |a, b| a * b)
            }
        }

        impl<const W: u32, const F: i32> Zero for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            #[inline(always)]
            fn zero() -> Self {
                Self::ZERO
            }
            #[inline(always)]
            fn is_zero(&self) -> bool {
                self.0.to_i64() == 0
            }
        }
        impl<const W: u32, const F: i32> One for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            /// 1 rounded into the format: saturated to `MAX` when `MAX < 1`, and 0 when `F <= -1` (1 is at
            /// most half a quantum `2^-F >= 2`, so it rounds to 0): such formats have no multiplicative identity.
            #[inline(always)]
            fn one() -> Self {
                Self::from_int(1)
            }
        }
        impl<const W: u32, const F: i32> Num for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            type FromStrRadixErr = num_traits::ParseFloatError;
            /// Parses like `f64`'s `from_str_radix`, then rounds once into the format.
            fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
                <f64 as Num>::from_str_radix(s, radix).map(Self::from_f64)
            }
        }
        impl<const W: u32, const F: i32> Bounded for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            #[inline(always)]
            fn min_value() -> Self {
                Self::MIN
            }
            #[inline(always)]
            fn max_value() -> Self {
                Self::MAX
            }
        }
        impl<const W: u32, const F: i32> ToPrimitive for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            /// The value truncated toward zero, `None` if out of range.
            fn to_i64(&self) -> Option<i64> {
                $T::to_f64(*self).to_i64()
            }
            /// The value truncated toward zero, `None` if out of range (negative).
            fn to_u64(&self) -> Option<u64> {
                $T::to_f64(*self).to_u64()
            }
            fn to_i128(&self) -> Option<i128> {
                $T::to_f64(*self).to_i128()
            }
            fn to_u128(&self) -> Option<u128> {
                $T::to_f64(*self).to_u128()
            }
            /// `to_f32()`.
            fn to_f32(&self) -> Option<f32> {
                Some(Number::to_f32(*self))
            }
            /// The exact value.
            fn to_f64(&self) -> Option<f64> {
                Some($T::to_f64(*self))
            }
        }
        impl<const W: u32, const F: i32> FromPrimitive for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            /// Exact integer rounded once into the format (saturating): always `Some`.
            fn from_i64(n: i64) -> Option<Self> {
                Some(Self::from_int(n as i128))
            }
            /// Exact integer rounded once into the format (saturating): always `Some`.
            fn from_u64(n: u64) -> Option<Self> {
                Some(Self::from_int(n as i128))
            }
            fn from_i128(n: i128) -> Option<Self> {
                Some(Self::from_int(n.clamp(-(1 << 120), 1 << 120)))
            }
            fn from_u128(n: u128) -> Option<Self> {
                Some(Self::from_int(n.min(1 << 120) as i128))
            }
            /// `Number::from_f32` (saturating, NaN → 0): always `Some`.
            fn from_f32(x: f32) -> Option<Self> {
                Some(<Self as Number>::from_f32(x))
            }
            /// Rounded once (saturating, NaN → 0): always `Some`.
            fn from_f64(x: f64) -> Option<Self> {
                Some($T::from_f64(x))
            }
        }
        impl<const W: u32, const F: i32> NumCast for $T<W, F>
        where
            Bits<W>: StorageOf,
        {
            /// Rounds the exact value of `n` once into the format (saturating, NaN → 0); `None` only if `n`
            /// has no `f64` value.
            fn from<N: ToPrimitive>(n: N) -> Option<Self> {
                let f = n.to_f64()?;
                if f.abs() >= 9_007_199_254_740_992.0 && f.abs() < 1e36 {
                    if let Some(i) = n.to_i128() {
                        return Some(Self::from_int(i));
                    }
                }
                Some($T::from_f64(f))
            }
        }
    };
}

fixed_common!(Fixed, S, i32, true, 2, Fixed);
fixed_common!(UFixed, U, u32, false, 1, UFixed);

impl<const W: u32, const F: i32> Neg for Fixed<W, F>
where
    Bits<W>: StorageOf,
{
    type Output = Self;
    /// Exact negation, saturated (`-MIN` is `MAX`).
    #[inline(always)]
    fn neg(self) -> Self {
        Self::sat(-self.0.to_i64())
    }
}

impl<const W: u32, const F: i32> Signed for Fixed<W, F>
where
    Bits<W>: StorageOf,
{
    /// `|x|`, saturated (`MIN.abs()` is `MAX`).
    #[inline]
    fn abs(&self) -> Self {
        Self::sat(self.0.to_i64().abs())
    }
    /// `max(x - y, 0)`.
    #[inline]
    fn abs_sub(&self, other: &Self) -> Self {
        if *self <= *other {
            Self::ZERO
        } else {
            *self - *other
        }
    }
    /// 1, 0 or -1 rounded into the format (see [`One::one`]).
    #[inline]
    fn signum(&self) -> Self {
        Self::from_int(self.0.to_i64().signum() as i128)
    }
    #[inline]
    fn is_positive(&self) -> bool {
        self.0.to_i64() > 0
    }
    #[inline]
    fn is_negative(&self) -> bool {
        self.0.to_i64() < 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consts_and_layout() {
        type Q = Fixed<5, 3>;
        assert_eq!(core::mem::size_of::<Q>(), 1);
        assert_eq!(Q::RAW_MIN, -16);
        assert_eq!(Q::RAW_MAX, 15);
        assert_eq!(Q::MAX.to_f32(), 15.0 / 8.0);
        assert_eq!(Q::MIN.to_f32(), -2.0);
        assert_eq!(Q::DELTA.to_f32(), 0.125);
        assert_eq!(UFixed::<32, 0>::RAW_MAX, u32::MAX);
        assert_eq!(Fixed::<32, 0>::RAW_MIN, i32::MIN);
        const C: Fixed<8, 4> = Fixed::from_raw(200);
        assert_eq!(C.raw(), 127);
        assert_eq!(Fixed::<8, 4>::checked_from_raw(-129), None);
    }

    #[test]
    fn one_and_signum() {
        assert_eq!(Fixed::<8, 4>::one().to_f32(), 1.0);
        assert_eq!(Fixed::<4, 6>::one(), Fixed::<4, 6>::MAX);
        assert_eq!(Fixed::<4, -1>::one().to_f32(), 0.0); // 1 is half a quantum of 2: tie, to even (0)
        assert_eq!(
            <Fixed<8, 4> as Number>::from_f32(-3.0).signum().to_f32(),
            -1.0
        );
    }
}
