//! The built-in final-accounts pack on the real seed report and on its mutation fixtures.

use std::collections::BTreeSet;
use std::path::Path;
use tally::ruleset::RuleSet;

const CASES: &str = "rules/final-accounts/tests/cases.yaml";

fn pack() -> RuleSet {
    RuleSet::load(&["rules".into()]).expect("the pack loads")
}

#[test]
fn every_mutation_case_passes() {
    let rules = pack();
    let text = std::fs::read_to_string(CASES).unwrap();
    let outcomes = tally::mutation::run(Path::new(CASES), &text, &rules).unwrap();
    let failed: Vec<String> = outcomes
        .iter()
        .filter(|o| !o.problems.is_empty())
        .map(|o| {
            format!(
                "{}: {} (fired: {:?})",
                o.name,
                o.problems.join("; "),
                o.fired
            )
        })
        .collect();
    assert!(failed.is_empty(), "failing cases:\n{}", failed.join("\n"));
}

#[test]
fn every_rule_has_a_case_where_it_fires_and_a_dataset_where_it_does_not() {
    let rules = pack();
    let text = std::fs::read_to_string(CASES).unwrap();
    let outcomes = tally::mutation::run(Path::new(CASES), &text, &rules).unwrap();
    let spec: BTreeSet<String> = outcomes
        .iter()
        .flat_map(|o| o.fired.iter().cloned())
        .collect();
    let fired_somewhere: BTreeSet<&str> = rules
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| spec.contains(*id))
        .collect();
    let never: Vec<&str> = rules
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| !fired_somewhere.contains(id))
        .collect();
    assert!(never.is_empty(), "rules no case makes fire: {never:?}");
    // Quiet somewhere: on the seed itself, or in a case.
    let seed = tally::check::check_file(
        Path::new("examples/final-accounts/2020.yaml"),
        &rules,
        &Default::default(),
    );
    let on_seed: BTreeSet<&str> = seed.findings.iter().map(|f| f.rule.as_str()).collect();
    let always: Vec<&str> = rules
        .rules
        .iter()
        .map(|r| r.id.as_str())
        .filter(|id| on_seed.contains(id) && outcomes.iter().all(|o| o.fired.contains(*id)))
        .collect();
    assert!(
        always.is_empty(),
        "rules that fire on every dataset: {always:?}"
    );
}
