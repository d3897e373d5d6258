//! Human output: findings and rule-file errors rendered by miette, and the summary line.

use crate::finding::{FileReport, Finding};
use crate::output::lang::Lang;
use crate::rules::rule_error::RuleError;
use crate::run::summary::Summary;
use crate::severity::Severity;
use crate::source::{SourceFile, Span};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::sync::Arc;

/// The narrowest output drawn, whatever `--width` or `COLUMNS` say.
const MIN_WIDTH: usize = 40;

/// How to draw diagnostics.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Terminal width to wrap at.
    pub width: usize,
    /// Whether to use colours.
    pub color: bool,
    /// The language of tally's own words (rule messages stay as the pack wrote them).
    pub lang: Lang,
}

impl Style {
    /// Fixed width, no colour: what snapshots and pipes get.
    pub fn plain(width: usize) -> Style {
        Style {
            width,
            color: false,
            lang: Lang::En,
        }
    }

    fn handler(self) -> GraphicalReportHandler {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        GraphicalReportHandler::new_themed(theme)
            // Narrower than this, miette wraps messages one character a line.
            .with_width(self.width.max(MIN_WIDTH))
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
        out.push_str(&style.lang.note(&report.file.name, note));
    }
    if let Some(why) = &report.not_checked {
        out.push_str(&style.lang.not_checked(&report.file.name, why));
    }
    out
}

/// The checks of a report that did not apply, one line each (`--show-skipped`).
pub fn render_not_applicable(report: &FileReport) -> String {
    let mut out = String::new();
    for n in &report.not_applicable {
        out.push_str(&format!(
            "not applicable: {}: {} ({}): {}\n",
            report.file.name,
            n.rule,
            n.site.place(),
            n.what
        ));
    }
    out
}

/// Renders one finding.
pub fn render_finding(out: &mut String, finding: &Finding, file: &Arc<SourceFile>, style: Style) {
    let diag = finding_diagnostic(finding, file, style.lang);
    render(out, diag, style);
}

/// Renders rule-file errors.
pub fn render_rule_errors(errors: &[RuleError], style: Style) -> String {
    let errors: Vec<(&str, &RuleError)> = errors.iter().map(|e| ("rule-file", e)).collect();
    render_rule_problems(&errors, miette::Severity::Error, style)
}

/// Renders `tally lint`'s findings: warnings about rules, each with its lint's code.
pub fn render_lints(lints: &[(&str, &RuleError)], style: Style) -> String {
    render_rule_problems(lints, miette::Severity::Warning, style)
}

/// Renders problems at places in rule files, each with its code.
fn render_rule_problems(
    errors: &[(&str, &RuleError)],
    severity: miette::Severity,
    style: Style,
) -> String {
    let mut out = String::new();
    for (code, e) in errors {
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
            code: Some(code.to_string()),
            severity,
            message: e.message.clone(),
            source: Some(FileSource(e.file.clone())),
            labels,
            help: None,
            related,
        };
        render(&mut out, diag, style);
    }
    out
}

/// The one summary line that ends human output.
pub fn summary_line(summary: &Summary, lang: Lang) -> String {
    lang.summary_line(summary)
}

fn render(out: &mut String, mut diag: Diag, style: Style) {
    fit_excerpt(&mut diag);
    let mut text = String::new();
    if style.handler().render_report(&mut text, &diag).is_err() {
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

/// Longest source line shown in an excerpt. A machine-written file may hold megabytes on one
/// line (`[[[[…`, a minified export), and miette prints excerpt lines whole.
const MAX_EXCERPT_LINE: usize = 300;

/// Replaces an excerpt that would show an over-long line by `file:line:column` in the message
/// and the labels as lines of help, so that the place and the values are still told.
fn fit_excerpt(diag: &mut Diag) {
    diag.related.iter_mut().for_each(fit_excerpt);
    let Some(FileSource(file)) = &diag.source else {
        return;
    };
    let text = file.text.as_str();
    let long = diag
        .labels
        .iter()
        .any(|l| long_line_near(text, l.offset()) || long_line_near(text, l.offset() + l.len()));
    if !long {
        return;
    }
    let file = file.clone();
    let place = |offset: usize| {
        let at = file.line_col(offset as u32);
        format!("{}:{}:{}", file.name, at.line, at.column)
    };
    let first = diag.labels.iter().map(|l| l.offset()).min().unwrap_or(0);
    diag.message = format!("{}: {}", place(first), diag.message);
    let mut help: Vec<String> = diag.help.take().into_iter().collect();
    for label in std::mem::take(&mut diag.labels) {
        if let Some(text) = label.label() {
            help.push(format!("{}: {text}", place(label.offset())));
        }
    }
    help.push(format!(
        "(the excerpt is left out: a line near it is longer than {MAX_EXCERPT_LINE} bytes)"
    ));
    diag.help = Some(help.join("\n"));
    diag.source = None;
}

/// True when the line holding `offset`, or the line before or after it, is too long to show.
/// (Bytes, not `str` slices: a span is not trusted to fall on a character boundary.)
fn long_line_near(text: &str, offset: usize) -> bool {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let line_start = |at: usize| {
        bytes[..at]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1)
    };
    let line_end = |at: usize| {
        bytes[at..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| at + i + 1)
    };
    let start = line_start(line_start(offset).saturating_sub(1));
    let end = line_end(line_end(offset));
    bytes[start..end]
        .split(|&b| b == b'\n')
        .any(|line| line.len() > MAX_EXCERPT_LINE)
}

fn span(s: Span) -> SourceSpan {
    SourceSpan::new((s.start as usize).into(), s.len())
}

fn finding_diagnostic(finding: &Finding, file: &Arc<SourceFile>, lang: Lang) -> Diag {
    let mut labels = Vec::new();
    let mut prior_lines = Vec::new();
    // The label at the finding's place is the primary one, wherever it stands among the
    // values: the excerpt's header then names the place JSON, SARIF and the others give.
    let mut primary_done = false;
    for v in &finding.values {
        let text = match &v.unit {
            Some(unit) => format!("{} = {} {unit}", v.path, v.text),
            None => format!("{} = {}", v.path, v.text),
        };
        match &v.prior {
            None => {
                let primary = Some(v.span) == finding.primary && !primary_done;
                primary_done |= primary;
                labels.push(if primary {
                    LabeledSpan::new_primary_with_span(Some(text), span(v.span))
                } else {
                    LabeledSpan::new_with_span(Some(text), span(v.span))
                });
            }
            Some(prior) => {
                let at = prior.line_col(v.span.start);
                prior_lines.push(match lang {
                    Lang::En => format!("{text} (in {} at {}:{})", prior.name, at.line, at.column),
                    Lang::Zh => format!("{text}（见 {}:{}:{}）", prior.name, at.line, at.column),
                });
            }
        }
    }
    for (s, label) in &finding.notes {
        let primary = !primary_done && Some(*s) == finding.primary;
        primary_done |= primary;
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
            Some(lang.pick("here", "此处").into()),
            span(p),
        ));
    }
    let mut help = lang
        .help(finding)
        .map(|h| h.into_owned())
        .unwrap_or_default();
    if let Some(e) = &finding.explained {
        prior_lines.push(lang.explained_reason(&e.reason));
    }
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
            message: match lang {
                Lang::En => format!("rule {} is defined here", finding.rule),
                Lang::Zh => format!("规则 {} 定义于此", finding.rule),
            },
            source: Some(FileSource(site.file.clone())),
            labels: vec![LabeledSpan::new_primary_with_span(
                Some(lang.pick("this check", "此项检查").into()),
                span(site.span),
            )],
            help: None,
            related: Vec::new(),
        })
        .collect();
    let source = if file.text.is_empty() && labels.iter().all(|l| l.offset() == 0) {
        None
    } else {
        Some(FileSource(file.clone()))
    };
    // Without an excerpt miette names no file, so the message has to (an empty or unreadable
    // file would otherwise be reported without saying which one).
    let message = match source {
        Some(_) => lang.message(finding).into_owned(),
        None => format!("{}: {}", file.name, lang.message(finding)),
    };
    // An explained hint no longer asks for action: it is shown as advice, marked explained.
    let code = match finding.explained {
        Some(_) => format!("{} {}", finding.rule, lang.explained_mark()),
        None => finding.rule.clone(),
    };
    Diag {
        code: Some(code),
        severity: match finding.severity {
            _ if finding.explained.is_some() => miette::Severity::Advice,
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        message,
        source,
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
        self.source.as_ref()?;
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
    /// The lines around a span, found with the file's line index: miette's own `str`
    /// implementation scans from the start of the file for every label, and reports a
    /// `line_count` that makes far-apart labels merge into one huge excerpt.
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let text = &self.0.text;
        let starts = self.0.line_starts();
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let line_of = |offset: usize| starts.partition_point(|&s| s as usize <= offset).max(1) - 1;
        let first_line = line_of(start);
        let last_line = line_of(end.saturating_sub(1).max(start));
        let from_line = first_line.saturating_sub(context_lines_before);
        let to_line = (last_line + context_lines_after).min(starts.len() - 1);
        let from = starts[from_line] as usize;
        let to = starts.get(to_line + 1).map_or(text.len(), |&s| s as usize);
        let column = if context_lines_before == 0 {
            text[starts[first_line] as usize..start].chars().count()
        } else {
            0
        };
        let (from, column) = if context_lines_before == 0 && context_lines_after == 0 {
            (start, column)
        } else {
            (from, column)
        };
        let to = if context_lines_before == 0 && context_lines_after == 0 {
            end.max(from)
        } else {
            to
        };
        let data = &text.as_bytes()[from..to];
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.name.clone(),
            data,
            SourceSpan::new(from.into(), to - from),
            if context_lines_before == 0 {
                first_line
            } else {
                from_line
            },
            column,
            to_line - from_line + 1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::file_error::FileError;
    use crate::run::check::file_finding;

    #[test]
    fn a_tiny_width_is_widened() {
        let mut report = FileReport::new(Arc::new(SourceFile::new("a.yaml", "")));
        report.findings.push(file_finding(FileError::new(
            "empty-dataset",
            "no data here",
        )));
        let text = render_report(&report, Style::plain(0));
        assert!(text.contains("a.yaml: no data here"), "{text}");
    }

    #[test]
    fn a_finding_without_an_excerpt_names_its_file() {
        let mut report = FileReport::new(Arc::new(SourceFile::new("dir/empty.yaml", "")));
        report
            .findings
            .push(file_finding(FileError::new("empty-dataset", "no data")));
        let text = render_report(&report, Style::plain(100));
        assert!(text.contains("dir/empty.yaml: no data"), "{text}");
    }
}
