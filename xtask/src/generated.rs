//! Generated files replaced as one set: a model's `tuned.rs`, `tuned.safetensors` and the no_std bake are
//! rewritten by a tuning run before they can be verified (the tuned build compiles the new `tuned.rs`), so the
//! previous set is kept until verification passes.
//!
//! [`Transaction::begin`] saves the previous contents to a journal folder; [`Transaction::commit`] drops it;
//! anything else — an error, Ctrl-C, or a killed process (the next `cargo number` run finds the journal) —
//! puts the previous set back ([`recover`]). Every file is written with `codegen::write_atomic` (temporary file,
//! then rename), so no file is ever half-written.
use number_rt::codegen::write_atomic;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The journal of the transaction in progress, for the Ctrl-C handler.
static OPEN: Mutex<Option<PathBuf>> = Mutex::new(None);

/// A set of files being replaced.
#[derive(Debug)]
pub struct Transaction {
    journal: PathBuf,
    done: bool,
}

/// The journal's manifest: one line per file, `<present 0/1>\t<path>`; the saved contents are `0`, `1`, … .
const MANIFEST: &str = "manifest";

impl Transaction {
    /// Saves the current contents of `files` (absent files are remembered as absent) into `journal`, a folder
    /// that must not exist yet, and installs a Ctrl-C handler that restores them.
    pub fn begin(journal: &Path, files: &[PathBuf]) -> Result<Transaction, String> {
        if journal.exists() {
            return Err(format!(
                "{} exists: an earlier run did not finish; run `cargo number` again to restore its files first",
                journal.display()
            ));
        }
        let staging = journal.with_extension("partial");
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging)
            .map_err(|e| format!("creating {}: {e}", staging.display()))?;
        let mut manifest = String::new();
        for (i, f) in files.iter().enumerate() {
            let present = match std::fs::read(f) {
                Ok(bytes) => {
                    write_atomic(staging.join(i.to_string()), &bytes)
                        .map_err(|e| format!("saving {}: {e}", f.display()))?;
                    true
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                Err(e) => return Err(format!("reading {}: {e}", f.display())),
            };
            manifest.push_str(&format!("{}\t{}\n", present as u8, f.display()));
        }
        write_atomic(staging.join(MANIFEST), manifest.as_bytes())
            .map_err(|e| format!("saving the journal: {e}"))?;
        // The journal exists only once it is complete.
        std::fs::rename(&staging, journal)
            .map_err(|e| format!("creating {}: {e}", journal.display()))?;
        *OPEN.lock().unwrap_or_else(|e| e.into_inner()) = Some(journal.to_path_buf());
        install_handler();
        Ok(Transaction {
            journal: journal.to_path_buf(),
            done: false,
        })
    }

    /// The new set is verified: forget the previous one.
    pub fn commit(mut self) -> Result<(), String> {
        self.done = true;
        *OPEN.lock().unwrap_or_else(|e| e.into_inner()) = None;
        std::fs::remove_dir_all(&self.journal)
            .map_err(|e| format!("removing {}: {e}", self.journal.display()))
    }
}

impl Drop for Transaction {
    /// Not committed (an error, a panic): the previous set is put back.
    fn drop(&mut self) {
        if !self.done {
            *OPEN.lock().unwrap_or_else(|e| e.into_inner()) = None;
            match restore(&self.journal) {
                Ok(files) => eprintln!("restored the previous {}", files.join(", ")),
                Err(e) => eprintln!("error: {e}"),
            }
        }
    }
}

/// Puts back the files a journal saved and removes it; returns the files restored.
fn restore(journal: &Path) -> Result<Vec<String>, String> {
    let manifest = std::fs::read_to_string(journal.join(MANIFEST))
        .map_err(|e| format!("reading the journal {}: {e}", journal.display()))?;
    let mut restored = Vec::new();
    for (i, line) in manifest.lines().enumerate() {
        let (present, path) = line
            .split_once('\t')
            .ok_or_else(|| format!("journal {}: malformed line {}", journal.display(), i + 1))?;
        let path = PathBuf::from(path);
        if present == "1" {
            let bytes = std::fs::read(journal.join(i.to_string()))
                .map_err(|e| format!("journal {}: {e}", journal.display()))?;
            write_atomic(&path, &bytes)
                .map_err(|e| format!("restoring {}: {e}", path.display()))?;
        } else if path.exists() {
            std::fs::remove_file(&path).map_err(|e| format!("removing {}: {e}", path.display()))?;
        }
        restored.push(path.display().to_string());
    }
    std::fs::remove_dir_all(journal).map_err(|e| format!("removing {}: {e}", journal.display()))?;
    Ok(restored)
}

/// Restores what an interrupted earlier run left in `journal` (if anything), saying so.
pub fn recover(journal: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(journal.with_extension("partial"));
    if journal.join(MANIFEST).exists() {
        let files = restore(journal)?;
        eprintln!(
            "an earlier tuning run did not finish: restored the previous {}",
            files.join(", ")
        );
    }
    Ok(())
}

fn install_handler() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            if let Some(j) = OPEN.lock().unwrap_or_else(|e| e.into_inner()).take() {
                match restore(&j) {
                    Ok(files) => {
                        eprintln!("\ninterrupted: restored the previous {}", files.join(", "))
                    }
                    Err(e) => eprintln!("\ninterrupted: {e}"),
                }
            }
            std::process::exit(130);
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("libnumber-generated-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// A failure while the new set is written (injected: the second file's folder is a regular file) leaves the
    /// previous set as it was, including a file that did not exist before.
    #[test]
    fn an_injected_write_failure_leaves_the_previous_set() {
        let d = dir("fail");
        let (rs, st, bake) = (
            d.join("tuned.rs"),
            d.join("tuned.safetensors"),
            d.join("bake").join("weights.rs"),
        );
        std::fs::write(&rs, "old rs").unwrap();
        std::fs::write(&st, "old st").unwrap();
        let journal = d.join("journal");
        let r: Result<(), String> = (|| {
            let t = Transaction::begin(&journal, &[rs.clone(), st.clone(), bake.clone()])?;
            write_atomic(&rs, b"new rs").map_err(|e| e.to_string())?;
            std::fs::write(d.join("bake"), "a file where a folder should be").unwrap();
            write_atomic(&bake, b"new bake").map_err(|e| e.to_string())?; // fails
            t.commit()
        })();
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&rs).unwrap(), "old rs");
        assert_eq!(std::fs::read_to_string(&st).unwrap(), "old st");
        assert!(!journal.exists(), "the journal is removed once restored");
        let left: Vec<_> = std::fs::read_dir(&d)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert!(
            left.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")),
            "{left:?}"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    /// Committed: the new set stays and the journal is gone. A file created by the run is removed on restore.
    #[test]
    fn commit_keeps_the_new_set_and_restore_removes_new_files() {
        let d = dir("commit");
        let (rs, st) = (d.join("tuned.rs"), d.join("tuned.safetensors"));
        std::fs::write(&rs, "old").unwrap();
        let journal = d.join("journal");
        let t = Transaction::begin(&journal, &[rs.clone(), st.clone()]).unwrap();
        write_atomic(&rs, b"new").unwrap();
        write_atomic(&st, b"new").unwrap();
        t.commit().unwrap();
        assert_eq!(
            (
                std::fs::read_to_string(&rs).unwrap(),
                st.exists(),
                journal.exists()
            ),
            ("new".into(), true, false)
        );
        let t = Transaction::begin(&journal, &[rs.clone(), st.clone()]).unwrap();
        std::fs::remove_file(&st).unwrap();
        write_atomic(&rs, b"newer").unwrap();
        drop(t);
        assert_eq!(
            (
                std::fs::read_to_string(&rs).unwrap(),
                std::fs::read_to_string(&st).unwrap()
            ),
            ("new".into(), "new".into())
        );
        std::fs::remove_dir_all(&d).unwrap();
    }

    /// A killed run leaves its journal: the next run restores from it before doing anything.
    #[test]
    fn a_journal_left_by_a_killed_run_is_recovered() {
        let d = dir("killed");
        let rs = d.join("tuned.rs");
        std::fs::write(&rs, "old").unwrap();
        let journal = d.join("journal");
        let t = Transaction::begin(&journal, std::slice::from_ref(&rs)).unwrap();
        write_atomic(&rs, b"unverified").unwrap();
        std::mem::forget(t); // as if the process died here
        *OPEN.lock().unwrap() = None;
        assert!(
            Transaction::begin(&journal, std::slice::from_ref(&rs))
                .unwrap_err()
                .contains("did not finish")
        );
        recover(&journal).unwrap();
        assert_eq!(std::fs::read_to_string(&rs).unwrap(), "old");
        assert!(!journal.exists());
        recover(&journal).unwrap(); // nothing to do
        std::fs::remove_dir_all(&d).unwrap();
    }
}
