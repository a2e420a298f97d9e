#[allow(clippy::extra_unused_type_parameters)]
pub fn conv2d<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Conv, relu: bool) {
    let (oh, ow) = (g.out_h(), g.out_w());
    let (n, np) = (g.in_c * g.k * g.k, oh * ow);
    let mut patch: Vec<f32> = vec![0.0; n * np];
    for c in 0..g.in_c {
        for ky in 0..g.k {
            for kx in 0..g.k {
                let row = ((c * g.k + ky) * g.k + kx) * np;
                let (lo, hi) = (
                    g.pad.saturating_sub(kx),
                    (g.in_w + g.pad).saturating_sub(kx).min(ow),
                );
                for oy in 0..oh {
                    let iy = (oy + ky).wrapping_sub(g.pad);
                    if iy < g.in_h {
                        let src = (c * g.in_h + iy) * g.in_w + kx;
                        for ox in lo..hi {
                            patch[row + oy * ow + ox] = x[src + ox - g.pad];
                        }
                    }
                }
            }
        }
    }
    let mut acc: Vec<f32> = vec![0.0; np];
    for o in 0..g.out_c {
        for p in 0..np {
            acc[p] = b[o];
        }
        for i in 0..n {
            for p in 0..np {
                acc[p] += w[o * n + i] * patch[i * np + p];
            }
        }
        for p in 0..np {
            y[o * np + p] = if relu { acc[p].max(0.0) } else { acc[p] };
        }
    }
}
/// Formats and fingerprint of the #[quantize] function `conv2d`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod conv2d {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xa677ec61677e9403;
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
