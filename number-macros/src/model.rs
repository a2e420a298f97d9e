//! The parsed model of one `#[quantize]` function: its sites and how the expansion must treat them.
use proc_macro2::TokenStream;
use quote::quote;
use syn::Ident;

/// The build mode an expansion targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The original f32 code.
    Plain,
    /// Every site goes through `number_rt::emulate::Frame`.
    Calibrate,
    /// Static formats from `<L as f::Formats>`.
    Tuned,
}

/// What a site is: the contract's kind (the profile and the tuner use the same enum).
pub(crate) use number_contract::SiteKind as Kind;

/// The names generated code shares with `tuned.rs`, from the contract: the `Formats` trait, the `Single`
/// instance and the `FINGERPRINT` constant of a function's module.
pub(crate) struct Names {
    pub(crate) formats: Ident,
    pub(crate) single: Ident,
    pub(crate) fingerprint: Ident,
}

pub(crate) fn names() -> Names {
    use number_contract::tuned_file::{FINGERPRINT, FORMATS_TRAIT, SINGLE};
    let id = |s: &str| Ident::new(s, proc_macro2::Span::call_site());
    Names {
        formats: id(FORMATS_TRAIT),
        single: id(SINGLE),
        fingerprint: id(FINGERPRINT),
    }
}

/// The path of a site kind in generated code.
pub(crate) fn kind_path(k: Kind) -> TokenStream {
    let v = syn::Ident::new(k.variant(), proc_macro2::Span::call_site());
    quote!(::number_rt::__private::SiteKind::#v)
}

/// The shape of a float binding: how it is quantized on entry / assignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `f32` value (parameter or local).
    Scalar,
    /// `&f32` parameter.
    ScalarRef,
    /// `&mut f32` parameter.
    ScalarMut,
    /// `&[f32]` parameter.
    SliceRef,
    /// `&[f32; N]` parameter.
    ArrayRef,
    /// `&Vec<f32>` parameter.
    VecRef,
    /// `&mut [f32]`, `&mut [f32; N]`, `&mut Vec<f32>` parameter: quantized in place, element writes rounded.
    SliceMut,
    /// `[f32; N]` or `Vec<f32>` owned value (parameter or local).
    Owned,
}

impl Shape {
    /// Whether `x[i]` reads an f32 element.
    pub(crate) fn indexable(self) -> bool {
        matches!(
            self,
            Shape::SliceRef | Shape::ArrayRef | Shape::VecRef | Shape::SliceMut | Shape::Owned
        )
    }
    /// Whether `x[i] = v` writes an element of the site.
    pub(crate) fn element_writable(self) -> bool {
        matches!(self, Shape::SliceMut | Shape::Owned)
    }
}

/// One site of a function.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    /// The name before options: binding name (`x`, `acc_2`), `litN` or `ret`.
    pub raw: String,
    /// The ident after `rename` / `share`: the associated type name in `Formats`.
    pub ident: Ident,
    pub kind: Kind,
    /// Read by an inner-product kernel as its activation operand, and neither a weight nor an input parameter
    /// (the profile's `operand`: the tuner's integer inputs consider it).
    pub operand: bool,
}

/// A float parameter.
#[derive(Clone, Debug)]
pub(crate) struct Param {
    pub ident: Ident,
    pub mutable: bool,
    pub shape: Shape,
    /// Index into [`FnModel::sites`]; `None` when excluded.
    pub site: Option<usize>,
    pub weight: bool,
    /// Stored in its site's number type in tuned builds (weights, and inputs only indexed).
    pub typed: bool,
    /// A weight that is a field (`weights(self.w)`, `weights(l.w)`): the base it is read from; the body's
    /// `self.w` reads become reads of a binding `w` the prologue makes.
    pub field_of: Option<Ident>,
}

/// Everything the expansion needs about one function.
pub(crate) struct FnModel {
    /// The function's name (`dense`).
    pub fn_name: Ident,
    /// The name of the module emitted next to it (`dense`, or `dense_forward` for a method).
    pub mod_name: Ident,
    /// The instance type parameter, if any.
    pub instance: Option<Ident>,
    pub sites: Vec<Site>,
    pub params: Vec<Param>,
    pub fingerprint: u64,
    /// Weights the body uses as `f32` beyond indexing: tuned builds decode them into an `f32` view.
    pub f32_views: Vec<String>,
}

impl FnModel {
    /// Distinct site idents in order of first appearance (the associated types of `Formats`).
    pub(crate) fn idents(&self) -> Vec<Ident> {
        let mut out: Vec<Ident> = Vec::new();
        for s in &self.sites {
            if !out.contains(&s.ident) {
                out.push(s.ident.clone());
            }
        }
        out
    }
}
