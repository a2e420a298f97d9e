impl<L> Linear<L> {
    pub fn forward(&self, x: &[f32], y: &mut [f32])
    where
        L: ::number_rt::__private::Instance,
    {
        static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
            name: "linear_forward",
            module: module_path!(),
            fingerprint: 0x4d272551fd5ab1ae,
            sites: &[
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
                    ident: "acc",
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
        let __nq_x = __nq.q_vec(0, x);
        let x: &[f32] = &__nq_x;
        __nq.q_slice(1, y);
        let __nq_w = __nq.weights(2, &self.w);
        let w: &[f32] = &__nq_w;
        let __nq_b = __nq.weights(3, &self.b);
        let b: &[f32] = &__nq_b;
        let n = x.len();
        for o in 0..y.len() {
            let mut acc = __nq.q(4, b[o]);
            {
                let __nq_r = 0..n;
                if __nq_r.start < __nq_r.end {
                    let __nq_n = __nq_r.end - __nq_r.start;
                    __nq.row(
                        2,
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
                        2,
                        {
                            let i = __nq_r.start;
                            o * n + i
                        },
                        __nq_b,
                    );
                    acc = __nq.dot(4, acc, __nq_a, __nq_b);
                }
            }
            y[o] = __nq.q(1, acc * self.gain);
        }
    }
}
/// Formats and fingerprint of the #[quantize] function `forward`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod linear_forward {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x4d272551fd5ab1ae;
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
