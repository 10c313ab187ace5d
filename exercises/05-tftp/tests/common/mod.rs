//! What the step tests share: time limits, quick client and server
//! settings, test files, temporary roots and a server started on loopback.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tftp::client::ClientOptions;
use tftp::server::{RunningServer, Server, ServerConfig};

/// The longest any test may run before it fails as hung.
pub const LIMIT: Duration = Duration::from_secs(20);

/// A client that waits 200 ms for an answer and tries 4 more times: quick
/// to notice a loss, quick to give up.
pub fn quick_client() -> ClientOptions {
    ClientOptions {
        local_timeout: Duration::from_millis(200),
        retries: 4,
        ..ClientOptions::default()
    }
}

/// A client patient enough for a 20 %-lossy network.
pub fn patient_client() -> ClientOptions {
    ClientOptions {
        local_timeout: Duration::from_millis(150),
        retries: 12,
        ..ClientOptions::default()
    }
}

/// A file of `len` bytes that differ from block to block, so a block
/// written twice or out of place shows.
pub fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| {
            (i as u32).wrapping_mul(31).wrapping_add(i as u32 / 512) as u8 ^ seed
        })
        .collect()
}

/// Compares two files and says where they first differ.
pub fn assert_same_bytes(what: &str, expected: &[u8], got: &[u8]) {
    if expected == got {
        return;
    }
    let at = expected
        .iter()
        .zip(got)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(got.len()));
    panic!(
        "{what}: expected {} bytes, got {}; first difference at byte {at} (block {} \
         of 512 bytes)",
        expected.len(),
        got.len(),
        at / 512 + 1
    );
}

/// A temporary directory, deleted when dropped.
pub struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    /// A new empty directory.
    pub fn new() -> Root {
        Root {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside it.
    pub fn join(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file inside it.
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// The names in it, sorted (hidden temporary files included).
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// Server settings for tests: loopback, any port, a 300 ms timeout and 3
/// retries.
pub fn server_config(root: &Path) -> ServerConfig {
    ServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        timeout: Duration::from_millis(300),
        retries: 3,
        ..ServerConfig::new(root)
    }
}

/// Starts a server with `config` on its own thread.
pub fn start(config: ServerConfig) -> (RunningServer, SocketAddr) {
    let server = Server::bind(config).expect("Server::bind failed");
    let running = server.spawn().expect("Server::spawn failed");
    let addr = running.local_addr();
    (running, addr)
}

/// Ignores progress.
pub fn no_progress() -> impl FnMut(tftp::client::Progress) {
    |_| {}
}
