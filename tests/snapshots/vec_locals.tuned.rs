pub fn vec_locals<L: vec_locals::Formats>(
    w: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<
        vec_locals::w<L>,
    >),
    x: &[f32],
    y: &mut [f32],
) {
    use ::number_rt::__private::Number as _;
    let mut __nq_wprep_w = ::number_rt::__private::Unpacked::<
        <L as vec_locals::Formats>::w,
        4096,
    >::new();
    let __nq_wsrc_w = &::number_rt::__private::WeightRead::prepare(w, &mut __nq_wprep_w);
    let mut __nq_wbuf_w = ::number_rt::__private::Unpacked::<
        <L as vec_locals::Formats>::w,
        4096,
    >::new();
    let w: &[<L as vec_locals::Formats>::w] = ::number_rt::__private::WeightRead::read(
        __nq_wsrc_w,
        &mut __nq_wbuf_w,
    );
    let mut __nq_x = ::number_rt::__private::Typed::<
        <L as vec_locals::Formats>::x,
        1024,
    >::new();
    let x: &[<L as vec_locals::Formats>::x] = __nq_x.fill(x);
    for __nq_e in y.iter_mut() {
        *__nq_e = <<L as vec_locals::Formats>::y as ::number_rt::__private::Number>::quantize(
            *__nq_e,
        );
    }
    let n = x.len();
    let mut h: ::number_rt::__private::Vec<<L as vec_locals::Formats>::h> = {
        let __nq_e: f32 = 0.0f32;
        let mut __nq_v = ::number_rt::__private::Vec::<
            <L as vec_locals::Formats>::h,
        >::new();
        __nq_v
            .resize(
                n,
                <<L as vec_locals::Formats>::h as ::number_rt::__private::Number>::from_f32(
                    __nq_e,
                ),
            );
        __nq_v
    };
    let mut g = {
        let mut __nq_v = vec![0.5, - 1.0];
        for __nq_e in __nq_v.iter_mut() {
            *__nq_e = <<L as vec_locals::Formats>::g as ::number_rt::__private::Number>::quantize(
                *__nq_e,
            );
        }
        __nq_v
    };
    let d = vec![0.0f64; n];
    for i in 0..n {
        h[i] = <<L as vec_locals::Formats>::h as ::number_rt::__private::Number>::from_f32(
            w[i].to_f32() * x[i].to_f32(),
        );
    }
    g[0] = <<L as vec_locals::Formats>::g as ::number_rt::__private::Number>::quantize(
        g[0] + h[0].to_f32(),
    );
    g.push(
        <<L as vec_locals::Formats>::g as ::number_rt::__private::Number>::quantize(
            <<L as vec_locals::Formats>::lit0 as ::number_rt::__private::Number>::quantize(
                2.0,
            ),
        ),
    );
    y[0] = <<L as vec_locals::Formats>::y as ::number_rt::__private::Number>::quantize(
        h[n - 1].to_f32() + g[0] + g[2] + d[0] as f32,
    );
}
/// Formats and fingerprint of the #[quantize] function `vec_locals`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod vec_locals {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x829983b33288b333;
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `vec_locals`",
        note = "tuned.rs has no `impl vec_locals::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type w: ::number_rt::__private::Number;
        type x: ::number_rt::__private::Number;
        type y: ::number_rt::__private::Number;
        type h: ::number_rt::__private::Number;
        type g: ::number_rt::__private::Number;
        type lit0: ::number_rt::__private::Number;
    }
    pub type w<L> = <L as Formats>::w;
    pub type W<L> = ::number_rt::__private::Stored<<L as Formats>::w>;
}
