// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 3: reading exactly one record, however the bytes arrive (book: "No
//! message boundaries").

use std::io::{self, Read, Write};
use std::thread;
use std::time::Duration;

use support::deadline;
use support::loopback::{connect_tcp, describe_bytes, tcp_listener};
use tcp::step3_exact::read_record;

const LIMIT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(2);

/// A connected pair on loopback: what the test writes on the first, the
/// code under test reads on the second.
fn pair() -> (std::net::TcpStream, std::net::TcpStream) {
    let listener = tcp_listener();
    let writer = connect_tcp(listener.local_addr().unwrap(), WAIT).unwrap();
    let (reader, _) = listener.accept().unwrap();
    reader.set_read_timeout(Some(WAIT)).unwrap();
    writer.set_nodelay(true).unwrap();
    (writer, reader)
}

/// Reads one record and fails with a message naming what was expected.
fn expect_record(reader: &mut impl Read, len: usize, expected: &[u8], how: &str) {
    match read_record(reader, len) {
        Ok(Some(record)) => assert!(
            record == expected,
            "{how}: expected the record {}, got {}",
            describe_bytes(expected),
            describe_bytes(&record)
        ),
        Ok(None) => panic!("{how}: expected {}, got None", describe_bytes(expected)),
        Err(error) => {
            panic!("{how}: expected {}, got {error}", describe_bytes(expected))
        }
    }
}

/// Two 12-byte records, sent one byte at a time with pauses, each come out
/// whole.
#[test]
fn read_record_collects_a_record_sent_one_byte_at_a_time() {
    deadline(LIMIT, "read_record with one byte per segment", || {
        let (mut writer, mut reader) = pair();
        thread::spawn(move || {
            for byte in b"first recordsecond recrd" {
                writer.write_all(&[*byte]).unwrap();
                thread::sleep(Duration::from_millis(2));
            }
        });
        let how = "the peer sent 24 bytes one at a time";
        expect_record(&mut reader, 12, b"first record", how);
        expect_record(&mut reader, 12, b"second recrd", how);
    });
}

/// Two records in one write: the first call must not swallow the second.
#[test]
fn read_record_leaves_the_next_record_in_the_stream() {
    deadline(LIMIT, "read_record with two records in one segment", || {
        let (mut writer, mut reader) = pair();
        writer.write_all(b"AAAAAAAABBBBBBBB").unwrap();
        drop(writer);
        let how =
            "the peer sent `AAAAAAAABBBBBBBB` in one write, records of 8 bytes";
        expect_record(&mut reader, 8, b"AAAAAAAA", how);
        expect_record(&mut reader, 8, b"BBBBBBBB", how);
        match read_record(&mut reader, 8) {
            Ok(None) => {}
            other => panic!(
                "{how} and closed: after two records expected None, got {other:?}"
            ),
        }
    });
}

/// The end of the stream before a record's first byte is a clean end.
#[test]
fn read_record_returns_none_at_a_clean_end() {
    deadline(LIMIT, "read_record at the end of the stream", || {
        let mut empty: &[u8] = b"";
        match read_record(&mut empty, 4) {
            Ok(None) => {}
            other => {
                panic!("from an empty stream, expected Ok(None), got {other:?}")
            }
        }
        let mut one: &[u8] = b"abcd";
        expect_record(&mut one, 4, b"abcd", "a stream of one 4-byte record");
        match read_record(&mut one, 4) {
            Ok(None) => {}
            other => {
                panic!("after the only record, expected Ok(None), got {other:?}")
            }
        }
    });
}

/// The stream ending inside a record is `UnexpectedEof`, and says how far
/// it got.
#[test]
fn read_record_reports_a_record_cut_short() {
    deadline(LIMIT, "read_record with a record cut short", || {
        let mut short: &[u8] = b"abc";
        match read_record(&mut short, 8) {
            Err(error) => {
                assert_eq!(
                    error.kind(),
                    io::ErrorKind::UnexpectedEof,
                    "3 bytes then the end, for a record of 8: wrong kind of error ({error})"
                );
                let message = error.to_string();
                assert!(
                    message.contains('3') && message.contains('8'),
                    "the error should say 3 of 8 bytes came; it says `{message}`"
                );
            }
            other => panic!(
                "3 bytes then the end, for a record of 8: expected UnexpectedEof, got {other:?}"
            ),
        }
    });
}

/// A reader that is interrupted by a signal on every other call, and gives
/// at most 3 bytes per call.
struct Interrupted<'a> {
    bytes: &'a [u8],
    calls: usize,
}

impl Read for Interrupted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls % 2 == 1 {
            return Err(io::Error::from(io::ErrorKind::Interrupted));
        }
        let len = buf.len().min(3).min(self.bytes.len());
        buf[..len].copy_from_slice(&self.bytes[..len]);
        self.bytes = &self.bytes[len..];
        Ok(len)
    }
}

/// `Interrupted` is no error: the read is tried again.
#[test]
fn read_record_retries_when_interrupted() {
    deadline(LIMIT, "read_record on an interrupted reader", || {
        let mut reader = Interrupted {
            bytes: b"interrupted!",
            calls: 0,
        };
        expect_record(
            &mut reader,
            12,
            b"interrupted!",
            "a reader that returns Interrupted on every other call",
        );
    });
}

/// A reader that must not be read.
struct Untouchable;

impl Read for Untouchable {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::other("read_record(…, 0) read the stream"))
    }
}

/// A record of 0 bytes is there without reading anything.
#[test]
fn read_record_of_zero_bytes_reads_nothing() {
    deadline(LIMIT, "read_record of 0 bytes", || {
        match read_record(&mut Untouchable, 0) {
            Ok(Some(record)) if record.is_empty() => {}
            other => panic!(
                "read_record(reader, 0): expected Ok(Some([])), got {other:?}"
            ),
        }
    });
}
