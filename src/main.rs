//! `cargo lab`: the workbook's command line. This file only parses the
//! command line; each verb lives in `netlab::commands`.
//!
//! Exit codes: 0 all passed, 1 something failed (or was refused), 2 a usage
//! or setup error (an unknown exercise, no workbook here, no git checkout).

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use netlab::commands::{self, Format, Lab, Verdict, check::CheckOptions};

/// The netlab workbook: your progress, checks, hints and solutions.
#[derive(Debug, Parser)]
#[command(name = "cargo lab", bin_name = "cargo lab", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Chapters, exercises and steps with your progress, and what is next
    List {
        /// `json` for programs
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Build an exercise and run its tests (default: the first unfinished)
    Check {
        /// The exercise: its package name (`ports`) or folder (`01-ports`)
        exercise: Option<String>,
        /// `json` for programs
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Seconds each step's tests may run before they are stopped
        #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
        time_limit: f64,
        /// Show the standard library's backtrace of a failing test (hidden
        /// by default, even when RUST_BACKTRACE is set)
        #[arg(long)]
        backtrace: bool,
    },
    /// Check again whenever a file of the exercise changes
    Watch {
        /// The exercise (default: the first unfinished)
        exercise: Option<String>,
        /// Seconds each step's tests may run before they are stopped
        #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
        time_limit: f64,
    },
    /// The next hint for a step, one more each time
    Hint {
        /// The exercise
        exercise: String,
        /// The step: its number (from 1) or its test name (default: the first unfinished)
        step: Option<String>,
    },
    /// The model answer, once the exercise passes (paged on a terminal)
    Solution {
        /// The exercise
        exercise: String,
        /// Only this step's model answer, once that step passes (its number
        /// from 1, or its test name)
        #[arg(long, value_name = "N")]
        step: Option<String>,
        /// Show it even though the exercise (or step) does not pass yet
        #[arg(long)]
        force: bool,
    },
    /// Put the exercise's stub back as shipped (your version is backed up first)
    Reset {
        /// The exercise
        exercise: String,
    },
    /// Bring back a version that `reset` saved (lists them without BACKUP)
    Restore {
        /// The exercise
        exercise: String,
        /// The backup: its name (a date and time), or `latest`
        backup: Option<String>,
    },
    /// The chapter's quiz, the book's questions in the terminal
    Quiz {
        /// The chapter: its exercise (`ports`), folder (`01-ports`) or number
        /// (default: the chapter you are working on)
        chapter: Option<String>,
        /// `json` lists the questions, answers and explanations for programs
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Check a running server from the outside
    Probe(commands::probe::ProbeArgs),
    /// Grade students' submissions with the workbook's own tests
    Grade {
        /// Folders (a workbook copy or its exercises/), .zip or .tar.gz
        /// files, or folders of them; the name is the student's
        #[arg(required = true, value_name = "SUBMISSION")]
        submissions: Vec<std::path::PathBuf>,
        /// Grade only this exercise
        #[arg(long)]
        exercise: Option<String>,
        /// table, json, csv, markdown or junit (default: table, or each
        /// --out file's extension)
        #[arg(long, value_enum)]
        format: Option<netlab::grade::format::GradeFormat>,
        /// Write the report to FILE instead of stdout (repeatable)
        #[arg(long, value_name = "FILE")]
        out: Vec<std::path::PathBuf>,
        /// How many submissions to grade at once (default: the CPU count)
        #[arg(long, short, value_name = "N")]
        jobs: Option<usize>,
        /// Seconds each step's tests may run before they are stopped
        #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
        time_limit: f64,
    },
    /// Write the GitHub Classroom autograding workflow
    Classroom {
        /// Only this exercise's steps
        #[arg(long)]
        exercise: Option<String>,
        /// Minutes each test may run on GitHub's runner
        #[arg(long, value_name = "MINUTES", default_value_t = 10)]
        timeout: u32,
        /// Where to write it (default: .github/workflows/classroom.yml; - for stdout)
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
}

fn main() -> ExitCode {
    quiet_when_stdout_closes();
    let cli = Cli::parse();
    match run(cli.command.unwrap_or(Command::List {
        format: Format::Text,
    })) {
        Ok(verdict) => verdict.exit_code(),
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(command: Command) -> anyhow::Result<Verdict> {
    if let Command::Probe(args) = &command {
        return commands::probe::run(args);
    }
    let mut lab = Lab::open()?;
    match command {
        Command::List { format } => commands::list::run(&lab, format),
        Command::Check {
            exercise,
            format,
            time_limit,
            backtrace,
        } => {
            let options = CheckOptions {
                time_limit: seconds(time_limit)?,
                format,
                backtrace,
                watching: false,
            };
            commands::check::run(&mut lab, exercise.as_deref(), options)
        }
        Command::Watch {
            exercise,
            time_limit,
        } => {
            commands::watch::run(&mut lab, exercise.as_deref(), seconds(time_limit)?)
        }
        Command::Hint { exercise, step } => {
            commands::hint::run(&mut lab, &exercise, step.as_deref())
        }
        Command::Solution {
            exercise,
            step,
            force,
        } => commands::solution::run(&lab, &exercise, step.as_deref(), force),
        Command::Reset { exercise } => commands::reset::run(&mut lab, &exercise),
        Command::Restore { exercise, backup } => {
            commands::restore::run(&mut lab, &exercise, backup.as_deref())
        }
        Command::Probe(_) => unreachable!("handled above"),
        Command::Grade {
            submissions,
            exercise,
            format,
            out,
            jobs,
            time_limit,
        } => commands::grade::run(
            &lab,
            commands::grade::GradeRequest {
                submissions,
                exercise,
                format,
                out,
                jobs,
                time_limit: seconds(time_limit)?,
            },
        ),
        Command::Classroom {
            exercise,
            timeout,
            out,
        } => commands::classroom::run(
            &lab,
            commands::classroom::ClassroomRequest {
                exercise,
                timeout_minutes: timeout,
                out,
            },
        ),
        Command::Quiz { chapter, format } => {
            commands::quiz::run(&mut lab, chapter.as_deref(), format)
        }
    }
}

/// A time limit given in seconds on the command line.
fn seconds(value: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            anyhow::anyhow!("a time limit must be a positive number of seconds")
        })
}

/// `cargo lab | head` closes our stdout early: that is the reader's choice,
/// not a crash worth a panic message, so stop quietly.
fn quiet_when_stdout_closes() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload_as_str().unwrap_or_default();
        if message.starts_with("failed printing to stdout") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
}
