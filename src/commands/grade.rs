//! `cargo lab grade SUBMISSION…`: grades a class with the workbook's own
//! tests and prints (or writes) the grades.
//!
//! ```text
//! $ cargo lab grade class/ --out grades.csv --out report.md
//! ⠁ built 120/120   ████████████████████   grading 12/30: alice, bob
//! wrote grades.csv (csv), report.md (markdown): 30 submissions graded
//! ```
//!
//! Exit code 0 once every submission was graded, whatever the grades (a
//! submission that could not be read is in the results); 2 for a usage or
//! setup error (no such path, no cargo).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

use super::{Lab, Verdict};
use crate::grade::format::{self, GradeFormat};
use crate::grade::{self, GradeOptions, Watcher, submission};
use crate::workbook::Exercise;

/// What `cargo lab grade` was asked for.
#[derive(Debug, Clone)]
pub struct GradeRequest {
    /// The submissions: folders, archives, folders of them.
    pub submissions: Vec<PathBuf>,
    /// Only this exercise (default: every exercise with steps).
    pub exercise: Option<String>,
    /// The format on stdout, and of every `--out` file when given.
    pub format: Option<GradeFormat>,
    /// Files to write the report to.
    pub out: Vec<PathBuf>,
    /// How many students at once.
    pub jobs: Option<usize>,
    /// Per step's test binary.
    pub time_limit: Duration,
}

/// Grades the submissions and prints or writes the report.
pub fn run(lab: &Lab, request: GradeRequest) -> Result<Verdict> {
    if request.submissions.is_empty() {
        bail!(
            "name at least one submission: a folder, a .zip, a .tar.gz, or a folder of them"
        );
    }
    let exercises = chosen_exercises(lab, request.exercise.as_deref())?;
    let exercise_dirs: Vec<String> = lab
        .workbook
        .exercises
        .iter()
        .filter_map(|e| e.dir.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let submissions = submission::find(&request.submissions, &exercise_dirs)?;
    if submissions.is_empty() {
        bail!(
            "no submission found in {}",
            show_paths(&request.submissions)
        );
    }
    let jobs = request.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    });
    let options = GradeOptions {
        time_limit: request.time_limit,
        jobs: jobs.max(1),
    };
    let bar = Bar::new();
    let report =
        grade::grade(&lab.workbook, &exercises, submissions, &options, &bar);
    bar.finish();
    let report = report?;

    if request.out.is_empty() {
        let text = format::render(&report, request.format.unwrap_or_default())?;
        print!("{text}");
        return Ok(Verdict::Passed);
    }
    let mut written = Vec::new();
    for path in &request.out {
        let chosen = request
            .format
            .unwrap_or_else(|| GradeFormat::for_file(path));
        let text = format::render(&report, chosen)?;
        write_whole(path, &text)?;
        written.push(format!("{} ({})", path.display(), format_name(chosen)));
    }
    println!(
        "wrote {}: {} graded",
        written.join(", "),
        count(report.students.len(), "submission")
    );
    Ok(Verdict::Passed)
}

/// The exercise asked for, or every exercise that has steps to grade.
fn chosen_exercises<'a>(
    lab: &'a Lab,
    name: Option<&str>,
) -> Result<Vec<&'a Exercise>> {
    if let Some(name) = name {
        let exercise = lab.workbook.exercise(name)?;
        if exercise.steps.is_empty() {
            bail!(
                "the exercise `{}` has no steps to grade yet",
                exercise.package
            );
        }
        return Ok(vec![exercise]);
    }
    let exercises: Vec<&Exercise> = lab
        .workbook
        .exercises
        .iter()
        .filter(|e| !e.steps.is_empty())
        .collect();
    if exercises.is_empty() {
        bail!("this workbook has no exercise with steps to grade");
    }
    Ok(exercises)
}

fn show_paths(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn format_name(format: GradeFormat) -> &'static str {
    match format {
        GradeFormat::Table => "table",
        GradeFormat::Json => "json",
        GradeFormat::Csv => "csv",
        GradeFormat::Markdown => "markdown",
        GradeFormat::Junit => "junit",
    }
}

/// Writes `text` to `path` whole or not at all: into a file beside it,
/// renamed over it once complete.
fn write_whole(path: &Path, text: &str) -> Result<()> {
    let name = path.file_name().context("--out needs a file name")?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(".partial");
    let temporary = path.with_file_name(temporary_name);
    std::fs::write(&temporary, text)
        .with_context(|| format!("writing {}", temporary.display()))?;
    std::fs::rename(&temporary, path)
        .with_context(|| format!("writing {}", path.display()))
}

/// The progress bar on stderr (drawn only on a terminal): the build, then
/// the submissions done and the ones being graded.
struct Bar {
    bar: ProgressBar,
    in_progress: Mutex<BTreeSet<String>>,
}

impl Bar {
    fn new() -> Bar {
        let bar = ProgressBar::new(0);
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar {
            bar,
            in_progress: Mutex::new(BTreeSet::new()),
        }
    }

    fn style(template: &str) -> ProgressStyle {
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("█▉▊▋▌▍▎▏ ")
    }

    fn show_in_progress(&self) {
        let names = self.in_progress.lock().unwrap_or_else(|e| e.into_inner());
        let list: Vec<&str> = names.iter().map(String::as_str).collect();
        self.bar.set_message(list.join(", "));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Watcher for Bar {
    fn waiting_for_lock(&self, folder: &Path) {
        self.bar.println(format!(
            "waiting for another `cargo lab grade` to finish with {} …",
            folder.display()
        ));
    }

    fn building(&self, total: usize) {
        self.bar.set_style(Self::style(
            "{spinner} building {pos}/{len} libraries and test binaries {wide_bar} {elapsed}",
        ));
        self.bar.set_length(total as u64);
        self.bar.set_position(0);
    }

    fn built(&self, ready: usize) {
        self.bar.set_position(ready as u64);
    }

    fn running(&self, students: usize) {
        self.bar.set_style(Self::style(
            "{spinner} graded {pos}/{len} {bar:30} {elapsed}  now: {wide_msg}",
        ));
        self.bar.set_length(students as u64);
        self.bar.set_position(0);
    }

    fn student_started(&self, student: &str) {
        self.in_progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(student.to_owned());
        self.show_in_progress();
    }

    fn student_done(&self, student: &str) {
        self.in_progress
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(student);
        self.bar.inc(1);
        self.show_in_progress();
    }
}
