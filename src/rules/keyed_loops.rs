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
//!
//! The same holds for a nest of loops that ends in such a loop, each inner loop going over a
//! list of the item outside it (`for a in groups { for c in a.rows { when c.code = s.code
//! {…} } }`): the index then holds the items of the innermost lists, by their key, with their
//! positions at every level. A nest whose inner lists are not all lists (or empty) runs as
//! written, so that its findings about them are the plain loops'.

use super::ast::{Expr, ExprKind, LoopId, Path, Rule, Scope, Stmt};
use crate::dataset::Segment;
use crate::number::CmpOp;
use std::collections::HashMap;
use std::sync::Arc;

/// The most loops a nest run as one lookup may have.
pub const MAX_NEST: usize = 4;

/// A `for` that can run as a lookup: its body is one `when ITEM.KEY = VALUE { … }` (or
/// `VALUE = ITEM.KEY`) whose `VALUE` does not depend on the item; or one loop over a list of
/// the item, and so on down to such a loop (`depth` loops down), with a `VALUE` from outside
/// the whole nest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyedLoop {
    /// The number of the item's key path (`code` in `c.code`), with the inner lists' paths,
    /// among the rule set's keyed loops: loops with the same share one index of a list.
    pub key: u32,
    /// True when the item's key is the comparison's left side.
    pub item_left: bool,
    /// How many loops the nest has inside this one (0: the `when` is this loop's body).
    pub depth: u8,
}

/// The parts of a keyed loop's body.
pub struct Parts<'r> {
    /// The innermost item's key path (`c.code`).
    pub item_key: &'r Path,
    /// The value it is compared with (`s.code`).
    pub probe: &'r Expr,
    /// The statements of the `when`.
    pub body: &'r [Stmt],
    /// The body of the innermost loop: the `when` itself.
    pub when: &'r [Stmt],
    /// The loops inside the outermost, outermost first.
    pub inner: Vec<Inner<'r>>,
}

/// A loop of a nest inside its outermost one.
pub struct Inner<'r> {
    /// Its variable.
    pub var: &'r str,
    /// Its list (a path from the item of the loop outside it).
    pub list: &'r Expr,
    /// That path.
    pub path: &'r Path,
}

impl KeyedLoop {
    /// Splits the body of the loop this was planned for.
    pub fn parts(self, body: &[Stmt]) -> Option<Parts<'_>> {
        let mut when = body;
        let mut inner = Vec::new();
        for _ in 0..self.depth {
            let (var, list, body) = inner_loop(when)?;
            let ExprKind::Path(path) = &list.kind else {
                return None;
            };
            inner.push(Inner { var, list, path });
            when = body;
        }
        let (l, r, body) = lone_equality(when)?;
        let (item, probe) = if self.item_left { (l, r) } else { (r, l) };
        let ExprKind::Path(item_key) = &item.kind else {
            return None;
        };
        Some(Parts {
            item_key,
            probe,
            body,
            when,
            inner,
        })
    }
}

/// The loop a body is made of alone: its variable, list and body.
fn inner_loop(body: &[Stmt]) -> Option<(&str, &Expr, &[Stmt])> {
    let [
        Stmt::For {
            var,
            list,
            body,
            position: None,
            ..
        },
    ] = body
    else {
        return None;
    };
    Some((var, list, body))
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

/// The plan of every loop of a rule set, by [`LoopId`]: how it runs as a lookup, or `None`
/// (a plain loop). A side table, so that the syntax tree holds no evaluation plans. Cheap to
/// clone: the evaluator keeps one for each dataset it checks.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct KeyedLoops(Arc<[Option<KeyedLoop>]>);

impl KeyedLoops {
    /// How the loop numbered `id` runs as a lookup, if it can.
    pub fn get(&self, id: LoopId) -> Option<KeyedLoop> {
        self.0.get(id as usize).copied().flatten()
    }
}

/// Numbers the loops of `rules` and finds those that can run as lookups. Needs the scopes
/// that [`super::path_slots::assign`] works out.
pub fn plan(rules: &mut [Rule]) -> KeyedLoops {
    let mut keys: Keys = HashMap::new();
    let mut plans = Vec::new();
    for rule in rules {
        plan_stmts(&mut rule.body, 0, &mut keys, &mut plans);
    }
    KeyedLoops(plans.into())
}

/// Key numbers, by the inner lists' paths and the item's key path.
type Keys = HashMap<(Vec<Vec<Segment>>, Vec<Segment>), u32>;

/// Numbers the loops among `stmts` (outer before inner, in order) and plans each, where
/// `depth` variables are bound before them.
fn plan_stmts(
    stmts: &mut [Stmt],
    mut depth: u32,
    keys: &mut Keys,
    plans: &mut Vec<Option<KeyedLoop>>,
) {
    for stmt in stmts {
        match stmt {
            Stmt::Check(..) => {}
            Stmt::Let { .. } => depth += 1,
            // A loop that binds a position (or a key) runs as written.
            Stmt::For {
                body,
                id,
                position: Some(_),
                ..
            } => {
                *id = LoopId::try_from(plans.len()).unwrap_or(LoopId::MAX);
                plans.push(None);
                plan_stmts(body, depth + 2, keys, plans);
            }
            Stmt::For { body, id, .. } => {
                *id = LoopId::try_from(plans.len()).unwrap_or(LoopId::MAX);
                let plan = nest(body, depth, depth).map(|(lists, segments, item_left)| {
                    let next = u32::try_from(keys.len()).unwrap_or(u32::MAX);
                    let nested = u8::try_from(lists.len()).unwrap_or(u8::MAX);
                    KeyedLoop {
                        key: *keys.entry((lists, segments)).or_insert(next),
                        item_left,
                        depth: nested,
                    }
                });
                plans.push(plan);
                plan_stmts(body, depth + 1, keys, plans);
            }
            Stmt::When { body, .. } => plan_stmts(body, depth, keys, plans),
        }
    }
}

/// For the body of a loop whose variable is the `var`-th bound, in a nest whose outermost
/// variable is the `outer`-th: the paths of the inner loops' lists, the innermost item's key
/// segments and whether they stand on the left, if the nest can run as a lookup.
fn nest(body: &[Stmt], var: u32, outer: u32) -> Option<(Vec<Vec<Segment>>, Vec<Segment>, bool)> {
    if let Some((segments, item_left)) = keyed(body, var, outer) {
        return Some((Vec::new(), segments, item_left));
    }
    let (_, list, inner) = inner_loop(body)?;
    let segments = item_keys(list, var)?;
    let (mut lists, key, item_left) = nest(inner, var + 1, outer)?;
    if lists.len() + 2 > MAX_NEST {
        return None;
    }
    lists.insert(0, segments);
    Some((lists, key, item_left))
}

/// The segments of `e` if it is a path of mapping keys from the `var`-th variable.
fn item_keys(e: &Expr, var: u32) -> Option<Vec<Segment>> {
    match &e.kind {
        ExprKind::Path(p)
            if p.scope == Scope::Variable(var)
                && !p.segments.is_empty()
                && p.segments.iter().all(|s| matches!(s, Segment::Key(_))) =>
        {
            Some(p.segments.clone())
        }
        _ => None,
    }
}

/// For the body of a loop whose variable is the `var`-th bound: the item's key segments and
/// whether they stand on the left, if the loop can run as a lookup with a value that depends
/// on none of the variables from the `outer`-th on.
fn keyed(body: &[Stmt], var: u32, outer: u32) -> Option<(Vec<Segment>, bool)> {
    let (l, r, _) = lone_equality(body)?;
    let outside = |e: &Expr| {
        let mut ok = true;
        super::walk::visit_paths(e, &mut |p| {
            ok &= match p.scope {
                Scope::Dataset => true,
                Scope::Variable(i) => i < outer,
                Scope::Unresolved => false,
            }
        });
        ok
    };
    match (item_keys(l, var), item_keys(r, var)) {
        (Some(segments), None) if outside(r) => Some((segments, true)),
        (None, Some(segments)) if outside(l) => Some((segments, false)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ruleset::RuleSet;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn loops(text: &str) -> Vec<Option<KeyedLoop>> {
        // Each loop's plan, found by the id the loop carries, in the order they are written.
        fn walk(set: &RuleSet, stmts: &[Stmt], out: &mut Vec<Option<KeyedLoop>>) {
            for stmt in stmts {
                match stmt {
                    Stmt::For { body, id, .. } => {
                        out.push(set.keyed_loops.get(*id));
                        walk(set, body, out);
                    }
                    Stmt::When { body, .. } => walk(set, body, out),
                    _ => {}
                }
            }
        }
        let set = RuleSet::from_files(vec![Arc::new(SourceFile::new("t.tally", text))]).unwrap();
        let mut out = Vec::new();
        set.rules.iter().for_each(|r| walk(&set, &r.body, &mut out));
        out
    }

    #[test]
    fn only_a_lone_equality_on_an_item_key_is_keyed() {
        let keyed = |key, item_left| {
            Some(KeyedLoop {
                key,
                item_left,
                depth: 0,
            })
        };
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
    fn a_nest_over_lists_of_its_items_is_keyed_at_its_outermost_loop() {
        let nest = |key, depth| {
            Some(KeyedLoop {
                key,
                item_left: true,
                depth,
            })
        };
        let found = loops(
            "rule A error \"a\" {\n\
               for s in left { for a in groups { for b in a.rows { when b.code = s.code { b.x = 1 } } } }\n\
               for a in groups { for b in a.subs { for c in b.rows { when c.code = a.code { c.x = 1 } } } }\n\
               for a in groups { for b in other { when b.code = \"x\" { b.x = 1 } } }\n\
               for a in g { for b in a.l { for c in b.l { for d in c.l { for e in d.l { when e.k = \"x\" { e.x = 1 } } } } } }\n\
             }\n",
        );
        assert_eq!(
            found,
            [
                None,
                nest(0, 1), // the rows of every group
                nest(1, 0),
                None,       // the value looked up is the outermost item's…
                nest(0, 1), // …but not the nest's inside it (same lists and key: same index)
                nest(1, 0),
                None, // the inner list is not the item's
                nest(1, 0),
                None, // five loops: more than a nest may have
                nest(2, 3),
                nest(3, 2),
                nest(4, 1),
                nest(5, 0),
            ]
        );
    }
}
