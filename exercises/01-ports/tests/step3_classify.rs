// Don't change the tests! `cargo lab check` grades your src/ against the originals.

//! Step 3: which addresses are special, and the historic classes of IPv4.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use ports::step3_classify::{
    AddressKind, Ipv4Class, classify, classify_v4, classify_v6, ipv4_class,
};
use support::deadline;

/// How long a test of pure computation may take: far more than it needs,
/// so that only an endless loop fails it.
const PURE: Duration = Duration::from_secs(5);

/// Checks `classify_v4` on each address, and that `classify` agrees.
#[track_caller]
fn assert_v4_kinds(cases: &[(&str, AddressKind)]) {
    for (text, expected) in cases {
        let addr: Ipv4Addr = text.parse().expect("a valid address in the test");
        let got = classify_v4(addr);
        assert_eq!(
            got, *expected,
            "classify_v4({addr}): expected AddressKind::{expected:?}, got {got:?}"
        );
        let through_ip_addr = classify(IpAddr::V4(addr));
        assert_eq!(
            through_ip_addr, *expected,
            "classify(IpAddr::V4({addr})): expected AddressKind::{expected:?}, \
             got {through_ip_addr:?}"
        );
    }
}

/// Checks `classify_v6` on each address, and that `classify` agrees.
#[track_caller]
fn assert_v6_kinds(cases: &[(&str, AddressKind)]) {
    for (text, expected) in cases {
        let addr: Ipv6Addr = text.parse().expect("a valid address in the test");
        let got = classify_v6(addr);
        assert_eq!(
            got, *expected,
            "classify_v6({addr}): expected AddressKind::{expected:?}, got {got:?}"
        );
        let through_ip_addr = classify(IpAddr::V6(addr));
        assert_eq!(
            through_ip_addr, *expected,
            "classify(IpAddr::V6({addr})): expected AddressKind::{expected:?}, \
             got {through_ip_addr:?}"
        );
    }
}

/// Loopback is all of 127/8, not only 127.0.0.1; and the other one-off
/// addresses.
#[test]
fn classifies_special_ipv4_addresses() {
    deadline(PURE, "classifies special ipv4 addresses", || {
        use AddressKind::*;
        assert_v4_kinds(&[
            ("0.0.0.0", Unspecified),
            ("127.0.0.1", Loopback),
            ("127.255.255.254", Loopback),
            ("127.1.2.3", Loopback),
            ("169.254.0.1", LinkLocal),
            ("169.254.255.254", LinkLocal),
            ("224.0.0.1", Multicast),
            ("239.255.255.250", Multicast),
            ("255.255.255.255", Broadcast),
        ]);
    });
}

/// The three RFC 1918 ranges, right up to their edges and one step past.
#[test]
fn classifies_the_private_ipv4_ranges_to_their_edges() {
    deadline(
        PURE,
        "classifies the private ipv4 ranges to their edges",
        || {
            use AddressKind::*;
            assert_v4_kinds(&[
                ("10.0.0.0", Private),
                ("10.255.255.255", Private),
                ("11.0.0.0", Global),
                ("9.255.255.255", Global),
                ("172.16.0.0", Private),
                ("172.31.255.255", Private),
                ("172.15.255.255", Global),
                ("172.32.0.0", Global),
                ("192.168.0.0", Private),
                ("192.168.255.255", Private),
                ("192.169.0.0", Global),
                ("192.167.255.255", Global),
            ]);
        },
    );
}

/// Ordinary public addresses are global; so are near neighbours of the
/// special ranges.
#[test]
fn classifies_public_ipv4_as_global() {
    deadline(PURE, "classifies public ipv4 as global", || {
        use AddressKind::*;
        assert_v4_kinds(&[
            ("1.1.1.1", Global),
            ("8.8.8.8", Global),
            ("93.184.216.34", Global),
            ("128.0.0.1", Global),
            ("169.253.255.255", Global),
            ("223.255.255.255", Global),
            ("126.255.255.255", Global),
        ]);
    });
}

/// `::`, `::1`, fe80::/10, fc00::/7 and ff00::/8; everything else is global.
#[test]
fn classifies_special_ipv6_addresses() {
    deadline(PURE, "classifies special ipv6 addresses", || {
        use AddressKind::*;
        assert_v6_kinds(&[
            ("::", Unspecified),
            ("::1", Loopback),
            ("fe80::1", LinkLocal),
            ("febf:ffff::1", LinkLocal),
            ("fc00::1", Private),
            ("fd12:3456:789a::1", Private),
            ("ff02::1", Multicast),
            ("ff05::1:3", Multicast),
            ("2606:4700:4700::1111", Global),
            ("2001:4860:4860::8888", Global),
            ("fe7f::1", Global),
            ("::2", Global),
        ]);
    });
}

/// An IPv4-mapped IPv6 address is the IPv4 address it carries.
#[test]
fn classifies_ipv4_mapped_ipv6_as_the_ipv4_inside() {
    deadline(
        PURE,
        "classifies ipv4 mapped ipv6 as the ipv4 inside",
        || {
            use AddressKind::*;
            assert_v6_kinds(&[
                ("::ffff:127.0.0.1", Loopback),
                ("::ffff:192.168.1.10", Private),
                ("::ffff:8.8.8.8", Global),
                ("::ffff:255.255.255.255", Broadcast),
            ]);
        },
    );
}

/// Classes A to E from the leading bits, at every boundary, and the
/// prefix lengths the classes implied.
#[test]
fn finds_the_historic_class_and_its_prefix_length() {
    deadline(
        PURE,
        "finds the historic class and its prefix length",
        || {
            use Ipv4Class::*;
            let cases = [
                ("0.0.0.0", A),
                ("10.1.2.3", A),
                ("127.255.255.255", A),
                ("128.0.0.0", B),
                ("172.16.5.4", B),
                ("191.255.255.255", B),
                ("192.0.0.0", C),
                ("192.168.1.1", C),
                ("223.255.255.255", C),
                ("224.0.0.0", D),
                ("239.255.255.255", D),
                ("240.0.0.0", E),
                ("255.255.255.255", E),
            ];
            for (text, expected) in cases {
                let addr: Ipv4Addr =
                    text.parse().expect("a valid address in the test");
                let got = ipv4_class(addr);
                let first_octet = addr.octets()[0];
                assert_eq!(
                    got, expected,
                    "ipv4_class({addr}): expected class {expected:?} \
                 (first octet {first_octet} = {first_octet:08b}), got class {got:?}"
                );
            }
            let prefixes = [
                (A, Some(8)),
                (B, Some(16)),
                (C, Some(24)),
                (D, None),
                (E, None),
            ];
            for (class, expected) in prefixes {
                let got = class.default_prefix_len();
                assert_eq!(
                    got, expected,
                    "Ipv4Class::{class:?}.default_prefix_len(): expected {expected:?}, got {got:?}"
                );
            }
        },
    );
}
