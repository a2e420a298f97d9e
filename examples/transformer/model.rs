//! A small transformer encoder for MNIST, written with the zoo's `#[quantize]` layers.
//!
//! 16 patches of 7×7 → `patch_embed` (49→32, plus a learned positional embedding) → 2 pre-norm encoder layers
//! `x = x + proj(self_attention(qkv(layer_norm(x))))`, `x = x + fc2(relu(fc1(layer_norm(x))))` (4 heads of 8,
//! MLP 128; the linear maps are `dense` applied token by token, the residual adds `residual_add`) → final
//! `layer_norm` → `mean_tokens` → head 32→10.
use std::path::Path;
use zoo::data::{Dataset, Split};
use zoo::driver::{Classifier, WeightInfo};
use zoo::layers::{
    dense, layer_norm, mean_tokens, patch_embed, residual_add, self_attention, to_site,
};
use zoo::weights::Weights;

number_rt::instances!(
    pub Embed,
    pub L1Ln1, pub L1Qkv, pub L1Attn, pub L1Proj, pub L1Res1, pub L1Ln2, pub L1Fc1, pub L1Fc2, pub L1Res2,
    pub L2Ln1, pub L2Qkv, pub L2Attn, pub L2Proj, pub L2Res1, pub L2Ln2, pub L2Fc1, pub L2Fc2, pub L2Res2,
    pub Norm, pub Pool, pub Head,
);
number_rt::include_tuned!("examples/transformer/tuned.rs");

/// Patch side, tokens, width, heads, MLP width.
const P: usize = 7;
const N: usize = 16;
const D: usize = 32;
const HEADS: usize = 4;
const MLP: usize = 128;

use zoo::driver::weight_info as info;

/// `dense` applied to each of the `N` tokens of `x` (`[N][n_in]` → `[N][n_out]`).
macro_rules! per_token {
    ($inst:ty, $w:expr, $b:expr, $x:expr, $n_out:expr, $relu:expr) => {{
        let n_in = $x.len() / N;
        let mut y = vec![0.0; N * $n_out];
        for t in 0..N {
            dense::<$inst>(
                $w,
                $b,
                &$x[t * n_in..(t + 1) * n_in],
                &mut y[t * $n_out..(t + 1) * $n_out],
                $relu,
            );
        }
        y
    }};
}

/// One encoder layer's weights (each tensor in its site's format) and forward pass, for the given instances.
macro_rules! encoder_layer {
    ($name:ident, $prefix:literal: $ln1:ident, $qkv:ident, $attn:ident, $proj:ident, $res1:ident, $ln2:ident,
     $fc1:ident, $fc2:ident, $res2:ident) => {
        struct $name {
            ln1_g: layer_norm::G<$ln1>,
            ln1_b: layer_norm::B<$ln1>,
            qkv_w: dense::W<$qkv>,
            qkv_b: dense::B<$qkv>,
            proj_w: dense::W<$proj>,
            proj_b: dense::B<$proj>,
            ln2_g: layer_norm::G<$ln2>,
            ln2_b: layer_norm::B<$ln2>,
            fc1_w: dense::W<$fc1>,
            fc1_b: dense::B<$fc1>,
            fc2_w: dense::W<$fc2>,
            fc2_b: dense::B<$fc2>,
        }

        impl $name {
            fn load(t: &Weights) -> Result<Self, String> {
                let get = |n: &str, s: &[usize]| t.get(&format!(concat!($prefix, ".{}"), n), s);
                Ok($name {
                    ln1_g: to_site(get("ln1.weight", &[D])?),
                    ln1_b: to_site(get("ln1.bias", &[D])?),
                    qkv_w: to_site(get("attn.qkv.weight", &[3 * D, D])?),
                    qkv_b: to_site(get("attn.qkv.bias", &[3 * D])?),
                    proj_w: to_site(get("attn.proj.weight", &[D, D])?),
                    proj_b: to_site(get("attn.proj.bias", &[D])?),
                    ln2_g: to_site(get("ln2.weight", &[D])?),
                    ln2_b: to_site(get("ln2.bias", &[D])?),
                    fc1_w: to_site(get("mlp.fc1.weight", &[MLP, D])?),
                    fc1_b: to_site(get("mlp.fc1.bias", &[MLP])?),
                    fc2_w: to_site(get("mlp.fc2.weight", &[D, MLP])?),
                    fc2_b: to_site(get("mlp.fc2.bias", &[D])?),
                })
            }

            /// `x + attention block`, then `+ MLP block`.
            fn forward(&self, x: &[f32]) -> Vec<f32> {
                let mut a = vec![0.0; N * D];
                layer_norm::<$ln1>(&self.ln1_g, &self.ln1_b, x, &mut a);
                let qkv = per_token!($qkv, &self.qkv_w, &self.qkv_b, a, 3 * D, false);
                let mut o = vec![0.0; N * D];
                self_attention::<$attn>(&qkv, &mut o, N, HEADS);
                let proj = per_token!($proj, &self.proj_w, &self.proj_b, o, D, false);
                let mut mid = vec![0.0; N * D];
                residual_add::<$res1>(x, &proj, &mut mid, false);

                let mut c = vec![0.0; N * D];
                layer_norm::<$ln2>(&self.ln2_g, &self.ln2_b, &mid, &mut c);
                let h = per_token!($fc1, &self.fc1_w, &self.fc1_b, c, MLP, true);
                let m = per_token!($fc2, &self.fc2_w, &self.fc2_b, h, D, false);
                let mut out = vec![0.0; N * D];
                residual_add::<$res2>(&mid, &m, &mut out, false);
                out
            }

            fn weights(&self, v: &mut Vec<WeightInfo>) {
                let site = |inst: &str, f: &str| format!("{inst}/{f}");
                v.push(info(&site(stringify!($ln1), "layer_norm.g"), &self.ln1_g));
                v.push(info(&site(stringify!($ln1), "layer_norm.b"), &self.ln1_b));
                v.push(info(&site(stringify!($qkv), "dense.w"), &self.qkv_w));
                v.push(info(&site(stringify!($qkv), "dense.b"), &self.qkv_b));
                v.push(info(&site(stringify!($proj), "dense.w"), &self.proj_w));
                v.push(info(&site(stringify!($proj), "dense.b"), &self.proj_b));
                v.push(info(&site(stringify!($ln2), "layer_norm.g"), &self.ln2_g));
                v.push(info(&site(stringify!($ln2), "layer_norm.b"), &self.ln2_b));
                v.push(info(&site(stringify!($fc1), "dense.w"), &self.fc1_w));
                v.push(info(&site(stringify!($fc1), "dense.b"), &self.fc1_b));
                v.push(info(&site(stringify!($fc2), "dense.w"), &self.fc2_w));
                v.push(info(&site(stringify!($fc2), "dense.b"), &self.fc2_b));
            }
        }
    };
}

encoder_layer!(Layer1, "layers.0": L1Ln1, L1Qkv, L1Attn, L1Proj, L1Res1, L1Ln2, L1Fc1, L1Fc2, L1Res2);
encoder_layer!(Layer2, "layers.1": L2Ln1, L2Qkv, L2Attn, L2Proj, L2Res1, L2Ln2, L2Fc1, L2Fc2, L2Res2);

/// The transformer with each weight tensor stored in its site's format.
pub struct Transformer {
    embed_w: patch_embed::W<Embed>,
    embed_b: patch_embed::B<Embed>,
    pos: patch_embed::Pos<Embed>,
    layer1: Layer1,
    layer2: Layer2,
    norm_g: layer_norm::G<Norm>,
    norm_b: layer_norm::B<Norm>,
    head_w: dense::W<Head>,
    head_b: dense::B<Head>,
}

impl Classifier for Transformer {
    const NAME: &'static str = "transformer";

    fn load(path: &Path) -> Result<Self, String> {
        let t = Weights::load(path)?;
        Ok(Transformer {
            embed_w: to_site(t.get("embed.weight", &[D, P * P])?),
            embed_b: to_site(t.get("embed.bias", &[D])?),
            pos: to_site(t.get("pos_embed", &[N, D])?),
            layer1: Layer1::load(&t)?,
            layer2: Layer2::load(&t)?,
            norm_g: to_site(t.get("norm.weight", &[D])?),
            norm_b: to_site(t.get("norm.bias", &[D])?),
            head_w: to_site(t.get("head.weight", &[10, D])?),
            head_b: to_site(t.get("head.bias", &[10])?),
        })
    }

    fn dataset(split: Split) -> Result<Dataset, String> {
        zoo::data::mnist_unseen(split).map_err(|e| e.to_string())
    }

    fn logits(&self, x: &[f32]) -> Vec<f32> {
        let mut t0 = vec![0.0; N * D];
        patch_embed::<Embed>(&self.embed_w, &self.embed_b, &self.pos, x, &mut t0, 28, P);
        let t1 = self.layer1.forward(&t0);
        let t2 = self.layer2.forward(&t1);
        let mut f = vec![0.0; N * D];
        layer_norm::<Norm>(&self.norm_g, &self.norm_b, &t2, &mut f);
        let mut pooled = vec![0.0; D];
        mean_tokens::<Pool>(&f, &mut pooled);
        let mut out = vec![0.0; 10];
        dense::<Head>(&self.head_w, &self.head_b, &pooled, &mut out, false);
        out
    }

    fn weights(&self) -> Vec<WeightInfo> {
        let mut v = vec![
            info("Embed/patch_embed.w", &self.embed_w),
            info("Embed/patch_embed.b", &self.embed_b),
            info("Embed/patch_embed.pos", &self.pos),
        ];
        self.layer1.weights(&mut v);
        self.layer2.weights(&mut v);
        v.extend([
            info("Norm/layer_norm.g", &self.norm_g),
            info("Norm/layer_norm.b", &self.norm_b),
            info("Head/dense.w", &self.head_w),
            info("Head/dense.b", &self.head_b),
        ]);
        v
    }
}
