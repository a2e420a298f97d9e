//! The options of `#[quantize(...)]`: parsed into [`Options`]; syntax errors stop parsing, semantic errors
//! (unknown or duplicate option, bad mode, bad site name) are collected.
use crate::model::Mode;
use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token};

/// Collects errors so that one expansion reports all of them.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
    pub(crate) fn spanned(&mut self, tokens: impl quote::ToTokens, msg: impl std::fmt::Display) {
        self.push(syn::Error::new_spanned(tokens, msg));
    }
    pub(crate) fn at(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }
    pub(crate) fn append(&mut self, other: Errors) {
        if let Some(e) = other.0 {
            self.push(e);
        }
    }
    pub(crate) fn into_result(self) -> syn::Result<()> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// `rename(acc = "sum")`: the site `acc` is called `sum`.
#[derive(Clone)]
pub(crate) struct Rename {
    pub from: Ident,
    pub to: Ident,
}

/// The parsed options.
#[derive(Clone, Default)]
pub(crate) struct Options {
    pub weights: Vec<Ident>,
    /// Weights that are fields of a parameter or of `self` (`weights(self.w, l.b)`): (base, field); the field
    /// names are in `weights` too.
    pub weight_fields: Vec<(Ident, Ident)>,
    pub exclude: Vec<Ident>,
    pub rename: Vec<Rename>,
    pub share: Vec<Vec<Ident>>,
    /// Weights the body uses through generic code (`generic(w)`): left as they are, not rewritten or checked.
    pub generic: Vec<Ident>,
    /// Activations kept in fields between calls (`state(s.h, self.c)`): (base, field); each is a site named after
    /// the field, like a `&mut [f32]` parameter (`&[f32]` when the base is not mutable).
    pub state_fields: Vec<(Ident, Ident)>,
    pub mode: Option<(Mode, Span)>,
}

impl Options {
    /// Merges method-level options into impl-level ones (lists are concatenated; a method-level mode is an error).
    pub(crate) fn merged(&self, other: &Options, errors: &mut Errors) -> Options {
        let mut o = self.clone();
        o.weights.extend(other.weights.iter().cloned());
        o.weight_fields.extend(other.weight_fields.iter().cloned());
        o.exclude.extend(other.exclude.iter().cloned());
        o.rename.extend(other.rename.iter().cloned());
        o.share.extend(other.share.iter().cloned());
        o.generic.extend(other.generic.iter().cloned());
        o.state_fields.extend(other.state_fields.iter().cloned());
        if let Some((_, span)) = other.mode {
            errors.at(
                span,
                "`mode` is an option of the impl block's #[quantize], not of a method",
            );
        }
        o
    }

    pub(crate) fn is_excluded(&self, raw: &str) -> bool {
        self.exclude.iter().any(|i| i == raw)
    }
    pub(crate) fn is_weight(&self, raw: &str) -> bool {
        self.weights.iter().any(|i| i == raw)
    }
    pub(crate) fn is_generic(&self, raw: &str) -> bool {
        self.generic.iter().any(|i| i == raw)
    }
    fn renamed(&self, raw: &str) -> Option<&Ident> {
        self.rename.iter().find(|r| r.from == raw).map(|r| &r.to)
    }
    /// The ident of the site whose raw name (binding name, `litN`, `ret`) is `raw`: its rename, or the
    /// ident of the first member of its `share(...)` group.
    pub(crate) fn final_ident(&self, raw: &str, span: Span) -> Ident {
        let leader = self
            .share
            .iter()
            .find(|g| g.iter().skip(1).any(|i| i == raw))
            .map(|g| g[0].to_string());
        let key = leader.as_deref().unwrap_or(raw);
        match self.renamed(key) {
            Some(to) => Ident::new(&to.to_string(), span),
            None => Ident::new(key, span),
        }
    }
}

enum Value {
    List(Vec<Ident>),
    /// `weights(w, self.b, l.u)`: parameters, or fields of a parameter or of `self`.
    Weights(Vec<(Option<Ident>, Ident)>),
    /// `state(s.h, self.c)`: fields of a parameter or of `self`.
    State(Vec<(Option<Ident>, Ident)>),
    Pairs(Vec<(Ident, LitStr)>),
    Str(LitStr),
    Other,
}

struct RawOpt {
    name: Ident,
    value: Value,
    value_span: Span,
}

/// One entry of `weights(..)`: `w`, `self.w` or `l.w`.
fn parse_weight(input: ParseStream) -> syn::Result<(Option<Ident>, Ident)> {
    use syn::ext::IdentExt;
    let first = Ident::parse_any(input)?;
    if input.peek(Token![.]) {
        input.parse::<Token![.]>()?;
        let field: Ident = input.parse()?;
        Ok((Some(first), field))
    } else {
        Ok((None, first))
    }
}

fn parse_pair(input: ParseStream) -> syn::Result<(Ident, LitStr)> {
    let from: Ident = input.parse()?;
    input.parse::<Token![=]>()?;
    let to: LitStr = input.parse()?;
    Ok((from, to))
}

impl Parse for RawOpt {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Ident = input.parse()?;
        let value_span = input.span();
        let value = match name.to_string().as_str() {
            "weights" => {
                let content;
                syn::parenthesized!(content in input);
                Value::Weights(
                    Punctuated::<_, Token![,]>::parse_terminated_with(&content, parse_weight)?
                        .into_iter()
                        .collect(),
                )
            }
            "state" => {
                let content;
                syn::parenthesized!(content in input);
                Value::State(
                    Punctuated::<_, Token![,]>::parse_terminated_with(&content, parse_weight)?
                        .into_iter()
                        .collect(),
                )
            }
            "exclude" | "share" | "generic" => {
                let content;
                syn::parenthesized!(content in input);
                Value::List(
                    Punctuated::<Ident, Token![,]>::parse_terminated(&content)?
                        .into_iter()
                        .collect(),
                )
            }
            "rename" => {
                let content;
                syn::parenthesized!(content in input);
                Value::Pairs(
                    Punctuated::<_, Token![,]>::parse_terminated_with(&content, parse_pair)?
                        .into_iter()
                        .collect(),
                )
            }
            "mode" => {
                input.parse::<Token![=]>()?;
                Value::Str(input.parse()?)
            }
            _ => {
                // Unknown: skip `(...)` or `= value` so the remaining options are still checked.
                if input.peek(Token![=]) {
                    input.parse::<Token![=]>()?;
                    input.parse::<TokenTree>()?;
                } else if input.peek(syn::token::Paren) {
                    input.parse::<TokenTree>()?;
                }
                Value::Other
            }
        };
        Ok(RawOpt {
            name,
            value,
            value_span,
        })
    }
}

pub(crate) const OPTION_HELP: &str = "expected one of `weights(..)`, `state(..)`, `generic(..)`, `exclude(..)`, `rename(site = \"name\", ..)`, `share(..)`, `mode = \"plain\" | \"calibrate\" | \"tuned\"`";

/// Checks that `name` can be a site ident (it becomes an associated type name).
pub(crate) fn valid_site_name(name: &str) -> bool {
    !name.starts_with("__")
        && !name.starts_with("r#")
        && syn::parse_str::<Ident>(name).is_ok()
        && name != "_"
}

/// Parses the attribute arguments.
pub(crate) fn parse_options(args: TokenStream, errors: &mut Errors) -> syn::Result<Options> {
    let raw = Punctuated::<RawOpt, Token![,]>::parse_terminated.parse2(args)?;
    let mut o = Options::default();
    let mut seen: Vec<String> = Vec::new();
    for opt in raw {
        let key = opt.name.to_string();
        if key != "share"
            && matches!(
                opt.value,
                Value::List(_)
                    | Value::Weights(_)
                    | Value::State(_)
                    | Value::Pairs(_)
                    | Value::Str(_)
            )
        {
            if seen.contains(&key) {
                errors.spanned(
                    &opt.name,
                    format_args!("duplicate option `{key}`: list all sites in one `{key}(...)`"),
                );
                continue;
            }
            seen.push(key.clone());
        }
        match opt.value {
            Value::Weights(list) => {
                if list.is_empty() {
                    errors.at(
                        opt.value_span,
                        "`weights(...)` needs at least one site name",
                    );
                }
                for (base, name) in list {
                    if let Some(base) = base {
                        o.weight_fields.push((base, name.clone()));
                    }
                    o.weights.push(name);
                }
            }
            Value::State(list) => {
                if list.is_empty() {
                    errors.at(
                        opt.value_span,
                        "`state(...)` needs at least one field (`state(s.h)`)",
                    );
                }
                for (base, name) in list {
                    match base {
                        Some(base) => o.state_fields.push((base, name)),
                        None => errors.spanned(
                            &name,
                            format_args!(
                                "state({name}): `state(...)` names fields that hold activations between calls \
                                 (`state(s.{name})`, `state(self.{name})`); a float parameter is a site already"
                            ),
                        ),
                    }
                }
            }
            Value::List(list) => {
                if list.is_empty() {
                    errors.at(
                        opt.value_span,
                        format_args!("`{key}(...)` needs at least one site name"),
                    );
                }
                match key.as_str() {
                    "exclude" => o.exclude = list,
                    "generic" => o.generic = list,
                    _ => {
                        if list.len() < 2 {
                            errors.at(opt.value_span, "`share(...)` needs at least two site names");
                        }
                        o.share.push(list)
                    }
                }
            }
            Value::Pairs(pairs) => {
                for (from, to) in pairs {
                    let v = to.value();
                    if !valid_site_name(&v) {
                        errors.spanned(
                            &to,
                            format_args!(
                                "`{v}` is not a valid site name: site names become associated type names in the \
                                 `Formats` trait, so they must be Rust identifiers (not keywords, not starting with `__`)"
                            ),
                        );
                        continue;
                    }
                    o.rename.push(Rename {
                        from,
                        to: Ident::new(&v, to.span()),
                    });
                }
            }
            Value::Str(s) => {
                let mode = match s.value().as_str() {
                    "plain" => Mode::Plain,
                    "calibrate" => Mode::Calibrate,
                    "tuned" => Mode::Tuned,
                    other => {
                        errors.spanned(
                            &s,
                            format_args!("unknown mode `{other}`: expected \"plain\", \"calibrate\" or \"tuned\""),
                        );
                        continue;
                    }
                };
                o.mode = Some((mode, s.span()));
            }
            Value::Other => {
                errors.spanned(
                    &opt.name,
                    format_args!("unknown #[quantize] option `{key}`: {OPTION_HELP}"),
                );
            }
        }
    }
    Ok(o)
}
