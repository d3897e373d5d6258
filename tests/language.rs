//! The rule language and its rounding-aware semantics, through the library API:
//! `give(rules, data)` runs rules on a dataset and returns what was found.

use std::sync::Arc;
use tally::dataset::load::parse_dataset;
use tally::finding::Finding;
use tally::rules::ruleset::{LoadError, RuleSet};
use tally::run::check::{CheckOptions, check_dataset};
use tally::source::SourceFile;

fn rules(text: &str) -> RuleSet {
    match RuleSet::from_files(vec![Arc::new(SourceFile::new("t.tally", text))]) {
        Ok(r) => r,
        Err(LoadError::Rules(errs)) => panic!(
            "rule errors: {:?}",
            errs.iter().map(|e| &e.message).collect::<Vec<_>>()
        ),
        Err(e) => panic!("{e:?}"),
    }
}

/// The findings of the rules in `rule_text` on the dataset `data` (shared with `language_v2`).
pub(crate) fn give(rule_text: &str, data: &str) -> Vec<Finding> {
    let rules = rules(rule_text);
    let mut data =
        parse_dataset("d.yaml".into(), data.into(), Default::default()).expect("dataset");
    check_dataset(
        &mut data,
        "d.yaml".as_ref(),
        &rules,
        &CheckOptions::default(),
    )
    .findings
}

/// Messages of the findings, for compact assertions.
fn messages(rule_text: &str, data: &str) -> Vec<String> {
    give(rule_text, data)
        .into_iter()
        .map(|f| f.message)
        .collect()
}

const EQ: &str = r#"rule R error "m" { left = right }"#;

#[test]
fn thirds_sum_to_a_printed_one() {
    let r = r#"rule R error "m" { a + b + c = total }"#;
    assert!(give(r, "a: 0.33\nb: 0.33\nc: 0.33\ntotal: 1.00\n").is_empty());
    assert_eq!(give(r, "a: 0.33\nb: 0.33\nc: 0.33\ntotal: 1.02\n").len(), 1);
}

#[test]
fn a_printed_share_within_its_rounding_passes_and_a_typo_fails() {
    let r = r#"rule R warning "share" { share = part / whole * 100 }"#;
    assert!(give(r, "part: 1.00\nwhole: 8.01\nshare: 12.50\n").is_empty());
    assert_eq!(give(r, "part: 1.00\nwhole: 8.01\nshare: 12.60\n").len(), 1);
}

#[test]
fn integer_counts_are_exact() {
    let r = r#"rule R error "m" { a + b + c = total }"#;
    assert_eq!(give(r, "a: 0\nb: 0\nc: 1\ntotal: 0\n").len(), 1);
    assert!(give(r, "a: 0\nb: 0\nc: 1\ntotal: 1\n").is_empty());
}

#[test]
fn help_gives_both_sides_difference_and_rounding() {
    let f = &give(EQ, "left: 1617.42\nright: 1612.36\n")[0];
    assert_eq!(
        f.help.as_deref().unwrap(),
        "left 1617.42, right 1612.36, difference 5.06 (beyond rounding ±0.01)"
    );
    let paths: Vec<(&str, &str)> = f
        .values
        .iter()
        .map(|v| (v.path.as_str(), v.text.as_str()))
        .collect();
    assert_eq!(paths, [("left", "1617.42"), ("right", "1612.36")]);
}

#[test]
fn explicit_tolerances_absolute_and_relative() {
    let abs = r#"rule R error "m" { a = 100 within 0.5 }"#;
    assert!(give(abs, "a: 100.4\n").is_empty());
    assert_eq!(give(abs, "a: 100.7\n").len(), 1);
    let rel = r#"rule R error "m" { a = 200 within 1% }"#;
    assert!(give(rel, "a: 201.9\n").is_empty());
    assert_eq!(give(rel, "a: 202.2\n").len(), 1);
    assert!(give(r#"rule R error "m" { a = 100 within 0.5 }"#, "a: 100.4\n").is_empty());
}

#[test]
fn all_comparison_operators_including_unicode_forms() {
    let r = r#"rule R error "m" {
        a < b
        a <= b
        a ≤ b
        b > a
        b >= a
        b ≥ a
        a != b
        a ≠ b
        not (a = b)
    }"#;
    assert!(give(r, "a: 1\nb: 2\n").is_empty());
    assert_eq!(
        give(r, "a: 2\nb: 1\n").len(),
        9 - 3,
        "only the ≠ forms hold"
    );
}

#[test]
fn and_or_not_and_parentheses() {
    let r = r#"rule R error "m" { (a = 1 or a = 2) and not (b = 3) }"#;
    assert!(give(r, "a: 2\nb: 4\n").is_empty());
    assert_eq!(give(r, "a: 3\nb: 4\n").len(), 1);
    assert_eq!(give(r, "a: 1\nb: 3\n").len(), 1);
}

#[test]
fn each_failing_check_in_a_body_is_its_own_finding() {
    let r = r#"rule R error "m" {
        a = 1
        b = 2
        c = 3
    }"#;
    assert_eq!(give(r, "a: 0\nb: 0\nc: 3\n").len(), 2);
}

#[test]
fn for_loops_nest_and_messages_interpolate_the_row() {
    let r = r#"rule R warning "{c.name}: items {sum(c.items.amount)} vs {c.amount}" {
        for c in classes {
            sum(c.items.amount) = c.amount
            for i in c.items { i.amount >= 0 }
        }
    }"#;
    let data = "classes:\n  - name: 一般公共服务\n    amount: 10.00\n    items:\n      - amount: 4.00\n      - amount: 6.00\n  - name: 教育\n    amount: 5.00\n    items:\n      - amount: -1.00\n      - amount: 2.00\n";
    assert_eq!(
        messages(r, data),
        ["教育: items 1.00 vs 5.00", "教育: items 1.00 vs 5.00"]
    );
    let f = &give(r, data)[0];
    let paths: Vec<&str> = f.values.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "classes[1].items[0].amount",
            "classes[1].items[1].amount",
            "classes[1].amount"
        ]
    );
}

#[test]
fn a_path_through_a_list_yields_every_value() {
    let r = r#"rule R error "m" { count(rows.amount) = 3 and sum(rows.amount) = 6 and min(rows.amount) = 1 and max(rows.amount) = 3 }"#;
    assert!(give(r, "rows:\n  - amount: 1\n  - amount: 2\n  - amount: 3\n").is_empty());
}

#[test]
fn functions_abs_round_and_min_max_of_several_arguments() {
    let r = r#"rule R error "m" {
        abs(a) = 2.5
        round(b, 1) = 2.3
        min(a, b, 7) = a
        max(a, 1, 2) = 2
    }"#;
    assert!(
        give(r, "a: -2.5\nb: 2.25\n").is_empty(),
        "{:?}",
        messages(r, "a: -2.5\nb: 2.25\n")
    );
}

#[test]
fn when_applies_its_body_only_when_the_condition_holds() {
    let r = r#"rule R error "no vehicles bought, so no purchase cost" {
        when vehicles.bought = 0 { vehicles.purchase_cost = 0 }
    }"#;
    assert!(give(r, "vehicles:\n  bought: 1\n  purchase_cost: 20.5\n").is_empty());
    assert_eq!(
        give(r, "vehicles:\n  bought: 0\n  purchase_cost: 20.5\n").len(),
        1
    );
}

#[test]
fn let_names_a_value() {
    let r = r#"rule R error "m" {
        let total = a + b
        total = c
        total <= 10
    }"#;
    assert!(give(r, "a: 1\nb: 2\nc: 3\n").is_empty());
    assert_eq!(give(r, "a: 10\nb: 2\nc: 3\n").len(), 2);
}

/// A `let` number is worked out once for the loop (not once a row), yet a failing row's finding
/// still labels the data behind it, and a `let` in a loop body is new for every row.
#[test]
fn a_let_used_in_a_loop_labels_its_values_in_every_finding() {
    let r = r#"rule R error "row {r.amount} of {total}" {
        let total = sum(rows.amount)
        for r in rows {
            let four = r.amount * 4
            four <= total
        }
    }"#;
    let found = give(
        r,
        "rows:\n- {amount: 1}\n- {amount: 9}\n- {amount: 2}\n- {amount: 8}\n",
    );
    let said: Vec<(String, Vec<String>)> = found
        .iter()
        .map(|f| {
            let paths = f.values.iter().map(|v| v.path.clone()).collect();
            (f.message.clone(), paths)
        })
        .collect();
    // The row's own amount first (the check reads it), then the column the total adds up.
    let amounts = |row: usize| -> Vec<String> {
        let others = (0..4).filter(|&i| i != row);
        std::iter::once(row)
            .chain(others)
            .map(|i| format!("rows[{i}].amount"))
            .collect()
    };
    assert_eq!(
        said,
        [
            ("row 9 of 20".to_string(), amounts(1)),
            ("row 8 of 20".to_string(), amounts(3)),
        ]
    );
}

#[test]
fn a_check_whose_figure_is_not_stated_is_not_applicable_and_counted() {
    let r = r#"rule R warning "基本支出" {
        expenditure.basic + expenditure.project = expenditure.total
        expenditure.total >= 0
    }"#;
    let rules = RuleSet::from_files(vec![Arc::new(SourceFile::new("r.tally", r))]).unwrap();
    let text = "meta: {year: 2020}\nexpenditure:\n  total: 1\n  basic: 1\n";
    let mut data = parse_dataset("d.yaml".into(), text.into(), Default::default()).unwrap();
    let naming = CheckOptions {
        name_skipped: true,
        ..CheckOptions::default()
    };
    // Counted either way; named (a traced re-evaluation) only when asked, for --show-skipped.
    let mut copy = parse_dataset("d.yaml".into(), text.into(), Default::default()).unwrap();
    let counted = check_dataset(
        &mut copy,
        "d.yaml".as_ref(),
        &rules,
        &CheckOptions::default(),
    );
    assert_eq!(counted.not_applicable.len(), 1);
    assert_eq!(counted.not_applicable[0].what, "");
    let report = check_dataset(&mut data, "d.yaml".as_ref(), &rules, &naming);
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    assert_eq!(report.not_applicable.len(), 1);
    assert_eq!(
        report.not_applicable[0].site.span,
        counted.not_applicable[0].site.span
    );
    let skipped = &report.not_applicable[0];
    assert_eq!(skipped.rule, "R");
    assert_eq!(skipped.what, "`expenditure.project` is not stated");
    assert_eq!(
        &r[skipped.site.span.range()],
        "expenditure.basic + expenditure.project = expenditure.total"
    );
}

#[test]
fn defaults_and_exists_guard_missing_paths() {
    let r = r#"rule R error "m" {
        a.b ?? 0 = 0
        when exists(a.c) { a.c = 1 }
        exists(a) and not exists(a.c)
    }"#;
    assert!(give(r, "a: {x: 1}\n").is_empty());
    assert!(
        give(r, "a: {b: ~}\n").is_empty(),
        "null takes the default too"
    );
}

#[test]
fn division_by_zero_is_a_finding_and_other_checks_go_on() {
    let r = r#"rule R error "share" {
        share = part / whole * 100
        part = 1
    }"#;
    let found = messages(r, "part: 1\nwhole: 0\nshare: 5\n");
    assert_eq!(found, ["share: division by zero"]);
}

#[test]
fn overflow_and_out_of_range_numbers_are_findings() {
    let r = r#"rule R error "m" { a * a = 1 }"#;
    let found = messages(r, "a: 79228162514264337593543950335\n");
    assert_eq!(found.len(), 1);
    assert!(found[0].contains("beyond the range"), "{found:?}");
    let found = messages(EQ, "left: 123456789012345678901234567890123\nright: 1\n");
    assert!(
        found[0]
            .contains("is 123456789012345678901234567890123, not a number tally can compute with"),
        "{found:?}"
    );
}

#[test]
fn text_where_a_number_is_needed_is_a_finding() {
    let found = messages(EQ, "left: \"12.5\"\nright: 12.5\n");
    assert_eq!(found, ["m: `left` is the text \"12.5\", not a number"]);
    let found = messages(EQ, "left: [1, 2]\nright: 1\n");
    assert_eq!(found, ["m: `left` is a list, not a number"]);
    let found = messages(EQ, "left: {a: 1}\nright: 1\n");
    assert_eq!(found, ["m: `left` is a mapping, not a number"]);
}

#[test]
fn text_compares_with_equals() {
    let r = r#"rule R warning "wording" { when change < 0 { word = "减少" or word = "下降" } }"#;
    assert!(give(r, "change: -382.28\nword: 减少\n").is_empty());
    let f = &give(r, "change: -382.28\nword: 增加\n")[0];
    assert!(f.help.as_deref().unwrap().contains("left \"增加\""));
}

#[test]
fn unicode_names_quoted_keys_and_indexes() {
    let r = r#"rule 收入-001 error "合计" {
        收入.本年收入合计 = sum(收入.来源.金额)
        收入."key with spaces" = 收入.来源[1].金额
    }"#;
    let data = "收入:\n  本年收入合计: 3.00\n  key with spaces: 2.00\n  来源:\n    - 金额: 1.00\n    - 金额: 2.00\n";
    assert!(give(r, data).is_empty(), "{:?}", messages(r, data));
}

#[test]
fn dataset_precision_widens_integers_it_covers() {
    // 260 and 259.996 differ by more than integers' zero width, but with `precision: 2` the
    // 260 stands for 259.995 … 260.005.
    let r = r#"rule R error "m" { a = b }"#;
    assert_eq!(give(r, "a: 260\nb: 259.996\n").len(), 1);
    assert!(give(r, "meta:\n  precision: {a: 2}\na: 260\nb: 259.996\n").is_empty());
}

#[test]
fn rules_outside_the_dataset_year_do_not_run() {
    let r = r#"
        rule NEW error "from 2021" since 2021 { a = 2 }
        rule OLD error "until 2020" until 2020 { a = 2 }
    "#;
    let found: Vec<String> = give(r, "meta: {year: 2020}\na: 1\n")
        .into_iter()
        .map(|f| f.rule)
        .collect();
    assert_eq!(found, ["OLD"]);
    let found: Vec<String> = give(r, "a: 1\n").into_iter().map(|f| f.rule).collect();
    assert_eq!(
        found,
        ["NEW", "OLD"],
        "without meta.year every rule applies"
    );
}

#[test]
fn prior_year_rules_are_skipped_without_a_prior_dataset() {
    let rules = rules(r#"rule X warning "m" { prior.total - total = change }"#);
    let mut data = parse_dataset(
        "d.yaml".into(),
        "total: 1\nchange: 2\n".into(),
        Default::default(),
    )
    .unwrap();
    let report = check_dataset(
        &mut data,
        "d.yaml".as_ref(),
        &rules,
        &CheckOptions::default(),
    );
    assert!(report.findings.is_empty());
    assert_eq!((report.rules_applied(), report.skipped_no_prior), (0, 1));
}

#[test]
fn prior_year_values_are_read_from_the_prior_dataset() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("2019.yaml"), "total: 10.00\n").unwrap();
    std::fs::write(
        dir.path().join("2020.yaml"),
        "meta: {prior: 2019.yaml}\ntotal: 7.00\nchange: -2.00\n",
    )
    .unwrap();
    let rules = rules(r#"rule X warning "change" { total - prior.total = change }"#);
    let report = tally::run::check::check_file(
        &dir.path().join("2020.yaml"),
        &rules,
        &CheckOptions::default(),
    );
    assert_eq!(report.findings.len(), 1);
    let f = &report.findings[0];
    let paths: Vec<&str> = f.values.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["total", "prior.total", "change"]);
    assert!(f.values[1].prior.is_some());
}

#[test]
fn rule_file_errors_are_all_reported_in_plain_words() {
    let text = "rule A fatal \"m\" { a = b }\n\
                rule B error \"m\" { a = = b }\n\
                rule C error \"m\" { summ(a) = 1 }\n\
                rule D error \"m\" { round(a) = 1 }\n\
                rule C error \"m\" { for i in x { i.a = 1 } i.b = 2 }\n";
    let Err(LoadError::Rules(errors)) =
        RuleSet::from_files(vec![Arc::new(SourceFile::new("bad.tally", text))])
    else {
        panic!("expected errors");
    };
    let found: Vec<String> = errors
        .iter()
        .map(|e| {
            let at = e.line_col();
            format!("{}:{}: {}", at.line, at.column, e.message)
        })
        .collect();
    assert_eq!(
        found,
        [
            "1:8: unknown severity `fatal`: expected `error`, `warning` or `info`",
            "2:24: expected an expression, found `=`",
            "3:20: unknown function `summ` (did you mean `sum`?): the functions are sum, count, min, max, abs, round, exists, unique, len, starts_with, prefix, parent, any, all, sign",
            "4:20: `round` takes 2 arguments, but 1 was given",
            "5:6: duplicate rule id `C`",
            "5:43: unknown variable `i`: it is not bound here (it is bound elsewhere in this rule)",
        ]
    );
}

#[test]
fn when_reads_strict_comparisons_strictly_and_equality_with_rounding() {
    let r = r#"rule R warning "reason needed" {
        when completion < 100 { exists(reason) }
    }"#;
    assert!(
        give(r, "completion: 100.00\n").is_empty(),
        "100.00 is not below 100"
    );
    assert_eq!(give(r, "completion: 99.99\n").len(), 1);
    let r = r#"rule R warning "zero means zero" { when amount = 0 { trips = 0 } }"#;
    assert_eq!(
        give(r, "amount: 0.00\ntrips: 2\n").len(),
        1,
        "0.00 counts as 0 in a condition"
    );
}

#[test]
fn repeated_figures_one_cent_apart_differ() {
    assert_eq!(give(EQ, "left: 1170.45\nright: 1170.44\n").len(), 1);
    assert!(give(EQ, "left: 1170.44\nright: 1170.44\n").is_empty());
}
