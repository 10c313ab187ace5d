//! The server: a listener on the well-known port that hands every request
//! to a thread of its own, with a socket of its own on a new port.
//!
//! ```text
//!   client:5000  --RRQ-->  server:69          (the listener)
//!   client:5000  <-DATA 1- server:41234       (a new thread and socket)
//!   client:5000  --ACK 1-> server:41234
//! ```
//!
//! The listener never blocks on a transfer: it reads a request, checks it
//! can take one more client, starts the transfer's thread and goes back to
//! listening. Everything the server decides about a request is here:
//!
//! - **Files** come only from under the root ([`crate::path`]).
//! - **Writes** are refused unless allowed. `allow_create` permits new
//!   files, `allow_write` permits overwriting existing ones; a WRQ that
//!   needs the other permission is refused: an existing file with
//!   `allow_create` alone gets ERROR 6 (file exists), a new name with
//!   `allow_write` alone gets ERROR 2 (access violation).
//! - **Uploads** go to a temporary file in the target's directory and are
//!   renamed over the target only when the last block has arrived, before
//!   that block is acknowledged; a broken upload leaves nothing.
//! - **Load**: at most `max_clients` transfers at once; one more request
//!   gets ERROR 0 "server busy".
//! - **Malformed requests** get ERROR 4 and the listener carries on.
//! - **A repeated request** (the client sent it again before our answer
//!   reached it, or the network duplicated it) starts no second transfer
//!   while the first runs: two transfers answering one client from two
//!   ports confuse it (tftp-hpa's client follows whichever port spoke
//!   last, and the two then starve each other).
//!
//! Every transfer ends, one way or another (its silence budget bounds it:
//! see [`crate::timer`]), closes its socket and logs one line, which names
//! the client and, for a failure, why: "timed out: no answer from
//! 127.0.0.1:50312 for 25.0 s", "connection refused by 127.0.0.1:50312:
//! nothing listens on that port" (the client has gone).

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::net::{self, PeerSocket};
use crate::netascii::{NetasciiReader, NetasciiWriter};
use crate::options::{Limits, Options};
use crate::packet::{self, ErrorCode, MAX_DATAGRAM, Mode, Packet, Request};
use crate::path::{self, PathError};
use crate::timer;
use crate::transfer::{
    self, Channel, Dally, Opening, Shutdown, TransferError, TransferSettings,
    TransferStats,
};

/// How the listener waits between two looks at the shutdown flag.
const LISTEN_POLL: Duration = Duration::from_millis(200);

/// Everything `tftpd`'s flags can set.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The directory served; nothing outside it is ever read or written.
    pub root: PathBuf,
    /// Where to listen (default `0.0.0.0:69`).
    pub bind: SocketAddr,
    /// Allow a WRQ to overwrite an existing file.
    pub allow_write: bool,
    /// Allow a WRQ to create a new file.
    pub allow_create: bool,
    /// The most this server grants in option negotiation.
    pub limits: Limits,
    /// Transfers at once; one more request gets "server busy".
    pub max_clients: usize,
    /// The longest wait before a retransmission (a client's `timeout`
    /// option overrides it for its transfer).
    pub timeout: Duration,
    /// How many whole timeouts' worth of silence a transfer sits through
    /// before it gives up (`retries × timeout`, see
    /// [`crate::timer::patience`]).
    pub retries: u32,
    /// The largest upload accepted, if limited: a WRQ announcing more (in
    /// `tsize`) is refused with ERROR 3 at once, one sending more is cut
    /// off with ERROR 3 when it gets there.
    pub max_upload: Option<u64>,
}

impl ServerConfig {
    /// Serves `root`, read-only, on `0.0.0.0:69`, with the default limits.
    pub fn new(root: impl Into<PathBuf>) -> ServerConfig {
        ServerConfig {
            root: root.into(),
            bind: SocketAddr::from(([0, 0, 0, 0], 69)),
            allow_write: false,
            allow_create: false,
            limits: Limits::default(),
            max_clients: 64,
            timeout: timer::DEFAULT_TIMEOUT,
            retries: timer::DEFAULT_RETRIES,
            max_upload: None,
        }
    }
}

/// Which way a transfer's file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// RRQ: the server sends.
    Read,
    /// WRQ: the server receives.
    Write,
}

/// The one log line of a finished transfer.
#[derive(Debug)]
pub struct TransferReport {
    /// The client's address and port.
    pub peer: SocketAddr,
    /// The file name as requested.
    pub file: String,
    /// Read or write.
    pub direction: Direction,
    /// Block size and window in force.
    pub blksize: usize,
    /// Blocks per ACK in force.
    pub windowsize: u16,
    /// What the transfer counted (zero if it never started).
    pub stats: TransferStats,
    /// From the request to the end.
    pub elapsed: Duration,
    /// `Ok`, or why it failed.
    pub outcome: Result<(), String>,
}

impl TransferReport {
    fn log(&self) {
        let direction = match self.direction {
            Direction::Read => "read",
            Direction::Write => "write",
        };
        let seconds = self.elapsed.as_secs_f64();
        let outcome = match &self.outcome {
            Ok(()) => "ok",
            Err(why) => why.as_str(),
        };
        if self.outcome.is_ok() {
            tracing::info!(
                peer = %self.peer, file = %self.file, direction, bytes = self.stats.bytes,
                blksize = self.blksize, windowsize = self.windowsize,
                seconds = format_args!("{seconds:.3}"),
                retransmissions = self.stats.retransmissions, outcome, "transfer done"
            );
        } else {
            tracing::warn!(
                peer = %self.peer, file = %self.file, direction, bytes = self.stats.bytes,
                blksize = self.blksize, windowsize = self.windowsize,
                seconds = format_args!("{seconds:.3}"),
                retransmissions = self.stats.retransmissions, outcome, "transfer failed"
            );
        }
    }
}

/// A bound server, ready to [`Server::run`].
#[derive(Debug)]
pub struct Server {
    socket: UdpSocket,
    config: ServerConfig,
    /// The root, canonical: every resolved path must start with it.
    root: PathBuf,
    shutdown: Shutdown,
    active: Arc<AtomicUsize>,
    running: Arc<RunningRequests>,
}

/// A server running on a thread of its own (see [`Server::spawn`]).
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Shutdown,
    thread: JoinHandle<io::Result<()>>,
}

impl RunningServer {
    /// Where the server listens.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server: no new transfers, running ones end with an ERROR
    /// to their client. Returns once every thread has finished.
    pub fn stop(self) -> io::Result<()> {
        self.shutdown.trigger();
        self.thread
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the server thread panicked")))
    }
}

impl Server {
    /// Checks the root and binds the listening socket. Binding port 0 picks
    /// a free port: see [`Server::local_addr`].
    pub fn bind(config: ServerConfig) -> io::Result<Server> {
        let root = fs::canonicalize(&config.root).map_err(|e| {
            io::Error::new(e.kind(), format!("root {}: {e}", config.root.display()))
        })?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("root {} is not a directory", root.display()),
            ));
        }
        let socket = UdpSocket::bind(config.bind)?;
        socket.set_read_timeout(Some(LISTEN_POLL))?;
        // Room for a burst of requests while the listener starts threads.
        net::size_buffers(&socket, 1 << 20)?;
        Ok(Server {
            socket,
            config,
            root,
            shutdown: Shutdown::new(),
            active: Arc::new(AtomicUsize::new(0)),
            running: Arc::new(RunningRequests::default()),
        })
    }

    /// The address the listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// The flag that stops [`Server::run`] (e.g. from a Ctrl-C handler).
    pub fn shutdown_handle(&self) -> Shutdown {
        self.shutdown.clone()
    }

    /// Runs [`Server::run`] on a new thread, for tests and embedding.
    pub fn spawn(self) -> io::Result<RunningServer> {
        let addr = self.local_addr()?;
        let shutdown = self.shutdown_handle();
        let thread = thread::Builder::new()
            .name("tftpd listener".into())
            .spawn(move || self.run())?;
        Ok(RunningServer {
            addr,
            shutdown,
            thread,
        })
    }

    /// Serves requests until the shutdown flag is set, then waits for the
    /// running transfers (which abort with an ERROR to their client).
    pub fn run(self) -> io::Result<()> {
        let config = Arc::new(self.config.clone());
        let root = Arc::new(self.root.clone());
        let mut transfers: Vec<JoinHandle<()>> = Vec::new();
        let mut buf = vec![0u8; MAX_DATAGRAM];
        while !self.shutdown.is_triggered() {
            let (len, peer) = match self.socket.recv_from(&mut buf) {
                Ok(received) => received,
                Err(e) if net::is_timeout(&e) => continue,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => continue,
                Err(e) => return Err(e),
            };
            transfers.retain(|t| !t.is_finished());
            let (direction, request) = match Packet::decode(&buf[..len]) {
                Ok(Packet::Rrq(request)) => (Direction::Read, request),
                Ok(Packet::Wrq(request)) => (Direction::Write, request),
                // Never answer an ERROR with an ERROR: two confused peers
                // would bounce them for ever.
                Ok(Packet::Error { .. }) => continue,
                Ok(other) => {
                    let why = format!(
                        "expected RRQ or WRQ on this port, got {}",
                        other.kind()
                    );
                    self.refuse(peer, ErrorCode::IllegalOperation, &why);
                    continue;
                }
                Err(malformed) => {
                    tracing::debug!(%peer, "malformed request: {malformed}");
                    self.refuse(
                        peer,
                        ErrorCode::IllegalOperation,
                        &malformed.to_string(),
                    );
                    continue;
                }
            };
            let Some(running) = RequestGuard::take(&self.running, peer, &buf[..len])
            else {
                tracing::debug!(%peer, file = %request.filename, "repeated request ignored");
                continue;
            };
            let Some(slot) = ClientSlot::take(&self.active, self.config.max_clients)
            else {
                tracing::warn!(%peer, file = %request.filename, "refused: server busy");
                self.refuse(
                    peer,
                    ErrorCode::NotDefined,
                    "Server busy, try again later",
                );
                continue;
            };
            let job = Job {
                running,
                peer,
                local_ip: self.socket.local_addr()?,
                direction,
                request,
                config: Arc::clone(&config),
                root: Arc::clone(&root),
                shutdown: self.shutdown.clone(),
            };
            let spawned = thread::Builder::new()
                .name(format!("tftpd {peer}"))
                .spawn(move || {
                    let _slot = slot;
                    job.run();
                });
            match spawned {
                Ok(handle) => transfers.push(handle),
                Err(e) => {
                    tracing::error!(%peer, "cannot start a thread: {e}");
                    self.refuse(
                        peer,
                        ErrorCode::NotDefined,
                        "Server busy, try again later",
                    );
                }
            }
        }
        for transfer in transfers {
            let _ = transfer.join();
        }
        Ok(())
    }

    /// Answers a request with an ERROR from the listening port.
    fn refuse(&self, peer: SocketAddr, code: ErrorCode, message: &str) {
        let _ = self
            .socket
            .send_to(&packet::error_bytes(code, message), peer);
    }
}

/// The requests whose transfers are running, by client address, each with
/// an id so that a guard only ever removes its own entry.
#[derive(Debug, Default)]
struct RunningRequests {
    requests: Mutex<HashMap<SocketAddr, (u64, Vec<u8>)>>,
    next_id: AtomicU64,
}

/// A request's place in [`RunningRequests`], given back when the transfer
/// proper is over (before a dally, so that a client that goes on with its
/// next request from the same port is served) or when dropped.
#[derive(Debug)]
struct RequestGuard {
    running: Arc<RunningRequests>,
    peer: SocketAddr,
    id: u64,
}

impl RequestGuard {
    /// A guard for `request` from `peer`, unless that very request (the
    /// same bytes from the same address) is already being served.
    fn take(
        running: &Arc<RunningRequests>,
        peer: SocketAddr,
        request: &[u8],
    ) -> Option<RequestGuard> {
        let mut requests = running
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if requests.get(&peer).is_some_and(|(_, r)| r == request) {
            return None;
        }
        let id = running.next_id.fetch_add(1, Ordering::Relaxed);
        requests.insert(peer, (id, request.to_vec()));
        Some(RequestGuard {
            running: Arc::clone(running),
            peer,
            id,
        })
    }

    /// The transfer proper is over: the same request may start a new one.
    fn release(&self) {
        let mut requests = self
            .running
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if requests
            .get(&self.peer)
            .is_some_and(|(id, _)| *id == self.id)
        {
            requests.remove(&self.peer);
        }
    }
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.release();
    }
}

/// One of `max_clients` places, given back when dropped.
struct ClientSlot(Arc<AtomicUsize>);

impl ClientSlot {
    fn take(active: &Arc<AtomicUsize>, max: usize) -> Option<ClientSlot> {
        active
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| ClientSlot(Arc::clone(active)))
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Why a request was refused before any data moved: the ERROR to send.
struct Refusal {
    code: ErrorCode,
    message: String,
}

impl Refusal {
    fn new(code: ErrorCode, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
        }
    }
}

impl From<PathError> for Refusal {
    fn from(error: PathError) -> Refusal {
        Refusal::new(error.error_code(), error.to_string())
    }
}

/// Why serving a request failed.
enum Failure {
    /// Refused before any data moved: the client gets this ERROR.
    Refused(Refusal),
    /// The transfer started and failed; the peer knows already.
    Transfer(TransferError),
}

impl Failure {
    fn refused(code: ErrorCode, message: impl Into<String>) -> Failure {
        Failure::Refused(Refusal::new(code, message))
    }
}

impl From<Refusal> for Failure {
    fn from(refusal: Refusal) -> Failure {
        Failure::Refused(refusal)
    }
}

impl From<PathError> for Failure {
    fn from(error: PathError) -> Failure {
        Failure::Refused(error.into())
    }
}

impl From<io::Error> for Failure {
    fn from(error: io::Error) -> Failure {
        Failure::Refused(PathError::from(error).into())
    }
}

impl From<TransferError> for Failure {
    fn from(error: TransferError) -> Failure {
        Failure::Transfer(error)
    }
}

/// One request, served on its own thread.
struct Job {
    /// Released as soon as the transfer proper is over.
    running: RequestGuard,
    peer: SocketAddr,
    local_ip: SocketAddr,
    direction: Direction,
    request: Request,
    config: Arc<ServerConfig>,
    root: Arc<PathBuf>,
    shutdown: Shutdown,
}

impl Job {
    fn run(self) {
        let started = Instant::now();
        let mut report = TransferReport {
            peer: self.peer,
            file: self.request.filename.clone(),
            direction: self.direction,
            blksize: 512,
            windowsize: 1,
            stats: TransferStats::default(),
            elapsed: Duration::ZERO,
            outcome: Ok(()),
        };
        report.outcome = self.serve(&mut report, started);
        if report.elapsed.is_zero() {
            report.elapsed = started.elapsed();
        }
        report.log();
    }

    /// Serves the request; the error is the outcome for the log line.
    fn serve(
        &self,
        report: &mut TransferReport,
        started: Instant,
    ) -> Result<(), String> {
        // The transfer's own port: a new TID, on the listener's address.
        let socket = UdpSocket::bind(SocketAddr::new(self.local_ip.ip(), 0))
            .map_err(|e| format!("cannot open a socket: {e}"))?;
        let mut channel = PeerSocket::new(socket, self.peer);
        let asked = Options::from_request(&self.request.options);
        let outcome = match self.direction {
            Direction::Read => self.serve_read(&mut channel, &asked, report),
            Direction::Write => {
                self.serve_write(&mut channel, &asked, report, started)
            }
        };
        self.running.release();
        match outcome {
            Ok(()) => Ok(()),
            Err(Failure::Transfer(error)) => Err(error.to_string()),
            Err(Failure::Refused(refusal)) => {
                let _ = channel
                    .send(&packet::error_bytes(refusal.code, &refusal.message));
                Err(format!(
                    "refused: {} (error {})",
                    refusal.message,
                    refusal.code.as_u16()
                ))
            }
        }
    }

    /// The settings a transfer runs with, from the options granted and the
    /// server's timeout, retry limit and shutdown flag; the server always
    /// dallies after its last ACK of an upload.
    ///
    /// It also records the block and window size in the transfer's report
    /// and sizes the socket's buffers to hold a whole window.
    fn settings(
        &self,
        granted: &Options,
        channel: &PeerSocket,
        report: &mut TransferReport,
    ) -> TransferSettings {
        let mut settings = TransferSettings::from_options(
            granted,
            self.config.timeout,
            self.config.retries,
        );
        settings.dally = Dally::Always;
        settings.shutdown = self.shutdown.clone();
        report.blksize = settings.blksize;
        report.windowsize = settings.windowsize;
        // Best effort: a smaller buffer only costs speed, never correctness.
        let _ = net::size_buffers(
            channel.socket(),
            net::buffer_size_for(settings.blksize, settings.windowsize),
        );
        settings
    }

    /// An RRQ: OACK (if any option was granted), then the file's blocks.
    fn serve_read(
        &self,
        channel: &mut PeerSocket,
        asked: &Options,
        report: &mut TransferReport,
    ) -> Result<(), Failure> {
        let path = path::resolve_read(&self.root, &self.request.filename)?;
        let file = File::open(&path)?;
        let size = file.metadata()?.len();
        let mut granted = asked.negotiate(&self.config.limits);
        // tsize: the size of the file. Left out for an empty file (curl
        // takes tsize=0 for an error) and in netascii mode (the size on
        // the wire is not the file's).
        granted.tsize = asked
            .tsize
            .and(Some(size))
            .filter(|&size| size > 0 && self.request.mode == Mode::Octet);
        let settings = self.settings(&granted, channel, report);
        // No option granted: plain RFC 1350, DATA 1 straight away.
        let oack = (!granted.is_empty()).then(|| {
            Packet::Oack {
                options: granted.to_pairs(),
            }
            .to_bytes()
        });

        // The bytes acknowledged so far, for the log line of a failure.
        let mut moved = 0;
        let mut note_progress = |bytes| moved = bytes;
        let sent = match self.request.mode {
            Mode::Octet => {
                let mut source =
                    BufReader::with_capacity(transfer::FILE_BUFFER, file);
                transfer::send_file(
                    channel,
                    &mut source,
                    &settings,
                    oack.as_deref(),
                    &mut note_progress,
                )
            }
            Mode::Netascii => {
                let mut source = NetasciiReader::new(BufReader::new(file));
                transfer::send_file(
                    channel,
                    &mut source,
                    &settings,
                    oack.as_deref(),
                    &mut note_progress,
                )
            }
        };
        report.stats.bytes = moved;
        report.stats = sent?;
        Ok(())
    }

    /// A WRQ: checks, OACK or ACK 0, the blocks into a temporary file, the
    /// rename, and only then the last ACK.
    fn serve_write(
        &self,
        channel: &mut PeerSocket,
        asked: &Options,
        report: &mut TransferReport,
        started: Instant,
    ) -> Result<(), Failure> {
        if !self.config.allow_write && !self.config.allow_create {
            return Err(Failure::refused(
                ErrorCode::AccessViolation,
                "Access violation: this server does not accept uploads",
            ));
        }
        let target = path::resolve_write(&self.root, &self.request.filename)?;
        if target.exists && !self.config.allow_write {
            return Err(Failure::refused(
                ErrorCode::FileExists,
                "File already exists",
            ));
        }
        if !target.exists && !self.config.allow_create {
            return Err(Failure::refused(
                ErrorCode::AccessViolation,
                "Access violation: this server only overwrites existing files",
            ));
        }
        if let (Some(size), Some(max)) = (asked.tsize, self.config.max_upload)
            && size > max
        {
            return Err(Failure::refused(
                ErrorCode::DiskFull,
                format!("file too large: {size} bytes, at most {max} accepted"),
            ));
        }
        let directory = target.path.parent().unwrap_or(&self.root);
        let temporary = tempfile::Builder::new()
            .prefix(".tftp-upload-")
            .tempfile_in(directory)?;

        let mut granted = asked.negotiate(&self.config.limits);
        // Echo tsize (RFC 2349), except 0, which curl takes for an error.
        granted.tsize = asked.tsize.filter(|&size| size > 0);
        let settings = self.settings(&granted, channel, report);
        let opening = if granted.is_empty() {
            packet::ack_bytes(0).to_vec()
        } else {
            Packet::Oack {
                options: granted.to_pairs(),
            }
            .to_bytes()
        };

        let limit = self.config.max_upload.unwrap_or(u64::MAX);
        let mut sink = Capped::new(
            BufWriter::with_capacity(transfer::FILE_BUFFER, temporary),
            limit,
        );
        // The bytes received so far, for the log line of a failure.
        let mut moved = 0;
        let mut note_progress = |bytes| moved = bytes;
        let received = match self.request.mode {
            Mode::Octet => transfer::receive_file(
                &mut *channel,
                &mut sink,
                &settings,
                Opening::Send(&opening),
                &mut note_progress,
            ),
            Mode::Netascii => {
                let mut text = NetasciiWriter::new(&mut sink);
                transfer::receive_file(
                    &mut *channel,
                    &mut text,
                    &settings,
                    Opening::Send(&opening),
                    &mut note_progress,
                )
                .and_then(|completion| match text.finish() {
                    Ok(_) => Ok(completion),
                    Err(e) => {
                        completion.reject(
                            &mut *channel,
                            ErrorCode::DiskFull,
                            &e.to_string(),
                        );
                        Err(TransferError::File(e))
                    }
                })
            }
        };
        report.stats.bytes = moved;
        // On failure the temporary file is deleted as `sink` goes.
        let completion = received?;
        report.stats = completion.stats();
        match keep_upload(sink.into_inner(), &target.path, self.config.allow_write) {
            Ok(()) => {
                // The transfer is done here; the dally that follows the
                // last ACK is not part of its time, and the client may go
                // on with its next request.
                report.elapsed = started.elapsed();
                self.running.release();
                report.stats = completion.acknowledge(channel, &settings)?;
                Ok(())
            }
            Err(refusal) => {
                completion.reject(&mut *channel, refusal.code, &refusal.message);
                let kept = io::Error::other(refusal.message);
                Err(Failure::Transfer(TransferError::File(kept)))
            }
        }
    }
}

/// Moves a finished upload into place: over an existing file if
/// `overwrite`, otherwise only if the name is still free (another client
/// may have created it meanwhile).
fn keep_upload(
    writer: BufWriter<tempfile::NamedTempFile>,
    target: &Path,
    overwrite: bool,
) -> Result<(), Refusal> {
    let disk_full = |e: io::Error| Refusal::new(ErrorCode::DiskFull, e.to_string());
    let temporary = writer.into_inner().map_err(|e| disk_full(e.into_error()))?;
    // A temporary file is private (0600); an uploaded file is served to
    // anyone, like the files around it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(target)
            .map(|m| m.permissions().mode())
            .unwrap_or(0o644);
        let _ = temporary
            .as_file()
            .set_permissions(fs::Permissions::from_mode(mode));
    }
    let kept = if overwrite {
        temporary.persist(target).map(|_| ())
    } else {
        temporary.persist_noclobber(target).map(|_| ())
    };
    kept.map_err(|e| match e.error.kind() {
        io::ErrorKind::AlreadyExists => {
            Refusal::new(ErrorCode::FileExists, "File already exists")
        }
        _ => Refusal::new(ErrorCode::AccessViolation, e.error.to_string()),
    })
}

/// A writer that refuses to grow past a limit, so an upload without
/// `tsize` cannot fill the disk beyond `max_upload`.
struct Capped<W> {
    inner: W,
    left: u64,
}

impl<W: io::Write> Capped<W> {
    fn new(inner: W, limit: u64) -> Capped<W> {
        Capped { inner, left: limit }
    }

    fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: io::Write> io::Write for Capped<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() as u64 > self.left {
            return Err(io::Error::new(
                io::ErrorKind::StorageFull,
                "file too large for this server",
            ));
        }
        let written = self.inner.write(buf)?;
        self.left -= written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
