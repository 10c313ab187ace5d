// Don't change the tests! `cargo lab check` grades your src/ against the originals.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, TcpStream};
use std::time::Duration;

use socket2::{SockRef, Type};
use sockets::step1_create::{
    Family, ipv6_only_listener, tcp_listener_reusing, udp_socket,
};
use support::deadline;
use support::loopback::{ANY_PORT_V4, connect_tcp, ipv6_available, recv_within};

const LIMIT: Duration = Duration::from_secs(5);
const WAIT: Duration = Duration::from_secs(2);

/// An IPv4 UDP socket sits on 127.0.0.1, on a port the OS chose, is a datagram
/// socket, and std can send and receive with it.
#[test]
fn udp_socket_for_ipv4_is_bound_to_loopback_and_usable_from_std() {
    deadline(LIMIT, "udp_socket(Family::Ipv4)", || {
        let socket =
            udp_socket(Family::Ipv4).expect("udp_socket(Family::Ipv4) failed");
        let addr = socket.local_addr().unwrap();
        assert_eq!(
            addr.ip(),
            Ipv4Addr::LOCALHOST,
            "the socket should be bound to 127.0.0.1, it is bound to {addr}"
        );
        assert_ne!(
            addr.port(),
            0,
            "bind port 0 so that the OS picks a free port"
        );
        let kind = SockRef::from(&socket).r#type().unwrap();
        assert_eq!(kind, Type::DGRAM, "a UDP socket has type SOCK_DGRAM");

        socket.send_to(b"hello me", addr).unwrap();
        let got = recv_within(&socket, WAIT);
        assert_eq!(
            got.map(|(bytes, _)| bytes).as_deref(),
            Some(&b"hello me"[..]),
            "sent `hello me` from {addr} to itself, expected it back within 2 s"
        );
    });
}

/// An IPv6 UDP socket sits on ::1 (skipped quietly on a machine without IPv6).
#[test]
fn udp_socket_for_ipv6_is_bound_to_ipv6_loopback() {
    deadline(LIMIT, "udp_socket(Family::Ipv6)", || {
        let result = udp_socket(Family::Ipv6);
        if result.is_err() && !ipv6_available() {
            return; // This machine cannot bind ::1 at all.
        }
        let socket = result.expect("udp_socket(Family::Ipv6) failed");
        let addr = socket.local_addr().unwrap();
        assert!(
            addr.is_ipv6(),
            "expected an IPv6 address, the socket is on {addr}"
        );
        assert_eq!(addr.ip(), Ipv6Addr::LOCALHOST, "expected ::1, got {addr}");
        assert_ne!(
            addr.port(),
            0,
            "bind port 0 so that the OS picks a free port"
        );
    });
}

/// The listener has SO_REUSEADDR on, listens where it was asked to, and accepts
/// a connection that can carry bytes.
#[test]
fn tcp_listener_reusing_sets_so_reuseaddr_and_accepts() {
    deadline(LIMIT, "tcp_listener_reusing on 127.0.0.1:0", || {
        let listener =
            tcp_listener_reusing(ANY_PORT_V4).expect("tcp_listener_reusing failed");
        let addr = listener.local_addr().unwrap();
        assert_eq!(
            addr.ip(),
            Ipv4Addr::LOCALHOST,
            "asked for 127.0.0.1, got {addr}"
        );
        let options = SockRef::from(&listener);
        assert!(
            options.reuse_address().unwrap(),
            "SO_REUSEADDR is off: call set_reuse_address(true) before bind"
        );
        assert_eq!(
            options.r#type().unwrap(),
            Type::STREAM,
            "TCP is SOCK_STREAM"
        );

        let mut client = connect_tcp(addr, WAIT).unwrap_or_else(|e| {
            panic!("could not connect to your listener at {addr}: {e}")
        });
        let (mut accepted, _) = listener.accept().unwrap();
        client.write_all(b"hi").unwrap();
        let mut got = [0; 2];
        accepted.set_read_timeout(Some(WAIT)).unwrap();
        accepted.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"hi");
    });
}

/// A server that closed its connections can listen again on the same port at
/// once: that is what SO_REUSEADDR is for (the old connections linger in
/// TIME_WAIT).
#[test]
fn tcp_listener_reusing_rebinds_a_port_with_connections_in_time_wait() {
    deadline(LIMIT, "a restart of a listener on the same port", || {
        let first =
            tcp_listener_reusing(ANY_PORT_V4).expect("tcp_listener_reusing failed");
        let addr = first.local_addr().unwrap();
        let mut client = connect_tcp(addr, WAIT).unwrap();
        let (accepted, _) = first.accept().unwrap();
        // The server closes first, so the server's side goes to TIME_WAIT.
        drop(accepted);
        let mut rest = Vec::new();
        let _ = client.read_to_end(&mut rest);
        drop(client);
        drop(first);

        let second = tcp_listener_reusing(addr);
        assert!(
            second.is_ok(),
            "listening again on {addr} right after closing failed with {:?}: \
             is SO_REUSEADDR set *before* bind?",
            second.err()
        );
        let _ = TcpStream::connect_timeout(&addr, WAIT)
            .expect("could not connect to the second listener");
    });
}

/// An IPv6 listener with IPV6_V6ONLY set, on the IPv6 address it was given
/// (skipped quietly on a machine without IPv6).
#[test]
fn ipv6_only_listener_sets_ipv6_v6only() {
    deadline(LIMIT, "ipv6_only_listener on [::1]:0", || {
        let asked = SocketAddrV6::new(Ipv6Addr::LOCALHOST, 0, 0, 0);
        let result = ipv6_only_listener(asked);
        if result.is_err() && !ipv6_available() {
            return;
        }
        let listener = result.expect("ipv6_only_listener failed");
        let addr = listener.local_addr().unwrap();
        assert!(
            matches!(addr, SocketAddr::V6(v6) if *v6.ip() == Ipv6Addr::LOCALHOST),
            "asked for [::1]:0, the listener is on {addr}"
        );
        assert!(
            SockRef::from(&listener).only_v6().unwrap(),
            "IPV6_V6ONLY is off: call set_only_v6(true) before bind"
        );
        connect_tcp(addr, WAIT).unwrap_or_else(|e| {
            panic!("could not connect to your listener at {addr}: {e}")
        });
    });
}
