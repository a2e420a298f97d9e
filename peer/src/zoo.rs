//! Zoo models in tract, f32: the same graphs as `examples/<model>/model.rs`, built in code from the same weights
//! files, for `cargo run --release -- bench --model <name>` (what `cargo number bench` runs next to our builds).
//!
//! Each model is a list of [`Op`]s on one NCHW tensor: convolutions (dense layers are convolutions whose kernel
//! covers the whole input map, as in [`crate::model`]; depthwise ones have one group per channel), 2×2 max
//! pooling (floor, as PyTorch and `zoo::layers::maxpool2`), global average pooling, and identity skips (`Save`
//! then `AddSaved`). tract sums in its own order, so its logits are not bit-identical to ours; the bench reports
//! its accuracy and how many of its predictions equal the f32 model's.
use std::collections::BTreeMap;
use std::path::Path;

use tract_core::internal::*;
use tract_core::ops::cnn::{Conv, KernelFormat, MaxPool, PaddingSpec, PoolSpec, SumPool};
use tract_core::ops::math::{add, max};
use tract_core::ops::nn::DataFormat;

/// Tensors by name: shape and row-major f32 data.
pub type Tensors = BTreeMap<String, (Vec<usize>, Vec<f32>)>;

/// One step of a model.
enum Op {
    /// Weights `<name>.weight` (OIHW, `[out, in / group, k, k]`; a dense layer's `[out, c·k·k]` is read as that),
    /// bias `<name>.bias`, zero padding, stride, groups, then ReLU or not.
    Conv { name: &'static str, shape: [usize; 4], pad: usize, stride: usize, group: usize, relu: bool },
    /// 2×2 max pooling, stride 2, over `c` channels.
    Pool { c: usize },
    /// Mean over the `k`×`k` map of `c` channels.
    Gap { c: usize, k: usize },
    /// Keeps the current tensor for an `AddSaved`.
    Save,
    /// Adds the kept tensor, then ReLU or not.
    AddSaved { relu: bool },
}

fn conv(name: &'static str, o: usize, i: usize, k: usize, pad: usize, relu: bool) -> Op {
    Op::Conv { name, shape: [o, i, k, k], pad, stride: 1, group: 1, relu }
}

fn depthwise(name: &'static str, c: usize, k: usize, pad: usize, stride: usize) -> Op {
    Op::Conv { name, shape: [c, 1, k, k], pad, stride, group: c, relu: true }
}

/// The zoo models tract runs here.
pub const MODELS: [&str; 5] = ["lenet", "mlp", "digit_recognizer", "resnet", "mobilenet"];

/// The ops of a zoo model (as its `examples/<model>/model.rs` documents it).
fn ops(model: &str) -> Option<Vec<Op>> {
    use Op::*;
    Some(match model {
        "lenet" => vec![
            conv("conv1", 6, 1, 5, 2, true),
            Pool { c: 6 },
            conv("conv2", 16, 6, 5, 0, true),
            Pool { c: 16 },
            conv("fc1", 120, 16, 5, 0, true),
            conv("fc2", 84, 120, 1, 0, true),
            conv("fc3", 10, 84, 1, 0, false),
        ],
        "mlp" => vec![conv("fc1", 256, 1, 28, 0, true), conv("fc2", 128, 256, 1, 0, true), conv("fc3", 10, 128, 1, 0, false)],
        "digit_recognizer" => vec![
            conv("conv_layers.0", 32, 1, 3, 1, true),
            Pool { c: 32 },
            conv("conv_layers.3", 64, 32, 3, 1, true),
            Pool { c: 64 },
            conv("conv_layers.6", 128, 64, 3, 1, true),
            Pool { c: 128 },
            conv("fc_layers.0", 256, 128, 3, 0, true),
            conv("fc_layers.2", 10, 256, 1, 0, false),
        ],
        "resnet" => vec![
            conv("stem", 16, 1, 3, 1, true),
            Pool { c: 16 },
            Save,
            conv("block1.conv1", 16, 16, 3, 1, true),
            conv("block1.conv2", 16, 16, 3, 1, false),
            AddSaved { relu: true },
            Pool { c: 16 },
            Save,
            conv("block2.conv1", 16, 16, 3, 1, true),
            conv("block2.conv2", 16, 16, 3, 1, false),
            AddSaved { relu: true },
            conv("fc", 10, 16, 7, 0, false),
        ],
        "mobilenet" => vec![
            conv("stem", 16, 1, 3, 1, true),
            depthwise("block1.dw", 16, 5, 2, 2),
            conv("block1.pw", 32, 16, 1, 0, true),
            depthwise("block2.dw", 32, 5, 2, 2),
            conv("block2.pw", 64, 32, 1, 0, true),
            depthwise("block3.dw", 64, 5, 2, 1),
            conv("block3.pw", 128, 64, 1, 0, true),
            Gap { c: 128, k: 7 },
            conv("fc", 10, 128, 1, 0, false),
        ],
        _ => return None,
    })
}

/// The model's weights: `examples/<model>/weights.safetensors`, or for digit_recognizer the PyTorch state dict
/// in the wheel `cargo number fetch digit-recognizer` downloads.
pub fn load_weights(root: &Path, model: &str) -> TractResult<Tensors> {
    if model == "digit_recognizer" {
        let wheel = root.join("target/testdata/digit-recognizer/digit_recognizer_py-0.1.0-py3-none-any.whl");
        let bytes = std::fs::read(&wheel)
            .map_err(|e| format_err!("{}: {e} (run `cargo number fetch digit-recognizer` in the repository root)", wheel.display()))?;
        let pth = crate::pth::zip_member(&bytes, "digit_recognizer/models/handwriting_model.pth").map_err(|e| format_err!("{e}"))?;
        return crate::pth::state_dict(&pth).map_err(|e| format_err!("{}: {e}", wheel.display()));
    }
    let path = root.join("examples").join(model).join("weights.safetensors");
    let bytes = std::fs::read(&path).map_err(|e| format_err!("{}: {e}", path.display()))?;
    let st = safetensors::SafeTensors::deserialize(&bytes).map_err(|e| format_err!("{}: {e}", path.display()))?;
    let mut t = Tensors::new();
    for (name, v) in st.tensors() {
        ensure!(v.dtype() == safetensors::Dtype::F32, "{name}: {:?}, expected F32", v.dtype());
        let data = v.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        t.insert(name, (v.shape().to_vec(), data));
    }
    Ok(t)
}

fn pool_spec(k: usize, pad: usize, stride: usize, in_c: usize, out_c: usize) -> PoolSpec {
    PoolSpec {
        data_format: DataFormat::NCHW,
        kernel_shape: tvec![k, k],
        padding: if pad == 0 { PaddingSpec::Valid } else { PaddingSpec::Explicit(tvec![pad, pad], tvec![pad, pad]) },
        dilations: None,
        strides: if stride == 1 { None } else { Some(tvec![stride, stride]) },
        input_channels: in_c,
        output_channels: out_c,
    }
}

/// The f32 graph of `model` for `batch` images (`batch × 1 × 28 × 28`), returning `batch × 10` logits.
pub fn graph(model: &str, w: &Tensors, batch: usize) -> TractResult<TypedModel> {
    let ops = ops(model).ok_or_else(|| format_err!("tract: no graph for `{model}` (models: {})", MODELS.join(", ")))?;
    let mut m = TypedModel::default();
    let mut x = m.add_source("x", f32::fact([batch, 1, 28, 28]))?;
    let mut saved = None;
    let zero = |m: &mut TypedModel, name: String| m.add_const(name, tensor4(&[[[[0f32]]]]));
    for (i, op) in ops.iter().enumerate() {
        match *op {
            Op::Conv { name, shape, pad, stride, group, relu } => {
                let get = |suffix: &str, len: usize| -> TractResult<Vec<f32>> {
                    let n = format!("{name}.{suffix}");
                    let (_, d) = w.get(&n).ok_or_else(|| format_err!("{model}: no tensor `{n}`"))?;
                    ensure!(d.len() == len, "{model}: `{n}` has {} values, expected {len}", d.len());
                    Ok(d.clone())
                };
                let [o, ci, k, _] = shape;
                let k_t = m.add_const(format!("{name}.w"), Tensor::from_shape(&shape, &get("weight", o * ci * k * k)?)?)?;
                let b_t = m.add_const(format!("{name}.b"), tensor1(&get("bias", o)?))?;
                let c = Conv { pool_spec: pool_spec(k, pad, stride, ci * group, o), kernel_fmt: KernelFormat::OIHW, group, q_params: None };
                x = m.wire_node(name, c, &[x, k_t, b_t])?[0];
                if relu {
                    let z = zero(&mut m, format!("{name}.zero"))?;
                    x = m.wire_node(format!("{name}.relu"), max(), &[x, z])?[0];
                }
            }
            Op::Pool { c } => {
                x = m.wire_node(format!("pool{i}"), MaxPool { pool_spec: pool_spec(2, 0, 2, c, c), with_index_outputs: None }, &[x])?[0];
            }
            Op::Gap { c, k } => {
                let p = SumPool { pool_spec: pool_spec(k, 0, 1, c, c), count_include_pad: false, normalize: true };
                x = m.wire_node(format!("gap{i}"), p, &[x])?[0];
            }
            Op::Save => saved = Some(x),
            Op::AddSaved { relu } => {
                let s = saved.take().ok_or_else(|| format_err!("{model}: AddSaved without Save"))?;
                x = m.wire_node(format!("add{i}"), add(), &[x, s])?[0];
                if relu {
                    let z = zero(&mut m, format!("add{i}.zero"))?;
                    x = m.wire_node(format!("add{i}.relu"), max(), &[x, z])?[0];
                }
            }
        }
    }
    let y = m.wire_node("logits", AxisOp::Reshape(1, tvec![10.to_dim(), 1.to_dim(), 1.to_dim()], tvec![10.to_dim()]), &[x])?[0];
    m.select_output_outlets(&[y])?;
    Ok(m)
}

/// An optimized plan of a zoo model at batch 1.
pub struct Plan(Arc<TypedRunnableModel>);

impl Plan {
    pub fn new(model: &str, w: &Tensors) -> TractResult<Plan> {
        Ok(Plan(graph(model, w, 1)?.into_optimized()?.into_runnable()?))
    }

    /// The 10 logits of one normalised image.
    pub fn logits(&self, x: &[f32]) -> TractResult<Vec<f32>> {
        let r = self.0.run(tvec![Tensor::from_shape(&[1, 1, 28, 28], x)?.into_tvalue()])?;
        Ok(r[0].to_plain_array_view::<f32>()?.iter().copied().collect())
    }
}
