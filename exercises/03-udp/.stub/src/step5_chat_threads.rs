//! Step 5: the two threads of a chat peer.
//!
//! Book: "A chat peer" (chapter UDP). Tests: `tests/step5_chat_threads.rs`.
//!
//! A chat must show the other side's line while the user is still typing,
//! so it cannot wait for one thing at a time. Each wait gets a thread of its
//! own, both using one socket, and channels connect them to the rest of the
//! program (the "UI"):
//!
//! ```text
//!   UI ── send(text) ──► [outgoing channel] ──► sender thread ──► socket ──► peer
//!   UI ◄── ChatEvent ◄── [events channel] ◄── receiver thread ◄── socket ◄── peer
//! ```
//!
//! This step writes what each thread runs, as two plain functions that the
//! tests call on threads of their own. Step 6 puts them together.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, Sender};

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

/// The receiving thread's work: turns every datagram that arrives on
/// `socket` into an event on `events`, until told to stop.
///
/// The caller has given `socket` a short read timeout (step 6 uses
/// [`crate::step2_echo_server::POLL_INTERVAL`]), so that a receive returns
/// now and then even when nothing comes.
///
/// Contract:
/// - every datagram, from anyone, of any size up to
///   [`crate::step1_datagrams::RECEIVE_BUFFER_LEN`] bytes, becomes one event:
///   `Message { from, text }` when its bytes are UTF-8 (an empty datagram is
///   the empty text), `NotText { from, bytes }` when not;
/// - a receive that timed out is no event: check `stop` and receive again;
///   any other receive error becomes `Failed(sentence)`, and the loop goes
///   on (a chat does not end because of one bad datagram);
/// - it returns once `stop` is true (checked before every receive), or as
///   soon as sending an event fails (the UI has gone: nobody to tell);
/// - it never panics.
pub fn receive_until_stopped(
    socket: &UdpSocket,
    events: &Sender<ChatEvent>,
    stop: &AtomicBool,
) {
    // TODO: a buffer of RECEIVE_BUFFER_LEN bytes; loop while the flag is
    // false: recv_from, `std::str::from_utf8`, send the event.
    todo!("step 5: the receiving thread")
}

/// The sending thread's work: sends each line that arrives on `outgoing`
/// to `peer_addr`, until the channel closes.
///
/// Contract:
/// - each line goes out as one datagram of its UTF-8 bytes, in the order
///   the lines were queued;
/// - a failed send becomes `Failed(sentence)` on `events`, the sentence
///   naming `peer_addr`, and the loop goes on with the next line;
/// - it returns when the channel is closed (every `Sender<String>` has been
///   dropped) and all queued lines are sent;
/// - it never panics.
pub fn send_until_closed(
    socket: &UdpSocket,
    peer_addr: SocketAddr,
    outgoing: Receiver<String>,
    events: &Sender<ChatEvent>,
) {
    // TODO: `for text in outgoing { … }` ends by itself when the channel
    // closes.
    todo!("step 5: the sending thread")
}
