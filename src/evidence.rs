//! Evidence: the comparison that decided a failed check, as data.
//!
//! The evaluator builds it once a check has failed (passing checks never build one), the
//! finding carries it, JSON writes its fields, and [`Evidence`]'s `Display` writes the one
//! line of prose that starts the finding's help ("left 1617.42, right 1612.36, difference
//! 5.06 (beyond rounding ±0.01)"): the two never disagree because the prose is rendered from
//! the fields.

use crate::number::{self, CmpOp, Num};
use rust_decimal::Decimal;
use std::fmt;

/// What decided a failed check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Evidence {
    /// Two numbers compared.
    Numbers(Numbers),
    /// Two texts compared (only `=` and `!=` apply to text).
    Texts {
        /// The comparison the rule asks for.
        op: CmpOp,
        /// The left side's text.
        left: String,
        /// The right side's text.
        right: String,
    },
    /// A check that is not a comparison (`exists(…)`, a `true`/`false` value) was false.
    Condition,
}

/// Two numbers compared: the sides with the intervals they stand for, and what was allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Numbers {
    /// The comparison the rule asks for.
    pub op: CmpOp,
    /// The left side: its value and the exact amounts it may stand for (its rounding interval).
    pub left: Num,
    /// The right side, likewise.
    pub right: Num,
    /// `left − right` of the values as printed or computed (`None`: beyond the decimal range).
    pub difference: Option<Decimal>,
    /// The rounding both sides allow together: the sum of their intervals' half-widths
    /// (zero when both are exact; `None` when a side's interval is unbounded).
    pub rounding: Option<Decimal>,
    /// The rule's `within …`, if it has one.
    pub tolerance: Option<Tolerance>,
    /// The whole difference allowed: the tolerance's amount plus the rounding (`None` when the
    /// rounding is unbounded). For `=` the check fails because `|difference|` exceeds it.
    pub allowed: Option<Decimal>,
    /// The unit of money of both sides, when every figure they were computed from is an
    /// amount in the same unit (the pack's layout tells).
    pub unit: Option<String>,
}

/// A rule's `within 0.01` or `within 0.5%`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tolerance {
    /// The amount as written in the rule (`0.01`, or `0.5` for `0.5%`).
    pub within: Decimal,
    /// True when written as a percentage of the larger side.
    pub percent: bool,
    /// The amount it allows (equal to `within` unless `percent`).
    pub amount: Decimal,
}

impl Numbers {
    /// The evidence of `left op right`, with the rule's tolerance if any.
    pub fn new(op: CmpOp, left: Num, right: Num, tolerance: Option<Tolerance>) -> Numbers {
        let difference = left.value.checked_sub(right.value);
        let rounding = match (left.half_width(), right.half_width()) {
            (Some(a), Some(b)) => a.checked_add(b).map(|w| w.normalize()),
            _ => None,
        };
        let amount = tolerance.map_or(Decimal::ZERO, |t| t.amount);
        let allowed = rounding.and_then(|r| r.checked_add(amount));
        Numbers {
            op,
            left,
            right,
            difference,
            rounding,
            tolerance,
            allowed,
            unit: None,
        }
    }
}

/// One side of a comparison of numbers, for people: the value, and when it was computed from
/// rounded figures into many decimals, the interval it stands for.
fn side(n: &Num) -> String {
    let v = number::display(n.value);
    match (n.lo, n.hi) {
        (Some(lo), Some(hi)) if n.value.scale() > 4 && lo != hi => format!(
            "{v} (from rounded figures: {} … {})",
            number::display(lo),
            number::display(hi)
        ),
        _ => v,
    }
}

impl fmt::Display for Numbers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = self
            .unit
            .as_deref()
            .map(|u| format!(" {u}"))
            .unwrap_or_default();
        let diff = self
            .difference
            .map_or("?".to_string(), |d| format!("{}{unit}", number::display(d)));
        let rounding = match self.rounding {
            Some(w) if w.is_zero() => "both sides exact".to_string(),
            Some(w) => format!("rounding ±{}{unit}", number::display(w)),
            None => "rounding unbounded".to_string(),
        };
        let allowance = match self.tolerance {
            Some(t) if t.percent => format!(
                "tolerance {}% (±{}{unit}) plus {rounding}",
                t.within,
                number::display(t.amount)
            ),
            Some(t) => format!("tolerance ±{}{unit} plus {rounding}", t.within),
            None => rounding,
        };
        let sides = format!(
            "left {}{unit}, right {}{unit}",
            side(&self.left),
            side(&self.right)
        );
        match self.op {
            CmpOp::Eq => write!(f, "{sides}, difference {diff} (beyond {allowance})"),
            CmpOp::Ne => write!(f, "{sides}: equal, but the rule wants them to differ"),
            op => write!(
                f,
                "{sides}, difference {diff} (beyond {allowance}); the rule wants left {} right",
                op.symbol()
            ),
        }
    }
}

/// The help line: "left 1617.42, right 1612.36, difference 5.06 (beyond rounding ±0.01)".
impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::Numbers(n) => n.fmt(f),
            Evidence::Texts { op, left, right } => {
                let wants = if *op == CmpOp::Eq {
                    "the same text"
                } else {
                    "different texts"
                };
                write!(
                    f,
                    "left \"{left}\", right \"{right}\"; the rule wants {wants}"
                )
            }
            Evidence::Condition => f.write_str("the condition does not hold"),
        }
    }
}
