//! The JSON document (`--format json`), version 1.
//!
//! ```json
//! {"version": 1,
//!  "files": [{"path": "…", "findings": [{"rule", "severity", "message", "line", "column",
//!             "values": [{"path", "value", "line", "column"}]}]}],
//!  "summary": {"files", "errors", "warnings", "infos", "explained", …}}
//! ```
//! Lines and columns are 1-based, columns in characters; `value` is the number's source text.

use crate::finding::{FileReport, Finding};
use crate::run::summary::Summary;
use crate::severity::Severity;
use serde::Serialize;

/// One file in the JSON document.
#[derive(Serialize)]
pub struct JsonFile<'a> {
    /// The dataset's path.
    pub path: &'a str,
    /// Its findings.
    pub findings: Vec<JsonFinding<'a>>,
    /// Rules that ran on it.
    pub rules_applied: usize,
    /// Notes about the run on this file.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub notes: &'a [String],
    /// Why the file was not checked, if it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_checked: Option<&'a str>,
}

/// One finding in the JSON document.
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    /// Rule id or file-level code.
    pub rule: &'a str,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// The message.
    pub message: &'a str,
    /// Line of the primary value (1-based).
    pub line: usize,
    /// Column of the primary value (1-based, characters).
    pub column: usize,
    /// The values involved.
    pub values: Vec<JsonValue<'a>>,
    /// Computed sides and help text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
    /// Present when an explanation (说明) answers this finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explained: Option<JsonExplained<'a>>,
}

/// The explanation that answers a finding.
#[derive(Serialize)]
pub struct JsonExplained<'a> {
    /// The department's reason.
    pub reason: &'a str,
    /// Line of the explanation in the dataset (1-based).
    pub line: usize,
}

/// One dataset value in a finding.
#[derive(Serialize)]
pub struct JsonValue<'a> {
    /// Its path in the dataset.
    pub path: &'a str,
    /// Its source text.
    pub value: &'a str,
    /// Line (1-based).
    pub line: usize,
    /// Column (1-based, characters).
    pub column: usize,
    /// The file it is in, when it is not the dataset itself (the prior year).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<&'a str>,
}

/// The JSON view of one file report.
pub fn file_json(report: &FileReport) -> JsonFile<'_> {
    JsonFile {
        path: &report.file.name,
        findings: report
            .findings
            .iter()
            .map(|f| finding_json(report, f))
            .collect(),
        rules_applied: report.rules_applied(),
        notes: &report.notes,
        not_checked: report.not_checked.as_deref(),
    }
}

fn finding_json<'a>(report: &'a FileReport, f: &'a Finding) -> JsonFinding<'a> {
    let at = report.file.line_col(f.primary.map_or(0, |s| s.start));
    JsonFinding {
        rule: &f.rule,
        severity: f.severity,
        message: &f.message,
        line: at.line,
        column: at.column,
        values: f
            .values
            .iter()
            .map(|v| {
                let file = v.prior.as_deref().unwrap_or(&report.file);
                let at = file.line_col(v.span.start);
                JsonValue {
                    path: &v.path,
                    value: &v.text,
                    line: at.line,
                    column: at.column,
                    file: v.prior.as_ref().map(|p| p.name.as_str()),
                }
            })
            .collect(),
        help: f.help.as_deref(),
        explained: f.explained.as_ref().map(|e| JsonExplained {
            reason: &e.reason,
            line: report.file.line_col(e.span.start).line,
        }),
    }
}

/// The whole document.
pub fn document(reports: &[FileReport], summary: &Summary) -> serde_json::Value {
    serde_json::json!({
        "version": 1,
        "files": reports.iter().map(file_json).collect::<Vec<_>>(),
        "summary": summary,
    })
}
