//! Block formats: blocks of values sharing one power-of-two scale, after the OCP Microscaling (MX)
//! specification v1.0 (MXFP8, MXFP6, MXFP4, MXINT8), plus "block fixed point" `bfp<W,B>`.
//!
//! A [`BlockFormat`] splits a slice into consecutive blocks of [`block_size`](BlockFormat::block_size) values
//! (32 by default; the last block may be shorter) and stores per block one shared scale `X = 2^x` in the
//! 8-bit exponent-only format E8M0, and per value one element `P_i` of the [`Element`] format. The value of
//! element `i` is `X · P_i`.
//!
//! # Conversion (quantisation)
//!
//! The conversion of a block `V_1 … V_k` of `f32` values follows the MX v1.0 specification's algorithm for
//! converting a vector of scalar floats to an MX block:
//!
//! 1. `x = floor(log2(max_i |V_i|)) − emax_elem`, where `emax_elem` is the exponent of the largest normal
//!    value of the element format ([`Element::emax`]: e4m3 8, e5m2 15, e3m2 4, e2m3 2, e2m1 2, int 0);
//! 2. `x` is clamped to the E8M0 range `−127 ..= 127`. (For finite `f32` input only the lower bound can
//!    apply: `floor(log2 |V|) <= 127` and `emax_elem >= 0`; a block whose largest magnitude is below
//!    `2^(emax_elem − 127)` gets `x = −127`, and its smallest elements may then flush to zero.)
//! 3. `P_i = quantize(V_i / 2^x)`: round to nearest, ties to even, and saturate to the largest finite element
//!    of the sign ("clamping normal numbers to the max representable"), exactly as
//!    [`Format::quantize`] of [`Element::format`] does. `V_i / 2^x` is formed exactly (in `f64`), so there is
//!    a single rounding.
//!
//! Choices where the specification leaves room, documented here:
//!
//! - **All-zero block** (every `|V_i| = 0`): `floor(log2 0) = −∞`, clamped to the E8M0 minimum, so the scale
//!   is `2^−127` (byte `0x00`) and every element is zero (float elements keep the sign of `−0.0`).
//! - **NaN or ±inf anywhere in a block**: the shared scale is NaN (E8M0 byte `0xFF`) and the whole block
//!   decodes to NaN (in MX, a NaN scale makes every value of the block NaN). This is what the reference
//!   emulator [microsoft/microxcaling](https://github.com/microsoft/microxcaling) does
//!   (`mx/tests/test_corners_mx.py::test_mx_nans`: "all other values in a shared vector with a NaN/Inf become
//!   NaNs"). The element codes of such a block are written as 0. (This differs on purpose from
//!   [`Format::quantize`], which maps NaN to `+0` for a single value.)
//! - **Ties** round to even (the IEEE default, and microxcaling's `round="even"`; microxcaling's default
//!   `round="nearest"` rounds ties away from zero instead).
//! - **MXINT8** elements are `fixed<8,6>`: 8-bit two's complement with 6 fraction bits, values `k/64` in
//!   `[−2, 127/64]`. Positive values saturate to `127/64`; negative values whose scaled magnitude rounds to
//!   `128/64` become `−2` (code `0x80`). (microxcaling clamps symmetrically to `±127/64` and never uses
//!   `0x80`; only scaled values in `(−2, −127.5/64]` differ.)
//! - **The top of the `f32` range**: every result is exactly an `f32` (element values times `2^x` lie between
//!   `2^−149` and `f32::MAX`; that is why `bfp` widths stop at 24) with one exception: an integer element
//!   `−2` under the largest scale `2^127` would be `−2^128`. Only integer elements reach `x = 127` (it needs
//!   `emax_elem = 0` and `max |v| >= 2^127`); there an element that rounds to `−2` saturates to
//!   `−(2 − 2^−(W−2))`, the negative of the largest element, as the specification's clamp to the largest
//!   magnitude would. ([`decode`](BlockFormat::decode) of that code under that scale, which
//!   [`encode`](BlockFormat::encode) never writes, gives `−inf`.)
//!
//! # Block fixed point
//!
//! `bfp<W,B>` generalises MXINT8 to other widths: elements are `fixed<W,W−2>` (signed `W`-bit integers
//! times `2^−(W−2)`, in `[−2, 2)`), `emax_elem = 0`, so `x = floor(log2 max|V|)` and the largest magnitude
//! of the block, scaled, lies in `[1, 2)` — it fits, up to rounding at the top, which saturates by less than
//! one step. `bfp<8,32>` is MXINT8 (and prints as `mxint8`).
//!
//! # Text form
//!
//! Names are case-insensitive, spaces are optional between tokens, and [`Display`](fmt::Display) prints the
//! canonical form, which parses back to an equal value:
//!
//! | text | element | default block |
//! | --- | --- | --- |
//! | `mxfp8_e4m3`, `mxfp8_e5m2` | [`Element::E4m3`], [`Element::E5m2`] | 32 |
//! | `mxfp6_e3m2`, `mxfp6_e2m3` | [`Element::E3m2`], [`Element::E2m3`] | 32 |
//! | `mxfp4` (also `mxfp4_e2m1`) | [`Element::E2m1`] | 32 |
//! | `mxint8` | [`Element::Int`] `{ w: 8 }` | 32 |
//! | `bfp<W,B>` | [`Element::Int`] `{ w: W }`, block `B` | — |
//!
//! An MX name may be followed by `<B>` for another block size: `mxfp4<16>`. The canonical form omits `<32>`,
//! and prints `bfp<8,B>` as `mxint8` (`mxint8<B>`).
//!
//! ```
//! use number_rt::block::BlockFormat;
//! let mx: BlockFormat = "mxfp4".parse().unwrap();
//! assert_eq!(mx.bits_per_value(), 4.25); // 4 bits per element + 8 scale bits per 32 elements
//! let xs = [6.0f32, 1.2, -0.3, 0.0];
//! // max 6 → x = floor(log2 6) − 2 = 0; elements are e2m1 values: 1.2 → 1, -0.3 → -0.5 (nearest of 0, 0.5)
//! assert_eq!(mx.quantize_blocks(&xs), vec![6.0, 1.0, -0.5, 0.0]);
//! let (scales, codes) = mx.encode(&xs);
//! assert_eq!(scales, vec![127]); // 2^0
//! assert_eq!(mx.decode(&scales, &codes).unwrap(), mx.quantize_blocks(&xs));
//! ```
extern crate alloc;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use crate::kernel::pow2;
use crate::{Format, FormatError};

/// The E8M0 byte of a NaN scale.
///
/// ```
/// use number_rt::block::{e8m0_value, E8M0_NAN};
/// assert!(e8m0_value(E8M0_NAN).is_nan());
/// ```
pub const E8M0_NAN: u8 = 0xFF;

/// The smallest shared exponent (E8M0 byte `0x00`).
///
/// ```
/// assert_eq!(number_rt::block::E8M0_MIN_EXP, -127);
/// ```
pub const E8M0_MIN_EXP: i32 = -127;

/// The largest shared exponent (E8M0 byte `0xFE`).
///
/// ```
/// assert_eq!(number_rt::block::E8M0_MAX_EXP, 127);
/// ```
pub const E8M0_MAX_EXP: i32 = 127;

/// The value `2^(byte − 127)` of an E8M0 scale byte; NaN for `0xFF`. Every value is exactly an `f32`
/// (`2^−127` is subnormal).
///
/// ```
/// use number_rt::block::e8m0_value;
/// assert_eq!(e8m0_value(127), 1.0);
/// assert_eq!(e8m0_value(130), 8.0);
/// assert_eq!(e8m0_value(0), 2f32.powi(-127));
/// assert_eq!(e8m0_value(254), 2f32.powi(127));
/// ```
pub fn e8m0_value(byte: u8) -> f32 {
    if byte == E8M0_NAN { f32::NAN } else { pow2(byte as i32 - 127) as f32 }
}

/// The E8M0 byte of a shared exponent (`None` = NaN scale): `x + 127`, with `x` clamped to `−127 ..= 127`.
///
/// ```
/// use number_rt::block::e8m0_byte;
/// assert_eq!(e8m0_byte(Some(0)), 127);
/// assert_eq!(e8m0_byte(Some(-200)), 0); // clamped
/// assert_eq!(e8m0_byte(None), 0xFF);
/// ```
pub fn e8m0_byte(x: Option<i32>) -> u8 {
    match x {
        Some(x) => (x.clamp(E8M0_MIN_EXP, E8M0_MAX_EXP) + 127) as u8,
        None => E8M0_NAN,
    }
}

/// The element format of a block format.
///
/// | element | [`format`](Element::format) | [`emax`](Element::emax) | largest value | bits |
/// | --- | --- | --- | --- | --- |
/// | `E4m3` (MXFP8) | `e4m3` | 8 | 448 | 8 |
/// | `E5m2` (MXFP8) | `e5m2` | 15 | 57344 | 8 |
/// | `E3m2` (MXFP6) | `e3m2` = `float<3,2,3>` | 4 | 28 | 6 |
/// | `E2m3` (MXFP6) | `e2m3` = `float<2,3,1>` | 2 | 7.5 | 6 |
/// | `E2m1` (MXFP4) | `e2m1` = `float<2,1,1>` | 2 | 6 | 4 |
/// | `Int { w }` (MXINT8 for `w = 8`) | `fixed<w,w−2>` | 0 | `2 − 2^−(w−2)` | `w` |
///
/// ```
/// use number_rt::block::Element;
/// use number_rt::Format;
/// assert_eq!(Element::E2m1.format(), Format::E2M1);
/// assert_eq!(Element::Int { w: 8 }.format(), Format::Fixed { w: 8, f: 6 });
/// assert_eq!(Element::E4m3.emax(), 8);
/// assert_eq!(Element::E3m2.bits(), 6);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Element {
    /// OCP FP8 E4M3 (MXFP8).
    E4m3,
    /// OCP FP8 E5M2 (MXFP8).
    E5m2,
    /// FP6 E3M2 (MXFP6).
    E3m2,
    /// FP6 E2M3 (MXFP6).
    E2m3,
    /// FP4 E2M1 (MXFP4).
    E2m1,
    /// `w`-bit two's complement with `w − 2` fraction bits (`2..=24`); `w = 8` is MXINT8.
    Int {
        /// Element bits.
        w: u32,
    },
}

impl Element {
    /// The scalar format of the elements (see the table on [`Element`]).
    ///
    /// ```
    /// use number_rt::block::Element;
    /// assert_eq!(Element::E2m3.format().to_string(), "e2m3");
    /// assert_eq!(Element::Int { w: 6 }.format().to_string(), "fixed<6,4>");
    /// ```
    pub const fn format(&self) -> Format {
        match *self {
            Element::E4m3 => Format::E4M3,
            Element::E5m2 => Format::E5M2,
            Element::E3m2 => Format::E3M2,
            Element::E2m3 => Format::E2M3,
            Element::E2m1 => Format::E2M1,
            Element::Int { w } => Format::Fixed { w, f: w as i32 - 2 },
        }
    }

    /// `emax_elem`: the exponent of the largest normal value of the element format (0 for integers, whose
    /// largest value is just below `2^1`).
    ///
    /// ```
    /// use number_rt::block::Element;
    /// assert_eq!(Element::E5m2.emax(), 15);
    /// assert_eq!(Element::Int { w: 8 }.emax(), 0);
    /// ```
    pub const fn emax(&self) -> i32 {
        match *self {
            Element::E4m3 => 8,
            Element::E5m2 => 15,
            Element::E3m2 => 4,
            Element::E2m3 | Element::E2m1 => 2,
            Element::Int { .. } => 0,
        }
    }

    /// Bits per element.
    ///
    /// ```
    /// use number_rt::block::Element;
    /// assert_eq!(Element::E2m1.bits(), 4);
    /// assert_eq!(Element::Int { w: 12 }.bits(), 12);
    /// ```
    pub const fn bits(&self) -> u32 {
        self.format().bits()
    }
}

/// A block format: blocks of [`block_size`](BlockFormat::block_size) values sharing one E8M0 scale, elements
/// of an [`Element`] format. See the [module documentation](self) for the conversion rule and the text form.
///
/// ```
/// use number_rt::block::{BlockFormat, Element};
/// let f = BlockFormat::new(Element::E4m3, 16).unwrap();
/// assert_eq!(f.to_string(), "mxfp8_e4m3<16>");
/// assert_eq!("mxfp8_e4m3 < 16 >".parse::<BlockFormat>().unwrap(), f);
/// assert_eq!(BlockFormat::MXINT8.to_string(), "mxint8");
/// assert_eq!(BlockFormat::bfp(6, 16).unwrap().to_string(), "bfp<6,16>");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BlockFormat {
    element: Element,
    block: u32,
}

/// The MX names, in text order (canonical name first for each element).
const MX_NAMES: [(&str, Element); 7] = [
    ("mxfp8_e4m3", Element::E4m3),
    ("mxfp8_e5m2", Element::E5m2),
    ("mxfp6_e3m2", Element::E3m2),
    ("mxfp6_e2m3", Element::E2m3),
    ("mxfp4", Element::E2m1),
    ("mxfp4_e2m1", Element::E2m1),
    ("mxint8", Element::Int { w: 8 }),
];

const EXPECTED: &str = "mxfp8_e4m3, mxfp8_e5m2, mxfp6_e3m2, mxfp6_e2m3, mxfp4, mxint8 (each optionally followed by \
     <B> for a block size B other than 32) or bfp<W,B>";

fn err(msg: String) -> FormatError {
    FormatError(msg)
}

/// floor(log2 a) of a finite positive `f32` (subnormals included).
fn floor_log2(a: f32) -> i32 {
    let bits = a.to_bits() & 0x7fff_ffff;
    let exp = (bits >> 23) as i32;
    if exp == 0 { -149 + (31 - (bits & 0x7f_ffff).leading_zeros() as i32) } else { exp - 127 }
}

impl BlockFormat {
    /// The default block size of the MX formats.
    ///
    /// ```
    /// assert_eq!(number_rt::block::BlockFormat::DEFAULT_BLOCK, 32);
    /// ```
    pub const DEFAULT_BLOCK: u32 = 32;
    /// Allowed element widths of `bfp<W,B>` / [`Element::Int`]: `2..=24` (so that every value, down to the
    /// smallest step `2^−(W−2)·2^−127`, is an `f32`).
    ///
    /// ```
    /// assert!(number_rt::block::BlockFormat::INT_WIDTHS.contains(&8));
    /// ```
    pub const INT_WIDTHS: core::ops::RangeInclusive<u32> = 2..=24;
    /// MXFP8 with E4M3 elements, blocks of 32.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// assert_eq!(BlockFormat::MXFP8_E4M3.bits_per_value(), 8.25);
    /// ```
    pub const MXFP8_E4M3: BlockFormat = BlockFormat { element: Element::E4m3, block: 32 };
    /// MXFP8 with E5M2 elements, blocks of 32.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// assert_eq!(BlockFormat::MXFP8_E5M2.to_string(), "mxfp8_e5m2");
    /// ```
    pub const MXFP8_E5M2: BlockFormat = BlockFormat { element: Element::E5m2, block: 32 };
    /// MXFP6 with E3M2 elements, blocks of 32.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// assert_eq!(BlockFormat::MXFP6_E3M2.bits_per_value(), 6.25);
    /// ```
    pub const MXFP6_E3M2: BlockFormat = BlockFormat { element: Element::E3m2, block: 32 };
    /// MXFP6 with E2M3 elements, blocks of 32.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// assert_eq!(BlockFormat::MXFP6_E2M3.to_string(), "mxfp6_e2m3");
    /// ```
    pub const MXFP6_E2M3: BlockFormat = BlockFormat { element: Element::E2m3, block: 32 };
    /// MXFP4 (E2M1 elements), blocks of 32.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// assert_eq!(BlockFormat::MXFP4.bits_per_value(), 4.25);
    /// ```
    pub const MXFP4: BlockFormat = BlockFormat { element: Element::E2m1, block: 32 };
    /// MXINT8 (`fixed<8,6>` elements), blocks of 32.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// assert_eq!(BlockFormat::MXINT8, BlockFormat::bfp(8, 32).unwrap());
    /// ```
    pub const MXINT8: BlockFormat = BlockFormat { element: Element::Int { w: 8 }, block: 32 };
    /// The named MX formats with blocks of 32, in text order.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// for f in BlockFormat::MX {
    ///     assert_eq!(f.to_string().parse::<BlockFormat>().unwrap(), f);
    /// }
    /// ```
    pub const MX: [BlockFormat; 6] = [
        BlockFormat::MXFP8_E4M3,
        BlockFormat::MXFP8_E5M2,
        BlockFormat::MXFP6_E3M2,
        BlockFormat::MXFP6_E2M3,
        BlockFormat::MXFP4,
        BlockFormat::MXINT8,
    ];

    /// A validated block format: `block >= 1`, and for [`Element::Int`] `w` in [`INT_WIDTHS`](Self::INT_WIDTHS).
    ///
    /// ```
    /// use number_rt::block::{BlockFormat, Element};
    /// assert!(BlockFormat::new(Element::E2m1, 64).is_ok());
    /// let e = BlockFormat::new(Element::E2m1, 0).unwrap_err();
    /// assert!(e.to_string().contains("block size"), "{e}");
    /// ```
    pub fn new(element: Element, block: u32) -> Result<BlockFormat, FormatError> {
        let f = BlockFormat { element, block };
        f.validate().map(|()| f)
    }

    /// Block fixed point `bfp<W,B>`: `W`-bit elements `fixed<W,W−2>`, blocks of `B` (see the
    /// [module documentation](self)).
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// let f = BlockFormat::bfp(4, 16).unwrap();
    /// assert_eq!(f.bits_per_value(), 4.5);
    /// assert!(BlockFormat::bfp(25, 16).is_err());
    /// ```
    pub fn bfp(w: u32, block: u32) -> Result<BlockFormat, FormatError> {
        BlockFormat::new(Element::Int { w }, block)
    }

    /// Checks the parameters; the error says which is out of range and quotes the format.
    ///
    /// ```
    /// use number_rt::block::{BlockFormat, Element};
    /// assert!(BlockFormat::MXFP4.validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), FormatError> {
        if let Element::Int { w } = self.element
            && !Self::INT_WIDTHS.contains(&w)
        {
            return Err(err(format!(
                "bfp<W,B>: the element width W must be in 2..=24, found W = {w} (in `bfp<{w},{}>`)",
                self.block
            )));
        }
        if self.block == 0 {
            return Err(err(format!("the block size must be at least 1, found 0 (in `{}`)", self.text_unchecked())));
        }
        Ok(())
    }

    /// The element format.
    ///
    /// ```
    /// use number_rt::block::{BlockFormat, Element};
    /// assert_eq!(BlockFormat::MXFP4.element(), Element::E2m1);
    /// ```
    pub const fn element(&self) -> Element {
        self.element
    }

    /// Values per block (the last block of a slice may be shorter).
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// assert_eq!(BlockFormat::MXFP4.block_size(), 32);
    /// ```
    pub const fn block_size(&self) -> u32 {
        self.block
    }

    /// Storage bits per value, the shared scale amortised: `element bits + 8 / block size`.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// assert_eq!(BlockFormat::MXFP4.bits_per_value(), 4.25);
    /// assert_eq!("mxfp6_e3m2<16>".parse::<BlockFormat>().unwrap().bits_per_value(), 6.5);
    /// ```
    pub fn bits_per_value(&self) -> f64 {
        self.element.bits() as f64 + 8.0 / self.block as f64
    }

    /// Storage bits of `n` values: `n · element bits + 8 · ceil(n / block size)` (a partial last block still
    /// has its scale).
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// assert_eq!(BlockFormat::MXFP4.storage_bits(64), 64 * 4 + 2 * 8);
    /// assert_eq!(BlockFormat::MXFP4.storage_bits(33), 33 * 4 + 2 * 8);
    /// ```
    pub fn storage_bits(&self, n: usize) -> u64 {
        n as u64 * self.element.bits() as u64 + 8 * (n as u64).div_ceil(self.block as u64)
    }

    /// The shared exponent `x` of one block (see the [module documentation](self)):
    /// `floor(log2(max |v|)) − emax_elem` clamped to `−127 ..= 127`; `−127` for an all-zero (or empty) block;
    /// `None` (a NaN scale) when the block holds a NaN or an infinity.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// assert_eq!(BlockFormat::MXFP4.shared_exponent(&[6.0, 1.0]), Some(0));
    /// assert_eq!(BlockFormat::MXFP4.shared_exponent(&[-8.0, 1.0]), Some(1));
    /// assert_eq!(BlockFormat::MXFP8_E4M3.shared_exponent(&[1.0]), Some(-8));
    /// assert_eq!(BlockFormat::MXFP4.shared_exponent(&[0.0, -0.0]), Some(-127));
    /// assert_eq!(BlockFormat::MXFP4.shared_exponent(&[1e-45]), Some(-127)); // clamped
    /// assert_eq!(BlockFormat::MXFP4.shared_exponent(&[1.0, f32::NAN]), None);
    /// ```
    pub fn shared_exponent(&self, block: &[f32]) -> Option<i32> {
        let mut amax = 0.0f32;
        for &v in block {
            if !v.is_finite() {
                return None;
            }
            amax = amax.max(v.abs());
        }
        if amax == 0.0 {
            return Some(E8M0_MIN_EXP);
        }
        Some((floor_log2(amax) - self.element.emax()).clamp(E8M0_MIN_EXP, E8M0_MAX_EXP))
    }

    /// The element `P` of `v` in a block with shared exponent `x` (see the module documentation for the
    /// saturation at `x = 127`).
    #[inline]
    fn element_value(elem: Format, v: f32, x: i32) -> f32 {
        let p = elem.quantize_f64(v as f64 * pow2(-x));
        // Only integer elements (emax 0) reach x = 127, and only they have −2; −2·2^127 is not an f32.
        if x == E8M0_MAX_EXP && p == elem.lowest() && elem.is_fixed() { -elem.max() } else { p }
    }

    /// Quantises `xs` block by block and returns the values after the round trip (`X · P_i`); equal to
    /// `decode(encode(xs))` bit for bit. A block with a NaN or an infinity comes back as NaN.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// let f: BlockFormat = "mxfp4<2>".parse().unwrap();
    /// // block 1: max 3 → x = 1 − 2 = −1: 3/0.5 = 6 → 3; 0.1/0.5 = 0.2 → 0
    /// // block 2: max 100 → x = 6 − 2 = 4: 100/16 = 6.25 → 6 (saturates) → 96; 20/16 = 1.25 → 1 → 16
    /// assert_eq!(f.quantize_blocks(&[3.0, 0.1, 100.0, -20.0]), vec![3.0, 0.0, 96.0, -16.0]);
    /// // ties to even: 5 lies halfway between the e2m1 values 4 and 6
    /// assert_eq!(BlockFormat::MXFP4.quantize_blocks(&[6.0, 5.0]), vec![6.0, 4.0]);
    /// ```
    pub fn quantize_blocks(&self, xs: &[f32]) -> Vec<f32> {
        let mut out = xs.to_vec();
        self.quantize_slice(&mut out);
        out
    }

    /// [`quantize_blocks`](Self::quantize_blocks) in place.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// let mut xs = [1.0f32, 0.3];
    /// BlockFormat::MXFP4.quantize_slice(&mut xs);
    /// assert_eq!(xs, [1.0, 0.25]); // x = −2: 0.3·4 = 1.2 → 1
    /// ```
    pub fn quantize_slice(&self, xs: &mut [f32]) {
        let elem = self.element.format();
        for blk in xs.chunks_mut(self.block as usize) {
            match self.shared_exponent(blk) {
                None => blk.iter_mut().for_each(|v| *v = f32::NAN),
                Some(x) => {
                    let scale = pow2(x);
                    for v in blk.iter_mut() {
                        *v = (Self::element_value(elem, *v, x) as f64 * scale) as f32;
                    }
                }
            }
        }
    }

    /// Encodes `xs`: one E8M0 scale byte per block (`x + 127`, `0xFF` for NaN) and one element code per value
    /// (the element format's [`Format::encode`] of `P_i`: two's complement for integers, `sign | exponent |
    /// mantissa` for floats).
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// let (scales, codes) = BlockFormat::MXINT8.encode(&[1.5, -0.25, 0.0]);
    /// assert_eq!(scales, vec![127]); // max 1.5 → x = 0
    /// assert_eq!(codes, vec![96, 0xF0, 0]); // 1.5·64 = 96, −0.25·64 = −16
    /// ```
    pub fn encode(&self, xs: &[f32]) -> (Vec<u8>, Vec<u32>) {
        let elem = self.element.format();
        let mut scales = Vec::with_capacity(xs.len().div_ceil(self.block as usize));
        let mut codes = Vec::with_capacity(xs.len());
        for blk in xs.chunks(self.block as usize) {
            let x = self.shared_exponent(blk);
            scales.push(e8m0_byte(x));
            match x {
                None => codes.extend(core::iter::repeat_n(0u32, blk.len())),
                Some(x) => codes.extend(blk.iter().map(|&v| elem.encode(Self::element_value(elem, v, x)))),
            }
        }
        (scales, codes)
    }

    /// Decodes scales and codes written by [`encode`](Self::encode): value `i` is `2^x · decode(code_i)` of
    /// its block's scale (all NaN for a NaN scale; code bits above the element width are ignored). Errors if
    /// the number of scales is not `ceil(codes.len() / block size)`.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// let f = BlockFormat::MXFP4;
    /// assert_eq!(f.decode(&[128], &[0b0111, 0b1010]).unwrap(), vec![12.0, -2.0]); // 2 · (6, −1)
    /// assert!(f.decode(&[0xFF], &[1]).unwrap()[0].is_nan());
    /// assert!(f.decode(&[], &[1]).is_err());
    /// ```
    pub fn decode(&self, scales: &[u8], codes: &[u32]) -> Result<Vec<f32>, FormatError> {
        let blocks = codes.len().div_ceil(self.block as usize);
        if scales.len() != blocks {
            return Err(err(format!(
                "`{self}`: {} codes in blocks of {} need {blocks} scale bytes, found {}",
                codes.len(),
                self.block,
                scales.len()
            )));
        }
        let elem = self.element.format();
        let mut out = Vec::with_capacity(codes.len());
        for (blk, &s) in codes.chunks(self.block as usize).zip(scales) {
            if s == E8M0_NAN {
                out.extend(core::iter::repeat_n(f32::NAN, blk.len()));
            } else {
                let scale = pow2(s as i32 - 127);
                out.extend(blk.iter().map(|&c| (elem.decode(c) as f64 * scale) as f32));
            }
        }
        Ok(out)
    }

    /// The text form without validation (used in error messages).
    fn text_unchecked(&self) -> String {
        match self.element {
            Element::Int { w } if w != 8 => format!("bfp<{w},{}>", self.block),
            e => {
                let name = MX_NAMES.iter().find(|(_, g)| *g == e).map_or("?", |(n, _)| n);
                if self.block == Self::DEFAULT_BLOCK {
                    name.to_string()
                } else {
                    format!("{name}<{}>", self.block)
                }
            }
        }
    }
}

impl fmt::Display for BlockFormat {
    /// The canonical text form: `mxfp4`, `mxfp8_e4m3<16>`, `mxint8`, `bfp<6,16>` (see the
    /// [module documentation](self)).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text_unchecked())
    }
}

/// Parses an integer parameter; the error names it and quotes the input.
fn int_param(a: &str, what: &str, shape: &str, s: &str) -> Result<u32, FormatError> {
    let a = a.trim();
    if a.is_empty() {
        return Err(err(format!("expected an integer for {what} in {shape}, found nothing in `{s}`")));
    }
    let v: i64 =
        a.parse().map_err(|_| err(format!("expected an integer for {what} in {shape}, found `{a}` in `{s}`")))?;
    if v < 0 {
        return Err(err(format!("{what} must be a non-negative integer in {shape}, found {v} in `{s}`")));
    }
    Ok(v.min(u32::MAX as i64) as u32)
}

impl FromStr for BlockFormat {
    type Err = FormatError;
    /// Parses the text form (see the [module documentation](self)); errors say what was expected and quote
    /// the input.
    ///
    /// ```
    /// use number_rt::block::BlockFormat;
    /// assert_eq!("MXFP4_E2M1".parse::<BlockFormat>().unwrap(), BlockFormat::MXFP4);
    /// assert_eq!(" bfp < 8 , 32 > ".parse::<BlockFormat>().unwrap(), BlockFormat::MXINT8);
    /// let e = "mxfp8".parse::<BlockFormat>().unwrap_err();
    /// assert!(e.to_string().contains("`mxfp8`") && e.to_string().contains("mxfp8_e4m3"), "{e}");
    /// assert!("bfp<30,32>".parse::<BlockFormat>().unwrap_err().to_string().contains("`bfp<30,32>`"));
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() {
            return Err(err(format!("expected a block format ({EXPECTED}), found an empty string")));
        }
        let end = t.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(t.len());
        let (name, rest) = (&t[..end], t[end..].trim_start());
        if name.is_empty() {
            return Err(err(format!("expected a block format name ({EXPECTED}), found `{s}`")));
        }
        let lower = name.to_ascii_lowercase();
        let (element, shape) = if lower == "bfp" {
            (None, "bfp<W,B>".to_string())
        } else if let Some(&(_, e)) = MX_NAMES.iter().find(|(n, _)| *n == lower) {
            (Some(e), format!("{lower}<B>"))
        } else if lower == "mxfp8" || lower == "mxfp6" {
            let (a, b) = if lower == "mxfp8" { ("e4m3", "e5m2") } else { ("e3m2", "e2m3") };
            return Err(err(format!(
                "`{name}` is ambiguous in `{s}`: the element format must be named, {lower}_{a} or {lower}_{b}"
            )));
        } else {
            return Err(err(format!("unknown block format `{name}` in `{s}`: expected {EXPECTED}")));
        };
        let params: Vec<&str> = if rest.is_empty() {
            Vec::new()
        } else {
            let Some(inner) = rest.strip_prefix('<') else {
                return Err(err(format!("expected `<` or the end after `{name}` ({shape}), found `{rest}` in `{s}`")));
            };
            let Some(close) = inner.find('>') else {
                return Err(err(format!("expected `>` to close the parameters of {shape} in `{s}`")));
            };
            let after = inner[close + 1..].trim();
            if !after.is_empty() {
                return Err(err(format!("unexpected `{after}` after `>` in `{s}` (expected {shape})")));
            }
            inner[..close].split(',').collect()
        };
        let fmt = match element {
            None => {
                if params.len() != 2 {
                    return Err(err(format!(
                        "bfp<W,B> takes 2 parameters (element width W, block size B), found {} in `{s}`",
                        params.len()
                    )));
                }
                let w = int_param(params[0], "W", &shape, s)?;
                let b = int_param(params[1], "B", &shape, s)?;
                BlockFormat { element: Element::Int { w }, block: b }
            }
            Some(e) => {
                let block = match params.len() {
                    0 => Self::DEFAULT_BLOCK,
                    1 => int_param(params[0], "the block size B", &shape, s)?,
                    n => {
                        return Err(err(format!(
                            "`{name}` takes at most one parameter (the block size, as in {shape}), found {n} in `{s}`"
                        )));
                    }
                };
                BlockFormat { element: e, block }
            }
        };
        fmt.validate().map_err(|e| err(format!("invalid block format `{s}`: {e}")))?;
        Ok(fmt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn floor_log2_of_normals_and_subnormals() {
        assert_eq!(floor_log2(1.0), 0);
        assert_eq!(floor_log2(1.99), 0);
        assert_eq!(floor_log2(0.75), -1);
        assert_eq!(floor_log2(f32::from_bits(1)), -149);
        assert_eq!(floor_log2(f32::from_bits(0x40_0000)), -127);
        assert_eq!(floor_log2(f32::MAX), 127);
        for e in -149..=127 {
            assert_eq!(floor_log2(pow2(e) as f32), e);
        }
    }

    #[test]
    fn text_round_trips() {
        for w in 2..=24 {
            for b in [1, 7, 32, 1000] {
                let f = BlockFormat::bfp(w, b).unwrap();
                assert_eq!(f.to_string().parse::<BlockFormat>().unwrap(), f, "{f}");
            }
        }
        assert_eq!(BlockFormat::bfp(8, 16).unwrap().to_string(), "mxint8<16>");
    }

    #[test]
    fn partial_last_block_and_empty_input() {
        let f = BlockFormat::MXFP4;
        assert!(f.quantize_blocks(&[]).is_empty());
        assert_eq!(f.encode(&[]), (vec![], vec![]));
        let xs: Vec<f32> = (0..40).map(|i| i as f32).collect();
        let (s, c) = f.encode(&xs);
        assert_eq!((s.len(), c.len()), (2, 40));
        assert_eq!(f.decode(&s, &c).unwrap(), f.quantize_blocks(&xs));
    }
}
