//! `cargo number bench`: issue #6's zoo benchmarks in one run — every model with a checked-in tuned.rs, its
//! plain f32 build, tuned build and calibrate build timed interleaved (rounds of one run each, medians), so the
//! ratios come from the same minutes of a shared machine; next to them, in the same rounds, the peer engine tract
//! (f32, and int8 for LeNet) on the models it runs (peer/: its own workspace, built here when its dependencies can
//! be fetched), and the out-of-tree crate own-model/ (plain vs tuned autoencoder). Writes docs/bench.md and
//! docs/bench.json.
use crate::{cargo, data_of, f, fetch, read, root, run, tuned_models};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

fn min_max(v: &[f64]) -> (f64, f64) {
    v.iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        })
}

fn geomean(v: &[f64]) -> f64 {
    (v.iter().map(|x| x.ln()).sum::<f64>() / v.len().max(1) as f64).exp()
}

/// Builds the example in a mode (`packed`: tuned with the feature `packed`) and copies the binary aside (the
/// builds share one target dir).
fn build(model: &str, mode: &str, dir: &std::path::Path) -> Result<PathBuf, String> {
    let mut args = vec!["build", "--release", "--example", model];
    match mode {
        "plain" => {}
        "packed" => args.extend(["--features", "tuned,packed"]),
        _ => args.extend(["--features", mode]),
    }
    run(&args)?;
    let src = root()
        .join("target")
        .join("release")
        .join("examples")
        .join(model);
    let dst = dir.join(format!("{model}-{mode}"));
    std::fs::copy(&src, &dst).map_err(|e| format!("copying {}: {e}", src.display()))?;
    Ok(dst)
}

fn time(bin: &Path, n: usize, json_out: &Path) -> Result<Value, String> {
    let st = Command::new(bin)
        .args([
            "bench",
            "--n",
            &n.to_string(),
            "--json",
            json_out.to_str().unwrap(),
        ])
        .current_dir(root())
        .status()
        .map_err(|e| format!("running {}: {e}", bin.display()))?;
    if !st.success() {
        return Err(format!("{} bench failed ({st})", bin.display()));
    }
    read(json_out)
}

/// The CPU features the integer kernels can use on this machine (the builds target it: `.cargo/config.toml`).
fn cpu_features() -> String {
    #[cfg(target_arch = "x86_64")]
    {
        let has = [
            ("avx2", std::arch::is_x86_feature_detected!("avx2")),
            ("avx512f", std::arch::is_x86_feature_detected!("avx512f")),
            ("avx512bw", std::arch::is_x86_feature_detected!("avx512bw")),
            (
                "avx512vnni",
                std::arch::is_x86_feature_detected!("avx512vnni"),
            ),
            ("avxvnni", std::arch::is_x86_feature_detected!("avxvnni")),
        ];
        let on: Vec<&str> = has.iter().filter(|(_, h)| *h).map(|(n, _)| *n).collect();
        let off: Vec<&str> = has.iter().filter(|(_, h)| !*h).map(|(n, _)| *n).collect();
        let list = |v: &[&str]| {
            if v.is_empty() {
                "-".to_string()
            } else {
                v.join(", ")
            }
        };
        let target = if cfg!(target_feature = "avx2") {
            "x86-64-v3 (AVX2)"
        } else {
            "the x86-64 baseline (SSE2)"
        };
        format!(
            "x86_64; has: {}; lacks: {}; builds target {target}; byte kernels at run time: {:?}",
            list(&on),
            list(&off),
            number_rt::dot::cpu::available()
        )
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        std::env::consts::ARCH.to_string()
    }
}

/// The zoo models peer/ builds as tract graphs (`peer/src/zoo.rs`).
const TRACT_MODELS: [&str; 5] = ["lenet", "mlp", "digit_recognizer", "resnet", "mobilenet"];

/// The out-of-tree example crate's model, benchmarked as a row of its own.
const OWN: &str = "autoencoder";

/// Builds peer/ (tract; its own workspace and target dir): its binary, or why not (the table then says so).
fn build_peer() -> Result<PathBuf, String> {
    let peer = root().join("peer");
    eprintln!("+ cargo build --release (in peer/)");
    let st = Command::new(cargo())
        .args(["build", "--release"])
        .current_dir(&peer)
        .status()
        .map_err(|e| format!("running cargo in peer/: {e}"))?;
    if !st.success() {
        return Err(format!(
            "`cargo build --release` in peer/ failed ({st}): tract's crates must be fetchable"
        ));
    }
    Ok(peer.join("target").join("release").join("libnumber-peer"))
}

/// One run of `libnumber-peer bench`: tract f32 (and for LeNet int8) µs per image at batch 1.
fn time_tract(
    bin: &Path,
    m: &str,
    n: usize,
    accuracy: bool,
    json_out: &Path,
) -> Result<Value, String> {
    let mut cmd = Command::new(bin);
    cmd.args(["bench", "--model", m, "--n", &n.to_string(), "--json"])
        .arg(json_out)
        .current_dir(root().join("peer"))
        .stdout(std::process::Stdio::null());
    if accuracy {
        cmd.arg("--accuracy");
    }
    let st = cmd
        .status()
        .map_err(|e| format!("running {}: {e}", bin.display()))?;
    if !st.success() {
        return Err(format!("{} bench --model {m} failed ({st})", bin.display()));
    }
    read(json_out)
}

/// own-model/'s autoencoder, plain and tuned: built in that crate (its own workspace and target dir).
fn build_own(mode: &str, dir: &Path) -> Result<PathBuf, String> {
    let own = root().join("own-model");
    let mut args = vec!["build", "--release", "--example", OWN];
    if mode != "plain" {
        args.extend(["--features", mode]);
    }
    eprintln!("+ cargo {} (in own-model/)", args.join(" "));
    let st = Command::new(cargo())
        .args(&args)
        .current_dir(&own)
        .status()
        .map_err(|e| format!("running cargo in own-model/: {e}"))?;
    if !st.success() {
        return Err(format!(
            "`cargo {}` in own-model/ failed ({st})",
            args.join(" ")
        ));
    }
    let src = own
        .join("target")
        .join("release")
        .join("examples")
        .join(OWN);
    let dst = dir.join(format!("{OWN}-{mode}"));
    std::fs::copy(&src, &dst).map_err(|e| format!("copying {}: {e}", src.display()))?;
    Ok(dst)
}

/// One `eval` of the autoencoder on its 1,000 training images (its largest split): µs per input, the mean of
/// one pass (the example's own timing).
fn time_own(bin: &Path, json_out: &Path) -> Result<f64, String> {
    let st = Command::new(bin)
        .args(["eval", "--split", "train", "--json"])
        .arg(json_out)
        .current_dir(root().join("own-model"))
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("running {}: {e}", bin.display()))?;
    if !st.success() {
        return Err(format!("{} eval failed ({st})", bin.display()));
    }
    f(&read(json_out)?, "micros_per_input")
}

/// The own-model row: plain vs tuned autoencoder, interleaved rounds.
fn own_row(rounds: usize, dir: &Path) -> Result<Value, String> {
    let bins = [build_own("plain", dir)?, build_own("tuned", dir)?];
    let mut t: [Vec<f64>; 2] = [vec![], vec![]];
    for _ in 0..rounds {
        for (k, bin) in bins.iter().enumerate() {
            t[k].push(time_own(bin, &dir.join(format!("{OWN}-{k}.json")))?);
        }
    }
    let (p, q) = (median(t[0].clone()), median(t[1].clone()));
    let ((p_lo, p_hi), (q_lo, q_hi)) = (min_max(&t[0]), min_max(&t[1]));
    Ok(json!({
        "model": format!("{OWN} (own-model/)"), "plain_us_b1": p, "tuned_us_b1": q, "speedup_b1": p / q,
        "plain_us_b1_min": p_lo, "plain_us_b1_max": p_hi, "tuned_us_b1_min": q_lo, "tuned_us_b1_max": q_hi,
        "timing": "eval --split train: mean µs per input over 1,000 inputs, one pass per round",
    }))
}

pub fn bench(models: Vec<String>, rounds: usize, n: usize) -> Result<(), String> {
    let models = if models.is_empty() {
        let mut v = tuned_models();
        v.push(OWN.into());
        v
    } else {
        models
    };
    let dir = root().join("target").join("number").join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let peer = if models.iter().any(|m| TRACT_MODELS.contains(&m.as_str())) {
        build_peer()
    } else {
        Err("no model tract runs here".into())
    };
    if let Err(e) = &peer {
        eprintln!("tract: not measured ({e})");
    }
    let mut rows = Vec::new();
    for m in &models {
        if m == OWN {
            rows.push(own_row(rounds, &dir)?);
            continue;
        }
        if let Some(d) = data_of(m) {
            fetch(d)?;
        }
        let bins: Vec<(&str, PathBuf)> = ["plain", "tuned", "calibrate", "packed"]
            .into_iter()
            .map(|mode| Ok((mode, build(m, mode, &dir)?)))
            .collect::<Result<_, String>>()?;
        let tract = match &peer {
            Ok(b) if TRACT_MODELS.contains(&m.as_str()) => Some(b),
            _ => None,
        };
        let mut t: Vec<(Vec<f64>, Vec<f64>)> = vec![(vec![], vec![]); bins.len()];
        let mut last: Vec<Value> = vec![Value::Null; bins.len()];
        // tract f32 and int8 µs (b1) per round, and its accuracies (first round).
        let (mut tf, mut ti, mut tract_acc) = (vec![], vec![], Value::Null);
        for r in 0..rounds {
            for (k, (mode, bin)) in bins.iter().enumerate() {
                let v = time(bin, n, &dir.join(format!("{m}-{mode}.json")))?;
                t[k].0.push(f(&v, "us_batch1")?);
                t[k].1.push(f(&v, "us_batch64")?);
                last[k] = v;
            }
            if let Some(b) = tract {
                let v = time_tract(b, m, n, r == 0, &dir.join(format!("{m}-tract.json")))?;
                tf.push(f(&v, "tract_f32_us_b1")?);
                if let Ok(x) = f(&v, "tract_int8_us_b1") {
                    ti.push(x);
                }
                if r == 0 {
                    tract_acc = v["tract_f32_accuracy"].clone();
                }
            }
        }
        let (p1, p64) = (median(t[0].0.clone()), median(t[0].1.clone()));
        let (t1, t64) = (median(t[1].0.clone()), median(t[1].1.clone()));
        let c1 = median(t[2].0.clone());
        let k1 = median(t[3].0.clone());
        let ((p1_lo, p1_hi), (t1_lo, t1_hi)) = (min_max(&t[0].0), min_max(&t[1].0));
        let rep = read(
            &root()
                .join("target")
                .join("number")
                .join(m)
                .join("tune-report.json"),
        )
        .ok();
        // Tuner throughput, when this machine has a tuning report of the model (`null` otherwise).
        let evals_per_s = rep
            .as_ref()
            .map(|r| Ok::<f64, String>(f(r, "evaluations")? / f(r, "elapsed_s")?))
            .transpose()?;
        rows.push(json!({
            "model": m, "plain_us_b1": p1, "tuned_us_b1": t1, "speedup_b1": p1 / t1,
            "plain_us_b1_min": p1_lo, "plain_us_b1_max": p1_hi, "tuned_us_b1_min": t1_lo, "tuned_us_b1_max": t1_hi,
            "plain_us_b64": p64, "tuned_us_b64": t64, "speedup_b64": p64 / t64,
            "calibrate_us_b1": c1, "calibrate_overhead": c1 / p1,
            "weight_bytes": f(&last[1], "weight_bytes")?, "f32_weight_bytes": f(&last[0], "f32_weight_bytes")?,
            "packed_us_b1": k1, "packed_vs_bytes": k1 / t1, "packed_weight_bytes": f(&last[3], "weight_bytes")?,
            "param_bits": last[1]["param_bits"].as_f64(),
            "tuner_evals_per_s": evals_per_s,
        }));
        if !tf.is_empty() {
            let row = rows.last_mut().expect("pushed above");
            let (lo, hi) = min_max(&tf);
            let tm = median(tf.clone());
            row["tract_f32_us_b1"] = json!(tm);
            row["tract_f32_us_b1_min"] = json!(lo);
            row["tract_f32_us_b1_max"] = json!(hi);
            row["tract_f32_accuracy"] = tract_acc;
            // Ratios of medians of the same rounds: how many times faster than tract f32.
            row["plain_vs_tract_f32"] = json!(tm / p1);
            row["tuned_vs_tract_f32"] = json!(tm / t1);
            if !ti.is_empty() {
                let (lo, hi) = min_max(&ti);
                row["tract_int8_us_b1"] = json!(median(ti.clone()));
                row["tract_int8_us_b1_min"] = json!(lo);
                row["tract_int8_us_b1_max"] = json!(hi);
            }
        }
    }
    let mut md = format!(
        "# Zoo benchmarks\n\nCPU: {}.\n\n`cargo number bench` ({rounds} interleaved rounds of {n} test inputs per build, medians \
         (min..max over the rounds); one thread; shared 2-core machine). Speed-up = plain f32 build time / tuned build time; calibrate overhead = calibrate \
         build (all sites f32, emulation on) / plain build; weight bytes = resident bytes of the weight tensors in the \
         tuned build (one storage integer per value, the default) vs f32; packed = the tuned build with the feature \
         `packed` (weights packed at the formats' widths, `number_rt::Packed`): its µs, its time / the default's, its \
         resident weight bytes, next to the bytes the tuned formats need (parameter bits / 8); tuner throughput from the last \
         `tune` of the model (its validation size). The {OWN} row is the out-of-tree crate own-model/ (its example's \
         `eval --split train`: mean µs per input over its 1,000 training images, one pass per round; not in the geomean).\n\n\
         | model | plain µs (b1) | tuned µs (b1) | speed-up b1 | speed-up b64 | calibrate overhead | weight bytes | vs f32 | packed µs (b1) | packed / bytes time | packed weight bytes | parameter bits / 8 | tuner evals/s |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        cpu_features()
    );
    let opt = |r: &Value, k: &str, fmt: &dyn Fn(f64) -> String| {
        r[k].as_f64().map_or("-".to_string(), fmt)
    };
    for r in &rows {
        md.push_str(&format!(
            "| {} | {:.1} ({:.1}..{:.1}) | {:.1} ({:.1}..{:.1}) | {:.2}x | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r["model"].as_str().unwrap_or(""),
            f(r, "plain_us_b1")?,
            f(r, "plain_us_b1_min")?,
            f(r, "plain_us_b1_max")?,
            f(r, "tuned_us_b1")?,
            f(r, "tuned_us_b1_min")?,
            f(r, "tuned_us_b1_max")?,
            f(r, "speedup_b1")?,
            opt(r, "speedup_b64", &|v| format!("{v:.2}x")),
            opt(r, "calibrate_overhead", &|v| format!("{v:.2}x")),
            opt(r, "weight_bytes", &|v| format!("{v}")),
            match (r["f32_weight_bytes"].as_f64(), r["weight_bytes"].as_f64()) {
                (Some(a), Some(b)) => format!("{:.2}x smaller", a / b),
                _ => "-".into(),
            },
            opt(r, "packed_us_b1", &|v| format!("{v:.1}")),
            opt(r, "packed_vs_bytes", &|v| format!("{v:.2}x")),
            opt(r, "packed_weight_bytes", &|v| format!("{v}")),
            opt(r, "param_bits", &|v| format!("{:.0}", (v / 8.0).ceil())),
            opt(r, "tuner_evals_per_s", &|v| format!("{v:.2}")),
        ));
    }
    let zoo: Vec<&Value> = rows
        .iter()
        .filter(|r| r.get("speedup_b64").is_some())
        .collect();
    let g = |rs: &[&Value], k: &str| -> Result<f64, String> {
        Ok(geomean(
            &rs.iter().map(|r| f(r, k)).collect::<Result<Vec<_>, _>>()?,
        ))
    };
    if !zoo.is_empty() {
        md.push_str(&format!(
            "| **geomean** (zoo) | | | **{:.2}x** | **{:.2}x** | {:.2}x | | | | {:.2}x | | | |\n",
            g(&zoo, "speedup_b1")?,
            g(&zoo, "speedup_b64")?,
            g(&zoo, "calibrate_overhead")?,
            g(&zoo, "packed_vs_bytes")?
        ));
    }
    let tract: Vec<&Value> = rows
        .iter()
        .filter(|r| r.get("tract_f32_us_b1").is_some())
        .collect();
    match &peer {
        Ok(_) if !tract.is_empty() => {
            md.push_str(
                "\n## Against tract\n\nThe peer engine tract (`tract-core` 0.23.9, peer/: each model's graph built in code from the \
                 same weights, `into_optimized()`, batch 1, the median over the same test inputs after 64 warm-up runs, as \
                 our builds' `bench`), timed in the same interleaved rounds, in a process of its own after our four builds. \
                 Times faster than tract f32 = tract f32 median / our median (above 1: ours is faster). Accuracy: tract f32 \
                 on the model's whole test split.\n\n\
                 | model | tract f32 µs (b1) | tract f32 accuracy | plain f32 vs tract f32 | tuned vs tract f32 | tract int8 µs (b1) |\n\
                 |---|---:|---:|---:|---:|---:|\n",
            );
            for r in &tract {
                md.push_str(&format!(
                    "| {} | {:.1} ({:.1}..{:.1}) | {} | {:.2}x | {:.2}x | {} |\n",
                    r["model"].as_str().unwrap_or(""),
                    f(r, "tract_f32_us_b1")?,
                    f(r, "tract_f32_us_b1_min")?,
                    f(r, "tract_f32_us_b1_max")?,
                    opt(r, "tract_f32_accuracy", &|v| format!("{:.2}%", 100.0 * v)),
                    f(r, "plain_vs_tract_f32")?,
                    f(r, "tuned_vs_tract_f32")?,
                    match (
                        r["tract_int8_us_b1"].as_f64(),
                        r["tract_int8_us_b1_min"].as_f64(),
                        r["tract_int8_us_b1_max"].as_f64()
                    ) {
                        (Some(m), Some(lo), Some(hi)) => format!("{m:.1} ({lo:.1}..{hi:.1})"),
                        _ => "-".into(),
                    },
                ));
            }
            md.push_str(&format!(
                "| **geomean** | | | {:.2}x | **{:.2}x** | |\n",
                g(&tract, "plain_vs_tract_f32")?,
                g(&tract, "tuned_vs_tract_f32")?
            ));
        }
        Ok(_) => {}
        Err(e) => md.push_str(&format!("\ntract: not measured ({e}).\n")),
    }
    let docs = root().join("docs");
    std::fs::create_dir_all(&docs).map_err(|e| e.to_string())?;
    std::fs::write(docs.join("bench.md"), &md).map_err(|e| e.to_string())?;
    std::fs::write(
        docs.join("bench.json"),
        serde_json::to_string_pretty(&rows).unwrap(),
    )
    .map_err(|e| e.to_string())?;
    println!("{md}");
    Ok(())
}
