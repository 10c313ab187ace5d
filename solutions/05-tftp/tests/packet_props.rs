//! Properties of the packet codec (`tftp::packet`), checked on thousands of
//! generated packets and datagrams: what is encoded decodes to the same
//! packet, the bytes are laid out as the RFCs draw them, and no datagram,
//! however mangled, makes the decoder panic or accept what it should not.

use proptest::collection::vec;
use proptest::prelude::*;
use tftp::packet::{DATA_HEADER_LEN, MAX_BLOCK_SIZE};
use tftp::{DecodeError, ErrorCode, Mode, Packet, Request};

/// Text a packet may carry: any characters but NUL, which ends a field.
fn text() -> impl Strategy<Value = String> {
    "[^\u{0}]{0,40}"
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::Octet), Just(Mode::Netascii)]
}

fn options() -> impl Strategy<Value = Vec<(String, String)>> {
    vec((text(), text()), 0..6)
}

fn request() -> impl Strategy<Value = Request> {
    (text(), mode(), options()).prop_map(|(filename, mode, options)| Request {
        filename,
        mode,
        options,
    })
}

fn error_code() -> impl Strategy<Value = ErrorCode> {
    (0u16..=8).prop_map(|n| ErrorCode::from_u16(n).expect("codes 0 to 8 exist"))
}

/// Every kind of packet. DATA payloads are generated separately (a packet
/// borrows its payload), so this yields owned parts.
#[derive(Debug, Clone)]
enum Owned {
    Rrq(Request),
    Wrq(Request),
    Data(u16, Vec<u8>),
    Ack(u16),
    Error(ErrorCode, String),
    Oack(Vec<(String, String)>),
}

impl Owned {
    fn packet(&self) -> Packet<'_> {
        match self {
            Owned::Rrq(r) => Packet::Rrq(r.clone()),
            Owned::Wrq(r) => Packet::Wrq(r.clone()),
            Owned::Data(block, data) => Packet::Data {
                block: *block,
                data,
            },
            Owned::Ack(block) => Packet::Ack { block: *block },
            Owned::Error(code, message) => Packet::Error {
                code: *code,
                message: message.clone(),
            },
            Owned::Oack(options) => Packet::Oack {
                options: options.clone(),
            },
        }
    }
}

fn any_packet() -> impl Strategy<Value = Owned> {
    prop_oneof![
        request().prop_map(Owned::Rrq),
        request().prop_map(Owned::Wrq),
        (any::<u16>(), vec(any::<u8>(), 0..1500))
            .prop_map(|(b, d)| Owned::Data(b, d)),
        any::<u16>().prop_map(Owned::Ack),
        (error_code(), text()).prop_map(|(c, m)| Owned::Error(c, m)),
        options().prop_map(Owned::Oack),
    ]
}

proptest! {
    /// Encoding then decoding gives back the very same packet.
    #[test]
    fn every_packet_survives_encode_then_decode(owned in any_packet()) {
        let packet = owned.packet();
        let bytes = packet.to_bytes();
        prop_assert_eq!(Packet::decode(&bytes), Ok(packet));
    }

    /// The first two bytes are the opcode, big-endian; DATA and ACK carry
    /// their block number big-endian in the next two.
    #[test]
    fn encoded_bytes_follow_the_rfc_layout(owned in any_packet()) {
        let bytes = owned.packet().to_bytes();
        let opcode = u16::from_be_bytes([bytes[0], bytes[1]]);
        let expected = match &owned {
            Owned::Rrq(_) => 1,
            Owned::Wrq(_) => 2,
            Owned::Data(..) => 3,
            Owned::Ack(_) => 4,
            Owned::Error(..) => 5,
            Owned::Oack(_) => 6,
        };
        prop_assert_eq!(opcode, expected);
        match &owned {
            Owned::Data(block, data) => {
                prop_assert_eq!(&bytes[2..4], &block.to_be_bytes()[..]);
                prop_assert_eq!(&bytes[DATA_HEADER_LEN..], &data[..]);
            }
            Owned::Ack(block) => {
                prop_assert_eq!(bytes.len(), 4);
                prop_assert_eq!(&bytes[2..4], &block.to_be_bytes()[..]);
            }
            Owned::Error(code, message) => {
                prop_assert_eq!(&bytes[2..4], &code.as_u16().to_be_bytes()[..]);
                prop_assert_eq!(&bytes[4..bytes.len() - 1], message.as_bytes());
                prop_assert_eq!(bytes.last(), Some(&0));
            }
            Owned::Rrq(r) | Owned::Wrq(r) => {
                // name NUL mode NUL (option NUL value NUL)*
                let fields = 2 + 2 * r.options.len();
                prop_assert_eq!(bytes.iter().filter(|&&b| b == 0).count() - zeros_in_header(&bytes), fields);
                prop_assert_eq!(bytes.last(), Some(&0));
            }
            Owned::Oack(options) => {
                prop_assert_eq!(bytes.iter().skip(2).filter(|&&b| b == 0).count(), 2 * options.len());
            }
        }
    }

    /// Arbitrary bytes never make the decoder panic; whatever it accepts
    /// encodes back to bytes that decode to the same packet.
    #[test]
    fn arbitrary_datagrams_never_panic_and_decode_stably(datagram in vec(any::<u8>(), 0..700)) {
        if let Ok(packet) = Packet::decode(&datagram) {
            let again = packet.to_bytes();
            prop_assert_eq!(Packet::decode(&again), Ok(packet));
        }
    }

    /// Datagrams that start with a real opcode (the interesting ones) are
    /// not rejected by the opcode alone: the decoder reads on, and still
    /// never panics.
    #[test]
    fn datagrams_with_valid_opcodes_never_panic(opcode in 1u8..=6, body in vec(any::<u8>(), 0..300)) {
        let mut datagram = vec![0, opcode];
        datagram.extend_from_slice(&body);
        if let Ok(packet) = Packet::decode(&datagram) {
            let again = packet.to_bytes();
            prop_assert_eq!(Packet::decode(&again), Ok(packet));
        }
    }

    /// A proper prefix of a request, an ERROR or an OACK never decodes as
    /// the whole packet: cut inside a field it is refused (no terminating
    /// NUL, or an option without its value); cut exactly after an option's
    /// value it can only be the same packet with fewer options.
    #[test]
    fn truncated_text_packets_are_refused_or_shorter(owned in any_packet(), cut in any::<prop::sample::Index>()) {
        let bytes = owned.packet().to_bytes();
        let options = match &owned {
            Owned::Rrq(r) | Owned::Wrq(r) => r.options.len(),
            Owned::Oack(options) if !options.is_empty() => options.len(),
            Owned::Error(..) => 0,
            _ => return Ok(()),
        };
        // An OACK cut to its bare opcode is a (valid) OACK with no options.
        let min = if matches!(owned, Owned::Oack(_)) { 3 } else { 0 };
        let len = min + cut.index(bytes.len() - min);
        let truncated = &bytes[..len];
        match Packet::decode(truncated) {
            Err(_) => {}
            Ok(Packet::Rrq(r) | Packet::Wrq(r)) => {
                prop_assert!(r.options.len() < options, "{:?} cut to {} bytes decoded whole", owned, len);
                prop_assert_eq!(truncated.last(), Some(&0));
            }
            Ok(Packet::Oack { options: got }) => {
                prop_assert!(got.len() < options, "{:?} cut to {} bytes decoded whole", owned, len);
                prop_assert_eq!(truncated.last(), Some(&0));
            }
            Ok(other) => prop_assert!(false, "{:?} cut to {} bytes decoded as {:?}", owned, len, other),
        }
    }

    /// Opcodes 0 and 7–65535 are refused as unknown.
    #[test]
    fn unknown_opcodes_are_refused(opcode in prop_oneof![Just(0u16), 7u16..], body in vec(any::<u8>(), 0..20)) {
        let mut datagram = opcode.to_be_bytes().to_vec();
        datagram.extend_from_slice(&body);
        prop_assert_eq!(Packet::decode(&datagram), Err(DecodeError::UnknownOpcode(opcode)));
    }

    /// An ACK is exactly four bytes; anything longer or shorter is refused.
    #[test]
    fn acks_of_the_wrong_length_are_refused(len in (2usize..40).prop_filter("not 4", |l| *l != 4)) {
        let mut datagram = vec![0, 4];
        datagram.resize(len, 1);
        prop_assert!(Packet::decode(&datagram).is_err());
    }

    /// ERROR codes above 8 are not TFTP's.
    #[test]
    fn unknown_error_codes_are_refused(code in 9u16.., message in text()) {
        let mut datagram = vec![0, 5];
        datagram.extend_from_slice(&code.to_be_bytes());
        datagram.extend_from_slice(message.as_bytes());
        datagram.push(0);
        prop_assert!(Packet::decode(&datagram).is_err());
    }

    /// Modes are case-insensitive, and anything but octet and netascii
    /// (mail included) is refused.
    #[test]
    fn only_octet_and_netascii_are_modes(
        name in prop_oneof!["(?i)octet", "(?i)netascii", "[a-zA-Z]{1,10}", "(?i)mail"]
    ) {
        let mut datagram = b"\x00\x01file\x00".to_vec();
        datagram.extend_from_slice(name.as_bytes());
        datagram.push(0);
        let decoded = Packet::decode(&datagram);
        let lower = name.to_ascii_lowercase();
        if lower == "octet" || lower == "netascii" {
            prop_assert!(decoded.is_ok(), "{} refused: {:?}", name, decoded);
        } else {
            prop_assert!(decoded.is_err(), "mode {} accepted: {:?}", name, decoded);
        }
    }
}

/// NULs in the first four bytes of a request's encoding that are part of
/// the opcode (the high byte is always 0) rather than field terminators.
fn zeros_in_header(bytes: &[u8]) -> usize {
    bytes[..2].iter().filter(|&&b| b == 0).count()
}

/// The largest DATA payload (65464 bytes) decodes; one byte more is refused.
#[test]
fn data_payloads_end_at_65464_bytes() {
    let mut datagram = vec![0u8; DATA_HEADER_LEN + MAX_BLOCK_SIZE];
    datagram[1] = 3;
    let decoded = Packet::decode(&datagram).expect("a full-size DATA packet");
    assert!(
        matches!(decoded, Packet::Data { data, .. } if data.len() == MAX_BLOCK_SIZE)
    );
    datagram.push(0);
    assert!(
        Packet::decode(&datagram).is_err(),
        "65465 bytes of DATA payload were accepted"
    );
}

/// Zero- and one-byte datagrams are too short for an opcode.
#[test]
fn datagrams_shorter_than_an_opcode_are_refused() {
    assert!(Packet::decode(&[]).is_err());
    for byte in 0..=255u8 {
        assert!(
            Packet::decode(&[byte]).is_err(),
            "the datagram [{byte}] was accepted"
        );
    }
}
