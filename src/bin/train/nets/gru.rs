//! `gru`: a GRU reading the image row by row (28 steps of 28 pixels), hidden size 64, then fc 64→10 on the
//! last hidden state. PyTorch `nn.GRU` equations and layout (gate blocks r, z, n):
//!
//! ```text
//! r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
//! n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h ← (1 − z) ⊙ n + z ⊙ h      (h₀ = 0)
//! ```

use super::{CLASSES, Defaults, IN, Net, SIDE, pair};
use crate::ops;
use crate::rng::Rng;

pub struct Gru;

pub const H: usize = 64;
pub const STEPS: usize = SIDE;
pub const I: usize = SIDE;

pub struct Tape {
    /// Hidden states h_0 … h_STEPS, `[STEPS + 1][H]`.
    hs: Vec<f32>,
    /// Per step: r, z, n and W_hn h + b_hn, each `[STEPS][H]`.
    r: Vec<f32>,
    z: Vec<f32>,
    n: Vec<f32>,
    ghn: Vec<f32>,
    logits: Vec<f32>,
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Net for Gru {
    type Tape = Tape;

    fn name(&self) -> &'static str {
        "gru"
    }

    fn specs(&self) -> Vec<(&'static str, Vec<usize>)> {
        vec![
            ("gru.weight_ih", vec![3 * H, I]),
            ("gru.weight_hh", vec![3 * H, H]),
            ("gru.bias_ih", vec![3 * H]),
            ("gru.bias_hh", vec![3 * H]),
            ("fc.weight", vec![CLASSES, H]),
            ("fc.bias", vec![CLASSES]),
        ]
    }

    fn architecture(&self) -> String {
        format!(
            "gru: GRU (PyTorch equations, gates r,z,n) over the 28 image rows (28 inputs per step), hidden {H}, \
             h0 = 0; fc {H}->10 on the last hidden state"
        )
    }

    fn defaults(&self) -> Defaults {
        Defaults {
            epochs: 8,
            lr: 2e-3,
            wd: 0.01,
            shift: 1,
        }
    }

    /// PyTorch's GRU initialisation, U(−1/√H, 1/√H) for all GRU tensors; He-normal fc weight, zero fc bias.
    fn init(&self, rng: &mut Rng) -> Vec<f32> {
        let mut p = Vec::new();
        let k = 1.0 / (H as f64).sqrt();
        for (name, shape) in self.specs() {
            if name.starts_with("gru.") {
                let n: usize = shape.iter().product();
                p.extend((0..n).map(|_| ((2.0 * rng.uniform() - 1.0) * k) as f32));
            } else {
                p.extend(super::he_or_zero(name, &shape, rng));
            }
        }
        p
    }

    fn decay_mask(&self) -> Vec<bool> {
        self.specs()
            .iter()
            .flat_map(|(name, shape)| {
                std::iter::repeat_n(name.contains("weight"), shape.iter().product())
            })
            .collect()
    }

    fn forward(&self, p: &[&[f32]], x: &[f32]) -> Tape {
        debug_assert_eq!(x.len(), IN);
        let (w_ih, w_hh, b_ih, b_hh) = (p[0], p[1], p[2], p[3]);
        // W_ih x_t + b_ih for every step at once, `[STEPS][3H]`.
        let mut gi = vec![0.0; STEPS * 3 * H];
        ops::linear_fwd(x, w_ih, b_ih, &mut gi, STEPS, I, 3 * H);
        let mut hs = vec![0.0; (STEPS + 1) * H];
        let (mut r, mut z, mut n, mut ghn) = (
            vec![0.0; STEPS * H],
            vec![0.0; STEPS * H],
            vec![0.0; STEPS * H],
            vec![0.0; STEPS * H],
        );
        let mut gh = vec![0.0; 3 * H];
        for t in 0..STEPS {
            let (prev, next) = hs.split_at_mut((t + 1) * H);
            let h = &prev[t * H..];
            ops::linear_fwd(h, w_hh, b_hh, &mut gh, 1, H, 3 * H);
            let g = &gi[t * 3 * H..(t + 1) * 3 * H];
            for j in 0..H {
                let rj = sigmoid(g[j] + gh[j]);
                let zj = sigmoid(g[H + j] + gh[H + j]);
                let nj = (g[2 * H + j] + rj * gh[2 * H + j]).tanh();
                next[j] = (1.0 - zj) * nj + zj * h[j];
                r[t * H + j] = rj;
                z[t * H + j] = zj;
                n[t * H + j] = nj;
                ghn[t * H + j] = gh[2 * H + j];
            }
        }
        let logits = super::dense_fwd(p[4], p[5], &hs[STEPS * H..]);
        Tape {
            hs,
            r,
            z,
            n,
            ghn,
            logits,
        }
    }

    fn logits<'t>(&self, t: &'t Tape) -> &'t [f32] {
        &t.logits
    }

    fn backward(&self, p: &[&[f32]], t: &Tape, x: &[f32], dlogits: &[f32], g: &mut [&mut [f32]]) {
        let mut dh = vec![0.0; H];
        let (gw, gb) = pair(g, 4);
        ops::linear_bwd(
            &t.hs[STEPS * H..],
            p[4],
            dlogits,
            gw,
            gb,
            Some(&mut dh),
            1,
            H,
            CLASSES,
        );
        let mut dgi = vec![0.0; STEPS * 3 * H];
        let mut dgh = vec![0.0; 3 * H];
        for s in (0..STEPS).rev() {
            let h = &t.hs[s * H..(s + 1) * H];
            let mut dprev = vec![0.0; H];
            for j in 0..H {
                let k = s * H + j;
                let (r, z, n) = (t.r[k], t.z[k], t.n[k]);
                let dn = dh[j] * (1.0 - z);
                let dz = dh[j] * (h[j] - n);
                dprev[j] = dh[j] * z;
                let dan = dn * (1.0 - n * n);
                let dr = dan * t.ghn[k];
                let dar = dr * r * (1.0 - r);
                let daz = dz * z * (1.0 - z);
                let gi = &mut dgi[s * 3 * H..(s + 1) * 3 * H];
                gi[j] = dar;
                gi[H + j] = daz;
                gi[2 * H + j] = dan;
                dgh[j] = dar;
                dgh[H + j] = daz;
                dgh[2 * H + j] = dan * r;
            }
            let (gw, gb) = g[1..].split_at_mut(2);
            ops::linear_bwd(h, p[1], &dgh, gw[0], gb[0], Some(&mut dprev), 1, H, 3 * H);
            dh = dprev;
        }
        let (gw, gb) = g.split_at_mut(2);
        ops::linear_bwd(x, p[0], &dgi, gw[0], gb[0], None, STEPS, I, 3 * H);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn gru_gradients_match_finite_differences() {
        super::super::tests::grad_check(&super::Gru);
    }
}
