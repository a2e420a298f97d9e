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
/// Written like [`conv2d`](super::conv2d), one channel at a time: `patch` holds the channel's `k·k` taps for
/// every output position (zero where a tap covers padding, so padding taps add `w · 0`), and the taps are
/// added to all positions' accumulators one after the other — one call of the kernel that sums positions side
/// by side.
// Index loops on purpose: `#[quantize]` sees `acc[p] = …` as assignments to the site `acc`.
#[allow(clippy::needless_range_loop)]
#[quantize(weights(w, b), share(x, patch))]
#[inline]
pub fn depthwise_conv2d<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Depthwise, relu: bool) {
    let (oh, ow) = (g.out_h(), g.out_w());
    let (kk, np) = (g.k * g.k, oh * ow);
    let mut patch: Vec<f32> = vec![0.0; kk * np];
    let mut acc: Vec<f32> = vec![0.0; np];
    for c in 0..g.c {
        for ky in 0..g.k {
            for kx in 0..g.k {
                let row = (ky * g.k + kx) * np;
                // Output columns whose tap lies inside the input, `ox·stride + kx − pad` in `0..in_w` (the
                // others keep their padding zeros).
                let lo = g.pad.saturating_sub(kx).div_ceil(g.stride).min(ow);
                let hi = (g.in_w + g.pad).saturating_sub(kx).div_ceil(g.stride).min(ow);
                for oy in 0..oh {
                    // Input row `oy·stride + ky − pad` (wrapping below zero: outside, like past the end).
                    let iy = (oy * g.stride + ky).wrapping_sub(g.pad);
                    if iy < g.in_h {
                        let src = (c * g.in_h + iy) * g.in_w + kx;
                        for ox in lo..hi {
                            patch[row + oy * ow + ox] = x[src + ox * g.stride - g.pad];
                        }
                    }
                }
            }
        }
        for p in 0..np {
            acc[p] = b[c];
        }
        for i in 0..kk {
            for p in 0..np {
                acc[p] += w[c * kk + i] * patch[i * np + p];
            }
        }
        for p in 0..np {
            y[c * np + p] = if relu { acc[p].max(0.0) } else { acc[p] };
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
