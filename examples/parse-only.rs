//! The benchmark's floor: how fast the dataset files can merely be read and parsed by the
//! YAML parser tally uses (saphyr-parser), in parallel like `tally check`, building nothing.
//!
//! ```text
//! cargo run --release --example parse-only -- [--jobs N] PATH...
//! ```
//!
//! Walks the same files as `tally check` (`*.yaml` / `*.yml` under folders), reads each one,
//! checks it is UTF-8 as tally does, and drives the parser's event loop to the end. Prints the
//! number of files, bytes and events, so that the work cannot be optimised away.
//!
//! The work is organised as `tally check` organises it: the same thread pool
//! ([`tally::run::worker_pool`], `--jobs N` threads, default one per core) and the same batches of
//! files ([`tally::run::batches`]), so that tally is compared with the parser alone on equal terms,
//! one core against one core with `--jobs 1`. A single file starts no pool in either: tally
//! checks it on the one thread that reads it (while another loads the pack), and the floor
//! parses it on the thread it started with.

use clap::Parser as _;
use rayon::prelude::*;
use saphyr_parser::Parser;
use std::path::PathBuf;

/// The allocator `tally` uses (see `src/main.rs`): saphyr makes a string for every scalar.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Reads and parses dataset files with saphyr-parser, building nothing.
#[derive(clap::Parser)]
struct Args {
    /// Dataset files or folders (*.yaml, *.yml, searched recursively).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Files parsed at once, each on its own thread (default: one per core; 1 to 1024).
    #[arg(short = 'j', long, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=tally::run::MAX_JOBS as u64))]
    jobs: Option<usize>,
}

/// What was read and parsed: bytes, events, files that could not be read or parsed.
#[derive(Clone, Copy, Default)]
struct Counts {
    bytes: usize,
    events: usize,
    failed: usize,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let found = tally::dataset::discover::discover(&args.paths);
    let mut total = Counts::default();
    // One file: parsed here, starting no threads, as `tally check` checks a single file on
    // the one thread that reads it (while another loads the pack).
    if let [one] = found.files.as_slice() {
        total = parse(one);
        return report(&found.files, total);
    }
    let pool = tally::run::worker_pool(args.jobs)?;
    for batch in tally::run::batches(&found.files) {
        let counts: Vec<Counts> = pool.install(|| batch.par_iter().map(parse).collect());
        for c in counts {
            total.bytes += c.bytes;
            total.events += c.events;
            total.failed += c.failed;
        }
    }
    report(&found.files, total)
}

/// Prints what was read and parsed.
fn report(files: &[PathBuf], total: Counts) -> std::io::Result<()> {
    println!(
        "{} files, {} bytes, {} events, {} unreadable or not YAML",
        files.len(),
        total.bytes,
        total.events,
        total.failed
    );
    Ok(())
}

/// Reads and parses one file.
fn parse(path: &PathBuf) -> Counts {
    let failed = |bytes, events| Counts {
        bytes,
        events,
        failed: 1,
    };
    let Ok(bytes) = std::fs::read(path) else {
        return failed(0, 0);
    };
    let len = bytes.len();
    // The same UTF-8 check as tally's (`simdutf8`).
    let Ok(text) = tally::dataset::load::utf8(bytes) else {
        return failed(len, 0);
    };
    let mut events = 0;
    for event in Parser::new_from_str(&text) {
        if event.is_err() {
            return failed(len, events);
        }
        events += 1;
    }
    Counts {
        bytes: len,
        events,
        failed: 0,
    }
}
