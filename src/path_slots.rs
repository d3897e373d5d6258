//! Resolving each dataset path once per dataset.
//!
//! A pack names the same figures over and over (`overview.total` appears in a dozen rules),
//! and following a path means searching mappings key by key, the root one with dozens of
//! keys. So when a rule set is built, every distinct path of its rules gets a number, its
//! slot; while one dataset is checked, a [`PathCache`] remembers where each slot led.

use crate::ast::{Expr, ExprKind, Path, Rule, Segment, Stmt};
use crate::dataset::Node;
use crate::source::Span;
use std::collections::HashMap;

/// Numbers the distinct paths of `rules` (paths with the same root name and segments share
/// a slot). Whether a path is read from the dataset or from a variable is decided when it is
/// evaluated: the evaluator only uses the slot of a path whose root names no variable.
pub fn assign(rules: &mut [Rule]) {
    let mut slots: HashMap<(String, Vec<Segment>), u32> = HashMap::new();
    for rule in rules {
        for_each_expr(&mut rule.body, &mut |expr| {
            for_each_path(expr, &mut |path| {
                let next = u32::try_from(slots.len()).unwrap_or(u32::MAX);
                let key = (path.root.clone(), path.segments.clone());
                path.slot = Some(*slots.entry(key).or_insert(next));
            });
        });
    }
}

fn for_each_expr(stmts: &mut [Stmt], f: &mut impl FnMut(&mut Expr)) {
    for stmt in stmts {
        match stmt {
            Stmt::Check(e) | Stmt::Let { value: e, .. } => f(e),
            Stmt::For { list, body, .. } => {
                f(list);
                for_each_expr(body, f);
            }
            Stmt::When { cond, body } => {
                f(cond);
                for_each_expr(body, f);
            }
        }
    }
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

/// Where each slot's path led in one dataset.
#[derive(Default)]
pub struct PathCache<'d> {
    slots: Vec<Slot<'d>>,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ruleset::RuleSet;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn slots_of(rule: &Rule) -> Vec<(String, Option<u32>)> {
        fn walk(stmts: &[Stmt], found: &mut Vec<(String, Option<u32>)>) {
            for stmt in stmts {
                let (expr, body) = match stmt {
                    Stmt::Check(e) | Stmt::Let { value: e, .. } => (e, &[][..]),
                    Stmt::For { list, body, .. } => (list, &body[..]),
                    Stmt::When { cond, body } => (cond, &body[..]),
                };
                crate::ruleset::visit_paths(expr, &mut |p| found.push((p.root.clone(), p.slot)));
                walk(body, found);
            }
        }
        let mut found = Vec::new();
        walk(&rule.body, &mut found);
        found
    }

    #[test]
    fn equal_paths_share_a_slot_across_rules() {
        let text = "rule A error \"a\" { income.total = expenditure.total }\n\
                    rule B error \"b\" { income.total >= 0\n for r in rows { r.total >= 0 } }\n";
        let file = Arc::new(SourceFile::new("t.tally", text));
        let set = RuleSet::from_files(vec![file]).unwrap();
        let a = slots_of(&set.rules[0]);
        let b = slots_of(&set.rules[1]);
        assert_eq!(a[0], ("income".into(), Some(0)));
        assert_eq!(a[1], ("expenditure".into(), Some(1)));
        assert_eq!(b[0], ("income".into(), Some(0)), "the same path, the same slot");
        assert_eq!(b[1], ("rows".into(), Some(2)));
        assert_eq!(b[2], ("r".into(), Some(3)), "a variable's path is numbered too");
    }
}
