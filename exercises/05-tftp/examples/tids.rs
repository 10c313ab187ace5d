//! Port 69 only takes requests: each transfer gets a port of its own on
//! both sides, its transfer ID (TID), and a packet from any other port is
//! answered with ERROR 5 without disturbing the transfer.
//!
//! The "well-known port" here is a free port from the OS, so the example
//! runs without root. Run it: `cargo run -p tftp --example tids`

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::Duration;

const WAIT: Option<Duration> = Some(Duration::from_secs(2));

fn main() -> io::Result<()> {
    // ANCHOR: listener
    // The server's one well-known socket: 69 in real life.
    let listener = UdpSocket::bind("127.0.0.1:0")?;
    let well_known = listener.local_addr()?;
    println!("server listens on {well_known}");
    thread::spawn(move || {
        let mut request = [0u8; 516];
        while let Ok((_, client)) = listener.recv_from(&mut request) {
            // A new socket, on a new port, for this one transfer.
            thread::spawn(move || serve_one(client));
        }
    });
    // ANCHOR_END: listener

    // ANCHOR: clients
    for name in ["alice", "bob"] {
        let client = UdpSocket::bind("127.0.0.1:0")?;
        client.set_read_timeout(WAIT)?;
        client.send_to(b"\x00\x01hello.txt\x00octet\x00", well_known)?;
        let mut packet = [0u8; 516];
        let (len, server_tid) = client.recv_from(&mut packet)?;
        println!(
            "{name}: RRQ from port {} to port {}, DATA 1 ({} bytes) came back from \
             port {}",
            client.local_addr()?.port(),
            well_known.port(),
            len - 4,
            server_tid.port()
        );
        // A stranger writes to the transfer's port before alice answers.
        if name == "alice" {
            let stranger = UdpSocket::bind("127.0.0.1:0")?;
            stranger.set_read_timeout(WAIT)?;
            stranger.send_to(&[0, 4, 0, 1], server_tid)?;
            let (len, _) = stranger.recv_from(&mut packet)?;
            let message = String::from_utf8_lossy(&packet[4..len - 1]);
            println!(
                "stranger: sent ACK 1 to port {}, got ERROR {}: {message}",
                server_tid.port(),
                packet[3]
            );
        }
        // The transfer itself goes on: the only packet that counts is the
        // one from the client's own port.
        client.send_to(&[0, 4, 0, 1], server_tid)?;
    }
    // ANCHOR_END: clients
    thread::sleep(Duration::from_millis(200));
    Ok(())
}

// ANCHOR: serve_one
/// One transfer: a one-block file, sent from a fresh port to `client`.
fn serve_one(client: SocketAddr) {
    let Ok(socket) = UdpSocket::bind("127.0.0.1:0") else {
        return;
    };
    let _ = socket.set_read_timeout(WAIT);
    let _ = socket.send_to(b"\x00\x03\x00\x01hello, tftp\n", client);
    let mut packet = [0u8; 516];
    while let Ok((len, from)) = socket.recv_from(&mut packet) {
        if from != client {
            // Not this transfer's peer: tell it, and keep waiting.
            let _ = socket.send_to(b"\x00\x05\x00\x05Unknown transfer ID\x00", from);
            continue;
        }
        if packet[..len] == [0, 4, 0, 1] {
            println!(
                "server: port {} got ACK 1 from {client}: done",
                socket.local_addr().map_or(0, |a| a.port())
            );
            return;
        }
    }
}
// ANCHOR_END: serve_one
