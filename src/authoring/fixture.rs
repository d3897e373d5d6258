//! Rule fixtures: small datasets with the findings they must produce, read by `tally test`.
//!
//! A fixture is a YAML file in a `tests/` folder of a pack (`rules/final-accounts/tests/
//! FA-TOT-001.yaml`). Its cases share the file's `rules` and `prior`:
//!
//! ```yaml
//! rules: [FA-TOT-001]     # optional: ids or `PREFIX*` run; `all`; default: the rule named
//!                         # by the file name if there is one, else all
//! prior: {…}              # optional prior-year dataset for every case
//! cases:
//!   - name: parts add up
//!     data: {…}           # the dataset (a fragment is enough)
//!     expect: none
//!   - name: a typo in the total
//!     data: {…}
//!     expect:
//!       - FA-TOT-001                                  # a finding of that rule
//!       - {rule: FA-TOT-001, at: total, message: 合计}  # at a value path (or row), message part
//! ```
//!
//! A file without `cases` is one case: its top level holds `data` and `expect`.
//!
//! A file with a top-level `base:` is a file of mutation cases instead (see [`crate::authoring::mutation`]):
//! each case changes a few figures of a whole real dataset and names the rules that must fire
//! or stay quiet.

use crate::dataset::file_error::FileError;
use crate::dataset::load::{apply_precision, parse_dataset};
use crate::dataset::yaml::Limits;
use crate::dataset::{Dataset, Node, NodeKind};
use crate::source::{SourceFile, Span};
use std::path::Path;
use std::sync::Arc;

/// One fixture file.
#[derive(Debug)]
pub struct Fixture {
    /// The file (every case's data points into it).
    pub file: Arc<SourceFile>,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

/// Which rules a case runs.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Every rule of the pack.
    All,
    /// Ids, or prefixes ending in `*`, each with its place in the fixture.
    Some(Vec<(String, Span)>),
}

impl Selection {
    /// True when the selection takes the rule with this id.
    pub fn takes(&self, id: &str) -> bool {
        match self {
            Selection::All => true,
            Selection::Some(patterns) => patterns.iter().any(|(p, _)| matches(p, id)),
        }
    }
}

/// True when a pattern (an id, or a prefix ending in `*`) names the id.
pub fn matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// One case: a dataset and what it must produce.
#[derive(Debug)]
pub struct Case {
    /// Its name (or `case N`).
    pub name: String,
    /// Where the case starts.
    pub span: Span,
    /// The rules it runs; `None` means the file's default.
    pub rules: Option<Selection>,
    /// The dataset.
    pub data: Dataset,
    /// The prior-year dataset, if any.
    pub prior: Option<Dataset>,
    /// The findings it must produce (empty: none).
    pub expect: Vec<Expected>,
}

/// One expected finding.
#[derive(Debug, Clone)]
pub struct Expected {
    /// The rule id (or code).
    pub rule: String,
    /// A value path of the finding, or a row holding one.
    pub at: Option<String>,
    /// A part of the message.
    pub message: Option<String>,
    /// Whether the finding must be explained (`true`) or open (`false`).
    pub explained: Option<bool>,
    /// Where it is written.
    pub span: Span,
}

impl Expected {
    /// How much the expectation says, to match the most specific ones first.
    pub fn specificity(&self) -> usize {
        usize::from(self.at.is_some())
            + usize::from(self.message.is_some())
            + usize::from(self.explained.is_some())
    }

    /// The expectation in one line, for the report.
    pub fn describe(&self) -> String {
        let mut s = self.rule.clone();
        if let Some(at) = &self.at {
            s.push_str(&format!(" at {at}"));
        }
        if let Some(m) = &self.message {
            s.push_str(&format!(" with message containing \"{m}\""));
        }
        match self.explained {
            Some(true) => s.push_str(" (explained)"),
            Some(false) => s.push_str(" (not explained)"),
            None => {}
        }
        s
    }
}

/// Top-level keys of a fixture file, and of a case.
const FILE_KEYS: [&str; 6] = ["rules", "prior", "cases", "name", "data", "expect"];
const CASE_KEYS: [&str; 5] = ["name", "rules", "data", "prior", "expect"];

/// What a fixture file holds.
#[derive(Debug)]
pub enum Loaded {
    /// Cases of small datasets, with the file's rule selection.
    Fragments(Fixture, Option<Selection>),
    /// Mutation cases over a base dataset: the file's text, for [`crate::authoring::mutation::run`].
    Mutations(String),
}

/// Reads a fixture file. A problem is a [`FileError`] at its place in the file.
pub fn load(path: &Path) -> Result<Loaded, (Arc<SourceFile>, FileError)> {
    let failure = |f: crate::dataset::load::LoadFailure| (f.file, f.error);
    let text = std::fs::read_to_string(path).map_err(|e| {
        (
            Arc::new(SourceFile::new(path.display().to_string(), "")),
            FileError::new("io", format!("cannot read the fixture: {e}")),
        )
    })?;
    let parsed =
        parse_dataset(path.display().to_string(), text, Limits::default()).map_err(failure)?;
    let file = parsed.file.clone();
    if parsed.root.get("base").is_some() {
        return Ok(Loaded::Mutations(file.text.clone()));
    }
    read(&parsed.root, &file)
        .map(|(fixture, rules)| Loaded::Fragments(fixture, rules))
        .map_err(|e| (file, e))
}

fn read(root: &Node, file: &Arc<SourceFile>) -> Result<(Fixture, Option<Selection>), FileError> {
    known_keys(root, &FILE_KEYS)?;
    let rules = root.get("rules").map(selection).transpose()?;
    let prior = root.get("prior").map(|n| dataset(n, file)).transpose()?;
    let cases = match root.get("cases") {
        Some(list) => {
            if root.get("data").is_some() || root.get("expect").is_some() {
                return Err(FileError::new(
                    "fixture",
                    "a fixture has either `cases:` or one case's `data:` and `expect:` at the top, not both",
                )
                .at(list.span));
            }
            let NodeKind::List(items) = &list.kind else {
                return Err(
                    FileError::new("fixture", "`cases` must be a list of cases").at(list.span)
                );
            };
            items
                .iter()
                .enumerate()
                .map(|(i, item)| case(item, i, file, &prior))
                .collect::<Result<_, _>>()?
        }
        None => vec![case(root, 0, file, &prior)?],
    };
    Ok((
        Fixture {
            file: file.clone(),
            cases,
        },
        rules,
    ))
}

fn case(
    node: &Node,
    index: usize,
    file: &Arc<SourceFile>,
    prior: &Option<Dataset>,
) -> Result<Case, FileError> {
    if !matches!(node.kind, NodeKind::Map(_)) {
        return Err(FileError::new(
            "fixture",
            "a case must be a mapping with `data` and `expect`",
        )
        .at(node.span));
    }
    known_keys(node, &CASE_KEYS)?;
    let name = node
        .get("name")
        .and_then(|n| n.as_text().map(str::to_string))
        .unwrap_or_else(|| format!("case {}", index + 1));
    let Some(data) = node.get("data") else {
        return Err(
            FileError::new("fixture", format!("case `{name}` has no `data`")).at(node.span),
        );
    };
    let Some(expect) = node.get("expect") else {
        return Err(FileError::new(
            "fixture",
            format!("case `{name}` has no `expect` (a list of findings, or `none`)"),
        )
        .at(node.span));
    };
    let own_prior = node.get("prior").map(|n| dataset(n, file)).transpose()?;
    Ok(Case {
        name,
        span: node.span,
        rules: node.get("rules").map(selection).transpose()?,
        data: dataset(data, file)?,
        prior: own_prior.or_else(|| prior.as_ref().map(copy)),
        expect: expectations(expect)?,
    })
}

fn copy(d: &Dataset) -> Dataset {
    Dataset {
        file: d.file.clone(),
        root: d.root.clone(),
    }
}

/// A dataset held inside the fixture: its values keep their places in the fixture file.
fn dataset(node: &Node, file: &Arc<SourceFile>) -> Result<Dataset, FileError> {
    if !matches!(node.kind, NodeKind::Map(_)) {
        return Err(FileError::new(
            "fixture",
            format!("a dataset must be a mapping, not {}", node.kind_name()),
        )
        .at(node.span));
    }
    let mut root = node.clone();
    apply_precision(&mut root)?;
    Ok(Dataset {
        file: file.clone(),
        root,
    })
}

fn selection(node: &Node) -> Result<Selection, FileError> {
    let bad = || {
        FileError::new(
            "fixture",
            "`rules` must be `all` or a list of rule ids (or prefixes ending in `*`)",
        )
        .at(node.span)
    };
    match &node.kind {
        NodeKind::Text(t) if &**t == "all" => Ok(Selection::All),
        NodeKind::Text(t) => Ok(Selection::Some(vec![(t.to_string(), node.span)])),
        NodeKind::List(items) => items
            .iter()
            .map(|i| i.as_text().map(|t| (t.to_string(), i.span)).ok_or_else(bad))
            .collect::<Result<_, _>>()
            .map(Selection::Some),
        _ => Err(bad()),
    }
}

fn expectations(node: &Node) -> Result<Vec<Expected>, FileError> {
    match &node.kind {
        NodeKind::Text(t) if &**t == "none" => Ok(Vec::new()),
        NodeKind::Null => Ok(Vec::new()),
        NodeKind::List(items) => items.iter().map(expected).collect(),
        _ => Err(FileError::new(
            "fixture",
            "`expect` must be `none` or a list of findings (rule ids, or `{rule, at, message}`)",
        )
        .at(node.span)),
    }
}

fn expected(node: &Node) -> Result<Expected, FileError> {
    if let Some(rule) = node.as_text() {
        return Ok(Expected {
            rule: rule.to_string(),
            at: None,
            message: None,
            explained: None,
            span: node.span,
        });
    }
    if !matches!(node.kind, NodeKind::Map(_)) {
        return Err(FileError::new(
            "fixture",
            "an expected finding is a rule id or a mapping `{rule, at, message, explained}`",
        )
        .at(node.span));
    }
    known_keys(node, &["rule", "at", "message", "explained"])?;
    let text = |key: &str| node.get(key).and_then(|n| n.as_text()).map(str::to_string);
    let Some(rule) = text("rule") else {
        return Err(
            FileError::new("fixture", "an expected finding needs its `rule`").at(node.span),
        );
    };
    let explained = match node.get("explained").map(|n| &n.kind) {
        None => None,
        Some(NodeKind::Bool(b)) => Some(*b),
        Some(_) => {
            return Err(
                FileError::new("fixture", "`explained` must be true or false").at(node.span),
            );
        }
    };
    Ok(Expected {
        rule,
        at: text("at"),
        message: text("message"),
        explained,
        span: node.span,
    })
}

/// Rejects keys a fixture does not know, so that a typo (`expected:`) is not silently ignored.
fn known_keys(node: &Node, known: &[&str]) -> Result<(), FileError> {
    if let NodeKind::Map(entries) = &node.kind {
        for e in entries {
            if !known.contains(&&*e.key) {
                return Err(FileError::new(
                    "fixture",
                    format!(
                        "unknown key `{}` here; a fixture knows {}",
                        e.key,
                        known
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .at(e.key_span));
            }
        }
    }
    Ok(())
}
