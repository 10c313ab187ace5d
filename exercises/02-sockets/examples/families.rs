//! Every combination of address family and socket type, tried.
//!
//! A socket is made for one family (IPv4, IPv6, Unix) and one type (stream,
//! datagram, raw). This program asks the kernel for each combination and
//! prints what it got; nothing is sent anywhere.
//!
//! Run it: `cargo run -p sockets --example families`

use socket2::{Domain, Protocol, Socket, Type};

fn main() {
    // ANCHOR: grid
    let families = [
        ("AF_INET", Domain::IPV4),
        ("AF_INET6", Domain::IPV6),
        ("AF_UNIX", Domain::UNIX),
    ];
    let types = [("SOCK_STREAM", Type::STREAM), ("SOCK_DGRAM", Type::DGRAM)];
    for (family_name, family) in families {
        for (type_name, kind) in types {
            // `None`: let the kernel pick the protocol (TCP for an IP stream…).
            match Socket::new(family, kind, None) {
                Ok(socket) => {
                    let got = socket.r#type().map(|t| format!("{t:?}"));
                    println!("{family_name:<8} {type_name:<11} ok, type {got:?}");
                }
                Err(e) => println!("{family_name:<8} {type_name:<11} refused: {e}"),
            }
        }
    }
    // ANCHOR_END: grid

    // ANCHOR: raw
    // A raw socket sees whole IP packets: the kernel guards it.
    match Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::ICMPV4)) {
        Ok(_) => println!("AF_INET  SOCK_RAW    ok: you have administrator rights"),
        Err(e) => println!("AF_INET  SOCK_RAW    refused: {e}"),
    }
    // ANCHOR_END: raw
}
