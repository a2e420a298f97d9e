//! Codebook weights: `K`-bit indices into a per-tensor table of `2^K` values on a fixed-point grid.
//!
//! A codebook format `codebook<K,F,[t0,…,t(2^K−1)]>` ([`Format::Codebook`]) has the values `t_i · 2^-F`,
//! `t_i` in `-128..=127` (the table is stored as 8-bit fixed point of fraction bits `F`), strictly ascending.
//! Storage: `K` bits per value plus `2^K · 8` bits for the table ([`Format::storage_bits`]).
//!
//! **Rounding.** `quantize(x)` is the nearest table value; a tie (x exactly between two neighbours) goes to the
//! smaller one; values beyond the table saturate to its ends (also `±inf`); NaN is treated as `+0.0` (the
//! nearest value to 0). Zero is `+0.0`. With the entries ascending, the index is the number of midpoints
//! `(t_i + t_(i+1)) · 2^-(F+1)` strictly below `x` ([`index`]): exact comparisons of `f32`s, since every
//! midpoint is an `f32` (a 9-bit integer times a power of two in `2^-65 ..= 2^63`).
//!
//! **Static types.** [`Codebook1`], [`Codebook2`], [`Codebook3`] and [`Codebook4`] (`K` = 1..=4) carry `F` and
//! the table as const parameters (`Codebook2<6, -20, -4, 5, 31>`) and store the value's entry `t_i` itself (the
//! index expanded to the table's integer once, when the value is made) in an `i8`; the code
//! ([`Number::to_code`]) is the index. Their fixed-point layout ([`Number::FIXED`]) is `frac = F`, raw
//! `t_0 ..= t_last` (a sparse grid: only the table's entries), and a slice of them is a slice of raw `i8`s, so the
//! integer inner products of [`crate::dot`], byte kernels included, take them as operands like `fixed<8,F>`.
//!
//! **Unfitted codebooks.** `codebook<K,F>` (no table; [`Format::Codebook`] with an all-zero `table`, which no
//! fitted table is, see [`unfitted`]) stands for "the table [`fit`] gives the tensor": the tuner's candidates,
//! before the trained weights are known. [`Format::quantize_slice`] fits the slice's own table (plain k-means)
//! and rounds to it; a lone value ([`Format::quantize`], [`Format::encode`]) is a tensor of one value, whose
//! fitted table holds it on the grid: `fixed<8,F>`'s rounding and its 8-bit raw code. Emulation fits weight
//! tensors once per site (weighted by the layer's input second moments when GPTQ captured them) and the tuner
//! writes the fitted table to `tuned.rs`: an unfitted codebook has no static type.
//!
//! **Fitting.** [`fit`] picks a table for a tensor by weighted k-means (Lloyd's iterations from quantile
//! starts), deterministic: no randomness, no dependence on threads, sums in a fixed order.
//!
//! ```
//! use number_formats::{Codebook2, Format, Number};
//! let f: Format = "codebook<2,4,[-20,-4,5,31]>".parse().unwrap();
//! assert_eq!(f.quantize(0.1), 0.3125); // 5/16, the nearest of -1.25, -0.25, 0.3125, 1.9375
//! assert_eq!(f.quantize(-9.0), -1.25);
//! assert_eq!((f.bits(), f.storage_bits(100)), (2, 2 * 100 + 4 * 8));
//! type W = Codebook2<4, -20, -4, 5, 31>;
//! assert_eq!(W::FORMAT, f);
//! assert_eq!((W::from_f32(0.1).to_f32(), W::from_f32(0.1).to_code(), W::from_f32(0.1).raw()), (0.3125, 2, 5));
//! assert_eq!(core::mem::size_of::<W>(), 1);
//! ```
use crate::number::{FixedInfo, Sealed};
use crate::{Format, Number};
use core::fmt;

/// The largest index width `K` of a codebook format.
pub const MAX_K: u32 = 4;

/// Bits per table entry (8-bit fixed point of fraction bits `F`).
pub const ENTRY_BITS: u32 = 8;

/// `2^k` as `f64`, `k` in `-1022..=1023`.
const fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// The value `t · 2^-f` of a table entry (exact in `f32`).
#[inline(always)]
pub(crate) fn value(t: i8, f: i32) -> f32 {
    (t as f64 * pow2(-f)) as f32
}

/// The index of the nearest entry of the ascending table `t` (its first `n` entries, fraction bits `f`) to `x`:
/// the number of midpoints strictly below `x` (ties to the smaller entry); NaN counts as `+0.0`.
#[inline]
pub fn index(x: f32, t: &[i8], f: i32) -> usize {
    let x = if x.is_nan() { 0.0 } else { x };
    let mut i = 0;
    for w in t.windows(2) {
        let mid = ((w[0] as i32 + w[1] as i32) as f64 * pow2(-(f + 1))) as f32;
        i += (mid < x) as usize;
    }
    i
}

/// [`index`] of an `f64` (a single comparison against each exact midpoint; NaN counts as `+0.0`).
#[inline]
pub(crate) fn index_f64(x: f64, t: &[i8], f: i32) -> usize {
    let x = if x.is_nan() { 0.0 } else { x };
    let mut i = 0;
    for w in t.windows(2) {
        let mid = (w[0] as i32 + w[1] as i32) as f64 * pow2(-(f + 1));
        i += (mid < x) as usize;
    }
    i
}

/// Parses the rest of `codebook<K,F,[t0,…]>` after the name (`rest` starts at `<`); `s` is the whole text, quoted
/// in errors.
pub(crate) fn parse(rest: &str, s: &str) -> Result<Format, crate::FormatError> {
    use alloc::format;
    let e = |m: alloc::string::String| {
        crate::FormatError(format!("{m} in `{s}` (expected codebook<K,F,[t0,t1,…]>)"))
    };
    let inner = rest
        .trim()
        .strip_prefix('<')
        .and_then(|r| r.strip_suffix('>'))
        .ok_or_else(|| e("expected `<…>` after `codebook`".into()))?;
    let Some((head, list)) = inner.split_once('[') else {
        // Unfitted: codebook<K,F>.
        let hp: alloc::vec::Vec<&str> = inner.split(',').map(str::trim).collect();
        let [k, f] = hp[..] else {
            return Err(e("expected K and F, and the table `[t0,t1,…]`".into()));
        };
        let k = k
            .parse::<i64>()
            .map_err(|_| e(format!("expected an integer for K, found `{k}`")))?;
        let f = f
            .parse::<i64>()
            .map_err(|_| e(format!("expected an integer for F, found `{f}`")))?;
        let fmt = Format::Codebook {
            k: k.clamp(0, 99) as u32,
            f: f.clamp(-999, 999) as i32,
            table: [0; 16],
        };
        fmt.validate()
            .map_err(|v| crate::FormatError(format!("invalid number format `{s}`: {v}")))?;
        return Ok(fmt);
    };
    let (list, after) = list
        .split_once(']')
        .ok_or_else(|| e("expected `]` to close the table".into()))?;
    if !after.trim().is_empty() {
        return Err(e(format!("unexpected `{}` after the table", after.trim())));
    }
    let hp: alloc::vec::Vec<&str> = head.split(',').map(str::trim).collect();
    if hp.len() != 3 || !hp[2].is_empty() {
        return Err(e("expected K and F before the table".into()));
    }
    let int = |what: &str, a: &str| -> Result<i64, crate::FormatError> {
        a.parse::<i64>()
            .map_err(|_| e(format!("expected an integer for {what}, found `{a}`")))
    };
    let k = int("K", hp[0])?;
    let f = int("F", hp[1])?;
    if !(1..=MAX_K as i64).contains(&k) {
        return Err(e(format!(
            "K (index bits) must be in 1..={MAX_K}, found K = {k}"
        )));
    }
    if !Format::FRAC_RANGE.contains(&(f.clamp(-1000, 1000) as i32)) {
        return Err(e(format!("F must be in -64..=64, found F = {f}")));
    }
    let entries: alloc::vec::Vec<&str> = list.split(',').map(str::trim).collect();
    let n = 1usize << k;
    if entries.len() != n {
        return Err(e(format!(
            "a table of K = {k} has {n} entries, found {}",
            entries.len()
        )));
    }
    let mut table = [0i8; 16];
    for (i, a) in entries.iter().enumerate() {
        let t = int("a table entry", a)?;
        if !(-128..=127).contains(&t) {
            return Err(e(format!("table entries must be in -128..=127, found {t}")));
        }
        table[i] = t as i8;
    }
    if unfitted(&table) {
        return Err(e(
            "a table of zeros is not ascending (write codebook<K,F> for an unfitted one)".into(),
        ));
    }
    let fmt = Format::Codebook {
        k: k as u32,
        f: f as i32,
        table,
    };
    fmt.validate()
        .map_err(|v| crate::FormatError(format!("invalid number format `{s}`: {v}")))?;
    Ok(fmt)
}

/// Checks a codebook's parameters: `k` in `1..=4`, `f` in `-64..=64`, the first `2^k` entries strictly
/// ascending and the others 0. The error quotes the format.
pub(crate) fn validate(k: u32, f: i32, table: &[i8; 16]) -> Result<(), alloc::string::String> {
    use alloc::format;
    if !(1..=MAX_K).contains(&k) {
        return Err(format!(
            "codebook<K,F,[..]>: K (index bits) must be in 1..={MAX_K}, found K = {k}"
        ));
    }
    if !Format::FRAC_RANGE.contains(&f) {
        return Err(format!(
            "codebook<K,F,[..]>: F (fraction bits of the table) must be in -64..=64, found F = {f}"
        ));
    }
    let n = 1usize << k;
    if unfitted(table) {
        return Ok(());
    }
    if !table[..n].windows(2).all(|w| w[0] < w[1]) {
        return Err(format!(
            "codebook<{k},{f},[..]>: the {n} table entries must be strictly ascending, found {:?}",
            &table[..n]
        ));
    }
    if table[n..].iter().any(|&t| t != 0) {
        return Err(format!(
            "codebook<{k},{f},[..]>: a table of K = {k} has {n} entries, found more"
        ));
    }
    Ok(())
}

/// Whether a codebook's table is the placeholder of an unfitted one (all zero: `codebook<K,F>`).
pub const fn unfitted(table: &[i8; 16]) -> bool {
    let mut i = 0;
    while i < 16 {
        if table[i] != 0 {
            return false;
        }
        i += 1;
    }
    true
}

/// Writes the text form `codebook<K,F,[t0,t1,…]>` (`codebook<K,F>` when unfitted).
pub(crate) fn write(out: &mut fmt::Formatter<'_>, k: u32, f: i32, table: &[i8; 16]) -> fmt::Result {
    if unfitted(table) {
        return write!(out, "codebook<{k},{f}>");
    }
    write!(out, "codebook<{k},{f},[")?;
    for (i, t) in table[..1 << k].iter().enumerate() {
        if i > 0 {
            out.write_str(",")?;
        }
        write!(out, "{t}")?;
    }
    out.write_str("]>")
}

/// A table of `N` entries as the 16 bytes [`Format::Codebook`] stores (entries beyond `N` are 0). Entries
/// outside `-128..=127` are truncated; the static types check them first.
pub const fn table_of<const N: usize>(t: [i32; N]) -> [i8; 16] {
    let mut out = [0i8; 16];
    let mut i = 0;
    while i < N && i < 16 {
        out[i] = t[i] as i8;
        i += 1;
    }
    out
}

/// Fits a codebook of `2^k` entries on the grid `2^-f` to the values `xs` by weighted k-means: minimises
/// `Σ_j c_j · (x_j − q(x_j))²` with `c_j = weight(j)` (`None`: 1 for every value), where `q` rounds to the nearest
/// entry as [`Format::quantize`] does, over tables of distinct entries in `-128..=127`.
///
/// Procedure (deterministic): the values are sorted (by `f32::total_cmp`, NaN read as 0 and the weights kept
/// with their values); the start puts entry `i` at the weighted quantile `(i + 0.5) / 2^k`; then up to 50 Lloyd
/// iterations, each assigning every value to its nearest entry (midpoints, as [`index`]) and moving each
/// non-empty cluster's entry to its weighted mean (summed in sorted order, in `f64`), rounded to the grid and
/// clamped; it stops when the table no longer changes. Entries that collide on the grid are made distinct
/// by moving the later one up to the next free grid value (down when the top is full), and the table is sorted.
/// Negative and NaN weights count as 0; when every weight is 0 the plain mean is used.
///
/// ```
/// use number_formats::codebook::fit;
/// let xs = [-1.0f32, -0.9, -1.1, 0.0, 0.05, 1.0, 1.1, 0.9];
/// let f = fit(&xs, None, 2, 6).unwrap();
/// // Quantile starts -64, 0, 58, 70 (units of 2^-6); Lloyd's iterations move them to the cluster means.
/// assert_eq!(f.to_string(), "codebook<2,6,[-64,2,61,70]>");
/// assert_eq!((f.quantize(-0.95), f.quantize(1.0)), (-1.0, 61.0 / 64.0));
/// ```
pub fn fit(
    xs: &[f32],
    weight: Option<&[f32]>,
    k: u32,
    f: i32,
) -> Result<Format, crate::FormatError> {
    validate(k, f, &[0; 16]).map_err(crate::FormatError)?;
    let n = 1usize << k;
    let mut pts: alloc::vec::Vec<(f32, f64)> = xs
        .iter()
        .enumerate()
        .map(|(j, &x)| {
            let c = weight.map_or(1.0, |w| w.get(j).copied().unwrap_or(0.0) as f64);
            let c = if c.is_nan() || c < 0.0 { 0.0 } else { c };
            (if x.is_nan() { 0.0 } else { x }, c)
        })
        .collect();
    if pts.iter().all(|p| p.1 == 0.0) {
        pts.iter_mut().for_each(|p| p.1 = 1.0);
    }
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let scale = pow2(f);
    let grid = |v: f64| -> i32 {
        // Round to nearest, ties to even (adding 1.5·2^52 leaves no fraction bits), then clamp to the entries.
        const MAGIC: f64 = 6_755_399_441_055_744.0;
        let r = v * scale;
        let r = if r.is_nan() {
            0.0
        } else {
            r.clamp(-256.0, 256.0)
        };
        ((r + MAGIC) - MAGIC).clamp(-128.0, 127.0) as i32
    };
    // Start: weighted quantiles.
    let total: f64 = pts.iter().map(|p| p.1).sum();
    let mut table = [0i32; 16];
    if pts.is_empty() {
        for (i, t) in table[..n].iter_mut().enumerate() {
            *t = i as i32;
        }
    } else {
        let mut acc = 0.0;
        let mut j = 0;
        for (i, t) in table[..n].iter_mut().enumerate() {
            let q = (i as f64 + 0.5) / n as f64 * total;
            while j + 1 < pts.len() && acc + pts[j].1 <= q {
                acc += pts[j].1;
                j += 1;
            }
            *t = grid(pts[j].0 as f64);
        }
    }
    distinct(&mut table[..n]);
    for _ in 0..50 {
        let t8: [i8; 16] = table_of(table);
        let mut sum = [0f64; 16];
        let mut wsum = [0f64; 16];
        for &(x, c) in &pts {
            let i = index(x, &t8[..n], f);
            sum[i] += c * x as f64;
            wsum[i] += c;
        }
        let mut next = table;
        for i in 0..n {
            if wsum[i] > 0.0 {
                next[i] = grid(sum[i] / wsum[i]);
            }
        }
        distinct(&mut next[..n]);
        if next == table {
            break;
        }
        table = next;
    }
    Ok(Format::Codebook {
        k,
        f,
        table: table_of(table),
    })
}

/// Sorts `t` and makes its entries distinct within `-128..=127`: an entry equal to its predecessor moves up to
/// the next free value; if that would pass 127, the entries are rebuilt downward from the top.
fn distinct(t: &mut [i32]) {
    t.sort_unstable();
    for i in 1..t.len() {
        if t[i] <= t[i - 1] {
            t[i] = t[i - 1] + 1;
        }
    }
    let n = t.len();
    if n > 0 && t[n - 1] > 127 {
        t[n - 1] = 127;
        for i in (0..n - 1).rev() {
            if t[i] >= t[i + 1] {
                t[i] = t[i + 1] - 1;
            }
        }
    }
}

macro_rules! codebook_type {
    ($(#[$doc:meta])* $name:ident, $k:literal, [$($t:ident),*]) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[repr(transparent)]
        pub struct $name<const F: i32, $(const $t: i32),*>(i8);

        impl<const F: i32, $(const $t: i32),*> $name<F, $($t),*> {
            const ENTRIES: [i32; 1 << $k] = [$($t),*];
            const CHECK: () = {
                let t = Self::ENTRIES;
                let mut i = 0;
                while i < t.len() {
                    assert!(t[i] >= -128 && t[i] <= 127, "codebook entries must be in -128..=127");
                    assert!(i == 0 || t[i - 1] < t[i], "codebook entries must be strictly ascending");
                    i += 1;
                }
                assert!(F >= -64 && F <= 64, "codebook F must be in -64..=64");
            };
            const TABLE: [i8; 16] = {
                let () = Self::CHECK;
                table_of(Self::ENTRIES)
            };
            /// The value with this index (bits above `K` are ignored). Usable in constants (baked weights).
            pub const fn from_bits(code: u32) -> Self {
                Self(Self::TABLE[(code & ((1 << $k) - 1)) as usize])
            }
            /// [`from_bits`](Self::from_bits) of each code.
            pub const fn from_bits_array<const N: usize>(codes: &[u32; N]) -> [Self; N] {
                let mut out = [Self::from_bits(0); N];
                let mut i = 0;
                while i < N {
                    out[i] = Self::from_bits(codes[i]);
                    i += 1;
                }
                out
            }
            /// The index of the value's entry.
            pub const fn to_bits(self) -> u32 {
                let mut i = 0;
                while i + 1 < (1 << $k) && Self::TABLE[i] != self.0 {
                    i += 1;
                }
                i as u32
            }
        }

        impl<const F: i32, $(const $t: i32),*> Default for $name<F, $($t),*> {
            /// The value nearest to `0.0` (`from_f32(0.0)`): a codebook need not hold zero.
            fn default() -> Self {
                <Self as Number>::from_f32(0.0)
            }
        }

        impl<const F: i32, $(const $t: i32),*> Sealed for $name<F, $($t),*> {}

        impl<const F: i32, $(const $t: i32),*> Number for $name<F, $($t),*> {
            const FORMAT: Format = Format::Codebook { k: $k, f: F, table: Self::TABLE };
            const FIXED: Option<FixedInfo> = {
                let t = Self::ENTRIES;
                Some(FixedInfo { frac: F, raw_min: t[0] as i64, raw_max: t[t.len() - 1] as i64 })
            };
            #[inline(always)]
            fn from_f32(x: f32) -> Self {
                Self(Self::TABLE[index(x, &Self::TABLE[..1 << $k], F)])
            }
            #[inline(always)]
            fn to_f32(self) -> f32 {
                value(self.0, F)
            }
            #[inline(always)]
            fn to_code(self) -> u32 {
                self.to_bits()
            }
            #[inline(always)]
            fn from_code(code: u32) -> Self {
                Self::from_bits(code)
            }
            #[inline(always)]
            fn raw(self) -> i64 {
                self.0 as i64
            }
            #[inline(always)]
            fn raw_slice(s: &[Self]) -> crate::dot::Raw<'_> {
                // SAFETY: `Self` is `#[repr(transparent)]` over an `i8`, the entry (raw integer) of its value.
                unsafe { crate::dot::Raw::of_i8(s) }
            }
        }

        impl<const F: i32, $(const $t: i32),*> fmt::Debug for $name<F, $($t),*> {
            /// The value, like `f32`'s `Debug`.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&Number::to_f32(*self), f)
            }
        }
        impl<const F: i32, $(const $t: i32),*> fmt::Display for $name<F, $($t),*> {
            /// The value, like `f32`'s `Display`.
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&Number::to_f32(*self), f)
            }
        }
        impl<const F: i32, $(const $t: i32),*> From<$name<F, $($t),*>> for f32 {
            /// The exact value.
            fn from(x: $name<F, $($t),*>) -> f32 {
                Number::to_f32(x)
            }
        }
    };
}

codebook_type!(
    /// `codebook<1,F,[T0,T1]>`: a 1-bit index into two values `T_i · 2^-F` (see the [module docs](self)).
    /// Equality and order are those of the value (of its entry).
    Codebook1, 1, [T0, T1]
);
codebook_type!(
    /// `codebook<2,F,[T0..T3]>`: a 2-bit index into four values `T_i · 2^-F` (see the [module docs](self)).
    /// Equality and order are those of the value (of its entry).
    Codebook2, 2, [T0, T1, T2, T3]
);
codebook_type!(
    /// `codebook<3,F,[T0..T7]>`: a 3-bit index into eight values `T_i · 2^-F` (see the [module docs](self)).
    /// Equality and order are those of the value (of its entry).
    Codebook3, 3, [T0, T1, T2, T3, T4, T5, T6, T7]
);
codebook_type!(
    /// `codebook<4,F,[T0..T15]>`: a 4-bit index into sixteen values `T_i · 2^-F` (see the [module docs](self)).
    /// Equality and order are those of the value (of its entry).
    Codebook4, 4, [T0, T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15]
);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// The reference: beyond the table its end, else the nearest entry by `f64` distance (exact there: both
    /// operands lie within the table's range), the smaller on ties.
    fn nearest(x: f32, t: &[i8], f: i32) -> f32 {
        let x = if x.is_nan() { 0.0 } else { x as f64 };
        let (lo, hi) = (value(t[0], f), value(t[t.len() - 1], f));
        if x <= lo as f64 {
            return lo;
        }
        if x >= hi as f64 {
            return hi;
        }
        let mut best = (f64::INFINITY, 0.0f32);
        for &e in t {
            let v = value(e, f);
            let d = (x - v as f64).abs();
            if d < best.0 {
                best = (d, v);
            }
        }
        best.1
    }

    #[test]
    fn the_static_type_quantizes_as_the_format_and_the_reference() {
        type W = Codebook3<3, -100, -20, -3, 0, 1, 9, 40, 127>;
        let f = W::FORMAT;
        assert_eq!(f.to_string(), "codebook<3,3,[-100,-20,-3,0,1,9,40,127]>");
        assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
        let t = [-100i8, -20, -3, 0, 1, 9, 40, 127];
        let mut s = 1u64;
        for i in 0..20_000 {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let x = match i % 4 {
                0 => ((s >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 40.0,
                // Midpoints and entries exactly.
                1 => value(t[(s >> 33) as usize % 8], 3),
                2 => {
                    let j = (s >> 33) as usize % 7;
                    ((t[j] as f64 + t[j + 1] as f64) / 16.0) as f32
                }
                _ => f32::from_bits((s >> 32) as u32),
            };
            let want = nearest(x, &t, 3);
            assert_eq!(W::from_f32(x).to_f32().to_bits(), want.to_bits(), "{x}");
            assert_eq!(f.quantize(x).to_bits(), want.to_bits(), "{x}");
            assert_eq!(f.decode(f.encode(x)), want);
            assert_eq!(W::from_f32(x).to_code(), f.encode(x));
            assert_eq!(W::from_f32(x).raw() as f32 * 0.125, want);
        }
        assert_eq!(f.quantize(f32::NAN), 0.0);
        assert_eq!(f.quantize(f32::INFINITY), 127.0 / 8.0);
        assert_eq!(f.quantize(f32::NEG_INFINITY), -12.5);
        // Ties go to the smaller entry: (-3 + 0) / 2 = -1.5 units.
        assert_eq!(f.quantize(-1.5 / 8.0), -3.0 / 8.0);
    }

    #[test]
    fn fit_is_deterministic_and_no_worse_than_its_start() {
        let mut s = 7u64;
        let xs: Vec<f32> = (0..4000)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (s >> 40) as f32 / (1u64 << 24) as f32;
                let l = -(1.0 - u).max(1e-7).ln() * 0.05; // Laplace magnitudes
                if s >> 63 == 1 { l } else { -l }
            })
            .collect();
        let sq = |f: &Format| {
            xs.iter()
                .map(|&x| ((f.quantize(x) - x) as f64) * ((f.quantize(x) - x) as f64))
                .sum::<f64>()
        };
        for k in 1..=4 {
            let a = fit(&xs, None, k, 9).unwrap();
            assert_eq!(a, fit(&xs, None, k, 9).unwrap());
            a.validate().unwrap();
            // Better than the uniform grid of the same number of levels over the same range, at k >= 2.
            if k >= 2 {
                let uni = Format::Fixed {
                    w: k,
                    f: 9 - 8 + k as i32,
                };
                assert!(
                    sq(&a) < sq(&uni),
                    "k {k}: {a} {} vs {uni} {}",
                    sq(&a),
                    sq(&uni)
                );
            }
        }
        // Weights pull the entries: with all the weight on the positive values, entries move there.
        let pos: Vec<f32> = xs
            .iter()
            .map(|&x| if x > 0.0 { 1.0 } else { 0.0 })
            .collect();
        let w = fit(&xs, Some(&pos), 2, 9).unwrap();
        if let Format::Codebook { table, .. } = w {
            assert!(table[..4].iter().filter(|&&t| t > 0).count() >= 3, "{w}");
        }
        // Degenerate inputs: empty, constant, too few distinct values.
        assert!(fit(&[], None, 3, 0).unwrap().validate().is_ok());
        assert!(fit(&[1.0; 10], None, 4, 0).unwrap().validate().is_ok());
        assert!(
            fit(&[127.0, 127.0, 126.0], None, 4, 0)
                .unwrap()
                .validate()
                .is_ok()
        );
        assert!(fit(&xs, None, 5, 0).is_err());
    }
}
