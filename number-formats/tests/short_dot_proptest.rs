//! Property tests of short inner products (`dot::dot` and `dot::rows::dot`, the rows of small dense layers and
//! recurrent cells, which take the inlined short byte kernel): for fixed-point formats of many widths and binary
//! points (byte operands of either signedness, wider ones, f32 values of a fixed-point site), lengths 0..=80,
//! starting accumulators on and off the products' grid, zeros of either sign, NaN and infinities, with f32 and
//! fixed-point accumulators, under every set of kernels the CPU has, the result is the reference loop's, bit for
//! bit; packed rows of the same values give the same bits.
use number_formats::dot::{self, cpu, rows};
use number_formats::packed::{Packed, Row, Unpacked};
use number_formats::{Binary, Fixed, Number, UFixed};
use proptest::prelude::*;

fn acc_start() -> impl Strategy<Value = f32> {
    prop_oneof![
        (-64.0f32..64.0).prop_map(|v| (v * 256.0).round() / 256.0),
        (-64.0f32..64.0),
        Just(0.0f32),
        Just(-0.0f32),
        Just(f32::NAN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY),
        Just(1e30f32),
        Just(1e-40f32),
    ]
}

fn case() -> impl Strategy<Value = (Vec<f32>, Vec<f32>, f32, usize)> {
    (0usize..=80).prop_flat_map(|n| {
        (
            prop::collection::vec(-8.0f32..8.0, n),
            prop::collection::vec(-8.0f32..8.0, n),
            acc_start(),
            0usize..16,
        )
    })
}

fn check<A: Number, TA: Number, TB: Number>(
    ws: &[f32],
    xs: &[f32],
    acc: f32,
    off: usize,
) -> Result<(), TestCaseError> {
    // The weights as a row of a larger tensor at offset `off` (packed rows start at any bit).
    let mut all = vec![0.0f32; off];
    all.extend_from_slice(ws);
    let wt = TA::from_f32_slice(&all);
    let w = &wt[off..];
    let x: Vec<TB> = xs.iter().map(|&v| TB::from_f32(v)).collect();
    let xf: Vec<f32> = x.iter().map(|v| v.to_f32()).collect();
    let wf: Vec<f32> = w.iter().map(|v| v.to_f32()).collect();
    let p = Packed::<TA>::from_values(&wt);
    for acc in [acc, A::quantize(acc)] {
        let want = dot::reference::<A, TA, TB>(acc, w, &x).to_bits();
        for k in cpu::every_available() {
            cpu::limit(Some(k));
            let got = [
                dot::dot::<A, TA, TB, _, _>(acc, w, &x),
                dot::dot::<A, TB, TA, _, _>(acc, &x, w),
                dot::dot::<A, TA, TB, _, _>(acc, w, &xf[..]),
                dot::dot::<A, TB, TA, _, _>(acc, &xf[..], w),
                dot::dot::<A, TA, TB, _, _>(acc, &wf[..], &xf[..]),
                rows::dot::<A, TA, TB, _, _>(acc, w, &x[..]),
                {
                    let mut buf = Unpacked::<TA, 128>::new();
                    rows::dot::<A, TA, TB, _, _>(
                        acc,
                        Row::Packed(p.slice(off, w.len()), &mut buf),
                        &x[..],
                    )
                },
                {
                    let mut buf = Unpacked::<TA, 128>::new();
                    rows::dot::<A, TB, TA, _, _>(
                        acc,
                        &x[..],
                        Row::Packed(p.slice(off, w.len()), &mut buf),
                    )
                },
            ];
            cpu::limit(None);
            for (i, g) in got.iter().enumerate() {
                prop_assert_eq!(
                    g.to_bits(),
                    want,
                    "{} x {} into {}, n {}, acc {:e}, {:?}, form {}",
                    TA::FORMAT,
                    TB::FORMAT,
                    A::FORMAT,
                    w.len(),
                    acc,
                    k,
                    i
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn short_byte_rows((ws, xs, acc, off) in case()) {
        check::<f32, Fixed<3, 3>, Fixed<8, 5>>(&ws, &xs, acc, off)?;
        check::<f32, Fixed<5, 2>, UFixed<8, 8>>(&ws, &xs, acc, off)?;
        check::<f32, Fixed<8, 7>, Fixed<8, 7>>(&ws, &xs, acc, off)?;
        check::<f32, Fixed<8, 0>, Fixed<8, 0>>(&ws, &xs, acc, off)?;
        check::<f32, UFixed<8, 4>, UFixed<8, 4>>(&ws, &xs, acc, off)?;
        check::<f32, UFixed<8, 0>, Fixed<8, 0>>(&ws, &xs, acc, off)?;
        check::<f32, Fixed<2, 1>, UFixed<6, 2>>(&ws, &xs, acc, off)?;
        check::<f32, Binary<3>, Fixed<8, 7>>(&ws, &xs, acc, off)?;
        check::<f32, Fixed<4, -1>, UFixed<7, 9>>(&ws, &xs, acc, off)?;
    }

    #[test]
    fn short_rows_other_formats((ws, xs, acc, off) in case()) {
        check::<Fixed<16, 7>, Fixed<4, 3>, Fixed<4, 4>>(&ws, &xs, acc, off)?;
        check::<Fixed<12, 10>, Fixed<4, 3>, UFixed<8, 4>>(&ws, &xs, acc, off)?;
        check::<Fixed<8, 3>, Fixed<4, 3>, Fixed<8, 4>>(&ws, &xs, acc, off)?;
        check::<f32, Fixed<10, 8>, Fixed<12, 8>>(&ws, &xs, acc, off)?;
        check::<f32, Fixed<16, 12>, UFixed<8, 3>>(&ws, &xs, acc, off)?;
    }
}
