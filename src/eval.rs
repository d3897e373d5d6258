//! Running rules against a dataset.
//!
//! Each check is first evaluated in a fast mode that builds no strings. Only a check that
//! fails (or cannot be evaluated) is run a second time with tracing on, to collect the paths
//! and source texts of every value involved, which the finding then labels. Most checks pass,
//! so the cost of good diagnostics is paid only where there is something to report.
//!
//! Before that, a check or `when` condition of the common forms (sums and comparisons of
//! figures, texts compared) is tried on the fast path (`src/eval/fast.rs`), which works with
//! nodes and fixed-point amounts instead of values; whatever it cannot answer exactly as the
//! general evaluator would, and every check it finds failing, goes the general way.

use crate::dataset::{Child, Node, NodeKind, find_entry};
use crate::eval::deadline::Deadline;
use crate::eval::path_cache::{PathCache, Slot};
use crate::evidence::{self, Evidence};
use crate::finding::{Finding, RuleSite, ValueRef};
use crate::number::{self, ArithError, CmpOp, Num, can_hold};
use crate::rules::ast::{
    ArithOp, Binder, Expr, ExprKind, Func, MessagePart, Over, Path, Rule, Scope, Segment, Stmt,
    Tolerance, push_segment,
};
use crate::rules::keyed_loops::KeyedLoop;
use crate::rules::layout::Kind;
use crate::rules::ruleset::PRIOR;
use crate::source::{SourceFile, Span};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::sync::Arc;

pub mod deadline;
mod fast;
pub mod index;
pub mod path_cache;

/// A loaded dataset as the evaluator sees it.
#[derive(Clone, Copy)]
pub struct Data<'d> {
    /// The root mapping.
    pub root: &'d Node,
    /// Its file.
    pub file: &'d Arc<SourceFile>,
}

/// What running one rule on a dataset gave.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The findings, in check order.
    pub findings: Vec<Finding>,
    /// The checks that did not apply, because a figure they read is not stated.
    pub not_applicable: Vec<NotApplicable>,
}

/// A check (or a `when` condition, or a `for` list) of a rule that did not apply to a
/// dataset, because a figure it reads is not stated: no violation, only counted (and listed
/// with `--show-skipped`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotApplicable {
    /// The expression's place in the rule file.
    pub site: Span,
    /// What is not stated, e.g. "`tables.income.total_row.fiscal` is not stated".
    pub what: String,
}

/// Runs one rule against a dataset (and its prior year, if any): its findings, and the checks
/// that did not apply.
/// `cache` remembers where the rule's paths led, for the next rule on the same dataset.
///
/// Evaluation stops early once `deadline` has passed (it is counted on across rules); the
/// caller reports that.
///
/// A check that did not apply is named (what it lacks, for `--show-skipped`) if
/// `name_skipped`, or only counted (its [`NotApplicable::what`] is then empty).
pub fn run_rule<'d>(
    rule: &Rule,
    data: Data<'d>,
    prior: Option<Data<'d>>,
    cache: &mut PathCache<'d>,
    deadline: &mut Deadline,
    name_skipped: bool,
) -> Outcome {
    let fast = FAST_PATH.with(std::cell::Cell::get);
    run_with(rule, data, prior, cache, deadline, fast, name_skipped)
}

thread_local! {
    /// Whether [`run_rule`] tries the fast path on this thread: always, except where a test or
    /// a fuzz target turns it off to compare the two ways (see [`with_fast_path`]). A switch
    /// per thread, not an option passed down, so that `tally test`'s runner and the mutation
    /// cases run unchanged, and tests running in parallel do not see each other's setting.
    static FAST_PATH: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// Runs `f` with the fast path on or off for every rule run on this thread (the setting is
/// restored afterwards, even if `f` panics): for the tests and fuzz targets that check that
/// the fast path finds exactly what the general evaluator finds.
#[doc(hidden)]
pub fn with_fast_path<T>(on: bool, f: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            FAST_PATH.with(|fast| fast.set(self.0));
        }
    }
    let _restore = Restore(FAST_PATH.with(|fast| fast.replace(on)));
    f()
}

/// [`run_rule`], with or without the fast path of checks and conditions (see [`fast`]):
/// the tests compare the two ways.
fn run_with<'d>(
    rule: &Rule,
    data: Data<'d>,
    prior: Option<Data<'d>>,
    cache: &mut PathCache<'d>,
    deadline: &mut Deadline,
    fast: bool,
    name_skipped: bool,
) -> Outcome {
    let taken = std::mem::take(cache);
    let mut ev = Evaluator::new(rule, data, prior, taken, *deadline, fast);
    ev.name_skipped = name_skipped;
    ev.block(&rule.body);
    *cache = ev.cache;
    *deadline = ev.deadline;
    Outcome {
        findings: ev.findings,
        not_applicable: ev.not_applicable,
    }
}

/// The unit every value shares, if they all have the same one: the unit of both sides of a
/// comparison of sums and differences of figures.
fn common_unit(values: &[ValueRef]) -> Option<String> {
    let first = values.first()?.unit.as_ref()?;
    values
        .iter()
        .all(|v| v.unit.as_ref() == Some(first))
        .then(|| first.clone())
}

/// Whether an expression only adds and subtracts (a product or quotient of amounts is no
/// amount: `part / total * 100` is a percentage).
fn additive(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Arith(ArithOp::Mul | ArithOp::Div, ..) => false,
        ExprKind::Arith(_, a, b)
        | ExprKind::Compare(_, a, b, _)
        | ExprKind::And(a, b)
        | ExprKind::Or(a, b)
        | ExprKind::Default(a, b) => additive(a) && additive(b),
        ExprKind::Neg(x) | ExprKind::Not(x) => additive(x),
        ExprKind::Call(f, args) => {
            matches!(f, Func::Sum | Func::Min | Func::Max | Func::Abs) && args.iter().all(additive)
        }
        ExprKind::If(_, a, b) => additive(a) && additive(b),
        ExprKind::Index { base, .. } => additive(base),
        // An aggregate over items (`sum(x.amount for x in rows if …)`) may be of anything.
        ExprKind::Over(..) => false,
        ExprKind::Number(_) | ExprKind::Text(_) | ExprKind::Path(_) => true,
    }
}

/// A value during evaluation.
#[derive(Clone, Debug)]
enum Value<'d> {
    Num(Num),
    Text(Cow<'d, str>),
    Bool(bool),
    /// A data node not yet converted (a mapping, a list, or a scalar read from the data).
    Node(&'d Node, Place),
    /// Several values: a path through a list.
    List(Vec<Value<'d>>),
}

/// Where a data node came from: which dataset, (when tracing) its path, and the key or item
/// that led to it (where a "has no" finding points).
///
/// A list item's path is its list's path plus `[index]`, kept apart and only written out when
/// displayed: a `for` over 300,000 rows then costs no string per row.
#[derive(Clone, Debug, Default)]
struct Place {
    prior: bool,
    path: Option<Arc<str>>,
    index: Option<usize>,
    key: Option<Span>,
}

/// Why a check could not be evaluated.
#[derive(Clone, Debug)]
enum Problem {
    /// The path is missing from the data; `at` is the nearest existing place.
    Missing {
        path: String,
        at: Span,
        parent: String,
        key: String,
    },
    /// The value is there but empty (`~`, or emptied because it was of the wrong kind for the
    /// pack's layout): like a missing one, it makes the check not applicable.
    Empty { path: String, at: Span },
    /// Something the check needs is not known (a word outside the pack's vocabulary): like an
    /// absent figure, it makes the check not applicable.
    Unknown { what: String },
    /// A value of the wrong kind.
    WrongKind {
        path: String,
        found: String,
        want: &'static str,
        at: Option<Span>,
    },
    /// Arithmetic failed.
    Arith(ArithError, Span),
    /// Anything else, at a place in the rule.
    Other(String),
}

impl Problem {
    /// A missing path found in the fast mode, where no path is written out: `exists(…)` and
    /// `??` only need to know that it is missing, and a check that fails on it is evaluated
    /// again with paths before anything is reported.
    fn missing_untold(at: Span) -> Problem {
        Problem::Missing {
            path: String::new(),
            at,
            parent: String::new(),
            key: String::new(),
        }
    }

    fn describe(&self) -> String {
        match self {
            Problem::Missing { path, .. } => format!("the dataset has no `{path}`"),
            Problem::Empty { path, .. } => format!("`{path}` is empty"),
            Problem::Unknown { what } => what.clone(),
            Problem::WrongKind {
                path, found, want, ..
            } => format!("`{path}` is {found}, not {want}"),
            Problem::Arith(e, _) => e.to_string(),
            Problem::Other(s) => s.clone(),
        }
    }

    /// Whether the problem is that a figure the check reads is not stated (missing or empty):
    /// the check then does not apply to this dataset, which is no violation.
    fn is_absent(&self) -> bool {
        matches!(
            self,
            Problem::Missing { .. } | Problem::Empty { .. } | Problem::Unknown { .. }
        )
    }

    fn at(&self) -> Option<Span> {
        match self {
            Problem::Missing { at, .. } | Problem::Empty { at, .. } => Some(*at),
            Problem::WrongKind { at, .. } => *at,
            _ => None,
        }
    }
}

/// A result of evaluation. The problem is boxed: it is rare, and large beside a value, which
/// every step of the evaluator passes on.
type Eval<T> = Result<T, Box<Problem>>;

/// A failed evaluation.
fn fail<T>(problem: Problem) -> Eval<T> {
    Err(Box::new(problem))
}

/// What a variable stands for.
#[derive(Clone, Debug)]
enum Binding<'r, 'd> {
    /// A loop item. Unless data paths were on when the loop ran, the item's place has no path
    /// (building one string per row made loops the evaluator's main cost); the origin lets a
    /// traced re-run find the item again with its path.
    Item(Value<'d>, Option<Origin<'r>>),
    /// A `let`: evaluated where it is used, so that a failing check's trace reaches the data
    /// values behind it. The number is how many variables were bound before it. A number is
    /// kept once worked out without tracing: `let total = sum(rows.amount)` used in a loop over
    /// the rows would otherwise add up the column again for every row (quadratic).
    Let(&'r Expr, usize, Option<Num>),
}

/// Where a loop item came from: item `index` of the list `list`, evaluated with the first
/// `visible` variables in scope.
#[derive(Clone, Copy, Debug)]
struct Origin<'r> {
    list: &'r Expr,
    visible: usize,
    index: usize,
}

struct Evaluator<'r, 'd> {
    rule: &'r Rule,
    data: Data<'d>,
    prior: Option<Data<'d>>,
    /// Where the dataset's paths led, shared by the rules run on it.
    cache: PathCache<'d>,
    /// Variables in scope, innermost last.
    vars: Vec<(&'r str, Binding<'r, 'd>)>,
    /// While a `let` expression is evaluated: how many variables it may see (those bound
    /// before it), so that a later variable of the same name cannot change its meaning.
    visible: Option<usize>,
    /// True while a `when` condition is evaluated: `<`, `>` and `!=` then mean "surely"
    /// (see `number::surely_holds`), `=`, `<=`, `>=` still allow rounding.
    guard: bool,
    /// Whether data places carry their paths (needed for loop items, `let` values and traces).
    paths: bool,
    /// When tracing: the data values read so far, and the last deciding comparison.
    trace: Option<Trace>,
    findings: Vec<Finding>,
    /// Checks (and `when` conditions, `for` lists) that did not apply because a figure they
    /// read is not stated, each once, with the first such figure.
    not_applicable: Vec<NotApplicable>,
    /// The items a keyed loop runs (kept to reuse its allocation).
    lookup_run: Vec<(crate::eval::index::Pos, bool)>,
    /// When to stop: each statement is a step; once passed, nothing more is evaluated.
    deadline: Deadline,
    /// Whether checks and conditions first try the fast path (see [`fast`]).
    fast: bool,
    /// The `when` conditions that hold around the statement being run, each with how many
    /// variables were bound where it stands: a failing check labels the figures they read.
    conditions: Vec<(&'r Expr, usize)>,
    /// The message of the check being evaluated, when it has one of its own.
    check_message: Option<&'r [MessagePart]>,
    /// Whether a check that does not apply is re-evaluated to name what it lacks.
    name_skipped: bool,
}

#[derive(Default)]
struct Trace {
    values: Vec<ValueRef>,
    evidence: Option<Evidence>,
    /// The first data figure of the left side of the last deciding comparison: the figure the
    /// check states, where its finding points.
    primary: Option<Span>,
}

impl<'r, 'd> Evaluator<'r, 'd> {
    /// An evaluator of `rule`, before its first statement.
    fn new(
        rule: &'r Rule,
        data: Data<'d>,
        prior: Option<Data<'d>>,
        cache: PathCache<'d>,
        deadline: Deadline,
        fast: bool,
    ) -> Evaluator<'r, 'd> {
        Evaluator {
            rule,
            data,
            prior,
            cache,
            vars: Vec::new(),
            visible: None,
            guard: false,
            paths: false,
            trace: None,
            findings: Vec::new(),
            not_applicable: Vec::new(),
            lookup_run: Vec::new(),
            deadline,
            fast,
            conditions: Vec::new(),
            check_message: None,
            name_skipped: true,
        }
    }

    fn block(&mut self, stmts: &'r [Stmt]) {
        let depth = self.vars.len();
        for stmt in stmts {
            if self.deadline.step() {
                break;
            }
            match stmt {
                Stmt::Check(e, message) => {
                    self.check_message = message.as_deref();
                    self.check(e);
                    self.check_message = None;
                }
                Stmt::Let { name, value } => {
                    let visible = self.vars.len();
                    self.vars.push((name, Binding::Let(value, visible, None)));
                }
                Stmt::For {
                    var,
                    position,
                    list,
                    body,
                    id,
                } => self.for_each(
                    var,
                    position.as_deref(),
                    list,
                    body,
                    self.cache.keyed_loop(*id),
                ),
                Stmt::When { cond, body } => match self.condition(cond) {
                    Ok(true) => {
                        self.conditions.push((cond, self.vars.len()));
                        self.block(body);
                        self.conditions.pop();
                    }
                    Ok(false) => {}
                    Err(p) => self.report_problem(cond, &p),
                },
            }
        }
        self.vars.truncate(depth);
    }

    fn for_each(
        &mut self,
        var: &'r str,
        position: Option<&'r str>,
        list: &'r Expr,
        body: &'r [Stmt],
        lookup: Option<KeyedLoop>,
    ) {
        let visible = self.vars.len();
        let paths = self.paths;
        let origin = move |index| {
            (!paths).then_some(Origin {
                list,
                visible,
                index,
            })
        };
        let resolved = self.value(list);
        let items: Vec<Value<'d>> = match resolved {
            Ok(Value::Node(node, place)) => match &node.kind {
                NodeKind::List(items) => {
                    // A run that builds paths (every traced run does) goes item by item, as
                    // written.
                    if let Some(keyed) = lookup.filter(|_| !self.paths && position.is_none())
                        && self.keyed_loop(keyed, items, &place, var, body, origin)
                    {
                        return;
                    }
                    // Items are made one at a time: a table of 300,000 rows needs no second
                    // list of 300,000 values beside it.
                    for (i, item) in items.iter().enumerate() {
                        let item = Value::Node(item, place.child_index(i, self.paths));
                        let at = position.map(|name| (name, Value::Num(position_number(i))));
                        self.run_body(var, item, origin(i), body, at);
                    }
                    return;
                }
                // `for k, v in mapping`: its entries in file order, the key as text.
                NodeKind::Map(entries) if position.is_some() => {
                    for (i, entry) in entries.iter().enumerate() {
                        let key = Value::Text(Cow::Borrowed(&*entry.key));
                        let place = place.child_key(&entry.key, entry.key_span, self.paths, false);
                        let value = Value::Node(&entry.value, place);
                        let at = position.map(|name| (name, key));
                        self.run_body(var, value, origin(i), body, at);
                    }
                    return;
                }
                NodeKind::Null => return,
                _ => {
                    let found = node.kind_name().to_string();
                    // The message names the list: work out its path.
                    let place = match self.with_paths(|ev| ev.value(list)) {
                        Ok(Value::Node(_, place)) => place,
                        _ => place,
                    };
                    self.problem_finding(
                        list,
                        Problem::WrongKind {
                            path: place.display(),
                            found,
                            want: if position.is_some() {
                                "a list or a mapping"
                            } else {
                                "a list"
                            },
                            at: Some(node.span),
                        },
                    );
                    return;
                }
            },
            // A path through lists: every item of every list it reaches, as `sum` adds them.
            Ok(Value::List(items)) => {
                let mut flat = Vec::with_capacity(items.len());
                self.flatten_items(Value::List(items), &mut flat);
                flat
            }
            Ok(_) => {
                self.problem_finding(list, Problem::Other("`for` needs a list".into()));
                return;
            }
            Err(p) => {
                self.report_problem(list, &p);
                return;
            }
        };
        for (i, item) in items.into_iter().enumerate() {
            let at = position.map(|name| (name, Value::Num(position_number(i))));
            self.run_body(var, item, origin(i), body, at);
        }
    }

    /// The items of a path through lists: each value it reaches, and the items of each list
    /// it reaches (all the way down), in order.
    fn flatten_items(&self, v: Value<'d>, out: &mut Vec<Value<'d>>) {
        match v {
            Value::List(items) => items.into_iter().for_each(|i| self.flatten_items(i, out)),
            Value::Node(node, place) if matches!(node.kind, NodeKind::List(_)) => {
                let NodeKind::List(items) = &node.kind else {
                    unreachable!("flatten_items: checked above")
                };
                for (i, item) in items.iter().enumerate() {
                    self.flatten_items(Value::Node(item, place.child_index(i, self.paths)), out);
                }
            }
            other => out.push(other),
        }
    }

    /// Runs a keyed loop as a lookup (see [`crate::rules::keyed_loops`]): the `when`'s statements for the
    /// items whose key is the text looked up, the whole `when` for items whose key is not
    /// text, nothing for the others; in a nest, with the variables of every loop bound to
    /// the items the innermost one is in. False (and nothing run) when the value looked up is
    /// not text or an inner list of the nest is not a list: the loop then runs as written.
    fn keyed_loop(
        &mut self,
        keyed: KeyedLoop,
        items: &'d [Node],
        place: &Place,
        var: &'r str,
        body: &'r [Stmt],
        origin: impl Fn(usize) -> Option<Origin<'r>>,
    ) -> bool {
        let Some(parts) = keyed.parts(body) else {
            return false;
        };
        let Ok(probe) = self.value(parts.probe) else {
            return false;
        };
        let Some(text) = self.text_of(&probe) else {
            return false;
        };
        let index = self
            .cache
            .index(items, keyed.key, &parts.inner, &parts.item_key.segments);
        if index.irregular {
            return false;
        }
        // A loop nested in this one takes a fresh list while this one is in use.
        let mut run = std::mem::take(&mut self.lookup_run);
        run.clear();
        index.matching(&text, &mut run);
        let visible = self.vars.len();
        for &(pos, matched) in &run {
            // Past the deadline, the rest of a loop is skipped item by item.
            if self.deadline.passed() {
                break;
            }
            let i = pos[0] as usize;
            let item = Value::Node(&items[i], place.child_index(i, false));
            self.vars.push((var, Binding::Item(item, origin(i))));
            let mut node = &items[i];
            for (level, nested) in parts.inner.iter().enumerate() {
                // The index found every inner list to be one.
                let Some(inner) = crate::eval::index::inner_list(node, &nested.path.segments)
                else {
                    break;
                };
                let j = pos[level + 1] as usize;
                node = &inner[j];
                // As a loop over `list` binds its items without paths.
                let place = Place {
                    prior: place.prior,
                    ..Place::default()
                };
                let origin = Origin {
                    list: nested.list,
                    visible: visible + level + 1,
                    index: j,
                };
                self.vars.push((
                    nested.var,
                    Binding::Item(Value::Node(node, place), Some(origin)),
                ));
            }
            match parts.when {
                // The `when` held for this item: its condition is around the body, as in a
                // plain loop (a failing check labels the figures it read).
                [Stmt::When { cond, .. }] if matched => {
                    self.conditions.push((cond, self.vars.len()));
                    self.block(parts.body);
                    self.conditions.pop();
                }
                _ => self.block(if matched { parts.body } else { parts.when }),
            }
            self.vars.truncate(visible);
        }
        self.lookup_run = run;
        true
    }

    /// Runs a loop body with `var` bound to one item (and the position or key variable, if
    /// any, to its position or key, bound first).
    fn run_body(
        &mut self,
        var: &'r str,
        item: Value<'d>,
        origin: Option<Origin<'r>>,
        body: &'r [Stmt],
        position: Option<(&'r str, Value<'d>)>,
    ) {
        // Past the deadline, the rest of a loop is skipped item by item, nested loops unrun.
        if self.deadline.passed() {
            return;
        }
        let depth = self.vars.len();
        if let Some((name, at)) = position {
            self.vars.push((name, Binding::Item(at, None)));
        }
        self.vars.push((var, Binding::Item(item, origin)));
        self.block(body);
        self.vars.truncate(depth);
    }

    /// A loop item found again with data paths on, for a traced re-run inside a loop that
    /// ran without them.
    fn item_with_path(&mut self, origin: Origin<'r>) -> Eval<Value<'d>> {
        let saved = self.visible.replace(origin.visible);
        let list = self.with_paths(|ev| ev.value(origin.list));
        self.visible = saved;
        let item = match list? {
            Value::Node(node, place) => match &node.kind {
                NodeKind::List(items) => items
                    .get(origin.index)
                    .map(|item| Value::Node(item, place.child_index(origin.index, true))),
                NodeKind::Map(entries) => entries.get(origin.index).map(|entry| {
                    let place = place.child_key(&entry.key, entry.key_span, true, false);
                    Value::Node(&entry.value, place)
                }),
                _ => None,
            },
            list @ Value::List(_) => {
                let mut flat = Vec::new();
                self.flatten_items(list, &mut flat);
                flat.into_iter().nth(origin.index)
            }
            _ => None,
        };
        item.ok_or_else(|| {
            Box::new(Problem::Other(
                "a loop item could not be found again".into(),
            ))
        })
    }

    /// Runs `f` with data paths built, restoring the previous setting.
    fn with_paths<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = std::mem::replace(&mut self.paths, true);
        let result = f(self);
        self.paths = saved;
        result
    }

    /// Starts tracing a re-evaluation: values, evidence and paths are recorded.
    fn start_trace(&mut self) -> bool {
        self.trace = Some(Trace::default());
        std::mem::replace(&mut self.paths, true)
    }

    /// Evaluates a check; a failure is run again with tracing to build its finding, which
    /// points at the figure the check states (its left side's) and labels the figures read by
    /// the `when` conditions that led to it too.
    fn check(&mut self, expr: &'r Expr) {
        if self.fast_truth(expr) == Some(true) {
            return;
        }
        match self.truth(expr, false) {
            Ok(true) => {}
            Ok(false) => {
                let saved = self.start_trace();
                let again = self.truth(expr, false);
                let mut trace = self.trace.take().unwrap_or_default();
                if matches!(again, Ok(true)) {
                    self.paths = saved;
                    return; // cannot happen: evaluation is deterministic
                }
                let read_none = trace.values.iter().all(|v| v.prior.is_some());
                trace.values.extend(self.condition_values());
                self.paths = saved;
                // A check that read no figure of the dataset (`len(k) = 1` over a mapping's
                // keys) points at the item it was checked for, not at the top of the file.
                let primary = match trace.primary {
                    None if read_none => self.innermost_item(),
                    primary => primary,
                };
                let message = self.message();
                let mut evidence = trace.evidence;
                if let Some(Evidence::Numbers(n)) = &mut evidence
                    && additive(expr)
                {
                    n.unit = common_unit(&trace.values);
                }
                self.push_finding(expr.span, message, primary, trace.values, evidence);
            }
            Err(p) => self.report_problem(expr, &p),
        }
    }

    /// Where the innermost loop item of the dataset stands: its key in a mapping, or the item.
    fn innermost_item(&self) -> Option<Span> {
        self.vars
            .iter()
            .rev()
            .find_map(|(_, binding)| match binding {
                Binding::Item(Value::Node(node, place), _) if !place.prior => {
                    Some(place.key.unwrap_or(node.span))
                }
                _ => None,
            })
    }

    /// The data figures read by the `when` conditions around the current statement, each
    /// evaluated again, traced, where it stands (with the variables bound there).
    fn condition_values(&mut self) -> Vec<ValueRef> {
        let mut values = Vec::new();
        let conditions = self.conditions.clone();
        for (cond, visible) in conditions {
            self.trace = Some(Trace::default());
            let saved_visible = self.visible.replace(visible);
            let saved_guard = std::mem::replace(&mut self.guard, true);
            let _ = self.truth(cond, false);
            self.guard = saved_guard;
            self.visible = saved_visible;
            values.extend(self.trace.take().unwrap_or_default().values);
        }
        values
    }

    /// Re-evaluates an expression that failed with tracing on, and reports its problem, unless
    /// the problem is that a figure is not stated: then the expression does not apply (it is
    /// counted, not reported). Each expression is traced once for that: the figures a check
    /// lacks on one row of a table it usually lacks on every row.
    fn report_problem(&mut self, expr: &'r Expr, first: &Problem) {
        // Stopped at the time limit (inside a quantifier): the run's timeout finding says so.
        if self.deadline.passed() {
            return;
        }
        if self.not_applicable.iter().any(|n| n.site == expr.span) {
            return;
        }
        // Counted, not named: naming what is not stated takes the traced re-evaluation, about
        // a tenth of checking a dataset with the built-in pack, and only `--show-skipped`
        // shows the names.
        if !self.name_skipped && first.is_absent() {
            self.not_applicable.push(NotApplicable {
                site: expr.span,
                what: String::new(),
            });
            return;
        }
        let saved = self.start_trace();
        let problem = match self.truth(expr, false) {
            Err(p) => *p,
            Ok(_) => match self.value(expr) {
                Err(p) => *p,
                Ok(_) => Problem::Other("this check could not be evaluated".into()),
            },
        };
        if problem.is_absent() {
            self.trace = None;
            let what = match &problem {
                Problem::Missing { path, .. } => format!("`{path}` is not stated"),
                Problem::Empty { path, .. } => format!("`{path}` is empty"),
                Problem::Unknown { what } => what.clone(),
                _ => unreachable!("report_problem: absent problems only"),
            };
            self.not_applicable.push(NotApplicable {
                site: expr.span,
                what,
            });
        } else {
            self.problem_finding(expr, problem);
        }
        self.paths = saved;
    }

    fn problem_finding(&mut self, expr: &'r Expr, problem: Problem) {
        let trace = self.trace.take().unwrap_or_default();
        let message = format!("{}: {}", self.message(), problem.describe());
        let primary = problem.at();
        let site = match &problem {
            Problem::Arith(_, span) => *span,
            _ => expr.span,
        };
        self.push_finding(site, message, primary, trace.values, None);
        if let (Problem::Missing { parent, key, .. }, Some(f)) =
            (&problem, self.findings.last_mut())
            && let Some(at) = primary
        {
            let label = if parent.is_empty() {
                format!("the dataset has no `{key}`")
            } else {
                format!("`{parent}` has no `{key}`")
            };
            f.notes.push((at, label));
        }
    }

    fn push_finding(
        &mut self,
        site: Span,
        message: String,
        primary: Option<Span>,
        mut values: Vec<ValueRef>,
        evidence: Option<Evidence>,
    ) {
        let mut seen = std::collections::HashSet::new();
        values.retain(|v| seen.insert((v.prior.is_some(), v.span)));
        let primary = primary.or_else(|| values.iter().find(|v| v.prior.is_none()).map(|v| v.span));
        // The one place the evidence becomes prose.
        let help = match (&evidence, &self.rule.help) {
            (Some(e), Some(h)) => Some(format!("{e}\n{h}")),
            (Some(e), None) => Some(e.to_string()),
            (None, Some(h)) => Some(h.clone()),
            (None, None) => None,
        };
        self.findings.push(Finding {
            rule: self.rule.id.clone(),
            severity: self.rule.severity,
            message,
            primary: primary.or(Some(Span::new(0, 0))),
            values,
            notes: Vec::new(),
            help,
            evidence,
            rule_site: Some(RuleSite {
                file: self.rule.file.clone(),
                span: site,
            }),
            explained: None,
        });
    }

    /// The message of the check being evaluated (its own, else the rule's) with its `{…}`
    /// parts filled in from the current scope.
    fn message(&mut self) -> String {
        self.message_of(self.check_message.unwrap_or(&self.rule.message))
    }

    /// A message (the rule's, or a check's own) with its `{…}` parts filled in from the
    /// current scope.
    fn message_of(&mut self, message: &'r [MessagePart]) -> String {
        let saved = self.trace.take();
        let mut out = String::new();
        for part in message {
            match part {
                MessagePart::Text(t) => out.push_str(t),
                MessagePart::Expr(e) => match self.value(e) {
                    Ok(v) => out.push_str(&self.show(&v)),
                    Err(_) => out.push('?'),
                },
            }
        }
        self.trace = saved;
        out
    }

    fn show(&self, v: &Value<'d>) -> String {
        match v {
            Value::Num(n) => number::display(n.value),
            Value::Text(t) => t.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Node(node, place) => {
                let file = self.file_of(place);
                match &node.kind {
                    NodeKind::Text(t) => t.to_string(),
                    _ => node.describe(file).to_string(),
                }
            }
            Value::List(items) => {
                let shown: Vec<String> = items.iter().map(|i| self.show(i)).collect();
                format!("[{}]", shown.join(", "))
            }
        }
    }

    /// Whether a `when` condition holds, read strictly for `<`, `>` and `!=`.
    fn condition(&mut self, cond: &'r Expr) -> Eval<bool> {
        let saved = std::mem::replace(&mut self.guard, true);
        let result = match self.fast_truth(cond) {
            Some(holds) => Ok(holds),
            None => self.truth(cond, false),
        };
        self.guard = saved;
        result
    }

    /// Whether a condition holds; `negate` pushes a surrounding `not` down to the comparisons,
    /// so that `not (a = b)` means "a ≠ b can hold", consistently with rounding.
    fn truth(&mut self, e: &'r Expr, negate: bool) -> Eval<bool> {
        match &e.kind {
            ExprKind::Not(inner) => self.truth(inner, !negate),
            ExprKind::And(a, b) if !negate => Ok(self.truth(a, false)? && self.truth(b, false)?),
            ExprKind::And(a, b) => Ok(self.truth(a, true)? || self.truth(b, true)?),
            ExprKind::Or(a, b) if !negate => Ok(self.truth(a, false)? || self.truth(b, false)?),
            ExprKind::Or(a, b) => Ok(self.truth(a, true)? && self.truth(b, true)?),
            ExprKind::Compare(op, l, r, tol) => {
                let op = if negate { op.negated() } else { *op };
                self.compare(op, l, r, *tol)
            }
            _ => {
                let v = self.value(e)?;
                let b = match v {
                    Value::Bool(b) => b,
                    Value::Node(node, place) => match node.kind {
                        NodeKind::Bool(b) => b,
                        _ => {
                            return fail(Problem::WrongKind {
                                path: place.display(),
                                found: node.kind_name().into(),
                                want: "true or false",
                                at: Some(node.span),
                            });
                        }
                    },
                    _ => {
                        return fail(Problem::Other(
                            "a check must be a condition (a comparison, `exists(…)`, …)".into(),
                        ));
                    }
                };
                if let Some(t) = &mut self.trace {
                    // A failing `all` keeps the comparison of the item that failed it.
                    let all = matches!(e.kind, ExprKind::Over(Over::All, _));
                    if !(all && !b && t.evidence.is_some()) {
                        t.evidence = Some(Evidence::Condition);
                    }
                }
                Ok(b != negate)
            }
        }
    }

    fn compare(
        &mut self,
        op: CmpOp,
        l: &'r Expr,
        r: &'r Expr,
        tol: Option<Tolerance>,
    ) -> Eval<bool> {
        let before_left = self.trace.as_ref().map_or(0, |t| t.values.len());
        let lv = self.value(l)?;
        let after_left = self.trace.as_ref().map_or(0, |t| t.values.len());
        let rv = self.value(r)?;
        let after_right = self.trace.as_ref().map_or(0, |t| t.values.len());
        // The left side's first figure: read while it was evaluated, or when it is converted
        // below (a path's figure is read only then).
        let mark_primary = |ev: &mut Self| {
            if let Some(t) = &mut ev.trace {
                let first = if after_left > before_left {
                    t.values.get(before_left)
                } else {
                    t.values.get(after_right)
                };
                if let Some(v) = first.filter(|v| v.prior.is_none()) {
                    t.primary = Some(v.span);
                }
            }
        };
        let texts = match (self.text_of(&lv), self.text_of(&rv)) {
            (Some(a), Some(b)) => Some((a, b)),
            // A code written as a number (`code: 2010601`) compared with a text of the rule's
            // own (`parent(…)`, `"201"`) is compared as written. (Text and a number that both
            // come from the data are still a finding: one of them is likely mistyped.)
            (Some(a), None) if matches!(lv, Value::Text(_)) => {
                self.written_number(&rv).map(|b| (a, Cow::Borrowed(b)))
            }
            (None, Some(b)) if matches!(rv, Value::Text(_)) => {
                self.written_number(&lv).map(|a| (Cow::Borrowed(a), b))
            }
            _ => None,
        };
        if let Some((a, b)) = texts {
            let (a, b) = (a.into_owned(), b.into_owned());
            self.trace_text(&lv);
            mark_primary(self);
            self.trace_text(&rv);
            let holds = match op {
                CmpOp::Eq => a == b,
                CmpOp::Ne => a != b,
                _ => {
                    return fail(Problem::Other(format!(
                        "text can only be compared with `=` or `!=`, not `{}`",
                        op.symbol()
                    )));
                }
            };
            if let Some(t) = &mut self.trace {
                t.evidence = Some(Evidence::Texts {
                    op,
                    left: a,
                    right: b,
                });
            }
            return Ok(holds);
        }
        let left = self.num(lv)?;
        mark_primary(self);
        let right = self.num(rv)?;
        let amount = tol.map_or(Decimal::ZERO, |t| tolerance_amount(t, left, right));
        if let Some(t) = &mut self.trace {
            let tolerance = tol.map(|t| evidence::Tolerance {
                within: match t {
                    Tolerance::Absolute(a) | Tolerance::Relative(a) => a,
                },
                percent: matches!(t, Tolerance::Relative(_)),
                amount,
            });
            t.evidence = Some(Evidence::Numbers(evidence::Numbers::new(
                op, left, right, tolerance,
            )));
        }
        let strict = self.guard && matches!(op, CmpOp::Lt | CmpOp::Gt | CmpOp::Ne);
        Ok(if strict {
            number::surely_holds(left, op, right, amount)
        } else {
            can_hold(left, op, right, amount)
        })
    }

    /// The file a data place belongs to: the dataset, or its prior year.
    fn file_of(&self, place: &Place) -> &'d Arc<SourceFile> {
        match (place.prior, self.prior) {
            (true, Some(p)) => p.file,
            _ => self.data.file,
        }
    }

    /// Records a value read from the data, when tracing, so that its finding can label it.
    fn trace_value(&mut self, node: &Node, place: &Place) {
        if self.trace.is_none() {
            return;
        }
        let file = self.file_of(place);
        let path = place.display();
        let unit = self.unit_of(&path);
        if let Some(trace) = &mut self.trace {
            trace.values.push(ValueRef {
                path,
                text: node.describe(file).to_string(),
                span: node.span,
                prior: place.prior.then(|| file.clone()),
                unit,
            });
        }
    }

    /// The unit of the figure at a data path, as the pack's layout gives it: the dataset's
    /// unit of money for an amount (a prior year's amounts are read in it too), else the
    /// layout's own unit for the key, if any.
    fn unit_of(&self, path: &str) -> Option<String> {
        let layout = self.cache.layout()?;
        let path = path.strip_prefix("prior.").unwrap_or(path);
        let mut node = &layout.root;
        for key in path.split('.') {
            let key = key.split('[').next().unwrap_or(key);
            let mut next = layout.child(node, key)?;
            while let Some(items) = next.items.as_deref().filter(|_| next.kind == Kind::List) {
                next = items;
            }
            node = next;
        }
        match (&node.unit, node.kind) {
            (Some(unit), _) => Some(unit.clone()),
            (None, Kind::Amount) => layout.unit_of(self.data.root).map(str::to_string),
            _ => None,
        }
    }

    /// Records a text value read from the data, when tracing.
    fn trace_text(&mut self, v: &Value<'d>) {
        if let Value::Node(node, place) = v {
            self.trace_value(node, place);
        }
    }

    /// A number of the data as it is written (`2010601`), for comparing codes with texts.
    fn written_number(&self, v: &Value<'d>) -> Option<&'d str> {
        match v {
            Value::Node(node, place) if matches!(node.kind, NodeKind::Number(_)) => {
                Some(self.file_of(place).text(node.span))
            }
            _ => None,
        }
    }

    /// The text of a text value, or of a number as the data writes it (a code).
    fn text_like<'v>(&self, v: &'v Value<'d>) -> Option<Cow<'v, str>> {
        match v {
            Value::Num(n) => Some(Cow::Owned(number::display(n.value))),
            _ => self
                .text_of(v)
                .or_else(|| self.written_number(v).map(Cow::Borrowed)),
        }
    }

    /// The text of a value that is text (a literal or a text scalar in the data).
    fn text_of<'v>(&self, v: &'v Value<'d>) -> Option<Cow<'v, str>> {
        match v {
            Value::Text(t) => Some(Cow::Borrowed(t)),
            Value::Node(node, _) => match &node.kind {
                NodeKind::Text(t) => Some(Cow::Borrowed(t)),
                _ => None,
            },
            _ => None,
        }
    }

    fn value(&mut self, e: &'r Expr) -> Eval<Value<'d>> {
        match &e.kind {
            ExprKind::Number(d) => Ok(Value::Num(Num::exact(*d))),
            ExprKind::Text(t) => Ok(Value::Text(Cow::Owned(t.clone()))),
            ExprKind::Path(p) => self.path(p),
            ExprKind::Call(f, args) => self.call(*f, args, e.span),
            ExprKind::Neg(x) => {
                let v = self.value(x)?;
                Ok(Value::Num(self.num(v)?.neg()))
            }
            ExprKind::Arith(op, a, b) => {
                let a = self.value(a)?;
                let a = self.num(a)?;
                let b = self.value(b)?;
                let b = self.num(b)?;
                let r = match op {
                    ArithOp::Add => a.add(b),
                    ArithOp::Sub => a.sub(b),
                    ArithOp::Mul => a.mul(b),
                    ArithOp::Div => a.div(b),
                };
                r.map(Value::Num)
                    .map_err(|err| Box::new(Problem::Arith(err, e.span)))
            }
            ExprKind::Default(a, b) => match self.value(a) {
                Ok(Value::Node(node, _)) if matches!(node.kind, NodeKind::Null) => self.value(b),
                Err(p) if matches!(*p, Problem::Missing { .. }) => self.value(b),
                other => other,
            },
            ExprKind::Not(_) | ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Compare(..) => {
                self.truth(e, false).map(Value::Bool)
            }
            ExprKind::If(cond, then, otherwise) => {
                // A condition inside an expression reads as a `when` does.
                let saved = std::mem::replace(&mut self.guard, true);
                let holds = self.truth(cond, false);
                self.guard = saved;
                if holds? {
                    self.value(then)
                } else {
                    self.value(otherwise)
                }
            }
            ExprKind::Index { base, index, rest } => {
                let list = self.value(base)?;
                let i = self.value(index)?;
                let i = self.num(i)?;
                let position = Some(i.value)
                    .filter(|d| d.fract().is_zero() && !d.is_sign_negative())
                    .and_then(|d| usize::try_from(d).ok());
                let Some(position) = position else {
                    return fail(Problem::Other(format!(
                        "the index {} is not a whole number from 0",
                        number::display(i.value)
                    )));
                };
                let mut value = self.step_index(list, position)?;
                for seg in rest {
                    value = match seg {
                        Segment::Key(k) => self.step_key(value, k, false)?,
                        Segment::Index(i) => self.step_index(value, *i)?,
                    };
                }
                Ok(value)
            }
            ExprKind::Over(kind, binder) => self.over(*kind, binder, e.span),
        }
    }

    /// `any`, `all`, `count`, `sum`, `min`, `max` over the items of a list, the variable bound
    /// to each in turn.
    fn over(&mut self, kind: Over, b: &'r Binder, span: Span) -> Eval<Value<'d>> {
        let list = self.value(&b.list)?;
        let items = match list {
            Value::Node(node, _) if matches!(node.kind, NodeKind::Null) => Vec::new(),
            Value::Node(node, place) if !matches!(node.kind, NodeKind::List(_)) => {
                return fail(Problem::WrongKind {
                    path: place.display(),
                    found: node.kind_name().into(),
                    want: "a list",
                    at: Some(node.span),
                });
            }
            list @ (Value::Node(..) | Value::List(_)) => {
                let mut items = Vec::new();
                self.flatten_items(list, &mut items);
                items
            }
            _ => return fail(Problem::Other(format!("`{}` needs a list", kind.name()))),
        };
        // The variable goes where the rule's scopes put it: right after the variables visible
        // here (a `let` evaluated later, deeper in the rule, sees fewer than are bound).
        let tail = match self.visible {
            Some(v) if v < self.vars.len() => Some(self.vars.split_off(v)),
            _ => None,
        };
        let saved_visible = self.visible.take();
        let result = self.over_items(kind, b, items, span);
        self.visible = saved_visible;
        if let Some(tail) = tail {
            self.vars.extend(tail);
        }
        result
    }

    fn over_items(
        &mut self,
        kind: Over,
        b: &'r Binder,
        items: Vec<Value<'d>>,
        span: Span,
    ) -> Eval<Value<'d>> {
        let mut count = 0usize;
        let mut nums = Vec::new();
        let start = self.trace.as_ref().map_or(0, |t| t.values.len());
        for item in items {
            // Each item is a step towards `--timeout`: a quantifier inside a loop over the
            // same table is quadratic work.
            if self.deadline.step() {
                return fail(Problem::Other("stopped at the time limit".into()));
            }
            let item_start = self.trace.as_ref().map_or(0, |t| t.values.len());
            self.vars.push((&b.var, Binding::Item(item, None)));
            let step = self.over_item(kind, b, &mut nums);
            self.vars.pop();
            match step? {
                // `any` found an item, `all` one that fails: the answer. The items `any`
                // passed over do not bear on it (while none holds, all of them do).
                Some(done) if matches!(kind, Over::Any | Over::All) => {
                    if kind == Over::Any
                        && let Some(t) = &mut self.trace
                    {
                        t.values.drain(start..item_start);
                    }
                    return Ok(Value::Bool(done));
                }
                Some(_) => count += 1,
                None => {}
            }
        }
        Ok(match kind {
            Over::Any => Value::Bool(false),
            Over::All => Value::Bool(true),
            Over::Count => Value::Num(Num::exact(Decimal::from(count))),
            Over::Sum => Value::Num(
                nums.into_iter()
                    .try_fold(Num::exact(Decimal::ZERO), Num::add)
                    .map_err(|e| Box::new(Problem::Arith(e, span)))?,
            ),
            Over::Min | Over::Max => {
                Value::Num(pick(&nums, kind == Over::Min).ok_or_else(|| {
                    Box::new(Problem::Other(format!("`{}` of no values", kind.name())))
                })?)
            }
        })
    }

    /// One item of [`Evaluator::over`]: for `any` `Some(true)` when the condition holds, for
    /// `all` `Some(false)` when it does not, for `count` `Some(_)` when it holds; the
    /// aggregates collect the value (if the filter keeps the item) and give `None`. When
    /// tracing, an item that does not bear on the result leaves no figure labelled.
    fn over_item(&mut self, kind: Over, b: &'r Binder, nums: &mut Vec<Num>) -> Eval<Option<bool>> {
        let mark = self
            .trace
            .as_ref()
            .map(|t| (t.values.len(), t.evidence.clone(), t.primary));
        let forget = |ev: &mut Self| {
            if let (Some(t), Some((len, evidence, primary))) = (&mut ev.trace, mark.clone()) {
                t.values.truncate(len);
                t.evidence = evidence;
                t.primary = primary;
            }
        };
        match kind {
            Over::Any | Over::All | Over::Count => {
                let holds = self.truth(&b.body, false)?;
                let bears = match kind {
                    Over::All => !holds,
                    _ => holds,
                };
                // An item `all` passes, or `count` does not count, is not what the result
                // turned on.
                if (kind == Over::All && holds) || (kind == Over::Count && !holds) {
                    forget(self);
                }
                Ok(bears.then_some(kind != Over::All))
            }
            Over::Sum | Over::Min | Over::Max => {
                if let Some(filter) = &b.filter {
                    let saved = std::mem::replace(&mut self.guard, true);
                    let keep = self.truth(filter, false);
                    self.guard = saved;
                    if !keep? {
                        forget(self);
                        return Ok(None);
                    }
                }
                let v = self.value(&b.body)?;
                self.flatten(v, nums)?;
                Ok(None)
            }
        }
    }

    /// Converts a value to a number, recording the data it came from when tracing.
    fn num(&mut self, v: Value<'d>) -> Eval<Num> {
        match v {
            Value::Num(n) => Ok(n),
            Value::Node(node, place) => {
                self.trace_value(node, &place);
                match &node.kind {
                    NodeKind::Number(n) => Ok(n.num()),
                    NodeKind::OutOfRange(text) => fail(Problem::WrongKind {
                        path: place.display(),
                        found: format!("{text}"),
                        want: "a number tally can compute with exactly (at most 28 digits)",
                        at: Some(node.span),
                    }),
                    NodeKind::Null => fail(Problem::Empty {
                        path: place.display(),
                        at: node.span,
                    }),
                    NodeKind::Text(t) => fail(Problem::WrongKind {
                        path: place.display(),
                        found: format!("the text \"{t}\""),
                        want: "a number",
                        at: Some(node.span),
                    }),
                    _ => fail(Problem::WrongKind {
                        path: place.display(),
                        found: node.kind_name().into(),
                        want: "a number",
                        at: Some(node.span),
                    }),
                }
            }
            Value::Text(t) => fail(Problem::Other(format!("\"{t}\" is text, not a number"))),
            Value::Bool(_) => fail(Problem::Other("a condition is not a number".into())),
            Value::List(_) => fail(Problem::Other(
                "this path goes through a list and gives several values; use sum(…), count(…), min(…) or max(…)".into(),
            )),
        }
    }

    fn call(&mut self, f: Func, args: &'r [Expr], span: Span) -> Eval<Value<'d>> {
        match f {
            Func::Unique => self.unique(&args[0]),
            Func::Len => {
                let t = self.text_arg(&args[0], f)?;
                Ok(Value::Num(position_number(t.chars().count())))
            }
            Func::StartsWith => {
                let t = self.text_arg(&args[0], f)?;
                let p = self.text_arg(&args[1], f)?;
                Ok(Value::Bool(t.starts_with(&p)))
            }
            Func::Prefix => {
                let t = self.text_arg(&args[0], f)?;
                let n = self.count_arg(&args[1])?;
                Ok(Value::Text(Cow::Owned(t.chars().take(n).collect())))
            }
            Func::Parent => {
                let code = self.text_arg(&args[0], f)?;
                let digits = code.chars().all(|c| c.is_ascii_digit());
                match code.len() {
                    3 if digits => Ok(Value::Text(Cow::Borrowed(""))),
                    5 | 7 if digits => Ok(Value::Text(Cow::Owned(code[..code.len() - 2].into()))),
                    _ => fail(Problem::Other(format!(
                        "`{code}` is not a 科目编码 of 3, 5 or 7 digits (类, 款, 项)"
                    ))),
                }
            }
            // Only written as `any(x in …: …)`, which is an `Over`; the parser rejects the rest.
            Func::Any | Func::All => fail(Problem::Other(format!(
                "`{}` takes `x in LIST: CONDITION`",
                f.name()
            ))),
            Func::Exists => {
                let present = match self.value(&args[0]) {
                    Ok(Value::Node(node, _)) => !matches!(node.kind, NodeKind::Null),
                    Ok(_) => true,
                    Err(p) if matches!(*p, Problem::Missing { .. }) => false,
                    Err(other) => return Err(other),
                };
                Ok(Value::Bool(present))
            }
            Func::Count => {
                let n = match self.value(&args[0])? {
                    Value::List(items) => items.len(),
                    Value::Node(node, _) => match &node.kind {
                        NodeKind::List(items) => items.len(),
                        NodeKind::Map(entries) => entries.len(),
                        NodeKind::Null => 0,
                        _ => 1,
                    },
                    _ => 1,
                };
                Ok(Value::Num(Num::exact(Decimal::from(n))))
            }
            Func::Abs => {
                let v = self.value(&args[0])?;
                Ok(Value::Num(self.num(v)?.abs()))
            }
            Func::Sign => {
                let v = self.value(&args[0])?;
                let Some(word) = self.text_of(&v).map(Cow::into_owned) else {
                    return match v {
                        Value::Node(node, place) if matches!(node.kind, NodeKind::Null) => {
                            fail(Problem::Empty {
                                path: place.display(),
                                at: node.span,
                            })
                        }
                        _ => fail(Problem::Other("`sign` takes a word (text)".into())),
                    };
                };
                self.trace_text(&v);
                match self.cache.sign(&word) {
                    Some(sign) => Ok(Value::Num(Num::exact(Decimal::from(sign)))),
                    // A word the pack's vocabulary does not know says nothing about a
                    // direction: the check does not apply (and `--show-skipped` says why).
                    None => fail(Problem::Unknown {
                        what: format!("`{word}` is not a direction word of the pack's vocabulary"),
                    }),
                }
            }
            Func::Round => {
                let v = self.value(&args[0])?;
                let n = self.num(v)?;
                let digits = match &args[1].kind {
                    ExprKind::Number(d) => u32::try_from(d.trunc().mantissa()).unwrap_or(0),
                    _ => 0,
                };
                Ok(Value::Num(n.round(digits)))
            }
            Func::Sum | Func::Min | Func::Max => {
                let mut nums = Vec::new();
                for arg in args {
                    let v = self.value(arg)?;
                    self.flatten(v, &mut nums)?;
                }
                let result = match f {
                    Func::Sum => nums
                        .into_iter()
                        .try_fold(Num::exact(Decimal::ZERO), Num::add),
                    _ => {
                        let Some(picked) = pick(&nums, f == Func::Min) else {
                            return fail(Problem::Other(format!("`{}` of no values", f.name())));
                        };
                        Ok(picked)
                    }
                };
                result
                    .map(Value::Num)
                    .map_err(|e| Box::new(Problem::Arith(e, span)))
            }
        }
    }

    /// `unique(list)`: whether no two values are equal (texts as texts, numbers by value);
    /// when tracing, the values that are equal to another are recorded, both places.
    fn unique(&mut self, arg: &'r Expr) -> Eval<Value<'d>> {
        let v = self.value(arg)?;
        let mut items = Vec::new();
        self.flatten_items(v, &mut items);
        let mut seen: std::collections::HashMap<String, usize> = Default::default();
        let mut duplicates = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = match item {
                Value::Node(node, _) if matches!(node.kind, NodeKind::Null) => continue,
                Value::Node(node, _) => match &node.kind {
                    NodeKind::Number(f) => format!("n{}", f.num().value.normalize()),
                    NodeKind::Text(t) => format!("t{}", &**t),
                    NodeKind::Bool(b) => format!("b{b}"),
                    _ => format!("s{}", node.span.start),
                },
                Value::Num(n) => format!("n{}", n.value.normalize()),
                Value::Text(t) => format!("t{t}"),
                Value::Bool(b) => format!("b{b}"),
                Value::List(_) => continue,
            };
            match seen.get(&key) {
                Some(&first) => duplicates.extend([first, i]),
                None => {
                    seen.insert(key, i);
                }
            }
        }
        if self.trace.is_some() {
            let mut labelled = std::collections::HashSet::new();
            for i in duplicates.iter().copied() {
                if labelled.insert(i)
                    && let Value::Node(node, place) = &items[i]
                {
                    self.trace_value(node, place);
                }
            }
        }
        Ok(Value::Bool(duplicates.is_empty()))
    }

    /// The text argument of a text function.
    fn text_arg(&mut self, arg: &'r Expr, f: Func) -> Eval<String> {
        let v = self.value(arg)?;
        if let Value::Node(node, place) = &v {
            self.trace_value(node, place);
        }
        match self.text_like(&v) {
            Some(t) => Ok(t.into_owned()),
            None => fail(Problem::Other(format!(
                "`{}` takes a text or a code",
                f.name()
            ))),
        }
    }

    /// A whole number from 0 (`prefix`'s length).
    fn count_arg(&mut self, arg: &'r Expr) -> Eval<usize> {
        let v = self.value(arg)?;
        let n = self.num(v)?;
        Some(n.value)
            .filter(|d| d.fract().is_zero() && !d.is_sign_negative())
            .and_then(|d| usize::try_from(d).ok())
            .ok_or_else(|| {
                Box::new(Problem::Other(format!(
                    "{} is not a whole number from 0",
                    number::display(n.value)
                )))
            })
    }

    /// Collects the numbers of a value, descending into lists (and list nodes).
    fn flatten(&mut self, v: Value<'d>, out: &mut Vec<Num>) -> Eval<()> {
        match v {
            Value::List(items) => items.into_iter().try_for_each(|i| self.flatten(i, out)),
            Value::Node(node, place) if matches!(node.kind, NodeKind::List(_)) => {
                let NodeKind::List(items) = &node.kind else {
                    unreachable!("flatten: checked above")
                };
                items.iter().enumerate().try_for_each(|(i, item)| {
                    self.flatten(Value::Node(item, place.child_index(i, self.paths)), out)
                })
            }
            other => {
                out.push(self.num(other)?);
                Ok(())
            }
        }
    }

    /// Resolves a path: a variable or the dataset (or `prior.`), then each segment.
    fn path(&mut self, p: &'r Path) -> Eval<Value<'d>> {
        let tracing = self.paths;
        let at = self.variable_of(p);
        let bound = at.and_then(|i| self.vars.get(i));
        let (start, mut segments) = match bound.map(|(_, b)| b) {
            Some(&Binding::Item(_, Some(origin))) if tracing => {
                (self.item_with_path(origin)?, p.segments.as_slice())
            }
            // The usual step from a loop item (`row.amount`) reads the item where it is bound:
            // copying the binding cost more than the step.
            Some(Binding::Item(Value::Node(node, place), _)) => match p.segments.split_first() {
                Some((Segment::Key(k), rest)) => (self.step_node_key(node, place, k, false)?, rest),
                _ => (Value::Node(node, place.clone()), p.segments.as_slice()),
            },
            Some(Binding::Item(v, _)) => (v.clone(), p.segments.as_slice()),
            Some(&Binding::Let(_, _, Some(n))) if !tracing => {
                (Value::Num(n), p.segments.as_slice())
            }
            Some(&Binding::Let(expr, seen, _)) => {
                let saved = self.visible.replace(seen);
                let v = self.value(expr);
                self.visible = saved;
                // Only a number is kept: a condition's truth depends on where it is read
                // (`when` reads `<` strictly), and a traced use must reach the data.
                if let (Ok(Value::Num(n)), false, Some(i)) = (&v, tracing, at)
                    && let Some((_, Binding::Let(.., kept))) = self.vars.get_mut(i)
                {
                    *kept = Some(*n);
                }
                (v?, p.segments.as_slice())
            }
            None if p.root == PRIOR => {
                let Some(prior) = self.prior else {
                    return fail(Problem::Other("there is no prior-year dataset".into()));
                };
                let place = Place {
                    prior: true,
                    path: tracing.then(|| Arc::from(PRIOR)),
                    index: None,
                    key: None,
                };
                (Value::Node(prior.root, place), p.segments.as_slice())
            }
            None => return self.dataset_path(p),
        };
        let mut value = start;
        while let Some((seg, rest)) = segments.split_first() {
            value = match seg {
                Segment::Key(k) => self.step_key(value, k, false)?,
                Segment::Index(i) => self.step_index(value, *i)?,
            };
            segments = rest;
        }
        Ok(value)
    }

    /// Where on the variable stack the variable that `p` starts from is: none when `p` reads
    /// the dataset (or `prior`).
    fn variable_of(&self, p: &Path) -> Option<usize> {
        let visible = self.visible.unwrap_or(self.vars.len());
        let at = match p.scope {
            Scope::Variable(i) if (i as usize) < visible => Some(i as usize),
            Scope::Dataset => None,
            _ => self.vars[..visible].iter().rposition(|(n, _)| *n == p.root),
        };
        debug_assert!(
            at.and_then(|i| self.vars.get(i))
                .is_none_or(|(n, _)| *n == p.root),
            "{} bound wrongly",
            p.root
        );
        at
    }

    /// Resolves a path from the dataset's root (its root name is the first key), through the
    /// cache when data paths are off: the cache keeps nodes, not the paths' text.
    fn dataset_path(&mut self, p: &'r Path) -> Eval<Value<'d>> {
        let slot = p.slot.filter(|_| !self.paths);
        if let Some(slot) = slot {
            let known = match self.cache.get(slot) {
                Slot::Unknown => {
                    let followed = self.follow_nodes(p);
                    self.cache.set(slot, followed);
                    followed
                }
                known => known,
            };
            match known {
                Slot::Found(node, key) => {
                    let place = Place {
                        key,
                        ..Place::default()
                    };
                    return Ok(Value::Node(node, place));
                }
                Slot::Missing(at) => return fail(Problem::missing_untold(at)),
                Slot::Steps | Slot::Unknown => {}
            }
        }
        let value = self.step_from_root(p);
        if let Some(slot) = slot {
            match &value {
                Ok(Value::Node(node, place)) => self.cache.set(slot, Slot::Found(node, place.key)),
                Err(p) => {
                    if let Problem::Missing { at, .. } = **p {
                        self.cache.set(slot, Slot::Missing(at));
                    }
                }
                _ => {}
            }
        }
        value
    }

    /// Follows a dataset path step by step from the root.
    fn step_from_root(&self, p: &Path) -> Eval<Value<'d>> {
        let root = Value::Node(self.data.root, Place::default());
        let mut value = self.step_key(root, &p.root, true);
        for seg in &p.segments {
            value = value.and_then(|v| match seg {
                Segment::Key(k) => self.step_key(v, k, false),
                Segment::Index(i) => self.step_index(v, *i),
            });
        }
        value
    }

    /// Follows a dataset path from node to node (a key of a mapping, an item of a list), as
    /// the steps below do without data paths but building no values: where it leads, or
    /// where it is missing (the place a finding would point at). `Steps` where those steps
    /// would do more (a path through a list gives several values) or fail otherwise.
    fn follow_nodes(&self, p: &Path) -> Slot<'d> {
        let root = self.data.root;
        let NodeKind::Map(entries) = &root.kind else {
            return Slot::Steps;
        };
        let Some(top) = find_entry(entries, &p.root) else {
            return Slot::Missing(self.key_place(root, &Place::default()));
        };
        let (mut node, mut key) = (&top.value, Some(top.key_span));
        for segment in &p.segments {
            match node.child(segment) {
                Child::Found(child, child_key) => (node, key) = (child, child_key),
                Child::Missing => {
                    let place = Place {
                        key,
                        ..Place::default()
                    };
                    return Slot::Missing(self.key_place(node, &place));
                }
                Child::NotThere => return Slot::Steps,
            }
        }
        Slot::Found(node, key)
    }

    fn step_key(&self, v: Value<'d>, key: &str, from_root: bool) -> Eval<Value<'d>> {
        match v {
            Value::Node(node, place) => self.step_node_key(node, &place, key, from_root),
            Value::List(items) => Ok(Value::List(
                items
                    .into_iter()
                    .map(|i| self.step_key(i, key, false))
                    .collect::<Eval<Vec<_>>>()?,
            )),
            _ => fail(Problem::Other(format!(
                "`.{key}` applied to a computed value"
            ))),
        }
    }

    /// `step_key` from a data node.
    fn step_node_key(
        &self,
        node: &'d Node,
        place: &Place,
        key: &str,
        from_root: bool,
    ) -> Eval<Value<'d>> {
        match &node.kind {
            NodeKind::Map(entries) => match find_entry(entries, key) {
                Some(entry) => Ok(Value::Node(
                    &entry.value,
                    place.child_key(key, entry.key_span, self.paths, from_root),
                )),
                None if !self.paths => fail(Problem::missing_untold(self.key_place(node, place))),
                None => fail(Problem::Missing {
                    path: place.join_key(key, from_root),
                    at: self.key_place(node, place),
                    parent: if from_root {
                        String::new()
                    } else {
                        place.display()
                    },
                    key: key.to_string(),
                }),
            },
            NodeKind::List(items) => {
                let values = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        self.step_key(
                            Value::Node(item, place.child_index(i, self.paths)),
                            key,
                            false,
                        )
                    })
                    .collect::<Eval<Vec<_>>>()?;
                Ok(Value::List(values))
            }
            _ => fail(Problem::WrongKind {
                path: place.display(),
                found: node.kind_name().into(),
                want: "a mapping",
                at: Some(node.span),
            }),
        }
    }

    fn step_index(&self, v: Value<'d>, index: usize) -> Eval<Value<'d>> {
        match v {
            Value::Node(node, place) => match &node.kind {
                NodeKind::List(items) => match items.get(index) {
                    Some(item) => Ok(Value::Node(item, place.child_index(index, self.paths))),
                    None if !self.paths => {
                        fail(Problem::missing_untold(self.key_place(node, &place)))
                    }
                    None => fail(Problem::Missing {
                        path: format!("{}[{index}]", place.display()),
                        at: self.key_place(node, &place),
                        parent: place.display(),
                        key: format!("item [{index}] (it has {})", items.len()),
                    }),
                },
                _ => fail(Problem::WrongKind {
                    path: place.display(),
                    found: node.kind_name().into(),
                    want: "a list",
                    at: Some(node.span),
                }),
            },
            Value::List(items) => items
                .into_iter()
                .nth(index)
                .ok_or_else(|| Box::new(Problem::Other(format!("no item [{index}]")))),
            _ => fail(Problem::Other(format!(
                "`[{index}]` applied to a computed value"
            ))),
        }
    }

    /// Where to point when something is missing under `node`: the node itself, unless it is
    /// the whole dataset (then its first line).
    fn key_place(&self, node: &Node, place: &Place) -> Span {
        match place.key {
            Some(key) => key,
            None if std::ptr::eq(node, self.data.root) => Span::new(0, 0),
            None => Span::new(node.span.start as usize, node.span.start as usize),
        }
    }
}

impl Place {
    fn display(&self) -> String {
        let base = self.path.as_deref().unwrap_or("");
        match self.index {
            None => base.to_string(),
            Some(i) => format!("{base}[{i}]"),
        }
    }

    fn join_key(&self, key: &str, from_root: bool) -> String {
        let mut s = if from_root {
            String::new()
        } else {
            self.display()
        };
        if s.is_empty() && !self.prior {
            s.push_str(key);
        } else {
            push_segment(&mut s, &Segment::Key(key.to_string()));
        }
        s
    }

    fn child_key(&self, key: &str, key_span: Span, tracing: bool, from_root: bool) -> Place {
        Place {
            key: Some(key_span),
            prior: self.prior,
            path: tracing.then(|| Arc::from(self.join_key(key, from_root))),
            index: None,
        }
    }

    fn child_index(&self, i: usize, paths: bool) -> Place {
        let path = match self.index {
            _ if !paths => None,
            // The usual case: the list was reached by a key, so its path is shared as is.
            None => self.path.clone(),
            Some(_) => Some(Arc::from(self.display())),
        };
        Place {
            key: None,
            prior: self.prior,
            path,
            index: paths.then_some(i),
        }
    }
}

/// A position or a length, as an exact number.
fn position_number(i: usize) -> Num {
    Num::exact(Decimal::from(i))
}

/// The smallest (or largest) of some numbers by value, the first of equals.
fn pick(nums: &[Num], smallest: bool) -> Option<Num> {
    let first = nums.first().copied()?;
    Some(nums.iter().copied().fold(first, |acc, n| {
        if (n.value < acc.value) == smallest && n.value != acc.value {
            n
        } else {
            acc
        }
    }))
}

fn tolerance_amount(t: Tolerance, left: Num, right: Num) -> Decimal {
    match t {
        Tolerance::Absolute(a) => a,
        Tolerance::Relative(pct) => {
            let larger = left.value.abs().max(right.value.abs());
            larger
                .checked_mul(pct)
                .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
                .unwrap_or(Decimal::MAX)
        }
    }
}

#[cfg(test)]
mod tests;
