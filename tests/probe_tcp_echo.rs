//! `cargo lab probe tcp-echo`: the probe passes a correct echo server and
//! names the check that a wrong one fails.
//!
//! The servers here are a few lines of std each, each wrong in one way a
//! student's server can be; they live as long as the test binary.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::tcp::{failed_names, serve_each, serve_in_turn};
use netlab::probe::{self, ProbeOptions};
use support::deadline;

const LIMIT: Duration = Duration::from_secs(60);

/// Short waits: every server here is on loopback.
fn options() -> ProbeOptions {
    ProbeOptions {
        timeout: Duration::from_millis(1000),
        ..ProbeOptions::default()
    }
}

/// Echoes every byte until EOF, then closes: the correct server.
fn echo(mut stream: TcpStream) {
    let mut buffer = [0; 16 * 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if stream.write_all(&buffer[..n]).is_err() {
                    return;
                }
            }
        }
    }
    let _ = stream.shutdown(Shutdown::Write);
}

fn probe_at(addr: SocketAddr) -> netlab::probe::Report {
    probe::check("tcp-echo", &addr.to_string(), &options()).unwrap()
}

/// A correct server (a thread per connection) passes every check, and `run`
/// says so.
#[test]
fn a_correct_echo_server_passes_every_check() {
    deadline(LIMIT, "probing a correct TCP echo server", || {
        let addr = serve_each(Arc::new(echo));
        let report = probe_at(addr);
        assert!(
            report.passed,
            "a correct server failed: {:#?}",
            report.checks
        );
        let names: Vec<&str> =
            report.checks.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "single message",
                "binary",
                "large message",
                "slow dribbling",
                "half-close",
                "several clients at once",
                "disconnect mid-message",
            ]
        );
        assert!(probe::run("tcp-echo", &addr.to_string(), &options()).unwrap());
    });
}

/// A server that upper-cases fails the text and binary checks, and says what
/// came back.
#[test]
fn an_uppercasing_server_fails_and_shows_what_came_back() {
    deadline(LIMIT, "probing an upper-casing TCP echo server", || {
        let addr = serve_each(Arc::new(|mut stream: TcpStream| {
            let mut buffer = [0; 4096];
            while let Ok(n @ 1..) = stream.read(&mut buffer) {
                let upper = buffer[..n].to_ascii_uppercase();
                if stream.write_all(&upper).is_err() {
                    return;
                }
            }
        }));
        let report = probe_at(addr);
        let failed = failed_names(&report);
        assert!(failed.contains(&"single message"), "{failed:?}");
        assert!(failed.contains(&"binary"), "{failed:?}");
        let detail = &report.checks[0].detail;
        assert!(detail.contains("NETLAB PROBE: HELLO"), "{detail}");
        assert!(!probe::run("tcp-echo", &addr.to_string(), &options()).unwrap());
    });
}

/// A server that serves one client at a time passes the one-client checks
/// and fails the concurrency check.
#[test]
fn a_server_serving_one_client_at_a_time_fails_the_concurrency_check() {
    deadline(LIMIT, "probing a one-at-a-time TCP echo server", || {
        let addr = serve_in_turn(Arc::new(echo));
        let report = probe_at(addr);
        assert_eq!(failed_names(&report), ["several clients at once"]);
        let detail = &report.named("several clients at once").unwrap().detail;
        assert!(detail.contains("one client at a time"), "{detail}");
    });
}

/// A server that reads everything before echoing anything never answers a
/// client that waits for its echo: the probe fails the first message, runs
/// nothing else, and still ends.
#[test]
fn a_server_that_echoes_only_after_eof_fails_at_the_first_message() {
    deadline(LIMIT, "probing a read-everything-first server", || {
        let addr = serve_each(Arc::new(|mut stream: TcpStream| {
            let mut all = Vec::new();
            let _ = stream.read_to_end(&mut all);
            let _ = stream.write_all(&all);
        }));
        let report = probe_at(addr);
        let failed = failed_names(&report);
        // It never echoes before EOF: the very first message gets nothing.
        assert_eq!(report.checks[0].name, "single message");
        assert!(failed.contains(&"single message"), "{failed:?}");
        assert!(report.checks[1].detail.contains("not run"));
    });
}

/// A server that drops the rest of its echo when the client half-closes
/// fails the half-close check.
#[test]
fn a_server_that_never_closes_after_eof_fails_the_half_close() {
    deadline(LIMIT, "probing a server that never closes", || {
        let addr = serve_each(Arc::new(|mut stream: TcpStream| {
            let mut buffer = [0; 4096];
            while let Ok(n @ 1..) = stream.read(&mut buffer) {
                if stream.write_all(&buffer[..n]).is_err() {
                    return;
                }
            }
            // Keeps the connection open after the client's FIN.
            thread::sleep(Duration::from_secs(30));
        }));
        let report = probe_at(addr);
        assert_eq!(failed_names(&report), ["half-close"]);
        let detail = &report.named("half-close").unwrap().detail;
        assert!(detail.contains("sent nothing more"), "{detail}");
    });
}

/// A server that gives up on a client whose message is incomplete and
/// crashes its accept loop fails the disconnect check.
#[test]
fn a_server_that_dies_on_a_reset_fails_the_disconnect_check() {
    deadline(LIMIT, "probing a server that dies on a reset", || {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut buffer = [0; 4096];
                let mut seen = Vec::new();
                while let Ok(n @ 1..) = stream.read(&mut buffer) {
                    seen.extend_from_slice(&buffer[..n]);
                    let _ = stream.write_all(&buffer[..n]);
                }
                let _ = stream.shutdown(Shutdown::Write);
                if seen.starts_with(b"netlab probe: half") {
                    return; // the listener is dropped: nothing listens any more
                }
            }
        });
        let report = probe_at(addr);
        assert!(
            failed_names(&report).contains(&"disconnect mid-message"),
            "{:#?}",
            report.checks
        );
    });
}

/// Against a port where nothing listens the probe says "connection refused
/// by ADDR" at once and runs nothing else.
#[test]
fn a_closed_port_is_refused_at_once() {
    deadline(LIMIT, "probing a closed TCP port", || {
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let started = Instant::now();
        let report = probe_at(addr);
        assert!(
            started.elapsed() < Duration::from_millis(900),
            "{:?}",
            started.elapsed()
        );
        assert!(!report.passed);
        assert_eq!(
            report.checks[0].detail,
            format!("connection refused by {addr}: nothing listens there")
        );
        assert!(
            report.checks[1..]
                .iter()
                .all(|c| c.detail.starts_with("not run"))
        );
    });
}

/// A server that echoes one `read` and hangs up (a byte stream taken for
/// messages) passes the short messages and fails the stream checks.
#[test]
fn a_server_echoing_one_read_fails_the_stream_checks() {
    deadline(LIMIT, "probing a one-read echo server", || {
        let addr = serve_each(Arc::new(|mut stream: TcpStream| {
            let mut buffer = [0; 1024];
            if let Ok(n @ 1..) = stream.read(&mut buffer) {
                let _ = stream.write_all(&buffer[..n]);
            }
        }));
        let report = probe_at(addr);
        let failed = failed_names(&report);
        for name in ["large message", "slow dribbling", "half-close"] {
            assert!(failed.contains(&name), "{name} passed: {failed:?}");
        }
        assert!(!failed.contains(&"single message"), "{failed:?}");
        let detail = &report.named("slow dribbling").unwrap().detail;
        assert!(detail.contains("echo until the client closes"), "{detail}");
    });
}
