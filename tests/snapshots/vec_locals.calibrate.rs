pub fn vec_locals<L: ::number_rt::__private::Instance>(
    w: &[f32],
    x: &[f32],
    y: &mut [f32],
) {
    static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
        name: "vec_locals",
        module: module_path!(),
        fingerprint: 0x829983b33288b333,
        sites: &[
            ::number_rt::__private::SiteInfo {
                ident: "w",
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
                ident: "h",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "g",
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
    let __nq_x = __nq.q_vec(1, x);
    let x: &[f32] = &__nq_x;
    __nq.q_slice(2, y);
    let n = x.len();
    let mut h = {
        let mut __nq_v = vec![0.0f32; n];
        __nq.q_slice(3, &mut __nq_v);
        __nq_v
    };
    let mut g = {
        let mut __nq_v = vec![0.5, - 1.0];
        __nq.q_slice(4, &mut __nq_v);
        __nq_v
    };
    let d = vec![0.0f64; n];
    for i in 0..n {
        h[i] = __nq.q(3, w[i] * x[i]);
    }
    g[0] = __nq.q(4, g[0] + h[0]);
    g.push(__nq.q(4, __nq.q(5, 2.0)));
    y[0] = __nq.q(2, h[n - 1] + g[0] + g[2] + d[0] as f32);
}
/// Formats and fingerprint of the #[quantize] function `vec_locals`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod vec_locals {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x829983b33288b333;
    /// Every layer instance: formats are chosen at run time in calibrate builds (tuned builds
    /// implement this trait per instance in `tuned.rs`).
    pub trait Formats: ::number_rt::__private::Instance {}
    impl<T: ::number_rt::__private::Instance> Formats for T {}
    pub type w<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type W<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
