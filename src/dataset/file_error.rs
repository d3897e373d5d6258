//! A problem with a whole input file: unreadable, not YAML, too large, too deep.

use crate::source::Span;

/// Why a dataset file could not be loaded, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// A stable code (`yaml-syntax`, `yaml-duplicate-key`, `io`, …).
    pub code: &'static str,
    /// What went wrong, in plain words.
    pub message: String,
    /// Where in the file, when known.
    pub span: Option<Span>,
    /// A second place worth showing (e.g. where a duplicate key was first defined).
    pub note: Option<(Span, String)>,
}

impl FileError {
    /// An error with a code and a message, at no particular place.
    pub fn new(code: &'static str, message: impl Into<String>) -> FileError {
        FileError {
            code,
            message: message.into(),
            span: None,
            note: None,
        }
    }

    /// The same error at `span`.
    pub fn at(mut self, span: Span) -> FileError {
        self.span = Some(span);
        self
    }

    /// The same error with a second labelled place.
    pub fn with_note(mut self, span: Span, label: impl Into<String>) -> FileError {
        self.note = Some((span, label.into()));
        self
    }
}
