//! The probe of a chat server: `cargo lab probe chat ADDR`.
//!
//! The workbook's chat protocol: lines of UTF-8 ending in `\n` (a trailing
//! `\r` is stripped); a client's name is its address as the server sees it;
//! when a client connects every *other* client receives `* NAME joined`;
//! each line `L` a client sends reaches every other client as `NAME: L`, in
//! the order the server received them and never back to its sender; when a
//! client leaves the others receive `* NAME left`; a line over 4096 bytes
//! gets its sender disconnected; a client that stops reading never stalls
//! the others (the server disconnects it when its own queue is full).
//!
//! The probe plays several clients, named here A, B, C… for its messages:
//!
//! | check | does | expects |
//! |---|---|---|
//! | join notice | A, then B, then C connect | A gets `* B joined`; A and B get `* C joined` |
//! | broadcast | A sends a line (with UTF-8) | B and C get `A: line` |
//! | not back to the sender | B sends a marker | A gets the marker and never its own line; B never its own join |
//! | order | A sends 50 lines in one write | B gets all 50, in order |
//! | CR LF | A ends a line with `\r\n` | B gets it without the `\r` |
//! | slow dribbling | A sends a line one byte every 20 ms | B gets it whole, as one line |
//! | largest line | A sends 4096 bytes | B gets them whole |
//! | over-long line | L sends 5000 bytes | L is disconnected, the others get `* L left`, never the line |
//! | several clients at once | 3 more join; all 6 send a line | each gets the 5 others' lines |
//! | leave notice | C and the 3 newcomers leave | the others get `* NAME left` |
//! | disconnect mid-line | V sends half a line and resets | the others get `* V left`; the room goes on |
//! | slow reader | S never reads; A floods up to 8 MiB | B gets every line, in order, without a stall |
//!
//! At most [`MAX_CONNECTIONS`] connections and about [`FLOOD_BYTES`] sent;
//! every wait is bounded by the timeout. If the first client is refused or
//! nobody gets a join notice, the other checks are not run.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use super::net;
use super::words::{byte_count, human, quoted};
use super::{Check, ProbeOptions};

/// The longest line the protocol allows, without its `\n`.
pub const MAX_LINE: usize = 4096;

/// The line the over-long check sends: over the limit by enough to matter.
const OVER_LONG: usize = 5000;

/// How many lines the order check sends in one write.
const ORDER_LINES: usize = 50;

/// How many clients the concurrency check has connected together.
pub const TOGETHER: usize = 6;

/// One line of the flood, and the most the flood sends.
const FLOOD_LINE: usize = 1000;
/// Flood lines sent in one write; B is never more than this behind.
const FLOOD_BATCH: usize = 16;
pub const FLOOD_BYTES: usize = 8 * 1024 * 1024;

/// How long the probe lets a server register a new client.
const SETTLE: Duration = Duration::from_millis(100);

/// The pause between the bytes of the dribbled line.
const DRIBBLE_PAUSE: Duration = Duration::from_millis(20);

/// The most connections one probe opens.
pub const MAX_CONNECTIONS: usize = 3 + 1 + (TOGETHER - 3) + 1 + 1;

/// What the probe promises about its traffic, for the report's header.
pub fn bounds(options: &ProbeOptions) -> String {
    format!(
        "at most {MAX_CONNECTIONS} connections and about {} MiB sent, each wait at most {}",
        FLOOD_BYTES / (1024 * 1024) + 1,
        human(options.timeout)
    )
}

/// One client the probe plays, reading lines with bounded waits.
struct Client {
    /// A, B, C…: how the probe's messages call it.
    label: String,
    /// Its name in the protocol: its address as the server sees it (our
    /// local address, unless something translates addresses on the way).
    name: String,
    stream: TcpStream,
    /// Bytes read but not yet split into lines.
    pending: Vec<u8>,
    server: SocketAddr,
}

/// Why no line came.
#[derive(Debug, PartialEq, Eq)]
enum NoLine {
    /// Nothing within the wait.
    Silent,
    /// The server closed or reset the connection.
    Closed(String),
}

impl Client {
    /// Connects a client called `label`.
    fn connect(
        label: &str,
        server: SocketAddr,
        timeout: Duration,
    ) -> Result<Client, String> {
        let stream = net::connect(server, timeout)?;
        let local = stream
            .local_addr()
            .map_err(|error| format!("reading our own address: {error}"))?;
        Ok(Client {
            label: label.to_string(),
            name: local.to_string(),
            stream,
            pending: Vec::new(),
            server,
        })
    }

    /// Sends `bytes` as they are (the caller adds the `\n`).
    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.stream.write_all(bytes).map_err(|error| {
            format!(
                "{} could not send: {}",
                self.label,
                net::failure(&error, self.server)
            )
        })
    }

    /// The next whole line (without its `\n`, with any `\r` kept), within
    /// `wait`. Lines longer than the protocol allows are cut, so a server
    /// cannot make the probe hold unbounded bytes.
    fn next_line(&mut self, wait: Duration) -> Result<String, NoLine> {
        let give_up_at = Instant::now() + wait;
        loop {
            if let Some(end) = self.pending.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                return Ok(normalise(&String::from_utf8_lossy(&line[..end])));
            }
            if self.pending.len() > 2 * MAX_LINE + 64 {
                let line: Vec<u8> = self.pending.drain(..).collect();
                return Ok(normalise(&String::from_utf8_lossy(&line)));
            }
            let left = give_up_at.saturating_duration_since(Instant::now());
            if left.is_zero() || self.stream.set_read_timeout(Some(left)).is_err() {
                return Err(NoLine::Silent);
            }
            let mut chunk = [0; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => {
                    return Err(NoLine::Closed(format!(
                        "{} closed the connection",
                        self.server
                    )));
                }
                Ok(n) => self.pending.extend_from_slice(&chunk[..n]),
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) if net::is_timeout(&error) => return Err(NoLine::Silent),
                Err(error) => {
                    return Err(NoLine::Closed(net::failure(&error, self.server)));
                }
            }
        }
    }

    /// Reads lines until `expected` comes, within `wait`; returns the lines
    /// that came before it. The error says what came instead.
    fn await_line(
        &mut self,
        expected: &str,
        wait: Duration,
    ) -> Result<Vec<String>, String> {
        let give_up_at = Instant::now() + wait;
        let mut before = Vec::new();
        loop {
            let left = give_up_at.saturating_duration_since(Instant::now());
            match self.next_line(left) {
                Ok(line) if line == expected => return Ok(before),
                Ok(line) => before.push(line),
                Err(why) => {
                    let ended = match why {
                        NoLine::Silent => {
                            format!("nothing more within {}", human(wait))
                        }
                        NoLine::Closed(how) => how,
                    };
                    return Err(format!(
                        "{} expected {}, got {}; then {ended}",
                        self.label,
                        quoted(expected.as_bytes(), 80),
                        lines_in_words(&before)
                    ));
                }
            }
        }
    }

    /// Reads lines until every one of `expected` came, in any order.
    fn await_all(
        &mut self,
        expected: &[String],
        wait: Duration,
    ) -> Result<Vec<String>, String> {
        let give_up_at = Instant::now() + wait;
        let mut missing: Vec<&String> = expected.iter().collect();
        let mut others = Vec::new();
        while !missing.is_empty() {
            let left = give_up_at.saturating_duration_since(Instant::now());
            match self.next_line(left) {
                Ok(line) => match missing.iter().position(|m| **m == line) {
                    Some(at) => {
                        missing.remove(at);
                    }
                    None => others.push(line),
                },
                Err(_) => {
                    return Err(format!(
                        "{} expected {}, still missing after {}: {}; other lines: {}",
                        self.label,
                        lines_in_words(expected),
                        human(wait),
                        lines_in_words(
                            &missing.into_iter().cloned().collect::<Vec<_>>()
                        ),
                        lines_in_words(&others)
                    ));
                }
            }
        }
        Ok(others)
    }

    /// `NAME: text`, as the others receive a line of this client.
    fn says(&self, text: &str) -> String {
        format!("{}: {text}", self.name)
    }

    fn joined(&self) -> String {
        format!("* {} joined", self.name)
    }

    fn left(&self) -> String {
        format!("* {} left", self.name)
    }

    /// Leaves cleanly: a FIN, after which the server should see EOF.
    fn leave(self) {
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

/// A name written as an IPv4-mapped IPv6 address (a server listening on
/// `[::]` sees IPv4 clients so) as plain IPv4, so both spellings compare
/// equal.
fn normalise(line: &str) -> String {
    line.replace("[::ffff:", "\u{0}")
        .split('\u{0}')
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                return part.to_string();
            }
            match part.split_once("]:") {
                Some((ip, rest)) if ip.parse::<std::net::Ipv4Addr>().is_ok() => {
                    format!("{ip}:{rest}")
                }
                _ => format!("[::ffff:{part}"),
            }
        })
        .collect()
}

/// Lines for a message: `nothing`, or the first few quoted.
fn lines_in_words(lines: &[String]) -> String {
    const SHOWN: usize = 4;
    if lines.is_empty() {
        return "nothing".to_string();
    }
    let mut shown: Vec<String> = lines
        .iter()
        .take(SHOWN)
        .map(|line| quoted(line.as_bytes(), 70))
        .collect();
    if lines.len() > SHOWN {
        shown.push(format!("and {} more", lines.len() - SHOWN));
    }
    shown.join(", ")
}

/// The probe's running room: the clients still connected.
struct Room {
    server: SocketAddr,
    timeout: Duration,
    a: Client,
    b: Client,
    c: Client,
}

/// Runs every check against the chat server at `server`.
pub fn probe(server: SocketAddr, options: &ProbeOptions) -> Vec<Check> {
    let timeout = options.timeout;
    let (first, room) = join_notice(server, timeout);
    let Some(mut room) = room else {
        let skipped = "not run: the first clients could not join";
        let mut checks = vec![first];
        checks.extend(LATER_CHECKS.iter().map(|name| Check::fail(name, skipped)));
        return checks;
    };
    let mut checks = vec![first];
    checks.push(broadcast(&mut room));
    checks.push(not_back_to_sender(&mut room));
    checks.push(order(&mut room));
    checks.push(crlf(&mut room));
    checks.push(slow_dribbling(&mut room));
    checks.push(largest_line(&mut room));
    checks.push(over_long_line(&mut room));
    let (together, newcomers) = several_clients(&mut room);
    checks.push(together);
    let Room {
        server,
        timeout,
        mut a,
        mut b,
        c,
    } = room;
    checks.push(leave_notice(&mut a, &mut b, c, newcomers, timeout));
    checks.push(disconnect_mid_line(server, &mut a, &mut b, timeout));
    checks.push(slow_reader(server, a, b, timeout));
    checks
}

/// The names of the checks after the first, in order.
const LATER_CHECKS: [&str; 11] = [
    "broadcast",
    "not back to the sender",
    "order",
    "CR LF",
    "slow dribbling",
    "largest line",
    "over-long line",
    "several clients at once",
    "leave notice",
    "disconnect mid-line",
    "slow reader",
];

/// A, then B, then C connect: A hears B join, A and B hear C join.
fn join_notice(server: SocketAddr, timeout: Duration) -> (Check, Option<Room>) {
    const NAME: &str = "join notice";
    let connect = |label: &str| {
        let client = Client::connect(label, server, timeout);
        settle();
        client
    };
    let mut a = match connect("A") {
        Ok(a) => a,
        Err(why) => return (Check::fail(NAME, why), None),
    };
    let mut b = match connect("B") {
        Ok(b) => b,
        Err(why) => return (Check::fail(NAME, why), None),
    };
    let heard = a.await_line(&b.joined(), timeout);
    let c = match connect("C") {
        Ok(c) => c,
        Err(why) => return (Check::fail(NAME, why), None),
    };
    let heard_c = heard
        .and_then(|_| a.await_line(&c.joined(), timeout))
        .and_then(|_| b.await_line(&c.joined(), timeout));
    let check = match heard_c {
        Ok(before) if before.contains(&b.joined()) => Check::fail(
            NAME,
            format!(
                "B was told of its own arrival ({}): a join notice goes to the others only",
                quoted(b.joined().as_bytes(), 60)
            ),
        ),
        Ok(_) => Check::pass(
            NAME,
            format!(
                "A heard {}, A and B heard C join",
                quoted(b.joined().as_bytes(), 60)
            ),
        ),
        Err(why) => {
            return (
                Check::fail(NAME, format!("after B and C connected: {why}")),
                None,
            );
        }
    };
    (
        check,
        Some(Room {
            server,
            timeout,
            a,
            b,
            c,
        }),
    )
}

/// A's line reaches B and C, prefixed with A's name, UTF-8 intact.
fn broadcast(room: &mut Room) -> Check {
    const NAME: &str = "broadcast";
    let text = "netlab probe: hello from A, héllo 你好";
    let wait = room.timeout;
    let outcome = room.a.send(format!("{text}\n").as_bytes()).and_then(|()| {
        room.b.await_line(&room.a.says(text), wait)?;
        room.c.await_line(&room.a.says(text), wait)
    });
    match outcome {
        Ok(_) => Check::pass(
            NAME,
            format!("B and C got {}", quoted(room.a.says(text).as_bytes(), 80)),
        ),
        Err(why) => Check::fail(
            NAME,
            format!("A sent {}: {why}", quoted(text.as_bytes(), 60)),
        ),
    }
}

/// B's marker reaches A: if A's own line had been echoed it would have come
/// first (the server keeps the order it received), so no waiting is needed.
fn not_back_to_sender(room: &mut Room) -> Check {
    const NAME: &str = "not back to the sender";
    let marker = "netlab probe: marker from B";
    let wait = room.timeout;
    let own = room.a.says("netlab probe: hello from A, héllo 你好");
    let outcome = room
        .b
        .send(format!("{marker}\n").as_bytes())
        .and_then(|()| {
            let before_a = room.a.await_line(&room.b.says(marker), wait)?;
            let before_c = room.c.await_line(&room.b.says(marker), wait)?;
            Ok((before_a, before_c))
        });
    match outcome {
        Err(why) => Check::fail(
            NAME,
            format!("B sent {}: {why}", quoted(marker.as_bytes(), 40)),
        ),
        Ok((before_a, _)) if before_a.contains(&own) => Check::fail(
            NAME,
            format!("A got its own line back: {}", quoted(own.as_bytes(), 80)),
        ),
        Ok((before_a, before_c)) if !before_a.is_empty() || !before_c.is_empty() => {
            Check::fail(
                NAME,
                format!(
                    "before B's marker A got {} and C got {}, which nobody sent them",
                    lines_in_words(&before_a),
                    lines_in_words(&before_c)
                ),
            )
        }
        Ok(_) => Check::pass(
            NAME,
            "A's line reached B and C but not A; B's reached A and C but not B",
        ),
    }
}

/// 50 lines in one write arrive at B whole and in order.
fn order(room: &mut Room) -> Check {
    const NAME: &str = "order";
    let lines: Vec<String> = (0..ORDER_LINES)
        .map(|i| format!("netlab probe: line {i:02} of {ORDER_LINES}"))
        .collect();
    let mut batch = lines.join("\n");
    batch.push('\n');
    if let Err(why) = room.a.send(batch.as_bytes()) {
        return Check::fail(NAME, why);
    }
    let wait = room.timeout;
    let mut got = Vec::new();
    let mut problem = None;
    for line in &lines {
        match room.b.next_line(wait) {
            Ok(next) if next == room.a.says(line) => got.push(next),
            Ok(next) => {
                problem = Some(format!(
                    "after {} lines in order, B got {} where {} was next",
                    got.len(),
                    quoted(next.as_bytes(), 60),
                    quoted(room.a.says(line).as_bytes(), 60)
                ));
                break;
            }
            Err(_) => {
                problem = Some(format!(
                    "B got {} of the {ORDER_LINES} lines, then nothing within {}",
                    got.len(),
                    human(wait)
                ));
                break;
            }
        }
    }
    let last = room.a.says(lines.last().expect("lines to send"));
    let _ = room.c.await_line(&last, wait);
    match problem {
        None => Check::pass(
            NAME,
            format!("{ORDER_LINES} lines sent in one write reached B in order"),
        ),
        Some(why) => Check::fail(
            NAME,
            format!("A sent {ORDER_LINES} lines in one write: {why}"),
        ),
    }
}

/// A trailing `\r` is stripped: `\r\n` clients (telnet, Windows) are
/// welcome.
fn crlf(room: &mut Room) -> Check {
    const NAME: &str = "CR LF";
    let text = "netlab probe: ends in CR LF";
    let wait = room.timeout;
    if let Err(why) = room.a.send(format!("{text}\r\n").as_bytes()) {
        return Check::fail(NAME, why);
    }
    let result = match room.b.next_line(wait) {
        Ok(line) if line == room.a.says(text) => {
            Check::pass(NAME, "a line ending in \\r\\n reached B without the \\r")
        }
        Ok(line) => Check::fail(
            NAME,
            format!(
                "A sent {}, B got {} instead of {}",
                quoted(format!("{text}\r\n").as_bytes(), 60),
                quoted(line.as_bytes(), 70),
                quoted(room.a.says(text).as_bytes(), 70)
            ),
        ),
        Err(_) => Check::fail(
            NAME,
            format!(
                "A sent a line ending in \\r\\n, B got nothing within {}",
                human(wait)
            ),
        ),
    };
    let _ = room.c.next_line(wait);
    result
}

/// A line sent one byte at a time reaches B as one line: the server
/// collects bytes until the `\n`, whatever each read returns.
fn slow_dribbling(room: &mut Room) -> Check {
    const NAME: &str = "slow dribbling";
    let text = "netlab probe: dribbled";
    let _ = room.a.stream.set_nodelay(true);
    for byte in format!("{text}\n").bytes() {
        if let Err(why) = room.a.send(&[byte]) {
            return Check::fail(NAME, why);
        }
        thread::sleep(DRIBBLE_PAUSE);
    }
    let wait = room.timeout;
    let result = match room.b.next_line(wait) {
        Ok(line) if line == room.a.says(text) => Check::pass(
            NAME,
            format!(
                "a line sent one byte every {} reached B whole",
                human(DRIBBLE_PAUSE)
            ),
        ),
        Ok(line) => Check::fail(
            NAME,
            format!(
                "A sent {} one byte at a time, B got {} first: a line is whole only at its \\n",
                quoted(text.as_bytes(), 40),
                quoted(line.as_bytes(), 60)
            ),
        ),
        Err(_) => Check::fail(
            NAME,
            format!("A dribbled a line, B got nothing within {}", human(wait)),
        ),
    };
    let _ = room.c.await_line(&room.a.says(text), wait);
    result
}

/// 4096 bytes, the longest line allowed, arrive whole.
fn largest_line(room: &mut Room) -> Check {
    const NAME: &str = "largest line";
    let text = long_line(MAX_LINE);
    let wait = room.timeout;
    let outcome = room.a.send(format!("{text}\n").as_bytes()).and_then(|()| {
        room.b.await_line(&room.a.says(&text), wait)?;
        room.c.await_line(&room.a.says(&text), wait)
    });
    match outcome {
        Ok(_) => Check::pass(
            NAME,
            format!("a line of {} reached B and C whole", byte_count(MAX_LINE)),
        ),
        Err(why) => Check::fail(
            NAME,
            format!(
                "A sent a line of {}: {}",
                byte_count(MAX_LINE),
                shorten(&why)
            ),
        ),
    }
}

/// A line over the limit gets its sender disconnected, and the others never
/// see it.
fn over_long_line(room: &mut Room) -> Check {
    const NAME: &str = "over-long line";
    let wait = room.timeout;
    let mut l = match Client::connect("L", room.server, wait) {
        Ok(client) => client,
        Err(why) => return Check::fail(NAME, why),
    };
    settle();
    for other in [&mut room.a, &mut room.b, &mut room.c] {
        if let Err(why) = other.await_line(&l.joined(), wait) {
            return Check::fail(NAME, format!("L connected: {why}"));
        }
    }
    let text = long_line(OVER_LONG);
    let _ = l.send(format!("{text}\n").as_bytes());
    let disconnected = loop {
        match l.next_line(wait) {
            Ok(_) => continue,
            Err(NoLine::Closed(_)) => break true,
            Err(NoLine::Silent) => break false,
        }
    };
    let heard = room.a.await_line(&l.left(), wait);
    let _ = room.b.await_line(&l.left(), wait);
    let _ = room.c.await_line(&l.left(), wait);
    let sent = format!("L sent a line of {}", byte_count(OVER_LONG));
    match heard {
        _ if !disconnected => Check::fail(
            NAME,
            format!(
                "{sent} (the limit is {MAX_LINE}), and L was still connected {} later",
                human(wait)
            ),
        ),
        Err(why) => Check::fail(
            NAME,
            format!("{sent}; L was disconnected, but {}", shorten(&why)),
        ),
        Ok(before) if before.iter().any(|line| line.len() > MAX_LINE) => {
            Check::fail(
                NAME,
                format!(
                    "{sent}: L was disconnected, but A got the line before `* L left`"
                ),
            )
        }
        Ok(_) => Check::pass(
            NAME,
            format!(
                "{sent}: L was disconnected, the others got `* L left` and not the line"
            ),
        ),
    }
}

/// Three more clients join; each of the six sends a line; each gets the
/// five others'. Returns the newcomers, still connected.
fn several_clients(room: &mut Room) -> (Check, Vec<Client>) {
    const NAME: &str = "several clients at once";
    let wait = room.timeout;
    let mut newcomers = Vec::new();
    for label in ["D", "E", "F"] {
        match Client::connect(label, room.server, wait) {
            Ok(client) => newcomers.push(client),
            Err(why) => return (Check::fail(NAME, why), newcomers),
        }
        settle();
    }
    // Everyone hears of every later arrival first.
    let mut problems = Vec::new();
    for newcomer in &newcomers {
        let joined = newcomer.joined();
        for other in [&mut room.a, &mut room.b, &mut room.c] {
            if let Err(why) = other.await_line(&joined, wait) {
                problems.push(why);
            }
        }
    }
    let count = newcomers.len();
    for i in 0..count {
        let later: Vec<String> =
            newcomers[i + 1..].iter().map(Client::joined).collect();
        if let Err(why) = newcomers[i].await_all(&later, wait) {
            problems.push(why);
        }
    }
    if !problems.is_empty() {
        return (
            Check::fail(
                NAME,
                format!("while 3 more clients joined: {}", problems[0]),
            ),
            newcomers,
        );
    }
    let mut everyone: Vec<&mut Client> = vec![&mut room.a, &mut room.b, &mut room.c];
    everyone.extend(newcomers.iter_mut());
    let text = |label: &str| format!("netlab probe: {label} talks with the others");
    for client in everyone.iter_mut() {
        let line = format!("{}\n", text(&client.label));
        if let Err(why) = client.send(line.as_bytes()) {
            problems.push(why);
        }
    }
    let said: Vec<(String, String)> = everyone
        .iter()
        .map(|client| (client.label.clone(), client.says(&text(&client.label))))
        .collect();
    for client in everyone.iter_mut() {
        let expected: Vec<String> = said
            .iter()
            .filter(|(label, _)| *label != client.label)
            .map(|(_, line)| line.clone())
            .collect();
        match client.await_all(&expected, wait) {
            Ok(others)
                if others
                    .iter()
                    .any(|line| *line == client.says(&text(&client.label))) =>
            {
                problems.push(format!("{} got its own line back", client.label));
            }
            Ok(_) => {}
            Err(why) => problems.push(why),
        }
    }
    let check = match problems.first() {
        None => Check::pass(
            NAME,
            format!(
                "{TOGETHER} clients each sent a line; each got the {} others",
                TOGETHER - 1
            ),
        ),
        Some(first) => Check::fail(
            NAME,
            format!(
                "{TOGETHER} clients each sent a line; {} went wrong; first: {}",
                problems.len(),
                shorten(first)
            ),
        ),
    };
    (check, newcomers)
}

/// C and the newcomers leave cleanly: A and B hear every one of them go.
fn leave_notice(
    a: &mut Client,
    b: &mut Client,
    c: Client,
    newcomers: Vec<Client>,
    wait: Duration,
) -> Check {
    const NAME: &str = "leave notice";
    let mut leaving = vec![c];
    leaving.extend(newcomers);
    let notices: Vec<String> = leaving.iter().map(Client::left).collect();
    let labels: Vec<String> =
        leaving.iter().map(|client| client.label.clone()).collect();
    for client in leaving {
        client.leave();
    }
    let heard = a
        .await_all(&notices, wait)
        .and_then(|_| b.await_all(&notices, wait));
    match heard {
        Ok(_) => Check::pass(
            NAME,
            format!(
                "{} left; A and B got `* NAME left` for each",
                labels.join(", ")
            ),
        ),
        Err(why) => Check::fail(
            NAME,
            format!("{} left: {}", labels.join(", "), shorten(&why)),
        ),
    }
}

/// V sends half a line and vanishes with a reset; the others hear it leave
/// and the room goes on.
fn disconnect_mid_line(
    server: SocketAddr,
    a: &mut Client,
    b: &mut Client,
    wait: Duration,
) -> Check {
    const NAME: &str = "disconnect mid-line";
    let mut v = match Client::connect("V", server, wait) {
        Ok(client) => client,
        Err(why) => return Check::fail(NAME, why),
    };
    settle();
    let setup = a
        .await_line(&v.joined(), wait)
        .and_then(|_| b.await_line(&v.joined(), wait))
        .and_then(|_| v.send(b"netlab probe: half a li"))
        .and_then(|()| a.send(b"netlab probe: for V to leave unread\n"))
        .and_then(|()| {
            b.await_line(&a.says("netlab probe: for V to leave unread"), wait)
        });
    if let Err(why) = setup {
        return Check::fail(NAME, format!("V joined: {}", shorten(&why)));
    }
    // Closing with unread data sends RST: the rudest way to leave.
    thread::sleep(Duration::from_millis(50));
    let left = v.left();
    drop(v);
    let outcome = a
        .await_line(&left, wait)
        .and_then(|_| b.await_line(&left, wait))
        .and_then(|_| a.send(b"netlab probe: still here\n"))
        .and_then(|()| b.await_line(&a.says("netlab probe: still here"), wait));
    match outcome {
        Ok(_) => Check::pass(
            NAME,
            "V sent half a line and reset; A and B got `* V left`, and the room went on",
        ),
        Err(why) => Check::fail(
            NAME,
            format!(
                "V sent half a line and reset the connection: {}",
                shorten(&why)
            ),
        ),
    }
}

/// How B's reading of the flood ended.
#[derive(Debug)]
enum FloodEnd {
    /// `flood over` came: every line was there.
    Over,
    /// A line came out of turn: `at` is the number of the line that came.
    Gap { at: usize },
    /// Something else came instead of the next line.
    Odd(String),
    /// Nothing came for the wait.
    Silent,
    /// The connection broke.
    Broken(String),
}

/// What B saw of the flood.
struct Flooded {
    /// Flood lines B got, in order.
    in_order: usize,
    /// How many flood lines B had when `* S left` came, if it came.
    s_left_at: Option<usize>,
    end: FloodEnd,
}

/// S joins and never reads. A sends lines until the server has dealt with
/// S (it disconnects S when S's queue is full) or `FLOOD_BYTES` are sent;
/// B, reading all along, must get every line in order without a stall.
/// When B falls silent the probe closes S and reads on, to tell a room that
/// waited for S (the lines come once S is gone) from one that lost them.
fn slow_reader(
    server: SocketAddr,
    mut a: Client,
    mut b: Client,
    wait: Duration,
) -> Check {
    const NAME: &str = "slow reader";
    let s = match Client::connect("S", server, wait) {
        Ok(client) => client,
        Err(why) => return Check::fail(NAME, why),
    };
    settle();
    let joined = a
        .await_line(&s.joined(), wait)
        .and_then(|_| b.await_line(&s.joined(), wait));
    if let Err(why) = joined {
        return Check::fail(NAME, format!("S joined: {}", shorten(&why)));
    }
    let total = FLOOD_BYTES / FLOOD_LINE;
    let lines: Vec<String> = (0..total).map(flood_line).collect();
    let expected: Arc<Vec<String>> =
        Arc::new(lines.iter().map(|line| a.says(line)).collect());
    let over = a.says("netlab probe: flood over");
    let s_left = s.left();
    let s_gone = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(AtomicUsize::new(0));
    let reader = {
        let s_gone = Arc::clone(&s_gone);
        let progress = Arc::clone(&progress);
        let expected = Arc::clone(&expected);
        let (over, s_left) = (over.clone(), s_left.clone());
        thread::spawn(move || {
            let mut flooded = Flooded {
                in_order: 0,
                s_left_at: None,
                end: FloodEnd::Silent,
            };
            let seen = Seen {
                s_gone: &s_gone,
                progress: &progress,
            };
            read_flood(&mut b, &mut flooded, &expected, &over, &s_left, seen, wait);
            (b, flooded)
        })
    };
    let mut sent = 0;
    let mut stalled_writer = None;
    for chunk in lines.chunks(FLOOD_BATCH) {
        // Paced by B: a room may fairly disconnect a client that falls a
        // whole queue behind, so the next batch goes only once B has the
        // last. S, who reads nothing, falls behind by everything.
        let paced = Instant::now();
        while progress.load(Ordering::Relaxed) < sent
            && paced.elapsed() < wait
            && !s_gone.load(Ordering::Relaxed)
        {
            thread::sleep(Duration::from_micros(200));
        }
        if s_gone.load(Ordering::Relaxed) || paced.elapsed() >= wait {
            break;
        }
        let mut batch = chunk.join("\n");
        batch.push('\n');
        if let Err(why) = a.send(batch.as_bytes()) {
            stalled_writer = Some(why);
            break;
        }
        sent += chunk.len();
    }
    if stalled_writer.is_none() {
        let _ = a.send(b"netlab probe: flood over\n");
    }
    let Ok((mut b, mut flooded)) = reader.join() else {
        return Check::fail(NAME, "the probe's reader failed");
    };
    let kib = |lines: usize| lines * (FLOOD_LINE + 1) / 1024;
    let scene =
        format!("while S did not read, A sent {sent} lines of {FLOOD_LINE} bytes");
    match flooded.end {
        FloodEnd::Over => {
            drop(s);
            return match flooded.s_left_at {
                Some(at) => Check::pass(
                    NAME,
                    format!(
                        "S never read; after about {} KiB the server disconnected S \
                         (`* S left`), and B got all {} lines in order",
                        kib(at),
                        flooded.in_order
                    ),
                ),
                None => Check::pass(
                    NAME,
                    format!(
                        "S never read; B got all {} lines ({} KiB) in order without a stall \
                         (S was not disconnected: the server queued it all)",
                        flooded.in_order,
                        kib(flooded.in_order)
                    ),
                ),
            };
        }
        FloodEnd::Gap { at } => {
            return Check::fail(
                NAME,
                format!(
                    "{scene}; B got {} in order, then line {at}: lines {} to {} were lost for \
                     B (never drop messages for everyone because one client is slow)",
                    flooded.in_order,
                    flooded.in_order,
                    at - 1
                ),
            );
        }
        FloodEnd::Odd(line) => {
            return Check::fail(
                NAME,
                format!("{scene}; B got {} in order, then {line}", flooded.in_order),
            );
        }
        FloodEnd::Broken(why) => {
            return Check::fail(
                NAME,
                format!("{scene}; B got {} in order, then {why}", flooded.in_order),
            );
        }
        FloodEnd::Silent => {}
    }
    // B heard nothing for a whole wait. Let S go, and see whether the rest
    // comes now (the room waited for S) or never (the room lost it).
    let silent_after = flooded.in_order;
    drop(s);
    let progress = AtomicUsize::new(0);
    let seen = Seen {
        s_gone: &s_gone,
        progress: &progress,
    };
    read_flood(&mut b, &mut flooded, &expected, &over, &s_left, seen, wait);
    let writer = stalled_writer
        .map(|why| format!(" (and {why}: the server had stopped reading A)"))
        .unwrap_or_default();
    let why = match flooded.end {
        _ if flooded.in_order > silent_after => format!(
            "B got {silent_after} in order, then nothing for {}{writer}; once S was closed \
             the next lines came: the room waits for its slowest client (give each client \
             its own queue and writer)",
            human(wait)
        ),
        FloodEnd::Gap { at } => format!(
            "B got {silent_after} in order, then nothing for {}; once S was closed line {at} \
             came: lines {silent_after} to {} were lost for B",
            human(wait),
            at - 1
        ),
        _ => format!(
            "B got {silent_after} in order, then nothing for {}{writer}, even after S was \
             closed: the rest of the lines were lost for B",
            human(wait)
        ),
    };
    Check::fail(NAME, format!("{scene}; {why}"))
}

/// What B's reader tells the writer as it goes.
#[derive(Clone, Copy)]
struct Seen<'a> {
    /// `* S left` came.
    s_gone: &'a AtomicBool,
    /// Flood lines B got in order so far.
    progress: &'a AtomicUsize,
}

/// B's side of the flood: every expected line in order from where
/// `flooded` stands, `* S left` allowed anywhere, until `over` comes.
fn read_flood(
    b: &mut Client,
    flooded: &mut Flooded,
    expected: &[String],
    over: &str,
    s_left: &str,
    seen: Seen,
    wait: Duration,
) {
    flooded.end = loop {
        match b.next_line(wait) {
            Ok(line) if line == s_left => {
                flooded.s_left_at.get_or_insert(flooded.in_order);
                seen.s_gone.store(true, Ordering::Relaxed);
            }
            Ok(line) if line == over => break FloodEnd::Over,
            Ok(line) if expected.get(flooded.in_order) == Some(&line) => {
                flooded.in_order += 1;
                seen.progress.store(flooded.in_order, Ordering::Relaxed);
            }
            Ok(line) => match expected.iter().position(|l| *l == line) {
                Some(at) if at > flooded.in_order => break FloodEnd::Gap { at },
                _ => break FloodEnd::Odd(quoted(line.as_bytes(), 60)),
            },
            Err(NoLine::Silent) => break FloodEnd::Silent,
            Err(NoLine::Closed(how)) => break FloodEnd::Broken(how),
        }
    };
}

/// A pause after a client connects, before the probe counts on the server
/// knowing it: a server may register a new client on its own thread a
/// moment after the accept, and the protocol has no acknowledgement.
fn settle() {
    thread::sleep(SETTLE);
}

/// Flood line `i`, `FLOOD_LINE` bytes long, numbered so a gap shows.
fn flood_line(i: usize) -> String {
    let head = format!("netlab probe: flood {i:06} ");
    let mut line = head.clone();
    line.extend(std::iter::repeat_n('.', FLOOD_LINE - head.len()));
    line
}

/// A line of `len` letters, with no pattern a server could mangle unseen.
fn long_line(len: usize) -> String {
    (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect()
}

/// A failure message cut to a readable length (long lines are quoted cut
/// already, but lists of them add up).
fn shorten(text: &str) -> String {
    const MOST: usize = 400;
    if text.chars().count() <= MOST {
        return text.to_string();
    }
    let cut: String = text.chars().take(MOST).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_names_read_as_ipv4() {
        assert_eq!(
            normalise("* [::ffff:127.0.0.1]:5000 joined"),
            "* 127.0.0.1:5000 joined"
        );
        assert_eq!(normalise("[::ffff:10.0.0.2]:1: hi"), "10.0.0.2:1: hi");
        assert_eq!(normalise("[::1]:5000: hi"), "[::1]:5000: hi");
        assert_eq!(normalise("[::ffff:not]:1"), "[::ffff:not]:1");
    }

    #[test]
    fn flood_lines_have_their_length_and_number() {
        assert_eq!(flood_line(7).len(), FLOOD_LINE);
        assert!(flood_line(7).starts_with("netlab probe: flood 000007 "));
        assert_eq!(long_line(MAX_LINE).len(), MAX_LINE);
        assert_eq!(LATER_CHECKS.len(), 11);
    }

    #[test]
    fn lines_are_shown_few_and_quoted() {
        assert_eq!(lines_in_words(&[]), "nothing");
        let many: Vec<String> = (0..6).map(|i| i.to_string()).collect();
        assert_eq!(lines_in_words(&many), "`0`, `1`, `2`, `3`, and 2 more");
    }
}
