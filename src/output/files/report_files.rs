//! The `--output` files of a run: opened (as temporary files) before it, fed through one
//! [`Tee`] with standard output during it, renamed into place after it.

use super::atomic::AtomicFile;
use super::interrupt;
use crate::output::{Context, Format, OutputSpec, Tee, progress::Progress, sink};
use crate::run::Sink;
use std::io::Write;
use std::path::PathBuf;

/// The report files of a run, not yet visible under their names.
pub struct ReportFiles {
    files: Vec<(Format, AtomicFile)>,
}

impl ReportFiles {
    /// Opens every file, or says why one cannot be written: its folder is missing, it is
    /// named twice, or it is one of the `datasets` being checked (never written to).
    pub fn create(specs: &[OutputSpec], datasets: &[PathBuf]) -> Result<ReportFiles, String> {
        let inputs: Vec<PathBuf> = datasets
            .iter()
            .filter_map(|d| std::fs::canonicalize(d).ok())
            .collect();
        let mut files = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let why =
                |what: &dyn std::fmt::Display| format!("--output {}: {what}", spec.path.display());
            if specs[..i].iter().any(|s| s.path == spec.path) {
                return Err(why(&"named twice"));
            }
            if std::fs::canonicalize(&spec.path).is_ok_and(|p| inputs.contains(&p)) {
                return Err(why(&"is a dataset being checked"));
            }
            let file = AtomicFile::create(&spec.path).map_err(|e| why(&e))?;
            files.push((spec.format, file));
        }
        Ok(ReportFiles { files })
    }

    /// The sink of a whole run: `format` on `stdout` and every file, with a progress bar
    /// over `count` files on a terminal, stopping cleanly on Ctrl-C when there are files.
    /// `prerendered`: the run renders human reports for standard output.
    pub fn sink<'a>(
        &'a mut self,
        format: Format,
        stdout: &'a mut dyn Write,
        ctx: Context<'a>,
        prerendered: bool,
        count: usize,
    ) -> Box<dyn Sink + 'a> {
        let guard = !self.files.is_empty() && interrupt::install();
        let mut sinks = vec![sink(format, stdout, ctx, prerendered)];
        for (format, file) in &mut self.files {
            sinks.push(sink(*format, file.writer(), ctx, false));
        }
        let run = Progress::wrap(Box::new(Tee::new(sinks)), count, ctx.lang);
        if guard {
            Box::new(interrupt::StopOnInterrupt(run))
        } else {
            run
        }
    }

    /// Renames every complete report into place.
    pub fn commit(self) -> Result<(), String> {
        for (_, file) in self.files {
            let path = file.path().to_path_buf();
            file.commit()
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        Ok(())
    }
}
