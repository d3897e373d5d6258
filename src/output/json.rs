//! The JSON document (version 1, see [`crate::output::json_document`]), streamed file by file, with the
//! `datasets` (per-dataset summary), `statistics` (findings per rule) and `run` (the audit
//! trail: tally's version, the pack's name and hash, the time) keys at the end.

use super::Context;
use super::audit::Audit;
use super::lang::Lang;
use super::tables::Tables;
use crate::finding::FileReport;
use crate::output::json_document;
use crate::run::Sink;
use crate::run::summary::Summary;
use crate::severity::Severity;
use std::io::Write;

/// Streams the JSON document, so that memory does not grow with the findings of a batch
/// (only one small row per dataset is kept, for `datasets`).
pub struct JsonSink<'a> {
    out: &'a mut dyn Write,
    first: bool,
    tables: Tables,
    fail_on: Severity,
    lang: Lang,
    audit: &'a Audit,
    /// `--show-skipped`: list each file's checks that did not apply.
    show_skipped: bool,
}

impl<'a> JsonSink<'a> {
    /// A JSON sink writing to `out`.
    pub fn new(out: &'a mut dyn Write, ctx: Context<'a>) -> JsonSink<'a> {
        JsonSink {
            out,
            first: true,
            tables: Tables::default(),
            fail_on: ctx.fail_on,
            lang: ctx.lang,
            audit: ctx.audit,
            show_skipped: ctx.show_skipped,
        }
    }
}

impl Sink for JsonSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        let prefix = if self.first {
            "{\"version\":1,\"files\":["
        } else {
            ","
        };
        self.first = false;
        self.tables.add(report);
        self.out.write_all(prefix.as_bytes())?;
        serde_json::to_writer(
            &mut *self.out,
            &json_document::file_json(report, self.fail_on, self.lang, self.show_skipped),
        )?;
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        if self.first {
            self.out.write_all(b"{\"version\":1,\"files\":[")?;
        }
        self.out.write_all(b"],\"summary\":")?;
        serde_json::to_writer(&mut *self.out, summary)?;
        self.out.write_all(b",\"datasets\":")?;
        serde_json::to_writer(&mut *self.out, &self.tables.datasets)?;
        self.out.write_all(b",\"statistics\":")?;
        serde_json::to_writer(&mut *self.out, &self.tables.statistics())?;
        let skipped = self.tables.not_applicable();
        if !skipped.is_empty() {
            self.out.write_all(b",\"not_applicable\":")?;
            serde_json::to_writer(&mut *self.out, &skipped)?;
        }
        self.out.write_all(b",\"run\":")?;
        serde_json::to_writer(&mut *self.out, self.audit)?;
        self.out.write_all(b"}\n")
    }
}
