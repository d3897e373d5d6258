//! Running the rules over many files: in parallel, in batches, each file isolated, and the
//! reports handed in file order to a [`Sink`].
//!
//! [`check`] checks one file (load, evaluate every rule, attach [`explanations`]); [`isolate`]
//! turns a panic into a finding about its file; [`summary`] counts what the run found.

pub mod check;
pub mod conform;
pub mod explanations;
pub mod isolate;
pub mod summary;

use crate::dataset::file_error::FileError;
use crate::finding::FileReport;
use crate::rules::ruleset::RuleSet;
use crate::source::SourceFile;
use check::{CheckOptions, check_file, check_read, file_finding};
use rayon::prelude::*;
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

/// The most files `--jobs` lets a run check at once.
pub const MAX_JOBS: usize = 1024;

/// The threads that check files: `jobs` of them (`None`: rayon's default, one per core unless
/// `RAYON_NUM_THREADS` says otherwise), each with a `WORKER_STACK` stack.
///
/// The benchmark's floor (`examples/parse-only.rs`) runs on the same pool, so that the two
/// are compared on equal terms.
pub fn worker_pool(jobs: Option<usize>) -> std::io::Result<rayon::ThreadPool> {
    let builder = || {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.unwrap_or(0))
            .start_handler(|_| keep_blocks_freed_by_thread_start())
    };
    // Where the system refuses to reserve that much (a strict overcommit policy), rayon's
    // default stacks still do for any data within the default depth limit.
    builder()
        .stack_size(WORKER_STACK)
        .build()
        .or_else(|_| builder().build())
        .map_err(std::io::Error::other)
}

/// Keeps a worker thread's small allocations out of glibc malloc's main arena, where all
/// workers would queue for one lock.
///
/// A new thread's first act is to free a small block its parent allocated (std's boxed start
/// closure), so the block, from the main arena, sits in the thread's cache of free blocks. If
/// the thread's next block of that size is a string that then grows, `realloc` grows it in
/// the main arena and leaves more main-arena blocks in the thread's cache, and soon nearly all
/// of the thread's allocations come from the main arena, under its lock. Two threads that only
/// parse YAML (many small growing strings) were measured at 98% of their allocations there:
/// 2.6 million futex calls and 0.9 s of system time for 2,000 files, and more than twice the
/// wall time. Whether a thread catches it depends on the order of its first allocations
/// (`tally check` escaped it, by luck). Taking one block of each small size first, and keeping
/// it, leaves the cache with the thread's own blocks only. It costs under a kilobyte a thread,
/// with glibc or any other allocator.
fn keep_blocks_freed_by_thread_start() {
    for size in (16..=128).step_by(16) {
        // Allocated (not zeroed: calloc would bypass the cache) and never freed.
        std::mem::forget(std::hint::black_box(Vec::<u8>::with_capacity(size)));
    }
}

/// Checks every file in `files`, streaming reports to `sink` in order, `jobs` files at once
/// (`None`: one per core, see [`worker_pool`]).
///
/// `render` renders each report in the worker thread (human output is the costly part of a
/// run with many findings, so it is done in parallel too). `first` is the first file, checked
/// ahead ([`check_ahead`]): it is not checked again, and a run of that one file starts no
/// threads.
#[allow(clippy::too_many_arguments)]
pub fn run_check(
    files: &[PathBuf],
    problems: &[(PathBuf, String)],
    rules: &RuleSet,
    options: &CheckOptions,
    render: Option<Render<'_>>,
    jobs: Option<usize>,
    first: Option<Ahead>,
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
    // A run of one file, checked ahead: nothing more to start.
    let mut first = first.filter(|f| files.first() == Some(&f.path));
    if files.len() == 1
        && let Some(Ahead {
            report, rendered, ..
        }) = first.take()
    {
        summary.add(&report);
        sink.file(&report, rendered.as_deref())?;
        sink.finish(&summary)?;
        return Ok(summary);
    }
    let pool = worker_pool(jobs)?;
    let first = std::sync::Mutex::new(first);
    let check_batch = |batch: &[PathBuf]| -> Vec<(FileReport, Option<String>)> {
        pool.install(|| {
            batch
                .par_iter()
                .map(|path| {
                    let ahead = first
                        .lock()
                        .ok()
                        .and_then(|mut f| f.take_if(|f| f.path == *path));
                    if let Some(done) = ahead {
                        return (done.report, done.rendered);
                    }
                    let work = || finish(check_file(path, rules, options), render);
                    isolate::isolated(path, work, render)
                })
                .collect()
        })
    };
    // The next batch is checked while this thread writes out the last one: written in turn
    // after each batch, the reports kept the workers waiting meanwhile (1–2% of a run on two
    // cores). Handing batches over one at a time (a channel of no capacity) holds at most two
    // batches' reports at once; when writing fails, the checking thread stops at its next
    // hand-over.
    std::thread::scope(|scope| {
        let (hand_over, checked) = std::sync::mpsc::sync_channel(0);
        scope.spawn(move || {
            for batch in batches(files) {
                if hand_over.send(check_batch(batch)).is_err() {
                    break;
                }
            }
        });
        for results in checked {
            for (report, rendered) in results {
                summary.add(&report);
                sink.file(&report, rendered.as_deref())?;
            }
        }
        Ok::<(), std::io::Error>(())
    })?;
    sink.finish(&summary)?;
    Ok(summary)
}

/// Renders a report in the worker that checked it (see [`run_check`]).
pub type Render<'a> = &'a (dyn Fn(&FileReport) -> String + Sync);

/// Deduplicates a report's findings and renders it (if the run renders in the workers).
fn finish(mut report: FileReport, render: Option<Render<'_>>) -> (FileReport, Option<String>) {
    report.dedup();
    let rendered = render.map(|r| r(&report));
    (report, rendered)
}

/// A file checked ahead of the run: the first, read while the pack loads and checked as soon
/// as it is ready ([`check_ahead`]).
pub struct Ahead {
    /// The file.
    pub path: PathBuf,
    /// Its report.
    pub report: FileReport,
    /// The report rendered, if the run renders in the workers.
    pub rendered: Option<String>,
}

/// Starts checking the file at `path` on a thread of its own (with a checking thread's
/// stack): it reads the dataset at once, then waits for `rules()`, which gives the rules once
/// they are loaded, or `None` if they could not be (the thread then gives `None` too).
///
/// `tally check` calls this for its first file before it loads the pack: for a department
/// checking its one report, reading the file and loading the built-in pack are most of the
/// run, and neither needs the other. `None` if the thread cannot be started (the file is
/// then checked in the run as usual).
pub fn check_ahead<'scope, 'env>(
    scope: &'scope std::thread::Scope<'scope, 'env>,
    path: &'env std::path::Path,
    options: &'env CheckOptions,
    render: Option<Render<'env>>,
    rules: impl FnOnce() -> Option<&'env RuleSet> + Send + 'env,
) -> Option<std::thread::ScopedJoinHandle<'scope, Option<Ahead>>> {
    std::thread::Builder::new()
        .name("check-ahead".into())
        .stack_size(WORKER_STACK)
        .spawn_scoped(scope, move || {
            let loaded = crate::dataset::load::load_dataset(path, options.limits);
            let rules = rules()?;
            let work = || finish(check_read(path, loaded, rules, options), render);
            let (report, rendered) = isolate::isolated(path, work, render);
            Some(Ahead {
                path: path.to_path_buf(),
                report,
                rendered,
            })
        })
        .ok()
}

/// Splits `files` into batches of at most `BATCH` files and about `BATCH_BYTES` bytes.
pub fn batches(files: &[PathBuf]) -> impl Iterator<Item = &[PathBuf]> {
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
