//! Steps 2, 3, 4, 7 and 8: the client, [`get`] and [`put`] a file (book: "A
//! download client", "When packets go missing", "Uploads", "Options").
//!
//! A transfer opens with a request to the server's well-known port (69, or
//! whatever `server` says). The server answers from a **new port**, the
//! transfer's ID (TID), and the rest of the conversation happens there:
//!
//! ```text
//!   get (RFC 1350)           get with blksize           put (RFC 1350)
//!   RRQ   -> :69             RRQ blksize=1024 -> :69    WRQ   -> :69
//!         <- DATA 1 :TID          <- OACK :TID                <- ACK 0 :TID
//!   ACK 1 -> :TID            ACK 0 -> :TID              DATA 1 -> :TID
//!         <- DATA 2 (short)       <- DATA 1 ...               <- ACK 1 ...
//!   ACK 2 -> :TID
//! ```
//!
//! `get` and `put` take a `progress` callback: call it with the bytes
//! written (get) or acknowledged (put) so far, after each block. A command
//! line client draws its progress bar from it; tests count with it.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use crate::transfer::TransferError;

/// What the client asks for, and how patient it is.
///
/// Options are only sent when set: the default is a plain RFC 1350 request
/// that every server understands.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// The `blksize` option to ask for (step 7).
    pub blksize: Option<u16>,
    /// The `windowsize` option to ask for in a `get` (step 8).
    pub windowsize: Option<u16>,
    /// The longest wait for an answer before sending the last packet again
    /// (step 3).
    pub local_timeout: Duration,
    /// Timeouts in a row, each followed by a resend, before giving up
    /// (step 3).
    pub retries: u32,
}

impl Default for ClientOptions {
    /// No options, one second of patience, five retries.
    fn default() -> ClientOptions {
        ClientOptions {
            blksize: None,
            windowsize: None,
            local_timeout: Duration::from_secs(1),
            retries: 5,
        }
    }
}

/// Where a transfer stands, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Bytes received (get) or acknowledged (put) so far.
    pub transferred: u64,
    /// The file's size when known (the `size` given to [`put`]), else
    /// `None`.
    pub total: Option<u64>,
}

/// What a successful transfer reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// The block size in force (512 unless a `blksize` was agreed).
    pub blksize: usize,
    /// The window in force (1 unless a `windowsize` was agreed).
    pub windowsize: u16,
}

/// Downloads `remote` from the server listening at `server` into `sink`.
///
/// **Step 2, lock-step (RFC 1350).**
/// - Send the RRQ (`remote`, octet mode) from a new UDP socket of your own
///   (bound to port 0 on `0.0.0.0`, or `[::]` for an IPv6 server).
/// - The first answer comes from a new port: that address is the server's
///   transfer ID; send everything after the RRQ there.
/// - Write the payload of DATA 1, 2, 3, … to `sink`, in order, and answer
///   each DATA with the ACK of **the block it carried**.
/// - A DATA shorter than the block size (512 bytes) is the last: ACK it and
///   return. A file whose size is a multiple of 512 ends with an empty
///   block; until that block, the file is not over.
/// - Block numbers are 16 bits: after block 65535 comes block 0, then 1.
/// - An ERROR from the server ends the download with
///   [`TransferError::Remote`] carrying its code and message.
/// - Call `progress` after each block written (`total: None`).
///
/// **Step 3, loss and strangers.**
/// - Wait at most `options.local_timeout` for each answer. When it does
///   not come, send your last packet (the RRQ, or your last ACK) again;
///   after `options.retries` such resends in a row, the next timeout ends
///   the download with [`TransferError::TimedOut`].
/// - A DATA for the block you have just acknowledged (your ACK was lost, so
///   the server sent it again) gets that ACK again, and is **not** written
///   a second time.
/// - A datagram from any other address than the server's transfer ID is
///   answered with ERROR 5 (unknown transfer ID), sent to that address, and
///   otherwise ignored: the download goes on.
/// - A datagram from the server that does not decode, or is neither DATA
///   nor ERROR, gets ERROR 4 (illegal operation) and ends the download with
///   [`TransferError::Protocol`].
///
/// **Step 7, `blksize`.** When `options.blksize` is set, the RRQ carries
/// it (see [`crate::options`]). A server that accepts answers with an OACK:
/// check it with [`crate::options::Options::check_oack`], send ACK 0, and
/// use the agreed size (a last block is then one shorter than *it*); a bad
/// OACK gets ERROR 8 and ends the download with
/// [`TransferError::Options`]. A server that ignores options answers with
/// DATA 1 straight away: go on with 512-byte blocks.
///
/// **Step 8, `windowsize`.** When `options.windowsize` is set, ask for it
/// too. With a window of `w` blocks the server sends `w` blocks before it
/// waits: acknowledge every `w`-th block received in order (counting from
/// your last ACK) and the last block. A block beyond the one you expect
/// means one was lost: acknowledge **at once** the last block you have in
/// order (once per gap), drop the early block, and let the server go on
/// from there.
///
/// Returns the block size and window in force.
pub fn get<W: Write + ?Sized>(
    server: SocketAddr,
    remote: &str,
    sink: &mut W,
    options: &ClientOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, TransferError> {
    todo!("steps 2, 3, 7 and 8: download in lock-step, then with options")
}

/// Downloads `remote` into the file `local`, as [`get`] does (step 2).
///
/// A download that fails leaves `local` exactly as it was: absent, or the
/// old file untouched. So write to a temporary file in `local`'s directory
/// and rename it to `local` only once the last block is in.
pub fn get_file(
    server: SocketAddr,
    remote: &str,
    local: &Path,
    options: &ClientOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, TransferError> {
    todo!("step 2: a temporary file, renamed once whole")
}

/// Uploads what `source` gives as `remote` to the server at `server`.
///
/// **Step 4.**
/// - Send a WRQ (`remote`, octet mode) from a new socket. The server
///   answers ACK 0 from its transfer ID; send everything after the WRQ
///   there.
/// - Send the file in DATA 1, 2, 3, … of 512 bytes, each after the ACK of
///   the one before; a block is 512 bytes unless `source` has ended (a
///   `read` may return fewer bytes at any time: keep reading until the
///   block is full or `read` returns 0). The last block is shorter (empty
///   if need be); the upload is done when its ACK arrives.
/// - On a timeout (`options.local_timeout`) send the unacknowledged DATA
///   again, with the retry limit of [`get`]; ERROR packets and strangers as
///   in [`get`].
/// - An ACK of an earlier block (a duplicate) changes nothing: never send
///   DATA because an ACK came twice, only because of a timeout (the
///   Sorcerer's Apprentice bug doubles every packet otherwise).
/// - `progress` after each ACK, with `total: size`.
///
/// **Step 7.** With `options.blksize`, the WRQ carries it: an OACK answers
/// instead of ACK 0 (checked as in [`get`]; then DATA 1 follows), and the
/// blocks have the agreed size. `options.windowsize` is for downloads: a
/// put does not ask for it.
pub fn put<R: Read + ?Sized>(
    server: SocketAddr,
    remote: &str,
    source: &mut R,
    size: Option<u64>,
    options: &ClientOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Summary, TransferError> {
    todo!("step 4: upload in lock-step")
}
