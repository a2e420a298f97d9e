//! The libnumber model zoo: layer code shared by the examples (written once in plain f32 and marked
//! `#[quantize]`), real data loaders, weights files, and each zoo model as a workflow `Task` (`driver`).
//!
//! Without the default `std` feature the crate is `#![no_std]` (it needs `alloc`) and offers [`layers`] only.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "std")]
pub mod data;
#[cfg(feature = "std")]
pub mod driver;
// Not formatted by rustfmt: the fingerprints that every checked-in tuned.rs records are taken over these
// functions' tokens, and formatting can change tokens (trailing commas), which would make those files stale.
#[rustfmt::skip]
pub mod layers;
#[cfg(feature = "std")]
pub mod pth;
#[cfg(feature = "std")]
pub use number_rt::weights;

/// The root of the libnumber checkout the program runs in: the nearest folder, from the current directory up,
/// whose `Cargo.toml` is the zoo's (`name = "libnumber-zoo"`). Found at run time, so that a copied or moved
/// checkout reads and writes its own files, never those of the checkout the binary was built in.
#[cfg(feature = "std")]
pub fn root() -> Result<&'static std::path::Path, String> {
    static ROOT: std::sync::OnceLock<Result<std::path::PathBuf, String>> =
        std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let cwd = std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
        find_root(&cwd).ok_or_else(|| {
            format!(
                "{} is not inside a libnumber checkout (no Cargo.toml of `libnumber-zoo` in it or above it): run this \
                 from the checkout",
                cwd.display()
            )
        })
    })
    .as_deref()
    .map_err(Clone::clone)
}

/// The nearest folder from `dir` up whose `Cargo.toml` declares the package `libnumber-zoo`.
#[cfg(feature = "std")]
pub fn find_root(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    dir.ancestors()
        .find(|d| {
            std::fs::read_to_string(d.join("Cargo.toml"))
                .is_ok_and(|t| t.lines().any(|l| l.trim() == "name = \"libnumber-zoo\""))
        })
        .map(std::path::Path::to_path_buf)
}

#[cfg(all(test, feature = "std"))]
mod tests {
    /// The root is the checkout found from a folder up, whatever checkout the binary was built in: a copied
    /// checkout finds itself.
    #[test]
    fn the_root_is_found_from_the_current_folder() {
        let copy =
            std::env::temp_dir().join(format!("libnumber-copied-checkout-{}", std::process::id()));
        let deep = copy.join("examples").join("lenet");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(
            copy.join("Cargo.toml"),
            "[package]\nname = \"libnumber-zoo\"\n",
        )
        .unwrap();
        assert_eq!(super::find_root(&deep).as_deref(), Some(copy.as_path()));
        assert_ne!(
            super::find_root(&deep).as_deref(),
            Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
        );
        std::fs::write(copy.join("Cargo.toml"), "[package]\nname = \"other\"\n").unwrap();
        assert_eq!(super::find_root(&deep), None);
        std::fs::remove_dir_all(&copy).unwrap();
    }
}
