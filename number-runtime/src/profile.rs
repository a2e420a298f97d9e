//! Value-range profiles of sites, stored as versioned JSON.
//!
//! A [`Profile`] maps every site's full name (`Fc1/dense.w`) to where the site is ([`SiteProfile`]) and what
//! it saw ([`SiteStats`]: count, min, max, max |x|, NaN/inf counts and a log2-magnitude histogram). Profiles
//! are written by [`Profile::save`] as pretty JSON and read back by [`Profile::load`], which checks the version
//! and the consistency of every site and reports problems as a [`ProfileError`] naming the file, the problem
//! and the fix.
//!
//! JSON has no infinities: the `min`/`max` of a site that saw no finite value (`+inf`/`-inf`) are written as
//! the strings `"inf"` and `"-inf"` (a NaN would be `"nan"`, which [`Profile::load`] rejects).
//!
//! ```
//! use number_runtime::profile::{Profile, SiteStats};
//! let mut s = SiteStats::default();
//! for x in [0.5f32, -3.0, 0.0, 1.5] { s.record(x); }
//! assert_eq!(s.percentile_abs(1.0), 3.0);
//! assert!(!s.is_nonnegative());
//! let p = Profile::new();
//! let back = Profile::from_json(&p.to_json()).unwrap();
//! assert_eq!(p, back);
//! ```
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Version of the profile JSON written by this crate.
pub const PROFILE_VERSION: u32 = 1;

pub use number_contract::SiteKind;

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
    #[serde(with = "json_f32")]
    pub min: f32,
    /// Largest finite value (`-inf` when none).
    #[serde(with = "json_f32")]
    pub max: f32,
    /// Largest finite magnitude.
    #[serde(with = "json_f32")]
    pub max_abs: f32,
    /// Largest slice length seen at this site (the tensor size, for weights).
    pub len: u64,
    /// Weights: the sum of the lengths of the distinct tensors read at this site (by address and length) when
    /// several tensors share it (the layers of a `Vec<Linear<L>>` of one instance): they all take its format,
    /// and all their values count in the parameter bits ([`SiteProfile::values`]). 0 for a site of one tensor
    /// (its size is `len`), so such profiles read and write as before.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub tensors_len: u64,
    /// Exact zeros recorded.
    pub zeros: u64,
    /// Histogram of floor(log2|x|) for finite non-zero x: bin i counts exponent `HIST_LO + i`.
    pub hist: Vec<u64>,
    /// Weights read by accumulation loops (`acc += w[o * n + i] * x[i]`): the loop length `n` when every such
    /// loop read a whole row of a row-major matrix (a slice of length `n` starting at a multiple of `n`), so
    /// `n` is the row length, one output channel's weights; `Some(0)` when loops read slices of different
    /// lengths or unaligned ones; `None` when no loop read this site. Block formats with blocks of one row
    /// are per-channel formats (`number_tune::tune::Granularity::Rows`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
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
            tensors_len: 0,
            zeros: 0,
            hist: vec![0; HIST_BINS],
            row: None,
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
            let e = if exp == 0 {
                -149 + (31 - (bits & 0x7f_ffff).leading_zeros() as i32)
            } else {
                exp - 127
            };
            let i = (e - HIST_LO).clamp(0, HIST_BINS as i32 - 1) as usize;
            self.hist[i] += 1;
        }
    }
    /// Record the length of a slice seen at this site.
    #[inline]
    pub fn record_len(&mut self, n: usize) {
        self.len = self.len.max(n as u64);
    }
    /// Record one read of `n` values starting at index `start` by an accumulation loop (see
    /// [`SiteStats::row`]).
    ///
    /// ```
    /// use number_runtime::profile::SiteStats;
    /// let mut s = SiteStats::default();
    /// s.record_row(0, 25);
    /// s.record_row(50, 25);
    /// assert_eq!(s.row, Some(25));
    /// s.record_row(10, 25); // not at a row boundary
    /// assert_eq!(s.row, Some(0));
    /// ```
    pub fn record_row(&mut self, start: usize, n: usize) {
        let seen = if n > 0 && start.is_multiple_of(n) {
            n as u64
        } else {
            0
        };
        self.row = Some(match self.row {
            None => seen,
            Some(r) if r == seen => r,
            Some(_) => 0,
        });
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
        // Every profiling run reads every tensor: the same tensors, not more of them.
        self.tensors_len = self.tensors_len.max(o.tensors_len);
        self.zeros += o.zeros;
        for (a, b) in self.hist.iter_mut().zip(&o.hist) {
            *a += *b;
        }
        self.row = match (self.row, o.row) {
            (None, r) | (r, None) => r,
            (Some(a), Some(b)) => Some(if a == b { a } else { 0 }),
        };
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
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
    /// A site other than a weight or an input parameter that an inner product of the function takes as an
    /// operand (a local window, a concatenated state vector): given a fixed-point format it feeds an integer
    /// kernel, like an input parameter, so the tuner's integer inputs consider it (`Tuner::integer_inputs`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub operand: bool,
    /// Values seen.
    pub stats: SiteStats,
}

impl SiteProfile {
    /// Whether this is a weight site whose tensor is empty: every call passed an empty slice (a layer without
    /// bias passes an empty `b`), so the profiled length is 0. It stores no value, so it costs no bits and the
    /// tuner does not search it (see [`values`](Self::values)).
    ///
    /// ```
    /// use number_runtime::profile::{SiteKind, SiteProfile, SiteStats};
    /// let mut b = SiteProfile {
    ///     kind: SiteKind::Weight, function: "dense".into(), module: "m".into(), fingerprint: 1,
    ///     instance: "Fc1".into(), instance_module: "m".into(), ident: "b".into(), operand: false,
    ///     stats: SiteStats::default(),
    /// };
    /// assert!(b.is_empty_weight());
    /// assert_eq!(b.values(), 0);
    /// b.stats.record_len(10);
    /// assert_eq!(b.values(), 10);
    /// b.kind = SiteKind::Local; // a scalar local: no slice length recorded, one value
    /// b.stats.len = 0;
    /// assert_eq!(b.values(), 1);
    /// ```
    pub fn is_empty_weight(&self) -> bool {
        self.kind == SiteKind::Weight && self.stats.len == 0
    }

    /// The number of values the site stands for in the bit-count objectives and in the parameter bits: its
    /// profiled slice length (the tensor size, for weights; the sum over its tensors when several share the
    /// site, [`SiteStats::tensors_len`]); 1 for a scalar site (a scalar records no length); 0 for an empty
    /// weight tensor ([`is_empty_weight`](Self::is_empty_weight)).
    pub fn values(&self) -> u64 {
        if self.is_empty_weight() {
            0
        } else {
            self.stats.len.max(self.stats.tensors_len).max(1)
        }
    }
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

impl SiteStats {
    /// Values recorded, finite or not (`count + nan + inf`).
    pub fn total(&self) -> u64 {
        self.count + self.nan + self.inf
    }

    /// An upper bound of |x| at quantile `p` (0..=1) of the finite values recorded, from the log2 histogram:
    /// the smallest `b` such that at least a fraction `p` of the finite values have |x| ≤ b, rounded up to the
    /// upper edge of its histogram bin (a power of two) and never above [`max_abs`](Self::max_abs).
    /// `percentile_abs(1.0) == max_abs`; 0 for a site that saw no finite non-zero value (or when at least a
    /// fraction `p` of the values are exact zeros).
    pub fn percentile_abs(&self, p: f64) -> f32 {
        if self.count == 0 || self.max_abs == 0.0 {
            return 0.0;
        }
        let p = if p.is_nan() { 1.0 } else { p.clamp(0.0, 1.0) };
        if p >= 1.0 {
            return self.max_abs;
        }
        // Rank (1-based) of the value at quantile p among the sorted magnitudes.
        let rank = ((p * self.count as f64).ceil() as u64).max(1);
        if rank <= self.zeros {
            return 0.0;
        }
        let mut seen = self.zeros;
        for (i, &c) in self.hist.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let e = HIST_LO + i as i32 + 1; // upper edge of bin i: 2^(exponent + 1)
                let edge = if e > 127 { f32::INFINITY } else { pow2(e) };
                return edge.min(self.max_abs);
            }
        }
        self.max_abs
    }

    /// Whether every value seen is ≥ 0 (true for a site that saw nothing; false when infinities of unknown
    /// sign were seen). Such sites can use unsigned formats.
    pub fn is_nonnegative(&self) -> bool {
        self.inf == 0 && (self.count == 0 || self.min >= 0.0)
    }

    /// Checks that these statistics are self-consistent; the error says what is wrong.
    pub fn validate(&self) -> Result<(), String> {
        for (field, v) in [
            ("min", self.min),
            ("max", self.max),
            ("max_abs", self.max_abs),
        ] {
            if v.is_nan() {
                return Err(format!(
                    "field `{field}` is NaN (NaN values are counted in `nan`, never stored in `{field}`)"
                ));
            }
        }
        if self.hist.len() != HIST_BINS {
            return Err(format!(
                "`hist` has {} bins, expected {HIST_BINS} (exponents {HIST_LO}..=128)",
                self.hist.len()
            ));
        }
        if !self.max_abs.is_finite() || self.max_abs < 0.0 {
            return Err(format!(
                "field `max_abs` is {}, expected a finite value ≥ 0",
                fmt_f32(self.max_abs)
            ));
        }
        if self.zeros > self.count {
            return Err(format!(
                "`zeros` ({}) exceeds `count` ({})",
                self.zeros, self.count
            ));
        }
        let in_hist = self.hist.iter().try_fold(0u64, |a, &b| a.checked_add(b));
        if in_hist != Some(self.count - self.zeros) {
            return Err(format!(
                "`hist` holds {} values but `count` - `zeros` = {}",
                in_hist.map_or("more than 2^64".to_string(), |h| h.to_string()),
                self.count - self.zeros
            ));
        }
        if self.count == 0 {
            if self.max_abs != 0.0 || self.min != f32::INFINITY || self.max != f32::NEG_INFINITY {
                return Err(format!(
                    "no finite value recorded (`count` = 0) but min/max/max_abs are {}/{}/{} (expected inf/-inf/0)",
                    fmt_f32(self.min),
                    fmt_f32(self.max),
                    fmt_f32(self.max_abs)
                ));
            }
        } else {
            for (field, v) in [("min", self.min), ("max", self.max)] {
                if !v.is_finite() {
                    return Err(format!(
                        "field `{field}` is {} but {} finite values were recorded",
                        fmt_f32(v),
                        self.count
                    ));
                }
            }
            if self.min > self.max {
                return Err(format!(
                    "`min` ({}) is greater than `max` ({})",
                    self.min, self.max
                ));
            }
            if self.max_abs != self.min.abs().max(self.max.abs()) {
                return Err(format!(
                    "`max_abs` ({}) is not max(|min|, |max|) = {}",
                    self.max_abs,
                    self.min.abs().max(self.max.abs())
                ));
            }
        }
        Ok(())
    }
}

fn pow2(e: i32) -> f32 {
    // Exact for every exponent representable in f32 (subnormals included).
    if e >= -126 {
        f32::from_bits(((e + 127) as u32) << 23)
    } else {
        f32::from_bits(1u32 << (e + 149).max(0))
    }
}

fn fmt_f32(v: f32) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f32::INFINITY {
        "inf".into()
    } else if v == f32::NEG_INFINITY {
        "-inf".into()
    } else {
        v.to_string()
    }
}

/// Serde for f32 fields that may hold ±inf (written as `"inf"`/`"-inf"`; NaN as `"nan"`, rejected on load).
mod json_f32 {
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub fn serialize<S: Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f32(*v)
        } else if v.is_nan() {
            s.serialize_str("nan")
        } else if *v > 0.0 {
            s.serialize_str("inf")
        } else {
            s.serialize_str("-inf")
        }
    }

    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = f32;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a number or one of the strings \"inf\", \"-inf\"")
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<f32, E> {
            let x = v as f32;
            if x.is_infinite() {
                return Err(E::custom(format!("{v} is out of the f32 range")));
            }
            Ok(x)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<f32, E> {
            self.visit_f64(v as f64)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<f32, E> {
            self.visit_f64(v as f64)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<f32, E> {
            match v.trim().to_ascii_lowercase().as_str() {
                "inf" | "+inf" | "infinity" | "+infinity" => Ok(f32::INFINITY),
                "-inf" | "-infinity" => Ok(f32::NEG_INFINITY),
                "nan" => Ok(f32::NAN),
                _ => Err(E::invalid_value(de::Unexpected::Str(v), &self)),
            }
        }
        // serde_json writes NaN as `null`: read it back as NaN so validation names the field.
        fn visit_unit<E: de::Error>(self) -> Result<f32, E> {
            Ok(f32::NAN)
        }
        fn visit_none<E: de::Error>(self) -> Result<f32, E> {
            Ok(f32::NAN)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
        d.deserialize_any(V)
    }
}

/// Why a profile could not be read, written or merged. Every message names the file (or site), the problem
/// and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Reading or writing the file failed.
    #[error("{}", io_message(.file, *.writing, .error))]
    Io {
        /// The file.
        file: String,
        /// Whether it was being written (else read).
        writing: bool,
        /// The OS error.
        #[source]
        error: std::io::Error,
    },
    /// Not valid JSON.
    #[error(
        "profile `{file}` is not valid JSON (line {line}, column {column}: {message}); it was edited or damaged: \
         fix it or re-run profiling"
    )]
    Malformed {
        /// The file.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// The JSON ends early (an interrupted write).
    #[error(
        "profile `{file}` is truncated (the JSON ends early, at line {line}, column {column}); the run that wrote \
         it was probably interrupted: re-run profiling"
    )]
    Truncated {
        /// The file.
        file: String,
        /// 1-based line where the text ends.
        line: usize,
        /// 1-based column where the text ends.
        column: usize,
    },
    /// Written by a libnumber with another profile format version (or no version at all).
    #[error("{}", version_message(.file, .found.as_deref()))]
    Version {
        /// The file.
        file: String,
        /// The version found (`None`: no `version` field).
        found: Option<String>,
    },
    /// Valid JSON of the right version that is not a profile (a missing field, a wrong type).
    #[error(
        "profile `{file}` is not a version-{PROFILE_VERSION} profile (line {line}, column {column}: {message}): \
         re-run profiling"
    )]
    Schema {
        /// The file.
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// The problem.
        message: String,
    },
    /// A site's statistics are impossible (NaN, wrong histogram length, counts that do not add up).
    #[error(
        "profile `{file}`: site `{site}`: {problem}; the profile is inconsistent (edited or damaged): re-run profiling"
    )]
    Invalid {
        /// The file.
        file: String,
        /// The site's full name.
        site: String,
        /// The problem.
        problem: String,
    },
    /// [`Profile::merge`]: the same site name describes different code in the two profiles.
    #[error(
        "cannot merge profiles: site `{site}` has {field} {ours} in one and {theirs} in the other (the code \
         changed between the profiling runs): profile both with the same build"
    )]
    Mismatch {
        /// The site's full name.
        site: String,
        /// What differs (`kind`, `fingerprint`, …).
        field: &'static str,
        /// Its value in the profile merged into.
        ours: String,
        /// Its value in the other profile.
        theirs: String,
    },
}

/// The message of [`ProfileError::Io`]: reading (with the fix) or writing.
fn io_message(file: &str, writing: bool, error: &std::io::Error) -> String {
    if writing {
        format!("cannot write profile `{file}`: {error}")
    } else {
        format!(
            "cannot read profile `{file}`: {error}; run profiling first (a calibrate build writes it) or pass the right path"
        )
    }
}

/// The message of [`ProfileError::Version`]: another version, or none.
fn version_message(file: &str, found: Option<&str>) -> String {
    match found {
        Some(v) => format!(
            "profile `{file}`: profile version {v}, this libnumber reads version {PROFILE_VERSION}: re-run profiling \
             with this libnumber"
        ),
        None => format!(
            "profile `{file}` has no `version` field (not a libnumber profile?); this libnumber reads version \
             {PROFILE_VERSION}: re-run profiling"
        ),
    }
}

impl Default for Profile {
    fn default() -> Self {
        Profile::new()
    }
}

impl Profile {
    /// An empty profile of the current version, written by this libnumber.
    pub fn new() -> Profile {
        Profile {
            version: PROFILE_VERSION,
            tool: format!("libnumber {}", env!("CARGO_PKG_VERSION")),
            sites: BTreeMap::new(),
        }
    }

    /// The profile as pretty JSON (what [`save`](Self::save) writes).
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a profile always serializes");
        s.push('\n');
        s
    }

    /// Writes the profile as pretty JSON (atomically: a temporary file is renamed over `path`).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ProfileError> {
        let path = path.as_ref();
        let io = |error| ProfileError::Io {
            file: path.display().to_string(),
            writing: true,
            error,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut tmp = PathBuf::from(path);
        tmp.as_mut_os_string()
            .push(format!(".tmp{}", std::process::id()));
        std::fs::write(&tmp, self.to_json()).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }

    /// Reads and checks a profile written by [`save`](Self::save).
    pub fn load(path: impl AsRef<Path>) -> Result<Profile, ProfileError> {
        let path = path.as_ref();
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| ProfileError::Io {
            file: file.clone(),
            writing: false,
            error,
        })?;
        Profile::parse(&text, &file)
    }

    /// Parses and checks a profile from JSON text (errors name the source as `<json>`).
    pub fn from_json(text: &str) -> Result<Profile, ProfileError> {
        Profile::parse(text, "<json>")
    }

    fn parse(text: &str, file: &str) -> Result<Profile, ProfileError> {
        let syntax = |e: serde_json::Error| {
            if e.is_eof() {
                ProfileError::Truncated {
                    file: file.into(),
                    line: e.line(),
                    column: e.column(),
                }
            } else {
                ProfileError::Malformed {
                    file: file.into(),
                    line: e.line(),
                    column: e.column(),
                    message: strip_pos(&e),
                }
            }
        };
        // 1. JSON syntax; 2. version (before the structure, which another version may change); 3. structure.
        let value: serde_json::Value = serde_json::from_str(text).map_err(syntax)?;
        match value.get("version") {
            Some(v) if v.as_u64() == Some(PROFILE_VERSION as u64) => {}
            Some(v) => {
                return Err(ProfileError::Version {
                    file: file.into(),
                    found: Some(v.to_string()),
                });
            }
            None => {
                return Err(ProfileError::Version {
                    file: file.into(),
                    found: None,
                });
            }
        }
        let profile: Profile = serde_json::from_str(text).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                syntax(e)
            } else {
                ProfileError::Schema {
                    file: file.into(),
                    line: e.line(),
                    column: e.column(),
                    message: strip_pos(&e),
                }
            }
        })?;
        profile.validate_as(file)?;
        Ok(profile)
    }

    /// Checks every site's statistics (see [`SiteStats::validate`]).
    pub fn validate(&self) -> Result<(), ProfileError> {
        self.validate_as("<memory>")
    }

    fn validate_as(&self, file: &str) -> Result<(), ProfileError> {
        if self.version != PROFILE_VERSION {
            return Err(ProfileError::Version {
                file: file.into(),
                found: Some(self.version.to_string()),
            });
        }
        for (name, site) in &self.sites {
            site.stats
                .validate()
                .map_err(|problem| ProfileError::Invalid {
                    file: file.into(),
                    site: name.clone(),
                    problem,
                })?;
        }
        Ok(())
    }

    /// Adds `other`'s statistics into this profile: sites of the same name merge their statistics, new sites are
    /// added. The same name must describe the same code in both (kind, function, module, instance, ident and
    /// fingerprint); otherwise nothing is merged and the error names the site.
    pub fn merge(&mut self, other: &Profile) -> Result<(), ProfileError> {
        if other.version != self.version {
            return Err(ProfileError::Version {
                file: "<merged profile>".into(),
                found: Some(other.version.to_string()),
            });
        }
        for (name, theirs) in &other.sites {
            let Some(ours) = self.sites.get(name) else {
                continue;
            };
            let mismatch = |field: &'static str, a: String, b: String| {
                Err(ProfileError::Mismatch {
                    site: name.clone(),
                    field,
                    ours: a,
                    theirs: b,
                })
            };
            if ours.kind != theirs.kind {
                return mismatch(
                    "kind",
                    format!("{:?}", ours.kind),
                    format!("{:?}", theirs.kind),
                );
            }
            if ours.fingerprint != theirs.fingerprint {
                return mismatch(
                    "fingerprint",
                    format!("{:#018x}", ours.fingerprint),
                    format!("{:#018x}", theirs.fingerprint),
                );
            }
            for (field, a, b) in [
                ("function", &ours.function, &theirs.function),
                ("module", &ours.module, &theirs.module),
                ("instance", &ours.instance, &theirs.instance),
                (
                    "instance module",
                    &ours.instance_module,
                    &theirs.instance_module,
                ),
                ("ident", &ours.ident, &theirs.ident),
            ] {
                if a != b {
                    return mismatch(field, format!("`{a}`"), format!("`{b}`"));
                }
            }
        }
        for (name, theirs) in &other.sites {
            match self.sites.get_mut(name) {
                Some(ours) => ours.stats.merge(&theirs.stats),
                None => {
                    self.sites.insert(name.clone(), theirs.clone());
                }
            }
        }
        Ok(())
    }

    /// A stable 64-bit hash (FNV-1a) of the profile's canonical JSON (compact, sites sorted by name), recorded in
    /// `tuned.rs` headers and reports.
    pub fn hash(&self) -> u64 {
        crate::fnv1a64(
            serde_json::to_string(self)
                .expect("a profile always serializes")
                .as_bytes(),
        )
    }

    /// Sites of the given kind, by full name.
    pub fn sites_of(&self, kind: SiteKind) -> impl Iterator<Item = (&String, &SiteProfile)> {
        self.sites.iter().filter(move |(_, s)| s.kind == kind)
    }
}

/// serde_json's message without its " at line L column C" suffix (reported separately).
fn strip_pos(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
