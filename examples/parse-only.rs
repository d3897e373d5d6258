//! The benchmark's floor: how fast the dataset files can merely be read and parsed by the
//! YAML parser tally uses (saphyr-parser), in parallel like `tally check`, building nothing.
//!
//! ```text
//! cargo run --release --example parse-only -- PATH...
//! ```
//!
//! Walks the same files as `tally check` (`*.yaml` / `*.yml` under folders), reads each one,
//! checks it is UTF-8, and drives the parser's event loop to the end. Prints the number of
//! files, bytes and events, so that the work cannot be optimised away.

use rayon::prelude::*;
use saphyr_parser::Parser;
use std::path::PathBuf;

fn main() {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: parse-only PATH...");
        std::process::exit(2);
    }
    let found = tally::discover::discover(&paths);
    let (bytes, events, failed) = found
        .files
        .par_iter()
        .map(parse)
        .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
    println!(
        "{} files, {bytes} bytes, {events} events, {failed} unreadable or not YAML",
        found.files.len()
    );
}

/// Reads and parses one file: (bytes, events, 1 if it failed).
fn parse(path: &PathBuf) -> (usize, usize, usize) {
    let Ok(bytes) = std::fs::read(path) else {
        return (0, 0, 1);
    };
    let len = bytes.len();
    let Ok(text) = String::from_utf8(bytes) else {
        return (len, 0, 1);
    };
    let mut events = 0;
    for event in Parser::new_from_str(&text) {
        if event.is_err() {
            return (len, events, 1);
        }
        events += 1;
    }
    (len, events, 0)
}
