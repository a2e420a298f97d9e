impl<L> Scale<L> {
    pub fn new(k: f32) -> Self {
        Scale {
            k,
            _l: core::marker::PhantomData,
        }
    }
    pub fn forward(&self, g: &[f32], x: &[f32], y: &mut [f32]) {
        for i in 0..x.len() {
            y[i] = g[i] * x[i] * self.k;
        }
    }
    fn count(&self) -> usize {
        1
    }
}
/// Formats and fingerprint of the #[quantize] function `new`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod scale_new {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x25cb4dd8ebdbc5f9;
    /// Every type: plain builds have no formats (tuned builds implement this trait per instance
    /// in `tuned.rs`).
    pub trait Formats {}
    impl<T: ?::core::marker::Sized> Formats for T {}
}
/// Formats and fingerprint of the #[quantize] function `forward`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod scale_forward {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x8ef7034ad1003fcd;
    /// Every type: plain builds have no formats (tuned builds implement this trait per instance
    /// in `tuned.rs`).
    pub trait Formats {}
    impl<T: ?::core::marker::Sized> Formats for T {}
    pub type g<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type G<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
