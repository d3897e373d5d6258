//! JSON Lines: a stream a loader can trust. Every line is one record with a `type`:
//!
//! - `{"type":"finding","path":…, …the JSON document's finding…}`, one per finding, written as
//!   soon as its file is done;
//! - `{"type":"file","path":…,"errors":…,"warnings":…,"infos":…,"explained":…,
//!   "rules_applied":…, …}` after each file's findings, clean files included, so that a
//!   clean file is told from a lost one;
//! - `{"type":"summary", …the run's summary…, "run":{…the audit trail…}}`, last: a stream
//!   without it was cut short.

use super::Context;
use super::audit::Audit;
use super::lang::Lang;
use super::tables::DatasetRow;
use crate::finding::FileReport;
use crate::output::json_document::{self, JsonFinding};
use crate::run::Sink;
use crate::run::summary::Summary;
use crate::severity::Severity;
use serde::Serialize;
use std::io::Write;

/// A finding's record.
#[derive(Serialize)]
struct FindingRecord<'a> {
    r#type: &'static str,
    path: &'a str,
    #[serde(flatten)]
    finding: JsonFinding<'a>,
}

/// A file's record, after its findings.
#[derive(Serialize)]
struct FileRecord<'a> {
    r#type: &'static str,
    path: &'a str,
    department: Option<&'a str>,
    year: Option<i64>,
    errors: usize,
    warnings: usize,
    infos: usize,
    explained: usize,
    findings: usize,
    rules_applied: usize,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    notes: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    not_checked: Option<&'a str>,
}

/// The closing record.
#[derive(Serialize)]
struct SummaryRecord<'a> {
    r#type: &'static str,
    #[serde(flatten)]
    summary: &'a Summary,
    run: &'a Audit,
}

/// Writes the records of each file as it finishes and flushes, so that a reader sees them
/// while the batch runs.
pub struct JsonlSink<'a> {
    out: &'a mut dyn Write,
    fail_on: Severity,
    lang: Lang,
    audit: &'a Audit,
    /// `--show-skipped`: list each file's checks that did not apply.
    show_skipped: bool,
}

impl<'a> JsonlSink<'a> {
    /// A JSON Lines sink writing to `out`.
    pub fn new(out: &'a mut dyn Write, ctx: Context<'a>) -> JsonlSink<'a> {
        JsonlSink {
            out,
            fail_on: ctx.fail_on,
            lang: ctx.lang,
            audit: ctx.audit,
            show_skipped: ctx.show_skipped,
        }
    }

    fn line(&mut self, record: &impl Serialize) -> std::io::Result<()> {
        serde_json::to_writer(&mut *self.out, record)?;
        self.out.write_all(b"\n")
    }
}

impl Sink for JsonlSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        let file = json_document::file_json(report, self.fail_on, self.lang, self.show_skipped);
        let count = file.findings.len();
        for finding in file.findings {
            self.line(&FindingRecord {
                r#type: "finding",
                path: file.path,
                finding,
            })?;
        }
        let row = DatasetRow::of(report);
        self.line(&FileRecord {
            r#type: "file",
            path: file.path,
            department: report.department.as_deref(),
            year: report.year,
            errors: row.errors,
            warnings: row.warnings,
            infos: row.infos,
            explained: row.explained,
            findings: count,
            rules_applied: file.rules_applied,
            notes: file.notes,
            not_checked: file.not_checked,
        })?;
        self.out.flush()
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        self.line(&SummaryRecord {
            r#type: "summary",
            summary,
            run: self.audit,
        })?;
        self.out.flush()
    }
}
