impl<L> Linear<L> {
    pub fn forward(&self, x: &[f32], y: &mut [f32]) {
        let n = x.len();
        for o in 0..y.len() {
            let mut acc = self.b[o];
            for i in 0..n {
                acc += self.w[o * n + i] * x[i];
            }
            y[o] = acc * self.gain;
        }
    }
}
/// Formats and fingerprint of the #[quantize] function `forward`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod linear_forward {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x4d272551fd5ab1ae;
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
