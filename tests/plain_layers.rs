//! Plain builds: the zoo's `#[quantize]`d `dense` and `conv2d` compute bit for bit what hand copies of their bodies
//! (without the attribute) compute, on LeNet's geometries and random inputs (with NaN and infinities).
//! `tests/quantize_plain.rs` checks small twins made by a macro; this checks the zoo's own layer functions, which
//! `benches/plain_overhead.rs` times against the same hand copies.
#![cfg(not(any(feature = "calibrate", feature = "tuned")))]

use zoo::layers::{
    Conv, Depthwise, conv2d, dense, depthwise_conv2d, maxpool2, patch_embed, self_attention,
};

number_rt::instances!(Fc, Cv);

#[path = "common/hand_layers.rs"]
mod hand_layers;
use hand_layers::{
    conv2d_direct, conv2d_hand, dense_hand, depthwise_direct, patch_embed_direct,
    self_attention_direct,
};

struct Rng(u64);
impl Rng {
    /// A value in [-2, 2), or with `special` now and then NaN, ±inf or 1e30.
    fn next(&mut self, special: bool) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        match if special { self.0 % 64 } else { 64 } {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => -f32::INFINITY,
            3 => 1e30,
            _ => ((self.0 >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0) as f32,
        }
    }
    fn vec(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.next(false)).collect()
    }
    fn vec_special(&mut self, n: usize) -> Vec<f32> {
        (0..n).map(|_| self.next(true)).collect()
    }
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn zoo_dense_equals_hand_copy() {
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    for (n_in, n_out) in [(400, 120), (120, 84), (84, 10), (7, 3)] {
        for round in 0..8 {
            let (w, b) = (r.vec(n_out * n_in), r.vec(n_out));
            // The last round feeds NaN and infinities (NaN must propagate, and ReLU maps it to 0, alike).
            let x = if round == 7 {
                r.vec_special(n_in)
            } else {
                r.vec(n_in)
            };
            let relu = round % 2 == 0;
            let (mut y0, mut y1) = (vec![0.0; n_out], vec![0.0; n_out]);
            dense_hand::<Fc>(&w, &b, &x, &mut y0, relu);
            let (wq, bq): (Vec<dense::w<Fc>>, Vec<dense::b<Fc>>) = (w.clone(), b.clone());
            dense::<Fc>(&wq, &bq, &x, &mut y1, relu);
            assert_eq!(bits(&y0), bits(&y1), "dense {n_in}->{n_out} relu={relu}");
        }
    }
}

#[test]
fn zoo_conv2d_equals_hand_copy() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    let geoms = [
        Conv {
            in_c: 1,
            in_h: 28,
            in_w: 28,
            out_c: 6,
            k: 5,
            pad: 2,
        },
        Conv {
            in_c: 6,
            in_h: 14,
            in_w: 14,
            out_c: 16,
            k: 5,
            pad: 0,
        },
        Conv {
            in_c: 3,
            in_h: 9,
            in_w: 7,
            out_c: 4,
            k: 3,
            pad: 1,
        },
    ];
    for g in geoms {
        for round in 0..4 {
            let (w, b) = (r.vec(g.weight_len()), r.vec(g.out_c));
            let n_x = g.in_c * g.in_h * g.in_w;
            let x = if round == 3 {
                r.vec_special(n_x)
            } else {
                r.vec(n_x)
            };
            let relu = round % 2 == 0;
            let (mut y0, mut y1) = (vec![0.0; g.out_len()], vec![0.0; g.out_len()]);
            conv2d_hand::<Cv>(&w, &b, &x, &mut y0, g, relu);
            let (wq, bq): (Vec<conv2d::w<Cv>>, Vec<conv2d::b<Cv>>) = (w.clone(), b.clone());
            conv2d::<Cv>(&wq, &bq, &x, &mut y1, g, relu);
            assert_eq!(bits(&y0), bits(&y1), "conv2d {g:?} relu={relu}");
        }
    }
}

/// The zoo's convolutions sum all output positions side by side; each output must still see the steps of its
/// own inner product in order (bias, then the taps), so they equal per-output references bit for bit.
#[test]
fn convolutions_equal_per_output_inner_products() {
    let mut r = Rng(0x51_7cc1_b727_220a);
    for g in [
        Conv {
            in_c: 1,
            in_h: 28,
            in_w: 28,
            out_c: 6,
            k: 5,
            pad: 2,
        },
        Conv {
            in_c: 6,
            in_h: 14,
            in_w: 14,
            out_c: 16,
            k: 5,
            pad: 0,
        },
        Conv {
            in_c: 3,
            in_h: 9,
            in_w: 7,
            out_c: 4,
            k: 3,
            pad: 1,
        },
        Conv {
            in_c: 2,
            in_h: 4,
            in_w: 3,
            out_c: 2,
            k: 5,
            pad: 3,
        },
        Conv {
            in_c: 16,
            in_h: 7,
            in_w: 7,
            out_c: 8,
            k: 1,
            pad: 0,
        },
    ] {
        let (w, b, x) = (
            r.vec(g.weight_len()),
            r.vec(g.out_c),
            r.vec(g.in_c * g.in_h * g.in_w),
        );
        let (mut y0, mut y1) = (vec![0.0; g.out_len()], vec![0.0; g.out_len()]);
        conv2d_direct(&w, &b, &x, &mut y0, g, true);
        conv2d::<Cv>(&w, &b, &x, &mut y1, g, true);
        assert_eq!(bits(&y0), bits(&y1), "conv2d {g:?}");
    }
    for g in [
        Depthwise {
            c: 16,
            in_h: 28,
            in_w: 28,
            k: 5,
            pad: 2,
            stride: 2,
        },
        Depthwise {
            c: 3,
            in_h: 7,
            in_w: 9,
            k: 3,
            pad: 1,
            stride: 1,
        },
        Depthwise {
            c: 2,
            in_h: 5,
            in_w: 6,
            k: 3,
            pad: 0,
            stride: 2,
        },
        Depthwise {
            c: 2,
            in_h: 3,
            in_w: 4,
            k: 5,
            pad: 3,
            stride: 3,
        },
    ] {
        let (w, b, x) = (
            r.vec(g.weight_len()),
            r.vec(g.c),
            r.vec(g.c * g.in_h * g.in_w),
        );
        let (mut y0, mut y1) = (vec![0.0; g.out_len()], vec![0.0; g.out_len()]);
        depthwise_direct(&w, &b, &x, &mut y0, g, false);
        depthwise_conv2d::<Cv>(&w, &b, &x, &mut y1, g, false);
        assert_eq!(bits(&y0), bits(&y1), "depthwise {g:?}");
    }
}

/// `patch_embed` and `self_attention` run their inner products with tokens or keys as lanes; each value must
/// equal its per-output reference bit for bit.
#[test]
fn attention_layers_equal_per_output_inner_products() {
    let mut r = Rng(0x3c6e_f372_fe94_f82b);
    for (side, p, d) in [(28, 7, 32), (12, 3, 5), (8, 8, 4)] {
        let nt = (side / p) * (side / p);
        let (w, b, pos, x) = (
            r.vec(d * p * p),
            r.vec(d),
            r.vec(nt * d),
            r.vec(side * side),
        );
        let (mut y0, mut y1) = (vec![0.0; nt * d], vec![0.0; nt * d]);
        patch_embed_direct(&w, &b, &pos, &x, &mut y0, side, p);
        patch_embed::<Cv>(&w, &b, &pos, &x, &mut y1, side, p);
        assert_eq!(bits(&y0), bits(&y1), "patch_embed side {side} p {p} d {d}");
    }
    for (n, d, heads) in [(16, 32, 4), (5, 6, 2), (1, 4, 1), (70, 8, 1)] {
        let qkv = r.vec(n * 3 * d);
        let (mut y0, mut y1) = (vec![0.0; n * d], vec![0.0; n * d]);
        self_attention_direct(&qkv, &mut y0, n, heads);
        self_attention::<Cv>(&qkv, &mut y1, n, heads);
        assert_eq!(
            bits(&y0),
            bits(&y1),
            "self_attention n {n} d {d} heads {heads}"
        );
    }
}

/// `maxpool2` takes, per output, `x00.max(x01).max(x10).max(x11)` in that order (the order decides between NaN,
/// -0.0 and +0.0), also for odd sizes (the last row and column are dropped).
#[test]
fn maxpool_equals_the_per_output_expression() {
    let mut r = Rng(0x5eed);
    for (c, h, w) in [(6, 28, 28), (16, 10, 10), (3, 7, 9), (1, 2, 2)] {
        let mut x: Vec<f32> = (0..c * h * w).map(|_| r.next(true)).collect();
        for (i, v) in x.iter_mut().enumerate() {
            if i % 11 == 0 {
                *v = if i % 2 == 0 { 0.0 } else { -0.0 };
            }
        }
        let (oh, ow) = (h / 2, w / 2);
        let mut want = vec![0f32; c * oh * ow];
        for ch in 0..c {
            for oy in 0..oh {
                for ox in 0..ow {
                    let at = |yy: usize, xx: usize| x[(ch * h + yy) * w + xx];
                    want[(ch * oh + oy) * ow + ox] = at(2 * oy, 2 * ox)
                        .max(at(2 * oy, 2 * ox + 1))
                        .max(at(2 * oy + 1, 2 * ox))
                        .max(at(2 * oy + 1, 2 * ox + 1));
                }
            }
        }
        let mut got = vec![0f32; c * oh * ow];
        maxpool2(&x, &mut got, c, h, w);
        assert_eq!(bits(&got), bits(&want), "{c}x{h}x{w}");
    }
}
