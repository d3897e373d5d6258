//! A number read from a dataset, stored compactly.
//!
//! A dataset holds hundreds of thousands of figures, and a [`Num`] (a value and two optional
//! bounds) takes 56 bytes. A printed figure's interval follows from the value and its printed
//! decimals (and any `meta.precision` that widens it), so a [`Figure`] keeps only those and
//! works the interval out when the evaluator reads it: 20 bytes instead of 56.

use crate::number::{Num, decimal_places, half_unit};
use rust_decimal::Decimal;
use std::str::FromStr;

/// A figure as printed: its exact value, its printed decimals, and the decimals a
/// `meta.precision` declares it was rounded to (if any).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figure {
    value: Decimal,
    decimals: u8,
    /// The decimals it was declared rounded to; negative for tens, hundreds … (an amount in
    /// 万元 with two decimals, read in 元, was rounded to hundreds: -2).
    rounded_to: Option<i8>,
    /// Cut after its printed decimals rather than rounded (`meta.precision: truncate`).
    truncated: bool,
}

impl Figure {
    /// A figure printed with `decimals` decimals (`447.00` has 2; an integer has 0 and is exact).
    pub fn printed(value: Decimal, decimals: usize) -> Figure {
        Figure {
            value,
            decimals: decimals.min(usize::from(u8::MAX)) as u8,
            rounded_to: None,
            truncated: false,
        }
    }

    /// Reads a plain decimal literal as [`Num::parse`] does, without working out its interval
    /// yet: `None` when the text is not a number, `Some(Err(()))` when it has the syntax of
    /// one but too many digits.
    pub fn read(text: &str) -> Option<Result<Figure, ()>> {
        match Figure::read_short(text) {
            Short::Figure(figure) => return Some(Ok(figure)),
            Short::NotANumber => return None,
            Short::Unsure => {}
        }
        let decimals = decimal_places(text)?;
        Some(
            Decimal::from_str(text.trim_start_matches('+'))
                .map(|value| Figure::printed(value, decimals as usize))
                .map_err(|_| ()),
        )
    }

    /// The common cases in one pass: a plain decimal of at most 18 digits, whose digits fit a
    /// machine integer exactly (a dataset holds mostly these, and `Decimal::from_str` after
    /// [`decimal_places`] cost several times more), and text that is plainly not a number
    /// (half the plain scalars of a dataset are names, which [`decimal_places`] would scan
    /// again). Longer numbers and a negative zero are left to the general path.
    fn read_short(text: &str) -> Short {
        let bytes = text.as_bytes();
        let (negative, body) = match bytes.first() {
            Some(b'-') => (true, &bytes[1..]),
            Some(b'+') => (false, &bytes[1..]),
            _ => (false, bytes),
        };
        let mut mantissa: i64 = 0;
        let mut digits = 0;
        let mut point = None;
        for (i, &b) in body.iter().enumerate() {
            match b {
                // Past 18 digits the mantissa could overflow an i64.
                b'0'..=b'9' if digits == 18 => return Short::Unsure,
                b'0'..=b'9' => {
                    mantissa = mantissa * 10 + i64::from(b - b'0');
                    digits += 1;
                }
                b'.' if point.is_none() && digits > 0 => point = Some(i),
                // A sign inside, a second point, a point first, or any other byte: not the
                // shape [`decimal_places`] accepts.
                _ => return Short::NotANumber,
            }
        }
        let decimals = match point {
            Some(p) if p + 1 == body.len() => return Short::NotANumber, // `5.`
            Some(p) => body.len() - p - 1,
            None => 0,
        };
        if digits == 0 {
            return Short::NotANumber; // ``, `+`, `-`
        }
        if negative && mantissa == 0 {
            return Short::Unsure;
        }
        let value = Decimal::new(if negative { -mantissa } else { mantissa }, decimals as u32);
        Short::Figure(Figure::printed(value, decimals))
    }

    /// The value as printed.
    pub fn value(&self) -> Decimal {
        self.value
    }

    /// How many decimals it was printed with.
    pub fn decimals(&self) -> u32 {
        u32::from(self.decimals)
    }

    /// The decimals `meta.precision` (or a change of unit) declares it was rounded to, if any.
    pub fn declared_rounding(&self) -> Option<i32> {
        self.rounded_to.map(i32::from)
    }

    /// Whether the figure was declared cut rather than rounded.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// Declares that the figure was cut after its printed decimals, not rounded (from
    /// `meta.precision`): 13.7168% printed 13.71 stands for [13.71, 13.72].
    pub fn truncate(&mut self) {
        self.truncated = true;
    }

    /// The value with the interval of exact amounts it stands for: `± ½·10^-decimals`, widened
    /// to `meta.precision`'s rounding when that is coarser; for a figure cut rather than
    /// rounded, one unit of its last decimal away from zero (`-2.5` cut stands for −2.6 … −2.5).
    pub fn num(&self) -> Num {
        let printed = if self.truncated {
            let unit = Decimal::new(1, u32::from(self.decimals).min(28));
            let (lo, hi) = if self.value.is_sign_negative() {
                (self.value.checked_sub(unit), Some(self.value))
            } else {
                (Some(self.value), self.value.checked_add(unit))
            };
            Num {
                value: self.value,
                lo,
                hi,
            }
        } else {
            Num::around(self.value, half_unit(u32::from(self.decimals)))
        };
        match self.rounded_to {
            None => printed,
            Some(d) => printed.widen_to(rounding_half(i32::from(d))),
        }
    }

    /// Declares that the figure was rounded to `decimals` (from `meta.precision`); the widest
    /// of several declarations wins, as each one only widens the interval.
    pub fn rounded_to(&mut self, decimals: i32) {
        let d = decimals.clamp(-28, 28) as i8;
        self.rounded_to = Some(self.rounded_to.map_or(d, |old| old.min(d)));
    }

    /// The same amount in a unit `10^shift` times smaller (`shift` 4: from 万元 to 元, -4: from
    /// 元 to 万元), with the same interval of exact amounts: 12.34 万元 (± 0.005) is 123400 元
    /// (± 50); 1234.56 元 is 0.123456 万元. None when the value leaves the decimal range.
    pub fn rescaled(&self, shift: i32) -> Option<Figure> {
        let factor = Decimal::from_i128_with_scale(10_i128.checked_pow(shift.unsigned_abs())?, 0);
        let value = if shift >= 0 {
            self.value.checked_mul(factor)?
        } else {
            self.value.checked_div(factor)?
        };
        let decimals = i32::from(self.decimals) - shift;
        let mut out = Figure {
            value,
            decimals: decimals.clamp(0, 255) as u8,
            rounded_to: self
                .rounded_to
                .map(|d| (i32::from(d) - shift).clamp(-28, 28) as i8),
            truncated: self.truncated,
        };
        // A rounded figure (it has decimals) read in a larger unit was rounded to tens,
        // hundreds …: its interval keeps its width. An integer stays exact.
        if decimals < 0 && self.decimals > 0 {
            out.rounded_to(decimals);
        }
        Some(out)
    }
}

/// What the one-pass reading of [`Figure::read_short`] made of a text.
enum Short {
    /// A number, read.
    Figure(Figure),
    /// Surely not a number.
    NotANumber,
    /// Left to the general path.
    Unsure,
}

/// Half the unit of a figure rounded to `decimals`: unlike [`half_unit`], 0 decimals means
/// "rounded to a whole number", ± 0.5, and negative decimals tens (± 5), hundreds (± 50) ….
pub fn rounding_half(decimals: i32) -> Decimal {
    match decimals {
        d if d > 0 => half_unit(d as u32),
        d => Decimal::new(5, 1) * Decimal::from_i128_with_scale(10_i128.pow((-d) as u32), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::number::Parsed;

    #[test]
    fn a_figure_read_in_another_unit_keeps_its_interval() {
        let wan = figure("12.34").rescaled(4).unwrap();
        let n = wan.num();
        assert_eq!(n.value, Decimal::new(123400, 0));
        assert_eq!(
            (n.lo, n.hi),
            (Some(Decimal::new(123350, 0)), Some(Decimal::new(123450, 0))),
            "± 0.005 万元 is ± 50 元"
        );
        let yuan = figure("1234.56").rescaled(-4).unwrap();
        let n = yuan.num();
        assert_eq!(n.value, Decimal::new(123456, 6));
        assert_eq!(n.hi, Some(Decimal::new(1234565, 7)));
        assert!(
            figure("2647").rescaled(4).unwrap().num().is_exact(),
            "an integer stays exact"
        );
    }

    #[test]
    fn a_cut_figure_stands_for_one_unit_away_from_zero() {
        let mut f = figure("13.71");
        f.truncate();
        let n = f.num();
        assert_eq!(
            (n.lo, n.hi),
            (Some(Decimal::new(1371, 2)), Some(Decimal::new(1372, 2)))
        );
        let mut f = figure("-2.5");
        f.truncate();
        let n = f.num();
        assert_eq!(
            (n.lo, n.hi),
            (Some(Decimal::new(-26, 1)), Some(Decimal::new(-25, 1)))
        );
        let mut f = figure("40");
        f.truncate();
        assert_eq!(
            f.num().hi,
            Some(Decimal::new(41, 0)),
            "an integer cut stands for [40, 41]"
        );
    }

    fn figure(text: &str) -> Figure {
        Figure::read(text).unwrap().unwrap()
    }

    #[test]
    fn the_interval_is_the_one_num_parse_gives() {
        for text in ["447.00", "0", "260", "-12.5", "0.333", "12345678.1234567"] {
            let Parsed::Number(n) = Num::parse(text) else {
                panic!()
            };
            assert_eq!(figure(text).num(), n, "{text}");
        }
    }

    #[test]
    fn reading_sorts_text_as_num_parse_does() {
        for text in [
            "12", "+3.50", "-0.5", "abc", "1e5", "5.", ".5", "12.5%", "", "-",
        ] {
            let ours = match Figure::read(text) {
                None => "text",
                Some(Err(())) => "out of range",
                Some(Ok(_)) => "number",
            };
            let theirs = match Num::parse(text) {
                Parsed::NotANumber => "text",
                Parsed::OutOfRange => "out of range",
                Parsed::Number(_) => "number",
            };
            assert_eq!(ours, theirs, "{text}");
        }
        assert_eq!(
            Figure::read("123456789012345678901234567890"),
            Some(Err(()))
        );
    }

    proptest::proptest! {
        /// The one-pass reading gives exactly what the general path gives.
        #[test]
        fn the_short_path_agrees_with_the_general_one(
            text in "[+-]?[0-9]{0,22}(\\.[0-9]{0,8})?|[+-]?[0-9]{17,20}|[0-9.+a-z名-]{0,6}"
        ) {
            let general = decimal_places(&text).map(|d| {
                Decimal::from_str(text.trim_start_matches('+'))
                    .map(|v| (v.mantissa(), v.scale(), v.is_sign_negative(), d))
                    .map_err(|_| ())
            });
            let short = Figure::read(&text)
                .map(|r| r.map(|f| {
                    let v = f.value();
                    (v.mantissa(), v.scale(), v.is_sign_negative(), u32::from(f.decimals))
                }));
            proptest::prop_assert_eq!(short, general);
        }
    }

    #[test]
    fn long_integers_are_read_exactly() {
        // Nineteen digits would overflow the one-pass reading's machine integer.
        for text in [
            "9999999999999999999",
            "-9223372036854775809",
            "123456789012345678.5",
        ] {
            assert_eq!(figure(text).value().to_string(), text);
        }
    }

    #[test]
    fn declared_rounding_widens_and_the_widest_wins() {
        let mut f = figure("40");
        assert!(f.num().is_exact());
        f.rounded_to(2);
        f.rounded_to(0);
        f.rounded_to(1);
        let n = f.num();
        assert_eq!(n.lo.unwrap().to_string(), "39.5");
        assert_eq!(n.hi.unwrap().to_string(), "40.5");
        // A declaration finer than the printed decimals changes nothing.
        let mut g = figure("1.5");
        g.rounded_to(3);
        assert_eq!(g.num(), figure("1.5").num());
    }

    #[test]
    fn a_figure_is_small() {
        assert!(std::mem::size_of::<Figure>() <= 20);
    }
}
