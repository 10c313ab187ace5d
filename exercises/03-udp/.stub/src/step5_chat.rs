//! Step 5: a chat peer that sends and receives at the same time.
//!
//! Book: "A chat peer" (chapter UDP). Tests: `tests/step5_chat.rs`.
//!
//! A chat must show the other side's line while the user is still typing,
//! so it cannot wait for one thing at a time. Give each wait a thread of
//! its own, both using one socket (`try_clone` gives a second handle), and
//! connect them to the rest of the program (the "UI") with channels:
//!
//! ```text
//!   UI ── send(text) ──► [outgoing channel] ──► sender thread ──► socket ──► peer
//!   UI ◄── ChatEvent ◄── [events channel] ◄── receiver thread ◄── socket ◄── peer
//! ```

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, Sender};
use std::thread::JoinHandle;

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
    /// The address the socket is bound to.
    local_addr: SocketAddr,
    /// Where [`ChatPeer::send`] puts lines for the sending thread; `None`
    /// once stopped (dropping it is what ends the sending thread).
    outgoing: Option<Sender<String>>,
    /// Tells the receiving thread to end.
    stop: Arc<AtomicBool>,
    /// The receiving and the sending thread.
    threads: Vec<JoinHandle<()>>,
}

impl ChatPeer {
    /// Binds `bind`, starts the receiving and the sending thread, and
    /// returns the peer and the channel on which its events arrive. Lines
    /// given to [`ChatPeer::send`] go to `peer_addr`.
    ///
    /// Contract:
    /// - the receiving thread turns every datagram, from anyone, into an
    ///   event: `Message { from, text }` when it is UTF-8, `NotText { from,
    ///   bytes }` when not; it never panics and goes on after either;
    /// - it must notice the stop flag: give its socket a read timeout of
    ///   [`crate::step2_echo_server::POLL_INTERVAL`];
    /// - the sending thread sends each line queued by `send` as one
    ///   datagram to `peer_addr`, in order; a failed send becomes a
    ///   `ChatEvent::Failed` event, not a panic;
    /// - an error binding or starting a thread is returned.
    pub fn start(
        bind: SocketAddr,
        peer_addr: SocketAddr,
    ) -> io::Result<(ChatPeer, Receiver<ChatEvent>)> {
        // TODO: bind, try_clone, two channels, two threads.
        todo!("step 5: ChatPeer::start")
    }

    /// The address this peer receives on: give it to the other side.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Queues `text` to be sent to the peer as one datagram of its UTF-8
    /// bytes.
    ///
    /// Contract: a text longer than [`MAX_MESSAGE`] bytes is refused with
    /// an `io::Error` of kind `InvalidInput` and nothing is sent. This does
    /// not wait for the network: the sending thread does that.
    pub fn send(&self, text: &str) -> io::Result<()> {
        // TODO: check the length, then hand the text to the sending thread.
        todo!("step 5: ChatPeer::send")
    }

    /// Stops both threads and waits for them.
    ///
    /// Contract: returns within about one `POLL_INTERVAL`; when it returns
    /// the socket is closed, and the events channel ends (the UI's
    /// `recv` returns `Err` once the events already in it are read), since
    /// no thread holds a `Sender<ChatEvent>` any more.
    pub fn stop(mut self) {
        // TODO: set the flag, drop the outgoing Sender, join the threads.
        todo!("step 5: ChatPeer::stop")
    }
}
