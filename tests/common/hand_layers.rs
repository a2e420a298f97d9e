//! Hand copies of the zoo's `dense` and `conv2d` (src/layers/mod.rs) without `#[quantize]`: signature and body
//! verbatim, for `tests/plain_layers.rs` (bit identity) and `benches/plain_overhead.rs` (speed). Keep in sync
//! with the originals (the test fails if they compute different bits).
#![allow(dead_code, clippy::extra_unused_type_parameters)]
use zoo::layers::Conv;

/// `zoo::layers::conv2d` without the attribute.
pub fn conv2d_hand<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Conv, relu: bool) {
    let (oh, ow) = (g.out_h(), g.out_w());
    let n = g.in_c * g.k * g.k;
    let mut patch: Vec<f32> = vec![0.0; n];
    for oy in 0..oh {
        for ox in 0..ow {
            for c in 0..g.in_c {
                for ky in 0..g.k {
                    // Input row and column of this tap (wrapping below zero: outside, like past the end).
                    let iy = (oy + ky).wrapping_sub(g.pad);
                    for kx in 0..g.k {
                        let ix = (ox + kx).wrapping_sub(g.pad);
                        let inside = iy < g.in_h && ix < g.in_w;
                        patch[(c * g.k + ky) * g.k + kx] = if inside { x[(c * g.in_h + iy) * g.in_w + ix] } else { 0.0 };
                    }
                }
            }
            for o in 0..g.out_c {
                let mut acc: f32 = b[o];
                for i in 0..n {
                    acc += w[o * n + i] * patch[i];
                }
                y[(o * oh + oy) * ow + ox] = if relu { acc.max(0.0) } else { acc };
            }
        }
    }
}

/// `zoo::layers::dense` without the attribute.
pub fn dense_hand<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], relu: bool) {
    let n = x.len();
    for o in 0..y.len() {
        let mut acc: f32 = b[o];
        for i in 0..n {
            acc += w[o * n + i] * x[i];
        }
        y[o] = if relu { acc.max(0.0) } else { acc };
    }
}
