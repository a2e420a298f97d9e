//! Hand copies of the zoo's `dense` and `conv2d` (src/layers/mod.rs) without `#[quantize]`: signature and body
//! verbatim, for `tests/plain_layers.rs` (bit identity) and `benches/plain_overhead.rs` (speed). Keep in sync
//! with the originals (the test fails if they compute different bits).
#![allow(
    dead_code,
    clippy::extra_unused_type_parameters,
    clippy::needless_range_loop
)]
use zoo::layers::{Conv, Depthwise};

/// `zoo::layers::conv2d` without the attribute.
pub fn conv2d_hand<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Conv, relu: bool) {
    let (oh, ow) = (g.out_h(), g.out_w());
    let (n, np) = (g.in_c * g.k * g.k, oh * ow);
    let mut patch: Vec<f32> = vec![0.0; n * np];
    for c in 0..g.in_c {
        for ky in 0..g.k {
            for kx in 0..g.k {
                let row = ((c * g.k + ky) * g.k + kx) * np;
                // Output columns whose tap lies inside the input (the others keep their padding zeros).
                let (lo, hi) = (
                    g.pad.saturating_sub(kx),
                    (g.in_w + g.pad).saturating_sub(kx).min(ow),
                );
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

/// The reference the zoo's `conv2d` must equal on finite data: one inner product per output (im2col per
/// position), the way it was written before it summed positions side by side. Same steps per output in the
/// same order, so the same bits.
pub fn conv2d_direct(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Conv, relu: bool) {
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
                        patch[(c * g.k + ky) * g.k + kx] = if inside {
                            x[(c * g.in_h + iy) * g.in_w + ix]
                        } else {
                            0.0
                        };
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

/// The reference for the zoo's `depthwise_conv2d`: one inner product per output over its taps inside the input
/// (the zoo's version also adds `w · 0` for padding taps, which changes no finite nonzero sum).
pub fn depthwise_direct(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Depthwise, relu: bool) {
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
                        acc += w[(c * g.k + ky) * g.k + kx]
                            * x[(c * g.in_h + iy - g.pad) * g.in_w + ix - g.pad];
                    }
                }
                y[(c * oh + oy) * ow + ox] = if relu { acc.max(0.0) } else { acc };
            }
        }
    }
}

/// The reference for the zoo's `patch_embed`: one inner product per token and feature.
pub fn patch_embed_direct(
    w: &[f32],
    b: &[f32],
    pos: &[f32],
    x: &[f32],
    y: &mut [f32],
    side: usize,
    p: usize,
) {
    let d = b.len();
    let per_row = side / p;
    for t in 0..per_row * per_row {
        let (ty, tx) = (t / per_row, t % per_row);
        for o in 0..d {
            let mut acc: f32 = b[o];
            for py in 0..p {
                for px in 0..p {
                    acc += w[o * p * p + py * p + px] * x[(ty * p + py) * side + tx * p + px];
                }
            }
            y[t * d + o] = acc + pos[t * d + o];
        }
    }
}

/// The reference for the zoo's `self_attention`: one inner product per score and per output component.
#[allow(clippy::needless_range_loop)]
pub fn self_attention_direct(qkv: &[f32], y: &mut [f32], n: usize, heads: usize) {
    let d = y.len() / n;
    let dh = d / heads;
    let scale = 1.0 / (dh as f32).sqrt();
    let mut p: Vec<f32> = vec![0.0; n];
    for h in 0..heads {
        for i in 0..n {
            // Scores of query i against every key.
            for j in 0..n {
                let mut s: f32 = 0.0;
                for c in 0..dh {
                    s += qkv[i * 3 * d + h * dh + c] * qkv[j * 3 * d + d + h * dh + c];
                }
                p[j] = s * scale;
            }
            // Softmax over the keys (shifted by the largest score).
            let mut m: f32 = p[0];
            for j in 1..n {
                m = m.max(p[j]);
            }
            let mut sum: f32 = 0.0;
            for j in 0..n {
                p[j] = (p[j] - m).exp();
                sum += p[j];
            }
            for j in 0..n {
                p[j] /= sum;
            }
            // Weighted sum of the values.
            for c in 0..dh {
                let mut acc: f32 = 0.0;
                for j in 0..n {
                    acc += p[j] * qkv[j * 3 * d + 2 * d + h * dh + c];
                }
                y[i * d + h * dh + c] = acc;
            }
        }
    }
}
