pub fn depthwise_conv2d<L: ::number_rt::__private::Instance>(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
    g: Depthwise,
    relu: bool,
) {
    static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
        name: "depthwise_conv2d",
        module: module_path!(),
        fingerprint: 0xb167c44cbf485db5,
        sites: &[
            ::number_rt::__private::SiteInfo {
                ident: "w",
                kind: ::number_rt::__private::SiteKind::Weight,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "b",
                kind: ::number_rt::__private::SiteKind::Weight,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "x",
                kind: ::number_rt::__private::SiteKind::Input,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "y",
                kind: ::number_rt::__private::SiteKind::Output,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "x",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "acc",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit0",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
        ],
    };
    let __nq = ::number_rt::__private::Frame::enter(
        &__NQ_INFO,
        <L as ::number_rt::__private::Instance>::NAME,
        <L as ::number_rt::__private::Instance>::MODULE,
    );
    let __nq_w = __nq.weights(0, w);
    let w: &[f32] = &__nq_w;
    let __nq_b = __nq.weights(1, b);
    let b: &[f32] = &__nq_b;
    let __nq_x = __nq.q_vec(2, x);
    let x: &[f32] = &__nq_x;
    __nq.q_slice(3, y);
    let (oh, ow) = (g.out_h(), g.out_w());
    let (kk, np) = (g.k * g.k, oh * ow);
    let mut patch: Vec<f32> = {
        let mut __nq_v: Vec<f32> = vec![0.0; kk * np];
        __nq.q_slice(4, &mut __nq_v);
        __nq_v
    };
    let mut acc: Vec<f32> = {
        let mut __nq_v: Vec<f32> = vec![0.0; np];
        __nq.q_slice(5, &mut __nq_v);
        __nq_v
    };
    for c in 0..g.c {
        for ky in 0..g.k {
            for kx in 0..g.k {
                let row = (ky * g.k + kx) * np;
                let lo = g.pad.saturating_sub(kx).div_ceil(g.stride).min(ow);
                let hi = (g.in_w + g.pad).saturating_sub(kx).div_ceil(g.stride).min(ow);
                for oy in 0..oh {
                    let iy = (oy * g.stride + ky).wrapping_sub(g.pad);
                    if iy < g.in_h {
                        let src = (c * g.in_h + iy) * g.in_w + kx;
                        if __nq.recording() {
                            for ox in lo..hi {
                                patch[row + oy * ow + ox] = __nq
                                    .q(4, x[src + ox * g.stride - g.pad]);
                            }
                        } else {
                            {
                                let __nq_r = lo..hi;
                                if __nq_r.start < __nq_r.end {
                                    let __nq_d: usize = {
                                        let ox = __nq_r.start;
                                        row + oy * ow + ox
                                    };
                                    let __nq_s: usize = {
                                        let ox = __nq_r.start;
                                        src + ox * g.stride - g.pad
                                    };
                                    ::number_rt::__private::copy_strided(
                                        &mut patch[__nq_d..],
                                        1,
                                        &x[__nq_s..],
                                        (1 * (g.stride)),
                                        __nq_r.end - __nq_r.start,
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
        for p in 0..np {
            acc[p] = __nq.q(5, b[c]);
        }
        {
            let __nq_r = 0..kk;
            let __nq_q = 0..np;
            if __nq_r.start < __nq_r.end && __nq_q.start < __nq_q.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                let __nq_m = __nq_q.end - __nq_q.start;
                __nq.row(
                    0,
                    {
                        let i = __nq_r.start;
                        c * kk + i
                    },
                    __nq_n,
                );
                let __nq_a = {
                    let i = __nq_r.start;
                    &w[c * kk + i..][..__nq_n]
                };
                let __nq_acc = {
                    let p = __nq_q.start;
                    &mut acc[p..][..__nq_m]
                };
                {
                    __nq.gram_columns(
                        0,
                        {
                            let i = __nq_r.start;
                            c * kk + i
                        },
                        __nq_n,
                        __nq_m,
                        |__nq_k: usize| {
                            #[allow(unused_variables)]
                            let i = __nq_r.start + __nq_k;
                            let p = __nq_q.start;
                            &patch[i * np + p..][..__nq_m]
                        },
                    );
                    __nq.columns(
                        5,
                        __nq_acc,
                        __nq_a,
                        |__nq_k: usize| {
                            #[allow(unused_variables)]
                            let i = __nq_r.start + __nq_k;
                            let p = __nq_q.start;
                            &patch[i * np + p..][..__nq_m]
                        },
                    )
                };
            }
        }
        for p in 0..np {
            y[c * np + p] = __nq
                .q(3, if relu { acc[p].max(__nq.q(6, 0.0)) } else { acc[p] });
        }
    }
}
/// Formats and fingerprint of the #[quantize] function `depthwise_conv2d`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod depthwise_conv2d {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xb167c44cbf485db5;
    /// Every layer instance: formats are chosen at run time in calibrate builds (tuned builds
    /// implement this trait per instance in `tuned.rs`).
    pub trait Formats: ::number_rt::__private::Instance {}
    impl<T: ::number_rt::__private::Instance> Formats for T {}
    pub type w<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type W<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type b<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type B<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
