//! Checking a dataset against its pack's layout, before any rule runs.
//!
//! - Figures are read as printed where the layout says a value is a number: `"1,612.36"`
//!   (with `,` or `，` between groups of three digits) is the amount 1612.36 with two decimals,
//!   `"13.5%"` the percentage 13.5.
//! - A blank is not an absence: below a layout node with `blank: zero`, an amount or count
//!   that a stated mapping leaves out (or leaves empty) is 0, as a blank cell of a printed
//!   table is; so is a part of a row left out whole. Lists (rows) and nodes the layout marks
//!   `required` are never made up: a table that is not there is absent.
//! - A key the layout does not know is a warning with a suggestion, once per misspelling.
//! - A percentage printed as a whole number (`占73%`) stands for ± 0.5: it was rounded to
//!   whole percents, not computed exactly (0% and 100%, "none" and "all", stay exact).
//! - A value of the wrong kind (text where an amount belongs) is one error at the value, and
//!   the value is then emptied, so that every rule reading it is not applicable instead of
//!   reporting it again.
//! - What a full report must state and this one does not is named in one finding.

use crate::dataset::figure::Figure;
use crate::dataset::{Entry, Node, NodeKind};
use crate::finding::Finding;
use crate::rules::layout::{Kind, Layout, LayoutNode};
use crate::severity::Severity;
use crate::source::{SourceFile, Span};
use std::collections::HashSet;
use std::sync::Arc;

/// How a dataset is read against the layout.
#[derive(Clone, Copy, Debug, Default)]
pub struct Reading<'a> {
    /// Whether to ask what a full report must state (not for a fixture's fragment, nor a
    /// prior year read for reference).
    pub completeness: bool,
    /// The unit of money its amounts are to be read in, when another dataset's (a prior year
    /// read beside a dataset in another unit): they are converted exactly.
    pub unit: Option<&'a str>,
}

/// Findings of the check, in file order.
pub fn conform(
    layout: &Layout,
    root: &mut Node,
    file: &Arc<SourceFile>,
    reading: Reading<'_>,
) -> Vec<Finding> {
    let own = layout
        .unit_of(root)
        .and_then(crate::rules::layout::unit_exponent);
    let wanted = reading.unit.and_then(crate::rules::layout::unit_exponent);
    let shift = match (own, wanted) {
        (Some(own), Some(wanted)) => own - wanted,
        _ => 0,
    };
    let completeness = reading.completeness;
    let year = root.at("meta.year").and_then(|n| n.as_integer());
    let partial = root
        .at("meta.scope")
        .and_then(|n| n.as_text())
        .is_some_and(|s| s.trim() == "partial");
    let mut walk = Walk {
        layout,
        file,
        findings: Vec::new(),
        unknown: HashSet::new(),
        shift,
        emptied: HashSet::new(),
    };
    walk.node(root, &layout.root, &mut Vec::new());
    let mut findings = walk.findings;
    if completeness
        && !partial
        && let Some(f) = missing_parts(layout, root, year)
    {
        findings.push(f);
    }
    findings.sort_by_key(|f| f.primary.map(|s| s.start));
    findings
}

/// The text a made-up zero shows where a finding lists its figures.
pub const BLANK: &str = "空白(0)";

struct Walk<'a> {
    layout: &'a Layout,
    file: &'a Arc<SourceFile>,
    findings: Vec<Finding>,
    /// Unknown keys already reported, by the layout node they were found under: a misspelt
    /// column of a table of 300 rows is one warning, not 300.
    unknown: HashSet<(*const LayoutNode, String)>,
    /// Amounts are multiplied by 10^shift: read in another dataset's unit of money.
    shift: i32,
    /// Where values of the wrong kind were emptied: such a value is not a blank cell, and
    /// must not become a zero (which rules would then read as the figure).
    emptied: HashSet<u32>,
}

fn finding(code: &str, severity: Severity, message: String, at: Span) -> Finding {
    let mut f = crate::run::check::file_finding(
        crate::dataset::file_error::FileError::new("", message).at(at),
    );
    f.rule = code.to_string();
    f.severity = severity;
    f
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// One step of the path to the value being checked, kept as steps and written out only for
/// a finding: building the text for every value of a dataset cost more than the check.
#[derive(Clone)]
enum Step {
    Key(Arc<str>),
    Index(usize),
}

/// The path as written (`tables.income.rows[3].total`).
fn shown(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => push_key(&mut out, k),
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

impl Walk<'_> {
    fn node(&mut self, node: &mut Node, lnode: &LayoutNode, path: &mut Vec<Step>) {
        match lnode.kind {
            Kind::Any => {}
            Kind::Map if lnode.open => {}
            Kind::Map => match &mut node.kind {
                NodeKind::Map(_) => self.map(node, lnode, path),
                NodeKind::Null => {}
                _ => self.wrong_kind(node, lnode, path),
            },
            Kind::List => match &mut node.kind {
                NodeKind::List(items) => {
                    let Some(item) = lnode.items.as_deref() else {
                        return;
                    };
                    for (i, child) in items.iter_mut().enumerate() {
                        path.push(Step::Index(i));
                        self.node(child, item, path);
                        path.pop();
                    }
                }
                NodeKind::Null => {}
                _ => self.wrong_kind(node, lnode, path),
            },
            kind => self.leaf(node, lnode, kind, path),
        }
    }

    fn map(&mut self, node: &mut Node, lnode: &LayoutNode, path: &mut Vec<Step>) {
        let NodeKind::Map(entries) = &mut node.kind else {
            return;
        };
        for entry in entries.iter_mut() {
            path.push(Step::Key(entry.key.clone()));
            match self.layout.child(lnode, &entry.key) {
                Some(child) => self.node(&mut entry.value, child, path),
                None => {
                    if self
                        .unknown
                        .insert((lnode as *const LayoutNode, entry.key.to_string()))
                    {
                        let hint = self.layout.suggest(lnode, &entry.key);
                        let under = lnode
                            .label
                            .as_deref()
                            .map(|l| format!("（{l}）"))
                            .unwrap_or_default();
                        let len = path.len() - 1;
                        let parent = shown(&path[..len]);
                        let path = shown(path);
                        let message = format!(
                            "数据布局中没有 `{path}`{hint}：`{parent}`{under}下不认识这个键，它的值不会被任何规则读取"
                        );
                        let message = if len == 0 {
                            format!("数据布局中没有顶层键 `{path}`{hint}，它的值不会被任何规则读取")
                        } else {
                            message
                        };
                        self.findings.push(finding(
                            "unknown-key",
                            Severity::Warning,
                            message,
                            entry.key_span,
                        ));
                    }
                }
            }
            path.pop();
        }
        if lnode.keys.iter().any(|(_, c)| c.blank_zero) {
            fill_blanks(node, lnode, &self.emptied);
        }
    }

    fn leaf(&mut self, node: &mut Node, lnode: &LayoutNode, kind: Kind, path: &[Step]) {
        let numeric = kind.is_numeric();
        if kind == Kind::Amount
            && self.shift != 0
            && let NodeKind::Number(f) = &node.kind
            && let Some(rescaled) = f.rescaled(self.shift)
        {
            node.kind = NodeKind::Number(rescaled);
        }
        if kind == Kind::Percent
            && let NodeKind::Number(f) = &mut node.kind
        {
            whole_percent(f);
        }
        match &node.kind {
            NodeKind::Number(_) | NodeKind::OutOfRange(_) if numeric || kind == Kind::Code => {}
            NodeKind::Null => {}
            NodeKind::Text(t) if numeric => match read_printed(t, kind) {
                Some(figure) if kind == Kind::Amount && self.shift != 0 => {
                    match figure.rescaled(self.shift) {
                        Some(f) => node.kind = NodeKind::Number(f),
                        None => self.wrong_kind(node, lnode, path),
                    }
                }
                Some(mut figure) => {
                    if kind == Kind::Percent {
                        whole_percent(&mut figure);
                    }
                    node.kind = NodeKind::Number(figure)
                }
                None => self.wrong_kind(node, lnode, path),
            },
            NodeKind::Text(t) if !lnode.one_of.is_empty() => {
                if !lnode.one_of.iter().any(|v| v == t.trim()) {
                    let message = format!(
                        "`{}`{} 应为 {} 之一，而不是 `{}`",
                        shown(path),
                        label(lnode),
                        lnode.one_of.join("、"),
                        t.trim()
                    );
                    self.findings
                        .push(finding("wrong-kind", Severity::Error, message, node.span));
                    node.kind = NodeKind::Null;
                    self.emptied.insert(node.span.start);
                }
            }
            NodeKind::Text(_) | NodeKind::Number(_) if !numeric => {}
            _ => self.wrong_kind(node, lnode, path),
        }
    }

    fn wrong_kind(&mut self, node: &mut Node, lnode: &LayoutNode, path: &[Step]) {
        let found = match &node.kind {
            NodeKind::Text(_) => "文字",
            NodeKind::Number(_) | NodeKind::OutOfRange(_) => "数值",
            NodeKind::Bool(_) => "真假值",
            NodeKind::List(_) => "列表",
            NodeKind::Map(_) => "一组键值",
            NodeKind::Null => "空值",
        };
        let shown = match &node.kind {
            NodeKind::List(_) | NodeKind::Map(_) => String::new(),
            _ => format!(" `{}`", self.file.text(node.span)),
        };
        let message = format!(
            "`{}`{} 应为{}，这里是{found}{shown}；读取它的规则不适用",
            self::shown(path),
            label(lnode),
            lnode.kind.chinese()
        );
        self.findings
            .push(finding("wrong-kind", Severity::Error, message, node.span));
        // Emptied: rules that read it are then not applicable, instead of each reporting it.
        node.kind = NodeKind::Null;
        self.emptied.insert(node.span.start);
    }
}

/// A percentage printed as a whole number (`占73%`) was rounded to one: it stands for ± 0.5,
/// not for exactly 73. 0% and 100% say "none" and "all" and stay exact (counts and amounts
/// keep their integers exact too).
fn whole_percent(f: &mut Figure) {
    let v = f.value();
    if f.decimals() == 0 && !v.is_zero() && v != rust_decimal::Decimal::ONE_HUNDRED {
        f.rounded_to(0);
    }
}

fn label(lnode: &LayoutNode) -> String {
    lnode
        .label
        .as_deref()
        .map(|l| format!("（{l}）"))
        .unwrap_or_default()
}

/// A figure printed with thousands separators or a percent sign, as its number.
pub fn read_printed(text: &str, kind: Kind) -> Option<Figure> {
    let mut t = text.trim();
    if kind == Kind::Percent {
        t = t
            .strip_suffix('%')
            .or_else(|| t.strip_suffix('％'))
            .unwrap_or(t)
            .trim_end();
    }
    let plain: String;
    if t.contains([',', '，']) {
        if !grouped(t) {
            return None;
        }
        plain = t.chars().filter(|c| !matches!(c, ',' | '，')).collect();
        t = &plain;
    }
    Figure::read(t)?.ok()
}

/// Whether a number's separators stand between groups of three digits (`1,612.36`, `27,080`,
/// `-1，000`), so that `1,5` (a decimal comma?) is not read as 15.
fn grouped(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let int = body.split('.').next().unwrap_or("");
    let groups: Vec<&str> = int.split([',', '，']).collect();
    groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()))
        && !body
            .split('.')
            .nth(1)
            .is_some_and(|f| f.contains([',', '，']))
}

/// Makes the blanks of a stated mapping zeros: an amount or count it leaves out or leaves
/// empty, and a part it leaves out whose layout is itself a mapping of such figures.
fn fill_blanks(node: &mut Node, lnode: &LayoutNode, emptied: &HashSet<u32>) {
    let at = Span::new(node.span.start as usize, node.span.start as usize);
    let NodeKind::Map(entries) = &mut node.kind else {
        return;
    };
    let mut added = Vec::new();
    for entry in entries.iter_mut() {
        if let Some(child) = lnode.key(&entry.key)
            && child.blank_zero
            && blank_figure(child)
            && matches!(entry.value.kind, NodeKind::Null)
            && !emptied.contains(&entry.value.span.start)
        {
            entry.value = zero(entry.value.span);
        }
    }
    for (key, child) in &lnode.keys {
        if !child.blank_zero || entries.iter().any(|e| &*e.key == key) {
            continue;
        }
        if let Some(value) = made_up(child, at) {
            added.push(Entry {
                key: Arc::from(key.as_str()),
                key_span: at,
                value,
            });
        }
    }
    if !added.is_empty() {
        let mut all = std::mem::take(entries).into_vec();
        all.extend(added);
        *entries = all.into_boxed_slice();
    }
}

fn blank_figure(lnode: &LayoutNode) -> bool {
    matches!(lnode.kind, Kind::Amount | Kind::Count)
}

fn zero(span: Span) -> Node {
    Node {
        span,
        kind: NodeKind::Number(Figure::printed(rust_decimal::Decimal::ZERO, 0)),
    }
}

/// The value a blank stands for, if it stands for one: zero for a figure, a mapping of zeros
/// for a part of a row; nothing for rows, text, or anything a full report must state.
fn made_up(lnode: &LayoutNode, at: Span) -> Option<Node> {
    if lnode.required.is_some() {
        return None;
    }
    if blank_figure(lnode) {
        return Some(zero(at));
    }
    if lnode.kind != Kind::Map || lnode.open {
        return None;
    }
    let entries: Vec<Entry> = lnode
        .keys
        .iter()
        .filter(|(_, c)| c.blank_zero)
        .filter_map(|(k, c)| {
            made_up(c, at).map(|value| Entry {
                key: Arc::from(k.as_str()),
                key_span: at,
                value,
            })
        })
        .collect();
    (!entries.is_empty()).then(|| Node {
        span: at,
        kind: NodeKind::Map(entries.into_boxed_slice()),
    })
}

/// The finding naming every part a full report must state that this dataset leaves out:
/// required nodes (in the dataset's year) under stated parents, outermost first.
fn missing_parts(layout: &Layout, root: &Node, year: Option<i64>) -> Option<Finding> {
    let mut missing = Vec::new();
    let mut first_at = None;
    find_missing(
        &layout.root,
        root,
        year,
        &mut String::new(),
        &mut missing,
        &mut first_at,
    );
    if missing.is_empty() {
        return None;
    }
    let message = format!(
        "缺少模板要求的内容：{}（如本数据集只是报告的一部分，请在 meta 中写明 `scope: partial`）",
        missing.join("、")
    );
    Some(finding(
        "incomplete",
        layout.completeness,
        message,
        first_at.unwrap_or_default(),
    ))
}

fn find_missing(
    lnode: &LayoutNode,
    node: &Node,
    year: Option<i64>,
    path: &mut String,
    missing: &mut Vec<String>,
    first_at: &mut Option<Span>,
) {
    let NodeKind::Map(entries) = &node.kind else {
        return;
    };
    for (key, child) in &lnode.keys {
        let len = path.len();
        push_key(path, key);
        match entries.iter().find(|e| &*e.key == key) {
            Some(e) => find_missing(child, &e.value, year, path, missing, first_at),
            None if child.required.is_some_and(|y| y.covers(year)) => {
                missing.push(format!("{}（`{path}`）", child.label_or(key)));
                // Where it belongs: at the mapping that should hold it.
                first_at.get_or_insert(Span::new(
                    node.span.start as usize,
                    node.span.start as usize,
                ));
            }
            None => {}
        }
        path.truncate(len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dataset::load::parse_dataset;

    const LAYOUT: &str = "\
completeness: warning
keys:
  meta:
    keys:
      year: year 年度
      scope: {kind: text, one_of: [full, partial]}
      unit: {kind: text, label: 金额单位, one_of: [元, 万元, 亿元]}
  tables:
    label: 决算表
    required: true
    blank: zero
    keys:
      income:
        label: 收入决算表
        required: {since: 2016}
        keys:
          total_row:
            keys: {total: amount 合计, fiscal: amount 财政拨款收入, other: amount 其他收入}
          rows:
            key: code
            items:
              keys: {code: code 编码, name: text 科目名称, total: amount 合计, fiscal: amount 财政拨款收入, other: amount 其他收入}
      three_public:
        label: 三公经费表
        required: {since: 2016}
        keys:
          actual:
            keys:
              total: amount 合计
              vehicle: {keys: {total: amount 小计, purchase: amount 购置费}}
  overview:
    keys: {total: amount 收支总计, share: percent 占比, note: text 说明}
";

    fn run(data: &str) -> (Vec<Finding>, Node) {
        let layout = Layout::parse(Arc::new(SourceFile::new("layout.yaml", LAYOUT))).unwrap();
        let dataset = parse_dataset("d.yaml".into(), data.into(), Default::default()).unwrap();
        let mut root = dataset.root.clone();
        let reading = Reading {
            completeness: true,
            unit: None,
        };
        let findings = conform(&layout, &mut root, &dataset.file, reading);
        (findings, root)
    }

    fn number(root: &Node, path: &str) -> Option<(String, u32)> {
        match &root.at(path)?.kind {
            NodeKind::Number(f) => Some((f.value().to_string(), f.decimals())),
            _ => None,
        }
    }

    #[test]
    fn amounts_as_printed_with_separators_and_percent_signs() {
        let (findings, root) = run(
            "overview: {total: \"1,612.36\", share: \"13.5%\"}\ntables: {income: {total_row: {total: \"27，080\"}}, three_public: {}}\n",
        );
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(number(&root, "overview.total"), Some(("1612.36".into(), 2)));
        assert_eq!(number(&root, "overview.share"), Some(("13.5".into(), 1)));
        assert_eq!(
            number(&root, "tables.income.total_row.total"),
            Some(("27080".into(), 0))
        );
    }

    #[test]
    fn text_where_an_amount_belongs_is_one_error_and_emptied() {
        let (findings, root) =
            run("overview: {total: \"1,5\", note: 好}\ntables: {income: {}, three_public: {}}\n");
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].rule, "wrong-kind");
        assert!(
            findings[0]
                .message
                .contains("`overview.total`（收支总计） 应为金额")
        );
        assert!(matches!(
            root.at("overview.total").unwrap().kind,
            NodeKind::Null
        ));
    }

    #[test]
    fn a_misspelt_key_is_one_warning_with_a_suggestion() {
        let (findings, _) = run(
            "tables:\n  income:\n    rows:\n      - {code: '201', totl: 1}\n      - {code: '208', totl: 2}\n  three_public: {}\n",
        );
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].rule, "unknown-key");
        assert_eq!(findings[0].severity, Severity::Warning);
        assert!(
            findings[0].message.contains("did you mean `total`?"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn blanks_of_a_stated_table_are_zero_but_absent_tables_stay_absent() {
        let (findings, root) = run(
            "tables:\n  income:\n    total_row: {total: 5, fiscal: ~}\n    rows:\n      - {code: '201', total: 5}\n",
        );
        // three_public is required and absent: one completeness finding, not made up.
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(root.at("tables.three_public").is_none());
        assert_eq!(
            number(&root, "tables.income.total_row.fiscal"),
            Some(("0".into(), 0))
        );
        assert_eq!(
            number(&root, "tables.income.total_row.other"),
            Some(("0".into(), 0))
        );
        let NodeKind::List(rows) = &root.at("tables.income.rows").unwrap().kind else {
            panic!()
        };
        assert_eq!(rows[0].at("other").map(|n| n.span.is_empty()), Some(true));
        // Outside `blank: zero`, nothing is made up.
        assert!(root.at("overview").is_none());
    }

    #[test]
    fn a_value_of_the_wrong_kind_in_a_table_stays_empty_not_zero() {
        let (findings, root) =
            run("tables: {income: {total_row: {total: 5, fiscal: \"x5\"}}, three_public: {}}\n");
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].rule, "wrong-kind");
        assert!(matches!(
            root.at("tables.income.total_row.fiscal").unwrap().kind,
            NodeKind::Null
        ));
    }

    #[test]
    fn a_blank_part_of_a_row_is_a_mapping_of_zeros() {
        let (_, root) = run("tables: {income: {}, three_public: {actual: {total: 1}}}\n");
        assert_eq!(
            number(&root, "tables.three_public.actual.vehicle.purchase"),
            Some(("0".into(), 0))
        );
    }

    #[test]
    fn completeness_is_one_finding_naming_each_part_unless_partial() {
        let (findings, _) = run("meta: {year: 2020}\noverview: {total: 1}\n");
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].rule, "incomplete");
        assert!(
            findings[0].message.contains("：决算表（`tables`）（"),
            "{}",
            findings[0].message
        );
        let (findings, _) = run("meta: {year: 2020}\ntables: {}\n");
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert!(
            findings[0]
                .message
                .contains("：收入决算表（`tables.income`）、三公经费表（`tables.three_public`）（")
        );
        let (findings, _) = run("meta: {year: 2015}\ntables: {}\n");
        assert!(
            findings.is_empty(),
            "not required before 2016: {findings:?}"
        );
        let (findings, _) = run("meta: {year: 2020, scope: partial}\noverview: {total: 1}\n");
        assert!(findings.is_empty(), "{findings:?}");
    }

    #[test]
    fn a_prior_year_in_another_unit_is_read_in_this_ones() {
        let layout = Layout::parse(Arc::new(SourceFile::new("layout.yaml", LAYOUT))).unwrap();
        let text = "meta: {unit: 元}\noverview: {total: \"40,672,288.65\", share: 12.5}\n";
        let dataset = parse_dataset("p.yaml".into(), text.into(), Default::default()).unwrap();
        let mut root = dataset.root.clone();
        let reading = Reading {
            completeness: false,
            unit: Some("万元"),
        };
        assert!(conform(&layout, &mut root, &dataset.file, reading).is_empty());
        assert_eq!(
            number(&root, "overview.total"),
            Some(("4067.228865".into(), 6))
        );
        assert_eq!(
            number(&root, "overview.share"),
            Some(("12.5".into(), 1)),
            "not an amount"
        );
    }

    #[test]
    fn grouping_must_be_by_thousands() {
        assert!(read_printed("1,612.36", Kind::Amount).is_some());
        assert!(read_printed("-1,000", Kind::Amount).is_some());
        assert!(read_printed("1,5", Kind::Amount).is_none());
        assert!(read_printed("12,34,567", Kind::Amount).is_none());
        assert!(read_printed("1.612,36", Kind::Amount).is_none());
        assert!(read_printed("13.71%", Kind::Amount).is_none());
        assert_eq!(
            read_printed("13.71 %", Kind::Percent).map(|f| f.decimals()),
            Some(2)
        );
    }
}
