//! Transformer encoder pieces (vision-transformer style): patch embedding with a learned positional
//! embedding, layer normalisation, multi-head self-attention with softmax, and mean pooling over tokens.
//!
//! Token sequences are row-major `[n][d]` (token `t` is `x[t·d .. (t+1)·d]`). The linear maps of the encoder
//! (query/key/value projection, output projection, MLP) are [`dense`](super::dense), applied token by token.
#[allow(unused_imports)] // `Vec` is unused in tuned builds, where typed locals name number_rt's re-export
use alloc::{vec, vec::Vec};
#[cfg(not(feature = "std"))]
use num_traits::Float as _; // f32 `exp`, `sqrt` without std (libm)
use number_rt::quantize;

/// Cuts a square `side × side` image into `(side/p)²` non-overlapping `p × p` patches (row-major patch order),
/// embeds each linearly and adds its learned positional embedding:
/// `y[t][o] = b[o] + pos[t][o] + Σ_{py,px} w[o][py·p + px] · x[(ty·p + py)·side + tx·p + px]`.
///
/// Weights: `w` `[d][p·p]`, `b` `[d]`, `pos` `[n][d]` (`d = b.len()`, `n = y.len() / d`).
///
/// Written with the tokens as lanes (like [`conv2d`](super::conv2d)): `patch` holds pixel `(py, px)` of every
/// patch in row `py·p + px` (copies of input values: `share(x, patch)`), and each output feature adds the
/// pixels to all tokens' accumulators one after the other — the same steps per output as one inner product.
// Index loops on purpose: `#[quantize]` sees `acc[p] = …` as assignments to the site `acc`.
#[allow(clippy::needless_range_loop)]
#[quantize(weights(w, b, pos), share(x, patch))]
pub fn patch_embed<L>(w: &[f32], b: &[f32], pos: &[f32], x: &[f32], y: &mut [f32], side: usize, p: usize) {
    let d = b.len();
    let per_row = side / p;
    let (pp, nt) = (p * p, per_row * per_row);
    let mut patch: Vec<f32> = vec![0.0; pp * nt];
    for py in 0..p {
        for px in 0..p {
            for t in 0..nt {
                let (ty, tx) = (t / per_row, t % per_row);
                patch[(py * p + px) * nt + t] = x[(ty * p + py) * side + tx * p + px];
            }
        }
    }
    let mut acc: Vec<f32> = vec![0.0; nt];
    for o in 0..d {
        for t in 0..nt {
            acc[t] = b[o];
        }
        for i in 0..pp {
            for t in 0..nt {
                acc[t] += w[o * pp + i] * patch[i * nt + t];
            }
        }
        for t in 0..nt {
            y[t * d + o] = acc[t] + pos[t * d + o];
        }
    }
}

/// Layer normalisation of each token (rows of `d = g.len()` values): `y = (x − mean) / sqrt(var + 1e-5) · g + b`.
#[quantize(weights(g, b))]
pub fn layer_norm<L>(g: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    let d = g.len();
    for t in 0..x.len() / d {
        let mut mean: f32 = 0.0;
        for i in 0..d {
            mean += x[t * d + i];
        }
        mean /= d as f32;
        let mut var: f32 = 0.0;
        for i in 0..d {
            let c = x[t * d + i] - mean;
            var += c * c;
        }
        var /= d as f32;
        let inv = 1.0 / (var + 1e-5).sqrt();
        for i in 0..d {
            y[t * d + i] = (x[t * d + i] - mean) * inv * g[i] + b[i];
        }
    }
}

/// Multi-head scaled dot-product self-attention over `n` tokens.
///
/// `qkv` is `[n][3d]`: each token's query, key and value (each `d = y.len() / n` wide, split into `heads`
/// heads of `d / heads`). `y` is `[n][d]`, the heads' outputs side by side (before the output projection):
/// `y[i][head] = Σ_j softmax_j(q_i · k_j / sqrt(d_head)) v_j`.
///
/// The inner products run with lanes (one kernel call each): a query's scores against all keys at once over
/// the transposed keys `kt` (copies of `qkv` values: `share(qkv, kt)`), and its output over all components of
/// the head at once. Each score and each output sees the same steps in the same order as its own inner product.
// Index loops on purpose: `#[quantize]` sees writes `p[j] = …` as assignments to the site `p`, not writes
// through `iter_mut()` (which clippy's `needless_range_loop` would suggest).
#[allow(clippy::needless_range_loop)]
#[quantize(share(qkv, kt))]
pub fn self_attention<L>(qkv: &[f32], y: &mut [f32], n: usize, heads: usize) {
    let d = y.len() / n;
    let dh = d / heads;
    let scale = 1.0 / (dh as f32).sqrt();
    // Keys transposed: `kt[c·n + j]` is component `c` of key `j`.
    let mut kt: Vec<f32> = vec![0.0; d * n];
    for j in 0..n {
        for c in 0..d {
            kt[c * n + j] = qkv[j * 3 * d + d + c];
        }
    }
    let mut s: Vec<f32> = vec![0.0; n];
    let mut p: Vec<f32> = vec![0.0; n];
    let mut acc: Vec<f32> = vec![0.0; dh];
    for h in 0..heads {
        for i in 0..n {
            // Scores of query i against every key.
            for j in 0..n {
                s[j] = 0.0;
            }
            for c in 0..dh {
                for j in 0..n {
                    s[j] += qkv[i * 3 * d + h * dh + c] * kt[(h * dh + c) * n + j];
                }
            }
            for j in 0..n {
                p[j] = s[j] * scale;
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
                acc[c] = 0.0;
            }
            for j in 0..n {
                for c in 0..dh {
                    acc[c] += p[j] * qkv[j * 3 * d + 2 * d + h * dh + c];
                }
            }
            for c in 0..dh {
                y[i * d + h * dh + c] = acc[c];
            }
        }
    }
}

/// Mean over the tokens of `[n][d]` (`d = y.len()`): `y[o] = (1/n) Σ_t x[t][o]`.
#[quantize]
pub fn mean_tokens<L>(x: &[f32], y: &mut [f32]) {
    let d = y.len();
    let n = x.len() / d;
    for o in 0..d {
        let mut acc: f32 = 0.0;
        for t in 0..n {
            acc += x[t * d + o];
        }
        y[o] = acc / n as f32;
    }
}
