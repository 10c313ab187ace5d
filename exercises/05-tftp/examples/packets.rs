//! Every TFTP packet, built by hand and taken apart again: the bytes of
//! RFC 1350's figures (and RFC 2347's OACK), printed in hex.
//!
//! Run it: `cargo run -p tftp --example packets`

use std::fmt::Write as _;

// ANCHOR: opcodes
/// The first two bytes of every packet say what it is (RFC 1350, 2347).
const RRQ: u16 = 1;
const WRQ: u16 = 2;
const DATA: u16 = 3;
const ACK: u16 = 4;
const ERROR: u16 = 5;
const OACK: u16 = 6;
// ANCHOR_END: opcodes

// ANCHOR: request
/// RRQ and WRQ: opcode, file name, 0, mode, 0, then any options as
/// name, 0, value, 0 pairs (RFC 2347).
fn request(
    opcode: u16,
    filename: &str,
    mode: &str,
    options: &[(&str, &str)],
) -> Vec<u8> {
    let mut packet = opcode.to_be_bytes().to_vec();
    for text in [filename, mode] {
        packet.extend_from_slice(text.as_bytes());
        packet.push(0);
    }
    for (name, value) in options {
        for text in [name, value] {
            packet.extend_from_slice(text.as_bytes());
            packet.push(0);
        }
    }
    packet
}
// ANCHOR_END: request

// ANCHOR: data_ack
/// DATA: opcode, block number, then the block itself (0 to 512 bytes).
fn data(block: u16, bytes: &[u8]) -> Vec<u8> {
    let mut packet = DATA.to_be_bytes().to_vec();
    packet.extend_from_slice(&block.to_be_bytes());
    packet.extend_from_slice(bytes);
    packet
}

/// ACK: opcode and the number of the block it acknowledges. Four bytes.
fn ack(block: u16) -> [u8; 4] {
    let [a, b] = ACK.to_be_bytes();
    let [c, d] = block.to_be_bytes();
    [a, b, c, d]
}
// ANCHOR_END: data_ack

// ANCHOR: error
/// ERROR: opcode, error code, a message for people, 0.
fn error(code: u16, message: &str) -> Vec<u8> {
    let mut packet = ERROR.to_be_bytes().to_vec();
    packet.extend_from_slice(&code.to_be_bytes());
    packet.extend_from_slice(message.as_bytes());
    packet.push(0);
    packet
}
// ANCHOR_END: error

/// OACK: opcode, then the options the server accepts, as in a request.
fn oack(options: &[(&str, &str)]) -> Vec<u8> {
    let mut packet = OACK.to_be_bytes().to_vec();
    for (name, value) in options {
        for text in [name, value] {
            packet.extend_from_slice(text.as_bytes());
            packet.push(0);
        }
    }
    packet
}

// ANCHOR: decode
/// What a packet's first four bytes say, or why it is not a packet.
fn describe(packet: &[u8]) -> Result<String, String> {
    let [hi, lo, rest @ ..] = packet else {
        return Err(format!("{} bytes: too short for an opcode", packet.len()));
    };
    let opcode = u16::from_be_bytes([*hi, *lo]);
    // The u16 after the opcode, for the three packets that have one.
    let number = || match rest {
        [a, b, ..] => Ok(u16::from_be_bytes([*a, *b])),
        _ => Err(format!(
            "opcode {opcode} needs 2 more bytes, got {}",
            rest.len()
        )),
    };
    Ok(match opcode {
        RRQ | WRQ | OACK => {
            // Strings end in a zero byte; a packet whose last string has
            // none is malformed (ERROR 4), not to be read past its end.
            let Some(fields) = rest.strip_suffix(&[0]) else {
                return Err("the last string has no terminating 0".into());
            };
            let fields: Vec<_> = fields
                .split(|&b| b == 0)
                .map(String::from_utf8_lossy)
                .collect();
            format!("opcode {opcode}, strings {fields:?}")
        }
        DATA => format!("DATA block {}, {} bytes", number()?, rest.len() - 2),
        ACK if rest.len() == 2 => format!("ACK block {}", number()?),
        ACK => return Err(format!("an ACK is 4 bytes, this one {}", packet.len())),
        ERROR => format!("ERROR code {}", number()?),
        other => return Err(format!("unknown opcode {other}")),
    })
}
// ANCHOR_END: decode

/// The bytes in hex, with the printable ones shown beside.
fn hex(bytes: &[u8]) -> String {
    let mut line = String::new();
    for byte in bytes.iter().take(20) {
        let _ = write!(line, "{byte:02x} ");
    }
    if bytes.len() > 20 {
        line.push_str("… ");
    }
    let text: String = bytes
        .iter()
        .take(20)
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '.' })
        .collect();
    format!("{line:<62}{text}")
}

fn main() {
    // ANCHOR: main
    let packets = [
        ("RRQ", request(RRQ, "hello.txt", "octet", &[])),
        ("WRQ", request(WRQ, "log.txt", "netascii", &[])),
        (
            "RRQ+opt",
            request(RRQ, "big.iso", "octet", &[("blksize", "1428")]),
        ),
        ("OACK", oack(&[("blksize", "1428")])),
        ("DATA", data(1, b"hello, tftp\n")),
        ("ACK", ack(1).to_vec()),
        ("ERROR", error(1, "File not found")),
    ];
    for (name, packet) in &packets {
        println!("{name:<7} {:>3} bytes  {}", packet.len(), hex(packet));
    }
    println!();
    let received: [&[u8]; 6] = [
        &packets[0].1,
        &packets[4].1,
        &packets[6].1,
        &[0, 4, 0],
        &[0, 1, b'a', b'b'],
        &[0, 9],
    ];
    for packet in received {
        match describe(packet) {
            Ok(what) => println!("{what}"),
            Err(why) => println!("malformed: {why}"),
        }
    }
    // ANCHOR_END: main
}
