//! The client: [`get`] and [`put`] a file, as library calls.
//!
//! A transfer opens with a request to the server's well-known port (69).
//! The server answers from a new port, the transfer's TID, and the rest of
//! the conversation happens there:
//!
//! ```text
//!   get, plain          get, with options          put, with options
//!   RRQ  ->             RRQ+opts ->                WRQ+opts ->
//!        <- DATA 1           <- OACK                    <- OACK
//!   ACK 1 ->            ACK 0 ->                   DATA 1 ->
//!   ...                      <- DATA 1                  <- ACK 1
//! ```
//!
//! A server that does not know options answers as in the plain case
//! (DATA 1, or ACK 0 for a put), and the transfer runs with RFC 1350's
//! defaults. [`get_file`] and [`put_file`] add what a command-line client
//! needs around them: a download goes to a temporary file beside its
//! destination and is renamed into place only when complete.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::net::{self, PeerSocket};
use crate::netascii::{NetasciiReader, NetasciiWriter};
use crate::options::{DEFAULT_BLKSIZE, Options};
use crate::packet::{self, DATA_HEADER_LEN, ErrorCode, Mode, Packet, Request};
use crate::timer::{self, RetransmitTimer, Silence};
use crate::transfer::{
    self, Channel, Dally, Opening, Shutdown, TransferError, TransferSettings,
    TransferStats,
};

/// The port TFTP servers listen on.
pub const DEFAULT_PORT: u16 = 69;

/// What the client asks for, and how patient it is.
///
/// Options are only sent when set: the default is a plain RFC 1350 request
/// that every server understands.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Octet (the default) or netascii.
    pub mode: Mode,
    /// The `blksize` option to ask for (RFC 2348).
    pub blksize: Option<u16>,
    /// The `windowsize` option to ask for (RFC 7440).
    pub windowsize: Option<u16>,
    /// The `timeout` option to ask for, in seconds (RFC 2349); also our own
    /// longest wait between two sends, and the unit of the silence budget.
    pub timeout: Option<u8>,
    /// Whether to send the `tsize` option (RFC 2349): a get learns the
    /// file's size (for a progress bar), a put announces it.
    pub tsize: bool,
    /// Our longest wait before a retransmission when no `timeout` option
    /// is sent.
    pub local_timeout: Duration,
    /// How many whole timeouts' worth of silence before giving up: the
    /// transfer ends when nothing useful came from the server for
    /// `retries × timeout` (see [`crate::timer::patience`]). Resends come
    /// sooner, as the measured round trip allows.
    pub retries: u32,
    /// Setting it stops the transfer (the client sends ERROR 0 first).
    pub shutdown: Shutdown,
}

impl Default for ClientOptions {
    fn default() -> ClientOptions {
        ClientOptions {
            mode: Mode::Octet,
            blksize: None,
            windowsize: None,
            timeout: None,
            tsize: false,
            local_timeout: timer::DEFAULT_TIMEOUT,
            retries: timer::DEFAULT_RETRIES,
            shutdown: Shutdown::new(),
        }
    }
}

impl ClientOptions {
    /// The options to put in the request. `size` is the file's size for a
    /// put (`None` for a get, which asks with `tsize=0`, or when unknown).
    fn requested(&self, size: Option<u64>, direction: Direction) -> Options {
        let tsize = match direction {
            _ if !self.tsize => None,
            Direction::Get => Some(0),
            Direction::Put => size,
        };
        Options {
            blksize: self.blksize,
            timeout: self.timeout,
            tsize,
            windowsize: self.windowsize,
        }
    }

    /// The longest wait between two sends.
    fn wait(&self) -> Duration {
        self.timeout
            .map(|secs| Duration::from_secs(secs.into()))
            .unwrap_or(self.local_timeout)
    }

    /// The silence budget: how long to go on without an answer.
    pub fn patience(&self) -> Duration {
        timer::patience(self.wait(), self.retries)
    }
}

/// Where a transfer stands, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes acknowledged (put) or received (get) so far.
    pub transferred: u64,
    /// The file's size, when the server told it (tsize) or the client knows
    /// it (put).
    pub total: Option<u64>,
}

/// What a successful transfer reports.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// The options the server accepted (empty when it answered without an
    /// OACK).
    pub options: Options,
    /// Block size and window in force.
    pub blksize: usize,
    /// Blocks per ACK in force.
    pub windowsize: u16,
    /// What the transfer counted.
    pub stats: TransferStats,
    /// From the request to the last ACK.
    pub elapsed: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Get,
    Put,
}

/// Splits `HOST`, `HOST:PORT`, `[V6]`, `[V6]:PORT` or a bare IPv6 address
/// into a host and a port (69 when absent), without resolving the host:
/// the part of reading a server address that can be wrong as typed.
pub fn parse_server(text: &str) -> io::Result<(String, u16)> {
    let invalid = |why: String| io::Error::new(io::ErrorKind::InvalidInput, why);
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or_else(|| {
            invalid("an IPv6 address needs its closing ']'".into())
        })?;
        match after {
            "" => (host, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (host, Some(port)),
                None => return Err(invalid("expected [ADDRESS]:PORT".into())),
            },
        }
    } else if text.matches(':').count() > 1 {
        // A bare IPv6 address, no port.
        (text, None)
    } else if let Some((host, port)) = text.split_once(':') {
        (host, Some(port))
    } else {
        (text, None)
    };
    if host.is_empty() {
        return Err(invalid("the host is missing".into()));
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(port) => parse_port(port).map_err(invalid)?,
    };
    Ok((host.to_string(), port))
}

/// A destination port: 1-65535 (port 0 means "any" when binding, and
/// cannot be sent to).
fn parse_port(text: &str) -> Result<u16, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the port {text:?} is not a number"));
    }
    match text.parse::<u64>() {
        Ok(port @ 1..=65535) => Ok(port as u16),
        _ => Err(format!("port {text} is out of range (1-65535)")),
    }
}

/// Reads `HOST`, `HOST:PORT`, `[V6]` or `[V6]:PORT` (port 69 when absent)
/// and resolves it.
pub fn resolve_server(text: &str) -> io::Result<SocketAddr> {
    let (host, port) = parse_server(text)?;
    (host.as_str(), port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "the host name has no address",
            )
        })
}

/// Downloads `remote` from `server` into `sink`.
///
/// In netascii mode, `sink` receives the text with this machine's line
/// endings. `progress` is called as blocks arrive.
pub fn get<W: Write + ?Sized>(
    server: SocketAddr,
    remote: &str,
    sink: &mut W,
    options: &ClientOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, TransferError> {
    let started = Instant::now();
    let asked = options.requested(None, Direction::Get);
    let mut channel = open_channel(server, &asked)?;
    let request = build_request(Direction::Get, remote, options.mode, &asked)?;
    let largest = usize::from(asked.blksize.unwrap_or(DEFAULT_BLKSIZE)).max(512);
    let mut first = vec![0u8; DATA_HEADER_LEN + largest + 1];
    let len = send_request(&mut channel, &request, &mut first, options)?;

    // A server that accepts options answers with an OACK, which we confirm
    // with ACK 0; one that ignores them (or got none) sends DATA 1 at once.
    let ack0 = packet::ack_bytes(0);
    let (granted, opening) = match Packet::decode(&first[..len]) {
        Ok(Packet::Oack { options: pairs }) => (
            check_oack(&mut channel, &asked, &pairs)?,
            Opening::Send(&ack0),
        ),
        Ok(Packet::Data { .. }) => {
            (Options::default(), Opening::Received(&first[..len]))
        }
        other => return Err(unexpected_answer(&mut channel, other, "DATA or OACK")),
    };
    let settings = settings_for(&granted, options);
    size_socket(&channel, &settings)?;
    let total = granted.tsize;
    let mut report = |transferred| progress(Progress { transferred, total });

    let completion = match options.mode {
        Mode::Octet => transfer::receive_file(
            &mut channel,
            sink,
            &settings,
            opening,
            &mut report,
        )?,
        Mode::Netascii => {
            let mut text = NetasciiWriter::new(&mut *sink);
            let completion = transfer::receive_file(
                &mut channel,
                &mut text,
                &settings,
                opening,
                &mut report,
            )?;
            // The text may end in a CR held back until now.
            if let Err(e) = text.finish() {
                completion.reject(&mut channel, ErrorCode::DiskFull, &e.to_string());
                return Err(TransferError::File(e));
            }
            completion
        }
    };
    let stats = completion.acknowledge(&mut channel, &settings)?;
    Ok(summary(granted, &settings, stats, started))
}

/// Uploads `source` to `server` as `remote`.
///
/// `size` is the number of bytes `source` will give, if known: it is sent
/// as `tsize` when [`ClientOptions::tsize`] is set, and shown as the
/// progress total. In netascii mode `source` is read as this machine's text.
pub fn put<R: Read + ?Sized>(
    server: SocketAddr,
    remote: &str,
    source: &mut R,
    size: Option<u64>,
    options: &ClientOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, TransferError> {
    let started = Instant::now();
    // tsize counts the bytes on the wire, which netascii changes.
    let wire_size = size.filter(|_| options.mode == Mode::Octet);
    let asked = options.requested(wire_size, Direction::Put);
    let mut channel = open_channel(server, &asked)?;
    let request = build_request(Direction::Put, remote, options.mode, &asked)?;
    let mut first = [0u8; 1024];
    let len = send_request(&mut channel, &request, &mut first, options)?;

    let granted = match Packet::decode(&first[..len]) {
        Ok(Packet::Oack { options: pairs }) => {
            check_oack(&mut channel, &asked, &pairs)?
        }
        Ok(Packet::Ack { block: 0 }) => Options::default(),
        other => {
            return Err(unexpected_answer(&mut channel, other, "ACK 0 or OACK"));
        }
    };
    let settings = settings_for(&granted, options);
    size_socket(&channel, &settings)?;
    let mut report = |transferred| {
        progress(Progress {
            transferred,
            total: size,
        })
    };
    let stats = match options.mode {
        Mode::Octet => {
            transfer::send_file(&mut channel, source, &settings, None, &mut report)?
        }
        Mode::Netascii => {
            let mut text = NetasciiReader::new(source);
            transfer::send_file(
                &mut channel,
                &mut text,
                &settings,
                None,
                &mut report,
            )?
        }
    };
    Ok(summary(granted, &settings, stats, started))
}

/// Downloads `remote` into the file `local`, atomically: the data goes to
/// a temporary file in `local`'s directory, renamed to `local` once the
/// last block is in. A failed download leaves nothing behind. A `local`
/// that is a device or a pipe (`/dev/null`) is written in place instead.
pub fn get_file(
    server: SocketAddr,
    remote: &str,
    local: &Path,
    options: &ClientOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, TransferError> {
    if local.is_dir() {
        return Err(TransferError::File(io::Error::new(
            io::ErrorKind::IsADirectory,
            format!("{} is a directory", local.display()),
        )));
    }
    // A device or a pipe (`/dev/null`, a FIFO) is written in place: renaming
    // a temporary file over it would replace it with a regular file, and
    // as root that would break `/dev/null` for the whole machine.
    if let Ok(metadata) = std::fs::metadata(local)
        && !metadata.is_file()
    {
        return get_in_place(server, remote, local, options, progress);
    }
    // A symbolic link is written through, as `cp` and `curl -o` do: the
    // rename goes over the file it points at, not over the link.
    let resolved;
    let local = if local.is_symlink() && local.is_file() {
        resolved = std::fs::canonicalize(local).map_err(TransferError::File)?;
        resolved.as_path()
    } else {
        local
    };
    let directory = match local.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temporary = tempfile::Builder::new()
        .prefix(".tftp-download-")
        .tempfile_in(directory)
        .map_err(TransferError::File)?;
    let mut writer = BufWriter::with_capacity(transfer::FILE_BUFFER, temporary);
    // On any error below, `writer` is dropped and the temporary file with it.
    let summary = get(server, remote, &mut writer, options, progress)?;
    let temporary = writer
        .into_inner()
        .map_err(|e| TransferError::File(e.into_error()))?;
    temporary
        .persist(local)
        .map_err(|e| TransferError::File(e.error))?;
    Ok(summary)
}

/// Downloads `remote` straight into `local`, a device or a pipe that is
/// not ours to replace; there is no partial file to clean up there.
fn get_in_place(
    server: SocketAddr,
    remote: &str,
    local: &Path,
    options: &ClientOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, TransferError> {
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(local)
        .map_err(TransferError::File)?;
    let mut writer = BufWriter::with_capacity(transfer::FILE_BUFFER, file);
    let summary = get(server, remote, &mut writer, options, progress)?;
    writer.flush().map_err(TransferError::File)?;
    Ok(summary)
}

/// Uploads the file `local` as `remote`.
pub fn put_file(
    server: SocketAddr,
    local: &Path,
    remote: &str,
    options: &ClientOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, TransferError> {
    let file = File::open(local).map_err(TransferError::File)?;
    let size = file.metadata().map_err(TransferError::File)?.len();
    let mut reader = BufReader::with_capacity(transfer::FILE_BUFFER, file);
    put(server, remote, &mut reader, Some(size), options, progress)
}

/// A socket on a new port for a transfer with `server`, with buffers big
/// enough for the window we ask for.
fn open_channel(
    server: SocketAddr,
    asked: &Options,
) -> Result<PeerSocket, TransferError> {
    let socket = net::ephemeral_socket(server).map_err(TransferError::Network)?;
    let channel = PeerSocket::unlocked(socket, server);
    let blksize = usize::from(asked.blksize.unwrap_or(DEFAULT_BLKSIZE));
    let bytes = net::buffer_size_for(blksize, asked.windowsize.unwrap_or(1));
    net::size_buffers(channel.socket(), bytes).map_err(TransferError::Network)?;
    Ok(channel)
}

/// Once the options are known, buffers for the window actually agreed.
fn size_socket(
    channel: &PeerSocket,
    settings: &TransferSettings,
) -> Result<(), TransferError> {
    let bytes = net::buffer_size_for(settings.blksize, settings.windowsize);
    net::size_buffers(channel.socket(), bytes).map_err(TransferError::Network)
}

fn build_request(
    direction: Direction,
    remote: &str,
    mode: Mode,
    asked: &Options,
) -> Result<Vec<u8>, TransferError> {
    if remote.is_empty() || remote.contains('\0') {
        return Err(TransferError::File(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a remote file name must be non-empty and free of NUL bytes",
        )));
    }
    let request = Request {
        filename: remote.to_string(),
        mode,
        options: asked.to_pairs(),
    };
    Ok(match direction {
        Direction::Get => Packet::Rrq(request),
        Direction::Put => Packet::Wrq(request),
    }
    .to_bytes())
}

/// Sends the request and waits for the server's first answer, repeating
/// the request when none comes: quickly at first, backing off to the
/// longest wait, until the silence budget is spent (fast retransmission,
/// slow surrender, as in [`crate::transfer`]). A refused port (nothing
/// listens there) ends it at once. Returns the answer's length in `buf`.
fn send_request(
    channel: &mut PeerSocket,
    request: &[u8],
    buf: &mut [u8],
    options: &ClientOptions,
) -> Result<usize, TransferError> {
    let mut timer = RetransmitTimer::new(options.wait());
    let silence = Silence::new(options.patience());
    loop {
        channel.send(request).map_err(TransferError::network)?;
        let wait = timer.timeout().min(silence.left());
        let answer = channel.recv(buf, wait).map_err(TransferError::network)?;
        if options.shutdown.is_triggered() {
            return Err(TransferError::Cancelled);
        }
        if let Some(len) = answer {
            return Ok(len);
        }
        if silence.is_spent() {
            return Err(TransferError::TimedOut {
                peer: Some(PeerSocket::peer(channel)),
                waited: silence.waited(),
            });
        }
        timer.on_timeout();
    }
}

/// Checks an OACK; a refusal is sent to the server as ERROR 8.
fn check_oack(
    channel: &mut PeerSocket,
    asked: &Options,
    pairs: &[(String, String)],
) -> Result<Options, TransferError> {
    asked.check_oack(pairs).map_err(|refusal| {
        let error =
            packet::error_bytes(ErrorCode::OptionRefused, &refusal.to_string());
        let _ = channel.send(&error);
        TransferError::Options(refusal)
    })
}

/// The error for a first answer that is neither of the expected ones; a
/// malformed or out-of-place packet is answered with ERROR 4.
fn unexpected_answer(
    channel: &mut PeerSocket,
    answer: Result<Packet<'_>, packet::DecodeError>,
    expected: &str,
) -> TransferError {
    let why = match answer {
        Ok(Packet::Error { code, message }) => {
            return TransferError::remote(code, &message);
        }
        Ok(other) => format!("expected {expected}, got {}", other.kind()),
        Err(malformed) => malformed.to_string(),
    };
    let _ = channel.send(&packet::error_bytes(ErrorCode::IllegalOperation, &why));
    TransferError::Protocol(why)
}

fn settings_for(granted: &Options, options: &ClientOptions) -> TransferSettings {
    let mut settings = TransferSettings::from_options(
        granted,
        options.local_timeout,
        options.retries,
    );
    settings.dally = Dally::AfterLoss;
    settings.shutdown = options.shutdown.clone();
    settings
}

fn summary(
    options: Options,
    settings: &TransferSettings,
    stats: TransferStats,
    started: Instant,
) -> Summary {
    Summary {
        options,
        blksize: settings.blksize,
        windowsize: settings.windowsize,
        stats,
        elapsed: started.elapsed(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_default_to_port_69() {
        assert_eq!(
            resolve_server("127.0.0.1").unwrap(),
            "127.0.0.1:69".parse().unwrap()
        );
        assert_eq!(
            resolve_server("127.0.0.1:6969").unwrap(),
            "127.0.0.1:6969".parse().unwrap()
        );
        assert_eq!(
            resolve_server("[::1]:6969").unwrap(),
            "[::1]:6969".parse().unwrap()
        );
        assert_eq!(
            resolve_server("[::1]").unwrap(),
            "[::1]:69".parse().unwrap()
        );
        assert_eq!(resolve_server("::1").unwrap(), "[::1]:69".parse().unwrap());
        assert!(resolve_server("127.0.0.1:port").is_err());
        assert!(resolve_server("[::1").is_err());
    }

    #[test]
    fn a_port_out_of_range_says_so() {
        let message = |text| parse_server(text).unwrap_err().to_string();
        assert_eq!(
            message("127.0.0.1:99999"),
            "port 99999 is out of range (1-65535)"
        );
        assert_eq!(
            message("[::1]:65536"),
            "port 65536 is out of range (1-65535)"
        );
        assert_eq!(message("127.0.0.1:0"), "port 0 is out of range (1-65535)");
        assert_eq!(message("127.0.0.1:x"), "the port \"x\" is not a number");
        assert_eq!(message(":69"), "the host is missing");
        assert_eq!(parse_server("h:65535").unwrap(), ("h".to_string(), 65535));
    }

    #[test]
    fn options_are_only_sent_when_asked_for() {
        let plain = ClientOptions::default();
        assert!(plain.requested(Some(10), Direction::Put).is_empty());
        let sized = ClientOptions {
            tsize: true,
            ..ClientOptions::default()
        };
        assert_eq!(sized.requested(None, Direction::Get).tsize, Some(0));
        assert_eq!(sized.requested(Some(10), Direction::Put).tsize, Some(10));
    }
}
