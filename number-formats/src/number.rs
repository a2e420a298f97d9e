//! The [`Number`] trait: what every static number type (and `f32`) offers generated code.
use crate::Format;

/// Seals [`Number`]: a public trait in a private module, implemented by this crate's number types only.
mod private {
    pub trait Sealed {}
}
pub(crate) use private::Sealed;

/// A number type with a fixed format, usable as a site type in tuned builds.
///
/// Invariant: `T::from_f32(x).to_f32() == T::FORMAT.quantize(x)` bit for bit, for every `x` (tested
/// exhaustively for every code of the formats of at most 8 bits and by property tests for the others). Also
/// `T::from_code(c).to_f32() == T::FORMAT.decode(c)` and `T::from_f32(x).to_code() == T::FORMAT.encode(x)`.
///
/// Implementors: [`Fixed<W, F>`](crate::Fixed), [`UFixed<W, F>`](crate::UFixed),
/// [`Float<E, M, B>`](crate::Float) (and its aliases [`E3m2`](crate::E3m2), [`E2m3`](crate::E2m3),
/// [`E2m1`](crate::E2m1)), [`E4m3`](crate::E4m3), [`E5m2`](crate::E5m2), [`Bf16`](crate::Bf16),
/// [`F16`](crate::F16), and `f32` (format `f32`: identity, NaN → 0, ±inf → ±`f32::MAX`).
/// `number_contract::tuned_file::rust_type` names the implementor of a format as tuned.rs spells it.
///
/// The trait is sealed: the integer kernels of [`crate::dot`] compute exactly because they know every
/// implementor's grid, so no other crate may add one.
///
/// ```
/// use number_formats::{E4m3, Fixed, Format, Number};
/// fn site<T: Number>(x: f32) -> f32 {
///     T::quantize(x)
/// }
/// assert_eq!(site::<Fixed<8, 4>>(0.1), Format::Fixed { w: 8, f: 4 }.quantize(0.1));
/// assert_eq!(site::<E4m3>(300.0), 288.0);
/// assert_eq!(site::<f32>(f32::NAN), 0.0);
/// assert_eq!(E4m3::from_f32(1.0).to_code(), 0x38);
/// ```
pub trait Number:
    Sealed + Copy + Default + PartialEq + PartialOrd + core::fmt::Debug + Send + Sync + 'static
{
    /// The format of this type.
    const FORMAT: Format;
    /// Quantize (round to nearest even, saturate, NaN → 0).
    fn from_f32(x: f32) -> Self;
    /// The exact value (exact whenever the format fits f32; otherwise rounded to nearest even).
    fn to_f32(self) -> f32;
    /// The code of this value (`FORMAT.bits()` low bits).
    fn to_code(self) -> u32;
    /// The value of a code (bits above `FORMAT.bits()` are ignored).
    fn from_code(code: u32) -> Self;
    /// `from_f32(x).to_f32()`: the value a site of this type holds after assigning `x`.
    #[inline(always)]
    fn quantize(x: f32) -> f32 {
        Self::from_f32(x).to_f32()
    }
    /// Fixed-point types: `Some(Fixed { frac, raw_min, raw_max })` (value = raw · 2^-frac); `None` for floats.
    /// The integer kernels ([`crate::dot`]) use it to compute exactly in integers.
    const FIXED: Option<FixedInfo> = None;
    /// The raw integer (value · 2^frac) of a fixed-point value; 0 for other types.
    #[inline(always)]
    fn raw(self) -> i64 {
        0
    }
    /// A tensor of this type from f32 values: `from_f32` of each value, except for block formats
    /// ([`Blocked`](crate::Blocked)), whose blocks of consecutive values share a binary point. Equal to
    /// [`Format::quantize_slice`] of `T::FORMAT` on the same values, bit for bit. Weight loaders use it.
    ///
    /// ```
    /// use number_formats::{Fixed, Number};
    /// let w = Fixed::<4, 2>::from_f32_slice(&[0.3, -1.0]);
    /// assert_eq!((w[0].to_f32(), w[1].to_f32()), (0.25, -1.0));
    /// ```
    fn from_f32_slice(xs: &[f32]) -> alloc::vec::Vec<Self> {
        xs.iter().map(|&x| Self::from_f32(x)).collect()
    }
    /// The raw integers of a slice of this type when each is stored in one byte (fixed point of at most 8
    /// bits), for the integer kernels ([`crate::dot`]) to read directly; [`Raw::Other`](crate::dot::Raw) for
    /// every other type.
    #[doc(hidden)]
    #[inline(always)]
    fn raw_slice(s: &[Self]) -> crate::dot::Raw<'_> {
        let _ = s;
        crate::dot::Raw::Other
    }
}

/// The integer layout of a fixed-point [`Number`]: value = raw · 2^-`frac`, raw in `raw_min..=raw_max`.
///
/// ```
/// use number_formats::{Fixed, Number};
/// let i = <Fixed<4, 2> as Number>::FIXED.unwrap();
/// assert_eq!((i.frac, i.raw_min, i.raw_max), (2, -8, 7));
/// assert_eq!(Fixed::<4, 2>::from_f32(-1.25).raw(), -5);
/// assert!(<f32 as Number>::FIXED.is_none());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedInfo {
    /// Fraction bits F.
    pub frac: i32,
    /// Smallest raw value.
    pub raw_min: i64,
    /// Largest raw value.
    pub raw_max: i64,
}

impl FixedInfo {
    /// The largest raw magnitude.
    pub const fn max_abs(&self) -> i64 {
        let (a, b) = (self.raw_min.unsigned_abs(), self.raw_max.unsigned_abs());
        (if a > b { a } else { b }) as i64
    }
}

impl Sealed for f32 {}

impl Number for f32 {
    const FORMAT: Format = Format::F32;
    #[inline(always)]
    fn from_f32(x: f32) -> Self {
        if x.is_nan() {
            0.0
        } else {
            x.clamp(f32::MIN, f32::MAX)
        }
    }
    #[inline(always)]
    fn to_f32(self) -> f32 {
        self
    }
    #[inline(always)]
    fn to_code(self) -> u32 {
        self.to_bits()
    }
    #[inline(always)]
    fn from_code(code: u32) -> Self {
        f32::from_bits(code)
    }
}
