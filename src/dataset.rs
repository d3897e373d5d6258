//! A dataset: the YAML tree of one file, every value with its place in the source.

use crate::number::{Num, Parsed};
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// One loaded dataset file.
#[derive(Debug)]
pub struct Dataset {
    /// The file, for diagnostics.
    pub file: Arc<SourceFile>,
    /// The root value (a mapping for every real dataset).
    pub root: Node,
}

/// A YAML value with the byte range it was read from.
#[derive(Clone, Debug)]
pub struct Node {
    /// Where the value stands in the file.
    pub span: Span,
    /// What the value is.
    pub kind: NodeKind,
}

/// The kinds of YAML values tally distinguishes.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// `~`, `null` or nothing at all.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A plain scalar written as a decimal number.
    Number(Num),
    /// A plain scalar shaped like a number but too large for exact decimals.
    OutOfRange(Box<str>),
    /// Any other scalar (quoted scalars are always text).
    Text(Box<str>),
    /// A sequence.
    List(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<Entry>),
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The key as text.
    pub key: Box<str>,
    /// Where the key stands.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Node {
    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries.iter().find(|e| &*e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// Follows a dotted path of mapping keys (`meta.year`).
    pub fn at(&self, dotted: &str) -> Option<&Node> {
        dotted.split('.').try_fold(self, |node, key| node.get(key))
    }

    /// The source text of a scalar, for messages (`447.00`, `"abc"`, `[…]`).
    pub fn describe<'a>(&self, file: &'a SourceFile) -> &'a str {
        match &self.kind {
            NodeKind::List(_) => "a list",
            NodeKind::Map(_) => "a mapping",
            NodeKind::Null => "empty",
            _ => file.text(self.span),
        }
    }

    /// A word for the kind of value, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "empty",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Number(_) => "a number",
            NodeKind::OutOfRange(_) => "a number out of range",
            NodeKind::Text(_) => "text",
            NodeKind::List(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// An integer value, if the node is a whole number.
    pub fn as_integer(&self) -> Option<i64> {
        match &self.kind {
            NodeKind::Number(n) if n.value.fract().is_zero() => n.value.trunc().try_into().ok(),
            NodeKind::Text(t) => t.parse().ok(),
            _ => None,
        }
    }

    /// The text of a scalar value.
    pub fn as_text(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// Builds the node for a plain (unquoted) scalar, following YAML's core schema for null and
/// booleans and tally's own rule for numbers (plain decimals only).
pub fn plain_scalar(text: &str, span: Span) -> Node {
    let kind = match text {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        _ => match Num::parse(text) {
            Parsed::Number(n) => NodeKind::Number(n),
            Parsed::OutOfRange => NodeKind::OutOfRange(text.into()),
            Parsed::NotANumber => NodeKind::Text(text.into()),
        },
    };
    Node { span, kind }
}
