//! `cargo lab check [EXERCISE]`: builds an exercise, runs its step tests,
//! shows how each step went and the first failure in full, records the
//! progress, and says what to do next.
//!
//! ```text
//! checking ports (chapter 1: Addresses and ports) …
//!
//!   ✓ step 1  Parse host:port strings   4/4 tests passed
//!   ✗ step 2  Parse dotted binary       1/5 tests passed
//!
//! first failure: step 2, test `reads_four_octets`
//!
//!     thread 'reads_four_octets' panicked at exercises/01-ports/src/step2_dotted.rs:12:5:
//!     not yet implemented
//!
//! 1 of 2 steps pass
//! next: make step 2 pass (Parse dotted binary); stuck? a hint for step 2: cargo lab hint ports 2
//! ```

use std::time::Duration;

use anyhow::{Context, Result};
use serde_json::json;

use super::{Format, Lab, Verdict};
use crate::output::{FAILED, PASSED, count, indent};
use crate::runner::{Outcome, Report, Runner, StepOutcome, Target};
use crate::workbook::Exercise;

/// What a check needs besides the exercise.
#[derive(Debug, Clone, Copy)]
pub struct CheckOptions {
    /// How long each step's test binary may run.
    pub time_limit: Duration,
    /// Text or JSON.
    pub format: Format,
    /// Show the standard library's backtrace of a failing test.
    pub backtrace: bool,
    /// Run by `cargo lab watch`, which checks again on every save: the
    /// advice says "save again" rather than "run cargo lab check again".
    pub watching: bool,
}

/// Checks the exercise named, or the first one with an unfinished step.
pub fn run(
    lab: &mut Lab,
    name: Option<&str>,
    options: CheckOptions,
) -> Result<Verdict> {
    let package = match name {
        Some(name) => lab.workbook.exercise(name)?.package.clone(),
        None => match lab.progress.next(&lab.workbook) {
            Some(next) => next.exercise.package.clone(),
            None => return all_done(lab, options.format),
        },
    };
    check_exercise(lab, &package, options).map(|(verdict, _)| verdict)
}

/// Checks one exercise by package name: runs, records, prints. Also used by
/// `watch`.
pub fn check_exercise(
    lab: &mut Lab,
    package: &str,
    options: CheckOptions,
) -> Result<(Verdict, Report)> {
    let exercise = lab.workbook.exercise(package)?.clone();
    let text = options.format == Format::Text;
    if text {
        println!(
            "checking {} (chapter {}: {}) …",
            lab.style.bold(&exercise.package),
            exercise.chapter,
            exercise.title
        );
    }
    let runner = Runner::new(&lab.workbook.root)
        .time_limit(options.time_limit)
        .color(text && lab.style.is_colored())
        .backtrace(options.backtrace);
    let report = runner
        .run(&Target::exercise(&exercise))
        .with_context(|| format!("checking the exercise `{}`", exercise.package))?;

    let passed = exercise
        .steps
        .iter()
        .zip(&report.steps)
        .filter(|(_, result)| result.passed())
        .map(|(step, _)| step.test.as_str());
    lab.progress.record_check(&exercise, passed);
    lab.progress.save().context("saving your progress")?;

    if text {
        print_report(lab, &exercise, &report, options);
    } else {
        let document = as_json(lab, &exercise, &report);
        let document =
            serde_json::to_string_pretty(&document).context("encoding JSON")?;
        println!("{document}");
    }
    Ok((Verdict::from_bool(report.passed()), report))
}

/// Nothing left to check: say so (exit code 0).
fn all_done(lab: &Lab, format: Format) -> Result<Verdict> {
    if format == Format::Json {
        println!(
            "{}",
            json!({ "exercise": null, "passed": true, "next": null })
        );
        return Ok(Verdict::Passed);
    }
    match lab.workbook.exercises.first() {
        Some(first) => println!(
            "every step of every exercise passes. To check one again: {}",
            lab.style
                .bold(&format!("cargo lab check {}", first.package))
        ),
        None => println!("this workbook has no exercises yet"),
    }
    Ok(Verdict::Passed)
}

fn print_report(
    lab: &Lab,
    exercise: &Exercise,
    report: &Report,
    options: CheckOptions,
) {
    let style = lab.style;
    let limit = options.time_limit;
    let title_width = exercise
        .steps
        .iter()
        .map(|s| s.title.chars().count())
        .max()
        .unwrap_or(0);
    println!();
    for (index, (step, result)) in
        exercise.steps.iter().zip(&report.steps).enumerate()
    {
        let mark = if result.passed() {
            style.green(PASSED)
        } else {
            style.red(FAILED)
        };
        let tally = format!(
            "{}/{} passed",
            result.passed_count(),
            count(result.graded(), "test")
        );
        let why = match (result.outcome(), &result.problem) {
            (StepOutcome::TimedOut, _) => {
                format!(": timed out after {}", seconds(limit))
            }
            (_, Some(problem)) => format!(": {problem}"),
            (StepOutcome::Failed, None) if result.graded() == 0 => {
                ": this step has no tests".to_owned()
            }
            _ => String::new(),
        };
        println!(
            "  {mark} step {}  {:title_width$}  {tally}{}",
            index + 1,
            step.title,
            style.yellow(&why)
        );
    }
    println!();

    if let Some(errors) = &report.compile_errors {
        let heading = if report
            .steps
            .iter()
            .all(|s| s.outcome() == StepOutcome::DidNotCompile)
        {
            "the code does not compile yet:".to_owned()
        } else {
            let broken: Vec<String> = report
                .steps
                .iter()
                .enumerate()
                .filter(|(_, s)| s.outcome() == StepOutcome::DidNotCompile)
                .map(|(index, _)| (index + 1).to_string())
                .collect();
            format!(
                "the tests of step {} do not compile against your code \
                 (was a function's signature changed?):",
                broken.join(", ")
            )
        };
        println!("{}", style.red(&heading));
        println!();
        println!("{errors}");
        println!();
    }
    if let Some((index, test)) = report.first_failure() {
        let step = &exercise.steps[index];
        println!(
            "{} step {}, test {}",
            style.red("first failure:"),
            index + 1,
            style.bold(&format!("`{}`", test.name))
        );
        println!();
        match &test.outcome {
            Outcome::Failed { output } if output.trim().is_empty() => {
                println!("    (the test failed without printing anything)");
            }
            Outcome::Failed { output } => {
                println!("{}", indent(&point_at_backtrace_flag(output), "    "));
                if !options.backtrace && backtrace_wanted() {
                    println!();
                    println!(
                        "    {}",
                        style.dim(
                            "(RUST_BACKTRACE is set, but a check leaves the standard \
                             library's backtrace out; `cargo lab check --backtrace` \
                             shows it)"
                        )
                    );
                }
            }
            Outcome::TimedOut => println!(
                "    the tests of {} did not finish within {} and were stopped.\n    \
                 A loop that never ends, or a socket waiting for something that \
                 never comes?",
                lab.show_path(&exercise.test_file(step)),
                seconds(limit)
            ),
            _ => {}
        }
        println!();
    }

    let done = report.steps.iter().filter(|s| s.passed()).count();
    if report.passed() {
        println!(
            "{}",
            style.green(&format!(
                "{}: every step passes ({done} of {done})",
                exercise.package
            ))
        );
    } else {
        println!("{done} of {} pass", count(report.steps.len(), "step"));
    }
    println!("{}", advice(lab, exercise, report, options.watching));
}

/// Whether the user's environment asks for backtraces, which a check
/// leaves out unless `--backtrace` is given.
fn backtrace_wanted() -> bool {
    std::env::var("RUST_BACKTRACE").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// The standard library's note (printed by the first test that panics, so
/// not always by the one shown) says to set `RUST_BACKTRACE`, which a check
/// overrides: name the flag that works here instead.
fn point_at_backtrace_flag(output: &str) -> String {
    output
        .lines()
        .map(|line| {
            if line.starts_with("note: run with `RUST_BACKTRACE=1`") {
                "note: `cargo lab check --backtrace` shows a backtrace"
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The line that tells the student what to do now.
fn advice(
    lab: &Lab,
    exercise: &Exercise,
    report: &Report,
    watching: bool,
) -> String {
    let style = lab.style;
    let bold = |text: String| style.bold(&text);
    let first_unpassed = report.steps.iter().position(|s| !s.passed());
    if let Some(index) = first_unpassed
        && report.steps[index].outcome() == StepOutcome::DidNotCompile
    {
        if watching {
            return "next: fix the errors above, then save again".to_owned();
        }
        return format!(
            "next: fix the errors above, then run {} again",
            bold(format!("cargo lab check {}", exercise.package))
        );
    }
    if let Some(index) = first_unpassed {
        let hint = if watching {
            format!("press {} for a hint", bold("h".to_owned()))
        } else {
            format!(
                "a hint for step {}: {}",
                index + 1,
                bold(format!("cargo lab hint {} {}", exercise.package, index + 1))
            )
        };
        return format!(
            "next: make step {} pass ({}); stuck? {hint}",
            index + 1,
            exercise.steps[index].title,
        );
    }
    let compare = format!(
        "compare with the model answer: {}",
        bold(format!("cargo lab solution {}", exercise.package))
    );
    match lab.progress.next(&lab.workbook) {
        Some(next) => format!(
            "{compare}\nnext: {}  (chapter {}: {})",
            bold(format!("cargo lab check {}", next.exercise.package)),
            next.exercise.chapter,
            next.exercise.title
        ),
        None => format!(
            "{compare}\n{}",
            style.green("every exercise passes: the workbook is done. Well done!")
        ),
    }
}

/// `60 s`, `1.5 s`.
fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

fn as_json(lab: &Lab, exercise: &Exercise, report: &Report) -> serde_json::Value {
    let steps: Vec<_> = exercise
        .steps
        .iter()
        .zip(&report.steps)
        .enumerate()
        .map(|(index, (step, result))| {
            json!({
                "number": index + 1,
                "test": step.test,
                "title": step.title,
                "points": step.points,
                "outcome": result.outcome(),
                "passed": result.passed(),
                "tests_passed": result.passed_count(),
                "tests_total": result.graded(),
                "problem": result.problem,
                "tests": result.tests,
            })
        })
        .collect();
    let next = report
        .steps
        .iter()
        .position(|s| !s.passed())
        .map(|index| format!("cargo lab hint {} {}", exercise.package, index + 1))
        .or_else(|| {
            lab.progress
                .next(&lab.workbook)
                .map(|next| format!("cargo lab check {}", next.exercise.package))
        });
    json!({
        "exercise": exercise.package,
        "chapter": exercise.chapter,
        "title": exercise.title,
        "passed": report.passed(),
        "steps_passed": report.steps.iter().filter(|s| s.passed()).count(),
        "steps_total": report.steps.len(),
        "compile_errors": report.compile_errors,
        "steps": steps,
        "next": next,
    })
}
