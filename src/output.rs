//! Writing reports: a file is written to a temporary sibling and renamed
//! into place, so a reader never sees half a report and a failed run leaves
//! the old file as it was.

use anyhow::{Context, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` whole or not at all.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(contents)
        .with_context(|| format!("cannot write {}", file.tmp.display()))?;
    file.commit()
}

/// A file written whole or not at all: a temporary sibling renamed into
/// place by [`AtomicFile::commit`], removed if never committed.
pub struct AtomicFile {
    tmp: PathBuf,
    path: PathBuf,
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .with_context(|| format!("{} is not a file name", path.display()))?;
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        // The report is written beside its place and renamed in; the user
        // named the report, so the error names it and its folder.
        let file = File::create(&tmp).with_context(|| {
            format!(
                "cannot write {}: check that the folder {} exists and is writable",
                path.display(),
                dir.display()
            )
        })?;
        Ok(AtomicFile {
            tmp,
            path: path.to_path_buf(),
            file: Some(BufWriter::new(file)),
        })
    }

    /// Moves the finished file into place; on any failure the temporary
    /// file is removed and the target is left as it was.
    pub fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("committed once");
        let result = file
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all())
            .with_context(|| format!("cannot write {}", self.tmp.display()))
            .and_then(|()| {
                std::fs::rename(&self.tmp, &self.path).with_context(|| {
                    format!(
                        "cannot move the report into place at {}",
                        self.path.display()
                    )
                })
            });
        if result.is_err() {
            let _ = std::fs::remove_file(&self.tmp);
        }
        result
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.as_mut().expect("open until committed").write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.as_mut().expect("open until committed").flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::Builder::new()
            .prefix("ahr-output-")
            .tempdir()
            .unwrap();
        let target = dir.path().join("report.json");
        write_atomically(&target, b"{\"a\":1}\n").unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"{\"a\":1}\n");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn a_missing_folder_is_an_error_not_a_partial_file() {
        let dir = tempfile::Builder::new()
            .prefix("ahr-output-")
            .tempdir()
            .unwrap();
        let target = dir.path().join("no-such-dir/report.json");
        assert!(write_atomically(&target, b"x").is_err());
        assert!(!target.exists());
    }
}
