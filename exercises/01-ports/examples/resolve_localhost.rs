//! What does `localhost` mean on this machine? Ask the system resolver,
//! the same one every program uses (it reads /etc/hosts, then DNS).
//!
//! ```text
//! cargo run -p ports --example resolve_localhost
//! cargo run -p ports --example resolve_localhost -- localhost 127.0.0.1 ::1
//! ```

use std::env;
use std::io;
use std::net::ToSocketAddrs;

fn main() {
    let mut names: Vec<String> = env::args().skip(1).collect();
    if names.is_empty() {
        names.push("localhost".to_string());
    }
    for name in &names {
        if let Err(error) = show_addresses(name) {
            println!("{name}: could not resolve ({error})");
        }
    }
}

// ANCHOR: resolve
/// Prints every address `name` resolves to, as the resolver listed them.
fn show_addresses(name: &str) -> io::Result<()> {
    // ToSocketAddrs wants a port as well; 0 is a placeholder here.
    for socket_addr in (name, 0).to_socket_addrs()? {
        let ip = socket_addr.ip();
        let family = if ip.is_ipv4() { "IPv4" } else { "IPv6" };
        println!("{name} -> {ip} ({family})");
    }
    Ok(())
}
// ANCHOR_END: resolve
