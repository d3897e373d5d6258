//! Checking one dataset file: load it (and its prior year), pick the rules that apply to its
//! fiscal year, run them, and gather the findings into a [`FileReport`].

use crate::ast::Rule;
use crate::dataset::Dataset;
use crate::eval::{Data, run_rule};
use crate::explanations;
use crate::file_error::FileError;
use crate::finding::{FileReport, Finding};
use crate::load::{LoadFailure, load_dataset};
use crate::ruleset::RuleSet;
use crate::severity::Severity;
use crate::yaml::Limits;
use std::path::{Path, PathBuf};

/// Settings of a check run that apply to every file.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Limits on file size and nesting depth.
    pub limits: Limits,
    /// A prior-year dataset given on the command line (overrides `meta.prior`).
    pub prior: Option<PathBuf>,
}

/// Checks the dataset at `path` against `rules`.
pub fn check_file(path: &Path, rules: &RuleSet, options: &CheckOptions) -> FileReport {
    match load_dataset(path, options.limits) {
        Ok(dataset) => check_dataset(&dataset, path, rules, options),
        Err(failure) => failed(failure),
    }
}

/// A report for a file that could not be loaded: one error finding at the place.
pub fn failed(failure: LoadFailure) -> FileReport {
    let mut report = FileReport::new(failure.file);
    report.findings.push(file_finding(failure.error));
    report
}

/// A file-level problem as a finding (code as the rule, severity error).
pub fn file_finding(error: FileError) -> Finding {
    Finding {
        rule: error.code.to_string(),
        severity: Severity::Error,
        message: error.message,
        primary: error.span.or(Some(crate::source::Span::new(0, 0))),
        values: Vec::new(),
        notes: error.note.into_iter().collect(),
        help: None,
        rule_site: None,
        explained: None,
    }
}

/// Checks a loaded dataset.
pub fn check_dataset(
    dataset: &Dataset,
    path: &Path,
    rules: &RuleSet,
    options: &CheckOptions,
) -> FileReport {
    let mut report = FileReport::new(dataset.file.clone());
    if let Some(role) = dataset.root.at("meta.role").and_then(|n| n.as_text())
        && role == "reference"
    {
        report.not_checked = Some(
            "a prior-year reference dataset (`meta.role: reference`), not a submission".into(),
        );
        return report;
    }
    let prior = load_prior(dataset, path, options, &mut report);
    check_loaded(dataset, prior.as_ref(), &rules.rules, report)
}

/// True when a rule's years cover the fiscal year (every rule covers an unknown year).
pub fn applies_to_year(rule: &Rule, year: Option<i64>) -> bool {
    year.is_none_or(|y| !(rule.since.is_some_and(|s| y < s) || rule.until.is_some_and(|u| y > u)))
}

/// Runs `rules` on a dataset whose prior year (if any) is already loaded, then applies the
/// dataset's explanations (说明) to the findings. `tally test` calls this with the rules a
/// fixture exercises.
pub fn check_loaded<'r>(
    dataset: &Dataset,
    prior: Option<&Dataset>,
    rules: impl IntoIterator<Item = &'r Rule>,
    mut report: FileReport,
) -> FileReport {
    let rules: Vec<&Rule> = rules.into_iter().collect();
    let year = dataset.root.at("meta.year").and_then(|n| n.as_integer());
    report.year = year;
    report.department = dataset
        .root
        .at("meta.department")
        .and_then(|n| n.as_text())
        .map(str::to_string);
    let has_years = rules.iter().any(|r| r.since.is_some() || r.until.is_some());
    if year.is_none() && has_years {
        report.notes.push(
            "the dataset has no `meta.year`: every rule was applied, whatever its years".into(),
        );
    }
    let data = Data {
        root: &dataset.root,
        file: &dataset.file,
    };
    let prior_data = prior.map(|p| Data {
        root: &p.root,
        file: &p.file,
    });
    for rule in rules {
        if !applies_to_year(rule, year) {
            report.skipped_by_year += 1;
            continue;
        }
        if rule.uses_prior && prior_data.is_none() {
            report.skipped_no_prior += 1;
            continue;
        }
        report.rules_applied += 1;
        report.applied.push(rule.id.clone());
        report.findings.extend(run_rule(rule, data, prior_data));
    }
    explanations::apply(dataset, &mut report);
    report
}

/// Loads the prior-year dataset named by `--prior` or by `meta.prior` (relative to the
/// dataset's folder). A prior that cannot be loaded is a finding on this dataset.
fn load_prior(
    dataset: &Dataset,
    path: &Path,
    options: &CheckOptions,
    report: &mut FileReport,
) -> Option<Dataset> {
    let declared = dataset.root.at("meta.prior");
    let prior_path = match (&options.prior, declared.and_then(|n| n.as_text())) {
        (Some(p), _) => p.clone(),
        (None, Some(rel)) => path.parent().unwrap_or(Path::new("")).join(rel),
        (None, None) => return None,
    };
    match load_dataset(&prior_path, options.limits) {
        Ok(prior) => Some(prior),
        Err(failure) => {
            let mut error = FileError::new(
                "prior-unreadable",
                format!(
                    "the prior-year dataset {} could not be loaded: {}",
                    prior_path.display(),
                    failure.error.message
                ),
            );
            if let Some(node) = declared {
                error = error.at(node.span);
            }
            report.findings.push(file_finding(error));
            None
        }
    }
}
