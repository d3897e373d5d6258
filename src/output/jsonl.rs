//! JSON Lines: one finding a line, written as soon as its file is done, for batches too large
//! to hold (or to wait for) as one document. Each line is a finding of the JSON document with
//! the dataset's `path` added.

use crate::finding::FileReport;
use crate::output::json_document::{self, JsonFinding};
use crate::run::Sink;
use crate::run::summary::Summary;
use serde::Serialize;
use std::io::Write;

/// One line.
#[derive(Serialize)]
struct Line<'a> {
    path: &'a str,
    #[serde(flatten)]
    finding: JsonFinding<'a>,
}

/// Writes one line a finding and flushes after each file, so a reader sees findings while the
/// batch runs.
pub struct JsonlSink<'a> {
    out: &'a mut dyn Write,
}

impl<'a> JsonlSink<'a> {
    /// A JSON Lines sink writing to `out`.
    pub fn new(out: &'a mut dyn Write) -> JsonlSink<'a> {
        JsonlSink { out }
    }
}

impl Sink for JsonlSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        let file = json_document::file_json(report);
        for finding in file.findings {
            serde_json::to_writer(
                &mut *self.out,
                &Line {
                    path: file.path,
                    finding,
                },
            )?;
            self.out.write_all(b"\n")?;
        }
        self.out.flush()
    }

    fn finish(&mut self, _summary: &Summary) -> std::io::Result<()> {
        self.out.flush()
    }
}
