//! An error in a rule file: syntax, unknown names, duplicate ids. Rule-file errors stop a run
//! (exit code 2) after all of them have been reported.

use crate::source::{LineCol, SourceFile, Span};
use std::sync::Arc;

/// One problem in a rule file, at its place.
#[derive(Clone, Debug)]
pub struct RuleError {
    /// The rule file.
    pub file: Arc<SourceFile>,
    /// Where the problem is.
    pub span: Span,
    /// What is wrong, in plain words.
    pub message: String,
    /// Another place worth showing (e.g. the first definition of a duplicate id).
    pub note: Option<(Arc<SourceFile>, Span, String)>,
}

impl RuleError {
    /// An error at `span` of `file`.
    pub fn new(file: &Arc<SourceFile>, span: Span, message: String) -> RuleError {
        RuleError {
            file: file.clone(),
            span,
            message,
            note: None,
        }
    }

    /// Line and column of the error.
    pub fn line_col(&self) -> LineCol {
        self.file.line_col(self.span.start)
    }
}
