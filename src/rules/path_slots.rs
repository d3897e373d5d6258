//! Numbering the paths of a rule set, so that each is resolved once per dataset.
//!
//! A pack names the same figures over and over (`overview.total` appears in a dozen rules),
//! and following a path means searching mappings key by key, the root one with dozens of
//! keys. So when a rule set is built, every distinct path of its rules gets a number, its
//! slot; while one dataset is checked, the evaluator remembers where each slot led (its path
//! cache, downstream of this pass).

use super::ast::MessagePart;
use super::ast::{Expr, Path, Rule, Scope, Stmt};
use super::walk::{Step, visit_steps_mut};
use crate::dataset::Segment;
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
/// position (or key) and then its variable in its body, a variable bound inside an
/// expression (`any(x in …: …)`) in the rest of that expression.
fn number_stmts(
    stmts: &mut [Stmt],
    scope: &mut Vec<String>,
    f: &mut impl FnMut(&mut Path, &[String]),
) {
    let depth = scope.len();
    for stmt in stmts {
        match stmt {
            Stmt::Check(e, message) => {
                scoped(e, scope, f);
                for part in message.iter_mut().flatten() {
                    if let MessagePart::Expr(e) = part {
                        scoped(e, scope, f);
                    }
                }
            }
            Stmt::Let { name, value } => {
                scoped(value, scope, f);
                scope.push(name.clone());
            }
            Stmt::For {
                var,
                position,
                list,
                body,
                ..
            } => {
                scoped(list, scope, f);
                let depth = scope.len();
                scope.extend(position.clone());
                scope.push(var.clone());
                number_stmts(body, scope, f);
                scope.truncate(depth);
            }
            Stmt::When { cond, body } => {
                scoped(cond, scope, f);
                number_stmts(body, scope, f);
            }
        }
    }
    scope.truncate(depth);
}

/// Calls `f` on every path of `e` with the variables in scope there.
fn scoped(e: &mut Expr, scope: &mut Vec<String>, f: &mut impl FnMut(&mut Path, &[String])) {
    visit_steps_mut(e, &mut |step| match step {
        Step::Path(p) => f(p, scope),
        Step::Bind(var) => scope.push(var.to_string()),
        Step::Unbind => {
            scope.pop();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ruleset::RuleSet;
    use crate::source::SourceFile;
    use std::sync::Arc;

    type Numbered = (String, Option<u32>, Scope);

    fn slots_of(rule: &Rule) -> Vec<Numbered> {
        fn walk(stmts: &[Stmt], found: &mut Vec<Numbered>) {
            for stmt in stmts {
                let (expr, body) = match stmt {
                    Stmt::Check(e, _) | Stmt::Let { value: e, .. } => (e, &[][..]),
                    Stmt::For { list, body, .. } => (list, &body[..]),
                    Stmt::When { cond, body } => (cond, &body[..]),
                };
                super::super::walk::visit_paths(expr, &mut |p| {
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
