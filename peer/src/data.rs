//! MNIST IDX files, read as the zoo reads them (`src/data.rs`): the raw files from `cargo number fetch mnist`,
//! pixels normalised as `(p / 255 - 0.1307) / 0.3081` in f32, images 1×28×28 (CHW).
use std::path::{Path, PathBuf};

use tract_core::internal::{TractResult, bail, format_err};

/// Pixels per image.
pub const DIM: usize = 28 * 28;

/// `$LIBNUMBER_DATA` if set and non-empty, else `<repository>/target/testdata/mnist` (as `zoo::data::mnist_dir`).
pub fn mnist_dir(root: &Path) -> PathBuf {
    match std::env::var_os("LIBNUMBER_DATA") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => root.join("target").join("testdata").join("mnist"),
    }
}

/// Normalised images and their labels.
pub struct Images {
    pub n: usize,
    pub pixels: Vec<f32>,
    pub labels: Vec<u8>,
}

fn be32(b: &[u8], at: usize) -> usize {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
}

/// The payload of an IDX file of unsigned bytes with `rank` dimensions, and its first dimension.
fn idx(path: &Path, rank: u8) -> TractResult<(usize, Vec<u8>)> {
    let b = std::fs::read(path).map_err(|e| {
        format_err!("{}: {e} (run `cargo number fetch mnist` in the repository root, or set LIBNUMBER_DATA)", path.display())
    })?;
    let head = 4 + 4 * rank as usize;
    if b.len() < head || b[0] != 0 || b[1] != 0 || b[2] != 0x08 || b[3] != rank {
        bail!("{} is not an IDX file of u8 with {rank} dimensions", path.display());
    }
    let n = be32(&b, 4);
    let len: usize = (0..rank as usize).map(|i| be32(&b, 4 + 4 * i)).product();
    if b.len() != head + len {
        bail!("{}: {} payload bytes, the header says {len}", path.display(), b.len() - head);
    }
    Ok((n, b[head..].to_vec()))
}

impl Images {
    /// All of `<prefix>-images-idx3-ubyte` and `<prefix>-labels-idx1-ubyte` (`t10k` or `train`).
    pub fn load(dir: &Path, prefix: &str) -> TractResult<Images> {
        Self::load_first(dir, prefix, usize::MAX)
    }

    /// The first `max` images of a file pair.
    pub fn load_first(dir: &Path, prefix: &str, max: usize) -> TractResult<Images> {
        let (n, px) = idx(&dir.join(format!("{prefix}-images-idx3-ubyte")), 3)?;
        let (nl, labels) = idx(&dir.join(format!("{prefix}-labels-idx1-ubyte")), 1)?;
        if n != nl || px.len() != n * DIM {
            bail!("{prefix}: {n} images of {} bytes, {nl} labels", px.len() / n.max(1));
        }
        let n = n.min(max);
        let pixels = px[..n * DIM].iter().map(|&p| (p as f32 / 255.0 - 0.1307) / 0.3081).collect();
        Ok(Images { n, pixels, labels: labels[..n].to_vec() })
    }

    /// Images `i..i + b`, contiguous (`b × 1 × 28 × 28`).
    pub fn batch(&self, i: usize, b: usize) -> &[f32] {
        &self.pixels[i * DIM..(i + b) * DIM]
    }

    /// Fraction of `preds` equal to the labels.
    pub fn accuracy(&self, preds: &[u32]) -> f64 {
        preds.iter().zip(&self.labels).filter(|(p, l)| **p == **l as u32).count() as f64 / preds.len() as f64
    }
}
