//! `fashion_bn`: a CNN with batch normalisation on Fashion-MNIST.
//!
//! conv1 3×3 1→16 pad 1 (no bias) → BN → ReLU → maxpool (28→14) → conv2 3×3 16→32 pad 1 (no bias) → BN →
//! ReLU → maxpool (14→7) → flatten C·H·W (1568) → fc1 1568→64 ReLU → fc2 64→10.
//!
//! Batch norm as PyTorch's `BatchNorm2d` (ε = 1e-5, momentum 0.1): in training, each chunk of
//! [`CHUNK`](crate::CHUNK) images is normalised with its own per-channel mean and (biased) variance over
//! images × positions ("ghost" batches of 16, so chunks stay independent and the run reproducible); the running
//! mean and unbiased variance follow `r ← 0.9 r + 0.1 s`, with `s` the mean of the step's chunk statistics in
//! chunk order. Inference uses the running statistics (the example folds them into the convolutions).

use super::{CLASSES, ChunkNet, Defaults};
use crate::model::{split, split_mut};
use crate::ops::{self, Conv};
use crate::rng::Rng;
use zoo::data::{Dataset, Split};

pub struct FashionBn;

pub const SIDE: usize = 28;
pub const IN: usize = SIDE * SIDE;
pub const C1: Conv = Conv {
    c_in: 1,
    c_out: 16,
    h: 28,
    w: 28,
    k: 3,
    pad: 1,
};
pub const C2: Conv = Conv {
    c_in: 16,
    c_out: 32,
    h: 14,
    w: 14,
    k: 3,
    pad: 1,
};
pub const FLAT: usize = 32 * 7 * 7;
pub const HIDDEN: usize = 64;
pub const EPS: f32 = 1e-5;
pub const MOMENTUM: f32 = 0.1;

// Tensor indices in `specs` order.
const W1: usize = 0;
const G1: usize = 1;
const B1: usize = 2;
const M1: usize = 3;
const V1: usize = 4;
const W2: usize = 5;
const G2: usize = 6;
const B2: usize = 7;
const M2: usize = 8;
const V2: usize = 9;
const FC1W: usize = 10;
const FC1B: usize = 11;
const FC2W: usize = 12;
const FC2B: usize = 13;

/// Per-channel statistics of `z` (`nb` images of `c × p`): mean and biased variance.
fn moments(z: &[f32], nb: usize, c: usize, p: usize) -> (Vec<f32>, Vec<f32>) {
    let m = (nb * p) as f64;
    let (mut mean, mut var) = (vec![0.0f32; c], vec![0.0f32; c]);
    for ch in 0..c {
        let mut s = 0.0f64;
        for b in 0..nb {
            s += z[(b * c + ch) * p..(b * c + ch + 1) * p]
                .iter()
                .map(|&v| v as f64)
                .sum::<f64>();
        }
        let mu = s / m;
        let mut q = 0.0f64;
        for b in 0..nb {
            q += z[(b * c + ch) * p..(b * c + ch + 1) * p]
                .iter()
                .map(|&v| (v as f64 - mu) * (v as f64 - mu))
                .sum::<f64>();
        }
        mean[ch] = mu as f32;
        var[ch] = (q / m) as f32;
    }
    (mean, var)
}

/// Batch-norm forward over a chunk: writes x̂ into `xhat`, and `relu(γ x̂ + β)` into `y`; returns 1/σ per channel.
#[allow(clippy::too_many_arguments)]
fn bn_fwd(
    z: &[f32],
    mean: &[f32],
    var: &[f32],
    gamma: &[f32],
    beta: &[f32],
    nb: usize,
    c: usize,
    p: usize,
    xhat: &mut [f32],
    y: &mut [f32],
) -> Vec<f32> {
    let inv: Vec<f32> = var.iter().map(|v| 1.0 / (v + EPS).sqrt()).collect();
    for b in 0..nb {
        for ch in 0..c {
            let r = (b * c + ch) * p..(b * c + ch + 1) * p;
            for ((xh, yy), &zz) in xhat[r.clone()].iter_mut().zip(&mut y[r.clone()]).zip(&z[r]) {
                *xh = (zz - mean[ch]) * inv[ch];
                *yy = (gamma[ch] * *xh + beta[ch]).max(0.0);
            }
        }
    }
    inv
}

/// Batch-norm backward: `dy` (∂loss/∂ BN output, ReLU already applied) becomes ∂loss/∂z in place;
/// accumulates ∂γ and ∂β.
#[allow(clippy::too_many_arguments)]
fn bn_bwd(
    dy: &mut [f32],
    xhat: &[f32],
    inv: &[f32],
    gamma: &[f32],
    nb: usize,
    c: usize,
    p: usize,
    dgamma: &mut [f32],
    dbeta: &mut [f32],
) {
    let m = (nb * p) as f32;
    for ch in 0..c {
        let (mut sdy, mut sdyx) = (0.0f32, 0.0f32);
        for b in 0..nb {
            let r = (b * c + ch) * p..(b * c + ch + 1) * p;
            for (&g, &xh) in dy[r.clone()].iter().zip(&xhat[r]) {
                sdy += g;
                sdyx += g * xh;
            }
        }
        dbeta[ch] += sdy;
        dgamma[ch] += sdyx;
        let k = gamma[ch] * inv[ch];
        for b in 0..nb {
            let r = (b * c + ch) * p..(b * c + ch + 1) * p;
            for (g, &xh) in dy[r.clone()].iter_mut().zip(&xhat[r]) {
                *g = k * (*g - sdy / m - xh * sdyx / m);
            }
        }
    }
}

impl FashionBn {
    /// Eval-mode scale and shift of a batch norm: `y = z · s + t`.
    fn affine(gamma: &[f32], beta: &[f32], mean: &[f32], var: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let s: Vec<f32> = gamma
            .iter()
            .zip(var)
            .map(|(g, v)| g / (v + EPS).sqrt())
            .collect();
        let t = beta
            .iter()
            .zip(mean)
            .zip(&s)
            .map(|((b, m), s)| b - m * s)
            .collect();
        (s, t)
    }
}

impl ChunkNet for FashionBn {
    fn name(&self) -> &'static str {
        "fashion_bn"
    }

    fn specs(&self) -> Vec<(&'static str, Vec<usize>)> {
        vec![
            ("conv1.weight", vec![16, 1, 3, 3]),
            ("bn1.weight", vec![16]),
            ("bn1.bias", vec![16]),
            ("bn1.running_mean", vec![16]),
            ("bn1.running_var", vec![16]),
            ("conv2.weight", vec![32, 16, 3, 3]),
            ("bn2.weight", vec![32]),
            ("bn2.bias", vec![32]),
            ("bn2.running_mean", vec![32]),
            ("bn2.running_var", vec![32]),
            ("fc1.weight", vec![HIDDEN, FLAT]),
            ("fc1.bias", vec![HIDDEN]),
            ("fc2.weight", vec![CLASSES, HIDDEN]),
            ("fc2.bias", vec![CLASSES]),
        ]
    }

    fn architecture(&self) -> String {
        "fashion_bn: conv1 3x3 1->16 pad1 no bias, bn1, relu, maxpool2, conv2 3x3 16->32 pad1 no bias, bn2, relu, \
         maxpool2, flatten CHW 1568, fc1 1568->64 relu, fc2 64->10; BatchNorm2d eps 1e-5 momentum 0.1 (ghost \
         batches of 16 images in training)"
            .into()
    }

    fn defaults(&self) -> Defaults {
        Defaults {
            epochs: 10,
            lr: 2e-3,
            wd: 0.1,
            batch: 64,
        }
    }

    fn dim(&self) -> usize {
        IN
    }

    fn data_description(&self) -> String {
        "Fashion-MNIST from the Debian package dataset-fashion-mnist; train = official train[0..55000], \
         validation = train[55000..60000], test = official t10k"
            .into()
    }

    fn load(&self, split: Split) -> Result<Dataset, String> {
        zoo::data::fashion_mnist(split).map_err(|e| e.to_string())
    }

    fn input_description(&self) -> String {
        "1x28x28 Fashion-MNIST image, (x/255 - 0.2860)/0.3530; output: 10 logits".into()
    }

    fn augmentation(&self) -> String {
        "random horizontal flip (p = 0.5)".into()
    }

    fn init(&self, rng: &mut Rng) -> Vec<f32> {
        let mut p = Vec::new();
        for (name, shape) in self.specs() {
            let n: usize = shape.iter().product();
            if name.starts_with("conv") || (name.starts_with("fc") && name.ends_with(".weight")) {
                p.extend(super::he_or_zero(name, &shape, rng));
            } else if name.ends_with("running_var")
                || (name.starts_with("bn") && name.ends_with(".weight"))
            {
                p.extend(std::iter::repeat_n(1.0, n));
            } else {
                p.extend(std::iter::repeat_n(0.0, n));
            }
        }
        p
    }

    fn decay_mask(&self) -> Vec<bool> {
        self.specs()
            .iter()
            .flat_map(|(n, s)| {
                let decay =
                    (n.starts_with("conv") || n.starts_with("fc")) && n.ends_with(".weight");
                std::iter::repeat_n(decay, s.iter().product())
            })
            .collect()
    }

    fn augment(&self, rng: &mut Rng, src: &[f32], dst: &mut [f32]) {
        if rng.below(2) == 1 {
            for y in 0..SIDE {
                for x in 0..SIDE {
                    dst[y * SIDE + x] = src[y * SIDE + SIDE - 1 - x];
                }
            }
        } else {
            dst.copy_from_slice(src);
        }
    }

    fn train_chunk(
        &self,
        params: &[f32],
        x: &[f32],
        labels: &[u8],
        scale: f32,
        grad: &mut [f32],
    ) -> (f32, usize, Vec<f32>) {
        let nb = labels.len();
        let sz = super::sizes(self);
        let p = split(params, &sz);
        let mut g = split_mut(grad, &sz);
        let (k1, n1, k2, n2) = (
            C1.kk() * C1.p(),
            C1.out_len(),
            C2.kk() * C2.p(),
            C2.out_len(),
        );
        let (q1, q2) = (n1 / 4, n2 / 4);
        let zero16 = [0.0f32; 16];
        let zero32 = [0.0f32; 32];
        // conv1 (no bias) on every image, then the chunk's statistics.
        let mut col1 = vec![0.0; nb * k1];
        let mut z1 = vec![0.0; nb * n1];
        for b in 0..nb {
            C1.im2col(&x[b * IN..(b + 1) * IN], &mut col1[b * k1..(b + 1) * k1]);
            C1.fwd(
                &col1[b * k1..(b + 1) * k1],
                p[W1],
                &zero16,
                &mut z1[b * n1..(b + 1) * n1],
            );
        }
        let (mean1, var1) = moments(&z1, nb, 16, C1.p());
        let mut xhat1 = vec![0.0; nb * n1];
        let mut r1 = vec![0.0; nb * n1];
        let inv1 = bn_fwd(
            &z1,
            &mean1,
            &var1,
            p[G1],
            p[B1],
            nb,
            16,
            C1.p(),
            &mut xhat1,
            &mut r1,
        );
        let mut p1 = vec![0.0; nb * q1];
        let mut arg1 = vec![0u32; nb * q1];
        let mut col2 = vec![0.0; nb * k2];
        let mut z2 = vec![0.0; nb * n2];
        for b in 0..nb {
            ops::maxpool_fwd(
                &r1[b * n1..(b + 1) * n1],
                16,
                28,
                28,
                &mut p1[b * q1..(b + 1) * q1],
                &mut arg1[b * q1..(b + 1) * q1],
            );
            C2.im2col(&p1[b * q1..(b + 1) * q1], &mut col2[b * k2..(b + 1) * k2]);
            C2.fwd(
                &col2[b * k2..(b + 1) * k2],
                p[W2],
                &zero32,
                &mut z2[b * n2..(b + 1) * n2],
            );
        }
        let (mean2, var2) = moments(&z2, nb, 32, C2.p());
        let mut xhat2 = vec![0.0; nb * n2];
        let mut r2 = vec![0.0; nb * n2];
        let inv2 = bn_fwd(
            &z2,
            &mean2,
            &var2,
            p[G2],
            p[B2],
            nb,
            32,
            C2.p(),
            &mut xhat2,
            &mut r2,
        );
        let mut f0 = vec![0.0; nb * q2];
        let mut arg2 = vec![0u32; nb * q2];
        for b in 0..nb {
            ops::maxpool_fwd(
                &r2[b * n2..(b + 1) * n2],
                32,
                14,
                14,
                &mut f0[b * q2..(b + 1) * q2],
                &mut arg2[b * q2..(b + 1) * q2],
            );
        }
        let mut h = vec![0.0; nb * HIDDEN];
        ops::linear_fwd(&f0, p[FC1W], p[FC1B], &mut h, nb, FLAT, HIDDEN);
        ops::relu(&mut h);
        let mut logits = vec![0.0; nb * CLASSES];
        ops::linear_fwd(&h, p[FC2W], p[FC2B], &mut logits, nb, HIDDEN, CLASSES);

        let (mut loss, mut right) = (0.0, 0);
        let mut dl = vec![0.0; nb * CLASSES];
        for b in 0..nb {
            let l = &logits[b * CLASSES..(b + 1) * CLASSES];
            right += usize::from(ops::argmax(l) == labels[b] as usize);
            loss += ops::softmax_xent(
                l,
                labels[b] as usize,
                scale,
                &mut dl[b * CLASSES..(b + 1) * CLASSES],
            );
        }
        // Backward.
        let mut dh = vec![0.0; nb * HIDDEN];
        {
            let (a, b) = g.split_at_mut(FC2B);
            ops::linear_bwd(
                &h,
                p[FC2W],
                &dl,
                &mut *a[FC2W],
                &mut *b[0],
                Some(&mut dh),
                nb,
                HIDDEN,
                CLASSES,
            );
        }
        ops::relu_bwd(&h, &mut dh);
        let mut df0 = vec![0.0; nb * FLAT];
        {
            let (a, b) = g.split_at_mut(FC1B);
            ops::linear_bwd(
                &f0,
                p[FC1W],
                &dh,
                &mut *a[FC1W],
                &mut *b[0],
                Some(&mut df0),
                nb,
                FLAT,
                HIDDEN,
            );
        }
        let mut d2 = vec![0.0; nb * n2];
        for b in 0..nb {
            ops::maxpool_bwd(
                &df0[b * q2..(b + 1) * q2],
                &arg2[b * q2..(b + 1) * q2],
                &mut d2[b * n2..(b + 1) * n2],
            );
            ops::relu_bwd(&r2[b * n2..(b + 1) * n2], &mut d2[b * n2..(b + 1) * n2]);
        }
        {
            let (a, b) = g.split_at_mut(B2);
            bn_bwd(
                &mut d2,
                &xhat2,
                &inv2,
                p[G2],
                nb,
                32,
                C2.p(),
                &mut *a[G2],
                &mut *b[0],
            );
        }
        let mut d1 = vec![0.0; nb * n1];
        let mut dcol2 = vec![0.0; k2];
        let mut dp1 = vec![0.0; q1];
        let mut dummy = [0.0f32; 32];
        for b in 0..nb {
            C2.bwd(
                &col2[b * k2..(b + 1) * k2],
                p[W2],
                &d2[b * n2..(b + 1) * n2],
                &mut *g[W2],
                &mut dummy,
                Some(&mut dcol2),
            );
            dp1.fill(0.0);
            C2.col2im(&dcol2, &mut dp1);
            ops::maxpool_bwd(
                &dp1,
                &arg1[b * q1..(b + 1) * q1],
                &mut d1[b * n1..(b + 1) * n1],
            );
            ops::relu_bwd(&r1[b * n1..(b + 1) * n1], &mut d1[b * n1..(b + 1) * n1]);
        }
        {
            let (a, b) = g.split_at_mut(B1);
            bn_bwd(
                &mut d1,
                &xhat1,
                &inv1,
                p[G1],
                nb,
                16,
                C1.p(),
                &mut *a[G1],
                &mut *b[0],
            );
        }
        for b in 0..nb {
            C1.bwd(
                &col1[b * k1..(b + 1) * k1],
                p[W1],
                &d1[b * n1..(b + 1) * n1],
                &mut *g[W1],
                &mut dummy[..16],
                None,
            );
        }
        // Chunk statistics for the running averages: means and unbiased variances.
        let unbias = |v: &[f32], m: usize| {
            v.iter()
                .map(|x| x * m as f32 / (m as f32 - 1.0))
                .collect::<Vec<_>>()
        };
        let mut st = mean1;
        st.extend(unbias(&var1, nb * C1.p()));
        st.extend(mean2);
        st.extend(unbias(&var2, nb * C2.p()));
        (loss, right, st)
    }

    fn after_step(&self, params: &mut [f32], stats: &[Vec<f32>]) {
        let sz = super::sizes(self);
        let mut avg = vec![0.0f32; 96];
        for s in stats {
            for (a, v) in avg.iter_mut().zip(s) {
                *a += v / stats.len() as f32;
            }
        }
        let mut p = split_mut(params, &sz);
        for (t, lo, n) in [(M1, 0, 16), (V1, 16, 16), (M2, 32, 32), (V2, 64, 32)] {
            for (r, s) in p[t].iter_mut().zip(&avg[lo..lo + n]) {
                *r = (1.0 - MOMENTUM) * *r + MOMENTUM * s;
            }
        }
    }

    fn logits(&self, params: &[f32], x: &[f32], nb: usize) -> Vec<f32> {
        let p = split(params, &super::sizes(self));
        let (s1, t1) = Self::affine(p[G1], p[B1], p[M1], p[V1]);
        let (s2, t2) = Self::affine(p[G2], p[B2], p[M2], p[V2]);
        let (k1, n1, k2, n2) = (
            C1.kk() * C1.p(),
            C1.out_len(),
            C2.kk() * C2.p(),
            C2.out_len(),
        );
        let mut col1 = vec![0.0; k1];
        let mut z1 = vec![0.0; n1];
        let mut p1 = vec![0.0; n1 / 4];
        let mut arg = vec![0u32; n1 / 4];
        let mut col2 = vec![0.0; k2];
        let mut z2 = vec![0.0; n2];
        let mut f0 = vec![0.0; nb * FLAT];
        for b in 0..nb {
            C1.im2col(&x[b * IN..(b + 1) * IN], &mut col1);
            C1.fwd(&col1, p[W1], &[0.0; 16], &mut z1);
            for (i, v) in z1.iter_mut().enumerate() {
                let c = i / C1.p();
                *v = (*v * s1[c] + t1[c]).max(0.0);
            }
            ops::maxpool_fwd(&z1, 16, 28, 28, &mut p1, &mut arg);
            C2.im2col(&p1, &mut col2);
            C2.fwd(&col2, p[W2], &[0.0; 32], &mut z2);
            for (i, v) in z2.iter_mut().enumerate() {
                let c = i / C2.p();
                *v = (*v * s2[c] + t2[c]).max(0.0);
            }
            ops::maxpool_fwd(
                &z2,
                32,
                14,
                14,
                &mut f0[b * FLAT..(b + 1) * FLAT],
                &mut arg[..FLAT],
            );
        }
        let mut h = vec![0.0; nb * HIDDEN];
        ops::linear_fwd(&f0, p[FC1W], p[FC1B], &mut h, nb, FLAT, HIDDEN);
        ops::relu(&mut h);
        let mut logits = vec![0.0; nb * CLASSES];
        ops::linear_fwd(&h, p[FC2W], p[FC2B], &mut logits, nb, HIDDEN, CLASSES);
        logits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Backpropagation (through batch norm with chunk statistics) agrees with central finite differences on a
    /// few probes per tensor (ReLU and max pooling kinks allow an occasional miss).
    #[test]
    fn gradients_match_finite_differences() {
        let net = FashionBn;
        let mut rng = Rng::new(5);
        let mut params = net.init(&mut rng);
        // Non-trivial γ, β so their gradients are exercised.
        let sz = super::super::sizes(&net);
        {
            let mut p = split_mut(&mut params, &sz);
            for t in [G1, B1, G2, B2] {
                for v in p[t].iter_mut() {
                    *v += 0.3 * rng.normal() as f32;
                }
            }
        }
        let nb = 3;
        let x: Vec<f32> = (0..nb * IN).map(|_| rng.normal() as f32).collect();
        let labels = [2u8, 5, 9];
        let mut grad = vec![0.0; params.len()];
        net.train_chunk(&params, &x, &labels, 1.0, &mut grad);
        let loss_at = |p: &[f32]| -> f64 {
            let mut g = vec![0.0; p.len()];
            net.train_chunk(p, &x, &labels, 1.0, &mut g).0 as f64
        };
        let (mut off, mut probes, mut misses) = (0, 0, Vec::new());
        for (t, &s) in sz.iter().enumerate() {
            let name = net.specs()[t].0;
            if name.contains("running") {
                assert!(
                    grad[off..off + s].iter().all(|&g| g == 0.0),
                    "{name} must get no gradient"
                );
                off += s;
                continue;
            }
            for k in 0..5 {
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
                    misses.push(format!("{name}[{j}]: numeric {num:.5} analytic {ana:.5}"));
                }
            }
            off += s;
        }
        eprintln!("{} of {probes} probes missed: {misses:?}", misses.len());
        assert!(
            misses.len() * 10 <= probes,
            "{} of {probes} probes differ: {misses:?}",
            misses.len()
        );
    }
}
