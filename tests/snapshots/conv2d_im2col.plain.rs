pub fn conv2d<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32], g: Conv, relu: bool) {
    let (oh, ow) = (g.out_h(), g.out_w());
    let n = g.in_c * g.k * g.k;
    let mut patch: Vec<f32> = vec![0.0; n];
    for oy in 0..oh {
        for ox in 0..ow {
            for c in 0..g.in_c {
                for ky in 0..g.k {
                    let iy = (oy + ky).wrapping_sub(g.pad);
                    for kx in 0..g.k {
                        let ix = (ox + kx).wrapping_sub(g.pad);
                        let inside = iy < g.in_h && ix < g.in_w;
                        patch[(c * g.k + ky) * g.k + kx] = if inside {
                            x[(c * g.in_h + iy) * g.in_w + ix]
                        } else {
                            0.0
                        };
                    }
                }
            }
            for o in 0..g.out_c {
                let mut acc: f32 = b[o];
                for i in 0..n {
                    acc += w[o * n + i] * patch[i];
                }
                y[(o * oh + oy) * ow + ox] = if relu { acc.max(0.0) } else { acc };
            }
        }
    }
}
/// Formats and fingerprint of the #[quantize] function `conv2d`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod conv2d {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xc797336b10b61a2e;
    pub type w<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type b<L> = <L as ::number_rt::__private::AnyF32>::F32;
}
