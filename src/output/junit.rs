//! JUnit XML, the test-report format every CI system displays: a `testsuite` per dataset, a
//! `testcase` per rule that ran on it, a `failure` for each finding that fails the run (at or
//! above `--fail-on`, not explained: exactly those that make the exit code 1), its `type` the
//! severity. Findings that do not fail the run (below `--fail-on`, or explained) are told in
//! the test case's `system-out`, so that a passing run has no failure. File-level problems
//! (unreadable file, bad YAML) are test cases named by their code; a reference dataset that
//! was not checked is one skipped test case. `testsuites` carries the totals, so the suites
//! are held until the end of the run.

use super::{Context, Status};
use crate::finding::{FileReport, Finding};
use crate::run::Sink;
use crate::run::summary::Summary;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::borrow::Cow;
use std::io::Write;

/// Writes one `testsuites` document: the suites gathered file by file, then written under
/// `testsuites` with its totals.
pub struct JunitSink<'a> {
    out: &'a mut dyn Write,
    suites: Writer<Vec<u8>>,
    totals: Totals,
    ctx: Context<'a>,
}

/// The counts of `testsuites`.
#[derive(Default)]
struct Totals {
    tests: usize,
    failures: usize,
    skipped: usize,
}

impl<'a> JunitSink<'a> {
    /// A JUnit sink writing to `out`.
    pub fn new(out: &'a mut dyn Write, ctx: Context<'a>) -> JunitSink<'a> {
        JunitSink {
            out,
            suites: Writer::new_with_indent(Vec::new(), b' ', 2),
            totals: Totals::default(),
            ctx,
        }
    }
}

impl Sink for JunitSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        write_suite(&mut self.suites, report, self.ctx, &mut self.totals)
    }

    fn finish(&mut self, _summary: &Summary) -> std::io::Result<()> {
        let mut xml = Writer::new_with_indent(&mut *self.out, b' ', 2);
        xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        let t = &self.totals;
        xml.write_event(Event::Start(BytesStart::new("testsuites").with_attributes(
            [
                ("name", "tally"),
                ("tests", t.tests.to_string().as_str()),
                ("failures", t.failures.to_string().as_str()),
                ("errors", "0"),
                ("skipped", t.skipped.to_string().as_str()),
            ],
        )))?;
        let suites = std::mem::take(self.suites.get_mut());
        if !suites.is_empty() {
            xml.get_mut().write_all(b"\n")?;
            xml.get_mut().write_all(&suites)?;
        }
        xml.write_event(Event::End(BytesEnd::new("testsuites")))?;
        xml.get_mut().write_all(b"\n")
    }
}

/// A test case: a rule (or file-level code) and its findings on one dataset.
struct Case<'r> {
    name: &'r str,
    failures: Vec<&'r Finding>,
    /// Findings that do not fail the run, told in `system-out`.
    others: Vec<&'r Finding>,
}

/// The test cases of a report: every rule that ran, in order, then the file-level codes.
fn cases<'r>(report: &'r FileReport, ctx: Context) -> Vec<Case<'r>> {
    let mut cases: Vec<Case> = report
        .applied
        .iter()
        .map(|id| Case {
            name: id,
            failures: Vec::new(),
            others: Vec::new(),
        })
        .collect();
    for f in &report.findings {
        let i = match cases.iter().position(|c| c.name == f.rule) {
            Some(i) => i,
            None => {
                cases.push(Case {
                    name: &f.rule,
                    failures: Vec::new(),
                    others: Vec::new(),
                });
                cases.len() - 1
            }
        };
        match super::status(f, ctx.fail_on) {
            Status::Failing => cases[i].failures.push(f),
            Status::NotFailing | Status::Explained => cases[i].others.push(f),
        }
    }
    cases
}

fn write_suite(
    xml: &mut Writer<Vec<u8>>,
    report: &FileReport,
    ctx: Context,
    totals: &mut Totals,
) -> std::io::Result<()> {
    let name = xml_text(&report.file.name);
    let cases = cases(report, ctx);
    let tests = cases.len() + usize::from(report.not_checked.is_some());
    let failures = cases.iter().filter(|c| !c.failures.is_empty()).count();
    let skipped = usize::from(report.not_checked.is_some());
    totals.tests += tests;
    totals.failures += failures;
    totals.skipped += skipped;
    xml.create_element("testsuite")
        .with_attributes([
            ("name", name.as_ref()),
            ("tests", &tests.to_string()),
            ("failures", &failures.to_string()),
            ("errors", "0"),
            ("skipped", &skipped.to_string()),
        ])
        .write_inner_content(|xml| {
            write_properties(xml, report)?;
            for case in &cases {
                write_case(xml, report, &name, case, ctx)?;
            }
            if let Some(why) = &report.not_checked {
                xml.create_element("testcase")
                    .with_attributes([("name", "not-checked"), ("classname", name.as_ref())])
                    .write_inner_content(|xml| {
                        xml.create_element("skipped")
                            .with_attribute(("message", xml_text(why).as_ref()))
                            .write_empty()?;
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// The dataset's department and year, when it names them.
fn write_properties(xml: &mut Writer<Vec<u8>>, report: &FileReport) -> std::io::Result<()> {
    let mut props = Vec::new();
    if let Some(d) = &report.department {
        props.push(("department", xml_text(d).into_owned()));
    }
    if let Some(y) = report.year {
        props.push(("year", y.to_string()));
    }
    if props.is_empty() {
        return Ok(());
    }
    xml.create_element("properties")
        .write_inner_content(|xml| {
            for (name, value) in &props {
                xml.create_element("property")
                    .with_attributes([("name", *name), ("value", value.as_str())])
                    .write_empty()?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_case(
    xml: &mut Writer<Vec<u8>>,
    report: &FileReport,
    classname: &str,
    case: &Case,
    ctx: Context,
) -> std::io::Result<()> {
    let element = xml.create_element("testcase").with_attributes([
        ("name", xml_text(case.name).as_ref()),
        ("classname", classname),
    ]);
    if case.failures.is_empty() && case.others.is_empty() {
        element.write_empty()?;
        return Ok(());
    }
    let body = |f: &Finding| {
        let at = super::position(report, f);
        let mut body = format!(
            "{}:{}:{}: {} {}",
            report.file.name, at.line, at.column, f.severity, f.rule
        );
        if f.explained.is_some() {
            body.push(' ');
            body.push_str(ctx.lang.explained_mark());
        }
        body.push(' ');
        body.push_str(&ctx.lang.message(f));
        if let Some(help) = ctx.lang.help(f) {
            body.push('\n');
            body.push_str(&help);
        }
        if let Some(e) = &f.explained {
            body.push('\n');
            body.push_str(&ctx.lang.explained_reason(&e.reason));
        }
        body
    };
    element.write_inner_content(|xml| {
        for f in &case.failures {
            xml.create_element("failure")
                .with_attributes([
                    ("type", f.severity.name()),
                    ("message", xml_text(&ctx.lang.message(f)).as_ref()),
                ])
                .write_text_content(BytesText::new(&xml_text(&body(f))))?;
        }
        if !case.others.is_empty() {
            let text: Vec<String> = case.others.iter().map(|f| body(f)).collect();
            xml.create_element("system-out")
                .write_text_content(BytesText::new(&xml_text(&text.join("\n\n"))))?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Text as XML 1.0 allows it: characters it forbids even escaped (most control characters,
/// which a dataset string may smuggle into a message) become U+FFFD. Escaping of `<`, `&`
/// and quotes is quick-xml's job.
fn xml_text(s: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
            || c >= '\u{10000}'
    };
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(
            s.chars()
                .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_forbids_are_replaced() {
        assert_eq!(xml_text("a\u{1}b\tc"), "a\u{FFFD}b\tc");
        assert!(matches!(xml_text("收入 <&>"), Cow::Borrowed(_)));
    }
}
