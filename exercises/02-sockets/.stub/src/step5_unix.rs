//! Step 5: Unix-domain sockets — two programs on one machine.
//!
//! A Unix-domain socket has the same API as a TCP or UDP socket, but its address
//! is a *path* in the file system (or nothing, for the two ends of a socket
//! pair), and its bytes never touch the network: the kernel copies them from one
//! process to the other. `std::os::unix::net` has `UnixStream` and
//! `UnixDatagram`.
//!
//! Book: "Unix-domain sockets" in chapter 2.

use std::io;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

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

/// A Unix datagram socket bound to a fresh path in the temporary directory;
/// the path is removed when the value is dropped.
#[derive(Debug)]
pub struct NamedDatagram {
    socket: UnixDatagram,
    path: PathBuf,
}

impl NamedDatagram {
    /// Binds a datagram socket to a new path in `std::env::temp_dir()` whose
    /// file name holds `label`, the process id (`std::process::id()`) and a
    /// counter (a `static AtomicU64`), so that no two sockets of any running
    /// test share a path — for example `netlab-server-4242-7.sock`.
    ///
    /// Book: "Unix-domain sockets" (paths).
    ///
    /// # Errors
    /// `InvalidInput` if `label` is empty or holds anything but ASCII letters,
    /// digits, `-` and `_` (it becomes part of a file name); otherwise whatever
    /// `UnixDatagram::bind` reports.
    pub fn bind(label: &str) -> io::Result<Self> {
        // TODO: check the label, build the path, UnixDatagram::bind(&path).
        todo!("step 5: bind a datagram socket to a unique path")
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
        // Closing a socket does not remove its file: we must, or the next bind
        // to the same path fails with AddrInUse.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Receives one datagram on `server` (up to 64 KiB) and sends the same bytes
/// back to the sender's path; returns that path.
///
/// Book: "Unix-domain sockets" (datagrams, and who can be answered).
///
/// # Errors
/// `InvalidInput` if the sender has no path (`as_pathname()` is `None`: it
/// never bound one), because a reply would have nowhere to go. Any receive or
/// send error as it came.
pub fn echo_one_datagram(server: &UnixDatagram) -> io::Result<PathBuf> {
    // TODO: recv_from, `sender.as_pathname()`, send_to that path.
    todo!("step 5: echo one datagram to its sender")
}
