//! The verbs of `cargo lab`, one module each; `main.rs` only parses the
//! command line and calls them.
//!
//! Every verb returns a [`Verdict`] (exit code 0 or 1) or an error, which
//! `main` prints as a sentence and turns into exit code 2: a usage or setup
//! problem, such as an exercise that does not exist.

pub mod backup;
pub mod check;
pub mod classroom;
pub mod grade;
pub mod hint;
pub mod list;
pub mod probe;
pub mod quiz;
pub mod reset;
pub mod restore;
pub mod solution;
pub mod watch;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::output::Style;
use crate::progress::Progress;
use crate::workbook::Workbook;

/// How a verb ended, as far as the shell is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// All passed, or there was nothing to pass: exit code 0.
    Passed,
    /// Something failed or was refused: exit code 1.
    Failed,
}

impl Verdict {
    /// `Passed` when `ok`.
    pub fn from_bool(ok: bool) -> Verdict {
        if ok { Verdict::Passed } else { Verdict::Failed }
    }

    /// 0 or 1.
    pub fn exit_code(self) -> ExitCode {
        match self {
            Verdict::Passed => ExitCode::SUCCESS,
            Verdict::Failed => ExitCode::FAILURE,
        }
    }
}

/// Output for people, or one JSON document for programs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Lines for people (colours on a terminal).
    #[default]
    Text,
    /// One JSON document on stdout.
    Json,
}

/// What every verb works with: the workbook, the student's progress in it,
/// and how to print.
#[derive(Debug)]
pub struct Lab {
    /// The workbook found from the current directory.
    pub workbook: Workbook,
    /// The student's recorded progress.
    pub progress: Progress,
    /// Colours or not.
    pub style: Style,
}

impl Lab {
    /// Finds the workbook from the current directory and reads the progress.
    pub fn open() -> Result<Lab> {
        let workbook = Workbook::from_current_dir()?;
        let progress = Progress::load(&workbook.root)?;
        Ok(Lab {
            workbook,
            progress,
            style: Style::for_stdout(),
        })
    }

    /// `path` relative to the workbook's root, for messages.
    pub fn show_path(&self, path: &Path) -> String {
        path.strip_prefix(&self.workbook.root)
            .unwrap_or(path)
            .display()
            .to_string()
    }
}
