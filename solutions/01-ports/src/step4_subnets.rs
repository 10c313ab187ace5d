//! Step 4: networks, masks and CIDR.
//!
//! `192.168.1.77/24` says two things at once: the host is `192.168.1.77`,
//! and the first 24 bits of that address name its network. Everything else
//! follows from those 24 bits: the netmask `255.255.255.0`, the network
//! address `192.168.1.0`, the broadcast address `192.168.1.255`, and the
//! 254 addresses left for hosts. The book draws the split in chapter 1,
//! *Networks, masks and CIDR*.
//!
//! All of it is bit arithmetic on the address as a `u32`: AND with the mask
//! keeps the network bits, OR with the inverted mask sets the host bits.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use thiserror::Error;

/// What is wrong with a CIDR text, a prefix length or a netmask.
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

    /// `addr/prefix_len`, refusing a prefix longer than 32 bits.
    pub fn new(addr: Ipv4Addr, prefix_len: u8) -> Result<Ipv4Net, CidrError> {
        if prefix_len > Self::MAX_PREFIX_LEN {
            return Err(CidrError::PrefixTooLong(prefix_len.to_string()));
        }
        Ok(Ipv4Net { addr, prefix_len })
    }

    /// The address as given.
    pub fn addr(&self) -> Ipv4Addr {
        self.addr
    }

    /// How many leading bits name the network.
    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// `prefix_len` ones followed by zeros: /24 is `255.255.255.0`,
    /// /20 is `255.255.240.0`, /0 is `0.0.0.0`.
    pub fn netmask(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.mask_bits())
    }

    /// The first address of the network: the host bits all zero.
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) & self.mask_bits())
    }

    /// The last address of the network: the host bits all one. On a /31 or
    /// a /32 there is no broadcast in practice; this is still the address
    /// with every host bit set, computed the same way.
    pub fn broadcast(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) | !self.mask_bits())
    }

    /// How many addresses a host can be given on this network.
    ///
    /// Normally every address but the network and the broadcast address:
    /// 2^(32 − prefix) − 2, so 254 on a /24. Two exceptions: a /31 is a
    /// point-to-point link (RFC 3021) where both addresses are hosts, and a
    /// /32 is one single host.
    pub fn usable_hosts(&self) -> u32 {
        match self.prefix_len {
            32 => 1,
            31 => 2,
            // All host bits set is 2^(host bits) − 1; one less leaves out
            // the network address too. Written this way it cannot overflow,
            // even for /0 where 2^32 does not fit in a u32.
            prefix_len => (u32::MAX >> prefix_len) - 1,
        }
    }

    /// The first and the last address a host can use, following the same
    /// rules as [`Ipv4Net::usable_hosts`]: `192.168.1.1` to `192.168.1.254`
    /// on a /24, both addresses on a /31, the address itself on a /32.
    pub fn usable_range(&self) -> (Ipv4Addr, Ipv4Addr) {
        let network = u32::from(self.network());
        let broadcast = u32::from(self.broadcast());
        if self.prefix_len >= 31 {
            (Ipv4Addr::from(network), Ipv4Addr::from(broadcast))
        } else {
            (Ipv4Addr::from(network + 1), Ipv4Addr::from(broadcast - 1))
        }
    }

    /// Whether `other` is on this network: the question a host asks before
    /// every packet ("deliver it myself, or hand it to the router?").
    pub fn contains(&self, other: Ipv4Addr) -> bool {
        u32::from(other) & self.mask_bits() == u32::from(self.network())
    }

    /// The netmask as a number. Shifting `u32::MAX` left pushes zeros in
    /// from the right, one per host bit; a shift by 32 (for /0) is refused
    /// by Rust, and then the mask is simply all zeros.
    fn mask_bits(&self) -> u32 {
        let host_bits = u32::from(Self::MAX_PREFIX_LEN - self.prefix_len);
        u32::MAX.checked_shl(host_bits).unwrap_or(0)
    }
}

impl FromStr for Ipv4Net {
    type Err = CidrError;

    /// Parses `address/prefix`, like `192.168.1.77/24`. The address is
    /// checked before the prefix.
    fn from_str(text: &str) -> Result<Ipv4Net, CidrError> {
        let Some((addr_text, prefix_text)) = text.split_once('/') else {
            return Err(CidrError::MissingSlash(text.to_string()));
        };
        let addr: Ipv4Addr = addr_text
            .parse()
            .map_err(|_| CidrError::BadAddress(addr_text.to_string()))?;
        if prefix_text.is_empty() || !prefix_text.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(CidrError::PrefixNotANumber(prefix_text.to_string()));
        }
        // Only digits now: a failure to fit in a u8 is just a very long
        // prefix, and `new` refuses the ones from 33 to 255.
        let prefix_len: u8 = prefix_text
            .parse()
            .map_err(|_| CidrError::PrefixTooLong(prefix_text.to_string()))?;
        Ipv4Net::new(addr, prefix_len)
    }
}

impl fmt::Display for Ipv4Net {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix_len)
    }
}

/// The prefix length a netmask stands for: `255.255.255.0` is 24. A mask
/// whose ones are not all at the front (`255.0.255.0`) is refused: no
/// prefix length can produce it.
pub fn prefix_len_from_netmask(mask: Ipv4Addr) -> Result<u8, CidrError> {
    let bits = u32::from(mask);
    let ones_at_front = bits.leading_ones();
    // Contiguous means every one bit is among the leading ones.
    if bits.count_ones() != ones_at_front {
        return Err(CidrError::NonContiguousMask(mask));
    }
    // At most 32, so it always fits in a u8.
    Ok(ones_at_front as u8)
}
