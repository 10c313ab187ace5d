//! Step 1: read `host:port` text into a [`SocketAddr`].
//!
//! Users, configuration files and command lines give us addresses as text:
//! `127.0.0.1:8080`, `[::1]:8080`. Rust can parse them already
//! (`"127.0.0.1:80".parse::<SocketAddr>()`), but its error only says
//! "invalid socket address syntax". Here we take the text apart ourselves so
//! the error can say *which* part is wrong. The book teaches the notation in
//! chapter 1, *IPv6 addresses* (the brackets) and *Ports* (the 16-bit range).

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use thiserror::Error;

/// What is wrong with a `host:port` text: one variant per mistake people
/// actually make, each carrying the piece of text at fault so that the
/// message can quote it back.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HostPortError {
    /// Nothing at all (or only spaces) was given.
    #[error(
        "the text is empty: expected host:port, e.g. 127.0.0.1:8080 or [::1]:8080"
    )]
    Empty,
    /// A port with nothing before its colon, like `:80`.
    #[error("`{0}` has no host before the port: expected e.g. 127.0.0.1:8080")]
    MissingHost(String),
    /// No `:port` at the end, like `127.0.0.1` or `[::1]`.
    #[error("`{0}` has no port: expected host:port, e.g. 127.0.0.1:8080")]
    MissingPort(String),
    /// The port is not written in decimal digits, like `http` or `-1`.
    #[error(
        "`{0}` is not a port number: write a port in decimal digits, 0 to 65535"
    )]
    PortNotANumber(String),
    /// The port is digits but more than 16 bits can hold, like `99999`.
    #[error("port {0} is out of range: a port is a 16-bit number, 0 to 65535")]
    PortOutOfRange(String),
    /// More than one colon and no brackets, like `::1:80`: the colons of an
    /// IPv6 address cannot be told apart from the one before the port.
    #[error(
        "`{0}` looks like an IPv6 address without brackets: \
         write [address]:port, e.g. [::1]:8080"
    )]
    Ipv6WithoutBrackets(String),
    /// A `[` with no `]` after it, like `[::1:80`.
    #[error("`{0}` opens a bracket and never closes it: write [address]:port")]
    UnclosedBracket(String),
    /// The host is not an IP address: a typo, or a name such as `localhost`
    /// (names are resolved by asking the system, not parsed; see step 6).
    #[error(
        "`{0}` is not an IP address (a name like localhost is resolved, not parsed)"
    )]
    BadAddress(String),
}

/// Parses `host:port` into a socket address, where the host is an IPv4
/// address (`127.0.0.1:80`) or a bracketed IPv6 address (`[::1]:8080`).
///
/// Surrounding spaces are ignored. The port is checked before the host, so
/// `localhost:99999` is reported for its port. Names are not looked up:
/// `localhost:80` is a [`HostPortError::BadAddress`].
pub fn parse_host_port(input: &str) -> Result<SocketAddr, HostPortError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(HostPortError::Empty);
    }
    // A leading `[` is the one sure sign of IPv6: inside the brackets the
    // colons belong to the address, after them comes `:port`.
    if let Some(inside_and_rest) = text.strip_prefix('[') {
        return parse_bracketed(text, inside_and_rest);
    }
    let Some((host, port_text)) = text.split_once(':') else {
        return Err(HostPortError::MissingPort(text.to_string()));
    };
    // A second colon means the host itself has colons: IPv6 without
    // brackets, where nobody can tell which colon starts the port.
    if port_text.contains(':') {
        return Err(HostPortError::Ipv6WithoutBrackets(text.to_string()));
    }
    let port = parse_port(text, port_text)?;
    if host.is_empty() {
        return Err(HostPortError::MissingHost(text.to_string()));
    }
    let ip: Ipv4Addr = host
        .parse()
        .map_err(|_| HostPortError::BadAddress(host.to_string()))?;
    Ok(SocketAddr::V4(SocketAddrV4::new(ip, port)))
}

/// The `[address]:port` form; `after_bracket` is everything after the `[`.
fn parse_bracketed(
    text: &str,
    after_bracket: &str,
) -> Result<SocketAddr, HostPortError> {
    let Some((host, after_host)) = after_bracket.split_once(']') else {
        return Err(HostPortError::UnclosedBracket(text.to_string()));
    };
    let Some(port_text) = after_host.strip_prefix(':') else {
        return Err(HostPortError::MissingPort(text.to_string()));
    };
    let port = parse_port(text, port_text)?;
    if host.is_empty() {
        return Err(HostPortError::MissingHost(text.to_string()));
    }
    // Brackets are for IPv6 only: `[127.0.0.1]:80` is not an address.
    let ip: Ipv6Addr = host
        .parse()
        .map_err(|_| HostPortError::BadAddress(host.to_string()))?;
    // Flow info and scope id are IPv6 extras this step does not read.
    Ok(SocketAddr::V6(SocketAddrV6::new(ip, port, 0, 0)))
}

/// Reads the port after the colon. `u16::from_str` would also accept `+80`
/// and would not say whether `99999` was too big or not a number at all, so
/// we look at the digits first.
fn parse_port(text: &str, port_text: &str) -> Result<u16, HostPortError> {
    if port_text.is_empty() {
        return Err(HostPortError::MissingPort(text.to_string()));
    }
    if !port_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HostPortError::PortNotANumber(port_text.to_string()));
    }
    // Only digits now, so the one way to fail is a number above 65535.
    port_text
        .parse()
        .map_err(|_| HostPortError::PortOutOfRange(port_text.to_string()))
}
