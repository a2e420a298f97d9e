//! Many accumulation loops that share one operand: what `#[quantize]` emits for a loop nest
//!
//! ```text
//! for k in lo..hi { for p in plo..phi { acc[ip] += a[ia] * b[ib]; } }
//! ```
//!
//! (`ia` steps by one with `k` and does not mention `p`; `ip` and `ib` step by one with `p`): every lane `p`
//! is an accumulation loop over `k` with the same row `a` — a matrix-vector product written with the lanes
//! innermost, as a convolution is when the output positions are the lanes. [`columns`] returns, lane by lane,
//! exactly what [`dot`](super::dot) returns for that lane (the per-step semantics of the module docs), but
//! sums the lanes side by side: in integers, without a horizontal reduction per lane.
//!
//! ```
//! use number_formats::{dot::columns, Fixed, Number, UFixed};
//! type W = Fixed<4, 3>;
//! type X = UFixed<8, 4>;
//! let w: Vec<W> = [0.5f32, -0.25].iter().map(|&v| W::from_f32(v)).collect();
//! // Two taps (rows) of three lanes each: lane p reads x[k * 3 + p].
//! let x: Vec<X> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0].iter().map(|&v| X::from_f32(v)).collect();
//! let mut acc = [0.125f32; 3];
//! columns::<f32, W, X, _, _, _>(&mut acc, &w, |k| &x[k * 3..][..3]);
//! assert_eq!(acc, [0.125 + 0.5 - 1.0, 0.125 + 1.0 - 1.25, 0.125 + 1.5 - 1.5]);
//! ```
use super::{EXACT, Raw, abs_sum, acc_limit, grid, layout, pow2, raw_of, units};
use crate::{Format, Number};

/// Lanes summed side by side (one 512-bit register of bytes).
const LANES: usize = 64;

/// For every lane `p` of `acc`: `acc[p] = A::quantize(acc[p] + a[k] * col(k)[p])` for `k` in order, bit for bit
/// (see the module docs).
///
/// `TA` / `TB` are the site types of the operands and `A` the accumulator's; `acc`, `a` and the columns hold
/// either those types or `f32` values already in those formats. `col(k)` is row `k` of the other operand, at
/// least `acc.len()` long. The integer path is taken per block of 64 lanes when [`dot`](super::dot)'s would be
/// for each of them (both operands fixed point, every partial sum below 2^24 units, each start on the grid of
/// the products and held by `A`); otherwise those lanes run the f32 chain (f32 accumulator) or the reference.
#[inline(always)]
pub fn columns<'b, A: Number, TA: Number, TB: Number, EC: Number, EA: Number, EB: Number + 'b>(
    acc: &mut [EC],
    a: &[EA],
    col: impl Fn(usize) -> &'b [EB],
) {
    let m = acc.len();
    let int = match (layout(TA::FIXED, EA::FIXED), layout(TB::FIXED, EB::FIXED)) {
        (Some(la), Some(lb)) if !a.is_empty() => grid::<EA, EB>(la, lb).and_then(|(s, pmax)| {
            // The products of a lane add up to at most n·pmax units, or Σ|a_k|·max|b| (one pass over `a`).
            let n = a.len() as i64;
            let prods = if n < EXACT / pmax.max(1) {
                n * pmax
            } else {
                abs_sum(a, pow2(la.frac) as f32) * lb.max_abs()
            };
            let limit = if prods < EXACT {
                acc_limit::<A>(s, prods)?
            } else {
                return None;
            };
            Some(Grid {
                s,
                prods,
                limit,
                sa: pow2(la.frac) as f32,
                sb: pow2(lb.frac) as f32,
            })
        }),
        _ => None,
    };
    let mut p0 = 0;
    while p0 < m {
        let lanes = &mut acc[p0..(p0 + LANES).min(m)];
        if !int.is_some_and(|g| integer::<EC, EA, EB>(lanes, a, |k| &col(k)[p0..], g)) {
            chain::<A, EC, EA, EB>(lanes, a, |k| &col(k)[p0..]);
        }
        p0 += LANES;
    }
}

/// The per-call constants of the integer path: products on the grid 2^-`s`, at most `prods` units per lane,
/// starts of at most `limit` units, operand scales `sa` / `sb`.
#[derive(Clone, Copy)]
struct Grid {
    s: i32,
    prods: i64,
    limit: u32,
    sa: f32,
    sb: f32,
}

/// Up to [`LANES`] lanes in integers; `false` (and `lanes` untouched) when a start fails the check.
#[inline(always)]
fn integer<'b, EC: Number, EA: Number, EB: Number + 'b>(
    lanes: &mut [EC],
    a: &[EA],
    col: impl Fn(usize) -> &'b [EB],
    g: Grid,
) -> bool {
    let l = lanes.len();
    let mut start = [0i32; LANES];
    let first = lanes[0].to_f32();
    if lanes
        .iter()
        .all(|v| v.to_f32().to_bits() == first.to_bits())
    {
        // One start for every lane (a bias broadcast to all positions): one check.
        let (k, exact) = units(first, g.s, g.prods);
        if !(exact && k.unsigned_abs() <= g.limit) {
            return false;
        }
        start = [k; LANES];
    } else {
        let mut ok = true;
        for (u, v) in start.iter_mut().zip(lanes.iter()) {
            let (k, exact) = units(v.to_f32(), g.s, g.prods);
            ok &= exact & (k.unsigned_abs() <= g.limit);
            *u = k;
        }
        if !ok {
            return false;
        }
    }
    let mut sums = [0i32; LANES];
    if !bytes::columns(
        EA::raw_slice(a),
        |k| EB::raw_slice(&col(k)[..l]),
        &mut sums[..l],
    ) {
        for (k, x) in a.iter().enumerate() {
            let w = raw_of(*x, g.sa);
            for (s, y) in sums[..l].iter_mut().zip(&col(k)[..l]) {
                *s += w * raw_of(*y, g.sb);
            }
        }
    }
    // |start + sum| < 2^24: the conversion and the scaling are exact, and `A` (so `EC`) holds the value.
    let down = pow2(-g.s) as f32;
    for ((v, u), s) in lanes.iter_mut().zip(&start).zip(&sums) {
        *v = EC::from_f32((u + s) as f32 * down);
    }
    true
}

/// Up to [`LANES`] lanes in f32: without the per-step rounding when `A` is f32 and every lane's sum is
/// finite (see [`dot`](super::dot)), else the reference.
#[inline(never)]
fn chain<'b, A: Number, EC: Number, EA: Number, EB: Number + 'b>(
    lanes: &mut [EC],
    a: &[EA],
    col: impl Fn(usize) -> &'b [EB],
) {
    let l = lanes.len();
    let mut v = [0f32; LANES];
    for (x, e) in v.iter_mut().zip(lanes.iter()) {
        *x = e.to_f32();
    }
    let mut done = false;
    if matches!(A::FORMAT, Format::F32) {
        let mut s = v;
        for (k, x) in a.iter().enumerate() {
            let w = x.to_f32();
            for (s, y) in s[..l].iter_mut().zip(&col(k)[..l]) {
                *s += w * y.to_f32();
            }
        }
        if s[..l].iter().all(|x| x.is_finite()) {
            v = s;
            done = true;
        }
    }
    if !done {
        for (k, x) in a.iter().enumerate() {
            let w = x.to_f32();
            for (s, y) in v[..l].iter_mut().zip(&col(k)[..l]) {
                *s = A::quantize(*s + w * y.to_f32());
            }
        }
    }
    for (e, x) in lanes.iter_mut().zip(&v) {
        *e = EC::from_f32(*x);
    }
}

/// The lane sums `out[p] = Σ_k a[k]·col(k)[p]` (wrapping) of byte operands with AVX-512 VNNI or AVX2, when the
/// CPU has them ([`super::cpu`]); `false` otherwise (or for other operands), and the caller's portable loop runs.
pub(crate) mod bytes {
    use super::Raw;

    #[inline(always)]
    pub(super) fn columns<'b>(a: Raw<'_>, col: impl Fn(usize) -> Raw<'b>, out: &mut [i32]) -> bool {
        let (vnni, avx2) = (super::super::cpu::vnni(), super::super::cpu::avx2());
        if !(cfg!(target_arch = "x86_64") && (vnni || avx2)) {
            return false;
        }
        let (row, row_signed): (&[u8], bool) = match a {
            // SAFETY: i8 and u8 have the same layout.
            Raw::I8(s) => (
                unsafe { core::slice::from_raw_parts(s.as_ptr().cast(), s.len()) },
                true,
            ),
            Raw::U8(u) => (u, false),
            Raw::Other => return false,
        };
        if row.is_empty() || out.is_empty() || out.len() > 64 {
            return false;
        }
        let col_signed = match col(0) {
            Raw::I8(_) => true,
            Raw::U8(_) => false,
            Raw::Other => return false,
        };
        let l = out.len();
        let ptr = |k: usize| match col(k) {
            Raw::I8(s) if col_signed && s.len() >= l => Some(s.as_ptr().cast::<u8>()),
            Raw::U8(u) if !col_signed && u.len() >= l => Some(u.as_ptr()),
            _ => None,
        };
        #[cfg(target_arch = "x86_64")]
        if vnni {
            // SAFETY: the CPU has AVX-512 F, BW and VNNI (checked above); every column pointer reads at most
            // `out.len()` bytes (masked loads), which `ptr` checked.
            unsafe { vnni::columns(row, row_signed, col_signed, ptr, out) }
        } else {
            // SAFETY: the CPU has AVX2 (checked above); every column pointer reads at most `out.len()` bytes,
            // which `ptr` checked.
            unsafe { avx2::columns(row, row_signed, col_signed, ptr, out) }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (row_signed, ptr);
            false
        }
    }

    #[cfg(target_arch = "x86_64")]
    pub(crate) mod avx2 {
        use crate::dot::bytes::avx2::widen;
        use core::arch::x86_64::*;

        /// Two taps at a time: the columns' bytes widened to 16 bits (sign- or zero-extended), the two taps of
        /// each lane interleaved into one 32-bit lane, and the row's two values broadcast as a 16-bit pair, so
        /// that `vpmaddwd` adds both products of a lane into its 32-bit sum (exact: |product| <= 2^16). Columns
        /// shorter than 64 lanes are copied into a buffer first; the lanes past `out.len()` are never stored.
        #[target_feature(enable = "avx2")]
        pub(crate) unsafe fn columns(
            row: &[u8],
            row_signed: bool,
            col_signed: bool,
            ptr: impl Fn(usize) -> Option<*const u8>,
            out: &mut [i32],
        ) -> bool {
            let (n, l) = (row.len(), out.len());
            // Blocks of 16 lanes; when `l` is not a multiple of 16 the last block ends at `l`, overlapping the
            // one before (its lanes are computed twice, the same way). Below 16 lanes each column is copied into
            // a buffer first (the buffer's lanes past `l` are never stored).
            let short = l < 16;
            let blocks = if short { 1 } else { l.div_ceil(16) };
            let start = |b: usize| if short { 0 } else { (16 * b).min(l - 16) };
            let wv = |k: usize| -> i32 {
                if k >= n {
                    0
                } else if row_signed {
                    row[k] as i8 as i16 as u16 as i32
                } else {
                    row[k] as i32
                }
            };
            let mut buf = [[0u8; 16]; 2];
            unsafe {
                let zero = _mm256_setzero_si256();
                let mut acc = [zero; 8];
                let mut k = 0;
                while k < n {
                    let Some(q0) = ptr(k) else { return false };
                    // A missing tap past the end: the same column again, with a zero weight.
                    let q1 = if k + 1 < n {
                        let Some(q) = ptr(k + 1) else { return false };
                        q
                    } else {
                        q0
                    };
                    let (p0, p1) = if short {
                        core::ptr::copy_nonoverlapping(q0, buf[0].as_mut_ptr(), l);
                        core::ptr::copy_nonoverlapping(q1, buf[1].as_mut_ptr(), l);
                        (buf[0].as_ptr(), buf[1].as_ptr())
                    } else {
                        (q0, q1)
                    };
                    let w = _mm256_set1_epi32((wv(k) & 0xffff) | (wv(k + 1) << 16));
                    for b in 0..4 {
                        if b < blocks {
                            let c0 = widen(p0.add(start(b)), col_signed);
                            let c1 = widen(p1.add(start(b)), col_signed);
                            // Within each 128-bit half: lo holds lanes 0..4 (8..12), hi lanes 4..8 (12..16).
                            let lo = _mm256_unpacklo_epi16(c0, c1);
                            let hi = _mm256_unpackhi_epi16(c0, c1);
                            acc[2 * b] = _mm256_add_epi32(acc[2 * b], _mm256_madd_epi16(lo, w));
                            acc[2 * b + 1] =
                                _mm256_add_epi32(acc[2 * b + 1], _mm256_madd_epi16(hi, w));
                        }
                    }
                    k += 2;
                }
                let mut sums = [0i32; 64];
                for b in 0..blocks {
                    let (lo, hi) = (acc[2 * b], acc[2 * b + 1]);
                    let first = _mm256_permute2x128_si256::<0x20>(lo, hi); // lanes 0..8
                    let second = _mm256_permute2x128_si256::<0x31>(lo, hi); // lanes 8..16
                    _mm256_storeu_si256(sums.as_mut_ptr().add(start(b)).cast(), first);
                    _mm256_storeu_si256(sums.as_mut_ptr().add(start(b) + 8).cast(), second);
                }
                out.copy_from_slice(&sums[..l]);
            }
            true
        }
    }

    #[cfg(target_arch = "x86_64")]
    mod vnni {
        use core::arch::x86_64::*;

        /// `vpdpbusd` multiplies unsigned by signed bytes. Four rows of the columns are interleaved so that
        /// each 32-bit lane holds one lane's four taps, and the row's four bytes are broadcast. When the row
        /// is signed the columns are the unsigned operand, else the row is; columns of the same signedness as
        /// the row are flipped by 128 (xor 0x80) and the sum corrected by ∓128·Σrow.
        #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
        pub(super) unsafe fn columns(
            row: &[u8],
            row_signed: bool,
            col_signed: bool,
            ptr: impl Fn(usize) -> Option<*const u8>,
            out: &mut [i32],
        ) -> bool {
            let (n, l) = (row.len(), out.len());
            let mask: __mmask64 = if l >= 64 { !0 } else { (1u64 << l) - 1 };
            let flip = row_signed == col_signed;
            unsafe {
                let zero = _mm512_setzero_si512();
                let bias = if flip {
                    _mm512_set1_epi8(i8::MIN)
                } else {
                    zero
                };
                let mut acc = [zero; 4];
                let mut k = 0;
                while k < n {
                    let mut r = [zero; 4];
                    let mut w = [0u8; 4];
                    for j in 0..4 {
                        if k + j < n {
                            let Some(p) = ptr(k + j) else { return false };
                            r[j] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, p.cast()), bias);
                            w[j] = row[k + j];
                        }
                    }
                    // Missing taps past the end: zero bytes and zero weights, so they add nothing.
                    let wv = _mm512_set1_epi32(i32::from_le_bytes(w));
                    let t0 = _mm512_unpacklo_epi8(r[0], r[1]);
                    let t1 = _mm512_unpackhi_epi8(r[0], r[1]);
                    let t2 = _mm512_unpacklo_epi8(r[2], r[3]);
                    let t3 = _mm512_unpackhi_epi8(r[2], r[3]);
                    // Within each 128-bit lane of 16 columns: q0 holds columns 0..4, q1 4..8, q2 8..12, q3 12..16.
                    let q = [
                        _mm512_unpacklo_epi16(t0, t2),
                        _mm512_unpackhi_epi16(t0, t2),
                        _mm512_unpacklo_epi16(t1, t3),
                        _mm512_unpackhi_epi16(t1, t3),
                    ];
                    for j in 0..4 {
                        acc[j] = if row_signed {
                            _mm512_dpbusd_epi32(acc[j], q[j], wv)
                        } else {
                            _mm512_dpbusd_epi32(acc[j], wv, q[j])
                        };
                    }
                    k += 4;
                }
                let sum: i32 = row
                    .iter()
                    .map(|&v| if row_signed { v as i8 as i32 } else { v as i32 })
                    .sum();
                // Flipped columns: signed c + 128 adds 128·Σrow, unsigned c − 128 subtracts it.
                let corr = match (flip, row_signed) {
                    (false, _) => 0,
                    (true, true) => sum.wrapping_mul(-128),
                    (true, false) => sum.wrapping_mul(128),
                };
                // Back to lane order: output register r holds 128-bit block r of each q_j (columns 16r..16r+16).
                let t0 = _mm512_shuffle_i32x4::<0x44>(acc[0], acc[1]); // q0.0 q0.1 q1.0 q1.1
                let t1 = _mm512_shuffle_i32x4::<0x44>(acc[2], acc[3]); // q2.0 q2.1 q3.0 q3.1
                let t2 = _mm512_shuffle_i32x4::<0xEE>(acc[0], acc[1]); // q0.2 q0.3 q1.2 q1.3
                let t3 = _mm512_shuffle_i32x4::<0xEE>(acc[2], acc[3]); // q2.2 q2.3 q3.2 q3.3
                let c = _mm512_set1_epi32(corr);
                let rows = [
                    _mm512_shuffle_i32x4::<0x88>(t0, t1),
                    _mm512_shuffle_i32x4::<0xDD>(t0, t1),
                    _mm512_shuffle_i32x4::<0x88>(t2, t3),
                    _mm512_shuffle_i32x4::<0xDD>(t2, t3),
                ];
                for (r, v) in rows.into_iter().enumerate() {
                    if 16 * r < l {
                        let m: __mmask16 = if l >= 16 * (r + 1) {
                            !0
                        } else {
                            (1u16 << (l - 16 * r)) - 1
                        };
                        _mm512_mask_storeu_epi32(
                            out.as_mut_ptr().add(16 * r).cast(),
                            m,
                            _mm512_add_epi32(v, c),
                        );
                    }
                }
            }
            true
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dot::reference;
    use crate::{Binary, Blocked, E4m3, Fixed, UFixed};

    fn rng(seed: &mut u64) -> f32 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    /// `columns` against the reference loop of every lane, with typed and f32 operands and accumulators, from
    /// different starts per lane and from one start for all lanes.
    fn check<A: Number, TA: Number, TB: Number>(scale: f32, n: usize, m: usize, seed: u64) {
        let mut s = seed;
        let a: Vec<TA> = (0..n).map(|_| TA::from_f32(rng(&mut s) * scale)).collect();
        let stride = m + 3;
        let b: Vec<f32> = (0..n * stride)
            .map(|_| TB::quantize(rng(&mut s) * scale))
            .collect();
        let acc: Vec<f32> = (0..m).map(|_| A::quantize(rng(&mut s) * scale)).collect();
        check_from::<A, TA, TB>(&a, &b, stride, &acc);
        check_from::<A, TA, TB>(
            &a,
            &b,
            stride,
            &vec![acc.first().copied().unwrap_or(0.0); m],
        );
    }

    fn check_from<A: Number, TA: Number, TB: Number>(
        a: &[TA],
        b: &[f32],
        stride: usize,
        acc: &[f32],
    ) {
        let (n, m) = (a.len(), acc.len());
        let want: Vec<u32> = (0..m)
            .map(|p| {
                let colp: Vec<f32> = (0..n).map(|k| b[k * stride + 1 + p]).collect();
                reference::<A, TA, f32>(acc[p], a, &colp).to_bits()
            })
            .collect();
        let what = format!(
            "{} · {} into {}, n {n}, m {m}",
            TA::FORMAT,
            TB::FORMAT,
            A::FORMAT
        );
        let mut got = acc.to_vec();
        columns::<A, TA, TB, f32, TA, f32>(&mut got, a, |k| &b[k * stride + 1..][..m]);
        assert_eq!(
            got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            want,
            "{what}"
        );
        // Typed columns and accumulator.
        let bt: Vec<TB> = b.iter().map(|&v| TB::from_f32(v)).collect();
        let mut got: Vec<A> = acc.iter().map(|&v| A::from_f32(v)).collect();
        columns::<A, TA, TB, A, TA, TB>(&mut got, a, |k| &bt[k * stride + 1..][..m]);
        assert_eq!(
            got.iter().map(|v| v.to_f32().to_bits()).collect::<Vec<_>>(),
            want,
            "{what}, typed"
        );
        // Everything as f32.
        let af: Vec<f32> = a.iter().map(|v| v.to_f32()).collect();
        let mut got = acc.to_vec();
        columns::<A, TA, TB, f32, f32, f32>(&mut got, &af, |k| &b[k * stride + 1..][..m]);
        assert_eq!(
            got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            want,
            "{what}, f32"
        );
    }

    #[test]
    fn every_lane_equals_its_reference_loop() {
        for (n, m, seed) in [
            (0, 5, 1),
            (1, 1, 2),
            (3, 64, 3),
            (25, 100, 4),
            (150, 65, 5),
            (7, 130, 6),
            (600, 17, 7),
        ] {
            for scale in [0.01f32, 1.0, 100.0, 1e30] {
                check::<f32, Fixed<4, 3>, Fixed<8, 4>>(scale, n, m, seed);
                check::<f32, Fixed<2, 4>, UFixed<8, 8>>(scale, n, m, seed);
                check::<f32, Fixed<16, 12>, Fixed<16, 8>>(scale, n, m, seed);
                check::<Fixed<16, 7>, Fixed<4, 3>, Fixed<4, 4>>(scale, n, m, seed);
                check::<Fixed<12, 10>, Fixed<4, 3>, Fixed<4, 4>>(scale, n, m, seed);
                check::<E4m3, Fixed<4, 3>, Fixed<8, 4>>(scale, n, m, seed);
                check::<f32, E4m3, Fixed<8, 4>>(scale, n, m, seed);
                check::<f32, f32, f32>(scale, n, m, seed);
                check::<f32, Binary<5>, UFixed<8, 4>>(scale, n, m, seed);
                // Byte operands, every signedness (the VNNI kernel where the build has it).
                check::<f32, Fixed<4, 4>, UFixed<8, 4>>(scale, n, m, seed);
                check::<f32, UFixed<8, 4>, Fixed<4, 4>>(scale, n, m, seed);
                check::<f32, Fixed<8, 7>, Fixed<8, 7>>(scale, n, m, seed);
                check::<f32, UFixed<8, 0>, UFixed<8, 0>>(scale, n, m, seed);
                check::<f32, Fixed<8, 0>, Fixed<8, 0>>(scale, n, m, seed);
                check::<f32, Blocked<3, 2, 32>, UFixed<8, 4>>(scale, n, m, seed);
                // Codebook and power-of-two operands (sparse grids; codebooks stored as their raw bytes).
                check::<f32, crate::Codebook2<4, -20, -4, 5, 31>, UFixed<8, 4>>(scale, n, m, seed);
                check::<f32, Fixed<8, 4>, crate::Codebook3<2, -128, -20, -3, 0, 1, 9, 40, 127>>(
                    scale, n, m, seed,
                );
                check::<f32, crate::Float<3, 0, 3>, Fixed<8, 4>>(scale, n, m, seed);
            }
        }
    }

    /// The portable loops always, and the CPU's kernels where it has them, give the reference's bits.
    #[test]
    fn the_portable_loops_and_the_cpu_kernels_give_the_same_bits() {
        for k in crate::dot::cpu::every_available() {
            crate::dot::cpu::limit(Some(k));
            for (n, m, seed) in [
                (3, 64, 3),
                (25, 17, 4),
                (150, 65, 5),
                (1, 1, 6),
                (2, 130, 7),
            ] {
                for scale in [0.01f32, 1.0, 100.0] {
                    check::<f32, Fixed<4, 4>, UFixed<8, 4>>(scale, n, m, seed);
                    check::<f32, UFixed<8, 4>, Fixed<4, 4>>(scale, n, m, seed);
                    check::<f32, Fixed<8, 7>, Fixed<8, 7>>(scale, n, m, seed);
                    check::<f32, UFixed<8, 0>, UFixed<8, 0>>(scale, n, m, seed);
                }
            }
        }
        crate::dot::cpu::limit(None);
    }

    #[test]
    fn lanes_that_fail_the_check_take_the_reference_alone() {
        // One block of lanes holds a start off the grid (and one NaN): those 64 lanes run the reference, the
        // others the integer path; all equal their reference loops.
        type W = Fixed<4, 4>;
        type X = UFixed<8, 4>;
        let mut seed = 11;
        let (n, m) = (40, 200);
        let a: Vec<W> = (0..n).map(|_| W::from_f32(rng(&mut seed))).collect();
        let b: Vec<X> = (0..n * m)
            .map(|_| X::from_f32(rng(&mut seed).abs() * 16.0))
            .collect();
        let mut acc: Vec<f32> = (0..m).map(|p| p as f32 / 256.0).collect();
        acc[70] = 0.1;
        acc[130] = f32::NAN;
        acc[199] = -0.0;
        let want: Vec<u32> = (0..m)
            .map(|p| {
                let colp: Vec<X> = (0..n).map(|k| b[k * m + p]).collect();
                reference::<f32, W, X>(acc[p], &a, &colp).to_bits()
            })
            .collect();
        // The integer path takes the first block and refuses the second (the lanes are left as they were).
        let (la, lb) = (W::FIXED.unwrap(), X::FIXED.unwrap());
        let g = Grid {
            s: 8,
            prods: n as i64 * 8 * 255,
            limit: u32::MAX,
            sa: pow2(la.frac) as f32,
            sb: pow2(lb.frac) as f32,
        };
        let mut first: Vec<f32> = acc[..64].to_vec();
        assert!(integer::<f32, W, X>(
            &mut first,
            &a,
            |k| &b[k * m..][..64],
            g
        ));
        let mut second: Vec<f32> = acc[64..128].to_vec();
        assert!(!integer::<f32, W, X>(
            &mut second,
            &a,
            |k| &b[k * m + 64..][..64],
            g
        ));
        assert_eq!(
            second.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            acc[64..128].iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        columns::<f32, W, X, f32, W, X>(&mut acc, &a, |k| &b[k * m..][..m]);
        assert_eq!(acc.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), want);
    }

    #[test]
    fn byte_kernel_equals_the_portable_sums() {
        let mut seed = 3u64;
        let mut byte = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 56) as u8
        };
        for (n, l) in [(1, 1), (3, 64), (4, 16), (25, 17), (150, 64), (9, 33)] {
            let row: Vec<u8> = (0..n).map(|_| byte()).collect();
            let cols: Vec<u8> = (0..n * 64).map(|_| byte()).collect();
            for (rs, cs) in [(true, false), (true, true), (false, true), (false, false)] {
                let rv = |k: usize| {
                    if rs {
                        row[k] as i8 as i32
                    } else {
                        row[k] as i32
                    }
                };
                let cv = |k: usize, p: usize| {
                    if cs {
                        cols[k * 64 + p] as i8 as i32
                    } else {
                        cols[k * 64 + p] as i32
                    }
                };
                let want: Vec<i32> = (0..l)
                    .map(|p| (0..n).map(|k| rv(k) * cv(k, p)).sum())
                    .collect();
                let si: Vec<i8> = row.iter().map(|&v| v as i8).collect();
                let ci: Vec<i8> = cols.iter().map(|&v| v as i8).collect();
                let a = if rs { Raw::I8(&si) } else { Raw::U8(&row) };
                let mut got = vec![0i32; l];
                let col = |k: usize| {
                    if cs {
                        Raw::I8(&ci[k * 64..][..l])
                    } else {
                        Raw::U8(&cols[k * 64..][..l])
                    }
                };
                // The AVX2 kernel itself, where the CPU has AVX2 (whatever the kernels selected now).
                #[cfg(all(target_arch = "x86_64", feature = "std"))]
                if std::is_x86_feature_detected!("avx2") {
                    let ptr = |k: usize| {
                        Some(if cs {
                            ci[k * 64..].as_ptr().cast::<u8>()
                        } else {
                            cols[k * 64..].as_ptr()
                        })
                    };
                    let mut direct = vec![0i32; l];
                    // SAFETY: the CPU has AVX2; every column has at least `l` bytes.
                    assert!(unsafe { bytes::avx2::columns(&row, rs, cs, ptr, &mut direct) });
                    assert_eq!(
                        direct, want,
                        "AVX2: n {n}, lanes {l}, row signed {rs}, columns signed {cs}"
                    );
                }
                for k in crate::dot::cpu::every_available() {
                    crate::dot::cpu::limit(Some(k));
                    got.iter_mut().for_each(|v| *v = 0);
                    let ran = bytes::columns(a, col, &mut got);
                    if crate::dot::cpu::available() == crate::dot::cpu::Kernels::Portable {
                        assert!(
                            !ran,
                            "the byte kernels run only when the CPU has AVX2 or VNNI"
                        );
                    }
                    if ran {
                        assert_eq!(
                            got, want,
                            "n {n}, lanes {l}, row signed {rs}, columns signed {cs}, {k:?}"
                        );
                    }
                }
                crate::dot::cpu::limit(None);
            }
        }
    }
}
