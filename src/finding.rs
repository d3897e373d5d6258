//! Findings: what a check reports about a dataset. Plain data; rendering lives in `render`.

use crate::evidence::Evidence;
use crate::severity::Severity;
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// One reported problem in a dataset.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The rule id (or a file-level code such as `yaml-syntax`).
    pub rule: String,
    /// How serious it is.
    pub severity: Severity,
    /// The message, interpolated.
    pub message: String,
    /// The main place in the dataset (None only for a file that could not be read at all).
    pub primary: Option<Span>,
    /// The dataset values involved, each labelled with its path and value.
    pub values: Vec<ValueRef>,
    /// Other labelled places in the dataset.
    pub notes: Vec<(Span, String)>,
    /// The computed sides and the tolerance, and the rule's help text: [`Finding::evidence`]
    /// rendered as a line of prose, then the rule's help.
    pub help: Option<String>,
    /// For a failed check: the comparison that decided it, as data (JSON's `evidence`).
    pub evidence: Option<Evidence>,
    /// Where the rule is defined.
    pub rule_site: Option<RuleSite>,
    /// Set when a department's explanation (说明) answers this hint; see `explanations`.
    pub explained: Option<Explained>,
}

/// A hint answered by an explanation (说明) in the dataset: still reported, never blocking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explained {
    /// Why the figures are nevertheless right, as the department wrote it.
    pub reason: String,
    /// Where the explanation stands in the dataset (its `rule:` value).
    pub span: Span,
}

/// A dataset value that took part in a failing check.
#[derive(Clone, Debug)]
pub struct ValueRef {
    /// Its path in the dataset (`expenditure.total`, `function_classes[2].amount`), with a
    /// `prior.` prefix for values of the prior-year dataset.
    pub path: String,
    /// Its source text, as written in the dataset.
    pub text: String,
    /// Where it stands.
    pub span: Span,
    /// The prior-year file, when the value comes from there.
    pub prior: Option<Arc<SourceFile>>,
    /// Its unit, when the pack's layout gives one: the dataset's unit of money for an amount
    /// (万元, 元), or the layout's own (分, 人 …).
    pub unit: Option<String>,
}

/// A check of a rule that did not apply to a dataset because a figure it reads is not stated.
#[derive(Clone, Debug)]
pub struct NotApplicable {
    /// The rule.
    pub rule: String,
    /// The check (or `when` condition, or `for` list) in its rule file.
    pub site: RuleSite,
    /// What the dataset does not state, e.g. "`tables.income.total_row.fiscal` is not stated".
    pub what: String,
}

/// A rule's place in its file.
#[derive(Clone, Debug)]
pub struct RuleSite {
    /// The rule file.
    pub file: Arc<SourceFile>,
    /// The rule's header (id to message), or the failing check.
    pub span: Span,
}

impl RuleSite {
    /// `FILE:LINE`, for listings.
    pub fn place(&self) -> String {
        format!(
            "{}:{}",
            self.file.name,
            self.file.line_col(self.span.start).line
        )
    }
}

/// Everything found in one dataset file.
#[derive(Debug)]
pub struct FileReport {
    /// The dataset file (its text may be empty when it could not be read).
    pub file: Arc<SourceFile>,
    /// The findings, in rule order then check order.
    pub findings: Vec<Finding>,
    /// The ids of the rules that ran, in rule order (a JUnit test case each).
    pub applied: Vec<String>,
    /// The dataset's `meta.department`, for per-dataset summaries.
    pub department: Option<String>,
    /// The dataset's `meta.year`.
    pub year: Option<i64>,
    /// Rules skipped because they read the prior year and there is none.
    pub skipped_no_prior: usize,
    /// Rules skipped because their years do not cover the dataset's `meta.year`.
    pub skipped_by_year: usize,
    /// Checks that did not apply because a figure they read is not stated (each check once).
    pub not_applicable: Vec<NotApplicable>,
    /// Notes about the run on this file (e.g. "no `meta.year`").
    pub notes: Vec<String>,
    /// Set when the file was deliberately not checked, with the reason.
    pub not_checked: Option<String>,
}

impl FileReport {
    /// How many rules ran on this dataset.
    pub fn rules_applied(&self) -> usize {
        self.applied.len()
    }

    /// A report with no findings yet.
    pub fn new(file: Arc<SourceFile>) -> FileReport {
        FileReport {
            file,
            findings: Vec::new(),
            applied: Vec::new(),
            department: None,
            year: None,
            skipped_no_prior: 0,
            skipped_by_year: 0,
            not_applicable: Vec::new(),
            notes: Vec::new(),
            not_checked: None,
        }
    }

    /// Number of open (not explained) findings of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity && f.explained.is_none())
            .count()
    }

    /// Drops findings identical to an earlier one: same rule, severity, message, place and
    /// figures (a rule whose several checks trip over the same bad value, e.g. a figure too
    /// long to be a number, said the same thing at the same place once per check). The first
    /// of each stays, in order.
    pub fn dedup(&mut self) {
        let mut seen = std::collections::HashSet::new();
        self.findings.retain(|f| {
            let values: Vec<(&str, &str, u32, u32, bool)> = f
                .values
                .iter()
                .map(|v| {
                    (
                        v.path.as_str(),
                        v.text.as_str(),
                        v.span.start,
                        v.span.end,
                        v.prior.is_some(),
                    )
                })
                .collect();
            seen.insert((
                f.rule.clone(),
                f.severity,
                f.message.clone(),
                f.primary.map(|s| (s.start, s.end)),
                format!("{values:?}"),
                f.explained.is_some(),
            ))
        });
    }

    /// Number of findings answered by an explanation.
    pub fn explained(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.explained.is_some())
            .count()
    }
}
