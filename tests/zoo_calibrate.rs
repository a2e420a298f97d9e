//! Zoo tests that run LeNet-5 under emulation. They need a calibrate build and MNIST:
//! `cargo number fetch mnist && cargo test --release --features calibrate --test zoo_calibrate`
//! (`cargo number test` runs them).
#![cfg(feature = "calibrate")]

#[path = "../examples/lenet/model.rs"]
#[allow(dead_code)]
mod model;

use model::LeNet;
use number_rt::Format;
use number_rt::emulate::{self, Config};
use number_rt::profile::{Profile, SiteKind};
use number_rt::tune::{Budget, Range, Space, Tolerance, Tuner};
use rayon::prelude::*;
use std::path::Path;
use zoo::data::{Dataset, Split};
use zoo::driver::Classifier;

/// Profiling is process-wide: tests that profile must not overlap.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn lenet() -> LeNet {
    LeNet::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/lenet/weights.safetensors"
    )))
    .unwrap()
}

fn data(split: Split) -> Dataset {
    LeNet::dataset(split)
        .unwrap_or_else(|e| panic!("{e}\n(these tests need MNIST: run `cargo number fetch mnist`)"))
}

fn profile(m: &LeNet, n: usize) -> Profile {
    let train = data(Split::Train);
    emulate::start_profiling();
    (0..n).into_par_iter().for_each(|i| {
        m.logits(train.image(i));
    });
    emulate::finish_profiling()
}

fn accuracy(m: &LeNet, d: &Dataset, n: usize) -> f64 {
    (0..n)
        .filter(|&i| m.predict(d.image(i)) == d.labels[i] as usize)
        .count() as f64
        / n as f64
}

/// ceil(log2 r): the integer bits needed so that 2^I covers r — written here independently of the tuner.
fn int_bits(r: f32) -> i32 {
    let mut i = -64;
    while (2f64).powi(i) < r as f64 {
        i += 1;
    }
    i
}

#[test]
fn profile_names_every_lenet_site_with_its_tensor_size() {
    let _serial = serial();
    let m = lenet();
    let p = profile(&m, 64);
    let expect = [
        ("Conv1/conv2d.w", 150),
        ("Conv1/conv2d.b", 6),
        ("Conv2/conv2d.w", 2400),
        ("Conv2/conv2d.b", 16),
        ("Fc1/dense.w", 48000),
        ("Fc1/dense.b", 120),
        ("Fc2/dense.w", 10080),
        ("Fc2/dense.b", 84),
        ("Fc3/dense.w", 840),
        ("Fc3/dense.b", 10),
    ];
    for (name, len) in expect {
        let s = p
            .sites
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing from the profile"));
        assert_eq!(s.kind, SiteKind::Weight, "{name}");
        assert_eq!(s.stats.len, len, "{name}");
        assert!(
            s.stats.count >= len,
            "{name}: {} values recorded",
            s.stats.count
        );
        assert_eq!(s.stats.nan + s.stats.inf, 0, "{name}");
    }
    // Activations: conv1's input is the normalised image, its output is after ReLU.
    let x = &p.sites["Conv1/conv2d.x"].stats;
    // The site `x` shares its format with conv2d's im2col matrix `patch` (25 taps × 28·28 positions): per image
    // the 784 inputs, the matrix's 25·784 initial zeros, and the values of the taps that lie inside the image
    // (the others keep their zeros): per tap row `ky`, 28 − |ky − 2| output rows, likewise per column, so
    // (26 + 27 + 28 + 27 + 26)² = 134² of them.
    assert_eq!(x.count, 64 * (784 + 25 * 28 * 28 + 134 * 134));
    assert_eq!(x.zeros + x.hist.iter().sum::<u64>(), x.count);
    assert!(
        x.min < -0.4 && x.max > 2.7,
        "normalised MNIST range, got {}..{}",
        x.min,
        x.max
    );
    assert!(p.sites["Conv1/conv2d.y"].stats.min >= 0.0);
    assert_eq!(
        p.sites.len(),
        30,
        "conv2d: 6 sites (w, b, x, y, acc, one literal) × 2, dense: 6 × 3"
    );
}

#[test]
fn tuned_lenet_is_never_larger_than_the_best_uniform_width() {
    let _serial = serial();
    let m = lenet();
    let p = profile(&m, 300);
    let val = data(Split::Validation);
    let n = 400;
    let weights: Vec<(&String, f32, u64)> = p
        .sites
        .iter()
        .filter(|(_, s)| s.kind == SiteKind::Weight)
        .map(|(k, s)| (k, s.stats.max_abs, s.stats.len))
        .collect();
    let baseline = emulate::with_formats(&Config::new(), || accuracy(&m, &val, n));
    let target = baseline * 0.99;
    // Sweep one width for every weight site, binary point from the profile's max |x|.
    let mut best_uniform = None;
    for w in 2..=8u32 {
        let cfg: Config = weights
            .iter()
            .map(|(k, max_abs, _)| {
                (
                    (*k).clone(),
                    Format::Fixed {
                        w,
                        f: w as i32 - 1 - int_bits(*max_abs),
                    },
                )
            })
            .collect();
        let acc = emulate::with_formats(&cfg, || accuracy(&m, &val, n));
        if acc >= target {
            best_uniform = Some((
                w,
                weights
                    .iter()
                    .map(|(_, _, len)| len * w as u64)
                    .sum::<u64>(),
                acc,
            ));
            break;
        }
    }
    let (uw, ubits, uacc) =
        best_uniform.expect("some uniform width up to 8 bits meets 1% on LeNet");
    let outcome = Tuner::new(&p)
        .tolerance(Tolerance::Relative(0.01))
        .space(
            Space::default()
                .range(Range::MaxAbs)
                .unsigned(false)
                .widths(2..=8),
        )
        .progress(false)
        // The uniform sweep comes first, so a budget keeps the guarantee; it bounds the test's time.
        .budget(Budget {
            evaluations: Some(40),
            time: None,
        })
        .run(|_: &Config| accuracy(&m, &val, n))
        .unwrap();
    eprintln!(
        "uniform {uw} bits: {ubits} bits, accuracy {uacc:.4}; tuned: {} bits, accuracy {:.4} ({} evaluations)",
        outcome.param_bits, outcome.accuracy, outcome.evaluations
    );
    assert!(
        outcome.accuracy >= target,
        "tuned accuracy {} below target {target}",
        outcome.accuracy
    );
    assert!(
        outcome.param_bits <= ubits,
        "tuner found {} bits, the uniform {uw}-bit config has {ubits}",
        outcome.param_bits
    );
    // The tuned configuration really is what the closure measured.
    let again = emulate::with_formats(&outcome.config, || accuracy(&m, &val, n));
    assert_eq!(again, outcome.accuracy);
}

/// GPTQ rounding on LeNet: capturing the layer inputs of every weight site, then emulating 2-bit weights
/// (`fixed<2,F>` per tensor, `F` covering the largest weight) keeps far more accuracy than rounding each weight to
/// nearest, and the rounded tensors are what `rounded_sites` hands to tuned.safetensors.
#[test]
fn gptq_rounding_beats_rounding_to_nearest_at_two_bits() {
    use number_rt::rounding;
    let _serial = serial();
    let m = lenet();
    let p = profile(&m, 64);
    let train = data(Split::Train);
    rounding::start_capture();
    (0..128).into_par_iter().for_each(|i| {
        m.logits(train.image(i));
    });
    let captured = rounding::finish_capture();
    assert_eq!(
        captured,
        [
            "Conv1/conv2d.w",
            "Conv2/conv2d.w",
            "Fc1/dense.w",
            "Fc2/dense.w",
            "Fc3/dense.w"
        ]
    );
    let mut cfg = Config::new();
    for (name, s) in p.sites_of(SiteKind::Weight) {
        if name.ends_with(".w") {
            cfg.insert(
                name.clone(),
                Format::fixed(2, 1 - int_bits(s.stats.max_abs)).unwrap(),
            );
        }
    }
    let val = data(Split::Validation);
    let n = 1000;
    let near = emulate::with_formats(&cfg, || accuracy(&m, &val, n));
    rounding::set_enabled(true);
    let gptq = emulate::with_formats(&cfg, || accuracy(&m, &val, n));
    let rounded = rounding::rounded_sites(&cfg);
    rounding::set_enabled(false);
    let f32_acc = accuracy(&m, &val, n);
    eprintln!(
        "LeNet, 2-bit weights, {n} validation images: f32 {f32_acc}, nearest {near}, GPTQ {gptq}"
    );
    assert!(
        gptq > near + 0.05 && gptq > f32_acc - 0.05,
        "f32 {f32_acc}, nearest {near}, GPTQ {gptq}"
    );
    assert_eq!(rounded.len(), 5);
    for (site, r) in &rounded {
        assert_eq!(Some(&r.format), cfg.get(site));
        assert!(
            r.values.iter().all(|&v| r.format.quantize(v) == v),
            "{site}: off the grid"
        );
    }
}
