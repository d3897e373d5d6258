//! Properties of the rounding-aware arithmetic (`src/number.rs`).
//!
//! Amounts are drawn as exact yuan and printed in 万元 with two decimals, rounded half away
//! from zero the way a department's spreadsheet prints them. A relation that holds for the
//! exact amounts must never be reported for the printed ones (no false alarm from rounding),
//! and a printed figure moved by more than the rounding interval must be reported. The moves
//! are drawn small (1 to 99 cents beyond the interval), where a blanket tolerance would hide them.

use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use std::path::Path;
use std::sync::Arc;
use tally::dataset::load::parse_dataset;
use tally::number::{CmpOp, Num, Parsed, can_hold};
use tally::rules::ruleset::RuleSet;
use tally::run::check::{CheckOptions, check_dataset};
use tally::source::SourceFile;

/// Few cases, so that the suite stays fast; the inputs are cheap and the space is smooth.
fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// An exact amount in 万元, from whole yuan (4 decimals in 万元).
fn wan(yuan: i64) -> Decimal {
    Decimal::new(yuan, 4)
}

/// Exact amounts up to ten billion yuan: a county's budget fits many times over.
fn yuan() -> impl Strategy<Value = i64> {
    0i64..10_000_000_000
}

/// The figure as printed with two decimals.
fn print(exact: Decimal) -> String {
    exact
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .to_string()
}

/// The printed figure read back the way the YAML loader reads it.
fn read(printed: &str) -> Num {
    match Num::parse(printed) {
        Parsed::Number(n) => n,
        other => panic!("{printed}: {other:?}"),
    }
}

fn printed(exact: Decimal) -> Num {
    read(&print(exact))
}

fn holds(left: Num, right: Num) -> bool {
    can_hold(left, CmpOp::Eq, right, Decimal::ZERO)
}

fn sum(parts: &[Num]) -> Num {
    parts
        .iter()
        .copied()
        .reduce(|a, b| a.add(b).unwrap())
        .unwrap()
}

const CENT: Decimal = Decimal::from_parts(1, 0, 0, false, 2);

proptest! {
    #![proptest_config(config())]

    /// Parts add up to their total: never a false alarm from rounding.
    #[test]
    fn printed_parts_add_up_to_the_printed_total(parts in prop::collection::vec(yuan(), 1..12)) {
        let exact: Vec<Decimal> = parts.iter().map(|&y| wan(y)).collect();
        let total: Decimal = exact.iter().sum();
        let shown: Vec<Num> = exact.iter().map(|&e| printed(e)).collect();
        prop_assert!(holds(sum(&shown), printed(total)));
    }

    /// A printed total off by more than the rounding of all the figures is reported.
    #[test]
    fn a_total_moved_beyond_rounding_is_reported(
        parts in prop::collection::vec(yuan(), 1..12),
        cents in 1i64..100,
        up in any::<bool>(),
    ) {
        let exact: Vec<Decimal> = parts.iter().map(|&y| wan(y)).collect();
        let total: Decimal = exact.iter().sum();
        let shown: Vec<Num> = exact.iter().map(|&e| printed(e)).collect();
        // Each printed figure is within half a cent of its exact amount, so the printed sum
        // and the printed total are at most (n + 1) half-cents apart; a typo of more than
        // (n + 1) cents lies beyond what rounding can explain.
        let slack = Decimal::from(parts.len() as i64 + 1) * CENT;
        let typo = slack + Decimal::from(cents) * CENT;
        let wrong = print(total) .parse::<Decimal>().unwrap() + if up { typo } else { -typo };
        prop_assert!(!holds(sum(&shown), read(&wrong.to_string())));
    }

    /// A printed share equals part / total × 100 computed from the printed amounts.
    #[test]
    fn printed_shares_match_printed_amounts(total in 10_000i64..10_000_000_000, per_mille in 0i64..=1000) {
        let part = total * per_mille / 1000;
        let (part, total) = (wan(part), wan(total));
        let share = part / total * Decimal::ONE_HUNDRED;
        let computed = printed(part)
            .div(printed(total))
            .unwrap()
            .mul(Num::exact(Decimal::ONE_HUNDRED))
            .unwrap();
        prop_assert!(holds(printed(share), computed));
    }

    /// A printed share moved by more than the interval of the computed one is reported.
    #[test]
    fn a_share_moved_beyond_rounding_is_reported(
        total in 10_000i64..10_000_000_000,
        per_mille in 0i64..=1000,
        cents in 1i64..100,
        up in any::<bool>(),
    ) {
        let part = total * per_mille / 1000;
        let (part, total) = (wan(part), wan(total));
        let share = part / total * Decimal::ONE_HUNDRED;
        let computed = printed(part)
            .div(printed(total))
            .unwrap()
            .mul(Num::exact(Decimal::ONE_HUNDRED))
            .unwrap();
        // The computed interval's width plus the printed share's own half cent, and a cent more.
        let slack = computed.half_width().unwrap() * Decimal::TWO + CENT;
        let typo = slack + Decimal::from(cents) * CENT;
        let shown = print(share).parse::<Decimal>().unwrap();
        let wrong = shown + if up { typo } else { -typo };
        prop_assert!(!holds(read(&wrong.to_string()), computed));
    }

    /// A printed change equals current − prior, and a printed change % equals change / prior.
    #[test]
    fn printed_differences_and_changes_hold(current in yuan(), prior in 10_000i64..10_000_000_000) {
        let (current, prior) = (wan(current), wan(prior));
        let change = current - prior;
        let percent = change / prior * Decimal::ONE_HUNDRED;
        let difference = printed(current).sub(printed(prior)).unwrap();
        prop_assert!(holds(printed(change), difference));
        let rate = printed(change)
            .div(printed(prior))
            .unwrap()
            .mul(Num::exact(Decimal::ONE_HUNDRED))
            .unwrap();
        prop_assert!(holds(printed(percent), rate));
    }

    /// A printed change off by more than the rounding of its three figures is reported.
    #[test]
    fn a_change_moved_beyond_rounding_is_reported(
        current in yuan(),
        prior in yuan(),
        cents in 1i64..100,
        up in any::<bool>(),
    ) {
        let (current, prior) = (wan(current), wan(prior));
        let difference = printed(current).sub(printed(prior)).unwrap();
        let typo = Decimal::from(3 + cents) * CENT;
        let shown = print(current - prior).parse::<Decimal>().unwrap();
        let wrong = shown + if up { typo } else { -typo };
        prop_assert!(!holds(read(&wrong.to_string()), difference));
    }
}

fn sum_rule() -> RuleSet {
    let text = r#"rule SUM error "parts add up" { sum(parts) = total }"#;
    RuleSet::from_files(vec![Arc::new(SourceFile::new("sum.tally", text))]).unwrap()
}

/// The number of findings of `sum(parts) = total` on a dataset with those printed figures.
fn sum_findings(rules: &RuleSet, parts: &[String], total: &str) -> usize {
    let text = format!(
        "meta: {{year: 2020}}\nparts: [{}]\ntotal: {total}\n",
        parts.join(", ")
    );
    let mut data = parse_dataset("d.yaml".into(), text, Default::default()).unwrap();
    let report = check_dataset(
        &mut data,
        Path::new("d.yaml"),
        rules,
        &CheckOptions::default(),
    );
    report.findings.len()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..config() })]

    /// The same two properties end to end: YAML text in, findings out.
    #[test]
    fn the_checker_agrees_on_printed_sums(
        parts in prop::collection::vec(yuan(), 1..12),
        cents in 1i64..100,
    ) {
        let rules = sum_rule();
        let exact: Vec<Decimal> = parts.iter().map(|&y| wan(y)).collect();
        let total: Decimal = exact.iter().sum();
        let shown: Vec<String> = exact.iter().map(|&e| print(e)).collect();
        prop_assert_eq!(sum_findings(&rules, &shown, &print(total)), 0);
        let typo = Decimal::from(parts.len() as i64 + 1 + cents) * CENT;
        let wrong = print(total).parse::<Decimal>().unwrap() + typo;
        prop_assert_eq!(sum_findings(&rules, &shown, &wrong.to_string()), 1);
    }
}
