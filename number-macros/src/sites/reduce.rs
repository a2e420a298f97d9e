//! Accumulation loops: `for i in lo..hi { acc += a[ia] * b[ib]; }` becomes one call of an inner-product kernel
//! (`number_rt::dot::dot` in tuned builds, `Frame::dot` in calibrate builds) with the same meaning bit for bit
//! (the kernel's doc gives the proof obligations it checks at run time), so that tuned builds can sum in
//! integers and emulation can skip the per-step rounding of an f32 accumulator.
//!
//! The loop qualifies when its body is exactly that one statement, `acc` is a scalar site, `a` and `b` are
//! slice-like site bindings, each index steps by one with `i` (`i`, `base + i`, `base + i - pad`, …), and the
//! range and the other index terms mention no site and no float literal (so they need no rewriting and hold no
//! site of their own). A body of several such statements into distinct accumulators (the gates of a recurrent
//! cell) is split into one loop per statement first ([`Walker::fission`]). Anything else keeps the
//! element-by-element expansion.
use super::{Binding, Walker, single_ident};
use crate::model::{Mode, Shape};
use proc_macro2::{TokenStream, TokenTree};
use quote::{format_ident, quote};
use syn::{BinOp, Expr, ExprForLoop, Ident, Pat, RangeLimits, Stmt};

/// The coefficient of `var` in an index built from `+` and `-` (`None`: not of that form).
fn coefficient(e: &Expr, var: &Ident) -> Option<i32> {
    match e {
        Expr::Paren(p) => coefficient(&p.expr, var),
        Expr::Group(g) => coefficient(&g.expr, var),
        Expr::Binary(b) if matches!(b.op, BinOp::Add(_)) => {
            Some(coefficient(&b.left, var)? + coefficient(&b.right, var)?)
        }
        Expr::Binary(b) if matches!(b.op, BinOp::Sub(_)) => {
            Some(coefficient(&b.left, var)? - coefficient(&b.right, var)?)
        }
        _ if single_ident(e) == Some(var) => Some(1),
        other => (!mentions(&quote!(#other), var)).then_some(0),
    }
}

/// The step of an index in `var` when the index is affine in it with a nonnegative step: built from `+`, `-`
/// (with `var` only on the left) and `*` (with `var` on one side only) over unsigned index arithmetic. `Some(None)`
/// when the index does not mention `var`; `None` when it is not of that form.
fn step(e: &Expr, var: &Ident) -> Option<Option<TokenStream>> {
    match e {
        Expr::Paren(p) => step(&p.expr, var),
        Expr::Group(g) => step(&g.expr, var),
        Expr::Binary(b) if matches!(b.op, BinOp::Add(_)) => {
            Some(match (step(&b.left, var)?, step(&b.right, var)?) {
                (Some(l), Some(r)) => Some(quote!((#l + #r))),
                (l, r) => l.or(r),
            })
        }
        Expr::Binary(b) if matches!(b.op, BinOp::Sub(_)) => match step(&b.right, var)? {
            None => step(&b.left, var),
            Some(_) => None,
        },
        Expr::Binary(b) if matches!(b.op, BinOp::Mul(_)) => {
            match (step(&b.left, var)?, step(&b.right, var)?) {
                (Some(l), None) => {
                    let r = &b.right;
                    Some(Some(quote!((#l * (#r)))))
                }
                (None, Some(r)) => {
                    let l = &b.left;
                    Some(Some(quote!(((#l) * #r))))
                }
                (None, None) => Some(None),
                (Some(_), Some(_)) => None,
            }
        }
        _ if single_ident(e) == Some(var) => Some(Some(quote!(1))),
        other => (!mentions(&quote!(#other), var)).then_some(None),
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
                && (s.contains('.')
                    || s.contains('e')
                    || s.contains('E')
                    || s.ends_with("f32")
                    || s.ends_with("f64"))
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
    /// The slice `&name[index..][..__nq_n]` of an operand for a kernel (`var` bound to the loop's start), and the
    /// statement declaring what it borrows: in tuned builds a weight operand is read from the weight as the caller
    /// passed it (`__nq_wsrc_w`, a slice or a packed tensor), its range decoded into the stack buffer `tile`
    /// when packed (`WeightRead::range`), so that a packed weight is decoded row by row, in L1, not as a whole.
    fn operand_slice(
        &self,
        o: &Operand<'_>,
        var: &Ident,
        tile: &Ident,
    ) -> (TokenStream, TokenStream) {
        let (n, i) = (o.name, o.index);
        if let (false, Some(s)) = (o.weight, o.site) {
            self.operands.borrow_mut().insert(s);
        }
        match (self.qgen.map(|q| q.mode), o.weight, o.site) {
            (Some(Mode::Tuned), true, Some(site)) => {
                let t = self.site_ty(Some(site));
                let src = crate::expand::weight_source(n);
                (
                    quote!(let mut #tile = ::number_rt::__private::Unpacked::<#t, 4096>::new();),
                    quote!({
                        let #var = __nq_r.start;
                        ::number_rt::__private::WeightRead::range(#src, #i, __nq_n, &mut #tile)
                    }),
                )
            }
            _ => (
                quote!(),
                quote!({ let #var = __nq_r.start; &#n[#i..][..__nq_n] }),
            ),
        }
    }
    /// Whether the identifiers of `ts` are free of site bindings (so it needs no rewriting).
    fn site_free(&self, ts: &TokenStream) -> bool {
        ts.clone().into_iter().all(|t| match t {
            TokenTree::Ident(i) => {
                !matches!(self.lookup(&i.to_string()), Some(Binding::Site { .. }))
            }
            TokenTree::Group(g) => self.site_free(&g.stream()),
            _ => true,
        })
    }

    /// [`site_free`](Self::site_free), except that a site's length (`x.len()`) may appear: a loop's bounds
    /// read only the lengths of its operands, which the loop does not change (`for i in 0..x.len()`).
    fn site_free_but_lengths(&self, ts: &TokenStream) -> bool {
        let toks: Vec<TokenTree> = ts.clone().into_iter().collect();
        let mut k = 0;
        while k < toks.len() {
            match &toks[k] {
                TokenTree::Ident(i)
                    if matches!(self.lookup(&i.to_string()), Some(Binding::Site { .. })) =>
                {
                    let is_len = matches!(toks.get(k + 1), Some(TokenTree::Punct(p)) if p.as_char() == '.')
                        && matches!(toks.get(k + 2), Some(TokenTree::Ident(m)) if m == "len")
                        && matches!(toks.get(k + 3), Some(TokenTree::Group(g))
                            if g.delimiter() == proc_macro2::Delimiter::Parenthesis && g.stream().is_empty());
                    if !is_len {
                        return false;
                    }
                    k += 4;
                }
                TokenTree::Group(g) => {
                    if !self.site_free_but_lengths(&g.stream()) {
                        return false;
                    }
                    k += 1;
                }
                _ => k += 1,
            }
        }
        true
    }

    fn operand<'e>(&self, e: &'e Expr, var: &Ident) -> Option<Operand<'e>> {
        let (name, index) = indexed(e)?;
        let (site, shape, weight) = match self.lookup(&name.to_string())? {
            Binding::Site {
                site,
                shape,
                weight,
                ..
            } => (*site, *shape, *weight),
            Binding::Plain => return None,
        };
        if !(weight || shape.indexable()) || coefficient(index, var) != Some(1) {
            return None;
        }
        let ts = quote!(#index);
        (self.site_free_but_lengths(&ts) && !has_float_literal(&ts)).then_some(Operand {
            name,
            index,
            site,
            weight,
        })
    }

    /// `for var in lo..hi { body }` with a plain loop variable, a half-open range whose bounds mention no site
    /// (but the lengths of sites, `x.len()`), no float literal and not `var`, and a body of one expression
    /// statement.
    fn simple_loop<'f>(
        &self,
        f: &'f ExprForLoop,
    ) -> Option<(&'f Ident, &'f Expr, &'f Expr, &'f Expr)> {
        if f.label.is_some() || !f.attrs.is_empty() || f.body.stmts.len() != 1 {
            return None;
        }
        let var = match &*f.pat {
            Pat::Ident(pi)
                if pi.by_ref.is_none() && pi.mutability.is_none() && pi.subpat.is_none() =>
            {
                &pi.ident
            }
            _ => return None,
        };
        let Expr::Range(range) = &*f.expr else {
            return None;
        };
        let (Some(lo), Some(hi), RangeLimits::HalfOpen(_)) =
            (&range.start, &range.end, &range.limits)
        else {
            return None;
        };
        let bounds = quote!(#lo #hi);
        if !self.site_free_but_lengths(&bounds)
            || has_float_literal(&bounds)
            || mentions(&bounds, var)
        {
            return None;
        }
        match &f.body.stmts[0] {
            Stmt::Expr(e, _) => Some((var, lo, hi, e)),
            _ => None,
        }
    }

    /// `place += a * b` (parentheses allowed around the product).
    fn multiply_add(e: &Expr) -> Option<(&Expr, &Expr, &Expr)> {
        let Expr::Binary(add) = e else { return None };
        if !matches!(add.op, BinOp::AddAssign(_)) {
            return None;
        }
        let mut prod = &*add.right;
        while let Expr::Paren(p) = prod {
            prod = &p.expr;
        }
        let Expr::Binary(mul) = prod else { return None };
        matches!(mul.op, BinOp::Mul(_)).then_some((&*add.left, &*mul.left, &*mul.right))
    }

    /// The accumulator of a reduction: a plain identifier bound to a scalar site that is not a weight.
    fn scalar_acc<'e>(&self, place: &'e Expr) -> Option<(&'e Ident, usize)> {
        let acc = single_ident(place)?;
        match self.lookup(&acc.to_string())? {
            Binding::Site {
                site: Some(i),
                shape: Shape::Scalar,
                weight: false,
                ..
            } => Some((acc, *i)),
            _ => None,
        }
    }

    /// The kernel call replacing `f`, when it is a summing loop `for i in lo..hi { acc += x[ix]; }` (the
    /// conditions of an accumulation loop with one operand): `number_rt::dot::sum` / `Frame::sum`.
    pub(super) fn summation(&self, f: &ExprForLoop) -> Option<Expr> {
        let qgen = self.qgen?;
        let (var, lo, hi, body) = self.simple_loop(f)?;
        let Expr::Binary(add) = body else { return None };
        if !matches!(add.op, BinOp::AddAssign(_)) {
            return None;
        }
        let (acc, acc_site) = self.scalar_acc(&add.left)?;
        let x = self.operand(&add.right, var)?;
        if x.name == acc {
            return None;
        }
        let (tile, slice) = self.operand_slice(&x, var, &format_ident!("__nq_tile_x"));
        let call = match qgen.mode {
            Mode::Tuned => {
                let (t_acc, t_x) = (self.site_ty(Some(acc_site)), self.site_ty(x.site));
                quote!(::number_rt::__private::sum::<#t_acc, #t_x, _>(#acc, __nq_x))
            }
            _ => {
                let i = super::lit_idx(acc_site);
                quote!(__nq.sum(#i, #acc, __nq_x))
            }
        };
        Some(syn::parse_quote!({
            let __nq_r = #lo..#hi;
            if __nq_r.start < __nq_r.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                #tile
                let __nq_x = #slice;
                #acc = #call;
            }
        }))
    }

    /// The kernel call replacing `f`, when it is an accumulation loop.
    pub(super) fn reduction(&self, f: &ExprForLoop) -> Option<Expr> {
        let qgen = self.qgen?;
        let (var, lo, hi, body) = self.simple_loop(f)?;
        let (place, left, right) = Self::multiply_add(body)?;
        let (acc, acc_site) = self.scalar_acc(place)?;
        let (a, b) = (self.operand(left, var)?, self.operand(right, var)?);
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
        let (ta, tb) = (format_ident!("__nq_a"), format_ident!("__nq_b"));
        // …and, while GPTQ captures second moments, the inputs each weight row multiplies.
        let mut grams = TokenStream::new();
        if qgen.mode == Mode::Calibrate {
            for (o, other, t_other) in [(&a, &b, &tb), (&b, &a, &ta)] {
                if let (true, Some(w), false) = (o.weight, o.site, other.weight) {
                    let (w, i) = (super::lit_idx(w), o.index);
                    grams.extend(quote!(__nq.gram(#w, { let #var = __nq_r.start; #i }, #t_other);));
                }
            }
        }
        let (tile_a, slice_a) = self.operand_slice(&a, var, &format_ident!("__nq_tile_a"));
        let (tile_b, slice_b) = self.operand_slice(&b, var, &format_ident!("__nq_tile_b"));
        let call = match qgen.mode {
            Mode::Tuned => {
                let (tacc, t_a, t_b) = (
                    self.site_ty(Some(acc_site)),
                    self.site_ty(a.site),
                    self.site_ty(b.site),
                );
                quote!(::number_rt::__private::dot::<#tacc, #t_a, #t_b, _, _>(#acc, #ta, #tb))
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
                #tile_a
                #tile_b
                let #ta = #slice_a;
                let #tb = #slice_b;
                #grams
                #acc = #call;
            }
        }))
    }

    /// The kernel calls replacing `f` when its body is several statements that each make an accumulation or
    /// summing loop on their own, into distinct accumulators: `for i in 0..n { z += wz[j * n + i] * x[i]; c +=
    /// wc[j * n + i] * x[i]; }` (the gates of a recurrent cell) becomes one kernel call per statement, in order.
    /// Exact: each accumulator sees the same additions in the same order, and no statement reads another's
    /// accumulator (operands are slices, accumulators scalars, and the range mentions no site).
    pub(super) fn fission(&self, f: &ExprForLoop) -> Option<Expr> {
        let stmts = &f.body.stmts;
        if stmts.len() < 2 || f.label.is_some() || !f.attrs.is_empty() {
            return None;
        }
        let mut accs: Vec<String> = Vec::new();
        let mut calls = Vec::new();
        for s in stmts {
            let Stmt::Expr(Expr::Binary(add), _) = s else {
                return None;
            };
            let acc = single_ident(&add.left)?.to_string();
            if accs.contains(&acc) {
                return None;
            }
            accs.push(acc);
            let mut one = f.clone();
            one.body.stmts = vec![Stmt::Expr(Expr::Binary(add.clone()), None)];
            calls.push(self.reduction(&one).or_else(|| self.summation(&one))?);
        }
        // No statement's operands name another statement's accumulator.
        for s in stmts {
            let Stmt::Expr(Expr::Binary(add), _) = s else {
                return None;
            };
            let right = &add.right;
            let right = quote!(#right);
            if accs
                .iter()
                .any(|a| mentions(&right, &format_ident!("{}", a)))
            {
                return None;
            }
        }
        Some(syn::parse_quote!({ #(#calls)* }))
    }

    /// The static type of a site in tuned builds (`f32` for a binding that is not a site of its own).
    fn site_ty(&self, s: Option<usize>) -> TokenStream {
        match (s, self.qgen) {
            (Some(i), Some(qgen)) => qgen.tuned_ty(&self.sites[i].ident),
            _ => quote!(f32),
        }
    }

    /// An operand stepping by one with `k` whose index does not mention `p`.
    fn row_operand<'e>(&self, e: &'e Expr, k: &Ident, p: &Ident) -> Option<Operand<'e>> {
        let o = self.operand(e, k)?;
        let ix = o.index;
        (!mentions(&quote!(#ix), p)).then_some(o)
    }

    /// The kernel call replacing `f`, when it is a nest of accumulation loops that share a row:
    ///
    /// ```text
    /// for k in lo..hi { for p in plo..phi { acc[ip] += a[ia] * b[ib]; } }
    /// ```
    ///
    /// with `acc` a slice-like site, `ip` stepping by one with `p` and free of `k`, the row `a[ia]` stepping by
    /// one with `k` and free of `p`, and the column operand `b[ib]` stepping by one with `p` (its row start may
    /// depend on `k` in any way); in either order of the product. Each lane `p` is then an accumulation loop
    /// over `k`, and the call (`number_rt::dot::columns`, `Frame::columns`) sums the lanes side by side. In
    /// tuned builds a column index affine in `k` with a step known before the loop (`patch[i * np + p]`)
    /// gives `columns_at` the first column's start and that step instead of a closure.
    pub(super) fn columns(&self, f: &ExprForLoop) -> Option<Expr> {
        let qgen = self.qgen?;
        let (k, lo, hi, inner) = self.simple_loop(f)?;
        let Expr::ForLoop(inner) = inner else {
            return None;
        };
        let (p, plo, phi, body) = self.simple_loop(inner)?;
        if mentions(&quote!(#plo #phi), k) || p == k {
            return None;
        }
        let (place, left, right) = Self::multiply_add(body)?;
        let (acc, ip) = indexed(place)?;
        let acc_site = match self.lookup(&acc.to_string())? {
            Binding::Site {
                site: Some(i),
                shape,
                weight: false,
                ..
            } if shape.indexable() => *i,
            _ => return None,
        };
        let ipt = quote!(#ip);
        if coefficient(ip, p) != Some(1)
            || mentions(&ipt, k)
            || !self.site_free(&ipt)
            || has_float_literal(&ipt)
        {
            return None;
        }
        let (a, b) = match (self.row_operand(left, k, p), self.operand(right, p)) {
            (Some(a), Some(b)) => (a, b),
            _ => (self.row_operand(right, k, p)?, self.operand(left, p)?),
        };
        if a.name == acc || b.name == acc {
            return None;
        }
        let mut rows = TokenStream::new();
        if let (Mode::Calibrate, true, Some(w)) = (qgen.mode, a.weight, a.site) {
            let (w, i) = (super::lit_idx(w), a.index);
            rows.extend(quote!(__nq.row(#w, { let #k = __nq_r.start; #i }, __nq_n);));
        }
        let (tile_a, slice_a) = self.operand_slice(&a, k, &format_ident!("__nq_tile_a"));
        let (bn, bi) = (b.name, b.index);
        let (tacc, ta) = (format_ident!("__nq_acc"), format_ident!("__nq_a"));
        let col = quote!(|__nq_k: usize| {
            #[allow(unused_variables)]
            let #k = __nq_r.start + __nq_k;
            let #p = __nq_q.start;
            &#bn[#bi..][..__nq_m]
        });
        // In tuned builds, a column index affine in `k` (`patch[i * np + p]`: a step known before the loop, the
        // index free of sites and float literals) makes every column a slice of the operand at a constant
        // stride, whose bounds the kernel checks once.
        let bit = quote!(#bi);
        let at = (self.site_free(&bit) && !has_float_literal(&bit))
            .then(|| step(bi, k))
            .flatten()
            // (The step is evaluated outside the lanes loop: it must not name `p`.)
            .filter(|st| st.as_ref().is_none_or(|st| !mentions(st, p)));
        let call = match qgen.mode {
            Mode::Tuned => {
                let (t_acc, t_a, t_b) = (
                    self.site_ty(Some(acc_site)),
                    self.site_ty(a.site),
                    self.site_ty(b.site),
                );
                match at {
                    Some(st) => {
                        let st = st.unwrap_or_else(|| quote!(0));
                        quote!({
                            let __nq_b0: usize = {
                                #[allow(unused_variables)]
                                let #k = __nq_r.start;
                                let #p = __nq_q.start;
                                #bi
                            };
                            ::number_rt::__private::columns_at::<#t_acc, #t_a, #t_b, _, _, _>(
                                #tacc, #ta, &#bn[..], __nq_b0, #st,
                            )
                        })
                    }
                    None => quote!(
                        ::number_rt::__private::columns::<#t_acc, #t_a, #t_b, _, _, _>(#tacc, #ta, #col)
                    ),
                }
            }
            _ => {
                let i = super::lit_idx(acc_site);
                match (a.weight, a.site, b.weight) {
                    // While GPTQ captures second moments: the columns the weight row multiplies.
                    (true, Some(w), false) => {
                        let (w, ai) = (super::lit_idx(w), a.index);
                        // (The closure twice rather than shared by reference: that kept the emulation
                        // kernel from specialising on it, 1.4x slower on MobileNet.)
                        quote!({
                            __nq.gram_columns(#w, { let #k = __nq_r.start; #ai }, __nq_n, __nq_m, #col);
                            __nq.columns(#i, #tacc, #ta, #col)
                        })
                    }
                    _ => quote!(__nq.columns(#i, #tacc, #ta, #col)),
                }
            }
        };
        Some(syn::parse_quote!({
            let __nq_r = #lo..#hi;
            let __nq_q = #plo..#phi;
            if __nq_r.start < __nq_r.end && __nq_q.start < __nq_q.end {
                let __nq_n = __nq_r.end - __nq_r.start;
                let __nq_m = __nq_q.end - __nq_q.start;
                #rows
                #tile_a
                let #ta = #slice_a;
                let #tacc = { let #p = __nq_q.start; &mut #acc[#ip..][..__nq_m] };
                #call;
            }
        }))
    }

    /// The strided copy replacing `f` in tuned builds, when it copies between typed bindings of one format:
    /// `for i in lo..hi { dst[id] = src[is]; }` with both indices affine in `i` with a step that is known before
    /// the loop ([`step`]; the indices free of sites and float literals). Element copies of typed bindings move
    /// the stored values, so one `copy_strided` call (a masked move or `copy_from_slice` for unit steps, a loop
    /// without per-element bounds checks otherwise) does the same: an im2col row, a strided gather.
    ///
    /// In calibrate builds the same copy is returned for the caller to run when not profiling (the element loop
    /// assigns values of the site's format to the same site, and rounding is idempotent, so the copy is the
    /// same; when profiling, the element loop records each value).
    pub(super) fn copy_loop(&self, f: &ExprForLoop) -> Option<Expr> {
        let tuned = self.qgen?.mode == Mode::Tuned;
        let (var, lo, hi, body) = self.simple_loop(f)?;
        let Expr::Assign(asg) = body else { return None };
        let (dst, id) = indexed(&asg.left)?;
        let (src, is) = indexed(&asg.right)?;
        let typed = |name: &Ident| match self.lookup(&name.to_string()) {
            Some(Binding::Site {
                site: Some(i),
                typed: true,
                weight: false,
                ..
            }) if tuned => Some(*i),
            Some(Binding::Site {
                site: Some(i),
                weight: false,
                shape,
                ..
            }) if !tuned && shape.indexable() => Some(*i),
            _ => None,
        };
        let (d, s) = (typed(dst)?, typed(src)?);
        if dst == src || self.sites[d].ident != self.sites[s].ident {
            return None;
        }
        let mut steps = Vec::new();
        for ix in [id, is] {
            let ts = quote!(#ix);
            if !self.site_free(&ts) || has_float_literal(&ts) {
                return None;
            }
            steps.push(step(ix, var)?.unwrap_or_else(|| quote!(0)));
        }
        let (ds, ss) = (&steps[0], &steps[1]);
        Some(syn::parse_quote!({
            let __nq_r = #lo..#hi;
            if __nq_r.start < __nq_r.end {
                let __nq_d: usize = { let #var = __nq_r.start; #id };
                let __nq_s: usize = { let #var = __nq_r.start; #is };
                ::number_rt::__private::copy_strided(
                    &mut #dst[__nq_d..], #ds, &#src[__nq_s..], #ss, __nq_r.end - __nq_r.start,
                );
            }
        }))
    }
}
