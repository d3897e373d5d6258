//! A pack's layout: the keys a dataset may hold, with their Chinese labels, kinds and units,
//! which of them a full report must have (by fiscal year), where a blank means zero, and the
//! pack's vocabulary of direction words.
//!
//! A layout is a YAML file beside the pack's rules (`layout.yaml`), written by rule authors:
//!
//! ```yaml
//! name: 部门决算
//! completeness: warning          # severity of the finding that names missing parts
//! words:
//!   increase: [增加, 增长, 上升, 提高]
//!   decrease: [减少, 下降, 降低]
//!   flat: [持平, 不变]
//! anywhere:                      # keys allowed in every mapping
//!   derived: any 推算数
//! keys:
//!   tables:
//!     label: 决算表
//!     blank: zero                # an unstated amount in a stated mapping below is 0
//!     keys:
//!       income:
//!         label: 收入决算表
//!         required: {since: 2016}
//!         keys:
//!           rows:
//!             label: 行
//!             key: code
//!             items:
//!               keys:
//!                 code: code 支出功能分类科目编码
//!                 total: amount 本年收入合计
//! ```
//!
//! A node is a mapping (`keys:`), a list (`items:`) or a leaf; a leaf may be written
//! `KIND LABEL` on one line. Rules are checked against the layout when they are loaded
//! (`crate::layout_paths`), datasets when they are checked (`crate::conform`).

use crate::dataset::tree::{Node, NodeKind};
use crate::severity::Severity;
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// The file name of a pack's layout, beside its rule files.
pub const FILE_NAME: &str = "layout.yaml";

/// A pack's layout.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Layout {
    /// The layout file, for errors.
    #[serde(with = "super::prebuilt::source_by_name")]
    pub file: Arc<SourceFile>,
    /// Its `name`, if any.
    #[serde(with = "crate::stored::opt_text")]
    pub name: Option<String>,
    /// The top-level mapping of a dataset.
    pub root: LayoutNode,
    /// Keys allowed in every mapping (`derived`, say), whatever the layout says there.
    #[serde(with = "crate::stored::keyed")]
    pub anywhere: Vec<(String, LayoutNode)>,
    /// The direction words.
    pub words: Words,
    /// The severity of a completeness finding.
    pub completeness: Severity,
    /// The unit of money of a dataset that does not say (`meta.unit`).
    #[serde(with = "crate::stored::opt_text")]
    pub unit: Option<String>,
}

/// The units of money tally converts between, as powers of ten of a 元.
const UNITS: [(&str, i32); 4] = [("元", 0), ("千元", 3), ("万元", 4), ("亿元", 8)];

/// The power of ten of a 元 that a unit of money stands for, if tally knows it.
pub fn unit_exponent(unit: &str) -> Option<i32> {
    UNITS
        .iter()
        .find(|(u, _)| *u == unit.trim())
        .map(|(_, e)| *e)
}

/// One node of a layout.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct LayoutNode {
    /// The Chinese label (`本年收入合计`).
    #[serde(with = "crate::stored::opt_text")]
    pub label: Option<String>,
    /// What the value is.
    pub kind: Kind,
    /// For a mapping: its keys in order, and whether other keys are allowed too.
    #[serde(with = "crate::stored::keyed")]
    pub keys: Vec<(String, LayoutNode)>,
    /// For a mapping: any key is allowed (its values are not checked).
    pub open: bool,
    /// For a list: what each item is.
    pub items: Option<Box<LayoutNode>>,
    /// For a list of rows: the column that identifies a row (`code`).
    #[serde(with = "crate::stored::opt_text")]
    pub row_key: Option<String>,
    /// The fiscal years in which a full report must state it, if it must.
    pub required: Option<Years>,
    /// An unstated amount (or count) in a stated mapping at or below this node is zero.
    pub blank_zero: bool,
    /// The unit, when not the dataset's unit of money (`分`, `人`, `辆`).
    #[serde(with = "crate::stored::opt_text")]
    pub unit: Option<String>,
    /// For text: the only values allowed.
    #[serde(with = "crate::stored::texts")]
    pub one_of: Vec<String>,
    /// Where the node is declared in the layout file.
    pub span: Span,
}

/// What kind of value a layout node holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Kind {
    /// A mapping of keys.
    Map,
    /// A list.
    List,
    /// An amount of money, in the dataset's `meta.unit`; may be printed `"1,612.36"`.
    Amount,
    /// A percentage, without or with a `%` sign.
    Percent,
    /// A count of people, vehicles, projects (exact).
    Count,
    /// Any other number (a score, a rate).
    Number,
    /// Text.
    Text,
    /// A classification code (`2010601`), as text or number.
    Code,
    /// A direction word of the vocabulary (增加, 下降 …).
    Word,
    /// A fiscal year.
    Year,
    /// Anything at all, not checked.
    Any,
}

impl Kind {
    const NAMES: [(&'static str, Kind); 11] = [
        ("map", Kind::Map),
        ("list", Kind::List),
        ("amount", Kind::Amount),
        ("percent", Kind::Percent),
        ("count", Kind::Count),
        ("number", Kind::Number),
        ("text", Kind::Text),
        ("code", Kind::Code),
        ("word", Kind::Word),
        ("year", Kind::Year),
        ("any", Kind::Any),
    ];

    /// The kind of that name.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, k)| *k)
    }

    /// The name as written in a layout.
    pub fn name(self) -> &'static str {
        Kind::NAMES
            .iter()
            .find(|(_, k)| *k == self)
            .map(|(n, _)| *n)
            .unwrap_or("any")
    }

    /// Whether the value is a number of some sort.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Kind::Amount | Kind::Percent | Kind::Count | Kind::Number | Kind::Year
        )
    }

    /// In Chinese, for messages to departments.
    pub fn chinese(self) -> &'static str {
        match self {
            Kind::Map => "一组数据",
            Kind::List => "列表",
            Kind::Amount => "金额",
            Kind::Percent => "百分比",
            Kind::Count => "数量",
            Kind::Number => "数值",
            Kind::Text => "文字",
            Kind::Code => "科目编码",
            Kind::Word => "增减用语",
            Kind::Year => "年度",
            Kind::Any => "任意值",
        }
    }
}

/// A range of fiscal years, either end open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Years {
    /// The first year.
    pub since: Option<i64>,
    /// The last year.
    pub until: Option<i64>,
}

impl Years {
    /// Whether `year` falls in the range; a dataset without a year is in every range.
    pub fn covers(&self, year: Option<i64>) -> bool {
        let Some(y) = year else { return true };
        self.since.is_none_or(|s| y >= s) && self.until.is_none_or(|u| y <= u)
    }
}

/// The vocabulary of direction words: each word with the sign of the change it states.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Words {
    /// Word, sign (1 increase, -1 decrease, 0 no change).
    #[serde(with = "crate::stored::keyed")]
    pub signs: Vec<(String, i8)>,
}

impl Words {
    /// The sign a word states, if the vocabulary knows it.
    pub fn sign(&self, word: &str) -> Option<i8> {
        let word = word.trim();
        self.signs.iter().find(|(w, _)| w == word).map(|(_, s)| *s)
    }

    /// The words of one sign, for messages (`增加/增长/上升/提高`).
    pub fn of_sign(&self, sign: i8) -> Vec<&str> {
        self.signs
            .iter()
            .filter(|(_, s)| *s == sign)
            .map(|(w, _)| w.as_str())
            .collect()
    }
}

/// An error in a layout file, at its place.
#[derive(Debug, Clone)]
pub struct LayoutError {
    /// Where.
    pub span: Span,
    /// What is wrong.
    pub message: String,
}

impl LayoutNode {
    fn new(kind: Kind, span: Span) -> LayoutNode {
        LayoutNode {
            label: None,
            kind,
            keys: Vec::new(),
            open: false,
            items: None,
            row_key: None,
            required: None,
            blank_zero: false,
            unit: None,
            one_of: Vec::new(),
            span,
        }
    }

    /// The node of a key of this mapping (not counting the layout's `anywhere` keys).
    pub fn key(&self, key: &str) -> Option<&LayoutNode> {
        // Lengths and first bytes first, as `dataset::find_entry` does: every value of every
        // dataset is looked up here.
        let want = key.as_bytes();
        self.keys
            .iter()
            .find(|(k, _)| {
                let k = k.as_bytes();
                k.len() == want.len() && k.first() == want.first() && k == want
            })
            .map(|(_, n)| n)
    }

    /// The label, or else the last key of its path.
    pub fn label_or<'a>(&'a self, key: &'a str) -> &'a str {
        self.label.as_deref().unwrap_or(key)
    }
}

impl Layout {
    /// The unit of money of a dataset: its `meta.unit`, or else the layout's.
    pub fn unit_of<'a>(&'a self, root: &'a Node) -> Option<&'a str> {
        root.at("meta.unit")
            .and_then(|n| n.as_text())
            .or(self.unit.as_deref())
    }

    /// Reads a layout file, reporting every error in it.
    pub fn parse(file: Arc<SourceFile>) -> Result<Layout, Vec<LayoutError>> {
        let root = match crate::dataset::load::parse_dataset(
            file.name.clone(),
            file.text.clone(),
            Default::default(),
        ) {
            Ok(data) => data.root.clone(),
            Err(failure) => {
                return Err(vec![LayoutError {
                    span: failure.error.span.unwrap_or_default(),
                    message: failure.error.message,
                }]);
            }
        };
        let mut errors = Vec::new();
        let mut layout = Layout {
            file: file.clone(),
            name: None,
            root: LayoutNode::new(Kind::Map, root.span),
            anywhere: Vec::new(),
            words: Words::default(),
            completeness: Severity::Warning,
            unit: None,
        };
        let NodeKind::Map(entries) = &root.kind else {
            unreachable!("parse_dataset only returns mappings")
        };
        let mut reader = Reader {
            file: &file,
            errors: &mut errors,
        };
        for entry in entries.iter() {
            match &*entry.key {
                "name" => layout.name = reader.text(&entry.value),
                "completeness" => {
                    if let Some(s) = reader.text(&entry.value) {
                        match Severity::from_name(&s) {
                            Some(sev) => layout.completeness = sev,
                            None => reader.error(
                                entry.value.span,
                                format!("`completeness` must be error, warning or info, not `{s}`"),
                            ),
                        }
                    }
                }
                "words" => layout.words = reader.words(&entry.value),
                "unit" => {
                    layout.unit = reader.text(&entry.value);
                    if let Some(u) = &layout.unit
                        && unit_exponent(u).is_none()
                    {
                        reader.error(
                            entry.value.span,
                            format!("unknown unit of money `{u}`: use 元, 千元, 万元 or 亿元"),
                        );
                    }
                }
                "anywhere" => {
                    layout.anywhere = reader.keys(&entry.value, false);
                }
                "keys" => {
                    layout.root.keys = reader.keys(&entry.value, false);
                }
                other => reader.error(
                    entry.key_span,
                    format!(
                        "unknown layout setting `{other}`{}; a layout has `name`, \
                         `completeness`, `unit`, `words`, `anywhere` and `keys`",
                        did_you_mean(
                            other,
                            ["name", "completeness", "unit", "words", "anywhere", "keys"]
                                .into_iter()
                        )
                    ),
                ),
            }
        }
        if errors.is_empty() {
            Ok(layout)
        } else {
            Err(errors)
        }
    }

    /// The node of a key of a mapping node, or of the layout's `anywhere` keys.
    pub fn child<'a>(&'a self, node: &'a LayoutNode, key: &str) -> Option<&'a LayoutNode> {
        node.key(key)
            .or_else(|| self.anywhere.iter().find(|(k, _)| k == key).map(|(_, n)| n))
    }

    /// " (did you mean `x`?)" for a key not found in a mapping node, or nothing.
    pub fn suggest(&self, node: &LayoutNode, key: &str) -> String {
        did_you_mean(
            key,
            node.keys
                .iter()
                .chain(self.anywhere.iter())
                .map(|(k, _)| k.as_str()),
        )
    }
}

impl Layout {
    /// The layout as a Markdown reference for rule authors and transcribers: one table per
    /// top-level key, every path with its label, kind, unit and whether a full report must
    /// state it. `LAYOUT.md` files are generated with this (`tally layout`), never written by
    /// hand, so that the documentation cannot drift from what rules and datasets are checked
    /// against.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let title = self.name.as_deref().unwrap_or("pack");
        out.push_str(&format!("# Dataset layout: {title}\n\n"));
        out.push_str(
            "Generated from the pack's `layout.yaml` by `tally layout`; do not edit by hand.\n\n\
             Kinds: amount = 金额 in the dataset's `meta.unit` (may be printed `\"1,612.36\"`), \
             percent = 百分比 (without `%`, or with it), count = 数量 (exact), number, text, \
             code = 科目编码, word = 增减用语, year, any. `[]` marks a list; `required` what a full \
             report must state (`meta.scope: partial` marks a dataset that holds only part of a \
             report); `blank = 0` where an unstated figure of a stated table is zero.\n\n",
        );
        if !self.words.signs.is_empty() {
            out.push_str("Direction words (`sign(word)`):\n\n");
            for (sign, name) in [(1, "increase (+1)"), (-1, "decrease (−1)"), (0, "flat (0)")] {
                out.push_str(&format!(
                    "- {name}: {}\n",
                    self.words.of_sign(sign).join("、")
                ));
            }
            out.push('\n');
        }
        if !self.anywhere.is_empty() {
            let keys: Vec<String> = self
                .anywhere
                .iter()
                .map(|(k, n)| format!("`{k}` ({})", n.label_or(k)))
                .collect();
            out.push_str(&format!(
                "Allowed in every mapping: {}.\n\n",
                keys.join(", ")
            ));
        }
        for (key, node) in &self.root.keys {
            out.push_str(&format!("## `{key}` — {}\n\n", node.label_or(key)));
            out.push_str("| Path | 中文 | Kind | Unit | Notes |\n|---|---|---|---|---|\n");
            let mut rows = Vec::new();
            rows_of(node, key.clone(), &mut rows);
            for row in rows {
                out.push_str(&row);
                out.push('\n');
            }
            out.push('\n');
        }
        out
    }
}

fn rows_of(node: &LayoutNode, path: String, out: &mut Vec<String>) {
    let mut notes = Vec::new();
    if let Some(y) = node.required {
        notes.push(match (y.since, y.until) {
            (Some(s), Some(u)) => format!("required {s}–{u}"),
            (Some(s), None) => format!("required from {s}"),
            (None, Some(u)) => format!("required until {u}"),
            (None, None) => "required".to_string(),
        });
    }
    if node.blank_zero && matches!(node.kind, Kind::Amount | Kind::Count) {
        notes.push("blank = 0".into());
    }
    if let Some(k) = &node.row_key {
        notes.push(format!("rows keyed by `{k}`"));
    }
    if !node.one_of.is_empty() {
        notes.push(format!("one of {}", node.one_of.join(", ")));
    }
    if node.open {
        notes.push("any keys".into());
    }
    let kind = match node.kind {
        Kind::List => "list".to_string(),
        k => k.name().to_string(),
    };
    out.push(format!(
        "| `{path}` | {} | {kind} | {} | {} |",
        node.label.as_deref().unwrap_or(""),
        node.unit.as_deref().unwrap_or(""),
        notes.join("; ")
    ));
    for (key, child) in &node.keys {
        rows_of(child, format!("{path}.{key}"), out);
    }
    if let Some(items) = &node.items {
        if items.kind == Kind::Map {
            for (key, child) in &items.keys {
                rows_of(child, format!("{path}[].{key}"), out);
            }
        } else {
            rows_of(items, format!("{path}[]"), out);
        }
    }
}

/// " (did you mean `x`?)" naming the candidate closest to `wrong`, when one is close enough
/// to be a likely typo; otherwise empty.
pub fn did_you_mean<'a>(wrong: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    closest(wrong, candidates)
        .map(|c| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

/// The candidate closest to `wrong` by edit distance (a swap of two neighbours counting as one edit), when at most a third of its characters
/// differ (at least one).
pub fn closest<'a>(wrong: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (wrong.chars().count() / 3).max(1);
    candidates
        .map(|c| (strsim::osa_distance(wrong, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Turns the YAML of a layout into nodes, collecting errors.
struct Reader<'a> {
    file: &'a Arc<SourceFile>,
    errors: &'a mut Vec<LayoutError>,
}

const NODE_FIELDS: [&str; 10] = [
    "label", "kind", "keys", "items", "key", "required", "blank", "unit", "one_of", "open",
];

impl Reader<'_> {
    fn error(&mut self, span: Span, message: String) {
        self.errors.push(LayoutError { span, message });
    }

    fn text(&mut self, node: &Node) -> Option<String> {
        match &node.kind {
            NodeKind::Text(t) => Some(t.to_string()),
            NodeKind::Number(_) | NodeKind::Bool(_) => Some(self.file.text(node.span).to_string()),
            _ => {
                self.error(node.span, "expected text here".into());
                None
            }
        }
    }

    fn words(&mut self, node: &Node) -> Words {
        let mut words = Words::default();
        let NodeKind::Map(entries) = &node.kind else {
            self.error(
                node.span,
                "`words` maps increase, decrease and flat to lists of words".into(),
            );
            return words;
        };
        for entry in entries.iter() {
            let sign = match &*entry.key {
                "increase" => 1,
                "decrease" => -1,
                "flat" => 0,
                other => {
                    self.error(
                        entry.key_span,
                        format!(
                            "unknown word class `{other}`{}; the classes are increase, \
                             decrease and flat",
                            did_you_mean(other, ["increase", "decrease", "flat"].into_iter())
                        ),
                    );
                    continue;
                }
            };
            let NodeKind::List(items) = &entry.value.kind else {
                self.error(entry.value.span, "expected a list of words".into());
                continue;
            };
            for item in items.iter() {
                if let Some(w) = self.text(item) {
                    if let Some((_, s)) = words.signs.iter().find(|(x, _)| *x == w) {
                        if *s != sign {
                            self.error(item.span, format!("`{w}` is in two word classes"));
                        }
                        continue;
                    }
                    words.signs.push((w, sign));
                }
            }
        }
        words
    }

    fn keys(&mut self, node: &Node, blank_zero: bool) -> Vec<(String, LayoutNode)> {
        let NodeKind::Map(entries) = &node.kind else {
            self.error(node.span, "`keys` must map each key to its layout".into());
            return Vec::new();
        };
        entries
            .iter()
            .map(|e| (e.key.to_string(), self.node(&e.value, blank_zero)))
            .collect()
    }

    fn node(&mut self, node: &Node, blank_zero: bool) -> LayoutNode {
        match &node.kind {
            // `amount 本年收入合计`: a leaf's kind and label on one line.
            NodeKind::Text(t) => {
                let (kind, label) = t.split_once(' ').unwrap_or((t, ""));
                let mut out = LayoutNode::new(self.kind(kind, node.span), node.span);
                let label = label.trim();
                out.label = (!label.is_empty()).then(|| label.to_string());
                out.blank_zero = blank_zero;
                out
            }
            NodeKind::Map(entries) => {
                let mut out = LayoutNode::new(Kind::Any, node.span);
                out.blank_zero = blank_zero;
                let mut kind = None;
                for e in entries.iter() {
                    if &*e.key == "blank" {
                        match self.text(&e.value).as_deref() {
                            Some("zero") => out.blank_zero = true,
                            Some("absent") => out.blank_zero = false,
                            _ => self.error(
                                e.value.span,
                                "`blank` is `zero` (an unstated figure here is 0) or `absent`"
                                    .into(),
                            ),
                        }
                    }
                }
                for e in entries.iter() {
                    match &*e.key {
                        "label" => out.label = self.text(&e.value),
                        "kind" => kind = self.text(&e.value).map(|k| self.kind(&k, e.value.span)),
                        "keys" => out.keys = self.keys(&e.value, out.blank_zero),
                        "items" => out.items = Some(Box::new(self.node(&e.value, out.blank_zero))),
                        "key" => out.row_key = self.text(&e.value),
                        "required" => out.required = self.required(&e.value),
                        "unit" => out.unit = self.text(&e.value),
                        "open" => out.open = matches!(e.value.kind, NodeKind::Bool(true)),
                        "one_of" => match &e.value.kind {
                            NodeKind::List(items) => {
                                out.one_of = items.iter().filter_map(|i| self.text(i)).collect()
                            }
                            _ => self.error(e.value.span, "expected a list of texts".into()),
                        },
                        "blank" => {}
                        other => self.error(
                            e.key_span,
                            format!(
                                "unknown field `{other}`{}; a layout node has {}",
                                did_you_mean(other, NODE_FIELDS.into_iter()),
                                NODE_FIELDS.join(", ")
                            ),
                        ),
                    }
                }
                out.kind = match (kind, !out.keys.is_empty() || out.open, out.items.is_some()) {
                    (Some(k), _, _) => k,
                    (None, true, _) => Kind::Map,
                    (None, _, true) => Kind::List,
                    (None, false, false) => Kind::Any,
                };
                if out.row_key.is_some() && out.items.is_none() {
                    self.error(node.span, "`key` names a column of the `items`".into());
                }
                if let (Some(key), Some(items)) = (&out.row_key, &out.items)
                    && items.key(key).is_none()
                {
                    let hint = did_you_mean(key, items.keys.iter().map(|(k, _)| k.as_str()));
                    self.error(
                        node.span,
                        format!("the row key `{key}` is not a column{hint}"),
                    );
                }
                out
            }
            _ => {
                self.error(
                    node.span,
                    "a layout node is `KIND LABEL` or a mapping of label, kind, keys, items…"
                        .into(),
                );
                LayoutNode::new(Kind::Any, node.span)
            }
        }
    }

    fn kind(&mut self, name: &str, span: Span) -> Kind {
        Kind::from_name(name).unwrap_or_else(|| {
            let names = Kind::NAMES.iter().map(|(n, _)| *n);
            self.error(
                span,
                format!(
                    "unknown kind `{name}`{}; the kinds are {}",
                    did_you_mean(name, names.clone()),
                    names.collect::<Vec<_>>().join(", ")
                ),
            );
            Kind::Any
        })
    }

    fn required(&mut self, node: &Node) -> Option<Years> {
        match &node.kind {
            NodeKind::Bool(true) => Some(Years::default()),
            NodeKind::Bool(false) => None,
            NodeKind::Map(entries) => {
                let mut years = Years::default();
                for e in entries.iter() {
                    let year = e.value.as_integer();
                    match (&*e.key, year) {
                        ("since", Some(y)) => years.since = Some(y),
                        ("until", Some(y)) => years.until = Some(y),
                        ("since" | "until", None) => {
                            self.error(e.value.span, "expected a year".into())
                        }
                        (other, _) => self.error(
                            e.key_span,
                            format!("unknown field `{other}`; `required` has since and until"),
                        ),
                    }
                }
                if let (Some(s), Some(u)) = (years.since, years.until)
                    && s > u
                {
                    self.error(node.span, format!("since {s} is after until {u}"));
                }
                Some(years)
            }
            _ => {
                self.error(
                    node.span,
                    "`required` is true, false or {since: YEAR, until: YEAR}".into(),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Layout, Vec<LayoutError>> {
        Layout::parse(Arc::new(SourceFile::new("layout.yaml", text)))
    }

    #[test]
    fn leaves_mappings_lists_and_inherited_blanks() {
        let layout = parse(
            "words: {increase: [增加, 增长], decrease: [减少, 降低], flat: [持平]}\n\
             keys:\n  t:\n    label: 表\n    blank: zero\n    required: {since: 2016}\n    keys:\n      \
             rows:\n        key: code\n        items:\n          keys:\n            code: code 编码\n            \
             total: amount 合计\n      note: text 注\n  n: count 人数\n",
        )
        .unwrap();
        let t = layout.root.key("t").unwrap();
        assert_eq!(t.kind, Kind::Map);
        assert_eq!(t.label.as_deref(), Some("表"));
        assert_eq!(
            t.required,
            Some(Years {
                since: Some(2016),
                until: None
            })
        );
        let rows = t.key("rows").unwrap();
        assert_eq!(rows.kind, Kind::List);
        assert_eq!(rows.row_key.as_deref(), Some("code"));
        let total = rows.items.as_ref().unwrap().key("total").unwrap();
        assert_eq!(
            (total.kind, total.label.as_deref()),
            (Kind::Amount, Some("合计"))
        );
        assert!(total.blank_zero, "blank: zero is inherited");
        assert!(!layout.root.key("n").unwrap().blank_zero);
        assert_eq!(layout.words.sign("降低"), Some(-1));
        assert_eq!(layout.words.sign("增长"), Some(1));
        assert_eq!(layout.words.sign("持平"), Some(0));
        assert_eq!(layout.words.sign("上涨"), None);
    }

    #[test]
    fn every_error_is_reported_with_a_suggestion() {
        let errors = parse(
            "keys:\n  a: amont 金额\n  b: {lable: x}\n  c: {required: {since: 2025, until: 2020}}\n\
             complete: error\n",
        )
        .unwrap_err();
        let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(errors.len(), 4, "{messages:?}");
        assert!(messages[0].contains("unknown kind `amont` (did you mean `amount`?)"));
        assert!(messages[1].contains("unknown field `lable` (did you mean `label`?)"));
        assert!(messages[2].contains("since 2025 is after until 2020"));
        assert!(messages[3].contains("unknown layout setting `complete`"));
    }

    #[test]
    fn suggestions_only_for_near_misses() {
        let keys = ["summary", "income", "expenditure"];
        assert_eq!(closest("sumary", keys.into_iter()), Some("summary"));
        assert_eq!(closest("incme", keys.into_iter()), Some("income"));
        assert_eq!(closest("zzz_nonexistent", keys.into_iter()), None);
    }

    #[test]
    fn markdown_lists_every_path() {
        let layout = parse(
            "name: 测试\nwords: {increase: [增加]}\nkeys:\n  t:\n    label: 表\n    blank: zero\n    \
             required: {since: 2016}\n    keys:\n      rows: {key: code, items: {keys: {code: code 编码, total: amount 合计}}}\n",
        )
        .unwrap();
        let md = layout.to_markdown();
        assert!(md.contains("# Dataset layout: 测试"));
        assert!(md.contains("- increase (+1): 增加"));
        assert!(
            md.contains("| `t` | 表 | map |  | required from 2016 |"),
            "{md}"
        );
        assert!(
            md.contains("| `t.rows` |  | list |  | rows keyed by `code` |"),
            "{md}"
        );
        assert!(
            md.contains("| `t.rows[].total` | 合计 | amount |  | blank = 0 |"),
            "{md}"
        );
    }

    #[test]
    fn years_cover() {
        let y = Years {
            since: Some(2016),
            until: Some(2020),
        };
        assert!(y.covers(Some(2016)) && y.covers(Some(2020)) && y.covers(None));
        assert!(!y.covers(Some(2015)) && !y.covers(Some(2021)));
    }
}
