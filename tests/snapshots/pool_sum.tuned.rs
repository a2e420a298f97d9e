pub fn global_avg_pool<L: global_avg_pool::Formats>(
    x: &[f32],
    y: &mut [f32],
    hw: usize,
) {
    use ::number_rt::__private::Number as _;
    let mut __nq_x = ::number_rt::__private::Typed::<
        <L as global_avg_pool::Formats>::x,
        1024,
    >::new();
    let x: &[<L as global_avg_pool::Formats>::x] = __nq_x.fill(x);
    for __nq_e in y.iter_mut() {
        *__nq_e = <<L as global_avg_pool::Formats>::y as ::number_rt::__private::Number>::quantize(
            *__nq_e,
        );
    }
    for c in 0..y.len() {
        let mut acc: f32 = <<L as global_avg_pool::Formats>::acc as ::number_rt::__private::Number>::quantize(
            <<L as global_avg_pool::Formats>::lit0 as ::number_rt::__private::Number>::quantize(
                0.0,
            ),
        );
        {
            let __nq_r = 0..hw;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                let __nq_x = {
                    let i = __nq_r.start;
                    &x[c * hw + i..][..__nq_n]
                };
                acc = ::number_rt::__private::sum::<
                    <L as global_avg_pool::Formats>::acc,
                    <L as global_avg_pool::Formats>::x,
                    _,
                >(acc, __nq_x);
            }
        }
        y[c] = <<L as global_avg_pool::Formats>::y as ::number_rt::__private::Number>::quantize(
            acc / hw as f32,
        );
    }
}
/// Formats and fingerprint of the #[quantize] function `global_avg_pool`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod global_avg_pool {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xfb245d615cb6a0f0;
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `global_avg_pool`",
        note = "tuned.rs has no `impl global_avg_pool::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type x: ::number_rt::__private::Number;
        type y: ::number_rt::__private::Number;
        type lit0: ::number_rt::__private::Number;
        type acc: ::number_rt::__private::Number;
    }
}
