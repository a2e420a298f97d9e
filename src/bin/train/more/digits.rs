//! `digits`: an MLP on the UCI 8×8 digits (64 inputs `x / 16`): fc1 64→32 ReLU → fc2 32→10.

use super::{CLASSES, ChunkNet, Defaults, he_or_zero};
use crate::model::{split, split_mut};
use crate::ops;
use crate::rng::Rng;
use zoo::data::{Dataset, Split};

pub struct Digits;

pub const IN: usize = 64;
pub const HIDDEN: usize = 32;

impl ChunkNet for Digits {
    fn name(&self) -> &'static str {
        "digits"
    }

    fn specs(&self) -> Vec<(&'static str, Vec<usize>)> {
        vec![
            ("fc1.weight", vec![HIDDEN, IN]),
            ("fc1.bias", vec![HIDDEN]),
            ("fc2.weight", vec![CLASSES, HIDDEN]),
            ("fc2.bias", vec![CLASSES]),
        ]
    }

    fn architecture(&self) -> String {
        format!("digits mlp: fc1 {IN}->{HIDDEN} relu, fc2 {HIDDEN}->10")
    }

    fn defaults(&self) -> Defaults {
        Defaults {
            epochs: 100,
            lr: 1e-2,
            wd: 0.1,
            batch: 32,
        }
    }

    fn dim(&self) -> usize {
        IN
    }

    fn data_description(&self) -> String {
        format!(
            "UCI 8x8 digits (1797, as in scikit-learn) embedded in the smartcore 0.7 crate; fixed seeded shuffle \
             (zoo::data::digits, seed {:#x}): train 1197 / validation 300 / test 300",
            zoo::data::DIGITS_SPLIT_SEED
        )
    }

    fn load(&self, split: Split) -> Result<Dataset, String> {
        zoo::data::digits(split).map_err(|e| e.to_string())
    }

    fn input_description(&self) -> String {
        "8x8 image flattened row-major to 64 values, pixel/16 in [0,1]; output: 10 logits".into()
    }

    fn augmentation(&self) -> String {
        "none".into()
    }

    fn init(&self, rng: &mut Rng) -> Vec<f32> {
        self.specs()
            .iter()
            .flat_map(|(n, s)| he_or_zero(n, s, rng))
            .collect()
    }

    fn decay_mask(&self) -> Vec<bool> {
        self.specs()
            .iter()
            .flat_map(|(n, s)| std::iter::repeat_n(n.ends_with(".weight"), s.iter().product()))
            .collect()
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
        let mut h = vec![0.0; nb * HIDDEN];
        ops::linear_fwd(x, p[0], p[1], &mut h, nb, IN, HIDDEN);
        ops::relu(&mut h);
        let mut logits = vec![0.0; nb * CLASSES];
        ops::linear_fwd(&h, p[2], p[3], &mut logits, nb, HIDDEN, CLASSES);
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
        let mut dh = vec![0.0; nb * HIDDEN];
        {
            let (a, b) = g.split_at_mut(3);
            ops::linear_bwd(
                &h,
                p[2],
                &dl,
                &mut *a[2],
                &mut *b[0],
                Some(&mut dh),
                nb,
                HIDDEN,
                CLASSES,
            );
        }
        ops::relu_bwd(&h, &mut dh);
        let (a, b) = g.split_at_mut(1);
        ops::linear_bwd(x, p[0], &dh, &mut *a[0], &mut *b[0], None, nb, IN, HIDDEN);
        (loss, right, Vec::new())
    }

    fn logits(&self, params: &[f32], x: &[f32], nb: usize) -> Vec<f32> {
        let p = split(params, &super::sizes(self));
        let mut h = vec![0.0; nb * HIDDEN];
        ops::linear_fwd(x, p[0], p[1], &mut h, nb, IN, HIDDEN);
        ops::relu(&mut h);
        let mut logits = vec![0.0; nb * CLASSES];
        ops::linear_fwd(&h, p[2], p[3], &mut logits, nb, HIDDEN, CLASSES);
        logits
    }
}
