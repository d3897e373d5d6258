//! JUnit XML, the test-report format every CI system displays: a `testsuite` per dataset, a
//! `testcase` per rule that ran on it, a `failure` per finding (its `type` the severity).
//! File-level problems (unreadable file, bad YAML) are test cases named by their code; a
//! reference dataset that was not checked is one skipped test case.

use crate::finding::{FileReport, Finding};
use crate::run::Sink;
use crate::run::summary::Summary;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::borrow::Cow;
use std::io::Write;

/// Streams one `testsuites` document, a suite per file as it finishes.
pub struct JunitSink<'a> {
    xml: Writer<&'a mut dyn Write>,
    started: bool,
}

impl<'a> JunitSink<'a> {
    /// A JUnit sink writing to `out`.
    pub fn new(out: &'a mut dyn Write) -> JunitSink<'a> {
        JunitSink {
            xml: Writer::new_with_indent(out, b' ', 2),
            started: false,
        }
    }

    fn start(&mut self) -> std::io::Result<()> {
        if !std::mem::replace(&mut self.started, true) {
            self.xml
                .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
            self.xml.write_event(Event::Start(
                BytesStart::new("testsuites").with_attributes([("name", "tally")]),
            ))?;
        }
        Ok(())
    }
}

impl Sink for JunitSink<'_> {
    fn file(&mut self, report: &FileReport, _rendered: Option<&str>) -> std::io::Result<()> {
        self.start()?;
        write_suite(&mut self.xml, report)
    }

    fn finish(&mut self, _summary: &Summary) -> std::io::Result<()> {
        self.start()?;
        self.xml
            .write_event(Event::End(BytesEnd::new("testsuites")))?;
        self.xml.get_mut().write_all(b"\n")
    }
}

/// A test case: a rule (or file-level code) and its findings on one dataset.
struct Case<'r> {
    name: &'r str,
    failures: Vec<&'r Finding>,
}

/// The test cases of a report: every rule that ran, in order, then the file-level codes.
fn cases(report: &FileReport) -> Vec<Case<'_>> {
    let mut cases: Vec<Case> = report
        .applied
        .iter()
        .map(|id| Case {
            name: id,
            failures: Vec::new(),
        })
        .collect();
    for f in &report.findings {
        match cases.iter_mut().find(|c| c.name == f.rule) {
            Some(case) => case.failures.push(f),
            None => cases.push(Case {
                name: &f.rule,
                failures: vec![f],
            }),
        }
    }
    cases
}

fn write_suite(xml: &mut Writer<&mut dyn Write>, report: &FileReport) -> std::io::Result<()> {
    let name = xml_text(&report.file.name);
    let cases = cases(report);
    let tests = cases.len() + usize::from(report.not_checked.is_some());
    let failures = cases.iter().filter(|c| !c.failures.is_empty()).count();
    let skipped = usize::from(report.not_checked.is_some());
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
                write_case(xml, report, &name, case)?;
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
fn write_properties(xml: &mut Writer<&mut dyn Write>, report: &FileReport) -> std::io::Result<()> {
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
    xml: &mut Writer<&mut dyn Write>,
    report: &FileReport,
    classname: &str,
    case: &Case,
) -> std::io::Result<()> {
    let element = xml.create_element("testcase").with_attributes([
        ("name", xml_text(case.name).as_ref()),
        ("classname", classname),
    ]);
    if case.failures.is_empty() {
        element.write_empty()?;
        return Ok(());
    }
    element.write_inner_content(|xml| {
        for f in &case.failures {
            let at = super::position(report, f);
            let mut body = format!(
                "{}:{}:{}: {} {} {}",
                report.file.name, at.line, at.column, f.severity, f.rule, f.message
            );
            if let Some(help) = &f.help {
                body.push('\n');
                body.push_str(help);
            }
            xml.create_element("failure")
                .with_attributes([
                    ("type", f.severity.name()),
                    ("message", xml_text(&f.message).as_ref()),
                ])
                .write_text_content(BytesText::new(&xml_text(&body)))?;
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
