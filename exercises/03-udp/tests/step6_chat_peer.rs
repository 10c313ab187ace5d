// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 6: a chat peer that sends and receives at the same time (book: "A
//! chat peer").

use std::net::SocketAddr;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use support::deadline;
use support::loopback::{
    ANY_PORT_V4, describe_bytes, is_port_unreachable, recv_within, udp_socket,
};
use udp::step6_chat_peer::{ChatEvent, ChatPeer, MAX_MESSAGE};

const LIMIT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(2);

/// The next event within 2 s, or a failure naming what was awaited.
fn next_event(events: &Receiver<ChatEvent>, awaited: &str) -> ChatEvent {
    events.recv_timeout(WAIT).unwrap_or_else(|_| {
        panic!("expected {awaited} as a ChatEvent within 2 s, got none")
    })
}

/// Expects `Message { from, text }`.
fn expect_message(events: &Receiver<ChatEvent>, from: SocketAddr, text: &str) {
    let awaited = format!("Message {{ from: {from}, text: {text:?} }}");
    let event = next_event(events, &awaited);
    assert_eq!(
        event,
        ChatEvent::Message {
            from,
            text: text.to_string()
        },
        "expected {awaited}"
    );
}

/// Two peers pointed at each other exchange messages both ways.
/// Starts two peers that know each other's address.
///
/// Each must know the other's address before it starts, so Bob's port is
/// learnt from a socket bound and freed first. Another program may take a
/// freed port in between: then Bob's start fails with "address in use", and
/// we try again with a new port rather than fail the student's test.
fn start_two_peers() -> (ChatPeer, Receiver<ChatEvent>, ChatPeer, Receiver<ChatEvent>)
{
    for _ in 0..5 {
        let placeholder = udp_socket(WAIT);
        let bob_addr = placeholder.local_addr().unwrap();
        drop(placeholder);
        let (alice, alice_events) =
            ChatPeer::start(ANY_PORT_V4, bob_addr).expect("start alice");
        match ChatPeer::start(bob_addr, alice.local_addr()) {
            Ok((bob, bob_events)) => return (alice, alice_events, bob, bob_events),
            Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => {
                alice.stop();
            }
            Err(error) => panic!("ChatPeer::start({bob_addr}, …) failed: {error}"),
        }
    }
    panic!(
        "five free ports in a row were taken by other programs before Bob could bind them"
    );
}

#[test]
fn two_peers_exchange_messages() {
    deadline(LIMIT, "two chat peers", || {
        let (alice, alice_events, bob, bob_events) = start_two_peers();
        let bob_addr = bob.local_addr();
        alice.send("hi bob").unwrap();
        expect_message(&bob_events, alice.local_addr(), "hi bob");
        bob.send("hi alice").unwrap();
        expect_message(&alice_events, bob_addr, "hi alice");
        alice.stop();
        bob.stop();
    });
}

/// `send` puts the text on the wire, as one datagram of its UTF-8 bytes;
/// a datagram from anyone arrives as a `Message` naming its sender.
#[test]
fn text_goes_out_as_one_datagram_and_comes_in_as_a_message() {
    deadline(LIMIT, "a chat peer and a plain socket", || {
        let other = udp_socket(WAIT);
        let (peer, events) =
            ChatPeer::start(ANY_PORT_V4, other.local_addr().unwrap())
                .expect("ChatPeer::start failed");
        peer.send("grüß dich").unwrap();
        let Some((bytes, from)) = recv_within(&other, WAIT) else {
            panic!(
                "peer.send(\"grüß dich\"): nothing arrived at the other side within 2 s"
            );
        };
        assert_eq!(
            from,
            peer.local_addr(),
            "sent from another address than local_addr()"
        );
        assert!(
            bytes == "grüß dich".as_bytes(),
            "expected the UTF-8 bytes of `grüß dich`, got {}",
            describe_bytes(&bytes)
        );
        other.send_to(b"hello there", peer.local_addr()).unwrap();
        expect_message(&events, other.local_addr().unwrap(), "hello there");
        peer.stop();
    });
}

/// A datagram that is not UTF-8 becomes a `NotText` event with its bytes;
/// the receiving thread lives on and delivers the next message.
#[test]
fn invalid_utf8_is_an_event_not_a_panic() {
    deadline(
        LIMIT,
        "a chat peer receiving bytes that are not text",
        || {
            let other = udp_socket(WAIT);
            let from = other.local_addr().unwrap();
            let (peer, events) =
                ChatPeer::start(ANY_PORT_V4, from).expect("ChatPeer::start failed");
            other
                .send_to(&[0xff, 0xfe, b'!'], peer.local_addr())
                .unwrap();
            let event = next_event(&events, "NotText for [ff fe 21]");
            assert_eq!(
                event,
                ChatEvent::NotText {
                    from,
                    bytes: vec![0xff, 0xfe, b'!']
                }
            );
            other.send_to(b"still there?", peer.local_addr()).unwrap();
            expect_message(&events, from, "still there?");
            peer.stop();
        },
    );
}

/// Sending and receiving at the same time: 20 lines each way, sent
/// concurrently, all arrive, in order.
#[test]
fn sends_and_receives_at_the_same_time() {
    deadline(LIMIT, "a chat peer talking and listening at once", || {
        let other = udp_socket(WAIT);
        let other_addr = other.local_addr().unwrap();
        let (peer, events) =
            ChatPeer::start(ANY_PORT_V4, other_addr).expect("start failed");
        let peer_addr = peer.local_addr();
        let talker = thread::spawn(move || {
            let mut heard = Vec::new();
            for i in 0..20 {
                other
                    .send_to(format!("from them {i}").as_bytes(), peer_addr)
                    .unwrap();
                if let Some((bytes, _)) =
                    recv_within(&other, Duration::from_millis(10))
                {
                    heard.push(bytes);
                }
            }
            while heard.len() < 20 {
                match recv_within(&other, WAIT) {
                    Some((bytes, _)) => heard.push(bytes),
                    None => break,
                }
            }
            heard
        });
        for i in 0..20 {
            peer.send(&format!("from us {i}")).unwrap();
        }
        for i in 0..20 {
            expect_message(&events, other_addr, &format!("from them {i}"));
        }
        let heard = talker.join().unwrap();
        let expected: Vec<Vec<u8>> = (0..20)
            .map(|i| format!("from us {i}").into_bytes())
            .collect();
        assert_eq!(
            heard.len(),
            20,
            "the other side heard {} of our 20 lines",
            heard.len()
        );
        assert_eq!(
            heard, expected,
            "our 20 lines arrived changed or out of order"
        );
        peer.stop();
    });
}

/// A message longer than `MAX_MESSAGE` bytes is refused with
/// `InvalidInput` and never sent.
#[test]
fn too_long_a_message_is_refused() {
    deadline(LIMIT, "a chat peer refusing a long line", || {
        let other = udp_socket(WAIT);
        let (peer, _events) =
            ChatPeer::start(ANY_PORT_V4, other.local_addr().unwrap())
                .expect("ChatPeer::start failed");
        let long = "x".repeat(MAX_MESSAGE + 1);
        let error = peer
            .send(&long)
            .expect_err("a 1473-byte message must be refused");
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
        peer.send(&"y".repeat(MAX_MESSAGE))
            .expect("exactly MAX_MESSAGE bytes is fine");
        let Some((bytes, _)) = recv_within(&other, WAIT) else {
            panic!("a message of MAX_MESSAGE bytes was not sent");
        };
        assert_eq!(
            bytes.len(),
            MAX_MESSAGE,
            "only the message that fits may be sent"
        );
        peer.stop();
    });
}

/// `stop` ends both threads promptly: the events channel then ends, and
/// the peer's port is closed.
#[test]
fn stop_ends_both_threads() {
    deadline(LIMIT, "a chat peer stopping", || {
        let other = udp_socket(WAIT);
        let (peer, events) =
            ChatPeer::start(ANY_PORT_V4, other.local_addr().unwrap())
                .expect("ChatPeer::start failed");
        let addr = peer.local_addr();
        let asked = Instant::now();
        peer.stop();
        let took = asked.elapsed();
        assert!(took < Duration::from_secs(1), "stop took {took:?}");
        match events.recv_timeout(Duration::from_millis(500)) {
            Err(RecvTimeoutError::Disconnected) => {}
            Err(RecvTimeoutError::Timeout) => panic!(
                "after stop, the events channel is still open: a thread (or a Sender) lives on"
            ),
            Ok(event) => panic!("no traffic, yet an event after stop: {event:?}"),
        }
        let probe = udp_socket(WAIT);
        probe.connect(addr).unwrap();
        probe.send(b"hello?").unwrap();
        let error = probe
            .recv(&mut [0; 16])
            .expect_err("the peer's port should be closed");
        assert!(
            is_port_unreachable(&error),
            "after stop, {addr} should be closed (port unreachable), got {error}"
        );
    });
}
