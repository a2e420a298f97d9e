//! The model side of the libnumber workflow: what a user's crate says about its model, once, so that one
//! command (`cargo number tune --example <name>`) can profile, tune, rebuild and verify it.
//!
//! A [`Task`] names the model, says how to load it, which inputs to use ([`Split`]), how to run it on one input
//! (any input type: an image, a labelled pair, a whole audio clip streamed through a stateful model), and how to
//! score its outputs ([`Metric`]: classification accuracy, agreement with the f32 model's decisions, output error
//! against the f32 model, or any closure). `number_rt::workflow::main` runs it in every build mode; the tuner
//! (`number_tune::workflow`) takes it in calibrate builds.
//!
//! ```
//! use number_runtime::workflow::{Metric, Split, Task};
//! // A "model" that scales its input; inputs are plain vectors, scored against the f32 outputs.
//! let task = Task::new(
//!     "scale",
//!     || Ok::<_, std::io::Error>(2.0f32),
//!     |split| Ok::<_, std::io::Error>(match split {
//!         Split::Calibration => vec![vec![1.0f32, 2.0]],
//!         _ => vec![vec![3.0, 4.0], vec![5.0, 6.0]],
//!     }),
//!     |m: &f32, x: &Vec<f32>| x.iter().map(|v| m * v).collect(),
//! )
//! .metric(Metric::RelativeMse);
//! let model = task.load().unwrap();
//! let inputs = task.data(Split::Test).unwrap();
//! let out: Vec<Vec<f32>> = inputs.iter().map(|x| task.run(&model, x)).collect();
//! let xs: Vec<&Vec<f32>> = inputs.iter().collect();
//! assert_eq!(task.metric_ref().score(&xs, &out, &out), 1.0);
//! ```
use number_formats::packed::WeightRead;
use std::path::{Path, PathBuf};

/// The JSON library of [`Outputs::extra`] and [`WeightInfo::to_json`].
pub use serde_json;

/// Errors of the user's closures (loading the model or its data): anything that converts into a boxed error,
/// so `?` works on the user's own error types.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Which inputs a step uses: profiling and GPTQ statistics on [`Calibration`](Split::Calibration) inputs, the
/// search and its confirmation on [`Validation`](Split::Validation), reported figures and the tuned == emulation
/// check on [`Test`](Split::Test). The three should be disjoint: a search scored on the data it reports on
/// overstates itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Split {
    /// Inputs the profiler and GPTQ see (training data is fine).
    Calibration,
    /// Inputs the search and its confirmation are scored on.
    Validation,
    /// Inputs the results are reported on.
    Test,
}

impl Split {
    /// `calibration`, `validation` or `test`.
    pub fn name(self) -> &'static str {
        match self {
            Split::Calibration => "calibration",
            Split::Validation => "validation",
            Split::Test => "test",
        }
    }

    /// Parses [`name`](Self::name) (also `train` for calibration, `val` for validation).
    pub fn parse(s: &str) -> Result<Split, String> {
        match s {
            "calibration" | "train" => Ok(Split::Calibration),
            "validation" | "val" => Ok(Split::Validation),
            "test" => Ok(Split::Test),
            _ => Err(format!(
                "unknown split `{s}`: expected `calibration`, `validation` or `test`"
            )),
        }
    }
}

/// How outputs are scored (higher is better). The tuner keeps the score of the tuned formats within the relative
/// tolerance (`--max-loss`) of the f32 model's score.
///
/// Every metric sees, for a set of inputs, the outputs under the formats being measured and the f32 model's
/// outputs on the same inputs (`reference`), so metrics against the f32 model need no labels.
pub enum Metric<I> {
    /// Classification accuracy: the fraction of inputs whose output's largest value is at the index the closure
    /// gives as the input's label.
    Accuracy(Box<dyn Fn(&I) -> usize + Send + Sync>),
    /// The fraction of inputs on which the output's largest value is where the f32 model's is (the decisions
    /// agree); f32 scores 1.
    Agreement,
    /// `1 − Σ‖y − y₃₂‖² / Σ‖y₃₂‖²` over the set: one minus the relative squared error against the f32 outputs
    /// (a signal-to-noise ratio; `--max-loss 1%` allows an error energy of 1% of the signal's, 20 dB).
    RelativeMse,
    /// `1 − max|y − y₃₂| / max|y₃₂|` over the set: the worst output error relative to the largest f32 output.
    MaxAbs,
    /// The coefficient of determination against targets, for regression and reconstruction:
    /// `1 − Σ(y − t)² / Σ(t − t̄)²` over every output value of the set, `t` the target the closure gives for an
    /// input (as long as the output) and `t̄` the mean of all target values of the set. Needs no f32 outputs.
    RSquared(Box<Target<I>>),
    /// Any score of a set, named in reports: `(inputs, outputs, f32 outputs) → score`, higher is better.
    Custom(String, Box<CustomScore<I>>),
}

/// The closure of [`Metric::RSquared`]: the target outputs of an input.
pub type Target<I> = dyn Fn(&I) -> Vec<f32> + Send + Sync;

/// The closure of [`Metric::Custom`].
pub type CustomScore<I> = dyn Fn(&[&I], &[Vec<f32>], &[Vec<f32>]) -> f64 + Send + Sync;

impl<I> Metric<I> {
    /// Classification accuracy with the label of each input given by `label`.
    pub fn accuracy(label: impl Fn(&I) -> usize + Send + Sync + 'static) -> Metric<I> {
        Metric::Accuracy(Box::new(label))
    }

    /// R² against the targets `target` gives for each input ([`Metric::RSquared`]); an autoencoder's target
    /// is its input:
    ///
    /// ```
    /// use number_runtime::workflow::Metric;
    /// let m = Metric::r_squared(|x: &Vec<f32>| x.clone());
    /// let (a, b) = (vec![0.0, 1.0], vec![1.0, 0.0]);
    /// assert_eq!(m.score(&[&a, &b], &[a.clone(), b.clone()], &[]), 1.0);
    /// assert_eq!(m.score(&[&a, &b], &[vec![0.5; 2], vec![0.5; 2]], &[]), 0.0);
    /// ```
    pub fn r_squared(target: impl Fn(&I) -> Vec<f32> + Send + Sync + 'static) -> Metric<I> {
        Metric::RSquared(Box::new(target))
    }

    /// A custom score of a set of outputs, named `name` in reports.
    pub fn custom(
        name: &str,
        score: impl Fn(&[&I], &[Vec<f32>], &[Vec<f32>]) -> f64 + Send + Sync + 'static,
    ) -> Metric<I> {
        Metric::Custom(name.to_string(), Box::new(score))
    }

    /// The metric's name in reports.
    pub fn name(&self) -> &str {
        match self {
            Metric::Accuracy(_) => "accuracy",
            Metric::Agreement => "agreement with f32",
            Metric::RelativeMse => "1 - relative MSE vs f32",
            Metric::MaxAbs => "1 - relative max abs error vs f32",
            Metric::RSquared(_) => "R² vs targets",
            Metric::Custom(name, _) => name,
        }
    }

    /// Whether the metric compares with the f32 model's outputs ([`Agreement`](Metric::Agreement),
    /// [`RelativeMse`](Metric::RelativeMse), [`MaxAbs`](Metric::MaxAbs), and [`Custom`](Metric::Custom), whose
    /// closure receives them): a build that has only its own outputs (`eval` of a tuned build) cannot score
    /// those; [`Accuracy`](Metric::Accuracy) and [`RSquared`](Metric::RSquared) need only labels or targets.
    pub fn needs_reference(&self) -> bool {
        !matches!(self, Metric::Accuracy(_) | Metric::RSquared(_))
    }

    /// Whether the outputs are class scores whose largest value is the decision ([`Accuracy`](Metric::Accuracy),
    /// [`Agreement`](Metric::Agreement)): `eval` then also writes each input's predicted class.
    pub fn is_classification(&self) -> bool {
        matches!(self, Metric::Accuracy(_) | Metric::Agreement)
    }

    /// The score of `outputs` on `inputs` when the metric needs no f32 outputs ([`needs_reference`]
    /// (Self::needs_reference) is false); `None` otherwise.
    pub fn score_alone(&self, inputs: &[&I], outputs: &[Vec<f32>]) -> Option<f64> {
        (!self.needs_reference()).then(|| self.score(inputs, outputs, &[]))
    }

    /// Per-input outcomes (right / wrong) for the metrics that are fractions of inputs ([`Accuracy`]
    /// (Metric::Accuracy), [`Agreement`](Metric::Agreement)): the tuner then uses a paired test; `None` for the
    /// others.
    pub fn outcomes(
        &self,
        inputs: &[&I],
        outputs: &[Vec<f32>],
        reference: &[Vec<f32>],
    ) -> Option<Vec<bool>> {
        match self {
            Metric::Accuracy(label) => Some(
                inputs
                    .iter()
                    .zip(outputs)
                    .map(|(x, y)| argmax(y) == Some(label(x)))
                    .collect(),
            ),
            Metric::Agreement => Some(
                outputs
                    .iter()
                    .zip(reference)
                    .map(|(y, r)| argmax(y) == argmax(r))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The score of `outputs` on `inputs` (`reference`: the f32 model's outputs on them).
    pub fn score(&self, inputs: &[&I], outputs: &[Vec<f32>], reference: &[Vec<f32>]) -> f64 {
        if let Some(o) = self.outcomes(inputs, outputs, reference) {
            return o.iter().filter(|&&c| c).count() as f64 / o.len().max(1) as f64;
        }
        match self {
            Metric::RelativeMse => {
                let (mut err, mut sig) = (0.0f64, 0.0f64);
                for (y, r) in outputs.iter().zip(reference) {
                    if y.len() != r.len() {
                        return f64::NEG_INFINITY;
                    }
                    for (&a, &b) in y.iter().zip(r) {
                        err += (a as f64 - b as f64).powi(2);
                        sig += (b as f64).powi(2);
                    }
                }
                relative(err, sig)
            }
            Metric::MaxAbs => {
                let (mut err, mut top) = (0.0f64, 0.0f64);
                for (y, r) in outputs.iter().zip(reference) {
                    if y.len() != r.len() {
                        return f64::NEG_INFINITY;
                    }
                    for (&a, &b) in y.iter().zip(r) {
                        err = err.max((a as f64 - b as f64).abs());
                        top = top.max((b as f64).abs());
                    }
                }
                relative(err, top)
            }
            Metric::RSquared(target) => {
                let targets: Vec<Vec<f32>> = inputs.iter().map(|x| target(x)).collect();
                let count: usize = targets.iter().map(Vec::len).sum();
                let mean =
                    targets.iter().flatten().map(|&t| t as f64).sum::<f64>() / count.max(1) as f64;
                let (mut err, mut var) = (0.0f64, 0.0f64);
                for (y, t) in outputs.iter().zip(&targets) {
                    if y.len() != t.len() {
                        return f64::NEG_INFINITY;
                    }
                    for (&a, &b) in t.iter().zip(y) {
                        err += (a as f64 - b as f64).powi(2);
                        var += (a as f64 - mean).powi(2);
                    }
                }
                relative(err, var)
            }
            Metric::Custom(_, f) => f(inputs, outputs, reference),
            Metric::Accuracy(_) | Metric::Agreement => unreachable!("scored as outcomes above"),
        }
    }
}

/// `1 − err / sig`; NaN errors (a non-finite output) score −∞, and so does any error against an all-zero
/// reference.
fn relative(err: f64, sig: f64) -> f64 {
    if err.is_nan() {
        f64::NEG_INFINITY
    } else if err == 0.0 {
        1.0
    } else if sig > 0.0 {
        1.0 - err / sig
    } else {
        f64::NEG_INFINITY
    }
}

/// Index of the largest value: the first of equal ones, and NaN never counts as larger (so an output that is
/// all NaN picks index 0, like `argmax` loops written with `>`); `None` for an empty output.
pub fn argmax(y: &[f32]) -> Option<usize> {
    if y.is_empty() {
        return None;
    }
    let mut best = 0;
    for (i, &v) in y.iter().enumerate() {
        if v > y[best] {
            best = i;
        }
    }
    Some(best)
}

/// A weight tensor of a model as the current build stores it (what [`Task::weights`] reports): `eval` sums
/// them into the parameter bits of its [`Outputs`], `bench` into the resident weight bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightInfo {
    /// Site name (`Fc1/dense.w`).
    pub site: String,
    /// Number of values.
    pub len: usize,
    /// Format in this build (`f32` in plain and calibrate builds, unless emulating a tuned file).
    pub format: String,
    /// Bits per value (the code width; block formats also store 3 bits per block, counted in `storage_bits`).
    pub bits: u32,
    /// Bits the tensor occupies in storage (`Format::storage_bits`).
    pub storage_bits: u64,
    /// Bytes the tensor occupies in memory in this build (`len × size_of` of its storage type, or the words of a
    /// packed tensor).
    pub bytes: usize,
}

impl WeightInfo {
    /// The [`WeightInfo`] of a weight tensor stored as `T` (its format, bits and resident bytes): in a model's
    /// `weights` closure, `weight_info("Fc1/dense.w", &self.fc1_w)` for each weight tensor.
    /// `w` is a slice or `Vec` of `T`, or a packed tensor ([`Packed<T>`](number_formats::Packed)).
    pub fn of<T: number_formats::Number, W: ?Sized + WeightRead<T>>(
        site: &str,
        w: &W,
    ) -> WeightInfo {
        let len = w.weight_len();
        WeightInfo {
            site: site.into(),
            len,
            format: T::FORMAT.to_string(),
            bits: T::FORMAT.bits(),
            storage_bits: T::FORMAT.storage_bits(len as u64),
            bytes: w.resident_bytes(),
        }
    }

    /// The same tensor in `format` (a calibrate build emulating a tuned file): format, bits and storage bits
    /// follow it; the resident bytes stay this build's.
    pub fn in_format(mut self, format: number_formats::Format) -> WeightInfo {
        self.format = format.to_string();
        self.bits = format.bits();
        self.storage_bits = format.storage_bits(self.len as u64);
        self
    }

    /// The JSON form (an object with the fields above).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "site": self.site, "len": self.len, "format": self.format, "bits": self.bits,
            "storage_bits": self.storage_bits, "bytes": self.bytes,
        })
    }
}

/// [`WeightInfo::of`].
pub fn weight_info<T: number_formats::Number, W: ?Sized + WeightRead<T>>(
    site: &str,
    w: &W,
) -> WeightInfo {
    WeightInfo::of(site, w)
}

type Loader<M> = dyn Fn() -> Result<M, BoxError>;
type Data<I> = dyn Fn(Split) -> Result<Vec<I>, BoxError>;
type Runner<M, I> = dyn Fn(&M, &I) -> Vec<f32> + Sync;
type Weights<M> = dyn Fn(&M) -> Vec<WeightInfo>;

/// A model and how to load, feed, run and score it: everything the workflow needs from a user's crate.
///
/// `M` is the model (its weights, stored in the site types of the build: see
/// [`weights::to_site`](crate::weights::to_site)), `I` one input. The model is loaded after the build's rounded
/// weights are installed, so load it inside the `load` closure, not before.
pub struct Task<M, I> {
    name: String,
    tuned_rs: PathBuf,
    load: Box<Loader<M>>,
    data: Box<Data<I>>,
    run: Box<Runner<M, I>>,
    metric: Metric<I>,
    integer_state: Vec<String>,
    weights: Option<Box<Weights<M>>>,
    target: Option<String>,
}

impl<M, I> Task<M, I> {
    /// A task named `name` (the example or binary name: reports go to `target/number/<name>`): `load` builds
    /// the model, `data` gives the inputs of a split, `run` runs the model on one input and returns its outputs
    /// (a stateful or streaming model creates its state inside `run`). The metric defaults to
    /// [`Metric::RelativeMse`] and the tuned file to `examples/<name>/tuned.rs`.
    pub fn new<E1, E2>(
        name: &str,
        load: impl Fn() -> Result<M, E1> + 'static,
        data: impl Fn(Split) -> Result<Vec<I>, E2> + 'static,
        run: impl Fn(&M, &I) -> Vec<f32> + Sync + 'static,
    ) -> Task<M, I>
    where
        E1: Into<BoxError>,
        E2: Into<BoxError>,
    {
        Task {
            name: name.to_string(),
            tuned_rs: Path::new("examples").join(name).join("tuned.rs"),
            load: Box::new(move || load().map_err(Into::into)),
            data: Box::new(move |s| data(s).map_err(Into::into)),
            run: Box::new(run),
            metric: Metric::RelativeMse,
            integer_state: Vec::new(),
            weights: None,
            target: None,
        }
    }

    /// The model's weight tensors as this build stores them ([`WeightInfo::of`] for each), so that `eval`
    /// reports the parameter bits of the build (`param_bits`, `f32_param_bits`, `weights`) and `bench` the
    /// resident weight bytes. Without it those fields are absent.
    pub fn weights(mut self, weights: impl Fn(&M) -> Vec<WeightInfo> + 'static) -> Self {
        self.weights = Some(Box::new(weights));
        self
    }

    /// How `cargo number` names this task's target in the commands it records and suggests (`cargo number tune
    /// <target> …`): by default `--example <name>`; `cargo number` passes the one it was given
    /// (`CARGO_NUMBER_TARGET`), which takes precedence.
    pub fn target(mut self, target: &str) -> Self {
        self.target = Some(target.to_string());
        self
    }

    /// The target as `cargo number` names it: `CARGO_NUMBER_TARGET` when `cargo number` runs the binary, else
    /// [`target`](Self::target), else `--example <name>`.
    pub fn target_label(&self) -> String {
        std::env::var(TARGET_ENV)
            .ok()
            .filter(|t| !t.is_empty())
            .or_else(|| self.target.clone())
            .unwrap_or_else(|| format!("--example {}", self.name))
    }

    /// The weight tensors of `model` ([`weights`](Self::weights)), if the task says.
    pub fn weights_of(&self, model: &M) -> Option<Vec<WeightInfo>> {
        self.weights.as_ref().map(|w| w(model))
    }

    /// How outputs are scored.
    pub fn metric(mut self, metric: Metric<I>) -> Self {
        self.metric = metric;
        self
    }

    /// Where the tuner writes `tuned.rs` (relative to the crate root, where `cargo number` runs): the path the
    /// crate's `number_rt::include_tuned!` names. `tuned.safetensors` (GPTQ-rounded weights) goes beside it.
    pub fn tuned_rs(mut self, path: impl Into<PathBuf>) -> Self {
        self.tuned_rs = path.into();
        self
    }

    /// Output sites that a layer also reads back (a recurrent cell's hidden state, `Cell/gru_cell.h`), given
    /// fixed-point formats with the layer inputs so that the inner products over them run in integers.
    pub fn integer_state<S: Into<String>>(mut self, sites: impl IntoIterator<Item = S>) -> Self {
        self.integer_state = sites.into_iter().map(Into::into).collect();
        self
    }

    /// The task's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The tuned file's path.
    pub fn tuned_rs_path(&self) -> &Path {
        &self.tuned_rs
    }

    /// The scoring.
    pub fn metric_ref(&self) -> &Metric<I> {
        &self.metric
    }

    /// The state sites given integer formats.
    pub fn integer_state_sites(&self) -> &[String] {
        &self.integer_state
    }

    /// Loads the model; the error names the task.
    pub fn load(&self) -> Result<M, String> {
        (self.load)().map_err(|e| format!("{}: loading the model: {e}", self.name))
    }

    /// The inputs of a split; an empty split is an error (a score over no inputs means nothing).
    pub fn data(&self, split: Split) -> Result<Vec<I>, String> {
        let v = (self.data)(split)
            .map_err(|e| format!("{}: loading the {} inputs: {e}", self.name, split.name()))?;
        if v.is_empty() {
            return Err(format!(
                "{}: the {} split has no inputs: the data closure of its Task must return some",
                self.name,
                split.name()
            ));
        }
        Ok(v)
    }

    /// Runs the model on one input.
    pub fn run(&self, model: &M, x: &I) -> Vec<f32> {
        (self.run)(model, x)
    }

    /// The `run` closure alone (shareable between threads, unlike the task).
    pub fn runner(&self) -> &(dyn Fn(&M, &I) -> Vec<f32> + Sync) {
        &*self.run
    }
}

/// The environment variable through which `cargo number` tells a task binary how it names the target
/// (`--example <name>`, `--bin <name>`, or a zoo model's name), so that tuned.rs and error messages name the
/// command the user really runs.
pub const TARGET_ENV: &str = "CARGO_NUMBER_TARGET";

/// FNV-1a 64 of the bit patterns of one input's outputs: two builds that agree on it computed the same outputs
/// bit for bit.
pub fn output_digest(y: &[f32]) -> u64 {
    let mut bytes = Vec::with_capacity(8 + 4 * y.len());
    bytes.extend((y.len() as u64).to_le_bytes());
    for v in y {
        bytes.extend(v.to_bits().to_le_bytes());
    }
    crate::fnv1a64(&bytes)
}

/// What an evaluation run of a build writes (`eval --json`) and what the tuner writes for its emulation of the
/// tuned formats on the test split (`emulated-test.json`): the digest of each input's outputs, so that the tuned build
/// can show it computes exactly what the tuner measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Outputs {
    /// The task.
    pub task: String,
    /// Build mode that computed them (`plain`, `calibrate`, `tuned`, or `emulated` for the tuner's emulation).
    pub mode: String,
    /// Split.
    pub split: String,
    /// [`output_digest`] of each input's outputs, in input order.
    pub digests: Vec<u64>,
    /// Mean time per input, one thread, in microseconds (when timed).
    pub micros_per_input: Option<f64>,
    /// The task's metric ([`Metric::name`]), when `score` is given.
    pub metric: Option<String>,
    /// The metric's score on these outputs (absent when it needs the f32 outputs and the build has only its
    /// own: [`Metric::needs_reference`]).
    pub score: Option<f64>,
    /// Other fields (sizes, predicted classes), kept as they are.
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Outputs {
    /// The JSON form.
    pub fn to_json(&self) -> String {
        let mut m = self.extra.clone();
        m.insert("task".into(), self.task.clone().into());
        m.insert("mode".into(), self.mode.clone().into());
        m.insert("split".into(), self.split.clone().into());
        m.insert("n".into(), self.digests.len().into());
        if let Some(us) = self.micros_per_input {
            m.insert("micros_per_input".into(), us.into());
        }
        if let Some(metric) = &self.metric {
            m.insert("metric".into(), metric.clone().into());
        }
        if let Some(score) = self.score {
            m.insert("score".into(), score.into());
        }
        m.insert(
            "digests".into(),
            self.digests
                .iter()
                .map(|d| serde_json::Value::from(format!("{d:016x}")))
                .collect(),
        );
        serde_json::to_string_pretty(&serde_json::Value::Object(m)).expect("JSON of plain values")
    }

    /// Reads the JSON form; errors name the file and the field.
    pub fn read(path: &Path) -> Result<Outputs, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
        let serde_json::Value::Object(mut m) = v else {
            return Err(format!("{}: expected a JSON object", path.display()));
        };
        let mut text_field = |k: &str| -> Result<String, String> {
            match m.remove(k) {
                Some(serde_json::Value::String(s)) => Ok(s),
                _ => Err(format!(
                    "{}: missing or non-string field `{k}`; regenerate the file",
                    path.display()
                )),
            }
        };
        let (task, mode, split) = (
            text_field("task")?,
            text_field("mode")?,
            text_field("split")?,
        );
        let digests = match m.remove("digests") {
            Some(serde_json::Value::Array(a)) => a
                .iter()
                .map(|d| {
                    d.as_str()
                        .and_then(|s| u64::from_str_radix(s, 16).ok())
                        .ok_or_else(|| format!("{}: digest {d} is not hexadecimal", path.display()))
                })
                .collect::<Result<Vec<u64>, String>>()?,
            _ => {
                return Err(format!(
                    "{}: missing field `digests`; regenerate it",
                    path.display()
                ));
            }
        };
        m.remove("n");
        let micros_per_input = m.remove("micros_per_input").and_then(|v| v.as_f64());
        let metric = match m.remove("metric") {
            Some(serde_json::Value::String(s)) => Some(s),
            _ => None,
        };
        let score = m.remove("score").and_then(|v| v.as_f64());
        Ok(Outputs {
            task,
            mode,
            split,
            digests,
            micros_per_input,
            metric,
            score,
            extra: m,
        })
    }

    /// Checks that `self` (this build's run) computed exactly the outputs of `other` (e.g. the tuner's
    /// emulation, read from `path`): the same task, split and number of inputs, and equal digests for every
    /// input. Returns the sentence to print.
    pub fn compare(&self, other: &Outputs, path: &Path) -> Result<String, String> {
        if self.task != other.task || self.split != other.split {
            return Err(format!(
                "{} holds the {} outputs of `{}`, not the {} outputs of `{}`",
                path.display(),
                other.split,
                other.task,
                self.split,
                self.task
            ));
        }
        if self.digests.len() != other.digests.len() {
            return Err(format!(
                "{} has {} inputs and this run {}: run both on the whole {} split",
                path.display(),
                other.digests.len(),
                self.digests.len(),
                self.split
            ));
        }
        let differ: Vec<usize> = (0..self.digests.len())
            .filter(|&i| self.digests[i] != other.digests[i])
            .collect();
        if let Some(&first) = differ.first() {
            return Err(format!(
                "the {} build's outputs differ from the {} ones in {} on {} of {} {} inputs (first: input {first}): \
                 the tuned build does not compute what the tuner measured",
                self.mode,
                other.mode,
                path.display(),
                differ.len(),
                self.digests.len(),
                self.split
            ));
        }
        Ok(format!(
            "{} outputs equal the {} ones bit for bit on all {} {} inputs",
            self.mode,
            other.mode,
            self.digests.len(),
            self.split
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs<T>(v: &[T]) -> Vec<&T> {
        v.iter().collect()
    }

    #[test]
    fn accuracy_and_agreement_count_inputs() {
        let labels = [0usize, 1, 2];
        let out = vec![
            vec![0.9f32, 0.1, 0.0],
            vec![0.2, 0.1, 0.7],
            vec![0.0, 0.0, 1.0],
        ];
        let f32_out = vec![
            vec![0.9f32, 0.1, 0.0],
            vec![0.2, 0.7, 0.1],
            vec![0.0, 1.0, 0.0],
        ];
        let acc = Metric::accuracy(|&l: &usize| l);
        assert_eq!(
            acc.outcomes(&refs(&labels), &out, &f32_out),
            Some(vec![true, false, true])
        );
        assert_eq!(acc.score(&refs(&labels), &out, &f32_out), 2.0 / 3.0);
        let agree = Metric::<usize>::Agreement;
        assert_eq!(agree.score(&refs(&labels), &out, &f32_out), 1.0 / 3.0);
        assert_eq!(agree.score(&refs(&labels), &f32_out, &f32_out), 1.0);
        assert!(
            Metric::<usize>::RelativeMse
                .outcomes(&[], &[], &[])
                .is_none()
        );
    }

    #[test]
    fn output_errors_are_relative_to_the_f32_outputs() {
        let xs = [(), ()];
        let r = vec![vec![3.0f32, 4.0], vec![0.0, 0.0]]; // Σ r² = 25, max |r| = 4
        let y = vec![vec![3.0f32, 3.0], vec![0.0, 2.0]]; // Σ (y − r)² = 5, max error 2
        assert_eq!(
            Metric::RelativeMse.score(&refs(&xs), &y, &r),
            1.0 - 5.0 / 25.0
        );
        assert_eq!(Metric::MaxAbs.score(&refs(&xs), &y, &r), 1.0 - 2.0 / 4.0);
        assert_eq!(Metric::RelativeMse.score(&refs(&xs), &r, &r), 1.0);
        // A NaN output, an output of another length, and any error against all-zero outputs score −∞.
        let nan = vec![vec![f32::NAN, 4.0], vec![0.0, 0.0]];
        assert_eq!(
            Metric::RelativeMse.score(&refs(&xs), &nan, &r),
            f64::NEG_INFINITY
        );
        let short = vec![vec![3.0f32], vec![0.0, 0.0]];
        assert_eq!(
            Metric::MaxAbs.score(&refs(&xs), &short, &r),
            f64::NEG_INFINITY
        );
        let zeros = vec![vec![0.0f32; 2]; 2];
        assert_eq!(
            Metric::RelativeMse.score(&refs(&xs), &y, &zeros),
            f64::NEG_INFINITY
        );
        let custom = Metric::custom("count", |xs: &[&()], _, _| xs.len() as f64);
        assert_eq!(
            (custom.name(), custom.score(&refs(&xs), &y, &r)),
            ("count", 2.0)
        );
    }

    #[test]
    fn argmax_takes_the_first_largest_and_ignores_nan() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0]), Some(1));
        assert_eq!(argmax(&[f32::NAN, 1.0, 0.0]), Some(0));
        assert_eq!(argmax(&[0.0, f32::NAN, 1.0]), Some(2));
        assert_eq!(argmax(&[]), None);
    }

    #[test]
    fn outputs_round_trip_and_comparisons_name_the_first_difference() {
        let dir = std::env::temp_dir().join(format!("number-outputs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("emulated.json");
        let mut extra = serde_json::Map::new();
        extra.insert("score_f32".into(), 0.5.into());
        let a = Outputs {
            task: "t".into(),
            mode: "emulated".into(),
            split: "test".into(),
            digests: vec![output_digest(&[1.0]), output_digest(&[-0.0])],
            micros_per_input: Some(1.5),
            metric: Some("accuracy".into()),
            score: Some(0.75),
            extra,
        };
        std::fs::write(&p, a.to_json()).unwrap();
        let back = Outputs::read(&p).unwrap();
        assert_eq!(back, a);
        let json: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
        assert_eq!(
            (&json["metric"], &json["score"], &json["n"]),
            (&"accuracy".into(), &0.75.into(), &2.into())
        );
        let mut b = a.clone();
        b.mode = "tuned".into();
        assert!(
            b.compare(&back, &p)
                .unwrap()
                .contains("bit for bit on all 2 test inputs")
        );
        b.digests[1] = output_digest(&[0.0]); // -0.0 and 0.0 differ in bits
        let e = b.compare(&back, &p).unwrap_err();
        assert!(e.contains("on 1 of 2 test inputs (first: input 1)"), "{e}");
        b.digests.pop();
        assert!(
            b.compare(&back, &p)
                .unwrap_err()
                .contains("has 2 inputs and this run 1")
        );
        std::fs::write(&p, "{\"task\": \"t\"}").unwrap();
        assert!(Outputs::read(&p).unwrap_err().contains("`mode`"));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn only_label_metrics_score_a_build_alone() {
        let labels = [0usize, 1];
        let out = vec![vec![1.0f32, 0.0], vec![1.0, 0.0]];
        let acc = Metric::accuracy(|&l: &usize| l);
        assert_eq!(acc.score_alone(&refs(&labels), &out), Some(0.5));
        assert!(acc.is_classification() && Metric::<usize>::Agreement.is_classification());
        for m in [
            Metric::<usize>::Agreement,
            Metric::RelativeMse,
            Metric::MaxAbs,
            Metric::custom("c", |_: &[&usize], _, _| 1.0),
        ] {
            assert_eq!(m.score_alone(&refs(&labels), &out), None, "{}", m.name());
        }
        assert!(!Metric::<usize>::RelativeMse.is_classification());
    }

    #[test]
    fn r_squared_scores_against_targets_alone() {
        // Targets: the input's label twice; the set's mean target is 0.5.
        let labels = [0usize, 1];
        let r2 = Metric::r_squared(|&l: &usize| vec![l as f32; 2]);
        assert!(!r2.needs_reference() && !r2.is_classification());
        let exact = vec![vec![0.0f32, 0.0], vec![1.0, 1.0]];
        assert_eq!(r2.score_alone(&refs(&labels), &exact), Some(1.0));
        // Off by 0.25 everywhere: 1 - 4 * 0.0625 / (4 * 0.25).
        let off = vec![vec![0.25f32, 0.25], vec![0.75, 0.75]];
        assert_eq!(r2.score_alone(&refs(&labels), &off), Some(0.75));
        // An output of the wrong length, or NaN, scores -inf.
        assert_eq!(
            r2.score_alone(&refs(&labels), &[vec![0.0], vec![1.0, 1.0]]),
            Some(f64::NEG_INFINITY)
        );
        assert_eq!(
            r2.score_alone(&refs(&labels), &[vec![f32::NAN; 2], vec![1.0; 2]]),
            Some(f64::NEG_INFINITY)
        );
    }

    #[test]
    fn weight_infos_count_storage_and_resident_bytes() {
        let w = WeightInfo::of("Fc1/dense.w", &[1.0f32, 2.0, 3.0]);
        assert_eq!(
            (w.len, w.format.as_str(), w.bits, w.storage_bits, w.bytes),
            (3, "f32", 32, 96, 12)
        );
        let f: number_formats::Format = "fixed<4,2>".parse().unwrap();
        let t = w.clone().in_format(f);
        assert_eq!(
            (t.format.as_str(), t.bits, t.storage_bits, t.bytes),
            ("fixed<4,2>", 4, 12, 12)
        );
        assert_eq!(t.to_json()["storage_bits"], 12);
        // A packed tensor counts its words: 100 values of 3 bits in 5 words.
        let p = number_formats::Packed::<number_formats::Fixed<3, 1>>::from_f32_slice(&[0.5; 100]);
        let w = WeightInfo::of("Fc1/dense.w", &p);
        assert_eq!((w.len, w.storage_bits, w.bytes), (100, 300, 40));
    }

    #[test]
    fn an_empty_split_is_an_error_naming_the_task() {
        let t = Task::new(
            "m",
            || Ok::<_, std::io::Error>(()),
            |_| Ok::<Vec<u8>, std::io::Error>(vec![]),
            |_: &(), _: &u8| vec![],
        );
        let e = t.data(Split::Validation).unwrap_err();
        assert!(e.contains("m: the validation split has no inputs"), "{e}");
        assert_eq!(t.tuned_rs_path(), Path::new("examples/m/tuned.rs"));
        if std::env::var_os(TARGET_ENV).is_none() {
            assert_eq!(t.target_label(), "--example m");
            assert_eq!(t.target("m").target_label(), "m");
        }
    }
}
