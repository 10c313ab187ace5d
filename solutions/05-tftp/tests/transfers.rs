//! Our `tftp` client and `tftpd` server over loopback: every size, block size,
//! window and mode moves a file byte for byte.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::raw::{self, Packet, Peer};
use common::{OPEN, Root, Server, assert_same_bytes, payload, read};
use support::deadline;

/// How long a test may run before it fails as hung.
const LIMIT: Duration = Duration::from_secs(60);
/// The same for the biggest tests.
const LONG_LIMIT: Duration = Duration::from_secs(120);

/// Downloads `name` from `server` with `flags` and checks it against `expected`.
fn check_get(
    server: &Server,
    name: &str,
    expected: &[u8],
    flags: &[&str],
    blksize: usize,
) {
    let out = Root::new();
    let local = out.join(name);
    let outcome = common::get(&server.host_port(), name, &local, flags);
    assert!(
        outcome.succeeded(),
        "`{}` failed:\n{}\nserver log:\n{}",
        outcome.command,
        outcome.explain(),
        server.log()
    );
    let what = format!("`{}`", outcome.command);
    assert_same_bytes(&what, expected, &read(&local, &what), blksize);
}

/// Uploads `bytes` as `name` with `flags` and checks what landed in `root`.
fn check_put(
    server: &Server,
    root: &Root,
    name: &str,
    bytes: &[u8],
    flags: &[&str],
    blksize: usize,
) {
    let src = Root::new();
    let local = src.write("upload", bytes);
    let outcome = common::put(&server.host_port(), &local, name, flags);
    assert!(
        outcome.succeeded(),
        "`{}` failed:\n{}\nserver log:\n{}",
        outcome.command,
        outcome.explain(),
        server.log()
    );
    let what = format!("`{}` (the file in the server's root)", outcome.command);
    assert_same_bytes(&what, bytes, &read(&root.join(name), &what), blksize);
}

/// The sizes where off-by-one mistakes live: empty, one byte, one short of a
/// block, exactly a block (a last, empty DATA must follow), one over, three
/// blocks exactly, and a megabyte and a byte.
const EDGE_SIZES: &[usize] = &[0, 1, 511, 512, 513, 3 * 512, 1024 * 1024 + 1];

/// Downloads at the default block size are byte-identical at every edge size.
#[test]
fn downloads_are_byte_identical_at_every_edge_size() {
    deadline(LIMIT, "downloads of edge sizes", || {
        let root = Root::new();
        let server = Server::start(root.path(), OPEN);
        for (i, &size) in EDGE_SIZES.iter().enumerate() {
            let name = format!("file-{size}");
            let bytes = payload(size, i as u64);
            root.write(&name, &bytes);
            check_get(&server, &name, &bytes, &[], 512);
        }
    });
}

/// Uploads at the default block size are byte-identical at every edge size.
#[test]
fn uploads_are_byte_identical_at_every_edge_size() {
    deadline(LIMIT, "uploads of edge sizes", || {
        let root = Root::new();
        let server = Server::start(root.path(), OPEN);
        for (i, &size) in EDGE_SIZES.iter().enumerate() {
            let bytes = payload(size, 100 + i as u64);
            check_put(&server, &root, &format!("up-{size}"), &bytes, &[], 512);
        }
    });
}

/// A file that spans a few windows at `blksize` × `window` (never more than
/// 3 MiB, so the whole matrix stays quick in a debug build).
fn matrix_size(blksize: usize, window: usize) -> usize {
    (blksize * window * 3 + blksize / 2 + 1).min(3 * 1024 * 1024)
}

/// Gets and puts a file at `blksize` with windows 1, 4, 16 and 64.
fn check_block_size(blksize: usize) {
    let root = Root::new();
    let server = Server::start(root.path(), OPEN);
    for window in [1, 4, 16, 64] {
        let size = matrix_size(blksize, window);
        let bytes = payload(size, (blksize * 100 + window) as u64);
        let name = format!("m-{blksize}-{window}");
        root.write(&name, &bytes);
        let b = blksize.to_string();
        let w = window.to_string();
        let flags = ["--blksize", b.as_str(), "--windowsize", w.as_str()];
        check_get(&server, &name, &bytes, &flags, blksize);
        let up = format!("{name}-up");
        check_put(&server, &root, &up, &bytes, &flags, blksize);
    }
}

/// blksize 8, the smallest RFC 2348 allows, with every window.
#[test]
fn blksize_8_moves_files_with_windows_1_to_64() {
    deadline(LIMIT, "blksize 8 transfers", || check_block_size(8));
}

/// blksize 512, the RFC 1350 default, asked for explicitly, with every window.
#[test]
fn blksize_512_moves_files_with_windows_1_to_64() {
    deadline(LIMIT, "blksize 512 transfers", || check_block_size(512));
}

/// blksize 1428, an Ethernet frame's worth, with every window.
#[test]
fn blksize_1428_moves_files_with_windows_1_to_64() {
    deadline(LIMIT, "blksize 1428 transfers", || check_block_size(1428));
}

/// blksize 8192 (datagrams fragmented by IP on a real network) with every window.
#[test]
fn blksize_8192_moves_files_with_windows_1_to_64() {
    deadline(LIMIT, "blksize 8192 transfers", || check_block_size(8192));
}

/// blksize 65464, the largest RFC 2348 allows, with every window.
#[test]
fn blksize_65464_moves_files_with_windows_1_to_64() {
    deadline(LIMIT, "blksize 65464 transfers", || {
        check_block_size(65_464)
    });
}

/// With 8-byte blocks, 65 536 × 8 + 3 bytes take 65 537 blocks: the 16-bit
/// block number wraps around and the transfer must go on, in both directions.
#[test]
fn transfers_past_65535_blocks_survive_the_block_number_rollover() {
    deadline(LONG_LIMIT, "transfers past block 65535", || {
        let root = Root::new();
        let server = Server::start(root.path(), OPEN);
        let bytes = payload(65_536 * 8 + 3, 7);
        root.write("rollover", &bytes);
        let lockstep = ["--blksize", "8", "--windowsize", "1"];
        let windowed = ["--blksize", "8", "--windowsize", "16"];
        check_get(&server, "rollover", &bytes, &lockstep, 8);
        check_get(&server, "rollover", &bytes, &windowed, 8);
        check_put(&server, &root, "rollover-up", &bytes, &windowed, 8);
    });
}

/// The classic rollover: a 32 MiB file in 512-byte lock-step blocks is 65 537
/// blocks, both ways (a few seconds even in a debug build).
#[test]
fn a_32_mib_lockstep_transfer_survives_the_block_number_rollover() {
    deadline(LONG_LIMIT, "32 MiB lock-step transfers", || {
        let root = Root::new();
        let server = Server::start(root.path(), OPEN);
        let bytes = payload(32 * 1024 * 1024 + 100, 32);
        root.write("big", &bytes);
        check_get(&server, "big", &bytes, &[], 512);
        check_put(&server, &root, "big-up", &bytes, &[], 512);
    });
}

/// A text file with every line ending there is, and CRs placed so that the
/// two bytes netascii makes of them straddle block boundaries on the wire.
fn tricky_text() -> Vec<u8> {
    let mut text = b"plain LF line\nbare CR\rhere\nDOS line\r\n".to_vec();
    // Pad with letters until the wire holds `wire_len` bytes, then push `tail`.
    let pad_to = |text: &mut Vec<u8>, wire_len: usize, tail: &[u8]| {
        while common::to_netascii(text).len() < wire_len {
            text.push(b'a' + (text.len() % 26) as u8);
        }
        text.extend_from_slice(tail);
    };
    pad_to(&mut text, 511, b"\rx"); // CR | NUL across the first boundary
    pad_to(&mut text, 1023, b"\ny"); // CR | LF across the second
    pad_to(&mut text, 1535, b"\r\nz"); // CR | NUL CR LF across the third
    pad_to(&mut text, 2047, b"\n\n\r\r\n");
    text.extend_from_slice(b"last line ends in a bare CR\r");
    text
}

/// netascii both ways between our client and server gives back the very
/// same local text file.
#[test]
fn netascii_round_trips_text_with_every_line_ending() {
    deadline(LIMIT, "netascii transfers", || {
        let root = Root::new();
        let server = Server::start(root.path(), OPEN);
        let text = tricky_text();
        root.write("text", &text);
        for flags in [
            &["--mode", "netascii"][..],
            &["--mode", "netascii", "--blksize", "1428"],
        ] {
            check_get(&server, "text", &text, flags, 512);
            check_put(&server, &root, "text-up", &text, flags, 512);
        }
    });
}

/// What the server puts on the wire in netascii: LF as CR LF, CR as CR NUL
/// (read with a hand-written lock-step client).
#[test]
fn server_sends_netascii_on_the_wire() {
    deadline(LIMIT, "a raw netascii download", || {
        let root = Root::new();
        let server = Server::start(root.path(), OPEN);
        let text = tricky_text();
        root.write("text", &text);
        let wire = raw::lockstep_get(server.addr(), "text", "netascii", &[])
            .unwrap_or_else(|e| {
                panic!("RRQ `text` netascii: {e}\nserver log:\n{}", server.log())
            });
        assert_same_bytes(
            "RRQ `text` in netascii (the bytes on the wire)",
            &common::to_netascii(&text),
            &wire,
            512,
        );
        // Mode names are case-insensitive (RFC 1350).
        let wire = raw::lockstep_get(server.addr(), "text", "NetASCII", &[])
            .unwrap_or_else(|e| panic!("RRQ `text` NetASCII: {e}"));
        assert_same_bytes(
            "RRQ in `NetASCII`",
            &common::to_netascii(&text),
            &wire,
            512,
        );
    });
}

/// What the server stores from a netascii upload: the wire's CR LF back to
/// LF and CR NUL back to CR.
#[test]
fn server_stores_netascii_uploads_as_local_text() {
    deadline(LIMIT, "a raw netascii upload", || {
        let root = Root::new();
        let server = Server::start(root.path(), OPEN);
        let text = tricky_text();
        raw::lockstep_put(
            server.addr(),
            "text-up",
            "netascii",
            &common::to_netascii(&text),
        )
        .unwrap_or_else(|e| {
            panic!("WRQ `text-up` netascii: {e}\nserver log:\n{}", server.log())
        });
        let what = "a netascii upload, as stored by the server";
        assert_same_bytes(what, &text, &read(&root.join("text-up"), what), 512);
    });
}

/// Plays a server that answers one RRQ with `wire` in plain 512-byte
/// lock-step blocks (no options), and returns the request it got.
fn serve_one_rrq(listener: &Peer, wire: &[u8]) -> Vec<String> {
    let (request, client) =
        listener.expect(Duration::from_secs(10), "waiting for the client's RRQ");
    let Packet::Request {
        opcode: raw::RRQ,
        fields,
    } = request
    else {
        panic!("expected an RRQ from the client, got {request:?}");
    };
    let transfer = Peer::new();
    let mut chunks: Vec<&[u8]> = wire.chunks(512).collect();
    if wire.len().is_multiple_of(512) {
        chunks.push(&[]);
    }
    for (i, chunk) in chunks.iter().enumerate() {
        let block = (i + 1) as u16;
        let packet = raw::data(block, chunk);
        let mut acked = false;
        for _ in 0..5 {
            transfer.send(client, &packet);
            if let Some((reply, _)) = transfer.recv(Duration::from_secs(1))
                && raw::parse(&reply) == Packet::Ack(block)
            {
                acked = true;
                break;
            }
        }
        assert!(
            acked,
            "sent DATA {block} to the client 5 times, it never ACKed it"
        );
    }
    fields
}

/// The client decodes netascii from a server it does not share code with: a
/// scripted one that ignores its options and answers in 512-byte blocks.
#[test]
fn client_decodes_netascii_from_a_plain_server() {
    deadline(LIMIT, "a netascii download from a scripted server", || {
        let text = tricky_text();
        let listener = Peer::new();
        let server = listener.addr().to_string();
        let out = Root::new();
        let local = out.join("text");
        let client = {
            let local = local.clone();
            std::thread::spawn(move || {
                common::get(
                    &server,
                    "text",
                    &local,
                    &["--mode", "netascii", "--blksize", "1428"],
                )
            })
        };
        let fields = serve_one_rrq(&listener, &common::to_netascii(&text));
        assert!(
            fields.len() >= 2 && fields[1].eq_ignore_ascii_case("netascii"),
            "the client's RRQ should name mode `netascii`, it sent {fields:?}"
        );
        let outcome = client.join().expect("the client thread");
        outcome.assert_success();
        let what = "a netascii download, as written by the client";
        assert_same_bytes(what, &text, &read(&local, what), 512);
    });
}

/// `-` as LOCAL: `get` writes the file to stdout, `put` reads it from stdin.
#[test]
fn dash_means_stdout_for_get_and_stdin_for_put() {
    deadline(LIMIT, "transfers through stdout and stdin", || {
        let root = Root::new();
        let server = Server::start(root.path(), OPEN);
        let bytes = payload(100_000, 42);
        root.write("piped", &bytes);
        let host = server.host_port();

        let outcome = common::run(&["get", &host, "piped", "-"]);
        outcome.assert_success();
        assert_same_bytes(
            "`tftp get HOST piped -` (its stdout)",
            &bytes,
            &outcome.stdout,
            512,
        );

        let outcome =
            common::run_fed(&["put", &host, "-", "from-stdin"], Some(bytes.clone()));
        outcome.assert_success();
        let what = "`tftp put HOST - from-stdin`";
        assert_same_bytes(what, &bytes, &read(&root.join("from-stdin"), what), 512);
    });
}

/// `--tsize` (RFC 2349) and `--timeout` are accepted and the transfers still
/// move the file unchanged.
#[test]
fn tsize_and_timeout_options_do_not_change_the_bytes() {
    deadline(LIMIT, "transfers with tsize and timeout", || {
        let root = Root::new();
        let server = Server::start(root.path(), OPEN);
        let bytes = payload(70_000, 3);
        root.write("sized", &bytes);
        let flags = ["--tsize", "--timeout", "2", "--blksize", "1428"];
        check_get(&server, "sized", &bytes, &flags, 1428);
        check_put(&server, &root, "sized-up", &bytes, &flags, 1428);
        // An empty file with tsize: the size 0 must not confuse either side.
        root.write("empty", b"");
        check_get(&server, "empty", b"", &flags, 1428);
    });
}

/// The server negotiates what a raw client asks for: an OACK with the
/// blksize, and DATA blocks of exactly that size.
#[test]
fn server_acknowledges_blksize_and_sends_blocks_of_that_size() {
    deadline(LIMIT, "a raw download with blksize 1000", || {
        let root = Root::new();
        let server = Server::start(root.path(), OPEN);
        let bytes = payload(2500, 9);
        root.write("f", &bytes);
        let peer = Peer::new();
        peer.send(
            server.addr(),
            &raw::rrq("f", "octet", &[("blksize", "1000")]),
        );
        let (reply, tid) =
            peer.expect(Duration::from_secs(3), "sent RRQ f blksize=1000");
        assert_eq!(
            reply,
            Packet::Oack(vec![("blksize".into(), "1000".into())]),
            "sent RRQ `f` octet blksize=1000: expected OACK blksize=1000"
        );
        assert_ne!(
            tid.port(),
            server.addr().port(),
            "the transfer must come from a new port (TID)"
        );
        let got = transfer_from(&peer, tid, 1000);
        assert_same_bytes("RRQ f blksize=1000", &bytes, &got, 1000);
    });
}

/// Drives a lock-step download whose OACK has just arrived from `tid`.
fn transfer_from(peer: &Peer, tid: SocketAddr, blksize: usize) -> Vec<u8> {
    let mut got = Vec::new();
    peer.send(tid, &raw::ack(0));
    let mut expected = 1u16;
    loop {
        let (packet, _) = peer.expect(
            Duration::from_secs(3),
            &format!("ACKed block {}", expected - 1),
        );
        match packet {
            Packet::Data { block, payload } if block == expected => {
                assert!(
                    payload.len() <= blksize,
                    "DATA {block} holds {} bytes > blksize {blksize}",
                    payload.len()
                );
                got.extend_from_slice(&payload);
                peer.send(tid, &raw::ack(block));
                if payload.len() < blksize {
                    return got;
                }
                expected += 1;
            }
            other => panic!("expected DATA {expected}, got {other:?}"),
        }
    }
}
