//! Loading the rounded weights a tuned.rs names (`tuned.safetensors`, written by the tuner with GPTQ rounding):
//! a build [`install`]s them and its weight loader [`substitute`]s each for the trained tensor it was rounded
//! from, identified by content ([`content_key`]); [`check_installed`] then says whether every one was used.
use number_formats::Format;
use std::sync::{Mutex, OnceLock};

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The file of rounded weights a tuned.rs names in its header (`// rounded weights: …`), read and checked against
/// the digest there: `Ok(None)` when it names none; the errors name the file and the fix (missing, or stale).
pub fn read_named_file(
    tuned_rs: &std::path::Path,
) -> Result<Option<(std::path::PathBuf, Vec<u8>)>, String> {
    let text = std::fs::read_to_string(tuned_rs)
        .map_err(|e| format!("reading {}: {e}", tuned_rs.display()))?;
    let named = number_contract::tuned_file::Header::rounded_weights_of(&text)
        .map_err(|e| format!("{}: {e}", tuned_rs.display()))?;
    let Some(number_contract::tuned_file::RoundedWeights { file, digest, .. }) = named else {
        return Ok(None);
    };
    let path = tuned_rs.with_file_name(&file);
    let regen = "re-run the tune command in its header";
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "{} names the rounded weights {} but they cannot be read ({e}): {regen}",
            tuned_rs.display(),
            path.display()
        )
    })?;
    if self::digest(&bytes) != digest {
        return Err(format!(
            "{} is stale: its digest is not the {digest:#018x} that {} names; {regen}",
            path.display(),
            tuned_rs.display()
        ));
    }
    Ok(Some((path, bytes)))
}

/// FNV-1a of a file's bytes (the digest a tuned.rs's header gives its rounded-weights file).
pub fn digest(bytes: &[u8]) -> u64 {
    crate::fnv1a64(bytes)
}

/// A rounded weight tensor: the values a build loads in place of the trained ones.
#[derive(Clone, Debug, PartialEq)]
pub struct Rounded {
    /// [`content_key`] of the trained tensor it replaces.
    pub key: u64,
    /// The format it was rounded for.
    pub format: Format,
    /// The rounded values (on the format's grid; `Format::quantize_slice` gives the values the model computes with).
    pub values: Vec<f32>,
}

/// FNV-1a over a tensor's length and the bits of its values: what identifies the trained tensor a rounded one
/// replaces.
///
/// ```
/// use number_runtime::rounding::content_key;
/// assert_ne!(content_key(&[1.0, 2.0]), content_key(&[2.0, 1.0]));
/// assert_ne!(content_key(&[0.0]), content_key(&[-0.0]));
/// ```
pub fn content_key(xs: &[f32]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |b: u8| {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    (xs.len() as u64)
        .to_le_bytes()
        .into_iter()
        .for_each(&mut eat);
    for x in xs {
        x.to_bits().to_le_bytes().into_iter().for_each(&mut eat);
    }
    h
}

struct Installed {
    site: String,
    rounded: Rounded,
    used: usize,
    problem: Option<String>,
}

fn installed() -> &'static Mutex<Vec<Installed>> {
    static I: OnceLock<Mutex<Vec<Installed>>> = OnceLock::new();
    I.get_or_init(Default::default)
}

/// Installs rounded weight tensors (`(site, rounding)`, read from a tuned.rs's `tuned.safetensors`) for
/// [`substitute`], replacing earlier ones.
pub fn install(entries: Vec<(String, Rounded)>) {
    *lock(installed()) = entries
        .into_iter()
        .map(|(site, rounded)| Installed {
            site,
            rounded,
            used: 0,
            problem: None,
        })
        .collect();
}

/// The rounded values to load instead of the trained tensor `xs`, if one was [`install`]ed for it; `format` is
/// the loading type's format (`f32` in plain and calibrate builds, which then quantize at the site). A format
/// other than the one the tensor was rounded for is recorded as a problem for [`check_installed`].
pub fn substitute(xs: &[f32], format: Format) -> Option<Vec<f32>> {
    let mut all = lock(installed());
    if all.is_empty() {
        return None;
    }
    let key = content_key(xs);
    let e = all
        .iter_mut()
        .find(|e| e.rounded.key == key && e.rounded.values.len() == xs.len())?;
    e.used += 1;
    if format != Format::F32 && format != e.rounded.format {
        e.problem = Some(format!(
            "it was rounded for {} but the build stores the tensor as {format}",
            e.rounded.format
        ));
    }
    Some(e.rounded.values.clone())
}

/// Checks that every installed tensor replaced a loaded one under the format it was rounded for; the error
/// names the site and the fix.
pub fn check_installed(file: &str) -> Result<(), String> {
    let all = lock(installed());
    let bad: Vec<String> = all
        .iter()
        .filter_map(|e| match (&e.problem, e.used) {
            (Some(p), _) => Some(format!("`{}`: {p}", e.site)),
            (None, 0) => Some(format!(
                "`{}`: no loaded weight tensor has the trained values it was rounded from",
                e.site
            )),
            _ => None,
        })
        .collect();
    if bad.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{file} is stale ({}); re-run the tune command in tuned.rs's header",
            bad.join("; ")
        ))
    }
}

/// The bytes of a rounded-weights file (`tuned.safetensors`) holding `sites` (`(site, rounding)`, e.g. from
/// `rounding::rounded_sites`): one F32 tensor per site, named by the site, with metadata `<site>` =
/// `<format>;<content key of the trained tensor>`. Deterministic: equal input, equal bytes.
pub fn encode(sites: &[(String, Rounded)]) -> Result<Vec<u8>, String> {
    let mut tensors = crate::weights::Tensors::new();
    let mut meta = std::collections::BTreeMap::new();
    meta.insert(
        "content".to_string(),
        "GPTQ-rounded weights of tuned.rs (number_rt::rounding)".to_string(),
    );
    for (site, r) in sites {
        tensors.insert(site.clone(), (vec![r.values.len()], r.values.clone()));
        meta.insert(site.clone(), format!("{};{:#018x}", r.format, r.key));
    }
    crate::weights::to_bytes(&tensors, &meta)
}

/// Parses a rounded-weights file written by [`encode`]; errors name the file (`path`) and the fix.
pub fn decode(path: &std::path::Path, bytes: &[u8]) -> Result<Vec<(String, Rounded)>, String> {
    let regen = "re-run the tune command in its header";
    let w = crate::weights::Weights::from_bytes(bytes)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut entries = Vec::new();
    for (site, (_, values)) in w.tensors {
        let bad = || {
            format!(
                "{}: tensor `{site}` has no valid `format;key` metadata; {regen}",
                path.display()
            )
        };
        let (f, key) = w
            .metadata
            .get(&site)
            .and_then(|m| m.split_once(';'))
            .ok_or_else(bad)?;
        let format: Format = f.parse().map_err(|_| bad())?;
        let key = u64::from_str_radix(key.trim_start_matches("0x"), 16).map_err(|_| bad())?;
        // Rounded values lie in their format's range (GPTQ rounds onto the grid): anything else was not written
        // by the tuner and would be clamped without a word when loaded.
        let (lo, hi) = (format.quantize(f32::MIN), format.quantize(f32::MAX));
        if let Some((i, v)) = values
            .iter()
            .enumerate()
            .find(|(_, v)| !(lo..=hi).contains(*v))
        {
            return Err(format!(
                "{}: tensor `{site}` holds {v} at index {i}, outside the range [{lo}, {hi}] of its format {format}; \
                 {regen}",
                path.display()
            ));
        }
        entries.push((
            site,
            Rounded {
                key,
                format,
                values,
            },
        ));
    }
    Ok(entries)
}

/// Installs the rounded weights that `tuned_rs` names in its header (`// rounded weights: …`), so that loading
/// the model ([`crate::weights::to_site`]) substitutes them, and returns the file's path; `Ok(None)` (and
/// nothing installed) when it names none. The file must be beside it, with the digest the header gives. Call
/// [`check_installed`] after loading the model.
pub fn install_named(tuned_rs: &std::path::Path) -> Result<Option<String>, String> {
    install(vec![]);
    let Some((path, bytes)) = read_named_file(tuned_rs)? else {
        return Ok(None);
    };
    install(decode(&path, &bytes)?);
    Ok(Some(path.display().to_string()))
}
