//! Step 7: a chat room over TCP.
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

use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread;

use crate::report::{ConnectionReport, Counting, Log, no_log};
use crate::step2_echo::Counts;
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
    /// The client's queue: its writer thread sends what arrives here.
    pub outbox: SyncSender<Arc<str>>,
    /// A handle on the client's socket, to disconnect it.
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

    /// Adds `name` and tells every other member `* <name> joined`.
    pub fn join(&self, name: SocketAddr, member: Member) {
        let mut members = self.lock();
        // Under the same lock as the insert: whoever sees the notice can
        // be sure the newcomer hears what they say next.
        broadcast(&mut members, name, format!("* {name} joined\n"));
        members.insert(name, member);
    }

    /// Sends `<from>: <line>` to every member but `from`.
    pub fn say(&self, from: SocketAddr, line: &str) {
        broadcast(&mut self.lock(), from, format!("{from}: {line}\n"));
    }

    /// Removes `name`, if still a member, and tells the others `* <name>
    /// left`.
    pub fn leave(&self, name: SocketAddr) {
        let mut members = self.lock();
        if members.remove(&name).is_some() {
            broadcast(&mut members, name, format!("* {name} left\n"));
        }
    }

    /// The member map. A panic elsewhere while it was held leaves it
    /// usable: the map itself is always consistent.
    fn lock(&self) -> MutexGuard<'_, HashMap<SocketAddr, Member>> {
        self.members
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Queues `text` for every member but `except`. A member whose queue is
/// full (or whose writer has ended) is disconnected and removed, and its
/// `left` notice goes to the others in turn.
fn broadcast(
    members: &mut HashMap<SocketAddr, Member>,
    except: SocketAddr,
    text: String,
) {
    let mut pending = VecDeque::from([(except, Arc::<str>::from(text))]);
    while let Some((except, text)) = pending.pop_front() {
        let mut gone = Vec::new();
        for (name, member) in members.iter() {
            if *name == except {
                continue;
            }
            match member.outbox.try_send(Arc::clone(&text)) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) => {
                    member.too_slow.store(true, Ordering::SeqCst);
                    gone.push(*name);
                }
                Err(TrySendError::Disconnected(_)) => gone.push(*name),
            }
        }
        for name in gone {
            if let Some(member) = members.remove(&name) {
                // Wakes the member's reader (EOF) and writer (error).
                let _ = member.stream.shutdown(Shutdown::Both);
                pending.push_back((name, Arc::from(format!("* {name} left\n"))));
            }
        }
    }
}

/// Runs the chat room on `listener` for ever: two threads per client.
pub fn serve_chat(listener: TcpListener) -> io::Result<()> {
    serve_chat_logged(listener, no_log())
}

/// [`serve_chat`], reporting each connection to `log` when it ends.
pub fn serve_chat_logged(listener: TcpListener, log: Log) -> io::Result<()> {
    let room = Arc::new(Room::new());
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(error) if is_one_clients_trouble(&error) => continue,
            Err(error) => return Err(error),
        };
        // Joining here, on the accepting thread, means clients join in the
        // order they connected: a client that connects after another hears
        // of it, always.
        let Ok(client) = admit(&room, stream) else {
            continue; // gone already, or no thread to be had
        };
        let room = Arc::clone(&room);
        let log = Arc::clone(&log);
        let _ = thread::Builder::new()
            .name(format!("chat reader {}", client.name))
            .spawn(move || log(&client.converse(&room)));
    }
}

/// A client in the room, whose lines are still to be read.
struct Admitted {
    name: SocketAddr,
    stream: TcpStream,
    writer: thread::JoinHandle<u64>,
    too_slow: Arc<AtomicBool>,
}

/// Gives a new client its queue and writer thread, and adds it to the
/// room.
fn admit(room: &Room, stream: TcpStream) -> io::Result<Admitted> {
    let name = stream.peer_addr()?;
    let (outbox, queued) = mpsc::sync_channel(QUEUE_LEN);
    let too_slow = Arc::new(AtomicBool::new(false));
    let member = Member {
        outbox,
        stream: stream.try_clone()?,
        too_slow: Arc::clone(&too_slow),
    };
    let writing = stream.try_clone()?;
    let writer = thread::Builder::new()
        .name(format!("chat writer {name}"))
        .spawn(move || send_queued(writing, queued))?;
    room.join(name, member);
    Ok(Admitted {
        name,
        stream,
        writer,
        too_slow,
    })
}

impl Admitted {
    /// Reads the client's lines until it goes, then takes it out of the
    /// room and reports how it went.
    fn converse(self, room: &Room) -> ConnectionReport {
        let mut reader = BufReader::new(Counting::new(&self.stream));
        let mut ended = read_lines(room, self.name, &mut reader);
        room.leave(self.name);
        // Whatever ended the reader, the writer must end too.
        let _ = self.stream.shutdown(Shutdown::Both);
        let bytes_out = self.writer.join().unwrap_or(0);
        if self.too_slow.load(Ordering::SeqCst) {
            ended =
                "disconnected: too slow, its outgoing queue was full".to_string();
        }
        let bytes_in = reader.get_ref().count();
        ConnectionReport {
            peer: self.name,
            counts: Counts {
                bytes_in,
                bytes_out,
            },
            ended,
        }
    }
}

/// Hands the client's lines to the room until it goes; returns how it
/// went.
fn read_lines(room: &Room, name: SocketAddr, reader: &mut impl BufRead) -> String {
    loop {
        match read_line(reader, MAX_LINE) {
            Ok(Line::Text(bytes)) => {
                room.say(name, &String::from_utf8_lossy(&bytes))
            }
            // A line cut short by the client's going is no message.
            Ok(Line::Unfinished(_)) | Ok(Line::End) => return "left".to_string(),
            Ok(Line::TooLong) => {
                return format!("disconnected: a line over {MAX_LINE} bytes");
            }
            Err(error) => return format!("left with an error: {error}"),
        }
    }
}

/// The writer thread: sends what is queued until the queue is closed or
/// the client is gone; returns the bytes sent.
fn send_queued(mut stream: TcpStream, queued: Receiver<Arc<str>>) -> u64 {
    let mut sent = 0;
    for text in queued {
        if stream.write_all(text.as_bytes()).is_err() {
            // Gone: make sure the reader notices too.
            let _ = stream.shutdown(Shutdown::Both);
            break;
        }
        sent += text.len() as u64;
    }
    sent
}
