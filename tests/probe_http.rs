//! `cargo lab probe http`: the probe passes a correct HTTP server and names
//! the check that a wrong one fails.
//!
//! The server here serves two pages from memory the way the workbook's
//! server serves files; each [`Flaw`] is one way a student's server goes
//! wrong.

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::tcp::{failed_names, serve_each, serve_in_turn};
use netlab::probe::{self, ProbeOptions, Report};
use support::deadline;

const LIMIT: Duration = Duration::from_secs(60);

const INDEX: &str =
    "<!doctype html><title>netlab</title><p>Hello from the lab.</p>\n";

fn options() -> ProbeOptions {
    ProbeOptions {
        timeout: Duration::from_millis(1000),
        ..ProbeOptions::default()
    }
}

/// What is wrong with a server, if anything.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Flaw {
    None,
    /// Answers without a Content-Length header.
    NoContentLength,
    /// Takes whatever one read returns as the whole request.
    SingleRead,
    /// Serves whatever path it is asked for, `..` included.
    FollowsDotDot,
    /// Answers HEAD with the body too.
    BodyOnHead,
}

/// Reads a request head and answers it, per the workbook's rules except
/// for `flaw`.
fn answer(mut stream: TcpStream, flaw: Flaw) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut head = Vec::new();
    let mut chunk = [0; 1024];
    let too_big = loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
        if flaw == Flaw::SingleRead || head.windows(4).any(|w| w == b"\r\n\r\n") {
            break false;
        }
        if head.len() > 8192 {
            break true;
        }
    };
    let text = String::from_utf8_lossy(&head).into_owned();
    let line = text.lines().next().unwrap_or_default();
    let words: Vec<&str> = line.split(' ').collect();
    let (status, body, extra): (&str, Vec<u8>, &str) = if too_big {
        ("400 Bad Request", b"too big\n".to_vec(), "")
    } else {
        match words.as_slice() {
            [method, path, version] if version.starts_with("HTTP/1.") => {
                if *method != "GET" && *method != "HEAD" {
                    (
                        "405 Method Not Allowed",
                        b"no\n".to_vec(),
                        "Allow: GET, HEAD\r\n",
                    )
                } else if *path == "/" || *path == "/index.html" {
                    ("200 OK", INDEX.as_bytes().to_vec(), "")
                } else if path.contains("..") && flaw == Flaw::FollowsDotDot {
                    ("200 OK", b"root:x:0:0:root:/root:/bin/sh\n".to_vec(), "")
                } else {
                    ("404 Not Found", b"not found\n".to_vec(), "")
                }
            }
            _ => ("400 Bad Request", b"bad request\n".to_vec(), ""),
        }
    };
    let length = if flaw == Flaw::NoContentLength {
        String::new()
    } else {
        format!("Content-Length: {}\r\n", body.len())
    };
    let mut response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html\r\n{length}{extra}Connection: close\r\n\r\n"
    )
    .into_bytes();
    if words.first() != Some(&"HEAD") || flaw == Flaw::BodyOnHead {
        response.extend_from_slice(&body);
    }
    let _ = stream.write_all(&response);
}

fn server(flaw: Flaw) -> SocketAddr {
    serve_each(Arc::new(move |stream| answer(stream, flaw)))
}

fn probe_at(addr: SocketAddr) -> Report {
    probe::check("http", &addr.to_string(), &options()).unwrap()
}

/// A correct server passes all 13 checks.
#[test]
fn a_correct_http_server_passes_every_check() {
    deadline(LIMIT, "probing a correct HTTP server", || {
        let addr = server(Flaw::None);
        let report = probe_at(addr);
        assert!(
            report.passed,
            "a correct server failed: {:#?}",
            report.checks
        );
        assert_eq!(report.checks.len(), 13);
        assert!(probe::run("http", &addr.to_string(), &options()).unwrap());
    });
}

/// A server answering without Content-Length fails that check alone.
#[test]
fn a_server_without_content_length_fails_that_check() {
    deadline(LIMIT, "probing a server without Content-Length", || {
        let report = probe_at(server(Flaw::NoContentLength));
        assert_eq!(
            failed_names(&report),
            ["Content-Length"],
            "{:#?}",
            report.checks
        );
        let detail = &report.named("Content-Length").unwrap().detail;
        assert!(detail.contains("GET /: none"), "{detail}");
    });
}

/// A server that serves one connection at a time fails the concurrency
/// check alone.
#[test]
fn a_server_serving_one_connection_at_a_time_fails_the_concurrency_check() {
    deadline(LIMIT, "probing a one-at-a-time HTTP server", || {
        let addr = serve_in_turn(Arc::new(|stream| answer(stream, Flaw::None)));
        let report = probe_at(addr);
        assert_eq!(
            failed_names(&report),
            ["several clients at once"],
            "{:#?}",
            report.checks
        );
    });
}

/// A server that takes one read for the whole request fails the dribbled
/// request.
#[test]
fn a_server_reading_once_fails_slow_dribbling() {
    deadline(LIMIT, "probing a server that reads once", || {
        let report = probe_at(server(Flaw::SingleRead));
        let failed = failed_names(&report);
        assert!(failed.contains(&"slow dribbling"), "{failed:?}");
    });
}

/// A server that follows `..` out of its root fails that check.
#[test]
fn a_server_following_dot_dot_fails_the_root_check() {
    deadline(LIMIT, "probing a server that follows ..", || {
        let report = probe_at(server(Flaw::FollowsDotDot));
        assert_eq!(failed_names(&report), ["path outside the root"]);
    });
}

/// A body on a HEAD response fails HEAD.
#[test]
fn a_body_on_head_fails_head() {
    deadline(
        LIMIT,
        "probing a server that answers HEAD with a body",
        || {
            let report = probe_at(server(Flaw::BodyOnHead));
            assert_eq!(failed_names(&report), ["HEAD"], "{:#?}", report.checks);
        },
    );
}

/// Nothing listening: refused at once; a missing page says to use --path.
#[test]
fn a_closed_port_is_refused_at_once_and_a_missing_page_suggests_path() {
    deadline(LIMIT, "probing a closed port", || {
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let started = Instant::now();
        let report = probe_at(addr);
        assert!(started.elapsed() < Duration::from_secs(1));
        assert!(
            report.checks[0]
                .detail
                .contains(&format!("connection refused by {addr}"))
        );
        assert!(report.checks[1].detail.starts_with("not run"));

        let elsewhere = ProbeOptions {
            path: "/missing.html".to_string(),
            ..options()
        };
        let report =
            probe::check("http", &server(Flaw::None).to_string(), &elsewhere)
                .unwrap();
        assert!(
            report.checks[0].detail.contains("--path"),
            "{}",
            report.checks[0].detail
        );
        assert!(
            probe::check(
                "http",
                "127.0.0.1:80",
                &ProbeOptions {
                    path: "index.html".into(),
                    ..options()
                }
            )
            .is_err()
        );
    });
}
