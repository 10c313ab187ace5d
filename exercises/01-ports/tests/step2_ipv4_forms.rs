// Don't change the tests! `cargo lab check` grades your src/ against the originals.

//! Step 2: an IPv4 address as dotted decimal, as a 32-bit number and as
//! dotted binary.

use std::net::Ipv4Addr;
use std::time::Duration;

use ports::step2_ipv4_forms::{
    DottedBinaryError, from_u32, parse_dotted_binary, to_dotted_binary, to_u32,
};
use support::deadline;

/// How long a test of pure computation may take: far more than it needs,
/// so that only an endless loop fails it.
const PURE: Duration = Duration::from_secs(5);

/// Addresses with their numbers and bits, worked out by hand in the book.
const SAMPLES: [(Ipv4Addr, u32, &str); 6] = [
    (
        Ipv4Addr::new(192, 168, 1, 1),
        3_232_235_777,
        "11000000.10101000.00000001.00000001",
    ),
    (
        Ipv4Addr::new(127, 0, 0, 1),
        2_130_706_433,
        "01111111.00000000.00000000.00000001",
    ),
    (
        Ipv4Addr::new(10, 0, 0, 1),
        167_772_161,
        "00001010.00000000.00000000.00000001",
    ),
    (
        Ipv4Addr::new(0, 0, 0, 0),
        0,
        "00000000.00000000.00000000.00000000",
    ),
    (
        Ipv4Addr::new(255, 255, 255, 255),
        4_294_967_295,
        "11111111.11111111.11111111.11111111",
    ),
    (
        Ipv4Addr::new(1, 2, 3, 4),
        16_909_060,
        "00000001.00000010.00000011.00000100",
    ),
];

/// The first octet is the most significant byte of the number.
#[test]
fn converts_an_address_to_its_32_bit_number() {
    deadline(PURE, "converts an address to its 32 bit number", || {
        for (addr, number, _) in SAMPLES {
            let got = to_u32(addr);
            assert_eq!(
                got, number,
                "to_u32({addr}): expected {number} (0x{number:08x}), got {got} (0x{got:08x})"
            );
        }
    });
}

/// The inverse: from the number back to the dotted address.
#[test]
fn converts_a_32_bit_number_back_to_an_address() {
    deadline(PURE, "converts a 32 bit number back to an address", || {
        for (addr, number, _) in SAMPLES {
            let got = from_u32(number);
            assert_eq!(got, addr, "from_u32({number}): expected {addr}, got {got}");
        }
        for number in [1, 256, 65_536, 16_777_216, 0x8000_0000, 0xdead_beef] {
            let back = to_u32(from_u32(number));
            assert_eq!(
                back, number,
                "to_u32(from_u32({number})) should give {number} back, got {back}"
            );
        }
    });
}

/// Four groups of exactly eight bits, leading zeros included.
#[test]
fn writes_dotted_binary_with_all_eight_bits_per_octet() {
    deadline(
        PURE,
        "writes dotted binary with all eight bits per octet",
        || {
            for (addr, _, bits) in SAMPLES {
                let got = to_dotted_binary(addr);
                assert_eq!(
                    got, bits,
                    "to_dotted_binary({addr}): expected `{bits}`, got `{got}`"
                );
            }
        },
    );
}

/// Dotted binary reads back into the address it came from.
#[test]
fn parses_dotted_binary_back_into_an_address() {
    deadline(PURE, "parses dotted binary back into an address", || {
        for (addr, _, bits) in SAMPLES {
            match parse_dotted_binary(bits) {
                Ok(got) => assert_eq!(
                    got, addr,
                    "parse_dotted_binary({bits:?}): expected {addr}, got {got}"
                ),
                Err(error) => panic!(
                    "parse_dotted_binary({bits:?}): expected Ok({addr}), got Err({error:?})"
                ),
            }
        }
    });
}

/// Wrong group count, a short or long group, a digit that is not a bit.
#[test]
fn rejects_malformed_dotted_binary_naming_the_group() {
    deadline(
        PURE,
        "rejects malformed dotted binary naming the group",
        || {
            let cases = [
                ("", DottedBinaryError::WrongGroupCount { found: 1 }),
                (
                    "11000000.10101000.00000001",
                    DottedBinaryError::WrongGroupCount { found: 3 },
                ),
                (
                    "11000000.10101000.00000001.00000001.00000000",
                    DottedBinaryError::WrongGroupCount { found: 5 },
                ),
                (
                    "11000000.1010100.00000001.00000001",
                    DottedBinaryError::WrongGroupLength {
                        group: 2,
                        text: "1010100".into(),
                    },
                ),
                (
                    "11000000.10101000.00000001.000000011",
                    DottedBinaryError::WrongGroupLength {
                        group: 4,
                        text: "000000011".into(),
                    },
                ),
                (
                    "11000000.10101000.00000002.00000001",
                    DottedBinaryError::NotBinary {
                        group: 3,
                        text: "00000002".into(),
                    },
                ),
                (
                    "192.168.1.1",
                    DottedBinaryError::WrongGroupLength {
                        group: 1,
                        text: "192".into(),
                    },
                ),
            ];
            for (text, expected) in cases {
                match parse_dotted_binary(text) {
                    Ok(got) => panic!(
                        "parse_dotted_binary({text:?}): expected Err({expected:?}), got Ok({got})"
                    ),
                    Err(error) => assert_eq!(
                        error, expected,
                        "parse_dotted_binary({text:?}): expected Err({expected:?}), \
                     got Err({error:?})"
                    ),
                }
            }
        },
    );
}
