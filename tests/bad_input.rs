//! Hostile and broken input, one test each: the real binary runs over a folder holding the bad
//! file next to a good dataset and a wrong one, under a deadline. Each snapshot shows the exit
//! code, the message naming the file and the place, and that the other files were still checked.
//!
//! Small fixtures live in `tests/bad-input/`; big or binary ones are generated into a temp dir.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use wait_timeout::ChildExt;

/// Longer than any of these runs takes in a debug build on a busy machine, short enough that a
/// hang fails the test instead of the CI job.
const DEADLINE: Duration = Duration::from_secs(300);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-input")
}

/// A temp dir laid out as `check.tally` and `data/{good,wrong}.yaml`.
struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn new() -> Run {
        let run = Run {
            dir: tempfile::tempdir().unwrap(),
        };
        let f = fixtures();
        run.copy(&f.join("check.tally"), "check.tally");
        run.copy(&f.join("good.yaml"), "data/good.yaml");
        run.copy(&f.join("wrong.yaml"), "data/wrong.yaml");
        run
    }

    /// A run with the committed bad dataset `name` in `data/`.
    fn with_dataset(name: &str) -> Run {
        let run = Run::new();
        run.copy(
            &fixtures().join("datasets").join(name),
            &format!("data/{name}"),
        );
        run
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn copy(&self, from: &Path, to: &str) {
        self.write(to, std::fs::read(from).unwrap());
    }

    fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// `tally check data --rules check.tally` plus `extra`.
    fn check(&self, extra: &[&str]) -> Outcome {
        let mut args = vec!["check", "data", "--rules", "check.tally"];
        args.extend_from_slice(extra);
        self.tally(&args)
    }

    /// Runs tally in the temp dir with fixed width and no colour, under the deadline.
    fn tally(&self, args: &[&str]) -> Outcome {
        let mut child = crate::runner::tally(self.dir.path())
            .args(args)
            .args(["--color", "never", "--width", "100"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Drain both pipes while waiting, or a big output would block the child forever.
        let out = drain(child.stdout.take().unwrap());
        let err = drain(child.stderr.take().unwrap());
        let status = match child.wait_timeout(DEADLINE).unwrap() {
            Some(status) => status,
            None => {
                child.kill().unwrap();
                child.wait().unwrap();
                panic!("tally {args:?} did not finish within {DEADLINE:?}");
            }
        };
        Outcome {
            code: status.code(),
            stdout: out.join().unwrap(),
            stderr: err.join().unwrap(),
        }
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        pipe.read_to_end(&mut bytes).unwrap();
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// What a run printed and returned; `Display` is the snapshot.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let code = self
            .code
            .map_or_else(|| "killed by a signal".into(), |c| c.to_string());
        write!(
            f,
            "exit: {code}\n--- stdout\n{}--- stderr\n{}",
            self.stdout, self.stderr
        )
    }
}

impl Outcome {
    /// The run went on past the bad file: `wrong.yaml` was checked and its error reported.
    fn checked_the_others(&self, files: usize) -> &Self {
        assert!(
            self.stdout.contains("╭─[data/wrong.yaml:"),
            "wrong.yaml was not reported:\n{self}"
        );
        assert!(
            self.stdout.contains(&format!("{files} files checked")),
            "expected {files} files checked:\n{self}"
        );
        self
    }
}

/// Checks the committed dataset `name` and snapshots the outcome under `snapshot`.
fn dataset(name: &str) -> Outcome {
    let outcome = Run::with_dataset(name).check(&[]);
    outcome.checked_the_others(3);
    outcome
}

macro_rules! snap {
    ($name:expr, $outcome:expr) => {
        insta::with_settings!({ snapshot_path => "bad-input/snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!($name, $outcome.to_string());
        })
    };
}

// ---- datasets ------------------------------------------------------------------------------

#[test]
fn empty_file() {
    let o = dataset("empty.yaml");
    assert_eq!(o.code, Some(1));
    snap!("empty_file", o);
}

#[test]
fn only_comments() {
    let o = dataset("only-comments.yaml");
    assert_eq!(o.code, Some(1));
    snap!("only_comments", o);
}

#[test]
fn bare_scalar_at_the_root() {
    let o = dataset("bare-scalar.yaml");
    assert_eq!(o.code, Some(1));
    snap!("bare_scalar", o);
}

#[test]
fn not_yaml() {
    let o = dataset("not-yaml.yaml");
    assert_eq!(o.code, Some(1));
    snap!("not_yaml", o);
}

#[test]
fn binary_bytes() {
    let run = Run::new();
    // A PNG header and then every byte value: what a mis-named image looks like.
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend(0..=255u8);
    run.write("data/picture.yaml", bytes);
    let o = run.check(&[]);
    o.checked_the_others(3);
    assert_eq!(o.code, Some(1));
    snap!("binary_bytes", o);
}

#[test]
fn invalid_utf8() {
    let run = Run::new();
    // GBK, the other encoding Chinese spreadsheets export: 收入 is C3 D5 C8 EB.
    run.write(
        "data/gbk.yaml",
        b"a: 1.00\nb: 2.00\n\xca\xd5\xc8\xeb: 3.00\n",
    );
    let o = run.check(&[]);
    o.checked_the_others(3);
    assert_eq!(o.code, Some(1));
    snap!("invalid_utf8", o);
}

#[test]
fn utf8_bom_is_read_like_any_file() {
    let run = Run::new();
    run.write(
        "data/bom.yaml",
        "\u{feff}meta: {year: 2020}\na: 1.00\nb: 2.00\ntotal: 3.50\n",
    );
    let o = run.check(&[]);
    o.checked_the_others(3);
    assert_eq!(o.code, Some(1));
    // The finding points at the right bytes after the BOM.
    assert!(o.stdout.contains("╭─[data/bom.yaml:2:"), "{o}");
    assert!(o.stdout.contains("4 │ total: 3.50"), "{o}");
    snap!("utf8_bom", o);
}

#[test]
fn crlf_line_ends_are_read_like_any_file() {
    let o = dataset("crlf.yaml");
    assert_eq!(o.code, Some(1));
    assert!(
        !o.stdout.contains("crlf.yaml"),
        "crlf.yaml is a good dataset:\n{o}"
    );
    snap!("crlf", o);
}

#[test]
fn tabs_in_indentation() {
    let o = dataset("tabs.yaml");
    assert_eq!(o.code, Some(1));
    snap!("tabs", o);
}

#[test]
fn nesting_100000_levels_in_block_style() {
    let run = Run::new();
    run.write(
        "data/deep.yaml",
        format!("a:\n  {}1\n", "- ".repeat(100_000)),
    );
    let o = run.check(&[]);
    o.checked_the_others(3);
    assert_eq!(o.code, Some(1));
    snap!("deep_block", o);
}

#[test]
fn nesting_100000_levels_in_flow_style() {
    let run = Run::new();
    run.write("data/deep-list.yaml", "[".repeat(100_000));
    run.write("data/deep-map.yaml", "{a: ".repeat(100_000));
    let o = run.check(&[]);
    o.checked_the_others(4);
    assert_eq!(o.code, Some(1));
    snap!("deep_flow", o);
}

#[test]
fn alias_bomb() {
    let o = dataset("alias-bomb.yaml");
    assert_eq!(o.code, Some(1));
    snap!("alias_bomb", o);
}

#[test]
fn duplicate_keys() {
    let o = dataset("duplicate-keys.yaml");
    assert_eq!(o.code, Some(1));
    snap!("duplicate_keys", o);
}

#[test]
fn number_beyond_the_range_of_decimals() {
    let o = dataset("beyond-range.yaml");
    assert_eq!(o.code, Some(1));
    snap!("beyond_range", o);
}

#[test]
fn numbers_with_60_decimals() {
    let run = Run::with_dataset("sixty-decimals.yaml");
    run.copy(
        &fixtures().join("datasets/sixty-decimals-wrong.yaml"),
        "data/sixty-decimals-wrong.yaml",
    );
    let o = run.check(&[]);
    o.checked_the_others(4);
    // With 60 decimals, 1 + 2 = 3 holds; a total off by 10^-20 is reported (rust_decimal keeps
    // 28 decimals: the figure is rounded to those, and the rounding becomes its interval).
    assert!(!o.stdout.contains("data/sixty-decimals.yaml"), "{o}");
    assert!(o.stdout.contains("data/sixty-decimals-wrong.yaml"), "{o}");
    snap!("sixty_decimals", o);
}

#[test]
fn a_string_where_a_number_is_needed() {
    let o = dataset("string-for-number.yaml");
    assert_eq!(o.code, Some(1));
    snap!("string_for_number", o);
}

#[test]
fn a_list_where_a_number_is_needed() {
    let o = dataset("list-for-number.yaml");
    assert_eq!(o.code, Some(1));
    snap!("list_for_number", o);
}

#[test]
fn a_mapping_where_a_number_is_needed() {
    let o = dataset("mapping-for-number.yaml");
    assert_eq!(o.code, Some(1));
    snap!("mapping_for_number", o);
}

/// A 50 MB dataset: one mapping of 50 MB of rows. Above `--max-file-size` it is refused
/// without being read; under the default limit it is checked like any other.
#[test]
fn a_50_mb_file() {
    let run = Run::new();
    let row = "  - {name: 一般公共服务支出, amount: 1308.16, share: 12.34}\n";
    let mut text = String::from("meta: {year: 2020}\na: 1.00\nb: 2.00\ntotal: 3.00\nrows:\n");
    while text.len() < 50_000_000 {
        text.push_str(row);
    }
    run.write("data/big.yaml", &text);
    let o = run.check(&["--max-file-size", "10000000"]);
    o.checked_the_others(3);
    assert_eq!(o.code, Some(1));
    let size = text.len().to_string();
    snap!("file_too_large", o.to_string().replace(&size, "<SIZE>"));
    let o = run.check(&[]);
    o.checked_the_others(3);
    assert!(!o.stdout.contains("data/big.yaml"), "{o}");
}

#[cfg(unix)]
#[test]
fn a_folder_with_a_symlink_loop() {
    let run = Run::new();
    std::fs::create_dir_all(run.path("data/sub")).unwrap();
    std::os::unix::fs::symlink("..", run.path("data/sub/up")).unwrap();
    let o = run.check(&[]);
    o.checked_the_others(3);
    assert_eq!(o.code, Some(1));
    snap!("symlink_loop", o);
}

/// chmod 000 does not stop root from reading (CI runs tests as root). As root, the test checks
/// the two places that report an unreadable file another way: discovery, with a dataset that
/// is a dangling symbolic link, and the loader, with a `meta.prior` that names a missing file.
/// Both snapshots were made, the `Permission denied` one by running this test binary as
/// `nobody`.
#[cfg(unix)]
#[test]
fn an_unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let run = Run::new();
    run.write("data/secret.yaml", "a: 1\n");
    let secret = run.path("data/secret.yaml");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let privileged = std::fs::File::open(&secret).is_ok();
    if !privileged {
        let o = run.check(&[]);
        o.checked_the_others(3);
        assert_eq!(o.code, Some(1));
        assert!(
            o.stdout.contains("data/secret.yaml: cannot read the file"),
            "{o}"
        );
        snap!("unreadable_file", o);
        return;
    }
    eprintln!(
        "running as root, where chmod 000 does not stop reads: testing the same messages another way"
    );
    std::fs::remove_file(&secret).unwrap();
    std::os::unix::fs::symlink("gone.yaml", run.path("data/secret.yaml")).unwrap();
    run.write(
        "data/with-prior.yaml",
        "meta: {year: 2020, prior: gone.yaml}\na: 1.00\nb: 2.00\ntotal: 3.00\n",
    );
    let o = run.check(&[]);
    o.checked_the_others(4);
    assert_eq!(o.code, Some(1));
    assert!(o.stdout.contains("data/secret.yaml: cannot read"), "{o}");
    assert!(
        o.stdout.contains("cannot read the file: No such file"),
        "{o}"
    );
    snap!("unreadable_file_as_root", o);
}

#[test]
fn a_folder_with_no_yaml() {
    let run = Run::new();
    run.write("notes/readme.txt", "a: 1\n");
    run.write("notes/table.csv", "a,b\n1,2\n");
    let o = run.tally(&["check", "notes", "data", "--rules", "check.tally"]);
    o.checked_the_others(2);
    assert_eq!(o.code, Some(2));
    snap!("no_yaml", o);
}

// ---- rule files ----------------------------------------------------------------------------

/// Checks with the good rules plus the committed broken rule file `name` and another broken
/// one, whose error must be reported too.
fn rules(name: &str) -> Outcome {
    let run = Run::new();
    for file in [name, "zz-other.tally"] {
        run.copy(
            &fixtures().join("rules").join(file),
            &format!("rules/{file}"),
        );
    }
    let o = run.tally(&[
        "check",
        "data",
        "--rules",
        "check.tally",
        "--rules",
        "rules",
    ]);
    assert!(!o.stdout.contains("files checked"), "{o}");
    assert!(o.stderr.contains(&format!("╭─[rules/{name}:")), "{o}");
    assert!(o.stderr.contains("╭─[rules/zz-other.tally:4:1]"), "{o}");
    assert!(o.stderr.contains("error: 2 problems in rule files"), "{o}");
    o
}

#[test]
fn rule_file_with_an_unterminated_string() {
    let o = rules("unterminated-string.tally");
    assert_eq!(o.code, Some(2));
    snap!("rules_unterminated_string", o);
}

#[test]
fn rule_file_with_an_unknown_severity() {
    let o = rules("unknown-severity.tally");
    assert_eq!(o.code, Some(2));
    snap!("rules_unknown_severity", o);
}

#[test]
fn rule_file_with_an_unknown_function() {
    let o = rules("unknown-function.tally");
    assert_eq!(o.code, Some(2));
    snap!("rules_unknown_function", o);
}

#[test]
fn rule_file_with_duplicate_ids() {
    let o = rules("duplicate-ids.tally");
    assert_eq!(o.code, Some(2));
    snap!("rules_duplicate_ids", o);
}

#[test]
fn rule_file_with_10000_nested_parentheses() {
    let run = Run::new();
    // A hundred lines of a hundred `(` each, so that the excerpt stays readable.
    let open = format!("{}\n", "(".repeat(100)).repeat(100);
    let close = ")".repeat(10_000);
    run.write(
        "rules/deep.tally",
        format!("rule DEEP error \"deep\" {{\n{open}a{close} = 1\n}}\n"),
    );
    let o = run.tally(&[
        "check",
        "data",
        "--rules",
        "check.tally",
        "--rules",
        "rules",
    ]);
    assert_eq!(o.code, Some(2));
    snap!("rules_nested_parentheses", o);
}

#[test]
fn an_empty_rule_file_next_to_others_is_zero_rules() {
    let run = Run::new();
    run.copy(&fixtures().join("rules/empty.tally"), "rules/empty.tally");
    let o = run.tally(&[
        "check",
        "data",
        "--rules",
        "check.tally",
        "--rules",
        "rules",
    ]);
    o.checked_the_others(2);
    assert_eq!(o.code, Some(1));
}

#[test]
fn no_rules_at_all_is_an_error() {
    let run = Run::new();
    run.copy(&fixtures().join("rules/empty.tally"), "rules/empty.tally");
    run.write("rules/to-come.tally", "# rules to come\n");
    let o = run.tally(&["check", "data", "--rules", "rules"]);
    assert_eq!(o.code, Some(2));
    snap!("rules_empty", o);
}

// ---- limits --------------------------------------------------------------------------------

#[test]
fn max_depth_is_reported_with_its_flag() {
    let run = Run::new();
    let mut text = String::from("meta: {year: 2020}\na: 1.00\nb: 2.00\ntotal: 3.00\n");
    for level in 0..8 {
        text.push_str(&format!("{}l{level}:\n", "  ".repeat(level)));
    }
    text.push_str(&format!("{}v: 1\n", "  ".repeat(8)));
    run.write("data/nested.yaml", &text);
    let o = run.check(&["--max-depth", "5"]);
    o.checked_the_others(3);
    assert_eq!(o.code, Some(1));
    snap!("max_depth", o);
    let o = run.check(&["--max-depth", "9"]);
    assert!(!o.stdout.contains("nested.yaml"), "{o}");
}

#[test]
fn limits_that_are_not_numbers_are_usage_errors() {
    let o = Run::new().check(&["--max-depth", "deep"]);
    assert_eq!(o.code, Some(2));
    assert!(
        o.stderr
            .contains("invalid value 'deep' for '--max-depth <LEVELS>'"),
        "{o}"
    );
    let o = Run::new().check(&["--max-file-size", "-1"]);
    assert_eq!(o.code, Some(2));
    // Deeper trees would overflow the stack when they are copied (aliases) or dropped.
    for depth in ["0", "1001"] {
        let o = Run::new().check(&["--max-depth", depth]);
        assert_eq!(o.code, Some(2));
        assert!(o.stderr.contains("is not in 1..=1000"), "{o}");
    }
}

#[test]
fn nesting_100000_levels_with_the_highest_max_depth() {
    let run = Run::new();
    run.write(
        "data/deep.yaml",
        format!("a:\n  {}1\n", "- ".repeat(100_000)),
    );
    let o = run.check(&["--max-depth", "1000"]);
    o.checked_the_others(3);
    assert!(
        o.stdout.contains("nested more than 1000 levels deep"),
        "{o}"
    );
}

// ---- inputs are never written ------------------------------------------------------------

/// Every file under `dir` with its contents and modification time.
fn snapshot_tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
    let mut files: Vec<_> = walk(dir)
        .into_iter()
        .map(|p| {
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let bytes = if meta.is_file() {
                std::fs::read(&p).unwrap()
            } else {
                Vec::new()
            };
            (p, bytes, meta.modified().unwrap())
        })
        .collect();
    files.sort();
    files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = vec![dir.to_path_buf()];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[cfg(unix)]
#[test]
fn inputs_are_read_only_to_tally() {
    use std::os::unix::fs::PermissionsExt;
    let run = Run::with_dataset("duplicate-keys.yaml");
    run.write(
        "data/prior/2019.yaml",
        "meta: {year: 2019, role: reference}\ntotal: 2.00\n",
    );
    run.write(
        "data/with-prior.yaml",
        "meta: {year: 2020, prior: prior/2019.yaml}\na: 1.00\nb: 2.00\ntotal: 3.00\n",
    );
    let before = snapshot_tree(run.dir.path());
    let read_only = |mode| {
        for path in walk(&run.path("data")).into_iter().rev() {
            let mode = if path.is_dir() { mode | 0o111 } else { mode };
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        std::fs::set_permissions(
            run.path("check.tally"),
            std::fs::Permissions::from_mode(mode),
        )
        .unwrap();
    };
    read_only(0o444);
    for format in ["human", "json"] {
        let o = run.check(&["--format", format]);
        assert_eq!(o.code, Some(1), "{o}");
        assert!(o.stdout.contains("duplicate"), "{o}");
    }
    read_only(0o644);
    // The permissions were put back; nothing else may differ (contents, times, new files).
    assert_eq!(snapshot_tree(run.dir.path()), before);
}

#[cfg(unix)]
#[test]
fn devices_and_pipes_are_not_read() {
    let run = Run::new();
    // Read whole, /dev/zero would be 512 MB of NULs and /dev/stdin would wait for the terminal.
    run.write(
        "data/with-prior.yaml",
        "meta: {year: 2020, prior: /dev/zero}\na: 1.00\nb: 2.00\ntotal: 3.00\nchange: 0\n",
    );
    let o = run.tally(&["check", "data", "/dev/null", "--rules", "check.tally"]);
    o.checked_the_others(4);
    assert_eq!(o.code, Some(1));
    snap!("devices", o);
}

// ---- terminal escapes --------------------------------------------------------------------

/// A dataset must not be able to act on the auditor's terminal: clear the screen, move the
/// cursor up over earlier findings, or reverse the digits of a figure.
#[cfg(unix)]
#[test]
fn control_characters_never_reach_the_terminal() {
    use std::os::unix::ffi::OsStrExt;
    let run = Run::new();
    run.write(
        "data/raw.yaml",
        "a: 1.00 # \u{1b}[2J\u{1b}[1A\nb: 2.00\ntotal: 3.00\n",
    );
    run.write(
        "data/escaped.yaml",
        "a: 1.00\nb: 2.00\ntotal: 3.00\nnote: \"\\e[2J\"\n",
    );
    run.write("data/bidi.yaml", "a: 1.00\nb: 2.00\ntotal: \u{202e}3.00\n");
    let name = std::ffi::OsStr::from_bytes(b"data/name\x1b[2J.yaml");
    std::fs::write(run.dir.path().join(name), "a: 1\nb: 2\ntotal: 4\n").unwrap();
    let o = run.check(&[]);
    o.checked_the_others(6);
    assert_eq!(o.code, Some(1));
    assert!(
        !o.stdout.contains('\u{1b}') && !o.stdout.contains('\u{202e}'),
        "{o}"
    );
    assert!(o.stdout.contains("╭─[data/name?[2J.yaml:1:4]"), "{o}");
    snap!("control_characters", o);
}

#[test]
fn rule_file_with_a_control_character() {
    let o = rules("control-character.tally");
    assert_eq!(o.code, Some(2));
    assert!(!o.stderr.contains('\u{1b}'), "{o}");
    snap!("rules_control_character", o);
}

/// A rule that compares every row with every other row (not a lookup by key), on a dataset of
/// 3,000 rows: nine million comparisons, stopped by `--timeout`. The file gets a `timeout`
/// error naming the rule; the other files are checked as usual.
#[test]
fn quadratic_work_is_stopped_by_the_timeout() {
    let run = Run::new();
    run.write(
        "pairs.tally",
        "rule PAIRS warning \"rows in order\" {\n    when exists(rows) {\n        \
         for x in rows {\n            for y in rows {\n                \
         x.v <= y.v or x.v > y.v\n            }\n        }\n    }\n}\n",
    );
    let mut data = String::from("a: 1.00\nb: 2.00\ntotal: 3.00\nrows:\n");
    for i in 0..3000 {
        data.push_str(&format!("  - {{v: {i}}}\n"));
    }
    run.write("data/pairs.yaml", &data);
    let o = run.check(&["--rules", "pairs.tally", "--timeout", "0.05"]);
    o.checked_the_others(3);
    assert_eq!(o.code, Some(1));
    snap!("timeout", o);
    let o = run.check(&["--rules", "pairs.tally", "--timeout=-1"]);
    assert_eq!(o.code, Some(2), "{o}");
    assert!(o.stderr.contains("is not a time limit"), "{o}");
}
