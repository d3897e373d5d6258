//! Parsing rule files: the pest grammar in `grammar/tally.pest`, lowered to the AST in
//! `ast.rs`. Errors are collected, not thrown: after a syntax error the parser resumes at the
//! next `rule`, so an author sees every problem of a file at once.

use crate::number::CmpOp;
use crate::rules::ast::{
    ArithOp, Binder, Expr, ExprKind, Func, MessagePart, Over, Path, Rule, Scope, Segment, Stmt,
    Tolerance,
};
use crate::rules::layout::{closest, did_you_mean};
use crate::rules::rule_error::RuleError;
use crate::severity::Severity;
use crate::source::{SourceFile, Span};
use pest::Parser as _;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

mod grammar {
    /// The pest parser generated from `grammar/tally.pest`.
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/tally.pest"]
    pub struct Grammar;
}
use grammar::{Grammar, Rule as G};

/// Deepest nesting of brackets accepted: pest parses recursively, so a file of ten thousand
/// `(` would overflow the stack before it could report anything.
const MAX_NESTING: usize = 100;

/// Most operators in one expression, counting those of the expressions around it: each is a
/// level of the tree that the checks and the evaluator walk recursively, and pest's Pratt
/// parser recurses on each prefix operator (`not not not … a`). A real check has a dozen.
const MAX_OPERATORS: usize = 100;

static PRATT: LazyLock<PrattParser<G>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(G::or, Assoc::Left))
        .op(Op::infix(G::and, Assoc::Left))
        .op(Op::prefix(G::not))
        .op(Op::postfix(G::within))
        .op(Op::infix(G::eq, Assoc::Left)
            | Op::infix(G::ne, Assoc::Left)
            | Op::infix(G::lt, Assoc::Left)
            | Op::infix(G::le, Assoc::Left)
            | Op::infix(G::gt, Assoc::Left)
            | Op::infix(G::ge, Assoc::Left))
        .op(Op::infix(G::add, Assoc::Left) | Op::infix(G::sub, Assoc::Left))
        .op(Op::infix(G::mul, Assoc::Left) | Op::infix(G::div, Assoc::Left))
        .op(Op::prefix(G::neg))
        .op(Op::infix(G::coalesce, Assoc::Left))
});

/// Parses one rule file into its rules, with every error found.
pub fn parse_file(file: &Arc<SourceFile>) -> (Vec<Rule>, Vec<RuleError>) {
    let mut lower = Lower {
        file: file.clone(),
        errors: Vec::new(),
        base: 0,
        operators: 0,
    };
    if let Some(at) = too_deep(&file.text) {
        lower.error(
            Span::new(at, at + 1),
            format!("brackets are nested more than {MAX_NESTING} levels deep"),
        );
        return (Vec::new(), lower.errors);
    }
    let mut rules = Vec::new();
    let mut offset = 0;
    loop {
        let rest = &file.text[offset..];
        lower.base = offset;
        match Grammar::parse(G::file, rest) {
            Ok(mut pairs) => {
                let file_pair = pairs.next().expect("file");
                rules.extend(lower.rules(file_pair.into_inner()));
                break;
            }
            Err(err) => {
                let at = offset + error_offset(&err);
                // Keep the rules before the one with the error, then resume at the next rule.
                let cut = prev_rule_start(&file.text, offset, at);
                let good = &file.text[offset..cut];
                if let Ok(mut pairs) = Grammar::parse(G::file, good) {
                    rules.extend(lower.rules(pairs.next().expect("file").into_inner()));
                }
                lower.errors.push(syntax_error(file, at, &err));
                match next_rule_start(&file.text, at + 1) {
                    Some(next) => offset = next,
                    None => break,
                }
            }
        }
    }
    (rules, lower.errors)
}

/// Parses a standalone expression (used for message interpolation).
fn parse_expr(text: &str) -> Result<Pairs<'_, G>, pest::error::Error<G>> {
    Grammar::parse(G::expr_only, text)
}

/// Lowers pest pairs to the AST, collecting errors.
struct Lower {
    file: Arc<SourceFile>,
    errors: Vec<RuleError>,
    /// Byte offset of the text being parsed within the file.
    base: usize,
    /// Operators of the expressions being lowered, from the outermost in.
    operators: usize,
}

impl Lower {
    fn span(&self, pair: &Pair<'_, G>) -> Span {
        let s = pair.as_span();
        // Implicit whitespace after the last token belongs to no construct.
        let trailing = s.as_str().len() - s.as_str().trim_end().len();
        Span::new(self.base + s.start(), self.base + s.end() - trailing)
    }

    fn error(&mut self, span: Span, message: impl Into<String>) {
        self.errors
            .push(RuleError::new(&self.file, span, message.into()));
    }

    fn rules(&mut self, pairs: Pairs<'_, G>) -> Vec<Rule> {
        pairs
            .filter(|p| p.as_rule() == G::rule_def)
            .filter_map(|p| self.rule(p))
            .collect()
    }

    fn rule(&mut self, pair: Pair<'_, G>) -> Option<Rule> {
        let span = self.span(&pair);
        let mut inner = pair.into_inner().filter(|p| p.as_rule() != G::kw_rule);
        let id = inner.next().expect("rule id");
        let sev = inner.next().expect("severity");
        let message = inner.next().expect("message");
        let severity = Severity::from_name(sev.as_str());
        if severity.is_none() {
            let span = self.span(&sev);
            self.error(
                span,
                format!(
                    "unknown severity `{}`: expected `error`, `warning` or `info`",
                    sev.as_str()
                ),
            );
        }
        let message_text = message.as_str().trim_matches('"').to_string();
        let message_parts = self.message(message);
        let mut rule = Rule {
            id: id.as_str().to_string(),
            id_span: self.span(&id),
            severity: severity.unwrap_or(Severity::Error),
            message: message_parts,
            message_text,
            since: None,
            until: None,
            help: None,
            rationale: None,
            body: Vec::new(),
            span,
            file: self.file.clone(),
            uses_prior: false,
        };
        let mut until_span = None;
        for p in inner {
            match p.as_rule() {
                G::year_bound => {
                    if p.as_str().starts_with("until") {
                        until_span = Some(self.span(&p));
                    }
                    self.year_bound(&mut rule, p)
                }
                G::block => rule.body = self.block(&mut rule, p),
                other => unreachable!("rule: unexpected {other:?}"),
            }
        }
        if let (Some(since), Some(until), Some(at)) = (rule.since, rule.until, until_span)
            && since > until
        {
            self.error(
                at,
                format!(
                    "`until {until}` is before `since {since}`: the rule would apply to no year"
                ),
            );
        }
        severity.map(|_| rule)
    }

    fn year_bound(&mut self, rule: &mut Rule, pair: Pair<'_, G>) {
        let mut inner = pair.into_inner();
        let kw = inner.next().expect("keyword");
        let year_pair = inner.next().expect("year");
        let Ok(year) = year_pair.as_str().parse::<i64>() else {
            let span = self.span(&year_pair);
            self.error(span, "a fiscal year must be a whole number like 2021");
            return;
        };
        match kw.as_rule() {
            G::kw_since => rule.since = Some(year),
            G::kw_until => rule.until = Some(year),
            other => unreachable!("year_bound: unexpected {other:?}"),
        }
    }

    fn block(&mut self, rule: &mut Rule, pair: Pair<'_, G>) -> Vec<Stmt> {
        let mut stmts = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                G::help_stmt => rule.help = Some(self.string_of(p)),
                G::rationale_stmt => rule.rationale = Some(self.string_of(p)),
                G::let_stmt => {
                    let mut inner = p.into_inner().skip(1);
                    let name = inner.next().expect("name").as_str().to_string();
                    let value = self.expr(inner.next().expect("value"));
                    stmts.push(Stmt::Let { name, value });
                }
                G::for_stmt => {
                    let inner: Vec<Pair<'_, G>> = p
                        .into_inner()
                        .filter(|p| !matches!(p.as_rule(), G::kw_for | G::kw_in))
                        .collect();
                    let names: Vec<String> = inner
                        .iter()
                        .take_while(|p| p.as_rule() == G::ident)
                        .map(|p| p.as_str().to_string())
                        .collect();
                    let mut rest = inner.into_iter().skip(names.len());
                    let list = self.expr(rest.next().expect("list"));
                    let body = self.block(rule, rest.next().expect("body"));
                    let (position, var) = match <[String; 2]>::try_from(names) {
                        Ok([position, var]) => (Some(position), var),
                        Err(mut one) => (None, one.pop().expect("var")),
                    };
                    stmts.push(Stmt::For {
                        var,
                        position,
                        list,
                        body,
                        id: 0,
                    });
                }
                G::when_stmt => {
                    let mut inner = p.into_inner().skip(1);
                    let cond = self.expr(inner.next().expect("cond"));
                    let body = self.block(rule, inner.next().expect("body"));
                    stmts.push(Stmt::When { cond, body });
                }
                G::check => {
                    let mut inner = p.into_inner();
                    let errors = self.errors.len();
                    let expr = self.expr(inner.next().expect("expr"));
                    // (An expression with errors is not judged as a check too.)
                    if self.errors.len() == errors {
                        self.check_is_condition(&expr);
                    }
                    let message = inner.next().map(|m| {
                        let message = m.into_inner().nth(1).expect("message");
                        self.message(message)
                    });
                    stmts.push(Stmt::Check(expr, message));
                }
                other => unreachable!("block: unexpected {other:?}"),
            }
        }
        stmts
    }

    /// The text of the string literal inside `help "…"` or `rationale "…"`.
    fn string_of(&mut self, pair: Pair<'_, G>) -> String {
        let lit = pair.into_inner().nth(1).expect("string");
        unescape(lit.into_inner().next().expect("inner").as_str())
    }

    fn message(&mut self, pair: Pair<'_, G>) -> Vec<MessagePart> {
        let inner = pair.into_inner().next().expect("string_inner");
        let start = self.base + inner.as_span().start();
        let text = inner.as_str();
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        let mut pos = 0;
        while let Some(open) = rest.find('{') {
            literal.push_str(&unescape(&rest[..open]));
            if rest[open..].starts_with("{{") {
                literal.push('{');
                rest = &rest[open + 2..];
                pos += open + 2;
                continue;
            }
            let Some(close) = rest[open..].find('}') else {
                let at = start + pos + open;
                self.error(
                    Span::new(at, at + 1),
                    "`{` in a message is never closed by `}`",
                );
                break;
            };
            if !literal.is_empty() {
                parts.push(MessagePart::Text(std::mem::take(&mut literal)));
            }
            let expr_text = &rest[open + 1..open + close];
            let expr_base = start + pos + open + 1;
            match parse_expr(expr_text) {
                Ok(mut pairs) => {
                    let saved = self.base;
                    self.base = expr_base;
                    let expr_pair = pairs.next().expect("expr_only").into_inner().next();
                    parts.push(MessagePart::Expr(self.expr(expr_pair.expect("expr"))));
                    self.base = saved;
                }
                Err(err) => {
                    let at = expr_base + error_offset(&err);
                    self.errors.push(syntax_error(&self.file, at, &err));
                }
            }
            rest = &rest[open + close + 1..];
            pos += open + close + 1;
        }
        literal.push_str(&unescape(rest).replace("}}", "}"));
        if !literal.is_empty() {
            parts.push(MessagePart::Text(literal));
        }
        parts
    }

    fn expr(&mut self, pair: Pair<'_, G>) -> Expr {
        let span = self.span(&pair);
        let pairs: Vec<Pair<'_, G>> = pair.into_inner().collect();
        let operators = pairs.iter().filter(|p| !is_operand(p.as_rule())).count();
        if self.operators + operators > MAX_OPERATORS {
            self.error(
                span,
                format!(
                    "this expression has more than {MAX_OPERATORS} operators; \
                     split it with `let`, or add lists up with `sum(…)`"
                ),
            );
            return Expr {
                span,
                kind: ExprKind::Number(Decimal::ZERO),
            };
        }
        self.operators += operators;
        let expr = self.pratt(pairs);
        self.operators -= operators;
        Expr { span, ..expr }
    }

    fn pratt(&mut self, pairs: Vec<Pair<'_, G>>) -> Expr {
        // The Pratt parser's closures all need `self`; a RefCell-free way is to lower
        // operands first and let the closures only combine.
        let me = std::cell::RefCell::new(self);
        PRATT
            .map_primary(|p| me.borrow_mut().primary(p))
            .map_prefix(|op, rhs| {
                let span = join(me.borrow().span(&op), rhs.span);
                let kind = match op.as_rule() {
                    G::neg => ExprKind::Neg(Box::new(rhs)),
                    G::not => ExprKind::Not(Box::new(rhs)),
                    other => unreachable!("prefix: unexpected {other:?}"),
                };
                Expr { span, kind }
            })
            .map_postfix(|lhs, op| me.borrow_mut().within(lhs, op))
            .map_infix(|lhs, op, rhs| me.borrow_mut().infix(lhs, op, rhs))
            .parse(pairs.into_iter())
    }

    fn primary(&mut self, pair: Pair<'_, G>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            G::number => match Decimal::from_str(pair.as_str()) {
                Ok(d) => ExprKind::Number(d),
                Err(_) => {
                    self.error(span, "this number is beyond the range of exact decimals");
                    ExprKind::Number(Decimal::ZERO)
                }
            },
            G::string => {
                ExprKind::Text(unescape(pair.into_inner().next().expect("inner").as_str()))
            }
            G::path => return self.path(pair),
            G::call => return self.call(pair),
            G::if_expr => {
                let mut parts = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == G::expr)
                    .map(|p| Box::new(self.expr(p)));
                let (c, a, b) = (parts.next(), parts.next(), parts.next());
                ExprKind::If(c.expect("cond"), a.expect("then"), b.expect("else"))
            }
            G::expr => return self.expr(pair),
            other => unreachable!("primary: unexpected {other:?}"),
        };
        Expr { span, kind }
    }

    /// A path; an index that is not a whole number written out (`rows[i - 1]`) makes the path
    /// up to it the base of an [`ExprKind::Index`], and the steps after it its `rest`.
    fn path(&mut self, pair: Pair<'_, G>) -> Expr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let root = inner.next().expect("root");
        let root_span = self.span(&root);
        let mut expr = Expr {
            span: root_span,
            kind: ExprKind::Path(Path {
                root: root.as_str().to_string(),
                root_span,
                segments: Vec::new(),
                slot: None,
                scope: Scope::Unresolved,
            }),
        };
        for seg in inner {
            let end = self.span(&seg).end;
            let step = match seg.as_rule() {
                G::ident => Segment::Key(seg.as_str().to_string()),
                G::string => {
                    Segment::Key(unescape(seg.into_inner().next().expect("inner").as_str()))
                }
                G::index => {
                    let index = self.expr(seg.into_inner().next().expect("expr"));
                    match &index.kind {
                        ExprKind::Number(d) if d.fract().is_zero() => match usize::try_from(*d) {
                            Ok(i) => Segment::Index(i),
                            Err(_) => {
                                self.error(index.span, "this index is too large");
                                continue;
                            }
                        },
                        ExprKind::Number(_) | ExprKind::Text(_) => {
                            self.error(
                                index.span,
                                "an index is a whole number from 0, or an expression giving one",
                            );
                            continue;
                        }
                        _ => {
                            let start = expr.span.start;
                            expr = Expr {
                                span: Span::new(start as usize, end as usize),
                                kind: ExprKind::Index {
                                    base: Box::new(expr),
                                    index: Box::new(index),
                                    rest: Vec::new(),
                                },
                            };
                            continue;
                        }
                    }
                }
                other => unreachable!("path: unexpected {other:?}"),
            };
            match &mut expr.kind {
                ExprKind::Path(p) => p.segments.push(step),
                ExprKind::Index { rest, .. } => rest.push(step),
                _ => unreachable!("path: a path or an index"),
            }
            expr.span = Span::new(expr.span.start as usize, end as usize);
        }
        expr.span = span;
        expr
    }

    /// A check must be a condition: a number, a text or an arithmetic result on its own is a
    /// mistake (most often a mistyped keyword or a missing comparison).
    fn check_is_condition(&mut self, e: &Expr) {
        let what = match &e.kind {
            ExprKind::Number(_) => "a number",
            ExprKind::Text(_) => "a text",
            ExprKind::Arith(..) | ExprKind::Neg(_) => "an amount",
            ExprKind::Over(Over::Sum | Over::Min | Over::Max | Over::Count, _) => "an amount",
            ExprKind::Call(f, _) => match f {
                Func::Exists | Func::Unique | Func::StartsWith | Func::Any | Func::All => return,
                Func::Prefix | Func::Parent => "a text",
                _ => "an amount",
            },
            _ => return,
        };
        self.error(
            e.span,
            format!(
                "this check is {what}, not a condition: compare it (`… = …`, `… >= 0`) or test \
                 it (`exists(…)`)"
            ),
        );
    }

    fn call(&mut self, pair: Pair<'_, G>) -> Expr {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let name = inner.next().expect("name");
        let name_span = self.span(&name);
        let func = Func::from_name(name.as_str());
        let mut args = Vec::new();
        for p in inner {
            match p.as_rule() {
                G::quantifier | G::comprehension => {
                    return self
                        .over(func, name.as_str(), span, p, &mut args)
                        .unwrap_or(Expr {
                            span,
                            kind: ExprKind::Number(Decimal::ZERO),
                        });
                }
                _ => args.push(self.expr(p)),
            }
        }
        let Some(func) = func else {
            self.unknown_function(name.as_str(), name_span);
            return Expr {
                span,
                kind: ExprKind::Call(Func::Sum, args),
            };
        };
        let (min, max) = func.arity();
        if args.len() < min || args.len() > max {
            let wanted = match (min, max) {
                (a, b) if a == b => format!("{a} argument{}", if a == 1 { "" } else { "s" }),
                (a, _) => format!("at least {a} argument{}", if a == 1 { "" } else { "s" }),
            };
            self.error(
                span,
                format!(
                    "`{}` takes {wanted}, but {} {} given",
                    func.name(),
                    args.len(),
                    if args.len() == 1 { "was" } else { "were" }
                ),
            );
        }
        self.check_args(func, &args);
        Expr {
            span,
            kind: ExprKind::Call(func, args),
        }
    }

    fn unknown_function(&mut self, name: &str, at: Span) {
        let names: Vec<&str> = Func::ALL.iter().map(|f| f.name()).collect();
        let hint = did_you_mean(name, names.iter().copied());
        self.error(
            at,
            format!(
                "unknown function `{name}`{hint}: the functions are {}",
                names.join(", ")
            ),
        );
    }

    /// `any(x in LIST: COND)` and the like (`pair` a quantifier), or `sum(EXPR for x in LIST
    /// if COND)` and the like (`pair` a comprehension, `args` holding EXPR).
    fn over(
        &mut self,
        func: Option<Func>,
        name: &str,
        span: Span,
        pair: Pair<'_, G>,
        args: &mut Vec<Expr>,
    ) -> Option<Expr> {
        let quantifier = pair.as_rule() == G::quantifier;
        let mut inner = pair
            .into_inner()
            .filter(|p| !matches!(p.as_rule(), G::kw_for | G::kw_in | G::kw_if));
        let var = inner.next().expect("var");
        let var_span = self.span(&var);
        let list = self.expr(inner.next().expect("list"));
        let second = inner.next().map(|p| self.expr(p));
        let (body, filter) = if quantifier {
            (second.expect("condition"), None)
        } else {
            (args.pop().expect("value"), second)
        };
        let over = func.and_then(Func::over).filter(|o| {
            // The quantifiers take a condition; the aggregates a value (`count` either).
            quantifier == matches!(o, Over::Any | Over::All | Over::Count) || *o == Over::Count
        });
        let Some(over) = over else {
            let message = match (quantifier, func.and_then(Func::over)) {
                (true, Some(_)) => format!(
                    "`{name}` takes `VALUE for x in LIST if CONDITION`; `x in LIST: CONDITION` \
                     is for `any`, `all` and `count`"
                ),
                (false, Some(_)) => format!(
                    "`{name}` takes `x in LIST: CONDITION`; `VALUE for x in LIST` is for `sum`, \
                     `min` and `max`"
                ),
                (true, None) => format!(
                    "`{name}` does not take `x in LIST: CONDITION` (`any`, `all` and `count` do)"
                ),
                (false, None) => format!(
                    "`{name}` does not take `VALUE for x in LIST` (`sum`, `min` and `max` do)"
                ),
            };
            if func.is_some() {
                self.error(span, message);
            } else {
                self.unknown_function(name, name_span_of(span, name));
            }
            return None;
        };
        if over == Over::Count && !quantifier {
            self.error(
                span,
                "`count` takes `x in LIST: CONDITION`, like `count(r in rows: r.amount > 0)`",
            );
            return None;
        }
        let binder = Binder {
            var: var.as_str().to_string(),
            var_span,
            list,
            body,
            filter,
        };
        Some(Expr {
            span,
            kind: ExprKind::Over(over, Box::new(binder)),
        })
    }

    fn check_args(&mut self, func: Func, args: &[Expr]) {
        match func {
            Func::Any | Func::All => self.error(
                args.first().map_or(Span::new(0, 0), |a| a.span),
                format!(
                    "`{0}` takes `x in LIST: CONDITION`, like `{0}(r in rows: r.amount >= 0)`",
                    func.name()
                ),
            ),
            Func::Exists => {
                if let Some(arg) = args.first()
                    && !matches!(arg.kind, ExprKind::Path(_))
                {
                    self.error(arg.span, "`exists` takes a path, like `exists(a.b)`");
                }
            }
            Func::Round => {
                if let Some(digits) = args.get(1) {
                    let ok = matches!(&digits.kind, ExprKind::Number(d)
                        if d.fract().is_zero() && *d <= Decimal::from(28));
                    if !ok {
                        self.error(
                            digits.span,
                            "`round` takes a whole number of digits from 0 to 28",
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn within(&mut self, lhs: Expr, op: Pair<'_, G>) -> Expr {
        let span = join(lhs.span, self.span(&op));
        let mut inner = op.into_inner().skip(1);
        let amount = inner.next().expect("number");
        let relative = inner.next().is_some();
        let value = Decimal::from_str(amount.as_str()).unwrap_or_else(|_| {
            let at = self.span(&amount);
            self.error(at, "this tolerance is beyond the range of exact decimals");
            Decimal::ZERO
        });
        let tol = if relative {
            Tolerance::Relative(value)
        } else {
            Tolerance::Absolute(value)
        };
        match lhs.kind {
            ExprKind::Compare(op, l, r, None) => Expr {
                span,
                kind: ExprKind::Compare(op, l, r, Some(tol)),
            },
            kind => {
                self.error(
                    span,
                    "`within` applies to a comparison, like `a = b within 0.01`",
                );
                Expr { span, kind }
            }
        }
    }

    fn infix(&mut self, lhs: Expr, op: Pair<'_, G>, rhs: Expr) -> Expr {
        let span = join(lhs.span, rhs.span);
        let (l, r) = (Box::new(lhs), Box::new(rhs));
        let cmp = |c| ExprKind::Compare(c, l.clone(), r.clone(), None);
        let kind = match op.as_rule() {
            G::or => ExprKind::Or(l, r),
            G::and => ExprKind::And(l, r),
            G::eq => cmp(CmpOp::Eq),
            G::ne => cmp(CmpOp::Ne),
            G::lt => cmp(CmpOp::Lt),
            G::le => cmp(CmpOp::Le),
            G::gt => cmp(CmpOp::Gt),
            G::ge => cmp(CmpOp::Ge),
            G::add => ExprKind::Arith(ArithOp::Add, l, r),
            G::sub => ExprKind::Arith(ArithOp::Sub, l, r),
            G::mul => ExprKind::Arith(ArithOp::Mul, l, r),
            G::div => ExprKind::Arith(ArithOp::Div, l, r),
            G::coalesce => ExprKind::Default(l, r),
            other => unreachable!("infix: unexpected {other:?}"),
        };
        if let ExprKind::Compare(_, l, _, _) = &kind
            && matches!(l.kind, ExprKind::Compare(..))
        {
            self.error(
                span,
                "comparisons cannot be chained; write `a = b and b = c`",
            );
        }
        Expr { span, kind }
    }
}

/// Where a call's function name stands: the start of the call.
fn name_span_of(call: Span, name: &str) -> Span {
    Span::new(call.start as usize, call.start as usize + name.len())
}

/// True for the operands of an expression (everything else in its flat sequence is an operator).
fn is_operand(rule: G) -> bool {
    matches!(rule, G::number | G::string | G::call | G::path | G::expr)
}

fn join(a: Span, b: Span) -> Span {
    Span {
        start: a.start.min(b.start),
        end: a.end.max(b.end),
    }
}

/// Resolves `\"`, `\\`, `\n`, `\t` and `\{` in a string literal.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Byte offset of a pest error within the text parsed.
fn error_offset(err: &pest::error::Error<G>) -> usize {
    match err.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    }
}

/// The start of the last line that begins with `rule` in `from..=at` (or `from`).
fn prev_rule_start(text: &str, from: usize, at: usize) -> usize {
    let mut best = from;
    let mut pos = from;
    while pos <= at {
        let line = &text[pos..];
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.starts_with("rule ") || trimmed.starts_with("rule\t") {
            best = pos;
        }
        match line.find('\n') {
            Some(n) => pos += n + 1,
            None => break,
        }
    }
    best
}

/// The start of the next line that begins with `rule`, at or after `from`.
fn next_rule_start(text: &str, from: usize) -> Option<usize> {
    let mut pos = text.get(from..)?.find('\n')? + from + 1;
    loop {
        let line = &text[pos..];
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.starts_with("rule ") || trimmed.starts_with("rule\t") {
            return Some(pos + (line.len() - trimmed.len()));
        }
        pos += line.find('\n')? + 1;
    }
}

/// Finds the first place where brackets nest deeper than [`MAX_NESTING`], skipping strings
/// and comments.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if in_comment => in_comment = c != '\n',
            _ if in_string => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == '"' || c == '\n' {
                    in_string = false;
                }
            }
            '#' => in_comment = true,
            '"' => in_string = true,
            '(' | '[' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The keywords of the language, for "did you mean".
const KEYWORDS: [&str; 16] = [
    "rule",
    "for",
    "in",
    "when",
    "let",
    "help",
    "rationale",
    "within",
    "and",
    "or",
    "not",
    "since",
    "until",
    "if",
    "then",
    "else",
];

/// A mistyped keyword near a syntax error at `at`: the word there (`sinse 2021`), or the word
/// that starts its line (`wen x > 0 {`, where `wen` read as a check of its own and the error
/// comes only at `{`), when it is not a keyword but close to one.
fn mistyped_keyword(text: &str, at: usize) -> Option<(Span, String)> {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let word_at = |from: usize| {
        let rest = &text[from..];
        let len = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(rest.len(), |(i, _)| i);
        (from, &rest[..len])
    };
    let indent = text[line_start..].len() - text[line_start..].trim_start().len();
    for (start, word) in [word_at(at), word_at(line_start + indent)] {
        if word.is_empty() || KEYWORDS.contains(&word) || !word.is_ascii() {
            continue;
        }
        // A word followed by another word on its line cannot be a check: `wen x`.
        let after = text[start + word.len()..].split('\n').next().unwrap_or("");
        let next_is_word = after
            .trim_start()
            .starts_with(|c: char| c.is_alphanumeric() || c == '_');
        if let Some(keyword) = closest(word, KEYWORDS.into_iter())
            && (next_is_word || start == at)
        {
            let span = Span::new(start, start + word.len());
            return Some((
                span,
                format!("unknown keyword `{word}` (did you mean `{keyword}`?)"),
            ));
        }
    }
    None
}

/// A syntax error in plain words: what was expected at the place, never pest's rule names.
fn syntax_error(file: &Arc<SourceFile>, at: usize, err: &pest::error::Error<G>) -> RuleError {
    if let Some((span, message)) = mistyped_keyword(&file.text, at) {
        return RuleError::new(file, span, message);
    }
    let found =
        file.text[at..]
            .chars()
            .next()
            .map_or("the end of the file".to_string(), |c| match c {
                '\n' | '\r' => "the end of the line".to_string(),
                c => format!("`{c}`"),
            });
    let expected = match &err.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            words.sort_unstable();
            words.dedup();
            // "an expression" already says "a name, a number, a string, a call".
            if words.contains(&"an expression") {
                words.retain(|w| {
                    !matches!(
                        *w,
                        "a name"
                            | "a number"
                            | "a string in double quotes"
                            | "a function call"
                            | "`if`"
                    )
                });
            }
            words
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let line_before = file.text[..at].rsplit('\n').next().unwrap_or("");
    let line_after = file.text[at..].split('\n').next().unwrap_or("");
    let opens_unclosed = line_after.starts_with('"') && !line_after[1..].contains('"');
    let in_string = opens_unclosed || line_before.chars().filter(|&c| c == '"').count() % 2 == 1;
    let message = if in_string && (found == "the end of the line" || opens_unclosed) {
        "this string is not closed: a `\"` is missing before the end of the line".to_string()
    } else if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", or_list(&expected))
    };
    let end = (at + found.trim_matches('`').len())
        .min(file.text.len())
        .max(at);
    let end = if file.text.is_char_boundary(end) {
        end
    } else {
        at
    };
    RuleError::new(file, Span::new(at, end), message)
}

fn or_list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What a grammar rule is called in an error message; None for rules not worth naming.
fn describe(rule: G) -> Option<&'static str> {
    Some(match rule {
        G::EOI => "the end of the file",
        G::rule_def | G::kw_rule => "`rule`",
        G::rule_id => "a rule id",
        G::severity => "a severity (`error`, `warning` or `info`)",
        G::message => "a message in double quotes",
        G::year_bound | G::kw_since | G::kw_until => "`since` or `until`",
        G::block => "`{`",
        G::help_stmt | G::kw_help => "`help`",
        G::rationale_stmt | G::kw_rationale => "`rationale`",
        G::let_stmt | G::kw_let => "`let`",
        G::for_stmt | G::kw_for => "`for`",
        G::kw_in => "`in`",
        G::when_stmt | G::kw_when => "`when`",
        G::check | G::expr | G::expr_only | G::primary => "an expression",
        G::neg | G::not | G::kw_not => "an expression",
        G::within | G::kw_within => "`within`",
        G::percent => "`%`",
        G::or | G::and | G::kw_and | G::kw_or => "an operator",
        G::eq | G::ne | G::le | G::ge | G::lt | G::gt => "an operator",
        G::coalesce | G::add | G::sub | G::mul | G::div => "an operator",
        G::call => "a function call",
        G::if_expr | G::kw_if => "`if`",
        G::kw_then => "`then`",
        G::kw_else | G::check_message => "`else`",
        G::quantifier | G::comprehension => "an expression",
        G::path | G::ident => "a name",
        G::index => "`[`",
        G::number | G::integer => "a number",
        G::string | G::string_inner => "a string in double quotes",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Vec<Rule>, Vec<RuleError>) {
        parse_file(&Arc::new(SourceFile::new("t.tally", text)))
    }

    #[test]
    fn the_issue_examples_parse() {
        let (rules, errors) = parse(
            r#"
# A comment.
rule FA-EXP-001 error "基本支出与项目支出之和应等于本年支出合计" {
    expenditure.basic + expenditure.project = expenditure.total
}

rule FA-EVAL-001 warning "自评得分不得超过分值：{i.name}" {
    for i in evaluation.indicators {
        i.score <= i.max
    }
}
"#,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[1].severity, Severity::Warning);
        assert!(matches!(rules[1].message[1], MessagePart::Expr(_)));
    }

    #[test]
    fn precedence_follows_arithmetic() {
        let (rules, errors) = parse("rule A error \"m\" { a + b * c = d and not e < f within 1% }");
        assert!(errors.is_empty(), "{errors:?}");
        let Stmt::Check(e, _) = &rules[0].body[0] else {
            panic!()
        };
        let ExprKind::And(l, r) = &e.kind else {
            panic!("{e:?}")
        };
        let ExprKind::Compare(CmpOp::Eq, sum, _, None) = &l.kind else {
            panic!()
        };
        assert!(matches!(sum.kind, ExprKind::Arith(ArithOp::Add, _, _)));
        let ExprKind::Not(inner) = &r.kind else {
            panic!()
        };
        assert!(matches!(
            inner.kind,
            ExprKind::Compare(CmpOp::Lt, _, _, Some(Tolerance::Relative(_)))
        ));
    }

    #[test]
    fn unicode_names_quoted_keys_and_indexes() {
        let (rules, errors) =
            parse("rule 收入-1 info \"m\" { 收入.本年收入合计 = a.\"key with spaces\"[0].x ?? 0 }");
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rules[0].id, "收入-1");
    }

    #[test]
    fn all_errors_are_collected() {
        let (rules, errors) = parse(
            "rule A fatal \"m\" { a = b }\n\
             rule B error \"m\" { a = = b }\n\
             rule C error \"m\" { summ(a) = 1 }\n\
             rule D error \"m\" { round(a) = 1 }\n\
             rule E error \"m\" { a = b }\n",
        );
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].starts_with("unknown severity `fatal`"));
        assert!(messages[1].starts_with("expected"));
        assert!(messages[2].starts_with("unknown function `summ`"));
        assert!(messages[3].contains("takes 2 arguments, but 1 was given"));
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["C", "D", "E"]);
    }

    #[test]
    fn unterminated_string_is_named() {
        let (_, errors) = parse("rule A error \"never closed {\n  a = b\n}\n");
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("not closed"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn ten_thousand_parentheses_do_not_overflow() {
        let text = format!(
            "rule A error \"m\" {{ {}1{} = 1 }}",
            "(".repeat(10_000),
            ")".repeat(10_000)
        );
        let (_, errors) = parse(&text);
        assert!(errors[0].message.contains("nested more than"));
    }

    #[test]
    fn a_tolerance_beyond_range_is_an_error() {
        let text = "rule A error \"m\" { a = b within 999999999999999999999999999999999 }";
        let (_, errors) = parse(text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("beyond the range"));
    }

    #[test]
    fn twenty_thousand_operators_do_not_overflow() {
        let chains = [
            format!("{}a = 1", "not ".repeat(20_000)),
            format!("{}a = 1", "- ".repeat(20_000)),
            format!("{} = 1", vec!["a"; 20_000].join(" + ")),
            vec!["a = 1"; 20_000].join(" and "),
        ];
        for chain in chains {
            let (_, errors) = parse(&format!("rule A error \"m\" {{ {chain} }}"));
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert!(errors[0].message.contains("more than 100 operators"));
        }
    }

    #[test]
    fn operators_count_across_brackets_and_calls() {
        let ok = format!(
            "rule A error \"m\" {{ {}a{} = 1 }}",
            "abs(-".repeat(48),
            ")".repeat(48)
        );
        assert!(parse(&ok).1.is_empty(), "{:?}", parse(&ok).1);
        let deep = format!(
            "rule A error \"m\" {{ {}a{} = 1 }}",
            "abs(- -".repeat(60),
            ")".repeat(60)
        );
        assert!(
            parse(&deep).1[0]
                .message
                .contains("more than 100 operators")
        );
    }
}
