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
#[quantize(weights(w, b))]
#[inline]
pub fn depthwise_conv2d<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Depthwise, relu: bool) {
    let (oh, ow) = (g.out_h(), g.out_w());
    for c in 0..g.c {
        for oy in 0..oh {
            for ox in 0..ow {
                let mut acc: f32 = b[c];
                for ky in 0..g.k {
                    // Input row `oy·stride + ky − pad`; taps outside the input multiply padding zeros.
                    let iy = oy * g.stride + ky;
                    if iy < g.pad || iy >= g.in_h + g.pad {
                        continue;
                    }
                    for kx in 0..g.k {
                        let ix = ox * g.stride + kx;
                        if ix < g.pad || ix >= g.in_w + g.pad {
                            continue;
                        }
                        acc += w[(c * g.k + ky) * g.k + kx] * x[(c * g.in_h + iy - g.pad) * g.in_w + ix - g.pad];
                    }
                }
                y[(c * oh + oy) * ow + ox] = if relu { acc.max(0.0) } else { acc };
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
