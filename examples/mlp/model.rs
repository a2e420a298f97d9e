//! A multi-layer perceptron for MNIST, written with the zoo's `#[quantize]` dense layer.
//!
//! flatten 28×28 → fc1 784→256 ReLU → fc2 256→128 ReLU → fc3 128→10. Weights: `weights.safetensors`
//! (see WEIGHTS.md).
use std::path::Path;
use zoo::data::{Dataset, Split};
use zoo::driver::{Classifier, WeightInfo};
use zoo::layers::{dense, to_site};

number_rt::instances!(pub Fc1, pub Fc2, pub Fc3);
number_rt::include_tuned!("examples/mlp/tuned.rs");

/// The MLP with each weight tensor stored in its site's format.
pub struct Mlp {
    fc1_w: dense::W<Fc1>,
    fc1_b: dense::B<Fc1>,
    fc2_w: dense::W<Fc2>,
    fc2_b: dense::B<Fc2>,
    fc3_w: dense::W<Fc3>,
    fc3_b: dense::B<Fc3>,
}

use zoo::driver::weight_info as info;

impl Classifier for Mlp {
    const NAME: &'static str = "mlp";

    fn load(path: &Path) -> Result<Self, String> {
        let t = zoo::weights::Weights::load(path)?;
        Ok(Mlp {
            fc1_w: to_site(t.get("fc1.weight", &[256, 784])?),
            fc1_b: to_site(t.get("fc1.bias", &[256])?),
            fc2_w: to_site(t.get("fc2.weight", &[128, 256])?),
            fc2_b: to_site(t.get("fc2.bias", &[128])?),
            fc3_w: to_site(t.get("fc3.weight", &[10, 128])?),
            fc3_b: to_site(t.get("fc3.bias", &[10])?),
        })
    }

    fn dataset(split: Split) -> Result<Dataset, String> {
        zoo::data::mnist_unseen(split).map_err(|e| e.to_string())
    }

    fn logits(&self, x: &[f32]) -> Vec<f32> {
        let mut h1 = vec![0.0; 256];
        dense::<Fc1>(&self.fc1_w, &self.fc1_b, x, &mut h1, true);
        let mut h2 = vec![0.0; 128];
        dense::<Fc2>(&self.fc2_w, &self.fc2_b, &h1, &mut h2, true);
        let mut out = vec![0.0; 10];
        dense::<Fc3>(&self.fc3_w, &self.fc3_b, &h2, &mut out, false);
        out
    }

    fn weights(&self) -> Vec<WeightInfo> {
        vec![
            info("Fc1/dense.w", &self.fc1_w),
            info("Fc1/dense.b", &self.fc1_b),
            info("Fc2/dense.w", &self.fc2_w),
            info("Fc2/dense.b", &self.fc2_b),
            info("Fc3/dense.w", &self.fc3_w),
            info("Fc3/dense.b", &self.fc3_b),
        ]
    }
}
