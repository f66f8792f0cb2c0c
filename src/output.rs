//! Writing reports: a file is written to a temporary sibling and renamed
//! into place, so a reader never sees half a report and a failed run leaves
//! the old file as it was. A device or a pipe (`-o /dev/null`,
//! `-o /dev/stdout`, a FIFO) is written as it is: renaming over it would
//! replace it with a file. A symbolic link is followed, so the link stays.

use anyhow::{Context, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Writes `contents` to `path` whole or not at all.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(contents)?;
    file.commit()
}

/// A file written whole or not at all: a temporary sibling renamed into
/// place by [`AtomicFile::commit`], removed if never committed. A device
/// or pipe is written directly (`tmp` is `None`).
pub struct AtomicFile {
    tmp: Option<PathBuf>,
    path: PathBuf,
    file: Option<BufWriter<File>>,
}

/// Whether something that exists at a path is written in place: anything
/// but a regular file or a folder (a device, a pipe, a socket).
fn written_in_place(meta: &std::fs::Metadata) -> bool {
    !meta.is_file() && !meta.is_dir()
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        // Metadata follows links: a link to /dev/null is a device too.
        if std::fs::metadata(path).is_ok_and(|m| written_in_place(&m)) {
            let file = File::options()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            return Ok(AtomicFile {
                tmp: None,
                path: path.to_path_buf(),
                file: Some(BufWriter::new(file)),
            });
        }
        // Renaming over a link would replace the link: write its target.
        let path = match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => std::fs::canonicalize(path)
                .with_context(|| format!("{} is a link to nowhere", path.display()))?,
            _ => path.to_path_buf(),
        };
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
            tmp: Some(tmp),
            file: Some(BufWriter::new(file)),
            path,
        })
    }

    /// Moves the finished file into place; on any failure the temporary
    /// file is removed and the target is left as it was. A device or pipe
    /// only has what is buffered flushed to it.
    pub fn commit(mut self) -> Result<()> {
        let file = self.file.take().expect("committed once");
        let Some(tmp) = self.tmp.take() else {
            return file
                .into_inner()
                .map(drop)
                .map_err(|e| e.into_error())
                .with_context(|| format!("cannot write {}", self.path.display()));
        };
        let result = file
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all())
            .with_context(|| format!("cannot write {}", self.path.display()))
            .and_then(|()| {
                std::fs::rename(&tmp, &self.path).with_context(|| {
                    format!(
                        "cannot move the report into place at {}",
                        self.path.display()
                    )
                })
            });
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

/// Writes as the report being written, so an error (a full disk, a file
/// size limit) names the report the user asked for, not the temporary file.
impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.file.as_mut().expect("open until committed").write(buf);
        written.map_err(|e| self.named(e))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        let flushed = self.file.as_mut().expect("open until committed").flush();
        flushed.map_err(|e| self.named(e))
    }
}

impl AtomicFile {
    fn named(&self, error: std::io::Error) -> std::io::Error {
        let message = format!("cannot write {}: {error}", self.path.display());
        std::io::Error::new(error.kind(), message)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some()
            && let Some(tmp) = &self.tmp
        {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty scratch folder, removed when dropped.
    fn scratch() -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix("ahr-output-")
            .tempdir()
            .unwrap()
    }

    #[test]
    fn a_failed_write_names_the_report_not_the_temporary_file() {
        let dir = scratch();
        let target = dir.path().join("report.json");
        let read_only = dir.path().join("read-only");
        std::fs::write(&read_only, b"").unwrap();
        // A file opened for reading refuses every write, as a full disk would.
        let mut file = AtomicFile {
            tmp: Some(dir.path().join(".report.json.1.tmp")),
            path: target.clone(),
            file: Some(BufWriter::new(File::open(&read_only).unwrap())),
        };
        let err = file.write_all(&[b'x'; 64 * 1024]).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("cannot write {}: ", target.display())),
            "{err}"
        );
        assert!(!err.contains(".tmp"), "{err}");
    }

    #[test]
    fn writes_whole_file_and_leaves_no_temporary() {
        let dir = scratch();
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
    fn devices_are_written_in_place_and_files_replaced() {
        // Renamed over, /dev/null would become a plain file that keeps
        // whatever is written to it.
        #[cfg(unix)]
        assert!(written_in_place(&std::fs::metadata("/dev/null").unwrap()));
        let dir = scratch();
        let file = dir.path().join("report.json");
        std::fs::write(&file, "old").unwrap();
        assert!(!written_in_place(&std::fs::metadata(&file).unwrap()));
        assert!(!written_in_place(&std::fs::metadata(dir.path()).unwrap()));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_stays_a_link_and_its_target_gets_the_report() {
        let dir = scratch();
        let target = dir.path().join("reports-latest.json");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("report.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn a_missing_folder_is_an_error_not_a_partial_file() {
        let dir = scratch();
        let target = dir.path().join("no-such-dir/report.json");
        assert!(write_atomically(&target, b"x").is_err());
        assert!(!target.exists());
    }
}
