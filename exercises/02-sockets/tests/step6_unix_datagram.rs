// Don't change the tests! `cargo lab check` grades your src/ against the originals.
#![cfg(unix)]

use std::io;
use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use sockets::step6_unix_datagram::{NamedDatagram, echo_one_datagram};
use support::deadline;
use support::loopback::describe_bytes;

const LIMIT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(2);

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
    });
}

/// The file name holds the label and the process id, so a stray socket file
/// says where it came from.
#[test]
fn named_datagram_file_name_holds_the_label_and_the_process_id() {
    deadline(LIMIT, "NamedDatagram::bind's file name", || {
        let socket =
            NamedDatagram::bind("name-test_7").expect("NamedDatagram::bind failed");
        let name = socket
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .expect("the path ends in a file name")
            .to_string();
        let pid = std::process::id().to_string();
        assert!(
            name.contains("name-test_7") && name.contains(&pid),
            "the file name {name:?} should hold the label \"name-test_7\" and \
             the process id {pid}"
        );
    });
}

/// Labels that would make a strange file name are refused with
/// `InvalidInput`, before anything is created; letters, digits, `-` and `_`
/// are fine.
#[test]
fn named_datagram_refuses_labels_that_are_not_plain_names() {
    deadline(LIMIT, "NamedDatagram::bind with odd labels", || {
        for label in ["", "no/slashes", "..", "with space", "dot.ted", "ünï"] {
            match NamedDatagram::bind(label) {
                Err(e) if e.kind() == io::ErrorKind::InvalidInput => {}
                Err(e) => panic!(
                    "bind({label:?}): expected an InvalidInput error, got {:?}: {e}",
                    e.kind()
                ),
                Ok(socket) => panic!(
                    "bind({label:?}) should be refused, it made {}",
                    socket.path().display()
                ),
            }
        }
        NamedDatagram::bind("Az09-_").expect("the label \"Az09-_\" is allowed");
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

/// A large datagram (60 000 bytes) is echoed whole: the receive buffer holds
/// up to 64 KiB, as the task says.
#[test]
fn echo_one_datagram_echoes_a_large_datagram_whole() {
    deadline(LIMIT, "echo_one_datagram with 60 000 bytes", || {
        let server =
            NamedDatagram::bind("server").expect("NamedDatagram::bind failed");
        let client =
            NamedDatagram::bind("client").expect("NamedDatagram::bind failed");
        client.socket().set_read_timeout(Some(WAIT)).unwrap();
        let big: Vec<u8> = (0..60_000u32).map(|i| (i % 251) as u8).collect();
        client.socket().send_to(&big, server.path()).unwrap();
        echo_one_datagram(server.socket()).expect("echo_one_datagram failed");
        let mut buffer = vec![0; 70_000];
        let len = client.socket().recv(&mut buffer).unwrap_or_else(|e| {
            panic!("sent 60 000 bytes to the server, no echo within 2 s: {e}")
        });
        assert!(
            buffer[..len] == big[..],
            "sent 60 000 bytes, {len} came back{} (is your buffer 64 KiB?)",
            if len == big.len() { ", changed" } else { "" }
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
