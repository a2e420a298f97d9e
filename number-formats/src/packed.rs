//! Packed tensors: [`Packed<T>`] stores the codes of a static number type at exactly the type's width.
//!
//! A `Vec<T>` of a tuned type spends a whole byte (two above 8 bits) on every value; `Packed<T>` spends
//! `T::FORMAT.bits()` bits, plus 3 bits per block for block formats: the resident size of a weight tensor is its
//! parameter bits / 8, up to the padding of the last words.
//!
//! # Layout (exact)
//!
//! - The storage is a slice of `u64` words read as one little-endian bit stream: bit `k` of the stream is bit
//!   `k % 64` of word `k / 64`.
//! - Value `i` (of `len`) occupies stream bits `i·W .. (i+1)·W`, lowest bit first, where `W` is [`width`]`::<T>()`:
//!   `T::FORMAT.bits()` (`W` of `fixed<W,F>`/`ufixed<W,F>`, 1 for `binary<F>`, `1+E+M` for floats, 32 for `f32`).
//!   Its `W` bits are `T::to_code(v)` ([`Number::to_code`]), except for block formats (below).
//! - Block formats `block<W,F,N>` ([`Blocked`](crate::Blocked)): value `i` of block `b = i / N` has container raw
//!   integer `r_i = v_i · 2^s_b` with `v_i` a `W`-bit signed integer (for `W = 1`: `v_i = ±1`, stored as its sign
//!   bit, 1 for negative) and the block's shift `s_b` in `0..=6` (`s_b = T − F_b`, see [`crate::blocked`]). The
//!   value bits hold `v_i` in two's complement (`W` bits); the shifts, 3 bits each, follow as a second stream that
//!   starts at the first word after the codes: shift `b` at stream bits `64·⌈len·W/64⌉ + 3b ..`. Packing chooses
//!   the largest `s_b ≤ 6` that divides every raw of the block by `2^s_b` (for a block of zeros: 6), which gives back
//!   every raw exactly (the raws are `v·2^(T−F_b)` with `v` in range, so a larger common power of two only divides
//!   `v`).
//! - The storage holds [`words_for`]`(len)` words in all: the codes' bits rounded up to words, then the block
//!   shifts' bits rounded up to words; unused bits are zero.
//!
//! Reading value `i` gives back exactly the value that was packed: `Packed::from_values(v).get(i) == v[i]` for
//! every `T` (property-tested for every width 1..=16 and the formats `fixed`, `ufixed`, `binary`, `block` and
//! `float`), so the tuned build's values, and hence its results, do not depend on the storage.
//!
//! ```
//! use number_formats::{Fixed, Number, packed::Packed};
//! type T = Fixed<3, 2>;
//! let w = Packed::<T>::from_f32_slice(&[0.5, -0.25, 0.75, -1.0, 0.3]);
//! assert_eq!(w.len(), 5);
//! assert_eq!(w.get(3).to_f32(), -1.0);
//! assert_eq!(w.to_f32(), [0.5, -0.25, 0.75, -1.0, 0.25]);
//! assert_eq!(w.slice(1, 2).to_f32(), [-0.25, 0.75]);
//! assert_eq!(w.words().len(), 1); // 15 bits in one word
//! ```
use alloc::vec::Vec;
use core::fmt;

use crate::{Format, Number};

/// Bits per value of `T` in a [`Packed<T>`]: `T::FORMAT.bits()` (the value bits `W` of a block format, whose
/// block shifts are stored apart).
#[inline(always)]
pub const fn width<T: Number>() -> u32 {
    T::FORMAT.bits()
}

/// The block length `N` of `T` when `T` is a block format, else `None`.
#[inline(always)]
const fn block_len<T: Number>() -> Option<usize> {
    match T::FORMAT {
        Format::Block { len, .. } => Some(len as usize),
        _ => None,
    }
}

/// Bits of one block shift in the shift stream of a block format.
const SHIFT_BITS: u32 = 3;

/// Words that hold the codes of `len` values of `format` (without the block shifts).
#[inline(always)]
const fn code_words(format: Format, len: usize) -> usize {
    (len * format.bits() as usize).div_ceil(64)
}

/// Words a [`Packed<T>`] of `len` values stores: the codes, and the block shifts (block formats).
///
/// ```
/// use number_formats::{Blocked, Fixed, packed::words_for};
/// assert_eq!(words_for::<Fixed<4, 0>>(16), 1); // 64 bits of codes
/// assert_eq!(words_for::<Fixed<4, 0>>(17), 2);
/// assert_eq!(words_for::<Blocked<4, 0, 8>>(16), 2); // codes, and the 2 shifts of 3 bits
/// ```
pub const fn words_for<T: Number>(len: usize) -> usize {
    words_for_format(T::FORMAT, len)
}

/// [`words_for`] of the static type of `format`.
pub const fn words_for_format(format: Format, len: usize) -> usize {
    let shifts = match format {
        Format::Block { len: n, .. } => {
            (len.div_ceil(n as usize) * SHIFT_BITS as usize).div_ceil(64)
        }
        _ => 0,
    };
    code_words(format, len) + shifts
}

/// The words of a packed tensor of `format` holding the values whose codes are `codes` (`Number::to_code` of each
/// value; for block formats the container raw integer's byte). Panics when block values are not on one block grid
/// per block.
fn pack(format: Format, codes: &[u32]) -> Vec<u64> {
    let len = codes.len();
    let mut w = alloc::vec![0u64; words_for_format(format, len)];
    let bits = format.bits();
    match format {
        Format::Block { w: vw, len: n, .. } => {
            let n = n as usize;
            let base = code_words(format, len) * 64;
            for (b, blk) in codes.chunks(n).enumerate() {
                // Container raws (i8 codes); the largest common power of two up to 2^6.
                let tz = blk
                    .iter()
                    .map(|&c| (c as u8 as i8 as i32 | 1 << 6).trailing_zeros())
                    .min()
                    .unwrap_or(6);
                write_bits(
                    &mut w,
                    base + b * SHIFT_BITS as usize,
                    SHIFT_BITS,
                    tz as u64,
                );
                for (j, &c) in blk.iter().enumerate() {
                    let raw = c as u8 as i8 as i32;
                    let code = if vw == 1 {
                        (raw < 0) as u32
                    } else {
                        (raw >> tz) as u32 & ((1u32 << vw) - 1)
                    };
                    assert!(
                        block_raw(code, vw, tz) == raw,
                        "Packed: the values of block {b} are not on one block grid of {format} (build block \
                         tensors with `from_f32_slice`)"
                    );
                    write_bits(&mut w, (b * n + j) * bits as usize, bits, code as u64);
                }
            }
        }
        _ => {
            for (i, &c) in codes.iter().enumerate() {
                write_bits(&mut w, i * bits as usize, bits, c as u64);
            }
        }
    }
    w
}

/// The words of `Packed::<T>::from_f32_slice(xs)` for the static type `T` of `format`, from the runtime format
/// alone (`Format::encode` of each value; block formats cut `xs` into blocks): what baked weight tables hold,
/// for [`Packed::from_raw_words`].
///
/// ```
/// use number_formats::{Fixed, Format, Number, Packed, packed::words_of};
/// let xs = [0.3f32, -1.0, 0.7];
/// let f = <Fixed<3, 2> as Number>::FORMAT;
/// assert_eq!(words_of(f, &xs), Packed::<Fixed<3, 2>>::from_f32_slice(&xs).words());
/// ```
pub fn words_of(format: Format, xs: &[f32]) -> Vec<u64> {
    let codes: Vec<u32> = match format {
        Format::Block { w, f, len } => crate::blocked::block_raw_vec(xs, w, f, len)
            .iter()
            .map(|&r| r as u8 as u32)
            .collect(),
        _ => xs.iter().map(|&x| format.encode(x)).collect(),
    };
    pack(format, &codes)
}

/// Whether two formats are the same (in a `const` context: compares their descriptors).
const fn same_format(a: Format, b: Format) -> bool {
    let (a, b) = (a.to_bytes(), b.to_bytes());
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `bits` bits of the stream `w` from bit `at` (`bits <= 64`; bits past the end of `w` read as 0).
#[inline(always)]
pub(crate) fn read_bits(w: &[u64], at: usize, bits: u32) -> u64 {
    let (k, off) = (at / 64, (at % 64) as u32);
    let lo = w[k] >> off;
    // `<< 1 << (63 - off)` is `<< (64 - off)` without the overflow at `off == 0`.
    let hi = (w.get(k + 1).copied().unwrap_or(0) << 1) << (63 - off);
    let v = lo | hi;
    if bits == 64 {
        v
    } else {
        v & ((1u64 << bits) - 1)
    }
}

/// Writes the low `bits` bits of `v` at stream bit `at` (the bits there are zero).
#[inline(always)]
fn write_bits(w: &mut [u64], at: usize, bits: u32, v: u64) {
    let v = if bits == 64 {
        v
    } else {
        v & ((1u64 << bits) - 1)
    };
    let (k, off) = (at / 64, (at % 64) as u32);
    w[k] |= v << off;
    if off + bits > 64 {
        w[k + 1] |= v >> (64 - off);
    }
}

/// The bytes of the words, in memory order (the stream's bytes on little-endian targets).
#[inline(always)]
pub(crate) fn bytes_of(w: &[u64]) -> &[u8] {
    // SAFETY: `u64` has no padding and every byte pattern is a valid `u8`; the length is the words' size.
    unsafe { core::slice::from_raw_parts(w.as_ptr().cast::<u8>(), core::mem::size_of_val(w)) }
}

/// Decoding byte-sized values with the CPU's vector instructions.
pub(crate) mod simd {
    use crate::{Format, Number};

    /// How a code becomes the stored byte of a one-byte type: sign-extended (`fixed`), zero-extended (`ufixed`),
    /// or `1 − 2·code` (`binary`).
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Kind {
        Signed,
        Unsigned,
        Binary,
    }

    /// The [`Kind`] of `T` when `T` is stored as one byte holding its raw integer and that raw integer is the
    /// code extended as `Kind` says (`Fixed`/`UFixed` of at most 8 bits, `Binary`); `None` otherwise.
    pub(crate) const fn kind<T: Number>() -> Option<Kind> {
        if core::mem::size_of::<T>() != 1 {
            return None;
        }
        match T::FORMAT {
            Format::Fixed { w, .. } if w <= 8 => Some(Kind::Signed),
            Format::UFixed { w, .. } if w <= 8 => Some(Kind::Unsigned),
            Format::Binary { .. } => Some(Kind::Binary),
            _ => None,
        }
    }

    /// Writes `expand(kind, code, bits)` of values `k0 ..` of the byte stream `bytes` (value `i` at bit `i·bits`)
    /// into the first bytes of `out`, 32 at a time with AVX2 from any start (the last group of fewer than 32
    /// through a stack buffer; the groups whose loads would pass the end of `bytes` from a zero-padded copy of
    /// its last bytes); returns how many it wrote (`out.len()`; 0 without AVX2 or off x86-64).
    #[inline(always)]
    pub(super) fn decode(bytes: &[u8], k0: usize, bits: u32, kind: Kind, out: &mut [u8]) -> usize {
        #[cfg(target_arch = "x86_64")]
        if crate::dot::cpu::selected() >= crate::dot::cpu::Kernels::Avx2 {
            let (b, n) = (bits as usize, out.len());
            let (at, r) = (k0 * b / 8, (k0 * b % 8) as u32);
            let groups = n.div_ceil(32).min(avx2::fit(bytes.len(), at, bits));
            if groups > 0 {
                // SAFETY: the CPU has AVX2; the loads end at or before `bytes.len()` (`avx2::fit`); the stores
                // write `min(32·groups, n) <= out.len()` bytes.
                unsafe {
                    avx2::decode(
                        bytes.as_ptr().add(at),
                        bits,
                        r,
                        kind,
                        out.as_mut_ptr(),
                        n,
                        groups,
                    )
                };
            }
            let done = (32 * groups).min(n);
            if done == n {
                return n;
            }
            // The values whose loads would pass the end of the words: from a zero-padded copy of the last bytes
            // (fewer than 6·bits + 16 of them hold the codes left, so every group's loads lie in the copy).
            let at = at + 4 * b * groups;
            let mut pad = [0u8; 96];
            let m = (bytes.len() - at).min(96);
            pad[..m].copy_from_slice(&bytes[at..at + m]);
            let (rest, more) = (n - done, (n - done).div_ceil(32));
            if avx2::fit(pad.len(), 0, bits) < more {
                return done;
            }
            // SAFETY: the CPU has AVX2; the loads lie in `pad` (`avx2::fit`); the stores write `rest` bytes from
            // `done`, inside `out`.
            unsafe {
                avx2::decode(
                    pad.as_ptr(),
                    bits,
                    r,
                    kind,
                    out.as_mut_ptr().add(done),
                    rest,
                    more,
                )
            };
            return n;
        }
        let _ = (bytes, k0, bits, kind, out);
        0
    }

    /// The stored byte of code `c` (`bits` bits) of `kind`.
    #[inline(always)]
    pub(crate) fn expand(kind: Kind, c: u32, bits: u32) -> u8 {
        match kind {
            Kind::Signed => ((((c << (32 - bits)) as i32) >> (32 - bits)) as i8) as u8,
            Kind::Unsigned => c as u8,
            Kind::Binary => (1 - 2 * (c & 1) as i32) as i8 as u8,
        }
    }

    #[cfg(target_arch = "x86_64")]
    pub(crate) mod avx2 {
        use super::Kind;
        use core::arch::x86_64::*;

        /// `vpshufb` indices per width `w` and start bit `r`, for the codes 0..8 (`[0]`) and 8..16 (`[1]`) of
        /// each 128-bit lane (the low lane holds codes 0..16 of a group, the high lane codes 16..32, each loaded
        /// from the byte holding its first code, which starts at bit `r` of that byte): the two bytes holding code
        /// `j` (bits `r + j·w ..`) into 16-bit lane `j`, the second one only when the code reaches into it (else
        /// zero, so that no index points past the lane: `r + 16·w <= 128` for every width and start a stream of
        /// `w`-bit codes has).
        const SHUF: [[[[u8; 32]; 2]; 8]; 9] = {
            let mut t = [[[[0u8; 32]; 2]; 8]; 9];
            let mut w = 1;
            while w <= 8 {
                let mut r = 0;
                while r < 8 {
                    let mut half = 0;
                    while half < 2 {
                        let mut j = 0;
                        while j < 8 {
                            let p = r + (8 * half + j) * w;
                            let (b, s) = (p / 8, p % 8);
                            let mut h = 0;
                            while h < 2 {
                                let l = 16 * h + 2 * j;
                                t[w][r][half][l] = if b < 16 { b as u8 } else { 0x80 };
                                t[w][r][half][l + 1] = if s + w > 8 && b + 1 < 16 {
                                    (b + 1) as u8
                                } else {
                                    0x80
                                };
                                h += 1;
                            }
                            j += 1;
                        }
                        half += 1;
                    }
                    r += 1;
                }
                w += 1;
            }
            t
        };

        /// `vpmullw` factors per width `w` and start bit `r`: `2^(16 − w − s)` for code `j` at bit
        /// `s = (r + j·w) % 8` of its first byte, which puts the code's top bit at the top of its 16-bit lane (codes
        /// `j` and `j + 8` start at the same bit of their bytes).
        const MUL: [[[u16; 16]; 8]; 9] = {
            let mut t = [[[0u16; 16]; 8]; 9];
            let mut w = 1;
            while w <= 8 {
                let mut r = 0;
                while r < 8 {
                    let mut l = 0;
                    while l < 16 {
                        t[w][r][l] = 1u16 << (16 - w - (r + (l % 8) * w) % 8);
                        l += 1;
                    }
                    r += 1;
                }
                w += 1;
            }
            t
        };

        /// How many groups of 32 codes of `bits` bits, the first at byte `at` of `len` readable bytes, [`codes`]
        /// may read (group g reads 16 bytes at `at + 4g·bits` and at `at + 4g·bits + 2·bits`).
        #[inline(always)]
        pub(crate) fn fit(len: usize, at: usize, bits: u32) -> usize {
            let b = bits as usize;
            if len >= at + 2 * b + 16 {
                (len - at - 2 * b - 16) / (4 * b) + 1
            } else {
                0
            }
        }

        /// The 32 codes of `bits` bits (1..=8) from bit `r` (0..8; 0 for 8 bits) of the bytes at `src`, expanded
        /// as kind `K` says (0 signed, 1 unsigned, 2 binary ±1), as bytes in order: the two bytes holding each
        /// code moved into a 16-bit lane (`vpshufb`), its top bit put at the top of the lane (`vpmullw`), shifted
        /// back (arithmetically for signed codes), packed to bytes.
        ///
        /// # Safety
        /// The CPU has AVX2; the 16 bytes at `src` and at `src + 2·bits` are readable.
        #[target_feature(enable = "avx2")]
        #[inline]
        pub(crate) unsafe fn codes<const K: u8>(src: *const u8, bits: u32, r: u32) -> __m256i {
            let (b, r) = (bits as usize, r as usize & 7);
            unsafe {
                let shuf0 = _mm256_loadu_si256(SHUF[b][r][0].as_ptr().cast());
                let shuf1 = _mm256_loadu_si256(SHUF[b][r][1].as_ptr().cast());
                let mul = _mm256_loadu_si256(MUL[b][r].as_ptr().cast());
                let count = _mm_cvtsi32_si128((16 - bits) as i32);
                let ones16 = _mm256_set1_epi16(1);
                let lo = _mm_loadu_si128(src.cast());
                let hi = _mm_loadu_si128(src.add(2 * b).cast());
                let v = _mm256_inserti128_si256::<1>(_mm256_castsi128_si256(lo), hi);
                // Codes 0..8 and 16..24 (e0), 8..16 and 24..32 (e1), each at the top of its 16-bit lane.
                let e0 = _mm256_mullo_epi16(_mm256_shuffle_epi8(v, shuf0), mul);
                let e1 = _mm256_mullo_epi16(_mm256_shuffle_epi8(v, shuf1), mul);
                // Packing e0 with e1 puts the 32 values in order.
                match K {
                    0 => {
                        _mm256_packs_epi16(_mm256_sra_epi16(e0, count), _mm256_sra_epi16(e1, count))
                    }
                    1 => _mm256_packus_epi16(
                        _mm256_srl_epi16(e0, count),
                        _mm256_srl_epi16(e1, count),
                    ),
                    _ => {
                        let (c0, c1) = (_mm256_srl_epi16(e0, count), _mm256_srl_epi16(e1, count));
                        let v0 = _mm256_sub_epi16(ones16, _mm256_add_epi16(c0, c0));
                        let v1 = _mm256_sub_epi16(ones16, _mm256_add_epi16(c1, c1));
                        _mm256_packs_epi16(v0, v1)
                    }
                }
            }
        }

        /// `n` values of `bits` (1..=8) bits from bit `r` of the byte stream at `src` to bytes at `out`, in
        /// `groups` groups of 32 ([`codes`]); a last group of fewer than 32 values through a stack buffer.
        ///
        /// # Safety
        /// The CPU has AVX2; `groups = ⌈n / 32⌉` or fewer, and the loads of every group are readable
        /// ([`fit`]); `out` has `min(32·groups, n)` writable bytes.
        #[allow(clippy::too_many_arguments)]
        #[target_feature(enable = "avx2")]
        pub(crate) unsafe fn decode(
            src: *const u8,
            bits: u32,
            r: u32,
            kind: Kind,
            out: *mut u8,
            n: usize,
            groups: usize,
        ) {
            unsafe {
                match kind {
                    Kind::Signed => decode_k::<0>(src, bits, r, out, n, groups),
                    Kind::Unsigned => decode_k::<1>(src, bits, r, out, n, groups),
                    Kind::Binary => decode_k::<2>(src, bits, r, out, n, groups),
                }
            }
        }

        /// [`decode`] for one kind `K` (as [`codes`]).
        #[target_feature(enable = "avx2")]
        #[inline]
        unsafe fn decode_k<const K: u8>(
            src: *const u8,
            bits: u32,
            r: u32,
            out: *mut u8,
            n: usize,
            groups: usize,
        ) {
            let b = bits as usize;
            unsafe {
                for g in 0..groups {
                    let v = codes::<K>(src.add(4 * b * g), bits, r);
                    if 32 * g + 32 <= n {
                        _mm256_storeu_si256(out.add(32 * g).cast(), v);
                    } else {
                        let mut t = [0u8; 32];
                        _mm256_storeu_si256(t.as_mut_ptr().cast(), v);
                        core::ptr::copy_nonoverlapping(t.as_ptr(), out.add(32 * g), n - 32 * g);
                    }
                }
            }
        }
    }
}

/// The words of a packed tensor: owned, or a `'static` table (baked weights).
#[derive(Clone)]
enum Words {
    Owned(Vec<u64>),
    Static(&'static [u64]),
}

/// A tensor of `T` values stored at `T`'s width (see the [module documentation](self) for the exact layout).
///
/// Build it from `f32` values ([`from_f32_slice`](Packed::from_f32_slice): the same values as
/// [`Number::from_f32_slice`], block formats cut into blocks), from values ([`from_values`](Packed::from_values)),
/// or from its words in a `const` context ([`from_raw_words`](Packed::from_raw_words)). Read it by index
/// ([`get`](Packed::get)), by range ([`slice`](Packed::slice)), by iterator, or decode a range into a buffer of
/// `T` ([`unpack_into`](Packed::unpack_into)), which the tuned layers do for their integer kernels.
///
/// ```
/// use number_formats::{Binary, Number, packed::Packed};
/// let w = Packed::<Binary<2>>::from_f32_slice(&[0.3, -0.1, 2.0]);
/// let v: Vec<f32> = w.iter().map(|x| x.to_f32()).collect();
/// assert_eq!(v, [0.25, -0.25, 0.25]);
/// assert_eq!(w.resident_bytes(), 8); // 3 bits in one word
/// ```
#[derive(Clone)]
pub struct Packed<T: Number> {
    words: Words,
    len: usize,
    _t: core::marker::PhantomData<T>,
}

/// A range of a [`Packed<T>`] (or of another view): values `start .. start + len` of the tensor it views.
#[derive(Clone, Copy)]
pub struct PackedSlice<'a, T: Number> {
    words: &'a [u64],
    /// Values in the whole tensor (where the block shifts start).
    total: usize,
    start: usize,
    len: usize,
    _t: core::marker::PhantomData<T>,
}

impl<T: Number> Packed<T> {
    /// An empty tensor.
    pub fn new() -> Self {
        Self::from_values(&[])
    }

    /// The tensor holding `values`, in order. For block formats the values must lie, block by block, on one block
    /// grid each (as [`Number::from_f32_slice`] makes them); panics otherwise.
    pub fn from_values(values: &[T]) -> Self {
        let codes: Vec<u32> = values.iter().map(|v| v.to_code()).collect();
        Packed {
            words: Words::Owned(pack(T::FORMAT, &codes)),
            len: values.len(),
            _t: core::marker::PhantomData,
        }
    }

    /// The tensor of `T::from_f32_slice(xs)` (block formats cut `xs` into blocks of `N` from its start).
    pub fn from_f32_slice(xs: &[f32]) -> Self {
        Self::from_values(&T::from_f32_slice(xs))
    }

    /// The tensor of `len` values of format `format` stored in `words` (as [`words`](Packed::words) and
    /// [`words_of`] give them), in a `const` context: baked weight tables. Panics (a compile error in a
    /// `const`/`static`) unless `format` is `T::FORMAT` (so that a table baked for another format than the one
    /// `T` names now does not compile) and `words` holds exactly [`words_for`]`::<T>(len)` words.
    ///
    /// ```
    /// use number_formats::{Fixed, Number, packed::Packed};
    /// type T = Fixed<4, 0>;
    /// static W: Packed<T> = Packed::from_raw_words(&[0xf1], 2, T::FORMAT);
    /// assert_eq!((W.get(0).to_f32(), W.get(1).to_f32()), (1.0, -1.0));
    /// ```
    pub const fn from_raw_words(words: &'static [u64], len: usize, format: Format) -> Self {
        assert!(
            same_format(format, T::FORMAT),
            "Packed::from_raw_words: the words were packed for another format than the tensor's type (a stale \
             baked file: regenerate it)"
        );
        assert!(
            words.len() == words_for::<T>(len),
            "Packed::from_raw_words: the word count does not match the length and the format"
        );
        Packed {
            words: Words::Static(words),
            len,
            _t: core::marker::PhantomData,
        }
    }

    /// The storage words (the layout of the [module documentation](self)).
    #[inline(always)]
    pub fn words(&self) -> &[u64] {
        match &self.words {
            Words::Owned(v) => v,
            Words::Static(s) => s,
        }
    }

    /// Bytes of the storage words: `8 · words_for::<T>(len)`.
    pub fn resident_bytes(&self) -> usize {
        core::mem::size_of_val(self.words())
    }

    /// The number of values.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no values.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The whole tensor as a view.
    #[inline(always)]
    pub fn as_slice(&self) -> PackedSlice<'_, T> {
        PackedSlice {
            words: self.words(),
            total: self.len,
            start: 0,
            len: self.len,
            _t: core::marker::PhantomData,
        }
    }

    /// Value `i`. Panics if `i >= len`.
    #[inline(always)]
    pub fn get(&self, i: usize) -> T {
        self.as_slice().get(i)
    }

    /// Values `start .. start + len`. Panics if that range is not inside the tensor.
    #[inline(always)]
    pub fn slice(&self, start: usize, len: usize) -> PackedSlice<'_, T> {
        self.as_slice().slice(start, len)
    }

    /// The values in order.
    pub fn iter(&self) -> Iter<'_, T> {
        self.as_slice().iter()
    }

    /// Writes values `start .. start + out.len()` into `out`. Panics if that range is not inside the tensor.
    #[inline]
    pub fn unpack_into(&self, start: usize, out: &mut [T]) {
        self.as_slice().unpack_into(start, out)
    }

    /// The values as `T` (one per element).
    pub fn to_vec(&self) -> Vec<T> {
        self.as_slice().to_vec()
    }

    /// The values as `f32` (`T::to_f32` of each).
    pub fn to_f32(&self) -> Vec<f32> {
        self.as_slice().to_f32()
    }
}

impl<'a, T: Number> PackedSlice<'a, T> {
    /// The storage words of the whole tensor.
    #[inline(always)]
    pub(crate) fn stream(&self) -> &'a [u64] {
        self.words
    }

    /// The index of this view's first value in the whole tensor.
    #[inline(always)]
    pub(crate) fn first(&self) -> usize {
        self.start
    }

    /// The number of values.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no values.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Value `i` of this view. Panics if `i >= len`.
    #[inline(always)]
    pub fn get(&self, i: usize) -> T {
        assert!(
            i < self.len,
            "index {i} out of range for a packed tensor of {}",
            self.len
        );
        self.at(self.start + i)
    }

    /// Value `k` of the whole tensor (`k < total`).
    #[inline(always)]
    fn at(&self, k: usize) -> T {
        let bits = width::<T>();
        let code = read_bits(self.words, k * bits as usize, bits);
        match (T::FORMAT, block_len::<T>()) {
            (Format::Block { w: vw, .. }, Some(n)) => {
                let s = self.shift(k / n);
                T::from_code(block_raw(code as u32, vw, s) as u8 as u32)
            }
            _ => T::from_code(code as u32),
        }
    }

    /// The shift of block `b` (block formats).
    #[inline(always)]
    pub(crate) fn shift(&self, b: usize) -> u32 {
        let base = code_words(T::FORMAT, self.total) * 64;
        read_bits(self.words, base + b * SHIFT_BITS as usize, SHIFT_BITS) as u32
    }

    /// Values `start .. start + len` of this view. Panics if that range is not inside it.
    #[inline(always)]
    pub fn slice(&self, start: usize, len: usize) -> PackedSlice<'a, T> {
        assert!(
            start.checked_add(len).is_some_and(|e| e <= self.len),
            "range {start}..{start}+{len} out of range for a packed tensor of {}",
            self.len
        );
        PackedSlice {
            start: self.start + start,
            len,
            ..*self
        }
    }

    /// The values in order.
    pub fn iter(&self) -> Iter<'a, T> {
        Iter {
            view: *self,
            next: 0,
        }
    }

    /// Writes values `start .. start + out.len()` of this view into `out`. Panics if that range is not inside it.
    #[inline]
    pub fn unpack_into(&self, start: usize, out: &mut [T]) {
        let n = out.len();
        assert!(
            start.checked_add(n).is_some_and(|e| e <= self.len),
            "range {start}..{start}+{n} out of range for a packed tensor of {}",
            self.len
        );
        let k0 = self.start + start;
        let bits = width::<T>();
        let little = cfg!(target_endian = "little");
        match (T::FORMAT, block_len::<T>()) {
            (Format::Block { w: vw, .. }, Some(bn)) if little => {
                // The `vw`-bit values (±1 for one bit) as bytes, then each block's run shifted by its shift.
                // SAFETY: `Blocked` is `#[repr(transparent)]` over the `i8` of its container raw integer, and
                // every byte is one.
                let bytes =
                    unsafe { core::slice::from_raw_parts_mut(out.as_mut_ptr().cast::<u8>(), n) };
                let kind = if vw == 1 {
                    simd::Kind::Binary
                } else {
                    simd::Kind::Signed
                };
                decode_bytes(self.words, k0, vw, kind, bytes);
                let mut j = 0;
                while j < n {
                    let k = k0 + j;
                    let m = (bn - k % bn).min(n - j);
                    let s = self.shift(k / bn);
                    for o in &mut bytes[j..j + m] {
                        *o = ((*o as i8) << s) as u8;
                    }
                    j += m;
                }
            }
            (Format::Block { w: vw, .. }, Some(bn)) => {
                for (t, o) in out.iter_mut().enumerate() {
                    let k = k0 + t;
                    let code = read_bits(self.words, k * bits as usize, bits);
                    *o = T::from_code(block_raw(code as u32, vw, self.shift(k / bn)) as u8 as u32);
                }
            }
            _ if little && simd::kind::<T>().is_some() => {
                let kind = const { simd::kind::<T>() }.unwrap();
                // SAFETY: `T` is one byte holding its raw integer (`simd::kind`: `Fixed`/`UFixed` of at most 8
                // bits and `Binary`, `#[repr(transparent)]` over `i8`/`u8`), which `expand` writes.
                let bytes =
                    unsafe { core::slice::from_raw_parts_mut(out.as_mut_ptr().cast::<u8>(), n) };
                decode_bytes(self.words, k0, bits, kind, bytes);
            }
            _ if bits <= 16 && little => {
                // Values one by one up to a multiple of 8 (whose codes start on a byte), then groups of 8
                // values, which occupy `bits` whole bytes: one unaligned load each and constant shifts.
                let head = ((8 - k0 % 8) % 8).min(n);
                for (t, o) in out[..head].iter_mut().enumerate() {
                    let code = read_bits(self.words, (k0 + t) * bits as usize, bits);
                    *o = T::from_code(code as u32);
                }
                let bytes = bytes_of(self.words);
                let first = (k0 + head) / 8 * bits as usize;
                // Groups whose load (8 or 16 bytes) stays inside the storage; the rest one by one.
                let load = if bits <= 8 { 8 } else { 16 };
                let groups = ((n - head) / 8).min(
                    (bytes.len() + 1)
                        .saturating_sub(first + load)
                        .div_ceil(bits as usize),
                );
                let mask = (1u128 << bits) - 1;
                for (g, o) in out[head..head + 8 * groups].chunks_exact_mut(8).enumerate() {
                    let at = first + g * bits as usize;
                    let v = if bits <= 8 {
                        u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap()) as u128
                    } else {
                        u128::from_le_bytes(bytes[at..at + 16].try_into().unwrap())
                    };
                    for (j, o) in o.iter_mut().enumerate() {
                        *o = T::from_code(((v >> (j as u32 * bits)) & mask) as u32);
                    }
                }
                let tail = head + 8 * groups;
                for (t, o) in out[tail..].iter_mut().enumerate() {
                    let code = read_bits(self.words, (k0 + tail + t) * bits as usize, bits);
                    *o = T::from_code(code as u32);
                }
            }
            _ => {
                for (t, o) in out.iter_mut().enumerate() {
                    let code = read_bits(self.words, (k0 + t) * bits as usize, bits);
                    *o = T::from_code(code as u32);
                }
            }
        }
    }

    /// The values as `T` (one per element).
    pub fn to_vec(&self) -> Vec<T> {
        let mut v = alloc::vec![T::default(); self.len];
        self.unpack_into(0, &mut v);
        v
    }

    /// The values as `f32` (`T::to_f32` of each).
    pub fn to_f32(&self) -> Vec<f32> {
        self.iter().map(|v| v.to_f32()).collect()
    }
}

/// `simd::expand(kind, code, bits)` of values `k0 ..` of the stream `words` into `out` (little-endian targets):
/// 32 at a time with AVX2 from any start ([`simd::decode`]) while the loads stay inside the words; the rest (or
/// all, without AVX2) one by one up to a multiple of 8 (whose codes start on a byte), then groups of 8 (`bits`
/// whole bytes: one load and constant shifts), then one by one. `bits <= 8`.
#[inline]
pub(crate) fn decode_bytes(words: &[u64], k0: usize, bits: u32, kind: simd::Kind, out: &mut [u8]) {
    let bytes = bytes_of(words);
    let wide = simd::decode(bytes, k0, bits, kind, out);
    if wide < out.len() {
        decode_rest(words, k0 + wide, bits, kind, &mut out[wide..]);
    }
}

/// [`decode_bytes`] without SIMD.
#[inline(never)]
fn decode_rest(words: &[u64], k0: usize, bits: u32, kind: simd::Kind, out: &mut [u8]) {
    let n = out.len();
    let head = ((8 - k0 % 8) % 8).min(n);
    for (t, o) in out[..head].iter_mut().enumerate() {
        *o = simd::expand(
            kind,
            read_bits(words, (k0 + t) * bits as usize, bits) as u32,
            bits,
        );
    }
    let bytes = bytes_of(words);
    let first = (k0 + head) / 8 * bits as usize;
    // Groups whose 8-byte load stays inside the storage; the rest one by one.
    let groups = ((n - head) / 8).min(
        (bytes.len() + 1)
            .saturating_sub(first + 8)
            .div_ceil(bits as usize),
    );
    let mask = (1u64 << bits) - 1;
    for (g, o) in out[head..head + 8 * groups].chunks_exact_mut(8).enumerate() {
        let at = first + g * bits as usize;
        let v = u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
        for (j, o) in o.iter_mut().enumerate() {
            *o = simd::expand(kind, ((v >> (j as u32 * bits)) & mask) as u32, bits);
        }
    }
    let tail = head + 8 * groups;
    for (t, o) in out[tail..].iter_mut().enumerate() {
        *o = simd::expand(
            kind,
            read_bits(words, (k0 + tail + t) * bits as usize, bits) as u32,
            bits,
        );
    }
}

/// The container raw integer of a block value: `v · 2^s`, `v` the `vw`-bit signed `code` (for `vw = 1`, the sign
/// bit: `±1`).
#[inline(always)]
fn block_raw(code: u32, vw: u32, s: u32) -> i32 {
    let v = if vw == 1 {
        1 - 2 * (code & 1) as i32
    } else {
        ((code << (32 - vw)) as i32) >> (32 - vw)
    };
    v << s
}

/// The iterator of a packed tensor's values ([`Packed::iter`], [`PackedSlice::iter`]).
#[derive(Clone)]
pub struct Iter<'a, T: Number> {
    view: PackedSlice<'a, T>,
    next: usize,
}

impl<T: Number> Iterator for Iter<'_, T> {
    type Item = T;
    #[inline]
    fn next(&mut self) -> Option<T> {
        (self.next < self.view.len).then(|| {
            self.next += 1;
            self.view.at(self.view.start + self.next - 1)
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.view.len - self.next;
        (n, Some(n))
    }
}

impl<T: Number> ExactSizeIterator for Iter<'_, T> {}

impl<'a, T: Number> IntoIterator for &'a Packed<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<'a, T: Number> IntoIterator for PackedSlice<'a, T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T: Number> Default for Packed<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Number> FromIterator<T> for Packed<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self::from_values(&iter.into_iter().collect::<Vec<T>>())
    }
}

impl<T: Number> From<&[T]> for Packed<T> {
    fn from(v: &[T]) -> Self {
        Self::from_values(v)
    }
}

impl<T: Number> From<Vec<T>> for Packed<T> {
    fn from(v: Vec<T>) -> Self {
        Self::from_values(&v)
    }
}

impl<T: Number> PartialEq for Packed<T> {
    /// Equal values in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T: Number> fmt::Debug for Packed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T: Number> fmt::Debug for PackedSlice<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// A weight tensor as tuned layers take it: a slice or `Vec` of `T`, a `[T; N]` array, or a [`Packed<T>`] (or a
/// view of one). Tuned `#[quantize]` functions accept `&(impl ?Sized + WeightRead<T>)` for each weight and read it
/// as a `&[T]` through [`read`](WeightRead::read): slices, `Vec`s and arrays are that slice already; packed
/// tensors decode their values into the buffer once per call. The values are the same either way.
pub trait WeightRead<T: Number> {
    /// The number of values.
    fn weight_len(&self) -> usize;
    /// Bytes the values occupy in memory: `len · size_of::<T>()` for slices, `Vec`s and arrays, the words of a
    /// packed tensor ([`Packed::resident_bytes`]; a view counts the whole tensor's words).
    fn resident_bytes(&self) -> usize;
    /// The values as a slice: `self` when it is one, else decoded into `buf`.
    fn read<'a, const N: usize>(&'a self, buf: &'a mut Unpacked<T, N>) -> &'a [T];
    /// The weight as a tuned layer reads it during one call: its values in memory when it is a slice, or when it
    /// is a packed tensor of at most `N` values (decoded into `buf` once: on small tensors cheaper than the fused
    /// inner-product kernel's cost per row), else the packed tensor, whose rows [`range`](WeightRead::range)
    /// hands to the kernels packed.
    fn prepare<'a, const N: usize>(&'a self, buf: &'a mut Unpacked<T, N>) -> Prepared<'a, T>;
    /// Values `start .. start + n` as a [`Row`]: a range of `self` when it is a slice, else the packed range with
    /// `buf` to decode it into (what the tuned kernels read a weight row through: [`Row::values`] decodes it, and
    /// the inner-product kernel multiplies a packed row's codes without decoding it into memory,
    /// [`crate::dot::rows`]). Panics if the range is not inside.
    fn range<'a, const N: usize>(
        &'a self,
        start: usize,
        n: usize,
        buf: &'a mut Unpacked<T, N>,
    ) -> Row<'a, T, N>;
}

impl<T: Number> WeightRead<T> for [T] {
    #[inline(always)]
    fn weight_len(&self) -> usize {
        self.len()
    }
    fn resident_bytes(&self) -> usize {
        core::mem::size_of_val(self)
    }
    #[inline(always)]
    fn read<'a, const N: usize>(&'a self, _: &'a mut Unpacked<T, N>) -> &'a [T] {
        self
    }
    #[inline(always)]
    fn range<'a, const N: usize>(
        &'a self,
        start: usize,
        n: usize,
        _: &'a mut Unpacked<T, N>,
    ) -> Row<'a, T, N> {
        Row::Values(&self[start..][..n])
    }
    #[inline(always)]
    fn prepare<'a, const N: usize>(&'a self, _: &'a mut Unpacked<T, N>) -> Prepared<'a, T> {
        Prepared::Values(self)
    }
}

/// Arrays and `Vec`s read as the slice they hold.
macro_rules! weights_as_slice {
    ($([$($g:tt)*] $t:ty),*) => {$(
        impl<$($g)*> WeightRead<T> for $t {
            #[inline(always)]
            fn weight_len(&self) -> usize {
                self.len()
            }
            fn resident_bytes(&self) -> usize {
                self[..].resident_bytes()
            }
            #[inline(always)]
            fn read<'a, const N: usize>(&'a self, buf: &'a mut Unpacked<T, N>) -> &'a [T] {
                self[..].read(buf)
            }
            #[inline(always)]
            fn range<'a, const N: usize>(
                &'a self,
                start: usize,
                n: usize,
                buf: &'a mut Unpacked<T, N>,
            ) -> Row<'a, T, N> {
                self[..].range(start, n, buf)
            }
            #[inline(always)]
            fn prepare<'a, const N: usize>(&'a self, buf: &'a mut Unpacked<T, N>) -> Prepared<'a, T> {
                self[..].prepare(buf)
            }
        }
    )*};
}
weights_as_slice!([T: Number, const M: usize] [T; M], [T: Number] Vec<T>);

impl<T: Number> WeightRead<T> for Packed<T> {
    #[inline(always)]
    fn weight_len(&self) -> usize {
        self.len
    }
    fn resident_bytes(&self) -> usize {
        Packed::resident_bytes(self)
    }
    #[inline(always)]
    fn read<'a, const N: usize>(&'a self, buf: &'a mut Unpacked<T, N>) -> &'a [T] {
        buf.unpack(self.as_slice())
    }
    #[inline(always)]
    fn range<'a, const N: usize>(
        &'a self,
        start: usize,
        n: usize,
        buf: &'a mut Unpacked<T, N>,
    ) -> Row<'a, T, N> {
        Row::Packed(self.slice(start, n), buf)
    }
    #[inline(always)]
    fn prepare<'a, const N: usize>(&'a self, buf: &'a mut Unpacked<T, N>) -> Prepared<'a, T> {
        let view = self.as_slice();
        if view.len() <= N {
            Prepared::Values(buf.unpack(view))
        } else {
            Prepared::Packed(view)
        }
    }
}

impl<T: Number> WeightRead<T> for PackedSlice<'_, T> {
    #[inline(always)]
    fn weight_len(&self) -> usize {
        self.len
    }
    fn resident_bytes(&self) -> usize {
        core::mem::size_of_val(self.words)
    }
    #[inline(always)]
    fn read<'a, const N: usize>(&'a self, buf: &'a mut Unpacked<T, N>) -> &'a [T] {
        buf.unpack(*self)
    }
    #[inline(always)]
    fn range<'a, const N: usize>(
        &'a self,
        start: usize,
        n: usize,
        buf: &'a mut Unpacked<T, N>,
    ) -> Row<'a, T, N> {
        Row::Packed(self.slice(start, n), buf)
    }
    #[inline(always)]
    fn prepare<'a, const N: usize>(&'a self, buf: &'a mut Unpacked<T, N>) -> Prepared<'a, T> {
        let view = *self;
        if view.len() <= N {
            Prepared::Values(buf.unpack(view))
        } else {
            Prepared::Packed(view)
        }
    }
}

impl<T: Number, W: ?Sized + WeightRead<T>> WeightRead<T> for &W {
    #[inline(always)]
    fn weight_len(&self) -> usize {
        (**self).weight_len()
    }
    fn resident_bytes(&self) -> usize {
        (**self).resident_bytes()
    }
    #[inline(always)]
    fn read<'a, const N: usize>(&'a self, buf: &'a mut Unpacked<T, N>) -> &'a [T] {
        (**self).read(buf)
    }
    #[inline(always)]
    fn range<'a, const N: usize>(
        &'a self,
        start: usize,
        n: usize,
        buf: &'a mut Unpacked<T, N>,
    ) -> Row<'a, T, N> {
        (**self).range(start, n, buf)
    }
    #[inline(always)]
    fn prepare<'a, const N: usize>(&'a self, buf: &'a mut Unpacked<T, N>) -> Prepared<'a, T> {
        (**self).prepare(buf)
    }
}

/// A weight as a tuned layer reads it during one call ([`WeightRead::prepare`]).
#[derive(Clone, Copy, Debug)]
pub enum Prepared<'a, T: Number> {
    /// Its values in memory.
    Values(&'a [T]),
    /// A packed tensor, decoded range by range.
    Packed(PackedSlice<'a, T>),
}

impl<T: Number> WeightRead<T> for Prepared<'_, T> {
    #[inline(always)]
    fn weight_len(&self) -> usize {
        match self {
            Prepared::Values(v) => v.len(),
            Prepared::Packed(p) => p.len(),
        }
    }
    fn resident_bytes(&self) -> usize {
        match self {
            Prepared::Values(v) => core::mem::size_of_val(*v),
            Prepared::Packed(p) => core::mem::size_of_val(p.words),
        }
    }
    #[inline(always)]
    fn read<'a, const N: usize>(&'a self, buf: &'a mut Unpacked<T, N>) -> &'a [T] {
        match self {
            Prepared::Values(v) => v,
            Prepared::Packed(p) => buf.unpack(*p),
        }
    }
    #[inline(always)]
    fn prepare<'a, const N: usize>(&'a self, _: &'a mut Unpacked<T, N>) -> Prepared<'a, T> {
        *self
    }
    #[inline(always)]
    fn range<'a, const N: usize>(
        &'a self,
        start: usize,
        n: usize,
        buf: &'a mut Unpacked<T, N>,
    ) -> Row<'a, T, N> {
        match self {
            Prepared::Values(v) => Row::Values(&v[start..][..n]),
            Prepared::Packed(p) => Row::Packed(p.slice(start, n), buf),
        }
    }
}

/// A range of a weight as the tuned kernels take it ([`WeightRead::range`]): values in memory, or a range of a
/// packed tensor with the buffer its values are decoded into when a kernel needs them in memory
/// ([`values`](Row::values)).
pub enum Row<'a, T: Number, const N: usize> {
    /// The values in memory.
    Values(&'a [T]),
    /// A packed range, and the buffer to decode it into.
    Packed(PackedSlice<'a, T>, &'a mut Unpacked<T, N>),
}

impl<'a, T: Number, const N: usize> Row<'a, T, N> {
    /// The values as a slice (a packed range decoded into its buffer).
    #[inline(always)]
    pub fn values(self) -> &'a [T] {
        match self {
            Row::Values(v) => v,
            Row::Packed(p, buf) => buf.unpack(p),
        }
    }
}

/// An operand of the tuned kernels ([`crate::dot::rows`]): a slice of values, or a [`Row`] of a weight, which
/// may be packed.
pub trait Operand<'a>: Sized {
    /// The element type.
    type Elem: Number;
    /// The packed range, when the operand is one.
    fn packed(&self) -> Option<PackedSlice<'a, Self::Elem>>;
    /// The values as a slice (decoded when packed).
    fn values(self) -> &'a [Self::Elem];
}

impl<'a, E: Number> Operand<'a> for &'a [E] {
    type Elem = E;
    #[inline(always)]
    fn packed(&self) -> Option<PackedSlice<'a, E>> {
        None
    }
    #[inline(always)]
    fn values(self) -> &'a [E] {
        self
    }
}

impl<'a, T: Number, const N: usize> Operand<'a> for Row<'a, T, N> {
    type Elem = T;
    #[inline(always)]
    fn packed(&self) -> Option<PackedSlice<'a, T>> {
        match self {
            Row::Values(_) => None,
            Row::Packed(p, _) => Some(*p),
        }
    }
    #[inline(always)]
    fn values(self) -> &'a [T] {
        Row::values(self)
    }
}

/// The decoded values of a packed tensor ([`WeightRead::read`]): on the stack up to `N` values, else in a `Vec`.
pub struct Unpacked<T: Number, const N: usize> {
    inline: [core::mem::MaybeUninit<T>; N],
    heap: Vec<T>,
}

impl<T: Number, const N: usize> Unpacked<T, N> {
    /// An empty buffer (nothing initialized, nothing allocated).
    #[inline(always)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        Unpacked {
            inline: [const { core::mem::MaybeUninit::uninit() }; N],
            heap: Vec::new(),
        }
    }

    /// Decodes the values of `p` into the buffer.
    #[inline]
    pub fn unpack(&mut self, p: PackedSlice<'_, T>) -> &[T] {
        if p.len() <= N {
            let out = &mut self.inline[..p.len()];
            // SAFETY: `MaybeUninit<T>` has the layout of `T`, and `T: Copy` has no drop; every element is written
            // by `unpack_into` before it is read (`unpack_into` only writes `out`).
            let out =
                unsafe { core::slice::from_raw_parts_mut(out.as_mut_ptr() as *mut T, out.len()) };
            p.unpack_into(0, out);
            out
        } else {
            self.heap = p.to_vec();
            &self.heap
        }
    }
}

/// What a weight loader can build from `f32` values: a `Vec<T>` or a [`Packed<T>`] of the site type `T`
/// (`number_runtime::weights::to_site` returns either).
pub trait FromF32s: Sized {
    /// The element type (the site's number type).
    type Elem: Number;
    /// The tensor of `Elem::from_f32_slice(xs)`.
    fn from_f32s(xs: &[f32]) -> Self;
}

impl<T: Number> FromF32s for Vec<T> {
    type Elem = T;
    fn from_f32s(xs: &[f32]) -> Self {
        T::from_f32_slice(xs)
    }
}

impl<T: Number> FromF32s for Packed<T> {
    type Elem = T;
    fn from_f32s(xs: &[f32]) -> Self {
        Packed::from_f32_slice(xs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Binary, Blocked, E4m3, Fixed, Float, UFixed};

    fn data(n: usize, seed: u32) -> Vec<f32> {
        (0..n as u32)
            .map(|i| {
                let h = (i ^ seed)
                    .wrapping_mul(2_654_435_761)
                    .rotate_left(11)
                    .wrapping_mul(0x9e37_79b9);
                ((h >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * (1u32 << (h & 7)) as f32 / 16.0
            })
            .collect()
    }

    fn round_trip<T: Number>() {
        for n in [0usize, 1, 2, 7, 63, 64, 65, 200] {
            let xs = data(n, n as u32 * 31 + T::FORMAT.bits());
            let v = T::from_f32_slice(&xs);
            let p = Packed::<T>::from_f32_slice(&xs);
            assert_eq!(p.len(), n);
            assert_eq!(p.words().len(), words_for::<T>(n));
            for (i, x) in v.iter().enumerate() {
                assert_eq!(p.get(i).to_code(), x.to_code(), "{} n {n} i {i}", T::FORMAT);
            }
            assert_eq!(p.to_vec(), v);
            let fs: Vec<f32> = v.iter().map(|x| x.to_f32()).collect();
            assert_eq!(p.to_f32(), fs);
            for (s, l) in [(0, n), (n / 3, n / 2), (n / 2, n - n / 2)] {
                let view = p.slice(s, l);
                let mut out = alloc::vec![T::default(); l];
                view.unpack_into(0, &mut out);
                assert_eq!(out[..], v[s..s + l], "{} slice {s}+{l}", T::FORMAT);
                assert_eq!(view.iter().collect::<Vec<_>>(), v[s..s + l]);
            }
        }
    }

    #[test]
    fn every_format_round_trips() {
        round_trip::<Fixed<2, 1>>();
        round_trip::<Fixed<3, 2>>();
        round_trip::<Fixed<5, 4>>();
        round_trip::<UFixed<1, 0>>();
        round_trip::<UFixed<7, 3>>();
        round_trip::<Binary<3>>();
        round_trip::<Blocked<1, 0, 5>>();
        round_trip::<Blocked<4, 2, 32>>();
        round_trip::<Blocked<7, -1, 3>>();
        round_trip::<Float<2, 1, 1>>();
        round_trip::<E4m3>();
        round_trip::<Fixed<16, 8>>();
        round_trip::<f32>();
    }

    #[test]
    fn every_kernel_set_decodes_the_same() {
        use crate::dot::cpu;
        for k in cpu::every_available() {
            cpu::limit(Some(k));
            round_trip::<Fixed<2, 1>>();
            round_trip::<Fixed<8, 1>>();
            round_trip::<UFixed<8, 0>>();
            round_trip::<UFixed<3, 1>>();
            round_trip::<Binary<0>>();
            round_trip::<Fixed<6, 0>>();
        }
        cpu::limit(None);
    }

    /// The AVX2 decoder against the scalar expansion, for every width and kind, on random bytes.
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    #[test]
    fn avx2_decoder_equals_the_scalar_expansion() {
        use simd::{Kind, expand};
        if !std::is_x86_feature_detected!("avx2") {
            return;
        }
        let mut seed = 0x1234_5678_9abc_def0u64;
        let bytes: Vec<u8> = (0..200)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (seed >> 56) as u8
            })
            .collect();
        let words: Vec<u64> = bytes
            .chunks(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b[..c.len()].copy_from_slice(c);
                u64::from_le_bytes(b)
            })
            .chain([0])
            .collect();
        for bits in 1..=8u32 {
            for kind in [Kind::Signed, Kind::Unsigned, Kind::Binary] {
                if kind == Kind::Binary && bits != 1 || kind == Kind::Signed && bits == 1 {
                    continue;
                }
                for r in 0..if bits == 8 { 1 } else { 8 } {
                    for n in [1usize, 31, 32, 33, 100, 128] {
                        let groups = n.div_ceil(32);
                        let mut out = alloc::vec![0u8; n];
                        // SAFETY: AVX2 is present; 4·8·3 + 2·8 + 16 < 200 bytes are readable; `out` holds `n`
                        // bytes.
                        unsafe {
                            simd::avx2::decode(
                                bytes.as_ptr(),
                                bits,
                                r,
                                kind,
                                out.as_mut_ptr(),
                                n,
                                groups,
                            )
                        };
                        for (j, &o) in out.iter().enumerate() {
                            let c = read_bits(&words, r as usize + j * bits as usize, bits) as u32;
                            assert_eq!(
                                o,
                                expand(kind, c, bits),
                                "bits {bits} r {r} n {n} value {j}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn resident_bytes_are_the_bits() {
        let p = Packed::<Fixed<3, 0>>::from_f32_slice(&data(1000, 1));
        assert_eq!(p.resident_bytes(), 8 * 3000usize.div_ceil(64));
        let b = Packed::<Blocked<4, 0, 32>>::from_f32_slice(&data(1024, 2));
        let bits = <Blocked<4, 0, 32> as Number>::FORMAT.storage_bits(1024) as usize;
        assert_eq!(
            b.resident_bytes(),
            8 * (4096 / 64 + (32 * 3usize).div_ceil(64))
        );
        assert!(b.resident_bytes() * 8 < bits + 2 * 64);
    }

    #[test]
    fn weight_read_gives_the_values() {
        let xs = data(300, 9);
        let v = Fixed::<4, 3>::from_f32_slice(&xs);
        let p = Packed::<Fixed<4, 3>>::from_values(&v);
        let mut small = Unpacked::<Fixed<4, 3>, 16>::new();
        let mut big = Unpacked::<Fixed<4, 3>, 1024>::new();
        assert_eq!(WeightRead::read(&p, &mut small), &v[..]);
        assert_eq!(WeightRead::read(&p, &mut big), &v[..]);
        assert_eq!(WeightRead::read(&v, &mut big), &v[..]);
        assert_eq!(WeightRead::read(&v[..], &mut big).as_ptr(), v.as_ptr());
        assert_eq!(WeightRead::read(&p.slice(5, 9), &mut small), &v[5..14]);
        assert_eq!(WeightRead::range(&p, 7, 200, &mut big).values(), &v[7..207]);
        assert_eq!(
            WeightRead::range(&p, 7, 200, &mut small).values(),
            &v[7..207]
        );
        assert_eq!(
            WeightRead::range(&v, 7, 200, &mut small).values().as_ptr(),
            v[7..].as_ptr()
        );
        assert_eq!(
            WeightRead::range(&&p, 290, 10, &mut small).values(),
            &v[290..]
        );
        assert!(matches!(
            WeightRead::range(&p, 7, 20, &mut big),
            Row::Packed(..)
        ));
        assert!(matches!(
            WeightRead::range(&v, 7, 20, &mut big),
            Row::Values(_)
        ));
        // Prepared: a tensor that fits the buffer is decoded once (a type the fused kernel reads too); a larger
        // one stays packed, and is read range by range.
        let mut prep = Unpacked::<Fixed<4, 3>, 1024>::new();
        let rows = WeightRead::prepare(&p, &mut prep);
        assert!(matches!(rows, Prepared::Values(_)));
        assert_eq!(
            WeightRead::range(&rows, 7, 200, &mut small).values(),
            &v[7..207]
        );
        let mut tiny = Unpacked::<Fixed<4, 3>, 16>::new();
        let rows = WeightRead::prepare(&p, &mut tiny);
        assert!(matches!(rows, Prepared::Packed(_)));
        assert_eq!(
            WeightRead::range(&rows, 7, 200, &mut big).values(),
            &v[7..207]
        );
        assert_eq!(WeightRead::read(&rows, &mut big), &v[..]);
        // Other types: a small tensor decoded once, a large one range by range, the same values.
        let wide = Fixed::<10, 3>::from_f32_slice(&xs);
        let q = Packed::<Fixed<10, 3>>::from_values(&wide);
        let mut prep = Unpacked::<Fixed<10, 3>, 1024>::new();
        let whole = WeightRead::prepare(&q, &mut prep);
        assert!(matches!(whole, Prepared::Values(_)));
        let mut small = Unpacked::<Fixed<10, 3>, 16>::new();
        assert_eq!(
            WeightRead::range(&whole, 7, 200, &mut small).values(),
            &wide[7..207]
        );
        let rows = WeightRead::prepare(&q, &mut small);
        assert!(matches!(rows, Prepared::Packed(_)));
        let mut big = Unpacked::<Fixed<10, 3>, 1024>::new();
        assert_eq!(
            WeightRead::range(&rows, 7, 200, &mut big).values(),
            &wide[7..207]
        );
        assert_eq!(p.weight_len(), 300);
        assert_eq!(WeightRead::resident_bytes(&p), p.resident_bytes());
        assert_eq!(WeightRead::resident_bytes(&v), 300);
    }

    #[test]
    fn static_words_equal_the_owned_tensor() {
        let v = Blocked::<3, 1, 4>::from_f32_slice(&data(10, 3));
        let p = Packed::from_values(&v);
        let words: &'static [u64] = alloc::boxed::Box::leak(p.words().to_vec().into_boxed_slice());
        let q = Packed::<Blocked<3, 1, 4>>::from_raw_words(words, 10, Blocked::<3, 1, 4>::FORMAT);
        assert_eq!(p, q);
        assert_eq!(q.to_vec(), v);
    }

    #[test]
    #[should_panic]
    fn wrong_word_counts_are_refused() {
        let _ = Packed::<Fixed<4, 0>>::from_raw_words(&[0, 0], 2, Fixed::<4, 0>::FORMAT);
    }

    #[test]
    #[should_panic]
    fn words_of_another_format_are_refused() {
        let _ = Packed::<Fixed<4, 0>>::from_raw_words(&[0], 2, Fixed::<4, 1>::FORMAT);
    }

    #[test]
    fn runtime_packing_equals_the_static_one() {
        fn check<T: Number>(xs: &[f32]) {
            assert_eq!(
                words_of(T::FORMAT, xs),
                Packed::<T>::from_f32_slice(xs).words(),
                "{}",
                T::FORMAT
            );
        }
        let xs = data(333, 5);
        check::<Fixed<3, 2>>(&xs);
        check::<UFixed<5, 4>>(&xs);
        check::<Binary<1>>(&xs);
        check::<Blocked<1, 2, 16>>(&xs);
        check::<Blocked<4, 1, 30>>(&xs);
        check::<E4m3>(&xs);
        check::<Float<3, 3, 5>>(&xs);
        check::<f32>(&xs);
    }

    #[test]
    #[should_panic]
    fn out_of_range_reads_panic() {
        let p = Packed::<Fixed<4, 0>>::from_f32_slice(&[1.0, 2.0]);
        let _ = p.get(2);
    }
}
