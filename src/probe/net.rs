//! The probes' sockets, and their network errors in words.
//!
//! A probe is pointed at an address a person typed, often wrong: nothing
//! listens there, or the server is down. The OS learns that at once (a TCP
//! RST, or an ICMP "port unreachable" for UDP), so the probe says so at once
//! — "connection refused by 127.0.0.1:7000" — instead of waiting out every
//! check. A TCP connect reports it by itself; for UDP, Linux hands the ICMP
//! error to a *connected* socket, and to an unconnected one only if it asked
//! with `IP_RECVERR`, which [`udp_socket`] does. Every timeout message
//! names the address that stayed silent.

use std::io::{self, ErrorKind, Read};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use super::words::human;

/// A UDP socket of `server`'s family on any local address and a port from
/// the OS (the probe may target a machine on the lab network, not only
/// loopback), which reports an ICMP "port unreachable" as
/// `ConnectionRefused` on its next receive.
pub fn udp_socket(server: SocketAddr) -> Result<UdpSocket, String> {
    let any = match server.ip() {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    };
    let socket = UdpSocket::bind(SocketAddr::new(any, 0)).map_err(|error| {
        format!("the probe could not bind a UDP socket: {error}")
    })?;
    report_unreachable(&socket, server);
    Ok(socket)
}

/// Asks Linux to queue ICMP errors on this unconnected socket, which also
/// makes the next `recv_from` fail with `ConnectionRefused` after a "port
/// unreachable". Elsewhere the probe waits out its timeout instead.
#[cfg(target_os = "linux")]
fn report_unreachable(socket: &UdpSocket, server: SocketAddr) {
    use nix::sys::socket::{setsockopt, sockopt};
    // Best effort: without it the probe is slower to notice, not wrong.
    let _ = match server {
        SocketAddr::V4(_) => setsockopt(socket, sockopt::Ipv4RecvErr, &true),
        SocketAddr::V6(_) => setsockopt(socket, sockopt::Ipv6RecvErr, &true),
    };
}

#[cfg(not(target_os = "linux"))]
fn report_unreachable(_socket: &UdpSocket, _server: SocketAddr) {}

/// The next datagram within `timeout`: `Ok(None)` when nothing came, an
/// error when the OS reported one (nothing listens at the address). Never
/// waits longer than `timeout`.
pub fn recv_within(
    socket: &UdpSocket,
    timeout: Duration,
) -> io::Result<Option<(Vec<u8>, SocketAddr)>> {
    if timeout.is_zero() {
        return Ok(None);
    }
    socket.set_read_timeout(Some(timeout))?;
    let mut buffer = vec![0; 65_536];
    match socket.recv_from(&mut buffer) {
        Ok((len, from)) => {
            buffer.truncate(len);
            Ok(Some((buffer, from)))
        }
        Err(error) if is_timeout(&error) => Ok(None),
        Err(error) => Err(error),
    }
}

/// Whether a read or write gave up because its timeout passed (`WouldBlock`
/// on Unix, `TimedOut` on Windows).
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// Whether the error says nothing listens at the address.
pub fn is_refused(error: &io::Error) -> bool {
    error.kind() == ErrorKind::ConnectionRefused
}

/// The sentence for "nothing listens at `server`".
pub fn refused(server: SocketAddr) -> String {
    format!("connection refused by {server}: nothing listens there")
}

/// A network error in words, naming the address: refused, reset, or as the
/// OS put it.
pub fn failure(error: &io::Error, server: SocketAddr) -> String {
    match error.kind() {
        ErrorKind::ConnectionRefused => refused(server),
        ErrorKind::ConnectionReset => format!("{server} reset the connection"),
        ErrorKind::ConnectionAborted => format!("{server} aborted the connection"),
        ErrorKind::BrokenPipe => {
            format!("{server} had closed the connection (broken pipe)")
        }
        _ => format!("talking to {server}: {error}"),
    }
}

/// Connects to `server`, giving up after `timeout`; the stream gets read and
/// write timeouts of the same length, so no later call can block for ever.
/// The error is a sentence naming the address.
pub fn connect(server: SocketAddr, timeout: Duration) -> Result<TcpStream, String> {
    let stream = TcpStream::connect_timeout(&server, timeout).map_err(|error| {
        if is_timeout(&error) {
            format!("could not connect to {server} within {}", human(timeout))
        } else {
            failure(&error, server)
        }
    })?;
    let timeouts = stream
        .set_read_timeout(Some(timeout))
        .and(stream.set_write_timeout(Some(timeout)));
    timeouts.map_err(|error| format!("setting timeouts on a socket: {error}"))?;
    Ok(stream)
}

/// What a read until the peer closed brought back.
#[derive(Debug, Default)]
pub struct Received {
    /// Every byte, in order.
    pub bytes: Vec<u8>,
    /// How the reading ended.
    pub end: End,
}

/// Why a read stopped.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum End {
    /// The peer closed its side (a read returned 0).
    #[default]
    Closed,
    /// Enough bytes came (the reader asked for no more).
    Enough,
    /// Nothing more came within the wait.
    Silent,
    /// The connection broke (reset, or another error), in words.
    Broken(String),
}

impl End {
    /// The end in words, for a check's detail.
    pub fn words(&self, server: SocketAddr, timeout: Duration) -> String {
        match self {
            End::Closed => format!("{server} closed the connection"),
            End::Enough => "the expected bytes came".to_string(),
            End::Silent => {
                format!("{server} sent nothing more for {}", human(timeout))
            }
            End::Broken(why) => why.clone(),
        }
    }
}

/// Reads from `stream` until the peer closes, `limit` bytes have come,
/// nothing comes for `timeout`, or `budget` (the whole read's time) runs
/// out.
pub fn read_until_closed(
    stream: &mut TcpStream,
    server: SocketAddr,
    limit: usize,
    timeout: Duration,
    budget: Duration,
) -> Received {
    let give_up_at = Instant::now() + budget;
    let mut received = Received::default();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let left = give_up_at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            received.end = End::Silent;
            return received;
        }
        if stream.set_read_timeout(Some(timeout.min(left))).is_err() {
            received.end = End::Broken("could not set a read timeout".into());
            return received;
        }
        let want = chunk.len().min(limit - received.bytes.len());
        if want == 0 {
            received.end = End::Enough;
            return received;
        }
        match stream.read(&mut chunk[..want]) {
            Ok(0) => {
                received.end = End::Closed;
                return received;
            }
            Ok(n) => received.bytes.extend_from_slice(&chunk[..n]),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) if is_timeout(&error) => {
                received.end = End::Silent;
                return received;
            }
            Err(error) => {
                received.end = End::Broken(failure(&error, server));
                return received;
            }
        }
    }
}

/// Whether `a` and `b` are the same endpoint, an IPv4 address and its
/// IPv4-mapped IPv6 form counting as one.
pub fn same_endpoint(a: SocketAddr, b: SocketAddr) -> bool {
    let canonical = |addr: SocketAddr| (addr.ip().to_canonical(), addr.port());
    canonical(a) == canonical(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_udp_socket_hears_that_nothing_listens() {
        // A port that was free a moment ago: nothing listens there now.
        let closed = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let socket = udp_socket(closed).unwrap();
        socket.send_to(b"anyone?", closed).unwrap();
        let started = Instant::now();
        let outcome = recv_within(&socket, Duration::from_secs(5));
        if cfg!(target_os = "linux") {
            let error = outcome.expect_err("a refusal, not silence");
            assert!(is_refused(&error), "{error}");
            assert!(started.elapsed() < Duration::from_secs(4));
            assert_eq!(
                failure(&error, closed),
                format!("connection refused by {closed}: nothing listens there")
            );
        }
    }

    #[test]
    fn a_tcp_connect_names_the_address_it_could_not_reach() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let error = connect(closed, Duration::from_secs(5)).unwrap_err();
        assert_eq!(error, refused(closed));
    }

    #[test]
    fn mapped_addresses_are_the_same_endpoint() {
        let v4: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:5000".parse().unwrap();
        assert!(same_endpoint(v4, mapped));
        assert!(!same_endpoint(v4, "127.0.0.1:5001".parse().unwrap()));
    }
}
