//! The runtime number-format descriptor [`Format`]: validation, text form, exact quantisation, codes.
//!
//! Every format has a static twin (see [`Number`](crate::Number)) with identical semantics; the kernels that round
//! are shared, so `T::from_f32(x).to_f32() == T::FORMAT.quantize(x)` bit for bit.
extern crate alloc;
use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;
use core::ops::RangeInclusive;
use core::str::FromStr;

use crate::kernel::{self, FloatParams, Mode, Special, pow2};

/// A number format: the runtime descriptor used by the tuner and by calibrate-mode emulation.
///
/// # Text form
///
/// Spaces are optional anywhere between tokens, names are case-insensitive, [`Display`](fmt::Display) prints
/// the canonical form (lower case, no spaces) which parses back to an equal `Format`:
///
/// | text | value |
/// | --- | --- |
/// | `fixed<W,F>` | [`Format::Fixed`] `{ w: W, f: F }` |
/// | `ufixed<W,F>` | [`Format::UFixed`] `{ w: W, f: F }` |
/// | `float<E,M>` | [`Format::Float`] `{ e: E, m: M, bias: 2^(E-1)-1 }` |
/// | `float<E,M,B>` | [`Format::Float`] `{ e: E, m: M, bias: B }` |
/// | `e3m2`, `e2m3`, `e2m1` | `float<3,2>`, `float<2,3>`, `float<2,1>` (OCP MX FP6/FP4; printed by name) |
/// | `e4m3`, `e5m2` | [`Format::E4M3`], [`Format::E5M2`] (OCP FP8, *not* `float<4,3>`/`float<5,2>`) |
/// | `bf16`, `f16`, `f32` | [`Format::Bf16`], [`Format::F16`], [`Format::F32`] |
/// | `binary<F>` | [`Format::Binary`] `{ f: F }`: one bit, `±2^-F` |
/// | `block<W,F,N>` | [`Format::Block`] `{ w: W, f: F, len: N }`: a binary point per block of `N` values |
/// | `codebook<K,F,[t0,…]>` | [`Format::Codebook`] `{ k: K, f: F, table }`: `2^K` table values `t_i·2^-F` |
///
/// # Semantics
///
/// - [`quantize`](Format::quantize) rounds to the nearest value of the format, ties to even, and saturates:
///   values beyond the range (and `±inf`) become the largest finite value of their sign (for signed fixed
///   point the most negative value `-2^(W-1)·2^-F`; for `ufixed` every negative value becomes 0). NaN becomes
///   `+0.0` (the profiler counts NaNs separately). `binary<F>` has no zero: its value is the sign of `x`
///   times `2^-F` (see [`Format::Binary`]).
/// - Zero: fixed-point formats have a single zero and always return `+0.0`; float formats keep the sign, so
///   `-0.0` and negative values that round to zero return `-0.0` (as IEEE conversions do). `f32` returns `x`.
/// - The result is returned as `f32`. It is exact for every float format and for fixed formats whose raw value
///   has at most 24 significant bits (always when `W <= 24`); a wider fixed value is returned rounded to the
///   nearest `f32` (ties to even).
///
/// Methods other than the constructors and [`validate`](Format::validate) assume a valid format (the
/// constructors, [`FromStr`] and [`from_bytes`](Format::from_bytes) only produce valid ones); on an invalid
/// hand-built value they return unspecified results or panic.
///
/// ```
/// use number_formats::Format;
/// let f: Format = "fixed<4, 2>".parse().unwrap();
/// assert_eq!(f, Format::Fixed { w: 4, f: 2 });
/// assert_eq!(f.to_string(), "fixed<4,2>");
/// assert_eq!(f.quantize(0.375), 0.5); // 1.5 quanta → 2 (even)
/// assert_eq!(f.quantize(-10.0), -2.0); // saturates to the most negative value
/// assert_eq!(f.encode(-0.25), 0b1111);
///
/// let e: Format = "e4m3".parse().unwrap();
/// assert_eq!(e.max(), 448.0);
/// assert_eq!(e.quantize(1000.0), 448.0);
/// assert_eq!(e.quantize(f32::NAN), 0.0);
/// assert_eq!("float<3,2>".parse::<Format>().unwrap().to_string(), "e3m2");
/// ```
///
/// `Format` deliberately does not implement `Ord`: `Ord::max(self, other)` would shadow [`Format::max`] in
/// method calls on a `Format` value (`f.max()` would not compile).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd)]
pub enum Format {
    /// `fixed<W,F>`: signed two's complement, `w` bits in all (`2..=32`), value = raw × 2^-f, raw in
    /// `-2^(w-1) ..= 2^(w-1)-1`. `f` is in `-64..=64` ([`Format::FRAC_RANGE`]); it may be negative or exceed
    /// `w` (the binary point may sit outside the word).
    Fixed {
        /// Total bits.
        w: u32,
        /// Fraction bits (binary point); may be negative or exceed `w`.
        f: i32,
    },
    /// `ufixed<W,F>`: unsigned, `w` bits (`1..=32`), value = raw × 2^-f, raw in `0 ..= 2^w-1`; negatives
    /// saturate to 0. `f` in `-64..=64`.
    UFixed {
        /// Total bits.
        w: u32,
        /// Fraction bits.
        f: i32,
    },
    /// `float<E,M,B>`: sign bit, `e` exponent bits (`1..=8`), `m` mantissa bits (`0..=23`), exponent bias
    /// `bias`, with subnormals, and **every code a finite number** (no inf/NaN codes, as the OCP MX element
    /// formats). A code `s.x.y` (exponent field x, mantissa field y) is `(-1)^s · 2^(x-bias) · (1 + y/2^m)` for
    /// `x > 0` and `(-1)^s · 2^(1-bias) · y/2^m` for `x = 0`. Largest value `(2 - 2^-m)·2^(2^e-1-bias)`,
    /// smallest positive `2^(1-bias-m)`. The bias must lie in [`Format::bias_range`] so that every value is an
    /// `f32` (finite, not below the `f32` subnormal grid).
    Float {
        /// Exponent bits.
        e: u32,
        /// Mantissa bits.
        m: u32,
        /// Exponent bias.
        bias: i32,
    },
    /// OCP FP8 E4M3: bias 7, subnormals, max 448, no infinities, NaN only at `S.1111.111`.
    E4M3,
    /// OCP FP8 E5M2: bias 15, subnormals, max 57344, IEEE-style infinities and NaNs (exponent 11111).
    E5M2,
    /// bfloat16: the upper 16 bits of an IEEE binary32 (bias 127, 7 mantissa bits, max ≈ 3.39e38).
    Bf16,
    /// IEEE binary16: bias 15, 10 mantissa bits, max 65504.
    F16,
    /// IEEE binary32: identity, except that NaN becomes `+0.0` and `±inf` become `±f32::MAX`.
    F32,
    /// `binary<F>`: one bit per value, the sign: code 0 is `+2^-F`, code 1 is `-2^-F` (no zero). `x` with its
    /// sign bit set (negative numbers, `-0.0`, `-inf`) becomes `-2^-F`, everything else (also `+0.0` and NaN)
    /// `+2^-F` — the nearest value for every non-zero `x`. The binarised weights of BinaryConnect/XNOR-Net with
    /// a power-of-two scale; `f` in `-64..=64`. As an integer it is `raw · 2^-F` with `raw ∈ {-1, +1}`.
    ///
    /// ```
    /// use number_formats::Format;
    /// let b: Format = "binary<3>".parse().unwrap();
    /// assert_eq!((b.quantize(0.9), b.quantize(-1e-9), b.quantize(0.0)), (0.125, -0.125, 0.125));
    /// assert_eq!((b.encode(2.0), b.encode(-2.0), b.bits()), (0, 1, 1));
    /// ```
    Binary {
        /// The value's exponent is `-f`.
        f: i32,
    },
    /// `block<W,F,N>`: signed fixed point of `w` bits (`2..=7`; `1`: `binary`) with one binary point per block
    /// of `len` consecutive values (`1..=65535`), chosen per block in `f ..= finest(w, f)`
    /// ([`finest`](crate::blocked::finest): `f + 8 - w`, `f + 6` for `w = 1`). Exact
    /// semantics in the [`blocked`](crate::blocked) module: for weight tensors (per-channel fixed point when
    /// `len` is the row length); [`quantize_slice`](Format::quantize_slice) cuts blocks, a single value
    /// ([`quantize`](Format::quantize)) is a block of one. Every value lies on the grid of `fixed<8, f+8-w>`,
    /// and [`encode`](Format::encode)/[`decode`](Format::decode) use that 8-bit raw integer as the code; storage
    /// is `w` bits per value plus 3 per block ([`storage_bits`](Format::storage_bits)).
    ///
    /// ```
    /// use number_formats::Format;
    /// let b: Format = "block<4,0,2>".parse().unwrap();
    /// let mut xs = [3.0f32, -7.9, 0.2, 0.1];
    /// b.quantize_slice(&mut xs);
    /// assert_eq!(xs, [3.0, -8.0, 0.1875, 0.125]); // fixed<4,0>, then fixed<4,4> (the finest, F + 8 - W)
    /// assert_eq!(b.quantize(0.2), 0.1875); // a block of one: also fixed<4,4>
    /// ```
    Block {
        /// Bits per value (1: binary blocks).
        w: u32,
        /// The coarsest binary point; block `b` uses `f ..= finest(w, f)`.
        f: i32,
        /// Values per block.
        len: u32,
    },
    /// `codebook<K,F,[t0,…,t(2^K−1)]>`: a `k`-bit index (`1..=4`) into a table of `2^k` values `t_i · 2^-f`,
    /// `t_i` in `-128..=127` strictly ascending (`table[2^k..]` is 0), `f` in `-64..=64`; an all-zero `table` is
    /// the unfitted `codebook<K,F>` (fitted per tensor, see the [`codebook`](crate::codebook) module). Rounds to the nearest
    /// table value, ties to the smaller one, saturating to the table's ends; NaN is read as `+0.0`; zero is
    /// `+0.0`. The code is the index. Storage: `k` bits per value plus `2^k · 8` bits of table
    /// ([`storage_bits`](Format::storage_bits)). A per-tensor table for weights, fitted by
    /// [`codebook::fit`](crate::codebook::fit); exact semantics in the [`codebook`](crate::codebook) module.
    ///
    /// ```
    /// use number_formats::Format;
    /// let c: Format = "codebook<1,3,[-5,2]>".parse().unwrap();
    /// // Midpoint -1.5 · 2^-3 = -0.1875: below it -0.625, above it 0.25.
    /// assert_eq!((c.quantize(-0.2), c.quantize(-0.1), c.encode(7.0), c.decode(0)), (-0.625, 0.25, 1, -0.625));
    /// ```
    Codebook {
        /// Index bits.
        k: u32,
        /// Fraction bits of the table's entries.
        f: i32,
        /// The entries (the first `2^k`; the rest 0).
        table: [i8; 16],
    },
}

/// Why a format text or descriptor is not valid. The message says what was expected and quotes the input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FormatError(pub String);

/// Rounding mode of [`Format::quantize_with`] and [`Quantizer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Rounding {
    /// Round to nearest, ties to even (the default everywhere).
    #[default]
    NearestEven,
    /// Round toward zero (truncate the magnitude).
    TowardZero,
    /// Stochastic rounding with the given seed: a value between neighbours `a < x < b` rounds to `b` with
    /// probability `(x - a)/(b - a)` (to a resolution of 2^-53); values of the format are returned unchanged.
    /// The draw is deterministic: [`Format::quantize_with`] derives it from the seed and the bits of `x`;
    /// [`Quantizer`] from the seed and a counter of values quantised so far.
    Stochastic(u64),
}

/// Overflow mode of [`Format::quantize_with`] and [`Quantizer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Saturate to the largest finite magnitude (the default everywhere).
    #[default]
    Saturate,
    /// Wrap around: the rounded raw integer is reduced modulo 2^W (two's complement for `fixed`, plain modulo
    /// for `ufixed`, so `-1` quantum wraps to the largest code). Only fixed-point formats support it; `±inf`
    /// still saturate and NaN still becomes 0.
    Wrap,
}

const EXPECTED: &str = "fixed<W,F>, ufixed<W,F>, binary<F>, block<W,F,N>, codebook<K,F,[t0,..]>, float<E,M>, float<E,M,B>, e4m3, e5m2, e3m2, e2m3, e2m1, bf16, f16 or f32";

fn err(msg: String) -> FormatError {
    FormatError(msg)
}

impl Format {
    /// OCP MX FP6 E3M2 = `float<3,2,3>` (max 28).
    pub const E3M2: Format = Format::Float {
        e: 3,
        m: 2,
        bias: 3,
    };
    /// OCP MX FP6 E2M3 = `float<2,3,1>` (max 7.5).
    pub const E2M3: Format = Format::Float {
        e: 2,
        m: 3,
        bias: 1,
    };
    /// OCP MX FP4 E2M1 = `float<2,1,1>` (max 6).
    pub const E2M1: Format = Format::Float {
        e: 2,
        m: 1,
        bias: 1,
    };
    /// Allowed fraction bits `F` of `fixed<W,F>` and `ufixed<W,F>`: `-64..=64`. Every value then lies within
    /// `2^-64 ..= 2^96`, well inside `f32`, and `x·2^F` is exact in `f64` for every `f32` `x`.
    pub const FRAC_RANGE: RangeInclusive<i32> = -64..=64;
    /// The named formats, in text order (`e4m3 e5m2 e3m2 e2m3 e2m1 bf16 f16 f32`).
    pub const NAMED: [(&'static str, Format); 8] = [
        ("e4m3", Format::E4M3),
        ("e5m2", Format::E5M2),
        ("e3m2", Format::E3M2),
        ("e2m3", Format::E2M3),
        ("e2m1", Format::E2M1),
        ("bf16", Format::Bf16),
        ("f16", Format::F16),
        ("f32", Format::F32),
    ];

    /// A validated `fixed<W,F>`.
    pub fn fixed(w: u32, f: i32) -> Result<Format, FormatError> {
        let fmt = Format::Fixed { w, f };
        fmt.validate().map(|()| fmt)
    }

    /// A validated `ufixed<W,F>`.
    pub fn ufixed(w: u32, f: i32) -> Result<Format, FormatError> {
        let fmt = Format::UFixed { w, f };
        fmt.validate().map(|()| fmt)
    }

    /// A validated `binary<F>` (`±2^-F`).
    pub fn binary(f: i32) -> Result<Format, FormatError> {
        let fmt = Format::Binary { f };
        fmt.validate().map(|()| fmt)
    }

    /// A validated `float<E,M>` with the default bias `2^(E-1)-1`.
    pub fn float(e: u32, m: u32) -> Result<Format, FormatError> {
        if !(1..=8).contains(&e) {
            return Err(err(format!(
                "float<E,M>: E must be in 1..=8, found E = {e} (in `float<{e},{m}>`)"
            )));
        }
        Format::float_with_bias(e, m, Format::default_bias(e))
    }

    /// A validated `float<E,M,B>`.
    pub fn float_with_bias(e: u32, m: u32, bias: i32) -> Result<Format, FormatError> {
        let fmt = Format::Float { e, m, bias };
        fmt.validate().map(|()| fmt)
    }

    /// The default exponent bias `2^(E-1) - 1` of `float<E,M>`.
    pub const fn default_bias(e: u32) -> i32 {
        (1i32 << (e - 1)) - 1
    }

    /// The allowed biases of `float<E,M,B>`: `2^E - 128 ..= 150 - M`. The lower bound keeps the largest value
    /// `(2-2^-M)·2^(2^E-1-B)` within `f32::MAX`; the upper bound keeps the smallest positive value
    /// `2^(1-B-M)` on the `f32` grid (`>= 2^-149`). So every value of the format is exactly an `f32`.
    /// (For `E = 8` the default bias 127 is therefore *not* allowed: the all-finite top binade would exceed
    /// `f32`; use `B >= 128` or `bf16`.)
    pub const fn bias_range(e: u32, m: u32) -> RangeInclusive<i32> {
        ((1i32 << e) - 128)..=(150 - m as i32)
    }

    /// Checks the parameters; the error says which one is out of range and quotes the format.
    pub fn validate(&self) -> Result<(), FormatError> {
        match *self {
            Format::Fixed { w, f } | Format::UFixed { w, f } => {
                let signed = matches!(self, Format::Fixed { .. });
                let name = if signed { "fixed" } else { "ufixed" };
                let wmin = if signed { 2 } else { 1 };
                if !(wmin..=32).contains(&w) {
                    return Err(err(format!(
                        "{name}<W,F>: W (total bits) must be in {wmin}..=32, found W = {w} (in `{name}<{w},{f}>`)"
                    )));
                }
                if !Format::FRAC_RANGE.contains(&f) {
                    return Err(err(format!(
                        "{name}<W,F>: F (fraction bits) must be in -64..=64, found F = {f} (in `{name}<{w},{f}>`)"
                    )));
                }
                Ok(())
            }
            Format::Block { w, f, len } => {
                let text = format!("block<{w},{f},{len}>");
                if !(1..=7).contains(&w) {
                    return Err(err(format!(
                        "block<W,F,N>: W must be in 1..=7, found W = {w} (in `{text}`)"
                    )));
                }
                let top = 64 - crate::blocked::finest(w, 0);
                if !(-64..=top).contains(&f) {
                    return Err(err(format!(
                        "block<W,F,N>: F must be in -64..={top} (the finest block binary point within 64), found F = {f} (in `{text}`)"
                    )));
                }
                if !(1..=65535).contains(&len) {
                    return Err(err(format!(
                        "block<W,F,N>: N must be in 1..=65535, found N = {len} (in `{text}`)"
                    )));
                }
                Ok(())
            }
            Format::Codebook { k, f, table } => {
                crate::codebook::validate(k, f, &table).map_err(err)
            }
            Format::Binary { f } => {
                if !Format::FRAC_RANGE.contains(&f) {
                    return Err(err(format!(
                        "binary<F>: F must be in -64..=64, found F = {f} (in `binary<{f}>`)"
                    )));
                }
                Ok(())
            }
            Format::Float { e, m, bias } => {
                let text = format!("float<{e},{m},{bias}>");
                if !(1..=8).contains(&e) {
                    return Err(err(format!(
                        "float<E,M,B>: E must be in 1..=8, found E = {e} (in `{text}`)"
                    )));
                }
                if m > 23 {
                    return Err(err(format!(
                        "float<E,M,B>: M must be in 0..=23, found M = {m} (in `{text}`)"
                    )));
                }
                let r = Format::bias_range(e, m);
                if !r.contains(&bias) {
                    let why = if bias < *r.start() {
                        "the largest value would exceed f32::MAX"
                    } else {
                        "the smallest value would be below the f32 subnormal grid 2^-149"
                    };
                    let none = if r.is_empty() {
                        " (no bias works for this E and M)"
                    } else {
                        ""
                    };
                    return Err(err(format!(
                        "float<{e},{m},B>: B must be in {}..={}{none}, found B = {bias}: {why} (in `{text}`)",
                        r.start(),
                        r.end()
                    )));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Bits per value (code width).
    #[inline]
    pub const fn bits(&self) -> u32 {
        match *self {
            Format::Fixed { w, .. } | Format::UFixed { w, .. } => w,
            Format::Binary { .. } => 1,
            Format::Block { w, .. } => w,
            Format::Codebook { k, .. } => k,
            Format::Float { e, m, .. } => 1 + e + m,
            Format::E4M3 | Format::E5M2 => 8,
            Format::Bf16 | Format::F16 => 16,
            Format::F32 => 32,
        }
    }

    /// Bits of one code as [`encode`](Format::encode) returns it: [`bits`](Format::bits), except 8 for
    /// `block<W,F,N>` (whose code is the raw integer on the 8-bit container grid).
    pub const fn code_bits(&self) -> u32 {
        match *self {
            Format::Block { .. } => 8,
            Format::Codebook { table, .. } if crate::codebook::unfitted(&table) => 8,
            _ => self.bits(),
        }
    }

    /// Bits that `n` values of this format occupy in storage: `n · bits()`, plus 3 bits per block for
    /// `block<W,F,N>` (its block binary points), plus `2^K · 8` for the table of `codebook<K,F,[..]>`.
    ///
    /// ```
    /// use number_formats::Format;
    /// assert_eq!(Format::fixed(4, 2).unwrap().storage_bits(10), 40);
    /// assert_eq!("block<4,2,8>".parse::<Format>().unwrap().storage_bits(10), 40 + 2 * 3);
    /// ```
    pub const fn storage_bits(&self, n: u64) -> u64 {
        let extra = match *self {
            Format::Block { len, .. } => {
                n.div_ceil(len as u64) * crate::blocked::BLOCK_EXP_BITS as u64
            }
            Format::Codebook { k, .. } => (1u64 << k) * crate::codebook::ENTRY_BITS as u64,
            _ => 0,
        };
        n * self.bits() as u64 + extra
    }

    /// Whether the format has negative values (all but `ufixed` and codebooks whose entries are all >= 0).
    #[inline]
    pub const fn is_signed(&self) -> bool {
        match *self {
            Format::UFixed { .. } => false,
            Format::Codebook { table, .. } => table[0] < 0 || crate::codebook::unfitted(&table),
            _ => true,
        }
    }

    /// Whether this is a fixed-point format (`fixed` or `ufixed`).
    #[inline]
    pub const fn is_fixed(&self) -> bool {
        matches!(self, Format::Fixed { .. } | Format::UFixed { .. })
    }

    /// `(2^F, 2^-F, lowest raw, highest raw)` of a fixed format.
    #[inline(always)]
    fn fixed_params(w: u32, f: i32, signed: bool) -> (f64, f64, f64, f64) {
        let (lo, hi) = if signed {
            (-((1i64 << (w - 1)) as f64), ((1i64 << (w - 1)) - 1) as f64)
        } else {
            (0.0, ((1i64 << w) - 1) as f64)
        };
        (pow2(f), pow2(-f), lo, hi)
    }

    /// Layout of a float format (`None` for fixed and `f32`).
    #[inline(always)]
    fn float_layout(&self) -> Option<(u32, FloatParams, Special)> {
        Some(match *self {
            Format::Float { e, m, bias } => (e, FloatParams::all_finite(e, m, bias), Special::None),
            Format::E4M3 => (4, FloatParams::E4M3, Special::Ocp),
            Format::E5M2 => (5, FloatParams::E5M2, Special::Ieee),
            Format::F16 => (5, FloatParams::F16, Special::Ieee),
            Format::Bf16 => (8, FloatParams::BF16, Special::Ieee),
            _ => return None,
        })
    }

    /// Largest finite value.
    pub fn max(&self) -> f32 {
        match *self {
            Format::Fixed { w, f } => (((1i64 << (w - 1)) - 1) as f64 * pow2(-f)) as f32,
            Format::UFixed { w, f } => (((1i64 << w) - 1) as f64 * pow2(-f)) as f32,
            Format::Binary { f } => pow2(-f) as f32,
            Format::Block { w: 1, f, .. } => pow2(-f) as f32,
            Format::Block { w, f, .. } => (((1i64 << (w - 1)) - 1) as f64 * pow2(-f)) as f32,
            Format::Codebook { f, table, .. } if crate::codebook::unfitted(&table) => {
                Format::Fixed { w: 8, f }.max()
            }
            Format::Codebook { k, f, table } => crate::codebook::value(table[(1 << k) - 1], f),
            Format::F32 => f32::MAX,
            _ => self.float_layout().map_or(0.0, |(_, p, _)| p.max as f32),
        }
    }

    /// Most negative finite value: `-2^(W-1)·2^-F` for `fixed`, 0 for `ufixed`, `-max()` for floats, the first
    /// entry for a codebook.
    pub fn lowest(&self) -> f32 {
        match *self {
            Format::Fixed { w, f } | Format::Block { w, f, .. } => {
                (-((1i64 << (w - 1)) as f64) * pow2(-f)) as f32
            }
            Format::UFixed { .. } => 0.0,
            Format::Codebook { f, table, .. } if crate::codebook::unfitted(&table) => {
                Format::Fixed { w: 8, f }.lowest()
            }
            Format::Codebook { f, table, .. } => crate::codebook::value(table[0], f),
            _ => -self.max(),
        }
    }

    /// Smallest positive value: `2^-F` for fixed point and `binary<F>`, the smallest subnormal `2^(1-B-M)` for floats
    /// (`2^-149` for `f32`), the smallest positive entry of a codebook (0 if it has none).
    pub fn min_positive(&self) -> f32 {
        match *self {
            Format::Fixed { f, .. } | Format::UFixed { f, .. } | Format::Binary { f } => {
                pow2(-f) as f32
            }
            Format::Block { w, f, .. } => pow2(-crate::blocked::finest(w, f)) as f32,
            Format::Codebook { f, table, .. } if crate::codebook::unfitted(&table) => {
                pow2(-f) as f32
            }
            Format::Codebook { k, f, table } => table[..1 << k]
                .iter()
                .find(|&&t| t > 0)
                .map_or(0.0, |&t| crate::codebook::value(t, f)),
            Format::F32 => f32::from_bits(1),
            _ => self
                .float_layout()
                .map_or(0.0, |(_, p, _)| pow2(p.emin - p.m as i32) as f32),
        }
    }

    /// Rounds `x` to the nearest value of the format (ties to even) and saturates; NaN → `+0.0`. See the type's
    /// documentation for the exact semantics. Called per multiply-accumulate in emulation: no allocation, no
    /// branches in the fixed-point arms beyond the `match`.
    #[inline]
    pub fn quantize(&self, x: f32) -> f32 {
        match *self {
            Format::F32 => <f32 as crate::Number>::from_f32(x),
            Format::Fixed { w, f } => quantize_fixed(x, w, f, true),
            Format::UFixed { w, f } => quantize_fixed(x, w, f, false),
            Format::Binary { f } => quantize_binary(x, f),
            Format::Block { w, f, .. } => {
                crate::blocked::quantize_one(x, w, f) as f32
                    * kernel::pow2_f32(-crate::blocked::finest(w, f))
            }
            Format::Float { e, m, bias } => quantize_float(x, FloatParams::all_finite(e, m, bias)),
            Format::E4M3 => quantize_float(x, FloatParams::E4M3),
            Format::E5M2 => quantize_float(x, FloatParams::E5M2),
            Format::F16 => quantize_float(x, FloatParams::F16),
            Format::Bf16 => kernel::bf16_rne(kernel::nan_to_zero(x)),
            Format::Codebook { f, table, .. } if crate::codebook::unfitted(&table) => {
                quantize_fixed(x, 8, f, true)
            }
            Format::Codebook { k, f, table } => {
                crate::codebook::value(table[crate::codebook::index(x, &table[..1 << k], f)], f)
            }
        }
    }

    /// [`quantize`](Format::quantize) of an `f64`, with a *single* rounding from the `f64` value (not via
    /// `f32`). Used for the exact result of an operation on two values: the static types' operators equal
    /// `FORMAT.quantize_f64(exact result)`. For `f32` this is `x as f32`, saturated.
    #[inline]
    pub fn quantize_f64(&self, x: f64) -> f32 {
        let x = if x.is_nan() { 0.0 } else { x };
        match *self {
            Format::F32 => {
                let y = x as f32;
                y.clamp(f32::MIN, f32::MAX)
            }
            Format::Fixed { w, f } => {
                let (scale, inv, lo, hi) = Format::fixed_params(w, f, true);
                (kernel::fixed_raw_f64(x, scale, lo, hi) * inv) as f32
            }
            Format::UFixed { w, f } => {
                let (scale, inv, lo, hi) = Format::fixed_params(w, f, false);
                (kernel::fixed_raw_f64(x, scale, lo, hi) * inv) as f32
            }
            Format::Binary { f } => quantize_binary(x as f32, f),
            Format::Block { .. } => self.quantize(x as f32),
            Format::Codebook { f, table, .. } if crate::codebook::unfitted(&table) => {
                Format::Fixed { w: 8, f }.quantize_f64(x)
            }
            Format::Codebook { k, f, table } => {
                crate::codebook::value(table[crate::codebook::index_f64(x, &table[..1 << k], f)], f)
            }
            _ => {
                let (_, p, _) =
                    self.float_layout()
                        .unwrap_or((0, FloatParams::E4M3, Special::None));
                kernel::float_rne(x, p) as f32
            }
        }
    }

    /// Quantizes every element in place; equal to `*x = self.quantize(*x)` for each, except for
    /// [`Format::Block`], which cuts `xs` into its blocks. The `match` is hoisted out of the loop; the
    /// fixed-point loop is branch-free and auto-vectorizes.
    pub fn quantize_slice(&self, xs: &mut [f32]) {
        match *self {
            Format::F32 => xs
                .iter_mut()
                .for_each(|x| *x = <f32 as crate::Number>::from_f32(*x)),
            Format::Fixed { w, f } | Format::UFixed { w, f } => {
                let (scale, inv, lo, hi) = Format::fixed_params(w, f, self.is_signed());
                if w <= kernel::NARROW_FIXED {
                    fixed_slice32(xs, scale as f32, inv as f32, lo as f32, hi as f32);
                } else {
                    fixed_slice(xs, scale, inv, lo, hi);
                }
            }
            Format::Binary { f } => xs.iter_mut().for_each(|x| *x = quantize_binary(*x, f)),
            Format::Block { w, f, len } => crate::blocked::quantize_blocks(xs, w, f, len),
            Format::Float { e, m, bias } => float_slice(xs, FloatParams::all_finite(e, m, bias)),
            Format::E4M3 => float_slice(xs, FloatParams::E4M3),
            Format::E5M2 => float_slice(xs, FloatParams::E5M2),
            Format::F16 => float_slice(xs, FloatParams::F16),
            Format::Bf16 => xs
                .iter_mut()
                .for_each(|x| *x = kernel::bf16_rne(kernel::nan_to_zero(*x))),
            Format::Codebook { k, f, table } if crate::codebook::unfitted(&table) => {
                if let Ok(fitted) = crate::codebook::fit(xs, None, k, f) {
                    fitted.quantize_slice(xs);
                }
            }
            Format::Codebook { .. } => xs.iter_mut().for_each(|x| *x = self.quantize(*x)),
        }
    }

    /// Checks that a rounding/overflow combination is supported by this format ([`Overflow::Wrap`] needs a
    /// fixed-point format).
    pub fn check_modes(&self, rounding: Rounding, overflow: Overflow) -> Result<(), FormatError> {
        let _ = rounding;
        if matches!(self, Format::Block { .. } | Format::Codebook { .. })
            && (rounding, overflow) != (Rounding::NearestEven, Overflow::Saturate)
        {
            return Err(err(format!(
                "`{self}` (a block or codebook format) rounds to nearest even and saturates only: use Rounding::NearestEven and Overflow::Saturate"
            )));
        }
        if overflow == Overflow::Wrap && !self.is_fixed() {
            return Err(err(format!(
                "overflow mode Wrap is defined only for fixed-point formats (fixed<W,F>, ufixed<W,F>), \
                 not for `{self}`: use Overflow::Saturate"
            )));
        }
        Ok(())
    }

    /// Quantizes with an explicit rounding and overflow mode. `quantize_with(x, NearestEven, Saturate)` equals
    /// [`quantize`](Format::quantize). For [`Rounding::Stochastic`] the random draw is a hash of the seed and
    /// the bits of `x` (deterministic, stateless); use a [`Quantizer`] for independent draws over a stream.
    /// Errors if the modes are not supported (see [`check_modes`](Format::check_modes)).
    ///
    /// ```
    /// use number_formats::{Format, Overflow, Rounding};
    /// let f = Format::fixed(4, 0).unwrap(); // -8..=7
    /// assert_eq!(f.quantize_with(2.7, Rounding::TowardZero, Overflow::Saturate), Ok(2.0));
    /// assert_eq!(f.quantize_with(9.0, Rounding::NearestEven, Overflow::Wrap), Ok(-7.0));
    /// assert!(Format::E4M3.quantize_with(1.0, Rounding::NearestEven, Overflow::Wrap).is_err());
    /// ```
    pub fn quantize_with(
        &self,
        x: f32,
        rounding: Rounding,
        overflow: Overflow,
    ) -> Result<f32, FormatError> {
        self.check_modes(rounding, overflow)?;
        let mode = match rounding {
            Rounding::NearestEven => Mode::Nearest,
            Rounding::TowardZero => Mode::TowardZero,
            Rounding::Stochastic(seed) => Mode::Stochastic(kernel::unit(kernel::splitmix64(
                seed ^ kernel::splitmix64(x.to_bits() as u64),
            ))),
        };
        Ok(self.quantize_mode(x, mode, overflow))
    }

    /// The modes have been checked.
    fn quantize_mode(&self, x: f32, mode: Mode, overflow: Overflow) -> f32 {
        let x = kernel::nan_to_zero(x);
        match *self {
            Format::F32 => <f32 as crate::Number>::from_f32(x),
            Format::Fixed { w, f } | Format::UFixed { w, f } => {
                let (scale, inv, lo, hi) = Format::fixed_params(w, f, self.is_signed());
                let y = x as f64 * scale;
                let r = if overflow == Overflow::Wrap && y.is_finite() {
                    let low = kernel::wrap_low_bits(kernel::fixed_round_unclamped(y, mode), w);
                    if self.is_signed() {
                        ((low << (64 - w)) as i64 >> (64 - w)) as f64
                    } else {
                        low as f64
                    }
                } else {
                    kernel::fixed_round_with(y, lo, hi, mode)
                };
                (r * inv) as f32
            }
            // One rounding candidate per sign: every mode gives the sign's value.
            Format::Binary { f } => quantize_binary(x, f),
            Format::Block { .. } | Format::Codebook { .. } => self.quantize(x),
            _ => match self.float_layout() {
                Some((_, p, _)) => kernel::float_round_with(x as f64, p, mode) as f32,
                None => x,
            },
        }
    }

    /// Quantizes `x` and returns its code in the low [`bits`](Format::bits) bits: the raw integer in two's
    /// complement, masked to W bits, for `fixed`; the raw integer for `ufixed`; `sign | exponent | mantissa`
    /// for floats (the IEEE/OCP bit layout; `-0.0` keeps its sign bit); the IEEE bits for `f32`.
    /// `decode(encode(x)) == quantize(x)` bit for bit (for fixed formats wider than 24 bits up to the `f32`
    /// rounding of the result).
    #[inline]
    pub fn encode(&self, x: f32) -> u32 {
        match *self {
            Format::F32 => <f32 as crate::Number>::from_f32(x).to_bits(),
            Format::Fixed { w, f } => {
                let (scale, _, lo, hi) = Format::fixed_params(w, f, true);
                (kernel::fixed_raw(x, scale, lo, hi) as i64 as u32) & (kernel::mask64(w) as u32)
            }
            Format::UFixed { w, f } => {
                let (scale, _, lo, hi) = Format::fixed_params(w, f, false);
                kernel::fixed_raw(x, scale, lo, hi) as i64 as u32
            }
            Format::Binary { f } => (quantize_binary(x, f) < 0.0) as u32,
            Format::Block { w, f, .. } => crate::blocked::quantize_one(x, w, f) as u8 as u32,
            Format::Codebook { f, table, .. } if crate::codebook::unfitted(&table) => {
                Format::Fixed { w: 8, f }.encode(x)
            }
            Format::Codebook { k, f, table } => {
                crate::codebook::index(x, &table[..1 << k], f) as u32
            }
            _ => match self.float_layout() {
                Some((e, p, _)) => {
                    let v = kernel::float_quantize(kernel::nan_to_zero(x), p) as f64;
                    kernel::float_encode(v, e, p)
                }
                None => 0,
            },
        }
    }

    /// The value of a code (bits above [`bits`](Format::bits) are ignored). Every code of `fixed`, `ufixed` and
    /// `float<E,M,B>` is a finite number; `e4m3` decodes `S.1111.111` to NaN; `e5m2`, `f16`, `bf16` decode
    /// their IEEE infinity and NaN codes to `±inf` and NaN (bf16 keeps the NaN payload: its value is
    /// `f32::from_bits(code << 16)`).
    #[inline]
    pub fn decode(&self, code: u32) -> f32 {
        match *self {
            Format::F32 => f32::from_bits(code),
            Format::Fixed { w, f } => {
                let raw = ((code << (32 - w)) as i32) >> (32 - w);
                (raw as f64 * pow2(-f)) as f32
            }
            Format::UFixed { w, f } => ((code as u64 & kernel::mask64(w)) as f64 * pow2(-f)) as f32,
            Format::Binary { f } => (if code & 1 == 0 { pow2(-f) } else { -pow2(-f) }) as f32,
            Format::Block { w, f, .. } => {
                (code as u8 as i8) as f32 * kernel::pow2_f32(-crate::blocked::finest(w, f))
            }
            Format::Bf16 => decode_bf16(code),
            Format::Codebook { f, table, .. } if crate::codebook::unfitted(&table) => {
                Format::Fixed { w: 8, f }.decode(code)
            }
            Format::Codebook { k, f, table } => {
                crate::codebook::value(table[(code & ((1 << k) - 1)) as usize], f)
            }
            _ => match self.float_layout() {
                Some((e, p, special)) => kernel::float_decode(code, e, p, special),
                None => 0.0,
            },
        }
    }

    /// An 8-byte binary descriptor (for files that store a format next to its codes): kind (0 fixed, 1 ufixed,
    /// 2 float, 3 e4m3, 4 e5m2, 5 bf16, 6 f16, 7 f32, 8 binary, 9 block, 10 codebook), W or E or K, M (for a
    /// block: its length as a little-endian `u16` in bytes 2 and 3), 0, then F or B as little-endian `i32`. A
    /// codebook's table is not in it, so [`from_bytes`](Format::from_bytes) refuses kind 10.
    pub const fn to_bytes(&self) -> [u8; 8] {
        let (kind, a, b, c) = match *self {
            Format::Fixed { w, f } => (0u8, w as u8, 0u8, f),
            Format::UFixed { w, f } => (1, w as u8, 0, f),
            Format::Float { e, m, bias } => (2, e as u8, m as u8, bias),
            Format::E4M3 => (3, 0, 0, 0),
            Format::E5M2 => (4, 0, 0, 0),
            Format::Bf16 => (5, 0, 0, 0),
            Format::F16 => (6, 0, 0, 0),
            Format::F32 => (7, 0, 0, 0),
            Format::Binary { f } => (8, 0, 0, f),
            Format::Block { w, f, len } => {
                let l = (len as u16).to_le_bytes();
                let c = f.to_le_bytes();
                return [9, w as u8, l[0], l[1], c[0], c[1], c[2], c[3]];
            }
            // The table does not fit: [`from_bytes`](Format::from_bytes) refuses kind 10.
            Format::Codebook { k, f, .. } => (10, k as u8, 0, f),
        };
        let c = c.to_le_bytes();
        [kind, a, b, 0, c[0], c[1], c[2], c[3]]
    }

    /// Parses and validates the descriptor written by [`to_bytes`](Format::to_bytes).
    pub fn from_bytes(bytes: [u8; 8]) -> Result<Format, FormatError> {
        let c = i32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        let (a, b) = (bytes[1] as u32, bytes[2] as u32);
        let fmt = match bytes[0] {
            0 => Format::Fixed { w: a, f: c },
            1 => Format::UFixed { w: a, f: c },
            2 => Format::Float {
                e: a,
                m: b,
                bias: c,
            },
            3 => Format::E4M3,
            4 => Format::E5M2,
            5 => Format::Bf16,
            6 => Format::F16,
            7 => Format::F32,
            8 => Format::Binary { f: c },
            9 => Format::Block {
                w: a,
                f: c,
                len: u16::from_le_bytes([bytes[2], bytes[3]]) as u32,
            },
            10 => {
                return Err(err(format!(
                    "binary descriptor {bytes:02x?} is a codebook format, whose table the 8-byte descriptor does not \
                     hold: store its text form instead"
                )));
            }
            k => {
                return Err(err(format!(
                    "unknown format kind {k} in binary descriptor {bytes:02x?}"
                )));
            }
        };
        let canonical = fmt.to_bytes() == bytes;
        fmt.validate()?;
        if !canonical {
            return Err(err(format!(
                "non-canonical binary format descriptor {bytes:02x?} (for `{fmt}`)"
            )));
        }
        Ok(fmt)
    }
}

/// `binary<F>`: `±2^-F` by the sign bit of `x`; NaN → `+2^-F`. `|F| <= 64`, so `2^-F` is a normal `f32`.
#[inline(always)]
fn quantize_binary(x: f32, f: i32) -> f32 {
    let mag = kernel::pow2_f32(-f);
    if kernel::binary_negative(x) {
        -mag
    } else {
        mag
    }
}

#[inline(always)]
fn quantize_fixed(x: f32, w: u32, f: i32, signed: bool) -> f32 {
    if w <= kernel::NARROW_FIXED {
        // Parameters built directly in f32 (2^±F from the exponent bits; |F| <= 64).
        let (scale, inv) = (kernel::pow2_f32(f), kernel::pow2_f32(-f));
        let (lo, hi) = if signed {
            (-(1i32 << (w - 1)), (1i32 << (w - 1)) - 1)
        } else {
            (0, (1i32 << w) - 1)
        };
        kernel::fixed_raw32(x, scale, lo as f32, hi as f32) * inv
    } else {
        let (scale, inv, lo, hi) = Format::fixed_params(w, f, signed);
        (kernel::fixed_raw(x, scale, lo, hi) * inv) as f32
    }
}

#[inline(never)]
fn fixed_slice32(xs: &mut [f32], scale: f32, inv: f32, lo: f32, hi: f32) {
    for x in xs {
        *x = kernel::fixed_raw32(*x, scale, lo, hi) * inv;
    }
}

#[inline(always)]
fn quantize_float(x: f32, p: FloatParams) -> f32 {
    kernel::float_quantize(kernel::nan_to_zero(x), p)
}

#[inline(never)]
fn fixed_slice(xs: &mut [f32], scale: f64, inv: f64, lo: f64, hi: f64) {
    for x in xs {
        *x = (kernel::fixed_raw(*x, scale, lo, hi) * inv) as f32;
    }
}

/// Inlined into each `match` arm, so the named formats' parameters are constants.
#[inline(always)]
fn float_slice(xs: &mut [f32], p: FloatParams) {
    for x in xs {
        *x = quantize_float(*x, p);
    }
}

/// The bf16 value of a code (the upper half of an `f32`).
#[inline(always)]
pub(crate) fn decode_bf16(code: u32) -> f32 {
    f32::from_bits((code & 0xffff) << 16)
}

/// A format with a rounding and overflow mode, validated once; stochastic rounding draws from a seeded
/// counter-based generator (splitmix64 of `seed + n` for the n-th value), so a run is reproducible.
///
/// ```
/// use number_formats::{Format, Overflow, Quantizer, Rounding};
/// let f = Format::fixed(8, 0).unwrap();
/// let mut q = Quantizer::new(f, Rounding::Stochastic(42), Overflow::Saturate).unwrap();
/// let n = 10_000;
/// let mean: f64 = (0..n).map(|_| q.quantize(0.25) as f64).sum::<f64>() / n as f64;
/// assert!((mean - 0.25).abs() < 0.02); // unbiased on average
/// assert_eq!(q.quantize(3.0), 3.0); // representable values are unchanged
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quantizer {
    format: Format,
    rounding: Rounding,
    overflow: Overflow,
    counter: u64,
}

impl Quantizer {
    /// Validates the format and the modes.
    pub fn new(
        format: Format,
        rounding: Rounding,
        overflow: Overflow,
    ) -> Result<Quantizer, FormatError> {
        format.validate()?;
        format.check_modes(rounding, overflow)?;
        Ok(Quantizer {
            format,
            rounding,
            overflow,
            counter: 0,
        })
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Quantizes one value (advancing the stochastic counter).
    #[inline]
    pub fn quantize(&mut self, x: f32) -> f32 {
        let mode = match self.rounding {
            Rounding::NearestEven => Mode::Nearest,
            Rounding::TowardZero => Mode::TowardZero,
            Rounding::Stochastic(seed) => {
                let n = self.counter;
                self.counter = n.wrapping_add(1);
                Mode::Stochastic(kernel::unit(kernel::splitmix64(seed.wrapping_add(n))))
            }
        };
        self.format.quantize_mode(x, mode, self.overflow)
    }

    /// Quantizes every element in place, in order.
    pub fn quantize_slice(&mut self, xs: &mut [f32]) {
        if self.rounding == Rounding::NearestEven && self.overflow == Overflow::Saturate {
            return self.format.quantize_slice(xs);
        }
        for x in xs {
            *x = self.quantize(*x);
        }
    }
}

impl fmt::Display for Format {
    /// The canonical text form: `fixed<8,4>`, `ufixed<8,4>`, `float<4,3>` (default bias omitted),
    /// `float<4,3,5>`, and names for `e3m2`/`e2m3`/`e2m1` and the other named formats.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((name, _)) = Format::NAMED.iter().find(|(_, g)| g == self) {
            return f.write_str(name);
        }
        match *self {
            Format::Fixed { w, f: frac } => write!(f, "fixed<{w},{frac}>"),
            Format::UFixed { w, f: frac } => write!(f, "ufixed<{w},{frac}>"),
            Format::Binary { f: frac } => write!(f, "binary<{frac}>"),
            Format::Block { w, f: frac, len } => write!(f, "block<{w},{frac},{len}>"),
            Format::Codebook { k, f: frac, table } => crate::codebook::write(f, k, frac, &table),
            Format::Float { e, m, bias } => {
                if (1..=31).contains(&e) && bias == Format::default_bias(e) {
                    write!(f, "float<{e},{m}>")
                } else {
                    write!(f, "float<{e},{m},{bias}>")
                }
            }
            _ => unreachable!("named formats are printed above"),
        }
    }
}

impl FromStr for Format {
    type Err = FormatError;
    /// Parses the text form (see [`Format`]); errors say what was expected and quote the input.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() {
            return Err(err(format!(
                "expected a number format ({EXPECTED}), found an empty string"
            )));
        }
        let end = t
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(t.len());
        let (name, rest) = (&t[..end], t[end..].trim_start());
        if name.is_empty() {
            return Err(err(format!(
                "expected a number format name ({EXPECTED}), found `{s}`"
            )));
        }
        let lower = name.to_ascii_lowercase();
        if lower == "codebook" {
            return crate::codebook::parse(rest, s);
        }
        let params: &[&str] = match lower.as_str() {
            "fixed" | "ufixed" => &["W", "F"],
            "float" => &["E", "M", "B"],
            "binary" => &["F"],
            "block" => &["W", "F", "N"],
            _ => {
                let Some(&(canon, fmt)) = Format::NAMED.iter().find(|(n, _)| *n == lower) else {
                    return Err(err(format!(
                        "unknown number format `{name}` in `{s}`: expected {EXPECTED}"
                    )));
                };
                if !rest.is_empty() {
                    return Err(err(format!(
                        "`{canon}` takes no parameters, found unexpected `{rest}` after it in `{s}`"
                    )));
                }
                return Ok(fmt);
            }
        };
        let shape = match lower.as_str() {
            "float" => "float<E,M> or float<E,M,B>",
            "fixed" => "fixed<W,F>",
            "binary" => "binary<F>",
            "block" => "block<W,F,N>",
            _ => "ufixed<W,F>",
        };
        let Some(inner) = rest.strip_prefix('<') else {
            let found = if rest.is_empty() {
                "nothing".to_string()
            } else {
                format!("`{rest}`")
            };
            return Err(err(format!(
                "expected `<` after `{name}` ({shape}), found {found} in `{s}`"
            )));
        };
        let Some(close) = inner.find('>') else {
            return Err(err(format!(
                "expected `>` to close the parameters of {shape} in `{s}`"
            )));
        };
        let (inner, after) = (&inner[..close], inner[close + 1..].trim());
        if !after.is_empty() {
            return Err(err(format!(
                "unexpected `{after}` after `>` in `{s}` (expected {shape})"
            )));
        }
        let args: alloc::vec::Vec<&str> = inner.split(',').map(str::trim).collect();
        let counts_ok = match lower.as_str() {
            "float" => args.len() == 2 || args.len() == 3,
            "binary" => args.len() == 1,
            "block" => args.len() == 3,
            _ => args.len() == 2,
        };
        if !counts_ok {
            return Err(err(format!(
                "{shape} takes {} parameter{}, found {} (`{}`) in `{s}`",
                match lower.as_str() {
                    "float" => "2 or 3",
                    "binary" => "1",
                    "block" => "3",
                    _ => "2",
                },
                if lower == "binary" { "" } else { "s" },
                args.len(),
                inner.trim()
            )));
        }
        let mut vals = [0i64; 3];
        for (i, a) in args.iter().enumerate() {
            if a.is_empty() {
                return Err(err(format!(
                    "expected an integer for {} in {shape}, found nothing in `{s}`",
                    params[i]
                )));
            }
            vals[i] = a.parse::<i64>().map_err(|_| {
                err(format!(
                    "expected an integer for {} in {shape}, found `{a}` in `{s}`",
                    params[i]
                ))
            })?;
        }
        // Out-of-range integers are reported by validation; clamp them into the field types so that the
        // message still shows an out-of-range value.
        let u = |v: i64| v.clamp(0, u32::MAX as i64) as u32;
        let i = |v: i64| v.clamp(i32::MIN as i64, i32::MAX as i64) as i32;
        let neg = |k: usize| -> Result<(), FormatError> {
            if vals[k] < 0 {
                Err(err(format!(
                    "{} must be a non-negative integer in {shape}, found {} in `{s}`",
                    params[k], vals[k]
                )))
            } else {
                Ok(())
            }
        };
        let fmt = match lower.as_str() {
            "fixed" => {
                neg(0)?;
                Format::Fixed {
                    w: u(vals[0]),
                    f: i(vals[1]),
                }
            }
            "ufixed" => {
                neg(0)?;
                Format::UFixed {
                    w: u(vals[0]),
                    f: i(vals[1]),
                }
            }
            "binary" => Format::Binary { f: i(vals[0]) },
            "block" => {
                neg(0)?;
                neg(2)?;
                Format::Block {
                    w: u(vals[0]),
                    f: i(vals[1]),
                    len: u(vals[2]),
                }
            }
            _ => {
                neg(0)?;
                neg(1)?;
                let (e, m) = (u(vals[0]), u(vals[1]));
                if !(1..=8).contains(&e) {
                    return Err(err(format!(
                        "float<E,M,B>: E must be in 1..=8, found E = {} in `{s}`",
                        vals[0]
                    )));
                }
                let bias = if args.len() == 3 {
                    i(vals[2])
                } else {
                    Format::default_bias(e)
                };
                Format::Float { e, m, bias }
            }
        };
        fmt.validate()
            .map_err(|e| err(format!("invalid number format `{s}`: {e}")))?;
        Ok(fmt)
    }
}
