// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 6: uploads, only when allowed, into a temporary file renamed once
//! whole (book: "Uploads", "What a server must refuse").

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{LIMIT, Root, assert_same_bytes, payload, server_config, start};
use support::deadline;
use support::proxy::{Direction, LossPlan, LossyProxy};
use support::tftp_script::{Pkt, ScriptedClient, Step, Transcript};
use tftp::client;
use tftp::packet::ErrorCode;
use tftp::path::resolve_write;
use tftp::server::ServerConfig;

fn play(addr: SocketAddr, steps: Vec<Step>, linger: Duration) -> Transcript {
    deadline(LIMIT, "the exchange with your server", move || {
        ScriptedClient::new(addr).play(steps, linger)
    })
}

fn config(root: &Root, allow_write: bool, allow_create: bool) -> ServerConfig {
    ServerConfig {
        allow_write,
        allow_create,
        ..server_config(root.path())
    }
}

/// The steps of a whole upload of `file` as `name`.
fn upload(name: &str, file: &[u8]) -> Vec<Step> {
    vec![
        Step::Send(Pkt::wrq(name)),
        Step::Expect(Pkt::ack(0)),
        Step::send_file(file),
    ]
}

/// By default a server is read-only: a WRQ gets ERROR 2 and nothing is
/// written.
#[test]
fn uploads_are_refused_by_default() {
    let root = Root::new();
    let (_server, addr) = start(server_config(root.path()));
    play(
        addr,
        vec![
            Step::Send(Pkt::wrq("up.bin")),
            Step::Expect(Pkt::error(2, "")),
        ],
        Duration::ZERO,
    );
    assert_eq!(root.listing(), Vec::<String>::new());
}

/// With `allow_create`, a new file is received: ACK 0 from a new port,
/// then each DATA acknowledged; the file holds exactly what was sent.
#[test]
fn a_new_file_is_created_when_allowed() {
    let root = Root::new();
    let file = payload(1300, 1);
    let (_server, addr) = start(config(&root, false, true));
    let transcript = play(addr, upload("up.bin", &file), Duration::ZERO);
    assert_ne!(
        transcript.peer,
        Some(addr),
        "your server answered the WRQ from its listening port; each transfer needs a \
         socket of its own"
    );
    assert_same_bytes(
        "the uploaded file",
        &file,
        &std::fs::read(root.join("up.bin")).unwrap(),
    );
    assert_eq!(
        root.listing(),
        ["up.bin"],
        "only the uploaded file should be left"
    );
}

/// An exact multiple of 512 ends with the empty block, and then only.
#[test]
fn an_exact_multiple_ends_with_its_empty_block() {
    let root = Root::new();
    let file = payload(1024, 2);
    let (_server, addr) = start(config(&root, false, true));
    play(addr, upload("exact.bin", &file), Duration::ZERO);
    assert_same_bytes(
        "the uploaded file",
        &file,
        &std::fs::read(root.join("exact.bin")).unwrap(),
    );
}

/// With `allow_create` only, an existing file is not overwritten: ERROR 6.
#[test]
fn an_existing_file_needs_allow_write() {
    let root = Root::new();
    root.write("keep.txt", b"precious");
    let (_server, addr) = start(config(&root, false, true));
    play(
        addr,
        vec![
            Step::Send(Pkt::wrq("keep.txt")),
            Step::Expect(Pkt::error(6, "")),
        ],
        Duration::ZERO,
    );
    assert_eq!(std::fs::read(root.join("keep.txt")).unwrap(), b"precious");
}

/// With `allow_write` only, a new name is refused: ERROR 2.
#[test]
fn a_new_file_needs_allow_create() {
    let root = Root::new();
    let (_server, addr) = start(config(&root, true, false));
    play(
        addr,
        vec![
            Step::Send(Pkt::wrq("new.txt")),
            Step::Expect(Pkt::error(2, "")),
        ],
        Duration::ZERO,
    );
    assert_eq!(root.listing(), Vec::<String>::new());
}

/// With `allow_write`, an upload replaces the whole old file, even a
/// longer one.
#[test]
fn an_overwrite_replaces_the_whole_file() {
    let root = Root::new();
    root.write("f.bin", &payload(5000, 3));
    let file = payload(700, 4);
    let (_server, addr) = start(config(&root, true, false));
    play(addr, upload("f.bin", &file), Duration::ZERO);
    assert_same_bytes(
        "the overwritten file",
        &file,
        &std::fs::read(root.join("f.bin")).unwrap(),
    );
}

/// While the upload runs, the target does not exist yet: the blocks go to
/// a temporary file, renamed once the last one is in.
#[test]
fn the_file_appears_only_once_whole() {
    let root = Root::new();
    let file = payload(1500, 5);
    let (_server, addr) = start(config(&root, false, true));
    let target = root.join("up.bin");
    let client = ScriptedClient::new(addr);
    deadline(LIMIT, "the exchange with your server", move || {
        client.play(
            vec![
                Step::Send(Pkt::wrq("up.bin")),
                Step::Expect(Pkt::ack(0)),
                Step::Send(Pkt::data(1, &file[..512])),
                Step::Expect(Pkt::ack(1)),
                Step::Send(Pkt::data(2, &file[512..1024])),
                Step::Expect(Pkt::ack(2)),
            ],
            Duration::ZERO,
        );
        assert!(
            !target.exists(),
            "two blocks of three are in, and up.bin exists already: write to a \
             temporary file and rename it once the last block is in"
        );
    });
}

/// The client gives up with an ERROR in the middle: nothing is left, not
/// the target, not the temporary file.
#[test]
fn a_broken_upload_leaves_nothing() {
    let root = Root::new();
    let file = payload(1500, 6);
    let (_server, addr) = start(config(&root, false, true));
    play(
        addr,
        vec![
            Step::Send(Pkt::wrq("up.bin")),
            Step::Expect(Pkt::ack(0)),
            Step::Send(Pkt::data(1, &file[..512])),
            Step::Expect(Pkt::ack(1)),
            Step::Send(Pkt::error(0, "user cancelled")),
        ],
        Duration::from_millis(300),
    );
    assert_eq!(
        root.listing(),
        Vec::<String>::new(),
        "after an upload broken off by the client, nothing may be left in the root"
    );
}

/// A repeated DATA (our ACK was lost) gets its ACK again and is written
/// once.
#[test]
fn a_repeated_block_is_acked_again_and_written_once() {
    let root = Root::new();
    let file = payload(800, 7);
    let (_server, addr) = start(config(&root, false, true));
    play(
        addr,
        vec![
            Step::Send(Pkt::wrq("up.bin")),
            Step::Expect(Pkt::ack(0)),
            Step::Send(Pkt::data(1, &file[..512])),
            Step::Expect(Pkt::ack(1)),
            Step::Send(Pkt::data(1, &file[..512])),
            Step::Expect(Pkt::ack(1)),
            Step::Send(Pkt::data(2, &file[512..])),
            Step::Expect(Pkt::ack(2)),
        ],
        Duration::ZERO,
    );
    assert_same_bytes(
        "the uploaded file",
        &file,
        &std::fs::read(root.join("up.bin")).unwrap(),
    );
}

/// The server's last ACK is "lost": the client sends its last DATA again,
/// and the server, still there, acknowledges it again.
#[test]
fn the_last_ack_is_sent_again_when_the_last_data_comes_again() {
    let root = Root::new();
    let file = payload(700, 9);
    let (_server, addr) = start(config(&root, false, true));
    play(
        addr,
        vec![
            Step::Send(Pkt::wrq("up.bin")),
            Step::Expect(Pkt::ack(0)),
            Step::Send(Pkt::data(1, &file[..512])),
            Step::Expect(Pkt::ack(1)),
            Step::Send(Pkt::data(2, &file[512..])),
            Step::Expect(Pkt::ack(2)),
            Step::Wait(Duration::from_millis(50)),
            Step::Send(Pkt::data(2, &file[512..])),
            Step::Expect(Pkt::ack(2)),
        ],
        Duration::ZERO,
    );
    assert_same_bytes(
        "the uploaded file",
        &file,
        &std::fs::read(root.join("up.bin")).unwrap(),
    );
}

/// Uploads stay inside the root: `..` and a directory link out get
/// ERROR 2, a missing directory ERROR 1.
#[test]
fn uploads_stay_inside_the_root() {
    let base = Root::new();
    let root = base.join("root");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(base.join("outside")).unwrap();
    std::os::unix::fs::symlink(base.join("outside"), root.join("out")).unwrap();
    let config = ServerConfig {
        allow_write: true,
        allow_create: true,
        ..server_config(&root)
    };
    let (_server, addr) = start(config);
    for (name, code) in [("../evil.txt", 2), ("out/evil.txt", 2), ("nodir/x.txt", 1)]
    {
        play(
            addr,
            vec![
                Step::Send(Pkt::wrq(name)),
                Step::Expect(Pkt::error(code, "")),
            ],
            Duration::ZERO,
        );
    }
    assert!(
        !base.join("evil.txt").exists() && !base.join("outside/evil.txt").exists()
    );
}

/// `resolve_write`, rule by rule.
#[test]
fn resolve_write_checks_the_directory_and_the_file() {
    let base = Root::new();
    let root = base.join("root");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("old.txt"), b"x").unwrap();
    std::os::unix::fs::symlink(base.path(), root.join("up")).unwrap();
    let root = std::fs::canonicalize(root).unwrap();
    deadline(LIMIT, "resolve_write", move || {
        let target =
            resolve_write(&root, "sub/new.txt").expect("sub/new.txt may be written");
        assert_eq!(target.path, root.join("sub/new.txt"));
        assert!(!target.exists);
        let target =
            resolve_write(&root, "/old.txt").expect("/old.txt may be written");
        assert_eq!(target.path, root.join("old.txt"));
        assert!(target.exists, "old.txt exists");
        for (name, code) in [
            ("../x", ErrorCode::AccessViolation),
            ("up/x", ErrorCode::AccessViolation),
            ("sub", ErrorCode::AccessViolation),
            ("missing/x", ErrorCode::FileNotFound),
            ("", ErrorCode::AccessViolation),
        ] {
            match resolve_write(&root, name) {
                Err(e) => assert_eq!(
                    e.error_code(),
                    code,
                    "resolve_write({name:?}) = Err({e:?})"
                ),
                Ok(t) => panic!(
                    "resolve_write({name:?}) should be refused with {code}, got {t:?}"
                ),
            }
        }
    });
}

/// Your client uploads to your server through a proxy that loses a
/// quarter of the datagrams on their way to the server.
#[test]
fn an_upload_survives_a_lossy_network() {
    let root = Root::new();
    let file = payload(25 * 512 + 5, 8);
    let config = ServerConfig {
        allow_create: true,
        timeout: Duration::from_millis(150),
        retries: 12,
        ..server_config(root.path())
    };
    let (_server, addr) = start(config);
    // Losses on the way to the server only: a lost last ACK would leave
    // the client waiting for a server that has rightly finished (the
    // scripted tests above cover a lost ACK).
    let plan = LossPlan::lossy(11, 0.25).only(Direction::ToServer);
    let proxy = LossyProxy::start(addr, plan).unwrap();
    let via = proxy.addr();
    let sent = file.clone();
    let result = deadline(LIMIT, "your put through a lossy proxy", move || {
        let options = common::patient_client();
        client::put(
            via,
            "up.bin",
            &mut sent.as_slice(),
            None,
            &options,
            &mut |_| {},
        )
    });
    result.expect("put through the lossy proxy failed");
    // The server renames before its last ACK, but give it a moment.
    let path = root.join("up.bin");
    deadline(LIMIT, "the upload to appear", move || {
        while !path.exists() {
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    assert_same_bytes(
        "the uploaded file",
        &file,
        &std::fs::read(root.join("up.bin")).unwrap(),
    );
}
