//! `cargo lab` / `cargo lab list`: every chapter, exercise and step with the
//! student's progress, and what to do next.
//!
//! ```text
//! Chapter 1  Addresses and ports  (ports)  1 of 3 steps done
//!   ✓ 1  Parse host:port strings
//!   · 2  Parse dotted binary
//!   · 3  Ports and services
//!
//! 1 of 3 steps done
//! next: cargo lab check ports  (step 2: Parse dotted binary)
//! ```

use anyhow::{Context, Result};
use serde_json::json;

use super::{Format, Lab, Verdict};
use crate::output::count;
use crate::progress::NextStep;
use crate::workbook::Exercise;

/// Prints the workbook's table of contents with progress marks.
pub fn run(lab: &Lab, format: Format) -> Result<Verdict> {
    match format {
        Format::Text => print_text(lab),
        Format::Json => {
            let text = serde_json::to_string_pretty(&as_json(lab))
                .context("encoding JSON")?;
            println!("{text}");
        }
    }
    Ok(Verdict::Passed)
}

fn print_text(lab: &Lab) {
    let style = lab.style;
    let name = |e: &Exercise| format!("{}  ({})", e.title, e.package);
    let name_width = lab
        .workbook
        .exercises
        .iter()
        .map(|e| name(e).chars().count())
        .max()
        .unwrap_or(0);
    for exercise in &lab.workbook.exercises {
        let done = lab.progress.steps_done(exercise);
        let total = exercise.steps.len();
        let tally = format!("{done} of {} done", count(total, "step"));
        let tally = if done == total {
            style.green(&tally)
        } else {
            style.dim(&tally)
        };
        println!(
            "{}  {:name_width$}  {tally}",
            style.bold(&format!("Chapter {}", exercise.chapter)),
            name(exercise),
        );
        for (index, step) in exercise.steps.iter().enumerate() {
            let mark = style.done_mark(lab.progress.step_passed(exercise, step));
            println!("  {mark} {}  {}", index + 1, step.title);
        }
        if let Some(line) = quiz_line(lab, exercise) {
            println!("{line}");
        }
    }
    println!();
    let (done, total) = totals(lab);
    println!("{done} of {} done", count(total, "step"));
    match lab.progress.next(&lab.workbook) {
        Some(next) => println!("{}", next_line(lab, next)),
        None if total > 0 => println!(
            "{}",
            style.green("every exercise passes: the workbook is done. Well done!")
        ),
        None => println!("this workbook has no exercises yet"),
    }
}

/// `next: cargo lab check ports  (step 2: Parse dotted binary)`
pub fn next_line(lab: &Lab, next: NextStep) -> String {
    format!(
        "next: {}  (step {}: {})",
        lab.style
            .bold(&format!("cargo lab check {}", next.exercise.package)),
        next.number,
        next.step.title
    )
}

/// `  quiz: 7 of 10 right  (cargo lab quiz ports)`, when the chapter has one.
fn quiz_line(lab: &Lab, exercise: &Exercise) -> Option<String> {
    if !crate::quiz::quiz_path(&lab.workbook.root, exercise).is_file() {
        return None;
    }
    let style = lab.style;
    let command = format!("cargo lab quiz {}", exercise.package);
    Some(match lab.progress.quiz_score(exercise) {
        Some(score) => {
            let tally = format!("{} of {} right", score.right, score.total);
            let tally = if score.right == score.total {
                style.green(&tally)
            } else {
                tally
            };
            format!("  quiz: {tally}  {}", style.dim(&format!("({command})")))
        }
        None => format!(
            "  quiz: not taken yet  {}",
            style.dim(&format!("({command})"))
        ),
    })
}

/// Steps done and steps in all, over the whole workbook.
fn totals(lab: &Lab) -> (usize, usize) {
    lab.workbook
        .exercises
        .iter()
        .fold((0, 0), |(done, total), e| {
            (done + lab.progress.steps_done(e), total + e.steps.len())
        })
}

fn as_json(lab: &Lab) -> serde_json::Value {
    let (done, total) = totals(lab);
    let exercises: Vec<_> = lab
        .workbook
        .exercises
        .iter()
        .map(|exercise| {
            let steps: Vec<_> = exercise
                .steps
                .iter()
                .enumerate()
                .map(|(index, step)| {
                    json!({
                        "number": index + 1,
                        "test": step.test,
                        "title": step.title,
                        "points": step.points,
                        "passed": lab.progress.step_passed(exercise, step),
                        "hints": step.hints.len(),
                        "hints_shown": lab.progress.hints_shown(exercise, step),
                    })
                })
                .collect();
            json!({
                "package": exercise.package,
                "chapter": exercise.chapter,
                "title": exercise.title,
                "page": exercise.page,
                "done": lab.progress.steps_done(exercise),
                "total": exercise.steps.len(),
                "steps": steps,
                "quiz": lab.progress.quiz_score(exercise),
            })
        })
        .collect();
    let next = lab.progress.next(&lab.workbook).map(|next| {
        json!({
            "exercise": next.exercise.package,
            "step": next.number,
            "test": next.step.test,
            "title": next.step.title,
            "command": format!("cargo lab check {}", next.exercise.package),
        })
    });
    json!({ "done": done, "total": total, "exercises": exercises, "next": next })
}
