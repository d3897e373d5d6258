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
use crate::rules::ruleset::RuleSet;
use crate::run::check::{CheckOptions, check_dataset, declared_prior, with_prior};
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
    Ok(spec
        .cases
        .iter()
        .map(|case| run_case(case, &base_path, &base, prior.as_ref(), rules))
        .collect())
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
    let load = |name: &Path, text: String| {
        parse_dataset(name.display().to_string(), text, Limits::default())
            .map_err(|f| format!("the patched dataset does not load: {}", f.error.message))
    };
    let dataset = load(base_path, patch::apply(base, patches(&case.set))?)?;
    let mut options = CheckOptions::default();
    if let Some((text, path)) = prior {
        let patched = load(path, patch::apply(text, patches(&case.set_prior))?)?;
        options = with_prior(options, path.clone(), patched);
    }
    let report = check_dataset(&dataset, base_path, rules, &options);
    Ok(report.findings.iter().map(|f| f.rule.clone()).collect())
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
