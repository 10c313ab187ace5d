//! `cargo lab solution EXERCISE [--force]`: the model answer's source files,
//! shown once the exercise passes, so comparing comes after solving.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{Lab, Verdict};
use crate::output::count;

/// Prints every `.rs` file under the solution's `src/`, or refuses (exit
/// code 1) while the exercise has not passed at its last check.
pub fn run(lab: &Lab, name: &str, force: bool) -> Result<Verdict> {
    let exercise = lab.workbook.exercise(name)?;
    let solution = exercise.solution.as_ref().with_context(|| {
        format!("the workbook has no solution to `{}`", exercise.package)
    })?;
    if !force && !lab.progress.exercise_done(exercise) {
        println!(
            "{} is not solved yet ({} of {} passed at your last check): solve it \
             first, or use --force to see the answer anyway",
            exercise.package,
            lab.progress.steps_done(exercise),
            count(exercise.steps.len(), "step"),
        );
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
    println!(
        "the model answer to {} ({}):",
        exercise.package,
        lab.show_path(&solution.dir)
    );
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("reading {}", file.display()))?;
        println!();
        println!(
            "{}",
            lab.style.bold(&format!("──── {}", lab.show_path(&file)))
        );
        println!();
        print!("{text}");
        if !text.ends_with('\n') {
            println!();
        }
    }
    Ok(Verdict::Passed)
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
