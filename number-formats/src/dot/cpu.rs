//! The instruction set of the byte kernels, chosen when the program runs: the AVX-512 VNNI kernels when the CPU
//! has them, else the AVX2 kernels (`vpmaddwd` on bytes widened to 16 bits) when it has AVX2 (detected once with
//! `std`; without `std`, when the build targets them), else the portable loops, which the compiler vectorizes
//! for whatever the build targets (AVX2 with `-C target-cpu=x86-64-v3`, as this repository's
//! `.cargo/config.toml` sets). Every path computes the same exact integer sums, so results never depend on the
//! CPU; only the speed does. With `std`, the environment variable `NUMBER_KERNELS=avx2` (or `portable`) caps the
//! set for the whole process when it is detected, e.g. to time on an AVX-512 machine what an AVX2-only CPU runs;
//! any other value than those and `avx512vnni` is reported on stderr and ignored.
use core::sync::atomic::{AtomicU8, Ordering};

/// A set of kernels, in ascending order of what the CPU needs (a CPU with one has those before it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kernels {
    /// The portable loops (vectorized by the compiler for the build's target).
    Portable,
    /// AVX2: bytes widened to 16 bits, products summed pairwise into 32 bits (`vpmaddwd`).
    Avx2,
    /// AVX-512 VNNI (`vpdpbusd`) for 8-bit operands.
    Avx512Vnni,
}

impl Kernels {
    fn code(self) -> u8 {
        match self {
            Kernels::Portable => 1,
            Kernels::Avx2 => 2,
            Kernels::Avx512Vnni => 3,
        }
    }

    fn of(code: u8) -> Option<Kernels> {
        match code {
            1 => Some(Kernels::Portable),
            2 => Some(Kernels::Avx2),
            3 => Some(Kernels::Avx512Vnni),
            _ => None,
        }
    }
}

/// 0: not detected yet.
static DETECTED: AtomicU8 = AtomicU8::new(0);
/// 0: no limit.
static LIMIT: AtomicU8 = AtomicU8::new(0);

/// The best kernels this CPU runs.
///
/// ```
/// use number_formats::dot::cpu::{self, Kernels};
/// let k = cpu::available();
/// assert!([Kernels::Portable, Kernels::Avx2, Kernels::Avx512Vnni].contains(&k));
/// ```
#[inline]
pub fn available() -> Kernels {
    match Kernels::of(DETECTED.load(Ordering::Relaxed)) {
        Some(k) => k,
        None => {
            let k = detect();
            DETECTED.store(k.code(), Ordering::Relaxed);
            k
        }
    }
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn detect() -> Kernels {
    let cpu = detect_cpu();
    // `NUMBER_KERNELS=portable|avx2` caps the set for the whole process, e.g. to time on an AVX-512 machine
    // what an AVX2-only CPU runs (results are the same either way).
    match capped(std::env::var("NUMBER_KERNELS").ok().as_deref(), cpu) {
        Ok(k) => k,
        Err(e) => {
            // A misspelt cap must not pass for a capped run.
            std::eprintln!("{e}");
            cpu
        }
    }
}

/// The kernels a process uses on a CPU with `cpu` when `NUMBER_KERNELS` is `var`; an error naming the accepted
/// values for anything else (the CPU's own set is used then).
#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn capped(var: Option<&str>, cpu: Kernels) -> Result<Kernels, std::string::String> {
    match var {
        None | Some("") | Some("avx512vnni") => Ok(cpu),
        Some("avx2") => Ok(cpu.min(Kernels::Avx2)),
        Some("portable") => Ok(Kernels::Portable),
        Some(other) => Err(std::format!(
            "NUMBER_KERNELS={other:?} is not a kernel set: use `portable`, `avx2` or `avx512vnni` (a cap: a CPU \
             without the set runs what it has); running the CPU's own kernels ({cpu:?})"
        )),
    }
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn detect_cpu() -> Kernels {
    if std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512vnni")
    {
        Kernels::Avx512Vnni
    } else if std::is_x86_feature_detected!("avx2") {
        Kernels::Avx2
    } else {
        Kernels::Portable
    }
}

#[cfg(not(all(target_arch = "x86_64", feature = "std")))]
fn detect() -> Kernels {
    if cfg!(all(
        target_arch = "x86_64",
        target_feature = "avx512f",
        target_feature = "avx512bw",
        target_feature = "avx512vnni"
    )) {
        Kernels::Avx512Vnni
    } else if cfg!(all(target_arch = "x86_64", target_feature = "avx2")) {
        Kernels::Avx2
    } else {
        Kernels::Portable
    }
}

/// The kernels in use: [`available`], or less if [`limit`] (or [`force_portable`]) says so.
#[inline(always)]
pub fn selected() -> Kernels {
    let a = available();
    match Kernels::of(LIMIT.load(Ordering::Relaxed)) {
        Some(l) if l < a => l,
        _ => a,
    }
}

/// Runs no kernels above `k` even where the CPU has them (`Some`), or lets the CPU decide again (`None`): for
/// tests that compare the paths (every set up to [`available`]), and benchmarks that measure what each gains.
/// Results are the same either way.
///
/// ```
/// use number_formats::dot::cpu::{self, Kernels};
/// cpu::limit(Some(Kernels::Portable));
/// assert_eq!(cpu::selected(), Kernels::Portable);
/// cpu::limit(None);
/// assert_eq!(cpu::selected(), cpu::available());
/// ```
pub fn limit(k: Option<Kernels>) {
    LIMIT.store(k.map_or(0, Kernels::code), Ordering::Relaxed);
}

/// Runs the portable loops even where faster kernels are available (`true`), or lets the CPU decide again
/// (`false`): [`limit`] to [`Kernels::Portable`], or none.
pub fn force_portable(on: bool) {
    limit(on.then_some(Kernels::Portable));
}

/// Every set of kernels this CPU runs, the portable loops first: what tests compare.
pub fn every_available() -> impl Iterator<Item = Kernels> {
    let a = available();
    [Kernels::Portable, Kernels::Avx2, Kernels::Avx512Vnni]
        .into_iter()
        .filter(move |k| *k <= a)
}

/// Whether the VNNI kernels run now.
#[inline(always)]
pub(crate) fn vnni() -> bool {
    cfg!(target_arch = "x86_64") && selected() == Kernels::Avx512Vnni
}

/// Whether the AVX2 kernels run now.
#[inline(always)]
pub(crate) fn avx2() -> bool {
    cfg!(target_arch = "x86_64") && selected() == Kernels::Avx2
}

#[cfg(all(test, target_arch = "x86_64", feature = "std"))]
mod tests {
    use super::{Kernels, capped};

    #[test]
    fn the_cap_is_parsed_and_a_misspelt_one_is_an_error() {
        let vnni = Kernels::Avx512Vnni;
        assert_eq!(capped(None, vnni), Ok(vnni));
        assert_eq!(capped(Some("avx2"), vnni), Ok(Kernels::Avx2));
        assert_eq!(
            capped(Some("avx2"), Kernels::Portable),
            Ok(Kernels::Portable)
        );
        assert_eq!(
            capped(Some("portable"), Kernels::Avx2),
            Ok(Kernels::Portable)
        );
        assert_eq!(capped(Some("avx512vnni"), Kernels::Avx2), Ok(Kernels::Avx2));
        let e = capped(Some("AVX2"), vnni).unwrap_err();
        assert!(
            e.contains("NUMBER_KERNELS=\"AVX2\"") && e.contains("`avx2`"),
            "{e}"
        );
    }
}
