//! Exact, rounding-aware numbers.
//!
//! A figure printed with `d` decimals stands for every amount that rounds to it: the interval
//! `value ± ½·10^-d`. An integer is exact (counts of people and vehicles are integers), and so is
//! every literal written in a rule. Arithmetic carries the intervals along, so a relation can be
//! judged the way the department's own spreadsheet produced the figures: it holds when the two
//! sides' intervals can meet (the idea of XBRL Calculations 1.1). Everything is `rust_decimal`;
//! no value ever passes through `f64`.

use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;

/// rust_decimal keeps at most 28 decimal places.
const MAX_SCALE: u32 = 28;

/// A number with the interval of exact amounts it may stand for.
///
/// `lo`/`hi` are `None` when that side is unbounded (e.g. after dividing by an interval that
/// touches zero): such a number is consistent with anything on that side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Num {
    /// The value as printed (or computed from printed values).
    pub value: Decimal,
    /// Lowest exact amount the value may stand for.
    pub lo: Option<Decimal>,
    /// Highest exact amount the value may stand for.
    pub hi: Option<Decimal>,
}

/// Why a computation could not produce a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArithError {
    /// The divisor is zero.
    DivisionByZero,
    /// The result is beyond rust_decimal's range (about ±7.9·10^28).
    Overflow,
}

impl fmt::Display for ArithError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArithError::DivisionByZero => f.write_str("division by zero"),
            ArithError::Overflow => {
                f.write_str("the result is beyond the range of exact decimals (±7.9·10^28)")
            }
        }
    }
}

/// What a scalar's source text holds when read as a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Parsed {
    /// A decimal number, with the half-width its printed decimals imply.
    Number(Num),
    /// It has the syntax of a number but does not fit in a decimal (too many digits).
    OutOfRange,
    /// Not a number at all.
    NotANumber,
}

// `add`, `sub`, … return a `Result` (overflow, division by zero), so they cannot be the
// std::ops traits; the names still read best in the evaluator.
#[allow(clippy::should_implement_trait)]
impl Num {
    /// An exact number (a rule literal, or an integer count).
    pub fn exact(value: Decimal) -> Num {
        Num {
            value,
            lo: Some(value),
            hi: Some(value),
        }
    }

    /// A number that stands for `value ± half`.
    pub fn around(value: Decimal, half: Decimal) -> Num {
        Num {
            value,
            lo: value.checked_sub(half),
            hi: value.checked_add(half),
        }
    }

    /// Reads a plain decimal literal (`-12.50`, `+3`, `447.00`) exactly as written.
    ///
    /// Only the plain positional form counts as a number: `1e5`, `0x1F`, `.inf` or `12.5%` are
    /// text. Money is never written in those forms, and guessing would hide typos.
    pub fn parse(text: &str) -> Parsed {
        let Some(decimals) = decimal_places(text) else {
            return Parsed::NotANumber;
        };
        match Decimal::from_str(text.trim_start_matches('+')) {
            Ok(value) => Parsed::Number(Num::around(value, half_unit(decimals))),
            Err(_) => Parsed::OutOfRange,
        }
    }

    /// Widens the interval so that it is at least `± half` around the value.
    pub fn widen_to(self, half: Decimal) -> Num {
        let lo = self.value.checked_sub(half);
        let hi = self.value.checked_add(half);
        Num {
            value: self.value,
            lo: min_lo(self.lo, lo),
            hi: max_hi(self.hi, hi),
        }
    }

    /// True when the number stands for one exact amount.
    pub fn is_exact(&self) -> bool {
        self.lo == Some(self.value) && self.hi == Some(self.value)
    }

    /// Half the width of the interval around the value, at its wider side (None if unbounded).
    pub fn half_width(&self) -> Option<Decimal> {
        let below = self.value.checked_sub(self.lo?)?;
        let above = self.hi?.checked_sub(self.value)?;
        Some(below.max(above))
    }

    /// `self + other`.
    pub fn add(self, other: Num) -> Result<Num, ArithError> {
        Ok(Num {
            value: self
                .value
                .checked_add(other.value)
                .ok_or(ArithError::Overflow)?,
            lo: both(self.lo, other.lo, Decimal::checked_add),
            hi: both(self.hi, other.hi, Decimal::checked_add),
        })
    }

    /// `self - other`.
    pub fn sub(self, other: Num) -> Result<Num, ArithError> {
        self.add(other.neg())
    }

    /// `-self`.
    pub fn neg(self) -> Num {
        Num {
            value: -self.value,
            lo: self.hi.map(|h| -h),
            hi: self.lo.map(|l| -l),
        }
    }

    /// `self * other`: the interval is spanned by the products of the bounds.
    pub fn mul(self, other: Num) -> Result<Num, ArithError> {
        let value = self
            .value
            .checked_mul(other.value)
            .ok_or(ArithError::Overflow)?;
        let (lo, hi) = match non_negative_bounds(self, other) {
            // Both sides ≥ 0: the product grows with each, so the ends pair up.
            Some((al, ah, bl, bh)) => ends(al.checked_mul(bl), ah.checked_mul(bh)),
            None => span_of_products(self, other, |a, b| a.checked_mul(b)),
        };
        Ok(Num { value, lo, hi })
    }

    /// `self / other`. The divisor's printed value must not be zero; when only its interval
    /// touches zero, the quotient is unbounded on that side.
    pub fn div(self, other: Num) -> Result<Num, ArithError> {
        if other.value.is_zero() {
            return Err(ArithError::DivisionByZero);
        }
        let value = self
            .value
            .checked_div(other.value)
            .ok_or(ArithError::Overflow)?;
        let touches_zero = match (other.lo, other.hi) {
            (Some(lo), Some(hi)) => lo <= Decimal::ZERO && hi >= Decimal::ZERO,
            _ => true,
        };
        if touches_zero {
            return Ok(Num {
                value,
                lo: None,
                hi: None,
            });
        }
        let (lo, hi) = match non_negative_bounds(self, other) {
            // A dividend ≥ 0 over a divisor > 0 (it does not touch zero): the quotient grows
            // with the dividend and shrinks with the divisor.
            Some((al, ah, bl, bh)) => ends(al.checked_div(bh), ah.checked_div(bl)),
            None => span_of_products(self, other, |a, b| a.checked_div(b)),
        };
        Ok(Num { value, lo, hi })
    }

    /// `|self|`: an interval that straddles zero has 0 as its lowest absolute value.
    pub fn abs(self) -> Num {
        let value = self.value.abs();
        let zero = Decimal::ZERO;
        let (lo, hi) = match (self.lo, self.hi) {
            (Some(l), h) if l >= zero => (Some(l), h),
            (l, Some(h)) if h <= zero => (Some(-h), l.map(|l| -l)),
            (Some(l), Some(h)) => (Some(zero), Some(h.max(-l))),
            _ => (Some(zero), None),
        };
        Num { value, lo, hi }
    }

    /// Rounds the value and both bounds to `digits` decimals (half away from zero, as
    /// accountants round).
    pub fn round(self, digits: u32) -> Num {
        let r = |d: Decimal| {
            d.round_dp_with_strategy(
                digits.min(MAX_SCALE),
                rust_decimal::RoundingStrategy::MidpointAwayFromZero,
            )
        };
        Num {
            value: r(self.value),
            lo: self.lo.map(r),
            hi: self.hi.map(r),
        }
    }
}

/// How a comparison is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `!=`, `≠`
    Ne,
    /// `<`
    Lt,
    /// `<=`, `≤`
    Le,
    /// `>`
    Gt,
    /// `>=`, `≥`
    Ge,
}

impl CmpOp {
    /// The comparison that holds exactly when this one does not.
    pub fn negated(self) -> CmpOp {
        match self {
            CmpOp::Eq => CmpOp::Ne,
            CmpOp::Ne => CmpOp::Eq,
            CmpOp::Lt => CmpOp::Ge,
            CmpOp::Le => CmpOp::Gt,
            CmpOp::Gt => CmpOp::Le,
            CmpOp::Ge => CmpOp::Lt,
        }
    }

    /// The comparison with its sides swapped: `a op b` holds exactly when `b op.swapped() a`
    /// does.
    pub fn swapped(self) -> CmpOp {
        match self {
            CmpOp::Eq | CmpOp::Ne => self,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
        }
    }

    /// The operator as written in rules.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Whether `left op right` can hold for some exact amounts inside both intervals, each side
/// widened by the extra tolerance `tol` (≥ 0).
pub fn can_hold(left: Num, op: CmpOp, right: Num, tol: Decimal) -> bool {
    let lo_l = left.lo.and_then(|v| v.checked_sub(tol));
    let hi_l = left.hi.and_then(|v| v.checked_add(tol));
    let both_rounded = tol.is_zero() && left.lo != left.hi && right.lo != right.hi;
    bounds_can_hold((lo_l, hi_l), op, (right.lo, right.hi), both_rounded)
}

/// [`can_hold`] on the bounds of two intervals (`None`: unbounded on that side), of any exact
/// number type: `both_rounded` when neither side is a single amount and no tolerance applies.
pub fn bounds_can_hold<T: PartialOrd + Copy>(
    (lo_l, hi_l): (Option<T>, Option<T>),
    op: CmpOp,
    (lo_r, hi_r): (Option<T>, Option<T>),
    both_rounded: bool,
) -> bool {
    // Touching is not meeting. A figure rounded to d decimals stands for a half-open interval
    // ([v − h, v + h) for positive v), because the amount on the boundary rounds to one side
    // only: 1170.44 and 1170.45 cannot be roundings of the same amount although their closed
    // intervals share 1170.445. So when two rounded sides only share an end, the relation
    // does not hold; an exact side (a count, a literal) on the end still does, and an explicit
    // tolerance is inclusive (`within 0.01` allows a difference of exactly 0.01).
    // `None` bounds are infinite, so they always allow the relation on their side.
    let le = |a: Option<T>, b: Option<T>| match (a, b) {
        (Some(a), Some(b)) => a < b || (a == b && !both_rounded),
        _ => true,
    };
    let lt = |a: Option<T>, b: Option<T>| match (a, b) {
        (Some(a), Some(b)) => a < b,
        _ => true,
    };
    match op {
        CmpOp::Eq => le(lo_l, hi_r) && le(lo_r, hi_l),
        CmpOp::Ne => {
            // Differ unless both sides are the very same single amount.
            !(lo_l == hi_l && lo_r == hi_r && lo_l == lo_r && lo_l.is_some())
        }
        CmpOp::Lt => lt(lo_l, hi_r),
        CmpOp::Le => le(lo_l, hi_r),
        CmpOp::Gt => lt(lo_r, hi_l),
        CmpOp::Ge => le(lo_r, hi_l),
    }
}

/// Whether `left op right` surely holds, i.e. its negation cannot hold: how a `when`
/// condition is read for `<`, `>` and `!=`, so that a rule's extra demands apply only where
/// the printed figures certainly call for them (`when completion < 100` is false for a rate
/// printed 100.00, which may stand for 99.996).
pub fn surely_holds(left: Num, op: CmpOp, right: Num, tol: Decimal) -> bool {
    !can_hold(left, op.negated(), right, tol)
}

/// Formats a computed value for people: printed values keep their decimals; long quotients are
/// cut to four decimals.
pub fn display(value: Decimal) -> String {
    if value.scale() <= 4 {
        return value.to_string();
    }
    let cut = value.round_dp(4);
    // A tiny non-zero amount (a difference in the 20th decimal) must not read as 0.
    if cut.is_zero() && !value.is_zero() {
        value.normalize().to_string()
    } else {
        cut.normalize().to_string()
    }
}

/// The number of decimals in a plain decimal literal, or None if `text` is not one.
pub(crate) fn decimal_places(text: &str) -> Option<u32> {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) {
        return None;
    }
    match frac {
        None => Some(0),
        Some(f) if digits(f) => Some(f.len() as u32),
        Some(_) => None,
    }
}

/// ½·10^-d: half of the last printed digit's unit; zero for integers, which are exact.
/// Beyond 28 decimals the value itself is rounded to 28, so that rounding is the interval.
pub fn half_unit(decimals: u32) -> Decimal {
    if decimals == 0 {
        Decimal::ZERO
    } else {
        Decimal::new(5, (decimals + 1).min(MAX_SCALE))
    }
}

fn both(
    a: Option<Decimal>,
    b: Option<Decimal>,
    f: fn(Decimal, Decimal) -> Option<Decimal>,
) -> Option<Decimal> {
    f(a?, b?)
}

fn min_lo(a: Option<Decimal>, b: Option<Decimal>) -> Option<Decimal> {
    Some(a?.min(b?))
}

fn max_hi(a: Option<Decimal>, b: Option<Decimal>) -> Option<Decimal> {
    Some(a?.max(b?))
}

/// The bounds of `a` and `b` when both are finite and at least zero (amounts of money, most
/// often): products and quotients are then spanned by two of the four pairs of ends, half the
/// work of [`span_of_products`], which gives the same interval.
fn non_negative_bounds(a: Num, b: Num) -> Option<(Decimal, Decimal, Decimal, Decimal)> {
    let (Some(al), Some(ah), Some(bl), Some(bh)) = (a.lo, a.hi, b.lo, b.hi) else {
        return None;
    };
    (al.is_sign_positive() && bl.is_sign_positive()).then_some((al, ah, bl, bh))
}

/// Both ends, or neither: an interval with one end lost to overflow is unbounded both ways,
/// as [`span_of_products`] makes it.
fn ends(lo: Option<Decimal>, hi: Option<Decimal>) -> (Option<Decimal>, Option<Decimal>) {
    match (lo, hi) {
        (Some(lo), Some(hi)) => (Some(lo), Some(hi)),
        _ => (None, None),
    }
}

/// The lowest and highest of `f` over the four pairs of bounds; unbounded if any bound is
/// infinite or a product overflows.
fn span_of_products(
    a: Num,
    b: Num,
    f: impl Fn(Decimal, Decimal) -> Option<Decimal>,
) -> (Option<Decimal>, Option<Decimal>) {
    let (Some(al), Some(ah), Some(bl), Some(bh)) = (a.lo, a.hi, b.lo, b.hi) else {
        return (None, None);
    };
    let mut products = [al, ah].into_iter().flat_map(|x| [bl, bh].map(|y| f(x, y)));
    let first = products.next().flatten();
    let Some(first) = first else {
        return (None, None);
    };
    let mut lo = first;
    let mut hi = first;
    for p in products {
        let Some(p) = p else { return (None, None) };
        lo = lo.min(p);
        hi = hi.max(p);
    }
    (Some(lo), Some(hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Num {
        match Num::parse(text) {
            Parsed::Number(n) => n,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn lit(text: &str) -> Num {
        Num::exact(Decimal::from_str(text).unwrap())
    }

    /// Intervals of money: a value with 0–4 decimals, its bounds half a unit either side.
    fn money() -> impl proptest::strategy::Strategy<Value = Num> {
        use proptest::strategy::Strategy;
        (0i64..1_000_000_000_000, 0u32..5)
            .prop_map(|(m, d)| Num::around(Decimal::new(m, d), half_unit(d)))
    }

    proptest::proptest! {
        #[test]
        fn non_negative_products_and_quotients_span_what_all_four_ends_span(
            a in money(),
            b in money(),
        ) {
            let quick = a.mul(b).map(|n| (n.lo, n.hi));
            let full = Ok(span_of_products(a, b, |x, y| x.checked_mul(y)));
            proptest::prop_assert_eq!(quick, full);
            if let Ok(q) = a.div(b).map(|n| (n.lo, n.hi)) && q != (None, None) {
                let full = span_of_products(a, b, |x, y| x.checked_div(y));
                proptest::prop_assert_eq!(q, full);
            }
        }
    }

    fn holds(l: Num, op: CmpOp, r: Num) -> bool {
        can_hold(l, op, r, Decimal::ZERO)
    }

    #[test]
    fn printed_decimals_set_the_interval() {
        let x = n("12.50");
        assert_eq!(x.lo, Some(Decimal::from_str("12.495").unwrap()));
        assert_eq!(x.hi, Some(Decimal::from_str("12.505").unwrap()));
        assert!(n("260").is_exact());
        assert_eq!(n("447.00").value.to_string(), "447.00");
        assert_eq!(
            n("12345678901234567.89").value.to_string(),
            "12345678901234567.89"
        );
    }

    #[test]
    fn only_plain_decimals_are_numbers() {
        for text in ["1e5", "0x1F", ".5", "5.", "12.5%", "", "-", "1,000", ".inf"] {
            assert_eq!(Num::parse(text), Parsed::NotANumber, "{text}");
        }
        assert_eq!(
            Num::parse("99999999999999999999999999999999"),
            Parsed::OutOfRange
        );
        assert!(matches!(Num::parse("+3"), Parsed::Number(_)));
    }

    #[test]
    fn thirds_add_up_to_one() {
        let sum = n("0.33").add(n("0.33")).unwrap().add(n("0.33")).unwrap();
        assert!(holds(sum, CmpOp::Eq, n("1.00")));
        assert!(!holds(n("1.02"), CmpOp::Eq, sum));
    }

    #[test]
    fn share_within_rounding_passes_and_typo_fails() {
        let share = n("1.00").div(n("8.01")).unwrap().mul(lit("100")).unwrap();
        assert!(holds(n("12.50"), CmpOp::Eq, share));
        assert!(!holds(n("12.60"), CmpOp::Eq, share));
    }

    #[test]
    fn counts_are_exact() {
        let sum = n("0").add(n("0")).unwrap().add(n("1")).unwrap();
        assert!(!holds(sum, CmpOp::Eq, n("0")));
    }

    #[test]
    fn orderings_hold_when_they_can() {
        // 90.004 could be 90.0 printed, so 90.00 <= 90 can hold; 90.01 <= 90 cannot.
        assert!(holds(n("90.00"), CmpOp::Le, lit("90")));
        assert!(!holds(n("90.01"), CmpOp::Le, lit("90")));
        assert!(holds(n("5"), CmpOp::Lt, lit("6")));
        assert!(!holds(n("6"), CmpOp::Lt, lit("6")));
        assert!(holds(n("6.0"), CmpOp::Gt, lit("6")));
        assert!(!holds(n("6"), CmpOp::Gt, lit("6")));
        assert!(!holds(n("6"), CmpOp::Ne, lit("6")));
        assert!(holds(n("6.0"), CmpOp::Ne, lit("6")));
    }

    #[test]
    fn rounded_figures_that_only_touch_differ() {
        assert!(!holds(n("1170.45"), CmpOp::Eq, n("1170.44")));
        assert!(!holds(n("1170.45"), CmpOp::Le, n("1170.44")));
        assert!(!holds(n("1170.44"), CmpOp::Ge, n("1170.45")));
        assert!(holds(n("1170.44"), CmpOp::Eq, n("1170.44")));
        // An exact amount on the boundary still meets: 1170.445 rounds to 1170.45.
        assert!(holds(n("1170.45"), CmpOp::Eq, lit("1170.445")));
        // An explicit tolerance is inclusive.
        let tol = Decimal::from_str("0.00").unwrap() + Decimal::new(1, 2);
        assert!(can_hold(n("100.01"), CmpOp::Eq, lit("100"), tol));
    }

    #[test]
    fn surely_holds_is_the_strict_reading() {
        assert!(!surely_holds(
            n("100.00"),
            CmpOp::Lt,
            lit("100"),
            Decimal::ZERO
        ));
        assert!(surely_holds(
            n("99.99"),
            CmpOp::Lt,
            lit("100"),
            Decimal::ZERO
        ));
        assert!(!surely_holds(n("0.00"), CmpOp::Gt, lit("0"), Decimal::ZERO));
        assert!(surely_holds(n("0.01"), CmpOp::Gt, lit("0"), Decimal::ZERO));
        assert!(!surely_holds(n("0.00"), CmpOp::Ne, lit("0"), Decimal::ZERO));
    }

    #[test]
    fn tolerance_widens_both_ways() {
        let tol = Decimal::from_str("0.01").unwrap();
        assert!(can_hold(n("100.01"), CmpOp::Eq, lit("100"), tol));
        assert!(!can_hold(n("100.02"), CmpOp::Eq, lit("100"), tol));
    }

    #[test]
    fn division_by_zero_and_overflow_are_errors() {
        assert_eq!(lit("1").div(n("0")), Err(ArithError::DivisionByZero));
        let big = lit("79228162514264337593543950335");
        assert_eq!(big.add(big), Err(ArithError::Overflow));
        assert_eq!(big.mul(lit("2")), Err(ArithError::Overflow));
    }

    #[test]
    fn divisor_touching_zero_is_unbounded() {
        let q = lit("1").div(n("0.001").sub(n("0.001")).unwrap().add(n("0.001")).unwrap());
        let q = q.unwrap();
        assert_eq!((q.lo, q.hi), (None, None));
        assert!(holds(q, CmpOp::Eq, lit("123456")));
    }

    #[test]
    fn negation_and_abs_keep_intervals() {
        let x = n("-1.5");
        assert_eq!(x.abs().value, Decimal::from_str("1.5").unwrap());
        assert_eq!(x.abs().lo, Some(Decimal::from_str("1.45").unwrap()));
        let straddle = n("0.0").sub(lit("0")).unwrap().neg();
        assert_eq!(straddle.abs().lo, Some(Decimal::ZERO));
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(lit("2.345").round(2).value.to_string(), "2.35");
        assert_eq!(lit("-2.345").round(2).value.to_string(), "-2.35");
    }

    #[test]
    fn display_cuts_long_quotients() {
        assert_eq!(
            display(lit("1").div(lit("3")).unwrap().value).as_str(),
            "0.3333"
        );
        assert_eq!(display(Decimal::from_str("1617.42").unwrap()), "1617.42");
        assert_eq!(
            display(Decimal::from_str("0.00000000000000000001000").unwrap()),
            "0.00000000000000000001"
        );
    }
}
