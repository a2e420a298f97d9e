#[allow(clippy::extra_unused_type_parameters)]
pub fn dense<L>(w: &[f32], b: &[f32], u: &[f32], x: &[f32], y: &mut [f32]) -> Vec<f32> {
    let n = x.len();
    for (o, row) in w.chunks(n).enumerate() {
        let mut acc = b[o];
        for (a, v) in row.iter().zip(x) {
            acc += a * v;
        }
        y[o] = acc.max(0.0);
    }
    let mut first: f32 = 0.0;
    for (i, &a) in u[..n].iter().enumerate() {
        first += a * x[i];
    }
    y[0] += first;
    u.chunks_exact(n)
        .zip(b)
        .map(|(row, bias)| row.iter().zip(x).map(|(a, v)| a * v).sum::<f32>() + bias)
        .collect()
}
/// Formats and fingerprint of the #[quantize] function `dense`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod dense {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xd34877fd586c8243;
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
    pub type u<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type U<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
