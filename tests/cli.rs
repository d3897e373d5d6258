//! End-to-end: the real binary on fixture folders — exit codes, JSON, rendered diagnostics.

use std::path::Path;
use std::process::Output;

fn tally(args: &[&str]) -> Output {
    tally_in(".", args)
}

/// Runs tally in a folder, so that paths in its output are short and stable.
fn tally_in(dir: impl AsRef<Path>, args: &[&str]) -> Output {
    crate::runner::tally(dir)
        .args(args)
        .output()
        .expect("tally runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// `f` of each file's findings in a JSON document, in file order.
fn per_file<'a, T>(doc: &'a serde_json::Value, f: impl Fn(&'a [serde_json::Value]) -> T) -> Vec<T> {
    doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|file| f(file["findings"].as_array().unwrap()))
        .collect()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

/// A folder of datasets and a rule file, written for one test.
fn fixture(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn p(dir: &tempfile::TempDir, name: &str) -> String {
    dir.path().join(name).display().to_string()
}

const RULES: &str = r#"
rule EXP-001 error "基本支出与项目支出之和应等于本年支出合计" {
    expenditure.basic + expenditure.project = expenditure.total
}
rule EVAL-001 warning "自评得分不得超过分值：{i.name}" {
    for i in evaluation.indicators { i.score <= i.max }
}
"#;

const GOOD: &str = "expenditure:\n  basic: 1170.44\n  project: 446.98\n  total: 1617.42\nevaluation:\n  indicators:\n    - {name: 目标制定, score: 6, max: 6}\n";
const BAD: &str = "expenditure:\n  basic: 1170.44\n  project: 446.98\n  total: 1612.36\nevaluation:\n  indicators:\n    - {name: 预算完成, score: 3.5, max: 3}\n";

#[test]
fn exit_0_when_clean_1_on_errors_and_fail_on_lowers_the_bar() {
    let dir = fixture(&[("r.tally", RULES), ("good.yaml", GOOD), ("bad.yaml", BAD)]);
    let rules = p(&dir, "r.tally");
    let good = tally(&["check", &p(&dir, "good.yaml"), "--rules", &rules]);
    assert_eq!(good.status.code(), Some(0), "{}", stdout(&good));
    assert!(
        stdout(&good)
            .ends_with("1 file checked: 0 errors, 0 warnings, 0 infos (2 rules applied)\n")
    );

    let bad = tally(&["check", &p(&dir, "bad.yaml"), "--rules", &rules]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stdout(&bad).ends_with("1 file checked: 1 error, 1 warning, 0 infos (2 rules applied)\n")
    );

    let only_warning = "expenditure: {basic: 1, project: 1, total: 2}\nevaluation: {indicators: [{name: x, score: 2, max: 1}]}\n";
    let dir2 = fixture(&[("w.yaml", only_warning)]);
    let w = p(&dir2, "w.yaml");
    assert_eq!(
        tally(&["check", &w, "--rules", &rules]).status.code(),
        Some(0)
    );
    assert_eq!(
        tally(&["check", &w, "--rules", &rules, "--fail-on", "warning"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        tally(&["check", &w, "--rules", &rules, "--fail-on", "info"])
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn exit_2_for_bad_arguments_missing_paths_and_broken_rules() {
    let dir = fixture(&[
        ("r.tally", RULES),
        ("good.yaml", GOOD),
        ("broken.tally", "rule X oops \"m\" { a = }\n"),
    ]);
    let rules = p(&dir, "r.tally");
    assert_eq!(tally(&["check", "--format", "xml"]).status.code(), Some(2));
    let missing = tally(&[
        "check",
        "/no/such/place.yaml",
        &p(&dir, "good.yaml"),
        "--rules",
        &rules,
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("/no/such/place.yaml: no such file or folder"));
    assert!(
        stdout(&missing).contains("1 file checked"),
        "the other files are still checked"
    );
    let broken = tally(&[
        "check",
        &p(&dir, "good.yaml"),
        "--rules",
        &p(&dir, "broken.tally"),
    ]);
    assert_eq!(broken.status.code(), Some(2));
    assert!(
        stdout(&broken).is_empty(),
        "nothing is checked with broken rules"
    );
    assert_eq!(
        tally(&["check", &p(&dir, "good.yaml"), "--rules", "/no/rules"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn json_document_has_the_v1_shape_with_places_in_characters() {
    let dir = fixture(&[("r.tally", RULES), ("bad.yaml", BAD), ("good.yaml", GOOD)]);
    let out = tally(&[
        "check",
        dir.path().to_str().unwrap(),
        "--rules",
        &p(&dir, "r.tally"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json(&out);
    assert_eq!(doc["version"], 1);
    let files = doc["files"].as_array().unwrap();
    let names: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(
        names[0].ends_with("bad.yaml") && names[1].ends_with("good.yaml"),
        "sorted: {names:?}"
    );
    let f = &files[0]["findings"][0];
    assert_eq!(f["rule"], "EXP-001");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["message"], "基本支出与项目支出之和应等于本年支出合计");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(10))
    );
    let values: Vec<(String, String, u64, u64)> = f["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["path"].as_str().unwrap().into(),
                v["value"].as_str().unwrap().into(),
                v["line"].as_u64().unwrap(),
                v["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        values,
        [
            ("expenditure.basic".into(), "1170.44".into(), 2, 10),
            ("expenditure.project".into(), "446.98".into(), 3, 12),
            ("expenditure.total".into(), "1612.36".into(), 4, 10),
        ]
    );
    // Columns count characters: `{name: 预算完成, score: 3.5` puts 3.5 at column 27 (byte 35).
    let w = &files[0]["findings"][1];
    assert_eq!(w["values"][0]["value"], "3.5");
    assert_eq!(
        (
            w["values"][0]["line"].as_u64(),
            w["values"][0]["column"].as_u64()
        ),
        (Some(7), Some(27))
    );
    assert_eq!(doc["summary"]["files"], 2);
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["warnings"], 1);
    assert_eq!(doc["summary"]["infos"], 0);
}

#[test]
fn json_findings_carry_the_evidence_of_the_failed_comparison() {
    let rules = format!(
        "{RULES}\nrule TXT info \"m\" {{ evaluation.indicators[0].name = \"目标制定\" }}\n\
         rule TOL info \"m\" {{ expenditure.basic = expenditure.total within 1% }}\n"
    );
    let dir = fixture(&[("r.tally", &rules), ("bad.yaml", BAD)]);
    let out = tally(&[
        "check",
        &p(&dir, "bad.yaml"),
        "--rules",
        &p(&dir, "r.tally"),
        "--format",
        "json",
    ]);
    let doc = json(&out);
    let evidence: Vec<&serde_json::Value> = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["evidence"])
        .collect();
    assert_eq!(
        evidence[0],
        &serde_json::json!({
            "kind": "numbers", "op": "=",
            "left": {"value": "1617.42", "min": "1617.410", "max": "1617.430"},
            "right": {"value": "1612.36", "min": "1612.355", "max": "1612.365"},
            "difference": "5.06", "rounding": "0.015", "tolerance": null, "allowed": "0.015",
        })
    );
    assert_eq!(evidence[1]["op"], "<=");
    assert_eq!(evidence[1]["left"]["value"], "3.5");
    assert_eq!(
        evidence[1]["right"],
        serde_json::json!({"value": "3", "min": "3", "max": "3"})
    );
    assert_eq!(
        evidence[2],
        &serde_json::json!({"kind": "texts", "op": "=",
                            "left": {"text": "预算完成"}, "right": {"text": "目标制定"}})
    );
    // 1% of the larger side, 1612.36: 16.1236.
    assert_eq!(
        evidence[3]["tolerance"],
        serde_json::json!({"within": "1%", "amount": "16.1236"})
    );
    assert_eq!(evidence[3]["allowed"], "16.1336");
}

#[test]
fn every_failed_comparison_in_the_examples_has_its_evidence_in_json_and_jsonl() {
    let doc = json(&tally(&[
        "check",
        "examples/final-accounts/",
        "--format",
        "json",
    ]));
    let findings: Vec<serde_json::Value> = per_file(&doc, <[serde_json::Value]>::to_vec)
        .into_iter()
        .flatten()
        .collect();
    assert!(!findings.is_empty());
    for f in &findings {
        let help = f["help"].as_str().unwrap_or("");
        assert!(help.starts_with("left "), "{f}");
        let e = &f["evidence"];
        match e["kind"].as_str() {
            Some("numbers") => assert!(e["difference"].is_string() && e["left"]["min"].is_string()),
            Some("texts") => {
                assert!(e["left"]["text"].is_string() && e["right"]["text"].is_string())
            }
            _ => panic!("no evidence of a comparison: {f}"),
        }
    }
    let lines = stdout(&tally(&[
        "check",
        "examples/final-accounts/",
        "--format",
        "jsonl",
    ]));
    let with_evidence = lines
        .lines()
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["evidence"].is_object())
        .count();
    assert_eq!(with_evidence, findings.len());
}

#[test]
fn a_file_that_is_not_yaml_is_a_finding_and_the_run_goes_on() {
    let dir = fixture(&[
        ("r.tally", RULES),
        ("a-broken.yaml", "expenditure: [1, 2\nbasic: {\n"),
        (
            "b-dup.yaml",
            "expenditure: {basic: 1}\nexpenditure: {basic: 2}\n",
        ),
        ("c-bad.yaml", BAD),
    ]);
    let out = tally(&[
        "check",
        dir.path().to_str().unwrap(),
        "--rules",
        &p(&dir, "r.tally"),
        "--format",
        "json",
    ]);
    let doc = json(&out);
    let rules: Vec<Vec<&str>> = per_file(&doc, |fs| {
        fs.iter().map(|x| x["rule"].as_str().unwrap()).collect()
    });
    assert_eq!(
        rules,
        [
            vec!["yaml-syntax"],
            vec!["yaml-duplicate-key"],
            vec!["EXP-001", "EVAL-001"]
        ]
    );
    let dup = &doc["files"][1]["findings"][0];
    assert_eq!(
        (dup["line"].as_u64(), dup["column"].as_u64()),
        (Some(2), Some(1))
    );
}

#[test]
fn a_dataset_is_never_modified() {
    let dir = fixture(&[("r.tally", RULES), ("bad.yaml", BAD)]);
    let before = std::fs::metadata(dir.path().join("bad.yaml"))
        .unwrap()
        .modified()
        .unwrap();
    tally(&[
        "check",
        &p(&dir, "bad.yaml"),
        "--rules",
        &p(&dir, "r.tally"),
    ]);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("bad.yaml")).unwrap(),
        BAD
    );
    assert_eq!(
        std::fs::metadata(dir.path().join("bad.yaml"))
            .unwrap()
            .modified()
            .unwrap(),
        before
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let out = tally(&["check", "--help"]);
    let text = stdout(&out);
    assert!(text.contains("0  no finding at or above --fail-on"));
    assert!(text.contains("2  tally could not do its job"));
}

#[test]
fn rendered_findings_point_at_the_figures() {
    let dir = fixture(&[("r.tally", RULES), ("bad.yaml", BAD)]);
    // Run from inside the fixture folder so that paths in the output are stable.
    let out = tally_in(
        dir.path(),
        &[
            "check", "bad.yaml", "--rules", "r.tally", "--width", "100", "--color", "never",
        ],
    );
    insta::assert_snapshot!("two_findings", stdout(&out));
}

#[test]
fn rule_file_errors_are_rendered_at_their_places() {
    let dir = fixture(&[(
        "bad.tally",
        "rule A fatal \"m\" { a = b }\nrule B error \"m\" { a = = b }\nrule C error \"m\" { summ(a) = 1 }\nrule A error \"never closed {\n",
    )]);
    let out = tally_in(
        dir.path(),
        &[
            "check",
            ".",
            "--rules",
            "bad.tally",
            "--width",
            "100",
            "--color",
            "never",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    insta::assert_snapshot!("rule_errors", stderr(&out));
}

#[test]
fn the_seed_report_with_the_built_in_pack() {
    let seed = "examples/final-accounts/";
    let out = tally(&["check", seed, "--width", "100", "--color", "never"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "the seed has warnings and infos, no errors"
    );
    insta::assert_snapshot!("seed_human", stdout(&out));
    let json_out = tally(&["check", seed, "--format", "json"]);
    let doc = json(&json_out);
    let found: Vec<String> = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}:{} {}",
                f["rule"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                f["line"],
                f["column"],
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_snapshot!("seed_json_findings", found.join("\n"));
}

#[test]
fn the_embedded_pack_and_the_rules_folder_agree() {
    let builtin = tally(&["check", "examples/", "--format", "json"]);
    let folder = tally(&[
        "check",
        "examples/",
        "--format",
        "json",
        "--rules",
        "rules/",
    ]);
    let strip = |o: &Output| {
        let mut doc = json(o);
        // Rule sites differ only in the file name (`<built-in>/…` vs `rules/…`), which JSON omits.
        doc["files"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .for_each(|f| {
                f["path"] = serde_json::Value::Null;
                for skip in f["not_applicable"].as_array_mut().into_iter().flatten() {
                    skip["check"] = serde_json::Value::Null;
                }
            });
        // The pack is named by its path; the hash is the same (the same files).
        doc["run"]["pack"]["name"] = serde_json::Value::Null;
        doc["run"]["time"] = serde_json::Value::Null;
        doc
    };
    assert_eq!(strip(&builtin), strip(&folder));
    // And file by file: the embedded texts are those of `rules/` (a stale build would differ).
    for (name, text) in tally::rules::ruleset::builtin_sources() {
        let on_disk = std::fs::read_to_string(Path::new("rules").join(&name)).unwrap();
        assert_eq!(text, on_disk, "{name}");
    }
    let count = walk_count(Path::new("rules"));
    assert_eq!(tally::rules::ruleset::builtin_sources().len(), count);
}

fn walk_count(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            if p.is_dir() {
                walk_count(&p)
            } else {
                usize::from(p.extension().is_some_and(|e| e == "tally"))
            }
        })
        .sum()
}

#[test]
fn chinese_keys_and_chinese_identifiers() {
    let out = tally_in(
        "tests/fixtures/chinese",
        &[
            "check",
            "决算.yaml",
            "--rules",
            "规则.tally",
            "--width",
            "100",
            "--color",
            "never",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("chinese", stdout(&out));
    let out = tally_in(
        "tests/fixtures/chinese",
        &[
            "check",
            "决算.yaml",
            "--rules",
            "规则.tally",
            "--format",
            "json",
        ],
    );
    let doc = json(&out);
    let rules: Vec<&str> = per_file(&doc, |fs| {
        fs.iter().map(|f| f["rule"].as_str().unwrap()).collect()
    })
    .remove(0);
    assert_eq!(rules, ["支出-合计", "三公-合计"]);
    assert_eq!(
        doc["files"][0]["findings"][1]["values"][2]["path"],
        "三公经费.分项[2].金额"
    );
}

#[test]
fn without_a_prior_year_cross_year_rules_are_skipped_and_counted() {
    let seed = std::fs::read_to_string("examples/final-accounts/2020.yaml").unwrap();
    let alone = seed.replace("  prior: prior/2019.yaml\n", "");
    assert_ne!(alone, seed, "the seed names its prior year");
    let dir = fixture(&[("2020.yaml", &alone)]);
    let out = tally(&["check", &p(&dir, "2020.yaml"), "--format", "json"]);
    let doc = json(&out);
    let skipped = doc["summary"]["skipped_no_prior"].as_u64().unwrap();
    assert!(skipped > 0);
    let human = tally(&["check", &p(&dir, "2020.yaml")]);
    let last = stdout(&human).lines().last().unwrap().to_string();
    assert!(
        last.contains(&format!(
            "{skipped} cross-year rule runs skipped: no prior-year dataset"
        )),
        "{last}"
    );
    // With --prior the same rules run.
    let with = tally(&[
        "check",
        &p(&dir, "2020.yaml"),
        "--prior",
        "examples/final-accounts/prior/2019.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(json(&with)["summary"]["skipped_no_prior"], 0);
}

#[test]
fn jobs_changes_how_many_files_are_checked_at_once_never_the_output() {
    let seed = std::fs::read_to_string("examples/final-accounts/2020.yaml").unwrap();
    let changed = seed.replacen("  total: 5 ", "  total: 6 ", 1);
    assert_ne!(changed, seed, "the seed's institutions.total is 5");
    let names: Vec<String> = (0..6).map(|i| format!("{i}.yaml")).collect();
    let files: Vec<(&str, &str)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), if i == 3 { &changed } else { &seed }.as_str()))
        .collect();
    let dir = fixture(&files);
    let prior =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/final-accounts/prior/2019.yaml");
    let prior = prior.to_str().unwrap();
    let run = |jobs: &str| {
        tally_in(
            &dir,
            &[
                "check", ".", "--prior", prior, "--format", "json", "--jobs", jobs,
            ],
        )
    };
    let one = run("1");
    let two = run("2");
    assert_eq!(one.status.code(), Some(1), "{}", stderr(&one));
    assert_eq!(two.status.code(), Some(1), "{}", stderr(&two));
    assert_eq!(
        stdout(&one),
        stdout(&two),
        "--jobs 1 and --jobs 2 give the same JSON"
    );
    let doc = json(&one);
    let errors: Vec<usize> = per_file(&doc, |fs| {
        fs.iter().filter(|x| x["severity"] == "error").count()
    });
    assert_eq!(errors.len(), 6);
    assert!(
        errors[3] > 0 && errors.iter().filter(|&&e| e > 0).count() == 1,
        "{errors:?}"
    );
    for bad in ["0", "1025", "many"] {
        let out = run(bad);
        assert_eq!(out.status.code(), Some(2), "--jobs {bad}");
        assert!(stderr(&out).contains("--jobs"), "{}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
}

/// Files across several batches (of 256): checking runs ahead of writing, so this is where
/// the order of the reports and a reader that stops early could go wrong.
#[test]
fn reports_keep_file_order_across_batches_and_a_closed_reader_ends_the_run() {
    use std::io::Read;
    use std::process::Stdio;
    use wait_timeout::ChildExt;
    let names: Vec<String> = (0..600).map(|i| format!("d/{i:03}.yaml")).collect();
    let mut files: Vec<(&str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), "a: 1\nb: 2\ntotal: 4\n"))
        .collect();
    files.push((
        "r.tally",
        "rule SUM error \"parts add up\" { a + b = total }\n",
    ));
    let dir = fixture(&files);
    let out = tally_in(
        &dir,
        &[
            "check", "d", "--rules", "r.tally", "--format", "json", "--jobs", "2",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json(&out);
    let paths: Vec<&str> = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..600).map(|i| format!("d/{i:03}.yaml")).collect();
    assert_eq!(paths, expected);
    assert_eq!(per_file(&doc, <[_]>::len), vec![1; 600]);

    // A reader that takes a few bytes and goes away: the run stops with exit code 2, quietly
    // (a closed pipe is not worth a message), instead of checking on or waiting forever.
    let mut child = crate::runner::tally(&dir)
        .args(["check", "d", "--rules", "r.tally", "--format", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut start = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut start).unwrap();
    let status = child
        .wait_timeout(std::time::Duration::from_secs(60))
        .unwrap()
        .expect("the run ends once its reader has gone");
    assert_eq!(status.code(), Some(2));
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.is_empty(), "{err}");
}

#[test]
fn a_folder_without_datasets_is_trouble_with_or_without_explain_stubs() {
    // One exit-code decision for every way of running `check`: `--explain-stubs` once said
    // the error and exited 0.
    let dir = fixture(&[("notes/readme.txt", "not a dataset\n")]);
    for extra in [&[][..], &["--explain-stubs"][..]] {
        let out = tally_in(dir.path(), &[&["check", "notes"][..], extra].concat());
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("notes: no dataset files (*.yaml, *.yml) in this folder"),
            "{extra:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn the_seed_report_in_chinese() {
    let out = tally(&[
        "check",
        "examples/final-accounts/",
        "--width",
        "100",
        "--color",
        "never",
        "--lang",
        "zh",
    ]);
    assert_eq!(out.status.code(), Some(0));
    insta::assert_snapshot!("seed_human_zh", stdout(&out));
}

#[test]
fn the_summary_in_both_languages() {
    for lang in ["en", "zh"] {
        let out = tally(&[
            "check",
            "tests/fixtures/output/data",
            "--rules",
            "tests/fixtures/output/rules.tally",
            "--format",
            "concise",
            "--summary",
            "--statistics",
            "--lang",
            lang,
        ]);
        insta::assert_snapshot!(format!("summary_{lang}"), stdout(&out));
    }
}

#[test]
fn the_language_follows_the_locale_unless_given() {
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut command = crate::runner::tally(".");
        command
            .args(["check", "examples/final-accounts/"])
            .args(args);
        for (k, v) in env {
            command.env(k, v);
        }
        let out = command.output().unwrap();
        stdout(&out).lines().last().unwrap().to_string()
    };
    // The two languages' lines, asked for outright (their counts follow the pack).
    let zh = run(&[("LANG", "C")], &["--lang", "zh"]);
    let en = run(&[("LANG", "zh_CN.UTF-8")], &["--lang", "en"]);
    assert!(
        zh.starts_with("已检查 1 个文件：0 个错误，4 个警告，1 个提示（适用 "),
        "{zh}"
    );
    assert!(
        en.starts_with("1 file checked: 0 errors, 4 warnings, 1 info ("),
        "{en}"
    );
    assert_eq!(run(&[("LANG", "zh_CN.UTF-8")], &[]), zh);
    assert_eq!(run(&[("LANG", "zh_CN.UTF-8")], &["--lang", "en"]), en);
    assert_eq!(run(&[("LANG", "C")], &["--lang", "zh"]), zh);
    // LC_ALL, then LC_MESSAGES, win over LANG.
    assert_eq!(
        run(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "en_US.UTF-8")], &[]),
        en
    );
    assert_eq!(
        run(&[("LANG", "C"), ("LC_MESSAGES", "zh_TW.UTF-8")], &[]),
        zh
    );
}

#[test]
fn a_file_checked_alone_is_reported_as_in_a_batch() {
    // Alone, the file is read and checked while the pack loads, on a thread of its own; with
    // another file, in the run's pool. The report is the same.
    let a = "examples/final-accounts/2020.yaml";
    let b = "examples/reports/01_putuo_caizhengju_2024.yaml";
    let alone = json(&tally(&["check", a, "--format", "json"]));
    let both = json(&tally(&["check", a, b, "--format", "json"]));
    assert_eq!(alone["files"][0], both["files"][0]);
    assert!(!alone["files"][0]["findings"].as_array().unwrap().is_empty());
    // In human form too: all but the summary line, which counts both files.
    let human = |args: &[&str]| stdout(&tally(args));
    let alone = human(&["check", a, "--width", "100"]);
    let both = human(&["check", a, b, "--width", "100"]);
    let (report, summary) = alone.trim_end().rsplit_once('\n').unwrap();
    assert!(summary.starts_with("1 file checked"), "{summary}");
    assert!(both.starts_with(report), "{both}");
}

#[test]
fn a_broken_pack_checks_nothing_though_the_first_file_was_read_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.tally"), "rule X-1 \"m\" { a = }\n").unwrap();
    let rules = dir.path().join("bad.tally");
    let out = tally(&[
        "check",
        "examples/final-accounts/2020.yaml",
        "--rules",
        rules.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("nothing was checked"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn show_skipped_names_the_checks_it_would_only_count() {
    let run = |extra: &[&str]| {
        let mut args = vec!["check", "examples/reports", "--format", "json"];
        args.extend(extra);
        json(&tally(&args))
    };
    let counted = run(&[]);
    let named = run(&["--show-skipped"]);
    let total = counted["summary"]["not_applicable"].as_u64().unwrap();
    assert!(total > 100, "{total}");
    assert_eq!(named["summary"]["not_applicable"].as_u64(), Some(total));
    // Without the option no file lists them; with it, each is listed with what it lacks.
    let listed = |doc: &serde_json::Value| -> Vec<serde_json::Value> {
        doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["not_applicable"].as_array().cloned().unwrap_or_default())
            .collect()
    };
    assert!(listed(&counted).is_empty());
    let named = listed(&named);
    assert_eq!(named.len() as u64, total);
    assert!(
        named
            .iter()
            .all(|n| !n["what"].as_str().unwrap().is_empty())
    );
    assert!(
        named
            .iter()
            .any(|n| n["what"].as_str().unwrap().ends_with("is not stated"))
    );
}
