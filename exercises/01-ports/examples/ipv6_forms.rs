//! How IPv6 addresses are written: the long form with every hex digit, the
//! short form Rust prints (leading zeros dropped, the longest run of zero
//! groups replaced by `::`), and the brackets that go round them next to a
//! port.
//!
//! ```text
//! cargo run -p ports --example ipv6_forms
//! cargo run -p ports --example ipv6_forms -- 2001:0db8:0000:0000:0000:0000:0000:0001
//! ```

use std::env;
use std::net::{Ipv6Addr, SocketAddr};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut texts: Vec<String> = env::args().skip(1).collect();
    if texts.is_empty() {
        texts = [
            "2001:0db8:0000:0000:0000:ff00:0042:8329",
            "fe80:0000:0000:0000:0204:61ff:fe9d:f156",
            "0000:0000:0000:0000:0000:0000:0000:0001",
            "2001:db8:0:0:1:0:0:1",
        ]
        .map(String::from)
        .to_vec();
    }
    for text in &texts {
        let Ok(addr) = text.parse::<Ipv6Addr>() else {
            eprintln!("`{text}` is not an IPv6 address");
            return ExitCode::FAILURE;
        };
        show_forms(addr);
    }
    show_with_port();
    ExitCode::SUCCESS
}

// ANCHOR: forms
/// Prints an IPv6 address in full and in its short, canonical form.
fn show_forms(addr: Ipv6Addr) {
    // Eight groups of 16 bits; `04x` writes each with all four hex digits.
    let groups: Vec<String> =
        addr.segments().iter().map(|g| format!("{g:04x}")).collect();
    println!("full:  {}", groups.join(":"));
    // Display gives the canonical short form of RFC 5952.
    println!("short: {addr}\n");
}
// ANCHOR_END: forms

// ANCHOR: with_port
/// Next to a port, an IPv6 address goes in brackets: its own colons would
/// otherwise be mistaken for the one before the port.
fn show_with_port() {
    let server = SocketAddr::from((Ipv6Addr::LOCALHOST, 8080));
    println!("with a port: {server}");
    let parsed: Result<SocketAddr, _> = "::1:8080".parse();
    println!("\"::1:8080\" as a socket address: {parsed:?}");
}
// ANCHOR_END: with_port
