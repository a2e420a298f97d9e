//! Rows and elements of a weight read through iterators, rewritten into the index loops the reducer turns into
//! kernels (calibrate and tuned builds; plain builds compile the code as written):
//!
//! - **rows**: `w.chunks(n)` / `w.chunks_exact(n)` over a weight `w`, in a `for` loop or an iterator chain ending
//!   in a closure (`map`, `for_each`, …), possibly through `enumerate`, `zip`, `rev`, `skip`, `take` and
//!   `step_by`, iterates the row indices `0..w.len().div_ceil(n)` (`w.len() / n` for `chunks_exact`) instead, and
//!   the row binding `row` becomes the range of the weight it stands for: `row[i]` is `w[r * n + i]`,
//!   `row[a..b]` is `w[r * n + a..r * n + b]`, `row.len()` the row's length, any other `row` the slice
//!   `&w[r * n..end]`. So `for (o, row) in w.chunks(n).enumerate() { acc += row[i] * x[i] … }` and
//!   `w.chunks(n).map(|row| row.iter().zip(x).map(|(a, v)| a * v).sum::<f32>())` read the weight by index,
//!   whole rows at their offsets (which GPTQ capture needs), and their inner products become kernels.
//! - **elements**: `for (a, v) in p.iter().zip(q) { … }` and `for (i, a) in p.iter().enumerate() { … }`, where
//!   `p` or `q` is a weight or a range of one, becomes `for i in 0..min(len_p, len_q) { … }` with `a` and `v`
//!   replaced by `p[start_p + i]` and `q[start_q + i]` (by value where the code uses the value: operands of
//!   arithmetic, `*a`, method receivers; `&p[…]` elsewhere), so an accumulation `acc += a * v` in the body is
//!   an accumulation loop.
//!
//! - **index ranges**: `(lo..hi).map(|i| a[ia] * b[ib]).sum::<f32>()` with a weight `a` or `b` becomes the
//!   accumulation loop `for i in lo..hi { dot += a[ia] * b[ib] }` with an accumulator site `dot`, as the
//!   iterator inner products of [`super::zip`] do.
//!
//! Every rewrite computes the same values in the same order as the iterator code (a `chunks` of size 0 panics
//! with the same message). A rewrite is not made, and the general rules apply, when the body rebinds a name the
//! rewrite substitutes or depends on, or names it inside a macro, or when the binding is `mut`, `ref` or typed
//! otherwise than as a slice.
use super::{Binding, Walker, single_ident};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit::{self, Visit};
use syn::visit_mut::{self, VisitMut};
use syn::{BinOp, Expr, ExprForLoop, Ident, Pat, RangeLimits, Stmt, UnOp, parse_quote};

/// `e` without parentheses and groups.
fn bare(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => bare(&p.expr),
        Expr::Group(g) => bare(&g.expr),
        _ => e,
    }
}

/// A chunk size the rewrite may evaluate more than once: literals, paths, fields, `.len()` and integer
/// arithmetic of those.
fn simple(e: &Expr) -> bool {
    match e {
        Expr::Lit(_) | Expr::Path(_) => true,
        Expr::Paren(p) => simple(&p.expr),
        Expr::Group(g) => simple(&g.expr),
        Expr::Field(f) => simple(&f.base),
        Expr::MethodCall(m) => m.method == "len" && m.args.is_empty() && simple(&m.receiver),
        Expr::Binary(b) => {
            matches!(
                b.op,
                BinOp::Add(_) | BinOp::Sub(_) | BinOp::Mul(_) | BinOp::Div(_)
            ) && simple(&b.left)
                && simple(&b.right)
        }
        _ => false,
    }
}

/// The identifiers an expression mentions (paths of one segment).
fn idents_of(e: &Expr) -> Vec<String> {
    struct V(Vec<String>);
    impl<'a> Visit<'a> for V {
        fn visit_expr_path(&mut self, p: &'a syn::ExprPath) {
            if let Some(i) = p.path.get_ident() {
                self.0.push(i.to_string());
            }
        }
    }
    let mut v = V(Vec::new());
    v.visit_expr(e);
    v.0
}

/// Whether `body` binds any of `names` (a `let`, closure, `for`, `match` or `if let` pattern) or mentions one
/// inside a macro.
fn rebinds_or_hides<'a>(body: impl FnOnce(&mut dyn Visit<'a>), names: &[String]) -> bool {
    struct V<'n> {
        names: &'n [String],
        hit: bool,
    }
    impl<'a> Visit<'a> for V<'_> {
        fn visit_pat_ident(&mut self, p: &'a syn::PatIdent) {
            self.hit |= self.names.iter().any(|n| p.ident == n);
            visit::visit_pat_ident(self, p);
        }
        fn visit_macro(&mut self, m: &'a syn::Macro) {
            fn mentions(ts: TokenStream, names: &[String]) -> bool {
                ts.into_iter().any(|t| match t {
                    proc_macro2::TokenTree::Ident(i) => names.iter().any(|n| i == n),
                    proc_macro2::TokenTree::Group(g) => mentions(g.stream(), names),
                    _ => false,
                })
            }
            self.hit |= mentions(m.tokens.clone(), self.names);
        }
    }
    let mut v = V { names, hit: false };
    body(&mut v);
    v.hit
}

/// The identifiers a pattern binds.
fn bound(p: &Pat) -> Vec<String> {
    let mut out = Vec::new();
    super::pat_idents(p, &mut out);
    out
}

/// The plain binding `x` (no `mut`, `ref` or sub-pattern) at `p`, through parentheses and, with `typed`, a type
/// ascription.
fn plain_ident(p: &Pat, typed: bool) -> Option<&Ident> {
    match p {
        Pat::Ident(i) if i.by_ref.is_none() && i.mutability.is_none() && i.subpat.is_none() => {
            Some(&i.ident)
        }
        Pat::Paren(x) => plain_ident(&x.pat, typed),
        Pat::Type(t) if typed => plain_ident(&t.pat, typed),
        _ => None,
    }
}

/// The sub-pattern at `path` (tuple positions from the outside in).
fn at_path<'p>(p: &'p mut Pat, path: &[usize]) -> Option<&'p mut Pat> {
    match path.split_first() {
        None => Some(p),
        Some((&i, rest)) => match p {
            Pat::Paren(x) => at_path(&mut x.pat, path),
            Pat::Tuple(t) if t.elems.len() == 2 => at_path(&mut t.elems[i], rest),
            _ => None,
        },
    }
}

/// A weight read as rows: `w.chunks(n)` or `w.chunks_exact(n)`.
struct Chunks {
    w: Ident,
    n: Expr,
    exact: bool,
}

impl Chunks {
    /// The first index of row `r` and the index past its end.
    fn bounds(&self, r: &Ident) -> (TokenStream, TokenStream) {
        let (w, n) = (&self.w, &self.n);
        let start = quote!((#r * (#n)));
        let end = if self.exact {
            quote!((#r * (#n) + (#n)))
        } else {
            quote!(::core::cmp::min(#r * (#n) + (#n), #w.len()))
        };
        (start, end)
    }

    /// The row indices the chunks stand for.
    fn indices(&self) -> Expr {
        let (w, n) = (&self.w, &self.n);
        let count = if self.exact {
            quote!(#w.len() / __nq_rn)
        } else {
            quote!(#w.len().div_ceil(__nq_rn))
        };
        parse_quote!({
            let __nq_rn: usize = #n;
            assert!(__nq_rn != 0, "chunk size must be non-zero");
            0..#count
        })
    }

    /// The names the rewrite depends on: the weight's and those of the chunk size.
    fn depends(&self) -> Vec<String> {
        let mut v = idents_of(&self.n);
        v.push(self.w.to_string());
        v
    }
}

/// Replaces, in a body, a binding for one element or one row by the expressions it stands for.
struct Subst<'s> {
    name: &'s Ident,
    /// The element (or row range) as a place: `w[idx]`, or `w[start..end]` for a row.
    place: Expr,
    /// For a row: its start and end, for its indexing, ranges and length.
    row: Option<(TokenStream, TokenStream, &'s Ident)>,
    /// An element bound by value (`&a` patterns): every use is the place.
    by_value: bool,
}

impl Subst<'_> {
    fn is_name(&self, e: &Expr) -> bool {
        single_ident(e) == Some(self.name)
    }
}

impl VisitMut for Subst<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Some((start, end, w)) = self.row.clone() {
            match e {
                Expr::Index(ix) if self.is_name(&ix.expr) => {
                    self.visit_expr_mut(&mut ix.index);
                    *e = match &*ix.index {
                        Expr::Range(r) if matches!(r.limits, RangeLimits::HalfOpen(_)) => {
                            let lo = match &r.start {
                                Some(lo) => quote!(#start + (#lo)),
                                None => start.clone(),
                            };
                            let hi = match &r.end {
                                Some(hi) => quote!(#start + (#hi)),
                                None => end.clone(),
                            };
                            parse_quote!(#w[#lo..#hi])
                        }
                        Expr::Range(r) => {
                            let (lo, hi) = (&r.start, &r.end);
                            let lo = lo
                                .as_ref()
                                .map_or(start.clone(), |lo| quote!(#start + (#lo)));
                            parse_quote!(#w[#lo..=#start + (#hi)])
                        }
                        i => parse_quote!(#w[#start + (#i)]),
                    };
                    return;
                }
                Expr::MethodCall(m) if self.is_name(&m.receiver) && m.args.is_empty() => {
                    if m.method == "len" {
                        *e = parse_quote!((#end - #start));
                        return;
                    }
                    if m.method == "is_empty" {
                        *e = parse_quote!((#end == #start));
                        return;
                    }
                }
                _ => {}
            }
        }
        match e {
            Expr::MethodCall(m) if self.is_name(&m.receiver) => {
                let place = &self.place;
                *m.receiver = parse_quote!(#place);
                for a in &mut m.args {
                    self.visit_expr_mut(a);
                }
            }
            Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)) && self.is_name(&u.expr) => {
                *e = self.place.clone();
            }
            Expr::Binary(b)
                if self.row.is_none()
                    && matches!(
                        b.op,
                        BinOp::Add(_)
                            | BinOp::Sub(_)
                            | BinOp::Mul(_)
                            | BinOp::Div(_)
                            | BinOp::AddAssign(_)
                            | BinOp::SubAssign(_)
                            | BinOp::MulAssign(_)
                            | BinOp::DivAssign(_)
                    ) =>
            {
                // `&f32` and `f32` operands of arithmetic give the same `f32`.
                for side in [&mut b.left, &mut b.right] {
                    if self.is_name(side) {
                        **side = self.place.clone();
                    } else {
                        self.visit_expr_mut(side);
                    }
                }
            }
            _ if self.is_name(e) => {
                let place = &self.place;
                *e = if self.by_value {
                    place.clone()
                } else {
                    parse_quote!((&#place))
                };
            }
            _ => visit_mut::visit_expr_mut(self, e),
        }
    }
}

/// How the items of an iterator chain carry a source's items: tuple positions from the outside in.
type ItemPath = Vec<usize>;

impl Walker<'_> {
    fn is_weight(&self, name: &Ident) -> bool {
        matches!(
            self.lookup(&name.to_string()),
            Some(Binding::Site { weight: true, .. })
        )
    }

    /// `w.chunks(n)` / `w.chunks_exact(n)` over a weight binding `w`, with a [`simple`] `n`.
    fn chunks_of(&self, e: &Expr) -> Option<Chunks> {
        let Expr::MethodCall(m) = bare(e) else {
            return None;
        };
        let exact = match m.method.to_string().as_str() {
            "chunks" => false,
            "chunks_exact" => true,
            _ => return None,
        };
        let w = single_ident(&m.receiver)?;
        if m.args.len() != 1 || !simple(&m.args[0]) || !self.is_weight(w) {
            return None;
        }
        Some(Chunks {
            w: w.clone(),
            n: m.args[0].clone(),
            exact,
        })
    }

    /// Finds the chunks of a weight in an iterator chain, replaces them by their row indices and returns where
    /// the chain's items carry them.
    fn take_chunks(&self, e: &mut Expr) -> Option<(ItemPath, Chunks)> {
        if let Some(c) = self.chunks_of(e) {
            *e = c.indices();
            return Some((Vec::new(), c));
        }
        let Expr::MethodCall(m) = e else {
            return match e {
                Expr::Paren(p) => self.take_chunks(&mut p.expr),
                _ => None,
            };
        };
        match (m.method.to_string().as_str(), m.args.len()) {
            ("enumerate", 0) => {
                let (mut path, c) = self.take_chunks(&mut m.receiver)?;
                path.insert(0, 1);
                Some((path, c))
            }
            ("zip", 1) => {
                if let Some((mut path, c)) = self.take_chunks(&mut m.receiver) {
                    path.insert(0, 0);
                    return Some((path, c));
                }
                let (mut path, c) = self.take_chunks(&mut m.args[0])?;
                path.insert(0, 1);
                Some((path, c))
            }
            ("rev", 0) | ("skip", 1) | ("take", 1) | ("step_by", 1) => {
                self.take_chunks(&mut m.receiver)
            }
            _ => None,
        }
    }

    /// Rewrites `body` for a row binding at `path` of `pat`: the binding becomes the row index.
    fn rows_in(
        &self,
        pat: &mut Pat,
        path: &[usize],
        c: &Chunks,
        body: &mut dyn FnMut(&mut Subst),
    ) -> Option<()> {
        let at = at_path(pat, path)?;
        let row = plain_ident(at, true)?.clone();
        let r = format_ident!("__nq_row_{}", row);
        *at = parse_quote!(#r);
        let (start, end) = c.bounds(&r);
        let w = &c.w;
        let mut s = Subst {
            name: &row,
            place: parse_quote!(#w[#start..#end]),
            row: Some((start, end, w)),
            by_value: false,
        };
        body(&mut s);
        Some(())
    }

    /// A `for` loop over rows of a weight, as index loops (see the module docs).
    fn chunk_rows_loop(&self, f: &ExprForLoop) -> Option<Expr> {
        let mut f = f.clone();
        let (path, c) = self.take_chunks(&mut f.expr)?;
        let mut names = c.depends();
        let row = plain_ident(at_path(&mut f.pat.clone(), &path)?, true)?.to_string();
        names.push(row.clone());
        let others: Vec<String> = bound(&f.pat).into_iter().filter(|n| *n != row).collect();
        if others.iter().any(|n| names.contains(n))
            || rebinds_or_hides(|v| v.visit_block(&f.body), &names)
        {
            return None;
        }
        let mut body = f.body.clone();
        self.rows_in(&mut f.pat, &path, &c, &mut |s| s.visit_block_mut(&mut body))?;
        f.body = body;
        Some(Expr::ForLoop(f))
    }

    /// An iterator chain over rows of a weight ending in a closure (`.map(|row| …)`, `.for_each(…)`, …), its
    /// closure reading the rows by index (see the module docs).
    fn chunk_rows_chain(&self, e: &Expr) -> Option<Expr> {
        let Expr::MethodCall(m) = e else {
            return None;
        };
        let takes_item = matches!(
            m.method.to_string().as_str(),
            "map"
                | "for_each"
                | "flat_map"
                | "filter_map"
                | "any"
                | "all"
                | "try_for_each"
                | "find_map"
        );
        if !takes_item || m.args.len() != 1 {
            return None;
        }
        let Expr::Closure(closure) = &m.args[0] else {
            return None;
        };
        if closure.inputs.len() != 1 {
            return None;
        }
        let mut m = m.clone();
        let (path, c) = self.take_chunks(&mut m.receiver)?;
        let Expr::Closure(closure) = &mut m.args[0] else {
            unreachable!("checked above")
        };
        let pat = &mut closure.inputs[0];
        let mut names = c.depends();
        let row = plain_ident(at_path(&mut pat.clone(), &path)?, true)?.to_string();
        names.push(row.clone());
        let others: Vec<String> = bound(pat).into_iter().filter(|n| *n != row).collect();
        if others.iter().any(|n| names.contains(n))
            || rebinds_or_hides(|v| v.visit_expr(&closure.body), &names)
        {
            return None;
        }
        let mut body = (*closure.body).clone();
        self.rows_in(pat, &path, &c, &mut |s| s.visit_expr_mut(&mut body))?;
        *closure.body = body;
        Some(Expr::MethodCall(m))
    }

    /// A `for` loop over the elements of a weight (`p.iter().zip(q)`, `p.iter().enumerate()`), as an index loop
    /// (see the module docs).
    fn element_loop(&self, f: &ExprForLoop) -> Option<Expr> {
        let Expr::MethodCall(m) = bare(&f.expr) else {
            return None;
        };
        let Pat::Tuple(t) = &*f.pat else {
            return None;
        };
        if t.elems.len() != 2 {
            return None;
        }
        // The element bindings: the slice they come from and whether they bind the value (`&a`).
        let element = |p: &Pat| -> Option<(Ident, bool)> {
            match p {
                Pat::Reference(r) if r.mutability.is_none() => {
                    Some((plain_ident(&r.pat, false)?.clone(), true))
                }
                p => Some((plain_ident(p, false)?.clone(), false)),
            }
        };
        let i = format_ident!("__nq_zi");
        let (index, elems) = match (m.method.to_string().as_str(), m.args.len()) {
            ("zip", 1) => {
                super::zip::call(&m.receiver, "iter", 0)?;
                let a = super::zip::slice_of(&m.receiver)?;
                let b = super::zip::slice_of(&m.args[0])?;
                let (pa, pb) = (element(&t.elems[0])?, element(&t.elems[1])?);
                (i, vec![(pa, a), (pb, b)])
            }
            ("enumerate", 0) => {
                super::zip::call(&m.receiver, "iter", 0)?;
                let a = super::zip::slice_of(&m.receiver)?;
                let index = plain_ident(&t.elems[0], false)?.clone();
                (index, vec![(element(&t.elems[1])?, a)])
            }
            _ => return None,
        };
        if !elems.iter().any(|(_, (n, _, _))| self.is_weight(n)) {
            return None;
        }
        // Names the body must leave alone: the element bindings, the slices and their bounds, the index.
        let mut names = vec![index.to_string()];
        for ((p, _), (n, lo, hi)) in &elems {
            names.push(p.to_string());
            names.push(n.to_string());
            lo.iter().chain(hi).for_each(|e| names.extend(idents_of(e)));
        }
        if rebinds_or_hides(|v| v.visit_block(&f.body), &names) {
            return None;
        }
        let mut body = f.body.clone();
        let mut lens = Vec::new();
        for ((p, by_value), (n, lo, hi)) in &elems {
            let at = match lo {
                Some(lo) => quote!((#lo) + #index),
                None => quote!(#index),
            };
            lens.push(super::zip::slice_len(n, *lo, *hi));
            Subst {
                name: p,
                place: parse_quote!(#n[#at]),
                row: None,
                by_value: *by_value,
            }
            .visit_block_mut(&mut body);
        }
        let len = match &lens[..] {
            [a] => a.clone(),
            [a, b] => quote!(::core::cmp::min(#a, #b)),
            _ => unreachable!("one or two slices"),
        };
        let (attrs, label) = (&f.attrs, &f.label);
        Some(parse_quote!({
            let __nq_zn = #len;
            #(#attrs)* #label for #index in 0..__nq_zn #body
        }))
    }

    /// The index-loop form of `e` when it reads a weight's rows or elements through iterators (see the module
    /// docs); `None` leaves `e` as it is.
    pub(super) fn desugar_rows(&self, e: &Expr) -> Option<Expr> {
        match e {
            Expr::ForLoop(f) => self.chunk_rows_loop(f).or_else(|| self.element_loop(f)),
            Expr::MethodCall(_) => self.chunk_rows_chain(e),
            _ => None,
        }
    }
}

/// Whether `stmts` assign to one of `names` (`x = …`, `x += …`) or borrow it mutably (`&mut x`).
fn assigns(stmts: &[Stmt], names: &[String]) -> bool {
    struct V<'n> {
        names: &'n [String],
        hit: bool,
    }
    impl V<'_> {
        fn root(&self, e: &Expr) -> bool {
            match e {
                Expr::Field(f) => self.root(&f.base),
                Expr::Index(i) => self.root(&i.expr),
                Expr::Paren(p) => self.root(&p.expr),
                e => single_ident(e).is_some_and(|i| self.names.iter().any(|n| i == n)),
            }
        }
    }
    impl<'a> Visit<'a> for V<'_> {
        fn visit_expr(&mut self, e: &'a Expr) {
            match e {
                Expr::Assign(a) => self.hit |= self.root(&a.left),
                Expr::Binary(b) if super::base_op(&b.op).is_some() => {
                    self.hit |= self.root(&b.left)
                }
                Expr::Reference(r) if r.mutability.is_some() => self.hit |= self.root(&r.expr),
                _ => {}
            }
            visit::visit_expr(self, e);
        }
    }
    let mut v = V { names, hit: false };
    stmts.iter().for_each(|s| v.visit_stmt(s));
    v.hit
}

impl Walker<'_> {
    /// `let v = &s[lo..hi];` (also `lo..`, `..hi`; untyped or `&[f32]`) of a site `s` at `stmts[0]`: the
    /// statements after it read `s` by index instead (`v[i]` is `s[lo + i]`, `v.len()` is `hi - lo`, any other
    /// `v` the slice `&s[lo..hi]`), and the `let` becomes a bounds check with the slice's panic. So an inner
    /// product over a window of an input (`for (a, p) in row.iter().zip(window)`) or over a row of a weight
    /// (`let row = &w[o * n..(o + 1) * n]`) is an accumulation loop. Not made when the later statements rebind
    /// `v`, `s` or a name of the bounds, assign to a name of the bounds, or name `v` inside a macro.
    pub(super) fn slice_view(&self, stmts: &mut [Stmt]) {
        let Some((Stmt::Local(l), rest)) = stmts.split_first_mut() else {
            return;
        };
        let v = match &l.pat {
            Pat::Type(t) => {
                let ty = &t.ty;
                if quote!(#ty).to_string().replace(' ', "") != "&[f32]" {
                    return;
                }
                plain_ident(&t.pat, false)
            }
            p => plain_ident(p, false),
        };
        let (Some(v), Some(init)) = (v.cloned(), &l.init) else {
            return;
        };
        if init.diverge.is_some() {
            return;
        }
        let Expr::Reference(r) = bare(&init.expr) else {
            return;
        };
        let Expr::Index(ix) = bare(&r.expr) else {
            return;
        };
        let (Some(s), Expr::Range(range)) = (single_ident(&ix.expr), bare(&ix.index)) else {
            return;
        };
        if r.mutability.is_some()
            || !matches!(range.limits, RangeLimits::HalfOpen(_))
            || !matches!(self.lookup(&s.to_string()), Some(Binding::Site { .. }))
            || !range.start.iter().chain(&range.end).all(|e| simple(e))
        {
            return;
        }
        let bounds: Vec<String> = range
            .start
            .iter()
            .chain(&range.end)
            .flat_map(|e| idents_of(e))
            .collect();
        let mut names = bounds.clone();
        names.push(s.to_string());
        if rebinds_or_hides(
            |w| rest.iter().for_each(|st| w.visit_stmt(st)),
            &[v.to_string()],
        ) || rebinds_or_hides(
            |w| {
                struct Pats<'w, 'a>(&'w mut dyn Visit<'a>);
                impl<'a> Visit<'a> for Pats<'_, 'a> {
                    fn visit_pat_ident(&mut self, p: &'a syn::PatIdent) {
                        self.0.visit_pat_ident(p);
                    }
                }
                let mut p = Pats(w);
                rest.iter().for_each(|st| p.visit_stmt(st));
            },
            &names,
        ) || assigns(rest, &bounds)
        {
            return;
        }
        let s = s.clone();
        let start = match &range.start {
            Some(lo) => quote!((#lo)),
            None => quote!(0usize),
        };
        let end = match &range.end {
            Some(hi) => quote!((#hi)),
            None => quote!(#s.len()),
        };
        let mut sub = Subst {
            name: &v,
            place: parse_quote!(#s[#start..#end]),
            row: Some((start.clone(), end.clone(), &s)),
            by_value: false,
        };
        rest.iter_mut().for_each(|st| sub.visit_stmt_mut(st));
        let what = format!("`{s}`");
        stmts[0] = parse_quote!({
            let (__nq_vs, __nq_ve): (usize, usize) = (#start, #end);
            assert!(
                __nq_vs <= __nq_ve && __nq_ve <= #s.len(),
                "range {}..{} out of bounds of {} (length {})",
                __nq_vs, __nq_ve, #what, #s.len()
            );
        });
    }
}

impl Walker<'_> {
    /// `(lo..hi).map(|i| a[ia] * b[ib]).sum::<f32>()`, an inner product over index ranges where `a` or `b` is a
    /// weight, as the accumulation loop `{ let mut dot: f32 = 0.0; for i in lo..hi { dot += a[ia] * b[ib]; } dot }`
    /// (like [`Walker::zip_dot`]), and `(lo..hi).fold(init, |acc, i| acc + a[ia] * b[ib])` as the same loop
    /// starting at `init`; `None` leaves `e` as it is.
    pub(super) fn range_dot(&self, e: &Expr) -> Option<Expr> {
        // `(lo..hi).map(|i| a * b).sum()`, or `(lo..hi).fold(init, |acc, i| acc + a * b)`.
        let super::zip::Reduction {
            receiver: range,
            item,
            product: m,
            init,
            span,
        } = super::zip::reduction(e)?;
        let Expr::Range(range) = bare(range) else {
            return None;
        };
        let (Some(_), Some(_), RangeLimits::HalfOpen(_)) = (&range.start, &range.end, range.limits)
        else {
            return None;
        };
        let i = plain_ident(item, false)?;
        if !matches!(m.op, BinOp::Mul(_)) {
            return None;
        }
        let base = |e: &Expr| match bare(e) {
            Expr::Index(ix) => single_ident(&ix.expr).cloned(),
            _ => None,
        };
        let (l, r) = (base(&m.left)?, base(&m.right)?);
        if !self.is_weight(&l) && !self.is_weight(&r) {
            return None;
        }
        let (left, right) = (&m.left, &m.right);
        Some(super::zip::dot_loop(
            span,
            quote!(),
            init,
            i,
            quote!(#range),
            quote!(#left),
            quote!(#right),
        ))
    }
}
