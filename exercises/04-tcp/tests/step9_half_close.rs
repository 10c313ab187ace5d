// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 9: half-close, and writing while reading (book: "Half-close").

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use socket2::{Domain, SockRef, Socket, Type};
use support::deadline;
use support::loopback::{describe_bytes, tcp_listener};
use tcp::step9_half_close::send_then_read;

const LIMIT: Duration = Duration::from_secs(20);
const WAIT: Duration = Duration::from_secs(2);

/// A server for one connection: reads the whole request (until EOF), then
/// sends what `answer` makes of it and closes.
fn after_eof_server(
    answer: impl FnOnce(Vec<u8>) -> Vec<u8> + Send + 'static,
) -> SocketAddr {
    let listener = tcp_listener();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut request = Vec::new();
        if stream.read_to_end(&mut request).is_err() {
            return;
        }
        let _ = stream.write_all(&answer(request));
    });
    addr
}

/// `wc`: answers `<bytes> bytes, <lines> lines` — once the request is
/// complete, which only the client's EOF can tell.
#[test]
fn send_then_read_tells_the_server_the_request_is_complete() {
    deadline(
        LIMIT,
        "send_then_read to a server that waits for EOF",
        || {
            let addr = after_eof_server(|request| {
                let lines = request.iter().filter(|b| **b == b'\n').count();
                format!("{} bytes, {lines} lines\n", request.len()).into_bytes()
            });
            match send_then_read(addr, b"one\ntwo\nthree\n", WAIT) {
                Ok(reply) => assert!(
                    reply == b"14 bytes, 3 lines\n",
                    "expected `14 bytes, 3 lines`, got {}",
                    describe_bytes(&reply)
                ),
                Err(error) => panic!(
                    "the server answers once the request ends (EOF); send_then_read \
                 failed with {error}: did it shut down its writing side?"
                ),
            }
        },
    );
}

/// A long answer (1 MiB, after EOF) comes back whole.
#[test]
fn send_then_read_reads_a_long_answer() {
    deadline(LIMIT, "send_then_read with a 1 MiB answer", || {
        let addr = after_eof_server(|request| {
            let reversed: Vec<u8> = request.iter().rev().copied().collect();
            reversed.repeat(16)
        });
        let request: Vec<u8> = (0..64 * 1024u32).map(|i| (i % 253) as u8).collect();
        let expected: Vec<u8> =
            request.iter().rev().copied().collect::<Vec<_>>().repeat(16);
        let reply =
            send_then_read(addr, &request, WAIT).expect("send_then_read failed");
        assert!(
            reply == expected,
            "expected the 64 KiB request reversed, 16 times (1 MiB); got {} bytes",
            reply.len()
        );
    });
}

/// An echo server with small buffers, which answers as it reads: 24 MiB go
/// through it and come back. Writing all before reading anything deadlocks
/// here once the buffers in both directions are full.
#[test]
fn send_then_read_writes_while_it_reads() {
    deadline(LIMIT, "send_then_read through an echo server", || {
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        socket.set_recv_buffer_size(64 * 1024).unwrap();
        socket
            .bind(&SocketAddr::from((Ipv4Addr::LOCALHOST, 0)).into())
            .unwrap();
        socket.listen(8).unwrap();
        let listener: TcpListener = socket.into();
        let addr = listener.local_addr().unwrap();
        thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            SockRef::from(&stream)
                .set_send_buffer_size(64 * 1024)
                .unwrap();
            let _ = echo(&mut stream);
        });
        let request: Vec<u8> = (0..24 << 20).map(|i: u32| (i % 241) as u8).collect();
        match send_then_read(addr, &request, Duration::from_secs(5)) {
            Ok(reply) => assert!(
                reply == request,
                "sent 24 MiB through an echo server, {} bytes came back{}",
                reply.len(),
                if reply.len() == request.len() {
                    ", changed"
                } else {
                    ""
                }
            ),
            Err(error) => panic!(
                "sent 24 MiB through an echo server that answers as it reads: \
                 {error}. A client that writes everything before it reads \
                 anything deadlocks with it; write on a thread of its own"
            ),
        }
    });
}

fn echo(stream: &mut TcpStream) -> io::Result<()> {
    let mut buffer = [0; 8192];
    loop {
        let len = stream.read(&mut buffer)?;
        if len == 0 {
            return stream.shutdown(std::net::Shutdown::Write);
        }
        stream.write_all(&buffer[..len])?;
    }
}

/// Nothing listening: the error of `connect`, returned.
#[test]
fn send_then_read_reports_a_refused_connection() {
    deadline(LIMIT, "send_then_read to a closed port", || {
        let listener = tcp_listener();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        match send_then_read(addr, b"anyone?", WAIT) {
            Err(error) => {
                assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused, "{error}")
            }
            Ok(reply) => panic!(
                "nothing listens on {addr}, yet Ok({})",
                describe_bytes(&reply)
            ),
        }
    });
}
