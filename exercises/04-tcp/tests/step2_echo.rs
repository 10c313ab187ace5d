// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 2: an echo server, for one client and then for clients in turn
//! (book: "An echo server").

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use socket2::SockRef;
use support::deadline;
use support::loopback::{
    connect_tcp, describe_bytes, read_exact_within, tcp_listener,
};
use tcp::step2_echo::{TurnStats, echo_one_client, serve_in_turn};

const LIMIT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(2);

/// Runs `serve` on a listener of its own on another thread; its result
/// arrives on the returned channel.
fn start<T: Send + 'static>(
    serve: impl FnOnce(&TcpListener) -> T + Send + 'static,
) -> (SocketAddr, Receiver<T>) {
    let listener = tcp_listener();
    let addr = listener.local_addr().unwrap();
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let _ = done.send(serve(&listener));
    });
    (addr, result)
}

/// Sends `bytes` and expects exactly them back.
fn expect_echo(stream: &mut TcpStream, bytes: &[u8]) {
    stream.write_all(bytes).unwrap();
    match read_exact_within(stream, bytes.len(), WAIT) {
        Ok(back) => assert!(
            back == bytes,
            "sent {} to your echo server, got {} back",
            describe_bytes(bytes),
            describe_bytes(&back)
        ),
        Err(error) => panic!(
            "sent {} to your echo server and kept the connection open; \
             expected the same bytes back within 2 s: {error}",
            describe_bytes(bytes)
        ),
    }
}

/// Half-closes and expects EOF from the server next: nothing more, and the
/// connection closed.
fn finish(stream: &mut TcpStream) {
    stream.shutdown(Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => assert!(
            rest.is_empty(),
            "after the echo, the server sent {} more",
            describe_bytes(&rest)
        ),
        Err(error) => panic!(
            "the client half-closed (shutdown(Write)); expected the server to \
             finish and close within 2 s, but reading failed: {error}"
        ),
    }
}

/// Each line comes back while the connection is still open: an echo does
/// not wait for the client to be done before it answers.
#[test]
fn echo_sends_each_piece_back_as_it_arrives() {
    deadline(LIMIT, "your echo server answering line by line", || {
        let (addr, _) = start(echo_one_client);
        let mut client = connect_tcp(addr, WAIT).unwrap();
        for i in 0..5 {
            expect_echo(&mut client, format!("line {i}\n").as_bytes());
        }
        finish(&mut client);
    });
}

/// 256 KiB of every byte value, sent in 64 pieces, come back unchanged and
/// in order; after the client's EOF the server closes.
#[test]
fn echo_returns_every_byte_in_order_then_closes() {
    deadline(LIMIT, "your echo server echoing 256 KiB", || {
        let (addr, _) = start(echo_one_client);
        let mut client = connect_tcp(addr, WAIT).unwrap();
        let data: Vec<u8> =
            (0..256 * 1024u32).map(|i| (i * 7 % 256) as u8).collect();
        for piece in data.chunks(4096) {
            expect_echo(&mut client, piece);
        }
        finish(&mut client);
    });
}

/// `echo_one_client` returns the client's address and the bytes echoed.
#[test]
fn echo_one_client_reports_the_client_and_the_count() {
    deadline(LIMIT, "echo_one_client's result", || {
        let (addr, result) = start(echo_one_client);
        let mut client = connect_tcp(addr, WAIT).unwrap();
        expect_echo(&mut client, b"twelve bytes");
        expect_echo(&mut client, b"+7 more");
        finish(&mut client);
        let outcome = result
            .recv_timeout(WAIT)
            .expect("echo_one_client did not return after the client's EOF");
        let (peer, bytes) = outcome.expect("echo_one_client failed");
        assert_eq!(
            peer,
            client.local_addr().unwrap(),
            "the peer returned is not the client's address"
        );
        assert_eq!(bytes, 19, "echoed `twelve bytes` and `+7 more`: 19 bytes");
    });
}

/// Three clients, one after the other, each get their own bytes back.
#[test]
fn serve_in_turn_serves_clients_one_after_another() {
    deadline(LIMIT, "serve_in_turn with 3 clients", || {
        let (addr, result) = start(|listener| serve_in_turn(listener, 3));
        let mut total = 0;
        for i in 0..3 {
            let mut client = connect_tcp(addr, WAIT).unwrap();
            let message = format!("I am client number {i}");
            expect_echo(&mut client, message.as_bytes());
            finish(&mut client);
            total += message.len() as u64;
        }
        let stats = result
            .recv_timeout(WAIT)
            .expect("serve_in_turn did not return after its 3 clients")
            .expect("serve_in_turn failed");
        assert_eq!(
            stats,
            TurnStats {
                served: 3,
                failed: 0,
                bytes: total
            }
        );
    });
}

/// A client that resets its connection does not end the server: the next
/// client is served, and the failure is counted.
#[test]
fn serve_in_turn_goes_on_after_a_client_resets() {
    deadline(LIMIT, "serve_in_turn after a reset", || {
        let (addr, result) = start(|listener| serve_in_turn(listener, 2));
        let mut doomed = connect_tcp(addr, WAIT).unwrap();
        expect_echo(&mut doomed, b"doomed");
        // SO_LINGER 0: closing sends RST instead of FIN.
        SockRef::from(&doomed)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(doomed);

        let mut next = connect_tcp(addr, WAIT).unwrap();
        next.write_all(b"still there?").unwrap();
        match read_exact_within(&mut next, 12, WAIT) {
            Ok(back) => assert_eq!(back, b"still there?"),
            Err(error) => panic!(
                "the first client reset its connection; the second got no echo \
                 ({error}): did the reset end your server?"
            ),
        }
        finish(&mut next);
        let outcome = result
            .recv_timeout(WAIT)
            .expect("serve_in_turn did not return after its 2 clients");
        match outcome {
            Ok(stats) => assert_eq!(
                stats,
                TurnStats {
                    served: 1,
                    failed: 1,
                    bytes: 12
                },
                "one client reset, one was served with 12 bytes"
            ),
            Err(error) => panic!(
                "serve_in_turn returned Err({error}): one client's error is not the server's"
            ),
        }
    });
}
