//! Each common socket error, provoked on purpose on this machine.
//!
//! Every case uses loopback (or an address that is refused before anything is
//! sent) and stops by itself. For each error it prints the `io::ErrorKind`
//! a program should match on and the system's own message.
//!
//! Run it: `cargo run -p sockets --example socket_errors`

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::thread;
use std::time::Duration;

use socket2::SockRef;

const WAIT: Duration = Duration::from_secs(2);

fn main() -> io::Result<()> {
    // ANCHOR: refused
    // Take a free port, then free it: nothing listens there now.
    let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    show(
        "connect to a closed port",
        TcpStream::connect_timeout(&addr, WAIT),
    );
    // ANCHOR_END: refused

    // ANCHOR: in_use
    let taken = TcpListener::bind("127.0.0.1:0")?;
    show("bind a taken port", TcpListener::bind(taken.local_addr()?));
    // ANCHOR_END: in_use

    // ANCHOR: not_available
    // 192.0.2.1 is reserved for documentation: no machine has it.
    let foreign = SocketAddr::from((Ipv4Addr::new(192, 0, 2, 1), 0));
    show("bind an address we lack", UdpSocket::bind(foreign));
    // ANCHOR_END: not_available

    // ANCHOR: permission
    // Ports below 1024 are privileged on Unix (allowed if you are root).
    show("bind port 1", TcpListener::bind("127.0.0.1:1"));
    // ANCHOR_END: permission

    // ANCHOR: timeout
    let quiet = UdpSocket::bind("127.0.0.1:0")?;
    quiet.set_read_timeout(Some(Duration::from_millis(200)))?;
    show("receive with a timeout", quiet.recv(&mut [0; 16]));
    // ANCHOR_END: timeout

    // ANCHOR: reset
    let (mut ours, theirs) = connected_pair()?;
    // SO_LINGER of zero: close sends a reset (RST) instead of a goodbye (FIN).
    SockRef::from(&theirs).set_linger(Some(Duration::ZERO))?;
    drop(theirs);
    thread::sleep(Duration::from_millis(50));
    show("read after a reset", ours.read(&mut [0; 16]));
    // ANCHOR_END: reset

    // ANCHOR: broken_pipe
    let (mut ours, theirs) = connected_pair()?;
    drop(theirs);
    let _ = ours.write(b"first"); // accepted; the peer answers with a reset
    thread::sleep(Duration::from_millis(50));
    show("write after the peer left", ours.write(b"second"));
    // ANCHOR_END: broken_pipe
    Ok(())
}

/// Prints the outcome of one attempt: the error kind, or that it worked.
fn show<T>(what: &str, result: io::Result<T>) {
    match result {
        Ok(_) => println!("{what:<26} succeeded"),
        Err(e) => println!("{what:<26} {:<18} {e}", format!("{:?}", e.kind())),
    }
}

/// Two connected TCP streams on loopback, with read timeouts.
fn connected_pair() -> io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let ours = TcpStream::connect_timeout(&listener.local_addr()?, WAIT)?;
    let (theirs, _) = listener.accept()?;
    ours.set_read_timeout(Some(WAIT))?;
    Ok((ours, theirs))
}
