//! The indexes that run keyed loops as lookups (see [`crate::rules::keyed_loops`], which
//! finds those loops when the rule set is built): per dataset, a list's items by the text
//! of one key.

use crate::dataset::{Node, NodeKind, Segment};
use crate::rules::keyed_loops::{Inner, MAX_NEST};
use foldhash::{HashMap, HashMapExt};

/// Where an item of a nest is: its position in the list of each loop, outermost first.
pub type Pos = [u32; MAX_NEST];

/// A list (or a nest of lists) indexed by the text of one key of its (innermost) items.
#[derive(Debug, Default)]
pub struct Index<'d> {
    /// Positions of the items whose key is this text, in list order.
    by_text: HashMap<&'d str, Vec<Pos>>,
    /// Positions of the items whose key is not text (they are run through the `when`).
    others: Vec<Pos>,
    /// True when an inner list of the nest is not a list (nor empty): the nest runs as written.
    pub irregular: bool,
}

impl<'d> Index<'d> {
    /// Indexes `items` by the text under `key` (a path of mapping keys) in each; with inner
    /// loops (outermost first), the items of the innermost lists.
    pub fn build(items: &'d [Node], lists: &[Inner<'_>], key: &[Segment]) -> Index<'d> {
        let mut index = Index {
            by_text: HashMap::with_capacity(items.len()),
            others: Vec::new(),
            irregular: false,
        };
        index.irregular = !index.add(items, lists, key, [0; MAX_NEST], 0);
        index
    }

    /// Adds the items of `items` (at `level` of the nest, inside `pos`); false if an inner
    /// list is not one.
    fn add(
        &mut self,
        items: &'d [Node],
        lists: &[Inner<'_>],
        key: &[Segment],
        mut pos: Pos,
        level: usize,
    ) -> bool {
        for (i, item) in items.iter().enumerate() {
            pos[level] = u32::try_from(i).unwrap_or(u32::MAX);
            let Some((list, rest)) = lists.split_first() else {
                match key_text(item, key) {
                    Some(text) => self.by_text.entry(text).or_default().push(pos),
                    None => self.others.push(pos),
                }
                continue;
            };
            match inner_list(item, &list.path.segments) {
                Some(inner) => {
                    if !self.add(inner, rest, key, pos, level + 1) {
                        return false;
                    }
                }
                None => return false,
            }
        }
        true
    }

    /// The items to run for a probe of text `text`, in list order: each position, and whether
    /// its key is known to match (`false`: not text, the `when` decides).
    pub fn matching(&self, text: &str, out: &mut Vec<(Pos, bool)>) {
        let matched = self.by_text.get(text).map_or(&[][..], Vec::as_slice);
        let others = &self.others[..];
        let (mut i, mut j) = (0, 0);
        while i < matched.len() || j < others.len() {
            if j == others.len() || (i < matched.len() && matched[i] < others[j]) {
                out.push((matched[i], true));
                i += 1;
            } else {
                out.push((others[j], false));
                j += 1;
            }
        }
    }
}

/// The text under `key` in `item`, if every step is a mapping key and it ends at text.
fn key_text<'d>(item: &'d Node, key: &[Segment]) -> Option<&'d str> {
    match &follow_keys(item, key)?.kind {
        NodeKind::Text(t) => Some(t),
        _ => None,
    }
}

/// The items of the list under `path` in `item` (none if it is empty), as a loop over it
/// runs them; `None` if the path does not lead to a list (the loop reports that).
pub fn inner_list<'d>(item: &'d Node, path: &[Segment]) -> Option<&'d [Node]> {
    match &follow_keys(item, path)?.kind {
        NodeKind::List(items) => Some(items),
        NodeKind::Null => Some(&[]),
        _ => None,
    }
}

/// The node under a path of mapping keys.
fn follow_keys<'d>(item: &'d Node, path: &[Segment]) -> Option<&'d Node> {
    path.iter().try_fold(item, |node, seg| match seg {
        Segment::Key(k) => node.get(k),
        Segment::Index(_) => None,
    })
}

/// The indexes made for one dataset, by list (the address of its items) and key number.
pub type Indexes<'d> = HashMap<(usize, u32), Index<'d>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::load::parse_dataset;

    #[test]
    fn an_index_keeps_list_order_and_leaves_non_text_keys_to_the_when() {
        let data = parse_dataset(
            "d.yaml".into(),
            "rows:\n- {k: a}\n- {k: 1}\n- {k: b}\n- {j: a}\n- {k: a}\n- 7\n- {k: \"1\"}\n".into(),
            Default::default(),
        )
        .unwrap();
        let NodeKind::List(items) = &data.root.get("rows").unwrap().kind else {
            panic!("rows is a list");
        };
        let index = Index::build(items, &[], &[Segment::Key("k".into())]);
        let run = |text: &str| {
            let mut out = Vec::new();
            index.matching(text, &mut out);
            out
        };
        let hit = |i| ([i, 0, 0, 0], true);
        let when = |i| ([i, 0, 0, 0], false);
        assert_eq!(run("a"), [hit(0), when(1), when(3), hit(4), when(5)]);
        assert_eq!(run("1"), [when(1), when(3), when(5), hit(6)]);
        assert_eq!(run("zz"), [when(1), when(3), when(5)]);
    }
}
