//! The workbook on disk: where it is, and what its exercises say of themselves.
//!
//! Every exercise crate describes itself in its own `Cargo.toml`, under
//! `[package.metadata.netlab]`: the chapter it belongs to, its title, the
//! book page that introduces it, and its steps. Each step names the test file
//! that grades it (`tests/<test>.rs`), the hints a stuck student can ask for,
//! and the points it is worth. `cargo lab`, the book's `{{#exercise …}}` box
//! and the grader all read this one description, so they cannot disagree.
//!
//! ```toml
//! [package.metadata.netlab]
//! chapter = 1
//! title = "Addresses and ports"
//! page = "01-ports/exercise.md"        # under book/
//!
//! [[package.metadata.netlab.steps]]
//! test = "step1_host_port"             # tests/step1_host_port.rs
//! title = "Parse host:port strings"
//! points = 10
//! hints = ["first nudge", "stronger nudge", "almost the answer"]
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// The folder, inside each exercise crate, that keeps the stub as shipped.
pub const PRISTINE_DIR: &str = ".stub";

/// The whole workbook: its root folder and its exercises in chapter order.
#[derive(Debug, Clone)]
pub struct Workbook {
    /// The folder holding `Cargo.toml`, `book.toml`, `exercises/` …
    pub root: PathBuf,
    /// Every exercise crate, sorted by chapter.
    pub exercises: Vec<Exercise>,
}

/// One exercise crate and the solution that answers it.
#[derive(Debug, Clone)]
pub struct Exercise {
    /// The package name a student types after `cargo test -p`.
    pub package: String,
    /// The crate's folder, e.g. `<root>/exercises/01-ports`.
    pub dir: PathBuf,
    /// The chapter number in the book.
    pub chapter: u32,
    /// The chapter's title.
    pub title: String,
    /// The book page (under `book/`) that leads into the exercise.
    pub page: String,
    /// The steps, in the order a student works them.
    pub steps: Vec<Step>,
    /// The model answer, `<package>-solution`, when the workbook ships one.
    pub solution: Option<Solution>,
}

/// One step of an exercise: a test file and what helps a student pass it.
#[derive(Debug, Clone, Deserialize)]
pub struct Step {
    /// The test target that grades this step: `tests/<test>.rs`.
    pub test: String,
    /// What the step asks for, in a few words.
    pub title: String,
    /// Points for a teacher's gradebook.
    #[serde(default = "one_point")]
    pub points: u32,
    /// Hints from a gentle nudge to almost the answer.
    #[serde(default)]
    pub hints: Vec<String>,
}

fn one_point() -> u32 {
    1
}

/// The finished crate that answers an exercise.
#[derive(Debug, Clone)]
pub struct Solution {
    /// Its package name, `<exercise>-solution`.
    pub package: String,
    /// Its folder, e.g. `<root>/solutions/01-ports`.
    pub dir: PathBuf,
}

/// The `[package.metadata.netlab]` table as written in `Cargo.toml`.
#[derive(Debug, Deserialize)]
struct ExerciseMetadata {
    chapter: u32,
    title: String,
    page: String,
    #[serde(default)]
    steps: Vec<Step>,
}

impl Workbook {
    /// Finds the workbook that holds `start` (or one of its parents): the
    /// first folder upwards with both a `Cargo.toml` and a `book.toml`.
    /// `NETLAB_ROOT`, when set, wins.
    pub fn find(start: &Path) -> Result<PathBuf> {
        if let Some(root) = std::env::var_os("NETLAB_ROOT") {
            return Ok(PathBuf::from(root));
        }
        let mut here = Some(start);
        while let Some(dir) = here {
            if dir.join("Cargo.toml").is_file() && dir.join("book.toml").is_file() {
                return Ok(dir.to_path_buf());
            }
            here = dir.parent();
        }
        bail!(
            "no netlab workbook here: run this inside the workbook (the folder with \
             book.toml and Cargo.toml), or set NETLAB_ROOT"
        )
    }

    /// Loads the workbook found from the current directory.
    pub fn from_current_dir() -> Result<Workbook> {
        let cwd =
            std::env::current_dir().context("reading the current directory")?;
        Workbook::load(&Workbook::find(&cwd)?)
    }

    /// Reads every package's manifest under `root` (without resolving
    /// dependencies, so it is quick and works offline).
    pub fn load(root: &Path) -> Result<Workbook> {
        let metadata = cargo_metadata::MetadataCommand::new()
            .current_dir(root)
            .manifest_path(root.join("Cargo.toml"))
            .no_deps()
            .exec()
            .with_context(|| {
                format!("reading the workspace at {}", root.display())
            })?;

        let mut exercises = Vec::new();
        for package in &metadata.packages {
            let Some(table) = package.metadata.get("netlab") else {
                continue;
            };
            let meta: ExerciseMetadata = serde_json::from_value(table.clone())
                .with_context(|| {
                    format!(
                        "[package.metadata.netlab] of `{}` is malformed",
                        package.name
                    )
                })?;
            let dir = package
                .manifest_path
                .parent()
                .map(|p| p.as_std_path().to_path_buf())
                .unwrap_or_default();
            let solution_name = format!("{}-solution", package.name);
            let solution = metadata
                .packages
                .iter()
                .find(|p| p.name.as_str() == solution_name)
                .map(|p| Solution {
                    package: p.name.to_string(),
                    dir: p
                        .manifest_path
                        .parent()
                        .map(|d| d.as_std_path().to_path_buf())
                        .unwrap_or_default(),
                });
            exercises.push(Exercise {
                package: package.name.to_string(),
                dir,
                chapter: meta.chapter,
                title: meta.title,
                page: meta.page,
                steps: meta.steps,
                solution,
            });
        }
        exercises.sort_by_key(|e| e.chapter);
        Ok(Workbook {
            root: root.to_path_buf(),
            exercises,
        })
    }

    /// The exercise a student named, by package name (`ports`) or folder
    /// name (`01-ports`), with a helpful error listing the real names.
    pub fn exercise(&self, name: &str) -> Result<&Exercise> {
        self.exercises
            .iter()
            .find(|e| {
                e.package == name || e.dir.file_name().is_some_and(|d| d == name)
            })
            .with_context(|| {
                let known: Vec<&str> =
                    self.exercises.iter().map(|e| e.package.as_str()).collect();
                format!(
                    "there is no exercise called `{name}`; the exercises are: {}",
                    known.join(", ")
                )
            })
    }
}

impl Exercise {
    /// The number of graded steps.
    pub fn step_count(&self) -> usize {
        self.steps.len()
    }

    /// The step graded by the test target `test`.
    pub fn step(&self, test: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.test == test)
    }

    /// The folder a student edits: the crate's `src/`.
    pub fn src_dir(&self) -> PathBuf {
        self.dir.join("src")
    }

    /// The stub as shipped: a pristine copy of `src/` that the workbook keeps
    /// in the crate's [`PRISTINE_DIR`] (`exercises/01-ports/.stub/src`), which
    /// `cargo lab reset` copies back. The workbook's own tests hold it
    /// identical to the shipped `src/`, so it is the stub whatever a student
    /// commits, pushes or downloads.
    pub fn pristine_src_dir(&self) -> PathBuf {
        self.dir.join(PRISTINE_DIR).join("src")
    }

    /// The test file of a step.
    pub fn test_file(&self, step: &Step) -> PathBuf {
        self.dir.join("tests").join(format!("{}.rs", step.test))
    }
}
