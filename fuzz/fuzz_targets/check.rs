//! Arbitrary rules against arbitrary data, split at the first NUL (see `src/entry.rs`).
#![no_main]

#[path = "../src/entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|text: &str| entry::check(text));
