//! Loops that look items up by key (`src/rules/keyed_loops.rs`, `src/eval/index.rs`) give
//! exactly the findings of the same loops run item by item.
//!
//! Each rule is written twice: once keyed (`when c.code = s.code { … }`, which the evaluator
//! runs as a lookup) and once with a condition that means the same but is not a lone
//! equality (`when c.code = s.code and 0 = 0 { … }`, which it runs as written). On datasets
//! drawn at random, with keys that are text, numbers, empty, missing or lists, rows that are
//! not mappings, and duplicate keys, the two must report the same findings in the same order:
//! messages, places, labelled values with their paths, and help. Nests of loops over lists
//! of the items outside them (groups of rows) are drawn with inner lists that are missing,
//! empty or not lists.

use proptest::prelude::*;
use std::sync::Arc;
use tally::dataset::load::parse_dataset;
use tally::finding::Finding;
use tally::rules::ast::Stmt;
use tally::rules::ruleset::RuleSet;
use tally::run::check::{CheckOptions, check_dataset};
use tally::source::SourceFile;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Bodies of rules over `left` and `right`; `{cond}` is the `when` condition to test.
const BODIES: [&str; 7] = [
    // Join two tables on a key, the item's key on the left.
    "for s in left { for c in right { when {c.code = s.code} { c.v = s.v } } }",
    // The item's key on the right, and a key one mapping deeper.
    "for s in left { for c in right { when {s.code = c.m.code} { c.v <= s.v } } }",
    // A filter by a literal.
    "for c in right { when {c.code = \"a\"} { c.v = 1 } }",
    // A keyed loop in a keyed loop: rows of `right` under a row of `left`.
    "for s in left { for c in right { when {c.code = s.code} { for d in right { when {d.code = c.v} { d.v = s.v } } } } }",
    // A value from outside both loops, and a failing check with paths to label.
    "let k = left[0].code\n for c in right { when {c.code = k} { c.v + 1 = left[0].v } }",
    // A nest: the rows of every group, matched with each row of `left`.
    "for s in left { for g in groups { for c in g.rows { when {s.code = c.code} { c.v = s.v + g.v } } } }",
    // Three levels, with a literal.
    "for g in groups { for h in g.subs { for c in h.rows { when {c.code = \"a\"} { c.v = g.v } } } }",
];

/// The rule with `body`, its conditions written as lone equalities (keyed) or not.
fn rule(body: &str, keyed: bool) -> String {
    let mut text = String::new();
    let mut rest = body;
    while let Some(open) = rest.find("when {") {
        let close = open + rest[open..].find('}').expect("condition ends");
        text.push_str(&rest[..open + 5]);
        let cond = &rest[open + 6..close];
        if keyed {
            text.push_str(cond);
        } else {
            text.push_str(&format!("{cond} and 0 = 0"));
        }
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    format!("rule R warning \"{{c.code}} / {{c.v}}\" {{\n {text}\n}}\n")
}

/// A key: text (some of it looking like a number), a number, empty, a list, or missing.
fn key() -> impl Strategy<Value = Option<&'static str>> {
    prop::sample::select(vec![
        Some("a"),
        Some("a"),
        Some("b"),
        Some("\"1\""),
        Some("1"),
        Some("1.0"),
        Some("~"),
        Some("[a]"),
        None,
    ])
}

fn value() -> impl Strategy<Value = Option<&'static str>> {
    prop::sample::select(vec![
        Some("1"),
        Some("2"),
        Some("a"),
        Some("b"),
        Some("x"),
        None,
    ])
}

/// A row: a mapping with (maybe) `code`, `m.code` and `v`; now and then a plain number.
fn row() -> impl Strategy<Value = String> {
    (key(), key(), value(), 0..12u8).prop_map(|(code, inner, v, shape)| {
        if shape == 0 {
            return "7".to_string();
        }
        flow_map([
            ("code", code.map(String::from)),
            ("m", inner.map(|inner| format!("{{code: {inner}}}"))),
            ("v", v.map(String::from)),
        ])
    })
}

/// A mapping in flow style of the fields that are there: `{code: a, v: 1}`.
fn flow_map<const N: usize>(fields: [(&str, Option<String>); N]) -> String {
    let fields: Vec<String> = fields
        .into_iter()
        .filter_map(|(key, value)| Some(format!("{key}: {}", value?)))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// Rows in flow style: a list, now and then something that is not one (missing, empty, a
/// number).
fn rows() -> impl Strategy<Value = Option<String>> {
    (prop::collection::vec(row(), 0..4), 0..10u8).prop_map(|(rows, shape)| match shape {
        0 => None,
        1 => Some("~".to_string()),
        2 => Some("3".to_string()),
        _ => Some(format!("[{}]", rows.join(", "))),
    })
}

/// A group: `v`, `rows`, and `subs` (groups of rows); now and then a plain number.
fn group() -> impl Strategy<Value = String> {
    (
        value(),
        rows(),
        prop::collection::vec(rows(), 0..3),
        0..12u8,
    )
        .prop_map(|(v, rows, subs, shape)| {
            if shape == 0 {
                return "5".to_string();
            }
            let subs: Vec<String> = subs.into_iter().map(|r| flow_map([("rows", r)])).collect();
            flow_map([
                ("v", v.map(String::from)),
                ("rows", rows),
                ("subs", Some(format!("[{}]", subs.join(", ")))),
            ])
        })
}

fn dataset() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(row(), 0..5),
        prop::collection::vec(row(), 0..8),
        prop::collection::vec(group(), 0..4),
    )
        .prop_map(|(left, right, groups)| {
            let list = |rows: Vec<String>| {
                rows.iter()
                    .map(|r| format!("  - {r}\n"))
                    .collect::<String>()
            };
            format!(
                "left:\n{}right:\n{}groups:\n{}",
                list(left),
                list(right),
                list(groups)
            )
        })
}

fn rules(text: &str) -> RuleSet {
    RuleSet::from_files(vec![Arc::new(SourceFile::new("t.tally", text))]).expect("rules")
}

/// What a finding says, leaving out where the rule stands (the two rules differ there).
fn said(f: &Finding) -> String {
    let values: Vec<_> = f
        .values
        .iter()
        .map(|v| (v.path.clone(), v.text.clone(), v.span))
        .collect();
    format!(
        "{:?} {} at {:?}; values {values:?}; notes {:?}; help {:?}",
        f.severity, f.message, f.primary, f.notes, f.help
    )
}

fn findings(rules: &RuleSet, data: &str) -> Vec<String> {
    let mut data =
        parse_dataset("d.yaml".into(), data.into(), Default::default()).expect("dataset");
    check_dataset(
        &mut data,
        "d.yaml".as_ref(),
        rules,
        &CheckOptions::default(),
    )
    .findings
    .iter()
    .map(said)
    .collect()
}

/// True when some loop of the rule runs as a lookup.
fn has_keyed_loop(set: &RuleSet, stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| match s {
        Stmt::For { id, body, .. } => {
            set.keyed_loops.get(*id).is_some() || has_keyed_loop(set, body)
        }
        Stmt::When { body, .. } => has_keyed_loop(set, body),
        _ => false,
    })
}

#[test]
fn the_keyed_rules_are_keyed_and_the_others_not() {
    for body in BODIES {
        assert!(
            {
                let set = rules(&rule(body, true));
                has_keyed_loop(&set, &set.rules[0].body)
            },
            "{body}"
        );
        assert!(
            {
                let set = rules(&rule(body, false));
                !has_keyed_loop(&set, &set.rules[0].body)
            },
            "{body}"
        );
    }
}

#[test]
fn a_join_reports_each_matching_pair_in_list_order() {
    let data = "left:\n  - {code: a, v: 1}\n  - {code: b, v: 2}\n\
                right:\n  - {code: b, v: 5}\n  - {code: 1, v: 1}\n  - {code: a, v: 9}\n  - {code: a, v: 1}\n";
    let found = findings(&rules(&rule(BODIES[0], true)), data);
    let summary: Vec<&str> = found
        .iter()
        .map(|f| f.split(" at ").next().unwrap_or(""))
        .collect();
    // Row a of `left` meets rows 2 and 3 (only 2 differs) and the numeric key of row 1, which
    // cannot be compared with text; row b meets row 0, and row 1 again.
    assert_eq!(
        summary,
        [
            "Warning 1 / 1: `left[0].code` is the text \"a\", not a number",
            "Warning a / 9",
            "Warning b / 5",
            "Warning 1 / 1: `left[1].code` is the text \"b\", not a number",
        ],
        "{found:#?}"
    );
    // The failing pair's values are labelled with their paths.
    assert!(
        found[1].contains(r#"values [("right[2].v", "9""#),
        "{}",
        found[1]
    );
    assert!(found[1].contains(r#"("left[0].v", "1""#), "{}", found[1]);
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn keyed_loops_find_what_plain_loops_find(data in dataset(), which in 0..BODIES.len()) {
        let keyed = rules(&rule(BODIES[which], true));
        let plain = rules(&rule(BODIES[which], false));
        prop_assert_eq!(findings(&keyed, &data), findings(&plain, &data), "{}", data);
    }
}
