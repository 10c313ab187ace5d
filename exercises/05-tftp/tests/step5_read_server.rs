// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 5: a server for read requests (book: "A server", "What a server
//! must refuse").
//!
//! A scripted client (`support::tftp_script::ScriptedClient`) talks to your
//! server packet by packet; the last tests use your own client too.

mod common;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use common::{
    LIMIT, Root, assert_same_bytes, no_progress, patient_client, payload,
    server_config, start,
};
use support::deadline;
use support::proxy::{LossPlan, LossyProxy};
use support::tftp_script::{Pkt, ScriptedClient, Step, Transcript};
use tftp::client;
use tftp::packet::ErrorCode;
use tftp::path::resolve_read;
use tftp::server::ServerConfig;

/// Plays `steps` against the server at `addr`, then listens `linger` more.
fn play(addr: SocketAddr, steps: Vec<Step>, linger: Duration) -> Transcript {
    deadline(LIMIT, "the exchange with your server", move || {
        ScriptedClient::new(addr).play(steps, linger)
    })
}

/// A root with `hello.txt`, `exact.bin` (1024 bytes), `sub/inner.txt`, and
/// beside the root a `secret.txt` no client may read.
fn tree() -> (Root, std::path::PathBuf) {
    let base = Root::new();
    let root = base.join("root");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("hello.txt"), b"hello from the server\n").unwrap();
    std::fs::write(root.join("exact.bin"), payload(1024, 1)).unwrap();
    std::fs::write(root.join("sub/inner.txt"), b"inner\n").unwrap();
    std::fs::write(base.join("secret.txt"), b"top secret\n").unwrap();
    (base, root)
}

fn serve(root: &Path) -> (tftp::server::RunningServer, SocketAddr) {
    start(server_config(root))
}

/// The file comes block by block, from a new port: the transfer's own
/// socket, not the listening one.
#[test]
fn a_file_is_sent_from_a_new_port() {
    let (_base, root) = tree();
    let file = payload(1300, 2);
    std::fs::write(root.join("three.bin"), &file).unwrap();
    let (_server, addr) = serve(&root);
    let transcript = play(
        addr,
        vec![Step::Send(Pkt::rrq("three.bin")), Step::receive_file(&file)],
        Duration::ZERO,
    );
    let tid = transcript.peer.expect("the server answered");
    assert_ne!(
        tid, addr,
        "your server answered from its listening port {addr}; each transfer needs a \
         socket of its own, on a new port (its transfer ID)"
    );
}

/// 1024 bytes: DATA 1, DATA 2, then an empty DATA 3.
#[test]
fn an_exact_multiple_ends_with_an_empty_block() {
    let (_base, root) = tree();
    let (_server, addr) = serve(&root);
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq("exact.bin")),
            Step::receive_file(&payload(1024, 1)),
        ],
        Duration::ZERO,
    );
}

/// A missing file gets ERROR 1.
#[test]
fn a_missing_file_gets_error_1() {
    let (_base, root) = tree();
    let (_server, addr) = serve(&root);
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq("nope.txt")),
            Step::Expect(Pkt::error(1, "")),
        ],
        Duration::ZERO,
    );
}

/// `..` anywhere in the name gets ERROR 2, even where it would stay
/// inside; a leading `/` means the top of the root, not of the machine.
#[test]
fn names_that_climb_out_get_error_2() {
    let (_base, root) = tree();
    let (_server, addr) = serve(&root);
    for name in ["../secret.txt", "sub/../../secret.txt", "sub/../hello.txt"] {
        play(
            addr,
            vec![Step::Send(Pkt::rrq(name)), Step::Expect(Pkt::error(2, ""))],
            Duration::ZERO,
        );
    }
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq("/hello.txt")),
            Step::receive_file(b"hello from the server\n"),
        ],
        Duration::ZERO,
    );
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq("/etc/passwd")),
            Step::Expect(Pkt::error(1, "")),
        ],
        Duration::ZERO,
    );
}

/// A symbolic link inside the root that points outside it is refused.
#[test]
fn a_symlink_out_of_the_root_gets_error_2() {
    let (base, root) = tree();
    std::os::unix::fs::symlink(base.join("secret.txt"), root.join("escape"))
        .unwrap();
    std::os::unix::fs::symlink(root.join("hello.txt"), root.join("alias")).unwrap();
    let (_server, addr) = serve(&root);
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq("escape")),
            Step::Expect(Pkt::error(2, "")),
        ],
        Duration::ZERO,
    );
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq("alias")),
            Step::receive_file(b"hello from the server\n"),
        ],
        Duration::ZERO,
    );
}

/// `resolve_read`, rule by rule.
#[test]
fn resolve_read_keeps_every_name_inside_the_root() {
    let (base, root) = tree();
    let root = std::fs::canonicalize(root).unwrap();
    std::os::unix::fs::symlink(base.join("secret.txt"), root.join("escape"))
        .unwrap();
    deadline(LIMIT, "resolve_read", move || {
        let ok = |name: &str, file: &str| match resolve_read(&root, name) {
            Ok(path) => assert_eq!(path, root.join(file), "resolve_read({name:?})"),
            Err(e) => {
                panic!("resolve_read({name:?}) should be {file}, got Err({e:?})")
            }
        };
        ok("hello.txt", "hello.txt");
        ok("/hello.txt", "hello.txt");
        ok("//sub/./inner.txt", "sub/inner.txt");
        let refused = |name: &str, code: ErrorCode| match resolve_read(&root, name) {
            Err(e) => assert_eq!(
                e.error_code(),
                code,
                "resolve_read({name:?}) = Err({e:?})"
            ),
            Ok(path) => panic!(
                "resolve_read({name:?}) should be refused with {code}, got Ok({})",
                path.display()
            ),
        };
        refused("../secret.txt", ErrorCode::AccessViolation);
        refused("sub/../hello.txt", ErrorCode::AccessViolation);
        refused("..\\secret.txt", ErrorCode::AccessViolation);
        refused("", ErrorCode::AccessViolation);
        refused("/", ErrorCode::AccessViolation);
        refused("escape", ErrorCode::AccessViolation);
        refused("sub", ErrorCode::AccessViolation);
        refused("missing.txt", ErrorCode::FileNotFound);
    });
}

/// A malformed request gets ERROR 4 from the listening port, and the
/// server goes on serving.
#[test]
fn a_malformed_request_gets_error_4_and_the_server_goes_on() {
    let (_base, root) = tree();
    let (_server, addr) = serve(&root);
    let transcript = play(
        addr,
        vec![
            Step::SendRaw(b"\x00\x01no-zero-byte".to_vec()),
            Step::Expect(Pkt::error(4, "")),
        ],
        Duration::ZERO,
    );
    assert_eq!(
        transcript.peer,
        Some(addr),
        "a refused request is answered from port 69"
    );
    play(
        addr,
        vec![
            Step::SendRaw(Pkt::ack(3).to_bytes()),
            Step::Expect(Pkt::error(4, "")),
        ],
        Duration::ZERO,
    );
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq("hello.txt")),
            Step::receive_file(b"hello from the server\n"),
        ],
        Duration::ZERO,
    );
}

/// One client stalls after DATA 1; another is served meanwhile: each
/// transfer has its own thread, the listener never waits for one.
#[test]
fn a_stalled_client_does_not_hold_up_another() {
    let (_base, root) = tree();
    let file = payload(1500, 3);
    std::fs::write(root.join("f.bin"), &file).unwrap();
    let config = ServerConfig {
        timeout: Duration::from_secs(1),
        retries: 5,
        ..server_config(&root)
    };
    let (server, addr) = start(config);
    // The first client takes DATA 1 and never answers; its socket stays
    // open, so the server's resends go nowhere else.
    let stalled = support::loopback::udp_socket(Duration::from_secs(2));
    stalled
        .send_to(&Pkt::rrq("f.bin").to_bytes(), addr)
        .unwrap();
    let first = support::loopback::recv_within(&stalled, Duration::from_secs(2));
    assert!(
        first.is_some(),
        "your server did not answer an RRQ for f.bin within 2 s"
    );
    let second = deadline(LIMIT, "a second client", move || {
        ScriptedClient::new(addr)
            .with_patience(Duration::from_millis(900))
            .try_play(
                vec![
                    Step::Send(Pkt::rrq("hello.txt")),
                    Step::receive_file(b"hello from the server\n"),
                ],
                Duration::ZERO,
            )
    });
    if let (Err(failure), _) = second {
        panic!(
            "a first client stalled after DATA 1, and the second one was not served \
             meanwhile (serve each transfer on a thread of its own):\n{failure}"
        );
    }
    drop(stalled);
    drop(server);
}

/// Two clients download at the same time, each its own file.
#[test]
fn several_clients_are_served_at_once() {
    let (_base, root) = tree();
    let files: Vec<Vec<u8>> =
        (0..4).map(|i| payload(3000 + i * 100, i as u8)).collect();
    for (i, file) in files.iter().enumerate() {
        std::fs::write(root.join(format!("f{i}.bin")), file).unwrap();
    }
    let (_server, addr) = serve(&root);
    let clients: Vec<_> = files
        .into_iter()
        .enumerate()
        .map(|(i, file)| {
            std::thread::spawn(move || {
                play(
                    addr,
                    vec![
                        Step::Send(Pkt::rrq(&format!("f{i}.bin"))),
                        Step::receive_file(&file),
                    ],
                    Duration::ZERO,
                )
            })
        })
        .collect();
    let mut ports = Vec::new();
    for client in clients {
        let transcript = client
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        ports.push(transcript.peer.unwrap().port());
    }
    ports.sort();
    ports.dedup();
    assert_eq!(
        ports.len(),
        4,
        "each transfer should have a port of its own"
    );
}

/// No ACK for DATA 1: the server sends it again after its timeout.
#[test]
fn a_lost_ack_makes_the_server_send_again() {
    let (_base, root) = tree();
    let file = payload(700, 4);
    std::fs::write(root.join("f.bin"), &file).unwrap();
    let (_server, addr) = serve(&root);
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq("f.bin")),
            Step::Expect(Pkt::data(1, &file[..512])),
            Step::Expect(Pkt::data(1, &file[..512])),
            Step::Send(Pkt::ack(1)),
            Step::Expect(Pkt::data(2, &file[512..])),
            Step::Send(Pkt::ack(2)),
        ],
        Duration::ZERO,
    );
}

/// A client that falls silent after the RRQ: the server sends DATA 1 a
/// few times, then gives up, and the transfer's socket goes quiet.
#[test]
fn the_server_gives_up_on_a_silent_client() {
    let (_base, root) = tree();
    let file = payload(700, 8);
    std::fs::write(root.join("f.bin"), &file).unwrap();
    let (_server, addr) = serve(&root);
    let transcript = play(
        addr,
        vec![
            Step::Send(Pkt::rrq("f.bin")),
            Step::Expect(Pkt::data(1, &file[..512])),
        ],
        Duration::from_secs(4),
    );
    // Only the transfer's own packets: a socket's port may have served
    // another test before.
    let tid = transcript.peer.expect("the server answered");
    let data = transcript
        .seen
        .iter()
        .filter(|s| s.from == tid && matches!(s.packet(), Some(Pkt::Data { .. })))
        .count();
    assert!(
        (2..=15).contains(&data),
        "with a 300 ms timeout and 3 retries your server should send DATA 1 a few \
         times, then give up; it sent it {data} times in 4 s"
    );
    let late: Vec<_> = transcript
        .seen
        .iter()
        .filter(|s| s.from == tid && s.at > Duration::from_secs(3))
        .filter(|s| !matches!(s.packet(), Some(Pkt::Error { .. })))
        .map(|s| support::tftp_script::describe(&s.bytes))
        .collect();
    assert!(
        late.is_empty(),
        "a 300 ms timeout and 3 retries should end the transfer within about \
         1.2 s, but 3 s after the request your server still sent {late:?}"
    );
}

/// Every ACK arrives twice; the server still sends each block once (no
/// Sorcerer's Apprentice).
#[test]
fn a_duplicate_ack_does_not_make_the_server_send_twice() {
    let (_base, root) = tree();
    let file = payload(7 * 512 + 20, 5);
    std::fs::write(root.join("f.bin"), &file).unwrap();
    let config = ServerConfig {
        timeout: Duration::from_secs(2),
        ..server_config(&root)
    };
    let (_server, addr) = start(config);
    let mut steps = vec![Step::Send(Pkt::rrq("f.bin"))];
    for (i, block) in file.chunks(512).enumerate() {
        let n = i as u16 + 1;
        steps.push(Step::Expect(Pkt::data(n, block)));
        steps.push(Step::Send(Pkt::ack(n)));
        steps.push(Step::Send(Pkt::ack(n)));
    }
    let transcript = play(addr, steps, Duration::from_millis(100));
    let sent = transcript.count_data();
    assert!(
        sent <= 10,
        "8 blocks, each ACK arriving twice: your server sent {sent} DATA packets (a \
         DATA is sent again only after a timeout, never because an ACK came twice)"
    );
}

/// An ACK from a stranger gets ERROR 5; the transfer goes on.
#[test]
fn a_stranger_gets_error_5_and_the_transfer_goes_on() {
    let (_base, root) = tree();
    let file = payload(600, 6);
    std::fs::write(root.join("f.bin"), &file).unwrap();
    let (_server, addr) = serve(&root);
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq("f.bin")),
            Step::Expect(Pkt::data(1, &file[..512])),
            Step::FromStranger(Pkt::ack(1)),
            Step::StrangerExpects(Pkt::error(5, "")),
            Step::Send(Pkt::ack(1)),
            Step::Expect(Pkt::data(2, &file[512..])),
            Step::Send(Pkt::ack(2)),
        ],
        Duration::ZERO,
    );
}

/// `stop` ends the server promptly.
#[test]
fn stop_ends_the_server() {
    let (_base, root) = tree();
    let (server, _addr) = serve(&root);
    deadline(Duration::from_secs(5), "RunningServer::stop", move || {
        server.stop().expect("the server ended with an error")
    });
}

/// Your client and your server, through a proxy that loses 20 % of the
/// datagrams both ways: the file arrives whole.
#[test]
fn a_download_survives_a_lossy_network() {
    let (_base, root) = tree();
    let file = payload(30 * 512 + 77, 7);
    std::fs::write(root.join("f.bin"), &file).unwrap();
    let config = ServerConfig {
        timeout: Duration::from_millis(150),
        retries: 12,
        ..server_config(&root)
    };
    let (_server, addr) = start(config);
    let proxy = LossyProxy::start(addr, LossPlan::lossy(7, 0.2)).unwrap();
    let via = proxy.addr();
    let got = deadline(LIMIT, "your get through a lossy proxy", move || {
        let mut sink = Vec::new();
        client::get(
            via,
            "f.bin",
            &mut sink,
            &patient_client(),
            &mut no_progress(),
        )
        .map(|_| sink)
    });
    assert_same_bytes(
        "the file through a 20 %-lossy proxy",
        &file,
        &got.expect("get through the lossy proxy failed"),
    );
}
