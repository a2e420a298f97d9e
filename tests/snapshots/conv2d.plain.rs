#[allow(clippy::extra_unused_type_parameters)]
pub fn conv2d<L>(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    c_in: usize,
    h: usize,
    wd: usize,
    k: usize,
) {
    let (oh, ow) = (h - k + 1, wd - k + 1);
    let c_out = b.len();
    for o in 0..c_out {
        for oy in 0..oh {
            for ox in 0..ow {
                let mut acc: f32 = b[o];
                for c in 0..c_in {
                    for ky in 0..k {
                        for kx in 0..k {
                            acc
                                += w[((o * c_in + c) * k + ky) * k + kx]
                                    * x[(c * h + oy + ky) * wd + ox + kx];
                        }
                    }
                }
                y[(o * oh + oy) * ow + ox] = if acc > 0.0 { acc } else { 0.1 * acc };
            }
        }
    }
}
/// Formats and fingerprint of the #[quantize] function `conv2d`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod conv2d {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xeeced7e821c0e97b;
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
