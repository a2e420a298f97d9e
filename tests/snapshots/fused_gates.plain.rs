#[allow(clippy::extra_unused_type_parameters)]
pub fn gates<L>(wz: &[f32], wc: &[f32], b: &[f32], x: &[f32], h: &mut [f32]) {
    let m = x.len();
    for j in 0..h.len() {
        let mut z: f32 = 0.0;
        let mut c: f32 = b[j];
        for i in 0..m {
            z += wz[j * m + i] * x[i];
            c += wc[j * m + i] * x[i];
        }
        h[j] = z * c;
    }
}
/// Formats and fingerprint of the #[quantize] function `gates`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod gates {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xccd8dff5bbed381a;
    /// Every type: plain builds have no formats (tuned builds implement this trait per instance
    /// in `tuned.rs`).
    pub trait Formats {}
    impl<T: ?::core::marker::Sized> Formats for T {}
    pub type wz<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Wz<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type wc<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Wc<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type b<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type B<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
