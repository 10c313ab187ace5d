// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 5: what the chat's two threads run (book: "A chat peer").

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use support::deadline;
use support::loopback::{describe_bytes, recv_within, udp_socket};
use udp::step2_echo_server::POLL_INTERVAL;
use udp::step5_chat_threads::{ChatEvent, receive_until_stopped, send_until_closed};

const LIMIT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(2);

/// A receiving thread started the way step 6 will: a socket with a read
/// timeout of `POLL_INTERVAL`, its events channel, and its stop flag.
struct Receiving {
    addr: SocketAddr,
    events: Receiver<ChatEvent>,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

fn start_receiving() -> Receiving {
    let socket = udp_socket(POLL_INTERVAL);
    let addr = socket.local_addr().unwrap();
    let (sender, events) = mpsc::channel();
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let thread =
        thread::spawn(move || receive_until_stopped(&socket, &sender, &flag));
    Receiving {
        addr,
        events,
        stop,
        thread,
    }
}

/// Waits up to `within` for `thread` to end; true if it did.
fn ends_within(thread: &JoinHandle<()>, within: Duration) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < within {
        if thread.is_finished() {
            return true;
        }
        thread::sleep(Duration::from_millis(10));
    }
    thread.is_finished()
}

fn next_event(events: &Receiver<ChatEvent>, awaited: &str) -> ChatEvent {
    events.recv_timeout(WAIT).unwrap_or_else(|_| {
        panic!("sent a datagram to the receiving thread, expected {awaited} within 2 s, got no event")
    })
}

/// A datagram of UTF-8 text is a `Message` naming its sender; one that is
/// not UTF-8 is `NotText` with its bytes unchanged, and the thread goes on.
#[test]
fn text_is_a_message_and_other_bytes_are_not_text() {
    deadline(LIMIT, "receive_until_stopped with text and bytes", || {
        let receiving = start_receiving();
        let other = udp_socket(WAIT);
        let from = other.local_addr().unwrap();
        other
            .send_to("grüß dich".as_bytes(), receiving.addr)
            .unwrap();
        let event = next_event(&receiving.events, "Message \"grüß dich\"");
        assert_eq!(
            event,
            ChatEvent::Message {
                from,
                text: "grüß dich".to_string()
            },
            "a UTF-8 datagram from {from}"
        );
        other.send_to(&[0xff, 0xfe, b'!'], receiving.addr).unwrap();
        let event = next_event(&receiving.events, "NotText [ff fe 21]");
        assert_eq!(
            event,
            ChatEvent::NotText {
                from,
                bytes: vec![0xff, 0xfe, b'!']
            },
            "ff fe 21 is not UTF-8"
        );
        other.send_to(b"still there?", receiving.addr).unwrap();
        let event = next_event(&receiving.events, "Message \"still there?\"");
        assert_eq!(
            event,
            ChatEvent::Message {
                from,
                text: "still there?".to_string()
            },
            "after a NotText, the thread must go on receiving"
        );
        receiving.stop.store(true, Ordering::SeqCst);
        receiving.thread.join().unwrap();
    });
}

/// An empty datagram is the empty text, and a large one (60 000 bytes)
/// arrives whole: the buffer holds any datagram.
#[test]
fn empty_and_large_datagrams_are_messages_too() {
    deadline(
        LIMIT,
        "receive_until_stopped with 0 and 60 000 bytes",
        || {
            let receiving = start_receiving();
            let other = udp_socket(WAIT);
            let from = other.local_addr().unwrap();
            other.send_to(b"", receiving.addr).unwrap();
            let event = next_event(&receiving.events, "an empty Message");
            assert_eq!(
                event,
                ChatEvent::Message {
                    from,
                    text: String::new()
                },
                "an empty datagram is the empty text"
            );
            let big = "0123456789".repeat(6_000);
            other.send_to(big.as_bytes(), receiving.addr).unwrap();
            match next_event(&receiving.events, "a Message of 60 000 bytes") {
                ChatEvent::Message { text, .. } => assert!(
                    text == big,
                    "sent 60 000 bytes of text, the Message holds {} (is the buffer \
                 RECEIVE_BUFFER_LEN bytes?)",
                    text.len()
                ),
                other => panic!("sent 60 000 bytes of text, got {other:?}"),
            }
            receiving.stop.store(true, Ordering::SeqCst);
            receiving.thread.join().unwrap();
        },
    );
}

/// Setting the stop flag ends the thread within a few poll intervals, with
/// nothing arriving at all.
#[test]
fn the_receiving_thread_stops_when_told() {
    deadline(LIMIT, "receive_until_stopped and its stop flag", || {
        let receiving = start_receiving();
        thread::sleep(3 * POLL_INTERVAL);
        assert!(
            !receiving.thread.is_finished(),
            "the receiving thread ended before it was told to stop"
        );
        receiving.stop.store(true, Ordering::SeqCst);
        assert!(
            ends_within(&receiving.thread, Duration::from_secs(1)),
            "set the stop flag, the receiving thread still runs 1 s later \
             (does it check the flag after each timed-out receive?)"
        );
        match receiving.events.recv_timeout(Duration::from_millis(100)) {
            Err(RecvTimeoutError::Disconnected) => {}
            Ok(event) => panic!("nothing was sent, yet an event: {event:?}"),
            Err(RecvTimeoutError::Timeout) => {
                panic!("the thread ended but its events Sender lives on")
            }
        }
    });
}

/// When the UI has gone (the events receiver is dropped), the thread ends
/// at the next datagram instead of receiving for nobody.
#[test]
fn the_receiving_thread_ends_when_nobody_listens() {
    deadline(LIMIT, "receive_until_stopped without a listener", || {
        let Receiving {
            addr,
            events,
            stop: _stop,
            thread,
        } = start_receiving();
        thread::sleep(3 * POLL_INTERVAL);
        assert!(
            !thread.is_finished(),
            "the receiving thread ended before anything happened"
        );
        drop(events);
        let other = udp_socket(WAIT);
        for _ in 0..5 {
            other.send_to(b"anyone?", addr).unwrap();
            if ends_within(&thread, Duration::from_millis(200)) {
                assert!(thread.join().is_ok(), "the receiving thread panicked");
                return;
            }
        }
        panic!(
            "the events receiver was dropped and datagrams kept coming, yet the \
             receiving thread still runs (does it return when events.send fails?)"
        );
    });
}

/// Each queued line goes out as one datagram of its UTF-8 bytes, in order;
/// closing the channel ends the thread after the last line.
#[test]
fn the_sending_thread_sends_each_line_in_order_and_ends_when_closed() {
    deadline(LIMIT, "send_until_closed with five lines", || {
        let peer = udp_socket(WAIT);
        let peer_addr = peer.local_addr().unwrap();
        let socket = udp_socket(WAIT);
        let our_addr = socket.local_addr().unwrap();
        let (lines, outgoing) = mpsc::channel::<String>();
        let (events, events_out) = mpsc::channel();
        let thread = thread::spawn(move || {
            send_until_closed(&socket, peer_addr, outgoing, &events)
        });
        let sent: Vec<String> = (1..=5).map(|i| format!("línea {i}")).collect();
        for line in &sent {
            lines.send(line.clone()).unwrap();
        }
        drop(lines);
        for line in &sent {
            let Some((bytes, from)) = recv_within(&peer, WAIT) else {
                panic!("queued {line:?}, no datagram reached {peer_addr} within 2 s")
            };
            assert_eq!(
                bytes,
                line.as_bytes(),
                "expected {line:?} as one datagram, got {}",
                describe_bytes(&bytes)
            );
            assert_eq!(from, our_addr, "the line must come from the given socket");
        }
        assert!(
            ends_within(&thread, Duration::from_secs(1)),
            "every Sender<String> is dropped, yet the sending thread still runs"
        );
        assert!(
            events_out.try_recv().is_err(),
            "every line was sent, yet an event was reported"
        );
    });
}

/// A failed send is a `Failed` event naming the peer, and the thread goes
/// on with the next line (it does not panic, and does not stop).
#[test]
fn a_failed_send_is_an_event_and_the_thread_goes_on() {
    deadline(LIMIT, "send_until_closed to an unreachable address", || {
        // An IPv4 socket cannot send to an IPv6 address: every send fails.
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let peer_addr: SocketAddr = "[::1]:9".parse().unwrap();
        let (lines, outgoing) = mpsc::channel::<String>();
        let (events, events_out): (Sender<ChatEvent>, _) = mpsc::channel();
        let thread = thread::spawn(move || {
            send_until_closed(&socket, peer_addr, outgoing, &events)
        });
        lines.send("first".to_string()).unwrap();
        lines.send("second".to_string()).unwrap();
        drop(lines);
        for which in ["first", "second"] {
            match events_out.recv_timeout(WAIT) {
                Ok(ChatEvent::Failed(sentence)) => assert!(
                    sentence.contains(&peer_addr.to_string()),
                    "the Failed event for the {which} line should name {peer_addr}: {sentence:?}"
                ),
                Ok(other) => {
                    panic!("a failed send should be Failed(..), got {other:?}")
                }
                Err(_) => panic!(
                    "sending the {which} line to {peer_addr} fails, but no Failed \
                     event came within 2 s (did the thread stop, or panic?)"
                ),
            }
        }
        assert!(
            ends_within(&thread, Duration::from_secs(1)),
            "the channel is closed, yet the sending thread still runs"
        );
        assert!(thread.join().is_ok(), "the sending thread panicked");
    });
}

/// A receive error other than a timeout is a `Failed` event, and the thread
/// goes on receiving. Here the socket is connected to a port where nobody
/// listens, so the OS reports ConnectionRefused to the next receive.
#[test]
fn a_receive_error_is_an_event_and_the_thread_goes_on() {
    deadline(
        LIMIT,
        "receive_until_stopped after a port unreachable",
        || {
            let closed = udp_socket(WAIT).local_addr().unwrap();
            let socket = udp_socket(POLL_INTERVAL);
            socket.connect(closed).unwrap();
            socket.send(b"anyone?").unwrap();
            let (sender, events) = mpsc::channel();
            let stop = Arc::new(AtomicBool::new(false));
            let flag = Arc::clone(&stop);
            let thread = thread::spawn(move || {
                receive_until_stopped(&socket, &sender, &flag)
            });
            match events.recv_timeout(WAIT) {
                Ok(ChatEvent::Failed(_)) => {}
                Ok(other) => panic!(
                    "the receive failed (ConnectionRefused from {closed}): expected \
                 Failed(..), got {other:?}"
                ),
                Err(_) => panic!(
                    "the receive failed (ConnectionRefused from {closed}), but no \
                 Failed event came within 2 s (was the error taken for a timeout?)"
                ),
            }
            thread::sleep(3 * POLL_INTERVAL);
            assert!(
                !thread.is_finished(),
                "after one failed receive, the receiving thread ended: it must go on"
            );
            stop.store(true, Ordering::SeqCst);
            thread.join().unwrap();
        },
    );
}
