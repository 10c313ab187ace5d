//! The student's progress: which steps passed at the last check, and how
//! many hints of each step they have seen.
//!
//! It lives in `<workbook>/.netlab/progress.json` (git ignores `.netlab/`,
//! by the `.gitignore` inside it), a small file a person can read or delete
//! to start afresh; the book's exercise boxes show it too (`crate::book`):
//!
//! ```json
//! { "exercises": { "ports": { "passed": ["step1_host_port"],
//!                             "hints": { "step2_dotted": 1 } } } }
//! ```
//!
//! Steps are recorded by test name, so renumbering steps in the metadata
//! keeps a student's record; names no longer in the metadata are ignored.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::workbook::{Exercise, Step, Workbook};

/// Everything recorded for one student, in one workbook.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Progress {
    /// By exercise package name.
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseProgress>,
    /// Where the file lives; not part of its contents.
    #[serde(skip)]
    path: PathBuf,
}

/// What is recorded for one exercise.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct ExerciseProgress {
    /// The steps (by test name) that passed at the last check.
    #[serde(default)]
    pub passed: BTreeSet<String>,
    /// How many hints of each step (by test name) have been shown.
    #[serde(default)]
    pub hints: BTreeMap<String, usize>,
    /// The chapter quiz's score at its last full run (`cargo lab quiz`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quiz: Option<QuizScore>,
}

/// How a quiz went: right answers out of questions asked.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuizScore {
    /// Questions answered right.
    pub right: usize,
    /// Questions in the quiz.
    pub total: usize,
}

/// The next thing to do: a step of an exercise that has not passed yet.
#[derive(Debug, Clone, Copy)]
pub struct NextStep<'a> {
    /// The exercise it belongs to.
    pub exercise: &'a Exercise,
    /// Its number, counting from 1 as students do.
    pub number: usize,
    /// The step itself.
    pub step: &'a Step,
}

impl Progress {
    /// The progress file of the workbook at `root`.
    pub fn file(root: &Path) -> PathBuf {
        root.join(".netlab").join("progress.json")
    }

    /// Reads the progress of the workbook at `root`; none recorded yet is a
    /// fresh start, not an error.
    pub fn load(root: &Path) -> Result<Progress> {
        let path = Progress::file(root);
        let mut progress = match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).with_context(|| {
                format!(
                    "reading your progress from {} (delete the file to start afresh)",
                    path.display()
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Progress::default(),
            Err(e) => {
                return Err(e).with_context(|| format!("reading {}", path.display()));
            }
        };
        progress.path = path;
        Ok(progress)
    }

    /// Writes the progress back (to a temporary file first, so an
    /// interrupted write never leaves half a file).
    pub fn save(&self) -> Result<()> {
        let dir = self
            .path
            .parent()
            .context("the progress file has no folder")?;
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating {}", dir.display()))?;
        keep_out_of_git(dir)?;
        let text =
            serde_json::to_string_pretty(self).context("encoding progress")?;
        let temporary = self.path.with_extension("json.tmp");
        std::fs::write(&temporary, text + "\n")
            .with_context(|| format!("writing {}", temporary.display()))?;
        std::fs::rename(&temporary, &self.path)
            .with_context(|| format!("writing {}", self.path.display()))
    }

    /// Whether `step` of `exercise` passed at the last check.
    pub fn step_passed(&self, exercise: &Exercise, step: &Step) -> bool {
        self.exercises
            .get(&exercise.package)
            .is_some_and(|p| p.passed.contains(&step.test))
    }

    /// How many of the exercise's steps passed at the last check.
    pub fn steps_done(&self, exercise: &Exercise) -> usize {
        exercise
            .steps
            .iter()
            .filter(|step| self.step_passed(exercise, step))
            .count()
    }

    /// Whether every step of the exercise passed at the last check.
    pub fn exercise_done(&self, exercise: &Exercise) -> bool {
        self.steps_done(exercise) == exercise.steps.len()
    }

    /// The first step of `exercise` that has not passed yet.
    pub fn first_unfinished<'a>(
        &self,
        exercise: &'a Exercise,
    ) -> Option<NextStep<'a>> {
        exercise
            .steps
            .iter()
            .enumerate()
            .find(|(_, step)| !self.step_passed(exercise, step))
            .map(|(index, step)| NextStep {
                exercise,
                number: index + 1,
                step,
            })
    }

    /// The first unfinished step in the whole workbook, in chapter order.
    pub fn next<'a>(&self, workbook: &'a Workbook) -> Option<NextStep<'a>> {
        workbook
            .exercises
            .iter()
            .find_map(|exercise| self.first_unfinished(exercise))
    }

    /// Records a check of `exercise`: exactly the steps in `passed` pass now
    /// (a step that passed before and fails now is no longer done).
    pub fn record_check<'a>(
        &mut self,
        exercise: &Exercise,
        passed: impl IntoIterator<Item = &'a str>,
    ) {
        let record = self.exercises.entry(exercise.package.clone()).or_default();
        record.passed = passed.into_iter().map(str::to_owned).collect();
    }

    /// Forgets which steps of `exercise` passed (its hints stay seen).
    pub fn forget_passes(&mut self, exercise: &Exercise) {
        if let Some(record) = self.exercises.get_mut(&exercise.package) {
            record.passed.clear();
        }
    }

    /// How many hints of `step` have been shown.
    pub fn hints_shown(&self, exercise: &Exercise, step: &Step) -> usize {
        self.exercises
            .get(&exercise.package)
            .and_then(|p| p.hints.get(&step.test))
            .copied()
            .unwrap_or(0)
    }

    /// The last score of the quiz of `exercise`'s chapter, if taken.
    pub fn quiz_score(&self, exercise: &Exercise) -> Option<QuizScore> {
        self.exercises.get(&exercise.package).and_then(|p| p.quiz)
    }

    /// Records a finished run of the chapter's quiz (the latest one counts).
    pub fn record_quiz(&mut self, exercise: &Exercise, score: QuizScore) {
        let record = self.exercises.entry(exercise.package.clone()).or_default();
        record.quiz = Some(score);
    }

    /// Notes that one more hint of `step` has been shown.
    pub fn note_hint_shown(&mut self, exercise: &Exercise, step: &Step) {
        let record = self.exercises.entry(exercise.package.clone()).or_default();
        *record.hints.entry(step.test.clone()).or_default() += 1;
    }
}

/// What `.netlab/.gitignore` says: git leaves the folder alone, all but
/// this file, which the workbook ships so that the folder exists from the
/// start (`mdbook serve` watches it, and refuses a watched folder that is
/// missing).
const GITIGNORE: &str = "\
# Your own state, kept by `cargo lab`: progress.json (steps passed, hints
# seen) and backups/ (your versions, saved by `cargo lab reset`). Git leaves
# it all alone. The rule is here rather than in the workbook's .gitignore so
# that `mdbook serve`, which skips what that file ignores, still sees
# progress.json change and shows your progress in the book.
*
!.gitignore
";

/// Puts `.gitignore` back in the state folder `dir` if someone deleted the
/// folder to start afresh.
fn keep_out_of_git(dir: &Path) -> Result<()> {
    let file = dir.join(".gitignore");
    if file.exists() {
        return Ok(());
    }
    std::fs::write(&file, GITIGNORE)
        .with_context(|| format!("writing {}", file.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise() -> Exercise {
        let step = |test: &str| Step {
            test: test.to_owned(),
            title: format!("title of {test}"),
            points: 1,
            hints: vec!["one".to_owned(), "two".to_owned()],
        };
        Exercise {
            package: "ports".to_owned(),
            dir: PathBuf::from("exercises/01-ports"),
            chapter: 1,
            title: "Addresses and ports".to_owned(),
            page: "01-ports/exercise.md".to_owned(),
            steps: vec![step("step1_a"), step("step2_b")],
            solution: None,
        }
    }

    #[test]
    fn a_check_replaces_what_passed_before() {
        let exercise = exercise();
        let mut progress = Progress::default();
        progress.record_check(&exercise, ["step1_a", "step2_b"]);
        assert!(progress.exercise_done(&exercise));
        progress.record_check(&exercise, ["step2_b"]);
        assert_eq!(progress.steps_done(&exercise), 1);
        let next = progress.first_unfinished(&exercise).expect("step 1 again");
        assert_eq!((next.number, next.step.test.as_str()), (1, "step1_a"));
    }

    #[test]
    fn hints_are_counted_per_step_and_survive_forgetting() {
        let exercise = exercise();
        let mut progress = Progress::default();
        progress.note_hint_shown(&exercise, &exercise.steps[1]);
        progress.note_hint_shown(&exercise, &exercise.steps[1]);
        progress.record_check(&exercise, ["step1_a"]);
        progress.forget_passes(&exercise);
        assert_eq!(progress.hints_shown(&exercise, &exercise.steps[0]), 0);
        assert_eq!(progress.hints_shown(&exercise, &exercise.steps[1]), 2);
        assert_eq!(progress.steps_done(&exercise), 0);
    }

    #[test]
    fn progress_round_trips_through_its_file() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let exercise = exercise();
        let mut progress = Progress::load(root.path()).expect("a fresh start");
        progress.record_check(&exercise, ["step1_a"]);
        progress.note_hint_shown(&exercise, &exercise.steps[1]);
        progress.save().expect("saved");
        let shipped = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(".netlab/.gitignore"),
        )
        .expect("the workbook ships .netlab/.gitignore");
        let written =
            std::fs::read_to_string(root.path().join(".netlab/.gitignore"))
                .expect("saving wrote the state folder's .gitignore");
        assert_eq!(written, shipped, "the same rule as the shipped file");
        let again = Progress::load(root.path()).expect("read back");
        assert_eq!(again.steps_done(&exercise), 1);
        assert_eq!(again.hints_shown(&exercise, &exercise.steps[1]), 1);
    }

    #[test]
    fn a_quiz_score_is_kept_beside_the_steps_and_survives_a_check() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let exercise = exercise();
        let mut progress = Progress::load(root.path()).expect("a fresh start");
        assert_eq!(progress.quiz_score(&exercise), None);
        let score = QuizScore {
            right: 7,
            total: 10,
        };
        progress.record_quiz(&exercise, score);
        progress.record_check(&exercise, ["step1_a"]);
        progress.save().expect("saved");
        let again = Progress::load(root.path()).expect("read back");
        assert_eq!(again.quiz_score(&exercise), Some(score));
    }

    #[test]
    fn a_damaged_file_is_an_error_that_says_what_to_do() {
        let root = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir_all(root.path().join(".netlab")).expect("folder");
        std::fs::write(Progress::file(root.path()), "{ not json").expect("written");
        let error = Progress::load(root.path()).expect_err("damaged");
        assert!(format!("{error:#}").contains("delete the file to start afresh"));
    }
}
