//! Step 4: networks, masks and CIDR.
//!
//! Read first: the book, chapter 1, *Networks, masks and CIDR*, which draws
//! the split of `192.168.1.77/24` bit by bit.
//!
//! `192.168.1.77/24` says two things at once: the host is `192.168.1.77`,
//! and the first 24 bits of that address name its network. Everything else
//! follows from those 24 bits, by bit arithmetic on the address as a `u32`.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use thiserror::Error;

/// What is wrong with a CIDR text, a prefix length or a netmask.
/// (Given complete.)
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CidrError {
    /// No `/prefix` after the address, like `192.168.1.0`.
    #[error("`{0}` has no prefix length: write address/prefix, e.g. 192.168.1.0/24")]
    MissingSlash(String),
    /// The part before the slash is not a dotted-decimal IPv4 address.
    #[error("`{0}` is not an IPv4 address in dotted decimal, like 192.168.1.0")]
    BadAddress(String),
    /// The part after the slash is not written in decimal digits.
    #[error("`{0}` is not a prefix length: write a number of bits, 0 to 32")]
    PrefixNotANumber(String),
    /// The prefix length is a number above 32.
    #[error("prefix /{0} is too long: an IPv4 address has only 32 bits")]
    PrefixTooLong(String),
    /// A would-be netmask whose ones are not all at the front.
    #[error(
        "{0} is not a netmask: a netmask is ones then zeros, like 255.255.255.0"
    )]
    NonContiguousMask(Ipv4Addr),
}

/// An IPv4 address together with the length of its network prefix, as
/// written in CIDR notation: `192.168.1.77/24`.
///
/// The address is kept as given (it is usually one host's address, not the
/// network's); [`Ipv4Net::network`] works out the network. The fields are
/// private so that every `Ipv4Net` has a prefix length of at most 32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Net {
    addr: Ipv4Addr,
    prefix_len: u8,
}

impl Ipv4Net {
    /// The longest prefix an IPv4 address has room for.
    pub const MAX_PREFIX_LEN: u8 = 32;

    /// `addr/prefix_len`. A prefix longer than 32 bits is
    /// `CidrError::PrefixTooLong(prefix_len as text)`, e.g. `"33"`.
    pub fn new(addr: Ipv4Addr, prefix_len: u8) -> Result<Ipv4Net, CidrError> {
        // TODO: refuse prefixes above MAX_PREFIX_LEN, keep the rest.
        todo!("Ipv4Net::new")
    }

    /// The address as given. (Given complete.)
    pub fn addr(&self) -> Ipv4Addr {
        self.addr
    }

    /// How many leading bits name the network. (Given complete.)
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// `prefix_len` ones followed by zeros: /24 is `255.255.255.0`,
    /// /20 is `255.255.240.0`, /0 is `0.0.0.0`, /32 is `255.255.255.255`.
    /// Mind /0: Rust does not allow shifting a `u32` by 32.
    pub fn netmask(&self) -> Ipv4Addr {
        // TODO: build the mask as a u32, then turn it into an address.
        todo!("Ipv4Net::netmask")
    }

    /// The first address of the network: the host bits all zero
    /// (`192.168.1.0` for `192.168.1.77/24`).
    pub fn network(&self) -> Ipv4Addr {
        // TODO: keep the network bits, clear the host bits.
        todo!("Ipv4Net::network")
    }

    /// The last address of the network: the host bits all one
    /// (`192.168.1.255` for `192.168.1.77/24`). On a /31 or /32 compute it
    /// the same way, even though no broadcast is used there.
    pub fn broadcast(&self) -> Ipv4Addr {
        // TODO: keep the network bits, set the host bits.
        todo!("Ipv4Net::broadcast")
    }

    /// How many addresses a host can be given on this network:
    /// 2^(32 − prefix) − 2 (the network and broadcast addresses are not for
    /// hosts), so 254 on a /24 and 4 294 967 294 on a /0 (mind the
    /// overflow). Two exceptions: a /31 is a point-to-point link where both
    /// addresses are hosts (2, RFC 3021), and a /32 is one single host (1).
    pub fn usable_hosts(&self) -> u32 {
        // TODO: the general rule, and the two exceptions.
        todo!("Ipv4Net::usable_hosts")
    }

    /// The first and the last address a host can use, with the same rules
    /// as [`Ipv4Net::usable_hosts`]: `(192.168.1.1, 192.168.1.254)` on a
    /// /24; on a /31 the network and broadcast addresses themselves; on a
    /// /32 the address itself, twice.
    pub fn usable_range(&self) -> (Ipv4Addr, Ipv4Addr) {
        // TODO: one past the network address, one before the broadcast.
        todo!("Ipv4Net::usable_range")
    }

    /// Whether `other` is on this network, that is, whether its network
    /// bits are this network's. `0.0.0.0/0` contains every address.
    pub fn contains(&self, other: Ipv4Addr) -> bool {
        // TODO: compare the network bits only.
        todo!("Ipv4Net::contains")
    }
}

impl FromStr for Ipv4Net {
    type Err = CidrError;

    /// Parses `address/prefix`, like `192.168.1.77/24`, checking in this
    /// order: no `/` is `MissingSlash(text)`; the part before it not an
    /// `Ipv4Addr` is `BadAddress(part)`; the part after it empty or not all
    /// ASCII digits is `PrefixNotANumber(part)`; a number above 32 is
    /// `PrefixTooLong(part)` (`"33"`, `"300"`).
    fn from_str(text: &str) -> Result<Ipv4Net, CidrError> {
        // TODO: split at the slash and check both halves.
        todo!("Ipv4Net::from_str")
    }
}

/// Prints `192.168.1.77/24`. (Given complete.)
impl fmt::Display for Ipv4Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix_len)
    }
}

/// The prefix length a netmask stands for: `255.255.255.0` is 24,
/// `0.0.0.0` is 0. A mask whose ones are not all at the front
/// (`255.0.255.0`) is `NonContiguousMask(mask)`: no prefix makes it.
pub fn prefix_len_from_netmask(mask: Ipv4Addr) -> Result<u8, CidrError> {
    // TODO: count the ones at the front, and check there are no others.
    todo!("prefix_len_from_netmask")
}
