#[allow(clippy::extra_unused_type_parameters)]
pub fn cell<L>(w: &[f32], u: &[f32], x: &[f32], h: &mut [f32]) {
    let n = h.len();
    let m = x.len();
    let prev: Vec<f32> = h.to_vec();
    for o in 0..n {
        let a: f32 = w[o * m..(o + 1) * m].iter().zip(x).map(|(a, v)| a * v).sum();
        let b = prev.iter().zip(&u[o * n..]).map(|(&p, &q)| q * p).sum::<f32>();
        h[o] = (a + b).tanh();
    }
}
/// Formats and fingerprint of the #[quantize] function `cell`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod cell {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x6d871d750c31676e;
    /// Every type: plain builds have no formats (tuned builds implement this trait per instance
    /// in `tuned.rs`).
    pub trait Formats {}
    impl<T: ?::core::marker::Sized> Formats for T {}
    pub type w<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type W<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type u<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type U<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
