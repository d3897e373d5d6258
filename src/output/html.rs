//! The HTML report for reviewers: one self-contained file (CSS and JavaScript inline, no
//! network resource) with an overview of every dataset (counts by severity, sortable), filters
//! by severity, rule and department, and each finding with its message, the computed sides
//! (help text) and the dataset excerpt around its figures, the figures highlighted.
//!
//! Filters can also be set by the URL: `report.html#severity=error&rule=R&department=D`, and
//! the overview sorted by `#sort=errors:desc` (any column key, `asc` or `desc`).
//!
//! Everything from datasets and rules is escaped (html-escape); the script reads only the
//! document, never data embedded in it.

use super::tables::DatasetRow;
use crate::finding::{FileReport, Finding};
use crate::run::Sink;
use crate::run::summary::Summary;
use crate::source::Span;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// Lines shown around each highlighted line.
const CONTEXT: usize = 1;

/// Gathers each dataset's section as its report arrives (as HTML, so reports need not be
/// kept), and writes the whole page at the end.
pub struct HtmlSink<'a> {
    out: &'a mut dyn Write,
    /// The overview's rows, each with the id of its section.
    datasets: Vec<(String, DatasetRow)>,
    sections: String,
    sections_count: usize,
    rules: BTreeSet<String>,
    departments: BTreeSet<String>,
}

impl<'a> HtmlSink<'a> {
    /// An HTML sink writing to `out`.
    pub fn new(out: &'a mut dyn Write) -> HtmlSink<'a> {
        HtmlSink {
            out,
            datasets: Vec::new(),
            sections: String::new(),
            sections_count: 0,
            rules: BTreeSet::new(),
            departments: BTreeSet::new(),
        }
    }
}

impl Sink for HtmlSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        self.sections_count += 1;
        let id = format!("d{}", self.sections_count);
        let row = DatasetRow::of(report);
        self.rules
            .extend(report.findings.iter().map(|f| f.rule.clone()));
        self.departments.extend(row.department.clone());
        dataset_section(&mut self.sections, &id, &row, report);
        // A reference dataset keeps its section (saying why it was not checked), but the
        // overview, like the run's summary, is about submissions.
        if report.not_checked.is_none() {
            self.datasets.push((id, row));
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> std::io::Result<()> {
        let mut page = String::new();
        page.push_str(concat!(
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
            "<meta name=\"generator\" content=\"tally\">\n",
            "<title>tally report</title>\n<style>\n"
        ));
        page.push_str(CSS);
        page.push_str("</style>\n</head>\n<body>\n");
        header(&mut page, summary);
        filters(&mut page, &self.rules, &self.departments);
        overview(&mut page, &self.datasets);
        page.push_str("<main id=\"findings\">\n");
        // The sections (the bulk of a batch's page) are written as they are, not copied.
        self.out.write_all(page.as_bytes())?;
        self.out.write_all(self.sections.as_bytes())?;
        self.out.write_all(b"</main>\n<script>\n")?;
        self.out.write_all(JS.as_bytes())?;
        self.out.write_all(b"</script>\n</body>\n</html>\n")
    }
}

fn header(page: &mut String, s: &Summary) {
    let _ = writeln!(
        page,
        "<header class=\"top\"><h1>tally report</h1><p class=\"totals\">\
         <span>{} datasets</span> <span class=\"sev-error\">{} errors</span> \
         <span class=\"sev-warning\">{} warnings</span> <span class=\"sev-info\">{} infos</span>\
         </p></header>",
        s.files, s.errors, s.warnings, s.infos
    );
}

fn filters(page: &mut String, rules: &BTreeSet<String>, departments: &BTreeSet<String>) {
    page.push_str("<nav id=\"filters\">\n");
    select(
        page,
        "severity",
        "Severity",
        ["error", "warning", "info"].iter().copied(),
    );
    select(page, "rule", "Rule", rules.iter().map(String::as_str));
    select(
        page,
        "department",
        "Department",
        departments.iter().map(String::as_str),
    );
    page.push_str("<output id=\"shown\"></output>\n</nav>\n");
}

fn select<'a>(page: &mut String, key: &str, label: &str, values: impl Iterator<Item = &'a str>) {
    let _ = write!(
        page,
        "<label>{label} <select id=\"f-{key}\" data-key=\"{key}\"><option value=\"\">all</option>"
    );
    for v in values {
        let _ = write!(page, "<option value=\"{}\">{}</option>", attr(v), text(v));
    }
    page.push_str("</select></label>\n");
}

/// The overview: one row per dataset, each cell with its sort key.
fn overview(page: &mut String, rows: &[(String, DatasetRow)]) {
    page.push_str(concat!(
        "<table id=\"datasets\"><thead><tr>",
        "<th data-key=\"file\">File</th><th data-key=\"department\">Department</th>",
        "<th data-key=\"year\" class=\"num\">Year</th>",
        "<th data-key=\"errors\" class=\"num\">Errors</th>",
        "<th data-key=\"warnings\" class=\"num\">Warnings</th>",
        "<th data-key=\"infos\" class=\"num\">Infos</th>",
        "<th data-key=\"explained\" class=\"num\">Explained</th>",
        "</tr></thead>\n<tbody>\n"
    ));
    for (id, row) in rows {
        let dept = row.department.as_deref().unwrap_or("");
        let _ = writeln!(
            page,
            "<tr data-section=\"{id}\" data-department=\"{da}\"><td><a href=\"#{id}\">{file}</a></td>\
             <td>{dept}</td><td class=\"num\">{year}</td><td class=\"num sev-error\">{e}</td>\
             <td class=\"num sev-warning\">{w}</td><td class=\"num sev-info\">{i}</td>\
             <td class=\"num\">{x}</td></tr>",
            da = attr(dept),
            file = text(&row.file),
            dept = text(dept),
            year = row.year.map_or(String::new(), |y| y.to_string()),
            e = row.errors,
            w = row.warnings,
            i = row.infos,
            x = row.explained,
        );
    }
    page.push_str("</tbody></table>\n");
}

fn dataset_section(out: &mut String, id: &str, row: &DatasetRow, report: &FileReport) {
    let dept = row.department.as_deref().unwrap_or("");
    let _ = write!(
        out,
        "<section class=\"dataset\" id=\"{id}\" data-department=\"{}\">\n<h2>{}",
        attr(dept),
        text(&row.file)
    );
    let about: Vec<String> = row
        .department
        .iter()
        .cloned()
        .chain(row.year.map(|y| y.to_string()))
        .collect();
    if !about.is_empty() {
        let _ = write!(out, " <small>{}</small>", text(&about.join(" · ")));
    }
    out.push_str("</h2>\n");
    if let Some(why) = &report.not_checked {
        let _ = writeln!(out, "<p class=\"note\">not checked: {}</p>", text(why));
    }
    for note in &report.notes {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", text(note));
    }
    if report.findings.is_empty() && report.not_checked.is_none() {
        out.push_str("<p class=\"clean\">no findings</p>\n");
    }
    let lines = LineIndex::new(&report.file.text);
    for f in &report.findings {
        finding_article(out, id, dept, report, &lines, f);
    }
    out.push_str("</section>\n");
}

fn finding_article(
    out: &mut String,
    id: &str,
    dept: &str,
    report: &FileReport,
    lines: &LineIndex,
    f: &Finding,
) {
    let at = super::position(report, f);
    let explained = super::explanation(f);
    let _ = write!(
        out,
        "<article class=\"finding sev-{sev}{x}\" data-severity=\"{sev}\" data-rule=\"{rule_a}\" \
         data-department=\"{dept}\" data-section=\"{id}\">\n<h3><span class=\"sev\">{sev}</span> \
         <code class=\"rule\">{rule}</code> <span class=\"msg\">{msg}</span> \
         <span class=\"loc\">{file}:{line}:{col}</span></h3>\n",
        sev = f.severity,
        x = if explained.is_some() {
            " explained"
        } else {
            ""
        },
        rule_a = attr(&f.rule),
        dept = attr(dept),
        rule = text(&f.rule),
        msg = text(&f.message),
        file = text(&report.file.name),
        line = at.line,
        col = at.column,
    );
    if let Some(help) = &f.help {
        let _ = writeln!(out, "<pre class=\"help\">{}</pre>", text(help));
    }
    let prior: Vec<String> = f
        .values
        .iter()
        .filter_map(|v| {
            let file = v.prior.as_ref()?;
            let at = file.line_col(v.span.start);
            Some(format!(
                "{} = {} (in {} at {}:{})",
                v.path, v.text, file.name, at.line, at.column
            ))
        })
        .collect();
    if !prior.is_empty() {
        let _ = writeln!(
            out,
            "<pre class=\"prior\">{}</pre>",
            text(&prior.join("\n"))
        );
    }
    if let Some(why) = explained {
        let _ = writeln!(out, "<p class=\"explanation\">说明: {}</p>", text(why));
    }
    excerpt(out, report, lines, f);
    out.push_str("</article>\n");
}

/// A highlighted place: its byte span, its label, whether it is the primary one.
struct Mark<'r> {
    span: Span,
    label: &'r str,
    primary: bool,
}

/// The dataset lines around the finding's figures, the figures marked.
fn excerpt(out: &mut String, report: &FileReport, lines: &LineIndex, f: &Finding) {
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
        return;
    }
    marks.sort_by_key(|m| (m.span.start, m.span.end));
    let shown = lines.around(marks.iter().map(|m| m.span.start as usize), CONTEXT);
    out.push_str("<pre class=\"excerpt\">");
    let mut previous: Option<usize> = None;
    for line in shown {
        if previous.is_some_and(|p| line > p + 1) {
            out.push_str("<span class=\"gap\">⋯</span>\n");
        }
        previous = Some(line);
        let range = lines.range(line, source);
        let _ = write!(out, "<span class=\"ln\">{}</span>", line + 1);
        highlight_line(out, source, range, &marks);
        out.push('\n');
    }
    out.push_str("</pre>\n");
}

/// One line of the source, with the marks that fall in it (overlapping marks: the first wins).
fn highlight_line(out: &mut String, source: &str, range: std::ops::Range<usize>, marks: &[Mark]) {
    let mut at = range.start;
    for m in marks {
        let (start, end) = (m.span.start as usize, (m.span.end as usize).min(range.end));
        if start < at || start >= range.end || end <= start {
            continue;
        }
        let (Some(before), Some(figure)) = (source.get(at..start), source.get(start..end)) else {
            continue;
        };
        out.push_str(&text(before));
        let _ = write!(
            out,
            "<mark{} title=\"{}\">{}</mark>",
            if m.primary { " class=\"primary\"" } else { "" },
            attr(m.label),
            text(figure)
        );
        at = end;
    }
    out.push_str(&text(source.get(at..range.end).unwrap_or("")));
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
    fn figures_are_marked_and_everything_is_escaped() {
        let src = "<b>: 1.00 # 收入\r\n";
        let mut out = String::new();
        let start = src.find('1').unwrap();
        let marks = [Mark {
            span: Span::new(start, start + 4),
            label: "a\"b = 1.00",
            primary: true,
        }];
        highlight_line(&mut out, src, LineIndex::new(src).range(0, src), &marks);
        assert_eq!(
            out,
            "&lt;b&gt;: <mark class=\"primary\" title=\"a&quot;b = 1.00\">1.00</mark> # 收入"
        );
    }
}
