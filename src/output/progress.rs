//! A progress bar for long batches, on standard error, only when that is a terminal: pipes,
//! files and CI logs never see it.

use crate::finding::FileReport;
use crate::run::Sink;
use crate::run::summary::Summary;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Files below this number finish too soon for a bar to help.
const MIN_FILES: usize = 2;

/// Counts files as they are reported, around the sink that writes them.
pub struct Progress<'a> {
    bar: ProgressBar,
    inner: Box<dyn Sink + 'a>,
    /// Standard output is the same terminal: hide the bar while output is written.
    shared: bool,
}

impl<'a> Progress<'a> {
    /// Wraps `inner` with a bar over `files` files, when standard error is a terminal and the
    /// batch is worth one; otherwise returns `inner` as it is.
    pub fn wrap(inner: Box<dyn Sink + 'a>, files: usize) -> Box<dyn Sink + 'a> {
        let shared = std::io::stdout().is_terminal();
        if files < MIN_FILES || !std::io::stderr().is_terminal() {
            return inner;
        }
        let bar = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{bar:30} {pos}/{len} files  {elapsed} (eta {eta})")
        {
            bar.set_style(style);
        }
        Box::new(Progress { bar, inner, shared })
    }
}

impl Sink for Progress<'_> {
    fn file(&mut self, report: &FileReport, rendered: Option<&str>) -> std::io::Result<()> {
        // Output written to the same terminal goes above the bar, not through it. (Hiding the
        // bar costs a redraw, so only then.)
        let written = if self.shared {
            self.bar.suspend(|| self.inner.file(report, rendered))
        } else {
            self.inner.file(report, rendered)
        };
        self.bar.inc(1);
        written
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        self.bar.finish_and_clear();
        self.inner.finish(summary)
    }
}
