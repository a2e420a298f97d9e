//! `cargo number tune --example <name>` (or `--bin <name>`): the workflow for any crate, run from its root.
//!
//! The crate declares features `calibrate` and `tuned` forwarding to number-rt's, and its example's `main`
//! calls `number_rt::workflow::main(task)` (README, "Your own model"). Then:
//! 1. the calibrate build's `info` names the tuned file the task writes (where its `include_tuned!` points);
//! 2. the calibrate build's `tune` profiles, tunes on the validation split, writes `tuned.rs` (and
//!    `tuned.safetensors`) and the digests of the emulated test outputs;
//! 3. the tuned build runs the test split and must reproduce those outputs bit for bit;
//! 4. the plain build runs it too, for the time per input;
//! 5. the table: score, relative loss, parameter bits, time.
//!
//! The previous tuned files are restored unless every step passes (src/generated.rs).
//!
//! A zoo model (`cargo number tune lenet`) is the same run on the checkout's example ([`Target::zoo`]), with the
//! zoo's own steps around it in main.rs (fetching the data set, rebaking the deploy crate: [`Extra`]).
use crate::generated;
use number_rt::tune::TuneOptions;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A cargo target of the crate: an example or a binary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `example` or `bin`.
    pub kind: &'static str,
    /// Its name.
    pub name: String,
    /// The crate root, when known (a zoo model: the checkout); else found from the current directory
    /// ([`crate_root`]).
    root: Option<PathBuf>,
    /// How `cargo number` commands name it: `--example <name>`, or a zoo model's name.
    label: String,
}

impl Target {
    /// From `--example` / `--bin` (exactly one).
    pub fn from_flags(example: Option<String>, bin: Option<String>) -> Result<Target, String> {
        let (kind, name) = match (example, bin) {
            (Some(name), None) => ("example", name),
            (None, Some(name)) => ("bin", name),
            _ => return Err("give one of --example <name> or --bin <name>".into()),
        };
        Ok(Target {
            kind,
            label: format!("--{kind} {name}"),
            name,
            root: None,
        })
    }

    /// The zoo model `model`: the example `examples/<model>` of the checkout at `root`, named `<model>` in the
    /// commands `cargo number` records and suggests (`cargo number tune lenet`).
    pub fn zoo(root: &Path, model: &str) -> Target {
        Target {
            kind: "example",
            name: model.to_string(),
            root: Some(root.to_path_buf()),
            label: model.to_string(),
        }
    }

    /// What follows `cargo number tune` in the command that names this target: `--example <name>`, or a zoo
    /// model's name.
    pub fn label(&self) -> String {
        self.label.clone()
    }

    /// The root of its crate.
    pub fn root(&self) -> Result<PathBuf, String> {
        match &self.root {
            Some(r) => Ok(r.clone()),
            None => crate_root(),
        }
    }
}

/// What a run does beyond the generic steps (the zoo's own): files replaced with the tuned ones as one set,
/// and a step after tuning, before the rebuilt builds are checked (rebaking a deploy crate).
#[derive(Default)]
pub struct Extra<'a> {
    /// More files the run replaces (restored with the tuned files unless every step passes).
    pub replaces: Vec<PathBuf>,
    /// Runs after the calibrate build's `tune` wrote the tuned files.
    pub after_tune: Option<&'a dyn Fn() -> Result<(), String>>,
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// The crate root: the nearest folder from the current directory up with a `Cargo.toml` that has a
/// `[package]`.
pub fn crate_root() -> Result<PathBuf, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    cwd.ancestors()
        .find(|d| {
            std::fs::read_to_string(d.join("Cargo.toml"))
                .is_ok_and(|t| t.lines().any(|l| l.trim() == "[package]"))
        })
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "{} is not inside a cargo package (no Cargo.toml with [package] in it or above it): run `cargo number` \
                 from your crate's root",
                cwd.display()
            )
        })
}

/// Fails unless the package at `root` declares the two build-mode features, naming the lines to add.
fn check_features(root: &Path) -> Result<(), String> {
    let out = Command::new(cargo())
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("running cargo metadata: {e}"))?;
    if !out.status.success() {
        // Without a lock file offline metadata can fail; the build below reports any real problem.
        return Ok(());
    }
    let v: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let manifest = root.join("Cargo.toml");
    let Some(pkg) = v["packages"]
        .as_array()
        .and_then(|ps| {
            ps.iter()
                .find(|p| p["manifest_path"].as_str().map(Path::new) == Some(manifest.as_path()))
        })
        .or_else(|| v["packages"].as_array().and_then(|ps| ps.first()))
    else {
        return Ok(());
    };
    let missing: Vec<&str> = ["calibrate", "tuned"]
        .into_iter()
        .filter(|f| pkg["features"].get(*f).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "{} has no feature{} {}: add to its [features]\n    calibrate = [\"number-rt/calibrate\"]\n    tuned = \
         [\"number-rt/tuned\"]\n(see README, \"Your own model\")",
        manifest.display(),
        if missing.len() == 1 { "" } else { "s" },
        missing
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(" and ")
    ))
}

/// Builds `target` in `mode` (`plain`, `calibrate`, `tuned`) and runs it with `args` from the crate root;
/// returns its standard output when `capture`.
fn run_target(
    root: &Path,
    t: &Target,
    mode: &str,
    args: &[String],
    capture: bool,
) -> Result<String, String> {
    let mut cmd = Command::new(cargo());
    cmd.args(["run", "--quiet", "--release"]);
    if mode != "plain" {
        cmd.args(["--features", mode]);
    }
    cmd.args([format!("--{}", t.kind), t.name.clone(), "--".into()]);
    cmd.args(args);
    cmd.current_dir(root)
        .env(number_rt::workflow::TARGET_ENV, t.label());
    let shown = format!(
        "cargo run --release{} --{} {} -- {}",
        if mode == "plain" {
            String::new()
        } else {
            format!(" --features {mode}")
        },
        t.kind,
        t.name,
        args.join(" ")
    );
    eprintln!("+ {shown}");
    let fail = |st: std::process::ExitStatus| {
        format!(
            "`{shown}` failed ({st}); if it did not build, check that the crate has the features `calibrate` and \
             `tuned` and that the main of {} calls `number_rt::workflow::main` (README, \"Your own model\")",
            t.label
        )
    };
    if capture {
        let out = cmd
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|e| format!("running cargo: {e}"))?;
        if !out.status.success() {
            return Err(fail(out.status));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let st = cmd.status().map_err(|e| format!("running cargo: {e}"))?;
        if !st.success() {
            return Err(fail(st));
        }
        Ok(String::new())
    }
}

fn read_json(p: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))
}

fn num(v: &Value, k: &str, p: &Path) -> Result<f64, String> {
    v[k].as_f64()
        .ok_or_else(|| format!("{}: no number `{k}`; re-run the command", p.display()))
}

/// The task's tuned file, from its calibrate build's `info`.
fn tuned_rs_of(root: &Path, t: &Target) -> Result<PathBuf, String> {
    let info = run_target(root, t, "calibrate", &["info".into()], true)?;
    let v: Value = info
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| {
            format!(
                "{}: `info` printed no JSON line: does its main call `number_rt::workflow::main`?",
                t.label()
            )
        })?;
    let p = v["tuned_rs"]
        .as_str()
        .ok_or_else(|| format!("{}: `info` gave no tuned_rs", t.label()))?;
    Ok(root.join(p))
}

/// `cargo number tune --example <name>`: see the module documentation. With `check`, only checks that the
/// tuned file is what the options regenerate. `extra`: the zoo's own steps.
pub fn tune(
    t: &Target,
    options: &TuneOptions,
    keep: bool,
    check: bool,
    extra: &Extra,
) -> Result<(), String> {
    options.validate()?;
    let root = t.root()?;
    check_features(&root)?;
    let tuned_rs = tuned_rs_of(&root, t)?;
    tune_into(t, &root, &tuned_rs, options, keep, check, extra)
}

/// [`tune`] once the crate root and the task's tuned file are known.
fn tune_into(
    t: &Target,
    root: &Path,
    tuned_rs: &Path,
    options: &TuneOptions,
    keep: bool,
    check: bool,
    extra: &Extra,
) -> Result<(), String> {
    let root = root.to_path_buf();
    let report = root.join("target").join("number").join(&t.name);
    let journal = report.join("replacing");
    generated::recover(&journal)?;
    // A crate that bakes its weights beside the tuned file (`cargo number bake`'s default) gets them rebaked with
    // the new formats, in the same set: a stale bake would not compile in the tuned build.
    let baked = tuned_rs.with_file_name("baked.rs");
    let rebake = !check && extra.after_tune.is_none() && baked.exists();
    let transaction = if check {
        None
    } else {
        let mut files = vec![
            tuned_rs.to_path_buf(),
            tuned_rs.with_file_name("tuned.safetensors"),
        ];
        files.extend(extra.replaces.iter().cloned());
        if rebake {
            files.push(baked.clone());
        }
        Some(generated::Transaction::begin(&journal, &files)?)
    };
    let mut args = vec!["tune".to_string()];
    args.extend(options.args());
    if check {
        args.push("--check".into());
    }
    run_target(&root, t, "calibrate", &args, false)?;
    if check {
        return Ok(());
    }
    if let Some(step) = extra.after_tune {
        step()?;
    }
    if rebake {
        bake(t, Some(baked), false)?;
    }
    let emulated = report.join(number_rt::workflow::EMULATED);
    let (tuned_json, plain_json) = (report.join("tuned.json"), report.join("plain.json"));
    let path = |p: &Path| p.display().to_string();
    run_target(
        &root,
        t,
        "tuned",
        &[
            "eval".into(),
            "--json".into(),
            path(&tuned_json),
            "--compare".into(),
            path(&emulated),
        ],
        false,
    )?;
    run_target(
        &root,
        t,
        "plain",
        &["eval".into(), "--json".into(), path(&plain_json)],
        false,
    )?;
    let (e, tj, pj) = (
        read_json(&emulated)?,
        read_json(&tuned_json)?,
        read_json(&plain_json)?,
    );
    let (s0, s1) = (
        num(&e, "score_f32", &emulated)?,
        num(&e, "score", &emulated)?,
    );
    let (b0, b1) = (
        num(&e, "f32_param_bits", &emulated)?,
        num(&e, "param_bits", &emulated)?,
    );
    let (us0, us1) = (
        num(&pj, "micros_per_input", &plain_json)?,
        num(&tj, "micros_per_input", &tuned_json)?,
    );
    let n = num(&e, "n", &emulated)?;
    let metric = e["metric"].as_str().unwrap_or("score");
    let loss = (s0 - s1) / s0.abs().max(f64::MIN_POSITIVE);
    println!();
    println!(
        "## {}: tuned at ≤ {} relative loss (validation split), measured on the test split ({n} inputs)",
        t.name, options.max_loss
    );
    println!();
    println!("| | f32 | tuned |");
    println!("|---|---:|---:|");
    println!("| {metric} | {s0:.4} | {s1:.4} |");
    println!("| relative loss | | {:.2}% |", 100.0 * loss);
    println!("| parameter bits | {b0} | {b1} |");
    println!("| reduction vs f32 | 1.00x | {:.2}x |", b0 / b1.max(1.0));
    println!(
        "| time per input (µs, 1 thread; plain vs tuned build) | {us0:.1} | {us1:.1} ({:.2}x) |",
        us0 / us1
    );
    println!();
    if loss > options.max_loss.value() {
        let msg = format!(
            "{}: the relative loss on the test split, {:.2}%, exceeds the tolerance {} (the search and its \
             confirmation met it on the validation split)",
            t.name,
            100.0 * loss,
            options.max_loss
        );
        if !keep {
            return Err(format!(
                "{msg}; the previous files are restored: give the task more validation inputs, or pass --keep to \
                 keep this result"
            ));
        }
        println!("**{msg}**; kept (--keep)");
    }
    println!(
        "the tuned build's outputs equal the emulated ones on all {n} test inputs; formats in {}, report in {}",
        tuned_rs.display(),
        report.display()
    );
    if let Some(t) = transaction {
        t.commit()?;
    }
    Ok(())
}

/// `cargo number check --example <name>`: replays the command recorded in the task's tuned file.
pub fn check(t: &Target) -> Result<(), String> {
    let root = t.root()?;
    let tuned_rs = tuned_rs_of(&root, t)?;
    let file = number_rt::tuned_file::read_file(&tuned_rs).map_err(|e| e.to_string())?;
    let (recorded, options) = TuneOptions::from_command(&file.header.command)
        .map_err(|e| format!("{}: {e}", tuned_rs.display()))?;
    if recorded != t.label() {
        return Err(format!(
            "{} records the tune command of `{recorded}`, not `{}`: check it with `cargo number check {recorded}`, or \
             regenerate it with `cargo number tune {}`",
            tuned_rs.display(),
            t.label(),
            t.label()
        ));
    }
    println!("replaying `{}`", file.header.command);
    options.validate()?;
    tune_into(
        t,
        &root,
        &tuned_rs,
        &options,
        false,
        true,
        &Extra::default(),
    )
}

/// `cargo number verify --example <name>`: emulates the checked-in tuned file in the calibrate build and
/// requires the tuned build to compute the same outputs on the test split.
pub fn verify(t: &Target) -> Result<(), String> {
    let root = t.root()?;
    let tuned_rs = tuned_rs_of(&root, t)?;
    if !tuned_rs.exists() {
        return Err(format!(
            "{} does not exist: run `cargo number tune {}` first",
            tuned_rs.display(),
            t.label()
        ));
    }
    let out = root
        .join("target")
        .join("number")
        .join(&t.name)
        .join("verify-emulated.json");
    let (tr, o) = (tuned_rs.display().to_string(), out.display().to_string());
    run_target(
        &root,
        t,
        "calibrate",
        // Emulation is not timed: its speed says nothing about a build.
        &[
            "eval".into(),
            "--formats".into(),
            tr,
            "--json".into(),
            o.clone(),
            "--timed".into(),
            "0".into(),
        ],
        false,
    )?;
    run_target(
        &root,
        t,
        "tuned",
        &["eval".into(), "--compare".into(), o],
        false,
    )?;
    Ok(())
}

/// `cargo number export --example <name>`: the task's tuned file as an HLS header and hls4ml configuration in
/// `target/number/<name>/export`.
pub fn export(t: &Target, strict: bool) -> Result<(), String> {
    let root = t.root()?;
    let tuned_rs = tuned_rs_of(&root, t)?;
    if !tuned_rs.exists() {
        return Err(format!(
            "{} does not exist: generate it with `cargo number tune {}`, then re-run the export",
            tuned_rs.display(),
            t.label()
        ));
    }
    let rel = tuned_rs
        .strip_prefix(&root)
        .unwrap_or(&tuned_rs)
        .display()
        .to_string();
    crate::export_file(&root, &t.name, &tuned_rs, rel, &t.label(), strict)
}

/// `cargo number bake --example <name> [--out FILE] [--check]`: runs the task's `weights` command in the
/// calibrate build (every weight site's values under the tuned file's formats, as the tuned build stores them)
/// and writes each as a `static` array in its tuned number type
/// (`number_rt::codegen::baked_weights`), named after its site (`Enc1/linear.w` → `ENC1_LINEAR_W`). The
/// header names the tuned file and the digests of it and of its rounded weights; a re-tuned format makes a
/// stale file a type error where the `static` is passed to the layer, and `--check` catches re-rounded values.
pub fn bake(t: &Target, out: Option<PathBuf>, check: bool) -> Result<(), String> {
    use number_rt::codegen::{self, BakedTensor};
    let root = t.root()?;
    let tuned_rs = tuned_rs_of(&root, t)?;
    if !tuned_rs.exists() {
        return Err(format!(
            "{} does not exist: generate it with `cargo number tune {}`, then bake",
            tuned_rs.display(),
            t.label()
        ));
    }
    let out = out.map_or_else(
        || tuned_rs.with_file_name("baked.rs"),
        |o| if o.is_absolute() { o } else { root.join(o) },
    );
    let json = root
        .join("target")
        .join("number")
        .join(&t.name)
        .join("weights.json");
    run_target(
        &root,
        t,
        "calibrate",
        &[
            "weights".into(),
            "--formats".into(),
            tuned_rs.display().to_string(),
            "--json".into(),
            json.display().to_string(),
        ],
        false,
    )?;
    let doc = read_json(&json)?;
    let bad = |what: &str| format!("{}: {what}", json.display());
    let tensors = doc["weights"]
        .as_array()
        .ok_or_else(|| bad("no `weights` list"))?;
    let mut parsed = Vec::new();
    for w in tensors {
        let site = w["site"]
            .as_str()
            .ok_or_else(|| bad("a tensor without `site`"))?;
        let format: number_rt::Format = w["format"]
            .as_str()
            .ok_or_else(|| bad("a tensor without `format`"))?
            .parse()
            .map_err(|e| bad(&format!("`{site}`: {e}")))?;
        let values: Vec<f32> = w["values"]
            .as_array()
            .ok_or_else(|| bad(&format!("`{site}` has no `values`")))?
            .iter()
            .map(|v| v.as_f64().map(|x| x as f32))
            .collect::<Option<_>>()
            .ok_or_else(|| bad(&format!("`{site}`: a value is not a number")))?;
        parsed.push((site.to_string(), format, values));
    }
    if parsed.is_empty() {
        return Err(bad(
            "the model read no weight site on its first test inputs",
        ));
    }
    let ident = |site: &str| {
        site.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect::<String>()
    };
    let rel = |p: &Path| p.strip_prefix(&root).unwrap_or(p).display().to_string();
    let mut names = std::collections::BTreeSet::new();
    let mut baked = Vec::new();
    for (site, format, values) in &parsed {
        let name = ident(site);
        if !names.insert(name.clone()) {
            return Err(format!(
                "two weight sites bake to the same static `{name}` (the second is `{site}`): rename an instance"
            ));
        }
        baked.push(BakedTensor {
            name,
            site: site.clone(),
            source: format!("as emulated under {}", rel(&tuned_rs)),
            format: *format,
            declared: None,
            values,
        });
    }
    let mut notes = vec![format!(
        "formats: {} (sha256 {})",
        rel(&tuned_rs),
        sha256_file(&tuned_rs)?
    )];
    if let Some((rounded, _)) = number_rt::rounded_weights::read_named_file(&tuned_rs)? {
        notes.push(format!(
            "rounded weights: {} (sha256 {})",
            rel(&rounded),
            sha256_file(&rounded)?
        ));
    }
    let command = format!("cargo number bake {}", t.label());
    let code = codegen::baked_weights(&baked, &command, &notes).map_err(|e| e.to_string())?;
    if check {
        codegen::check(&out, &code).map_err(|e| e.to_string())?;
        println!("{} is up to date with {}", rel(&out), rel(&tuned_rs));
    } else {
        let changed =
            codegen::write(&out, &code).map_err(|e| format!("writing {}: {e}", out.display()))?;
        let bytes: usize = baked
            .iter()
            .map(|b| codegen::storage_bytes(b.format, b.values.len()))
            .sum();
        println!(
            "{} {} ({} statics, {bytes} bytes of weights)",
            rel(&out),
            if changed { "written" } else { "unchanged" },
            baked.len()
        );
    }
    Ok(())
}

/// The SHA-256 of a file, hex.
fn sha256_file(p: &Path) -> Result<String, String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(p).map_err(|e| format!("reading {}: {e}", p.display()))?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch_crate(features: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "number-user-{}-{}",
            std::process::id(),
            features.len()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"mine\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n\n[features]\n{features}"
            ),
        )
        .unwrap();
        std::fs::write(dir.join("src/lib.rs"), "").unwrap();
        dir
    }

    #[test]
    fn a_crate_without_the_build_mode_features_is_told_the_lines_to_add() {
        let dir = scratch_crate("calibrate = []\n");
        let e = check_features(&dir).unwrap_err();
        assert!(e.contains("no feature `tuned`"), "{e}");
        assert!(e.contains("tuned = [\"number-rt/tuned\"]"), "{e}");
        let ok = scratch_crate("calibrate = []\ntuned = []\n");
        assert_eq!(check_features(&ok), Ok(()));
        let _ = std::fs::remove_dir_all(dir);
        let _ = std::fs::remove_dir_all(ok);
    }

    #[test]
    fn targets_come_from_exactly_one_flag() {
        assert_eq!(
            Target::from_flags(Some("ae".into()), None).unwrap().label(),
            "--example ae"
        );
        assert_eq!(
            Target::from_flags(None, Some("srv".into()))
                .unwrap()
                .label(),
            "--bin srv"
        );
        assert!(Target::from_flags(None, None).is_err());
    }

    #[test]
    fn a_zoo_model_is_its_example_named_by_the_model() {
        let t = Target::zoo(Path::new("/checkout"), "lenet");
        assert_eq!((t.kind, t.name.as_str()), ("example", "lenet"));
        // What tuned.rs records and messages name: `cargo number tune lenet`, not `--example lenet`.
        assert_eq!(t.label(), "lenet");
        assert_eq!(t.root(), Ok(PathBuf::from("/checkout")));
        let own = Target::from_flags(Some("ae".into()), None).unwrap();
        assert_eq!(own.root(), crate_root());
    }
}
