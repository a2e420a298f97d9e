impl<L> Scale<L> {
    pub fn new(k: f32) -> Self
    where
        L: scale_new::Formats,
    {
        let k = <<L as scale_new::Formats>::k as ::number_rt::__private::Number>::quantize(
            k,
        );
        Scale {
            k,
            _l: core::marker::PhantomData,
        }
    }
    pub fn forward(
        &self,
        g: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<
            scale_forward::g<L>,
        >),
        x: &[f32],
        y: &mut [f32],
    )
    where
        L: scale_forward::Formats,
    {
        use ::number_rt::__private::Number as _;
        let mut __nq_wprep_g = ::number_rt::__private::Unpacked::<
            <L as scale_forward::Formats>::g,
            4096,
        >::new();
        let __nq_wsrc_g = &::number_rt::__private::WeightRead::prepare(
            g,
            &mut __nq_wprep_g,
        );
        let mut __nq_wbuf_g = ::number_rt::__private::Unpacked::<
            <L as scale_forward::Formats>::g,
            4096,
        >::new();
        let g: &[<L as scale_forward::Formats>::g] = ::number_rt::__private::WeightRead::read(
            __nq_wsrc_g,
            &mut __nq_wbuf_g,
        );
        let mut __nq_x = ::number_rt::__private::Typed::<
            <L as scale_forward::Formats>::x,
            1024,
        >::new();
        let x: &[<L as scale_forward::Formats>::x] = __nq_x.fill(x);
        for __nq_e in y.iter_mut() {
            *__nq_e = <<L as scale_forward::Formats>::y as ::number_rt::__private::Number>::quantize(
                *__nq_e,
            );
        }
        for i in 0..x.len() {
            y[i] = <<L as scale_forward::Formats>::y as ::number_rt::__private::Number>::quantize(
                g[i].to_f32() * x[i].to_f32() * self.k,
            );
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
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `scale_new`",
        note = "tuned.rs has no `impl scale_new::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type k: ::number_rt::__private::Number;
    }
}
/// Formats and fingerprint of the #[quantize] function `forward`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod scale_forward {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x8ef7034ad1003fcd;
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `scale_forward`",
        note = "tuned.rs has no `impl scale_forward::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type g: ::number_rt::__private::Number;
        type x: ::number_rt::__private::Number;
        type y: ::number_rt::__private::Number;
    }
    pub type g<L> = <L as Formats>::g;
    pub type G<L> = ::number_rt::__private::Stored<<L as Formats>::g>;
}
