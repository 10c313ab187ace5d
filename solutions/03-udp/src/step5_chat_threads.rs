//! Step 5: the two threads of a chat peer.
//!
//! A chat program must show a line from the other side while the user is
//! still typing theirs, so it cannot wait for one thing at a time. The
//! classic design gives each wait a thread of its own: one thread blocks in
//! `recv_from` and passes what arrives on; another blocks waiting for lines
//! to send. Channels connect them to the rest of the program, the "UI":
//!
//! ```text
//!   UI ── send(text) ──► [outgoing channel] ──► sender thread ──► socket ──► peer
//!   UI ◄── ChatEvent ◄── [events channel] ◄── receiver thread ◄── socket ◄── peer
//! ```
//!
//! This module is what each thread runs; [`crate::step6_chat_peer`] starts
//! them.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};

use crate::step1_datagrams::{RECEIVE_BUFFER_LEN, is_timeout};

/// What the receiving side tells the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatEvent {
    /// A datagram of UTF-8 text.
    Message {
        /// Who sent it.
        from: SocketAddr,
        /// What it said.
        text: String,
    },
    /// A datagram that is not UTF-8: shown, not trusted, and no reason to
    /// stop.
    NotText {
        /// Who sent it.
        from: SocketAddr,
        /// Its bytes, unchanged.
        bytes: Vec<u8>,
    },
    /// Something went wrong in one of the peer's threads, in a sentence.
    Failed(String),
}

/// The receiving thread: every datagram becomes an event, until `stop` (or
/// until nobody listens to the events any more).
pub fn receive_until_stopped(
    socket: &UdpSocket,
    events: &Sender<ChatEvent>,
    stop: &AtomicBool,
) {
    let mut buffer = vec![0; RECEIVE_BUFFER_LEN];
    while !stop.load(Ordering::SeqCst) {
        let event = match socket.recv_from(&mut buffer) {
            Ok((len, from)) => event_for(&buffer[..len], from),
            Err(error) if is_timeout(&error) => continue,
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => continue,
            Err(error) => ChatEvent::Failed(format!("receiving failed: {error}")),
        };
        if events.send(event).is_err() {
            return; // Nobody is listening any more.
        }
    }
}

/// Text if the bytes are UTF-8; the bytes themselves if not.
fn event_for(bytes: &[u8], from: SocketAddr) -> ChatEvent {
    match std::str::from_utf8(bytes) {
        Ok(text) => ChatEvent::Message {
            from,
            text: text.to_string(),
        },
        Err(_) => ChatEvent::NotText {
            from,
            bytes: bytes.to_vec(),
        },
    }
}

/// The sending thread: sends each queued line, until the channel closes. A
/// failed send is reported as an event, and the next line is tried.
pub fn send_until_closed(
    socket: &UdpSocket,
    peer_addr: SocketAddr,
    outgoing: Receiver<String>,
    events: &Sender<ChatEvent>,
) {
    for text in outgoing {
        if let Err(error) = socket.send_to(text.as_bytes(), peer_addr) {
            let failure = format!("sending {text:?} to {peer_addr} failed: {error}");
            let _ = events.send(ChatEvent::Failed(failure));
        }
    }
}
