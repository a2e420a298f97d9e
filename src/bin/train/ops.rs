//! Kernels for training: dense layers, im2col convolution, 2×2 max pooling, ReLU, softmax
//! cross-entropy. Plain Rust loops written so that LLVM vectorises them (contiguous inner loops,
//! several independent accumulators in dot products).

/// `a · b` with eight independent partial sums (vectorisable).
#[inline]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len() / 8 * 8;
    let mut acc = [0f32; 8];
    for (x, y) in a[..n].chunks_exact(8).zip(b[..n].chunks_exact(8)) {
        for j in 0..8 {
            acc[j] += x[j] * y[j];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (x, y) in a[n..].iter().zip(&b[n..]) {
        s += x * y;
    }
    s
}

/// `y += a · x`.
#[inline]
pub fn axpy(y: &mut [f32], a: f32, x: &[f32]) {
    debug_assert_eq!(y.len(), x.len());
    for (y, x) in y.iter_mut().zip(x) {
        *y += a * x;
    }
}

/// Dense layer on `nb` rows: `y[b, o] = bias[o] + Σ_i x[b, i] · w[o, i]` (w row-major `[out, in]`).
pub fn linear_fwd(
    x: &[f32],
    w: &[f32],
    bias: &[f32],
    y: &mut [f32],
    nb: usize,
    n_in: usize,
    n_out: usize,
) {
    debug_assert_eq!(x.len(), nb * n_in);
    debug_assert_eq!(w.len(), n_out * n_in);
    debug_assert_eq!(y.len(), nb * n_out);
    for o in 0..n_out {
        let wr = &w[o * n_in..(o + 1) * n_in];
        for b in 0..nb {
            y[b * n_out + o] = bias[o] + dot(&x[b * n_in..(b + 1) * n_in], wr);
        }
    }
}

/// Backward of [`linear_fwd`]: accumulates `dw += dyᵀ x`, `db += Σ_b dy`, and (when given)
/// `dx += dy w` (dx must be zeroed by the caller).
#[allow(clippy::too_many_arguments)]
pub fn linear_bwd(
    x: &[f32],
    w: &[f32],
    dy: &[f32],
    dw: &mut [f32],
    db: &mut [f32],
    mut dx: Option<&mut [f32]>,
    nb: usize,
    n_in: usize,
    n_out: usize,
) {
    for o in 0..n_out {
        let wr = &w[o * n_in..(o + 1) * n_in];
        let dwr = &mut dw[o * n_in..(o + 1) * n_in];
        for b in 0..nb {
            let g = dy[b * n_out + o];
            if g == 0.0 {
                continue;
            }
            db[o] += g;
            axpy(dwr, g, &x[b * n_in..(b + 1) * n_in]);
            if let Some(dx) = dx.as_deref_mut() {
                axpy(&mut dx[b * n_in..(b + 1) * n_in], g, wr);
            }
        }
    }
}

/// Geometry of a square-kernel, stride-1 convolution.
#[derive(Debug, Clone, Copy)]
pub struct Conv {
    pub c_in: usize,
    pub c_out: usize,
    pub h: usize,
    pub w: usize,
    pub k: usize,
    pub pad: usize,
}

impl Conv {
    pub fn oh(&self) -> usize {
        self.h + 2 * self.pad - self.k + 1
    }
    pub fn ow(&self) -> usize {
        self.w + 2 * self.pad - self.k + 1
    }
    /// Rows of the im2col matrix: `c_in · k · k` (the layout of one output channel's weights).
    pub fn kk(&self) -> usize {
        self.c_in * self.k * self.k
    }
    /// Output positions.
    pub fn p(&self) -> usize {
        self.oh() * self.ow()
    }
    pub fn out_len(&self) -> usize {
        self.c_out * self.p()
    }

    /// `col[(c·k + ky)·k + kx][oy·ow + ox] = x[c][oy + ky − pad][ox + kx − pad]` (0 outside).
    pub fn im2col(&self, x: &[f32], col: &mut [f32]) {
        let (oh, ow, p, k) = (self.oh(), self.ow(), self.p(), self.k);
        for c in 0..self.c_in {
            for ky in 0..k {
                for kx in 0..k {
                    let row = &mut col[((c * k + ky) * k + kx) * p..][..p];
                    for oy in 0..oh {
                        let iy = oy as isize + ky as isize - self.pad as isize;
                        let dst = &mut row[oy * ow..(oy + 1) * ow];
                        if iy < 0 || iy >= self.h as isize {
                            dst.fill(0.0);
                            continue;
                        }
                        let src = &x[(c * self.h + iy as usize) * self.w..][..self.w];
                        for (ox, d) in dst.iter_mut().enumerate() {
                            let ix = ox as isize + kx as isize - self.pad as isize;
                            *d = if ix < 0 || ix >= self.w as isize {
                                0.0
                            } else {
                                src[ix as usize]
                            };
                        }
                    }
                }
            }
        }
    }

    /// Adds `dcol` back onto the input positions it was gathered from (`dx` accumulates).
    pub fn col2im(&self, dcol: &[f32], dx: &mut [f32]) {
        let (oh, ow, p, k) = (self.oh(), self.ow(), self.p(), self.k);
        for c in 0..self.c_in {
            for ky in 0..k {
                for kx in 0..k {
                    let row = &dcol[((c * k + ky) * k + kx) * p..][..p];
                    for oy in 0..oh {
                        let iy = oy as isize + ky as isize - self.pad as isize;
                        if iy < 0 || iy >= self.h as isize {
                            continue;
                        }
                        let dst = &mut dx[(c * self.h + iy as usize) * self.w..][..self.w];
                        for ox in 0..ow {
                            let ix = ox as isize + kx as isize - self.pad as isize;
                            if ix >= 0 && ix < self.w as isize {
                                dst[ix as usize] += row[oy * ow + ox];
                            }
                        }
                    }
                }
            }
        }
    }

    /// One image: `y[co][p] = bias[co] + Σ_r w[co][r] · col[r][p]` (w is `[c_out, c_in, k, k]`).
    pub fn fwd(&self, col: &[f32], w: &[f32], bias: &[f32], y: &mut [f32]) {
        let (p, kk) = (self.p(), self.kk());
        for co in 0..self.c_out {
            let yr = &mut y[co * p..(co + 1) * p];
            yr.fill(bias[co]);
            for r in 0..kk {
                axpy(yr, w[co * kk + r], &col[r * p..(r + 1) * p]);
            }
        }
    }

    /// One image backward: accumulates `dw`, `db`; when `dcol` is given, sets it to `wᵀ dy`.
    pub fn bwd(
        &self,
        col: &[f32],
        w: &[f32],
        dy: &[f32],
        dw: &mut [f32],
        db: &mut [f32],
        dcol: Option<&mut [f32]>,
    ) {
        let (p, kk) = (self.p(), self.kk());
        for co in 0..self.c_out {
            let dyr = &dy[co * p..(co + 1) * p];
            db[co] += dyr.iter().sum::<f32>();
            for r in 0..kk {
                dw[co * kk + r] += dot(dyr, &col[r * p..(r + 1) * p]);
            }
        }
        if let Some(dcol) = dcol {
            dcol.fill(0.0);
            for r in 0..kk {
                let dr = &mut dcol[r * p..(r + 1) * p];
                for co in 0..self.c_out {
                    axpy(dr, w[co * kk + r], &dy[co * p..(co + 1) * p]);
                }
            }
        }
    }
}

/// 2×2, stride-2 max pooling of `c` planes of `h × w` (even); `arg` gets the winning input index.
pub fn maxpool_fwd(x: &[f32], c: usize, h: usize, w: usize, y: &mut [f32], arg: &mut [u32]) {
    let (oh, ow) = (h / 2, w / 2);
    for ch in 0..c {
        for oy in 0..oh {
            for ox in 0..ow {
                let base = (ch * h + 2 * oy) * w + 2 * ox;
                let mut best = base;
                for i in [base + 1, base + w, base + w + 1] {
                    if x[i] > x[best] {
                        best = i;
                    }
                }
                let o = (ch * oh + oy) * ow + ox;
                y[o] = x[best];
                arg[o] = best as u32;
            }
        }
    }
}

/// Routes each pooled gradient to its winning input (`dx` must be zeroed).
pub fn maxpool_bwd(dy: &[f32], arg: &[u32], dx: &mut [f32]) {
    for (g, &i) in dy.iter().zip(arg) {
        dx[i as usize] += g;
    }
}

pub fn relu(x: &mut [f32]) {
    for v in x {
        *v = v.max(0.0);
    }
}

/// `dy *= (y > 0)` where `y` is the ReLU output.
pub fn relu_bwd(y: &[f32], dy: &mut [f32]) {
    for (g, &v) in dy.iter_mut().zip(y) {
        if v <= 0.0 {
            *g = 0.0;
        }
    }
}

/// Softmax cross-entropy on one row of logits: returns the loss and writes
/// `scale · (softmax − onehot)` into `dlogits`.
pub fn softmax_xent(logits: &[f32], label: usize, scale: f32, dlogits: &mut [f32]) -> f32 {
    let m = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut z = 0.0f32;
    for (d, &l) in dlogits.iter_mut().zip(logits) {
        *d = (l - m).exp();
        z += *d;
    }
    for (i, d) in dlogits.iter_mut().enumerate() {
        *d = scale * (*d / z - if i == label { 1.0 } else { 0.0 });
    }
    z.ln() + m - logits[label]
}

/// Index of the largest value (first one on ties).
pub fn argmax(x: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in x.iter().enumerate() {
        if v > x[best] {
            best = i;
        }
    }
    best
}
