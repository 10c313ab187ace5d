// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 5: length-prefixed frames, with a limit (book: "Framing").

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use support::deadline;
use support::loopback::{connect_tcp, describe_bytes, tcp_listener};
use tcp::step5_frames::{FrameError, FrameReader, MAX_FRAME, write_frame};

const LIMIT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(2);

/// `payload` framed by hand: its length in 4 big-endian bytes, then it.
fn framed(payload: &[u8]) -> Vec<u8> {
    let mut bytes = (payload.len() as u32).to_be_bytes().to_vec();
    bytes.extend_from_slice(payload);
    bytes
}

/// A reader that gives its bytes one per `read`.
struct OneByteAtATime<'a>(&'a [u8]);

impl Read for OneByteAtATime<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some((first, rest)) = self.0.split_first() else {
            return Ok(0);
        };
        if buf.is_empty() {
            return Ok(0);
        }
        buf[0] = *first;
        self.0 = rest;
        Ok(1)
    }
}

/// The next frame, which must be `expected`.
fn expect_frame<R: Read>(reader: &mut FrameReader<R>, expected: &[u8], how: &str) {
    match reader.read_frame() {
        Ok(Some(frame)) => assert!(
            frame == expected,
            "{how}: expected the frame {}, got {}",
            describe_bytes(expected),
            describe_bytes(&frame)
        ),
        Ok(None) => panic!("{how}: expected {}, got None", describe_bytes(expected)),
        Err(error) => {
            panic!("{how}: expected {}, got {error}", describe_bytes(expected))
        }
    }
}

/// A connected pair: the test writes on the first, reads with a timeout on
/// the second.
fn pair() -> (TcpStream, TcpStream) {
    let listener = tcp_listener();
    let writer = connect_tcp(listener.local_addr().unwrap(), WAIT).unwrap();
    let (reader, _) = listener.accept().unwrap();
    reader.set_read_timeout(Some(WAIT)).unwrap();
    (writer, reader)
}

/// `write_frame` puts the 4-byte big-endian length before the payload;
/// three frames (one empty) written back to back come out one by one, then
/// `None`.
#[test]
fn frames_round_trip_through_write_frame_and_read_frame() {
    deadline(LIMIT, "write_frame and read_frame", || {
        let mut wire = Vec::new();
        write_frame(&mut wire, b"hi").expect("write_frame(b\"hi\") failed");
        assert!(
            wire == [0, 0, 0, 2, b'h', b'i'],
            "write_frame(b\"hi\") wrote {}, expected [00 00 00 02 68 69]",
            describe_bytes(&wire)
        );
        write_frame(&mut wire, b"").unwrap();
        write_frame(&mut wire, &[7; 300]).unwrap();
        let mut reader = FrameReader::new(&wire[..]);
        let how = "three frames in one buffer";
        expect_frame(&mut reader, b"hi", how);
        expect_frame(&mut reader, b"", how);
        expect_frame(&mut reader, &[7; 300], how);
        match reader.read_frame() {
            Ok(None) => {}
            other => panic!(
                "{how}: after the last frame expected Ok(None), got {other:?}"
            ),
        }
    });
}

/// Frames arriving one byte per `read` come out whole.
#[test]
fn read_frame_reassembles_frames_sent_one_byte_at_a_time() {
    deadline(LIMIT, "read_frame one byte at a time", || {
        let mut wire = framed(b"one byte");
        wire.extend(framed(b"at a time"));
        let mut reader = FrameReader::new(OneByteAtATime(&wire));
        let how = "a reader giving one byte per read";
        expect_frame(&mut reader, b"one byte", how);
        expect_frame(&mut reader, b"at a time", how);
    });
}

/// Over TCP, several frames in one segment: each is kept for its call.
#[test]
fn read_frame_keeps_the_frames_that_came_in_the_same_read() {
    deadline(LIMIT, "read_frame with five frames in one write", || {
        let (mut writer, stream) = pair();
        let mut wire = Vec::new();
        for i in 0..5u8 {
            wire.extend(framed(&[i; 10]));
        }
        writer.write_all(&wire).unwrap();
        drop(writer);
        let mut reader = FrameReader::new(stream);
        for i in 0..5u8 {
            expect_frame(&mut reader, &[i; 10], "five frames sent in one write");
        }
        match reader.read_frame() {
            Ok(None) => {}
            other => panic!(
                "after five frames and a close, expected Ok(None), got {other:?}"
            ),
        }
    });
}

/// The end of the stream inside a frame — in its prefix or its payload — is
/// `Truncated`, with the bytes of it that came.
#[test]
fn a_frame_cut_short_is_truncated() {
    deadline(LIMIT, "read_frame on frames cut short", || {
        let mut in_prefix = FrameReader::new(&[0u8, 0][..]);
        match in_prefix.read_frame() {
            Err(FrameError::Truncated { buffered: 2 }) => {}
            other => panic!(
                "2 bytes of a prefix, then the end: expected Truncated {{ buffered: 2 }}, got {other:?}"
            ),
        }
        let mut wire = framed(b"0123456789");
        wire.truncate(7);
        let mut in_payload = FrameReader::new(&wire[..]);
        match in_payload.read_frame() {
            Err(FrameError::Truncated { buffered: 7 }) => {}
            other => panic!(
                "a prefix of 10, 3 bytes of payload, then the end: expected \
                 Truncated {{ buffered: 7 }}, got {other:?}"
            ),
        }
    });
}

/// A prefix over the limit is refused as soon as it arrives: the payload is
/// never awaited (the connection stays open and silent).
#[test]
fn a_prefix_over_the_limit_is_refused_before_its_payload() {
    deadline(LIMIT, "read_frame with a prefix over the limit", || {
        let (mut writer, stream) = pair();
        writer.write_all(&17u32.to_be_bytes()).unwrap();
        let mut reader = FrameReader::with_limit(stream, 16);
        match reader.read_frame() {
            Err(FrameError::TooLarge { len: 17, max: 16 }) => {}
            other => panic!(
                "limit 16, a prefix of 17 and no payload (the connection stays \
                 open): expected TooLarge {{ len: 17, max: 16 }} at once, got {other:?}"
            ),
        }
        // 4 GB, said in 4 bytes: refused, not allocated.
        let mut reader = FrameReader::new(&[0xff, 0xff, 0xff, 0xff][..]);
        match reader.read_frame() {
            Err(FrameError::TooLarge {
                len: 0xffff_ffff,
                max: MAX_FRAME,
            }) => {}
            other => panic!(
                "a prefix of ff ff ff ff (4 GB): expected TooLarge {{ len: 4294967295, \
                 max: MAX_FRAME }}, got {other:?}"
            ),
        }
        drop(writer);
    });
}

/// The limit is inclusive: exactly `max_len` bytes is a frame, one more is
/// refused, even when the whole payload is there.
#[test]
fn a_frame_of_exactly_the_limit_is_accepted() {
    deadline(LIMIT, "read_frame at the limit", || {
        let mut wire = framed(&[1; 16]);
        wire.extend(framed(&[2; 17]));
        let mut reader = FrameReader::with_limit(&wire[..], 16);
        expect_frame(&mut reader, &[1; 16], "limit 16, a frame of 16");
        match reader.read_frame() {
            Err(FrameError::TooLarge { len: 17, max: 16 }) => {}
            other => panic!(
                "limit 16, a whole frame of 17 bytes: expected TooLarge {{ len: 17, max: 16 }}, got {other:?}"
            ),
        }
    });
}

/// `write_frame` refuses a payload over `MAX_FRAME` and writes nothing.
#[test]
fn write_frame_refuses_a_payload_over_max_frame() {
    deadline(LIMIT, "write_frame with too much", || {
        let mut wire = Vec::new();
        write_frame(&mut wire, &vec![0; MAX_FRAME])
            .expect("MAX_FRAME bytes is fine");
        assert_eq!(wire.len(), 4 + MAX_FRAME);
        let mut wire = Vec::new();
        match write_frame(&mut wire, &vec![0; MAX_FRAME + 1]) {
            Err(FrameError::TooLarge { len, max }) => {
                assert_eq!((len, max), ((MAX_FRAME + 1) as u64, MAX_FRAME));
            }
            other => panic!("MAX_FRAME + 1 bytes: expected TooLarge, got {other:?}"),
        }
        assert!(
            wire.is_empty(),
            "a refused frame must write nothing; {} bytes were written",
            wire.len()
        );
    });
}
