//! Step 2: the three faces of an IPv4 address.
//!
//! `192.168.1.1` is how people write it, `3232235777` is what it is (one
//! 32-bit number), and `11000000.10101000.00000001.00000001` is how to see
//! its bits, which is what netmasks work on. The book works an example by
//! hand in chapter 1, *IPv4 addresses*.

use std::net::Ipv4Addr;

use thiserror::Error;

/// The 32-bit number behind an address. The first octet is the most
/// significant byte: addresses are written, and sent, big-end first.
pub fn to_u32(addr: Ipv4Addr) -> u32 {
    let [a, b, c, d] = addr.octets();
    // Each octet is one "digit" in base 256: a·256³ + b·256² + c·256 + d.
    (u32::from(a) << 24) | (u32::from(b) << 16) | (u32::from(c) << 8) | u32::from(d)
}

/// The address whose 32-bit number is `number`: the inverse of [`to_u32`].
pub fn from_u32(number: u32) -> Ipv4Addr {
    // Big-endian bytes put the most significant octet first, as written.
    let [a, b, c, d] = number.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

/// The address as four groups of eight bits, dots between them:
/// `192.168.1.1` becomes `11000000.10101000.00000001.00000001`.
pub fn to_dotted_binary(addr: Ipv4Addr) -> String {
    let groups: Vec<String> = addr
        .octets()
        .iter()
        // `08` pads with zeros: every octet shows all eight of its bits.
        .map(|octet| format!("{octet:08b}"))
        .collect();
    groups.join(".")
}

/// What is wrong with a dotted-binary text. Groups are counted from 1, as
/// a person reading the text would count them.
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
/// The text must be four groups of exactly eight `0`/`1` characters joined
/// by dots. The group count is checked first, then each group in order:
/// its length, then its digits.
pub fn parse_dotted_binary(text: &str) -> Result<Ipv4Addr, DottedBinaryError> {
    let groups: Vec<&str> = text.split('.').collect();
    if groups.len() != 4 {
        return Err(DottedBinaryError::WrongGroupCount {
            found: groups.len(),
        });
    }
    let mut octets = [0u8; 4];
    for (index, (group, octet)) in groups.iter().zip(&mut octets).enumerate() {
        *octet = parse_octet_bits(index + 1, group)?;
    }
    Ok(Ipv4Addr::from(octets))
}

/// One group of eight bits, most significant first, as a byte.
fn parse_octet_bits(group: usize, text: &str) -> Result<u8, DottedBinaryError> {
    if text.chars().count() != 8 {
        return Err(DottedBinaryError::WrongGroupLength {
            group,
            text: text.to_string(),
        });
    }
    let mut value = 0u8;
    for bit in text.chars() {
        let bit = match bit {
            '0' => 0,
            '1' => 1,
            _ => {
                return Err(DottedBinaryError::NotBinary {
                    group,
                    text: text.to_string(),
                });
            }
        };
        // Shift what we have one place left and put the new bit at the
        // bottom: the same as writing one more digit in base 2. Eight
        // shifts of a u8 never overflow because the first bit ends up on top.
        value = (value << 1) | bit;
    }
    Ok(value)
}
