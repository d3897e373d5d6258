//! The Chinese guide (`docs/GUIDE.zh.md`) stays true: every ```console block's `$ tally …`
//! command is run, in order, in a copy of `examples/final-accounts/` and in Chinese
//! (`LANG=zh_CN.UTF-8`), and its standard output compared with the block (a line `…` stands
//! for any number of lines). A ```yaml block after `<!-- guide-test: append FILE -->` is
//! appended to FILE, as the guide tells the reader to.

use std::path::Path;

/// One step of the guide.
enum Step {
    Run {
        args: Vec<String>,
        expected: Vec<String>,
    },
    Append {
        file: String,
        text: String,
    },
}

fn steps(guide: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut lines = guide.lines();
    let mut append: Option<String> = None;
    while let Some(line) = lines.next() {
        if let Some(file) = line
            .strip_prefix("<!-- guide-test: append ")
            .and_then(|r| r.strip_suffix(" -->"))
        {
            append = Some(file.to_string());
        } else if line.starts_with("```") {
            let block: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.starts_with("```"))
                .collect();
            if let Some(file) = append.take() {
                steps.push(Step::Append {
                    file,
                    text: block.iter().map(|l| format!("{l}\n")).collect(),
                });
            } else if line == "```console" {
                let command = block[0]
                    .strip_prefix("$ tally ")
                    .expect("a `$ tally` command");
                steps.push(Step::Run {
                    args: command.split_whitespace().map(str::to_string).collect(),
                    expected: block[1..].iter().map(|l| l.to_string()).collect(),
                });
            }
        }
    }
    steps
}

/// Whether `actual` matches `expected`, where a line `…` matches any run of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "…" => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            actual.first().is_some_and(|a| a == first) && matches(rest, &actual[1..])
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn the_chinese_guide_shows_real_commands_and_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("docs/GUIDE.zh.md")).unwrap();
    let steps = steps(&guide);
    assert!(steps.len() >= 6, "the guide's steps were not found");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&root.join("examples/final-accounts"), dir.path());
    for step in steps {
        match step {
            Step::Append { file, text } => {
                let path = dir.path().join(file);
                let mut old = std::fs::read_to_string(&path).unwrap();
                old.push_str(&text);
                std::fs::write(path, old).unwrap();
            }
            Step::Run { args, expected } => {
                let out = crate::runner::tally(dir.path())
                    .args(&args)
                    .env("LANG", "zh_CN.UTF-8")
                    .output()
                    .unwrap();
                let stdout = String::from_utf8(out.stdout).unwrap();
                let actual: Vec<&str> = stdout.lines().collect();
                assert!(
                    matches(&expected, &actual),
                    "`tally {}` in docs/GUIDE.zh.md is stale (regenerate with `cargo build --release && python3 docs/update_guide.py` and review the diff); it now prints:\n{stdout}",
                    args.join(" ")
                );
            }
        }
    }
}

#[test]
fn ellipsis_lines_match_any_run_of_lines() {
    let e = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(matches(&e(&["a", "…", "d"]), &["a", "b", "c", "d"]));
    assert!(matches(&e(&["a", "…", "d"]), &["a", "d"]));
    assert!(!matches(&e(&["a", "…", "d"]), &["a", "b"]));
    assert!(!matches(&e(&["a"]), &["a", "b"]));
}

#[test]
fn every_format_and_flag_is_documented() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = std::fs::read_to_string(root.join("docs/OUTPUT.md")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let help = crate::runner::tally(root)
        .args(["check", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    // The formats, as `--help` lists them ("- human: …" under "Possible values").
    let formats: Vec<&str> = help
        .split("--format <FORMAT>")
        .nth(1)
        .unwrap()
        .split("--output")
        .next()
        .unwrap()
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert!(formats.len() >= 10, "{formats:?}");
    for format in formats {
        assert!(
            output.contains(&format!("| `{format}` |")),
            "docs/OUTPUT.md has no row for the format `{format}`"
        );
        assert!(
            readme.contains(&format!("`{format}`")),
            "README omits `{format}`"
        );
    }
    // Every flag of `tally check` is in the README.
    for flag in help.lines().filter_map(|l| l.trim().strip_prefix("--")) {
        let flag = flag.split([' ', '<']).next().unwrap();
        if flag != "help" {
            assert!(
                readme.contains(&format!("--{flag}")),
                "README omits --{flag}"
            );
        }
    }
    assert!(readme.contains("tally rules --hash") && output.contains("tally rules --hash"));
    assert!(readme.contains("docs/GUIDE.zh.md"));
    // The stale claim is gone for good.
    assert!(!output.contains("no explanations yet"));
}
