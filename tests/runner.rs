//! The one way these tests run the `tally` binary.

use std::path::Path;
use std::process::Command;

/// The `tally` binary, to run in `dir` (so that paths in its output are short and stable),
/// with output that does not depend on the terminal the tests run in: no `COLUMNS` (human
/// output is 100 columns wide, standard output being a pipe), `NO_COLOR` set, and English
/// (`LANG=C`, no `LC_ALL` or `LC_MESSAGES`) unless a test asks for `--lang` or sets `LANG`;
/// and the time of the run fixed (`SOURCE_DATE_EPOCH`), so that two runs' reports compare.
pub fn tally(dir: impl AsRef<Path>) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tally"));
    command
        .current_dir(dir)
        .env_remove("COLUMNS")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C")
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1767225600");
    command
}
