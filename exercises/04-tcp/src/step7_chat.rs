//! Step 7: a chat room over TCP.
//!
//! Book: "A chat room" (chapter TCP). Tests: `tests/step7_chat.rs`.
//!
//! Every client is two threads: a *reader* that turns the client's lines
//! into messages for the room, and a *writer* that sends the client what
//! the room queued for it. The room never writes to a socket itself: it
//! puts text in each member's bounded queue with `try_send`, which never
//! waits. A client that stops reading fills its own queue, and the room
//! then disconnects that client — instead of waiting for it (which would
//! stall everyone) or dropping messages (which would lie to everyone).
//!
//! ```text
//!  client A ──► reader A ──► Room::say ──try_send──► queue B ──► writer B ──► client B
//!                                      └─try_send──► queue C ──► writer C ──► client C
//! ```
//!
//! The protocol (the same as the lab's `chat-server`):
//! - lines of UTF-8 text ending in `\n` (a trailing `\r` is stripped);
//! - a client's name is its address as the server sees it
//!   (`stream.peer_addr()`), e.g. `127.0.0.1:50312`;
//! - when a client connects, every *other* client receives
//!   `* <name> joined\n`;
//! - each line `L` a client sends goes to every *other* client as
//!   `<name>: L\n`, never back to its sender, in the order the server
//!   received the lines;
//! - when a client goes (EOF or error), every other client receives
//!   `* <name> left\n`; an unfinished line (no `\n`) it leaves behind is
//!   no message;
//! - a line over [`MAX_LINE`] bytes gets its client disconnected;
//! - a client whose queue is full is disconnected, and the others get its
//!   `left`.

use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;

use crate::step4_lines::{Line, read_line};
use crate::step6_many_clients::is_one_clients_trouble;

/// The longest line a client may send, in bytes, not counting its `\n`.
/// A longer one gets the client disconnected.
pub const MAX_LINE: usize = 4096;

/// How many messages may wait for one client before the room gives up on
/// it.
pub const QUEUE_LEN: usize = 256;

/// A client, as the room knows it.
#[derive(Debug)]
pub struct Member {
    /// The client's queue, made with `mpsc::sync_channel(QUEUE_LEN)`: its
    /// writer thread sends what arrives here.
    pub outbox: SyncSender<Arc<str>>,
    /// A handle on the client's socket (`try_clone`), to disconnect it.
    pub stream: TcpStream,
    /// Set when the room disconnected the client for a full queue.
    pub too_slow: Arc<AtomicBool>,
}

/// The clients connected now, by name (their address).
#[derive(Debug, Default)]
pub struct Room {
    members: Mutex<HashMap<SocketAddr, Member>>,
}

impl Room {
    /// An empty room.
    pub fn new() -> Room {
        Room::default()
    }

    /// Adds `name` to the room and queues `* <name> joined\n` for every
    /// other member.
    ///
    /// Contract: both under one lock, so that whoever has seen the notice
    /// can be sure the newcomer hears what they say next.
    pub fn join(&self, name: SocketAddr, member: Member) {
        // TODO: lock, queue the notice for the others, insert.
        todo!("step 7: Room::join")
    }

    /// Queues `<from>: <line>\n` for every member but `from`.
    ///
    /// Contract: never blocks — `try_send`, never `send`, never a write
    /// to a socket. A member whose queue is full (`TrySendError::Full`) is
    /// marked `too_slow`, removed, and disconnected
    /// (`stream.shutdown(Shutdown::Both)`, which also wakes its threads),
    /// and the others are told `* <name> left\n` (which may in turn find
    /// another queue full: go on until no one is left to remove). A member
    /// whose writer has ended (`Disconnected`) is removed the same way.
    pub fn say(&self, from: SocketAddr, line: &str) {
        // TODO: lock; try_send to each other member; remove the failures
        // and announce them.
        todo!("step 7: Room::say")
    }

    /// Removes `name`, if it is still a member, and queues
    /// `* <name> left\n` for the others. Leaving twice says so once.
    pub fn leave(&self, name: SocketAddr) {
        // TODO: lock, remove; if it was there, announce.
        todo!("step 7: Room::leave")
    }
}

/// Runs the chat room on `listener` for ever.
///
/// The task: an accept loop (as in step 6). For each client accepted:
/// 1. make the client's queue (`mpsc::sync_channel(QUEUE_LEN)`) and start
///    its writer thread: `for text in queue { write_all }`, which ends when
///    the room drops the client's `SyncSender` or a write fails;
/// 2. join the room with a [`Member`] — best here, on the accepting
///    thread, so that clients join in the order they connected;
/// 3. on a thread of its own, read the client's lines with [`read_line`] and [`MAX_LINE`] (a
///    `BufReader` on `&stream`) and hands each to [`Room::say`], turning
///    bytes into text with `String::from_utf8_lossy`;
/// 4. when the client goes, or sends a line too long: [`Room::leave`],
///    `shutdown(Shutdown::Both)`, and join the writer thread.
///
/// Contract: the protocol above; one client's trouble (a reset, a line too
/// long, a full queue) never stops the room or stalls the others; an
/// `accept` error that is not [`is_one_clients_trouble`] is returned.
pub fn serve_chat(listener: TcpListener) -> io::Result<()> {
    // TODO: one Arc<Room>; accept; a thread per client, as above.
    todo!("step 7: serve_chat")
}
