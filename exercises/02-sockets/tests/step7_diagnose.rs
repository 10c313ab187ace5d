// Don't change the tests! `cargo lab check` grades your src/ against the originals.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use socket2::{Domain, Socket, Type};
use sockets::step7_diagnose::{Context, Operation, diagnose};
use support::deadline;
use support::loopback::{ANY_PORT_V4, tcp_listener, udp_socket};

const LIMIT: Duration = Duration::from_secs(5);

/// Checks that `diagnosis` mentions every one of `needles` (ignoring case).
fn assert_mentions(diagnosis: &str, needles: &[&str], situation: &str) {
    for needle in needles {
        assert!(
            diagnosis.to_lowercase().contains(&needle.to_lowercase()),
            "{situation}: the diagnosis should mention `{needle}`, \
             it says: {diagnosis}"
        );
    }
}

/// Connecting to a port nobody listens on: "nothing is listening on ADDR".
#[test]
fn a_refused_connection_says_nothing_is_listening() {
    deadline(LIMIT, "diagnose a refused connection", || {
        // A TCP socket that is bound but not listening holds its port, and
        // the kernel refuses every connection to it. (Freeing a port instead
        // would let another program take it before we connect.)
        let holder = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        holder
            .bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
            .unwrap();
        let addr = holder.local_addr().unwrap().as_socket().unwrap();
        let error = TcpStream::connect_timeout(&addr, Duration::from_secs(2))
            .expect_err("connecting to a freed port should fail");
        assert_eq!(
            error.kind(),
            io::ErrorKind::ConnectionRefused,
            "got {error}"
        );
        let context = Context {
            operation: Operation::Connect,
            addr,
        };
        let diagnosis = diagnose(&error, &context);
        assert_mentions(
            &diagnosis,
            &[&addr.to_string(), "nothing is listening"],
            "connection refused",
        );
    });
}

/// Binding a port that is taken: "port N is already in use", and port 0.
#[test]
fn a_taken_port_says_already_in_use() {
    deadline(LIMIT, "diagnose a port in use", || {
        let taken = tcp_listener();
        let addr = taken.local_addr().unwrap();
        let error =
            TcpListener::bind(addr).expect_err("binding a taken port should fail");
        assert_eq!(error.kind(), io::ErrorKind::AddrInUse, "got {error}");
        let context = Context {
            operation: Operation::Bind,
            addr,
        };
        let diagnosis = diagnose(&error, &context);
        let port = format!("port {}", addr.port());
        assert_mentions(
            &diagnosis,
            &[&port, "already in use", "port 0"],
            "address in use",
        );
    });
}

/// Binding an address this machine does not have: "IP is not an address of
/// this machine".
#[test]
fn a_foreign_address_says_it_is_not_ours() {
    deadline(LIMIT, "diagnose an address not available", || {
        // 192.0.2.1 is TEST-NET-1, reserved for documentation: no machine has it.
        let addr = SocketAddr::from((Ipv4Addr::new(192, 0, 2, 1), 0));
        let error = match UdpSocket::bind(addr) {
            Err(error) => error,
            // Some machines allow binding foreign addresses
            // (net.ipv4.ip_nonlocal_bind = 1): nothing to check there.
            Ok(_) => {
                eprintln!("this machine lets programs bind {addr}; skipped");
                return;
            }
        };
        assert_eq!(error.kind(), io::ErrorKind::AddrNotAvailable, "got {error}");
        let context = Context {
            operation: Operation::Bind,
            addr,
        };
        let diagnosis = diagnose(&error, &context);
        assert_mentions(
            &diagnosis,
            &["192.0.2.1", "not an address of this machine"],
            "address not available",
        );
    });
}

/// A receive that timed out (WouldBlock on Unix, TimedOut on Windows): "no
/// answer from ADDR".
#[test]
fn a_timeout_says_no_answer() {
    deadline(LIMIT, "diagnose a receive that timed out", || {
        let socket = udp_socket(Duration::from_millis(50));
        let peer = udp_socket(Duration::from_millis(50)).local_addr().unwrap();
        let mut buffer = [0; 16];
        let error = socket.recv_from(&mut buffer).expect_err("nothing was sent");
        let context = Context {
            operation: Operation::Receive,
            addr: peer,
        };
        let diagnosis = diagnose(&error, &context);
        assert_mentions(
            &diagnosis,
            &[&peer.to_string(), "no answer"],
            &format!("a receive timeout ({:?})", error.kind()),
        );
        let diagnosis =
            diagnose(&io::Error::from(io::ErrorKind::TimedOut), &context);
        assert_mentions(&diagnosis, &["no answer"], "TimedOut");
    });
}

/// A reset and a broken pipe both say the peer is gone.
#[test]
fn reset_and_broken_pipe_say_the_peer_is_gone() {
    deadline(LIMIT, "reset and broken pipe say the peer is gone", || {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, 4000));
        let context = Context {
            operation: Operation::Send,
            addr,
        };
        let reset =
            diagnose(&io::Error::from(io::ErrorKind::ConnectionReset), &context);
        assert_mentions(
            &reset,
            &["127.0.0.1:4000", "reset the connection"],
            "connection reset",
        );
        let pipe = diagnose(&io::Error::from(io::ErrorKind::BrokenPipe), &context);
        assert_mentions(
            &pipe,
            &["127.0.0.1:4000", "already closed the connection"],
            "broken pipe",
        );
    });
}

/// Permission denied on a port below 1024 names the limit.
#[test]
fn permission_denied_on_a_low_port_mentions_1024() {
    deadline(
        LIMIT,
        "permission denied on a low port mentions 1024",
        || {
            let addr = SocketAddr::from((Ipv4Addr::UNSPECIFIED, 80));
            let context = Context {
                operation: Operation::Bind,
                addr,
            };
            let diagnosis = diagnose(
                &io::Error::from(io::ErrorKind::PermissionDenied),
                &context,
            );
            assert_mentions(
                &diagnosis,
                &["0.0.0.0:80", "1024"],
                "permission denied on port 80",
            );
        },
    );
}

/// Permission denied anywhere else — binding port 1024 or above, or not
/// binding at all — is not about privileged ports: the system did not permit
/// it (a firewall, or a broadcast without SO_BROADCAST).
#[test]
fn permission_denied_elsewhere_says_not_permitted() {
    deadline(LIMIT, "permission denied elsewhere", || {
        let denied = io::Error::from(io::ErrorKind::PermissionDenied);
        for (operation, port) in [
            (Operation::Bind, 1024),
            (Operation::Connect, 80),
            (Operation::Send, 80),
        ] {
            let addr = SocketAddr::from((Ipv4Addr::new(192, 0, 2, 9), port));
            let context = Context { operation, addr };
            let diagnosis = diagnose(&denied, &context);
            let situation = format!("permission denied: {operation} {addr}");
            assert_mentions(
                &diagnosis,
                &[&addr.to_string(), "not permit"],
                &situation,
            );
            assert!(
                !diagnosis.contains("administrator"),
                "{situation}: only a bind below port 1024 is about \
                 administrator rights, the diagnosis says: {diagnosis}"
            );
        }
    });
}

/// Any other error keeps its own text, with the operation and the address.
#[test]
fn other_errors_keep_their_own_text() {
    deadline(LIMIT, "other errors keep their own text", || {
        let context = Context {
            operation: Operation::Connect,
            addr: ANY_PORT_V4,
        };
        let error = io::Error::other("the cable is unplugged");
        let diagnosis = diagnose(&error, &context);
        assert_mentions(
            &diagnosis,
            &["connecting to", "127.0.0.1:0", "the cable is unplugged"],
            "an unusual error",
        );
    });
}
