//! What the black-box tests of `tftp` and `tftpd` share.
//!
//! - [`Server`] starts `tftpd` on 127.0.0.1 with a port from the OS, reads the
//!   address it prints, keeps its log for failure messages, and kills it when
//!   dropped, so no test leaves a server behind;
//! - [`run`], [`get`] and [`put`] run the `tftp` client with a time limit and
//!   hand back its exit status and output;
//! - [`raw`] builds and reads TFTP packets by hand (independent of the
//!   library under test) so a test can say exactly what went over the wire;
//! - [`payload`], [`assert_same_bytes`] make test files and compare them with
//!   a message that says where they differ.
//!
//! Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The client binary built from this package.
pub const TFTP: &str = env!("CARGO_BIN_EXE_tftp");
/// The server binary built from this package.
pub const TFTPD: &str = env!("CARGO_BIN_EXE_tftpd");

/// How long a server gets to print `listening on ADDR`.
const STARTUP_LIMIT: Duration = Duration::from_secs(10);
/// How long one client run may take before it is killed (a test's own
/// deadline is longer, so a stuck client is reported with its output).
pub const CLIENT_LIMIT: Duration = Duration::from_secs(60);

/// Server flags that let every transfer through: uploads of new and existing
/// files, the largest blocks and windows the tests ask for.
pub const OPEN: &[&str] = &[
    "--allow-write",
    "--allow-create",
    "--max-blksize",
    "65464",
    "--max-window",
    "64",
];

/// A child process killed (and reaped) when this guard is dropped, even when
/// the test panics.
pub struct KillOnDrop(pub Child);

impl KillOnDrop {
    /// The process id, for `/proc/PID/...`.
    pub fn id(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running `tftpd`, serving one directory on 127.0.0.1.
pub struct Server {
    child: KillOnDrop,
    addr: SocketAddr,
    log: Arc<Mutex<Vec<u8>>>,
}

impl Server {
    /// Starts `tftpd --root ROOT --bind 127.0.0.1:0 FLAGS…` and waits for its
    /// first line, `listening on 127.0.0.1:PORT`.
    pub fn start(root: &Path, flags: &[&str]) -> Server {
        Server::start_program(Path::new(TFTPD), root, flags)
    }

    /// [`Server::start`] with another build of `tftpd` (to measure an older
    /// one, say).
    pub fn start_program(program: &Path, root: &Path, flags: &[&str]) -> Server {
        let mut command = Command::new(program);
        command
            .arg("--root")
            .arg(root)
            .args(["--bind", "127.0.0.1:0"])
            .args(flags)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let shown = format!(
            "tftpd --root {} --bind 127.0.0.1:0 {}",
            root.display(),
            flags.join(" ")
        );
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("could not start `{shown}`: {e}"));
        let log = Arc::new(Mutex::new(Vec::new()));
        drain_into(child.stderr.take().expect("piped stderr"), Arc::clone(&log));
        let first_line =
            first_line_then_drain(child.stdout.take().expect("piped stdout"));
        let child = KillOnDrop(child);

        let line = match first_line.recv_timeout(STARTUP_LIMIT) {
            Ok(line) => line,
            Err(_) => panic!(
                "started `{shown}`, expected `listening on 127.0.0.1:PORT` on its \
                 stdout within {} s, got nothing; its stderr:\n{}",
                STARTUP_LIMIT.as_secs(),
                String::from_utf8_lossy(&log.lock().unwrap())
            ),
        };
        let addr = line
            .trim_end()
            .strip_prefix("listening on ")
            .and_then(|a| a.parse::<SocketAddr>().ok())
            .unwrap_or_else(|| {
                panic!(
                    "started `{shown}`, expected its first line to be `listening on \
                     127.0.0.1:PORT`, got {line:?}; its stderr:\n{}",
                    String::from_utf8_lossy(&log.lock().unwrap())
                )
            });
        assert!(
            addr.ip().is_loopback() && addr.port() != 0,
            "`{shown}` says it listens on {addr}: expected 127.0.0.1 and a real port"
        );
        Server { child, addr, log }
    }

    /// Where the server listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `127.0.0.1:PORT`, the way the client takes it.
    pub fn host_port(&self) -> String {
        self.addr.to_string()
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server wrote on stderr so far (its log).
    pub fn log(&self) -> String {
        String::from_utf8_lossy(&self.log.lock().unwrap()).into_owned()
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.0.try_wait(), Ok(None))
    }
}

/// Copies everything from `from` into `into` on a background thread.
fn drain_into(mut from: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>) {
    thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(n) = from.read(&mut chunk) {
            if n == 0 {
                break;
            }
            into.lock().unwrap().extend_from_slice(&chunk[..n]);
        }
    });
}

/// Sends the first line read from `from` on the returned channel, then keeps
/// reading (and discarding) so the child never blocks on a full pipe.
fn first_line_then_drain(
    from: impl Read + Send + 'static,
) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut reader = BufReader::new(from);
        let mut line = String::new();
        if reader.read_line(&mut line).is_ok() && !line.is_empty() {
            let _ = tx.send(line);
        }
        let _ = std::io::copy(&mut reader, &mut std::io::sink());
    });
    rx
}

/// What a finished client run left behind.
pub struct Outcome {
    /// The command line, for messages.
    pub command: String,
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Outcome {
    /// Whether the process exited with status 0 in time.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    /// Fails the test, with the client's output, unless it exited with 0.
    pub fn assert_success(&self) {
        assert!(
            self.succeeded(),
            "`{}` failed:\n{}",
            self.command,
            self.explain()
        );
    }

    /// Fails the test unless the client exited with a non-zero status.
    pub fn assert_failure(&self) {
        assert!(
            matches!(self.status, Some(s) if !s.success()),
            "`{}` should have failed with a non-zero exit status:\n{}",
            self.command,
            self.explain()
        );
    }

    /// Exit status and stderr, readable.
    pub fn explain(&self) -> String {
        let status = match self.status {
            Some(s) => s.to_string(),
            None => format!("killed after {} s (no exit)", self.elapsed.as_secs()),
        };
        format!("  {status}\n  stderr: {}", self.stderr.trim_end())
    }
}

/// Runs `command` with `stdin` fed to it, killing it after `limit`.
pub fn run_command(
    mut command: Command,
    stdin: Option<Vec<u8>>,
    limit: Duration,
) -> Outcome {
    let shown = format!("{command:?}").replace('"', "");
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("could not start `{shown}`: {e}"));
    if let Some(bytes) = stdin {
        let mut pipe = child.stdin.take().expect("piped stdin");
        thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let out_reader =
        reader_thread(child.stdout.take().expect("piped stdout"), &stdout);
    let err_reader =
        reader_thread(child.stderr.take().expect("piped stderr"), &stderr);
    let mut child = KillOnDrop(child);
    let status = loop {
        match child.0.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() < limit => {
                thread::sleep(Duration::from_millis(5))
            }
            _ => break None,
        }
    };
    drop(child); // kills it if it is still running
    let _ = out_reader.join();
    let _ = err_reader.join();
    let stdout = std::mem::take(&mut *stdout.lock().unwrap());
    let stderr = String::from_utf8_lossy(&stderr.lock().unwrap()).into_owned();
    Outcome {
        command: shown,
        status,
        stdout,
        stderr,
        elapsed: started.elapsed(),
    }
}

fn reader_thread(
    mut from: impl Read + Send + 'static,
    into: &Arc<Mutex<Vec<u8>>>,
) -> thread::JoinHandle<()> {
    let into = Arc::clone(into);
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = from.read_to_end(&mut bytes);
        *into.lock().unwrap() = bytes;
    })
}

/// Runs our `tftp` client with `args`.
pub fn run(args: &[&str]) -> Outcome {
    run_fed(args, None)
}

/// Runs our `tftp` client with `args` and `stdin` on its standard input.
pub fn run_fed(args: &[&str], stdin: Option<Vec<u8>>) -> Outcome {
    let mut command = Command::new(TFTP);
    command.args(args);
    run_command(command, stdin, CLIENT_LIMIT)
}

/// `tftp get SERVER REMOTE LOCAL FLAGS…`
pub fn get(server: &str, remote: &str, local: &Path, flags: &[&str]) -> Outcome {
    let local = local.to_str().expect("a UTF-8 temp path");
    let mut args = vec!["get", server, remote, local];
    args.extend_from_slice(flags);
    run(&args)
}

/// `tftp put SERVER LOCAL REMOTE FLAGS…`
pub fn put(server: &str, local: &Path, remote: &str, flags: &[&str]) -> Outcome {
    let local = local.to_str().expect("a UTF-8 temp path");
    let mut args = vec!["put", server, local, remote];
    args.extend_from_slice(flags);
    run(&args)
}

/// A temporary directory that will be the server's root, plus helpers.
pub struct Root {
    pub dir: tempfile::TempDir,
}

impl Root {
    /// A fresh, empty directory.
    pub fn new() -> Root {
        Root {
            dir: tempfile::tempdir().expect("could not create a temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `ROOT/name`.
    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes `bytes` to `ROOT/name` and returns the path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, bytes)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        path
    }

    /// The names directly in the directory, sorted.
    pub fn listing(&self) -> Vec<String> {
        listing(self.path())
    }
}

impl Default for Root {
    fn default() -> Self {
        Root::new()
    }
}

/// The names directly in `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .map(|e| {
            e.expect("a directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// `len` pseudo-random bytes, the same for the same `seed` (xorshift64*),
/// so a test file is reproducible without a random-number crate.
pub fn payload(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        bytes.extend_from_slice(
            &state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes(),
        );
    }
    bytes.truncate(len);
    bytes
}

/// Fails the test unless `got` equals `expected`, saying how they differ
/// (lengths, first differing byte and the block it falls in at `blksize`).
pub fn assert_same_bytes(what: &str, expected: &[u8], got: &[u8], blksize: usize) {
    if expected == got {
        return;
    }
    let mut message = format!(
        "{what}: the file is not byte-identical: expected {} bytes, got {}",
        expected.len(),
        got.len()
    );
    if let Some(at) = expected.iter().zip(got).position(|(a, b)| a != b) {
        let _ = write!(
            message,
            "; first difference at byte {at} (block {} at blksize {blksize}): \
             expected {:#04x}, got {:#04x}",
            at / blksize + 1,
            expected[at],
            got[at]
        );
    } else {
        let _ = write!(message, "; one is a prefix of the other");
    }
    panic!("{message}");
}

/// Reads `path`, failing the test with a message naming `what` if it is missing.
pub fn read(path: &Path, what: &str) -> Vec<u8> {
    std::fs::read(path)
        .unwrap_or_else(|e| panic!("{what}: could not read {}: {e}", path.display()))
}

/// A local file converted to netascii, the way RFC 764 puts it on the wire:
/// LF becomes CR LF and a bare CR becomes CR NUL.
pub fn to_netascii(local: &[u8]) -> Vec<u8> {
    let mut wire = Vec::with_capacity(local.len() + local.len() / 8);
    for &byte in local {
        match byte {
            b'\n' => wire.extend_from_slice(b"\r\n"),
            b'\r' => wire.extend_from_slice(b"\r\0"),
            other => wire.push(other),
        }
    }
    wire
}

/// TFTP packets built and read by hand, byte by byte as RFC 1350, 2347 and
/// 7440 lay them out, so a test does not trust the code under test to tell
/// it what is on the wire.
pub mod raw {
    use super::*;

    pub const RRQ: u16 = 1;
    pub const WRQ: u16 = 2;
    pub const DATA: u16 = 3;
    pub const ACK: u16 = 4;
    pub const ERROR: u16 = 5;
    pub const OACK: u16 = 6;

    /// A read or write request with optional `(name, value)` options.
    pub fn request(
        opcode: u16,
        name: &[u8],
        mode: &str,
        options: &[(&str, &str)],
    ) -> Vec<u8> {
        let mut packet = opcode.to_be_bytes().to_vec();
        packet.extend_from_slice(name);
        packet.push(0);
        packet.extend_from_slice(mode.as_bytes());
        packet.push(0);
        for (key, value) in options {
            packet.extend_from_slice(key.as_bytes());
            packet.push(0);
            packet.extend_from_slice(value.as_bytes());
            packet.push(0);
        }
        packet
    }

    /// RRQ `name` in `mode`.
    pub fn rrq(name: &str, mode: &str, options: &[(&str, &str)]) -> Vec<u8> {
        request(RRQ, name.as_bytes(), mode, options)
    }

    /// WRQ `name` in `mode`.
    pub fn wrq(name: &str, mode: &str, options: &[(&str, &str)]) -> Vec<u8> {
        request(WRQ, name.as_bytes(), mode, options)
    }

    pub fn data(block: u16, payload: &[u8]) -> Vec<u8> {
        let mut packet = DATA.to_be_bytes().to_vec();
        packet.extend_from_slice(&block.to_be_bytes());
        packet.extend_from_slice(payload);
        packet
    }

    pub fn ack(block: u16) -> Vec<u8> {
        let mut packet = ACK.to_be_bytes().to_vec();
        packet.extend_from_slice(&block.to_be_bytes());
        packet
    }

    pub fn error(code: u16, message: &str) -> Vec<u8> {
        let mut packet = ERROR.to_be_bytes().to_vec();
        packet.extend_from_slice(&code.to_be_bytes());
        packet.extend_from_slice(message.as_bytes());
        packet.push(0);
        packet
    }

    /// A packet as a test sees it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Packet {
        Data { block: u16, payload: Vec<u8> },
        Ack(u16),
        Error { code: u16, message: String },
        Oack(Vec<(String, String)>),
        Request { opcode: u16, fields: Vec<String> },
        Other(Vec<u8>),
    }

    /// Reads a packet; anything that does not fit a known layout is `Other`.
    pub fn parse(bytes: &[u8]) -> Packet {
        if bytes.len() < 2 {
            return Packet::Other(bytes.to_vec());
        }
        let opcode = u16::from_be_bytes([bytes[0], bytes[1]]);
        let body = &bytes[2..];
        let word = |b: &[u8]| u16::from_be_bytes([b[0], b[1]]);
        match opcode {
            DATA if body.len() >= 2 => Packet::Data {
                block: word(body),
                payload: body[2..].to_vec(),
            },
            ACK if body.len() == 2 => Packet::Ack(word(body)),
            ERROR if body.len() >= 3 && body.ends_with(&[0]) => Packet::Error {
                code: word(body),
                message: String::from_utf8_lossy(&body[2..body.len() - 1])
                    .into_owned(),
            },
            OACK if body.ends_with(&[0]) => {
                let fields = strings(body);
                if !fields.len().is_multiple_of(2) {
                    return Packet::Other(bytes.to_vec());
                }
                let pairs = fields
                    .chunks(2)
                    .map(|kv| (kv[0].to_ascii_lowercase(), kv[1].clone()))
                    .collect();
                Packet::Oack(pairs)
            }
            RRQ | WRQ if body.ends_with(&[0]) => Packet::Request {
                opcode,
                fields: strings(body),
            },
            _ => Packet::Other(bytes.to_vec()),
        }
    }

    fn strings(body: &[u8]) -> Vec<String> {
        body[..body.len() - 1]
            .split(|&b| b == 0)
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect()
    }

    /// A packet in words, for failure messages.
    pub fn describe(bytes: &[u8]) -> String {
        match parse(bytes) {
            Packet::Data { block, payload } => {
                format!("DATA block {block} ({} bytes)", payload.len())
            }
            Packet::Ack(block) => format!("ACK {block}"),
            Packet::Error { code, message } => format!("ERROR {code} {message:?}"),
            Packet::Oack(options) => format!("OACK {options:?}"),
            Packet::Request { opcode, fields } => {
                format!("opcode {opcode} {fields:?}")
            }
            Packet::Other(bytes) => {
                format!(
                    "an unparsable packet {}",
                    support::loopback::describe_bytes(&bytes)
                )
            }
        }
    }

    /// A UDP socket on 127.0.0.1 standing in for a TFTP peer.
    pub struct Peer {
        pub socket: UdpSocket,
    }

    impl Peer {
        pub fn new() -> Peer {
            Peer {
                socket: support::loopback::udp_socket(Duration::from_secs(5)),
            }
        }

        pub fn addr(&self) -> SocketAddr {
            self.socket.local_addr().expect("a bound socket")
        }

        pub fn send(&self, to: SocketAddr, packet: &[u8]) {
            self.socket.send_to(packet, to).unwrap_or_else(|e| {
                panic!("sending {} to {to}: {e}", describe(packet))
            });
        }

        /// The next datagram within `limit`, if any.
        pub fn recv(&self, limit: Duration) -> Option<(Vec<u8>, SocketAddr)> {
            support::loopback::recv_within(&self.socket, limit)
        }

        /// The next datagram within `limit`, or a test failure saying what was
        /// sent and what was awaited.
        pub fn expect(&self, limit: Duration, after: &str) -> (Packet, SocketAddr) {
            match self.recv(limit) {
                Some((bytes, from)) => (parse(&bytes), from),
                None => panic!(
                    "{after}: expected an answer within {} ms, got nothing",
                    limit.as_millis()
                ),
            }
        }

        /// Sends `packet` to `to` and expects an ERROR back; returns its code
        /// and message. `what` says what the packet was, for messages.
        pub fn expect_error(
            &self,
            to: SocketAddr,
            packet: &[u8],
            what: &str,
        ) -> (u16, String) {
            self.send(to, packet);
            let after = format!("sent {what} ({}) to {to}", describe(packet));
            match self.expect(Duration::from_secs(3), &after) {
                (Packet::Error { code, message }, _) => (code, message),
                (other, from) => {
                    panic!("{after}: expected an ERROR, got {other:?} from {from}")
                }
            }
        }
    }

    impl Default for Peer {
        fn default() -> Self {
            Peer::new()
        }
    }

    /// Downloads `name` in lock-step the plainest way (RFC 1350, with the
    /// given options), ACKing every block and resending the last ACK when
    /// nothing comes; returns the bytes exactly as they were on the wire.
    pub fn lockstep_get(
        server: SocketAddr,
        name: &str,
        mode: &str,
        options: &[(&str, &str)],
    ) -> Result<Vec<u8>, String> {
        let peer = Peer::new();
        // 512 unless the server's OACK says otherwise (RFC 2347: options
        // count only once acknowledged).
        let mut blksize = 512;
        let request = rrq(name, mode, options);
        peer.send(server, &request);
        let mut bytes = Vec::new();
        let mut expected: u16 = 1;
        let mut tid: Option<SocketAddr> = None;
        let mut last_sent = request;
        let mut silent_rounds = 0;
        loop {
            let Some((reply, from)) = peer.recv(Duration::from_millis(500)) else {
                silent_rounds += 1;
                if silent_rounds > 10 {
                    return Err(format!(
                        "the server went silent after {} bytes",
                        bytes.len()
                    ));
                }
                peer.send(tid.unwrap_or(server), &last_sent);
                continue;
            };
            silent_rounds = 0;
            if *tid.get_or_insert(from) != from {
                continue; // not our transfer
            }
            match parse(&reply) {
                Packet::Oack(agreed) if expected == 1 => {
                    if let Some((_, value)) =
                        agreed.iter().find(|(k, _)| k == "blksize")
                    {
                        blksize = value
                            .parse()
                            .map_err(|_| format!("OACK blksize {value:?}"))?;
                    }
                    last_sent = ack(0);
                    peer.send(from, &last_sent);
                }
                Packet::Data { block, payload } if block == expected => {
                    bytes.extend_from_slice(&payload);
                    last_sent = ack(block);
                    peer.send(from, &last_sent);
                    if payload.len() < blksize {
                        return Ok(bytes);
                    }
                    expected = expected.wrapping_add(1);
                }
                Packet::Data { .. } => peer.send(from, &last_sent),
                Packet::Error { code, message } => {
                    return Err(format!("ERROR {code} {message:?}"));
                }
                other => return Err(format!("unexpected {other:?}")),
            }
        }
    }

    /// Uploads `wire` (sent as is) in lock-step with 512-byte blocks.
    pub fn lockstep_put(
        server: SocketAddr,
        name: &str,
        mode: &str,
        wire: &[u8],
    ) -> Result<(), String> {
        let peer = Peer::new();
        let request = wrq(name, mode, &[]);
        peer.send(server, &request);
        let (first, tid) = match peer.recv(Duration::from_secs(3)) {
            Some((reply, from)) => (parse(&reply), from),
            None => return Err("no answer to the WRQ".into()),
        };
        match first {
            Packet::Ack(0) => {}
            Packet::Error { code, message } => {
                return Err(format!("ERROR {code} {message:?}"));
            }
            other => return Err(format!("expected ACK 0, got {other:?}")),
        }
        let mut chunks: Vec<&[u8]> = wire.chunks(512).collect();
        if wire.len().is_multiple_of(512) {
            chunks.push(&[]);
        }
        for (i, chunk) in chunks.iter().enumerate() {
            let block = (i + 1) as u16;
            let packet = data(block, chunk);
            let mut acked = false;
            for _attempt in 0..10 {
                peer.send(tid, &packet);
                let deadline = Instant::now() + Duration::from_millis(500);
                while let Some((reply, from)) =
                    peer.recv(deadline.saturating_duration_since(Instant::now()))
                {
                    if from != tid {
                        continue;
                    }
                    match parse(&reply) {
                        Packet::Ack(b) if b == block => {
                            acked = true;
                            break;
                        }
                        Packet::Error { code, message } => {
                            return Err(format!(
                                "ERROR {code} {message:?} at block {block}"
                            ));
                        }
                        _ => {}
                    }
                }
                if acked {
                    break;
                }
            }
            if !acked {
                return Err(format!("block {block} was never acknowledged"));
            }
        }
        Ok(())
    }
}
