pub fn conv2d<L: conv2d::Formats>(
    w: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<conv2d::w<L>>),
    b: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<conv2d::b<L>>),
    x: &[f32],
    y: &mut [f32],
    c_in: usize,
    h: usize,
    wd: usize,
    k: usize,
) {
    use ::number_rt::__private::Number as _;
    let mut __nq_wprep_w = ::number_rt::__private::Unpacked::<
        <L as conv2d::Formats>::w,
        4096,
    >::new();
    let __nq_wsrc_w = &::number_rt::__private::WeightRead::prepare(w, &mut __nq_wprep_w);
    let mut __nq_wprep_b = ::number_rt::__private::Unpacked::<
        <L as conv2d::Formats>::b,
        4096,
    >::new();
    let __nq_wsrc_b = &::number_rt::__private::WeightRead::prepare(b, &mut __nq_wprep_b);
    let mut __nq_wbuf_b = ::number_rt::__private::Unpacked::<
        <L as conv2d::Formats>::b,
        4096,
    >::new();
    let b: &[<L as conv2d::Formats>::b] = ::number_rt::__private::WeightRead::read(
        __nq_wsrc_b,
        &mut __nq_wbuf_b,
    );
    let mut __nq_x = ::number_rt::__private::Typed::<
        <L as conv2d::Formats>::x,
        1024,
    >::new();
    let x: &[<L as conv2d::Formats>::x] = __nq_x.fill(x);
    for __nq_e in y.iter_mut() {
        *__nq_e = <<L as conv2d::Formats>::y as ::number_rt::__private::Number>::quantize(
            *__nq_e,
        );
    }
    let (oh, ow) = (h - k + 1, wd - k + 1);
    let c_out = b.len();
    for o in 0..c_out {
        for oy in 0..oh {
            for ox in 0..ow {
                let mut acc: f32 = <<L as conv2d::Formats>::acc as ::number_rt::__private::Number>::quantize(
                    b[o].to_f32(),
                );
                for c in 0..c_in {
                    for ky in 0..k {
                        {
                            let __nq_r = 0..k;
                            if __nq_r.start < __nq_r.end {
                                let __nq_n = __nq_r.end - __nq_r.start;
                                let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                                    <L as conv2d::Formats>::w,
                                    4096,
                                >::new();
                                let __nq_a = {
                                    let kx = __nq_r.start;
                                    ::number_rt::__private::WeightRead::range(
                                        __nq_wsrc_w,
                                        ((o * c_in + c) * k + ky) * k + kx,
                                        __nq_n,
                                        &mut __nq_tile_a,
                                    )
                                };
                                let __nq_b = {
                                    let kx = __nq_r.start;
                                    &x[(c * h + oy + ky) * wd + ox + kx..][..__nq_n]
                                };
                                acc = ::number_rt::__private::dot::<
                                    <L as conv2d::Formats>::acc,
                                    <L as conv2d::Formats>::w,
                                    <L as conv2d::Formats>::x,
                                    _,
                                    _,
                                >(acc, __nq_a, __nq_b);
                            }
                        }
                    }
                }
                y[(o * oh + oy) * ow + ox] = <<L as conv2d::Formats>::y as ::number_rt::__private::Number>::quantize(
                    if acc
                        > <<L as conv2d::Formats>::lit0 as ::number_rt::__private::Number>::quantize(
                            0.0,
                        )
                    {
                        acc
                    } else {
                        <<L as conv2d::Formats>::lit1 as ::number_rt::__private::Number>::quantize(
                            0.1,
                        ) * acc
                    },
                );
            }
        }
    }
}
/// Formats and fingerprint of the #[quantize] function `conv2d`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod conv2d {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xeeced7e821c0e97b;
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `conv2d`",
        note = "tuned.rs has no `impl conv2d::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type w: ::number_rt::__private::Number;
        type b: ::number_rt::__private::Number;
        type x: ::number_rt::__private::Number;
        type y: ::number_rt::__private::Number;
        type acc: ::number_rt::__private::Number;
        type lit0: ::number_rt::__private::Number;
        type lit1: ::number_rt::__private::Number;
    }
    pub type w<L> = <L as Formats>::w;
    pub type W<L> = ::number_rt::__private::Stored<<L as Formats>::w>;
    pub type b<L> = <L as Formats>::b;
    pub type B<L> = ::number_rt::__private::Stored<<L as Formats>::b>;
}
