// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 4: message boundaries, the largest datagram, and truncation (book:
//! "Message boundaries").

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use support::deadline;
use support::loopback::{describe_bytes, is_timeout, recv_within, udp_socket};
use udp::step4_boundaries::{
    MAX_UDP_PAYLOAD_V4, Received, SendError, max_payload, recv_detecting_truncation,
    send_datagram, send_each_line,
};

/// How long a test of pure computation may take: far more than it needs,
/// so that only an endless loop fails it.
const PURE: Duration = Duration::from_secs(5);

const LIMIT: Duration = Duration::from_secs(5);
const WAIT: Duration = Duration::from_secs(2);

/// Receives datagrams until none has come for 200 ms.
fn all_datagrams(socket: &std::net::UdpSocket) -> Vec<Vec<u8>> {
    let mut got = Vec::new();
    while let Some((bytes, _)) = recv_within(socket, Duration::from_millis(200)) {
        got.push(bytes);
    }
    got
}

/// Three lines are three datagrams, each without its newline: the receiver
/// gets three messages, never one glued together.
#[test]
fn three_lines_arrive_as_three_datagrams() {
    deadline(LIMIT, "send_each_line", || {
        let (sender, receiver) = (udp_socket(WAIT), udp_socket(WAIT));
        let to = receiver.local_addr().unwrap();
        let sent = send_each_line(&sender, to, "one\ntwo\nthree\n")
            .expect("send_each_line failed");
        assert_eq!(sent, 3, "\"one\\ntwo\\nthree\\n\" has 3 lines");
        let got = all_datagrams(&receiver);
        let shown: Vec<String> = got.iter().map(|d| describe_bytes(d)).collect();
        assert_eq!(
            got,
            vec![b"one".to_vec(), b"two".to_vec(), b"three".to_vec()],
            "expected 3 datagrams `one`, `two`, `three`; got {}: {}",
            got.len(),
            shown.join(", ")
        );
    });
}

/// An empty line in the middle is an empty datagram: boundaries hold even
/// around nothing.
#[test]
fn an_empty_line_is_an_empty_datagram() {
    deadline(LIMIT, "send_each_line with an empty line", || {
        let (sender, receiver) = (udp_socket(WAIT), udp_socket(WAIT));
        let to = receiver.local_addr().unwrap();
        send_each_line(&sender, to, "a\n\nb").expect("send_each_line failed");
        let got = all_datagrams(&receiver);
        assert_eq!(
            got,
            vec![b"a".to_vec(), Vec::new(), b"b".to_vec()],
            "\"a\\n\\nb\" should be sent as `a`, an empty datagram, `b`"
        );
    });
}

/// 65 535 − 20 (IPv4 header) − 8 (UDP header) = 65 507 over IPv4;
/// 65 535 − 8 over IPv6, whose length field does not count its own header.
#[test]
fn the_largest_payload_is_65507_over_ipv4_and_65527_over_ipv6() {
    deadline(
        PURE,
        "the largest payload is 65507 over ipv4 and 65527 over ipv6",
        || {
            assert_eq!(MAX_UDP_PAYLOAD_V4, 65_507);
            assert_eq!(
                max_payload(IpAddr::V4(Ipv4Addr::LOCALHOST)),
                65_507,
                "over IPv4"
            );
            assert_eq!(
                max_payload(IpAddr::V6(Ipv6Addr::LOCALHOST)),
                65_527,
                "over IPv6"
            );
        },
    );
}

/// The largest IPv4 datagram, 65 507 bytes, goes through whole.
#[test]
fn the_largest_datagram_arrives_whole() {
    deadline(LIMIT, "send_datagram with 65 507 bytes", || {
        let (sender, receiver) = (udp_socket(WAIT), udp_socket(WAIT));
        let to = receiver.local_addr().unwrap();
        let largest = vec![0xAB; 65_507];
        send_datagram(&sender, to, &largest)
            .expect("65 507 bytes fit in one datagram");
        let Some((bytes, _)) = recv_within(&receiver, WAIT) else {
            panic!("sent 65 507 bytes to {to}, nothing arrived within 2 s");
        };
        assert_eq!(
            bytes.len(),
            65_507,
            "sent 65 507 bytes, {} arrived",
            bytes.len()
        );
    });
}

/// One byte more than fits is refused with `SendError::TooLarge`, and
/// nothing goes on the wire.
#[test]
fn one_byte_too_many_is_refused() {
    deadline(LIMIT, "send_datagram with 65 508 bytes", || {
        let (sender, receiver) = (udp_socket(WAIT), udp_socket(WAIT));
        let to = receiver.local_addr().unwrap();
        match send_datagram(&sender, to, &vec![0; 65_508]) {
            Err(SendError::TooLarge { len, max }) => {
                assert_eq!((len, max), (65_508, 65_507), "TooLarge {{ len, max }}")
            }
            other => panic!(
                "65 508 bytes cannot fit in one IPv4 datagram; expected \
                             SendError::TooLarge, got {other:?}"
            ),
        }
        assert!(
            recv_within(&receiver, Duration::from_millis(100)).is_none(),
            "a refused datagram must not be sent at all"
        );
    });
}

/// A datagram bigger than the buffer is reported as truncated, with the
/// bytes that fitted; the rest is gone: the next receive gets the next
/// datagram.
#[test]
fn truncation_is_detected_and_the_rest_is_gone() {
    deadline(LIMIT, "recv_detecting_truncation", || {
        let (sender, receiver) = (udp_socket(WAIT), udp_socket(WAIT));
        let to = receiver.local_addr().unwrap();
        sender.send_to(b"0123456789ABCDEF", to).unwrap();
        sender.send_to(b"next", to).unwrap();

        let first =
            recv_detecting_truncation(&receiver, 10).expect("first receive failed");
        assert_eq!(
            first,
            Received::Truncated {
                kept: b"0123456789".to_vec()
            },
            "a 16-byte datagram into a 10-byte buffer"
        );
        let second =
            recv_detecting_truncation(&receiver, 10).expect("second receive failed");
        assert_eq!(
            second,
            Received::Whole(b"next".to_vec()),
            "after a truncated datagram the next receive gets the next datagram, \
             not the rest of the first"
        );
    });
}

/// A datagram exactly as long as the buffer fitted: it is whole. And an
/// empty datagram is whole too.
#[test]
fn a_datagram_that_fits_exactly_is_whole() {
    deadline(LIMIT, "recv_detecting_truncation at the edge", || {
        let (sender, receiver) = (udp_socket(WAIT), udp_socket(WAIT));
        let to = receiver.local_addr().unwrap();
        sender.send_to(b"0123456789", to).unwrap();
        sender.send_to(b"", to).unwrap();
        let exact =
            recv_detecting_truncation(&receiver, 10).expect("receive failed");
        assert_eq!(
            exact,
            Received::Whole(b"0123456789".to_vec()),
            "10 bytes into 10"
        );
        let empty =
            recv_detecting_truncation(&receiver, 10).expect("receive failed");
        assert_eq!(empty, Received::Whole(Vec::new()), "0 bytes into 10");
    });
}

/// With nothing to receive, the socket's read timeout comes back as an
/// error (no datagram invented, no hang).
#[test]
fn recv_detecting_truncation_passes_on_a_timeout() {
    deadline(
        LIMIT,
        "recv_detecting_truncation on a silent socket",
        || {
            let receiver = udp_socket(Duration::from_millis(100));
            match recv_detecting_truncation(&receiver, 10) {
                Err(error) => {
                    assert!(is_timeout(&error), "expected a timeout, got {error}")
                }
                Ok(received) => panic!("nobody sent anything, yet got {received:?}"),
            }
        },
    );
}
