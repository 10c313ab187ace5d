//! `cargo lab quiz [CHAPTER]`: the chapter's quiz in the terminal, the same
//! questions the book asks (`book/NN-topic/quiz.toml`).
//!
//! ```text
//! Question 3 of 10
//! What is the broadcast address of 192.168.1.77/26?
//! > 192.168.1.127
//! ✓ right
//!   A /26 leaves 6 host bits …
//! ```
//!
//! Each answer is marked at once and followed by its explanation. A quiz
//! run to its end records its score beside the exercise's progress, where
//! `cargo lab` shows it; stopping early (Ctrl-D) records nothing. Answers
//! may come from a pipe as well as from a person. `--format json` prints
//! the questions, their answers and explanations, and the last score, for
//! programs, without asking anything.

use std::io::{BufRead, Write};

use anyhow::{Context, Result};
use serde_json::json;

use super::{Format, Lab, Verdict};
use crate::output::{FAILED, PASSED, indent};
use crate::progress::QuizScore;
use crate::quiz::{self, ChapterQuiz, Kind, Question, letter, picked_letters};
use crate::workbook::Exercise;

/// Asks the quiz of the chapter named (by exercise, folder or number;
/// default: the chapter of the first unfinished step).
pub fn run(lab: &mut Lab, chapter: Option<&str>, format: Format) -> Result<Verdict> {
    let exercise = chapter_exercise(lab, chapter)?.clone();
    let quiz = quiz::load(&lab.workbook, &exercise)?;
    match format {
        Format::Json => {
            let score = lab.progress.quiz_score(&exercise);
            let text = serde_json::to_string_pretty(&json!({
                "quiz": quiz,
                "last_score": score,
            }))
            .context("encoding JSON")?;
            println!("{text}");
            Ok(Verdict::Passed)
        }
        Format::Text => {
            let stdin = std::io::stdin();
            let mut input = stdin.lock();
            ask_all(lab, &exercise, &quiz, &mut input)
        }
    }
}

/// The exercise whose chapter the reader named.
fn chapter_exercise<'a>(
    lab: &'a Lab,
    chapter: Option<&str>,
) -> Result<&'a Exercise> {
    let workbook = &lab.workbook;
    match chapter {
        Some(name) => match name.parse::<u32>() {
            Ok(number) => workbook
                .exercises
                .iter()
                .find(|e| e.chapter == number)
                .with_context(|| format!("there is no chapter {number}")),
            Err(_) => workbook.exercise(name),
        },
        None => lab
            .progress
            .next(workbook)
            .map(|next| next.exercise)
            .or_else(|| workbook.exercises.first())
            .context("this workbook has no chapters yet"),
    }
}

/// Asks every question in turn, marks it and explains it; records the
/// score when the reader reached the end.
fn ask_all(
    lab: &mut Lab,
    exercise: &Exercise,
    quiz: &ChapterQuiz,
    input: &mut impl BufRead,
) -> Result<Verdict> {
    let style = lab.style;
    let total = quiz.questions.len();
    println!(
        "{}  {} questions, from {}",
        style.bold(&format!("Chapter {} quiz: {}", quiz.chapter, quiz.title)),
        total,
        quiz.file
    );
    println!(
        "{}",
        style.dim("Answer with a letter, or type the value; Ctrl-D stops (nothing is recorded).")
    );
    let mut right = 0;
    for (index, question) in quiz.questions.iter().enumerate() {
        println!();
        println!(
            "{}",
            style.bold(&format!("Question {} of {total}", index + 1))
        );
        show_question(question);
        let Some(response) = read_answer(question, input)? else {
            println!();
            println!(
                "stopped after {index} of {total} questions; nothing recorded. \
                 Run {} to start again.",
                style.bold(&format!("cargo lab quiz {}", exercise.package))
            );
            return Ok(Verdict::Failed);
        };
        if question.is_right(&response) {
            right += 1;
            println!("{}", style.green(&format!("{PASSED} right")));
        } else {
            println!(
                "{}",
                style.red(&format!(
                    "{FAILED} not quite: the answer is {}",
                    question.right_answer()
                ))
            );
        }
        if let Some(context) = &question.context {
            println!("{}", indent(context.trim(), "  "));
        }
    }
    let score = QuizScore { right, total };
    lab.progress.record_quiz(exercise, score);
    lab.progress.save()?;
    println!();
    let summary = format!("{right} of {total} right");
    if right == total {
        println!("{}", style.green(&format!("{summary}: well done!")));
    } else {
        println!(
            "{summary}. The book's page for each question you missed explains it; \
             run {} again when you like.",
            style.bold(&format!("cargo lab quiz {}", exercise.package))
        );
    }
    Ok(Verdict::from_bool(right == total))
}

/// The prompt and, for a choice, its lettered options.
fn show_question(question: &Question) {
    println!("{}", question.prompt.trim());
    if let Kind::Choice { options, correct } = &question.kind {
        for (index, option) in options.iter().enumerate() {
            let text = indent(option.trim(), "     ");
            println!("  {}) {}", letter(index), text.trim_start());
        }
        if correct.len() > 1 {
            println!("  (several are right: give every letter, e.g. `a c`)");
        }
    }
}

/// Reads one answer, asking again when a choice names no option or the
/// line is empty; `None` at the end of the input.
fn read_answer(
    question: &Question,
    input: &mut impl BufRead,
) -> Result<Option<String>> {
    loop {
        print!("> ");
        std::io::stdout().flush().ok();
        let mut line = String::new();
        if input.read_line(&mut line).context("reading your answer")? == 0 {
            return Ok(None);
        }
        let answer = line.trim();
        if answer.is_empty() {
            continue;
        }
        if let Kind::Choice { options, .. } = &question.kind
            && picked_letters(answer, options.len()).is_none()
        {
            println!(
                "answer with a letter from a to {}",
                letter(options.len() - 1)
            );
            continue;
        }
        return Ok(Some(answer.to_owned()));
    }
}
