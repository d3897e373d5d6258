//! A dataset: the YAML tree of one file, every value with its place in the source.

use super::Segment;
use super::figure::Figure;
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// One loaded dataset file.
///
/// Dropping it takes the tree apart iteratively (see [`drop_tree`]), so that a deeply nested
/// file cannot overflow the stack on the way out.
#[derive(Debug)]
pub struct Dataset {
    /// The file, for diagnostics.
    pub file: Arc<SourceFile>,
    /// The root value (a mapping for every real dataset).
    pub root: Node,
}

/// A YAML value with the byte range it was read from.
///
/// Kept small (32 bytes: a number is a [`Figure`], lists and mappings boxed slices, keys shared
/// per file), since a large dataset holds millions of them.
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
    Number(Figure),
    /// A plain scalar shaped like a number but too large for exact decimals.
    OutOfRange(Box<str>),
    /// Any other scalar (quoted scalars are always text).
    Text(Text),
    /// A sequence.
    List(Box<[Node]>),
    /// A mapping, in file order.
    Map(Box<[Entry]>),
}

/// The text of a scalar: mostly a range of the file's own text, shared rather than copied.
///
/// A scalar written verbatim (plain on one line, or quoted without escapes, as nearly all
/// texts of a dataset are) reads as the range of the file it stands in. Copying each into an
/// allocation of its own cost an allocation, a copy and a free per text, and a fifth of the
/// memory of a large dataset, whose names and reasons are most of its bytes. Any other text
/// (escapes, folded lines) is held in a source of its own.
#[derive(Clone)]
pub struct Text {
    source: Arc<SourceFile>,
    start: u32,
    end: u32,
}

impl Text {
    /// The text `value`, read at byte `at` of `file`: the range of the file there when the
    /// file holds exactly `value` at that place, or else a copy.
    // Always inlined into the loader's loop, like `plain_scalar`.
    #[inline(always)]
    pub fn read(file: &Arc<SourceFile>, at: usize, value: &str) -> Text {
        let end = at + value.len();
        if file.text.as_bytes().get(at..end) == Some(value.as_bytes()) {
            Text {
                source: file.clone(),
                start: at as u32,
                end: end as u32,
            }
        } else {
            Text::copied(value)
        }
    }

    /// `value` in a source of its own.
    pub fn copied(value: &str) -> Text {
        Text {
            source: Arc::new(SourceFile::new(String::new(), value)),
            start: 0,
            end: value.len() as u32,
        }
    }

    /// Whether the text is a range of `file` (rather than a copy).
    pub fn is_in(&self, file: &Arc<SourceFile>) -> bool {
        Arc::ptr_eq(&self.source, file)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.source.text(Span {
            start: self.start,
            end: self.end,
        })
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// What [`Node::child`] finds.
pub enum Child<'a> {
    /// The child, and where its key stands (none for a list item).
    Found(&'a Node, Option<Span>),
    /// The mapping has no such key, or the list no such item.
    Missing,
    /// The step does not apply: a key of a list or a scalar, an index of a mapping or scalar.
    NotThere,
}

/// One `key: value` pair of a mapping.
#[derive(Clone, Debug)]
pub struct Entry {
    /// The key as text (shared by every mapping of the file that uses it).
    pub key: Arc<str>,
    /// Where the key stands.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Node {
    /// The value under `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => find_entry(entries, key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The child one path segment names: a key of a mapping (with where the key stands) or an
    /// item of a list.
    pub fn child(&self, segment: &Segment) -> Child<'_> {
        match (segment, &self.kind) {
            (Segment::Key(k), NodeKind::Map(entries)) => match find_entry(entries, k) {
                Some(entry) => Child::Found(&entry.value, Some(entry.key_span)),
                None => Child::Missing,
            },
            (Segment::Index(i), NodeKind::List(items)) => match items.get(*i) {
                Some(item) => Child::Found(item, None),
                None => Child::Missing,
            },
            _ => Child::NotThere,
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
            // A figure printed with separators is quoted in the file (`"1,612.36"`): shown
            // as printed, without the quotes.
            NodeKind::Number(_) => {
                let text = file.text(self.span);
                let unquoted = text
                    .strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .or_else(|| text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')));
                unquoted.unwrap_or(text)
            }
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
            NodeKind::Number(n) if n.value().fract().is_zero() => n.value().trunc().try_into().ok(),
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

/// The entry of `entries` with the key `key`. The keys of a mapping mostly differ in length
/// or in their first byte, which are compared first: a library call to compare each key of
/// the same length was a twentieth of the evaluator's time.
pub fn find_entry<'a>(entries: &'a [Entry], key: &str) -> Option<&'a Entry> {
    let key = key.as_bytes();
    entries.iter().find(|e| {
        let k = e.key.as_bytes();
        k.len() == key.len() && k.first() == key.first() && k == key
    })
}

/// Builds the node for a plain (unquoted) scalar, following YAML's core schema for null and
/// booleans and tally's own rule for numbers (plain decimals only).
// Always inlined: it runs for every plain value of a dataset, and the call cost a tenth of it.
#[inline(always)]
pub fn plain_scalar(text: &str, span: Span, file: &Arc<SourceFile>) -> Node {
    let kind = match text {
        "" | "~" | "null" | "Null" | "NULL" => NodeKind::Null,
        "true" | "True" | "TRUE" => NodeKind::Bool(true),
        "false" | "False" | "FALSE" => NodeKind::Bool(false),
        _ => match Figure::read(text) {
            Some(Ok(figure)) => NodeKind::Number(figure),
            Some(Err(())) => NodeKind::OutOfRange(text.into()),
            None => NodeKind::Text(Text::read(file, span.start as usize, text)),
        },
    };
    Node { span, kind }
}

impl Drop for Dataset {
    fn drop(&mut self) {
        let root = std::mem::replace(&mut self.root, Node::null());
        drop_tree(root);
    }
}

impl Node {
    /// An empty value with no place, as a placeholder.
    pub fn null() -> Node {
        Node {
            span: Span::default(),
            kind: NodeKind::Null,
        }
    }
}

/// Drops a tree without recursing: each list or mapping is taken apart in one pass, handing
/// its lists and mappings over to an explicit stack and dropping the rest. Rust's own drop
/// would recurse once per level of nesting.
pub fn drop_tree(root: Node) {
    let mut todo = vec![root];
    while let Some(node) = todo.pop() {
        match node.kind {
            NodeKind::List(items) => {
                for item in items {
                    keep_containers(item, &mut todo);
                }
            }
            NodeKind::Map(entries) => {
                for entry in entries {
                    keep_containers(entry.value, &mut todo);
                }
            }
            _ => {}
        }
    }
}

/// Puts `node` on `todo` if it is a list or mapping, or drops it there.
fn keep_containers(node: Node, todo: &mut Vec<Node>) {
    if matches!(node.kind, NodeKind::List(_) | NodeKind::Map(_)) {
        todo.push(node);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_is_small() {
        assert!(std::mem::size_of::<Node>() <= 32);
    }

    #[test]
    fn a_very_deep_tree_drops_without_recursion() {
        // Far deeper than a 2 MiB stack could drop recursively.
        let mut node = Node::null();
        for _ in 0..1_000_000 {
            node = Node {
                span: Span::default(),
                kind: NodeKind::List(vec![node].into_boxed_slice()),
            };
        }
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || drop_tree(node))
            .unwrap();
        handle.join().unwrap();
    }
}
