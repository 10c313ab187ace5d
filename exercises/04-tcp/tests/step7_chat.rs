// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 7: a chat room over TCP (book: "A chat room").

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::Duration;

use socket2::{Domain, SockRef, Socket, Type};
use support::deadline;
use support::loopback::{connect_tcp, tcp_listener};
use tcp::step7_chat::{MAX_LINE, serve_chat};

const LIMIT: Duration = Duration::from_secs(20);
const WAIT: Duration = Duration::from_secs(2);

/// Starts `serve_chat` on its own thread and checks it is still running a
/// moment later.
fn start_chat() -> SocketAddr {
    let listener = tcp_listener();
    let addr = listener.local_addr().unwrap();
    let server = thread::spawn(move || serve_chat(listener));
    thread::sleep(Duration::from_millis(50));
    if server.is_finished() {
        match server.join() {
            Ok(result) => panic!(
                "serve_chat returned at once ({result:?}): it serves for ever"
            ),
            Err(_) => panic!("serve_chat panicked at once"),
        }
    }
    addr
}

/// A chat client: a line reader with a timeout, and its name in the room.
struct Client {
    name: String,
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    fn connect(addr: SocketAddr) -> Client {
        Client::from_stream(
            connect_tcp(addr, WAIT).expect("could not connect to the chat"),
        )
    }

    fn from_stream(stream: TcpStream) -> Client {
        stream.set_read_timeout(Some(WAIT)).unwrap();
        stream.set_write_timeout(Some(WAIT)).unwrap();
        Client {
            name: stream.local_addr().unwrap().to_string(),
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    fn say(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\n").as_bytes())
            .unwrap_or_else(|error| {
                panic!("{} could not send {line:?}: {error}", self.name)
            });
    }

    /// The next line from the room, without its `\n`.
    fn next_line(&mut self, awaited: &str) -> String {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) => {
                panic!("{} expected {awaited:?}, but the server closed", self.name)
            }
            Ok(_) => line.strip_suffix('\n').unwrap_or(&line).to_string(),
            Err(error) => panic!(
                "{} expected {awaited:?} within 2 s, got {}: {error}",
                self.name,
                if line.is_empty() {
                    "nothing".to_string()
                } else {
                    format!("{line:?}")
                }
            ),
        }
    }

    /// Whether a line has begun to arrive, waiting 50 ms at most.
    fn has_data(&mut self) -> bool {
        let stream = self.reader.get_ref().try_clone().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let ready = matches!(self.reader.fill_buf(), Ok(bytes) if !bytes.is_empty());
        stream.set_read_timeout(Some(WAIT)).unwrap();
        ready
    }

    fn expect(&mut self, expected: &str) {
        let got = self.next_line(expected);
        assert_eq!(got, expected, "{} received the wrong line", self.name);
    }
}

/// Connects a new client and waits until every one of `present` has seen
/// it join: from then on it is in the room.
fn join(addr: SocketAddr, present: &mut [&mut Client]) -> Client {
    let newcomer = Client::connect(addr);
    for client in present.iter_mut() {
        client.expect(&format!("* {} joined", newcomer.name));
    }
    newcomer
}

/// The first two clients of a room. Which of two connections the server
/// adds first is its business: the one added second is announced to the
/// other. Returns them in the order the server added them.
fn first_two(addr: SocketAddr) -> (Client, Client) {
    let mut a = Client::connect(addr);
    let mut b = Client::connect(addr);
    for _ in 0..40 {
        if a.has_data() {
            a.expect(&format!("* {} joined", b.name));
            return (a, b);
        }
        if b.has_data() {
            b.expect(&format!("* {} joined", a.name));
            return (b, a);
        }
    }
    panic!(
        "two clients connected ({} and {}); neither was told of the other joining \
         within 2 s",
        a.name, b.name
    );
}

/// Three clients: the room that is joined.
fn three(addr: SocketAddr) -> (Client, Client, Client) {
    let (mut a, mut b) = first_two(addr);
    let c = join(addr, &mut [&mut a, &mut b]);
    (a, b, c)
}

/// A line goes to every other client as `<name>: line`, and never back to
/// its sender.
#[test]
fn a_line_goes_to_every_other_client_but_not_back() {
    deadline(LIMIT, "a chat line among three clients", || {
        let addr = start_chat();
        let (mut a, mut b, mut c) = three(addr);
        a.say("hello, room");
        b.expect(&format!("{}: hello, room", a.name));
        c.expect(&format!("{}: hello, room", a.name));
        b.say("hi a");
        // A's next line must be B's, not its own echoed back.
        a.expect(&format!("{}: hi a", b.name));
    });
}

/// Joining is announced to the others — named by the address the server
/// sees — and not to the newcomer itself.
#[test]
fn joining_is_announced_to_the_others_only() {
    deadline(LIMIT, "join notices", || {
        let addr = start_chat();
        // `first_two` reads A's notice of B joining.
        let (mut a, mut b) = first_two(addr);
        a.say("first");
        // B's first line is A's message: no notice of its own joining.
        b.expect(&format!("{}: first", a.name));
    });
}

/// A client that closes — even in the middle of a line — or that vanishes
/// with a reset is announced as gone; its unfinished line is no message,
/// and the room goes on.
#[test]
fn leaving_is_announced_and_the_room_goes_on() {
    deadline(LIMIT, "leave notices", || {
        let addr = start_chat();
        let (mut a, mut b, mut c) = three(addr);
        c.writer.write_all(b"half a li").unwrap();
        thread::sleep(Duration::from_millis(50));
        let c_name = c.name.clone();
        drop(c);
        a.expect(&format!("* {c_name} left"));
        b.expect(&format!("* {c_name} left"));

        SockRef::from(&b.writer)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        let b_name = b.name.clone();
        drop(b); // RST: the client vanishes without a goodbye
        a.expect(&format!("* {b_name} left"));

        let mut d = join(addr, &mut [&mut a]);
        d.say("still here?");
        a.expect(&format!("{}: still here?", d.name));
    });
}

/// 200 lines sent in one write arrive in order, their `\r` stripped.
#[test]
fn lines_arrive_in_order_with_crlf_stripped() {
    deadline(LIMIT, "200 lines in order", || {
        let addr = start_chat();
        let (mut a, mut b) = first_two(addr);
        let burst: String = (0..200).map(|i| format!("line {i}\r\n")).collect();
        a.writer.write_all(burst.as_bytes()).unwrap();
        for i in 0..200 {
            b.expect(&format!("{}: line {i}", a.name));
        }
    });
}

/// A client that never reads fills its queue and is disconnected; the
/// others receive every line, in order, and its `left` — the room never
/// waits for it and never drops lines.
#[test]
fn a_client_that_stops_reading_is_disconnected_and_stalls_no_one() {
    deadline(LIMIT, "a chat with a client that never reads", || {
        let addr = start_chat();
        let (mut a, mut b) = first_two(addr);
        // The sleeper's receive buffer is small, so it fills quickly.
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        socket.set_recv_buffer_size(4096).unwrap();
        socket.connect_timeout(&addr.into(), WAIT).unwrap();
        let sleeper: TcpStream = socket.into();
        let sleeper_name = sleeper.local_addr().unwrap().to_string();
        a.expect(&format!("* {sleeper_name} joined"));
        b.expect(&format!("* {sleeper_name} joined"));

        // A talks in batches, each read by B before the next: B keeps up,
        // the sleeper does not. 10 MB is far more than the sleeper's
        // socket buffers and queue hold.
        const BATCH: usize = 50;
        const LINES: usize = 2500;
        let line = "z".repeat(4000);
        let mut sleeper_left = false;
        for batch in 0..LINES / BATCH {
            let mut burst = String::new();
            for i in batch * BATCH..(batch + 1) * BATCH {
                burst.push_str(&format!("{i} {line}\n"));
            }
            if let Err(error) = a.writer.write_all(burst.as_bytes()) {
                panic!(
                    "A could not send line {} of {LINES} ({error}): the room stopped \
                     reading A — is it waiting for {sleeper_name}, who reads nothing?",
                    batch * BATCH
                );
            }
            let mut got = 0;
            while got < BATCH {
                let index = batch * BATCH + got;
                let next = b.reader_line_or_stall(index, LINES, &sleeper_name);
                if next == format!("* {sleeper_name} left") {
                    sleeper_left = true;
                    continue;
                }
                assert!(
                    next == format!("{}: {index} {line}", a.name),
                    "B's line {index} of {LINES} from A is wrong or missing (lines \
                     must never be dropped): got {:?}…",
                    next.chars().take(40).collect::<String>()
                );
                got += 1;
            }
        }
        assert!(
            sleeper_left,
            "A sent {LINES} lines of 4000 bytes and the client that reads \
             nothing could not take them: its queue filled, so it should have \
             been disconnected and B told `* {sleeper_name} left`"
        );
        drop(sleeper);
    });
}

impl Client {
    /// The next line, failing with a message about a stalled room.
    fn reader_line_or_stall(
        &mut self,
        got: usize,
        of: usize,
        sleeper: &str,
    ) -> String {
        let mut line = String::new();
        match self.reader.read_line(&mut line) {
            Ok(0) => panic!("B was disconnected after {got} of {of} lines"),
            Ok(_) => line.strip_suffix('\n').unwrap_or(&line).to_string(),
            Err(error) => panic!(
                "B got {got} of {of} lines from A, then nothing for 2 s ({error}): is the \
                 room waiting for {sleeper}, who reads nothing? Writes to a client must \
                 never block the room"
            ),
        }
    }
}

/// A line over `MAX_LINE` bytes gets its sender disconnected — without
/// waiting for its `\n` — while a line of exactly `MAX_LINE` is delivered.
#[test]
fn a_line_over_max_line_gets_its_sender_disconnected() {
    deadline(LIMIT, "a chat line too long", || {
        let addr = start_chat();
        let (mut a, mut b) = first_two(addr);
        let longest = "x".repeat(MAX_LINE);
        b.say(&longest);
        a.expect(&format!("{}: {longest}", b.name));
        // Too long, and no `\n` in sight.
        b.writer
            .write_all("y".repeat(MAX_LINE + 100).as_bytes())
            .unwrap();
        a.expect(&format!("* {} left", b.name));
        let mut rest = Vec::new();
        match b.reader.read_to_end(&mut rest) {
            Ok(_) => {}
            Err(error) if error.kind() == ErrorKind::ConnectionReset => {}
            Err(error) => panic!(
                "after a line over MAX_LINE, the server should close the sender's connection: {error}"
            ),
        }
    });
}

/// Ten clients talk at once; each hears the nine others.
#[test]
fn ten_clients_hear_each_other() {
    deadline(LIMIT, "ten chat clients", || {
        let addr = start_chat();
        let (a, b) = first_two(addr);
        let mut clients: Vec<Client> = vec![a, b];
        for _ in 2..10 {
            let mut present: Vec<&mut Client> = clients.iter_mut().collect();
            let newcomer = join(addr, &mut present);
            clients.push(newcomer);
        }
        for client in clients.iter_mut() {
            let line = format!("this is {}", client.name);
            client.say(&line);
        }
        let names: Vec<String> = clients.iter().map(|c| c.name.clone()).collect();
        for client in clients.iter_mut() {
            let mut heard: Vec<String> = (0..9)
                .map(|_| client.next_line("a line from another client"))
                .collect();
            heard.sort();
            let mut expected: Vec<String> = names
                .iter()
                .filter(|name| **name != client.name)
                .map(|name| format!("{name}: this is {name}"))
                .collect();
            expected.sort();
            assert_eq!(heard, expected, "{} should hear the 9 others", client.name);
        }
    });
}
