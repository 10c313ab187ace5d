// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 1: one datagram there, one datagram back (book: "Sending and
//! receiving").

use std::time::{Duration, Instant};

use support::deadline;
use support::loopback::{
    describe_bytes, is_port_unreachable, recv_within, udp_socket,
};
use udp::step1_datagrams::{ReceiveError, receive_one, send_one};

const LIMIT: Duration = Duration::from_secs(5);
const WAIT: Duration = Duration::from_secs(2);

/// `send_one` puts exactly the given bytes on the wire, in one datagram, and
/// says which port the OS gave its socket.
#[test]
fn send_one_delivers_the_bytes_and_reports_its_port() {
    deadline(LIMIT, "send_one", || {
        let receiver = udp_socket(WAIT);
        let to = receiver.local_addr().unwrap();
        let local = send_one(to, b"hello, datagram").expect("send_one failed");
        let Some((bytes, from)) = recv_within(&receiver, WAIT) else {
            panic!(
                "send_one(\"hello, datagram\") to {to}: nothing arrived within 2 s"
            );
        };
        assert_eq!(
            bytes,
            b"hello, datagram",
            "send_one sent `hello, datagram` to {to}, but {} arrived",
            describe_bytes(&bytes)
        );
        assert_ne!(
            local.port(),
            0,
            "send_one returned port 0: the OS picks a real port"
        );
        assert_eq!(
            local.port(),
            from.port(),
            "send_one said its socket had port {}, but the datagram came from {from}",
            local.port()
        );
    });
}

/// An empty datagram is a datagram: it arrives, with 0 bytes.
#[test]
fn send_one_sends_an_empty_datagram() {
    deadline(LIMIT, "send_one with no bytes", || {
        let receiver = udp_socket(WAIT);
        let to = receiver.local_addr().unwrap();
        send_one(to, b"").expect("send_one(to, b\"\") failed");
        match recv_within(&receiver, WAIT) {
            Some((bytes, _)) => assert!(
                bytes.is_empty(),
                "expected an empty datagram, got {}",
                describe_bytes(&bytes)
            ),
            None => panic!(
                "send_one(to, b\"\") sent nothing: expected a 0-byte datagram"
            ),
        }
    });
}

/// `receive_one` returns the bytes of one datagram and the address of its
/// sender.
#[test]
fn receive_one_returns_the_bytes_and_the_sender() {
    deadline(LIMIT, "receive_one", || {
        let socket = udp_socket(WAIT);
        let sender = udp_socket(WAIT);
        sender
            .send_to(b"ping", socket.local_addr().unwrap())
            .unwrap();
        let (bytes, from) = receive_one(&socket, WAIT).expect("receive_one failed");
        assert_eq!(
            bytes,
            b"ping",
            "sent `ping`, receive_one returned {}",
            describe_bytes(&bytes)
        );
        assert_eq!(from, sender.local_addr().unwrap(), "wrong sender address");
    });
}

/// A large datagram (60 000 bytes) comes back whole: the receive buffer must
/// be big enough for any datagram.
#[test]
fn receive_one_keeps_a_large_datagram_whole() {
    deadline(LIMIT, "receive_one with 60 000 bytes", || {
        let socket = udp_socket(WAIT);
        let sender = udp_socket(WAIT);
        let big: Vec<u8> = (0..60_000u32).map(|i| (i % 251) as u8).collect();
        sender.send_to(&big, socket.local_addr().unwrap()).unwrap();
        let (bytes, _) = receive_one(&socket, WAIT).expect("receive_one failed");
        assert_eq!(
            bytes.len(),
            big.len(),
            "sent a datagram of 60000 bytes, receive_one returned {} bytes \
             (is your buffer big enough for any datagram?)",
            bytes.len()
        );
        assert!(bytes == big, "the 60000 bytes came back changed");
    });
}

/// When nothing arrives, `receive_one` returns `ReceiveError::TimedOut`
/// after about the timeout: not an I/O error, and not a hang.
#[test]
fn receive_one_times_out_with_a_typed_error() {
    deadline(LIMIT, "receive_one on a silent socket", || {
        let socket = udp_socket(WAIT);
        let timeout = Duration::from_millis(200);
        let started = Instant::now();
        let result = receive_one(&socket, timeout);
        let took = started.elapsed();
        match result {
            Err(ReceiveError::TimedOut(reported)) => {
                assert_eq!(reported, timeout, "TimedOut should carry the timeout");
            }
            Err(other) => panic!("expected ReceiveError::TimedOut, got {other:?}"),
            Ok((bytes, from)) => {
                panic!(
                    "nobody sent anything, yet got {} from {from}",
                    describe_bytes(&bytes)
                )
            }
        }
        assert!(
            took >= Duration::from_millis(150),
            "receive_one gave up after {took:?}, before the 200 ms timeout"
        );
    });
}

/// A zero timeout is a mistake the OS refuses; `receive_one` passes it on as
/// `ReceiveError::Io` with `InvalidInput`, without blocking.
#[test]
fn receive_one_refuses_a_zero_timeout() {
    deadline(LIMIT, "receive_one with a zero timeout", || {
        let socket = udp_socket(WAIT);
        match receive_one(&socket, Duration::ZERO) {
            Err(ReceiveError::Io(error)) => {
                assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput)
            }
            other => {
                panic!("expected ReceiveError::Io(InvalidInput), got {other:?}")
            }
        }
    });
}

/// A socket error that is not a timeout is `ReceiveError::Io`, not
/// `TimedOut`: here the OS reports that nobody listens where the socket is
/// connected (an ICMP port unreachable, seen by the next receive).
#[test]
fn receive_one_reports_other_errors_as_io() {
    deadline(LIMIT, "receive_one after a port unreachable", || {
        // A port where nobody listens: bound by a socket that is closed at once.
        let closed = udp_socket(WAIT).local_addr().unwrap();
        let socket = udp_socket(WAIT);
        socket.connect(closed).unwrap();
        socket.send(b"anyone?").unwrap();
        match receive_one(&socket, WAIT) {
            Err(ReceiveError::Io(error)) if is_port_unreachable(&error) => {}
            other => panic!(
                "{closed} is closed, so the next receive fails with \
                 ConnectionRefused; expected Err(ReceiveError::Io(..)), got {other:?}"
            ),
        }
    });
}
