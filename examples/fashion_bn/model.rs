//! A CNN with batch normalisation for Fashion-MNIST, written with the zoo's `#[quantize]` layers.
//!
//! conv1 3×3 1→16 pad 1 + BN → ReLU → maxpool → conv2 3×3 16→32 pad 1 + BN → ReLU → maxpool → flatten C·H·W
//! (1568) → fc1 1568→64 ReLU → fc2 64→10.
//!
//! The weights file holds what training produced (bias-free convolutions and the batch-norm parameters and
//! running statistics, PyTorch names). [`fold_bn`] folds each batch norm into its convolution in `load`, so
//! inference (and tuning) sees a plain conv with bias:
//!
//! ```text
//! BN(conv(x)) = γ (w∗x − μ) / √(σ² + ε) + β  =  (s·w)∗x + (β − s·μ),   s = γ / √(σ² + ε),  ε = 1e-5
//! ```
//!
//! i.e. `w'[o][..] = s[o] · w[o][..]`, `b'[o] = β[o] − s[o] · μ[o]` (computed in f64, rounded once to f32).
use std::path::Path;
use zoo::data::{Dataset, Split};
use zoo::driver::{Classifier, WeightInfo};
use zoo::layers::{Conv, conv2d, dense, maxpool2, to_site};

number_rt::instances!(pub Conv1, pub Conv2, pub Fc1, pub Fc2);
number_rt::include_tuned!("examples/fashion_bn/tuned.rs");

const C1: Conv = Conv {
    in_c: 1,
    in_h: 28,
    in_w: 28,
    out_c: 16,
    k: 3,
    pad: 1,
};
const C2: Conv = Conv {
    in_c: 16,
    in_h: 14,
    in_w: 14,
    out_c: 32,
    k: 3,
    pad: 1,
};
/// Batch-norm ε (PyTorch's default, as in training).
pub const BN_EPS: f64 = 1e-5;

/// The CNN (batch norm folded) with each weight tensor stored in its site's format.
pub struct FashionBn {
    conv1_w: conv2d::W<Conv1>,
    conv1_b: conv2d::B<Conv1>,
    conv2_w: conv2d::W<Conv2>,
    conv2_b: conv2d::B<Conv2>,
    fc1_w: dense::W<Fc1>,
    fc1_b: dense::B<Fc1>,
    fc2_w: dense::W<Fc2>,
    fc2_b: dense::B<Fc2>,
}

use zoo::driver::weight_info as info;

/// Folds batch norm `(γ, β, μ, σ²)` into a bias-free convolution `w` (`[out][…]`): returns `(w', b')`.
pub fn fold_bn(
    w: &[f32],
    gamma: &[f32],
    beta: &[f32],
    mean: &[f32],
    var: &[f32],
) -> (Vec<f32>, Vec<f32>) {
    let per = w.len() / gamma.len();
    let s: Vec<f64> = gamma
        .iter()
        .zip(var)
        .map(|(&g, &v)| g as f64 / (v as f64 + BN_EPS).sqrt())
        .collect();
    let w2 = w
        .iter()
        .enumerate()
        .map(|(i, &x)| (x as f64 * s[i / per]) as f32)
        .collect();
    let b2 = (0..gamma.len())
        .map(|o| (beta[o] as f64 - s[o] * mean[o] as f64) as f32)
        .collect();
    (w2, b2)
}

impl Classifier for FashionBn {
    const NAME: &'static str = "fashion_bn";

    fn load(path: &Path) -> Result<Self, String> {
        let t = zoo::weights::Weights::load(path)?;
        let bn = |i: u32, c: usize| -> Result<[&[f32]; 4], String> {
            Ok([
                t.get(&format!("bn{i}.weight"), &[c])?,
                t.get(&format!("bn{i}.bias"), &[c])?,
                t.get(&format!("bn{i}.running_mean"), &[c])?,
                t.get(&format!("bn{i}.running_var"), &[c])?,
            ])
        };
        let [g, b, m, v] = bn(1, 16)?;
        let (w1, b1) = fold_bn(t.get("conv1.weight", &[16, 1, 3, 3])?, g, b, m, v);
        let [g, b, m, v] = bn(2, 32)?;
        let (w2, b2) = fold_bn(t.get("conv2.weight", &[32, 16, 3, 3])?, g, b, m, v);
        Ok(FashionBn {
            conv1_w: to_site(&w1),
            conv1_b: to_site(&b1),
            conv2_w: to_site(&w2),
            conv2_b: to_site(&b2),
            fc1_w: to_site(t.get("fc1.weight", &[64, 1568])?),
            fc1_b: to_site(t.get("fc1.bias", &[64])?),
            fc2_w: to_site(t.get("fc2.weight", &[10, 64])?),
            fc2_b: to_site(t.get("fc2.bias", &[10])?),
        })
    }

    fn dataset(split: Split) -> Result<Dataset, String> {
        zoo::data::fashion_mnist(split).map_err(|e| e.to_string())
    }

    fn logits(&self, x: &[f32]) -> Vec<f32> {
        let mut a1 = vec![0.0; C1.out_len()];
        conv2d::<Conv1>(&self.conv1_w, &self.conv1_b, x, &mut a1, C1, true);
        let mut p1 = vec![0.0; 16 * 14 * 14];
        maxpool2(&a1, &mut p1, 16, 28, 28);
        let mut a2 = vec![0.0; C2.out_len()];
        conv2d::<Conv2>(&self.conv2_w, &self.conv2_b, &p1, &mut a2, C2, true);
        let mut p2 = vec![0.0; 32 * 7 * 7];
        maxpool2(&a2, &mut p2, 32, 14, 14);
        let mut h = vec![0.0; 64];
        dense::<Fc1>(&self.fc1_w, &self.fc1_b, &p2, &mut h, true);
        let mut out = vec![0.0; 10];
        dense::<Fc2>(&self.fc2_w, &self.fc2_b, &h, &mut out, false);
        out
    }

    fn weights(&self) -> Vec<WeightInfo> {
        vec![
            info("Conv1/conv2d.w", &self.conv1_w),
            info("Conv1/conv2d.b", &self.conv1_b),
            info("Conv2/conv2d.w", &self.conv2_w),
            info("Conv2/conv2d.b", &self.conv2_b),
            info("Fc1/dense.w", &self.fc1_w),
            info("Fc1/dense.b", &self.fc1_b),
            info("Fc2/dense.w", &self.fc2_w),
            info("Fc2/dense.b", &self.fc2_b),
        ]
    }
}
