//! The house reads as the pipeline: no import cycle between the top-level modules of `src/`
//! (a folder or a file is one module; `crate::NAME` is an import of NAME). The same check as
//! the workplace's `modcycles.py`, kept with the code so that a cycle fails the tests.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module with the top-level modules it imports (test modules left out).
fn imports(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut todo = vec![src.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).unwrap();
                let top = rel
                    .components()
                    .next()
                    .unwrap()
                    .as_os_str()
                    .to_string_lossy();
                let top = top.trim_end_matches(".rs").to_string();
                if top != "main" && top != "lib" {
                    let text = std::fs::read_to_string(&path).unwrap();
                    // Unit tests may reach anywhere.
                    let text = text.split("\n#[cfg(test)]").next().unwrap().to_string();
                    files.push((top, text));
                }
            }
        }
    }
    let names: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &files {
        let entry = edges.entry(module.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            let used: Vec<&str> = match rest.strip_prefix('{') {
                Some(group) => group
                    .split('}')
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .map(|p| p.trim().split("::").next().unwrap_or(""))
                    .collect(),
                None => vec![
                    rest.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .next()
                        .unwrap_or(""),
                ],
            };
            for name in used {
                if names.contains(name) && name != module {
                    entry.insert(name.to_string());
                }
            }
        }
    }
    edges
}

/// A cycle through `start`, if one is reachable back to it.
fn cycle_through(edges: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        edges: &BTreeMap<String, BTreeSet<String>>,
        at: &str,
        start: &str,
        path: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in edges.get(at).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                path.push(next.clone());
                if walk(edges, next, start, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let mut path = vec![start.to_string()];
    walk(edges, start, start, &mut path, &mut BTreeSet::new()).then_some(path)
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let edges = imports(Path::new("src"));
    assert!(edges.len() >= 8, "the stage modules: {:?}", edges.keys());
    for module in edges.keys() {
        if let Some(cycle) = cycle_through(&edges, module) {
            panic!("import cycle: {} -> {module}", cycle.join(" -> "));
        }
    }
}

#[test]
fn the_check_finds_a_cycle() {
    let mut edges = BTreeMap::new();
    edges.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    edges.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(
        cycle_through(&edges, "a"),
        Some(vec!["a".into(), "b".into()])
    );
    edges.insert("b".to_string(), BTreeSet::new());
    assert_eq!(cycle_through(&edges, "a"), None);
}
