//! Step 9: half-close — "I have said everything; now I listen."
//!
//! Book: "Half-close" (chapter TCP). Tests: `tests/step9_half_close.rs`.
//!
//! Some servers answer only once the request is complete, and the only way
//! to say "complete" on a bare byte stream is to stop sending:
//! `shutdown(Shutdown::Write)` sends our FIN, and the server's `read`
//! returns 0, while our side can still read its answer. And when the
//! server answers *while* it reads (an echo), a client that writes
//! everything before reading anything can deadlock with it once both
//! directions' buffers are full — so the request is written on a thread of
//! its own.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use crate::step1_client::timed_out_as_such;

/// Connects to `addr`, sends `request` and half-closes, and returns every
/// byte the server sends until it closes — reading all the while.
///
/// The task: connect and set timeouts as in step 1. `try_clone` the
/// stream; in a scoped thread (`thread::scope`, so it may borrow
/// `request`) `write_all` the request on the clone and then
/// `shutdown(Shutdown::Write)`; meanwhile `read_to_end` on this thread.
/// Join the writer before returning.
///
/// Contract:
/// - a server that waits for the end of the request (EOF) before it
///   answers gets it, and its whole answer comes back, however long;
/// - a server that answers as it reads (an echo) gets a request far
///   larger than the socket buffers (megabytes) and the whole echo comes
///   back: writing and reading go on at the same time;
/// - an error of either side is returned (the writer's first), a timeout
///   as `TimedOut`.
pub fn send_then_read(
    addr: SocketAddr,
    request: &[u8],
    timeout: Duration,
) -> io::Result<Vec<u8>> {
    // TODO: connect, timeouts, try_clone, a scoped writer thread, read.
    todo!("step 9: send_then_read")
}
