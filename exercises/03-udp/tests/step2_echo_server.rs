// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 2: an echo server for many clients, that stops when told (book: "An
//! echo server").

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use support::deadline;
use support::loopback::{
    describe_bytes, is_port_unreachable, recv_within, udp_socket,
};
use udp::step2_echo_server::{EchoHandle, EchoServer, EchoStats};

const LIMIT: Duration = Duration::from_secs(5);
const WAIT: Duration = Duration::from_secs(2);

/// Binds an echo server on 127.0.0.1, port chosen by the OS, and starts it.
fn start_server() -> EchoHandle {
    let server = EchoServer::bind("127.0.0.1:0").expect("EchoServer::bind failed");
    server.spawn().expect("EchoServer::spawn failed")
}

/// Sends `bytes` from `client` and checks that exactly they come back, from
/// the server's address.
fn expect_echo(client: &UdpSocket, server: SocketAddr, bytes: &[u8]) {
    client.send_to(bytes, server).unwrap();
    let Some((reply, from)) = recv_within(client, WAIT) else {
        panic!(
            "sent {} to your echo server at {server}, expected it back within 2 s, got nothing",
            describe_bytes(bytes)
        );
    };
    assert!(
        reply == bytes,
        "sent {} to your echo server at {server}, expected the same bytes back, got {}",
        describe_bytes(bytes),
        describe_bytes(&reply)
    );
    assert_eq!(
        from, server,
        "the echo came from {from}, not from the server's address"
    );
}

/// The server reports the real port the OS gave it, not 0.
#[test]
fn echo_server_reports_the_port_it_got() {
    deadline(LIMIT, "EchoServer::local_addr", || {
        let server =
            EchoServer::bind("127.0.0.1:0").expect("EchoServer::bind failed");
        let addr = server.local_addr().expect("local_addr failed");
        assert_eq!(addr.ip().to_string(), "127.0.0.1");
        assert_ne!(
            addr.port(),
            0,
            "bound port 0, so local_addr must say which port the OS chose"
        );
    });
}

/// Two clients, one after the other, each get their own datagram back.
#[test]
fn echo_server_answers_two_clients_in_turn() {
    deadline(LIMIT, "your echo server answering two clients", || {
        let handle = start_server();
        let (alice, bob) = (udp_socket(WAIT), udp_socket(WAIT));
        expect_echo(&alice, handle.addr(), b"hello from alice");
        expect_echo(&bob, handle.addr(), b"hello from bob");
        expect_echo(&alice, handle.addr(), b"alice again");
        handle.stop().expect("stop failed");
    });
}

/// Datagrams from several clients that arrive interleaved each go back to
/// their own sender, none to the wrong one.
#[test]
fn echo_server_answers_interleaved_clients() {
    deadline(
        LIMIT,
        "your echo server answering interleaved clients",
        || {
            let handle = start_server();
            let clients: Vec<UdpSocket> = (0..3).map(|_| udp_socket(WAIT)).collect();
            for round in 0..3 {
                for (i, client) in clients.iter().enumerate() {
                    let message = format!("client {i} round {round}");
                    client.send_to(message.as_bytes(), handle.addr()).unwrap();
                }
            }
            for (i, client) in clients.iter().enumerate() {
                for round in 0..3 {
                    let expected = format!("client {i} round {round}");
                    let Some((reply, _)) = recv_within(client, WAIT) else {
                        panic!(
                            "client {i} sent `{expected}` and got nothing back within 2 s"
                        );
                    };
                    assert_eq!(
                        reply,
                        expected.as_bytes(),
                        "client {i} expected `{expected}` back, got {}",
                        describe_bytes(&reply)
                    );
                }
            }
            handle.stop().expect("stop failed");
        },
    );
}

/// An empty datagram is echoed as an empty datagram.
#[test]
fn echo_server_echoes_an_empty_datagram() {
    deadline(LIMIT, "your echo server echoing 0 bytes", || {
        let handle = start_server();
        let client = udp_socket(WAIT);
        expect_echo(&client, handle.addr(), b"");
        handle.stop().expect("stop failed");
    });
}

/// 8 KiB holding every byte value comes back whole and unchanged: no text
/// conversion, no small buffer.
#[test]
fn echo_server_echoes_8_kib_of_binary() {
    deadline(LIMIT, "your echo server echoing 8 KiB", || {
        let handle = start_server();
        let client = udp_socket(WAIT);
        let binary: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 256) as u8).collect();
        expect_echo(&client, handle.addr(), &binary);
        handle.stop().expect("stop failed");
    });
}

/// `stop` returns promptly with what the server did, and the server's socket
/// is closed afterwards.
#[test]
fn echo_server_stops_when_told() {
    deadline(LIMIT, "your echo server stopping", || {
        let handle = start_server();
        let addr = handle.addr();
        let client = udp_socket(WAIT);
        expect_echo(&client, addr, b"one");
        expect_echo(&client, addr, b"three");

        let asked = Instant::now();
        let stats = handle.stop().expect("stop failed");
        let took = asked.elapsed();
        assert!(
            took < Duration::from_secs(1),
            "stop took {took:?}: look at the stop flag more often"
        );
        assert_eq!(
            stats,
            EchoStats {
                datagrams: 2,
                bytes: 8
            },
            "echoed `one` and `three`: expected 2 datagrams, 8 bytes"
        );

        // With the socket closed, the kernel answers "port unreachable",
        // which a connected socket reports as ConnectionRefused (on Windows,
        // ConnectionReset).
        let probe = udp_socket(WAIT);
        probe.connect(addr).unwrap();
        probe.send(b"anyone there?").unwrap();
        match probe.recv(&mut [0; 64]) {
            Err(error) if is_port_unreachable(&error) => {}
            Ok(len) => panic!(
                "the server at {addr} still echoes after stop ({len} bytes came back)"
            ),
            Err(error) => {
                panic!("after stop, expected {addr} to be closed; got {error}")
            }
        }
    });
}
