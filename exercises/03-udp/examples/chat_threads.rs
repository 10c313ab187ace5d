//! The classic chat design: one thread receives and prints, the other sends
//! what the user types. Both use the same socket.
//!
//! Run it without arguments for a short demo of two peers on loopback.
//! Or chat for real between two terminals:
//!
//! ```text
//! cargo run -p udp --example chat_threads -- 127.0.0.1:4000 127.0.0.1:4001
//! cargo run -p udp --example chat_threads -- 127.0.0.1:4001 127.0.0.1:4000
//! ```
//!
//! Type lines; end with Ctrl-D (the receiving side stops 2 s after that).

use std::io::{self, BufRead};
use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: peer
/// Runs a peer: `lines` are sent to `peer` while whatever arrives is
/// printed, until the lines run out and 2 s have passed.
fn chat(
    socket: UdpSocket,
    peer: SocketAddr,
    lines: impl Iterator<Item = String>,
) -> io::Result<()> {
    // A second handle to the same socket, for the receiving thread.
    let receiving = socket.try_clone()?;
    receiving.set_read_timeout(Some(Duration::from_millis(200)))?;
    let name = socket.local_addr()?;
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();

    let receiver = thread::spawn(move || {
        let mut buffer = [0u8; 1500];
        let mut quiet_since: Option<Instant> = None;
        loop {
            match receiving.recv_from(&mut buffer) {
                Ok((len, from)) => {
                    let text = String::from_utf8_lossy(&buffer[..len]);
                    println!("[{name}] {from} says: {text}");
                }
                // A timeout: time to see whether the sending side is done.
                Err(_) => {
                    if done_rx.try_recv().is_ok() {
                        quiet_since = Some(Instant::now());
                    }
                    if quiet_since
                        .is_some_and(|t| t.elapsed() > Duration::from_secs(2))
                    {
                        return;
                    }
                }
            }
        }
    });

    // This thread sends: it may block reading lines; the other goes on.
    for line in lines {
        socket.send_to(line.as_bytes(), peer)?;
    }
    let _ = done_tx.send(());
    receiver.join().expect("the receiving thread panicked");
    Ok(())
}
// ANCHOR_END: peer

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [local, peer] = args.as_slice() {
        let socket = UdpSocket::bind(local.as_str())?;
        let peer: SocketAddr = peer
            .parse()
            .map_err(|_| io::Error::other("bad peer address"))?;
        let lines = io::stdin().lock().lines().map_while(Result::ok);
        return chat(socket, peer, lines);
    }
    // The demo: two peers, each with a short script, talking at once.
    let alice = UdpSocket::bind("127.0.0.1:0")?;
    let bob = UdpSocket::bind("127.0.0.1:0")?;
    let (alice_addr, bob_addr) = (alice.local_addr()?, bob.local_addr()?);
    let script =
        |lines: &[&str]| lines.iter().map(|l| l.to_string()).collect::<Vec<_>>();
    let alice_lines = script(&["hi bob", "how are you?"]);
    let bob_lines = script(&["hi alice", "fine, and you?"]);
    let alice_thread =
        thread::spawn(move || chat(alice, bob_addr, alice_lines.into_iter()));
    chat(bob, alice_addr, bob_lines.into_iter())?;
    alice_thread.join().expect("alice panicked")
}
