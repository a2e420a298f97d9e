pub fn conv<L: ::number_rt::__private::Instance>(
    w: &[f32],
    x: &[f32],
    k: usize,
) -> Vec<f32> {
    static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
        name: "conv",
        module: module_path!(),
        fingerprint: 0x2394dd37019b4757,
        sites: &[
            ::number_rt::__private::SiteInfo {
                ident: "w",
                kind: ::number_rt::__private::SiteKind::Weight,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "x",
                kind: ::number_rt::__private::SiteKind::Input,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "lit0",
                kind: ::number_rt::__private::SiteKind::Literal,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "acc",
                kind: ::number_rt::__private::SiteKind::Local,
                operand: false,
            },
        ],
    };
    let __nq = ::number_rt::__private::Frame::enter(
        &__NQ_INFO,
        <L as ::number_rt::__private::Instance>::NAME,
        <L as ::number_rt::__private::Instance>::MODULE,
    );
    let __nq_w = __nq.weights(0, w);
    let w: &[f32] = &__nq_w;
    let __nq_x = __nq.q_vec(1, x);
    let x: &[f32] = &__nq_x;
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
            let mut acc: f32 = __nq.q(3, __nq.q(2, 0.0));
            {
                let __nq_zn = ::core::cmp::min(
                    (((o + 1) * k)) - ((o * k)),
                    ((t + k)) - ((t)),
                );
                {
                    let __nq_r = 0..__nq_zn;
                    if __nq_r.start < __nq_r.end {
                        let __nq_n = __nq_r.end - __nq_r.start;
                        __nq.row(
                            0,
                            {
                                let __nq_zi = __nq_r.start;
                                ((o * k)) + __nq_zi
                            },
                            __nq_n,
                        );
                        let __nq_a = {
                            let __nq_zi = __nq_r.start;
                            &w[((o * k)) + __nq_zi..][..__nq_n]
                        };
                        let __nq_b = {
                            let __nq_zi = __nq_r.start;
                            &x[((t)) + __nq_zi..][..__nq_n]
                        };
                        __nq.gram(
                            0,
                            {
                                let __nq_zi = __nq_r.start;
                                ((o * k)) + __nq_zi
                            },
                            __nq_b,
                        );
                        acc = __nq.dot(3, acc, __nq_a, __nq_b);
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
    /// Every layer instance: formats are chosen at run time in calibrate builds (tuned builds
    /// implement this trait per instance in `tuned.rs`).
    pub trait Formats: ::number_rt::__private::Instance {}
    impl<T: ::number_rt::__private::Instance> Formats for T {}
    pub type w<L> = <L as ::number_rt::__private::AnyF32>::F32;
    pub type W<L> = ::number_rt::__private::Vec<
        <L as ::number_rt::__private::AnyF32>::F32,
    >;
}
