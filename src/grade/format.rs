//! A class's grades in the five shapes a teacher needs:
//!
//! - `table`: for the terminal; a row per student, then what went wrong;
//! - `json`: everything, per student, exercise, step and test;
//! - `csv`: one row per student, `student,<exercise>…,total` in points, for
//!   a gradebook or a spreadsheet;
//! - `markdown`: the table and the details, for an issue or a wiki page;
//! - `junit`: JUnit XML, a test case per student's test, for CI dashboards.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};

use super::report::{
    ClassReport, ExerciseResult, StepResult, StepStatus, StudentReport,
};
use crate::runner::Outcome;

/// The shapes a report can take.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum GradeFormat {
    /// A table for the terminal, then the details.
    #[default]
    Table,
    /// Everything, as one JSON document.
    Json,
    /// A row of points per student.
    Csv,
    /// A Markdown table and the details.
    Markdown,
    /// JUnit XML: a test case per student's test.
    Junit,
}

impl GradeFormat {
    /// The format a file's extension asks for: `.json`, `.csv`, `.md`,
    /// `.xml`; anything else is a table.
    pub fn for_file(path: &Path) -> GradeFormat {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match extension.as_str() {
            "json" => GradeFormat::Json,
            "csv" => GradeFormat::Csv,
            "md" | "markdown" => GradeFormat::Markdown,
            "xml" | "junit" => GradeFormat::Junit,
            _ => GradeFormat::Table,
        }
    }
}

/// The report in `format`.
pub fn render(report: &ClassReport, format: GradeFormat) -> Result<String> {
    Ok(match format {
        GradeFormat::Table => table(report),
        GradeFormat::Json => {
            let mut text = serde_json::to_string_pretty(report)
                .context("encoding the grades as JSON")?;
            text.push('\n');
            text
        }
        GradeFormat::Csv => csv(report),
        GradeFormat::Markdown => markdown(report),
        GradeFormat::Junit => junit(report),
    })
}

/// `35/60`, or `—` for an exercise not handed in.
fn score(result: Option<&ExerciseResult>, max: u32) -> String {
    match result {
        Some(r) if r.submitted => format!("{}/{}", r.points, r.max_points),
        _ => format!("—/{max}"),
    }
}

/// Seconds as people write them: `60 s`, `2.5 s`.
fn seconds(value: f64) -> String {
    format!("{value} s")
}

/// What went wrong for a student, one line each (nothing when all passed).
fn details(report: &ClassReport, student: &StudentReport) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(problem) = &student.problem {
        lines.push(format!("could not be graded: the submission {problem}"));
        return lines;
    }
    for result in &student.exercises {
        if !result.submitted {
            lines.push(format!("{}: not submitted", result.exercise));
            continue;
        }
        let info = report
            .exercises
            .iter()
            .find(|e| e.exercise == result.exercise);
        let nothing_passes = result.steps.iter().all(|s| {
            s.outcome == StepStatus::Failed
                && s.tests_passed == 0
                && s.problem.is_none()
        });
        if nothing_passes {
            let total: usize = result.steps.iter().map(|s| s.tests_total).sum();
            lines.push(format!(
                "{}: no test passes yet (0 of {total}): the exercise as handed out?",
                result.exercise
            ));
        }
        let unpassed = result
            .steps
            .iter()
            .filter(|s| s.outcome != StepStatus::Passed);
        for step in unpassed.filter(|_| !nothing_passes) {
            let title = info
                .and_then(|i| i.steps.get(step.number - 1))
                .map(|s| s.title.as_str())
                .unwrap_or_default();
            lines.push(format!(
                "{} step {} ({title}): {}",
                result.exercise,
                step.number,
                step_words(step, report.time_limit_seconds)
            ));
        }
        if !result.changed_outside_src.is_empty() {
            let files: Vec<String> = result
                .changed_outside_src
                .iter()
                .map(|c| format!("{} ({})", c.path, c.change.word()))
                .collect();
            lines.push(format!(
                "{}: changed outside src/, not used for grading: {}",
                result.exercise,
                files.join(", ")
            ));
        }
    }
    if !student.changed_support.is_empty() {
        let files: Vec<String> = student
            .changed_support
            .iter()
            .map(|c| format!("{} ({})", c.path, c.change.word()))
            .collect();
        lines.push(format!(
            "changed the test helpers, not used for grading: {}",
            files.join(", ")
        ));
    }
    lines
}

/// `failed, 2 of 5 tests passed (first: `name`)`.
fn step_words(step: &StepResult, limit: f64) -> String {
    let tally =
        format!("{} of {} tests passed", step.tests_passed, step.tests_total);
    match step.outcome {
        StepStatus::Passed => format!("passed, {tally}"),
        StepStatus::NotSubmitted => "not submitted".to_owned(),
        StepStatus::DidNotCompile => "did not compile".to_owned(),
        StepStatus::TimedOut => format!(
            "timed out, {tally}: the tests were stopped after {}",
            seconds(limit)
        ),
        StepStatus::Failed => {
            let first = step
                .tests
                .iter()
                .find(|t| matches!(t.outcome, Outcome::Failed { .. }))
                .map(|t| format!(" (first failure: {})", t.name))
                .unwrap_or_default();
            match &step.problem {
                Some(problem) => format!("failed: {problem}"),
                None => format!("failed, {tally}{first}"),
            }
        }
    }
}

fn table(report: &ClassReport) -> String {
    let mut out = String::new();
    let exercises: Vec<&str> = report
        .exercises
        .iter()
        .map(|e| e.exercise.as_str())
        .collect();
    let _ = writeln!(
        out,
        "graded {} × {} ({} points), time limit {} per step",
        plural(report.students.len(), "submission"),
        exercises.join(", "),
        report.max_points(),
        seconds(report.time_limit_seconds)
    );
    out.push('\n');
    let mut rows = vec![{
        let mut header = vec!["student".to_owned()];
        header.extend(exercises.iter().map(|e| (*e).to_owned()));
        header.push("total".to_owned());
        header
    }];
    for student in &report.students {
        let mut row = vec![student.student.clone()];
        for info in &report.exercises {
            row.push(score(student.exercise(&info.exercise), info.max_points));
        }
        row.push(format!("{}/{}", student.points, student.max_points));
        rows.push(row);
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                if c == 0 {
                    format!("{cell:<width$}", width = widths[c])
                } else {
                    format!("{cell:>width$}", width = widths[c])
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    for student in &report.students {
        let lines = details(report, student);
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{}", student.student);
        for line in lines {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One CSV field, quoted when it must be (RFC 4180), and kept from being
/// read as a formula by a spreadsheet (`=…`, `+…`, `-…`, `@…`).
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn csv(report: &ClassReport) -> String {
    let mut out = String::from("student");
    for info in &report.exercises {
        out.push(',');
        out.push_str(&csv_field(&info.exercise));
    }
    out.push_str(",total\n");
    for student in &report.students {
        out.push_str(&csv_field(&student.student));
        for info in &report.exercises {
            let points = student.exercise(&info.exercise).map_or(0, |r| r.points);
            let _ = write!(out, ",{points}");
        }
        let _ = writeln!(out, ",{}", student.points);
    }
    out
}

/// Text safe inside a Markdown table cell or list item.
fn md(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace(['\n', '\r'], " ")
}

fn markdown(report: &ClassReport) -> String {
    let mut out = String::from("# Grades\n\n");
    let exercises: Vec<&str> = report
        .exercises
        .iter()
        .map(|e| e.exercise.as_str())
        .collect();
    let _ = writeln!(
        out,
        "{} graded on {} ({} points); each step's tests had {}.\n",
        plural(report.students.len(), "submission"),
        exercises
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", "),
        report.max_points(),
        seconds(report.time_limit_seconds)
    );
    let _ = writeln!(out, "| student | {} | total |", exercises.join(" | "));
    let _ = writeln!(out, "|---|{}---:|", "---:|".repeat(exercises.len()));
    for student in &report.students {
        let scores: Vec<String> = report
            .exercises
            .iter()
            .map(|info| score(student.exercise(&info.exercise), info.max_points))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {}/{} |",
            md(&student.student),
            scores.join(" | "),
            student.points,
            student.max_points
        );
    }
    for student in &report.students {
        let lines = details(report, student);
        if lines.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## {}\n", md(&student.student));
        for line in lines {
            let _ = writeln!(out, "- {}", md(&line));
        }
    }
    out
}

/// Text safe in XML 1.0: escaped, and without the control characters XML
/// cannot carry at all (a student's output may hold anything).
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push('\u{FFFD}')
            }
            c => out.push(c),
        }
    }
    out
}

fn junit(report: &ClassReport) -> String {
    let mut suites = String::new();
    let (mut all_tests, mut all_failures, mut all_errors) = (0, 0, 0);
    for student in &report.students {
        if let Some(problem) = &student.problem {
            all_tests += 1;
            all_errors += 1;
            let _ = writeln!(
                suites,
                "  <testsuite name=\"{name}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\">\n    \
                 <testcase classname=\"{name}\" name=\"submission\">\n      \
                 <error type=\"unreadable\" message=\"{message}\"/>\n    </testcase>\n  </testsuite>",
                name = xml(&student.student),
                message = xml(&format!("the submission {problem}"))
            );
            continue;
        }
        for result in &student.exercises {
            let mut cases = String::new();
            let (mut tests, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
            for step in &result.steps {
                let classname = xml(&format!(
                    "{}.{}.{}",
                    student.student, result.exercise, step.test
                ));
                let mut case = |name: &str, body: String| {
                    tests += 1;
                    let _ = writeln!(
                        cases,
                        "    <testcase classname=\"{classname}\" name=\"{}\">{body}</testcase>",
                        xml(name)
                    );
                };
                match step.outcome {
                    StepStatus::NotSubmitted => {
                        skipped += 1;
                        case(
                            &step.test,
                            "<skipped message=\"not submitted\"/>".into(),
                        );
                        continue;
                    }
                    StepStatus::DidNotCompile => {
                        errors += 1;
                        let text =
                            result.compile_errors.as_deref().unwrap_or_default();
                        case(
                            &step.test,
                            format!(
                                "\n      <error type=\"did_not_compile\" message=\"did not compile\">{}</error>\n    ",
                                xml(text)
                            ),
                        );
                        continue;
                    }
                    _ => {}
                }
                if let Some(problem) = &step.problem {
                    errors += 1;
                    case(
                        &step.test,
                        format!(
                            "<error type=\"could_not_run\" message=\"{}\"/>",
                            xml(problem)
                        ),
                    );
                    continue;
                }
                for test in &step.tests {
                    let body = match &test.outcome {
                        Outcome::Passed => String::new(),
                        Outcome::Ignored => {
                            skipped += 1;
                            "<skipped/>".into()
                        }
                        Outcome::Failed { output } => {
                            failures += 1;
                            format!(
                                "\n      <failure type=\"failed\" message=\"failed\">{}</failure>\n    ",
                                xml(output)
                            )
                        }
                        Outcome::TimedOut => {
                            failures += 1;
                            format!(
                                "<failure type=\"timed_out\" message=\"timed out after {}\"/>",
                                seconds(report.time_limit_seconds)
                            )
                        }
                        Outcome::DidNotCompile => {
                            errors += 1;
                            "<error type=\"did_not_compile\" message=\"did not compile\"/>".into()
                        }
                    };
                    case(&test.name, body);
                }
            }
            all_tests += tests;
            all_failures += failures;
            all_errors += errors;
            let _ = write!(
                suites,
                "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" \
                 skipped=\"{skipped}\">\n    <properties>\n      \
                 <property name=\"points\" value=\"{}\"/>\n      \
                 <property name=\"max_points\" value=\"{}\"/>\n    </properties>\n{cases}  </testsuite>\n",
                xml(&format!("{}/{}", student.student, result.exercise)),
                result.points,
                result.max_points
            );
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <testsuites name=\"cargo lab grade\" tests=\"{all_tests}\" failures=\"{all_failures}\" \
         errors=\"{all_errors}\">\n{suites}</testsuites>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_never_formulas() {
        assert_eq!(csv_field("alice"), "alice");
        assert_eq!(csv_field("Smith, Ann"), "\"Smith, Ann\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
    }

    #[test]
    fn xml_text_is_escaped_and_control_characters_go() {
        assert_eq!(
            xml("a<b & \"c\"\u{1b}[31m"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}[31m"
        );
    }

    #[test]
    fn file_extensions_choose_the_format() {
        assert_eq!(GradeFormat::for_file(Path::new("g.csv")), GradeFormat::Csv);
        assert_eq!(
            GradeFormat::for_file(Path::new("g.JSON")),
            GradeFormat::Json
        );
        assert_eq!(
            GradeFormat::for_file(Path::new("g.md")),
            GradeFormat::Markdown
        );
        assert_eq!(
            GradeFormat::for_file(Path::new("g.xml")),
            GradeFormat::Junit
        );
        assert_eq!(
            GradeFormat::for_file(Path::new("g.txt")),
            GradeFormat::Table
        );
    }
}
