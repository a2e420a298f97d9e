//! A small autoencoder for the UCI 8×8 handwritten digits: 64 pixels → 32 → 12 → 32 → 64, ReLU inside and a
//! sigmoid at the output, trained to reproduce its input (`examples/train.rs`). Not a classifier: its quality is
//! how closely the reconstruction follows the input, and the tuner scores the quantized model by how closely its
//! output follows the f32 model's.
//!
//! Written first in plain f32 Rust; the libnumber annotations are the `#[quantize]` line, the instance types,
//! `include_tuned!`, the `L` parameter of `Linear` and `to_site` in the loader.
use number_rt::quantize;
use number_rt::weights::{Weights, to_site};

pub mod data;

number_rt::instances!(pub Enc1, pub Enc2, pub Dec1, pub Dec2);
number_rt::include_tuned!("src/tuned.rs");

/// The activation after a layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    Relu,
    Sigmoid,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// A fully connected layer: `y = act(W·x + b)`, `W` row-major `[n_out][n_in]`.
#[quantize(weights(w, b))]
pub fn linear<L>(w: &[f32], b: &[f32], x: &[f32], act: Act) -> Vec<f32> {
    let n_in = x.len();
    let mut y = vec![0.0f32; b.len()];
    for o in 0..b.len() {
        let mut acc = b[o];
        for i in 0..n_in {
            acc += w[o * n_in + i] * x[i];
        }
        y[o] = match act {
            Act::Relu => acc.max(0.0),
            Act::Sigmoid => sigmoid(acc),
        };
    }
    y
}

/// A layer's weights, stored in the formats of instance `L`.
pub struct Linear<L: linear::Formats> {
    w: linear::W<L>,
    b: linear::B<L>,
    act: Act,
}

impl<L: linear::Formats> Linear<L> {
    fn load(t: &Weights, name: &str, n_in: usize, n_out: usize, act: Act) -> Result<Self, String> {
        Ok(Linear {
            w: to_site(t.get(&format!("{name}.weight"), &[n_out, n_in])?),
            b: to_site(t.get(&format!("{name}.bias"), &[n_out])?),
            act,
        })
    }

    fn forward(&self, x: &[f32]) -> Vec<f32> {
        linear::<L>(&self.w, &self.b, x, self.act)
    }
}

/// The autoencoder.
pub struct Autoencoder {
    enc1: Linear<Enc1>,
    enc2: Linear<Enc2>,
    dec1: Linear<Dec1>,
    dec2: Linear<Dec2>,
}

/// Layer sizes: 64 → 32 → 12 → 32 → 64.
pub const SIZES: [usize; 5] = [64, 32, 12, 32, 64];

impl Autoencoder {
    /// Loads the trained weights (`enc1.weight`, `enc1.bias`, …).
    pub fn load(path: &str) -> Result<Autoencoder, String> {
        let t = Weights::load(path)?;
        Ok(Autoencoder {
            enc1: Linear::load(&t, "enc1", SIZES[0], SIZES[1], Act::Relu)?,
            enc2: Linear::load(&t, "enc2", SIZES[1], SIZES[2], Act::Relu)?,
            dec1: Linear::load(&t, "dec1", SIZES[2], SIZES[3], Act::Relu)?,
            dec2: Linear::load(&t, "dec2", SIZES[3], SIZES[4], Act::Sigmoid)?,
        })
    }

    /// The reconstruction of one image (64 pixels in 0..=1).
    pub fn forward(&self, x: &[f32]) -> Vec<f32> {
        let h = self.enc1.forward(x);
        let code = self.enc2.forward(&h);
        let h = self.dec1.forward(&code);
        self.dec2.forward(&h)
    }
}

/// The weights baked into their tuned number types (`cargo number bake --example autoencoder` writes
/// `src/baked.rs`): a tuned build that loads nothing at run time, as firmware would run it.
#[cfg(feature = "tuned")]
#[rustfmt::skip] // generated, formatted by its generator
pub mod baked;

#[cfg(feature = "tuned")]
impl Autoencoder {
    /// The reconstruction of one image computed from the baked `static`s (equal to [`Autoencoder::forward`] of
    /// the loaded model bit for bit; `tests/baked.rs`).
    pub fn forward_baked(x: &[f32]) -> Vec<f32> {
        use baked::*;
        let h = linear::<Enc1>(&ENC1_LINEAR_W, &ENC1_LINEAR_B, x, Act::Relu);
        let code = linear::<Enc2>(&ENC2_LINEAR_W, &ENC2_LINEAR_B, &h, Act::Relu);
        let h = linear::<Dec1>(&DEC1_LINEAR_W, &DEC1_LINEAR_B, &code, Act::Relu);
        linear::<Dec2>(&DEC2_LINEAR_W, &DEC2_LINEAR_B, &h, Act::Sigmoid)
    }
}
