//! End-to-end tests of the output formats: the real binary on the small datasets of
//! `tests/fixtures/output/`.

#[path = "output/browser.rs"]
mod browser;
#[path = "output/common.rs"]
mod common;
#[path = "output/files.rs"]
mod files;
#[path = "output/formats.rs"]
mod formats;
