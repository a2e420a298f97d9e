//! Per-call cost of short inner products (`dot::rows::dot`), as tuned dense and recurrent layers call them: one
//! call per output row, rows of 12..64 values. `cargo run --release -p number-formats --features std --example
//! dot_calls` prints ns per call for each case under every kernel set the CPU has.
use number_formats::dot::{cpu, rows};
use number_formats::packed::{Packed, Row, Unpacked};
use number_formats::{Blocked, Fixed, Number, UFixed};
use std::hint::black_box;
use std::time::Instant;

fn vals(n: usize, seed: &mut u64) -> Vec<f32> {
    (0..n)
        .map(|_| {
            *seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((*seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

/// ns per call of `rows` dot calls of `n` values (weights `W` typed, activations `X` typed or f32, f32 acc).
fn case<W: Number, X: Number>(name: &str, n: usize, x_f32: bool, packed: bool) {
    // `DOT_CASE=text`: only the cases whose name contains it.
    if let Ok(f) = std::env::var("DOT_CASE")
        && !name.contains(&f)
    {
        return;
    }
    const ROWS: usize = 64;
    let mut seed = 7;
    let w = W::from_f32_slice(&vals(ROWS * n, &mut seed));
    let p = Packed::<W>::from_values(&w);
    let xv = vals(n, &mut seed);
    let xt: Vec<X> = xv.iter().map(|&v| X::from_f32(v.abs() * 0.9)).collect();
    let xf: Vec<f32> = xt.iter().map(|v| v.to_f32()).collect();
    let bias = vals(ROWS, &mut seed);
    let bias: Vec<f32> = bias.iter().map(|v| (v * 64.0).round() / 64.0).collect();
    let mut out = vec![0.0f32; ROWS];
    let mut run = |reps: usize| {
        for _ in 0..reps {
            for o in 0..ROWS {
                let wr = &w[o * n..(o + 1) * n];
                out[o] = if packed {
                    let mut buf = Unpacked::<W, 4096>::new();
                    let r = Row::Packed(p.slice(o * n, n), &mut buf);
                    if x_f32 {
                        rows::dot::<f32, W, X, _, _>(bias[o], r, black_box(&xf[..]))
                    } else {
                        rows::dot::<f32, W, X, _, _>(bias[o], r, black_box(&xt[..]))
                    }
                } else if x_f32 {
                    rows::dot::<f32, W, X, _, _>(bias[o], black_box(wr), black_box(&xf[..]))
                } else {
                    rows::dot::<f32, W, X, _, _>(bias[o], black_box(wr), black_box(&xt[..]))
                };
            }
            black_box(&mut out);
        }
    };
    run(200);
    let mut best = f64::MAX;
    for _ in 0..7 {
        let reps = 2000;
        let t = Instant::now();
        run(reps);
        let ns = t.elapsed().as_nanos() as f64 / (reps * ROWS) as f64;
        best = best.min(ns);
    }
    println!("  {name:<44} n {n:>3}: {best:6.2} ns/call");
}

fn main() {
    for k in cpu::every_available() {
        cpu::limit(Some(k));
        println!("{k:?}");
        for n in [12usize, 24, 28, 64] {
            case::<Fixed<3, 3>, Fixed<8, 5>>("fixed<3,3> x fixed<8,5> (i8 x i8)", n, false, false);
            case::<Fixed<5, 2>, UFixed<8, 8>>(
                "fixed<5,2> x ufixed<8,8> (i8 x u8)",
                n,
                false,
                false,
            );
            case::<Fixed<4, 3>, UFixed<8, 5>>("fixed<4,3> x ufixed<8,5> as f32", n, true, false);
            case::<Fixed<3, 3>, Fixed<8, 5>>("packed fixed<3,3> x fixed<8,5>", n, false, true);
            case::<Fixed<5, 2>, UFixed<8, 8>>("packed fixed<5,2> x ufixed<8,8>", n, false, true);
            case::<Fixed<10, 8>, Fixed<12, 8>>("fixed<10,8> x fixed<12,8> (i16)", n, false, false);
        }
        case::<Blocked<5, 2, 32>, UFixed<8, 4>>("block<5,2,32> x ufixed<8,4>", 32, false, false);
        case::<Blocked<5, 2, 32>, UFixed<8, 4>>(
            "packed block<5,2,32> x ufixed<8,4>",
            32,
            false,
            true,
        );
    }
    cpu::limit(None);
}
