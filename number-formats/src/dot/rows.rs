//! The kernels as tuned layers call them: [`dot`], [`sum`] and [`columns`] of [`Operand`]s, which are slices of
//! values or the [`Row`](crate::packed::Row)s a weight hands out ([`WeightRead::range`](crate::packed::WeightRead)),
//! possibly packed.
//!
//! A packed row against a byte operand (fixed point of at most 8 bits) is multiplied without decoding it into
//! memory when the CPU has AVX2: 32 codes at a time are unpacked in registers into bytes (the two bytes holding each
//! code moved into a 16-bit lane with `vpshufb`, aligned with `vpmullw` by a power of two, shifted back
//! arithmetically or logically, packed to bytes in order), then multiplied with the 32 operand bytes (`vpmaddubsw`
//! where no pair of products can saturate 16 bits, else both widened to 16 bits) and summed pairwise into 32-bit
//! lanes (`vpmaddwd`). Block formats sum each block's run of codes and shift that sum by the block's shift. The
//! result is the exact integer sum the byte kernel computes on the decoded row, under the same conditions
//! ([`super::dot`]'s integer path: the product grid, a bound on every partial sum, the accumulator check), so the
//! value returned is the same, bit for bit. Everything else (no AVX2, other formats, operands that are not bytes,
//! a check that fails) decodes the row into its buffer and runs [`super::dot`] on it.
use super::{EXACT, Raw, acc_units, grid, layout, pow2};
use crate::packed::simd::{Kind, kind};
use crate::packed::{Operand, PackedSlice, bytes_of, decode_bytes};
use crate::{Format, Number};

/// Smallest block length `N` of a block format whose rows the fused kernel reads packed (shorter blocks cost a
/// scalar head and tail per block: such rows are decoded instead).
const MIN_BLOCK: u32 = 32;

/// Whether the fused kernel reads packed rows of `T` (on CPUs with AVX2): one-byte fixed-point and binary types,
/// and block formats of at least [`MIN_BLOCK`] values per block.
pub const fn fused_type<T: Number>() -> bool {
    if cfg!(target_endian = "big") {
        return false;
    }
    match T::FORMAT {
        Format::Block { w, len, .. } => len >= MIN_BLOCK && w <= 7,
        _ => kind::<T>().is_some(),
    }
}

/// [`super::dot`] of two operands: `acc` after `acc = A::quantize(acc + a[k] * b[k])` for every `k`.
///
/// A packed row of at most [`SHORT`] one-byte values is decoded in registers into a stack buffer
/// ([`short_values`]) and handed to [`super::dot`] like a row of byte storage (whose short-row kernels are
/// inlined); longer packed rows go to the fused kernel ([`packed_dot`]), else they are decoded.
#[inline(always)]
pub fn dot<'a, 'b, A: Number, TA: Number, TB: Number, OA: Operand<'a>, OB: Operand<'b>>(
    acc: f32,
    a: OA,
    b: OB,
) -> f32 {
    if let Some(pa) = a.packed() {
        let b = b.values();
        let mut buf = [core::mem::MaybeUninit::<u8>::uninit(); SHORT];
        if let Some(v) = short_values(pa, &mut buf) {
            return super::dot::<A, TA, TB, _, _>(acc, v, b);
        }
        if let Some(r) = packed_dot::<A, TA, TB, _, _>(acc, pa, b) {
            return r;
        }
        return super::dot::<A, TA, TB, _, _>(acc, a.values(), b);
    }
    if let Some(pb) = b.packed() {
        let a = a.values();
        let mut buf = [core::mem::MaybeUninit::<u8>::uninit(); SHORT];
        if let Some(v) = short_values(pb, &mut buf) {
            return super::dot::<A, TA, TB, _, _>(acc, a, v);
        }
        if let Some(r) = packed_dot::<A, TB, TA, _, _>(acc, pb, a) {
            return r;
        }
        return super::dot::<A, TA, TB, _, _>(acc, a, b.values());
    }
    super::dot::<A, TA, TB, _, _>(acc, a.values(), b.values())
}

/// Packed rows of at most this many values are decoded by [`short_values`].
const SHORT: usize = 64;

/// The values of a packed row `p` of at most [`SHORT`] one-byte values (`simd::kind`: fixed point of at most 8
/// bits, binary) decoded into `buf`, inlined, with the build target's AVX2 (x86-64-v3, `.cargo/config.toml`):
/// one or two groups of 32 codes from the row's first code, whatever bit it starts at (`simd::avx2::codes`),
/// read from the tensor's bytes, or from a zero-padded copy of its last bytes where a load would pass its end.
/// `None` for other rows, types and builds, and when [`super::cpu::limit`] forbids AVX2.
#[inline(always)]
fn short_values<'b, T: Number>(
    p: PackedSlice<'_, T>,
    buf: &'b mut [core::mem::MaybeUninit<u8>; SHORT],
) -> Option<&'b [T]> {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx2"))]
    {
        use crate::packed::simd::avx2::{codes, fit};
        use core::arch::x86_64::*;
        let kind = const { kind::<T>() }?;
        let n = p.len();
        if n == 0 || n > SHORT || super::cpu::selected() < super::cpu::Kernels::Avx2 {
            return None;
        }
        let (bits, bytes) = (T::FORMAT.bits(), bytes_of(p.stream()));
        let at = p.first() * bits as usize;
        let (first, r) = (at / 8, (at % 8) as u32);
        let groups = n.div_ceil(32);
        // Two groups read at most 4·bits + 2·bits + 16 <= 64 bytes.
        let mut pad = [0u8; 64];
        let src = if fit(bytes.len(), first, bits) >= groups {
            // SAFETY: `first < bytes.len()` (the row's first code lies in the words).
            unsafe { bytes.as_ptr().add(first) }
        } else {
            let m = (bytes.len() - first).min(64);
            pad[..m].copy_from_slice(&bytes[first..first + m]);
            pad.as_ptr()
        };
        // SAFETY: the build targets AVX2 (cfg); each group's loads lie in the words (`fit`) or in `pad`; the
        // stores write `32·groups <= SHORT` bytes of `buf`.
        unsafe {
            let group = |g: usize| {
                let s = src.add(4 * bits as usize * g);
                match kind {
                    Kind::Signed => codes::<0>(s, bits, r),
                    Kind::Unsigned => codes::<1>(s, bits, r),
                    Kind::Binary => codes::<2>(s, bits, r),
                }
            };
            let out = buf.as_mut_ptr().cast::<u8>();
            _mm256_storeu_si256(out.cast(), group(0));
            if groups > 1 {
                _mm256_storeu_si256(out.add(32).cast(), group(1));
            }
        }
        // SAFETY: the first `n` bytes of `buf` are written; `T` is one byte holding its raw integer
        // (`simd::kind`: `Fixed`/`UFixed` of at most 8 bits and `Binary`, `#[repr(transparent)]` over `i8`/`u8`),
        // which `codes` writes.
        Some(unsafe { core::slice::from_raw_parts(buf.as_ptr().cast::<T>(), n) })
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "avx2")))]
    {
        let _ = (p, buf);
        None
    }
}

/// [`super::sum`] of an operand.
#[inline(always)]
pub fn sum<'a, A: Number, TX: Number, OX: Operand<'a>>(acc: f32, x: OX) -> f32 {
    super::sum::<A, TX, _>(acc, x.values())
}

/// [`super::columns`] with its row operand an [`Operand`] (a packed row is decoded once, then shared by every
/// lane).
#[inline(always)]
pub fn columns<'a, 'b, A: Number, TA: Number, TB: Number, EC: Number, OA: Operand<'a>, EB>(
    acc: &mut [EC],
    a: OA,
    col: impl Fn(usize) -> &'b [EB],
) where
    EB: Number + 'b,
{
    super::columns::<A, TA, TB, EC, _, EB>(acc, a.values(), col)
}

/// [`super::columns_at`] (the columns at a constant stride in one slice) with its row operand an [`Operand`].
#[inline(always)]
pub fn columns_at<
    'a,
    A: Number,
    TA: Number,
    TB: Number,
    EC: Number,
    OA: Operand<'a>,
    EB: Number,
>(
    acc: &mut [EC],
    a: OA,
    b: &[EB],
    start: usize,
    stride: usize,
) {
    super::columns_at::<A, TA, TB, EC, _, EB>(acc, a.values(), b, start, stride)
}

/// The integer path of [`super::dot`] for a packed row `p` (site type `TW`) against `x` (site type `TX`), with the
/// fused kernel: `None` when it does not apply (then the caller decodes the row and runs [`super::dot`]).
#[inline(always)]
fn packed_dot<A: Number, TW: Number, TX: Number, W: Number, EX: Number>(
    acc: f32,
    p: PackedSlice<'_, W>,
    x: &[EX],
) -> Option<f32> {
    if !fused_type::<W>() {
        return None;
    }
    let fk = kernels()?;
    let n = p.len();
    if x.len() != n || n == 0 {
        return None;
    }
    let (lw, lx) = (layout(TW::FIXED, W::FIXED)?, layout(TX::FIXED, EX::FIXED)?);
    let (s, pmax) = grid::<W, EX>(lw, lx)?;
    let (xb, xs): (&[u8], bool) = match EX::raw_slice(x) {
        // SAFETY: i8 and u8 have the same layout.
        Raw::I8(v) => (
            unsafe { core::slice::from_raw_parts(v.as_ptr().cast::<u8>(), v.len()) },
            true,
        ),
        Raw::U8(v) => (v, false),
        Raw::Other => return None,
    };
    // Every partial sum is at most `prods` units: n·pmax, or for long block rows the bound from the blocks'
    // shifts (|v|·2^shift per value).
    let prods = if (n as u64) < (EXACT / pmax.max(1)) as u64 {
        n as i64 * pmax
    } else {
        block_bound(p, lx.max_abs())?
    };
    let ai = acc_units::<A>(acc, s, prods)?;
    let sum = fused(p, xb, xs, fk);
    // |ai + sum| < 2^24: the conversion and the scaling are exact.
    Some((ai + sum) as f32 * pow2(-s) as f32)
}

/// A fused kernel: which instructions multiply the unpacked codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fused {
    /// AVX2 (`vpmaddubsw` or `vpmaddwd`), 32 codes at a time.
    Avx2,
    /// The AVX2 unpacking with AVX-VNNI's `vpdpbusd`, 32 codes at a time.
    AvxVnni,
    /// AVX-512 VBMI + VNNI, 64 codes at a time.
    Avx512,
}

/// Which fused kernel runs: `None` when none may (no AVX2, or [`super::cpu::limit`] forbids it), else the one of
/// the selected kernel set: the AVX-512 one when the AVX-512 VNNI kernels are selected and the CPU has VBMI
/// (`vpermb`, `vpmultishiftqb`; detected once with the sets, [`super::cpu`]), else the AVX-VNNI one when those are
/// selected, else the AVX2 one.
#[inline(always)]
fn kernels() -> Option<Fused> {
    use super::cpu::{Kernels, selected, vbmi};
    if !cfg!(target_arch = "x86_64") {
        return None;
    }
    match selected() {
        Kernels::Portable => None,
        Kernels::Avx2 => Some(Fused::Avx2),
        Kernels::AvxVnni => Some(Fused::AvxVnni),
        Kernels::Avx512Vnni if vbmi() => Some(Fused::Avx512),
        Kernels::Avx512Vnni => Some(Fused::Avx2),
    }
}

/// For a row of a block format: `Σ_blocks len·max|v|·2^shift · xmax`, when below 2^24 (a bound on every partial
/// sum of the products); `None` for other formats or a larger bound.
fn block_bound<W: Number>(p: PackedSlice<'_, W>, xmax: i64) -> Option<i64> {
    let Format::Block { w: vw, len: bn, .. } = W::FORMAT else {
        return None;
    };
    let (bn, vmax) = (bn as usize, 1i64 << (vw.max(1) - 1));
    let (k0, n) = (p.first(), p.len());
    let mut bound = 0i64;
    let mut j = 0;
    while j < n {
        let k = k0 + j;
        let m = (bn - k % bn).min(n - j);
        bound += m as i64 * (vmax << p.shift(k / bn)) * xmax;
        j += m;
    }
    (bound < EXACT).then_some(bound)
}

/// `Σ raw(p_k)·x_k` (wrapping) of a packed row of a [`fused_type`] and bytes (`xs`: signed), with the fused kernel
/// `fk` (see [`kernels`]).
fn fused<W: Number>(p: PackedSlice<'_, W>, x: &[u8], xs: bool, fk: Fused) -> i32 {
    let (words, k0, n) = (p.stream(), p.first(), p.len());
    match W::FORMAT {
        Format::Block { w: vw, len: bn, .. } => {
            let kind = if vw == 1 { Kind::Binary } else { Kind::Signed };
            let bn = bn as usize;
            let mut total = 0i32;
            let mut j = 0;
            while j < n {
                let k = k0 + j;
                let m = (bn - k % bn).min(n - j);
                let run = stream_dot(words, k, vw, kind, &x[j..j + m], xs, fk);
                total = total.wrapping_add(run.wrapping_shl(p.shift(k / bn)));
                j += m;
            }
            total
        }
        _ => {
            let kind = const { kind::<W>() }.expect("fused_type");
            stream_dot(words, k0, W::FORMAT.bits(), kind, x, xs, fk)
        }
    }
}

/// `Σ expand(code_{k0+j})·x_j` (wrapping) over `j < x.len()` of the `bits`-bit codes of the stream `words`
/// (`simd::expand` of `kind`): with AVX-512 ([`Fused::Avx512`]) 64 at a time, the last group masked; else 32 at a
/// time with AVX2 (its products by `vpdpbusd` with [`Fused::AvxVnni`]) from the row's first code, whatever bit it
/// starts at, the operand bytes of a partial last group zero-padded, while the loads of codes stay inside the
/// words, then the rest decoded to a stack buffer.
#[inline(always)]
fn stream_dot(
    words: &[u64],
    k0: usize,
    bits: u32,
    kind: Kind,
    x: &[u8],
    xs: bool,
    fk: Fused,
) -> i32 {
    let n = x.len();
    #[cfg(target_arch = "x86_64")]
    if n > 0 && fk == Fused::Avx512 {
        let bytes = bytes_of(words);
        let at = k0 * bits as usize;
        // SAFETY: the CPU has AVX-512 F, BW, VBMI and VNNI (`Fused::Avx512`, from `kernels`); the kernel reads (masked) only the
        // `bytes.len() - at / 8` bytes from `at / 8` and `n` operand bytes.
        return unsafe {
            avx512::dot(
                bytes.as_ptr().add(at / 8),
                bytes.len() - at / 8,
                (at % 8) as u32,
                bits,
                kind,
                x.as_ptr(),
                xs,
                n,
            )
        };
    }
    let b = bits as usize;
    let bytes = bytes_of(words);
    // Groups of 32 codes from the row's first code (at bit `r` of byte `first`), while their loads stay inside
    // the words; a last partial group reads its operand bytes from a zero-padded copy (the codes of the next row
    // meet zeros, so they add nothing); the codes past the groups that fit are decoded.
    let (first, r) = (k0 * b / 8, (k0 * b % 8) as u32);
    #[cfg(target_arch = "x86_64")]
    let groups = n
        .div_ceil(32)
        .min(crate::packed::simd::avx2::fit(bytes.len(), first, bits));
    #[cfg(not(target_arch = "x86_64"))]
    let groups = {
        let _ = (first, r, fk);
        0
    };
    if groups == 0 {
        return decoded_dot(words, k0, bits, kind, x, xs);
    }
    let mut tb = [0u8; 32];
    let tail = 32 * groups > n;
    if tail {
        let s = 32 * (groups - 1);
        tb[..n - s].copy_from_slice(&x[s..]);
    }
    #[cfg(target_arch = "x86_64")]
    let xv = avx2::X {
        base: x.as_ptr(),
        tail: if tail { tb.as_ptr() } else { core::ptr::null() },
    };
    // SAFETY: the caller checked AVX2 (`kernels`), and AVX-VNNI with `Fused::AvxVnni`; the code loads end at or
    // before `bytes.len()` (`fit`); the operand loads read the tail buffer for a partial last group, and for
    // a whole group g the x bytes 32g..32g + 32 <= n.
    #[cfg(target_arch = "x86_64")]
    let sum = unsafe {
        avx2::dot(
            bytes.as_ptr().add(first),
            bits,
            r,
            kind,
            xv,
            xs,
            groups,
            fk == Fused::AvxVnni,
        )
    };
    #[cfg(not(target_arch = "x86_64"))]
    let sum = 0i32;
    // Values past the groups that fit (the end of the words), one by one.
    let done = (32 * groups).min(n);
    if done == n {
        return sum;
    }
    sum.wrapping_add(decoded_dot(words, k0 + done, bits, kind, &x[done..], xs))
}

/// `Σ expand(code_{k0+j})·x_j` (wrapping), the codes decoded 32 at a time into a stack buffer.
#[inline(never)]
fn decoded_dot(words: &[u64], k0: usize, bits: u32, kind: Kind, x: &[u8], xs: bool) -> i32 {
    let mut sum = 0i32;
    let mut buf = [0u8; 32];
    for (c, xc) in x.chunks(32).enumerate() {
        let out = &mut buf[..xc.len()];
        decode_bytes(words, k0 + 32 * c, bits, kind, out);
        let signed = kind != Kind::Unsigned;
        for (&w, &v) in out.iter().zip(xc) {
            let w = if signed { w as i8 as i32 } else { w as i32 };
            let v = if xs { v as i8 as i32 } else { v as i32 };
            sum = sum.wrapping_add(w * v);
        }
    }
    sum
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx512 {
    use crate::packed::simd::Kind;
    use core::arch::x86_64::*;

    /// `vpermb` indices per width: byte `8q + t` of the result is source byte `q·W + t`, so that 64-bit lane `q`
    /// holds the bytes of codes `8q .. 8q + 8` (`8W` bits from a byte boundary, plus the start's bit offset).
    const IDX: [[u8; 64]; 9] = {
        let mut t = [[0u8; 64]; 9];
        let mut w = 1;
        while w <= 8 {
            let mut i = 0;
            while i < 64 {
                t[w][i] = ((i / 8) * w + i % 8) as u8;
                i += 1;
            }
            w += 1;
        }
        t
    };

    /// `vpmultishiftqb` controls per width and start bit: byte `8q + j` of the result is the 8 bits of lane `q`
    /// from bit `r + j·W` (code `8q + j` in its low `W` bits).
    const CTRL: [[[u8; 64]; 8]; 9] = {
        let mut t = [[[0u8; 64]; 8]; 9];
        let mut w = 1;
        while w <= 8 {
            let mut r = 0;
            while r < 8 {
                let mut i = 0;
                while i < 64 {
                    t[w][r][i] = (r + (i % 8) * w) as u8;
                    i += 1;
                }
                r += 1;
            }
            w += 1;
        }
        t
    };

    /// `Σ expand(code_j)·x_j` (wrapping) over `j < n` of the `bits`-bit codes (1..=8) of the bit stream that
    /// starts at bit `r` (0..8) of `src`, and the bytes at `x` (`xs`: signed). 64 codes at a time: the bytes
    /// holding each group of 8 codes moved into a 64-bit lane (`vpermb`), each code's 8 bits from its bit
    /// offset extracted into a byte (`vpmultishiftqb`) and masked to the code; then `vpdpbusd` of the code bytes,
    /// made an unsigned or signed byte as the operand needs, against the operand bytes (plus the correction of
    /// an offset code by `vpdpbusd` of the offset). The last group's missing codes and operand bytes are masked
    /// off (zero operand bytes).
    ///
    /// # Safety
    /// The CPU has AVX-512 F, BW, VBMI and VNNI; `avail` bytes are readable at `src` and hold the `n` codes
    /// (`r + n·bits <= 8·avail`); `n` bytes are readable at `x`.
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,avx512vnni")]
    pub(crate) unsafe fn dot(
        src: *const u8,
        avail: usize,
        r: u32,
        bits: u32,
        kind: Kind,
        x: *const u8,
        xs: bool,
        n: usize,
    ) -> i32 {
        unsafe {
            match (kind, xs) {
                (Kind::Signed, false) => run::<0, false>(src, avail, r, bits, x, n),
                (Kind::Signed, true) => run::<0, true>(src, avail, r, bits, x, n),
                (Kind::Unsigned, false) => run::<1, false>(src, avail, r, bits, x, n),
                (Kind::Unsigned, true) => run::<1, true>(src, avail, r, bits, x, n),
                (Kind::Binary, false) => run::<2, false>(src, avail, r, bits, x, n),
                (Kind::Binary, true) => run::<2, true>(src, avail, r, bits, x, n),
            }
        }
    }

    /// [`dot`] for one kind (`K`: 0 signed, 1 unsigned, 2 binary) and operand signedness `XS`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi,avx512vnni")]
    #[inline]
    unsafe fn run<const K: u8, const XS: bool>(
        src: *const u8,
        avail: usize,
        r: u32,
        bits: u32,
        x: *const u8,
        n: usize,
    ) -> i32 {
        let (b, m) = (bits as usize, 1u8 << (bits - 1));
        unsafe {
            let idx = _mm512_loadu_si512(IDX[b].as_ptr().cast());
            let ctrl = _mm512_loadu_si512(CTRL[b][r as usize].as_ptr().cast());
            let mask = _mm512_set1_epi8(((1u32 << bits) - 1) as u8 as i8);
            let half = _mm512_set1_epi8(m as i8);
            let ones = _mm512_set1_epi8(1);
            let flip = _mm512_set1_epi8(i8::MIN);
            // Two chains of accumulators (groups at even and odd multiples of 64), so that consecutive
            // `vpdpbusd`s do not wait for each other.
            let z = _mm512_setzero_si512();
            let (mut acc, mut corr, mut acc1, mut corr1) = (z, z, z, z);
            // The products of the codes `c` (bytes) with the operand bytes `xv`, into `$acc` and `$corr`.
            macro_rules! mul {
                ($c:expr, $xv:expr, $acc:ident, $corr:ident) => {{
                    let (c, xv) = ($c, $xv);
                    match (K, XS) {
                        // Signed codes against unsigned bytes: the codes sign-extended.
                        (0, false) => {
                            let w = _mm512_sub_epi8(_mm512_xor_si512(c, half), half);
                            $acc = _mm512_dpbusd_epi32($acc, xv, w);
                        }
                        // Signed codes against signed bytes: code + 2^(W-1) unsigned, minus 2^(W-1)·Σx.
                        (0, true) => {
                            $acc = _mm512_dpbusd_epi32($acc, _mm512_xor_si512(c, half), xv);
                            $corr = _mm512_dpbusd_epi32($corr, half, xv);
                        }
                        // Unsigned codes against unsigned bytes: up to 7 bits a non-negative i8; 8 bits as
                        // code − 128, plus 128·Σx (corr holds −128·Σx).
                        (1, false) => {
                            if bits == 8 {
                                $acc = _mm512_dpbusd_epi32($acc, xv, _mm512_xor_si512(c, flip));
                                $corr = _mm512_dpbusd_epi32($corr, xv, flip);
                            } else {
                                $acc = _mm512_dpbusd_epi32($acc, xv, c);
                            }
                        }
                        (1, true) => $acc = _mm512_dpbusd_epi32($acc, c, xv),
                        // Binary: 1 − 2·code.
                        (_, false) => {
                            let w = _mm512_sub_epi8(ones, _mm512_add_epi8(c, c));
                            $acc = _mm512_dpbusd_epi32($acc, xv, w);
                        }
                        (_, true) => {
                            // Σx − 2·Σ code·x, as corr − acc − acc below.
                            $acc = _mm512_dpbusd_epi32($acc, c, xv);
                            $corr = _mm512_dpbusd_epi32($corr, ones, xv);
                        }
                    }
                }};
            }
            // The codes of the group at `i` from its bytes `s` (the bytes of each 8 codes into a 64-bit lane,
            // each code's 8 bits from its bit offset, masked).
            macro_rules! codes {
                ($s:expr) => {
                    _mm512_and_si512(
                        _mm512_multishift_epi64_epi8(ctrl, _mm512_permutexvar_epi8(idx, $s)),
                        mask,
                    )
                };
            }
            // Whole groups first: 64 operand bytes, and the `need` bytes holding the 64 codes readable (one load
            // under a constant mask); two groups per step, one per chain.
            let need = (r as usize + 64 * b).div_ceil(8);
            let cm: __mmask64 = if need >= 64 { !0 } else { (1u64 << need) - 1 };
            let whole = if avail >= need {
                (n / 64).min((avail - need) / (8 * b) + 1)
            } else {
                0
            };
            macro_rules! whole {
                ($g:expr, $acc:ident, $corr:ident) => {{
                    let g: usize = $g;
                    let s = _mm512_maskz_loadu_epi8(cm, src.add(8 * b * g).cast());
                    let xv = _mm512_loadu_si512(x.add(64 * g).cast());
                    mul!(codes!(s), xv, $acc, $corr);
                }};
            }
            let mut g = 0;
            while g + 2 <= whole {
                whole!(g, acc, corr);
                whole!(g + 1, acc1, corr1);
                g += 2;
            }
            if g < whole {
                whole!(g, acc, corr);
            }
            // The rest (a partial last group, or groups near the end of the readable bytes): both loads masked.
            let mut i = 64 * whole;
            while i < n {
                let off = i / 8 * b;
                let left = avail - off;
                let lm: __mmask64 = if left >= 64 { !0 } else { (1u64 << left) - 1 };
                let vm: __mmask64 = if n - i >= 64 {
                    !0
                } else {
                    (1u64 << (n - i)) - 1
                };
                let s = _mm512_maskz_loadu_epi8(lm, src.add(off).cast());
                let xv = _mm512_maskz_loadu_epi8(vm, x.add(i).cast());
                mul!(codes!(s), xv, acc1, corr1);
                i += 64;
            }
            let (acc, corr) = (_mm512_add_epi32(acc, acc1), _mm512_add_epi32(corr, corr1));
            let acc = if K == 2 && XS {
                _mm512_sub_epi32(_mm512_sub_epi32(corr, acc), acc)
            } else {
                _mm512_sub_epi32(acc, corr)
            };
            _mm512_reduce_add_epi32(acc)
        }
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) mod avx2 {
    use crate::packed::simd::Kind;
    use crate::packed::simd::avx2::codes;
    use core::arch::x86_64::*;

    /// Whether `vpmaddubsw` of codes of `bits` bits of `kind` and bytes (`xs`: signed) cannot saturate: every
    /// pair of products below 2^15 in magnitude. The unsigned operand is `x` (or `|x|` for signed `x`, with the
    /// code's sign flipped where `x < 0`), or the code when the codes are unsigned and `x` is signed.
    const fn pairs_fit(bits: u32, kind: Kind, xs: bool) -> bool {
        let wmax: i32 = match kind {
            Kind::Signed => 1 << (bits - 1),
            Kind::Unsigned => (1 << bits) - 1,
            Kind::Binary => 1,
        };
        let xmax = if xs { 128 } else { 255 };
        // The signed operand of `vpmaddubsw` must be an i8: a code of up to 7 unsigned bits against unsigned x.
        let signed_ok = xs || !matches!(kind, Kind::Unsigned) || bits <= 7;
        signed_ok && 2 * wmax * xmax <= i16::MAX as i32
    }

    /// The operand bytes of the groups: group g's 32 bytes at `base + 32g`, except the last group's at `tail`
    /// when that is not null.
    #[derive(Clone, Copy)]
    pub(crate) struct X {
        pub(crate) base: *const u8,
        pub(crate) tail: *const u8,
    }

    impl X {
        /// Operand bytes at `x`, group g's at `x + 32g`.
        #[cfg(test)]
        pub(crate) fn at(x: *const u8) -> X {
            X {
                base: x,
                tail: core::ptr::null(),
            }
        }

        /// The operand bytes of group `g` of `groups`.
        #[inline(always)]
        fn group(self, g: usize, groups: usize) -> *const u8 {
            if g + 1 == groups && !self.tail.is_null() {
                self.tail
            } else {
                self.base.wrapping_add(32 * g)
            }
        }
    }

    /// `Σ expand(code_j)·x_j` (wrapping) over `j < 32·groups` of the `bits`-bit codes (1..=8) of the byte stream at
    /// `src` (code 0 at bit `r`) and the operand bytes `x` (`xs`: signed); the products by AVX-VNNI's `vpdpbusd`
    /// when `vnni` (see [`run_vnni`]).
    ///
    /// # Safety
    /// The CPU has AVX2, and AVX-VNNI when `vnni`; `src + 4·bits·(groups − 1) + 2·bits + 16` bytes are readable at
    /// `src`, and the 32 operand bytes of each group ([`X`]).
    #[allow(clippy::too_many_arguments)]
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn dot(
        src: *const u8,
        bits: u32,
        r: u32,
        kind: Kind,
        x: X,
        xs: bool,
        groups: usize,
        vnni: bool,
    ) -> i32 {
        const S: u8 = 0;
        const U: u8 = 1;
        const B: u8 = 2;
        let fit = pairs_fit(bits, kind, xs);
        unsafe {
            if vnni {
                return match (kind, xs) {
                    (Kind::Signed, false) => run_vnni::<S, false>(src, bits, r, x, groups),
                    (Kind::Signed, true) => run_vnni::<S, true>(src, bits, r, x, groups),
                    (Kind::Unsigned, false) => run_vnni::<U, false>(src, bits, r, x, groups),
                    (Kind::Unsigned, true) => run_vnni::<U, true>(src, bits, r, x, groups),
                    (Kind::Binary, false) => run_vnni::<B, false>(src, bits, r, x, groups),
                    (Kind::Binary, true) => run_vnni::<B, true>(src, bits, r, x, groups),
                };
            }
            match (kind, xs, fit) {
                (Kind::Signed, false, true) => run::<S, false, true>(src, bits, r, x, groups),
                (Kind::Signed, true, true) => run::<S, true, true>(src, bits, r, x, groups),
                (Kind::Signed, false, false) => run::<S, false, false>(src, bits, r, x, groups),
                (Kind::Signed, true, false) => run::<S, true, false>(src, bits, r, x, groups),
                (Kind::Unsigned, false, true) => run::<U, false, true>(src, bits, r, x, groups),
                (Kind::Unsigned, true, true) => run::<U, true, true>(src, bits, r, x, groups),
                (Kind::Unsigned, false, false) => run::<U, false, false>(src, bits, r, x, groups),
                (Kind::Unsigned, true, false) => run::<U, true, false>(src, bits, r, x, groups),
                (Kind::Binary, false, _) => run::<B, false, true>(src, bits, r, x, groups),
                (Kind::Binary, true, _) => run::<B, true, true>(src, bits, r, x, groups),
            }
        }
    }

    /// The 32 values of group `g` (codes `32g..32g + 32` of the stream at `src`, code 0 at bit `r`) as bytes in
    /// order ([`codes`]).
    ///
    /// # Safety
    /// The CPU has AVX2; the 16 bytes at `src + 4·bits·g` and at `src + 4·bits·g + 2·bits` are readable.
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn group<const K: u8>(src: *const u8, bits: u32, r: u32, g: usize) -> __m256i {
        unsafe { codes::<K>(src.add(4 * bits as usize * g), bits, r) }
    }

    /// The wrapping sum of the 8 lanes of `v`.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn hsum(v: __m256i) -> i32 {
        let mut lanes = [0i32; 8];
        // SAFETY: `lanes` holds 32 bytes.
        unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), v) };
        lanes.iter().fold(0i32, |s, &v| s.wrapping_add(v))
    }

    /// [`dot`] for one kind (`K`: 0 signed, 1 unsigned, 2 binary), operand signedness `XS` and product path
    /// (`FIT`: `vpmaddubsw`, else 16-bit products).
    #[target_feature(enable = "avx2")]
    #[inline]
    unsafe fn run<const K: u8, const XS: bool, const FIT: bool>(
        src: *const u8,
        bits: u32,
        r: u32,
        x: X,
        groups: usize,
    ) -> i32 {
        unsafe {
            let ones16 = _mm256_set1_epi16(1);
            let (mut acc0, mut acc1) = (_mm256_setzero_si256(), _mm256_setzero_si256());
            for g in 0..groups {
                let w = group::<K>(src, bits, r, g);
                let xv = _mm256_loadu_si256(x.group(g, groups).cast());
                if FIT {
                    let prod = if !XS {
                        _mm256_maddubs_epi16(xv, w)
                    } else if K == 1 {
                        _mm256_maddubs_epi16(w, xv)
                    } else {
                        _mm256_maddubs_epi16(_mm256_sign_epi8(xv, xv), _mm256_sign_epi8(w, xv))
                    };
                    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(prod, ones16));
                } else {
                    let (w0, w1) = (_mm256_castsi256_si128(w), _mm256_extracti128_si256::<1>(w));
                    let (x0, x1) = (
                        _mm256_castsi256_si128(xv),
                        _mm256_extracti128_si256::<1>(xv),
                    );
                    let (w0, w1) = if K != 1 {
                        (_mm256_cvtepi8_epi16(w0), _mm256_cvtepi8_epi16(w1))
                    } else {
                        (_mm256_cvtepu8_epi16(w0), _mm256_cvtepu8_epi16(w1))
                    };
                    let (x0, x1) = if XS {
                        (_mm256_cvtepi8_epi16(x0), _mm256_cvtepi8_epi16(x1))
                    } else {
                        (_mm256_cvtepu8_epi16(x0), _mm256_cvtepu8_epi16(x1))
                    };
                    acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(w0, x0));
                    acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(w1, x1));
                }
            }
            hsum(_mm256_add_epi32(acc0, acc1))
        }
    }

    /// [`run`] with `vpdpbusd` (AVX-VNNI): four products of an unsigned and a signed byte summed into each 32-bit
    /// lane, exact for any bytes (no 16-bit saturation, so no `FIT` condition). The unsigned operand is `x`
    /// against signed or binary codes and 7-bit unsigned codes; the codes against signed `x` when they are
    /// unsigned; else (signed or binary codes against signed `x`, 8-bit unsigned codes against unsigned `x`) the
    /// side that must be unsigned is flipped by 128 (xor 0x80: `c + 128` of a signed byte, `c − 128` of an
    /// unsigned one) and `∓128·Σx` is summed by `vpdpbusd` of 128 with `x` and subtracted at the end.
    ///
    /// # Safety
    /// As [`dot`], with AVX-VNNI.
    #[target_feature(enable = "avx2,avxvnni")]
    #[inline]
    unsafe fn run_vnni<const K: u8, const XS: bool>(
        src: *const u8,
        bits: u32,
        r: u32,
        x: X,
        groups: usize,
    ) -> i32 {
        unsafe {
            let flip = _mm256_set1_epi8(i8::MIN);
            // 8-bit unsigned codes against unsigned x: (c − 128)·x + 128·x.
            let wide_unsigned = K == 1 && !XS && bits == 8;
            let (mut acc, mut corr) = (_mm256_setzero_si256(), _mm256_setzero_si256());
            for g in 0..groups {
                let w = group::<K>(src, bits, r, g);
                let xv = _mm256_loadu_si256(x.group(g, groups).cast());
                if K == 1 && XS {
                    acc = _mm256_dpbusd_avx_epi32(acc, w, xv);
                } else if XS {
                    // Signed or ±1 codes c, signed x: Σ(c + 128)·x − 128·Σx.
                    acc = _mm256_dpbusd_avx_epi32(acc, _mm256_xor_si256(w, flip), xv);
                    corr = _mm256_dpbusd_avx_epi32(corr, flip, xv);
                } else if wide_unsigned {
                    // Σ x·(c − 128) − Σ x·(−128).
                    acc = _mm256_dpbusd_avx_epi32(acc, xv, _mm256_xor_si256(w, flip));
                    corr = _mm256_dpbusd_avx_epi32(corr, xv, flip);
                } else {
                    acc = _mm256_dpbusd_avx_epi32(acc, xv, w);
                }
            }
            hsum(_mm256_sub_epi32(acc, corr))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AVX2 kernel against the scalar expansion, for every width, kind and operand signedness, on random
    /// code and operand bytes (any value, not only those the bound checks let through: the sum is exact modulo
    /// 2^32 whenever no pair of products saturates, which `pairs_fit` decides).
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    /// `n_codes` random code bytes, `n_x` random operand bytes, and the codes as little-endian words.
    fn random_codes(mut seed: u64, n_codes: usize, n_x: usize) -> (Vec<u8>, Vec<u8>, Vec<u64>) {
        let mut rand = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 56) as u8
        };
        let codes: Vec<u8> = (0..n_codes).map(|_| rand()).collect();
        let x: Vec<u8> = (0..n_x).map(|_| rand()).collect();
        let words = codes
            .chunks(8)
            .map(|c| {
                let mut b = [0u8; 8];
                b[..c.len()].copy_from_slice(c);
                u64::from_le_bytes(b)
            })
            .collect();
        (codes, x, words)
    }

    #[test]
    fn avx2_kernel_equals_the_scalar_sum() {
        use crate::packed::{read_bits, simd::expand};
        if !std::is_x86_feature_detected!("avx2") {
            return;
        }
        let (codes, x, words) = random_codes(0x0123_4567_89ab_cdef, 400, 160);
        for bits in 1..=8u32 {
            for kind in [Kind::Signed, Kind::Unsigned, Kind::Binary] {
                if kind == Kind::Binary && bits != 1 || kind == Kind::Signed && bits == 1 {
                    continue;
                }
                for xs in [false, true] {
                    for (groups, vnni, r) in (1..=5usize)
                        .flat_map(|g| [(g, false), (g, true)])
                        .flat_map(|(g, v)| (0..8u32).map(move |r| (g, v, r)))
                    {
                        if vnni && !std::is_x86_feature_detected!("avxvnni") || bits == 8 && r > 0 {
                            continue;
                        }
                        // SAFETY: AVX2 is present (and AVX-VNNI with `vnni`); 4·8·4 + 16 + 16 < 400 code bytes and
                        // 160 operand bytes.
                        let got = unsafe {
                            avx2::dot(
                                codes.as_ptr(),
                                bits,
                                r,
                                kind,
                                avx2::X::at(x.as_ptr()),
                                xs,
                                groups,
                                vnni,
                            )
                        };
                        let want = (0..32 * groups).fold(0i32, |s, j| {
                            let c = read_bits(&words, r as usize + j * bits as usize, bits) as u32;
                            let w = expand(kind, c, bits);
                            let w = if kind == Kind::Unsigned {
                                w as i32
                            } else {
                                w as i8 as i32
                            };
                            let v = if xs { x[j] as i8 as i32 } else { x[j] as i32 };
                            s.wrapping_add(w * v)
                        });
                        assert_eq!(
                            got, want,
                            "bits {bits} xs {xs} groups {groups} vnni {vnni} r {r}"
                        );
                    }
                }
            }
        }
    }

    /// The fused path is taken for the zoo's shapes (a packed row of 3-bit weights or of one long block against
    /// unsigned and signed bytes), and agrees with the byte kernel on the decoded row.
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    #[test]
    fn the_fused_path_runs_and_agrees() {
        use crate::packed::Packed;
        use crate::{Blocked, Fixed, UFixed};
        fn run<W: Number, X: Number>(ws: &[f32], xs: &[f32]) {
            let p = Packed::<W>::from_f32_slice(ws);
            let v = p.to_vec();
            let x = X::from_f32_slice(xs);
            // Rows at every start bit (heads), partial last groups (tails), rows of one group or less, and rows
            // at the end of the words (where the last groups' loads would pass the end).
            for (s, l) in [
                (0, 784),
                (0, 64),
                (5, 700),
                (784, 784),
                (3, 29),
                (1, 31),
                (7, 1),
                (9, 40),
                (2, 33),
                (1560, 8),
                (1500, 68),
                (1531, 37),
            ] {
                let x = &x[..l];
                let got = packed_dot::<f32, W, X, W, X>(0.5, p.slice(s, l), x);
                assert!(got.is_some(), "{} x {} {s}+{l}", W::FORMAT, X::FORMAT);
                let want = super::super::dot::<f32, W, X, _, _>(0.5, &v[s..s + l], x);
                assert_eq!(
                    got.unwrap().to_bits(),
                    want.to_bits(),
                    "{} {s}+{l}",
                    W::FORMAT
                );
            }
        }
        use super::super::cpu::{self, Kernels};
        let ws: Vec<f32> = (0..2 * 784)
            .map(|i| ((i * 37 % 23) as f32 - 11.0) / 40.0)
            .collect();
        let xs: Vec<f32> = (0..784)
            .map(|i| ((i * 13 % 29) as f32 - 9.0) / 8.0)
            .collect();
        // The fused kernels need AVX2: every set the CPU has from AVX2 on (below the `NUMBER_KERNELS` cap).
        for k in cpu::every_available().filter(|k| *k >= Kernels::Avx2) {
            cpu::limit(Some(k));
            run::<Fixed<3, 4>, UFixed<8, 4>>(&ws, &xs);
            run::<Fixed<3, 4>, Fixed<8, 5>>(&ws, &xs);
            run::<UFixed<5, 4>, Fixed<8, 5>>(&ws, &xs);
            run::<Fixed<2, 3>, Fixed<8, 5>>(&ws, &xs);
            run::<Blocked<2, 2, 784>, Fixed<8, 5>>(&ws, &xs);
            run::<Blocked<2, 2, 784>, UFixed<8, 4>>(&ws, &xs);
        }
        cpu::limit(None);
    }

    /// The AVX-512 kernel against the scalar expansion, for every width, kind, operand signedness, start bit and
    /// length (including partial last groups and the end of the readable bytes).
    #[cfg(all(target_arch = "x86_64", feature = "std"))]
    #[test]
    fn avx512_kernel_equals_the_scalar_sum() {
        use crate::packed::{read_bits, simd::expand};
        if !(std::is_x86_feature_detected!("avx512vbmi")
            && std::is_x86_feature_detected!("avx512vnni")
            && std::is_x86_feature_detected!("avx512bw"))
        {
            return;
        }
        let (codes, x, words) = random_codes(0x0f1e_2d3c_4b5a_6978, 300, 240);
        for bits in 1..=8u32 {
            for kind in [Kind::Signed, Kind::Unsigned, Kind::Binary] {
                if kind == Kind::Binary && bits != 1 || kind == Kind::Signed && bits == 1 {
                    continue;
                }
                for xs in [false, true] {
                    for k0 in [0usize, 1, 3, 7, 8, 13] {
                        for n in [1usize, 5, 63, 64, 65, 130, 200] {
                            let at = k0 * bits as usize;
                            // The readable bytes end right after the last code.
                            let avail = (at + n * bits as usize).div_ceil(8) - at / 8;
                            // SAFETY: the CPU has the features; `avail` bytes from `at / 8` are inside `codes`.
                            let got = unsafe {
                                avx512::dot(
                                    codes.as_ptr().add(at / 8),
                                    avail,
                                    (at % 8) as u32,
                                    bits,
                                    kind,
                                    x.as_ptr(),
                                    xs,
                                    n,
                                )
                            };
                            let want = (0..n).fold(0i32, |s, j| {
                                let c = read_bits(&words, (k0 + j) * bits as usize, bits) as u32;
                                let w = expand(kind, c, bits);
                                let w = if kind == Kind::Unsigned {
                                    w as i32
                                } else {
                                    w as i8 as i32
                                };
                                let v = if xs { x[j] as i8 as i32 } else { x[j] as i32 };
                                s.wrapping_add(w * v)
                            });
                            assert_eq!(got, want, "bits {bits} xs {xs} k0 {k0} n {n}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn fused_types() {
        use crate::{Binary, Blocked, E4m3, Fixed, UFixed};
        assert!(fused_type::<Fixed<3, 1>>());
        assert!(fused_type::<UFixed<8, 1>>());
        assert!(fused_type::<Binary<2>>());
        assert!(fused_type::<Blocked<2, 2, 784>>());
        assert!(!fused_type::<Blocked<4, 2, 9>>());
        assert!(!fused_type::<Fixed<12, 1>>());
        assert!(!fused_type::<E4m3>());
    }
}
