//! The search space: which sites are searched and the candidate format of each site at each width.
use crate::profile::{Profile, SiteKind, SiteStats};
use crate::{Format, Overflow, Rounding};
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// A family of formats the tuner may choose from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// `fixed<W,F>` (and `ufixed<W,F>` for non-negative sites when [`Space::unsigned`] is on); at width 1,
    /// `binary<F>` (`±2^-F`) for signed sites.
    Fixed,
    /// `float<E,M,B>` with the bias placed from the site's range; `E` from [`Space::float_exponents`].
    Float,
}

/// How the range (binary point or exponent bias) of a site's format is placed from its profile.
///
/// # Ranges
///
/// A range is an integer-bit count `I`: the largest value of the format lies just below `2^I`. At width `W`
/// the format with range `I` is `fixed<W, W−1−I>` (`ufixed<W, W−I>` for non-negative sites when
/// [`Space::unsigned`] is on; largest value `2^I − 2^−F`) and `float<E, W−1−E, 2^E − I>` for each exponent
/// width `E` of [`Space::float_exponents`] (largest value `(2 − 2^−M)·2^(I−1)`). Formats that are not valid
/// (`F` outside `−64..=64`, bias outside [`Format::bias_range`]) are skipped. Below, `int_bits(r)` is
/// `ceil(log2 r)`, the smallest `I` with `r ≤ 2^I` (0 for `r = 0`), and `Imax = int_bits(max |x|)`.
///
/// Every rule uses only the profile ([`SiteStats`]: `max_abs`, the exact-zero count and the histogram of
/// `floor(log2 |x|)`); no model evaluations are spent on it.
///
/// # Choosing among candidates
///
/// A rule yields a list of ranges; with several families or exponent widths there are several formats per
/// range. The candidate formats are ordered by family (as listed in [`Space::families`]), then exponent
/// width, then range (widest first). [`MinMse`](Range::MinMse), [`MaxAbs`](Range::MaxAbs) and
/// [`Percentile`](Range::Percentile) keep the candidate of smallest estimated mean squared error (the first on
/// ties); [`Kl`](Range::Kl) the one of smallest KL divergence (the first on ties). The MSE estimate assumes
/// values uniform within each non-empty log2 bin `[2^e, min(2^(e+1), max|x|)]`: 8 points at the midpoints
/// of 8 equal sub-intervals, both signs when both were seen, weighted by the bin's count; exact zeros are
/// exact in every format and count nothing.
///
/// ```
/// use number_tune::profile::SiteStats;
/// use number_tune::tune::{Range, Space};
/// let mut s = SiteStats::default();
/// for i in 0..10_000 {
///     let x = -(1.0 - (i as f32 + 0.5) / 1e4).ln(); // quantiles of a Laplace distribution
///     s.record(if i % 2 == 0 { x } else { -x });
/// }
/// assert_eq!(s.max_abs, 9.903321); // Imax = 4
/// let at = |r: Range, w| Space::default().range(r).candidate(&s, w).unwrap().to_string();
/// assert_eq!(at(Range::MaxAbs, 8), "fixed<8,3>"); // I = 4
/// assert_eq!(at(Range::Percentile(0.99), 8), "fixed<8,4>"); // 0.99 quantile 4.6 in [4, 8): I = 3
/// assert_eq!(at(Range::MinMse, 8), "fixed<8,4>"); // clipping the sparse tail at 8 pays at 8 bits
/// assert_eq!(at(Range::Kl, 8), "fixed<8,3>");
/// assert_eq!(at(Range::Kl, 4), "fixed<4,0>"); // …but at 4 bits KL clips too
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// The whole observed range fits: `I = Imax`. As `max |x| ≤ 2^I`, no value saturates by more than one step.
    MaxAbs,
    /// Fit the given quantile `p` of |x|: `I = int_bits(percentile_abs(p))`, where
    /// [`SiteStats::percentile_abs`] takes the value of rank `ceil(p · count)` among the sorted magnitudes
    /// (exact zeros first), rounds it up to the upper edge `2^(e+1)` of its log2 bin and caps it at `max |x|`.
    /// So `I` is `e + 1` for the bin holding the quantile (`Imax` when that is the top bin); larger values
    /// saturate. `Percentile(1.0)` is `MaxAbs`.
    Percentile(f64),
    /// Per site and width, the candidate of smallest estimated mean squared quantisation error (see above)
    /// among the ranges `Imax, Imax−1, Imax−2, Imax−3` (the max-|x| range and ranges clipped to 1/2, 1/4, 1/8
    /// of it), and among families and exponent widths.
    MinMse,
    /// Entropy calibration as in TensorRT: per site and width, the candidate whose clipping threshold
    /// minimises the KL divergence between the profiled |x| distribution and its quantised version, among the
    /// ranges `Imax ..= Imax−4`. See [`kl_divergence`] for the exact procedure and how it is adapted to the
    /// profile's log2 histogram.
    Kl,
}

/// The granularity of a weight site's format: one binary point for the whole tensor, one per output channel, or
/// one per block of `N` consecutive values ([`Space::granularity`](field@Space::granularity)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Granularity {
    /// Per-tensor: `fixed<W,F>` / `binary<F>` (and, for the other families, their formats).
    Tensor,
    /// Per-channel: blocks of one row, the row length the profile recorded for the site
    /// ([`SiteStats::row`]); sites without one get no candidate of this granularity.
    Rows,
    /// Blocks of this many consecutive values (`32`: the block size of the OCP MX formats).
    Len(u32),
}

impl std::str::FromStr for Granularity {
    type Err = String;
    /// `tensor`, `rows` (per-channel) or a block length `1..=65535`.
    ///
    /// ```
    /// use number_tune::tune::Granularity;
    /// assert_eq!("tensor".parse(), Ok(Granularity::Tensor));
    /// assert_eq!("rows".parse(), Ok(Granularity::Rows));
    /// assert_eq!("32".parse(), Ok(Granularity::Len(32)));
    /// assert!("0".parse::<Granularity>().unwrap_err().contains("1..=65535"));
    /// ```
    fn from_str(s: &str) -> Result<Granularity, String> {
        match s.trim() {
            "tensor" => Ok(Granularity::Tensor),
            "rows" => Ok(Granularity::Rows),
            t => match t.parse::<u32>() {
                Ok(n) if (1..=65535).contains(&n) => Ok(Granularity::Len(n)),
                _ => Err(format!(
                    "granularity `{s}`: expected `tensor`, `rows` (per-channel) or a block length in 1..=65535"
                )),
            },
        }
    }
}

impl std::fmt::Display for Granularity {
    /// The text [`FromStr`](std::str::FromStr) reads: `tensor`, `rows`, `32`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Granularity::Tensor => f.write_str("tensor"),
            Granularity::Rows => f.write_str("rows"),
            Granularity::Len(n) => write!(f, "{n}"),
        }
    }
}

/// A non-uniform weight format the search may offer signed weight sites besides fixed point
/// ([`Space::weight_formats`](field@Space::weight_formats)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WeightFormat {
    /// Power-of-two (logarithmic) weights `float<E,0,B>`: a sign and an exponent, zero included (`E = 1`:
    /// ternary `0, ±2^(1-B)`; see [`Format::Float`]), at widths `2..=5` (`E = W − 1` in `1..=4`, where the
    /// values lie on a fixed-point grid the integer kernels use). Costs `W` bits per weight, as `fixed<W,F>`.
    Pow2,
    /// Codebooks `codebook<K,F>` (see [`Format::Codebook`]): a `K`-bit index per weight into a per-tensor table
    /// of `2^K` 8-bit values (`F = 7 − Imax`, so that the table's grid spans the tensor's range), fitted to the
    /// trained weights by emulation (weighted k-means on the layer's input second moments with GPTQ rounding,
    /// plain k-means without), for `K` in `1..=4` within the space's widths. It costs `K` bits per weight plus
    /// `2^K · 8` bits of table; on tensors of at least `64 · 2^K` weights (a table of at most 1/8 bit per
    /// weight) it *replaces* the per-tensor rung of width `K` (`fixed<K,F>`, `binary<F>`), a fitted table being
    /// the better `K`-bit grid for the tensor at nearly the same cost, so the ladder keeps its length and the
    /// search its budget per rung; smaller tensors keep fixed point.
    Codebook,
}

impl std::str::FromStr for WeightFormat {
    type Err = String;
    /// `pow2` or `codebook`.
    ///
    /// ```
    /// use number_tune::tune::WeightFormat;
    /// assert_eq!("pow2".parse(), Ok(WeightFormat::Pow2));
    /// assert_eq!("codebook".parse(), Ok(WeightFormat::Codebook));
    /// assert!("log".parse::<WeightFormat>().unwrap_err().contains("pow2"));
    /// ```
    fn from_str(s: &str) -> Result<WeightFormat, String> {
        match s.trim() {
            "pow2" => Ok(WeightFormat::Pow2),
            "codebook" => Ok(WeightFormat::Codebook),
            _ => Err(format!(
                "weight format `{s}`: expected `pow2` (power-of-two weights, float<E,0,B>) or `codebook` \
                 (K-bit indices into a fitted per-tensor table)"
            )),
        }
    }
}

impl std::fmt::Display for WeightFormat {
    /// The text [`FromStr`](std::str::FromStr) reads: `pow2`, `codebook`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WeightFormat::Pow2 => f.write_str("pow2"),
            WeightFormat::Codebook => f.write_str("codebook"),
        }
    }
}

/// Parses a `+`- or comma-separated list of granularities (`tensor+rows+32`), in order, without repeats.
///
/// ```
/// use number_tune::tune::{parse_granularities, Granularity};
/// assert_eq!(parse_granularities("tensor+32"), Ok(vec![Granularity::Tensor, Granularity::Len(32)]));
/// assert!(parse_granularities("").is_err());
/// ```
pub fn parse_granularities(s: &str) -> Result<Vec<Granularity>, String> {
    let mut v: Vec<Granularity> = Vec::new();
    for part in s.split(['+', ',']) {
        let g: Granularity = part.parse()?;
        if !v.contains(&g) {
            v.push(g);
        }
    }
    Ok(v)
}

/// A per-site override of the search space.
#[derive(Clone, Debug, PartialEq)]
pub enum Override {
    /// Always this format; not searched.
    Format(Format),
    /// Stays f32; not searched.
    Exclude,
    /// Searched even if its kind is not.
    Search,
    /// Searched, with these widths instead of [`Space::widths`].
    Widths(RangeInclusive<u32>),
    /// Searched, its ranges placed by this calibration rule instead of [`Space::range`] (the user fixing the
    /// calibration of one site: `Range::Percentile(0.999)` for an activation with rare outliers, say).
    Range(Range),
}

/// The search space of the tuner.
///
/// ```
/// use number_tune::tune::{Family, Range, Space};
/// use number_tune::profile::SiteKind;
/// let space = Space::default()
///     .widths(2..=12)
///     .families([Family::Fixed, Family::Float])
///     .range(Range::MaxAbs)
///     .kinds([SiteKind::Weight, SiteKind::Local])
///     .fix("Fc1/dense.b", "fixed<16,8>".parse().unwrap())
///     .exclude("Out/dense.w");
/// assert_eq!(space.widths, 2..=12);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Space {
    /// Format families (default: fixed point only).
    pub families: Vec<Family>,
    /// Widths in bits (default `1..=16`). A site may also stay f32 when no width is accurate enough. Width 1 is
    /// `binary<F>` (`±2^-F`) for signed sites and `ufixed<1,F>` for non-negative ones (fixed-point family).
    pub widths: RangeInclusive<u32>,
    /// How the range is placed (default [`Range::MinMse`]).
    pub range: Range,
    /// Use `ufixed` for sites that never saw a negative value (default true).
    pub unsigned: bool,
    /// Exponent widths tried for [`Family::Float`] (default `2..=5`; the mantissa gets the rest, at least 1 bit).
    pub float_exponents: RangeInclusive<u32>,
    /// The site kinds searched (default `None`: the sites the objective counts).
    pub kinds: Option<Vec<SiteKind>>,
    /// Per-site overrides, by full site name.
    pub overrides: BTreeMap<String, Override>,
    /// The granularities of signed weight sites' formats (default `[Tensor]`). Each granularity other than
    /// [`Granularity::Tensor`] adds, at widths 2..=7, `block<W,F,N>` (a binary point per block of `N` values, see
    /// [`Format::Block`]) with `F = W − 1 − Imax` (the whole tensor's range; each block then picks a finer binary
    /// point, up to `F + 8 − W`, and clips its outliers when that lowers its squared error), and at width 1
    /// binary blocks (`block<1,F,N>`, a power-of-two scale per block); `N` as the [`Granularity`] says.
    ///
    /// A site's candidates of all listed granularities form one ladder in ascending storage cost per value
    /// (blocks include their 3 bits per block: `fixed<4,F>`, then `block<4,F,row>`, then `block<4,F,32>`, then
    /// width 5), so the search picks the granularity per site as it picks the width: a block format at width
    /// `W` is one step below the per-tensor format at `W + 1`. Widths without a candidate of any listed
    /// granularity (above 7, or a site with no recorded row for [`Granularity::Rows`]) fall back to the
    /// per-tensor one. Unsigned and non-weight sites always take per-tensor formats.
    ///
    /// When [`Granularity::Tensor`] is listed with others, [`Tuner::run`](super::Tuner::run) searches in two
    /// stages: the per-tensor ladders alone with half the evaluation budget, then the full ladders starting
    /// from that result (a descent from it first) with the rest. Finer formats then refine where per-tensor
    /// ones end, and the result is never larger than the first stage's.
    pub granularity: Vec<Granularity>,
    /// Non-uniform weight formats offered to signed weight sites (default none). With
    /// [`WeightFormat::Pow2`], the per-tensor rung of such a site at each width `W` in `2..=5` is whichever of the
    /// fixed-point candidate and the best power-of-two `float<W−1,0,B>` has the smaller estimated squared error
    /// (the estimate of [`Range`]; the fixed-point one on ties). `B` is tried so that the largest value `2^(I−1)`
    /// has `I` in `Imax+1 ..= Imax−7` (powers of two are sparse, and a ternary scale sits far below the largest
    /// weight). Both cost `W` bits per weight, so the ladder's order by storage cost is unchanged.
    pub weight_formats: Vec<WeightFormat>,
}

impl Default for Space {
    fn default() -> Self {
        Space {
            families: vec![Family::Fixed],
            widths: 1..=16,
            range: Range::MinMse,
            unsigned: true,
            float_exponents: 2..=5,
            kinds: None,
            overrides: BTreeMap::new(),
            granularity: vec![Granularity::Tensor],
            weight_formats: Vec::new(),
        }
    }
}

impl Space {
    /// Sets the format families.
    pub fn families(mut self, f: impl IntoIterator<Item = Family>) -> Self {
        self.families = f.into_iter().collect();
        self
    }
    /// Sets the widths.
    pub fn widths(mut self, w: RangeInclusive<u32>) -> Self {
        self.widths = w;
        self
    }
    /// Sets how ranges are placed.
    pub fn range(mut self, r: Range) -> Self {
        self.range = r;
        self
    }
    /// Whether non-negative sites use `ufixed`.
    pub fn unsigned(mut self, on: bool) -> Self {
        self.unsigned = on;
        self
    }
    /// Sets the exponent widths of [`Family::Float`].
    pub fn float_exponents(mut self, e: RangeInclusive<u32>) -> Self {
        self.float_exponents = e;
        self
    }
    /// Sets the site kinds searched.
    pub fn kinds(mut self, k: impl IntoIterator<Item = SiteKind>) -> Self {
        self.kinds = Some(k.into_iter().collect());
        self
    }
    /// Sets an override for one site (full name, `Fc1/dense.w`).
    pub fn set(mut self, site: impl Into<String>, o: Override) -> Self {
        self.overrides.insert(site.into(), o);
        self
    }
    /// Fixes one site's format.
    pub fn fix(self, site: impl Into<String>, f: Format) -> Self {
        self.set(site, Override::Format(f))
    }
    /// Keeps one site f32.
    pub fn exclude(self, site: impl Into<String>) -> Self {
        self.set(site, Override::Exclude)
    }
    /// Places one site's ranges by its own calibration rule (see [`Override::Range`]).
    ///
    /// ```
    /// use number_tune::tune::{Override, Range, Space};
    /// let space = Space::default().site_range("Fc1/dense.x", Range::Percentile(0.999));
    /// assert_eq!(space.overrides["Fc1/dense.x"], Override::Range(Range::Percentile(0.999)));
    /// ```
    pub fn site_range(self, site: impl Into<String>, r: Range) -> Self {
        self.set(site, Override::Range(r))
    }
    /// Sets the granularities of weight formats (see [`Space::granularity`](field@Space::granularity)).
    ///
    /// ```
    /// use number_tune::tune::{Granularity, Space};
    /// let space = Space::default().granularity([Granularity::Tensor, Granularity::Len(32)]);
    /// assert_eq!(space.granularity, [Granularity::Tensor, Granularity::Len(32)]);
    /// ```
    pub fn granularity(mut self, g: impl IntoIterator<Item = Granularity>) -> Self {
        self.granularity = g.into_iter().collect();
        self
    }
    /// Sets the non-uniform weight formats (see [`Space::weight_formats`](field@Space::weight_formats)).
    ///
    /// ```
    /// use number_tune::tune::{Space, WeightFormat};
    /// let space = Space::default().weight_formats([WeightFormat::Pow2]);
    /// assert_eq!(space.weight_formats, [WeightFormat::Pow2]);
    /// ```
    pub fn weight_formats(mut self, f: impl IntoIterator<Item = WeightFormat>) -> Self {
        self.weight_formats = f.into_iter().collect();
        self
    }
    /// Block fixed point only, of one block granularity, for signed weight sites: `granularity([b])`.
    ///
    /// ```
    /// use number_tune::tune::{Granularity, Space};
    /// let space = Space::default().block(Granularity::Len(32));
    /// assert_eq!(space.granularity, [Granularity::Len(32)]);
    /// ```
    pub fn block(self, b: Granularity) -> Self {
        self.granularity([b])
    }

    /// The candidate format the tuner uses for a site with these statistics at width `w`, placed by
    /// [`Space::range`] (see [`Range`]); `None` when no family has a format of that width. Overrides are not
    /// consulted (they are by site name).
    ///
    /// ```
    /// use number_tune::profile::SiteStats;
    /// use number_tune::tune::{Range, Space};
    /// use number_tune::Format;
    /// let mut s = SiteStats::default();
    /// for x in [-3.0f32, 0.5, 1.0, 2.5] {
    ///     s.record(x);
    /// }
    /// let space = Space::default().range(Range::MaxAbs);
    /// assert_eq!(space.candidate(&s, 8), Some(Format::Fixed { w: 8, f: 5 })); // |x| ≤ 4 = 2^2
    /// ```
    pub fn candidate(&self, stats: &SiteStats, w: u32) -> Option<Format> {
        candidate(stats, self, w)
    }
}

/// The candidates of one searched site: one format per width, ascending, ending with `f32`.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteCandidates {
    /// Full site name.
    pub name: String,
    /// Its kind.
    pub kind: SiteKind,
    /// Values per evaluation of the site (profiled slice length, at least 1).
    pub len: u64,
    /// Candidate formats in ascending bits; the last is always [`Format::F32`].
    pub levels: Vec<Format>,
}

/// Number of values a site stands for in the bit-count objectives (`len`, or the sum over its tensors when
/// several share the site, `tensors_len`; at least 1).
pub(crate) fn site_len(s: &SiteStats) -> u64 {
    s.len.max(s.tensors_len).max(1)
}

/// ceil(log2(r)) for r > 0 (0 for r ≤ 0 or non-finite r): the integer bits a range needs.
pub(crate) fn int_bits(r: f32) -> i32 {
    if r.is_nan() || r <= 0.0 || !r.is_finite() {
        return 0;
    }
    let r = r as f64;
    let mut i = r.log2().ceil() as i32;
    while (i as f64 - 1.0).exp2() >= r {
        i -= 1;
    }
    while (i as f64).exp2() < r {
        i += 1;
    }
    i
}

fn fixed_cands(w: u32, unsigned: bool, ranges: &[i32]) -> Vec<Format> {
    let mut v = Vec::new();
    for &i in ranges {
        let f = if unsigned {
            if !(1..=32).contains(&w) {
                continue;
            }
            Format::UFixed { w, f: w as i32 - i }
        } else {
            if !(2..=32).contains(&w) {
                continue;
            }
            Format::Fixed {
                w,
                f: w as i32 - 1 - i,
            }
        };
        if f.validate().is_ok() && !v.contains(&f) {
            v.push(f);
        }
    }
    v
}

fn float_cands(w: u32, exps: &RangeInclusive<u32>, ranges: &[i32]) -> Vec<Format> {
    let mut v = Vec::new();
    for e in exps.clone() {
        if !(1..=8).contains(&e) || w < e + 2 {
            continue;
        }
        let m = w - 1 - e;
        if m > 23 {
            continue;
        }
        for &i in ranges {
            // emax = 2^E - 1 - B = I - 1: the largest value is just below 2^I.
            let f = Format::Float {
                e,
                m,
                bias: (1i32 << e) - i,
            };
            if f.validate().is_ok() && !v.contains(&f) {
                v.push(f);
            }
        }
    }
    v
}

/// Mean squared quantisation error of `f` on the value distribution the histogram describes (values assumed
/// uniform within each log2 bin, both signs when both were seen). Relative units; for ranking only.
pub(crate) fn mse(s: &SiteStats, f: &Format) -> f64 {
    const K: usize = 8;
    let signs: &[f32] = match (s.min < 0.0, s.max > 0.0) {
        (true, true) => &[1.0, -1.0],
        (true, false) => &[-1.0],
        _ => &[1.0],
    };
    let mut err = 0.0f64;
    for (i, &c) in s.hist.iter().enumerate() {
        if c == 0 {
            continue;
        }
        let e = crate::profile::HIST_LO + i as i32;
        let lo = (e as f64).exp2();
        let hi = ((e + 1) as f64).exp2().min(s.max_abs as f64).max(lo);
        let mut bin = 0.0;
        for j in 0..K {
            let x = (lo + (hi - lo) * (j as f64 + 0.5) / K as f64) as f32;
            for &sg in signs {
                let x = sg * x;
                let d = (f.quantize(x) - x) as f64;
                bin += d * d;
            }
        }
        err += bin * c as f64 / (K * signs.len()) as f64;
    }
    err
}

/// Linear bins of the reconstructed |x| histogram used by [`kl_divergence`] (TensorRT's 2048).
const KL_BINS: usize = 2048;
/// [`Range::Kl`] tries thresholds `2^Imax … 2^(Imax−KL_SHIFTS)`: 2048 down to 128 bins (TensorRT's start bin).
const KL_SHIFTS: i32 = 4;

/// A linear histogram of |x| over `[0, 2^Imax]` in [`KL_BINS`] bins, reconstructed from the log2 histogram.
struct KlHist {
    /// Mass per linear bin (exact zeros left out).
    bins: Vec<f64>,
    imax: i32,
    /// Bin width `2^Imax / KL_BINS`.
    delta: f64,
}

impl KlHist {
    /// `None` when the site saw no finite non-zero value.
    fn new(s: &SiteStats) -> Option<KlHist> {
        if s.max_abs == 0.0 || s.count <= s.zeros {
            return None;
        }
        let imax = int_bits(s.max_abs);
        let delta = (imax as f64).exp2() / KL_BINS as f64;
        let max = s.max_abs as f64;
        // Octaves: (lo, hi, count) with hi capped at max |x|; mean densities for the slopes.
        let octs: Vec<(f64, f64, f64)> = s
            .hist
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(i, &c)| {
                let lo = ((crate::profile::HIST_LO + i as i32) as f64).exp2();
                (lo, (2.0 * lo).min(max).max(lo), c as f64)
            })
            .collect();
        let dens = |lo: f64| -> Option<(f64, f64)> {
            // (midpoint, mean density) of the octave starting at `lo`; an empty octave has density 0.
            if lo > max {
                return None;
            }
            let hi = (2.0 * lo).min(max).max(lo);
            let c = octs.iter().find(|o| o.0 == lo).map_or(0.0, |o| o.2);
            let len = hi - lo;
            Some((0.5 * (lo + hi), if len > 0.0 { c / len } else { 0.0 }))
        };
        let mut bins = vec![0.0f64; KL_BINS];
        let last = KL_BINS - 1;
        for &(lo, hi, c) in &octs {
            let len = hi - lo;
            if len <= 0.0 {
                // A point mass (max |x| is this octave's lower edge).
                bins[((lo / delta) as usize).min(last)] += c;
                continue;
            }
            // Mass-preserving linear density d + b·(x − m) on [lo, hi]: the slope b from the neighbouring
            // octaves' mean densities, limited so that the density stays ≥ 0 on the interval.
            let (m, d) = (0.5 * (lo + hi), c / len);
            let prev = dens(0.5 * lo);
            let next = dens(2.0 * lo);
            let slope = match (prev, next) {
                (Some(p), Some(n)) if n.0 > p.0 => (n.1 - p.1) / (n.0 - p.0),
                (Some(p), _) if m > p.0 => (d - p.1) / (m - p.0),
                _ => 0.0,
            };
            let lim = 2.0 * d / len;
            let slope = slope.clamp(-lim, lim);
            let first = ((lo / delta) as usize).min(last);
            let end = ((hi / delta).ceil() as usize).clamp(first + 1, KL_BINS);
            for (b, bin) in bins.iter_mut().enumerate().take(end).skip(first) {
                let (a, z) = ((b as f64 * delta).max(lo), ((b + 1) as f64 * delta).min(hi));
                if z > a {
                    let mid = 0.5 * (a + z);
                    // ∫_a^z d + slope·(x − m) dx
                    *bin += ((z - a) * (d + slope * (mid - m))).max(0.0);
                }
            }
        }
        Some(KlHist { bins, imax, delta })
    }

    /// TensorRT's divergence of the candidate format `f` (see [`kl_divergence`]).
    fn divergence(&self, f: &Format) -> f64 {
        let i_bits = int_bits(f.max());
        let shift = self.imax - i_bits;
        // Bins below the threshold 2^I (all of them when the threshold is at or above the histogram's top).
        let n = if shift <= 0 {
            KL_BINS
        } else if shift >= 30 {
            0
        } else {
            KL_BINS >> shift
        };
        if n == 0 {
            return f64::INFINITY;
        }
        let total: f64 = self.bins.iter().sum();
        let kept: f64 = self.bins[..n].iter().sum();
        if total <= 0.0 || kept <= 0.0 {
            return f64::INFINITY;
        }
        // Reference P: the first n bins, the clipped mass added to the last one. Candidate Q: each cell of
        // the format (the values truncating to the same representable value) spreads its mass evenly over its
        // non-empty bins.
        let mut kl = 0.0f64;
        let mut start = 0;
        while start < n {
            let key = |b: usize| {
                let x = ((b as f64 + 0.5) * self.delta) as f32;
                f.quantize_with(x, Rounding::TowardZero, Overflow::Saturate)
                    .map_or(0, f32::to_bits)
            };
            let k = key(start);
            let mut end = start + 1;
            while end < n && key(end) == k {
                end += 1;
            }
            let cell = &self.bins[start..end];
            let mass: f64 = cell.iter().sum();
            let nonzero = cell.iter().filter(|&&c| c > 0.0).count();
            for (j, &c) in cell.iter().enumerate() {
                let p = if start + j == n - 1 {
                    c + (total - kept)
                } else {
                    c
                } / total;
                if p <= 0.0 {
                    continue;
                }
                let q = if c > 0.0 {
                    mass / nonzero as f64 / kept
                } else {
                    0.0
                };
                if q <= 0.0 {
                    return f64::INFINITY;
                }
                kl += p * (p / q).ln();
            }
            start = end;
        }
        kl.max(0.0)
    }
}

/// The KL divergence [`Range::Kl`] minimises: TensorRT's entropy calibration ("8-bit Inference with
/// TensorRT", Migacz 2017; as implemented in NVIDIA's pytorch-quantization `_compute_amax_entropy`), adapted
/// to this crate's profiles and formats. 0 for a site that saw no finite non-zero value.
///
/// TensorRT builds a histogram of |x| with 2048 linear bins over `[0, max]`; for each threshold of `i` bins
/// (`i ≥ 128`) the reference distribution `P` is the first `i` bins with the mass beyond the threshold added
/// to the last one, the candidate `Q` merges the `i` bins into the quantiser's levels (a level's mass spread
/// evenly over its non-empty bins), and the threshold of smallest `KL(P‖Q) = Σ p·ln(p/q)` wins (infinite when
/// some `p > 0` has `q = 0`).
///
/// The profile is far coarser: one bin per octave (`floor(log2 |x|)`), the shape inside an octave unknown.
/// Spreading each octave uniformly would make `Q` equal `P` inside every level that lies within one octave
/// (the levels of a power-of-two range are aligned with octaves), so the divergence would only see clipping
/// and the lowest level, not the resolution lost within levels. Instead the linear histogram (2048 bins over
/// `[0, 2^Imax]`, exact zeros left out — they are exact in every format) is reconstructed with a
/// mass-preserving piecewise-linear density: in each non-empty octave `[2^e, min(2^(e+1), max|x|)]` the
/// density is `d + b·(x − mid)` with `d` the octave's mean density and the slope `b` the difference of the
/// neighbouring octaves' mean densities over the distance of their midpoints (one-sided at the top),
/// limited so that the density stays non-negative. Octave counts are preserved exactly; within-octave shape
/// is an interpolation.
///
/// Further adaptations: the formats here can only place ranges at powers of two, so the threshold of a
/// candidate `f` is `2^I` with `I = int_bits(f.max())` ([`Range::Kl`] tries `I = Imax ..= Imax−4`, i.e. 2048
/// down to 128 bins, TensorRT's start bin); the levels are the cells of `f` — the bins whose centres
/// truncate (toward zero, saturating) to the same value of `f` — which for `fixed<W,F>` are exactly
/// TensorRT's `2^(W−1)` uniform levels of the clipped range (`2^W` for `ufixed`), and for float formats
/// their non-uniform ones. With at least as many levels as bins (`fixed` from 12 bits at the full range),
/// `Q` equals `P` below the threshold and the widest range wins.
///
/// ```
/// use number_tune::profile::SiteStats;
/// use number_tune::tune::kl_divergence;
/// use number_tune::Format;
/// let mut s = SiteStats::default();
/// for i in 0..10_000 {
///     s.record((i as f32 + 0.5) / 10_000.0); // uniform on [0, 1)
/// }
/// let full = kl_divergence(&s, &Format::UFixed { w: 8, f: 8 }); // range 2^0
/// let half = kl_divergence(&s, &Format::UFixed { w: 8, f: 9 }); // clipped at 1/2
/// assert!(full < 1e-3 && half > 0.1, "{full} {half}");
/// ```
pub fn kl_divergence(s: &SiteStats, f: &Format) -> f64 {
    KlHist::new(s).map_or(0.0, |h| h.divergence(f))
}

/// Integer-bit counts `I` of the ranges tried (the largest representable value is just below 2^I).
fn ranges(s: &SiteStats, r: Range) -> Vec<i32> {
    match r {
        Range::MaxAbs => vec![int_bits(s.max_abs)],
        Range::Percentile(p) => vec![int_bits(s.percentile_abs(p))],
        Range::MinMse => {
            let i = int_bits(s.max_abs);
            vec![i, i - 1, i - 2, i - 3]
        }
        Range::Kl => {
            let i = int_bits(s.max_abs);
            (0..=KL_SHIFTS).map(|k| i - k).collect()
        }
    }
}

/// The `binary<F>` of smallest squared error on the profiled values (the one-bit rung of signed sites): the
/// scale `2^-F` that minimises `Σ(|x| − 2^-F)²` is near the mean magnitude, far below the range the other
/// widths cover, so eight powers of two below the largest magnitude are tried, whatever [`Range`] says.
fn binary_cand(s: &SiteStats) -> Option<Format> {
    let i = int_bits(s.max_abs);
    (1..=8)
        .filter_map(|k| Format::binary(k - i).ok())
        .map(|f| (mse(s, &f), f))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, f)| f)
}

/// `block<w, w−1−Imax, n>` (blocks may pick finer binary points), if valid; at `w = 1`, binary blocks whose
/// seven scales are centred on the tensor's best `binary<F>` (`block<1, F−3, n>`).
fn block_cand(s: &SiteStats, w: u32, n: u32) -> Option<Format> {
    let f = match w {
        1 => match binary_cand(s)? {
            Format::Binary { f } => Format::Block {
                w,
                f: f - 3,
                len: n,
            },
            _ => return None,
        },
        _ => Format::Block {
            w,
            f: w as i32 - 1 - int_bits(s.max_abs),
            len: n,
        },
    };
    f.validate().ok().map(|()| f)
}

/// The power-of-two weight format `float<w−1, 0, B>` of smallest estimated squared error at width `w` (`2..=5`),
/// its largest value `2^(I−1)` for `I` in `Imax+1 ..= Imax−7`; `None` at other widths.
fn pow2_cand(s: &SiteStats, w: u32) -> Option<Format> {
    if !(2..=5).contains(&w) {
        return None;
    }
    let e = w - 1;
    let top = int_bits(s.max_abs) + 1;
    (0..=8)
        .map(|k| Format::Float {
            e,
            m: 0,
            bias: (1i32 << e) - (top - k),
        })
        .filter(|f| f.validate().is_ok())
        .map(|f| (mse(s, &f), f))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, f)| f)
}

/// The unfitted codebook `codebook<w, 7 − Imax>` (entries `t · 2^(Imax−7)`, `t` in `-128..=127`, spanning the
/// tensor's range), if valid.
fn codebook_cand(s: &SiteStats, w: u32) -> Option<Format> {
    let f = Format::Codebook {
        k: w,
        f: 7 - int_bits(s.max_abs),
        table: [0; 16],
    };
    f.validate().ok().map(|()| f)
}

/// The per-tensor rung of a signed weight site at width `w`: `c` (the space's candidate), or the power-of-two
/// one when [`WeightFormat::Pow2`] is on and its estimated squared error is smaller.
fn weight_rung(s: &SiteStats, space: &Space, w: u32, c: Option<Format>) -> Option<Format> {
    if !space.weight_formats.contains(&WeightFormat::Pow2) {
        return c;
    }
    match (c, pow2_cand(s, w)) {
        (Some(c), Some(p)) if mse(s, &p) < mse(s, &c) => Some(p),
        (None, p) => p,
        (c, _) => c,
    }
}

/// The candidate format of a site at width `w` (None when no family has a format of that width).
pub(crate) fn candidate(s: &SiteStats, space: &Space, w: u32) -> Option<Format> {
    let unsigned = space.unsigned && s.is_nonnegative();
    if w == 1 && !unsigned {
        return if space.families.contains(&Family::Fixed) {
            binary_cand(s)
        } else {
            None
        };
    }
    let rs = ranges(s, space.range);
    let mut cands = Vec::new();
    for fam in &space.families {
        match fam {
            Family::Fixed => cands.extend(fixed_cands(w, unsigned, &rs)),
            Family::Float => cands.extend(float_cands(w, &space.float_exponents, &rs)),
        }
    }
    if matches!(space.range, Range::Kl) && cands.len() > 1 {
        let h = KlHist::new(s);
        let mut best = (f64::INFINITY, cands[0]);
        for c in cands {
            let d = h.as_ref().map_or(0.0, |h| h.divergence(&c));
            if d < best.0 {
                best = (d, c);
            }
        }
        return Some(best.1);
    }
    match cands.len() {
        0 => None,
        1 => Some(cands[0]),
        _ => {
            let mut best = (f64::INFINITY, cands[0]);
            for c in cands {
                let m = mse(s, &c);
                if m < best.0 {
                    best = (m, c);
                }
            }
            Some(best.1)
        }
    }
}

/// Which sites are searched, the fixed formats of the others, and the candidates of the searched ones.
pub(crate) fn resolve(
    profile: &Profile,
    space: &Space,
    default_kinds: &[SiteKind],
) -> Result<(Vec<SiteCandidates>, BTreeMap<String, Format>), String> {
    for name in space.overrides.keys() {
        if !profile.sites.contains_key(name) {
            let near: Vec<&str> = profile.sites.keys().map(|s| s.as_str()).take(8).collect();
            return Err(format!(
                "the space overrides site `{name}`, which is not in the profile (sites: {}{})",
                near.join(", "),
                if profile.sites.len() > 8 { ", …" } else { "" }
            ));
        }
    }
    if space.families.is_empty() {
        return Err("the space has no format family".into());
    }
    let bad_p = |r: &Range| matches!(*r, Range::Percentile(p) if !(p > 0.0 && p <= 1.0));
    if bad_p(&space.range) {
        return Err(format!(
            "the space's range {:?}: a percentile must be in (0, 1], e.g. Percentile(0.999)",
            space.range
        ));
    }
    for (name, o) in &space.overrides {
        if let Override::Range(r) = o
            && bad_p(r)
        {
            return Err(format!(
                "site `{name}`: range {r:?}: a percentile must be in (0, 1], e.g. Percentile(0.999)"
            ));
        }
    }
    if let Some(g) = space
        .granularity
        .iter()
        .find(|g| matches!(g, Granularity::Len(n) if !(1..=65535).contains(n)))
    {
        return Err(format!(
            "granularity {g:?}: a block length must be in 1..=65535 (32 for MX-sized blocks)"
        ));
    }
    let kinds: &[SiteKind] = space.kinds.as_deref().unwrap_or(default_kinds);
    let mut searched = Vec::new();
    let mut fixed = BTreeMap::new();
    for (name, site) in &profile.sites {
        let widths = match space.overrides.get(name) {
            Some(Override::Format(f)) => {
                if *f != Format::F32 {
                    fixed.insert(name.clone(), *f);
                }
                continue;
            }
            Some(Override::Exclude) => continue,
            Some(Override::Search) => space.widths.clone(),
            Some(Override::Widths(w)) => w.clone(),
            Some(Override::Range(_)) => space.widths.clone(),
            None if kinds.contains(&site.kind) => space.widths.clone(),
            None => continue,
        };
        // The site's own calibration rule, if the user fixed one.
        let own;
        let site_space = match space.overrides.get(name) {
            Some(Override::Range(r)) => {
                own = Space {
                    range: *r,
                    ..space.clone()
                };
                &own
            }
            _ => space,
        };
        // Block lengths of this site, in the order of the space's granularities.
        let signed_weight =
            site.kind == SiteKind::Weight && !(space.unsigned && site.stats.is_nonnegative());
        let mut per_tensor = !signed_weight || space.granularity.is_empty();
        let mut blocks: Vec<u32> = Vec::new();
        for g in &space.granularity {
            match *g {
                Granularity::Tensor => per_tensor = true,
                _ if !signed_weight => {}
                Granularity::Len(n) => blocks.push(n),
                Granularity::Rows => blocks.extend(
                    site.stats
                        .row
                        .filter(|r| (1..=65535).contains(r))
                        .map(|r| r as u32),
                ),
            }
        }
        let mut levels: Vec<Format> = Vec::new();
        for w in widths.clone() {
            if w >= 32 {
                break;
            }
            let mut at_w: Vec<Format> = Vec::new();
            if (1..=7).contains(&w) {
                at_w.extend(blocks.iter().filter_map(|&n| block_cand(&site.stats, w, n)));
            }
            if per_tensor || at_w.is_empty() {
                let c = candidate(&site.stats, site_space, w);
                let book = (signed_weight
                    && space.weight_formats.contains(&WeightFormat::Codebook)
                    && (1..=number_formats::codebook::MAX_K).contains(&w)
                    && site_len(&site.stats) >= 64 << w)
                    .then(|| codebook_cand(&site.stats, w))
                    .flatten();
                at_w.extend(match book {
                    Some(b) => Some(b),
                    None if signed_weight => weight_rung(&site.stats, site_space, w, c),
                    None => c,
                });
            }
            for f in at_w {
                if !levels.contains(&f) {
                    levels.push(f);
                }
            }
        }
        if levels.is_empty() {
            return Err(format!(
                "site `{name}`: no format of the space's families has a width in {}..={}",
                widths.start(),
                widths.end()
            ));
        }
        // Ascending storage cost per value (a stable sort: equal costs keep the order above).
        let len = site_len(&site.stats);
        levels.sort_by_key(|f| f.storage_bits(len));
        levels.push(Format::F32);
        searched.push(SiteCandidates {
            name: name.clone(),
            kind: site.kind,
            len: site_len(&site.stats),
            levels,
        });
    }
    Ok((searched, fixed))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A symmetric heavy-tailed (Laplace) weight site: at 3 bits the powers of two `0, ±1, ±2, ±4` have a
    /// smaller estimated error than `fixed<3,0>`'s `-4 ..= 3`; at 2 bits ternary is a subset of `fixed<2,F>`'s
    /// values at the same scale, so fixed point keeps the rung; at 4 and 5 bits fixed point wins.
    #[test]
    fn the_weight_rung_is_the_smaller_estimated_error_of_the_two() {
        let mut s = SiteStats::default();
        for i in 0..20_000 {
            let x = -(1.0 - (i as f64 + 0.5) / 20_000.0).ln() as f32;
            s.record(if i % 2 == 0 { x } else { -x });
        }
        let off = Space::default();
        let on = Space::default().weight_formats([WeightFormat::Pow2]);
        let rung = |sp: &Space, w| weight_rung(&s, sp, w, candidate(&s, sp, w)).unwrap();
        for w in 1..=8 {
            assert_eq!(rung(&off, w), candidate(&s, &off, w).unwrap());
        }
        let p3 = rung(&on, 3);
        assert!(matches!(p3, Format::Float { e: 2, m: 0, .. }), "{p3}");
        assert!(mse(&s, &p3) < mse(&s, &rung(&off, 3)));
        for w in [1, 2, 4, 5, 6] {
            assert_eq!(rung(&on, w), rung(&off, w), "width {w}");
        }
        // Only widths 2..=5 have a power-of-two candidate, of width W.
        assert_eq!(pow2_cand(&s, 1), None);
        assert_eq!(pow2_cand(&s, 6), None);
        for w in 2..=5 {
            assert_eq!(pow2_cand(&s, w).unwrap().bits(), w);
        }
    }
}
