//! The probe of a TFTP server: `cargo lab probe tftp ADDR`.
//!
//! The probe downloads files of the sizes that catch bugs and checks each
//! rule of the RFCs it can see from outside. A server cannot be asked to
//! create files, so the probe downloads files the teacher put in the
//! server's root beforehand: [`make_files`] (`cargo lab probe tftp
//! --make-files DIR`) writes them, each [`FILES`] entry's bytes being
//! [`content`] of its size, so the probe knows what must arrive.
//!
//! | check | level | does | expects |
//! |---|---|---|---|
//! | 0 / 511 / 512 / 513 bytes | MUST (RFC 1350 6) | downloads each | the bytes; a DATA shorter than 512 ends the transfer, so 512 bytes end with an empty DATA 2 |
//! | several blocks | MUST (RFC 1350 6) | downloads 50 000 bytes | 98 blocks, numbered from 1, the bytes |
//! | missing file | MUST (RFC 1350 5) | asks for a file nobody has | ERROR 1 |
//! | bad opcode | SHOULD (RFC 1350 5) | sends opcode 9 to ADDR | ERROR 4 |
//! | stranger gets ERROR 5 | SHOULD (RFC 1350 4) | a second socket sends ACK 1 to the transfer's port | ERROR 5 to the stranger |
//! | transfer survives a stranger | MUST (RFC 1350 4) | (the same transfer) | the transfer goes on to the right bytes |
//! | duplicate ACK | MUST (RFC 1123 4.2.3.1) | ACKs block 3 twice | no DATA sent twice afterwards (the Sorcerer's Apprentice) |
//! | several transfers at once | SHOULD (RFC 1350 4) | 4 downloads side by side | each the right bytes (TIDs tell transfers apart) |
//! | blksize | MUST when offered (RFC 2348) | asks for 1428-byte blocks | an OACK of at most 1428, and blocks of that size (a server may ignore options: RFC 2347) |
//! | windowsize | MUST when offered (RFC 7440) | asks for windows of 8 | an OACK of at most 8, and that many blocks per ACK |
//! | rollover (`--rollover`) | MUST (RFC 1350 5: 16-bit block numbers) | 65 601 blocks of 8 bytes | block 0 after 65 535, the bytes |
//!
//! RFC 1350 predates RFC 2119's capitals; the probe calls MUST what a
//! transfer cannot work without, and SHOULD what RFC 1350 says "should" of
//! courtesy to others (ERROR 4, ERROR 5, which tftpd-hpa leaves out). A
//! failed SHOULD is a warning: the probe passes when every MUST does.
//!
//! The packets are written here by hand, byte by byte as RFC 1350, 2347 and
//! 7440 lay them out: the probe depends on no TFTP library, least of all the
//! one it may be judging. Every wait is bounded by the timeout, a transfer
//! resends at most [`RESENDS`] times in all, and the probe sends at most
//! [`max_packets`] packets.

use std::collections::HashMap;
use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::net;
use super::words::{byte_count, first_difference, human, pattern};
use super::{Check, ProbeOptions};

/// TFTP's well-known port, for an address given without one.
pub const PORT: u16 = 69;

/// The files the probe downloads, by name and size: the end rule's edge
/// cases, a transfer of several blocks, and (with `--rollover`) one of more
/// than 65 535 blocks of 8 bytes.
pub const FILES: [(&str, usize); 6] = [
    ("netlab-probe-0.bin", 0),
    ("netlab-probe-511.bin", 511),
    ("netlab-probe-512.bin", 512),
    ("netlab-probe-513.bin", 513),
    ("netlab-probe-50000.bin", SEVERAL),
    ("netlab-probe-rollover.bin", ROLLOVER),
];

/// The size of the several-blocks file: 97 full blocks and one of 336.
const SEVERAL: usize = 50_000;

/// The rollover file: 65 600 full blocks of 8 bytes and one of 3, so block
/// numbers pass 65 535 and wrap.
const ROLLOVER: usize = 8 * 65_600 + 3;

/// A name no server has.
const MISSING: &str = "netlab-probe-no-such-file.bin";

/// Resends one transfer may make in all before the probe gives up on it.
pub const RESENDS: usize = 3;

/// The block whose ACK the duplicate-ACK check sends twice.
const DUPLICATED_ACK: u16 = 3;

/// How many downloads the concurrency check runs side by side.
pub const TOGETHER: usize = 4;

/// The blksize and windowsize the probe asks for.
const BLKSIZE: usize = 1428;
const WINDOWSIZE: usize = 8;

const RRQ: u16 = 1;
const DATA: u16 = 3;
const ACK: u16 = 4;
const ERROR: u16 = 5;
const OACK: u16 = 6;

/// The bytes of the probe's file of `size` bytes: a pattern of period 251,
/// prime to every block size, so a block sent twice or skipped shows.
pub fn content(size: usize) -> Vec<u8> {
    pattern(size)
}

/// Writes the probe's files into `dir` (created if missing), readable by
/// everyone (servers often run as `nobody`). Returns names and sizes.
pub fn make_files(dir: &Path) -> Result<Vec<(String, usize)>> {
    fs::create_dir_all(dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    let mut written = Vec::new();
    for (name, size) in FILES {
        let path = dir.join(name);
        fs::write(&path, content(size))
            .with_context(|| format!("writing {}", path.display()))?;
        readable_by_all(&path)?;
        written.push((name.to_string(), size));
    }
    Ok(written)
}

#[cfg(unix)]
fn readable_by_all(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o644))
        .with_context(|| format!("making {} readable", path.display()))
}

#[cfg(not(unix))]
fn readable_by_all(_path: &Path) -> Result<()> {
    Ok(())
}

/// The most packets one probe sends.
pub fn max_packets(options: &ProbeOptions) -> usize {
    let blocks = |size: usize, blksize: usize| size / blksize + 1;
    let lockstep = |size| 1 + blocks(size, 512) + RESENDS;
    let sizes: usize = [0, 511, 512, 513, SEVERAL].into_iter().map(lockstep).sum();
    let others = lockstep(0) // missing file
        + 1 // bad opcode
        + lockstep(SEVERAL) + 1 // the stranger
        + lockstep(SEVERAL) * 2 // the duplicate ACK, and the probe re-ACKing duplicates
        + lockstep(SEVERAL) * TOGETHER // several transfers at once
        + 1 + blocks(SEVERAL, 512) + RESENDS // blksize (at most as many as at 512)
        + 1 + blocks(SEVERAL, 512) + RESENDS; // windowsize
    let rollover = if options.rollover {
        1 + blocks(ROLLOVER, 8) + RESENDS
    } else {
        0
    };
    sizes + others + rollover
}

/// What the probe promises about its traffic, for the report's header.
pub fn bounds(options: &ProbeOptions) -> String {
    format!(
        "at most {} packets, each wait at most {}",
        max_packets(options),
        human(options.timeout)
    )
}

/// Runs every check against the TFTP server at `server`.
pub fn probe(server: SocketAddr, options: &ProbeOptions) -> Vec<Check> {
    let timeout = options.timeout;
    let (first, reachable) = size_check(server, FILES[0], timeout);
    if !reachable {
        let skipped = "not run: the server did not answer the first request";
        let mut checks = vec![first];
        for (name, rule, should) in later_checks(options) {
            let check = Check::fail(&name, skipped).per(rule);
            checks.push(if should { check.should() } else { check });
        }
        return checks;
    }
    let mut checks = vec![first];
    for file in &FILES[1..5] {
        checks.push(size_check(server, *file, timeout).0);
    }
    checks.push(missing_file(server, timeout));
    checks.push(bad_opcode(server, timeout));
    checks.extend(stranger(server, timeout));
    checks.push(duplicate_ack(server, timeout));
    checks.push(several_transfers(server, timeout));
    checks.push(blksize(server, timeout));
    checks.push(windowsize(server, timeout));
    if options.rollover {
        checks.push(rollover(server, timeout));
    }
    checks
}

/// The checks after the first: name, rule, and whether a SHOULD.
fn later_checks(options: &ProbeOptions) -> Vec<(String, &'static str, bool)> {
    let sizes = FILES[1..5]
        .iter()
        .map(|(_, size)| (format!("{size} bytes"), END_RULE, false));
    let others = [
        ("missing file", PACKETS, false),
        ("bad opcode", PACKETS, true),
        ("stranger gets ERROR 5", TIDS, true),
        ("transfer survives a stranger", TIDS, false),
        ("duplicate ACK", SORCERER, false),
        ("several transfers at once", TIDS, true),
        ("blksize", "RFC 2348", false),
        ("windowsize", "RFC 7440", false),
        ("rollover", PACKETS, false),
    ];
    let count = if options.rollover {
        others.len()
    } else {
        others.len() - 1
    };
    sizes
        .chain(
            others[..count]
                .iter()
                .map(|(name, rule, should)| (name.to_string(), *rule, *should)),
        )
        .collect()
}

const END_RULE: &str = "RFC 1350 6";
/// RFC 1350 5 lays out the packets: error codes, 16-bit block numbers.
const PACKETS: &str = "RFC 1350 5";
const TIDS: &str = "RFC 1350 4";
const SORCERER: &str = "RFC 1123 4.2.3.1";

// ------------------------------------------------------------------ packets

/// A read request for `name` in octet mode, with options.
fn rrq(name: &str, options: &[(&str, String)]) -> Vec<u8> {
    let mut packet = RRQ.to_be_bytes().to_vec();
    for field in [name, "octet"] {
        packet.extend_from_slice(field.as_bytes());
        packet.push(0);
    }
    for (key, value) in options {
        packet.extend_from_slice(key.as_bytes());
        packet.push(0);
        packet.extend_from_slice(value.as_bytes());
        packet.push(0);
    }
    packet
}

fn ack(block: u16) -> Vec<u8> {
    let mut packet = ACK.to_be_bytes().to_vec();
    packet.extend_from_slice(&block.to_be_bytes());
    packet
}

fn error(code: u16, message: &str) -> Vec<u8> {
    let mut packet = ERROR.to_be_bytes().to_vec();
    packet.extend_from_slice(&code.to_be_bytes());
    packet.extend_from_slice(message.as_bytes());
    packet.push(0);
    packet
}

/// A packet as the probe reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Packet {
    Data { block: u16, payload: Vec<u8> },
    Ack(u16),
    Error { code: u16, message: String },
    Oack(Vec<(String, String)>),
    Other(Vec<u8>),
}

fn parse(bytes: &[u8]) -> Packet {
    let word = |at: usize| u16::from_be_bytes([bytes[at], bytes[at + 1]]);
    if bytes.len() < 2 {
        return Packet::Other(bytes.to_vec());
    }
    match word(0) {
        DATA if bytes.len() >= 4 => Packet::Data {
            block: word(2),
            payload: bytes[4..].to_vec(),
        },
        ACK if bytes.len() == 4 => Packet::Ack(word(2)),
        ERROR if bytes.len() >= 4 => {
            let text = &bytes[4..];
            let text = text.strip_suffix(&[0]).unwrap_or(text);
            Packet::Error {
                code: word(2),
                message: String::from_utf8_lossy(text).into_owned(),
            }
        }
        OACK if bytes.ends_with(&[0]) => {
            let fields: Vec<String> = bytes[2..bytes.len() - 1]
                .split(|b| *b == 0)
                .map(|field| String::from_utf8_lossy(field).into_owned())
                .collect();
            if !fields.len().is_multiple_of(2) {
                return Packet::Other(bytes.to_vec());
            }
            let pairs = fields
                .chunks(2)
                .map(|pair| (pair[0].to_ascii_lowercase(), pair[1].clone()))
                .collect();
            Packet::Oack(pairs)
        }
        _ => Packet::Other(bytes.to_vec()),
    }
}

/// A packet in words, for messages.
fn words(packet: &Packet) -> String {
    match packet {
        Packet::Data { block, payload } => {
            format!("DATA {block} ({})", byte_count(payload.len()))
        }
        Packet::Ack(block) => format!("ACK {block}"),
        Packet::Error { code, message } => format!("ERROR {code} {message:?}"),
        Packet::Oack(options) => {
            let shown: Vec<String> =
                options.iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("OACK {}", shown.join(" "))
        }
        Packet::Other(bytes) => format!(
            "an unreadable packet of {} starting {:02x?}",
            byte_count(bytes.len()),
            &bytes[..bytes.len().min(8)]
        ),
    }
}

// ---------------------------------------------------------------- downloads

/// How a download is to be run.
#[derive(Debug, Clone, Default)]
struct Plan {
    file: String,
    options: Vec<(&'static str, String)>,
    /// Send the ACK of this block twice.
    duplicate_ack: Option<u16>,
    /// After DATA 1, a second socket (a stranger) sends ACK 1 to the
    /// transfer's port.
    stranger: bool,
}

impl Plan {
    fn of(file: &str) -> Plan {
        Plan {
            file: file.to_string(),
            ..Plan::default()
        }
    }
}

/// What a download saw.
#[derive(Debug, Default)]
struct Download {
    bytes: Vec<u8>,
    /// The server's answer to our options, if it sent one.
    oack: Option<Vec<(String, String)>>,
    blksize: usize,
    windowsize: usize,
    /// How many times each block (counted from 1, past rollover) came.
    copies: HashMap<u64, usize>,
    /// The probe had to resend after a silence.
    resent: usize,
    /// Blocks that came bigger than the block size.
    oversized: Vec<u64>,
    /// What the stranger got back, if it was sent.
    stranger_got: Option<Option<Packet>>,
    /// DATA sizes of the first blocks (at most 3), to describe the transfer.
    first_sizes: Vec<usize>,
    blocks: u64,
}

/// Why a download did not finish.
#[derive(Debug)]
struct Failed {
    /// In words, naming what was awaited.
    why: String,
    /// Whether anything at all came back from the server.
    answered: bool,
    /// The server sent this ERROR.
    error: Option<(u16, String)>,
    so_far: Box<Download>,
}

/// Downloads `plan.file` from `server`, ACKing windows of the agreed size
/// (one block, unless negotiated), re-ACKing a duplicate in lock-step, and
/// resending at most `RESENDS` times in all.
fn download(
    server: SocketAddr,
    plan: &Plan,
    timeout: Duration,
) -> Result<Download, Failed> {
    let mut seen = Download {
        blksize: 512,
        windowsize: 1,
        ..Download::default()
    };
    let fail = |why: String, answered: bool, seen: Download| Failed {
        why,
        answered,
        error: None,
        so_far: Box::new(seen),
    };
    let socket = match net::udp_socket(server) {
        Ok(socket) => socket,
        Err(why) => return Err(fail(why, false, seen)),
    };
    let stranger = if plan.stranger {
        match net::udp_socket(server) {
            Ok(socket) => Some(socket),
            Err(why) => return Err(fail(why, false, seen)),
        }
    } else {
        None
    };
    let request = rrq(&plan.file, &plan.options);
    let mut last_sent = request.clone();
    let mut tid: Option<SocketAddr> = None;
    let mut next: u64 = 1; // the block awaited, counted past rollover
    let mut since_ack = 0;
    let asked = format!("RRQ {}", plan.file);
    if let Err(error) = socket.send_to(&request, server) {
        return Err(fail(net::failure(&error, server), false, seen));
    }
    loop {
        let awaited = if tid.is_none() {
            format!("an answer to {asked} from {server}")
        } else {
            format!("DATA {} from {}", wire(next), tid.unwrap_or(server))
        };
        let heard = match net::recv_within(&socket, timeout) {
            Ok(heard) => heard,
            Err(error) => {
                let why = format!(
                    "waiting for {awaited}: {}",
                    net::failure(&error, tid.unwrap_or(server))
                );
                return Err(fail(why, tid.is_some(), seen));
            }
        };
        let Some((bytes, from)) = heard else {
            if seen.resent == RESENDS {
                let why = format!(
                    "sent {asked}, got {} bytes, then no {awaited} within {} (after {} resends)",
                    seen.bytes.len(),
                    human(timeout),
                    RESENDS
                );
                return Err(fail(why, tid.is_some(), seen));
            }
            seen.resent += 1;
            let _ = socket.send_to(&last_sent, tid.unwrap_or(server));
            continue;
        };
        if from.ip().to_canonical() != server.ip().to_canonical() {
            continue; // somebody else's packet: not from the server at all
        }
        match tid {
            None => tid = Some(from),
            Some(port) if port != from => continue, // another transfer's
            Some(_) => {}
        }
        let packet = parse(&bytes);
        match packet {
            Packet::Oack(agreed)
                if next == 1 && seen.oack.is_none() && !plan.options.is_empty() =>
            {
                for (key, value) in &agreed {
                    let number = value.parse::<usize>().ok();
                    match (key.as_str(), number) {
                        ("blksize", Some(size)) => seen.blksize = size,
                        ("windowsize", Some(size)) => seen.windowsize = size,
                        _ => {}
                    }
                }
                seen.oack = Some(agreed);
                last_sent = ack(0);
                let _ = socket.send_to(&last_sent, from);
            }
            Packet::Data { block, payload } if block == wire(next) => {
                *seen.copies.entry(next).or_default() += 1;
                if payload.len() > seen.blksize {
                    seen.oversized.push(next);
                }
                if seen.first_sizes.len() < 3 {
                    seen.first_sizes.push(payload.len());
                }
                seen.bytes.extend_from_slice(&payload);
                seen.blocks = next;
                let last = payload.len() < seen.blksize;
                if let (Some(stranger), 1) = (&stranger, next) {
                    let _ = stranger.send_to(&ack(1), from);
                }
                since_ack += 1;
                if last || since_ack >= seen.windowsize {
                    since_ack = 0;
                    last_sent = ack(block);
                    let _ = socket.send_to(&last_sent, from);
                    if plan.duplicate_ack == Some(block) && next == u64::from(block)
                    {
                        let _ = socket.send_to(&last_sent, from);
                    }
                }
                if last {
                    if let Some(stranger) = &stranger {
                        seen.stranger_got = Some(
                            net::recv_within(stranger, timeout)
                                .ok()
                                .flatten()
                                .map(|(bytes, _)| parse(&bytes)),
                        );
                    }
                    return Ok(seen);
                }
                next += 1;
            }
            Packet::Data { block, .. } => {
                let behind = wire(next).wrapping_sub(block);
                if behind > 0 && u64::from(behind) < next {
                    // A copy of a block we have.
                    *seen.copies.entry(next - u64::from(behind)).or_default() += 1;
                    if seen.windowsize == 1 {
                        // RFC 1350: acknowledge the copy, as a lock-step
                        // receiver does; a server must not answer that
                        // duplicate ACK with a duplicate DATA.
                        let _ = socket.send_to(&ack(block), from);
                    }
                } else {
                    // A gap in a window: ask again from the last good block.
                    since_ack = 0;
                    last_sent = ack(wire(next - 1));
                    let _ = socket.send_to(&last_sent, from);
                }
            }
            Packet::Error { code, message } => {
                let why = format!(
                    "sent {asked}, got {} after {}",
                    words(&Packet::Error {
                        code,
                        message: message.clone()
                    }),
                    byte_count(seen.bytes.len())
                );
                return Err(Failed {
                    why,
                    answered: true,
                    error: Some((code, message)),
                    so_far: Box::new(seen),
                });
            }
            other => {
                let why = format!(
                    "sent {asked}, awaited {awaited}, got {}",
                    words(&other)
                );
                let _ = socket
                    .send_to(&error(4, "netlab probe: unexpected packet"), from);
                return Err(fail(why, true, seen));
            }
        }
    }
}

/// A block's number on the wire: it wraps to 0 after 65 535.
fn wire(block: u64) -> u16 {
    (block % 65_536) as u16
}

/// The probe's own files in a failure message: where they come from.
fn missing_hint(failed: &Failed) -> &'static str {
    match failed.error {
        Some((1, _)) => {
            " (the server lacks the probe's file: put the files in its root with \
             `cargo lab probe tftp --make-files DIR`)"
        }
        _ => "",
    }
}

/// `1 block`, `98 blocks`.
fn blocks_in_words(count: u64) -> String {
    if count == 1 {
        "1 block".to_string()
    } else {
        format!("{count} blocks")
    }
}

/// Compares a download with the file's content.
fn compare(got: &[u8], expected: &[u8]) -> Result<(), String> {
    if got == expected {
        Ok(())
    } else {
        Err(format!(
            "got {} that are not the file's{}",
            byte_count(got.len()),
            first_difference(expected, got)
        ))
    }
}

// ------------------------------------------------------------------- checks

/// Downloads one of the size files; says whether the server answered.
fn size_check(
    server: SocketAddr,
    (file, size): (&str, usize),
    timeout: Duration,
) -> (Check, bool) {
    let name = format!("{size} bytes");
    let expected_blocks = size as u64 / 512 + 1;
    let shape = match size {
        0 => "one empty DATA 1".to_string(),
        s if s % 512 == 0 => format!(
            "{} of 512 bytes, then an empty DATA {expected_blocks}",
            blocks_in_words(s as u64 / 512)
        ),
        _ => format!(
            "{}, the last of {}",
            blocks_in_words(expected_blocks),
            byte_count(size % 512)
        ),
    };

    match download(server, &Plan::of(file), timeout) {
        Ok(seen) => {
            let check = match compare(&seen.bytes, &content(size)) {
                Ok(()) if seen.blocks == expected_blocks => Check::pass(
                    &name,
                    format!("RRQ {file}: {shape}, the right bytes"),
                ),
                Ok(()) => Check::fail(
                    &name,
                    format!(
                        "RRQ {file}: expected {shape}, got {} blocks",
                        seen.blocks
                    ),
                ),
                Err(why) => Check::fail(
                    &name,
                    format!("RRQ {file}: expected {shape}, {why}"),
                ),
            };
            (check.per(END_RULE), true)
        }
        Err(failed) => {
            let hint = missing_hint(&failed);
            let detail = if size % 512 == 0
                && size > 0
                && failed.so_far.bytes.len() == size
            {
                format!(
                    "{}: after {size} bytes in full blocks the transfer must end with an empty \
                     DATA {expected_blocks} (a DATA shorter than 512 bytes is the end)",
                    failed.why
                )
            } else {
                format!("{}{hint}", failed.why)
            };
            (Check::fail(&name, detail).per(END_RULE), failed.answered)
        }
    }
}

/// A file nobody has: ERROR 1.
fn missing_file(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "missing file";
    let sent = format!("RRQ {MISSING}");
    let check = match download(server, &Plan::of(MISSING), timeout) {
        Err(Failed {
            error: Some((1, message)),
            ..
        }) => Check::pass(NAME, format!("{sent}: ERROR 1 {message:?}")),
        Err(Failed {
            error: Some((code, message)),
            ..
        }) => Check::fail(
            NAME,
            format!(
                "{sent}: expected ERROR 1 (file not found), got ERROR {code} {message:?}"
            ),
        ),
        Err(failed) => Check::fail(
            NAME,
            format!("expected ERROR 1 (file not found): {}", failed.why),
        ),
        Ok(seen) => Check::fail(
            NAME,
            format!(
                "{sent}: expected ERROR 1 (file not found), got a file of {}",
                byte_count(seen.bytes.len())
            ),
        ),
    };
    check.per(PACKETS)
}

/// Opcode 9, which TFTP does not have, to the server's port: ERROR 4.
fn bad_opcode(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "bad opcode";
    let sent = "a packet with opcode 9";
    let check = match exchange_one(server, &[0, 9, b'n', b'l', 0], timeout) {
        Ok(Packet::Error { code: 4, message }) => {
            Check::pass(NAME, format!("{sent}: ERROR 4 {message:?}"))
        }
        Ok(other) => Check::fail(
            NAME,
            format!(
                "{sent}: expected ERROR 4 (illegal TFTP operation), got {}",
                words(&other)
            ),
        ),
        Err(why) => Check::fail(
            NAME,
            format!("{sent}: expected ERROR 4 (illegal TFTP operation), {why}"),
        ),
    };
    check.should().per(PACKETS)
}

/// Sends one packet to `server` and returns the first answer from the
/// server's host (any port: a server may answer from a new one).
fn exchange_one(
    server: SocketAddr,
    packet: &[u8],
    timeout: Duration,
) -> Result<Packet, String> {
    let socket = net::udp_socket(server)?;
    socket
        .send_to(packet, server)
        .map_err(|error| net::failure(&error, server))?;
    let give_up_at = Instant::now() + timeout;
    loop {
        let left = give_up_at.saturating_duration_since(Instant::now());
        match net::recv_within(&socket, left) {
            Ok(Some((bytes, from)))
                if from.ip().to_canonical() == server.ip().to_canonical() =>
            {
                return Ok(parse(&bytes));
            }
            Ok(Some(_)) => {}
            Ok(None) => {
                return Err(format!(
                    "got nothing from {server} within {}",
                    human(timeout)
                ));
            }
            Err(error) => return Err(net::failure(&error, server)),
        }
    }
}

/// A stranger's ACK to a transfer's port: ERROR 5 to the stranger (SHOULD),
/// and the transfer goes on (MUST).
fn stranger(server: SocketAddr, timeout: Duration) -> [Check; 2] {
    const TOLD: &str = "stranger gets ERROR 5";
    const SURVIVES: &str = "transfer survives a stranger";
    let (file, size) = FILES[4];
    let plan = Plan {
        stranger: true,
        ..Plan::of(file)
    };
    let sent =
        format!("during RRQ {file}, another port sent ACK 1 to the transfer's port");
    let (told, survives) = match download(server, &plan, timeout) {
        Ok(seen) => {
            let told = match &seen.stranger_got {
                Some(Some(Packet::Error { code: 5, message })) => {
                    Check::pass(TOLD, format!("{sent}: it got ERROR 5 {message:?}"))
                }
                Some(Some(other)) => Check::fail(
                    TOLD,
                    format!(
                        "{sent}: expected ERROR 5 (unknown transfer ID) there, it got {}",
                        words(other)
                    ),
                ),
                _ => Check::fail(
                    TOLD,
                    format!(
                        "{sent}: expected ERROR 5 (unknown transfer ID) there, it got nothing within {}",
                        human(timeout)
                    ),
                ),
            };
            let survives = match compare(&seen.bytes, &content(size)) {
                Ok(()) => Check::pass(
                    SURVIVES,
                    format!(
                        "{sent}: the transfer went on to the right {}",
                        byte_count(size)
                    ),
                ),
                Err(why) => {
                    Check::fail(SURVIVES, format!("{sent}: the transfer {why}"))
                }
            };
            (told, survives)
        }
        Err(failed) => {
            let why = format!("{sent}: {}{}", failed.why, missing_hint(&failed));
            (
                Check::fail(TOLD, "not checked: the transfer did not finish"),
                Check::fail(SURVIVES, why),
            )
        }
    };
    [told.should().per(TIDS), survives.per(TIDS)]
}

/// ACK 3 sent twice: a server that answers every ACK sends DATA 4 twice,
/// and with a receiver that acknowledges every copy, every block after
/// it twice (RFC 1123 4.2.3.1, the Sorcerer's Apprentice).
fn duplicate_ack(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "duplicate ACK";
    let (file, size) = FILES[4];
    let plan = Plan {
        duplicate_ack: Some(DUPLICATED_ACK),
        ..Plan::of(file)
    };
    let sent = format!("during RRQ {file}, ACK {DUPLICATED_ACK} sent twice");
    let check = match download(server, &plan, timeout) {
        Ok(seen) => {
            let after = u64::from(DUPLICATED_ACK);
            let doubled: Vec<u64> = (after + 1..=seen.blocks)
                .filter(|block| seen.copies.get(block).copied().unwrap_or(0) > 1)
                .collect();
            let following = seen.blocks.saturating_sub(after);
            // A copy here and there can be an honest retransmission (the
            // probe was slow to ACK on a loaded machine); the Sorcerer's
            // Apprentice doubles the block right after the duplicate ACK,
            // and, since the probe acknowledges each copy, the next one too.
            let twice =
                |block: u64| seen.copies.get(&block).copied().unwrap_or(0) > 1;
            let next_also = after + 2 > seen.blocks || twice(after + 2);
            if twice(after + 1) && next_also {
                Check::fail(
                    NAME,
                    format!(
                        "{sent}: {} of the {following} blocks after it came twice (first: DATA \
                         {}): a duplicate ACK must not be answered with DATA again, or every \
                         block is sent twice from then on (the Sorcerer's Apprentice)",
                        doubled.len(),
                        doubled.first().copied().unwrap_or(0)
                    ),
                )
            } else {
                match compare(&seen.bytes, &content(size)) {
                    Ok(()) => Check::pass(
                        NAME,
                        format!(
                            "{sent}: no DATA came twice, the right {}",
                            byte_count(size)
                        ),
                    ),
                    Err(why) => Check::fail(NAME, format!("{sent}: {why}")),
                }
            }
        }
        Err(failed) => Check::fail(
            NAME,
            format!("{sent}: {}{}", failed.why, missing_hint(&failed)),
        ),
    };
    check.per(SORCERER)
}

/// `TOGETHER` downloads of the several-blocks file side by side, each from
/// its own port: a server that keeps one transfer's state per TID serves
/// them all (RFC 1350 4: the TIDs are what tell transfers apart).
fn several_transfers(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "several transfers at once";
    let (file, size) = FILES[4];
    let downloads: Vec<_> = (0..TOGETHER)
        .map(|_| {
            std::thread::spawn(move || download(server, &Plan::of(file), timeout))
        })
        .collect();
    let expected = content(size);
    let problems: Vec<String> = downloads
        .into_iter()
        .enumerate()
        .filter_map(|(i, handle)| match handle.join() {
            Ok(Ok(seen)) => compare(&seen.bytes, &expected)
                .err()
                .map(|why| format!("download {i}: {why}")),
            Ok(Err(failed)) => Some(format!("download {i}: {}", failed.why)),
            Err(_) => Some(format!("download {i}: the probe's thread failed")),
        })
        .collect();
    let check = match problems.first() {
        None => Check::pass(
            NAME,
            format!(
                "{TOGETHER} downloads of {file} side by side, each the right bytes"
            ),
        ),
        Some(first) => Check::fail(
            NAME,
            format!(
                "{} of {TOGETHER} downloads of {file} side by side went wrong; first: {first}",
                problems.len()
            ),
        ),
    };
    check.should().per(TIDS)
}

/// blksize 1428: the server may ignore it, or agree to at most 1428 and
/// then send blocks of that size.
fn blksize(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "blksize";
    let (file, size) = FILES[4];
    let plan = Plan {
        options: vec![("blksize", BLKSIZE.to_string())],
        ..Plan::of(file)
    };
    let sent = format!("RRQ {file} blksize {BLKSIZE}");
    let check = match download(server, &plan, timeout) {
        Ok(seen) => negotiated(&sent, &seen, size, "blksize", BLKSIZE, |seen| {
            if !seen.oversized.is_empty() {
                return Err(format!(
                    "block {} was bigger than {}",
                    seen.oversized[0], seen.blksize
                ));
            }
            let expected = size as u64 / seen.blksize as u64 + 1;
            if seen.blocks != expected {
                return Err(format!(
                    "{} blocks came where {expected} of {} bytes make the file",
                    seen.blocks, seen.blksize
                ));
            }
            Ok(format!("{} blocks of {} bytes", seen.blocks, seen.blksize))
        }),
        Err(failed) => Check::fail(
            NAME,
            format!("{sent}: {}{}", failed.why, missing_hint(&failed)),
        ),
    };
    check.per("RFC 2348")
}

/// windowsize 8: the server may ignore it, or agree to at most 8 and then
/// send that many blocks per ACK (the probe ACKs only each window's last).
fn windowsize(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "windowsize";
    let (file, size) = FILES[4];
    let plan = Plan {
        options: vec![("windowsize", WINDOWSIZE.to_string())],
        ..Plan::of(file)
    };
    let sent = format!("RRQ {file} windowsize {WINDOWSIZE}");
    let check = match download(server, &plan, timeout) {
        Ok(seen) => {
            negotiated(&sent, &seen, size, "windowsize", WINDOWSIZE, |seen| {
                if seen.resent > 0 {
                    return Err(format!(
                        "the probe ACKed every {}th block and had to wait {} for the next: \
                     the server agreed windowsize {} but waits for an ACK per block",
                        seen.windowsize,
                        human(timeout),
                        seen.windowsize
                    ));
                }
                Ok(format!(
                    "{} blocks, an ACK every {}",
                    seen.blocks, seen.windowsize
                ))
            })
        }
        Err(failed) => Check::fail(
            NAME,
            format!("{sent}: {}{}", failed.why, missing_hint(&failed)),
        ),
    };
    check.per("RFC 7440")
}

/// The verdict on a download that offered option `key = offered`: ignored
/// is fine (RFC 2347); agreed must be at most what was offered, and then
/// `obeyed` says whether the transfer kept to it.
fn negotiated(
    sent: &str,
    seen: &Download,
    size: usize,
    key: &str,
    offered: usize,
    obeyed: impl Fn(&Download) -> Result<String, String>,
) -> Check {
    let name = key;
    if let Err(why) = compare(&seen.bytes, &content(size)) {
        return Check::fail(name, format!("{sent}: {why}"));
    }
    let Some(agreed) = &seen.oack else {
        return Check::pass(
            name,
            format!(
                "{sent}: not taken up (DATA 1 came without an OACK, which RFC 2347 allows); the right bytes"
            ),
        );
    };
    if let Some((unasked, _)) = agreed.iter().find(|(k, _)| k != key) {
        return Check::fail(
            name,
            format!(
                "{sent}: the OACK has `{unasked}`, which the probe did not ask for \
                 (RFC 2347: an OACK holds only options the client asked for)"
            ),
        );
    }
    let value = agreed
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone());
    let Some(value) = value else {
        return Check::pass(
            name,
            format!("{sent}: an OACK without {key} (declined); the right bytes"),
        );
    };
    match value.parse::<usize>() {
        Ok(number) if (1..=offered).contains(&number) => match obeyed(seen) {
            Ok(how) => Check::pass(
                name,
                format!("{sent}: OACK {key} {number}, then {how}; the right bytes"),
            ),
            Err(why) => {
                Check::fail(name, format!("{sent}: OACK {key} {number}, but {why}"))
            }
        },
        _ => Check::fail(
            name,
            format!(
                "{sent}: the OACK says {key} {value:?}: a server may lower an offer, never raise it"
            ),
        ),
    }
}

/// 65 601 blocks of 8 bytes: block 65 535 is followed by block 0.
fn rollover(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "rollover";
    let (file, size) = FILES[5];
    let plan = Plan {
        options: vec![
            ("blksize", "8".to_string()),
            ("windowsize", "16".to_string()),
        ],
        ..Plan::of(file)
    };
    let mut sent = format!("RRQ {file} blksize 8 windowsize 16");
    let mut outcome = download(server, &plan, timeout);
    if let Err(Failed {
        error: Some((8, _)),
        ..
    }) = outcome
    {
        // Options refused (ERROR 8): try blksize alone.
        let plan = Plan {
            options: vec![("blksize", "8".to_string())],
            ..Plan::of(file)
        };
        sent = format!("RRQ {file} blksize 8");
        outcome = download(server, &plan, timeout);
    }
    let check = match outcome {
        Err(Failed { error: Some((8, message)), .. }) => Check::fail(
            NAME,
            format!(
                "could not check: the server refused blksize 8 (ERROR 8 {message:?}), and \
                 at 512 bytes a block a rollover takes a 32 MiB file"
            ),
        )
        .should(),
        Ok(seen) if seen.blksize != 8 => Check::fail(
            NAME,
            format!(
                "could not check: {sent} got blocks of {} bytes, and at that size the file \
                 has too few blocks to roll over",
                seen.blksize
            ),
        )
        .should(),
        Ok(seen) => match compare(&seen.bytes, &content(size)) {
            Ok(()) => Check::pass(
                NAME,
                format!("{sent}: {} blocks, block 0 after 65535, the right bytes", seen.blocks),
            ),
            Err(why) => Check::fail(NAME, format!("{sent}: {why}")),
        },
        Err(failed) if failed.so_far.blocks == 65_535 => Check::fail(
            NAME,
            format!("{sent}: after DATA 65535 expected DATA 0 (the block number wraps): {}", failed.why),
        ),
        Err(failed) => Check::fail(NAME, format!("{sent}: {}{}", failed.why, missing_hint(&failed))),
    };
    check.per(PACKETS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_are_laid_out_as_rfc_1350_says() {
        assert_eq!(rrq("f", &[]), b"\x00\x01f\x00octet\x00");
        assert_eq!(
            rrq("f", &[("blksize", "8".into())]),
            b"\x00\x01f\x00octet\x00blksize\x008\x00"
        );
        assert_eq!(ack(258), [0, 4, 1, 2]);
        assert_eq!(error(5, "x"), b"\x00\x05\x00\x05x\x00");
        assert_eq!(
            parse(b"\x00\x03\x00\x01ab"),
            Packet::Data {
                block: 1,
                payload: b"ab".to_vec()
            }
        );
        assert_eq!(
            parse(b"\x00\x06BLKSIZE\x00512\x00"),
            Packet::Oack(vec![("blksize".into(), "512".into())])
        );
        assert_eq!(
            parse(b"\x00\x05\x00\x01nope\x00"),
            Packet::Error {
                code: 1,
                message: "nope".into()
            }
        );
        assert!(matches!(parse(b"\x00"), Packet::Other(_)));
        assert!(matches!(parse(b"\x00\x06odd\x00"), Packet::Other(_)));
    }

    #[test]
    fn block_numbers_wrap_after_65535() {
        assert_eq!(wire(65_535), 65_535);
        assert_eq!(wire(65_536), 0);
        assert_eq!(wire(65_537), 1);
        assert_eq!(ROLLOVER / 8 + 1, 65_601);
    }

    #[test]
    fn the_files_are_written_with_their_content() {
        let dir = std::env::temp_dir()
            .join(format!("netlab-probe-files-{}", std::process::id()));
        let written = make_files(&dir).unwrap();
        assert_eq!(written.len(), FILES.len());
        for (name, size) in FILES {
            assert_eq!(fs::read(dir.join(name)).unwrap(), content(size));
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_later_checks_match_the_probe() {
        let options = ProbeOptions::default();
        assert_eq!(later_checks(&options).len(), 12);
        let with = ProbeOptions {
            rollover: true,
            ..options
        };
        assert_eq!(later_checks(&with).len(), 13);
        assert!(max_packets(&with) > 65_601);
    }
}
