//! `tally check --explain-stubs`: for each open hint, a ready-to-paste explanation (说明)
//! carrying the figures it would explain; the department only writes the reason.

use crate::finding::{FileReport, Finding};
use crate::number::{Num, Parsed};
use crate::output::lang::Lang;
use crate::run::Sink;
use crate::run::explanations::{KEY, unquote};
use crate::run::summary::Summary;
use crate::severity::Severity;
use std::io::Write;

/// True for a finding a department may answer with an explanation: an open hint of a rule.
pub fn is_open_hint(f: &Finding) -> bool {
    f.severity != Severity::Error && f.explained.is_none() && f.rule_site.is_some()
}

/// The stubs for one file's open hints, as YAML to paste into the dataset (empty if none).
pub fn render(report: &FileReport) -> String {
    render_in(report, Lang::En)
}

/// [`render`], its comments in `lang`.
pub fn render_in(report: &FileReport, lang: Lang) -> String {
    let hints: Vec<&Finding> = report.findings.iter().filter(|f| is_open_hint(f)).collect();
    if hints.is_empty() {
        return String::new();
    }
    let listed = has_explanations(&report.file.text);
    let mut out = match lang {
        Lang::En => format!(
            "# {}: {} open {}; write each reason, then paste{}\n",
            report.file.name,
            hints.len(),
            if hints.len() == 1 { "hint" } else { "hints" },
            if listed {
                format!(" at the end of its `{KEY}:` list")
            } else {
                " at the end of the file".to_string()
            }
        ),
        Lang::Zh => format!(
            "# {}：{} 条待说明的提示；填写每条的 reason（理由），然后粘贴到{}\n",
            report.file.name,
            hints.len(),
            if listed {
                format!("文件中 `{KEY}:` 列表的末尾")
            } else {
                "文件末尾".to_string()
            }
        ),
    };
    if !listed {
        out.push_str(&format!("{KEY}:\n"));
    }
    for f in hints {
        stub(&mut out, f);
    }
    out
}

fn stub(out: &mut String, f: &Finding) {
    out.push_str(&format!("  - rule: {}\n", f.rule));
    if let Some(v) = super::primary_value(f) {
        out.push_str(&format!("    at: {}\n", quote(&v.path)));
    }
    if f.values.is_empty() {
        out.push_str("    figures: {}\n");
    } else {
        out.push_str("    figures:\n");
        for v in &f.values {
            out.push_str(&format!("      {}: {}\n", quote(&v.path), figure(&v.text)));
        }
    }
    out.push_str(&format!(
        "    reason: \"\"  # {}\n",
        f.message.replace('\n', " ")
    ));
}

/// A figure as YAML: a number as written, anything else as a quoted string.
fn figure(text: &str) -> String {
    match Num::parse(text) {
        Parsed::Number(_) => text.to_string(),
        _ => quote(unquote(text)),
    }
}

/// A YAML double-quoted string (JSON's quoting is valid YAML).
fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

/// True when the dataset already has a top-level `explanations:` key.
fn has_explanations(text: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix(KEY)
            .is_some_and(|r| r.trim_start().starts_with(':'))
    })
}

/// Writes the stubs of each file, and the summary as a YAML comment, so that the whole
/// output stays valid YAML.
pub struct StubSink<'a, W: Write> {
    /// Where the stubs go.
    pub out: &'a mut W,
    /// The language of the closing summary.
    pub lang: crate::output::lang::Lang,
}

impl<W: Write> Sink for StubSink<'_, W> {
    fn file(&mut self, _report: &FileReport, rendered: Option<&str>) -> std::io::Result<()> {
        self.out.write_all(rendered.unwrap_or("").as_bytes())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        write!(
            self.out,
            "# {}",
            crate::output::diagnostic::summary_line(summary, self.lang)
        )
    }
}
