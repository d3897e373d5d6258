//! Finding the dataset files to check: the files given, and every `*.yaml`/`*.yml` under the
//! folders given, in sorted order so that output is deterministic.

use std::path::{Path, PathBuf};

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Dataset files, in the order given, each folder's files sorted by path.
    pub files: Vec<PathBuf>,
    /// Places that could not be walked (a symlink loop, an unreadable folder), with why.
    pub problems: Vec<(PathBuf, String)>,
    /// Paths given that do not exist.
    pub missing: Vec<PathBuf>,
    /// Folders given that hold no dataset file at all (most likely the wrong folder: saying
    /// "0 files checked" and passing would hide that).
    pub empty: Vec<PathBuf>,
}

/// True for a file name tally reads as a dataset.
pub fn is_dataset(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// Walks the given paths. A file given by name is checked whatever its extension.
pub fn discover(paths: &[PathBuf]) -> Discovered {
    let mut found = Discovered::default();
    for path in paths {
        if !path.exists() {
            found.missing.push(path.clone());
        } else if path.is_file() {
            found.files.push(path.clone());
        } else if !path.is_dir() {
            found.problems.push((
                path.clone(),
                "not a regular file or a folder (a device or a pipe); not read".into(),
            ));
        } else {
            let before = found.files.len();
            walk(path, &mut found);
            if found.files.len() == before {
                found.empty.push(path.clone());
            }
        }
    }
    found
}

fn walk(dir: &Path, found: &mut Discovered) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name();
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() && is_dataset(e.path()) => {
                found.files.push(e.into_path())
            }
            Ok(_) => {}
            Err(err) => {
                let at = err
                    .path()
                    .map_or_else(|| dir.to_path_buf(), Path::to_path_buf);
                let why = if err.loop_ancestor().is_some() {
                    "a symbolic link loops back to a folder above it; not followed".to_string()
                } else {
                    match err.io_error() {
                        Some(io) => format!("cannot read: {io}"),
                        None => err.to_string(),
                    }
                };
                found.problems.push((at, why));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_walked_in_sorted_order() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["b.yaml", "a.yml", "c.txt", "sub/d.YAML"] {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "a: 1\n").unwrap();
        }
        let found = discover(&[dir.path().to_path_buf()]);
        let names: Vec<String> = found
            .files
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.yml", "b.yaml", "sub/d.YAML"]);
    }

    #[test]
    fn folders_without_datasets_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "a: 1\n").unwrap();
        let found = discover(&[dir.path().to_path_buf()]);
        assert!(found.files.is_empty());
        assert_eq!(found.empty, [dir.path().to_path_buf()]);
    }

    #[test]
    fn missing_paths_are_reported() {
        let found = discover(&[PathBuf::from("/no/such/place")]);
        assert_eq!(found.missing.len(), 1);
    }
}
