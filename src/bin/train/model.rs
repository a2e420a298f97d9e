//! The two zoo architectures as flat parameter vectors, with batched forward and backward passes.
//!
//! Parameters live in one `Vec<f32>` in the order of [`Arch::specs`] (the tensor names and layouts
//! the inference code expects), which makes initialisation, gradient reduction and the optimiser
//! plain loops over one slice.

use crate::ops::{self, Conv};
use crate::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arch {
    LeNet,
    Mlp,
}

/// LeNet-5 conv1: 1→6, 5×5, padding 2, on 28×28 → 6×28×28.
pub const C1: Conv = Conv {
    c_in: 1,
    c_out: 6,
    h: 28,
    w: 28,
    k: 5,
    pad: 2,
};
/// LeNet-5 conv2: 6→16, 5×5, no padding, on 14×14 → 16×10×10.
pub const C2: Conv = Conv {
    c_in: 6,
    c_out: 16,
    h: 14,
    w: 14,
    k: 5,
    pad: 0,
};
pub const IN: usize = 28 * 28;
pub const CLASSES: usize = 10;

impl Arch {
    pub fn name(self) -> &'static str {
        match self {
            Arch::LeNet => "lenet",
            Arch::Mlp => "mlp",
        }
    }

    /// Tensor names and shapes, in parameter-vector order.
    pub fn specs(self) -> Vec<(&'static str, Vec<usize>)> {
        let mut v = Vec::new();
        if self == Arch::LeNet {
            v.push(("conv1.weight", vec![6, 1, 5, 5]));
            v.push(("conv1.bias", vec![6]));
            v.push(("conv2.weight", vec![16, 6, 5, 5]));
            v.push(("conv2.bias", vec![16]));
        }
        let d = self.fc_dims();
        for (i, name) in [
            ("fc1.weight", "fc1.bias"),
            ("fc2.weight", "fc2.bias"),
            ("fc3.weight", "fc3.bias"),
        ]
        .into_iter()
        .enumerate()
        {
            v.push((name.0, vec![d[i + 1], d[i]]));
            v.push((name.1, vec![d[i + 1]]));
        }
        v
    }

    /// Widths of the dense tail: input, hidden, hidden, classes.
    pub fn fc_dims(self) -> [usize; 4] {
        match self {
            Arch::LeNet => [400, 120, 84, CLASSES],
            Arch::Mlp => [IN, 256, 128, CLASSES],
        }
    }

    pub fn sizes(self) -> Vec<usize> {
        self.specs()
            .iter()
            .map(|(_, s)| s.iter().product())
            .collect()
    }

    pub fn num_params(self) -> usize {
        self.sizes().iter().sum()
    }

    /// He (Kaiming) normal initialisation of weights, `std = sqrt(2 / fan_in)`; zero biases.
    pub fn init(self, rng: &mut Rng) -> Vec<f32> {
        let mut p = Vec::with_capacity(self.num_params());
        for (name, shape) in self.specs() {
            let n: usize = shape.iter().product();
            if name.ends_with(".weight") {
                let fan_in: usize = shape[1..].iter().product();
                let std = (2.0 / fan_in as f64).sqrt();
                p.extend((0..n).map(|_| (rng.normal() * std) as f32));
            } else {
                p.extend(std::iter::repeat_n(0.0, n));
            }
        }
        p
    }

    /// Which parameters are weights (for weight decay) rather than biases.
    pub fn is_weight_mask(self) -> Vec<bool> {
        self.specs()
            .iter()
            .flat_map(|(name, shape)| {
                std::iter::repeat_n(name.ends_with(".weight"), shape.iter().product())
            })
            .collect()
    }
}

/// Splits the flat vector into one slice per tensor.
pub fn split<'a>(flat: &'a [f32], sizes: &[usize]) -> Vec<&'a [f32]> {
    let mut out = Vec::with_capacity(sizes.len());
    let mut rest = flat;
    for &s in sizes {
        let (a, b) = rest.split_at(s);
        out.push(a);
        rest = b;
    }
    out
}

pub fn split_mut<'a>(flat: &'a mut [f32], sizes: &[usize]) -> Vec<&'a mut [f32]> {
    let mut out = Vec::with_capacity(sizes.len());
    let mut rest = flat;
    for &s in sizes {
        let (a, b) = std::mem::take(&mut rest).split_at_mut(s);
        out.push(a);
        rest = b;
    }
    out
}

/// Activations of one chunk of `nb` images (kept for the backward pass) and gradient scratch.
/// One per thread, reused from chunk to chunk (fresh buffers per chunk cost more in page faults
/// than the arithmetic).
#[derive(Default)]
struct Workspace {
    // LeNet only.
    col1: Vec<f32>,
    a1: Vec<f32>,
    arg1: Vec<u32>,
    p1: Vec<f32>,
    col2: Vec<f32>,
    a2: Vec<f32>,
    arg2: Vec<u32>,
    // Dense tail: input (pooled features or the image), hidden 1, hidden 2, logits.
    f0: Vec<f32>,
    h1: Vec<f32>,
    h2: Vec<f32>,
    logits: Vec<f32>,
    // Backward scratch.
    dlogits: Vec<f32>,
    dh2: Vec<f32>,
    dh1: Vec<f32>,
    df0: Vec<f32>,
    da2: Vec<f32>,
    dcol2: Vec<f32>,
    dp1: Vec<f32>,
    da1: Vec<f32>,
}

thread_local! {
    static WORKSPACE: std::cell::RefCell<Workspace> = std::cell::RefCell::new(Workspace::default());
}

/// `v` resized to `n` zeros, without reallocating once it has grown.
fn zeroed<T: Copy + Default>(v: &mut Vec<T>, n: usize) -> &mut [T] {
    v.clear();
    v.resize(n, T::default());
    v
}

fn forward(arch: Arch, p: &[&[f32]], x: &[f32], nb: usize, a: &mut Workspace) {
    let tail = match arch {
        Arch::LeNet => {
            let (k1, p1n, k2, p2n) = (
                C1.kk() * C1.p(),
                C1.out_len() / 4,
                C2.kk() * C2.p(),
                C2.out_len() / 4,
            );
            zeroed(&mut a.col1, nb * k1);
            zeroed(&mut a.a1, nb * C1.out_len());
            zeroed(&mut a.arg1, nb * p1n);
            zeroed(&mut a.p1, nb * p1n);
            zeroed(&mut a.col2, nb * k2);
            zeroed(&mut a.a2, nb * C2.out_len());
            zeroed(&mut a.arg2, nb * p2n);
            zeroed(&mut a.f0, nb * p2n);
            for b in 0..nb {
                let col1 = &mut a.col1[b * k1..(b + 1) * k1];
                C1.im2col(&x[b * IN..(b + 1) * IN], col1);
                let a1 = &mut a.a1[b * C1.out_len()..(b + 1) * C1.out_len()];
                C1.fwd(col1, p[0], p[1], a1);
                ops::relu(a1);
                let p1 = &mut a.p1[b * p1n..(b + 1) * p1n];
                ops::maxpool_fwd(
                    a1,
                    C1.c_out,
                    C1.oh(),
                    C1.ow(),
                    p1,
                    &mut a.arg1[b * p1n..(b + 1) * p1n],
                );
                let col2 = &mut a.col2[b * k2..(b + 1) * k2];
                C2.im2col(p1, col2);
                let a2 = &mut a.a2[b * C2.out_len()..(b + 1) * C2.out_len()];
                C2.fwd(col2, p[2], p[3], a2);
                ops::relu(a2);
                ops::maxpool_fwd(
                    a2,
                    C2.c_out,
                    C2.oh(),
                    C2.ow(),
                    &mut a.f0[b * p2n..(b + 1) * p2n],
                    &mut a.arg2[b * p2n..(b + 1) * p2n],
                );
            }
            &p[4..]
        }
        Arch::Mlp => {
            a.f0.clear();
            a.f0.extend_from_slice(x);
            p
        }
    };
    let d = arch.fc_dims();
    ops::linear_fwd(
        &a.f0,
        tail[0],
        tail[1],
        zeroed(&mut a.h1, nb * d[1]),
        nb,
        d[0],
        d[1],
    );
    ops::relu(&mut a.h1);
    ops::linear_fwd(
        &a.h1,
        tail[2],
        tail[3],
        zeroed(&mut a.h2, nb * d[2]),
        nb,
        d[1],
        d[2],
    );
    ops::relu(&mut a.h2);
    ops::linear_fwd(
        &a.h2,
        tail[4],
        tail[5],
        zeroed(&mut a.logits, nb * d[3]),
        nb,
        d[2],
        d[3],
    );
}

/// Logits of `nb` images (`nb × 10`).
pub fn logits(arch: Arch, params: &[f32], x: &[f32], nb: usize) -> Vec<f32> {
    let sizes = arch.sizes();
    WORKSPACE.with_borrow_mut(|a| {
        forward(arch, &split(params, &sizes), x, nb, a);
        a.logits.clone()
    })
}

/// Forward and backward on one chunk: adds `scale · ∂loss/∂params` into `grad` and returns the
/// summed loss and the number of correct predictions.
pub fn train_chunk(
    arch: Arch,
    params: &[f32],
    x: &[f32],
    labels: &[u8],
    scale: f32,
    grad: &mut [f32],
) -> (f32, usize) {
    WORKSPACE.with_borrow_mut(|a| train_chunk_in(arch, params, x, labels, scale, grad, a))
}

fn train_chunk_in(
    arch: Arch,
    params: &[f32],
    x: &[f32],
    labels: &[u8],
    scale: f32,
    grad: &mut [f32],
    a: &mut Workspace,
) -> (f32, usize) {
    let nb = labels.len();
    let sizes = arch.sizes();
    let p = split(params, &sizes);
    let mut g = split_mut(grad, &sizes);
    forward(arch, &p, x, nb, a);

    let mut loss = 0.0;
    let mut correct = 0;
    let dlogits = zeroed(&mut a.dlogits, nb * CLASSES);
    for b in 0..nb {
        let l = &a.logits[b * CLASSES..(b + 1) * CLASSES];
        correct += usize::from(ops::argmax(l) == labels[b] as usize);
        loss += ops::softmax_xent(
            l,
            labels[b] as usize,
            scale,
            &mut dlogits[b * CLASSES..(b + 1) * CLASSES],
        );
    }

    let d = arch.fc_dims();
    let t = if arch == Arch::LeNet { 4 } else { 0 };
    let pt = &p[t..];
    let dh2 = zeroed(&mut a.dh2, nb * d[2]);
    let (gw, gb) = pair(&mut g, t + 4);
    ops::linear_bwd(
        &a.h2,
        pt[4],
        &a.dlogits,
        gw,
        gb,
        Some(&mut *dh2),
        nb,
        d[2],
        d[3],
    );
    ops::relu_bwd(&a.h2, dh2);
    let dh1 = zeroed(&mut a.dh1, nb * d[1]);
    let (gw, gb) = pair(&mut g, t + 2);
    ops::linear_bwd(
        &a.h1,
        pt[2],
        &a.dh2,
        gw,
        gb,
        Some(&mut *dh1),
        nb,
        d[1],
        d[2],
    );
    ops::relu_bwd(&a.h1, dh1);
    let lenet = arch == Arch::LeNet;
    let df0 = zeroed(&mut a.df0, if lenet { nb * d[0] } else { 0 });
    let (gw, gb) = pair(&mut g, t);
    ops::linear_bwd(
        &a.f0,
        pt[0],
        &a.dh1,
        gw,
        gb,
        lenet.then_some(df0),
        nb,
        d[0],
        d[1],
    );

    if lenet {
        let (gc1, gc2) = g.split_at_mut(2);
        let (gc1w, gc1b) = pair(gc1, 0);
        let (gc2w, gc2b) = pair(gc2, 0);
        let (k1, p1n, k2, p2n) = (
            C1.kk() * C1.p(),
            C1.out_len() / 4,
            C2.kk() * C2.p(),
            C2.out_len() / 4,
        );
        zeroed(&mut a.da2, C2.out_len());
        zeroed(&mut a.dcol2, k2);
        zeroed(&mut a.dp1, p1n);
        zeroed(&mut a.da1, C1.out_len());
        for b in 0..nb {
            a.da2.fill(0.0);
            ops::maxpool_bwd(
                &a.df0[b * p2n..(b + 1) * p2n],
                &a.arg2[b * p2n..(b + 1) * p2n],
                &mut a.da2,
            );
            ops::relu_bwd(&a.a2[b * C2.out_len()..(b + 1) * C2.out_len()], &mut a.da2);
            C2.bwd(
                &a.col2[b * k2..(b + 1) * k2],
                p[2],
                &a.da2,
                gc2w,
                gc2b,
                Some(&mut a.dcol2),
            );
            a.dp1.fill(0.0);
            C2.col2im(&a.dcol2, &mut a.dp1);
            a.da1.fill(0.0);
            ops::maxpool_bwd(&a.dp1, &a.arg1[b * p1n..(b + 1) * p1n], &mut a.da1);
            ops::relu_bwd(&a.a1[b * C1.out_len()..(b + 1) * C1.out_len()], &mut a.da1);
            C1.bwd(
                &a.col1[b * k1..(b + 1) * k1],
                p[0],
                &a.da1,
                gc1w,
                gc1b,
                None,
            );
        }
    }
    (loss, correct)
}

/// Mutable views of tensors `i` and `i + 1` (a weight and its bias).
fn pair<'a>(g: &'a mut [&mut [f32]], i: usize) -> (&'a mut [f32], &'a mut [f32]) {
    let (a, b) = g[i..].split_at_mut(1);
    (&mut *a[0], &mut *b[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_counts() {
        assert_eq!(Arch::LeNet.num_params(), 61_706);
        assert_eq!(
            Arch::Mlp.num_params(),
            784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
        );
    }

    /// Backpropagation agrees with central finite differences. ReLU and max pooling make the loss
    /// piecewise smooth, so a probe whose step crosses a kink may disagree (the steps are small, and
    /// f32 rounding of the loss sets the tolerance): at most one probe in
    /// ten may miss, and at most two of the eight probes of any one tensor.
    fn grad_check(arch: Arch) {
        let mut rng = Rng::new(3);
        let params = arch.init(&mut rng);
        let nb = 3;
        let x: Vec<f32> = (0..nb * IN).map(|_| 0.5 * rng.normal() as f32).collect();
        let labels = [1u8, 7, 3];
        let mut grad = vec![0.0; params.len()];
        train_chunk(arch, &params, &x, &labels, 1.0, &mut grad);
        let loss_at = |p: &[f32]| -> f64 {
            let mut g = vec![0.0; p.len()];
            train_chunk(arch, p, &x, &labels, 1.0, &mut g).0 as f64
        };
        let sizes = arch.sizes();
        let (mut off, mut probes, mut misses) = (0, 0, Vec::new());
        for (t, &s) in sizes.iter().enumerate() {
            let before = misses.len();
            for k in 0..8 {
                let j = if k == 0 {
                    0
                } else {
                    rng.below(s as u64) as usize
                };
                let i = off + j;
                let h = 2e-4f32;
                let mut p = params.clone();
                p[i] += h;
                let up = loss_at(&p);
                p[i] -= 2.0 * h;
                let down = loss_at(&p);
                let num = (up - down) / (2.0 * h as f64);
                let ana = grad[i] as f64;
                probes += 1;
                if (num - ana).abs() > 0.05 * num.abs().max(ana.abs()) + 5e-3 {
                    misses.push(format!(
                        "{}[{j}]: numeric {num:.5} analytic {ana:.5}",
                        arch.specs()[t].0
                    ));
                }
            }
            assert!(
                misses.len() - before <= 2,
                "{}: {:?}",
                arch.specs()[t].0,
                &misses[before..]
            );
            off += s;
        }
        eprintln!(
            "{}: {} of {probes} probes missed: {misses:?}",
            arch.name(),
            misses.len()
        );
        assert!(
            misses.len() * 10 <= probes,
            "{} of {probes} probes differ: {misses:?}",
            misses.len()
        );
    }

    #[test]
    fn lenet_gradients_match_finite_differences() {
        grad_check(Arch::LeNet);
    }

    #[test]
    fn mlp_gradients_match_finite_differences() {
        grad_check(Arch::Mlp);
    }
}
