//! Output: atomic file writes (temp file + rename), so a reader never sees a partial PDF
//! and a failed build never replaces a good file.

use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` by writing a temporary file beside it and renaming it into
/// place. On any error the temporary file is removed and `path` is left as it was.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    // Unique per process and per call, so two writers never share a temporary file.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.tmp-{}-{call}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        // No fsync: the rename is what makes the write atomic for readers, and a file the
        // machine lost in a crash no longer matches its SHA-256 in the manifest, so the
        // next `build --due` redoes it. Syncing each of ~200 files cost a third of the run.
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Whether a file name is one of [`write_atomic`]'s temporary files
/// (`.<name>.tmp-<pid>-<n>`), which a killed run may leave behind.
pub fn is_temporary(name: &str) -> bool {
    name.starts_with('.')
        && name.rsplit_once(".tmp-").is_some_and(|(_, tail)| {
            let mut parts = tail.split('-');
            parts.next().is_some_and(|p| p.parse::<u32>().is_ok())
                && parts.next().is_some_and(|n| n.parse::<usize>().is_ok())
                && parts.next().is_none()
        })
}

/// Holds an output folder for one run: a second run into the same folder waits for it
/// (up to `wait`), then gives up with a clear error. The lock is the operating system's
/// advisory lock (flock) on the folder itself, so no file is added to the output and a
/// killed run releases it.
pub struct OutputLock {
    _file: std::fs::File,
}

impl OutputLock {
    pub fn acquire(out: &Path, wait: std::time::Duration) -> Result<OutputLock, String> {
        std::fs::create_dir_all(out)
            .map_err(|e| format!("cannot create output folder `{}`: {e}", out.display()))?;
        let file = std::fs::File::open(out)
            .map_err(|e| format!("cannot open output folder `{}`: {e}", out.display()))?;
        let path = out;
        let start = std::time::Instant::now();
        let mut told = false;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(OutputLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) => {
                    if start.elapsed() >= wait {
                        return Err(format!(
                            "another broadside run is writing to `{}`; waited {} s for it",
                            out.display(),
                            wait.as_secs()
                        ));
                    }
                    if !told {
                        eprintln!(
                            "waiting for another broadside run to finish with `{}` …",
                            out.display()
                        );
                        told = true;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(format!("cannot lock `{}`: {e}", path.display()));
                }
            }
        }
    }
}

/// Writes only when the content differs, so an unchanged rebuild leaves files (and their
/// modification times) alone. Returns whether the file was written.
pub fn write_if_changed(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    if std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(false);
    }
    write_atomic(path, bytes)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/flyer.pdf");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(!write_if_changed(&path, b"two").unwrap());
        assert!(write_if_changed(&path, b"three").unwrap());
    }
}
