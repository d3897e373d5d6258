//! SARIF 2.1.0, the format of code-scanning tools (GitHub code scanning, IDE viewers).
//!
//! One run: `tool.driver` names tally and lists every rule of the run (id, message as
//! `shortDescription`, help text as `help`, severity as `defaultConfiguration.level`); each
//! finding is a result with its rule id, level, message and the place of its primary value
//! (1-based line and column, columns counted in Unicode code points as declared by the run's
//! `columnKind`). The dataset values involved are `relatedLocations`.
//!
//! Results are streamed as files finish, so memory does not grow with the batch.

use super::Context;
use super::lang::{FILE_CODES, Lang};
use crate::finding::{FileReport, Finding};
use crate::rules::ast::Rule;
use crate::rules::ruleset::RuleSet;
use crate::run::Sink;
use crate::run::summary::Summary;
use crate::severity::Severity;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};
use std::io::Write;

/// The schema the document declares.
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Writes one SARIF log with one run.
pub struct SarifSink<'a> {
    out: &'a mut dyn Write,
    tool: Option<Value>,
    first: bool,
    ctx: Context<'a>,
}

impl<'a> SarifSink<'a> {
    /// A SARIF sink for a run of `ctx.rules`.
    pub fn new(out: &'a mut dyn Write, ctx: Context<'a>) -> SarifSink<'a> {
        SarifSink {
            out,
            tool: Some(tool(ctx.rules, ctx.lang)),
            first: true,
            ctx,
        }
    }

    /// Writes the log up to the opening of the results list, once. Keys are written in
    /// SARIF's customary order, with `results` last so that results can stream.
    fn start(&mut self) -> std::io::Result<()> {
        if let Some(tool) = self.tool.take() {
            write!(
                self.out,
                "{{\"$schema\":{},\"version\":\"2.1.0\",\"runs\":[{{\"tool\":",
                json!(SCHEMA)
            )?;
            serde_json::to_writer(&mut *self.out, &tool)?;
            self.out
                .write_all(b",\"columnKind\":\"unicodeCodePoints\",\"results\":[")?;
        }
        Ok(())
    }
}

impl Sink for SarifSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        self.start()?;
        for f in &report.findings {
            if !std::mem::take(&mut self.first) {
                self.out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *self.out, &result(report, f, self.ctx))?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        self.start()?;
        let audit = self.ctx.audit;
        // The invocation: when, and which rules (the pack's name and hash), so that a result
        // can be tied to the rule set in force.
        let invocations = json!([{
            "executionSuccessful": true,
            "startTimeUtc": audit.time,
            "properties": {
                "pack": audit.pack.name,
                "packSha256": audit.pack.sha256,
                "rules": audit.rules,
                "rulesApplied": summary.rules_applied,
                "fiscalYears": summary.years,
                "failOn": audit.fail_on,
            },
        }]);
        self.out.write_all(b"],\"invocations\":")?;
        serde_json::to_writer(&mut *self.out, &invocations)?;
        self.out.write_all(b"}]}\n")
    }
}

/// The run's `tool`: tally and every rule of the run, then the file-level codes.
fn tool(rules: &RuleSet, lang: Lang) -> Value {
    let file_codes = FILE_CODES.iter().map(|(code, en, zh)| {
        json!({
            "id": code,
            "shortDescription": {"text": lang.pick(en, zh)},
            "defaultConfiguration": {"level": "error"},
        })
    });
    json!({"driver": {
        "name": "tally",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules.rules.iter().map(descriptor).chain(file_codes).collect::<Vec<_>>(),
    }})
}

/// A rule's `reportingDescriptor`.
fn descriptor(rule: &Rule) -> Value {
    let mut d = json!({
        "id": rule.id,
        "shortDescription": {"text": rule.message_text},
        "help": {"text": rule.help.as_deref().unwrap_or(&rule.message_text)},
        "defaultConfiguration": {"level": level(rule.severity)},
    });
    if let Some(why) = &rule.rationale {
        d["fullDescription"] = json!({"text": why});
    }
    d
}

/// SARIF's name for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn result(report: &FileReport, f: &Finding, ctx: Context) -> Value {
    let uri = uri(&report.file.name);
    let at = super::position(report, f);
    let mut message = ctx.lang.message(f).into_owned();
    if let Some(help) = ctx.lang.help(f) {
        message.push_str("\n\n");
        message.push_str(&help);
    }
    let mut r = json!({
        "ruleId": f.rule,
        "level": level(f.severity),
        "message": {"text": message},
        "properties": {"status": super::status(f, ctx.fail_on)},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {"startLine": at.line, "startColumn": at.column},
        }}],
    });
    let related: Vec<Value> = f
        .values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let file = v.prior.as_deref().unwrap_or(&report.file);
            let at = file.line_col(v.span.start);
            json!({
                "id": i,
                "message": {"text": format!("{} = {}", v.path, v.text)},
                "physicalLocation": {
                    "artifactLocation": {"uri": self::uri(&file.name)},
                    "region": {"startLine": at.line, "startColumn": at.column},
                },
            })
        })
        .collect();
    if !related.is_empty() {
        r["relatedLocations"] = Value::Array(related);
    }
    if let Some(s) = suppressions(f) {
        r["suppressions"] = s;
    }
    r
}

/// An explained hint is reported as suppressed, with the department's explanation as the
/// justification (SARIF §3.35); tools then show it as dismissed rather than open.
fn suppressions(f: &Finding) -> Option<Value> {
    super::explanation(f).map(|why| json!([{"kind": "external", "justification": why}]))
}

/// Characters escaped in a path turned into a URI reference (beside controls, which
/// `CONTROLS` covers, and every non-ASCII byte, which is always escaped).
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// A dataset path as an artifact URI: relative paths stay relative (to where tally ran, which
/// code-scanning tools take as the repository root), absolute ones become `file://` URIs.
/// A relative path whose first segment holds a `:` (`x:bad.yaml`) would read as a URI with
/// the scheme `x`, so it is written `./x:bad.yaml` (RFC 3986 §4.2).
pub fn uri(path: &str) -> String {
    let encoded = utf8_percent_encode(path, PATH).to_string();
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else if encoded.split('/').next().is_some_and(|s| s.contains(':')) {
        format!("./{encoded}")
    } else {
        encoded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(
            uri("data/2020 江油.yaml"),
            "data/2020%20%E6%B1%9F%E6%B2%B9.yaml"
        );
        assert_eq!(uri("/tmp/a#1.yaml"), "file:///tmp/a%231.yaml");
        // Not the scheme `x`.
        assert_eq!(uri("x:bad.yaml"), "./x:bad.yaml");
        assert_eq!(uri("d/x:bad.yaml"), "d/x:bad.yaml");
    }
}
