//! Accumulation loops: `for i in lo..hi { acc += a[ia] * b[ib]; }` becomes one call of an inner-product kernel
//! (`number_rt::dot::dot` in tuned builds, `Frame::dot` in calibrate builds) with the same meaning bit for bit
//! (the kernel's doc gives the proof obligations it checks at run time), so that tuned builds can sum in
//! integers and emulation can skip the per-step rounding of an f32 accumulator.
//!
//! The loop qualifies when its body is exactly that one statement, `acc` is a scalar site, `a` and `b` are
//! slice-like site bindings, each index steps by one with `i` (`i`, `base + i`, `base + i - pad`, …), and the
//! range and the other index terms mention no site and no float literal (so they need no rewriting and hold no
//! site of their own). Anything else keeps the element-by-element expansion.
use super::{single_ident, Binding, Walker};
use crate::model::{Mode, Shape};
use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::{BinOp, Expr, ExprForLoop, Ident, Pat, RangeLimits, Stmt};

/// The coefficient of `var` in an index built from `+` and `-` (`None`: not of that form).
fn coefficient(e: &Expr, var: &Ident) -> Option<i32> {
    match e {
        Expr::Paren(p) => coefficient(&p.expr, var),
        Expr::Group(g) => coefficient(&g.expr, var),
        Expr::Binary(b) if matches!(b.op, BinOp::Add(_)) => Some(coefficient(&b.left, var)? + coefficient(&b.right, var)?),
        Expr::Binary(b) if matches!(b.op, BinOp::Sub(_)) => Some(coefficient(&b.left, var)? - coefficient(&b.right, var)?),
        _ if single_ident(e) == Some(var) => Some(1),
        other => (!mentions(&quote!(#other), var)).then_some(0),
    }
}

fn mentions(ts: &TokenStream, var: &Ident) -> bool {
    ts.clone().into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == *var,
        TokenTree::Group(g) => mentions(&g.stream(), var),
        _ => false,
    })
}

/// Whether `ts` holds a float literal.
fn has_float_literal(ts: &TokenStream) -> bool {
    ts.clone().into_iter().any(|t| match t {
        TokenTree::Literal(l) => {
            let s = l.to_string();
            !s.starts_with(['"', '\'', 'b', 'c', 'r'])
                && !s.starts_with("0x")
                && !s.starts_with("0b")
                && !s.starts_with("0o")
                && (s.contains('.') || s.contains('e') || s.contains('E') || s.ends_with("f32") || s.ends_with("f64"))
        }
        TokenTree::Group(g) => has_float_literal(&g.stream()),
        _ => false,
    })
}

/// `a[ia]` with `a` a plain identifier.
fn indexed(e: &Expr) -> Option<(&Ident, &Expr)> {
    match e {
        Expr::Paren(p) => indexed(&p.expr),
        Expr::Index(ix) => Some((single_ident(&ix.expr)?, &ix.index)),
        _ => None,
    }
}

/// One operand of the product: the binding, its index, and its site (index) if it is one.
struct Operand<'e> {
    name: &'e Ident,
    index: &'e Expr,
    site: Option<usize>,
    weight: bool,
}

impl Walker<'_> {
    /// Whether the identifiers of `ts` are free of site bindings (so it needs no rewriting).
    fn site_free(&self, ts: &TokenStream) -> bool {
        ts.clone().into_iter().all(|t| match t {
            TokenTree::Ident(i) => !matches!(self.lookup(&i.to_string()), Some(Binding::Site { .. })),
            TokenTree::Group(g) => self.site_free(&g.stream()),
            _ => true,
        })
    }

    fn operand<'e>(&self, e: &'e Expr, var: &Ident) -> Option<Operand<'e>> {
        let (name, index) = indexed(e)?;
        let (site, shape, weight) = match self.lookup(&name.to_string())? {
            Binding::Site { site, shape, weight, .. } => (*site, *shape, *weight),
            Binding::Plain => return None,
        };
        if !(weight || shape.indexable()) || coefficient(index, var) != Some(1) {
            return None;
        }
        let ts = quote!(#index);
        (self.site_free(&ts) && !has_float_literal(&ts)).then_some(Operand { name, index, site, weight })
    }

    /// The kernel call replacing `f`, when it is an accumulation loop.
    pub(super) fn reduction(&self, f: &ExprForLoop) -> Option<Expr> {
        let qgen = self.qgen?;
        if f.label.is_some() || !f.attrs.is_empty() || f.body.stmts.len() != 1 {
            return None;
        }
        let var = match &*f.pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.mutability.is_none() && pi.subpat.is_none() => &pi.ident,
            _ => return None,
        };
        let Expr::Range(range) = &*f.expr else { return None };
        let (Some(lo), Some(hi), RangeLimits::HalfOpen(_)) = (&range.start, &range.end, &range.limits) else {
            return None;
        };
        let bounds = quote!(#lo #hi);
        if !self.site_free(&bounds) || has_float_literal(&bounds) || mentions(&bounds, var) {
            return None;
        }
        let body = match &f.body.stmts[0] {
            Stmt::Expr(e, _) => e,
            _ => return None,
        };
        let Expr::Binary(add) = body else { return None };
        if !matches!(add.op, BinOp::AddAssign(_)) {
            return None;
        }
        let acc = single_ident(&add.left)?;
        let acc_site = match self.lookup(&acc.to_string())? {
            Binding::Site { site: Some(i), shape: Shape::Scalar, weight: false, .. } => *i,
            _ => return None,
        };
        let mut prod = &*add.right;
        while let Expr::Paren(p) = prod {
            prod = &p.expr;
        }
        let Expr::Binary(mul) = prod else { return None };
        if !matches!(mul.op, BinOp::Mul(_)) {
            return None;
        }
        let (a, b) = (self.operand(&mul.left, var)?, self.operand(&mul.right, var)?);
        if a.name == acc || b.name == acc {
            return None;
        }
        // Calibrate builds record which rows of a weight the loop reads (the profile's `row`: per-channel formats).
        let mut rows = TokenStream::new();
        if qgen.mode == Mode::Calibrate {
            for o in [&a, &b] {
                if let (true, Some(w)) = (o.weight, o.site) {
                    let (w, i) = (super::lit_idx(w), o.index);
                    rows.extend(quote!(__nq.row(#w, { let #var = __nq_r.start; #i }, __nq_n);));
                }
            }
        }
        let (an, ai, bn, bi) = (a.name, a.index, b.name, b.index);
        let (ta, tb) = (format_ident!("__nq_a"), format_ident!("__nq_b"));
        let call = match qgen.mode {
            Mode::Tuned => {
                let ty = |s: Option<usize>| match s {
                    Some(i) => qgen.tuned_ty(&self.sites[i].ident),
                    None => quote!(f32),
                };
                let (tacc, t_a, t_b) = (ty(Some(acc_site)), ty(a.site), ty(b.site));
                quote!(::number_rt::dot::dot::<#tacc, #t_a, #t_b, _, _>(#acc, #ta, #tb))
            }
            _ => {
                let i = super::lit_idx(acc_site);
                quote!(__nq.dot(#i, #acc, #ta, #tb))
            }
        };
        Some(syn::parse_quote!({
            let __nq_r = #lo..#hi;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                #rows
                let #ta = { let #var = __nq_r.start; &#an[#ai..][..__nq_n] };
                let #tb = { let #var = __nq_r.start; &#bn[#bi..][..__nq_n] };
                #acc = #call;
            }
        }))
    }
}
