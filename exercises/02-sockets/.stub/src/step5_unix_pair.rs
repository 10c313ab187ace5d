//! Step 5: a Unix-domain socket pair — two ends, no address, one machine.
//!
//! A Unix-domain socket has the same API as a TCP or UDP socket, but its bytes
//! never touch the network: the kernel copies them from one process to the
//! other. `std::os::unix::net` has `UnixStream` and `UnixDatagram`; this step
//! uses the simplest of all, a connected pair of streams with no address.
//!
//! Book: "Unix-domain sockets" in chapter 2.

use std::io;

/// Sends each message through a connected pair of Unix stream sockets
/// (`UnixStream::pair()`) to a thread that echoes everything it reads, and
/// returns what came back: one reply per message, in order, each exactly as
/// long as its message (an empty message gets an empty reply).
///
/// A stream keeps no message boundaries, so cut the echoed bytes by the
/// lengths you sent. And send and receive *at the same time* (a second thread,
/// or `std::thread::scope`): a message larger than the socket's buffer fills
/// the echo side, the echo stops, and a writer that waits for it to finish
/// before reading waits for ever. When all is sent, `shutdown(Shutdown::Write)`
/// tells the echo thread to stop (its read returns 0).
///
/// Book: "Unix-domain sockets" (a socket pair).
///
/// # Errors
/// Any I/O error of the pair, or an error if a helper thread panicked.
pub fn echo_over_pair(messages: &[&[u8]]) -> io::Result<Vec<Vec<u8>>> {
    // TODO: UnixStream::pair(), an echo thread, a sending thread, read replies.
    todo!("step 5: echo over a Unix socket pair")
}
