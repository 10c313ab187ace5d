// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 1: the six packets, by hand (book: "Six packets").

use std::time::Duration;

use support::deadline;
use support::loopback::describe_bytes;
use tftp::packet::{DecodeError, ErrorCode, Mode, Packet, Request};

const LIMIT: Duration = Duration::from_secs(5);

fn request(filename: &str, options: &[(&str, &str)]) -> Request {
    Request {
        filename: filename.to_string(),
        mode: Mode::Octet,
        options: options
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
    }
}

fn encoded(packet: Packet<'static>) -> Vec<u8> {
    deadline(LIMIT, "Packet::to_bytes", move || packet.to_bytes())
}

fn decoded(bytes: &[u8]) -> Result<Packet<'static>, DecodeError> {
    let bytes: &'static [u8] = Box::leak(bytes.to_vec().into_boxed_slice());
    deadline(LIMIT, "Packet::decode", move || Packet::decode(bytes))
}

fn assert_bytes(what: &str, got: &[u8], expected: &[u8]) {
    assert_eq!(
        got,
        expected,
        "{what}: expected {}, got {}",
        describe_bytes(expected),
        describe_bytes(got)
    );
}

/// An RRQ is opcode 1, the file name, a zero byte, the mode, a zero byte;
/// a WRQ the same with opcode 2, and options follow as name/value strings.
#[test]
fn encodes_requests_with_their_zero_bytes() {
    assert_bytes(
        "RRQ \"a.txt\" octet",
        &encoded(Packet::Rrq(request("a.txt", &[]))),
        b"\x00\x01a.txt\x00octet\x00",
    );
    assert_bytes(
        "WRQ \"up\" octet blksize=1024",
        &encoded(Packet::Wrq(request("up", &[("blksize", "1024")]))),
        b"\x00\x02up\x00octet\x00blksize\x001024\x00",
    );
}

/// DATA, ACK, ERROR and OACK, field by field.
#[test]
fn encodes_data_ack_error_and_oack() {
    assert_bytes(
        "DATA 1 `hi`",
        &encoded(Packet::Data {
            block: 1,
            data: b"hi",
        }),
        b"\x00\x03\x00\x01hi",
    );
    assert_bytes(
        "ACK 7",
        &encoded(Packet::Ack { block: 7 }),
        b"\x00\x04\x00\x07",
    );
    assert_bytes(
        "ERROR 1 `nope`",
        &encoded(Packet::Error {
            code: ErrorCode::FileNotFound,
            message: "nope".into(),
        }),
        b"\x00\x05\x00\x01nope\x00",
    );
    assert_bytes(
        "OACK blksize=1428",
        &encoded(Packet::Oack {
            options: vec![("blksize".into(), "1428".into())],
        }),
        b"\x00\x06blksize\x001428\x00",
    );
}

/// Numbers are two bytes, most significant first (network byte order).
#[test]
fn block_numbers_are_big_endian() {
    assert_bytes(
        "DATA 0x1234, empty",
        &encoded(Packet::Data {
            block: 0x1234,
            data: b"",
        }),
        &[0, 3, 0x12, 0x34],
    );
    assert_bytes(
        "ACK 65535",
        &encoded(Packet::Ack { block: 65535 }),
        &[0, 4, 255, 255],
    );
    assert_bytes(
        "ACK 256",
        &encoded(Packet::Ack { block: 256 }),
        &[0, 4, 1, 0],
    );
}

/// Whatever `encode` writes, `decode` reads back as the same packet.
#[test]
fn decodes_every_packet_back() {
    let packets = vec![
        Packet::Rrq(request("dir/file.bin", &[])),
        Packet::Wrq(request("x", &[("blksize", "512"), ("windowsize", "4")])),
        Packet::Data {
            block: 65535,
            data: b"payload",
        },
        Packet::Ack { block: 0 },
        Packet::Error {
            code: ErrorCode::UnknownTransferId,
            message: "who are you?".into(),
        },
        Packet::Oack {
            options: vec![("windowsize".into(), "8".into())],
        },
    ];
    for packet in packets {
        let bytes = encoded(packet.clone());
        assert_eq!(
            decoded(&bytes),
            Ok(packet.clone()),
            "decoding {} (the bytes of {packet:?})",
            describe_bytes(&bytes)
        );
    }
}

/// DATA may carry nothing (the last block of an exact multiple), and its
/// payload is borrowed from the datagram, not copied.
#[test]
fn data_payloads_are_borrowed_and_may_be_empty() {
    assert_eq!(
        decoded(&[0, 3, 0, 2]),
        Ok(Packet::Data {
            block: 2,
            data: b""
        })
    );
    let datagram: &'static [u8] = b"\x00\x03\x00\x09abc";
    let packet = deadline(LIMIT, "Packet::decode", move || Packet::decode(datagram));
    match packet {
        Ok(Packet::Data { block: 9, data }) => {
            assert_eq!(data, b"abc");
            assert_eq!(
                data.as_ptr(),
                datagram[4..].as_ptr(),
                "the payload should point into the datagram (borrow it, don't copy)"
            );
        }
        other => {
            panic!("decoding `00 03 00 09 abc`: expected DATA 9, got {other:?}")
        }
    }
}

/// Mode names are case-insensitive; "mail" (obsolete) and unknown modes
/// are refused.
#[test]
fn modes_are_read_without_case_and_mail_is_refused() {
    assert_eq!(
        decoded(b"\x00\x01f\x00OcTeT\x00"),
        Ok(Packet::Rrq(request("f", &[])))
    );
    assert_eq!(
        decoded(b"\x00\x01f\x00mail\x00"),
        Err(DecodeError::UnsupportedMode("mail".into()))
    );
    assert_eq!(
        decoded(b"\x00\x02f\x00binary\x00"),
        Err(DecodeError::UnsupportedMode("binary".into()))
    );
}

/// Too short for an opcode, or an opcode TFTP does not have.
#[test]
fn short_datagrams_and_unknown_opcodes_are_errors() {
    assert_eq!(decoded(&[]), Err(DecodeError::TooShort { len: 0 }));
    assert_eq!(decoded(&[0]), Err(DecodeError::TooShort { len: 1 }));
    assert_eq!(decoded(&[0, 0]), Err(DecodeError::UnknownOpcode(0)));
    assert_eq!(decoded(&[0, 7, 1, 2]), Err(DecodeError::UnknownOpcode(7)));
    assert_eq!(decoded(&[1, 1]), Err(DecodeError::UnknownOpcode(257)));
}

/// DATA, ACK and ERROR need their 4 bytes; an ACK has exactly 4.
#[test]
fn truncated_packets_and_long_acks_are_errors() {
    assert_eq!(
        decoded(&[0, 3, 0]),
        Err(DecodeError::Truncated {
            packet: "DATA",
            len: 3
        })
    );
    assert_eq!(
        decoded(&[0, 4, 0]),
        Err(DecodeError::Truncated {
            packet: "ACK",
            len: 3
        })
    );
    assert_eq!(
        decoded(&[0, 5, 0]),
        Err(DecodeError::Truncated {
            packet: "ERROR",
            len: 3
        })
    );
    assert_eq!(
        decoded(&[0, 4, 0, 1, 0]),
        Err(DecodeError::AckTooLong { len: 5 })
    );
}

/// Every text field ends in a zero byte; a missing one names the field.
#[test]
fn text_fields_need_their_zero_byte() {
    assert_eq!(
        decoded(b"\x00\x01file"),
        Err(DecodeError::MissingNul { field: "filename" })
    );
    assert_eq!(
        decoded(b"\x00\x01file\x00octet"),
        Err(DecodeError::MissingNul { field: "mode" })
    );
    assert_eq!(
        decoded(b"\x00\x05\x00\x01no end"),
        Err(DecodeError::MissingNul {
            field: "error message"
        })
    );
    assert_eq!(
        decoded(b"\x00\x01f\x00octet\x00blksize\x00"),
        Err(DecodeError::OptionWithoutValue("blksize".into()))
    );
    assert_eq!(
        decoded(b"\x00\x06blksize\x00"),
        Err(DecodeError::OptionWithoutValue("blksize".into()))
    );
}

/// Request fields must be text; an error message is read leniently.
#[test]
fn request_fields_must_be_text() {
    assert_eq!(
        decoded(b"\x00\x01\xff\xfe\x00octet\x00"),
        Err(DecodeError::NotText { field: "filename" })
    );
    match decoded(b"\x00\x05\x00\x00caf\xe9\x00") {
        Ok(Packet::Error {
            code: ErrorCode::NotDefined,
            message,
        }) => assert!(message.starts_with("caf"), "message {message:?}"),
        other => {
            panic!("an ERROR with a Latin-1 message should decode, got {other:?}")
        }
    }
}

/// Error codes are 0–8; DATA carries at most 65464 bytes.
#[test]
fn unknown_error_codes_and_oversized_data_are_errors() {
    assert_eq!(
        decoded(b"\x00\x05\x00\x09x\x00"),
        Err(DecodeError::UnknownErrorCode(9))
    );
    match decoded(b"\x00\x05\x00\x08\x00") {
        Ok(Packet::Error {
            code: ErrorCode::OptionRefused,
            message,
        }) => assert_eq!(message, ""),
        other => {
            panic!("ERROR 8 with an empty message should decode, got {other:?}")
        }
    }
    let mut big = vec![0, 3, 0, 1];
    big.resize(4 + 65464, b'x');
    assert!(
        matches!(decoded(&big), Ok(Packet::Data { block: 1, data }) if data.len() == 65464),
        "a DATA of exactly 65464 bytes is allowed"
    );
    big.push(b'x');
    assert_eq!(decoded(&big), Err(DecodeError::DataTooLong { len: 65465 }));
}

/// Thousands of random datagrams: each decodes or is an error, none
/// panics, and whatever decodes encodes back to the same bytes.
#[test]
fn decode_never_panics_and_round_trips_what_it_accepts() {
    deadline(Duration::from_secs(20), "decoding random datagrams", || {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let seeds: [&[u8]; 4] = [
            b"\x00\x01file\x00octet\x00blksize\x00512\x00",
            b"\x00\x03\x00\x01data",
            b"\x00\x05\x00\x02msg\x00",
            b"\x00\x06windowsize\x004\x00",
        ];
        for round in 0..5000 {
            let mut bytes = seeds[round % seeds.len()].to_vec();
            let len = (next() % (bytes.len() as u64 + 3)) as usize;
            bytes.resize(len, 0);
            for _ in 0..(next() % 3) {
                if !bytes.is_empty() {
                    let at = (next() % bytes.len() as u64) as usize;
                    bytes[at] = next() as u8;
                }
            }
            let result = std::panic::catch_unwind(|| {
                Packet::decode(&bytes).map(|p| p.to_bytes())
            });
            match result {
                Err(_) => {
                    panic!("Packet::decode panicked on {}", describe_bytes(&bytes))
                }
                Ok(Ok(again)) if is_canonical(&bytes) => assert_eq!(
                    again,
                    bytes,
                    "{} decoded, but encoded back as {}",
                    describe_bytes(&bytes),
                    describe_bytes(&again)
                ),
                Ok(_) => {}
            }
        }
    });
}

/// Whether re-encoding must give the same bytes: a request's mode in lower
/// case (decoding forgets the case), and an ERROR message that is UTF-8
/// with nothing after its zero byte.
fn is_canonical(bytes: &[u8]) -> bool {
    match bytes.get(1) {
        Some(1 | 2) => bytes[2..]
            .split(|&b| b == 0)
            .nth(1)
            .is_some_and(|mode| mode == b"octet" || mode == b"netascii"),
        Some(5) => {
            bytes.iter().skip(4).position(|&b| b == 0) == Some(bytes.len() - 5)
                && std::str::from_utf8(&bytes[4..bytes.len() - 1]).is_ok()
        }
        _ => true,
    }
}
