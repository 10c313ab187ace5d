//! Step 5: ports, their ranges and their names.
//!
//! An IP address finds the machine; a port, a 16-bit number, finds the
//! program on it. IANA splits the 65 536 ports into three ranges, names the
//! services that live on the well-known ones, and operating systems pick
//! clients' ports from a range of their own. The book explains all three
//! in chapter 1, *Ports*.

use std::ops::RangeInclusive;

use thiserror::Error;

/// The three ranges IANA divides the ports into (RFC 6335).
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

/// Which of the three ranges `port` falls in.
pub fn port_range(port: u16) -> PortRange {
    match port {
        0..=1023 => PortRange::WellKnown,
        1024..=49151 => PortRange::Registered,
        49152..=u16::MAX => PortRange::Dynamic,
    }
}

/// The usual name of the service on a well-known port, or `None` for a port
/// not in this short list. The names are the everyday ones (`dns`, `dhcp`)
/// rather than IANA's formal ones (`domain`, `bootps`).
pub fn service_name(port: u16) -> Option<&'static str> {
    // A match compiles to a jump table; the list reads like /etc/services.
    let name = match port {
        20 => "ftp-data",
        21 => "ftp",
        22 => "ssh",
        23 => "telnet",
        25 => "smtp",
        53 => "dns",
        // DHCP uses two ports: the server listens on 67, clients on 68.
        67 | 68 => "dhcp",
        69 => "tftp",
        80 => "http",
        110 => "pop3",
        123 => "ntp",
        143 => "imap",
        161 => "snmp",
        443 => "https",
        993 => "imaps",
        995 => "pop3s",
        _ => return None,
    };
    Some(name)
}

/// What is wrong with the text of `net.ipv4.ip_local_port_range`.
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
/// whitespace (the kernel writes a tab and a newline: `"32768\t60999\n"`).
pub fn parse_local_port_range(
    text: &str,
) -> Result<RangeInclusive<u16>, LocalPortRangeError> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let [low, high] = fields[..] else {
        return Err(LocalPortRangeError::WrongFieldCount {
            found: fields.len(),
        });
    };
    let (low, high) = (parse_port_field(low)?, parse_port_field(high)?);
    if low > high {
        return Err(LocalPortRangeError::LowAboveHigh { low, high });
    }
    Ok(low..=high)
}

/// One field as a port; digits only, so `+80` and `-1` are refused.
fn parse_port_field(field: &str) -> Result<u16, LocalPortRangeError> {
    let not_a_port = || LocalPortRangeError::NotAPort(field.to_string());
    if !field.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_a_port());
    }
    field.parse().map_err(|_| not_a_port())
}
