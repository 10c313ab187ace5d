//! The probe of a TCP echo server: `cargo lab probe tcp-echo ADDR`.
//!
//! A TCP echo server sends back every byte it reads, in order, until the
//! client half-closes; then it finishes sending and closes. A byte stream
//! gives its author more ways to go wrong than datagrams do, and each check
//! here aims at one of them:
//!
//! | check | sends | expects |
//! |---|---|---|
//! | single message | one short line | the same bytes |
//! | binary | all 256 byte values | the same 256 bytes (no text conversion) |
//! | large message | 1 MiB, written while the echo is read | the same 1 MiB (no deadlock, nothing lost) |
//! | slow dribbling | a line one byte at a time, 20 ms apart | every byte, in order |
//! | half-close | 64 KiB, then `shutdown(Write)` | all 64 KiB, then the server closes |
//! | several clients at once | 8 clients connected together, each a line | each its own line back while the others stay connected |
//! | disconnect mid-message | half a line, then a close with unread data (RST) | the server goes on: a new client gets its echo |
//!
//! The probe opens at most [`MAX_CONNECTIONS`] connections and sends at
//! most [`MAX_BYTES`] bytes; no read waits longer than the timeout. If the
//! first connection is refused or the first message gets no echo, the other
//! checks are not run.

use std::io::Write;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use super::net::{self, End};
use super::words::{byte_count, elapsed, first_difference, human, pattern, quoted};
use super::{Check, ProbeOptions};

/// The first message: a short line any echo server handles.
const HELLO: &[u8] = b"netlab probe: hello\n";

/// The large message: more than any socket buffer holds, so a server (or a
/// client) that writes everything before reading anything would deadlock.
pub const LARGE: usize = 1024 * 1024;

/// What the half-close check sends before shutting down its side.
pub const HALF_CLOSE: usize = 64 * 1024;

/// How many clients the concurrency check connects at once.
pub const CLIENTS: usize = 8;

/// The dribbled line, and the pause between its bytes.
const DRIBBLE: &[u8] = b"dribble, dribble\n";
const DRIBBLE_PAUSE: Duration = Duration::from_millis(20);

/// The most connections one probe opens, all checks together.
pub const MAX_CONNECTIONS: usize = 1 + 1 + 1 + 1 + 1 + CLIENTS + 2;

/// The most bytes one probe sends, all checks together (rounded up).
pub const MAX_BYTES: usize = LARGE + HALF_CLOSE + 4096;

/// What the probe promises about its traffic, for the report's header.
pub fn bounds(options: &ProbeOptions) -> String {
    format!(
        "at most {MAX_CONNECTIONS} connections and {} KiB sent, each wait at most {}",
        MAX_BYTES / 1024,
        human(options.timeout)
    )
}

/// Runs every check against the echo server at `server`.
pub fn probe(server: SocketAddr, options: &ProbeOptions) -> Vec<Check> {
    let timeout = options.timeout;
    let (first, answered) = echo_check("single message", server, HELLO, timeout);
    if !answered {
        // Refused, silent or broken: nobody to run the rest against.
        let skipped = "not run: the server did not echo the first message";
        let mut checks = vec![first];
        checks.extend(LATER_CHECKS.iter().map(|name| Check::fail(name, skipped)));
        return checks;
    }
    let all_bytes: Vec<u8> = (0..=255).collect();
    vec![
        first,
        echo_check("binary", server, &all_bytes, timeout).0,
        echo_check("large message", server, &pattern(LARGE), timeout).0,
        slow_dribbling(server, timeout),
        half_close(server, timeout),
        several_clients(server, timeout),
        disconnect_mid_message(server, timeout),
    ]
}

/// The names of the checks after the first, in order.
const LATER_CHECKS: [&str; 6] = [
    "binary",
    "large message",
    "slow dribbling",
    "half-close",
    "several clients at once",
    "disconnect mid-message",
];

/// Connects, sends `payload` (from a second thread, so the echo is read
/// while it is written), and expects exactly `payload` back. Also says
/// whether anything came back at all.
fn echo_check(
    name: &str,
    server: SocketAddr,
    payload: &[u8],
    timeout: Duration,
) -> (Check, bool) {
    let started = Instant::now();
    let mut stream = match net::connect(server, timeout) {
        Ok(stream) => stream,
        Err(why) => return (Check::fail(name, why), false),
    };
    let writer = match write_in_background(&stream, payload.to_vec()) {
        Ok(writer) => writer,
        Err(why) => return (Check::fail(name, why), false),
    };
    let back = read_exactly(&mut stream, server, payload.len(), timeout);
    let written = writer
        .join()
        .unwrap_or_else(|_| Err("the writer failed".into()));
    let answered = !back.bytes.is_empty();
    let check = match compare(payload, &back, server, timeout) {
        Ok(()) => Check::pass(
            name,
            format!(
                "{} came back unchanged in {}",
                shown(payload),
                elapsed(started)
            ),
        ),
        Err(why) => match written {
            Err(write_error) if back.bytes.is_empty() => Check::fail(
                name,
                format!("sending {}: {write_error}", shown(payload)),
            ),
            _ => Check::fail(name, why),
        },
    };
    (check, answered)
}

/// A line sent one byte at a time: the server must echo what it has, not
/// wait for a full buffer, and lose nothing between reads.
fn slow_dribbling(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "slow dribbling";
    let mut stream = match net::connect(server, timeout) {
        Ok(stream) => stream,
        Err(why) => return Check::fail(NAME, why),
    };
    let _ = stream.set_nodelay(true); // one byte, one segment
    let mut sent = 0;
    let mut refused = None;
    for byte in DRIBBLE {
        if let Err(error) = stream.write_all(&[*byte]) {
            refused = Some(net::failure(&error, server));
            break;
        }
        sent += 1;
        thread::sleep(DRIBBLE_PAUSE);
    }
    let back = read_exactly(&mut stream, server, sent, timeout);
    if let Some(why) = refused {
        return Check::fail(
            NAME,
            format!(
                "sending {} one byte every {}: after {sent} bytes, {why}; {} had come \
                 back: the server must echo until the client closes",
                quoted(DRIBBLE, 40),
                human(DRIBBLE_PAUSE),
                quoted(&back.bytes, 40)
            ),
        );
    }
    match compare(DRIBBLE, &back, server, timeout) {
        Ok(()) => Check::pass(
            NAME,
            format!(
                "{} sent one byte every {} came back whole",
                quoted(DRIBBLE, 40),
                human(DRIBBLE_PAUSE)
            ),
        ),
        Err(why) => Check::fail(NAME, why),
    }
}

/// 64 KiB, then the client shuts down its sending side: the server must
/// still send every byte back, and then close its side too.
fn half_close(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "half-close";
    let mut stream = match net::connect(server, timeout) {
        Ok(stream) => stream,
        Err(why) => return Check::fail(NAME, why),
    };
    let payload = pattern(HALF_CLOSE);
    let writer = thread::spawn({
        let mut stream = match stream.try_clone() {
            Ok(clone) => clone,
            Err(error) => {
                return Check::fail(NAME, format!("cloning a socket: {error}"));
            }
        };
        let payload = payload.clone();
        move || {
            stream.write_all(&payload)?;
            stream.shutdown(Shutdown::Write)
        }
    });
    let back = net::read_until_closed(
        &mut stream,
        server,
        HALF_CLOSE + 1,
        timeout,
        timeout * 5,
    );
    let written = writer.join();
    if !matches!(written, Ok(Ok(()))) && back.bytes.is_empty() {
        return Check::fail(
            NAME,
            format!("could not send 64 KiB and a FIN to {server}"),
        );
    }
    let ending = back.end.words(server, timeout);
    if back.bytes != payload {
        return Check::fail(
            NAME,
            format!(
                "sent {} then shut down writing (FIN), expected the same bytes back, got {}{}; \
                 then {ending}",
                byte_count(HALF_CLOSE),
                byte_count(back.bytes.len()),
                first_difference(&payload, &back.bytes)
            ),
        );
    }
    if back.end != End::Closed {
        return Check::fail(
            NAME,
            format!(
                "all {} came back after our FIN, but then {ending}: once the client has \
                 half-closed and the echo is sent, the server closes",
                byte_count(HALF_CLOSE)
            ),
        );
    }
    Check::pass(
        NAME,
        format!(
            "{} then a FIN: every byte came back, then the server closed",
            byte_count(HALF_CLOSE)
        ),
    )
}

/// `CLIENTS` clients connect, and only then does each send its line; each
/// must get its own line back while all the others stay connected. A server
/// that serves one client at a time answers the first and keeps the rest
/// waiting.
fn several_clients(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "several clients at once";
    let mut streams = Vec::new();
    for client in 0..CLIENTS {
        match net::connect(server, timeout) {
            Ok(stream) => streams.push(stream),
            Err(why) => return Check::fail(NAME, format!("client {client}: {why}")),
        }
    }
    // Everyone sends together, and nobody hangs up before everyone has
    // its answer: otherwise a one-at-a-time server would get through them
    // in turn and pass.
    let start_together = Arc::new(Barrier::new(CLIENTS));
    let stay_connected = Arc::new(Barrier::new(CLIENTS));
    let clients: Vec<_> = streams
        .into_iter()
        .enumerate()
        .map(|(client, mut stream)| {
            let start = Arc::clone(&start_together);
            let stay = Arc::clone(&stay_connected);
            thread::spawn(move || {
                start.wait();
                let line = format!("netlab probe: client {client}\n").into_bytes();
                let outcome = match stream.write_all(&line) {
                    Ok(()) => {
                        let back =
                            read_exactly(&mut stream, server, line.len(), timeout);
                        compare(&line, &back, server, timeout)
                    }
                    Err(error) => Err(net::failure(&error, server)),
                };
                stay.wait();
                outcome.map_err(|why| format!("client {client}: {why}"))
            })
        })
        .collect();
    let problems: Vec<String> = clients
        .into_iter()
        .map(|handle| {
            handle
                .join()
                .unwrap_or_else(|_| Err("a probe thread failed".into()))
        })
        .filter_map(Result::err)
        .collect();
    match problems.first() {
        None => Check::pass(
            NAME,
            format!(
                "{CLIENTS} clients connected together, each got its own line back"
            ),
        ),
        Some(first) => {
            let waiting = problems
                .iter()
                .any(|problem| problem.contains("got nothing"));
            let hint = if waiting {
                " (does the server serve one client at a time?)"
            } else {
                ""
            };
            Check::fail(
                NAME,
                format!(
                    "{} of {CLIENTS} clients connected together got no proper echo{hint}; \
                     first: {first}",
                    problems.len()
                ),
            )
        }
    }
}

/// A client sends half a line and vanishes with an RST (it closes with the
/// echo still unread); the server must survive it and echo for the next.
fn disconnect_mid_message(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "disconnect mid-message";
    const HALF: &[u8] = b"netlab probe: half a mess";
    let mut vanishing = match net::connect(server, timeout) {
        Ok(stream) => stream,
        Err(why) => return Check::fail(NAME, why),
    };
    if let Err(error) = vanishing.write_all(HALF) {
        return Check::fail(NAME, net::failure(&error, server));
    }
    // Give the echo time to come back unread: closing a socket with unread
    // data makes the kernel send RST, the rudest way to leave.
    thread::sleep(Duration::from_millis(100).min(timeout));
    drop(vanishing);
    thread::sleep(Duration::from_millis(50));
    let (after, _) =
        echo_check(NAME, server, b"netlab probe: still there?\n", timeout);
    if after.passed {
        Check::pass(
            NAME,
            "a client sent half a line and reset the connection; the next client still \
             got its echo",
        )
    } else {
        Check::fail(
            NAME,
            format!(
                "a client sent {} and reset the connection; then a new client: {}",
                quoted(HALF, 40),
                after.detail
            ),
        )
    }
}

/// Writes `payload` on a clone of `stream` from a new thread, so the caller
/// can read the echo meanwhile.
fn write_in_background(
    stream: &TcpStream,
    payload: Vec<u8>,
) -> Result<thread::JoinHandle<Result<(), String>>, String> {
    let mut writer = stream
        .try_clone()
        .map_err(|error| format!("cloning a socket: {error}"))?;
    let server = stream
        .peer_addr()
        .map_err(|error| format!("the connection is gone: {error}"))?;
    Ok(thread::spawn(move || {
        writer
            .write_all(&payload)
            .map_err(|error| net::failure(&error, server))
    }))
}

/// Reads until `len` bytes came, the server closed, or it fell silent for
/// `timeout`; the whole read gets a budget that grows with `len`.
fn read_exactly(
    stream: &mut TcpStream,
    server: SocketAddr,
    len: usize,
    timeout: Duration,
) -> net::Received {
    let budget = timeout * (1 + (len / (256 * 1024)) as u32);
    net::read_until_closed(stream, server, len, timeout, budget)
}

/// `Ok` when `back` is exactly `sent`; otherwise what went wrong, in words.
fn compare(
    sent: &[u8],
    back: &net::Received,
    server: SocketAddr,
    timeout: Duration,
) -> Result<(), String> {
    if back.bytes == sent {
        return Ok(());
    }
    let ending = back.end.words(server, timeout);
    if back.bytes.is_empty() {
        return Err(format!(
            "sent {} to {server}, expected it back, got nothing ({ending})",
            shown(sent)
        ));
    }
    if sent.starts_with(&back.bytes) {
        return Err(format!(
            "sent {}, only the first {} came back, then {ending}",
            shown(sent),
            byte_count(back.bytes.len())
        ));
    }
    Err(format!(
        "sent {}, it came back as {}{}",
        shown(sent),
        shown(&back.bytes),
        first_difference(sent, &back.bytes)
    ))
}

/// Short text quoted, longer bytes by size.
fn shown(bytes: &[u8]) -> String {
    let printable = bytes
        .iter()
        .all(|b| b.is_ascii_graphic() || *b == b' ' || *b == b'\n');
    if printable && bytes.len() <= 48 {
        quoted(bytes, 48)
    } else {
        byte_count(bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bounds_count_every_check() {
        assert_eq!(MAX_CONNECTIONS, 15);
        assert_eq!(LATER_CHECKS.len(), 6);
    }

    #[test]
    fn text_is_quoted_and_binary_is_counted() {
        assert_eq!(shown(b"hi\n"), "`hi\\n`");
        assert_eq!(shown(&[0, 1]), "2 bytes");
    }
}
