//! LeNet-5 for MNIST, written with the zoo's `#[quantize]` layers.
//!
//! conv1 5×5 1→6 pad 2 → ReLU → maxpool → conv2 5×5 6→16 → ReLU → maxpool → fc1 400→120 ReLU → fc2 120→84 ReLU
//! → fc3 84→10. Shared with the tests through `#[path]`.
use std::path::Path;
use zoo::data::{Dataset, Split};
use zoo::driver::{Classifier, WeightInfo};
use zoo::layers::{Conv, conv2d, dense, maxpool2, to_site};

number_rt::instances!(pub Conv1, pub Conv2, pub Fc1, pub Fc2, pub Fc3);
number_rt::include_tuned!("examples/lenet/tuned.rs");

const C1: Conv = Conv {
    in_c: 1,
    in_h: 28,
    in_w: 28,
    out_c: 6,
    k: 5,
    pad: 2,
};
const C2: Conv = Conv {
    in_c: 6,
    in_h: 14,
    in_w: 14,
    out_c: 16,
    k: 5,
    pad: 0,
};

/// LeNet-5 with each weight tensor stored in its site's format.
pub struct LeNet {
    conv1_w: conv2d::W<Conv1>,
    conv1_b: conv2d::B<Conv1>,
    conv2_w: conv2d::W<Conv2>,
    conv2_b: conv2d::B<Conv2>,
    fc1_w: dense::W<Fc1>,
    fc1_b: dense::B<Fc1>,
    fc2_w: dense::W<Fc2>,
    fc2_b: dense::B<Fc2>,
    fc3_w: dense::W<Fc3>,
    fc3_b: dense::B<Fc3>,
}

use zoo::driver::weight_info as info;

impl Classifier for LeNet {
    const NAME: &'static str = "lenet";

    fn load(path: &Path) -> Result<Self, String> {
        let t = zoo::weights::Weights::load(path)?;
        Ok(LeNet {
            conv1_w: to_site(t.get("conv1.weight", &[6, 1, 5, 5])?),
            conv1_b: to_site(t.get("conv1.bias", &[6])?),
            conv2_w: to_site(t.get("conv2.weight", &[16, 6, 5, 5])?),
            conv2_b: to_site(t.get("conv2.bias", &[16])?),
            fc1_w: to_site(t.get("fc1.weight", &[120, 400])?),
            fc1_b: to_site(t.get("fc1.bias", &[120])?),
            fc2_w: to_site(t.get("fc2.weight", &[84, 120])?),
            fc2_b: to_site(t.get("fc2.bias", &[84])?),
            fc3_w: to_site(t.get("fc3.weight", &[10, 84])?),
            fc3_b: to_site(t.get("fc3.bias", &[10])?),
        })
    }

    fn dataset(split: Split) -> Result<Dataset, String> {
        zoo::data::mnist_unseen(split).map_err(|e| e.to_string())
    }

    fn logits(&self, x: &[f32]) -> Vec<f32> {
        let mut a1 = vec![0.0; C1.out_len()];
        conv2d::<Conv1>(&self.conv1_w, &self.conv1_b, x, &mut a1, C1, true);
        let mut p1 = vec![0.0; 6 * 14 * 14];
        maxpool2(&a1, &mut p1, 6, 28, 28);
        let mut a2 = vec![0.0; C2.out_len()];
        conv2d::<Conv2>(&self.conv2_w, &self.conv2_b, &p1, &mut a2, C2, true);
        let mut p2 = vec![0.0; 16 * 5 * 5];
        maxpool2(&a2, &mut p2, 16, 10, 10);
        let mut h1 = vec![0.0; 120];
        dense::<Fc1>(&self.fc1_w, &self.fc1_b, &p2, &mut h1, true);
        let mut h2 = vec![0.0; 84];
        dense::<Fc2>(&self.fc2_w, &self.fc2_b, &h1, &mut h2, true);
        let mut out = vec![0.0; 10];
        dense::<Fc3>(&self.fc3_w, &self.fc3_b, &h2, &mut out, false);
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
            info("Fc3/dense.w", &self.fc3_w),
            info("Fc3/dense.b", &self.fc3_b),
        ]
    }
}
