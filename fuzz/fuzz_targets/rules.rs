//! The rule parser and the rule-set checks, on arbitrary text (see `src/entry.rs`).
#![no_main]

#[path = "../src/entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|text: &str| entry::rules(text));
