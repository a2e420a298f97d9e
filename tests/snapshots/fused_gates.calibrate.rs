pub fn gates<L: ::number_rt::__private::Instance>(
    wz: &[f32],
    wc: &[f32],
    b: &[f32],
    x: &[f32],
    h: &mut [f32],
) {
    static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
        name: "gates",
        module: module_path!(),
        fingerprint: 0xccd8dff5bbed381a,
        sites: &[
            ::number_rt::__private::SiteInfo {
                ident: "wz",
                kind: ::number_rt::__private::SiteKind::Weight,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "wc",
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
                ident: "h",
                kind: ::number_rt::__private::SiteKind::Output,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit0",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "z",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "c",
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
    let __nq_wc = __nq.weights(1, wc);
    let wc: &[f32] = &__nq_wc;
    let __nq_b = __nq.weights(2, b);
    let b: &[f32] = &__nq_b;
    let __nq_x = __nq.q_vec(3, x);
    let x: &[f32] = &__nq_x;
    __nq.q_slice(4, h);
    let m = x.len();
    for j in 0..h.len() {
        let mut z: f32 = __nq.q(6, __nq.q(5, 0.0));
        let mut c: f32 = __nq.q(7, b[j]);
        {
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
                    z = __nq.dot(6, z, __nq_a, __nq_b);
                }
            }
            {
                let __nq_r = 0..m;
                if __nq_r.start < __nq_r.end {
                    let __nq_n = __nq_r.end - __nq_r.start;
                    __nq.row(
                        1,
                        {
                            let i = __nq_r.start;
                            j * m + i
                        },
                        __nq_n,
                    );
                    let __nq_a = {
                        let i = __nq_r.start;
                        &wc[j * m + i..][..__nq_n]
                    };
                    let __nq_b = {
                        let i = __nq_r.start;
                        &x[i..][..__nq_n]
                    };
                    __nq.gram(
                        1,
                        {
                            let i = __nq_r.start;
                            j * m + i
                        },
                        __nq_b,
                    );
                    c = __nq.dot(7, c, __nq_a, __nq_b);
                }
            }
        }
        h[j] = __nq.q(4, z * c);
    }
}
/// Formats and fingerprint of the #[quantize] function `gates`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod gates {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xccd8dff5bbed381a;
    /// Every layer instance: formats are chosen at run time in calibrate builds (tuned builds
    /// implement this trait per instance in `tuned.rs`).
    pub trait Formats: ::number_rt::__private::Instance {}
    impl<T: ::number_rt::__private::Instance> Formats for T {}
    pub type wz<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Wz<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type wc<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type Wc<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
    pub type b<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type B<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
