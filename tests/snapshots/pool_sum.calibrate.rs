pub fn global_avg_pool<L: ::number_rt::__private::Instance>(
    x: &[f32],
    y: &mut [f32],
    hw: usize,
) {
    static __NQ_INFO: ::number_rt::__private::FnInfo = ::number_rt::__private::FnInfo {
        name: "global_avg_pool",
        module: module_path!(),
        fingerprint: 0xfb245d615cb6a0f0,
        sites: &[
            ::number_rt::__private::SiteInfo {
                ident: "x",
                kind: ::number_rt::__private::SiteKind::Input,
                operand: false,
            },
            ::number_rt::__private::SiteInfo {
                ident: "y",
                kind: ::number_rt::__private::SiteKind::Output,
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
    let __nq_x = __nq.q_vec(0, x);
    let x: &[f32] = &__nq_x;
    __nq.q_slice(1, y);
    for c in 0..y.len() {
        let mut acc: f32 = __nq.q(3, __nq.q(2, 0.0));
        {
            let __nq_r = 0..hw;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                let __nq_x = {
                    let i = __nq_r.start;
                    &x[c * hw + i..][..__nq_n]
                };
                acc = __nq.sum(3, acc, __nq_x);
            }
        }
        y[c] = __nq.q(1, acc / hw as f32);
    }
}
/// Formats and fingerprint of the #[quantize] function `global_avg_pool`.
#[doc(hidden)]
#[allow(non_camel_case_types, non_snake_case, dead_code)]
pub mod global_avg_pool {
    /// Fingerprint of the function's code; `tuned.rs` asserts it.
    pub const FINGERPRINT: u64 = 0xfb245d615cb6a0f0;
    /// Every layer instance: formats are chosen at run time in calibrate builds (tuned builds
    /// implement this trait per instance in `tuned.rs`).
    pub trait Formats: ::number_rt::__private::Instance {}
    impl<T: ::number_rt::__private::Instance> Formats for T {}
}
