//! The YAML loader on arbitrary text (see `src/entry.rs`). Bytes that are not UTF-8 stop at
//! `load_dataset`'s first check, which `tests/bad_input.rs` covers.
#![no_main]

#[path = "../src/entry.rs"]
mod entry;

libfuzzer_sys::fuzz_target!(|text: &str| entry::dataset(text));
