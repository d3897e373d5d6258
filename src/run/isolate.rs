//! Keeping a bug from losing a whole run: each file is checked and rendered inside
//! `catch_unwind`, so that a panic on one file (which the fuzzers and the bad-input tests exist
//! to prevent) becomes an error finding on that file, and the other files are still checked
//! and reported. The panic message itself still goes to standard error, for the bug report.

use crate::dataset::file_error::FileError;
use crate::finding::FileReport;
use crate::run::check::file_finding;
use crate::source::SourceFile;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Arc;

/// Runs `work` (checking the file at `path` and rendering its report); if it panics, returns
/// an `internal-error` report for the file instead, rendered by `render` when that works.
pub fn isolated(
    path: &Path,
    work: impl FnOnce() -> (FileReport, Option<String>),
    render: Option<&(dyn Fn(&FileReport) -> String + Sync)>,
) -> (FileReport, Option<String>) {
    // Nothing `work` touches outlives it but the rules and options, which are only read.
    let panic = match catch_unwind(AssertUnwindSafe(work)) {
        Ok(done) => return done,
        Err(panic) => panic,
    };
    let why = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    let mut report = FileReport::new(Arc::new(SourceFile::new(path.display().to_string(), "")));
    report.findings.push(file_finding(FileError::new(
        "internal-error",
        format!("tally failed on this file (a bug: please report it with the file): {why}"),
    )));
    let rendered = render.map(|r| {
        catch_unwind(AssertUnwindSafe(|| r(&report))).unwrap_or_else(|_| {
            format!(
                "internal-error: {}: {}\n",
                report.file.name, report.findings[0].message
            )
        })
    });
    (report, rendered)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::diagnostic::{Style, render_report};

    #[test]
    fn a_panic_becomes_an_error_finding_on_its_file() {
        let render = |r: &FileReport| render_report(r, Style::plain(100));
        let (report, rendered) =
            isolated(Path::new("data/a.yaml"), || panic!("boom"), Some(&render));
        assert_eq!(report.findings.len(), 1);
        assert_eq!(report.findings[0].rule, "internal-error");
        let text = rendered.unwrap();
        assert!(
            text.contains("data/a.yaml: tally failed on this file"),
            "{text}"
        );
        assert!(text.contains("boom"), "{text}");
    }

    #[test]
    fn a_panic_while_rendering_is_still_reported() {
        let render = |_: &FileReport| -> String { panic!("render") };
        let (_, rendered) = isolated(Path::new("b.yaml"), || panic!("check"), Some(&render));
        assert!(
            rendered
                .unwrap()
                .starts_with("internal-error: b.yaml: tally failed")
        );
    }

    #[test]
    fn work_that_succeeds_is_passed_through() {
        let file = Arc::new(SourceFile::new("c.yaml", "a: 1\n"));
        let (report, rendered) = isolated(
            Path::new("c.yaml"),
            || (FileReport::new(file), Some("ok".into())),
            None,
        );
        assert!(report.findings.is_empty());
        assert_eq!(rendered.as_deref(), Some("ok"));
    }
}
