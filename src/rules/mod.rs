//! The rule language, from rule files to a checked rule set.
//!
//! [`parser`] lowers each `*.tally` file (grammar: `grammar/tally.pest`) to the [`ast`];
//! [`ruleset`] gathers the files (or the built-in pack) and runs the passes over the whole
//! set — duplicate ids, scopes, [`path_slots`] and [`keyed_loops`], all on one [`walk`]er —
//! reporting every [`rule_error`] at once; [`pack`] follows `pack.toml` manifests on top.
//! [`prebuilt`] is the built-in pack as `build.rs` loaded it, so that runs need not parse it.

pub mod ast;
pub mod keyed_loops;
pub mod layout;
pub mod layout_paths;
pub mod pack;
pub mod parser;
pub mod path_slots;
pub mod prebuilt;
pub mod rule_error;
pub mod ruleset;
pub mod walk;
