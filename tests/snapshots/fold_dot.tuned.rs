pub fn dense<L: dense::Formats>(
    w: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<dense::w<L>>),
    b: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<dense::b<L>>),
    x: &[f32],
    y: &mut [f32],
) {
    use ::number_rt::__private::Number as _;
    let mut __nq_wprep_w = ::number_rt::__private::Unpacked::<
        <L as dense::Formats>::w,
        4096,
    >::new();
    let __nq_wsrc_w = &::number_rt::__private::WeightRead::prepare(w, &mut __nq_wprep_w);
    let mut __nq_wbuf_w = ::number_rt::__private::Unpacked::<
        <L as dense::Formats>::w,
        4096,
    >::new();
    let w: &[<L as dense::Formats>::w] = ::number_rt::__private::WeightRead::read(
        __nq_wsrc_w,
        &mut __nq_wbuf_w,
    );
    let mut __nq_wprep_b = ::number_rt::__private::Unpacked::<
        <L as dense::Formats>::b,
        4096,
    >::new();
    let __nq_wsrc_b = &::number_rt::__private::WeightRead::prepare(b, &mut __nq_wprep_b);
    let mut __nq_wbuf_b = ::number_rt::__private::Unpacked::<
        <L as dense::Formats>::b,
        4096,
    >::new();
    let b: &[<L as dense::Formats>::b] = ::number_rt::__private::WeightRead::read(
        __nq_wsrc_b,
        &mut __nq_wbuf_b,
    );
    let mut __nq_x = ::number_rt::__private::F32s::<1024>::new();
    let x: &[f32] = __nq_x.quantize::<<L as dense::Formats>::x>(x);
    for __nq_e in y.iter_mut() {
        *__nq_e = <<L as dense::Formats>::y as ::number_rt::__private::Number>::quantize(
            *__nq_e,
        );
    }
    let n = x.len();
    for o in 0..y.len() {
        let s = {
            let __nq_zn = ::core::cmp::min(x.len(), w.len() - (o * n));
            let mut dot: f32 = <<L as dense::Formats>::dot as ::number_rt::__private::Number>::quantize(
                b[o].to_f32(),
            );
            {
                let __nq_r = 0..__nq_zn;
                if __nq_r.start < __nq_r.end {
                    let __nq_n = __nq_r.end - __nq_r.start;
                    let mut __nq_tile_b = ::number_rt::__private::Unpacked::<
                        <L as dense::Formats>::w,
                        4096,
                    >::new();
                    let __nq_a = {
                        let __nq_zi = __nq_r.start;
                        &x[__nq_zi..][..__nq_n]
                    };
                    let __nq_b = {
                        let __nq_zi = __nq_r.start;
                        ::number_rt::__private::WeightRead::range(
                            __nq_wsrc_w,
                            (o * n) + __nq_zi,
                            __nq_n,
                            &mut __nq_tile_b,
                        )
                    };
                    dot = ::number_rt::__private::dot::<
                        <L as dense::Formats>::dot,
                        <L as dense::Formats>::x,
                        <L as dense::Formats>::w,
                        _,
                        _,
                    >(dot, __nq_a, __nq_b);
                }
            }
            dot
        };
        y[o] = <<L as dense::Formats>::y as ::number_rt::__private::Number>::quantize(
            s
                + {
                    let mut dot: f32 = <<L as dense::Formats>::dot_2 as ::number_rt::__private::Number>::quantize(
                        <<L as dense::Formats>::lit0 as ::number_rt::__private::Number>::quantize(
                            0.0,
                        ),
                    );
                    {
                        let __nq_r = 0..n;
                        if __nq_r.start < __nq_r.end {
                            let __nq_n = __nq_r.end - __nq_r.start;
                            let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                                <L as dense::Formats>::w,
                                4096,
                            >::new();
                            let __nq_a = {
                                let i = __nq_r.start;
                                ::number_rt::__private::WeightRead::range(
                                    __nq_wsrc_w,
                                    o * n + i,
                                    __nq_n,
                                    &mut __nq_tile_a,
                                )
                            };
                            let __nq_b = {
                                let i = __nq_r.start;
                                &x[i..][..__nq_n]
                            };
                            dot = ::number_rt::__private::dot::<
                                <L as dense::Formats>::dot_2,
                                <L as dense::Formats>::w,
                                <L as dense::Formats>::x,
                                _,
                                _,
                            >(dot, __nq_a, __nq_b);
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
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `dense`",
        note = "tuned.rs has no `impl dense::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type w: ::number_rt::__private::Number;
        type b: ::number_rt::__private::Number;
        type x: ::number_rt::__private::Number;
        type y: ::number_rt::__private::Number;
        type dot: ::number_rt::__private::Number;
        type lit0: ::number_rt::__private::Number;
        type dot_2: ::number_rt::__private::Number;
    }
    pub type w<L> = <L as Formats>::w;
    pub type W<L> = ::number_rt::__private::Stored<<L as Formats>::w>;
    pub type b<L> = <L as Formats>::b;
    pub type B<L> = ::number_rt::__private::Stored<<L as Formats>::b>;
}
