//! Loading rule files (from disk or the built-in pack) and checking them as a whole:
//! duplicate ids across files, variables used outside their scope.

use super::ast::{Expr, MessagePart, Rule, Scope, Stmt};
use super::keyed_loops::KeyedLoops;
use super::walk::{visit_exprs, visit_paths};
use crate::rules::parser::parse_file;
use crate::rules::rule_error::RuleError;
use crate::source::{SourceFile, Span};
use include_dir::{Dir, include_dir};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The project's `rules/` folder, embedded in the binary as the default pack.
static BUILTIN: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/rules");

/// The name of the root that reaches the prior-year dataset.
pub const PRIOR: &str = "prior";

/// A checked set of rules, ready to run against any number of datasets.
#[derive(Debug, Default)]
pub struct RuleSet {
    /// The rules, in file order (files sorted by path).
    pub rules: Vec<Rule>,
    /// How each of their loops runs, by [`LoopId`](super::ast::LoopId).
    pub keyed_loops: KeyedLoops,
}

/// Why rules could not be loaded.
#[derive(Debug)]
pub enum LoadError {
    /// A path given with `--rules` could not be read.
    Io(PathBuf, String),
    /// Errors in the rule files, all of them.
    Rules(Vec<RuleError>),
}

impl RuleSet {
    /// The built-in pack.
    pub fn builtin() -> Result<RuleSet, LoadError> {
        RuleSet::from_files(builtin_files())
    }

    /// Rule files (`*.tally`) from files and folders, sorted by path within each folder.
    pub fn load(paths: &[PathBuf]) -> Result<RuleSet, LoadError> {
        let mut files = Vec::new();
        for path in paths {
            for file in rule_files(path)? {
                files.push(read_rule_file(&file)?);
            }
        }
        RuleSet::from_files(files)
    }

    /// Parses and checks source files into a rule set, reporting every error at once.
    pub fn from_files(files: Vec<Arc<SourceFile>>) -> Result<RuleSet, LoadError> {
        let mut rules = Vec::new();
        let mut errors = Vec::new();
        for file in &files {
            if let Some((at, c)) = crate::source::control_chars::find(&file.text) {
                // Shown up to the character, so that the excerpt does not print it.
                let shown = Arc::new(SourceFile::new(file.name.clone(), &file.text[..at]));
                let message = format!(
                    "the control character {} would act on the terminal instead of being shown; \
                     remove it",
                    crate::source::control_chars::name(c)
                );
                errors.push(RuleError::new(&shown, Span::new(at, at), message));
                continue;
            }
            let (mut parsed, mut errs) = parse_file(file);
            rules.append(&mut parsed);
            errors.append(&mut errs);
        }
        errors.extend(duplicate_ids(&rules));
        super::path_slots::assign(&mut rules);
        let keyed_loops = super::keyed_loops::plan(&mut rules);
        for rule in &mut rules {
            errors.extend(check_scopes(rule));
            rule.uses_prior = reads_prior(rule);
        }
        if errors.is_empty() {
            Ok(RuleSet { rules, keyed_loops })
        } else {
            errors.sort_by_key(|e| (e.file.name.clone(), e.span.start));
            Err(LoadError::Rules(errors))
        }
    }

    /// The rule with that id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// The built-in pack's manifest (`rules/pack.toml`), if it has one.
pub fn builtin_manifest() -> Option<&'static str> {
    BUILTIN.get_file("pack.toml")?.contents_utf8()
}

/// The built-in pack's `layout.yaml`, if `rules/` has one.
pub fn builtin_layout() -> Option<&'static str> {
    BUILTIN.get_file("layout.yaml")?.contents_utf8()
}

/// The built-in pack's files, named `<built-in>/PATH`, sorted by path.
pub fn builtin_files() -> Vec<Arc<SourceFile>> {
    builtin_sources()
        .into_iter()
        .map(|(name, text)| Arc::new(SourceFile::new(format!("<built-in>/{name}"), text)))
        .collect()
}

/// Reads one rule file (UTF-8 text).
pub fn read_rule_file(file: &Path) -> Result<Arc<SourceFile>, LoadError> {
    let text = std::fs::read(file).map_err(|e| LoadError::Io(file.to_path_buf(), e.to_string()))?;
    let text = String::from_utf8(text).map_err(|e| {
        LoadError::Io(
            file.to_path_buf(),
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    Ok(Arc::new(SourceFile::new(file.display().to_string(), text)))
}

/// The rule files embedded in the binary: path under `rules/` and text, sorted by path.
pub fn builtin_sources() -> Vec<(String, String)> {
    let mut files = Vec::new();
    collect_builtin(&BUILTIN, &mut files);
    files.sort();
    files
}

fn collect_builtin(dir: &Dir<'static>, out: &mut Vec<(String, String)>) {
    for file in dir.files() {
        if file.path().extension().is_some_and(|e| e == "tally")
            && let Some(text) = file.contents_utf8()
        {
            out.push((file.path().display().to_string(), text.to_string()));
        }
    }
    for sub in dir.dirs() {
        collect_builtin(sub, out);
    }
}

/// The `*.tally` files under a path (the path itself if it is a file).
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, LoadError> {
    if !path.exists() {
        return Err(LoadError::Io(
            path.to_path_buf(),
            "no such file or folder".into(),
        ));
    }
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
        let entry = entry.map_err(|e| LoadError::Io(path.to_path_buf(), e.to_string()))?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "tally") {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

fn duplicate_ids(rules: &[Rule]) -> Vec<RuleError> {
    let mut first: HashMap<&str, &Rule> = HashMap::new();
    let mut errors = Vec::new();
    for rule in rules {
        if let Some(earlier) = first.get(rule.id.as_str()) {
            let mut err = RuleError::new(
                &rule.file,
                rule.id_span,
                format!("duplicate rule id `{}`", rule.id),
            );
            err.note = Some((
                earlier.file.clone(),
                earlier.id_span,
                "first defined here".into(),
            ));
            errors.push(err);
        } else {
            first.insert(&rule.id, rule);
        }
    }
    errors
}

/// Reports a variable used where it is not bound, although the rule binds it elsewhere
/// (e.g. a `for` variable used after its loop). Any other unbound root name is a top-level key
/// of the dataset. Uses the scopes [`super::path_slots::assign`] worked out.
///
/// Messages are rendered in the scope of the failing check, so a variable bound anywhere in
/// the rule may appear there; only the rule's body is checked.
fn check_scopes(rule: &Rule) -> Vec<RuleError> {
    let mut bound_anywhere = HashSet::new();
    collect_bindings(&rule.body, &mut bound_anywhere);
    let mut errors = Vec::new();
    visit_exprs(&rule.body, &mut |e| {
        visit_paths(e, &mut |path| {
            let root = path.root.as_str();
            if path.scope == Scope::Dataset && bound_anywhere.contains(root) {
                errors.push(RuleError::new(
                    &rule.file,
                    path.root_span,
                    format!("unknown variable `{root}`: it is not bound here (it is bound elsewhere in this rule)"),
                ));
            }
        })
    });
    errors
}

fn collect_bindings<'a>(stmts: &'a [Stmt], out: &mut HashSet<&'a str>) {
    for stmt in stmts {
        match stmt {
            Stmt::Let { name, .. } => {
                out.insert(name);
            }
            Stmt::For { var, body, .. } => {
                out.insert(var);
                collect_bindings(body, out);
            }
            Stmt::When { body, .. } => collect_bindings(body, out),
            Stmt::Check(_) => {}
        }
    }
}

/// True when the rule reads `prior.…` (and `prior` is not a variable of its own).
fn reads_prior(rule: &Rule) -> bool {
    let mut bound = HashSet::new();
    collect_bindings(&rule.body, &mut bound);
    if bound.contains(PRIOR) {
        return false;
    }
    let mut found = false;
    let mut look = |e: &Expr| visit_paths(e, &mut |p| found |= p.root == PRIOR);
    visit_exprs(&rule.body, &mut look);
    for part in &rule.message {
        if let MessagePart::Expr(e) = part {
            look(e);
        }
    }
    found
}
