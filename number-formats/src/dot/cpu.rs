//! The instruction set of the byte kernels, chosen when the program runs: the AVX-512 VNNI kernels when the CPU
//! has them, else the AVX-VNNI kernels (the VEX-encoded 256-bit `vpdpbusd` of Alder Lake and later, and of Zen 5)
//! when it has those, else the AVX2 kernels (`vpmaddwd` on bytes widened to 16 bits) when it has AVX2 (detected
//! once with `std`; without `std`, when the build targets them), else the portable loops, which the compiler
//! vectorizes for whatever the build targets (AVX2 with `-C target-cpu=x86-64-v3`, as this repository's
//! `.cargo/config.toml` sets). Every path computes the same exact integer sums, so results never depend on the
//! CPU; only the speed does. With `std`, the environment variable `NUMBER_KERNELS=avx2` (or `portable`,
//! `avxvnni`) caps the set for the whole process when it is detected, e.g. to time on an AVX-512 machine what an
//! AVX2-only CPU runs; any other value than those and `avx512vnni` is reported on stderr and ignored.
use core::sync::atomic::{AtomicU8, Ordering};

/// A set of kernels, in ascending order of speed. A CPU with AVX-512 VNNI has AVX2, but not necessarily AVX-VNNI
/// (Ice Lake, Zen 4), so the sets a CPU runs ([`every_available`]) are not always every set below its best.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kernels {
    /// The portable loops (vectorized by the compiler for the build's target).
    Portable,
    /// AVX2: bytes widened to 16 bits, products summed pairwise into 32 bits (`vpmaddwd`).
    Avx2,
    /// AVX-VNNI: the AVX2 kernels with the 256-bit, VEX-encoded `vpdpbusd` for 8-bit operands
    /// (`_mm256_dpbusd_avx_epi32`).
    AvxVnni,
    /// AVX-512 VNNI (`vpdpbusd` on 512 bits) for 8-bit operands.
    Avx512Vnni,
}

/// Every set, in ascending order.
const ALL: [Kernels; 4] = [
    Kernels::Portable,
    Kernels::Avx2,
    Kernels::AvxVnni,
    Kernels::Avx512Vnni,
];

/// The bit of [`DETECTED`] saying the CPU has AVX-512 VBMI (`vpermb`, `vpmultishiftqb`: the packed-row kernel of
/// [`super::rows`]), next to the bits of the sets (`1 << k as u8`).
const VBMI: u8 = 1 << 7;

impl Kernels {
    fn bit(self) -> u8 {
        1 << self as u8
    }

    /// The best set of `mask` (bits of sets) at or below `cap`.
    fn best(mask: u8, cap: Kernels) -> Kernels {
        let mut b = Kernels::Portable;
        for k in ALL {
            if k <= cap && mask & k.bit() != 0 {
                b = k;
            }
        }
        b
    }
}

/// 0: not detected yet; else the bits of the sets the process may run (the CPU's, capped by `NUMBER_KERNELS`,
/// [`Kernels::Portable`] always) and [`VBMI`].
static DETECTED: AtomicU8 = AtomicU8::new(0);
/// 0: not chosen yet; else `1 + ` the set in use: the best the CPU runs at or below the limit ([`limit`]), or
/// [`available`] without one. Kept chosen so that [`selected`], which every kernel call asks, is one load.
static LIMIT: AtomicU8 = AtomicU8::new(0);

/// The detected bits (see [`DETECTED`]), detecting them on the first call.
#[inline]
fn detected() -> u8 {
    match DETECTED.load(Ordering::Relaxed) {
        0 => {
            let m = detect() | Kernels::Portable.bit();
            DETECTED.store(m, Ordering::Relaxed);
            m
        }
        m => m,
    }
}

/// The best kernels this CPU runs (below the `NUMBER_KERNELS` cap).
///
/// ```
/// use number_formats::dot::cpu::{self, Kernels};
/// let k = cpu::available();
/// assert!([Kernels::Portable, Kernels::Avx2, Kernels::AvxVnni, Kernels::Avx512Vnni].contains(&k));
/// ```
#[inline]
pub fn available() -> Kernels {
    Kernels::best(detected(), Kernels::Avx512Vnni)
}

/// Whether the CPU has AVX-512 VBMI (detected with the kernel sets; never when `NUMBER_KERNELS` caps the sets
/// below AVX-512 VNNI).
#[inline]
pub(crate) fn vbmi() -> bool {
    detected() & VBMI != 0
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn detect() -> u8 {
    let cpu = detect_cpu();
    // `NUMBER_KERNELS=portable|avx2|avxvnni` caps the set for the whole process, e.g. to time on an AVX-512
    // machine what an AVX2-only CPU runs (results are the same either way).
    match capped(std::env::var("NUMBER_KERNELS").ok().as_deref(), cpu) {
        Ok(k) => k,
        Err(e) => {
            // A misspelt cap must not pass for a capped run.
            std::eprintln!("{e}");
            cpu
        }
    }
}

/// The bits of the sets a process uses on a CPU with the bits `cpu` when `NUMBER_KERNELS` is `var` (the sets up
/// to the cap; the VBMI bit only uncapped); an error naming the accepted values for anything else (the CPU's own
/// sets are used then).
#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn capped(var: Option<&str>, cpu: u8) -> Result<u8, std::string::String> {
    let below = |cap: Kernels| {
        ALL.iter()
            .filter(|k| **k <= cap)
            .fold(0, |m, k| m | (cpu & k.bit()))
    };
    match var {
        None | Some("") | Some("avx512vnni") => Ok(cpu),
        Some("avxvnni") => Ok(below(Kernels::AvxVnni)),
        Some("avx2") => Ok(below(Kernels::Avx2)),
        Some("portable") => Ok(below(Kernels::Portable)),
        Some(other) => Err(std::format!(
            "NUMBER_KERNELS={other:?} is not a kernel set: use `portable`, `avx2`, `avxvnni` or `avx512vnni` (a \
             cap: a CPU without the set runs the best it has below it); running the CPU's own kernels ({:?})",
            Kernels::best(cpu, Kernels::Avx512Vnni)
        )),
    }
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn detect_cpu() -> u8 {
    let mut m = Kernels::Portable.bit();
    let avx2 = std::is_x86_feature_detected!("avx2");
    if avx2 {
        m |= Kernels::Avx2.bit();
    }
    if avx2 && std::is_x86_feature_detected!("avxvnni") {
        m |= Kernels::AvxVnni.bit();
    }
    if avx2
        && std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512vnni")
    {
        m |= Kernels::Avx512Vnni.bit();
        if std::is_x86_feature_detected!("avx512vbmi") {
            m |= VBMI;
        }
    }
    m
}

#[cfg(not(all(target_arch = "x86_64", feature = "std")))]
fn detect() -> u8 {
    let x86 = cfg!(target_arch = "x86_64");
    let avx2 = x86 && cfg!(target_feature = "avx2");
    let avx512 = avx2
        && cfg!(all(
            target_feature = "avx512f",
            target_feature = "avx512bw",
            target_feature = "avx512vnni"
        ));
    let mut m = Kernels::Portable.bit();
    if avx2 {
        m |= Kernels::Avx2.bit();
    }
    if avx2 && cfg!(target_feature = "avxvnni") {
        m |= Kernels::AvxVnni.bit();
    }
    if avx512 {
        m |= Kernels::Avx512Vnni.bit();
        if cfg!(target_feature = "avx512vbmi") {
            m |= VBMI;
        }
    }
    m
}

/// The kernels in use: [`available`], or the best the CPU runs at or below [`limit`] (or [`force_portable`]).
#[inline(always)]
pub fn selected() -> Kernels {
    match LIMIT.load(Ordering::Relaxed) {
        0 => first_selection(),
        l => ALL[((l - 1) & 3) as usize],
    }
}

/// [`selected`] before any choice: [`available`], kept unless [`limit`] chose meanwhile.
#[cold]
#[inline(never)]
fn first_selection() -> Kernels {
    let k = available();
    match LIMIT.compare_exchange(0, k as u8 + 1, Ordering::Relaxed, Ordering::Relaxed) {
        Ok(_) => k,
        Err(l) => ALL[((l - 1) & 3) as usize],
    }
}

/// Runs no kernels above `k` even where the CPU has them (`Some`; the best set the CPU has at or below `k`), or
/// lets the CPU decide again (`None`): for tests that compare the paths ([`every_available`]), and benchmarks
/// that measure what each gains. Results are the same either way.
///
/// ```
/// use number_formats::dot::cpu::{self, Kernels};
/// cpu::limit(Some(Kernels::Portable));
/// assert_eq!(cpu::selected(), Kernels::Portable);
/// cpu::limit(None);
/// assert_eq!(cpu::selected(), cpu::available());
/// ```
pub fn limit(k: Option<Kernels>) {
    let l = k.map_or_else(available, |k| Kernels::best(detected(), k)) as u8 + 1;
    LIMIT.store(l, Ordering::Relaxed);
}

/// Runs the portable loops even where faster kernels are available (`true`), or lets the CPU decide again
/// (`false`): [`limit`] to [`Kernels::Portable`], or none.
pub fn force_portable(on: bool) {
    limit(on.then_some(Kernels::Portable));
}

/// Every set of kernels this CPU runs (below the `NUMBER_KERNELS` cap), the portable loops first: what tests
/// compare, each selected with [`limit`].
pub fn every_available() -> impl Iterator<Item = Kernels> {
    let m = detected();
    ALL.into_iter().filter(move |k| m & k.bit() != 0)
}

/// Whether the AVX-512 VNNI kernels run now.
#[inline(always)]
pub(crate) fn vnni() -> bool {
    cfg!(target_arch = "x86_64") && selected() == Kernels::Avx512Vnni
}

/// Whether the AVX-VNNI kernels run now.
#[inline(always)]
pub(crate) fn avx_vnni() -> bool {
    cfg!(target_arch = "x86_64") && selected() == Kernels::AvxVnni
}

/// Whether the AVX2 kernels run now.
#[inline(always)]
pub(crate) fn avx2() -> bool {
    cfg!(target_arch = "x86_64") && selected() == Kernels::Avx2
}

#[cfg(all(test, target_arch = "x86_64", feature = "std"))]
mod tests {
    use super::{ALL, Kernels, VBMI, available, capped, every_available};

    fn bits(sets: &[Kernels]) -> u8 {
        sets.iter().fold(0, |m, k| m | k.bit())
    }

    #[test]
    fn the_cap_is_parsed_and_a_misspelt_one_is_an_error() {
        use Kernels::*;
        let every = bits(&ALL) | VBMI;
        // AVX-512 VNNI without AVX-VNNI (Ice Lake, Zen 4).
        let icelake = bits(&[Portable, Avx2, Avx512Vnni]);
        assert_eq!(capped(None, every), Ok(every));
        assert_eq!(capped(Some("avx512vnni"), every), Ok(every));
        assert_eq!(
            capped(Some("avxvnni"), every),
            Ok(bits(&[Portable, Avx2, AvxVnni]))
        );
        assert_eq!(capped(Some("avx2"), every), Ok(bits(&[Portable, Avx2])));
        assert_eq!(capped(Some("portable"), every), Ok(bits(&[Portable])));
        assert_eq!(
            capped(Some("avx2"), bits(&[Portable])),
            Ok(bits(&[Portable]))
        );
        assert_eq!(
            capped(Some("avxvnni"), icelake),
            Ok(bits(&[Portable, Avx2]))
        );
        assert_eq!(Kernels::best(bits(&[Portable, Avx2]), Avx512Vnni), Avx2);
        assert_eq!(Kernels::best(icelake, AvxVnni), Avx2);
        assert_eq!(Kernels::best(icelake, Avx512Vnni), Avx512Vnni);
        assert_eq!(Kernels::best(every, AvxVnni), AvxVnni);
        let e = capped(Some("AVX2"), every).unwrap_err();
        assert!(
            e.contains("NUMBER_KERNELS=\"AVX2\"")
                && e.contains("`avx2`")
                && e.contains("`avxvnni`"),
            "{e}"
        );
    }

    #[test]
    fn the_kernels_in_use_are_the_best_set_the_process_may_run() {
        // The best of the allowed sets.
        assert_eq!(every_available().last(), Some(available()));
        if std::env::var("NUMBER_KERNELS").as_deref() == Ok("avx2")
            && std::is_x86_feature_detected!("avx2")
        {
            assert_eq!(available(), Kernels::Avx2);
        }
    }
}
