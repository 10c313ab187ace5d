//! Step 3: reading exactly one record, however the bytes arrive.
//!
//! Book: "No message boundaries" (chapter TCP). Tests:
//! `tests/step3_exact.rs`.
//!
//! A `read` returns whatever has arrived: one byte of a record, or a record
//! and a half. A reader of fixed-size records asks for exactly the bytes
//! still missing, again and again, and tells a clean end of the stream (no
//! byte of a new record) from a stream cut inside a record.

use std::io::{self, Read};

/// Reads one record of exactly `len` bytes from `reader`.
///
/// The task: a loop of `read` into the part of the record still missing
/// (`&mut record[filled..]`), until it is full.
///
/// Contract:
/// - `Ok(Some(record))` with exactly `len` bytes, whatever pieces they
///   came in: one byte per `read`, or two records in one write (never
///   read past the record: the next bytes belong to the next call);
/// - `Ok(None)` when the stream ends (`read` returns 0) before the first
///   byte of the record: a clean end;
/// - an error of kind `UnexpectedEof` when it ends inside the record,
///   saying how many of the `len` bytes had come;
/// - `Interrupted` is retried; any other error is returned;
/// - `len == 0` is `Ok(Some(vec![]))` without reading.
pub fn read_record(
    reader: &mut impl Read,
    len: usize,
) -> io::Result<Option<Vec<u8>>> {
    // TODO: a buffer of `len` bytes, a count of bytes filled, a loop.
    todo!("step 3: read_record")
}
