//! Running a child process under a time limit, keeping what it prints.
//!
//! A student's test may loop forever or print without end; neither may
//! stall or swamp the runner. So the child's stdout and stderr are drained by
//! two threads into buffers capped at [`OUTPUT_CAP`] bytes each, and a child
//! still running when its time is up is killed. Past the cap, whole lines
//! that begin with `test ` (libtest's verdicts and its closing summary) are
//! still kept, up to as much again: a flood printed by the code under test
//! must not hide the harness's word on the tests after it.

use std::io::{self, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use wait_timeout::ChildExt;

/// At most this much of each stream is kept; the rest is read and dropped.
pub const OUTPUT_CAP: usize = 1 << 20;

/// How a limited run ended.
#[derive(Debug)]
pub struct Finished {
    /// The exit status, or `None` when the child was killed for taking too long.
    pub status: Option<ExitStatus>,
    /// What it printed on stdout (lossily decoded, capped).
    pub stdout: String,
    /// What it printed on stderr (lossily decoded, capped).
    pub stderr: String,
}

impl Finished {
    /// Whether the child was killed at its time limit.
    pub fn timed_out(&self) -> bool {
        self.status.is_none()
    }
}

/// Runs `command` with stdin closed, for at most `limit`.
pub fn run_with_limit(
    command: &mut Command,
    limit: Duration,
) -> io::Result<Finished> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());

    let status = match child.wait_timeout(limit)? {
        Some(status) => Some(status),
        None => {
            // Out of time: the result of `kill` does not matter (the child
            // may have ended a moment ago), only that it is gone.
            let _ = child.kill();
            child.wait()?;
            None
        }
    };
    Ok(Finished {
        status,
        stdout: stdout.collect(),
        stderr: stderr.collect(),
    })
}

/// A stream being read on its own thread into a shared, capped buffer.
struct Drain {
    buffer: Arc<Mutex<Vec<u8>>>,
    reader: Option<thread::JoinHandle<()>>,
}

fn drain(stream: Option<impl Read + Send + 'static>) -> Drain {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let reader = stream.map(|mut stream| {
        let buffer = Arc::clone(&buffer);
        thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            let mut past_cap = PastCap::default();
            while let Ok(n @ 1..) = stream.read(&mut chunk) {
                let mut kept = buffer.lock().unwrap_or_else(|e| e.into_inner());
                let room = OUTPUT_CAP.saturating_sub(kept.len());
                let (head, rest) = chunk[..n].split_at(n.min(room));
                kept.extend_from_slice(head);
                if !rest.is_empty() {
                    if !past_cap.entered {
                        // The cap may fall inside a line: its end is no
                        // line of its own.
                        past_cap.entered = true;
                        past_cap.skipping = kept.last().is_some_and(|&b| b != b'\n');
                    }
                    past_cap.feed(rest, &mut kept);
                }
            }
        })
    });
    Drain { buffer, reader }
}

/// What is kept of a stream once its cap is reached: only lines that start
/// with `test `, each at most [`PastCap::LONGEST_LINE`] bytes, up to
/// [`OUTPUT_CAP`] bytes more in all.
#[derive(Default)]
struct PastCap {
    /// The line being read, while it may still be worth keeping.
    line: Vec<u8>,
    /// The line being read is too long, or does not start with `test `.
    skipping: bool,
    /// Bytes kept past the cap so far.
    kept: usize,
    /// Whether the cap has been reached.
    entered: bool,
    /// Whether the kept text was given a line break before the first line.
    started: bool,
}

impl PastCap {
    const LONGEST_LINE: usize = 4096;

    fn feed(&mut self, bytes: &[u8], kept: &mut Vec<u8>) {
        for &byte in bytes {
            if byte == b'\n' {
                let line = std::mem::take(&mut self.line);
                if !self.skipping && line.starts_with(b"test ") {
                    self.keep(&line, kept);
                }
                self.skipping = false;
                continue;
            }
            if self.skipping {
                continue;
            }
            self.line.push(byte);
            let prefix = &self.line[..self.line.len().min(5)];
            if self.line.len() > Self::LONGEST_LINE || !b"test ".starts_with(prefix)
            {
                self.line.clear();
                self.skipping = true;
            }
        }
    }

    fn keep(&mut self, line: &[u8], kept: &mut Vec<u8>) {
        if self.kept + line.len() + 2 > OUTPUT_CAP {
            return;
        }
        if !self.started {
            self.started = true;
            if kept.last().is_some_and(|&b| b != b'\n') {
                kept.push(b'\n');
                self.kept += 1;
            }
        }
        kept.extend_from_slice(line);
        kept.push(b'\n');
        self.kept += line.len() + 1;
    }
}

impl Drain {
    /// What was read. Waits a little for the reader to reach the end: a
    /// grandchild that inherited the pipe could keep it open for ever, and
    /// then what was read so far has to do.
    fn collect(mut self) -> String {
        if let Some(reader) = self.reader.take() {
            for _ in 0..40 {
                if reader.is_finished() {
                    break;
                }
                thread::sleep(Duration::from_millis(50));
            }
        }
        let kept = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&kept).into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_cap_only_whole_test_lines_are_kept() {
        let mut past = PastCap::default();
        let mut kept = b"head".to_vec();
        let flood = "x".repeat(10_000);
        let text = format!(
            "{flood}\ntest a ... ok\nnoise test b ... ok\ntest {flood}\n\
             test result: ok. 1 passed; 0 failed; 0 ignored\n"
        );
        // Fed in uneven pieces, as a pipe delivers them.
        for piece in text.as_bytes().chunks(7) {
            past.feed(piece, &mut kept);
        }
        assert_eq!(
            String::from_utf8(kept).unwrap(),
            "head\ntest a ... ok\ntest result: ok. 1 passed; 0 failed; 0 ignored\n"
        );
    }

    #[test]
    fn a_flood_on_stdout_does_not_hide_the_summary() {
        let script = "head -c 3000000 /dev/zero | tr '\\0' x; echo; \
                      echo 'test a ... ok'; echo 'test result: ok. 1 passed; 0 failed; 0 ignored'";
        let finished = run_with_limit(
            Command::new("sh").args(["-c", script]),
            Duration::from_secs(30),
        )
        .expect("sh runs");
        assert!(finished.stdout.len() < 2 * OUTPUT_CAP);
        assert!(finished.stdout.ends_with(
            "test a ... ok\ntest result: ok. 1 passed; 0 failed; 0 ignored\n"
        ));
    }
}
