//! Step 6: a chat peer that sends and receives at the same time.
//!
//! Book: "A chat peer" (chapter UDP). Tests: `tests/step6_chat_peer.rs`.
//!
//! Step 5 wrote what each of the chat's two threads runs. Here they come
//! together: one socket, a second handle to it (`try_clone`), two channels
//! and two threads, behind a small API the UI calls.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, Sender};
use std::thread::JoinHandle;

pub use crate::step5_chat_threads::ChatEvent;

/// The longest message, in bytes: what fits in one Ethernet frame
/// (1500 − 20 IP − 8 UDP), so a message is never fragmented.
pub const MAX_MESSAGE: usize = 1_472;

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
    /// - the receiving thread runs
    ///   [`crate::step5_chat_threads::receive_until_stopped`] on the socket,
    ///   which must have a read timeout of
    ///   [`crate::step2_echo_server::POLL_INTERVAL`] so it notices the stop
    ///   flag;
    /// - the sending thread runs [`crate::step5_chat_threads::send_until_closed`]
    ///   on a second handle to the same socket (`try_clone`), so replies come
    ///   from the address the peer writes to;
    /// - both send their events into the one channel returned here;
    /// - an error binding or starting a thread is returned.
    pub fn start(
        bind: SocketAddr,
        peer_addr: SocketAddr,
    ) -> io::Result<(ChatPeer, Receiver<ChatEvent>)> {
        // TODO: bind, try_clone, two channels, two threads.
        todo!("step 6: ChatPeer::start")
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
        todo!("step 6: ChatPeer::send")
    }

    /// Stops both threads and waits for them.
    ///
    /// Contract: returns within about one `POLL_INTERVAL`; when it returns
    /// the socket is closed, and the events channel ends (the UI's
    /// `recv` returns `Err` once the events already in it are read), since
    /// no thread holds a `Sender<ChatEvent>` any more.
    pub fn stop(mut self) {
        // TODO: set the flag, drop the outgoing Sender, join the threads.
        todo!("step 6: ChatPeer::stop")
    }
}
