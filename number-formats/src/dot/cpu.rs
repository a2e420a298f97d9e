//! The instruction set of the byte kernels, chosen when the program runs: the AVX-512 VNNI kernels when the CPU
//! has them (detected once with `std`; without `std`, when the build targets them), else the portable loops,
//! which the compiler vectorizes for whatever the build targets (AVX2 with `-C target-cpu=x86-64-v3`, as this
//! repository's `.cargo/config.toml` sets). Every path computes the same exact integer sums, so results never
//! depend on the CPU; only the speed does.
use core::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// A set of kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kernels {
    /// The portable loops (vectorized by the compiler for the build's target).
    Portable,
    /// AVX-512 VNNI (`vpdpbusd`) for 8-bit operands.
    Avx512Vnni,
}

const UNKNOWN: u8 = 0;
const PORTABLE: u8 = 1;
const VNNI: u8 = 2;

static DETECTED: AtomicU8 = AtomicU8::new(UNKNOWN);
static FORCE_PORTABLE: AtomicBool = AtomicBool::new(false);

/// The best kernels this CPU runs.
///
/// ```
/// use number_formats::dot::cpu::{self, Kernels};
/// let k = cpu::available();
/// assert!(k == Kernels::Portable || k == Kernels::Avx512Vnni);
/// ```
pub fn available() -> Kernels {
    match DETECTED.load(Ordering::Relaxed) {
        PORTABLE => Kernels::Portable,
        VNNI => Kernels::Avx512Vnni,
        _ => {
            let k = detect();
            DETECTED.store(
                if k == Kernels::Avx512Vnni {
                    VNNI
                } else {
                    PORTABLE
                },
                Ordering::Relaxed,
            );
            k
        }
    }
}

#[cfg(all(target_arch = "x86_64", feature = "std"))]
fn detect() -> Kernels {
    if std::is_x86_feature_detected!("avx512f")
        && std::is_x86_feature_detected!("avx512bw")
        && std::is_x86_feature_detected!("avx512vnni")
    {
        Kernels::Avx512Vnni
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
    } else {
        Kernels::Portable
    }
}

/// The kernels in use: [`available`], unless [`force_portable`] is on.
#[inline(always)]
pub fn selected() -> Kernels {
    if FORCE_PORTABLE.load(Ordering::Relaxed) {
        Kernels::Portable
    } else {
        available()
    }
}

/// Runs the portable loops even where faster kernels are available (`true`), or lets the CPU decide again
/// (`false`): for tests that compare the paths, and benchmarks that measure what the kernels gain. Results are
/// the same either way.
pub fn force_portable(on: bool) {
    FORCE_PORTABLE.store(on, Ordering::Relaxed);
}

/// Whether the VNNI kernels run now.
#[inline(always)]
pub(crate) fn vnni() -> bool {
    cfg!(target_arch = "x86_64") && selected() == Kernels::Avx512Vnni
}
