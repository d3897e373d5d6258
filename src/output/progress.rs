//! A progress bar for long batches, on standard error, only when that is a terminal: pipes,
//! files and CI logs never see it.

use crate::finding::FileReport;
use crate::output::lang::Lang;
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
    lang: Lang,
    /// Whether the bar shows its estimate yet.
    eta: bool,
}

/// Files done before the bar foretells the time left: before any file is done, indicatif's
/// estimate is of no data at all (a bar of 5,000 files opened at "eta 26m").
const ETA_AFTER: u64 = 4;

/// The bar's template when `done` files are done.
pub fn template(lang: Lang, done: u64) -> &'static str {
    if done < ETA_AFTER {
        lang.progress_start_template()
    } else {
        lang.progress_template()
    }
}

impl<'a> Progress<'a> {
    /// Wraps `inner` with a bar over `files` files, when standard error is a terminal and the
    /// batch is worth one; otherwise returns `inner` as it is.
    pub fn wrap(inner: Box<dyn Sink + 'a>, files: usize, lang: Lang) -> Box<dyn Sink + 'a> {
        let shared = std::io::stdout().is_terminal();
        if files < MIN_FILES || !std::io::stderr().is_terminal() {
            return inner;
        }
        let bar = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(template(lang, 0)) {
            bar.set_style(style);
        }
        Box::new(Progress {
            bar,
            inner,
            shared,
            lang,
            eta: false,
        })
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
        if !self.eta && self.bar.position() >= ETA_AFTER {
            self.eta = true;
            if let Ok(style) = ProgressStyle::with_template(template(self.lang, ETA_AFTER)) {
                self.bar.set_style(style);
            }
        }
        written
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        self.bar.finish_and_clear();
        self.inner.finish(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_foretells_no_time_before_files_are_done() {
        assert!(!template(Lang::En, 0).contains("eta"));
        assert!(template(Lang::En, ETA_AFTER).contains("eta"));
        assert!(template(Lang::Zh, 0).contains("个文件"));
    }
}
