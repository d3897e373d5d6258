//! The language of everything tally itself writes (`--lang zh|en`): the summary line, the
//! marks and notes of human output, the messages of file-level findings, the prose of built-in
//! evidence, the HTML labels, the progress bar. Rule messages and help are the pack's own and
//! stay as written.
//!
//! One catalogue: an enum and a `match` per message, no framework. The English texts are the
//! ones tally always wrote (snapshots pin them).

use crate::evidence::{Evidence, Numbers};
use crate::finding::Finding;
use crate::number::{self, CmpOp, Num};
use crate::run::summary::Summary;
use std::borrow::Cow;

/// A language of tally's own messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Chinese (简体中文).
    Zh,
}

impl Lang {
    /// The language the environment asks for: the first of `LC_ALL`, `LC_MESSAGES` and
    /// `LANG` that is set and not empty; `zh…` is Chinese, anything else English.
    pub fn from_env() -> Lang {
        Lang::from_locale(
            ["LC_ALL", "LC_MESSAGES", "LANG"]
                .iter()
                .filter_map(|k| std::env::var(k).ok())
                .find(|v| !v.is_empty())
                .as_deref(),
        )
    }

    /// The language of a locale name (`zh_CN.UTF-8` → Chinese).
    pub fn from_locale(locale: Option<&str>) -> Lang {
        match locale {
            Some(l) if l.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }

    /// Picks the text of this language.
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Zh => zh,
        }
    }

    /// The name of a severity (`error`, or 错误).
    pub fn severity(self, s: crate::severity::Severity) -> &'static str {
        use crate::severity::Severity::*;
        match (self, s) {
            (Lang::En, _) => s.name(),
            (Lang::Zh, Error) => "错误",
            (Lang::Zh, Warning) => "警告",
            (Lang::Zh, Info) => "提示",
        }
    }

    /// The one summary line that ends human and concise output.
    pub fn summary_line(self, s: &Summary) -> String {
        match self {
            Lang::En => summary_en(s),
            Lang::Zh => summary_zh(s),
        }
    }

    /// The mark of an explained finding after its rule id: `(explained)`, or `（已说明）`.
    pub fn explained_mark(self) -> &'static str {
        self.pick("(explained)", "（已说明）")
    }

    /// The line that gives an explained finding's reason.
    pub fn explained_reason(self, reason: &str) -> String {
        match self {
            Lang::En => format!("explained (说明): {reason}"),
            Lang::Zh => format!("已说明：{reason}"),
        }
    }

    /// A note about a file in human output (`note: PATH: …`).
    pub fn note(self, file: &str, note: &str) -> String {
        match self {
            Lang::En => format!("note: {file}: {note}\n"),
            Lang::Zh => format!("注意：{file}：{}\n", self.note_text(note)),
        }
    }

    /// A file that was not checked, in human output.
    pub fn not_checked(self, file: &str, why: &str) -> String {
        match self {
            Lang::En => format!("note: {file}: not checked: {why}\n"),
            Lang::Zh => format!("注意：{file}：未检查：{}\n", self.note_text(why)),
        }
    }

    /// The text of a note or of a reason for not checking, as the run wrote it in English.
    pub fn note_text<'a>(self, note: &'a str) -> Cow<'a, str> {
        if self == Lang::En {
            return Cow::Borrowed(note);
        }
        Cow::Borrowed(match note {
            "a prior-year reference dataset (`meta.role: reference`), not a submission" => {
                "上年参照数据（`meta.role: reference`），不是报送的数据"
            }
            "the dataset has no `meta.year`: every rule was applied, whatever its years" => {
                "数据没有 `meta.year`：所有规则都已适用，不论其适用年度"
            }
            other => other,
        })
    }

    /// The message of a finding: a rule's as the pack wrote it; a file-level finding's (a code
    /// such as `yaml-syntax`, no rule behind it) led by its meaning in this language, the
    /// detail as the loader wrote it.
    pub fn message<'a>(self, f: &'a Finding) -> Cow<'a, str> {
        if self == Lang::En || f.rule_site.is_some() {
            return Cow::Borrowed(&f.message);
        }
        // A message tally already writes in Chinese (the layout's findings) needs no lead-in.
        let chinese = f
            .message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
            && !f.message.is_ascii();
        match file_problem(&f.rule) {
            Some(gist) if !chinese || f.rule == "invalid-utf8" => {
                Cow::Owned(format!("{gist}：{}", f.message))
            }
            _ => Cow::Borrowed(&f.message),
        }
    }

    /// A finding's help: the evidence's line in this language, then the rule's help.
    pub fn help<'a>(self, f: &'a Finding) -> Option<Cow<'a, str>> {
        let help = f.help.as_deref()?;
        let (Lang::Zh, Some(e)) = (self, &f.evidence) else {
            return Some(Cow::Borrowed(help));
        };
        let en = e.to_string();
        match help.strip_prefix(en.as_str()) {
            Some(rest) => Some(Cow::Owned(format!("{}{rest}", evidence_zh(e)))),
            None => Some(Cow::Borrowed(help)),
        }
    }

    /// A line tally says on standard error about the run (`what` a key, `arg` its subject).
    pub fn trouble(self, what: &str, arg: &str) -> String {
        match (self, what) {
            (Lang::En, "missing") => format!("error: {arg}: no such file or folder"),
            (Lang::Zh, "missing") => format!("错误：{arg}：没有这个文件或文件夹"),
            (Lang::En, "empty") => {
                format!("error: {arg}: no dataset files (*.yaml, *.yml) in this folder")
            }
            (Lang::Zh, "empty") => format!("错误：{arg}：此文件夹中没有数据文件（*.yaml、*.yml）"),
            (Lang::En, "prior") => format!("error: --prior {arg}: no such file"),
            (Lang::Zh, "prior") => format!("错误：--prior {arg}：没有这个文件"),
            (Lang::En, "interrupted") => {
                "interrupted: no report file was written or changed".to_string()
            }
            (Lang::Zh, "interrupted") => "已中断：没有写入或改动任何报告文件".to_string(),
            (Lang::En, _) => format!("error: {arg}"),
            (Lang::Zh, _) => format!("错误：{arg}"),
        }
    }

    /// A count with its word in the HTML header: `1 error`, `2 errors`, `2 个错误`.
    pub fn counted(self, n: usize, key: &str) -> String {
        let word = self.label(key);
        match self {
            Lang::En if n == 1 => format!("{n} {}", word.strip_suffix('s').unwrap_or(word)),
            Lang::En => format!("{n} {word}"),
            Lang::Zh => format!("{n} {word}"),
        }
    }

    /// The progress bar's template.
    pub fn progress_template(self) -> &'static str {
        self.pick(
            "{bar:30} {pos}/{len} files  {elapsed} (eta {eta})",
            "{bar:30} {pos}/{len} 个文件  已用 {elapsed}（预计还需 {eta}）",
        )
    }

    /// The progress bar before any file is done, when no time can be foretold yet.
    pub fn progress_start_template(self) -> &'static str {
        self.pick(
            "{bar:30} {pos}/{len} files  {elapsed}",
            "{bar:30} {pos}/{len} 个文件  已用 {elapsed}",
        )
    }

    /// Labels of the HTML report and of the csv/xlsx headers, by key.
    pub fn label(self, key: &str) -> &'static str {
        let (en, zh) = match key {
            "title" => ("tally report", "tally 审核报告"),
            "datasets" => ("datasets", "个数据集"),
            "errors" => ("errors", "个错误"),
            "warnings" => ("warnings", "个警告"),
            "infos" => ("infos", "个提示"),
            "explained" => ("explained", "个已说明"),
            "File" => ("File", "文件"),
            "Department" => ("Department", "单位"),
            "Year" => ("Year", "年度"),
            "Errors" => ("Errors", "错误"),
            "Warnings" => ("Warnings", "警告"),
            "Infos" => ("Infos", "提示"),
            "Explained" => ("Explained", "已说明"),
            "Status" => ("Status", "结论"),
            "Severity" => ("Severity", "级别"),
            "Rule" => ("Rule", "规则"),
            "Message" => ("Message", "问题"),
            "Place" => ("Place", "位置"),
            "Figures" => ("Figures", "数值"),
            "all" => ("all", "全部"),
            "shown" => ("of {total} findings shown", "条，共 {total} 条"),
            "no findings" => ("no findings", "没有发现问题"),
            "not checked" => ("not checked", "未检查"),
            "version" => ("tally version", "tally 版本"),
            "pack" => ("rule pack", "规则包"),
            "hash" => ("pack hash", "规则包哈希"),
            "time" => ("run at", "运行时间"),
            "years" => ("fiscal years", "会计年度"),
            "rules" => ("rules", "条规则"),
            "fail" => ("fail", "不通过"),
            "pass" => ("pass", "通过"),
            "failing" => ("failing", "不通过"),
            "not-failing" => ("not failing", "不影响通过"),
            "more" => ("Show more", "显示更多"),
            "Dataset" => ("Dataset", "数据集"),
            "Findings" => ("Findings", "问题"),
            _ => ("", ""),
        };
        self.pick(en, zh)
    }
}

/// The codes of file-level findings tally itself reports (no rule behind them), with their
/// meaning in English and in Chinese. SARIF lists them as driver rules.
pub const FILE_CODES: &[(&str, &str, &str)] = &[
    ("io", "the file cannot be read", "无法读取文件"),
    (
        "invalid-utf8",
        "the file is not UTF-8 text",
        "文件不是 UTF-8 编码",
    ),
    (
        "file-too-large",
        "the file is larger than --max-file-size",
        "文件过大",
    ),
    (
        "nesting-too-deep",
        "lists and mappings nest deeper than --max-depth",
        "嵌套层级过深",
    ),
    (
        "control-character",
        "the file holds a control character",
        "文件含控制字符",
    ),
    ("empty-dataset", "the dataset is empty", "数据为空"),
    (
        "not-a-mapping",
        "the dataset is not a mapping of keys",
        "数据顶层不是映射",
    ),
    ("bad-meta", "`meta` is not as expected", "`meta` 有误"),
    ("yaml-syntax", "the file is not valid YAML", "YAML 语法错误"),
    ("yaml-duplicate-key", "a key is given twice", "YAML 键重复"),
    (
        "yaml-multiple-documents",
        "the file holds several YAML documents",
        "一个文件含多个 YAML 文档",
    ),
    (
        "yaml-unsupported",
        "a YAML feature tally does not read",
        "不支持的 YAML 写法",
    ),
    (
        "yaml-alias-bomb",
        "aliases expand too far",
        "YAML 别名展开过多",
    ),
    (
        "prior-unreadable",
        "the prior-year dataset cannot be read",
        "无法读取上年数据",
    ),
    ("timeout", "the rules ran longer than --timeout", "检查超时"),
    (
        "unknown-key",
        "a key the pack's layout does not know",
        "数据布局中没有的键",
    ),
    (
        "wrong-kind",
        "a value of the wrong kind for the pack's layout",
        "数值类型与数据布局不符",
    ),
    (
        "incomplete",
        "parts a full report must state are missing",
        "缺少模板要求的内容",
    ),
    (
        "internal-error",
        "tally failed on this file (a bug)",
        "tally 内部错误",
    ),
];

/// The meaning of a file-level code, in Chinese.
fn file_problem(code: &str) -> Option<&'static str> {
    FILE_CODES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, _, zh)| *zh)
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

fn summary_en(summary: &Summary) -> String {
    let mut line = format!(
        "{} {} checked: {} {}, {} {}, {} {}",
        summary.files,
        plural(summary.files, "file", "files"),
        summary.errors,
        plural(summary.errors, "error", "errors"),
        summary.warnings,
        plural(summary.warnings, "warning", "warnings"),
        summary.infos,
        plural(summary.infos, "info", "infos"),
    );
    if summary.explained > 0 {
        line.push_str(&format!(", {} explained", summary.explained));
    }
    let mut extras = vec![if summary.files == 1 {
        format!(
            "{} {} applied",
            summary.rules_applied,
            plural(summary.rules_applied, "rule", "rules")
        )
    } else {
        format!(
            "{} rule {}",
            summary.rules_applied,
            plural(summary.rules_applied, "run", "runs")
        )
    }];
    // What was not checked or did not apply: (count, words before the noun, the noun in the
    // singular and plural, words after it).
    let skipped = [
        (
            summary.not_checked,
            "reference ",
            "dataset",
            "datasets",
            "not checked",
        ),
        (
            summary.skipped_no_prior,
            "cross-year rule ",
            "run",
            "runs",
            "skipped: no prior-year dataset",
        ),
        (
            summary.skipped_by_year,
            "rule ",
            "run",
            "runs",
            "skipped by fiscal year",
        ),
        (
            summary.not_applicable,
            "",
            "check",
            "checks",
            "not applicable: figures not stated",
        ),
    ];
    for (n, before, one, many, after) in skipped {
        if n > 0 {
            extras.push(format!("{n} {before}{} {after}", plural(n, one, many)));
        }
    }
    line.push_str(&format!(" ({})", extras.join("; ")));
    line.push('\n');
    line
}

fn summary_zh(s: &Summary) -> String {
    let mut line = format!(
        "已检查 {} 个文件：{} 个错误，{} 个警告，{} 个提示",
        s.files, s.errors, s.warnings, s.infos
    );
    if s.explained > 0 {
        line.push_str(&format!("，{} 个已说明", s.explained));
    }
    let mut extras = vec![if s.files == 1 {
        format!("适用 {} 条规则", s.rules_applied)
    } else {
        format!("规则运行 {} 次", s.rules_applied)
    }];
    if s.not_checked > 0 {
        extras.push(format!("{} 个参照数据集未检查", s.not_checked));
    }
    if s.skipped_no_prior > 0 {
        extras.push(format!(
            "跨年规则跳过 {} 次：没有上年数据",
            s.skipped_no_prior
        ));
    }
    if s.skipped_by_year > 0 {
        extras.push(format!("按会计年度跳过规则 {} 次", s.skipped_by_year));
    }
    if s.not_applicable > 0 {
        extras.push(format!(
            "{} 项检查因数据集未列示相关数字而不适用",
            s.not_applicable
        ));
    }
    line.push_str(&format!("（{}）\n", extras.join("；")));
    line
}

/// One side of a comparison, for people, in Chinese.
fn side_zh(n: &Num) -> String {
    let v = number::display(n.value);
    match (n.lo, n.hi) {
        (Some(lo), Some(hi)) if n.value.scale() > 4 && lo != hi => format!(
            "{v}（由舍入后的数推算：{} … {}）",
            number::display(lo),
            number::display(hi)
        ),
        _ => v,
    }
}

fn numbers_zh(n: &Numbers) -> String {
    let unit = n
        .unit
        .as_deref()
        .map(|u| format!(" {u}"))
        .unwrap_or_default();
    let diff = n
        .difference
        .map_or("?".to_string(), |d| format!("{}{unit}", number::display(d)));
    let rounding = match n.rounding {
        Some(w) if w.is_zero() => "两边均为精确值".to_string(),
        Some(w) => format!("舍入误差 ±{}{unit}", number::display(w)),
        None => "舍入误差无界".to_string(),
    };
    let allowance = match n.tolerance {
        Some(t) if t.percent => format!(
            "容差 {}%（±{}{unit}）加{rounding}",
            t.within,
            number::display(t.amount)
        ),
        Some(t) => format!("容差 ±{}{unit} 加{rounding}", t.within),
        None => rounding,
    };
    let sides = format!(
        "左边 {}{unit}，右边 {}{unit}",
        side_zh(&n.left),
        side_zh(&n.right)
    );
    match n.op {
        CmpOp::Eq => format!("{sides}，相差 {diff}（超出{allowance}）"),
        CmpOp::Ne => format!("{sides}：两者相等，但规则要求不等"),
        op => format!(
            "{sides}，相差 {diff}（超出{allowance}）；规则要求 左边 {} 右边",
            op.symbol()
        ),
    }
}

/// The evidence's line of prose in Chinese (the English one is its `Display`).
fn evidence_zh(e: &Evidence) -> String {
    match e {
        Evidence::Numbers(n) => numbers_zh(n),
        Evidence::Texts { op, left, right } => {
            let wants = if *op == CmpOp::Eq {
                "两者相同"
            } else {
                "两者不同"
            };
            format!("左边“{left}”，右边“{right}”；规则要求{wants}")
        }
        Evidence::Condition => "条件不成立".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_picks_the_language() {
        assert_eq!(Lang::from_locale(Some("zh_CN.UTF-8")), Lang::Zh);
        assert_eq!(Lang::from_locale(Some("zh_TW")), Lang::Zh);
        assert_eq!(Lang::from_locale(Some("C")), Lang::En);
        assert_eq!(Lang::from_locale(Some("en_US.UTF-8")), Lang::En);
        assert_eq!(Lang::from_locale(None), Lang::En);
    }

    #[test]
    fn the_summary_line_in_both_languages() {
        let s = Summary {
            files: 2,
            errors: 1,
            warnings: 3,
            explained: 1,
            rules_applied: 20,
            not_checked: 1,
            ..Default::default()
        };
        assert_eq!(
            Lang::En.summary_line(&s),
            "2 files checked: 1 error, 3 warnings, 0 infos, 1 explained (20 rule runs; 1 reference dataset not checked)\n"
        );
        assert_eq!(
            Lang::Zh.summary_line(&s),
            "已检查 2 个文件：1 个错误，3 个警告，0 个提示，1 个已说明（规则运行 20 次；1 个参照数据集未检查）\n"
        );
    }
}
