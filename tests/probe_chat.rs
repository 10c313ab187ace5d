//! `cargo lab probe chat`: the probe passes a correct chat server and names
//! the check that a wrong one fails.
//!
//! The chat server here follows the workbook's protocol; each [`Delivery`]
//! other than `Queued` is one way a student's room goes wrong when a client
//! is slow.

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::tcp::failed_names;
use netlab::probe::{self, ProbeOptions, Report};
use support::deadline;

const LIMIT: Duration = Duration::from_secs(90);

/// How many messages a client's queue holds before the server acts.
const QUEUE: usize = 256;

fn options() -> ProbeOptions {
    ProbeOptions {
        timeout: Duration::from_millis(1500),
        ..ProbeOptions::default()
    }
}

/// How the room hands a message to the other clients.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// Right: a bounded queue and a writer thread per client; a client
    /// whose queue is full is disconnected.
    Queued,
    /// Wrong: writes to each client in turn with blocking writes, so one
    /// client that stops reading stalls the room.
    BlockingInTurn,
    /// Wrong: when a slow client's queue is full, the message is dropped
    /// for everyone.
    DropForEveryone,
    /// Wrong: the sender gets its own lines back.
    EchoToSender,
    /// Wrong: a line's trailing `\r` is passed on.
    KeepsCarriageReturn,
}

struct Member {
    name: String,
    queue: SyncSender<Arc<String>>,
    /// Messages queued and not yet written (for `DropForEveryone`).
    pending: Arc<AtomicUsize>,
    stream: TcpStream,
}

struct Room {
    delivery: Delivery,
    members: Mutex<HashMap<u64, Member>>,
}

impl Room {
    /// Sends `line` to everyone but `from` (to everyone, for `EchoToSender`).
    fn broadcast(&self, from: u64, line: String) {
        let message = Arc::new(line);
        let mut members = self.members.lock().unwrap();
        let others = members.iter_mut().filter(|(id, _)| {
            **id != from || self.delivery == Delivery::EchoToSender
        });
        let mut kicked = Vec::new();
        match self.delivery {
            Delivery::Queued
            | Delivery::EchoToSender
            | Delivery::KeepsCarriageReturn => {
                for (id, member) in others {
                    if let Err(TrySendError::Full(_)) =
                        member.queue.try_send(Arc::clone(&message))
                    {
                        kicked.push(*id);
                    }
                }
            }
            Delivery::DropForEveryone => {
                let others: Vec<_> = others.collect();
                if others
                    .iter()
                    .all(|(_, m)| m.pending.load(Ordering::SeqCst) < QUEUE)
                {
                    for (_, member) in others {
                        member.pending.fetch_add(1, Ordering::SeqCst);
                        let _ = member.queue.try_send(Arc::clone(&message));
                    }
                }
            }
            Delivery::BlockingInTurn => {
                for (_, member) in others {
                    let _ = member.stream.write_all(message.as_bytes());
                }
            }
        }
        for id in kicked {
            if let Some(member) = members.get(&id) {
                let _ = member.stream.shutdown(Shutdown::Both);
            }
        }
    }
}

/// Starts a chat server on 127.0.0.1 with a port from the OS.
fn chat_server(delivery: Delivery) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let room = Arc::new(Room {
        delivery,
        members: Mutex::new(HashMap::new()),
    });
    let ids = AtomicU64::new(0);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let id = ids.fetch_add(1, Ordering::SeqCst);
            let room = Arc::clone(&room);
            thread::spawn(move || serve(&room, id, stream));
        }
    });
    addr
}

/// One client: join, relay its lines, leave.
fn serve(room: &Room, id: u64, stream: TcpStream) {
    let Ok(name) = stream.peer_addr().map(|a| a.to_string()) else {
        return;
    };
    let (queue, messages) = mpsc::sync_channel::<Arc<String>>(
        if room.delivery == Delivery::DropForEveryone {
            64 * QUEUE
        } else {
            QUEUE
        },
    );
    let pending = Arc::new(AtomicUsize::new(0));
    let mut writer = stream.try_clone().unwrap();
    let written = Arc::clone(&pending);
    thread::spawn(move || {
        for message in messages {
            if writer.write_all(message.as_bytes()).is_err() {
                break;
            }
            written.fetch_sub(1, Ordering::SeqCst);
        }
    });
    room.members.lock().unwrap().insert(
        id,
        Member {
            name: name.clone(),
            queue,
            pending,
            stream: stream.try_clone().unwrap(),
        },
    );
    room.broadcast(id, format!("* {name} joined\n"));
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = Vec::new();
        match (&mut reader).take(4097 + 1).read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) if line.last() != Some(&b'\n') => break, // over-long or cut off
            Ok(_) => {
                line.pop();
                if line.last() == Some(&b'\r')
                    && room.delivery != Delivery::KeepsCarriageReturn
                {
                    line.pop();
                }
                if line.len() > 4096 {
                    break;
                }
                let text = String::from_utf8_lossy(&line);
                room.broadcast(id, format!("{name}: {text}\n"));
            }
        }
    }
    let member = room.members.lock().unwrap().remove(&id);
    if let Some(member) = member {
        let _ = member.stream.shutdown(Shutdown::Both);
        room.broadcast(id, format!("* {} left\n", member.name));
    }
}

fn probe_at(addr: SocketAddr) -> Report {
    probe::check("chat", &addr.to_string(), &options()).unwrap()
}

/// A correct room passes every check, and the slow reader is disconnected.
#[test]
fn a_correct_chat_server_passes_every_check() {
    deadline(LIMIT, "probing a correct chat server", || {
        let addr = chat_server(Delivery::Queued);
        assert!(probe::run("chat", &addr.to_string(), &options()).unwrap());
        let report = probe_at(addr);
        assert!(
            report.passed,
            "a correct server failed: {:#?}",
            report.checks
        );
        assert_eq!(report.checks.len(), 12, "{:#?}", report.checks);
        let slow = report.named("slow reader").unwrap();
        assert!(slow.detail.contains("disconnected S"), "{}", slow.detail);
    });
}

/// A room that writes to each client in turn with blocking writes stalls
/// when one client stops reading: the slow-reader check fails, and only it.
#[test]
fn a_room_with_blocking_writes_in_turn_fails_the_slow_reader() {
    deadline(LIMIT, "probing a chat server with blocking writes", || {
        let addr = chat_server(Delivery::BlockingInTurn);
        let report = probe_at(addr);
        assert_eq!(
            failed_names(&report),
            ["slow reader"],
            "{:#?}",
            report.checks
        );
        let detail = &report.named("slow reader").unwrap().detail;
        assert!(detail.contains("waits for its slowest client"), "{detail}");
    });
}

/// A room that drops a message for everyone when one client is slow loses
/// lines for the others: the slow-reader check fails and says which.
#[test]
fn a_room_dropping_messages_for_everyone_fails_the_slow_reader() {
    deadline(LIMIT, "probing a chat server that drops messages", || {
        let addr = chat_server(Delivery::DropForEveryone);
        let report = probe_at(addr);
        assert_eq!(
            failed_names(&report),
            ["slow reader"],
            "{:#?}",
            report.checks
        );
        let detail = &report.named("slow reader").unwrap().detail;
        assert!(detail.contains("lost for B"), "{detail}");
    });
}

/// A room that echoes a line back to its sender fails the sender check.
#[test]
fn a_room_echoing_to_the_sender_fails_that_check() {
    deadline(
        LIMIT,
        "probing a chat server that echoes to the sender",
        || {
            let addr = chat_server(Delivery::EchoToSender);
            let report = probe_at(addr);
            let failed = failed_names(&report);
            assert!(failed.contains(&"not back to the sender"), "{failed:?}");
            let detail = &report.named("not back to the sender").unwrap().detail;
            assert!(detail.contains("A got its own line back"), "{detail}");
        },
    );
}

/// A "room" that relays raw reads (no line framing, no names, no notices)
/// fails from the join notice on and runs nothing else.
#[test]
fn a_relay_without_the_protocol_fails_the_join_notice() {
    deadline(LIMIT, "probing a raw relay", || {
        let addr = common::tcp::serve_each(Arc::new(|mut stream: TcpStream| {
            let mut buffer = [0; 1024];
            while let Ok(n @ 1..) = stream.read(&mut buffer) {
                let _ = stream.write_all(&buffer[..n]);
            }
        }));
        let started = Instant::now();
        let report = probe_at(addr);
        assert_eq!(report.checks[0].name, "join notice");
        assert!(!report.checks[0].passed);
        assert!(
            report.checks[0].detail.contains("* 127.0.0.1:"),
            "{}",
            report.checks[0].detail
        );
        assert!(
            report.checks[1..]
                .iter()
                .all(|c| c.detail.starts_with("not run"))
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    });
}

/// Nothing listening: refused at once, naming the address.
#[test]
fn a_closed_port_is_refused_at_once() {
    deadline(LIMIT, "probing a closed port", || {
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let started = Instant::now();
        let report = probe_at(addr);
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_eq!(
            report.checks[0].detail,
            format!("connection refused by {addr}: nothing listens there")
        );
    });
}

/// A room that passes a trailing `\r` on fails the CR LF check alone.
#[test]
fn a_room_keeping_the_carriage_return_fails_the_crlf_check() {
    deadline(LIMIT, "probing a chat server that keeps \\r", || {
        let report = probe_at(chat_server(Delivery::KeepsCarriageReturn));
        assert_eq!(failed_names(&report), ["CR LF"], "{:#?}", report.checks);
        let detail = &report.named("CR LF").unwrap().detail;
        assert!(detail.contains("\\r`"), "{detail}");
    });
}
