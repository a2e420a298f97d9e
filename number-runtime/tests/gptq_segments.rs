//! GPTQ capture of weight rows read in pieces: a direct 1-D convolution whose kernel loop is clipped at the
//! padding, and a recurrent cell whose row `[W_x | W_h]` is read in two loops. Both used to be skipped (rounded
//! to nearest: "rows of 2 values from index 1 (expected whole rows of 2)"); now the pieces of each output are
//! assembled into whole rows (zeros for the padding) and GPTQ rounds the site, with a lower output error than
//! rounding to nearest on inputs like the calibration ones. A clipped depthwise kernel, whose row length cannot
//! be told from its reads, is named with what would make it work.
//!
//! The functions are hand-expanded calibrate-mode code (what `#[quantize]` emits for an accumulation loop:
//! `Frame::weights`, then per loop `Frame::gram` and `Frame::dot`), so that this crate's tests need neither
//! number-rt nor the macros. Capture and the registry are global to the process: the tests run one at a time
//! and use functions of their own names.
use number_formats::Format;
use number_runtime::emulate::{self, Config, FnInfo, Frame, SiteInfo, site_name};
use number_runtime::profile::SiteKind;
use number_runtime::rounding;
use std::sync::Mutex;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const SITES: &[SiteInfo] = &[
    SiteInfo {
        ident: "acc",
        kind: SiteKind::Local,
        operand: false,
    },
    SiteInfo {
        ident: "w",
        kind: SiteKind::Weight,
        operand: false,
    },
    SiteInfo {
        ident: "x",
        kind: SiteKind::Input,
        operand: false,
    },
];

static CONV: FnInfo = FnInfo {
    name: "conv1d",
    module: "gptq_segments::layers",
    fingerprint: 0x5e61,
    sites: SITES,
};

static CELL: FnInfo = FnInfo {
    name: "cell",
    module: "gptq_segments::layers",
    fingerprint: 0x5e62,
    sites: SITES,
};

static DEPTHWISE: FnInfo = FnInfo {
    name: "depthwise",
    module: "gptq_segments::layers",
    fingerprint: 0x5e63,
    sites: SITES,
};

static OUT_OF_SIGHT: FnInfo = FnInfo {
    name: "out_of_sight",
    module: "gptq_segments::layers",
    fingerprint: 0x5e64,
    sites: SITES,
};

/// A small deterministic generator of values in [-1, 1).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
    fn vec(&mut self, n: usize, scale: f32) -> Vec<f32> {
        (0..n).map(|_| self.next() * scale).collect()
    }
}

/// `c` channels of `l` samples of smooth signals (what makes neighbouring taps correlated), channels mixed.
fn signal(rng: &mut Rng, c: usize, l: usize) -> Vec<f32> {
    let base: Vec<Vec<f32>> = (0..c)
        .map(|_| {
            let (f, p, a) = (0.2 + 0.3 * rng.next().abs(), 3.0 * rng.next(), rng.next());
            (0..l)
                .map(|t| a * (f * t as f32 + p).sin() + 0.1 * rng.next())
                .collect()
        })
        .collect();
    (0..c * l)
        .map(|j| {
            let (ch, t) = (j / l, j % l);
            base[ch][t] + 0.5 * base[(ch + 1) % c][t]
        })
        .collect()
}

/// `conv1d` with `c` input channels, kernel `k`, zero padding `pad` (the kernel loop clipped at the edges),
/// `rows` output channels, as `#[quantize(weights(w))]` expands it:
///
/// ```text
/// for o in 0..rows { for t in 0..l { let mut acc = 0.0;
///     for ch in 0..c { for j in lo(t)..hi(t) { acc += w[o * c * k + ch * k + j] * x[ch * l + t + j - pad]; } }
///     y[o * l + t] = acc; } }
/// ```
fn conv1d(w: &[f32], x: &[f32], (c, k, pad, rows): (usize, usize, usize, usize)) -> Vec<f32> {
    let f = Frame::enter(&CONV, "Conv", "gptq_segments::model");
    let wq = f.weights(1, w);
    let w: &[f32] = &wq;
    let (l, n) = (x.len() / c, c * k);
    let mut y = vec![0f32; rows * l];
    for o in 0..rows {
        for t in 0..l {
            let mut acc = f.q(0, 0.0);
            for ch in 0..c {
                let (lo, hi) = (pad.saturating_sub(t), k.min(l + pad - t));
                if lo < hi {
                    let start = o * n + ch * k + lo;
                    let a = &w[start..][..hi - lo];
                    let b = &x[ch * l + t + lo - pad..][..hi - lo];
                    f.gram(1, start, b);
                    acc = f.dot(0, acc, a, b);
                }
            }
            y[o * l + t] = acc;
        }
    }
    y
}

/// A recurrent cell's pre-activation, its rows `[W_x | W_h]` read in two loops (`i` inputs, `h.len()` states).
fn cell(w: &[f32], x: &[f32], h: &[f32]) -> Vec<f32> {
    let f = Frame::enter(&CELL, "Rnn", "gptq_segments::model");
    let wq = f.weights(1, w);
    let w: &[f32] = &wq;
    let n = x.len() + h.len();
    (0..h.len())
        .map(|o| {
            let mut acc = f.q(0, 0.0);
            let (a, b) = (&w[o * n..][..x.len()], x);
            f.gram(1, o * n, b);
            acc = f.dot(0, acc, a, b);
            let (a, b) = (&w[o * n + x.len()..][..h.len()], h);
            f.gram(1, o * n + x.len(), b);
            f.dot(0, acc, a, b)
        })
        .collect()
}

/// Σ of the squared differences.
fn sq(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| (*p as f64 - *q as f64).powi(2))
        .sum()
}

/// Output errors of rounding `site`'s weights to nearest and with GPTQ, in `format`, on `eval`.
fn errors(site: &str, format: Format, eval: impl Fn() -> f64) -> (f64, f64) {
    let mut cfg = Config::new();
    cfg.insert(site.to_string(), format);
    rounding::set_enabled(false);
    let near = emulate::with_formats(&cfg, &eval);
    rounding::set_enabled(true);
    let gptq = emulate::with_formats(&cfg, &eval);
    let rounded = rounding::rounded_sites(&cfg);
    rounding::set_enabled(false);
    assert_eq!(rounded.len(), 1, "{site}: no GPTQ-rounded tensor");
    let r = &rounded[0].1;
    assert!(
        r.values.iter().all(|&v| format.quantize(v) == v),
        "off the grid"
    );
    (near, gptq)
}

#[test]
fn a_convolution_clipped_at_the_padding_is_rounded_with_gptq() {
    let _s = serial();
    let shape = (4, 3, 1, 8); // c, k, pad, rows: the first output reads taps 1..3
    let (c, k, _, rows) = shape;
    let l = 24;
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let w = rng.vec(rows * c * k, 0.5);
    let calib: Vec<Vec<f32>> = (0..64).map(|_| signal(&mut rng, c, l)).collect();
    let val: Vec<Vec<f32>> = (0..64).map(|_| signal(&mut rng, c, l)).collect();
    // Captured on two threads, as `workflow::tune` does (each thread assembles its own rows).
    rounding::start_capture();
    std::thread::scope(|s| {
        let w = &w;
        for half in calib.chunks(calib.len() / 2) {
            s.spawn(move || {
                for x in half {
                    conv1d(w, x, shape);
                }
            });
        }
    });
    let site = site_name("Conv", "conv1d", "w");
    assert_eq!(rounding::finish_capture(), std::slice::from_ref(&site));
    assert_eq!(rounding::skipped(), []);
    let exact: Vec<Vec<f32>> = val.iter().map(|x| conv1d(&w, x, shape)).collect();
    for fmt in ["fixed<2,2>", "fixed<3,3>", "fixed<4,4>"] {
        let format: Format = fmt.parse().unwrap();
        let (near, gptq) = errors(&site, format, || {
            val.iter()
                .zip(&exact)
                .map(|(x, y)| sq(&conv1d(&w, x, shape), y))
                .sum()
        });
        eprintln!("conv1d, {fmt} weights: output error nearest {near:.4}, GPTQ {gptq:.4}");
        assert!(gptq < 0.8 * near, "{fmt}: GPTQ {gptq} vs nearest {near}");
    }
}

#[test]
fn a_recurrent_row_read_in_two_loops_is_rounded_with_gptq() {
    let _s = serial();
    let (i, hd) = (6, 10);
    let mut rng = Rng(0x0fed_cba9_8765_4321);
    let w = rng.vec(hd * (i + hd), 0.4);
    // Sequences of smooth inputs; the state follows the f32 cell (h = tanh(W [x|h])).
    let sequence = |rng: &mut Rng| -> Vec<(Vec<f32>, Vec<f32>)> {
        let xs = signal(rng, i, 16);
        let mut h = vec![0f32; hd];
        let mut steps = Vec::new();
        for t in 0..16 {
            let x: Vec<f32> = (0..i).map(|j| xs[j * 16 + t]).collect();
            let y = cell(&w, &x, &h);
            steps.push((x, h));
            h = y.iter().map(|v| v.tanh()).collect();
        }
        steps
    };
    let calib: Vec<_> = (0..24).flat_map(|_| sequence(&mut rng)).collect();
    let val: Vec<_> = (0..24).flat_map(|_| sequence(&mut rng)).collect();
    rounding::start_capture();
    for (x, h) in &calib {
        cell(&w, x, h);
    }
    let site = site_name("Rnn", "cell", "w");
    assert_eq!(rounding::finish_capture(), std::slice::from_ref(&site));
    assert_eq!(rounding::skipped(), []);
    let exact: Vec<Vec<f32>> = val.iter().map(|(x, h)| cell(&w, x, h)).collect();
    for fmt in ["fixed<2,2>", "fixed<3,3>"] {
        let format: Format = fmt.parse().unwrap();
        let (near, gptq) = errors(&site, format, || {
            val.iter()
                .zip(&exact)
                .map(|((x, h), y)| sq(&cell(&w, x, h), y))
                .sum()
        });
        eprintln!("recurrent cell, {fmt} weights: output error nearest {near:.4}, GPTQ {gptq:.4}");
        assert!(gptq < 0.8 * near, "{fmt}: GPTQ {gptq} vs nearest {near}");
    }
}

#[test]
fn a_clipped_depthwise_kernel_is_named_with_what_would_make_it_work() {
    let _s = serial();
    let (c, k, l) = (3, 3, 8);
    let mut rng = Rng(0x2468_ace0_1357_9bdf);
    let w = rng.vec(c * k, 0.5);
    rounding::start_capture();
    for _ in 0..4 {
        let x = signal(&mut rng, c, l);
        let f = Frame::enter(&DEPTHWISE, "Dw", "gptq_segments::model");
        let wq = f.weights(1, &w);
        for ch in 0..c {
            for t in 0..l {
                let (lo, hi) = (1usize.saturating_sub(t), k.min(l + 1 - t));
                let b = &x[ch * l + t + lo - 1..][..hi - lo];
                f.gram(1, ch * k + lo, b);
                f.dot(0, 0.0, &wq[ch * k + lo..][..hi - lo], b);
            }
        }
    }
    assert_eq!(rounding::finish_capture(), Vec::<String>::new());
    let skipped = rounding::skipped();
    assert_eq!(skipped.len(), 1);
    let (site, why) = &skipped[0];
    assert_eq!(site, &site_name("Dw", "depthwise", "w"));
    assert!(
        why.contains("2 values from index 1")
            && why.contains("row length could not be inferred")
            && why.contains("zero-pad"),
        "{why}"
    );
}

#[test]
fn a_row_whose_other_piece_is_read_out_of_sight_is_named() {
    let _s = serial();
    let (i, hd) = (4, 5);
    let mut rng = Rng(0x1357_2468_9bdf_ace0);
    let w = rng.vec(hd * (i + hd), 0.4);
    rounding::start_capture();
    for _ in 0..8 {
        let (x, h) = (rng.vec(i, 1.0), rng.vec(hd, 1.0));
        let f = Frame::enter(&OUT_OF_SIGHT, "Half", "gptq_segments::model");
        let wq = f.weights(1, &w);
        for o in 0..hd {
            let n = i + hd;
            f.gram(1, o * n + i, &h); // the state part; the input part is read by a loop capture does not see
            let acc = f.dot(0, 0.0, &wq[o * n + i..][..hd], &h);
            let _ = (0..i).fold(acc, |a, j| a + wq[o * n + j] * x[j]);
        }
    }
    assert_eq!(rounding::finish_capture(), Vec::<String>::new());
    let skipped = rounding::skipped();
    assert_eq!(skipped.len(), 1);
    assert!(
        skipped[0].1.contains("columns 0..4") && skipped[0].1.contains("0..h.len()"),
        "{}",
        skipped[0].1
    );
}
