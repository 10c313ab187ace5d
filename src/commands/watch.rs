//! `cargo lab watch [EXERCISE]`: checks the exercise again whenever one of
//! its source files changes, and takes one-letter commands on stdin:
//! `r` re-run, `h` hint, `n` next exercise, `l` list, `q` quit (each
//! followed by Enter). When the files cannot be watched, `r` is the way to
//! re-run; the end of stdin quits.

use std::collections::VecDeque;
use std::io::BufRead;
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
    /// A line typed on stdin.
    Line(String),
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
    };

    let (events, receiver) = mpsc::channel();
    let mut inbox = Inbox {
        receiver,
        held: VecDeque::new(),
    };
    read_stdin_lines(events.clone());
    let mut watch = SourceWatch::new(events);

    loop {
        let exercise = lab.workbook.exercises[current].clone();
        watch.follow(&exercise.src_dir());
        rerun(lab, &exercise.package, options);
        print_keys(lab, &watch, &exercise.src_dir());

        // Wait for the next reason to do something.
        let next_exercise = loop {
            match inbox.next() {
                Event::EndOfInput => return Ok(Verdict::Passed),
                Event::Changed => {
                    rerun(lab, &exercise.package, options);
                    print_keys(lab, &watch, &exercise.src_dir());
                }
                Event::Line(line) => match line.trim().chars().next() {
                    Some('q') => return Ok(Verdict::Passed),
                    Some('r') => {
                        rerun(lab, &exercise.package, options);
                        print_keys(lab, &watch, &exercise.src_dir());
                    }
                    Some('h') => show_hint(lab, &exercise.package),
                    Some('l') => {
                        list::run(lab, Format::Text)?;
                    }
                    Some('n') if current + 1 < lab.workbook.exercises.len() => {
                        break current + 1;
                    }
                    Some('n') => {
                        println!("{} is the last exercise", exercise.package)
                    }
                    None => {}
                    Some(_) => print_keys(lab, &watch, &exercise.src_dir()),
                },
            }
        };
        current = next_exercise;
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

fn print_keys(lab: &Lab, watch: &SourceWatch, src: &Path) {
    println!();
    match &watch.problem {
        None => println!(
            "watching {} for changes",
            lab.style.bold(&lab.show_path(src))
        ),
        Some(problem) => println!(
            "cannot watch {} for changes ({problem}): save, then type r and Enter",
            lab.show_path(src)
        ),
    }
    println!(
        "{}",
        lab.style.dim(
            "keys (then Enter): r re-run · h hint · n next exercise · l list · q quit"
        )
    );
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

/// Reads stdin on its own thread, a line at a time, until it ends.
fn read_stdin_lines(events: Sender<Event>) {
    thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if events.send(Event::Line(line)).is_err() {
                return;
            }
        }
        let _ = events.send(Event::EndOfInput);
    });
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
