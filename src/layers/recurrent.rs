//! Recurrent cells.
#[allow(unused_imports)] // `Vec` is unused in tuned builds, where typed locals name number_rt's re-export
use alloc::{vec, vec::Vec};
#[cfg(not(feature = "std"))]
use num_traits::Float as _; // f32 `exp`, `tanh` without std (libm)
use number_rt::quantize;

/// One step of a GRU (PyTorch's `nn.GRU` equations and layout), updating the hidden state `h` in place:
///
/// ```text
/// r = σ(W_ir x + b_ir + W_hr h + b_hr)
/// z = σ(W_iz x + b_iz + W_hz h + b_hz)
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
/// h ← (1 − z) ⊙ n + z ⊙ h
/// ```
///
/// Weights: `w_ih` `[3H][I]` and `w_hh` `[3H][H]` row-major with gate blocks in the order r, z, n;
/// biases `b_ih`, `b_hh` `[3H]`. `H = h.len()`, `I = x.len()`.
// The copy back into `h` is an index loop on purpose: `#[quantize]` sees `h[j] = …` as an assignment to the
// site `h` (rounded to its format); `h.copy_from_slice(&h_new)`, as clippy's `manual_memcpy` suggests, would
// bypass it.
#[allow(clippy::manual_memcpy)]
#[quantize(weights(w_ih, w_hh, b_ih, b_hh))]
#[inline]
pub fn gru_cell<L>(w_ih: &[f32], w_hh: &[f32], b_ih: &[f32], b_hh: &[f32], x: &[f32], h: &mut [f32]) {
    let (n, m) = (h.len(), x.len());
    let mut h_new: Vec<f32> = vec![0.0; n];
    for j in 0..n {
        let mut ar: f32 = b_ih[j] + b_hh[j];
        let mut az: f32 = b_ih[n + j] + b_hh[n + j];
        let mut xn: f32 = b_ih[2 * n + j];
        let mut hn: f32 = b_hh[2 * n + j];
        // One accumulation loop per sum (each an inner product tuned builds can run in integers).
        for i in 0..m {
            ar += w_ih[j * m + i] * x[i];
        }
        for k in 0..n {
            ar += w_hh[j * n + k] * h[k];
        }
        for i in 0..m {
            az += w_ih[(n + j) * m + i] * x[i];
        }
        for k in 0..n {
            az += w_hh[(n + j) * n + k] * h[k];
        }
        for i in 0..m {
            xn += w_ih[(2 * n + j) * m + i] * x[i];
        }
        for k in 0..n {
            hn += w_hh[(2 * n + j) * n + k] * h[k];
        }
        let r = 1.0 / (1.0 + (-ar).exp());
        let z = 1.0 / (1.0 + (-az).exp());
        let c = (xn + r * hn).tanh();
        h_new[j] = (1.0 - z) * c + z * h[j];
    }
    for j in 0..n {
        h[j] = h_new[j];
    }
}
