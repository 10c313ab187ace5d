//! A chapter's quiz: the same TOML file the book shows with mdbook-quiz
//! (`book/NN-topic/quiz.toml`, placed on the page by `{{#quiz quiz.toml}}`),
//! read here with mdbook-quiz's own schema crate so that the terminal asks
//! exactly what the browser asks.
//!
//! Two kinds of question are used by the workbook, and both work in a
//! terminal:
//!
//! - **multiple choice**: one right answer (or several, all to be picked)
//!   among distractors; the book shuffles the options, so the terminal does
//!   too, the same way on every run;
//! - **short answer**: a value typed in full (`192.168.1.127`, `516`),
//!   compared the way mdbook-quiz compares it: surrounding spaces and
//!   letter case do not matter.
//!
//! Each question's `context` explains the answer; it is shown after the
//! reader has answered, right or wrong.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use mdbook_quiz_schema as schema;
use serde::Serialize;

use crate::workbook::{Exercise, Workbook};

/// The file name of every chapter's quiz, beside the chapter's pages.
pub const QUIZ_FILE: &str = "quiz.toml";

/// The folder that holds the book's pages (`src` in `book.toml`).
pub const BOOK_DIR: &str = "book";

/// One chapter's quiz, ready to ask.
#[derive(Debug, Clone, Serialize)]
pub struct ChapterQuiz {
    /// The chapter's exercise package, which names the quiz (`ports`).
    pub exercise: String,
    /// The chapter's number.
    pub chapter: u32,
    /// The chapter's title.
    pub title: String,
    /// The quiz file, relative to the workbook's root.
    pub file: String,
    /// The questions, in the file's order.
    pub questions: Vec<Question>,
}

/// One question as a reader meets it.
#[derive(Debug, Clone, Serialize)]
pub struct Question {
    /// The question's stable id (mdbook-quiz's `id`).
    pub id: String,
    /// What is asked (Markdown).
    pub prompt: String,
    /// How it is answered, and what is right.
    #[serde(flatten)]
    pub kind: Kind,
    /// Why the answer is what it is (Markdown), shown after answering.
    pub context: Option<String>,
}

/// The two kinds of question the terminal can ask.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Kind {
    /// Pick among `options`; the ones at `correct` are right.
    Choice {
        /// Every option, in the order shown (the same on every run).
        options: Vec<String>,
        /// Indices into `options` of the right ones (one, or several that
        /// must all be picked).
        correct: Vec<usize>,
    },
    /// Type the value: any of `answers` is right.
    Short {
        /// The answer first, then the accepted alternatives.
        answers: Vec<String>,
    },
}

impl Question {
    /// Whether `response` answers this question. For a choice, `response`
    /// holds the letters picked (`b`, or `a c` when several are right); for
    /// a short answer, the value typed.
    pub fn is_right(&self, response: &str) -> bool {
        match &self.kind {
            Kind::Choice { options, correct } => {
                match picked_letters(response, options.len()) {
                    Some(mut picked) => {
                        picked.sort_unstable();
                        picked.dedup();
                        let mut correct = correct.clone();
                        correct.sort_unstable();
                        picked == correct
                    }
                    None => false,
                }
            }
            Kind::Short { answers } => {
                let typed = normalize(response);
                answers.iter().any(|answer| normalize(answer) == typed)
            }
        }
    }

    /// The right answer, said in words for a reader who got it wrong.
    pub fn right_answer(&self) -> String {
        match &self.kind {
            Kind::Choice { options, correct } => correct
                .iter()
                .map(|&i| format!("{}) {}", letter(i), options[i]))
                .collect::<Vec<_>>()
                .join("; "),
            Kind::Short { answers } => answers[0].clone(),
        }
    }
}

/// `a`, `b`, `c` … for option 0, 1, 2 …
pub fn letter(index: usize) -> char {
    char::from(b'a' + (index % 26) as u8)
}

/// The option indices named by letters such as `b` or `a, c`; `None` when
/// a letter names no option (so the reader can be asked again).
pub fn picked_letters(response: &str, option_count: usize) -> Option<Vec<usize>> {
    let picked: Vec<usize> = response
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| {
            let c = c.to_ascii_lowercase();
            c.is_ascii_lowercase().then(|| usize::from(c as u8 - b'a'))
        })
        .collect::<Option<_>>()?;
    (!picked.is_empty() && picked.iter().all(|&i| i < option_count))
        .then_some(picked)
}

/// How mdbook-quiz compares a short answer: trimmed, in lower case.
fn normalize(text: &str) -> String {
    text.trim().to_lowercase()
}

/// Where the quiz of `exercise`'s chapter lives: beside its exercise page.
pub fn quiz_path(root: &Path, exercise: &Exercise) -> PathBuf {
    let page = Path::new(&exercise.page);
    root.join(BOOK_DIR)
        .join(page.parent().unwrap_or(Path::new("")))
        .join(QUIZ_FILE)
}

/// Parses a quiz file's text with mdbook-quiz's schema.
pub fn parse(text: &str) -> Result<schema::Quiz> {
    toml::from_str(text).context("this is not a quiz as mdbook-quiz reads it")
}

/// Reads and checks the quiz of `exercise`'s chapter.
pub fn load(workbook: &Workbook, exercise: &Exercise) -> Result<ChapterQuiz> {
    let path = quiz_path(&workbook.root, exercise);
    let file = path
        .strip_prefix(&workbook.root)
        .unwrap_or(&path)
        .display()
        .to_string();
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!("chapter {} has no quiz yet ({file})", exercise.chapter)
    })?;
    let quiz = parse(&text).with_context(|| format!("reading {file}"))?;
    let questions = quiz
        .questions
        .into_iter()
        .enumerate()
        .map(|(index, question)| {
            convert(question)
                .with_context(|| format!("{file}: question {}", index + 1))
        })
        .collect::<Result<Vec<_>>>()?;
    if questions.is_empty() {
        bail!("{file} has no questions");
    }
    Ok(ChapterQuiz {
        exercise: exercise.package.clone(),
        chapter: exercise.chapter,
        title: exercise.title.clone(),
        file,
        questions,
    })
}

/// The schema's question as the terminal asks it.
fn convert(question: schema::Question) -> Result<Question> {
    match question {
        schema::Question::MultipleChoice(schema::MultipleChoice(q)) => {
            let id = q.id.context(
                "it has no `id` (mdbook-quiz would write one into the file)",
            )?;
            let answers = match q.answer.answer {
                schema::MultipleChoiceAnswerFormat::Single(answer) => vec![answer.0],
                schema::MultipleChoiceAnswerFormat::Multi(answers) => {
                    answers.into_iter().map(|a| a.0).collect()
                }
            };
            if answers.is_empty() {
                bail!("question `{id}` has no right answer");
            }
            let distractors: Vec<String> =
                q.prompt.distractors.into_iter().map(|d| d.0).collect();
            let (options, correct) =
                arrange(&id, &answers, &distractors, q.prompt.answer_index);
            Ok(Question {
                id,
                prompt: q.prompt.prompt.0,
                kind: Kind::Choice { options, correct },
                context: q.context.map(|c| c.0),
            })
        }
        schema::Question::ShortAnswer(schema::ShortAnswer(q)) => {
            let id = q.id.context(
                "it has no `id` (mdbook-quiz would write one into the file)",
            )?;
            let mut answers = vec![q.answer.answer];
            answers.extend(q.answer.alternatives.unwrap_or_default());
            Ok(Question {
                id,
                prompt: q.prompt.prompt.0,
                kind: Kind::Short { answers },
                context: q.context.map(|c| c.0),
            })
        }
        schema::Question::Tracing(_) => {
            bail!("a Tracing question cannot be asked in the terminal")
        }
    }
}

/// The options in the order shown, and where the right ones are. Like the
/// book, the answers do not always come first; unlike a random shuffle,
/// the order is the same every time (it follows from the question's id),
/// so a reader who retakes the quiz sees what they saw before.
fn arrange(
    id: &str,
    answers: &[String],
    distractors: &[String],
    answer_index: Option<usize>,
) -> (Vec<String>, Vec<usize>) {
    let mut options: Vec<(bool, String)> = answers
        .iter()
        .map(|a| (true, a.clone()))
        .chain(distractors.iter().map(|d| (false, d.clone())))
        .collect();
    match answer_index {
        Some(index) if answers.len() == 1 => {
            let right = options.remove(0);
            options.insert(index.min(options.len()), right);
        }
        _ => {
            let mut hasher = DefaultHasher::new();
            id.hash(&mut hasher);
            let mut seed = hasher.finish() | 1;
            // A Fisher–Yates shuffle driven by a small xorshift generator.
            for i in (1..options.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let j = (seed % (i as u64 + 1)) as usize;
                options.swap(i, j);
            }
        }
    }
    let correct = options
        .iter()
        .enumerate()
        .filter(|(_, (right, _))| *right)
        .map(|(i, _)| i)
        .collect();
    (options.into_iter().map(|(_, text)| text).collect(), correct)
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUIZ: &str = r#"
[[questions]]
id = "choice"
type = "MultipleChoice"
prompt.prompt = "Which?"
prompt.distractors = ["no", "nope", "never"]
answer.answer = "yes"
context = "Because."

[[questions]]
id = "short"
type = "ShortAnswer"
prompt.prompt = "How many?"
answer.answer = "516"
answer.alternatives = ["516 bytes"]
"#;

    fn questions() -> Vec<Question> {
        parse(QUIZ)
            .expect("parses")
            .questions
            .into_iter()
            .map(|q| convert(q).expect("converts"))
            .collect()
    }

    #[test]
    fn a_choice_is_right_only_with_the_right_letter() {
        let questions = questions();
        let Kind::Choice { options, correct } = &questions[0].kind else {
            panic!("a choice");
        };
        assert_eq!(options.len(), 4);
        assert_eq!(correct.len(), 1);
        assert_eq!(options[correct[0]], "yes");
        let right = letter(correct[0]).to_string();
        assert!(questions[0].is_right(&right));
        assert!(questions[0].is_right(&right.to_uppercase()));
        let wrong = letter((correct[0] + 1) % 4).to_string();
        assert!(!questions[0].is_right(&wrong));
        assert!(!questions[0].is_right("z"));
        assert!(!questions[0].is_right(""));
    }

    #[test]
    fn the_options_come_in_the_same_order_every_time() {
        let once = questions();
        let again = questions();
        let order = |q: &Question| match &q.kind {
            Kind::Choice { options, .. } => options.clone(),
            Kind::Short { .. } => Vec::new(),
        };
        assert_eq!(order(&once[0]), order(&again[0]));
    }

    #[test]
    fn a_short_answer_ignores_case_and_spaces_and_takes_alternatives() {
        let questions = questions();
        assert!(questions[1].is_right("516"));
        assert!(questions[1].is_right("  516 "));
        assert!(questions[1].is_right("516 Bytes"));
        assert!(!questions[1].is_right("512"));
    }

    #[test]
    fn several_right_answers_must_all_be_picked() {
        let (options, correct) =
            arrange("x", &["a".into(), "b".into()], &["c".into()], None);
        assert_eq!(options.len(), 3);
        let question = Question {
            id: "x".into(),
            prompt: String::new(),
            kind: Kind::Choice {
                options,
                correct: correct.clone(),
            },
            context: None,
        };
        let both: String = correct.iter().map(|&i| letter(i)).collect();
        assert!(question.is_right(&both));
        assert!(!question.is_right(&letter(correct[0]).to_string()));
    }

    #[test]
    fn a_question_without_an_id_is_refused() {
        let quiz = parse(
            "[[questions]]\ntype = \"ShortAnswer\"\nprompt.prompt = \"?\"\nanswer.answer = \"1\"\n",
        )
        .expect("parses");
        let error =
            convert(quiz.questions.into_iter().next().unwrap()).expect_err("no id");
        assert!(format!("{error:#}").contains("id"));
    }
}
