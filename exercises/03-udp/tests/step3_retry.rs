// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 3: a client that survives loss (book: "Timeouts and retries").
//!
//! The lossy tests put `support::proxy::LossyProxy` between your client and
//! an echo server: it drops datagrams by a seeded plan, so a failure
//! replays the same way every run.

use std::net::SocketAddr;
use std::thread;
use std::time::{Duration, Instant};

use support::deadline;
use support::loopback::{describe_bytes, recv_within, udp_socket};
use support::proxy::{Direction, LossPlan, LossyProxy};
use udp::step3_retry::{RetryError, RetryPolicy, request_with_retries};

/// How long a test of pure computation may take: far more than it needs,
/// so that only an endless loop fails it.
const PURE: Duration = Duration::from_secs(5);

const LIMIT: Duration = Duration::from_secs(20);
const WAIT: Duration = Duration::from_secs(2);

/// An echo server written with plain std: it echoes until nothing has come
/// for 2 s, then ends.
fn echo_server() -> SocketAddr {
    let socket = udp_socket(WAIT);
    let addr = socket.local_addr().unwrap();
    thread::spawn(move || {
        let mut buffer = vec![0; 65_535];
        while let Ok((len, from)) = socket.recv_from(&mut buffer) {
            let _ = socket.send_to(&buffer[..len], from);
        }
    });
    addr
}

/// Many attempts, short waits: generous enough for 30 % loss each way.
fn patient_policy() -> RetryPolicy {
    RetryPolicy {
        attempts: 12,
        first_timeout: Duration::from_millis(50),
        backoff: 1,
    }
}

/// Sends `count` numbered requests through a 30 %-lossy proxy seeded with
/// `seed`, and checks that each gets its own echo. Each request has a
/// socket of its own, so that a reply arriving after its request was
/// retried cannot be taken for the next request's reply (telling those
/// apart needs request ids: step 6).
fn every_request_survives(seed: u64, count: usize) -> LossyProxy {
    let proxy =
        LossyProxy::start(echo_server(), LossPlan::lossy(seed, 0.3)).unwrap();
    for i in 0..count {
        let client = udp_socket(WAIT);
        let request = format!("request {i}");
        match request_with_retries(
            &client,
            proxy.addr(),
            request.as_bytes(),
            &patient_policy(),
        ) {
            Ok(reply) => assert_eq!(
                reply,
                request.as_bytes(),
                "sent `{request}` through a proxy dropping 30 % (seed {seed}) to an echo \
                 server; expected `{request}` back, got {}",
                describe_bytes(&reply)
            ),
            Err(error) => panic!(
                "sent `{request}` through a proxy dropping 30 % (seed {seed}) to an echo \
                 server with 12 attempts of 50 ms; expected `{request}` back, got: {error}"
            ),
        }
    }
    proxy
}

/// The waits grow by the backoff factor: 100, 200, 400, 800 ms.
#[test]
fn retry_policy_waits_longer_each_time() {
    deadline(PURE, "retry policy waits longer each time", || {
        let doubling = RetryPolicy {
            attempts: 4,
            first_timeout: Duration::from_millis(100),
            backoff: 2,
        };
        let expected: Vec<Duration> =
            [100, 200, 400, 800].map(Duration::from_millis).into();
        assert_eq!(
            doubling.timeouts(),
            expected,
            "attempts 4, first 100 ms, backoff 2"
        );

        let steady = RetryPolicy {
            backoff: 1,
            ..doubling.clone()
        };
        assert_eq!(
            steady.timeouts(),
            vec![Duration::from_millis(100); 4],
            "backoff 1 keeps the wait"
        );

        let none = RetryPolicy {
            attempts: 0,
            ..doubling
        };
        assert!(
            none.timeouts().is_empty(),
            "0 attempts means no waits at all"
        );
    });
}

/// Every one of 20 requests gets its answer through 30 % loss each way
/// (seed 1).
#[test]
fn requests_survive_thirty_percent_loss() {
    deadline(LIMIT, "20 requests through 30 % loss", || {
        let counts = every_request_survives(1, 20).stop();
        assert!(
            counts.to_server.dropped + counts.to_client.dropped > 0,
            "the proxy dropped nothing: this test proved nothing"
        );
    });
}

/// The same with another seed: and retries are really sent, each time a
/// reply is missing.
#[test]
fn requests_survive_thirty_percent_loss_with_another_seed() {
    deadline(LIMIT, "20 requests through 30 % loss", || {
        let counts = every_request_survives(2024, 20).stop();
        assert!(
            counts.to_server.received > 20,
            "the proxy saw only {} requests for 20 answers despite losses: no retries?",
            counts.to_server.received
        );
    });
}

/// When the first reply is lost, the request is sent again and the second
/// reply is returned; when nothing is lost, the request is sent once.
#[test]
fn a_lost_reply_is_retried_and_a_received_one_is_not() {
    deadline(LIMIT, "a request whose first reply is lost", || {
        let plan = LossPlan::perfect().with_drop_of(Direction::ToClient, 1);
        let proxy = LossyProxy::start(echo_server(), plan).unwrap();
        let client = udp_socket(WAIT);
        let policy = RetryPolicy {
            attempts: 3,
            first_timeout: Duration::from_millis(300),
            backoff: 2,
        };
        let reply =
            request_with_retries(&client, proxy.addr(), b"once more", &policy)
                .unwrap_or_else(|e| {
                    panic!("the first echo was lost, the second was not; got: {e}")
                });
        assert_eq!(reply, b"once more");
        let reply =
            request_with_retries(&client, proxy.addr(), b"just once", &policy)
                .unwrap_or_else(|e| panic!("nothing was lost, yet got: {e}"));
        assert_eq!(reply, b"just once");
        let sent = proxy.stop().to_server.received;
        assert_eq!(
            sent, 3,
            "expected 3 requests on the wire (2 for the lost reply, 1 for the other), saw {sent}"
        );
    });
}

/// Against a server that never answers, the client sends exactly
/// `attempts` times, waits out every backoff, then gives up with
/// `RetryError::GaveUp`.
#[test]
fn gives_up_after_every_attempt_against_a_silent_server() {
    deadline(LIMIT, "retries against a silent server", || {
        let silent = udp_socket(Duration::from_millis(100));
        let client = udp_socket(WAIT);
        let policy = RetryPolicy {
            attempts: 3,
            first_timeout: Duration::from_millis(50),
            backoff: 2,
        };
        let started = Instant::now();
        let result = request_with_retries(
            &client,
            silent.local_addr().unwrap(),
            b"hello?",
            &policy,
        );
        let took = started.elapsed();
        match result {
            Err(RetryError::GaveUp { attempts, .. }) => assert_eq!(attempts, 3),
            other => {
                panic!("expected RetryError::GaveUp after 3 attempts, got {other:?}")
            }
        }
        assert!(
            took >= Duration::from_millis(300),
            "waits of 50 + 100 + 200 ms take 350 ms, but you gave up after {took:?}"
        );
        let mut copies = 0;
        while let Some((bytes, _)) = recv_within(&silent, Duration::from_millis(100))
        {
            assert_eq!(bytes, b"hello?", "every attempt sends the same request");
            copies += 1;
        }
        assert_eq!(
            copies, 3,
            "attempts = 3 should put the request on the wire 3 times"
        );
    });
}

/// A datagram from someone other than the server is not a reply: the
/// client keeps waiting and returns the server's answer.
#[test]
fn ignores_replies_from_strangers() {
    deadline(LIMIT, "a client receiving a stranger's datagram", || {
        let server = udp_socket(WAIT);
        let server_addr = server.local_addr().unwrap();
        let stranger = udp_socket(WAIT);
        thread::spawn(move || {
            if let Some((_, client)) = recv_within(&server, WAIT) {
                stranger.send_to(b"not from the server", client).unwrap();
                thread::sleep(Duration::from_millis(50));
                server.send_to(b"the real reply", client).unwrap();
            }
        });
        let client = udp_socket(WAIT);
        let policy = RetryPolicy {
            attempts: 1,
            first_timeout: Duration::from_secs(1),
            backoff: 2,
        };
        let reply = request_with_retries(&client, server_addr, b"question", &policy)
            .unwrap_or_else(|e| {
                panic!("the server answered within 50 ms, yet got: {e}")
            });
        assert!(
            reply == b"the real reply",
            "a stranger sent `not from the server`, then the server at {server_addr} sent \
             `the real reply`; expected the server's, got {}",
            describe_bytes(&reply)
        );
    });
}

/// A socket error other than a read timeout ends the retries with
/// `RetryError::Io`: it is not silence to wait out. Here the socket is
/// connected to a port where nobody listens, so the OS reports
/// ConnectionRefused to the receive.
#[test]
fn a_socket_error_is_an_io_error_not_a_retry() {
    deadline(LIMIT, "retries against a closed port", || {
        let closed = udp_socket(WAIT).local_addr().unwrap();
        let socket = udp_socket(WAIT);
        socket.connect(closed).unwrap();
        let policy = RetryPolicy {
            attempts: 4,
            first_timeout: Duration::from_millis(300),
            backoff: 1,
        };
        match request_with_retries(&socket, closed, b"anyone?", &policy) {
            Err(RetryError::Io(_)) => {}
            other => panic!(
                "{closed} is closed, so the receive fails with ConnectionRefused; \
                 expected Err(RetryError::Io(..)), got {other:?}"
            ),
        }
    });
}
