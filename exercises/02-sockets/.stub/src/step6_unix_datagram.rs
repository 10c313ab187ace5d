//! Step 6: Unix datagram sockets on a path — who can be answered.
//!
//! A Unix datagram socket's address is a *path* in the file system (the
//! socket's file), and its datagrams never touch the network. The path
//! outlives the socket unless someone removes it.
//!
//! Book: "Unix-domain sockets" in chapter 2.

use std::io;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};

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
        todo!("step 6: bind a datagram socket to a unique path")
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
    todo!("step 6: echo one datagram to its sender")
}
