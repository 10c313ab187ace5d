//! `cargo lab watch [EXERCISE]`: checks the exercise again whenever one of
//! its source files changes, and takes one-letter commands: `r` re-run,
//! `h` hint, `n` next exercise, `l` list, `q` quit.
//!
//! On a terminal a single key press is enough: while it waits, the terminal
//! is in raw mode (crossterm) and each key arrives as it is pressed; it goes
//! back to normal before anything is printed, and whenever watch ends. When
//! stdin is not a terminal (a pipe, a script, an editor's task runner) it
//! reads lines instead, one command each, and the end of input quits. When
//! the files cannot be watched, `r` is the way to re-run.

use std::collections::VecDeque;
use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::Duration;

use anyhow::Result;
use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::check::{CheckOptions, check_exercise};
use super::{Format, Lab, Verdict, hint, list};

/// Saving a file fires a burst of events; wait this long for quiet.
const DEBOUNCE: Duration = Duration::from_millis(300);

/// Something the watch loop reacts to.
#[derive(Debug)]
enum Event {
    /// A Rust source file under the watched `src/` changed.
    Changed,
    /// A command key: pressed on a terminal, or the first letter of a line.
    Key(char),
    /// stdin was closed.
    EndOfInput,
}

/// Watches the exercise named (or the first unfinished one) until `q` or
/// the end of stdin. Exit code 0 when it quits that way.
pub fn run(
    lab: &mut Lab,
    name: Option<&str>,
    time_limit: Duration,
) -> Result<Verdict> {
    if lab.workbook.exercises.is_empty() {
        anyhow::bail!("this workbook has no exercises to watch");
    }
    let mut current = match name {
        Some(name) => {
            let package = &lab.workbook.exercise(name)?.package;
            position_of(lab, package)
        }
        None => lab
            .progress
            .next(&lab.workbook)
            .map_or(0, |next| position_of(lab, &next.exercise.package)),
    };
    let options = CheckOptions {
        time_limit,
        format: Format::Text,
        backtrace: false,
        watching: true,
    };

    let (events, receiver) = mpsc::channel();
    let mut inbox = Inbox {
        receiver,
        held: VecDeque::new(),
    };
    let keys = if std::io::stdin().is_terminal() {
        read_key_presses(events.clone())
    } else {
        read_stdin_lines(events.clone())
    };
    let mut watch = SourceWatch::new(events);

    loop {
        let exercise = lab.workbook.exercises[current].clone();
        watch.follow(&exercise.src_dir());
        rerun(lab, &exercise.package, options);
        print_keys(lab, &watch, &exercise.src_dir(), keys);

        // Wait for the next reason to do something.
        let next_exercise = loop {
            match keys.wait_for(|| inbox.next()) {
                Event::EndOfInput | Event::Key('q') => return Ok(Verdict::Passed),
                Event::Changed | Event::Key('r') => {
                    rerun(lab, &exercise.package, options);
                    print_keys(lab, &watch, &exercise.src_dir(), keys);
                }
                Event::Key('h') => {
                    show_hint(lab, &exercise.package);
                    print_keys(lab, &watch, &exercise.src_dir(), keys);
                }
                Event::Key('l') => {
                    list::run(lab, Format::Text)?;
                }
                Event::Key('n') if current + 1 < lab.workbook.exercises.len() => {
                    break current + 1;
                }
                Event::Key('n') => {
                    println!("{} is the last exercise", exercise.package)
                }
                Event::Key(_) => print_keys(lab, &watch, &exercise.src_dir(), keys),
            }
        };
        current = next_exercise;
    }
}

/// How commands come in: single key presses, or lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keys {
    /// A terminal in raw mode while watch waits: one key, no Enter.
    Pressed,
    /// Lines on stdin: a letter, then Enter.
    Lines,
}

impl Keys {
    /// Runs `wait` (which prints nothing) with the terminal in raw mode
    /// when keys are read one at a time, and puts it back to normal before
    /// returning, so what is printed next looks as it should.
    fn wait_for(self, wait: impl FnOnce() -> Event) -> Event {
        if self == Keys::Lines {
            return wait();
        }
        let raw = RawMode::enable();
        let event = wait();
        drop(raw);
        event
    }
}

/// The terminal in raw mode for as long as this value lives (a panic or
/// an early return included).
struct RawMode {
    enabled: bool,
}

impl RawMode {
    fn enable() -> RawMode {
        RawMode {
            enabled: crossterm::terminal::enable_raw_mode().is_ok(),
        }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if self.enabled {
            let _ = crossterm::terminal::disable_raw_mode();
        }
    }
}

/// The index of `package` among the exercises.
fn position_of(lab: &Lab, package: &str) -> usize {
    lab.workbook
        .exercises
        .iter()
        .position(|e| e.package == package)
        .unwrap_or(0)
}

/// One check; trouble running it is reported and watching goes on.
fn rerun(lab: &mut Lab, package: &str, options: CheckOptions) {
    println!();
    if let Err(error) = check_exercise(lab, package, options) {
        println!("{} {error:#}", lab.style.red("error:"));
    }
}

/// The next hint of the first step that has not passed.
fn show_hint(lab: &mut Lab, package: &str) {
    let Ok(exercise) = lab.workbook.exercise(package).cloned() else {
        return;
    };
    let result = match lab.progress.first_unfinished(&exercise) {
        Some(next) => hint::show_next_hint(lab, &exercise, next.number),
        None => {
            println!("every step of {package} passes: n for the next exercise");
            Ok(())
        }
    };
    if let Err(error) = result {
        println!("{} {error:#}", lab.style.red("error:"));
    }
}

fn print_keys(lab: &Lab, watch: &SourceWatch, src: &Path, keys: Keys) {
    println!();
    let (press, keys_line) = match keys {
        Keys::Pressed => (
            "press r",
            "keys: r re-run · h hint · n next exercise · l list · q quit",
        ),
        Keys::Lines => (
            "type r and Enter",
            "keys (then Enter): r re-run · h hint · n next exercise · l list · q quit",
        ),
    };
    match &watch.problem {
        None => println!(
            "watching {} for changes: save a file to check again",
            lab.style.bold(&lab.show_path(src))
        ),
        Some(problem) => println!(
            "cannot watch {} for changes ({problem}): save, then {press}",
            lab.show_path(src)
        ),
    }
    println!("{}", lab.style.dim(keys_line));
}

/// Where events arrive, with a place for those that came during a burst
/// of file changes and wait their turn.
struct Inbox {
    receiver: Receiver<Event>,
    held: VecDeque<Event>,
}

impl Inbox {
    /// Waits for the next event; a burst of file changes counts as one, and
    /// a line typed during the burst is handled after the re-run.
    fn next(&mut self) -> Event {
        let event = match self.held.pop_front() {
            Some(event) => event,
            None => match self.receiver.recv() {
                Ok(event) => event,
                Err(_) => return Event::EndOfInput,
            },
        };
        if !matches!(event, Event::Changed) {
            return event;
        }
        loop {
            match self.receiver.recv_timeout(DEBOUNCE) {
                Ok(Event::Changed) => {}
                Ok(other) => self.held.push_back(other),
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    return Event::Changed;
                }
            }
        }
    }
}

/// Reads stdin on its own thread, a line at a time, until it ends; each
/// line's first letter is a command (blank lines are none).
fn read_stdin_lines(events: Sender<Event>) -> Keys {
    thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            let Some(key) = line.trim().chars().next() else {
                continue;
            };
            if events.send(Event::Key(key.to_ascii_lowercase())).is_err() {
                return;
            }
        }
        let _ = events.send(Event::EndOfInput);
    });
    Keys::Lines
}

/// Reads key presses from the terminal on its own thread. In raw mode
/// Ctrl-C and Ctrl-D are keys like any other: both quit, as they would
/// anywhere else.
fn read_key_presses(events: Sender<Event>) -> Keys {
    use crossterm::event::{self, KeyCode, KeyEventKind, KeyModifiers};
    thread::spawn(move || {
        loop {
            let Ok(event) = event::read() else {
                let _ = events.send(Event::EndOfInput);
                return;
            };
            let event::Event::Key(key) = event else {
                continue;
            };
            if key.kind != KeyEventKind::Press {
                continue;
            }
            let command = match key.code {
                KeyCode::Char('c' | 'd')
                    if key.modifiers.contains(KeyModifiers::CONTROL) =>
                {
                    'q'
                }
                KeyCode::Char(c) => c.to_ascii_lowercase(),
                KeyCode::Esc => 'q',
                // Enter, arrows …: show the keys again.
                _ => '?',
            };
            if events.send(Event::Key(command)).is_err() {
                return;
            }
        }
    });
    Keys::Pressed
}

/// The file watcher, following one exercise's `src/` at a time.
struct SourceWatch {
    watcher: Option<RecommendedWatcher>,
    watching: Option<PathBuf>,
    /// Why files are not being watched, when they are not.
    problem: Option<String>,
}

impl SourceWatch {
    fn new(events: Sender<Event>) -> SourceWatch {
        let handler = move |result: notify::Result<notify::Event>| {
            if let Ok(event) = result
                && is_a_change(&event)
            {
                let _ = events.send(Event::Changed);
            }
        };
        match notify::recommended_watcher(handler) {
            Ok(watcher) => SourceWatch {
                watcher: Some(watcher),
                watching: None,
                problem: None,
            },
            Err(error) => SourceWatch {
                watcher: None,
                watching: None,
                problem: Some(error.to_string()),
            },
        }
    }

    /// Watches `src` (and stops watching the previous folder).
    fn follow(&mut self, src: &Path) {
        let Some(watcher) = self.watcher.as_mut() else {
            return;
        };
        if self.watching.as_deref() == Some(src) {
            return;
        }
        if let Some(old) = self.watching.take() {
            let _ = watcher.unwatch(&old);
        }
        match watcher.watch(src, RecursiveMode::Recursive) {
            Ok(()) => {
                self.watching = Some(src.to_path_buf());
                self.problem = None;
            }
            Err(error) => self.problem = Some(error.to_string()),
        }
    }
}

/// A write, creation, removal or rename of a `.rs` file; not mere reading.
fn is_a_change(event: &notify::Event) -> bool {
    let kind_counts = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    kind_counts
        && event
            .paths
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "rs"))
}
