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
            let message = if looks_like_gb18030(&bytes) {
                format!(
                    "the file is not UTF-8 text: invalid byte 0x{:02X} at byte {valid}; it looks \
                     like GBK/GB18030 (文件似为 GBK/GB18030 编码): save it as UTF-8 \
                     (请另存为 UTF-8 编码)",
                    bytes[valid]
                )
            } else {
                format!(
                    "the file is not UTF-8 text: invalid byte 0x{:02X} at byte {valid}",
                    bytes[valid]
                )
            };
            let err = FileError::new("invalid-utf8", message).at(Span::new(valid, valid));
            return Err(fail(shown, err));
        }
    };
    parse_dataset(name, text, limits)
}

/// Whether bytes that are not UTF-8 read as GB18030 (which includes GBK) without a single
/// malformed sequence, and hold Chinese characters: the usual cause of a dataset that is not
/// UTF-8, saved by a Chinese edition of Windows or Excel.
pub fn looks_like_gb18030(bytes: &[u8]) -> bool {
    let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
    !had_errors && text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
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
/// how its figures were made from exact amounts:
///
/// - a number of decimals they were rounded to: figures below that path then stand for at
///   least `± ½·10^-decimals`, however they are written (an amount printed as `260` in a table
///   of figures rounded to 0.01 stands for 260 ± 0.005);
/// - `truncate`: they were cut after their printed decimals, not rounded (13.7168% printed
///   13.71 stands for 13.71 … 13.72);
/// - both, as `{decimals: 2, mode: truncate}`.
///
/// A `*` in a path stands for any one key (`"*.change.pct"`: every top-level section's rate of
/// change); a path through a list reaches every item.
pub fn apply_precision(root: &mut Node) -> Result<(), FileError> {
    let Some(spec) = root.at("meta.precision") else {
        return Ok(());
    };
    let NodeKind::Map(entries) = &spec.kind else {
        return Err(FileError::new(
            "bad-meta",
            "`meta.precision` must map paths to decimals or `truncate`, like `{three_public: 2}`",
        )
        .at(spec.span));
    };
    let mut rules = Vec::new();
    for entry in entries {
        let Some(how) = precision_of(&entry.value) else {
            return Err(FileError::new(
                "bad-meta",
                format!(
                    "`meta.precision.{}` must be a whole number of decimals from 0 to 28, \
                     `truncate`, or `{{decimals: N, mode: truncate}}`",
                    entry.key
                ),
            )
            .at(entry.value.span));
        };
        rules.push((entry.key.to_string(), how));
    }
    for (path, how) in rules {
        let pattern: Vec<&str> = if path == "*" {
            Vec::new()
        } else {
            path.split('.').collect()
        };
        let mut targets = Vec::new();
        matching(root, &pattern, &mut targets);
        for node in targets {
            widen_all(node, how);
        }
    }
    Ok(())
}

/// How the figures below a path were made from exact amounts.
#[derive(Clone, Copy)]
struct Precision {
    decimals: Option<u32>,
    truncated: bool,
}

fn precision_of(value: &Node) -> Option<Precision> {
    let decimals = |n: &Node| {
        n.as_integer()
            .filter(|d| (0..=28).contains(d))
            .map(|d| d as u32)
    };
    match &value.kind {
        NodeKind::Text(t) if t.trim() == "truncate" => Some(Precision {
            decimals: None,
            truncated: true,
        }),
        NodeKind::Map(entries) => {
            let mut how = Precision {
                decimals: None,
                truncated: false,
            };
            for e in entries.iter() {
                match &*e.key {
                    "decimals" => how.decimals = Some(decimals(&e.value)?),
                    "mode" => match e.value.as_text().map(str::trim) {
                        Some("truncate") => how.truncated = true,
                        Some("round") => {}
                        _ => return None,
                    },
                    _ => return None,
                }
            }
            Some(how)
        }
        _ => Some(Precision {
            decimals: Some(decimals(value)?),
            truncated: false,
        }),
    }
}

/// The nodes a precision path reaches: keys in turn, `*` any key, lists passed through.
fn matching<'a>(node: &'a mut Node, pattern: &[&str], out: &mut Vec<&'a mut Node>) {
    let Some((first, rest)) = pattern.split_first() else {
        out.push(node);
        return;
    };
    match &mut node.kind {
        NodeKind::Map(entries) => {
            for e in entries.iter_mut() {
                if *first == "*" || &*e.key == *first {
                    matching(&mut e.value, rest, out);
                }
            }
        }
        NodeKind::List(items) => {
            for item in items.iter_mut() {
                matching(item, pattern, out);
            }
        }
        _ => {}
    }
}

fn widen_all(node: &mut Node, how: Precision) {
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        match &mut n.kind {
            NodeKind::Number(figure) => {
                if let Some(d) = how.decimals {
                    figure.rounded_to(d as i32);
                }
                if how.truncated {
                    figure.truncate();
                }
            }
            NodeKind::List(items) => todo.extend(items.iter_mut()),
            NodeKind::Map(entries) => todo.extend(entries.iter_mut().map(|e| &mut e.value)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interval(data: &Dataset, path: &str) -> (String, String) {
        let NodeKind::Number(f) = &data.root.at(path).unwrap().kind else {
            panic!("{path} is not a number")
        };
        let n = f.num();
        (n.lo.unwrap().to_string(), n.hi.unwrap().to_string())
    }

    #[test]
    fn gbk_files_are_recognised() {
        let (gbk, _, _) = encoding_rs::GBK.encode("部门决算：本年收入合计 1612.36 万元");
        assert!(looks_like_gb18030(&gbk));
        assert!(
            !looks_like_gb18030(&[0xff, 0xfe, 0x00, 0x41]),
            "not GB18030"
        );
        assert!(!looks_like_gb18030(b"plain ascii"), "no Chinese");
    }

    #[test]
    fn precision_rounds_truncates_and_matches_patterns() {
        let text = "meta:\n  precision:\n    \"*.change.pct\": truncate\n    c.pct: {decimals: 0, mode: truncate}\n    d: 1\n\
                    a: {change: {pct: 13.71}}\nb: {change: {pct: 2.5}, pct: 2.5}\nc: {pct: 40}\nd: [{x: 5.55}]\n";
        let data = parse_dataset("d.yaml".into(), text.into(), Limits::default()).unwrap();
        assert_eq!(
            interval(&data, "a.change.pct"),
            ("13.71".into(), "13.72".into())
        );
        assert_eq!(
            interval(&data, "b.change.pct"),
            ("2.5".into(), "2.6".into())
        );
        assert_eq!(
            interval(&data, "b.pct"),
            ("2.45".into(), "2.55".into()),
            "not matched"
        );
        assert_eq!(interval(&data, "c.pct"), ("39.5".into(), "41".into()));
        let NodeKind::List(items) = &data.root.at("d").unwrap().kind else {
            panic!()
        };
        let NodeKind::Number(f) = &items[0].at("x").unwrap().kind else {
            panic!()
        };
        assert_eq!(
            f.num().lo.unwrap().to_string(),
            "5.50",
            "lists are passed through"
        );
        let bad = "meta: {precision: {a: truncated}}\n";
        let err = parse_dataset("d.yaml".into(), bad.into(), Limits::default()).unwrap_err();
        assert!(
            err.error.message.contains("`truncate`"),
            "{}",
            err.error.message
        );
    }

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
