//! A small MLP for the UCI 8×8 digits, written with the zoo's `#[quantize]` dense layer.
//!
//! 64 pixels (`x / 16`) → fc1 64→32 ReLU → fc2 32→10. 2,410 parameters. Weights: `weights.safetensors`
//! (trained by `cargo run --release --bin train -- digits`; see WEIGHTS.md).
use std::path::Path;
use zoo::data::{Dataset, Split};
use zoo::driver::{Classifier, WeightInfo};
use zoo::layers::{dense, to_site};

number_rt::instances!(pub Fc1, pub Fc2);
number_rt::include_tuned!("examples/digits/tuned.rs");

/// The MLP with each weight tensor stored in its site's format.
pub struct Digits {
    fc1_w: dense::W<Fc1>,
    fc1_b: dense::B<Fc1>,
    fc2_w: dense::W<Fc2>,
    fc2_b: dense::B<Fc2>,
}

use zoo::driver::weight_info as info;

impl Classifier for Digits {
    const NAME: &'static str = "digits";

    fn load(path: &Path) -> Result<Self, String> {
        let t = zoo::weights::Weights::load(path)?;
        Ok(Digits {
            fc1_w: to_site(t.get("fc1.weight", &[32, 64])?),
            fc1_b: to_site(t.get("fc1.bias", &[32])?),
            fc2_w: to_site(t.get("fc2.weight", &[10, 32])?),
            fc2_b: to_site(t.get("fc2.bias", &[10])?),
        })
    }

    fn dataset(split: Split) -> Result<Dataset, String> {
        zoo::data::digits(split).map_err(|e| e.to_string())
    }

    fn logits(&self, x: &[f32]) -> Vec<f32> {
        let mut h = vec![0.0; 32];
        dense::<Fc1>(&self.fc1_w, &self.fc1_b, x, &mut h, true);
        let mut out = vec![0.0; 10];
        dense::<Fc2>(&self.fc2_w, &self.fc2_b, &h, &mut out, false);
        out
    }

    fn weights(&self) -> Vec<WeightInfo> {
        vec![
            info("Fc1/dense.w", &self.fc1_w),
            info("Fc1/dense.b", &self.fc1_b),
            info("Fc2/dense.w", &self.fc2_w),
            info("Fc2/dense.b", &self.fc2_b),
        ]
    }
}
