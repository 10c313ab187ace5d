// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 1: a client that sends a request and reads the reply until EOF
//! (book: "A first client").

use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use support::deadline;
use support::loopback::{describe_bytes, read_exact_within, tcp_listener};
use tcp::step1_client::request;

const LIMIT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(2);

/// A server on its own thread that accepts one connection, reads exactly
/// `expect_len` bytes of request, and hands the stream and the request to
/// `answer`.
fn one_shot_server(
    expect_len: usize,
    answer: impl FnOnce(TcpStream, Vec<u8>) + Send + 'static,
) -> SocketAddr {
    let listener = tcp_listener();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let Ok(request) = read_exact_within(&mut stream, expect_len, WAIT) else {
            return; // the client sent too little: the test says so
        };
        answer(stream, request);
    });
    addr
}

/// A reply sent in 20 pieces, 10 ms apart, arrives whole: one `read` gets
/// only the first piece.
#[test]
fn request_reads_the_reply_until_the_server_closes() {
    deadline(LIMIT, "request() reading a reply sent in pieces", || {
        let reply: Vec<u8> =
            (0..100_000u32).map(|i| b'a' + (i % 26) as u8).collect();
        let expected = reply.clone();
        let addr = one_shot_server(10, move |mut stream, _| {
            stream.set_nodelay(true).unwrap();
            for piece in reply.chunks(5_000) {
                if stream.write_all(piece).is_err() {
                    return;
                }
                thread::sleep(Duration::from_millis(10));
            }
        });
        let got = request(addr, b"GET /poem\n", WAIT).expect("request failed");
        assert!(
            got == expected,
            "the server sent {} bytes in 20 pieces and then closed; request() \
             returned {} bytes: read until `read` returns 0 (EOF), not once",
            expected.len(),
            got.len()
        );
    });
}

/// A 1 MiB request reaches the server whole, and only then does it answer.
#[test]
fn request_sends_the_whole_request() {
    deadline(LIMIT, "request() sending 1 MiB", || {
        let big: Vec<u8> = (0..1 << 20).map(|i: u32| (i * 31 % 251) as u8).collect();
        let expected = big.clone();
        let addr = one_shot_server(big.len(), move |mut stream, got| {
            let answer = if got == expected {
                "all 1048576 bytes arrived".to_string()
            } else {
                "the bytes arrived changed".to_string()
            };
            let _ = stream.write_all(answer.as_bytes());
        });
        let got = request(addr, &big, WAIT).unwrap_or_else(|error| {
            panic!(
                "sent 1 MiB with request(); the server waits for all of it before \
                 answering, and request() failed: {error}"
            )
        });
        assert_eq!(
            String::from_utf8_lossy(&got),
            "all 1048576 bytes arrived",
            "the server's verdict on the 1 MiB request"
        );
    });
}

/// A server that reads the request and closes without a word: an empty
/// reply is a reply, not an error.
#[test]
fn request_returns_an_empty_reply() {
    deadline(LIMIT, "request() to a server that says nothing", || {
        let addr = one_shot_server(4, |_, _| {});
        let got = request(addr, b"ping", WAIT).expect("request failed");
        assert!(
            got.is_empty(),
            "the server closed without sending anything, yet request() returned {}",
            describe_bytes(&got)
        );
    });
}

/// Nothing listening: the error of `connect` comes back as it is.
#[test]
fn request_to_a_closed_port_is_refused() {
    deadline(LIMIT, "request() to a port nobody listens on", || {
        let listener = tcp_listener();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        match request(addr, b"hello?", WAIT) {
            Err(error) => assert_eq!(
                error.kind(),
                io::ErrorKind::ConnectionRefused,
                "connecting to {addr}, where nothing listens, failed with {error}"
            ),
            Ok(reply) => panic!(
                "nothing listens on {addr}, yet request() returned Ok({})",
                describe_bytes(&reply)
            ),
        }
    });
}

/// A server that never answers: `TimedOut` after about `timeout`, not a
/// hang and not an empty `Ok`.
#[test]
fn request_gives_up_on_a_silent_server() {
    deadline(LIMIT, "request() to a silent server", || {
        let addr = one_shot_server(5, |stream, _| {
            // Holds the connection open, saying nothing.
            thread::sleep(Duration::from_secs(6));
            drop(stream);
        });
        let timeout = Duration::from_millis(300);
        let started = Instant::now();
        let outcome = request(addr, b"hello", timeout);
        let took = started.elapsed();
        match outcome {
            Err(error) => assert_eq!(
                error.kind(),
                io::ErrorKind::TimedOut,
                "expected an error of kind TimedOut (see timed_out_as_such), got {error}"
            ),
            Ok(reply) => panic!(
                "the server said nothing for 6 s, yet request() returned Ok({}) \
                 after {took:?}",
                describe_bytes(&reply)
            ),
        }
        assert!(
            took < Duration::from_secs(2),
            "with a 300 ms timeout, request() took {took:?} to give up"
        );
    });
}
