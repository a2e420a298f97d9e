#[allow(clippy::extra_unused_type_parameters)]
pub fn conv<L>(w: &[f32], x: &[f32], k: usize) -> Vec<f32> {
    let mut y = Vec::new();
    for o in 0..w.len() / k {
        let row = &w[o * k..(o + 1) * k];
        for t in 0..x.len() + 1 - k {
            let window = &x[t..t + k];
            let mut acc: f32 = 0.0;
            for (a, v) in row.iter().zip(window) {
                acc += a * v;
            }
            y.push(acc + window[0] * row.len() as f32);
        }
    }
    y
}
/// Formats and fingerprint of the #[quantize] function `conv`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod conv {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x2394dd37019b4757;
    /// Every type: plain builds have no formats (tuned builds implement this trait per instance
    /// in `tuned.rs`).
    pub trait Formats {}
    impl<T: ?::core::marker::Sized> Formats for T {}
    pub type w<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type W<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
