//! A class's grades: per student, exercise, step and test, with points.
//!
//! This is what every output format is made from (`format`), and what
//! `--format json` prints as it is.
//!
//! A step's points are earned when every one of its tests passed, as on
//! GitHub Classroom, where each step is one test command; the counts of
//! tests passed are there for a teacher who gives partial credit.

use serde::Serialize;

use super::workspace::ChangedFile;
use crate::runner::{Outcome, StepOutcome, StepReport, TestReport};
use crate::workbook::Exercise;

/// Everything one `cargo lab grade` found out.
#[derive(Debug, Clone, Serialize)]
pub struct ClassReport {
    /// The exercises graded, in chapter order.
    pub exercises: Vec<ExerciseInfo>,
    /// One entry per submission, in the order they were given.
    pub students: Vec<StudentReport>,
    /// How long each step's test binary could run, in seconds.
    pub time_limit_seconds: f64,
}

/// An exercise as graded: its steps and what they are worth.
#[derive(Debug, Clone, Serialize)]
pub struct ExerciseInfo {
    /// The package name (`ports`).
    pub exercise: String,
    /// The chapter it belongs to.
    pub chapter: u32,
    /// The chapter's title.
    pub title: String,
    /// The sum of its steps' points.
    pub max_points: u32,
    /// Its steps, in order.
    pub steps: Vec<StepInfo>,
}

/// One step of an exercise.
#[derive(Debug, Clone, Serialize)]
pub struct StepInfo {
    /// Its number, from 1.
    pub number: usize,
    /// Its test target.
    pub test: String,
    /// What it asks for.
    pub title: String,
    /// What it is worth.
    pub points: u32,
}

impl ExerciseInfo {
    /// The grading view of an exercise's metadata.
    pub fn of(exercise: &Exercise) -> ExerciseInfo {
        ExerciseInfo {
            exercise: exercise.package.clone(),
            chapter: exercise.chapter,
            title: exercise.title.clone(),
            max_points: exercise.steps.iter().map(|s| s.points).sum(),
            steps: exercise
                .steps
                .iter()
                .enumerate()
                .map(|(index, step)| StepInfo {
                    number: index + 1,
                    test: step.test.clone(),
                    title: step.title.clone(),
                    points: step.points,
                })
                .collect(),
        }
    }
}

/// One student's grades.
#[derive(Debug, Clone, Serialize)]
pub struct StudentReport {
    /// The student's name (the submission's folder or archive name).
    pub student: String,
    /// Where the submission was read from.
    pub source: String,
    /// Why the submission could not be graded at all, if so.
    pub problem: Option<String>,
    /// Points earned, over every exercise graded.
    pub points: u32,
    /// Points there were to earn.
    pub max_points: u32,
    /// One entry per exercise graded (none when the submission could not
    /// be read).
    pub exercises: Vec<ExerciseResult>,
    /// Files the student changed in the test helpers (`exercises/support`):
    /// the workbook's own were used.
    pub changed_support: Vec<ChangedFile>,
}

impl StudentReport {
    /// A submission that could not be read: no points, and why.
    pub fn unreadable(
        student: &str,
        source: &str,
        problem: String,
        max_points: u32,
    ) -> StudentReport {
        StudentReport {
            student: student.to_owned(),
            source: source.to_owned(),
            problem: Some(problem),
            points: 0,
            max_points,
            exercises: Vec::new(),
            changed_support: Vec::new(),
        }
    }

    /// The student's result for an exercise, if it was graded.
    pub fn exercise(&self, package: &str) -> Option<&ExerciseResult> {
        self.exercises.iter().find(|e| e.exercise == package)
    }
}

/// One student's grade for one exercise.
#[derive(Debug, Clone, Serialize)]
pub struct ExerciseResult {
    /// The package name (`ports`).
    pub exercise: String,
    /// Whether it was submitted.
    pub submitted: bool,
    /// Points earned.
    pub points: u32,
    /// Points there were to earn.
    pub max_points: u32,
    /// The student's files outside `src/` that differ from the workbook's:
    /// they were not used.
    pub changed_outside_src: Vec<ChangedFile>,
    /// The compiler's errors, when some part did not compile.
    pub compile_errors: Option<String>,
    /// One entry per step, in order.
    pub steps: Vec<StepResult>,
}

/// How one step went for one student.
#[derive(Debug, Clone, Serialize)]
pub struct StepResult {
    /// Its number, from 1.
    pub number: usize,
    /// Its test target.
    pub test: String,
    /// The step in one word.
    pub outcome: StepStatus,
    /// Points earned: all of the step's, or none.
    pub points: u32,
    /// What the step is worth.
    pub max_points: u32,
    /// Tests that passed.
    pub tests_passed: usize,
    /// Tests that count.
    pub tests_total: usize,
    /// Why the step could not be run at all, if so.
    pub problem: Option<String>,
    /// Every test, with what it printed when it failed.
    pub tests: Vec<TestReport>,
}

/// A step in one word, for a student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Every test passed.
    Passed,
    /// Some test failed.
    Failed,
    /// The tests ran out of time (and none of them failed otherwise).
    TimedOut,
    /// The step's tests did not compile against the student's code.
    DidNotCompile,
    /// The exercise is missing from the submission.
    NotSubmitted,
}

impl StepStatus {
    /// The words people read.
    pub fn words(self) -> &'static str {
        match self {
            StepStatus::Passed => "passed",
            StepStatus::Failed => "failed",
            StepStatus::TimedOut => "timed out",
            StepStatus::DidNotCompile => "did not compile",
            StepStatus::NotSubmitted => "not submitted",
        }
    }
}

impl StepResult {
    /// A step's result from the runner's report on it.
    pub fn from_report(
        number: usize,
        points: u32,
        report: &StepReport,
    ) -> StepResult {
        let passed = report.passed();
        let outcome = match report.outcome() {
            StepOutcome::Passed => StepStatus::Passed,
            StepOutcome::DidNotCompile => StepStatus::DidNotCompile,
            // A step that timed out but also has failures reads "failed":
            // the failures are certain, the timeout may be the machine.
            StepOutcome::TimedOut
                if report
                    .tests
                    .iter()
                    .any(|t| matches!(t.outcome, Outcome::Failed { .. })) =>
            {
                StepStatus::Failed
            }
            StepOutcome::TimedOut => StepStatus::TimedOut,
            StepOutcome::Failed => StepStatus::Failed,
        };
        StepResult {
            number,
            test: report.test.clone(),
            outcome,
            points: if passed { points } else { 0 },
            max_points: points,
            tests_passed: report.passed_count(),
            tests_total: report.graded(),
            problem: report.problem.clone().filter(|p| p != "did not compile"),
            tests: report.tests.clone(),
        }
    }

    /// A step of an exercise the student did not hand in.
    pub fn not_submitted(step: &StepInfo) -> StepResult {
        StepResult {
            number: step.number,
            test: step.test.clone(),
            outcome: StepStatus::NotSubmitted,
            points: 0,
            max_points: step.points,
            tests_passed: 0,
            tests_total: 0,
            problem: None,
            tests: Vec::new(),
        }
    }
}

impl ClassReport {
    /// The points there are to earn over the exercises graded.
    pub fn max_points(&self) -> u32 {
        self.exercises.iter().map(|e| e.max_points).sum()
    }
}
