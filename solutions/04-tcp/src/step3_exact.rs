//! Step 3: reading exactly one record, however the bytes arrive.
//!
//! A `read` returns whatever has arrived: one byte of a record, or a record
//! and a half. So a reader of fixed-size records asks for exactly the bytes
//! still missing, again and again, and tells a clean end of the stream (no
//! byte of a new record) from a stream cut inside a record.

use std::io::{self, Read};

/// Reads one record of exactly `len` bytes from `reader`: `Ok(None)` when
/// the stream ends cleanly before its first byte.
pub fn read_record(
    reader: &mut impl Read,
    len: usize,
) -> io::Result<Option<Vec<u8>>> {
    let mut record = vec![0; len];
    let mut filled = 0;
    while filled < len {
        // Ask only for what is missing: never read into the next record.
        match reader.read(&mut record[filled..]) {
            Ok(0) if filled == 0 => return Ok(None),
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("the stream ended after {filled} of {len} bytes"),
                ));
            }
            Ok(got) => filled += got,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
    }
    Ok(Some(record))
}
