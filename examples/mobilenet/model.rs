//! A depthwise-separable (MobileNet-style) CNN for MNIST, written with the zoo's `#[quantize]` layers.
//!
//! stem conv 3×3 1→16 pad 1 → ReLU (28×28) → three blocks of [depthwise 5×5 pad 2 → ReLU, pointwise 1×1 →
//! ReLU]: dw 16 stride 2 (→14×14), pw 16→32; dw 32 stride 2 (→7×7), pw 32→64; dw 64 stride 1, pw 64→128 →
//! global average pool (128) → fc 128→10. Pointwise convolutions are `conv2d` with `k = 1`.
use std::path::Path;
use zoo::data::{Dataset, Split};
use zoo::driver::{Classifier, WeightInfo};
use zoo::layers::{Conv, Depthwise, conv2d, dense, depthwise_conv2d, global_avg_pool, to_site};

number_rt::instances!(pub Stem, pub Dw1, pub Pw1, pub Dw2, pub Pw2, pub Dw3, pub Pw3, pub Gap, pub Fc);
number_rt::include_tuned!("examples/mobilenet/tuned.rs");

const STEM: Conv = Conv {
    in_c: 1,
    in_h: 28,
    in_w: 28,
    out_c: 16,
    k: 3,
    pad: 1,
};
const DW1: Depthwise = Depthwise {
    c: 16,
    in_h: 28,
    in_w: 28,
    k: 5,
    pad: 2,
    stride: 2,
};
const PW1: Conv = Conv {
    in_c: 16,
    in_h: 14,
    in_w: 14,
    out_c: 32,
    k: 1,
    pad: 0,
};
const DW2: Depthwise = Depthwise {
    c: 32,
    in_h: 14,
    in_w: 14,
    k: 5,
    pad: 2,
    stride: 2,
};
const PW2: Conv = Conv {
    in_c: 32,
    in_h: 7,
    in_w: 7,
    out_c: 64,
    k: 1,
    pad: 0,
};
const DW3: Depthwise = Depthwise {
    c: 64,
    in_h: 7,
    in_w: 7,
    k: 5,
    pad: 2,
    stride: 1,
};
const PW3: Conv = Conv {
    in_c: 64,
    in_h: 7,
    in_w: 7,
    out_c: 128,
    k: 1,
    pad: 0,
};

/// The MobileNet-style CNN with each weight tensor stored in its site's format.
pub struct MobileNet {
    stem_w: conv2d::W<Stem>,
    stem_b: conv2d::B<Stem>,
    dw1_w: depthwise_conv2d::W<Dw1>,
    dw1_b: depthwise_conv2d::B<Dw1>,
    pw1_w: conv2d::W<Pw1>,
    pw1_b: conv2d::B<Pw1>,
    dw2_w: depthwise_conv2d::W<Dw2>,
    dw2_b: depthwise_conv2d::B<Dw2>,
    pw2_w: conv2d::W<Pw2>,
    pw2_b: conv2d::B<Pw2>,
    dw3_w: depthwise_conv2d::W<Dw3>,
    dw3_b: depthwise_conv2d::B<Dw3>,
    pw3_w: conv2d::W<Pw3>,
    pw3_b: conv2d::B<Pw3>,
    fc_w: dense::W<Fc>,
    fc_b: dense::B<Fc>,
}

use zoo::driver::weight_info as info;

impl Classifier for MobileNet {
    const NAME: &'static str = "mobilenet";

    fn load(path: &Path) -> Result<Self, String> {
        let t = zoo::weights::Weights::load(path)?;
        Ok(MobileNet {
            stem_w: to_site(t.get("stem.weight", &[16, 1, 3, 3])?),
            stem_b: to_site(t.get("stem.bias", &[16])?),
            dw1_w: to_site(t.get("block1.dw.weight", &[16, 1, 5, 5])?),
            dw1_b: to_site(t.get("block1.dw.bias", &[16])?),
            pw1_w: to_site(t.get("block1.pw.weight", &[32, 16, 1, 1])?),
            pw1_b: to_site(t.get("block1.pw.bias", &[32])?),
            dw2_w: to_site(t.get("block2.dw.weight", &[32, 1, 5, 5])?),
            dw2_b: to_site(t.get("block2.dw.bias", &[32])?),
            pw2_w: to_site(t.get("block2.pw.weight", &[64, 32, 1, 1])?),
            pw2_b: to_site(t.get("block2.pw.bias", &[64])?),
            dw3_w: to_site(t.get("block3.dw.weight", &[64, 1, 5, 5])?),
            dw3_b: to_site(t.get("block3.dw.bias", &[64])?),
            pw3_w: to_site(t.get("block3.pw.weight", &[128, 64, 1, 1])?),
            pw3_b: to_site(t.get("block3.pw.bias", &[128])?),
            fc_w: to_site(t.get("fc.weight", &[10, 128])?),
            fc_b: to_site(t.get("fc.bias", &[10])?),
        })
    }

    fn dataset(split: Split) -> Result<Dataset, String> {
        zoo::data::mnist_unseen(split).map_err(|e| e.to_string())
    }

    fn logits(&self, x: &[f32]) -> Vec<f32> {
        let mut a0 = vec![0.0; STEM.out_len()];
        conv2d::<Stem>(&self.stem_w, &self.stem_b, x, &mut a0, STEM, true);

        let mut d1 = vec![0.0; DW1.out_len()];
        depthwise_conv2d::<Dw1>(&self.dw1_w, &self.dw1_b, &a0, &mut d1, DW1, true);
        let mut q1 = vec![0.0; PW1.out_len()];
        conv2d::<Pw1>(&self.pw1_w, &self.pw1_b, &d1, &mut q1, PW1, true);

        let mut d2 = vec![0.0; DW2.out_len()];
        depthwise_conv2d::<Dw2>(&self.dw2_w, &self.dw2_b, &q1, &mut d2, DW2, true);
        let mut q2 = vec![0.0; PW2.out_len()];
        conv2d::<Pw2>(&self.pw2_w, &self.pw2_b, &d2, &mut q2, PW2, true);

        let mut d3 = vec![0.0; DW3.out_len()];
        depthwise_conv2d::<Dw3>(&self.dw3_w, &self.dw3_b, &q2, &mut d3, DW3, true);
        let mut q3 = vec![0.0; PW3.out_len()];
        conv2d::<Pw3>(&self.pw3_w, &self.pw3_b, &d3, &mut q3, PW3, true);

        let mut feat = vec![0.0; 128];
        global_avg_pool::<Gap>(&q3, &mut feat, 7 * 7);
        let mut out = vec![0.0; 10];
        dense::<Fc>(&self.fc_w, &self.fc_b, &feat, &mut out, false);
        out
    }

    fn weights(&self) -> Vec<WeightInfo> {
        vec![
            info("Stem/conv2d.w", &self.stem_w),
            info("Stem/conv2d.b", &self.stem_b),
            info("Dw1/depthwise_conv2d.w", &self.dw1_w),
            info("Dw1/depthwise_conv2d.b", &self.dw1_b),
            info("Pw1/conv2d.w", &self.pw1_w),
            info("Pw1/conv2d.b", &self.pw1_b),
            info("Dw2/depthwise_conv2d.w", &self.dw2_w),
            info("Dw2/depthwise_conv2d.b", &self.dw2_b),
            info("Pw2/conv2d.w", &self.pw2_w),
            info("Pw2/conv2d.b", &self.pw2_b),
            info("Dw3/depthwise_conv2d.w", &self.dw3_w),
            info("Dw3/depthwise_conv2d.b", &self.dw3_b),
            info("Pw3/conv2d.w", &self.pw3_w),
            info("Pw3/conv2d.b", &self.pw3_b),
            info("Fc/dense.w", &self.fc_w),
            info("Fc/dense.b", &self.fc_b),
        ]
    }
}
