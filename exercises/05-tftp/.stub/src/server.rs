//! Steps 5 to 8: the server (book: "A server", "Uploads", "Options").
//!
//! ```text
//!   client:5000  --RRQ-->  server:69          (the listener)
//!   client:5000  <-DATA 1- server:41234       (a new thread and socket)
//!   client:5000  --ACK 1-> server:41234
//! ```
//!
//! The listener never serves a transfer itself: it reads a request, hands
//! it to a thread with a socket of its own on a new port, and goes back to
//! listening, so many clients are served at once. The server transfers in
//! octet mode. The types, [`Server::bind`] and the handling of the thread
//! are given; [`Server::run`] and the two transfers are yours.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::options::Limits;
use crate::packet::Request;

/// How long the listener waits for a request before it looks at the stop
/// flag again.
pub const LISTEN_POLL: Duration = Duration::from_millis(100);

/// Everything a server needs to know.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The directory served; nothing outside it is ever read or written.
    pub root: PathBuf,
    /// Where to listen (port 0: any free port).
    pub bind: SocketAddr,
    /// Allow a WRQ to overwrite an existing file (step 6).
    pub allow_write: bool,
    /// Allow a WRQ to create a new file (step 6).
    pub allow_create: bool,
    /// The most this server grants in option negotiation (steps 7 and 8).
    pub limits: Limits,
    /// The longest wait for an answer before sending again.
    pub timeout: Duration,
    /// Timeouts in a row before a transfer gives up.
    pub retries: u32,
}

impl ServerConfig {
    /// Serves `root`, read-only, on `0.0.0.0:69`, with the default limits,
    /// a one-second timeout and five retries.
    pub fn new(root: impl Into<PathBuf>) -> ServerConfig {
        ServerConfig {
            root: root.into(),
            bind: SocketAddr::from(([0, 0, 0, 0], 69)),
            allow_write: false,
            allow_create: false,
            limits: Limits::default(),
            timeout: Duration::from_secs(1),
            retries: 5,
        }
    }
}

/// A bound server, ready to [`Server::run`].
#[derive(Debug)]
pub struct Server {
    /// The listening socket ("port 69"), with a read timeout of
    /// [`LISTEN_POLL`].
    socket: UdpSocket,
    config: ServerConfig,
    /// The root, canonical: every resolved path must start with it.
    root: PathBuf,
    /// Set to stop the server.
    stop: Arc<AtomicBool>,
}

/// A server running on a thread of its own (see [`Server::spawn`]).
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<io::Result<()>>,
}

impl RunningServer {
    /// Where the server listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server and waits until [`Server::run`] has returned.
    pub fn stop(self) -> io::Result<()> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the server thread panicked")))
    }
}

impl Server {
    /// Checks the root (it must be a directory; it is made canonical) and
    /// binds the listening socket. Binding port 0 picks a free port: see
    /// [`Server::local_addr`].
    pub fn bind(config: ServerConfig) -> io::Result<Server> {
        let root = std::fs::canonicalize(&config.root)?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("root {} is not a directory", root.display()),
            ));
        }
        let socket = UdpSocket::bind(config.bind)?;
        socket.set_read_timeout(Some(LISTEN_POLL))?;
        Ok(Server {
            socket,
            config,
            root,
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Runs [`Server::run`] on a new thread.
    pub fn spawn(self) -> io::Result<RunningServer> {
        let addr = self.local_addr()?;
        let stop = Arc::clone(&self.stop);
        let thread = thread::Builder::new()
            .name("tftp server".into())
            .spawn(move || self.run())?;
        Ok(RunningServer { addr, stop, thread })
    }

    /// Serves requests until the stop flag is set (step 5).
    ///
    /// - Receive on the listening socket; a receive that times out is the
    ///   moment to look at `self.stop` (return `Ok(())` once it is set).
    /// - An RRQ or a WRQ starts a transfer on a **new thread** with a **new
    ///   socket** bound to port 0 on the listener's IP address (its port is
    ///   the transfer ID); the listener goes straight back to listening, so
    ///   several clients are served at once. Call [`serve_read`] or
    ///   [`serve_write`] there.
    /// - An ERROR is ignored (never answer an ERROR with an ERROR); any
    ///   other packet, or a datagram that does not decode, gets ERROR 4
    ///   from the listening socket, and the server goes on.
    pub fn run(self) -> io::Result<()> {
        todo!("step 5: listen, and give each request a thread and a socket")
    }
}

/// Serves one read request to `peer` from `socket`, the transfer's own
/// socket (steps 5, 7, 8).
///
/// - Find the file with [`crate::path::resolve_read`]; a refusal is an
///   ERROR with the code of [`crate::path::PathError::error_code`] (1 for a
///   missing file, 2 for a name outside the root) and the error's text.
/// - Send DATA 1, 2, … in lock-step: each block waits for its ACK; a short
///   block (empty if need be) ends the file; block numbers wrap after
///   65535.
/// - No answer within `config.timeout`: send the unacknowledged DATA again;
///   after `config.retries` resends in a row, give up (send ERROR 0).
/// - A duplicate ACK changes nothing (no Sorcerer's Apprentice); a
///   datagram from another address than `peer` gets ERROR 5 and is
///   otherwise ignored; an ERROR from the client ends the transfer.
/// - Step 7: options granted with [`crate::options::Options::from_request`]
///   and [`crate::options::Options::negotiate`] (within `config.limits`).
///   If any is granted, send an OACK first and wait for ACK 0 (resending
///   the OACK on a timeout); otherwise start with DATA 1.
/// - Step 8: with a window of `w`, send up to `w` blocks before waiting.
///   An ACK of block `n` acknowledges every block up to `n`: send on from
///   `n + 1` at once (a gap report needs no timeout). On a timeout, send
///   again from the first unacknowledged block.
pub fn serve_read(
    socket: UdpSocket,
    peer: SocketAddr,
    request: Request,
    root: &Path,
    config: &ServerConfig,
) {
    todo!("step 5: send the file, block by block")
}

/// Receives one write request from `peer` on `socket` (steps 6 and 7).
///
/// - Refuse with ERROR 2 unless `config.allow_write` or
///   `config.allow_create`. Find the target with
///   [`crate::path::resolve_write`] (a refusal as in [`serve_read`]). An
///   existing file without `allow_write` gets ERROR 6 (file already
///   exists); a new one without `allow_create` gets ERROR 2.
/// - Answer ACK 0 (step 7: or the OACK of the granted options), then
///   receive DATA 1, 2, … each answered with its ACK, until a short block;
///   a repeat of the block just acknowledged gets its ACK again and is
///   written once. Timeouts, retries and strangers as in [`serve_read`].
/// - Write into a **temporary file in the target's directory**, and rename
///   it to the target only once the last block is in, before sending that
///   block's ACK: a broken upload (timeout, ERROR from the client) leaves
///   nothing behind, neither the target nor the temporary file.
/// - Your last ACK may be lost, and the client then sends its last DATA
///   again: after the last ACK, stay for one more `config.timeout` and
///   answer such a repeat with the ACK again (the "dally").
pub fn serve_write(
    socket: UdpSocket,
    peer: SocketAddr,
    request: Request,
    root: &Path,
    config: &ServerConfig,
) {
    todo!("step 6: receive the file into a temporary file, then rename it")
}
