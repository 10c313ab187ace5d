//! `cargo lab classroom`: writes `.github/workflows/classroom.yml`, the
//! GitHub Classroom autograding workflow: one test per exercise step, its
//! points from the exercise's metadata (see [`crate::grade::classroom`]).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use super::{Lab, Verdict};
use crate::grade::classroom::{self, WORKFLOW_PATH};
use crate::workbook::Exercise;

/// What `cargo lab classroom` was asked for.
#[derive(Debug, Clone)]
pub struct ClassroomRequest {
    /// Only this exercise (default: every exercise with steps).
    pub exercise: Option<String>,
    /// Minutes each test may run on GitHub's runner.
    pub timeout_minutes: u32,
    /// Where to write (default: `.github/workflows/classroom.yml` in the
    /// workbook); `-` prints it.
    pub out: Option<PathBuf>,
}

/// Writes the workflow and says what is in it.
pub fn run(lab: &Lab, request: ClassroomRequest) -> Result<Verdict> {
    if request.timeout_minutes == 0 || request.timeout_minutes > 360 {
        bail!("--timeout is in minutes, from 1 to 360 (GitHub's limit is 6 hours)");
    }
    let exercises: Vec<&Exercise> = match &request.exercise {
        Some(name) => {
            let exercise = lab.workbook.exercise(name)?;
            if exercise.steps.is_empty() {
                bail!(
                    "the exercise `{}` has no steps to grade yet",
                    exercise.package
                );
            }
            vec![exercise]
        }
        None => lab
            .workbook
            .exercises
            .iter()
            .filter(|e| !e.steps.is_empty())
            .collect(),
    };
    if exercises.is_empty() {
        bail!("this workbook has no exercise with steps to grade");
    }
    let text = classroom::workflow(&exercises, request.timeout_minutes);
    if request.out.as_deref() == Some(std::path::Path::new("-")) {
        print!("{text}");
        return Ok(Verdict::Passed);
    }
    let path = request
        .out
        .clone()
        .unwrap_or_else(|| lab.workbook.root.join(WORKFLOW_PATH));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    let temporary = path.with_extension("yml.partial");
    std::fs::write(&temporary, &text)
        .with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, &path)
        .with_context(|| format!("writing {}", path.display()))?;

    let tests = classroom::tests(&exercises);
    let points: u32 = tests.iter().map(|t| t.points).sum();
    let names: Vec<&str> = exercises.iter().map(|e| e.package.as_str()).collect();
    println!(
        "wrote {}: {} tests ({}), {points} points, {} min each",
        lab.show_path(&path),
        tests.len(),
        names.join(", "),
        request.timeout_minutes
    );
    println!(
        "commit it to the assignment's template repository; Classroom runs it on every push"
    );
    Ok(Verdict::Passed)
}
