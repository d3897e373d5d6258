//! The syntax tree of rule files. Every node keeps its span in the rule file, so that every
//! error and every finding can point at the exact place.

pub use crate::dataset::{Segment, push_segment};
use crate::number::CmpOp;
use crate::severity::Severity;
use crate::source::{SourceFile, Span};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A loop's number among the loops of its rule set, in the order they are written.
pub type LoopId = u32;

/// A rule: `rule ID SEVERITY "MESSAGE" [since Y] [until Y] { BODY }`.
#[derive(Debug, Serialize, Deserialize)]
pub struct Rule {
    /// The rule id (`FA-EXP-001`).
    #[serde(with = "crate::stored::text")]
    pub id: String,
    /// Where the id stands.
    pub id_span: Span,
    /// The severity.
    pub severity: Severity,
    /// The message, with interpolated expressions.
    pub message: Vec<MessagePart>,
    /// The message as written (for listings).
    #[serde(with = "crate::stored::text")]
    pub message_text: String,
    /// First fiscal year the rule applies to.
    pub since: Option<i64>,
    /// Last fiscal year the rule applies to.
    pub until: Option<i64>,
    /// Help text shown with each finding.
    #[serde(with = "crate::stored::opt_text")]
    pub help: Option<String>,
    /// Why the rule exists (shown by `tally explain`).
    #[serde(with = "crate::stored::opt_text")]
    pub rationale: Option<String>,
    /// The statements of the body.
    pub body: Vec<Stmt>,
    /// The whole rule.
    pub span: Span,
    /// The file it came from.
    #[serde(with = "super::prebuilt::source_by_name")]
    pub file: Arc<SourceFile>,
    /// True when the rule reads the prior-year dataset (`prior.…`).
    pub uses_prior: bool,
}

/// A piece of a rule message.
#[derive(Debug, Serialize, Deserialize)]
pub enum MessagePart {
    /// Literal text.
    Text(#[serde(with = "crate::stored::text")] String),
    /// `{expr}`: the expression's value.
    Expr(Expr),
}

/// A statement in a rule body.
#[derive(Debug, Serialize, Deserialize)]
pub enum Stmt {
    /// A check: each time it fails is a finding; with `else "…"`, its own message, which
    /// replaces the rule's for its findings.
    Check(Expr, Option<Vec<MessagePart>>),
    /// `let NAME = EXPR`.
    Let {
        /// The variable.
        #[serde(with = "crate::stored::text")]
        name: String,
        /// Its value.
        value: Expr,
    },
    /// `for NAME in EXPR { … }`, `for POS, NAME in LIST { … }` (the 0-based position) and
    /// `for KEY, NAME in MAPPING { … }` (the key's text).
    For {
        /// The loop variable: the item (or the mapping's value).
        #[serde(with = "crate::stored::text")]
        var: String,
        /// The position (or key) variable, bound before `var`.
        #[serde(with = "crate::stored::opt_text")]
        position: Option<String>,
        /// The list iterated over.
        list: Expr,
        /// The loop body.
        body: Vec<Stmt>,
        /// Its number among the rule set's loops, set when the rule set is built: the key of
        /// the evaluator's plan for it, kept apart from the syntax in
        /// [`KeyedLoops`](super::keyed_loops::KeyedLoops).
        id: LoopId,
    },
    /// `when COND { … }`.
    When {
        /// The condition.
        cond: Expr,
        /// Statements that apply when it holds.
        body: Vec<Stmt>,
    },
}

/// An expression with its span.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Expr {
    /// Where it stands in the rule file.
    pub span: Span,
    /// What it is.
    pub kind: ExprKind,
}

/// The kinds of expressions.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ExprKind {
    /// A decimal literal (exact).
    Number(#[serde(with = "crate::stored::decimal")] Decimal),
    /// A string literal.
    Text(#[serde(with = "crate::stored::text")] String),
    /// A path into the data or a variable.
    Path(Path),
    /// A built-in function call.
    Call(Func, Vec<Expr>),
    /// `-x`.
    Neg(Box<Expr>),
    /// `not x`.
    Not(Box<Expr>),
    /// Arithmetic.
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    /// A comparison, with its explicit tolerance (if any).
    Compare(CmpOp, Box<Expr>, Box<Expr>, Option<Tolerance>),
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `a ?? default`.
    Default(Box<Expr>, Box<Expr>),
    /// `if COND then A else B`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// An index that is an expression, `base[index]`, then the constant steps after it
    /// (`rows[i - 1].pct`). A whole number written as the index stays in its path instead.
    Index {
        /// What is indexed.
        base: Box<Expr>,
        /// The position, a whole number from 0.
        index: Box<Expr>,
        /// The steps after the index.
        rest: Vec<Segment>,
    },
    /// `any(x in LIST: COND)`, `all(…)`, `count(…)`, `sum(EXPR for x in LIST if COND)`,
    /// `min(…)`, `max(…)`: a variable bound over the items of a list within one expression.
    Over(Over, Box<Binder>),
}

/// What an [`ExprKind::Over`] makes of the items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Over {
    /// Whether the condition holds for some item.
    Any,
    /// Whether it holds for every item.
    All,
    /// For how many items it holds.
    Count,
    /// The sum of the expression over the items the filter keeps.
    Sum,
    /// The smallest value of it.
    Min,
    /// The largest value of it.
    Max,
}

impl Over {
    /// The function name it is written with.
    pub fn name(self) -> &'static str {
        match self {
            Over::Any => "any",
            Over::All => "all",
            Over::Count => "count",
            Over::Sum => "sum",
            Over::Min => "min",
            Over::Max => "max",
        }
    }
}

/// A variable bound over a list within an expression.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Binder {
    /// The variable.
    #[serde(with = "crate::stored::text")]
    pub var: String,
    /// Where it is written.
    pub var_span: Span,
    /// The list (evaluated outside the variable's scope; nested lists flatten, as in `for`).
    pub list: Expr,
    /// The condition (`any`, `all`, `count`) or the value (`sum`, `min`, `max`).
    pub body: Expr,
    /// `if COND` of an aggregate: only the items for which it holds.
    pub filter: Option<Expr>,
}

/// `+ - * /`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// `within 0.01` or `within 0.5%`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tolerance {
    /// An absolute amount.
    Absolute(#[serde(with = "crate::stored::decimal")] Decimal),
    /// A percentage of the larger side.
    Relative(#[serde(with = "crate::stored::decimal")] Decimal),
}

/// A path: a root name followed by keys and indexes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Path {
    /// The first name: a variable or a top-level key of the dataset.
    #[serde(with = "crate::stored::text")]
    pub root: String,
    /// Where the root name stands.
    pub root_span: Span,
    /// The rest of the path.
    pub segments: Vec<Segment>,
    /// Its number among the distinct paths of the rule set (see [`super::path_slots`]).
    pub slot: Option<u32>,
    /// What the root name names, when known before evaluation (see [`super::path_slots`]).
    pub scope: Scope,
}

/// What a path's root name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Scope {
    /// Not worked out: the evaluator looks the name up among the variables in scope.
    #[default]
    Unresolved,
    /// The variable at this position of the evaluator's variable stack (`for` and `let`
    /// names, outermost first).
    Variable(u32),
    /// No variable: a top-level key of the dataset (or `prior`).
    Dataset,
}

impl Path {
    /// The path as written, e.g. `a.b[0]`.
    pub fn display(&self) -> String {
        let mut s = self.root.clone();
        for seg in &self.segments {
            push_segment(&mut s, seg);
        }
        s
    }
}

/// The built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Func {
    /// `sum(values…)`: lists are flattened.
    Sum,
    /// `count(list)`.
    Count,
    /// `min(values…)`.
    Min,
    /// `max(values…)`.
    Max,
    /// `abs(x)`.
    Abs,
    /// `round(x, digits)`.
    Round,
    /// `exists(path)`.
    Exists,
    /// `unique(list)`: no two values are equal.
    Unique,
    /// `len(text)`: the number of characters.
    Len,
    /// `starts_with(text, prefix)`.
    StartsWith,
    /// `prefix(text, n)`: the first `n` characters.
    Prefix,
    /// `parent(code)`: the code of the 类 or 款 above a 科目编码 (`""` for a 类).
    Parent,
    /// `any(x in LIST: COND)` (only in that form).
    Any,
    /// `all(x in LIST: COND)` (only in that form).
    All,
    /// `sign(word)`: 1, -1 or 0 for a direction word of the pack's vocabulary (增加, 下降,
    /// 持平 …); a word the vocabulary does not know makes the check not applicable.
    Sign,
}

impl Func {
    /// Every function, for "did you mean" and the reference.
    pub const ALL: [Func; 15] = [
        Func::Sum,
        Func::Count,
        Func::Min,
        Func::Max,
        Func::Abs,
        Func::Round,
        Func::Exists,
        Func::Unique,
        Func::Len,
        Func::StartsWith,
        Func::Prefix,
        Func::Parent,
        Func::Any,
        Func::All,
        Func::Sign,
    ];

    /// The name as written in rules.
    pub fn name(self) -> &'static str {
        match self {
            Func::Sum => "sum",
            Func::Count => "count",
            Func::Min => "min",
            Func::Max => "max",
            Func::Abs => "abs",
            Func::Round => "round",
            Func::Exists => "exists",
            Func::Unique => "unique",
            Func::Len => "len",
            Func::StartsWith => "starts_with",
            Func::Prefix => "prefix",
            Func::Parent => "parent",
            Func::Any => "any",
            Func::All => "all",
            Func::Sign => "sign",
        }
    }

    /// The function of that name.
    pub fn from_name(name: &str) -> Option<Func> {
        Func::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What it makes of `x in LIST: …` or `… for x in LIST`, if it takes that form.
    pub fn over(self) -> Option<Over> {
        Some(match self {
            Func::Any => Over::Any,
            Func::All => Over::All,
            Func::Count => Over::Count,
            Func::Sum => Over::Sum,
            Func::Min => Over::Min,
            Func::Max => Over::Max,
            _ => return None,
        })
    }

    /// Allowed numbers of arguments: (min, max).
    pub fn arity(self) -> (usize, usize) {
        match self {
            Func::Sum | Func::Min | Func::Max => (1, usize::MAX),
            Func::Count
            | Func::Abs
            | Func::Exists
            | Func::Unique
            | Func::Len
            | Func::Parent
            | Func::Sign => (1, 1),
            Func::Round | Func::StartsWith | Func::Prefix => (2, 2),
            Func::Any | Func::All => (1, 1),
        }
    }
}
