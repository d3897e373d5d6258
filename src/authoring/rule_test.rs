//! `tally test`: runs the fixtures of a pack and compares the findings with the expected ones.

use crate::authoring::fixture::{self, Case, Expected, Selection};
use crate::finding::{FileReport, Finding};
use crate::output::diagnostic::{self, Style};
use crate::rules::ast::Rule;
use crate::rules::pack::Pack;
use crate::run::check::{applies_to_year, check_loaded, file_finding};
use crate::run::explanations::at_matches;
use crate::source::SourceFile;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The outcome of one case.
#[derive(Debug)]
pub struct CaseResult {
    /// The fixture file, as named in findings.
    pub fixture: String,
    /// The line of the fixture where the case starts.
    pub line: usize,
    /// The case's name.
    pub name: String,
    /// Expected findings that did not occur.
    pub missing: Vec<Difference>,
    /// Findings that were not expected.
    pub unexpected: Vec<Difference>,
    /// Anything else that went wrong (a mutation that could not be applied).
    pub problems: Vec<String>,
    /// The unexpected findings rendered in full, for `--show-findings`.
    pub details: String,
}

/// An expected finding that did not occur, or a finding that was not expected.
#[derive(Debug)]
pub struct Difference {
    /// The rule.
    pub rule: String,
    /// The line of the fixture: where the expectation is written, or where the finding points.
    pub line: Option<usize>,
    /// The difference in one line, as the report shows it.
    pub text: String,
}

impl CaseResult {
    /// `file:line  name`.
    pub fn title(&self) -> String {
        format!("{}:{}  {}", self.fixture, self.line, self.name)
    }

    /// True when the findings were exactly the expected ones.
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty() && self.problems.is_empty()
    }
}

/// Everything a run of one pack's fixtures found.
#[derive(Debug, Default)]
pub struct TestRun {
    /// Fixture files read.
    pub fixtures: usize,
    /// Every case, in file order.
    pub cases: Vec<CaseResult>,
    /// Fixture files that could not be read, rendered at their place.
    pub broken: Vec<String>,
    /// Rules that some case made fire.
    pub fired: BTreeSet<String>,
    /// Rules that ran in some case without firing.
    pub quiet: BTreeSet<String>,
    /// The rules of the pack itself (not of the packs it extends), in pack order.
    pub rules: Vec<String>,
}

impl TestRun {
    /// How many cases failed.
    pub fn failed(&self) -> usize {
        self.cases.iter().filter(|c| !c.passed()).count()
    }

    /// Rules no case makes fire.
    pub fn never_fired(&self) -> Vec<&str> {
        self.rules_not_in(&self.fired)
    }

    /// Rules no case shows quiet (run without firing).
    pub fn never_quiet(&self) -> Vec<&str> {
        self.rules_not_in(&self.quiet)
    }

    /// The pack's rules missing from `seen`, in pack order.
    fn rules_not_in(&self, seen: &BTreeSet<String>) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| !seen.contains(*r))
            .map(String::as_str)
            .collect()
    }
}

/// The fixture files of a pack folder: YAML files in a `tests/` folder under it, sorted.
pub fn fixture_files(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && crate::dataset::discover::is_dataset(e.path()))
        .filter(|e| {
            e.path()
                .strip_prefix(root)
                .ok()
                .and_then(Path::parent)
                .is_some_and(|p| p.components().any(|c| c.as_os_str() == "tests"))
        })
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// Runs every fixture under `root` against `pack`. With a `filter`, only the cases whose
/// fixture path or name contains it run, and no rule is listed as uncovered.
pub fn run(root: &Path, pack: &Pack, filter: Option<&str>, style: Style) -> TestRun {
    let mut run = TestRun {
        rules: if filter.is_some() {
            Vec::new()
        } else {
            pack.own.clone()
        },
        ..TestRun::default()
    };
    let path_matches = |p: &Path| filter.is_none_or(|f| p.display().to_string().contains(f));
    for path in fixture_files(root) {
        let before = (run.cases.len(), run.broken.len());
        match fixture::load(&path) {
            Ok(fixture::Loaded::Mutations(text)) => {
                let wanted =
                    |name: &str| path_matches(&path) || filter.is_some_and(|f| name.contains(f));
                run_mutations(&path, &text, pack, &wanted, &mut run);
            }
            Ok(fixture::Loaded::Fragments(fixture, file_rules)) => {
                match file_rules.as_ref().map(|s| check_selection(s, pack)) {
                    Some(Err(e)) => run.broken.push(broken(&fixture.file, e, style)),
                    _ => {
                        let default = file_rules.unwrap_or_else(|| default_selection(&path, pack));
                        let wanted = |name: &str| {
                            path_matches(&path) || filter.is_some_and(|f| name.contains(f))
                        };
                        run_cases(&fixture, &default, &wanted, pack, style, &mut run);
                    }
                }
            }
            Err((file, error)) => {
                if path_matches(&path) {
                    run.broken.push(broken(&file, error, style));
                }
            }
        }
        run.fixtures += usize::from(before != (run.cases.len(), run.broken.len()));
    }
    run
}

/// Runs the `wanted` cases of a fixture file.
fn run_cases(
    fixture: &fixture::Fixture,
    default: &Selection,
    wanted: &dyn Fn(&str) -> bool,
    pack: &Pack,
    style: Style,
    run: &mut TestRun,
) {
    for case in fixture.cases.iter().filter(|c| wanted(&c.name)) {
        if let Some(Err(e)) = case.rules.as_ref().map(|s| check_selection(s, pack)) {
            run.broken.push(broken(&fixture.file, e, style));
            continue;
        }
        let selection = case.rules.as_ref().unwrap_or(default);
        run_case(&fixture.file, case, selection, pack, style, run);
    }
}

/// Runs a file of mutation cases, reporting those `wanted` by name. Every rule that did not
/// fire in a case counts as quiet there.
fn run_mutations(
    path: &Path,
    text: &str,
    pack: &Pack,
    wanted: &dyn Fn(&str) -> bool,
    run: &mut TestRun,
) {
    let outcomes = match crate::authoring::mutation::run(path, text, &pack.rules) {
        Ok(o) => o,
        Err(e) => {
            run.broken.push(format!("error: {e}\n"));
            return;
        }
    };
    for o in outcomes.into_iter().filter(|o| wanted(&o.name)) {
        for rule in &pack.rules.rules {
            if o.fired.contains(&rule.id) {
                run.fired.insert(rule.id.clone());
            } else {
                run.quiet.insert(rule.id.clone());
            }
        }
        let line = text
            .find(&o.name)
            .map_or(1, |at| text[..at].matches('\n').count() + 1);
        let mut result = CaseResult {
            fixture: path.display().to_string(),
            line,
            name: o.name.clone(),
            missing: Vec::new(),
            unexpected: Vec::new(),
            problems: Vec::new(),
            details: String::new(),
        };
        // mutation.rs words its problems "expected `ID` to fire; it did not" and "expected
        // `ID` to stay quiet; it fired"; the report shows them as the two kinds of difference.
        for p in o.problems {
            let id = p.split('`').nth(1).unwrap_or("").to_string();
            let difference = |must: &str| Difference {
                text: format!("{id} ({must})"),
                rule: id.clone(),
                line: None,
            };
            if p.ends_with("it did not") {
                result.missing.push(difference("must fire"));
            } else if p.ends_with("it fired") {
                result.unexpected.push(difference("must stay quiet"));
            } else {
                result.problems.push(p);
            }
        }
        run.cases.push(result);
    }
}

/// Without `rules:`, a fixture named after a rule (`FA-TOT-001.yaml`) runs that rule alone.
fn default_selection(path: &Path, pack: &Pack) -> Selection {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    match pack.rules.get(stem) {
        Some(rule) => Selection::Some(vec![(rule.id.clone(), Default::default())]),
        None => Selection::All,
    }
}

/// Each id in `rules:` must name a rule, so that a renamed rule does not leave a fixture
/// silently testing nothing.
fn check_selection(
    selection: &Selection,
    pack: &Pack,
) -> Result<(), crate::dataset::file_error::FileError> {
    if let Selection::Some(patterns) = selection {
        for (p, span) in patterns {
            if !pack.rules.rules.iter().any(|r| fixture::matches(p, &r.id)) {
                return Err(crate::dataset::file_error::FileError::new(
                    "fixture",
                    format!("`{p}` names no rule of the pack"),
                )
                .at(*span));
            }
        }
    }
    Ok(())
}

fn broken(
    file: &Arc<SourceFile>,
    error: crate::dataset::file_error::FileError,
    style: Style,
) -> String {
    let mut out = String::new();
    diagnostic::render_finding(&mut out, &file_finding(error), file, style);
    out
}

fn run_case(
    file: &Arc<SourceFile>,
    case: &Case,
    selection: &Selection,
    pack: &Pack,
    style: Style,
    run: &mut TestRun,
) {
    let rules: Vec<&Rule> = pack
        .rules
        .rules
        .iter()
        .filter(|r| selection.takes(&r.id))
        .collect();
    let report = check_loaded(
        &case.data,
        case.prior.as_ref(),
        &pack.rules,
        rules.iter().copied(),
        FileReport::new(file.clone()),
    );
    let year = case.data.root.at("meta.year").and_then(|n| n.as_integer());
    for rule in &rules {
        let ran = applies_to_year(rule, year) && (!rule.uses_prior || case.prior.is_some());
        if !ran {
            continue;
        }
        if report.findings.iter().any(|f| f.rule == rule.id) {
            run.fired.insert(rule.id.clone());
        } else {
            run.quiet.insert(rule.id.clone());
        }
    }
    let (missing, unexpected) = compare(&case.expect, &report.findings);
    let mut details = String::new();
    for f in &unexpected {
        diagnostic::render_finding(&mut details, f, file, style);
    }
    let line_of = |at: u32| file.line_col(at).line;
    run.cases.push(CaseResult {
        fixture: file.name.clone(),
        line: line_of(case.span.start),
        name: case.name.clone(),
        missing: missing
            .iter()
            .map(|e| Difference {
                rule: e.rule.clone(),
                line: Some(line_of(e.span.start)),
                text: format!("{} (line {})", e.describe(), line_of(e.span.start)),
            })
            .collect(),
        unexpected: unexpected
            .iter()
            .map(|f| Difference {
                rule: f.rule.clone(),
                line: f.primary.map(|p| line_of(p.start)),
                text: describe(f, file),
            })
            .collect(),
        problems: Vec::new(),
        details,
    });
}

/// Pairs expected with actual findings, the most specific expectations first; returns what
/// is left on each side.
pub fn compare<'a>(
    expect: &'a [Expected],
    findings: &'a [Finding],
) -> (Vec<&'a Expected>, Vec<&'a Finding>) {
    let mut order: Vec<&Expected> = expect.iter().collect();
    order.sort_by_key(|e| std::cmp::Reverse(e.specificity()));
    let mut used = vec![false; findings.len()];
    let mut missing = Vec::new();
    for e in order {
        match (0..findings.len()).find(|&i| !used[i] && fits(e, &findings[i])) {
            Some(i) => used[i] = true,
            None => missing.push(e),
        }
    }
    missing.sort_by_key(|e| e.span.start);
    let unexpected = findings
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(f, _)| f)
        .collect();
    (missing, unexpected)
}

fn fits(e: &Expected, f: &Finding) -> bool {
    e.rule == f.rule
        && at_matches(e.at.as_deref(), &f.values)
        && e.message
            .as_ref()
            .is_none_or(|m| f.message.contains(m.as_str()))
        && e.explained.is_none_or(|x| x == f.explained.is_some())
}

/// A finding in one line: `RULE at PATH: message (line N)`.
fn describe(f: &Finding, file: &SourceFile) -> String {
    let mut s = f.rule.clone();
    if let Some(v) = crate::output::primary_value(f) {
        s.push_str(&format!(" at {}", v.path));
    }
    s.push_str(&format!(": {}", f.message));
    if f.explained.is_some() {
        s.push_str(" (explained)");
    }
    if let Some(p) = f.primary {
        s.push_str(&format!(" (line {})", file.line_col(p.start).line));
    }
    s
}

/// The report of a run: one line per case, the differences of failed ones (with
/// `show_findings`, the unexpected findings in full), the totals and the rules no fixture
/// covers.
pub fn report(run: &TestRun, show_findings: bool) -> String {
    let mut out = String::new();
    for b in &run.broken {
        out.push_str(b);
    }
    for c in &run.cases {
        let word = if c.passed() { "PASS" } else { "FAIL" };
        out.push_str(&format!("{word} {}\n", c.title()));
        for m in &c.missing {
            out.push_str(&format!("     expected, not found: {}\n", m.text));
        }
        for u in &c.unexpected {
            out.push_str(&format!("     found, not expected: {}\n", u.text));
        }
        for p in &c.problems {
            out.push_str(&format!("     problem: {p}\n"));
        }
        if show_findings {
            out.push_str(&c.details);
        }
    }
    let failed = run.failed();
    out.push_str(&format!(
        "\n{} fixture {}, {} {}: {} passed, {} failed",
        run.fixtures,
        if run.fixtures == 1 { "file" } else { "files" },
        run.cases.len(),
        if run.cases.len() == 1 {
            "case"
        } else {
            "cases"
        },
        run.cases.len() - failed,
        failed
    ));
    if !run.broken.is_empty() {
        out.push_str(&format!(", {} broken", run.broken.len()));
    }
    out.push('\n');
    let list = |ids: Vec<&str>| format!("{} ({})", ids.join(", "), ids.len());
    let never_fired = run.never_fired();
    if !never_fired.is_empty() {
        out.push_str(&format!(
            "rules no fixture makes fire: {}\n",
            list(never_fired)
        ));
    }
    let never_quiet = run.never_quiet();
    if !never_quiet.is_empty() {
        out.push_str(&format!(
            "rules no fixture runs without a finding: {}\n",
            list(never_quiet)
        ));
    }
    out
}

/// A run as JSON, for CI: the pack's folder, each case with its differences, the fixture files
/// that could not be read, the rules no case covers, and the counts. `show_findings` adds each
/// case's unexpected findings in full (`details`, plain text).
pub fn json(pack: &Path, run: &TestRun, show_findings: bool) -> serde_json::Value {
    let differences = |ds: &[Difference]| -> Vec<serde_json::Value> {
        ds.iter()
            .map(|d| serde_json::json!({"rule": d.rule, "line": d.line, "text": d.text}))
            .collect()
    };
    let cases: Vec<serde_json::Value> = run
        .cases
        .iter()
        .map(|c| {
            let mut case = serde_json::json!({
                "fixture": c.fixture,
                "line": c.line,
                "name": c.name,
                "passed": c.passed(),
                "missing": differences(&c.missing),
                "unexpected": differences(&c.unexpected),
                "problems": c.problems,
            });
            if show_findings {
                case["details"] = c.details.clone().into();
            }
            case
        })
        .collect();
    let failed = run.failed();
    serde_json::json!({
        "path": pack.display().to_string(),
        "fixtures": run.fixtures,
        "cases": cases,
        "broken": run.broken,
        "never_fired": run.never_fired(),
        "never_quiet": run.never_quiet(),
        "passed": run.cases.len() - failed,
        "failed": failed,
    })
}
