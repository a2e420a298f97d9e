//! `#[quantize]` and `include_tuned!` for libnumber (re-exported by `number-rt`; use them from there).
//!
//! # Expansion
//!
//! The attribute parses the item into a small model ([`model`]), finds its sites ([`sites`]), validates the
//! options against them and expands ([`expand`]) according to the build mode: the `mode = "..."` option, else
//! this crate's features `calibrate` / `tuned` (selected through number-rt's), else plain.
//!
//! - **plain**: the function unchanged, plus `mod <fn> { FINGERPRINT, pub type <weight><L> = f32 }`.
//! - **calibrate**: every assignment to a site goes through `number_rt::emulate::Frame` (run-time formats,
//!   profiling); the module is the same as in plain mode.
//! - **tuned**: `fn f<L: f::Formats>`, weight parameters become `&[f::w<L>]` (static number types, read as
//!   `w[i].to_f32()`), every other site is quantized with `<<L as f::Formats>::site as Number>::quantize`. The
//!   module also holds the `Formats` trait (one associated type per site ident), implemented per instance by
//!   `tuned.rs`; single-instance functions use the instance type `f::Single`.
//!
//! On an inherent `impl` block, every method with float sites is expanded the same way; its module is named
//! `<self type in snake_case>_<method>` (`dense_forward` for `impl<L> Dense<L> { fn forward(..) }`), emitted next
//! to the impl, and that name is also the function name in site names (`Fc1/dense_forward.x`). Options on the
//! impl apply to every method; a method's own `#[quantize(...)]` adds options for that method.
//!
//! Type aliases of weights are named after the *parameter* (`dense::w<L>`), whatever `rename`/`share` make of
//! the site ident.
use proc_macro::TokenStream;

mod attr;
mod expand;
mod fingerprint;
mod model;
mod sites;
#[cfg(test)]
mod snapshots;
mod tuned_file;

/// Marks a layer function (or an inherent impl block of layer methods) whose float sites libnumber quantizes.
///
/// Options: `weights(a, b)`, `exclude(x)`, `rename(acc = "sum")`, `share(w, b)`,
/// `mode = "plain" | "calibrate" | "tuned"`. See the crate documentation and `docs/ARCHITECTURE.md`.
#[proc_macro_attribute]
pub fn quantize(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::quantize(attr.into(), item.into(), expand::feature_mode()).into()
}

/// Includes a `tuned.rs` (path relative to `CARGO_MANIFEST_DIR`, or else to the calling file's directory) in
/// tuned builds, after checking that it exists, was written by libnumber and parses; expands to nothing in
/// plain and calibrate builds. An optional second argument `mode = "tuned"` overrides the build mode.
#[proc_macro]
pub fn include_tuned(input: TokenStream) -> TokenStream {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    let caller = proc_macro2::Span::call_site().local_file().and_then(|f| {
        let f = if f.is_absolute() {
            f
        } else {
            manifest.as_ref().map(|m| m.join(&f)).unwrap_or(f)
        };
        f.parent().map(|p| p.to_path_buf())
    });
    tuned_file::include_tuned(input.into(), expand::feature_mode(), manifest, caller).into()
}
