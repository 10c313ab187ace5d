//! Running a child process under a time limit, keeping what it prints.
//!
//! A student's test may loop forever or print without end; neither may
//! stall or swamp the runner. So the child's stdout and stderr are drained by
//! two threads into buffers capped at [`OUTPUT_CAP`] bytes each, and a child
//! still running when its time is up is killed.

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
            while let Ok(n @ 1..) = stream.read(&mut chunk) {
                let mut kept = buffer.lock().unwrap_or_else(|e| e.into_inner());
                let room = OUTPUT_CAP.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..n.min(room)]);
            }
        })
    });
    Drain { buffer, reader }
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
