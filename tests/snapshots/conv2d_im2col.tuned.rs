pub fn conv2d<L: conv2d::Formats>(
    w: &[conv2d::w<L>],
    b: &[conv2d::b<L>],
    x: &[f32],
    y: &mut [f32],
    g: Conv,
    relu: bool,
) {
    use ::number_rt::Number as _;
    let __nq_x = ::number_rt::__private::Typed::<
        <L as conv2d::Formats>::x,
        1024,
    >::new(x);
    let x: &[<L as conv2d::Formats>::x] = &__nq_x;
    for __nq_e in y.iter_mut() {
        *__nq_e = <<L as conv2d::Formats>::y as ::number_rt::Number>::quantize(*__nq_e);
    }
    let (oh, ow) = (g.out_h(), g.out_w());
    let n = g.in_c * g.k * g.k;
    let mut patch: ::number_rt::__private::Vec<<L as conv2d::Formats>::x> = {
        let __nq_v: ::number_rt::__private::Vec<f32> = vec![0.0; n];
        __nq_v
            .into_iter()
            .map(<<L as conv2d::Formats>::x as ::number_rt::Number>::from_f32)
            .collect::<::number_rt::__private::Vec<<L as conv2d::Formats>::x>>()
    };
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
                            <<L as conv2d::Formats>::x as ::number_rt::Number>::from_f32(
                                <<L as conv2d::Formats>::lit0 as ::number_rt::Number>::quantize(
                                    0.0,
                                ),
                            )
                        };
                    }
                }
            }
            for o in 0..g.out_c {
                let mut acc: f32 = <<L as conv2d::Formats>::acc as ::number_rt::Number>::quantize(
                    b[o].to_f32(),
                );
                {
                    let __nq_r = 0..n;
                    if __nq_r.start < __nq_r.end {
                        let __nq_n = __nq_r.end - __nq_r.start;
                        let __nq_a = {
                            let i = __nq_r.start;
                            &w[o * n + i..][..__nq_n]
                        };
                        let __nq_b = {
                            let i = __nq_r.start;
                            &patch[i..][..__nq_n]
                        };
                        acc = ::number_rt::dot::dot::<
                            <L as conv2d::Formats>::acc,
                            <L as conv2d::Formats>::w,
                            <L as conv2d::Formats>::x,
                            _,
                            _,
                        >(acc, __nq_a, __nq_b);
                    }
                }
                y[(o * oh + oy) * ow + ox] = <<L as conv2d::Formats>::y as ::number_rt::Number>::quantize(
                    if relu {
                        acc.max(
                            <<L as conv2d::Formats>::lit1 as ::number_rt::Number>::quantize(
                                0.0,
                            ),
                        )
                    } else {
                        acc
                    },
                );
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
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `conv2d`",
        note = "tuned.rs has no `impl conv2d::Formats for {Self}`: re-run the tuner (`cargo number tune ...`, see README) and rebuild"
    )]
    pub trait Formats: 'static {
        type w: ::number_rt::Number;
        type b: ::number_rt::Number;
        type x: ::number_rt::Number;
        type y: ::number_rt::Number;
        type lit0: ::number_rt::Number;
        type acc: ::number_rt::Number;
        type lit1: ::number_rt::Number;
    }
    pub type w<L> = <L as Formats>::w;
    pub type b<L> = <L as Formats>::b;
}
