//! `cargo lab probe udp-echo`: the probe passes a correct echo server and
//! names the check that a wrong one fails.
//!
//! The servers here are written in a few lines of std, each wrong in one
//! way a student's server can be. They end by themselves once nobody has
//! talked to them for a while.

use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use netlab::probe::{self, ProbeOptions, Report};
use support::deadline;

const LIMIT: Duration = Duration::from_secs(30);

/// Short waits: every server here is on loopback.
fn options() -> ProbeOptions {
    ProbeOptions {
        timeout: Duration::from_millis(500),
        ..ProbeOptions::default()
    }
}

/// Starts a server on 127.0.0.1 (port from the OS) that hands every
/// datagram to `answer` with the socket it came in on; it ends after 3 s
/// of silence.
fn server<F>(answer: F) -> SocketAddr
where
    F: Fn(&UdpSocket, &[u8], SocketAddr) + Send + 'static,
{
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let addr = socket.local_addr().unwrap();
    thread::spawn(move || {
        let mut buffer = vec![0; 65_536];
        while let Ok((len, from)) = socket.recv_from(&mut buffer) {
            answer(&socket, &buffer[..len], from);
        }
    });
    addr
}

/// A correct echo server.
fn echo_server() -> SocketAddr {
    server(|socket, bytes, from| {
        let _ = socket.send_to(bytes, from);
    })
}

fn failed_names(report: &Report) -> Vec<&str> {
    report.failures().map(|check| check.name.as_str()).collect()
}

/// A correct server passes every check, and `run` says so.
#[test]
fn a_correct_echo_server_passes_every_check() {
    deadline(LIMIT, "probing a correct echo server", || {
        let addr = echo_server().to_string();
        let report = probe::check("udp-echo", &addr, &options()).unwrap();
        assert!(
            report.passed,
            "a correct server failed: {:#?}",
            report.checks
        );
        let names: Vec<&str> =
            report.checks.iter().map(|c| c.name.as_str()).collect();
        for expected in [
            "single datagram",
            "size 0",
            "size 8192",
            "binary",
            "concurrent clients",
            "burst",
            "reply address",
        ] {
            assert!(
                names.contains(&expected),
                "no check named {expected}: {names:?}"
            );
        }
        assert!(probe::run("udp-echo", &addr, &options()).unwrap());
    });
}

/// A server that uppercases fails the text and binary checks, and the
/// failure says what came back.
#[test]
fn an_uppercasing_server_fails_and_shows_what_came_back() {
    deadline(LIMIT, "probing an uppercasing server", || {
        let addr = server(|socket, bytes, from| {
            let _ = socket.send_to(&bytes.to_ascii_uppercase(), from);
        });
        let report =
            probe::check("udp-echo", &addr.to_string(), &options()).unwrap();
        assert!(!report.passed);
        let failed = failed_names(&report);
        assert!(failed.contains(&"single datagram"), "{failed:?}");
        assert!(failed.contains(&"binary"), "{failed:?}");
        let first = &report.checks[0];
        assert!(
            first.detail.contains("NETLAB PROBE: PING"),
            "the failure should show what came back: {}",
            first.detail
        );
        assert!(!probe::run("udp-echo", &addr.to_string(), &options()).unwrap());
    });
}

/// A server with a 1 KiB buffer passes the small sizes and fails exactly
/// the sizes over 1 KiB.
#[test]
fn a_server_dropping_big_datagrams_fails_the_big_sizes_only() {
    deadline(LIMIT, "probing a server that drops big datagrams", || {
        let addr = server(|socket, bytes, from| {
            if bytes.len() <= 1024 {
                let _ = socket.send_to(bytes, from);
            }
        });
        let report =
            probe::check("udp-echo", &addr.to_string(), &options()).unwrap();
        assert_eq!(
            failed_names(&report),
            ["size 1472", "size 4096", "size 8192"]
        );
        let size_1472 = report
            .checks
            .iter()
            .find(|c| c.name == "size 1472")
            .unwrap();
        assert!(
            size_1472.detail.contains("1472 bytes")
                && size_1472.detail.contains("got nothing"),
            "{}",
            size_1472.detail
        );
    });
}

/// A server that answers from another socket fails the reply address check
/// and only that one.
#[test]
fn a_server_answering_from_another_port_fails_the_reply_address() {
    deadline(
        LIMIT,
        "probing a server that answers from another port",
        || {
            let other = UdpSocket::bind("127.0.0.1:0").unwrap();
            let other_addr = other.local_addr().unwrap();
            let addr = server(move |_, bytes, from| {
                let _ = other.send_to(bytes, from);
            });
            let report =
                probe::check("udp-echo", &addr.to_string(), &options()).unwrap();
            assert_eq!(failed_names(&report), ["reply address"]);
            let detail = &report.checks.last().unwrap().detail;
            assert!(detail.contains(&other_addr.to_string()), "{detail}");
        },
    );
}

/// A server that mixes clients up (answers everyone with the latest
/// datagram) fails the concurrency check.
#[test]
fn a_server_mixing_up_clients_fails_the_concurrency_check() {
    deadline(LIMIT, "probing a server that mixes up clients", || {
        let last = std::sync::Mutex::new(Vec::<u8>::new());
        let addr = server(move |socket, bytes, from| {
            let mut last = last.lock().unwrap();
            // Answers with what the *previous* datagram said, if it was
            // from someone else's "client N round" message.
            let previous = std::mem::replace(&mut *last, bytes.to_vec());
            let reply = if previous.starts_with(b"netlab probe: client")
                && bytes.starts_with(b"netlab probe: client")
            {
                previous
            } else {
                bytes.to_vec()
            };
            let _ = socket.send_to(&reply, from);
        });
        let report =
            probe::check("udp-echo", &addr.to_string(), &options()).unwrap();
        assert!(
            failed_names(&report).contains(&"concurrent clients"),
            "{:#?}",
            report.checks
        );
    });
}

/// Against a silent address, the probe gives up after the first datagram's
/// wait and marks every check failed, quickly.
#[test]
fn a_silent_server_fails_every_check_without_waiting_for_each() {
    deadline(LIMIT, "probing a silent server", || {
        let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = silent.local_addr().unwrap().to_string();
        let started = Instant::now();
        let report = probe::check("udp-echo", &addr, &options()).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "took {:?}",
            started.elapsed()
        );
        assert!(report.checks.iter().all(|check| !check.passed));
        assert!(
            report.checks[0].detail.contains("got nothing"),
            "{}",
            report.checks[0].detail
        );
        assert!(
            report.checks[1].detail.contains("not run"),
            "{}",
            report.checks[1].detail
        );
        // Only the first datagram was sent.
        silent
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let mut buffer = [0; 64];
        assert!(silent.recv_from(&mut buffer).is_ok());
        assert!(
            silent.recv_from(&mut buffer).is_err(),
            "more than one datagram sent"
        );
    });
}

/// Against a port where nothing listens, the OS answers with ICMP "port
/// unreachable": the probe says "connection refused by ADDR" at once, and
/// does not wait out its timeout (Linux, where the probe asks for it).
#[test]
fn a_closed_port_is_refused_at_once() {
    deadline(LIMIT, "probing a closed UDP port", || {
        let addr = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let slow = ProbeOptions {
            timeout: Duration::from_secs(5),
            ..options()
        };
        let started = Instant::now();
        let report = probe::check("udp-echo", &addr.to_string(), &slow).unwrap();
        assert!(!report.passed);
        if cfg!(target_os = "linux") {
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{:?}",
                started.elapsed()
            );
            let detail = &report.checks[0].detail;
            assert!(
                detail.contains(&format!("connection refused by {addr}")),
                "{detail}"
            );
        }
        assert!(report.checks[1].detail.contains("not run"));
    });
}

/// JSON output is one object with kind, addr, checks and passed.
#[test]
fn the_json_report_names_every_check() {
    deadline(LIMIT, "a JSON report", || {
        let addr = echo_server().to_string();
        let report = probe::check("udp-echo", &addr, &options()).unwrap();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["kind"], "udp-echo");
        assert_eq!(json["addr"], addr.as_str());
        assert_eq!(json["passed"], true);
        let checks = json["checks"].as_array().unwrap();
        assert_eq!(checks.len(), report.checks.len());
        assert!(
            checks
                .iter()
                .all(|c| c["name"].is_string() && c["passed"] == true)
        );
        let json_options = ProbeOptions {
            json: true,
            ..options()
        };
        assert!(probe::run("udp-echo", &addr, &json_options).unwrap());
    });
}

/// An unknown kind or an address that does not parse is an error (exit
/// code 2), not a failed check.
#[test]
fn usage_errors_are_errors_not_failed_checks() {
    let error = probe::run("udp-ecko", "127.0.0.1:7", &options()).unwrap_err();
    assert!(error.to_string().contains("udp-echo"), "{error}");
    assert!(probe::run("udp-echo", "127.0.0.1", &options()).is_err());
    assert!(probe::run("udp-echo", "127.0.0.1:99999", &options()).is_err());
}
