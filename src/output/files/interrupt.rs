//! Ctrl-C (SIGINT), and likewise SIGTERM and SIGHUP (a `kill`, a closed terminal; ctrlc's
//! `termination` feature), during a run with report files: the run stops at the next file,
//! the temporary files are removed, and the old reports stay as they were. (Without a handler
//! the process would die at once, leaving its hidden temporary files behind; the reports
//! themselves are safe either way, since only a complete one is ever renamed into place.) A
//! second signal exits at once.

use crate::finding::FileReport;
use crate::run::Sink;
use crate::run::summary::Summary;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Handles Ctrl-C from now on. Returns false when a handler cannot be installed (then Ctrl-C
/// keeps its default effect).
pub fn install() -> bool {
    ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(crate::exit_code::INTERRUPTED);
        }
    })
    .is_ok()
}

/// True when the error stopped the run because of Ctrl-C.
pub fn is_interruption(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::Interrupted && INTERRUPTED.load(Ordering::SeqCst)
}

/// Passes reports on until Ctrl-C, then fails the run with `Interrupted`.
pub struct StopOnInterrupt<'a>(pub Box<dyn Sink + 'a>);

impl StopOnInterrupt<'_> {
    fn check() -> io::Result<()> {
        if INTERRUPTED.load(Ordering::SeqCst) {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        Ok(())
    }
}

impl Sink for StopOnInterrupt<'_> {
    fn file(&mut self, report: &FileReport, rendered: Option<&str>) -> io::Result<()> {
        Self::check()?;
        self.0.file(report, rendered)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        Self::check()?;
        self.0.finish(summary)
    }
}
