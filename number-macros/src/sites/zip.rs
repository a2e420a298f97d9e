//! Inner products written with iterators: `a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>()` over a weight
//! (whole or a range of it) becomes the accumulation loop the reducer turns into a kernel call:
//!
//! ```text
//! { let __nq_zn = min(len_a, len_b); let mut dot: f32 = 0.0f32;
//!   for __nq_zi in 0..__nq_zn { dot += a[start_a + __nq_zi] * b[start_b + __nq_zi]; } dot }
//! ```
//!
//! in calibrate and tuned builds (plain builds compile the code as written), so that such code gets a site
//! `dot` for its sum (rounded by the tuned format, like any accumulator), integer kernels in tuned builds and
//! GPTQ capture in calibrate builds. Both orders of the product, `&`-patterns and `*x` dereferences qualify; the
//! ranges may be `lo..hi`, `lo..`, `..hi` or the whole binding. The same product folded,
//! `a.iter().zip(b).fold(init, |acc, (x, y)| acc + x * y)`, becomes the same loop starting at `init`. Anything
//! else is left to the general rules.
use super::{Binding, Walker, single_ident};
use quote::quote;
use syn::{BinOp, Expr, Ident, Pat, RangeLimits};

/// `e` without parentheses, groups and one leading `&`.
fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        Expr::Reference(r) if r.mutability.is_none() => strip(&r.expr),
        _ => e,
    }
}

/// A method call `recv.name(args)` with `n` arguments.
pub(super) fn call<'e>(
    e: &'e Expr,
    name: &str,
    n: usize,
) -> Option<(&'e Expr, &'e syn::ExprMethodCall)> {
    match strip(e) {
        Expr::MethodCall(m) if m.method == name && m.args.len() == n => Some((&m.receiver, m)),
        _ => None,
    }
}

/// The binding and (start, length) of a whole binding `x`, a range of it `x[lo..hi]` or `x.iter()` of either.
pub(super) fn slice_of(e: &Expr) -> Option<(&Ident, Option<&Expr>, Option<&Expr>)> {
    let e = match call(e, "iter", 0) {
        Some((recv, _)) => strip(recv),
        None => strip(e),
    };
    match e {
        Expr::Index(ix) => {
            let name = single_ident(&ix.expr)?;
            match &*ix.index {
                Expr::Range(r) if matches!(r.limits, RangeLimits::HalfOpen(_)) => {
                    Some((name, r.start.as_deref(), r.end.as_deref()))
                }
                _ => None,
            }
        }
        _ => Some((single_ident(e)?, None, None)),
    }
}

/// The identifier a closure parameter binds (`x` or `&x`).
fn param(p: &Pat) -> Option<&Ident> {
    match p {
        Pat::Ident(pi) if pi.subpat.is_none() && pi.by_ref.is_none() => Some(&pi.ident),
        Pat::Reference(r) => param(&r.pat),
        _ => None,
    }
}

/// `x` or `*x`, for a closure parameter `x`.
fn factor(e: &Expr) -> Option<&Ident> {
    match e {
        Expr::Paren(p) => factor(&p.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => factor(&u.expr),
        _ => single_ident(e),
    }
}

/// `e` as `recv.sum()` or `recv.sum::<f32>()`, unless `e` mentions a `dot` of its own (the accumulator the
/// rewrite introduces would shadow it).
pub(super) fn f32_sum(e: &Expr) -> Option<&syn::ExprMethodCall> {
    let Expr::MethodCall(sum) = e else {
        return None;
    };
    if sum.method != "sum" || !sum.args.is_empty() {
        return None;
    }
    if let Some(t) = &sum.turbofish
        && quote!(#t).to_string().replace(' ', "") != "::<f32>"
    {
        return None;
    }
    (!mentions_dot(e)).then_some(sum)
}

/// Whether `e` names a `dot` (the accumulator the rewrite introduces would shadow it).
fn mentions_dot(e: &Expr) -> bool {
    quote!(#e)
        .to_string()
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .any(|w| w == "dot")
}

/// An inner product written as a fold, `recv.fold(init, |acc, item| acc + a * b)` (or `a * b + acc`):
/// `recv`, `init`, the item's pattern, the product `a * b` and the span of `fold`; `None` for anything else or
/// when `e` names a `dot` of its own. Its value is the accumulation loop's: `acc + a·b` is what `dot += a·b`
/// computes, in the same order.
pub(super) struct Fold<'e> {
    pub(super) receiver: &'e Expr,
    pub(super) init: &'e Expr,
    pub(super) item: &'e Pat,
    pub(super) product: &'e syn::ExprBinary,
    pub(super) span: proc_macro2::Span,
}

pub(super) fn f32_fold(e: &Expr) -> Option<Fold<'_>> {
    let Expr::MethodCall(fold) = e else {
        return None;
    };
    if fold.method != "fold" || fold.args.len() != 2 || fold.turbofish.is_some() || mentions_dot(e)
    {
        return None;
    }
    let Expr::Closure(c) = strip(&fold.args[1]) else {
        return None;
    };
    let [acc, item] = &c.inputs.iter().collect::<Vec<_>>()[..] else {
        return None;
    };
    let Pat::Ident(acc) = acc else {
        return None;
    };
    let Expr::Binary(add) = strip(&c.body) else {
        return None;
    };
    if !matches!(add.op, BinOp::Add(_)) {
        return None;
    }
    let is_acc = |e: &Expr| single_ident(strip(e)) == Some(&acc.ident);
    let product = match (strip(&add.left), strip(&add.right)) {
        (l, Expr::Binary(m)) if is_acc(l) => m,
        (Expr::Binary(m), r) if is_acc(r) => m,
        _ => return None,
    };
    if !matches!(product.op, BinOp::Mul(_)) {
        return None;
    }
    Some(Fold {
        receiver: &fold.receiver,
        init: &fold.args[0],
        item,
        product,
        span: fold.method.span(),
    })
}

/// The parts of an inner product written as `recv.map(|item| p * q).sum()` (`init` 0.0) or as an [`f32_fold`]:
/// `recv`, the item's pattern, the product `p * q`, the initial value and the span of `sum` or `fold`.
pub(super) struct Reduction<'e> {
    pub(super) receiver: &'e Expr,
    pub(super) item: &'e Pat,
    pub(super) product: &'e syn::ExprBinary,
    pub(super) init: proc_macro2::TokenStream,
    pub(super) span: proc_macro2::Span,
}

pub(super) fn reduction(e: &Expr) -> Option<Reduction<'_>> {
    if let Some(sum) = f32_sum(e) {
        let (receiver, map) = call(&sum.receiver, "map", 1)?;
        let Expr::Closure(c) = &map.args[0] else {
            return None;
        };
        let [item] = &c.inputs.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        let Expr::Binary(product) = strip(&c.body) else {
            return None;
        };
        return Some(Reduction {
            receiver,
            item,
            product,
            init: quote!(0.0f32),
            span: sum.method.span(),
        });
    }
    let f = f32_fold(e)?;
    let init = f.init;
    Some(Reduction {
        receiver: f.receiver,
        item: f.item,
        product: f.product,
        init: quote!(#init),
        span: f.span,
    })
}

/// The accumulation loop `{ let mut dot: f32 = init; for i in range { dot += a * b; } dot }` of an
/// [`f32_sum`] (`init` 0.0) or an [`f32_fold`] (`span`: its `sum` or `fold`), preceded by `prelude`.
pub(super) fn dot_loop(
    span: proc_macro2::Span,
    prelude: proc_macro2::TokenStream,
    init: proc_macro2::TokenStream,
    i: &Ident,
    range: proc_macro2::TokenStream,
    a: proc_macro2::TokenStream,
    b: proc_macro2::TokenStream,
) -> Expr {
    let acc = Ident::new("dot", span);
    syn::parse_quote!({
        #prelude
        let mut #acc: f32 = #init;
        for #i in #range {
            #acc += #a * #b;
        }
        #acc
    })
}

/// The length of `n[lo..hi]` (either bound optional).
pub(super) fn slice_len(
    n: &Ident,
    lo: Option<&Expr>,
    hi: Option<&Expr>,
) -> proc_macro2::TokenStream {
    match (lo, hi) {
        (Some(lo), Some(hi)) => quote!((#hi) - (#lo)),
        (None, Some(hi)) => quote!(#hi),
        (Some(lo), None) => quote!(#n.len() - (#lo)),
        (None, None) => quote!(#n.len()),
    }
}

impl Walker<'_> {
    /// The accumulation loop replacing `e` when it is an iterator inner product over a weight (see the module
    /// doc); `None` leaves `e` as it is.
    pub(super) fn zip_dot(&self, e: &Expr) -> Option<Expr> {
        // `a.iter().zip(b).map(|(x, y)| x * y).sum()`, or `a.iter().zip(b).fold(init, |acc, (x, y)| acc + x * y)`.
        let Reduction {
            receiver: zipped,
            item,
            product: m,
            init,
            span,
        } = reduction(e)?;
        let (iter_a, zip) = call(zipped, "zip", 1)?;
        call(iter_a, "iter", 0)?;
        let (pa, pb) = match item {
            Pat::Tuple(t) if t.elems.len() == 2 => (param(&t.elems[0])?, param(&t.elems[1])?),
            _ => return None,
        };
        if !matches!(m.op, BinOp::Mul(_)) {
            return None;
        }
        let (l, r) = (factor(&m.left)?, factor(&m.right)?);
        if !((l == pa && r == pb) || (l == pb && r == pa)) {
            return None;
        }
        let (na, lo_a, hi_a) = slice_of(iter_a)?;
        let (nb, lo_b, hi_b) = slice_of(&zip.args[0])?;
        // One side is a weight; the reducer decides whether the loop qualifies for a kernel.
        let weight = |n: &Ident| {
            matches!(
                self.lookup(&n.to_string()),
                Some(Binding::Site { weight: true, .. })
            )
        };
        if !weight(na) && !weight(nb) {
            return None;
        }
        let i = Ident::new("__nq_zi", span);
        let start = |lo: Option<&Expr>| lo.map(|lo| quote!((#lo)));
        let index = |s: Option<proc_macro2::TokenStream>| match s {
            Some(s) => quote!(#s + #i),
            None => quote!(#i),
        };
        let (len_a, len_b) = (slice_len(na, lo_a, hi_a), slice_len(nb, lo_b, hi_b));
        let (ia, ib) = (index(start(lo_a)), index(start(lo_b)));
        Some(dot_loop(
            span,
            quote!(let __nq_zn = ::core::cmp::min(#len_a, #len_b);),
            init,
            &i,
            quote!(0..__nq_zn),
            quote!(#na[#ia]),
            quote!(#nb[#ib]),
        ))
    }
}
