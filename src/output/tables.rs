//! The per-dataset summary (`--summary`) and the findings per rule (`--statistics`), gathered
//! as reports stream by; shown as text tables after human output and as JSON keys.

use crate::finding::FileReport;
use crate::output::lang::Lang;
use crate::severity::Severity;
use serde::Serialize;
use std::collections::HashMap;
use unicode_width::UnicodeWidthStr;

/// One dataset's line of the summary.
#[derive(Clone, Debug, Serialize)]
pub struct DatasetRow {
    /// The dataset's path.
    pub file: String,
    /// Its `meta.department`.
    pub department: Option<String>,
    /// Its `meta.year`.
    pub year: Option<i64>,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Info findings.
    pub infos: usize,
    /// Findings the department explained (see [`super::explanation`]).
    pub explained: usize,
}

impl DatasetRow {
    /// The row of one report.
    pub fn of(report: &FileReport) -> DatasetRow {
        DatasetRow {
            file: report.file.name.clone(),
            department: report.department.clone(),
            year: report.year,
            errors: report.count(Severity::Error),
            warnings: report.count(Severity::Warning),
            infos: report.count(Severity::Info),
            explained: report
                .findings
                .iter()
                .filter(|f| super::explanation(f).is_some())
                .count(),
        }
    }
}

/// How often one rule fired.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    /// The rule id (or file-level code).
    pub rule: String,
    /// Its severity.
    pub severity: Severity,
    /// Its findings over the whole run.
    pub findings: usize,
}

/// Both tables, filled file by file.
#[derive(Debug, Default)]
pub struct Tables {
    /// One row per dataset, in run order.
    pub datasets: Vec<DatasetRow>,
    counts: HashMap<(String, Severity), usize>,
    /// Per rule: its checks that did not apply (each counted once per dataset).
    not_applicable: HashMap<String, usize>,
}

/// How often one rule's checks did not apply, because figures they read were not stated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleSkips {
    /// The rule id.
    pub rule: String,
    /// Its checks that did not apply, over the whole run (once per check and dataset).
    pub checks: usize,
}

impl Tables {
    /// Adds one report. Reference datasets (not checked) are left out, as the run's summary
    /// counts them apart: the table is about submissions.
    pub fn add(&mut self, report: &FileReport) {
        if report.not_checked.is_some() {
            return;
        }
        self.datasets.push(DatasetRow::of(report));
        for f in &report.findings {
            *self.counts.entry((f.rule.clone(), f.severity)).or_default() += 1;
        }
        for n in &report.not_applicable {
            *self.not_applicable.entry(n.rule.clone()).or_default() += 1;
        }
    }

    /// Checks not applicable per rule, most first (ties by rule id).
    pub fn not_applicable(&self) -> Vec<RuleSkips> {
        let mut rows: Vec<RuleSkips> = self
            .not_applicable
            .iter()
            .map(|(rule, &checks)| RuleSkips {
                rule: rule.clone(),
                checks,
            })
            .collect();
        rows.sort_by(|a, b| b.checks.cmp(&a.checks).then_with(|| a.rule.cmp(&b.rule)));
        rows
    }

    /// Checks not applicable per rule as a text table; empty when every check applied.
    pub fn not_applicable_text(&self, lang: Lang) -> String {
        let rows: Vec<Vec<String>> = self
            .not_applicable()
            .into_iter()
            .map(|s| vec![s.rule, s.checks.to_string()])
            .collect();
        if rows.is_empty() {
            return String::new();
        }
        let header: &[&str] = match lang {
            Lang::En => &["rule", "checks not applicable"],
            Lang::Zh => &["规则", "不适用的检查"],
        };
        table(header, &[false, true], &rows)
    }

    /// Findings per rule, most frequent first (ties by rule id, for stable output).
    pub fn statistics(&self) -> Vec<RuleCount> {
        let mut stats: Vec<RuleCount> = self
            .counts
            .iter()
            .map(|((rule, severity), &findings)| RuleCount {
                rule: rule.clone(),
                severity: *severity,
                findings,
            })
            .collect();
        stats.sort_by(|a, b| {
            b.findings
                .cmp(&a.findings)
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| b.severity.cmp(&a.severity))
        });
        stats
    }

    /// The summary as a text table.
    pub fn summary_text(&self, lang: Lang) -> String {
        let rows: Vec<Vec<String>> = self
            .datasets
            .iter()
            .map(|d| {
                vec![
                    d.file.clone(),
                    d.department.clone().unwrap_or_else(|| "-".into()),
                    d.year.map_or_else(|| "-".into(), |y| y.to_string()),
                    d.errors.to_string(),
                    d.warnings.to_string(),
                    d.explained.to_string(),
                ]
            })
            .collect();
        let header: &[&str] = match lang {
            Lang::En => &[
                "file",
                "department",
                "year",
                "errors",
                "warnings",
                "explained",
            ],
            Lang::Zh => &["文件", "单位", "年度", "错误", "警告", "已说明"],
        };
        table(header, &[false, false, true, true, true, true], &rows)
    }

    /// The statistics as a text table.
    pub fn statistics_text(&self, lang: Lang) -> String {
        let rows: Vec<Vec<String>> = self
            .statistics()
            .into_iter()
            .map(|s| {
                vec![
                    s.rule,
                    lang.severity(s.severity).to_string(),
                    s.findings.to_string(),
                ]
            })
            .collect();
        let header: &[&str] = match lang {
            Lang::En => &["rule", "severity", "findings"],
            Lang::Zh => &["规则", "级别", "问题数"],
        };
        table(header, &[false, false, true], &rows)
    }
}

/// A plain text table, columns padded to their display width (a Chinese character takes two
/// columns on a terminal), numbers right-aligned.
fn table(header: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .zip(right)
            .map(|((cell, &w), &right)| {
                let pad = " ".repeat(w - cell.width());
                if right {
                    format!("{pad}{cell}")
                } else {
                    format!("{cell}{pad}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_by_display_width() {
        let text = table(
            &["file", "n"],
            &[false, true],
            &[
                vec!["收入.yaml".into(), "1".into()],
                vec!["ab.yaml".into(), "10".into()],
            ],
        );
        assert_eq!(text, "file        n\n收入.yaml   1\nab.yaml    10\n");
    }
}
