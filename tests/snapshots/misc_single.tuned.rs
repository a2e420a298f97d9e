pub(crate) fn misc(
    a: f32,
    mut s: &mut f32,
    v: [f32; 4],
    r: &[f32; 4],
    acc: Vec<f32>,
    scale: f32,
) -> f32 {
    let a = <<misc::Single as misc::Formats>::a as ::number_rt::__private::Number>::quantize(
        a,
    );
    *s = <<misc::Single as misc::Formats>::s as ::number_rt::__private::Number>::quantize(
        *s,
    );
    let v = {
        let mut __nq_v = v;
        for __nq_e in __nq_v.iter_mut() {
            *__nq_e = <<misc::Single as misc::Formats>::v as ::number_rt::__private::Number>::quantize(
                *__nq_e,
            );
        }
        __nq_v
    };
    let mut __nq_r = *r;
    for __nq_e in __nq_r.iter_mut() {
        *__nq_e = <<misc::Single as misc::Formats>::r as ::number_rt::__private::Number>::quantize(
            *__nq_e,
        );
    }
    let r = &__nq_r;
    let mut acc = {
        let mut __nq_v = acc;
        for __nq_e in __nq_v.iter_mut() {
            *__nq_e = <<misc::Single as misc::Formats>::acc as ::number_rt::__private::Number>::quantize(
                *__nq_e,
            );
        }
        __nq_v
    };
    fn helper(q: f32) -> f32 {
        q * 2.0
    }
    let t = <<misc::Single as misc::Formats>::tmp as ::number_rt::__private::Number>::quantize(
        a
            * <<misc::Single as misc::Formats>::lit0 as ::number_rt::__private::Number>::quantize(
                0.5,
            ),
    );
    let t = <<misc::Single as misc::Formats>::t_2 as ::number_rt::__private::Number>::quantize(
        t + r[0],
    );
    *s = <<misc::Single as misc::Formats>::s as ::number_rt::__private::Number>::quantize(
        *s + t,
    );
    let sq = |e: f32| {
        e * e
            * <<misc::Single as misc::Formats>::lit1 as ::number_rt::__private::Number>::quantize(
                3.0,
            )
    };
    acc[0] = <<misc::Single as misc::Formats>::acc as ::number_rt::__private::Number>::quantize(
        acc[0]
            - (sq(v[1])
                + <<misc::Single as misc::Formats>::lit2 as ::number_rt::__private::Number>::quantize(
                    1.0,
                )),
    );
    let n = acc.len();
    if n > 2 {
        return <<misc::Single as misc::Formats>::ret as ::number_rt::__private::Number>::quantize(
            acc[1] * scale,
        );
    }
    <<misc::Single as misc::Formats>::ret as ::number_rt::__private::Number>::quantize(
        helper(t) + acc[0] + 4.0,
    )
}
/// Formats and fingerprint of the #[quantize] function `misc`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub(crate) mod misc {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x1b5700b2146ac008;
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `misc`",
        note = "tuned.rs has no `impl misc::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type a: ::number_rt::__private::Number;
        type s: ::number_rt::__private::Number;
        type v: ::number_rt::__private::Number;
        type r: ::number_rt::__private::Number;
        type acc: ::number_rt::__private::Number;
        type ret: ::number_rt::__private::Number;
        type lit0: ::number_rt::__private::Number;
        type tmp: ::number_rt::__private::Number;
        type t_2: ::number_rt::__private::Number;
        type lit1: ::number_rt::__private::Number;
        type lit2: ::number_rt::__private::Number;
    }
    /// The single instance of this function (it has no instance parameter).
    pub struct Single;
}
