//! Unix-domain sockets: two ends of one machine, no network involved.
//!
//! A connected pair across two threads, then datagrams between two sockets
//! with paths in the temporary directory (removed at the end), then, on Linux,
//! a socket in the abstract namespace, which has a name but no file.
//!
//! Run it: `cargo run -p sockets --example unix_sockets` (Linux, macOS, WSL)

#[cfg(unix)]
use std::io::{self, BufRead, BufReader, Write};
#[cfg(unix)]
use std::os::unix::net::{UnixDatagram, UnixStream};
#[cfg(unix)]
use std::thread;
#[cfg(unix)]
use std::time::Duration;

#[cfg(unix)]
fn main() -> io::Result<()> {
    pair()?;
    datagrams()?;
    #[cfg(target_os = "linux")]
    abstract_name()?;
    Ok(())
}

#[cfg(not(unix))]
fn main() {
    println!("Unix-domain sockets need Linux or macOS (or WSL on Windows).");
}

/// Two connected sockets, one per thread.
#[cfg(unix)]
fn pair() -> io::Result<()> {
    // ANCHOR: pair
    // Two sockets, already connected: no address, no bind, no accept.
    let (mut parent, child) = UnixStream::pair()?;
    let worker = thread::spawn(move || -> io::Result<()> {
        let mut lines = BufReader::new(&child);
        let mut line = String::new();
        lines.read_line(&mut line)?;
        (&child).write_all(line.to_uppercase().as_bytes())
    });
    parent.set_read_timeout(Some(Duration::from_secs(2)))?;
    parent.write_all(b"hello from the other end\n")?;
    let mut reply = String::new();
    BufReader::new(&parent).read_line(&mut reply)?;
    print!("the pair answered: {reply}");
    worker.join().expect("the worker thread panicked")?;
    // ANCHOR_END: pair
    Ok(())
}

/// A request and a reply between two sockets with paths.
#[cfg(unix)]
fn datagrams() -> io::Result<()> {
    // ANCHOR: datagram
    let dir = std::env::temp_dir();
    let id = std::process::id();
    let server_path = dir.join(format!("netlab-example-server-{id}.sock"));
    let client_path = dir.join(format!("netlab-example-client-{id}.sock"));

    let server = UnixDatagram::bind(&server_path)?; // creates the file
    let client = UnixDatagram::bind(&client_path)?; // so replies can find us
    client.set_read_timeout(Some(Duration::from_secs(2)))?;
    server.set_read_timeout(Some(Duration::from_secs(2)))?;

    client.send_to(b"ping", &server_path)?;
    let mut buffer = [0; 64];
    let (len, from) = server.recv_from(&mut buffer)?;
    let text = String::from_utf8_lossy(&buffer[..len]);
    println!("server got {text:?} from {from:?}");
    if let Some(path) = from.as_pathname() {
        server.send_to(b"pong", path)?;
    }
    let len = client.recv(&mut buffer)?;
    println!("client got {:?}", String::from_utf8_lossy(&buffer[..len]));

    // Closing a socket leaves its file behind: remove it ourselves.
    drop((server, client));
    std::fs::remove_file(&server_path)?;
    std::fs::remove_file(&client_path)?;
    // ANCHOR_END: datagram
    Ok(())
}

/// A socket with a name but no file.
#[cfg(target_os = "linux")]
fn abstract_name() -> io::Result<()> {
    // ANCHOR: abstract
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::SocketAddr;

    // A name that starts with a NUL byte: in the kernel, not on disk.
    let name = format!("netlab-example-{}", std::process::id());
    let addr = SocketAddr::from_abstract_name(name.as_bytes())?;
    let server = UnixDatagram::bind_addr(&addr)?;
    server.set_read_timeout(Some(Duration::from_secs(2)))?;
    let client = UnixDatagram::unbound()?;
    client.send_to_addr(b"no file needed", &addr)?;
    let mut buffer = [0; 64];
    let len = server.recv(&mut buffer)?;
    let text = String::from_utf8_lossy(&buffer[..len]);
    println!("abstract socket @{name} got {text:?}");
    // ANCHOR_END: abstract
    Ok(())
}
