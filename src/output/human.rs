//! Human output: rendered miette diagnostics, the optional tables, and the summary line.

use super::Context;
use super::tables::Tables;
use crate::finding::FileReport;
use crate::output::diagnostic::{self, Style};
use crate::run::Sink;
use crate::run::summary::Summary;
use std::borrow::Cow;
use std::io::Write;

/// Writes rendered diagnostics, then `--summary` and `--statistics`, then the summary line.
pub struct HumanSink<'a> {
    out: &'a mut dyn Write,
    /// Set when this sink renders reports itself (a file output), rather than receiving them
    /// rendered in parallel by the run (standard output).
    style: Option<Style>,
    tables: TextTables,
    lang: crate::output::lang::Lang,
}

impl<'a> HumanSink<'a> {
    /// A human sink; `style` when it must render reports itself.
    pub fn new(out: &'a mut dyn Write, ctx: Context<'_>, style: Option<Style>) -> HumanSink<'a> {
        HumanSink {
            out,
            style,
            tables: TextTables::new(ctx),
            lang: ctx.lang,
        }
    }
}

impl Sink for HumanSink<'_> {
    fn file(&mut self, report: &FileReport, rendered: Option<&str>) -> std::io::Result<()> {
        self.tables.add(report);
        let text = match (self.style, rendered) {
            (None, Some(text)) => Cow::Borrowed(text),
            (style, _) => Cow::Owned(diagnostic::render_report(
                report,
                style.unwrap_or(Style {
                    lang: self.lang,
                    ..Style::plain(100)
                }),
            )),
        };
        self.out.write_all(text.as_bytes())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        self.tables.write(self.out)?;
        self.out
            .write_all(diagnostic::summary_line(summary, self.lang).as_bytes())
    }
}

/// The `--summary` and `--statistics` tables of the text formats, when asked for.
pub struct TextTables {
    lang: crate::output::lang::Lang,
    summary: bool,
    statistics: bool,
    tables: Tables,
}

impl TextTables {
    /// Gathers what `ctx` asks for.
    pub fn new(ctx: Context<'_>) -> TextTables {
        TextTables {
            lang: ctx.lang,
            summary: ctx.summary,
            statistics: ctx.statistics,
            tables: Tables::default(),
        }
    }

    /// Adds one report (only when a table was asked for: a batch keeps no rows otherwise).
    pub fn add(&mut self, report: &FileReport) {
        if self.summary || self.statistics {
            self.tables.add(report);
        }
    }

    /// Writes the tables asked for, each between blank lines.
    pub fn write(&self, out: &mut dyn Write) -> std::io::Result<()> {
        if self.summary {
            write!(out, "\n{}", self.tables.summary_text(self.lang))?;
        }
        if self.statistics {
            write!(out, "\n{}", self.tables.statistics_text(self.lang))?;
            let skipped = self.tables.not_applicable_text(self.lang);
            if !skipped.is_empty() {
                write!(out, "\n{skipped}")?;
            }
        }
        if self.summary || self.statistics {
            writeln!(out)?;
        }
        Ok(())
    }
}
