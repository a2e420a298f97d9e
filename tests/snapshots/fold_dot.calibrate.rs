pub fn dense<L: ::number_rt::__private::Instance>(
    w: &[f32],
    b: &[f32],
    x: &[f32],
    y: &mut [f32],
) {
    static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
        name: "dense",
        module: module_path!(),
        fingerprint: 0x75242842e269ce6a,
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
                ident: "dot",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit0",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "dot_2",
                kind: ::number_rt::__private::SiteKind::Local,
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
    let n = x.len();
    for o in 0..y.len() {
        let s = {
            let __nq_zn = ::core::cmp::min(x.len(), w.len() - (o * n));
            let mut dot: f32 = __nq.q(4, b[o]);
            {
                let __nq_r = 0..__nq_zn;
                if __nq_r.start < __nq_r.end {
                    let __nq_n = __nq_r.end - __nq_r.start;
                    __nq.row(
                        0,
                        {
                            let __nq_zi = __nq_r.start;
                            (o * n) + __nq_zi
                        },
                        __nq_n,
                    );
                    let __nq_a = {
                        let __nq_zi = __nq_r.start;
                        &x[__nq_zi..][..__nq_n]
                    };
                    let __nq_b = {
                        let __nq_zi = __nq_r.start;
                        &w[(o * n) + __nq_zi..][..__nq_n]
                    };
                    __nq.gram(
                        0,
                        {
                            let __nq_zi = __nq_r.start;
                            (o * n) + __nq_zi
                        },
                        __nq_a,
                    );
                    dot = __nq.dot(4, dot, __nq_a, __nq_b);
                }
            }
            dot
        };
        y[o] = __nq
            .q(
                3,
                s
                    + {
                        let mut dot: f32 = __nq.q(6, __nq.q(5, 0.0));
                        {
                            let __nq_r = 0..n;
                            if __nq_r.start < __nq_r.end {
                                let __nq_n = __nq_r.end - __nq_r.start;
                                __nq.row(
                                    0,
                                    {
                                        let i = __nq_r.start;
                                        o * n + i
                                    },
                                    __nq_n,
                                );
                                let __nq_a = {
                                    let i = __nq_r.start;
                                    &w[o * n + i..][..__nq_n]
                                };
                                let __nq_b = {
                                    let i = __nq_r.start;
                                    &x[i..][..__nq_n]
                                };
                                __nq.gram(
                                    0,
                                    {
                                        let i = __nq_r.start;
                                        o * n + i
                                    },
                                    __nq_b,
                                );
                                dot = __nq.dot(6, dot, __nq_a, __nq_b);
                            }
                        }
                        dot
                    },
            );
    }
}
/// Formats and fingerprint of the #[quantize] function `dense`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod dense {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x75242842e269ce6a;
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
