//! LeNet-5 as a tract graph built in code (no ONNX file), in f32 and in int8.
//!
//! conv1 5×5 1→6 pad 2, ReLU, maxpool 2 → conv2 5×5 6→16, ReLU, maxpool 2 → fc1 400→120 ReLU → fc2 120→84 ReLU →
//! fc3 84→10, NCHW. The dense layers are convolutions whose output is 1×1 (fc1: a 5×5 kernel over the 16×5×5
//! map, which is the C·H·W flatten order of the weights; fc2, fc3: 1×1 kernels); tract's optimiser lowers them to
//! matrix products.
//!
//! int8: tract's quantized convolution (the op behind ONNX `QLinearConv`): i8 weights with symmetric scales (one
//! per output channel, or one per tensor), i8 activations with one scale and zero point per tensor, i32 accumulation, calibrated on
//! training images (largest value of each activation). A ReLU output is quantized with zero point −128, so the
//! saturating requantization is the ReLU; max pooling runs on the i8 values. fc3 returns its i32 accumulators,
//! rescaled to logits outside the graph.
use std::path::Path;

use tract_core::internal::*;
use tract_core::ops::cnn::{Conv, KernelFormat, MaxPool, PaddingSpec, PoolSpec};
use tract_core::ops::math::max;
use tract_core::ops::nn::DataFormat;

use crate::data::{DIM, Images};

/// One convolution (the dense layers included): weights OIHW, bias, zero padding.
pub struct Layer {
    pub w: Vec<f32>,
    pub b: Vec<f32>,
    /// out, in, k, k
    pub shape: [usize; 4],
    pub pad: usize,
}

/// conv1, conv2, fc1, fc2, fc3.
pub struct Weights(pub [Layer; 5]);

impl Weights {
    /// Reads `examples/lenet/weights.safetensors` (PyTorch names and layouts, f32 little-endian).
    pub fn load(path: &Path) -> TractResult<Weights> {
        let bytes = std::fs::read(path).map_err(|e| format_err!("{}: {e}", path.display()))?;
        let st = safetensors::SafeTensors::deserialize(&bytes).map_err(|e| format_err!("{}: {e}", path.display()))?;
        let get = |name: &str, shape: &[usize]| -> TractResult<Vec<f32>> {
            let t = st.tensor(name).map_err(|e| format_err!("{name}: {e}"))?;
            ensure!(t.dtype() == safetensors::Dtype::F32 && t.shape() == shape, "{name}: {:?} {:?}, expected F32 {shape:?}", t.dtype(), t.shape());
            Ok(t.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
        };
        let layer = |name: &str, file_shape: &[usize], shape: [usize; 4], pad: usize| -> TractResult<Layer> {
            Ok(Layer { w: get(&format!("{name}.weight"), file_shape)?, b: get(&format!("{name}.bias"), &[shape[0]])?, shape, pad })
        };
        Ok(Weights([
            layer("conv1", &[6, 1, 5, 5], [6, 1, 5, 5], 2)?,
            layer("conv2", &[16, 6, 5, 5], [16, 6, 5, 5], 0)?,
            layer("fc1", &[120, 400], [120, 16, 5, 5], 0)?,
            layer("fc2", &[84, 120], [84, 120, 1, 1], 0)?,
            layer("fc3", &[10, 84], [10, 84, 1, 1], 0)?,
        ]))
    }
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

fn conv_op(l: &Layer, q: Option<DatumType>) -> Conv {
    let [o, i, k, _] = l.shape;
    Conv { pool_spec: pool_spec(k, l.pad, 1, i, o), kernel_fmt: KernelFormat::OIHW, group: 1, q_params: q }
}

fn wire_pool(m: &mut TypedModel, name: &str, x: OutletId, c: usize) -> TractResult<OutletId> {
    Ok(m.wire_node(name, MaxPool { pool_spec: pool_spec(2, 0, 2, c, c), with_index_outputs: None }, &[x])?[0])
}

/// f32 layer, optionally followed by ReLU.
fn wire_f32(m: &mut TypedModel, name: &str, x: OutletId, l: &Layer, relu: bool) -> TractResult<OutletId> {
    let k = m.add_const(format!("{name}.w"), Tensor::from_shape(&l.shape, &l.w)?)?;
    let b = m.add_const(format!("{name}.b"), tensor1(&l.b))?;
    let y = m.wire_node(name, conv_op(l, None), &[x, k, b])?[0];
    if !relu {
        return Ok(y);
    }
    let zero = m.add_const(format!("{name}.zero"), tensor4(&[[[[0f32]]]]))?;
    Ok(m.wire_node(format!("{name}.relu"), max(), &[y, zero])?[0])
}

/// The f32 graph for `batch` images; returns it with its outlets pool1, pool2, fc1, fc2 (after ReLU) and logits.
fn graph_f32(w: &Weights, batch: usize) -> TractResult<(TypedModel, [OutletId; 5])> {
    let mut m = TypedModel::default();
    let [c1, c2, f1, f2, f3] = &w.0;
    let x = m.add_source("x", f32::fact([batch, 1, 28, 28]))?;
    let a1 = wire_f32(&mut m, "conv1", x, c1, true)?;
    let p1 = wire_pool(&mut m, "pool1", a1, 6)?;
    let a2 = wire_f32(&mut m, "conv2", p1, c2, true)?;
    let p2 = wire_pool(&mut m, "pool2", a2, 16)?;
    let h1 = wire_f32(&mut m, "fc1", p2, f1, true)?;
    let h2 = wire_f32(&mut m, "fc2", h1, f2, true)?;
    let y = wire_f32(&mut m, "fc3", h2, f3, false)?;
    Ok((m, [p1, p2, h1, h2, y]))
}

/// Scale and zero point of an i8 tensor: `real = scale · (q − zero_point)`.
#[derive(Clone, Copy, Debug)]
pub struct QParams {
    pub scale: f32,
    pub zero_point: i32,
}

impl QParams {
    fn quantize(&self, x: f32) -> i8 {
        ((x / self.scale).round() as i32 + self.zero_point).clamp(-128, 127) as i8
    }
}

/// Activation quantization: the input image, then the (ReLU) outputs of conv1, conv2, fc1 and fc2.
pub struct Quant(pub [QParams; 5]);

/// Calibrates the activation ranges on `imgs` with the f32 graph (largest value of each activation).
pub fn calibrate(w: &Weights, imgs: &Images) -> TractResult<Quant> {
    let b = 100;
    let (mut m, outs) = graph_f32(w, b)?;
    m.select_output_outlets(&outs[..4])?;
    let plan = m.into_optimized()?.into_runnable()?;
    let mut hi = [0f32; 4];
    for i in (0..imgs.n / b).map(|k| k * b) {
        let r = plan.run(tvec![Tensor::from_shape(&[b, 1, 28, 28], imgs.batch(i, b))?.into_tvalue()])?;
        for (h, t) in hi.iter_mut().zip(&r) {
            *h = t.to_plain_array_view::<f32>()?.iter().fold(*h, |a, &v| a.max(v));
        }
    }
    // The input: normalised pixels 0..=255, an exact affine image of [-128, 127].
    let (lo, top) = ((0.0 - 0.1307) / 0.3081, (1.0 - 0.1307) / 0.3081);
    let s = (top - lo) / 255.0;
    let input = QParams { scale: s, zero_point: -128 - (lo / s).round() as i32 };
    let relu = |h: f32| QParams { scale: h / 255.0, zero_point: -128 };
    Ok(Quant([input, relu(hi[0]), relu(hi[1]), relu(hi[2]), relu(hi[3])]))
}

/// int8 layer: input `xq`, i8 output with `yq` (ReLU by saturation at zero point −128), or i32 accumulators if
/// `yq` is None. Weight scales per output channel or one per tensor. Returns the output and the weight scales.
fn wire_i8(
    m: &mut TypedModel,
    name: &str,
    x: OutletId,
    l: &Layer,
    xq: QParams,
    yq: Option<QParams>,
    per_channel: bool,
) -> TractResult<(OutletId, Vec<f32>)> {
    let (o, per) = (l.shape[0], l.w.len() / l.shape[0]);
    let mut scales: Vec<f32> =
        l.w.chunks(per).map(|r| r.iter().fold(0f32, |a, v| a.max(v.abs())) / 127.0).map(|s| if s > 0.0 { s } else { 1.0 }).collect();
    if !per_channel {
        let m = scales.iter().fold(0f32, |a, &b| a.max(b));
        scales.iter_mut().for_each(|s| *s = m);
    }
    let wq: Vec<i8> = l.w.iter().enumerate().map(|(i, v)| (v / scales[i / per]).round().clamp(-127.0, 127.0) as i8).collect();
    let bq: Vec<i32> = l.b.iter().zip(&scales).map(|(b, s)| (b / (xq.scale * s)).round() as i32).collect();
    debug_assert_eq!(bq.len(), o);
    let out = yq.unwrap_or(QParams { scale: 1.0, zero_point: 0 });
    let c = |m: &mut TypedModel, what: &str, t: Arc<Tensor>| m.add_const(format!("{name}.{what}"), t);
    let inputs = [
        x,
        c(m, "w", Tensor::from_shape(&l.shape, &wq)?.into_arc_tensor())?,
        c(m, "b", rctensor1(&bq))?,
        c(m, "x0", rctensor0(xq.zero_point))?,
        // With an i32 output tract still multiplies by x_scale · k_scale: pass 1 to get the raw accumulators.
        c(m, "x_scale", rctensor0(if yq.is_some() { xq.scale } else { 1.0 }))?,
        c(m, "k0", rctensor0(0i32))?,
        c(m, "k_scale", if yq.is_some() { rctensor1(&scales) } else { rctensor0(1f32) })?,
        c(m, "y0", rctensor0(out.zero_point))?,
        c(m, "y_scale", rctensor0(out.scale))?,
    ];
    let dt = if yq.is_some() { i8::datum_type() } else { i32::datum_type() };
    Ok((m.wire_node(name, conv_op(l, Some(dt)), &inputs)?[0], scales))
}

/// The int8 graph for `batch` images (input: quantized image); returns it with fc3's dequantization scales.
fn graph_i8(w: &Weights, q: &Quant, batch: usize, pc: bool) -> TractResult<(TypedModel, Vec<f32>)> {
    let mut m = TypedModel::default();
    let [c1, c2, f1, f2, f3] = &w.0;
    let [qi, q1, q2, q3, q4] = q.0;
    let x = m.add_source("x", i8::fact([batch, 1, 28, 28]))?;
    let a1 = wire_i8(&mut m, "conv1", x, c1, qi, Some(q1), pc)?.0;
    let p1 = wire_pool(&mut m, "pool1", a1, 6)?;
    let a2 = wire_i8(&mut m, "conv2", p1, c2, q1, Some(q2), pc)?.0;
    let p2 = wire_pool(&mut m, "pool2", a2, 16)?;
    let h1 = wire_i8(&mut m, "fc1", p2, f1, q2, Some(q3), pc)?.0;
    let h2 = wire_i8(&mut m, "fc2", h1, f2, q3, Some(q4), pc)?.0;
    let (y, s) = wire_i8(&mut m, "fc3", h2, f3, q4, None, pc)?;
    m.select_output_outlets(&[y])?;
    Ok((m, s.iter().map(|s| s * q4.scale).collect()))
}

/// Number formats of a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    F32,
    /// int8 with one weight scale per output channel, or one per tensor. tract fuses the requantization into
    /// its matrix-product kernel only in the per-tensor case (0.23.9); per channel it runs as separate ops.
    Int8 { per_channel: bool },
}

/// An optimized LeNet plan for a fixed batch size.
pub struct Engine {
    plan: Arc<TypedRunnableModel>,
    batch: usize,
    /// int8: the input's quantization and fc3's accumulator-to-logit scales.
    int8: Option<(QParams, Vec<f32>)>,
}

impl Engine {
    /// A plan in `p`; int8 uses the activation ranges `q`.
    pub fn new(w: &Weights, q: &Quant, batch: usize, p: Precision) -> TractResult<Engine> {
        let (m, int8) = match p {
            Precision::F32 => {
                let (mut m, outs) = graph_f32(w, batch)?;
                m.select_output_outlets(&outs[4..])?;
                (m, None)
            }
            Precision::Int8 { per_channel } => {
                let (m, s) = graph_i8(w, q, batch, per_channel)?;
                (m, Some((q.0[0], s)))
            }
        };
        let m = m.into_optimized()?;
        if std::env::var_os("PEER_PRINT_GRAPH").is_some() {
            eprintln!("{p:?} batch {batch}:\n{m}");
        }
        Ok(Engine { plan: m.into_runnable()?, batch, int8 })
    }

    pub fn batch(&self) -> usize {
        self.batch
    }

    /// Logits (`batch × 10`) of `batch` normalised images.
    pub fn logits(&self, x: &[f32]) -> TractResult<Vec<f32>> {
        ensure!(x.len() == self.batch * DIM);
        let shape = [self.batch, 1, 28, 28];
        Ok(match &self.int8 {
            None => {
                let r = self.plan.run(tvec![Tensor::from_shape(&shape, x)?.into_tvalue()])?;
                r[0].to_plain_array_view::<f32>()?.iter().copied().collect()
            }
            Some((qi, s)) => {
                let xq: Vec<i8> = x.iter().map(|&v| qi.quantize(v)).collect();
                let r = self.plan.run(tvec![Tensor::from_shape(&shape, &xq)?.into_tvalue()])?;
                r[0].to_plain_array_view::<i32>()?.iter().zip(s.iter().cycle()).map(|(&a, s)| a as f32 * s).collect()
            }
        })
    }
}
