//! Writes a benchmark corpus shaped like the seed report (`bench/seed-2020.yaml`).
//!
//! ```text
//! cargo run --release --example gen-corpus -- --out DIR --count N [--large] [--seed S]
//!     [--template FILE] [--large-rows ROWS] [--join ROWS]
//! ```
//!
//! - `DIR/datasets/NNNNN.yaml`: N seed-sized datasets. Each is the template with its money
//!   figures multiplied by a whole factor (1–4, exact in two decimals, so the template's sums
//!   stay sums and its shares stay shares), the department renamed, and in about one file in
//!   five one figure knocked off by 1 (an injected violation).
//! - `DIR/large/consolidated.yaml` (with `--large`): one consolidated dataset of about 100 MB,
//!   the template scaled by 1000 whose function classes hold `--large-rows` items in all
//!   (default 300,000), the items of each class adding up exactly to the class.
//!
//! - `DIR/join/ROWS.yaml` (with `--join ROWS`): a self-evaluation of ROWS statements and ROWS
//!   indicators, the pack's row-by-row match of two tables (FA-DUP-016) at scale. One
//!   statement in 1,000 differs from its indicator. Two sizes show whether matching grows
//!   with the rows (linear) or with their square.
//!
//! Everything is deterministic from `--seed`. The template's `meta.prior` line is dropped: the
//! corpus measures single-year checking (a bureau's batch), with no prior-year files to find.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The template: a snapshot of `examples/final-accounts/2020.yaml` taken for the benchmark,
/// so that the corpus does not change when the example is edited.
const SEED: &str = include_str!("../bench/seed-2020.yaml");

/// Keys whose numbers are amounts of money (万元) wherever they stand.
const MONEY_KEYS: &[&str] = &[
    "amount",
    "budget",
    "executed",
    "budget_fiscal",
    "executed_fiscal",
    "budget_other",
    "executed_other",
    "received",
    "spent",
    "detail_amount",
    "stated_total",
    "personnel",
    "public_running",
    "goods",
    "works",
    "services",
    "income_total",
    "expenditure_total",
    "opening_carryover",
    "closing_carryover",
    "structure_total",
    "detail_total",
];

/// Top-level sections where `total` is an amount of money (elsewhere it counts units,
/// vehicles or people).
const MONEY_TOTAL_SECTIONS: &[&str] = &[
    "overview",
    "income",
    "expenditure",
    "fiscal_overview",
    "gpb_expenditure",
    "basic_expenditure",
    "three_public",
    "procurement",
    "annex1",
    "annex2",
];

/// Mappings whose `total` counts things (vehicles, people, units), even in a money section.
const COUNT_PARENTS: &[&str] = &["owned", "staffing", "institutions", "vehicles"];

fn main() {
    if let Err(e) = run() {
        eprintln!("gen-corpus: {e}");
        std::process::exit(2);
    }
}

struct Args {
    out: PathBuf,
    count: usize,
    large: bool,
    large_rows: usize,
    seed: u64,
    template: Option<PathBuf>,
    join: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        out: PathBuf::new(),
        count: 0,
        large: false,
        large_rows: 300_000,
        seed: 1,
        template: None,
        join: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--out" => args.out = PathBuf::from(value()?),
            "--count" => args.count = value()?.parse().map_err(|e| format!("--count: {e}"))?,
            "--large" => args.large = true,
            "--large-rows" => {
                args.large_rows = value()?.parse().map_err(|e| format!("--large-rows: {e}"))?
            }
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--template" => args.template = Some(PathBuf::from(value()?)),
            "--join" => args.join = Some(value()?.parse().map_err(|e| format!("--join: {e}"))?),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.out.as_os_str().is_empty() {
        return Err("--out DIR is required".into());
    }
    Ok(args)
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let template = match &args.template {
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => SEED.to_string(),
    };
    let lines = annotate(&template);
    let mut rng = SplitMix(args.seed);
    if args.count > 0 {
        let dir = args.out.join("datasets");
        create_dir(&dir)?;
        let mut injected = 0;
        let mut bytes = 0;
        for i in 0..args.count {
            let (text, violated) = small_dataset(&lines, i, &mut rng);
            injected += usize::from(violated);
            bytes += text.len();
            write(&dir.join(format!("{i:05}.yaml")), &text)?;
        }
        println!(
            "{} datasets ({bytes} bytes) in {}, {injected} with an injected violation",
            args.count,
            dir.display()
        );
    }
    if args.large {
        let dir = args.out.join("large");
        create_dir(&dir)?;
        let text = large_dataset(&lines, args.large_rows, &mut rng)?;
        let path = dir.join("consolidated.yaml");
        write(&path, &text)?;
        println!("{} ({} bytes)", path.display(), text.len());
    }
    if let Some(rows) = args.join {
        let dir = args.out.join("join");
        create_dir(&dir)?;
        let text = join_dataset(rows);
        let path = dir.join(format!("{rows}.yaml"));
        write(&path, &text)?;
        println!("{} ({} bytes)", path.display(), text.len());
    }
    Ok(())
}

/// A self-evaluation whose `rows` statements restate its `rows` indicators (one level-1 and
/// one level-2 group), one in 1,000 with another score.
fn join_dataset(rows: usize) -> String {
    let mut out = String::with_capacity(rows * 120 + 256);
    out.push_str("meta:\n  year: 2020\n  department: 连接测试\nself_evaluation:\n  statements:\n");
    for i in 0..rows {
        let score = if i % 1000 == 999 { 8 } else { i % 7 };
        let _ = writeln!(
            out,
            "    - {{code: \"{i}\", name: 指标{i}, score: {score}}}"
        );
    }
    out.push_str(
        "  level1:\n    - name: 一级\n      level2:\n        - name: 二级\n          level3:\n",
    );
    for i in 0..rows {
        let _ = writeln!(
            out,
            "            - {{code: \"{i}\", name: 指标{i}, max: 9, score: {}}}",
            i % 7
        );
    }
    out
}

fn create_dir(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// One template line, with what the generator needs to know about it.
struct Line<'t> {
    text: &'t str,
    /// The top-level section the line belongs to.
    section: &'t str,
    /// The byte range of a plain number that is an amount of money, if the line holds one.
    money: Option<(usize, usize)>,
}

/// Finds the money figures of block-style lines (`key: 12.34  # comment`), tracking the
/// top-level section by indentation.
fn annotate(template: &str) -> Vec<Line<'_>> {
    let mut section = "";
    // The keys of the mappings enclosing the current line, with their indentation.
    let mut open: Vec<(usize, &str)> = Vec::new();
    template
        .lines()
        .map(|text| {
            let trimmed = text.trim_start();
            let indent = text.len() - trimmed.len();
            let body = trimmed.strip_prefix("- ").unwrap_or(trimmed);
            let key_indent = indent + (trimmed.len() - body.len());
            let key = (!trimmed.starts_with('#'))
                .then(|| body.split_once(':').map(|(k, _)| k))
                .flatten();
            if let Some(key) = key {
                open.retain(|&(i, _)| i < key_indent);
                if indent == 0 {
                    section = key;
                }
            }
            let parent = open.last().map_or("", |&(_, k)| k);
            let money = body.split_once(": ").and_then(|(key, rest)| {
                let is_money = MONEY_KEYS.contains(&key)
                    || (key == "total"
                        && MONEY_TOTAL_SECTIONS.contains(&section)
                        && !COUNT_PARENTS.contains(&parent));
                let value = rest.split(" #").next().unwrap_or("").trim_end();
                let numeric = !value.is_empty()
                    && value.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                    && value.bytes().filter(|&b| b == b'.').count() <= 1;
                (is_money && numeric).then(|| {
                    let start = text.len() - rest.len();
                    (start, start + value.len())
                })
            });
            if let Some(key) = key {
                open.push((key_indent, key));
            }
            Line {
                text,
                section,
                money,
            }
        })
        .collect()
}

/// Multiplies a plain decimal by a whole factor, keeping its printed decimals (exactly: the
/// digits are handled as an integer of hundredths or finer).
fn scale(number: &str, factor: u64, bump: bool) -> String {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits: u128 = format!("{int}{frac}").parse().unwrap_or(0);
    let unit = 10u128.pow(frac.len() as u32);
    let mut scaled = digits * u128::from(factor);
    if bump {
        scaled += unit; // one whole 万元 more: far beyond any rounding
    }
    if frac.is_empty() {
        scaled.to_string()
    } else {
        format!(
            "{}.{:0width$}",
            scaled / unit,
            scaled % unit,
            width = frac.len()
        )
    }
}

/// A seed-sized dataset: returns its text and whether a violation was injected.
fn small_dataset(lines: &[Line<'_>], index: usize, rng: &mut SplitMix) -> (String, bool) {
    let factor = 1 + rng.below(4);
    let money_lines: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].money.is_some())
        .collect();
    // About one file in five gets one figure wrong.
    let bump =
        (rng.below(5) == 0).then(|| money_lines[rng.below(money_lines.len() as u64) as usize]);
    let mut out = String::with_capacity(48 * 1024);
    for (i, line) in lines.iter().enumerate() {
        emit(&mut out, line, factor, bump == Some(i), index);
    }
    (out, bump.is_some())
}

/// Writes one template line, scaled, renamed and with `meta.prior` dropped.
fn emit(out: &mut String, line: &Line<'_>, factor: u64, bump: bool, index: usize) {
    let body = line.text.trim_start();
    if line.section == "meta" && body.starts_with("prior:") {
        return;
    }
    if line.section == "meta" && body.starts_with("department:") {
        let _ = writeln!(out, "{}（样本 {index:05}）", line.text.trim_end());
        return;
    }
    match line.money {
        Some((start, end)) => {
            out.push_str(&line.text[..start]);
            out.push_str(&scale(&line.text[start..end], factor, bump));
            out.push_str(&line.text[end..]);
        }
        None => out.push_str(line.text),
    }
    out.push('\n');
}

/// The consolidated dataset: the template scaled by 1000, with `rows` function items shared
/// among the template's function classes, each class's items adding up to the class.
fn large_dataset(lines: &[Line<'_>], rows: usize, rng: &mut SplitMix) -> Result<String, String> {
    const FACTOR: u64 = 1000;
    let start = lines
        .iter()
        .position(|l| l.text.starts_with("function_classes:"))
        .ok_or("the template has no `function_classes:` section")?;
    let end = (start + 1..lines.len())
        .find(|&i| lines[i].section != "function_classes")
        .unwrap_or(lines.len());
    let classes = template_classes(&lines[start..end]);
    if classes.is_empty() {
        return Err("the template's function classes have no items".into());
    }
    let mut out = String::with_capacity(rows * 360 + 64 * 1024);
    for line in &lines[..start] {
        emit(&mut out, line, FACTOR, false, 0);
    }
    out.push_str("function_classes:\n");
    let mut seq = 0;
    for (c, class) in classes.iter().enumerate() {
        let share = rows / classes.len() + usize::from(c < rows % classes.len());
        write_class(&mut out, class, share.max(1), &mut seq, rng);
    }
    for line in &lines[end..] {
        emit(&mut out, line, FACTOR, false, 0);
    }
    Ok(out)
}

/// A function class of the template: its header lines and its items' lines (without the
/// amount, which the generator fills in).
struct Class<'t> {
    header: Vec<&'t str>,
    amount_cents: u128,
    items: Vec<Vec<&'t str>>,
}

/// Reads the template's function classes (block style, as in the seed).
fn template_classes<'t>(block: &[Line<'t>]) -> Vec<Class<'t>> {
    let mut classes: Vec<Class<'t>> = Vec::new();
    let mut in_items = false;
    for line in &block[1..] {
        let t = line.text;
        if t.starts_with("  - ") {
            classes.push(Class {
                header: vec![t],
                amount_cents: 0,
                items: Vec::new(),
            });
            in_items = false;
            continue;
        }
        let Some(class) = classes.last_mut() else {
            continue;
        };
        let body = t.trim_start();
        if body.starts_with('#') || body.is_empty() {
            continue;
        }
        if t.starts_with("    items:") {
            in_items = true;
        } else if !in_items {
            if let Some(rest) = body.strip_prefix("amount: ") {
                let value = rest.split(" #").next().unwrap_or("").trim();
                class.amount_cents = to_cents(&scale(value, 1000, false));
            }
            class.header.push(t);
        } else if t.starts_with("      - ") {
            class.items.push(vec![t]);
        } else if let Some(item) = class.items.last_mut() {
            item.push(t);
        }
    }
    classes.retain(|c| !c.items.is_empty());
    classes
}

/// Writes a class (amount scaled by 1000) and `rows` items whose amounts, in cents, add up
/// exactly to the class's.
fn write_class(
    out: &mut String,
    class: &Class<'_>,
    rows: usize,
    seq: &mut usize,
    rng: &mut SplitMix,
) {
    for line in &class.header {
        match line.trim_start().strip_prefix("amount: ") {
            Some(_) => {
                let _ = writeln!(out, "    amount: {}", cents(class.amount_cents));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out.push_str("    items:\n");
    let weights: Vec<u128> = (0..rows).map(|_| 1 + u128::from(rng.below(100))).collect();
    let total: u128 = weights.iter().sum();
    let mut amounts: Vec<u128> = weights
        .iter()
        .map(|w| class.amount_cents * w / total)
        .collect();
    let rest = class.amount_cents - amounts.iter().sum::<u128>();
    for a in amounts.iter_mut().take(rest as usize) {
        *a += 1;
    }
    for (r, amount) in amounts.into_iter().enumerate() {
        *seq += 1;
        let template = &class.items[r % class.items.len()];
        for line in template {
            let body = line.trim_start();
            if body.starts_with("- seq:") {
                let _ = writeln!(out, "      - seq: {seq}");
            } else if body.starts_with("amount:") {
                let _ = writeln!(out, "        amount: {}", cents(amount));
            } else if !body.starts_with('#') {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
}

/// `12.3` → 1230.
fn to_cents(number: &str) -> u128 {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let frac = format!("{frac:0<2}");
    format!("{int}{}", &frac[..2]).parse().unwrap_or(0)
}

fn cents(c: u128) -> String {
    format!("{}.{:02}", c / 100, c % 100)
}

/// A small deterministic generator (splitmix64): the corpus must be the same on every
/// machine, and it needs nothing a crate would add.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
