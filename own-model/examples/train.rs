//! Trains the autoencoder in plain f32 (Adam on the mean squared reconstruction error, full backpropagation
//! written out) on the training part of the digits and writes `weights.safetensors`:
//! `cargo run --release --example train`. Deterministic (fixed seed, one thread).
use digits_autoencoder::SIZES;
use digits_autoencoder::data::{Part, images};
use std::collections::BTreeMap;

struct Layer {
    w: Vec<f32>,
    b: Vec<f32>,
    n_in: usize,
    n_out: usize,
    // Adam moments.
    mw: Vec<f32>,
    vw: Vec<f32>,
    mb: Vec<f32>,
    vb: Vec<f32>,
}

fn rng(state: &mut u64) -> f32 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32
}

impl Layer {
    fn new(n_in: usize, n_out: usize, seed: &mut u64) -> Layer {
        let scale = (6.0 / (n_in + n_out) as f32).sqrt();
        let w = (0..n_in * n_out)
            .map(|_| (2.0 * rng(seed) - 1.0) * scale)
            .collect();
        Layer {
            w,
            b: vec![0.0; n_out],
            n_in,
            n_out,
            mw: vec![0.0; n_in * n_out],
            vw: vec![0.0; n_in * n_out],
            mb: vec![0.0; n_out],
            vb: vec![0.0; n_out],
        }
    }

    fn forward(&self, x: &[f32], sigmoid: bool) -> Vec<f32> {
        (0..self.n_out)
            .map(|o| {
                let s: f32 = self.b[o]
                    + (0..self.n_in)
                        .map(|i| self.w[o * self.n_in + i] * x[i])
                        .sum::<f32>();
                if sigmoid {
                    1.0 / (1.0 + (-s).exp())
                } else {
                    s.max(0.0)
                }
            })
            .collect()
    }
}

fn main() {
    let train = images(Part::Train).expect("digits");
    let val = images(Part::Validation).expect("digits");
    let mut seed = 42u64;
    let mut layers: Vec<Layer> = SIZES
        .windows(2)
        .map(|s| Layer::new(s[0], s[1], &mut seed))
        .collect();
    let (lr, b1, b2, eps) = (2e-3f32, 0.9f32, 0.999f32, 1e-8f32);
    let (epochs, batch) = (300, 25);
    let mut step = 0;
    let mse = |layers: &[Layer], data: &[Vec<f32>]| -> f32 {
        data.iter()
            .map(|x| {
                let mut a = x.clone();
                for (k, l) in layers.iter().enumerate() {
                    a = l.forward(&a, k == layers.len() - 1);
                }
                a.iter().zip(x).map(|(y, t)| (y - t).powi(2)).sum::<f32>() / 64.0
            })
            .sum::<f32>()
            / data.len() as f32
    };
    for epoch in 0..epochs {
        for chunk in train.chunks(batch) {
            let mut gw: Vec<Vec<f32>> = layers.iter().map(|l| vec![0.0; l.w.len()]).collect();
            let mut gb: Vec<Vec<f32>> = layers.iter().map(|l| vec![0.0; l.b.len()]).collect();
            for x in chunk {
                // Forward, keeping every layer's output.
                let mut acts = vec![x.clone()];
                for (k, l) in layers.iter().enumerate() {
                    let a = l.forward(acts.last().unwrap(), k == layers.len() - 1);
                    acts.push(a);
                }
                // d(mean squared error)/d(output), through the sigmoid.
                let y = acts.last().unwrap();
                let mut delta: Vec<f32> = y
                    .iter()
                    .zip(x)
                    .map(|(y, t)| 2.0 * (y - t) / 64.0 * y * (1.0 - y))
                    .collect();
                for k in (0..layers.len()).rev() {
                    let l = &layers[k];
                    let input = &acts[k];
                    for o in 0..l.n_out {
                        gb[k][o] += delta[o];
                        for i in 0..l.n_in {
                            gw[k][o * l.n_in + i] += delta[o] * input[i];
                        }
                    }
                    if k > 0 {
                        // Back through W and the ReLU of the layer below.
                        delta = (0..l.n_in)
                            .map(|i| {
                                let g: f32 =
                                    (0..l.n_out).map(|o| l.w[o * l.n_in + i] * delta[o]).sum();
                                if input[i] > 0.0 { g } else { 0.0 }
                            })
                            .collect();
                    }
                }
            }
            step += 1;
            let (c1, c2) = (1.0 - b1.powi(step), 1.0 - b2.powi(step));
            let n = chunk.len() as f32;
            for (k, l) in layers.iter_mut().enumerate() {
                let adam = |p: &mut [f32], m: &mut [f32], v: &mut [f32], g: &[f32]| {
                    for j in 0..p.len() {
                        let g = g[j] / n;
                        m[j] = b1 * m[j] + (1.0 - b1) * g;
                        v[j] = b2 * v[j] + (1.0 - b2) * g * g;
                        p[j] -= lr * (m[j] / c1) / ((v[j] / c2).sqrt() + eps);
                    }
                };
                adam(&mut l.w, &mut l.mw, &mut l.vw, &gw[k]);
                adam(&mut l.b, &mut l.mb, &mut l.vb, &gb[k]);
            }
        }
        if epoch % 50 == 49 {
            println!(
                "epoch {}: train MSE {:.5}, validation MSE {:.5}",
                epoch + 1,
                mse(&layers, &train),
                mse(&layers, &val)
            );
        }
    }
    let mut tensors = BTreeMap::new();
    for (name, l) in ["enc1", "enc2", "dec1", "dec2"].iter().zip(&layers) {
        tensors.insert(
            format!("{name}.weight"),
            (vec![l.n_out, l.n_in], l.w.clone()),
        );
        tensors.insert(format!("{name}.bias"), (vec![l.n_out], l.b.clone()));
    }
    let mut meta = BTreeMap::new();
    meta.insert(
        "model".to_string(),
        "digits autoencoder 64-32-12-32-64".to_string(),
    );
    meta.insert(
        "trained_by".to_string(),
        "cargo run --release --example train".to_string(),
    );
    meta.insert(
        "validation_mse".to_string(),
        format!("{:.6}", mse(&layers, &val)),
    );
    number_rt::weights::save("weights.safetensors", &tensors, &meta)
        .expect("writing weights.safetensors");
    println!("wrote weights.safetensors");
}
