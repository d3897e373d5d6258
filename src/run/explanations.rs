//! Explanations (说明): a department's written answer to a hint check (提示性审核).
//!
//! A dataset may hold a top-level `explanations:` list:
//!
//! ```yaml
//! explanations:
//!   - rule: FA-BUD-002                 # the hint answered
//!     at: projects[1]                  # optional: a value path of the finding, or a row
//!     figures:                         # the figures explained, as the finding showed them
//!       "projects[1].executed": 120.00
//!       "projects[1].budget": 100.00
//!     reason: 追加预算经批准，已补办手续
//! ```
//!
//! A warning or info finding of that rule, at that place, whose values are exactly those
//! figures, is *explained*: it is still reported, with its reason, but counted apart and never
//! for `--fail-on`. When the figures differ, the explanation no longer applies (it explained
//! other figures) and the finding says which figures changed. An error can never be explained
//! away; an explanation that matches no finding is reported, so that none lingers unseen.

use crate::dataset::{Dataset, Node, NodeKind};
use crate::finding::{Explained, FileReport, Finding, ValueRef};
use crate::number::{Num, Parsed};
use crate::severity::Severity;
use crate::source::{SourceFile, Span};
use std::collections::{HashMap, HashSet};

/// The dataset's top-level key that holds explanations.
pub const KEY: &str = "explanations";

/// Code of a finding about an explanation that cannot be read.
pub const INVALID: &str = "explanation-invalid";
/// Code of a finding about an explanation that answers an error (a mandatory check).
pub const NOT_ALLOWED: &str = "explanation-not-allowed";
/// Code of a finding about an explanation that answers no finding.
pub const UNUSED: &str = "explanation-unused";

/// One explanation as written in the dataset.
struct Explanation<'d> {
    rule: &'d str,
    at: Option<&'d str>,
    reason: String,
    /// The figures it was written for: value path → value as written.
    figures: Vec<(&'d str, &'d Node)>,
    /// The figures as compared: value path → canonical value, sorted by path.
    key: Figures,
    /// Where findings about it point: its `rule:` value.
    span: Span,
}

/// Applies the dataset's explanations to the findings of `report`, and adds a finding for
/// each explanation that cannot be read, answers an error, or answers nothing.
pub fn apply(dataset: &Dataset, report: &mut FileReport) {
    let Some(list) = dataset.root.get(KEY) else {
        return;
    };
    let items = match &list.kind {
        NodeKind::List(items) => &items[..],
        NodeKind::Null => &[],
        _ => {
            report.findings.push(problem(
                INVALID,
                list.span,
                format!(
                    "`{KEY}` must be a list of `{{rule, at, figures, reason}}` entries, not {}",
                    list.kind_name()
                ),
            ));
            return;
        }
    };
    let mut added = Vec::new();
    let mut pending = Vec::new();
    for item in items {
        match read(item, &dataset.file) {
            Ok(e) => pending.push(e),
            Err(p) => added.push(*p),
        }
    }
    // Explanations whose figures match go first, so that an explanation written again for
    // new figures wins over the stale one it replaces.
    let index = Index::new(&report.findings);
    pending.retain(|e| !apply_exact(e, &index, &mut report.findings, &mut added));
    let mut reopened = HashSet::new();
    for e in &pending {
        added.extend(reopen(
            e,
            &index,
            &dataset.file,
            &mut report.findings,
            &mut reopened,
        ));
    }
    added.sort_by_key(|f| f.primary.map(|s| s.start));
    report.findings.extend(added);
}

/// Value paths and canonical values of a finding or an explanation, sorted by path.
type Figures = Vec<(String, String)>;

/// The findings by rule, and by rule and figures: each explanation finds its findings by
/// lookup, so that many explanations on many findings stay fast.
struct Index {
    by_rule: HashMap<String, Vec<usize>>,
    by_figures: HashMap<(String, Figures), Vec<usize>>,
}

impl Index {
    fn new(findings: &[Finding]) -> Index {
        let mut index = Index {
            by_rule: HashMap::new(),
            by_figures: HashMap::new(),
        };
        for (i, f) in findings.iter().enumerate() {
            index.by_rule.entry(f.rule.clone()).or_default().push(i);
            let mut figures: Figures = f
                .values
                .iter()
                .map(|v| (v.path.clone(), canonical(&v.text)))
                .collect();
            figures.sort();
            index
                .by_figures
                .entry((f.rule.clone(), figures))
                .or_default()
                .push(i);
        }
        index
    }

    fn of_rule(&self, rule: &str) -> &[usize] {
        self.by_rule.get(rule).map_or(&[], Vec::as_slice)
    }
}

/// Applies an explanation to the findings whose figures it matches, or flags it when it
/// answers an error. True when it is dealt with.
fn apply_exact(
    e: &Explanation,
    index: &Index,
    findings: &mut [Finding],
    added: &mut Vec<Finding>,
) -> bool {
    let answers = |f: &Finding| f.explained.is_none() && at_matches(e.at, &f.values);
    // Every finding of a rule has the rule's severity, so only an error rule needs the scan.
    let of_rule = index.of_rule(e.rule);
    if of_rule
        .first()
        .is_some_and(|&i| findings[i].severity == Severity::Error)
        && of_rule.iter().any(|&i| answers(&findings[i]))
    {
        added.push(problem(
            NOT_ALLOWED,
            e.span,
            format!(
                "`{}` is a mandatory check (error): it cannot be explained away, the figures must be fixed",
                e.rule
            ),
        ));
        return true;
    }
    let key = (e.rule.to_string(), e.key.clone());
    let mut applied = false;
    for &i in index.by_figures.get(&key).map_or(&[][..], Vec::as_slice) {
        if answers(&findings[i]) {
            findings[i].explained = Some(Explained {
                reason: e.reason.clone(),
                span: e.span,
            });
            applied = true;
        }
    }
    applied
}

/// An explanation that matched no figures: the open hints it was written for (same rule and
/// place, and some figure in common) say which figures changed, once each; with no such
/// hint, the explanation is unused.
fn reopen(
    e: &Explanation,
    index: &Index,
    file: &SourceFile,
    findings: &mut [Finding],
    reopened: &mut HashSet<usize>,
) -> Option<Finding> {
    let mut any = false;
    for &i in index.of_rule(e.rule) {
        let f = &mut findings[i];
        let shares_a_figure = f
            .values
            .iter()
            .any(|v| e.key.iter().any(|(p, _)| *p == v.path));
        if f.explained.is_none() && at_matches(e.at, &f.values) && shares_a_figure {
            if reopened.insert(i) {
                stale(f, e, file);
            }
            any = true;
        }
    }
    if any {
        return None;
    }
    let place = e.at.map(|a| format!(" at `{a}`")).unwrap_or_default();
    Some(problem(
        UNUSED,
        e.span,
        format!(
            "this explanation of `{}`{place} answers no open finding: the hint is gone, already explained, or the rule did not run; remove the explanation",
            e.rule
        ),
    ))
}

/// Marks a finding whose explanation was written for other figures: the hint is open again.
fn stale(f: &mut Finding, e: &Explanation, file: &SourceFile) {
    let changes = figure_changes(&e.figures, file, &f.values).join("; ");
    let note = format!(
        "an explanation (说明) was written for other figures, so it no longer applies: {changes}"
    );
    f.help = Some(match f.help.take() {
        Some(h) => format!("{h}\n{note}"),
        None => note,
    });
    f.notes
        .push((e.span, "explanation written for other figures".into()));
}

/// Reads one entry of the `explanations` list.
fn read<'d>(item: &'d Node, file: &'d SourceFile) -> Result<Explanation<'d>, Box<Finding>> {
    let bad = |span: Span, why: String| Box::new(problem(INVALID, span, why));
    if !matches!(item.kind, NodeKind::Map(_)) {
        return Err(bad(
            item.span,
            format!(
                "an explanation must be a mapping with `rule`, `figures` and `reason`, not {}",
                item.kind_name()
            ),
        ));
    }
    let text = |key: &str| -> Option<&'d str> {
        let n = item.get(key)?;
        match &n.kind {
            NodeKind::Text(t) => Some(t),
            NodeKind::Null => None,
            _ => Some(file.text(n.span)),
        }
    };
    let Some(rule) = text("rule") else {
        return Err(bad(
            item.span,
            "this explanation names no `rule`: which hint does it answer?".into(),
        ));
    };
    let reason = text("reason").unwrap_or("").trim().to_string();
    if reason.is_empty() {
        let at = item.get("reason").map_or(item.span, |n| n.span);
        return Err(bad(
            at,
            format!(
                "this explanation of `{rule}` has no reason: write why the figures are nevertheless right"
            ),
        ));
    }
    let figures = match item.get("figures").map(|n| (n, &n.kind)) {
        Some((_, NodeKind::Map(entries))) => {
            entries.iter().map(|en| (&*en.key, &en.value)).collect()
        }
        Some((_, NodeKind::Null)) => Vec::new(),
        Some((n, _)) => {
            return Err(bad(
                n.span,
                "`figures` must map value paths to the figures explained".into(),
            ));
        }
        None => {
            return Err(bad(
                item.span,
                format!(
                    "this explanation of `{rule}` lists no `figures`: an explanation is bound to the figures it explains (`tally check --explain-stubs` writes them)"
                ),
            ));
        }
    };
    let mut key: Figures = figures
        .iter()
        .map(|(path, node)| (path.to_string(), written_canonical(node, file)))
        .collect();
    key.sort();
    Ok(Explanation {
        key,
        rule,
        at: text("at"),
        reason,
        figures,
        // The `rule:` value, rather than the whole entry, whose span in block YAML runs on
        // to the next entry.
        span: item.get("rule").map_or(item.span, |n| n.span),
    })
}

/// True when `at` is absent, or names one of the values or a row that holds one.
pub fn at_matches(at: Option<&str>, values: &[ValueRef]) -> bool {
    let Some(at) = at else { return true };
    values.iter().any(|v| {
        v.path
            .strip_prefix(at)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
    })
}

/// What differs between the figures explained and the finding's values, in words.
fn figure_changes(
    figures: &[(&str, &Node)],
    file: &SourceFile,
    values: &[ValueRef],
) -> Vec<String> {
    let mut changes = Vec::new();
    for (path, written) in figures {
        match values.iter().find(|v| v.path == *path) {
            Some(v) if written_canonical(written, file) == canonical(&v.text) => {}
            Some(v) => changes.push(format!(
                "`{path}` was {}, now {}",
                file.text(written.span),
                v.text
            )),
            None => changes.push(format!("`{path}` is no longer involved")),
        }
    }
    for v in values {
        if !figures.iter().any(|(p, _)| *p == v.path) {
            changes.push(format!("`{}` = {} was not explained", v.path, v.text));
        }
    }
    changes
}

/// A figure as compared: a number by its value (`447.0` is `447.00`), anything else by its
/// text without quotes.
fn canonical(text: &str) -> String {
    let text = unquote(text);
    match Num::parse(text) {
        Parsed::Number(n) => n.value.normalize().to_string(),
        _ => text.to_string(),
    }
}

/// The canonical form of a figure written in an explanation.
fn written_canonical(node: &Node, file: &SourceFile) -> String {
    match &node.kind {
        NodeKind::Text(t) => canonical(t),
        _ => canonical(file.text(node.span)),
    }
}

/// A scalar's source text without the quotes of a quoted scalar.
pub fn unquote(text: &str) -> &str {
    let t = text.trim();
    for q in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    t
}

/// A warning about an explanation, at its place in the dataset.
fn problem(code: &str, span: Span, message: String) -> Finding {
    Finding {
        rule: code.to_string(),
        severity: Severity::Warning,
        message,
        primary: Some(span),
        values: Vec::new(),
        notes: Vec::new(),
        help: None,
        evidence: None,
        rule_site: None,
        explained: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::load::parse_dataset;
    use crate::rules::ruleset::RuleSet;
    use crate::run::check::{CheckOptions, check_dataset};
    use std::sync::Arc;

    const RULE: &str =
        r#"rule B warning "over budget" { for p in projects { p.executed <= p.budget } }"#;

    fn check(data: &str) -> FileReport {
        let rules = RuleSet::from_files(vec![Arc::new(SourceFile::new("r.tally", RULE))]).unwrap();
        let mut data = parse_dataset("d.yaml".into(), data.into(), Default::default()).unwrap();
        check_dataset(
            &mut data,
            "d.yaml".as_ref(),
            &rules,
            &CheckOptions::default(),
        )
    }

    #[test]
    fn a_row_is_matched_by_its_own_index_only() {
        let value = |path: &str| ValueRef {
            path: path.into(),
            text: "1".into(),
            span: Span::default(),
            prior: None,
            unit: None,
        };
        assert!(at_matches(Some("p[1]"), &[value("p[1].x")]));
        assert!(at_matches(Some("p[1].x"), &[value("p[1].x")]));
        assert!(!at_matches(Some("p[1]"), &[value("p[10].x")]));
        assert!(!at_matches(Some("p[1].x"), &[value("p[1].xy")]));
        assert!(at_matches(None, &[]));
    }

    #[test]
    fn an_explanation_for_the_new_figures_supersedes_the_stale_one() {
        let report = check(
            "projects:\n  - {budget: 1.00, executed: 3.00}\nexplanations:\n\
             - {rule: B, figures: {\"projects[0].executed\": 2.00, \"projects[0].budget\": 1.00}, reason: old}\n\
             - {rule: B, figures: {\"projects[0].executed\": 3.00, \"projects[0].budget\": 1.00}, reason: new}\n",
        );
        let f = &report.findings[0];
        assert_eq!(f.explained.as_ref().map(|e| e.reason.as_str()), Some("new"));
        assert!(
            f.help
                .as_deref()
                .is_none_or(|h| !h.contains("other figures"))
        );
        assert_eq!(report.findings[1].rule, UNUSED);
        assert_eq!(report.findings.len(), 2);
    }

    #[test]
    fn text_figures_compare_without_quotes_and_numbers_by_value() {
        let report = check(
            "projects:\n  - {budget: 1.00, executed: 3.0}\nexplanations:\n\
             - {rule: B, at: \"projects[0]\", figures: {\"projects[0].executed\": \"3.0\", \"projects[0].budget\": 1}, reason: ok}\n",
        );
        assert!(
            report.findings[0].explained.is_some(),
            "{:?}",
            report.findings
        );
        assert_eq!(report.findings.len(), 1);
    }

    #[test]
    fn a_stale_explanation_reopens_only_the_hints_it_shares_figures_with() {
        let report = check(
            "projects:\n  - {budget: 1.00, executed: 3.00}\n  - {budget: 1.00, executed: 4.00}\n\
             explanations:\n\
             - {rule: B, figures: {\"projects[1].executed\": 2.00, \"projects[1].budget\": 1.00}, reason: old}\n",
        );
        let notes: Vec<bool> = report
            .findings
            .iter()
            .map(|f| {
                f.help
                    .as_deref()
                    .is_some_and(|h| h.contains("other figures"))
            })
            .collect();
        assert_eq!(notes, [false, true]);
        assert!(
            report.findings[1]
                .help
                .as_deref()
                .unwrap()
                .contains("`projects[1].executed` was 2.00, now 4.00")
        );
    }
}
