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
//! - `eval [--split test] [--limit N] [--json FILE] [--compare FILE]`: runs the model on a split (one thread,
//!   timed), writes the digest of every input's outputs, and with `--compare` fails unless they equal those in
//!   `FILE` bit for bit (what `cargo number` checks the tuned build against the tuner's emulation with); in
//!   calibrate builds `--formats tuned.rs` emulates the formats of a tuned file;
//! - `info`: the task's name, build mode and tuned file, as JSON;
//! - in calibrate builds, `tune [options]` (`number_tune::workflow`; the options of `cargo number tune`).
//!
//! Tuned builds load the GPTQ-rounded weights their `tuned.rs` names (`tuned.safetensors`) before calling the
//! task's `load`, so the model's loader must convert each weight tensor with [`crate::weights::to_site`].
pub use number_runtime::workflow::*;
/// The tuning step (calibrate builds): `number_tune::workflow`.
#[cfg(feature = "tune")]
pub use number_tune::workflow::{
    EMULATED, Paths, Summary, TARGET_ENV, interleave, tune, tune_command,
};

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
                     [--compare FILE] [--formats TUNED_RS] | info | tune [OPTIONS] (calibrate builds; see \
                     `cargo number tune --help`)";

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
        return Err(not_calibrate("tune"));
    }
    let model = load(task, None)?;
    number_tune::workflow::tune_command(task, &model, args).map(|_| ())
}

#[cfg(not(feature = "tune"))]
fn tune_cmd<M: Sync, I: Sync>(_: &Task<M, I>, _: &[String]) -> Result<(), String> {
    Err(not_calibrate("tune"))
}

fn not_calibrate(what: &str) -> String {
    format!(
        "`{what}` needs a calibrate build (this is a {} build): build with `--features calibrate` (a feature of your \
         crate forwarding to `number-rt/calibrate`), or run `cargo number tune --example <name>`",
        mode_name()
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
    formats: Option<PathBuf>,
}

fn parse_eval(args: &[String]) -> Result<EvalArgs, String> {
    let mut a = EvalArgs {
        split: Split::Test,
        limit: None,
        json: None,
        compare: None,
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
                let v = value()?;
                let n: usize = v
                    .parse()
                    .map_err(|_| format!("eval: --limit {v}: expected a number of inputs"))?;
                if n == 0 {
                    return Err("eval --limit 0: a run over no inputs means nothing".into());
                }
                a.limit = Some(n);
            }
            "--json" => a.json = Some(value()?.into()),
            "--compare" => a.compare = Some(value()?.into()),
            "--formats" => a.formats = Some(value()?.into()),
            other => return Err(format!("eval: unknown option `{other}`; {USAGE}")),
        }
    }
    Ok(a)
}

fn eval<M: Sync, I: Sync>(task: &Task<M, I>, args: &[String]) -> Result<(), String> {
    let a = parse_eval(args)?;
    let tuned_rs = match (MODE, &a.formats) {
        (Mode::Tuned, None) => Some(task.tuned_rs_path().to_path_buf()),
        (Mode::Calibrate, Some(p)) => Some(p.clone()),
        (_, Some(_)) => return Err(not_calibrate("eval --formats")),
        _ => None,
    };
    let model = load(task, tuned_rs.as_deref())?;
    let inputs = task.data(a.split)?;
    let n = a.limit.unwrap_or(inputs.len()).min(inputs.len());
    let run = task.runner();
    let t = Instant::now();
    let outputs: Vec<Vec<f32>> = match &a.formats {
        Some(p) => {
            // One run registers the sites, so that a stale or mismatched tuned file is an error, not a result.
            run(&model, &inputs[0]);
            emulate_file(p, || inputs[..n].iter().map(|x| run(&model, x)).collect())?
        }
        None => inputs[..n].iter().map(|x| run(&model, x)).collect(),
    };
    let us = t.elapsed().as_secs_f64() * 1e6 / n as f64;
    let mode = if a.formats.is_some() {
        "emulated"
    } else {
        mode_name()
    };
    let rep = Outputs {
        task: task.name().to_string(),
        mode: mode.to_string(),
        split: a.split.name().to_string(),
        digests: outputs.iter().map(|y| output_digest(y)).collect(),
        micros_per_input: Some(us),
        extra: Default::default(),
    };
    println!(
        "{} ({mode} build): {n} {} inputs, {us:.1} µs/input (one thread)",
        task.name(),
        a.split.name()
    );
    if let Some(p) = &a.json {
        if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        std::fs::write(p, rep.to_json()).map_err(|e| format!("writing {}: {e}", p.display()))?;
    }
    if let Some(p) = &a.compare {
        println!("{}", rep.compare(&Outputs::read(p)?, p)?);
    }
    Ok(())
}

/// Runs `f` emulating the formats of the tuned file at `path`, after checking that it fits the code that ran
/// (no stale function, no unknown or missing site).
#[cfg(feature = "tune")]
fn emulate_file<R>(path: &Path, f: impl FnOnce() -> R) -> Result<R, String> {
    let file = crate::tuned_file::read_file(path).map_err(|e| e.to_string())?;
    crate::tuned_file::check_current(&file).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(crate::emulate::with_formats(&file.config(), f))
}

#[cfg(not(feature = "tune"))]
fn emulate_file<R>(_: &Path, _: impl FnOnce() -> R) -> Result<R, String> {
    Err(not_calibrate("eval --formats"))
}
