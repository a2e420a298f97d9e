//! An independent, deliberately naive forward pass straight from a weights file: direct
//! convolution loops over `[out, in, kh, kw]` weights, explicit max pooling, dense layers over
//! `[out, in]` rows. It shares no code with the training kernels, so agreement of its accuracy
//! with the one recorded at training time checks the file's layout as well as its contents.

use zoo::weights::Weights;

use crate::model::Arch;

pub struct Reference {
    arch: Arch,
    t: Vec<Vec<f32>>,
}

impl Reference {
    /// Validates names and shapes against the architecture and keeps the tensors.
    pub fn new(arch: Arch, mut w: Weights) -> Result<Reference, String> {
        let specs = arch.specs();
        let expected: Vec<(&str, &[usize])> =
            specs.iter().map(|(n, s)| (*n, s.as_slice())).collect();
        w.check(&expected)?;
        let t = specs
            .iter()
            .map(|(n, s)| w.take(n, s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Reference { arch, t })
    }

    /// Logits of one normalised 28×28 image.
    pub fn logits(&self, image: &[f32]) -> Vec<f32> {
        assert_eq!(image.len(), 784);
        let (flat, fc) = match self.arch {
            Arch::LeNet => {
                let a = conv(image, 1, 28, &self.t[0], &self.t[1], 6, 5, 2); // 6×28×28
                let a = pool(&relu(a), 6, 28); // 6×14×14
                let a = conv(&a, 6, 14, &self.t[2], &self.t[3], 16, 5, 0); // 16×10×10
                (pool(&relu(a), 16, 10), &self.t[4..]) // 16×5×5 = 400, C·H·W order
            }
            Arch::Mlp => (image.to_vec(), &self.t[..]),
        };
        let h = relu(dense(&flat, &fc[0], &fc[1]));
        let h = relu(dense(&h, &fc[2], &fc[3]));
        dense(&h, &fc[4], &fc[5])
    }

    /// Predicted class of one image (first maximum on ties).
    pub fn predict(&self, image: &[f32]) -> usize {
        let l = self.logits(image);
        let mut best = 0;
        for i in 1..l.len() {
            if l[i] > l[best] {
                best = i;
            }
        }
        best
    }
}

/// Square input `c_in × n × n`, kernel `k`, stride 1, zero padding `pad`.
#[allow(clippy::too_many_arguments)]
fn conv(
    x: &[f32],
    c_in: usize,
    n: usize,
    w: &[f32],
    b: &[f32],
    c_out: usize,
    k: usize,
    pad: usize,
) -> Vec<f32> {
    let m = n + 2 * pad - k + 1;
    let mut y = vec![0.0f32; c_out * m * m];
    for co in 0..c_out {
        for oy in 0..m {
            for ox in 0..m {
                let mut s = b[co];
                for ci in 0..c_in {
                    for ky in 0..k {
                        for kx in 0..k {
                            let iy = (oy + ky) as isize - pad as isize;
                            let ix = (ox + kx) as isize - pad as isize;
                            if iy >= 0 && ix >= 0 && (iy as usize) < n && (ix as usize) < n {
                                s += w[((co * c_in + ci) * k + ky) * k + kx]
                                    * x[(ci * n + iy as usize) * n + ix as usize];
                            }
                        }
                    }
                }
                y[(co * m + oy) * m + ox] = s;
            }
        }
    }
    y
}

/// 2×2 max pooling, stride 2, of `c × n × n`.
fn pool(x: &[f32], c: usize, n: usize) -> Vec<f32> {
    let m = n / 2;
    let mut y = vec![0.0f32; c * m * m];
    for ch in 0..c {
        for oy in 0..m {
            for ox in 0..m {
                let at = |dy: usize, dx: usize| x[(ch * n + 2 * oy + dy) * n + 2 * ox + dx];
                y[(ch * m + oy) * m + ox] = at(0, 0).max(at(0, 1)).max(at(1, 0)).max(at(1, 1));
            }
        }
    }
    y
}

/// `y[o] = b[o] + Σ_i w[o][i] x[i]`.
fn dense(x: &[f32], w: &[f32], b: &[f32]) -> Vec<f32> {
    b.iter()
        .enumerate()
        .map(|(o, &bo)| {
            let row = &w[o * x.len()..(o + 1) * x.len()];
            row.iter().zip(x).fold(bo, |s, (w, x)| s + w * x)
        })
        .collect()
}

fn relu(mut x: Vec<f32>) -> Vec<f32> {
    for v in &mut x {
        *v = v.max(0.0);
    }
    x
}
