pub fn gru_cell<L: gru_cell::Formats>(
    wz: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<
        gru_cell::wz<L>,
    >),
    uz: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<
        gru_cell::uz<L>,
    >),
    wh: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<
        gru_cell::wh<L>,
    >),
    uh: &(impl ?::core::marker::Sized + ::number_rt::__private::WeightRead<
        gru_cell::uh<L>,
    >),
    x: &[f32],
    h: &mut [f32],
) {
    use ::number_rt::__private::Number as _;
    let mut __nq_wprep_wz = ::number_rt::__private::Unpacked::<
        <L as gru_cell::Formats>::wz,
        4096,
    >::new();
    let __nq_wsrc_wz = &::number_rt::__private::WeightRead::prepare(
        wz,
        &mut __nq_wprep_wz,
    );
    let mut __nq_wprep_uz = ::number_rt::__private::Unpacked::<
        <L as gru_cell::Formats>::uz,
        4096,
    >::new();
    let __nq_wsrc_uz = &::number_rt::__private::WeightRead::prepare(
        uz,
        &mut __nq_wprep_uz,
    );
    let mut __nq_wprep_wh = ::number_rt::__private::Unpacked::<
        <L as gru_cell::Formats>::wh,
        4096,
    >::new();
    let __nq_wsrc_wh = &::number_rt::__private::WeightRead::prepare(
        wh,
        &mut __nq_wprep_wh,
    );
    let mut __nq_wprep_uh = ::number_rt::__private::Unpacked::<
        <L as gru_cell::Formats>::uh,
        4096,
    >::new();
    let __nq_wsrc_uh = &::number_rt::__private::WeightRead::prepare(
        uh,
        &mut __nq_wprep_uh,
    );
    let mut __nq_wbuf_uh = ::number_rt::__private::Unpacked::<
        <L as gru_cell::Formats>::uh,
        4096,
    >::new();
    let uh: &[<L as gru_cell::Formats>::uh] = ::number_rt::__private::WeightRead::read(
        __nq_wsrc_uh,
        &mut __nq_wbuf_uh,
    );
    let mut __nq_x = ::number_rt::__private::Typed::<
        <L as gru_cell::Formats>::x,
        1024,
    >::new();
    let x: &[<L as gru_cell::Formats>::x] = __nq_x.fill(x);
    for __nq_e in h.iter_mut() {
        *__nq_e = <<L as gru_cell::Formats>::h as ::number_rt::__private::Number>::quantize(
            *__nq_e,
        );
    }
    let (n, m) = (h.len(), x.len());
    let mut h_new: ::number_rt::__private::Vec<<L as gru_cell::Formats>::h_new> = {
        let __nq_e: f32 = 0.0;
        let mut __nq_v = ::number_rt::__private::Vec::<
            <L as gru_cell::Formats>::h_new,
        >::new();
        __nq_v
            .resize(
                n,
                <<L as gru_cell::Formats>::h_new as ::number_rt::__private::Number>::from_f32(
                    __nq_e,
                ),
            );
        __nq_v
    };
    for j in 0..n {
        let mut az: f32 = <<L as gru_cell::Formats>::az as ::number_rt::__private::Number>::quantize(
            <<L as gru_cell::Formats>::lit0 as ::number_rt::__private::Number>::quantize(
                0.0,
            ),
        );
        {
            let __nq_r = 0..m;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                    <L as gru_cell::Formats>::wz,
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
                az = ::number_rt::__private::dot::<
                    <L as gru_cell::Formats>::az,
                    <L as gru_cell::Formats>::wz,
                    <L as gru_cell::Formats>::x,
                    _,
                    _,
                >(az, __nq_a, __nq_b);
            }
        }
        {
            let __nq_r = 0..n;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                    <L as gru_cell::Formats>::uz,
                    4096,
                >::new();
                let __nq_a = {
                    let k = __nq_r.start;
                    ::number_rt::__private::WeightRead::range(
                        __nq_wsrc_uz,
                        j * n + k,
                        __nq_n,
                        &mut __nq_tile_a,
                    )
                };
                let __nq_b = {
                    let k = __nq_r.start;
                    &h[k..][..__nq_n]
                };
                az = ::number_rt::__private::dot::<
                    <L as gru_cell::Formats>::az,
                    <L as gru_cell::Formats>::uz,
                    <L as gru_cell::Formats>::h,
                    _,
                    _,
                >(az, __nq_a, __nq_b);
            }
        }
        let z = <<L as gru_cell::Formats>::z as ::number_rt::__private::Number>::quantize(
            <<L as gru_cell::Formats>::lit1 as ::number_rt::__private::Number>::quantize(
                1.0,
            )
                / (<<L as gru_cell::Formats>::lit2 as ::number_rt::__private::Number>::quantize(
                    1.0,
                ) + (-az).exp()),
        );
        let r = <<L as gru_cell::Formats>::z as ::number_rt::__private::Number>::quantize(
            <<L as gru_cell::Formats>::lit3 as ::number_rt::__private::Number>::quantize(
                1.0,
            ) - z,
        );
        let mut ah: f32 = <<L as gru_cell::Formats>::ah as ::number_rt::__private::Number>::quantize(
            <<L as gru_cell::Formats>::lit4 as ::number_rt::__private::Number>::quantize(
                0.0,
            ),
        );
        {
            let __nq_r = 0..m;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                let mut __nq_tile_a = ::number_rt::__private::Unpacked::<
                    <L as gru_cell::Formats>::wh,
                    4096,
                >::new();
                let __nq_a = {
                    let i = __nq_r.start;
                    ::number_rt::__private::WeightRead::range(
                        __nq_wsrc_wh,
                        j * m + i,
                        __nq_n,
                        &mut __nq_tile_a,
                    )
                };
                let __nq_b = {
                    let i = __nq_r.start;
                    &x[i..][..__nq_n]
                };
                ah = ::number_rt::__private::dot::<
                    <L as gru_cell::Formats>::ah,
                    <L as gru_cell::Formats>::wh,
                    <L as gru_cell::Formats>::x,
                    _,
                    _,
                >(ah, __nq_a, __nq_b);
            }
        }
        for k in 0..n {
            ah = <<L as gru_cell::Formats>::ah as ::number_rt::__private::Number>::quantize(
                ah + r * (uh[j * n + k].to_f32() * h[k]),
            );
        }
        h_new[j] = <<L as gru_cell::Formats>::h_new as ::number_rt::__private::Number>::from_f32(
            r * h[j],
        );
        {
            let __nq_i = j;
            h_new[__nq_i] = <<L as gru_cell::Formats>::h_new as ::number_rt::__private::Number>::from_f32(
                h_new[__nq_i].to_f32() + z * ah.tanh(),
            );
        };
    }
    for j in 0..n {
        h[j] = <<L as gru_cell::Formats>::h as ::number_rt::__private::Number>::quantize(
            h_new[j].to_f32(),
        );
    }
}
/// Formats and fingerprint of the #[quantize] function `gru_cell`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod gru_cell {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0x81ba67ef5671a9b6;
    /// The formats of this function's sites for one layer instance (implemented in `tuned.rs`).
    #[diagnostic::on_unimplemented(
        message = "no tuned formats for `{Self}` in `gru_cell`",
        note = "tuned.rs has no `impl gru_cell::Formats for {Self}`: re-run the tuner (`cargo number tune --example <name> (the example or binary running this crate's model)`) and rebuild"
    )]
    pub trait Formats: 'static {
        type wz: ::number_rt::__private::Number;
        type uz: ::number_rt::__private::Number;
        type wh: ::number_rt::__private::Number;
        type uh: ::number_rt::__private::Number;
        type x: ::number_rt::__private::Number;
        type h: ::number_rt::__private::Number;
        type h_new: ::number_rt::__private::Number;
        type lit0: ::number_rt::__private::Number;
        type az: ::number_rt::__private::Number;
        type lit1: ::number_rt::__private::Number;
        type lit2: ::number_rt::__private::Number;
        type z: ::number_rt::__private::Number;
        type lit3: ::number_rt::__private::Number;
        type lit4: ::number_rt::__private::Number;
        type ah: ::number_rt::__private::Number;
    }
    pub type wz<L> = <L as Formats>::wz;
    pub type Wz<L> = ::number_rt::__private::Stored<<L as Formats>::wz>;
    pub type uz<L> = <L as Formats>::uz;
    pub type Uz<L> = ::number_rt::__private::Stored<<L as Formats>::uz>;
    pub type wh<L> = <L as Formats>::wh;
    pub type Wh<L> = ::number_rt::__private::Stored<<L as Formats>::wh>;
    pub type uh<L> = <L as Formats>::uh;
    pub type Uh<L> = ::number_rt::__private::Stored<<L as Formats>::uh>;
}
