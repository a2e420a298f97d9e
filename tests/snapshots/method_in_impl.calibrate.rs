impl<L> Scale<L> {
    pub fn new(k: f32) -> Self
    where
        L: ::number_rt::__private::Instance,
    {
        static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
            name: "scale_new",
            module: module_path!(),
            fingerprint: 0x25cb4dd8ebdbc5f9,
            sites: &[
                ::number_rt::__private::SiteInfo {
                    ident: "k",
                    kind: ::number_rt::__private::SiteKind::Input,
                    operand: false,
                },
            ],
        };
        let __nq = ::number_rt::__private::Frame::enter(
            &__NQ_INFO,
            <L as ::number_rt::__private::Instance>::NAME,
            <L as ::number_rt::__private::Instance>::MODULE,
        );
        let k = __nq.q(0, k);
        Scale {
            k,
            _l: core::marker::PhantomData,
        }
    }
    pub fn forward(&self, g: &[f32], x: &[f32], y: &mut [f32])
    where
        L: ::number_rt::__private::Instance,
    {
        static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
            name: "scale_forward",
            module: module_path!(),
            fingerprint: 0x8ef7034ad1003fcd,
            sites: &[
                ::number_rt::__private::SiteInfo {
                    ident: "g",
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
            ],
        };
        let __nq = ::number_rt::__private::Frame::enter(
            &__NQ_INFO,
            <L as ::number_rt::__private::Instance>::NAME,
            <L as ::number_rt::__private::Instance>::MODULE,
        );
        let __nq_g = __nq.weights(0, g);
        let g: &[f32] = &__nq_g;
        let __nq_x = __nq.q_vec(1, x);
        let x: &[f32] = &__nq_x;
        __nq.q_slice(2, y);
        for i in 0..x.len() {
            y[i] = __nq.q(2, g[i] * x[i] * self.k);
        }
    }
    fn count(&self) -> usize {
        1
    }
}
/// Formats and fingerprint of the #[quantize] function `new`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod scale_new {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x25cb4dd8ebdbc5f9;
    /// Every layer instance: formats are chosen at run time in calibrate builds (tuned builds
    /// implement this trait per instance in `tuned.rs`).
    pub trait Formats: ::number_rt::__private::Instance {}
    impl<T: ::number_rt::__private::Instance> Formats for T {}
}
/// Formats and fingerprint of the #[quantize] function `forward`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod scale_forward {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x8ef7034ad1003fcd;
    /// Every layer instance: formats are chosen at run time in calibrate builds (tuned builds
    /// implement this trait per instance in `tuned.rs`).
    pub trait Formats: ::number_rt::__private::Instance {}
    impl<T: ::number_rt::__private::Instance> Formats for T {}
    pub type g<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type G<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
