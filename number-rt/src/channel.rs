//! Per-channel fixed point: a weight matrix whose output channels (rows) each get their own binary point.
//!
//! [`PerChannel`] is a descriptor only (no tuner or `#[quantize]` integration yet): a width `W`, signedness,
//! and the fraction bits `F` of every row. [`PerChannel::fit`] places each row's binary point from the row's
//! largest magnitude with the same rule as [`Range::MaxAbs`](crate::tune::Range::MaxAbs) for a whole site:
//! with `I = ceil(log2(max |w_row|))` (the integer bits the row needs; `I = 0` for an all-zero row),
//! `F = W − 1 − I` for `fixed<W,F>` and `F = W − I` for `ufixed<W,F>`, clamped to
//! [`Format::FRAC_RANGE`]. So no weight saturates by more than one step. Storage: `W` bits per weight plus
//! 8 bits per row for its `F` (which lies in `−64..=64`).
//!
//! ```
//! use number_rt::channel::PerChannel;
//! // two output channels of 3 inputs: one small, one large
//! let w = [0.01f32, -0.02, 0.015, 3.0, -1.0, 0.5];
//! let pc = PerChannel::fit(8, true, &w, 2).unwrap();
//! assert_eq!(pc.fracs, vec![12, 5]); // max 0.02 → I = −5 → F = 7 + 5; max 3 → I = 2 → F = 5
//! let q = pc.quantize_rows(&w, 2);
//! assert_eq!(q[3..], [3.0, -1.0, 0.5]);
//! assert!((q[1] + 0.02).abs() <= 0.5 / 4096.0); // half a step of fixed<8,12>
//! assert_eq!(pc.storage_bits(w.len()), 6 * 8 + 2 * 8);
//! ```
extern crate alloc;
use alloc::format;
use alloc::vec::Vec;
use core::fmt;

use crate::kernel::int_bits;
use crate::{Format, FormatError};

/// Per-channel (per-row) fixed point: row `r` of a row-major matrix has format `fixed<w, fracs[r]>`
/// (`ufixed` when `signed` is false). See the [module documentation](self).
///
/// ```
/// use number_rt::channel::PerChannel;
/// use number_rt::Format;
/// let pc = PerChannel { w: 4, signed: false, fracs: vec![2, 0] };
/// assert!(pc.validate().is_ok());
/// assert_eq!(pc.format(1), Format::UFixed { w: 4, f: 0 });
/// assert_eq!(pc.to_string(), "ufixed<4,[2,0]>");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PerChannel {
    /// Bits per value (`2..=32` signed, `1..=32` unsigned).
    pub w: u32,
    /// `fixed` (true) or `ufixed` (false).
    pub signed: bool,
    /// Fraction bits of each row (in [`Format::FRAC_RANGE`]).
    pub fracs: Vec<i32>,
}

impl PerChannel {
    /// Places the binary point of every row of the row-major `weights` (`rows` rows of
    /// `weights.len() / rows` values) from the row's largest magnitude (see the [module documentation](self);
    /// NaNs and infinities are ignored). Errors if `rows` is 0 or does not divide the length, or if `w` is not
    /// a valid width.
    ///
    /// ```
    /// use number_rt::channel::PerChannel;
    /// let pc = PerChannel::fit(8, false, &[0.5, 0.25, 100.0, 7.0], 2).unwrap();
    /// assert_eq!(pc.fracs, vec![9, 1]); // max 0.5 → I = −1 → F = 8 + 1; max 100 → I = 7 → F = 1
    /// assert!(PerChannel::fit(8, true, &[1.0, 2.0, 3.0], 2).unwrap_err().to_string().contains("3 weights"));
    /// ```
    pub fn fit(w: u32, signed: bool, weights: &[f32], rows: usize) -> Result<PerChannel, FormatError> {
        let probe = PerChannel { w, signed, fracs: Vec::new() };
        probe.check_width()?;
        let cols = Self::cols(weights.len(), rows)?;
        let fracs = weights
            .chunks(cols.max(1))
            .take(rows)
            .map(|row| {
                let max = row.iter().filter(|v| v.is_finite()).fold(0.0f32, |m, v| m.max(v.abs()));
                let f = w as i32 - i32::from(signed) - int_bits(max);
                f.clamp(*Format::FRAC_RANGE.start(), *Format::FRAC_RANGE.end())
            })
            .collect::<Vec<_>>();
        // Zero-width rows (an empty matrix with rows > 0) get the all-zero rule.
        let mut fracs = fracs;
        fracs.resize(rows, w as i32 - i32::from(signed));
        Ok(PerChannel { w, signed, fracs })
    }

    fn cols(len: usize, rows: usize) -> Result<usize, FormatError> {
        if rows == 0 || !len.is_multiple_of(rows) {
            return Err(FormatError(format!(
                "per-channel weights: {len} weights cannot be split into {rows} rows of equal length"
            )));
        }
        Ok(len / rows)
    }

    fn check_width(&self) -> Result<(), FormatError> {
        self.format_with(0).validate().map_err(|e| FormatError(format!("per-channel format: {e}")))
    }

    fn format_with(&self, f: i32) -> Format {
        if self.signed { Format::Fixed { w: self.w, f } } else { Format::UFixed { w: self.w, f } }
    }

    /// Checks the width and every row's fraction bits; the error names the row.
    ///
    /// ```
    /// use number_rt::channel::PerChannel;
    /// let bad = PerChannel { w: 8, signed: true, fracs: vec![3, 100] };
    /// assert!(bad.validate().unwrap_err().to_string().contains("row 1"));
    /// ```
    pub fn validate(&self) -> Result<(), FormatError> {
        self.check_width()?;
        for (r, &f) in self.fracs.iter().enumerate() {
            self.format_with(f).validate().map_err(|e| FormatError(format!("per-channel format, row {r}: {e}")))?;
        }
        Ok(())
    }

    /// Number of rows (output channels).
    ///
    /// ```
    /// use number_rt::channel::PerChannel;
    /// assert_eq!(PerChannel::fit(8, true, &[1.0; 12], 3).unwrap().rows(), 3);
    /// ```
    pub fn rows(&self) -> usize {
        self.fracs.len()
    }

    /// The format of row `r`.
    ///
    /// ```
    /// use number_rt::channel::PerChannel;
    /// use number_rt::Format;
    /// let pc = PerChannel::fit(8, true, &[1.5, 0.1], 2).unwrap();
    /// assert_eq!(pc.format(0), Format::Fixed { w: 8, f: 6 });
    /// ```
    ///
    /// # Panics
    ///
    /// If `r >= self.rows()`.
    pub fn format(&self, r: usize) -> Format {
        self.format_with(self.fracs[r])
    }

    /// Quantizes the row-major `weights` (`rows` rows), row `r` to [`format(r)`](Self::format), with
    /// [`Format::quantize`] (round to nearest even, saturate).
    ///
    /// ```
    /// use number_rt::channel::PerChannel;
    /// let w = [0.3f32, -0.7, 30.0, -70.0];
    /// let pc = PerChannel::fit(4, true, &w, 2).unwrap(); // fixed<4,3> and fixed<4,-4>
    /// assert_eq!(pc.quantize_rows(&w, 2), vec![0.25, -0.75, 32.0, -64.0]);
    /// ```
    ///
    /// # Panics
    ///
    /// If `rows` differs from [`self.rows()`](Self::rows) or does not divide `weights.len()`.
    pub fn quantize_rows(&self, weights: &[f32], rows: usize) -> Vec<f32> {
        let n = self.rows();
        assert_eq!(rows, n, "PerChannel::quantize_rows: the descriptor has {n} rows, called with {rows}");
        let cols = match Self::cols(weights.len(), rows) {
            Ok(c) => c,
            Err(e) => panic!("PerChannel::quantize_rows: {e}"),
        };
        let mut out = weights.to_vec();
        if cols > 0 {
            for (r, row) in out.chunks_mut(cols).enumerate() {
                self.format(r).quantize_slice(row);
            }
        }
        out
    }

    /// Storage bits of a matrix of `n` weights: `n · W` plus 8 bits per row for its `F`.
    ///
    /// ```
    /// use number_rt::channel::PerChannel;
    /// let pc = PerChannel::fit(4, true, &[1.0; 64], 4).unwrap();
    /// assert_eq!(pc.storage_bits(64), 64 * 4 + 4 * 8);
    /// ```
    pub fn storage_bits(&self, n: usize) -> u64 {
        n as u64 * self.w as u64 + 8 * self.rows() as u64
    }

    /// [`storage_bits`](Self::storage_bits)`(n) / n`: bits per weight with the per-row `F` amortised.
    ///
    /// ```
    /// use number_rt::channel::PerChannel;
    /// let pc = PerChannel::fit(4, true, &[1.0; 64], 4).unwrap();
    /// assert_eq!(pc.bits_per_value(64), 4.5); // 4 + 8/16
    /// ```
    pub fn bits_per_value(&self, n: usize) -> f64 {
        if n == 0 { self.w as f64 } else { self.storage_bits(n) as f64 / n as f64 }
    }
}

impl fmt::Display for PerChannel {
    /// `fixed<W,[F0,F1,…]>` (or `ufixed<…>`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}<{},[", if self.signed { "fixed" } else { "ufixed" }, self.w)?;
        for (i, fr) in self.fracs.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{fr}")?;
        }
        f.write_str("]>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// A 6×16 matrix whose rows have scales from 1e-3 to 1e2, with a seeded pattern.
    fn matrix() -> Vec<f32> {
        let mut x = 0x2545_f491u32;
        (0..6 * 16)
            .map(|i| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                let u = (x >> 8) as f32 / (1 << 24) as f32 * 2.0 - 1.0;
                u * [1e-3, 0.02, 0.5, 1.0, 7.0, 100.0][i / 16]
            })
            .collect()
    }

    #[cfg(feature = "std")]
    #[test]
    fn each_row_gets_the_max_abs_format_of_its_own_values() {
        use crate::profile::SiteStats;
        use crate::tune::{Range, Space};
        let w = matrix();
        for (bits, signed) in [(4, true), (8, true), (8, false), (12, true)] {
            let pc = PerChannel::fit(bits, signed, &w, 6).unwrap();
            pc.validate().unwrap();
            for (r, row) in w.chunks(16).enumerate() {
                let mut s = SiteStats::default();
                row.iter().for_each(|&v| s.record(if signed { v } else { v.abs() }));
                let space = Space::default().range(Range::MaxAbs).unsigned(!signed);
                assert_eq!(Some(pc.format(r)), space.candidate(&s, bits), "W={bits} signed={signed} row {r}");
            }
        }
    }

    #[test]
    fn quantize_rows_is_format_quantize_per_row_and_beats_per_tensor() {
        let w = matrix();
        let pc = PerChannel::fit(8, true, &w, 6).unwrap();
        let q = pc.quantize_rows(&w, 6);
        for (i, (&a, &b)) in q.iter().zip(&w).enumerate() {
            assert_eq!(a.to_bits(), pc.format(i / 16).quantize(b).to_bits(), "value {i}");
        }
        // Per tensor: the binary point of the largest row for every row.
        let per_tensor = pc.format(5);
        let err = |f: &dyn Fn(usize, f32) -> f32| {
            w.iter().enumerate().map(|(i, &v)| ((f(i, v) - v) as f64).powi(2)).sum::<f64>()
        };
        let e_pc = err(&|i, _| q[i]);
        let e_pt = err(&|_, v| per_tensor.quantize(v));
        assert!(e_pc < e_pt, "{e_pc} {e_pt}");
        // Small rows keep their values: relative error of row 0 within half a step of its own format.
        for (i, &v) in w[..16].iter().enumerate() {
            assert!((q[i] - v).abs() <= pc.format(0).min_positive() / 2.0);
        }
        assert_eq!(pc.storage_bits(w.len()), 96 * 8 + 6 * 8);
        assert_eq!(pc.bits_per_value(w.len()), 8.5);
    }

    #[test]
    fn edge_cases() {
        // All-zero row: I = 0; tiny rows clamp F to 64; huge rows clamp F to -64.
        let pc = PerChannel::fit(8, true, &[0.0, 0.0, 1e-30, -1e-30, 1e30, 1.0, f32::NAN, 0.5], 4).unwrap();
        assert_eq!(pc.fracs, vec![7, 64, -64, 8]); // the NaN is ignored: max 0.5 → I = −1
        pc.validate().unwrap();
        assert!(PerChannel::fit(8, true, &[1.0; 6], 0).is_err());
        assert!(PerChannel::fit(8, true, &[1.0; 6], 4).is_err());
        assert!(PerChannel::fit(1, true, &[1.0; 6], 3).unwrap_err().to_string().contains("fixed<1,"));
        assert_eq!(PerChannel::fit(8, true, &[], 2).unwrap().fracs, vec![7, 7]);
        assert_eq!(PerChannel::fit(8, true, &[], 2).unwrap().quantize_rows(&[], 2), Vec::<f32>::new());
    }

    #[test]
    #[should_panic(expected = "the descriptor has 2 rows")]
    fn quantize_rows_checks_the_row_count() {
        PerChannel::fit(8, true, &[1.0; 4], 2).unwrap().quantize_rows(&[1.0; 4], 4);
    }

    #[test]
    fn int_bits_is_exact() {
        assert_eq!(int_bits(1.0), 0);
        assert_eq!(int_bits(1.5), 1);
        assert_eq!(int_bits(2.0), 1);
        assert_eq!(int_bits(0.5), -1);
        assert_eq!(int_bits(0.51), 0);
        assert_eq!(int_bits(0.0), 0);
        assert_eq!(int_bits(f32::from_bits(1)), -149);
        assert_eq!(int_bits(f32::from_bits(3)), -147);
        assert_eq!(int_bits(f32::MAX), 128);
        for e in -126..=127 {
            let p = f32::from_bits(((e + 127) as u32) << 23);
            assert_eq!(int_bits(p), e);
            assert_eq!(int_bits(p * 1.0000001), e + 1);
        }
    }
}
