//! Running the real binary on the output fixtures.

use std::path::Path;
use std::process::Output;

/// The fixture rules and datasets, relative to the crate root (where tests run the binary, so
/// that paths in the output are short and stable).
pub const RULES: &str = "tests/fixtures/output/rules.tally";
pub const DATA: &str = "tests/fixtures/output/data";

/// `tally check DATA --rules RULES ARGS…`, run in the crate root.
pub fn check(args: &[&str]) -> Output {
    crate::runner::tally(env!("CARGO_MANIFEST_DIR"))
        .args(["check", DATA, "--rules", RULES])
        .args(args)
        .output()
        .expect("the tally binary runs")
}

/// Standard output as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// A file the run wrote.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
