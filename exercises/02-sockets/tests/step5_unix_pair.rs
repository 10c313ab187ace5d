// Don't change the tests! `cargo lab check` grades your src/ against the originals.
#![cfg(unix)]

use std::time::Duration;

use sockets::step5_unix_pair::echo_over_pair;
use support::deadline;
use support::loopback::describe_bytes;

const LIMIT: Duration = Duration::from_secs(10);

/// Every message comes back, in order, the empty one included.
#[test]
fn echo_over_pair_returns_every_message_in_order() {
    deadline(LIMIT, "echo_over_pair with four messages", || {
        let messages: [&[u8]; 4] = [b"ping", b"", "你好".as_bytes(), b"last one"];
        let replies = echo_over_pair(&messages).expect("echo_over_pair failed");
        assert_eq!(
            replies.len(),
            messages.len(),
            "sent {} messages, got {} replies",
            messages.len(),
            replies.len()
        );
        for (sent, got) in messages.iter().zip(&replies) {
            assert_eq!(
                got.as_slice(),
                *sent,
                "sent {}, got back {}",
                describe_bytes(sent),
                describe_bytes(got)
            );
        }
    });
}

/// A message larger than the socket's buffers still comes back: sending and
/// receiving must not wait for each other.
#[test]
fn echo_over_pair_carries_a_message_larger_than_the_buffers() {
    deadline(
        LIMIT,
        "echo_over_pair with 4 MiB (do sending and receiving overlap?)",
        || {
            let big: Vec<u8> =
                (0..4 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
            let replies = echo_over_pair(&[&big]).expect("echo_over_pair failed");
            assert_eq!(
                replies.len(),
                1,
                "sent one message, got {} replies",
                replies.len()
            );
            assert!(
                replies[0] == big,
                "sent 4 MiB, got {} bytes back that differ",
                replies[0].len()
            );
        },
    );
}

/// Many small messages, sent faster than they are read, arrive glued
/// together: the replies are cut by the lengths sent, not by what each `read`
/// happened to return.
#[test]
fn echo_over_pair_cuts_replies_by_length_not_by_read() {
    deadline(LIMIT, "echo_over_pair with 300 small messages", || {
        let owned: Vec<Vec<u8>> = (0..300u32)
            .map(|i| format!("message {i} {}", "x".repeat((i % 17) as usize)))
            .map(String::into_bytes)
            .collect();
        let messages: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
        let replies = echo_over_pair(&messages).expect("echo_over_pair failed");
        assert_eq!(
            replies.len(),
            messages.len(),
            "sent {} messages, got {} replies",
            messages.len(),
            replies.len()
        );
        for (i, (sent, got)) in messages.iter().zip(&replies).enumerate() {
            assert_eq!(
                got.as_slice(),
                *sent,
                "reply {i}: sent {}, got back {} (a stream keeps no message \
                 boundaries: one read can hold several messages, or part of one)",
                describe_bytes(sent),
                describe_bytes(got)
            );
        }
    });
}

/// No message at all: no replies, and no wait for a reply that never comes.
#[test]
fn echo_over_pair_with_no_messages_returns_no_replies() {
    deadline(LIMIT, "echo_over_pair with no messages", || {
        let replies = echo_over_pair(&[]).expect("echo_over_pair failed");
        assert!(
            replies.is_empty(),
            "sent nothing, got {} replies",
            replies.len()
        );
    });
}
