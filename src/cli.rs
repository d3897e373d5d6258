//! The command line: arguments → rules → check → output → exit code.

use crate::check::CheckOptions;
use crate::discover::discover;
use crate::finding::FileReport;
use crate::output::report_files::ReportFiles;
use crate::output::{self, Format, OutputSpec};
use crate::render::{self, Style};
use crate::ruleset::{LoadError, RuleSet};
use crate::run_check;
use crate::severity::Severity;
use crate::yaml::Limits;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

/// Exit code: no finding at or above `--fail-on`.
pub const EXIT_OK: i32 = 0;
/// Exit code: findings at or above `--fail-on`.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: tally could not do its job.
pub const EXIT_TROUBLE: i32 = 2;

const EXIT_CODES: &str = "\
Exit codes:
  0  no finding at or above --fail-on (default: error)
  1  findings at or above --fail-on (a dataset that cannot be read or parsed is an error
     finding of its own: the other files are still checked)
  2  tally could not do its job: bad arguments, a rule file with errors (or no rules at all),
     a path that does not exist, a folder with no dataset files
  130  interrupted by Ctrl-C while writing --output files (which were left as they were)";

/// The highest `--max-depth`: a dataset tree is dropped and copied recursively, and ten
/// thousand levels would overflow a worker thread's stack.
const MAX_DEPTH: u64 = 1000;

/// tally checks whether a fiscal report adds up.
#[derive(Debug, Parser)]
#[command(name = "tally", version, about, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check datasets (YAML files, or folders of them) against rules.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Run the fixtures of rule packs (`tests/*.yaml` beside the rules).
    #[command(after_help = crate::rule_commands::TEST_EXIT_CODES)]
    Test(crate::rule_commands::TestArgs),
    /// Show a rule in full: severity, years, message, help, rationale, source.
    #[command(after_help = crate::rule_commands::RULES_EXIT_CODES)]
    Explain(crate::rule_commands::ExplainArgs),
    /// List the effective rule set (after pack manifests).
    #[command(after_help = crate::rule_commands::RULES_EXIT_CODES)]
    Rules(crate::rule_commands::RulesArgs),
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// Dataset files or folders (*.yaml, *.yml, searched recursively).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Rule files (*.tally) or folders of them; repeatable. Default: the built-in pack.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Also write FORMAT to the file PATH (replaced only once complete); repeatable.
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = output::parse_output_spec)]
    outputs: Vec<OutputSpec>,
    /// After human or concise output, a table per dataset: department, year, counts.
    #[arg(long)]
    summary: bool,
    /// After human or concise output, the findings per rule, most frequent first.
    #[arg(long)]
    statistics: bool,
    /// Exit with 1 when there is a finding at or above this severity.
    #[arg(long, value_enum, default_value_t = Level::Error)]
    fail_on: Level,
    /// The prior-year dataset, for cross-year rules (default: each dataset's `meta.prior`).
    #[arg(long, value_name = "PATH")]
    prior: Option<PathBuf>,
    /// Largest dataset file read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_file_size)]
    max_file_size: u64,
    /// Deepest nesting of lists and mappings in a dataset (at most 1000).
    #[arg(long, value_name = "LEVELS", default_value_t = Limits::default().max_depth,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_DEPTH))]
    max_depth: usize,
    /// Longest time the rules may run on one file, in seconds (0: no limit); a file that takes
    /// longer is reported with a `timeout` error, and the other files go on.
    #[arg(long, value_name = "SECONDS", default_value = "60", value_parser = parse_timeout)]
    timeout: TimeLimit,
    /// When to use colours in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Width of human output (default: the terminal's, or 100).
    #[arg(long, value_name = "COLUMNS")]
    width: Option<usize>,
    /// Files checked at once, each on its own thread (default: one per core; 1 to 1024).
    #[arg(short = 'j', long, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=crate::MAX_JOBS as u64))]
    jobs: Option<usize>,
    /// Print, instead of diagnostics, a ready-to-paste explanation (说明) stub for each open hint.
    #[arg(long)]
    explain_stubs: bool,
}

/// A `--timeout` (`None`: no limit).
#[derive(Clone, Copy, Debug)]
struct TimeLimit(Option<Duration>);

/// `--timeout`: seconds, whole or not; 0 is no limit.
fn parse_timeout(text: &str) -> Result<TimeLimit, String> {
    let secs: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if secs == 0.0 {
        return Ok(TimeLimit(None));
    }
    Duration::try_from_secs_f64(secs)
        .map(|d| TimeLimit(Some(d)))
        .map_err(|_| format!("`{text}` is not a time limit (seconds ≥ 0, or 0 for none)"))
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Level {
    Error,
    Warning,
    Info,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

impl From<Level> for Severity {
    fn from(l: Level) -> Severity {
        match l {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Info => Severity::Info,
        }
    }
}

/// Runs the command line and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_TROUBLE
            } else {
                EXIT_OK
            };
        }
    };
    match cli.command {
        Command::Check(args) => check(args),
        Command::Test(args) => crate::rule_commands::test(args),
        Command::Explain(args) => crate::rule_commands::explain(args),
        Command::Rules(args) => crate::rule_commands::rules(args),
    }
}

/// Loads the rules named on the command line, or the built-in pack; prints errors.
pub fn load_rules(paths: &[PathBuf], style: Style) -> Option<RuleSet> {
    load_pack(paths, style).map(|pack| pack.rules)
}

/// Loads the rules and packs named on the command line (following `pack.toml` manifests), or
/// the built-in pack; prints errors.
pub fn load_pack(paths: &[PathBuf], style: Style) -> Option<crate::pack::Pack> {
    match crate::pack::load(paths) {
        // An empty rule file is fine (a pack being written), but no rule at all would pass
        // every dataset without checking anything.
        Ok(pack) if pack.rules.rules.is_empty() && !paths.is_empty() => {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            eprintln!(
                "error: no rules in {}: nothing would be checked",
                names.join(", ")
            );
            None
        }
        Ok(pack) => Some(pack),
        Err(LoadError::Io(path, why)) => {
            eprintln!("error: cannot read rules at {}: {why}", path.display());
            None
        }
        Err(LoadError::Rules(errors)) => {
            eprint!("{}", render::render_rule_errors(&errors, style));
            eprintln!(
                "error: {} {} in rule files; nothing was checked",
                errors.len(),
                if errors.len() == 1 {
                    "problem"
                } else {
                    "problems"
                }
            );
            None
        }
    }
}

fn check(args: CheckArgs) -> i32 {
    let stdout_tty = std::io::stdout().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout_tty && std::env::var_os("NO_COLOR").is_none(),
    };
    let width = args.width.unwrap_or_else(|| {
        std::env::var("COLUMNS")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(100)
    });
    let style = Style { width, color };
    let err_style = Style {
        color: color && std::io::stderr().is_terminal(),
        ..style
    };
    let Some(rules) = load_rules(&args.rules, err_style) else {
        return EXIT_TROUBLE;
    };
    let found = discover(&args.paths);
    for path in &found.missing {
        eprintln!("error: {}: no such file or folder", path.display());
    }
    for path in &found.empty {
        eprintln!(
            "error: {}: no dataset files (*.yaml, *.yml) in this folder",
            path.display()
        );
    }
    let options = CheckOptions {
        limits: Limits {
            max_file_size: args.max_file_size,
            max_depth: args.max_depth.max(1),
        },
        prior: args.prior.clone(),
        time_limit: args.timeout.0,
        ..Default::default()
    };
    if let Some(prior) = &options.prior
        && !prior.exists()
    {
        eprintln!("error: --prior {}: no such file", prior.display());
        return EXIT_TROUBLE;
    }
    if args.explain_stubs {
        return explain_stubs(&found, &rules, &options, args.fail_on.into(), args.jobs);
    }
    let mut files = match ReportFiles::create(&args.outputs, &found.files) {
        Ok(files) => files,
        Err(why) => {
            eprintln!("error: {why}");
            return EXIT_TROUBLE;
        }
    };
    let ctx = output::Context {
        rules: &rules,
        summary: args.summary,
        statistics: args.statistics,
        style: Style::plain(args.width.unwrap_or(100)),
    };
    let stdout = std::io::stdout();
    // A terminal shows output as it comes (line-buffered, between progress bar redraws);
    // anything else gets large writes.
    let mut out: Box<dyn Write> = if stdout_tty {
        Box::new(stdout.lock())
    } else {
        Box::new(std::io::BufWriter::new(stdout.lock()))
    };
    let human = move |r: &FileReport| render::render_report(r, style);
    let prerender = args.format == Format::Human;
    let count = found.files.len() + found.problems.len();
    let mut sink = files.sink(args.format, &mut out, ctx, prerender, count);
    let result = run_check(
        &found.files,
        &found.problems,
        &rules,
        &options,
        prerender.then_some(&human as _),
        args.jobs,
        &mut *sink,
    );
    drop(sink);
    let flushed = out.flush();
    let summary = match (result, flushed) {
        (Ok(summary), Ok(())) => summary,
        (Err(e), _) if output::interrupt::is_interruption(&e) => {
            eprintln!("interrupted: no report file was written or changed");
            return output::interrupt::EXIT_INTERRUPTED;
        }
        (Err(e), _) | (_, Err(e)) => {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("error: cannot write the output: {e}");
            }
            return EXIT_TROUBLE;
        }
    };
    if let Err(why) = files.commit() {
        eprintln!("error: {why}");
        return EXIT_TROUBLE;
    }
    if !found.missing.is_empty() || !found.empty.is_empty() {
        EXIT_TROUBLE
    } else if summary.reaches(args.fail_on.into()) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    }
}

/// `tally check --explain-stubs`: the stubs instead of any other output.
fn explain_stubs(
    found: &crate::discover::Discovered,
    rules: &RuleSet,
    options: &CheckOptions,
    fail_on: Severity,
    jobs: Option<usize>,
) -> i32 {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut sink = crate::explanation_stubs::StubSink { out: &mut out };
    let stubs = crate::explanation_stubs::render;
    let result = run_check(
        &found.files,
        &found.problems,
        rules,
        options,
        Some(&stubs),
        jobs,
        &mut sink,
    );
    match (result, out.flush()) {
        (Ok(_), Ok(())) if !found.missing.is_empty() => EXIT_TROUBLE,
        (Ok(summary), Ok(())) if summary.reaches(fail_on) => EXIT_FINDINGS,
        (Ok(_), Ok(())) => EXIT_OK,
        (Err(e), _) | (_, Err(e)) => {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("error: cannot write the output: {e}");
            }
            EXIT_TROUBLE
        }
    }
}
