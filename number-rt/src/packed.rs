//! Packed storage: values of a `W`-bit format stored in `W` bits each.
//!
//! [`Packed<T>`] holds values of a static [`Number`] type, [`PackedCodes`] codes of a runtime [`Format`]. Both
//! share one serialised layout, returned by `as_bytes` and accepted by `from_bytes`:
//!
//! | bytes | content |
//! | --- | --- |
//! | `0..4` | magic `NRP1` |
//! | `4..12` | the format ([`Format::to_bytes`]) |
//! | `12..20` | the number of values `n`, little-endian `u64` |
//! | `20..20 + ⌈n·W/8⌉` | the codes: value `i` in bits `i·W .. (i+1)·W` of the little-endian bit stream (bit `k` is bit `k % 8` of byte `k / 8`); unused high bits of the last byte are zero |
//!
//! So a packed array takes exactly [`HEADER_LEN`]` + ⌈n·W/8⌉` bytes. Unpacking reads a 64-bit word per value
//! (8 values per `W` bytes, all shifts constant for a static type).
//!
//! ```
//! use number_rt::{E2m1, Number, Packed};
//! let xs = [0.5f32, -1.0, 6.0, 100.0, 0.0];
//! let p = Packed::<E2m1>::from_f32(&xs);
//! assert_eq!(p.len(), 5);
//! assert_eq!(p.as_bytes().len(), number_rt::packed::HEADER_LEN + 3); // 5 × 4 bits = 20 bits → 3 bytes
//! assert_eq!(p.get(3).to_f32(), 6.0); // saturated when packed
//! let mut out = [0f32; 5];
//! p.unpack_f32(&mut out);
//! assert_eq!(out, [0.5, -1.0, 6.0, 6.0, 0.0]);
//! let q = Packed::<E2m1>::from_bytes(p.as_bytes()).unwrap();
//! assert_eq!(q, p);
//! assert!(Packed::<number_rt::E4m3>::from_bytes(p.as_bytes()).is_err()); // wrong format
//! ```
extern crate alloc;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;

use crate::kernel::mask64;
use crate::{Format, FormatError, Number};

/// Bytes before the payload in the serialised form.
pub const HEADER_LEN: usize = 20;
const MAGIC: [u8; 4] = *b"NRP1";
/// Zero bytes kept after the payload in memory, so that every value can be read with one 8-byte load.
const SLACK: usize = 8;

/// Why bytes are not a valid packed array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PackError {
    /// Fewer bytes than the header.
    TooShort {
        /// Bytes given.
        found: usize,
    },
    /// The first 4 bytes are not `NRP1`.
    BadMagic([u8; 4]),
    /// The format descriptor is invalid.
    BadFormat(FormatError),
    /// The descriptor names another format than the static type's.
    FormatMismatch {
        /// The static type's format.
        expected: Format,
        /// The format in the header.
        found: Format,
    },
    /// The payload length does not match `⌈len·bits/8⌉`.
    Length {
        /// Number of values in the header.
        len: u64,
        /// Bits per value.
        bits: u32,
        /// Payload bytes needed.
        expected: u128,
        /// Payload bytes given.
        found: usize,
    },
    /// The unused high bits of the last payload byte are not zero.
    NonZeroPadding,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackError::TooShort { found } => {
                write!(f, "packed array: expected at least the {HEADER_LEN}-byte header, found {found} bytes")
            }
            PackError::BadMagic(m) => write!(f, "packed array: expected magic `NRP1`, found {m:02x?}"),
            PackError::BadFormat(e) => write!(f, "packed array: bad format descriptor: {e}"),
            PackError::FormatMismatch { expected, found } => {
                write!(f, "packed array: expected format `{expected}`, found `{found}`")
            }
            PackError::Length { len, bits, expected, found } => write!(
                f,
                "packed array: {len} values of {bits} bits need {expected} payload bytes, found {found}"
            ),
            PackError::NonZeroPadding => write!(f, "packed array: padding bits after the last value are not zero"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for PackError {}

/// Payload bytes for `n` values of `bits` bits.
#[inline]
pub const fn payload_len(n: usize, bits: u32) -> usize {
    (n * bits as usize).div_ceil(8)
}

/// The shared representation: header, payload, then [`SLACK`] zero bytes.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Raw {
    bytes: Vec<u8>,
    len: usize,
}

impl Raw {
    #[inline(always)]
    fn pack(format: Format, len: usize, codes: impl Iterator<Item = u32>) -> Raw {
        let w = format.code_bits();
        let plen = payload_len(len, w);
        let mut bytes = vec![0u8; HEADER_LEN + plen + SLACK];
        bytes[0..4].copy_from_slice(&MAGIC);
        bytes[4..12].copy_from_slice(&format.to_bytes());
        bytes[12..20].copy_from_slice(&(len as u64).to_le_bytes());
        let payload = &mut bytes[HEADER_LEN..HEADER_LEN + plen];
        let mask = mask64(w);
        let (mut acc, mut nb, mut pos, mut count) = (0u64, 0u32, 0usize, 0usize);
        for c in codes.take(len) {
            acc |= (c as u64 & mask) << nb;
            nb += w;
            if nb >= 32 {
                payload[pos..pos + 4].copy_from_slice(&(acc as u32).to_le_bytes());
                pos += 4;
                acc >>= 32;
                nb -= 32;
            }
            count += 1;
        }
        assert_eq!(count, len, "packed array: fewer codes than the length");
        while nb > 0 {
            payload[pos] = acc as u8;
            acc >>= 8;
            pos += 1;
            nb = nb.saturating_sub(8);
        }
        Raw { bytes, len }
    }

    #[inline(always)]
    fn get(&self, w: u32, i: usize) -> u32 {
        let bit = i * w as usize;
        let off = HEADER_LEN + bit / 8;
        let word = u64::from_le_bytes(self.bytes[off..off + 8].try_into().unwrap());
        ((word >> (bit % 8)) & mask64(w)) as u32
    }

    /// Calls `f(i, code)` for every value in order, reading one word per value.
    #[inline(always)]
    fn for_each(&self, w: u32, mut f: impl FnMut(usize, u32)) {
        let p = &self.bytes[HEADER_LEN..];
        let wz = w as usize;
        let mask = mask64(w);
        let groups = self.len / 8;
        // 8 values occupy exactly `w` bytes; with `w` constant the inner offsets and shifts are constants.
        for k in 0..groups {
            let chunk = &p[k * wz..k * wz + wz + SLACK];
            for j in 0..8 {
                let bit = j * wz;
                let o = bit / 8;
                let word = u64::from_le_bytes(chunk[o..o + 8].try_into().unwrap());
                f(k * 8 + j, ((word >> (bit % 8)) & mask) as u32);
            }
        }
        for i in groups * 8..self.len {
            f(i, self.get(w, i));
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.bytes.len() - SLACK]
    }

    fn parse(bytes: &[u8]) -> Result<(Format, Raw), PackError> {
        if bytes.len() < HEADER_LEN {
            return Err(PackError::TooShort { found: bytes.len() });
        }
        let magic: [u8; 4] = bytes[0..4].try_into().unwrap();
        if magic != MAGIC {
            return Err(PackError::BadMagic(magic));
        }
        let format = Format::from_bytes(bytes[4..12].try_into().unwrap()).map_err(PackError::BadFormat)?;
        let len = u64::from_le_bytes(bytes[12..20].try_into().unwrap());
        let w = format.code_bits();
        let expected = (len as u128 * w as u128).div_ceil(8);
        let found = bytes.len() - HEADER_LEN;
        if expected != found as u128 {
            return Err(PackError::Length { len, bits: w, expected, found });
        }
        let used = (len as u128 * w as u128 % 8) as u32;
        if used != 0 && bytes[bytes.len() - 1] >> used != 0 {
            return Err(PackError::NonZeroPadding);
        }
        let mut v = Vec::with_capacity(bytes.len() + SLACK);
        v.extend_from_slice(bytes);
        v.resize(bytes.len() + SLACK, 0);
        Ok((format, Raw { bytes: v, len: len as usize }))
    }
}

/// Values of a static [`Number`] type `T` stored in `T::FORMAT.code_bits()` bits each (see the
/// [module documentation](self) for the layout). Packing and unpacking are exact: a value round-trips to the
/// same code. `get` reads one 64-bit word; `unpack`/`unpack_f32` read one word per value with constant shifts
/// (and decode 8-bit-or-narrower codes through a 256-entry table).
///
/// ```
/// use number_rt::{Fixed, Number, Packed};
/// let w: Vec<Fixed<5, 3>> = [0.5f32, -1.25, 1.875, -2.0].iter().map(|&x| Fixed::from_f32(x)).collect();
/// let p = Packed::from_slice(&w);
/// assert_eq!(p.payload().len(), 3); // 4 × 5 bits = 20 bits
/// assert_eq!(p.unpack(), w);
/// assert_eq!(p.get(1).to_f32(), -1.25);
/// ```
pub struct Packed<T> {
    raw: Raw,
    _t: PhantomData<T>,
}

impl<T: Number> Packed<T> {
    /// Bits per value.
    pub const BITS: u32 = T::FORMAT.code_bits();

    /// Serialised size of `n` values: `HEADER_LEN + ⌈n·BITS/8⌉`.
    pub const fn byte_len(n: usize) -> usize {
        HEADER_LEN + payload_len(n, Self::BITS)
    }

    /// Packs values.
    pub fn from_slice(xs: &[T]) -> Self {
        Packed { raw: Raw::pack(T::FORMAT, xs.len(), xs.iter().map(|x| x.to_code())), _t: PhantomData }
    }

    /// Quantizes (`T::from_f32`) and packs.
    pub fn from_f32(xs: &[f32]) -> Self {
        Packed { raw: Raw::pack(T::FORMAT, xs.len(), T::from_f32_slice(xs).iter().map(|x| x.to_code())), _t: PhantomData }
    }

    /// The format of the values.
    pub fn format(&self) -> Format {
        T::FORMAT
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.raw.len
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.raw.len == 0
    }

    /// Value `i`. Panics if `i >= len()`.
    #[inline]
    pub fn get(&self, i: usize) -> T {
        assert!(i < self.raw.len, "packed array: index {i} out of bounds for length {}", self.raw.len);
        T::from_code(self.raw.get(Self::BITS, i))
    }

    /// Value `i`, or `None` if `i >= len()`.
    #[inline]
    pub fn try_get(&self, i: usize) -> Option<T> {
        (i < self.raw.len).then(|| T::from_code(self.raw.get(Self::BITS, i)))
    }

    /// The values in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = T> + '_ {
        (0..self.raw.len).map(move |i| T::from_code(self.raw.get(Self::BITS, i)))
    }

    /// All values.
    pub fn unpack(&self) -> Vec<T> {
        let mut out = vec![T::default(); self.raw.len];
        self.unpack_into(&mut out);
        out
    }

    /// Writes all values to `out`. Panics if `out.len() != len()`.
    pub fn unpack_into(&self, out: &mut [T]) {
        assert_eq!(out.len(), self.raw.len, "packed array: output length must equal len()");
        self.raw.for_each(Self::BITS, |i, c| out[i] = T::from_code(c));
    }

    /// Writes all values, as `f32`, to `out`. Panics if `out.len() != len()`.
    pub fn unpack_f32(&self, out: &mut [f32]) {
        assert_eq!(out.len(), self.raw.len, "packed array: output length must equal len()");
        if Self::BITS <= 8 && self.raw.len >= 256 {
            // Narrow codes: decode each of the (at most 256) codes once, then look values up.
            let mut lut = [0f32; 256];
            for (c, v) in lut.iter_mut().enumerate().take(1 << Self::BITS) {
                *v = T::from_code(c as u32).to_f32();
            }
            self.raw.for_each(Self::BITS, |i, c| out[i] = lut[c as usize & 0xff]);
        } else {
            self.raw.for_each(Self::BITS, |i, c| out[i] = T::from_code(c).to_f32());
        }
    }

    /// The serialised form: header and payload (exactly [`byte_len`](Packed::byte_len)`(len())` bytes).
    pub fn as_bytes(&self) -> &[u8] {
        self.raw.as_bytes()
    }

    /// The payload only (`⌈len·BITS/8⌉` bytes).
    pub fn payload(&self) -> &[u8] {
        &self.raw.as_bytes()[HEADER_LEN..]
    }

    /// Parses and validates the serialised form: magic, format (must be `T::FORMAT`), exact length, zero
    /// padding. Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PackError> {
        let (format, raw) = Raw::parse(bytes)?;
        if format != T::FORMAT {
            return Err(PackError::FormatMismatch { expected: T::FORMAT, found: format });
        }
        Ok(Packed { raw, _t: PhantomData })
    }

    /// The same array with its format as a runtime value.
    pub fn into_codes(self) -> PackedCodes {
        PackedCodes { format: T::FORMAT, raw: self.raw }
    }
}

impl<T: Number> Default for Packed<T> {
    /// An empty array.
    fn default() -> Self {
        Self::from_slice(&[])
    }
}

impl<T> Clone for Packed<T> {
    fn clone(&self) -> Self {
        Packed { raw: self.raw.clone(), _t: PhantomData }
    }
}

impl<T> PartialEq for Packed<T> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl<T> Eq for Packed<T> {}

impl<T: Number> fmt::Debug for Packed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Packed").field("format", &T::FORMAT).field("len", &self.raw.len).finish_non_exhaustive()
    }
}

/// Codes of a runtime [`Format`] stored in `format.code_bits()` bits each, in the same layout as [`Packed`].
///
/// ```
/// use number_rt::{Format, packed::PackedCodes};
/// let f: Format = "fixed<5,2>".parse().unwrap();
/// let p = PackedCodes::from_f32(f, &[1.0, -0.25, 9.0]).unwrap();
/// assert_eq!(p.get_code(1), 0b11111);
/// assert_eq!(p.get(2), 3.75); // saturated
/// let typed = p.into_typed::<number_rt::Fixed<5, 2>>().unwrap();
/// assert_eq!(typed.len(), 3);
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PackedCodes {
    format: Format,
    raw: Raw,
}

impl PackedCodes {
    /// Quantizes (`format.encode`) and packs; errors if the format is invalid.
    pub fn from_f32(format: Format, xs: &[f32]) -> Result<Self, FormatError> {
        format.validate()?;
        if let Format::Block { w, f, len } = format {
            // Blocks are cut from the whole slice; the codes are the container raw integers.
            let raws = crate::blocked::block_raw_vec(xs, w, f, len);
            return Ok(PackedCodes { format, raw: Raw::pack(format, xs.len(), raws.iter().map(|&r| r as u8 as u32)) });
        }
        Ok(PackedCodes { format, raw: Raw::pack(format, xs.len(), xs.iter().map(|&x| format.encode(x))) })
    }

    /// Packs codes (bits above `format.bits()` are ignored); errors if the format is invalid.
    pub fn from_codes(format: Format, codes: &[u32]) -> Result<Self, FormatError> {
        format.validate()?;
        Ok(PackedCodes { format, raw: Raw::pack(format, codes.len(), codes.iter().copied()) })
    }

    /// The format.
    pub fn format(&self) -> Format {
        self.format
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.raw.len
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.raw.len == 0
    }

    /// Code `i`. Panics if `i >= len()`.
    pub fn get_code(&self, i: usize) -> u32 {
        assert!(i < self.raw.len, "packed array: index {i} out of bounds for length {}", self.raw.len);
        self.raw.get(self.format.code_bits(), i)
    }

    /// Value `i` (`format.decode`). Panics if `i >= len()`.
    pub fn get(&self, i: usize) -> f32 {
        self.format.decode(self.get_code(i))
    }

    /// Writes all codes to `out`. Panics if `out.len() != len()`.
    pub fn unpack_codes(&self, out: &mut [u32]) {
        assert_eq!(out.len(), self.raw.len, "packed array: output length must equal len()");
        self.for_each(|i, c| out[i] = c);
    }

    /// Writes all values (`format.decode`) to `out`. Panics if `out.len() != len()`.
    pub fn unpack_f32(&self, out: &mut [f32]) {
        assert_eq!(out.len(), self.raw.len, "packed array: output length must equal len()");
        let f = self.format;
        self.for_each(|i, c| out[i] = f.decode(c));
    }

    fn for_each(&self, f: impl FnMut(usize, u32)) {
        // Constant widths for the common cases, so that the inner loop is unrolled with constant shifts.
        match self.format.code_bits() {
            4 => self.raw.for_each(4, f),
            8 => self.raw.for_each(8, f),
            16 => self.raw.for_each(16, f),
            w => self.raw.for_each(w, f),
        }
    }

    /// The serialised form (header and payload).
    pub fn as_bytes(&self) -> &[u8] {
        self.raw.as_bytes()
    }

    /// Parses and validates the serialised form (any valid format). Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PackError> {
        let (format, raw) = Raw::parse(bytes)?;
        Ok(PackedCodes { format, raw })
    }

    /// The typed array, if `T::FORMAT` is this array's format.
    pub fn into_typed<T: Number>(self) -> Result<Packed<T>, PackError> {
        if self.format != T::FORMAT {
            return Err(PackError::FormatMismatch { expected: T::FORMAT, found: self.format });
        }
        Ok(Packed { raw: self.raw, _t: PhantomData })
    }
}

impl fmt::Debug for PackedCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PackedCodes").field("format", &self.format).field("len", &self.raw.len).finish_non_exhaustive()
    }
}
