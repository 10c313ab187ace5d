//! The classic download client (`tftp_get.py` beside this file), line for
//! line in Rust. It keeps the Python version's flaws on purpose, all but
//! one: the chapter lists them, and the exercise is the client without them.
//!
//! Run it against any TFTP server, e.g. the workbook's:
//!
//! ```text
//! cargo run -p tftp-solution --bin tftpd -- --root . --bind 127.0.0.1:6969
//! cargo run -p tftp --example tiny_get -- 127.0.0.1:6969 README.md /tmp/copy.md
//! ```

use std::fs::File;
use std::io::{self, Write};
use std::net::UdpSocket;
use std::time::Duration;

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [server, filename, rest @ ..] = args.as_slice() else {
        eprintln!("usage: tiny_get SERVER:PORT FILE [LOCAL]");
        std::process::exit(2);
    };
    let local = rest.first().unwrap_or(filename);

    // ANCHOR: request
    let socket = UdpSocket::bind("0.0.0.0:0")?;
    socket.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut rrq = 1u16.to_be_bytes().to_vec(); // opcode 1: RRQ
    rrq.extend_from_slice(filename.as_bytes());
    rrq.push(0);
    rrq.extend_from_slice(b"octet\0");
    socket.send_to(&rrq, server.as_str())?;
    // ANCHOR_END: request

    // ANCHOR: loop
    let mut expected: u16 = 1;
    let mut out = File::create(local)?;
    let mut packet = [0u8; 516];
    loop {
        let (len, peer) = socket.recv_from(&mut packet)?;
        let packet = &packet[..len];
        let opcode = u16::from_be_bytes([packet[0], packet[1]]);
        let block = u16::from_be_bytes([packet[2], packet[3]]);
        if opcode == 5 {
            let message = String::from_utf8_lossy(&packet[4..len - 1]);
            eprintln!("server said: {message}");
            std::process::exit(1);
        }
        if block == expected {
            out.write_all(&packet[4..])?;
            // Python's `expected += 1` grows past 65535 and never matches
            // again; a u16 must say what it does there: wrap to 0.
            expected = expected.wrapping_add(1);
        }
        let [a, b] = block.to_be_bytes();
        socket.send_to(&[0, 4, a, b], peer)?; // opcode 4: ACK
        if len < 516 {
            break;
        }
    }
    // ANCHOR_END: loop
    println!("received {filename} into {local}");
    Ok(())
}
