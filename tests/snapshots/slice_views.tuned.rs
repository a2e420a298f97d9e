pub fn conv<L: conv::Formats>(
    w: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<conv::w<L>>),
    x: &[f32],
    k: usize,
) -> Vec<f32> {
    use ::number_rt::__private::Number as _;
    let mut __nq_wprep_w = ::number_rt::__private::Unpacked::<
        <L as conv::Formats>::w,
        4096,
    >::new();
    let __nq_wsrc_w = &::number_rt::__private::WeightRead::prepare(w, &mut __nq_wprep_w);
    let mut __nq_wbuf_w = ::number_rt::__private::Unpacked::<
        <L as conv::Formats>::w,
        4096,
    >::new();
    let w: &[<L as conv::Formats>::w] = ::number_rt::__private::WeightRead::read(
        __nq_wsrc_w,
        &mut __nq_wbuf_w,
    );
    let mut __nq_x = ::number_rt::__private::F32s::<1024>::new();
    let x: &[f32] = __nq_x.quantize::<<L as conv::Formats>::x>(x);
    let mut y = Vec::new();
    for o in 0..w.len() / k {
        {
            let (__nq_vs, __nq_ve): (usize, usize) = ((o * k), ((o + 1) * k));
            assert!(
                __nq_vs <= __nq_ve && __nq_ve <= w.len(),
                "range {}..{} out of bounds of {} (length {})", __nq_vs, __nq_ve, "`w`",
                w.len()
            );
        }
        for t in 0..x.len() + 1 - k {
            {
                let (__nq_vs, __nq_ve): (usize, usize) = ((t), (t + k));
                assert!(
                    __nq_vs <= __nq_ve && __nq_ve <= x.len(),
                    "range {}..{} out of bounds of {} (length {})", __nq_vs, __nq_ve,
                    "`x`", x.len()
                );
            }
            let mut acc: f32 = <<L as conv::Formats>::acc as ::number_rt::__private::Number>::quantize(
                <<L as conv::Formats>::lit0 as ::number_rt::__private::Number>::quantize(
                    0.0,
                ),
            );
            {
                let __nq_zn = ::core::cmp::min(
                    (((o + 1) * k)) - ((o * k)),
                    ((t + k)) - ((t)),
                );
                {
                    let __nq_r = 0..__nq_zn;
                    if __nq_r.start < __nq_r.end {
                        let __nq_n = __nq_r.end - __nq_r.start;
                        let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                            <L as conv::Formats>::w,
                            4096,
                        >::new();
                        let __nq_a = {
                            let __nq_zi = __nq_r.start;
                            ::number_rt::__private::WeightRead::range(
                                __nq_wsrc_w,
                                ((o * k)) + __nq_zi,
                                __nq_n,
                                &mut __nq_tile_a,
                            )
                        };
                        let __nq_b = {
                            let __nq_zi = __nq_r.start;
                            &x[((t)) + __nq_zi..][..__nq_n]
                        };
                        acc = ::number_rt::__private::dot::<
                            <L as conv::Formats>::acc,
                            <L as conv::Formats>::w,
                            <L as conv::Formats>::x,
                            _,
                            _,
                        >(acc, __nq_a, __nq_b);
                    }
                }
            }
            y.push(acc + x[(t) + (0)] * (((o + 1) * k) - (o * k)) as f32);
        }
    }
    y
}
/// Formats and fingerprint of the #[quantize] function `conv`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod conv {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x2394dd37019b4757;
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `conv`",
        note = "tuned.rs has no `impl conv::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type w: ::number_rt::__private::Number;
        type x: ::number_rt::__private::Number;
        type lit0: ::number_rt::__private::Number;
        type acc: ::number_rt::__private::Number;
    }
    pub type w<L> = <L as Formats>::w;
    pub type W<L> = ::number_rt::__private::Stored<<L as Formats>::w>;
}
