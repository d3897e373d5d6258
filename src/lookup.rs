//! Loops that look items up by key, run as lookups instead of scans.
//!
//! A rule that matches two tables row by row is written as a loop in a loop:
//!
//! ```text
//! for s in self_evaluation.statements {
//!     for c in self_evaluation.indicators {
//!         when c.code = s.code { c.score = s.score }
//!     }
//! }
//! ```
//!
//! Run as written, that compares every statement with every indicator: quadratic in the
//! rows, 10^10 comparisons for two tables of 100,000 rows. When a loop's whole body is one
//! `when` that compares a key of the item with a value from outside the loop, the evaluator
//! instead indexes the list once per dataset (key text → items) and runs the body for the
//! items whose key matches, which keeps the rule linear in the rows.
//!
//! Only text keys are indexed: two texts are equal exactly when they are the same string,
//! whereas numbers compare with rounding (`1.0 = 1.04` may hold), so no hash can say which
//! numbers match. Items whose key is not text (a number, missing, empty) still go through the
//! `when` as written, in their place in the list, so that they give the same findings, in the
//! same order, as the plain loop.

use crate::ast::{Expr, ExprKind, Path, Rule, Scope, Segment, Stmt};
use crate::dataset::{Node, NodeKind, find_entry};
use crate::number::CmpOp;
use foldhash::{HashMap, HashMapExt};
use std::collections::HashMap as StdHashMap;

/// A `for` that can run as a lookup: its body is one `when ITEM.KEY = VALUE { … }` (or
/// `VALUE = ITEM.KEY`) whose `VALUE` does not depend on the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyedLoop {
    /// The number of the item's key path (`code` in `c.code`) among the rule set's keyed
    /// loops: loops with the same key share one index of a list.
    pub key: u32,
    /// True when the item's key is the comparison's left side.
    pub item_left: bool,
}

/// The parts of a keyed loop's body.
pub struct Parts<'r> {
    /// The item's key path (`c.code`).
    pub item_key: &'r Path,
    /// The value it is compared with (`s.code`).
    pub probe: &'r Expr,
    /// The statements of the `when`.
    pub body: &'r [Stmt],
}

impl KeyedLoop {
    /// Splits the body of the loop this was planned for.
    pub fn parts(self, body: &[Stmt]) -> Option<Parts<'_>> {
        let (l, r, body) = lone_equality(body)?;
        let (item, probe) = if self.item_left { (l, r) } else { (r, l) };
        let ExprKind::Path(item_key) = &item.kind else {
            return None;
        };
        Some(Parts {
            item_key,
            probe,
            body,
        })
    }
}

/// The two sides of a loop body that is one `when LEFT = RIGHT { BODY }` (no tolerance), and
/// its statements.
fn lone_equality(body: &[Stmt]) -> Option<(&Expr, &Expr, &[Stmt])> {
    let [Stmt::When { cond, body }] = body else {
        return None;
    };
    let ExprKind::Compare(CmpOp::Eq, l, r, None) = &cond.kind else {
        return None;
    };
    Some((l, r, body))
}

/// Finds the loops of `rules` that can run as lookups and marks them. Needs the scopes that
/// [`crate::path_slots::assign`] works out.
pub fn plan(rules: &mut [Rule]) {
    let mut keys: StdHashMap<Vec<Segment>, u32> = StdHashMap::new();
    for rule in rules {
        plan_stmts(&mut rule.body, 0, &mut keys);
    }
}

/// Marks the keyed loops among `stmts`, where `depth` variables are bound before them.
fn plan_stmts(stmts: &mut [Stmt], mut depth: u32, keys: &mut StdHashMap<Vec<Segment>, u32>) {
    for stmt in stmts {
        match stmt {
            Stmt::Check(_) => {}
            Stmt::Let { .. } => depth += 1,
            Stmt::For { body, lookup, .. } => {
                *lookup = keyed(body, depth).map(|(segments, item_left)| {
                    let next = u32::try_from(keys.len()).unwrap_or(u32::MAX);
                    KeyedLoop {
                        key: *keys.entry(segments).or_insert(next),
                        item_left,
                    }
                });
                plan_stmts(body, depth + 1, keys);
            }
            Stmt::When { body, .. } => plan_stmts(body, depth, keys),
        }
    }
}

/// For the body of a loop whose variable is the `var`-th bound: the item's key segments and
/// whether they stand on the left, if the loop can run as a lookup.
fn keyed(body: &[Stmt], var: u32) -> Option<(Vec<Segment>, bool)> {
    let (l, r, _) = lone_equality(body)?;
    let item_key = |e: &Expr| match &e.kind {
        ExprKind::Path(p)
            if p.scope == Scope::Variable(var)
                && !p.segments.is_empty()
                && p.segments.iter().all(|s| matches!(s, Segment::Key(_))) =>
        {
            Some(p.segments.clone())
        }
        _ => None,
    };
    let outside = |e: &Expr| {
        let mut ok = true;
        crate::ruleset::visit_paths(e, &mut |p| {
            ok &= match p.scope {
                Scope::Dataset => true,
                Scope::Variable(i) => i < var,
                Scope::Unresolved => false,
            }
        });
        ok
    };
    match (item_key(l), item_key(r)) {
        (Some(segments), None) if outside(r) => Some((segments, true)),
        (None, Some(segments)) if outside(l) => Some((segments, false)),
        _ => None,
    }
}

/// A list indexed by the text of one key of its items.
#[derive(Debug, Default)]
pub struct Index<'d> {
    /// Positions of the items whose key is this text, in list order.
    by_text: HashMap<&'d str, Vec<u32>>,
    /// Positions of the items whose key is not text (they are run through the `when`).
    others: Vec<u32>,
}

impl<'d> Index<'d> {
    /// Indexes `items` by the text under `key` (a path of mapping keys) in each.
    pub fn build(items: &'d [Node], key: &[Segment]) -> Index<'d> {
        let mut index = Index {
            by_text: HashMap::with_capacity(items.len()),
            others: Vec::new(),
        };
        for (i, item) in items.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match key_text(item, key) {
                Some(text) => index.by_text.entry(text).or_default().push(i),
                None => index.others.push(i),
            }
        }
        index
    }

    /// The items to run for a probe of text `text`, in list order: each position, and whether
    /// its key is known to match (`false`: not text, the `when` decides).
    pub fn matching(&self, text: &str, out: &mut Vec<(u32, bool)>) {
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
    let mut node = item;
    for seg in key {
        let (Segment::Key(k), NodeKind::Map(entries)) = (seg, &node.kind) else {
            return None;
        };
        node = &find_entry(entries, k)?.value;
    }
    match &node.kind {
        NodeKind::Text(t) => Some(t),
        _ => None,
    }
}

/// The indexes made for one dataset, by list (the address of its items) and key number.
pub type Indexes<'d> = HashMap<(usize, u32), Index<'d>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_dataset;
    use crate::ruleset::RuleSet;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn loops(text: &str) -> Vec<Option<KeyedLoop>> {
        fn walk(stmts: &[Stmt], out: &mut Vec<Option<KeyedLoop>>) {
            for stmt in stmts {
                match stmt {
                    Stmt::For { body, lookup, .. } => {
                        out.push(*lookup);
                        walk(body, out);
                    }
                    Stmt::When { body, .. } => walk(body, out),
                    _ => {}
                }
            }
        }
        let set = RuleSet::from_files(vec![Arc::new(SourceFile::new("t.tally", text))]).unwrap();
        let mut out = Vec::new();
        set.rules.iter().for_each(|r| walk(&r.body, &mut out));
        out
    }

    #[test]
    fn only_a_lone_equality_on_an_item_key_is_keyed() {
        let keyed = |key, item_left| Some(KeyedLoop { key, item_left });
        let found = loops(
            "rule A error \"a\" {\n\
               for s in left { for c in right { when c.code = s.code { c.x = s.x } } }\n\
               for s in left { for c in right { when s.code = c.code { c.x = s.x } } }\n\
               for c in right { when c.m.id = \"x\" { c.x = 1 } }\n\
               for s in left { for c in right { when c.code = c.other { c.x = s.x } } }\n\
               for s in left { for c in right { when c.code = s.code within 1 { c.x = 1 } } }\n\
               for s in left { for c in right { when c.code != s.code { c.x = 1 } } }\n\
               for s in left { for c in right { when c.code = s.code { c.x = 1 }\n c.y = 1 } }\n\
               for c in right { when c[0] = 1 { c.x = 1 } }\n\
             }\n",
        );
        assert_eq!(
            found,
            [
                None,
                keyed(0, true),
                None,
                keyed(0, false),
                keyed(1, true), // another key: c.m.id
                None,
                None, // both sides read the item
                None,
                None, // a tolerance
                None,
                None, // not `=`
                None,
                None, // more than the `when` in the body
                None, // an index, not a key
            ]
        );
    }

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
        let index = Index::build(items, &[Segment::Key("k".into())]);
        let run = |text: &str| {
            let mut out = Vec::new();
            index.matching(text, &mut out);
            out
        };
        let (hit, when) = (true, false);
        assert_eq!(
            run("a"),
            [(0, hit), (1, when), (3, when), (4, hit), (5, when)]
        );
        assert_eq!(run("1"), [(1, when), (3, when), (5, when), (6, hit)]);
        assert_eq!(run("zz"), [(1, when), (3, when), (5, when)]);
    }
}
