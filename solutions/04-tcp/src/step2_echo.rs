//! Step 2: an echo server, for one client and then for clients in turn.
//!
//! `accept` hands over a *new* socket for each client; the listening socket
//! only ever takes new connections. Echoing is a loop: read what has come,
//! write it all back, until `read` returns 0 — the client has stopped
//! sending. Then we finish and close our side too.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};

/// What [`serve_in_turn`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TurnStats {
    /// Clients whose echo ended cleanly, with their EOF.
    pub served: usize,
    /// Clients whose connection ended in an error (reset, timeout, …), and
    /// failed `accept`s.
    pub failed: usize,
    /// Bytes echoed to the clients that were served.
    pub bytes: u64,
}

/// Bytes a connection carried each way: the reference servers log them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Bytes read from the client.
    pub bytes_in: u64,
    /// Bytes written to the client.
    pub bytes_out: u64,
}

/// Sends back every byte that arrives on `stream`, as it arrives, until the
/// client half-closes; then closes our sending side and returns the number
/// of bytes echoed.
pub fn echo(stream: &mut TcpStream) -> io::Result<u64> {
    let mut counts = Counts::default();
    echo_counting(stream, &mut counts)?;
    Ok(counts.bytes_out)
}

/// [`echo`], keeping count in `counts` as it goes, so a caller knows how far
/// a connection got even when it ends in an error.
pub fn echo_counting(stream: &mut TcpStream, counts: &mut Counts) -> io::Result<()> {
    let mut buffer = [0; 16 * 1024];
    loop {
        let len = match stream.read(&mut buffer) {
            // 0 is EOF: the client shut down its writing side.
            Ok(0) => break,
            Ok(len) => len,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        counts.bytes_in += len as u64;
        stream.write_all(&buffer[..len])?;
        counts.bytes_out += len as u64;
    }
    // Our FIN tells the client the echo is complete.
    stream.shutdown(Shutdown::Write)
}

/// Accepts one client, echoes until it half-closes, closes the connection,
/// and returns the client's address and the bytes echoed.
pub fn echo_one_client(listener: &TcpListener) -> io::Result<(SocketAddr, u64)> {
    let (mut stream, peer) = listener.accept()?;
    let bytes = echo(&mut stream)?;
    Ok((peer, bytes))
}

/// Serves `clients` clients, one after another, each until it half-closes,
/// and returns what happened. A client that fails does not stop the others.
pub fn serve_in_turn(
    listener: &TcpListener,
    clients: usize,
) -> io::Result<TurnStats> {
    let mut stats = TurnStats::default();
    for _ in 0..clients {
        // One client's trouble is that client's: count it and go on.
        match echo_one_client(listener) {
            Ok((_, bytes)) => {
                stats.served += 1;
                stats.bytes += bytes;
            }
            Err(_) => stats.failed += 1,
        }
    }
    Ok(stats)
}
