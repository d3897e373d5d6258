//! Human output: findings and rule-file errors rendered by miette, and the summary line.

use crate::finding::{FileReport, Finding};
use crate::rule_error::RuleError;
use crate::severity::Severity;
use crate::source::{SourceFile, Span};
use crate::summary::Summary;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::sync::Arc;

/// How to draw diagnostics.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Terminal width to wrap at.
    pub width: usize,
    /// Whether to use colours.
    pub color: bool,
}

impl Style {
    /// Fixed width, no colour: what snapshots and pipes get.
    pub fn plain(width: usize) -> Style {
        Style {
            width,
            color: false,
        }
    }

    fn handler(self) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            .with_width(self.width)
            .with_links(false)
    }
}

/// Renders every finding of a file report, then its notes.
pub fn render_report(report: &FileReport, style: Style) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        render_finding(&mut out, finding, &report.file, style);
    }
    for note in &report.notes {
        out.push_str(&format!("note: {}: {note}\n", report.file.name));
    }
    if let Some(why) = &report.not_checked {
        out.push_str(&format!("note: {}: not checked: {why}\n", report.file.name));
    }
    out
}

/// Renders one finding.
pub fn render_finding(out: &mut String, finding: &Finding, file: &Arc<SourceFile>, style: Style) {
    let diag = finding_diagnostic(finding, file);
    render(out, &diag, style);
}

/// Renders rule-file errors.
pub fn render_rule_errors(errors: &[RuleError], style: Style) -> String {
    let mut out = String::new();
    for e in errors {
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some("here".into()),
            span(e.span),
        )];
        let mut related = Vec::new();
        if let Some((file, span_, label)) = &e.note {
            if Arc::ptr_eq(file, &e.file) {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.clone()),
                    span(*span_),
                ));
            } else {
                related.push(Diag {
                    code: None,
                    severity: miette::Severity::Advice,
                    message: label.clone(),
                    source: Some(FileSource(file.clone())),
                    labels: vec![LabeledSpan::new_primary_with_span(None, span(*span_))],
                    help: None,
                    related: Vec::new(),
                });
            }
        }
        let diag = Diag {
            code: Some("rule-file".into()),
            severity: miette::Severity::Error,
            message: e.message.clone(),
            source: Some(FileSource(e.file.clone())),
            labels,
            help: None,
            related,
        };
        render(&mut out, &diag, style);
    }
    out
}

/// The one summary line that ends human output.
pub fn summary_line(summary: &Summary) -> String {
    let mut line = format!(
        "{} {} checked: {} {}, {} {}, {} {}",
        summary.files,
        plural(summary.files, "file", "files"),
        summary.errors,
        plural(summary.errors, "error", "errors"),
        summary.warnings,
        plural(summary.warnings, "warning", "warnings"),
        summary.infos,
        plural(summary.infos, "info", "infos"),
    );
    let mut extras = Vec::new();
    if summary.not_checked > 0 {
        extras.push(format!(
            "{} not checked (reference datasets)",
            summary.not_checked
        ));
    }
    if summary.skipped_no_prior > 0 {
        extras.push(format!(
            "{} cross-year rule {} skipped: no prior-year dataset",
            summary.skipped_no_prior,
            plural(summary.skipped_no_prior, "run", "runs")
        ));
    }
    if summary.skipped_by_year > 0 {
        extras.push(format!(
            "{} rule {} skipped by fiscal year",
            summary.skipped_by_year,
            plural(summary.skipped_by_year, "run", "runs")
        ));
    }
    if !extras.is_empty() {
        line.push_str(&format!(" ({})", extras.join("; ")));
    }
    line.push('\n');
    line
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn render(out: &mut String, diag: &Diag, style: Style) {
    let mut text = String::new();
    if style.handler().render_report(&mut text, diag).is_err() {
        text = format!(
            "{}: {}\n",
            diag.code.as_deref().unwrap_or("error"),
            diag.message
        );
    }
    out.push_str(&text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
}

fn span(s: Span) -> SourceSpan {
    SourceSpan::new((s.start as usize).into(), s.len())
}

fn finding_diagnostic(finding: &Finding, file: &Arc<SourceFile>) -> Diag {
    let mut labels = Vec::new();
    let mut prior_lines = Vec::new();
    for v in &finding.values {
        let text = format!("{} = {}", v.path, v.text);
        match &v.prior {
            None => {
                let primary = Some(v.span) == finding.primary && labels.is_empty();
                labels.push(if primary {
                    LabeledSpan::new_primary_with_span(Some(text), span(v.span))
                } else {
                    LabeledSpan::new_with_span(Some(text), span(v.span))
                });
            }
            Some(prior) => {
                let at = prior.line_col(v.span.start);
                prior_lines.push(format!(
                    "{text} (in {} at {}:{})",
                    prior.name, at.line, at.column
                ));
            }
        }
    }
    for (s, label) in &finding.notes {
        let primary = labels.is_empty() && Some(*s) == finding.primary;
        labels.push(if primary {
            LabeledSpan::new_primary_with_span(Some(label.clone()), span(*s))
        } else {
            LabeledSpan::new_with_span(Some(label.clone()), span(*s))
        });
    }
    if labels.is_empty()
        && let Some(p) = finding.primary
    {
        labels.push(LabeledSpan::new_primary_with_span(
            Some("here".into()),
            span(p),
        ));
    }
    let mut help = finding.help.clone().unwrap_or_default();
    for line in prior_lines {
        if !help.is_empty() {
            help.push('\n');
        }
        help.push_str(&line);
    }
    let related = finding
        .rule_site
        .iter()
        .map(|site| Diag {
            code: None,
            severity: miette::Severity::Advice,
            message: format!("rule {} is defined here", finding.rule),
            source: Some(FileSource(site.file.clone())),
            labels: vec![LabeledSpan::new_primary_with_span(
                Some("this check".into()),
                span(site.span),
            )],
            help: None,
            related: Vec::new(),
        })
        .collect();
    Diag {
        code: Some(finding.rule.clone()),
        severity: match finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        message: finding.message.clone(),
        source: if file.text.is_empty() && labels.iter().all(|l| l.offset() == 0) {
            None
        } else {
            Some(FileSource(file.clone()))
        },
        labels,
        help: (!help.is_empty()).then_some(help),
        related,
    }
}

/// A diagnostic as plain data, rendered by miette (one type serves findings and errors).
#[derive(Debug)]
struct Diag {
    code: Option<String>,
    severity: miette::Severity,
    message: String,
    source: Option<FileSource>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<Diag>,
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_none() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
    }
}

/// A source file as miette reads it, named after the file.
#[derive(Debug)]
struct FileSource(Arc<SourceFile>);

impl SourceCode for FileSource {
    /// miette finds lines by scanning the text from its start, once per label: in a 100 MB
    /// dataset that is 100 MB per label. The file's line index finds the lines of context
    /// first, and miette scans only from there; line numbers and offsets are then shifted
    /// back. (A text with a lone `\r`, which miette also takes for a line break, is scanned
    /// whole, as miette would.)
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = &self.0.text;
        let (skip, lines_skipped) =
            if span.offset() > text.len() || text.as_bytes().contains(&b'\r') {
                (0, 0)
            } else {
                // Start one line before the first line of context, so that miette sees the same
                // line break before it as in the whole text.
                let (line, _) = self.0.line_of(span.offset());
                match line.checked_sub(context_lines_before + 1) {
                    Some(first) => (self.0.line_start(first), first),
                    None => (0, 0),
                }
            };
        let local = SourceSpan::new((span.offset() - skip).into(), span.len());
        let inner =
            text.as_bytes()[skip..].read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.name.clone(),
            inner.data(),
            SourceSpan::new((inner.span().offset() + skip).into(), inner.span().len()),
            inner.line() + lines_skipped,
            inner.column(),
            inner.line_count() + lines_skipped,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The windowed read gives exactly what miette's scan of the whole text gives.
    fn same_as_miette(text: &str) {
        let source = FileSource(Arc::new(SourceFile::new("f.yaml", text)));
        for start in 0..text.len() {
            for len in [0, 1, 5, 17] {
                let len = len.min(text.len() - start);
                let span = SourceSpan::new(start.into(), len);
                for (before, after) in [(0, 0), (1, 1), (2, 3), (5, 0)] {
                    let ours = source.read_span(&span, before, after);
                    let theirs = text.as_bytes().read_span(&span, before, after);
                    match (ours, theirs) {
                        (Ok(o), Ok(t)) => {
                            let at = format!("span {start}+{len}, context {before}/{after}");
                            assert_eq!(o.data(), t.data(), "{at}");
                            assert_eq!(o.span(), t.span(), "{at}");
                            assert_eq!(o.line(), t.line(), "{at}");
                            assert_eq!(o.column(), t.column(), "{at}");
                            assert_eq!(o.line_count(), t.line_count(), "{at}");
                        }
                        (Err(_), Err(_)) => {}
                        (o, t) => panic!("span {start}+{len}: {:?} vs {:?}", o.is_ok(), t.is_ok()),
                    }
                }
            }
        }
    }

    #[test]
    fn windowed_spans_match_miette() {
        same_as_miette("a: 1\nb:\n  c: 2\n\n  d: 三\nlast: x");
        same_as_miette("a: 1\nb: 2\n");
        same_as_miette("a: 1\r\nb: 2\r\nc: 3\r\n");
        same_as_miette("a: 1\rb: 2\nc: 3");
    }
}
