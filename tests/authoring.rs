//! End-to-end tests of the rule authors' tools (`tally test`, `explain`, `rules`, packs) and of
//! explanations (说明), over the small pack and datasets in `tests/fixtures/authoring/`.

use std::path::Path;
use tally::output::diagnostic::{Style, render_report};
use tally::rules::ruleset::RuleSet;
use tally::run::check::{CheckOptions, check_file};

const DIR: &str = "tests/fixtures/authoring";

/// Runs the real binary from the package root; returns (exit code, stdout, stderr).
fn tally(args: &[&str]) -> (i32, String, String) {
    tally_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn tally_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = crate::runner::tally(dir)
        .args(args)
        .output()
        .expect("the tally binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(rel: &str) -> String {
    format!("{DIR}/{rel}")
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).expect("valid JSON")
}

/// The findings of one dataset checked against the authoring pack, rendered plain at 100.
fn rendered(dataset: &str) -> String {
    let rules = RuleSet::load(&[path("rules").into()]).expect("the authoring pack loads");
    let report = check_file(Path::new(&path(dataset)), &rules, &CheckOptions::default());
    render_report(&report, Style::plain(100))
}

// ---- explanations (说明) ----

#[test]
fn an_explained_hint_is_counted_apart_and_never_fails_the_run() {
    let (code, out, _) = tally(&[
        "check",
        &path("data/all-explained.yaml"),
        "--rules",
        &path("rules"),
        "--fail-on",
        "warning",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{out}");
    let doc = json(&out);
    assert_eq!(doc["summary"]["warnings"], 0);
    assert_eq!(doc["summary"]["explained"], 1);
    let finding = &doc["files"][0]["findings"][0];
    assert_eq!(finding["rule"], "AU-BUD-001");
    assert_eq!(finding["severity"], "warning");
    assert_eq!(
        finding["explained"]["reason"],
        "年中追加预算20万元，已经财政局批复。"
    );
    assert_eq!(finding["explained"]["line"], 14);
}

#[test]
fn an_explained_hint_is_still_shown_with_its_reason() {
    insta::assert_snapshot!(rendered("data/all-explained.yaml"));
}

#[test]
fn an_open_hint_still_fails_at_warning_level() {
    // explained.yaml explains the first project only; the second is still open.
    let (code, out, _) = tally(&[
        "check",
        &path("data/explained.yaml"),
        "--rules",
        &path("rules"),
        "--fail-on",
        "warning",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.ends_with(
            "1 file checked: 0 errors, 1 warning, 0 infos, 1 explained (3 rules applied; 1 cross-year rule run skipped: no prior-year dataset)\n"
        ),
        "{out}"
    );
}

#[test]
fn errors_stale_figures_missing_reasons_and_unused_explanations_are_all_reported() {
    let (code, out, _) = tally(&[
        "check",
        &path("data/mixed.yaml"),
        "--rules",
        &path("rules"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "the error stays, explanation or not");
    let doc = json(&out);
    let rules: Vec<&str> = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "AU-TOT-001",
            "AU-BUD-001",
            "AU-BUD-001",
            "explanation-not-allowed",
            "explanation-invalid",
            "explanation-unused"
        ]
    );
    assert_eq!(doc["summary"]["explained"], 0);
    assert!(
        doc["files"][0]["findings"][1]["help"]
            .as_str()
            .unwrap()
            .contains("`projects[0].executed` was 120.00, now 130.00")
    );
    insta::assert_snapshot!(rendered("data/mixed.yaml"));
}

#[test]
fn a_pack_that_makes_a_hint_mandatory_turns_its_explanation_into_a_finding() {
    let (code, out, _) = tally(&[
        "check",
        &path("data/all-explained.yaml"),
        "--rules",
        &path("pack"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let doc = json(&out);
    let rules: Vec<(&str, &str)> = doc["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        [
            ("AU-BUD-001", "error"),
            ("AU-LOCAL-001", "info"),
            ("explanation-not-allowed", "warning")
        ]
    );
    assert_eq!(doc["summary"]["explained"], 0);
}

#[test]
fn explain_stubs_list_the_open_hints_with_their_figures() {
    let (code, out, _) = tally(&[
        "check",
        &path("data/mixed.yaml"),
        "--rules",
        &path("rules"),
        "--explain-stubs",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn a_filled_in_stub_explains_the_hint_and_a_changed_figure_reopens_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = "meta:\n  year: 2021\nexpenditure: {basic: 1.00, project: 2.00, total: 3.00}\nprojects:\n  - name: 信息化建设\n    budget: 100.00\n    executed: 120.00\nevaluation:\n  total_score: 92\n";
    std::fs::write(dir.path().join("d.yaml"), data).unwrap();
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join(path("rules"));
    let rules = rules.to_str().unwrap();
    let check = |extra: &[&str]| {
        let mut args = vec!["check", "d.yaml", "--rules", rules, "--fail-on", "warning"];
        args.extend_from_slice(extra);
        tally_in(dir.path(), &args)
    };
    let (code, stubs, _) = check(&["--explain-stubs"]);
    assert_eq!(code, 1);
    assert!(
        stubs.contains("explanations:\n  - rule: AU-BUD-001\n"),
        "{stubs}"
    );
    // The department writes the reason and pastes the stub at the end of the file.
    let filled = stubs.replace("reason: \"\"", "reason: \"追加预算已获批复\"");
    std::fs::write(dir.path().join("d.yaml"), format!("{data}{filled}")).unwrap();
    let (code, out, _) = check(&["--format", "json"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(json(&out)["summary"]["explained"], 1);
    // A figure changes afterwards: the explanation no longer applies.
    let changed = format!("{data}{filled}").replacen("executed: 120.00", "executed: 125.00", 1);
    std::fs::write(dir.path().join("d.yaml"), changed).unwrap();
    let (code, out, _) = check(&["--format", "json"]);
    assert_eq!(code, 1);
    let doc = json(&out);
    assert_eq!(doc["summary"]["explained"], 0);
    assert!(
        doc["files"][0]["findings"][0]["help"]
            .as_str()
            .unwrap()
            .contains("`projects[0].executed` was 120.00, now 125.00")
    );
}

// ---- fiscal years ----

#[test]
fn a_rule_from_2021_does_not_run_on_a_2020_dataset() {
    let (code, out, _) = tally(&[
        "check",
        &path("data/year-2020.yaml"),
        "--rules",
        &path("rules"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let doc = json(&out);
    assert_eq!(doc["summary"]["skipped_by_year"], 1);
    assert_eq!(doc["files"][0]["rules_applied"], 2);
    assert_eq!(doc["files"][0]["findings"].as_array().unwrap().len(), 0);
}

// ---- tally test ----

#[test]
fn test_passes_a_pack_whose_fixtures_all_pass() {
    let (code, out, err) = tally(&["test", &path("rules"), "--require-coverage"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn test_shows_the_difference_when_a_case_fails() {
    let (code, out, _) = tally(&["test", &path("failing")]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn test_cannot_run_a_broken_fixture_and_says_where() {
    let (code, out, _) = tally(&["test", &path("broken")]);
    assert_eq!(code, 2);
    insta::assert_snapshot!(out);
}

#[test]
fn test_cannot_run_a_broken_rule_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.tally"), "rule X error \"m\" { a = }\n").unwrap();
    let (code, out, err) = tally_in(dir.path(), &["test", "."]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("1 problem in rule files"), "{err}");
}

#[test]
fn require_coverage_fails_when_a_rule_is_never_shown_quiet() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("tests")).unwrap();
    std::fs::write(
        dir.path().join("r.tally"),
        "rule X-001 error \"m\" { a = 1 }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("tests/X-001.yaml"),
        "data: {a: 2}\nexpect: [X-001]\n",
    )
    .unwrap();
    let (code, out, _) = tally_in(dir.path(), &["test", "."]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("rules no fixture runs without a finding: X-001 (1)\n"));
    assert!(!out.contains("makes fire"));
    let (code, _, _) = tally_in(dir.path(), &["test", ".", "--require-coverage"]);
    assert_eq!(code, 1);
}

#[test]
fn test_json_gives_each_case_its_differences_and_the_uncovered_rules() {
    let (code, out, _) = tally(&["test", &path("failing"), "--format", "json"]);
    assert_eq!(code, 1, "a failing case fails the run in JSON too");
    let doc = json(&out);
    assert_eq!(doc["version"], 1);
    let pack = &doc["packs"][0];
    assert_eq!(pack["path"], path("failing"));
    assert_eq!(
        (pack["passed"].as_u64(), pack["failed"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(pack["never_fired"], serde_json::json!(["AU-NEVER-001"]));
    let cases = pack["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    let (good, bad) = (&cases[0], &cases[1]);
    assert_eq!(good["passed"], true);
    assert_eq!(good["missing"], serde_json::json!([]));
    assert_eq!(bad["passed"], false);
    assert_eq!(bad["name"], "the author expected the wrong row");
    assert_eq!(bad["fixture"], path("failing/tests/shares.yaml"));
    assert_eq!(bad["line"], 10);
    // The expectation (line 17) points at the wrong row; the finding is at line 14.
    assert_eq!(bad["missing"][0]["rule"], "AU-SHARE-001");
    assert_eq!(bad["missing"][0]["line"], 17);
    assert_eq!(bad["unexpected"][0]["rule"], "AU-SHARE-001");
    assert_eq!(bad["unexpected"][0]["line"], 14);
    assert!(bad.get("details").is_none());
    // The same differences as the human report, line for line.
    let (_, human, _) = tally(&["test", &path("failing")]);
    for d in ["missing", "unexpected"] {
        let text = bad[d][0]["text"].as_str().unwrap();
        assert!(human.contains(text), "{text} not in:\n{human}");
    }
    let (_, out, _) = tally(&[
        "test",
        &path("failing"),
        "--format",
        "json",
        "--show-findings",
    ]);
    let details = json(&out)["packs"][0]["cases"][1]["details"].clone();
    assert!(
        details.as_str().unwrap().contains("shares.yaml:14"),
        "{details}"
    );
}

#[test]
fn test_json_lists_packs_that_cannot_run_and_stays_one_document() {
    let (code, out, err) = tally(&[
        "test",
        &path("broken"),
        &path("badpack"),
        &path("no-such-folder"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let doc = json(&out);
    let packs = doc["packs"].as_array().unwrap();
    assert_eq!(packs.len(), 3);
    assert_eq!(packs[0]["broken"].as_array().unwrap().len(), 2);
    assert!(
        packs[0]["broken"][0]
            .as_str()
            .unwrap()
            .contains("names no rule of the pack")
    );
    assert!(packs[1]["error"].as_str().unwrap().contains("errors"));
    assert_eq!(packs[2]["error"], "not a folder of rules");
    // The reasons themselves go to standard error, as with human output.
    assert!(err.contains("unknown severity `fatal`"), "{err}");
    assert!(
        err.contains("no-such-folder: not a folder of rules"),
        "{err}"
    );
}

#[test]
fn a_fixture_of_an_extending_pack_tests_only_its_own_rules() {
    let (code, out, _) = tally(&["test", &path("pack"), "--require-coverage"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 cases: 2 passed, 0 failed"), "{out}");
}

// ---- tally explain, tally rules, packs ----

#[test]
fn explain_prints_the_rule_and_its_source() {
    let (code, out, _) = tally(&["explain", "AU-PERF-001", "--rules", &path("rules")]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn explain_shows_a_severity_changed_by_a_pack() {
    let (code, out, _) = tally(&["explain", "AU-BUD-001", "--rules", &path("pack")]);
    assert_eq!(code, 0);
    assert!(
        out.contains(
            "severity   error (was warning; changed by tests/fixtures/authoring/pack/pack.toml:7)"
        ),
        "{out}"
    );
    let (code, out, _) = tally(&["explain", "AU-CARRY-001", "--rules", &path("pack")]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "AU-CARRY-001: disabled by tests/fixtures/authoring/pack/pack.toml:4\n"
    );
}

#[test]
fn explain_an_unknown_rule_is_an_error() {
    let (code, out, err) = tally(&["explain", "AU-NOPE", "--rules", &path("rules")]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(err.contains("no rule `AU-NOPE`"), "{err}");
}

#[test]
fn rules_lists_the_effective_set_of_a_pack() {
    let (code, out, _) = tally(&["rules", "--rules", &path("pack")]);
    assert_eq!(code, 0);
    insta::assert_snapshot!(out);
}

#[test]
fn rules_for_a_year_leave_out_rules_not_in_force() {
    let (code, out, _) = tally(&["rules", "--rules", &path("rules"), "--year", "2020"]);
    assert_eq!(code, 0);
    assert!(!out.contains("AU-PERF-001"), "{out}");
    assert!(out.contains("3 rules active in 2020 (1 not in force that year)"));
    let (_, out, _) = tally(&["rules", "--rules", &path("rules"), "--year", "2021"]);
    assert!(out.contains("AU-PERF-001"));
}

#[test]
fn a_manifest_entry_that_names_no_rule_is_an_error_at_its_place() {
    let (code, out, err) = tally(&["rules", "--rules", &path("badpack")]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    insta::assert_snapshot!(err);
}

#[test]
fn a_pack_can_extend_the_builtin_pack() {
    let (code, out, _) = tally(&["rules", "--rules", &path("builtin-pack")]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("packs: <built-in> → tests/fixtures/authoring/builtin-pack\n"),
        "{out}"
    );
    assert!(out.contains("ZZ-EXTRA-001  warning"), "{out}");
}

#[test]
fn a_pack_that_extends_itself_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    for (name, base) in [("a", "../b"), ("b", "../a")] {
        std::fs::create_dir(dir.path().join(name)).unwrap();
        std::fs::write(
            dir.path().join(name).join("pack.toml"),
            format!("extends = \"{base}\"\n"),
        )
        .unwrap();
    }
    let (code, _, err) = tally_in(dir.path(), &["rules", "--rules", "a"]);
    assert_eq!(code, 2);
    assert!(err.contains("this pack extends itself"), "{err}");
}

#[test]
fn check_applies_a_packs_disables() {
    // The cross-year rule is disabled by the pack: a prior dataset is not even looked for.
    let (code, out, _) = tally(&[
        "check",
        &path("data/year-2020.yaml"),
        "--rules",
        &path("pack"),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let doc = json(&out);
    assert_eq!(doc["summary"]["skipped_no_prior"], 0);
    assert_eq!(doc["files"][0]["findings"][0]["rule"], "AU-LOCAL-001");
}

// ---- the example of the README's "Writing rules" ----

#[test]
fn the_writing_rules_example_works_as_documented() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(path("writing-rules"));
    let (code, out, _) = tally_in(&dir, &["test", "my-pack", "--require-coverage"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.ends_with("\n2 fixture files, 5 cases: 5 passed, 0 failed\n"),
        "{out}"
    );
    let (code, out, _) = tally_in(
        &dir,
        &[
            "check",
            "2021.yaml",
            "--rules",
            "my-pack",
            "--explain-stubs",
        ],
    );
    assert_eq!(code, 0);
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(
        doc.contains(&out),
        "the stubs shown in the docs are out of date:\n{out}"
    );
}

#[test]
fn test_runs_mutation_cases_beside_fragment_fixtures() {
    let (code, out, _) = tally(&["test", &path("mutations")]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(out);
}

#[test]
fn test_filter_runs_only_the_matching_cases() {
    let (code, out, _) = tally(&["test", &path("failing"), "--filter", "shares right"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out,
        "PASS tests/fixtures/authoring/failing/tests/shares.yaml:3  shares right\n\n\
         1 fixture file, 1 case: 1 passed, 0 failed\n"
    );
}

#[test]
fn test_show_findings_renders_the_unexpected_findings_in_full() {
    let (code, out, _) = tally(&["test", &path("failing"), "--show-findings"]);
    assert_eq!(code, 1);
    assert!(out.contains("  help: left 12.60, right 12.4844"), "{out}");
    assert!(
        out.contains("╭─[tests/fixtures/authoring/failing/tests/shares.yaml:14:"),
        "{out}"
    );
    let (_, plain, _) = tally(&["test", &path("failing")]);
    assert!(!plain.contains("help:"), "{plain}");
}

#[test]
fn a_pack_named_twice_is_loaded_once() {
    // `pack` extends `rules`; naming both must not define every rule of `rules` twice.
    let (code, out, err) = tally(&["rules", "--rules", &path("pack"), "--rules", &path("rules")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\n4 rules active\n"), "{out}");
}

#[test]
fn a_manifest_with_an_unknown_key_is_an_error_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("p")).unwrap();
    std::fs::write(
        dir.path().join("p/pack.toml"),
        "extends = \"builtin\"\ndisabled = [\"FA-TOT-001\"]\n",
    )
    .unwrap();
    let (code, _, err) = tally_in(dir.path(), &["rules", "--rules", "p", "--year", "2020"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown field `disabled`"), "{err}");
    assert!(err.contains("╭─[p/pack.toml:2:1]"), "{err}");
}

#[test]
fn sarif_writes_an_explained_hint_as_suppressed_with_its_reason() {
    let (code, out, _) = tally(&[
        "check",
        &path("data/all-explained.yaml"),
        "--rules",
        &path("rules"),
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 0);
    let doc = json(&out);
    let result = &doc["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "AU-BUD-001");
    assert_eq!(
        result["suppressions"][0]["justification"],
        "年中追加预算20万元，已经财政局批复。"
    );
}

#[test]
fn the_builtin_pack_passes_its_own_fixtures() {
    // What CI runs: every fixture of rules/ passes, and every rule fires in some case and
    // stays quiet in another.
    let (code, out, err) = tally(&["test", "rules", "--require-coverage"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("rules no fixture"), "{out}");
}

#[test]
fn test_filter_picks_mutation_cases_by_name() {
    let (code, out, _) = tally(&["test", &path("mutations"), "--filter", "over budget"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.ends_with("\n1 fixture file, 1 case: 1 passed, 0 failed\n"),
        "{out}"
    );
}
