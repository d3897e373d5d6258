//! tally: checks whether a fiscal report adds up.
//!
//! The pipeline, stage by stage, each stage a module that depends only on those before it
//! (no module reaches back up: `tests/architecture.rs` finds no cycle):
//!
//! 1. **Discover** the dataset files under the paths given ([`dataset::discover`]).
//! 2. **Rules**: [`rules`] parses the rule files, or the built-in pack, to an
//!    [`ast`](rules::ast) ([`parser`](rules::parser)), follows [`pack`](rules::pack)
//!    manifests, and checks the [`ruleset`](rules::ruleset) as a whole, reporting every
//!    [`rule_error`](rules::rule_error) at once; its passes number the paths
//!    ([`path_slots`](rules::path_slots)) and plan keyed loops
//!    ([`keyed_loops`](rules::keyed_loops)); a pack's [`layout`](rules::layout) is read with
//!    it, and every rule path checked against it ([`layout_paths`](rules::layout_paths)).
//!    The built-in pack goes through all of this when tally is built (`build.rs`): a run
//!    decodes the result ([`prebuilt`](rules::prebuilt), in the compact form of [`stored`]).
//! 3. **Load** each dataset ([`dataset::load`], [`dataset::yaml`]) into a [`dataset`] tree
//!    whose every value knows its place in the file and every figure its source text, then
//!    [`conform`](run::conform) it to the pack's layout (figures as printed, blanks as zeros,
//!    units, unknown keys, completeness).
//! 4. **Evaluate** every rule on it ([`eval`]) with rounding-aware [`number`]s, giving
//!    [`finding`]s with their [`evidence`] (and the checks that did not apply, because a
//!    figure they read is not stated); the [`run`] does this for many files in parallel
//!    ([`run::run_check`]), one file at a time in [`run::check`] (the first one already
//!    while the pack loads, [`run::check_ahead`]), and attaches the department's
//!    [`explanations`](run::explanations) to the hints they answer.
//! 5. **Output**: the reports go, in file order, to every [`output`] format (human
//!    [`diagnostic`](output::diagnostic)s, JSON, SARIF, HTML, …, and report files), each a
//!    [`run::Sink`]; the run's [`summary`](run::summary) and the paths given decide the exit
//!    code, in one place (`exit_code`).
//!
//! The command line (`cli`) strings these together; the rule authors' `tally test`,
//! `lint`, `explain`, `rules` and `layout` use the `authoring` tools. Only [`main`] is the crate's interface;
//! the stage modules are public (and hidden from the docs) for the tests, the fuzz targets
//! and the benchmark.
//!
//! ```
//! use tally::dataset::load::parse_dataset;
//! use tally::rules::ruleset::RuleSet;
//! use tally::run::check::{CheckOptions, check_dataset};
//! use tally::source::SourceFile;
//! use std::sync::Arc;
//!
//! let rules = RuleSet::from_files(vec![Arc::new(SourceFile::new(
//!     "sum.tally",
//!     r#"rule SUM error "parts add up" { a + b = total }"#,
//! ))])
//! .unwrap();
//! let mut data = parse_dataset("d.yaml".into(), "a: 0.33\nb: 0.33\ntotal: 0.67\n".into(), Default::default()).unwrap();
//! let report = check_dataset(&mut data, "d.yaml".as_ref(), &rules, &CheckOptions::default());
//! assert!(report.findings.is_empty()); // 0.33 + 0.33 may well be 0.67 before rounding
//! ```

// One `unsafe` block, allowed where it stands: `dataset::load::utf8` skips std's second
// UTF-8 validation after simdutf8's (measured at 2% of a check). Nothing else may add one.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod authoring;
mod cli;
#[doc(hidden)]
pub mod dataset;
#[doc(hidden)]
pub mod eval;
#[doc(hidden)]
pub mod evidence;
mod exit_code;
#[doc(hidden)]
pub mod finding;
#[doc(hidden)]
pub mod number;
#[doc(hidden)]
pub mod output;
#[doc(hidden)]
pub mod rules;
#[doc(hidden)]
pub mod run;
#[doc(hidden)]
pub mod severity;
#[doc(hidden)]
pub mod source;
#[doc(hidden)]
pub mod stored;

/// Runs the command line (`std::env::args`) and returns the exit code for the process.
pub fn main() -> i32 {
    cli::main()
}
