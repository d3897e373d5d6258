//! The command line: arguments → rules → check → output → exit code.
//!
//! `tally check` is [`check`]; `tally test`, `explain`, `rules` and `layout`, the rule
//! authors' commands, are [`authoring`]. Every exit code is decided in [`crate::exit_code`].

mod authoring;
mod check;

use crate::exit_code;
use crate::output::diagnostic::{self, Style};
use crate::rules::pack::Pack;
use crate::rules::ruleset::LoadError;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// tally checks whether a fiscal report adds up.
#[derive(Debug, Parser)]
#[command(name = "tally", version, about, after_help = exit_code::CHECK_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check datasets (YAML files, or folders of them) against rules.
    #[command(after_help = exit_code::CHECK_HELP)]
    Check(check::CheckArgs),
    /// Run the fixtures of rule packs (`tests/*.yaml` beside the rules).
    #[command(after_help = exit_code::TEST_HELP)]
    Test(authoring::TestArgs),
    /// Find rules that cannot do what they were written for (conditions that never hold,
    /// checks that always do, duplicates, unused `let`s, rules no fixture covers, tolerances
    /// wider than their figures).
    #[command(after_help = exit_code::LINT_HELP)]
    Lint(authoring::LintArgs),
    /// Show a rule in full: severity, years, message, help, rationale, source.
    #[command(after_help = exit_code::RULES_HELP)]
    Explain(authoring::ExplainArgs),
    /// List the effective rule set (after pack manifests).
    #[command(after_help = exit_code::RULES_HELP)]
    Rules(authoring::RulesArgs),
    /// Print the pack's dataset layout (layout.yaml) as a Markdown reference.
    #[command(after_help = exit_code::RULES_HELP)]
    Layout(authoring::LayoutArgs),
}

/// Runs the command line and returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                exit_code::TROUBLE
            } else {
                exit_code::OK
            };
        }
    };
    match cli.command {
        Command::Check(args) => check::check(args),
        Command::Test(args) => authoring::test(args),
        Command::Lint(args) => authoring::lint(args),
        Command::Explain(args) => authoring::explain(args),
        Command::Rules(args) => authoring::rules(args),
        Command::Layout(args) => authoring::layout(args),
    }
}

/// Loads the rules and packs named on the command line (following `pack.toml` manifests), or
/// the built-in pack; prints errors.
fn load_pack(paths: &[PathBuf], style: Style) -> Option<Pack> {
    match crate::rules::pack::load(paths) {
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
            eprint!("{}", diagnostic::render_rule_errors(&errors, style));
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
