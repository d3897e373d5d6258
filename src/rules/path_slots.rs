//! Resolving each dataset path once per dataset.
//!
//! A pack names the same figures over and over (`overview.total` appears in a dozen rules),
//! and following a path means searching mappings key by key, the root one with dozens of
//! keys. So when a rule set is built, every distinct path of its rules gets a number, its
//! slot; while one dataset is checked, a [`PathCache`] remembers where each slot led.

use crate::ast::{Expr, ExprKind, Path, Rule, Scope, Segment, Stmt};
use crate::dataset::Node;
use crate::lookup::{Index, Indexes, Inner};
use crate::source::Span;
use std::collections::HashMap;

/// Numbers the distinct paths of `rules` (paths with the same root name and segments share
/// a slot), and works out what each root name refers to: a `for` or `let` variable (by its
/// position on the evaluator's variable stack, so that it is not looked up by name) or the
/// dataset. The evaluator only uses the slot of a path that reads the dataset; the rule set's
/// scope check (a variable used outside its scope) reads the scopes worked out here.
pub fn assign(rules: &mut [Rule]) {
    let mut slots: HashMap<(String, Vec<Segment>), u32> = HashMap::new();
    let mut number = |path: &mut Path, scope: &[String]| {
        let next = u32::try_from(slots.len()).unwrap_or(u32::MAX);
        let key = (path.root.clone(), path.segments.clone());
        path.slot = Some(*slots.entry(key).or_insert(next));
        path.scope = match scope.iter().rposition(|name| *name == path.root) {
            Some(i) => u32::try_from(i).map_or(Scope::Unresolved, Scope::Variable),
            None => Scope::Dataset,
        };
    };
    for rule in rules {
        number_stmts(&mut rule.body, &mut Vec::new(), &mut number);
    }
}

/// Calls `f` on every path of `stmts` with the variables in scope there, in the order the
/// evaluator binds them: a `let` from its statement to the end of its block, a `for`
/// variable in its body.
fn number_stmts(
    stmts: &mut [Stmt],
    scope: &mut Vec<String>,
    f: &mut impl FnMut(&mut Path, &[String]),
) {
    let depth = scope.len();
    for stmt in stmts {
        match stmt {
            Stmt::Check(e) => for_each_path(e, &mut |p| f(p, scope)),
            Stmt::Let { name, value } => {
                for_each_path(value, &mut |p| f(p, scope));
                scope.push(name.clone());
            }
            Stmt::For {
                var, list, body, ..
            } => {
                for_each_path(list, &mut |p| f(p, scope));
                scope.push(var.clone());
                number_stmts(body, scope, f);
                scope.pop();
            }
            Stmt::When { cond, body } => {
                for_each_path(cond, &mut |p| f(p, scope));
                number_stmts(body, scope, f);
            }
        }
    }
    scope.truncate(depth);
}

fn for_each_path(expr: &mut Expr, f: &mut impl FnMut(&mut Path)) {
    match &mut expr.kind {
        ExprKind::Path(p) => f(p),
        ExprKind::Number(_) | ExprKind::Text(_) => {}
        ExprKind::Call(_, args) => args.iter_mut().for_each(|a| for_each_path(a, f)),
        ExprKind::Neg(e) | ExprKind::Not(e) => for_each_path(e, f),
        ExprKind::Arith(_, a, b)
        | ExprKind::Compare(_, a, b, _)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Default(a, b) => {
            for_each_path(a, f);
            for_each_path(b, f);
        }
    }
}

/// Where each slot's path led in one dataset, and the lists indexed by key for keyed loops.
#[derive(Default)]
pub struct PathCache<'d> {
    slots: Vec<Slot<'d>>,
    indexes: Indexes<'d>,
}

/// What is known of one slot.
#[derive(Clone, Copy, Default)]
pub enum Slot<'d> {
    /// Not followed yet in this dataset.
    #[default]
    Unknown,
    /// The node it leads to, and the key that led there (where a missing child points).
    Found(&'d Node, Option<Span>),
    /// The path is missing; a finding about it points at `Span`.
    Missing(Span),
    /// Not one node or a missing key (a path through a list, a step into a scalar): the
    /// general steps follow it at each use.
    Steps,
}

impl<'d> PathCache<'d> {
    /// What is known of `slot`.
    pub fn get(&self, slot: u32) -> Slot<'d> {
        self.slots
            .get(slot as usize)
            .copied()
            .unwrap_or(Slot::Unknown)
    }

    /// Remembers what `slot` led to.
    pub fn set(&mut self, slot: u32, value: Slot<'d>) {
        let i = slot as usize;
        if i >= self.slots.len() {
            self.slots.resize(i + 1, Slot::Unknown);
        }
        self.slots[i] = value;
    }

    /// The index of the list whose items are `items` (or of the nest of lists under them,
    /// along the `inner` loops) by the key numbered `key`, whose path in each item is
    /// `segments`: made on first use, then kept for the dataset.
    pub fn index(
        &mut self,
        items: &'d [Node],
        key: u32,
        inner: &[Inner<'_>],
        segments: &[Segment],
    ) -> &Index<'d> {
        // A list's items stay where they are while the dataset lives; all empty lists share
        // one (empty) index.
        let at = (items.as_ptr() as usize, key);
        self.indexes
            .entry(at)
            .or_insert_with(|| Index::build(items, inner, segments))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::RuleSet;
    use crate::source::SourceFile;
    use std::sync::Arc;

    type Numbered = (String, Option<u32>, Scope);

    fn slots_of(rule: &Rule) -> Vec<Numbered> {
        fn walk(stmts: &[Stmt], found: &mut Vec<Numbered>) {
            for stmt in stmts {
                let (expr, body) = match stmt {
                    Stmt::Check(e) | Stmt::Let { value: e, .. } => (e, &[][..]),
                    Stmt::For { list, body, .. } => (list, &body[..]),
                    Stmt::When { cond, body } => (cond, &body[..]),
                };
                crate::ruleset::visit_paths(expr, &mut |p| {
                    found.push((p.root.clone(), p.slot, p.scope))
                });
                walk(body, found);
            }
        }
        let mut found = Vec::new();
        walk(&rule.body, &mut found);
        found
    }

    #[test]
    fn equal_paths_share_a_slot_and_variables_their_place() {
        let text = "rule A error \"a\" { income.total = expenditure.total }\n\
                    rule B error \"b\" {\n let t = income.total\n for r in rows {\n \
                    for i in r.items { i.total <= t }\n r.total >= 0 } }\n";
        let file = Arc::new(SourceFile::new("t.tally", text));
        let set = RuleSet::from_files(vec![file]).unwrap();
        let a = slots_of(&set.rules[0]);
        let b = slots_of(&set.rules[1]);
        let dataset = |root: &str, slot| (root.to_string(), Some(slot), Scope::Dataset);
        let variable = |root: &str, slot, i| (root.to_string(), Some(slot), Scope::Variable(i));
        assert_eq!(a, [dataset("income", 0), dataset("expenditure", 1)]);
        assert_eq!(
            b,
            [
                dataset("income", 0), // let t = income.total: the same path, the same slot
                dataset("rows", 2),
                variable("r", 3, 1), // for i in r.items
                variable("i", 4, 2),
                variable("t", 5, 0),
                variable("r", 6, 1), // r.total, after the inner loop
            ]
        );
    }
}
