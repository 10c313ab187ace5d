//! The same text as bytes in UTF-8 and in GBK, and what a reader sees when
//! the two sides disagree about the encoding.
//!
//! Run it: `cargo run -p sockets --example mojibake`

use std::io;
use std::net::UdpSocket;
use std::time::Duration;

use encoding_rs::GBK;

fn main() -> io::Result<()> {
    // ANCHOR: bytes
    let text = "你好";
    let utf8 = text.as_bytes(); // a Rust str *is* UTF-8
    let (gbk, _, _) = GBK.encode(text);
    println!("{text} in UTF-8: {}", hex(utf8));
    println!("{text} in GBK:   {}", hex(&gbk));
    // ANCHOR_END: bytes

    // ANCHOR: misread
    let (utf8_read_as_gbk, _) = GBK.decode_without_bom_handling(utf8);
    let gbk_read_as_utf8 = String::from_utf8_lossy(&gbk);
    println!("UTF-8 bytes read as GBK: {utf8_read_as_gbk}");
    println!("GBK bytes read as UTF-8: {gbk_read_as_utf8}");
    // ANCHOR_END: misread

    // ANCHOR: strict
    match std::str::from_utf8(&gbk) {
        Ok(text) => println!("valid UTF-8: {text}"),
        Err(e) => println!("strict UTF-8 decoding refuses: {e}"),
    }
    match GBK.decode_without_bom_handling_and_without_replacement(utf8) {
        Some(text) => println!("\"valid\" GBK, and wrong: {text}"),
        None => println!("strict GBK decoding refuses"),
    }
    // ANCHOR_END: strict

    // ANCHOR: wire
    // An old client sends GBK; the receiver must know to decode GBK.
    let receiver = UdpSocket::bind("127.0.0.1:0")?;
    receiver.set_read_timeout(Some(Duration::from_secs(2)))?;
    let old_client = UdpSocket::bind("127.0.0.1:0")?;
    let (message, _, _) = GBK.encode("网络编程");
    old_client.send_to(&message, receiver.local_addr()?)?;

    let mut buffer = [0; 1500];
    let (len, _) = receiver.recv_from(&mut buffer)?;
    let bytes = &buffer[..len];
    println!("received {}", hex(bytes));
    println!("  as UTF-8: {}", String::from_utf8_lossy(bytes));
    println!("  as GBK:   {}", GBK.decode_without_bom_handling(bytes).0);
    // ANCHOR_END: wire
    Ok(())
}

/// Bytes as two-digit hex, the way a packet capture shows them.
fn hex(bytes: &[u8]) -> String {
    let pairs: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    pairs.join(" ")
}
