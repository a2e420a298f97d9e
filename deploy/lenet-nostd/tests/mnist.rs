//! The no_std LeNet against the std world, on the whole MNIST test set (10,000 images):
//!
//! - the baked weights are, value for value, what the std tuned build holds (`T::from_f32` of every weight of
//!   examples/lenet/weights.safetensors, as `to_site` converts them when `examples/lenet/model.rs` loads it —
//!   or, for the weight sites that tuned.rs had rounded by GPTQ, of the rounded tensor named by the site in the
//!   examples/lenet/tuned.safetensors its header names);
//! - `predict` gives the predictions of the tuned build on the zoo's LeNet test split (the test images of odd
//!   index, `zoo::data::mnist_unseen`): those in the evaluation report `cargo number verify lenet` writes (`target/number/lenet/verify-emulated.json`, the emulation of examples/lenet/tuned.rs, which
//!   `verify` checks the std tuned binary reproduces exactly). `$LENET_NOSTD_REFERENCE` names the report and
//!   makes it required (as `cargo number test` does); without it the default report is used when it exists and
//!   matches the baked formats, and skipped with a note otherwise;
//! - nothing in the library's dependency graph enables a `std` feature.
//!
//! It also prints the bytes of the baked weight data against f32.
use lenet_nostd::{BAKED, Weights, predict};
use number_rt::Number;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e} (MNIST: run `cargo number fetch mnist` in the main workspace)",
            path.display()
        )
    })
}

/// The MNIST test set as src/data.rs loads it: IDX files, pixels normalised as `(x / 255 - 0.1307) / 0.3081`.
fn mnist_test() -> (Vec<[f32; 784]>, Vec<u8>) {
    let dir = match std::env::var_os("LIBNUMBER_DATA") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => root().join("target/testdata/mnist"),
    };
    let (img, lbl) = (
        read(&dir.join("t10k-images-idx3-ubyte")),
        read(&dir.join("t10k-labels-idx1-ubyte")),
    );
    let be =
        |b: &[u8], i: usize| u32::from_be_bytes(b[4 * i..4 * i + 4].try_into().unwrap()) as usize;
    assert_eq!(
        (be(&img, 0), be(&img, 1), be(&img, 2), be(&img, 3)),
        (0x0803, 10_000, 28, 28),
        "t10k images header"
    );
    assert_eq!(
        (be(&lbl, 0), be(&lbl, 1)),
        (0x0801, 10_000),
        "t10k labels header"
    );
    assert_eq!((img.len(), lbl.len()), (16 + 10_000 * 784, 8 + 10_000));
    let images = img[16..]
        .chunks_exact(784)
        .map(|px| core::array::from_fn(|i| (px[i] as f32 / 255.0 - 0.1307) / 0.3081))
        .collect();
    (images, lbl[8..].to_vec())
}

/// The f32 tensors of a safetensors file by name.
fn safetensors(path: &Path) -> std::collections::BTreeMap<String, Vec<f32>> {
    let b = read(path);
    let n = u64::from_le_bytes(b[..8].try_into().unwrap()) as usize;
    let header: Value = serde_json::from_slice(&b[8..8 + n]).unwrap();
    let data = &b[8 + n..];
    let mut out = std::collections::BTreeMap::new();
    for (name, t) in header.as_object().unwrap() {
        if name == "__metadata__" {
            continue;
        }
        assert_eq!(t["dtype"], "F32", "{name}");
        let (a, e) = (
            t["data_offsets"][0].as_u64().unwrap() as usize,
            t["data_offsets"][1].as_u64().unwrap() as usize,
        );
        out.insert(
            name.clone(),
            data[a..e]
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                .collect(),
        );
    }
    out
}

/// Every baked value equals `T::from_f32` of the f32 weight (bit for bit, by code).
fn same<T: Number>(name: &str, baked: &number_rt::Packed<T>, f32s: &[f32]) -> String {
    assert_eq!(baked.len(), f32s.len(), "{name}: length");
    let want = T::from_f32_slice(f32s);
    for (i, (b, w)) in baked.iter().zip(&want).enumerate() {
        assert_eq!(
            b.to_code(),
            w.to_code(),
            "{name}[{i}] = {}: baked {b:?}, {} gives {w:?}",
            f32s[i],
            T::FORMAT,
        );
    }
    T::FORMAT.to_string()
}

/// Site → format of the baked weights (checks them against the f32 weights on the way).
fn baked_formats() -> Vec<(&'static str, String)> {
    let mut t = safetensors(&root().join("examples/lenet/weights.safetensors"));
    // GPTQ-rounded tensors (named by site) replace the trained ones when tuned.rs names their file.
    let tuned = String::from_utf8(read(&root().join("examples/lenet/tuned.rs"))).unwrap();
    if tuned.contains("// rounded weights: tuned.safetensors") {
        let r = safetensors(&root().join("examples/lenet/tuned.safetensors"));
        for (name, site) in [
            ("conv1.weight", "Conv1/conv2d.w"),
            ("conv2.weight", "Conv2/conv2d.w"),
            ("fc1.weight", "Fc1/dense.w"),
            ("fc2.weight", "Fc2/dense.w"),
            ("fc3.weight", "Fc3/dense.w"),
        ] {
            if let Some(v) = r.get(site) {
                t.insert(name.to_string(), v.clone());
            }
        }
    }
    let w: &Weights<'_> = &BAKED;
    vec![
        (
            "Conv1/conv2d.w",
            same("conv1.weight", w.conv1_w, &t["conv1.weight"]),
        ),
        (
            "Conv1/conv2d.b",
            same("conv1.bias", w.conv1_b, &t["conv1.bias"]),
        ),
        (
            "Conv2/conv2d.w",
            same("conv2.weight", w.conv2_w, &t["conv2.weight"]),
        ),
        (
            "Conv2/conv2d.b",
            same("conv2.bias", w.conv2_b, &t["conv2.bias"]),
        ),
        ("Fc1/dense.w", same("fc1.weight", w.fc1_w, &t["fc1.weight"])),
        ("Fc1/dense.b", same("fc1.bias", w.fc1_b, &t["fc1.bias"])),
        ("Fc2/dense.w", same("fc2.weight", w.fc2_w, &t["fc2.weight"])),
        ("Fc2/dense.b", same("fc2.bias", w.fc2_b, &t["fc2.bias"])),
        ("Fc3/dense.w", same("fc3.weight", w.fc3_w, &t["fc3.weight"])),
        ("Fc3/dense.b", same("fc3.bias", w.fc3_b, &t["fc3.bias"])),
    ]
}

#[test]
fn baked_weights_are_the_tuned_conversions_of_the_f32_weights() {
    let formats = baked_formats();
    let (bytes, bits, f32_bytes) = BAKED.bytes();
    println!(
        "baked weights: {bytes} bytes, parameter bits / 8: {} (f32: {f32_bytes} bytes, {:.2}x smaller); formats \
         {formats:?}",
        bits.div_ceil(8),
        f32_bytes as f64 / bytes as f64
    );
    assert_eq!(f32_bytes, 4 * 61_706);
    // Packed at their widths: the words hold the parameter bits, plus less than a word of padding per tensor (no
    // LeNet tensor has a block format, whose shifts would take a word of their own).
    assert!(bytes as u64 * 8 >= bits, "{bytes} bytes hold fewer than {bits} bits");
    assert!(
        (bytes as u64 * 8) < bits + 10 * 64,
        "{bytes} bytes for {bits} parameter bits"
    );
}

#[test]
fn predictions_on_the_mnist_test_set_equal_the_tuned_build() {
    let (images, labels) = mnist_test();
    let t = std::time::Instant::now();
    let pred: Vec<u64> = images.iter().map(|x| predict(x) as u64).collect();
    let secs = t.elapsed().as_secs_f64();
    let correct = pred
        .iter()
        .zip(&labels)
        .filter(|(p, l)| **p == **l as u64)
        .count();
    println!(
        "no_std LeNet: {correct} of {} correct ({:.2}%), {:.0} µs/image",
        pred.len(),
        100.0 * correct as f64 / pred.len() as f64,
        1e6 * secs / pred.len() as f64
    );
    let required = std::env::var_os("LENET_NOSTD_REFERENCE").filter(|p| !p.is_empty());
    let path = required.clone().map_or_else(
        || root().join("target/number/lenet/verify-emulated.json"),
        PathBuf::from,
    );
    let report: Value = match std::fs::read(&path) {
        Ok(b) => serde_json::from_slice(&b).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        Err(e) if required.is_none() => {
            println!(
                "no reference predictions ({}: {e}); run `cargo number verify lenet` to compare",
                path.display()
            );
            return;
        }
        Err(e) => panic!("reading the reference predictions {}: {e}", path.display()),
    };
    // The report names the weight formats it was made with: they must be the baked ones (else it is stale).
    let theirs: Vec<(String, String)> = report["weights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["site"].as_str().unwrap().to_string(),
                w["format"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let ours = baked_formats();
    let stale = ours
        .iter()
        .find(|(s, f)| !theirs.iter().any(|(ts, tf)| ts == s && tf == f));
    if let Some((site, f)) = stale {
        let msg = format!(
            "{} is stale: it has no weight `{site}` in {f} (re-run `cargo number verify lenet`, or `cargo number bake \
             lenet` if examples/lenet/tuned.rs changed)",
            path.display()
        );
        assert!(required.is_none(), "{msg}");
        println!("{msg}; not compared");
        return;
    }
    // The zoo's LeNet test split: the official test images of odd index.
    let pred: Vec<u64> = pred.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(
        (report["split"].as_str(), report["n"].as_u64()),
        (Some("test"), Some(pred.len() as u64)),
        "{} (expected the 5,000 test images of odd index)",
        path.display()
    );
    let want: Vec<u64> = report["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_u64().unwrap())
        .collect();
    let equal = want.iter().zip(&pred).filter(|(a, b)| a == b).count();
    let mode = report["mode"].as_str().unwrap_or("?");
    println!(
        "predictions equal to {} ({mode} build): {equal} of {}",
        path.display(),
        pred.len()
    );
    assert_eq!(
        equal,
        pred.len(),
        "the no_std build must predict exactly what the tuned build predicts"
    );
}

/// The library's dependencies (proc macros aside, which run on the host at compile time) enable no `std`
/// feature: with `#![no_std]` in the crate itself, nothing links std.
#[test]
fn no_dependency_enables_std() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal,no-proc-macro",
            "--prefix",
            "none",
            "--format",
            "{p} [{f}]",
        ])
        .arg("--manifest-path")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .output()
        .expect("running cargo tree");
    assert!(
        out.status.success(),
        "cargo tree: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8(out.stdout).unwrap();
    let mut crates: Vec<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    crates.sort();
    crates.dedup();
    assert_eq!(
        crates,
        [
            "lenet-nostd",
            "libm",
            "libnumber-zoo",
            "num-traits",
            "number-formats",
            "number-rt",
            "number-runtime",
            "thiserror"
        ],
        "{tree}"
    );
    for line in tree.lines() {
        // `name version [f1,f2]`, then ` (*)` for a repeated subtree.
        let features = line
            .split_once('[')
            .and_then(|(_, f)| f.split_once(']'))
            .map_or("", |(f, _)| f);
        assert!(
            !features.split(',').any(|f| f == "std"),
            "a dependency enables std: {line}\n{tree}"
        );
    }
    assert!(include_str!("../src/lib.rs").contains("\n#![no_std]\n"));
}
