// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 4: an upload client (book: "Uploads"): WRQ, ACK 0, DATA from 1.

mod common;

use std::io::Read;
use std::net::SocketAddr;
use std::time::Duration;

use common::{LIMIT, payload, quick_client};
use support::deadline;
use support::tftp_script::{Pkt, ScriptedServer, Step};
use tftp::client::{self, ClientOptions, Progress, Summary};
use tftp::packet::ErrorCode;
use tftp::transfer::TransferError;

fn upload_with(
    addr: SocketAddr,
    file: Vec<u8>,
    options: ClientOptions,
) -> (Result<Summary, TransferError>, Vec<Progress>) {
    deadline(LIMIT, "your put", move || {
        let mut seen = Vec::new();
        let size = Some(file.len() as u64);
        let result = client::put(
            addr,
            "up.bin",
            &mut file.as_slice(),
            size,
            &options,
            &mut |p| seen.push(p),
        );
        (result, seen)
    })
}

fn upload(addr: SocketAddr, file: Vec<u8>) -> Result<Summary, TransferError> {
    upload_with(addr, file, quick_client()).0
}

/// WRQ, ACK 0 from the transfer ID, then DATA 1, 2, 3 in lock-step.
#[test]
fn put_sends_a_wrq_then_data_from_block_1() {
    let file = payload(1300, 1);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::wrq("up.bin")),
        Step::Send(Pkt::ack(0)),
        Step::receive_file(&file),
    ]);
    let result = upload(server.addr(), file);
    server.finish();
    result.expect("put failed");
}

/// 1024 bytes: two full blocks and an empty DATA 3.
#[test]
fn an_exact_multiple_ends_with_an_empty_block() {
    let file = payload(1024, 2);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::wrq("up.bin")),
        Step::Send(Pkt::ack(0)),
        Step::receive_file(&file),
    ]);
    let result = upload(server.addr(), file);
    let transcript = server.finish();
    result.expect("put failed");
    assert_eq!(
        transcript.count(&Pkt::data(3, b"")),
        1,
        "{}",
        transcript.show()
    );
}

/// A source that gives 100 bytes per `read`: blocks are still 512 bytes,
/// since a short read is not the end of the file.
#[test]
fn blocks_are_full_even_from_a_trickling_source() {
    struct Trickle(Vec<u8>, usize);
    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(100).min(self.0.len() - self.1);
            buf[..n].copy_from_slice(&self.0[self.1..self.1 + n]);
            self.1 += n;
            Ok(n)
        }
    }
    let file = payload(1200, 3);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::wrq("up.bin")),
        Step::Send(Pkt::ack(0)),
        Step::receive_file(&file),
    ]);
    let addr = server.addr();
    let result = deadline(LIMIT, "your put", move || {
        let mut source = Trickle(file, 0);
        client::put(
            addr,
            "up.bin",
            &mut source,
            None,
            &quick_client(),
            &mut |_| {},
        )
    });
    server.finish();
    result.expect("put failed");
}

/// ACK 1 is "lost": after its timeout the client sends DATA 1 again.
#[test]
fn an_unacknowledged_block_is_sent_again() {
    let file = payload(600, 4);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::wrq("up.bin")),
        Step::Send(Pkt::ack(0)),
        Step::Expect(Pkt::data(1, &file[..512])),
        Step::Expect(Pkt::data(1, &file[..512])),
        Step::Send(Pkt::ack(1)),
        Step::Expect(Pkt::data(2, &file[512..])),
        Step::Send(Pkt::ack(2)),
    ]);
    let result = upload(server.addr(), file);
    server.finish();
    result.expect("put failed");
}

/// The Sorcerer's Apprentice: the server acknowledges every block twice.
/// A client that answers the second ACK with the next DATA again sends
/// every block twice, then four times... A correct one sends each once.
#[test]
fn a_duplicate_ack_does_not_bring_a_duplicate_data() {
    let file = payload(7 * 512 + 10, 5);
    let mut steps = vec![Step::Expect(Pkt::wrq("up.bin")), Step::Send(Pkt::ack(0))];
    for (i, block) in file.chunks(512).enumerate() {
        let n = i as u16 + 1;
        steps.push(Step::Expect(Pkt::data(n, block)));
        steps.push(Step::Send(Pkt::ack(n)));
        steps.push(Step::Send(Pkt::ack(n)));
    }
    let server = ScriptedServer::start(steps);
    let options = ClientOptions {
        local_timeout: Duration::from_secs(2),
        ..quick_client()
    };
    let (result, _) = upload_with(server.addr(), file, options);
    let transcript = server.finish();
    result.expect("put failed");
    let sent = transcript.count_data();
    assert!(
        sent <= 10,
        "8 blocks, each ACK arriving twice: the client sent {sent} DATA packets \
         (a DATA is sent again only after a timeout, never because an ACK came \
         twice)"
    );
}

/// An ERROR instead of ACK 0 is the upload's result.
#[test]
fn an_error_ends_the_upload() {
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::wrq("up.bin")),
        Step::Send(Pkt::error(2, "read-only server")),
    ]);
    let result = upload(server.addr(), payload(100, 6));
    server.finish();
    assert!(
        matches!(
            &result,
            Err(TransferError::Remote { code: ErrorCode::AccessViolation, message })
                if message == "read-only server"
        ),
        "the server answered ERROR 2; expected Err(Remote {{ code: AccessViolation, \
         .. }}), got {result:?}"
    );
}

/// An ACK from a stranger is not the server's: ERROR 5 to it, and the
/// upload goes on (it does not count as the ACK of DATA 1).
#[test]
fn a_strangers_ack_gets_error_5() {
    let file = payload(700, 7);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::wrq("up.bin")),
        Step::Send(Pkt::ack(0)),
        Step::Expect(Pkt::data(1, &file[..512])),
        Step::FromStranger(Pkt::ack(1)),
        Step::StrangerExpects(Pkt::error(5, "")),
        Step::Silence(Duration::from_millis(50)),
        Step::Send(Pkt::ack(1)),
        Step::Expect(Pkt::data(2, &file[512..])),
        Step::Send(Pkt::ack(2)),
    ]);
    let result = upload(server.addr(), file);
    server.finish();
    result.expect("put failed");
}

/// `progress` counts the bytes acknowledged, with the size given as total.
#[test]
fn progress_counts_acknowledged_bytes() {
    let file = payload(1100, 8);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::wrq("up.bin")),
        Step::Send(Pkt::ack(0)),
        Step::receive_file(&file),
    ]);
    let (result, seen) = upload_with(server.addr(), file, quick_client());
    server.finish();
    result.expect("put failed");
    assert_eq!(
        seen.last(),
        Some(&Progress {
            transferred: 1100,
            total: Some(1100)
        }),
        "after the last ACK, all 1100 bytes are acknowledged: {seen:?}"
    );
    assert!(
        seen.windows(2)
            .all(|w| w[0].transferred <= w[1].transferred)
    );
}
