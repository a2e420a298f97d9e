//! Model weights on disk: safetensors files of F32 tensors, read and written with the `safetensors` crate.
//!
//! A weights file maps tensor names (`conv1.weight`, `fc1.bias`, …) to row-major F32 tensors and
//! carries string metadata (architecture, seed, accuracies, the training command; see the
//! `WEIGHTS.md` beside each committed file). [`load`] returns every tensor; [`Weights::take`] and
//! [`check`] validate names and shapes against what a model expects, with errors that say which
//! tensor is missing, unexpected, or of the wrong shape.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

/// Tensors by name: `(shape, row-major data)`.
pub type Tensors = BTreeMap<String, (Vec<usize>, Vec<f32>)>;

/// A weights file: its tensors and its `__metadata__` strings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Weights {
    /// The tensors.
    pub tensors: Tensors,
    /// The `__metadata__` strings.
    pub metadata: BTreeMap<String, String>,
}

/// A trained weight tensor converted to the storage of its site in this build: a `Vec<T>` or a packed tensor
/// ([`Packed<T>`](number_formats::Packed)) of the site's type `T` (`f32` in plain and calibrate builds, the
/// tuned number type in tuned builds). What a model's loader calls for every weight tensor, e.g.
/// `w: to_site(file.get("fc1.weight", &[120, 400])?)` for a field of type `dense::W<Fc1>` (the layer's
/// container: `Vec<f32>` until tuned, `Packed` of the tuned type) or `Vec<dense::w<Fc1>>`. When the build
/// installed the GPTQ-rounded weights of its tuned.rs ([`crate::rounded_weights`]), the rounded tensor replaces
/// the trained one it was rounded from.
///
/// ```
/// use number_formats::{Fixed, Number, Packed};
/// let w: Vec<f32> = number_runtime::weights::to_site(&[0.5, -1.25]);
/// assert_eq!(w, [0.5, -1.25]);
/// let p: Packed<Fixed<3, 1>> = number_runtime::weights::to_site(&[0.5, -1.25]);
/// assert_eq!(p.to_f32(), [0.5, -1.0]);
/// ```
pub fn to_site<C: number_formats::packed::FromF32s>(xs: &[f32]) -> C {
    use number_formats::Number;
    if let Some(r) = crate::rounded_weights::substitute(xs, <C::Elem as Number>::FORMAT) {
        return C::from_f32s(&r);
    }
    C::from_f32s(xs)
}

/// Reads every tensor of a safetensors file (all must be F32, little-endian).
pub fn load(path: impl AsRef<Path>) -> Result<Tensors, String> {
    Ok(Weights::load(path)?.tensors)
}

/// Writes F32 tensors and metadata to a safetensors file (deterministic bytes for equal input).
pub fn save(
    path: impl AsRef<Path>,
    tensors: &Tensors,
    metadata: &BTreeMap<String, String>,
) -> Result<(), String> {
    let path = path.as_ref();
    let bytes = to_bytes(tensors, metadata).map_err(|e| format!("{}: {e}", path.display()))?;
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The first tensor of a safetensors header whose byte range does not match its dtype and shape, named (the
/// `safetensors` crate's own error does not say which).
fn header_problem(bytes: &[u8]) -> Option<String> {
    let n = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?) as usize;
    let header: serde_json::Value =
        serde_json::from_slice(bytes.get(8..8usize.checked_add(n)?)?).ok()?;
    for (name, t) in header.as_object()? {
        if name == "__metadata__" {
            continue;
        }
        let dtype = t.get("dtype")?.as_str()?;
        let shape: Vec<u64> = t
            .get("shape")?
            .as_array()?
            .iter()
            .map(|d| d.as_u64())
            .collect::<Option<_>>()?;
        let off: Vec<u64> = t
            .get("data_offsets")?
            .as_array()?
            .iter()
            .map(|d| d.as_u64())
            .collect::<Option<_>>()?;
        let size = match dtype {
            "F64" | "I64" | "U64" => 8,
            "F32" | "I32" | "U32" => 4,
            "F16" | "BF16" | "I16" | "U16" => 2,
            _ => 1,
        };
        let want = shape.iter().product::<u64>() * size;
        if off.len() != 2 || off[1].checked_sub(off[0]) != Some(want) {
            return Some(format!(
                "tensor `{name}` ({dtype}, shape {shape:?}) needs {want} bytes but its data_offsets {off:?} give \
                 {} (only F32 weights are supported)",
                off.get(1)
                    .zip(off.first())
                    .map_or(0, |(b, a)| b.saturating_sub(*a))
            ));
        }
    }
    None
}

/// Checks that `tensors` holds exactly the names of `expected`, each with its shape.
pub fn check(tensors: &Tensors, expected: &[(&str, &[usize])]) -> Result<(), String> {
    let mut problems = Vec::new();
    for (name, shape) in expected {
        match tensors.get(*name) {
            None => problems.push(format!(
                "missing tensor `{name}` (expected shape {shape:?})"
            )),
            Some((s, _)) if s.as_slice() != *shape => problems.push(format!(
                "tensor `{name}` has shape {s:?}, expected {shape:?}"
            )),
            Some(_) => {}
        }
    }
    for name in tensors.keys() {
        if !expected.iter().any(|(n, _)| n == name) {
            problems.push(format!("unexpected tensor `{name}`"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

impl Weights {
    /// Reads a safetensors file.
    pub fn load(path: impl AsRef<Path>) -> Result<Weights, String> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("weights file {} not found", path.display())
            } else {
                format!("cannot read weights file {}: {e}", path.display())
            }
        })?;
        Weights::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses the bytes of a safetensors file. Every tensor must be F32 and hold finite values; errors name the
    /// tensor (and the index of a non-finite value).
    pub fn from_bytes(bytes: &[u8]) -> Result<Weights, String> {
        let st = SafeTensors::deserialize(bytes).map_err(|e| match header_problem(bytes) {
            Some(p) => format!("not a valid safetensors file: {p}"),
            None => format!("not a valid safetensors file: {e}"),
        })?;
        let (_, meta) = SafeTensors::read_metadata(bytes)
            .map_err(|e| format!("not a valid safetensors file: {e}"))?;
        let metadata = meta
            .metadata()
            .as_ref()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let mut tensors = Tensors::new();
        for (name, view) in st.iter() {
            if view.dtype() != Dtype::F32 {
                return Err(format!(
                    "tensor `{name}` is {:?}, only F32 weights are supported",
                    view.dtype()
                ));
            }
            let data: Vec<f32> = view
                .data()
                .chunks_exact(4)
                .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            if let Some((i, v)) = data.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(format!(
                    "tensor `{name}` holds {v} at index {i}: weights must be finite (the file is damaged, or \
                     training diverged); re-fetch or re-train it"
                ));
            }
            tensors.insert(name.to_string(), (view.shape().to_vec(), data));
        }
        Ok(Weights { tensors, metadata })
    }

    /// Checks names and shapes against `expected` (see [`check`]).
    pub fn check(&self, expected: &[(&str, &[usize])]) -> Result<(), String> {
        check(&self.tensors, expected)
    }

    /// The data of tensor `name`, which must have shape `shape`.
    pub fn get(&self, name: &str, shape: &[usize]) -> Result<&[f32], String> {
        match self.tensors.get(name) {
            None => Err(format!(
                "missing tensor `{name}` (expected shape {shape:?})"
            )),
            Some((s, _)) if s.as_slice() != shape => Err(format!(
                "tensor `{name}` has shape {s:?}, expected {shape:?}"
            )),
            Some((_, d)) => Ok(d),
        }
    }

    /// Removes and returns tensor `name`, which must have shape `shape`.
    pub fn take(&mut self, name: &str, shape: &[usize]) -> Result<Vec<f32>, String> {
        self.get(name, shape)?;
        Ok(self
            .tensors
            .remove(name)
            .map(|(_, d)| d)
            .unwrap_or_default())
    }

    /// A metadata value.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }

    /// Writes this file (see [`save`]).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), String> {
        save(path, &self.tensors, &self.metadata)
    }
}

/// Serialises with the `safetensors` crate, then rewrites the JSON header in a canonical order
/// (the crate keeps metadata in a `HashMap`, whose order varies from run to run).
pub fn to_bytes(tensors: &Tensors, metadata: &BTreeMap<String, String>) -> Result<Vec<u8>, String> {
    let mut raw: Vec<(String, Vec<u8>, Vec<usize>)> = Vec::with_capacity(tensors.len());
    for (name, (shape, data)) in tensors {
        let n: usize = shape.iter().product();
        if n != data.len() {
            return Err(format!(
                "tensor `{name}`: shape {shape:?} has {n} elements but {} values were given",
                data.len()
            ));
        }
        let bytes = data.iter().flat_map(|x| x.to_le_bytes()).collect();
        raw.push((name.clone(), bytes, shape.clone()));
    }
    let views = raw
        .iter()
        .map(|(name, bytes, shape)| {
            TensorView::new(Dtype::F32, shape.clone(), bytes)
                .map(|v| (name.as_str(), v))
                .map_err(|e| format!("tensor `{name}`: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let info: Option<HashMap<String, String>> = if metadata.is_empty() {
        None
    } else {
        Some(
            metadata
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    };
    let bytes = safetensors::tensor::serialize(views, info).map_err(|e| e.to_string())?;
    canonical_header(&bytes, metadata)
}

fn canonical_header(bytes: &[u8], metadata: &BTreeMap<String, String>) -> Result<Vec<u8>, String> {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: serde_json::Value =
        serde_json::from_slice(&bytes[8..8 + n]).map_err(|e| e.to_string())?;
    let serde_json::Value::Object(entries) = header else {
        return Err("safetensors header is not a JSON object".into());
    };
    // Metadata first, in key order; then the tensors in the order of their data (as written).
    let mut out = String::from("{");
    let mut first = true;
    let mut push = |key: &str, value: String| {
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(&serde_json::to_string(key).unwrap());
        out.push(':');
        out.push_str(&value);
    };
    if !metadata.is_empty() {
        push(
            "__metadata__",
            serde_json::to_string(metadata).map_err(|e| e.to_string())?,
        );
    }
    let mut tensors: Vec<(&String, &serde_json::Value)> = entries
        .iter()
        .filter(|(k, _)| k.as_str() != "__metadata__")
        .collect();
    let offset = |v: &serde_json::Value| v["data_offsets"][0].as_u64().unwrap_or(0);
    tensors.sort_by_key(|(_, v)| offset(v));
    for (name, info) in tensors {
        let value = serde_json::json!({
            "dtype": info["dtype"],
            "shape": info["shape"],
            "data_offsets": info["data_offsets"],
        });
        push(name, value.to_string());
    }
    out.push('}');
    while out.len() % 8 != 0 {
        out.push(' ');
    }
    let mut result = Vec::with_capacity(8 + out.len() + bytes.len() - 8 - n);
    result.extend((out.len() as u64).to_le_bytes());
    result.extend(out.as_bytes());
    result.extend(&bytes[8 + n..]);
    // The rewritten file must still be one the crate reads.
    SafeTensors::deserialize(&result)
        .map_err(|e| format!("internal error re-reading header: {e}"))?;
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Tensors, BTreeMap<String, String>) {
        let mut t = Tensors::new();
        t.insert(
            "fc.weight".into(),
            (
                vec![2, 3],
                vec![1.0, -2.0, 3.5, 0.0, f32::MIN_POSITIVE, 6.0],
            ),
        );
        t.insert("fc.bias".into(), (vec![2], vec![0.25, -0.5]));
        let mut m = BTreeMap::new();
        m.insert("architecture".into(), "test".into());
        m.insert("seed".into(), "7".into());
        m.insert("a".into(), "b".into());
        (t, m)
    }

    #[test]
    fn round_trip_and_deterministic_bytes() {
        let (t, m) = sample();
        let a = to_bytes(&t, &m).unwrap();
        for _ in 0..5 {
            assert_eq!(a, to_bytes(&t, &m).unwrap(), "bytes differ between runs");
        }
        let w = Weights::from_bytes(&a).unwrap();
        assert_eq!(w.tensors, t);
        assert_eq!(w.metadata, m);
        assert_eq!(w.meta("seed"), Some("7"));
        let dir =
            std::env::temp_dir().join(format!("weights-test-{}.safetensors", std::process::id()));
        save(&dir, &t, &m).unwrap();
        assert_eq!(load(&dir).unwrap(), t);
        let _ = std::fs::remove_file(&dir);
    }

    #[test]
    fn validation_names_the_problem() {
        let (t, m) = sample();
        let mut w = Weights {
            tensors: t,
            metadata: m,
        };
        assert!(
            w.check(&[("fc.weight", &[2, 3]), ("fc.bias", &[2])])
                .is_ok()
        );
        let e = w
            .check(&[
                ("fc.weight", &[3, 2]),
                ("fc.bias", &[2]),
                ("fc2.bias", &[4]),
            ])
            .unwrap_err();
        assert!(
            e.contains("`fc.weight` has shape [2, 3], expected [3, 2]"),
            "{e}"
        );
        assert!(e.contains("missing tensor `fc2.bias`"), "{e}");
        let e = w.check(&[("fc.weight", &[2, 3])]).unwrap_err();
        assert!(e.contains("unexpected tensor `fc.bias`"), "{e}");
        assert!(
            w.get("nope", &[1])
                .unwrap_err()
                .contains("missing tensor `nope`")
        );
        assert_eq!(w.take("fc.bias", &[2]).unwrap(), vec![0.25, -0.5]);
        assert!(!w.tensors.contains_key("fc.bias"));
    }

    #[test]
    fn rejects_bad_input() {
        let mut t = Tensors::new();
        t.insert("x".into(), (vec![2, 2], vec![1.0; 3]));
        assert!(
            to_bytes(&t, &BTreeMap::new())
                .unwrap_err()
                .contains("has 4 elements but 3")
        );
        assert!(
            Weights::from_bytes(b"garbage")
                .unwrap_err()
                .contains("not a valid safetensors")
        );
        let e = load("/nonexistent/w.safetensors").unwrap_err();
        assert!(e.contains("not found"), "{e}");
        // An F16 tensor is refused with its name.
        let data = [0u8; 4];
        let v = TensorView::new(Dtype::F16, vec![2], &data).unwrap();
        let bytes = safetensors::tensor::serialize([("h", v)], None).unwrap();
        assert!(
            Weights::from_bytes(&bytes)
                .unwrap_err()
                .contains("`h` is F16")
        );
        // A header whose dtype does not match the tensor's bytes (F32 data relabelled F16): named.
        let mut t = Tensors::new();
        t.insert("conv1.weight".into(), (vec![2], vec![0.5, -0.5]));
        let good = to_bytes(&t, &BTreeMap::new()).unwrap();
        let n = u64::from_le_bytes(good[..8].try_into().unwrap()) as usize;
        let head = String::from_utf8(good[8..8 + n].to_vec())
            .unwrap()
            .replace("F32", "F16");
        let bad = [&good[..8], head.as_bytes(), &good[8 + n..]].concat();
        let e = Weights::from_bytes(&bad).unwrap_err();
        assert!(
            e.contains("tensor `conv1.weight` (F16, shape [2]) needs 4 bytes"),
            "{e}"
        );
        // Non-finite weights are refused with the tensor and the index.
        for v in [f32::NAN, f32::INFINITY] {
            t.insert("fc1.bias".into(), (vec![3], vec![1.0, v, 0.0]));
            let e = Weights::from_bytes(&to_bytes(&t, &BTreeMap::new()).unwrap()).unwrap_err();
            assert!(
                e.contains("tensor `fc1.bias`") && e.contains("at index 1") && e.contains("finite"),
                "{e}"
            );
        }
    }
}
