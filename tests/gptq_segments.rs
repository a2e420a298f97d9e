//! GPTQ on `#[quantize]` code that reads weight rows in pieces, as people write it: a direct 1-D convolution
//! whose kernel loop is clipped at the padding, and a recurrent cell whose row `[W_x | W_h]` is read in two
//! loops. The macro reports each loop's piece (`Frame::gram`); capture assembles the pieces of each output into
//! a whole row, so GPTQ rounds these sites (it used to skip them) with a lower output error than rounding to
//! nearest. `cargo test --release --features calibrate --test gptq_segments`.
#![cfg(feature = "calibrate")]
#![allow(clippy::needless_range_loop)]
use number_rt::emulate::{self, Config};
use number_rt::{Format, quantize, rounding};
use rayon::prelude::*;

number_rt::instances!(Conv, Rnn);

/// Channels and kernel of the convolution.
const C: usize = 4;
const K: usize = 3;

/// `y[o][t] = Σ_ch Σ_j w[o][ch][j] · x[ch][t + j - 1]`, zero padding 1 by clipping the kernel loop.
#[quantize(weights(w), mode = "calibrate")]
pub fn conv1d<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    let l = x.len() / C;
    let rows = w.len() / (C * K);
    for o in 0..rows {
        for t in 0..l {
            let mut acc: f32 = 0.0;
            for ch in 0..C {
                let lo = if t == 0 { 1 } else { 0 };
                let hi = if t + 1 == l { K - 1 } else { K };
                for j in lo..hi {
                    acc += w[o * C * K + ch * K + j] * x[ch * l + t + j - 1];
                }
            }
            y[o * l + t] = acc;
        }
    }
}

/// A recurrent cell's pre-activation: `y[o] = W_x[o] · x + W_h[o] · h`, rows `[W_x | W_h]`.
#[quantize(weights(w), mode = "calibrate")]
pub fn cell<L>(w: &[f32], x: &[f32], h: &[f32], y: &mut [f32]) {
    // (Loop bounds that mention a site, like `0..h.len()`, would make the loop no accumulation loop.)
    let (ni, nh) = (x.len(), h.len());
    let n = ni + nh;
    for o in 0..y.len() {
        let mut acc: f32 = 0.0;
        for i in 0..ni {
            acc += w[o * n + i] * x[i];
        }
        for j in 0..nh {
            acc += w[o * n + ni + j] * h[j];
        }
        y[o] = acc;
    }
}

/// A small deterministic generator of values in [-1, 1).
fn values(seed: u64, n: usize) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// `c` channels of `l` samples of smooth, mixed signals (neighbouring taps and channels correlated).
fn signal(seed: u64, c: usize, l: usize) -> Vec<f32> {
    let r = values(seed, 3 * c + c * l);
    (0..c * l)
        .map(|j| {
            let (ch, t) = (j / l, j % l);
            let wave = |ch: usize| {
                let (f, p, a) = (
                    0.2 + 0.3 * r[3 * ch].abs(),
                    3.0 * r[3 * ch + 1],
                    r[3 * ch + 2],
                );
                a * (f * t as f32 + p).sin()
            };
            wave(ch) + 0.5 * wave((ch + 1) % c) + 0.1 * r[3 * c + j]
        })
        .collect()
}

fn sq(a: &[f32], b: &[f32]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(p, q)| (*p as f64 - *q as f64).powi(2))
        .sum()
}

/// Output errors of `site` rounded to nearest and with GPTQ (`format`), with `eval` the error of the outputs.
fn errors(site: &str, format: Format, eval: impl Fn() -> f64) -> (f64, f64) {
    let mut cfg = Config::new();
    cfg.insert(site.to_string(), format);
    rounding::set_enabled(false);
    let near = emulate::with_formats(&cfg, &eval);
    rounding::set_enabled(true);
    let gptq = emulate::with_formats(&cfg, &eval);
    assert_eq!(rounding::rounded_sites(&cfg).len(), 1, "{site} not rounded");
    rounding::set_enabled(false);
    (near, gptq)
}

/// Capture is process-wide: the tests run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn gptq_rounds_a_convolution_clipped_at_the_padding_and_a_row_read_in_two_loops() {
    let _s = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (l, rows) = (20, 8);
    let wc: Vec<f32> = values(1, rows * C * K).iter().map(|v| v * 0.5).collect();
    let conv = |x: &[f32]| {
        let mut y = vec![0f32; rows * l];
        conv1d::<Conv>(&wc, x, &mut y);
        y
    };
    let (ni, nh) = (6, 10);
    let wr: Vec<f32> = values(2, nh * (ni + nh)).iter().map(|v| v * 0.4).collect();
    let step = |x: &[f32], h: &[f32]| {
        let mut y = vec![0f32; nh];
        cell::<Rnn>(&wr, x, h, &mut y);
        y
    };
    // Input/state pairs along sequences run in f32.
    let sequence = |seed: u64| -> Vec<(Vec<f32>, Vec<f32>)> {
        let xs = signal(seed, ni, 12);
        let mut h = vec![0f32; nh];
        (0..12)
            .map(|t| {
                let x: Vec<f32> = (0..ni).map(|i| xs[i * 12 + t]).collect();
                let next: Vec<f32> = step(&x, &h).iter().map(|v| v.tanh()).collect();
                (x, std::mem::replace(&mut h, next))
            })
            .collect()
    };
    let calib_x: Vec<Vec<f32>> = (0..64).map(|s| signal(100 + s, C, l)).collect();
    let calib_s: Vec<_> = (0..16).flat_map(|s| sequence(300 + s)).collect();
    let val_x: Vec<Vec<f32>> = (0..64).map(|s| signal(200 + s, C, l)).collect();
    let val_s: Vec<_> = (0..16).flat_map(|s| sequence(400 + s)).collect();

    rounding::start_capture();
    calib_x.par_iter().for_each(|x| {
        conv(x);
    });
    calib_s.iter().for_each(|(x, h)| {
        step(x, h);
    });
    let captured = rounding::finish_capture();
    assert_eq!(rounding::skipped(), []);
    assert_eq!(captured, ["Conv/conv1d.w", "Rnn/cell.w"]);

    let exact_x: Vec<Vec<f32>> = val_x.iter().map(|x| conv(x)).collect();
    let exact_s: Vec<Vec<f32>> = val_s.iter().map(|(x, h)| step(x, h)).collect();
    // Captured in order, the cell's moments are exactly those of the joined inputs `[x | h]`: its rounding is
    // GPTQ's with that `H`, bit for bit.
    {
        let n = ni + nh;
        let mut hm = vec![0f64; n * n];
        for (x, h) in &calib_s {
            let v: Vec<f32> = x.iter().chain(h).copied().collect();
            for i in 0..n {
                for j in 0..n {
                    hm[i * n + j] += v[i] as f64 * v[j] as f64;
                }
            }
        }
        let f: Format = "fixed<3,3>".parse().unwrap();
        let want = rounding::gptq(&wr, n, &hm, |_, x| f.quantize(x)).unwrap();
        let mut cfg = Config::new();
        cfg.insert("Rnn/cell.w".to_string(), f);
        rounding::set_enabled(true);
        emulate::with_formats(&cfg, || step(&val_s[0].0, &val_s[0].1));
        let got = rounding::rounded_sites(&cfg);
        rounding::set_enabled(false);
        assert_eq!(got[0].1.values, want);
    }
    for fmt in ["fixed<2,1>", "fixed<3,2>", "fixed<4,3>"] {
        let f: Format = fmt.parse().unwrap();
        let (near, gptq) = errors("Conv/conv1d.w", f, || {
            val_x
                .iter()
                .zip(&exact_x)
                .map(|(x, y)| sq(&conv(x), y))
                .sum()
        });
        eprintln!("conv1d, {fmt}: output error nearest {near:.3}, GPTQ {gptq:.3}");
        assert!(
            gptq < 0.8 * near,
            "conv1d {fmt}: GPTQ {gptq}, nearest {near}"
        );
        let (near, gptq) = errors("Rnn/cell.w", f, || {
            val_s
                .iter()
                .zip(&exact_s)
                .map(|((x, h), y)| sq(&step(x, h), y))
                .sum()
        });
        eprintln!("cell, {fmt}: output error nearest {near:.3}, GPTQ {gptq:.3}");
        assert!(gptq < 0.8 * near, "cell {fmt}: GPTQ {gptq}, nearest {near}");
    }
}
