//! Checking one dataset file: load it (and its prior year), pick the rules that apply to its
//! fiscal year, run them, and gather the findings into a [`FileReport`].

use crate::dataset::Dataset;
use crate::dataset::file_error::FileError;
use crate::dataset::load::{LoadFailure, load_dataset};
use crate::dataset::yaml::Limits;
use crate::eval::deadline::Deadline;
use crate::eval::path_cache::PathCache;
use crate::eval::{Data, run_rule};
use crate::finding::{FileReport, Finding, NotApplicable, RuleSite};
use crate::rules::ast::Rule;
use crate::rules::ruleset::RuleSet;
use crate::run::conform::Reading;
use crate::run::explanations;
use crate::severity::Severity;
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Settings of a check run that apply to every file.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// Limits on file size and nesting depth.
    pub limits: Limits,
    /// A prior-year dataset given on the command line (overrides `meta.prior`).
    pub prior: Option<PathBuf>,
    /// The `prior` dataset, loaded by the first file that needs it and shared by all: a batch
    /// of 10,000 datasets against one prior reads it once, not 10,000 times.
    pub prior_loaded: OnceLock<SharedLoad>,
    /// The longest the rules may run on one file (`None`: no limit; see [`crate::eval::deadline`]).
    pub time_limit: Option<Duration>,
    /// Whether the checks that did not apply are named (`--show-skipped`), not only counted:
    /// naming them costs a traced re-evaluation of each.
    pub name_skipped: bool,
}

/// A loaded dataset, or why it could not be loaded, shareable between threads.
pub type SharedLoad = Result<Arc<Dataset>, Arc<LoadFailure>>;

fn shared(loaded: Result<Dataset, LoadFailure>) -> SharedLoad {
    loaded.map(Arc::new).map_err(Arc::new)
}

/// Checks the dataset at `path` against `rules`.
pub fn check_file(path: &Path, rules: &RuleSet, options: &CheckOptions) -> FileReport {
    check_read(path, load_dataset(path, options.limits), rules, options)
}

/// [`check_file`], for a dataset already loaded (or not).
pub fn check_read(
    path: &Path,
    loaded: Result<Dataset, LoadFailure>,
    rules: &RuleSet,
    options: &CheckOptions,
) -> FileReport {
    match loaded {
        Ok(mut dataset) => {
            let report = check_dataset(&mut dataset, path, rules, options);
            drop_later(dataset);
            report
        }
        Err(failure) => failed(failure),
    }
}

/// Datasets at least this large are dropped by [`drop_later`]'s thread.
const DROP_LATER_BYTES: usize = 4 * 1024 * 1024;

/// Drops a large dataset on a thread of its own, so that its report goes out while the tree's
/// millions of allocations are freed: that is 8% of checking a 95 MB dataset, and a run of
/// one large file has a core to spare for it. The thread takes one dataset at a time (a
/// second one waits until it is free), so memory still does not grow with the files.
/// A small dataset, or one on a system that cannot start the thread, is dropped here.
fn drop_later(dataset: Dataset) {
    static DROPPER: OnceLock<Option<SyncSender<Dataset>>> = OnceLock::new();
    if dataset.file.text.len() < DROP_LATER_BYTES {
        return;
    }
    let dropper = DROPPER.get_or_init(|| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Dataset>(0);
        std::thread::Builder::new()
            .name("drop-datasets".into())
            .spawn(move || receive.into_iter().for_each(drop))
            .ok()
            .map(|_| send)
    });
    if let Some(send) = dropper {
        // Sent, it is dropped there; if the thread is gone, `send` hands it back and it is
        // dropped here.
        let _ = send.send(dataset);
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
        evidence: None,
        rule_site: None,
        explained: None,
    }
}

/// Checks a dataset against the pack's layout (when it has one), before any rule reads it:
/// figures printed as `"1,612.36"` become numbers, blanks of stated tables zeros, and unknown
/// keys, values of the wrong kind and (with `completeness`) missing parts are findings. See
/// [`crate::run::conform`].
pub fn conform_to(dataset: &mut Dataset, rules: &RuleSet, completeness: bool) -> Vec<Finding> {
    let reading = Reading {
        completeness,
        unit: None,
    };
    conform_with(dataset, rules, reading)
}

fn conform_with(dataset: &mut Dataset, rules: &RuleSet, reading: Reading<'_>) -> Vec<Finding> {
    match &rules.layout {
        Some(layout) => {
            let file = dataset.file.clone();
            crate::run::conform::conform(layout, &mut dataset.root, &file, reading)
        }
        None => Vec::new(),
    }
}

/// Checks a loaded dataset: against the pack's layout, then by the rules.
pub fn check_dataset(
    dataset: &mut Dataset,
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
    report.findings = conform_to(dataset, rules, true);
    let prior = load_prior(dataset, path, rules, options, &mut report);
    let deadline = Deadline::after(options.time_limit);
    check_rules(
        dataset,
        prior.as_deref(),
        rules,
        &rules.rules,
        report,
        (deadline, options.name_skipped),
    )
}

/// True when a rule's years cover the fiscal year (every rule covers an unknown year).
pub fn applies_to_year(rule: &Rule, year: Option<i64>) -> bool {
    year.is_none_or(|y| !(rule.since.is_some_and(|s| y < s) || rule.until.is_some_and(|u| y > u)))
}

/// Runs `rules` on a dataset whose prior year (if any) is already loaded, then applies the
/// dataset's explanations (说明) to the findings. `tally test` calls this with the rules a
/// fixture exercises, taken from `set` (whose plans their loops use).
pub fn check_loaded<'r>(
    dataset: &Dataset,
    prior: Option<&Dataset>,
    set: &RuleSet,
    rules: impl IntoIterator<Item = &'r Rule>,
    mut report: FileReport,
) -> FileReport {
    if set.layout.is_none() {
        return check_rules(
            dataset,
            prior,
            set,
            rules,
            report,
            (Deadline::after(None), true),
        );
    }
    // A fixture's dataset is a fragment: checked against the layout (a misspelt key in a
    // fixture is caught), but never asked for what a full report must state.
    let mut copy = Dataset {
        file: dataset.file.clone(),
        root: dataset.root.clone(),
    };
    report.findings = conform_to(&mut copy, set, false);
    let prior = prior.map(|p| {
        let mut copy = Dataset {
            file: p.file.clone(),
            root: p.root.clone(),
        };
        conform_to(&mut copy, set, false);
        copy
    });
    check_rules(
        &copy,
        prior.as_ref(),
        set,
        rules,
        report,
        (Deadline::after(None), true),
    )
}

/// [`check_loaded`], stopping once `deadline` has passed, and naming the checks that did not
/// apply if `name_skipped` (see [`CheckOptions::name_skipped`]).
fn check_rules<'r>(
    dataset: &Dataset,
    prior: Option<&Dataset>,
    set: &RuleSet,
    rules: impl IntoIterator<Item = &'r Rule>,
    mut report: FileReport,
    (mut deadline, name_skipped): (Deadline, bool),
) -> FileReport {
    let rules: Vec<&Rule> = rules.into_iter().collect();
    let year = dataset.root.at("meta.year").and_then(|n| n.as_integer());
    report.year = year;
    report.department = dataset
        .root
        .at("meta.department")
        .and_then(|n| n.as_text())
        .map(str::to_string);
    // Only a dataset without a year asks whether any rule has years.
    if year.is_none() && rules.iter().any(|r| r.since.is_some() || r.until.is_some()) {
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
    let mut cache = PathCache::new(set);
    for (i, rule) in rules.iter().enumerate() {
        if !applies_to_year(rule, year) {
            report.skipped_by_year += 1;
            continue;
        }
        if rule.uses_prior && prior_data.is_none() {
            report.skipped_no_prior += 1;
            continue;
        }
        report.applied.push(rule.id.clone());
        let outcome = run_rule(
            rule,
            data,
            prior_data,
            &mut cache,
            &mut deadline,
            name_skipped,
        );
        report.findings.extend(outcome.findings);
        report
            .not_applicable
            .extend(outcome.not_applicable.into_iter().map(|n| NotApplicable {
                rule: rule.id.clone(),
                site: RuleSite {
                    file: rule.file.clone(),
                    span: n.site,
                },
                what: n.what,
            }));
        if deadline.passed() {
            report
                .findings
                .push(timeout_finding(rule, deadline, rules.len() - i - 1));
            break;
        }
    }
    explanations::apply(dataset, &mut report);
    report
}

/// The finding of a file whose check was stopped by `--timeout` in `rule`, with `not_run`
/// rules after it.
fn timeout_finding(rule: &Rule, deadline: Deadline, not_run: usize) -> Finding {
    let limit = deadline.limit().unwrap_or_default().as_secs_f64();
    let rest = match not_run {
        0 => "it was the last rule".to_string(),
        1 => "1 later rule was not run".to_string(),
        n => format!("{n} later rules were not run"),
    };
    let message = format!(
        "the rules took longer than {limit} s on this file (--timeout): checking stopped in \
         rule {}, whose findings so far are reported; {rest}",
        rule.id
    );
    file_finding(FileError::new("timeout", message))
}

/// The prior-year file a dataset at `path` names in `meta.prior` (relative to its folder).
pub fn declared_prior(dataset: &Dataset, path: &Path) -> Option<PathBuf> {
    let rel = dataset.root.at("meta.prior")?.as_text()?;
    Some(path.parent().unwrap_or(Path::new("")).join(rel))
}

/// A prior-year dataset already in memory, used as `--prior` would be (fixtures patch the
/// prior year's text and hand it over without writing a file).
pub fn with_prior(options: CheckOptions, name: PathBuf, prior: Dataset) -> CheckOptions {
    let loaded = OnceLock::new();
    let _ = loaded.set(shared(Ok(prior)));
    CheckOptions {
        prior: Some(name),
        prior_loaded: loaded,
        ..options
    }
}

/// Loads the prior-year dataset named by `--prior` or by `meta.prior` (relative to the
/// dataset's folder). A prior that cannot be loaded is a finding on this dataset.
fn load_prior(
    dataset: &Dataset,
    path: &Path,
    rules: &RuleSet,
    options: &CheckOptions,
    report: &mut FileReport,
) -> Option<Arc<Dataset>> {
    // Read as the dataset is, in its unit of money, so that their figures compare alike;
    // what it lacks is no concern of this dataset's check.
    let unit = rules
        .layout
        .as_ref()
        .and_then(|l| l.unit_of(&dataset.root))
        .map(str::to_string);
    let load = |p: &Path, unit: Option<&str>| {
        load_dataset(p, options.limits).map(|mut d| {
            let reading = Reading {
                completeness: false,
                unit,
            };
            conform_with(&mut d, rules, reading);
            d
        })
    };
    let declared = dataset.root.at("meta.prior");
    let (prior_path, loaded) = match (&options.prior, declared.and_then(|n| n.as_text())) {
        (Some(p), _) => {
            // Read once for the whole run, in its own unit; a dataset in another unit reads
            // it again, converted (a batch is nearly always in one unit).
            let shared = options.prior_loaded.get_or_init(|| shared(load(p, None)));
            let prior_unit = match (shared, &rules.layout) {
                (Ok(prior), Some(layout)) => layout.unit_of(&prior.root).map(str::to_string),
                _ => None,
            };
            if prior_unit.is_some() && unit.is_some() && prior_unit != unit {
                (p.clone(), self::shared(load(p, unit.as_deref())))
            } else {
                (p.clone(), shared.clone())
            }
        }
        (None, Some(_)) => {
            let p = declared_prior(dataset, path).expect("meta.prior is text");
            let loaded = shared(load(&p, unit.as_deref()));
            (p, loaded)
        }
        (None, None) => return None,
    };
    match loaded {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    #[test]
    fn a_prior_given_once_is_read_once_for_every_dataset() {
        let dir = tempfile::tempdir().unwrap();
        let prior = dir.path().join("prior.yaml");
        std::fs::write(&prior, "a: 5\n").unwrap();
        let first = dir.path().join("first.yaml");
        let second = dir.path().join("second.yaml");
        std::fs::write(&first, "a: 5\n").unwrap();
        std::fs::write(&second, "a: 6\n").unwrap();
        let rules = RuleSet::from_files(vec![Arc::new(SourceFile::new(
            "p.tally",
            r#"rule P error "same as last year" { a = prior.a }"#,
        ))])
        .unwrap();
        let options = CheckOptions {
            prior: Some(prior.clone()),
            ..Default::default()
        };
        assert!(check_file(&first, &rules, &options).findings.is_empty());
        // The prior is gone from disk, but the run already holds it.
        std::fs::remove_file(&prior).unwrap();
        let report = check_file(&second, &rules, &options);
        let rules_hit: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules_hit, ["P"]);
    }
}
