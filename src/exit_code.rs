//! Every exit code tally ends with, and the one place each subcommand's is decided, so that
//! `tally check` and `tally check --explain-stubs` (or any later variant) cannot disagree.

use crate::dataset::discover::Discovered;
use crate::run::summary::Summary;
use crate::severity::Severity;

/// No finding at or above `--fail-on` (`tally test`: every case passes; `explain`, `rules`:
/// done).
pub const OK: i32 = 0;
/// Findings at or above `--fail-on` (`tally test`: a case fails, or a coverage gap with
/// `--require-coverage`).
pub const FINDINGS: i32 = 1;
/// tally could not do its job: bad arguments, rules with errors, a path that does not exist,
/// a folder with no dataset files, output that cannot be written.
pub const TROUBLE: i32 = 2;
/// A run stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED: i32 = 130;

/// The exit codes of `tally` and `tally check`, for their `--help`.
pub const CHECK_HELP: &str = "\
Exit codes:
  0  no finding at or above --fail-on (default: error)
  1  findings at or above --fail-on (a dataset that cannot be read or parsed is an error
     finding of its own: the other files are still checked)
  2  tally could not do its job: bad arguments, a rule file with errors (or no rules at all),
     a path that does not exist, a folder with no dataset files
  130  interrupted by Ctrl-C while writing --output files (which were left as they were)";

/// The exit codes of `tally test`, for its `--help`.
pub const TEST_HELP: &str = "\
Exit codes:
  0  every case passes
  1  a case fails (or, with --require-coverage, a rule never fires or never stays quiet)
  2  tally cannot run: a rule file, pack.toml or fixture with errors, a path that is not a folder";

/// The exit codes of `tally lint`, for its `--help`.
pub const LINT_HELP: &str = "\
Exit codes:
  0  no lint finding
  1  lint findings
  2  the pack does not load: a rule file or pack.toml with errors, a path that is not a folder";

/// The exit code of `tally lint` on a pack that loaded.
pub fn lint(findings: usize) -> i32 {
    if findings > 0 { FINDINGS } else { OK }
}

/// The exit codes of `tally explain` and `tally rules`, for their `--help`.
pub const RULES_HELP: &str = "\
Exit codes:
  0  done
  2  a rule file or pack.toml with errors, or (explain) no rule with that id";

/// The exit code of a `tally check` run (with any output option) that wrote all its output:
/// a path given that is missing or holds no dataset is trouble even when every file found
/// passed, since "0 files checked" would hide a wrong path; otherwise findings at or above
/// `fail_on` fail the run.
pub fn check(found: &Discovered, summary: &Summary, fail_on: Severity) -> i32 {
    if !found.missing.is_empty() || !found.empty.is_empty() {
        TROUBLE
    } else if summary.reaches(fail_on) {
        FINDINGS
    } else {
        OK
    }
}

/// The exit code of one pack's run in `tally test`: a case that cannot run is trouble; a
/// failed case (or, when coverage is required, a gap in it) fails the run.
pub fn test_pack(broken: bool, failed: bool, coverage_gap: bool) -> i32 {
    if broken {
        TROUBLE
    } else if failed || coverage_gap {
        FINDINGS
    } else {
        OK
    }
}
