pub(crate) fn misc(
    a: f32,
    mut s: &mut f32,
    v: [f32; 4],
    r: &[f32; 4],
    acc: Vec<f32>,
    scale: f32,
) -> f32 {
    static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
        name: "misc",
        module: module_path!(),
        fingerprint: 0x1b5700b2146ac008,
        sites: &[
            ::number_rt::__private::SiteInfo {
                ident: "a",
                kind: ::number_rt::__private::SiteKind::Input,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "s",
                kind: ::number_rt::__private::SiteKind::Output,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "v",
                kind: ::number_rt::__private::SiteKind::Input,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "r",
                kind: ::number_rt::__private::SiteKind::Input,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "acc",
                kind: ::number_rt::__private::SiteKind::Input,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "ret",
                kind: ::number_rt::__private::SiteKind::Return,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit0",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "tmp",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "t_2",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit1",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit2",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
        ],
    };
    let __nq = ::number_rt::__private::Frame::enter(&__NQ_INFO, "", "");
    let a = __nq.q(0, a);
    *s = __nq.q(1, *s);
    let v = {
        let mut __nq_v = v;
        __nq.q_slice(2, &mut __nq_v);
        __nq_v
    };
    let mut __nq_r = *r;
    __nq.q_slice(3, &mut __nq_r);
    let r = &__nq_r;
    let mut acc = {
        let mut __nq_v = acc;
        __nq.q_slice(4, &mut __nq_v);
        __nq_v
    };
    fn helper(q: f32) -> f32 {
        q * 2.0
    }
    let t = __nq.q(7, a * __nq.q(6, 0.5));
    let t = __nq.q(8, t + r[0]);
    *s = __nq.q(1, *s + t);
    let sq = |e: f32| e * e * __nq.q(9, 3.0);
    acc[0] = __nq.q(4, acc[0] - (sq(v[1]) + __nq.q(10, 1.0)));
    let n = acc.len();
    if n > 2 {
        return __nq.q(5, acc[1] * scale);
    }
    __nq.q(5, helper(t) + acc[0] + 4.0)
}
/// Formats and fingerprint of the #[quantize] function `misc`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub(crate) mod misc {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x1b5700b2146ac008;
    /// Every layer instance: formats are chosen at run time in calibrate builds (tuned builds
    /// implement this trait per instance in `tuned.rs`).
    pub trait Formats: ::number_rt::__private::Instance {}
    impl<T: ::number_rt::__private::Instance> Formats for T {}
}
