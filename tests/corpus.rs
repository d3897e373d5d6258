//! The corpus gate: the built-in pack's findings on every real report in `examples/`, as a
//! snapshot. A rule change that adds or drops a finding on a real report fails here until
//! someone has reviewed the new findings (and `examples/reports/FINDINGS.md`) and accepted the
//! snapshot — the discipline of XBRL US's Data Quality Committee, which runs every draft rule
//! over all real filings before it ships.

use crate::runner;

#[test]
fn the_findings_on_every_real_report_are_reviewed() {
    let out = runner::tally(".")
        .args(["check", "examples/", "--format", "concise", "--statistics"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the real reports hold real errors (see examples/reports/FINDINGS.md)"
    );
    insta::assert_snapshot!("real_reports", String::from_utf8(out.stdout).unwrap());
}
