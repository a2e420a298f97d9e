//! Value-range profiles of sites. (STUB: data model fixed; methods to be implemented.)
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the profile JSON written by this crate.
pub const PROFILE_VERSION: u32 = 1;

/// What a site is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// A parameter declared as stored weights (`weights(...)`): counted by the parameter-bits objective.
    Weight,
    /// A float parameter that is not a weight (`&[f32]`, `f32`, `[f32; N]`, `Vec<f32>`).
    Input,
    /// A `&mut [f32]` parameter.
    Output,
    /// A local binding (accumulators included).
    Local,
    /// A float literal.
    Literal,
    /// The return value.
    Return,
}

/// Running statistics of the values seen at one site.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteStats {
    /// Finite values recorded.
    pub count: u64,
    /// NaNs recorded.
    pub nan: u64,
    /// Infinities recorded.
    pub inf: u64,
    /// Smallest finite value (`+inf` when none).
    pub min: f32,
    /// Largest finite value (`-inf` when none).
    pub max: f32,
    /// Largest finite magnitude.
    pub max_abs: f32,
    /// Largest slice length seen at this site (the tensor size, for weights).
    pub len: u64,
    /// Exact zeros recorded.
    pub zeros: u64,
    /// Histogram of floor(log2|x|) for finite non-zero x: bin i counts exponent `HIST_LO + i`.
    pub hist: Vec<u64>,
}

/// Exponent of the first histogram bin.
pub const HIST_LO: i32 = -150;
/// Number of histogram bins (exponents `HIST_LO ..= 128`).
pub const HIST_BINS: usize = 279;

impl Default for SiteStats {
    fn default() -> Self {
        SiteStats {
            count: 0,
            nan: 0,
            inf: 0,
            min: f32::INFINITY,
            max: f32::NEG_INFINITY,
            max_abs: 0.0,
            len: 0,
            zeros: 0,
            hist: vec![0; HIST_BINS],
        }
    }
}

impl SiteStats {
    /// Record one value.
    #[inline]
    pub fn record(&mut self, x: f32) {
        if x.is_nan() {
            self.nan += 1;
            return;
        }
        if x.is_infinite() {
            self.inf += 1;
            return;
        }
        self.count += 1;
        if x < self.min {
            self.min = x;
        }
        if x > self.max {
            self.max = x;
        }
        let a = x.abs();
        if a > self.max_abs {
            self.max_abs = a;
        }
        if a == 0.0 {
            self.zeros += 1;
        } else {
            // floor(log2 a) from the bits; subnormals handled exactly.
            let bits = a.to_bits();
            let exp = (bits >> 23) as i32;
            let e = if exp == 0 { -149 + (31 - (bits & 0x7f_ffff).leading_zeros() as i32) } else { exp - 127 };
            let i = (e - HIST_LO).clamp(0, HIST_BINS as i32 - 1) as usize;
            self.hist[i] += 1;
        }
    }
    /// Record the length of a slice seen at this site.
    #[inline]
    pub fn record_len(&mut self, n: usize) {
        self.len = self.len.max(n as u64);
    }
    /// Add another site's statistics to these.
    pub fn merge(&mut self, o: &SiteStats) {
        self.count += o.count;
        self.nan += o.nan;
        self.inf += o.inf;
        self.min = self.min.min(o.min);
        self.max = self.max.max(o.max);
        self.max_abs = self.max_abs.max(o.max_abs);
        self.len = self.len.max(o.len);
        self.zeros += o.zeros;
        for (a, b) in self.hist.iter_mut().zip(&o.hist) {
            *a += *b;
        }
    }
}

/// One site of a profile: where it is and what it saw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SiteProfile {
    /// What the site is.
    pub kind: SiteKind,
    /// The `#[quantize]` function's name (`dense`).
    pub function: String,
    /// `module_path!()` of the function (`lenet::layers`).
    pub module: String,
    /// The function's fingerprint (changes when its code changes).
    pub fingerprint: u64,
    /// The instance name (`Fc1`), empty for single-instance functions.
    pub instance: String,
    /// `module_path!()` where the instance type is declared (empty for single-instance functions).
    pub instance_module: String,
    /// The site's identifier in the function's `Formats` trait (`w`, `acc`, `lit0`, `ret`).
    pub ident: String,
    /// Values seen.
    pub stats: SiteStats,
}

/// A profile: every site's statistics, keyed by full site name (`Fc1/dense.w`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// [`PROFILE_VERSION`].
    pub version: u32,
    /// The tool that wrote it (`libnumber 0.1.0`).
    pub tool: String,
    /// Sites by full name.
    pub sites: BTreeMap<String, SiteProfile>,
}
