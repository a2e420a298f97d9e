//! Layer functions shared by the zoo, written once in plain `f32` and marked `#[quantize]`.
//!
//! Every layer takes an instance type parameter `L` (`dense::<Fc1>(…)`), so each use of a layer gets its own
//! formats. Weights (`w`, `b`) are declared with `weights(...)`: callers store them as `dense::w<L>` /
//! `dense::b<L>` (f32 in plain and calibrate builds, the tuned static number types in tuned builds).
//! Activations cross layer boundaries as f32 slices holding values already in each site's format.
#[allow(unused_imports)] // `Vec` is unused in tuned builds, where typed locals name number_rt's re-export
use alloc::{vec, vec::Vec};
use number_rt::quantize;

pub mod attention;
pub mod depthwise;
pub mod recurrent;
pub mod residual;
pub use attention::{layer_norm, mean_tokens, patch_embed, self_attention};
pub use depthwise::{depthwise_conv2d, global_avg_pool, Depthwise};
pub use recurrent::gru_cell;
pub use residual::residual_add;

/// Geometry of a 2-D convolution over a `c × h × w` (CHW) input with `k × k` kernels, stride 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv {
    /// Input channels.
    pub in_c: usize,
    /// Input height.
    pub in_h: usize,
    /// Input width.
    pub in_w: usize,
    /// Output channels.
    pub out_c: usize,
    /// Kernel size.
    pub k: usize,
    /// Zero padding on each side.
    pub pad: usize,
}

impl Conv {
    /// Output height.
    pub const fn out_h(&self) -> usize {
        self.in_h + 2 * self.pad - self.k + 1
    }
    /// Output width.
    pub const fn out_w(&self) -> usize {
        self.in_w + 2 * self.pad - self.k + 1
    }
    /// Output length `out_c × out_h × out_w`.
    pub const fn out_len(&self) -> usize {
        self.out_c * self.out_h() * self.out_w()
    }
    /// Weight count `out_c × in_c × k × k`.
    pub const fn weight_len(&self) -> usize {
        self.out_c * self.in_c * self.k * self.k
    }
    /// Multiply-accumulates of one call (padding taps skipped).
    pub fn macs(&self) -> usize {
        self.out_c * self.out_h() * self.out_w() * self.in_c * self.k * self.k
    }
}

/// 2-D convolution (weights `[out_c][in_c][k][k]`, bias `[out_c]`), optionally followed by ReLU.
///
/// `#[inline]` (here and on the other heavy layers; attributes are not part of a function's fingerprint, so
/// tuned.rs files stay valid): inlined into a model's forward pass, the geometry is a constant and the loops
/// specialise.
///
/// Written as a matrix product with the output positions innermost: `patch` is the im2col matrix transposed
/// (row `i`, one tap `(c, ky, kx)`, holds that tap's input value for every output position, zero where it
/// covers padding; it holds copies of input values, so it shares the input's format: `share(x, patch)`), and
/// each output channel adds `w[o][i] · patch[i]` to all of its positions' accumulators for one tap after the
/// other. Every position's accumulator sees the same steps in the same order as a per-position inner product
/// (`acc = b[o]; for i { acc += w[o·n+i] · patch_i }`), and the loop nest is one call of an inner-product
/// kernel that sums the positions side by side (integer SIMD lanes in tuned builds, no reduction per output).
// Index loops on purpose: `#[quantize]` sees `acc[p] = …` as assignments to the site `acc`.
#[allow(clippy::needless_range_loop)]
#[quantize(weights(w, b), share(x, patch))]
#[inline]
pub fn conv2d<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Conv, relu: bool) {
    let (oh, ow) = (g.out_h(), g.out_w());
    let (n, np) = (g.in_c * g.k * g.k, oh * ow);
    let mut patch: Vec<f32> = vec![0.0; n * np];
    for c in 0..g.in_c {
        for ky in 0..g.k {
            for kx in 0..g.k {
                let row = ((c * g.k + ky) * g.k + kx) * np;
                // Output columns whose tap lies inside the input (the others keep their padding zeros).
                let (lo, hi) = (g.pad.saturating_sub(kx), (g.in_w + g.pad).saturating_sub(kx).min(ow));
                for oy in 0..oh {
                    // Input row of this tap (wrapping below zero: outside, like past the end).
                    let iy = (oy + ky).wrapping_sub(g.pad);
                    if iy < g.in_h {
                        let src = (c * g.in_h + iy) * g.in_w + kx;
                        for ox in lo..hi {
                            patch[row + oy * ow + ox] = x[src + ox - g.pad];
                        }
                    }
                }
            }
        }
    }
    let mut acc: Vec<f32> = vec![0.0; np];
    for o in 0..g.out_c {
        for p in 0..np {
            acc[p] = b[o];
        }
        for i in 0..n {
            for p in 0..np {
                acc[p] += w[o * n + i] * patch[i * np + p];
            }
        }
        for p in 0..np {
            y[o * np + p] = if relu { acc[p].max(0.0) } else { acc[p] };
        }
    }
}

/// Fully connected layer `y = W x + b` (weights `[out][in]` row-major), optionally followed by ReLU.
#[quantize(weights(w, b))]
#[inline]
pub fn dense<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], relu: bool) {
    let n = x.len();
    for o in 0..y.len() {
        let mut acc: f32 = b[o];
        for i in 0..n {
            acc += w[o * n + i] * x[i];
        }
        y[o] = if relu { acc.max(0.0) } else { acc };
    }
}

/// 2×2 max pooling with stride 2 over a `c × h × w` input. Not quantized: it only selects values that are
/// already in their site's format.
///
/// Each output is `x00.max(x01).max(x10).max(x11)` (top-left, top-right, bottom-left, bottom-right), in that
/// order; the loops run over whole rows (slices checked once per row), which the compiler vectorizes.
#[inline]
pub fn maxpool2(x: &[f32], y: &mut [f32], c: usize, h: usize, w: usize) {
    let (oh, ow) = (h / 2, w / 2);
    for ch in 0..c {
        for oy in 0..oh {
            let top = &x[(ch * h + 2 * oy) * w..][..2 * ow];
            let bottom = &x[(ch * h + 2 * oy + 1) * w..][..2 * ow];
            let out = &mut y[(ch * oh + oy) * ow..][..ow];
            for ((o, t), b) in out.iter_mut().zip(top.chunks_exact(2)).zip(bottom.chunks_exact(2)) {
                *o = t[0].max(t[1]).max(b[0]).max(b[1]);
            }
        }
    }
}

/// Index of the largest value (first on ties).
pub fn argmax(xs: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in xs.iter().enumerate() {
        if v > xs[best] {
            best = i;
        }
    }
    best
}

/// Converts f32 weights to a site's storage: a `Vec` or a packed tensor (`number_rt::Packed`, what a layer's
/// container alias such as `dense::W<L>` is in tuned builds) of the site's type (f32 in plain/calibrate builds,
/// the tuned type otherwise; block formats cut the tensor into blocks, see `number_rt::Number::from_f32_slice`).
///
/// With `std`, a tensor for which the driver installed a GPTQ-rounded replacement (`number_rt::rounding`, read
/// from `tuned.safetensors`) loads the rounded values instead.
pub fn to_site<C: number_rt::packed::FromF32s>(xs: &[f32]) -> C {
    #[cfg(feature = "std")]
    return number_rt::weights::to_site(xs);
    #[cfg(not(feature = "std"))]
    C::from_f32s(xs)
}
