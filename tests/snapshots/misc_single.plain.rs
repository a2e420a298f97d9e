pub(crate) fn misc(
    a: f32,
    mut s: &mut f32,
    v: [f32; 4],
    r: &[f32; 4],
    mut acc: Vec<f32>,
    scale: f32,
) -> f32 {
    fn helper(q: f32) -> f32 {
        q * 2.0
    }
    let t = a * 0.5;
    let t = t + r[0];
    *s += t;
    let sq = |e: f32| e * e * 3.0;
    acc[0] -= sq(v[1]) + 1.0;
    let n = acc.len();
    if n > 2 {
        return acc[1] * scale;
    }
    helper(t) + acc[0] + 4.0
}
/// Formats and fingerprint of the #[quantize] function `misc`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub(crate) mod misc {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x1b5700b2146ac008;
    /// Every type: plain builds have no formats (tuned builds implement this trait per instance
    /// in `tuned.rs`).
    pub trait Formats {}
    impl<T: ?::core::marker::Sized> Formats for T {}
}
