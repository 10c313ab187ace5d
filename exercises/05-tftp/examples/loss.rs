//! A lock-step transfer of four blocks over loopback, in which the sender
//! "loses" its first copy of DATA 2 and the receiver its first copy of
//! ACK 3 (they are simply not sent). Both are repaired the same way: the
//! sender hears nothing for a timeout and sends its DATA again.
//!
//! The request is left out: the transfer starts at DATA 1, as it does once
//! a server has answered an RRQ. Run it: `cargo run -p tftp --example loss`

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

const BLOCK: usize = 512;
/// How long the sender waits for an ACK before it sends its DATA again.
const TIMEOUT: Duration = Duration::from_millis(300);
const LOST_DATA: u16 = 2;
const LOST_ACK: u16 = 3;

fn main() -> io::Result<()> {
    let server = UdpSocket::bind("127.0.0.1:0")?;
    let client = UdpSocket::bind("127.0.0.1:0")?;
    let (server_tid, client_tid) = (server.local_addr()?, client.local_addr()?);
    // Three full blocks and a short one: 3 × 512 + 100 bytes.
    let file: Vec<u8> = (0..3 * BLOCK + 100).map(|i| (i % 251) as u8).collect();
    let log = Log(Instant::now());

    let sent = file.clone();
    let sender = thread::spawn(move || send_file(&server, client_tid, &sent, log));
    let received = receive_file(&client, server_tid, log)?;
    sender.join().expect("the sender panicked")?;
    assert_eq!(received, file, "the file arrived changed");
    Ok(())
}

// ANCHOR: sender
/// The sending side: one block at a time, each sent again after every
/// timeout until its ACK arrives.
fn send_file(
    socket: &UdpSocket,
    peer: SocketAddr,
    file: &[u8],
    log: Log,
) -> io::Result<()> {
    // len / 512 + 1 blocks: a file of an exact multiple of 512 bytes ends
    // with an empty block, so that the last DATA is always short.
    let blocks = file.len() / BLOCK + 1;
    let mut sent = 0;
    for number in 1..=blocks {
        let bytes = &file[(number - 1) * BLOCK..file.len().min(number * BLOCK)];
        let block = number as u16;
        let mut packet = vec![0, 3];
        packet.extend_from_slice(&block.to_be_bytes());
        packet.extend_from_slice(bytes);
        let mut first_copy = true;
        loop {
            if block == LOST_DATA && first_copy {
                log.say("server", format!("→ DATA {block}  ✗ lost on the way"));
            } else {
                log.say("server", format!("→ DATA {block} ({} bytes)", bytes.len()));
                socket.send_to(&packet, peer)?;
            }
            first_copy = false;
            sent += 1;
            if wait_for_ack(socket, peer, block, TIMEOUT)? {
                break;
            }
            log.say(
                "server",
                format!("no ACK {block} for {TIMEOUT:?}: send again"),
            );
        }
    }
    log.say(
        "server",
        format!("done: {sent} DATA sent for {blocks} blocks"),
    );
    Ok(())
}
// ANCHOR_END: sender

/// Waits up to `timeout` for ACK `block` from `peer`; anything else (a
/// duplicate ACK, a stranger) is ignored without resetting the clock.
fn wait_for_ack(
    socket: &UdpSocket,
    peer: SocketAddr,
    block: u16,
    timeout: Duration,
) -> io::Result<bool> {
    let deadline = Instant::now() + timeout;
    let mut packet = [0u8; 4];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(false);
        }
        socket.set_read_timeout(Some(left))?;
        match socket.recv_from(&mut packet) {
            Ok((4, from)) if from == peer && packet == ack(block) => {
                return Ok(true);
            }
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(false);
            }
            Err(e) => return Err(e),
        }
    }
}

// ANCHOR: receiver
/// The receiving side: writes each new block once, and acknowledges every
/// DATA it gets, new or repeated, since a repeat means its ACK was lost.
fn receive_file(
    socket: &UdpSocket,
    peer: SocketAddr,
    log: Log,
) -> io::Result<Vec<u8>> {
    socket.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut file = Vec::new();
    let mut expected: u16 = 1;
    let mut ack_lost_already = false;
    let mut packet = [0u8; 4 + BLOCK];
    loop {
        let (len, from) = socket.recv_from(&mut packet)?;
        if from != peer || len < 4 || packet[1] != 3 {
            continue;
        }
        let block = u16::from_be_bytes([packet[2], packet[3]]);
        let last = len < 4 + BLOCK;
        if block == expected {
            file.extend_from_slice(&packet[4..len]);
            expected = expected.wrapping_add(1);
            let end = if last {
                ", shorter than 512: the end"
            } else {
                ""
            };
            log.say("client", format!("← DATA {block}: new, written{end}"));
        } else {
            log.say("client", format!("← DATA {block} again: not written twice"));
        }
        if block == LOST_ACK && !ack_lost_already {
            ack_lost_already = true;
            log.say("client", format!("→ ACK {block}  ✗ lost on the way"));
        } else {
            log.say("client", format!("→ ACK {block}"));
            socket.send_to(&ack(block), peer)?;
        }
        if last && block == expected.wrapping_sub(1) {
            dally(socket, peer, &packet[..len], log)?;
            return Ok(file);
        }
    }
}
// ANCHOR_END: receiver

// ANCHOR: dally
/// After the last ACK, linger: if that ACK was lost, the sender will send
/// the last DATA again, and only another ACK lets it finish cleanly.
fn dally(
    socket: &UdpSocket,
    peer: SocketAddr,
    last: &[u8],
    log: Log,
) -> io::Result<()> {
    socket.set_read_timeout(Some(TIMEOUT * 2))?;
    let mut packet = [0u8; 4 + BLOCK];
    while let Ok((len, from)) = socket.recv_from(&mut packet) {
        if from == peer && packet[..len] == *last {
            log.say("client", "← the last DATA again: ACK it again".to_string());
            socket.send_to(&[0, 4, last[2], last[3]], peer)?;
        }
    }
    log.say(
        "client",
        format!("dallied {:?} after the last ACK: done", TIMEOUT * 2),
    );
    Ok(())
}
// ANCHOR_END: dally

fn ack(block: u16) -> [u8; 4] {
    let [a, b] = block.to_be_bytes();
    [0, 4, a, b]
}

/// Lines of the transfer's story, stamped with the time since it began.
#[derive(Clone, Copy)]
struct Log(Instant);

impl Log {
    fn say(self, who: &str, what: String) {
        println!("{:>5} ms  {who}  {what}", self.0.elapsed().as_millis());
    }
}
