//! `mobilenet`: a depthwise-separable (MobileNet-style) CNN.
//!
//! stem conv3×3 1→16 pad 1 + ReLU (28×28) → 3 blocks of [depthwise 5×5 pad 2 + ReLU, pointwise 1×1 + ReLU]:
//! block1 dw 16 stride 2 (→14×14), pw 16→32; block2 dw 32 stride 2 (→7×7), pw 32→64; block3 dw 64 stride 1,
//! pw 64→128 → global average pool (128) → fc 128→10. No batch normalisation.

use super::{CLASSES, Defaults, IN, Net, pair};
use crate::ops::{self, Conv};

pub struct MobileNet;

/// Depthwise convolution geometry: `c` channels of `h × w`, `k × k`, padding `pad`, stride `s`.
#[derive(Clone, Copy, Debug)]
pub struct Dw {
    pub c: usize,
    pub h: usize,
    pub w: usize,
    pub k: usize,
    pub pad: usize,
    pub s: usize,
}

impl Dw {
    pub fn oh(&self) -> usize {
        (self.h + 2 * self.pad - self.k) / self.s + 1
    }
    pub fn ow(&self) -> usize {
        (self.w + 2 * self.pad - self.k) / self.s + 1
    }
    pub fn out_len(&self) -> usize {
        self.c * self.oh() * self.ow()
    }

    /// Calls `f(out index, weight index, input index)` for every tap that lands inside the input.
    #[inline]
    fn taps(&self, mut f: impl FnMut(usize, usize, usize)) {
        let (oh, ow, k) = (self.oh(), self.ow(), self.k);
        for c in 0..self.c {
            for oy in 0..oh {
                for ox in 0..ow {
                    let o = (c * oh + oy) * ow + ox;
                    for ky in 0..k {
                        let iy = (oy * self.s + ky) as isize - self.pad as isize;
                        if iy < 0 || iy >= self.h as isize {
                            continue;
                        }
                        for kx in 0..k {
                            let ix = (ox * self.s + kx) as isize - self.pad as isize;
                            if ix < 0 || ix >= self.w as isize {
                                continue;
                            }
                            f(
                                o,
                                (c * k + ky) * k + kx,
                                (c * self.h + iy as usize) * self.w + ix as usize,
                            );
                        }
                    }
                }
            }
        }
    }

    pub fn fwd(&self, w: &[f32], b: &[f32], x: &[f32]) -> Vec<f32> {
        let p = self.oh() * self.ow();
        let mut y: Vec<f32> = (0..self.out_len()).map(|o| b[o / p]).collect();
        self.taps(|o, wi, xi| y[o] += w[wi] * x[xi]);
        y
    }

    /// Accumulates `dw`, `db` and returns ∂loss/∂x.
    pub fn bwd(
        &self,
        w: &[f32],
        x: &[f32],
        dy: &[f32],
        dw: &mut [f32],
        db: &mut [f32],
    ) -> Vec<f32> {
        let p = self.oh() * self.ow();
        for (o, g) in dy.iter().enumerate() {
            db[o / p] += g;
        }
        let mut dx = vec![0.0; x.len()];
        self.taps(|o, wi, xi| {
            dw[wi] += dy[o] * x[xi];
            dx[xi] += dy[o] * w[wi];
        });
        dx
    }
}

pub const STEM: Conv = Conv {
    c_in: 1,
    c_out: 16,
    h: 28,
    w: 28,
    k: 3,
    pad: 1,
};
/// Depthwise kernel size (5×5: a 31-pixel receptive field before the global average pool).
pub const K: usize = 5;
pub const DW: [Dw; 3] = [
    Dw {
        c: 16,
        h: 28,
        w: 28,
        k: K,
        pad: K / 2,
        s: 2,
    },
    Dw {
        c: 32,
        h: 14,
        w: 14,
        k: K,
        pad: K / 2,
        s: 2,
    },
    Dw {
        c: 64,
        h: 7,
        w: 7,
        k: K,
        pad: K / 2,
        s: 1,
    },
];
pub const PW: [Conv; 3] = [
    Conv {
        c_in: 16,
        c_out: 32,
        h: 14,
        w: 14,
        k: 1,
        pad: 0,
    },
    Conv {
        c_in: 32,
        c_out: 64,
        h: 7,
        w: 7,
        k: 1,
        pad: 0,
    },
    Conv {
        c_in: 64,
        c_out: 128,
        h: 7,
        w: 7,
        k: 1,
        pad: 0,
    },
];
pub const FEAT: usize = 128;

pub struct Tape {
    col0: Vec<f32>,
    /// relu(stem).
    a0: Vec<f32>,
    /// Per block: relu(dw(x)), relu(pw(·)).
    d: Vec<Vec<f32>>,
    q: Vec<Vec<f32>>,
    feat: Vec<f32>,
    logits: Vec<f32>,
}

impl Net for MobileNet {
    type Tape = Tape;

    fn name(&self) -> &'static str {
        "mobilenet"
    }

    fn specs(&self) -> Vec<(&'static str, Vec<usize>)> {
        let mut v = vec![("stem.weight", vec![16, 1, 3, 3]), ("stem.bias", vec![16])];
        let names = [
            [
                "block1.dw.weight",
                "block1.dw.bias",
                "block1.pw.weight",
                "block1.pw.bias",
            ],
            [
                "block2.dw.weight",
                "block2.dw.bias",
                "block2.pw.weight",
                "block2.pw.bias",
            ],
            [
                "block3.dw.weight",
                "block3.dw.bias",
                "block3.pw.weight",
                "block3.pw.bias",
            ],
        ];
        for (i, n) in names.iter().enumerate() {
            v.push((n[0], vec![DW[i].c, 1, K, K]));
            v.push((n[1], vec![DW[i].c]));
            v.push((n[2], vec![PW[i].c_out, PW[i].c_in, 1, 1]));
            v.push((n[3], vec![PW[i].c_out]));
        }
        v.push(("fc.weight", vec![CLASSES, FEAT]));
        v.push(("fc.bias", vec![CLASSES]));
        v
    }

    fn architecture(&self) -> String {
        "mobilenet: stem conv3x3 1->16 pad1 relu (28x28); block1 dw5x5 16 stride2 pad2 relu (14x14), pw1x1 16->32 \
         relu; block2 dw5x5 32 stride2 pad2 relu (7x7), pw1x1 32->64 relu; block3 dw5x5 64 stride1 pad2 relu, \
         pw1x1 64->128 relu; global average pool 128; fc 128->10; no batch norm"
            .into()
    }

    fn defaults(&self) -> Defaults {
        Defaults {
            epochs: 10,
            lr: 2e-3,
            wd: 0.1,
            shift: 1,
        }
    }

    fn forward(&self, p: &[&[f32]], x: &[f32]) -> Tape {
        debug_assert_eq!(x.len(), IN);
        let mut col0 = vec![0.0; STEM.kk() * STEM.p()];
        STEM.im2col(x, &mut col0);
        let mut a0 = vec![0.0; STEM.out_len()];
        STEM.fwd(&col0, p[0], p[1], &mut a0);
        ops::relu(&mut a0);
        let (mut d, mut q) = (Vec::new(), Vec::new());
        for i in 0..3 {
            let input = if i == 0 { &a0 } else { &q[i - 1] };
            let mut di = DW[i].fwd(p[2 + 4 * i], p[3 + 4 * i], input);
            ops::relu(&mut di);
            // A 1×1 convolution's im2col is the input itself.
            let mut qi = vec![0.0; PW[i].out_len()];
            PW[i].fwd(&di, p[4 + 4 * i], p[5 + 4 * i], &mut qi);
            ops::relu(&mut qi);
            d.push(di);
            q.push(qi);
        }
        let hw = 7 * 7;
        let feat: Vec<f32> = (0..FEAT)
            .map(|c| q[2][c * hw..(c + 1) * hw].iter().sum::<f32>() / hw as f32)
            .collect();
        let logits = super::dense_fwd(p[14], p[15], &feat);
        Tape {
            col0,
            a0,
            d,
            q,
            feat,
            logits,
        }
    }

    fn logits<'t>(&self, t: &'t Tape) -> &'t [f32] {
        &t.logits
    }

    fn backward(&self, p: &[&[f32]], t: &Tape, _x: &[f32], dlogits: &[f32], g: &mut [&mut [f32]]) {
        let mut dfeat = vec![0.0; FEAT];
        let (gw, gb) = pair(g, 14);
        ops::linear_bwd(
            &t.feat,
            p[14],
            dlogits,
            gw,
            gb,
            Some(&mut dfeat),
            1,
            FEAT,
            CLASSES,
        );
        let hw = 7 * 7;
        let mut dq: Vec<f32> = (0..FEAT * hw).map(|i| dfeat[i / hw] / hw as f32).collect();
        for i in (0..3).rev() {
            ops::relu_bwd(&t.q[i], &mut dq);
            let mut dd = vec![0.0; t.d[i].len()];
            let (gw, gb) = pair(g, 4 + 4 * i);
            PW[i].bwd(&t.d[i], p[4 + 4 * i], &dq, gw, gb, Some(&mut dd));
            ops::relu_bwd(&t.d[i], &mut dd);
            let input = if i == 0 { &t.a0 } else { &t.q[i - 1] };
            let (gw, gb) = pair(g, 2 + 4 * i);
            dq = DW[i].bwd(p[2 + 4 * i], input, &dd, gw, gb);
        }
        ops::relu_bwd(&t.a0, &mut dq);
        let (gw, gb) = pair(g, 0);
        STEM.bwd(&t.col0, p[0], &dq, gw, gb, None);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn mobilenet_gradients_match_finite_differences() {
        super::super::tests::grad_check(&super::MobileNet);
    }
}
