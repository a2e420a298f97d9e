//! The whole tuning step for any model, as a library call: profile on calibration inputs, optionally capture
//! GPTQ statistics, search formats on validation inputs, confirm the choice on held-out validation inputs, write
//! `tuned.rs` (and the GPTQ-rounded `tuned.safetensors`), and emulate the result on the test inputs.
//!
//! The model is a [`Task`] (`number_runtime::workflow`): how to load, feed, run and score it. `cargo number tune
//! --example <name>` runs this through `number_rt::workflow::main` in the crate's calibrate build, then rebuilds
//! it tuned and checks that the tuned build's outputs equal [`tune`]'s emulated ones bit for bit.
use crate::emulate::{self, Config};
use crate::tune::{Budget, Outcome, Tolerance, TuneOptions, Tuner, WeightRounding};
use number_runtime::workflow::{Outputs, Split, Task, output_digest};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The file in the report folder holding the digests of the emulated test outputs ([`Outputs`]), which the tuned
/// build must reproduce (`eval --compare`).
pub const EMULATED: &str = "emulated-test.json";

/// Where a tuning run writes.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The tuned file (`tuned.safetensors` goes beside it).
    pub tuned_rs: PathBuf,
    /// The report folder (`target/number/<name>`): profile, report, `emulated-test.json`.
    pub report_dir: PathBuf,
}

/// What a tuning run measured.
#[derive(Clone, Debug)]
pub struct Summary {
    /// The search's outcome (after confirmation).
    pub outcome: Outcome,
    /// The profile the search used.
    pub profile: crate::profile::Profile,
    /// Validation inputs the search used and held-out inputs that confirmed it.
    pub search_inputs: usize,
    /// Held-out validation inputs.
    pub confirm_inputs: usize,
    /// Score of the f32 model on the test inputs (emulation with every site f32).
    pub test_f32: f64,
    /// Score of the tuned formats on the test inputs (emulated; the tuned build must reproduce the outputs).
    pub test_tuned: f64,
    /// Test inputs.
    pub test_inputs: usize,
    /// The f32 model's outputs on the test inputs (emulated, every site f32).
    pub test_f32_outputs: Vec<Vec<f32>>,
    /// The outputs under the tuned formats on the test inputs (emulated).
    pub test_outputs: Vec<Vec<f32>>,
    /// Wall time of the whole step.
    pub seconds: f64,
}

impl Summary {
    /// Relative loss of the test score, `(f32 − tuned) / |f32|`.
    pub fn test_loss(&self) -> f64 {
        (self.test_f32 - self.test_tuned) / self.test_f32.abs().max(f64::MIN_POSITIVE)
    }
}

/// Splits `0..n` into the search's inputs and `held` held-out ones spread evenly over it (input `i` is held out
/// when `⌊(i+1)·held/n⌋ > ⌊i·held/n⌋`), so both parts mix the split's inputs alike.
pub fn interleave(n: usize, held: usize) -> (Vec<usize>, Vec<usize>) {
    (0..n).partition(|&i| (i + 1) * held / n.max(1) == i * held / n.max(1))
}

/// The outputs of `task` on `inputs`, on the calling thread (under the thread's current formats).
fn outputs<M, I>(
    run: &(dyn Fn(&M, &I) -> Vec<f32> + Sync),
    model: &M,
    inputs: &[&I],
) -> Vec<Vec<f32>> {
    inputs.iter().map(|x| run(model, x)).collect()
}

/// Runs `task`'s whole tuning step with options `o` on `model` (loaded in a calibrate build). `command` is the
/// command that regenerates the result (recorded in tuned.rs). With `check`, nothing is written: the run fails
/// unless the tuned.rs it generates equals the one at `paths.tuned_rs`.
pub fn tune<M: Sync, I: Sync>(
    task: &Task<M, I>,
    model: &M,
    o: &TuneOptions,
    command: &str,
    paths: &Paths,
    check: bool,
) -> Result<Summary, String> {
    let started = Instant::now();
    let run = task.runner();
    o.validate()?;
    let calib = task.data(Split::Calibration)?;
    let val = task.data(Split::Validation)?;
    let used = o.val.unwrap_or(val.len()).min(val.len());
    let held = o.confirm.of(used);
    let (search_idx, held_idx) = interleave(used, held);
    o.check_sizes(search_idx.len(), held)?;
    let search: Vec<&I> = search_idx.iter().map(|&i| &val[i]).collect();
    let confirm: Vec<&I> = held_idx.iter().map(|&i| &val[i]).collect();

    // Profile.
    let n_calib = o.calib.min(calib.len());
    emulate::start_profiling();
    calib[..n_calib].par_iter().for_each(|x| {
        run(model, x);
    });
    let profile = emulate::finish_profiling();
    if profile.sites.is_empty() {
        return Err(format!(
            "{}: running the model on {n_calib} calibration inputs reached no #[quantize] site: is this a calibrate \
             build (`--features calibrate`, forwarding to `number-rt/calibrate`), and does `run` call the annotated \
             layers?",
            task.name()
        ));
    }
    println!(
        "profiled {} sites on {n_calib} calibration inputs",
        profile.sites.len()
    );
    crate::rounding::set_enabled(false);
    if o.rounding == WeightRounding::Gptq {
        let k = o.gptq_inputs.min(calib.len()).max(1);
        let t = Instant::now();
        crate::rounding::start_capture();
        calib[..k].par_iter().for_each(|x| {
            run(model, x);
        });
        let sites = crate::rounding::finish_capture();
        crate::rounding::set_enabled(true);
        for (site, why) in crate::rounding::skipped() {
            println!("GPTQ rounding: `{site}` is rounded to nearest: {why}");
        }
        println!(
            "GPTQ rounding: inputs of {} weight site{} captured on {k} calibration inputs in {:.1?}",
            sites.len(),
            if sites.len() == 1 { "" } else { "s" },
            t.elapsed(),
        );
        // Weight sites GPTQ never saw in an inner product (read through a helper, or element by element): say
        // so, rather than let a user believe they were rounded with compensation.
        let skipped: std::collections::BTreeSet<String> = crate::rounding::skipped()
            .into_iter()
            .map(|(s, _)| s)
            .collect();
        let missed: Vec<&String> = profile
            .sites
            .iter()
            .filter(|(name, p)| {
                p.kind == crate::profile::SiteKind::Weight
                    && p.stats.len > 0
                    && !sites.contains(name)
                    && !skipped.contains(*name)
            })
            .map(|(name, _)| name)
            .collect();
        if !missed.is_empty() {
            println!(
                "GPTQ rounding: {} weight site{} rounded to nearest, never read in an inner product that #[quantize] recognizes (expected for biases and scales, read element by element; a matrix listed here was passed to a helper function or iterated: write its inner products in the annotated function, as `for i in a..b {{ acc += w[..] * x[..] }}`, `for (p, q) in row.iter().zip(x) {{ acc += p * q }}` or `row.iter().zip(x).map(|(p, q)| p * q).sum()` with rows `&w[a..b]` or from `w.chunks(n)`, to have GPTQ compensate its rounding): {}",
                missed.len(),
                if missed.len() == 1 { " is" } else { "s are" },
                missed
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    std::fs::create_dir_all(&paths.report_dir)
        .map_err(|e| format!("creating {}: {e}", paths.report_dir.display()))?;
    profile
        .save(paths.report_dir.join("profile.json"))
        .map_err(|e| e.to_string())?;

    // The f32 outputs the metrics compare against.
    let f32_run = |xs: &[&I]| emulate::with_formats(&Config::new(), || outputs(run, model, xs));
    let (ref_search, ref_confirm) = (f32_run(&search), f32_run(&confirm));
    let metric = task.metric_ref();
    let paired = metric.outcomes(&search, &ref_search, &ref_search).is_some();
    let tuner = Tuner::new(&profile)
        .tolerance(Tolerance::Relative(o.max_loss.value()))
        .seed(o.seed)
        .budget(Budget {
            evaluations: o.max_evals,
            time: None,
        })
        .integer_inputs(o.integer_inputs.0.iter().copied())
        .integer_state(task.integer_state_sites().iter().cloned())
        .space(
            crate::tune::Space::default()
                .granularity(o.granularity.0.iter().copied())
                .weight_formats(o.weight_formats.0.iter().copied()),
        )
        .progress(true);
    let outcomes_on = |xs: &[&I], refs: &[Vec<f32>]| -> Vec<bool> {
        let out = outputs(run, model, xs);
        metric.outcomes(xs, &out, refs).unwrap_or_default()
    };
    let score_on = |xs: &[&I], refs: &[Vec<f32>]| -> f64 {
        let out = outputs(run, model, xs);
        metric.score(xs, &out, refs)
    };
    let mut outcome = if paired && o.paired {
        tuner.run_paired(|_| outcomes_on(&search, &ref_search), o.margin_se)
    } else if paired {
        tuner
            .safety_margin(o.margin_se, search.len())
            .run(|_| score_on(&search, &ref_search))
    } else {
        // The margin in standard errors of a proportion means nothing for a continuous score: none is applied;
        // the held-out confirmation still checks the choice on inputs the search never saw.
        tuner.run(|_| score_on(&search, &ref_search))
    }
    .map_err(|e| e.to_string())?;
    if held > 0 {
        let (bits, score) = (outcome.param_bits, outcome.accuracy);
        let limit = outcome.feasible.len();
        let c = if paired {
            outcome.confirm_paired(|_| outcomes_on(&confirm, &ref_confirm), o.confirm_se, limit)
        } else {
            outcome.confirm(|_| score_on(&confirm, &ref_confirm), 0.0, held, limit)
        }
        .map_err(|e| format!("confirmation on the {held} held-out validation inputs: {e}"))?;
        println!(
            "confirmed on {held} held-out validation inputs: {} {:.4} (f32 {:.4}, target {:.4}) after {} candidate{}; {}",
            metric.name(),
            c.accuracy,
            c.baseline,
            c.target,
            c.tried,
            if c.tried == 1 { "" } else { "s" },
            if c.kept_best {
                format!("the search's choice ({bits} bits, {score:.4} on the search inputs) holds")
            } else {
                format!(
                    "the search's choice ({bits} bits, {score:.4} on the search inputs) did not; kept {} bits",
                    outcome.param_bits
                )
            }
        );
    }

    match outcome.integer_inputs {
        Some(w) if task.integer_state_sites().is_empty() => println!(
            "layer inputs: {w}-bit fixed point (integer inner products in the tuned build)"
        ),
        Some(w) => println!(
            "layer inputs and state {}: {w}-bit fixed point (integer inner products in the tuned build)",
            task.integer_state_sites().join(", ")
        ),
        None if !o.integer_inputs.0.is_empty() => println!(
            "layer inputs: f32 (no fixed-point width of {:?} kept the score)",
            o.integer_inputs.0
        ),
        None => {}
    }

    // Unfitted codebooks take the tables emulation fitted to the weights (what every evaluation used).
    outcome.config = emulate::fitted_config(&outcome.config)?;

    // tuned.rs and the rounded weights.
    let mut header = crate::codegen::Header::from_outcome(&outcome, command);
    let rounded_file = paths.tuned_rs.with_file_name("tuned.safetensors");
    let rounded = if o.rounding == WeightRounding::Gptq {
        let sites = crate::rounding::rounded_sites(&outcome.config);
        if sites.is_empty() {
            None
        } else {
            Some((
                number_runtime::rounded_weights::encode(&sites)?,
                sites.len(),
            ))
        }
    } else {
        None
    };
    if let Some((bytes, count)) = &rounded {
        header.rounded_weights = Some(crate::codegen::RoundedWeights {
            file: "tuned.safetensors".into(),
            digest: number_runtime::rounded_weights::digest(bytes),
            tensors: *count,
        });
    }
    let code = crate::codegen::tuned_rs(&profile, &outcome, &header).map_err(|e| e.to_string())?;

    // The test split under emulation: the f32 and the tuned score, and the digests the tuned build must match.
    let test = task.data(Split::Test)?;
    let test_refs: Vec<&I> = test.iter().collect();
    let chunked = |cfg: &Config| -> Vec<Vec<f32>> {
        test_refs
            .par_chunks(64)
            .flat_map_iter(|xs| emulate::with_formats(cfg, || outputs(run, model, xs)))
            .collect()
    };
    let test_f32_out = chunked(&Config::new());
    let test_out = chunked(&outcome.config);
    let test_f32 = metric.score(&test_refs, &test_f32_out, &test_f32_out);
    let test_tuned = metric.score(&test_refs, &test_out, &test_f32_out);

    if check {
        crate::codegen::check(&paths.tuned_rs, &code).map_err(|e| e.to_string())?;
        println!("{} is up to date", paths.tuned_rs.display());
    } else {
        let write = |p: &Path, b: &[u8]| {
            crate::codegen::write_atomic(p, b).map_err(|e| format!("writing {}: {e}", p.display()))
        };
        match &rounded {
            Some((bytes, _)) => write(&rounded_file, bytes)?,
            None if rounded_file.exists() => std::fs::remove_file(&rounded_file)
                .map_err(|e| format!("removing the stale {}: {e}", rounded_file.display()))?,
            None => {}
        }
        write(&paths.tuned_rs, code.as_bytes())?;
        outcome
            .write_report(&paths.report_dir)
            .map_err(|e| e.to_string())?;
    }
    let mut extra = serde_json::Map::new();
    extra.insert("score_f32".into(), test_f32.into());
    extra.insert("param_bits".into(), outcome.param_bits.into());
    extra.insert("f32_param_bits".into(), outcome.f32_param_bits.into());
    extra.insert("validation_inputs".into(), search.len().into());
    extra.insert("confirm_inputs".into(), held.into());
    extra.insert(
        "parameters".into(),
        profile
            .sites
            .values()
            .filter(|p| p.kind == crate::profile::SiteKind::Weight)
            .map(|p| p.values())
            .sum::<u64>()
            .into(),
    );
    extra.insert(
        "integer_inputs".into(),
        outcome
            .integer_inputs
            .map_or(serde_json::Value::Null, |w| w.into()),
    );
    extra.insert("evaluations".into(), outcome.evaluations.into());
    extra.insert(
        "search_seconds".into(),
        outcome.elapsed.as_secs_f64().into(),
    );
    let emulated = Outputs {
        task: task.name().to_string(),
        mode: "emulated".into(),
        split: Split::Test.name().into(),
        digests: test_out.iter().map(|y| output_digest(y)).collect(),
        micros_per_input: None,
        metric: Some(metric.name().to_string()),
        score: Some(test_tuned),
        extra,
    };
    let emulated_path = paths.report_dir.join(EMULATED);
    crate::codegen::write_atomic(&emulated_path, emulated.to_json().as_bytes())
        .map_err(|e| format!("writing {}: {e}", emulated_path.display()))?;
    let s = Summary {
        search_inputs: search.len(),
        confirm_inputs: held,
        test_f32,
        test_tuned,
        test_inputs: test.len(),
        test_f32_outputs: test_f32_out,
        test_outputs: test_out,
        seconds: started.elapsed().as_secs_f64(),
        outcome,
        profile,
    };
    println!(
        "tuned {} on {} validation inputs: weights {} bits ({:.2}x smaller than f32); {} evaluations in {:.1?}",
        task.name(),
        s.search_inputs,
        s.outcome.param_bits,
        s.outcome.f32_param_bits as f64 / s.outcome.param_bits.max(1) as f64,
        s.outcome.evaluations,
        s.outcome.elapsed
    );
    println!(
        "test split ({} inputs, emulated): {} {:.4} (f32 {:.4}), relative loss {:.2}%",
        s.test_inputs,
        metric.name(),
        s.test_tuned,
        s.test_f32,
        100.0 * s.test_loss()
    );
    if !check {
        println!(
            "wrote {} and the report in {}",
            paths.tuned_rs.display(),
            paths.report_dir.display()
        );
    }
    Ok(s)
}

/// The arguments of a task binary's `tune` command (what `cargo number tune --example <name>` passes on).
#[derive(clap::Parser, Debug)]
#[command(
    name = "tune",
    about = "Profile, tune, write tuned.rs and emulate the result on the test split"
)]
struct TuneArgs {
    #[command(flatten)]
    options: TuneOptions,
    /// Only check that the existing tuned.rs equals what this run generates.
    #[arg(long)]
    check: bool,
    /// Report folder (default: target/number/<name>).
    #[arg(long)]
    report_dir: Option<PathBuf>,
}

/// Runs a task binary's `tune` command line (`args` after `tune`): parses the options, tunes, and writes.
pub fn tune_command<M: Sync, I: Sync>(
    task: &Task<M, I>,
    model: &M,
    args: &[String],
) -> Result<Summary, String> {
    use clap::Parser;
    let a =
        TuneArgs::try_parse_from(std::iter::once("tune".to_string()).chain(args.iter().cloned()))
            .map_err(|e| e.render().to_string().trim().to_string())?;
    let target = task.target_label();
    let paths = Paths {
        tuned_rs: task.tuned_rs_path().to_path_buf(),
        report_dir: a
            .report_dir
            .unwrap_or_else(|| Path::new("target").join("number").join(task.name())),
    };
    tune(
        task,
        model,
        &a.options,
        &a.options.command(&target),
        &paths,
        a.check,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tune_takes_the_shared_options() {
        use crate::tune::Granularity::*;
        use clap::Parser;
        let g = |args: &[&str]| {
            TuneArgs::try_parse_from(["tune"].iter().chain(args))
                .map(|a| a.options.granularity.0)
                .map_err(|e| e.to_string())
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

    #[test]
    fn held_out_inputs_are_spread_evenly() {
        let (s, h) = interleave(10, 4);
        assert_eq!((s, h), (vec![0, 1, 3, 5, 6, 8], vec![2, 4, 7, 9]));
        let (s, h) = interleave(5000, 2000);
        assert_eq!((s.len(), h.len()), (3000, 2000));
        assert!(
            h[..1000].iter().all(|&i| i < 2500) && h[1000..].iter().all(|&i| i >= 2500),
            "spread evenly"
        );
        assert_eq!(interleave(7, 0), ((0..7).collect(), vec![]));
    }
}
