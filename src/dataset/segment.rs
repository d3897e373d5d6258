//! One step of a path into a dataset: a mapping key or a list index. Rules write paths of
//! them, but they are the data's own addressing, so the tree does not depend on the rule
//! language.

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Segment {
    /// `.name` or `."quoted name"`.
    Key(#[serde(with = "crate::stored::text")] String),
    /// `[n]`.
    Index(usize),
}

/// Appends a path segment as it would be written.
pub fn push_segment(out: &mut String, seg: &Segment) {
    match seg {
        Segment::Key(k) if k.chars().all(|c| c.is_alphanumeric() || c == '_') => {
            out.push('.');
            out.push_str(k);
        }
        Segment::Key(k) => {
            out.push_str(".\"");
            out.push_str(k);
            out.push('"');
        }
        Segment::Index(i) => {
            out.push('[');
            out.push_str(&i.to_string());
            out.push(']');
        }
    }
}
