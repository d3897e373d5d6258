//! The fuzzed entry points and the invariants they must keep, shared by the fuzz targets and
//! by `tests/fuzz_regressions.rs` (both include this file), so that a crash input replays
//! exactly as it was found. Beyond "no panic": every place reported lies inside its file on a
//! character boundary, and every rendered diagnostic names its file.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use tally::dataset::load::parse_dataset;
use tally::dataset::yaml::Limits;
use tally::dataset::{Node, NodeKind};
use tally::eval::{Data, run_rule, with_fast_path};
use tally::finding::FileReport;
use tally::output::diagnostic::{Style, render_report, render_rule_errors};
use tally::rules::ruleset::{LoadError, RuleSet};
use tally::run::check::{CheckOptions, check_dataset};
use tally::source::{SourceFile, Span};

/// The rule parser and the rule-set checks on arbitrary text.
pub fn rules(text: &str) {
    let file = Arc::new(SourceFile::new("fuzz.tally", text));
    match RuleSet::from_files(vec![file]) {
        Ok(set) => {
            for rule in &set.rules {
                assert_inside(text, rule.id_span, "rule id");
            }
        }
        Err(LoadError::Rules(errors)) => {
            assert!(!errors.is_empty(), "an error result without errors");
            for e in &errors {
                assert_inside(text, e.span, &e.message);
                let _ = e.line_col();
            }
            let shown = render_rule_errors(&errors, Style::plain(100));
            assert!(
                shown.contains("fuzz.tally"),
                "the file is not named:\n{shown}"
            );
        }
        Err(LoadError::Io(path, why)) => panic!("no I/O here, yet {path:?}: {why}"),
    }
}

/// The YAML loader on arbitrary text, with limits low enough to be met.
pub fn dataset(text: &str) {
    let limits = Limits {
        max_file_size: 1 << 20,
        max_depth: 64,
    };
    match parse_dataset("fuzz.yaml".into(), text.to_string(), limits) {
        Ok(dataset) => {
            assert!(
                matches!(dataset.root.kind, NodeKind::Map(_)),
                "root is not a mapping"
            );
            assert_tree_inside(&dataset.file.text, &dataset.root);
        }
        Err(failure) => {
            if let Some(span) = failure.error.span {
                assert_inside(&failure.file.text, span, &failure.error.message);
            }
            let shown = render_report(&tally::run::check::failed(failure), Style::plain(100));
            assert!(
                shown.contains("fuzz.yaml"),
                "the file is not named:\n{shown}"
            );
        }
    }
}

/// Arbitrary rules against arbitrary data: the input is split at the first NUL into a rule
/// file and a dataset. When both load, every rule runs, with the dataset as its own prior year
/// (so `prior.…` runs too, without reading files that `meta.prior` names): once rule by rule,
/// and once through `check_dataset` (years, reference datasets, explanations). The findings
/// are rendered as text and as JSON. Both runs are made with the fast path on and again with
/// it off, and must find exactly the same.
pub fn check(text: &str) {
    let Some((rules, data)) = text.split_once('\0') else {
        return;
    };
    let Ok(rules) = RuleSet::from_files(vec![Arc::new(SourceFile::new("fuzz.tally", rules))])
    else {
        return;
    };
    let Ok(dataset) = parse_dataset("fuzz.yaml".into(), data.to_string(), Limits::default()) else {
        return;
    };
    let data_ref = Data {
        root: &dataset.root,
        file: &dataset.file,
    };
    let rule_by_rule = || {
        let mut report = FileReport::new(dataset.file.clone());
        let mut cache = tally::eval::path_cache::PathCache::new(&rules);
        let mut deadline = tally::eval::deadline::Deadline::after(None);
        for rule in &rules.rules {
            report.findings.extend(
                run_rule(
                    rule,
                    data_ref,
                    Some(data_ref),
                    &mut cache,
                    &mut deadline,
                    true,
                )
                .findings,
            );
        }
        report
    };
    let report = rule_by_rule();
    assert_report(&report);
    let general = with_fast_path(false, rule_by_rule);
    assert_same(&report, &general);
    let prior = parse_dataset("prior.yaml".into(), data.to_string(), Limits::default())
        .expect("the same text loads twice");
    let options = CheckOptions {
        // Already loaded: `check_dataset` must not read a file that the input names.
        prior: Some("prior.yaml".into()),
        prior_loaded: OnceLock::from(Ok(Arc::new(prior))),
        ..CheckOptions::default()
    };
    let mut dataset = dataset;
    let mut whole = || check_dataset(&mut dataset, Path::new("fuzz.yaml"), &rules, &options);
    let report = whole();
    assert_report(&report);
    assert_same(&report, &with_fast_path(false, whole));
}

/// The fast path changed nothing: the same findings, in the same order, saying the same.
fn assert_same(fast: &FileReport, general: &FileReport) {
    let shown = |report: &FileReport| {
        report
            .findings
            .iter()
            .map(|f| {
                let values: Vec<_> = f
                    .values
                    .iter()
                    .map(|v| (&v.path, &v.text, v.span, v.prior.is_some()))
                    .collect();
                let site = f.rule_site.as_ref().map(|s| s.span);
                format!(
                    "{} {:?} {} {:?} {values:?} {:?} {:?} {:?} {site:?} {:?}",
                    f.rule,
                    f.severity,
                    f.message,
                    f.primary,
                    f.notes,
                    f.help,
                    f.evidence,
                    f.explained
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        shown(fast),
        shown(general),
        "the fast path changed the findings"
    );
}

/// Every place of every finding lies in its file; the report renders, naming the file.
fn assert_report(report: &FileReport) {
    let text = &report.file.text;
    for f in &report.findings {
        if let Some(span) = f.primary {
            assert_inside(text, span, &f.message);
        }
        for v in &f.values {
            let file_text = v.prior.as_ref().map_or(text, |p| &p.text);
            assert_inside(file_text, v.span, &v.path);
        }
        for (span, label) in &f.notes {
            assert_inside(text, *span, label);
        }
    }
    let shown = render_report(report, Style::plain(100));
    if !report.findings.is_empty() {
        assert!(
            shown.contains("fuzz.yaml"),
            "the file is not named:\n{shown}"
        );
    }
    let json = serde_json::to_string(&tally::output::json_document::file_json(
        report,
        tally::severity::Severity::Error,
        tally::output::lang::Lang::En,
        true,
    ))
    .expect("JSON");
    assert!(json.starts_with('{'));
}

fn assert_inside(text: &str, span: Span, what: &str) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(
        start <= end && end <= text.len(),
        "span {start}..{end} outside a text of {} bytes: {what}",
        text.len()
    );
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "span {start}..{end} splits a character: {what}"
    );
}

fn assert_tree_inside(text: &str, root: &Node) {
    let mut todo = vec![root];
    while let Some(node) = todo.pop() {
        assert_inside(text, node.span, node.kind_name());
        match &node.kind {
            NodeKind::List(items) => todo.extend(items),
            NodeKind::Map(entries) => {
                for e in entries {
                    assert_inside(text, e.key_span, &e.key);
                    todo.push(&e.value);
                }
            }
            _ => {}
        }
    }
}
