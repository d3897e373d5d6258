//! Reading a dataset file from disk: size limit, UTF-8, BOM, YAML, a mapping at the top, and
//! the dataset's own declared precision. Files are only ever opened for reading.

use crate::dataset::file_error::FileError;
use crate::dataset::yaml::{self, Limits};
use crate::dataset::{Dataset, Node, NodeKind};
use crate::source::{SourceFile, Span};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// A dataset file that could not be loaded: its source (as far as it was read) and why.
#[derive(Debug)]
pub struct LoadFailure {
    /// The file, with whatever text could be read (empty if none).
    pub file: Arc<SourceFile>,
    /// What went wrong.
    pub error: FileError,
}

/// Loads the dataset at `path`.
pub fn load_dataset(path: &Path, limits: Limits) -> Result<Dataset, LoadFailure> {
    let name = path.display().to_string();
    let fail = |text: String, error: FileError| LoadFailure {
        file: Arc::new(SourceFile::new(name.clone(), text)),
        error,
    };
    let bytes = match read_limited(path, limits.max_file_size) {
        Ok(b) => b,
        Err(e) => return Err(fail(String::new(), e)),
    };
    let text = match utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            // Show the file up to the bad byte, so the place can be rendered.
            let shown = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let err = FileError::new(
                "invalid-utf8",
                format!(
                    "the file is not UTF-8 text: invalid byte 0x{:02X} at byte {valid}",
                    bytes[valid]
                ),
            )
            .at(Span::new(valid, valid));
            return Err(fail(shown, err));
        }
    };
    parse_dataset(name, text, limits)
}

/// The bytes as text, if they are UTF-8. (The benchmark's parse-only floor reads its files
/// with this too, so that both read alike.)
///
/// A dataset is mostly Chinese, where the standard library's check goes character by
/// character (2% of a check); `simdutf8` checks 32 bytes at a time. Only a failure is checked
/// again by the standard library, for the place of the first invalid byte.
#[allow(unsafe_code)]
pub fn utf8(bytes: Vec<u8>) -> Result<String, std::string::FromUtf8Error> {
    if simdutf8::basic::from_utf8(&bytes).is_err() {
        return String::from_utf8(bytes);
    }
    // SAFETY: `simdutf8` has just found `bytes` to be valid UTF-8, which is all that
    // `from_utf8_unchecked` asks; `bytes` is not changed in between. (Checking again with
    // `String::from_utf8` would cost what the line above saved, and a safe copy out of the
    // checked `&str` would hold a large file twice in memory.)
    Ok(unsafe { String::from_utf8_unchecked(bytes) })
}

/// Parses dataset text that is already in memory (used by tests and `tally test`).
pub fn parse_dataset(name: String, text: String, limits: Limits) -> Result<Dataset, LoadFailure> {
    let base = if text.starts_with('\u{feff}') { 3 } else { 0 };
    if let Some((at, c)) = crate::source::control_chars::find(&text[base..]) {
        let at = base + at;
        let error = FileError::new(
            "control-character",
            format!(
                "the file holds the control character {}, which would act on the terminal \
                 instead of being shown; tally does not read such files",
                crate::source::control_chars::name(c)
            ),
        )
        .at(Span::new(at, at));
        // Shown up to the character, so that the excerpt does not print it.
        let file = Arc::new(SourceFile::new(name, &text[..at]));
        return Err(LoadFailure { file, error });
    }
    let file = Arc::new(SourceFile::new(name, text));
    let parsed = yaml::parse(&file, base, limits);
    let mut root = match parsed {
        Ok(root) => root,
        Err(error) => return Err(LoadFailure { file, error }),
    };
    if !matches!(root.kind, NodeKind::Map(_)) {
        let error = FileError::new(
            "not-a-mapping",
            format!(
                "a dataset must be a mapping of keys to values at the top level, but this file holds {}",
                root.kind_name()
            ),
        )
        .at(root.span);
        return Err(LoadFailure { file, error });
    }
    if let Err(error) = apply_precision(&mut root) {
        return Err(LoadFailure { file, error });
    }
    Ok(Dataset { file, root })
}

/// Spans are `u32` byte offsets, so no file beyond 4 GiB is read, whatever `--max-file-size`.
const SPAN_LIMIT: u64 = u32::MAX as u64;

fn read_limited(path: &Path, max: u64) -> Result<Vec<u8>, FileError> {
    let max = max.min(SPAN_LIMIT);
    let io = |e: std::io::Error| FileError::new("io", format!("cannot read the file: {e}"));
    // Checked before opening: opening a named pipe waits for a writer, and a device such as
    // /dev/zero or /dev/stdin (say, as `meta.prior`) never ends or waits for the terminal.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(FileError::new(
            "io",
            "cannot read the file: it is not a regular file (a folder, device or pipe)",
        ));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    let size = file.metadata().map_err(io)?.len();
    if size > max {
        return Err(FileError::new(
            "file-too-large",
            format!("the file is {size} bytes, more than the limit of {max} (see --max-file-size)"),
        ));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    // `take` guards against a file that grows while it is read.
    file.take(max + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max {
        return Err(FileError::new(
            "file-too-large",
            format!("the file is larger than the limit of {max} bytes (see --max-file-size)"),
        ));
    }
    Ok(bytes)
}

/// Applies `meta.precision`: a mapping from a dotted path (or `"*"` for the whole dataset) to
/// the decimals its figures were rounded to. Figures below that path then stand for at least
/// `± ½·10^-decimals`, however they are written (an amount printed as `260` in a table of
/// figures rounded to 0.01 stands for 260 ± 0.005).
pub fn apply_precision(root: &mut Node) -> Result<(), FileError> {
    let Some(spec) = root.at("meta.precision") else {
        return Ok(());
    };
    let NodeKind::Map(entries) = &spec.kind else {
        return Err(FileError::new(
            "bad-meta",
            "`meta.precision` must map paths to decimals, like `{three_public: 2}`",
        )
        .at(spec.span));
    };
    let mut rules = Vec::new();
    for entry in entries {
        let Some(decimals) = entry.value.as_integer().filter(|d| (0..=28).contains(d)) else {
            return Err(FileError::new(
                "bad-meta",
                format!(
                    "`meta.precision.{}` must be a whole number of decimals from 0 to 28",
                    entry.key
                ),
            )
            .at(entry.value.span));
        };
        rules.push((entry.key.to_string(), decimals as u32));
    }
    for (path, decimals) in rules {
        let target = if path == "*" {
            Some(&mut *root)
        } else {
            at_mut(root, &path)
        };
        if let Some(node) = target {
            widen_all(node, decimals);
        }
    }
    Ok(())
}

fn at_mut<'a>(node: &'a mut Node, dotted: &str) -> Option<&'a mut Node> {
    dotted
        .split('.')
        .try_fold(node, |node, key| match &mut node.kind {
            NodeKind::Map(entries) => entries
                .iter_mut()
                .find(|e| &*e.key == key)
                .map(|e| &mut e.value),
            _ => None,
        })
}

fn widen_all(node: &mut Node, decimals: u32) {
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        match &mut n.kind {
            NodeKind::Number(figure) => figure.rounded_to(decimals),
            NodeKind::List(items) => todo.extend(items.iter_mut()),
            NodeKind::Map(entries) => todo.extend(entries.iter_mut().map(|e| &mut e.value)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The fast check accepts and refuses what the standard library does, and a refusal
        /// names the same first bad byte.
        #[test]
        fn utf8_agrees_with_the_standard_library(
            text in "[a-z名😀é\n]{0,80}",
            bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..8),
            at in 0usize..100,
        ) {
            let mut all = text.into_bytes();
            let at = at.min(all.len());
            all.splice(at..at, bytes);
            let ours = utf8(all.clone()).map_err(|e| e.utf8_error().valid_up_to());
            let std = String::from_utf8(all).map_err(|e| e.utf8_error().valid_up_to());
            proptest::prop_assert_eq!(ours, std);
        }
    }
}
