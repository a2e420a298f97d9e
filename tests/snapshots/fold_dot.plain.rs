#[allow(clippy::extra_unused_type_parameters)]
pub fn dense<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    let n = x.len();
    for o in 0..y.len() {
        let s = x.iter().zip(&w[o * n..]).fold(b[o], |acc, (p, q)| acc + p * q);
        y[o] = s + (0..n).fold(0.0, |acc, i| w[o * n + i] * x[i] + acc);
    }
}
/// Formats and fingerprint of the #[quantize] function `dense`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod dense {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x75242842e269ce6a;
    /// Every type: plain builds have no formats (tuned builds implement this trait per instance
    /// in `tuned.rs`).
    pub trait Formats {}
    impl<T: ?::core::marker::Sized> Formats for T {}
    pub type w<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type W<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type b<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type B<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
