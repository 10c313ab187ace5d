// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 7: many requests in flight, replies matched by id (book: "Timeouts
//! and retries", request ids).

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use support::deadline;
use support::loopback::{describe_bytes, recv_within, udp_socket};
use udp::step7_request_ids::{
    Accepted, CollectError, Correlator, DecodeError, decode_reply, encode_request,
    send_all_and_collect,
};

/// How long a test of pure computation may take: far more than it needs,
/// so that only an endless loop fails it.
const PURE: Duration = Duration::from_secs(5);

const LIMIT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(2);

/// A test server that reads `count` requests, then answers them in reverse
/// order with `id + "re: " + payload`, answering the last one twice. Ids in
/// `unanswered` get no reply. Returns its address.
fn reversing_server(count: usize, unanswered: &'static [u32]) -> SocketAddr {
    let socket = udp_socket(WAIT);
    let addr = socket.local_addr().unwrap();
    thread::spawn(move || {
        let mut requests = Vec::new();
        while requests.len() < count {
            let Some((bytes, from)) = recv_within(&socket, WAIT) else {
                return;
            };
            requests.push((bytes, from));
        }
        let answers: Vec<(Vec<u8>, SocketAddr)> = requests
            .iter()
            .rev()
            .filter(|(bytes, _)| {
                bytes.len() < 4
                    || !unanswered.contains(&u32::from_be_bytes(
                        bytes[..4].try_into().unwrap(),
                    ))
            })
            .map(|(bytes, from)| (reply_to(bytes), *from))
            .collect();
        for (reply, to) in &answers {
            socket.send_to(reply, to).unwrap();
        }
        if let Some((reply, to)) = answers.last() {
            socket.send_to(reply, to).unwrap(); // the duplicate
        }
    });
    addr
}

/// `id + "re: " + payload` for a request `id + payload`.
fn reply_to(request: &[u8]) -> Vec<u8> {
    let (id, payload) = request.split_at(4.min(request.len()));
    [id, b"re: ", payload].concat()
}

fn requests(count: u32) -> Vec<(u32, Vec<u8>)> {
    (0..count)
        .map(|i| (1000 + i, format!("question {i}").into_bytes()))
        .collect()
}

fn expected_replies(requests: &[(u32, Vec<u8>)]) -> HashMap<u32, Vec<u8>> {
    requests
        .iter()
        .map(|(id, payload)| (*id, [b"re: ".as_slice(), payload].concat()))
        .collect()
}

/// The id goes first, in 4 bytes, big-endian (network order), then the
/// payload unchanged.
#[test]
fn encode_request_puts_the_id_first_big_endian() {
    deadline(PURE, "encode request puts the id first big endian", || {
        assert_eq!(
            encode_request(0x0102_0304, b"hi"),
            [0x01, 0x02, 0x03, 0x04, b'h', b'i'],
            "id 0x01020304 with payload `hi`"
        );
        assert_eq!(
            encode_request(7, b""),
            [0, 0, 0, 7],
            "id 7 with an empty payload"
        );
    });
}

/// A reply splits into its id and payload; fewer than 4 bytes is
/// `DecodeError::TooShort`, never a panic.
#[test]
fn decode_reply_splits_the_id_from_the_payload() {
    deadline(PURE, "decode reply splits the id from the payload", || {
        assert_eq!(
            decode_reply(&[0, 0, 1, 0, b'o', b'k']),
            Ok((256, b"ok".as_slice()))
        );
        assert_eq!(decode_reply(&[0xff; 4]), Ok((u32::MAX, b"".as_slice())));
        assert_eq!(
            decode_reply(&[1, 2, 3]),
            Err(DecodeError::TooShort { len: 3 })
        );
        assert_eq!(decode_reply(&[]), Err(DecodeError::TooShort { len: 0 }));
    });
}

/// The correlator keeps the first reply to each expected id and names
/// everything else: duplicates, ids never sent, garbage.
#[test]
fn correlator_keeps_first_replies_and_names_the_rest() {
    deadline(
        PURE,
        "correlator keeps first replies and names the rest",
        || {
            let mut correlator = Correlator::new();
            correlator.expect(1);
            correlator.expect(2);
            assert_eq!(correlator.missing(), vec![1, 2]);
            assert_eq!(
                correlator.accept(&encode_request(2, b"two")),
                Accepted::New(2)
            );
            assert_eq!(
                correlator.accept(&encode_request(2, b"again")),
                Accepted::Duplicate(2)
            );
            assert_eq!(
                correlator.accept(&encode_request(9, b"?")),
                Accepted::Unexpected(9)
            );
            assert_eq!(
                correlator.accept(&[0, 1]),
                Accepted::Malformed(DecodeError::TooShort { len: 2 })
            );
            assert!(!correlator.is_complete(), "1 is still waiting");
            assert_eq!(correlator.missing(), vec![1]);
            assert_eq!(
                correlator.accept(&encode_request(1, b"one")),
                Accepted::New(1)
            );
            assert!(correlator.is_complete());
            let replies = correlator.into_replies();
            assert_eq!(replies.len(), 2);
            assert_eq!(
                replies[&2], b"two",
                "the first reply to 2 is kept, not the duplicate"
            );
        },
    );
}

/// Replies that come back in reverse order, one of them twice, are matched
/// to their requests by id.
#[test]
fn replies_out_of_order_are_matched_by_id() {
    deadline(LIMIT, "collecting 8 replies in reverse order", || {
        let requests = requests(8);
        let server = reversing_server(requests.len(), &[]);
        let client = udp_socket(WAIT);
        let replies = send_all_and_collect(&client, server, &requests, WAIT)
            .unwrap_or_else(|e| {
                panic!("the server answered all 8 (in reverse order), yet: {e}")
            });
        let expected = expected_replies(&requests);
        for (id, reply) in &expected {
            match replies.get(id) {
                Some(got) => assert!(
                    got == reply,
                    "for id {id} expected {}, got {}",
                    describe_bytes(reply),
                    describe_bytes(got)
                ),
                None => panic!(
                    "no reply kept for id {id}; the server sent {}",
                    describe_bytes(reply)
                ),
            }
        }
        assert_eq!(
            replies.len(),
            expected.len(),
            "extra replies kept: {replies:?}"
        );
    });
}

/// A stranger's datagram carrying a valid id is not the server's reply.
#[test]
fn a_stranger_cannot_answer_for_the_server() {
    deadline(LIMIT, "collecting replies with a stranger around", || {
        let server = udp_socket(WAIT);
        let server_addr = server.local_addr().unwrap();
        let stranger = udp_socket(WAIT);
        thread::spawn(move || {
            let Some((request, client)) = recv_within(&server, WAIT) else {
                return;
            };
            stranger
                .send_to(&encode_request(5, b"forged"), client)
                .unwrap();
            thread::sleep(Duration::from_millis(50));
            server.send_to(&reply_to(&request), client).unwrap();
        });
        let client = udp_socket(WAIT);
        let replies = send_all_and_collect(
            &client,
            server_addr,
            &[(5, b"hello".to_vec())],
            WAIT,
        )
        .unwrap_or_else(|e| panic!("the server answered, yet: {e}"));
        assert!(
            replies.get(&5).map(Vec::as_slice) == Some(b"re: hello".as_slice()),
            "a stranger sent id 5 `forged` before the server sent id 5 `re: hello`; \
             expected the server's reply, got {:?}",
            replies.get(&5).map(|r| describe_bytes(r))
        );
    });
}

/// When some replies never come, the result names the missing ids (and
/// keeps the replies that did come), after the timeout, not before.
#[test]
fn missing_replies_are_reported_by_id() {
    deadline(LIMIT, "collecting replies that never all come", || {
        let requests = requests(5);
        let server = reversing_server(requests.len(), &[1001, 1003]);
        let client: UdpSocket = udp_socket(WAIT);
        let started = Instant::now();
        let result =
            send_all_and_collect(&client, server, &requests, Duration::from_secs(1));
        let took = started.elapsed();
        match result {
            Err(CollectError::Missing { missing, replies }) => {
                assert_eq!(
                    missing,
                    vec![1001, 1003],
                    "the server never answered 1001 and 1003"
                );
                assert_eq!(replies.len(), 3, "the 3 other replies should be kept");
            }
            other => panic!(
                "expected CollectError::Missing for 1001 and 1003, got {other:?}"
            ),
        }
        assert!(
            took >= Duration::from_millis(900),
            "gave up after {took:?}, before the 1 s timeout"
        );
    });
}

/// A socket error other than a read timeout is `CollectError::Io`, not
/// silence to wait out: here the socket is connected to a port where nobody
/// listens, so the OS reports ConnectionRefused to the receive.
#[test]
fn a_socket_error_is_an_io_error_not_missing_replies() {
    deadline(LIMIT, "send_all_and_collect to a closed port", || {
        let closed = udp_socket(WAIT).local_addr().unwrap();
        let socket = udp_socket(WAIT);
        socket.connect(closed).unwrap();
        // One request: its send succeeds, and the OS's answer reaches the
        // receive that follows (a second send would meet it first).
        let requests = vec![(1, b"one".to_vec())];
        match send_all_and_collect(&socket, closed, &requests, WAIT) {
            Err(CollectError::Io(_)) => {}
            other => panic!(
                "{closed} is closed, so the receive fails with ConnectionRefused; \
                 expected Err(CollectError::Io(..)), got {other:?}"
            ),
        }
    });
}
