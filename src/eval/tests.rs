//! The evaluator's parts, one rule on one small dataset at a time: the evidence a failed check
//! carries, `when` strictness, `??` defaults, message interpolation and loops. Each runs with
//! the fast path on and off, and both must agree.

use super::{Data, run_with};
use crate::dataset::load::parse_dataset;
use crate::eval::deadline::Deadline;
use crate::eval::path_cache::PathCache;
use crate::evidence::{Evidence, Numbers, Tolerance};
use crate::finding::Finding;
use crate::number::{CmpOp, Num};
use crate::rules::ruleset::RuleSet;
use crate::source::SourceFile;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// The findings of a one-rule file (`rule R error "…" { BODY }`) on `yaml`, checked to be the
/// same with the fast path on and off.
fn findings_of(message: &str, body: &str, yaml: &str) -> Vec<Finding> {
    outcome_of(message, body, yaml).findings
}

/// What a one-rule file gives on `yaml`: findings and the checks that did not apply, the same
/// with the fast path on and off.
fn outcome_of(message: &str, body: &str, yaml: &str) -> super::Outcome {
    let text = format!("rule R error \"{message}\" {{\n{body}\n}}\n");
    let set = RuleSet::from_files(vec![Arc::new(SourceFile::new("t.tally", text))])
        .unwrap_or_else(|e| panic!("rules: {e:?}"));
    let data = parse_dataset("d.yaml".into(), yaml.into(), Default::default()).expect("dataset");
    let data = Data {
        root: &data.root,
        file: &data.file,
    };
    let mut each = [true, false].map(|fast| {
        let mut cache = PathCache::new(&set);
        let mut deadline = Deadline::after(None);
        let mut all = super::Outcome::default();
        for rule in &set.rules {
            let one = run_with(rule, data, None, &mut cache, &mut deadline, fast, true);
            all.findings.extend(one.findings);
            all.not_applicable.extend(one.not_applicable);
        }
        all
    });
    assert_eq!(
        format!("{:?}", each[0]),
        format!("{:?}", each[1]),
        "the fast path changed the outcome"
    );
    std::mem::take(&mut each[0])
}

/// What did not apply, as "what (at the text of the rule it stands for)".
fn not_applicable(body: &str, yaml: &str) -> Vec<String> {
    let outcome = outcome_of("m", body, yaml);
    assert!(outcome.findings.is_empty(), "{:#?}", outcome.findings);
    let text = format!("rule R error \"m\" {{\n{body}\n}}\n");
    outcome
        .not_applicable
        .iter()
        .map(|n| format!("{} ({})", n.what, &text[n.site.range()]))
        .collect()
}

fn findings(body: &str, yaml: &str) -> Vec<Finding> {
    findings_of("m", body, yaml)
}

/// The evidence of the only finding.
fn evidence(body: &str, yaml: &str) -> Evidence {
    let found = findings(body, yaml);
    assert_eq!(found.len(), 1, "{found:#?}");
    found[0].evidence.clone().expect("evidence")
}

fn numbers(body: &str, yaml: &str) -> Numbers {
    match evidence(body, yaml) {
        Evidence::Numbers(n) => n,
        other => panic!("not numbers: {other:?}"),
    }
}

#[test]
fn evidence_of_rounded_figures_has_their_intervals_difference_and_rounding() {
    let n = numbers("a = b", "a: 25.65\nb: 25.15\n");
    assert_eq!(n.op, CmpOp::Eq);
    assert_eq!(n.left, Num::around(d("25.65"), d("0.005")));
    assert_eq!(
        (n.left.lo, n.left.hi),
        (Some(d("25.645")), Some(d("25.655")))
    );
    assert_eq!(
        (n.right.lo, n.right.hi),
        (Some(d("25.145")), Some(d("25.155")))
    );
    assert_eq!(n.difference, Some(d("0.50")));
    assert_eq!(n.rounding, Some(d("0.01")));
    assert_eq!(n.tolerance, None);
    assert_eq!(n.allowed, Some(d("0.01")));
    assert_eq!(
        Evidence::Numbers(n).to_string(),
        "left 25.65, right 25.15, difference 0.50 (beyond rounding ±0.01)"
    );
}

#[test]
fn evidence_of_a_sum_carries_the_summed_interval() {
    // 0.33 + 0.33 + 0.33 stands for 0.975 … 1.005; 1.02 lies beyond it.
    let n = numbers("a + b + c = t", "a: 0.33\nb: 0.33\nc: 0.33\nt: 1.02\n");
    assert_eq!(n.left.value, d("0.99"));
    assert_eq!((n.left.lo, n.left.hi), (Some(d("0.975")), Some(d("1.005"))));
    assert_eq!(n.difference, Some(d("-0.03")));
    assert_eq!(n.rounding, Some(d("0.02")));
}

#[test]
fn evidence_of_exact_sides_allows_nothing() {
    let n = numbers("a + b = t", "a: 1\nb: 2\nt: 4\n");
    assert_eq!(n.rounding, Some(Decimal::ZERO));
    assert_eq!(n.allowed, Some(Decimal::ZERO));
    assert!(n.left.is_exact() && n.right.is_exact());
    assert_eq!(
        Evidence::Numbers(n).to_string(),
        "left 3, right 4, difference -1 (beyond both sides exact)"
    );
}

#[test]
fn evidence_of_an_absolute_tolerance_adds_it_to_the_rounding() {
    let n = numbers("a = b within 0.01", "a: 10.00\nb: 10.03\n");
    let t = n.tolerance.expect("tolerance");
    assert_eq!(
        t,
        Tolerance {
            within: d("0.01"),
            percent: false,
            amount: d("0.01"),
        }
    );
    assert_eq!(n.allowed, Some(d("0.02")));
    assert_eq!(
        Evidence::Numbers(n).to_string(),
        "left 10.00, right 10.03, difference -0.03 (beyond tolerance ±0.01 plus rounding ±0.01)"
    );
}

#[test]
fn evidence_of_a_relative_tolerance_is_a_share_of_the_larger_side() {
    // 0.5% of 200 is 1: 198 (exact) is 2 off.
    let n = numbers("a = b within 0.5%", "a: 200\nb: 198\n");
    let t = n.tolerance.expect("tolerance");
    assert!(t.percent);
    assert_eq!((t.within, t.amount.normalize()), (d("0.5"), d("1")));
    assert_eq!(n.allowed.map(|a| a.normalize()), Some(d("1")));
    assert_eq!(n.difference, Some(d("2")));
    assert_eq!(
        Evidence::Numbers(n).to_string(),
        "left 200, right 198, difference 2 (beyond tolerance 0.5% (±1.0) plus both sides exact)"
    );
}

#[test]
fn evidence_of_an_ordering_names_the_wanted_relation() {
    let n = numbers("a <= b", "a: 5.00\nb: 4.00\n");
    assert_eq!(n.op, CmpOp::Le);
    assert!(
        Evidence::Numbers(n)
            .to_string()
            .ends_with("; the rule wants left <= right"),
    );
}

#[test]
fn evidence_of_texts_holds_both_texts() {
    let e = evidence(r#"w = "增加""#, "w: 减少\n");
    assert_eq!(
        e,
        Evidence::Texts {
            op: CmpOp::Eq,
            left: "减少".into(),
            right: "增加".into(),
        }
    );
    assert_eq!(
        e.to_string(),
        "left \"减少\", right \"增加\"; the rule wants the same text"
    );
}

#[test]
fn evidence_of_a_false_condition_is_a_condition() {
    assert_eq!(evidence("exists(x)", "a: 1\n"), Evidence::Condition);
}

#[test]
fn evidence_is_the_comparison_that_decided() {
    // `a = 1` holds, `b = 2` fails: the evidence is the second comparison's.
    let n = numbers("a = 1 and b = 2", "a: 1\nb: 3\n");
    assert_eq!((n.left.value, n.right.value), (d("3"), d("2")));
}

#[test]
fn help_is_the_evidence_then_the_rule_help() {
    let found = findings("help \"parts add up\"\na = b", "a: 1.00\nb: 2.00\n");
    let f = &found[0];
    let first = f.evidence.as_ref().unwrap().to_string();
    assert_eq!(
        f.help.as_deref(),
        Some(format!("{first}\nparts add up").as_str())
    );
}

#[test]
fn a_problem_finding_carries_no_evidence() {
    let found = findings("a = b", "a: 1\nb: 一\n");
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .message
            .contains("`b` is the text \"一\", not a number"),
        "{}",
        found[0].message
    );
    assert!(found[0].evidence.is_none());
}

#[test]
fn a_check_whose_figure_is_not_stated_does_not_apply() {
    assert_eq!(
        not_applicable("a + b = total", "a: 1\ntotal: 1\n"),
        ["`b` is not stated (a + b = total)"]
    );
    assert_eq!(
        not_applicable("a + b = total", "a: 1\nb: ~\ntotal: 1\n"),
        ["`b` is empty (a + b = total)"]
    );
    // A default makes it apply: and here it holds.
    assert!(
        outcome_of("m", "a + (b ?? 0) = total", "a: 1\ntotal: 1\n")
            .not_applicable
            .is_empty()
    );
    assert_eq!(
        findings("a + (b ?? 0) = total", "a: 1\ntotal: 2\n").len(),
        1
    );
}

#[test]
fn a_sum_over_an_absent_list_does_not_apply_unless_defaulted() {
    assert_eq!(
        not_applicable("sum(rows.v) = total", "total: 0\n"),
        ["`rows` is not stated (sum(rows.v) = total)"]
    );
    assert_eq!(findings("sum(rows.v ?? 0) = total", "total: 1\n").len(), 1);
    // One row without the figure: the sum is not the column's.
    assert_eq!(
        not_applicable("sum(rows.v) = 3", "rows: [{v: 1}, {w: 2}]\n"),
        ["`rows[1].v` is not stated (sum(rows.v) = 3)"]
    );
}

#[test]
fn a_loop_over_an_absent_list_runs_no_item_and_a_condition_on_an_absent_figure_holds_nothing() {
    assert_eq!(
        not_applicable("for r in rows { r.v < 3 }", "a: 1\n"),
        ["`rows` is not stated (rows)"]
    );
    assert!(not_applicable("for r in rows { r.v < 3 }", "rows: ~\n").is_empty());
    assert_eq!(
        not_applicable("when w = \"增加\" { a > 0 }", "a: -1\n"),
        ["`w` is not stated (w = \"增加\")"]
    );
}

#[test]
fn a_check_that_does_not_apply_on_every_row_is_counted_once() {
    assert_eq!(
        not_applicable(
            "for r in rows { r.a = r.b }",
            "rows: [{a: 1}, {a: 2}, {a: 3}]\n"
        ),
        ["`rows[0].b` is not stated (r.a = r.b)"]
    );
}

#[test]
fn a_passing_check_has_no_finding() {
    assert!(findings("a + b + c = t", "a: 0.33\nb: 0.33\nc: 0.33\nt: 1.00\n").is_empty());
}

#[test]
fn when_reads_less_than_strictly_and_equality_with_rounding() {
    // 100.00 may stand for 99.996: it is not surely below 100, so no reason is asked for.
    let body = "when rate < 100 { exists(reason) }";
    assert!(findings(body, "rate: 100.00\n").is_empty());
    assert_eq!(findings(body, "rate: 99.98\n").len(), 1);
    // The same `<` as a check (not a condition) allows the rounding: it can hold.
    assert!(findings("rate < 100", "rate: 100.00\n").is_empty());
    // `=` in a `when` keeps the rounding allowance: 0.00 is 0.
    assert_eq!(
        findings("when amount = 0 { exists(reason) }", "amount: 0.00\n").len(),
        1
    );
    // `!=` in a `when` must surely hold: 0.00 may be 0.
    assert!(findings("when amount != 0 { exists(reason) }", "amount: 0.00\n").is_empty());
    assert_eq!(
        findings("when amount != 0 { exists(reason) }", "amount: 0.01\n").len(),
        1
    );
}

#[test]
fn a_default_stands_for_a_missing_or_empty_value_only() {
    assert!(findings("(x ?? 5) = 5", "a: 1\n").is_empty());
    assert!(findings("(x ?? 5) = 5", "x: ~\n").is_empty());
    // Present, the value itself counts.
    let n = numbers("(x ?? 5) = 5", "x: 7\n");
    assert_eq!(n.left.value, d("7"));
    // A default does not hide a value of the wrong kind.
    let found = findings("(x ?? 5) = 5", "x: abc\n");
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("not a number"),
        "{}",
        found[0].message
    );
}

#[test]
fn the_message_interpolates_where_the_check_fails() {
    let found = findings_of(
        "row {r.name}: {r.v} of {sum(rows.v)}, {{literal}}",
        "for r in rows { r.v < 3 }",
        "rows:\n  - {name: 甲, v: 1}\n  - {name: 乙, v: 4.50}\n",
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].message, "row 乙: 4.50 of 5.50, {literal}");
}

#[test]
fn a_message_part_that_cannot_be_evaluated_is_a_question_mark() {
    let found = findings_of("value {nowhere}", "a = 2", "a: 1\n");
    assert_eq!(found[0].message, "value ?");
}

#[test]
fn a_loop_reports_each_failing_item_at_its_own_value() {
    let yaml = "rows:\n  - v: 1\n  - v: 5\n  - v: 2\n  - v: 9\n";
    let found = findings("for r in rows { r.v < 3 }", yaml);
    let paths: Vec<&str> = found.iter().map(|f| f.values[0].path.as_str()).collect();
    assert_eq!(paths, ["rows[1].v", "rows[3].v"]);
    let lines: Vec<usize> = found
        .iter()
        .map(|f| {
            let at = f.primary.unwrap().start;
            yaml[..at as usize].matches('\n').count() + 1
        })
        .collect();
    assert_eq!(lines, [3, 5]);
}

#[test]
fn nested_loops_and_lets_see_their_own_items() {
    let yaml = "groups:\n  - total: 3\n    items: [1, 2]\n  - total: 4\n    items: [1, 2]\n";
    let body = "for g in groups {\n let parts = sum(g.items)\n parts = g.total\n}";
    let found = findings(body, yaml);
    assert_eq!(found.len(), 1);
    let n = match found[0].evidence.clone() {
        Some(Evidence::Numbers(n)) => n,
        other => panic!("{other:?}"),
    };
    assert_eq!((n.left.value, n.right.value), (d("3"), d("4")));
    let paths: Vec<&str> = found[0].values.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "groups[1].items[0]",
            "groups[1].items[1]",
            "groups[1].total"
        ]
    );
}

#[test]
fn the_fast_path_switch_applies_inside_and_is_restored_after() {
    let now = || super::FAST_PATH.with(std::cell::Cell::get);
    assert!(now());
    assert!(!super::with_fast_path(false, now));
    assert!(super::with_fast_path(false, || super::with_fast_path(
        true, now
    )));
    assert!(now());
    let _ = std::panic::catch_unwind(|| super::with_fast_path(false, || panic!("inside")));
    assert!(now(), "restored after a panic");
}
