//! Step 2: the three faces of an IPv4 address.
//!
//! Read first: the book, chapter 1, *IPv4 addresses*, which converts
//! `192.168.1.1` by hand.
//!
//! `192.168.1.1` is how people write it, `3232235777` is what it is (one
//! 32-bit number), and `11000000.10101000.00000001.00000001` is how to see
//! its bits, which is what netmasks work on (step 4).

use std::net::Ipv4Addr;

use thiserror::Error;

/// The 32-bit number behind an address: `192.168.1.1` is `3232235777`.
/// The first octet is the most significant byte.
pub fn to_u32(addr: Ipv4Addr) -> u32 {
    // TODO: combine the four octets into one number.
    todo!("to_u32")
}

/// The address whose 32-bit number is `number`: the inverse of [`to_u32`],
/// so `from_u32(3232235777)` is `192.168.1.1`.
pub fn from_u32(number: u32) -> Ipv4Addr {
    // TODO: split the number into four octets, most significant first.
    todo!("from_u32")
}

/// The address as four groups of eight bits, dots between them:
/// `192.168.1.1` becomes `11000000.10101000.00000001.00000001`. Every group
/// has all eight bits, leading zeros included (`1` is `00000001`).
pub fn to_dotted_binary(addr: Ipv4Addr) -> String {
    // TODO: format each octet as eight binary digits and join them with dots.
    todo!("to_dotted_binary")
}

/// What is wrong with a dotted-binary text. Groups are counted from 1, as
/// a person reading the text would count them. (Given complete.)
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DottedBinaryError {
    /// There must be exactly four groups (so exactly three dots).
    #[error("expected 4 groups of 8 bits separated by dots, found {found} group(s)")]
    WrongGroupCount {
        /// How many dot-separated groups the text has.
        found: usize,
    },
    /// A group is not exactly eight characters long.
    #[error(
        "group {group} (`{text}`) is {} characters long: a group has exactly 8 bits",
        text.chars().count()
    )]
    WrongGroupLength {
        /// Which group, from 1.
        group: usize,
        /// The group as written.
        text: String,
    },
    /// A group has a character other than `0` and `1`.
    #[error("group {group} (`{text}`) holds something other than the bits 0 and 1")]
    NotBinary {
        /// Which group, from 1.
        group: usize,
        /// The group as written.
        text: String,
    },
}

/// Reads `11000000.10101000.00000001.00000001` back into `192.168.1.1`.
///
/// The contract:
///
/// - Split at the dots; not exactly 4 groups is `WrongGroupCount { found }`
///   (the empty text is one empty group: `found: 1`).
/// - Then each group in order, numbered from 1: not exactly 8 characters is
///   `WrongGroupLength { group, text }`; a character other than `0` or `1`
///   is `NotBinary { group, text }`.
pub fn parse_dotted_binary(text: &str) -> Result<Ipv4Addr, DottedBinaryError> {
    // TODO: check the groups and build one byte from each.
    todo!("parse_dotted_binary")
}
