pub fn depthwise_conv2d<L: depthwise_conv2d::Formats>(
    w: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<
        depthwise_conv2d::w<L>,
    >),
    b: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<
        depthwise_conv2d::b<L>,
    >),
    x: &[f32],
    y: &mut [f32],
    g: Depthwise,
    relu: bool,
) {
    use ::number_rt::__private::Number as _;
    let mut __nq_wprep_w = ::number_rt::__private::Unpacked::<
        <L as depthwise_conv2d::Formats>::w,
        4096,
    >::new();
    let __nq_wsrc_w = &::number_rt::__private::WeightRead::prepare(w, &mut __nq_wprep_w);
    let mut __nq_wprep_b = ::number_rt::__private::Unpacked::<
        <L as depthwise_conv2d::Formats>::b,
        4096,
    >::new();
    let __nq_wsrc_b = &::number_rt::__private::WeightRead::prepare(b, &mut __nq_wprep_b);
    let mut __nq_wbuf_b = ::number_rt::__private::Unpacked::<
        <L as depthwise_conv2d::Formats>::b,
        4096,
    >::new();
    let b: &[<L as depthwise_conv2d::Formats>::b] = ::number_rt::__private::WeightRead::read(
        __nq_wsrc_b,
        &mut __nq_wbuf_b,
    );
    let mut __nq_x = ::number_rt::__private::Typed::<
        <L as depthwise_conv2d::Formats>::x,
        1024,
    >::new();
    let x: &[<L as depthwise_conv2d::Formats>::x] = __nq_x.fill(x);
    for __nq_e in y.iter_mut() {
        *__nq_e = <<L as depthwise_conv2d::Formats>::y as ::number_rt::__private::Number>::quantize(
            *__nq_e,
        );
    }
    let (oh, ow) = (g.out_h(), g.out_w());
    let (kk, np) = (g.k * g.k, oh * ow);
    let mut patch: ::number_rt::__private::Vec<<L as depthwise_conv2d::Formats>::x> = {
        let __nq_e: f32 = 0.0;
        let mut __nq_v = ::number_rt::__private::Vec::<
            <L as depthwise_conv2d::Formats>::x,
        >::new();
        __nq_v
            .resize(
                kk * np,
                <<L as depthwise_conv2d::Formats>::x as ::number_rt::__private::Number>::from_f32(
                    __nq_e,
                ),
            );
        __nq_v
    };
    let mut acc: ::number_rt::__private::Vec<<L as depthwise_conv2d::Formats>::acc> = {
        let __nq_e: f32 = 0.0;
        let mut __nq_v = ::number_rt::__private::Vec::<
            <L as depthwise_conv2d::Formats>::acc,
        >::new();
        __nq_v
            .resize(
                np,
                <<L as depthwise_conv2d::Formats>::acc as ::number_rt::__private::Number>::from_f32(
                    __nq_e,
                ),
            );
        __nq_v
    };
    for c in 0..g.c {
        for ky in 0..g.k {
            for kx in 0..g.k {
                let row = (ky * g.k + kx) * np;
                let lo = g.pad.saturating_sub(kx).div_ceil(g.stride).min(ow);
                let hi = (g.in_w + g.pad).saturating_sub(kx).div_ceil(g.stride).min(ow);
                for oy in 0..oh {
                    let iy = (oy * g.stride + ky).wrapping_sub(g.pad);
                    if iy < g.in_h {
                        let src = (c * g.in_h + iy) * g.in_w + kx;
                        {
                            let __nq_r = lo..hi;
                            if __nq_r.start < __nq_r.end {
                                let __nq_d: usize = {
                                    let ox = __nq_r.start;
                                    row + oy * ow + ox
                                };
                                let __nq_s: usize = {
                                    let ox = __nq_r.start;
                                    src + ox * g.stride - g.pad
                                };
                                ::number_rt::__private::copy_strided(
                                    &mut patch[__nq_d..],
                                    1,
                                    &x[__nq_s..],
                                    (1 * (g.stride)),
                                    __nq_r.end - __nq_r.start,
                                );
                            }
                        }
                    }
                }
            }
        }
        for p in 0..np {
            acc[p] = <<L as depthwise_conv2d::Formats>::acc as ::number_rt::__private::Number>::from_f32(
                b[c].to_f32(),
            );
        }
        {
            let __nq_r = 0..kk;
            let __nq_q = 0..np;
            if __nq_r.start < __nq_r.end && __nq_q.start < __nq_q.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                let __nq_m = __nq_q.end - __nq_q.start;
                let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                    <L as depthwise_conv2d::Formats>::w,
                    4096,
                >::new();
                let __nq_a = {
                    let i = __nq_r.start;
                    ::number_rt::__private::WeightRead::range(
                        __nq_wsrc_w,
                        c * kk + i,
                        __nq_n,
                        &mut __nq_tile_a,
                    )
                };
                let __nq_acc = {
                    let p = __nq_q.start;
                    &mut acc[p..][..__nq_m]
                };
                {
                    let __nq_b0: usize = {
                        #[allow(unused_variables)]
                        let i = __nq_r.start;
                        let p = __nq_q.start;
                        i * np + p
                    };
                    ::number_rt::__private::columns_at::<
                        <L as depthwise_conv2d::Formats>::acc,
                        <L as depthwise_conv2d::Formats>::w,
                        <L as depthwise_conv2d::Formats>::x,
                        _,
                        _,
                        _,
                    >(__nq_acc, __nq_a, &patch[..], __nq_b0, (1 * (np)))
                };
            }
        }
        for p in 0..np {
            y[c * np + p] = <<L as depthwise_conv2d::Formats>::y as ::number_rt::__private::Number>::quantize(
                if relu {
                    acc[p]
                        .to_f32()
                        .max(
                            <<L as depthwise_conv2d::Formats>::lit0 as ::number_rt::__private::Number>::quantize(
                                0.0,
                            ),
                        )
                } else {
                    acc[p].to_f32()
                },
            );
        }
    }
}
/// Formats and fingerprint of the #[quantize] function `depthwise_conv2d`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod depthwise_conv2d {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xb167c44cbf485db5;
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `depthwise_conv2d`",
        note = "tuned.rs has no `impl depthwise_conv2d::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type w: ::number_rt::__private::Number;
        type b: ::number_rt::__private::Number;
        type x: ::number_rt::__private::Number;
        type y: ::number_rt::__private::Number;
        type acc: ::number_rt::__private::Number;
        type lit0: ::number_rt::__private::Number;
    }
    pub type w<L> = <L as Formats>::w;
    pub type W<L> = ::number_rt::__private::Stored<<L as Formats>::w>;
    pub type b<L> = <L as Formats>::b;
    pub type B<L> = ::number_rt::__private::Stored<<L as Formats>::b>;
}
