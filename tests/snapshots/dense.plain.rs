/// Fully connected layer with ReLU.
#[allow(clippy::extra_unused_type_parameters)]
pub fn dense<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    let n_in = x.len();
    for o in 0..y.len() {
        let mut acc: f32 = b[o];
        for i in 0..n_in {
            acc += w[o * n_in + i] * x[i];
        }
        y[o] = acc.max(0.0);
    }
}
/// Formats and fingerprint of the #[quantize] function `dense`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod dense {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xb9cdb99f94affea8;
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
