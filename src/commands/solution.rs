//! `cargo lab solution EXERCISE [--step N] [--force]`: the model answer's
//! source files, shown once the exercise passes, so comparing comes after
//! solving. `--step N` shows only that step's module, as soon as that step
//! passes. The answer runs to hundreds of lines, so on a terminal it goes
//! through a pager (`$PAGER`, else `less`); piped, it is plain text.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::hint::resolve_step;
use super::{Lab, Verdict};
use crate::output::{count, page};
use crate::workbook::{Exercise, Solution};

/// Shows the model answer (all of it, or one step's), or refuses (exit code
/// 1) while what was asked for has not passed at the last check.
pub fn run(
    lab: &Lab,
    name: &str,
    step: Option<&str>,
    force: bool,
) -> Result<Verdict> {
    let exercise = lab.workbook.exercise(name)?;
    let solution = exercise.solution.as_ref().with_context(|| {
        format!("the workbook has no solution to `{}`", exercise.package)
    })?;
    match step {
        Some(wanted) => show_step(lab, exercise, solution, wanted, force),
        None => show_all(lab, exercise, solution, force),
    }
}

/// Every `.rs` file under the solution's `src/`.
fn show_all(
    lab: &Lab,
    exercise: &Exercise,
    solution: &Solution,
    force: bool,
) -> Result<Verdict> {
    if !force && !lab.progress.exercise_done(exercise) {
        println!(
            "{} is not solved yet ({} of {} passed at your last check): solve it \
             first, or use --force to see the answer anyway",
            exercise.package,
            lab.progress.steps_done(exercise),
            count(exercise.steps.len(), "step"),
        );
        if let Some(passed) = exercise
            .steps
            .iter()
            .position(|s| lab.progress.step_passed(exercise, s))
        {
            println!(
                "a step that passes can be compared on its own: {}",
                lab.style.bold(&format!(
                    "cargo lab solution {} --step {}",
                    exercise.package,
                    passed + 1
                ))
            );
        }
        println!(
            "to record your progress: {}",
            lab.style
                .bold(&format!("cargo lab check {}", exercise.package))
        );
        return Ok(Verdict::Failed);
    }
    let src = solution.dir.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files)
        .with_context(|| format!("reading the solution in {}", src.display()))?;
    files.sort();
    let mut text = format!(
        "the model answer to {} ({}):\n",
        exercise.package,
        lab.show_path(&solution.dir)
    );
    for file in files {
        append_file(lab, &mut text, &file)?;
    }
    page(&text);
    Ok(Verdict::Passed)
}

/// The solution's module for one step: `src/<step's test name>.rs`.
fn show_step(
    lab: &Lab,
    exercise: &Exercise,
    solution: &Solution,
    wanted: &str,
    force: bool,
) -> Result<Verdict> {
    let (number, step) = resolve_step(exercise, wanted)?;
    if !force && !lab.progress.step_passed(exercise, step) {
        println!(
            "step {number} of {} ({}) has not passed at your last check: make it \
             pass first, or use --force to see its answer anyway",
            exercise.package, step.title
        );
        println!(
            "to record your progress: {}",
            lab.style
                .bold(&format!("cargo lab check {}", exercise.package))
        );
        return Ok(Verdict::Failed);
    }
    let file = solution.dir.join("src").join(format!("{}.rs", step.test));
    let mut text = format!(
        "the model answer to step {number} of {} ({}):\n",
        exercise.package, step.title
    );
    append_file(lab, &mut text, &file)?;
    page(&text);
    Ok(Verdict::Passed)
}

/// Adds one file, under a heading with its path, to `text`.
fn append_file(lab: &Lab, text: &mut String, file: &Path) -> Result<()> {
    let contents = std::fs::read_to_string(file)
        .with_context(|| format!("reading {}", file.display()))?;
    let heading = format!("──── {}", lab.show_path(file));
    let _ = write!(text, "\n{}\n\n{contents}", lab.style.bold(&heading));
    if !contents.ends_with('\n') {
        text.push('\n');
    }
    Ok(())
}

/// Every `.rs` file under `dir`, at any depth.
fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, found)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
    Ok(())
}
