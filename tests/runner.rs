//! The one way these tests run the `tally` binary.

use std::path::Path;
use std::process::Command;

/// The `tally` binary, to run in `dir` (so that paths in its output are short and stable),
/// with output that does not depend on the terminal the tests run in: no `COLUMNS` (human
/// output is 100 columns wide), and `NO_COLOR` set.
pub fn tally(dir: impl AsRef<Path>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tally"));
    command
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env("NO_COLOR", "1");
    command
}
