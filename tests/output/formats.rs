//! Each format on standard output: snapshots of the text formats, structure of the machine
//! formats checked by parsing them.

use super::common::{check, stdout};
use serde_json::Value;

#[test]
fn concise_is_one_line_a_finding() {
    let out = check(&["--format", "concise"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn github_annotations_escape_their_data() {
    let out = check(&["--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn summary_table_per_dataset() {
    let out = check(&["--format", "concise", "--summary"]);
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn statistics_most_frequent_rule_first() {
    let out = check(&["--format", "concise", "--statistics"]);
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn human_output_ends_with_the_tables_then_the_summary_line() {
    let out = check(&["--summary", "--statistics", "--color", "never"]);
    let text = stdout(&out);
    let table = text.find("file  ").expect("a summary table");
    let stats = text.find("rule  ").expect("a statistics table");
    let last = text.rfind("4 files checked").expect("the summary line");
    assert!(text.find("OUT-TOTAL").unwrap() < table, "{text}");
    assert!(table < stats && stats < last, "{text}");
}

#[test]
fn json_keeps_v1_and_adds_datasets_and_statistics() {
    let out = check(&["--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["files"].as_array().unwrap().len(), 4);
    assert_eq!(doc["summary"]["errors"], 2);
    let a = &doc["datasets"][0];
    assert_eq!(a["file"], "tests/fixtures/output/data/a-office.yaml");
    assert_eq!(a["department"], "江油市人民政府办公室");
    assert_eq!(a["year"], 2020);
    assert_eq!(
        (&a["errors"], &a["warnings"], &a["infos"]),
        (&1.into(), &0.into(), &2.into())
    );
    assert_eq!(a["explained"], 0);
    assert_eq!(doc["datasets"][3]["department"], Value::Null);
    let stats = doc["statistics"].as_array().unwrap();
    assert_eq!(stats[0]["rule"], "OUT-BUDGET");
    assert_eq!(stats[0]["findings"], 2);
    assert_eq!(stats.len(), 4);
}

#[test]
fn jsonl_is_a_record_a_finding_a_file_and_a_closing_summary() {
    let out = check(&["--format", "jsonl"]);
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<String> = lines
        .iter()
        .map(|l| match l["type"].as_str().unwrap() {
            "finding" => l["rule"].as_str().unwrap().to_string(),
            other => other.to_string(),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "OUT-TOTAL",
            "OUT-BUDGET",
            "OUT-BUDGET",
            "file",
            "OUT-SHARE",
            "file",
            // The clean dataset has its record too, with its counts.
            "file",
            "yaml-syntax",
            "file",
            "summary",
        ]
    );
    let share = &lines[4];
    assert_eq!(share["path"], "tests/fixtures/output/data/b-finance.yaml");
    // The share the check states (`basic_share`, its left side), not the amount read first.
    assert_eq!((&share["line"], &share["column"]), (&8.into(), &16.into()));
    assert_eq!(share["values"][2]["value"], "62.00");
    assert_eq!(share["status"], "not-failing");
    assert_eq!(lines[0]["status"], "failing");
    let clean = &lines[6];
    assert_eq!(clean["path"], "tests/fixtures/output/data/c-clean.yaml");
    assert_eq!(
        (&clean["errors"], &clean["warnings"], &clean["findings"]),
        (&0.into(), &0.into(), &0.into())
    );
    assert_eq!(clean["rules_applied"], 3);
    let a = &lines[3];
    assert_eq!((&a["errors"], &a["infos"]), (&1.into(), &2.into()));
    assert_eq!(a["department"], "江油市人民政府办公室");
    let summary = &lines[9];
    assert_eq!(
        (&summary["files"], &summary["errors"]),
        (&4.into(), &2.into())
    );
    assert_eq!(summary["run"]["tally"], env!("CARGO_PKG_VERSION"));
    assert_eq!(summary["run"]["pack"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(summary["years"], serde_json::json!([2020, 2021]));
}

#[test]
fn sarif_has_the_fields_code_scanning_reads() {
    let out = check(&["--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(
        log["$schema"]
            .as_str()
            .unwrap()
            .ends_with("sarif-schema-2.1.0.json")
    );
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "tally");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // The rules of the run, then the file-level codes.
    assert_eq!(ids[..3], ["OUT-TOTAL", "OUT-SHARE", "OUT-BUDGET"]);
    assert!(ids.contains(&"yaml-syntax") && ids.contains(&"io"));
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    assert_eq!(
        invocation["properties"]["packSha256"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_eq!(invocation["properties"]["rulesApplied"], 9);
    assert_eq!(
        rules[0]["shortDescription"]["text"],
        "本年支出合计应等于基本支出与项目支出之和"
    );
    assert_eq!(
        rules[0]["help"]["text"],
        "本年支出合计 = 基本支出 + 项目支出"
    );
    assert_eq!(rules[2]["defaultConfiguration"]["level"], "note");

    let results = run["results"].as_array().unwrap();
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["error", "note", "note", "warning", "error"]);
    let share = &results[3];
    assert_eq!(share["ruleId"], "OUT-SHARE");
    assert!(
        share["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with("基本支出占比")
    );
    let at = &share["locations"][0]["physicalLocation"];
    assert_eq!(
        at["artifactLocation"]["uri"],
        "tests/fixtures/output/data/b-finance.yaml"
    );
    assert_eq!(
        (&at["region"]["startLine"], &at["region"]["startColumn"]),
        (&8.into(), &16.into())
    );
    assert_eq!(
        share["relatedLocations"][2]["message"]["text"],
        "expenditure.basic_share = 62.00"
    );
    // No explanations exist yet, so nothing is suppressed.
    assert!(results.iter().all(|r| r.get("suppressions").is_none()));
}

#[test]
fn junit_has_a_suite_per_dataset_and_a_case_per_rule() {
    let out = check(&["--format", "junit"]);
    let text = stdout(&out);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 4);
    let a = suites[0];
    assert_eq!(
        a.attribute("name"),
        Some("tests/fixtures/output/data/a-office.yaml")
    );
    // Only the error fails the run (--fail-on error): one failing case.
    assert_eq!(
        (a.attribute("tests"), a.attribute("failures")),
        (Some("3"), Some("1"))
    );
    assert_eq!(
        (root.attribute("tests"), root.attribute("failures")),
        (Some("10"), Some("2"))
    );
    let cases: Vec<_> = a
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<_> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(names, ["OUT-TOTAL", "OUT-SHARE", "OUT-BUDGET"]);
    let failures = |c: &roxmltree::Node| c.children().filter(|n| n.has_tag_name("failure")).count();
    assert_eq!(cases.iter().map(failures).collect::<Vec<_>>(), [1, 0, 0]);
    let total = cases[0]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(total.attribute("type"), Some("error"));
    // The infos below --fail-on are told in the case's output, not as failures.
    let out = cases[2]
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .unwrap()
        .text()
        .unwrap();
    assert!(
        out.contains("info OUT-BUDGET 完成预算不超过 100%：行政运行"),
        "{out}"
    );
    assert!(out.contains("一般行政管理事务 <&>"), "{out}");
    let props: Vec<_> = a
        .descendants()
        .filter(|n| n.has_tag_name("property"))
        .collect();
    assert_eq!(props[0].attribute("value"), Some("江油市人民政府办公室"));
    // A file that could not be read is a suite with one failing case named by its code.
    let broken = suites[3];
    let case = broken
        .children()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert_eq!(case.attribute("name"), Some("yaml-syntax"));
    assert_eq!(failures(&case), 1);
}

#[test]
fn junit_skips_a_reference_dataset() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("prior.yaml"), "meta:\n  role: reference\n").unwrap();
    let out = crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .arg(dir.path())
        .args(["--rules", super::common::RULES, "--format", "junit"])
        .output()
        .unwrap();
    let text = stdout(&out);
    let doc = roxmltree::Document::parse(&text).unwrap();
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(
        (suite.attribute("tests"), suite.attribute("skipped")),
        (Some("1"), Some("1"))
    );
    let skipped = suite
        .descendants()
        .find(|n| n.has_tag_name("skipped"))
        .unwrap();
    assert!(skipped.attribute("message").unwrap().contains("reference"));
}

#[test]
fn machine_formats_stay_valid_with_no_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let run = |format: &str| {
        let out = crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
            .arg("check")
            .arg(dir.path())
            .args(["--rules", super::common::RULES, "--format", format])
            .output()
            .unwrap();
        // A folder with no dataset is reported (exit 2); the document must still be whole.
        assert_eq!(out.status.code(), Some(2));
        stdout(&out)
    };
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_eq!(sarif["runs"][0]["results"], Value::Array(vec![]));
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        3 + tally::output::lang::FILE_CODES.len()
    );
    let junit = run("junit");
    let doc = roxmltree::Document::parse(&junit).unwrap();
    assert_eq!(
        doc.root_element()
            .children()
            .filter(|n| n.is_element())
            .count(),
        0
    );
    let json: Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(json["datasets"], Value::Array(vec![]));
    // Only the closing record: the run finished, with no file.
    let jsonl = run("jsonl");
    let last: Value = serde_json::from_str(jsonl.trim()).unwrap();
    assert_eq!(
        (&last["type"], &last["files"]),
        (&"summary".into(), &0.into())
    );
}

#[test]
fn summaries_leave_out_reference_datasets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("prior.yaml"), "meta:\n  role: reference\n").unwrap();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(super::common::DATA);
    std::fs::copy(data.join("b-finance.yaml"), dir.path().join("b.yaml")).unwrap();
    let out = crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .arg(dir.path())
        .args(["--rules", super::common::RULES, "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let datasets = doc["datasets"].as_array().unwrap();
    assert_eq!(datasets.len(), 1);
    assert!(datasets[0]["file"].as_str().unwrap().ends_with("b.yaml"));
    assert_eq!(
        doc["files"].as_array().unwrap().len(),
        2,
        "v1 `files` is unchanged"
    );
}
