//! Checks every data path of a rule against its pack's layout when the rule is loaded, so that
//! a misspelt path is a rule-file error at its place, with a suggestion, and never reaches
//! departments as a finding (or, now that absent figures are not findings, as silence).
//!
//! A path is followed through the layout as the evaluator follows it through a dataset: a key
//! of a mapping, an item of a list, and a key through a list reaches that key of every item.
//! A `for` variable stands for an item of its list (of every list a path through lists
//! reaches), a `let` of a path for what the path reaches, a variable bound inside an
//! expression (`any(x in LIST: …)`, `sum(… for x in LIST)`) for an item of its list; a
//! position is a number, and `for k, v in MAPPING` binds the key (text) and a value, which
//! is known only when every value of the mapping has the same layout. Below an `any` or
//! `open` node nothing is checked.

use crate::dataset::Segment;
use crate::rules::ast::{Expr, ExprKind, MessagePart, Path, Rule, Scope, Stmt};
use crate::rules::layout::{Kind, Layout, LayoutNode};
use crate::rules::rule_error::RuleError;
use crate::rules::ruleset::PRIOR;
use crate::rules::walk::{children, visit_paths};
use std::collections::HashMap;

/// What a variable or a path stands for, as far as the layout tells.
#[derive(Clone, Copy)]
enum Ty<'l> {
    Node(&'l LayoutNode),
    /// Not known (a computed value, or below an `any` node): nothing below is checked.
    Unknown,
}

/// The errors of one rule: each path the layout does not know, once.
pub fn check(rule: &Rule, layout: &Layout) -> Vec<RuleError> {
    let mut checker = Checker {
        layout,
        rule,
        stack: Vec::new(),
        bound: HashMap::new(),
        errors: Vec::new(),
    };
    checker.block(&rule.body);
    for part in &rule.message {
        if let MessagePart::Expr(e) = part {
            visit_paths(e, &mut |p| checker.message_path(p));
        }
    }
    checker.errors
}

struct Checker<'l, 'r> {
    layout: &'l Layout,
    rule: &'r Rule,
    /// Variables in scope, as the evaluator stacks them (see `Scope::Variable`).
    stack: Vec<(&'r str, Ty<'l>)>,
    /// Every type a name is bound to anywhere in the rule, for the rule's message, which is
    /// evaluated in the scope of whichever check fails.
    bound: HashMap<&'r str, Vec<Ty<'l>>>,
    errors: Vec<RuleError>,
}

impl<'l, 'r> Checker<'l, 'r> {
    fn block(&mut self, stmts: &'r [Stmt]) {
        let depth = self.stack.len();
        for stmt in stmts {
            match stmt {
                Stmt::Check(e, message) => {
                    self.expr(e);
                    for part in message.iter().flatten() {
                        if let MessagePart::Expr(e) = part {
                            self.expr(e);
                        }
                    }
                }
                Stmt::Let { name, value } => {
                    self.expr(value);
                    let ty = self.ty_of(value);
                    self.bind(name, ty);
                }
                Stmt::For {
                    var,
                    position,
                    list,
                    body,
                    ..
                } => {
                    self.expr(list);
                    let ty = self.ty_of(list);
                    let depth = self.stack.len();
                    let item = match (position, ty) {
                        (Some(_), Ty::Node(n)) if n.kind == Kind::Map => mapping_value(n),
                        _ => item_of(ty),
                    };
                    if let Some(position) = position {
                        self.bind(position, Ty::Unknown);
                    }
                    self.bind(var, item);
                    self.block(body);
                    self.stack.truncate(depth);
                }
                Stmt::When { cond, body } => {
                    self.expr(cond);
                    self.block(body);
                }
            }
        }
        self.stack.truncate(depth);
    }

    fn bind(&mut self, name: &'r str, ty: Ty<'l>) {
        self.stack.push((name, ty));
        self.bound.entry(name).or_default().push(ty);
    }

    /// Checks every path of an expression, reporting the unknown ones; a variable bound
    /// inside it is in scope in its filter and body.
    fn expr(&mut self, e: &'r Expr) {
        match &e.kind {
            ExprKind::Path(p) => {
                if let Err(error) = self.resolve(p, self.start(p)) {
                    self.errors
                        .push(RuleError::new(&self.rule.file, p.root_span, error));
                }
            }
            ExprKind::Over(_, b) => {
                self.expr(&b.list);
                let item = item_of(self.ty_of(&b.list));
                self.bind(&b.var, item);
                if let Some(filter) = &b.filter {
                    self.expr(filter);
                }
                self.expr(&b.body);
                self.stack.pop();
            }
            ExprKind::Index { base, index, rest } => {
                self.expr(base);
                self.expr(index);
                let shown = match &base.kind {
                    ExprKind::Path(p) => format!("{}[…]", p.display()),
                    _ => "…[…]".to_string(),
                };
                if let Err(error) = self.steps(item_of(self.ty_of(base)), rest, &shown) {
                    self.errors
                        .push(RuleError::new(&self.rule.file, base.span, error));
                }
            }
            _ => children(e).into_iter().for_each(|c| self.expr(c)),
        }
    }

    /// What an expression stands for: a path's node, an indexed item's, or unknown.
    fn ty_of(&self, e: &Expr) -> Ty<'l> {
        match &e.kind {
            ExprKind::Path(p) => self.resolve(p, self.start(p)).unwrap_or(Ty::Unknown),
            ExprKind::Index { base, rest, .. } => self
                .steps(item_of(self.ty_of(base)), rest, "")
                .unwrap_or(Ty::Unknown),
            _ => Ty::Unknown,
        }
    }

    /// Follows steps from a type.
    fn steps(&self, mut ty: Ty<'l>, segments: &[Segment], shown: &str) -> Result<Ty<'l>, String> {
        let mut shown = shown.to_string();
        for seg in segments {
            ty = self.step(ty, seg, &shown)?;
            crate::dataset::push_segment(&mut shown, seg);
        }
        Ok(ty)
    }

    /// Where a path starts: a variable's type, or the dataset's top (the prior year's too).
    fn start(&self, p: &Path) -> Start<'l> {
        let var = match p.scope {
            Scope::Variable(i) => self.stack.get(i as usize).map(|(_, t)| *t),
            Scope::Unresolved => self
                .stack
                .iter()
                .rev()
                .find(|(n, _)| *n == p.root)
                .map(|(_, t)| *t),
            Scope::Dataset => None,
        };
        match var {
            Some(ty) => Start::Var(ty),
            None => Start::Dataset,
        }
    }

    fn message_path(&mut self, p: &'r Path) {
        let starts: Vec<Start<'l>> = match self.bound.get(p.root.as_str()) {
            Some(tys) => tys.iter().map(|t| Start::Var(*t)).collect(),
            None => vec![Start::Dataset],
        };
        let mut first_error = None;
        for start in starts {
            match self.resolve(p, start) {
                Ok(_) => return,
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        if let Some(error) = first_error {
            let error = format!("in the message: {error}");
            self.errors
                .push(RuleError::new(&self.rule.file, p.root_span, error));
        }
    }

    /// Follows a path through the layout; the error names the first step it does not know.
    fn resolve(&self, p: &Path, start: Start<'l>) -> Result<Ty<'l>, String> {
        let (mut ty, mut shown, segments): (Ty<'l>, String, Vec<&Segment>) = match start {
            Start::Var(ty) => (ty, p.root.clone(), p.segments.iter().collect()),
            Start::Dataset if p.root == PRIOR => (
                Ty::Node(&self.layout.root),
                PRIOR.to_string(),
                p.segments.iter().collect(),
            ),
            Start::Dataset => {
                let ty = self.step(
                    Ty::Node(&self.layout.root),
                    &Segment::Key(p.root.clone()),
                    "",
                )?;
                (ty, p.root.clone(), p.segments.iter().collect())
            }
        };
        for seg in segments {
            ty = self.step(ty, seg, &shown)?;
            crate::dataset::push_segment(&mut shown, seg);
        }
        Ok(ty)
    }

    fn step(&self, ty: Ty<'l>, seg: &Segment, shown: &str) -> Result<Ty<'l>, String> {
        let Ty::Node(node) = ty else {
            return Ok(Ty::Unknown);
        };
        match (node.kind, seg) {
            (Kind::Any, _) => Ok(Ty::Unknown),
            (Kind::List, Segment::Index(_)) => {
                Ok(node.items.as_deref().map_or(Ty::Unknown, Ty::Node))
            }
            // A key through a list reaches that key of every item.
            (Kind::List, Segment::Key(_)) => match node.items.as_deref() {
                Some(items) => self.step(Ty::Node(items), seg, shown),
                None => Ok(Ty::Unknown),
            },
            (Kind::Map, _) if node.open => Ok(Ty::Unknown),
            (Kind::Map, Segment::Key(k)) => match self.layout.child(node, k) {
                Some(child) => Ok(Ty::Node(child)),
                None => {
                    let hint = self.layout.suggest(node, k);
                    Err(if shown.is_empty() {
                        format!(
                            "the pack's layout has no top-level key `{k}`{hint}: a rule may only \
                             read what the layout declares"
                        )
                    } else {
                        format!(
                            "the pack's layout has no `{k}` under `{shown}`{hint}: a rule may \
                             only read what the layout declares"
                        )
                    })
                }
            },
            (Kind::Map, Segment::Index(_)) => Err(format!(
                "`{shown}` is a mapping in the pack's layout, not a list: it has no items"
            )),
            (kind, _) => Err(format!(
                "`{shown}` is {} in the pack's layout: it has nothing below it",
                match kind {
                    Kind::Amount => "an amount",
                    Kind::Percent => "a percentage",
                    Kind::Count => "a count",
                    Kind::Number => "a number",
                    Kind::Text => "text",
                    Kind::Code => "a code",
                    Kind::Word => "a word",
                    Kind::Year => "a year",
                    _ => "a value",
                }
            )),
        }
    }
}

/// An item of a list (of the lists in it, all the way down, as a `for` flattens them).
fn item_of(ty: Ty<'_>) -> Ty<'_> {
    let mut ty = ty;
    while let Ty::Node(n) = ty {
        if n.kind != Kind::List {
            return ty;
        }
        ty = n.items.as_deref().map_or(Ty::Unknown, Ty::Node);
    }
    ty
}

/// A value of a mapping: known when all its values have the same layout.
fn mapping_value(map: &LayoutNode) -> Ty<'_> {
    let mut values = map.keys.iter().map(|(_, v)| v);
    match values.next() {
        Some(first) if !map.open && values.all(|v| same_shape(first, v)) => Ty::Node(first),
        _ => Ty::Unknown,
    }
}

/// Whether two layout nodes hold the same keys and kinds, all the way down.
fn same_shape(a: &LayoutNode, b: &LayoutNode) -> bool {
    a.kind == b.kind
        && a.open == b.open
        && a.keys.len() == b.keys.len()
        && a.keys
            .iter()
            .zip(&b.keys)
            .all(|((ka, va), (kb, vb))| ka == kb && same_shape(va, vb))
        && match (&a.items, &b.items) {
            (Some(x), Some(y)) => same_shape(x, y),
            (None, None) => true,
            _ => false,
        }
}

#[derive(Clone, Copy)]
enum Start<'l> {
    Var(Ty<'l>),
    Dataset,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    const LAYOUT: &str = "\
keys:
  income: {keys: {total: amount 合计, gpb: {keys: {amount: amount 金额, share: percent 占比}}}}
  function_classes:
    items:
      keys:
        name: text 名称
        amount: amount 金额
        items: {items: {keys: {name: text 名称, amount: amount 金额}}}
  extra: any 其他
  same:
    keys:
      国内接待: {keys: {amount: amount 金额}}
      外事接待: {keys: {amount: amount 金额}}
";

    fn errors(rules: &str) -> Vec<String> {
        let layout = Layout::parse(Arc::new(SourceFile::new("layout.yaml", LAYOUT))).unwrap();
        let set = crate::rules::ruleset::RuleSet::from_files(vec![Arc::new(SourceFile::new(
            "r.tally", rules,
        ))])
        .unwrap();
        set.rules
            .iter()
            .flat_map(|r| check(r, &layout))
            .map(|e| {
                let lc = e.line_col();
                format!("{}:{}: {}", lc.line, lc.column, e.message)
            })
            .collect()
    }

    #[test]
    fn known_paths_pass_through_lists_variables_and_the_prior_year() {
        let rules = r#"rule A error "{c.name} {i.name}" {
    income.gpb.amount + 0 = income.total
    prior.income.total >= 0
    sum(function_classes.items.amount) = sum(function_classes.amount)
    for c in function_classes {
        let first = c.items[0]
        first.amount >= 0
        for i in c.items { i.amount <= c.amount }
    }
    extra.anything.at.all = 1
}"#;
        assert_eq!(errors(rules), Vec::<String>::new());
    }

    #[test]
    fn the_variables_of_the_new_bindings_are_typed() {
        // `for i, c`: `c` an item, `i` a number; a `for` through lists: an item of every list;
        // quantifier and aggregate variables: items; `for k, v` over a mapping whose values
        // share a layout: one of them; over one whose values differ: unknown.
        let rules = r#"rule A error "{c.name} {x.name}" {
    for i, c in function_classes { c.amount >= 0 and i >= 0 }
    for i in function_classes.items { i.amont >= 0 }
    any(x in function_classes: x.nme = "a")
    sum(y.amount for y in function_classes.items if y.nam = "a") = 0
    for k, v in same { v.amont >= 0 }
    for k, v in income { v.anything = 0 }
    for p, q in function_classes { q.items[p].amont = 0 }
}"#;
        assert_eq!(
            errors(rules),
            vec![
                "3:39: the pack's layout has no `amont` under `i` (did you mean `amount`?): a rule may only read what the layout declares",
                "4:32: the pack's layout has no `nme` under `x` (did you mean `name`?): a rule may only read what the layout declares",
                "5:53: the pack's layout has no `nam` under `y` (did you mean `name`?): a rule may only read what the layout declares",
                "6:24: the pack's layout has no `amont` under `v` (did you mean `amount`?): a rule may only read what the layout declares",
                "8:36: the pack's layout has no `amont` under `q.items[…]` (did you mean `amount`?): a rule may only read what the layout declares",
            ]
        );
    }

    #[test]
    fn unknown_paths_are_errors_at_their_place_with_suggestions() {
        let rules = r#"rule A error "{c.nme}" {
    zzz_nonexistent.amount = 1
    income.totl = 1
    income.total.x = 1
    for c in function_classes { c.amont >= 0 }
}"#;
        assert_eq!(
            errors(rules),
            vec![
                "2:5: the pack's layout has no top-level key `zzz_nonexistent`: a rule may only read what the layout declares",
                "3:5: the pack's layout has no `totl` under `income` (did you mean `total`?): a rule may only read what the layout declares",
                "4:5: `income.total` is an amount in the pack's layout: it has nothing below it",
                "5:33: the pack's layout has no `amont` under `c` (did you mean `amount`?): a rule may only read what the layout declares",
                "1:16: in the message: the pack's layout has no `nme` under `c` (did you mean `name`?): a rule may only read what the layout declares",
            ]
        );
    }
}
