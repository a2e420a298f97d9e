//! Static custom-float types. (STUB)
/// `float<E,M,B>`.
#[derive(Clone, Copy, Debug, Default, PartialEq, PartialOrd)]
pub struct Float<const E: u32, const M: u32, const B: i32>(pub u32);
/// OCP FP8 E4M3.
pub type E4m3 = Float<4, 3, 7>;
/// OCP FP8 E5M2.
pub type E5m2 = Float<5, 2, 15>;
/// OCP MX FP6 E3M2.
pub type E3m2 = Float<3, 2, 3>;
/// OCP MX FP6 E2M3.
pub type E2m3 = Float<2, 3, 1>;
/// OCP MX FP4 E2M1.
pub type E2m1 = Float<2, 1, 1>;
/// bfloat16.
pub type Bf16 = Float<8, 7, 127>;
/// binary16.
pub type F16 = Float<5, 10, 15>;
