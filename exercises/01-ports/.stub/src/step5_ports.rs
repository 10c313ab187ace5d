//! Step 5: ports, their ranges and their names.
//!
//! Read first: the book, chapter 1, *Ports*.
//!
//! An IP address finds the machine; a port, a 16-bit number, finds the
//! program on it. IANA splits the 65 536 ports into three ranges and names
//! the services on the well-known ones; Linux picks clients' ports from a
//! range of its own, which it shows in
//! `/proc/sys/net/ipv4/ip_local_port_range`.

use std::ops::RangeInclusive;

use thiserror::Error;

/// The three ranges IANA divides the ports into (RFC 6335). (Given complete.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortRange {
    /// 0–1023, the "system" ports of long-established services (ssh, http).
    /// On Unix, binding one needs privileges.
    WellKnown,
    /// 1024–49151, the "user" ports that IANA registers for applications
    /// on request (PostgreSQL's 5432, for example).
    Registered,
    /// 49152–65535, the "dynamic" or "private" ports: never registered,
    /// free for temporary use such as a client's end of a connection.
    Dynamic,
}

/// Which of the three ranges `port` falls in: 0–1023 `WellKnown`,
/// 1024–49151 `Registered`, 49152–65535 `Dynamic`.
pub fn port_range(port: u16) -> PortRange {
    // TODO: one arm per range.
    todo!("port_range")
}

/// The usual name of the service on a well-known port, `None` for any port
/// not in this table:
///
/// | port | name | | port | name |
/// |---|---|---|---|---|
/// | 20 | `ftp-data` | | 110 | `pop3` |
/// | 21 | `ftp` | | 123 | `ntp` |
/// | 22 | `ssh` | | 143 | `imap` |
/// | 23 | `telnet` | | 161 | `snmp` |
/// | 25 | `smtp` | | 443 | `https` |
/// | 53 | `dns` | | 993 | `imaps` |
/// | 67, 68 | `dhcp` | | 995 | `pop3s` |
/// | 69 | `tftp` | | | |
/// | 80 | `http` | | | |
pub fn service_name(port: u16) -> Option<&'static str> {
    // TODO: the table above, as code.
    todo!("service_name")
}

/// What is wrong with the text of `net.ipv4.ip_local_port_range`.
/// (Given complete.)
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LocalPortRangeError {
    /// Not exactly two numbers.
    #[error("expected two port numbers (low and high), found {found} field(s)")]
    WrongFieldCount {
        /// How many whitespace-separated fields the text has.
        found: usize,
    },
    /// A field that is not a port number (0–65535).
    #[error("`{0}` is not a port number: write decimal digits, 0 to 65535")]
    NotAPort(String),
    /// The low end is above the high end.
    #[error("the range starts at {low} but ends at {high}: the low end comes first")]
    LowAboveHigh {
        /// The first number.
        low: u16,
        /// The second number.
        high: u16,
    },
}

/// Reads the range of ports Linux gives to clients, in the format of
/// `/proc/sys/net/ipv4/ip_local_port_range`: two numbers separated by
/// whitespace (the kernel writes `"32768\t60999\n"`), giving `32768..=60999`.
///
/// The contract: not exactly two whitespace-separated fields is
/// `WrongFieldCount { found }`; a field that is not all ASCII digits, or is
/// above 65535, is `NotAPort(field)` (the first bad one); a low end above
/// the high end is `LowAboveHigh { low, high }`. Equal ends are fine.
pub fn parse_local_port_range(
    text: &str,
) -> Result<RangeInclusive<u16>, LocalPortRangeError> {
    // TODO: split, check the count, parse both ends, check their order.
    todo!("parse_local_port_range")
}
