//! Sites: every float value of a `#[quantize]` function, named `instance/function.ident`.
use number_formats::Format;
use std::collections::BTreeMap;

/// A configuration: full site name (`Fc1/dense.w`) → format. Sites it does not name stay `f32`.
pub type Config = BTreeMap<String, Format>;

/// What a site is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum SiteKind {
    /// A parameter declared as stored weights (`weights(...)`): counted by the parameter-bits objective.
    Weight,
    /// A float parameter that is not a weight (`&[f32]`, `f32`, `[f32; N]`, `Vec<f32>`).
    Input,
    /// A `&mut [f32]` parameter.
    Output,
    /// A local binding (accumulators included).
    Local,
    /// A float literal.
    Literal,
    /// The return value.
    Return,
}

impl SiteKind {
    /// Every kind, in declaration order.
    pub const ALL: [SiteKind; 6] = [
        SiteKind::Weight,
        SiteKind::Input,
        SiteKind::Output,
        SiteKind::Local,
        SiteKind::Literal,
        SiteKind::Return,
    ];

    /// The variant's name (`Weight`), as generated code spells it.
    pub fn variant(self) -> &'static str {
        match self {
            SiteKind::Weight => "Weight",
            SiteKind::Input => "Input",
            SiteKind::Output => "Output",
            SiteKind::Local => "Local",
            SiteKind::Literal => "Literal",
            SiteKind::Return => "Return",
        }
    }
}

/// The full name of a site: `instance/function.ident`, or `function.ident` for single-instance functions.
///
/// ```
/// assert_eq!(number_contract::site_name("Fc1", "dense", "w"), "Fc1/dense.w");
/// assert_eq!(number_contract::site_name("", "relu", "x"), "relu.x");
/// ```
pub fn site_name(instance: &str, function: &str, ident: &str) -> String {
    if instance.is_empty() {
        format!("{function}.{ident}")
    } else {
        format!("{instance}/{function}.{ident}")
    }
}
