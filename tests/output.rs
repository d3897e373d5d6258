//! End-to-end tests of the output formats: the real binary on the small datasets of
//! `tests/fixtures/output/`.

mod browser;
mod common;
mod files;
mod formats;
mod review;
