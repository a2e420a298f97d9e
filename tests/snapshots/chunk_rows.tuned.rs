pub fn dense<L: dense::Formats>(
    w: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<dense::w<L>>),
    b: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<dense::b<L>>),
    u: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<dense::u<L>>),
    x: &[f32],
    y: &mut [f32],
) -> Vec<f32> {
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
    let mut __nq_f32s_b = ::number_rt::__private::F32s::<1024>::new();
    let __nq_f32_b: &[f32] = __nq_f32s_b.decode(b);
    let mut __nq_wprep_u = ::number_rt::__private::Unpacked::<
        <L as dense::Formats>::u,
        4096,
    >::new();
    let __nq_wsrc_u = &::number_rt::__private::WeightRead::prepare(u, &mut __nq_wprep_u);
    let mut __nq_wbuf_u = ::number_rt::__private::Unpacked::<
        <L as dense::Formats>::u,
        4096,
    >::new();
    let u: &[<L as dense::Formats>::u] = ::number_rt::__private::WeightRead::read(
        __nq_wsrc_u,
        &mut __nq_wbuf_u,
    );
    let mut __nq_x = ::number_rt::__private::F32s::<1024>::new();
    let x: &[f32] = __nq_x.quantize::<<L as dense::Formats>::x>(x);
    for __nq_e in y.iter_mut() {
        *__nq_e = <<L as dense::Formats>::y as ::number_rt::__private::Number>::quantize(
            *__nq_e,
        );
    }
    let n = x.len();
    for (o, __nq_row_row) in {
        let __nq_rn: usize = n;
        assert!(__nq_rn != 0, "chunk size must be non-zero");
        0..w.len().div_ceil(__nq_rn)
    }
        .enumerate()
    {
        let mut acc = <<L as dense::Formats>::acc as ::number_rt::__private::Number>::quantize(
            b[o].to_f32(),
        );
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
                    let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                        <L as dense::Formats>::w,
                        4096,
                    >::new();
                    let __nq_a = {
                        let __nq_zi = __nq_r.start;
                        ::number_rt::__private::WeightRead::range(
                            __nq_wsrc_w,
                            ((__nq_row_row * (n))) + __nq_zi,
                            __nq_n,
                            &mut __nq_tile_a,
                        )
                    };
                    let __nq_b = {
                        let __nq_zi = __nq_r.start;
                        &x[__nq_zi..][..__nq_n]
                    };
                    acc = ::number_rt::__private::dot::<
                        <L as dense::Formats>::acc,
                        <L as dense::Formats>::w,
                        <L as dense::Formats>::x,
                        _,
                        _,
                    >(acc, __nq_a, __nq_b);
                }
            }
        }
        y[o] = <<L as dense::Formats>::y as ::number_rt::__private::Number>::quantize(
            acc
                .max(
                    <<L as dense::Formats>::lit0 as ::number_rt::__private::Number>::quantize(
                        0.0,
                    ),
                ),
        );
    }
    let mut first: f32 = <<L as dense::Formats>::first as ::number_rt::__private::Number>::quantize(
        <<L as dense::Formats>::lit1 as ::number_rt::__private::Number>::quantize(0.0),
    );
    {
        let __nq_zn = n;
        {
            let __nq_r = 0..__nq_zn;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                    <L as dense::Formats>::u,
                    4096,
                >::new();
                let __nq_a = {
                    let i = __nq_r.start;
                    ::number_rt::__private::WeightRead::range(
                        __nq_wsrc_u,
                        i,
                        __nq_n,
                        &mut __nq_tile_a,
                    )
                };
                let __nq_b = {
                    let i = __nq_r.start;
                    &x[i..][..__nq_n]
                };
                first = ::number_rt::__private::dot::<
                    <L as dense::Formats>::first,
                    <L as dense::Formats>::u,
                    <L as dense::Formats>::x,
                    _,
                    _,
                >(first, __nq_a, __nq_b);
            }
        }
    }
    y[0] = <<L as dense::Formats>::y as ::number_rt::__private::Number>::quantize(
        y[0] + first,
    );
    {
        let __nq_rn: usize = n;
        assert!(__nq_rn != 0, "chunk size must be non-zero");
        0..u.len() / __nq_rn
    }
        .zip(__nq_f32_b)
        .map(|(__nq_row_row, bias)| (
            {
                let __nq_zn = ::core::cmp::min(
                    ((__nq_row_row * (n) + (n))) - ((__nq_row_row * (n))),
                    x.len(),
                );
                let mut dot: f32 = <<L as dense::Formats>::dot as ::number_rt::__private::Number>::quantize(
                    <<L as dense::Formats>::lit2 as ::number_rt::__private::Number>::quantize(
                        0.0f32,
                    ),
                );
                {
                    let __nq_r = 0..__nq_zn;
                    if __nq_r.start < __nq_r.end {
                        let __nq_n = __nq_r.end - __nq_r.start;
                        let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                            <L as dense::Formats>::u,
                            4096,
                        >::new();
                        let __nq_a = {
                            let __nq_zi = __nq_r.start;
                            ::number_rt::__private::WeightRead::range(
                                __nq_wsrc_u,
                                ((__nq_row_row * (n))) + __nq_zi,
                                __nq_n,
                                &mut __nq_tile_a,
                            )
                        };
                        let __nq_b = {
                            let __nq_zi = __nq_r.start;
                            &x[__nq_zi..][..__nq_n]
                        };
                        dot = ::number_rt::__private::dot::<
                            <L as dense::Formats>::dot,
                            <L as dense::Formats>::u,
                            <L as dense::Formats>::x,
                            _,
                            _,
                        >(dot, __nq_a, __nq_b);
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
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `dense`",
        note = "tuned.rs has no `impl dense::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type w: ::number_rt::__private::Number;
        type b: ::number_rt::__private::Number;
        type u: ::number_rt::__private::Number;
        type x: ::number_rt::__private::Number;
        type y: ::number_rt::__private::Number;
        type acc: ::number_rt::__private::Number;
        type lit0: ::number_rt::__private::Number;
        type lit1: ::number_rt::__private::Number;
        type first: ::number_rt::__private::Number;
        type lit2: ::number_rt::__private::Number;
        type dot: ::number_rt::__private::Number;
    }
    pub type w<L> = <L as Formats>::w;
    pub type W<L> = ::number_rt::__private::Stored<<L as Formats>::w>;
    pub type b<L> = <L as Formats>::b;
    pub type B<L> = ::number_rt::__private::Stored<<L as Formats>::b>;
    pub type u<L> = <L as Formats>::u;
    pub type U<L> = ::number_rt::__private::Stored<<L as Formats>::u>;
}
