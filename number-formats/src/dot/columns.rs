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
/// least `acc.len()` long. The integer path is taken when [`dot`](super::dot)'s would be for each lane (both
/// operands fixed point, every partial sum below 2^24 units, each start on the grid of the products and held by
/// `A`): for all lanes in one call of the byte kernels when the operands are bytes and the columns lie at a
/// constant stride in memory, else per block of 64 lanes; a block that fails the check runs the f32 chain (f32
/// accumulator) or the reference.
#[inline(always)]
pub fn columns<'b, A: Number, TA: Number, TB: Number, EC: Number, EA: Number, EB: Number + 'b>(
    acc: &mut [EC],
    a: &[EA],
    col: impl Fn(usize) -> &'b [EB],
) {
    columns_with::<A, TA, TB, EC, EA, EB>(acc, a, col, None);
}

/// [`columns`] with the columns at a constant stride in one slice: column `k` is
/// `b[start + k·stride..][..acc.len()]`, as the rows of an im2col matrix are. The same results as
/// `columns(acc, a, |k| &b[start + k * stride..][..acc.len()])`, but the columns' bounds are checked once
/// (the last column's end) instead of a call of the closure per tap and block of lanes.
///
/// # Panics
/// When a column ends past `b`'s end (where that closure would panic), unless `a` or `acc` is empty.
#[inline(always)]
pub fn columns_at<A: Number, TA: Number, TB: Number, EC: Number, EA: Number, EB: Number>(
    acc: &mut [EC],
    a: &[EA],
    b: &[EB],
    start: usize,
    stride: usize,
) {
    let (n, m) = (a.len(), acc.len());
    if n == 0 || m == 0 {
        return;
    }
    let end = (n - 1)
        .checked_mul(stride)
        .and_then(|v| v.checked_add(start))
        .and_then(|v| v.checked_add(m));
    let span = match end {
        Some(e) if e <= b.len() => &b[start..e],
        _ => panic!(
            "columns: {n} columns of {m} lanes from {start} by {stride} do not fit in {} values",
            b.len()
        ),
    };
    columns_with::<A, TA, TB, EC, EA, EB>(
        acc,
        a,
        |k| &span[k * stride..][..m],
        Some((span, stride)),
    );
}

/// [`columns`], where `at`, when given, is a slice `span` and a stride such that `col(k)` is
/// `&span[k·stride..][..acc.len()]` for every `k < a.len()` (so the strided kernels need not check each column).
#[inline(always)]
fn columns_with<'b, A: Number, TA: Number, TB: Number, EC: Number, EA: Number, EB: Number + 'b>(
    acc: &mut [EC],
    a: &[EA],
    col: impl Fn(usize) -> &'b [EB],
    at: Option<(&'b [EB], usize)>,
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
    if let Some(g) = int
        && strided::<EC, EA, EB>(acc, a, &col, at, g)
    {
        return;
    }
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

/// Lanes summed per call of the byte kernels on strided columns (a stack buffer of `i32` sums).
const CHUNK: usize = 512;

/// Every lane in integers at once, when the operands are bytes ([`Number::raw_slice`]) and the columns lie at
/// a constant stride in memory (`col(k)` starts `k·stride` bytes after `col(0)`, as the rows of an im2col
/// matrix do): the byte kernels then run over all lanes and taps in one call, without a call of `col` per tap
/// and block of lanes. `at` (see [`columns_with`]) gives that stride without a call of `col` per tap to check
/// it. `false` (and `acc` untouched) when that does not apply or a start fails the check; the caller then runs
/// the blocks of [`LANES`] lanes. Same sums, so the same results.
#[inline(always)]
fn strided<'b, EC: Number, EA: Number, EB: Number + 'b>(
    acc: &mut [EC],
    a: &[EA],
    col: &impl Fn(usize) -> &'b [EB],
    at: Option<(&'b [EB], usize)>,
    g: Grid,
) -> bool {
    let (n, m) = (a.len(), acc.len());
    let row = EA::raw_slice(a);
    if n == 0 || m == 0 || matches!(row, Raw::Other) || !bytes::any() {
        return false;
    }
    if let Some((span, stride)) = at {
        // Column `k` is `span[k·stride..][..m]` (one-byte values: `k·stride` bytes on), inside `span`.
        let (base, col_signed) = match EB::raw_slice(span) {
            Raw::I8(s) => (s.as_ptr().cast::<u8>(), true),
            Raw::U8(u) => (u.as_ptr(), false),
            Raw::Other => return false,
        };
        // SAFETY: by `columns_with`'s contract, `col(k)` is `span[k·stride..][..m]` for every `k < n`: inside
        // `span`, `k·stride` one-byte values after its start.
        return unsafe {
            strided_sums::<EC, EA, EB>(acc, a, col, base, stride as isize, col_signed, g)
        };
    }
    // The columns' bytes: the first `m` of each, at a constant stride.
    let bytes_of = |c: &'b [EB]| -> Option<(*const u8, bool)> {
        if c.len() < m {
            return None;
        }
        match EB::raw_slice(&c[..m]) {
            Raw::I8(s) => Some((s.as_ptr().cast::<u8>(), true)),
            Raw::U8(u) => Some((u.as_ptr(), false)),
            Raw::Other => None,
        }
    };
    let Some((base, col_signed)) = bytes_of(col(0)) else {
        return false;
    };
    let stride = if n > 1 {
        match bytes_of(col(1)) {
            Some((p, _)) => (p as isize).wrapping_sub(base as isize),
            None => return false,
        }
    } else {
        0
    };
    for k in 2..n {
        match bytes_of(col(k)) {
            Some((p, _)) if p == base.wrapping_offset(stride.wrapping_mul(k as isize)) => {}
            _ => return false,
        }
    }
    // SAFETY: every `col(k)` was checked above: `m` one-byte values at `base + k·stride`.
    unsafe { strided_sums::<EC, EA, EB>(acc, a, col, base, stride, col_signed, g) }
}

/// The rest of [`strided`], once the columns are known to start at `base + k·stride` (bytes, signed when
/// `col_signed`) and to hold at least `acc.len()` values each.
///
/// # Safety
/// For every `k < a.len()`, `col(k)` starts at `base + k·stride` and its first `acc.len()` values are bytes.
#[inline(always)]
unsafe fn strided_sums<'b, EC: Number, EA: Number, EB: Number + 'b>(
    acc: &mut [EC],
    a: &[EA],
    col: &impl Fn(usize) -> &'b [EB],
    base: *const u8,
    stride: isize,
    col_signed: bool,
    g: Grid,
) -> bool {
    let m = acc.len();
    let row = EA::raw_slice(a);
    // The starts: one check when every lane starts alike (a bias broadcast to all positions).
    let first = acc[0].to_f32();
    // (A fold without an early exit: the compiler vectorizes it.)
    let same = acc
        .iter()
        .fold(true, |s, v| s & (v.to_f32().to_bits() == first.to_bits()));
    let (k0, exact) = units(first, g.s, g.prods);
    if same {
        if !(exact && k0.unsigned_abs() <= g.limit) {
            return false;
        }
    } else {
        let mut ok = true;
        for v in acc.iter() {
            let (k, exact) = units(v.to_f32(), g.s, g.prods);
            ok &= exact & (k.unsigned_abs() <= g.limit);
        }
        if !ok {
            return false;
        }
    }
    let down = pow2(-g.s) as f32;
    // The sums of up to `CHUNK` lanes; a small buffer for the few lanes of most calls (a small layer's
    // positions), so that the whole one is not zeroed per call.
    let (mut small, mut large);
    let sums: &mut [i32] = if m <= LANES {
        small = [0i32; LANES];
        &mut small
    } else {
        large = [0i32; CHUNK];
        &mut large
    };
    let mut p0 = 0;
    while p0 < m {
        let l = (m - p0).min(CHUNK);
        // SAFETY: every column `k` starts at `base + k·stride` and holds at least `m >= p0 + l` bytes (the
        // caller's contract), so the kernels read inside them.
        let ran = unsafe {
            bytes::strided(
                row,
                base.wrapping_add(p0),
                stride,
                col_signed,
                &mut sums[..l],
            )
        };
        if !ran {
            let sums = &mut sums[..l];
            sums.fill(0);
            for (k, x) in a.iter().enumerate() {
                let w = raw_of(*x, g.sa);
                for (s, y) in sums.iter_mut().zip(&col(k)[p0..p0 + l]) {
                    *s += w * raw_of(*y, g.sb);
                }
            }
        }
        // |start + sum| < 2^24: the conversion and the scaling are exact, and `A` (so `EC`) holds the value.
        for (v, s) in acc[p0..p0 + l].iter_mut().zip(&sums[..l]) {
            let u = if same {
                k0
            } else {
                units(v.to_f32(), g.s, g.prods).0
            };
            *v = EC::from_f32((u + s) as f32 * down);
        }
        p0 += l;
    }
    true
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
/// CPU has them ([`super::cpu`]; the AVX-VNNI set runs the AVX2 kernels here: a 256-bit `vpdpbusd` kernel on
/// interleaved taps, like the AVX-512 one, measured slower than them on the zoo's convolutions and attention);
/// `false` otherwise (or for other operands), and the caller's portable loop runs.
pub(crate) mod bytes {
    use super::Raw;
    use crate::dot::cpu::Kernels;

    #[inline(always)]
    pub(super) fn columns<'b>(a: Raw<'_>, col: impl Fn(usize) -> Raw<'b>, out: &mut [i32]) -> bool {
        let k = super::super::cpu::selected();
        if !(cfg!(target_arch = "x86_64") && k > Kernels::Portable) {
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
        match k {
            // SAFETY: the CPU has AVX-512 F, BW and VNNI (checked above); every column pointer reads at most
            // `out.len()` bytes (masked loads), which `ptr` checked.
            Kernels::Avx512Vnni => unsafe { vnni::columns(row, row_signed, col_signed, ptr, out) },
            // SAFETY: the CPU has AVX2 (checked above: AVX2 or AVX-VNNI, which implies it); every column pointer
            // reads at most `out.len()` bytes, which `ptr` checked.
            _ => unsafe { avx2::columns(row, row_signed, col_signed, ptr, out) },
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (row_signed, ptr);
            false
        }
    }

    /// Whether a byte kernel runs now (AVX-512 VNNI, AVX-VNNI or AVX2).
    #[inline(always)]
    pub(super) fn any() -> bool {
        cfg!(target_arch = "x86_64") && super::super::cpu::selected() > Kernels::Portable
    }

    /// The lane sums `out[p] = Σ_k a[k]·c_k[p]` (wrapping) of byte columns `c_k` starting at `base + k·stride`,
    /// with the CPU's kernel; `false` when no byte kernel runs (or for other operands).
    ///
    /// # Safety
    /// For every `k < a.len()`, the `out.len()` bytes at `base + k·stride` are readable.
    #[inline(always)]
    pub(super) unsafe fn strided(
        a: Raw<'_>,
        base: *const u8,
        stride: isize,
        col_signed: bool,
        out: &mut [i32],
    ) -> bool {
        let k = super::super::cpu::selected();
        if !(cfg!(target_arch = "x86_64") && k > Kernels::Portable) {
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
        if row.is_empty() || out.is_empty() {
            return false;
        }
        let l = out.len();
        #[cfg(target_arch = "x86_64")]
        {
            // SAFETY (all calls below): the CPU has the kernel's features (checked above), and every column
            // pointer reads at most the lanes `out` holds, inside column `k` (by the caller).
            // `vpmaddubsw` where exact, on the AVX-VNNI set too.
            if matches!(k, Kernels::Avx2 | Kernels::AvxVnni)
                && l >= 32
                && unsafe { avx2::columns_i16(row, row_signed, base, stride, col_signed, out) }
            {
                return true;
            }
            if k == Kernels::Avx512Vnni {
                unsafe { vnni::strided(row, row_signed, col_signed, base, stride, out) };
                return true;
            }
            let mut p0 = 0;
            while p0 < l {
                let e = (p0 + 64).min(l);
                let ptr = |k: usize| {
                    Some(
                        base.wrapping_offset(stride.wrapping_mul(k as isize))
                            .wrapping_add(p0),
                    )
                };
                match k {
                    Kernels::Avx512Vnni => unsafe {
                        vnni::columns(row, row_signed, col_signed, ptr, &mut out[p0..e])
                    },
                    _ => unsafe {
                        avx2::columns(row, row_signed, col_signed, ptr, &mut out[p0..e])
                    },
                };
                p0 = e;
            }
            true
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (row_signed, base, stride, col_signed, l);
            false
        }
    }

    #[cfg(target_arch = "x86_64")]
    pub(crate) mod avx2 {
        use crate::dot::bytes::avx2::widen;
        use core::arch::x86_64::*;

        /// The bound of `vpmaddubsw`'s saturating 16-bit pair sums, and of the 16-bit lane sums between two
        /// flushes into 32 bits.
        const I16: i32 = i16::MAX as i32;

        /// The most taps [`columns_i16`] takes (longer rows use `vpmaddwd`).
        const TAPS: usize = 1024;

        /// Strided byte columns (`c_k` at `base + k·stride`, at least 32 lanes) with `vpmaddubsw`, when it is
        /// exact for the row at hand; `false` (nothing written) otherwise.
        ///
        /// `vpmaddubsw` multiplies unsigned by signed bytes and adds each pair of products into a 16-bit lane,
        /// saturating. Two taps are interleaved per 16-bit lane (the columns' bytes of taps `2j` and `2j+1`,
        /// `vpunpcklbw`/`vpunpckhbw`) and the row's two bytes broadcast, so each 16-bit lane gets
        /// `a[2j]·c_2j[p] + a[2j+1]·c_2j+1[p]`. When the row is signed the columns are the unsigned operand,
        /// else the row is; columns of the row's signedness are flipped by 128 (xor 0x80) and the sum corrected
        /// by ∓128·Σrow, as in the VNNI kernel. Exactness, from the row's values: with `M` the largest
        /// magnitude of a (flipped) column byte (255 unsigned, 128 signed) and `R` the row's largest magnitude,
        /// a pair sum is at most `B = 2·R·M`, which must not exceed `i16::MAX` (no saturation); the 16-bit
        /// lane sums add groups of `⌊i16::MAX / B⌋` consecutive pairs (no wrap-around), then are widened and
        /// added into 32-bit sums. Refused when a pair exceeds the bound, or when the groups would be so short
        /// that the flushes cost more than `vpmaddwd` on widened bytes. A power of two `2^t` common to every row
        /// value is divided out first (the row of a block format within one block: small integers times the
        /// block's scale), so `R` is that of the row shifted right by `t`, and the sums are shifted back left
        /// (exact: the caller's bound keeps the true sums below 2^24).
        #[target_feature(enable = "avx2")]
        pub(crate) unsafe fn columns_i16(
            row: &[u8],
            row_signed: bool,
            base: *const u8,
            stride: isize,
            col_signed: bool,
            out: &mut [i32],
        ) -> bool {
            let (n, l) = (row.len(), out.len());
            if l < 32 || n == 0 {
                return false;
            }
            let m = if row_signed { 255 } else { 128 };
            // The largest |row value| (a loop the compiler vectorizes), and from it the bound of a pair sum.
            // The power of two common to every row value, 2^t (a block format's row of one block: its values
            // are small integers times the block's scale), divided out: the kernel sums the row's values
            // shifted right by t (exact: the low t bits are zero) and shifts the sums back left.
            let t = row.iter().fold(0u8, |o, &v| o | v).trailing_zeros() % 8;
            let maxw = (if row_signed {
                row.iter().map(|&v| (v as i8).unsigned_abs()).max()
            } else {
                row.iter().copied().max()
            }
            .unwrap_or(0)
                >> t) as i32;
            let pair = 2 * maxw * m;
            if pair > I16 {
                return false;
            }
            // Pairs per group: their bounds add up to at most i16::MAX.
            let pairs = n.div_ceil(2);
            let group = if pair == 0 {
                pairs
            } else {
                (I16 / pair) as usize
            }
            .max(1);
            // A flush costs about as much as two pairs of taps: with shorter groups `vpmaddwd` is faster.
            if group < pairs && group < 3 {
                return false;
            }
            let flip = row_signed == col_signed;
            let corr = if flip {
                // Flipped columns: signed c + 128 adds 128·Σrow, unsigned c − 128 subtracts it.
                let sum: i32 = if row_signed {
                    row.iter().map(|&v| ((v as i8) >> t) as i32).sum()
                } else {
                    row.iter().map(|&v| (v >> t) as i32).sum()
                };
                sum.wrapping_mul(if row_signed { -128 } else { 128 })
            } else {
                0
            };
            // The row's values shifted right by `t`, and a zero weight for a missing last tap: pair `j` is the
            // 16-bit word of bytes `2j` and `2j + 1` (little endian, as `vpmaddubsw` pairs them). Built once per
            // call (a loop the compiler vectorizes), so that a pair's weight is one broadcast load.
            if n > TAPS {
                return false;
            }
            let mut taps = [core::mem::MaybeUninit::<u8>::uninit(); TAPS + 1];
            for (d, &v) in taps.iter_mut().zip(row) {
                // (The signed shift in 16 bits: the compiler vectorizes that, not a byte shift.)
                d.write(if row_signed {
                    ((v as i8 as i16) >> t) as u8
                } else {
                    v >> t
                });
            }
            taps[n].write(0);
            // SAFETY: the loop above wrote `taps[..n]` and the line above `taps[n]`, so the first
            // `2·pairs <= n + 1` bytes are initialized; `MaybeUninit<u8>` has the layout of `u8`.
            let words =
                unsafe { core::slice::from_raw_parts(taps.as_ptr().cast::<u8>(), 2 * pairs) };
            // Chunks of 32 lanes, four per pass; when `l` is not a multiple of 32 the last chunk ends at `l`,
            // overlapping the one before (its lanes are computed twice, the same way).
            let chunks = l.div_ceil(32);
            let mut c0 = 0;
            while c0 < chunks {
                let mut starts = [0usize; 4];
                let count = (chunks - c0).min(4);
                for (i, s) in starts.iter_mut().enumerate().take(count) {
                    *s = (32 * (c0 + i)).min(l - 32);
                }
                unsafe {
                    match (row_signed, flip) {
                        (true, false) => passes::<true, false>(
                            words, n, t, base, stride, group, &starts, count, corr, out,
                        ),
                        (true, true) => passes::<true, true>(
                            words, n, t, base, stride, group, &starts, count, corr, out,
                        ),
                        (false, false) => passes::<false, false>(
                            words, n, t, base, stride, group, &starts, count, corr, out,
                        ),
                        (false, true) => passes::<false, true>(
                            words, n, t, base, stride, group, &starts, count, corr, out,
                        ),
                    }
                }
                c0 += count;
            }
            true
        }

        /// [`pass`] for `count` (1 to 4) chunks.
        #[target_feature(enable = "avx2")]
        #[allow(clippy::too_many_arguments)]
        unsafe fn passes<const ROW_SIGNED: bool, const FLIP: bool>(
            words: &[u8],
            n: usize,
            t: u32,
            base: *const u8,
            stride: isize,
            group: usize,
            starts: &[usize; 4],
            count: usize,
            corr: i32,
            out: &mut [i32],
        ) {
            // SAFETY (all four): the caller's contract, passed on.
            unsafe {
                match count {
                    1 => pass::<ROW_SIGNED, FLIP, 1>(
                        words, n, t, base, stride, group, starts, corr, out,
                    ),
                    2 => pass::<ROW_SIGNED, FLIP, 2>(
                        words, n, t, base, stride, group, starts, corr, out,
                    ),
                    3 => pass::<ROW_SIGNED, FLIP, 3>(
                        words, n, t, base, stride, group, starts, corr, out,
                    ),
                    _ => pass::<ROW_SIGNED, FLIP, 4>(
                        words, n, t, base, stride, group, starts, corr, out,
                    ),
                }
            }
        }

        /// `COUNT` (1 to 4) chunks of 32 lanes (`starts[..COUNT]`) over every tap (see [`columns_i16`]): `words` holds
        /// the row's values shifted right by `t`, two bytes per pair of taps (a zero after an odd last tap), `n`
        /// the taps.
        #[target_feature(enable = "avx2")]
        #[allow(clippy::too_many_arguments)]
        unsafe fn pass<const ROW_SIGNED: bool, const FLIP: bool, const COUNT: usize>(
            words: &[u8],
            n: usize,
            t: u32,
            base: *const u8,
            stride: isize,
            group: usize,
            starts: &[usize; 4],
            corr: i32,
            out: &mut [i32],
        ) {
            let pairs = words.len() / 2;
            unsafe {
                let zero = _mm256_setzero_si256();
                let bias = if FLIP {
                    _mm256_set1_epi8(i8::MIN)
                } else {
                    zero
                };
                // 32-bit sums of chunk c: lanes 0..8, 16..24, 8..16, 24..32.
                let mut wide = [zero; 16];
                // Column `2j` of the pair `j` below, one pair (two strides) further per step.
                let mut q0 = base;
                let step = stride.wrapping_mul(2);
                let mut j = 0usize;
                while j < pairs {
                    let end = (j + group).min(pairs);
                    let mut acc = [zero; 8];
                    for pair in words[2 * j..2 * end].chunks_exact(2) {
                        // A missing tap past the end: the same column again (its weight is zero).
                        let q1 = if 2 * j + 1 < n {
                            q0.wrapping_offset(stride)
                        } else {
                            q0
                        };
                        let w = _mm256_set1_epi16(i16::from_le_bytes([pair[0], pair[1]]));
                        for c in 0..COUNT {
                            let v0 = _mm256_xor_si256(
                                _mm256_loadu_si256(q0.add(starts[c]).cast()),
                                bias,
                            );
                            let v1 = _mm256_xor_si256(
                                _mm256_loadu_si256(q1.add(starts[c]).cast()),
                                bias,
                            );
                            // Within each 128-bit half: lo holds lanes 0..8 (16..24), hi 8..16 (24..32).
                            let lo = _mm256_unpacklo_epi8(v0, v1);
                            let hi = _mm256_unpackhi_epi8(v0, v1);
                            let (plo, phi) = if ROW_SIGNED {
                                (_mm256_maddubs_epi16(lo, w), _mm256_maddubs_epi16(hi, w))
                            } else {
                                (_mm256_maddubs_epi16(w, lo), _mm256_maddubs_epi16(w, hi))
                            };
                            acc[2 * c] = _mm256_add_epi16(acc[2 * c], plo);
                            acc[2 * c + 1] = _mm256_add_epi16(acc[2 * c + 1], phi);
                        }
                        q0 = q0.wrapping_offset(step);
                        j += 1;
                    }
                    for c in 0..COUNT {
                        let (lo, hi) = (acc[2 * c], acc[2 * c + 1]);
                        let parts = [
                            _mm256_castsi256_si128(lo),
                            _mm256_extracti128_si256::<1>(lo),
                            _mm256_castsi256_si128(hi),
                            _mm256_extracti128_si256::<1>(hi),
                        ];
                        for (i, p) in parts.into_iter().enumerate() {
                            wide[4 * c + i] =
                                _mm256_add_epi32(wide[4 * c + i], _mm256_cvtepi16_epi32(p));
                        }
                    }
                }
                let cv = _mm256_set1_epi32(corr);
                let back = _mm_cvtsi32_si128(t as i32);
                for c in 0..COUNT {
                    let o = out.as_mut_ptr().add(starts[c]);
                    // `parts` order: lanes 0..8, 16..24, 8..16, 24..32.
                    for (i, at) in [0, 16, 8, 24].into_iter().enumerate() {
                        _mm256_storeu_si256(
                            o.add(at).cast(),
                            _mm256_sll_epi32(_mm256_add_epi32(wide[4 * c + i], cv), back),
                        );
                    }
                }
            }
        }

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

        /// The correction of flipped columns: signed `c + 128` adds `128·Σrow`, unsigned `c − 128` subtracts it.
        #[inline(always)]
        fn correction(row: &[u8], row_signed: bool, flip: bool) -> i32 {
            let sum: i32 = row
                .iter()
                .map(|&v| if row_signed { v as i8 as i32 } else { v as i32 })
                .sum();
            match (flip, row_signed) {
                (false, _) => 0,
                (true, true) => sum.wrapping_mul(-128),
                (true, false) => sum.wrapping_mul(128),
            }
        }

        /// Stores the sums of one block of up to 64 lanes (`acc[j]`: the interleaved lanes, see [`columns`])
        /// plus `corr` into `out` (its first `out.len() <= 64` lanes).
        #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
        #[inline]
        unsafe fn store(acc: &[__m512i; 4], corr: i32, out: &mut [i32]) {
            let l = out.len();
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
                    // SAFETY: the mask keeps the store inside `out` (lanes `16r..l`).
                    unsafe {
                        _mm512_mask_storeu_epi32(
                            out.as_mut_ptr().add(16 * r).cast(),
                            m,
                            _mm512_add_epi32(v, c),
                        )
                    };
                }
            }
        }

        /// [`columns`] for every lane of `out` (blocks of 64) on byte columns at `base + k·stride`: the row's taps
        /// four at a time as one broadcast word, and the columns' pointers stepped by four strides, with no
        /// per-tap checks (a last group of fewer than four taps reads its last column again, with zero weights).
        ///
        /// # Safety
        /// The CPU has AVX-512 F, BW and VNNI; for every `k < row.len()` the `out.len()` bytes at
        /// `base + k·stride` are readable.
        #[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
        pub(super) unsafe fn strided(
            row: &[u8],
            row_signed: bool,
            col_signed: bool,
            base: *const u8,
            stride: isize,
            out: &mut [i32],
        ) {
            let (n, l) = (row.len(), out.len());
            let flip = row_signed == col_signed;
            let corr = correction(row, row_signed, flip);
            let (full, rest) = (n / 4, n % 4);
            // The last group's weights, zero past the end.
            let mut tail = [0u8; 4];
            tail[..rest].copy_from_slice(&row[4 * full..]);
            let zero = _mm512_setzero_si512();
            let bias = if flip {
                _mm512_set1_epi8(i8::MIN)
            } else {
                zero
            };
            let mut p0 = 0;
            while p0 < l {
                let b = (l - p0).min(64);
                let mask: __mmask64 = if b >= 64 { !0 } else { (1u64 << b) - 1 };
                let mut acc = [zero; 4];
                // Four columns (their first `b` lanes from `p0`) times the weights `w`, into `acc`.
                let mut group = |c: [*const u8; 4], w: [u8; 4]| {
                    let wv = _mm512_set1_epi32(i32::from_le_bytes(w));
                    // SAFETY: every pointer is one of the caller's columns at lane `p0`, and the mask reads
                    // its first `b` lanes at most, inside `out.len()`.
                    let r = c.map(|p| unsafe {
                        _mm512_xor_si512(_mm512_maskz_loadu_epi8(mask, p.cast()), bias)
                    });
                    let t0 = _mm512_unpacklo_epi8(r[0], r[1]);
                    let t1 = _mm512_unpackhi_epi8(r[0], r[1]);
                    let t2 = _mm512_unpacklo_epi8(r[2], r[3]);
                    let t3 = _mm512_unpackhi_epi8(r[2], r[3]);
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
                };
                let col = |k: usize| {
                    base.wrapping_offset(stride.wrapping_mul(k as isize))
                        .wrapping_add(p0)
                };
                let mut q = col(0);
                for w in row[..4 * full].chunks_exact(4) {
                    let c1 = q.wrapping_offset(stride);
                    let c2 = c1.wrapping_offset(stride);
                    group(
                        [q, c1, c2, c2.wrapping_offset(stride)],
                        [w[0], w[1], w[2], w[3]],
                    );
                    q = c2.wrapping_offset(stride).wrapping_offset(stride);
                }
                if rest > 0 {
                    let at = |j: usize| col(4 * full + j.min(rest - 1));
                    group([at(0), at(1), at(2), at(3)], tail);
                }
                // SAFETY: the CPU has the features (the caller); `out[p0..p0 + b]` is inside `out`.
                unsafe { store(&acc, corr, &mut out[p0..p0 + b]) };
                p0 += b;
            }
        }

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
                store(&acc, correction(row, row_signed, flip), out);
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
        // The same columns given by start and stride (`columns_at`).
        let mut got = acc.to_vec();
        columns_at::<A, TA, TB, f32, TA, f32>(&mut got, a, b, 1, stride);
        assert_eq!(
            got.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            want,
            "{what}, columns_at"
        );
        // Typed columns and accumulator (byte columns: the strided byte kernels).
        let bt: Vec<TB> = b.iter().map(|&v| TB::from_f32(v)).collect();
        let mut got: Vec<A> = acc.iter().map(|&v| A::from_f32(v)).collect();
        columns::<A, TA, TB, A, TA, TB>(&mut got, a, |k| &bt[k * stride + 1..][..m]);
        assert_eq!(
            got.iter().map(|v| v.to_f32().to_bits()).collect::<Vec<_>>(),
            want,
            "{what}, typed"
        );
        let mut got: Vec<A> = acc.iter().map(|&v| A::from_f32(v)).collect();
        columns_at::<A, TA, TB, A, TA, TB>(&mut got, a, &bt, 1, stride);
        assert_eq!(
            got.iter().map(|v| v.to_f32().to_bits()).collect::<Vec<_>>(),
            want,
            "{what}, typed, columns_at"
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

    /// `columns_at` checks its columns' span once: one value short of the last column panics (as the closure
    /// `|k| &b[start + k * stride..][..m]` would), an exact fit does not, and no taps or no lanes read nothing.
    #[test]
    #[cfg(feature = "std")]
    fn columns_at_checks_the_span_of_its_columns() {
        type X = UFixed<8, 4>;
        let a = [Fixed::<4, 3>::from_f32(0.5); 3];
        let b = [X::from_f32(1.0); 2 + 2 * 5 + 4];
        let mut acc = [0.0f32; 4];
        // Columns at 2, 7 and 12, four lanes each: the last ends at 16, the slice's length.
        columns_at::<f32, Fixed<4, 3>, X, f32, _, _>(&mut acc, &a, &b, 2, 5);
        assert_eq!(acc, [1.5; 4]);
        let short = std::panic::catch_unwind(|| {
            let mut acc = [0.0f32; 4];
            columns_at::<f32, Fixed<4, 3>, X, f32, _, _>(&mut acc, &a, &b[..15], 2, 5);
        });
        assert!(short.is_err());
        let huge = std::panic::catch_unwind(|| {
            let mut acc = [0.0f32; 4];
            columns_at::<f32, Fixed<4, 3>, X, f32, _, _>(&mut acc, &a, &b, 2, usize::MAX / 2);
        });
        assert!(huge.is_err());
        let mut none = [0.25f32; 4];
        columns_at::<f32, Fixed<4, 3>, X, f32, _, _>(&mut none, &a[..0], &b[..0], 100, 7);
        columns_at::<f32, Fixed<4, 3>, X, f32, _, _>(&mut none[..0], &a, &b[..0], 100, 7);
        assert_eq!(none, [0.25; 4]);
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

    /// The strided byte kernels (`vpmaddubsw` where it is exact for the row, else `vpmaddwd`, or VNNI) against
    /// the portable sums: every signedness, rows of small and large magnitude (one or many 16-bit groups, or
    /// refused), odd tap counts, lane counts that are not whole chunks, negative strides.
    #[test]
    fn strided_byte_kernels_equal_the_portable_sums() {
        let mut seed = 5u64;
        let mut byte = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 56) as u8
        };
        for (n, l) in [
            (1, 32),
            (9, 784),
            (25, 100),
            (150, 49),
            (151, 64),
            (2, 33),
            (600, 200),
            (144, 196),
            (3, 17),
        ] {
            let stride = l + 5;
            let cols: Vec<u8> = (0..n * stride).map(|_| byte()).collect();
            for (mag, shift) in [
                (1u8, 0),
                (3, 0),
                (16, 0),
                (127, 0),
                (255, 0),
                (7, 4),
                (4, 5),
                (15, 3),
            ] {
                // Values up to `mag`, times 2^shift (a block format's row: small integers times its scale).
                let row: Vec<u8> = (0..n)
                    .map(|_| ((byte() as u16 % (mag as u16 + 1)) << shift) as u8)
                    .collect();
                // Signed rows: magnitudes up to `mag`, either sign.
                let srow: Vec<u8> = row
                    .iter()
                    .map(|&v| {
                        if v % 2 == 0 {
                            v / 2
                        } else {
                            (v / 2).wrapping_neg()
                        }
                    })
                    .collect();
                for (rs, cs) in [(true, false), (true, true), (false, true), (false, false)] {
                    let r = if rs { &srow } else { &row };
                    let rv = |k: usize| if rs { r[k] as i8 as i32 } else { r[k] as i32 };
                    let cv = |k: usize, p: usize| {
                        let c = cols[k * stride + 2 + p];
                        if cs { c as i8 as i32 } else { c as i32 }
                    };
                    let want: Vec<i32> = (0..l)
                        .map(|p| (0..n).map(|k| rv(k) * cv(k, p)).sum())
                        .collect();
                    let what = format!(
                        "n {n}, lanes {l}, magnitude {mag} << {shift}, row signed {rs}, columns signed {cs}"
                    );
                    // `vpmaddubsw` itself, where the CPU has AVX2.
                    #[cfg(all(target_arch = "x86_64", feature = "std"))]
                    if std::is_x86_feature_detected!("avx2") {
                        let mut got = vec![7i32; l];
                        // SAFETY: AVX2; every column has `l` bytes after its start.
                        let ran = unsafe {
                            bytes::avx2::columns_i16(
                                r,
                                rs,
                                cols[2..].as_ptr(),
                                stride as isize,
                                cs,
                                &mut got,
                            )
                        };
                        if ran {
                            assert_eq!(got, want, "vpmaddubsw: {what}");
                        } else {
                            assert!(
                                got.iter().all(|&v| v == 7),
                                "refused, nothing written: {what}"
                            );
                        }
                        if l >= 32 && (mag <= 3 || shift > 0) {
                            assert!(ran, "small rows take vpmaddubsw: {what}");
                        }
                    }
                    let a = if rs {
                        // SAFETY: i8 and u8 have the same layout.
                        Raw::I8(unsafe { core::slice::from_raw_parts(r.as_ptr().cast(), n) })
                    } else {
                        Raw::U8(r)
                    };
                    for k in crate::dot::cpu::every_available() {
                        crate::dot::cpu::limit(Some(k));
                        let mut got = vec![0i32; l];
                        // Forwards, and backwards from the last column (a negative stride).
                        // SAFETY: every column has `l` bytes after its start.
                        let ran = unsafe {
                            bytes::strided(a, cols[2..].as_ptr(), stride as isize, cs, &mut got)
                        };
                        assert_eq!(ran, k != crate::dot::cpu::Kernels::Portable, "{what}");
                        if ran {
                            assert_eq!(got, want, "{what}, {k:?}");
                            let rev: Vec<u8> = r.iter().rev().copied().collect();
                            let ar = if rs {
                                // SAFETY: as above.
                                Raw::I8(unsafe {
                                    core::slice::from_raw_parts(rev.as_ptr().cast(), n)
                                })
                            } else {
                                Raw::U8(&rev)
                            };
                            let mut back = vec![0i32; l];
                            // SAFETY: column `n-1-k` starts at `last - k·stride` and has `l` bytes.
                            let last = cols[(n - 1) * stride + 2..].as_ptr();
                            unsafe { bytes::strided(ar, last, -(stride as isize), cs, &mut back) };
                            assert_eq!(back, want, "{what}, {k:?}, negative stride");
                        }
                    }
                    crate::dot::cpu::limit(None);
                }
            }
        }
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
        for (n, l) in [
            (1, 1),
            (3, 64),
            (4, 16),
            (25, 17),
            (150, 64),
            (9, 33),
            (5, 32),
            (6, 50),
            (2, 31),
        ] {
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
                    assert_eq!(
                        ran,
                        k != crate::dot::cpu::Kernels::Portable,
                        "a byte kernel runs exactly when one is selected, {k:?}"
                    );
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
