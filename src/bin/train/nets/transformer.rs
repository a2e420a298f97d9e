//! `transformer`: a small vision-transformer encoder.
//!
//! The image is cut into 16 patches of 7×7 (row-major) → linear embedding 49→32 + learned positional
//! embedding → 2 pre-norm encoder layers [x += proj(MHA(LN(x))), x += fc2(relu(fc1(LN(x))))] with 4 heads of 8
//! and MLP width 128 → final LN → mean over tokens → fc 32→10. Layer norm ε = 1e-5.

use super::{CLASSES, Defaults, IN, Net, SIDE};
use crate::ops;
use crate::rng::Rng;

pub struct Transformer;

pub const P: usize = 7;
pub const PD: usize = P * P;
pub const N: usize = (SIDE / P) * (SIDE / P);
pub const D: usize = 32;
pub const HEADS: usize = 4;
pub const DH: usize = D / HEADS;
pub const MLP: usize = 128;
pub const LAYERS: usize = 2;
pub const EPS: f32 = 1e-5;

/// Tensor indices.
const EMBED_W: usize = 0;
const EMBED_B: usize = 1;
const POS: usize = 2;
const fn lay(l: usize) -> usize {
    3 + 12 * l
}
const NORM: usize = lay(LAYERS);
const HEAD: usize = NORM + 2;
// Offsets within a layer.
const LN1: usize = 0;
const QKV: usize = 2;
const PROJ: usize = 4;
const LN2: usize = 6;
const FC1: usize = 8;
const FC2: usize = 10;

const LAYER_NAMES: [[&str; 12]; LAYERS] = [
    [
        "layers.0.ln1.weight",
        "layers.0.ln1.bias",
        "layers.0.attn.qkv.weight",
        "layers.0.attn.qkv.bias",
        "layers.0.attn.proj.weight",
        "layers.0.attn.proj.bias",
        "layers.0.ln2.weight",
        "layers.0.ln2.bias",
        "layers.0.mlp.fc1.weight",
        "layers.0.mlp.fc1.bias",
        "layers.0.mlp.fc2.weight",
        "layers.0.mlp.fc2.bias",
    ],
    [
        "layers.1.ln1.weight",
        "layers.1.ln1.bias",
        "layers.1.attn.qkv.weight",
        "layers.1.attn.qkv.bias",
        "layers.1.attn.proj.weight",
        "layers.1.attn.proj.bias",
        "layers.1.ln2.weight",
        "layers.1.ln2.bias",
        "layers.1.mlp.fc1.weight",
        "layers.1.mlp.fc1.bias",
        "layers.1.mlp.fc2.weight",
        "layers.1.mlp.fc2.bias",
    ],
];

/// The 16 patches of an image, `[N][PD]`, pixel order (py, px) within a patch.
pub fn patches(x: &[f32]) -> Vec<f32> {
    let per = SIDE / P;
    let mut out = vec![0.0; N * PD];
    for t in 0..N {
        let (ty, tx) = (t / per, t % per);
        for py in 0..P {
            for px in 0..P {
                out[t * PD + py * P + px] = x[(ty * P + py) * SIDE + tx * P + px];
            }
        }
    }
    out
}

/// Layer norm of `rows` rows of `D`: returns (y, x̂, 1/σ per row).
fn ln_fwd(x: &[f32], g: &[f32], b: &[f32]) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let rows = x.len() / D;
    let (mut y, mut xh, mut inv) = (vec![0.0; x.len()], vec![0.0; x.len()], vec![0.0; rows]);
    for r in 0..rows {
        let xr = &x[r * D..(r + 1) * D];
        let mean = xr.iter().sum::<f32>() / D as f32;
        let var = xr.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / D as f32;
        let iv = 1.0 / (var + EPS).sqrt();
        inv[r] = iv;
        for i in 0..D {
            let h = (xr[i] - mean) * iv;
            xh[r * D + i] = h;
            y[r * D + i] = h * g[i] + b[i];
        }
    }
    (y, xh, inv)
}

/// Layer norm backward: accumulates `dg`, `db`; returns ∂loss/∂x.
#[allow(clippy::needless_range_loop)]
fn ln_bwd(
    dy: &[f32],
    xh: &[f32],
    inv: &[f32],
    g: &[f32],
    dg: &mut [f32],
    db: &mut [f32],
) -> Vec<f32> {
    let mut dx = vec![0.0; dy.len()];
    let mut dxh = [0.0f32; D];
    for (r, &iv) in inv.iter().enumerate() {
        let (mut s1, mut s2) = (0.0f32, 0.0f32);
        for i in 0..D {
            let k = r * D + i;
            dg[i] += dy[k] * xh[k];
            db[i] += dy[k];
            dxh[i] = dy[k] * g[i];
            s1 += dxh[i];
            s2 += dxh[i] * xh[k];
        }
        let (m1, m2) = (s1 / D as f32, s2 / D as f32);
        for i in 0..D {
            let k = r * D + i;
            dx[k] = iv * (dxh[i] - m1 - xh[k] * m2);
        }
    }
    dx
}

/// Multi-head self-attention on `qkv` `[N][3D]`: returns the heads' outputs `[N][D]` and the probabilities
/// `[HEADS][N][N]`.
fn attn_fwd(qkv: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let scale = 1.0 / (DH as f32).sqrt();
    let mut o = vec![0.0; N * D];
    let mut pr = vec![0.0; HEADS * N * N];
    for h in 0..HEADS {
        for i in 0..N {
            let q = &qkv[i * 3 * D + h * DH..][..DH];
            let p = &mut pr[(h * N + i) * N..][..N];
            for (j, pj) in p.iter_mut().enumerate() {
                let k = &qkv[j * 3 * D + D + h * DH..][..DH];
                *pj = scale * q.iter().zip(k).map(|(a, b)| a * b).sum::<f32>();
            }
            let m = p.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let mut sum = 0.0;
            for pj in p.iter_mut() {
                *pj = (*pj - m).exp();
                sum += *pj;
            }
            for pj in p.iter_mut() {
                *pj /= sum;
            }
            let out = &mut o[i * D + h * DH..][..DH];
            for (j, &pj) in p.iter().enumerate() {
                ops::axpy(out, pj, &qkv[j * 3 * D + 2 * D + h * DH..][..DH]);
            }
        }
    }
    (o, pr)
}

/// Attention backward: ∂loss/∂qkv from ∂loss/∂o.
fn attn_bwd(qkv: &[f32], pr: &[f32], d_o: &[f32]) -> Vec<f32> {
    let scale = 1.0 / (DH as f32).sqrt();
    let mut dqkv = vec![0.0; N * 3 * D];
    let mut dp = [0.0f32; N];
    for h in 0..HEADS {
        for i in 0..N {
            let p = &pr[(h * N + i) * N..][..N];
            let doi = &d_o[i * D + h * DH..][..DH];
            let mut dot = 0.0;
            for j in 0..N {
                let v = &qkv[j * 3 * D + 2 * D + h * DH..][..DH];
                dp[j] = ops::dot(doi, v);
                dot += p[j] * dp[j];
                ops::axpy(&mut dqkv[j * 3 * D + 2 * D + h * DH..][..DH], p[j], doi);
            }
            for j in 0..N {
                let ds = scale * p[j] * (dp[j] - dot);
                let (qi, kj) = (i * 3 * D + h * DH, j * 3 * D + D + h * DH);
                for c in 0..DH {
                    dqkv[qi + c] += ds * qkv[kj + c];
                    dqkv[kj + c] += ds * qkv[qi + c];
                }
            }
        }
    }
    dqkv
}

/// One layer's activations.
pub struct LayerTape {
    a: Vec<f32>,
    axh: Vec<f32>,
    ainv: Vec<f32>,
    qkv: Vec<f32>,
    pr: Vec<f32>,
    o: Vec<f32>,
    c: Vec<f32>,
    cxh: Vec<f32>,
    cinv: Vec<f32>,
    /// relu(fc1(c)).
    h: Vec<f32>,
}

pub struct Tape {
    patches: Vec<f32>,
    layers: Vec<LayerTape>,
    fxh: Vec<f32>,
    finv: Vec<f32>,
    pooled: Vec<f32>,
    logits: Vec<f32>,
}

fn linear(x: &[f32], w: &[f32], b: &[f32], n_in: usize, n_out: usize) -> Vec<f32> {
    let nb = x.len() / n_in;
    let mut y = vec![0.0; nb * n_out];
    ops::linear_fwd(x, w, b, &mut y, nb, n_in, n_out);
    y
}

/// Linear backward over `N` tokens: accumulates into tensors `wi`, `wi + 1` of `g`; returns ∂loss/∂x.
fn linear_back(
    x: &[f32],
    w: &[f32],
    dy: &[f32],
    g: &mut [&mut [f32]],
    wi: usize,
    n_in: usize,
    n_out: usize,
) -> Vec<f32> {
    let mut dx = vec![0.0; x.len()];
    let (gw, gb) = super::pair(g, wi);
    ops::linear_bwd(x, w, dy, gw, gb, Some(&mut dx), x.len() / n_in, n_in, n_out);
    dx
}

impl Net for Transformer {
    type Tape = Tape;

    fn name(&self) -> &'static str {
        "transformer"
    }

    fn specs(&self) -> Vec<(&'static str, Vec<usize>)> {
        let mut v = vec![
            ("embed.weight", vec![D, PD]),
            ("embed.bias", vec![D]),
            ("pos_embed", vec![N, D]),
        ];
        for names in &LAYER_NAMES {
            let shapes = [
                vec![D],
                vec![D],
                vec![3 * D, D],
                vec![3 * D],
                vec![D, D],
                vec![D],
                vec![D],
                vec![D],
                vec![MLP, D],
                vec![MLP],
                vec![D, MLP],
                vec![D],
            ];
            v.extend(names.iter().copied().zip(shapes));
        }
        v.extend([
            ("norm.weight", vec![D]),
            ("norm.bias", vec![D]),
            ("head.weight", vec![CLASSES, D]),
            ("head.bias", vec![CLASSES]),
        ]);
        v
    }

    fn architecture(&self) -> String {
        format!(
            "transformer: 16 patches 7x7 (row-major) -> embed 49->{D} + learned pos_embed [16,{D}]; {LAYERS} pre-norm \
             encoder layers x += proj(MHA(LN1(x))), x += fc2(relu(fc1(LN2(x)))) with {HEADS} heads of {DH}, qkv \
             [3*{D},{D}] (q|k|v), MLP {MLP}; final LN; mean over tokens; head {D}->10; LN eps 1e-5"
        )
    }

    fn defaults(&self) -> Defaults {
        Defaults {
            epochs: 20,
            lr: 1e-3,
            wd: 0.05,
            shift: 1,
        }
    }

    /// Linear weights: normal with std √(1/fan_in) (√(2/fan_in) before the ReLU of the MLP); layer-norm gains
    /// 1; positional embedding normal with std 0.02; biases 0.
    fn init(&self, rng: &mut Rng) -> Vec<f32> {
        let mut p = Vec::new();
        for (name, shape) in self.specs() {
            let n: usize = shape.iter().product();
            if name.contains("ln") || name.starts_with("norm.") {
                let v = if name.ends_with(".weight") { 1.0 } else { 0.0 };
                p.extend(std::iter::repeat_n(v, n));
            } else if name == "pos_embed" {
                p.extend((0..n).map(|_| (0.02 * rng.normal()) as f32));
            } else if name.ends_with(".weight") {
                let gain = if name.contains("fc1") { 2.0 } else { 1.0 };
                let std = (gain / shape[1] as f64).sqrt();
                p.extend((0..n).map(|_| (std * rng.normal()) as f32));
            } else {
                p.extend(std::iter::repeat_n(0.0, n));
            }
        }
        p
    }

    /// Decay on the matrices only (not on biases, layer-norm parameters or the positional embedding).
    fn decay_mask(&self) -> Vec<bool> {
        self.specs()
            .iter()
            .flat_map(|(_, shape)| {
                std::iter::repeat_n(shape.len() == 2 && shape != &[N, D], shape.iter().product())
            })
            .collect()
    }

    fn forward(&self, p: &[&[f32]], x: &[f32]) -> Tape {
        debug_assert_eq!(x.len(), IN);
        let patches = patches(x);
        let mut xs = linear(&patches, p[EMBED_W], p[EMBED_B], PD, D);
        for (v, pos) in xs.iter_mut().zip(p[POS]) {
            *v += pos;
        }
        let mut layers = Vec::with_capacity(LAYERS);
        for l in 0..LAYERS {
            let q = &p[lay(l)..lay(l + 1)];
            let (a, axh, ainv) = ln_fwd(&xs, q[LN1], q[LN1 + 1]);
            let qkv = linear(&a, q[QKV], q[QKV + 1], D, 3 * D);
            let (o, pr) = attn_fwd(&qkv);
            let proj = linear(&o, q[PROJ], q[PROJ + 1], D, D);
            let mid: Vec<f32> = xs.iter().zip(&proj).map(|(a, b)| a + b).collect();
            let (c, cxh, cinv) = ln_fwd(&mid, q[LN2], q[LN2 + 1]);
            let mut h = linear(&c, q[FC1], q[FC1 + 1], D, MLP);
            ops::relu(&mut h);
            let m = linear(&h, q[FC2], q[FC2 + 1], MLP, D);
            let out: Vec<f32> = mid.iter().zip(&m).map(|(a, b)| a + b).collect();
            layers.push(LayerTape {
                a,
                axh,
                ainv,
                qkv,
                pr,
                o,
                c,
                cxh,
                cinv,
                h,
            });
            xs = out;
        }
        let (f, fxh, finv) = ln_fwd(&xs, p[NORM], p[NORM + 1]);
        let pooled: Vec<f32> = (0..D)
            .map(|o| (0..N).map(|t| f[t * D + o]).sum::<f32>() / N as f32)
            .collect();
        let logits = super::dense_fwd(p[HEAD], p[HEAD + 1], &pooled);
        Tape {
            patches,
            layers,
            fxh,
            finv,
            pooled,
            logits,
        }
    }

    fn logits<'t>(&self, t: &'t Tape) -> &'t [f32] {
        &t.logits
    }

    fn backward(&self, p: &[&[f32]], t: &Tape, _x: &[f32], dlogits: &[f32], g: &mut [&mut [f32]]) {
        let mut dpooled = vec![0.0; D];
        let (gw, gb) = super::pair(g, HEAD);
        ops::linear_bwd(
            &t.pooled,
            p[HEAD],
            dlogits,
            gw,
            gb,
            Some(&mut dpooled),
            1,
            D,
            CLASSES,
        );
        let df: Vec<f32> = (0..N * D).map(|k| dpooled[k % D] / N as f32).collect();
        let (gg, gb) = super::pair(g, NORM);
        let mut dx = ln_bwd(&df, &t.fxh, &t.finv, p[NORM], gg, gb);
        for l in (0..LAYERS).rev() {
            let (q, lt, base) = (&p[lay(l)..lay(l + 1)], &t.layers[l], lay(l));
            // x_out = mid + fc2(relu(fc1(LN2(mid)))).
            let mut dh = linear_back(&lt.h, q[FC2], &dx, g, base + FC2, MLP, D);
            ops::relu_bwd(&lt.h, &mut dh);
            let dc = linear_back(&lt.c, q[FC1], &dh, g, base + FC1, D, MLP);
            let (gg, gb) = super::pair(g, base + LN2);
            let dmid_ln = ln_bwd(&dc, &lt.cxh, &lt.cinv, q[LN2], gg, gb);
            let dmid: Vec<f32> = dx.iter().zip(&dmid_ln).map(|(a, b)| a + b).collect();
            // mid = x + proj(MHA(LN1(x))).
            let d_o = linear_back(&lt.o, q[PROJ], &dmid, g, base + PROJ, D, D);
            let dqkv = attn_bwd(&lt.qkv, &lt.pr, &d_o);
            let da = linear_back(&lt.a, q[QKV], &dqkv, g, base + QKV, D, 3 * D);
            let (gg, gb) = super::pair(g, base + LN1);
            let dx_ln = ln_bwd(&da, &lt.axh, &lt.ainv, q[LN1], gg, gb);
            dx = dmid.iter().zip(&dx_ln).map(|(a, b)| a + b).collect();
        }
        for (gp, d) in g[POS].iter_mut().zip(&dx) {
            *gp += d;
        }
        let (gw, gb) = super::pair(g, EMBED_W);
        ops::linear_bwd(&t.patches, p[EMBED_W], &dx, gw, gb, None, N, PD, D);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn transformer_gradients_match_finite_differences() {
        super::super::tests::grad_check(&super::Transformer);
    }

    #[test]
    fn patches_are_row_major_7x7() {
        let x: Vec<f32> = (0..784).map(|i| i as f32).collect();
        let p = super::patches(&x);
        assert_eq!(&p[..3], &[0.0, 1.0, 2.0]);
        assert_eq!(p[7], 28.0);
        assert_eq!(p[49], 7.0); // patch 1 starts at column 7
        assert_eq!(p[4 * 49], (7 * 28) as f32); // patch 4 starts at row 7
    }
}
