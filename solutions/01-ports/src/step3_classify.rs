//! Step 3: which addresses are special, and the classes of old.
//!
//! Some addresses never leave the machine (loopback), some never leave the
//! local network (private, link-local), some reach a whole group at once
//! (multicast, broadcast). A program that knows which is which can warn
//! "you bound 127.0.0.1, nobody else can reach you". The book lists the
//! ranges in chapter 1, *Special addresses*, and tells the story of the
//! classes in *Networks, masks and CIDR*.
//!
//! Every special range is a prefix: "the first n bits are these". So the
//! code is a table of prefixes and one function that checks a prefix, the
//! same test a router makes, not a chain of hand-written comparisons.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What kind of address this is, from the point of view of who can reach it.
/// A simplified view: ranges this chapter does not teach (documentation,
/// shared address space, reserved) all count as [`AddressKind::Global`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressKind {
    /// `0.0.0.0` or `::`: "no address yet", or "every address of this host"
    /// when binding.
    Unspecified,
    /// `127.0.0.0/8` or `::1`: this machine talking to itself.
    Loopback,
    /// `10/8`, `172.16/12`, `192.168/16` (RFC 1918) or the IPv6 unique-local
    /// `fc00::/7`: for use inside one organisation, never routed on the
    /// internet.
    Private,
    /// `169.254/16` or `fe80::/10`: valid only on one link (one cable, one
    /// Wi-Fi), configured without any server.
    LinkLocal,
    /// `224.0.0.0/4` or `ff00::/8`: one packet, every member of a group.
    Multicast,
    /// `255.255.255.255`: everyone on this link (IPv4 only; IPv6 has no
    /// broadcast, it uses multicast instead).
    Broadcast,
    /// Everything else: an address that may be reachable from anywhere.
    Global,
}

/// One special IPv4 range: a network, its prefix length, and its kind.
type V4Range = (Ipv4Addr, u32, AddressKind);

/// The special IPv4 ranges. Most specific first does not matter here: no
/// two of them overlap.
const V4_RANGES: [V4Range; 8] = [
    (Ipv4Addr::UNSPECIFIED, 32, AddressKind::Unspecified),
    (Ipv4Addr::BROADCAST, 32, AddressKind::Broadcast),
    (Ipv4Addr::new(127, 0, 0, 0), 8, AddressKind::Loopback),
    (Ipv4Addr::new(10, 0, 0, 0), 8, AddressKind::Private),
    (Ipv4Addr::new(172, 16, 0, 0), 12, AddressKind::Private),
    (Ipv4Addr::new(192, 168, 0, 0), 16, AddressKind::Private),
    (Ipv4Addr::new(169, 254, 0, 0), 16, AddressKind::LinkLocal),
    (Ipv4Addr::new(224, 0, 0, 0), 4, AddressKind::Multicast),
];

/// One special IPv6 range, as for IPv4.
type V6Range = (Ipv6Addr, u32, AddressKind);

/// The special IPv6 ranges this chapter teaches.
const V6_RANGES: [V6Range; 5] = [
    (Ipv6Addr::UNSPECIFIED, 128, AddressKind::Unspecified),
    (Ipv6Addr::LOCALHOST, 128, AddressKind::Loopback),
    (
        Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0),
        10,
        AddressKind::LinkLocal,
    ),
    (
        Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
        7,
        AddressKind::Private,
    ),
    (
        Ipv6Addr::new(0xff00, 0, 0, 0, 0, 0, 0, 0),
        8,
        AddressKind::Multicast,
    ),
];

/// The kind of any IP address: dispatches on the family.
pub fn classify(addr: IpAddr) -> AddressKind {
    match addr {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// The kind of an IPv4 address (see [`AddressKind`] for the ranges).
pub fn classify_v4(addr: Ipv4Addr) -> AddressKind {
    let bits = u32::from(addr);
    V4_RANGES
        .iter()
        .find(|(network, len, _)| same_prefix_u32(bits, u32::from(*network), *len))
        .map_or(AddressKind::Global, |(_, _, kind)| *kind)
}

/// The kind of an IPv6 address. An IPv4-mapped address (`::ffff:a.b.c.d`,
/// what a dual-stack socket shows for an IPv4 peer) is the IPv4 address it
/// carries, so `::ffff:127.0.0.1` is loopback.
pub fn classify_v6(addr: Ipv6Addr) -> AddressKind {
    if let Some(v4) = addr.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let bits = u128::from(addr);
    V6_RANGES
        .iter()
        .find(|(network, len, _)| same_prefix_u128(bits, u128::from(*network), *len))
        .map_or(AddressKind::Global, |(_, _, kind)| *kind)
}

/// Whether the first `len` bits of `a` and `b` agree. Shifting right by the
/// number of host bits throws those bits away and leaves only the prefix.
/// Rust refuses a shift by the full width (for `len` = 0), so `checked_shr`
/// gives `None` on both sides then: nothing to compare, every address
/// matches.
fn same_prefix_u32(a: u32, b: u32, len: u32) -> bool {
    let host_bits = 32 - len;
    a.checked_shr(host_bits) == b.checked_shr(host_bits)
}

/// [`same_prefix_u32`] for the 128 bits of IPv6.
fn same_prefix_u128(a: u128, b: u128, len: u32) -> bool {
    let host_bits = 128 - len;
    a.checked_shr(host_bits) == b.checked_shr(host_bits)
}

/// The historic class of an IPv4 address, read from its leading bits.
/// Classes have not been used for routing since 1993 (CIDR), but they
/// explain old defaults such as "10.x is a /8" and the leading bits still
/// mark multicast (class D).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ipv4Class {
    /// First bit `0`: 0.0.0.0 to 127.255.255.255, 8 network bits.
    A,
    /// First bits `10`: 128.0.0.0 to 191.255.255.255, 16 network bits.
    B,
    /// First bits `110`: 192.0.0.0 to 223.255.255.255, 24 network bits.
    C,
    /// First bits `1110`: 224.0.0.0 to 239.255.255.255, multicast.
    D,
    /// First bits `1111`: 240.0.0.0 to 255.255.255.255, reserved.
    E,
}

impl Ipv4Class {
    /// How many leading bits named the network under the class rules:
    /// 8 for A, 16 for B, 24 for C; `None` for D and E, which were never
    /// split into networks and hosts.
    pub fn default_prefix_len(self) -> Option<u8> {
        match self {
            Ipv4Class::A => Some(8),
            Ipv4Class::B => Some(16),
            Ipv4Class::C => Some(24),
            Ipv4Class::D | Ipv4Class::E => None,
        }
    }
}

/// The class of `addr`: count the `1` bits at the start of the first octet
/// (0 → A, 1 → B, 2 → C, 3 → D, 4 or more → E).
pub fn ipv4_class(addr: Ipv4Addr) -> Ipv4Class {
    match addr.octets()[0].leading_ones() {
        0 => Ipv4Class::A,
        1 => Ipv4Class::B,
        2 => Ipv4Class::C,
        3 => Ipv4Class::D,
        _ => Ipv4Class::E,
    }
}
