//! Depthwise-separable convolutions (MobileNet): a per-channel (depthwise) `k × k` convolution, then a 1×1
//! (pointwise) convolution across channels, which is [`conv2d`](super::conv2d) with `k = 1`; and global
//! average pooling.
use number_rt::quantize;

/// Geometry of a depthwise convolution over a `c × in_h × in_w` (CHW) input: one `k × k` kernel per channel,
/// zero padding `pad`, stride `stride`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Depthwise {
    /// Channels (in and out).
    pub c: usize,
    /// Input height.
    pub in_h: usize,
    /// Input width.
    pub in_w: usize,
    /// Kernel size.
    pub k: usize,
    /// Zero padding on each side.
    pub pad: usize,
    /// Stride.
    pub stride: usize,
}

impl Depthwise {
    /// Output height.
    pub const fn out_h(&self) -> usize {
        (self.in_h + 2 * self.pad - self.k) / self.stride + 1
    }
    /// Output width.
    pub const fn out_w(&self) -> usize {
        (self.in_w + 2 * self.pad - self.k) / self.stride + 1
    }
    /// Output length `c × out_h × out_w`.
    pub const fn out_len(&self) -> usize {
        self.c * self.out_h() * self.out_w()
    }
    /// Weight count `c × k × k`.
    pub const fn weight_len(&self) -> usize {
        self.c * self.k * self.k
    }
}

/// Depthwise 2-D convolution (weights `[c][1][k][k]`, bias `[c]`), optionally followed by ReLU.
///
/// One channel at a time, on a zero-padded copy of the channel's input split into its `stride × stride`
/// phases (`patch`: phase `(a, b)` holds the padded input's rows `a, a + stride, …` and columns `b, b +
/// stride, …`, a plane of `qh × qw` values; a copy of input values, so it shares the input's format). Tap
/// `(ky, kx)` of output `(oy, ox)` reads the padded input at `(oy·stride + ky, ox·stride + kx)`, which is
/// value `(oy + ky / stride, ox + kx / stride)` of phase `(ky % stride, kx % stride)`: so for every tap the
/// outputs read one run of consecutive values of `patch`, when the outputs are numbered `oy·qw + ox` (the
/// accumulators `acc` between two output rows, `ox` in `ow..qw`, are computed and not used). The taps are then
/// added to all positions' accumulators one after the other — one call of the kernel that sums positions side
/// by side — and the channel's input is copied once, a run per input row and phase, instead of an im2col row
/// per tap and output row. Each output sees the bias, then every tap in order (`w · 0` for a tap on the
/// padding), as a per-output inner product does.
// Index loops on purpose: `#[quantize]` sees `acc[p] = …` as assignments to the site `acc`.
#[allow(clippy::needless_range_loop)]
#[quantize(weights(w, b), share(x, patch))]
#[inline]
pub fn depthwise_conv2d<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Depthwise, relu: bool) {
    let (oh, ow, s, kk) = (g.out_h(), g.out_w(), g.stride, g.k * g.k);
    // A phase's rows and columns, and the outputs numbered `oy·qw + ox` up to the last one.
    let (qh, qw) = ((g.in_h + 2 * g.pad).div_ceil(s), (g.in_w + 2 * g.pad).div_ceil(s));
    let np = (oh - 1) * qw + ow;
    // Where tap `(ky, kx)` of output 0 lies in `patch`.
    let tap: Vec<usize> = (0..kk)
        .map(|i| {
            let (ky, kx) = (i / g.k, i % g.k);
            ((ky % s) * s + kx % s) * qh * qw + (ky / s) * qw + kx / s
        })
        .collect();
    // The padding stays zero: every channel writes the same (inner) values.
    let mut patch: Vec<f32> = vec![0.0; s * s * qh * qw];
    let mut acc: Vec<f32> = vec![0.0; np];
    for c in 0..g.c {
        for iy in 0..g.in_h {
            let r = iy + g.pad;
            for bx in 0..s {
                // Input columns `j·s + bx − pad` in `0..in_w`: phase column `j` of the padded row `r`.
                let (lo, hi) = (g.pad.saturating_sub(bx).div_ceil(s), (g.in_w + g.pad - bx).div_ceil(s));
                let dst = ((r % s) * s + bx) * qh * qw + (r / s) * qw;
                let src = (c * g.in_h + iy) * g.in_w;
                for j in lo..hi {
                    patch[dst + j] = x[src + j * s + bx - g.pad];
                }
            }
        }
        for p in 0..np {
            acc[p] = b[c];
        }
        for i in 0..kk {
            for p in 0..np {
                acc[p] += w[c * kk + i] * patch[tap[i] + p];
            }
        }
        for oy in 0..oh {
            for ox in 0..ow {
                let p = oy * qw + ox;
                y[(c * oh + oy) * ow + ox] = if relu { acc[p].max(0.0) } else { acc[p] };
            }
        }
    }
}

/// Global average pooling of a `c × hw` (CHW) input to `c` values (`y.len()` channels of `hw` positions).
#[quantize]
pub fn global_avg_pool<L>(x: &[f32], y: &mut [f32], hw: usize) {
    for c in 0..y.len() {
        let mut acc: f32 = 0.0;
        for i in 0..hw {
            acc += x[c * hw + i];
        }
        y[c] = acc / hw as f32;
    }
}
