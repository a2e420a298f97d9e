//! The whole workflow for a user's own model: describe it once as a [`Task`], call [`main`] from the example's
//! (or binary's) `main`, and run `cargo number tune --example <name>` from the crate root.
//!
//! ```no_run
//! use number_rt::workflow::{Metric, Split, Task};
//! # struct Model; impl Model { fn forward(&self, x: &[f32]) -> Vec<f32> { x.to_vec() } }
//! # fn load() -> Result<Model, std::io::Error> { Ok(Model) }
//! # fn inputs(_: Split) -> Result<Vec<Vec<f32>>, std::io::Error> { Ok(vec![vec![0.0]]) }
//! fn main() -> std::process::ExitCode {
//!     number_rt::workflow::main(
//!         Task::new("denoise", load, inputs, |m: &Model, x: &Vec<f32>| m.forward(x))
//!             .metric(Metric::RelativeMse)
//!             .tuned_rs("examples/denoise/tuned.rs"),
//!     )
//! }
//! ```
//!
//! The binary then understands, in every build mode:
//! - `eval [--split test] [--limit N] [--json FILE] [--compare FILE] [--timed N]`: runs the model on a split
//!   (on every core; the outputs do not depend on it), writes the digest of every input's outputs ([`Outputs`]),
//!   and with `--compare` fails unless they equal those in `FILE` bit for bit (what `cargo number` checks the
//!   tuned build against the tuner's emulation with); in calibrate builds `--formats tuned.rs` emulates the
//!   formats of a tuned file. The report also holds the time per input (the first N inputs, default 1,000, one
//!   after another on one thread; `--timed 0` skips it), the metric's score when it needs no f32 outputs
//!   ([`Metric::needs_reference`]), each input's predicted class for classification metrics (`predictions`),
//!   and with [`Task::weights`] the weight tensors and their bits (`weights`, `param_bits`, `f32_param_bits`,
//!   `parameters`);
//! - `bench [--n 1024] [--json FILE]`: µs per input at batch 1 and 64 on the test split, one thread
//!   (`us_batch1`, `us_batch64`), and the weights' resident bytes (`weight_bytes`, `f32_weight_bytes`) next to
//!   their parameter bits (`param_bits`, what the tuned formats need);
//! - in calibrate builds, `weights --json FILE [--formats TUNED_RS]`: runs the first test inputs under the
//!   tuned file's formats (default: the task's) and writes every weight site's values as the tuned build stores
//!   them (`site`, `format`, `values`; [`crate::emulate::capture_weights`]): what `cargo number bake --example
//!   <name>` turns into `static`s;
//! - `info`: the task's name, build mode and tuned file, as JSON;
//! - in calibrate builds, `tune [options]` (`number_tune::workflow`; the options of `cargo number tune`).
//!
//! Tuned builds load the GPTQ-rounded weights their `tuned.rs` names (`tuned.safetensors`) before calling the
//! task's `load`, so the model's loader must convert each weight tensor with [`crate::weights::to_site`].
pub use number_runtime::workflow::*;
/// The tuning step (calibrate builds): `number_tune::workflow`.
#[cfg(feature = "tune")]
pub use number_tune::workflow::{EMULATED, Paths, Summary, interleave, tune, tune_command};

use crate::{MODE, Mode};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The name of the build mode (`plain`, `calibrate`, `tuned`).
pub fn mode_name() -> &'static str {
    match MODE {
        Mode::Plain => "plain",
        Mode::Calibrate => "calibrate",
        Mode::Tuned => "tuned",
    }
}

/// What a tuned build compiled for the x86-64 baseline (SSE2) says on a CPU with AVX2: its inline kernels and
/// conversions then use SSE2 only (the run-time dispatched byte kernels still use the CPU's best), so it runs
/// slower than a build for x86-64-v3 (LeNet 0.83x, own-model's autoencoder 0.75x on an AVX-512 EPYC). `None`
/// for other builds and CPUs. Results do not depend on the build target.
pub fn build_target_note() -> Option<&'static str> {
    #[cfg(target_arch = "x86_64")]
    if MODE == Mode::Tuned
        && !cfg!(target_feature = "avx2")
        && std::is_x86_feature_detected!("avx2")
    {
        return Some(
            "note: this tuned build targets the x86-64 baseline (SSE2) but the CPU has AVX2: build for x86-64-v3 \
             to run its integer layers faster, e.g. in the crate's .cargo/config.toml: \
             [target.'cfg(target_arch = \"x86_64\")'] rustflags = [\"-C\", \"target-cpu=x86-64-v3\"] (the outputs \
             stay the same bit for bit)",
        );
    }
    None
}

/// Runs the command line of a task binary (see the module documentation) and returns its exit code; errors are
/// printed as `error: …`.
pub fn main<M: Sync, I: Sync>(task: Task<M, I>) -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&task, &args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: <binary> eval [--split calibration|validation|test] [--limit N] [--json FILE] \
                     [--compare FILE] [--timed N] [--formats TUNED_RS] | bench [--n N] [--json FILE] | weights --json FILE \
                     [--formats TUNED_RS] | info | tune \
                     [OPTIONS] (calibrate builds; see `cargo number tune --help`)";

/// Runs one command line (`args` without the program name).
pub fn run<M: Sync, I: Sync>(task: &Task<M, I>, args: &[String]) -> Result<(), String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(format!("no command given; {USAGE}"));
    };
    match cmd.as_str() {
        "info" => {
            println!(
                "{{\"task\": {:?}, \"mode\": {:?}, \"tuned_rs\": {:?}}}",
                task.name(),
                mode_name(),
                task.tuned_rs_path().display().to_string()
            );
            Ok(())
        }
        "eval" => eval(task, rest),
        "bench" => bench(task, rest),
        "weights" => weights(task, rest),
        "tune" => tune_cmd(task, rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`; {USAGE}")),
    }
}

#[cfg(feature = "tune")]
fn tune_cmd<M: Sync, I: Sync>(task: &Task<M, I>, args: &[String]) -> Result<(), String> {
    if MODE != Mode::Calibrate {
        return Err(not_calibrate(task, "tune"));
    }
    let model = load(task, None)?;
    number_tune::workflow::tune_command(task, &model, args).map(|_| ())
}

/// `weights --json FILE [--formats TUNED_RS]` (calibrate builds): the values of every weight site under the
/// tuned file's formats, captured while the model runs its first test inputs.
#[cfg(feature = "tune")]
fn weights<M: Sync, I: Sync>(task: &Task<M, I>, args: &[String]) -> Result<(), String> {
    if MODE != Mode::Calibrate {
        return Err(not_calibrate(task, "weights"));
    }
    let (mut json, mut formats) = (None::<PathBuf>, None::<PathBuf>);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it
            .next()
            .ok_or_else(|| format!("weights: `{flag}` needs a value; {USAGE}"))?;
        match flag.as_str() {
            "--json" => json = Some(value.into()),
            "--formats" => formats = Some(value.into()),
            other => return Err(format!("weights: unknown option `{other}`; {USAGE}")),
        }
    }
    let json = json.ok_or_else(|| format!("weights: `--json FILE` is required; {USAGE}"))?;
    let tuned_rs = formats.unwrap_or_else(|| task.tuned_rs_path().to_path_buf());
    let model = load(task, Some(&tuned_rs))?;
    let inputs = task.data(Split::Test)?;
    if inputs.is_empty() {
        return Err(format!(
            "weights: the task `{}` has no test inputs to run",
            task.name()
        ));
    }
    let run = task.runner();
    // One run registers the sites, so that a stale or mismatched tuned file is an error, not a result.
    run(&model, &inputs[0]);
    let cfg = read_formats(&tuned_rs)?;
    let captured = crate::emulate::capture_weights(|| {
        crate::emulate::with_formats(&cfg, || {
            for x in inputs.iter().take(8) {
                run(&model, x);
            }
        })
    });
    let mut tensors = Vec::new();
    for (site, ts) in &captured {
        if ts.len() > 1 {
            return Err(format!(
                "weights: the weight site `{site}` was given {} different tensors (one layer instance run with \
                 different weights): give each use its own instance (`number_rt::instances!`) so each has one tensor \
                 to bake",
                ts.len()
            ));
        }
        tensors.push(serde_json::json!({
            "site": site, "format": format_of(&cfg, site).to_string(), "len": ts[0].len(),
            "values": ts[0].iter().map(|&x| f64::from(x)).collect::<Vec<f64>>(),
        }));
    }
    let doc = serde_json::json!({
        "task": task.name(), "tuned_rs": tuned_rs.display().to_string(), "weights": tensors,
    });
    write_file(
        &json,
        &serde_json::to_string(&doc).map_err(|e| e.to_string())?,
    )
}

#[cfg(not(feature = "tune"))]
fn weights<M: Sync, I: Sync>(task: &Task<M, I>, _: &[String]) -> Result<(), String> {
    Err(not_calibrate(task, "weights"))
}

#[cfg(not(feature = "tune"))]
fn tune_cmd<M: Sync, I: Sync>(task: &Task<M, I>, _: &[String]) -> Result<(), String> {
    Err(not_calibrate(task, "tune"))
}

fn not_calibrate<M, I>(task: &Task<M, I>, what: &str) -> String {
    format!(
        "`{what}` needs a calibrate build (this is a {} build): build with `--features calibrate` (a feature of your \
         crate forwarding to `number-rt/calibrate`), or run `cargo number tune {}`",
        mode_name(),
        task.target_label()
    )
}

/// Installs the rounded weights of `tuned_rs` (if it names any), loads the model, and checks that every rounded
/// tensor replaced a loaded one.
fn load<M, I>(task: &Task<M, I>, tuned_rs: Option<&Path>) -> Result<M, String> {
    let installed = match tuned_rs {
        Some(p) => crate::rounded_weights::install_named(p)?,
        None => {
            crate::rounded_weights::install(vec![]);
            None
        }
    };
    let model = task.load()?;
    if let Some(file) = installed {
        crate::rounded_weights::check_installed(&file)?;
    }
    Ok(model)
}

struct EvalArgs {
    split: Split,
    limit: Option<usize>,
    json: Option<PathBuf>,
    compare: Option<PathBuf>,
    timed: usize,
    formats: Option<PathBuf>,
}

/// The value of a flag that takes a count; `what` names it in the error.
fn count(cmd: &str, flag: &str, v: &str) -> Result<usize, String> {
    v.parse()
        .map_err(|_| format!("{cmd}: {flag} {v}: expected a number"))
}

fn parse_eval(args: &[String]) -> Result<EvalArgs, String> {
    let mut a = EvalArgs {
        split: Split::Test,
        limit: None,
        json: None,
        compare: None,
        timed: 1000,
        formats: None,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("eval: `{flag}` needs a value; {USAGE}"))
        };
        match flag.as_str() {
            "--split" => a.split = Split::parse(&value()?)?,
            "--limit" => {
                let n = count("eval", "--limit", &value()?)?;
                if n == 0 {
                    return Err("eval --limit 0: a run over no inputs means nothing".into());
                }
                a.limit = Some(n);
            }
            "--json" => a.json = Some(value()?.into()),
            "--compare" => a.compare = Some(value()?.into()),
            "--timed" => a.timed = count("eval", "--timed", &value()?)?,
            "--formats" => a.formats = Some(value()?.into()),
            other => return Err(format!("eval: unknown option `{other}`; {USAGE}")),
        }
    }
    Ok(a)
}

/// Runs `f` on every thread of a scope, each under `enter` (the emulated formats in calibrate builds), over
/// consecutive chunks of `inputs`: the outputs in input order. Each input's outputs do not depend on the thread
/// that computes them, so neither does the result.
fn outputs_parallel<M: Sync, I: Sync>(
    run: &(dyn Fn(&M, &I) -> Vec<f32> + Sync),
    model: &M,
    inputs: &[I],
    enter: &(dyn Fn(&mut dyn FnMut()) + Sync),
) -> Vec<Vec<f32>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = inputs.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = inputs
            .chunks(chunk)
            .map(|xs| {
                s.spawn(move || {
                    let mut out = Vec::new();
                    enter(&mut || out = xs.iter().map(|x| run(model, x)).collect());
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Mean µs per input over `inputs` run one after another on this thread, after a warm-up.
fn time_sequential<M, I>(run: &dyn Fn(&M, &I) -> Vec<f32>, model: &M, inputs: &[I]) -> f64 {
    for x in inputs.iter().take(50) {
        std::hint::black_box(run(model, x));
    }
    let t = Instant::now();
    for x in inputs {
        std::hint::black_box(run(model, std::hint::black_box(x)));
    }
    t.elapsed().as_secs_f64() * 1e6 / inputs.len().max(1) as f64
}

/// Median µs per input over groups of `batch` consecutive inputs (cycling over `inputs`; after a warm-up), on
/// this thread.
fn median_per_input<M, I>(
    run: &dyn Fn(&M, &I) -> Vec<f32>,
    model: &M,
    inputs: &[I],
    n: usize,
    batch: usize,
) -> f64 {
    let n = n.max(batch);
    for i in 0..n.min(64) {
        std::hint::black_box(run(model, &inputs[i % inputs.len()]));
    }
    let mut t: Vec<f64> = (0..n / batch)
        .map(|g| {
            let s = Instant::now();
            for i in g * batch..(g + 1) * batch {
                std::hint::black_box(run(model, std::hint::black_box(&inputs[i % inputs.len()])));
            }
            s.elapsed().as_secs_f64() * 1e6 / batch as f64
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// The formats a calibrate build emulates for `eval --formats`.
#[cfg(feature = "tune")]
type Formats = crate::emulate::Config;
#[cfg(not(feature = "tune"))]
type Formats = ();

/// Reads the tuned file at `path` and checks that it fits the code that ran (no stale function, no unknown or
/// missing site): its formats.
#[cfg(feature = "tune")]
fn read_formats(path: &Path) -> Result<Formats, String> {
    let file = crate::tuned_file::read_file(path).map_err(|e| e.to_string())?;
    crate::tuned_file::check_current(&file).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(file.config())
}

#[cfg(not(feature = "tune"))]
fn read_formats(_: &Path) -> Result<Formats, String> {
    Err("eval --formats needs a calibrate build".into())
}

/// Runs `f` under `formats` (none: the build's own).
#[cfg(feature = "tune")]
fn under(formats: Option<&Formats>, f: &mut dyn FnMut()) {
    match formats {
        Some(c) => crate::emulate::with_formats(c, f),
        None => f(),
    }
}

#[cfg(not(feature = "tune"))]
fn under(_: Option<&Formats>, f: &mut dyn FnMut()) {
    f()
}

/// The format `formats` gives weight site `site` (f32 when it names none).
#[cfg(feature = "tune")]
fn format_of(formats: &Formats, site: &str) -> crate::Format {
    formats.get(site).copied().unwrap_or(crate::Format::F32)
}

#[cfg(not(feature = "tune"))]
fn format_of(_: &Formats, _: &str) -> crate::Format {
    crate::Format::F32
}

/// Writes `text` to `path`, creating its folder.
fn write_file(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// The weight fields of an `eval` report: each tensor (in the emulated formats, if any), their storage bits
/// and the same tensors' bits in f32.
fn weight_fields(
    ws: Vec<WeightInfo>,
    formats: Option<&Formats>,
    extra: &mut serde_json::Map<String, serde_json::Value>,
) -> (u64, u64) {
    let ws: Vec<WeightInfo> = match formats {
        Some(c) => ws
            .into_iter()
            .map(|w| {
                let f = format_of(c, &w.site);
                w.in_format(f)
            })
            .collect(),
        None => ws,
    };
    let bits: u64 = ws.iter().map(|w| w.storage_bits).sum();
    let f32_bits: u64 = ws.iter().map(|w| 32 * w.len as u64).sum();
    extra.insert("param_bits".into(), bits.into());
    extra.insert("f32_param_bits".into(), f32_bits.into());
    extra.insert(
        "parameters".into(),
        ws.iter().map(|w| w.len as u64).sum::<u64>().into(),
    );
    extra.insert(
        "weights".into(),
        ws.iter().map(WeightInfo::to_json).collect(),
    );
    (bits, f32_bits)
}

fn eval<M: Sync, I: Sync>(task: &Task<M, I>, args: &[String]) -> Result<(), String> {
    let a = parse_eval(args)?;
    let tuned_rs = match (MODE, &a.formats) {
        (Mode::Tuned, None) => Some(task.tuned_rs_path().to_path_buf()),
        (Mode::Calibrate, Some(p)) => Some(p.clone()),
        (_, Some(_)) => return Err(not_calibrate(task, "eval --formats")),
        _ => None,
    };
    let model = load(task, tuned_rs.as_deref())?;
    let inputs = task.data(a.split)?;
    let n = a.limit.unwrap_or(inputs.len()).min(inputs.len());
    let inputs = &inputs[..n];
    let run = task.runner();
    let formats = match &a.formats {
        Some(p) => {
            // One run registers the sites, so that a stale or mismatched tuned file is an error, not a result.
            run(&model, &inputs[0]);
            Some(read_formats(p)?)
        }
        None => None,
    };
    let outputs = outputs_parallel(run, &model, inputs, &|f| under(formats.as_ref(), f));
    let timed = &inputs[..a.timed.min(n)];
    let us = (!timed.is_empty()).then(|| {
        let mut us = 0.0;
        under(formats.as_ref(), &mut || {
            us = time_sequential(run, &model, timed)
        });
        us
    });
    let mode = if a.formats.is_some() {
        "emulated"
    } else {
        mode_name()
    };
    let metric = task.metric_ref();
    let refs: Vec<&I> = inputs.iter().collect();
    let score = metric.score_alone(&refs, &outputs);
    let mut extra = serde_json::Map::new();
    if metric.is_classification() {
        extra.insert(
            "predictions".into(),
            outputs
                .iter()
                .map(|y| serde_json::Value::from(argmax(y).map_or(0, |c| c as u64)))
                .collect(),
        );
    }
    let bits = task
        .weights_of(&model)
        .map(|ws| weight_fields(ws, formats.as_ref(), &mut extra));
    let rep = Outputs {
        task: task.name().to_string(),
        mode: mode.to_string(),
        split: a.split.name().to_string(),
        digests: outputs.iter().map(|y| output_digest(y)).collect(),
        micros_per_input: us,
        metric: score.map(|_| metric.name().to_string()),
        score,
        extra,
    };
    let build = match &a.formats {
        Some(p) => format!("calibrate build emulating {}", p.display()),
        None => format!("{mode} build"),
    };
    let mut line = format!("{} ({build}): {n} {} inputs", task.name(), a.split.name());
    if let Some(s) = score {
        line.push_str(&format!("; {} {s:.4}", metric.name()));
    }
    if let Some(us) = us {
        line.push_str(&format!("; {us:.1} µs/input (one thread)"));
    }
    match bits {
        Some((b, b32)) if b == b32 => line.push_str(&format!("; weights {b} bits (f32)")),
        Some((b, b32)) => line.push_str(&format!(
            "; weights {b} bits ({:.2}x smaller than f32)",
            b32 as f64 / b.max(1) as f64
        )),
        None => {}
    }
    println!("{line}");
    if let (Some(_), Some(note)) = (us, build_target_note()) {
        eprintln!("{note}");
    }
    if let Some(p) = &a.json {
        write_file(p, &rep.to_json())?;
    }
    if let Some(p) = &a.compare {
        println!("{}", rep.compare(&Outputs::read(p)?, p)?);
    }
    Ok(())
}

/// `bench [--n N] [--json FILE]`: µs per input at batch 1 (median over single inputs) and at batch 64 (median
/// over groups of 64 inputs run back to back, per input) on the first N test inputs (cycled if fewer), one
/// thread; and the bytes the weights occupy ([`Task::weights`]).
fn bench<M: Sync, I: Sync>(task: &Task<M, I>, args: &[String]) -> Result<(), String> {
    let (mut n, mut json) = (1024usize, None::<PathBuf>);
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("bench: `{flag}` needs a value; {USAGE}"))
        };
        match flag.as_str() {
            "--n" => n = count("bench", "--n", &value()?)?,
            "--json" => json = Some(value()?.into()),
            other => return Err(format!("bench: unknown option `{other}`; {USAGE}")),
        }
    }
    if n == 0 {
        return Err("bench --n 0: timing no inputs means nothing".into());
    }
    let tuned_rs = (MODE == Mode::Tuned).then(|| task.tuned_rs_path().to_path_buf());
    let model = load(task, tuned_rs.as_deref())?;
    let inputs = task.data(Split::Test)?;
    let run = task.runner();
    let (b1, b64) = (
        median_per_input(run, &model, &inputs, n, 1),
        median_per_input(run, &model, &inputs, n, 64),
    );
    let mut m = serde_json::Map::new();
    m.insert("task".into(), task.name().into());
    m.insert("mode".into(), mode_name().into());
    m.insert("us_batch1".into(), b1.into());
    m.insert("us_batch64".into(), b64.into());
    let mut line = format!(
        "{} ({} build): {b1:.1} µs/input at batch 1, {b64:.1} at batch 64",
        task.name(),
        mode_name()
    );
    if let Some(ws) = task.weights_of(&model) {
        let bytes: usize = ws.iter().map(|w| w.bytes).sum();
        let f32_bytes: usize = ws.iter().map(|w| 4 * w.len).sum();
        let bits: u64 = ws.iter().map(|w| w.storage_bits).sum();
        m.insert("weight_bytes".into(), bytes.into());
        m.insert("f32_weight_bytes".into(), f32_bytes.into());
        m.insert("param_bits".into(), bits.into());
        line.push_str(&format!(
            "; weights {bytes} bytes in memory (f32: {f32_bytes})"
        ));
    }
    println!("{line}");
    if let Some(note) = build_target_note() {
        eprintln!("{note}");
    }
    if let Some(p) = &json {
        let text = serde_json::to_string_pretty(&serde_json::Value::Object(m))
            .map_err(|e| e.to_string())?;
        write_file(p, &text)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    /// A two-class "model" scaling its input, with one weight tensor, scored by accuracy.
    fn task() -> Task<f32, (Vec<f32>, usize)> {
        Task::new(
            "toy",
            || Ok::<_, std::io::Error>(2.0f32),
            |_| {
                Ok::<_, std::io::Error>(
                    (0..37)
                        .map(|i| (vec![i as f32, 36.0 - i as f32], (i % 3 == 0) as usize))
                        .collect(),
                )
            },
            |m: &f32, (x, _): &(Vec<f32>, usize)| x.iter().map(|v| m * v).collect(),
        )
        .metric(Metric::accuracy(|(_, l): &(Vec<f32>, usize)| *l))
        .weights(|m: &f32| vec![WeightInfo::of("Toy/scale.w", std::slice::from_ref(m))])
    }

    #[test]
    fn parallel_outputs_are_in_input_order() {
        let t = task();
        let inputs = t.data(Split::Test).unwrap();
        let seq: Vec<Vec<f32>> = inputs.iter().map(|x| t.run(&2.0, x)).collect();
        let par = outputs_parallel(t.runner(), &2.0, &inputs, &|f| f());
        assert_eq!(par, seq);
    }

    #[test]
    fn eval_reports_score_predictions_and_weight_bits() {
        if MODE != Mode::Plain {
            return;
        }
        let dir = std::env::temp_dir().join(format!("number-rt-eval-{}", std::process::id()));
        let p = dir.join("out.json");
        let t = task();
        run(
            &t,
            &args(&["eval", "--json", p.to_str().unwrap(), "--timed", "5"]),
        )
        .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        // Input i scores [2i, 72 − 2i]: class 1 for i < 18; labelled 1 when i % 3 == 0.
        let want = (0..37).filter(|&i| (i < 18) == (i % 3 == 0)).count() as f64 / 37.0;
        assert_eq!(v["score"].as_f64(), Some(want));
        assert_eq!(v["metric"], "accuracy");
        assert_eq!(v["predictions"][0], 1);
        assert_eq!(v["predictions"][36], 0);
        assert_eq!(
            (v["param_bits"].as_u64(), v["parameters"].as_u64()),
            (Some(32), Some(1))
        );
        assert_eq!(v["weights"][0]["site"], "Toy/scale.w");
        assert!(v["micros_per_input"].as_f64().is_some());
        let back = Outputs::read(&p).unwrap();
        assert_eq!(back.digests.len(), 37);
        assert_eq!(back.digests[3], output_digest(&[6.0, 66.0]));
        // --timed 0: no time; --compare against itself holds.
        run(
            &t,
            &args(&["eval", "--timed", "0", "--compare", p.to_str().unwrap()]),
        )
        .unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn bad_options_are_errors_naming_them() {
        let t = task();
        let e = run(&t, &args(&["eval", "--timed", "x"])).unwrap_err();
        assert!(e.contains("--timed x: expected a number"), "{e}");
        let e = run(&t, &args(&["bench", "--n", "0"])).unwrap_err();
        assert!(e.contains("bench --n 0"), "{e}");
        let e = run(&t, &args(&["bench", "--rounds", "3"])).unwrap_err();
        assert!(e.contains("unknown option `--rounds`"), "{e}");
        if MODE != Mode::Calibrate && std::env::var_os(TARGET_ENV).is_none() {
            let e = run(&t, &args(&["tune"])).unwrap_err();
            assert!(e.contains("run `cargo number tune --example toy`"), "{e}");
            // `weights` (what `cargo number bake` runs) emulates: other builds refuse it, naming the feature.
            let e = run(&t, &args(&["weights", "--json", "w.json"])).unwrap_err();
            assert!(e.contains("`weights` needs a calibrate build"), "{e}");
        }
    }

    #[test]
    fn bench_writes_times_and_weight_bytes() {
        let dir = std::env::temp_dir().join(format!("number-rt-bench-{}", std::process::id()));
        let p = dir.join("bench.json");
        run(
            &task(),
            &args(&["bench", "--n", "64", "--json", p.to_str().unwrap()]),
        )
        .unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        assert!(v["us_batch1"].as_f64().is_some() && v["us_batch64"].as_f64().is_some());
        assert_eq!(
            (v["weight_bytes"].as_u64(), v["f32_weight_bytes"].as_u64()),
            (Some(4), Some(4))
        );
        assert_eq!(v["param_bits"].as_u64(), Some(32));
        let _ = std::fs::remove_dir_all(dir);
    }
}
