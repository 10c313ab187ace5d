//! Step 1: read `host:port` text into a [`SocketAddr`].
//!
//! Read first: the book, chapter 1, *IPv6 addresses* (why IPv6 needs
//! brackets next to a port) and *Ports* (why a port stops at 65535).
//!
//! Rust can parse socket addresses already (`"127.0.0.1:80".parse()`), but
//! its error only says "invalid socket address syntax". You will take the
//! text apart yourself so the error can say which part is wrong.

use std::net::SocketAddr;

use thiserror::Error;

/// What is wrong with a `host:port` text: one variant per mistake people
/// actually make, each carrying the piece of text at fault so that the
/// message can quote it back. (Given complete: you only return them.)
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
/// address (`127.0.0.1:80`) or an IPv6 address in brackets (`[::1]:8080`).
///
/// The contract, in the order you should check things:
///
/// - Surrounding whitespace is ignored; nothing left is `Empty`.
/// - Text starting with `[` is the IPv6 form: no `]` is
///   `UnclosedBracket(text)`; nothing after `]`, or something not starting
///   with `:`, is `MissingPort(text)`.
/// - Otherwise: no colon at all is `MissingPort(text)`; more than one colon
///   is `Ipv6WithoutBrackets(text)` (`::1:80`, and also a bare `::1`).
/// - The port is checked before the host: empty is `MissingPort(text)`;
///   anything but ASCII digits (`http`, `-1`, `+80`) is
///   `PortNotANumber(port)`; digits above 65535 are `PortOutOfRange(port)`.
/// - Then the host: empty is `MissingHost(text)`; not an `Ipv4Addr` (or,
///   inside brackets, not an `Ipv6Addr`) is `BadAddress(host)`. Names are not
///   looked up: `localhost:80` is `BadAddress("localhost")`.
///
/// Here `text` is the trimmed input, `port` and `host` the pieces of it.
/// For IPv6, use `SocketAddrV6::new(ip, port, 0, 0)`.
pub fn parse_host_port(input: &str) -> Result<SocketAddr, HostPortError> {
    // TODO: take the text apart and return the address or the right error.
    todo!("parse_host_port")
}
