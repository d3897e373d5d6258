//! Loads the built-in pack once, when tally is built, so that runs need not parse it.
//!
//! `rules/` is embedded in the binary (include_dir), and cargo does not otherwise notice a rule
//! file added or edited there: `rerun-if-changed=rules` rebuilds tally when one is.
//!
//! The script compiles tally's front end (the modules below, the same files as the crate's)
//! and loads `rules/` from disk through [`rules::pack::builtin`], exactly as a run would load
//! the embedded copy. It writes the checked pack to `$OUT_DIR/builtin-pack.postcard`, which
//! `src/rules/prebuilt.rs` decodes at run time (see there). If the pack has errors, it writes
//! nothing useful (an empty file): a run then parses the pack and reports them as usual.
//! The cfg `tally_prebuilt` tells the crate that the file exists; the script's own copy of
//! the modules is compiled without it.

#![allow(dead_code, unused_imports, clippy::all)]

#[path = "src/dataset/mod.rs"]
mod dataset;
#[path = "src/number.rs"]
mod number;
#[path = "src/rules/mod.rs"]
mod rules;
#[path = "src/severity.rs"]
mod severity;
#[path = "src/source.rs"]
mod source;
#[path = "src/stored.rs"]
mod stored;

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    println!("cargo::rustc-cfg=tally_prebuilt");
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let sources = rules::ruleset::BuiltinSources::from_entries(read_dir(Path::new("rules")));
    let stored = match rules::pack::builtin(sources.clone()) {
        Ok(pack) => rules::prebuilt::encode(&pack, &sources.all()),
        // Reported by the run that parses the pack instead.
        Err(_) => Vec::new(),
    };
    let file = Path::new(&out).join("builtin-pack.postcard");
    std::fs::write(&file, stored).expect("writing the built-in pack to OUT_DIR");
}

/// Every UTF-8 file under `dir`: its path under `dir` (with `/`) and its text, as include_dir
/// embeds them.
fn read_dir(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, prefix)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let p = entry.path();
            if p.is_dir() {
                stack.push((p, relative));
            } else if let Ok(text) = std::fs::read_to_string(&p) {
                out.push((relative, text));
            }
        }
    }
    out
}
