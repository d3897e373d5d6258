//! Source files (datasets and rule files) and places in them.

// The path is spelled out because build.rs compiles this file as a module too (see there),
// where the child's default place would be `src/control_chars.rs`.
#[path = "source/control_chars.rs"]
pub mod control_chars;

use std::sync::OnceLock;

/// A byte range in a source file. `u32` keeps dataset nodes small; files are limited well
/// below 4 GiB (see `limits`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    /// The byte range, for slicing.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// True for an empty span.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }
}

/// A file's name and text, with a line index built on first use.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (or `<built-in>/…` for the embedded pack).
    pub name: String,
    /// The whole text.
    pub text: String,
    line_starts: OnceLock<Vec<u32>>,
}

/// A 1-based line and column, the column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl SourceFile {
    /// A source file from its name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            // A file name is printed as it is: it must not carry terminal escapes.
            name: crate::source::control_chars::replaced(&name.into()),
            text: text.into(),
            line_starts: OnceLock::new(),
        }
    }

    /// The text of a span.
    pub fn text(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// Byte offsets where lines start (built once, on first use).
    pub fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| line_starts(&self.text))
    }

    /// Line and column (1-based, columns in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let start = starts[line - 1] as usize;
        let end = (offset as usize).min(self.text.len());
        let column = self
            .text
            .get(start..end)
            .map_or(1, |s| s.chars().count() + 1);
        LineCol { line, column }
    }
}

fn line_starts(text: &str) -> Vec<u32> {
    // The memchr crate's vectorised search: a seed-sized file has 850 short lines, where
    // `str::match_indices` spent 220,000 instructions, 2% of checking the file.
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let f = SourceFile::new("x", "a: 1\n收入: 2\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        let two = f.text.find('2').unwrap() as u32;
        assert_eq!(f.line_col(two), LineCol { line: 2, column: 5 });
    }
}
