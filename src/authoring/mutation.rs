//! Mutation fixtures: a real dataset, and cases that each change a few of its figures and
//! name the rules that must then fire (or stay quiet). One line per case proves that a rule
//! catches the mistake it is written for, on a whole realistic report rather than a fragment.
//!
//! ```yaml
//! base: ../../../examples/final-accounts/2020.yaml   # relative to this file
//! cases:
//!   - name: 本年支出合计 typo
//!     set: {expenditure.total: 1627.42}             # path → new YAML text
//!     set_prior: {overview.total: 2000.00}           # optional: patch the prior year too
//!     fires: [FA-TOT-002]                            # must be among the findings
//!     quiet: [FA-TOT-001]                            # must not be
//! ```

use crate::authoring::patch;
use crate::dataset::load::parse_dataset;
use crate::dataset::yaml::Limits;
use crate::finding::FileReport;
use crate::rules::ruleset::RuleSet;
use crate::run::check::{CheckOptions, check_dataset, conform_to, declared_prior, with_prior};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A file of mutation cases.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MutationFile {
    /// The dataset every case starts from, relative to the file.
    pub base: PathBuf,
    /// The cases.
    pub cases: Vec<Case>,
}

/// One case: figures to change, and what must follow.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the case is about.
    pub name: String,
    /// Paths in the dataset and their new YAML text.
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    /// Paths in the prior-year dataset and their new YAML text.
    #[serde(default)]
    pub set_prior: BTreeMap<String, String>,
    /// Rules that must fire.
    #[serde(default)]
    pub fires: Vec<String>,
    /// Rules that must stay quiet.
    #[serde(default)]
    pub quiet: Vec<String>,
}

/// The result of one case.
#[derive(Debug)]
pub struct Outcome {
    /// The case's name.
    pub name: String,
    /// Rules that fired.
    pub fired: BTreeSet<String>,
    /// What went wrong, if anything (empty when the case passed).
    pub problems: Vec<String>,
}

/// Runs every case of a mutation file against `rules`.
pub fn run(file: &Path, text: &str, rules: &RuleSet) -> Result<Vec<Outcome>, String> {
    let (spec, base_path, base, prior) = read(file, text)?;
    Ok(spec
        .cases
        .iter()
        .map(|case| run_case(case, &base_path, &base, prior.as_ref(), rules))
        .collect())
}

/// A mutation file's cases, with its base dataset's path and text and the prior year's text
/// and path (if the base names one).
type Read = (MutationFile, PathBuf, String, Option<(String, PathBuf)>);

/// Reads a mutation file and the datasets its cases patch.
fn read(file: &Path, text: &str) -> Result<Read, String> {
    let spec: MutationFile =
        serde_json::from_value(yaml_to_json(text).map_err(|e| format!("{}: {e}", file.display()))?)
            .map_err(|e| format!("{}: {e}", file.display()))?;
    let dir = file.parent().unwrap_or(Path::new(""));
    let base_path = dir.join(&spec.base);
    let base =
        std::fs::read_to_string(&base_path).map_err(|e| format!("{}: {e}", base_path.display()))?;
    let prior = parse_dataset(
        base_path.display().to_string(),
        base.clone(),
        Limits::default(),
    )
    .ok()
    .and_then(|d| declared_prior(&d, &base_path))
    .and_then(|p| Some((std::fs::read_to_string(&p).ok()?, p)));
    Ok((spec, base_path, base, prior))
}

fn run_case(
    case: &Case,
    base_path: &Path,
    base: &str,
    prior: Option<&(String, PathBuf)>,
    rules: &RuleSet,
) -> Outcome {
    let mut outcome = Outcome {
        name: case.name.clone(),
        fired: BTreeSet::new(),
        problems: Vec::new(),
    };
    match check_case(case, base_path, base, prior, rules) {
        Ok(fired) => outcome.fired = fired,
        Err(problem) => {
            outcome.problems.push(problem);
            return outcome;
        }
    }
    for id in &case.fires {
        if rules.get(id).is_none() {
            outcome.problems.push(format!("no rule `{id}`"));
        } else if !outcome.fired.contains(id) {
            outcome
                .problems
                .push(format!("expected `{id}` to fire; it did not"));
        }
    }
    for id in &case.quiet {
        if outcome.fired.contains(id) {
            outcome
                .problems
                .push(format!("expected `{id}` to stay quiet; it fired"));
        }
    }
    outcome
}

/// Patches the dataset (and its prior year), checks it, and returns the rules that fired.
fn check_case(
    case: &Case,
    base_path: &Path,
    base: &str,
    prior: Option<&(String, PathBuf)>,
    rules: &RuleSet,
) -> Result<BTreeSet<String>, String> {
    let report = check_patched(case, base_path, base, prior, rules)?;
    Ok(report.findings.iter().map(|f| f.rule.clone()).collect())
}

/// Patches the dataset (and its prior year) and checks it.
fn check_patched(
    case: &Case,
    base_path: &Path,
    base: &str,
    prior: Option<&(String, PathBuf)>,
    rules: &RuleSet,
) -> Result<FileReport, String> {
    let load = |name: &Path, text: String| {
        parse_dataset(name.display().to_string(), text, Limits::default())
            .map_err(|f| format!("the patched dataset does not load: {}", f.error.message))
    };
    let mut dataset = load(base_path, patch::apply(base, patches(&case.set))?)?;
    let mut options = CheckOptions::default();
    if let Some((text, path)) = prior {
        let mut patched = load(path, patch::apply(text, patches(&case.set_prior))?)?;
        conform_to(&mut patched, rules, false);
        options = with_prior(options, path.clone(), patched);
    }
    Ok(check_dataset(&mut dataset, base_path, rules, &options))
}

fn patches(set: &BTreeMap<String, String>) -> impl Iterator<Item = (&str, &str)> {
    set.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}

/// Reads YAML into JSON values for serde. Every scalar becomes a JSON string of its YAML
/// source text, so a patch value is inserted exactly as the author wrote it (`1600.00` stays
/// `1600.00`, `"12.5"` stays quoted text, `~` stays null) and no figure passes through `f64`.
fn yaml_to_json(text: &str) -> Result<serde_json::Value, String> {
    let data = parse_dataset("fixture".into(), text.to_string(), Limits::default())
        .map_err(|f| f.error.message)?;
    Ok(to_json(&data.root, &data.file.text))
}

fn to_json(node: &crate::dataset::Node, text: &str) -> serde_json::Value {
    use crate::dataset::NodeKind;
    match &node.kind {
        NodeKind::Text(t) if !text[node.span.range()].starts_with(['"', '\'']) => {
            serde_json::Value::String(t.to_string())
        }
        NodeKind::Null
        | NodeKind::Bool(_)
        | NodeKind::Number(_)
        | NodeKind::OutOfRange(_)
        | NodeKind::Text(_) => serde_json::Value::String(text[node.span.range()].to_string()),
        NodeKind::List(items) => items.iter().map(|i| to_json(i, text)).collect(),
        NodeKind::Map(entries) => entries
            .iter()
            .map(|e| (e.key.to_string(), to_json(&e.value, text)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authoring::fixture::{self, Loaded};
    use crate::authoring::rule_test::fixture_files;
    use crate::eval::with_fast_path;
    use crate::run::check::check_loaded;

    /// Everything a finding says, the files it points into by name.
    fn shown(report: &FileReport) -> String {
        let mut out = String::new();
        for f in &report.findings {
            let values: Vec<_> = f
                .values
                .iter()
                .map(|v| (&v.path, &v.text, v.span, v.prior.as_ref().map(|p| &p.name)))
                .collect();
            out.push_str(&format!(
                "{} {:?} {} {:?} {values:?} {:?} {:?} {:?} {:?} {:?}\n",
                f.rule,
                f.severity,
                f.message,
                f.primary,
                f.notes,
                f.help,
                f.evidence,
                f.rule_site.as_ref().map(|s| (&s.file.name, s.span)),
                f.explained,
            ));
        }
        out
    }

    /// `tally test rules/`'s cases, each checked with the fast path on and off: the findings
    /// must be the same, to the last label and evidence.
    #[test]
    fn the_builtin_packs_fixtures_find_the_same_with_the_fast_path_on_and_off() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let pack =
            crate::rules::pack::load(std::slice::from_ref(&root)).expect("the built-in pack");
        let rules = &pack.rules;
        let (mut cases, mut findings) = (0, 0);
        for path in fixture_files(&root) {
            let both = |check: &dyn Fn() -> FileReport, name: &str| {
                let [on, off] = [true, false].map(|fast| with_fast_path(fast, || shown(&check())));
                assert_eq!(on, off, "{}: {name}", path.display());
                on.lines().count()
            };
            match fixture::load(&path).map_err(|(_, e)| e.message) {
                Ok(Loaded::Mutations(text)) => {
                    let (spec, base_path, base, prior) = read(&path, &text).expect("cases");
                    for case in &spec.cases {
                        let check = || {
                            check_patched(case, &base_path, &base, prior.as_ref(), rules)
                                .expect("the case loads")
                        };
                        findings += both(&check, &case.name);
                        cases += 1;
                    }
                }
                Ok(Loaded::Fragments(fixture, _)) => {
                    for case in &fixture.cases {
                        let check = || {
                            let report = FileReport::new(fixture.file.clone());
                            check_loaded(
                                &case.data,
                                case.prior.as_ref(),
                                rules,
                                &rules.rules,
                                report,
                            )
                        };
                        findings += both(&check, &case.name);
                        cases += 1;
                    }
                }
                Err(e) => panic!("{}: {e}", path.display()),
            }
        }
        // The pack's 118 cases, each on the whole 2020 report, with the findings they cause.
        assert!(cases >= 100, "only {cases} cases");
        assert!(findings >= 500, "only {findings} findings");
    }
}
