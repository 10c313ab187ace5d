// Don't change the tests! `cargo lab check` grades your src/ against the originals.

//! Step 4: netmask, network, broadcast and usable hosts from CIDR notation.

use std::net::Ipv4Addr;
use std::time::Duration;

use ports::step4_subnets::{CidrError, Ipv4Net, prefix_len_from_netmask};
use support::deadline;

/// How long a test of pure computation may take: far more than it needs,
/// so that only an endless loop fails it.
const PURE: Duration = Duration::from_secs(5);

/// `addr/prefix_len` for a test, failing clearly if `Ipv4Net::new` refuses it.
#[track_caller]
fn net(addr: &str, prefix_len: u8) -> Ipv4Net {
    let ip: Ipv4Addr = addr.parse().expect("a valid address in the test");
    match Ipv4Net::new(ip, prefix_len) {
        Ok(net) => net,
        Err(error) => panic!(
            "Ipv4Net::new({ip}, {prefix_len}): expected Ok, got Err({error:?})"
        ),
    }
}

/// An address from its text, for comparisons.
fn ip(text: &str) -> Ipv4Addr {
    text.parse().expect("a valid address in the test")
}

/// A /n mask is n ones then zeros, including the edges /0 and /32.
#[test]
fn builds_the_netmask_from_the_prefix_length() {
    deadline(PURE, "builds the netmask from the prefix length", || {
        let cases = [
            (0, "0.0.0.0"),
            (1, "128.0.0.0"),
            (8, "255.0.0.0"),
            (12, "255.240.0.0"),
            (16, "255.255.0.0"),
            (20, "255.255.240.0"),
            (24, "255.255.255.0"),
            (26, "255.255.255.192"),
            (30, "255.255.255.252"),
            (31, "255.255.255.254"),
            (32, "255.255.255.255"),
        ];
        for (prefix_len, expected) in cases {
            let network = net("192.168.1.77", prefix_len);
            let got = network.netmask();
            assert_eq!(
                got,
                ip(expected),
                "{network}: expected the netmask {expected}, got {got}"
            );
        }
    });
}

/// Network = address AND mask; broadcast = address OR inverted mask.
#[test]
fn finds_the_network_and_broadcast_addresses() {
    deadline(PURE, "finds the network and broadcast addresses", || {
        let cases = [
            ("192.168.1.77", 24, "192.168.1.0", "192.168.1.255"),
            ("10.1.2.3", 8, "10.0.0.0", "10.255.255.255"),
            ("172.20.5.9", 20, "172.20.0.0", "172.20.15.255"),
            ("192.168.1.77", 26, "192.168.1.64", "192.168.1.127"),
            ("203.0.113.9", 30, "203.0.113.8", "203.0.113.11"),
            ("8.8.8.8", 0, "0.0.0.0", "255.255.255.255"),
            ("8.8.8.8", 32, "8.8.8.8", "8.8.8.8"),
        ];
        for (addr, prefix_len, network_addr, broadcast_addr) in cases {
            let network = net(addr, prefix_len);
            let got = network.network();
            assert_eq!(
                got,
                ip(network_addr),
                "{network}: expected the network address {network_addr}, got {got}"
            );
            let got = network.broadcast();
            assert_eq!(
                got,
                ip(broadcast_addr),
                "{network}: expected the broadcast address {broadcast_addr}, got {got}"
            );
        }
    });
}

/// 2^(32 − prefix) − 2 hosts: the network and broadcast addresses are not
/// for hosts. /0 must not overflow.
#[test]
fn counts_usable_hosts() {
    deadline(PURE, "counts usable hosts", || {
        let cases = [
            (24, 254),
            (16, 65_534),
            (8, 16_777_214),
            (26, 62),
            (29, 6),
            (30, 2),
            (0, 4_294_967_294),
        ];
        for (prefix_len, expected) in cases {
            let network = net("10.0.0.0", prefix_len);
            let got = network.usable_hosts();
            assert_eq!(
                got, expected,
                "{network}: expected {expected} usable host addresses, got {got}"
            );
        }
        let network = net("192.168.1.77", 24);
        let (first, last) = network.usable_range();
        assert_eq!(
            (first, last),
            (ip("192.168.1.1"), ip("192.168.1.254")),
            "{network}: expected hosts from 192.168.1.1 to 192.168.1.254, \
             got {first} to {last}"
        );
    });
}

/// A /31 is a point-to-point link with two hosts; a /32 is one host.
#[test]
fn handles_point_to_point_31_and_single_host_32() {
    deadline(PURE, "handles point to point 31 and single host 32", || {
        let link = net("192.0.2.7", 31);
        assert_eq!(
            link.usable_hosts(),
            2,
            "{link}: a /31 links two routers, both addresses are hosts (RFC 3021)"
        );
        let (first, last) = link.usable_range();
        assert_eq!(
            (first, last),
            (ip("192.0.2.6"), ip("192.0.2.7")),
            "{link}: expected hosts 192.0.2.6 and 192.0.2.7, got {first} to {last}"
        );
        let host = net("192.0.2.7", 32);
        assert_eq!(
            host.usable_hosts(),
            1,
            "{host}: a /32 names exactly one host"
        );
        let (first, last) = host.usable_range();
        assert_eq!(
            (first, last),
            (ip("192.0.2.7"), ip("192.0.2.7")),
            "{host}: expected the one host 192.0.2.7, got {first} to {last}"
        );
    });
}

/// A host is on the network when its network bits match.
#[test]
fn knows_which_addresses_are_on_the_network() {
    deadline(PURE, "knows which addresses are on the network", || {
        let network = net("192.168.1.77", 24);
        for inside in [
            "192.168.1.0",
            "192.168.1.1",
            "192.168.1.77",
            "192.168.1.255",
        ] {
            assert!(
                network.contains(ip(inside)),
                "{network} should contain {inside}, but contains() said no"
            );
        }
        for outside in ["192.168.2.1", "192.168.0.255", "10.0.0.1"] {
            assert!(
                !network.contains(ip(outside)),
                "{network} should not contain {outside}, but contains() said yes"
            );
        }
        let everything = net("0.0.0.0", 0);
        assert!(
            everything.contains(ip("203.0.113.9")),
            "0.0.0.0/0 (the default route) contains every address"
        );
    });
}

/// `address/prefix` text becomes an Ipv4Net that keeps the address as given.
#[test]
fn parses_cidr_notation() {
    deadline(PURE, "parses cidr notation", || {
        for (text, addr, prefix_len) in [
            ("192.168.1.77/24", "192.168.1.77", 24),
            ("10.0.0.0/8", "10.0.0.0", 8),
            ("0.0.0.0/0", "0.0.0.0", 0),
            ("203.0.113.9/32", "203.0.113.9", 32),
        ] {
            match text.parse::<Ipv4Net>() {
                Ok(got) => {
                    assert_eq!(
                        (got.addr(), got.prefix_len()),
                        (ip(addr), prefix_len),
                        "`{text}`.parse::<Ipv4Net>(): expected {addr} with prefix \
                         /{prefix_len}, got {got}"
                    );
                    assert_eq!(
                        got.to_string(),
                        text,
                        "an Ipv4Net prints as it was written"
                    );
                }
                Err(error) => panic!(
                    "`{text}`.parse::<Ipv4Net>(): expected Ok, got Err({error:?})"
                ),
            }
        }
    });
}

/// Each mistake in CIDR text, and a prefix above 32, has its own error.
#[test]
fn rejects_malformed_cidr_and_prefixes_above_32() {
    deadline(PURE, "rejects malformed cidr and prefixes above 32", || {
        let cases = [
            ("192.168.1.0/33", CidrError::PrefixTooLong("33".into())),
            ("192.168.1.0/300", CidrError::PrefixTooLong("300".into())),
            ("192.168.1.0", CidrError::MissingSlash("192.168.1.0".into())),
            ("192.168.1/24", CidrError::BadAddress("192.168.1".into())),
            ("/24", CidrError::BadAddress("".into())),
            ("10.0.0.0/x", CidrError::PrefixNotANumber("x".into())),
            ("10.0.0.0/", CidrError::PrefixNotANumber("".into())),
            ("10.0.0.0/-8", CidrError::PrefixNotANumber("-8".into())),
        ];
        for (text, expected) in cases {
            match text.parse::<Ipv4Net>() {
                Ok(got) => panic!(
                    "`{text}`.parse::<Ipv4Net>(): expected Err({expected:?}), got Ok({got})"
                ),
                Err(error) => assert_eq!(
                    error, expected,
                    "`{text}`.parse::<Ipv4Net>(): expected Err({expected:?}), \
                     got Err({error:?})"
                ),
            }
        }
        let direct = Ipv4Net::new(ip("10.0.0.0"), 33);
        assert_eq!(
            direct,
            Err(CidrError::PrefixTooLong("33".into())),
            "Ipv4Net::new(10.0.0.0, 33): an IPv4 prefix has at most 32 bits"
        );
    });
}

/// A netmask gives back its prefix length; a mask with a gap is refused.
#[test]
fn converts_a_netmask_to_a_prefix_length() {
    deadline(PURE, "converts a netmask to a prefix length", || {
        for (mask, expected) in [
            ("255.255.255.0", 24),
            ("255.255.240.0", 20),
            ("255.0.0.0", 8),
            ("0.0.0.0", 0),
            ("255.255.255.255", 32),
            ("255.255.255.254", 31),
        ] {
            let got = prefix_len_from_netmask(ip(mask));
            assert_eq!(
                got,
                Ok(expected),
                "prefix_len_from_netmask({mask}): expected Ok({expected}), got {got:?}"
            );
        }
        for mask in ["255.0.255.0", "0.255.255.255", "255.255.255.1", "128.0.0.1"] {
            let got = prefix_len_from_netmask(ip(mask));
            assert_eq!(
                got,
                Err(CidrError::NonContiguousMask(ip(mask))),
                "prefix_len_from_netmask({mask}): its ones are not all at the front, \
                 expected Err(NonContiguousMask({mask})), got {got:?}"
            );
        }
    });
}
