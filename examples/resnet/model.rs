//! A small residual CNN for MNIST, written with the zoo's `#[quantize]` layers.
//!
//! stem conv 3×3 1→16 pad 1 → ReLU → maxpool → block1 (16×14×14) → maxpool → block2 (16×7×7) → flatten (784)
//! → fc 784→10, where `block(x) = relu(x + conv2(relu(conv1(x))))` with 3×3 16→16 pad 1 convolutions and an
//! identity skip; the skip add is `residual_add`, so each block's output is a site of its own.
use std::path::Path;
use zoo::data::{Dataset, Split};
use zoo::driver::{Classifier, WeightInfo};
use zoo::layers::{Conv, conv2d, dense, maxpool2, residual_add, to_site};

number_rt::instances!(pub Stem, pub B1Conv1, pub B1Conv2, pub B1Skip, pub B2Conv1, pub B2Conv2, pub B2Skip, pub Fc);
number_rt::include_tuned!("examples/resnet/tuned.rs");

const C: usize = 16;
const STEM: Conv = Conv {
    in_c: 1,
    in_h: 28,
    in_w: 28,
    out_c: C,
    k: 3,
    pad: 1,
};
const B1: Conv = Conv {
    in_c: C,
    in_h: 14,
    in_w: 14,
    out_c: C,
    k: 3,
    pad: 1,
};
const B2: Conv = Conv {
    in_c: C,
    in_h: 7,
    in_w: 7,
    out_c: C,
    k: 3,
    pad: 1,
};

/// The residual CNN with each weight tensor stored in its site's format.
pub struct ResNet {
    stem_w: conv2d::W<Stem>,
    stem_b: conv2d::B<Stem>,
    b1c1_w: conv2d::W<B1Conv1>,
    b1c1_b: conv2d::B<B1Conv1>,
    b1c2_w: conv2d::W<B1Conv2>,
    b1c2_b: conv2d::B<B1Conv2>,
    b2c1_w: conv2d::W<B2Conv1>,
    b2c1_b: conv2d::B<B2Conv1>,
    b2c2_w: conv2d::W<B2Conv2>,
    b2c2_b: conv2d::B<B2Conv2>,
    fc_w: dense::W<Fc>,
    fc_b: dense::B<Fc>,
}

use zoo::driver::weight_info as info;

impl Classifier for ResNet {
    const NAME: &'static str = "resnet";

    fn load(path: &Path) -> Result<Self, String> {
        let t = zoo::weights::Weights::load(path)?;
        let k = [C, C, 3, 3];
        Ok(ResNet {
            stem_w: to_site(t.get("stem.weight", &[C, 1, 3, 3])?),
            stem_b: to_site(t.get("stem.bias", &[C])?),
            b1c1_w: to_site(t.get("block1.conv1.weight", &k)?),
            b1c1_b: to_site(t.get("block1.conv1.bias", &[C])?),
            b1c2_w: to_site(t.get("block1.conv2.weight", &k)?),
            b1c2_b: to_site(t.get("block1.conv2.bias", &[C])?),
            b2c1_w: to_site(t.get("block2.conv1.weight", &k)?),
            b2c1_b: to_site(t.get("block2.conv1.bias", &[C])?),
            b2c2_w: to_site(t.get("block2.conv2.weight", &k)?),
            b2c2_b: to_site(t.get("block2.conv2.bias", &[C])?),
            fc_w: to_site(t.get("fc.weight", &[10, C * 7 * 7])?),
            fc_b: to_site(t.get("fc.bias", &[10])?),
        })
    }

    fn dataset(split: Split) -> Result<Dataset, String> {
        zoo::data::mnist_unseen(split).map_err(|e| e.to_string())
    }

    fn logits(&self, x: &[f32]) -> Vec<f32> {
        let mut a0 = vec![0.0; STEM.out_len()];
        conv2d::<Stem>(&self.stem_w, &self.stem_b, x, &mut a0, STEM, true);
        let mut p0 = vec![0.0; C * 14 * 14];
        maxpool2(&a0, &mut p0, C, 28, 28);

        // Block 1 at 14×14.
        let mut t = vec![0.0; B1.out_len()];
        conv2d::<B1Conv1>(&self.b1c1_w, &self.b1c1_b, &p0, &mut t, B1, true);
        let mut r = vec![0.0; B1.out_len()];
        conv2d::<B1Conv2>(&self.b1c2_w, &self.b1c2_b, &t, &mut r, B1, false);
        let mut s1 = vec![0.0; B1.out_len()];
        residual_add::<B1Skip>(&p0, &r, &mut s1, true);
        let mut p1 = vec![0.0; C * 7 * 7];
        maxpool2(&s1, &mut p1, C, 14, 14);

        // Block 2 at 7×7.
        let mut t = vec![0.0; B2.out_len()];
        conv2d::<B2Conv1>(&self.b2c1_w, &self.b2c1_b, &p1, &mut t, B2, true);
        let mut r = vec![0.0; B2.out_len()];
        conv2d::<B2Conv2>(&self.b2c2_w, &self.b2c2_b, &t, &mut r, B2, false);
        let mut s2 = vec![0.0; B2.out_len()];
        residual_add::<B2Skip>(&p1, &r, &mut s2, true);

        let mut out = vec![0.0; 10];
        dense::<Fc>(&self.fc_w, &self.fc_b, &s2, &mut out, false);
        out
    }

    fn weights(&self) -> Vec<WeightInfo> {
        vec![
            info("Stem/conv2d.w", &self.stem_w),
            info("Stem/conv2d.b", &self.stem_b),
            info("B1Conv1/conv2d.w", &self.b1c1_w),
            info("B1Conv1/conv2d.b", &self.b1c1_b),
            info("B1Conv2/conv2d.w", &self.b1c2_w),
            info("B1Conv2/conv2d.b", &self.b1c2_b),
            info("B2Conv1/conv2d.w", &self.b2c1_w),
            info("B2Conv1/conv2d.b", &self.b2c1_b),
            info("B2Conv2/conv2d.w", &self.b2c2_w),
            info("B2Conv2/conv2d.b", &self.b2c2_b),
            info("Fc/dense.w", &self.fc_w),
            info("Fc/dense.b", &self.fc_b),
        ]
    }
}
