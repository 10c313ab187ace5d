//! Fast retransmission, slow surrender: our client and server against
//! scripted peers that keep the slow schedules of the real ones, through
//! `support`'s lossy proxy.
//!
//! - [`SlowPeer::hpa`] behaves like tftpd-hpa: it ignores duplicate ACKs
//!   (RFC 1123 4.2.3.1) and sends its DATA again only on its own timer, 1 s
//!   doubling to 4 s; as a receiver it answers a repeat of the previous
//!   block and repeats its ACK on that same timer.
//! - [`SlowPeer::atftp`] behaves like atftp's client: it repeats itself only
//!   every 5 s, and never answers a duplicate.
//!
//! Our side resends within milliseconds, but must not give up while such a
//! peer is still waiting on its timer: every transfer must end
//! byte-identical, get and put, lock-step and windowed, at 5 % and 10 %
//! loss. Last, a peer that really vanished: the transfer ends within its
//! budget, with an error that names the peer and how long it waited.
//!
//! Transfers that do not depend on each other run in parallel threads, so
//! that a test waits for its slowest transfer, not for the sum of them.

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use common::raw::{self, Packet};
use common::{Root, Server, payload};
use support::deadline;
use support::proxy::{LossPlan, LossyProxy};
use tftp::client::{self, ClientOptions};
use tftp::{ServerConfig, TransferError};

/// Long enough for the slowest parallel transfer at 10 % loss with a peer
/// that waits 5 s per loss, with room for a loaded machine.
const LIMIT: Duration = Duration::from_secs(150);

/// A scripted peer gives up after this much silence: longer than our 25 s,
/// so that a failure is ours.
const PEER_GIVES_UP: Duration = Duration::from_secs(30);

/// How a scripted sender says that it sent the last window and its ACK
/// never came back (see [`our_client_with_slow_server`]).
const NO_LAST_ACK: &str = "no ACK of the last block";

/// How long a scripted sender waits for the last ACK alone.
const LAST_ACK_WAIT: Duration = Duration::from_secs(20);

/// The retransmission schedule of a scripted peer.
#[derive(Debug, Clone, Copy)]
struct SlowPeer {
    name: &'static str,
    /// The first wait before repeating itself.
    first: Duration,
    /// The longest wait (the wait doubles up to it).
    max: Duration,
    /// Whether, as a receiver, it answers a repeat of the previous block
    /// with its ACK at once (tftpd-hpa does; atftp waits for its timer).
    answers_repeats: bool,
}

impl SlowPeer {
    fn hpa() -> SlowPeer {
        SlowPeer {
            name: "a tftpd-hpa-like peer (1 s timer backing off to 4 s, duplicate ACKs ignored)",
            first: Duration::from_secs(1),
            max: Duration::from_secs(4),
            answers_repeats: true,
        }
    }

    fn atftp() -> SlowPeer {
        SlowPeer {
            name: "an atftp-like peer (repeats itself every 5 s, nothing sooner)",
            first: Duration::from_secs(5),
            max: Duration::from_secs(5),
            answers_repeats: false,
        }
    }
}

/// The waits of a [`SlowPeer`]: first, doubling to max, back to first on
/// progress.
struct Backoff {
    peer: SlowPeer,
    current: Duration,
}

impl Backoff {
    fn new(peer: SlowPeer) -> Backoff {
        Backoff {
            peer,
            current: peer.first,
        }
    }

    fn expired(&mut self) {
        self.current = (self.current * 2).min(self.peer.max);
    }

    fn progressed(&mut self) {
        self.current = self.peer.first;
    }
}

/// The next datagram from `peer` before `until` (others are ignored).
fn recv_from_until(
    socket: &UdpSocket,
    peer: SocketAddr,
    until: Instant,
) -> Option<Vec<u8>> {
    loop {
        let left = until.checked_duration_since(Instant::now())?;
        match support::loopback::recv_within(
            socket,
            left.max(Duration::from_millis(1)),
        ) {
            Some((bytes, from)) if from == peer => return Some(bytes),
            Some(_) => {}
            None => return None,
        }
    }
}

/// Sends `file` in blocks of 512, `window` at a time, resending only on
/// its own timer and ignoring every ACK that acknowledges nothing new.
/// `opening` (an OACK) goes first and is repeated until ACK 0.
fn slow_send(
    socket: &UdpSocket,
    to: SocketAddr,
    file: &[u8],
    window: usize,
    peer: SlowPeer,
    opening: Option<Vec<u8>>,
) -> Result<(), String> {
    let mut timer = Backoff::new(peer);
    let mut quiet_since = Instant::now();
    if let Some(oack) = opening {
        loop {
            socket.send_to(&oack, to).map_err(|e| e.to_string())?;
            let until = Instant::now() + timer.current;
            let mut acked = false;
            while let Some(bytes) = recv_from_until(socket, to, until) {
                match raw::parse(&bytes) {
                    Packet::Ack(0) => {
                        acked = true;
                        break;
                    }
                    Packet::Error { code, message } => {
                        return Err(format!(
                            "ERROR {code} {message:?} instead of ACK 0"
                        ));
                    }
                    _ => {}
                }
            }
            if acked {
                break;
            }
            timer.expired();
            if quiet_since.elapsed() > PEER_GIVES_UP {
                return Err("no ACK 0".into());
            }
        }
        timer.progressed();
        quiet_since = Instant::now();
    }
    let mut blocks: Vec<&[u8]> = file.chunks(512).collect();
    if file.len().is_multiple_of(512) {
        blocks.push(&[]);
    }
    let last = blocks.len();
    let mut acked = 0usize;
    while acked < last {
        let end = (acked + window).min(last);
        for n in acked + 1..=end {
            let packet = raw::data(n as u16, blocks[n - 1]);
            socket.send_to(&packet, to).map_err(|e| e.to_string())?;
        }
        let until = Instant::now() + timer.current;
        let mut progressed = false;
        while let Some(bytes) = recv_from_until(socket, to, until) {
            match raw::parse(&bytes) {
                Packet::Ack(block) => {
                    let ahead = usize::from(block.wrapping_sub(acked as u16));
                    if ahead >= 1 && ahead <= end - acked {
                        acked += ahead;
                        progressed = true;
                        break;
                    }
                    // A duplicate or an old ACK: ignored, never answered.
                }
                Packet::Error { code, message } => {
                    return Err(format!(
                        "ERROR {code} {message:?} after block {acked}"
                    ));
                }
                _ => {}
            }
        }
        if progressed {
            timer.progressed();
            quiet_since = Instant::now();
        } else {
            timer.expired();
            // Only the ACK of the last window missing: a real tftpd-hpa
            // would go on resending for a minute, a test need not.
            if end == last && quiet_since.elapsed() > LAST_ACK_WAIT {
                return Err(format!("{NO_LAST_ACK} ({last})"));
            }
            if quiet_since.elapsed() > PEER_GIVES_UP {
                return Err(format!("no ACK after block {acked}"));
            }
        }
    }
    Ok(())
}

/// Receives blocks of 512, acknowledging every `window`-th and the last;
/// repeats its last ACK (or `opening`, until block 1) only on its timer,
/// and a repeat of the previous block at once only if the peer
/// `answers_repeats`. After the last ACK it lingers `linger` to answer a
/// repeat of the last block.
fn slow_receive(
    socket: &UdpSocket,
    mut to: SocketAddr,
    window: usize,
    peer: SlowPeer,
    opening: &[u8],
    linger: Duration,
    lock_on_first_answer: bool,
) -> Result<Vec<u8>, String> {
    let mut timer = Backoff::new(peer);
    let mut quiet_since = Instant::now();
    let mut file = Vec::new();
    let mut expected: u16 = 1;
    let mut last_sent = opening.to_vec();
    let mut locked = !lock_on_first_answer;
    socket.send_to(&last_sent, to).map_err(|e| e.to_string())?;
    let mut until = Instant::now() + timer.current;
    loop {
        let left = until.saturating_duration_since(Instant::now());
        let received = support::loopback::recv_within(
            socket,
            left.max(Duration::from_millis(1)),
        );
        let Some((bytes, from)) = received.filter(|_| Instant::now() < until) else {
            if quiet_since.elapsed() > PEER_GIVES_UP {
                return Err(format!("no DATA {expected}"));
            }
            socket.send_to(&last_sent, to).map_err(|e| e.to_string())?;
            timer.expired();
            until = Instant::now() + timer.current;
            continue;
        };
        if !locked {
            to = from;
            locked = true;
        }
        if from != to {
            continue;
        }
        match raw::parse(&bytes) {
            Packet::Oack(_) if expected == 1 => {
                last_sent = raw::ack(0);
                socket.send_to(&last_sent, to).map_err(|e| e.to_string())?;
            }
            Packet::Data { block, payload } if block == expected => {
                file.extend_from_slice(&payload);
                timer.progressed();
                quiet_since = Instant::now();
                let done = payload.len() < 512;
                if done || usize::from(block) % window == 0 {
                    last_sent = raw::ack(block);
                    socket.send_to(&last_sent, to).map_err(|e| e.to_string())?;
                    until = Instant::now() + timer.current;
                }
                if done {
                    answer_repeats_of(socket, to, block, linger);
                    return Ok(file);
                }
                expected = expected.wrapping_add(1);
            }
            Packet::Data { block, .. } => {
                let previous = block.wrapping_add(1) == expected;
                if previous && peer.answers_repeats && last_sent == raw::ack(block) {
                    socket.send_to(&last_sent, to).map_err(|e| e.to_string())?;
                }
            }
            Packet::Error { code, message } => {
                return Err(format!(
                    "ERROR {code} {message:?} waiting for DATA {expected}"
                ));
            }
            _ => {}
        }
    }
}

/// After the last ACK: answers a repeat of the last block for `linger`.
fn answer_repeats_of(
    socket: &UdpSocket,
    to: SocketAddr,
    last: u16,
    linger: Duration,
) {
    let until = Instant::now() + linger;
    while let Some(bytes) = recv_from_until(socket, to, until) {
        if matches!(raw::parse(&bytes), Packet::Data { block, .. } if block == last)
        {
            let _ = socket.send_to(&raw::ack(last), to);
        }
    }
}

/// The windowsize a request asks for (1 when none).
fn asked_window(fields: &[String]) -> usize {
    fields
        .iter()
        .skip(2)
        .collect::<Vec<_>>()
        .chunks(2)
        .find(|kv| kv[0].eq_ignore_ascii_case("windowsize"))
        .and_then(|kv| kv.get(1)?.parse().ok())
        .unwrap_or(1)
}

/// A tftpd-hpa-like server for one request: serves `file` to an RRQ, or
/// returns what a WRQ uploaded. It grants windowsize (which tftpd-hpa does
/// not know) so that the windowed case meets the same slow timer.
fn spawn_slow_server(
    file: Vec<u8>,
) -> (SocketAddr, thread::JoinHandle<Result<Vec<u8>, String>>) {
    let listener = support::loopback::udp_socket(Duration::from_secs(30));
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (request, client) = listener
            .recv_from_vec()
            .ok_or_else(|| "no request within 30 s".to_string())?;
        let Packet::Request { opcode, fields } = raw::parse(&request) else {
            return Err(format!("not a request: {}", raw::describe(&request)));
        };
        let window = asked_window(&fields);
        let oack = (window > 1).then(|| {
            let mut oack = vec![0, raw::OACK as u8];
            oack.extend_from_slice(format!("windowsize\0{window}\0").as_bytes());
            oack
        });
        // The transfer's own port, as a real server does.
        let socket = support::loopback::udp_socket(Duration::from_secs(1));
        let peer = SlowPeer::hpa();
        if opcode == raw::RRQ {
            slow_send(&socket, client, &file, window, peer, oack)?;
            Ok(file)
        } else {
            let opening = oack.unwrap_or_else(|| raw::ack(0));
            // tftpd-hpa lingers one timeout after its last ACK; this one
            // lingers 5 s, so that what the test measures is our patience,
            // not the lost-last-ACK problem every TFTP pair has (a sender
            // whose last DATA meets a receiver that has left cannot know
            // the file arrived).
            let linger = Duration::from_secs(5);
            slow_receive(&socket, client, window, peer, &opening, linger, false)
        }
    });
    (addr, handle)
}

trait RecvVec {
    fn recv_from_vec(&self) -> Option<(Vec<u8>, SocketAddr)>;
}

impl RecvVec for UdpSocket {
    fn recv_from_vec(&self) -> Option<(Vec<u8>, SocketAddr)> {
        let mut buf = vec![0u8; 65536];
        let (len, from) = self.recv_from(&mut buf).ok()?;
        buf.truncate(len);
        Some((buf, from))
    }
}

/// The last datagrams through the proxy, one per line, for a failure
/// message.
fn last_datagrams(proxy: &LossyProxy) -> String {
    let log = proxy.datagrams();
    let start = log.len().saturating_sub(40);
    log[start..]
        .iter()
        .map(|d| {
            format!(
                "  {} {} -> {}: {} [{}]",
                d.direction,
                d.from.port(),
                d.to.port(),
                raw::describe(&d.head),
                d.fate
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Which way a file goes, and how.
#[derive(Debug, Clone, Copy)]
struct Case {
    put: bool,
    window: u16,
    loss: f64,
    seed: u64,
}

impl Case {
    /// Every combination: get and put, lock-step and windowed, 5 % and
    /// 10 % loss, each with `seeds`.
    fn all(window: u16, seeds: &[u64]) -> Vec<Case> {
        let mut cases = Vec::new();
        for put in [false, true] {
            for window in [1, window] {
                for loss in [0.05, 0.10] {
                    for &seed in seeds {
                        cases.push(Case {
                            put,
                            window,
                            loss,
                            seed,
                        });
                    }
                }
            }
        }
        cases
    }

    /// The proxy's plan: `loss` dropped each way, and a little duplication
    /// and reordering besides, as on a real bad path.
    fn plan(&self) -> LossPlan {
        LossPlan::lossy(self.seed, self.loss)
            .with_duplicate(0.03)
            .with_reorder(0.03)
    }

    fn describe(&self, who: &str, len: usize) -> String {
        format!(
            "{} of {len} bytes, window {}, with {who}, through {:.0} % loss (seed {})",
            if self.put { "put" } else { "get" },
            self.window,
            self.loss * 100.0,
            self.seed
        )
    }
}

/// Runs every case on its own thread and fails with the list of those
/// that did not end byte-identical.
fn run_in_parallel(cases: Vec<Case>, one: fn(Case) -> Result<(), String>) {
    let handles: Vec<_> = cases
        .into_iter()
        .map(|case| thread::spawn(move || one(case)))
        .collect();
    let total = handles.len();
    let failures: Vec<String> = handles
        .into_iter()
        .filter_map(|h| match h.join() {
            Ok(Ok(())) => None,
            Ok(Err(why)) => Some(why),
            Err(_) => Some("a transfer thread panicked".into()),
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {total} transfers failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Our client (the library, with its default patience) against the
/// tftpd-hpa-like server through the proxy.
fn our_client_with_slow_server(case: Case) -> Result<(), String> {
    let bytes = payload(24 * 1024 + 100, case.seed);
    let (server, handle) =
        spawn_slow_server(if case.put { Vec::new() } else { bytes.clone() });
    let proxy = LossyProxy::start(server, case.plan()).map_err(|e| e.to_string())?;
    let what = case.describe(SlowPeer::hpa().name, bytes.len());
    let options = ClientOptions {
        windowsize: (case.window > 1).then_some(case.window),
        ..ClientOptions::default()
    };
    let started = Instant::now();
    let outcome = if case.put {
        client::put(
            proxy.addr(),
            "f",
            &mut &bytes[..],
            None,
            &options,
            &mut |_| {},
        )
        .map(|_| Vec::new())
    } else {
        let mut got = Vec::new();
        client::get(proxy.addr(), "f", &mut got, &options, &mut |_| {}).map(|_| got)
    };
    let got = outcome.map_err(|e| {
        format!(
            "{what}: our client failed after {:.1} s: {e}; the last datagrams:\n{}",
            started.elapsed().as_secs_f64(),
            last_datagrams(&proxy)
        )
    })?;
    let peer_side = match handle.join() {
        Ok(Ok(bytes)) => bytes,
        // Our client has every byte of a get and has left, one timeout
        // after its last ACK (tftp-hpa and atftp leave at once): when that
        // ACK and the server's slow repeat of the last block are both lost,
        // the server cannot know. The bytes decide.
        Ok(Err(e)) if !case.put && e.starts_with(NO_LAST_ACK) => Vec::new(),
        Ok(Err(e)) => return Err(format!("{what}: the scripted server: {e}")),
        Err(_) => return Err(format!("{what}: the scripted server panicked")),
    };
    let got = if case.put { peer_side } else { got };
    if got != bytes {
        return Err(format!(
            "{what}: not byte-identical ({} bytes arrived, {} sent)",
            got.len(),
            bytes.len()
        ));
    }
    Ok(())
}

#[test]
fn our_client_outlasts_a_server_that_resends_only_on_its_own_slow_timer() {
    deadline(LIMIT, "our client with a tftpd-hpa-like server", || {
        run_in_parallel(Case::all(8, &[1, 2]), our_client_with_slow_server);
    });
}

/// The atftp-like client against our server (the library, with its
/// default patience) through the proxy.
fn slow_client_with_our_server(case: Case) -> Result<(), String> {
    let bytes = payload(8 * 1024 + 100, case.seed);
    let root = Root::new();
    root.write("f", &bytes);
    let config = ServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        allow_create: true,
        ..ServerConfig::new(root.path())
    };
    let server = tftp::Server::bind(config)
        .and_then(|s| s.spawn())
        .map_err(|e| e.to_string())?;
    let proxy = LossyProxy::start(server.local_addr(), case.plan())
        .map_err(|e| e.to_string())?;
    let peer = SlowPeer::atftp();
    let what = case.describe(peer.name, bytes.len());
    let window = usize::from(case.window);
    let options: Vec<(&str, String)> = if window > 1 {
        vec![("windowsize", window.to_string())]
    } else {
        Vec::new()
    };
    let options: Vec<(&str, &str)> =
        options.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let socket = support::loopback::udp_socket(Duration::from_secs(1));
    let started = Instant::now();
    let outcome = if case.put {
        put_slowly(&socket, proxy.addr(), &bytes, window, &options)
            .map(|()| std::fs::read(root.join("up")).unwrap_or_default())
    } else {
        let rrq = raw::rrq("f", "octet", &options);
        // atftp leaves at once after its last ACK.
        slow_receive(
            &socket,
            proxy.addr(),
            window,
            peer,
            &rrq,
            Duration::ZERO,
            true,
        )
    };
    let got = outcome.map_err(|e| {
        format!(
            "{what}: the transfer failed after {:.1} s: {e}; the last datagrams:\n{}",
            started.elapsed().as_secs_f64(),
            last_datagrams(&proxy)
        )
    })?;
    drop(proxy);
    let _ = server.stop();
    if got != bytes {
        return Err(format!(
            "{what}: not byte-identical ({} bytes arrived, {} sent)",
            got.len(),
            bytes.len()
        ));
    }
    Ok(())
}

/// The atftp-like client's upload: WRQ (repeated every 5 s), then the
/// blocks on its slow timer.
fn put_slowly(
    socket: &UdpSocket,
    server: SocketAddr,
    bytes: &[u8],
    window: usize,
    options: &[(&str, &str)],
) -> Result<(), String> {
    let peer = SlowPeer::atftp();
    let wrq = raw::wrq("up", "octet", options);
    let started = Instant::now();
    let tid = loop {
        socket.send_to(&wrq, server).map_err(|e| e.to_string())?;
        match support::loopback::recv_within(socket, peer.first) {
            Some((reply, from)) => match raw::parse(&reply) {
                Packet::Ack(0) | Packet::Oack(_) => break from,
                other => {
                    return Err(format!("expected ACK 0 or OACK, got {other:?}"));
                }
            },
            None if started.elapsed() > PEER_GIVES_UP => {
                return Err("no answer to the WRQ".into());
            }
            None => {}
        }
    };
    slow_send(socket, tid, bytes, window, peer, None)?;
    // The server renames the upload before its last ACK: it is there now.
    Ok(())
}

#[test]
fn our_server_outlasts_a_client_that_repeats_itself_only_every_5_s() {
    deadline(LIMIT, "an atftp-like client with our server", || {
        run_in_parallel(Case::all(4, &[3, 4]), slow_client_with_our_server);
    });
}

// ------------------------------------------------------- a vanished peer

/// A server that answers the RRQ with DATA 1 and then says nothing more,
/// its socket still open (a crashed machine, a cut cable): no ICMP error,
/// only silence. Returns its listening address and the transfer's.
fn server_that_goes_silent() -> (SocketAddr, thread::JoinHandle<()>) {
    let listener = support::loopback::udp_socket(Duration::from_secs(10));
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        if let Some((_, client)) = listener.recv_from_vec() {
            let transfer = support::loopback::udp_socket(Duration::from_secs(1));
            let _ = transfer.send_to(&raw::data(1, &[7; 512]), client);
            // Hold the socket open, read and ignore, for longer than the
            // client's budget.
            let until = Instant::now() + Duration::from_secs(8);
            while Instant::now() < until {
                let _ = support::loopback::recv_within(
                    &transfer,
                    Duration::from_millis(200),
                );
            }
        }
    });
    (addr, handle)
}

/// `tftp get` from a server that went silent mid-transfer: it gives up
/// once its budget (here --timeout 1 --retries 2: 2 s) is spent, says
/// whom it waited for and how long, exits 1 and leaves no file.
#[test]
fn a_client_whose_server_vanished_gives_up_within_its_budget_and_says_so() {
    deadline(
        Duration::from_secs(60),
        "a download from a vanished server",
        || {
            let (server, handle) = server_that_goes_silent();
            let out = Root::new();
            let local = out.join("f");
            let outcome = common::get(
                &server.to_string(),
                "f",
                &local,
                &["--timeout", "1", "--retries", "2"],
            );
            outcome.assert_failure();
            assert!(
                outcome
                    .stderr
                    .contains("timed out: no answer from 127.0.0.1:")
                    && outcome.stderr.contains(" for 2."),
                "`{}` should say whom it waited for and how long \
             (\"timed out: no answer from 127.0.0.1:PORT for 2.x s\"), it said:\n{}",
                outcome.command,
                outcome.stderr
            );
            assert!(
                outcome.elapsed >= Duration::from_secs(2)
                    && outcome.elapsed < Duration::from_secs(6),
                "`{}` gave up after {:.1} s, expected its 2 s budget",
                outcome.command,
                outcome.elapsed.as_secs_f64()
            );
            assert!(
                !local.exists(),
                "a failed download left {} behind",
                local.display()
            );
            handle.join().unwrap();
        },
    );
}

/// A client that vanishes in the middle of a download from `tftpd`: the
/// server gives up once its budget is spent and logs the client's address
/// and the wait.
#[test]
fn a_server_whose_client_vanished_gives_up_within_its_budget_and_logs_it() {
    deadline(
        Duration::from_secs(60),
        "a download abandoned by its client",
        || {
            let root = Root::new();
            root.write("f", &payload(10_000, 5));
            let server =
                Server::start(root.path(), &["--timeout", "1", "--retries", "2"]);
            let peer = raw::Peer::new();
            peer.send(server.addr(), &raw::rrq("f", "octet", &[]));
            let (first, tid) = peer.expect(Duration::from_secs(3), "sent an RRQ");
            assert!(matches!(first, Packet::Data { block: 1, .. }), "{first:?}");
            // Say nothing more, socket open: the server resends DATA 1, then
            // gives up after 2 s.
            let until = Instant::now() + Duration::from_secs(10);
            let wanted = format!("timed out: no answer from {} for 2.", peer.addr());
            while !server.log().contains(&wanted) {
                assert!(
                    Instant::now() < until,
                    "tftpd --timeout 1 --retries 2 should log \"{wanted}x s\" about 2 s after \
                 its client fell silent; its log:\n{}",
                    server.log()
                );
                let _ = peer.recv(Duration::from_millis(100));
            }
            let _ = tid;
        },
    );
}

/// A client that closes its socket mid-transfer: the kernel answers the
/// server's next DATA with ICMP port unreachable, and the server ends the
/// transfer at once, logging that the client refused, instead of waiting
/// out its 25 s budget.
#[test]
fn a_server_whose_client_closed_its_port_stops_at_once() {
    deadline(
        Duration::from_secs(60),
        "a download whose client closed its port",
        || {
            let root = Root::new();
            root.write("f", &payload(10_000, 6));
            let server = Server::start(root.path(), &[]);
            let peer = raw::Peer::new();
            let client = peer.addr();
            peer.send(server.addr(), &raw::rrq("f", "octet", &[]));
            let (first, _) = peer.expect(Duration::from_secs(3), "sent an RRQ");
            assert!(matches!(first, Packet::Data { block: 1, .. }), "{first:?}");
            drop(peer);
            let closed = Instant::now();
            let wanted = format!("connection refused by {client}");
            while !server.log().contains(&wanted) {
                assert!(
                    closed.elapsed() < Duration::from_secs(10),
                    "tftpd should log \"{wanted}\" soon after its client closed its port \
                 (its next DATA meets ICMP port unreachable); its log:\n{}",
                    server.log()
                );
                thread::sleep(Duration::from_millis(50));
            }
        },
    );
}

/// The library's error for a vanished peer names the peer and the wait.
#[test]
fn the_library_reports_a_silent_server_with_its_address_and_the_wait() {
    deadline(
        Duration::from_secs(30),
        "a library get from a silent server",
        || {
            let silent = support::loopback::udp_socket(Duration::from_secs(1));
            let addr = silent.local_addr().unwrap();
            let options = ClientOptions {
                local_timeout: Duration::from_millis(300),
                retries: 2,
                ..ClientOptions::default()
            };
            let outcome =
                client::get(addr, "f", &mut Vec::new(), &options, &mut |_| {});
            match outcome {
                Err(TransferError::TimedOut { peer, waited }) => {
                    assert_eq!(peer, Some(addr));
                    assert!(waited >= Duration::from_millis(600), "{waited:?}");
                    assert!(waited < Duration::from_secs(3), "{waited:?}");
                }
                other => panic!("expected TimedOut from {addr}, got {other:?}"),
            }
        },
    );
}

// ------------------------------------------------- a repeated request

/// A request that arrives twice (the network duplicated it, or the client
/// repeated it before our answer reached it) starts one transfer, not two:
/// two transfers answering one client from two ports confuse it. The same
/// request once the first transfer is over is served again.
#[test]
fn a_repeated_request_starts_one_transfer() {
    deadline(Duration::from_secs(30), "a request sent twice", || {
        let root = Root::new();
        root.write("f", &payload(600, 8));
        let server = Server::start(root.path(), &[]);
        let peer = raw::Peer::new();
        let rrq = raw::rrq("f", "octet", &[]);
        peer.send(server.addr(), &rrq);
        peer.send(server.addr(), &rrq);
        let mut tids = Vec::new();
        let until = Instant::now() + Duration::from_millis(1500);
        while let Some((bytes, from)) =
            peer.recv(until.saturating_duration_since(Instant::now()))
        {
            if matches!(raw::parse(&bytes), Packet::Data { block: 1, .. })
                && !tids.contains(&from)
            {
                tids.push(from);
            }
        }
        assert_eq!(
            tids.len(),
            1,
            "sent the same RRQ twice from {}: expected DATA 1 from one transfer, got it from {:?}",
            peer.addr(),
            tids
        );
        // Finish it; then the same request again is a new transfer.
        peer.send(tids[0], &raw::ack(1));
        let (second, _) = peer.expect(Duration::from_secs(3), "sent ACK 1");
        assert!(
            matches!(second, Packet::Data { block: 2, .. }),
            "{second:?}"
        );
        peer.send(tids[0], &raw::ack(2));
        thread::sleep(Duration::from_millis(200));
        peer.send(server.addr(), &rrq);
        let (again, from) = peer.expect(
            Duration::from_secs(3),
            "sent the RRQ after the first transfer",
        );
        assert!(
            matches!(again, Packet::Data { block: 1, .. }) && from != tids[0],
            "the same RRQ after the first transfer ended should start a new one, got {again:?} from {from}"
        );
    });
}
