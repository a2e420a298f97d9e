//! Site discovery and body rewriting.
//!
//! One walk over the function body finds the sites (in source order, with lexical scoping so that shadowed
//! names resolve to the right binding) and, in calibrate and tuned modes, rewrites every assignment to a site
//! so that the assigned value passes through the site's quantizer ([`Gen`]). In plain mode the same walk runs
//! without rewriting, for validation and for the list of weight sites.
use crate::attr::{Errors, Options};
use crate::model::{FnModel, Kind, Mode, Param, Shape, Site};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use std::collections::HashMap;
use syn::spanned::Spanned;
use syn::visit_mut::{self, VisitMut};
mod reduce;
mod rows;
mod typed;
mod zip;
pub(crate) use typed::only_indexed;

use syn::{
    BinOp, Block, Expr, FnArg, Ident, Lit, Pat, ReturnType, Signature, Stmt, Type, UnOp,
    parse_quote,
};

// ------------------------------------------------------------------ types

/// What a type is, as a site.
pub(crate) enum TypeClass {
    NotFloat,
    F64,
    Float(Shape),
}

fn strip(ty: &Type) -> &Type {
    match ty {
        Type::Paren(p) => strip(&p.elem),
        Type::Group(g) => strip(&g.elem),
        t => t,
    }
}

/// `f32` / `f64` / other for a scalar type.
fn scalar(ty: &Type) -> Option<&'static str> {
    if let Type::Path(p) = strip(ty)
        && p.qself.is_none()
        && p.path.leading_colon.is_none()
        && p.path.segments.len() == 1
    {
        let seg = &p.path.segments[0];
        if seg.arguments.is_empty() {
            if seg.ident == "f32" {
                return Some("f32");
            }
            if seg.ident == "f64" {
                return Some("f64");
            }
        }
    }
    None
}

/// `Vec<f32>` → Some("f32"), `Vec<f64>` → Some("f64").
fn vec_of(ty: &Type) -> Option<&'static str> {
    if let Type::Path(p) = strip(ty) {
        let seg = p.path.segments.last()?;
        if seg.ident != "Vec" {
            return None;
        }
        if let syn::PathArguments::AngleBracketed(a) = &seg.arguments
            && a.args.len() == 1
            && let syn::GenericArgument::Type(t) = &a.args[0]
        {
            return scalar(t);
        }
    }
    None
}

/// Owned aggregate: `[f32; N]` or `Vec<f32>`.
fn owned(ty: &Type) -> Option<&'static str> {
    match strip(ty) {
        Type::Array(a) => scalar(&a.elem),
        t => vec_of(t),
    }
}

fn class(s: Option<&'static str>, shape: Shape) -> Option<TypeClass> {
    match s {
        Some("f32") => Some(TypeClass::Float(shape)),
        Some(_) => Some(TypeClass::F64),
        None => None,
    }
}

/// A slice, array or `Vec` (behind references) whose elements are themselves f32 rows: `&[Vec<f32>]`,
/// `&Vec<Vec<f32>>`, `&[[f32; N]]`, `&[&[f32]]`.
fn rows_of_f32(ty: &Type) -> bool {
    fn elem(ty: &Type) -> Option<&Type> {
        match strip(ty) {
            Type::Reference(r) => elem(&r.elem),
            Type::Slice(s) => Some(&s.elem),
            Type::Array(a) => Some(&a.elem),
            Type::Path(p) => {
                let seg = p.path.segments.last()?;
                match &seg.arguments {
                    syn::PathArguments::AngleBracketed(a)
                        if seg.ident == "Vec" && a.args.len() == 1 =>
                    {
                        match &a.args[0] {
                            syn::GenericArgument::Type(t) => Some(t),
                            _ => None,
                        }
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
    elem(ty)
        .and_then(elem)
        .is_some_and(|t| scalar(t) == Some("f32"))
}

/// Classifies a parameter type.
pub(crate) fn classify_param(ty: &Type) -> TypeClass {
    let ty = strip(ty);
    if let Some(c) = class(scalar(ty), Shape::Scalar).or_else(|| class(owned(ty), Shape::Owned)) {
        return c;
    }
    if let Type::Reference(r) = ty {
        let m = r.mutability.is_some();
        let elem = strip(&r.elem);
        let pick = |shared: Shape| if m { Shape::SliceMut } else { shared };
        let c = match elem {
            Type::Slice(s) => class(scalar(&s.elem), pick(Shape::SliceRef)),
            Type::Array(a) => class(scalar(&a.elem), pick(Shape::ArrayRef)),
            e => class(
                scalar(e),
                if m {
                    Shape::ScalarMut
                } else {
                    Shape::ScalarRef
                },
            )
            .or_else(|| class(vec_of(e), pick(Shape::VecRef))),
        };
        if let Some(c) = c {
            return c;
        }
    }
    TypeClass::NotFloat
}

/// Classifies the type of a `let` binding: `f32`, `[f32; N]`, `Vec<f32>`.
fn classify_local(ty: &Type) -> TypeClass {
    class(scalar(ty), Shape::Scalar)
        .or_else(|| class(owned(ty), Shape::Owned))
        .unwrap_or(TypeClass::NotFloat)
}

// ------------------------------------------------------------------ code generation per mode

/// Generates the quantizer calls of one mode.
pub(crate) struct Gen {
    pub mode: Mode,
    /// `L` or `dense::Single`.
    pub inst: TokenStream,
    /// `dense`.
    pub module: Ident,
}

/// A site index as an unsuffixed literal.
pub(crate) fn lit_idx(idx: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(idx)
}

impl Gen {
    pub(crate) fn tuned_ty(&self, ident: &Ident) -> TokenStream {
        let (inst, m) = (&self.inst, &self.module);
        let formats = crate::model::names().formats;
        quote!(<#inst as #m::#formats>::#ident)
    }
    /// `value` quantized to site `idx` (ident `ident`).
    pub(crate) fn q(&self, idx: usize, ident: &Ident, value: TokenStream) -> Expr {
        match self.mode {
            Mode::Tuned => {
                let t = self.tuned_ty(ident);
                parse_quote!(<#t as ::number_rt::__private::Number>::quantize(#value))
            }
            _ => {
                let idx = lit_idx(idx);
                parse_quote!(__nq.q(#idx, #value))
            }
        }
    }
    /// Quantizes an aggregate in place. `place` is a place of type `[f32; N]`/`Vec<f32>`/`&mut [f32]`…;
    /// `is_ref` says whether it already is a `&mut` reference.
    pub(crate) fn q_slice(
        &self,
        idx: usize,
        ident: &Ident,
        place: TokenStream,
        is_ref: bool,
    ) -> TokenStream {
        match self.mode {
            Mode::Tuned => {
                let q = self.q(idx, ident, quote!(*__nq_e));
                quote!(for __nq_e in #place.iter_mut() { *__nq_e = #q; })
            }
            _ => {
                let idx = lit_idx(idx);
                if is_ref {
                    quote!(__nq.q_slice(#idx, #place);)
                } else {
                    quote!(__nq.q_slice(#idx, &mut #place);)
                }
            }
        }
    }
    /// A quantized copy (`Vec<f32>`) of the slice `src`.
    pub(crate) fn q_copy(&self, idx: usize, ident: &Ident, src: &Ident) -> TokenStream {
        match self.mode {
            Mode::Tuned => {
                let q = self.q(idx, ident, quote!(__nq_e));
                quote!(#src.iter().map(|&__nq_e| #q).collect::<::number_rt::__private::Vec<f32>>())
            }
            _ => {
                let idx = lit_idx(idx);
                quote!(__nq.q_vec(#idx, #src))
            }
        }
    }
}

// ------------------------------------------------------------------ walker

#[derive(Clone, Debug)]
enum Binding {
    /// A binding that is not a site (shadows sites of the same name).
    Plain,
    Site {
        site: Option<usize>,
        shape: Shape,
        weight: bool,
        typed: bool,
    },
}

/// A site found during the walk (excluded ones included), for option validation.
pub(crate) struct Candidate {
    pub raw: String,
    pub kind: Kind,
    pub span: Span,
    pub is_param: bool,
}

const F32_METHODS: &[&str] = &[
    "abs",
    "max",
    "min",
    "clamp",
    "exp",
    "exp2",
    "exp_m1",
    "ln",
    "ln_1p",
    "log",
    "log2",
    "log10",
    "sqrt",
    "cbrt",
    "powi",
    "powf",
    "tanh",
    "sinh",
    "cosh",
    "sin",
    "cos",
    "tan",
    "atan",
    "atan2",
    "signum",
    "recip",
    "floor",
    "ceil",
    "round",
    "trunc",
    "fract",
    "mul_add",
    "hypot",
    "copysign",
    "to_degrees",
    "to_radians",
    "max",
    "min",
];

/// One walk over a function.
pub(crate) struct Walker<'a> {
    opts: &'a Options,
    qgen: Option<&'a Gen>,
    fn_name: String,
    /// The instance parameter (`L`), for the weight types error messages name (`dense::w<L>`).
    pub instance: Option<String>,
    pub sites: Vec<Site>,
    pub candidates: Vec<Candidate>,
    scopes: Vec<Vec<(String, Binding)>>,
    closure_depth: usize,
    lits: usize,
    counts: HashMap<String, usize>,
    pub ret: Option<usize>,
    pub errors: Errors,
    /// Bindings the body only indexes or measures: typed in tuned builds (see `typed`).
    pub typed_ok: std::collections::HashSet<String>,
    /// Weights used as `f32` values beyond indexing (iterators, `for` loops, slices passed on, rebinding): tuned
    /// builds decode them once per call into an `f32` view (see [`Walker::f32_view`]).
    pub f32_views: Vec<String>,
    /// Sites an inner-product kernel reads as its activation operand (see [`Site::operand`]).
    pub operands: std::cell::RefCell<std::collections::BTreeSet<usize>>,
}

/// `Vec` methods that add values to a site (see [`Walker::quantize_growth`]).
const GROWS: [&str; 6] = [
    "push",
    "insert",
    "resize",
    "fill",
    "extend_from_slice",
    "extend",
];

/// The identifier of the `f32` view of weight `name` in tuned builds.
pub(crate) fn view_ident(name: &str, span: Span) -> Ident {
    Ident::new(&format!("__nq_f32_{name}"), span)
}

/// A call whose callee path has generic arguments (`layer::<L>(..)`, `Vec::<f32>::new()`).
fn generic_callee(func: &Expr) -> bool {
    match func {
        Expr::Path(p) => p
            .path
            .segments
            .iter()
            .any(|s| matches!(s.arguments, syn::PathArguments::AngleBracketed(_))),
        _ => false,
    }
}

fn single_ident(e: &Expr) -> Option<&Ident> {
    match e {
        Expr::Path(p)
            if p.qself.is_none()
                && p.path.leading_colon.is_none()
                && p.path.segments.len() == 1 =>
        {
            let s = &p.path.segments[0];
            s.arguments.is_empty().then_some(&s.ident)
        }
        Expr::Paren(p) => single_ident(&p.expr),
        Expr::Group(g) => single_ident(&g.expr),
        _ => None,
    }
}

/// The element and length of `vec![e; n]`.
fn vec_repeat(e: &Expr) -> Option<(Expr, Expr)> {
    let Expr::Macro(m) = e else { return None };
    if !m.mac.path.is_ident("vec") {
        return None;
    }
    m.mac
        .parse_body_with(|input: syn::parse::ParseStream| {
            let e: Expr = input.parse()?;
            input.parse::<syn::Token![;]>()?;
            let n: Expr = input.parse()?;
            Ok((e, n))
        })
        .ok()
}

/// How a weight is misused (for the error message).
enum WeightMisuse {
    /// `layer::<L>(w, ..)`: a weight passed to a call with generic arguments (another `#[quantize]` layer, whose
    /// weights have their own tuned types).
    Call(String),
}

/// `l.w[i]` (not a range): the field's base and name as written (`l`, `w`).
fn field_element(e: &Expr) -> Option<(String, String)> {
    match e {
        Expr::Paren(p) => field_element(&p.expr),
        Expr::Group(g) => field_element(&g.expr),
        Expr::Index(ix) if !is_range(&ix.index) => match &*ix.expr {
            Expr::Field(f) => {
                let base = f.base.to_token_stream().to_string().replace(' ', "");
                let member = f.member.to_token_stream().to_string();
                Some((base, member))
            }
            _ => None,
        },
        _ => None,
    }
}

/// A float literal without suffix or with suffix `f32`, possibly negated (`0.0`, `-1.5f32`).
fn f32_literal(e: &Expr) -> bool {
    match e {
        Expr::Lit(l) => matches!(float_lit_suffix(&l.lit).as_deref(), Some("" | "f32")),
        Expr::Unary(u) if matches!(u.op, UnOp::Neg(_)) => f32_literal(&u.expr),
        Expr::Paren(p) => f32_literal(&p.expr),
        Expr::Group(g) => f32_literal(&g.expr),
        _ => false,
    }
}

/// `vec![lit; n]` or `vec![lit, lit, ..]` whose literals are f32 float literals ([`f32_literal`]): a `Vec<f32>`
/// (an `f64` suffix, an integer or any other element keeps the binding out of the sites).
fn vec_of_f32_literals(e: &Expr) -> bool {
    if let Some((elem, _)) = vec_repeat(e) {
        return f32_literal(&elem);
    }
    let Expr::Macro(m) = e else { return false };
    if !m.mac.path.is_ident("vec") {
        return false;
    }
    m.mac
        .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        .is_ok_and(|elems| !elems.is_empty() && elems.iter().all(f32_literal))
}

fn pat_idents(p: &Pat, out: &mut Vec<String>) {
    match p {
        Pat::Ident(i) => {
            out.push(i.ident.to_string());
            if let Some((_, sub)) = &i.subpat {
                pat_idents(sub, out);
            }
        }
        Pat::Guard(g) => pat_idents(&g.pat, out),
        Pat::Or(o) => o.cases.iter().for_each(|c| pat_idents(c, out)),
        Pat::Paren(x) => pat_idents(&x.pat, out),
        Pat::Reference(x) => pat_idents(&x.pat, out),
        Pat::Slice(x) => x.elems.iter().for_each(|c| pat_idents(c, out)),
        Pat::Struct(x) => x.fields.iter().for_each(|f| pat_idents(&f.pat, out)),
        Pat::Tuple(x) => x.elems.iter().for_each(|c| pat_idents(c, out)),
        Pat::TupleStruct(x) => x.elems.iter().for_each(|c| pat_idents(c, out)),
        Pat::Type(x) => pat_idents(&x.pat, out),
        _ => {}
    }
}

fn float_lit_suffix(l: &Lit) -> Option<String> {
    match l {
        Lit::Float(f) => Some(f.suffix().to_string()),
        Lit::Int(i) if i.suffix() == "f32" || i.suffix() == "f64" => Some(i.suffix().to_string()),
        _ => None,
    }
}

fn is_range(e: &Expr) -> bool {
    match e {
        Expr::Range(_) => true,
        Expr::Paren(p) => is_range(&p.expr),
        _ => false,
    }
}

fn simple_index(e: &Expr) -> bool {
    single_ident(e).is_some() || matches!(e, Expr::Lit(_))
}

/// The value operand of `place op value`, parenthesized when `op` would otherwise bind it differently.
fn operand(op: &BinOp, value: &Expr) -> TokenStream {
    let atomic = matches!(
        value,
        Expr::Lit(_)
            | Expr::Path(_)
            | Expr::Index(_)
            | Expr::Call(_)
            | Expr::MethodCall(_)
            | Expr::Field(_)
            | Expr::Paren(_)
            | Expr::Unary(_)
            | Expr::Cast(_)
            | Expr::Macro(_)
            | Expr::Tuple(_)
    );
    let multiplicative = |b: &BinOp| matches!(b, BinOp::Mul(_) | BinOp::Div(_) | BinOp::Rem(_));
    let ok = atomic
        || match value {
            Expr::Binary(b) => matches!(op, BinOp::Add(_) | BinOp::Sub(_)) && multiplicative(&b.op),
            _ => false,
        };
    if ok { quote!(#value) } else { quote!((#value)) }
}

fn base_op(op: &BinOp) -> Option<BinOp> {
    Some(match op {
        BinOp::AddAssign(t) => BinOp::Add(syn::Token![+](t.spans[0])),
        BinOp::SubAssign(t) => BinOp::Sub(syn::Token![-](t.spans[0])),
        BinOp::MulAssign(t) => BinOp::Mul(syn::Token![*](t.spans[0])),
        BinOp::DivAssign(t) => BinOp::Div(syn::Token![/](t.spans[0])),
        BinOp::RemAssign(t) => BinOp::Rem(syn::Token![%](t.spans[0])),
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum PlaceKind {
    /// `acc = v`
    Scalar,
    /// `*s = v` with `s: &mut f32`
    Deref,
    /// `y[i] = v`
    Element,
    /// `buf = v` for an owned aggregate
    Whole,
}

impl<'a> Walker<'a> {
    pub(crate) fn new(opts: &'a Options, qgen: Option<&'a Gen>, fn_name: String) -> Self {
        Walker {
            opts,
            qgen,
            fn_name,
            instance: None,
            sites: Vec::new(),
            candidates: Vec::new(),
            scopes: vec![Vec::new()],
            closure_depth: 0,
            lits: 0,
            counts: HashMap::new(),
            ret: None,
            errors: Errors::default(),
            typed_ok: Default::default(),
            f32_views: Vec::new(),
            operands: Default::default(),
        }
    }

    fn tuned(&self) -> bool {
        self.qgen.is_some_and(|g| g.mode == Mode::Tuned)
    }

    /// The site of a typed activation binding (tuned builds only; weights excluded).
    fn typed_site(&self, e: &Expr) -> Option<usize> {
        let id = single_ident(e)?;
        match self.lookup(&id.to_string())? {
            Binding::Site {
                site: Some(i),
                typed: true,
                weight: false,
                ..
            } => Some(*i),
            _ => None,
        }
    }

    /// The value `v` (already rewritten) stored into the typed site `idx`: elements of a typed binding of the
    /// same format are copied as they are (`x[i]`, not `T::from_f32(x[i].to_f32())`), also through
    /// `if c { x[i] } else { 0.0 }`; anything else is converted.
    fn typed_value(&self, idx: usize, v: &Expr) -> Expr {
        let same = |e: &Expr| -> Option<Expr> {
            let Expr::MethodCall(m) = e else { return None };
            if m.method != "to_f32" || !m.args.is_empty() {
                return None;
            }
            let Expr::Index(ix) = &*m.receiver else {
                return None;
            };
            let j = self.typed_site(&ix.expr)?;
            (self.sites[j].ident == self.sites[idx].ident).then(|| (*m.receiver).clone())
        };
        let tail = |b: &Block| -> Option<Expr> {
            match b.stmts.as_slice() {
                [Stmt::Expr(e, None)] => Some(e.clone()),
                _ => None,
            }
        };
        match v {
            Expr::Paren(p) => self.typed_value(idx, &p.expr),
            Expr::If(i) => {
                let Some((_, el)) = &i.else_branch else {
                    return self.store(idx, quote!(#v));
                };
                let (Some(t), Expr::Block(eb)) = (tail(&i.then_branch), &**el) else {
                    return self.store(idx, quote!(#v));
                };
                let Some(e) = tail(&eb.block) else {
                    return self.store(idx, quote!(#v));
                };
                let (cond, t, e) = (
                    &i.cond,
                    self.typed_value(idx, &t),
                    self.typed_value(idx, &e),
                );
                parse_quote!(if #cond { #t } else { #e })
            }
            _ => same(v).unwrap_or_else(|| self.store(idx, quote!(#v))),
        }
    }

    /// `<T as Number>::from_f32(value)` for the typed site `idx`.
    fn store(&self, idx: usize, value: TokenStream) -> Expr {
        let t = self.qgen.expect("tuned").tuned_ty(&self.sites[idx].ident);
        parse_quote!(<#t as ::number_rt::__private::Number>::from_f32(#value))
    }

    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, b)| b)
    }
    fn bind(&mut self, name: String, b: Binding) {
        self.scopes.last_mut().unwrap().push((name, b));
    }
    fn bind_plain(&mut self, pat: &Pat) {
        let mut names = Vec::new();
        pat_idents(pat, &mut names);
        for n in names {
            self.bind(n, Binding::Plain);
        }
    }
    fn site_of(&self, e: &Expr) -> Option<(Option<usize>, Shape, bool)> {
        let id = single_ident(e)?;
        match self.lookup(&id.to_string())? {
            Binding::Site {
                site,
                shape,
                weight,
                ..
            } => Some((*site, *shape, *weight)),
            Binding::Plain => None,
        }
    }

    /// The raw name for a new site binding `name`: `name`, then `name_2`, `name_3`, …
    fn raw_name(&mut self, name: &str) -> String {
        let c = self.counts.entry(name.to_string()).or_insert(0);
        *c += 1;
        if *c == 1 {
            name.to_string()
        } else {
            format!("{name}_{c}")
        }
    }

    /// Registers a site; `None` when excluded.
    pub(crate) fn add_site(
        &mut self,
        raw: String,
        kind: Kind,
        span: Span,
        is_param: bool,
    ) -> Option<usize> {
        self.candidates.push(Candidate {
            raw: raw.clone(),
            kind,
            span,
            is_param,
        });
        if self.opts.is_excluded(&raw) {
            return None;
        }
        let ident = self.opts.final_ident(&raw, span);
        self.sites.push(Site {
            raw,
            ident,
            kind,
            operand: false,
        });
        Some(self.sites.len() - 1)
    }

    fn f64_error(&mut self, tokens: impl ToTokens, raw: &str) {
        if !self.opts.is_excluded(raw) {
            self.errors.spanned(
                tokens,
                format_args!(
                    "f64 sites are not supported (libnumber quantizes f32 values): `{}.{raw}` is f64; \
                     use f32 or exclude({raw})",
                    self.fn_name
                ),
            );
        }
    }

    /// Values a `Vec` site gains by a method (`push`, `insert`, `resize`, `fill`, `extend_from_slice`,
    /// `extend`) are rounded to the site's format like element writes, so that the site holds values of its
    /// format however it was filled (an inner-product kernel reads them as its integer codes).
    fn quantize_growth(&self, idx: usize, m: &mut syn::ExprMethodCall) {
        let v = format_ident!("__nq_v");
        let value = |w: &Self, e: TokenStream| w.q(idx, e);
        let method = m.method.to_string();
        match (method.as_str(), m.args.len()) {
            ("push" | "fill", 1) => {
                let a = &m.args[0];
                m.args[0] = value(self, quote!(#a));
            }
            ("insert" | "resize", 2) => {
                let a = &m.args[1];
                m.args[1] = value(self, quote!(#a));
            }
            ("extend_from_slice", 1) => {
                let a = &m.args[0];
                let q = value(self, quote!(*#v));
                m.method = format_ident!("extend");
                m.args[0] = parse_quote!(<[f32]>::iter(#a).map(|#v| #q));
            }
            ("extend", 1) => {
                let a = &m.args[0];
                let q = value(self, quote!(*::core::borrow::Borrow::<f32>::borrow(&#v)));
                m.args[0] = parse_quote!(::core::iter::IntoIterator::into_iter(#a).map(|#v| #q));
            }
            _ => {}
        }
    }

    fn q(&self, idx: usize, value: TokenStream) -> Expr {
        self.qgen
            .expect("rewriting")
            .q(idx, &self.sites[idx].ident, value)
    }

    // -------------------------------------------------------------- parameters

    /// Registers the parameters; returns the float ones.
    pub(crate) fn params(&mut self, sig: &Signature) -> Vec<Param> {
        let mut out = Vec::new();
        for arg in &sig.inputs {
            let FnArg::Typed(pt) = arg else { continue };
            let c = classify_param(&pt.ty);
            let (ident, mutable) = match &*pt.pat {
                Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                    (pi.ident.clone(), pi.mutability.is_some())
                }
                p => {
                    if !matches!(c, TypeClass::NotFloat) {
                        self.errors.spanned(
                            p,
                            "#[quantize]: a parameter holding f32 must be a plain identifier (`x: &[f32]`), \
                             not a pattern",
                        );
                    }
                    self.bind_plain(p);
                    continue;
                }
            };
            let name = ident.to_string();
            match c {
                TypeClass::NotFloat => {
                    self.bind(name, Binding::Plain);
                }
                TypeClass::F64 => {
                    let raw = self.raw_name(&name);
                    self.add_site(raw.clone(), Kind::Input, ident.span(), true);
                    self.f64_error(&pt.ty, &raw);
                    self.bind(name, Binding::Plain);
                }
                TypeClass::Float(shape) => {
                    let raw = self.raw_name(&name);
                    let mut weight = self.opts.is_weight(&name) && !self.opts.is_excluded(&raw);
                    if weight && shape != Shape::SliceRef {
                        self.errors.spanned(
                            &pt.ty,
                            format_args!(
                                "weights(...) must name `&[f32]` parameters: `{name}` is `{}`",
                                pt.ty.to_token_stream()
                            ),
                        );
                        weight = false;
                    }
                    let kind = if weight {
                        Kind::Weight
                    } else if matches!(shape, Shape::SliceMut | Shape::ScalarMut) {
                        Kind::Output
                    } else {
                        Kind::Input
                    };
                    let site = self.add_site(raw, kind, ident.span(), true);
                    let typed = weight
                        || (shape == Shape::SliceRef
                            && site.is_some()
                            && self.tuned()
                            && self.typed_ok.contains(&name));
                    out.push(Param {
                        ident: ident.clone(),
                        mutable,
                        shape,
                        site,
                        weight,
                        typed,
                        field_of: None,
                    });
                    // A `generic(..)` weight keeps its type in the body: no element rewriting, no use checks.
                    let generic = weight && self.opts.is_generic(&name);
                    self.bind(
                        name,
                        Binding::Site {
                            site,
                            shape,
                            weight: weight && !generic,
                            typed: typed && !generic,
                        },
                    );
                }
            }
        }
        self.field_weights(sig, &mut out);
        self.state_fields(sig, &mut out);
        out
    }

    /// The fields named by `state(s.h, self.c)`: a site each, bound to the field's name like a `&mut [f32]`
    /// parameter (`&[f32]` when the base is not mutable); the body's `s.h` was rewritten to `h` (see
    /// [`fields_to_bindings`]) and the prologue binds `h` to the field's elements.
    fn state_fields(&mut self, sig: &Signature, out: &mut Vec<Param>) {
        for (base, field) in self.opts.state_fields.clone() {
            let name = field.to_string();
            let mutable = if base == "self" {
                match sig.receiver() {
                    Some(r) => r.mutability.is_some(),
                    None => {
                        self.errors.spanned(
                            &base,
                            format_args!(
                                "state(self.{name}): `{}` has no `self` parameter; name a field of a parameter \
                                 (`state(s.{name})`)",
                                self.fn_name
                            ),
                        );
                        continue;
                    }
                }
            } else {
                let param = sig.inputs.iter().find_map(|a| match a {
                    FnArg::Typed(pt) => match &*pt.pat {
                        Pat::Ident(pi) if pi.ident == base => Some((pi, &pt.ty)),
                        _ => None,
                    },
                    FnArg::Receiver(_) => None,
                });
                match param {
                    Some((pi, ty)) => {
                        pi.mutability.is_some()
                            || matches!(&**ty, Type::Reference(r) if r.mutability.is_some())
                    }
                    None => {
                        let params = param_names(sig);
                        self.errors.spanned(
                            &base,
                            format_args!(
                                "state({base}.{name}): `{base}` is not a parameter of `{}` (parameters: {})",
                                self.fn_name,
                                if params.is_empty() { "none".to_string() } else { params.join(", ") }
                            ),
                        );
                        continue;
                    }
                }
            };
            if param_names(sig).contains(&name)
                || out.iter().any(|p| p.ident == field)
                || self.opts.is_weight(&name)
            {
                self.errors.spanned(
                    &field,
                    format_args!(
                        "state({base}.{name}): the site would be called `{name}`, which already names a parameter, \
                         a weight or another state field of `{}`; rename the parameter",
                        self.fn_name
                    ),
                );
                continue;
            }
            let raw = self.raw_name(&name);
            if self.opts.is_excluded(&raw) {
                continue;
            }
            let (shape, kind) = if mutable {
                (Shape::SliceMut, Kind::Output)
            } else {
                (Shape::SliceRef, Kind::Input)
            };
            let site = self.add_site(raw, kind, field.span(), true);
            out.push(Param {
                ident: field.clone(),
                mutable: false,
                shape,
                site,
                weight: false,
                typed: false,
                field_of: Some(base.clone()),
            });
            self.bind(
                name,
                Binding::Site {
                    site,
                    shape,
                    weight: false,
                    typed: false,
                },
            );
        }
    }

    /// The weights that are fields (`weights(self.w, l.b)`): a weight site each, bound to the field's name; the
    /// body's `self.w` reads were rewritten to `w` (see [`fields_to_bindings`]).
    fn field_weights(&mut self, sig: &Signature, out: &mut Vec<Param>) {
        let params = param_names(sig);
        for (base, field) in self.opts.weight_fields.clone() {
            let name = field.to_string();
            if base == "self" {
                if sig.receiver().is_none() {
                    self.errors.spanned(
                        &base,
                        format_args!(
                            "weights(self.{name}): `{}` has no `self` parameter; name a field of a parameter \
                             (`weights(l.{name})`) or a `&[f32]` parameter (`weights({name})`)",
                            self.fn_name
                        ),
                    );
                    continue;
                }
            } else if !params.contains(&base.to_string()) {
                self.errors.spanned(
                    &base,
                    format_args!(
                        "weights({base}.{name}): `{base}` is not a parameter of `{}` (parameters: {})",
                        self.fn_name,
                        if params.is_empty() { "none".to_string() } else { params.join(", ") }
                    ),
                );
                continue;
            }
            if params.contains(&name) || out.iter().any(|p| p.ident == field) {
                self.errors.spanned(
                    &field,
                    format_args!(
                        "weights({base}.{name}): the site would be called `{name}`, which already names a parameter \
                         or another weight of `{}`; rename the parameter",
                        self.fn_name
                    ),
                );
                continue;
            }
            let raw = self.raw_name(&name);
            if self.opts.is_excluded(&raw) {
                continue;
            }
            let site = self.add_site(raw, Kind::Weight, field.span(), true);
            out.push(Param {
                ident: field.clone(),
                mutable: false,
                shape: Shape::SliceRef,
                site,
                weight: true,
                typed: true,
                field_of: Some(base.clone()),
            });
            let generic = self.opts.is_generic(&name);
            self.bind(
                name,
                Binding::Site {
                    site,
                    shape: Shape::SliceRef,
                    weight: !generic,
                    typed: !generic,
                },
            );
        }
    }

    /// Registers the return site (before the body walk, so that `return e` can use it).
    pub(crate) fn return_site(&mut self, sig: &Signature) {
        if let ReturnType::Type(_, ty) = &sig.output {
            match scalar(ty) {
                Some("f32") => {
                    let raw = self.raw_name("ret");
                    self.ret = self.add_site(raw, Kind::Return, ty.span(), false);
                }
                Some(_) => {
                    let raw = self.raw_name("ret");
                    self.add_site(raw.clone(), Kind::Return, ty.span(), false);
                    self.f64_error(ty, &raw);
                }
                None => {}
            }
        }
    }

    // -------------------------------------------------------------- float inference

    fn is_float(&self, e: &Expr) -> bool {
        match e {
            Expr::Lit(l) => float_lit_suffix(&l.lit).is_some(),
            Expr::Paren(p) => self.is_float(&p.expr),
            Expr::Group(g) => self.is_float(&g.expr),
            Expr::Unary(u) => match u.op {
                UnOp::Neg(_) => self.is_float(&u.expr),
                UnOp::Deref(_) => {
                    matches!(
                        self.site_of(&u.expr),
                        Some((_, Shape::ScalarRef | Shape::ScalarMut, _))
                    )
                }
                _ => false,
            },
            Expr::Binary(b) => {
                matches!(
                    b.op,
                    BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_)
                ) && (self.is_float(&b.left) || self.is_float(&b.right))
            }
            Expr::Path(_) => matches!(self.site_of(e), Some((_, Shape::Scalar, _))),
            Expr::Index(ix) => {
                !is_range(&ix.index)
                    && matches!(self.site_of(&ix.expr), Some((_, s, _)) if s.indexable())
            }
            Expr::MethodCall(m) => {
                F32_METHODS.iter().any(|n| m.method == n) && self.is_float(&m.receiver)
            }
            Expr::Cast(c) => scalar(&c.ty) == Some("f32"),
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => {
                    p.path.segments.len() == 2
                        && p.path.segments[0].ident == "f32"
                        && F32_METHODS.iter().any(|n| p.path.segments[1].ident == n)
                }
                _ => false,
            },
            _ => false,
        }
    }

    /// `x.to_vec()` of a float slice, array or vector that is not a weight, or `x.clone()` of an owned one (or of
    /// `&mut Vec<f32>`): an owned copy, a local site of its own. Returns the receiver and whether it is a typed activation of a tuned build.
    fn float_copy(&self, e: &Expr) -> Option<(Ident, bool)> {
        let Expr::MethodCall(m) = e else { return None };
        if !m.args.is_empty()
            || m.turbofish.is_some()
            || !(m.method == "clone" || m.method == "to_vec")
        {
            return None;
        }
        let recv = single_ident(&m.receiver)?;
        match self.lookup(&recv.to_string())? {
            Binding::Site {
                shape,
                weight: false,
                typed,
                ..
            } if shape.indexable()
                // `clone()` copies the values of owned vectors and arrays and of `&mut Vec<f32>`; of a shared
                // reference it copies the reference.
                && (m.method == "to_vec" || matches!(shape, Shape::Owned | Shape::SliceMut)) =>
            {
                Some((recv.clone(), *typed))
            }
            _ => None,
        }
    }

    /// `[0.0; N]` / `[a, b]` of floats: an owned float array; `vec![0.0; n]` / `vec![0.5, -1.0]` of f32 float
    /// literals: an owned float `Vec`.
    fn is_float_array(&self, e: &Expr) -> bool {
        match e {
            Expr::Repeat(r) => self.is_float(&r.expr),
            Expr::Array(a) => a.elems.iter().next().is_some_and(|x| self.is_float(x)),
            Expr::Macro(_) => vec_of_f32_literals(e),
            _ => false,
        }
    }

    // -------------------------------------------------------------- statements

    fn local(&mut self, l: &mut syn::Local) {
        let (name, ty) = match &l.pat {
            Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                (Some(pi.ident.clone()), None)
            }
            Pat::Type(pt) => match &*pt.pat {
                Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => {
                    (Some(pi.ident.clone()), Some((*pt.ty).clone()))
                }
                _ => (None, Some((*pt.ty).clone())),
            },
            _ => (None, None),
        };
        let init_float = l
            .init
            .as_ref()
            .filter(|i| i.diverge.is_none())
            .map(|i| &*i.expr);
        let init_is_vec = init_float.is_some_and(vec_of_f32_literals);
        let class = match (&name, &ty) {
            (Some(_), Some(t)) => classify_local(t),
            (Some(_), None) => match init_float {
                Some(e) if self.is_float(e) => TypeClass::Float(Shape::Scalar),
                Some(e) if self.is_float_array(e) => TypeClass::Float(Shape::Owned),
                Some(e) if self.float_copy(e).is_some() => TypeClass::Float(Shape::Owned),
                _ => TypeClass::NotFloat,
            },
            (None, Some(t)) => {
                if let TypeClass::F64 = classify_local(t) {
                    self.errors.spanned(
                        t,
                        "f64 sites are not supported (libnumber quantizes f32 values); use f32",
                    );
                }
                TypeClass::NotFloat
            }
            (None, None) => TypeClass::NotFloat,
        };
        if let (TypeClass::Float(_), Some(n), Some(init)) = (&class, &name, &l.init)
            && !self.opts.is_excluded(&n.to_string())
        {
            self.field_read(&init.expr);
        }
        // `let prev = x.clone()` of a typed activation (tuned builds): the copy holds its f32 values.
        if let (TypeClass::Float(_), None, Some(init)) = (&class, &ty, &mut l.init)
            && let Some((recv, true)) = self.float_copy(&init.expr)
        {
            *init.expr = parse_quote!(#recv
                .iter()
                .map(|__nq_e| ::number_rt::__private::Number::to_f32(*__nq_e))
                .collect::<::number_rt::__private::Vec<f32>>());
        }
        // The initializer sees the bindings before this `let`.
        if let Some(init) = &mut l.init {
            self.visit_expr_mut(&mut init.expr);
            if let Some((_, d)) = &mut init.diverge {
                self.visit_expr_mut(d);
            }
        }
        let Some(name) = name else {
            self.bind_plain(&l.pat);
            return;
        };
        let key = name.to_string();
        match class {
            TypeClass::NotFloat => self.bind(key, Binding::Plain),
            TypeClass::F64 => {
                let raw = self.raw_name(&key);
                self.add_site(raw.clone(), Kind::Local, name.span(), false);
                self.f64_error(ty.as_ref().unwrap(), &raw);
                self.bind(key, Binding::Plain);
            }
            TypeClass::Float(shape) => {
                let raw = self.raw_name(&key);
                let site = self.add_site(raw, Kind::Local, name.span(), false);
                // `Vec<f32>`, written out or from `vec![..]` of f32 literals.
                let is_vec = match &ty {
                    Some(t) => quote!(#t).to_string().replace(' ', "") == "Vec<f32>",
                    None => init_is_vec,
                };
                let typed_vec =
                    shape == Shape::Owned && self.tuned() && self.typed_ok.contains(&key) && is_vec;
                if let (Some(idx), true, Some(qgen), Some(init)) =
                    (site, typed_vec, self.qgen, &mut l.init)
                {
                    // A typed local: `let mut p: Vec<T> = <the f32 initializer, converted>`.
                    let t = qgen.tuned_ty(&self.sites[idx].ident);
                    let v = &init.expr;
                    *init.expr = match vec_repeat(v) {
                        // `vec![e; n]`: every element is `e`, converted once.
                        Some((e, n)) => parse_quote!({
                            let __nq_e: f32 = #e;
                            let mut __nq_v = ::number_rt::__private::Vec::<#t>::new();
                            __nq_v.resize(#n, <#t as ::number_rt::__private::Number>::from_f32(__nq_e));
                            __nq_v
                        }),
                        None => parse_quote!({
                            let __nq_v: ::number_rt::__private::Vec<f32> = #v;
                            __nq_v.into_iter().map(<#t as ::number_rt::__private::Number>::from_f32).collect::<::number_rt::__private::Vec<#t>>()
                        }),
                    };
                    match &mut l.pat {
                        Pat::Type(pt) => *pt.ty = parse_quote!(::number_rt::__private::Vec<#t>),
                        pat => {
                            *pat = Pat::Type(syn::PatType {
                                attrs: Vec::new(),
                                pat: Box::new(pat.clone()),
                                colon_token: Default::default(),
                                ty: parse_quote!(::number_rt::__private::Vec<#t>),
                            })
                        }
                    }
                    self.bind(
                        key,
                        Binding::Site {
                            site,
                            shape,
                            weight: false,
                            typed: true,
                        },
                    );
                    return;
                }
                if let (Some(idx), Some(qgen), Some(init)) = (site, self.qgen, &mut l.init) {
                    let v = &init.expr;
                    let new: Expr = if shape == Shape::Scalar {
                        self.q(idx, quote!(#v))
                    } else {
                        let qs = qgen.q_slice(idx, &self.sites[idx].ident, quote!(__nq_v), false);
                        // The declared type, so that an initializer inferred from it (`.collect()`) still is.
                        let annot = ty.as_ref().map(|t| quote!(: #t));
                        parse_quote!({ let mut __nq_v #annot = #v; #qs __nq_v })
                    };
                    *init.expr = new;
                }
                self.bind(
                    key,
                    Binding::Site {
                        site,
                        shape,
                        weight: false,
                        typed: false,
                    },
                );
            }
        }
    }

    // -------------------------------------------------------------- places

    /// Visits the sub-expressions of an assignment target, not the target binding itself.
    fn visit_place(&mut self, e: &mut Expr) {
        match e {
            Expr::Path(_) => {}
            Expr::Index(ix) => {
                self.visit_place(&mut ix.expr);
                self.visit_expr_mut(&mut ix.index);
            }
            Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)) => self.visit_place(&mut u.expr),
            Expr::Field(f) => self.visit_place(&mut f.base),
            Expr::Paren(p) => self.visit_place(&mut p.expr),
            other => self.visit_expr_mut(other),
        }
    }

    fn place_site(&self, e: &Expr) -> Option<(PlaceKind, usize)> {
        match e {
            Expr::Paren(p) => self.place_site(&p.expr),
            Expr::Path(_) => match self.site_of(e)? {
                (Some(i), Shape::Scalar, _) => Some((PlaceKind::Scalar, i)),
                (Some(i), Shape::Owned, _) => Some((PlaceKind::Whole, i)),
                _ => None,
            },
            Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)) => match self.site_of(&u.expr)? {
                (Some(i), Shape::ScalarMut, _) => Some((PlaceKind::Deref, i)),
                _ => None,
            },
            Expr::Index(ix) if !is_range(&ix.index) => match self.site_of(&ix.expr)? {
                (Some(i), s, _) if s.element_writable() => Some((PlaceKind::Element, i)),
                _ => None,
            },
            _ => None,
        }
    }

    fn assign(&mut self, e: &mut Expr) {
        let Expr::Assign(a) = e else { unreachable!() };
        self.visit_place(&mut a.left);
        if self.place_site(&a.left).is_some() {
            self.field_read(&a.right);
        }
        self.visit_expr_mut(&mut a.right);
        let (Some(qgen), Some((pk, idx))) = (self.qgen, self.place_site(&a.left)) else {
            return;
        };
        let v = &a.right;
        let typed = matches!(&*a.left, Expr::Index(ix) if self.typed_site(&ix.expr).is_some());
        let new: Expr = match pk {
            PlaceKind::Element if typed => self.typed_value(idx, v),
            PlaceKind::Whole => {
                let qs = qgen.q_slice(idx, &self.sites[idx].ident, quote!(__nq_v), false);
                parse_quote!({ let mut __nq_v = #v; #qs __nq_v })
            }
            _ => self.q(idx, quote!(#v)),
        };
        *a.right = new;
    }

    fn compound(&mut self, e: &mut Expr) {
        let Expr::Binary(b) = e else { unreachable!() };
        self.visit_place(&mut b.left);
        if self.place_site(&b.left).is_some() {
            self.field_read(&b.right);
        }
        self.visit_expr_mut(&mut b.right);
        if self.qgen.is_none() {
            return;
        }
        let Some((pk, idx)) = self.place_site(&b.left) else {
            return;
        };
        let Some(op) = base_op(&b.op) else { return };
        let value = operand(&op, &b.right);
        let new: Expr = match (pk, &*b.left) {
            (PlaceKind::Scalar | PlaceKind::Deref, left) => {
                let q = self.q(idx, quote!(#left #op #value));
                parse_quote!(#left = #q)
            }
            (PlaceKind::Element, Expr::Index(ix)) if self.typed_site(&ix.expr).is_some() => {
                let (base, index) = (&ix.expr, &ix.index);
                let st = self.store(idx, quote!(#base[__nq_i].to_f32() #op #value));
                parse_quote!({ let __nq_i = #index; #base[__nq_i] = #st; })
            }
            (PlaceKind::Element, Expr::Index(ix)) if !simple_index(&ix.index) => {
                let (base, index) = (&ix.expr, &ix.index);
                let q = self.q(idx, quote!(#base[__nq_i] #op #value));
                parse_quote!({ let __nq_i = #index; #base[__nq_i] = #q; })
            }
            (PlaceKind::Element, left) => {
                let q = self.q(idx, quote!(#left #op #value));
                parse_quote!(#left = #q)
            }
            (PlaceKind::Whole, _) => return,
        };
        *e = new;
    }

    /// `dense::w<L>`: the type of the weight `name`'s elements in tuned builds.
    fn weight_ty(&self, name: &Ident) -> String {
        match &self.instance {
            Some(l) => format!("{}::{name}<{l}>", self.fn_name),
            None => format!("{}::{name}", self.fn_name),
        }
    }

    /// A use of the weight `name` other than indexing or measuring: an error saying what to write instead.
    fn weight_misuse(&mut self, tokens: impl ToTokens, name: &Ident, misuse: WeightMisuse) {
        let t = self.weight_ty(name);
        let msg = match misuse {
            WeightMisuse::Call(f) => format!(
                "weight `{name}` is passed to `{f}`, a call with generic arguments: in tuned builds it is `&[{t}]`, \
                 and a `#[quantize]` layer called with it expects its own weight type. Call the layer from the \
                 model with the weight stored in that layer's type (`{f}(&self.{name}, ..)`), or pass the values \
                 to a helper taking `&[f32]` (a non-generic function: tuned builds pass it the weight's values as \
                 f32), or list the weight in `generic({name})` and make the helper generic over \
                 `W: number_rt::Number`"
            ),
        };
        self.errors.spanned(tokens, msg);
    }

    /// A use of the weight `e` (a path) that needs its values as `f32` beyond indexing: an iterator (`w.iter()`,
    /// `w.chunks(n)`), a `for` loop over it, a slice or the whole weight passed to a helper taking `&[f32]`, a
    /// rebinding. Calibrate builds already read the weight's quantized `f32` copy; tuned builds read an `f32` view
    /// decoded once at function entry (`__nq_f32_w`, `__private::F32s`), the same values.
    /// Such uses run in `f32` arithmetic in every build (index loops get the integer kernels).
    fn f32_view(&mut self, e: &mut Expr) {
        let Some(id) = single_ident(e) else { return };
        let name = id.to_string();
        let view = view_ident(&name, id.span());
        if !self.f32_views.contains(&name) {
            self.f32_views.push(name);
        }
        if self.tuned() {
            *e = parse_quote!(#view);
        }
    }

    /// The weight `w` in `w`, `&w`, `w[a..b]` or `&w[a..b]` (a weight passed on, whole or sliced).
    fn passed_weight(&self, e: &Expr) -> Option<Ident> {
        match e {
            Expr::Reference(r) => self.passed_weight(&r.expr),
            Expr::Paren(p) => self.passed_weight(&p.expr),
            Expr::Index(ix) if is_range(&ix.index) => self.passed_weight(&ix.expr),
            _ => match self.site_of(e) {
                Some((_, _, true)) => single_ident(e).cloned(),
                _ => None,
            },
        }
    }

    /// The arguments of a call: weights passed on are errors naming the callee, the others are visited.
    fn call_args<'e>(
        &mut self,
        args: impl Iterator<Item = &'e mut Expr>,
        misuse: impl Fn() -> WeightMisuse,
    ) {
        for a in args {
            match self.passed_weight(a) {
                Some(name) => self.weight_misuse(&*a, &name, misuse()),
                None => self.visit_expr_mut(a),
            }
        }
    }

    /// `l.w[i]` (an element of a struct field) where its value enters a site: an error, since fields are not
    /// sites (their values would silently stay f32 in every build).
    fn field_read(&mut self, e: &Expr) {
        let Some((base, field)) = field_element(e) else {
            return;
        };
        let f = self.fn_name.clone();
        let ty = match &self.instance {
            Some(l) => format!("{f}::{field}<{l}>"),
            None => format!("{f}::{field}"),
        };
        self.errors.spanned(
            e,
            format_args!(
                "`{}` reads an element of the struct field `{base}.{field}` inside the #[quantize] function `{f}`: \
                 fields are not sites, so its values would stay f32 in every build and the tuner would never see \
                 them. List the field as a weight if it holds trained parameters (`weights({base}.{field})`, the \
                 field stored as `Vec<{ty}>`), as state if it holds activations kept between calls \
                 (`state({base}.{field})`, the field stays `Vec<f32>`), or read it into an untyped local first \
                 (`let v = {base}.{field}[i];`) to keep it f32 on purpose",
                e.to_token_stream().to_string().replace(" . ", ".").replace(" [", "[").replace("[ ", "[").replace(" ]", "]")
            ),
        );
    }

    fn visit_cond(&mut self, cond: &mut Expr, binds: &mut Vec<String>) {
        match cond {
            Expr::Let(l) => {
                self.visit_expr_mut(&mut l.expr);
                pat_idents(&l.pat, binds);
            }
            Expr::Binary(b) if matches!(b.op, BinOp::And(_)) => {
                self.visit_cond(&mut b.left, binds);
                self.visit_cond(&mut b.right, binds);
            }
            other => self.visit_expr_mut(other),
        }
    }

    fn with_scope(&mut self, names: Vec<String>, f: impl FnOnce(&mut Self)) {
        self.scopes
            .push(names.into_iter().map(|n| (n, Binding::Plain)).collect());
        f(self);
        self.scopes.pop();
    }

    /// Wraps the tail expression of the function body in the `ret` quantizer.
    pub(crate) fn wrap_tail(&mut self, block: &mut Block) {
        let Some(idx) = self.ret else { return };
        if self.qgen.is_none() {
            return;
        }
        if let Some(Stmt::Expr(e, None)) = block.stmts.last_mut()
            && !matches!(e, Expr::Return(_))
        {
            *e = self.q(idx, quote!(#e));
        }
    }
}

impl VisitMut for Walker<'_> {
    fn visit_block_mut(&mut self, b: &mut Block) {
        self.scopes.push(Vec::new());
        for i in 0..b.stmts.len() {
            self.slice_view(&mut b.stmts[i..]);
            self.visit_stmt_mut(&mut b.stmts[i]);
        }
        self.scopes.pop();
    }

    fn visit_stmt_mut(&mut self, s: &mut Stmt) {
        match s {
            Stmt::Local(l) => self.local(l),
            Stmt::Item(_) | Stmt::Macro(_) => {}
            Stmt::Expr(e, _) => self.visit_expr_mut(e),
        }
    }

    // Patterns, types and macro bodies hold no sites.
    fn visit_pat_mut(&mut self, _: &mut Pat) {}
    fn visit_type_mut(&mut self, _: &mut Type) {}
    fn visit_macro_mut(&mut self, _: &mut syn::Macro) {}
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Some(index_loops) = self.desugar_rows(e) {
            *e = index_loops;
            return self.visit_expr_mut(e);
        }
        match e {
            Expr::Lit(l) => {
                let Some(suffix) = float_lit_suffix(&l.lit) else {
                    return;
                };
                let raw = format!("lit{}", self.lits);
                self.lits += 1;
                let span = l.lit.span();
                if suffix == "f64" {
                    self.add_site(raw.clone(), Kind::Literal, span, false);
                    let lit = l.lit.clone();
                    self.f64_error(lit, &raw);
                    return;
                }
                if let Some(idx) = self.add_site(raw, Kind::Literal, span, false)
                    && self.qgen.is_some()
                {
                    *e = self.q(idx, quote!(#e));
                }
            }
            Expr::Closure(c) => {
                let mut names = Vec::new();
                c.inputs.iter().for_each(|p| pat_idents(p, &mut names));
                self.closure_depth += 1;
                self.with_scope(names, |w| w.visit_expr_mut(&mut c.body));
                self.closure_depth -= 1;
            }
            Expr::ForLoop(f) => {
                if let Some(kernel) = self
                    .reduction(f)
                    .or_else(|| self.summation(f))
                    .or_else(|| self.columns(f))
                    .or_else(|| self.fission(f))
                {
                    *e = kernel;
                    return;
                }
                let copy = self.copy_loop(f);
                if let (Some(c), true) = (&copy, self.tuned()) {
                    *e = c.clone();
                    return;
                }
                self.visit_expr_mut(&mut f.expr);
                let mut names = Vec::new();
                pat_idents(&f.pat, &mut names);
                self.with_scope(names, |w| w.visit_block_mut(&mut f.body));
                if let Some(c) = copy {
                    // Calibrate builds: the element loop (rewritten above) when profiling, else the copy.
                    *e = parse_quote!(if __nq.recording() { #e } else { #c });
                }
            }
            Expr::If(i) => {
                let mut names = Vec::new();
                self.visit_cond(&mut i.cond, &mut names);
                self.with_scope(names, |w| w.visit_block_mut(&mut i.then_branch));
                if let Some((_, el)) = &mut i.else_branch {
                    self.visit_expr_mut(el);
                }
            }
            Expr::While(wh) => {
                let mut names = Vec::new();
                self.visit_cond(&mut wh.cond, &mut names);
                self.with_scope(names, |w| w.visit_block_mut(&mut wh.body));
            }
            Expr::Match(m) => {
                self.visit_expr_mut(&mut m.expr);
                for arm in &mut m.arms {
                    let mut names = Vec::new();
                    pat_idents(&arm.pat, &mut names);
                    self.with_scope(names, |w| {
                        if let Pat::Guard(g) = &mut arm.pat {
                            w.visit_expr_mut(&mut g.guard);
                        }
                        w.visit_expr_mut(&mut arm.body);
                    });
                }
            }
            Expr::Let(l) => self.visit_expr_mut(&mut l.expr),
            Expr::Macro(_) | Expr::Const(_) => {}
            Expr::Assign(_) => self.assign(e),
            Expr::Binary(b) if base_op(&b.op).is_some() => self.compound(e),
            Expr::Return(r) => {
                if let Some(x) = &mut r.expr {
                    self.visit_expr_mut(x);
                    if let (0, Some(idx), Some(_)) = (self.closure_depth, self.ret, self.qgen) {
                        **x = self.q(idx, quote!(#x));
                    }
                }
            }
            Expr::Index(ix) if matches!(self.site_of(&ix.expr), Some((_, _, true))) => {
                if is_range(&ix.index) {
                    self.visit_expr_mut(&mut ix.index);
                    self.f32_view(&mut ix.expr);
                    return;
                }
                self.visit_expr_mut(&mut ix.index);
                if self.qgen.is_some_and(|g| g.mode == Mode::Tuned) {
                    *e = parse_quote!(#e.to_f32());
                }
            }
            Expr::Index(ix) if !is_range(&ix.index) && self.typed_site(&ix.expr).is_some() => {
                self.visit_expr_mut(&mut ix.index);
                *e = parse_quote!(#e.to_f32());
            }
            Expr::MethodCall(m)
                if matches!(self.site_of(&m.receiver), Some((_, _, true)))
                    && (m.method == "len" || m.method == "is_empty") =>
            {
                for a in &mut m.args {
                    self.visit_expr_mut(a);
                }
            }
            Expr::MethodCall(_) if self.zip_dot(e).is_some() => {
                *e = self.zip_dot(e).unwrap();
                self.visit_expr_mut(e);
            }
            Expr::MethodCall(_) if self.range_dot(e).is_some() => {
                *e = self.range_dot(e).unwrap();
                self.visit_expr_mut(e);
            }
            Expr::MethodCall(m) if matches!(self.site_of(&m.receiver), Some((_, _, true))) => {
                self.f32_view(&mut m.receiver);
                for a in &mut m.args {
                    self.visit_expr_mut(a);
                }
            }
            Expr::MethodCall(m)
                if self.qgen.is_some()
                    && GROWS.contains(&m.method.to_string().as_str())
                    && matches!(self.site_of(&m.receiver), Some((Some(_), _, false))) =>
            {
                for a in &mut m.args {
                    self.visit_expr_mut(a);
                }
                let Some((Some(idx), ..)) = self.site_of(&m.receiver) else {
                    unreachable!("matched above")
                };
                self.quantize_growth(idx, m);
            }
            Expr::Call(c) if generic_callee(&c.func) => {
                self.visit_expr_mut(&mut c.func);
                let f = c.func.to_token_stream().to_string().replace(' ', "");
                self.call_args(c.args.iter_mut(), || WeightMisuse::Call(f.clone()));
            }
            Expr::Path(_) if matches!(self.site_of(e), Some((_, _, true))) => self.f32_view(e),
            Expr::Binary(b)
                if matches!(
                    b.op,
                    BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_)
                ) =>
            {
                if self.is_float(&b.right) {
                    self.field_read(&b.left);
                }
                if self.is_float(&b.left) {
                    self.field_read(&b.right);
                }
                visit_mut::visit_expr_mut(self, e);
            }
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }
}

/// The result of analysing one function.
pub(crate) struct Analysis {
    pub model: FnModel,
    /// The rewritten body (calibrate/tuned), without prologue; the original body in plain mode.
    pub body: Block,
    pub errors: Errors,
    /// Raw names of every site found (excluded ones included).
    pub candidates: Vec<Candidate>,
}

/// Analyses (and, with `qgen`, rewrites) one function.
#[allow(clippy::too_many_arguments)]
pub(crate) fn analyze(
    sig: &Signature,
    block: &Block,
    opts: &Options,
    mod_name: Ident,
    instance: Option<Ident>,
    fingerprint: u64,
    qgen: Option<&Gen>,
    check: &Options,
) -> Analysis {
    let fn_name = mod_name.to_string();
    let mut w = Walker::new(opts, qgen, fn_name.clone());
    w.instance = instance.as_ref().map(|l| l.to_string());
    if qgen.is_some_and(|g| g.mode == Mode::Tuned) {
        let mut names = param_names(sig);
        names.extend(local_names(block));
        w.typed_ok = only_indexed(block, &names);
    }
    let params = w.params(sig);
    w.return_site(sig);
    let mut body = block.clone();
    fields_to_bindings(opts, &mut body);
    w.visit_block_mut(&mut body);
    w.wrap_tail(&mut body);
    if qgen.is_none() {
        // Plain builds compile the function as written (`self.w` reads, iterator inner products).
        body = block.clone();
    }
    let mut errors = std::mem::take(&mut w.errors);
    validate_names(check, &w.candidates, sig, &fn_name, &mut errors);
    validate(opts, &w, &fn_name, &mut errors);
    let candidates = std::mem::take(&mut w.candidates);
    for &s in w.operands.borrow().iter() {
        let site = &mut w.sites[s];
        site.operand = !matches!(site.kind, Kind::Weight | Kind::Input);
    }
    let model = FnModel {
        fn_name: sig.ident.clone(),
        mod_name,
        instance,
        sites: w.sites,
        params,
        fingerprint,
        f32_views: w.f32_views,
    };
    Analysis {
        model,
        body,
        errors,
        candidates,
    }
}

/// Rewrites the reads of field weights (`self.w`, `l.w` listed in `weights(..)`) to the binding `w` the
/// prologue makes (calibrate: the quantized copy; tuned: the field's slice in its tuned type).
pub(crate) fn fields_to_bindings(opts: &Options, body: &mut Block) {
    struct Fields<'a>(&'a [(Ident, Ident)], &'a [(Ident, Ident)]);
    /// The member of `e` when it is `base.member` with `(base, member)` in `fields`.
    fn listed<'e>(e: &'e Expr, fields: &[(Ident, Ident)]) -> Option<&'e Ident> {
        let Expr::Field(f) = e else { return None };
        let syn::Member::Named(member) = &f.member else {
            return None;
        };
        let Expr::Path(p) = &*f.base else { return None };
        let base = p.path.get_ident()?;
        fields
            .iter()
            .any(|(b, m)| b == base && m == member)
            .then_some(member)
    }
    impl VisitMut for Fields<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            // `&self.w` of a weight field is the binding itself (a `&[f32]` slice in every build), so that
            // `.zip(&self.b)` and `f(&self.w)` read it as the field's `&Vec<f32>` was read.
            let by_ref = match &*e {
                Expr::Reference(r) if r.mutability.is_none() => listed(&r.expr, self.1),
                _ => None,
            };
            if let Some(m) = by_ref.or_else(|| listed(e, self.0)).cloned() {
                *e = parse_quote!(#m);
                return;
            }
            visit_mut::visit_expr_mut(self, e);
        }
        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    }
    let fields: Vec<(Ident, Ident)> = opts
        .weight_fields
        .iter()
        .chain(&opts.state_fields)
        .cloned()
        .collect();
    if !fields.is_empty() {
        Fields(&fields, &opts.weight_fields).visit_block_mut(body);
    }
}

/// Names bound by `let` anywhere in the block (candidates for typed locals).
fn local_names(block: &Block) -> Vec<String> {
    struct L(Vec<String>);
    impl<'ast> syn::visit::Visit<'ast> for L {
        fn visit_local(&mut self, l: &'ast syn::Local) {
            pat_idents(&l.pat, &mut self.0);
            syn::visit::visit_local(self, l);
        }
    }
    let mut l = L(Vec::new());
    syn::visit::Visit::visit_block(&mut l, block);
    l.0
}

pub(crate) fn param_names(sig: &Signature) -> Vec<String> {
    sig.inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(pt) => match &*pt.pat {
                Pat::Ident(pi) => Some(pi.ident.to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// Checks that every site the options `check` name exists among `candidates` (and weights name float
/// parameters). `param_names` are the names of all parameters.
pub(crate) fn validate_names(
    check: &Options,
    candidates: &[Candidate],
    sig: &Signature,
    fn_name: &str,
    errors: &mut Errors,
) {
    let param_names = param_names(sig);
    let list = || {
        let v: Vec<&str> = candidates.iter().map(|c| c.raw.as_str()).collect();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    let exists = |name: &Ident| candidates.iter().any(|c| *name == c.raw);
    let missing = |errors: &mut Errors, name: &Ident, opt: &str| {
        errors.spanned(
            name,
            format_args!(
                "{opt}({name}) names no site of `{fn_name}`; its sites are: {}",
                list()
            ),
        );
    };
    for name in &check.weights {
        if check.weight_fields.iter().any(|(_, f)| f == name) {
            continue; // a field weight: checked by `Walker::field_weights`
        }
        if !param_names.iter().any(|p| name == p) {
            let what = if exists(name) {
                "a local site, not a parameter"
            } else {
                "not a parameter"
            };
            errors.spanned(
                name,
                format_args!(
                    "weights({name}): `{name}` is {what} of `{fn_name}`; weights(...) names `&[f32]` parameters \
                     (parameters: {})",
                    if param_names.is_empty() { "none".to_string() } else { param_names.join(", ") }
                ),
            );
        } else if !candidates.iter().any(|c| c.is_param && *name == c.raw) {
            let ty = sig.inputs.iter().find_map(|a| match a {
                syn::FnArg::Typed(pt) if matches!(&*pt.pat, Pat::Ident(pi) if pi.ident == *name) => {
                    Some(&*pt.ty)
                }
                _ => None,
            });
            if let Some(ty) = ty.filter(|t| rows_of_f32(t)) {
                errors.spanned(
                    ty,
                    format_args!(
                        "weights({name}): `{name}` is a collection of rows (`{}`); a weight is one flat `&[f32]`: \
                         store the rows one after another in a single `Vec<f32>` and read row `o` of `n` values \
                         as `{name}[o * n + i]` or `&{name}[o * n..(o + 1) * n]`",
                        quote!(#ty).to_string().replace(" ", "")
                    ),
                );
            } else {
                errors.spanned(
                    name,
                    format_args!("weights({name}): parameter `{name}` does not hold f32; weights(...) names `&[f32]` parameters"),
                );
            }
        }
    }
    for (opt, list) in [("exclude", &check.exclude)] {
        for name in list {
            if !exists(name) {
                missing(errors, name, opt);
            }
        }
    }
    for r in &check.rename {
        if !exists(&r.from) {
            missing(errors, &r.from, "rename");
        }
    }
    for g in &check.share {
        for name in g {
            if !exists(name) {
                missing(errors, name, "share");
            }
        }
    }
}

/// Checks the consistency of the options with the sites found.
fn validate(opts: &Options, w: &Walker, fn_name: &str, errors: &mut Errors) {
    for name in &opts.generic {
        if !opts.is_weight(&name.to_string()) {
            errors.spanned(
                name,
                format_args!(
                    "generic({name}): `{name}` is not in weights(...); generic(...) names weights the body uses \
                     through code generic over the element type (f32, or the tuned number type)"
                ),
            );
        }
    }
    for name in &opts.weights {
        if opts.is_excluded(&name.to_string()) {
            errors.spanned(
                name,
                format_args!("`{name}` is both in weights(...) and exclude(...)"),
            );
        }
    }
    for r in &opts.rename {
        if opts.is_excluded(&r.from.to_string()) {
            errors.spanned(
                &r.from,
                format_args!("rename({}): the site is excluded", r.from),
            );
        }
    }
    let mut in_group: Vec<String> = Vec::new();
    for g in &opts.share {
        for name in g {
            let s = name.to_string();
            if opts.is_excluded(&s) {
                errors.spanned(name, format_args!("share({name}): the site is excluded"));
            } else if in_group.contains(&s) {
                errors.spanned(
                    name,
                    format_args!("share({name}): `{name}` is already in another share(...) group"),
                );
            }
            in_group.push(s);
        }
    }
    // Two sites with the same ident must be in one share group.
    let group_of = |raw: &str| opts.share.iter().position(|g| g.iter().any(|i| i == raw));
    for (i, a) in w.sites.iter().enumerate() {
        for b in &w.sites[..i] {
            if a.ident == b.ident
                && (group_of(&a.raw).is_none() || group_of(&a.raw) != group_of(&b.raw))
            {
                errors.spanned(
                    &a.ident,
                    format_args!(
                        "sites `{}` and `{}` of `{fn_name}` would both be named `{}`: give one another name with \
                         rename({} = \"...\"), or share(...) them on purpose",
                        b.raw, a.raw, a.ident, a.raw
                    ),
                );
                break;
            }
        }
    }
    for p in w.candidates.iter().filter(|c| c.kind == Kind::Weight) {
        if p.raw == "Formats" || p.raw == "Single" {
            errors.at(p.span, format_args!("a weight parameter cannot be named `{}` (it names the weight's type alias next to `Formats`)", p.raw));
        }
    }
}
