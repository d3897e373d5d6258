//! The HTML report for reviewers: one self-contained file (CSS and JavaScript inline, no
//! network resource) with a header (tally's version, the pack's name and hash, the time of the
//! run), an overview of every dataset (counts by severity, sortable), filters by severity,
//! status, rule and department, and each finding with its message, the computed sides (help
//! text) and the dataset excerpt around its figures, the figures highlighted.
//!
//! Built to open fast at bureau scale: the findings are not HTML elements of the page but one
//! embedded JSON document (`<script type="application/json" id="tally-data">`), and the script
//! renders only what the filters select, a page at a time ("show more"). Excerpts are capped
//! like the human output's: a line of context around each figure, a long line cut to a
//! window around its figure.
//!
//! Filters can also be set by the URL: `report.html#severity=error&rule=R&department=D`, and
//! the overview sorted by `#sort=errors:desc` (any column key, `asc` or `desc`).
//!
//! Everything from datasets and rules is escaped (html-escape) where it is written as HTML:
//! the excerpts are rendered here, escaped, and every other text the script writes goes in as
//! text, never as markup. The JSON escapes `<`, so that no data can close its script element.

use super::Context;
use super::lang::Lang;
use super::tables::DatasetRow;
use crate::finding::{FileReport, Finding};
use crate::run::Sink;
use crate::run::summary::Summary;
use crate::source::Span;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// Lines shown around each highlighted line.
const CONTEXT: usize = 1;

/// Longest stretch of one line shown in an excerpt, in bytes (as the human output's limit):
/// a longer line is cut to a window around its figure.
const MAX_EXCERPT_LINE: usize = 300;

/// One dataset in the embedded data.
#[derive(Serialize)]
struct JsDataset {
    id: String,
    file: String,
    department: Option<String>,
    year: Option<i64>,
    notes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    not_checked: Option<String>,
}

/// One finding in the embedded data, compact (a batch holds tens of thousands): `at` its line
/// and column, `e` the computed sides (in `--lang`), `h` the rule's help as an index into the
/// report's table of texts (one rule's help is written once), `v` the labels of its figures,
/// `x` its excerpt: lines `[number, text, marks]`, each mark `[start, end, label, primary]`
/// in UTF-16 code units of the text (as JavaScript counts).
#[derive(Serialize)]
struct JsFinding {
    d: usize,
    severity: &'static str,
    status: &'static str,
    rule: String,
    message: String,
    at: (usize, usize),
    #[serde(skip_serializing_if = "Option::is_none")]
    e: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    h: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prior: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explained: Option<String>,
    v: Vec<String>,
    x: Vec<JsLine>,
}

/// One line of an excerpt: its number, its text (a long line cut to a window, `…` where cut),
/// and its marks.
#[derive(Serialize)]
struct JsLine(usize, String, Vec<(usize, usize, usize, u8)>);

/// Texts written once and referred to by index (the rules' help).
#[derive(Default)]
struct Texts {
    list: Vec<String>,
    index: std::collections::HashMap<String, usize>,
}

impl Texts {
    fn id(&mut self, text: &str) -> usize {
        if let Some(&i) = self.index.get(text) {
            return i;
        }
        self.list.push(text.to_string());
        self.index.insert(text.to_string(), self.list.len() - 1);
        self.list.len() - 1
    }
}

/// Gathers the overview's rows and the findings' data as reports arrive (so reports need
/// not be kept), and writes the whole page at the end.
pub struct HtmlSink<'a> {
    out: &'a mut dyn Write,
    ctx: Context<'a>,
    /// The overview's rows, each with the id of its dataset.
    datasets: Vec<(String, DatasetRow)>,
    js_datasets: Vec<JsDataset>,
    findings: Vec<JsFinding>,
    texts: Texts,
    rules: BTreeSet<String>,
    departments: BTreeSet<String>,
}

impl<'a> HtmlSink<'a> {
    /// An HTML sink writing to `out`.
    pub fn new(out: &'a mut dyn Write, ctx: Context<'a>) -> HtmlSink<'a> {
        HtmlSink {
            out,
            ctx,
            datasets: Vec::new(),
            js_datasets: Vec::new(),
            findings: Vec::new(),
            texts: Texts::default(),
            rules: BTreeSet::new(),
            departments: BTreeSet::new(),
        }
    }
}

impl Sink for HtmlSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        let index = self.js_datasets.len();
        let id = format!("d{}", index + 1);
        let row = DatasetRow::of(report);
        let lang = self.ctx.lang;
        self.rules
            .extend(report.findings.iter().map(|f| f.rule.clone()));
        self.departments.extend(row.department.clone());
        let lines = LineIndex::new(&report.file.text);
        for f in &report.findings {
            self.findings.push(finding_data(
                index,
                report,
                &lines,
                f,
                self.ctx,
                &mut self.texts,
            ));
        }
        self.js_datasets.push(JsDataset {
            id: id.clone(),
            file: report.file.name.clone(),
            department: report.department.clone(),
            year: report.year,
            notes: report
                .notes
                .iter()
                .map(|n| lang.note_text(n).into_owned())
                .collect(),
            not_checked: report
                .not_checked
                .as_ref()
                .map(|n| lang.note_text(n).into_owned()),
        });
        // A reference dataset keeps its section (saying why it was not checked), but the
        // overview, like the run's summary, is about submissions.
        if report.not_checked.is_none() {
            self.datasets.push((id, row));
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        let lang = self.ctx.lang;
        let mut page = String::new();
        let _ = write!(
            page,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"tally {}\">\n<title>{}</title>\n<style>\n",
            lang.pick("en", "zh-CN"),
            self.ctx.audit.tally,
            lang.label("title"),
        );
        page.push_str(CSS);
        page.push_str("</style>\n</head>\n<body>\n");
        header(&mut page, summary, self.ctx);
        filters(&mut page, &self.rules, lang);
        overview(&mut page, lang);
        page.push_str("<main id=\"findings\"></main>\n");
        page.push_str("<p><button id=\"more\" type=\"button\" hidden>");
        page.push_str(lang.label("more"));
        page.push_str("</button></p>\n<script type=\"application/json\" id=\"tally-data\">");
        self.out.write_all(page.as_bytes())?;
        let data = serde_json::json!({
            "labels": {
                "shown": lang.pick("{shown} of {total} findings shown", "显示 {shown} 条，共 {total} 条问题"),
                "clean": lang.label("no findings"),
                "notChecked": lang.label("not checked"),
                "explained": lang.pick("说明", "说明"),
                "severity": {
                    "error": lang.severity(crate::severity::Severity::Error),
                    "warning": lang.severity(crate::severity::Severity::Warning),
                    "info": lang.severity(crate::severity::Severity::Info),
                },
            },
            "datasets": self.js_datasets,
            "departments": self.departments,
            "rows": self.datasets.iter().map(|(id, r)| serde_json::json!([
                id, r.file, r.department, r.year, r.errors, r.warnings, r.infos, r.explained
            ])).collect::<Vec<_>>(),
            "texts": self.texts.list,
            "findings": self.findings,
        });
        // `<` escaped: no text in the data can end the script element early.
        let json = serde_json::to_string(&data)?.replace('<', "\\u003c");
        self.out.write_all(json.as_bytes())?;
        self.out.write_all(b"</script>\n<script>\n")?;
        self.out.write_all(JS.as_bytes())?;
        self.out.write_all(b"</script>\n</body>\n</html>\n")
    }
}

fn header(page: &mut String, s: &Summary, ctx: Context) {
    let lang = ctx.lang;
    let a = ctx.audit;
    let _ = write!(
        page,
        "<header class=\"top\"><h1>{}</h1><p class=\"totals\"><span>{}</span> \
         <span class=\"sev-error\">{}</span> <span class=\"sev-warning\">{}</span> \
         <span class=\"sev-info\">{}</span>",
        lang.label("title"),
        lang.counted(s.files, "datasets"),
        lang.counted(s.errors, "errors"),
        lang.counted(s.warnings, "warnings"),
        lang.counted(s.infos, "infos"),
    );
    if s.explained > 0 {
        let _ = write!(
            page,
            " <span>{} {}</span>",
            s.explained,
            lang.label("explained")
        );
    }
    let years: Vec<String> = s.years.iter().map(|y| y.to_string()).collect();
    let _ = writeln!(
        page,
        "</p>\n<p class=\"audit\"><span>{} {}</span> · <span>{}: {}</span> · \
         <span title=\"SHA-256\">{}: <code id=\"pack-hash\">{}</code></span> · \
         <span>{} {}</span> · <span>{}: {}</span> · <span>{}: <time>{}</time></span></p></header>",
        lang.label("version"),
        text(a.tally),
        lang.label("pack"),
        text(&a.pack.name),
        lang.label("hash"),
        text(&a.pack.sha256),
        a.rules,
        lang.label("rules"),
        lang.label("years"),
        if years.is_empty() {
            "-".to_string()
        } else {
            years.join(", ")
        },
        lang.label("time"),
        text(&a.time),
    );
}

fn filters(page: &mut String, rules: &BTreeSet<String>, lang: Lang) {
    page.push_str("<nav id=\"filters\">\n");
    let sev = [
        ("error", lang.severity(crate::severity::Severity::Error)),
        ("warning", lang.severity(crate::severity::Severity::Warning)),
        ("info", lang.severity(crate::severity::Severity::Info)),
    ];
    select(
        page,
        "severity",
        lang.label("Severity"),
        sev.into_iter(),
        lang,
    );
    let status = [
        ("failing", lang.label("failing")),
        ("not-failing", lang.label("not-failing")),
        ("explained", lang.label("Explained")),
    ];
    select(
        page,
        "status",
        lang.label("Status"),
        status.into_iter(),
        lang,
    );
    select(
        page,
        "rule",
        lang.label("Rule"),
        rules.iter().map(|r| (r.as_str(), r.as_str())),
        lang,
    );
    // The departments (thousands, in a province) are added by the script when the list is
    // first opened: a select of 5,000 options took Chromium a second to lay out.
    select(
        page,
        "department",
        lang.label("Department"),
        std::iter::empty(),
        lang,
    );
    page.push_str("<output id=\"shown\"></output>\n</nav>\n");
}

fn select<'a>(
    page: &mut String,
    key: &str,
    label: &str,
    values: impl Iterator<Item = (&'a str, &'a str)>,
    lang: Lang,
) {
    let _ = write!(
        page,
        "<label>{label} <select id=\"f-{key}\" data-key=\"{key}\"><option value=\"\">{}</option>",
        lang.label("all")
    );
    for (v, shown) in values {
        let _ = write!(
            page,
            "<option value=\"{}\">{}</option>",
            attr(v),
            text(shown)
        );
    }
    page.push_str("</select></label>\n");
}

/// The overview's header; its rows (one per dataset) are data the script renders.
fn overview(page: &mut String, lang: Lang) {
    page.push_str("<table id=\"datasets\"><thead><tr>");
    for (key, label, num) in [
        ("file", "File", false),
        ("department", "Department", false),
        ("year", "Year", true),
        ("errors", "Errors", true),
        ("warnings", "Warnings", true),
        ("infos", "Infos", true),
        ("explained", "Explained", true),
    ] {
        let _ = write!(
            page,
            "<th data-key=\"{key}\"{}>{}</th>",
            if num { " class=\"num\"" } else { "" },
            lang.label(label)
        );
    }
    // The rows are data for the script, which renders them a page at a time (5,000 rows of
    // HTML took Chromium a second to parse and lay out).
    page.push_str("</tr></thead>\n<tbody></tbody></table>\n");
    let _ = writeln!(
        page,
        "<p><button id=\"more-rows\" type=\"button\" hidden>{}</button></p>",
        lang.label("more")
    );
}

/// The embedded data of one finding.
fn finding_data(
    dataset: usize,
    report: &FileReport,
    lines: &LineIndex,
    f: &Finding,
    ctx: Context,
    texts: &mut Texts,
) -> JsFinding {
    let lang = ctx.lang;
    let at = super::position(report, f);
    let prior: Vec<String> = f
        .values
        .iter()
        .filter_map(|v| {
            let file = v.prior.as_ref()?;
            let at = file.line_col(v.span.start);
            Some(match lang {
                Lang::En => format!(
                    "{} = {} (in {} at {}:{})",
                    v.path, v.text, file.name, at.line, at.column
                ),
                Lang::Zh => format!(
                    "{} = {}（见 {}:{}:{}）",
                    v.path, v.text, file.name, at.line, at.column
                ),
            })
        })
        .collect();
    // The help is the evidence's line (this finding's own), then the rule's help (shared).
    let help = lang.help(f).map(|h| h.into_owned()).unwrap_or_default();
    let (e, rest) = match (&f.evidence, help.split_once('\n')) {
        (Some(_), Some((first, rest))) => (Some(first.to_string()), Some(rest)),
        (Some(_), None) => (Some(help.clone()), None),
        (None, _) => (None, (!help.is_empty()).then_some(help.as_str())),
    };
    let (v, x) = excerpt(report, lines, f);
    JsFinding {
        d: dataset,
        severity: f.severity.name(),
        status: super::status(f, ctx.fail_on).key(),
        rule: f.rule.clone(),
        message: lang.message(f).into_owned(),
        at: (at.line, at.column),
        e,
        h: rest.map(|r| texts.id(r)),
        prior: (!prior.is_empty()).then(|| prior.join("\n")),
        explained: super::explanation(f).map(str::to_string),
        v,
        x,
    }
}

/// A highlighted place: its byte span, its label, whether it is the primary one.
struct Mark<'r> {
    span: Span,
    label: &'r str,
    primary: bool,
}

/// The dataset lines around the finding's figures (a line of context around each), the
/// figures marked, and the labels of the marks.
fn excerpt(report: &FileReport, lines: &LineIndex, f: &Finding) -> (Vec<String>, Vec<JsLine>) {
    let labels: Vec<String> = f
        .values
        .iter()
        .map(|v| format!("{} = {}", v.path, v.text))
        .collect();
    let mut marks: Vec<Mark> = f
        .values
        .iter()
        .zip(&labels)
        .filter(|(v, _)| v.prior.is_none())
        .map(|(v, l)| Mark {
            span: v.span,
            label: l,
            primary: Some(v.span) == f.primary,
        })
        .chain(f.notes.iter().map(|(s, l)| Mark {
            span: *s,
            label: l,
            primary: Some(*s) == f.primary,
        }))
        .collect();
    if marks.is_empty()
        && let Some(p) = f.primary
    {
        marks.push(Mark {
            span: p,
            label: "here",
            primary: true,
        });
    }
    let source = &report.file.text;
    if source.is_empty() || marks.is_empty() {
        return (Vec::new(), Vec::new());
    }
    marks.sort_by_key(|m| (m.span.start, m.span.end));
    let mut v: Vec<String> = Vec::new();
    let shown = lines.around(marks.iter().map(|m| m.span.start as usize), CONTEXT);
    let x = shown
        .into_iter()
        .map(|line| {
            let range = lines.range(line, source);
            let window = window(source, range.clone(), &marks);
            let (text, found) = line_marks(source, window.clone(), &marks);
            let cut_before = window.start > range.start;
            let shift = usize::from(cut_before);
            let mut shown = String::new();
            if cut_before {
                shown.push('…');
            }
            shown.push_str(&text);
            if window.end < range.end {
                shown.push('…');
            }
            let found = found
                .into_iter()
                .map(|(start, end, label, primary)| {
                    let i = v.iter().position(|l| l == label).unwrap_or_else(|| {
                        v.push(label.to_string());
                        v.len() - 1
                    });
                    (start + shift, end + shift, i, u8::from(primary))
                })
                .collect();
            JsLine(line + 1, shown, found)
        })
        .collect();
    (v, x)
}

/// The part of a line shown: all of it, or for a line longer than [`MAX_EXCERPT_LINE`] a
/// window of that many bytes from a little before its first mark, cut at characters.
fn window(source: &str, range: std::ops::Range<usize>, marks: &[Mark]) -> std::ops::Range<usize> {
    if range.len() <= MAX_EXCERPT_LINE {
        return range;
    }
    let first = marks
        .iter()
        .map(|m| m.span.start as usize)
        .find(|s| range.contains(s))
        .unwrap_or(range.start);
    let floor = |mut i: usize| {
        while !source.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = floor(first.saturating_sub(MAX_EXCERPT_LINE / 3).max(range.start));
    let end = floor((start + MAX_EXCERPT_LINE).min(range.end));
    start..end
}

/// One line of the source (the bytes of `range`) and the marks that fall in it, each as its
/// start and end in UTF-16 code units of the line (overlapping marks: the first wins).
#[allow(clippy::type_complexity)]
fn line_marks<'m>(
    source: &str,
    range: std::ops::Range<usize>,
    marks: &'m [Mark],
) -> (String, Vec<(usize, usize, &'m str, bool)>) {
    let text = source.get(range.clone()).unwrap_or("").to_string();
    let units = |to: usize| {
        source
            .get(range.start..to)
            .map_or(0, |s| s.encode_utf16().count())
    };
    let mut at = range.start;
    let mut found = Vec::new();
    for m in marks {
        let (start, end) = (m.span.start as usize, (m.span.end as usize).min(range.end));
        if start < at || start >= range.end || end <= start {
            continue;
        }
        if source.get(at..start).is_none() || source.get(start..end).is_none() {
            continue;
        }
        found.push((units(start), units(end), m.label, m.primary));
        at = end;
    }
    (text, found)
}

/// Byte offsets where lines start, to cut lines out of a dataset.
struct LineIndex {
    starts: Vec<usize>,
    /// The last line with text (a final line break starts no line of its own).
    last: usize,
}

impl LineIndex {
    fn new(source: &str) -> LineIndex {
        let starts: Vec<usize> = std::iter::once(0)
            .chain(source.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let last = starts.len() - 1 - usize::from(starts.len() > 1 && source.ends_with('\n'));
        LineIndex { starts, last }
    }

    /// The 0-based line of a byte offset.
    fn line(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
            .min(self.last)
    }

    /// The lines within `context` of any of the offsets, in order, without repeats.
    fn around(&self, offsets: impl Iterator<Item = usize>, context: usize) -> BTreeSet<usize> {
        let last = self.last;
        offsets
            .flat_map(|o| {
                let l = self.line(o);
                l.saturating_sub(context)..=(l + context).min(last)
            })
            .collect()
    }

    /// The bytes of a line, without its line break.
    fn range(&self, line: usize, source: &str) -> std::ops::Range<usize> {
        let start = self.starts[line];
        let end = self.starts.get(line + 1).map_or(source.len(), |&n| n - 1);
        let end = if source.as_bytes().get(end.wrapping_sub(1)) == Some(&b'\r') && end > start {
            end - 1
        } else {
            end
        };
        start..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_around_offsets_merge_and_stop_at_the_ends() {
        let src = "a\nb\nc\nd\ne\n";
        let idx = LineIndex::new(src);
        let shown: Vec<usize> = idx.around([0, 4].into_iter(), 1).into_iter().collect();
        assert_eq!(shown, vec![0, 1, 2, 3]);
        // The break that ends the file starts no line of its own.
        let shown: Vec<usize> = idx.around([8].into_iter(), 1).into_iter().collect();
        assert_eq!(shown, vec![3, 4]);
        assert_eq!(&src[idx.range(2, src)], "c");
    }

    #[test]
    fn marks_count_in_utf16_units() {
        let src = "收入: 1.00 # 𝟙\r\n";
        let start = src.find('1').unwrap();
        let marks = [Mark {
            span: Span::new(start, start + 4),
            label: "a = 1.00",
            primary: true,
        }];
        let (text, found) = line_marks(src, LineIndex::new(src).range(0, src), &marks);
        assert_eq!(text, "收入: 1.00 # 𝟙");
        assert_eq!(found, [(4, 8, "a = 1.00", true)]);
        let units: Vec<u16> = text.encode_utf16().collect();
        assert_eq!(String::from_utf16(&units[4..8]).unwrap(), "1.00");
    }
}
