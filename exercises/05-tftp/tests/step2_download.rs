// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 2: a download in lock-step against a scripted server (book: "A
//! download client").
//!
//! Each test plays a fixed exchange with `support::tftp_script`: the
//! scripted server listens on one port and answers from another (its
//! transfer ID), as a real one does, and fails the test with the packet it
//! expected and the one it got.

mod common;

use common::{LIMIT, Root, assert_same_bytes, no_progress, payload, quick_client};
use support::deadline;
use support::tftp_script::{Pkt, ScriptedServer, Step};
use tftp::client::{self, Progress};
use tftp::packet::ErrorCode;
use tftp::transfer::TransferError;

/// Runs `get` against `server` into memory.
fn download(
    server: &ScriptedServer,
    remote: &str,
) -> Result<Vec<u8>, TransferError> {
    let addr = server.addr();
    let remote = remote.to_string();
    deadline(LIMIT, "your get", move || {
        let mut sink = Vec::new();
        client::get(
            addr,
            &remote,
            &mut sink,
            &quick_client(),
            &mut no_progress(),
        )
        .map(|_| sink)
    })
}

/// A file of less than one block: RRQ, DATA 1, ACK 1, done.
#[test]
fn a_one_block_file_is_requested_and_acknowledged() {
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("hello.txt")),
        Step::Send(Pkt::data(1, b"hello, world\n")),
        Step::Expect(Pkt::ack(1)),
    ]);
    let result = download(&server, "hello.txt");
    server.finish();
    assert_eq!(result.expect("get failed"), b"hello, world\n");
}

/// Three blocks: each DATA is answered with its own ACK, sent to the port
/// the DATA came from (the transfer ID), never to the listening port.
#[test]
fn each_block_gets_its_ack_at_the_transfer_id() {
    let file = payload(1300, 1);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("three.bin")),
        Step::Send(Pkt::data(1, &file[..512])),
        Step::Expect(Pkt::ack(1)),
        Step::Send(Pkt::data(2, &file[512..1024])),
        Step::Expect(Pkt::ack(2)),
        Step::Send(Pkt::data(3, &file[1024..])),
        Step::Expect(Pkt::ack(3)),
    ]);
    let result = download(&server, "three.bin");
    let transcript = server.finish();
    assert_same_bytes("the downloaded file", &file, &result.expect("get failed"));
    assert_eq!(
        transcript.after_script().len(),
        0,
        "after the ACK of the short last block the download is over, but your \
         client sent more:\n{}",
        transcript.show()
    );
}

/// A file of exactly 1024 bytes ends with an empty DATA 3: the two full
/// blocks are not the end.
#[test]
fn a_full_last_block_is_followed_by_an_empty_one() {
    let file = payload(1024, 2);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("exact.bin")),
        Step::Send(Pkt::data(1, &file[..512])),
        Step::Expect(Pkt::ack(1)),
        Step::Send(Pkt::data(2, &file[512..])),
        Step::Expect(Pkt::ack(2)),
        Step::Send(Pkt::data(3, b"")),
        Step::Expect(Pkt::ack(3)),
    ]);
    let result = download(&server, "exact.bin");
    server.finish();
    assert_same_bytes("the downloaded file", &file, &result.expect("get failed"));
}

/// An empty file is one empty DATA 1.
#[test]
fn an_empty_file_is_one_empty_block() {
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("empty")),
        Step::Send(Pkt::data(1, b"")),
        Step::Expect(Pkt::ack(1)),
    ]);
    let result = download(&server, "empty");
    server.finish();
    assert_eq!(result.expect("get failed"), b"");
}

/// After block 65535 comes block 0: a file of 65536 full blocks and a bit
/// more (32 MiB) needs block numbers to wrap, on both sides.
#[test]
fn block_numbers_roll_over_after_65535() {
    let file = payload(65536 * 512 + 100, 3);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("big.bin")),
        Step::send_file(&file),
    ]);
    let addr = server.addr();
    let got = deadline(
        std::time::Duration::from_secs(60),
        "a 65537-block get",
        move || {
            let mut sink = Vec::with_capacity(65537 * 512);
            client::get(
                addr,
                "big.bin",
                &mut sink,
                &quick_client(),
                &mut no_progress(),
            )
            .map(|_| sink)
        },
    );
    let transcript = server.finish();
    assert!(
        transcript.count(&Pkt::ack(0)) >= 1,
        "after block 65535 comes block 0, and ACK 0 acknowledges it"
    );
    assert_same_bytes("the downloaded file", &file, &got.expect("get failed"));
}

/// An ERROR instead of DATA 1 is the download's result, with its code and
/// message.
#[test]
fn an_error_from_the_server_is_returned_with_its_code_and_message() {
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("missing.txt")),
        Step::Send(Pkt::error(1, "no such file here")),
    ]);
    let result = download(&server, "missing.txt");
    server.finish();
    match result {
        Err(TransferError::Remote { code, message }) => {
            assert_eq!(code, ErrorCode::FileNotFound);
            assert_eq!(message, "no such file here");
        }
        other => panic!(
            "the server answered ERROR 1 \"no such file here\"; expected \
             Err(TransferError::Remote {{ code: FileNotFound, .. }}), got {other:?}"
        ),
    }
}

/// A script for a download that fails after its first block.
fn failing_after_one_block(name: &str) -> ScriptedServer {
    ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq(name)),
        Step::Send(Pkt::data(1, &payload(512, 4))),
        Step::Expect(Pkt::ack(1)),
        Step::Send(Pkt::error(3, "disk on fire")),
    ])
}

fn download_file(
    server: &ScriptedServer,
    remote: &str,
    local: std::path::PathBuf,
) -> Result<tftp::client::Summary, TransferError> {
    let addr = server.addr();
    let remote = remote.to_string();
    deadline(LIMIT, "your get_file", move || {
        client::get_file(addr, &remote, &local, &quick_client(), &mut no_progress())
    })
}

/// `get_file` writes the whole file, and nothing else, where it was told.
#[test]
fn get_file_writes_the_whole_file() {
    let file = payload(1300, 5);
    let dir = Root::new();
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f.bin")),
        Step::send_file(&file),
    ]);
    let result = download_file(&server, "f.bin", dir.join("copy.bin"));
    server.finish();
    result.expect("get_file failed");
    assert_same_bytes(
        "copy.bin",
        &file,
        &std::fs::read(dir.join("copy.bin")).unwrap(),
    );
    assert_eq!(
        dir.listing(),
        ["copy.bin"],
        "only the downloaded file should be left"
    );
}

/// An ERROR after some blocks: the result is that error, and no partial
/// file is left behind, temporary or not.
#[test]
fn a_failed_download_leaves_no_partial_file() {
    let dir = Root::new();
    let server = failing_after_one_block("f.bin");
    let result = download_file(&server, "f.bin", dir.join("copy.bin"));
    server.finish();
    assert!(
        matches!(
            result,
            Err(TransferError::Remote {
                code: ErrorCode::DiskFull,
                ..
            })
        ),
        "the server sent ERROR 3 after block 1; expected Err(Remote {{ code: \
         DiskFull, .. }}), got {result:?}"
    );
    assert_eq!(
        dir.listing(),
        Vec::<String>::new(),
        "a failed download must leave nothing behind"
    );
}

/// A failed download leaves an existing file exactly as it was.
#[test]
fn a_failed_download_leaves_the_old_file_untouched() {
    let dir = Root::new();
    dir.write("copy.bin", b"the old contents");
    let server = failing_after_one_block("f.bin");
    let result = download_file(&server, "f.bin", dir.join("copy.bin"));
    server.finish();
    assert!(
        result.is_err(),
        "the server sent ERROR 3, yet get_file returned {result:?}"
    );
    assert_eq!(
        std::fs::read(dir.join("copy.bin")).unwrap(),
        b"the old contents",
        "the old file must stay as it was when a download fails"
    );
    assert_eq!(dir.listing(), ["copy.bin"]);
}

/// `progress` hears of the blocks as they arrive, with growing counts that
/// never run ahead of the bytes received.
#[test]
fn progress_counts_the_bytes_received() {
    let file = payload(1300, 6);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f")),
        Step::send_file(&file),
    ]);
    let addr = server.addr();
    let seen = deadline(LIMIT, "your get", move || {
        let mut seen: Vec<Progress> = Vec::new();
        let mut sink = Vec::new();
        client::get(addr, "f", &mut sink, &quick_client(), &mut |p| seen.push(p))
            .expect("get failed");
        seen
    });
    server.finish();
    assert!(!seen.is_empty(), "progress was never called");
    assert_eq!(
        seen[0].transferred, 512,
        "after block 1, 512 bytes are in: {seen:?}"
    );
    assert!(
        seen.windows(2)
            .all(|w| w[0].transferred <= w[1].transferred)
            && seen.iter().all(|p| p.transferred <= 1300),
        "progress should count up to the file's size: {seen:?}"
    );
}
