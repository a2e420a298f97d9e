//! The search space: which sites are searched and the candidate format of each site at each width.
use crate::profile::{Profile, SiteKind, SiteStats};
use crate::Format;
use std::collections::BTreeMap;
use std::ops::RangeInclusive;

/// A family of formats the tuner may choose from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// `fixed<W,F>` (and `ufixed<W,F>` for non-negative sites when [`Space::unsigned`] is on).
    Fixed,
    /// `float<E,M,B>` with the bias placed from the site's range; `E` from [`Space::float_exponents`].
    Float,
}

/// How the range (binary point or exponent bias) of a site's format is placed from its profile.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Range {
    /// The whole observed range fits (`max |x|`): no value saturates by more than one step.
    MaxAbs,
    /// Fit the given quantile of |x| (e.g. 0.999, from the profile's log2 histogram); larger values saturate.
    Percentile(f64),
    /// Per site and width, the candidate with the smallest mean squared quantisation error on the profiled
    /// value distribution, among: the max-|x| range and ranges clipped to 1/2, 1/4, 1/8 of it (and, with
    /// several families, among families and exponent widths). No model evaluations are spent on this choice.
    MinMse,
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
}

/// The search space of the tuner.
///
/// ```
/// use number_rt::tune::{Family, Range, Space};
/// use number_rt::profile::SiteKind;
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
    /// Widths in bits (default `2..=16`). A site may also stay f32 when no width is accurate enough.
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
}

impl Default for Space {
    fn default() -> Self {
        Space {
            families: vec![Family::Fixed],
            widths: 2..=16,
            range: Range::MinMse,
            unsigned: true,
            float_exponents: 2..=5,
            kinds: None,
            overrides: BTreeMap::new(),
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

/// Number of values a site stands for in the bit-count objectives (`len`, at least 1).
pub(crate) fn site_len(s: &SiteStats) -> u64 {
    s.len.max(1)
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
            Format::Fixed { w, f: w as i32 - 1 - i }
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
            let f = Format::Float { e, m, bias: (1i32 << e) - i };
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

/// Integer-bit counts `I` of the ranges tried (the largest representable value is just below 2^I).
fn ranges(s: &SiteStats, r: Range) -> Vec<i32> {
    match r {
        Range::MaxAbs => vec![int_bits(s.max_abs)],
        Range::Percentile(p) => vec![int_bits(s.percentile_abs(p))],
        Range::MinMse => {
            let i = int_bits(s.max_abs);
            vec![i, i - 1, i - 2, i - 3]
        }
    }
}

/// The candidate format of a site at width `w` (None when no family has a format of that width).
pub(crate) fn candidate(s: &SiteStats, space: &Space, w: u32) -> Option<Format> {
    let rs = ranges(s, space.range);
    let mut cands = Vec::new();
    for fam in &space.families {
        match fam {
            Family::Fixed => cands.extend(fixed_cands(w, space.unsigned && s.is_nonnegative(), &rs)),
            Family::Float => cands.extend(float_cands(w, &space.float_exponents, &rs)),
        }
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
            None if kinds.contains(&site.kind) => space.widths.clone(),
            None => continue,
        };
        let mut levels: Vec<Format> = Vec::new();
        for w in widths.clone() {
            if w >= 32 {
                break;
            }
            if let Some(f) = candidate(&site.stats, space, w).filter(|f| !levels.contains(f)) {
                levels.push(f);
            }
        }
        if levels.is_empty() {
            return Err(format!(
                "site `{name}`: no format of the space's families has a width in {}..={}",
                widths.start(),
                widths.end()
            ));
        }
        levels.sort_by_key(|f| f.bits());
        levels.push(Format::F32);
        searched.push(SiteCandidates { name: name.clone(), kind: site.kind, len: site_len(&site.stats), levels });
    }
    Ok((searched, fixed))
}
