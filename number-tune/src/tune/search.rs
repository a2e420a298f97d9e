//! The search engine behind [`Tuner::run`](super::Tuner::run) (see the module docs of `tune` for the phases).
use super::space::SiteCandidates;
use super::{Objective, Outcome, Point, SiteReport, TuneError, Tuner};
use crate::Format;
use crate::emulate::{Config, with_formats};
use crate::profile::SiteKind;
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::io::IsTerminal;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// Level index (into `SiteCandidates::levels`) of every searched site.
type State = Vec<u16>;

/// Why a search stops early.
enum Halt {
    Budget,
    Error(TuneError),
}

/// CPU work limit of the exact phase's enumeration (width vectors popped).
const MAX_POPS: usize = 300_000;

/// The phases of [`Engine::search`] in order (indices of [`Engine::reached`]); descents run between them.
const PHASES: [&str; 6] = [
    "warm start",
    "uniform sweep",
    "sensitivity",
    "repair",
    "exact",
    "restarts",
];

/// The objective as a function of a state.
enum Cost {
    /// c0 + Σ coef[s] × bits(level of s).
    Linear { c0: f64, coef: Vec<f64> },
    /// `Objective::value` of the state's configuration.
    General,
}

struct Best {
    state: Option<State>,
    config: Config,
    /// The feasibility score (see [`Scored`]).
    score: f64,
    objective: f64,
}

/// What the engine's closure returns for a configuration: `(score, accuracy)`. Feasibility, pruning and the
/// noise estimate use the score; reports show the accuracy. They are equal for [`Tuner::run`]; for
/// [`Tuner::run_paired`] the score is the accuracy minus the paired margin.
pub(super) type Scored = (f64, f64);

struct Engine<'a, 'p, F> {
    t: &'a Tuner<'p>,
    f: &'a F,
    sites: Vec<SiteCandidates>,
    bits: Vec<Vec<u32>>,
    /// Storage bits per value of each level (block formats add their block binary points).
    cost_bits: Vec<Vec<f64>>,
    top: Vec<u16>,
    fixed: Config,
    cost: Cost,
    weights: Vec<(String, u64)>,
    baseline: f64,
    target: f64,
    /// Score of every evaluated configuration.
    cache: HashMap<Config, f64>,
    /// Accuracy of every evaluated configuration.
    accuracy: HashMap<Config, f64>,
    evaluations: usize,
    cache_hits: usize,
    visited: Vec<Point>,
    /// Every evaluated state with its accuracy (for the noise estimate).
    evaluated: Vec<(State, f64)>,
    /// Largest monotonicity violation seen: acc(u) − acc(v) for u ≤ v (every site of u no wider).
    noise: f64,
    /// Every infeasible state with its accuracy.
    infeasible: Vec<(State, f64)>,
    /// Maximal infeasible states that are clearly infeasible at any distance (n margins), for `strong_margin`.
    strong: Vec<State>,
    /// The other infeasible states (pruning depends on the distance).
    weak: Vec<(State, f64)>,
    strong_margin: f64,
    best: Best,
    lb: Vec<u16>,
    min_alone: Vec<Option<u16>>,
    uniform: Vec<(u32, Point)>,
    uniform_best: Option<State>,
    start: Instant,
    pb: ProgressBar,
    phase: &'static str,
    exact_complete: bool,
    /// The width [`Engine::integer_inputs`] chose for every input site at once.
    inputs: Option<u32>,
    /// The input sites [`Engine::integer_inputs`] gave a fixed-point format, with its width, by name.
    input_sites: Vec<(String, u32)>,
    /// Most evaluations of this search (the budget's, or this stage's share of it).
    limit: Option<usize>,
    /// A configuration to descend from before the search proper (the result of a coarser search).
    warm: Option<Config>,
    /// Progress lines for logs (stderr not a terminal, progress on): when the last one was printed.
    log: Option<Instant>,
    /// The stage this search is of the tuner's run (`""` when it is the only one), named in progress lines.
    stage: &'static str,
    /// The last phase of [`PHASES`] the search reached (what a budget cut skipped is the rest).
    reached: usize,
    /// Uniform configurations the sweep planned.
    uniform_planned: usize,
    /// Random restarts begun.
    restarts_run: usize,
    /// Candidates of the step the evaluation budget cut that were left unevaluated.
    unevaluated: usize,
}

/// `1h02m03s`, `2m05s`, `7.3s`.
fn hms(d: Duration) -> String {
    let t = d.as_secs();
    match t {
        0..60 => format!("{:.1}s", d.as_secs_f64()),
        60..3600 => format!("{}m{:02}s", t / 60, t % 60),
        _ => format!("{}h{:02}m{:02}s", t / 3600, t / 60 % 60, t % 60),
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

/// `site=format, …` (f32 sites omitted; `all f32` when empty).
pub(super) fn config_string(cfg: &Config) -> String {
    if cfg.is_empty() {
        return "all f32".into();
    }
    cfg.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// NaN-safe "a is better than b" for accuracies.
fn acc_key(a: f64) -> f64 {
    if a.is_nan() { f64::NEG_INFINITY } else { a }
}

/// Every site of `a` no wider than in `b`.
fn leq(a: &[u16], b: &[u16]) -> bool {
    a.iter().zip(b).all(|(x, y)| x <= y)
}

/// Adds `s` to an antichain of maximal states.
fn add_maximal(set: &mut Vec<State>, s: State) {
    if set.iter().any(|u| leq(&s, u)) {
        return;
    }
    set.retain(|u| !leq(u, &s));
    set.push(s);
}

struct SplitMix(u64);
impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// An f64 ordered by `total_cmp` (heap keys).
struct OrdF64(f64);
impl PartialEq for OrdF64 {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for OrdF64 {}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for OrdF64 {
    fn cmp(&self, o: &Self) -> Ordering {
        self.0.total_cmp(&o.0)
    }
}

impl<'a, 'p, F> Engine<'a, 'p, F>
where
    F: Fn(&Config) -> Scored + Sync,
{
    fn n(&self) -> usize {
        self.sites.len()
    }

    fn config_of(&self, st: &[u16]) -> Config {
        let mut cfg = self.fixed.clone();
        for (s, &l) in st.iter().enumerate() {
            let f = self.sites[s].levels[l as usize];
            if f != Format::F32 {
                cfg.insert(self.sites[s].name.clone(), f);
            } else {
                cfg.remove(&self.sites[s].name);
            }
        }
        cfg
    }

    fn obj(&self, st: &[u16]) -> f64 {
        match &self.cost {
            Cost::Linear { c0, coef } => {
                c0 + st
                    .iter()
                    .enumerate()
                    .map(|(s, &l)| coef[s] * self.cost_bits[s][l as usize])
                    .sum::<f64>()
            }
            Cost::General => self.t.objective.value(&self.config_of(st), self.t.profile),
        }
    }

    fn param_bits(&self, cfg: &Config) -> u64 {
        self.weights
            .iter()
            .map(|(n, len)| cfg.get(n).map_or(32 * len, |f| f.storage_bits(*len)))
            .sum()
    }

    fn feasible(&self, acc: f64) -> bool {
        acc >= self.target
    }

    fn label(&self, st: &[u16]) -> String {
        st.iter()
            .enumerate()
            .map(|(s, &l)| self.bits[s][l as usize].to_string())
            .collect::<Vec<_>>()
            .join("/")
    }

    fn point(&self, st: &[u16], acc: f64) -> Point {
        let cfg = self.config_of(st);
        Point {
            objective: self.obj(st),
            param_bits: self.param_bits(&cfg),
            accuracy: self.accuracy.get(&cfg).copied().unwrap_or(acc),
            feasible: self.feasible(acc),
            label: self.label(st),
            phase: self.phase,
        }
    }

    /// The largest monotonicity violation seen (plus rounding slack): the unit of the pruning margins. Zero
    /// while the model looks monotone.
    fn margin(&self) -> f64 {
        self.noise + 1e-9 * self.target.abs().max(1.0)
    }

    /// Clearly infeasible as evidence about states differing in `d` sites: accuracy below the target by more
    /// than (1 + d) × the largest violation seen (NaN accuracies always are).
    fn clearly_infeasible(&self, acc: f64, d: usize) -> bool {
        acc.is_nan() || acc < self.target - self.margin() * (1 + d.max(1)) as f64
    }

    /// Whether `st` is infeasible by monotonicity: there is an evaluated infeasible state `u`, every site of `st`
    /// no wider than in `u`, and `u` is clearly infeasible at their distance (the number of sites where they
    /// differ).
    fn dominated(&mut self, st: &[u16]) -> bool {
        if !self.t.monotone {
            return false;
        }
        let n = self.n();
        let m = self.margin();
        if m != self.strong_margin {
            // Rebuild: `strong` = maximal states clearly infeasible even at the largest distance, `weak` the rest.
            self.strong_margin = m;
            self.strong.clear();
            self.weak.clear();
            let list = std::mem::take(&mut self.infeasible);
            for (u, a) in &list {
                if self.clearly_infeasible(*a, n) {
                    add_maximal(&mut self.strong, u.clone());
                } else {
                    self.weak.push((u.clone(), *a));
                }
            }
            self.infeasible = list;
        }
        // The distance from st to u if st is at or below u.
        let below = |u: &[u16]| -> Option<usize> {
            leq(st, u).then(|| st.iter().zip(u).filter(|(x, y)| x != y).count())
        };
        if self.strong.iter().any(|u| below(u).is_some()) {
            return true;
        }
        self.weak
            .iter()
            .any(|(u, a)| below(u).is_some_and(|d| self.clearly_infeasible(*a, d)))
    }

    fn record(&mut self, st: &[u16], acc: f64) {
        let a = acc_key(acc);
        for (u, b) in &self.evaluated {
            let b = acc_key(*b);
            if b > a && leq(u, st) && b.is_finite() {
                self.noise = self.noise.max(b - a);
            } else if a > b && leq(st, u) && a.is_finite() {
                self.noise = self.noise.max(a - b);
            }
        }
        self.evaluated.push((st.to_vec(), acc));
        if !self.feasible(acc) {
            self.infeasible.push((st.to_vec(), acc));
            if self.margin() == self.strong_margin {
                if self.clearly_infeasible(acc, self.n()) {
                    add_maximal(&mut self.strong, st.to_vec());
                } else {
                    self.weak.push((st.to_vec(), acc));
                }
            }
        }
    }

    fn out_of_time(&self) -> bool {
        self.t
            .budget
            .time
            .is_some_and(|t| self.start.elapsed() >= t)
    }

    fn update_progress(&mut self) {
        let b = &self.best;
        let f32_bits: u64 = self.weights.iter().map(|(_, l)| l * 32).sum();
        let size = match self.t.objective {
            Objective::ParamBits => {
                format!(
                    "{} bits ({:.2}× smaller)",
                    b.objective as u64,
                    f32_bits as f64 / b.objective.max(1.0)
                )
            }
            _ => format!("{} {}", self.t.objective.name(), b.objective),
        };
        if self
            .log
            .is_some_and(|last| last.elapsed() >= self.t.progress_interval)
        {
            eprintln!("{}", self.log_line(false));
            self.log = Some(Instant::now());
        }
        let b = &self.best;
        self.pb.set_message(format!(
            "{}: best {size}, accuracy {:.4} (target {:.4}), {} cache hits",
            self.phase,
            self.accuracy.get(&b.config).copied().unwrap_or(b.score),
            self.target,
            self.cache_hits
        ));
    }

    /// The best configuration's size for progress lines: parameter bits and the reduction vs f32, or the
    /// objective and its ratio to the f32 baseline's.
    fn best_size(&self) -> String {
        let b = self.best.objective;
        match self.t.objective {
            Objective::ParamBits => {
                let f32_bits: u64 = self.weights.iter().map(|(_, l)| l * 32).sum();
                format!(
                    "best {} bits ({:.2}x smaller than f32)",
                    b as u64,
                    f32_bits as f64 / b.max(1.0)
                )
            }
            _ => {
                let base = self.t.objective.value(&Config::new(), self.t.profile);
                format!(
                    "best {} {b} ({:.2}x below f32)",
                    self.t.objective.name(),
                    base / b
                )
            }
        }
    }

    /// A progress line for logs: evaluations done (of the budget), the best size so far and its accuracy,
    /// elapsed time and, when the budget is bounded, the most time left.
    fn log_line(&self, done: bool) -> String {
        let elapsed = self.start.elapsed();
        let stage = if self.stage.is_empty() {
            String::new()
        } else {
            format!("{}, ", self.stage)
        };
        let evals = match self.limit {
            Some(l) => format!("{}/{l} evaluations", self.evaluations),
            None => format!("{} evaluations", self.evaluations),
        };
        let acc = self
            .accuracy
            .get(&self.best.config)
            .copied()
            .unwrap_or(self.best.score);
        let mut line = format!(
            "tune [{stage}{}]: {evals} ({} cache hits), {}, accuracy {acc:.4} (target {:.4}), {} elapsed",
            if done { "done" } else { self.phase },
            self.cache_hits,
            self.best_size(),
            self.target,
            hms(elapsed)
        );
        if !done {
            // The budget bounds what is left; the search may well finish before it is spent.
            let by_evals = self.limit.filter(|_| self.evaluations > 0).map(|l| {
                elapsed.mul_f64(l.saturating_sub(self.evaluations) as f64 / self.evaluations as f64)
            });
            let by_time = self.t.budget.time.map(|t| t.saturating_sub(elapsed));
            let left = match (by_evals, by_time) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            if let Some(left) = left {
                line += &format!(", ETA at most ~{} (budget)", hms(left));
            }
        }
        line
    }

    /// What a search cut short by its budget skipped, in a sentence.
    fn budget_note(&self) -> String {
        let stage = if self.stage.is_empty() {
            String::new()
        } else {
            format!("{}: ", self.stage)
        };
        let budget = match (self.limit, self.t.budget.time) {
            (Some(l), _) if self.evaluations >= l => format!("the budget of {l} evaluations"),
            (_, Some(t)) => format!("the time budget of {}", hms(t)),
            _ => "the budget".to_string(),
        };
        let mut skipped: Vec<String> = Vec::new();
        // In the uniform sweep the candidates left out are the widths counted below.
        if self.unevaluated > 0 && self.phase != "uniform" {
            skipped.push(format!(
                "{} candidate configuration{} of its last step",
                self.unevaluated,
                if self.unevaluated == 1 { "" } else { "s" }
            ));
        }
        if self.phase == "descent" {
            skipped.push("the rest of that descent (the result is not a local optimum)".into());
        }
        if self.reached <= 1 && self.uniform.len() < self.uniform_planned {
            skipped.push(format!(
                "{} of {} uniform widths",
                self.uniform_planned - self.uniform.len(),
                self.uniform_planned
            ));
        }
        let n = self.n();
        let unmeasured = self.min_alone.iter().filter(|m| m.is_none()).count();
        if self.reached <= 2 && unmeasured > 0 {
            skipped.push(format!(
                "the sensitivity of {unmeasured} of {n} searched sites (each one's smallest width alone)"
            ));
        }
        if self.reached == 4 && self.phase == "exact" {
            skipped.push("the rest of the exact phase (the result is not proven optimal)".into());
        }
        // The later phases (the sensitivity is counted above).
        for i in (0..PHASES.len()).skip(self.reached + 1) {
            match i {
                3 => skipped.push("the repair and descent from the per-site minima".into()),
                4 if self.t.exact_limit > 0 => {
                    skipped.push("the exact phase (the result is not proven optimal)".into())
                }
                5 if self.t.restarts > 0 => {
                    skipped.push(format!("up to {} random restarts", self.t.restarts))
                }
                _ => {}
            }
        }
        if self.reached == 5 && self.restarts_run < self.t.restarts {
            skipped.push(format!(
                "{} of {} random restarts",
                self.t.restarts - self.restarts_run,
                self.t.restarts
            ));
        }
        let mut m = format!(
            "{stage}{budget} ran out in the {} phase after {} evaluations",
            self.phase, self.evaluations
        );
        if !skipped.is_empty() {
            m += "; not done: ";
            m += &skipped.join(", ");
        }
        m += ". The result is the best feasible configuration found so far; raise the budget (--max-evals) to \
              search further";
        m
    }

    /// Evaluates states (cached, in parallel, results in order).
    fn eval(&mut self, states: &[State]) -> Result<Vec<f64>, Halt> {
        let cfgs: Vec<Config> = states.iter().map(|s| self.config_of(s)).collect();
        let mut todo: Vec<usize> = Vec::new();
        {
            let mut fresh: HashSet<&Config> = HashSet::new();
            for (i, c) in cfgs.iter().enumerate() {
                if self.cache.contains_key(c) || !fresh.insert(c) {
                    self.cache_hits += 1;
                } else {
                    todo.push(i);
                }
            }
        }
        let mut truncated = false;
        if !todo.is_empty() {
            if self.out_of_time() {
                return Err(Halt::Budget);
            }
            if let Some(limit) = self.limit {
                let remaining = limit.saturating_sub(self.evaluations);
                if todo.len() > remaining {
                    self.unevaluated = todo.len() - remaining;
                    todo.truncate(remaining);
                    truncated = true;
                }
            }
        }
        let f = self.f;
        let pb = &self.pb;
        let results: Vec<Result<Scored, String>> = todo
            .par_iter()
            .map(|&i| {
                let cfg = &cfgs[i];
                let r = catch_unwind(AssertUnwindSafe(|| with_formats(cfg, || f(cfg))));
                pb.inc(1);
                r.map_err(panic_message)
            })
            .collect();
        for (k, &i) in todo.iter().enumerate() {
            let acc = match &results[k] {
                Ok((score, a)) => {
                    self.accuracy.insert(cfgs[i].clone(), *a);
                    *score
                }
                Err(m) => {
                    return Err(Halt::Error(TuneError::Panicked {
                        config: config_string(&cfgs[i]),
                        message: m.clone(),
                    }));
                }
            };
            self.cache.insert(cfgs[i].clone(), acc);
            self.evaluations += 1;
            let p = self.point(&states[i], acc);
            self.record(&states[i], acc);
            if p.feasible && p.objective < self.best.objective
                || (p.objective == self.best.objective && acc > self.best.score)
            {
                self.best = Best {
                    state: Some(states[i].clone()),
                    config: cfgs[i].clone(),
                    score: acc,
                    objective: p.objective,
                };
            }
            self.visited.push(p);
        }
        self.update_progress();
        if truncated {
            return Err(Halt::Budget);
        }
        Ok(cfgs.iter().map(|c| self.cache[c]).collect())
    }

    fn eval1(&mut self, st: &State) -> Result<f64, Halt> {
        Ok(self.eval(std::slice::from_ref(st))?[0])
    }

    /// State with site `s` at level `l` and every other searched site f32.
    fn alone(&self, s: usize, l: u16) -> State {
        let mut st = self.top.clone();
        st[s] = l;
        st
    }

    // ------------------------------------------------------------------ phases

    fn uniform_sweep(&mut self) -> Result<(), Halt> {
        self.phase = "uniform";
        let mut widths: Vec<u32> = self
            .bits
            .iter()
            .flat_map(|b| b[..b.len() - 1].iter().copied())
            .collect::<Vec<_>>();
        widths.sort_unstable_by(|a, b| b.cmp(a));
        widths.dedup();
        let mut states: Vec<State> = Vec::new();
        let mut ws = Vec::new();
        for &w in &widths {
            let st: State = (0..self.n())
                .map(|s| {
                    // The most accurate level of width w (the last: levels ascend in cost, and at one width a
                    // finer granularity costs more), else the first wider one.
                    let b = &self.bits[s];
                    let l = b[..b.len() - 1]
                        .iter()
                        .rposition(|&x| x == w)
                        .or_else(|| b.iter().position(|&x| x >= w))
                        .unwrap_or(b.len() - 1);
                    l.min(b.len() - 2) as u16
                })
                .collect();
            if !states.contains(&st) {
                states.push(st);
                ws.push(w);
            }
        }
        self.uniform_planned = states.len();
        let r = self.eval(&states);
        for (st, w) in states.iter().zip(ws) {
            if let Some(&acc) = self.cache.get(&self.config_of(st)) {
                let p = self.point(st, acc);
                if p.feasible {
                    let better = match &self.uniform_best {
                        None => true,
                        Some(u) => self.obj(st) < self.obj(u),
                    };
                    if better {
                        self.uniform_best = Some(st.clone());
                    }
                }
                self.uniform.push((w, p));
            }
        }
        self.uniform.sort_by_key(|(w, _)| *w);
        r.map(|_| ())
    }

    fn sensitivity(&mut self) -> Result<(), Halt> {
        self.phase = "sensitivity";
        let n = self.n();
        let mut lo = vec![0u16; n];
        let mut hi: Vec<Option<u16>> = vec![None; n];
        if self.t.sweep {
            // Every width of every site alone: also measures per-site non-monotonicity (the noise estimate).
            let states: Vec<State> = (0..n)
                .flat_map(|s| (0..self.top[s]).map(move |l| (s, l)))
                .map(|(s, l)| self.alone(s, l))
                .collect();
            self.eval(&states)?;
            for s in 0..n {
                let l = (0..self.top[s]).find(|&l| {
                    !self.clearly_infeasible(self.cache[&self.config_of(&self.alone(s, l))], n - 1)
                });
                lo[s] = l.unwrap_or(self.top[s]);
                hi[s] = Some(lo[s]);
            }
        } else {
            match (&self.uniform_best, self.t.monotone) {
                (Some(u), true) => {
                    // Alone is no less accurate than the feasible uniform point (monotonicity).
                    for s in 0..n {
                        hi[s] = Some(u[s]);
                    }
                }
                _ => {
                    let states: Vec<State> =
                        (0..n).map(|s| self.alone(s, self.top[s] - 1)).collect();
                    let accs = self.eval(&states)?;
                    for s in 0..n {
                        if !self.clearly_infeasible(accs[s], n - 1) {
                            hi[s] = Some(self.top[s] - 1);
                        } else {
                            self.min_alone[s] = Some(self.top[s]);
                        }
                    }
                }
            }
        }
        loop {
            let probes: Vec<(usize, u16)> = (0..n)
                .filter_map(|s| hi[s].filter(|&h| lo[s] < h).map(|h| (s, (lo[s] + h) / 2)))
                .collect();
            for s in 0..n {
                if let Some(h) = hi[s].filter(|&h| lo[s] >= h) {
                    self.min_alone[s] = Some(h);
                }
            }
            if probes.is_empty() {
                break;
            }
            let states: Vec<State> = probes.iter().map(|&(s, m)| self.alone(s, m)).collect();
            let accs = self.eval(&states)?;
            for (&(s, m), a) in probes.iter().zip(accs) {
                // Within the noise margin counts as feasible here: the bound must not exclude feasible combinations.
                if !self.clearly_infeasible(a, n - 1) {
                    hi[s] = Some(m);
                } else {
                    lo[s] = m + 1;
                }
            }
        }
        if self.t.monotone {
            for s in 0..n {
                self.lb[s] = self.min_alone[s].unwrap_or(0);
            }
        }
        // Measure the bound of each site (it may have been assumed from the uniform sweep), for the report.
        let states: Vec<State> = (0..n)
            .filter_map(|s| {
                self.min_alone[s]
                    .filter(|&l| l < self.top[s])
                    .map(|l| self.alone(s, l))
            })
            .collect();
        self.eval(&states)?;
        Ok(())
    }

    /// Raises sites until feasible (best accuracy gain per objective unit first). None if even all-top fails.
    fn repair(&mut self, mut cur: State) -> Result<Option<State>, Halt> {
        loop {
            let a = self.eval1(&cur)?;
            if self.feasible(a) {
                return Ok(Some(cur));
            }
            let moves: Vec<State> = (0..self.n())
                .filter(|&s| cur[s] < self.top[s])
                .map(|s| {
                    let mut m = cur.clone();
                    m[s] += 1;
                    m
                })
                .collect();
            if moves.is_empty() {
                return Ok(None);
            }
            let accs = self.eval(&moves)?;
            let o = self.obj(&cur);
            let objs: Vec<f64> = moves.iter().map(|m| self.obj(m)).collect();
            // A feasible move: the one of smallest objective.
            let mut pick: Option<usize> = None;
            for i in 0..moves.len() {
                if self.feasible(accs[i]) {
                    let better = match pick {
                        None => true,
                        Some(j) => objs[i] < objs[j] || (objs[i] == objs[j] && accs[i] > accs[j]),
                    };
                    if better {
                        pick = Some(i);
                    }
                }
            }
            if let Some(i) = pick {
                return Ok(Some(moves[i].clone()));
            }
            // Otherwise the best accuracy gain per objective unit (or, if nothing gains, the most accurate).
            let gains: Vec<f64> = accs.iter().map(|&x| acc_key(x) - acc_key(a)).collect();
            let i = if gains.iter().any(|&g| g > 0.0) {
                let ratio = |i: usize| {
                    let d = objs[i] - o;
                    if d <= 0.0 {
                        f64::INFINITY
                    } else {
                        gains[i] / d
                    }
                };
                (0..moves.len())
                    .filter(|&i| gains[i] > 0.0)
                    .fold(None::<usize>, |b, i| match b {
                        Some(j) if ratio(j) >= ratio(i) => Some(j),
                        _ => Some(i),
                    })
                    .unwrap()
            } else {
                (0..moves.len())
                    .fold(None::<usize>, |b, i| match b {
                        Some(j) if acc_key(accs[j]) >= acc_key(accs[i]) => Some(j),
                        _ => Some(i),
                    })
                    .unwrap()
            };
            cur = moves[i].clone();
        }
    }

    /// Evaluates `cands` in ascending objective, in chunks, skipping dominated ones; returns the feasible one of
    /// smallest objective (ties: higher accuracy, then earlier), stopping after the first chunk holding one, and
    /// every feasible candidate of that chunk.
    fn first_feasible(&mut self, cands: Vec<State>) -> Result<Option<(State, Vec<State>)>, Halt> {
        let mut keyed: Vec<(f64, State)> = cands.into_iter().map(|s| (self.obj(&s), s)).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        keyed.dedup_by(|a, b| a.1 == b.1);
        let mut i = 0;
        while i < keyed.len() {
            let mut chunk: Vec<(f64, State)> = Vec::new();
            while i < keyed.len()
                && (chunk.len() < self.t.batch || chunk.last().is_some_and(|c| c.0 == keyed[i].0))
            {
                if !self.dominated(&keyed[i].1) {
                    chunk.push(keyed[i].clone());
                }
                i += 1;
            }
            if chunk.is_empty() {
                continue;
            }
            let states: Vec<State> = chunk.iter().map(|c| c.1.clone()).collect();
            let accs = self.eval(&states)?;
            let mut pick: Option<usize> = None;
            for k in 0..states.len() {
                if self.feasible(accs[k]) {
                    let better = match pick {
                        None => true,
                        Some(j) => {
                            chunk[k].0 < chunk[j].0
                                || (chunk[k].0 == chunk[j].0 && accs[k] > accs[j])
                        }
                    };
                    if better {
                        pick = Some(k);
                    }
                }
            }
            if let Some(k) = pick {
                let all = (0..states.len())
                    .filter(|&k| self.feasible(accs[k]))
                    .map(|k| states[k].clone())
                    .collect();
                return Ok(Some((states[k].clone(), all)));
            }
        }
        Ok(None)
    }

    /// Local search from a feasible state: single-site lowering, then pair moves, until no move helps.
    fn descend(&mut self, mut cur: State) -> Result<State, Halt> {
        let n = self.n();
        loop {
            let o = self.obj(&cur);
            let singles: Vec<State> = (0..n)
                .filter(|&s| cur[s] > self.lb[s])
                .map(|s| {
                    let mut m = cur.clone();
                    m[s] -= 1;
                    m
                })
                .filter(|m| self.obj(m) < o)
                .collect();
            if let Some((next, all)) = self.first_feasible(singles)? {
                cur = next;
                if all.len() > 1 {
                    // Several single moves are feasible: try them all at once (one evaluation; when feasible it has
                    // the smallest objective of all the candidates).
                    let mut all_of_them = cur.clone();
                    for m in &all {
                        for (x, &y) in all_of_them.iter_mut().zip(m) {
                            *x = (*x).min(y);
                        }
                    }
                    if self.eval1(&all_of_them).map(|a| self.feasible(a))? {
                        cur = all_of_them;
                    }
                }
                continue;
            }
            // Pair moves: −k widths on a big site (saving at least 0.5% of the objective), +1 on another.
            let mut pairs: Vec<State> = Vec::new();
            for a in 0..n {
                for k in 1..=self.t.pair_depth as u16 {
                    if cur[a] < self.lb[a] + k {
                        break;
                    }
                    let mut down = cur.clone();
                    down[a] -= k;
                    if o - self.obj(&down) < 0.005 * o.abs() {
                        continue;
                    }
                    for b in 0..n {
                        if b == a || cur[b] >= self.top[b] {
                            continue;
                        }
                        let mut m = cur.clone();
                        m[a] -= k;
                        m[b] += 1;
                        if self.obj(&m) < o {
                            pairs.push(m);
                        }
                    }
                }
            }
            if let Some((next, _)) = self.first_feasible(pairs)? {
                cur = next;
                continue;
            }
            return Ok(cur);
        }
    }

    /// Width vectors in ascending objective below the best, skipping dominated ones; the first feasible one is
    /// optimal under monotonicity.
    fn exact(&mut self) -> Result<(), Halt> {
        if self.t.exact_limit == 0 {
            return Ok(());
        }
        self.phase = "exact";
        let n = self.n();
        let start_evals = self.evaluations;
        let mut heap: BinaryHeap<Reverse<(OrdF64, u64, State, usize)>> = BinaryHeap::new();
        let mut seq = 0u64;
        let lb = self.lb.clone();
        let o = self.obj(&lb);
        if o < self.best.objective {
            heap.push(Reverse((OrdF64(o), seq, lb, 0)));
        }
        let mut pending: Vec<State> = Vec::new();
        let mut pops = 0usize;
        loop {
            let next = heap.pop();
            let flush = match &next {
                None => true,
                Some(Reverse((o, ..))) => {
                    o.0 >= self.best.objective || pending.len() >= self.t.batch
                }
            };
            if flush && !pending.is_empty() {
                let states = std::mem::take(&mut pending);
                let accs = self.eval(&states)?;
                if accs.iter().any(|&a| self.feasible(a)) {
                    self.exact_complete = true;
                    return Ok(());
                }
                if self.evaluations - start_evals >= self.t.exact_limit {
                    return Ok(());
                }
            }
            let Some(Reverse((o, _, st, last))) = next else {
                self.exact_complete = true;
                return Ok(());
            };
            if o.0 >= self.best.objective {
                self.exact_complete = true;
                return Ok(());
            }
            pops += 1;
            if pops > MAX_POPS {
                return Ok(());
            }
            if pops.is_multiple_of(1024) && self.out_of_time() {
                return Err(Halt::Budget);
            }
            for i in last..n {
                if st[i] < self.top[i] {
                    let mut c = st.clone();
                    c[i] += 1;
                    let oc = self.obj(&c);
                    if oc < self.best.objective {
                        seq += 1;
                        heap.push(Reverse((OrdF64(oc), seq, c, i)));
                    }
                }
            }
            if self.dominated(&st) || self.cache.contains_key(&self.config_of(&st)) {
                continue;
            }
            pending.push(st);
        }
    }

    fn restarts(&mut self) -> Result<(), Halt> {
        if self.exact_complete || self.t.restarts == 0 {
            return Ok(());
        }
        let mut rng = SplitMix(self.t.seed ^ 0x5eed_1ab5_0000_0001);
        for _ in 0..self.t.restarts {
            self.phase = "restart";
            self.restarts_run += 1;
            let Some(base) = self.best.state.clone() else {
                return Ok(());
            };
            let mut st = base.clone();
            for (s, l) in st.iter_mut().enumerate() {
                match rng.below(3) {
                    0 => *l = (*l + 1 + rng.below(2) as u16).min(self.top[s]),
                    1 if *l > self.lb[s] => *l -= 1,
                    _ => {}
                }
            }
            if st == base {
                continue;
            }
            if let Some(r) = self.repair(st)? {
                self.phase = "descent";
                self.descend(r)?;
            }
        }
        Ok(())
    }

    /// Integer inputs (see [`Tuner::integer_inputs`]): every input site not searched (input parameters, the
    /// state named by [`Tuner::integer_state`], and the other sites inner products take as operands, such as a
    /// local window: the profile's `operand`) gets the fixed-point
    /// format of the narrowest listed width whose loss, all else f32, is at most a quarter of the tolerance.
    /// When no width is good enough for all of them at once, [`Self::integer_inputs_per_site`] grants them one
    /// by one.
    fn integer_inputs(&mut self) -> Result<(), Halt> {
        let widths = self.t.integer_inputs.clone();
        if widths.is_empty() {
            return Ok(());
        }
        self.phase = "inputs";
        let searched: HashSet<&str> = self.sites.iter().map(|s| s.name.as_str()).collect();
        let space = super::Space {
            families: vec![super::Family::Fixed],
            ..self.t.space.clone()
        };
        // Each input site with its candidate per width (None: no candidate of that width).
        let inputs: Vec<(String, Vec<Option<Format>>)> = self
            .t
            .profile
            .sites
            .iter()
            .filter(|(n, s)| {
                (s.kind == SiteKind::Input
                    || s.operand
                    || s.kind == SiteKind::Output && self.t.is_state(n))
                    && !searched.contains(n.as_str())
                    && !self.fixed.contains_key(*n)
            })
            .map(|(n, s)| {
                let cands = widths
                    .iter()
                    .map(|&w| super::space::candidate(&s.stats, &space, w))
                    .collect();
                (n.clone(), cands)
            })
            .collect();
        if inputs.is_empty() {
            return Ok(());
        }
        let cfgs: Vec<Config> = (0..widths.len())
            .map(|k| {
                let mut c = self.fixed.clone();
                for (n, cands) in &inputs {
                    if let Some(f) = &cands[k] {
                        c.insert(n.clone(), *f);
                    }
                }
                c
            })
            .collect();
        let labels = widths.iter().map(|w| format!("inputs {w}")).collect();
        let scores = self.eval_inputs(&cfgs, labels)?;
        let good = self.baseline - (self.baseline - self.target) / 4.0;
        if let Some(k) = scores.iter().position(|&a| a >= good) {
            self.inputs = Some(widths[k]);
            self.input_sites = inputs
                .iter()
                .filter(|(_, c)| c[k].is_some())
                .map(|(n, _)| (n.clone(), widths[k]))
                .collect();
            self.fixed = cfgs[k].clone();
        } else if inputs.len() > 1 {
            self.integer_inputs_per_site(&inputs, &widths, good)?;
        }
        self.update_progress();
        Ok(())
    }

    /// Integer inputs one site at a time, for models where no width is good enough for every input site at
    /// once (one sensitive site, a recurrent state, keeps the others f32 otherwise): each site alone at every
    /// width (all else as fixed so far); then, in ascending order of their loss alone at their narrowest good
    /// width, each site is added to the sites granted so far at the narrowest of its good widths that keeps the
    /// loss of all of them together at most a quarter of the tolerance, or stays f32.
    fn integer_inputs_per_site(
        &mut self,
        inputs: &[(String, Vec<Option<Format>>)],
        widths: &[u32],
        good: f64,
    ) -> Result<(), Halt> {
        self.phase = "inputs per site";
        let mut cfgs = Vec::new();
        let mut labels = Vec::new();
        let mut which = Vec::new();
        for (s, (n, cands)) in inputs.iter().enumerate() {
            for (k, f) in cands.iter().enumerate() {
                if let Some(f) = f {
                    let mut c = self.fixed.clone();
                    c.insert(n.clone(), *f);
                    cfgs.push(c);
                    labels.push(format!("inputs {n} {}", widths[k]));
                    which.push((s, k));
                }
            }
        }
        let alone = self.eval_inputs(&cfgs, labels)?;
        // Per site: its good widths (narrowest first) and its score alone at the narrowest.
        let mut good_widths: Vec<(usize, f64, Vec<usize>)> = Vec::new();
        for (s, _) in inputs.iter().enumerate() {
            let ks: Vec<(usize, f64)> = which
                .iter()
                .zip(&alone)
                .filter(|((t, _), a)| *t == s && **a >= good)
                .map(|((_, k), a)| (*k, *a))
                .collect();
            if let Some(&(_, a)) = ks.first() {
                good_widths.push((s, a, ks.iter().map(|(k, _)| *k).collect()));
            }
        }
        // Least loss first; ties in site order (the profile's, deterministic).
        good_widths.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        for (s, _, ks) in good_widths {
            let (n, cands) = &inputs[s];
            let cfgs: Vec<Config> = ks
                .iter()
                .map(|&k| {
                    let mut c = self.fixed.clone();
                    c.insert(n.clone(), cands[k].expect("a good width has a candidate"));
                    c
                })
                .collect();
            let labels = ks
                .iter()
                .map(|&k| format!("inputs +{n} {}", widths[k]))
                .collect();
            let scores = self.eval_inputs(&cfgs, labels)?;
            if let Some(j) = scores.iter().position(|&a| a >= good) {
                self.fixed = cfgs[j].clone();
                self.input_sites.push((n.clone(), widths[ks[j]]));
            }
        }
        self.input_sites.sort();
        Ok(())
    }

    /// Evaluates configurations of the integer-inputs phase (in parallel), recording them like the search's;
    /// their scores in order.
    fn eval_inputs(&mut self, cfgs: &[Config], labels: Vec<String>) -> Result<Vec<f64>, Halt> {
        if let Some(limit) = self.limit
            && self.evaluations + cfgs.len() > limit
        {
            return Err(Halt::Budget);
        }
        let f = self.f;
        let pb = &self.pb;
        let results: Vec<Result<Scored, String>> = cfgs
            .par_iter()
            .map(|cfg| {
                let r = catch_unwind(AssertUnwindSafe(|| with_formats(cfg, || f(cfg))));
                pb.inc(1);
                r.map_err(panic_message)
            })
            .collect();
        let mut scores = Vec::with_capacity(cfgs.len());
        for ((cfg, r), label) in cfgs.iter().zip(results).zip(labels) {
            let (acc, raw) = r.map_err(|m| {
                Halt::Error(TuneError::Panicked {
                    config: config_string(cfg),
                    message: m,
                })
            })?;
            self.evaluations += 1;
            self.cache.insert(cfg.clone(), acc);
            self.accuracy.insert(cfg.clone(), raw);
            let param_bits = self.param_bits(cfg);
            self.visited.push(Point {
                objective: self.t.objective.value(cfg, self.t.profile),
                param_bits,
                accuracy: raw,
                feasible: acc >= self.target,
                label,
                phase: self.phase,
            });
            scores.push(acc);
        }
        Ok(scores)
    }

    fn search(&mut self) -> Result<(), Halt> {
        let mut done: Vec<State> = Vec::new();
        if let Some(w) = self.warm.take() {
            // A coarser search's result: its formats are levels of these ladders, so descending from it can only
            // find smaller feasible configurations.
            self.phase = "warm";
            self.reached = 0;
            let st: State = (0..self.n())
                .map(|s| {
                    let c = &self.sites[s];
                    w.get(&c.name)
                        .and_then(|f| c.levels.iter().position(|l| l == f))
                        .map_or(self.top[s], |l| l as u16)
                })
                .collect();
            let a = self.eval1(&st)?;
            if self.feasible(a) {
                self.phase = "descent";
                done.push(st.clone());
                self.descend(st)?;
            }
        }
        self.reached = 1;
        self.uniform_sweep()?;
        // Descend from the best uniform point first: it is feasible, and single-site moves from it improve the
        // result from the first steps on, so a search cut short by its budget still gets most of the gain.
        if let Some(u) = self.uniform_best.clone() {
            self.phase = "descent";
            done.push(u.clone());
            self.descend(u)?;
        }
        self.reached = 2;
        self.sensitivity()?;
        self.reached = 3;
        self.phase = "repair";
        let minima: State = (0..self.n())
            .map(|s| self.min_alone[s].unwrap_or(self.top[s]))
            .collect();
        let repaired = self.repair(minima)?;
        self.phase = "descent";
        let mut starts: Vec<State> = Vec::new();
        starts.extend(repaired);
        for s in starts {
            if !done.contains(&s) {
                done.push(s.clone());
                self.descend(s)?;
            }
        }
        // The best point may have come from elsewhere: make sure it is a local optimum too.
        while let Some(b) = self.best.state.clone() {
            if done.contains(&b) {
                break;
            }
            done.push(b.clone());
            self.descend(b)?;
        }
        let before = self.best.state.clone();
        self.reached = 4;
        self.exact()?;
        if let Some(b) = self
            .best
            .state
            .clone()
            .filter(|b| Some(b) != before.as_ref())
        {
            self.phase = "descent";
            self.descend(b)?;
        }
        self.reached = 5;
        self.restarts()?;
        Ok(())
    }
}

/// One search over `sites` with at most `limit` evaluations, descending first from `warm` (if given, and
/// feasible) when its formats are on the sites' ladders (a site whose format is not is taken at f32). `stage`
/// names the search in progress lines when the tuner runs several (else `""`).
///
/// With progress on, a terminal shows a progress bar; any other stderr (a log) gets a line at most every
/// [`Tuner::progress_interval`] and one at the end. A search cut short by its budget says on stderr what it skipped (also in
/// [`Outcome::cut_short`]). None of this changes what the search evaluates.
pub(super) fn run<F>(
    t: &Tuner<'_>,
    sites: Vec<SiteCandidates>,
    fixed: Config,
    f: &F,
    warm: Option<Config>,
    limit: Option<usize>,
    stage: &'static str,
) -> Result<Outcome, TuneError>
where
    F: Fn(&Config) -> Scored + Sync,
{
    let start = Instant::now();
    let profile = t.profile;
    let bits: Vec<Vec<u32>> = sites
        .iter()
        .map(|s| s.levels.iter().map(|f| f.bits()).collect())
        .collect();
    let cost_bits: Vec<Vec<f64>> = sites
        .iter()
        .map(|s| {
            s.levels
                .iter()
                .map(|f| f.storage_bits(s.len.max(1)) as f64 / s.len.max(1) as f64)
                .collect()
        })
        .collect();
    let top: Vec<u16> = sites.iter().map(|s| (s.levels.len() - 1) as u16).collect();
    let weights: Vec<(String, u64)> = profile
        .sites
        .iter()
        .filter(|(_, s)| s.kind == SiteKind::Weight)
        .map(|(n, s)| (n.clone(), s.values()))
        .collect();
    let linear_kinds: Option<&[SiteKind]> = match t.objective {
        Objective::ParamBits => Some(&[SiteKind::Weight]),
        Objective::ActivationBits => Some(&super::ACTIVATIONS),
        _ => None,
    };
    let cost = match linear_kinds {
        Some(kinds) => {
            let mut all = fixed.clone();
            for s in &sites {
                all.remove(&s.name);
            }
            // Everything but the searched sites, which contribute coef × bits.
            let searched: HashSet<&str> = sites.iter().map(|s| s.name.as_str()).collect();
            let c0 = profile
                .sites
                .iter()
                .filter(|(n, s)| kinds.contains(&s.kind) && !searched.contains(n.as_str()))
                .map(|(n, s)| {
                    let len = s.values();
                    all.get(n).map_or(32 * len, |f| f.storage_bits(len)) as f64
                })
                .sum();
            let coef = sites
                .iter()
                .map(|s| {
                    if kinds.contains(&s.kind) {
                        s.len as f64
                    } else {
                        0.0
                    }
                })
                .collect();
            Cost::Linear { c0, coef }
        }
        None => Cost::General,
    };
    let terminal = std::io::stderr().is_terminal();
    let pb = if t.progress && terminal {
        let pb = match limit {
            Some(n) => ProgressBar::new(n as u64).with_style(
                ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} evals  {msg}",
                )
                .expect("valid template"),
            ),
            None => ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} [{elapsed_precise}] {pos} evals  {msg}")
                    .expect("valid template"),
            ),
        };
        pb.enable_steady_tick(std::time::Duration::from_millis(200));
        pb
    } else {
        ProgressBar::hidden()
    };
    let n = sites.len();
    let mut e = Engine {
        t,
        f,
        sites,
        bits,
        cost_bits,
        top,
        fixed,
        cost,
        weights,
        baseline: f64::NAN,
        target: f64::NAN,
        cache: HashMap::new(),
        accuracy: HashMap::new(),
        evaluations: 0,
        cache_hits: 0,
        visited: Vec::new(),
        evaluated: Vec::new(),
        noise: 0.0,
        infeasible: Vec::new(),
        strong: Vec::new(),
        weak: Vec::new(),
        strong_margin: f64::NAN,
        best: Best {
            state: None,
            config: Config::new(),
            score: f64::NAN,
            objective: f64::INFINITY,
        },
        lb: vec![0; n],
        min_alone: vec![None; n],
        uniform: Vec::new(),
        uniform_best: None,
        start,
        pb,
        phase: "baseline",
        exact_complete: false,
        inputs: None,
        input_sites: Vec::new(),
        limit,
        warm,
        log: (t.progress && !terminal).then(Instant::now),
        stage,
        reached: 0,
        uniform_planned: 0,
        restarts_run: 0,
        unevaluated: 0,
    };

    if e.log.is_some() {
        let budget = match (limit, t.budget.time) {
            (Some(l), Some(d)) => format!("at most {l} evaluations and {}", hms(d)),
            (Some(l), None) => format!("at most {l} evaluations"),
            (None, Some(d)) => format!("at most {}", hms(d)),
            (None, None) => "no budget".to_string(),
        };
        let stage = if stage.is_empty() {
            String::new()
        } else {
            format!(" [{stage}]")
        };
        eprintln!(
            "tune{stage}: searching {n} sites, {budget}; a progress line every {}",
            hms(t.progress_interval)
        );
    }
    // Baseline: every site f32.
    let empty = Config::new();
    let (_, baseline) = catch_unwind(AssertUnwindSafe(|| with_formats(&empty, || f(&empty))))
        .map_err(|p| TuneError::Panicked {
            config: config_string(&empty),
            message: panic_message(p),
        })?;
    if !baseline.is_finite() {
        return Err(TuneError::BaselineNotFinite(baseline));
    }
    e.baseline = baseline;
    e.target = t.tolerance.target(baseline);
    if let Some((z, n)) = t.margin {
        let b = baseline.clamp(0.0, 1.0);
        e.target += z * (b * (1.0 - b) / n as f64).sqrt();
    }
    e.evaluations = 1;
    e.cache.insert(empty.clone(), baseline);
    e.accuracy.insert(empty.clone(), baseline);
    let base_obj = t.objective.value(&empty, profile);
    let f32_param_bits = e.param_bits(&empty);
    e.visited.push(Point {
        objective: base_obj,
        param_bits: f32_param_bits,
        accuracy: baseline,
        feasible: true,
        label: "f32".into(),
        phase: "baseline",
    });
    e.best = Best {
        state: None,
        config: empty,
        score: baseline,
        objective: base_obj,
    };
    match e.integer_inputs() {
        Ok(()) | Err(Halt::Budget) => {}
        Err(Halt::Error(err)) => {
            e.pb.finish_and_clear();
            return Err(err);
        }
    }
    if e.fixed.is_empty() {
        // The all-f32 state is the baseline: a reference for the noise estimate.
        let top = e.top.clone();
        e.evaluated.push((top, baseline));
    }

    let budget_exhausted = match e.search() {
        Ok(()) => false,
        Err(Halt::Budget) => true,
        Err(Halt::Error(err)) => {
            e.pb.finish_and_clear();
            return Err(err);
        }
    };
    e.pb.finish_and_clear();
    if e.log.is_some() {
        eprintln!("{}", e.log_line(true));
    }
    let cut_short: Vec<String> = budget_exhausted
        .then(|| e.budget_note())
        .into_iter()
        .collect();
    if t.progress {
        for note in &cut_short {
            eprintln!("tune: {note}");
        }
    }

    let quantizes = e
        .best
        .state
        .as_ref()
        .is_some_and(|st| st.iter().zip(&e.top).any(|(a, b)| a < b));
    // Smallest width measured feasible with every other searched site f32.
    let sensitivities: Vec<(String, Option<u32>)> = (0..n)
        .map(|s| {
            let l = e
                .evaluated
                .iter()
                .filter(|(st, a)| {
                    e.feasible(*a)
                        && st[s] < e.top[s]
                        && st.iter().enumerate().all(|(i, &l)| i == s || l == e.top[i])
                })
                .map(|(st, _)| st[s])
                .min();
            (e.sites[s].name.clone(), l.map(|l| e.bits[s][l as usize]))
        })
        .collect();
    if !budget_exhausted && !quantizes {
        let widest = e.uniform.last().map(|(w, p)| (*w, p.accuracy));
        return Err(TuneError::Infeasible {
            baseline,
            target: e.target,
            widest,
            sensitivities,
        });
    }

    let config = e.best.config.clone();
    let mut feasible: Vec<(f64, Config, f64)> = e
        .evaluated
        .iter()
        .filter(|(_, a)| e.feasible(*a))
        .map(|(st, a)| (e.obj(st), e.config_of(st), *a))
        .chain(std::iter::once((
            e.best.objective,
            config.clone(),
            e.best.score,
        )))
        .collect();
    // Ordered by score (ties: higher first); reported with their accuracies.
    let raw = |c: &Config, score: f64| e.accuracy.get(c).copied().unwrap_or(score);
    feasible.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.2.total_cmp(&a.2)));
    let mut seen = std::collections::HashSet::new();
    feasible.retain(|(_, c, _)| !c.is_empty() && seen.insert(config_string(c)));
    let mut feasible: Vec<(f64, Config, f64)> = feasible
        .into_iter()
        .map(|(o, c, a)| {
            let a = raw(&c, a);
            (o, c, a)
        })
        .collect();
    feasible.push((base_obj, Config::new(), baseline));
    let alone: HashMap<&str, Option<u32>> = sensitivities
        .iter()
        .map(|(n, w)| (n.as_str(), *w))
        .collect();
    let site_reports = profile
        .sites
        .iter()
        .map(|(name, s)| {
            let format = config.get(name).copied().unwrap_or(Format::F32);
            SiteReport {
                name: name.clone(),
                kind: s.kind,
                len: s.values(),
                format,
                bits: format.bits(),
                searched: alone.contains_key(name.as_str()),
                min_width_alone: alone.get(name.as_str()).copied().flatten(),
            }
        })
        .collect();
    Ok(Outcome {
        param_bits: e.param_bits(&config),
        config,
        baseline,
        target: e.target,
        accuracy: raw(&e.best.config, e.best.score),
        tolerance: t.tolerance,
        objective: t.objective.name(),
        objective_value: e.best.objective,
        baseline_objective: base_obj,
        f32_param_bits,
        evaluations: e.evaluations,
        cache_hits: e.cache_hits,
        elapsed: start.elapsed(),
        budget_exhausted,
        cut_short,
        exact: e.exact_complete,
        seed: t.seed,
        profile_hash: profile.hash(),
        searched: e.sites.iter().map(|s| s.name.clone()).collect(),
        integer_inputs: e.inputs,
        integer_input_sites: e.input_sites,
        visited: e.visited,
        uniform: e.uniform,
        sites: site_reports,
        feasible,
        confirmation: None,
    })
}
