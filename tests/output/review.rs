//! The review workflow end to end (issue 19): one meaning of a finding's status in every
//! format, agreeing with the exit code; SARIF valid against its schema; the batch view in CSV
//! and xlsx; standard output as `-`; the audit trail.

use super::common::{RULES, read, stdout};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

/// A folder of three datasets with explanations: `a.yaml` (an error, an explained info, an
/// open info), `b.yaml` (an explained warning) and `c.yaml` (an open warning).
fn explained_batch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join(super::common::DATA);
    let a = read(&data.join("a-office.yaml"));
    let b = read(&data.join("b-finance.yaml"));
    let a = format!(
        "{a}explanations:\n  - rule: OUT-BUDGET\n    at: \"items[0].actual\"\n    figures:\n      \
         \"items[0].actual\": 720.00\n      \"items[0].budget\": 700.00\n    reason: \"追加预算已批复\"\n"
    );
    let explained_b = format!(
        "{b}explanations:\n  - rule: OUT-SHARE\n    at: \"expenditure.basic\"\n    figures:\n      \
         \"expenditure.basic\": 300.00\n      \"expenditure.total\": 500.00\n      \
         \"expenditure.basic_share\": 62.00\n    reason: \"占比按调整前口径计算\"\n"
    );
    std::fs::write(dir.path().join("a.yaml"), a).unwrap();
    std::fs::write(dir.path().join("b.yaml"), explained_b).unwrap();
    std::fs::write(dir.path().join("c.yaml"), b).unwrap();
    dir
}

/// `tally check DIR/data… --rules RULES ARGS…` in the crate root.
fn run(data: &Path, args: &[&str]) -> Output {
    crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .arg(data)
        .args(["--rules", RULES])
        .args(args)
        .output()
        .unwrap()
}

/// Counts of each status.
type Counts = BTreeMap<String, usize>;

fn count<'a>(statuses: impl IntoIterator<Item = &'a str>) -> Counts {
    let mut counts = Counts::new();
    for s in statuses {
        *counts.entry(s.to_string()).or_default() += 1;
    }
    counts
}

#[test]
fn every_format_agrees_with_the_exit_code() {
    let dir = explained_batch();
    let out_dir = tempfile::tempdir().unwrap();
    let formats = [
        "human", "concise", "json", "jsonl", "sarif", "junit", "github", "html", "csv", "xlsx",
    ];
    for fail_on in ["error", "warning", "info"] {
        let path = |f: &str| out_dir.path().join(format!("{fail_on}.{f}"));
        let mut args = vec!["--fail-on".to_string(), fail_on.to_string()];
        for f in formats {
            args.push("--output".into());
            args.push(format!("{f}={}", path(f).display()));
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = run(dir.path(), &args);
        let code = out.status.code().unwrap();
        assert!(
            code == 0 || code == 1,
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );

        // The JSON document is the reference: its statuses follow severity and --fail-on.
        let json: Value = serde_json::from_str(&read(&path("json"))).unwrap();
        let level = |s: &str| {
            ["info", "warning", "error"]
                .iter()
                .position(|l| *l == s)
                .unwrap()
        };
        let mut statuses = Vec::new();
        for file in json["files"].as_array().unwrap() {
            for f in file["findings"].as_array().unwrap() {
                let expected = if f.get("explained").is_some() {
                    "explained"
                } else if level(f["severity"].as_str().unwrap()) >= level(fail_on) {
                    "failing"
                } else {
                    "not-failing"
                };
                assert_eq!(f["status"], expected, "{f}");
                statuses.push(expected);
            }
        }
        let want = count(statuses.iter().copied());
        let failing = want.get("failing").copied().unwrap_or(0);
        let explained = want.get("explained").copied().unwrap_or(0);
        assert_eq!(want.values().sum::<usize>(), 5, "{want:?}");
        assert_eq!(explained, 2);
        assert_eq!(
            code,
            i32::from(failing > 0),
            "--fail-on {fail_on}: {want:?}"
        );
        let others = 5 - failing;

        // JSONL: the same statuses, and the summary's counts.
        let jsonl: Vec<Value> = read(&path("jsonl"))
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let records = jsonl.iter().filter(|r| r["type"] == "finding");
        assert_eq!(count(records.map(|r| r["status"].as_str().unwrap())), want);
        assert_eq!(jsonl.last().unwrap()["explained"], 2);

        // SARIF: the same statuses; explained findings, and only they, are suppressed.
        let sarif: Value = serde_json::from_str(&read(&path("sarif"))).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(
            count(
                results
                    .iter()
                    .map(|r| r["properties"]["status"].as_str().unwrap())
            ),
            want
        );
        for r in results {
            assert_eq!(
                r.get("suppressions").is_some(),
                r["properties"]["status"] == "explained"
            );
        }

        // JUnit: a failure exactly for each failing finding; the rest in system-out.
        let junit = read(&path("junit"));
        let doc = roxmltree::Document::parse(&junit).unwrap();
        let failures = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count();
        assert_eq!(failures, failing, "--fail-on {fail_on}");
        let root = doc.root_element();
        assert_eq!(root.attribute("failures") != Some("0"), failing > 0);
        let told: usize = doc
            .descendants()
            .filter(|n| n.has_tag_name("system-out"))
            .map(|n| n.text().unwrap().split("\n\n").count())
            .sum();
        assert_eq!(told, others);

        // GitHub: error and warning annotations only for failing findings, notices for the rest.
        let github = read(&path("github"));
        let loud = github
            .lines()
            .filter(|l| l.starts_with("::error") || l.starts_with("::warning"))
            .count();
        let notices = github.lines().filter(|l| l.starts_with("::notice")).count();
        assert_eq!((loud, notices), (failing, others), "{github}");
        assert_eq!(github.matches("(explained)").count(), explained);

        // Concise and human: explained findings marked.
        let concise = read(&path("concise"));
        assert_eq!(
            concise
                .lines()
                .filter(|l| l.contains(" (explained) "))
                .count(),
            explained
        );
        assert!(concise.contains(", 2 explained"));
        let human = read(&path("human"));
        assert_eq!(human.matches("(explained)").count(), explained);

        // HTML: the embedded findings carry the same statuses.
        let html = read(&path("html"));
        let start = html.find("id=\"tally-data\">").unwrap() + "id=\"tally-data\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        let data: Value = serde_json::from_str(&html[start..end]).unwrap();
        let findings = data["findings"].as_array().unwrap();
        assert_eq!(
            count(findings.iter().map(|f| f["status"].as_str().unwrap())),
            want
        );

        // CSV: the findings' statuses, and a dataset fails exactly when a finding of it fails.
        let csv = read(&path("csv"));
        let (datasets, findings) = csv.split_once("\r\n\r\n").unwrap();
        let rows: Vec<Vec<&str>> = findings
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect())
            .collect();
        assert_eq!(count(rows.iter().map(|r| r[3])), want);
        let failed: usize = datasets
            .lines()
            .skip(1)
            .filter(|l| l.ends_with(",fail"))
            .count();
        let failing_files: std::collections::BTreeSet<&str> = rows
            .iter()
            .filter(|r| r[3] == "failing")
            .map(|r| r[0])
            .collect();
        assert_eq!(failed, failing_files.len());

        // xlsx: the same, read back with a spreadsheet reader.
        let book = xlsx(&path("xlsx"));
        let statuses = book["findings"]
            .iter()
            .skip(1)
            .map(|r| match r[3].as_str() {
                "failing" => "failing",
                "not failing" => "not-failing",
                "Explained" => "explained",
                other => panic!("status {other}"),
            });
        assert_eq!(count(statuses), want);
        let failed_x = book["datasets"]
            .iter()
            .skip(1)
            .filter(|r| r[7] == "fail")
            .count();
        assert_eq!(failed_x, failed);
    }
}

/// Every sheet of a workbook, as rows of text.
fn xlsx(path: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    use calamine::{Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(path).unwrap();
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (name, rows)
        })
        .collect()
}

#[test]
fn csv_and_xlsx_have_a_row_per_dataset_and_per_finding() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("r.xlsx");
    let out = super::common::check(&[
        "--format",
        "csv",
        "--output",
        &format!("xlsx={}", book.display()),
    ]);
    let csv = stdout(&out);
    assert!(
        csv.starts_with('\u{FEFF}'),
        "a byte-order mark for spreadsheets"
    );
    let (datasets, findings) = csv.split_once("\r\n\r\n").unwrap();
    let datasets: Vec<&str> = datasets.lines().collect();
    assert_eq!(
        datasets[0].trim_start_matches('\u{FEFF}'),
        "file,department,year,errors,warnings,infos,explained,status"
    );
    assert_eq!(
        datasets[1],
        "tests/fixtures/output/data/a-office.yaml,江油市人民政府办公室,2020,1,0,2,0,fail"
    );
    assert_eq!(
        datasets[3],
        "tests/fixtures/output/data/c-clean.yaml,江油市审计局,2021,0,0,0,0,pass"
    );
    let findings: Vec<&str> = findings.lines().collect();
    assert_eq!(
        findings[0],
        "file,rule,severity,status,message,place,figures"
    );
    assert_eq!(findings.len(), 1 + 5);
    assert!(
        findings[1].starts_with(
            "tests/fixtures/output/data/a-office.yaml,OUT-TOTAL,error,failing,本年支出合计应等于基本支出与项目支出之和,6:10,expenditure.basic=800.20; "
        ),
        "{}",
        findings[1]
    );

    let sheets = xlsx(&book);
    assert_eq!(sheets.keys().collect::<Vec<_>>(), ["datasets", "findings"]);
    let d = &sheets["datasets"];
    assert_eq!(
        d[0],
        [
            "File",
            "Department",
            "Year",
            "Errors",
            "Warnings",
            "Infos",
            "Explained",
            "Status"
        ]
    );
    assert_eq!(d.len(), 5);
    assert_eq!(d[1][1], "江油市人民政府办公室");
    assert_eq!((d[1][2].as_str(), d[1][3].as_str()), ("2020", "1"));
    let f = &sheets["findings"];
    assert_eq!(f.len(), 6);
    assert_eq!(
        f[1][..6],
        [
            "tests/fixtures/output/data/a-office.yaml",
            "OUT-TOTAL",
            "error",
            "failing",
            "本年支出合计应等于基本支出与项目支出之和",
            "6:10"
        ]
    );

    // In Chinese, the workbook's headers and words are Chinese.
    let zh = dir.path().join("zh.xlsx");
    super::common::check(&[
        "--lang",
        "zh",
        "--output",
        &format!("xlsx={}", zh.display()),
    ]);
    let sheets = xlsx(&zh);
    assert_eq!(sheets["数据集"][0][0], "文件");
    assert_eq!(sheets["问题"][1][2], "错误");
}

#[test]
fn sarif_validates_against_the_schema() {
    let schema: Value = serde_json::from_str(&read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif/sarif-schema-2.1.0.json"),
    ))
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let dir = explained_batch();
    // With explanations (suppressions), a broken file (a file-level code) and prior-year
    // values, in both languages.
    std::fs::write(dir.path().join("x:bad.yaml"), "a: [1, 2\n").unwrap();
    for lang in ["en", "zh"] {
        let out = run(dir.path(), &["--format", "sarif", "--lang", lang]);
        let log: Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:#?}");
        let results = log["runs"][0]["results"].as_array().unwrap();
        // `x:bad.yaml` is a path, not a URI of the scheme `x`.
        let uris: Vec<&str> = results
            .iter()
            .map(|r| {
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
            })
            .collect();
        assert!(uris.iter().any(|u| u.ends_with("/x:bad.yaml")), "{uris:?}");
        assert!(uris.iter().all(|u| !u.starts_with("x:")));
        // Every result's rule is a driver rule, the file-level codes too.
        let ids: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert!(
            results
                .iter()
                .all(|r| ids.contains(&r["ruleId"].as_str().unwrap()))
        );
    }
    // A relative path with a colon gets a `./`.
    let out = crate::runner::tally(dir.path())
        .args(["check", "x:bad.yaml", "--rules"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(RULES))
        .args(["--format", "sarif"])
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "./x:bad.yaml"
    );
    assert!(validator.is_valid(&log));
}

#[test]
fn the_audit_trail_names_the_tally_the_pack_and_the_years() {
    let hash = crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
        .args(["rules", "--hash", "--rules", RULES])
        .output()
        .unwrap();
    let hash = stdout(&hash).trim().to_string();
    assert_eq!(hash.len(), 64);
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
    let out = super::common::check(&["--format", "json"]);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["run"]["tally"], env!("CARGO_PKG_VERSION"));
    assert_eq!(doc["run"]["pack"]["sha256"], hash.as_str());
    assert_eq!(doc["run"]["pack"]["name"], RULES);
    assert_eq!(doc["run"]["rules"], 3);
    assert_eq!(doc["summary"]["years"], serde_json::json!([2020, 2021]));
    assert_eq!(doc["summary"]["rules_applied"], 9);
    // A change to a rule file changes the hash; the built-in pack and `rules/` agree.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("rules.tally");
    std::fs::write(
        &copy,
        read(Path::new(env!("CARGO_MANIFEST_DIR")).join(RULES).as_path()) + "\n",
    )
    .unwrap();
    let changed = crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
        .args(["rules", "--hash", "--rules"])
        .arg(&copy)
        .output()
        .unwrap();
    assert_ne!(stdout(&changed).trim(), hash);
    let builtin = crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
        .args(["rules", "--hash"])
        .output()
        .unwrap();
    let folder = crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
        .args(["rules", "--hash", "--rules", "rules/"])
        .output()
        .unwrap();
    assert_eq!(stdout(&builtin), stdout(&folder));
}

#[test]
fn dash_is_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::runner::tally(dir.path())
        .args(["check"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(super::common::DATA))
        .args(["--rules"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(RULES))
        .args(["--output", "json=-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["version"], 1);
    // No file named `-` was written.
    assert!(!dir.path().join("-").exists());
    // Standard output cannot take two formats.
    let both = super::common::check(&["--format", "sarif", "--output", "json=-"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("standard output"));
}

#[test]
fn identical_findings_are_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    // A figure too long to be a number: the built-in pack's FA-DUP-003 trips over it in five
    // of its checks, saying the same thing at the same place (five findings, before).
    let data = dir.path().join("d.yaml");
    std::fs::write(
        &data,
        format!(
            "meta: {{department: x, year: 2020}}\nexpenditure:\n  basic: {}\n  project: 1\n  total: 2\n",
            "9".repeat(200)
        ),
    )
    .unwrap();
    let out = crate::runner::tally(dir.path())
        .args(["check", "d.yaml", "--format", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = doc["files"][0]["findings"].as_array().unwrap();
    let mut seen = std::collections::HashSet::new();
    for f in findings {
        assert!(seen.insert(f.to_string()), "a duplicate: {f}");
    }
    let at_the_figure: Vec<&str> = findings
        .iter()
        .filter(|f| f["line"] == 3)
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    // One finding per rule at the bad value.
    let distinct: std::collections::BTreeSet<&&str> = at_the_figure.iter().collect();
    assert_eq!(at_the_figure.len(), distinct.len(), "{at_the_figure:?}");
    assert!(at_the_figure.contains(&"FA-DUP-003"));
}
