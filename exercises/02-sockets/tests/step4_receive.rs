// Don't change the tests! `cargo lab check` grades your src/ against the originals.

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use socket2::SockRef;
use sockets::step4_receive::{
    Datagram, Received, receive_datagram_within, receive_within,
};
use support::deadline;
use support::loopback::{connect_tcp, describe_bytes, tcp_listener, udp_socket};

const LIMIT: Duration = Duration::from_secs(5);
const WAIT: Duration = Duration::from_secs(2);
const SHORT: Duration = Duration::from_millis(200);

/// A connected pair of TCP streams on loopback: (ours, the peer's).
fn connected_pair() -> (TcpStream, TcpStream) {
    let listener: TcpListener = tcp_listener();
    let addr = listener.local_addr().unwrap();
    let ours = connect_tcp(addr, WAIT).unwrap();
    let (theirs, _) = listener.accept().unwrap();
    (ours, theirs)
}

/// Bytes the peer wrote come back as Data.
#[test]
fn bytes_that_arrive_are_data() {
    deadline(LIMIT, "receive_within with bytes waiting", || {
        let (ours, mut theirs) = connected_pair();
        theirs.write_all(b"hello").unwrap();
        let got = receive_within(&ours, WAIT).expect("receive_within failed");
        assert_eq!(
            got,
            Received::Data(b"hello".to_vec()),
            "the peer wrote `hello`, expected Data(`hello`)"
        );
    });
}

/// A silent but open connection is TimedOut, after about the timeout.
#[test]
fn silence_is_timed_out_after_the_timeout() {
    deadline(LIMIT, "receive_within on a silent connection", || {
        let (ours, _theirs) = connected_pair();
        let started = Instant::now();
        let got = receive_within(&ours, SHORT).expect("receive_within failed");
        let waited = started.elapsed();
        assert_eq!(got, Received::TimedOut, "the peer wrote nothing and stayed");
        assert!(
            waited >= SHORT / 2 && waited < WAIT,
            "asked to wait 200 ms, waited {waited:?}"
        );
    });
}

/// A peer that closes is PeerClosed: a 0-byte read means "no more, ever".
#[test]
fn a_peer_that_closes_is_peer_closed() {
    deadline(LIMIT, "receive_within after the peer closed", || {
        let (ours, theirs) = connected_pair();
        drop(theirs);
        let got = receive_within(&ours, WAIT).expect("receive_within failed");
        assert_eq!(
            got,
            Received::PeerClosed,
            "the peer closed the connection; a read returns 0 bytes then"
        );
    });
}

/// A peer that resets the connection is gone too: PeerClosed, not an error.
#[test]
fn a_peer_that_resets_is_peer_closed() {
    deadline(LIMIT, "receive_within after the peer reset", || {
        let (ours, theirs) = connected_pair();
        // SO_LINGER with a zero timeout makes close send RST instead of FIN.
        SockRef::from(&theirs)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(theirs);
        std::thread::sleep(Duration::from_millis(50));
        let got = receive_within(&ours, WAIT);
        assert!(
            matches!(got, Ok(Received::PeerClosed)),
            "the peer reset the connection (ConnectionReset), expected \
             Ok(PeerClosed), got {got:?}"
        );
    });
}

/// A zero timeout is refused with InvalidInput rather than waiting for ever.
#[test]
fn a_zero_timeout_is_invalid_input() {
    deadline(LIMIT, "receive_within with a zero timeout", || {
        let (ours, _theirs) = connected_pair();
        let got = receive_within(&ours, Duration::ZERO);
        assert!(
            matches!(&got, Err(e) if e.kind() == io::ErrorKind::InvalidInput),
            "a zero timeout should be an InvalidInput error, got {got:?}"
        );
    });
}

/// A datagram arrives whole with its sender; silence is TimedOut.
#[test]
fn datagrams_and_silence_are_told_apart() {
    deadline(LIMIT, "receive_datagram_within", || {
        let socket = udp_socket(WAIT);
        let sender = udp_socket(WAIT);
        let got = receive_datagram_within(&socket, SHORT)
            .expect("receive_datagram_within failed");
        assert_eq!(got, Datagram::TimedOut, "nothing was sent yet");

        sender
            .send_to(b"ping", socket.local_addr().unwrap())
            .unwrap();
        let got = receive_datagram_within(&socket, WAIT)
            .expect("receive_datagram_within failed");
        match got {
            Datagram::Data { bytes, from } => {
                assert_eq!(
                    bytes,
                    b"ping",
                    "sent `ping`, received {}",
                    describe_bytes(&bytes)
                );
                assert_eq!(
                    from,
                    sender.local_addr().unwrap(),
                    "wrong sender address"
                );
            }
            Datagram::TimedOut => panic!("sent `ping` on loopback, got TimedOut"),
        }
    });
}

/// One receive takes everything that has arrived, up to 64 KiB: 60 000 bytes
/// already waiting come in one call, not 1 KiB at a time.
#[test]
fn one_receive_takes_up_to_64_kib() {
    deadline(LIMIT, "receive_within with 60 000 bytes waiting", || {
        let (mut ours, theirs) = connected_pair();
        let sent: Vec<u8> = (0..60_000u32).map(|i| (i % 251) as u8).collect();
        ours.write_all(&sent).unwrap();
        // On loopback the bytes are in `theirs`'s receive buffer at once.
        std::thread::sleep(SHORT);
        match receive_within(&theirs, WAIT).expect("receive_within failed") {
            Received::Data(bytes) => {
                assert!(
                    bytes.len() >= 32 * 1024,
                    "60 000 bytes were waiting, one receive returned {} (is the \
                     buffer 64 KiB?)",
                    bytes.len()
                );
                assert!(bytes == sent[..bytes.len()], "the bytes came back changed");
            }
            other => panic!("60 000 bytes were waiting, got {other:?}"),
        }
    });
}

/// A receive error that is not a timeout is returned as an error, not
/// mistaken for silence: here the OS reports that nobody listens where the
/// socket is connected.
#[test]
fn a_receive_error_is_not_timed_out() {
    deadline(
        LIMIT,
        "receive_datagram_within after a port unreachable",
        || {
            let closed = udp_socket(WAIT).local_addr().unwrap();
            let socket = udp_socket(WAIT);
            socket.connect(closed).unwrap();
            socket.send(b"anyone?").unwrap();
            match receive_datagram_within(&socket, WAIT) {
                Err(error) if error.kind() != io::ErrorKind::InvalidInput => {}
                other => panic!(
                    "{closed} is closed, so the OS reports an error to the next \
                 receive (ConnectionRefused); expected that error, got {other:?}"
                ),
            }
        },
    );
}
