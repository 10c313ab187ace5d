//! Step 5: a Unix-domain socket pair — two ends, no address, one machine.
//!
//! A Unix-domain socket has the same API as a TCP or UDP socket, but its bytes
//! never touch the network stack: the kernel copies them from one process to
//! the other. Databases, Docker and systemd talk this way. The simplest kind is
//! a *socket pair*: two connected stream sockets and no address at all. A
//! stream keeps no message boundaries, and a writer that waits for its reader
//! while the reader waits for it deadlocks: this step meets both.
//!
//! Book: "Unix-domain sockets" in chapter 2.

use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::thread;

/// Sends each message through a connected pair of Unix stream sockets to a
/// thread that echoes, and returns what came back, one reply per message.
///
/// Sending and receiving run at the same time, on two threads: a message larger
/// than the socket's buffer would otherwise fill the echo side's buffer, stop
/// the echo, and leave the writer waiting for ever.
///
/// # Errors
/// Any I/O error of the pair; `BrokenPipe`-like errors if the echo side died.
pub fn echo_over_pair(messages: &[&[u8]]) -> io::Result<Vec<Vec<u8>>> {
    // Two sockets already connected to each other: no path, no bind, no accept.
    let (ours, theirs) = UnixStream::pair()?;
    thread::scope(|scope| {
        let echo = scope.spawn(move || echo_until_closed(theirs));
        let sender = scope.spawn(|| send_all(&ours, messages));
        let replies = read_replies(&ours, messages);
        if replies.is_err() {
            // Unblock the sender, who may be waiting for room that never comes.
            let _ = ours.shutdown(Shutdown::Both);
        }
        let sent = sender.join().map_err(|_| thread_panicked("sender"))?;
        let echoed = echo.join().map_err(|_| thread_panicked("echo"))?;
        let replies = replies?;
        sent?;
        echoed?;
        Ok(replies)
    })
}

/// Echoes everything it reads until the other side shuts down its writing half.
fn echo_until_closed(mut stream: UnixStream) -> io::Result<()> {
    let mut buffer = [0; 8192];
    loop {
        let len = stream.read(&mut buffer)?;
        if len == 0 {
            return Ok(());
        }
        stream.write_all(&buffer[..len])?;
    }
}

/// Writes every message, then closes our writing half so the echo side's read
/// returns 0 and it stops.
fn send_all(mut stream: &UnixStream, messages: &[&[u8]]) -> io::Result<()> {
    for message in messages {
        stream.write_all(message)?;
    }
    stream.shutdown(Shutdown::Write)
}

/// Reads the replies back. A stream keeps no message boundaries, so we cut the
/// bytes by the lengths of the messages we sent.
fn read_replies(
    mut stream: &UnixStream,
    messages: &[&[u8]],
) -> io::Result<Vec<Vec<u8>>> {
    messages
        .iter()
        .map(|message| {
            let mut reply = vec![0; message.len()];
            stream.read_exact(&mut reply)?;
            Ok(reply)
        })
        .collect()
}

/// The error a panicked helper thread becomes.
fn thread_panicked(which: &str) -> io::Error {
    io::Error::other(format!("the {which} thread panicked"))
}
