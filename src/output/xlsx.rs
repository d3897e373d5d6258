//! The bureau's batch view as an Excel workbook (rust_xlsxwriter): a sheet of datasets (one
//! row each: file, department, year, errors, warnings, infos, explained, status) and a sheet
//! of findings (file, rule, severity, status, message, place, figures), the same rows as
//! [`super::csv`], with headers and statuses in `--lang`, a filter on each header row and the
//! header frozen. The workbook is written whole at the end of the run.

use super::csv::{FindingRow, dataset_status};
use super::tables::DatasetRow;
use super::{Context, Status};
use crate::finding::FileReport;
use crate::run::Sink;
use crate::run::summary::Summary;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use std::io::Write;

/// Fills both sheets as reports arrive, and writes the workbook at the end.
pub struct XlsxSink<'a> {
    out: &'a mut dyn Write,
    ctx: Context<'a>,
    datasets: Worksheet,
    findings: Worksheet,
    dataset_rows: u32,
    finding_rows: u32,
}

fn io(e: XlsxError) -> std::io::Error {
    std::io::Error::other(e)
}

impl<'a> XlsxSink<'a> {
    /// An xlsx sink writing to `out`.
    pub fn new(out: &'a mut dyn Write, ctx: Context<'a>) -> XlsxSink<'a> {
        let lang = ctx.lang;
        let mut datasets = Worksheet::new();
        let mut findings = Worksheet::new();
        let bold = Format::new().set_bold();
        let _ = datasets.set_name(lang.pick("datasets", "数据集"));
        let _ = findings.set_name(lang.pick("findings", "问题"));
        let headers = |keys: &[&str]| keys.iter().map(|k| lang.label(k)).collect::<Vec<_>>();
        let _ = datasets.write_row_with_format(
            0,
            0,
            headers(&[
                "File",
                "Department",
                "Year",
                "Errors",
                "Warnings",
                "Infos",
                "Explained",
                "Status",
            ]),
            &bold,
        );
        let _ = findings.write_row_with_format(
            0,
            0,
            headers(&[
                "File", "Rule", "Severity", "Status", "Message", "Place", "Figures",
            ]),
            &bold,
        );
        for sheet in [&mut datasets, &mut findings] {
            let _ = sheet.set_freeze_panes(1, 0);
            let _ = sheet.set_column_width(0, 40);
        }
        let _ = datasets.set_column_width(1, 28);
        let _ = findings.set_column_width(4, 60);
        let _ = findings.set_column_width(6, 50);
        XlsxSink {
            out,
            ctx,
            datasets,
            findings,
            dataset_rows: 0,
            finding_rows: 0,
        }
    }

    fn add(&mut self, report: &FileReport) -> Result<(), XlsxError> {
        if report.not_checked.is_some() {
            return Ok(());
        }
        let lang = self.ctx.lang;
        let row = DatasetRow::of(report);
        self.dataset_rows += 1;
        let r = self.dataset_rows;
        let sheet = &mut self.datasets;
        sheet.write_string(r, 0, &row.file)?;
        sheet.write_string(r, 1, row.department.as_deref().unwrap_or(""))?;
        if let Some(y) = row.year {
            sheet.write_number(r, 2, y as f64)?;
        }
        for (col, n) in [row.errors, row.warnings, row.infos, row.explained]
            .into_iter()
            .enumerate()
        {
            sheet.write_number(r, 3 + col as u16, n as f64)?;
        }
        sheet.write_string(r, 7, lang.label(dataset_status(report, self.ctx)))?;
        for f in &report.findings {
            let row = FindingRow::of(report, f, self.ctx);
            self.finding_rows += 1;
            let r = self.finding_rows;
            let status = match row.status {
                Status::Failing => lang.label("failing"),
                Status::NotFailing => lang.label("not-failing"),
                Status::Explained => lang.label("Explained"),
            };
            let sheet = &mut self.findings;
            sheet.write_string(r, 0, &row.file)?;
            sheet.write_string(r, 1, &row.rule)?;
            sheet.write_string(r, 2, lang.severity(row.severity))?;
            sheet.write_string(r, 3, status)?;
            sheet.write_string(r, 4, &row.message)?;
            sheet.write_string(r, 5, &row.place)?;
            sheet.write_string(r, 6, &row.figures)?;
        }
        Ok(())
    }

    fn workbook(&mut self) -> Result<Vec<u8>, XlsxError> {
        let mut datasets = std::mem::take(&mut self.datasets);
        let mut findings = std::mem::take(&mut self.findings);
        datasets.autofilter(0, 0, self.dataset_rows, 7)?;
        findings.autofilter(0, 0, self.finding_rows, 6)?;
        let mut book = Workbook::new();
        book.push_worksheet(datasets);
        book.push_worksheet(findings);
        book.save_to_buffer()
    }
}

impl Sink for XlsxSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        self.add(report).map_err(io)
    }

    fn finish(&mut self, _summary: &Summary) -> std::io::Result<()> {
        let bytes = self.workbook().map_err(io)?;
        self.out.write_all(&bytes)
    }
}
