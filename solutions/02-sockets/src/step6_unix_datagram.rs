//! Step 6: Unix datagram sockets on a path — who can be answered.
//!
//! A Unix datagram socket's address is a *path* in the file system. Two things
//! catch newcomers: the path is a file that outlives the socket unless someone
//! removes it, and a datagram can only be answered if its sender bound a path
//! too.
//!
//! Book: "Unix-domain sockets" in chapter 2.

use std::io;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The largest datagram [`echo_one_datagram`] passes on whole.
const MAX_DATAGRAM: usize = 64 * 1024;

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
