//! `cargo number bench`: issue #6's zoo benchmarks in one run — every model with a checked-in tuned.rs, its
//! plain f32 build, tuned build and calibrate build timed interleaved (rounds of one run each, medians), so the
//! ratios come from the same minutes of a shared machine. Writes docs/bench.md and docs/bench.json.
use crate::{data_of, f, fetch, read, root, run, tuned_models};
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

/// Builds the example in a mode and copies the binary aside (the three builds share one target dir).
fn build(model: &str, mode: &str, dir: &std::path::Path) -> Result<PathBuf, String> {
    let mut args = vec!["build", "--release", "--example", model];
    if mode != "plain" {
        args.extend(["--features", mode]);
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

pub fn bench(models: Vec<String>, rounds: usize, n: usize) -> Result<(), String> {
    let models = if models.is_empty() {
        tuned_models()
    } else {
        models
    };
    let dir = root().join("target").join("number").join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for m in &models {
        if let Some(d) = data_of(m) {
            fetch(d)?;
        }
        let bins: Vec<(&str, PathBuf)> = ["plain", "tuned", "calibrate"]
            .into_iter()
            .map(|mode| Ok((mode, build(m, mode, &dir)?)))
            .collect::<Result<_, String>>()?;
        let mut t: Vec<(Vec<f64>, Vec<f64>)> = vec![(vec![], vec![]); bins.len()];
        let mut last: Vec<Value> = vec![Value::Null; bins.len()];
        for _ in 0..rounds {
            for (k, (mode, bin)) in bins.iter().enumerate() {
                let v = time(bin, n, &dir.join(format!("{m}-{mode}.json")))?;
                t[k].0.push(f(&v, "us_batch1")?);
                t[k].1.push(f(&v, "us_batch64")?);
                last[k] = v;
            }
        }
        let (p1, p64) = (median(t[0].0.clone()), median(t[0].1.clone()));
        let (t1, t64) = (median(t[1].0.clone()), median(t[1].1.clone()));
        let c1 = median(t[2].0.clone());
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
            "tuner_evals_per_s": evals_per_s,
        }));
    }
    let mut md = format!(
        "# Zoo benchmarks\n\nCPU: {}.\n\n`cargo number bench` ({rounds} interleaved rounds of {n} test inputs per build, medians \
         (min..max over the rounds); one thread; shared 2-core machine). Speed-up = plain f32 build time / tuned build time; calibrate overhead = calibrate \
         build (all sites f32, emulation on) / plain build; weight bytes = resident bytes of the weight tensors in the \
         tuned build (one storage unit per value: i8/u8 for ≤ 8 bits) vs f32; tuner throughput from the last \
         `tune` of the model (its validation size).\n\n\
         | model | plain µs (b1) | tuned µs (b1) | speed-up b1 | speed-up b64 | calibrate overhead | weight bytes | vs f32 | tuner evals/s |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        cpu_features()
    );
    for r in &rows {
        let evals = r["tuner_evals_per_s"]
            .as_f64()
            .map_or("-".to_string(), |v| format!("{v:.2}"));
        md.push_str(&format!(
            "| {} | {:.1} ({:.1}..{:.1}) | {:.1} ({:.1}..{:.1}) | {:.2}x | {:.2}x | {:.2}x | {} | {:.2}x smaller | {evals} |\n",
            r["model"].as_str().unwrap_or(""),
            f(r, "plain_us_b1")?,
            f(r, "plain_us_b1_min")?,
            f(r, "plain_us_b1_max")?,
            f(r, "tuned_us_b1")?,
            f(r, "tuned_us_b1_min")?,
            f(r, "tuned_us_b1_max")?,
            f(r, "speedup_b1")?,
            f(r, "speedup_b64")?,
            f(r, "calibrate_overhead")?,
            f(r, "weight_bytes")?,
            f(r, "f32_weight_bytes")? / f(r, "weight_bytes")?,
        ));
    }
    let g = |k: &str| -> Result<f64, String> {
        Ok(geomean(
            &rows
                .iter()
                .map(|r| f(r, k))
                .collect::<Result<Vec<_>, _>>()?,
        ))
    };
    md.push_str(&format!(
        "| **geomean** | | | **{:.2}x** | **{:.2}x** | {:.2}x | | | |\n",
        g("speedup_b1")?,
        g("speedup_b64")?,
        g("calibrate_overhead")?
    ));
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
