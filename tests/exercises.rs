//! The promises every exercise keeps, checked for every exercise the
//! workbook's metadata lists:
//!
//! - each step's test file exists, and the solution runs those very files
//!   (one copy on disk, so the exercise and its answer cannot drift apart);
//! - as shipped, the exercise fails EVERY graded test, quickly (a student
//!   starts from red, and no stub hangs);
//! - its solution passes every one;
//! - each step has tests, and each chapter at least its minimum count.
//!
//! The exercises are built and run with the same runner `cargo lab check`
//! uses, so these tests also prove the runner on real crates.

mod common;

use std::path::{Path, PathBuf};

use netlab::runner::{Outcome, Runner, Target};
use netlab::workbook::Exercise;

/// The fewest graded tests a chapter's exercise may have.
const MINIMUM_TESTS: &[(&str, usize)] = &[
    ("ports", 20),
    ("sockets", 15),
    ("udp", 20),
    ("tcp", 30),
    ("tftp", 40),
];

/// Fails with every problem found, one per line.
fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}:\n{}",
        problems
            .iter()
            .map(|p| format!("- {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Every step names a test file that exists: `tests/<test>.rs`.
#[test]
fn every_step_has_its_test_file() {
    let _cargo = common::one_cargo_at_a_time();
    let workbook = common::workbook();
    assert!(
        !workbook.exercises.is_empty(),
        "the workbook lists exercises"
    );
    let mut problems = Vec::new();
    for exercise in &workbook.exercises {
        if exercise.steps.is_empty() {
            problems.push(format!("{} has no steps", exercise.package));
        }
        for step in &exercise.steps {
            let file = exercise.test_file(step);
            if !file.is_file() {
                problems.push(format!(
                    "{}: step `{}` has no test file {}",
                    exercise.package,
                    step.test,
                    file.display()
                ));
            }
        }
    }
    assert_no_problems("steps without their test file", &problems);
}

/// Each solution declares one `[[test]]` per step, pointing at the
/// exercise's own test file, and keeps no copy of its own.
#[test]
fn solutions_run_the_exercises_own_test_files() {
    let _cargo = common::one_cargo_at_a_time();
    let root = common::workbook_root();
    let workbook = common::workbook();
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(root.join("Cargo.toml"))
        .no_deps()
        .exec()
        .expect("cargo metadata reads the workspace");
    let mut problems = Vec::new();
    for exercise in &workbook.exercises {
        let Some(solution) = &exercise.solution else {
            problems.push(format!("{} has no solution crate", exercise.package));
            continue;
        };
        let package = metadata
            .packages
            .iter()
            .find(|p| p.name.as_str() == solution.package)
            .expect("the solution is a workspace member");
        for step in &exercise.steps {
            let wanted = canonical(&exercise.test_file(step));
            let target = package.targets.iter().find(|t| {
                t.name == step.test
                    && t.kind.contains(&cargo_metadata::TargetKind::Test)
            });
            match target {
                None => problems.push(format!(
                    "{}: no [[test]] named `{}`",
                    solution.package, step.test
                )),
                Some(t) if canonical(t.src_path.as_std_path()) != wanted => {
                    problems.push(format!(
                        "{}: [[test]] `{}` runs {}, not the exercise's {}",
                        solution.package,
                        step.test,
                        t.src_path,
                        wanted.display()
                    ));
                }
                Some(_) => {}
            }
            let copy = solution.dir.join("tests").join(format!("{}.rs", step.test));
            if copy.exists() {
                problems.push(format!(
                    "{}: {} is a second copy of the step's tests",
                    solution.package,
                    copy.display()
                ));
            }
        }
    }
    assert_no_problems("solutions not wired to the exercises' tests", &problems);
}

/// The exercise as shipped compiles and fails every graded test, each step
/// having at least one; none times out.
#[test]
fn every_exercise_as_shipped_fails_every_test() {
    let _cargo = common::one_cargo_at_a_time();
    let workbook = common::workbook();
    let runner = Runner::new(&workbook.root);
    let mut problems = Vec::new();
    for exercise in &workbook.exercises {
        let report = runner
            .run(&Target::exercise(exercise))
            .expect("the runner runs");
        if let Some(errors) = &report.compile_errors {
            problems.push(format!(
                "{} does not compile as shipped:\n{errors}",
                exercise.package
            ));
            continue;
        }
        for step in &report.steps {
            if let Some(problem) = &step.problem {
                problems
                    .push(format!("{} {}: {problem}", exercise.package, step.test));
            }
            if step.graded() == 0 {
                problems
                    .push(format!("{} {}: no tests", exercise.package, step.test));
            }
            for test in &step.tests {
                let wrong = match test.outcome {
                    Outcome::Failed { .. } | Outcome::Ignored => continue,
                    Outcome::Passed => "passes before any work is done",
                    Outcome::TimedOut => "hangs instead of failing fast",
                    Outcome::DidNotCompile => "does not compile",
                };
                problems.push(format!(
                    "{} {}: `{}` {wrong}",
                    exercise.package, step.test, test.name
                ));
            }
        }
    }
    assert_no_problems("exercises that do not start all red", &problems);
}

/// The solution passes every graded test of its exercise.
#[test]
fn every_solution_passes_every_test() {
    let _cargo = common::one_cargo_at_a_time();
    let workbook = common::workbook();
    let runner = Runner::new(&workbook.root);
    let mut problems = Vec::new();
    for exercise in &workbook.exercises {
        let Some(target) = Target::solution(exercise) else {
            continue; // reported by solutions_run_the_exercises_own_test_files
        };
        let report = runner.run(&target).expect("the runner runs");
        if let Some(errors) = &report.compile_errors {
            problems.push(format!("{} does not compile:\n{errors}", target.package));
            continue;
        }
        for step in &report.steps {
            if let Some(problem) = &step.problem {
                problems
                    .push(format!("{} {}: {problem}", target.package, step.test));
            }
            for test in &step.tests {
                let detail = match &test.outcome {
                    Outcome::Passed | Outcome::Ignored => continue,
                    Outcome::Failed { output } => format!("fails:\n{output}"),
                    Outcome::TimedOut => "timed out".to_owned(),
                    Outcome::DidNotCompile => "does not compile".to_owned(),
                };
                problems.push(format!(
                    "{} {}: `{}` {detail}",
                    target.package, step.test, test.name
                ));
            }
        }
    }
    assert_no_problems("solutions that fail their exercise's tests", &problems);
}

/// Each chapter's exercise has at least its minimum number of tests.
#[test]
fn exercises_have_their_minimum_number_of_tests() {
    let _cargo = common::one_cargo_at_a_time();
    let workbook = common::workbook();
    let runner = Runner::new(&workbook.root);
    let mut problems = Vec::new();
    for (package, minimum) in MINIMUM_TESTS {
        let Some(exercise) =
            workbook.exercises.iter().find(|e| e.package == *package)
        else {
            continue; // not written yet
        };
        let found = count_tests(&runner, exercise);
        if found < *minimum {
            problems.push(format!(
                "{package} has {found} tests, at least {minimum} wanted"
            ));
        }
    }
    assert_no_problems("exercises with too few tests", &problems);
}

/// The tests in all of an exercise's step binaries, without running them.
fn count_tests(runner: &Runner, exercise: &Exercise) -> usize {
    let target = Target::exercise(exercise);
    let build = runner.build(&target).expect("the runner builds");
    build
        .binaries
        .values()
        .map(|binary| {
            runner
                .list_tests(binary, &target)
                .expect("tests list")
                .len()
        })
        .sum()
}
