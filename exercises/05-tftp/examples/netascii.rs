//! Netascii, TFTP's text mode: on the wire every line ends in CR LF and a
//! lone CR is sent as CR NUL, whatever the two machines use at home.
//!
//! Run it: `cargo run -p tftp --example netascii`

// ANCHOR: encode
/// A Unix text (lines end in LF) as netascii.
fn to_netascii(text: &[u8]) -> Vec<u8> {
    let mut wire = Vec::with_capacity(text.len() + text.len() / 16);
    for &byte in text {
        match byte {
            b'\n' => wire.extend_from_slice(b"\r\n"),
            b'\r' => wire.extend_from_slice(b"\r\0"),
            other => wire.push(other),
        }
    }
    wire
}
// ANCHOR_END: encode

// ANCHOR: decode
/// Netascii back to a Unix text. A CR is only half of something: what it
/// means depends on the next byte, which may be in the next block.
fn from_netascii(wire: &[u8]) -> Vec<u8> {
    let mut text = Vec::with_capacity(wire.len());
    let mut after_cr = false;
    for &byte in wire {
        if after_cr {
            after_cr = false;
            match byte {
                b'\n' => {
                    text.push(b'\n');
                    continue;
                }
                0 => {
                    text.push(b'\r');
                    continue;
                }
                // Not netascii: keep the CR, then look at this byte anew.
                _ => text.push(b'\r'),
            }
        }
        if byte == b'\r' {
            after_cr = true;
        } else {
            text.push(byte);
        }
    }
    if after_cr {
        text.push(b'\r');
    }
    text
}
// ANCHOR_END: decode

fn main() {
    // ANCHOR: main
    let text = b"line one\nprogress 50%\rprogress 100%\n";
    let wire = to_netascii(text);
    println!(
        "file ({} bytes):     {:?}",
        text.len(),
        String::from_utf8_lossy(text)
    );
    println!(
        "netascii ({} bytes): {:?}",
        wire.len(),
        String::from_utf8_lossy(&wire)
    );
    assert_eq!(from_netascii(&wire), text);
    println!("decoded again:       the same {} bytes", text.len());
    // The size on the wire is not the size of the file: tsize and the
    // end rule count the netascii bytes.
    let (first, second) = wire.split_at(23);
    println!(
        "a block that ends after byte 23: {:?} | {:?}",
        String::from_utf8_lossy(first),
        String::from_utf8_lossy(second)
    );
    // ANCHOR_END: main
}
