#[allow(clippy::extra_unused_type_parameters)]
pub fn len_bounds<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    for o in 0..b.len() {
        let mut acc = b[o];
        for i in 0..x.len() {
            acc += w[o * x.len() + i] * x[i];
        }
        y[o] = acc;
    }
}
/// Formats and fingerprint of the #[quantize] function `len_bounds`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod len_bounds {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xaa24f062eb9d72be;
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
