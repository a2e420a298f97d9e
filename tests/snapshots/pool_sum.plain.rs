#[allow(clippy::extra_unused_type_parameters)]
pub fn global_avg_pool<L>(x: &[f32], y: &mut [f32], hw: usize) {
    for c in 0..y.len() {
        let mut acc: f32 = 0.0;
        for i in 0..hw {
            acc += x[c * hw + i];
        }
        y[c] = acc / hw as f32;
    }
}
/// Formats and fingerprint of the #[quantize] function `global_avg_pool`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod global_avg_pool {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xfb245d615cb6a0f0;
    /// Every type: plain builds have no formats (tuned builds implement this trait per instance
    /// in `tuned.rs`).
    pub trait Formats {}
    impl<T: ?::core::marker::Sized> Formats for T {}
}
