//! `tftpd` serves its root and nothing else, writes only when told to, and
//! shrugs off bad packets, strangers and clients that walk away.
//!
//! Every packet here is built by hand (`common::raw`), so the tests say
//! exactly what went over the wire.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::raw::{self, Packet, Peer};
use common::{Server, assert_same_bytes, listing, payload};
use support::deadline;

/// How long a test may run before it fails as hung.
const LIMIT: Duration = Duration::from_secs(60);

const SECRET: &[u8] = b"the secret that lives outside the root\n";

/// A temp dir holding `secret` (outside) and `root/` (served), with
/// `root/inside`, `root/sub/`, a symlink `root/link-to-secret` to the secret
/// and a symlink `root/linkdir` to the temp dir itself.
struct Jail {
    base: tempfile::TempDir,
}

impl Jail {
    fn new() -> Jail {
        let base = tempfile::tempdir().expect("a temp dir");
        let root = base.path().join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(base.path().join("secret"), SECRET).unwrap();
        std::fs::write(root.join("inside"), b"inside the root\n").unwrap();
        std::fs::write(root.join("etc/passwd"), b"decoy passwd inside the root\n")
            .unwrap();
        std::os::unix::fs::symlink(
            base.path().join("secret"),
            root.join("link-to-secret"),
        )
        .unwrap();
        std::os::unix::fs::symlink(base.path(), root.join("linkdir")).unwrap();
        Jail { base }
    }

    fn root(&self) -> PathBuf {
        self.base.path().join("root")
    }

    fn base(&self) -> &Path {
        self.base.path()
    }

    fn secret_untouched(&self) {
        let now =
            std::fs::read(self.base().join("secret")).expect("the secret file");
        assert_eq!(now, SECRET, "the file outside the root was modified");
    }
}

/// Sends `packet` from a fresh socket and returns the first reply.
fn ask(server: &Server, packet: &[u8], what: &str) -> (Packet, SocketAddr) {
    let peer = Peer::new();
    peer.send(server.addr(), packet);
    let after = format!(
        "sent {what} ({}) to tftpd at {}",
        raw::describe(packet),
        server.addr()
    );
    let reply = peer.expect(Duration::from_secs(3), &after);
    if let (Packet::Data { .. } | Packet::Oack(_) | Packet::Ack(_), tid) = &reply {
        // Stop whatever transfer we started.
        peer.send(*tid, &raw::error(0, "test over"));
    }
    reply
}

/// Fails unless `reply` is an ERROR whose code is one of `codes`.
fn assert_refused(reply: &Packet, codes: &[u16], what: &str) {
    match reply {
        Packet::Error { code, .. } if codes.contains(code) => {}
        Packet::Data { payload, .. } => panic!(
            "{what}: expected ERROR {codes:?}, the server sent DATA: {}",
            support::loopback::describe_bytes(payload)
        ),
        other => panic!("{what}: expected ERROR {codes:?}, got {other:?}"),
    }
}

/// Reads that climb out of the root, by any road, are refused with ERROR 2
/// (access violation) or 1 (file not found), and no byte of the file outside
/// is sent.
#[test]
fn reads_outside_the_root_are_refused() {
    deadline(LIMIT, "reads outside the root", || {
        let jail = Jail::new();
        let server = Server::start(&jail.root(), &[]);
        let names = [
            "../secret",
            "../../etc/passwd",
            "../../../../../../../../../../etc/passwd",
            "sub/../../secret",
            "./../secret",
            "link-to-secret",
            "linkdir/secret",
            "linkdir/root/../secret",
            "..\\secret",
            "sub\\..\\..\\secret",
            "sub",
            ".",
            "..",
        ];
        for name in names {
            let what = format!("RRQ `{name}`");
            let (reply, _) = ask(&server, &raw::rrq(name, "octet", &[]), &what);
            assert_refused(&reply, &[1, 2], &what);
        }
    });
}

/// An absolute path never reaches the real file system: `/etc/passwd` is
/// refused, or (the tftpd-hpa way) read relative to the root.
#[test]
fn an_absolute_path_does_not_serve_the_real_file() {
    deadline(LIMIT, "an RRQ for /etc/passwd", || {
        let jail = Jail::new();
        let server = Server::start(&jail.root(), &[]);
        let secret_path = jail.base().join("secret");
        for name in ["/etc/passwd", secret_path.to_str().unwrap(), "//etc/passwd"] {
            let what = format!("RRQ `{name}`");
            match ask(&server, &raw::rrq(name, "octet", &[]), &what).0 {
                Packet::Error { code: 1 | 2, .. } => {}
                Packet::Data { payload, .. } => assert_eq!(
                    payload, b"decoy passwd inside the root\n",
                    "{what}: the server sent a file that is not under its root"
                ),
                other => panic!("{what}: expected ERROR 1 or 2, got {other:?}"),
            }
        }
    });
}

/// The empty name and names with a NUL byte inside are refused, never taken
/// as the root directory or cut short into another name.
#[test]
fn empty_names_and_embedded_nuls_are_refused() {
    deadline(LIMIT, "odd file names", || {
        let jail = Jail::new();
        let server = Server::start(&jail.root(), &[]);
        let (reply, _) = ask(
            &server,
            &raw::rrq("", "octet", &[]),
            "RRQ with an empty name",
        );
        assert_refused(&reply, &[1, 2, 4], "RRQ with an empty name");

        // `inside\0../secret\0octet\0`: split at the NULs the name is
        // `inside` and the mode `../secret`, which is no mode at all.
        let mut packet = vec![0, 1];
        packet.extend_from_slice(b"inside\0../secret\0octet\0");
        let what = "RRQ `inside<NUL>../secret` octet";
        let (reply, _) = ask(&server, &packet, what);
        assert_refused(&reply, &[0, 1, 2, 4, 8], what);

        // `../secret\0\0octet\0`: an empty mode.
        let mut packet = vec![0, 1];
        packet.extend_from_slice(b"../secret\0\0octet\0");
        let what = "RRQ `../secret` with an empty mode";
        let (reply, _) = ask(&server, &packet, what);
        assert_refused(&reply, &[0, 1, 2, 4, 8], what);
    });
}

/// Writes that climb out of the root are refused even with --allow-write
/// --allow-create, and nothing outside the root changes.
#[test]
fn writes_outside_the_root_are_refused() {
    deadline(LIMIT, "writes outside the root", || {
        let jail = Jail::new();
        let server =
            Server::start(&jail.root(), &["--allow-write", "--allow-create"]);
        let before = listing(jail.base());
        let absolute = jail.base().join("evil-absolute");
        let names = [
            "../evil",
            "sub/../../evil",
            "link-to-secret",
            "linkdir/evil",
            "linkdir/secret",
            absolute.to_str().unwrap(),
            "..\\evil",
            "",
            "sub",
        ];
        for name in names {
            let what =
                format!("WRQ `{name}` (server with --allow-write --allow-create)");
            let (reply, _) = ask(&server, &raw::wrq(name, "octet", &[]), &what);
            assert_refused(&reply, &[1, 2, 4], &what);
        }
        jail.secret_untouched();
        assert_eq!(
            listing(jail.base()),
            before,
            "files appeared outside the root"
        );
    });
}

/// A read-only server (the default) refuses every upload with ERROR 2.
#[test]
fn uploads_are_refused_without_allow_write_or_allow_create() {
    deadline(LIMIT, "uploads to a read-only server", || {
        let jail = Jail::new();
        let server = Server::start(&jail.root(), &[]);
        let before = listing(&jail.root());
        for name in ["new-file", "inside"] {
            let what = format!(
                "WRQ `{name}` to a server started without --allow-write/--allow-create"
            );
            let (reply, _) = ask(&server, &raw::wrq(name, "octet", &[]), &what);
            assert_refused(&reply, &[2], &what);
        }
        assert_eq!(listing(&jail.root()), before, "the read-only root changed");
        assert_eq!(
            std::fs::read(jail.root().join("inside")).unwrap(),
            b"inside the root\n"
        );
    });
}

/// --allow-create alone creates new files but never overwrites: ERROR 6.
#[test]
fn allow_create_alone_never_overwrites() {
    deadline(LIMIT, "uploads with --allow-create", || {
        let jail = Jail::new();
        let server = Server::start(&jail.root(), &["--allow-create"]);
        let what = "WRQ `inside` (exists) to a server with --allow-create only";
        let (reply, _) = ask(&server, &raw::wrq("inside", "octet", &[]), what);
        assert_refused(&reply, &[6], what);
        assert_eq!(
            std::fs::read(jail.root().join("inside")).unwrap(),
            b"inside the root\n"
        );

        let bytes = payload(2000, 5);
        raw::lockstep_put(server.addr(), "brand-new", "octet", &bytes)
            .unwrap_or_else(|e| panic!("WRQ `brand-new` with --allow-create: {e}"));
        assert_eq!(std::fs::read(jail.root().join("brand-new")).unwrap(), bytes);
    });
}

/// --allow-write alone overwrites existing files but creates none: a new
/// name is refused with ERROR 2 and nothing appears.
#[test]
fn allow_write_alone_overwrites_but_never_creates() {
    deadline(LIMIT, "uploads with --allow-write", || {
        let jail = Jail::new();
        let server = Server::start(&jail.root(), &["--allow-write"]);
        let before = listing(&jail.root());
        let what = "WRQ `brand-new` to a server with --allow-write only";
        let (reply, _) = ask(&server, &raw::wrq("brand-new", "octet", &[]), what);
        assert_refused(&reply, &[2], what);
        assert_eq!(listing(&jail.root()), before, "{what}: the root changed");

        let bytes = payload(1200, 8);
        raw::lockstep_put(server.addr(), "inside", "octet", &bytes).unwrap_or_else(
            |e| panic!("WRQ `inside` (exists) with --allow-write: {e}"),
        );
        let stored = std::fs::read(jail.root().join("inside")).unwrap();
        assert_same_bytes("`inside` after it was overwritten", &bytes, &stored, 512);
    });
}

/// With --allow-write and --allow-create an existing file is replaced whole.
#[test]
fn allow_write_with_allow_create_replaces_existing_files() {
    deadline(LIMIT, "an overwriting upload", || {
        let jail = Jail::new();
        let server =
            Server::start(&jail.root(), &["--allow-write", "--allow-create"]);
        let bytes = payload(1500, 6);
        raw::lockstep_put(server.addr(), "inside", "octet", &bytes).unwrap_or_else(
            |e| panic!("WRQ `inside` (exists): {e}\n{}", server.log()),
        );
        let what = "`inside` after it was overwritten";
        assert_same_bytes(
            what,
            &bytes,
            &std::fs::read(jail.root().join("inside")).unwrap(),
            512,
        );
    });
}

/// Opens an upload of `name` and sends DATA 1 (a full block, so more must
/// follow); returns the peer and the server's transfer address.
fn start_upload(server: &Server, name: &str) -> (Peer, SocketAddr) {
    let peer = Peer::new();
    peer.send(server.addr(), &raw::wrq(name, "octet", &[]));
    let (reply, tid) =
        peer.expect(Duration::from_secs(3), &format!("sent WRQ `{name}`"));
    assert_eq!(
        reply,
        Packet::Ack(0),
        "WRQ `{name}`: expected ACK 0\n{}",
        server.log()
    );
    peer.send(tid, &raw::data(1, &payload(512, 1)));
    let (reply, _) = peer.expect(Duration::from_secs(3), "sent DATA 1 (512 bytes)");
    assert_eq!(reply, Packet::Ack(1), "DATA 1 of `{name}`: expected ACK 1");
    (peer, tid)
}

/// Waits until `dir` lists exactly `expected`, for at most `limit`.
fn wait_for_listing(dir: &Path, expected: &[String], limit: Duration, what: &str) {
    let give_up = Instant::now() + limit;
    loop {
        let now = listing(dir);
        if now == expected {
            return;
        }
        assert!(
            Instant::now() < give_up,
            "{what}: the root should hold only {expected:?} again within {} s, it holds {now:?}",
            limit.as_secs()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// An upload whose client goes silent after one block: the file never shows
/// under its name, and once the server times out nothing is left, not even
/// a temporary file.
#[test]
fn an_abandoned_upload_leaves_no_file_and_no_temp_file() {
    deadline(Duration::from_secs(40), "an abandoned upload", || {
        let jail = Jail::new();
        let server = Server::start(
            &jail.root(),
            &["--allow-create", "--timeout", "1", "--retries", "2"],
        );
        let before = listing(&jail.root());
        let (peer, _tid) = start_upload(&server, "half");
        assert!(
            !jail.root().join("half").exists(),
            "after 1 of several blocks `half` is visible in the root: uploads must land whole \
             (write a temporary file, rename it at the end)"
        );
        // Go silent. The server resends ACK 1 a few times, then gives up.
        let give_up = Instant::now() + Duration::from_secs(20);
        while peer.recv(Duration::from_secs(3)).is_some() {
            assert!(
                Instant::now() < give_up,
                "the server kept resending for 20 s"
            );
        }
        wait_for_listing(
            &jail.root(),
            &before,
            Duration::from_secs(5),
            "an abandoned upload",
        );
    });
}

/// A client that cancels an upload with an ERROR packet leaves nothing
/// behind either.
#[test]
fn a_cancelled_upload_leaves_nothing() {
    deadline(LIMIT, "a cancelled upload", || {
        let jail = Jail::new();
        let server = Server::start(&jail.root(), &["--allow-create"]);
        let before = listing(&jail.root());
        let (peer, tid) = start_upload(&server, "cancelled");
        peer.send(tid, &raw::error(0, "changed my mind"));
        wait_for_listing(
            &jail.root(),
            &before,
            Duration::from_secs(5),
            "a cancelled upload",
        );
    });
}

/// Garbage sent to the listening port is answered with ERROR 4 (illegal
/// operation), and the server goes on serving.
#[test]
fn malformed_packets_get_error_4_and_the_server_goes_on() {
    deadline(LIMIT, "malformed packets", || {
        let jail = Jail::new();
        let mut server = Server::start(&jail.root(), &[]);
        let cases: &[(&str, &[u8])] = &[
            ("an unknown opcode 99", b"\x00\x63inside\x00octet\x00"),
            ("an opcode and nothing else", b"\x00\x01"),
            ("a single byte", b"\x01"),
            (
                "an RRQ without the NUL after its mode",
                b"\x00\x01inside\x00octet",
            ),
            ("an RRQ without a mode", b"\x00\x01inside\x00"),
            (
                "an RRQ with an unknown mode",
                b"\x00\x01inside\x00binary\x00",
            ),
            (
                "an OACK to the listening port",
                b"\x00\x06blksize\x001024\x00",
            ),
        ];
        for (what, packet) in cases {
            let peer = Peer::new();
            let what =
                format!("{what} ({})", support::loopback::describe_bytes(packet));
            let (code, _) = peer.expect_error(server.addr(), packet, &what);
            assert_eq!(
                code, 4,
                "{what}: expected ERROR 4 (illegal TFTP operation), got ERROR {code}"
            );
        }
        // DATA or ACK outside any transfer: illegal here (4) or unknown TID (5).
        for (what, packet) in
            [("DATA 1", raw::data(1, b"hi")), ("ACK 1", raw::ack(1))]
        {
            let peer = Peer::new();
            let what = format!("{what} to the listening port");
            let (code, _) = peer.expect_error(server.addr(), &packet, &what);
            assert!(
                code == 4 || code == 5,
                "{what}: expected ERROR 4 or 5, got ERROR {code}"
            );
        }
        assert!(
            server.is_running(),
            "the server died after malformed packets:\n{}",
            server.log()
        );
        let got = raw::lockstep_get(server.addr(), "inside", "octet", &[])
            .unwrap_or_else(|e| {
                panic!("after the malformed packets, RRQ `inside`: {e}")
            });
        assert_eq!(got, b"inside the root\n");
    });
}

/// A packet from a stranger to a transfer's port gets ERROR 5 (unknown
/// transfer ID) sent to the stranger; the real transfer goes on unharmed.
#[test]
fn a_stranger_gets_error_5_and_the_transfer_completes() {
    deadline(LIMIT, "a transfer with a stranger", || {
        let jail = Jail::new();
        let server = Server::start(&jail.root(), &[]);
        let bytes = payload(10 * 512 + 100, 77);
        std::fs::write(jail.root().join("ten"), &bytes).unwrap();

        let client = Peer::new();
        client.send(server.addr(), &raw::rrq("ten", "octet", &[]));
        let mut got = Vec::new();
        let mut expected = 1u16;
        let mut tid = None;
        loop {
            let (reply, from) = client.expect(
                Duration::from_secs(3),
                &format!("ACKed block {}", expected - 1),
            );
            let tid = *tid.get_or_insert(from);
            assert_eq!(from, tid, "DATA came from two ports");
            let Packet::Data { block, payload } = reply else {
                panic!(
                    "expected DATA {expected}, got {reply:?} (the stranger must not disturb the client)"
                );
            };
            if block != expected {
                continue; // a resend
            }
            if block == 3 {
                let stranger = Peer::new();
                for packet in [raw::ack(3), raw::data(3, b"junk")] {
                    let what = format!(
                        "a stranger's {} to the transfer port {tid}",
                        raw::describe(&packet)
                    );
                    let (code, _) = stranger.expect_error(tid, &packet, &what);
                    assert_eq!(
                        code, 5,
                        "{what}: expected ERROR 5 (unknown transfer ID)"
                    );
                }
                // A stranger's ERROR must not end somebody else's transfer
                // (and is not answered: nobody answers an ERROR).
                stranger.send(tid, &raw::error(0, "stop!"));
            }
            got.extend_from_slice(&payload);
            client.send(tid, &raw::ack(block));
            if payload.len() < 512 {
                break;
            }
            expected += 1;
        }
        assert_same_bytes("a download interrupted by a stranger", &bytes, &got, 512);
    });
}

/// The server caps what clients ask for at its own limits, and ignores (or
/// refuses with ERROR 8) option values that make no sense.
#[test]
fn option_values_are_capped_at_the_servers_limits() {
    deadline(LIMIT, "option negotiation limits", || {
        let jail = Jail::new();
        std::fs::write(jail.root().join("big"), payload(100_000, 1)).unwrap();
        let server = Server::start(
            &jail.root(),
            &["--max-blksize", "1428", "--max-window", "4"],
        );
        let options = [("blksize", "65464"), ("windowsize", "64")];
        let what = "RRQ `big` blksize=65464 windowsize=64 (server --max-blksize 1428 --max-window 4)";
        match ask(&server, &raw::rrq("big", "octet", &options), what).0 {
            Packet::Oack(agreed) => {
                for (key, limit) in [("blksize", 1428), ("windowsize", 4)] {
                    if let Some((_, value)) = agreed.iter().find(|(k, _)| k == key) {
                        let value: u32 =
                            value.parse().expect("a number in the OACK");
                        assert!(
                            value <= limit,
                            "{what}: OACK {key}={value} is over the cap {limit}"
                        );
                    }
                }
            }
            other => panic!("{what}: expected an OACK, got {other:?}"),
        }
        for (key, value) in [
            ("blksize", "7"),
            ("blksize", "65465"),
            ("blksize", "lots"),
            ("windowsize", "0"),
        ] {
            let what = format!("RRQ `big` {key}={value}");
            match ask(&server, &raw::rrq("big", "octet", &[(key, value)]), &what).0 {
                Packet::Error { code: 8, .. } | Packet::Data { .. } => {}
                Packet::Oack(agreed) => assert!(
                    agreed.iter().all(|(k, v)| k != key || v != value),
                    "{what}: the server accepted {key}={value}: {agreed:?}"
                ),
                other => panic!(
                    "{what}: expected ERROR 8, DATA or an OACK without it, got {other:?}"
                ),
            }
        }
    });
}
