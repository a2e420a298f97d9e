//! The runtime number-format descriptor [`Format`]. (STUB: signatures fixed, bodies to be implemented.)
use core::fmt;
use core::str::FromStr;

/// A number format. Text form (spaces optional): `fixed<W,F>`, `ufixed<W,F>`, `float<E,M>`, `float<E,M,B>`,
/// `e4m3`, `e5m2`, `e3m2`, `e2m3`, `e2m1`, `bf16`, `f16`, `f32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Signed two's complement, `w` bits in all (2..=32), value = raw × 2^-f.
    Fixed {
        /// Total bits.
        w: u32,
        /// Fraction bits (binary point); may be negative or exceed `w`.
        f: i32,
    },
    /// Unsigned, `w` bits (1..=32), value = raw × 2^-f; negatives saturate to 0.
    UFixed {
        /// Total bits.
        w: u32,
        /// Fraction bits.
        f: i32,
    },
    /// Sign, `e` exponent bits, `m` mantissa bits, exponent bias `bias`, subnormals, every code finite.
    Float {
        /// Exponent bits.
        e: u32,
        /// Mantissa bits.
        m: u32,
        /// Exponent bias.
        bias: i32,
    },
    /// OCP FP8 E4M3 (bias 7, max 448, NaN at S.1111.111).
    E4M3,
    /// OCP FP8 E5M2 (bias 15, max 57344, IEEE-style inf/NaN codes).
    E5M2,
    /// bfloat16.
    Bf16,
    /// IEEE binary16.
    F16,
    /// IEEE binary32 (identity except NaN and infinities).
    F32,
}

/// Why a format text or descriptor is not valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError(pub String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for FormatError {}

/// Rounding mode of [`Format::quantize_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Rounding {
    /// Round to nearest, ties to even (the default everywhere).
    #[default]
    NearestEven,
    /// Round toward zero (truncate the magnitude).
    TowardZero,
    /// Stochastic rounding with the given seed.
    Stochastic(u64),
}

/// Overflow mode of [`Format::quantize_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Saturate to the largest finite magnitude (the default everywhere).
    #[default]
    Saturate,
    /// Wrap around (two's complement for fixed point).
    Wrap,
}

impl Format {
    /// Bits per value.
    pub fn bits(&self) -> u32 {
        todo!()
    }
    /// Largest finite value.
    pub fn max(&self) -> f32 {
        todo!()
    }
    /// Smallest positive value.
    pub fn min_positive(&self) -> f32 {
        todo!()
    }
    /// Round to nearest even, saturate; NaN maps to 0.
    pub fn quantize(&self, x: f32) -> f32 {
        let _ = x;
        todo!()
    }
    /// Quantize and return the code (low `bits()` bits).
    pub fn encode(&self, x: f32) -> u32 {
        let _ = x;
        todo!()
    }
    /// The value of a code.
    pub fn decode(&self, code: u32) -> f32 {
        let _ = code;
        todo!()
    }
    /// The Rust type of the static number with this format, as generated code names it.
    pub fn rust_type(&self) -> String {
        todo!()
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let _ = f;
        todo!()
    }
}

impl FromStr for Format {
    type Err = FormatError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let _ = s;
        todo!()
    }
}
