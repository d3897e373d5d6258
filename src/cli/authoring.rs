//! The rule authors' commands: `tally test`, `tally lint`, `tally explain`, `tally rules`.

use super::load_pack;
use crate::authoring::{lint as linter, rule_info, rule_test};
use crate::exit_code;
use crate::output::diagnostic::Style;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `tally test`.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Pack folders whose `tests/` fixtures to run (each with its rules and `pack.toml`).
    #[arg(default_value = "rules")]
    paths: Vec<PathBuf>,
    /// Also fail (exit 1) when a rule has no case where it fires, or none where it is quiet.
    #[arg(long)]
    require_coverage: bool,
    /// Show each unexpected finding in full (values, computed sides, help).
    #[arg(long)]
    show_findings: bool,
    /// Only the cases whose fixture path or case name contains this text.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    format: TestFormat,
}

/// How `tally test` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TestFormat {
    /// A line per case, the differences of failed ones, the totals.
    Human,
    /// One JSON document (version 1): per pack, each case and its differences, the counts.
    Json,
}

/// Arguments of `tally lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// The pack folder (its rules, `pack.toml` and `tests/` fixtures). Default: `rules`, the
    /// built-in pack's folder.
    #[arg(default_value = "rules")]
    pack: PathBuf,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    format: TestFormat,
}

/// `tally lint`: exit 0 when the pack is clean, 1 with findings, 2 when it does not load.
pub fn lint(args: LintArgs) -> i32 {
    if !args.pack.is_dir() {
        eprintln!("error: {}: not a folder of rules", args.pack.display());
        return exit_code::TROUBLE;
    }
    let Some(pack) = load_pack(std::slice::from_ref(&args.pack), style()) else {
        return exit_code::TROUBLE;
    };
    let lints = linter::lint(&pack, Some(&args.pack));
    match args.format {
        TestFormat::Human => {
            let shown: Vec<(&str, &crate::rules::rule_error::RuleError)> =
                lints.iter().map(|l| (l.code, &l.at)).collect();
            print!(
                "{}",
                crate::output::diagnostic::render_lints(&shown, Style::plain(100))
            );
            let plural =
                |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
            println!(
                "{}: {}, {}",
                args.pack.display(),
                plural(pack.rules.rules.len(), "rule"),
                plural(lints.len(), "lint finding")
            );
        }
        TestFormat::Json => {
            let findings: Vec<serde_json::Value> = lints
                .iter()
                .map(|l| {
                    let at = l.at.line_col();
                    serde_json::json!({
                        "code": l.code,
                        "rule": l.rule,
                        "message": l.at.message,
                        "file": l.at.file.name,
                        "line": at.line,
                        "column": at.column,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::json!({
                    "version": 1,
                    "pack": args.pack.display().to_string(),
                    "rules": pack.rules.rules.len(),
                    "findings": findings,
                })
            );
        }
    }
    exit_code::lint(lints.len())
}

/// Arguments of `tally explain`.
#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The rule id.
    id: String,
    /// Rule files, folders or packs; repeatable. Default: the built-in pack.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
}

/// Arguments of `tally rules`.
#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    /// Only the rules in force in this fiscal year.
    #[arg(long, value_name = "YEAR")]
    year: Option<i64>,
    /// Rule files, folders or packs; repeatable. Default: the built-in pack.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
    /// Print only the pack's content hash (SHA-256 of its rule files, pack.toml and
    /// layout.yaml), as the reports record it.
    #[arg(long)]
    hash: bool,
}

fn style() -> Style {
    Style {
        color: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        ..Style::plain(100)
    }
}

/// `tally test`: exit 0 when every case passes, 1 when one fails, 2 when one cannot run.
pub fn test(args: TestArgs) -> i32 {
    let mut code = exit_code::OK;
    let json = args.format == TestFormat::Json;
    // With `--format json`, the packs' results, printed as one document at the end; a pack
    // that cannot run is listed with why (its errors go to standard error, as in human output).
    let mut packs = Vec::new();
    let cannot_run = |path: &PathBuf, why: &str| serde_json::json!({"path": path.display().to_string(), "error": why});
    for path in &args.paths {
        if !path.is_dir() {
            eprintln!("error: {}: not a folder of rules", path.display());
            packs.push(cannot_run(path, "not a folder of rules"));
            code = exit_code::TROUBLE;
            continue;
        }
        let Some(pack) = load_pack(std::slice::from_ref(path), style()) else {
            let why = "the rules or pack.toml have errors (see standard error)";
            packs.push(cannot_run(path, why));
            code = exit_code::TROUBLE;
            continue;
        };
        let run = rule_test::run(path, &pack, args.filter.as_deref(), Style::plain(100));
        if json {
            packs.push(rule_test::json(path, &run, args.show_findings));
        } else {
            print_out(&rule_test::report(&run, args.show_findings));
        }
        let failed = run.failed() > 0;
        let gaps = !run.never_fired().is_empty() || !run.never_quiet().is_empty();
        let this = exit_code::test_pack(
            !run.broken.is_empty(),
            failed,
            args.require_coverage && gaps,
        );
        code = code.max(this);
    }
    if json {
        println!("{}", serde_json::json!({"version": 1, "packs": packs}));
    }
    code
}

/// `tally explain ID`: exit 0, or 2 for an unknown id.
pub fn explain(args: ExplainArgs) -> i32 {
    let Some(pack) = load_pack(&args.rules, style()) else {
        return exit_code::TROUBLE;
    };
    match rule_info::explain(&pack, &args.id) {
        Some(text) => print_out(&text),
        None => {
            eprintln!(
                "error: no rule `{}` in {}; `tally rules` lists them",
                args.id,
                pack.names.join(" → ")
            );
            exit_code::TROUBLE
        }
    }
}

/// `tally rules`: the effective rule set.
pub fn rules(args: RulesArgs) -> i32 {
    let Some(pack) = load_pack(&args.rules, style()) else {
        return exit_code::TROUBLE;
    };
    if args.hash {
        print_out(&format!("{}\n", pack.hash))
    } else {
        print_out(&rule_info::list(&pack, args.year))
    }
}

/// `tally layout` arguments.
#[derive(Debug, clap::Args)]
pub(super) struct LayoutArgs {
    /// Rule packs (folders); default: the built-in pack.
    #[arg(long = "rules", value_name = "PATH")]
    rules: Vec<PathBuf>,
}

/// `tally layout`: the pack's layout as Markdown (how `examples/LAYOUT.md` is made).
pub fn layout(args: LayoutArgs) -> i32 {
    let Some(pack) = load_pack(&args.rules, style()) else {
        return exit_code::TROUBLE;
    };
    match &pack.rules.layout {
        Some(layout) => print_out(&layout.to_markdown()),
        None => {
            eprintln!(
                "error: {} has no layout (layout.yaml beside its rules)",
                pack.names.join(" → ")
            );
            exit_code::TROUBLE
        }
    }
}

/// Writes a command's output to standard output: OK, or TROUBLE with a message when it cannot
/// be written. A reader that stops early (`| head`) is no trouble and no panic.
fn print_out(text: &str) -> i32 {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => exit_code::OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit_code::OK,
        Err(e) => {
            eprintln!("error: cannot write the output: {e}");
            exit_code::TROUBLE
        }
    }
}
