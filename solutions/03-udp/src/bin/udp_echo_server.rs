//! `udp-echo-server [ADDR] [--seconds N]`: the model echo server, for a lab.
//!
//! Echoes every datagram back to its sender on `ADDR` (default
//! `127.0.0.1:0`, a port from the OS). Its first line on stdout is
//! `listening on ADDR` with the address it really got, so a script or a
//! teacher can point `cargo lab probe udp-echo` at it. Then it logs one line
//! per client, as `tftpd` does per transfer:
//!
//! ```text
//! $ cargo run -p udp-solution --bin udp-echo-server -- 0.0.0.0:4000
//! listening on 0.0.0.0:4000
//! 192.0.2.17:50312: 3 datagrams, 15 bytes echoed
//! ^C
//! stopped: 3 datagrams, 15 bytes echoed for 1 client
//! ```
//!
//! UDP has no connection and no goodbye, so a client's line is printed once
//! it has been quiet for [`QUIET`]. It serves until Ctrl-C, or for `N`
//! seconds. The echo itself is the loop of step 2's `EchoServer`, written
//! out here so that each datagram can be counted against its sender.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::net::{SocketAddr, UdpSocket};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use udp::step1_datagrams::{RECEIVE_BUFFER_LEN, is_timeout};

const USAGE: &str =
    "usage: udp-echo-server [ADDR] [--seconds N]   (ADDR defaults to 127.0.0.1:0)";

/// How long a client stays silent before we take it to be done and log it.
pub const QUIET: Duration = Duration::from_secs(1);

/// How often the loop wakes without a datagram, to log quiet clients and
/// to notice Ctrl-C.
const WAKE_UP: Duration = Duration::from_millis(100);

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)) {
        Ok((addr, seconds)) => match serve(&addr, seconds) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("udp-echo-server: {error}");
                ExitCode::FAILURE
            }
        },
        Err(message) => {
            eprintln!("udp-echo-server: {message}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// The address to bind and, if given, how many seconds to serve.
fn parse_args(
    mut args: impl Iterator<Item = String>,
) -> Result<(String, Option<u64>), String> {
    let mut addr = None;
    let mut seconds = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Err("help requested".to_string()),
            "--seconds" => {
                let value = args.next().ok_or("--seconds needs a number")?;
                let parsed = value.parse().map_err(|_| {
                    format!("--seconds needs a number, not `{value}`")
                })?;
                seconds = Some(parsed);
            }
            _ if addr.is_none() => addr = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    Ok((addr.unwrap_or_else(|| "127.0.0.1:0".to_string()), seconds))
}

/// Binds, says where, echoes until told to stop, then logs what it did.
fn serve(addr: &str, seconds: Option<u64>) -> io::Result<()> {
    let socket = UdpSocket::bind(addr)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot bind {addr}: {e}")))?;
    socket.set_read_timeout(Some(WAKE_UP))?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(io::Error::other)?;

    let mut out = io::stdout();
    // The first line is the address: scripts read it.
    writeln!(out, "listening on {}", socket.local_addr()?)?;
    out.flush()?;

    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));
    let mut log = ClientLog::default();
    let mut buffer = vec![0; RECEIVE_BUFFER_LEN];
    while !stop.load(Ordering::SeqCst) && deadline.is_none_or(|d| Instant::now() < d)
    {
        match socket.recv_from(&mut buffer) {
            Ok((len, client)) => {
                // A failed send is a lost datagram, which UDP allows.
                if socket.send_to(&buffer[..len], client).is_ok() {
                    log.echoed(client, len, Instant::now());
                }
            }
            Err(error) if is_timeout(&error) => {}
            // News of a client gone (ICMP port unreachable) or a signal.
            Err(error) if is_transient(&error) => {}
            Err(error) => return Err(error),
        }
        log.write_quiet_clients(Instant::now(), &mut out)?;
    }
    log.write_all_clients(&mut out)?;
    writeln!(out, "stopped: {}", log.totals())?;
    out.flush()
}

/// Errors a UDP server lives through: a signal, or news of a client gone.
fn is_transient(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::Interrupted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
    )
}

/// What one client has sent since it was last logged.
#[derive(Debug, Clone, Copy)]
struct Client {
    datagrams: u64,
    bytes: u64,
    last_heard: Instant,
}

/// The clients being served, each logged in one line once it goes quiet.
#[derive(Debug, Default)]
struct ClientLog {
    active: BTreeMap<SocketAddr, Client>,
    datagrams: u64,
    bytes: u64,
    clients: u64,
}

impl ClientLog {
    /// Counts one datagram of `len` bytes echoed to `client`.
    fn echoed(&mut self, client: SocketAddr, len: usize, now: Instant) {
        let entry = self.active.entry(client).or_insert(Client {
            datagrams: 0,
            bytes: 0,
            last_heard: now,
        });
        entry.datagrams += 1;
        entry.bytes += len as u64;
        entry.last_heard = now;
    }

    /// Logs, and forgets, the clients silent for [`QUIET`] or more.
    fn write_quiet_clients(
        &mut self,
        now: Instant,
        out: &mut impl Write,
    ) -> io::Result<()> {
        let quiet: Vec<SocketAddr> = self
            .active
            .iter()
            .filter(|(_, c)| now.duration_since(c.last_heard) >= QUIET)
            .map(|(addr, _)| *addr)
            .collect();
        for addr in quiet {
            self.finish(addr, out)?;
        }
        Ok(())
    }

    /// Logs every client still active (the server is stopping).
    fn write_all_clients(&mut self, out: &mut impl Write) -> io::Result<()> {
        let all: Vec<SocketAddr> = self.active.keys().copied().collect();
        for addr in all {
            self.finish(addr, out)?;
        }
        Ok(())
    }

    /// One client's line: `192.0.2.17:50312: 3 datagrams, 15 bytes echoed`.
    fn finish(&mut self, addr: SocketAddr, out: &mut impl Write) -> io::Result<()> {
        let Some(client) = self.active.remove(&addr) else {
            return Ok(());
        };
        self.datagrams += client.datagrams;
        self.bytes += client.bytes;
        self.clients += 1;
        writeln!(
            out,
            "{addr}: {}, {} echoed",
            plural(client.datagrams, "datagram"),
            plural(client.bytes, "byte")
        )?;
        out.flush()
    }

    /// `3 datagrams, 15 bytes echoed for 1 client`.
    fn totals(&self) -> String {
        format!(
            "{}, {} echoed for {}",
            plural(self.datagrams, "datagram"),
            plural(self.bytes, "byte"),
            plural(self.clients, "client")
        )
    }
}

/// `1 byte`, `15 bytes`.
fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
