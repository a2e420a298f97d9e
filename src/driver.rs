//! The command line every zoo example shares: `eval`, `profile` and `tune`.
//!
//! `cargo number tune <model>` drives these in the three build modes (see README); each subcommand can
//! also be run by hand, e.g. `cargo run --release --features calibrate --example lenet -- tune --max-loss 1%`.
use crate::data::{Dataset, Split};
use clap::{Parser, Subcommand};
use number_rt::tune::TuneOptions;
use number_rt::{MODE, Mode};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A weight tensor of a model as the current build stores it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct WeightInfo {
    /// Site name (`Fc1/dense.w`).
    pub site: String,
    /// Number of values.
    pub len: usize,
    /// Format in this build (`f32` in plain and calibrate builds).
    pub format: String,
    /// Bits per value (the code width; block formats also store 3 bits per block, counted in `storage_bits`).
    pub bits: u32,
    /// Bits the tensor occupies in storage (`Format::storage_bits`).
    #[serde(default)]
    pub storage_bits: u64,
    /// Bytes the tensor occupies in memory in this build (`len × size_of` of its storage type).
    #[serde(default)]
    pub bytes: usize,
}

/// The [`WeightInfo`] of a weight tensor stored as `T` (its format, bits and resident bytes).
pub fn weight_info<T: number_rt::Number>(site: &str, w: &[T]) -> WeightInfo {
    WeightInfo {
        site: site.into(),
        len: w.len(),
        format: T::FORMAT.to_string(),
        bits: T::FORMAT.bits(),
        storage_bits: T::FORMAT.storage_bits(w.len() as u64),
        bytes: std::mem::size_of_val(w),
    }
}

/// What a zoo model offers the driver.
pub trait Classifier: Sync + Sized {
    /// Short name (`lenet`), also the example name.
    const NAME: &'static str;
    /// Output sites the layer also reads (a recurrent cell's hidden state, `gru_cell.h`) that `tune` gives a
    /// fixed-point format with the layer inputs (`Tuner::integer_state`), so that the inner products over them
    /// run in integers too.
    const INTEGER_STATE: &'static [&'static str] = &[];
    /// Loads the committed f32 weights, converting each tensor to its site's storage type.
    fn load(path: &Path) -> Result<Self, String>;
    /// The model's data set.
    fn dataset(split: Split) -> Result<Dataset, String>;
    /// Class scores for one input.
    fn logits(&self, x: &[f32]) -> Vec<f32>;
    /// The weight tensors and their formats in this build.
    fn weights(&self) -> Vec<WeightInfo>;
    /// Predicted class of one input.
    fn predict(&self, x: &[f32]) -> usize {
        crate::layers::argmax(&self.logits(x))
    }
}

#[derive(Parser, Debug)]
#[command(about = "A libnumber zoo model: evaluate, profile or tune it")]
struct Cli {
    /// Weights file (default: examples/<model>/weights.safetensors).
    #[arg(long, global = true)]
    weights: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Evaluate this build on a split (default: the test set) and time it.
    Eval {
        #[arg(long, default_value = "test")]
        split: String,
        /// Evaluate only the first N inputs.
        #[arg(long)]
        limit: Option<usize>,
        /// Write the result (accuracy, predictions, timing, weight bits) as JSON.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Fail unless the predictions equal those in this JSON (e.g. the emulated ones written by `tune`).
        #[arg(long)]
        compare: Option<PathBuf>,
        /// Inputs timed one at a time on one thread.
        #[arg(long, default_value_t = 1000)]
        timed: usize,
        /// Calibrate builds: emulate the formats fixed by this tuned.rs (default: all f32).
        #[arg(long)]
        formats: Option<PathBuf>,
    },
    /// Time this build: µs per input at batch 1 (median over single inputs) and at batch 64 (median over groups
    /// of 64 inputs run back to back, per input), one thread; and the bytes its weights occupy.
    Bench {
        /// Inputs timed (from the test split).
        #[arg(long, default_value_t = 1024)]
        n: usize,
        #[arg(long)]
        json: Option<PathBuf>,
    },
    /// Profile on calibration data (calibrate build) and write the profile JSON.
    Profile {
        /// Calibration inputs (from the training split).
        #[arg(long, default_value_t = 2000)]
        calib: usize,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Profile, tune on the validation split, write tuned.rs and the report, and the emulated test predictions.
    Tune {
        #[command(flatten)]
        options: TuneOptions,
        /// Where to write tuned.rs (default: examples/<model>/tuned.rs).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Report folder (default: target/number/<model>).
        #[arg(long)]
        report_dir: Option<PathBuf>,
        /// Only check that the existing tuned.rs equals what this run generates.
        #[arg(long)]
        check: bool,
    },
}

/// Result of an `eval` run, as written by `--json` (and by `tune` for the emulated predictions).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EvalReport {
    /// Model name.
    pub model: String,
    /// Build mode (`plain`, `calibrate`, `tuned`).
    pub mode: String,
    /// Split evaluated.
    pub split: String,
    /// Inputs evaluated.
    pub n: usize,
    /// Top-1 accuracy.
    pub accuracy: f64,
    /// Predicted classes.
    pub predictions: Vec<u32>,
    /// FNV-1a 64 of the bit patterns of every input's logits, in order ([`logits_digest`]): two builds that
    /// agree on it computed the same logits bit for bit (absent in reports written before it existed).
    #[serde(default)]
    pub logits_fnv: Option<u64>,
    /// Mean inference time per input, single thread, in microseconds (not measured for emulation).
    pub micros_per_input: Option<f64>,
    /// Weight tensors and formats.
    pub weights: Vec<WeightInfo>,
    /// Total weight bits in this build.
    pub param_bits: u64,
    /// The same weights in f32.
    pub f32_param_bits: u64,
}

/// The checkout's root, found at run time ([`crate::root`]).
fn root() -> Result<PathBuf, String> {
    crate::root().map(Path::to_path_buf)
}

fn mode_name() -> &'static str {
    match MODE {
        Mode::Plain => "plain",
        Mode::Calibrate => "calibrate",
        Mode::Tuned => "tuned",
    }
}

fn split_of(s: &str) -> Result<Split, String> {
    match s {
        "train" => Ok(Split::Train),
        "validation" | "val" => Ok(Split::Validation),
        "test" => Ok(Split::Test),
        _ => Err(format!(
            "unknown split `{s}`: expected train, validation or test"
        )),
    }
}

/// Predictions over `data[..n]`, in parallel, each worker under `cfg` when one is given (calibrate builds).
/// FNV-1a 64 over the bit patterns of logit vectors, in order.
///
/// ```
/// use zoo::driver::logits_digest;
/// assert_eq!(logits_digest([[1.0f32, 2.0].as_slice()]), logits_digest([[1.0f32, 2.0].as_slice()]));
/// assert_ne!(logits_digest([[0.0f32].as_slice()]), logits_digest([[-0.0f32].as_slice()]));
/// ```
pub fn logits_digest<'a>(all: impl IntoIterator<Item = &'a [f32]>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for logits in all {
        for v in logits {
            for b in v.to_bits().to_le_bytes() {
                h ^= b as u64;
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
    }
    h
}

/// The predictions on the first `n` inputs and the digest of their logits ([`logits_digest`]).
fn predict_all<M: Classifier>(
    m: &M,
    data: &Dataset,
    n: usize,
    cfg: Option<&number_rt::emulate::Config>,
) -> (Vec<u32>, u64) {
    let idx: Vec<usize> = (0..n).collect();
    let logits: Vec<Vec<f32>> = idx
        .par_chunks(250)
        .flat_map_iter(|chunk| {
            let run = || {
                chunk
                    .iter()
                    .map(|&i| m.logits(data.image(i)))
                    .collect::<Vec<_>>()
            };
            match cfg {
                Some(c) => number_rt::emulate::with_formats(c, run),
                None => run(),
            }
        })
        .collect();
    let predictions = logits
        .iter()
        .map(|l| crate::layers::argmax(l) as u32)
        .collect();
    (
        predictions,
        logits_digest(logits.iter().map(|l| l.as_slice())),
    )
}

fn accuracy(pred: &[u32], data: &Dataset) -> f64 {
    let ok = pred
        .iter()
        .zip(&data.labels)
        .filter(|(p, l)| **p == **l as u32)
        .count();
    ok as f64 / pred.len().max(1) as f64
}

fn time_per_input<M: Classifier>(m: &M, data: &Dataset, n: usize) -> f64 {
    let n = n.min(data.n).max(1);
    for i in 0..n.min(50) {
        std::hint::black_box(m.predict(data.image(i)));
    }
    let t = Instant::now();
    for i in 0..n {
        std::hint::black_box(m.predict(std::hint::black_box(data.image(i))));
    }
    t.elapsed().as_secs_f64() * 1e6 / n as f64
}

/// Median µs per input over groups of `batch` consecutive inputs (after a warm-up).
fn median_per_input<M: Classifier>(m: &M, data: &Dataset, n: usize, batch: usize) -> f64 {
    let n = n.min(data.n).max(batch);
    for i in 0..n.min(64) {
        std::hint::black_box(m.predict(data.image(i % data.n)));
    }
    let mut t: Vec<f64> = (0..n / batch)
        .map(|g| {
            let s = Instant::now();
            for i in g * batch..(g + 1) * batch {
                std::hint::black_box(m.predict(std::hint::black_box(data.image(i % data.n))));
            }
            s.elapsed().as_secs_f64() * 1e6 / batch as f64
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// What `bench` measures.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct BenchReport {
    /// Model name.
    pub model: String,
    /// Build mode.
    pub mode: String,
    /// Median µs per input, one input at a time.
    pub us_batch1: f64,
    /// Median µs per input over groups of 64 inputs.
    pub us_batch64: f64,
    /// Bytes of weights in memory in this build.
    pub weight_bytes: usize,
    /// The same tensors in f32.
    pub f32_weight_bytes: usize,
}

fn bits(ws: &[WeightInfo]) -> (u64, u64) {
    let tuned = ws.iter().map(|w| w.storage_bits).sum();
    let f32b = ws.iter().map(|w| w.len as u64 * 32).sum();
    (tuned, f32b)
}

fn write_json<T: Serialize>(path: &Path, v: &T) -> Result<(), String> {
    if let Some(d) = path.parent() {
        std::fs::create_dir_all(d).map_err(|e| format!("creating {}: {e}", d.display()))?;
    }
    let s = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
    number_rt::codegen::write_atomic(path, s.as_bytes())
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

/// Reads an [`EvalReport`] written by `eval --json` or `tune`.
pub fn read_report(path: &Path) -> Result<EvalReport, String> {
    let s =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    serde_json::from_str(&s)
        .map_err(|e| format!("{} is not an evaluation report: {e}", path.display()))
}

/// Whether `rep` reproduces `other` (the report in `path`): the same inputs, the same predictions and, when both
/// carry a logits digest, the same logits bit for bit. The success message, or an error naming what differs.
fn compare_reports(other: &EvalReport, rep: &EvalReport, path: &Path) -> Result<String, String> {
    let n = rep.n;
    if other.split != rep.split || other.n != rep.n {
        return Err(format!(
            "{} holds {} predictions on the {} split; this run made {} on {}: evaluate the same inputs",
            path.display(),
            other.n,
            other.split,
            rep.n,
            rep.split
        ));
    }
    let diff = other
        .predictions
        .iter()
        .zip(&rep.predictions)
        .filter(|(a, b)| a != b)
        .count();
    if diff > 0 {
        return Err(format!(
            "{diff} of {n} predictions differ from {} ({} build): the {} build is not bit-identical",
            path.display(),
            other.mode,
            rep.mode
        ));
    }
    match (other.logits_fnv, rep.logits_fnv) {
        (Some(a), Some(b)) if a != b => Err(format!(
            "the logits differ in their bits from {} ({} build) although all {n} predictions agree: the {} build is not bit-identical",
            path.display(),
            other.mode,
            rep.mode
        )),
        (Some(_), Some(_)) => Ok(format!(
            "predictions and logits (every bit) identical to {} ({} build) on all {n} inputs",
            path.display(),
            other.mode
        )),
        _ => Ok(format!(
            "predictions identical to {} ({} build) on all {n} inputs (no logits digest in one of the reports: re-run it to compare the logits too)",
            path.display(),
            other.mode
        )),
    }
}

/// Entry point of a zoo example: parses the command line and runs it.
pub fn main<M: Classifier>() -> std::process::ExitCode {
    match run::<M>(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run<M: Classifier>(cli: Cli) -> Result<(), String> {
    let root = root()?;
    let weights = cli.weights.unwrap_or_else(|| {
        root.join("examples")
            .join(M::NAME)
            .join("weights.safetensors")
    });
    // Tuned builds (and calibrate builds emulating a tuned.rs) load the GPTQ-rounded weights that go with it.
    let tuned_rs = match (&cli.cmd, MODE) {
        (_, Mode::Tuned) => Some(root.join("examples").join(M::NAME).join("tuned.rs")),
        (
            Cmd::Eval {
                formats: Some(p), ..
            },
            Mode::Calibrate,
        ) => Some(p.clone()),
        _ => None,
    };
    let rounded = match &tuned_rs {
        Some(p) if p.exists() => number_rt::rounded_weights::install_named(p)?,
        _ => None,
    };
    let model = M::load(&weights)?;
    if let Some(file) = &rounded {
        number_rt::rounded_weights::check_installed(file)?;
    }
    let report_dir = root.join("target").join("number").join(M::NAME);
    match cli.cmd {
        Cmd::Eval {
            split,
            limit,
            json,
            compare,
            timed,
            formats,
        } => {
            let data = M::dataset(split_of(&split)?)?;
            let n = limit.unwrap_or(data.n).min(data.n);
            if n == 0 {
                return Err(format!(
                    "eval on 0 inputs (--limit {}, the {split} split has {}): an accuracy over no inputs means nothing",
                    limit.map_or("-".to_string(), |l| l.to_string()),
                    data.n
                ));
            }
            let cfg = match &formats {
                Some(p) => {
                    require_calibrate("eval --formats")?;
                    let file = number_rt::tuned_file::read_file(p).map_err(|e| e.to_string())?;
                    // One run registers the sites: a stale or mismatched tuned.rs is an error, not a result.
                    model.logits(data.image(0));
                    number_rt::tuned_file::check_current(&file)
                        .map_err(|e| format!("{}: {e}", p.display()))?;
                    Some(file.config())
                }
                None => None,
            };
            let (predictions, fnv) = predict_all(&model, &data, n, cfg.as_ref());
            let acc = accuracy(&predictions, &data);
            let us = match &cfg {
                Some(c) => {
                    number_rt::emulate::with_formats(c, || time_per_input(&model, &data, timed))
                }
                None => time_per_input(&model, &data, timed),
            };
            let mut ws = model.weights();
            if let Some(c) = &cfg {
                for w in &mut ws {
                    let f = c.get(&w.site).copied().unwrap_or(number_rt::Format::F32);
                    w.format = f.to_string();
                    w.bits = f.bits();
                    w.storage_bits = f.storage_bits(w.len as u64);
                }
            }
            let (param_bits, f32_param_bits) = bits(&ws);
            let rep = EvalReport {
                model: M::NAME.into(),
                mode: mode_name().into(),
                split,
                n,
                accuracy: acc,
                predictions,
                logits_fnv: Some(fnv),
                micros_per_input: Some(us),
                weights: ws,
                param_bits,
                f32_param_bits,
            };
            println!(
                "{} ({} build): {} accuracy {:.2}% on {} inputs; {:.1} µs/input; weights {} bits ({:.2}x smaller than f32)",
                M::NAME,
                rep.mode,
                rep.split,
                100.0 * acc,
                n,
                us,
                param_bits,
                f32_param_bits as f64 / param_bits.max(1) as f64
            );
            if let Some(p) = &json {
                write_json(p, &rep)?;
            }
            if let Some(p) = compare {
                println!("{}", compare_reports(&read_report(&p)?, &rep, &p)?);
            }
            Ok(())
        }
        Cmd::Bench { n, json } => {
            let data = M::dataset(Split::Test)?;
            let ws = model.weights();
            let rep = BenchReport {
                model: M::NAME.into(),
                mode: mode_name().into(),
                us_batch1: median_per_input(&model, &data, n, 1),
                us_batch64: median_per_input(&model, &data, n, 64),
                weight_bytes: ws.iter().map(|w| w.bytes).sum(),
                f32_weight_bytes: ws.iter().map(|w| w.len * 4).sum(),
            };
            println!(
                "{} ({} build): {:.1} µs/input at batch 1, {:.1} at batch 64; weights {} bytes in memory (f32: {})",
                rep.model,
                rep.mode,
                rep.us_batch1,
                rep.us_batch64,
                rep.weight_bytes,
                rep.f32_weight_bytes
            );
            if let Some(p) = &json {
                write_json(p, &rep)?;
            }
            Ok(())
        }
        Cmd::Profile { calib, out } => {
            require_calibrate("profile")?;
            if calib == 0 {
                return Err("--calib 0: profiling needs at least one calibration input".into());
            }
            let profile = profile(&model, calib)?;
            let out = out.unwrap_or_else(|| report_dir.join("profile.json"));
            profile.save(&out).map_err(|e| e.to_string())?;
            println!(
                "profile of {} sites written to {}",
                profile.sites.len(),
                out.display()
            );
            Ok(())
        }
        Cmd::Tune {
            options,
            out,
            report_dir: rd,
            check,
        } => {
            require_calibrate("tune")?;
            options.validate()?;
            let report_dir = rd.unwrap_or(report_dir);
            let out = out.unwrap_or_else(|| root.join("examples").join(M::NAME).join("tuned.rs"));
            tune(&model, &options, &out, weights, &report_dir, check)
        }
    }
}

fn require_calibrate(what: &str) -> Result<(), String> {
    if MODE != Mode::Calibrate {
        return Err(format!(
            "`{what}` needs a calibrate build (this is a {} build): run it with `--features calibrate`, or use `cargo number tune`",
            mode_name()
        ));
    }
    Ok(())
}

fn profile<M: Classifier>(model: &M, calib: usize) -> Result<number_rt::profile::Profile, String> {
    let train = M::dataset(Split::Train)?;
    let n = calib.min(train.n);
    number_rt::emulate::start_profiling();
    let idx: Vec<usize> = (0..n).collect();
    idx.par_iter().for_each(|&i| {
        model.logits(train.image(i));
    });
    Ok(number_rt::emulate::finish_profiling())
}

/// One zoo input: its data set and index (the label is the data set's).
type Sample = (std::sync::Arc<Dataset>, usize);

/// The zoo model `M` as a workflow [`Task`](number_rt::workflow::Task): the classifier's logits scored by
/// accuracy on its data set (training split for calibration).
fn task<M: Classifier>(weights: PathBuf) -> number_rt::workflow::Task<M, Sample> {
    use number_rt::workflow::{Metric, Split as S, Task};
    Task::new(
        M::NAME,
        move || M::load(&weights),
        |split| -> Result<Vec<Sample>, String> {
            let d = std::sync::Arc::new(M::dataset(match split {
                S::Calibration => Split::Train,
                S::Validation => Split::Validation,
                S::Test => Split::Test,
            })?);
            Ok((0..d.n).map(|i| (d.clone(), i)).collect())
        },
        |m: &M, (d, i): &Sample| m.logits(d.image(*i)),
    )
    .metric(Metric::accuracy(|(d, i): &Sample| d.labels[*i] as usize))
    .integer_state(M::INTEGER_STATE.iter().copied())
}

/// `tune`: the library's workflow (`number_rt::tune::workflow`), then the zoo's reports of the emulated test
/// predictions that `cargo number` compares the tuned build with.
fn tune<M: Classifier>(
    model: &M,
    o: &TuneOptions,
    out: &Path,
    weights: PathBuf,
    report_dir: &Path,
    check: bool,
) -> Result<(), String> {
    let task = task::<M>(weights).tuned_rs(out);
    let paths = number_rt::workflow::Paths {
        tuned_rs: out.to_path_buf(),
        report_dir: report_dir.to_path_buf(),
    };
    let s = number_rt::workflow::tune(&task, model, o, &o.command(M::NAME), &paths, check)?;
    if check {
        return Ok(());
    }
    let outcome = &s.outcome;
    // The report also says how many validation inputs the accuracy was measured on.
    let rp = report_dir.join("tune-report.json");
    let mut rj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&rp).map_err(|e| e.to_string())?)
            .map_err(|e| format!("{}: {e}", rp.display()))?;
    rj["validation_inputs"] = serde_json::json!(s.search_inputs);
    rj["confirm_inputs"] = serde_json::json!(s.confirm_inputs);
    write_json(&rp, &rj)?;
    match outcome.integer_inputs {
        Some(w) if M::INTEGER_STATE.is_empty() => println!(
            "layer inputs: {w}-bit fixed point (integer inner products in the tuned build)"
        ),
        Some(w) => println!(
            "layer inputs and state {}: {w}-bit fixed point (integer inner products in the tuned build)",
            M::INTEGER_STATE.join(", ")
        ),
        None if !o.integer_inputs.0.is_empty() => println!(
            "layer inputs: f32 (no fixed-point width of {:?} kept the accuracy)",
            o.integer_inputs.0
        ),
        None => {}
    }
    // The emulated test-set predictions under the tuned formats: the tuned build must reproduce them exactly.
    let test = M::dataset(Split::Test)?;
    let predicted = |outs: &[Vec<f32>]| -> (Vec<u32>, u64) {
        (
            outs.iter()
                .map(|l| crate::layers::argmax(l) as u32)
                .collect(),
            logits_digest(outs.iter().map(|l| l.as_slice())),
        )
    };
    let ws: Vec<WeightInfo> = outcome
        .config
        .iter()
        .filter_map(|(site, f)| {
            let p = s.profile.sites.get(site)?;
            (p.kind == number_rt::profile::SiteKind::Weight).then(|| WeightInfo {
                site: site.clone(),
                len: p.stats.len as usize,
                format: f.to_string(),
                bits: f.bits(),
                storage_bits: f.storage_bits(p.stats.len),
                bytes: 0,
            })
        })
        .collect();
    for (name, (pred, fnv), ws) in [
        ("emulated-f32", predicted(&s.test_f32_outputs), vec![]),
        ("emulated", predicted(&s.test_outputs), ws),
    ] {
        let acc = accuracy(&pred, &test);
        let (param_bits, f32_param_bits) = (outcome.param_bits, outcome.f32_param_bits);
        let rep = EvalReport {
            model: M::NAME.into(),
            mode: "calibrate".into(),
            split: "test".into(),
            n: test.n,
            accuracy: acc,
            predictions: pred,
            logits_fnv: Some(fnv),
            micros_per_input: None,
            weights: ws,
            param_bits,
            f32_param_bits,
        };
        write_json(&report_dir.join(format!("{name}.json")), &rep)?;
        println!("{name}: test accuracy {:.2}%", 100.0 * acc);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounded_weights_files_that_are_missing_stale_or_malformed_are_named_errors() {
        let dir = std::env::temp_dir().join(format!("libnumber-rounded-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let rs = dir.join("tuned.rs");
        let st = dir.join("tuned.safetensors");
        let head = |rounded: Option<u64>| {
            let mut h = "// @generated by libnumber: number formats of the #[quantize] sites. Do not edit: regenerate it.\n\
                         // Regenerate: cargo number tune test\n// tool: libnumber 0.1.0\n\
                         // profile: 0x0000000000000001 (1 sites)\n// parameter bits: 1 (f32: 32, 32.00x smaller)\n"
                .to_string();
            if let Some(d) = rounded {
                h.push_str(&format!(
                    "// rounded weights: tuned.safetensors (digest {d:#018x}, 1 GPTQ-rounded weight tensors)\n"
                ));
            }
            h
        };
        let header = |digest: u64| head(Some(digest));
        // No rounded-weights line: nothing to install.
        std::fs::write(&rs, head(None)).unwrap();
        assert_eq!(number_rt::rounded_weights::install_named(&rs), Ok(None));
        // Named but missing.
        let _ = std::fs::remove_file(&st);
        std::fs::write(&rs, header(1)).unwrap();
        let e = number_rt::rounded_weights::install_named(&rs).unwrap_err();
        assert!(e.contains("cannot be read") && e.contains("re-run"), "{e}");
        // Another digest: stale.
        std::fs::write(&st, b"not safetensors").unwrap();
        let e = number_rt::rounded_weights::install_named(&rs).unwrap_err();
        assert!(e.contains("is stale") && e.contains("re-run"), "{e}");
        // The digest matches but the bytes are not a safetensors file.
        std::fs::write(
            &rs,
            header(number_rt::rounded_weights::digest(b"not safetensors")),
        )
        .unwrap();
        let e = number_rt::rounded_weights::install_named(&rs).unwrap_err();
        assert!(
            e.contains("tuned.safetensors") && e.contains("safetensors"),
            "{e}"
        );
        // A tensor without its `format;key` metadata.
        let mut t = crate::weights::Tensors::new();
        t.insert("Fc1/dense.w".into(), (vec![2], vec![0.25, -0.5]));
        let bytes = crate::weights::to_bytes(&t, &Default::default()).unwrap();
        std::fs::write(&st, &bytes).unwrap();
        std::fs::write(&rs, header(number_rt::rounded_weights::digest(&bytes))).unwrap();
        let e = number_rt::rounded_weights::install_named(&rs).unwrap_err();
        assert!(
            e.contains("`Fc1/dense.w`") && e.contains("format;key"),
            "{e}"
        );
        // With it (and an unknown format: the same error).
        for (meta, ok) in [
            ("fixed<4,3>;0x00000000000000ff", true),
            ("fixed<99,3>;0xff", false),
        ] {
            let m = [("Fc1/dense.w".to_string(), meta.to_string())]
                .into_iter()
                .collect();
            let bytes = crate::weights::to_bytes(&t, &m).unwrap();
            std::fs::write(&st, &bytes).unwrap();
            std::fs::write(&rs, header(number_rt::rounded_weights::digest(&bytes))).unwrap();
            assert_eq!(
                number_rt::rounded_weights::install_named(&rs).is_ok(),
                ok,
                "{meta}"
            );
        }
        // A value outside its format's range (a file not written by the tuner) is an error naming it.
        t.insert("Fc1/dense.w".into(), (vec![2], vec![0.25, 100.0]));
        let m = [("Fc1/dense.w".to_string(), "fixed<4,3>;0xff".to_string())]
            .into_iter()
            .collect();
        let bytes = crate::weights::to_bytes(&t, &m).unwrap();
        std::fs::write(&st, &bytes).unwrap();
        std::fs::write(&rs, header(number_rt::rounded_weights::digest(&bytes))).unwrap();
        let e = number_rt::rounded_weights::install_named(&rs).unwrap_err();
        assert!(
            e.contains("`Fc1/dense.w` holds 100 at index 1, outside the range"),
            "{e}"
        );
        number_rt::rounded_weights::install(vec![]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn comparison_catches_differing_predictions_and_logit_bits() {
        let report = |mode: &str, predictions: Vec<u32>, logits: &[[f32; 2]]| EvalReport {
            model: "m".into(),
            mode: mode.into(),
            split: "test".into(),
            n: predictions.len(),
            accuracy: 0.0,
            predictions,
            logits_fnv: Some(logits_digest(logits.iter().map(|l| l.as_slice()))),
            micros_per_input: None,
            weights: vec![],
            param_bits: 0,
            f32_param_bits: 0,
        };
        let p = Path::new("emulated.json");
        let emulated = report("calibrate", vec![1, 0], &[[0.5, 1.0], [2.0, -1.0]]);
        let same = report("tuned", vec![1, 0], &[[0.5, 1.0], [2.0, -1.0]]);
        assert!(
            compare_reports(&emulated, &same, p)
                .unwrap()
                .contains("logits (every bit) identical")
        );
        // One logit one ulp off: the same predictions, different bits.
        let ulp = report(
            "tuned",
            vec![1, 0],
            &[[0.5, 1.0], [f32::from_bits(2.0f32.to_bits() + 1), -1.0]],
        );
        assert!(
            compare_reports(&emulated, &ulp, p)
                .unwrap_err()
                .contains("logits differ in their bits")
        );
        let other = report("tuned", vec![1, 1], &[[0.5, 1.0], [2.0, 3.0]]);
        assert!(
            compare_reports(&emulated, &other, p)
                .unwrap_err()
                .contains("1 of 2 predictions differ")
        );
        let shorter = report("tuned", vec![1], &[[0.5, 1.0]]);
        assert!(
            compare_reports(&emulated, &shorter, p)
                .unwrap_err()
                .contains("evaluate the same inputs")
        );
        let old = EvalReport {
            logits_fnv: None,
            ..report("calibrate", vec![1, 0], &[])
        };
        assert!(
            compare_reports(&old, &same, p)
                .unwrap()
                .contains("no logits digest")
        );
    }

    #[test]
    fn tune_takes_the_shared_options() {
        use number_rt::tune::Granularity::*;
        let g = |args: &[&str]| match Cli::try_parse_from(["m", "tune"].iter().chain(args)) {
            Ok(Cli {
                cmd: Cmd::Tune { options, .. },
                ..
            }) => Ok(options.granularity.0),
            Ok(_) => unreachable!(),
            Err(e) => Err(e.to_string()),
        };
        assert_eq!(g(&[]).unwrap(), vec![Tensor]);
        assert_eq!(
            g(&["--granularity", "tensor+rows+32"]).unwrap(),
            vec![Tensor, Rows, Len(32)]
        );
        assert_eq!(g(&["--block", "rows"]).unwrap(), vec![Rows]);
        let e = g(&["--granularity", "tensor+channel"]).unwrap_err();
        assert!(
            e.contains("granularity `channel`") && e.contains("1..=65535"),
            "{e}"
        );
    }
}
