//! A GRU for MNIST, written with the zoo's `#[quantize]` layers: the image is read row by row (28 steps of 28
//! pixels) by `gru_cell` (hidden size 64, PyTorch `nn.GRU` equations, h₀ = 0), then fc 64→10 on the last
//! hidden state.
use std::path::Path;
use zoo::data::{Dataset, Split};
use zoo::driver::{Classifier, WeightInfo};
use zoo::layers::{dense, gru_cell, to_site};

number_rt::instances!(pub Gru1, pub Fc);
number_rt::include_tuned!("examples/gru/tuned.rs");

const H: usize = 64;
const ROW: usize = 28;

/// The GRU classifier with each weight tensor stored in its site's format.
pub struct Gru {
    w_ih: gru_cell::W_ih<Gru1>,
    w_hh: gru_cell::W_hh<Gru1>,
    b_ih: gru_cell::B_ih<Gru1>,
    b_hh: gru_cell::B_hh<Gru1>,
    fc_w: dense::W<Fc>,
    fc_b: dense::B<Fc>,
}

use zoo::driver::weight_info as info;

impl Classifier for Gru {
    const NAME: &'static str = "gru";
    // The hidden state is the next step's operand of `w_hh · h`: fixed point, those inner products run in integers.
    const INTEGER_STATE: &'static [&'static str] = &["gru_cell.h"];

    fn load(path: &Path) -> Result<Self, String> {
        let t = zoo::weights::Weights::load(path)?;
        Ok(Gru {
            w_ih: to_site(t.get("gru.weight_ih", &[3 * H, ROW])?),
            w_hh: to_site(t.get("gru.weight_hh", &[3 * H, H])?),
            b_ih: to_site(t.get("gru.bias_ih", &[3 * H])?),
            b_hh: to_site(t.get("gru.bias_hh", &[3 * H])?),
            fc_w: to_site(t.get("fc.weight", &[10, H])?),
            fc_b: to_site(t.get("fc.bias", &[10])?),
        })
    }

    fn dataset(split: Split) -> Result<Dataset, String> {
        zoo::data::mnist_unseen(split).map_err(|e| e.to_string())
    }

    fn logits(&self, x: &[f32]) -> Vec<f32> {
        let mut h = vec![0.0; H];
        for row in x.chunks(ROW) {
            gru_cell::<Gru1>(&self.w_ih, &self.w_hh, &self.b_ih, &self.b_hh, row, &mut h);
        }
        let mut out = vec![0.0; 10];
        dense::<Fc>(&self.fc_w, &self.fc_b, &h, &mut out, false);
        out
    }

    fn weights(&self) -> Vec<WeightInfo> {
        vec![
            info("Gru1/gru_cell.w_ih", &self.w_ih),
            info("Gru1/gru_cell.w_hh", &self.w_hh),
            info("Gru1/gru_cell.b_ih", &self.b_ih),
            info("Gru1/gru_cell.b_hh", &self.b_hh),
            info("Fc/dense.w", &self.fc_w),
            info("Fc/dense.b", &self.fc_b),
        ]
    }
}
