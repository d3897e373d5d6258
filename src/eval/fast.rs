//! The fast path of checks and `when` conditions: their most common forms (figures and
//! literals added, subtracted, summed, counted and compared; texts compared; `exists`),
//! evaluated exactly with amounts as fixed-point integers, building nothing.
//!
//! Evaluated the general way, every figure read becomes a [`Num`] of three `Decimal`s and
//! every step a `Value` with its place; most checks pass, and most are such sums and
//! comparisons. Here a figure becomes three `i128` counts of 10⁻⁸ and a path a node.
//!
//! Quotients of amounts (`part / total * 100`, a share or a rate) are kept as exact fractions
//! and compared with a figure by multiplying out; the general evaluator divides to 28 digits,
//! so where the two sides come closer than its rounding could matter, the general way decides.
//!
//! The fast path answers only where its answer is the general evaluator's: anything else
//! (another product, a quotient of possibly negative amounts, `min`, `round`, a relative
//! tolerance, a missing or empty value outside `??`, more than 7 decimals, an amount of 10²⁰
//! or more, text compared with `<`, a path through a list outside `sum`, …) gives `None`, and
//! the general evaluator takes the whole expression from the start. So the fast path needs no diagnostics: a check it finds
//! holding reports nothing, and a check it finds failing is evaluated again the general way,
//! which reports it.

use super::{Binding, Evaluator, Problem, Value};
use crate::dataset::figure::Figure;
use crate::dataset::{Child, Node, NodeKind, find_entry};
use crate::eval::path_cache::Slot;
use crate::number::{CmpOp, Num, bounds_can_hold};
use crate::rules::ast::{ArithOp, Expr, ExprKind, Func, Path, Segment, Tolerance};
use crate::rules::ruleset::PRIOR;
use rust_decimal::Decimal;

/// Decimals of the unit amounts are counted in.
const SCALE: u32 = 8;

/// The largest amount handled, in units (10²⁰). Within it every sum and difference the
/// general evaluator works out with `Decimal` (28 digits) is exact and cannot overflow, so
/// the two agree to the last unit; beyond it the fast path gives up.
const LIMIT: i128 = 10i128.pow(20 + SCALE);

/// 10⁰ … 10⁸.
const POW10: [i128; SCALE as usize + 1] = {
    let mut p = [1i128; SCALE as usize + 1];
    let mut i = 1;
    while i < p.len() {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// An amount and the interval of amounts it stands for (as in [`Num`]), in units of 10⁻⁸.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Fixed {
    value: i128,
    lo: i128,
    hi: i128,
}

impl Fixed {
    /// A single exact amount.
    fn exact(value: i128) -> Fixed {
        Fixed {
            value,
            lo: value,
            hi: value,
        }
    }

    /// `d` in units, if it has at most 8 decimals and is within the limit.
    fn units(d: Decimal) -> Option<i128> {
        let shift = SCALE.checked_sub(d.scale())?;
        // A mantissa has at most 96 bits and 10⁸ < 2²⁷: the product fits in an i128.
        within(d.mantissa() * POW10[shift as usize])
    }

    /// A number of the general evaluator, if all of it is within reach.
    fn from_num(n: Num) -> Option<Fixed> {
        Some(Fixed {
            value: Fixed::units(n.value)?,
            lo: Fixed::units(n.lo?)?,
            hi: Fixed::units(n.hi?)?,
        })
    }

    /// A figure of the data, with the same interval as [`Figure::num`]: ± half a unit of its
    /// last decimal.
    fn from_figure(f: &Figure) -> Option<Fixed> {
        if f.declared_rounding().is_some() || f.is_truncated() {
            // `meta.precision` widens or shifts the interval; rare enough to take the general
            // way.
            return Fixed::from_num(f.num());
        }
        let value = Fixed::units(f.value())?;
        let half = match f.decimals() {
            0 => 0,
            d => 5 * POW10[SCALE.checked_sub(d + 1)? as usize],
        };
        Some(Fixed {
            value,
            lo: within(value - half)?,
            hi: within(value + half)?,
        })
    }

    fn add(self, other: Fixed) -> Option<Fixed> {
        Some(Fixed {
            value: within(self.value + other.value)?,
            lo: within(self.lo + other.lo)?,
            hi: within(self.hi + other.hi)?,
        })
    }

    fn neg(self) -> Fixed {
        Fixed {
            value: -self.value,
            lo: -self.hi,
            hi: -self.lo,
        }
    }

    /// Whether `self op other` can hold, as [`crate::number::can_hold`] with the tolerance
    /// `tol` (in units) widening `self`.
    fn can_hold(self, op: CmpOp, other: Fixed, tol: i128) -> Option<bool> {
        let both_rounded = tol == 0 && self.lo != self.hi && other.lo != other.hi;
        Some(bounds_can_hold(
            (Some(within(self.lo - tol)?), Some(within(self.hi + tol)?)),
            op,
            (Some(other.lo), Some(other.hi)),
            both_rounded,
        ))
    }
}

/// An exact fraction `n / d` of amounts (`d > 0`).
#[derive(Clone, Copy, Debug)]
struct Frac {
    n: i128,
    d: i128,
}

/// A quotient of two amounts, perhaps times exact factors: the ends of its interval, exactly.
#[derive(Clone, Copy, Debug)]
struct Ratio {
    lo: Frac,
    hi: Frac,
}

impl Ratio {
    /// `a / b`, as [`Num::div`] bounds it where `a` is at least zero and `b` above zero all
    /// through their intervals: the quotient grows with `a` and shrinks with `b`. `None`
    /// otherwise (the general way then decides, division by zero included).
    fn of(a: Fixed, b: Fixed) -> Option<Ratio> {
        (a.lo >= 0 && b.lo > 0).then_some(Ratio {
            lo: Frac { n: a.lo, d: b.hi },
            hi: Frac { n: a.hi, d: b.lo },
        })
    }

    /// `self * k` for an exact amount `k > 0` (in units), as [`Num::mul`] bounds it.
    fn times(self, k: i128) -> Option<Ratio> {
        let times = |f: Frac| {
            Some(Frac {
                n: f.n.checked_mul(k)?,
                d: f.d.checked_mul(POW10[SCALE as usize])?,
            })
        };
        (k > 0).then_some(())?;
        Some(Ratio {
            lo: times(self.lo)?,
            hi: times(self.hi)?,
        })
    }
}

/// Whether an amount `u` (in units) lies below the fraction `f`: `None` when it is out of reach
/// or so close that the general evaluator's rounding of the quotient could decide otherwise.
///
/// The general evaluator divides to 28 significant digits (and at most 28 decimals) and then
/// multiplies, so its end of the quotient's interval is off by less than 10⁻²⁶ of the
/// quotient plus 10⁻²⁶. Here both sides are multiplied out, `u·d` against `n·10⁸`, and a
/// difference is trusted only beyond 2⁻⁵⁰ (about 10⁻¹⁵) of either: far more than that
/// rounding, and never a tie, where the general evaluator's reading of touching intervals
/// would matter.
fn below(u: i128, f: Frac) -> Option<bool> {
    let left = u.checked_mul(f.d)?;
    let right = f.n.checked_mul(POW10[SCALE as usize])?;
    let margin = (right.unsigned_abs() >> 50) + (f.d.unsigned_abs() >> 50) + 1;
    let diff = left.checked_sub(right)?;
    (diff.unsigned_abs() > margin).then_some(diff < 0)
}

/// Whether `amount op ratio` can hold (`amount_left`: the amount is the left side), the
/// amount widened by `tol`, as [`crate::number::can_hold`] would find: the ends are apart
/// (see [`below`]), so whether touching ends meet never arises. `!=` is left to the general
/// way.
fn can_hold_ratio(
    amount: Fixed,
    tol: i128,
    op: CmpOp,
    ratio: Ratio,
    amount_left: bool,
) -> Option<bool> {
    let (lo, hi) = (within(amount.lo - tol)?, within(amount.hi + tol)?);
    // `f < x` for a fraction f and an amount x: never a tie (see `below`).
    let ratio_below = |f: Frac, x: i128| below(x, f).map(|b| !b);
    let op = if amount_left { op } else { op.swapped() };
    match op {
        CmpOp::Eq => Some(below(lo, ratio.hi)? && ratio_below(ratio.lo, hi)?),
        CmpOp::Lt | CmpOp::Le => below(lo, ratio.hi),
        CmpOp::Gt | CmpOp::Ge => ratio_below(ratio.lo, hi),
        CmpOp::Ne => None,
    }
}

/// `units` if within the limit (sums of amounts within it cannot overflow `i128`).
fn within(units: i128) -> Option<i128> {
    (units.abs() < LIMIT).then_some(units)
}

/// A value of the fast path.
#[derive(Clone, Copy)]
enum Fast<'r, 'd> {
    Amount(Fixed),
    Ratio(Ratio),
    /// Text written in the rule.
    Literal(&'r str),
    /// Text in the data.
    Text(&'d str),
}

impl Fast<'_, '_> {
    fn text(&self) -> Option<&str> {
        match self {
            Fast::Literal(t) => Some(t),
            Fast::Text(t) => Some(t),
            Fast::Amount(_) | Fast::Ratio(_) => None,
        }
    }
}

/// Where a path leads, as far as the fast path can tell.
enum Lookup<'d> {
    Found(&'d Node),
    /// A `let` variable's number.
    Kept(Num),
    /// Missing, as `??` and `exists` understand it.
    Missing,
    /// Anything else (a list of values, a computed value, an error): the general way decides.
    Unknown,
}

impl<'r, 'd> Evaluator<'r, 'd> {
    /// Whether a check or condition holds, if the fast path can tell: only while nothing is
    /// traced, since a traced evaluation must record the values it reads.
    pub(super) fn fast_truth(&mut self, e: &'r Expr) -> Option<bool> {
        if !self.fast || self.paths || self.trace.is_some() {
            return None;
        }
        self.truth_fast(e, false)
    }

    /// [`Evaluator::truth`]'s reading of `and`, `or`, `not` and comparisons.
    fn truth_fast(&mut self, e: &'r Expr, negate: bool) -> Option<bool> {
        match &e.kind {
            ExprKind::Not(inner) => self.truth_fast(inner, !negate),
            ExprKind::And(a, b) | ExprKind::Or(a, b) => {
                // `not (a and b)` is `not a or not b`, and the other way round: `both` tells
                // whether both sides must hold. The first side alone decides when it is false
                // where both must hold, or true where one is enough.
                let both = matches!(e.kind, ExprKind::And(..)) != negate;
                match self.truth_fast(a, negate)? {
                    first if first != both => Some(first),
                    _ => self.truth_fast(b, negate),
                }
            }
            ExprKind::Compare(op, l, r, tol) => {
                let op = if negate { op.negated() } else { *op };
                let tol = match tol {
                    None => 0,
                    Some(Tolerance::Absolute(t)) => Fixed::units(*t)?,
                    Some(Tolerance::Relative(_)) => return None,
                };
                self.compare_fast(op, l, r, tol)
            }
            // As `Evaluator::call` reads `exists`: a value that is not empty.
            ExprKind::Call(Func::Exists, args) => {
                let ExprKind::Path(p) = &args.first()?.kind else {
                    return None;
                };
                let present = match self.lookup_fast(p) {
                    Lookup::Found(node) => !matches!(node.kind, NodeKind::Null),
                    Lookup::Kept(_) => true,
                    Lookup::Missing => false,
                    Lookup::Unknown => return None,
                };
                Some(present != negate)
            }
            _ => None,
        }
    }

    /// [`Evaluator::compare`] with an absolute tolerance `tol` (in units; 0 for none).
    fn compare_fast(&mut self, op: CmpOp, l: &'r Expr, r: &'r Expr, tol: i128) -> Option<bool> {
        let left = self.value_fast(l)?;
        let right = self.value_fast(r)?;
        if let (Some(a), Some(b)) = (left.text(), right.text()) {
            // Texts are compared as texts, whatever the tolerance and wherever.
            return match op {
                CmpOp::Eq => Some(a == b),
                CmpOp::Ne => Some(a != b),
                _ => None,
            };
        }
        // In a `when`, `<`, `>` and `!=` must surely hold (see `number::surely_holds`): their
        // negation must not be able to hold.
        let strict = self.guard && matches!(op, CmpOp::Lt | CmpOp::Gt | CmpOp::Ne);
        let asked = if strict { op.negated() } else { op };
        let holds = match (left, right) {
            (Fast::Amount(a), Fast::Amount(b)) => a.can_hold(asked, b, tol),
            (Fast::Amount(a), Fast::Ratio(b)) => can_hold_ratio(a, tol, asked, b, true),
            (Fast::Ratio(a), Fast::Amount(b)) if tol == 0 => can_hold_ratio(b, 0, asked, a, false),
            _ => None,
        }?;
        Some(holds != strict)
    }

    /// [`Evaluator::value`] for amounts and texts.
    fn value_fast(&mut self, e: &'r Expr) -> Option<Fast<'r, 'd>> {
        match &e.kind {
            ExprKind::Number(d) => Fixed::units(*d).map(|u| Fast::Amount(Fixed::exact(u))),
            ExprKind::Text(t) => Some(Fast::Literal(t)),
            ExprKind::Path(p) => {
                let found = self.lookup_fast(p);
                found_value(found)
            }
            ExprKind::Neg(x) => Some(Fast::Amount(self.amount_fast(x)?.neg())),
            ExprKind::Arith(ArithOp::Add, a, b) => {
                let a = self.amount_fast(a)?;
                Some(Fast::Amount(a.add(self.amount_fast(b)?)?))
            }
            ExprKind::Arith(ArithOp::Sub, a, b) => {
                let a = self.amount_fast(a)?;
                Some(Fast::Amount(a.add(self.amount_fast(b)?.neg())?))
            }
            ExprKind::Arith(ArithOp::Div, a, b) => {
                let a = self.amount_fast(a)?;
                Some(Fast::Ratio(Ratio::of(a, self.amount_fast(b)?)?))
            }
            // A quotient times a number written in the rule (`… * 100`).
            ExprKind::Arith(ArithOp::Mul, x, k) => {
                let ExprKind::Number(k) = k.kind else {
                    return None;
                };
                match self.value_fast(x)? {
                    Fast::Ratio(r) => Some(Fast::Ratio(r.times(Fixed::units(k)?)?)),
                    _ => None,
                }
            }
            // `a ?? b`: `b` where the path `a` is missing or empty.
            ExprKind::Default(a, b) => {
                let ExprKind::Path(p) = &a.kind else {
                    return None;
                };
                match self.lookup_fast(p) {
                    Lookup::Found(node) if matches!(node.kind, NodeKind::Null) => {
                        self.value_fast(b)
                    }
                    Lookup::Missing => self.value_fast(b),
                    found => found_value(found),
                }
            }
            ExprKind::Call(Func::Sum, args) => {
                let mut total = Fixed::exact(0);
                for arg in args {
                    total = self.sum_fast(arg, total)?;
                }
                Some(Fast::Amount(total))
            }
            ExprKind::Call(Func::Count, args) => {
                let ExprKind::Path(p) = &args.first()?.kind else {
                    return None;
                };
                let n = match self.lookup_fast(p) {
                    Lookup::Found(node) => match &node.kind {
                        NodeKind::List(items) => items.len(),
                        NodeKind::Map(entries) => entries.len(),
                        NodeKind::Null => 0,
                        _ => 1,
                    },
                    _ => return None,
                };
                Fixed::units(Decimal::from(n)).map(|u| Fast::Amount(Fixed::exact(u)))
            }
            _ => None,
        }
    }

    fn amount_fast(&mut self, e: &'r Expr) -> Option<Fixed> {
        match self.value_fast(e)? {
            Fast::Amount(a) => Some(a),
            _ => None,
        }
    }

    /// Adds the amounts of one argument of `sum` to `total`: every figure a path reaches,
    /// through lists, as `Evaluator::flatten` collects them.
    fn sum_fast(&mut self, arg: &'r Expr, total: Fixed) -> Option<Fixed> {
        let ExprKind::Path(p) = &arg.kind else {
            return total.add(self.amount_fast(arg)?);
        };
        match self.start_fast(p, true) {
            (Lookup::Found(node), segments) => add_figures(node, segments, total),
            (Lookup::Kept(n), _) => total.add(Fixed::from_num(n)?),
            (Lookup::Missing | Lookup::Unknown, _) => None,
        }
    }

    /// Where a path leads; only the steps a node can take (a key of a mapping, an item of a
    /// list) are followed.
    fn lookup_fast(&mut self, p: &'r Path) -> Lookup<'d> {
        let (mut node, segments) = match self.start_fast(p, false) {
            (Lookup::Found(node), segments) => (node, segments),
            (other, _) => return other,
        };
        for segment in segments {
            node = match node.child(segment) {
                Child::Found(child, _) => child,
                Child::Missing => return Lookup::Missing,
                Child::NotThere => return Lookup::Unknown,
            };
        }
        Lookup::Found(node)
    }

    /// Where a path starts, and the steps left from there (none unless found): a loop item
    /// and the path's segments, or a dataset path's node (through the path cache) and no
    /// steps. With `through_lists` (for `sum`), a dataset path starts from its top-level key
    /// instead: a path through lists leads to several values, which the cache does not keep.
    /// A `let` variable is followed only as the number it was found to be; not followed:
    /// `let` variables not yet worked out or not numbers, computed items, `prior`.
    fn start_fast(&mut self, p: &'r Path, through_lists: bool) -> (Lookup<'d>, &'r [Segment]) {
        let all: &'r [Segment] = &p.segments;
        if let Some(i) = self.variable_of(p) {
            return match self.vars.get(i) {
                Some((_, Binding::Item(Value::Node(node, _), _))) => (Lookup::Found(node), all),
                Some((_, Binding::Let(_, _, Some(n)))) if all.is_empty() => (Lookup::Kept(*n), &[]),
                _ => (Lookup::Unknown, &[]),
            };
        }
        if p.root == PRIOR {
            return (Lookup::Unknown, &[]);
        }
        if through_lists {
            return match &self.data.root.kind {
                NodeKind::Map(entries) => match find_entry(entries, &p.root) {
                    Some(entry) => (Lookup::Found(&entry.value), all),
                    None => (Lookup::Missing, &[]),
                },
                _ => (Lookup::Unknown, &[]),
            };
        }
        let found = match p.slot.map(|slot| self.cache.get(slot)) {
            Some(Slot::Found(node, _)) => Lookup::Found(node),
            Some(Slot::Missing(_)) => Lookup::Missing,
            _ => match self.path(p) {
                Ok(Value::Node(node, _)) => Lookup::Found(node),
                Err(problem) if matches!(*problem, Problem::Missing { .. }) => Lookup::Missing,
                _ => Lookup::Unknown,
            },
        };
        (found, &[])
    }
}

/// The amount or text a path found: a scalar node's, or a `let` variable's number.
fn found_value<'r, 'd>(found: Lookup<'d>) -> Option<Fast<'r, 'd>> {
    match found {
        Lookup::Found(node) => scalar(node),
        Lookup::Kept(n) => Fixed::from_num(n).map(Fast::Amount),
        Lookup::Missing | Lookup::Unknown => None,
    }
}

/// The amount or text of a scalar node.
fn scalar<'r, 'd>(node: &'d Node) -> Option<Fast<'r, 'd>> {
    match &node.kind {
        NodeKind::Number(f) => Fixed::from_figure(f).map(Fast::Amount),
        NodeKind::Text(t) => Some(Fast::Text(t)),
        _ => None,
    }
}

/// Adds to `total` the figures `segments` lead to from `node`, stepping into every item of a
/// list on the way and flattening lists at the end, as a path through lists and `sum`'s
/// flattening do. `None` where the general evaluator would fail (a missing key, a value that
/// is not a figure), and for an index taken after a list (which picks from the values found,
/// not from each item).
fn add_figures(node: &Node, segments: &[Segment], total: Fixed) -> Option<Fixed> {
    match (segments.split_first(), &node.kind) {
        (None, NodeKind::Number(f)) => total.add(Fixed::from_figure(f)?),
        (None | Some((Segment::Key(_), _)), NodeKind::List(items)) => {
            if segments.iter().any(|s| matches!(s, Segment::Index(_))) {
                return None;
            }
            items
                .iter()
                .try_fold(total, |sum, item| add_figures(item, segments, sum))
        }
        (Some((segment, rest)), _) => match node.child(segment) {
            Child::Found(child, _) => add_figures(child, rest, total),
            Child::Missing | Child::NotThere => None,
        },
        (None, _) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Data, Evaluator, run_with};
    use super::{Decimal, Fixed, Ratio, can_hold_ratio};
    use crate::dataset::Dataset;
    use crate::dataset::load::parse_dataset;
    use crate::eval::deadline::Deadline;
    use crate::eval::path_cache::PathCache;
    use crate::rules::ast::{Rule, Stmt};
    use crate::rules::ruleset::RuleSet;
    use crate::source::SourceFile;
    use proptest::prelude::*;
    use std::str::FromStr;
    use std::sync::Arc;

    fn rules(text: &str) -> Option<RuleSet> {
        RuleSet::from_files(vec![Arc::new(SourceFile::new("t.tally", text))]).ok()
    }

    fn dataset(yaml: &str) -> Dataset {
        parse_dataset("d.yaml".into(), yaml.into(), Default::default()).expect("dataset")
    }

    /// The findings of every rule, as text, with or without the fast path.
    fn findings(set: &RuleSet, data: &Dataset, fast: bool) -> String {
        let data = Data {
            root: &data.root,
            file: &data.file,
        };
        let mut cache = PathCache::new(set);
        let mut deadline = Deadline::after(None);
        let found: Vec<_> = set
            .rules
            .iter()
            .flat_map(|rule| {
                run_with(rule, data, None, &mut cache, &mut deadline, fast, true).findings
            })
            .collect();
        format!("{found:#?}")
    }

    /// An evaluator of `rule` on `data`, as a rule run starts it.
    fn evaluator<'r, 'd>(rule: &'r Rule, data: &'d Dataset) -> Evaluator<'r, 'd> {
        let data = Data {
            root: &data.root,
            file: &data.file,
        };
        Evaluator::new(
            rule,
            data,
            None,
            PathCache::default(),
            Deadline::after(None),
            true,
        )
    }

    /// What the fast path makes of each top-level check of a one-rule set.
    fn answers(rule_text: &str, yaml: &str) -> Vec<Option<bool>> {
        let set = rules(rule_text).expect("rules");
        let data = dataset(yaml);
        let rule: &Rule = &set.rules[0];
        let mut ev = evaluator(rule, &data);
        rule.body
            .iter()
            .map(|stmt| match stmt {
                Stmt::Check(e, _) => ev.fast_truth(e),
                _ => panic!("only checks"),
            })
            .collect()
    }

    #[test]
    fn sums_comparisons_and_texts_are_answered_the_rest_left_to_the_general_way() {
        let yaml = "a: 0.33\nb: 0.33\nc: 0.33\nt: 1.00\nw: 增加\nrows:\n  - v: 1.5\n  - v: 2\n\
                    n: ~\nbig: 123456789012345678901.5\nfine: 1.123456789\n\
                    s: 40\np: 2.44\nq: 6.10\nh: 0.5\nm: -1.00\n";
        let rule = r#"rule R error "m" {
            a + b + c = t
            a + b + c = 1.02
            0 - a - b <= 0 and not (t < 1)
            w = "增加"
            w != "增加"
            sum(rows.v) = 3.5
            count(rows) = 2
            0 + (zz ?? 0) + (n ?? 1) = 1
            exists(a) and not exists(n) and not exists(zz)
            exists(a.zz)
            a * 3 = t
            a = t within 0.1
            w < "x"
            n = 0
            big = big
            fine = fine
            min(a, b) = a
            s = p / q * 100
            p / q * 100 < s
            s = p / q * 100 within 0.01
            h = 1 / 2 * 1.1
            s = m / q * 100
            s = p / q * 100 + 1
            s != p / q * 100
            a = t within 1%
            33333333333333333332.66666667 <= 99999999999999999998 / 3
        }"#;
        assert_eq!(
            answers(rule, yaml),
            [
                Some(true),
                Some(false),
                Some(true),
                Some(true),
                Some(false),
                Some(true),
                Some(true),
                Some(true),
                Some(true),
                None,        // `a.zz` steps into a figure: an error, reported the general way
                None,        // a product
                Some(false), // a tolerance: 0.33 is not 1.00 ± 0.1
                None,        // text ordered: an error, reported the general way
                None,        // an empty value: an error
                None,        // beyond 10^20
                None,        // more than 7 decimals
                None,        // a function other than sum, count and exists
                Some(true),  // 2.44 / 6.10 × 100 = 40.0 (39.885 to 40.115), printed 40
                Some(true),  // … and may be below 40 (39.5 to 40.5)
                Some(true),
                None, // the ends touch (0.55): the general way decides
                None, // a negative dividend
                None, // a quotient added to
                None, // `!=` of a quotient
                None, // a relative tolerance
                // 33333333333333333332.666666666…, which `Decimal` rounds onto the figure:
                // the general way finds the ends touching, and decides.
                None,
            ]
        );
    }

    /// The constructs of the rule language's second version are the general evaluator's:
    /// every one of them, wherever it stands in a check, leaves the check to the general way.
    #[test]
    fn the_new_constructs_are_left_to_the_general_way() {
        let yaml = "a: 1\nt: 1\nw: 增加\ncode: \"20101\"\nrows:\n  - v: 1\n  - v: 2\n";
        let rule = r#"rule R error "m" {
            any(r in rows: r.v > 0)
            all(r in rows: r.v > 0)
            count(r in rows: r.v > 0) = 2
            sum(r.v for r in rows if r.v > 0) = 3
            min(r.v for r in rows) = 1
            max(r.v for r in rows) = 2
            unique(rows.v)
            len(code) = 5
            starts_with(code, "201")
            prefix(code, 3) = "201"
            parent(code) = "201"
            (if w = "增加" then 1 else -1) = a
            rows[a - 1].v = 1
            a + sum(r.v for r in rows) = 4
            t = a and any(r in rows: r.v = 2)
        }"#;
        assert_eq!(answers(rule, yaml), [None; 15]);
    }

    /// Figures that add up, or nearly, to one another at different decimals (where rounding
    /// decides), other figures with few decimals, and now and then one the fast path leaves
    /// alone (more than 7 decimals, 10²⁰ or more).
    fn number() -> impl Strategy<Value = String> {
        let close = prop::sample::select(vec![
            "0", "0.0", "1", "1.0", "1.00", "0.5", "0.50", "0.33", "0.34", "0.67", "0.995",
            "1.005", "0.99", "1.01", "2", "1.5", "-0.5", "-1", "-1.00", "0.004", "0.006", "100",
            "99.995", "100.00", "3.5", "1.05",
        ])
        .prop_map(String::from);
        let digits = |n| {
            prop::collection::vec(0u8..10, n)
                .prop_map(|d| d.iter().map(|d| d.to_string()).collect::<String>())
        };
        let other =
            (any::<bool>(), 0u64..2000, 0usize..4, digits(3..4)).prop_map(|(neg, int, d, frac)| {
                let sign = if neg { "-" } else { "" };
                match d {
                    0 => format!("{sign}{int}"),
                    d => format!("{sign}{int}.{}", &frac[..d]),
                }
            });
        prop_oneof![
            6 => close,
            3 => other,
            1 => digits(8..11).prop_map(|frac| format!("0.{frac}")),
            1 => digits(19..25).prop_map(|int| format!("9{int}.5")),
        ]
    }

    /// A value in the data: mostly figures, also empty values, texts, booleans and lists.
    fn scalar() -> impl Strategy<Value = String> {
        prop_oneof![
            10 => number(),
            1 => Just("~".to_string()),
            1 => Just(String::new()),
            2 => prop::sample::select(vec!["x", "y", "增加", "\"1.5\""]).prop_map(String::from),
            1 => Just("true".to_string()),
            1 => Just("[1.5, 2]".to_string()),
        ]
    }

    /// A dataset with top-level figures (one sometimes missing), rows with figures (one key
    /// sometimes missing, a row sometimes not a mapping), and sometimes `meta.precision`.
    fn yaml() -> impl Strategy<Value = String> {
        let row = prop_oneof![
            6 => (scalar(), scalar(), prop::option::of(scalar())).prop_map(|(k, v, w)| {
                let w = w.map(|w| format!("\n    w: {w}")).unwrap_or_default();
                format!("  - k: {k}\n    v: {v}{w}\n")
            }),
            1 => scalar().prop_map(|s| format!("  - {s}\n")),
        ];
        (
            any::<bool>(),
            prop::collection::vec(scalar(), 4),
            prop::option::of(scalar()),
            prop::collection::vec(row, 0..5),
        )
            .prop_map(|(precision, top, c, rows)| {
                let mut y = String::new();
                if precision {
                    y.push_str("meta:\n  precision: {a: 0, rows: 1}\n");
                }
                y += &format!(
                    "a: {}\nb: {}\nt: {}\nk: {}\n",
                    top[0], top[1], top[2], top[3]
                );
                if let Some(c) = c {
                    y += &format!("c: {c}\n");
                }
                y.push_str("rows:\n");
                if rows.is_empty() {
                    y.push_str("  []\n");
                }
                rows.iter().for_each(|r| y.push_str(r));
                y
            })
    }

    /// The paths an expression may read where `vars` (`s`, a `let`; `r` and `q`, loop items)
    /// are in scope.
    fn paths(vars: &[&str]) -> Vec<&'static str> {
        let mut paths = ["b", "c", "t", "k"].to_vec();
        paths.extend(DATASET_PATHS);
        for v in vars {
            paths.extend(match *v {
                "r" => &["r", "r.v", "r.w", "r.k"][..],
                "q" => &["q.v", "q.w"][..],
                _ => &["s"][..],
            });
        }
        paths
    }

    /// A numeric expression; `vars` are the variables in scope.
    fn amount(vars: &'static [&'static str]) -> BoxedStrategy<String> {
        let leaf = prop_oneof![
            2 => number(),
            5 => prop::sample::select(paths(vars)).prop_map(String::from),
        ];
        leaf.prop_recursive(3, 10, 2, move |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec!["+", "-", "+", "-", "*", "/", "??"]),
                    inner.clone()
                )
                    .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
                inner.clone().prop_map(|a| format!("-{a}")),
                inner.clone().prop_map(|a| format!("sum({a})")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("sum({a}, {b})")),
                inner.clone().prop_map(|a| format!("count({a})")),
                inner.clone().prop_map(|a| format!("abs({a})")),
                // The second version's constructs, which the fast path leaves alone: the
                // checks around them must find what the general way finds.
                (condition_leaf(vars), inner.clone(), inner.clone())
                    .prop_map(|(c, a, b)| format!("(if {c} then {a} else {b})")),
                (
                    inner.clone(),
                    prop::sample::select(vec!["sum", "min", "max"])
                )
                    .prop_map(|(a, f)| format!("{f}(x.v + {a} for x in rows if x.v > 0)")),
                inner.prop_map(|a| format!("rows[abs(round({a}, 0))].v")),
                Just("count(x in rows: x.v >= 1)".to_string()),
                Just("len(prefix(k, 2))".to_string()),
            ]
        })
        .boxed()
    }

    /// A comparison of paths and numbers, or a quantifier, for `if` conditions.
    fn condition_leaf(vars: &'static [&'static str]) -> BoxedStrategy<String> {
        let ops = vec!["=", "!=", "<", "<=", ">", ">="];
        prop_oneof![
            (
                prop::sample::select(paths(vars)),
                prop::sample::select(ops),
                number()
            )
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            Just("any(x in rows: x.v > 1)".to_string()),
            Just("starts_with(k, \"x\")".to_string()),
        ]
        .boxed()
    }

    /// A condition: comparisons (with or without tolerance), text comparisons, `and`, `or`,
    /// `not`.
    fn condition(vars: &'static [&'static str]) -> BoxedStrategy<String> {
        let ops = vec!["=", "!=", "<", "<=", ">", ">="];
        let texts = vec!["k", "\"x\"", "\"增加\"", "t"];
        let leaf = prop_oneof![
            4 => (amount(vars), prop::sample::select(ops.clone()), amount(vars),
                  prop::sample::select(vec!["", "", "", " within 0.01", " within 1%"]))
                .prop_map(|(a, op, b, w)| format!("{a} {op} {b}{w}")),
            1 => (prop::sample::select(texts.clone()), prop::sample::select(ops), prop::sample::select(texts))
                .prop_map(|(a, op, b)| format!("{a} {op} {b}")),
            1 => prop::sample::select(paths(vars)).prop_map(|p| format!("exists({p})")),
            1 => prop::sample::select(vec![
                "all(x in rows: x.v <= 2)",
                "any(x in rows: x.k = k)",
                "unique(rows.k)",
                "unique(rows.v)",
                "starts_with(k, \"增\")",
                "parent(k) = \"x\"",
            ])
            .prop_map(String::from),
        ];
        leaf.prop_recursive(2, 6, 2, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec!["and", "or"]),
                    inner.clone()
                )
                    .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
                inner.prop_map(|a| format!("not ({a})")),
            ]
        })
        .boxed()
    }

    /// A rule with checks at the top, after a `let`, in a loop (plain and keyed), and under
    /// `when` conditions. Each check is written `not not (…)`: a line that starts with `-`
    /// or `(` would continue the line before it.
    fn rule() -> impl Strategy<Value = String> {
        (
            condition(&[]),
            amount(&[]),
            condition(&["s", "r"]),
            condition(&["s", "r"]),
            condition(&["s", "r"]),
            condition(&["s", "q"]),
            condition(&["s"]),
            condition(&["s"]),
        )
            .prop_map(|(c1, s, c2, c3, c4, c5, c6, c7)| {
                let [c1, c2, c4, c5, c7] = [c1, c2, c4, c5, c7].map(|c| format!("not not ({c})"));
                format!(
                    "rule T error \"m\" {{\n  {c1}\n  let s = {s}\n  for i, r in rows {{\n    {c2}\n    \
                     when {c3} {{\n      {c4}\n    }}\n    when i > 0 {{\n      \
                     not not (r.v >= rows[i - 1].v) else \"{{i}}\"\n    }}\n  }}\n  \
                     for q in rows {{\n    when q.k = k {{\n      {c5}\n    }}\n  }}\n  \
                     for key, value in meta.precision {{\n    not not (value >= 1)\n  }}\n  \
                     when {c6} {{\n    {c7}\n  }}\n}}\n"
                )
            })
    }

    #[test]
    fn the_generated_rules_are_valid() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let invalid: Vec<String> = (0..300)
            .map(|_| rule().new_tree(&mut runner).expect("tree").current())
            .filter(|r| rules(r).is_none())
            .collect();
        assert!(invalid.is_empty(), "{}", invalid.join("\n"));
    }

    /// Dataset paths through mappings, list items, lists, scalars and missing keys.
    const DATASET_PATHS: [&str; 14] = [
        "a",
        "zz",
        "rows",
        "rows.v",
        "rows[0].v",
        "rows[1]",
        "rows.v[1]",
        "rows[0].k.x",
        "a.b",
        "rows[7]",
        "rows[0]",
        "rows[1].w",
        "meta.precision.a",
        "meta.zz",
    ];

    fn dataset_path() -> impl Strategy<Value = String> {
        prop::sample::select(DATASET_PATHS.to_vec()).prop_map(String::from)
    }

    proptest! {
        /// Following a dataset path from node to node (for the path cache) finds what the
        /// general steps find: the same node and key, the same place where it is missing.
        #[test]
        fn following_nodes_agrees_with_the_steps(path in dataset_path(), yaml in yaml()) {
            use super::super::{Problem, Value};
            use crate::eval::path_cache::Slot;
            let set = rules(&format!("rule T error \"m\" {{ exists({path}) }}")).expect("rules");
            let Stmt::Check(check, _) = &set.rules[0].body[0] else { panic!("a check") };
            let crate::rules::ast::ExprKind::Call(_, args) = &check.kind else { panic!("a call") };
            let crate::rules::ast::ExprKind::Path(p) = &args[0].kind else { panic!("a path") };
            let data = dataset(&yaml);
            let ev = evaluator(&set.rules[0], &data);
            match (ev.follow_nodes(p), ev.step_from_root(p)) {
                (Slot::Found(a, key), Ok(Value::Node(b, place))) => {
                    prop_assert!(std::ptr::eq(a, b));
                    prop_assert_eq!(key, place.key);
                }
                (Slot::Missing(at), Err(problem)) => {
                    let Problem::Missing { at: expected, .. } = *problem else {
                        panic!("{path}: not missing but {problem:?}");
                    };
                    prop_assert_eq!(at, expected);
                }
                // The steps decide: the dataset path then goes their way.
                (Slot::Steps, _) => {}
                (followed, stepped) => {
                    panic!("{path}: followed {:?}, stepped {:?}", matches!(followed, Slot::Found(..)), stepped.is_ok());
                }
            }
        }
    }

    fn figure(text: &str, precision: Option<u32>) -> Option<crate::dataset::figure::Figure> {
        let mut f = crate::dataset::figure::Figure::read(text)?.ok()?;
        if let Some(p) = precision {
            f.rounded_to(p as i32);
        }
        Some(f)
    }

    proptest! {
        /// Fixed amounts are the general evaluator's numbers: the same intervals, sums,
        /// negations and comparisons.
        #[test]
        fn fixed_amounts_agree_with_numbers(
            x in number(),
            y in number(),
            precision in prop::option::of(0u32..3),
        ) {
            use crate::number::{CmpOp, can_hold};
            let (Some(fx), Some(fy)) = (figure(&x, precision), figure(&y, None)) else {
                return Ok(());
            };
            let (nx, ny) = (fx.num(), fy.num());
            let (Some(a), Some(b)) = (Fixed::from_figure(&fx), Fixed::from_figure(&fy)) else {
                return Ok(());
            };
            prop_assert_eq!(Some(a), Fixed::from_num(nx));
            prop_assert_eq!(Some(a.neg()), Fixed::from_num(nx.neg()));
            if let Some(sum) = a.add(b) {
                prop_assert_eq!(Some(sum), Fixed::from_num(nx.add(ny).expect("in range")));
            }
            for op in [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge] {
                for tol in ["0", "0.01", "0.005", "1"] {
                    let t = Decimal::from_str(tol).unwrap();
                    prop_assert_eq!(
                        a.can_hold(op, b, Fixed::units(t).unwrap()),
                        Some(can_hold(nx, op, ny, t)),
                        "{:?} within {}", op, tol
                    );
                }
            }
        }

        /// A quotient times a factor, compared with a figure either way round: where the
        /// fast path answers, it answers as the general evaluator's `Decimal` arithmetic does.
        #[test]
        fn quotients_agree_with_numbers(
            x in number(),
            y in number(),
            decimals in 0u32..4,
            nudge in -2i64..3,
            k in prop::sample::select(vec!["1", "100", "0.5", "3"]),
            tol in prop::sample::select(vec!["0", "0.01", "0.005"]),
        ) {
            use crate::number::{CmpOp, can_hold};
            let (Some(fx), Some(fy)) = (figure(&x, None), figure(&y, None)) else {
                return Ok(());
            };
            let k = Decimal::from_str(k).unwrap();
            // The figure printed for x / y × k: rounded to some decimals, and perhaps off by a
            // unit or two of the last, so that the ends of the intervals meet or nearly.
            let Some(share) = fx.value().checked_div(fy.value()).and_then(|q| q.checked_mul(k))
            else {
                return Ok(());
            };
            let share = share.round_dp(decimals) + Decimal::new(nudge, decimals);
            let Some(fs) = figure(&share.to_string(), None) else {
                return Ok(());
            };
            let (Some(a), Some(b), Some(s)) =
                (Fixed::from_figure(&fx), Fixed::from_figure(&fy), Fixed::from_figure(&fs))
            else {
                return Ok(());
            };
            let t = Decimal::from_str(tol).unwrap();
            let Some(ratio) = Ratio::of(a, b).and_then(|r| r.times(Fixed::units(k)?)) else {
                return Ok(());
            };
            let q = fx.num().div(fy.num()).unwrap().mul(crate::number::Num::exact(k)).unwrap();
            for op in [CmpOp::Eq, CmpOp::Ne, CmpOp::Lt, CmpOp::Le, CmpOp::Gt, CmpOp::Ge] {
                let t_units = Fixed::units(t).unwrap();
                if let Some(fast) = can_hold_ratio(s, t_units, op, ratio, true) {
                    prop_assert_eq!(fast, can_hold(fs.num(), op, q, t), "{:?} within {}", op, tol);
                }
                if let Some(fast) = can_hold_ratio(s, 0, op, ratio, false) {
                    prop_assert_eq!(fast, can_hold(q, op, fs.num(), Decimal::ZERO), "{:?}", op);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 2000,
            // A failing case is saved beside this file's others, in
            // proptest-regressions/eval/fast.txt (committed), and tried first on every run.
            failure_persistence: Some(Box::new(
                proptest::test_runner::FileFailurePersistence::SourceParallel(
                    "proptest-regressions",
                ),
            )),
            ..ProptestConfig::default()
        })]

        /// The fast path never changes a finding: same findings, same order, same labels.
        #[test]
        fn the_fast_path_changes_no_finding(rule in rule(), yaml in yaml()) {
            let Some(set) = rules(&rule) else {
                return Ok(()); // not a valid rule (a type error the rule set catches)
            };
            let data = dataset(&yaml);
            prop_assert_eq!(findings(&set, &data, true), findings(&set, &data, false));
        }
    }
}
