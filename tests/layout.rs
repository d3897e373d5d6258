//! Any real report, not just the seed: absent figures are not violations, a pack's layout
//! (schema) checks rules when they load and datasets before the rules read them, units of
//! money, direction words, figures printed with separators, truncated percentages.
//!
//! Each test writes a small pack (rules, `layout.yaml`) and datasets into a temporary folder
//! and runs the real binary there.

use crate::runner;
use std::path::Path;
use std::process::Output;

/// A layout with two required figures and a table whose blanks are zeros.
const LAYOUT: &str = "\
name: 测试
completeness: warning
unit: 万元
words:
  increase: [增加, 增长, 上升, 提高]
  decrease: [减少, 下降, 降低]
  flat: [持平, 不变]
keys:
  meta:
    keys:
      year: year 年度
      unit: {kind: text, one_of: [元, 万元, 亿元]}
      scope: {kind: text, one_of: [full, partial]}
      prior: text 上年数据集
      role: text 用途
      precision: any 精度
  a: amount 基本支出
  b: {kind: amount, label: 项目支出, required: true}
  total: amount 本年支出合计
  change: {keys: {amount: amount 变动额, word: word 增减, pct: percent 变动率}}
  table:
    blank: zero
    keys:
      rows: {key: code, items: {keys: {code: code 编码, total: amount 合计, basic: amount 基本支出, project: amount 项目支出}}}
";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A folder with the pack `pack/` (the layout and `rules`) and the given datasets.
fn setup(rules: &str, datasets: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pack/layout.yaml", LAYOUT);
    write(dir.path(), "pack/rules.tally", rules);
    for (name, text) in datasets {
        write(dir.path(), name, text);
    }
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    runner::tally(dir).args(args).output().unwrap()
}

/// Checks `d.yaml` with the pack in `pack/`, which must be refused (exit 2): its errors.
fn refused_pack(dir: &Path) -> String {
    let out = run(
        dir,
        &["check", "d.yaml", "--rules", "pack", "--color", "never"],
    );
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8(out.stderr).unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn findings(doc: &serde_json::Value) -> Vec<String> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["findings"].as_array().unwrap().clone())
        .map(|f| {
            format!(
                "{} {}",
                f["rule"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

const SUM: &str = r#"rule SUM error "基本支出 + 项目支出 = 本年支出合计" { a + b = total }"#;

#[test]
fn a_check_whose_figure_is_absent_gives_no_finding_and_is_counted() {
    // `b` is required by the layout: the dataset gets exactly one finding naming it (the
    // completeness finding), and the sum that reads it does not apply.
    let dir = setup(SUM, &[("d.yaml", "meta: {year: 2024}\na: 1\ntotal: 5\n")]);
    let out = run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--format", "json"],
    );
    let doc = json(&out);
    assert_eq!(
        findings(&doc),
        [
            "incomplete 缺少模板要求的内容：项目支出（`b`）（如本数据集只是报告的一部分，请在 meta 中写明 `scope: partial`）"
        ]
    );
    assert_eq!(doc["summary"]["not_applicable"], 1);
    // Counted always; listed per file only with --show-skipped (a batch's JSON stays small).
    assert!(doc["files"][0].get("not_applicable").is_none());
    let out = run(
        dir.path(),
        &[
            "check",
            "d.yaml",
            "--rules",
            "pack",
            "--format",
            "json",
            "--show-skipped",
        ],
    );
    let doc = json(&out);
    assert_eq!(
        doc["files"][0]["not_applicable"][0]["what"],
        "`b` is not stated"
    );
    assert_eq!(doc["files"][0]["not_applicable"][0]["rule"], "SUM");
    // A partial dataset: nothing at all, one check not applicable.
    let dir = setup(
        SUM,
        &[("d.yaml", "meta: {scope: partial}\na: 1\ntotal: 5\n")],
    );
    let out = run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let doc = json(&out);
    assert!(findings(&doc).is_empty(), "{:?}", findings(&doc));
    assert_eq!(doc["summary"]["not_applicable"], 1);
    // Human output counts it, and --show-skipped says which and why.
    let out = run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--show-skipped"],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("not applicable: d.yaml: SUM (pack/rules.tally:1): `b` is not stated"),
        "{text}"
    );
    assert!(
        text.ends_with("(1 rule applied; 1 check not applicable: figures not stated)\n"),
        "{text}"
    );
}

#[test]
fn the_same_check_with_its_figures_stated_finds_the_error() {
    let dir = setup(
        SUM,
        &[("d.yaml", "meta: {scope: partial}\na: 1\nb: 2\ntotal: 5\n")],
    );
    let doc = json(&run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--format", "json"],
    ));
    assert_eq!(findings(&doc), ["SUM 基本支出 + 项目支出 = 本年支出合计"]);
    assert_eq!(doc["summary"]["not_applicable"], 0);
}

#[test]
fn blank_cells_of_a_stated_table_are_zero() {
    let rules = r#"rule ROW error "行：合计 = 基本支出 + 项目支出" {
        for r in table.rows { r.total = r.basic + r.project }
    }"#;
    let data = "meta: {scope: partial}\ntable:\n  rows:\n    - {code: '201', total: 5, basic: 5}\n    - {code: '208', total: 3, project: 2}\n";
    let dir = setup(rules, &[("d.yaml", data)]);
    let doc = json(&run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--format", "json"],
    ));
    // Row 201's blank 项目支出 is 0 and the row adds up; row 208 (blank 基本支出) does not.
    assert_eq!(findings(&doc), ["ROW 行：合计 = 基本支出 + 项目支出"]);
    assert_eq!(doc["files"][0]["findings"][0]["line"], 5);
    assert_eq!(doc["summary"]["not_applicable"], 0);
}

#[test]
fn a_rule_reading_a_path_the_layout_does_not_know_is_a_rule_file_error() {
    let rules = "rule TYPO error \"m\" {\n    zzz_nonexistent.amount = 1\n    totl = 1\n}\n";
    let dir = setup(rules, &[("d.yaml", "a: 1\n")]);
    let err = refused_pack(dir.path());
    assert!(
        err.contains("the pack's layout has no top-level key `zzz_nonexistent`"),
        "{err}"
    );
    assert!(err.contains("pack/rules.tally:2:5"), "{err}");
    assert!(
        err.contains("no top-level key `totl` (did you mean `total`?)"),
        "{err}"
    );
    assert!(err.contains("pack/rules.tally:3:5"), "{err}");
}

#[test]
fn a_pack_extending_the_built_in_one_is_checked_against_its_layout() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "county/pack.toml", "extends = \"builtin\"\n");
    write(
        dir.path(),
        "county/extra.tally",
        "rule X-001 error \"m\" {\n    zzz_nonexistent.amount >= 0\n    income.totl >= 0\n}\n",
    );
    write(dir.path(), "d.yaml", "a: 1\n");
    let out = run(
        dir.path(),
        &["check", "d.yaml", "--rules", "county", "--color", "never"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("county/extra.tally:2:5"), "{err}");
    assert!(err.contains("`zzz_nonexistent`"), "{err}");
    assert!(
        err.contains("no `totl` under `income` (did you mean `total`?)"),
        "{err}"
    );
}

#[test]
fn a_misspelt_key_is_one_warning_with_a_suggestion() {
    let data = "meta: {scope: partial}\na: 1\nb: 4\ntotl: 5\ntable:\n  rows:\n    - {code: '201', totel: 5}\n    - {code: '208', totel: 3}\n";
    let dir = setup(SUM, &[("d.yaml", data)]);
    let doc = json(&run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--format", "json"],
    ));
    let found = findings(&doc);
    assert_eq!(
        found.len(),
        2,
        "one warning per misspelling, not per row: {found:?}"
    );
    assert!(
        found[0].starts_with("unknown-key 数据布局中没有顶层键 `totl` (did you mean `total`?)"),
        "{found:?}"
    );
    assert!(
        found[1].contains("`table.rows[0].totel` (did you mean `total`?)"),
        "{found:?}"
    );
    assert_eq!(doc["files"][0]["findings"][0]["severity"], "warning");
}

#[test]
fn text_where_an_amount_belongs_is_one_error_and_its_rules_do_not_apply() {
    let data = "meta: {scope: partial}\na: 一百\nb: 4\ntotal: 5\n";
    let dir = setup(SUM, &[("d.yaml", data)]);
    let doc = json(&run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--format", "json"],
    ));
    assert_eq!(
        findings(&doc),
        ["wrong-kind `a`（基本支出） 应为金额，这里是文字 `一百`；读取它的规则不适用"]
    );
    assert_eq!(doc["summary"]["not_applicable"], 1);
}

#[test]
fn amounts_printed_with_separators_check_exactly_as_plain_ones() {
    // The seed report, with 本年收入合计 printed "1,612.36" instead of 1612.36: the same
    // findings, nothing new.
    let seed = std::fs::read_to_string("examples/final-accounts/2020.yaml").unwrap();
    assert!(seed.contains("  total: 1612.36"));
    let dir = tempfile::tempdir().unwrap();
    let copy = |name: &str, text: &str| write(dir.path(), name, text);
    copy(
        "plain/2020.yaml",
        &seed.replace("meta:\n", "meta:\n  scope: partial\n"),
    );
    copy(
        "commas/2020.yaml",
        &seed
            .replace("meta:\n", "meta:\n  scope: partial\n")
            .replacen("  total: 1612.36", "  total: \"1,612.36\"", 1),
    );
    for d in ["plain", "commas"] {
        let prior = std::fs::read_to_string("examples/final-accounts/prior/2019.yaml").unwrap();
        copy(&format!("{d}/prior/2019.yaml"), &prior);
    }
    let shown = |d: &str| {
        let doc = json(&run(dir.path(), &["check", d, "--format", "json"]));
        (findings(&doc), doc["summary"]["not_applicable"].clone())
    };
    let (plain, plain_na) = shown("plain");
    assert!(!plain.is_empty(), "the seed has its documented findings");
    assert_eq!(shown("commas"), (plain, plain_na));
}

#[test]
fn messages_of_a_dataset_in_yuan_say_yuan() {
    let data =
        "meta: {unit: 元, scope: partial}\na: \"1,000.00\"\nb: 2000.00\ntotal: \"3,500.00\"\n";
    let dir = setup(SUM, &[("d.yaml", data)]);
    let out = run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--color", "never"],
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("a = 1,000.00 元"), "{text}");
    assert!(
        text.contains("help: left 3000.00 元, right 3500.00 元, difference -500.00 元 (beyond rounding ±0.015 元)"),
        "{text}"
    );
    let doc = json(&run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--format", "json"],
    ));
    let f = &doc["files"][0]["findings"][0];
    assert_eq!(f["evidence"]["unit"], "元");
    assert_eq!(f["values"][0]["unit"], "元");
    // The layout's default unit where the dataset says none.
    let dir = setup(
        SUM,
        &[("d.yaml", "meta: {scope: partial}\na: 1\nb: 2\ntotal: 5\n")],
    );
    let out = run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--color", "never"],
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("left 3 万元, right 5 万元")
    );
}

#[test]
fn a_prior_year_in_another_unit_is_compared_exactly() {
    let rules = r#"rule XY error "本年支出合计 = 上年 + 变动额" { total = prior.total + sign(change.word) * change.amount }"#;
    let this = "meta: {unit: 万元, scope: partial, prior: prior.yaml}\ntotal: 12.35\nchange: {amount: 0.01, word: 增加}\n";
    // 123,400 元 is 12.34 万元: the change of 0.01 万元 adds up.
    let prior = "meta: {unit: 元, role: reference}\ntotal: \"123,400.00\"\n";
    let dir = setup(rules, &[("d.yaml", this), ("prior.yaml", prior)]);
    let doc = json(&run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--format", "json"],
    ));
    assert!(findings(&doc).is_empty(), "{:?}", findings(&doc));
    // 123,700 元 does not.
    let prior = "meta: {unit: 元, role: reference}\ntotal: \"123,700.00\"\n";
    let dir = setup(rules, &[("d.yaml", this), ("prior.yaml", prior)]);
    let doc = json(&run(
        dir.path(),
        &["check", "d.yaml", "--rules", "pack", "--format", "json"],
    ));
    assert_eq!(findings(&doc).len(), 1);
}

#[test]
fn direction_words_come_from_the_vocabulary() {
    let rules =
        r#"rule W warning "变动额与用语方向" { total - a = sign(change.word) * change.amount }"#;
    let check = |word: &str, total: &str| {
        let data = format!(
            "meta: {{scope: partial}}\na: 10\ntotal: {total}\nchange: {{amount: 2, word: {word}}}\n"
        );
        let dir = setup(rules, &[("d.yaml", &data)]);
        let doc = json(&run(
            dir.path(),
            &["check", "d.yaml", "--rules", "pack", "--format", "json"],
        ));
        (
            findings(&doc).len(),
            doc["summary"]["not_applicable"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        check("降低", "8"),
        (0, 0),
        "降低 is a decrease, never a wording error"
    );
    assert_eq!(check("增长", "12"), (0, 0));
    assert_eq!(
        check("增长", "8"),
        (1, 0),
        "the word says up, the figures down"
    );
    assert_eq!(
        check("上涨", "12"),
        (0, 1),
        "a word outside the vocabulary: not applicable"
    );
}

#[test]
fn truncated_percentages_stand_for_the_interval_above() {
    let rules =
        r#"rule P warning "变动率" { change.amount / (total - change.amount) * 100 = change.pct }"#;
    // 1.3716 / 10 = 13.716%: printed 13.71 when cut, 13.72 when rounded.
    let data = |precision: &str| {
        format!(
            "meta: {{scope: partial{precision}}}\ntotal: 11.3716\nchange: {{amount: 1.3716, pct: 13.71}}\n"
        )
    };
    let dir = setup(
        rules,
        &[
            ("round.yaml", &data("")),
            ("cut.yaml", &data(", precision: {\"*.pct\": truncate}")),
        ],
    );
    let args = [
        "check",
        "cut.yaml",
        "round.yaml",
        "--rules",
        "pack",
        "--format",
        "json",
    ];
    let doc = json(&run(dir.path(), &args));
    let per_file: Vec<(String, usize)> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["findings"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        per_file,
        [("cut.yaml".to_string(), 0), ("round.yaml".to_string(), 1)]
    );
}

#[test]
fn the_layout_reference_is_generated_not_written() {
    let out = runner::tally(".").args(["layout"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let on_disk = std::fs::read_to_string("examples/LAYOUT.md").unwrap();
    assert!(
        on_disk == String::from_utf8(out.stdout).unwrap(),
        "examples/LAYOUT.md is stale: regenerate it with `tally layout > examples/LAYOUT.md`"
    );
}

#[test]
fn errors_in_a_layout_are_rule_file_errors_at_their_place() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pack/layout.yaml", "keys:\n  a: amont 金额\n");
    write(dir.path(), "pack/r.tally", "rule R error \"m\" { a = 1 }\n");
    write(dir.path(), "d.yaml", "a: 1\n");
    let err = refused_pack(dir.path());
    assert!(
        err.contains("in the layout: unknown kind `amont` (did you mean `amount`?)"),
        "{err}"
    );
    assert!(err.contains("pack/layout.yaml:2:6"), "{err}");
}
