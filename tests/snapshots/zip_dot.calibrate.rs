pub fn cell<L: ::number_rt::__private::Instance>(
    w: &[f32],
    u: &[f32],
    x: &[f32],
    h: &mut [f32],
) {
    static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
        name: "cell",
        module: module_path!(),
        fingerprint: 0x6d871d750c31676e,
        sites: &[
            ::number_rt::__private::SiteInfo {
                ident: "w",
                kind: ::number_rt::__private::SiteKind::Weight,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "u",
                kind: ::number_rt::__private::SiteKind::Weight,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "x",
                kind: ::number_rt::__private::SiteKind::Input,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "h",
                kind: ::number_rt::__private::SiteKind::Output,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "prev",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: true,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit0",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "dot",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "a",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit1",
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
    let __nq_u = __nq.weights(1, u);
    let u: &[f32] = &__nq_u;
    let __nq_x = __nq.q_vec(2, x);
    let x: &[f32] = &__nq_x;
    __nq.q_slice(3, h);
    let n = h.len();
    let m = x.len();
    let prev: Vec<f32> = {
        let mut __nq_v: Vec<f32> = h.to_vec();
        __nq.q_slice(4, &mut __nq_v);
        __nq_v
    };
    for o in 0..n {
        let a: f32 = __nq
            .q(
                7,
                {
                    let __nq_zn = ::core::cmp::min(((o + 1) * m) - (o * m), x.len());
                    let mut dot: f32 = __nq.q(6, __nq.q(5, 0.0f32));
                    {
                        let __nq_r = 0..__nq_zn;
                        if __nq_r.start < __nq_r.end {
                            let __nq_n = __nq_r.end - __nq_r.start;
                            __nq.row(
                                0,
                                {
                                    let __nq_zi = __nq_r.start;
                                    (o * m) + __nq_zi
                                },
                                __nq_n,
                            );
                            let __nq_a = {
                                let __nq_zi = __nq_r.start;
                                &w[(o * m) + __nq_zi..][..__nq_n]
                            };
                            let __nq_b = {
                                let __nq_zi = __nq_r.start;
                                &x[__nq_zi..][..__nq_n]
                            };
                            __nq.gram(
                                0,
                                {
                                    let __nq_zi = __nq_r.start;
                                    (o * m) + __nq_zi
                                },
                                __nq_b,
                            );
                            dot = __nq.dot(6, dot, __nq_a, __nq_b);
                        }
                    }
                    dot
                },
            );
        let b = {
            let __nq_zn = ::core::cmp::min(prev.len(), u.len() - (o * n));
            let mut dot: f32 = __nq.q(9, __nq.q(8, 0.0f32));
            {
                let __nq_r = 0..__nq_zn;
                if __nq_r.start < __nq_r.end {
                    let __nq_n = __nq_r.end - __nq_r.start;
                    __nq.row(
                        1,
                        {
                            let __nq_zi = __nq_r.start;
                            (o * n) + __nq_zi
                        },
                        __nq_n,
                    );
                    let __nq_a = {
                        let __nq_zi = __nq_r.start;
                        &prev[__nq_zi..][..__nq_n]
                    };
                    let __nq_b = {
                        let __nq_zi = __nq_r.start;
                        &u[(o * n) + __nq_zi..][..__nq_n]
                    };
                    __nq.gram(
                        1,
                        {
                            let __nq_zi = __nq_r.start;
                            (o * n) + __nq_zi
                        },
                        __nq_a,
                    );
                    dot = __nq.dot(9, dot, __nq_a, __nq_b);
                }
            }
            dot
        };
        h[o] = __nq.q(3, (a + b).tanh());
    }
}
/// Formats and fingerprint of the #[quantize] function `cell`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod cell {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x6d871d750c31676e;
    /// Every layer instance: formats are chosen at run time in calibrate builds (tuned builds
    /// implement this trait per instance in `tuned.rs`).
    pub trait Formats: ::number_rt::__private::Instance {}
    impl<T: ::number_rt::__private::Instance> Formats for T {}
    pub type w<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type W<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type u<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type U<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
