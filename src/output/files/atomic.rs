//! Report files written atomically: into a temporary file beside the target, renamed over it
//! only when complete. A crash, an error or Ctrl-C leaves the old report (or none), never half
//! of a new one.

use std::fs::Permissions;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// A report file being written.
pub struct AtomicFile {
    path: PathBuf,
    out: BufWriter<NamedTempFile>,
}

impl AtomicFile {
    /// Starts writing `path`: creates a hidden temporary file in the same folder (so that
    /// the final rename stays on one file system).
    pub fn create(path: &Path) -> io::Result<AtomicFile> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        if let Some(p) = permissions(path) {
            builder.permissions(p);
        }
        let temp = builder.tempfile_in(dir)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            out: BufWriter::new(temp),
        })
    }

    /// The path the report will have.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where to write the report.
    pub fn writer(&mut self) -> &mut dyn Write {
        &mut self.out
    }

    /// Makes the complete report visible under its name, replacing any old one.
    pub fn commit(self) -> io::Result<()> {
        let temp = self.out.into_inner().map_err(|e| e.into_error())?;
        temp.as_file().sync_all()?;
        temp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// A replaced report keeps its permissions; a new one is readable by all (temporary files
/// are private by default, which a report shared with reviewers should not be).
fn permissions(path: &Path) -> Option<Permissions> {
    match std::fs::metadata(path) {
        Ok(meta) => Some(meta.permissions()),
        Err(_) => default_permissions(),
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<Permissions> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_report_is_replaced_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(&path, "old").unwrap();
        let mut file = AtomicFile::create(&path).unwrap();
        file.writer().write_all(b"new, and long").unwrap();
        file.writer().flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        file.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new, and long");
        // Nothing is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_abandoned_report_leaves_the_old_one_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(&path, "old").unwrap();
        let mut file = AtomicFile::create(&path).unwrap();
        file.writer().write_all(b"half a rep").unwrap();
        drop(file);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
