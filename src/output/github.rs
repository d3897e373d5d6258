//! GitHub Actions workflow commands: each finding becomes an annotation on the dataset line
//! in the pull request (`::error file=…,line=…,col=…,title=RULE::message`).

use crate::finding::FileReport;
use crate::run::Sink;
use crate::run::summary::Summary;
use crate::severity::Severity;
use std::io::Write;

/// Writes one workflow command a finding.
pub struct GithubSink<'a> {
    out: &'a mut dyn Write,
}

impl<'a> GithubSink<'a> {
    /// A GitHub sink writing to `out`.
    pub fn new(out: &'a mut dyn Write) -> GithubSink<'a> {
        GithubSink { out }
    }
}

impl Sink for GithubSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        for f in &report.findings {
            let at = super::position(report, f);
            let mut message = f.message.clone();
            if let Some(help) = &f.help {
                message.push_str("\n\n");
                message.push_str(help);
            }
            writeln!(
                self.out,
                "::{} file={},line={},col={},title={}::{}",
                command(f.severity),
                property(&report.file.name),
                at.line,
                at.column,
                property(&f.rule),
                data(&message)
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &Summary) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// The workflow command of a severity.
fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
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
