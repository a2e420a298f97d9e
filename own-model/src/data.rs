//! The UCI 8×8 digits (1,797 images embedded in smartcore), pixels scaled to 0..=1, split by position after a
//! fixed shuffle: 1,000 for training (and calibration), 397 for validation, 400 for testing.

/// Which part of the data set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Train,
    Validation,
    Test,
}

/// The images of one part, each 64 values in 0..=1.
pub fn images(part: Part) -> Result<Vec<Vec<f32>>, String> {
    let ds = smartcore::dataset::digits::load_dataset();
    if ds.num_features != 64 || ds.data.len() != ds.num_samples * 64 || ds.num_samples != 1797 {
        return Err(format!(
            "smartcore's digits: {} samples of {} features, expected 1797 of 64",
            ds.num_samples, ds.num_features
        ));
    }
    // A fixed shuffle (SplitMix64), so that every part mixes all the writers.
    let mut order: Vec<usize> = (0..ds.num_samples).collect();
    let mut state = 0x5eed_u64;
    for i in (1..order.len()).rev() {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        order.swap(i, ((z ^ (z >> 31)) % (i as u64 + 1)) as usize);
    }
    let (lo, hi) = match part {
        Part::Train => (0, 1000),
        Part::Validation => (1000, 1397),
        Part::Test => (1397, 1797),
    };
    Ok(order[lo..hi]
        .iter()
        .map(|&i| {
            ds.data[i * 64..(i + 1) * 64]
                .iter()
                .map(|&p| p / 16.0)
                .collect()
        })
        .collect())
}
