//! `include_tuned!("path/to/tuned.rs")`: includes the tuner's output in tuned builds, after checking it.
use crate::model::Mode;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use std::path::PathBuf;
use syn::parse::{Parse, ParseStream};
use syn::{LitStr, Token};

struct Input {
    path: LitStr,
    mode: Option<Mode>,
}

impl Parse for Input {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let path: LitStr = input.parse()?;
        let mut mode = None;
        if input.parse::<Option<Token![,]>>()?.is_some() && !input.is_empty() {
            let key: syn::Ident = input.parse()?;
            if key != "mode" {
                return Err(syn::Error::new_spanned(
                    key,
                    "expected `mode = \"tuned\"` (or nothing)",
                ));
            }
            input.parse::<Token![=]>()?;
            let v: LitStr = input.parse()?;
            mode = Some(match v.value().as_str() {
                "plain" => Mode::Plain,
                "calibrate" => Mode::Calibrate,
                "tuned" => Mode::Tuned,
                other => {
                    return Err(syn::Error::new_spanned(
                        v,
                        format!(
                            "unknown mode `{other}`: expected \"plain\", \"calibrate\" or \"tuned\""
                        ),
                    ));
                }
            });
            input.parse::<Option<Token![,]>>()?;
        }
        Ok(Input { path, mode })
    }
}

/// Checks the text of a tuned file with the contract's parser (header, items, number types); the error names
/// the file, the line and the fix.
pub(crate) fn check_text(shown: &str, src: &str) -> Result<(), String> {
    number_contract::tuned_file::TunedFile::parse(src)
        .map(|_| ())
        .map_err(|e| {
            format!("tuned formats file `{shown}` is not usable: {e}; do not edit it by hand")
        })
}

/// Expands `include_tuned!(path [, mode = "..."])`. `manifest_dir` is `CARGO_MANIFEST_DIR`; `caller_dir` the
/// directory of the invoking source file (a fallback for paths relative to it).
pub(crate) fn include_tuned(
    input: TokenStream,
    build_mode: Result<Mode, &str>,
    manifest_dir: Option<PathBuf>,
    caller_dir: Option<PathBuf>,
) -> TokenStream {
    let input: Input = match syn::parse2(input) {
        Ok(i) => i,
        Err(e) => return e.to_compile_error(),
    };
    let mode = match (input.mode, build_mode) {
        (Some(m), _) => m,
        (None, Ok(m)) => m,
        (None, Err(msg)) => return syn::Error::new(Span::call_site(), msg).to_compile_error(),
    };
    if mode != Mode::Tuned {
        return TokenStream::new();
    }
    let rel = input.path.value();
    let err = |msg: String| syn::Error::new_spanned(&input.path, msg).to_compile_error();
    let in_manifest = manifest_dir
        .as_ref()
        .map(|d| d.join(&rel))
        .filter(|p| p.is_file());
    let beside_caller = caller_dir
        .as_ref()
        .map(|d| d.join(&rel))
        .filter(|p| p.is_file());
    let (path, tokens): (PathBuf, TokenStream) = match (in_manifest, beside_caller) {
        (Some(p), _) => (
            p,
            quote!(include!(concat!(env!("CARGO_MANIFEST_DIR"), "/", #rel));),
        ),
        (None, Some(p)) => {
            let abs = p.to_string_lossy().into_owned();
            (p, quote!(include!(#abs);))
        }
        (None, None) => {
            return err(format!(
                "tuned formats file `{rel}` not found (looked relative to the crate's Cargo.toml and to this \
                 source file): run `{}` to write it, or build without the `tuned` feature",
                tune_command()
            ));
        }
    };
    let src = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => return err(format!("cannot read tuned formats file `{rel}`: {e}")),
    };
    if let Err(msg) = check_text(&rel, &src) {
        return err(msg);
    }
    tokens
}

/// The command that (re)writes the tuned file of the crate being compiled, for error messages: `cargo number
/// tune --example <name>` (or `--bin`) when an example or binary is being compiled, the zoo's
/// `cargo number tune <model>` in this repository's zoo, and `cargo number tune --example <name>` with a
/// placeholder name in a library (its tuned file is written by the example or binary whose `main` calls
/// `number_rt::workflow::main`).
pub(crate) fn tune_command() -> String {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(std::path::PathBuf::from);
    let zoo = std::env::var("CARGO_PKG_NAME").is_ok_and(|p| p == "libnumber-zoo");
    match std::env::var("CARGO_BIN_NAME") {
        Ok(name) if zoo => format!("cargo number tune {name}"),
        Ok(name) => {
            let example = manifest.is_some_and(|m| {
                m.join("examples").join(format!("{name}.rs")).is_file()
                    || m.join("examples").join(&name).join("main.rs").is_file()
            });
            format!(
                "cargo number tune --{} {name}",
                if example { "example" } else { "bin" }
            )
        }
        Err(_) => {
            "cargo number tune --example <name> (the example or binary running this crate's model)"
                .to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_tokens_by_mode_and_location() {
        let ui = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/ui");
        let run = |args: TokenStream, manifest: Option<PathBuf>, caller: Option<PathBuf>| {
            include_tuned(args, Ok(Mode::Plain), manifest, caller).to_string()
        };
        // Relative to the manifest dir: portable tokens, so cargo tracks the file through `include!`.
        let out = run(
            quote!("files/good_tuned.rs", mode = "tuned"),
            Some(ui.clone()),
            None,
        );
        assert!(
            out.contains("CARGO_MANIFEST_DIR") && out.contains("\"files/good_tuned.rs\""),
            "{out}"
        );
        // Found only next to the calling file: its absolute path.
        let out = run(
            quote!("files/good_tuned.rs", mode = "tuned"),
            Some(PathBuf::from("/nonexistent")),
            Some(ui),
        );
        assert!(
            out.starts_with("include !")
                && out.contains("good_tuned.rs")
                && !out.contains("CARGO_MANIFEST_DIR"),
            "{out}"
        );
        // Plain and calibrate builds: nothing, even for a missing file.
        assert_eq!(run(quote!("files/none.rs"), None, None), "");
        assert_eq!(
            run(quote!("files/none.rs", mode = "calibrate"), None, None),
            ""
        );
        assert!(run(quote!("files/none.rs", mode = "tuned"), None, None).contains("not found"));
    }
}
