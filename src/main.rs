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
    /// The model answer, once the exercise passes
    Solution {
        /// The exercise
        exercise: String,
        /// Show it even though the exercise does not pass yet
        #[arg(long)]
        force: bool,
    },
    /// Put the exercise's stub back (your version is backed up first)
    Reset {
        /// The exercise
        exercise: String,
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
    Probe {
        /// What kind of server: udp-echo, tcp-echo, chat, tftp
        kind: String,
        /// Where it listens, e.g. 127.0.0.1:7000
        addr: String,
        /// How long to wait for any one reply, in milliseconds
        #[arg(long, value_name = "N", default_value_t = 2000)]
        timeout_ms: u64,
        /// `json` for programs
        #[arg(long, value_enum, default_value_t)]
        format: Format,
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
    if let Command::Probe {
        kind,
        addr,
        timeout_ms,
        format,
    } = &command
    {
        let timeout = Duration::from_millis(*timeout_ms);
        return commands::probe::run(kind, addr, timeout, *format);
    }
    let mut lab = Lab::open()?;
    match command {
        Command::List { format } => commands::list::run(&lab, format),
        Command::Check {
            exercise,
            format,
            time_limit,
        } => {
            let options = CheckOptions {
                time_limit: seconds(time_limit)?,
                format,
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
        Command::Solution { exercise, force } => {
            commands::solution::run(&lab, &exercise, force)
        }
        Command::Reset { exercise } => commands::reset::run(&mut lab, &exercise),
        Command::Quiz { chapter, format } => {
            commands::quiz::run(&mut lab, chapter.as_deref(), format)
        }
        Command::Probe { .. } => unreachable!("handled above"),
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
