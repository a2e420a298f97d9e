//! Rendering and parsing whole `tuned.rs` files (syn, prettyplease).
use super::*;
use syn::punctuated::Punctuated;

impl TunedFile {
    /// The file's text (feature `render`): the header, a blank line, then the items formatted by prettyplease. Deterministic: equal
    /// files render to equal bytes. Fails only on names that are not Rust paths or identifiers.
    ///
    /// ```
    /// use number_contract::tuned_file::*;
    /// let file = TunedFile {
    ///     header: Header {
    ///         command: "cargo number tune lenet".into(),
    ///         tool: "libnumber 0.1.0".into(),
    ///         profile: (0xfeed, 2),
    ///         objective: None, tolerance: None, baseline: None, accuracy: None, target: None,
    ///         param_bits: (4, 32),
    ///         rounded_weights: None,
    ///     },
    ///     functions: vec![FunctionFormats {
    ///         path: "::zoo::layers::dense".into(),
    ///         display: "zoo::layers::dense".into(),
    ///         fingerprint: 0xc8249b1cc52aaaa3,
    ///         impls: vec![InstanceFormats {
    ///             instance: "crate::model::Fc1".into(),
    ///             sites: vec![("w".into(), "fixed<4,6>".parse().unwrap()), ("x".into(), "f32".parse().unwrap())],
    ///         }],
    ///     }],
    /// };
    /// let text = file.render().unwrap();
    /// assert!(text.contains("impl ::zoo::layers::dense::Formats for crate::model::Fc1 {\n    type w = ::number_rt::Fixed<4, 6>;"));
    /// assert_eq!(TunedFile::parse(&text).unwrap(), file);
    /// assert_eq!(file.config()["Fc1/dense.w"].to_string(), "fixed<4,6>");
    /// ```
    #[cfg(feature = "render")]
    pub fn render(&self) -> Result<String, TunedFileError> {
        let bad = |m: String| TunedFileError {
            line: 0,
            message: m,
        };
        let mut code = String::new();
        for func in &self.functions {
            check_path("function path", &func.path).map_err(bad)?;
            let msg = func.stale_message(&self.header.command);
            code.push_str(&format!(
                "const _: () = assert!({}::{FINGERPRINT} == {:#018x}, {});\n",
                func.path,
                func.fingerprint,
                string_literal(&msg)
            ));
            for imp in &func.impls {
                check_path("instance path", &imp.instance).map_err(bad)?;
                code.push_str(&format!(
                    "impl {}::{FORMATS_TRAIT} for {} {{\n",
                    func.path, imp.instance
                ));
                for (ident, f) in &imp.sites {
                    if syn::parse_str::<syn::Ident>(ident).is_err() {
                        return Err(bad(format!(
                            "site ident `{ident}` is not a Rust identifier"
                        )));
                    }
                    code.push_str(&format!("type {ident} = {};\n", rust_type(*f)));
                }
                code.push_str("}\n");
            }
        }
        let file = syn::parse_file(&code)
            .map_err(|e| bad(format!("generated items do not parse ({e}) in:\n{code}")))?;
        // prettyplease prints `crate ::a::b` for paths inside macro arguments (`assert!`): normalise.
        let body = prettyplease::unparse(&file).replace("crate ::", "crate::");
        let mut out = self.header.render();
        out.push('\n');
        out.push_str(&body);
        Ok(out)
    }

    /// Parses a `tuned.rs`. Every error names the line and the fix; no input panics.
    pub fn parse(src: &str) -> Result<TunedFile, TunedFileError> {
        let (header, header_lines) = Header::parse(src)?;
        let regen = format!("regenerate the file with `{}`", header.command);
        let err = |line: usize, m: String| TunedFileError {
            line,
            message: format!("{m}; {regen}"),
        };
        let mut functions: Vec<FunctionFormats> = Vec::new();
        for (line, text) in items(src) {
            if line <= header_lines {
                return Err(err(
                    line,
                    "the header must be followed by items only".into(),
                ));
            }
            let item: syn::Item =
                syn::parse_str(text).map_err(|e| err(line, format!("malformed item: {e}")))?;
            match item {
                syn::Item::Const(c) => {
                    let (path, fingerprint, msg) = fingerprint_check(&c).map_err(|m| err(line, m))?;
                    let display = msg
                        .strip_prefix("tuned.rs is stale: `")
                        .and_then(|r| r.split_once("` changed since it was tuned; re-run `"))
                        .filter(|(_, cmd)| cmd.strip_suffix('`') == Some(header.command.as_str()))
                        .map(|(d, _)| d.to_string())
                        .ok_or_else(|| err(line, format!("the staleness message of `{path}` is not the generated one")))?;
                    if functions.iter().any(|f| f.path == path) {
                        return Err(err(line, format!("`{path}` has two fingerprint checks")));
                    }
                    functions.push(FunctionFormats { path, display, fingerprint, impls: vec![] });
                }
                syn::Item::Impl(imp) => {
                    let (fn_path, instance) = impl_paths(&imp).map_err(|m| err(line, m))?;
                    let func = functions.last_mut().filter(|f| f.path == fn_path).ok_or_else(|| {
                        err(line, format!("the `{FORMATS_TRAIT}` impl of `{fn_path}` does not follow its fingerprint check"))
                    })?;
                    let mut sites = Vec::new();
                    for it in &imp.items {
                        let syn::ImplItem::Type(t) = it else {
                            return Err(err(line, format!("the `{FORMATS_TRAIT}` impl for `{instance}` holds an item that is not `type <site> = <number type>;`")));
                        };
                        let f = format_of(&t.ty).map_err(|m| err(line, format!("site `{}` of `{instance}`: {m}", t.ident)))?;
                        sites.push((t.ident.to_string(), f));
                    }
                    if func.impls.iter().any(|i| i.instance == instance) {
                        return Err(err(line, format!("`{fn_path}` has two `{FORMATS_TRAIT}` impls for `{instance}`")));
                    }
                    func.impls.push(InstanceFormats { instance, sites });
                }
                _ => return Err(err(line, "expected a fingerprint check (`const _: () = assert!(...)`) or a `Formats` impl".into())),
            }
        }
        Ok(TunedFile { header, functions })
    }
}

#[cfg(feature = "render")]
fn check_path(what: &str, p: &str) -> Result<(), String> {
    let rest = p.strip_prefix("::").unwrap_or(p);
    if !rest.is_empty()
        && rest
            .split("::")
            .all(|s| syn::parse_str::<syn::Ident>(s).is_ok() || s == "crate")
    {
        Ok(())
    } else {
        Err(format!("{what} `{p}` is not a Rust path"))
    }
}

fn path_text(p: &syn::Path) -> String {
    let mut s = if p.leading_colon.is_some() {
        "::".to_string()
    } else {
        String::new()
    };
    let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
    s.push_str(&segs.join("::"));
    s
}

/// `const _: () = assert!(<path>::FINGERPRINT == <int>, "<message>");` → (path, fingerprint, message).
fn fingerprint_check(c: &syn::ItemConst) -> Result<(String, u64, String), String> {
    let shape =
        || "expected `const _: () = assert!(<fn path>::FINGERPRINT == 0x…, \"…\");`".to_string();
    let syn::Expr::Macro(m) = &*c.expr else {
        return Err(shape());
    };
    if !m.mac.path.is_ident("assert") {
        return Err(shape());
    }
    let args = m
        .mac
        .parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated)
        .map_err(|_| shape())?;
    let [
        syn::Expr::Binary(cmp),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(msg),
            ..
        }),
    ] = args.iter().collect::<Vec<_>>()[..]
    else {
        return Err(shape());
    };
    let (
        syn::BinOp::Eq(_),
        syn::Expr::Path(lhs),
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(fp),
            ..
        }),
    ) = (&cmp.op, &*cmp.left, &*cmp.right)
    else {
        return Err(shape());
    };
    let full = path_text(&lhs.path);
    let path = full
        .strip_suffix(&format!("::{FINGERPRINT}"))
        .ok_or_else(shape)?
        .to_string();
    let fp = fp.base10_parse::<u64>().map_err(|_| shape())?;
    Ok((path, fp, msg.value()))
}

/// `impl <fn path>::Formats for <instance path>` → (fn path, instance path).
fn impl_paths(imp: &syn::ItemImpl) -> Result<(String, String), String> {
    let shape =
        || format!("expected `impl <fn path>::{FORMATS_TRAIT} for <instance path> {{ … }}`");
    let Some((trait_path, _)) = &imp.trait_ else {
        return Err(shape());
    };
    if !imp.generics.params.is_empty() {
        return Err(shape());
    }
    let t = path_text(trait_path);
    let fn_path = t
        .strip_suffix(&format!("::{FORMATS_TRAIT}"))
        .ok_or_else(shape)?
        .to_string();
    let syn::Type::Path(self_ty) = &*imp.self_ty else {
        return Err(shape());
    };
    if self_ty.qself.is_some() || self_ty.path.segments.iter().any(|s| !s.arguments.is_none()) {
        return Err(shape());
    }
    Ok((fn_path, path_text(&self_ty.path)))
}

/// The [`Format`] of a number type as [`rust_type`] spells it.
fn format_of(ty: &syn::Type) -> Result<Format, String> {
    let expected = "expected a number type such as `::number_rt::Fixed<4, 6>` or `f32`";
    let syn::Type::Path(p) = ty else {
        return Err(expected.into());
    };
    if p.qself.is_some() {
        return Err(expected.into());
    }
    let path = path_text(&p.path);
    let last = p.path.segments.last().ok_or(expected)?;
    let name = last.ident.to_string();
    let prefix_ok = if name == "f32" {
        path == "f32"
    } else {
        path == format!("::number_rt::{name}")
    };
    if !prefix_ok {
        return Err(format!("`{path}`: {expected}"));
    }
    let mut args: Vec<i64> = Vec::new();
    match &last.arguments {
        syn::PathArguments::None => {}
        syn::PathArguments::AngleBracketed(a) => {
            for g in &a.args {
                let v = match g {
                    syn::GenericArgument::Const(e) => const_int(e),
                    syn::GenericArgument::Type(syn::Type::Path(tp)) => tp
                        .path
                        .get_ident()
                        .and_then(|i| i.to_string().parse::<i64>().ok()),
                    _ => None,
                };
                args.push(v.ok_or_else(|| format!("`{name}`: expected integer parameters"))?);
            }
        }
        syn::PathArguments::Parenthesized(_) => return Err(expected.into()),
    }
    format_of_type(&name, &args)
}

fn const_int(e: &syn::Expr) -> Option<i64> {
    match e {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(i),
            ..
        }) => i.base10_parse().ok(),
        syn::Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) => const_int(expr).and_then(i64::checked_neg),
        syn::Expr::Block(b) => match b.block.stmts.as_slice() {
            [syn::Stmt::Expr(e, None)] => const_int(e),
            _ => None,
        },
        syn::Expr::Paren(p) => const_int(&p.expr),
        _ => None,
    }
}
