//! Static fixed-point types. (STUB)
/// Signed fixed point `fixed<W,F>`.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Fixed<const W: u32, const F: i32>(pub i32);
/// Unsigned fixed point `ufixed<W,F>`.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct UFixed<const W: u32, const F: i32>(pub u32);
