// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 3: a download that survives loss, duplicates and strangers (book:
//! "When packets go missing").
//!
//! The scripted server plays the loss itself (it "forgets" to send a DATA,
//! or sends one twice), or a `support::proxy::LossyProxy` between your
//! client and the script drops and duplicates chosen datagrams.

mod common;

use std::time::{Duration, Instant};

use common::{LIMIT, assert_same_bytes, no_progress, payload, quick_client};
use support::deadline;
use support::proxy::{Direction, LossPlan, LossyProxy};
use support::tftp_script::{Pkt, ScriptedServer, Step};
use tftp::client::{self, ClientOptions};
use tftp::transfer::TransferError;

fn download_from(
    addr: std::net::SocketAddr,
    options: ClientOptions,
) -> Result<Vec<u8>, TransferError> {
    deadline(LIMIT, "your get", move || {
        let mut sink = Vec::new();
        client::get(addr, "f.bin", &mut sink, &options, &mut no_progress())
            .map(|_| sink)
    })
}

/// DATA 2 never comes: after its timeout the client says ACK 1 again,
/// which tells the server to send DATA 2 again.
#[test]
fn a_lost_data_is_asked_for_again_with_the_last_ack() {
    let file = payload(700, 1);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f.bin")),
        Step::Send(Pkt::data(1, &file[..512])),
        Step::Expect(Pkt::ack(1)),
        // DATA 2 "lost": nothing sent.
        Step::Expect(Pkt::ack(1)),
        Step::Send(Pkt::data(2, &file[512..])),
        Step::Expect(Pkt::ack(2)),
    ]);
    let result = download_from(server.addr(), quick_client());
    server.finish();
    assert_same_bytes("the downloaded file", &file, &result.expect("get failed"));
}

/// ACK 1 was "lost", so DATA 1 comes again: it gets ACK 1 again (the block
/// it carries, not the one expected next) and is written only once.
#[test]
fn a_repeated_data_is_acked_again_and_written_once() {
    let file = payload(900, 2);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f.bin")),
        Step::Send(Pkt::data(1, &file[..512])),
        Step::Expect(Pkt::ack(1)),
        Step::Send(Pkt::data(1, &file[..512])),
        Step::Expect(Pkt::ack(1)),
        Step::Send(Pkt::data(2, &file[512..])),
        Step::Expect(Pkt::ack(2)),
    ]);
    let result = download_from(server.addr(), quick_client());
    server.finish();
    assert_same_bytes(
        "the downloaded file (a repeated block must be written once)",
        &file,
        &result.expect("get failed"),
    );
}

/// Nobody answers the first RRQ: the client sends it again.
#[test]
fn an_unanswered_request_is_sent_again() {
    let file = payload(100, 3);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f.bin")),
        Step::Expect(Pkt::rrq("f.bin")),
        Step::send_file(&file),
    ]);
    let result = download_from(server.addr(), quick_client());
    server.finish();
    assert_same_bytes("the downloaded file", &file, &result.expect("get failed"));
}

/// The server falls silent after DATA 1: the client repeats ACK 1 a few
/// times, never in a tight loop, then gives up with `TimedOut`.
#[test]
fn a_silent_server_is_given_up_on() {
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f.bin")),
        Step::Send(Pkt::data(1, &payload(512, 4))),
        Step::Expect(Pkt::ack(1)),
    ]);
    let options = ClientOptions {
        local_timeout: Duration::from_millis(100),
        retries: 3,
        ..ClientOptions::default()
    };
    let started = Instant::now();
    let result = download_from(server.addr(), options);
    let took = started.elapsed();
    let transcript = server.finish();
    assert!(
        matches!(result, Err(TransferError::TimedOut { .. })),
        "the server stopped answering after DATA 1; expected Err(TimedOut {{ .. }}), got \
         {result:?}"
    );
    let acks = transcript.count(&Pkt::ack(1));
    assert!(
        (2..=12).contains(&acks),
        "with a 100 ms timeout and 3 retries the client should send ACK 1 again a \
         few times before giving up (it sent it {acks} times in {} ms)",
        took.as_millis()
    );
    assert!(
        took >= Duration::from_millis(200),
        "your client gave up after {} ms: with a 100 ms timeout and 3 retries it \
         should wait about 400 ms (wait `local_timeout` for each answer)",
        took.as_millis()
    );
    assert!(
        took < Duration::from_secs(8),
        "giving up took {} ms",
        took.as_millis()
    );
}

/// Nobody answers at all: a few RRQs, then `TimedOut`.
#[test]
fn a_server_that_never_answers_is_given_up_on() {
    let server = ScriptedServer::start(vec![Step::Expect(Pkt::rrq("f.bin"))]);
    let options = ClientOptions {
        local_timeout: Duration::from_millis(100),
        retries: 2,
        ..ClientOptions::default()
    };
    let result = download_from(server.addr(), options);
    let transcript = server.finish();
    assert!(
        matches!(result, Err(TransferError::TimedOut { .. })),
        "nothing ever answered the RRQ; expected Err(TimedOut {{ .. }}), got {result:?}"
    );
    let requests = transcript.count(&Pkt::rrq("f.bin"));
    assert!(
        (2..=10).contains(&requests),
        "with a 100 ms timeout and 2 retries the client should send its RRQ a few \
         times (it sent it {requests} times)"
    );
}

/// A DATA from a stranger (another port) is not the server's: it gets
/// ERROR 5, is not written, and the download goes on.
#[test]
fn a_stranger_gets_error_5_and_the_download_goes_on() {
    let file = payload(800, 5);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f.bin")),
        Step::Send(Pkt::data(1, &file[..512])),
        Step::Expect(Pkt::ack(1)),
        Step::FromStranger(Pkt::data(2, b"not the server's data")),
        Step::StrangerExpects(Pkt::error(5, "")),
        Step::Send(Pkt::data(2, &file[512..])),
        Step::Expect(Pkt::ack(2)),
    ]);
    let result = download_from(server.addr(), quick_client());
    server.finish();
    assert_same_bytes(
        "the downloaded file (a stranger's DATA must not be written)",
        &file,
        &result.expect("get failed"),
    );
}

/// The server's first answer fixes its transfer ID: a DATA from the
/// server's listening port afterwards is a stranger's too.
#[test]
fn even_the_listening_port_is_a_stranger_once_the_transfer_started() {
    let file = payload(600, 6);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f.bin")),
        Step::Send(Pkt::data(1, &file[..512])),
        Step::Expect(Pkt::ack(1)),
        Step::FromListener(Pkt::data(2, b"forged, from the listening port")),
        Step::Wait(Duration::from_millis(100)),
        Step::Send(Pkt::data(2, &file[512..])),
        Step::Expect(Pkt::ack(2)),
    ]);
    let result = download_from(server.addr(), quick_client());
    server.finish();
    assert_same_bytes("the downloaded file", &file, &result.expect("get failed"));
}

/// A malformed datagram from the server ends the download with a protocol
/// error, after telling the server with ERROR 4.
#[test]
fn a_malformed_packet_gets_error_4() {
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f.bin")),
        Step::Send(Pkt::data(1, &payload(512, 7))),
        Step::Expect(Pkt::ack(1)),
        Step::SendRaw(vec![0, 3, 0]),
        Step::Expect(Pkt::error(4, "")),
    ]);
    let result = download_from(server.addr(), quick_client());
    server.finish();
    assert!(
        matches!(result, Err(TransferError::Protocol(_))),
        "the server sent a 3-byte DATA; expected Err(Protocol(_)), got {result:?}"
    );
}

/// Through a proxy that drops the 2nd and 4th datagrams towards the client
/// (DATA 2 and DATA 4): the download completes, every block once.
#[test]
fn lost_data_through_the_proxy() {
    let file = payload(5 * 512 + 1, 8);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f.bin")),
        Step::send_file(&file),
    ]);
    let plan = LossPlan::perfect()
        .with_drop_of(Direction::ToClient, 2)
        .with_drop_of(Direction::ToClient, 4);
    let proxy = LossyProxy::start(server.addr(), plan).unwrap();
    let result = download_from(proxy.addr(), quick_client());
    server.finish();
    assert_same_bytes("the downloaded file", &file, &result.expect("get failed"));
}

/// Through a proxy that drops ACK 1 and ACK 3: the server sends DATA 1 and
/// DATA 3 again, the client acknowledges them again and writes them once.
#[test]
fn lost_acks_through_the_proxy() {
    let file = payload(5 * 512 + 2, 9);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f.bin")),
        Step::send_file(&file),
    ]);
    // Towards the server: 1 is the RRQ, 2 is ACK 1, 4 is ACK 3.
    let plan = LossPlan::perfect()
        .with_drop_of(Direction::ToServer, 2)
        .with_drop_of(Direction::ToServer, 4);
    let proxy = LossyProxy::start(server.addr(), plan).unwrap();
    let result = download_from(proxy.addr(), quick_client());
    server.finish();
    assert_same_bytes("the downloaded file", &file, &result.expect("get failed"));
}

/// Through a proxy that delivers every DATA twice: each block is written
/// once, and each copy is acknowledged.
#[test]
fn duplicated_data_through_the_proxy() {
    let file = payload(6 * 512 + 3, 10);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq("f.bin")),
        Step::send_file(&file),
    ]);
    let plan = LossPlan::perfect()
        .with_duplicate(1.0)
        .only(Direction::ToClient);
    let proxy = LossyProxy::start(server.addr(), plan).unwrap();
    let result = download_from(proxy.addr(), quick_client());
    let transcript = server.finish();
    assert_same_bytes(
        "the downloaded file (each DATA arrived twice)",
        &file,
        &result.expect("get failed"),
    );
    assert!(
        transcript.count(&Pkt::ack(2)) >= 2,
        "DATA 2 arrived twice, so ACK 2 should have been sent twice:\n{}",
        transcript.show()
    );
}
