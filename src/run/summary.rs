//! Counts over a whole run.

use crate::finding::FileReport;
use crate::severity::Severity;

/// Totals of a run, for the summary line, the JSON document and the exit code.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Dataset files checked (including those that could not be loaded, but not reference
    /// datasets, which are counted in `not_checked`).
    pub files: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Info findings.
    pub infos: usize,
    /// Warning and info findings answered by an explanation (说明); never counted for `--fail-on`.
    pub explained: usize,
    /// Reference datasets that were deliberately not checked.
    pub not_checked: usize,
    /// Rule runs: each rule that applied to each dataset checked.
    pub rules_applied: usize,
    /// Rule runs skipped because there was no prior-year dataset.
    pub skipped_no_prior: usize,
    /// Rule runs skipped because the rule's years do not cover the dataset.
    pub skipped_by_year: usize,
    /// Checks that did not apply because a figure they read is not stated (each check counted
    /// once per dataset).
    pub not_applicable: usize,
    /// The fiscal years (`meta.year`) of the datasets checked, in order.
    pub years: std::collections::BTreeSet<i64>,
}

impl Summary {
    /// Adds one file's report.
    pub fn add(&mut self, report: &FileReport) {
        if report.not_checked.is_some() {
            self.not_checked += 1;
            return;
        }
        self.files += 1;
        self.errors += report.count(Severity::Error);
        self.warnings += report.count(Severity::Warning);
        self.infos += report.count(Severity::Info);
        self.explained += report.explained();
        self.rules_applied += report.rules_applied();
        self.skipped_no_prior += report.skipped_no_prior;
        self.skipped_by_year += report.skipped_by_year;
        self.not_applicable += report.not_applicable.len();
        self.years.extend(report.year);
    }

    /// True when some finding is at or above `level`.
    pub fn reaches(&self, level: Severity) -> bool {
        match level {
            Severity::Error => self.errors > 0,
            Severity::Warning => self.errors + self.warnings > 0,
            Severity::Info => self.errors + self.warnings + self.infos > 0,
        }
    }
}
