//! Property tests of the kernels on packed weight rows (`dot::rows`): `dot` of a packed row (either operand) and
//! a slice returns exactly, bit for bit, what `dot::dot` returns on the decoded row, for every width 1..=16 of the
//! formats that have it (`fixed`, `ufixed`, `binary`, `block` with short and long blocks, floats), against byte
//! operands of either signedness, wider operands and f32 values, with `f32` and fixed-point accumulators, for any
//! row (start and length) and starting accumulator (on the products' grid or not), under every set of kernels the
//! CPU has. `sum` and `columns` of a packed row equal theirs
//! on the decoded row.
use number_formats::dot::{self, cpu, rows};
use number_formats::packed::{Packed, Row, Unpacked};
use number_formats::{Binary, Blocked, E4m3, Fixed, Float, Number, UFixed};
use proptest::prelude::*;

fn inputs() -> impl Strategy<Value = Vec<f32>> {
    prop::collection::vec(
        prop_oneof![(-4.0f32..4.0), (-0.3f32..0.3), Just(0.0f32)],
        0..400,
    )
}

fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits()
}

fn check_x<T: Number, X: Number, A: Number>(
    ws: &[f32],
    xs: &[f32],
    acc: f32,
    a: usize,
    b: usize,
) -> Result<(), TestCaseError> {
    let v = T::from_f32_slice(ws);
    let p = Packed::<T>::from_values(&v);
    let n = v.len();
    let (s, e) = (a % (n + 1), b % (n + 1));
    let (s, e) = (s.min(e), s.max(e));
    let l = e - s;
    let x: Vec<X> = (0..l)
        .map(|i| X::from_f32(xs.get(i % xs.len().max(1)).copied().unwrap_or(0.0)))
        .collect();
    let acc = A::quantize(acc);
    for k in cpu::every_available() {
        cpu::limit(Some(k));
        let want = dot::dot::<A, T, X, _, _>(acc, &v[s..e], &x);
        let mut buf = Unpacked::<T, 64>::new();
        let got = rows::dot::<A, T, X, _, _>(acc, Row::Packed(p.slice(s, l), &mut buf), &x[..]);
        let want_swapped = dot::dot::<A, X, T, _, _>(acc, &x, &v[s..e]);
        let mut buf = Unpacked::<T, 4096>::new();
        let got_swapped =
            rows::dot::<A, X, T, _, _>(acc, &x[..], Row::Packed(p.slice(s, l), &mut buf));
        cpu::limit(None);
        prop_assert!(
            same(got, want),
            "{} x {} {:?}: {} != {} ({s}+{l})",
            T::FORMAT,
            X::FORMAT,
            k,
            got,
            want
        );
        prop_assert!(
            same(got_swapped, want_swapped),
            "{} swapped {:?}",
            T::FORMAT,
            k
        );
    }
    // sum and columns take the row decoded.
    let mut buf = Unpacked::<T, 64>::new();
    prop_assert!(same(
        rows::sum::<A, T, _>(acc, Row::Packed(p.slice(s, l), &mut buf)),
        dot::sum::<A, T, _>(acc, &v[s..e])
    ));
    let cols: Vec<X> = (0..3 * l)
        .map(|i| X::from_f32(xs.get(i % xs.len().max(1)).copied().unwrap_or(0.0)))
        .collect();
    let (mut y0, mut y1) = (vec![A::from_f32(acc); 3], vec![A::from_f32(acc); 3]);
    dot::columns::<A, T, X, A, _, X>(&mut y0, &v[s..e], |k| &cols[3 * k..3 * k + 3]);
    let mut buf = Unpacked::<T, 64>::new();
    rows::columns::<A, T, X, A, _, X>(&mut y1, Row::Packed(p.slice(s, l), &mut buf), |k| {
        &cols[3 * k..3 * k + 3]
    });
    prop_assert!(y0.iter().zip(&y1).all(|(a, b)| a.to_code() == b.to_code()));
    Ok(())
}

fn check<T: Number>(
    ws: &[f32],
    xs: &[f32],
    acc: f32,
    a: usize,
    b: usize,
) -> Result<(), TestCaseError> {
    check_x::<T, UFixed<8, 4>, f32>(ws, xs, acc, a, b)?;
    check_x::<T, Fixed<8, 5>, f32>(ws, xs, acc, a, b)?;
    check_x::<T, UFixed<8, 0>, f32>(ws, xs, acc, a, b)?;
    check_x::<T, Fixed<8, 1>, Fixed<16, 6>>(ws, xs, acc, a, b)?;
    check_x::<T, UFixed<6, 3>, f32>(ws, xs, acc, a, b)?;
    check_x::<T, Fixed<12, 6>, f32>(ws, xs, acc, a, b)?;
    check_x::<T, f32, f32>(ws, xs, acc, a, b)?;
    Ok(())
}

macro_rules! formats {
    ($($name:ident: $($t:ty),* ;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(24))]
            $(
                #[test]
                fn $name(ws in inputs(), xs in inputs(), acc in prop_oneof![Just(0.0f32), (-8i32..8).prop_map(|v| v as f32), (-8.0f32..8.0)], a in any::<usize>(), b in any::<usize>()) {
                    $( check::<$t>(&ws, &xs, acc, a, b)?; )*
                }
            )*
        }
    };
}

formats! {
    fixed_2_to_8: Fixed<2, 0>, Fixed<3, 1>, Fixed<4, 2>, Fixed<5, 3>, Fixed<6, 4>, Fixed<7, -2>, Fixed<8, 5>;
    fixed_9_to_16: Fixed<9, 6>, Fixed<12, 10>, Fixed<16, 14>;
    ufixed_1_to_8: UFixed<1, 0>, UFixed<2, 1>, UFixed<3, 2>, UFixed<4, 4>, UFixed<5, 3>, UFixed<6, 6>, UFixed<7, 1>, UFixed<8, 7>;
    ufixed_9_to_16: UFixed<9, 4>, UFixed<13, 6>, UFixed<16, 12>;
    binary_1: Binary<0>, Binary<3>, Binary<-2>;
    blocked_1_to_7: Blocked<1, 0, 1>, Blocked<1, 2, 32>, Blocked<2, 0, 7>, Blocked<2, 2, 40>, Blocked<3, 1, 32>, Blocked<4, 2, 16>, Blocked<5, -1, 100>, Blocked<6, 3, 33>, Blocked<7, 0, 64>, Blocked<7, 1, 48>;
    floats: Float<2, 1, 1>, E4m3;
}
