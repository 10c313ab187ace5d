//! Step 9: half-close — "I have said everything; now I listen."
//!
//! Some servers answer only once the request is complete, and the only way
//! to say "complete" on a bare byte stream is to stop sending:
//! `shutdown(Write)` sends our FIN, and the server's `read` returns 0,
//! while our side can still read its answer. And when the server answers
//! *while* it reads (an echo), a client that writes everything before
//! reading anything can deadlock with it once both directions' buffers are
//! full — so the request is written on a thread of its own.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use crate::step1_client::timed_out_as_such;

/// Connects to `addr`, sends `request` and half-closes, and returns every
/// byte the server sends until it closes — reading all the while.
pub fn send_then_read(
    addr: SocketAddr,
    request: &[u8],
    timeout: Duration,
) -> io::Result<Vec<u8>> {
    let stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let mut writing = stream.try_clone()?;
    // A scoped thread may borrow `request`: it ends before this function.
    thread::scope(|scope| {
        let writer = scope.spawn(move || -> io::Result<()> {
            writing.write_all(request)?;
            // Our FIN: the server's `read` now returns 0, our reading
            // side stays open for its answer.
            writing.shutdown(Shutdown::Write)
        });
        let mut reply = Vec::new();
        let read = (&stream).read_to_end(&mut reply);
        let wrote = writer.join().unwrap_or_else(|_| {
            Err(io::Error::other("the writing thread panicked"))
        });
        wrote.map_err(timed_out_as_such)?;
        read.map_err(timed_out_as_such)?;
        Ok(reply)
    })
}
