//! `cargo lab hint EXERCISE [STEP]`: the next hint for a step, one more each
//! time, from a gentle nudge to almost the answer.
//!
//! STEP is the step's number (from 1) or its test name; without it, the
//! first step that has not passed yet. How many hints were shown is kept in
//! the progress file, so the next call goes one further.

use anyhow::{Context, Result, bail};

use super::{Lab, Verdict};
use crate::output::{count, terminal_width, wrap};
use crate::workbook::{Exercise, Step};

/// Shows the next hint for a step of the exercise named.
pub fn run(lab: &mut Lab, name: &str, step: Option<&str>) -> Result<Verdict> {
    let exercise = lab.workbook.exercise(name)?.clone();
    let number = match step {
        Some(step) => resolve_step(&exercise, step)?.0,
        None => match lab.progress.first_unfinished(&exercise) {
            Some(next) => next.number,
            None => {
                println!(
                    "every step of {} passes. For a step's hints anyway: {}",
                    exercise.package,
                    lab.style
                        .bold(&format!("cargo lab hint {} STEP", exercise.package))
                );
                return Ok(Verdict::Passed);
            }
        },
    };
    show_next_hint(lab, &exercise, number)?;
    Ok(Verdict::Passed)
}

/// Prints the next unseen hint of step `number` (from 1) and counts it.
pub fn show_next_hint(
    lab: &mut Lab,
    exercise: &Exercise,
    number: usize,
) -> Result<()> {
    let step = &exercise.steps[number - 1];
    let style = lab.style;
    let seen = lab.progress.hints_shown(exercise, step);
    let heading = format!("{} step {number} ({})", exercise.package, step.title);
    if step.hints.is_empty() {
        println!(
            "{heading} has no hints; its page in the book, book/{}, explains it",
            exercise.page
        );
        return Ok(());
    }
    let Some(hint) = step.hints.get(seen) else {
        println!(
            "no more hints for {heading}: you have seen all {}:",
            step.hints.len()
        );
        println!();
        let width = terminal_width();
        for (index, hint) in step.hints.iter().enumerate() {
            println!("{}", wrap(&format!("{}. {hint}", index + 1), width, "  "));
        }
        return Ok(());
    };
    println!(
        "{}, hint {} of {}:",
        style.bold(&heading),
        seen + 1,
        step.hints.len()
    );
    println!();
    println!("{}", wrap(hint, terminal_width(), "  "));
    println!();
    if seen + 1 < step.hints.len() {
        // "another: … hint ports 1" read as "hint number 1": say that the
        // number is the step's, and which hint comes next.
        println!(
            "hint {} of {} for step {number}: {}",
            seen + 2,
            step.hints.len(),
            style.bold(&format!("cargo lab hint {} {number}", exercise.package))
        );
    } else {
        println!("that was the last hint for this step");
    }
    lab.progress.note_hint_shown(exercise, step);
    lab.progress.save().context("saving your progress")
}

/// Finds a step by number (from 1) or by test name.
pub fn resolve_step<'a>(
    exercise: &'a Exercise,
    wanted: &str,
) -> Result<(usize, &'a Step)> {
    let found = match wanted.parse::<usize>() {
        Ok(number) => exercise
            .steps
            .get(number.wrapping_sub(1))
            .map(|s| (number, s)),
        Err(_) => exercise
            .steps
            .iter()
            .enumerate()
            .find(|(_, s)| s.test == wanted)
            .map(|(index, s)| (index + 1, s)),
    };
    if let Some(found) = found {
        return Ok(found);
    }
    let steps: Vec<String> = exercise
        .steps
        .iter()
        .enumerate()
        .map(|(index, s)| format!("  {} {} ({})", index + 1, s.test, s.title))
        .collect();
    bail!(
        "{} has no step `{wanted}`; it has {}, by number or name:\n{}",
        exercise.package,
        count(exercise.steps.len(), "step"),
        steps.join("\n")
    )
}
