//! Rule packs: a folder of rule files with an optional `pack.toml` manifest.
//!
//! ```toml
//! name = "江油市 2021"          # optional, shown by `tally rules`
//! extends = "builtin"          # or a folder relative to this manifest, e.g. "../base"
//! disable = ["FA-EVAL-003", "FA-STAFF-*"]   # ids, or prefixes ending in `*`
//!
//! [severity]                   # severity overrides
//! "FA-BUD-002" = "error"
//! ```
//!
//! A pack's rules are those of the pack it extends, then its own `*.tally` files (folders
//! holding a `pack.toml` of their own are packs apart, not part of it). Each manifest applies
//! to the rules of its pack and of the packs below it, never to a pack that extends it. An
//! entry that names no rule is an error at its place in the manifest.

use crate::rules::ast::Rule;
use crate::rules::layout::Layout;
use crate::rules::rule_error::RuleError;
use crate::rules::ruleset::{BuiltinSources, LoadError, RuleSet, read_rule_file};
use crate::severity::Severity;
use crate::source::{SourceFile, Span};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// The manifest's file name.
pub const MANIFEST: &str = "pack.toml";
/// The name that `extends` gives the built-in pack.
pub const BUILTIN: &str = "builtin";

/// A loaded, effective rule set and what the manifests did to it.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Pack {
    /// The active rules, with their effective severities.
    pub rules: RuleSet,
    /// Rules switched off by a manifest.
    pub disabled: Vec<Change>,
    /// Severities changed by a manifest.
    pub overrides: Vec<Change>,
    /// The names of the packs loaded, base first.
    pub names: Vec<String>,
    /// Ids of the active rules defined by the packs named on the command line themselves,
    /// not by the packs they extend (whose fixtures live with them).
    pub own: Vec<String>,
    /// SHA-256 (lower-case hex) of every layer's rule files, `pack.toml` and `layout.yaml`:
    /// see `content_hash` in this module.
    pub hash: String,
}

/// One change a manifest made to one rule.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// The rule.
    pub rule: String,
    /// For an override, the severity before and after.
    pub severity: Option<(Severity, Severity)>,
    /// The manifest and the line of the entry that made the change.
    pub by: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: Option<String>,
    extends: Option<Spanned<String>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
}

/// One pack of the chain: its files and its manifest.
struct Layer {
    name: String,
    /// What the layer was read from (a canonical folder, or the built-in pack), so that a
    /// pack reached twice (two packs that both extend the built-in one) is loaded once.
    key: PathBuf,
    /// True for a pack reached through `extends`.
    base: bool,
    files: Vec<Arc<SourceFile>>,
    manifest: Option<(Arc<SourceFile>, Manifest)>,
    /// The pack's `layout.yaml`, if it has one.
    layout: Option<Arc<SourceFile>>,
    /// The path the layer was named by (`<built-in>` for the built-in pack): its files'
    /// names are hashed relative to it, so that the hash does not depend on where the pack is.
    root: String,
}

/// Loads the rules given with `--rules` (the built-in pack when none), following manifests.
pub fn load(paths: &[PathBuf]) -> Result<Pack, LoadError> {
    if paths.is_empty() {
        return match super::prebuilt::builtin() {
            Some(pack) => Ok(pack),
            None => builtin(BuiltinSources::embedded()),
        };
    }
    let mut layers = Vec::new();
    for path in paths {
        resolve(path, &mut layers, &mut Vec::new())?;
    }
    let mut keys = std::collections::HashSet::new();
    layers.retain(|l| keys.insert(l.key.clone()));
    assemble(layers)
}

/// The built-in pack, with its own manifest if `rules/` has one (which may not extend).
/// The built-in pack, parsed and checked from its files: what `build.rs` stores for
/// [`super::prebuilt`], and what a run loads when nothing was stored.
pub fn builtin(sources: BuiltinSources) -> Result<Pack, LoadError> {
    assemble(vec![builtin_layer(sources)?])
}

fn builtin_layer(sources: BuiltinSources) -> Result<Layer, LoadError> {
    let manifest = match sources.manifest {
        None => None,
        Some(source) => {
            let parsed = parse_manifest(&source)?;
            if let Some(base) = &parsed.extends {
                return Err(manifest_error(
                    &source,
                    base.span(),
                    "the built-in pack cannot extend another pack".into(),
                ));
            }
            Some((source, parsed))
        }
    };
    Ok(Layer {
        name: manifest
            .as_ref()
            .and_then(|(_, m)| m.name.clone())
            .unwrap_or_else(|| "<built-in>".into()),
        key: PathBuf::from("<built-in>"),
        base: false,
        files: sources.files,
        manifest,
        layout: sources.layout,
        root: "<built-in>".into(),
    })
}

/// Adds the layers of `path` (its bases first) to `layers`. `seen` holds the manifests being
/// resolved, to catch a pack that extends itself.
fn resolve(path: &Path, layers: &mut Vec<Layer>, seen: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let manifest_path = path.join(MANIFEST);
    if !path.is_dir() || !manifest_path.is_file() {
        let files = crate::rules::ruleset::rule_files(path)?
            .iter()
            .map(|f| read_rule_file(f))
            .collect::<Result<_, _>>()?;
        layers.push(Layer {
            name: path.display().to_string(),
            key: path.canonicalize().unwrap_or_else(|_| path.to_path_buf()),
            base: !seen.is_empty(),
            files,
            manifest: None,
            layout: if path.is_dir() {
                layout_file(path)?
            } else {
                None
            },
            root: path.display().to_string(),
        });
        return Ok(());
    }
    let canonical = manifest_path
        .canonicalize()
        .map_err(|e| LoadError::Io(manifest_path.clone(), e.to_string()))?;
    let source = read_rule_file(&manifest_path)?;
    let manifest = parse_manifest(&source)?;
    if let Some(base) = &manifest.extends {
        if seen.contains(&canonical) {
            return Err(manifest_error(
                &source,
                base.span(),
                "this pack extends itself (through the packs it extends)".into(),
            ));
        }
        seen.push(canonical.clone());
        if base.get_ref() == BUILTIN {
            layers.push(Layer {
                base: true,
                ..builtin_layer(BuiltinSources::embedded())?
            });
        } else {
            let base_path = path.join(base.get_ref());
            if !base_path.is_dir() {
                return Err(manifest_error(
                    &source,
                    base.span(),
                    format!(
                        "`extends` names `{}`, which is not a folder (relative to this manifest), nor `{BUILTIN}`",
                        base.get_ref()
                    ),
                ));
            }
            resolve(&base_path, layers, seen)?;
        }
        seen.pop();
    }
    let files = own_rule_files(path)?
        .iter()
        .map(|f| read_rule_file(f))
        .collect::<Result<_, _>>()?;
    layers.push(Layer {
        name: manifest
            .name
            .clone()
            .unwrap_or_else(|| path.display().to_string()),
        key: canonical,
        base: !seen.is_empty(),
        files,
        manifest: Some((source, manifest)),
        layout: layout_file(path)?,
        root: path.display().to_string(),
    });
    Ok(())
}

/// The pack folder's layout (`layout.yaml`, in it or in a folder below that is not a pack of
/// its own): at most one.
fn layout_file(root: &Path) -> Result<Option<Arc<SourceFile>>, LoadError> {
    let found = pack_files(root, |p| {
        p.file_name()
            .is_some_and(|n| n == crate::rules::layout::FILE_NAME)
    })?;
    match found.as_slice() {
        [] => Ok(None),
        [one] => read_rule_file(one).map(Some),
        [first, second, ..] => Err(LoadError::Io(
            root.to_path_buf(),
            format!(
                "a pack has one layout, but this one has two: {} and {}",
                first.display(),
                second.display()
            ),
        )),
    }
}

/// The `*.tally` files of a pack folder, leaving out sub-folders that are packs of their own.
fn own_rule_files(root: &Path) -> Result<Vec<PathBuf>, LoadError> {
    pack_files(root, |p| p.extension().is_some_and(|e| e == "tally"))
}

/// The files of a pack folder that `wanted` picks, sorted by name, leaving out sub-folders
/// that are packs of their own (they hold a `pack.toml`).
fn pack_files(root: &Path, wanted: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>, LoadError> {
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.path().join(MANIFEST).is_file());
    for entry in walker {
        let entry = entry.map_err(|e| LoadError::Io(root.to_path_buf(), e.to_string()))?;
        if entry.file_type().is_file() && wanted(entry.path()) {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

fn parse_manifest(source: &Arc<SourceFile>) -> Result<Manifest, LoadError> {
    toml::from_str(&source.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        manifest_error(source, span, e.message().trim().to_string())
    })
}

fn manifest_error(
    source: &Arc<SourceFile>,
    span: std::ops::Range<usize>,
    message: String,
) -> LoadError {
    LoadError::Rules(vec![RuleError::new(
        source,
        Span::new(span.start, span.end),
        message,
    )])
}

/// Checks all rule files at once (so every error is reported), then applies each manifest to
/// the rules of its own layer and those below it.
fn assemble(layers: Vec<Layer>) -> Result<Pack, LoadError> {
    let hash = content_hash(&layers);
    let all: Vec<Arc<SourceFile>> = layers.iter().flat_map(|l| l.files.clone()).collect();
    let RuleSet {
        mut rules,
        keyed_loops,
        ..
    } = RuleSet::from_files(all)?;
    // The layout of the pack named last that has one: a pack that extends another reads its
    // layout unless it brings its own.
    let layout_file = layers.iter().rev().find_map(|l| l.layout.clone());
    let mut pack = Pack::default();
    let mut active: Vec<Rule> = Vec::new();
    let mut errors = Vec::new();
    for layer in layers {
        let (mine, rest) = rules
            .into_iter()
            .partition(|r| layer.files.iter().any(|f| Arc::ptr_eq(f, &r.file)));
        rules = rest;
        if !layer.base {
            pack.own.extend(mine.iter().map(|r: &Rule| r.id.clone()));
        }
        active.extend::<Vec<Rule>>(mine);
        if let Some((source, manifest)) = &layer.manifest {
            apply(source, manifest, &mut active, &mut pack, &mut errors);
        }
        pack.names.push(layer.name);
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.file.name.clone(), e.span.start));
        return Err(LoadError::Rules(errors));
    }
    pack.own.retain(|id| active.iter().any(|r| r.id == *id));
    pack.hash = hash;
    let layout = match layout_file {
        None => None,
        Some(file) => Some(Arc::new(checked_layout(file, &active)?)),
    };
    // The loops keep their numbers, so the whole set's plans serve the active rules.
    pack.rules = RuleSet {
        rules: active,
        keyed_loops,
        layout,
    };
    Ok(pack)
}

/// Reads a pack's layout and checks every path of the active rules against it: a misspelt
/// path is a rule-file error at its place, not a finding in every dataset.
fn checked_layout(file: Arc<SourceFile>, rules: &[Rule]) -> Result<Layout, LoadError> {
    let layout = Layout::parse(file.clone()).map_err(|errors| {
        LoadError::Rules(
            errors
                .into_iter()
                .map(|e| RuleError::new(&file, e.span, format!("in the layout: {}", e.message)))
                .collect(),
        )
    })?;
    let mut errors: Vec<RuleError> = rules
        .iter()
        .flat_map(|r| crate::rules::layout_paths::check(r, &layout))
        .collect();
    if errors.is_empty() {
        Ok(layout)
    } else {
        errors.sort_by_key(|e| (e.file.name.clone(), e.span.start));
        Err(LoadError::Rules(errors))
    }
}

/// Applies one manifest's `disable` and `severity` entries.
fn apply(
    source: &Arc<SourceFile>,
    manifest: &Manifest,
    active: &mut Vec<Rule>,
    pack: &mut Pack,
    errors: &mut Vec<RuleError>,
) {
    let by = |span: std::ops::Range<usize>| {
        format!(
            "{}:{}",
            source.name,
            source.line_col(span.start as u32).line
        )
    };
    for (id, level) in &manifest.severity {
        let Some(severity) = Severity::from_name(level.get_ref()) else {
            errors.push(RuleError::new(
                source,
                Span::new(level.span().start, level.span().end),
                format!(
                    "unknown severity `{}`: use `error`, `warning` or `info`",
                    level.get_ref()
                ),
            ));
            continue;
        };
        match active.iter_mut().find(|r| r.id == *id.get_ref()) {
            Some(rule) => {
                pack.overrides.push(Change {
                    rule: rule.id.clone(),
                    severity: Some((rule.severity, severity)),
                    by: by(id.span()),
                });
                rule.severity = severity;
            }
            None => errors.push(no_such_rule(source, id)),
        }
    }
    for entry in &manifest.disable {
        let pattern = entry.get_ref();
        let hit = |r: &Rule| match pattern.strip_suffix('*') {
            Some(prefix) => r.id.starts_with(prefix),
            None => r.id == *pattern,
        };
        let before = active.len();
        active.retain(|r| {
            let off = hit(r);
            if off {
                pack.disabled.push(Change {
                    rule: r.id.clone(),
                    severity: None,
                    by: by(entry.span()),
                });
            }
            !off
        });
        if active.len() == before {
            errors.push(no_such_rule(source, entry));
        }
    }
}

/// The pack's content hash, so that a bureau can say which rules were in force: SHA-256 over
/// each layer in load order (bases first), and within a layer over its `pack.toml`, its
/// `layout.yaml` and its rule files sorted by name, each as `NAME\nLENGTH\nTEXT`. Names are
/// relative to the pack's folder, so that `--rules rules/` and the built-in pack (the same
/// files) have the same hash wherever the pack lies.
fn content_hash(layers: &[Layer]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for layer in layers {
        let mut entries: Vec<(String, &str)> = Vec::new();
        if let Some((source, _)) = &layer.manifest {
            entries.push((MANIFEST.to_string(), &source.text));
        }
        if let Some(layout) = &layer.layout {
            entries.push(("layout.yaml".to_string(), &layout.text));
        }
        for file in &layer.files {
            let name = file.name.as_str();
            let relative = name
                .strip_prefix(layer.root.as_str())
                .map(|r| r.trim_start_matches('/'))
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| name.rsplit('/').next().unwrap_or(name));
            entries.push((relative.to_string(), &file.text));
        }
        entries.sort();
        hasher.update(b"layer\n");
        for (name, text) in entries {
            hasher.update(format!("{name}\n{}\n", text.len()).as_bytes());
            hasher.update(text.as_bytes());
        }
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn no_such_rule(source: &Arc<SourceFile>, id: &Spanned<String>) -> RuleError {
    RuleError::new(
        source,
        Span::new(id.span().start, id.span().end),
        format!(
            "`{}` names no rule of this pack or of the packs it extends",
            id.get_ref()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_manifest_applies_and_may_not_extend() {
        let with = |text: &str| BuiltinSources {
            manifest: Some(Arc::new(SourceFile::new("<built-in>/pack.toml", text))),
            ..BuiltinSources::embedded()
        };
        let layer = builtin_layer(with("name = \"省级决算\"\n")).unwrap();
        assert_eq!(layer.name, "省级决算");
        assert!(layer.manifest.is_some());
        let Err(LoadError::Rules(errors)) = builtin_layer(with("extends = \"../x\"\n")) else {
            panic!("a built-in manifest that extends must be refused");
        };
        assert_eq!(
            errors[0].message,
            "the built-in pack cannot extend another pack"
        );
        assert_eq!(errors[0].line_col().line, 1);
    }

    #[test]
    fn without_a_manifest_the_builtin_pack_is_its_files() {
        let layer = builtin_layer(BuiltinSources::embedded()).unwrap();
        assert_eq!(layer.name, "<built-in>");
        assert_eq!(
            layer.files.len(),
            crate::rules::ruleset::builtin_files().len()
        );
    }
}
