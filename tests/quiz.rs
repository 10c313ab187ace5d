//! The chapters' quizzes: every chapter has one, on a page just before its
//! exercise page; every file is a quiz as mdbook-quiz's schema reads it
//! (and as `cargo lab quiz` asks it); the short answers a solution can
//! compute are what it computes; and `cargo lab quiz` asks, marks, explains
//! and records, in a terminal or from a pipe.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::copy_workbook;
use netlab::quiz::{self, Kind, QUIZ_FILE, letter};
use netlab::workbook::{Exercise, Workbook};
use predicates::str::contains;
use support::deadline;

/// Reading and checking files is quick; this only stops a runaway loop.
const LIMIT: Duration = Duration::from_secs(60);

/// How many questions a chapter's quiz asks.
const QUESTIONS: std::ops::RangeInclusive<usize> = 8..=12;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn workbook() -> Workbook {
    Workbook::load(&root()).expect("reading the exercises' metadata")
}

/// The pages SUMMARY.md lists, in order, as written there.
fn summary_pages() -> Vec<String> {
    let summary =
        std::fs::read_to_string(root().join("book/SUMMARY.md")).expect("SUMMARY.md");
    summary
        .lines()
        .filter_map(|line| line.split_once("](")?.1.split_once(')'))
        .map(|(target, _)| target.trim().to_owned())
        .filter(|target| !target.is_empty())
        .collect()
}

/// `01-ports/quiz.md` for the exercise page `01-ports/exercise.md`.
fn quiz_page(exercise: &Exercise) -> String {
    let folder = Path::new(&exercise.page).parent().unwrap_or(Path::new(""));
    format!("{}/quiz.md", folder.display())
}

/// Each chapter has `quiz.toml` beside its pages, and a page, listed in
/// SUMMARY.md right before the exercise page, that shows it.
#[test]
fn every_chapter_has_a_quiz_just_before_its_exercise_page() {
    deadline(LIMIT, "checking the chapters' quizzes", || {
        let workbook = workbook();
        let pages = summary_pages();
        let mut problems = Vec::new();
        for exercise in &workbook.exercises {
            let file = quiz::quiz_path(&workbook.root, exercise);
            if !file.is_file() {
                problems.push(format!(
                    "chapter {} has no quiz: {} is missing",
                    exercise.chapter,
                    file.strip_prefix(&workbook.root).unwrap().display()
                ));
                continue;
            }
            let page = quiz_page(exercise);
            let position = pages.iter().position(|p| *p == exercise.page);
            let before = position.and_then(|i| i.checked_sub(1)).map(|i| &pages[i]);
            if before != Some(&page) {
                problems.push(format!(
                    "SUMMARY.md should list {page} just before {}",
                    exercise.page
                ));
            }
            let text = std::fs::read_to_string(root().join("book").join(&page))
                .unwrap_or_default();
            let directive = format!("{{{{#quiz {QUIZ_FILE}}}}}");
            if text.matches(&directive).count() != 1 {
                problems.push(format!("{page} should say {directive} once"));
            }
            if !text.contains(&format!("cargo lab quiz {}", exercise.package)) {
                problems.push(format!(
                    "{page} should tell the reader about `cargo lab quiz {}`",
                    exercise.package
                ));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    });
}

/// The keys mdbook-quiz's schema knows. serde ignores a key it does not
/// know, so a misspelt `prompt.distractor` would quietly vanish: these
/// tests refuse it instead.
const QUESTION_KEYS: &[&str] = &[
    "id",
    "type",
    "prompt",
    "answer",
    "context",
    "multipart",
    "promptExplanation",
];
const PROMPT_KEYS: &[&str] = &[
    "prompt",
    "distractors",
    "answerIndex",
    "sortAnswers",
    "response",
];
const ANSWER_KEYS: &[&str] = &["answer", "alternatives"];

/// Keys of `table` that are not in `known`.
fn unknown_keys(table: &toml::Table, known: &[&str]) -> Vec<String> {
    table
        .keys()
        .filter(|key| !known.contains(&key.as_str()))
        .cloned()
        .collect()
}

/// Every quiz parses with mdbook-quiz's schema and can be asked in the
/// terminal; it has 8–12 questions with ids unique in the whole book, an
/// explanation for every question, distractors that differ from the
/// answer, and no key the schema does not know.
#[test]
fn every_quiz_is_well_formed() {
    deadline(LIMIT, "validating the quizzes", || {
        let workbook = workbook();
        let mut problems = Vec::new();
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        for exercise in &workbook.exercises {
            let path = quiz::quiz_path(&workbook.root, exercise);
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue; // the test above reports a missing quiz
            };
            let file = path
                .strip_prefix(&workbook.root)
                .unwrap()
                .display()
                .to_string();
            if let Err(error) = quiz::parse(&text) {
                problems.push(format!("{file}: {error:#}"));
                continue;
            }
            let loaded = match quiz::load(&workbook, exercise) {
                Ok(loaded) => loaded,
                Err(error) => {
                    problems.push(format!("{error:#}"));
                    continue;
                }
            };
            let count = loaded.questions.len();
            if !QUESTIONS.contains(&count) {
                problems.push(format!("{file} has {count} questions, not 8 to 12"));
            }
            let raw: toml::Table = toml::from_str(&text).expect("parsed above");
            let tables = raw["questions"].as_array().expect("an array of questions");
            for (question, table) in loaded.questions.iter().zip(tables) {
                let id = &question.id;
                if let Some(other) = ids.insert(id.clone(), file.clone()) {
                    problems
                        .push(format!("{file}: id `{id}` is used in {other} too"));
                }
                let table = table.as_table().expect("a question is a table");
                let mut unknown = unknown_keys(table, QUESTION_KEYS);
                for (part, known) in
                    [("prompt", PROMPT_KEYS), ("answer", ANSWER_KEYS)]
                {
                    if let Some(inner) = table.get(part).and_then(|v| v.as_table()) {
                        unknown.extend(
                            unknown_keys(inner, known)
                                .into_iter()
                                .map(|key| format!("{part}.{key}")),
                        );
                    }
                }
                if !unknown.is_empty() {
                    problems.push(format!(
                        "{file}: `{id}` has keys mdbook-quiz does not know: {}",
                        unknown.join(", ")
                    ));
                }
                if question
                    .context
                    .as_deref()
                    .is_none_or(|c| c.trim().is_empty())
                {
                    problems.push(format!(
                        "{file}: `{id}` has no context explaining it"
                    ));
                }
                match &question.kind {
                    Kind::Choice { options, correct } => {
                        let distinct: BTreeSet<&str> =
                            options.iter().map(|o| o.trim()).collect();
                        if distinct.len() != options.len() {
                            problems
                                .push(format!("{file}: `{id}` repeats an option"));
                        }
                        if options.len() < 3 || correct.is_empty() {
                            problems.push(format!(
                                "{file}: `{id}` needs an answer and at least two distractors"
                            ));
                        }
                    }
                    Kind::Short { answers } => {
                        if answers.iter().any(|a| a.trim().is_empty()) {
                            problems
                                .push(format!("{file}: `{id}` has an empty answer"));
                        }
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    });
}

/// The short answer of question `id` in `package`'s quiz: the answer first,
/// then the alternatives.
fn short_answer(package: &str, id: &str) -> Vec<String> {
    let workbook = workbook();
    let exercise = workbook.exercise(package).expect("the chapter's exercise");
    let quiz = quiz::load(&workbook, exercise).expect("the chapter's quiz");
    let question = quiz
        .questions
        .iter()
        .find(|q| q.id == id)
        .unwrap_or_else(|| panic!("{} has no question `{id}`", quiz.file));
    match &question.kind {
        Kind::Short { answers } => answers.clone(),
        Kind::Choice { .. } => panic!("`{id}` should be a short answer"),
    }
}

/// Asserts that the quiz's answer to `id` is `computed`, what a solution
/// computes for the same question.
fn assert_answer(package: &str, id: &str, computed: impl ToString) {
    let computed = computed.to_string();
    let answers = short_answer(package, id);
    assert_eq!(
        answers[0], computed,
        "{package}'s quiz answers `{id}` with {:?}, but the solution computes {computed:?}",
        answers[0]
    );
}

/// Chapter 1's numbers, from ports-solution.
#[test]
fn chapter_one_answers_are_what_ports_solution_computes() {
    deadline(LIMIT, "computing chapter 1's answers", || {
        use ports::step2_ipv4_forms::to_u32;
        use ports::step4_subnets::Ipv4Net;
        use ports::step5_ports::service_name;
        let net = |addr: [u8; 4], prefix| {
            Ipv4Net::new(Ipv4Addr::from(addr), prefix).expect("a valid network")
        };
        assert_answer(
            "ports",
            "ports-broadcast-26",
            net([192, 168, 1, 77], 26).broadcast(),
        );
        assert_answer(
            "ports",
            "ports-usable-hosts-22",
            net([10, 0, 37, 200], 22).usable_hosts(),
        );
        assert_answer("ports", "ports-ipv4-as-number", to_u32(Ipv4Addr::LOCALHOST));
        assert_answer(
            "ports",
            "ports-service-69",
            service_name(69).expect("a name"),
        );
    });
}

/// Chapter 2's byte counts, from sockets-solution's encoder.
#[test]
fn chapter_two_answers_are_what_sockets_solution_computes() {
    deadline(LIMIT, "computing chapter 2's answers", || {
        use sockets::step3_text::{Encoding, encode};
        let bytes = |encoding| encode("你好", encoding).expect("encodable").len();
        assert_answer("sockets", "sockets-utf8-bytes", bytes(Encoding::Utf8));
        assert_answer("sockets", "sockets-gbk-bytes", bytes(Encoding::Gbk));
    });
}

/// Chapter 3's largest datagram, from udp-solution.
#[test]
fn chapter_three_answers_are_what_udp_solution_computes() {
    deadline(LIMIT, "computing chapter 3's answers", || {
        use udp::step4_boundaries::MAX_UDP_PAYLOAD_V4;
        assert_answer("udp", "udp-largest-payload", MAX_UDP_PAYLOAD_V4);
    });
}

/// Chapter 5's packet sizes, from tftp-solution's encoder.
#[test]
fn chapter_five_answers_are_what_tftp_solution_computes() {
    deadline(LIMIT, "computing chapter 5's answers", || {
        use tftp::Packet;
        let size = |packet: Packet| {
            let mut out = Vec::new();
            packet.encode(&mut out);
            out.len()
        };
        let block = [0u8; 512];
        assert_answer(
            "tftp",
            "tftp-data-full-block",
            size(Packet::Data {
                block: 1,
                data: &block,
            }),
        );
        assert_answer("tftp", "tftp-ack-size", size(Packet::Ack { block: 1 }));
        // 1024 bytes: two full blocks, then the empty one that ends it.
        let blocks = 1024 / 512 + 1;
        assert_answer("tftp", "tftp-blocks-1024", blocks);
        assert_answer("tftp", "tftp-rollover", 65535u16.wrapping_add(1));
    });
}

/// The letters or values that answer every question of `package`'s quiz
/// right, one line each, from `cargo lab quiz --format json`.
fn right_answers(quiz: &serde_json::Value) -> String {
    let mut lines = String::new();
    for question in quiz["questions"].as_array().expect("questions") {
        let line = match question["type"].as_str() {
            Some("choice") => question["correct"]
                .as_array()
                .expect("correct options")
                .iter()
                .map(|i| letter(i.as_u64().unwrap() as usize).to_string())
                .collect::<Vec<_>>()
                .join(" "),
            _ => question["answers"][0]
                .as_str()
                .expect("an answer")
                .to_owned(),
        };
        lines.push_str(&line);
        lines.push('\n');
    }
    lines
}

/// `cargo lab quiz ports` from a pipe: right answers score full marks, the
/// explanation follows each answer, the score is recorded, and `cargo lab`
/// shows it; a wrong answer shows the right one; stopping early records
/// nothing.
#[test]
fn cargo_lab_quiz_asks_marks_explains_and_records() {
    let _cargo = common::one_cargo_at_a_time();
    deadline(Duration::from_secs(600), "cargo lab quiz", || {
        let copy = copy_workbook();
        let output = copy
            .lab()
            .args(["quiz", "ports", "--format", "json"])
            .output()
            .expect("running cargo lab quiz");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let json: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("--format json is JSON");
        let quiz = &json["quiz"];
        let total = quiz["questions"].as_array().expect("questions").len();
        assert!(
            json["last_score"].is_null(),
            "no score before the first run"
        );
        let first_context = quiz["questions"][0]["context"].as_str().unwrap().trim();
        let first_line_of_context = first_context.lines().next().unwrap();

        // Stopping after one answer records nothing.
        let answers = right_answers(quiz);
        let first = answers.lines().next().unwrap().to_owned() + "\n";
        copy.lab()
            .args(["quiz", "ports"])
            .write_stdin(first)
            .assert()
            .code(1)
            .stdout(contains("stopped after 1 of"))
            .stdout(contains("nothing recorded"));
        copy.lab()
            .assert()
            .stdout(contains("quiz: not taken yet  (cargo lab quiz ports)"));

        // Every answer right.
        copy.lab()
            .args(["quiz", "1"])
            .write_stdin(answers.clone())
            .assert()
            .code(0)
            .stdout(contains(format!("Question {total} of {total}")))
            .stdout(contains(first_line_of_context))
            .stdout(contains(format!("{total} of {total} right")));
        copy.lab()
            .assert()
            .stdout(contains(format!("quiz: {total} of {total} right")));

        // The first answer (a short one) wrong, the rest right.
        let first_question = &quiz["questions"][0];
        assert_eq!(
            first_question["type"], "short",
            "chapter 1's quiz opens with a value to type"
        );
        let right_first = first_question["answers"][0].as_str().unwrap();
        let rest: Vec<&str> = answers.lines().skip(1).collect();
        copy.lab()
            .args(["quiz", "01-ports"])
            .write_stdin(format!("0.0.0.0\n{}\n", rest.join("\n")))
            .assert()
            .code(1)
            .stdout(contains(format!("not quite: the answer is {right_first}")))
            .stdout(contains(format!("{} of {total} right", total - 1)));
        let listed = copy
            .lab()
            .args(["list", "--format", "json"])
            .output()
            .expect("cargo lab list");
        let listed: serde_json::Value =
            serde_json::from_slice(&listed.stdout).unwrap();
        assert_eq!(listed["exercises"][0]["quiz"]["right"], total - 1);
        assert_eq!(listed["exercises"][0]["quiz"]["total"], total);
    });
}

/// A chapter that does not exist is a usage error that names the chapters.
#[test]
fn cargo_lab_quiz_of_an_unknown_chapter_says_which_there_are() {
    let _cargo = common::one_cargo_at_a_time();
    deadline(Duration::from_secs(600), "cargo lab quiz nonsense", || {
        let copy = copy_workbook();
        copy.lab()
            .args(["quiz", "no-such-chapter"])
            .assert()
            .code(2)
            .stderr(contains("ports"));
        copy.lab()
            .args(["quiz", "99"])
            .assert()
            .code(2)
            .stderr(contains("no chapter 99"));
    });
}
