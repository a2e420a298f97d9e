pub fn gates<L: gates::Formats>(
    wz: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<
        gates::wz<L>,
    >),
    wc: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<
        gates::wc<L>,
    >),
    b: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<gates::b<L>>),
    x: &[f32],
    h: &mut [f32],
) {
    use ::number_rt::__private::Number as _;
    let mut __nq_wprep_wz = ::number_rt::__private::Unpacked::<
        <L as gates::Formats>::wz,
        4096,
    >::new();
    let __nq_wsrc_wz = &::number_rt::__private::WeightRead::prepare(
        wz,
        &mut __nq_wprep_wz,
    );
    let mut __nq_wprep_wc = ::number_rt::__private::Unpacked::<
        <L as gates::Formats>::wc,
        4096,
    >::new();
    let __nq_wsrc_wc = &::number_rt::__private::WeightRead::prepare(
        wc,
        &mut __nq_wprep_wc,
    );
    let mut __nq_wprep_b = ::number_rt::__private::Unpacked::<
        <L as gates::Formats>::b,
        4096,
    >::new();
    let __nq_wsrc_b = &::number_rt::__private::WeightRead::prepare(b, &mut __nq_wprep_b);
    let mut __nq_wbuf_b = ::number_rt::__private::Unpacked::<
        <L as gates::Formats>::b,
        4096,
    >::new();
    let b: &[<L as gates::Formats>::b] = ::number_rt::__private::WeightRead::read(
        __nq_wsrc_b,
        &mut __nq_wbuf_b,
    );
    let mut __nq_x = ::number_rt::__private::Typed::<
        <L as gates::Formats>::x,
        1024,
    >::new();
    let x: &[<L as gates::Formats>::x] = __nq_x.fill(x);
    for __nq_e in h.iter_mut() {
        *__nq_e = <<L as gates::Formats>::h as ::number_rt::__private::Number>::quantize(
            *__nq_e,
        );
    }
    let m = x.len();
    for j in 0..h.len() {
        let mut z: f32 = <<L as gates::Formats>::z as ::number_rt::__private::Number>::quantize(
            <<L as gates::Formats>::lit0 as ::number_rt::__private::Number>::quantize(
                0.0,
            ),
        );
        let mut c: f32 = <<L as gates::Formats>::c as ::number_rt::__private::Number>::quantize(
            b[j].to_f32(),
        );
        {
            {
                let __nq_r = 0..m;
                if __nq_r.start < __nq_r.end {
                    let __nq_n = __nq_r.end - __nq_r.start;
                    let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                        <L as gates::Formats>::wz,
                        4096,
                    >::new();
                    let __nq_a = {
                        let i = __nq_r.start;
                        ::number_rt::__private::WeightRead::range(
                            __nq_wsrc_wz,
                            j * m + i,
                            __nq_n,
                            &mut __nq_tile_a,
                        )
                    };
                    let __nq_b = {
                        let i = __nq_r.start;
                        &x[i..][..__nq_n]
                    };
                    z = ::number_rt::__private::dot::<
                        <L as gates::Formats>::z,
                        <L as gates::Formats>::wz,
                        <L as gates::Formats>::x,
                        _,
                        _,
                    >(z, __nq_a, __nq_b);
                }
            }
            {
                let __nq_r = 0..m;
                if __nq_r.start < __nq_r.end {
                    let __nq_n = __nq_r.end - __nq_r.start;
                    let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                        <L as gates::Formats>::wc,
                        4096,
                    >::new();
                    let __nq_a = {
                        let i = __nq_r.start;
                        ::number_rt::__private::WeightRead::range(
                            __nq_wsrc_wc,
                            j * m + i,
                            __nq_n,
                            &mut __nq_tile_a,
                        )
                    };
                    let __nq_b = {
                        let i = __nq_r.start;
                        &x[i..][..__nq_n]
                    };
                    c = ::number_rt::__private::dot::<
                        <L as gates::Formats>::c,
                        <L as gates::Formats>::wc,
                        <L as gates::Formats>::x,
                        _,
                        _,
                    >(c, __nq_a, __nq_b);
                }
            }
        }
        h[j] = <<L as gates::Formats>::h as ::number_rt::__private::Number>::quantize(
            z * c,
        );
    }
}
/// Formats and fingerprint of the #[quantize] function `gates`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod gates {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xccd8dff5bbed381a;
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `gates`",
        note = "tuned.rs has no `impl gates::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type wz: ::number_rt::__private::Number;
        type wc: ::number_rt::__private::Number;
        type b: ::number_rt::__private::Number;
        type x: ::number_rt::__private::Number;
        type h: ::number_rt::__private::Number;
        type lit0: ::number_rt::__private::Number;
        type z: ::number_rt::__private::Number;
        type c: ::number_rt::__private::Number;
    }
    pub type wz<L> = <L as Formats>::wz;
    pub type Wz<L> = ::number_rt::__private::Stored<<L as Formats>::wz>;
    pub type wc<L> = <L as Formats>::wc;
    pub type Wc<L> = ::number_rt::__private::Stored<<L as Formats>::wc>;
    pub type b<L> = <L as Formats>::b;
    pub type B<L> = ::number_rt::__private::Stored<<L as Formats>::b>;
}
