//! The smallest useful UDP server: it echoes each datagram to its sender,
//! and stops after 3 datagrams or 2 s of silence.
//!
//! Run it: `cargo run -p udp --example tiny_echo`
//! Or run it on a port and talk to it from another terminal:
//! `cargo run -p udp --example tiny_echo -- 127.0.0.1:4000`, then
//! `nc -u 127.0.0.1 4000` (type a line, press Enter).

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::Duration;

// ANCHOR: server
fn echo(socket: &UdpSocket, at_most: usize) -> io::Result<usize> {
    // Stop waiting after 2 s of silence.
    socket.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut buffer = vec![0u8; 65_535];
    let mut echoed = 0;
    while echoed < at_most {
        let (len, client) = match socket.recv_from(&mut buffer) {
            Ok(received) => received,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
            Err(error) if error.kind() == io::ErrorKind::TimedOut => break,
            // Windows: news of an earlier client gone away. Not our problem.
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => continue,
            Err(error) => return Err(error),
        };
        // The reply goes to whoever sent this datagram: one socket serves
        // every client, with no connection to accept. A failed send is one
        // lost datagram, which UDP allows: no reason to stop.
        let _ = socket.send_to(&buffer[..len], client);
        echoed += 1;
    }
    Ok(echoed)
}
// ANCHOR_END: server

fn main() -> io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_string());
    let socket = UdpSocket::bind(&bind)?;
    let addr = socket.local_addr()?;
    println!("echo server on {addr}");
    let server = thread::spawn(move || echo(&socket, 3));

    // No port given (port 0): be our own client.
    let own_client = bind.parse::<SocketAddr>().is_ok_and(|a| a.port() == 0);
    if own_client {
        let client = UdpSocket::bind("127.0.0.1:0")?;
        client.set_read_timeout(Some(Duration::from_secs(2)))?;
        let mut buffer = [0u8; 1500];
        for text in ["hello", "echo", "bye"] {
            client.send_to(text.as_bytes(), addr)?;
            let (len, from) = client.recv_from(&mut buffer)?;
            println!(
                "{from} echoed {:?}",
                String::from_utf8_lossy(&buffer[..len])
            );
        }
    }
    let echoed = server.join().expect("the server thread panicked")?;
    println!("the server echoed {echoed} datagrams and stopped");
    Ok(())
}
