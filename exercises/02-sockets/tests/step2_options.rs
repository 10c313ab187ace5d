// Don't change the tests! `cargo lab check` grades your src/ against the originals.

use std::io;
use std::time::{Duration, Instant};

use sockets::step2_options::{Settings, configure, receive_now, report};
use support::deadline;
use support::loopback::udp_socket;

const LIMIT: Duration = Duration::from_secs(5);
const WAIT: Duration = Duration::from_secs(2);

/// A socket fresh from `bind` blocks, has no read timeout, and has buffers.
#[test]
fn a_fresh_socket_reports_blocking_mode_and_no_timeout() {
    deadline(LIMIT, "report on a fresh socket", || {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let report = report(&socket).expect("report failed on a fresh UDP socket");
        assert!(
            !report.nonblocking,
            "a new socket is in blocking mode: {report:?}"
        );
        assert_eq!(
            report.read_timeout, None,
            "a new socket has no read timeout"
        );
        assert!(
            report.recv_buffer > 0 && report.send_buffer > 0,
            "the kernel gives every socket buffers, the report says {report:?}"
        );
    });
}

/// Asking for buffers of 64 KiB gets at least that much, as the kernel reports
/// it (Linux reports double).
#[test]
fn configure_grants_at_least_the_requested_buffers() {
    deadline(LIMIT, "configure with 64 KiB buffers", || {
        let socket = udp_socket(Duration::from_secs(1));
        let asked = 64 * 1024;
        let settings = Settings {
            recv_buffer: Some(asked),
            send_buffer: Some(asked),
            ..Settings::default()
        };
        let report = configure(&socket, &settings).expect("configure failed");
        assert!(
            report.recv_buffer >= asked,
            "asked for SO_RCVBUF = {asked}, the report says {} — report what \
             recv_buffer_size() reads back after setting it",
            report.recv_buffer
        );
        assert!(
            report.send_buffer >= asked,
            "asked for SO_SNDBUF = {asked}, the report says {}",
            report.send_buffer
        );
    });
}

/// The read timeout and non-blocking mode are set, and read back as set.
#[test]
fn configure_sets_the_read_timeout_and_nonblocking_mode() {
    deadline(
        LIMIT,
        "configure with a timeout and non-blocking mode",
        || {
            let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            let timeout = Duration::from_millis(1500);
            let settings = Settings {
                read_timeout: Some(timeout),
                nonblocking: true,
                ..Settings::default()
            };
            let report = configure(&socket, &settings).expect("configure failed");
            let got = report
                .read_timeout
                .expect("asked for a 1.5 s timeout, got none");
            assert!(
                got.abs_diff(timeout) < Duration::from_millis(20),
                "asked for a read timeout of 1.5 s, the report says {got:?}"
            );
            assert!(
                report.nonblocking,
                "asked for non-blocking mode: {report:?}"
            );
        },
    );
}

/// A buffer of 0 bytes is a mistake, answered with InvalidInput, not a panic.
#[test]
fn configure_refuses_a_zero_buffer() {
    deadline(LIMIT, "configure with a 0-byte buffer", || {
        let socket = udp_socket(Duration::from_secs(1));
        let settings = Settings {
            recv_buffer: Some(0),
            ..Settings::default()
        };
        let error = configure(&socket, &settings)
            .expect_err("a receive buffer of 0 bytes should be refused");
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput, "got {error}");
    });
}

/// With nothing waiting, `receive_now` answers None at once instead of waiting.
#[test]
fn receive_now_on_an_empty_socket_returns_none_at_once() {
    deadline(LIMIT, "receive_now on an empty socket", || {
        // A long timeout: a blocking receive would sit here for 3 s.
        let socket = udp_socket(Duration::from_secs(3));
        let started = Instant::now();
        let got = receive_now(&socket).expect("receive_now failed");
        assert_eq!(
            got, None,
            "nothing was sent, yet receive_now returned {got:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "receive_now waited {:?}: set the socket non-blocking, and treat \
             WouldBlock as `nothing yet`",
            started.elapsed()
        );
    });
}

/// A datagram that is already waiting comes back whole.
#[test]
fn receive_now_returns_a_waiting_datagram() {
    deadline(LIMIT, "receive_now with a datagram waiting", || {
        let socket = udp_socket(Duration::from_secs(1));
        let sender = udp_socket(Duration::from_secs(1));
        sender
            .send_to(b"waiting", socket.local_addr().unwrap())
            .unwrap();
        // Loopback delivers at once on every system we know; poll briefly anyway.
        let give_up = Instant::now() + Duration::from_secs(2);
        let got = loop {
            let got = receive_now(&socket).expect("receive_now failed");
            if got.is_some() || Instant::now() > give_up {
                break got;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(
            got.as_deref(),
            Some(&b"waiting"[..]),
            "sent `waiting` to the socket, receive_now returned {got:?}"
        );
    });
}

/// Only `WouldBlock` means "nothing yet": any other receive error is
/// returned. Here the OS reports that nobody listens where the socket is
/// connected (ICMP port unreachable).
#[test]
fn receive_now_returns_other_errors() {
    deadline(LIMIT, "receive_now after a port unreachable", || {
        // A port where nobody listens: bound by a socket that is closed at once.
        let closed = udp_socket(WAIT).local_addr().unwrap();
        let socket = udp_socket(WAIT);
        socket.connect(closed).unwrap();
        socket.send(b"anyone?").unwrap();
        // The kernel's answer arrives at once on loopback; give it a moment.
        std::thread::sleep(Duration::from_millis(200));
        match receive_now(&socket) {
            Err(error) if error.kind() != io::ErrorKind::WouldBlock => {}
            other => panic!(
                "{closed} is closed, so the OS reports an error to the next \
                 receive (ConnectionRefused); receive_now must return it, not \
                 {other:?}"
            ),
        }
    });
}
