//! `#[quantize]` and `include_tuned!` for libnumber (re-exported by `number-rt`; use them from there).
//!
//! # Expansion
//!
//! The attribute parses the item into a small model ([`model`]), finds its sites ([`sites`]), validates the
//! options against them and expands ([`expand`]) according to the build mode: the `mode = "..."` option, else
//! this crate's features `calibrate` / `tuned` (selected through number-rt's), else plain.
//!
//! - **plain**: the function unchanged, plus `mod <fn> { FINGERPRINT, trait Formats, pub type <weight><L> =
//!   f32 }`, where `Formats` is empty and implemented by every type.
//! - **calibrate**: every assignment to a site goes through `number_rt::emulate::Frame` (run-time formats,
//!   profiling); the module is the same as in plain mode, except that `Formats` is implemented by every
//!   `Instance` (and implies it, as the calibrate function's bound is `L: Instance`).
//! - **tuned**: `fn f<L: f::Formats>`, weight parameters become `&[f::w<L>]` (static number types, read as
//!   `w[i].to_f32()`), every other site is quantized with `<<L as f::Formats>::site as Number>::quantize`. The
//!   module's `Formats` trait has one associated type per site ident, implemented per instance by `tuned.rs`;
//!   single-instance functions use the instance type `f::Single`.
//!
//! So code generic over the instance is written once for every mode with the bound `L: f::Formats`
//! (`struct Conv<L: conv::Formats> { w: Vec<conv::w<L>> }`), and code generic over a weight's element type with
//! `W: number_rt::Number` (implemented by `f32` and every tuned number type).
//!
//! On an inherent `impl` block, every method with float sites is expanded the same way; its module is named
//! `<self type in snake_case>_<method>` (`dense_forward` for `impl<L> Dense<L> { fn forward(..) }`), emitted next
//! to the impl, and that name is also the function name in site names (`Fc1/dense_forward.x`). Options on the
//! impl apply to every method; a method's own `#[quantize(...)]` adds options for that method.
//!
//! Type aliases of weights are named after the *parameter* (`dense::w<L>`), whatever `rename`/`share` make of
//! the site ident.
//!
//! # Sites
//!
//! Float parameters (`f32`, `&[f32]`, `&mut [f32]`, `[f32; N]`, `Vec<f32>`, …), float literals, the `f32`
//! return value, and `let` bindings that are typed `f32` / `[f32; N]` / `Vec<f32>`, or initialised from a float
//! expression of sites and literals, an array of floats (`[0.0; N]`), or `vec![..]` of f32 float literals
//! (`vec![0.0; n]`, `vec![0.5f32, -1.0]`; an `f64` suffix keeps the binding out of the sites). An untyped
//! `vec![..]` local expands exactly like the same local typed `Vec<f32>`.
//!
//! # Weights
//!
//! A weight (`weights(w)`) holds the tuned number type in tuned builds, so the body may only index it (`w[i]`)
//! or measure it (`w.len()`, `w.is_empty()`). Any other use is a compile error in every mode, spanned at the use
//! and saying what to write instead: slicing it, reading it through a method (`w.iter()`, `w.chunks(n)`),
//! iterating it (`for v in w`), passing it (whole or sliced) to a function or method. Listing the weight in
//! `generic(w)` lifts these checks: it is then passed on as it is, to code generic over its element type
//! (`W: number_rt::Number`, reading `w[i].to_f32()`; `f32` in plain and calibrate builds).
//!
//! Struct fields are not sites. An element of a field (`l.w[i]`, `self.g[i]`) that enters a site (assigned to
//! one, initialising a float local, or an operand of `+ - * /` with a float value) is a compile error in every
//! mode, which says to make the tensor a weight parameter: its values would otherwise silently stay f32 in every
//! build. Scalar fields (`self.k`) and field elements read into an untyped local (`let v = l.w[i];`) are left
//! as they are.
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
/// Options: `weights(a, b)`, `generic(a)`, `exclude(x)`, `rename(acc = "sum")`, `share(w, b)`,
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
