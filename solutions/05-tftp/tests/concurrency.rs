//! One `tftpd` serving many clients at once, and refusing the ones over its
//! --max-clients cap instead of leaving them hanging.

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::raw::{self, Packet, Peer};
use common::{Root, Server, assert_same_bytes, payload, read};
use support::deadline;

/// How long a test may run before it fails as hung.
const LIMIT: Duration = Duration::from_secs(60);
/// The same for the biggest tests.
const LONG_LIMIT: Duration = Duration::from_secs(120);

/// A hundred `tftp get` processes started together against one server (half
/// lock-step, half windowed, four different files) all end with the right
/// bytes.
#[test]
fn a_hundred_simultaneous_downloads_are_all_byte_identical() {
    deadline(LONG_LIMIT, "100 simultaneous downloads", || {
        let root = Root::new();
        let server = Server::start(root.path(), &["--max-clients", "200"]);
        let files: Vec<Vec<u8>> = (0..4)
            .map(|i| payload(48 * 1024 + 100 * i, i as u64))
            .collect();
        for (i, bytes) in files.iter().enumerate() {
            root.write(&format!("file-{i}"), bytes);
        }
        let out = Arc::new(Root::new());
        let start = Arc::new(Barrier::new(100));
        let host = server.host_port();
        let clients: Vec<_> = (0..100)
            .map(|n| {
                let (out, start, host) =
                    (Arc::clone(&out), Arc::clone(&start), host.clone());
                std::thread::spawn(move || {
                    let local = out.join(&format!("client-{n}"));
                    let remote = format!("file-{}", n % 4);
                    let flags: &[&str] = if n % 2 == 0 {
                        &[]
                    } else {
                        &["--blksize", "1428", "--windowsize", "8"]
                    };
                    start.wait();
                    (n, local.clone(), common::get(&host, &remote, &local, flags))
                })
            })
            .collect();
        for client in clients {
            let (n, local, outcome) = client.join().expect("a client thread");
            assert!(
                outcome.succeeded(),
                "client {n} of 100: `{}` failed:\n{}\nserver log (tail):\n{}",
                outcome.command,
                outcome.explain(),
                tail(&server.log(), 20)
            );
            let what = format!("client {n} of 100 (`{}`)", outcome.command);
            assert_same_bytes(&what, &files[n % 4], &read(&local, &what), 512);
        }
    });
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Starts a download of `name` and stops after DATA 1 arrives, holding the
/// transfer (and one of the server's client slots) open.
fn hold_a_transfer(
    server: &Server,
    name: &str,
    n: usize,
) -> (Peer, SocketAddr, Vec<u8>) {
    let peer = Peer::new();
    peer.send(server.addr(), &raw::rrq(name, "octet", &[]));
    match peer.expect(
        Duration::from_secs(3),
        &format!("client {n}: sent RRQ `{name}`"),
    ) {
        (Packet::Data { block: 1, payload }, tid) => (peer, tid, payload),
        (other, _) => panic!(
            "client {n} (within --max-clients): expected DATA 1, got {other:?}\n{}",
            server.log()
        ),
    }
}

/// With --max-clients 2, a third simultaneous request is refused with an
/// ERROR right away (not left waiting); once a slot frees up, requests are
/// served again, and the transfers that held the slots finish intact.
#[test]
fn max_clients_turns_away_the_extra_client_with_an_error() {
    deadline(LIMIT, "transfers over --max-clients", || {
        let root = Root::new();
        let bytes = payload(20 * 512 + 7, 9);
        root.write("big", &bytes);
        let server = Server::start(
            root.path(),
            &["--max-clients", "2", "--timeout", "2", "--retries", "5"],
        );
        let (first, first_tid, _) = hold_a_transfer(&server, "big", 1);
        let (second, second_tid, mut got) = hold_a_transfer(&server, "big", 2);

        let third = Peer::new();
        third.send(server.addr(), &raw::rrq("big", "octet", &[]));
        let asked = Instant::now();
        let what = "a third RRQ while --max-clients 2 transfers run";
        match third.recv(Duration::from_secs(3)) {
            Some((reply, _)) => match raw::parse(&reply) {
                Packet::Error { .. } => {}
                other => {
                    panic!("{what}: expected an ERROR (server busy), got {other:?}")
                }
            },
            None => panic!(
                "{what}: expected an ERROR within 3 s, got nothing: a client over the cap \
                 must be told, not left to time out"
            ),
        }
        assert!(asked.elapsed() < Duration::from_secs(3));

        // The first client walks away; its slot must come back.
        first.send(first_tid, &raw::error(0, "done with you"));
        let give_up = Instant::now() + Duration::from_secs(5);
        loop {
            let fourth = Peer::new();
            fourth.send(server.addr(), &raw::rrq("big", "octet", &[]));
            match fourth
                .recv(Duration::from_secs(1))
                .map(|(b, _)| raw::parse(&b))
            {
                // Served. Walk away; the server times this one out.
                Some(Packet::Data { block: 1, .. }) => break,
                reply => assert!(
                    Instant::now() < give_up,
                    "a new RRQ after a client left should be served within 5 s, last reply: \
                     {reply:?}"
                ),
            }
            std::thread::sleep(Duration::from_millis(100));
        }

        // The second client, held all along, finishes its download intact.
        let mut expected = 2u16;
        let mut last_payload_len = got.len();
        second.send(second_tid, &raw::ack(1));
        while last_payload_len == 512 {
            match second.expect(Duration::from_secs(5), "the held client ACKs again")
            {
                (Packet::Data { block, payload }, _) if block == expected => {
                    got.extend_from_slice(&payload);
                    last_payload_len = payload.len();
                    second.send(second_tid, &raw::ack(block));
                    expected += 1;
                }
                (Packet::Data { .. }, _) => {}
                (other, _) => panic!(
                    "the held transfer: expected DATA {expected}, got {other:?}"
                ),
            }
        }
        assert_same_bytes("the transfer that held a slot", &bytes, &got, 512);
    });
}
