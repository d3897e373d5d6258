//! What `tally explain ID` and `tally rules` print: a rule in full, and the effective set.

use crate::rules::ast::Rule;
use crate::rules::pack::Pack;
use crate::run::check::applies_to_year;

/// A rule's fiscal years in words: `all years`, `from 2021`, `until 2020`, `2018–2020`.
pub fn years(rule: &Rule) -> String {
    match (rule.since, rule.until) {
        (None, None) => "all years".into(),
        (Some(s), None) => format!("from {s}"),
        (None, Some(u)) => format!("until {u}"),
        (Some(s), Some(u)) if s == u => format!("{s} only"),
        (Some(s), Some(u)) => format!("{s}–{u}"),
    }
}

/// Everything known about one rule, as `tally explain` prints it; `None` for an unknown id.
pub fn explain(pack: &Pack, id: &str) -> Option<String> {
    if let Some(rule) = pack.rules.get(id) {
        return Some(explain_rule(pack, rule));
    }
    pack.disabled
        .iter()
        .find(|d| d.rule == id)
        .map(|d| format!("{id}: disabled by {}\n", d.by))
}

fn explain_rule(pack: &Pack, rule: &Rule) -> String {
    let at = rule.file.line_col(rule.span.start);
    let mut severity = rule.severity.to_string();
    if let Some(o) = pack.overrides.iter().rev().find(|o| o.rule == rule.id)
        && let Some((from, _)) = o.severity
    {
        severity.push_str(&format!(" (was {from}; changed by {})", o.by));
    }
    let mut out = format!("{}\n", rule.id);
    let mut field = |name: &str, value: &str| {
        let mut lines = value.lines();
        out.push_str(&format!("  {name:<10} {}\n", lines.next().unwrap_or("")));
        for line in lines {
            out.push_str(&format!("  {:<10} {line}\n", ""));
        }
    };
    field("severity", &severity);
    field("years", &years(rule));
    field("message", &rule.message_text);
    if let Some(h) = &rule.help {
        field("help", h);
    }
    if let Some(r) = &rule.rationale {
        field("rationale", r);
    }
    field("source", &format!("{}:{}", rule.file.name, at.line));
    out.push('\n');
    // The rule as written, from the start of its line so that its indentation reads right.
    let start = rule.file.text[..rule.span.start as usize]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let text = rule
        .file
        .text
        .get(start..rule.span.end as usize)
        .unwrap_or("");
    for (i, line) in text.lines().enumerate() {
        out.push_str(&format!("{:>5} │ {line}\n", at.line + i));
    }
    out
}

/// The effective rule set as `tally rules` prints it: the packs, the active rules (those in
/// force in `year`, if given), then what the manifests disabled and changed.
pub fn list(pack: &Pack, year: Option<i64>) -> String {
    let mut out = format!("packs: {}\n", pack.names.join(" → "));
    let active: Vec<&Rule> = pack
        .rules
        .rules
        .iter()
        .filter(|r| applies_to_year(r, year))
        .collect();
    let id_width = active
        .iter()
        .map(|r| r.id.chars().count())
        .max()
        .unwrap_or(2);
    let years_width = active
        .iter()
        .map(|r| years(r).chars().count())
        .max()
        .unwrap_or(5);
    out.push_str(&format!(
        "{:<id_width$}  {:<8} {:<years_width$}  MESSAGE\n",
        "ID", "SEVERITY", "YEARS"
    ));
    for r in &active {
        out.push_str(&format!(
            "{:<id_width$}  {:<8} {:<years_width$}  {}\n",
            r.id,
            r.severity.name(),
            years(r),
            r.message_text
        ));
    }
    let out_of_year = pack.rules.rules.len() - active.len();
    out.push_str(&format!(
        "{} {} active",
        active.len(),
        if active.len() == 1 { "rule" } else { "rules" }
    ));
    if let Some(y) = year {
        out.push_str(&format!(" in {y} ({out_of_year} not in force that year)"));
    }
    out.push('\n');
    for d in &pack.disabled {
        out.push_str(&format!("disabled: {} (by {})\n", d.rule, d.by));
    }
    for o in &pack.overrides {
        if let Some((from, to)) = o.severity {
            out.push_str(&format!(
                "severity: {} {from} → {to} (by {})\n",
                o.rule, o.by
            ));
        }
    }
    out
}
