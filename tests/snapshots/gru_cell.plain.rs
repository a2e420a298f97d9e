#[allow(clippy::extra_unused_type_parameters)]
pub fn gru_cell<L>(
    wz: &[f32],
    uz: &[f32],
    wh: &[f32],
    uh: &[f32],
    x: &[f32],
    h: &mut [f32],
) {
    let (n, m) = (h.len(), x.len());
    let mut h_new: Vec<f32> = vec![0.0; n];
    for j in 0..n {
        let mut az: f32 = 0.0;
        for i in 0..m {
            az += wz[j * m + i] * x[i];
        }
        for k in 0..n {
            az += uz[j * n + k] * h[k];
        }
        let z = 1.0 / (1.0 + (-az).exp());
        let r = 1.0 - z;
        let mut ah: f32 = 0.0;
        for i in 0..m {
            ah += wh[j * m + i] * x[i];
        }
        for k in 0..n {
            ah += r * (uh[j * n + k] * h[k]);
        }
        h_new[j] = r * h[j];
        h_new[j] += z * ah.tanh();
    }
    for j in 0..n {
        h[j] = h_new[j];
    }
}
/// Formats and fingerprint of the #[quantize] function `gru_cell`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod gru_cell {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x81ba67ef5671a9b6;
    /// Every type: plain builds have no formats (tuned builds implement this trait per instance
    /// in `tuned.rs`).
    pub trait Formats {}
    impl<T: ?::core::marker::Sized> Formats for T {}
    pub type wz<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Wz<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type uz<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Uz<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type wh<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Wh<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type uh<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Uh<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
