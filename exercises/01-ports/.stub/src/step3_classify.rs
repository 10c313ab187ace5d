//! Step 3: which addresses are special, and the classes of old.
//!
//! Read first: the book, chapter 1, *Special addresses* (the ranges) and
//! *Networks, masks and CIDR* (the classes and why they went).
//!
//! Some addresses never leave the machine (loopback), some never leave the
//! local network (private, link-local), some reach a whole group at once
//! (multicast, broadcast). Every special range is a prefix: "the first n
//! bits are these". Test a prefix once, in one function, and keep the ranges
//! in a table: that is shorter, and it is the same test a router makes.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What kind of address this is, from the point of view of who can reach it.
/// A simplified view: ranges this chapter does not teach (documentation,
/// shared address space, reserved) all count as [`AddressKind::Global`].
/// (Given complete.)
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

/// The kind of any IP address: hand it to [`classify_v4`] or [`classify_v6`].
pub fn classify(addr: IpAddr) -> AddressKind {
    // TODO: match on the family.
    todo!("classify")
}

/// The kind of an IPv4 address:
///
/// | range | kind |
/// |---|---|
/// | `0.0.0.0` (only that address) | `Unspecified` |
/// | `255.255.255.255` (only that address) | `Broadcast` |
/// | `127.0.0.0/8` | `Loopback` |
/// | `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16` | `Private` |
/// | `169.254.0.0/16` | `LinkLocal` |
/// | `224.0.0.0/4` | `Multicast` |
/// | anything else | `Global` |
///
/// (The standard library has `is_private()` and friends; write the prefix
/// test yourself, it is the point of the step.)
pub fn classify_v4(addr: Ipv4Addr) -> AddressKind {
    // TODO: find the range the address is in.
    todo!("classify_v4")
}

/// The kind of an IPv6 address:
///
/// | range | kind |
/// |---|---|
/// | `::` (only that address) | `Unspecified` |
/// | `::1` (only that address) | `Loopback` |
/// | `fe80::/10` | `LinkLocal` |
/// | `fc00::/7` (unique local) | `Private` |
/// | `ff00::/8` | `Multicast` |
/// | `::ffff:a.b.c.d` (IPv4-mapped) | whatever `a.b.c.d` is |
/// | anything else | `Global` |
///
/// An IPv4-mapped address is what a dual-stack socket shows for an IPv4
/// peer, so `::ffff:127.0.0.1` is loopback: `Ipv6Addr::to_ipv4_mapped`
/// finds the IPv4 address inside.
pub fn classify_v6(addr: Ipv6Addr) -> AddressKind {
    // TODO: the IPv4-mapped case first, then the ranges.
    todo!("classify_v6")
}

/// The historic class of an IPv4 address, read from its leading bits.
/// Classes have not been used for routing since 1993 (CIDR), but they
/// explain old defaults such as "10.x is a /8". (Given complete.)
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
    /// `Some(8)` for A, `Some(16)` for B, `Some(24)` for C; `None` for D and
    /// E, which were never split into networks and hosts.
    pub fn default_prefix_len(self) -> Option<u8> {
        // TODO: one arm per class.
        todo!("Ipv4Class::default_prefix_len")
    }
}

/// The class of `addr`, from the leading bits of its first octet: `0…` is
/// A, `10…` B, `110…` C, `1110…` D, `1111…` E. So 10.1.2.3 is class A,
/// 172.16.5.4 class B, 192.168.1.1 class C, 224.0.0.1 class D.
pub fn ipv4_class(addr: Ipv4Addr) -> Ipv4Class {
    // TODO: look at the first octet's leading bits.
    todo!("ipv4_class")
}
