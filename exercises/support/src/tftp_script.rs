//! Scripted TFTP peers: a fake server and a fake client that play a fixed
//! exchange, packet by packet, and say exactly where the code under test
//! went wrong ("expected ACK 3, got ACK 2").
//!
//! A real TFTP peer forgives a lot; a script forgives nothing, so each rule
//! of the protocol can be tested on its own before a real peer is involved.
//! A script is a list of [`Step`]s: what the peer sends ([`Step::Send`]),
//! what it must receive next ([`Step::Expect`]), what a stranger sends from
//! a port of its own ([`Step::FromStranger`]), how long nothing may come
//! ([`Step::Silence`]). Two steps play a whole file in lock-step:
//! [`Step::SendFile`] and [`Step::ReceiveFile`].
//!
//! ```text
//!   ScriptedServer (the fake server)         ScriptedClient (the fake client)
//!   listener ("port 69")  <-- RRQ --  code   code  <-- RRQ --  client socket
//!   transfer socket (TID) -- DATA 1 ->       code  -- DATA 1 -> (TID learnt)
//! ```
//!
//! The scripted server listens on one socket (its "port 69", see
//! [`ScriptedServer::addr`]) and answers from a second one, as a real
//! server answers from a new port for each transfer. The scripted client
//! sends its first packet to the server's address and everything after to
//! the port the first answer came from.
//!
//! This module encodes TFTP by itself ([`Pkt`]), independently of the code
//! under test. Retransmissions are protocol, not mistakes: while a step
//! waits for a packet, an exact repeat of the datagram received just before
//! is noted in the [`Transcript`] and passed over. Tests that care how often
//! something was sent count it there.
//!
//! Put a [`crate::proxy::LossyProxy`] in front of a scripted peer to lose or
//! duplicate chosen packets on the way.

use std::fmt::{self, Write as _};
use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::loopback::is_timeout;

/// How long a step waits for the packet it expects, unless told otherwise.
pub const PATIENCE: Duration = Duration::from_secs(2);

/// How long [`Step::SendFile`] and [`Step::ReceiveFile`] wait for an answer
/// before they send their last packet again (a peer that lost it).
pub const RESEND_AFTER: Duration = Duration::from_millis(400);

/// How often [`Step::SendFile`] and [`Step::ReceiveFile`] send a packet
/// again before they give up.
pub const RESENDS: u32 = 8;

/// One TFTP packet as the scripts write and read it, independent of any
/// crate under test. Error codes are plain numbers, options name/value pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pkt {
    /// Read request: file name, mode, options.
    Rrq {
        /// The file name.
        file: String,
        /// The mode name ("octet").
        mode: String,
        /// The options, in the order sent.
        options: Vec<(String, String)>,
    },
    /// Write request: file name, mode, options.
    Wrq {
        /// The file name.
        file: String,
        /// The mode name ("octet").
        mode: String,
        /// The options, in the order sent.
        options: Vec<(String, String)>,
    },
    /// One block of a file.
    Data {
        /// The block number on the wire.
        block: u16,
        /// The payload.
        data: Vec<u8>,
    },
    /// Acknowledges a block.
    Ack {
        /// The block number on the wire.
        block: u16,
    },
    /// Ends a transfer.
    Error {
        /// The error code (0–8).
        code: u16,
        /// The message (ignored when a script expects an ERROR).
        message: String,
    },
    /// The options a server accepted.
    Oack {
        /// The options, in the order sent.
        options: Vec<(String, String)>,
    },
}

fn pairs(options: &[(&str, &str)]) -> Vec<(String, String)> {
    options
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

impl Pkt {
    /// An RRQ for `file` in octet mode, without options.
    pub fn rrq(file: &str) -> Pkt {
        Pkt::rrq_with(file, &[])
    }

    /// An RRQ for `file` in octet mode with these options.
    pub fn rrq_with(file: &str, options: &[(&str, &str)]) -> Pkt {
        Pkt::Rrq {
            file: file.to_string(),
            mode: "octet".to_string(),
            options: pairs(options),
        }
    }

    /// A WRQ for `file` in octet mode, without options.
    pub fn wrq(file: &str) -> Pkt {
        Pkt::wrq_with(file, &[])
    }

    /// A WRQ for `file` in octet mode with these options.
    pub fn wrq_with(file: &str, options: &[(&str, &str)]) -> Pkt {
        Pkt::Wrq {
            file: file.to_string(),
            mode: "octet".to_string(),
            options: pairs(options),
        }
    }

    /// DATA `block` carrying `data`.
    pub fn data(block: u16, data: &[u8]) -> Pkt {
        Pkt::Data {
            block,
            data: data.to_vec(),
        }
    }

    /// ACK `block`.
    pub fn ack(block: u16) -> Pkt {
        Pkt::Ack { block }
    }

    /// ERROR `code` with `message`.
    pub fn error(code: u16, message: &str) -> Pkt {
        Pkt::Error {
            code,
            message: message.to_string(),
        }
    }

    /// An OACK with these options.
    pub fn oack(options: &[(&str, &str)]) -> Pkt {
        Pkt::Oack {
            options: pairs(options),
        }
    }

    /// The packet's bytes on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let text = |out: &mut Vec<u8>, s: &str| {
            out.extend_from_slice(s.as_bytes());
            out.push(0);
        };
        match self {
            Pkt::Rrq {
                file,
                mode,
                options,
            }
            | Pkt::Wrq {
                file,
                mode,
                options,
            } => {
                let opcode: u16 = if matches!(self, Pkt::Rrq { .. }) {
                    1
                } else {
                    2
                };
                out.extend_from_slice(&opcode.to_be_bytes());
                text(&mut out, file);
                text(&mut out, mode);
                for (name, value) in options {
                    text(&mut out, name);
                    text(&mut out, value);
                }
            }
            Pkt::Data { block, data } => {
                out.extend_from_slice(&3u16.to_be_bytes());
                out.extend_from_slice(&block.to_be_bytes());
                out.extend_from_slice(data);
            }
            Pkt::Ack { block } => {
                out.extend_from_slice(&4u16.to_be_bytes());
                out.extend_from_slice(&block.to_be_bytes());
            }
            Pkt::Error { code, message } => {
                out.extend_from_slice(&5u16.to_be_bytes());
                out.extend_from_slice(&code.to_be_bytes());
                text(&mut out, message);
            }
            Pkt::Oack { options } => {
                out.extend_from_slice(&6u16.to_be_bytes());
                for (name, value) in options {
                    text(&mut out, name);
                    text(&mut out, value);
                }
            }
        }
        out
    }

    /// Reads a datagram, or says why it is not a TFTP packet.
    pub fn parse(bytes: &[u8]) -> Result<Pkt, String> {
        let Some((&[hi, lo], body)) = bytes.split_first_chunk::<2>() else {
            return Err(format!("a {}-byte datagram (no opcode)", bytes.len()));
        };
        let number = |b: &[u8]| -> Result<u16, String> {
            match b {
                [hi, lo, ..] => Ok(u16::from_be_bytes([*hi, *lo])),
                _ => Err(format!(
                    "a truncated packet of {} bytes [{}]",
                    bytes.len(),
                    hex(bytes)
                )),
            }
        };
        let strings = |b: &[u8]| -> Result<Vec<String>, String> {
            if !b.is_empty() && b.last() != Some(&0) {
                return Err(format!(
                    "a packet whose last text field has no zero byte [{}]",
                    hex(bytes)
                ));
            }
            Ok(b.split(|&c| c == 0)
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect::<Vec<_>>()
                .split_last()
                .map(|(_, rest)| rest.to_vec())
                .unwrap_or_default())
        };
        let options = |fields: &[String]| -> Result<Vec<(String, String)>, String> {
            if !fields.len().is_multiple_of(2) {
                return Err(format!("an option without a value [{}]", hex(bytes)));
            }
            Ok(fields
                .chunks(2)
                .map(|p| (p[0].clone(), p[1].clone()))
                .collect())
        };
        match u16::from_be_bytes([hi, lo]) {
            op @ (1 | 2) => {
                let fields = strings(body)?;
                if fields.len() < 2 {
                    return Err(format!(
                        "a request without a file name and a mode [{}]",
                        hex(bytes)
                    ));
                }
                let file = fields[0].clone();
                let mode = fields[1].clone();
                let options = options(&fields[2..])?;
                Ok(if op == 1 {
                    Pkt::Rrq {
                        file,
                        mode,
                        options,
                    }
                } else {
                    Pkt::Wrq {
                        file,
                        mode,
                        options,
                    }
                })
            }
            3 => Ok(Pkt::Data {
                block: number(body)?,
                data: body[2..].to_vec(),
            }),
            4 if body.len() == 2 => Ok(Pkt::Ack {
                block: number(body)?,
            }),
            4 => Err(format!(
                "an ACK of {} bytes (an ACK is exactly 4) [{}]",
                bytes.len(),
                hex(bytes)
            )),
            5 => {
                let code = number(body)?;
                let message =
                    strings(&body[2..])?.into_iter().next().unwrap_or_default();
                Ok(Pkt::Error { code, message })
            }
            6 => Ok(Pkt::Oack {
                options: options(&strings(body)?)?,
            }),
            other => Err(format!(
                "a packet with unknown opcode {other} [{}]",
                hex(bytes)
            )),
        }
    }

    /// Whether `self`, received, is what `expected` asks for: the same
    /// packet, except that an ERROR's message is not compared, mode and
    /// option names compare without case, and options in any order.
    pub fn matches(&self, expected: &Pkt) -> bool {
        let same_options = |a: &[(String, String)], b: &[(String, String)]| {
            let norm = |o: &[(String, String)]| {
                let mut v: Vec<(String, String)> = o
                    .iter()
                    .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                    .collect();
                v.sort();
                v
            };
            norm(a) == norm(b)
        };
        match (self, expected) {
            (
                Pkt::Rrq {
                    file: f1,
                    mode: m1,
                    options: o1,
                },
                Pkt::Rrq {
                    file: f2,
                    mode: m2,
                    options: o2,
                },
            )
            | (
                Pkt::Wrq {
                    file: f1,
                    mode: m1,
                    options: o1,
                },
                Pkt::Wrq {
                    file: f2,
                    mode: m2,
                    options: o2,
                },
            ) => f1 == f2 && m1.eq_ignore_ascii_case(m2) && same_options(o1, o2),
            (Pkt::Error { code: c1, .. }, Pkt::Error { code: c2, .. }) => c1 == c2,
            (Pkt::Oack { options: o1 }, Pkt::Oack { options: o2 }) => {
                same_options(o1, o2)
            }
            (a, b) => a == b,
        }
    }
}

impl fmt::Display for Pkt {
    /// "ACK 3", "DATA 2 (512 bytes)", "ERROR 1 \"File not found\"",
    /// "RRQ \"a.txt\" octet blksize=1024".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let opts = |options: &[(String, String)]| -> String {
            options.iter().map(|(n, v)| format!(" {n}={v}")).collect()
        };
        match self {
            Pkt::Rrq {
                file,
                mode,
                options,
            } => write!(f, "RRQ {file:?} {mode}{}", opts(options)),
            Pkt::Wrq {
                file,
                mode,
                options,
            } => write!(f, "WRQ {file:?} {mode}{}", opts(options)),
            Pkt::Data { block, data } => {
                write!(f, "DATA {block} ({} bytes)", data.len())
            }
            Pkt::Ack { block } => write!(f, "ACK {block}"),
            Pkt::Error { code, message } => write!(f, "ERROR {code} {message:?}"),
            Pkt::Oack { options } if options.is_empty() => write!(f, "OACK (empty)"),
            Pkt::Oack { options } => write!(f, "OACK{}", opts(options)),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    let shown: Vec<String> =
        bytes.iter().take(24).map(|b| format!("{b:02x}")).collect();
    let more = if bytes.len() > 24 { " …" } else { "" };
    format!("{}{more}", shown.join(" "))
}

/// A datagram as a failure message shows it: the packet, or why it is not
/// one.
pub fn describe(bytes: &[u8]) -> String {
    match Pkt::parse(bytes) {
        Ok(packet) => packet.to_string(),
        Err(why) => why,
    }
}

/// One thing a scripted peer does.
#[derive(Debug, Clone)]
pub enum Step {
    /// Wait for the next packet from the peer under test: it must be this.
    /// A scripted server reads an RRQ or WRQ on its listening socket and
    /// everything else on its transfer socket; the first RRQ/WRQ tells it
    /// who the client is.
    Expect(Pkt),
    /// Send this packet to the peer under test.
    Send(Pkt),
    /// Send these bytes as they are (a malformed packet, say).
    SendRaw(Vec<u8>),
    /// Send this packet from a third socket, a stranger to the transfer.
    FromStranger(Pkt),
    /// The stranger's socket must receive this packet (an ERROR 5, say).
    StrangerExpects(Pkt),
    /// A scripted server sends this packet from its listening socket
    /// instead of its transfer socket: once the transfer has started, that
    /// port is a stranger to it too.
    FromListener(Pkt),
    /// Nothing may arrive for this long, except a repeat of the datagram
    /// received just before (a retransmission).
    Silence(Duration),
    /// Let this much time pass, noting what arrives without judging it.
    Wait(Duration),
    /// Send `data` in lock-step, blocks of `blksize` bytes numbered from
    /// `first_block` (wrapping after 65535), each DATA followed by waiting
    /// for its ACK, and a block shorter than `blksize` (empty if need be)
    /// last. A DATA whose ACK does not come within [`RESEND_AFTER`] is sent
    /// again, up to [`RESENDS`] times.
    SendFile {
        /// The file's bytes.
        data: Vec<u8>,
        /// Bytes per block.
        blksize: usize,
        /// The first block's number (1, unless the test starts later).
        first_block: u16,
    },
    /// Receive a file in lock-step: DATA 1, 2, … each answered with its
    /// ACK, until a block shorter than `blksize`; the bytes must be `data`.
    /// When nothing comes for [`RESEND_AFTER`] the last ACK (or the
    /// `first` packet, ACK 0 by default) is sent again, up to [`RESENDS`]
    /// times; a repeat of the block just acknowledged is acknowledged
    /// again.
    ReceiveFile {
        /// The bytes that must arrive.
        data: Vec<u8>,
        /// Bytes per block.
        blksize: usize,
    },
}

impl Step {
    /// [`Step::SendFile`] of `data` in 512-byte blocks from block 1.
    pub fn send_file(data: &[u8]) -> Step {
        Step::SendFile {
            data: data.to_vec(),
            blksize: 512,
            first_block: 1,
        }
    }

    /// [`Step::ReceiveFile`] of `data` in 512-byte blocks.
    pub fn receive_file(data: &[u8]) -> Step {
        Step::ReceiveFile {
            data: data.to_vec(),
            blksize: 512,
        }
    }
}

/// Which socket of a scripted peer a datagram came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Socket {
    /// The scripted server's listening socket ("port 69").
    Listener,
    /// The transfer socket (the server's TID, or the client's socket).
    Transfer,
    /// The stranger's socket.
    Stranger,
}

/// One datagram a scripted peer received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Which of its sockets got it.
    pub socket: Socket,
    /// Who sent it.
    pub from: SocketAddr,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// When, from the start of the script.
    pub at: Duration,
    /// Whether it came after the script's last step.
    pub after_script: bool,
}

impl Seen {
    /// The packet, if it is one.
    pub fn packet(&self) -> Option<Pkt> {
        Pkt::parse(&self.bytes).ok()
    }
}

/// Everything a scripted peer saw, for the checks a script cannot make.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    /// Every datagram received, in order.
    pub seen: Vec<Seen>,
    /// Where the peer under test sent from: for a scripted client, the
    /// server's transfer ID (the source of its first answer); for a
    /// scripted server, the client's address.
    pub peer: Option<SocketAddr>,
    /// What the script sent, in order.
    pub sent: Vec<String>,
}

impl Transcript {
    /// The datagrams that came from the peer under test (a socket's port
    /// may have served another test before, whose peer still writes to it).
    pub fn from_peer(&self) -> impl Iterator<Item = &Seen> {
        self.seen
            .iter()
            .filter(|s| self.peer.is_none_or(|peer| s.from == peer))
    }

    /// How many datagrams from the peer under test match `packet`.
    pub fn count(&self, packet: &Pkt) -> usize {
        self.from_peer()
            .filter(|s| s.packet().is_some_and(|p| p.matches(packet)))
            .count()
    }

    /// How many DATA packets came from the peer under test.
    pub fn count_data(&self) -> usize {
        self.from_peer()
            .filter(|s| matches!(s.packet(), Some(Pkt::Data { .. })))
            .count()
    }

    /// The datagrams received after the script's last step.
    pub fn after_script(&self) -> Vec<&Seen> {
        self.seen.iter().filter(|s| s.after_script).collect()
    }

    /// The exchange as lines, `->` for what the script sent and `<-` for
    /// what it received, for failure messages.
    pub fn show(&self) -> String {
        let mut out = String::new();
        for line in self.sent.iter().take(40) {
            let _ = writeln!(out, "  script sent      {line}");
        }
        for seen in self.seen.iter().take(40) {
            let _ = writeln!(
                out,
                "  script received  {} from {} ({:?} socket, at {} ms)",
                describe(&seen.bytes),
                seen.from,
                seen.socket,
                seen.at.as_millis()
            );
        }
        out
    }
}

/// The sockets and memory of one running script.
struct Engine {
    role: &'static str,
    transfer: UdpSocket,
    listener: Option<UdpSocket>,
    stranger: Option<UdpSocket>,
    /// Where the script's packets go (the peer under test).
    peer: Option<SocketAddr>,
    /// Whether `peer` is still the server's listening address (a scripted
    /// client before the first answer).
    peer_is_provisional: bool,
    patience: Duration,
    started: Instant,
    transcript: Transcript,
    /// The last datagram received on the transfer or listening socket,
    /// whose exact repeats are retransmissions, not mistakes.
    last: Option<Vec<u8>>,
    step: usize,
    steps: usize,
}

/// A failed step, as a sentence.
type Mismatch = String;

impl Engine {
    fn new(role: &'static str, transfer: UdpSocket, patience: Duration) -> Engine {
        Engine {
            role,
            transfer,
            listener: None,
            stranger: None,
            peer: None,
            peer_is_provisional: false,
            patience,
            started: Instant::now(),
            transcript: Transcript::default(),
            last: None,
            step: 0,
            steps: 0,
        }
    }

    fn play(&mut self, steps: &[Step]) -> Result<(), Mismatch> {
        self.steps = steps.len();
        for (index, step) in steps.iter().enumerate() {
            self.step = index + 1;
            self.run(step)?;
        }
        Ok(())
    }

    fn run(&mut self, step: &Step) -> Result<(), Mismatch> {
        match step {
            Step::Expect(packet) => self.expect(packet, self.patience).map(|_| ()),
            Step::Send(packet) => self.send(packet),
            Step::SendRaw(bytes) => {
                let to = self.peer_or_fail()?;
                self.transcript.sent.push(describe(bytes));
                self.transfer
                    .send_to(bytes, to)
                    .map(|_| ())
                    .map_err(|e| format!("the {} could not send: {e}", self.role))
            }
            Step::FromStranger(packet) => {
                let to = self.peer_or_fail()?;
                self.transcript
                    .sent
                    .push(format!("{packet} (from a stranger)"));
                self.stranger()?
                    .send_to(&packet.to_bytes(), to)
                    .map(|_| ())
                    .map_err(|e| format!("the stranger could not send: {e}"))
            }
            Step::StrangerExpects(packet) => self.stranger_expects(packet),
            Step::FromListener(packet) => {
                let to = self.peer_or_fail()?;
                let listener = self.listener.as_ref().ok_or_else(|| {
                    "only a scripted server has a listening socket".to_string()
                })?;
                self.transcript
                    .sent
                    .push(format!("{packet} (from the listening port)"));
                listener
                    .send_to(&packet.to_bytes(), to)
                    .map(|_| ())
                    .map_err(|e| format!("the listener could not send: {e}"))
            }
            Step::Silence(duration) => self.silence(*duration),
            Step::Wait(duration) => {
                let until = Instant::now() + *duration;
                while let Some(seen) = self.recv_any(until) {
                    self.transcript.seen.push(seen);
                }
                Ok(())
            }
            Step::SendFile {
                data,
                blksize,
                first_block,
            } => self.send_file(data, *blksize, *first_block),
            Step::ReceiveFile { data, blksize } => self.receive_file(data, *blksize),
        }
    }

    fn peer_or_fail(&self) -> Result<SocketAddr, Mismatch> {
        self.peer.ok_or_else(|| {
            format!(
                "the script of the {} sends before it knows its peer (a test bug: \
                 expect the request first)",
                self.role
            )
        })
    }

    fn stranger(&mut self) -> Result<&UdpSocket, Mismatch> {
        if self.stranger.is_none() {
            let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
                .map_err(|e| format!("could not bind the stranger's socket: {e}"))?;
            self.stranger = Some(socket);
        }
        Ok(self.stranger.as_ref().expect("just bound"))
    }

    fn send(&mut self, packet: &Pkt) -> Result<(), Mismatch> {
        let to = self.peer_or_fail()?;
        self.transcript.sent.push(packet.to_string());
        self.transfer
            .send_to(&packet.to_bytes(), to)
            .map(|_| ())
            .map_err(|e| format!("the {} could not send {packet}: {e}", self.role))
    }

    /// The next datagram on any of our sockets before `until`.
    fn recv_any(&mut self, until: Instant) -> Option<Seen> {
        loop {
            let now = Instant::now();
            if now >= until {
                return None;
            }
            let slice = (now + Duration::from_millis(10)).min(until);
            let sockets = [
                (Socket::Transfer, Some(&self.transfer)),
                (Socket::Listener, self.listener.as_ref()),
                (Socket::Stranger, self.stranger.as_ref()),
            ];
            for (which, socket) in sockets {
                let Some(socket) = socket else { continue };
                let slice = if which == Socket::Transfer {
                    slice
                } else {
                    Instant::now() + Duration::from_millis(1)
                };
                if let Ok(Some((bytes, from))) =
                    recv_ignoring_timeouts(socket, slice)
                {
                    return Some(Seen {
                        socket: which,
                        from,
                        bytes,
                        at: self.started.elapsed(),
                        after_script: false,
                    });
                }
            }
        }
    }

    fn where_to_expect(&self, packet: &Pkt) -> Socket {
        let is_request = matches!(packet, Pkt::Rrq { .. } | Pkt::Wrq { .. });
        if self.listener.is_some() && is_request {
            Socket::Listener
        } else {
            Socket::Transfer
        }
    }

    /// Waits for `packet`; returns it as received.
    fn expect(&mut self, packet: &Pkt, patience: Duration) -> Result<Pkt, Mismatch> {
        match self.expect_or_silence(packet, patience)? {
            Some(got) => Ok(got),
            None => Err(self.nothing_came(packet, patience)),
        }
    }

    /// Waits for `packet`: `Ok(None)` when nothing came in time, an error
    /// for anything else than `packet` or a repeat.
    fn expect_or_silence(
        &mut self,
        packet: &Pkt,
        patience: Duration,
    ) -> Result<Option<Pkt>, Mismatch> {
        let want = self.where_to_expect(packet);
        let until = Instant::now() + patience;
        while let Some(seen) = self.recv_any(until) {
            let from = seen.from;
            let socket = seen.socket;
            let bytes = seen.bytes.clone();
            self.transcript.seen.push(seen);
            if socket == Socket::Stranger {
                continue;
            }
            if socket != want {
                // A repeated request on the listener, or a packet sent to
                // the wrong port: noted, and mentioned if nothing else comes.
                continue;
            }
            if let Some(peer) = self.peer
                && !self.peer_is_provisional
                && socket == Socket::Transfer
                && from != peer
            {
                // Not from the peer under test: noted, not judged here.
                continue;
            }
            let is_repeat = self.last.as_deref() == Some(&bytes[..]);
            self.last = Some(bytes.clone());
            match Pkt::parse(&bytes) {
                Ok(got) if got.matches(packet) => {
                    self.learn_peer(from);
                    return Ok(Some(got));
                }
                _ if is_repeat => continue,
                Ok(got) => {
                    return Err(format!("expected {packet}, got {got}"));
                }
                Err(why) => return Err(format!("expected {packet}, got {why}")),
            }
        }
        Ok(None)
    }

    fn learn_peer(&mut self, from: SocketAddr) {
        if self.peer.is_none() || self.peer_is_provisional {
            self.peer = Some(from);
            self.peer_is_provisional = false;
            self.transcript.peer = Some(from);
        }
    }

    /// The message for an expected packet that never came, with what came
    /// instead (to the wrong port, from the wrong address).
    fn nothing_came(&self, packet: &Pkt, patience: Duration) -> Mismatch {
        let want = self.where_to_expect(packet);
        let strays: Vec<String> = self
            .transcript
            .seen
            .iter()
            .rev()
            .take(5)
            .filter(|s| s.socket != want || self.peer.is_some_and(|p| p != s.from))
            .map(|s| match s.socket {
                Socket::Listener => format!(
                    "{} came to the server's listening port instead (after the \
                     first answer, send to the port it came from: the transfer ID)",
                    describe(&s.bytes)
                ),
                _ => format!("{} came from {}", describe(&s.bytes), s.from),
            })
            .collect();
        let mut message = format!(
            "expected {packet}, got nothing within {} ms",
            patience.as_millis()
        );
        if !strays.is_empty() {
            let _ = write!(message, "; meanwhile {}", strays.join("; "));
        }
        message
    }

    fn stranger_expects(&mut self, packet: &Pkt) -> Result<(), Mismatch> {
        let until = Instant::now() + self.patience;
        let stranger = self.stranger()?.try_clone().map_err(|e| e.to_string())?;
        match recv_ignoring_timeouts(&stranger, until) {
            Ok(Some((bytes, from))) => {
                self.transcript.seen.push(Seen {
                    socket: Socket::Stranger,
                    from,
                    bytes: bytes.clone(),
                    at: self.started.elapsed(),
                    after_script: false,
                });
                match Pkt::parse(&bytes) {
                    Ok(got) if got.matches(packet) => Ok(()),
                    Ok(got) => Err(format!(
                        "the stranger expected {packet} in answer, got {got}"
                    )),
                    Err(why) => Err(format!(
                        "the stranger expected {packet} in answer, got {why}"
                    )),
                }
            }
            Ok(None) => Err(format!(
                "a stranger (a port that is not the transfer's) sent a packet and \
                 expected {packet} in answer, got nothing within {} ms",
                self.patience.as_millis()
            )),
            Err(e) => Err(format!("the stranger could not receive: {e}")),
        }
    }

    fn silence(&mut self, duration: Duration) -> Result<(), Mismatch> {
        let until = Instant::now() + duration;
        while let Some(seen) = self.recv_any(until) {
            let socket = seen.socket;
            let bytes = seen.bytes.clone();
            self.transcript.seen.push(seen);
            let is_repeat = self.last.as_deref() == Some(&bytes[..]);
            if socket == Socket::Transfer && !is_repeat {
                return Err(format!(
                    "expected nothing for {} ms, got {}",
                    duration.as_millis(),
                    describe(&bytes)
                ));
            }
        }
        Ok(())
    }

    fn send_file(
        &mut self,
        data: &[u8],
        blksize: usize,
        first_block: u16,
    ) -> Result<(), Mismatch> {
        let mut block = first_block;
        let mut offset = 0;
        loop {
            let end = (offset + blksize).min(data.len());
            let chunk = &data[offset..end];
            let packet = Pkt::data(block, chunk);
            let ack = Pkt::ack(block);
            let mut tries = 0;
            loop {
                self.send(&packet)?;
                if self.expect_or_silence(&ack, RESEND_AFTER)?.is_some() {
                    break;
                }
                tries += 1;
                if tries > RESENDS {
                    return Err(
                        self.nothing_came(&ack, RESEND_AFTER * (RESENDS + 1))
                    );
                }
            }
            if chunk.len() < blksize {
                return Ok(());
            }
            offset = end;
            block = block.wrapping_add(1);
        }
    }

    fn receive_file(&mut self, data: &[u8], blksize: usize) -> Result<(), Mismatch> {
        let mut block: u16 = 1;
        let mut offset = 0;
        let mut last_ack: Option<Pkt> = None;
        loop {
            let end = (offset + blksize).min(data.len());
            let expected = Pkt::data(block, &data[offset..end]);
            let mut tries = 0;
            loop {
                let until = Instant::now() + RESEND_AFTER;
                let mut got = None;
                while let Some(seen) = self.recv_any(until) {
                    let bytes = seen.bytes.clone();
                    let socket = seen.socket;
                    let from = seen.from;
                    self.transcript.seen.push(seen);
                    if socket != Socket::Transfer
                        || self
                            .peer
                            .is_some_and(|p| p != from && !self.peer_is_provisional)
                    {
                        continue;
                    }
                    self.learn_peer(from);
                    match Pkt::parse(&bytes) {
                        Ok(p) if p == expected => {
                            got = Some(p);
                            break;
                        }
                        Ok(Pkt::Data { block: b, .. })
                            if b == block.wrapping_sub(1) =>
                        {
                            // Our ACK was lost: say it again.
                            if let Some(ack) = last_ack.clone() {
                                self.send(&ack)?;
                            }
                        }
                        Ok(Pkt::Data { block: b, data: d }) if b == block => {
                            return Err(format!(
                                "expected {expected}, got DATA {b} ({} bytes) whose bytes \
                                 differ from the file's (first difference at byte {} of \
                                 the block)",
                                d.len(),
                                first_difference(&d, &data[offset..end])
                            ));
                        }
                        Ok(other) => {
                            return Err(format!("expected {expected}, got {other}"));
                        }
                        Err(why) => {
                            return Err(format!("expected {expected}, got {why}"));
                        }
                    }
                }
                if got.is_some() {
                    break;
                }
                tries += 1;
                if tries > RESENDS {
                    return Err(
                        self.nothing_came(&expected, RESEND_AFTER * (RESENDS + 1))
                    );
                }
                if let Some(ack) = last_ack.clone() {
                    self.send(&ack)?;
                }
            }
            let ack = Pkt::ack(block);
            self.send(&ack)?;
            last_ack = Some(ack);
            if end - offset < blksize {
                return Ok(());
            }
            offset = end;
            block = block.wrapping_add(1);
        }
    }

    /// Notes what arrives until `stop` is set (after the script's end).
    fn linger(&mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) {
            let until = Instant::now() + Duration::from_millis(20);
            if let Some(mut seen) = self.recv_any(until) {
                seen.after_script = true;
                self.transcript.seen.push(seen);
            }
        }
    }

    fn failure(&self, mismatch: &str) -> String {
        format!(
            "the scripted {} failed at step {} of {}: {mismatch}\nthe exchange:\n{}",
            self.role,
            self.step,
            self.steps,
            self.transcript.show()
        )
    }
}

fn first_difference(a: &[u8], b: &[u8]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

/// One receive before `until`, `None` on a timeout.
fn recv_ignoring_timeouts(
    socket: &UdpSocket,
    until: Instant,
) -> io::Result<Option<(Vec<u8>, SocketAddr)>> {
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 65_536]);
    }
    BUFFER.with_borrow_mut(|buf| {
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(None);
            }
            socket.set_read_timeout(Some(left))?;
            match socket.recv_from(buf) {
                Ok((len, from)) => return Ok(Some((buf[..len].to_vec(), from))),
                Err(e) if is_timeout(&e) => return Ok(None),
                // Linux reports an ICMP "port unreachable" for an earlier send
                // on the next receive: not a datagram, not our business.
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => continue,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    })
}

/// A fake TFTP server playing a script on a thread of its own.
///
/// ```no_run
/// use support::tftp_script::{Pkt, ScriptedServer, Step};
///
/// let server = ScriptedServer::start(vec![
///     Step::Expect(Pkt::rrq("hello.txt")),
///     Step::Send(Pkt::data(1, b"hello")),
///     Step::Expect(Pkt::ack(1)),
/// ]);
/// // ... run the client under test against server.addr() ...
/// let transcript = server.finish(); // panics with what went wrong
/// ```
pub struct ScriptedServer {
    addr: SocketAddr,
    transfer_addr: SocketAddr,
    stop: Arc<AtomicBool>,
    played: Arc<AtomicBool>,
    thread: Option<JoinHandle<(Result<(), String>, Transcript)>>,
}

impl ScriptedServer {
    /// Starts the script with the default [`PATIENCE`].
    pub fn start(steps: Vec<Step>) -> ScriptedServer {
        ScriptedServer::start_with(steps, PATIENCE)
    }

    /// Starts the script; each step waits up to `patience` for a packet.
    pub fn start_with(steps: Vec<Step>, patience: Duration) -> ScriptedServer {
        let listener = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .expect("could not bind the scripted server's listening socket");
        let transfer = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .expect("could not bind the scripted server's transfer socket");
        let addr = listener
            .local_addr()
            .expect("a bound socket has an address");
        let transfer_addr = transfer
            .local_addr()
            .expect("a bound socket has an address");
        let stop = Arc::new(AtomicBool::new(false));
        let stop_flag = Arc::clone(&stop);
        let played = Arc::new(AtomicBool::new(false));
        let played_flag = Arc::clone(&played);
        let thread = thread::Builder::new()
            .name("scripted TFTP server".into())
            .spawn(move || {
                let mut engine = Engine::new("server", transfer, patience);
                engine.listener = Some(listener);
                let outcome = engine.play(&steps).map_err(|m| engine.failure(&m));
                played_flag.store(true, Ordering::SeqCst);
                engine.linger(&stop_flag);
                (outcome, engine.transcript)
            })
            .expect("could not start the scripted server's thread");
        ScriptedServer {
            addr,
            transfer_addr,
            stop,
            played,
            thread: Some(thread),
        }
    }

    /// The server's listening address, where requests go ("port 69").
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port it answers from: the transfer ID.
    pub fn transfer_addr(&self) -> SocketAddr {
        self.transfer_addr
    }

    /// Waits for the script to end (each step is bounded by its patience),
    /// and returns what it saw; panics with the exchange if a step failed.
    pub fn finish(self) -> Transcript {
        match self.outcome() {
            (Ok(()), transcript) => transcript,
            (Err(failure), _) => panic!("{failure}"),
        }
    }

    /// Like [`ScriptedServer::finish`], but hands back the failure instead
    /// of panicking.
    pub fn outcome(mut self) -> (Result<(), String>, Transcript) {
        self.wait()
    }

    fn wait(&mut self) -> (Result<(), String>, Transcript) {
        let thread = self.thread.take().expect("finished only once");
        // The script ends by itself (each step is bounded); then it only
        // lingers, noting late datagrams, until told to stop.
        while !self.played.load(Ordering::SeqCst) && !thread.is_finished() {
            thread::sleep(Duration::from_millis(5));
        }
        self.stop.store(true, Ordering::SeqCst);
        thread.join().unwrap_or_else(|_| {
            (
                Err("the scripted server panicked".into()),
                Transcript::default(),
            )
        })
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// A fake TFTP client playing a script against a server, on the calling
/// thread.
pub struct ScriptedClient {
    server: SocketAddr,
    patience: Duration,
}

impl ScriptedClient {
    /// A client of the server listening at `server`, with the default
    /// [`PATIENCE`].
    pub fn new(server: SocketAddr) -> ScriptedClient {
        ScriptedClient {
            server,
            patience: PATIENCE,
        }
    }

    /// The same client, waiting up to `patience` for each packet.
    pub fn with_patience(mut self, patience: Duration) -> ScriptedClient {
        self.patience = patience;
        self
    }

    /// Plays the script; then notes for `linger` what else arrives. Panics
    /// with the exchange if a step failed.
    pub fn play(&self, steps: Vec<Step>, linger: Duration) -> Transcript {
        match self.try_play(steps, linger) {
            (Ok(()), transcript) => transcript,
            (Err(failure), _) => panic!("{failure}"),
        }
    }

    /// Like [`ScriptedClient::play`], but hands back the failure.
    pub fn try_play(
        &self,
        steps: Vec<Step>,
        linger: Duration,
    ) -> (Result<(), String>, Transcript) {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .expect("could not bind the scripted client's socket");
        let mut engine = Engine::new("client", socket, self.patience);
        engine.peer = Some(self.server);
        engine.peer_is_provisional = true;
        let outcome = engine.play(&steps).map_err(|m| engine.failure(&m));
        let until = Instant::now() + linger;
        while let Some(mut seen) = engine.recv_any(until) {
            seen.after_script = true;
            engine.transcript.seen.push(seen);
        }
        (outcome, engine.transcript)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_round_trip_through_their_bytes() {
        for packet in [
            Pkt::rrq_with("a.txt", &[("blksize", "1024")]),
            Pkt::wrq("b"),
            Pkt::data(7, b"abc"),
            Pkt::ack(65535),
            Pkt::error(1, "File not found"),
            Pkt::oack(&[("windowsize", "4")]),
        ] {
            assert_eq!(Pkt::parse(&packet.to_bytes()).unwrap(), packet);
        }
        assert_eq!(Pkt::ack(3).to_bytes(), [0, 4, 0, 3]);
        assert_eq!(describe(&[0, 4, 0, 3]), "ACK 3");
        assert_eq!(describe(&[0, 9]), "a packet with unknown opcode 9 [00 09]");
    }

    #[test]
    fn a_scripted_server_and_client_play_a_download() {
        let file: Vec<u8> = (0..1300u32).map(|i| i as u8).collect();
        let server = ScriptedServer::start(vec![
            Step::Expect(Pkt::rrq("f")),
            Step::send_file(&file),
        ]);
        let client = ScriptedClient::new(server.addr());
        let transcript = client.play(
            vec![Step::Send(Pkt::rrq("f")), Step::receive_file(&file)],
            Duration::ZERO,
        );
        assert_eq!(transcript.peer, Some(server.transfer_addr()));
        let seen = server.finish();
        assert_eq!(seen.count(&Pkt::ack(3)), 1);
    }

    #[test]
    fn a_wrong_packet_is_reported_as_expected_against_got() {
        let server = ScriptedServer::start(vec![
            Step::Expect(Pkt::rrq("f")),
            Step::Send(Pkt::data(1, b"x")),
            Step::Expect(Pkt::ack(1)),
        ]);
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .send_to(&Pkt::rrq("f").to_bytes(), server.addr())
            .unwrap();
        let (_, from) = crate::loopback::recv_within(&socket, PATIENCE).unwrap();
        socket.send_to(&Pkt::ack(2).to_bytes(), from).unwrap();
        let (outcome, _) = server.outcome();
        let failure = outcome.unwrap_err();
        assert!(failure.contains("expected ACK 1, got ACK 2"), "{failure}");
    }
}
