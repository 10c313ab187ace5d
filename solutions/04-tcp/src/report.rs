//! What the reference servers log: one line per connection, when it ends.
//!
//! Not a step of the exercise. The lab binaries (`tcp-echo-server`,
//! `chat-server`, `http-server`) print a [`ConnectionReport`] for every
//! connection, so a teacher watching a student's client sees what reached
//! the server and how the connection ended:
//!
//! ```text
//! listening on 127.0.0.1:7000
//! 127.0.0.1:50312: 12 bytes in, 12 bytes out, closed by the client
//! ```
//!
//! [`run_until_signal`] is the rest of what the three binaries share: the
//! first line, and a clean end on Ctrl-C or SIGTERM.

use std::fmt;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::process::ExitCode;
use std::sync::{Arc, mpsc};
use std::thread;

use crate::step2_echo::Counts;

/// How one connection went, logged when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionReport {
    /// The client's address, as the server sees it.
    pub peer: SocketAddr,
    /// Bytes in each direction.
    pub counts: Counts,
    /// How it ended, in a few words: `closed by the client`, `error: …`,
    /// `GET /index.html 200`.
    pub ended: String,
}

impl fmt::Display for ConnectionReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} bytes in, {} bytes out, {}",
            self.peer, self.counts.bytes_in, self.counts.bytes_out, self.ended
        )
    }
}

/// Where a server sends its reports: the binaries print them, the
/// exercise's functions drop them.
pub type Log = Arc<dyn Fn(&ConnectionReport) + Send + Sync>;

/// A log that keeps nothing.
pub fn no_log() -> Log {
    Arc::new(|_| {})
}

/// A log that prints each report as one line on stdout, at once (Rust's
/// stdout is line-buffered even into a pipe).
pub fn stdout_log() -> Log {
    Arc::new(|report| println!("{report}"))
}

/// What a reference server does once its listener is bound: prints
/// `listening on ADDR` (the real address, port 0 resolved) as its first
/// line and flushes it, runs `serve` on a thread, and returns when Ctrl-C
/// or SIGTERM comes (exit code 0, after a last line `shutting down`) or
/// when `serve` fails (exit code 1, the error on stderr).
pub fn run_until_signal(
    program: &str,
    listener: TcpListener,
    serve: impl FnOnce(TcpListener) -> io::Result<()> + Send + 'static,
) -> ExitCode {
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(error) => {
            eprintln!("{program}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let (ended, end) = mpsc::channel::<Option<io::Error>>();
    let on_signal = ended.clone();
    if let Err(error) = ctrlc::set_handler(move || {
        let _ = on_signal.send(None);
    }) {
        eprintln!("{program}: cannot catch Ctrl-C: {error}");
        return ExitCode::FAILURE;
    }
    // The first line is for scripts and probes: the address, nothing else.
    println!("listening on {addr}");
    let _ = io::stdout().flush();
    thread::spawn(move || {
        let outcome = serve(listener);
        let _ = ended.send(Some(
            outcome
                .err()
                .unwrap_or_else(|| io::Error::other("the server stopped")),
        ));
    });
    match end.recv() {
        Ok(Some(error)) => {
            eprintln!("{program}: {error}");
            ExitCode::FAILURE
        }
        Ok(None) | Err(_) => {
            println!("shutting down");
            ExitCode::SUCCESS
        }
    }
}

/// Binds `addr` for a reference server, or says why not (exit code 1).
pub fn bind_or_explain(program: &str, addr: &str) -> Result<TcpListener, ExitCode> {
    TcpListener::bind(addr).map_err(|error| {
        eprintln!("{program}: cannot listen on {addr}: {error}");
        ExitCode::FAILURE
    })
}

/// A reader or writer that counts the bytes that pass through it.
#[derive(Debug)]
pub struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R> Counting<R> {
    /// Wraps `inner`, starting at 0.
    pub fn new(inner: R) -> Counting<R> {
        Counting { inner, count: 0 }
    }

    /// Bytes read so far.
    pub fn count(&self) -> u64 {
        self.count
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let got = self.inner.read(buf)?;
        self.count += got as u64;
        Ok(got)
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let put = self.inner.write(buf)?;
        self.count += put as u64;
        Ok(put)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
