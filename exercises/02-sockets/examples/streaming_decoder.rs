//! A streaming decoder: text that arrives in pieces, as it does from a
//! socket, decoded piece by piece without breaking a character in two, and
//! a malformed byte found and located.
//!
//! Run it: `cargo run -p sockets --example streaming_decoder`

use encoding_rs::{DecoderResult, GBK};

fn main() {
    // ANCHOR: pieces
    // "网络" in GBK is cd f8 c2 e7. The network cut it after the third byte,
    // in the middle of the second character.
    let pieces: [&[u8]; 2] = [&[0xcd, 0xf8, 0xc2], &[0xe7]];

    let mut decoder = GBK.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(16);
    for (i, piece) in pieces.iter().enumerate() {
        let last = i == pieces.len() - 1; // no more input after this one?
        let (result, read) =
            decoder.decode_to_string_without_replacement(piece, &mut text, last);
        println!("piece {i}: read {read} bytes, {result:?}, text so far {text:?}");
    }
    // ANCHOR_END: pieces

    // ANCHOR: malformed
    // "网", then 81 30 81, which begins like one of GBK's rare four-byte
    // characters, but 41 ("A") cannot end one; then "B".
    let bytes = [0xcd, 0xf8, 0x81, 0x30, 0x81, 0x41, 0x42];
    let mut decoder = GBK.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(16);
    let (result, read) =
        decoder.decode_to_string_without_replacement(&bytes, &mut text, true);
    println!("read {read} bytes, {result:?}, decoded {text:?}");
    if let DecoderResult::Malformed(bad, after) = result {
        // `read` counts everything the decoder took: the good bytes, then the
        // `bad` bytes of the malformed sequence, then `after` bytes it had
        // already looked at past it. Step back over the last two.
        let starts_at = read - usize::from(bad) - usize::from(after);
        println!("the malformed sequence is {bad} byte(s) at index {starts_at}");
    }
    // ANCHOR_END: malformed
}
