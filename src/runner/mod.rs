//! Building an exercise and running its graded tests: the heart of
//! `cargo lab check`, and of the grader.
//!
//! A [`Runner`] takes a [`Target`] (a package, its folder, and the test
//! targets that grade it, one per step) and returns a [`Report`]: per step,
//! per test, passed / failed (with what the test printed) / timed out / did
//! not compile. It never panics on a student's code and never hangs on it:
//!
//! 1. [`build`] compiles the step test binaries with
//!    `cargo build --keep-going --test …` and collects rustc's rendered
//!    errors, so one broken step does not hide the others.
//! 2. Each binary is asked for its tests (`--list`), then run on its own
//!    with the crate's folder as working directory (as `cargo test` does),
//!    under a time limit; a binary still running at the limit is killed and
//!    its unfinished tests are reported as timed out.
//! 3. [`libtest`] reads the verdicts the harness writes to its log file
//!    (`--logfile`), where the code under test does not write: a test passed
//!    only when the harness said so, never because the process exited with
//!    status 0 or printed `ok`. The output gives each failure's message.
//! 4. Tests the harness did not report get another chance: after a
//!    timeout, one more run of just those, each on a thread of its own;
//!    after a crash or an early `process::exit`, a run of each alone. So
//!    a test that loops or ends the process costs that test only.
//!
//! The runner inherits the environment, `CARGO_TARGET_DIR` included, so the
//! student's own `cargo test` and `cargo lab check` share one build.

pub mod build;
pub mod libtest;
pub mod process;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;

use crate::workbook::Exercise;
use build::{Build, BuildRequest, TestBinary};
use libtest::Verdict;

/// How long one step's test binary may run before it is killed.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(60);

/// What to build and run: one package and the test targets that grade it.
#[derive(Debug, Clone)]
pub struct Target {
    /// The package to build (`ports`, or `ports-solution`).
    pub package: String,
    /// The package's folder: the working directory of its tests.
    pub crate_dir: PathBuf,
    /// The graded test targets, one per step, in step order.
    pub tests: Vec<String>,
}

impl Target {
    /// An exercise crate, graded by its steps' tests.
    pub fn exercise(exercise: &Exercise) -> Target {
        Target {
            package: exercise.package.clone(),
            crate_dir: exercise.dir.clone(),
            tests: exercise.steps.iter().map(|s| s.test.clone()).collect(),
        }
    }

    /// How many artifacts of its own a build of the target makes: its
    /// library and one test binary per step.
    pub fn artifact_count(&self) -> usize {
        1 + self.tests.len()
    }

    /// The exercise's solution crate, run against the same step tests.
    pub fn solution(exercise: &Exercise) -> Option<Target> {
        let solution = exercise.solution.as_ref()?;
        Some(Target {
            package: solution.package.clone(),
            crate_dir: solution.dir.clone(),
            tests: exercise.steps.iter().map(|s| s.test.clone()).collect(),
        })
    }
}

/// Builds targets and runs their tests.
#[derive(Debug, Clone)]
pub struct Runner {
    cargo: OsString,
    workspace: PathBuf,
    time_limit: Duration,
    test_threads: Option<usize>,
    target_dir: Option<PathBuf>,
    color: bool,
    backtrace: Option<bool>,
    jobs: Option<usize>,
}

impl Runner {
    /// A runner for the cargo workspace at `workspace` (the folder with the
    /// workspace's `Cargo.toml`), using the cargo that started us (`$CARGO`)
    /// or the one on the `PATH`.
    pub fn new(workspace: &Path) -> Runner {
        Runner {
            cargo: std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
            workspace: workspace.to_path_buf(),
            time_limit: DEFAULT_TIME_LIMIT,
            test_threads: None,
            target_dir: None,
            color: false,
            backtrace: None,
            jobs: None,
        }
    }

    /// How long each step's test binary may run (default 60 s).
    pub fn time_limit(mut self, limit: Duration) -> Runner {
        self.time_limit = limit;
        self
    }

    /// How many tests of one binary run at once (default: libtest's choice).
    pub fn test_threads(mut self, threads: usize) -> Runner {
        self.test_threads = Some(threads.max(1));
        self
    }

    /// Builds into `dir` instead of the inherited `CARGO_TARGET_DIR`.
    pub fn target_dir(mut self, dir: &Path) -> Runner {
        self.target_dir = Some(dir.to_path_buf());
        self
    }

    /// Keeps the compiler's colours in rendered diagnostics (for a terminal).
    pub fn color(mut self, color: bool) -> Runner {
        self.color = color;
        self
    }

    /// Whether a failing test prints the standard library's backtrace:
    /// `false` hides it even when the user's `RUST_BACKTRACE` asks for one,
    /// `true` shows it. Without this call the environment decides.
    pub fn backtrace(mut self, show: bool) -> Runner {
        self.backtrace = Some(show);
        self
    }

    /// How many crates cargo compiles at once (default: cargo's choice).
    pub fn jobs(mut self, jobs: usize) -> Runner {
        self.jobs = Some(jobs.max(1));
        self
    }

    /// The time limit per test binary.
    pub fn limit(&self) -> Duration {
        self.time_limit
    }

    /// Builds the target's test binaries. An error here is the runner's own
    /// trouble (cargo missing, unreadable output); a student's compile error
    /// is part of the returned [`Build`].
    pub fn build(&self, target: &Target) -> Result<Build> {
        build::build(&BuildRequest {
            cargo: &self.cargo,
            workspace: &self.workspace,
            package: &target.package,
            tests: &target.tests,
            target_dir: self.target_dir.as_deref(),
            color: self.color,
        })
    }

    /// Builds several targets with one cargo run, so cargo builds the
    /// dependencies once and the crates in parallel, and a compile error is
    /// its own target's alone. The builds come back in the order of `targets`. `progress` hears how
    /// many of the targets' own artifacts (libraries and test binaries) are
    /// ready; [`Target::artifact_count`] says how many to expect.
    pub fn build_many(
        &self,
        targets: &[Target],
        progress: Option<&(dyn Fn(usize) + Sync)>,
    ) -> Result<Vec<Build>> {
        let units: Vec<build::BuildUnit> = targets
            .iter()
            .map(|t| build::BuildUnit {
                package: &t.package,
                crate_dir: &t.crate_dir,
                tests: &t.tests,
            })
            .collect();
        build::build_many(&build::ManyRequest {
            cargo: &self.cargo,
            workspace: &self.workspace,
            units: &units,
            target_dir: self.target_dir.as_deref(),
            color: self.color,
            jobs: self.jobs,
            progress,
        })
    }

    /// Builds the target and runs every step's tests.
    pub fn run(&self, target: &Target) -> Result<Report> {
        let build = self.build(target)?;
        Ok(self.run_built(target, &build))
    }

    /// Runs every step's tests of a target already built.
    pub fn run_built(&self, target: &Target, build: &Build) -> Report {
        let steps = target
            .tests
            .iter()
            .map(|test| match build.binaries.get(test) {
                Some(binary) => self.run_step(test, binary, target),
                None => StepReport::did_not_compile(test, target),
            })
            .collect();
        Report {
            package: target.package.clone(),
            compile_errors: build.failure_text(),
            steps,
        }
    }

    /// Lists the tests in a compiled step binary, in the order they are
    /// written in the step's test file.
    pub fn list_tests(
        &self,
        binary: &TestBinary,
        target: &Target,
    ) -> Result<Vec<String>> {
        let listed = process::run_with_limit(
            self.test_command(binary, target)
                .args(["--list", "--format", "terse"]),
            self.time_limit,
        )?;
        let mut names = libtest::parse_list(&listed.stdout);
        sort_in_source_order(&mut names, &binary.source);
        Ok(names)
    }

    /// Runs one step's test binary and reports on each of its tests.
    fn run_step(
        &self,
        test: &str,
        binary: &TestBinary,
        target: &Target,
    ) -> StepReport {
        let names = match self.list_tests(binary, target) {
            Ok(names) => names,
            Err(error) => {
                return StepReport::broken(
                    test,
                    format!("could not list its tests: {error}"),
                );
            }
        };
        let mut outcomes = BTreeMap::new();
        // 1. Every test of the step in one run, as `cargo test` runs them.
        let first = match self.run_tests(binary, target, &[], self.test_threads) {
            Ok(run) => run,
            Err(error) => {
                return StepReport::broken(test, format!("could not run: {error}"));
            }
        };
        let mut unreported = first.record(&names, &mut outcomes);
        // 2. Out of time: the tests still running or still waiting for a
        // thread get one more run together, each on a thread of its own,
        // so a loop in one test does not cost the tests queued behind it.
        if first.finished.timed_out() && !unreported.is_empty() {
            let threads = Some(unreported.len());
            match self.run_tests(binary, target, &unreported, threads) {
                Ok(again) => {
                    unreported = again.record(&unreported, &mut outcomes);
                    if again.finished.timed_out() {
                        for name in unreported.drain(..) {
                            outcomes.insert(name, Outcome::TimedOut);
                        }
                    }
                }
                Err(_) => {
                    for name in unreported.drain(..) {
                        outcomes.insert(name, Outcome::TimedOut);
                    }
                }
            }
        }
        // 3. The binary ended before reporting some tests (a crash, an
        // abort, `process::exit` in the code under test): each of those
        // runs alone, so the culprit fails and its neighbours are judged
        // on their own.
        for name in unreported {
            let alone = std::slice::from_ref(&name);
            let outcome = match self.run_tests(binary, target, alone, Some(1)) {
                Ok(run) => {
                    if run.record(alone, &mut outcomes).is_empty() {
                        continue;
                    }
                    if run.finished.timed_out() {
                        Outcome::TimedOut
                    } else {
                        Outcome::Failed {
                            output: crash_report(&run.finished),
                        }
                    }
                }
                Err(error) => Outcome::Failed {
                    output: format!("could not run this test on its own: {error}"),
                },
            };
            outcomes.insert(name, outcome);
        }
        let tests = names
            .into_iter()
            .map(|name| {
                let outcome = outcomes.remove(&name).unwrap_or(Outcome::TimedOut);
                TestReport { name, outcome }
            })
            .collect();
        StepReport {
            test: test.to_owned(),
            tests,
            problem: None,
        }
    }

    /// Runs a step's binary under the time limit: all its tests, or only
    /// those in `only`. libtest writes its verdict on each test into a log
    /// file of its own (`--logfile`), where the code under test does not
    /// write, so a test passes only when the harness itself said so: an
    /// `ok` printed by a student's code, or a run cut short by
    /// `process::exit(0)`, passes nothing.
    fn run_tests(
        &self,
        binary: &TestBinary,
        target: &Target,
        only: &[String],
        threads: Option<usize>,
    ) -> std::io::Result<TestRun> {
        let log = LogFile::new()?;
        let mut command = self.test_command(binary, target);
        command
            .args(["--color", "never"])
            .arg("--logfile")
            .arg(&log.path);
        if let Some(threads) = threads {
            command.arg(format!("--test-threads={}", threads.max(1)));
        }
        if !only.is_empty() {
            command.arg("--exact").args(only);
        }
        let finished = process::run_with_limit(&mut command, self.time_limit)?;
        let log_text = std::fs::read_to_string(&log.path).unwrap_or_default();
        Ok(TestRun {
            verdicts: libtest::parse_logfile(&log_text),
            output: libtest::parse_run(&finished.stdout),
            finished,
        })
    }

    /// The step binary, started as `cargo test` would start it.
    fn test_command(&self, binary: &TestBinary, target: &Target) -> Command {
        let mut command = Command::new(&binary.executable);
        command
            .current_dir(&target.crate_dir)
            .env("CARGO_MANIFEST_DIR", &target.crate_dir)
            .env("CARGO_PKG_NAME", &target.package);
        match self.backtrace {
            Some(true) => {
                command.env("RUST_BACKTRACE", "1");
            }
            Some(false) => {
                command
                    .env("RUST_BACKTRACE", "0")
                    .env_remove("RUST_LIB_BACKTRACE");
            }
            None => {}
        }
        command
    }
}

/// One run of a step's binary: what the harness logged and printed.
struct TestRun {
    /// The harness's verdicts, from its log file.
    verdicts: BTreeMap<String, Verdict>,
    /// What it printed: the failed tests' output.
    output: libtest::LibtestRun,
    /// How the process ended.
    finished: process::Finished,
}

impl TestRun {
    /// Files the outcome of each of `names` the harness reported, and
    /// returns those it did not.
    fn record(
        &self,
        names: &[String],
        outcomes: &mut BTreeMap<String, Outcome>,
    ) -> Vec<String> {
        let mut unreported = Vec::new();
        for name in names {
            let outcome = match self.verdicts.get(name) {
                Some(Verdict::Ok) => Outcome::Passed,
                Some(Verdict::Ignored) => Outcome::Ignored,
                Some(Verdict::Failed) => Outcome::Failed {
                    output: self
                        .output
                        .failure_output
                        .get(name)
                        .cloned()
                        .unwrap_or_default(),
                },
                None => {
                    unreported.push(name.clone());
                    continue;
                }
            };
            outcomes.insert(name.clone(), outcome);
        }
        unreported
    }
}

/// A fresh path for libtest's log file, removed when dropped.
struct LogFile {
    path: PathBuf,
}

impl LogFile {
    fn new() -> std::io::Result<LogFile> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir()
            .join(format!("netlab-libtest-{}-{n}.log", std::process::id()));
        // Claimed before the binary writes it, so no other file is clobbered.
        let _ = std::fs::remove_file(&path);
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(LogFile { path })
    }
}

impl Drop for LogFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Why a binary stopped without a word about a test: a crash (stack
/// overflow, abort, `process::exit` in the code under test).
fn crash_report(finished: &process::Finished) -> String {
    let status = finished
        .status
        .map_or_else(|| "was stopped".to_owned(), |s| s.to_string());
    let mut text = format!(
        "the test binary ended ({status}) before this test reported a result"
    );
    let stderr = finished.stderr.trim();
    if !stderr.is_empty() {
        text.push_str(":\n");
        text.push_str(stderr);
    }
    text
}

/// Orders test names as their functions appear in the test file, so "the
/// first failure" is the first the author meant a student to meet; names
/// not found there go last, alphabetically (libtest's order).
fn sort_in_source_order(names: &mut [String], source: &Path) {
    let Ok(text) = std::fs::read_to_string(source) else {
        return;
    };
    names.sort_by_cached_key(|name| {
        let function = name.rsplit("::").next().unwrap_or(name);
        let position = text.find(&format!("fn {function}(")).unwrap_or(usize::MAX);
        (position, name.clone())
    });
}

/// The names of the `#[test]` functions in a test file's source.
fn test_functions(source: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut after_test_attribute = false;
    for line in source.lines() {
        let mut rest = line.trim();
        if let Some(after) = rest.strip_prefix("#[test]") {
            after_test_attribute = true;
            rest = after;
        }
        if after_test_attribute && let Some(at) = rest.find("fn ") {
            let name = &rest[at + 3..];
            let end = name
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(name.len());
            names.push(name[..end].to_owned());
            after_test_attribute = false;
        }
    }
    names
}

/// Everything one run found out about a target.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The package that was built.
    pub package: String,
    /// The compiler's errors, when some part of the target did not compile.
    pub compile_errors: Option<String>,
    /// One report per step, in step order.
    pub steps: Vec<StepReport>,
}

impl Report {
    /// Whether every step passed.
    pub fn passed(&self) -> bool {
        self.steps.iter().all(StepReport::passed)
    }

    /// The first test that ran and failed (or timed out), in step order,
    /// with its step's index. Steps that did not compile are skipped: their
    /// story is in [`Report::compile_errors`].
    pub fn first_failure(&self) -> Option<(usize, &TestReport)> {
        self.steps.iter().enumerate().find_map(|(index, step)| {
            step.tests
                .iter()
                .find(|t| {
                    matches!(t.outcome, Outcome::Failed { .. } | Outcome::TimedOut)
                })
                .map(|t| (index, t))
        })
    }
}

/// How one step went.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    /// The step's test target.
    pub test: String,
    /// Its tests, in the order of the test file. Empty when it did not compile.
    pub tests: Vec<TestReport>,
    /// Why the step could not be run at all, if so.
    pub problem: Option<String>,
}

impl StepReport {
    /// A step whose binary could not be built. Its tests are read from the
    /// test file (every `#[test] fn`), so the count still shows what is at
    /// stake; a test nested in a module may be named a little differently
    /// here than libtest would name it.
    fn did_not_compile(test: &str, target: &Target) -> StepReport {
        let file = target.crate_dir.join("tests").join(format!("{test}.rs"));
        let source = std::fs::read_to_string(file).unwrap_or_default();
        StepReport {
            test: test.to_owned(),
            tests: test_functions(&source)
                .into_iter()
                .map(|name| TestReport {
                    name,
                    outcome: Outcome::DidNotCompile,
                })
                .collect(),
            problem: Some("did not compile".to_owned()),
        }
    }

    fn broken(test: &str, problem: String) -> StepReport {
        StepReport {
            test: test.to_owned(),
            tests: Vec::new(),
            problem: Some(problem),
        }
    }

    /// A step passes when it ran, has graded tests, and all of them passed.
    pub fn passed(&self) -> bool {
        self.problem.is_none()
            && self.graded() > 0
            && self.passed_count() == self.graded()
    }

    /// How many tests count (every test but the ignored ones).
    pub fn graded(&self) -> usize {
        self.tests
            .iter()
            .filter(|t| t.outcome != Outcome::Ignored)
            .count()
    }

    /// How many tests passed.
    pub fn passed_count(&self) -> usize {
        self.tests
            .iter()
            .filter(|t| t.outcome == Outcome::Passed)
            .count()
    }

    /// The step's overall outcome, for a one-word summary.
    pub fn outcome(&self) -> StepOutcome {
        if self.problem.as_deref() == Some("did not compile") {
            StepOutcome::DidNotCompile
        } else if self.passed() {
            StepOutcome::Passed
        } else if self.tests.iter().any(|t| t.outcome == Outcome::TimedOut) {
            StepOutcome::TimedOut
        } else {
            StepOutcome::Failed
        }
    }
}

/// A step in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    /// Every test passed.
    Passed,
    /// Some test failed (or the step has no tests, or could not run).
    Failed,
    /// The binary ran out of time.
    TimedOut,
    /// The step's test target did not compile.
    DidNotCompile,
}

/// How one test went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestReport {
    /// The test's name as libtest knows it.
    pub name: String,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What became of one test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed; `output` is what it printed, panic message included.
    Failed {
        /// What the test printed, panic message included.
        output: String,
    },
    /// Its binary was killed at the time limit before it finished.
    TimedOut,
    /// Its step's test binary could not be built.
    DidNotCompile,
    /// It is marked `#[ignore]`; it does not count.
    Ignored,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_functions_are_found_after_their_attribute() {
        let source = "use x;\n\n/// Doc.\n#[test]\nfn first_one() {}\n\n\
                      fn helper() {}\n#[test]\n#[should_panic]\npub fn second() {}\n\
                      #[test] fn third() {}\n";
        assert_eq!(test_functions(source), ["first_one", "second", "third"]);
    }

    #[test]
    fn a_step_without_tests_does_not_pass() {
        let step = StepReport {
            test: "step1".to_owned(),
            tests: vec![TestReport {
                name: "slow".to_owned(),
                outcome: Outcome::Ignored,
            }],
            problem: None,
        };
        assert!(!step.passed());
        assert_eq!(step.outcome(), StepOutcome::Failed);
    }

    #[test]
    fn first_failure_skips_passed_steps_and_tests() {
        let passed = |name: &str| TestReport {
            name: name.to_owned(),
            outcome: Outcome::Passed,
        };
        let report = Report {
            package: "ports".to_owned(),
            compile_errors: None,
            steps: vec![
                StepReport {
                    test: "step1".to_owned(),
                    tests: vec![passed("a")],
                    problem: None,
                },
                StepReport {
                    test: "step2".to_owned(),
                    tests: vec![
                        passed("b"),
                        TestReport {
                            name: "c".to_owned(),
                            outcome: Outcome::TimedOut,
                        },
                    ],
                    problem: None,
                },
            ],
        };
        let (step, test) = report.first_failure().expect("a failure");
        assert_eq!((step, test.name.as_str()), (1, "c"));
        assert_eq!(report.steps[1].outcome(), StepOutcome::TimedOut);
        assert!(!report.passed());
    }
}
