//! tally's integration tests: one test crate (one binary to build and link), a module per
//! feature, each running the real binary through [`runner::tally`] or the library directly.
//!
//! Snapshots live beside each module in `snapshots/` (`bad_input`'s in `bad-input/snapshots/`);
//! fixtures in `fixtures/`, `bad-input/` and `fuzz-regressions/`.

mod architecture;
mod authoring;
mod bad_input;
mod cli;
mod corpus;
mod fuzz_regressions;
mod guide;
mod keyed_loops;
mod language;
mod language_v2;
mod layout;
mod output;
mod rounding_properties;
mod runner;
