//! `resnet`: a small residual CNN.
//!
//! stem conv3×3 1→16 pad 1 + ReLU (28×28) → maxpool → block1 at 14×14 → maxpool → block2 at 7×7 → flatten
//! (C·H·W, 784) → fc 784→10. A block is `relu(x + conv3×3(relu(conv3×3(x))))` (16→16, pad 1, identity skip),
//! no batch normalisation.

use super::{CLASSES, Defaults, IN, Net, pair, relu_of};
use crate::ops::{self, Conv};
use crate::rng::Rng;

pub struct ResNet;

pub const C: usize = 16;
/// Stem: 1→16 at 28×28.
pub const STEM: Conv = Conv {
    c_in: 1,
    c_out: C,
    h: 28,
    w: 28,
    k: 3,
    pad: 1,
};
/// Block convolutions at 14×14 and 7×7.
pub const B1: Conv = Conv {
    c_in: C,
    c_out: C,
    h: 14,
    w: 14,
    k: 3,
    pad: 1,
};
pub const B2: Conv = Conv {
    c_in: C,
    c_out: C,
    h: 7,
    w: 7,
    k: 3,
    pad: 1,
};
pub const FLAT: usize = C * 7 * 7;

/// A residual block's activations.
pub struct Block {
    col1: Vec<f32>,
    /// relu(conv1(x)).
    t1: Vec<f32>,
    col2: Vec<f32>,
    /// relu(x + conv2(t1)).
    out: Vec<f32>,
}

pub struct Tape {
    col0: Vec<f32>,
    a0: Vec<f32>,
    arg0: Vec<u32>,
    b1: Block,
    arg1: Vec<u32>,
    b2: Block,
    logits: Vec<f32>,
}

fn conv(g: &Conv, w: &[f32], b: &[f32], x: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let mut col = vec![0.0; g.kk() * g.p()];
    g.im2col(x, &mut col);
    let mut y = vec![0.0; g.out_len()];
    g.fwd(&col, w, b, &mut y);
    (col, y)
}

/// Block forward; `p` holds conv1 weight, bias, conv2 weight, bias.
fn block_fwd(g: &Conv, p: &[&[f32]], x: &[f32]) -> Block {
    let (col1, mut t1) = conv(g, p[0], p[1], x);
    ops::relu(&mut t1);
    let (col2, mut out) = conv(g, p[2], p[3], &t1);
    for (o, &xi) in out.iter_mut().zip(x) {
        *o = (*o + xi).max(0.0);
    }
    Block {
        col1,
        t1,
        col2,
        out,
    }
}

/// Block backward: `dout` is ∂loss/∂out; returns ∂loss/∂x. `g4` holds the four gradient tensors.
fn block_bwd(
    g: &Conv,
    p: &[&[f32]],
    b: &Block,
    mut dout: Vec<f32>,
    g4: &mut [&mut [f32]],
) -> Vec<f32> {
    ops::relu_bwd(&b.out, &mut dout); // now ∂loss/∂(x + conv2(t1))
    let mut dcol = vec![0.0; g.kk() * g.p()];
    let (gw, gb) = pair(g4, 2);
    g.bwd(&b.col2, p[2], &dout, gw, gb, Some(&mut dcol));
    let mut dt1 = vec![0.0; g.out_len()];
    g.col2im(&dcol, &mut dt1);
    ops::relu_bwd(&b.t1, &mut dt1);
    let (gw, gb) = pair(g4, 0);
    g.bwd(&b.col1, p[0], &dt1, gw, gb, Some(&mut dcol));
    let mut dx = dout; // the identity skip
    g.col2im(&dcol, &mut dx);
    dx
}

impl Net for ResNet {
    type Tape = Tape;

    fn name(&self) -> &'static str {
        "resnet"
    }

    fn specs(&self) -> Vec<(&'static str, Vec<usize>)> {
        let k = vec![C, C, 3, 3];
        vec![
            ("stem.weight", vec![C, 1, 3, 3]),
            ("stem.bias", vec![C]),
            ("block1.conv1.weight", k.clone()),
            ("block1.conv1.bias", vec![C]),
            ("block1.conv2.weight", k.clone()),
            ("block1.conv2.bias", vec![C]),
            ("block2.conv1.weight", k.clone()),
            ("block2.conv1.bias", vec![C]),
            ("block2.conv2.weight", k),
            ("block2.conv2.bias", vec![C]),
            ("fc.weight", vec![CLASSES, FLAT]),
            ("fc.bias", vec![CLASSES]),
        ]
    }

    fn architecture(&self) -> String {
        "resnet: stem conv3x3 1->16 pad1 relu, maxpool2, block1 (14x14), maxpool2, block2 (7x7), flatten CHW 784, \
         fc 784->10; block(x) = relu(x + conv3x3 16->16 pad1(relu(conv3x3 16->16 pad1(x)))), identity skip, no \
         batch norm"
            .into()
    }

    fn defaults(&self) -> Defaults {
        Defaults {
            epochs: 6,
            lr: 2e-3,
            wd: 0.1,
            shift: 1,
        }
    }

    /// He-normal everywhere, except each block's second convolution, scaled by 1/2 so that the residual
    /// branch starts small next to the identity.
    fn init(&self, rng: &mut Rng) -> Vec<f32> {
        let mut p = Vec::new();
        for (name, shape) in self.specs() {
            let mut t = super::he_or_zero(name, &shape, rng);
            if name.ends_with("conv2.weight") {
                t.iter_mut().for_each(|v| *v *= 0.5);
            }
            p.extend(t);
        }
        p
    }

    fn forward(&self, p: &[&[f32]], x: &[f32]) -> Tape {
        debug_assert_eq!(x.len(), IN);
        let (col0, a0) = conv(&STEM, p[0], p[1], x);
        let a0 = relu_of(&a0);
        let mut p0 = vec![0.0; C * 14 * 14];
        let mut arg0 = vec![0; C * 14 * 14];
        ops::maxpool_fwd(&a0, C, 28, 28, &mut p0, &mut arg0);
        let b1 = block_fwd(&B1, &p[2..6], &p0);
        let mut p1 = vec![0.0; FLAT];
        let mut arg1 = vec![0; FLAT];
        ops::maxpool_fwd(&b1.out, C, 14, 14, &mut p1, &mut arg1);
        let b2 = block_fwd(&B2, &p[6..10], &p1);
        let logits = super::dense_fwd(p[10], p[11], &b2.out);
        Tape {
            col0,
            a0,
            arg0,
            b1,
            arg1,
            b2,
            logits,
        }
    }

    fn logits<'t>(&self, t: &'t Tape) -> &'t [f32] {
        &t.logits
    }

    fn backward(&self, p: &[&[f32]], t: &Tape, _x: &[f32], dlogits: &[f32], g: &mut [&mut [f32]]) {
        let mut dflat = vec![0.0; FLAT];
        let (gw, gb) = pair(g, 10);
        ops::linear_bwd(
            &t.b2.out,
            p[10],
            dlogits,
            gw,
            gb,
            Some(&mut dflat),
            1,
            FLAT,
            CLASSES,
        );
        let dp1 = block_bwd(&B2, &p[6..10], &t.b2, dflat, &mut g[6..10]);
        let mut db1 = vec![0.0; C * 14 * 14];
        ops::maxpool_bwd(&dp1, &t.arg1, &mut db1);
        let dp0 = block_bwd(&B1, &p[2..6], &t.b1, db1, &mut g[2..6]);
        let mut da0 = vec![0.0; C * 28 * 28];
        ops::maxpool_bwd(&dp0, &t.arg0, &mut da0);
        ops::relu_bwd(&t.a0, &mut da0);
        let (gw, gb) = pair(g, 0);
        STEM.bwd(&t.col0, p[0], &da0, gw, gb, None);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn resnet_gradients_match_finite_differences() {
        super::super::tests::grad_check(&super::ResNet);
    }
}
