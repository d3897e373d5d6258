//! Output formats: each a [`Sink`] in its own module, and the [`Tee`] that feeds one run to
//! several of them (standard output and any number of `--output FORMAT=PATH` files).

pub mod audit;
pub mod concise;
pub mod csv;
pub mod diagnostic;
pub mod explanation_stubs;
pub mod files;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod json_document;
pub mod jsonl;
pub mod junit;
pub mod lang;
pub mod progress;
pub mod sarif;
pub mod tables;
pub mod xlsx;

use crate::finding::{FileReport, Finding, ValueRef};
use crate::output::diagnostic::Style;
use crate::rules::ruleset::RuleSet;
use crate::run::Sink;
use crate::run::summary::Summary;
use crate::severity::Severity;
use audit::Audit;
use lang::Lang;
use std::io::Write;
use std::path::PathBuf;

/// The output formats, on standard output (`--format`) or in files (`--output`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Rich diagnostics with the dataset excerpt, and a summary line.
    Human,
    /// One line a finding: `path:line:col: severity RULE message`.
    Concise,
    /// One JSON document (version 1).
    Json,
    /// One JSON object a line, one line a finding, written as each file is done.
    Jsonl,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// JUnit XML: a test suite per dataset, a test case per rule that ran.
    Junit,
    /// GitHub Actions workflow commands (`::error file=…::…`).
    Github,
    /// A self-contained HTML report for reviewers.
    Html,
    /// CSV for spreadsheets: one row per dataset, then one row per finding.
    Csv,
    /// An Excel workbook: a sheet of datasets and a sheet of findings.
    Xlsx,
}

/// One `--output FORMAT=PATH`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputSpec {
    /// The format written.
    pub format: Format,
    /// The file written (replaced atomically at the end of the run).
    pub path: PathBuf,
}

/// Parses `FORMAT=PATH` (the clap value parser of `--output`).
pub fn parse_output_spec(arg: &str) -> Result<OutputSpec, String> {
    let Some((format, path)) = arg.split_once('=') else {
        return Err(format!(
            "expected FORMAT=PATH, e.g. sarif=tally.sarif, not `{arg}`"
        ));
    };
    let format = <Format as clap::ValueEnum>::from_str(format, true).map_err(|_| {
        format!(
            "unknown format `{format}` (one of human, concise, json, jsonl, sarif, junit, github, html, csv, xlsx)"
        )
    })?;
    if path.is_empty() {
        return Err("the path after `=` is empty".into());
    }
    Ok(OutputSpec {
        format,
        path: PathBuf::from(path),
    })
}

/// What every sink may need besides the reports: the rules, and what the user asked to see.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The language of tally's own words (`--lang`).
    pub lang: Lang,
    /// `--fail-on`: findings at or above it (and not explained) fail the run.
    pub fail_on: Severity,
    /// Which tally, which pack, when.
    pub audit: &'a Audit,
    /// The rules of the run (SARIF lists them as its rule descriptors).
    pub rules: &'a RuleSet,
    /// `--summary`: the per-dataset table after human and concise output.
    pub summary: bool,
    /// `--statistics`: findings per rule after human and concise output.
    pub statistics: bool,
    /// `--show-skipped`: each file's checks that did not apply, listed (JSON and JSONL too;
    /// otherwise only counted, so that a batch's report does not grow by them).
    pub show_skipped: bool,
    /// How human output renders when it renders itself (see [`human::HumanSink`]).
    pub style: Style,
}

/// A sink of `format` writing to `out`.
///
/// `prerendered` tells a human sink that the run renders each report for it (in parallel,
/// in the run's style); otherwise it renders itself in `ctx.style`.
pub fn sink<'a>(
    format: Format,
    out: &'a mut dyn Write,
    ctx: Context<'a>,
    prerendered: bool,
) -> Box<dyn Sink + 'a> {
    match format {
        Format::Human => Box::new(human::HumanSink::new(
            out,
            ctx,
            (!prerendered).then_some(ctx.style),
        )),
        Format::Concise => Box::new(concise::ConciseSink::new(out, ctx)),
        Format::Json => Box::new(json::JsonSink::new(out, ctx)),
        Format::Jsonl => Box::new(jsonl::JsonlSink::new(out, ctx)),
        Format::Sarif => Box::new(sarif::SarifSink::new(out, ctx)),
        Format::Junit => Box::new(junit::JunitSink::new(out, ctx)),
        Format::Github => Box::new(github::GithubSink::new(out, ctx)),
        Format::Html => Box::new(html::HtmlSink::new(out, ctx)),
        Format::Csv => Box::new(csv::CsvSink::new(out, ctx)),
        Format::Xlsx => Box::new(xlsx::XlsxSink::new(out, ctx)),
    }
}

/// The explanation (说明) a department gave for a hint finding, if any.
///
/// SARIF writes an explained finding as suppressed with this text as the justification, and
/// every "explained" count (summary table, JSON `datasets`, HTML) counts it.
pub fn explanation(finding: &Finding) -> Option<&str> {
    finding.explained.as_ref().map(|e| e.reason.as_str())
}

/// What a finding means for the run, the same in every format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// At or above `--fail-on` and not explained: it makes the exit code 1.
    Failing,
    /// Below `--fail-on`: reported, but the run passes.
    NotFailing,
    /// A hint answered by the department's explanation (说明): never fails the run.
    Explained,
}

impl Status {
    /// The key of the status, as JSON writes it.
    pub fn key(self) -> &'static str {
        match self {
            Status::Failing => "failing",
            Status::NotFailing => "not-failing",
            Status::Explained => "explained",
        }
    }
}

/// The status of a finding under `fail_on` (the exit code's rule, [`Summary::reaches`]).
pub fn status(f: &Finding, fail_on: Severity) -> Status {
    if f.explained.is_some() {
        Status::Explained
    } else if f.severity >= fail_on {
        Status::Failing
    } else {
        Status::NotFailing
    }
}

/// Feeds one run to several sinks, in order; the first error stops the run.
pub struct Tee<'a> {
    sinks: Vec<Box<dyn Sink + 'a>>,
}

impl<'a> Tee<'a> {
    /// A tee over `sinks`.
    pub fn new(sinks: Vec<Box<dyn Sink + 'a>>) -> Tee<'a> {
        Tee { sinks }
    }
}

impl Sink for Tee<'_> {
    fn file(&mut self, report: &FileReport, rendered: Option<&str>) -> std::io::Result<()> {
        self.sinks
            .iter_mut()
            .try_for_each(|s| s.file(report, rendered))
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        self.sinks.iter_mut().try_for_each(|s| s.finish(summary))
    }
}

/// Where a finding points: 1-based line and column (characters) of its primary place.
pub fn position(report: &FileReport, finding: &Finding) -> crate::source::LineCol {
    report.file.line_col(finding.primary.map_or(0, |s| s.start))
}

/// The value a finding points at: the one at its primary place, else its first own value.
pub fn primary_value(f: &Finding) -> Option<&ValueRef> {
    let own = || f.values.iter().filter(|v| v.prior.is_none());
    own()
        .find(|v| Some(v.span) == f.primary)
        .or_else(|| own().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_specs_name_a_format_and_a_path() {
        assert_eq!(
            parse_output_spec("SARIF=out/r.sarif"),
            Ok(OutputSpec {
                format: Format::Sarif,
                path: "out/r.sarif".into()
            })
        );
        // Only the first `=` separates: paths may contain more.
        assert_eq!(
            parse_output_spec("html=a=b.html").unwrap().path,
            PathBuf::from("a=b.html")
        );
        assert!(
            parse_output_spec("sarif")
                .unwrap_err()
                .contains("FORMAT=PATH")
        );
        assert!(
            parse_output_spec("pdf=x")
                .unwrap_err()
                .contains("unknown format `pdf`")
        );
        assert!(parse_output_spec("json=").is_err());
    }
}
