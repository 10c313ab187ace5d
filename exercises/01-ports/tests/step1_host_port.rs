// Don't change the tests! `cargo lab check` grades your src/ against the originals.

//! Step 1: `parse_host_port` reads `host:port` text and names the mistake
//! when it cannot.

use std::net::SocketAddr;
use std::time::Duration;

use ports::step1_host_port::{HostPortError, parse_host_port};
use support::deadline;

/// How long a test of pure computation may take: far more than it needs,
/// so that only an endless loop fails it.
const PURE: Duration = Duration::from_secs(5);

/// Checks that `input` parses to the socket address written in `expected`.
#[track_caller]
fn assert_parses(input: &str, expected: &str) {
    let expected: SocketAddr =
        expected.parse().expect("a valid address in the test");
    match parse_host_port(input) {
        Ok(got) => assert_eq!(
            got, expected,
            "parse_host_port({input:?}): expected {expected}, got {got}"
        ),
        Err(error) => panic!(
            "parse_host_port({input:?}): expected Ok({expected}), \
             got Err({error:?}), which says \"{error}\""
        ),
    }
}

/// Checks that `input` is refused with exactly `expected`.
#[track_caller]
fn assert_rejects(input: &str, expected: HostPortError) {
    match parse_host_port(input) {
        Ok(got) => panic!(
            "parse_host_port({input:?}): expected Err({expected:?}), got Ok({got})"
        ),
        Err(error) => assert_eq!(
            error, expected,
            "parse_host_port({input:?}): expected Err({expected:?}), got Err({error:?})"
        ),
    }
}

/// An IPv4 address, a colon and a port: the everyday form.
#[test]
fn accepts_ipv4_with_port() {
    deadline(PURE, "accepts ipv4 with port", || {
        assert_parses("127.0.0.1:80", "127.0.0.1:80");
        assert_parses("192.168.1.10:65535", "192.168.1.10:65535");
        assert_parses("0.0.0.0:0", "0.0.0.0:0");
        assert_parses("  10.0.0.1:8080\n", "10.0.0.1:8080");
    });
}

/// IPv6 addresses go in brackets so their colons are not taken for the port's.
#[test]
fn accepts_bracketed_ipv6_with_port() {
    deadline(PURE, "accepts bracketed ipv6 with port", || {
        assert_parses("[::1]:8080", "[::1]:8080");
        assert_parses("[fe80::1]:443", "[fe80::1]:443");
        assert_parses("[2001:db8::7]:53", "[2001:db8::7]:53");
        assert_parses("[::]:0", "[::]:0");
    });
}

/// Empty text, a missing host and a missing port each have their own error.
#[test]
fn rejects_empty_text_and_missing_parts() {
    deadline(PURE, "rejects empty text and missing parts", || {
        assert_rejects("", HostPortError::Empty);
        assert_rejects("   ", HostPortError::Empty);
        assert_rejects("127.0.0.1", HostPortError::MissingPort("127.0.0.1".into()));
        assert_rejects(
            "127.0.0.1:",
            HostPortError::MissingPort("127.0.0.1:".into()),
        );
        assert_rejects("[::1]", HostPortError::MissingPort("[::1]".into()));
        assert_rejects("[::1]:", HostPortError::MissingPort("[::1]:".into()));
        assert_rejects(":80", HostPortError::MissingHost(":80".into()));
        assert_rejects("[]:80", HostPortError::MissingHost("[]:80".into()));
    });
}

/// More than one colon without brackets: nobody can tell where the port starts.
#[test]
fn rejects_ipv6_without_brackets() {
    deadline(PURE, "rejects ipv6 without brackets", || {
        for input in ["::1:80", "fe80::1:443", "::1", "2001:db8::7"] {
            assert_rejects(input, HostPortError::Ipv6WithoutBrackets(input.into()));
        }
    });
}

/// A port is 16 bits: 65536 and above do not fit, and the port is checked first.
#[test]
fn rejects_port_out_of_range() {
    deadline(PURE, "rejects port out of range", || {
        assert_rejects(
            "localhost:99999",
            HostPortError::PortOutOfRange("99999".into()),
        );
        assert_rejects(
            "127.0.0.1:65536",
            HostPortError::PortOutOfRange("65536".into()),
        );
        assert_rejects("[::1]:70000", HostPortError::PortOutOfRange("70000".into()));
        let huge = "127.0.0.1:123456789012345678901234567890";
        assert_rejects(
            huge,
            HostPortError::PortOutOfRange("123456789012345678901234567890".into()),
        );
    });
}

/// A port is written in decimal digits, nothing else: not a name, no sign.
#[test]
fn rejects_port_that_is_not_a_number() {
    deadline(PURE, "rejects port that is not a number", || {
        assert_rejects(
            "127.0.0.1:http",
            HostPortError::PortNotANumber("http".into()),
        );
        assert_rejects("127.0.0.1:-1", HostPortError::PortNotANumber("-1".into()));
        assert_rejects("127.0.0.1:+80", HostPortError::PortNotANumber("+80".into()));
        assert_rejects("[::1]:8o", HostPortError::PortNotANumber("8o".into()));
    });
}

/// Hosts must be IP addresses: names are resolved (step 6), not parsed, and
/// brackets hold IPv6 only.
#[test]
fn rejects_host_that_is_not_an_ip_address() {
    deadline(PURE, "rejects host that is not an ip address", || {
        assert_rejects(
            "localhost:80",
            HostPortError::BadAddress("localhost".into()),
        );
        assert_rejects(
            "256.1.1.1:80",
            HostPortError::BadAddress("256.1.1.1".into()),
        );
        assert_rejects(
            "192.168.1:80",
            HostPortError::BadAddress("192.168.1".into()),
        );
        assert_rejects(
            "[127.0.0.1]:80",
            HostPortError::BadAddress("127.0.0.1".into()),
        );
        assert_rejects("[::g]:80", HostPortError::BadAddress("::g".into()));
        assert_rejects("[::1:80", HostPortError::UnclosedBracket("[::1:80".into()));
    });
}
