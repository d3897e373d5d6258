//! `tally check`: datasets in, reports out.

use super::load_pack;
use crate::dataset::discover::{Discovered, discover};
use crate::dataset::yaml::Limits;
use crate::exit_code;
use crate::finding::FileReport;
use crate::output::audit::Audit;
use crate::output::diagnostic::{self, Style};
use crate::output::explanation_stubs;
use crate::output::files::{interrupt, report_files::ReportFiles};
use crate::output::lang::Lang;
use crate::output::{self, Format, OutputSpec};
use crate::rules::pack::Pack;
use crate::rules::ruleset::RuleSet;
use crate::run::check::CheckOptions;
use crate::run::summary::Summary;
use crate::run::{Ahead, MAX_JOBS, Render, check_ahead, run_check};
use crate::severity::Severity;
use clap::ValueEnum;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

/// The highest `--max-depth`: a dataset tree is dropped and copied recursively, and ten
/// thousand levels would overflow a worker thread's stack.
const MAX_DEPTH: u64 = 1000;

#[derive(Debug, clap::Args)]
pub(super) struct CheckArgs {
    /// Dataset files or folders (*.yaml, *.yml, searched recursively).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Rule files (*.tally) or folders of them; repeatable. Default: the built-in pack.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Output format on standard output [default: human].
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Also write FORMAT to the file PATH (replaced only once complete; `-`: standard output,
    /// in place of --format); repeatable.
    #[arg(long = "output", value_name = "FORMAT=PATH", value_parser = output::parse_output_spec)]
    outputs: Vec<OutputSpec>,
    /// Language of tally's own messages (summary, notes, file-level findings, evidence, HTML
    /// labels); rule messages stay as the pack wrote them. Default: from LC_ALL, LC_MESSAGES
    /// or LANG (zh… → zh, else en).
    #[arg(long, value_enum, value_name = "LANG")]
    lang: Option<Lang>,
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
    /// Width of human output (default: $COLUMNS when set, else the terminal's, else 100).
    #[arg(long, value_name = "COLUMNS")]
    width: Option<usize>,
    /// Files checked at once, each on its own thread (default: one per core; 1 to 1024).
    #[arg(short = 'j', long, value_name = "N",
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_JOBS as u64))]
    jobs: Option<usize>,
    /// Print, instead of diagnostics, a ready-to-paste explanation (说明) stub for each open hint.
    #[arg(long)]
    explain_stubs: bool,
    /// In human output, also list each check that did not apply to a dataset because figures
    /// it reads are not stated (the summary line counts them).
    #[arg(long)]
    show_skipped: bool,
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

/// The width of human output: `--width`, else `$COLUMNS` (which a script sets on purpose, so
/// it wins), else the width of the terminal standard output is on, else 100.
fn width(given: Option<usize>) -> usize {
    given
        .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()))
        .or_else(|| {
            terminal_size::terminal_size_of(std::io::stdout())
                .map(|(terminal_size::Width(w), _)| usize::from(w))
        })
        .unwrap_or(100)
}

/// Takes an `--output FORMAT=-` out of the report files: it is standard output's format.
fn stdout_format(args: &mut CheckArgs) -> Result<Format, String> {
    let dash: Vec<OutputSpec> = args
        .outputs
        .iter()
        .filter(|o| o.path.as_os_str() == "-")
        .cloned()
        .collect();
    args.outputs.retain(|o| o.path.as_os_str() != "-");
    match (dash.as_slice(), args.format) {
        ([], format) => Ok(format.unwrap_or(Format::Human)),
        ([one], None) => Ok(one.format),
        ([one], Some(f)) if f == one.format => Ok(f),
        ([_], Some(_)) => Err("--output FORMAT=-: standard output already has --format".into()),
        _ => Err("--output: standard output (`-`) named twice".into()),
    }
}

pub(super) fn check(mut args: CheckArgs) -> i32 {
    let format = match stdout_format(&mut args) {
        Ok(format) => format,
        Err(why) => {
            eprintln!("error: {why}");
            return exit_code::TROUBLE;
        }
    };
    let lang = args.lang.unwrap_or_else(Lang::from_env);
    let stdout_tty = std::io::stdout().is_terminal();
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout_tty && std::env::var_os("NO_COLOR").is_none(),
    };
    let width = width(args.width);
    let style = Style { width, color, lang };
    let err_style = Style {
        color: color && std::io::stderr().is_terminal(),
        ..style
    };
    let found = discover(&args.paths);
    let options = CheckOptions {
        limits: Limits {
            max_file_size: args.max_file_size,
            max_depth: args.max_depth.max(1),
        },
        prior: args.prior.clone(),
        time_limit: args.timeout.0,
        name_skipped: args.show_skipped,
        ..Default::default()
    };
    let show_skipped = args.show_skipped;
    let human = move |r: &FileReport| {
        let mut text = diagnostic::render_report(r, style);
        if show_skipped {
            text.push_str(&diagnostic::render_not_applicable(r));
        }
        text
    };
    let stubs = move |r: &FileReport| explanation_stubs::render_in(r, lang);
    let prerender = format == Format::Human;
    let render: Option<Render> = if args.explain_stubs {
        Some(&stubs)
    } else if prerender {
        Some(&human)
    } else {
        None
    };
    // The first file is read, then checked, on a thread of its own while the pack loads: for
    // a department checking its one report, reading it and loading the built-in pack are most
    // of the run, and neither needs the other (BENCHMARKS.md, "One file").
    let ready: OnceLock<Option<Pack>> = OnceLock::new();
    let first = std::thread::scope(|scope| {
        let ahead = found.files.first().and_then(|path| {
            check_ahead(scope, path, &options, render, || {
                ready.wait().as_ref().map(|p| &p.rules)
            })
        });
        // Set even if loading panicked, so that the thread waiting for it ends.
        let _unblock = Unblock(&ready);
        let _ = ready.set(load_pack(&args.rules, err_style));
        ahead.and_then(|a| a.join().ok().flatten())
    });
    let Some(pack) = ready.into_inner().flatten() else {
        return exit_code::TROUBLE;
    };
    let audit = Audit::new(&pack, args.fail_on.into());
    let rules = pack.rules;
    for path in &found.missing {
        eprintln!("{}", lang.trouble("missing", &path.display().to_string()));
    }
    for path in &found.empty {
        eprintln!("{}", lang.trouble("empty", &path.display().to_string()));
    }
    if let Some(prior) = &options.prior
        && !prior.exists()
    {
        eprintln!("{}", lang.trouble("prior", &prior.display().to_string()));
        return exit_code::TROUBLE;
    }
    if args.explain_stubs {
        let code = explain_stubs(
            &found,
            &rules,
            &options,
            args.fail_on.into(),
            (args.jobs, first, render),
            lang,
        );
        leave(rules);
        return code;
    }
    let mut files = match ReportFiles::create(&args.outputs, &found.files) {
        Ok(files) => files,
        Err(why) => {
            eprintln!("error: {why}");
            return exit_code::TROUBLE;
        }
    };
    let ctx = output::Context {
        lang,
        fail_on: args.fail_on.into(),
        audit: &audit,
        rules: &rules,
        summary: args.summary,
        statistics: args.statistics,
        show_skipped: args.show_skipped,
        style: Style {
            lang,
            ..Style::plain(args.width.unwrap_or(100))
        },
    };
    let stdout = std::io::stdout();
    // A terminal shows output as it comes (line-buffered, between progress bar redraws);
    // anything else gets large writes.
    let mut out: Box<dyn Write> = if stdout_tty {
        Box::new(stdout.lock())
    } else {
        Box::new(std::io::BufWriter::new(stdout.lock()))
    };
    let count = found.files.len() + found.problems.len();
    let mut sink = files.sink(format, &mut out, ctx, prerender, count);
    let result = run_check(
        &found.files,
        &found.problems,
        &rules,
        &options,
        render,
        args.jobs,
        first,
        &mut *sink,
    );
    drop(sink);
    let summary = match written(result, out.flush(), lang) {
        Ok(summary) => summary,
        Err(code) => return code,
    };
    if let Err(why) = files.commit() {
        eprintln!("error: {why}");
        return exit_code::TROUBLE;
    }
    leave(rules);
    exit_code::check(&found, &summary, args.fail_on.into())
}

/// Leaves the rules to the process's exit instead of freeing their tens of thousands of
/// allocations one by one: a tenth of a millisecond on every run, for nothing.
fn leave(rules: RuleSet) {
    std::mem::forget(rules);
}

/// Sets the pack being loaded to "could not be" when dropped unset: a thread waiting for it
/// (the first file's, [`check_ahead`]) then ends, even if loading panicked.
struct Unblock<'a>(&'a OnceLock<Option<Pack>>);

impl Drop for Unblock<'_> {
    fn drop(&mut self) {
        let _ = self.0.set(None);
    }
}

/// `tally check --explain-stubs`: the stubs instead of any other output (`render` renders
/// them).
fn explain_stubs(
    found: &Discovered,
    rules: &RuleSet,
    options: &CheckOptions,
    fail_on: Severity,
    (jobs, first, render): (Option<usize>, Option<Ahead>, Option<Render<'_>>),
    lang: Lang,
) -> i32 {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut sink = explanation_stubs::StubSink {
        out: &mut out,
        lang,
    };
    let result = run_check(
        &found.files,
        &found.problems,
        rules,
        options,
        render,
        jobs,
        first,
        &mut sink,
    );
    match written(result, out.flush(), lang) {
        Ok(summary) => exit_code::check(found, &summary, fail_on),
        Err(code) => code,
    }
}

/// The run's summary once its output is all written, or the exit code of the failure that
/// stopped it (said on standard error, except a closed pipe, which the reader chose).
fn written(
    result: std::io::Result<Summary>,
    flushed: std::io::Result<()>,
    lang: Lang,
) -> Result<Summary, i32> {
    match (result, flushed) {
        (Ok(summary), Ok(())) => Ok(summary),
        (Err(e), _) if interrupt::is_interruption(&e) => {
            eprintln!("{}", lang.trouble("interrupted", ""));
            Err(exit_code::INTERRUPTED)
        }
        (Err(e), _) | (_, Err(e)) => {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("error: cannot write the output: {e}");
            }
            Err(exit_code::TROUBLE)
        }
    }
}
