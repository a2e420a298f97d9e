#[allow(clippy::extra_unused_type_parameters)]
pub fn vec_locals<L>(w: &[f32], x: &[f32], y: &mut [f32]) {
    let n = x.len();
    let mut h = vec![0.0f32; n];
    let mut g = vec![0.5, - 1.0];
    let d = vec![0.0f64; n];
    for i in 0..n {
        h[i] = w[i] * x[i];
    }
    g[0] += h[0];
    g.push(2.0);
    y[0] = h[n - 1] + g[0] + g[2] + d[0] as f32;
}
/// Formats and fingerprint of the #[quantize] function `vec_locals`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod vec_locals {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x829983b33288b333;
    /// Every type: plain builds have no formats (tuned builds implement this trait per instance
    /// in `tuned.rs`).
    pub trait Formats {}
    impl<T: ?::core::marker::Sized> Formats for T {}
    pub type w<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type W<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
