//! Sockets on the loopback interface, with ports chosen by the OS.
//!
//! Tests never use a fixed port: two test runs (or two tests in one run)
//! would collide. Binding port 0 asks the OS for a free ephemeral port, and
//! `local_addr()` tells us which one we got.

use std::io::{self, Read};
use std::net::{
    Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs, UdpSocket,
};
use std::time::{Duration, Instant};

/// 127.0.0.1 with port 0: "loopback, any free port".
pub const ANY_PORT_V4: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 0);

/// [::1] with port 0.
pub const ANY_PORT_V6: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V6(Ipv6Addr::LOCALHOST), 0);

/// The send buffer a test's UDP socket asks for: room for the largest
/// datagram. Linux allows 65 507 bytes by default, but macOS refuses any
/// datagram larger than its send buffer, 9 216 bytes unless asked
/// (`net.inet.udp.maxdgram`), and the tests send up to 65 507.
pub const UDP_SEND_BUFFER: usize = 256 * 1024;

/// A UDP socket on 127.0.0.1 with an OS-chosen port and a read timeout, so a
/// receive in a test can never block for ever, and a send buffer of
/// [`UDP_SEND_BUFFER`], so it can send the largest datagram on every system.
pub fn udp_socket(read_timeout: Duration) -> UdpSocket {
    let socket = UdpSocket::bind(ANY_PORT_V4)
        .expect("could not bind a UDP socket on 127.0.0.1");
    socket
        .set_read_timeout(Some(read_timeout))
        .expect("could not set a read timeout");
    socket2::SockRef::from(&socket)
        .set_send_buffer_size(UDP_SEND_BUFFER)
        .expect("could not set the send buffer size");
    socket
}

/// Whether `error` is how this system reports an ICMP "port unreachable"
/// on a connected UDP socket: `ConnectionRefused` on Linux and macOS,
/// `ConnectionReset` on Windows.
pub fn is_port_unreachable(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionReset
    )
}

/// A TCP listener on 127.0.0.1 with an OS-chosen port.
pub fn tcp_listener() -> TcpListener {
    TcpListener::bind(ANY_PORT_V4)
        .expect("could not bind a TCP listener on 127.0.0.1")
}

/// Whether this machine can bind `[::1]` (some containers have no IPv6).
pub fn ipv6_available() -> bool {
    UdpSocket::bind(ANY_PORT_V6).is_ok()
}

/// Connects to `addr` giving up after `timeout`, with read and write
/// timeouts of the same length on the stream.
pub fn connect_tcp(
    addr: impl ToSocketAddrs,
    timeout: Duration,
) -> io::Result<TcpStream> {
    let addr = addr.to_socket_addrs()?.next().ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidInput, "no address to connect to")
    })?;
    let stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    Ok(stream)
}

/// Reads exactly `len` bytes, failing with `TimedOut` if they have not all
/// arrived within `timeout`, and with `UnexpectedEof` if the peer closed.
pub fn read_exact_within(
    stream: &mut TcpStream,
    len: usize,
    timeout: Duration,
) -> io::Result<Vec<u8>> {
    let give_up_at = Instant::now() + timeout;
    let mut bytes = vec![0; len];
    let mut filled = 0;
    while filled < len {
        let left = give_up_at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("got {filled} of {len} bytes before the timeout"),
            ));
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut bytes[filled..]) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the peer closed after {filled} of {len} bytes"),
                ));
            }
            Ok(n) => filled += n,
            Err(e) if is_timeout(&e) => continue,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(bytes)
}

/// Receives one datagram within `timeout`: `None` if nothing came.
pub fn recv_within(
    socket: &UdpSocket,
    timeout: Duration,
) -> Option<(Vec<u8>, SocketAddr)> {
    socket.set_read_timeout(Some(timeout)).ok()?;
    let mut buffer = vec![0; 65_536];
    match socket.recv_from(&mut buffer) {
        Ok((len, from)) => {
            buffer.truncate(len);
            Some((buffer, from))
        }
        Err(_) => None,
    }
}

/// Whether an error is what a socket read timeout produces. Unix reports an
/// expired timeout as `WouldBlock`, Windows as `TimedOut`.
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Shows bytes the way a failure message should: as text in quotes when they
/// are printable ASCII, otherwise as hex, cut after 64 bytes.
pub fn describe_bytes(bytes: &[u8]) -> String {
    const SHOWN: usize = 64;
    let shown = &bytes[..bytes.len().min(SHOWN)];
    let more = if bytes.len() > SHOWN {
        format!(" … ({} bytes in all)", bytes.len())
    } else {
        String::new()
    };
    if bytes.is_empty() {
        "nothing (0 bytes)".to_string()
    } else if shown.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        format!("`{}`{more}", String::from_utf8_lossy(shown))
    } else {
        let hex: Vec<String> = shown.iter().map(|b| format!("{b:02x}")).collect();
        format!("[{}]{more}", hex.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_sockets_get_distinct_ports_from_the_os() {
        let a = udp_socket(Duration::from_secs(1));
        let b = udp_socket(Duration::from_secs(1));
        assert_ne!(
            a.local_addr().unwrap().port(),
            b.local_addr().unwrap().port()
        );
    }

    #[test]
    fn recv_within_gives_up_quietly() {
        let socket = udp_socket(Duration::from_secs(1));
        assert!(recv_within(&socket, Duration::from_millis(20)).is_none());
    }

    #[test]
    fn read_exact_within_reports_a_short_reply() {
        let listener = tcp_listener();
        let addr = listener.local_addr().unwrap();
        let server = std::thread::spawn(move || {
            let (mut peer, _) = listener.accept().unwrap();
            std::io::Write::write_all(&mut peer, b"abc").unwrap();
        });
        let mut stream = connect_tcp(addr, Duration::from_secs(2)).unwrap();
        server.join().unwrap();
        let error =
            read_exact_within(&mut stream, 5, Duration::from_secs(2)).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn describes_text_and_binary() {
        assert_eq!(describe_bytes(b"ping"), "`ping`");
        assert_eq!(describe_bytes(&[0, 1, 255]), "[00 01 ff]");
        assert_eq!(describe_bytes(b""), "nothing (0 bytes)");
    }
}
