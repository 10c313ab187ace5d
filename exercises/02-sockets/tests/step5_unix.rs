// Don't change the tests! `cargo lab check` grades your src/ against the originals.
#![cfg(unix)]

use std::io;
use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use sockets::step5_unix::{NamedDatagram, echo_one_datagram, echo_over_pair};
use support::deadline;
use support::loopback::describe_bytes;

const LIMIT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(2);

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

/// A named datagram socket lives in the temporary directory under a fresh
/// name, and its file is gone once it is dropped.
#[test]
fn named_datagram_lives_in_temp_dir_and_is_removed_on_drop() {
    deadline(LIMIT, "NamedDatagram::bind", || {
        let first =
            NamedDatagram::bind("step5").expect("NamedDatagram::bind failed");
        let second =
            NamedDatagram::bind("step5").expect("NamedDatagram::bind failed");
        let path = first.path().to_path_buf();
        assert!(
            path.starts_with(std::env::temp_dir()),
            "{} is not in the temporary directory {}",
            path.display(),
            std::env::temp_dir().display()
        );
        assert_ne!(path, second.path(), "two sockets were given the same path");
        assert!(
            path.exists(),
            "the socket file {} does not exist",
            path.display()
        );
        drop(first);
        assert!(
            !path.exists(),
            "{} is still there after drop",
            path.display()
        );
        assert!(
            NamedDatagram::bind("no/slashes").is_err(),
            "a label with a slash should be refused"
        );
    });
}

/// A datagram from a socket with a path is echoed back to that path.
#[test]
fn echo_one_datagram_answers_the_senders_path() {
    deadline(LIMIT, "echo_one_datagram", || {
        let server =
            NamedDatagram::bind("server").expect("NamedDatagram::bind failed");
        let client =
            NamedDatagram::bind("client").expect("NamedDatagram::bind failed");
        client.socket().set_read_timeout(Some(WAIT)).unwrap();
        client.socket().send_to(b"marco", server.path()).unwrap();
        let answered =
            echo_one_datagram(server.socket()).expect("echo_one_datagram failed");
        assert_eq!(answered, client.path(), "returned the wrong sender path");
        let mut buffer = [0; 64];
        let len = client.socket().recv(&mut buffer).unwrap_or_else(|e| {
            panic!("sent `marco` to the server, no echo came back within 2 s: {e}")
        });
        assert_eq!(
            &buffer[..len],
            b"marco",
            "got {}",
            describe_bytes(&buffer[..len])
        );
    });
}

/// A sender without a path cannot be answered: InvalidInput, not a panic.
#[test]
fn echo_one_datagram_refuses_a_sender_without_a_path() {
    deadline(LIMIT, "echo_one_datagram from an unbound sender", || {
        let server =
            NamedDatagram::bind("server").expect("NamedDatagram::bind failed");
        let anonymous = UnixDatagram::unbound().unwrap();
        anonymous.send_to(b"who am I", server.path()).unwrap();
        let got = echo_one_datagram(server.socket());
        assert!(
            matches!(&got, Err(e) if e.kind() == io::ErrorKind::InvalidInput),
            "the sender has no path to reply to; expected InvalidInput, got {got:?}"
        );
    });
}
