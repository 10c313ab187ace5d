//! Step 6: a chat peer that sends and receives at the same time.
//!
//! The two threads of [`crate::step5_chat_threads`] around one socket:
//! `try_clone` gives the sending thread a second handle to it, so that the
//! peer sees every line come from the address it writes to.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::{self, JoinHandle};

use crate::step2_echo_server::POLL_INTERVAL;
pub use crate::step5_chat_threads::ChatEvent;
use crate::step5_chat_threads::{receive_until_stopped, send_until_closed};

/// The longest message, in bytes: what fits in one Ethernet frame
/// (1500 − 20 IP − 8 UDP), so a message is never fragmented.
pub const MAX_MESSAGE: usize = 1_472;

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
