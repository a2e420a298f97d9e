//! The calibrate-mode runtime: per-site formats chosen at run time, and profiling.
//!
//! In a `calibrate` build, `#[quantize]` expands every function so that each site's value passes through
//! [`Frame::q`] (or the slice helpers): the value is recorded when profiling is on, then quantized to the
//! format the current thread's configuration gives the site (f32 when it names none).
//!
//! - Configurations are **per thread** ([`with_formats`]): the tuner evaluates candidates in parallel, each on
//!   its own thread. Code run under a configuration must run the model on the calling thread.
//! - Profiling ([`start_profiling`] / [`finish_profiling`]) is global and thread-safe: every thread records
//!   into its own statistics, merged when the profile is taken, so parallel runs lose no counts.
//!
//! ```
//! use number_runtime::emulate::{self, Config};
//! let mut cfg = Config::new();
//! cfg.insert("Fc1/dense.w".to_string(), "fixed<4,2>".parse().unwrap());
//! let out = emulate::with_formats(&cfg, || 1 + 1);
//! assert_eq!(out, 2);
//! ```
use crate::Format;
use crate::profile::{PROFILE_VERSION, Profile, SiteKind, SiteProfile, SiteStats};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

pub use number_contract::{Config, site_name};

/// What `#[quantize]` records about one function (generated; one `static` per function).
#[derive(Debug)]
pub struct FnInfo {
    /// The function's name.
    pub name: &'static str,
    /// `module_path!()` of the function.
    pub module: &'static str,
    /// Fingerprint of the function's tokens.
    pub fingerprint: u64,
    /// Its sites, in the order the generated code indexes them.
    pub sites: &'static [SiteInfo],
}

/// One site of a [`FnInfo`].
#[derive(Debug)]
pub struct SiteInfo {
    /// Identifier in the `Formats` trait (`w`, `acc`, `lit0`, `ret`); sites sharing a format share it.
    pub ident: &'static str,
    /// What it is.
    pub kind: SiteKind,
    /// An inner product's operand that is neither a weight nor an input parameter
    /// ([`SiteProfile::operand`]).
    pub operand: bool,
}

// ---------------------------------------------------------------- global state

#[derive(Default)]
struct Registry {
    /// slot → site description (stats empty).
    slots: Vec<(String, SiteProfile)>,
    by_name: HashMap<String, u32>,
    /// (FnInfo address, instance-name address) → slots of its sites.
    frames: HashMap<(usize, usize), Rc32>,
    /// Every function that ran, in first-run order.
    functions: Vec<RanFunction>,
    /// FnInfo address → index in `functions`.
    fn_index: HashMap<usize, usize>,
}

/// A `#[quantize]` function that ran in this process (see [`functions`]): what its `FnInfo` says, so that a
/// `tuned.rs` can be checked against the code that runs (number-tune's `tuned_file::check_current`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RanFunction {
    /// `module_path!()` of the function (`zoo::layers`).
    pub module: String,
    /// Its name (`dense`; `dense_forward` for the method `forward` of `impl Dense`).
    pub name: String,
    /// Its fingerprint in this build (`FINGERPRINT` of its module).
    pub fingerprint: u64,
    /// The instances it ran for, in first-run order (`""` for a function without instance parameter).
    pub instances: Vec<String>,
}

impl RanFunction {
    /// `module::name` (`zoo::layers::dense`): how a `tuned.rs` names the function in its staleness message.
    pub fn path(&self) -> String {
        format!("{}::{}", self.module, self.name)
    }
}

/// Slot ids of one (function, instance); shared between threads.
type Rc32 = Arc<[u32]>;

fn registry() -> &'static Mutex<Registry> {
    static R: OnceLock<Mutex<Registry>> = OnceLock::new();
    R.get_or_init(Default::default)
}

/// The name of every registered site, by slot.
pub(crate) fn site_names() -> Vec<String> {
    lock(registry())
        .slots
        .iter()
        .map(|(n, _)| n.clone())
        .collect()
}

static RECORDING: AtomicBool = AtomicBool::new(false);
static EPOCH: AtomicU64 = AtomicU64::new(1);

type Stats = Arc<Mutex<Vec<SiteStats>>>;

fn all_stats() -> &'static Mutex<Vec<Stats>> {
    static S: OnceLock<Mutex<Vec<Stats>>> = OnceLock::new();
    S.get_or_init(Default::default)
}

/// The weight tensors (slot, address, length) profiled in the current profiling run.
fn recorded_weights() -> &'static Mutex<std::collections::HashSet<(u32, usize, usize)>> {
    static W: OnceLock<Mutex<std::collections::HashSet<(u32, usize, usize)>>> = OnceLock::new();
    W.get_or_init(Default::default)
}

static CAPTURING: AtomicBool = AtomicBool::new(false);

/// Weight tensors captured by [`capture_weights`]: slot → the distinct quantized tensors the site was given.
fn captured() -> &'static Mutex<BTreeMap<u32, Vec<Vec<f32>>>> {
    static C: OnceLock<Mutex<BTreeMap<u32, Vec<Vec<f32>>>>> = OnceLock::new();
    C.get_or_init(Default::default)
}

/// Runs `f` and returns, for every weight site it read, the values the site held, exactly as the emulated
/// formats quantize them (GPTQ-rounded where rounding applies): the values a tuned build with those formats
/// stores, which `cargo number bake` writes as `static`s. A site given several different tensors (one layer
/// instance run with different weights) lists each. Like profiling, capturing is process-wide: weights other
/// threads read while `f` runs are captured too.
///
/// ```
/// # use number_runtime::emulate;
/// let w = emulate::capture_weights(|| {});
/// assert!(w.is_empty());
/// ```
pub fn capture_weights(f: impl FnOnce()) -> BTreeMap<String, Vec<Vec<f32>>> {
    lock(captured()).clear();
    // Cached quantized copies were made before the capture started: drop them so every tensor is seen.
    LOCAL.with(|l| l.borrow_mut().weights.clear());
    CAPTURING.store(true, Ordering::SeqCst);
    struct Stop;
    impl Drop for Stop {
        fn drop(&mut self) {
            CAPTURING.store(false, Ordering::SeqCst);
        }
    }
    let stop = Stop;
    f();
    drop(stop);
    let names = site_names();
    std::mem::take(&mut *lock(captured()))
        .into_iter()
        .map(|(slot, ts)| (names[slot as usize].clone(), ts))
        .collect()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding these locks leaves plain data behind; keep going.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct FrameCache {
    slots: Rc32,
    formats: Rc<[Format]>,
}

struct Local {
    config: Arc<Config>,
    epoch: u64,
    frames: HashMap<(usize, usize), FrameCache>,
    weights: HashMap<(u32, usize, usize), Rc<[f32]>>,
    stats: Stats,
}

impl Local {
    fn new() -> Local {
        let stats: Stats = Default::default();
        lock(all_stats()).push(stats.clone());
        Local {
            config: Arc::new(Config::new()),
            epoch: EPOCH.fetch_add(1, Ordering::Relaxed),
            frames: HashMap::new(),
            weights: HashMap::new(),
            stats,
        }
    }
    fn set_config(&mut self, cfg: Arc<Config>) {
        self.config = cfg;
        self.epoch = EPOCH.fetch_add(1, Ordering::Relaxed);
        self.frames.clear();
        self.weights.clear();
    }
}

thread_local! {
    static LOCAL: RefCell<Local> = RefCell::new(Local::new());
}

/// Runs `f` with `cfg` as this thread's configuration, then restores the previous one.
pub fn with_formats<R>(cfg: &Config, f: impl FnOnce() -> R) -> R {
    let prev = LOCAL.with(|l| {
        let mut l = l.borrow_mut();
        let prev = l.config.clone();
        l.set_config(Arc::new(cfg.clone()));
        prev
    });
    struct Restore(Option<Arc<Config>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            if let Some(p) = self.0.take() {
                LOCAL.with(|l| l.borrow_mut().set_config(p));
            }
        }
    }
    let _restore = Restore(Some(prev));
    f()
}

/// Forgets this thread's cached quantized weights (call after changing weight data in place).
pub fn invalidate_weights() {
    LOCAL.with(|l| l.borrow_mut().weights.clear());
}

/// Starts profiling: clears all recorded statistics and records every site value from now on, on every thread.
pub fn start_profiling() {
    for s in lock(all_stats()).iter() {
        lock(s).clear();
    }
    lock(recorded_weights()).clear();
    LOCAL.with(|l| l.borrow_mut().weights.clear());
    RECORDING.store(true, Ordering::SeqCst);
}

/// Stops profiling and returns the profile of every site registered so far (merged over all threads).
pub fn finish_profiling() -> Profile {
    RECORDING.store(false, Ordering::SeqCst);
    let reg = lock(registry());
    let mut merged: Vec<SiteStats> = vec![SiteStats::default(); reg.slots.len()];
    for s in lock(all_stats()).iter() {
        for (slot, st) in lock(s).iter().enumerate() {
            if slot < merged.len() {
                merged[slot].merge(st);
            }
        }
    }
    let mut sites = BTreeMap::new();
    for ((name, meta), stats) in reg.slots.iter().zip(merged) {
        let mut p = meta.clone();
        p.stats = stats;
        sites.insert(name.clone(), p);
    }
    Profile {
        version: PROFILE_VERSION,
        tool: format!("libnumber {}", env!("CARGO_PKG_VERSION")),
        sites,
    }
}

/// Whether profiling is on.
pub fn is_profiling() -> bool {
    RECORDING.load(Ordering::Relaxed)
}

/// Every site registered so far (by functions that ran in this process), with its description.
pub fn sites() -> Vec<(String, SiteProfile)> {
    lock(registry()).slots.clone()
}

/// Every `#[quantize]` function that ran in this process so far (calibrate builds), in first-run order, with its
/// module, fingerprint and instances.
pub fn functions() -> Vec<RanFunction> {
    lock(registry()).functions.clone()
}

// ---------------------------------------------------------------- checking a configuration

/// Why a configuration does not fit the sites that ran ([`check_config`]). Every message names the site and
/// the fix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    /// No `#[quantize]` function has run in this process, so there is nothing to check against.
    #[error(
        "cannot check the configuration: no #[quantize] function has run in this process yet (sites are \
         registered when their function first runs); run the model once, e.g. on one input, before checking"
    )]
    NothingRan,
    /// The configuration names a site that no function that ran has (a typo, or code changed since).
    #[error("{}", unknown_message(.name, .closest.as_deref(), *.more))]
    Unknown {
        /// The name in the configuration.
        name: String,
        /// The registered site of smallest edit distance to it.
        closest: Option<String>,
        /// Further problems found (unknown or missing sites) besides this one.
        more: usize,
    },
    /// The configuration names some sites of an instance of a function but not this one.
    #[error("{}", missing_message(.site, .named, *.more))]
    Missing {
        /// The site that ran but has no format in the configuration.
        site: String,
        /// A site of the same instance that the configuration names.
        named: String,
        /// Further problems found (unknown or missing sites) besides this one.
        more: usize,
    },
}

fn more_message(more: usize) -> String {
    match more {
        0 => String::new(),
        1 => " (1 more unknown or missing site)".into(),
        n => format!(" ({n} more unknown or missing sites)"),
    }
}

fn unknown_message(name: &str, closest: Option<&str>, more: usize) -> String {
    let mean = closest.map_or(".".to_string(), |c| format!("; did you mean `{c}`?"));
    format!(
        "the configuration names site `{name}`, but no site of that name ran{mean} Correct the name (sites are \
         named `Instance/function.ident`, or `function.ident` without instance); if the configuration is a \
         tuned.rs, the code changed since it was tuned: re-run the tune command in its header{}",
        more_message(more)
    )
}

fn missing_message(site: &str, named: &str, more: usize) -> String {
    let unit = site.rsplit_once('.').map_or(site, |(u, _)| u);
    format!(
        "site `{site}` ran, but the configuration gives it no format although it names `{named}` of the same \
         instance `{unit}`: a configuration names every site of each instance it covers (or none of them, to \
         run the instance in f32); add `{site}` (`f32` leaves it unquantized); if the configuration is a \
         tuned.rs, the function changed since it was tuned: re-run the tune command in its header{}",
        more_message(more)
    )
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = (diag + usize::from(ca != cb)).min(up + 1).min(row[j] + 1);
            diag = up;
        }
    }
    row[b.len()]
}

/// The instance of a function a site belongs to: its name without `.ident` (`Fc1/dense`, `relu`).
fn unit_of(site: &str) -> &str {
    site.rsplit_once('.').map_or(site, |(u, _)| u)
}

/// Checks a configuration against the sites that ran in this process; call it after the model ran at least
/// once (sites are registered when their function first runs), before emulating the configuration with
/// [`with_formats`], which itself runs every site the configuration does not name in f32 and ignores names
/// that match no site.
///
/// The rules:
///
/// - every name of the configuration is a site that ran; otherwise [`SiteError::Unknown`], which suggests the
///   registered site closest in edit distance;
/// - a configuration *covers* an instance of a function (the sites `Instance/function.*`, or `function.*` for
///   a function without instance parameter) when it names at least one of its sites that ran; it must then
///   name every site of that instance that ran, `f32` included; otherwise [`SiteError::Missing`]. A `tuned.rs`
///   names every site of every instance it was tuned for, so a missing site means the function gained a site
///   since. An instance the configuration names no site of runs entirely in f32, which is allowed (a
///   configuration for part of a model);
/// - [`SiteError::NothingRan`] when no `#[quantize]` function has run yet.
///
/// The error reports the first problem (unknown names first, in name order) and counts the others. Partial
/// configurations, such as the tuner's candidates (which leave out their f32 sites), are not meant for this
/// check.
///
/// ```
/// use number_runtime::emulate::{self, Config, SiteError};
/// // In a fresh process nothing has run yet.
/// assert_eq!(emulate::check_config(&Config::new()), Err(SiteError::NothingRan));
/// ```
pub fn check_config(cfg: &Config) -> Result<(), SiteError> {
    let mut names = site_names();
    if names.is_empty() {
        return Err(SiteError::NothingRan);
    }
    names.sort();
    let known: std::collections::HashSet<&str> = names.iter().map(|n| n.as_str()).collect();
    let unknown: Vec<&String> = cfg.keys().filter(|n| !known.contains(n.as_str())).collect();
    // Covered instance → the first site of it the configuration names.
    let mut covered: HashMap<&str, &str> = HashMap::new();
    for n in cfg.keys().filter(|n| known.contains(n.as_str())) {
        covered.entry(unit_of(n)).or_insert(n.as_str());
    }
    let missing: Vec<(&String, &str)> = names
        .iter()
        .filter(|n| !cfg.contains_key(*n))
        .filter_map(|n| covered.get(unit_of(n)).map(|named| (n, *named)))
        .collect();
    let more = (unknown.len() + missing.len()).saturating_sub(1);
    if let Some(name) = unknown.first() {
        let closest = names
            .iter()
            .map(|n| (edit_distance(name, n), n))
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n.clone());
        return Err(SiteError::Unknown {
            name: (*name).clone(),
            closest,
            more,
        });
    }
    if let Some((site, named)) = missing.first() {
        return Err(SiteError::Missing {
            site: (*site).clone(),
            named: named.to_string(),
            more,
        });
    }
    Ok(())
}

// ---------------------------------------------------------------- frames

/// The per-call state of a calibrate-mode `#[quantize]` function: the formats of its sites under the current
/// thread's configuration. Created by generated code with [`Frame::enter`].
pub struct Frame {
    slots: Rc32,
    formats: Rc<[Format]>,
    recording: bool,
    /// GPTQ's second moments are being captured ([`crate::rounding::capturing`] when the frame was entered).
    capturing: bool,
    stats: Option<Stats>,
}

impl Frame {
    /// Enters `info` for the instance named `instance` (empty for single-instance functions).
    pub fn enter(
        info: &'static FnInfo,
        instance: &'static str,
        instance_module: &'static str,
    ) -> Frame {
        let key = (
            info as *const FnInfo as usize,
            instance.as_ptr() as usize ^ (instance.len() << 48),
        );
        let recording = RECORDING.load(Ordering::Relaxed);
        LOCAL.with(|l| {
            let mut l = l.borrow_mut();
            if !l.frames.contains_key(&key) {
                let slots = resolve_slots(key, info, instance, instance_module);
                let formats: Rc<[Format]> = {
                    let reg = lock(registry());
                    slots
                        .iter()
                        .map(|&s| {
                            l.config
                                .get(&reg.slots[s as usize].0)
                                .copied()
                                .unwrap_or(Format::F32)
                        })
                        .collect()
                };
                l.frames.insert(key, FrameCache { slots, formats });
            }
            let fc = &l.frames[&key];
            Frame {
                slots: fc.slots.clone(),
                formats: fc.formats.clone(),
                recording,
                capturing: crate::rounding::capturing(),
                stats: recording.then(|| l.stats.clone()),
            }
        })
    }

    /// The format of site `site` in this frame.
    #[inline]
    pub fn format(&self, site: usize) -> Format {
        self.formats[site]
    }

    #[cold]
    fn record(&self, site: usize, xs: &[f32], len: Option<usize>) {
        let Some(stats) = &self.stats else { return };
        let slot = self.slots[site] as usize;
        let mut st = lock(stats);
        if st.len() <= slot {
            st.resize(slot + 1, SiteStats::default());
        }
        let s = &mut st[slot];
        for &x in xs {
            s.record(x);
        }
        if let Some(n) = len {
            s.record_len(n);
        }
    }

    /// Sets [`SiteStats::tensors_len`] of a weight site that several tensors share.
    #[cold]
    fn set_tensors_len(&self, site: usize, total: u64) {
        let Some(stats) = &self.stats else { return };
        let slot = self.slots[site] as usize;
        let mut st = lock(stats);
        if st.len() <= slot {
            st.resize(slot + 1, SiteStats::default());
        }
        st[slot].tensors_len = total;
    }

    /// Whether this run profiles (records every value assigned to a site).
    #[inline(always)]
    pub fn recording(&self) -> bool {
        self.recording
    }

    /// Records `x` (when profiling) and returns it quantized to the site's format.
    #[inline(always)]
    pub fn q(&self, site: usize, x: f32) -> f32 {
        if self.recording {
            self.record(site, &[x], None);
        }
        match self.formats[site] {
            // The common case (profiling runs, f32 sites of a configuration) without a call: the same result.
            Format::F32 => <f32 as crate::Number>::quantize(x),
            f => f.quantize(x),
        }
    }

    /// `acc` after `acc = q(site, acc + a[k] * b[k])` for every `k`: what `#[quantize]` emits for an
    /// accumulation loop (see [`crate::dot`]). With an `f32` accumulator the sum runs without the per-step
    /// rounding, which is the identity as long as the result is finite (checked; otherwise the per-step loop).
    #[inline]
    pub fn dot(&self, site: usize, mut acc: f32, a: &[f32], b: &[f32]) -> f32 {
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        let f = self.formats[site];
        if f == Format::F32 && !self.recording {
            let mut s = acc;
            for (x, y) in a.iter().zip(b) {
                s += x * y;
            }
            if s.is_finite() {
                return s;
            }
        }
        for (x, y) in a.iter().zip(b) {
            acc = self.q(site, acc + x * y);
        }
        acc
    }

    /// `acc` after `acc = q(site, acc + x[k])` for every `k`: what `#[quantize]` emits for a summing loop (see
    /// [`crate::dot::sum`]); with an `f32` accumulator the sum runs without the per-step rounding when the
    /// result is finite.
    #[inline]
    pub fn sum(&self, site: usize, mut acc: f32, x: &[f32]) -> f32 {
        if self.formats[site] == Format::F32 && !self.recording {
            let s = x.iter().fold(acc, |s, v| s + v);
            if s.is_finite() {
                return s;
            }
        }
        for &v in x {
            acc = self.q(site, acc + v);
        }
        acc
    }

    /// Every lane `p` of `acc` after `acc[p] = q(site, acc[p] + a[k] * col(k)[p])` for every `k`: what
    /// `#[quantize]` emits for a loop nest of accumulation loops that share the row `a` (see
    /// [`crate::dot::columns`]). Lane by lane the same steps as [`dot`](Self::dot) (so the same values are
    /// recorded, in another order); with an `f32` accumulator the sums run without the per-step rounding when
    /// every lane's result is finite.
    #[inline]
    pub fn columns<'b>(
        &self,
        site: usize,
        acc: &mut [f32],
        a: &[f32],
        col: impl Fn(usize) -> &'b [f32],
    ) {
        // Blocks of 64 lanes, summed in a stack buffer (no allocation per call).
        for (b, lanes) in acc.chunks_mut(64).enumerate() {
            let (p0, l) = (b * 64, lanes.len());
            if self.formats[site] == Format::F32 && !self.recording {
                let mut s = [0f32; 64];
                s[..l].copy_from_slice(lanes);
                for (k, &x) in a.iter().enumerate() {
                    for (s, &y) in s[..l].iter_mut().zip(&col(k)[p0..p0 + l]) {
                        *s += x * y;
                    }
                }
                if s[..l].iter().all(|v| v.is_finite()) {
                    lanes.copy_from_slice(&s[..l]);
                    continue;
                }
            }
            for (k, &x) in a.iter().enumerate() {
                for (s, &y) in lanes.iter_mut().zip(&col(k)[p0..p0 + l]) {
                    *s = self.q(site, *s + x * y);
                }
            }
        }
    }

    /// When profiling, records that an accumulation loop read `n` values of weight site `site` from index
    /// `start` (see [`SiteStats::row`](crate::profile::SiteStats::row)); what `#[quantize]` emits before the
    /// inner product of such a loop.
    #[inline(always)]
    pub fn row(&self, site: usize, start: usize, n: usize) {
        if !self.recording {
            return;
        }
        let Some(stats) = &self.stats else { return };
        let slot = self.slots[site] as usize;
        let mut st = lock(stats);
        if st.len() <= slot {
            st.resize(slot + 1, SiteStats::default());
        }
        st[slot].record_row(start, n);
    }

    /// While second moments are captured ([`crate::rounding`]), adds `x xᵀ` for the row of weight site `site`
    /// that starts at index `start` and multiplies `x`: what `#[quantize]` emits for an accumulation loop over a
    /// weight row.
    #[inline(always)]
    pub fn gram(&self, site: usize, start: usize, x: &[f32]) {
        if self.capturing {
            crate::rounding::record_dot(self.slots[site], start, x);
        }
    }

    /// [`gram`](Self::gram) for a lanes nest: the row of `n` values of weight site `site` that starts at `start`
    /// multiplies the column `(col(k)[p])_k` of every lane `p < m`.
    #[inline(always)]
    pub fn gram_columns<'b>(
        &self,
        site: usize,
        start: usize,
        n: usize,
        m: usize,
        col: impl Fn(usize) -> &'b [f32],
    ) {
        if self.capturing {
            crate::rounding::record_columns(self.slots[site], start, n, m, &col);
        }
    }

    /// Records and quantizes a slice in place (`&mut [f32]` parameters and local buffers).
    pub fn q_slice(&self, site: usize, xs: &mut [f32]) {
        if self.recording {
            self.record(site, xs, Some(xs.len()));
        }
        self.formats[site].quantize_slice(xs);
    }

    /// Records a slice and returns a quantized copy (`&[f32]` parameters).
    pub fn q_vec(&self, site: usize, xs: &[f32]) -> Vec<f32> {
        if self.recording {
            self.record(site, xs, Some(xs.len()));
        }
        let mut v = xs.to_vec();
        self.formats[site].quantize_slice(&mut v);
        v
    }

    /// A quantized view of a weight slice, cached per thread for the current configuration: the weights are
    /// quantized (and, when profiling, recorded) once per configuration, not once per call.
    pub fn weights<'a>(&self, site: usize, xs: &'a [f32]) -> Weights<'a> {
        let slot = self.slots[site];
        let f = self.formats[site];
        if self.capturing {
            crate::rounding::saw_tensor(slot, xs.as_ptr() as usize, xs.len());
        }
        if f == Format::F32
            && !self.recording
            && !CAPTURING.load(Ordering::Relaxed)
            && xs.iter().all(|x| x.is_finite())
        {
            return Weights::Borrowed(xs);
        }
        let key = (slot, xs.as_ptr() as usize, xs.len());
        // A weight tensor is profiled once per profiling run, whichever thread sees it first: the profile does
        // not depend on the number of threads (the per-thread caches below would record it once per thread).
        if self.recording {
            let mut seen = lock(recorded_weights());
            if seen.insert(key) {
                // Several tensors at one site (layers sharing an instance): all of them count in its size.
                let (count, total) = seen
                    .iter()
                    .filter(|k| k.0 == slot)
                    .fold((0, 0), |(c, t), k| (c + 1, t + k.2 as u64));
                drop(seen);
                self.record(site, xs, Some(xs.len()));
                if count > 1 {
                    self.set_tensors_len(site, total);
                }
            }
        }
        if let Some(w) = LOCAL.with(|l| l.borrow().weights.get(&key).cloned()) {
            return Weights::Shared(w);
        }
        // An unfitted codebook takes the table fitted to this tensor.
        let f = fitted_format(slot, f, xs);
        // GPTQ rounding (when enabled and the site's inputs were captured), else the trained values.
        let mut q = match crate::rounding::rounded(slot, f, xs) {
            Some(r) => r.values.clone(),
            None => xs.to_vec(),
        };
        f.quantize_slice(&mut q); // block formats cut the tensor into blocks
        if CAPTURING.load(Ordering::Relaxed) {
            let mut c = lock(captured());
            let seen = c.entry(slot).or_default();
            if !seen.iter().any(|t| {
                t.len() == q.len() && t.iter().zip(&q).all(|(a, b)| a.to_bits() == b.to_bits())
            }) {
                seen.push(q.clone());
            }
        }
        let q: Rc<[f32]> = q.into();
        LOCAL.with(|l| l.borrow_mut().weights.insert(key, q.clone()));
        Weights::Shared(q)
    }
}

type Fits = HashMap<(u32, Format), Format>;

fn fits() -> &'static Mutex<Fits> {
    static F: OnceLock<Mutex<Fits>> = OnceLock::new();
    F.get_or_init(Default::default)
}

/// The format weight tensor `xs` of site `slot` is quantized with under `f`: `f` itself, except for an unfitted
/// codebook `codebook<K,F>`, which becomes the table [`codebook::fit`](crate::codebook::fit) gives the tensor,
/// weighted by its inputs' second moments when GPTQ captured them (`rounding::input_moments`), else plain
/// k-means. Fitted once per site and format (deterministic, so a race between threads stores equal values).
fn fitted_format(slot: u32, f: Format, xs: &[f32]) -> Format {
    let Format::Codebook { k, f: frac, table } = f else {
        return f;
    };
    if !crate::codebook::unfitted(&table) {
        return f;
    }
    if let Some(c) = lock(fits()).get(&(slot, f)) {
        return *c;
    }
    let moments = crate::rounding::input_moments(slot, xs.len());
    let c = crate::codebook::fit(xs, moments.as_deref(), k, frac).unwrap_or(f);
    lock(fits()).insert((slot, f), c);
    c
}

/// `config` with every unfitted codebook (`codebook<K,F>`) replaced by the table emulation fitted to its site's
/// weights (the one every evaluation under `config` used), what `tuned.rs` records. Errors name a site whose
/// weights emulation has not quantized under that format yet.
pub fn fitted_config(config: &Config) -> Result<Config, String> {
    let names = site_names();
    let fits = lock(fits());
    let mut out = config.clone();
    for (name, f) in out.iter_mut() {
        if let Format::Codebook { table, .. } = *f
            && crate::codebook::unfitted(&table)
        {
            let slot = names.iter().position(|n| n == name);
            *f = slot
                .and_then(|s| fits.get(&(s as u32, *f)).copied())
                .ok_or_else(|| {
                    format!(
                        "site `{name}`: its codebook `{f}` was never fitted (emulation has not loaded its weights \
                         under it)"
                    )
                })?;
        }
    }
    Ok(out)
}

fn resolve_slots(
    key: (usize, usize),
    info: &'static FnInfo,
    instance: &str,
    instance_module: &str,
) -> Rc32 {
    let mut reg = lock(registry());
    if let Some(s) = reg.frames.get(&key) {
        return s.clone();
    }
    let mut ids = Vec::with_capacity(info.sites.len());
    for site in info.sites {
        let name = site_name(instance, info.name, site.ident);
        let id = match reg.by_name.get(&name) {
            Some(&id) => id,
            None => {
                let id = reg.slots.len() as u32;
                let meta = SiteProfile {
                    kind: site.kind,
                    function: info.name.to_string(),
                    module: info.module.to_string(),
                    fingerprint: info.fingerprint,
                    instance: instance.to_string(),
                    instance_module: instance_module.to_string(),
                    ident: site.ident.to_string(),
                    operand: site.operand,
                    stats: SiteStats::default(),
                };
                reg.slots.push((name.clone(), meta));
                reg.by_name.insert(name, id);
                id
            }
        };
        ids.push(id);
    }
    let ids: Rc32 = ids.into();
    reg.frames.insert(key, ids.clone());
    let fi = match reg.fn_index.get(&key.0) {
        Some(&i) => i,
        None => {
            let i = reg.functions.len();
            reg.functions.push(RanFunction {
                module: info.module.to_string(),
                name: info.name.to_string(),
                fingerprint: info.fingerprint,
                instances: Vec::new(),
            });
            reg.fn_index.insert(key.0, i);
            i
        }
    };
    let instances = &mut reg.functions[fi].instances;
    if !instances.iter().any(|i| i == instance) {
        instances.push(instance.to_string());
    }
    ids
}

/// A quantized weight slice returned by [`Frame::weights`].
pub enum Weights<'a> {
    /// The caller's data, unchanged (an all-f32 configuration).
    Borrowed(&'a [f32]),
    /// A cached quantized copy.
    Shared(Rc<[f32]>),
}

impl Deref for Weights<'_> {
    type Target = [f32];
    #[inline]
    fn deref(&self) -> &[f32] {
        match self {
            Weights::Borrowed(s) => s,
            Weights::Shared(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{edit_distance, unit_of};

    #[test]
    fn edit_distances() {
        for (a, b, d) in [
            ("", "", 0),
            ("", "abc", 3),
            ("kitten", "sitting", 3),
            ("Fc1/dense.ww", "Fc1/dense.w", 1),
            ("Fc1/dense.w", "Fc2/dense.w", 1),
            ("dense.w", "Fc1/dense.w", 4),
            ("µs", "us", 1),
        ] {
            assert_eq!(edit_distance(a, b), d, "{a} / {b}");
            assert_eq!(edit_distance(b, a), d, "{b} / {a}");
        }
    }

    #[test]
    fn units() {
        assert_eq!(unit_of("Fc1/dense.w"), "Fc1/dense");
        assert_eq!(unit_of("relu.x"), "relu");
    }
}
