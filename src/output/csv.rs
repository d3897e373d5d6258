//! The bureau's batch view as CSV: one section of datasets (one row each: file, department,
//! year, errors, warnings, infos, explained, status) and, after a blank line, one section of
//! findings (file, rule, severity, status, message, place `line:col`, figures
//! `path=value; …`). Headers are fixed English keys, whatever `--lang`, so that a loader can
//! rely on them. UTF-8 with a byte-order mark, which spreadsheet programs need to read Chinese.
//!
//! The xlsx workbook ([`super::xlsx`]) has the same rows, a sheet each.

use super::tables::DatasetRow;
use super::{Context, Status};
use crate::finding::{FileReport, Finding};
use crate::run::Sink;
use crate::run::summary::Summary;
use std::io::Write;

/// The header of the datasets section.
pub const DATASET_COLUMNS: [&str; 8] = [
    "file",
    "department",
    "year",
    "errors",
    "warnings",
    "infos",
    "explained",
    "status",
];

/// The header of the findings section.
pub const FINDING_COLUMNS: [&str; 7] = [
    "file", "rule", "severity", "status", "message", "place", "figures",
];

/// One finding's row, as text.
pub struct FindingRow {
    /// The dataset's path.
    pub file: String,
    /// The rule id or file-level code.
    pub rule: String,
    /// Its severity.
    pub severity: crate::severity::Severity,
    /// Its status under `--fail-on`.
    pub status: Status,
    /// The message (in `--lang` for a file-level finding).
    pub message: String,
    /// `line:col` of its primary figure.
    pub place: String,
    /// The figures involved, `path=value` joined by `; `.
    pub figures: String,
}

impl FindingRow {
    /// The row of one finding.
    pub fn of(report: &FileReport, f: &Finding, ctx: Context) -> FindingRow {
        let at = super::position(report, f);
        FindingRow {
            file: report.file.name.clone(),
            rule: f.rule.clone(),
            severity: f.severity,
            status: super::status(f, ctx.fail_on),
            message: ctx.lang.message(f).into_owned(),
            place: format!("{}:{}", at.line, at.column),
            figures: f
                .values
                .iter()
                .map(|v| format!("{}={}", v.path, v.text))
                .collect::<Vec<_>>()
                .join("; "),
        }
    }
}

/// `pass`, or `fail` when a finding of the dataset fails the run.
pub fn dataset_status(report: &FileReport, ctx: Context) -> &'static str {
    if report
        .findings
        .iter()
        .any(|f| super::status(f, ctx.fail_on) == Status::Failing)
    {
        "fail"
    } else {
        "pass"
    }
}

/// Writes the datasets as they come and the findings at the end.
pub struct CsvSink<'a> {
    out: &'a mut dyn Write,
    ctx: Context<'a>,
    started: bool,
    findings: Vec<u8>,
}

impl<'a> CsvSink<'a> {
    /// A CSV sink writing to `out`.
    pub fn new(out: &'a mut dyn Write, ctx: Context<'a>) -> CsvSink<'a> {
        CsvSink {
            out,
            ctx,
            started: false,
            findings: Vec::new(),
        }
    }

    fn start(&mut self) -> std::io::Result<()> {
        if !std::mem::replace(&mut self.started, true) {
            self.out.write_all("\u{FEFF}".as_bytes())?;
            record(self.out, DATASET_COLUMNS.iter().copied())?;
        }
        Ok(())
    }
}

impl Sink for CsvSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        self.start()?;
        if report.not_checked.is_some() {
            return Ok(());
        }
        let row = DatasetRow::of(report);
        let year = row.year.map(|y| y.to_string()).unwrap_or_default();
        let counts = [row.errors, row.warnings, row.infos, row.explained].map(|n| n.to_string());
        record(
            self.out,
            [
                row.file.as_str(),
                row.department.as_deref().unwrap_or(""),
                &year,
            ]
            .into_iter()
            .chain(counts.iter().map(String::as_str))
            .chain([dataset_status(report, self.ctx)]),
        )?;
        for f in &report.findings {
            let r = FindingRow::of(report, f, self.ctx);
            record(
                &mut self.findings,
                [
                    r.file.as_str(),
                    &r.rule,
                    r.severity.name(),
                    r.status.key(),
                    &r.message,
                    &r.place,
                    &r.figures,
                ],
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> std::io::Result<()> {
        self.start()?;
        self.out.write_all(b"\r\n")?;
        record(self.out, FINDING_COLUMNS.iter().copied())?;
        self.out.write_all(&self.findings)
    }
}

/// One CSV record (RFC 4180: CRLF, fields quoted when they hold a comma, a quote or a break).
fn record<'s>(
    out: &mut dyn Write,
    fields: impl IntoIterator<Item = &'s str>,
) -> std::io::Result<()> {
    let mut line = String::new();
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push_str(&cell(field));
    }
    line.push_str("\r\n");
    out.write_all(line.as_bytes())
}

/// A field, quoted when needed; text that a spreadsheet would run as a formula (`=…`, `+…`,
/// `@…`, or `-…` that is not a number) is led by `'`, so that a dataset cannot plant one.
fn cell(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '@', '\t', '\r'])
        || (field.starts_with('-') && field.parse::<f64>().is_err());
    let field = if formula {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("-5.2"), "-5.2");
        assert_eq!(cell("收入"), "收入");
    }
}
