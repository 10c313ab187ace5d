//! Properties of the netascii translation (`tftp::netascii`): it loses no
//! byte, puts only legal CR pairs on the wire, and gives the same result
//! whatever the block boundaries fall on.

use std::io::{Read, Write};

use proptest::collection::vec;
use proptest::prelude::*;
use tftp::netascii::{self, Decoder, Encoder, NetasciiReader, NetasciiWriter};

/// Bytes rich in CR and LF, where the translation has work to do.
fn text() -> impl Strategy<Value = Vec<u8>> {
    // Plain random bytes, three eighths of them turned into CR, LF and NUL
    // (a map over `any::<u8>()` is much cheaper to generate than a union).
    vec(any::<u8>(), 0..600).prop_map(|mut bytes| {
        for b in &mut bytes {
            *b = match *b % 8 {
                0 => b'\r',
                1 => b'\n',
                2 => 0,
                _ => *b,
            };
        }
        bytes
    })
}

/// The same translation written out plainly, as the reference.
fn reference_encode(text: &[u8]) -> Vec<u8> {
    let mut wire = Vec::new();
    for &b in text {
        match b {
            b'\n' => wire.extend_from_slice(b"\r\n"),
            b'\r' => wire.extend_from_slice(b"\r\0"),
            other => wire.push(other),
        }
    }
    wire
}

proptest! {
    /// decode(encode(text)) is the text, for any bytes at all.
    #[test]
    fn decode_undoes_encode(text in text()) {
        prop_assert_eq!(netascii::decode(&netascii::encode(&text)), text);
    }

    /// LF goes out as CR LF, CR as CR NUL, everything else unchanged.
    #[test]
    fn encode_matches_the_rfc(text in text()) {
        prop_assert_eq!(netascii::encode(&text), reference_encode(&text));
    }

    /// On the wire every CR is followed by LF or NUL.
    #[test]
    fn the_wire_holds_only_legal_cr_pairs(text in text()) {
        let wire = netascii::encode(&text);
        for (i, &b) in wire.iter().enumerate() {
            if b == b'\r' {
                prop_assert!(matches!(wire.get(i + 1), Some(b'\n' | 0)), "bare CR at {}", i);
            }
        }
    }

    /// Encoding into output buffers of any size (down to one byte, which
    /// splits every CR pair) gives the same bytes as encoding in one go.
    #[test]
    fn the_encoder_does_not_care_where_buffers_end(text in text(), out_len in 1usize..20) {
        let mut encoder = Encoder::new();
        let mut wire = Vec::new();
        let mut input = &text[..];
        let mut buffer = vec![0u8; out_len];
        loop {
            let (consumed, written) = encoder.encode(input, &mut buffer);
            wire.extend_from_slice(&buffer[..written]);
            input = &input[consumed..];
            if input.is_empty() && !encoder.has_pending() {
                break;
            }
            prop_assert!(consumed > 0 || written > 0, "the encoder made no progress");
        }
        prop_assert_eq!(wire, reference_encode(&text));
    }

    /// Decoding a wire split at arbitrary points (a CR at the end of one
    /// block, its LF or NUL at the start of the next) gives the same text.
    #[test]
    fn the_decoder_does_not_care_where_blocks_end(text in text(), cuts in vec(any::<prop::sample::Index>(), 0..8)) {
        let wire = reference_encode(&text);
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(wire.len() + 1)).collect();
        points.sort_unstable();
        let mut decoder = Decoder::new();
        let mut out = Vec::new();
        let mut start = 0;
        for point in points.into_iter().chain([wire.len()]) {
            decoder.decode(&wire[start..point], &mut out);
            start = point;
        }
        decoder.finish(&mut out);
        prop_assert_eq!(out, text);
    }

    /// The Read and Write adapters agree with the one-shot functions.
    #[test]
    fn the_adapters_round_trip(text in text(), chunk in 1usize..64) {
        let mut wire = Vec::new();
        let mut reader = NetasciiReader::new(&text[..]);
        let mut buffer = vec![0u8; chunk];
        loop {
            let n = reader.read(&mut buffer).expect("reading from a slice");
            if n == 0 {
                break;
            }
            wire.extend_from_slice(&buffer[..n]);
        }
        prop_assert_eq!(&wire, &reference_encode(&text));

        let mut writer = NetasciiWriter::new(Vec::new());
        for piece in wire.chunks(chunk) {
            writer.write_all(piece).expect("writing to a Vec");
        }
        let back = writer.finish().expect("finishing");
        prop_assert_eq!(back, text);
    }
}
