//! The JSON document (`--format json`), version 1.
//!
//! ```json
//! {"version": 1,
//!  "files": [{"path": "…", "findings": [{"rule", "severity", "message", "line", "column",
//!             "values": [{"path", "value", "line", "column"}], "help", "evidence"}]}],
//!  "summary": {"files", "errors", "warnings", "infos", "explained", …}}
//! ```
//! Lines and columns are 1-based, columns in characters; `value` is the number's source text.
//!
//! A failed check's finding has `evidence`, the comparison that decided it (see
//! [`crate::evidence`]), its numbers as decimal strings:
//!
//! ```json
//! {"kind": "numbers", "op": "=",
//!  "left": {"value": "25.65", "min": "25.645", "max": "25.655"},
//!  "right": {"value": "25.15", "min": "25.145", "max": "25.155"},
//!  "difference": "0.50", "rounding": "0.01", "tolerance": null, "allowed": "0.01"}
//! {"kind": "texts", "op": "=", "left": {"text": "…"}, "right": {"text": "…"}}
//! {"kind": "condition"}
//! ```
//! `tolerance` is `{"within": "0.5%", "amount": "8.0871"}` for a rule's `within 0.5%`
//! (`within` as written, `amount` what it allows); `min`, `max`, `difference`, `rounding` and
//! `allowed` are null where unbounded or beyond the decimal range.

use crate::evidence::{self, Evidence};
use crate::finding::{FileReport, Finding};
use crate::number::Num;
use crate::output::Status;
use crate::output::lang::Lang;
use crate::severity::Severity;
use serde::Serialize;
use std::borrow::Cow;

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
    /// The checks that did not apply, because figures they read are not stated.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_applicable: Vec<JsonSkip<'a>>,
}

/// A check that did not apply to the dataset.
#[derive(Serialize)]
pub struct JsonSkip<'a> {
    /// The rule.
    pub rule: &'a str,
    /// The check's place: rule file and line.
    pub check: String,
    /// What the dataset does not state.
    pub what: &'a str,
}

/// One finding in the JSON document.
#[derive(Serialize)]
pub struct JsonFinding<'a> {
    /// Rule id or file-level code.
    pub rule: &'a str,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// The message.
    pub message: Cow<'a, str>,
    /// What the finding means for the run: `failing`, `not-failing` or `explained`.
    pub status: Status,
    /// Line of the primary value (1-based).
    pub line: usize,
    /// Column of the primary value (1-based, characters).
    pub column: usize,
    /// The values involved.
    pub values: Vec<JsonValue<'a>>,
    /// Computed sides and help text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<Cow<'a, str>>,
    /// The comparison that decided a failed check, as data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<JsonEvidence<'a>>,
    /// Present when an explanation (说明) answers this finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explained: Option<JsonExplained<'a>>,
}

/// A finding's [`Evidence`]: `kind` tells which fields follow. Numbers are decimal strings,
/// exact (not cut to four decimals as in the help text).
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum JsonEvidence<'a> {
    /// Two numbers compared (boxed: the other kinds are small).
    Numbers(Box<JsonNumbers<'a>>),
    /// Two texts compared.
    Texts {
        /// `=` or `!=`.
        op: &'static str,
        /// The left text.
        left: JsonText<'a>,
        /// The right text.
        right: JsonText<'a>,
    },
    /// A check that is not a comparison was false.
    Condition,
}

/// Two numbers compared.
#[derive(Serialize)]
pub struct JsonNumbers<'a> {
    /// The operator as written in rules (`=`, `!=`, `<`, `<=`, `>`, `>=`).
    pub op: &'static str,
    /// The left side.
    pub left: JsonSide,
    /// The right side.
    pub right: JsonSide,
    /// `left − right` of the values.
    pub difference: Option<String>,
    /// The rounding both sides allow together (sum of their half-widths).
    pub rounding: Option<String>,
    /// The rule's `within …`.
    pub tolerance: Option<JsonTolerance>,
    /// Tolerance plus rounding: the difference `=` allows.
    pub allowed: Option<String>,
    /// The unit of money of both sides, when the layout tells (sums of amounts in one unit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'a str>,
}

/// One side of a comparison of numbers: its value and the interval of exact amounts it may
/// stand for (`min` = `max` = `value` when exact; null where unbounded).
#[derive(Serialize)]
pub struct JsonSide {
    /// The value as printed, or computed from printed values.
    pub value: String,
    /// The lowest exact amount it may stand for.
    pub min: Option<String>,
    /// The highest.
    pub max: Option<String>,
}

/// One side of a comparison of texts.
#[derive(Serialize)]
pub struct JsonText<'a> {
    /// The text.
    pub text: &'a str,
}

/// A rule's tolerance.
#[derive(Serialize)]
pub struct JsonTolerance {
    /// As written: `0.01`, or `0.5%`.
    pub within: String,
    /// The amount it allows.
    pub amount: String,
}

fn decimal(d: Option<rust_decimal::Decimal>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn side(n: &Num) -> JsonSide {
    JsonSide {
        value: n.value.to_string(),
        min: decimal(n.lo),
        max: decimal(n.hi),
    }
}

/// The JSON view of a finding's evidence.
pub fn evidence_json(e: &Evidence) -> JsonEvidence<'_> {
    match e {
        Evidence::Numbers(n) => JsonEvidence::Numbers(Box::new(JsonNumbers {
            op: n.op.symbol(),
            left: side(&n.left),
            right: side(&n.right),
            difference: decimal(n.difference),
            rounding: decimal(n.rounding),
            tolerance: n.tolerance.map(|t: evidence::Tolerance| JsonTolerance {
                within: format!("{}{}", t.within, if t.percent { "%" } else { "" }),
                amount: t.amount.to_string(),
            }),
            allowed: decimal(n.allowed),
            unit: n.unit.as_deref(),
        })),
        Evidence::Texts { op, left, right } => JsonEvidence::Texts {
            op: op.symbol(),
            left: JsonText { text: left },
            right: JsonText { text: right },
        },
        Evidence::Condition => JsonEvidence::Condition,
    }
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
    /// Its unit, when the pack's layout gives one (万元, 元, 分 …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<&'a str>,
}

/// The JSON view of one file report, its findings' status under `fail_on`, tally's own
/// words in `lang`.
pub fn file_json(
    report: &FileReport,
    fail_on: Severity,
    lang: Lang,
    show_skipped: bool,
) -> JsonFile<'_> {
    JsonFile {
        path: &report.file.name,
        findings: report
            .findings
            .iter()
            .map(|f| finding_json(report, f, fail_on, lang))
            .collect(),
        rules_applied: report.rules_applied(),
        notes: &report.notes,
        not_checked: report.not_checked.as_deref(),
        not_applicable: report
            .not_applicable
            .iter()
            .filter(|_| show_skipped)
            .map(|n| JsonSkip {
                rule: &n.rule,
                check: n.site.place(),
                what: &n.what,
            })
            .collect(),
    }
}

fn finding_json<'a>(
    report: &'a FileReport,
    f: &'a Finding,
    fail_on: Severity,
    lang: Lang,
) -> JsonFinding<'a> {
    let at = report.file.line_col(f.primary.map_or(0, |s| s.start));
    JsonFinding {
        rule: &f.rule,
        severity: f.severity,
        message: lang.message(f),
        status: crate::output::status(f, fail_on),
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
                    unit: v.unit.as_deref(),
                }
            })
            .collect(),
        help: lang.help(f),
        evidence: f.evidence.as_ref().map(evidence_json),
        explained: f.explained.as_ref().map(|e| JsonExplained {
            reason: &e.reason,
            line: report.file.line_col(e.span.start).line,
        }),
    }
}
