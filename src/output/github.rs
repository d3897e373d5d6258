//! GitHub Actions workflow commands: each finding becomes an annotation on the dataset line
//! in the pull request (`::error file=…,line=…,col=…,title=RULE::message`).
//!
//! The command follows the finding's status, as the exit code does: a failing finding (at
//! or above `--fail-on`) is `::error`, or `::warning` for a failing warning or info; a finding
//! below `--fail-on`, or explained (说明), is a `::notice`, so that a passing run shows no
//! error or warning annotation. An explained one's title says so and its text gives the reason.

use super::{Context, Status};
use crate::finding::{FileReport, Finding};
use crate::run::Sink;
use crate::run::summary::Summary;
use crate::severity::Severity;
use std::io::Write;

/// Writes one workflow command a finding.
pub struct GithubSink<'a> {
    out: &'a mut dyn Write,
    ctx: Context<'a>,
}

impl<'a> GithubSink<'a> {
    /// A GitHub sink writing to `out`.
    pub fn new(out: &'a mut dyn Write, ctx: Context<'a>) -> GithubSink<'a> {
        GithubSink { out, ctx }
    }
}

impl Sink for GithubSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        for f in &report.findings {
            let at = super::position(report, f);
            let lang = self.ctx.lang;
            let mut message = lang.message(f).into_owned();
            if let Some(help) = lang.help(f) {
                message.push_str("\n\n");
                message.push_str(&help);
            }
            let mut title = f.rule.clone();
            if let Some(e) = &f.explained {
                message.push_str("\n\n");
                message.push_str(&lang.explained_reason(&e.reason));
                title.push(' ');
                title.push_str(lang.explained_mark());
            }
            writeln!(
                self.out,
                "::{} file={},line={},col={},title={}::{}",
                command(f, super::status(f, self.ctx.fail_on)),
                property(&report.file.name),
                at.line,
                at.column,
                property(&title),
                data(&message)
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The workflow command of a finding: `error` or `warning` only for one that fails the run.
fn command(f: &Finding, status: Status) -> &'static str {
    match (status, f.severity) {
        (Status::Failing, Severity::Error) => "error",
        (Status::Failing, _) => "warning",
        (Status::NotFailing | Status::Explained, _) => "notice",
    }
}

/// Escapes a message as the runner unescapes it (`%`, CR and LF).
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value: as a message, and `:` and `,`, which separate properties.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(data("100%\r\nok: a,b"), "100%25%0D%0Aok: a,b");
        assert_eq!(property("C:\\a,b%.yaml"), "C%3A\\a%2Cb%25.yaml");
    }
}
