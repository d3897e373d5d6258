//! `tally lint`: findings about the rules themselves, for rule authors — rules that cannot do
//! what they were written for, whatever the data.
//!
//! | code | what |
//! |---|---|
//! | `when-never-holds` | a `when` (with the `when`s around it) that asks one figure to equal two different texts, or to equal and differ from the same one |
//! | `always-holds` | a check that compares a value with itself (`x = x`, `x <= x`), or that reads no figure at all (`1 = 1`) |
//! | `duplicate-check` | the same check, under the same conditions over the same lists, in two places |
//! | `unused-let` | a `let` that nothing reads |
//! | `not-covered` | a rule that no fixture makes fire, or none runs without a finding (`tally test`'s coverage) |
//! | `wide-tolerance` | a `within` that lets any two figures pass: 100% or more, or 100 or more on percentages |
//!
//! "A sum that leaves out one of the figures making up a total" needs the pack's layout to
//! declare which figures make up each total; layouts do not declare that (yet), so it is not
//! checked.

use crate::authoring::rule_test;
use crate::number::CmpOp;
use crate::output::diagnostic::Style;
use crate::rules::ast::{ArithOp, Expr, ExprKind, MessagePart, Rule, Stmt, Tolerance};
use crate::rules::pack::Pack;
use crate::rules::rule_error::RuleError;
use crate::rules::walk::{Step, visit_exprs, visit_steps};
use crate::source::Span;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;

/// One lint finding: its code, the rule, and the place and message (as a rule-file error is
/// shown, with an optional second place).
#[derive(Debug, Clone)]
pub struct Lint {
    /// What kind of problem (`when-never-holds`, …).
    pub code: &'static str,
    /// The rule it is about.
    pub rule: String,
    /// Where, and what, in plain words.
    pub at: RuleError,
}

/// Every lint finding of a pack; `root` is its folder, whose fixtures give the coverage
/// (`None`: coverage is not looked at).
pub fn lint(pack: &Pack, root: Option<&Path>) -> Vec<Lint> {
    let mut lints = Vec::new();
    let mut seen_checks: HashMap<String, (String, RuleError)> = HashMap::new();
    for rule in &pack.rules.rules {
        let mut linter = Linter {
            rule,
            lints: Vec::new(),
            scope: Vec::new(),
            facts: Vec::new(),
            guards: Vec::new(),
            checks: Vec::new(),
        };
        linter.block(&rule.body);
        linter.unused_lets(&rule.body);
        lints.append(&mut linter.lints);
        for (key, span) in linter.checks {
            let here = RuleError::new(&rule.file, span, String::new());
            match seen_checks.get(&key) {
                Some((first_rule, first)) => {
                    let mut at = RuleError::new(
                        &rule.file,
                        span,
                        format!(
                            "this check repeats one of rule {first_rule}: the same comparison \
                             under the same conditions; keep one"
                        ),
                    );
                    at.note = Some((first.file.clone(), first.span, "first here".into()));
                    lints.push(Lint {
                        code: "duplicate-check",
                        rule: rule.id.clone(),
                        at,
                    });
                }
                None => {
                    seen_checks.insert(key, (rule.id.clone(), here));
                }
            }
        }
    }
    if let Some(root) = root {
        lints.extend(coverage(pack, root));
    }
    lints.sort_by(|a, b| {
        (&a.at.file.name, a.at.span.start).cmp(&(&b.at.file.name, b.at.span.start))
    });
    lints
}

/// Rules that no fixture makes fire, or none shows quiet.
fn coverage(pack: &Pack, root: &Path) -> Vec<Lint> {
    let run = rule_test::run(root, pack, None, Style::plain(100));
    let mut lints = Vec::new();
    for (ids, what) in [
        (run.never_fired(), "no fixture makes this rule fire"),
        (
            run.never_quiet(),
            "no fixture runs this rule without a finding",
        ),
    ] {
        for id in ids {
            if let Some(rule) = pack.rules.get(id) {
                lints.push(Lint {
                    code: "not-covered",
                    rule: id.to_string(),
                    at: RuleError::new(
                        &rule.file,
                        rule.id_span,
                        format!("{what}: add a case to its fixtures (`tally test`)"),
                    ),
                });
            }
        }
    }
    lints
}

struct Linter<'r> {
    rule: &'r Rule,
    lints: Vec<Lint>,
    /// Variables in scope: their names, and what each stands for, written out.
    scope: Vec<(&'r str, String)>,
    /// What the `when`s around the current statement say: a path (written out) equals, or
    /// differs from, a text.
    facts: Vec<Fact>,
    /// The `when` conditions around the current statement, written out.
    guards: Vec<String>,
    /// Each check, written out with its guards and lists, and where it stands.
    checks: Vec<(String, Span)>,
}

impl<'r> Linter<'r> {
    fn push(&mut self, code: &'static str, span: Span, message: String) {
        self.lints.push(Lint {
            code,
            rule: self.rule.id.clone(),
            at: RuleError::new(&self.rule.file, span, message),
        });
    }

    fn block(&mut self, stmts: &'r [Stmt]) {
        let depth = self.scope.len();
        for stmt in stmts {
            match stmt {
                Stmt::Check(e, _) => self.check(e),
                Stmt::Let { name, value } => {
                    self.expr(value);
                    let written = format!("({})", self.canon(value));
                    self.scope.push((name, written));
                }
                Stmt::For {
                    var,
                    position,
                    list,
                    body,
                    ..
                } => {
                    self.expr(list);
                    let list = self.canon(list);
                    let before = self.scope.len();
                    if let Some(position) = position {
                        self.scope.push((position, format!("position-in({list})")));
                    }
                    self.scope.push((var, format!("item-of({list})")));
                    self.block(body);
                    self.scope.truncate(before);
                }
                Stmt::When { cond, body } => {
                    self.expr(cond);
                    let facts = self.facts.len();
                    let new = self.facts_of(cond, false);
                    if let Some(why) = self.contradiction(&new) {
                        self.push(
                            "when-never-holds",
                            cond.span,
                            format!("this condition can never hold: {why}"),
                        );
                    }
                    self.facts.extend(new);
                    self.guards.push(self.canon(cond));
                    self.block(body);
                    self.guards.pop();
                    self.facts.truncate(facts);
                }
            }
        }
        self.scope.truncate(depth);
    }

    fn check(&mut self, e: &'r Expr) {
        self.expr(e);
        let mut reads = false;
        visit_steps(e, &mut |step| reads |= matches!(step, Step::Path(_)));
        if !reads {
            self.push(
                "always-holds",
                e.span,
                "this check reads no figure: the rule alone decides it, whatever the data".into(),
            );
        } else if let ExprKind::Compare(op, a, b, _) = &e.kind
            && matches!(op, CmpOp::Eq | CmpOp::Le | CmpOp::Ge)
            && self.canon(a) == self.canon(b)
        {
            self.push(
                "always-holds",
                e.span,
                "this check compares a value with itself: it always holds".into(),
            );
        }
        let key = format!("{} ⊢ {}", self.guards.join(" ∧ "), self.canon(e));
        self.checks.push((key, e.span));
    }

    /// Lints inside an expression: tolerances.
    fn expr(&mut self, e: &'r Expr) {
        let mut wide = Vec::new();
        walk_exprs(e, &mut |x| {
            if let ExprKind::Compare(_, a, b, Some(t)) = &x.kind {
                let hundred = Decimal::ONE_HUNDRED;
                let why = match t {
                    Tolerance::Relative(p) if *p >= hundred => Some(format!(
                        "`within {p}%` lets any two figures of the same sign pass"
                    )),
                    Tolerance::Absolute(a_) if *a_ >= hundred && (percent(a) || percent(b)) => {
                        Some(format!(
                            "`within {a_}` is as wide as the percentages it compares: any two \
                             pass"
                        ))
                    }
                    _ => None,
                };
                if let Some(why) = why {
                    wide.push((x.span, why));
                }
            }
        });
        for (span, why) in wide {
            self.push("wide-tolerance", span, why);
        }
    }

    /// The equalities with texts a condition asserts (under `negate`, its negation does).
    fn facts_of(&self, e: &Expr, negate: bool) -> Vec<Fact> {
        match &e.kind {
            ExprKind::And(a, b) if !negate => {
                let mut f = self.facts_of(a, false);
                f.extend(self.facts_of(b, false));
                f
            }
            ExprKind::Or(a, b) if negate => {
                let mut f = self.facts_of(a, true);
                f.extend(self.facts_of(b, true));
                f
            }
            ExprKind::Not(x) => self.facts_of(x, !negate),
            ExprKind::Compare(op @ (CmpOp::Eq | CmpOp::Ne), a, b, None) => {
                let equal = (*op == CmpOp::Eq) != negate;
                let fact = |path: &Expr, p: &crate::rules::ast::Path, t: &String| Fact {
                    path: self.canon(path),
                    shown: p.display(),
                    equal,
                    text: t.clone(),
                };
                match (&a.kind, &b.kind) {
                    (ExprKind::Path(p), ExprKind::Text(t)) => vec![fact(a, p, t)],
                    (ExprKind::Text(t), ExprKind::Path(p)) => vec![fact(b, p, t)],
                    _ => Vec::new(),
                }
            }
            _ => Vec::new(),
        }
    }

    /// Why the facts of a condition cannot hold together with those around it, if so.
    fn contradiction(&self, new: &[Fact]) -> Option<String> {
        for (i, fact) in new.iter().enumerate() {
            let (equal, text, shown) = (fact.equal, &fact.text, &fact.shown);
            let others = self.facts.iter().chain(&new[..i]);
            for other in others {
                if other.path != fact.path {
                    continue;
                }
                let (e, t) = (other.equal, &other.text);
                if equal && e && t != text {
                    return Some(format!("`{shown}` cannot be both \"{t}\" and \"{text}\""));
                }
                if equal != e && t == text {
                    return Some(format!(
                        "`{shown}` cannot be \"{text}\" and differ from it at once"
                    ));
                }
            }
        }
        None
    }

    /// `let`s that nothing after them reads (the messages included).
    fn unused_lets(&mut self, stmts: &'r [Stmt]) {
        let mut read = std::collections::HashSet::new();
        let mut note = |e: &'r Expr| {
            visit_steps(e, &mut |step| {
                if let Step::Path(p) = step {
                    read.insert(p.root.as_str());
                }
            })
        };
        visit_exprs(stmts, &mut note);
        for part in &self.rule.message {
            if let MessagePart::Expr(e) = part {
                note(e);
            }
        }
        let mut lets = Vec::new();
        collect_lets(stmts, &mut lets);
        for (name, value) in lets {
            if !read.contains(name) {
                self.push(
                    "unused-let",
                    value.span,
                    format!("`let {name}` is never read: remove it, or use it"),
                );
            }
        }
    }

    /// An expression written out, variables replaced by what they stand for, so that the same
    /// check over the same lists reads the same whatever its variables are called.
    fn canon(&self, e: &Expr) -> String {
        let mut bound: Vec<(&str, String)> = Vec::new();
        self.canon_in(e, &mut bound)
    }

    fn canon_in<'e>(&self, e: &'e Expr, bound: &mut Vec<(&'e str, String)>) -> String {
        let c = |x: &'e Expr, bound: &mut Vec<(&'e str, String)>| self.canon_in(x, bound);
        match &e.kind {
            ExprKind::Number(d) => d.normalize().to_string(),
            ExprKind::Text(t) => format!("{t:?}"),
            ExprKind::Path(p) => {
                let mut rest = String::new();
                for seg in &p.segments {
                    crate::dataset::push_segment(&mut rest, seg);
                }
                let root = bound
                    .iter()
                    .rev()
                    .find(|(n, _)| *n == p.root)
                    .map(|(_, w)| w.clone())
                    .or_else(|| {
                        self.scope
                            .iter()
                            .rev()
                            .find(|(n, _)| *n == p.root)
                            .map(|(_, w)| w.clone())
                    })
                    .unwrap_or_else(|| format!("${}", p.root));
                format!("{root}{rest}")
            }
            ExprKind::Call(f, args) => {
                let args: Vec<String> = args.iter().map(|a| c(a, bound)).collect();
                format!("{}({})", f.name(), args.join(", "))
            }
            ExprKind::Neg(x) => format!("-({})", c(x, bound)),
            ExprKind::Not(x) => format!("not({})", c(x, bound)),
            ExprKind::Arith(op, a, b) => {
                let op = match op {
                    ArithOp::Add => "+",
                    ArithOp::Sub => "-",
                    ArithOp::Mul => "*",
                    ArithOp::Div => "/",
                };
                format!("({} {op} {})", c(a, bound), c(b, bound))
            }
            ExprKind::Compare(op, a, b, t) => {
                let t = match t {
                    None => String::new(),
                    Some(Tolerance::Absolute(x)) => format!(" within {x}"),
                    Some(Tolerance::Relative(x)) => format!(" within {x}%"),
                };
                format!("({} {} {}{t})", c(a, bound), op.symbol(), c(b, bound))
            }
            ExprKind::And(a, b) => format!("({} and {})", c(a, bound), c(b, bound)),
            ExprKind::Or(a, b) => format!("({} or {})", c(a, bound), c(b, bound)),
            ExprKind::Default(a, b) => format!("({} ?? {})", c(a, bound), c(b, bound)),
            ExprKind::If(x, a, b) => format!(
                "(if {} then {} else {})",
                c(x, bound),
                c(a, bound),
                c(b, bound)
            ),
            ExprKind::Index { base, index, rest } => {
                let mut s = format!("{}[{}]", c(base, bound), c(index, bound));
                for seg in rest {
                    crate::dataset::push_segment(&mut s, seg);
                }
                s
            }
            ExprKind::Over(over, b) => {
                let list = c(&b.list, bound);
                bound.push((&b.var, format!("item-of({list})")));
                let filter = b
                    .filter
                    .as_ref()
                    .map(|f| format!(" if {}", c(f, bound)))
                    .unwrap_or_default();
                let body = c(&b.body, bound);
                bound.pop();
                format!("{}({body} over {list}{filter})", over.name())
            }
        }
    }
}

/// Calls `f` on `e` and every expression inside it.
fn walk_exprs<'e>(e: &'e Expr, f: &mut impl FnMut(&'e Expr)) {
    f(e);
    for child in crate::rules::walk::children(e) {
        walk_exprs(child, f);
    }
}

/// The `let`s among statements, with their values.
fn collect_lets<'r>(stmts: &'r [Stmt], out: &mut Vec<(&'r str, &'r Expr)>) {
    for stmt in stmts {
        match stmt {
            Stmt::Let { name, value } => out.push((name, value)),
            Stmt::For { body, .. } | Stmt::When { body, .. } => collect_lets(body, out),
            Stmt::Check(..) => {}
        }
    }
}

/// Whether an expression is, by its name, a percentage: a share, a rate, a ratio.
fn percent(e: &Expr) -> bool {
    let ExprKind::Path(p) = &e.kind else {
        return false;
    };
    let last = match p.segments.last() {
        Some(crate::dataset::Segment::Key(k)) => k.as_str(),
        _ => p.root.as_str(),
    };
    let lower = last.to_lowercase();
    [
        "share", "pct", "percent", "rate", "ratio", "占比", "比例", "率",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// What a `when` says about a path: that it equals (or differs from) a text.
struct Fact {
    /// The path written out, variables replaced by what they stand for.
    path: String,
    /// The path as the rule writes it.
    shown: String,
    equal: bool,
    text: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ruleset::RuleSet;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn lints(text: &str) -> Vec<String> {
        let rules =
            RuleSet::from_files(vec![Arc::new(SourceFile::new("t.tally", text))]).expect("rules");
        let pack = Pack {
            rules,
            ..Pack::default()
        };
        lint(&pack, None)
            .into_iter()
            .map(|l| {
                let at = l.at.line_col();
                format!(
                    "{}:{} {} {}: {}",
                    at.line, at.column, l.code, l.rule, l.at.message
                )
            })
            .collect()
    }

    #[test]
    fn each_lint_finds_its_problem_and_only_it() {
        let found = lints(
            r#"rule A warning "a" {
    for c in changes {
        when c.word = "增加" and c.word = "减少" { c.pct > 0 }
        when c.word = "增加" { when c.word != "增加" { c.pct < 0 } }
        when c.word = "增加" { c.pct > 0 }
    }
}
rule B warning "b" {
    let unused = a + b
    let used = a
    used = used
    1 = 1
    for r in changes { when r.word = "增加" { r.pct > 0 } }
    x.share = y.share within 100
    x = y within 100%
    x.amount = y.amount within 100
}
"#,
        );
        assert_eq!(
            found,
            [
                "3:14 when-never-holds A: this condition can never hold: `c.word` cannot be both \"增加\" and \"减少\"",
                "4:35 when-never-holds A: this condition can never hold: `c.word` cannot be \"增加\" and differ from it at once",
                "9:18 unused-let B: `let unused` is never read: remove it, or use it",
                "11:5 always-holds B: this check compares a value with itself: it always holds",
                "12:5 always-holds B: this check reads no figure: the rule alone decides it, whatever the data",
                "13:45 duplicate-check B: this check repeats one of rule A: the same comparison under the same conditions; keep one",
                "14:5 wide-tolerance B: `within 100` is as wide as the percentages it compares: any two pass",
                "15:5 wide-tolerance B: `within 100%` lets any two figures of the same sign pass",
            ]
        );
    }
}
