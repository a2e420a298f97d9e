pub fn dense<L: ::number_rt::__private::Instance>(
    w: &[f32],
    b: &[f32],
    u: &[f32],
    x: &[f32],
    y: &mut [f32],
) -> Vec<f32> {
    static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
        name: "dense",
        module: module_path!(),
        fingerprint: 0xd34877fd586c8243,
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
                ident: "y",
                kind: ::number_rt::__private::SiteKind::Output,
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
            ::number_rt::__private::SiteInfo {
                ident: "lit1",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "first",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit2",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "dot",
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
    let __nq_u = __nq.weights(2, u);
    let u: &[f32] = &__nq_u;
    let __nq_x = __nq.q_vec(3, x);
    let x: &[f32] = &__nq_x;
    __nq.q_slice(4, y);
    let n = x.len();
    for (o, __nq_row_row) in {
        let __nq_rn: usize = n;
        assert!(__nq_rn != 0, "chunk size must be non-zero");
        0..w.len().div_ceil(__nq_rn)
    }
        .enumerate()
    {
        let mut acc = __nq.q(5, b[o]);
        {
            let __nq_zn = ::core::cmp::min(
                (::core::cmp::min(__nq_row_row * (n) + (n), w.len()))
                    - ((__nq_row_row * (n))),
                x.len(),
            );
            {
                let __nq_r = 0..__nq_zn;
                if __nq_r.start < __nq_r.end {
                    let __nq_n = __nq_r.end - __nq_r.start;
                    __nq.row(
                        0,
                        {
                            let __nq_zi = __nq_r.start;
                            ((__nq_row_row * (n))) + __nq_zi
                        },
                        __nq_n,
                    );
                    let __nq_a = {
                        let __nq_zi = __nq_r.start;
                        &w[((__nq_row_row * (n))) + __nq_zi..][..__nq_n]
                    };
                    let __nq_b = {
                        let __nq_zi = __nq_r.start;
                        &x[__nq_zi..][..__nq_n]
                    };
                    __nq.gram(
                        0,
                        {
                            let __nq_zi = __nq_r.start;
                            ((__nq_row_row * (n))) + __nq_zi
                        },
                        __nq_b,
                    );
                    acc = __nq.dot(5, acc, __nq_a, __nq_b);
                }
            }
        }
        y[o] = __nq.q(4, acc.max(__nq.q(6, 0.0)));
    }
    let mut first: f32 = __nq.q(8, __nq.q(7, 0.0));
    {
        let __nq_zn = n;
        {
            let __nq_r = 0..__nq_zn;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                __nq.row(
                    2,
                    {
                        let i = __nq_r.start;
                        i
                    },
                    __nq_n,
                );
                let __nq_a = {
                    let i = __nq_r.start;
                    &u[i..][..__nq_n]
                };
                let __nq_b = {
                    let i = __nq_r.start;
                    &x[i..][..__nq_n]
                };
                __nq.gram(
                    2,
                    {
                        let i = __nq_r.start;
                        i
                    },
                    __nq_b,
                );
                first = __nq.dot(8, first, __nq_a, __nq_b);
            }
        }
    }
    y[0] = __nq.q(4, y[0] + first);
    {
        let __nq_rn: usize = n;
        assert!(__nq_rn != 0, "chunk size must be non-zero");
        0..u.len() / __nq_rn
    }
        .zip(b)
        .map(|(__nq_row_row, bias)| (
            {
                let __nq_zn = ::core::cmp::min(
                    ((__nq_row_row * (n) + (n))) - ((__nq_row_row * (n))),
                    x.len(),
                );
                let mut dot: f32 = __nq.q(10, __nq.q(9, 0.0f32));
                {
                    let __nq_r = 0..__nq_zn;
                    if __nq_r.start < __nq_r.end {
                        let __nq_n = __nq_r.end - __nq_r.start;
                        __nq.row(
                            2,
                            {
                                let __nq_zi = __nq_r.start;
                                ((__nq_row_row * (n))) + __nq_zi
                            },
                            __nq_n,
                        );
                        let __nq_a = {
                            let __nq_zi = __nq_r.start;
                            &u[((__nq_row_row * (n))) + __nq_zi..][..__nq_n]
                        };
                        let __nq_b = {
                            let __nq_zi = __nq_r.start;
                            &x[__nq_zi..][..__nq_n]
                        };
                        __nq.gram(
                            2,
                            {
                                let __nq_zi = __nq_r.start;
                                ((__nq_row_row * (n))) + __nq_zi
                            },
                            __nq_b,
                        );
                        dot = __nq.dot(10, dot, __nq_a, __nq_b);
                    }
                }
                dot
            } + bias
        ))
        .collect()
}
/// Formats and fingerprint of the #[quantize] function `dense`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod dense {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xd34877fd586c8243;
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
    pub type u<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type U<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
