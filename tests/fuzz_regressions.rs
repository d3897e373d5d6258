//! Replays every input the fuzzers ever crashed on (`tests/fuzz-regressions/<target>/`), and
//! the fuzzers' seed inputs (`fuzz/seeds/<target>/`), through the same entry points and
//! invariants as the fuzz targets (`fuzz/src/entry.rs`).

#[path = "../fuzz/src/entry.rs"]
mod entry;

use std::path::Path;

fn replay(target: &str, run: fn(&str)) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut count = 0;
    for dir in [
        root.join("tests/fuzz-regressions").join(target),
        root.join("fuzz/seeds").join(target),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            // The targets take `&str`: libFuzzer never hands them anything else.
            let Ok(text) = String::from_utf8(bytes) else {
                continue;
            };
            eprintln!("replaying {}", path.display());
            run(&text);
            count += 1;
        }
    }
    assert!(count > 0, "no inputs for {target}");
}

#[test]
fn rules() {
    replay("rules", entry::rules);
}

#[test]
fn dataset() {
    replay("dataset", entry::dataset);
}

#[test]
fn check() {
    replay("check", entry::check);
}
