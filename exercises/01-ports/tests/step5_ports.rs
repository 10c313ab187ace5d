// Don't change the tests! `cargo lab check` grades your src/ against the originals.

//! Step 5: the three port ranges, the names of well-known services, and the
//! range Linux gives to clients.

use ports::step5_ports::{
    LocalPortRangeError, PortRange, parse_local_port_range, port_range, service_name,
};
use std::time::Duration;
use support::deadline;

/// How long a test of pure computation may take: far more than it needs,
/// so that only an endless loop fails it.
const PURE: Duration = Duration::from_secs(5);

/// Every range at both of its edges: 0–1023, 1024–49151, 49152–65535.
#[test]
fn classifies_ports_into_the_three_ranges_at_their_edges() {
    deadline(
        PURE,
        "classifies ports into the three ranges at their edges",
        || {
            use PortRange::*;
            let cases = [
                (0, WellKnown),
                (22, WellKnown),
                (443, WellKnown),
                (1023, WellKnown),
                (1024, Registered),
                (5432, Registered),
                (8080, Registered),
                (32768, Registered),
                (49151, Registered),
                (49152, Dynamic),
                (60999, Dynamic),
                (65535, Dynamic),
            ];
            for (port, expected) in cases {
                let got = port_range(port);
                assert_eq!(
                    got, expected,
                    "port_range({port}): expected PortRange::{expected:?}, got {got:?}"
                );
            }
        },
    );
}

/// The services of the table in the task, by their everyday names.
#[test]
fn names_the_well_known_services() {
    deadline(PURE, "names the well known services", || {
        let cases = [
            (20, "ftp-data"),
            (21, "ftp"),
            (22, "ssh"),
            (23, "telnet"),
            (25, "smtp"),
            (53, "dns"),
            (67, "dhcp"),
            (68, "dhcp"),
            (69, "tftp"),
            (80, "http"),
            (110, "pop3"),
            (123, "ntp"),
            (143, "imap"),
            (161, "snmp"),
            (443, "https"),
            (993, "imaps"),
            (995, "pop3s"),
        ];
        for (port, expected) in cases {
            let got = service_name(port);
            assert_eq!(
                got,
                Some(expected),
                "service_name({port}): expected Some({expected:?}), got {got:?}"
            );
        }
    });
}

/// Ports outside the table have no name: `None`, not a guess.
#[test]
fn knows_no_name_for_ports_outside_the_table() {
    deadline(PURE, "knows no name for ports outside the table", || {
        for port in [0, 1, 24, 81, 444, 1023, 5432, 8080, 49152, 65535] {
            let got = service_name(port);
            assert_eq!(
                got, None,
                "service_name({port}): this port is not in the table, expected None, \
                 got {got:?}"
            );
        }
    });
}

/// The kernel's text: two numbers, a tab between, a newline after.
#[test]
fn parses_the_linux_local_port_range() {
    deadline(PURE, "parses the linux local port range", || {
        let cases = [
            ("32768\t60999\n", 32768..=60999),
            ("1024 65535", 1024..=65535),
            ("  49152   65535  ", 49152..=65535),
            ("40000\t40000\n", 40000..=40000),
        ];
        for (text, expected) in cases {
            let got = parse_local_port_range(text);
            assert_eq!(
                got,
                Ok(expected.clone()),
                "parse_local_port_range({text:?}): expected Ok({expected:?}), got {got:?}"
            );
        }
    });
}

/// Too few or too many numbers, a non-port, a range backwards.
#[test]
fn rejects_a_malformed_local_port_range() {
    deadline(PURE, "rejects a malformed local port range", || {
        let cases = [
            ("", LocalPortRangeError::WrongFieldCount { found: 0 }),
            ("32768", LocalPortRangeError::WrongFieldCount { found: 1 }),
            ("1 2 3", LocalPortRangeError::WrongFieldCount { found: 3 }),
            (
                "32768\t70000\n",
                LocalPortRangeError::NotAPort("70000".into()),
            ),
            ("low high", LocalPortRangeError::NotAPort("low".into())),
            ("-1 80", LocalPortRangeError::NotAPort("-1".into())),
            (
                "60999\t32768\n",
                LocalPortRangeError::LowAboveHigh {
                    low: 60999,
                    high: 32768,
                },
            ),
        ];
        for (text, expected) in cases {
            let got = parse_local_port_range(text);
            assert_eq!(
                got,
                Err(expected.clone()),
                "parse_local_port_range({text:?}): expected Err({expected:?}), got {got:?}"
            );
        }
    });
}
