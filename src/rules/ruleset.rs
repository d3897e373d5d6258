//! Loading rule files (from disk or the built-in pack) and checking them as a whole:
//! duplicate ids across files, variables used outside their scope.

use super::ast::{Expr, MessagePart, Rule, Scope, Stmt};
use super::keyed_loops::KeyedLoops;
use super::walk::{Step, visit_exprs, visit_paths, visit_steps};
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
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct RuleSet {
    /// The rules, in file order (files sorted by path).
    pub rules: Vec<Rule>,
    /// How each of their loops runs, by [`LoopId`](super::ast::LoopId).
    pub keyed_loops: KeyedLoops,
    /// The pack's layout, when it has one: datasets are checked against it before the rules
    /// run, and the rules' paths were checked against it when they were loaded.
    pub layout: Option<Arc<super::layout::Layout>>,
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
            Ok(RuleSet {
                rules,
                keyed_loops,
                layout: None,
            })
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

/// The built-in pack's files, each named `<built-in>/PATH` (`PATH` under `rules/`).
#[derive(Debug, Clone, Default)]
pub struct BuiltinSources {
    /// The rule files (`*.tally` anywhere under `rules/`), sorted by path.
    pub files: Vec<Arc<SourceFile>>,
    /// The layout (`layout.yaml` in `rules/` or, failing that, the shallowest below it).
    pub layout: Option<Arc<SourceFile>>,
    /// The manifest, `rules/pack.toml`.
    pub manifest: Option<Arc<SourceFile>>,
}

impl BuiltinSources {
    /// The files embedded in the binary.
    pub fn embedded() -> BuiltinSources {
        let mut entries = Vec::new();
        collect_builtin(&BUILTIN, &mut entries);
        BuiltinSources::from_entries(entries)
    }

    /// Picks the pack's files out of `rules/`'s files, given as path under `rules/` (with `/`
    /// between folders) and text. `build.rs` reads them from disk, a run from the binary:
    /// both pick them here, so that both build the same pack.
    pub fn from_entries(mut entries: Vec<(String, String)>) -> BuiltinSources {
        entries.sort();
        let named =
            |path: &str, text: &str| Arc::new(SourceFile::new(format!("<built-in>/{path}"), text));
        let files = entries
            .iter()
            .filter(|(path, _)| path.ends_with(".tally"))
            .map(|(path, text)| named(path, text))
            .collect();
        let layout = entries
            .iter()
            .filter(|(path, _)| path.rsplit('/').next() == Some(super::layout::FILE_NAME))
            .min_by_key(|(path, _)| (path.matches('/').count(), path.clone()))
            .map(|(path, text)| named(path, text));
        let manifest = entries
            .iter()
            .find(|(path, _)| path == super::pack::MANIFEST)
            .map(|(path, text)| named(path, text));
        BuiltinSources {
            files,
            layout,
            manifest,
        }
    }

    /// Every file of the pack: the rule files, the layout, the manifest.
    pub fn all(&self) -> Vec<Arc<SourceFile>> {
        let mut all = self.files.clone();
        all.extend(self.layout.clone());
        all.extend(self.manifest.clone());
        all
    }
}

/// The built-in pack's rule files, named `<built-in>/PATH`, sorted by path.
pub fn builtin_files() -> Vec<Arc<SourceFile>> {
    BuiltinSources::embedded().files
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
    files.retain(|(path, _)| path.ends_with(".tally"));
    files.sort();
    files
}

/// The files embedded from `rules/` that a pack is made of (rule files, layouts, the
/// manifest; not the fixtures): path under `rules/`, with `/` between folders, and text.
fn collect_builtin(dir: &Dir<'static>, out: &mut Vec<(String, String)>) {
    for file in dir.files() {
        let path = file.path();
        let wanted = path.extension().is_some_and(|e| e == "tally")
            || path
                .file_name()
                .is_some_and(|n| n == super::layout::FILE_NAME || n == super::pack::MANIFEST);
        // simdutf8: this runs on every start, and std's check costs ten times as much.
        if let (true, Ok(text)) = (wanted, simdutf8::basic::from_utf8(file.contents())) {
            let path: Vec<String> = path
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((path.join("/"), text.to_string()));
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
            if path.scope != Scope::Dataset || root == PRIOR {
                return;
            }
            if bound_anywhere.contains(root) {
                errors.push(RuleError::new(
                    &rule.file,
                    path.root_span,
                    format!("unknown variable `{root}`: it is not bound here (it is bound elsewhere in this rule)"),
                ));
            } else if let Some(near) = misspelt_variable(root, &bound_anywhere) {
                errors.push(RuleError::new(
                    &rule.file,
                    path.root_span,
                    format!(
                        "unknown variable `{root}` (did you mean `{near}`?): a name that is no \
                         variable reads a top-level key of the dataset, which would be a typo here"
                    ),
                ));
            }
        })
    });
    errors
}

/// A variable of the rule that `root` is likely a typo of: the same length (one letter
/// changed, or two swapped) and at least 3 letters, so that `rows` beside `for row in rows`
/// or a one-letter `r` beside a key `k` are never taken for typos.
fn misspelt_variable<'a>(root: &str, bound: &HashSet<&'a str>) -> Option<&'a str> {
    let len = root.chars().count();
    if len < 3 {
        return None;
    }
    let mut same_length: Vec<&str> = bound
        .iter()
        .copied()
        .filter(|b| b.chars().count() == len)
        .collect();
    same_length.sort_unstable();
    crate::rules::layout::closest(root, same_length.into_iter())
}

/// Every name a rule's statements bind: `let`, `for` (and its position or key), and the
/// variables bound inside expressions (`any(x in …: …)`, `sum(… for x in …)`).
fn collect_bindings<'a>(stmts: &'a [Stmt], out: &mut HashSet<&'a str>) {
    collect_statement_bindings(stmts, out);
    visit_exprs(stmts, &mut |e| {
        visit_steps(e, &mut |step| {
            if let Step::Bind(var) = step {
                out.insert(var);
            }
        })
    });
}

fn collect_statement_bindings<'a>(stmts: &'a [Stmt], out: &mut HashSet<&'a str>) {
    for stmt in stmts {
        match stmt {
            Stmt::Let { name, .. } => {
                out.insert(name);
            }
            Stmt::For {
                var,
                position,
                body,
                ..
            } => {
                out.insert(var);
                if let Some(position) = position {
                    out.insert(position);
                }
                collect_statement_bindings(body, out);
            }
            Stmt::When { body, .. } => collect_statement_bindings(body, out),
            Stmt::Check(..) => {}
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
