//! LeNet-5 (examples/lenet) in tract, f32 and int8, on the 10,000 MNIST test images; timed at batch 1 and batch
//! 64 (one thread), next to libnumber's own plain f32 build (`cargo run --release --example lenet -- eval`) and its
//! tuned build (`--features tuned`), each run as a separate process so that no features mix.
//!
//! `cargo run --release [-- --timed N] [--no-ours]` from `peer/`. Needs MNIST in `../target/testdata/mnist`
//! (`cargo number fetch mnist`) or in `$LIBNUMBER_DATA`.
mod data;
mod model;
/// The zoo's reader of PyTorch `.pth` files (digit_recognizer's weights), shared source.
#[path = "../../src/pth.rs"]
#[allow(dead_code)]
mod pth;
mod zoo;
/// What `pth` returns (as `number_runtime::weights::Tensors`).
mod weights {
    pub type Tensors = crate::zoo::Tensors;
}

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use data::Images;
use model::{Engine, Precision, Weights};
use tract_core::internal::{TractResult, format_err};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("peer/ lives in the repository").to_path_buf()
}

fn argmax(xs: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in xs.iter().enumerate() {
        if v > xs[best] {
            best = i;
        }
    }
    best
}

/// Predictions for images `0..n` at batch `batch` (full batches, then the rest one at a time).
fn predict(e: &Engine, imgs: &Images, n: usize) -> TractResult<Vec<u32>> {
    let mut out = Vec::with_capacity(n);
    let b = e.batch();
    let mut i = 0;
    while i + b <= n {
        for l in e.logits(imgs.batch(i, b))?.chunks(10) {
            out.push(argmax(l) as u32);
        }
        i += b;
    }
    Ok(out)
}

/// µs per image for `reps` passes over images `0..n` (whole batches only); the median pass.
fn time(e: &Engine, imgs: &Images, n: usize, reps: usize) -> TractResult<f64> {
    let b = e.batch();
    let batches = (n / b).max(1);
    let mut ts = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        for k in 0..batches {
            std::hint::black_box(e.logits(imgs.batch(k * b % (imgs.n - b + 1), b))?);
        }
        ts.push(t.elapsed().as_secs_f64() * 1e6 / (batches * b) as f64);
    }
    ts.sort_by(f64::total_cmp);
    Ok(ts[ts.len() / 2])
}

/// Our own LeNet, run by cargo in the main workspace: the plain f32 build, or the tuned one (`--features tuned`,
/// examples/lenet/tuned.rs): (accuracy, predictions, µs/input).
fn run_ours(timed: usize, tuned: bool) -> Result<(f64, Vec<u32>, f64), String> {
    let json = std::env::temp_dir().join(format!("libnumber-peer-ours-{}.json", std::process::id()));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root()).args(["run", "--quiet", "--release", "--example", "lenet"]);
    if tuned {
        cmd.args(["--features", "tuned"]);
    }
    cmd.args(["--", "eval", "--timed"])
        .arg(timed.to_string())
        .arg("--json")
        .arg(&json);
    // The variables cargo set for this binary are not meant for the inner cargo.
    for (k, _) in std::env::vars_os() {
        if let Some(k) = k.to_str()
            && (k.starts_with("CARGO_PKG_") || ["CARGO_MANIFEST_DIR", "CARGO_MANIFEST_PATH", "CARGO_PRIMARY_PACKAGE", "CARGO_CRATE_NAME", "CARGO_BIN_NAME"].contains(&k))
        {
            cmd.env_remove(k);
        }
    }
    cmd.stdout(std::io::stderr()); // its own summary line goes with the build messages, not into the table
    let st = cmd.status().map_err(|e| format!("running cargo: {e}"))?;
    if !st.success() {
        return Err(format!("`cargo run --release --example lenet -- eval` failed ({st})"));
    }
    let s = std::fs::read_to_string(&json).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&json);
    let v: serde_json::Value = serde_json::from_str(&s).map_err(|e| e.to_string())?;
    let acc = v["score"].as_f64().ok_or("no score (accuracy)")?;
    let us = v["micros_per_input"].as_f64().ok_or("no micros_per_input")?;
    let preds = v["predictions"].as_array().ok_or("no predictions")?.iter().map(|p| p.as_u64().unwrap_or(99) as u32).collect();
    Ok((acc, preds, us))
}

fn agree(a: &[u32], b: &[u32]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x == y).count()
}

/// `bench --model M [--n N] [--json F] [--accuracy]`: µs per image of the zoo model `M` in tract f32 at batch 1
/// (the median over `N` test-split images after 64 warm-up runs, as our builds' `bench` measures), for LeNet also
/// tract int8 (per-tensor weight scales); with `--accuracy`, the accuracy on the zoo's whole test split (the
/// 5,000 MNIST test images of odd index). Prints one JSON object (and writes it to `F`).
fn bench(args: &[String]) -> TractResult<()> {
    let opt = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1));
    let model = opt("--model").ok_or_else(|| format_err!("bench: --model M (one of {})", zoo::MODELS.join(", ")))?;
    let n: usize = opt("--n").map_or(Ok(512), |s| s.parse()).map_err(|e| format_err!("--n: {e}"))?;
    let accuracy = args.iter().any(|a| a == "--accuracy");
    let dir = data::mnist_dir(&root());
    let all = Images::load(&dir, "t10k")?;
    // The zoo's test split of MNIST: the official test images of odd index.
    let odd: Vec<usize> = (1..all.n).step_by(2).collect();
    let test = Images {
        n: odd.len(),
        pixels: odd.iter().flat_map(|&i| all.batch(i, 1).iter().copied()).collect(),
        labels: odd.iter().map(|&i| all.labels[i]).collect(),
    };
    let w = zoo::load_weights(&root(), model)?;
    let plan = zoo::Plan::new(model, &w)?;
    let median_us = |f: &dyn Fn(&[f32]) -> TractResult<Vec<f32>>| -> TractResult<f64> {
        let n = n.min(test.n).max(1);
        for i in 0..n.min(64) {
            std::hint::black_box(f(test.batch(i, 1))?);
        }
        let mut t = Vec::with_capacity(n);
        for i in 0..n {
            let s = Instant::now();
            std::hint::black_box(f(std::hint::black_box(test.batch(i, 1)))?);
            t.push(s.elapsed().as_secs_f64() * 1e6);
        }
        t.sort_by(f64::total_cmp);
        Ok(t[t.len() / 2])
    };
    let mut out = serde_json::json!({
        "model": model,
        "engine": "tract-core 0.23.9",
        "tract_f32_us_b1": median_us(&|x| plan.logits(x))?,
    });
    let int8 = if model == "lenet" {
        let lw = Weights::load(&root().join("examples/lenet/weights.safetensors"))?;
        let q = model::calibrate(&lw, &Images::load_first(&dir, "train", 2000)?)?;
        let e = Engine::new(&lw, &q, 1, Precision::Int8 { per_channel: false })?;
        out["tract_int8_us_b1"] = median_us(&|x| e.logits(x))?.into();
        Some(e)
    } else {
        None
    };
    if accuracy {
        let acc = |f: &dyn Fn(&[f32]) -> TractResult<Vec<f32>>| -> TractResult<f64> {
            let p: Vec<u32> = (0..test.n).map(|i| Ok(argmax(&f(test.batch(i, 1))?) as u32)).collect::<TractResult<_>>()?;
            Ok(test.accuracy(&p))
        };
        out["tract_f32_accuracy"] = acc(&|x| plan.logits(x))?.into();
        if let Some(e) = &int8 {
            out["tract_int8_accuracy"] = acc(&|x| e.logits(x))?.into();
        }
    }
    let s = serde_json::to_string(&out)?;
    if let Some(f) = opt("--json") {
        std::fs::write(f, &s).map_err(|e| format_err!("{f}: {e}"))?;
    }
    println!("{s}");
    Ok(())
}

fn main() -> TractResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "bench") {
        return bench(&args[2..]);
    }
    let timed = args.iter().position(|a| a == "--timed").and_then(|i| args.get(i + 1)).map_or(2048, |s| s.parse().expect("--timed N"));
    let with_ours = !args.iter().any(|a| a == "--no-ours");

    let dir = data::mnist_dir(&root());
    let test = Images::load(&dir, "t10k")?;
    let calib = Images::load_first(&dir, "train", 2000)?; // official training images 0..2000 (our Split::Train)
    let w = Weights::load(&root().join("examples/lenet/weights.safetensors"))?;
    let q = model::calibrate(&w, &calib)?;
    eprintln!("int8: symmetric weights, activations (one scale and zero point per tensor) calibrated on {} training images", calib.n);

    let n = test.n;
    let mut rows = Vec::new();
    let mut preds = Vec::new();
    let variants = [
        ("tract f32", Precision::F32),
        ("tract int8, per-tensor weight scales", Precision::Int8 { per_channel: false }),
        ("tract int8, per-channel weight scales", Precision::Int8 { per_channel: true }),
    ];
    for (name, p) in variants {
        let e1 = Engine::new(&w, &q, 1, p)?;
        let e64 = Engine::new(&w, &q, 64, p)?;
        let p1 = predict(&e1, &test, n)?;
        let mut p64 = predict(&e64, &test, n)?;
        let done = p64.len();
        p64.extend_from_slice(&p1[done..]); // the last n % 64 images
        let acc = test.accuracy(&p1);
        let (t1, t64) = (time(&e1, &test, timed, 5)?, time(&e64, &test, timed, 5)?);
        rows.push((name, acc, t1, t64, agree(&p1, &p64)));
        preds.push(p1);
    }

    // Our builds run in other processes, so they cannot be interleaved: tract f32 at batch 1 is timed again right
    // after each, and each ratio uses the mean of the tract timings before and after it.
    let ours = if with_ours {
        let r = run_ours(timed, false);
        let again = time(&Engine::new(&w, &q, 1, Precision::F32)?, &test, timed, 5)?;
        Some(r.map(|(acc, p, us)| (acc, p, us, again)))
    } else {
        None
    };
    let tuned = if with_ours {
        let r = run_ours(timed, true);
        let again = time(&Engine::new(&w, &q, 1, Precision::F32)?, &test, timed, 5)?;
        Some(r.map(|(acc, _, us)| (acc, us, again)))
    } else {
        None
    };

    println!("\nLeNet-5, MNIST test set ({n} images), one thread; µs/image = median of 5 passes over {timed} images");
    println!("| engine | accuracy | µs/image batch 1 | µs/image batch 64 |");
    println!("|---|---|---|---|");
    for (name, acc, t1, t64, a) in &rows {
        println!("| {name} | {:.2}% | {t1:.1} | {t64:.1} |", 100.0 * acc);
        if *a != n {
            println!("  (batch 64 and batch 1 predictions differ on {} images)", n - a);
        }
    }
    // The tract f32 timing right after the plain process is the one right before the tuned process.
    let tract_between = ours.as_ref().and_then(|o| o.as_ref().ok()).map_or(rows[0].2, |o| o.3);
    if let Some(ours) = ours {
        match ours {
            Ok((acc, p, us, again)) => {
                println!(
                    "| libnumber plain f32 (separate process: `cargo run --release --example lenet -- eval --timed {timed}`) | {:.2}% | {us:.1} | - |",
                    100.0 * acc
                );
                let before = rows[0].2;
                println!(
                    "\nratio libnumber plain f32 / tract f32, batch 1: {:.2} (tract f32 timed {before:.1} µs before and {again:.1} µs after our process)",
                    us / ((before + again) / 2.0)
                );
                // The zoo's LeNet is measured on the official test images of odd index (`zoo::data::mnist_unseen`;
                // the even ones are its validation split): compare on those.
                let odd = |pr: &[u32]| -> Vec<u32> { pr.iter().skip(1).step_by(2).copied().collect() };
                if p.len() == n / 2 {
                    println!("\npredictions equal to libnumber plain f32's (its test split: the {} images of odd index):", p.len());
                    for ((name, ..), pr) in rows.iter().zip(&preds) {
                        println!("  {name}: {}/{}", agree(&odd(pr), &p), p.len());
                    }
                } else if p.len() == n {
                    println!("\npredictions equal to libnumber plain f32's:");
                    for ((name, ..), pr) in rows.iter().zip(&preds) {
                        println!("  {name}: {}/{n}", agree(pr, &p));
                    }
                } else {
                    println!("\nlibnumber returned {} predictions for {n} images: not compared", p.len());
                }
            }
            Err(e) => println!("libnumber plain f32: not measured ({e})"),
        }
    }
    match tuned {
        Some(Ok((acc, us, again))) => {
            let before = tract_between;
            println!(
                "\nlibnumber tuned (examples/lenet/tuned.rs, separate process: `cargo run --release --example lenet --features tuned -- eval --timed {timed}`): {:.2}% on its test split, {us:.1} µs/image at batch 1",
                100.0 * acc
            );
            println!(
                "ratio libnumber tuned / tract f32, batch 1: {:.2} (tract f32 timed {before:.1} µs before and {again:.1} µs after our process)",
                us / ((before + again) / 2.0)
            );
        }
        Some(Err(e)) => println!("libnumber tuned: not measured ({e})"),
        None => {}
    }
    let (f1, f64_) = (rows[0].2, rows[0].3);
    for ((name, _, t1, t64, _), pr) in rows.iter().zip(&preds).skip(1) {
        println!(
            "{name}: time ratio to tract f32 {:.2} at batch 1, {:.2} at batch 64; agrees with tract f32 on {}/{n} images",
            t1 / f1,
            t64 / f64_,
            agree(&preds[0], pr)
        );
    }
    Ok(())
}
