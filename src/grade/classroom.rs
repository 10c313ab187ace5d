//! The GitHub Classroom autograding workflow for the workbook: one test per
//! exercise step, graded on GitHub's runners in each student's repository.
//!
//! Classroom reads scores only from a workflow of a fixed shape: the name
//! `Autograding Tests`, a single job `run-autograding-tests`, one
//! `classroom-resources/autograding-command-grader@v1` step per test (a
//! command that passes when it exits 0, a `max-score`, a `timeout` in
//! minutes), then `classroom-resources/autograding-grading-reporter@v1`
//! given each test's `result` output in an environment variable named
//! `<STEP-ID>_RESULTS` and the list of step ids as `runners`.
//!
//! A step's test passes only when libtest's summary says so (see
//! [`command`]). Before the tests run, the workflow puts back the
//! workbook's own test files, manifests and helpers from the repository's
//! first commit (the assignment as handed out), so that, as with `cargo
//! lab grade`, only the students' `src/` decides their grade.

use std::fmt::Write as _;

use crate::workbook::Exercise;

/// Where Classroom looks for the workflow, relative to the repository root.
pub const WORKFLOW_PATH: &str = ".github/workflows/classroom.yml";

/// One Classroom test: a step of an exercise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassroomTest {
    /// The workflow step's id (`ports-step1-host-port`).
    pub id: String,
    /// The name students see (`ports step 1: Parse host:port strings`).
    pub name: String,
    /// The command that grades it.
    pub command: String,
    /// Its points.
    pub points: u32,
}

/// The tests of `exercises`, a step each.
pub fn tests(exercises: &[&Exercise]) -> Vec<ClassroomTest> {
    exercises
        .iter()
        .flat_map(|exercise| {
            exercise.steps.iter().enumerate().map(move |(index, step)| {
                ClassroomTest {
                    id: step_id(&exercise.package, &step.test),
                    name: format!(
                        "{} step {}: {}",
                        exercise.package,
                        index + 1,
                        step.title
                    ),
                    command: command(&exercise.package, &step.test),
                    points: step.points,
                }
            })
        })
        .collect()
}

/// The command that grades one step: `cargo test -p PACKAGE --test TEST`,
/// passing only when libtest's own summary says every test passed. The
/// exit status alone would not do: a student's `process::exit(0)` ends
/// the test binary, and `cargo test`, with success before any test fails.
pub fn command(package: &str, test: &str) -> String {
    let log = format!("target/classroom-{package}-{test}.log");
    format!(
        "mkdir -p target && cargo test -p {package} --test {test} 2>&1 | tee {log} \
         && grep -q '^test result: ok\\.' {log}"
    )
}

/// A workflow step id: lowercase letters, digits and `-`.
fn step_id(package: &str, test: &str) -> String {
    let mut id = String::new();
    for c in format!("{package}-{test}").chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    id
}

/// A YAML double-quoted string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The workflow's text, for `exercises`, each test stopped after
/// `timeout_minutes`.
pub fn workflow(exercises: &[&Exercise], timeout_minutes: u32) -> String {
    let tests = tests(exercises);
    let mut restore = vec![
        "Cargo.toml".to_owned(),
        "Cargo.lock".to_owned(),
        "exercises/support".to_owned(),
    ];
    for exercise in exercises {
        let folder = exercise
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        restore.push(format!("exercises/{folder}/Cargo.toml"));
        restore.push(format!("exercises/{folder}/tests"));
    }
    let packages: Vec<String> = exercises
        .iter()
        .map(|e| format!("-p {}", e.package))
        .collect();
    let points: u32 = tests.iter().map(|t| t.points).sum();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# GitHub Classroom autograding for the netlab workbook, written by\n\
         # `cargo lab classroom`: {} tests (one per exercise step), {points} points,\n\
         # each from the exercises' [package.metadata.netlab]. To change a test,\n\
         # change the metadata and run `cargo lab classroom` again.\n\
         name: Autograding Tests\n\
         \"on\":\n  - push\n  - repository_dispatch\n\
         permissions:\n  checks: write\n  actions: read\n  contents: read\n\
         jobs:\n  run-autograding-tests:\n    runs-on: ubuntu-latest\n\
         \x20   if: github.actor != 'github-classroom[bot]'\n    steps:\n\
         \x20     - name: Checkout code\n        uses: actions/checkout@v4\n        with:\n\
         \x20         fetch-depth: 0",
        tests.len()
    );
    let _ = writeln!(
        out,
        "      - name: Put back the workbook's own tests\n        \
         # Only the students' src/ counts: tests, manifests and helpers are\n        \
         # graded as handed out (the repository's first commit).\n        \
         run: |\n          \
         first=\"$(git rev-list --max-parents=0 HEAD | tail -n 1)\"\n          \
         for path in {}; do\n            \
         git checkout \"$first\" -- \"$path\" || echo \"::warning::$path is not in the first commit\"\n          \
         done",
        restore.join(" ")
    );
    let _ = writeln!(
        out,
        "      - name: Install Rust\n        \
         run: rustup toolchain install stable --profile minimal --no-self-update && rustup default stable\n      \
         - name: Build the dependencies\n        \
         # A student's compile error is reported by the tests below, step by step.\n        \
         continue-on-error: true\n        \
         run: cargo build --tests {}",
        packages.join(" ")
    );
    for test in &tests {
        let _ = writeln!(
            out,
            "      - name: {name}\n        id: {id}\n        \
             uses: classroom-resources/autograding-command-grader@v1\n        with:\n          \
             test-name: {name}\n          command: {command}\n          \
             timeout: {timeout_minutes}\n          max-score: {points}",
            name = quoted(&test.name),
            id = test.id,
            command = quoted(&test.command),
            points = test.points
        );
    }
    let _ = writeln!(
        out,
        "      - name: Autograding Reporter\n        \
         uses: classroom-resources/autograding-grading-reporter@v1\n        env:"
    );
    for test in &tests {
        let _ = writeln!(
            out,
            "          {}_RESULTS: \"${{{{steps.{}.outputs.result}}}}\"",
            test.id.to_ascii_uppercase(),
            test.id
        );
    }
    let runners: Vec<&str> = tests.iter().map(|t| t.id.as_str()).collect();
    let _ = writeln!(
        out,
        "        with:\n          runners: {}",
        runners.join(",")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_ids_are_plain() {
        assert_eq!(step_id("ports", "step1_host_port"), "ports-step1-host-port");
        assert_eq!(step_id("tcp", "step2__Echo"), "tcp-step2-echo");
    }

    #[test]
    fn quoted_strings_escape_what_yaml_needs() {
        assert_eq!(quoted("a \"b\" \\ c: d"), "\"a \\\"b\\\" \\\\ c: d\"");
    }
}
