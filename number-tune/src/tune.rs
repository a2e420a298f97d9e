//! The auto-tuner: searches a format for every site so that the user's objective (default: total parameter
//! bits) is minimal while accuracy stays within a tolerance of the f32 baseline.
//!
//! The user calls it from their own calibrate-mode binary, with a closure that measures accuracy (higher is
//! better) of their model on validation data under a configuration:
//!
//! ```no_run
//! use number_tune::tune::{Budget, Objective, Space, Tolerance, Tuner};
//! # fn accuracy() -> f64 { 0.9 }
//! let profile = number_tune::profile::Profile::load("target/lenet.profile.json")?;
//! let outcome = Tuner::new(&profile)
//!     .tolerance(Tolerance::Relative(0.01))
//!     .objective(Objective::ParamBits)
//!     .space(Space::default())
//!     .seed(0)
//!     .budget(Budget { evaluations: Some(2000), time: None })
//!     .run(|_cfg| accuracy())?;
//! outcome.write_report("target/tune")?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The closure runs inside [`emulate::with_formats`](crate::emulate::with_formats)`(cfg, …)` on a rayon worker
//! thread; it must run the model on that thread and be deterministic (the tuner caches results by
//! configuration).
//!
//! # Search
//!
//! Each searched site has a ladder of candidate formats, one per width (placed from its profile, see
//! [`Space`]), topped by `f32`. The search works on width vectors:
//!
//! 1. **baseline**: all sites f32; target = baseline − tolerance;
//! 2. **uniform sweep**: every width for all searched sites at once (one parallel batch); the best feasible
//!    uniform configuration is a candidate, so the result is never larger than it;
//! 3. **descent** from the best uniform configuration (see 6), before anything else, so that a search cut short
//!    by its budget has already improved on the uniform point;
//! 4. **sensitivity**: per site, the smallest feasible width with all other sites f32 (binary search, all sites
//!    in lock-step batches, or every width with [`Tuner::sweep_sensitivity`]); no configuration goes below the
//!    widths that are clearly infeasible alone (see monotonicity below);
//! 5. **repair**: start from the per-site minima and raise the site with the best accuracy gain per objective
//!    unit until feasible;
//! 6. **descent** from the repaired point: lower one site by one width, accepting the
//!    feasible move of smallest objective (or all feasible ones of the step at once, when that is feasible too);
//!    when none is feasible, pair moves (−k widths on a big site, saving at
//!    least 0.5% of the objective, +1 on another) that still lower the objective; until no move helps;
//! 7. **exact** (bounded by [`Tuner::exact_limit`] evaluations): width vectors in ascending objective, below the
//!    best found, skipping those that are clearly infeasible by monotonicity; the first feasible one is optimal
//!    (up to that assumption). When it completes, [`Outcome::exact`] is true; a descent follows if it improved;
//! 8. **restarts** (only if the exact phase did not complete): seeded random perturbations of the best point,
//!    repaired and descended again.
//!
//! "Monotonicity" means: widening a site never lowers accuracy. It is used only to skip evaluations, and only up
//! to the noise the search has seen: δ is the largest violation measured so far (acc(u) − acc(v) for u narrower
//! than v), and a state is skipped only if some evaluated wider state is below the target by more than
//! (1 + d)·δ, d being the number of sites in which the two differ (quantising several layers can help as well
//! as hurt, so evidence from far away counts less). On a model that behaves monotonically δ = 0 and pruning is
//! exact; [`Tuner::monotone`]`(false)` turns pruning off (the exact phase then enumerates everything below the
//! best point). Candidate moves of a step are evaluated in parallel (rayon) in fixed-size chunks and collected
//! in order, so the outcome depends only on the seed and the closure's values.
//! The best feasible configuration is kept at every moment; when the [`Budget`] runs out it is returned
//! ([`Outcome::budget_exhausted`]).
use crate::Format;
use crate::emulate::Config;
use crate::profile::{Profile, SiteKind};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

mod options;
mod report;
mod search;
mod space;

pub use options::{
    Granularities, Holdout, Loss, TuneOptions, WeightFormats, WeightRounding, Widths,
};
pub use space::{
    Family, Granularity, Override, Range, SiteCandidates, Space, WeightFormat, kl_divergence,
    parse_granularities,
};

/// How much accuracy may be lost against the f32 baseline.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tolerance {
    /// accuracy ≥ baseline × (1 − r) (for a negative baseline: baseline − r·|baseline|).
    Relative(f64),
    /// accuracy ≥ baseline − x.
    Absolute(f64),
}

impl Tolerance {
    /// The lowest accepted accuracy for a baseline.
    pub fn target(&self, baseline: f64) -> f64 {
        match *self {
            Tolerance::Relative(r) => baseline - r * baseline.abs(),
            Tolerance::Absolute(x) => baseline - x,
        }
    }
}

impl fmt::Display for Tolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tolerance::Relative(r) => write!(f, "relative {}%", (r * 100.0 * 1e6).round() / 1e6),
            Tolerance::Absolute(x) => write!(f, "absolute {x}"),
        }
    }
}

/// Multiply-accumulates between a weight site and an activation site, for [`Objective::BitOps`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Macs {
    /// Full name of the weight site (`Fc1/dense.w`).
    pub weight: String,
    /// Full name of the activation site it multiplies (`Fc1/dense.x`).
    pub activation: String,
    /// MACs per inference.
    pub macs: u64,
}

/// What the tuner minimises.
pub enum Objective {
    /// Σ over weight sites of len × bits (default). Searches weight sites.
    ParamBits,
    /// Σ over input, output, local and return sites of len × bits. Searches those sites.
    ActivationBits,
    /// Σ over the given pairs of MACs × weight bits × activation bits (sites not in the configuration count
    /// 32 bits). Searches the sites the pairs name.
    BitOps(Vec<Macs>),
    /// Any function of the configuration (should not decrease when a site widens). Searches weight sites
    /// unless the space names kinds.
    Custom(CustomObjective),
}

/// The function of [`Objective::Custom`].
pub type CustomObjective = Box<dyn Fn(&Config, &Profile) -> f64 + Sync>;

impl fmt::Debug for Objective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Objective::BitOps(m) => f.debug_tuple("BitOps").field(m).finish(),
            o => f.write_str(o.name()),
        }
    }
}

const ACTIVATIONS: [SiteKind; 4] = [
    SiteKind::Input,
    SiteKind::Output,
    SiteKind::Local,
    SiteKind::Return,
];

impl Objective {
    /// [`Objective::BitOps`] from `(weight site, activation site, MACs)` triples.
    pub fn bit_ops<W: Into<String>, A: Into<String>>(
        pairs: impl IntoIterator<Item = (W, A, u64)>,
    ) -> Objective {
        Objective::BitOps(
            pairs
                .into_iter()
                .map(|(w, a, macs)| Macs {
                    weight: w.into(),
                    activation: a.into(),
                    macs,
                })
                .collect(),
        )
    }

    /// [`Objective::Custom`] from a closure.
    pub fn custom(f: impl Fn(&Config, &Profile) -> f64 + Sync + 'static) -> Objective {
        Objective::Custom(Box::new(f))
    }

    /// Short name (`param_bits`, `activation_bits`, `bit_ops`, `custom`).
    pub fn name(&self) -> &'static str {
        match self {
            Objective::ParamBits => "param_bits",
            Objective::ActivationBits => "activation_bits",
            Objective::BitOps(_) => "bit_ops",
            Objective::Custom(_) => "custom",
        }
    }

    /// The objective's value for a configuration (absent sites count as f32).
    pub fn value(&self, cfg: &Config, profile: &Profile) -> f64 {
        let bits = |name: &str| cfg.get(name).map_or(32, |f| f.bits()) as f64;
        // Storage bits of a site: block formats add their block binary points.
        let sum_kinds = |kinds: &[SiteKind]| {
            profile
                .sites
                .iter()
                .filter(|(_, s)| kinds.contains(&s.kind))
                .map(|(n, s)| {
                    let len = s.values();
                    cfg.get(n).map_or(32 * len, |f| f.storage_bits(len)) as f64
                })
                .sum()
        };
        match self {
            Objective::ParamBits => sum_kinds(&[SiteKind::Weight]),
            Objective::ActivationBits => sum_kinds(&ACTIVATIONS),
            Objective::BitOps(m) => m
                .iter()
                .map(|p| p.macs as f64 * bits(&p.weight) * bits(&p.activation))
                .sum(),
            Objective::Custom(f) => f(cfg, profile),
        }
    }

    fn default_kinds(&self) -> Vec<SiteKind> {
        match self {
            Objective::ParamBits | Objective::Custom(_) => vec![SiteKind::Weight],
            Objective::ActivationBits => ACTIVATIONS.to_vec(),
            // BitOps: handled by name (see `searched_by_name`).
            Objective::BitOps(_) => vec![],
        }
    }
}

/// Limits of a search; the best configuration found so far is returned when one is reached.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Budget {
    /// Maximum calls of the accuracy closure (the baseline included; cache hits are free).
    pub evaluations: Option<usize>,
    /// Maximum wall time (checked between batches of parallel evaluations).
    pub time: Option<Duration>,
}

/// Why tuning failed.
#[derive(Debug, thiserror::Error)]
pub enum TuneError {
    /// The profile has no sites.
    #[error(
        "the profile has no sites: run the model on calibration data with profiling on before tuning"
    )]
    EmptyProfile,
    /// No site is searched (the objective's kinds, the space's kinds and overrides select none).
    #[error(
        "no site to search: the objective/space select sites of kind {kinds:?}, the profile has kinds \
         {present:?}; choose another objective or set `Space::kinds`"
    )]
    NoSearchableSites {
        /// Kinds searched.
        kinds: Vec<SiteKind>,
        /// Kinds present in the profile.
        present: Vec<SiteKind>,
    },
    /// The profile is inconsistent.
    #[error(transparent)]
    Profile(crate::profile::ProfileError),
    /// The space or the options are not valid.
    #[error("invalid tuner setup: {0}")]
    InvalidSpace(String),
    /// The baseline (all f32) accuracy is NaN or infinite.
    #[error(
        "the accuracy function returned {0} for the f32 baseline; it must return a finite number \
         (higher is better)"
    )]
    BaselineNotFinite(f64),
    /// The accuracy closure panicked.
    #[error("the accuracy function panicked under configuration {{{config}}}: {message}")]
    Panicked {
        /// The configuration it was called with.
        config: String,
        /// The panic message.
        message: String,
    },
    /// No configuration that quantizes any searched site reaches the target.
    #[error("{}", infeasible_message(*.baseline, *.target, *.widest, .sensitivities))]
    Infeasible {
        /// The f32 accuracy.
        baseline: f64,
        /// The accuracy required.
        target: f64,
        /// Accuracy with every searched site at the widest candidate width (if evaluated).
        widest: Option<(u32, f64)>,
        /// Per searched site: the smallest width feasible alone (None: none is).
        sensitivities: Vec<(String, Option<u32>)>,
    },
}

/// The message of [`TuneError::Infeasible`]: the target, the accuracy at the widest width, each site's smallest
/// width alone, and the fix.
fn infeasible_message(
    baseline: f64,
    target: f64,
    widest: Option<(u32, f64)>,
    sensitivities: &[(String, Option<u32>)],
) -> String {
    let mut m =
        format!("no configuration reaches the target accuracy {target} (baseline {baseline})");
    if let Some((w, a)) = widest {
        m += &format!("; at {w} bits for every searched site the accuracy is {a}");
    }
    m += ". Smallest width of each site alone (others f32): ";
    for (i, (n, w)) in sensitivities.iter().enumerate() {
        let sep = if i == 0 { "" } else { ", " };
        match w {
            Some(w) => m += &format!("{sep}{n}: {w}"),
            None => m += &format!("{sep}{n}: none"),
        }
    }
    m += ". Loosen the tolerance, widen `Space::widths` or add families";
    m
}

/// One evaluated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Objective value.
    pub objective: f64,
    /// Parameter bits (Σ weight len × bits).
    pub param_bits: u64,
    /// Accuracy.
    pub accuracy: f64,
    /// accuracy ≥ target.
    pub feasible: bool,
    /// Widths of the searched sites in [`Outcome::sites`] order of the searched ones (`32` = f32), joined by `/`;
    /// `f32` for the baseline.
    pub label: String,
    /// The search phase that evaluated it.
    pub phase: &'static str,
}

/// One site of the outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct SiteReport {
    /// Full site name.
    pub name: String,
    /// Its kind.
    pub kind: SiteKind,
    /// Values the site stands for in the size ([`SiteProfile::values`](crate::profile::SiteProfile::values)):
    /// its profiled length; 1 for a scalar; 0 for an empty weight tensor, which costs no bits.
    pub len: u64,
    /// The chosen format (f32 when absent from the configuration).
    pub format: Format,
    /// Its bits.
    pub bits: u32,
    /// Whether the tuner searched it.
    pub searched: bool,
    /// Smallest width measured feasible with every other site f32 (None: not searched, or none measured).
    pub min_width_alone: Option<u32>,
}

/// The result of [`Tuner::run`].
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The chosen configuration (sites absent are f32).
    pub config: Config,
    /// Accuracy of the f32 baseline.
    pub baseline: f64,
    /// Required accuracy: the tolerance's target of the baseline, plus [`Tuner::safety_margin`]'s margin. For
    /// [`Tuner::run_paired`] the margin is each configuration's own (not included here): feasible means
    /// accuracy − margin ≥ target ([`Point::feasible`]).
    pub target: f64,
    /// Accuracy of [`config`](Self::config).
    pub accuracy: f64,
    /// The tolerance.
    pub tolerance: Tolerance,
    /// Objective name.
    pub objective: &'static str,
    /// Objective value of [`config`](Self::config).
    pub objective_value: f64,
    /// Objective value of the all-f32 baseline.
    pub baseline_objective: f64,
    /// Σ over weight sites of len × bits under [`config`](Self::config).
    pub param_bits: u64,
    /// The same with every weight f32.
    pub f32_param_bits: u64,
    /// Calls of the accuracy closure.
    pub evaluations: usize,
    /// Evaluations answered from the cache.
    pub cache_hits: usize,
    /// Wall time.
    pub elapsed: Duration,
    /// The budget ran out before the search finished.
    pub budget_exhausted: bool,
    /// What the search skipped because its budget ran out, one sentence per search stage cut short (the phase
    /// it was in, the phases never run, the candidates left unevaluated); empty when it finished. Printed on
    /// stderr when progress is on, and in the report.
    pub cut_short: Vec<String>,
    /// The exact phase completed: no configuration of smaller objective is feasible, up to the monotonicity
    /// assumption (with the noise margin described in the module docs).
    pub exact: bool,
    /// The seed.
    pub seed: u64,
    /// Hash of the profile ([`Profile::hash`]).
    pub profile_hash: u64,
    /// Names of the searched sites, in label order.
    pub searched: Vec<String>,
    /// The width given to every input site at once by [`Tuner::integer_inputs`] (None: off, or no width was
    /// good enough for all of them together; some may then have one of their own, in
    /// [`integer_input_sites`](Self::integer_input_sites)).
    pub integer_inputs: Option<u32>,
    /// The input sites [`Tuner::integer_inputs`] gave a fixed-point format, with its width, by name (every
    /// input site when [`integer_inputs`](Self::integer_inputs) is `Some`).
    pub integer_input_sites: Vec<(String, u32)>,
    /// Every evaluated configuration, in evaluation order.
    pub visited: Vec<Point>,
    /// The uniform sweep: (width, point) for each width evaluated.
    pub uniform: Vec<(u32, Point)>,
    /// Every site of the profile.
    pub sites: Vec<SiteReport>,
    /// Every feasible configuration evaluated, as (objective, configuration, accuracy), in ascending objective
    /// (ties: more accurate first), ending with the all-f32 baseline: the candidates
    /// [`Outcome::confirm`] walks.
    pub feasible: Vec<(f64, Config, f64)>,
    /// The check of [`config`](Self::config) on held-out data, when [`Outcome::confirm`] ran.
    pub confirmation: Option<Confirmation>,
}

impl AsRef<Config> for Outcome {
    fn as_ref(&self) -> &Config {
        &self.config
    }
}

/// Whether `pattern` names site `name`: the whole name (`Gru1/gru_cell.h`) or its part after the instance
/// (`gru_cell.h`).
fn names_site(pattern: &str, name: &str) -> bool {
    pattern == name
        || name
            .rsplit_once('/')
            .is_some_and(|(_, short)| short == pattern)
}

/// `(accuracy − z·sqrt(var(d)/n), accuracy)` of the outcomes `out` paired with the f32 outcomes `base`
/// (`d_i = base_i − out_i`; equal lengths).
fn paired_score(base: &[bool], out: &[bool], z: f64) -> search::Scored {
    let n = base.len().max(1) as f64;
    let acc = out.iter().filter(|&&c| c).count() as f64 / n;
    let d: Vec<f64> = base
        .iter()
        .zip(out)
        .map(|(&b, &c)| b as i32 as f64 - c as i32 as f64)
        .collect();
    let md = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| x * x).sum::<f64>() / n - md * md;
    (acc - z * (var.max(0.0) / n).sqrt(), acc)
}

/// The result of [`Outcome::confirm`]: the accuracy of the kept configuration on held-out inputs the search
/// never saw.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirmation {
    /// Held-out inputs (the `n` of the margin).
    pub inputs: usize,
    /// f32 accuracy on them.
    pub baseline: f64,
    /// Required accuracy on them: the tolerance's target of that baseline, plus the margin (for
    /// [`Outcome::confirm_paired`], the kept configuration's; none when f32 is kept).
    pub target: f64,
    /// Accuracy of the kept configuration on them.
    pub accuracy: f64,
    /// Candidates evaluated (in ascending objective) until one passed.
    pub tried: usize,
    /// The search's best configuration passed (nothing was given up).
    pub kept_best: bool,
}

impl Outcome {
    /// Confirms the chosen configuration on held-out data, so that its reported accuracy is not the winner's
    /// curse of a search that compared many configurations on the same inputs.
    ///
    /// `accuracy` measures the held-out inputs (it runs inside
    /// [`emulate::with_formats`](crate::emulate::with_formats), like the search's closure); `n` is their number
    /// and `z` the margin in standard errors (as [`Tuner::safety_margin`]). The feasible configurations of the
    /// search are tried in ascending objective, at most `limit` of them; the first whose held-out accuracy meets
    /// the tolerance's target of the held-out f32 baseline plus `z·sqrt(b(1−b)/n)` replaces
    /// [`config`](Self::config) (with its objective, accuracy on the search inputs, parameter bits and site
    /// formats). If none does, the all-f32 baseline is kept, which the report makes plain. A held-out f32
    /// accuracy that is NaN or infinite is an error ([`TuneError::BaselineNotFinite`]), as in [`Tuner::run`].
    ///
    /// `number-rt/tests/tune.rs` (`confirmation_gives_up_width_that_does_not_hold_on_held_out_data`) shows it
    /// on a model whose held-out data is harsher than the search's.
    pub fn confirm<F>(
        &mut self,
        accuracy: F,
        z: f64,
        n: usize,
        limit: usize,
    ) -> Result<Confirmation, TuneError>
    where
        F: Fn(&Config) -> f64,
    {
        use crate::emulate::with_formats;
        let empty = Config::new();
        let baseline = with_formats(&empty, || accuracy(&empty));
        if !baseline.is_finite() {
            return Err(TuneError::BaselineNotFinite(baseline));
        }
        let mut target = self.tolerance.target(baseline);
        if z > 0.0 && n > 0 {
            let b = baseline.clamp(0.0, 1.0);
            target += z * (b * (1.0 - b) / n as f64).sqrt();
        }
        let c = self.confirm_by(baseline, n, limit, |cfg| {
            let a = with_formats(cfg, || accuracy(cfg));
            (a, target)
        });
        Ok(c)
    }

    /// [`confirm`](Self::confirm) with a *paired* margin: `correct` says, for each held-out input, whether the
    /// model under the configuration gets it right (the same inputs in the same order every call). With `b_i`
    /// and `c_i` the f32 and the candidate's outcomes (1 right, 0 wrong), `d_i = b_i − c_i`, a candidate passes
    /// when its held-out accuracy minus `z` standard errors of the mean difference, `z·sqrt(var(d)/n)`, meets
    /// the tolerance's target of the held-out f32 accuracy: the loss is within tolerance with one-sided
    /// confidence ~Φ(z). The standard error counts only the inputs on which the two disagree, so it is far
    /// smaller than [`confirm`](Self::confirm)'s `sqrt(b(1−b)/n)` (which treats the two accuracies as
    /// independent) and tightens as the candidate nears f32. [`Confirmation::target`] is the target plus the
    /// kept candidate's margin.
    ///
    /// `number-rt/tests/tune.rs` (`paired_confirmation_counts_only_disagreements`) shows it.
    pub fn confirm_paired<F>(
        &mut self,
        correct: F,
        z: f64,
        limit: usize,
    ) -> Result<Confirmation, TuneError>
    where
        F: Fn(&Config) -> Vec<bool>,
    {
        use crate::emulate::with_formats;
        let empty = Config::new();
        let base = with_formats(&empty, || correct(&empty));
        let n = base.len();
        let mean = |v: &[bool]| v.iter().filter(|&&x| x).count() as f64 / n.max(1) as f64;
        let baseline = mean(&base);
        let target = self.tolerance.target(baseline);
        let c = self.confirm_by(baseline, n, limit, |cfg| {
            let out = with_formats(cfg, || correct(cfg));
            if out.len() != n {
                // A closure that measures different inputs per call cannot be paired: never pass.
                return (f64::NAN, f64::INFINITY);
            }
            let (score, acc) = paired_score(&base, &out, z.max(0.0));
            (acc, target + (acc - score))
        });
        Ok(c)
    }

    /// The confirmation loop: `measure(cfg)` gives a candidate's held-out accuracy and the accuracy it needs.
    fn confirm_by(
        &mut self,
        baseline: f64,
        n: usize,
        limit: usize,
        measure: impl Fn(&Config) -> (f64, f64),
    ) -> Confirmation {
        let empty = Config::new();
        let mut tried = 0;
        let mut kept = None;
        for (i, (obj, cfg, acc)) in self.feasible.iter().enumerate() {
            if cfg.is_empty() {
                kept = Some((
                    i,
                    *obj,
                    cfg.clone(),
                    *acc,
                    baseline,
                    self.tolerance.target(baseline),
                ));
                break;
            }
            if tried == limit {
                continue;
            }
            tried += 1;
            let (a, need) = measure(cfg);
            if a >= need {
                kept = Some((i, *obj, cfg.clone(), *acc, a, need));
                break;
            }
        }
        let (i, obj, cfg, acc, held, target) = kept.unwrap_or((
            usize::MAX,
            self.baseline_objective,
            empty,
            self.baseline,
            baseline,
            self.tolerance.target(baseline),
        ));
        let c = Confirmation {
            inputs: n,
            baseline,
            target,
            accuracy: held,
            tried,
            kept_best: i == 0,
        };
        self.objective_value = obj;
        self.accuracy = acc;
        for s in &mut self.sites {
            s.format = cfg.get(&s.name).copied().unwrap_or(Format::F32);
            s.bits = s.format.bits();
        }
        self.param_bits = self
            .sites
            .iter()
            .filter(|s| s.kind == SiteKind::Weight)
            .map(|s| s.format.storage_bits(s.len))
            .sum();
        self.config = cfg;
        self.confirmation = Some(c.clone());
        c
    }

    /// Reduction of parameter bits vs f32 (`f32_param_bits / param_bits`).
    pub fn reduction(&self) -> f64 {
        self.f32_param_bits as f64 / self.param_bits.max(1) as f64
    }

    /// The best feasible uniform configuration of the sweep (smallest objective).
    pub fn best_uniform(&self) -> Option<&(u32, Point)> {
        self.uniform
            .iter()
            .filter(|(_, p)| p.feasible)
            .min_by(|a, b| {
                a.1.objective
                    .total_cmp(&b.1.objective)
                    .then(b.1.accuracy.total_cmp(&a.1.accuracy))
            })
    }

    /// The accuracy-vs-objective Pareto frontier of the visited points, ascending objective: no other visited
    /// point has a smaller-or-equal objective and a higher-or-equal accuracy (one strictly).
    pub fn frontier(&self) -> Vec<&Point> {
        report::frontier(&self.visited)
    }

    /// The outcome as pretty JSON.
    pub fn to_json(&self) -> String {
        report::to_json(self)
    }

    /// The outcome as a markdown report: per-site formats and bits, totals, reduction vs f32, the uniform sweep
    /// and the accuracy-vs-size frontier.
    pub fn to_markdown(&self) -> String {
        report::to_markdown(self)
    }

    /// Writes `tune-report.json`, `tune-report.md` and `frontier.svg` (accuracy vs size) into `dir` (created if
    /// needed) and returns their paths.
    pub fn write_report(&self, dir: impl AsRef<Path>) -> std::io::Result<Vec<PathBuf>> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let files = [
            ("tune-report.json", self.to_json()),
            ("tune-report.md", self.to_markdown()),
            ("frontier.svg", report::to_svg(self)),
        ];
        let mut out = Vec::new();
        for (name, text) in files {
            let p = dir.join(name);
            std::fs::write(&p, text)?;
            out.push(p);
        }
        Ok(out)
    }
}

/// The auto-tuner (a builder; [`run`](Self::run) searches).
pub struct Tuner<'p> {
    profile: &'p Profile,
    tolerance: Tolerance,
    objective: Objective,
    space: Space,
    seed: u64,
    budget: Budget,
    progress: bool,
    progress_interval: Duration,
    batch: usize,
    exact_limit: usize,
    restarts: usize,
    pair_depth: u32,
    monotone: bool,
    sweep: bool,
    integer_inputs: Vec<u32>,
    integer_state: Vec<String>,
    margin: Option<(f64, usize)>,
}

impl<'p> Tuner<'p> {
    /// A tuner for the sites of `profile`, with defaults: 1 % relative tolerance, parameter bits, the default
    /// space, seed 0, no budget, progress on (a bar on a terminal, lines every 10 s in a log).
    pub fn new(profile: &'p Profile) -> Self {
        Tuner {
            profile,
            tolerance: Tolerance::Relative(0.01),
            objective: Objective::ParamBits,
            space: Space::default(),
            seed: 0,
            budget: Budget::default(),
            progress: true,
            progress_interval: Duration::from_secs(10),
            batch: 8,
            exact_limit: 500,
            restarts: 4,
            pair_depth: 2,
            monotone: true,
            sweep: false,
            integer_inputs: Vec::new(),
            integer_state: Vec::new(),
            margin: None,
        }
    }
    /// Integer inputs: before the search, give every input site (a layer's `x`, and any other site an inner
    /// product takes as an operand: a local window or concatenated state, the profile's `operand`) that the
    /// search does not cover a fixed-point format (placed from its profile like any candidate), of the narrowest of `widths`
    /// whose accuracy loss with everything else f32 is at most a quarter of the tolerance. When no width is good
    /// enough for all input sites at once, they are granted one by one: each site alone at every width, then,
    /// least loss alone first, each site at the narrowest of its good widths that keeps the loss of all sites
    /// granted so far within that quarter (or none). The search then runs with those formats fixed. With
    /// fixed-point weights too, tuned builds compute those inner products in integers ([`crate::dot`]), which is
    /// where their speed comes from. Off by default (the objective alone decides).
    ///
    /// ```
    /// # let profile = number_tune::profile::Profile::default();
    /// let tuner = number_tune::tune::Tuner::new(&profile).integer_inputs([8, 10, 12]);
    /// ```
    pub fn integer_inputs(mut self, widths: impl IntoIterator<Item = u32>) -> Self {
        self.integer_inputs = widths.into_iter().collect();
        self
    }
    /// State that [`integer_inputs`](Self::integer_inputs) treats as a layer input: `&mut [f32]` parameters
    /// (output sites) that the layer also reads, such as a recurrent cell's hidden state `h`, which its next
    /// step's inner products take as an operand. Each name is a site name (`Gru1/gru_cell.h`) or its part after
    /// the instance (`gru_cell.h`, every instance); a name that matches no output site is an
    /// [`InvalidSpace`](TuneError::InvalidSpace) error naming it.
    ///
    /// ```
    /// # let profile = number_tune::profile::Profile::default();
    /// let tuner = number_tune::tune::Tuner::new(&profile).integer_inputs([8, 10, 12]).integer_state(["gru_cell.h"]);
    /// ```
    pub fn integer_state<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.integer_state = names.into_iter().map(Into::into).collect();
        self
    }

    /// Whether site `name` is named by [`integer_state`](Self::integer_state).
    fn is_state(&self, name: &str) -> bool {
        self.integer_state.iter().any(|n| names_site(n, name))
    }
    /// A safety margin for accuracies that are fractions of `n` held-out inputs: the target is raised by `z`
    /// standard errors of the baseline, `z·sqrt(b(1−b)/n)`, so that the configuration chosen on the validation
    /// data (the best of many near the threshold, which flatters it) keeps the tolerance on unseen data.
    /// Off by default.
    ///
    /// ```
    /// # let profile = number_tune::profile::Profile::default();
    /// let tuner = number_tune::tune::Tuner::new(&profile).safety_margin(1.0, 5000);
    /// ```
    pub fn safety_margin(mut self, z: f64, n: usize) -> Self {
        self.margin = (z > 0.0 && n > 0).then_some((z, n));
        self
    }
    /// The accuracy tolerance.
    pub fn tolerance(mut self, t: Tolerance) -> Self {
        self.tolerance = t;
        self
    }
    /// The objective.
    pub fn objective(mut self, o: Objective) -> Self {
        self.objective = o;
        self
    }
    /// The search space.
    pub fn space(mut self, s: Space) -> Self {
        self.space = s;
        self
    }
    /// The seed of the random restarts.
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }
    /// The budget.
    pub fn budget(mut self, b: Budget) -> Self {
        self.budget = b;
        self
    }
    /// Whether to report progress on stderr (default on): a progress bar on a terminal; otherwise (a log) a
    /// line at most every [`progress_interval`](Self::progress_interval) and one at the end, with the
    /// evaluations done of the budget, the best size so far and its reduction vs f32, the elapsed time and, with
    /// a budget, the most time left. Either way, a search cut short by its budget says what it skipped
    /// ([`Outcome::cut_short`]). Progress never changes what the search evaluates.
    pub fn progress(mut self, on: bool) -> Self {
        self.progress = on;
        self
    }
    /// Least time between two progress lines when stderr is not a terminal (default 10 s).
    pub fn progress_interval(mut self, d: Duration) -> Self {
        self.progress_interval = d;
        self
    }
    /// Evaluations per parallel chunk of a search step (default 8). Part of the determinism contract: the
    /// same chunk size gives the same evaluations.
    pub fn batch(mut self, n: usize) -> Self {
        self.batch = n.max(1);
        self
    }
    /// Maximum evaluations of the exact phase (default 500; 0 disables it).
    pub fn exact_limit(mut self, n: usize) -> Self {
        self.exact_limit = n;
        self
    }
    /// Random restarts when the exact phase does not complete (default 4).
    pub fn restarts(mut self, n: usize) -> Self {
        self.restarts = n;
        self
    }
    /// Largest width decrease of the lowered site in pair moves (default 2).
    pub fn pair_depth(mut self, k: u32) -> Self {
        self.pair_depth = k;
        self
    }
    /// Whether to assume that widening a site never lowers accuracy, to skip evaluations (default true).
    pub fn monotone(mut self, on: bool) -> Self {
        self.monotone = on;
        self
    }

    /// Whether the sensitivity phase evaluates every width of every site alone (sites × widths evaluations)
    /// instead of a binary search (default false). More evaluations, but it measures each site's
    /// non-monotonicity, which widens the noise margin of the pruning where the model is jagged.
    pub fn sweep_sensitivity(mut self, on: bool) -> Self {
        self.sweep = on;
        self
    }

    /// The searched sites and their candidate ladders (what [`run`](Self::run) searches).
    pub fn candidates(&self) -> Result<Vec<SiteCandidates>, TuneError> {
        Ok(self.resolve()?.0)
    }

    /// The objective's value for a configuration.
    pub fn objective_of(&self, cfg: &Config) -> f64 {
        self.objective.value(cfg, self.profile)
    }

    fn resolve(&self) -> Result<(Vec<SiteCandidates>, Config), TuneError> {
        self.resolve_in(&self.space)
    }

    fn resolve_in(&self, space: &Space) -> Result<(Vec<SiteCandidates>, Config), TuneError> {
        if self.profile.sites.is_empty() {
            return Err(TuneError::EmptyProfile);
        }
        self.profile.validate().map_err(TuneError::Profile)?;
        match self.tolerance {
            Tolerance::Relative(r) if !(0.0..1.0).contains(&r) => {
                return Err(TuneError::InvalidSpace(format!(
                    "relative tolerance {r} is not in [0, 1)"
                )));
            }
            Tolerance::Absolute(x) if !(x >= 0.0 && x.is_finite()) => {
                return Err(TuneError::InvalidSpace(format!(
                    "absolute tolerance {x} is not a finite value ≥ 0"
                )));
            }
            _ => {}
        }
        if space.widths.is_empty() {
            return Err(TuneError::InvalidSpace(format!(
                "the width range {:?} is empty",
                space.widths
            )));
        }
        for n in &self.integer_state {
            if !self
                .profile
                .sites
                .iter()
                .any(|(name, st)| st.kind == SiteKind::Output && names_site(n, name))
            {
                return Err(TuneError::InvalidSpace(format!(
                    "integer_state names `{n}`, which matches no output site of the profile (a `&mut [f32]` parameter: \
                     `Instance/function.param` or `function.param`)"
                )));
            }
        }
        let mut space = space.clone();
        if let Objective::BitOps(m) = &self.objective {
            for p in m {
                for n in [&p.weight, &p.activation] {
                    if !self.profile.sites.contains_key(n) {
                        return Err(TuneError::InvalidSpace(format!(
                            "BitOps names site `{n}`, not in the profile"
                        )));
                    }
                    if space.kinds.is_none() {
                        space.overrides.entry(n.clone()).or_insert(Override::Search);
                    }
                }
            }
        }
        // Empty weight tensors (a layer without bias passes an empty `b`) store nothing: they cost no bits and
        // are not searched. They stay out of the configuration, so tuned.rs gives them `f32` (unless the space
        // fixes a format for them).
        for (name, site) in &self.profile.sites {
            if site.is_empty_weight()
                && !matches!(space.overrides.get(name), Some(Override::Format(_)))
            {
                space.overrides.insert(name.clone(), Override::Exclude);
            }
        }
        let default_kinds = self.objective.default_kinds();
        let (sites, fixed) = space::resolve(self.profile, &space, &default_kinds)
            .map_err(TuneError::InvalidSpace)?;
        if sites.is_empty() {
            let mut present: Vec<SiteKind> = self.profile.sites.values().map(|s| s.kind).collect();
            present.sort();
            present.dedup();
            return Err(TuneError::NoSearchableSites {
                kinds: space.kinds.clone().unwrap_or(default_kinds),
                present,
            });
        }
        Ok((sites, fixed))
    }

    /// Searches. `accuracy(cfg)` returns the model's accuracy (higher is better) under `cfg`; it is called
    /// inside [`emulate::with_formats`](crate::emulate::with_formats), possibly on several threads at once.
    pub fn run<F>(self, accuracy: F) -> Result<Outcome, TuneError>
    where
        F: Fn(&Config) -> f64 + Sync,
    {
        self.run_scored(|c: &Config| {
            let a = accuracy(c);
            (a, a)
        })
    }

    /// Searches with a *paired* feasibility test, the one [`Outcome::confirm_paired`] applies to held-out
    /// data. `correct(cfg)` says, for each validation input (the same inputs in the same order every call),
    /// whether the model under `cfg` gets it right. With `b_i` and `c_i` the f32 and the configuration's
    /// outcomes (1 right, 0 wrong) and `d_i = b_i − c_i`, a configuration is feasible when its accuracy minus
    /// `z·sqrt(var(d)/n)` meets the tolerance's target of the f32 accuracy: the search then keeps only what it
    /// can tell apart from a loss beyond the tolerance, as the confirmation will. Unlike
    /// [`safety_margin`](Self::safety_margin) (`z` standard errors of the baseline, the same for every
    /// configuration), the margin grows with the inputs on which a configuration disagrees with f32, which is
    /// where a search that compares many configurations on the same inputs overrates them. `z = 0` is
    /// [`run`](Self::run) on the mean of `correct`. Reports ([`Outcome::accuracy`], [`Point::accuracy`]) show
    /// the plain accuracy; [`Point::feasible`] is the paired test. A `correct` that returns a different number
    /// of outcomes than for f32 is an error ([`TuneError::Panicked`] naming the configuration).
    ///
    /// ```
    /// use number_tune::tune::{Tolerance, Tuner};
    /// # let profile = number_tune::profile::Profile::default();
    /// # let correct = |_: &number_tune::emulate::Config| vec![true; 10];
    /// let outcome = Tuner::new(&profile).tolerance(Tolerance::Relative(0.01)).run_paired(correct, 2.0);
    /// # assert!(outcome.is_err()); // an empty profile has nothing to tune
    /// ```
    pub fn run_paired<F>(self, correct: F, z: f64) -> Result<Outcome, TuneError>
    where
        F: Fn(&Config) -> Vec<bool> + Sync,
    {
        if !(z.is_finite() && z >= 0.0) {
            return Err(TuneError::InvalidSpace(format!(
                "paired margin {z}: expected a number of standard errors >= 0"
            )));
        }
        let empty = Config::new();
        let base = crate::emulate::with_formats(&empty, || correct(&empty));
        let n = base.len();
        self.run_scored(|c: &Config| {
            let out = correct(c);
            assert!(
                out.len() == n,
                "the paired accuracy closure gave {} outcomes for this configuration and {n} for f32: it must measure \
                 the same inputs in the same order every call",
                out.len()
            );
            paired_score(&base, &out, z)
        })
    }

    fn run_scored<F>(self, accuracy: F) -> Result<Outcome, TuneError>
    where
        F: Fn(&Config) -> search::Scored + Sync,
    {
        let (sites, fixed) = self.resolve()?;
        let limit = self.budget.evaluations;
        let g = &self.space.granularity;
        if g.len() < 2 || !g.contains(&Granularity::Tensor) {
            return search::run(&self, sites, fixed, &accuracy, None, limit, "");
        }
        // Several granularities with per-tensor among them: search the per-tensor ladders first, with half the
        // evaluations, then the full ladders from that result, with the rest. The finer candidates then start
        // from where per-tensor formats end, and the result is never larger than the per-tensor search's.
        let coarse = Space {
            granularity: vec![Granularity::Tensor],
            ..self.space.clone()
        };
        let (sites1, fixed1) = self.resolve_in(&coarse)?;
        let first = match search::run(
            &self,
            sites1,
            fixed1,
            &accuracy,
            None,
            limit.map(|n| n / 2),
            "stage 1/2, per-tensor formats",
        ) {
            Ok(o) => Some(o),
            Err(TuneError::Infeasible { .. }) => None,
            Err(e) => return Err(e),
        };
        let used = first.as_ref().map_or(0, |o| o.evaluations);
        let rest = limit.map(|n| n.saturating_sub(used).max(1));
        let mut out = search::run(
            &self,
            sites,
            fixed,
            &accuracy,
            first.as_ref().map(|o| o.config.clone()),
            rest,
            "stage 2/2, every granularity",
        )?;
        if let Some(first) = first {
            out.evaluations += first.evaluations;
            out.cache_hits += first.cache_hits;
            out.elapsed += first.elapsed;
            out.budget_exhausted |= first.budget_exhausted;
            let mut cut_short = first.cut_short;
            cut_short.append(&mut out.cut_short);
            out.cut_short = cut_short;
            let mut visited = first.visited;
            visited.extend(std::mem::take(&mut out.visited));
            out.visited = visited;
            // Both stages' feasible configurations are confirmation candidates, in ascending objective.
            let f32_last = out.feasible.pop();
            out.feasible
                .extend(first.feasible.into_iter().filter(|(_, c, _)| !c.is_empty()));
            out.feasible
                .sort_by(|a, b| a.0.total_cmp(&b.0).then(b.2.total_cmp(&a.2)));
            let mut seen = std::collections::HashSet::new();
            out.feasible
                .retain(|(_, c, _)| seen.insert(search::config_string(c)));
            out.feasible.extend(f32_last);
        }
        Ok(out)
    }
}
