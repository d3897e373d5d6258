//! tally: checks whether a fiscal report adds up.
//!
//! The pipeline, stage by stage (each a module):
//!
//! 1. [`discover`] the dataset files under the paths given;
//! 2. [`ruleset`] loads the rule files ([`parser`] lowers the pest grammar to the [`ast`]) and
//!    checks them as a whole, reporting every [`rule_error`] at once;
//! 3. for each file, in parallel, [`check`] loads it ([`load`], [`yaml`] → a [`dataset`] tree
//!    whose every value knows its place), runs each rule through the [`eval`]uator with
//!    rounding-aware [`number`]s, and gathers [`finding`]s;
//! 4. the findings go out in file order, as [`render`]ed miette diagnostics or [`json`],
//!    and a [`summary`] decides the exit code.
//!
//! ```
//! use tally::{check::CheckOptions, load::parse_dataset, ruleset::RuleSet, source::SourceFile};
//! use std::sync::Arc;
//!
//! let rules = RuleSet::from_files(vec![Arc::new(SourceFile::new(
//!     "sum.tally",
//!     r#"rule SUM error "parts add up" { a + b = total }"#,
//! ))])
//! .unwrap();
//! let data = parse_dataset("d.yaml".into(), "a: 0.33\nb: 0.33\ntotal: 0.67\n".into(), Default::default()).unwrap();
//! let report = tally::check::check_dataset(&data, "d.yaml".as_ref(), &rules, &CheckOptions::default());
//! assert!(report.findings.is_empty()); // 0.33 + 0.33 may well be 0.67 before rounding
//! ```

pub mod ast;
pub mod check;
pub mod cli;
pub mod control_chars;
pub mod dataset;
pub mod discover;
pub mod eval;
pub mod explanation_stubs;
pub mod explanations;
pub mod figure;
pub mod file_error;
pub mod finding;
pub mod fixture;
pub mod isolate;
pub mod json;
pub mod load;
pub mod mutation;
pub mod number;
pub mod output;
pub mod pack;
pub mod parser;
pub mod patch;
pub mod path_slots;
pub mod render;
pub mod rule_commands;
pub mod rule_error;
pub mod rule_info;
pub mod rule_test;
pub mod ruleset;
pub mod severity;
pub mod source;
pub mod summary;
pub mod yaml;

use check::{CheckOptions, check_file, file_finding};
use file_error::FileError;
use finding::FileReport;
use rayon::prelude::*;
use ruleset::RuleSet;
use source::SourceFile;
use std::path::PathBuf;
use std::sync::Arc;
use summary::Summary;

/// Receives file reports in order as the run produces them.
pub trait Sink {
    /// One file's report (and its human rendering, when the sink asked for one).
    fn file(&mut self, report: &FileReport, rendered: Option<&str>) -> std::io::Result<()>;
    /// The end of the run.
    fn finish(&mut self, summary: &Summary) -> std::io::Result<()>;
}

/// How many files are checked at once before their results are written out: enough to keep
/// every core busy, few enough that memory does not grow with the number of files.
///
/// A batch also ends once its files hold [`BATCH_BYTES`] of text, since each report keeps its
/// file's text until it is written: 256 files of 100 MB would otherwise be held at once.
const BATCH: usize = 256;

/// Most bytes of dataset text in one batch (a single larger file is a batch of its own).
const BATCH_BYTES: u64 = 64 * 1024 * 1024;

/// Stack of each checking thread. Loading, evaluation over the data and dropping a dataset are
/// iterative, but the partial tree left by a YAML error is dropped recursively, and a user may
/// raise `--max-depth` far beyond the default: rayon's 2 MiB overflow near 100,000 levels.
/// The memory is reserved, not used, until a deep file needs it.
const WORKER_STACK: usize = 256 * 1024 * 1024;

/// Checks every file in `files`, streaming reports to `sink` in order.
///
/// `render` renders each report in the worker thread (human output is the costly part of a
/// run with many findings, so it is done in parallel too).
pub fn run_check(
    files: &[PathBuf],
    problems: &[(PathBuf, String)],
    rules: &RuleSet,
    options: &CheckOptions,
    render: Option<&(dyn Fn(&FileReport) -> String + Sync)>,
    sink: &mut dyn Sink,
) -> std::io::Result<Summary> {
    let mut summary = Summary::default();
    for (path, why) in problems {
        let mut report = FileReport::new(Arc::new(SourceFile::new(path.display().to_string(), "")));
        report
            .findings
            .push(file_finding(FileError::new("io", why.clone())));
        let rendered = render.map(|r| r(&report));
        summary.add(&report);
        sink.file(&report, rendered.as_deref())?;
    }
    // Where the system refuses to reserve that much (a strict overcommit policy), rayon's
    // default stacks still do for any data within the default depth limit.
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(WORKER_STACK)
        .build()
        .or_else(|_| rayon::ThreadPoolBuilder::new().build())
        .map_err(std::io::Error::other)?;
    for chunk in batches(files) {
        let results: Vec<(FileReport, Option<String>)> = pool.install(|| {
            chunk
                .par_iter()
                .map(|path| {
                    let work = || {
                        let report = check_file(path, rules, options);
                        let rendered = render.map(|r| r(&report));
                        (report, rendered)
                    };
                    isolate::isolated(path, work, render)
                })
                .collect()
        });
        for (report, rendered) in results {
            summary.add(&report);
            sink.file(&report, rendered.as_deref())?;
        }
    }
    sink.finish(&summary)?;
    Ok(summary)
}

/// Splits `files` into batches of at most [`BATCH`] files and about [`BATCH_BYTES`] bytes.
fn batches(files: &[PathBuf]) -> impl Iterator<Item = &[PathBuf]> {
    let mut rest = files;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut bytes = 0;
        // A file that cannot be stat'ed counts as empty: check_file reports why it cannot be read.
        let len = rest
            .iter()
            .take(BATCH)
            .take_while(|path| {
                let fits = bytes < BATCH_BYTES;
                bytes += std::fs::metadata(path).map_or(0, |m| m.len());
                fits
            })
            .count()
            .max(1);
        let (batch, tail) = rest.split_at(len);
        rest = tail;
        Some(batch)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_end_at_a_count_or_a_size() {
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, len: u64| {
            let path = dir.path().join(name);
            std::fs::File::create(&path).unwrap().set_len(len).unwrap();
            path
        };
        let small: Vec<PathBuf> = (0..300).map(|i| file(&format!("{i}.yaml"), 10)).collect();
        let sizes: Vec<usize> = batches(&small).map(<[PathBuf]>::len).collect();
        assert_eq!(sizes, [BATCH, 300 - BATCH]);
        let big = file("big.yaml", BATCH_BYTES + 1);
        let mixed = [small[0].clone(), big, small[1].clone(), small[2].clone()];
        let sizes: Vec<usize> = batches(&mixed).map(<[PathBuf]>::len).collect();
        assert_eq!(sizes, [2, 2]);
    }
}
