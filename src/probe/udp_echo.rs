//! The probe of a UDP echo server: `cargo lab probe udp-echo ADDR`.
//!
//! An echo server has one duty, to send every datagram back unchanged to
//! whoever sent it, and several ways to fail at it that its author's own
//! client may never show: a buffer too small for big datagrams, a text
//! conversion that mangles binary, a reply from another socket, a mix-up
//! between clients, a slow loop that drops a burst. Each check here aims at
//! one of them:
//!
//! | check | sends | expects |
//! |---|---|---|
//! | single datagram | one short text | the same text |
//! | size N | N patterned bytes, N = 0, 1, 512, 1472, 4096, 8192 | the same N bytes |
//! | binary | all 256 byte values | the same 256 bytes |
//! | concurrent clients | 8 clients at once, 3 datagrams each | each its own back |
//! | burst | 50 datagrams back to back | at least 90 % back |
//! | reply address | one datagram | a reply *from* the address we sent to |
//!
//! Every check uses fresh sockets, so a late reply to one check cannot pass
//! or fail another. The probe sends at most [`MAX_DATAGRAMS`] datagrams and
//! never waits longer than the timeout for any one reply; if the server
//! does not answer the very first datagram, the other checks are not run.

use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use super::net::{self, same_endpoint};
use super::words::{
    brief, describe, elapsed, first_difference, human, pattern, shown,
};
use super::{Check, ProbeOptions};

/// Sizes the server must echo whole: nothing, one byte, a classic small
/// datagram, the most that fits one Ethernet frame, and two that need IP
/// fragmentation on a real network (and a big enough buffer anywhere).
pub const SIZES: [usize; 6] = [0, 1, 512, 1472, 4096, 8192];

/// How many clients the concurrency check runs at once.
pub const CLIENTS: usize = 8;

/// How many datagrams each of those clients sends, one after the other.
pub const ROUNDS: usize = 3;

/// How many datagrams the burst sends back to back.
pub const BURST: usize = 50;

/// The share of the burst that must come back: loopback or a quiet LAN
/// loses almost nothing, but a server may fairly lose a few when flooded.
pub const BURST_SHARE: f64 = 0.9;

/// The first datagram: a short text any echo server handles.
const PING: &[u8] = b"netlab probe: ping";

/// The most datagrams one probe sends, all checks together.
pub const MAX_DATAGRAMS: usize = 1 + SIZES.len() + 1 + CLIENTS * ROUNDS + BURST + 1;

/// What the probe promises about its traffic, for the report's header.
pub fn bounds(options: &ProbeOptions) -> String {
    format!(
        "at most {MAX_DATAGRAMS} datagrams, each wait at most {}",
        human(options.timeout)
    )
}

/// Runs every check against the echo server at `server`.
pub fn probe(server: SocketAddr, options: &ProbeOptions) -> Vec<Check> {
    let timeout = options.timeout;
    let (first, answered) = echo_check("single datagram", server, PING, timeout);
    if !answered {
        // A server that ignores a short text will ignore the rest (and an
        // address where nothing listens has nobody to ask): say so instead
        // of waiting out every other check.
        let skipped = "not run: the server did not answer the first datagram";
        let mut checks = vec![first];
        checks.extend(
            later_check_names()
                .iter()
                .map(|name| Check::fail(name, skipped)),
        );
        return checks;
    }
    let mut checks = vec![first];
    for size in SIZES {
        let name = format!("size {size}");
        checks.push(echo_check(&name, server, &pattern(size), timeout).0);
    }
    // Every byte value, 0 to 255: no text conversion may touch them.
    let all_bytes: Vec<u8> = (0..=255).collect();
    checks.push(echo_check("binary", server, &all_bytes, timeout).0);
    checks.push(concurrent_clients(server, timeout));
    checks.push(burst(server, timeout));
    checks.push(reply_address(server, timeout));
    checks
}

/// The names of the checks after the first, in order.
fn later_check_names() -> Vec<String> {
    let mut names: Vec<String> =
        SIZES.iter().map(|size| format!("size {size}")).collect();
    names.extend(
        ["binary", "concurrent clients", "burst", "reply address"].map(String::from),
    );
    names
}

/// Sends `payload` from a fresh socket and expects exactly it back (from
/// any address: the reply address has a check of its own). Also says
/// whether anything came back at all.
fn echo_check(
    name: &str,
    server: SocketAddr,
    payload: &[u8],
    timeout: Duration,
) -> (Check, bool) {
    let socket = match net::udp_socket(server) {
        Ok(socket) => socket,
        Err(error) => return (Check::fail(name, error), false),
    };
    let sent_at = Instant::now();
    if let Err(error) = socket.send_to(payload, server) {
        let detail = format!("could not send to {server}: {error}");
        return (Check::fail(name, detail), false);
    }
    let what = shown(payload);
    let reply = receive_within(&socket, server, timeout);
    let answered = matches!(reply, Ok(Some(_)));
    let check = match reply {
        Err(why) => Check::fail(name, format!("sent {what}: {why}")),
        Ok(None) => Check::fail(
            name,
            format!(
                "sent {what} to {server}, expected it back within {}, got nothing",
                human(timeout)
            ),
        ),
        Ok(Some((reply, _))) if reply == payload => Check::pass(
            name,
            format!(
                "{} came back unchanged in {}",
                brief(payload),
                elapsed(sent_at)
            ),
        ),
        Ok(Some((reply, _))) => Check::fail(
            name,
            format!(
                "sent {what}, expected the same back, got {}{}",
                shown(&reply),
                first_difference(payload, &reply)
            ),
        ),
    };
    (check, answered)
}

/// Several clients at once each get their own datagrams back, never
/// another client's.
fn concurrent_clients(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "concurrent clients";
    let start_together = Arc::new(Barrier::new(CLIENTS));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let barrier = Arc::clone(&start_together);
            thread::spawn(move || one_client(client, server, timeout, &barrier))
        })
        .collect();
    let mut problems = Vec::new();
    for (client, handle) in clients.into_iter().enumerate() {
        match handle.join() {
            Ok(Ok(())) => {}
            Ok(Err(problem)) => problems.push(problem),
            Err(_) => {
                problems.push(format!("client {client}: the probe's thread failed"))
            }
        }
    }
    match problems.first() {
        None => Check::pass(
            NAME,
            format!(
                "{CLIENTS} clients at once, {ROUNDS} datagrams each, each got its own back"
            ),
        ),
        Some(first) => Check::fail(
            NAME,
            format!(
                "{} of {CLIENTS} clients went wrong; first: {first}",
                problems.len()
            ),
        ),
    }
}

/// One client of [`concurrent_clients`]: `ROUNDS` datagrams, each awaited.
fn one_client(
    client: usize,
    server: SocketAddr,
    timeout: Duration,
    start_together: &Barrier,
) -> Result<(), String> {
    let socket = net::udp_socket(server);
    // Wait for the others even if binding failed, or they would wait for ever.
    start_together.wait();
    let socket = socket.map_err(|error| format!("client {client}: {error}"))?;
    for round in 0..ROUNDS {
        let payload = format!("netlab probe: client {client} round {round}");
        socket
            .send_to(payload.as_bytes(), server)
            .map_err(|error| format!("client {client} could not send: {error}"))?;
        match receive_within(&socket, server, timeout) {
            Err(why) => return Err(format!("client {client}: {why}")),
            Ok(None) => {
                return Err(format!(
                    "client {client} sent `{payload}` to {server} and got nothing within {}",
                    human(timeout)
                ));
            }
            Ok(Some((reply, _))) if reply == payload.as_bytes() => {}
            Ok(Some((reply, _))) => {
                return Err(format!(
                    "client {client} sent `{payload}` and got {}",
                    describe(&reply)
                ));
            }
        }
    }
    Ok(())
}

/// `BURST` datagrams sent back to back: at least `BURST_SHARE` of them come
/// back, each unchanged.
fn burst(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "burst";
    let socket = match net::udp_socket(server) {
        Ok(socket) => socket,
        Err(error) => return Check::fail(NAME, error),
    };
    let sent: Vec<Vec<u8>> = (0..BURST)
        .map(|i| format!("netlab probe: burst {i:02}").into_bytes())
        .collect();
    for datagram in &sent {
        if let Err(error) = socket.send_to(datagram, server) {
            return Check::fail(
                NAME,
                format!("could not send to {server}: {error}"),
            );
        }
    }
    let mut back = [false; BURST];
    let give_up_at = Instant::now() + timeout;
    while back.iter().any(|came| !came) {
        let left = give_up_at.saturating_duration_since(Instant::now());
        let reply = match receive_within(&socket, server, left) {
            Ok(Some((reply, _))) => reply,
            Ok(None) => break,
            Err(why) => return Check::fail(NAME, why),
        };
        match sent.iter().position(|datagram| *datagram == reply) {
            Some(i) => back[i] = true,
            None => {
                return Check::fail(
                    NAME,
                    format!(
                        "sent {BURST} datagrams like `netlab probe: burst 07`, got {} back, \
                         which is none of them",
                        describe(&reply)
                    ),
                );
            }
        }
    }
    let count = back.iter().filter(|came| **came).count();
    let needed = (BURST as f64 * BURST_SHARE).ceil() as usize;
    let detail = format!("{count} of {BURST} sent back to back came back");
    if count >= needed {
        Check::pass(NAME, detail)
    } else {
        Check::fail(
            NAME,
            format!(
                "{detail} within {}; expected at least {needed}",
                human(timeout)
            ),
        )
    }
}

/// The reply comes from the address the request went to. A client that
/// filters by sender (as it should, and as a connected socket does) drops a
/// reply from anywhere else.
fn reply_address(server: SocketAddr, timeout: Duration) -> Check {
    const NAME: &str = "reply address";
    let socket = match net::udp_socket(server) {
        Ok(socket) => socket,
        Err(error) => return Check::fail(NAME, error),
    };
    if let Err(error) = socket.send_to(b"netlab probe: who answers?", server) {
        return Check::fail(NAME, format!("could not send to {server}: {error}"));
    }
    match receive_within(&socket, server, timeout) {
        Err(why) => Check::fail(NAME, why),
        Ok(None) => Check::fail(
            NAME,
            format!(
                "expected a reply from {server} within {}, got nothing",
                human(timeout)
            ),
        ),
        Ok(Some((_, from))) if same_endpoint(from, server) => {
            Check::pass(NAME, format!("the reply came from {from}"))
        }
        Ok(Some((_, from))) => Check::fail(
            NAME,
            format!(
                "sent to {server}, but the reply came from {from}: answer from the socket \
                 that received the request"
            ),
        ),
    }
}

/// One datagram within `timeout`: `Ok(None)` when nothing came, an error
/// sentence when the OS said nothing listens at `server`. Never waits
/// longer.
fn receive_within(
    socket: &UdpSocket,
    server: SocketAddr,
    timeout: Duration,
) -> Result<Option<(Vec<u8>, SocketAddr)>, String> {
    net::recv_within(socket, timeout).map_err(|error| net::failure(&error, server))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_datagram_budget_counts_every_check() {
        assert_eq!(MAX_DATAGRAMS, 1 + 6 + 1 + 24 + 50 + 1);
        assert_eq!(later_check_names().len(), SIZES.len() + 4);
    }
}
