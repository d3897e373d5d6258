//! `--output FORMAT=PATH`: several reports from one run, written whole or not at all.

use super::common::{RULES, check, read, stdout};
use std::process::Command;

#[test]
fn one_run_writes_every_output_and_stdout() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let spec = |f: &str, name: &str| format!("{f}={}", path(name).display());
    let out = check(&[
        "--format",
        "concise",
        "--output",
        &spec("sarif", "r.sarif"),
        "--output",
        &spec("junit", "r.xml"),
        "--output",
        &spec("concise", "r.txt"),
        "--output",
        &spec("html", "r.html"),
        "--output",
        &spec("json", "r.json"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same run, the same findings, wherever they go.
    assert_eq!(read(&path("r.txt")), stdout(&out));
    let sarif: serde_json::Value = serde_json::from_str(&read(&path("r.sarif"))).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 5);
    roxmltree::Document::parse(&read(&path("r.xml"))).unwrap();
    let json: serde_json::Value = serde_json::from_str(&read(&path("r.json"))).unwrap();
    assert_eq!(json["summary"]["files"], 4);
    assert!(read(&path("r.html")).starts_with("<!DOCTYPE html>"));
    // Nothing but the reports is left in the folder (no temporary files).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 5);
}

#[test]
fn a_human_report_file_is_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.txt");
    let out = check(&[
        "--format",
        "json",
        "--color",
        "always",
        "--output",
        &format!("human={}", file.display()),
    ]);
    let text = read(&file);
    assert!(!text.contains('\u{1b}'), "colour codes in a file");
    assert!(text.contains("本年支出合计应等于基本支出与项目支出之和"));
    assert!(text.ends_with("4 files checked: 2 errors, 1 warning, 2 infos (9 rule runs)\n"));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap();
}

#[test]
fn a_failed_run_leaves_the_old_report_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.sarif");
    std::fs::write(&report, "old report").unwrap();
    let bad_rules = dir.path().join("bad.tally");
    std::fs::write(&bad_rules, "rule X error \"m\" { a + = b }\n").unwrap();
    let out = crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
        .args(["check", super::common::DATA, "--rules"])
        .arg(&bad_rules)
        .arg("--output")
        .arg(format!("sarif={}", report.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(read(&report), "old report");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn an_output_that_cannot_be_written_is_trouble_before_checking() {
    let out = check(&["--output", "sarif=/nonexistent-folder/r.sarif"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--output /nonexistent-folder/r.sarif"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn an_output_never_replaces_a_dataset() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("a.yaml");
    std::fs::write(&data, "meta:\n  year: 2020\n").unwrap();
    let out = crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .arg(dir.path())
        .args(["--rules", RULES, "--output"])
        .arg(format!("json={}", data.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a dataset being checked"));
    assert_eq!(read(&data), "meta:\n  year: 2020\n");
}

#[test]
fn bad_output_specs_are_usage_errors() {
    let out = check(&["--output", "pdf=r.pdf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown format `pdf`"));
}

#[test]
fn no_progress_bar_outside_a_terminal() {
    // Standard error is a pipe here, as in CI logs: nothing but real messages may go there.
    let out = check(&["--format", "concise"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn html_report_is_self_contained_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.html");
    check(&["--output", &format!("html={}", file.display())]);
    let html = read(&file);
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("Noto Sans CJK SC"), "a CJK font stack");
    // No resource outside the file: no external script, style, image or font.
    for needle in ["src=", "<link", "url(", "@import", "http://", "https://"] {
        assert!(!html.contains(needle), "found {needle}");
    }
    // The findings are data for the script, where no text can close the script element.
    let start = html
        .find("<script type=\"application/json\" id=\"tally-data\">")
        .unwrap();
    let json = &html[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    assert!(!json.contains('<'), "`<` is escaped in the data");
    let data: serde_json::Value = serde_json::from_str(json).unwrap();
    let findings = data["findings"].as_array().unwrap();
    assert_eq!(
        findings[2]["message"],
        "完成预算不超过 100%：一般行政管理事务 <&>"
    );
    // The excerpt is data: lines with their marks, the primary figure flagged; the script
    // puts it into the page as text.
    let first = &findings[0];
    let line = first["x"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l[0] == 6)
        .unwrap();
    assert_eq!(line[1], "  basic: 800.20");
    let mark = &line[2][0];
    assert_eq!(
        (&mark[0], &mark[1], &mark[3]),
        (&9.into(), &15.into(), &1.into())
    );
    assert_eq!(
        first["v"][mark[2].as_u64().unwrap() as usize],
        "expenditure.basic = 800.20"
    );
    // Help text: the computed sides, and the rule's help once in the table of texts.
    assert!(
        first["e"]
            .as_str()
            .unwrap()
            .starts_with("left 1200.50, right 1210.50, difference -10.00")
    );
    assert_eq!(
        data["texts"][first["h"].as_u64().unwrap() as usize],
        "本年支出合计 = 基本支出 + 项目支出"
    );
    // The header tells which tally and which rules.
    assert!(html.contains(concat!("tally version ", env!("CARGO_PKG_VERSION"))));
    assert!(html.contains("<code id=\"pack-hash\">"));
    // Filter choices: every rule, and every department (added by the script when used).
    assert!(
        data["departments"]
            .as_array()
            .unwrap()
            .contains(&"江油市财政局".into())
    );
    assert!(html.contains("<option value=\"yaml-syntax\">yaml-syntax</option>"));
}

#[cfg(unix)]
#[test]
fn ctrl_c_leaves_the_old_report_and_no_temporary_file() {
    interrupted_by("INT");
}

#[cfg(unix)]
#[test]
fn sigterm_cleans_up_like_ctrl_c() {
    interrupted_by("TERM");
}

#[cfg(unix)]
#[test]
fn sighup_cleans_up_like_ctrl_c() {
    interrupted_by("HUP");
}

/// A run with a report file, stopped by `signal`: the old report stays, no temporary file
/// is left, and the exit code is 130.
#[cfg(unix)]
fn interrupted_by(signal: &str) {
    use std::time::{Duration, Instant};
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let one = read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(super::common::DATA)
            .join("a-office.yaml")
            .as_path(),
    );
    // Enough files that the run is still going when Ctrl-C comes.
    for i in 0..5000 {
        std::fs::write(data.join(format!("{i:04}.yaml")), &one).unwrap();
    }
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let report = out_dir.join("r.sarif");
    std::fs::write(&report, "old report").unwrap();
    let child = crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
        .arg("check")
        .arg(&data)
        .args(["--rules", RULES, "--format", "jsonl", "--output"])
        .arg(format!("sarif={}", report.display()))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the temporary report to appear (the run has started), then press Ctrl-C.
    let start = Instant::now();
    while std::fs::read_dir(&out_dir).unwrap().count() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(50));
    let killed = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted"));
    assert_eq!(read(&report), "old report");
    assert_eq!(
        std::fs::read_dir(&out_dir).unwrap().count(),
        1,
        "a temporary file was left"
    );
}

#[test]
fn a_progress_bar_on_a_terminal() {
    // `script` (util-linux) runs the command on a pseudo-terminal and copies what it draws.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED a_progress_bar_on_a_terminal: no `script` to make a terminal");
        return;
    }
    let command = format!(
        "'{}' check '{}' --rules '{RULES}' --format json > /dev/null",
        env!("CARGO_BIN_EXE_tally"),
        super::common::DATA
    );
    let out = Command::new("script")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    let drawn = String::from_utf8_lossy(&out.stdout);
    assert!(drawn.contains("/4 files"), "{drawn:?}");
}

#[test]
fn human_output_takes_the_terminal_width() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED human_output_takes_the_terminal_width: no `script` to make a terminal");
        return;
    }
    // A 60-column terminal, no `COLUMNS`: the diagnostics are drawn 60 columns wide.
    let command = format!(
        "stty cols 60 rows 40; unset COLUMNS; '{}' check '{}' --rules '{RULES}' --color never",
        env!("CARGO_BIN_EXE_tally"),
        super::common::DATA
    );
    let out = Command::new("script")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("COLUMNS")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .unwrap();
    let drawn = String::from_utf8_lossy(&out.stdout);
    // At 100 columns the help's first line holds the whole comparison; at 60 it wraps.
    let help = drawn
        .lines()
        .find(|l| l.contains("help: left 1200.50"))
        .unwrap_or_else(|| panic!("{drawn}"));
    assert!(
        !help.contains("beyond"),
        "not wrapped at 60 columns: {help}"
    );
    assert!(unicode_width::UnicodeWidthStr::width(help.trim_end()) <= 60);
}
