//! Concise output: one line a finding, `path:line:col: severity RULE message`, the form
//! editors and `grep` understand.

use super::Context;
use super::human::TextTables;
use crate::finding::FileReport;
use crate::output::diagnostic;
use crate::run::Sink;
use crate::run::summary::Summary;
use std::io::Write;

/// Writes one line a finding, then the tables asked for and the summary line.
pub struct ConciseSink<'a> {
    out: &'a mut dyn Write,
    tables: TextTables,
    lang: crate::output::lang::Lang,
}

impl<'a> ConciseSink<'a> {
    /// A concise sink writing to `out`.
    pub fn new(out: &'a mut dyn Write, ctx: Context<'_>) -> ConciseSink<'a> {
        ConciseSink {
            out,
            tables: TextTables::new(ctx),
            lang: ctx.lang,
        }
    }
}

impl Sink for ConciseSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        self.tables.add(report);
        for f in &report.findings {
            let at = super::position(report, f);
            // A message is one line in the rule file, but interpolated data may hold breaks.
            let message = self.lang.message(f).replace(['\r', '\n'], " ");
            // An explained hint says so after its rule id, as in human output.
            let mark = match f.explained {
                Some(_) => format!(" {}", self.lang.explained_mark()),
                None => String::new(),
            };
            writeln!(
                self.out,
                "{}:{}:{}: {} {}{mark} {}",
                report.file.name, at.line, at.column, f.severity, f.rule, message
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        self.tables.write(self.out)?;
        self.out
            .write_all(diagnostic::summary_line(summary, self.lang).as_bytes())
    }
}
