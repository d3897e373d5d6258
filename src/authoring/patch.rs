//! Patching a dataset's text: replace the value at a path with new YAML text, keeping every
//! other byte as it was. Rule fixtures use it to derive a failing dataset from a real one with
//! a one-line change ("set `expenditure.total.amount` to 1600.00").

use crate::dataset::load::parse_dataset;
use crate::dataset::yaml::Limits;
use crate::dataset::{Node, NodeKind};

/// Replaces the values at `path`s (`a.b[0].c`) in `text` with the given YAML texts.
pub fn apply<'a>(
    text: &str,
    patches: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<String, String> {
    let dataset = parse_dataset("patch".into(), text.to_string(), Limits::default())
        .map_err(|f| format!("the dataset does not load: {}", f.error.message))?;
    let mut edits = Vec::new();
    for (path, value) in patches {
        let node =
            find(&dataset.root, path).ok_or_else(|| format!("no `{path}` in the dataset"))?;
        if matches!(node.kind, NodeKind::Map(_) | NodeKind::List(_)) {
            return Err(format!(
                "`{path}` is {}; only single values can be set",
                node.kind_name()
            ));
        }
        edits.push((node.span, value));
    }
    // Splice from the end of the text, so that earlier spans stay valid.
    edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
    let mut out = text.to_string();
    for (span, value) in edits {
        out.replace_range(span.range(), value);
    }
    Ok(out)
}

/// The node at a dotted path with `[i]` indexes.
pub fn find<'a>(root: &'a Node, path: &str) -> Option<&'a Node> {
    let mut node = root;
    for part in path.split('.') {
        let (key, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            node = node.get(key)?;
        }
        for index in indexes.split('[').skip(1) {
            let i: usize = index.strip_suffix(']')?.parse().ok()?;
            match &node.kind {
                NodeKind::List(items) => node = items.get(i)?,
                _ => return None,
            }
        }
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_only_the_value() {
        let text = "a:\n  b: 1.00 # note\n  c: [1, 2]\n";
        let patched = apply(text, [("a.b", "2.50"), ("a.c[1]", "7")]).unwrap();
        assert_eq!(patched, "a:\n  b: 2.50 # note\n  c: [1, 7]\n");
    }

    #[test]
    fn unknown_paths_and_containers_are_refused() {
        assert!(
            apply("a: 1\n", [("b", "1")])
                .unwrap_err()
                .contains("no `b`")
        );
        assert!(
            apply("a: {x: 1}\n", [("a", "1")])
                .unwrap_err()
                .contains("a mapping")
        );
    }
}
