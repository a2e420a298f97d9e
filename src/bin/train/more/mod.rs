//! Training for `digits` (an MLP on the UCI 8×8 digits) and `fashion_bn` (a CNN with batch normalisation on
//! Fashion-MNIST): a generic loop over a [`ChunkNet`] that trains on a chunk of images at once (batch norm needs
//! the chunk's statistics).
//!
//! Same recipe as `train -- lenet` (see `main.rs`): Adam with cosine decay per step and decoupled weight decay,
//! gradients computed in parallel over fixed chunks of [`CHUNK`](crate::CHUNK) images and summed in chunk order
//! (results do not depend on the thread count), the validation split reported after every epoch and the test
//! split evaluated once at the end. The weights file's bytes depend only on the data, the code and the command
//! line.
//!
//! Non-trained tensors (batch-norm running statistics) live in the parameter vector too: their gradient is
//! always zero, so Adam leaves them alone (its step is `0 / (0 + ε)`), and [`ChunkNet::after_step`] updates
//! them from the chunks' batch statistics, averaged in chunk order.

pub mod digits;
pub mod fashion_bn;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use rayon::prelude::*;
use zoo::data::{Dataset, Split};
use zoo::weights::{self, Weights};

use crate::model::split;
use crate::ops;
use crate::rng::Rng;
use crate::{ArchArg, CHUNK, Cli};

pub const CLASSES: usize = 10;

/// Default hyper-parameters of a net (chosen on `Split::Validation`; see its WEIGHTS.md).
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    pub epochs: usize,
    pub lr: f32,
    pub wd: f32,
    pub batch: usize,
}

/// A model trained a chunk of images at a time.
pub trait ChunkNet: Sync {
    /// Example name (`digits`).
    fn name(&self) -> &'static str;
    /// Tensor names and shapes, in parameter-vector order.
    fn specs(&self) -> Vec<(&'static str, Vec<usize>)>;
    /// One-line description for the weights file's metadata.
    fn architecture(&self) -> String;
    fn defaults(&self) -> Defaults;
    /// Values per input.
    fn dim(&self) -> usize;
    /// The data set (`data` metadata line, and the loader).
    fn data_description(&self) -> String;
    fn load(&self, split: Split) -> Result<Dataset, String>;
    fn input_description(&self) -> String;
    fn augmentation(&self) -> String;
    /// Initial parameters.
    fn init(&self, rng: &mut Rng) -> Vec<f32>;
    /// Which parameters get weight decay.
    fn decay_mask(&self) -> Vec<bool>;
    /// Training-time augmentation of one input (`dst` = `src` by default).
    fn augment(&self, _rng: &mut Rng, src: &[f32], dst: &mut [f32]) {
        dst.copy_from_slice(src);
    }
    /// Forward (training mode) and backward on one chunk: adds `scale · ∂loss/∂params` into `grad`, returns the
    /// summed loss, the correct count and the chunk's statistics for [`ChunkNet::after_step`] (may be empty).
    fn train_chunk(
        &self,
        params: &[f32],
        x: &[f32],
        labels: &[u8],
        scale: f32,
        grad: &mut [f32],
    ) -> (f32, usize, Vec<f32>);
    /// After each optimiser step: updates non-trained parameters from the chunks' statistics (in chunk order).
    fn after_step(&self, _params: &mut [f32], _stats: &[Vec<f32>]) {}
    /// Inference-mode logits of `nb` inputs (`nb × 10`).
    fn logits(&self, params: &[f32], x: &[f32], nb: usize) -> Vec<f32>;
}

/// He-normal for `*.weight`, zeros otherwise.
pub fn he_or_zero(name: &str, shape: &[usize], rng: &mut Rng) -> Vec<f32> {
    let n: usize = shape.iter().product();
    if name.ends_with(".weight") {
        let fan_in: usize = shape[1..].iter().product();
        let std = (2.0 / fan_in as f64).sqrt();
        (0..n).map(|_| (rng.normal() * std) as f32).collect()
    } else {
        vec![0.0; n]
    }
}

pub fn sizes<N: ChunkNet + ?Sized>(net: &N) -> Vec<usize> {
    net.specs()
        .iter()
        .map(|(_, s)| s.iter().product())
        .collect()
}

pub fn num_params<N: ChunkNet + ?Sized>(net: &N) -> usize {
    sizes(net).iter().sum()
}

/// Runs `train -- <net>` for the nets of this module; `None` for the other architectures.
pub fn dispatch(cli: &Cli) -> Option<ExitCode> {
    let r = match cli.arch {
        ArchArg::Digits => run(&digits::Digits, cli),
        ArchArg::FashionBn => run(&fashion_bn::FashionBn, cli),
        _ => return None,
    };
    Some(match r {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    })
}

fn run<N: ChunkNet>(net: &N, cli: &Cli) -> Result<(), String> {
    if cli.eval {
        check_file(
            net,
            &cli.weights.clone().unwrap_or_else(|| default_path(net)),
        )
    } else {
        train(net, cli)
    }
}

fn default_path<N: ChunkNet>(net: &N) -> PathBuf {
    crate::checkout_root()
        .join("examples")
        .join(net.name())
        .join("weights.safetensors")
}

/// Correct predictions of the inference-mode forward pass on a whole split.
pub fn correct<N: ChunkNet>(net: &N, params: &[f32], ds: &Dataset) -> usize {
    const EVAL_CHUNK: usize = 100;
    let d = net.dim();
    (0..ds.n.div_ceil(EVAL_CHUNK))
        .into_par_iter()
        .map(|c| {
            let (lo, hi) = (c * EVAL_CHUNK, ((c + 1) * EVAL_CHUNK).min(ds.n));
            let logits = net.logits(params, &ds.images[lo * d..hi * d], hi - lo);
            (lo..hi)
                .filter(|&i| {
                    ops::argmax(&logits[(i - lo) * CLASSES..(i - lo + 1) * CLASSES])
                        == ds.labels[i] as usize
                })
                .count()
        })
        .sum()
}

fn pct(c: usize, n: usize) -> String {
    format!("{:.2}%", 100.0 * c as f64 / n as f64)
}

fn train<N: ChunkNet>(net: &N, cli: &Cli) -> Result<(), String> {
    let d = net.defaults();
    let epochs = cli.epochs.unwrap_or(d.epochs);
    let lr = cli.lr.unwrap_or(d.lr);
    let wd = cli.wd.unwrap_or(d.wd);
    // `--batch` defaults to 64 on the command line; nets with another default use theirs unless it is given.
    let batch = if cli.batch == 64 { d.batch } else { cli.batch };
    if batch == 0 || epochs == 0 {
        return Err("--batch and --epochs must be positive".into());
    }
    let t0 = Instant::now();
    let mut train = net.load(Split::Train)?;
    if let Some(n) = cli.train_limit {
        train = train.take(n);
    }
    let val = net.load(Split::Validation)?;
    eprintln!(
        "{}: {} parameters; train {} / validation {} inputs; epochs {epochs} lr {lr} wd {wd} batch {batch} seed {}; \
         {} threads",
        net.name(),
        num_params(net),
        train.n,
        val.n,
        cli.seed,
        rayon::current_num_threads()
    );
    let dim = net.dim();
    let mut rng = Rng::new(cli.seed);
    let mut params = net.init(&mut rng);
    assert_eq!(params.len(), num_params(net));
    let decay = net.decay_mask();
    let mut opt = crate::Adam::new(params.len());
    let steps_per_epoch = train.n / batch;
    let total_steps = (steps_per_epoch * epochs) as f64;
    let mut order: Vec<usize> = (0..train.n).collect();
    let mut xb = vec![0.0f32; batch * dim];
    let mut yb = vec![0u8; batch];
    let mut val_correct = 0;
    let chunks = batch.div_ceil(CHUNK);
    let mut grads = vec![vec![0.0f32; params.len()]; chunks];
    let mut stats: Vec<(f32, usize, Vec<f32>)> = vec![(0.0, 0, Vec::new()); chunks];
    let train_start = Instant::now();
    for epoch in 1..=epochs {
        let te = Instant::now();
        rng.shuffle(&mut order);
        let (mut loss_sum, mut right) = (0.0f64, 0usize);
        for s in 0..steps_per_epoch {
            for (j, &i) in order[s * batch..(s + 1) * batch].iter().enumerate() {
                net.augment(&mut rng, train.image(i), &mut xb[j * dim..(j + 1) * dim]);
                yb[j] = train.labels[i];
            }
            let scale = 1.0 / batch as f32;
            grads
                .par_iter_mut()
                .zip(stats.par_iter_mut())
                .enumerate()
                .for_each(|(c, (g, st))| {
                    let (lo, hi) = (c * CHUNK, ((c + 1) * CHUNK).min(batch));
                    g.fill(0.0);
                    *st = net.train_chunk(&params, &xb[lo * dim..hi * dim], &yb[lo..hi], scale, g);
                });
            // Reduce in chunk order: the sum does not depend on which thread ran which chunk.
            let (total, rest) = grads.split_at_mut(1);
            for g in rest.iter() {
                for (a, b) in total[0].iter_mut().zip(g) {
                    *a += b;
                }
            }
            for (l, k, _) in &stats {
                loss_sum += *l as f64;
                right += k;
            }
            let t = (steps_per_epoch * (epoch - 1) + s) as f64;
            let lr_t = lr * (0.5 * (1.0 + (std::f64::consts::PI * t / total_steps).cos())) as f32;
            opt.step(&mut params, &grads[0], lr_t, wd, &decay);
            let chunk_stats: Vec<Vec<f32>> = stats.iter().map(|s| s.2.clone()).collect();
            net.after_step(&mut params, &chunk_stats);
        }
        val_correct = correct(net, &params, &val);
        let seen = steps_per_epoch * batch;
        eprintln!(
            "epoch {epoch:>3}/{epochs}: loss {:.4}  train acc {}  validation {} ({}/{})  {:.1}s",
            loss_sum / seen as f64,
            pct(right, seen),
            pct(val_correct, val.n),
            val_correct,
            val.n,
            te.elapsed().as_secs_f64()
        );
    }
    eprintln!("training time {:.1}s", train_start.elapsed().as_secs_f64());

    let mut meta = BTreeMap::new();
    if !cli.no_test {
        let test = net.load(Split::Test)?;
        let c = correct(net, &params, &test);
        eprintln!("test accuracy {} ({c}/{})", pct(c, test.n), test.n);
        meta.insert(
            "test_accuracy".to_string(),
            format!("{:.4}", c as f64 / test.n as f64),
        );
        meta.insert("test_correct".to_string(), format!("{c}/{}", test.n));
    }
    if cli.no_save {
        return Ok(());
    }
    let out = cli.out.clone().unwrap_or_else(|| default_path(net));
    let mut tensors = weights::Tensors::new();
    for ((name, shape), data) in net.specs().into_iter().zip(split(&params, &sizes(net))) {
        tensors.insert(name.to_string(), (shape, data.to_vec()));
    }
    let m = [
        ("model", net.name().to_string()),
        ("architecture", net.architecture()),
        ("parameters", num_params(net).to_string()),
        (
            "layout",
            "F32 little-endian, row-major; conv weight [out,in,kh,kw]; dense weight [out,in]"
                .to_string(),
        ),
        ("input", net.input_description()),
        ("data", net.data_description()),
        ("seed", cli.seed.to_string()),
        ("epochs", epochs.to_string()),
        ("batch", batch.to_string()),
        (
            "optimizer",
            format!(
                "Adam(0.9, 0.999, 1e-8), lr {lr} cosine-decayed to 0 per step, decoupled weight decay {wd}, \
                 He-normal init, softmax cross-entropy"
            ),
        ),
        ("augmentation", net.augmentation()),
        (
            "validation_accuracy",
            format!("{:.4}", val_correct as f64 / val.n as f64),
        ),
        ("validation_correct", format!("{val_correct}/{}", val.n)),
        ("command", crate::command_line()),
        (
            "trainer",
            "libnumber-zoo src/bin/train (hand-written Rust, no ML framework)".to_string(),
        ),
    ];
    for (k, v) in m {
        meta.insert(k.to_string(), v);
    }
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    weights::save(&out, &tensors, &meta)?;
    eprintln!(
        "wrote {} ({:.1}s in all)",
        out.display(),
        t0.elapsed().as_secs_f64()
    );
    if !cli.no_test {
        check_file(net, &out)?;
    }
    Ok(())
}

/// Re-reads `path` and compares the validation and test counts of the inference forward pass with its metadata.
fn check_file<N: ChunkNet>(net: &N, path: &Path) -> Result<(), String> {
    let mut w = Weights::load(path)?;
    let specs = net.specs();
    let expected: Vec<(&str, &[usize])> = specs.iter().map(|(n, s)| (*n, s.as_slice())).collect();
    w.check(&expected)?;
    let mut params = Vec::with_capacity(num_params(net));
    for (n, s) in &specs {
        params.extend(w.take(n, s)?);
    }
    let mut ok = true;
    for (split, key) in [
        (Split::Validation, "validation_correct"),
        (Split::Test, "test_correct"),
    ] {
        let ds = net.load(split)?;
        let c = correct(net, &params, &ds);
        let got = format!("{c}/{}", ds.n);
        let verdict = match w.meta(key) {
            Some(r) if r == got => "matches the recorded count".to_string(),
            Some(r) => {
                ok = false;
                format!("MISMATCH: recorded {r}")
            }
            None => "nothing recorded".to_string(),
        };
        eprintln!(
            "{} on {split}: {} ({got}); {verdict}",
            path.display(),
            pct(c, ds.n)
        );
    }
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{}: accuracy differs from its metadata",
            path.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed weights files reproduce the validation and test counts recorded in them (digits always;
    /// fashion_bn when Fashion-MNIST has been fetched, skipped with a message otherwise).
    #[test]
    fn committed_weights_reproduce_recorded_counts() {
        check_file(&digits::Digits, &default_path(&digits::Digits)).unwrap();
        let net = fashion_bn::FashionBn;
        if let Err(e) = net.load(Split::Test) {
            eprintln!("skipping fashion_bn: {e}");
            return;
        }
        let path = default_path(&net);
        if path.exists() {
            check_file(&net, &path).unwrap();
        }
    }
}
