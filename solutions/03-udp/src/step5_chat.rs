//! Step 5: a chat peer that sends and receives at the same time.
//!
//! A chat program must show a line from the other side while the user is
//! still typing theirs, so it cannot wait for one thing at a time. The
//! classic design gives each wait a thread of its own: one thread blocks in
//! `recv_from` and passes what arrives on; another blocks waiting for lines
//! to send. Both use the same socket (`try_clone` gives a second handle to
//! it), and channels connect them to the rest of the program, the "UI":
//!
//! ```text
//!   UI ── send(text) ──► [outgoing channel] ──► sender thread ──► socket ──► peer
//!   UI ◄── ChatEvent ◄── [events channel] ◄── receiver thread ◄── socket ◄── peer
//! ```

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};

use crate::step1_datagrams::{RECEIVE_BUFFER_LEN, is_timeout};
use crate::step2_echo_server::POLL_INTERVAL;

/// The longest message, in bytes: what fits in one Ethernet frame
/// (1500 − 20 IP − 8 UDP), so a message is never fragmented.
pub const MAX_MESSAGE: usize = 1_472;

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

/// A running chat peer: two threads around one socket.
#[derive(Debug)]
pub struct ChatPeer {
    local_addr: SocketAddr,
    outgoing: Option<Sender<String>>,
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

impl ChatPeer {
    /// Binds `bind`, starts the receiving and the sending thread, and
    /// returns the peer and the channel on which its events arrive. Lines
    /// given to [`ChatPeer::send`] go to `peer_addr`.
    pub fn start(
        bind: SocketAddr,
        peer_addr: SocketAddr,
    ) -> io::Result<(ChatPeer, Receiver<ChatEvent>)> {
        let socket = UdpSocket::bind(bind)?;
        // The timeout lets the receiving thread notice `stop`.
        socket.set_read_timeout(Some(POLL_INTERVAL))?;
        let local_addr = socket.local_addr()?;
        let sending_socket = socket.try_clone()?;

        let (events, events_out) = mpsc::channel();
        let (outgoing, outgoing_in) = mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));

        let receiver = {
            let (events, stop) = (events.clone(), Arc::clone(&stop));
            thread::Builder::new()
                .name(format!("chat receiver {local_addr}"))
                .spawn(move || receive_until_stopped(&socket, &events, &stop))?
        };
        let sender = thread::Builder::new()
            .name(format!("chat sender {local_addr}"))
            .spawn(move || {
                send_until_closed(&sending_socket, peer_addr, outgoing_in, &events)
            })?;

        let peer = ChatPeer {
            local_addr,
            outgoing: Some(outgoing),
            stop,
            threads: vec![receiver, sender],
        };
        Ok((peer, events_out))
    }

    /// The address this peer receives on: give it to the other side.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Queues `text` to be sent to the peer as one datagram. Refuses, with
    /// `InvalidInput`, a text longer than [`MAX_MESSAGE`] bytes.
    pub fn send(&self, text: &str) -> io::Result<()> {
        if text.len() > MAX_MESSAGE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "a message is at most {MAX_MESSAGE} bytes, this one has {}",
                    text.len()
                ),
            ));
        }
        let stopped = || {
            io::Error::new(io::ErrorKind::BrokenPipe, "the chat peer has stopped")
        };
        let outgoing = self.outgoing.as_ref().ok_or_else(stopped)?;
        outgoing.send(text.to_string()).map_err(|_| stopped())
    }

    /// Stops both threads and waits for them; the socket is closed and the
    /// events channel ends (after the events already in it) when this
    /// returns.
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Closing the outgoing channel is what ends the sending thread.
        self.outgoing = None;
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// The receiving thread: every datagram becomes an event, until `stop`.
fn receive_until_stopped(
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

/// The sending thread: sends each queued line, until the channel closes.
fn send_until_closed(
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
