//! The rule language's second version (issue 17): positions and mappings in `for`,
//! quantifiers and filtered aggregates, code hierarchies, `if`, per-check messages, where
//! findings point, load-time errors, and `tally lint`. The examples of `rules/README.md` are
//! run here as a pack, against the fixtures of `tests/fixtures/language-v2/`.

use crate::language::give;
use std::path::Path;
use std::process::Output;
use tally::finding::Finding;

/// The path of the value at each finding's place.
fn places(found: &[Finding]) -> Vec<String> {
    found
        .iter()
        .map(|f| {
            f.values
                .iter()
                .find(|v| Some(v.span) == f.primary)
                .map_or("?".into(), |v| v.path.clone())
        })
        .collect()
}

fn tally_in(dir: impl AsRef<Path>, args: &[&str]) -> Output {
    crate::runner::tally(dir)
        .args(args)
        .output()
        .expect("tally runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn fixture(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, body) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    dir
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every ```tally block of `rules/README.md`, as one rule file.
fn readme_rules() -> String {
    let readme = std::fs::read_to_string(root().join("rules/README.md")).unwrap();
    let mut rules = String::new();
    let mut rest = readme.as_str();
    while let Some(start) = rest.find("```tally\n") {
        let body = &rest[start + "```tally\n".len()..];
        let end = body.find("```").expect("a closed block");
        rules.push_str(&body[..end]);
        rules.push('\n');
        rest = &body[end..][3..];
    }
    rules
}

#[test]
fn the_readme_examples_pass_their_fixtures_and_are_each_covered() {
    let rules = readme_rules();
    assert!(rules.matches("\nrule ").count() + usize::from(rules.starts_with("rule ")) >= 10);
    let dir = fixture(&[("examples.tally", &rules)]);
    let tests = root().join("tests/fixtures/language-v2/tests");
    for entry in std::fs::read_dir(tests).unwrap() {
        let entry = entry.unwrap();
        let to = dir.path().join("tests").join(entry.file_name());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(entry.path(), to).unwrap();
    }
    let out = tally_in(dir.path(), &["test", ".", "--require-coverage"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let lint = tally_in(dir.path(), &["lint", "."]);
    assert_eq!(lint.status.code(), Some(0), "{}", text(&lint.stdout));
}

const CODES: &str = r#"rule CODES error "科目 {r.code}" {
    for r in rows {
        when any(c in rows: parent(c.code) = r.code)
         and all(c in rows: parent(c.code) != r.code or len(c.code) = 7
                 or c.amount = sum(g.amount for g in rows if parent(g.code) = c.code)) {
            r.amount = sum(c.amount for c in rows if parent(c.code) = r.code)
        }
    }
}"#;

fn codes(kuan: &str) -> String {
    format!(
        "rows:\n  - {{code: \"201\", amount: 60.00}}\n  - {{code: \"20101\", amount: 20.00}}\n  \
         - {{code: \"2010101\", amount: 20.00}}\n  - {{code: \"20103\", amount: {kuan}}}\n  \
         - {{code: 2010301, amount: 40.00}}\n"
    )
}

#[test]
fn a_flat_code_table_with_one_wrong_kuan_gives_one_finding_at_that_figure() {
    assert!(give(CODES, &codes("40.00")).is_empty());
    let found = give(CODES, &codes("41.00"));
    assert_eq!(places(&found), ["rows[3].amount"]);
    assert_eq!(found[0].message, "科目 20103");
}

#[test]
fn a_for_over_a_nested_path_visits_every_item_of_every_class() {
    let rule = r#"rule R error "{i.name}" { for i in function_classes.items { i.amount >= 0 } }"#;
    let data = |b: &str| {
        format!(
            "function_classes:\n  - name: 一般公共服务\n    items:\n      - {{name: a, amount: 1}}\n      \
             - {{name: b, amount: {b}}}\n  - name: 教育\n    items:\n      - {{name: c, amount: 3}}\n"
        )
    };
    assert!(give(rule, &data("2")).is_empty());
    let found = give(rule, &data("-2"));
    assert_eq!(places(&found), ["function_classes[0].items[1].amount"]);
    assert_eq!(found[0].message, "b");
}

#[test]
fn positions_indexes_mappings_quantifiers_and_conditionals() {
    let months = r#"rule M error "{i}" { for i, p in ps { when i > 0 { p >= ps[i - 1] } } }"#;
    assert!(give(months, "ps: [1, 2, 2]\n").is_empty());
    assert_eq!(places(&give(months, "ps: [1, 3, 2]\n")), ["ps[2]"]);

    let mapping = r#"rule K error "{k}" { for k, v in m { v.a = v.b } }"#;
    let found = give(mapping, "m:\n  x: {a: 1, b: 1}\n  y: {a: 2, b: 3}\n");
    assert_eq!(found.iter().map(|f| &f.message).collect::<Vec<_>>(), ["y"]);
    // A check that reads no figure points at its entry's key, not at the top of the file.
    let keys = r#"rule L error "{k}" { for k, v in m { len(k) = 1 } }"#;
    let found = give(keys, "m: {a: 1, bb: 1}\n");
    assert_eq!(found[0].primary.map(|p| p.start), Some(10)); // `bb`

    let quantified = r#"rule Q error "m" {
        any(x in xs: x > 2)
        all(x in xs: x > 0)
        count(x in xs: x > 1) = 2
        sum(x * 2 for x in xs if x > 1) = 10
        min(x for x in xs) = 1
        max(x for x in xs if x < 3) = 2
        (if count(xs) = 3 then 1 else 0) = 1
        len(prefix(code, 3)) = 3 and starts_with(code, "201") and parent(code) = "20101"
    }"#;
    assert!(
        give(quantified, "xs: [1, 2, 3]\ncode: 2010101\n").is_empty(),
        "{:?}",
        give(quantified, "xs: [1, 2, 3]\ncode: 2010101\n")
    );
    let all = r#"rule A error "m" { all(x in xs: x.v > 0) }"#;
    let found = give(all, "xs: [{v: 1}, {v: -1}, {v: 2}]\n");
    assert_eq!(
        places(&found),
        ["xs[1].v"],
        "only the failing item is labelled"
    );
    assert_eq!(found[0].values.len(), 1);
}

#[test]
fn unique_labels_both_places_of_a_duplicate() {
    let rule = r#"rule U warning "m" { unique(ps.name) }"#;
    assert!(give(rule, "ps: [{name: a}, {name: b}]\n").is_empty());
    let found = give(rule, "ps: [{name: a}, {name: b}, {name: a}]\n");
    let labelled: Vec<&str> = found[0].values.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(labelled, ["ps[0].name", "ps[2].name"]);
}

#[test]
fn a_check_message_replaces_the_rules_for_its_findings_only() {
    let rule = r#"rule R error "rule says {a}" {
        a <= b else "a {a} exceeds b {b}"
        a >= 0
    }"#;
    let found = give(rule, "a: 12\nb: 10\n");
    assert_eq!(found[0].message, "a 12 exceeds b 10");
    let found = give(rule, "a: -1\nb: 10\n");
    assert_eq!(found[0].message, "rule says -1");
    // A check that cannot be evaluated speaks with its own message too.
    let found = give(rule, "a: 1\nb: x\n");
    assert_eq!(
        found[0].message,
        "a 1 exceeds b x: `b` is the text \"x\", not a number"
    );
}

#[test]
fn a_finding_points_at_the_left_side_and_labels_its_when_figures() {
    let rule = r#"rule S warning "m" { share = amount / total * 100 }"#;
    let found = give(rule, "amount: 1.00\ntotal: 8.01\nshare: 12.60\n");
    assert_eq!(places(&found), ["share"]);

    let guarded = r#"rule W warning "m" { for c in cs { when c.word = "增加" { c.pct > 0 } } }"#;
    let found = give(guarded, "cs:\n  - {word: 增加, pct: -3}\n");
    let labelled: Vec<&str> = found[0].values.iter().map(|v| v.path.as_str()).collect();
    assert_eq!(labelled, ["cs[0].pct", "cs[0].word"]);
}

#[test]
fn the_word_of_a_failing_when_is_in_the_json_values_at_the_place_of_the_header() {
    let dir = fixture(&[
        (
            "r.tally",
            r#"rule W warning "增加应为正" { when w = "增加" { pct > 0 } }"#,
        ),
        ("d.yaml", "{w: 增加, pct: -3}\n"),
    ]);
    let json = tally_in(
        dir.path(),
        &["check", "d.yaml", "--rules", "r.tally", "--format", "json"],
    );
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let finding = &doc["files"][0]["findings"][0];
    let paths: Vec<&str> = finding["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["pct", "w"]);
    assert_eq!(
        (&finding["line"], &finding["column"]),
        (&1.into(), &14.into())
    );
    // A one-line dataset: the excerpt's header names the same place as JSON.
    let human = tally_in(
        dir.path(),
        &["check", "d.yaml", "--rules", "r.tally", "--width", "100"],
    );
    assert!(
        text(&human.stdout).contains("╭─[d.yaml:1:14]"),
        "{}",
        text(&human.stdout)
    );
}

#[test]
fn rule_file_errors_of_the_new_language_at_their_places() {
    let dir = fixture(&[(
        "bad.tally",
        r#"rule A error "m" since 2025 until 2020 { a = 1 }
rule B error "m" {
    wen x > 0 { x = 1 }
}
rule C error "m" { a + 1 }
rule D error "m" { for item in rows { itme.amount >= 0 } }
rule E error "m" { any(rows) and sum(x in rows: x > 0) = 1 }
rule F error "m" { cuont(rows) = 1 }
rule G error "m" sinse 2021 { a = 1 }
"#,
    )]);
    let out = tally_in(
        dir.path(),
        &["check", ".", "--rules", "bad.tally", "--width", "100"],
    );
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("language_v2_rule_errors", text(&out.stderr));
}

#[test]
fn lint_is_clean_on_the_built_in_pack() {
    let out = tally_in(root(), &["lint"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).ends_with("0 lint findings\n"));
}

#[test]
fn lint_reports_a_when_that_can_never_hold_and_a_broken_pack_is_exit_2() {
    let dir = fixture(&[
        (
            "pack/r.tally",
            r#"rule W warning "m" {
    for c in changes {
        when c.word = "增加" and c.word = "减少" { c.pct > 0 }
    }
}
"#,
        ),
        (
            "pack/tests/W.yaml",
            "cases:\n  - {name: quiet, data: {changes: []}, expect: none}\n",
        ),
        ("broken/r.tally", "rule X error \"m\" { a = }\n"),
    ]);
    let out = tally_in(dir.path(), &["lint", "pack"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("lint_contradictory_when", text(&out.stdout));
    let json = tally_in(dir.path(), &["lint", "pack", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let codes: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["not-covered", "when-never-holds"]);
    assert_eq!(
        tally_in(dir.path(), &["lint", "broken"]).status.code(),
        Some(2)
    );
}
