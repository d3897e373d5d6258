//! The HTML report in a real browser (headless Chromium): its script filters and sorts, and
//! it renders. Skipped, with a message, when Chromium is absent, unless
//! `TALLY_REQUIRE_BROWSER=1` (set by `.ci/run`), which makes its absence a failure.
//! With `TALLY_UPDATE_SCREENSHOT=1` the screenshot is saved as `docs/report-screenshot.png`.

use super::common::check;
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("TALLY_CHROMIUM") {
        return Some(path.into());
    }
    let dirs = std::env::var_os("PATH")?;
    std::env::split_paths(&dirs)
        .flat_map(|d| ["chromium", "chromium-browser"].map(|n| d.join(n)))
        .find(|p| p.is_file())
}

/// Runs Chromium headless on the report, with a fresh profile.
fn run(browser: &Path, profile: &Path, args: &[&str], url: &str) -> std::process::Output {
    Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(url)
        .output()
        .expect("chromium runs")
}

/// The opening tags of the elements whose opening tag contains `needle`.
fn tags<'a>(dom: &'a str, needle: &str) -> Vec<&'a str> {
    dom.match_indices('<')
        .filter_map(|(i, _)| dom[i..].find('>').map(|e| &dom[i..=i + e]))
        .filter(|t| t.contains(needle))
        .collect()
}

#[test]
fn html_report_filters_sorts_and_renders_in_chromium() {
    let Some(browser) = chromium() else {
        if std::env::var("TALLY_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
            panic!("TALLY_REQUIRE_BROWSER=1 but no chromium on PATH (run .ci/install-browser)");
        }
        eprintln!("SKIPPED html_report_filters_sorts_and_renders_in_chromium: no chromium on PATH");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    check(&["--output", &format!("html={}", report.display())]);
    let url = format!("file://{}", report.display());
    let dom = |hash: &str, profile: &str| {
        let out = run(
            &browser,
            &dir.path().join(profile),
            &["--dump-dom"],
            &format!("{url}#{hash}"),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };

    // No filter: every finding shown.
    let all = dom("", "p1");
    assert!(all.contains("5 of 5 findings shown"), "{all}");
    assert!(all.contains("江油市人民政府办公室"));
    assert_eq!(tags(&all, "<article").len(), 5);
    // Data is text, never markup: the `<&>` of a rule message arrives as text.
    assert!(all.contains("一般行政管理事务 &lt;&amp;&gt;"));
    assert!(!all.contains("一般行政管理事务 <&>"));
    // The figures are highlighted, the primary one apart.
    assert!(
        all.contains("<mark class=\"primary\" title=\"expenditure.basic = 800.20\">800.20</mark>"),
        "{all}"
    );
    assert!(all.contains("<mark title=\"expenditure.total = 1210.50\">1210.50</mark>"));
    assert!(all.contains("left 1200.50, right 1210.50, difference -10.00"));
    // The header: which tally, which pack.
    assert!(all.contains("id=\"pack-hash\""));
    assert_eq!(tags(&all, "<tr data-section").len(), 4);

    // Filter by severity: only the warning is left, and only its dataset: the findings
    // filtered out are not rendered at all.
    let warnings = dom("severity=warning", "p2");
    assert!(warnings.contains("1 of 5 findings shown"));
    let articles = tags(&warnings, "<article");
    assert_eq!(articles.len(), 1);
    assert!(articles[0].contains("data-rule=\"OUT-SHARE\""));
    let sections = tags(&warnings, "<section class=\"dataset\"");
    assert_eq!(sections.len(), 1);
    assert!(sections[0].contains("id=\"d2\""));
    // By status: with the default --fail-on error, the two errors fail the run.
    let failing = dom("status=failing", "p7");
    assert!(failing.contains("2 of 5 findings shown"), "{failing}");
    // Filter by department (Chinese, percent-encoded in the URL) and sort the overview.
    let dept = dom(
        "department=%E6%B1%9F%E6%B2%B9%E5%B8%82%E8%B4%A2%E6%94%BF%E5%B1%80",
        "p3",
    );
    assert!(dept.contains("1 of 5 findings shown"));
    let sorted = dom("sort=infos:desc", "p4");
    let rows = tags(&sorted, "<tr data-section");
    assert!(rows[0].contains("data-section=\"d1\""), "{rows:?}");
    let sorted = dom("sort=warnings:desc", "p5");
    assert!(tags(&sorted, "<tr data-section")[0].contains("data-section=\"d2\""));

    // A screenshot, for the eye and the README.
    let shot = dir.path().join("report.png");
    let out = run(
        &browser,
        &dir.path().join("p6"),
        &[
            "--window-size=1280,1100",
            &format!("--screenshot={}", shot.display()),
        ],
        &url,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    if std::env::var("TALLY_UPDATE_SCREENSHOT").is_ok_and(|v| v == "1") {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-screenshot.png");
        std::fs::write(docs, png).unwrap();
    }
}

/// The HTML report of a large run opens fast, however many findings it holds: the script
/// renders a page of them. (The benchmark at 5,000 files is in BENCHMARKS.md.)
#[test]
fn html_report_of_a_large_run_opens_and_filters_fast() {
    let Some(browser) = chromium() else {
        eprintln!("SKIPPED html_report_of_a_large_run_opens_and_filters_fast: no chromium on PATH");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let one =
        std::fs::read_to_string(root.join(super::common::DATA).join("a-office.yaml")).unwrap();
    for i in 0..500 {
        std::fs::write(data.join(format!("{i:04}.yaml")), &one).unwrap();
    }
    let report = dir.path().join("report.html");
    let out = crate::runner::tally(root)
        .arg("check")
        .arg(&data)
        .args(["--rules", super::common::RULES, "--format", "concise"])
        .arg("--output")
        .arg(format!("html={}", report.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let url = format!("file://{}#severity=info", report.display());
    let out = run(&browser, &dir.path().join("p"), &["--dump-dom"], &url);
    let dom = String::from_utf8(out.stdout).unwrap();
    assert!(
        dom.contains("1000 of 1500 findings shown"),
        "{}",
        &dom[..dom.len().min(2000)]
    );
    // One page rendered, and a button for the rest.
    assert_eq!(tags(&dom, "<article").len(), 200);
    assert!(!tags(&dom, "<button id=\"more\"")[0].contains("hidden"));
    let ready: u64 = dom
        .split("data-ready-ms=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .and_then(|n| n.parse().ok())
        .expect("the report says when it was ready");
    assert!(ready < 3000, "ready after {ready} ms");
}
