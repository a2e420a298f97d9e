pub fn gru_cell<L: ::number_rt::__private::Instance>(
    wz: &[f32],
    uz: &[f32],
    wh: &[f32],
    uh: &[f32],
    x: &[f32],
    h: &mut [f32],
) {
    static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
        name: "gru_cell",
        module: module_path!(),
        fingerprint: 0x81ba67ef5671a9b6,
        sites: &[
            ::number_rt::__private::SiteInfo {
                ident: "wz",
                kind: ::number_rt::__private::SiteKind::Weight,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "uz",
                kind: ::number_rt::__private::SiteKind::Weight,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "wh",
                kind: ::number_rt::__private::SiteKind::Weight,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "uh",
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
                operand: true,
            },
            ::number_rt::__private::SiteInfo {
                ident: "h_new",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit0",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "az",
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
            ::number_rt::__private::SiteInfo {
                ident: "z",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit3",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "z",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit4",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "ah",
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
    let __nq_wz = __nq.weights(0, wz);
    let wz: &[f32] = &__nq_wz;
    let __nq_uz = __nq.weights(1, uz);
    let uz: &[f32] = &__nq_uz;
    let __nq_wh = __nq.weights(2, wh);
    let wh: &[f32] = &__nq_wh;
    let __nq_uh = __nq.weights(3, uh);
    let uh: &[f32] = &__nq_uh;
    let __nq_x = __nq.q_vec(4, x);
    let x: &[f32] = &__nq_x;
    __nq.q_slice(5, h);
    let (n, m) = (h.len(), x.len());
    let mut h_new: Vec<f32> = {
        let mut __nq_v: Vec<f32> = vec![0.0; n];
        __nq.q_slice(6, &mut __nq_v);
        __nq_v
    };
    for j in 0..n {
        let mut az: f32 = __nq.q(8, __nq.q(7, 0.0));
        {
            let __nq_r = 0..m;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                __nq.row(
                    0,
                    {
                        let i = __nq_r.start;
                        j * m + i
                    },
                    __nq_n,
                );
                let __nq_a = {
                    let i = __nq_r.start;
                    &wz[j * m + i..][..__nq_n]
                };
                let __nq_b = {
                    let i = __nq_r.start;
                    &x[i..][..__nq_n]
                };
                __nq.gram(
                    0,
                    {
                        let i = __nq_r.start;
                        j * m + i
                    },
                    __nq_b,
                );
                az = __nq.dot(8, az, __nq_a, __nq_b);
            }
        }
        {
            let __nq_r = 0..n;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                __nq.row(
                    1,
                    {
                        let k = __nq_r.start;
                        j * n + k
                    },
                    __nq_n,
                );
                let __nq_a = {
                    let k = __nq_r.start;
                    &uz[j * n + k..][..__nq_n]
                };
                let __nq_b = {
                    let k = __nq_r.start;
                    &h[k..][..__nq_n]
                };
                __nq.gram(
                    1,
                    {
                        let k = __nq_r.start;
                        j * n + k
                    },
                    __nq_b,
                );
                az = __nq.dot(8, az, __nq_a, __nq_b);
            }
        }
        let z = __nq.q(11, __nq.q(9, 1.0) / (__nq.q(10, 1.0) + (-az).exp()));
        let r = __nq.q(13, __nq.q(12, 1.0) - z);
        let mut ah: f32 = __nq.q(15, __nq.q(14, 0.0));
        {
            let __nq_r = 0..m;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                __nq.row(
                    2,
                    {
                        let i = __nq_r.start;
                        j * m + i
                    },
                    __nq_n,
                );
                let __nq_a = {
                    let i = __nq_r.start;
                    &wh[j * m + i..][..__nq_n]
                };
                let __nq_b = {
                    let i = __nq_r.start;
                    &x[i..][..__nq_n]
                };
                __nq.gram(
                    2,
                    {
                        let i = __nq_r.start;
                        j * m + i
                    },
                    __nq_b,
                );
                ah = __nq.dot(15, ah, __nq_a, __nq_b);
            }
        }
        for k in 0..n {
            ah = __nq.q(15, ah + r * (uh[j * n + k] * h[k]));
        }
        h_new[j] = __nq.q(6, r * h[j]);
        h_new[j] = __nq.q(6, h_new[j] + z * ah.tanh());
    }
    for j in 0..n {
        h[j] = __nq.q(5, h_new[j]);
    }
}
/// Formats and fingerprint of the #[quantize] function `gru_cell`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod gru_cell {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x81ba67ef5671a9b6;
    /// Every layer instance: formats are chosen at run time in calibrate builds (tuned builds
    /// implement this trait per instance in `tuned.rs`).
    pub trait Formats: ::number_rt::__private::Instance {}
    impl<T: ::number_rt::__private::Instance> Formats for T {}
    pub type wz<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Wz<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type uz<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Uz<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type wh<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Wh<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type uh<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Uh<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
