pub fn cell<L: cell::Formats>(
    w: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<cell::w<L>>),
    u: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<cell::u<L>>),
    x: &[f32],
    h: &mut [f32],
) {
    use ::number_rt::__private::Number as _;
    let mut __nq_wprep_w = ::number_rt::__private::Unpacked::<
        <L as cell::Formats>::w,
        4096,
    >::new();
    let __nq_wsrc_w = &::number_rt::__private::WeightRead::prepare(w, &mut __nq_wprep_w);
    let mut __nq_wprep_u = ::number_rt::__private::Unpacked::<
        <L as cell::Formats>::u,
        4096,
    >::new();
    let __nq_wsrc_u = &::number_rt::__private::WeightRead::prepare(u, &mut __nq_wprep_u);
    let mut __nq_wbuf_u = ::number_rt::__private::Unpacked::<
        <L as cell::Formats>::u,
        4096,
    >::new();
    let u: &[<L as cell::Formats>::u] = ::number_rt::__private::WeightRead::read(
        __nq_wsrc_u,
        &mut __nq_wbuf_u,
    );
    let mut __nq_x = ::number_rt::__private::F32s::<1024>::new();
    let x: &[f32] = __nq_x.quantize::<<L as cell::Formats>::x>(x);
    for __nq_e in h.iter_mut() {
        *__nq_e = <<L as cell::Formats>::h as ::number_rt::__private::Number>::quantize(
            *__nq_e,
        );
    }
    let n = h.len();
    let m = x.len();
    let prev: Vec<f32> = {
        let mut __nq_v: Vec<f32> = h.to_vec();
        for __nq_e in __nq_v.iter_mut() {
            *__nq_e = <<L as cell::Formats>::prev as ::number_rt::__private::Number>::quantize(
                *__nq_e,
            );
        }
        __nq_v
    };
    for o in 0..n {
        let a: f32 = <<L as cell::Formats>::a as ::number_rt::__private::Number>::quantize({
            let __nq_zn = ::core::cmp::min(((o + 1) * m) - (o * m), x.len());
            let mut dot: f32 = <<L as cell::Formats>::dot as ::number_rt::__private::Number>::quantize(
                <<L as cell::Formats>::lit0 as ::number_rt::__private::Number>::quantize(
                    0.0f32,
                ),
            );
            {
                let __nq_r = 0..__nq_zn;
                if __nq_r.start < __nq_r.end {
                    let __nq_n = __nq_r.end - __nq_r.start;
                    let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                        <L as cell::Formats>::w,
                        4096,
                    >::new();
                    let __nq_a = {
                        let __nq_zi = __nq_r.start;
                        ::number_rt::__private::WeightRead::range(
                            __nq_wsrc_w,
                            (o * m) + __nq_zi,
                            __nq_n,
                            &mut __nq_tile_a,
                        )
                    };
                    let __nq_b = {
                        let __nq_zi = __nq_r.start;
                        &x[__nq_zi..][..__nq_n]
                    };
                    dot = ::number_rt::__private::dot::<
                        <L as cell::Formats>::dot,
                        <L as cell::Formats>::w,
                        <L as cell::Formats>::x,
                        _,
                        _,
                    >(dot, __nq_a, __nq_b);
                }
            }
            dot
        });
        let b = {
            let __nq_zn = ::core::cmp::min(prev.len(), u.len() - (o * n));
            let mut dot: f32 = <<L as cell::Formats>::dot_2 as ::number_rt::__private::Number>::quantize(
                <<L as cell::Formats>::lit1 as ::number_rt::__private::Number>::quantize(
                    0.0f32,
                ),
            );
            {
                let __nq_r = 0..__nq_zn;
                if __nq_r.start < __nq_r.end {
                    let __nq_n = __nq_r.end - __nq_r.start;
                    let mut __nq_tile_b = ::number_rt::__private::Unpacked::<
                        <L as cell::Formats>::u,
                        4096,
                    >::new();
                    let __nq_a = {
                        let __nq_zi = __nq_r.start;
                        &prev[__nq_zi..][..__nq_n]
                    };
                    let __nq_b = {
                        let __nq_zi = __nq_r.start;
                        ::number_rt::__private::WeightRead::range(
                            __nq_wsrc_u,
                            (o * n) + __nq_zi,
                            __nq_n,
                            &mut __nq_tile_b,
                        )
                    };
                    dot = ::number_rt::__private::dot::<
                        <L as cell::Formats>::dot_2,
                        <L as cell::Formats>::prev,
                        <L as cell::Formats>::u,
                        _,
                        _,
                    >(dot, __nq_a, __nq_b);
                }
            }
            dot
        };
        h[o] = <<L as cell::Formats>::h as ::number_rt::__private::Number>::quantize(
            (a + b).tanh(),
        );
    }
}
/// Formats and fingerprint of the #[quantize] function `cell`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod cell {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x6d871d750c31676e;
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `cell`",
        note = "tuned.rs has no `impl cell::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type w: ::number_rt::__private::Number;
        type u: ::number_rt::__private::Number;
        type x: ::number_rt::__private::Number;
        type h: ::number_rt::__private::Number;
        type prev: ::number_rt::__private::Number;
        type lit0: ::number_rt::__private::Number;
        type dot: ::number_rt::__private::Number;
        type a: ::number_rt::__private::Number;
        type lit1: ::number_rt::__private::Number;
        type dot_2: ::number_rt::__private::Number;
    }
    pub type w<L> = <L as Formats>::w;
    pub type W<L> = ::number_rt::__private::Stored<<L as Formats>::w>;
    pub type u<L> = <L as Formats>::u;
    pub type U<L> = ::number_rt::__private::Stored<<L as Formats>::u>;
}
