// Don't change the tests! `cargo lab check` grades your src/ against the originals.

//! Step 6: ask the OS for a free port, tell "address in use" apart from other
//! bind failures, and resolve `localhost`. Loopback only; every test runs
//! under a deadline so that none can hang.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use ports::step6_os_ports::{
    BindError, bind_tcp, ephemeral_port, listen_on_any_port, resolve_host,
};
use support::deadline;
use support::loopback::{connect_tcp, ipv6_available, tcp_listener};

const LIMIT: Duration = Duration::from_secs(5);

/// Linux's ephemeral range, when this machine has one to read.
fn linux_local_port_range() -> Option<(u16, u16)> {
    let text =
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
    let mut fields = text.split_whitespace().map(|f| f.parse::<u16>().ok());
    Some((fields.next()??, fields.next()??))
}

/// Port 0 asks the OS to choose; what comes back is a real port from the
/// OS's ephemeral range, never 0.
#[test]
fn ephemeral_port_is_chosen_by_the_os() {
    deadline(LIMIT, "ephemeral_port()", || {
        let port = match ephemeral_port() {
            Ok(port) => port,
            Err(error) => {
                panic!("ephemeral_port(): expected Ok(a port), got Err({error})")
            }
        };
        assert_ne!(
            port, 0,
            "ephemeral_port() returned 0: that is what you asked for, not what the \
             OS chose; read the port from local_addr() after binding"
        );
        if let Some((low, high)) = linux_local_port_range() {
            assert!(
                (low..=high).contains(&port),
                "ephemeral_port() returned {port}, but the OS hands out ports from \
                 {low} to {high} (net.ipv4.ip_local_port_range): was it really chosen \
                 by the OS?"
            );
        }
    });
}

/// A listener on 127.0.0.1 port 0 knows its real port and takes connections.
#[test]
fn listener_on_port_zero_gets_a_real_port_and_accepts() {
    deadline(
        LIMIT,
        "a connection to listen_on_any_port(127.0.0.1)",
        || {
            let listener = listen_on_any_port(IpAddr::V4(Ipv4Addr::LOCALHOST))
                .unwrap_or_else(|e| {
                    panic!("listen_on_any_port(127.0.0.1): got Err({e})")
                });
            let addr = listener.local_addr().expect("local_addr of your listener");
            assert_eq!(
                addr.ip(),
                IpAddr::V4(Ipv4Addr::LOCALHOST),
                "listen_on_any_port(127.0.0.1): the listener is bound to {addr}, \
             expected 127.0.0.1"
            );
            assert_ne!(
                addr.port(),
                0,
                "the listener's local_addr() still says port 0"
            );
            let client = connect_tcp(addr, Duration::from_secs(2)).unwrap_or_else(|e| {
            panic!("connected to your listener at {addr}: expected success, got {e}")
        });
            let (_, peer) = listener.accept().expect("accept on your listener");
            assert_eq!(
                peer,
                client.local_addr().expect("the client's address"),
                "the listener at {addr} accepted a connection from somebody else"
            );
        },
    );
}

/// The same on IPv6 loopback, `[::1]`; where IPv6 is off, an error, not a panic.
#[test]
fn listener_on_port_zero_works_on_ipv6_loopback() {
    deadline(LIMIT, "listen_on_any_port(::1)", || {
        let result = listen_on_any_port(IpAddr::V6(Ipv6Addr::LOCALHOST));
        if !ipv6_available() {
            assert!(
                result.is_err(),
                "this machine has no IPv6, yet listen_on_any_port(::1) said Ok"
            );
            return;
        }
        let listener = result
            .unwrap_or_else(|e| panic!("listen_on_any_port(::1): got Err({e})"));
        let addr = listener.local_addr().expect("local_addr of your listener");
        assert_eq!(
            addr.ip(),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
            "listen_on_any_port(::1): the listener is bound to {addr}, expected [::1]"
        );
        assert_ne!(
            addr.port(),
            0,
            "the listener's local_addr() still says port 0"
        );
        connect_tcp(addr, Duration::from_secs(2)).unwrap_or_else(|e| {
            panic!("connected to your listener at {addr}: expected success, got {e}")
        });
    });
}

/// Binding an address another socket holds is `AddressInUse`, naming it.
#[test]
fn bind_reports_a_port_in_use_with_its_address() {
    deadline(LIMIT, "bind_tcp on a port already in use", || {
        let holder = tcp_listener();
        let taken = holder.local_addr().expect("the test listener's address");
        match bind_tcp(taken) {
            Err(BindError::AddressInUse { addr }) => assert_eq!(
                addr, taken,
                "bind_tcp({taken}): AddressInUse should name {taken}, it names {addr}"
            ),
            Err(BindError::Other(error)) => panic!(
                "bind_tcp({taken}) while the test holds that port: expected \
                 Err(AddressInUse {{ addr: {taken} }}), got Err(Other({error:?}))"
            ),
            Ok(listener) => panic!(
                "bind_tcp({taken}) while the test holds that port: expected \
                 Err(AddressInUse), got Ok (a listener at {:?})",
                listener.local_addr()
            ),
        }
    });
}

/// On a free address, `bind_tcp` gives a working listener.
#[test]
fn bind_succeeds_on_a_free_address() {
    deadline(LIMIT, "bind_tcp(127.0.0.1:0)", || {
        let wanted = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let listener = match bind_tcp(wanted) {
            Ok(listener) => listener,
            Err(error) => {
                panic!("bind_tcp({wanted}): expected Ok, got Err({error:?})")
            }
        };
        let addr = listener.local_addr().expect("local_addr of your listener");
        assert_eq!(addr.ip(), wanted.ip(), "bind_tcp({wanted}) bound {addr}");
        assert_ne!(addr.port(), 0, "bind_tcp({wanted}) left the port at 0");
        connect_tcp(addr, Duration::from_secs(2)).unwrap_or_else(|e| {
            panic!("connected to your listener at {addr}: expected success, got {e}")
        });
    });
}

/// Every other failure is `Other`, carrying the OS's error. Binding an
/// address this machine does not have (192.0.2.1 is reserved for
/// documentation) fails with "address not available".
#[test]
fn bind_reports_other_failures_as_other() {
    deadline(LIMIT, "bind_tcp(192.0.2.1:0)", || {
        let foreign = SocketAddr::from((Ipv4Addr::new(192, 0, 2, 1), 0));
        match bind_tcp(foreign) {
            Err(BindError::Other(error)) => assert_ne!(
                error.kind(),
                io::ErrorKind::AddrInUse,
                "bind_tcp({foreign}): an AddrInUse error belongs in AddressInUse"
            ),
            Err(BindError::AddressInUse { addr }) => panic!(
                "bind_tcp({foreign}): 192.0.2.1 is not an address of this machine, \
                 nobody uses it; expected Err(Other(..)), got AddressInUse {{ {addr} }}"
            ),
            // Some machines allow binding foreign addresses
            // (net.ipv4.ip_nonlocal_bind = 1): nothing to check there.
            Ok(_) => eprintln!("this machine lets programs bind {foreign}; skipped"),
        }
    });
}

/// `localhost` resolves to loopback addresses, 127.0.0.1 among them, each once.
#[test]
fn resolves_localhost_to_loopback_once_each() {
    deadline(
        Duration::from_secs(10),
        "resolve_host(\"localhost\")",
        || {
            let addresses = resolve_host("localhost").unwrap_or_else(|e| {
                panic!("resolve_host(\"localhost\"): got Err({e})")
            });
            assert!(
                addresses.contains(&IpAddr::V4(Ipv4Addr::LOCALHOST)),
                "resolve_host(\"localhost\"): expected 127.0.0.1 among the addresses, \
             got {addresses:?}"
            );
            for (index, addr) in addresses.iter().enumerate() {
                assert!(
                    addr.is_loopback(),
                    "resolve_host(\"localhost\") gave {addr}, which is not loopback"
                );
                assert!(
                    !addresses[..index].contains(addr),
                    "resolve_host(\"localhost\") lists {addr} twice: {addresses:?}"
                );
            }
        },
    );
}

/// An IP literal resolves to itself, alone; an empty name is `InvalidInput`.
#[test]
fn resolves_an_ip_literal_to_itself_and_refuses_an_empty_name() {
    deadline(Duration::from_secs(10), "resolve_host on literals", || {
        for (text, expected) in [
            ("127.0.0.1", IpAddr::V4(Ipv4Addr::LOCALHOST)),
            ("::1", IpAddr::V6(Ipv6Addr::LOCALHOST)),
        ] {
            let got = resolve_host(text);
            match got {
                Ok(addresses) => assert_eq!(
                    addresses,
                    vec![expected],
                    "resolve_host({text:?}): expected [{expected}], got {addresses:?}"
                ),
                Err(error) => {
                    panic!("resolve_host({text:?}): expected Ok, got {error}")
                }
            }
        }
        match resolve_host("") {
            Err(error) => assert_eq!(
                error.kind(),
                io::ErrorKind::InvalidInput,
                "resolve_host(\"\"): expected an InvalidInput error, got {error:?}"
            ),
            Ok(addresses) => panic!(
                "resolve_host(\"\"): an empty name names nothing, expected an \
                 InvalidInput error, got Ok({addresses:?})"
            ),
        }
    });
}
