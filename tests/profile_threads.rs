//! The profile does not depend on the number of threads that ran the model: the same inputs give the same
//! profile (and hash) on 1 thread and on several (weight tensors are profiled once, not once per worker).
use number_rt::emulate;
use number_rt::quantize;
use rayon::prelude::*;

number_rt::instances!(Fc1, Fc2);

#[quantize(weights(w, b), mode = "calibrate")]
pub fn dense<L>(w: &[f32], b: &[f32], x: &[f32], y: &mut [f32]) {
    let n = x.len();
    for o in 0..y.len() {
        let mut acc: f32 = b[o];
        for i in 0..n {
            acc += w[o * n + i] * x[i];
        }
        y[o] = acc.max(0.0);
    }
}

fn profile_on(threads: usize, w1: &[f32], w2: &[f32], b: &[f32]) -> number_rt::profile::Profile {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    emulate::start_profiling();
    pool.install(|| {
        (0..256).into_par_iter().for_each(|k| {
            let x: Vec<f32> = (0..16)
                .map(|i| ((k * 31 + i * 7) % 23) as f32 / 11.0 - 1.0)
                .collect();
            let mut h = vec![0.0; 8];
            let mut y = vec![0.0; 4];
            dense::<Fc1>(w1, b, &x, &mut h);
            dense::<Fc2>(w2, &b[..4], &h, &mut y);
        })
    });
    emulate::finish_profiling()
}

#[test]
fn profiles_are_the_same_for_any_thread_count() {
    let w1: Vec<f32> = (0..128)
        .map(|i| ((i * 13) % 17) as f32 / 8.0 - 1.0)
        .collect();
    let w2: Vec<f32> = (0..32).map(|i| ((i * 5) % 11) as f32 / 5.0 - 1.0).collect();
    let b = vec![0.25f32; 8];
    let one = profile_on(1, &w1, &w2, &b);
    for threads in [2, 4, 8] {
        let many = profile_on(threads, &w1, &w2, &b);
        assert_eq!(many.to_json(), one.to_json(), "{threads} threads");
        assert_eq!(many.hash(), one.hash());
    }
    // Each weight value is counted once.
    assert_eq!(one.sites["Fc1/dense.w"].stats.total(), 128);
    assert_eq!(one.sites["Fc2/dense.w"].stats.total(), 32);
    assert_eq!(one.sites["Fc1/dense.x"].stats.total(), 256 * 16);
}
