//! Grading a class: every student's `src/` against the workbook's own
//! tests, with one shared build, into a [`report::ClassReport`].
//!
//! - [`submission`] finds the submissions among the paths given (folders,
//!   `.zip`, `.tar.gz`, folders of them) and unpacks archives safely.
//! - [`workspace`] lays out the grading workspace: each student's `src/`
//!   in a fresh copy of each pristine exercise crate, each at a path and
//!   under a package name of its own, so no build output is shared between
//!   students; and lists the files a student changed outside `src/`.
//! - [`grade`] (here) builds every graded crate in one cargo run, then runs
//!   the tests with the same [`crate::runner`] as `cargo lab check`, several
//!   students at a time.
//! - [`report`] is the result; [`mod@format`] prints it as a table, JSON, CSV,
//!   Markdown or JUnit XML.
//! - [`classroom`] writes the GitHub Classroom workflow that grades the
//!   same steps on GitHub's runners.

pub mod classroom;
pub mod format;
pub mod report;
pub mod submission;
pub mod workspace;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::runner::{Report, Runner, Target};
use crate::workbook::{Exercise, Workbook};
use report::{ClassReport, ExerciseInfo, ExerciseResult, StepResult, StudentReport};
use submission::{Kind, Submission};
use workspace::{GradedCrate, GradingArea};

/// How to grade.
#[derive(Debug, Clone)]
pub struct GradeOptions {
    /// How long each step's test binary may run.
    pub time_limit: Duration,
    /// How many students are graded at once (and crates compiled at once).
    pub jobs: usize,
}

/// What the grader tells whoever watches (the progress bar).
pub trait Watcher: Sync {
    /// Another grading holds the grading folder; this one waits.
    fn waiting_for_lock(&self, _folder: &Path) {}
    /// The build starts: `total` libraries and test binaries to make.
    fn building(&self, _total: usize) {}
    /// `ready` of them are made.
    fn built(&self, _ready: usize) {}
    /// The tests start: `students` submissions to run.
    fn running(&self, _students: usize) {}
    /// A student's tests started.
    fn student_started(&self, _student: &str) {}
    /// A student's tests are done.
    fn student_done(&self, _student: &str) {}
}

/// A watcher that says nothing.
pub struct Quiet;
impl Watcher for Quiet {}

/// One submission on its way through the grader.
struct Graded {
    submission: Submission,
    /// Why it cannot be graded, if so.
    problem: Option<String>,
    /// The folder with its exercise crates, once read.
    exercises_dir: Option<PathBuf>,
    /// Per exercise graded: the crate laid out for it, or None when the
    /// student did not hand that exercise in.
    crates: Vec<Option<GradedCrate>>,
}

/// Grades `submissions` on `exercises` of `workbook`.
pub fn grade(
    workbook: &Workbook,
    exercises: &[&Exercise],
    submissions: Vec<Submission>,
    options: &GradeOptions,
    watcher: &dyn Watcher,
) -> Result<ClassReport> {
    let area =
        GradingArea::open(workbook, |folder| watcher.waiting_for_lock(folder))?;
    let infos: Vec<ExerciseInfo> =
        exercises.iter().map(|e| ExerciseInfo::of(e)).collect();
    let exercise_dirs: Vec<String> =
        workbook.exercises.iter().map(folder_name).collect();

    let names: Vec<String> = submissions.iter().map(|s| s.student.clone()).collect();
    let slugs = workspace::unique_slugs(&names);
    let mut graded: Vec<Graded> = submissions
        .into_iter()
        .zip(&slugs)
        .map(|(submission, slug)| {
            read_submission(&area, submission, slug, &exercise_dirs)
        })
        .collect();

    // Lay out every graded crate, then write the workspace naming them.
    let workspace_root = area.workspace();
    let mut members = Vec::new();
    for (entry, slug) in graded.iter_mut().zip(&slugs) {
        let Some(dir) = entry.exercises_dir.clone() else {
            continue;
        };
        match lay_out(exercises, &dir, slug, &workspace_root) {
            Ok(crates) => {
                for graded_crate in crates.iter().flatten() {
                    members.push(format!(
                        "students/{slug}/{}",
                        file_name(&graded_crate.dir)
                    ));
                }
                entry.crates = crates;
            }
            Err(error) => entry.problem = Some(format!("{error:#}")),
        }
    }
    workspace::write_workspace(workbook, &workspace_root, &members)
        .context("writing the grading workspace")?;

    let runner = Runner::new(&workspace_root)
        .target_dir(&area.target())
        .time_limit(options.time_limit)
        .jobs(options.jobs);
    let targets: Vec<(usize, usize, Target)> = graded
        .iter()
        .enumerate()
        .flat_map(|(s, entry)| {
            entry.crates.iter().enumerate().filter_map(move |(e, c)| {
                let graded_crate = c.as_ref()?;
                Some((s, e, target_of(graded_crate, exercises[e])))
            })
        })
        .collect();
    let only_targets: Vec<Target> =
        targets.iter().map(|(_, _, t)| t.clone()).collect();
    watcher.building(only_targets.iter().map(Target::artifact_count).sum());
    let builds = if only_targets.is_empty() {
        Vec::new()
    } else {
        runner
            .build_many(&only_targets, Some(&|ready| watcher.built(ready)))
            .context("building the submissions")?
    };
    // Cargo itself failed (not a student's code): a setup error.
    if !builds.is_empty()
        && builds
            .iter()
            .all(|b| b.binaries.is_empty() && b.errors.is_empty())
    {
        let why = builds[0].failure_text().unwrap_or_default();
        anyhow::bail!("cargo could not build the grading workspace:\n{why}");
    }

    // Run the tests, `jobs` students at a time.
    let mut reports: Vec<Vec<Option<Report>>> =
        graded.iter().map(|g| vec![None; g.crates.len()]).collect();
    let queue = Mutex::new((0..graded.len()).collect::<Vec<_>>().into_iter());
    let done = Mutex::new(Vec::new());
    watcher.running(graded.len());
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let Some(student) =
                        queue.lock().unwrap_or_else(|e| e.into_inner()).next()
                    else {
                        break;
                    };
                    let name = &graded[student].submission.student;
                    watcher.student_started(name);
                    for ((s, e, target), build) in targets.iter().zip(&builds) {
                        if *s == student {
                            let report = runner.run_built(target, build);
                            done.lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .push((*s, *e, report));
                        }
                    }
                    watcher.student_done(name);
                }
            });
        }
    });
    for (s, e, report) in done.into_inner().unwrap_or_else(|e| e.into_inner()) {
        reports[s][e] = Some(report);
    }

    let max_points = infos.iter().map(|e| e.max_points).sum();
    let students = graded
        .iter()
        .zip(reports)
        .map(|(entry, reports)| {
            student_report(workbook, entry, &reports, exercises, &infos, max_points)
        })
        .collect();
    Ok(ClassReport {
        exercises: infos,
        students,
        time_limit_seconds: options.time_limit.as_secs_f64(),
    })
}

/// The folder name of an exercise crate (`01-ports`).
fn folder_name(exercise: &Exercise) -> String {
    file_name(&exercise.dir)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Finds a submission's exercises, unpacking it first if it is an archive.
fn read_submission(
    area: &GradingArea,
    submission: Submission,
    slug: &str,
    exercise_dirs: &[String],
) -> Graded {
    let mut graded = Graded {
        submission,
        problem: None,
        exercises_dir: None,
        crates: Vec::new(),
    };
    let folder = match graded.submission.kind {
        Kind::Folder => graded.submission.source.clone(),
        Kind::Zip | Kind::TarGz => {
            let into = area.unpacked(slug);
            if let Err(error) = submission::unpack(&graded.submission, &into) {
                graded.problem = Some(format!("could not be unpacked: {error:#}"));
                return graded;
            }
            into
        }
        Kind::Other => {
            graded.problem = Some("is not a folder, a .zip or a .tar.gz".to_owned());
            return graded;
        }
    };
    match submission::exercises_folder(&folder, exercise_dirs) {
        Some(dir) => graded.exercises_dir = Some(dir),
        None => {
            graded.problem = Some(format!(
                "holds no exercise folder ({}), neither at its top nor in exercises/",
                exercise_dirs.join(", ")
            ))
        }
    }
    graded
}

/// Lays out one student's crate for each exercise they handed in.
fn lay_out(
    exercises: &[&Exercise],
    student_exercises: &Path,
    slug: &str,
    workspace_root: &Path,
) -> Result<Vec<Option<GradedCrate>>> {
    exercises
        .iter()
        .map(|exercise| {
            let folder = folder_name(exercise);
            let theirs = student_exercises.join(&folder);
            if !theirs.is_dir() {
                return Ok(None);
            }
            let package = format!("{}-{slug}", exercise.package);
            let dir = workspace_root.join("students").join(slug).join(&folder);
            workspace::write_graded_crate(
                exercise,
                &theirs.join("src"),
                &package,
                &dir,
            )
            .with_context(|| format!("copying {folder}"))?;
            Ok(Some(GradedCrate {
                package,
                dir,
                shown_as_exercises: format!("students/{slug}/"),
            }))
        })
        .collect()
}

fn target_of(graded_crate: &GradedCrate, exercise: &Exercise) -> Target {
    Target {
        package: graded_crate.package.clone(),
        crate_dir: graded_crate.dir.clone(),
        tests: exercise.steps.iter().map(|s| s.test.clone()).collect(),
    }
}

/// Puts one student's results together.
fn student_report(
    workbook: &Workbook,
    entry: &Graded,
    reports: &[Option<Report>],
    exercises: &[&Exercise],
    infos: &[ExerciseInfo],
    max_points: u32,
) -> StudentReport {
    let student = &entry.submission.student;
    let source = entry.submission.source.display().to_string();
    if let Some(problem) = &entry.problem {
        return StudentReport::unreadable(
            student,
            &source,
            problem.clone(),
            max_points,
        );
    }
    let Some(dir) = &entry.exercises_dir else {
        return StudentReport::unreadable(
            student,
            &source,
            "could not be read".into(),
            max_points,
        );
    };
    let mut results = Vec::new();
    for (index, (exercise, info)) in exercises.iter().zip(infos).enumerate() {
        let graded_crate = entry.crates.get(index).and_then(Option::as_ref);
        let report = reports.get(index).and_then(Option::as_ref);
        results.push(exercise_result(exercise, info, dir, graded_crate, report));
    }
    // Only a student who handed in the helpers can have changed them.
    let changed_support = if dir.join("support").is_dir() {
        workspace::changed_files(
            &workbook.root.join("exercises/support"),
            &dir.join("support"),
            "exercises/support",
        )
        .unwrap_or_default()
    } else {
        Vec::new()
    };
    StudentReport {
        student: student.clone(),
        source,
        problem: None,
        points: results.iter().map(|r| r.points).sum(),
        max_points,
        exercises: results,
        changed_support,
    }
}

fn exercise_result(
    exercise: &Exercise,
    info: &ExerciseInfo,
    student_exercises: &Path,
    graded_crate: Option<&GradedCrate>,
    report: Option<&Report>,
) -> ExerciseResult {
    let folder = folder_name(exercise);
    let (Some(graded_crate), Some(report)) = (graded_crate, report) else {
        return ExerciseResult {
            exercise: info.exercise.clone(),
            submitted: false,
            points: 0,
            max_points: info.max_points,
            changed_outside_src: Vec::new(),
            compile_errors: None,
            steps: info.steps.iter().map(StepResult::not_submitted).collect(),
        };
    };
    let shown =
        |text: &str| text.replace(&graded_crate.shown_as_exercises, "exercises/");
    let steps: Vec<StepResult> = info
        .steps
        .iter()
        .zip(&report.steps)
        .map(|(step, step_report)| {
            let mut result =
                StepResult::from_report(step.number, step.points, step_report);
            for test in &mut result.tests {
                if let crate::runner::Outcome::Failed { output } = &mut test.outcome
                {
                    *output = shown(output);
                }
            }
            result
        })
        .collect();
    let changed = workspace::changed_files(
        &exercise.dir,
        &student_exercises.join(&folder),
        &format!("exercises/{folder}"),
    )
    .unwrap_or_default();
    ExerciseResult {
        exercise: info.exercise.clone(),
        submitted: true,
        points: steps.iter().map(|s| s.points).sum(),
        max_points: info.max_points,
        changed_outside_src: changed,
        compile_errors: report.compile_errors.as_deref().map(shown),
        steps,
    }
}
