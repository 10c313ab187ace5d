//! Step 5: Unix-domain sockets — two programs on one machine.
//!
//! A Unix-domain socket has the same API as a TCP or UDP socket, but its address
//! is a *path* in the file system (or nothing at all, for the two ends of a
//! `socketpair`), and its bytes never touch the network stack: the kernel copies
//! them from one process to the other. Databases, Docker and systemd talk this
//! way. Two things catch newcomers: the path is a file that outlives the socket
//! unless someone removes it, and a datagram can only be answered if its sender
//! bound a path too.
//!
//! Book: "Unix-domain sockets" in chapter 2.

use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

/// The largest datagram [`echo_one_datagram`] passes on whole.
const MAX_DATAGRAM: usize = 64 * 1024;

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

/// A Unix datagram socket bound to a fresh path in the temporary directory;
/// the path is removed when the value is dropped.
#[derive(Debug)]
pub struct NamedDatagram {
    socket: UnixDatagram,
    path: PathBuf,
}

impl NamedDatagram {
    /// Binds a datagram socket to a new path in [`std::env::temp_dir`], named
    /// after `label`, the process id and a counter, so no two sockets of any
    /// test run share a path.
    ///
    /// # Errors
    /// `InvalidInput` if `label` is empty or holds anything but ASCII letters,
    /// digits, `-` and `_` (it becomes part of a file name); otherwise whatever
    /// `bind` reports, such as `InvalidInput` for a path too long for a socket.
    pub fn bind(label: &str) -> io::Result<Self> {
        check_label(label)?;
        let path = unique_socket_path(label);
        // A file left by an earlier process with our id would make bind fail
        // with AddrInUse; no live socket can own this name, so remove it.
        if path.exists() {
            std::fs::remove_file(&path)?;
        }
        let socket = UnixDatagram::bind(&path)?;
        Ok(NamedDatagram { socket, path })
    }

    /// The path others send to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The socket, for `send_to`, `recv_from` and timeouts.
    pub fn socket(&self) -> &UnixDatagram {
        &self.socket
    }
}

impl Drop for NamedDatagram {
    fn drop(&mut self) {
        // Closing a socket does not remove its file: we must. An error here
        // (someone removed it first) leaves nothing to clean up.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Receives one datagram on `server` and sends it back to its sender's path;
/// returns that path.
///
/// # Errors
/// `InvalidInput` if the sender has no path (an unbound socket or an abstract
/// address): there is nowhere to reply to. Any receive or send error as it came.
pub fn echo_one_datagram(server: &UnixDatagram) -> io::Result<PathBuf> {
    let mut buffer = vec![0; MAX_DATAGRAM];
    let (len, sender) = server.recv_from(&mut buffer)?;
    let Some(reply_to) = sender.as_pathname() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the datagram came from a socket with no path, so a reply has nowhere \
             to go: the sender must bind a path too",
        ));
    };
    server.send_to(&buffer[..len], reply_to)?;
    Ok(reply_to.to_path_buf())
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

/// A path in the temporary directory that no other socket of this or any
/// other live process uses.
fn unique_socket_path(label: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = format!("netlab-{label}-{}-{n}.sock", std::process::id());
    std::env::temp_dir().join(name)
}

/// Refuses labels that would make a strange or unsafe file name.
fn check_label(label: &str) -> io::Result<()> {
    let fits = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if label.is_empty() || !label.chars().all(fits) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{label:?} cannot name a socket file: use letters, digits, - and _"
            ),
        ));
    }
    Ok(())
}

/// The error a panicked helper thread becomes.
fn thread_panicked(which: &str) -> io::Error {
    io::Error::other(format!("the {which} thread panicked"))
}
