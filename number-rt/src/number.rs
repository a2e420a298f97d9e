//! The [`Number`] trait: what every static number type (and `f32`) offers generated code.
use crate::Format;

/// A number type with a fixed format, usable as a site type in tuned builds.
///
/// Invariant: `T::from_f32(x).to_f32() == T::FORMAT.quantize(x)` bit for bit, for every `x`.
pub trait Number: Copy + Default + PartialEq + PartialOrd + core::fmt::Debug + Send + Sync + 'static {
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
}

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
