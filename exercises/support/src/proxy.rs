//! A lossy UDP proxy: the bad network a test needs, on loopback.
//!
//! Loopback never loses a datagram, so a client's retry logic would never be
//! exercised there. [`LossyProxy`] sits between a client and a server and
//! does, on purpose, what a real network does by accident: it drops,
//! duplicates, reorders and delays datagrams, following a [`LossPlan`].
//! Every decision comes from a small random generator seeded by the plan, so
//! a test that fails with seed 7 fails the same way with seed 7 again.
//!
//! ```text
//!   client ──► proxy.addr() ──► upstream socket for this client ──► server
//!   client ◄── face for that server address ◄── upstream socket ◄── server
//! ```
//!
//! The proxy behaves like a NAT box:
//!
//! - every **client address** gets its own upstream socket, so the server
//!   sees several clients as several addresses, as it would without the
//!   proxy;
//! - every **server address** that answers gets its own client-facing socket
//!   (a *face*). The server's own address uses [`LossyProxy::addr`]; a
//!   server that answers from a new port, as a TFTP server does for each
//!   transfer, gets a new face with a new port, so the client sees the port
//!   change too. What a client sends to a face goes to that server address.
//!
//! Each socket has its own thread, which wakes every
//! [`POLL_INTERVAL`] to notice that the proxy was stopped. Stopping (or
//! dropping) the proxy ends every thread and closes every socket.

use std::cmp::Ordering as CmpOrdering;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How often a waiting proxy thread wakes up to see whether it should stop.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// How long a datagram held back for reordering waits for a successor before
/// it is sent anyway.
pub const REORDER_FLUSH: Duration = Duration::from_millis(30);

/// How many leading bytes of each datagram [`SeenDatagram::head`] keeps:
/// enough for a TFTP opcode and block number, or a request id.
pub const HEAD_LEN: usize = 16;

/// How often the timer thread looks for datagrams to send.
const TIMER_TICK: Duration = Duration::from_millis(5);

/// Big enough for any UDP datagram.
const RECEIVE_BUFFER: usize = 65_536;

/// What the proxy does to the datagrams passing through it.
///
/// Probabilities are between 0 and 1 and are drawn independently for each
/// datagram: first whether it is dropped, then (if not) whether it is
/// duplicated, then whether it is held back and reordered. Three numbers are
/// drawn for every datagram whatever the probabilities, so changing one
/// probability does not change the dice of the others.
///
/// ```
/// use std::time::Duration;
/// use support::proxy::LossPlan;
///
/// let plan = LossPlan::lossy(7, 0.3)
///     .with_duplicate(0.05)
///     .with_delay(Duration::from_millis(20));
/// assert_eq!(plan.drop, 0.3);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LossPlan {
    /// Seeds the random decisions: the same seed and the same traffic give
    /// the same fates.
    pub seed: u64,
    /// Probability that a datagram is dropped.
    pub drop: f64,
    /// Probability that a datagram is sent twice.
    pub duplicate: f64,
    /// Probability that a datagram is held back and sent after the next one
    /// in the same direction (or after [`REORDER_FLUSH`] if none follows).
    pub reorder: f64,
    /// Every forwarded datagram waits this long before it is sent: a slow
    /// link. `None` sends at once.
    pub delay: Option<Duration>,
    /// Apply the random decisions to one direction only; the other direction
    /// is then perfect. `None` applies them both ways.
    pub only: Option<Direction>,
    /// Datagrams dropped whatever the dice say: `(direction, n)` drops the
    /// n-th datagram (counting from 1) travelling in that direction. Lets a
    /// test lose exactly "the first reply".
    pub forced_drops: Vec<(Direction, u64)>,
}

impl LossPlan {
    /// A plan that forwards everything, at once, in order.
    pub fn perfect() -> Self {
        LossPlan {
            seed: 0,
            drop: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            delay: None,
            only: None,
            forced_drops: Vec::new(),
        }
    }

    /// A plan that drops each datagram with probability `drop`, in both
    /// directions, with decisions drawn from `seed`.
    pub fn lossy(seed: u64, drop: f64) -> Self {
        LossPlan {
            seed,
            drop,
            ..LossPlan::perfect()
        }
    }

    /// The same plan with another seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The same plan with another probability of dropping.
    pub fn with_drop(mut self, probability: f64) -> Self {
        self.drop = probability;
        self
    }

    /// The same plan, also duplicating datagrams with this probability.
    pub fn with_duplicate(mut self, probability: f64) -> Self {
        self.duplicate = probability;
        self
    }

    /// The same plan, also reordering datagrams with this probability.
    pub fn with_reorder(mut self, probability: f64) -> Self {
        self.reorder = probability;
        self
    }

    /// The same plan, delaying every forwarded datagram by `delay`.
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = Some(delay);
        self
    }

    /// The same plan, with the random decisions applied to `direction` only.
    pub fn only(mut self, direction: Direction) -> Self {
        self.only = Some(direction);
        self
    }

    /// The same plan, also dropping the `nth` datagram (from 1) travelling
    /// in `direction`.
    pub fn with_drop_of(mut self, direction: Direction, nth: u64) -> Self {
        self.forced_drops.push((direction, nth));
        self
    }

    /// Refuses probabilities outside 0..=1 with a message saying which.
    fn check(&self) -> io::Result<()> {
        for (name, value) in [
            ("drop", self.drop),
            ("duplicate", self.duplicate),
            ("reorder", self.reorder),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "the {name} probability must be between 0 and 1, not {value}"
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Whether the random decisions apply to datagrams going `direction`.
    fn applies_to(&self, direction: Direction) -> bool {
        self.only.is_none_or(|only| only == direction)
    }
}

impl Default for LossPlan {
    fn default() -> Self {
        LossPlan::perfect()
    }
}

/// Which way a datagram travels through the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From a client to the server.
    ToServer,
    /// From the server back to a client.
    ToClient,
}

impl Direction {
    fn index(self) -> usize {
        match self {
            Direction::ToServer => 0,
            Direction::ToClient => 1,
        }
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::ToServer => "client → server",
            Direction::ToClient => "server → client",
        })
    }
}

/// What the proxy did with one datagram. A datagram has one fate, the most
/// notable: a duplicated datagram on a delayed link is `Duplicated`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fate {
    /// Sent on unchanged.
    Forwarded,
    /// Never sent on.
    Dropped,
    /// Sent on twice.
    Duplicated,
    /// Held back and sent after the next datagram going the same way.
    Reordered,
    /// Sent on after the plan's delay.
    Delayed,
}

impl fmt::Display for Fate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fate::Forwarded => "forwarded",
            Fate::Dropped => "dropped",
            Fate::Duplicated => "duplicated",
            Fate::Reordered => "reordered",
            Fate::Delayed => "delayed",
        })
    }
}

/// One datagram the proxy received, and what it did with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenDatagram {
    /// Which way it was going.
    pub direction: Direction,
    /// Who sent it (a client, or a server address).
    pub from: SocketAddr,
    /// Where it was going (a server address, or a client).
    pub to: SocketAddr,
    /// Its length in bytes.
    pub len: usize,
    /// Its first [`HEAD_LEN`] bytes (fewer if it was shorter).
    pub head: Vec<u8>,
    /// What happened to it.
    pub fate: Fate,
}

/// What happened to the datagrams going one way.
///
/// `received == forwarded + dropped` always holds; `duplicated`, `reordered`
/// and `delayed` count forwarded datagrams that were also treated that way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DirectionCounts {
    /// Datagrams the proxy received going this way.
    pub received: u64,
    /// Datagrams it sent on (a duplicated one counts once here).
    pub forwarded: u64,
    /// Datagrams it dropped.
    pub dropped: u64,
    /// Forwarded datagrams sent a second time.
    pub duplicated: u64,
    /// Forwarded datagrams held back behind their successor.
    pub reordered: u64,
    /// Forwarded datagrams sent after the plan's delay.
    pub delayed: u64,
}

impl DirectionCounts {
    /// How many datagrams actually left the proxy going this way, copies
    /// included.
    pub fn sent(&self) -> u64 {
        self.forwarded + self.duplicated
    }
}

/// What happened to the datagrams in each direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyCounts {
    /// Client to server.
    pub to_server: DirectionCounts,
    /// Server to client.
    pub to_client: DirectionCounts,
}

impl ProxyCounts {
    /// The counts for one direction.
    pub fn direction(&self, direction: Direction) -> &DirectionCounts {
        match direction {
            Direction::ToServer => &self.to_server,
            Direction::ToClient => &self.to_client,
        }
    }

    fn direction_mut(&mut self, direction: Direction) -> &mut DirectionCounts {
        match direction {
            Direction::ToServer => &mut self.to_server,
            Direction::ToClient => &mut self.to_client,
        }
    }
}

/// A running proxy. Clients send to [`LossyProxy::addr`]; the proxy
/// forwards to the upstream server given to [`LossyProxy::start`].
///
/// ```no_run
/// use std::net::UdpSocket;
/// use support::proxy::{LossPlan, LossyProxy};
///
/// let server = UdpSocket::bind("127.0.0.1:0")?;
/// let proxy = LossyProxy::start(server.local_addr()?, LossPlan::lossy(1, 0.3))?;
/// let client = UdpSocket::bind("127.0.0.1:0")?;
/// client.send_to(b"ping", proxy.addr())?; // reaches `server` 70 % of the time
/// let counts = proxy.stop();
/// assert_eq!(counts.to_server.received, 1);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct LossyProxy {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl LossyProxy {
    /// Starts forwarding: clients send to `proxy.addr()`, the proxy forwards
    /// to `upstream`. Fails if a probability of `plan` is not between 0 and
    /// 1, or if no socket can be bound.
    pub fn start(upstream: SocketAddr, plan: LossPlan) -> io::Result<LossyProxy> {
        plan.check()?;
        let main_face = Arc::new(bind_loopback_like(upstream)?);
        let addr = main_face.local_addr()?;
        let (timer_tx, timer_rx) = mpsc::channel();
        let shared = Arc::new(Shared {
            upstream,
            stop: AtomicBool::new(false),
            next_seq: AtomicU64::new(0),
            timer: Mutex::new(timer_tx),
            threads: Mutex::new(Vec::new()),
            state: Mutex::new(State::new(&plan)),
            plan,
        });
        shared
            .lock_state()
            .faces
            .insert(upstream, Arc::clone(&main_face));
        shared.spawn_receiver(main_face, Role::Face { server: upstream })?;
        let timer_shared = Arc::clone(&shared);
        shared.spawn("support proxy timer", move || {
            timer_shared.run_timer(timer_rx)
        })?;
        Ok(LossyProxy { shared, addr })
    }

    /// The address clients send to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server the proxy forwards to.
    pub fn upstream(&self) -> SocketAddr {
        self.shared.upstream
    }

    /// The plan the proxy follows.
    pub fn plan(&self) -> &LossPlan {
        &self.shared.plan
    }

    /// What the proxy has done so far.
    pub fn counts(&self) -> ProxyCounts {
        self.shared.lock_state().counts
    }

    /// Every datagram the proxy has received so far, in the order it
    /// received them, with its fate.
    pub fn datagrams(&self) -> Vec<SeenDatagram> {
        self.shared.lock_state().log.clone()
    }

    /// Stops forwarding, ends the proxy's threads, closes its sockets and
    /// returns what it did. Dropping the proxy stops it too.
    pub fn stop(self) -> ProxyCounts {
        self.shared.shut_down();
        self.counts()
    }
}

impl Drop for LossyProxy {
    fn drop(&mut self) {
        self.shared.shut_down();
    }
}

impl fmt::Debug for LossyProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LossyProxy")
            .field("addr", &self.addr)
            .field("upstream", &self.shared.upstream)
            .field("plan", &self.shared.plan)
            .finish()
    }
}

/// What a receiving thread's socket is for.
#[derive(Debug, Clone, Copy)]
enum Role {
    /// Faces the clients on behalf of this server address: what arrives
    /// goes to `server`.
    Face { server: SocketAddr },
    /// Faces the server on behalf of this client: what arrives goes back
    /// to `client`.
    Upstream { client: SocketAddr },
}

/// A datagram on its way out: which socket sends it, and to whom.
#[derive(Clone)]
struct Outgoing {
    socket: Arc<UdpSocket>,
    to: SocketAddr,
    bytes: Vec<u8>,
}

impl Outgoing {
    fn send(&self) {
        // A send that fails (the peer's buffer is full, the socket is
        // closing) is one more lost datagram: exactly what UDP allows.
        let _ = self.socket.send_to(&self.bytes, self.to);
    }
}

/// A datagram held back so that its successor overtakes it.
struct Held {
    outgoing: Outgoing,
    since: Instant,
}

/// A datagram waiting in the timer thread until `due`.
struct Scheduled {
    due: Instant,
    seq: u64,
    outgoing: Outgoing,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest first,
    /// and datagrams due at the same instant leave in the order they came.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

/// One flow of datagrams: a direction between one client and one server
/// address. Reordering happens within a flow.
type Flow = (Direction, SocketAddr, SocketAddr);

/// Everything the threads share.
struct Shared {
    upstream: SocketAddr,
    plan: LossPlan,
    stop: AtomicBool,
    next_seq: AtomicU64,
    timer: Mutex<mpsc::Sender<Scheduled>>,
    threads: Mutex<Vec<JoinHandle<()>>>,
    state: Mutex<State>,
}

/// What changes as datagrams pass, behind one lock.
struct State {
    /// One generator per direction, so the fates of a client's requests do
    /// not depend on when the replies happen to arrive.
    dice: [SplitMix64; 2],
    /// Datagrams seen so far per direction, for `forced_drops`.
    numbered: [u64; 2],
    counts: ProxyCounts,
    log: Vec<SeenDatagram>,
    /// Client address → the socket that talks to the server for it.
    upstreams: HashMap<SocketAddr, Arc<UdpSocket>>,
    /// Server address → the socket that talks to the clients for it.
    faces: HashMap<SocketAddr, Arc<UdpSocket>>,
    held: HashMap<Flow, Held>,
}

impl State {
    fn new(plan: &LossPlan) -> Self {
        State {
            dice: [
                SplitMix64::new(plan.seed),
                SplitMix64::new(plan.seed ^ 0x5EED_0FC1_1E47),
            ],
            numbered: [0; 2],
            counts: ProxyCounts::default(),
            log: Vec::new(),
            upstreams: HashMap::new(),
            faces: HashMap::new(),
            held: HashMap::new(),
        }
    }
}

impl Shared {
    fn lock_state(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not hide the counts from the test.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn spawn<F>(&self, name: &str, body: F) -> io::Result<()>
    where
        F: FnOnce() + Send + 'static,
    {
        let handle = thread::Builder::new().name(name.to_string()).spawn(body)?;
        self.threads
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(handle);
        Ok(())
    }

    fn spawn_receiver(
        self: &Arc<Self>,
        socket: Arc<UdpSocket>,
        role: Role,
    ) -> io::Result<()> {
        socket.set_read_timeout(Some(POLL_INTERVAL))?;
        let shared = Arc::clone(self);
        self.spawn("support proxy socket", move || {
            shared.run_receiver(&socket, role)
        })
    }

    /// Ends every thread (including any started while we wait) and lets go
    /// of every socket.
    fn shut_down(&self) {
        self.stop.store(true, Ordering::SeqCst);
        loop {
            let handles: Vec<_> = std::mem::take(
                &mut *self.threads.lock().unwrap_or_else(PoisonError::into_inner),
            );
            if handles.is_empty() {
                break;
            }
            for handle in handles {
                let _ = handle.join();
            }
        }
        let mut state = self.lock_state();
        state.upstreams.clear();
        state.faces.clear();
        state.held.clear();
    }

    /// A socket's thread: receive, decide, send, until stopped.
    fn run_receiver(self: &Arc<Self>, socket: &UdpSocket, role: Role) {
        let mut buffer = vec![0; RECEIVE_BUFFER];
        while !self.stopping() {
            let (len, from) = match socket.recv_from(&mut buffer) {
                Ok(received) => received,
                // Timeouts let us look at the stop flag; other errors
                // (an ICMP report on some systems) are not fatal for UDP.
                Err(_) => continue,
            };
            if self.stopping() {
                break;
            }
            let bytes = buffer[..len].to_vec();
            let outgoing = match self.route(role, from, bytes) {
                Ok(routed) => routed,
                Err(_) => continue,
            };
            self.emit(outgoing);
        }
    }

    /// Decides what happens to a datagram that `from` sent to a socket with
    /// this `role`, and returns what must now be sent, in order.
    fn route(
        self: &Arc<Self>,
        role: Role,
        from: SocketAddr,
        bytes: Vec<u8>,
    ) -> io::Result<Vec<Outgoing>> {
        let mut state = self.lock_state();
        let (direction, client, server, socket, to) = match role {
            Role::Face { server } => {
                let socket = self.upstream_for(&mut state, from)?;
                (Direction::ToServer, from, server, socket, server)
            }
            Role::Upstream { client } => {
                let socket = self.face_for(&mut state, from)?;
                (Direction::ToClient, client, from, socket, client)
            }
        };
        let seen = SeenDatagram {
            direction,
            from,
            to,
            len: bytes.len(),
            head: bytes[..bytes.len().min(HEAD_LEN)].to_vec(),
            fate: Fate::Forwarded,
        };
        let outgoing = Outgoing { socket, to, bytes };
        Ok(self.decide(&mut state, (direction, client, server), seen, outgoing))
    }

    /// The socket that talks to the server for `client`, made on first use.
    fn upstream_for(
        self: &Arc<Self>,
        state: &mut State,
        client: SocketAddr,
    ) -> io::Result<Arc<UdpSocket>> {
        if let Some(socket) = state.upstreams.get(&client) {
            return Ok(Arc::clone(socket));
        }
        let socket = Arc::new(bind_loopback_like(self.upstream)?);
        self.spawn_receiver(Arc::clone(&socket), Role::Upstream { client })?;
        state.upstreams.insert(client, Arc::clone(&socket));
        Ok(socket)
    }

    /// The socket that talks to the clients for `server`, made on first use:
    /// a server answering from a new port gets a new port on this side too.
    fn face_for(
        self: &Arc<Self>,
        state: &mut State,
        server: SocketAddr,
    ) -> io::Result<Arc<UdpSocket>> {
        if let Some(socket) = state.faces.get(&server) {
            return Ok(Arc::clone(socket));
        }
        let socket = Arc::new(bind_loopback_like(self.upstream)?);
        self.spawn_receiver(Arc::clone(&socket), Role::Face { server })?;
        state.faces.insert(server, Arc::clone(&socket));
        Ok(socket)
    }

    /// Rolls the dice for one datagram, records its fate, and returns what
    /// to send now: nothing, it, it twice, or it followed by a datagram of
    /// the same flow that was held back.
    fn decide(
        &self,
        state: &mut State,
        flow: Flow,
        mut seen: SeenDatagram,
        outgoing: Outgoing,
    ) -> Vec<Outgoing> {
        let direction = flow.0;
        let plan = &self.plan;
        let roll = state.dice[direction.index()].roll();
        state.numbered[direction.index()] += 1;
        let number = state.numbered[direction.index()];
        let random = plan.applies_to(direction);
        let counts = state.counts.direction_mut(direction);
        counts.received += 1;

        let mut to_send = Vec::new();
        let forced = plan.forced_drops.contains(&(direction, number));
        if forced || (random && roll.drop < plan.drop) {
            counts.dropped += 1;
            seen.fate = Fate::Dropped;
        } else {
            counts.forwarded += 1;
            if plan.delay.is_some() {
                counts.delayed += 1;
                seen.fate = Fate::Delayed;
            }
            let duplicate = random && roll.duplicate < plan.duplicate;
            let reorder = random && !duplicate && roll.reorder < plan.reorder;
            if reorder && !state.held.contains_key(&flow) {
                counts.reordered += 1;
                seen.fate = Fate::Reordered;
                let since = Instant::now();
                state.held.insert(flow, Held { outgoing, since });
            } else {
                if duplicate {
                    counts.duplicated += 1;
                    seen.fate = Fate::Duplicated;
                    to_send.push(outgoing.clone());
                }
                to_send.push(outgoing);
                // The held datagram goes right after the one that overtook it.
                if let Some(held) = state.held.remove(&flow) {
                    to_send.push(held.outgoing);
                }
            }
        }
        state.log.push(seen);
        to_send
    }

    /// Sends now, or hands to the timer thread when the plan delays.
    fn emit(&self, outgoing: Vec<Outgoing>) {
        match self.plan.delay {
            None => outgoing.iter().for_each(Outgoing::send),
            Some(delay) => {
                let due = Instant::now() + delay;
                let timer =
                    self.timer.lock().unwrap_or_else(PoisonError::into_inner);
                for outgoing in outgoing {
                    let seq = self.next_seq.fetch_add(1, Ordering::SeqCst);
                    let _ = timer.send(Scheduled { due, seq, outgoing });
                }
            }
        }
    }

    /// The timer thread: sends delayed datagrams when they are due, and
    /// lets go of held datagrams that nothing overtook.
    fn run_timer(&self, inbox: mpsc::Receiver<Scheduled>) {
        let mut waiting = BinaryHeap::new();
        while !self.stopping() {
            let now = Instant::now();
            while waiting
                .peek()
                .is_some_and(|next: &Scheduled| next.due <= now)
            {
                if let Some(due) = waiting.pop() {
                    due.outgoing.send();
                }
            }
            let expired = self.take_expired_holds(now);
            self.emit(expired);
            match inbox.recv_timeout(TIMER_TICK) {
                Ok(scheduled) => waiting.push(scheduled),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
    }

    fn take_expired_holds(&self, now: Instant) -> Vec<Outgoing> {
        let mut state = self.lock_state();
        let expired: Vec<Flow> = state
            .held
            .iter()
            .filter(|(_, held)| now.duration_since(held.since) >= REORDER_FLUSH)
            .map(|(flow, _)| *flow)
            .collect();
        expired
            .iter()
            .filter_map(|flow| state.held.remove(flow))
            .map(|held| held.outgoing)
            .collect()
    }
}

/// A UDP socket on the loopback address of the same family as `like`, with
/// a port chosen by the OS.
fn bind_loopback_like(like: SocketAddr) -> io::Result<UdpSocket> {
    let ip = match like.ip() {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
    };
    UdpSocket::bind(SocketAddr::new(ip, 0))
}

/// The three numbers drawn for every datagram, each in `0.0..1.0`.
struct Roll {
    drop: f64,
    duplicate: f64,
    reorder: f64,
}

/// SplitMix64: a tiny, well-known generator. Good enough to decide the fate
/// of test datagrams, and written here so that a seed means the same thing
/// whatever version of a random-number crate is around.
struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0.0..1.0` from the top 53 bits.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn roll(&mut self) -> Roll {
        Roll {
            drop: self.next_f64(),
            duplicate: self.next_f64(),
            reorder: self.next_f64(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deadline;
    use crate::loopback::{recv_within, udp_socket};

    const WAIT: Duration = Duration::from_secs(2);
    const LIMIT: Duration = Duration::from_secs(10);

    /// A server on its own thread that echoes until nothing has come for
    /// half a second.
    fn echo_server() -> SocketAddr {
        let socket = udp_socket(Duration::from_millis(500));
        let addr = socket.local_addr().unwrap();
        thread::spawn(move || {
            let mut buffer = [0; 2048];
            while let Ok((len, from)) = socket.recv_from(&mut buffer) {
                let _ = socket.send_to(&buffer[..len], from);
            }
        });
        addr
    }

    /// Waits until `check` holds on the proxy's counts, or `WAIT` passes.
    fn wait_for(
        proxy: &LossyProxy,
        check: impl Fn(&ProxyCounts) -> bool,
    ) -> ProxyCounts {
        let give_up = Instant::now() + WAIT;
        loop {
            let counts = proxy.counts();
            if check(&counts) || Instant::now() > give_up {
                return counts;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Receives everything that arrives until nothing has for `quiet`.
    fn drain(socket: &UdpSocket, quiet: Duration) -> Vec<Vec<u8>> {
        let mut got = Vec::new();
        while let Some((bytes, _)) = recv_within(socket, quiet) {
            got.push(bytes);
        }
        got
    }

    #[test]
    fn perfect_plan_forwards_everything_both_ways() {
        deadline(LIMIT, "a perfect proxy in front of an echo server", || {
            let proxy =
                LossyProxy::start(echo_server(), LossPlan::perfect()).unwrap();
            let client = udp_socket(WAIT);
            for i in 0..20u8 {
                client.send_to(&[i; 3], proxy.addr()).unwrap();
                let (bytes, from) = recv_within(&client, WAIT).expect("no echo");
                assert_eq!(bytes, [i; 3]);
                assert_eq!(from, proxy.addr());
            }
            let counts = proxy.stop();
            let all = DirectionCounts {
                received: 20,
                forwarded: 20,
                ..DirectionCounts::default()
            };
            assert_eq!(counts.to_server, all);
            assert_eq!(counts.to_client, all);
        });
    }

    #[test]
    fn thirty_percent_loss_drops_about_thirty_percent_and_counts_add_up() {
        deadline(LIMIT, "a 30 % lossy proxy", || {
            let sink = udp_socket(Duration::from_millis(300));
            let proxy = LossyProxy::start(
                sink.local_addr().unwrap(),
                LossPlan::lossy(42, 0.3),
            )
            .unwrap();
            // Read as we go: a socket's receive buffer holds only a few
            // hundred small datagrams.
            let sink =
                thread::spawn(move || drain(&sink, Duration::from_millis(300)));
            let client = udp_socket(WAIT);
            for i in 0..400u32 {
                client.send_to(&i.to_be_bytes(), proxy.addr()).unwrap();
                if i % 25 == 0 {
                    thread::sleep(Duration::from_millis(1));
                }
            }
            let counts = wait_for(&proxy, |c| c.to_server.received == 400).to_server;
            assert_eq!(counts.received, 400);
            assert_eq!(counts.forwarded + counts.dropped, counts.received);
            assert!(
                (90..=150).contains(&counts.dropped),
                "dropped {} of 400 with p = 0.3",
                counts.dropped
            );
            let arrived = sink.join().unwrap();
            assert_eq!(arrived.len() as u64, counts.forwarded);
            let log = proxy.datagrams();
            let dropped = log.iter().filter(|d| d.fate == Fate::Dropped).count();
            assert_eq!(dropped as u64, counts.dropped);
        });
    }

    #[test]
    fn the_same_seed_gives_the_same_fates() {
        deadline(LIMIT, "two proxies with one seed", || {
            let fates = || {
                let sink = udp_socket(WAIT);
                let plan = LossPlan::lossy(9, 0.5).with_duplicate(0.2);
                let proxy =
                    LossyProxy::start(sink.local_addr().unwrap(), plan).unwrap();
                let client = udp_socket(WAIT);
                for i in 0..50u8 {
                    client.send_to(&[i], proxy.addr()).unwrap();
                }
                wait_for(&proxy, |c| c.to_server.received == 50);
                let log = proxy.datagrams();
                log.iter()
                    .map(|d| (d.head.clone(), d.fate))
                    .collect::<Vec<_>>()
            };
            assert_eq!(fates(), fates());
        });
    }

    #[test]
    fn duplicates_are_sent_twice_and_counted() {
        deadline(LIMIT, "a duplicating proxy", || {
            let sink = udp_socket(WAIT);
            let plan = LossPlan::perfect().with_duplicate(1.0);
            let proxy = LossyProxy::start(sink.local_addr().unwrap(), plan).unwrap();
            let client = udp_socket(WAIT);
            for i in 0..5u8 {
                client.send_to(&[i], proxy.addr()).unwrap();
            }
            let arrived = drain(&sink, Duration::from_millis(200));
            let expected: Vec<Vec<u8>> =
                (0..5u8).flat_map(|i| [vec![i], vec![i]]).collect();
            assert_eq!(arrived, expected);
            let counts = proxy.stop().to_server;
            assert_eq!(
                (counts.forwarded, counts.duplicated, counts.sent()),
                (5, 5, 10)
            );
        });
    }

    #[test]
    fn reordering_swaps_neighbours_and_flushes_a_lone_datagram() {
        deadline(LIMIT, "a reordering proxy", || {
            let sink = udp_socket(WAIT);
            let plan = LossPlan::perfect().with_reorder(1.0);
            let proxy = LossyProxy::start(sink.local_addr().unwrap(), plan).unwrap();
            let client = udp_socket(WAIT);
            // Sent back to back, so that each successor is already queued
            // when the proxy holds a datagram back.
            for i in 1..=5u8 {
                client.send_to(&[i], proxy.addr()).unwrap();
            }
            let arrived = drain(&sink, Duration::from_millis(200));
            // 1 waits for 2, 3 for 4, and 5 is let go after REORDER_FLUSH.
            let expected: Vec<Vec<u8>> = [2, 1, 4, 3, 5].map(|i| vec![i]).into();
            assert_eq!(arrived, expected);
            assert_eq!(proxy.stop().to_server.reordered, 3);
        });
    }

    #[test]
    fn forced_drops_lose_exactly_the_datagram_named() {
        deadline(LIMIT, "a proxy losing the first reply", || {
            let plan = LossPlan::perfect().with_drop_of(Direction::ToClient, 1);
            let proxy = LossyProxy::start(echo_server(), plan).unwrap();
            let client = udp_socket(WAIT);
            client.send_to(b"one", proxy.addr()).unwrap();
            assert!(recv_within(&client, Duration::from_millis(200)).is_none());
            client.send_to(b"two", proxy.addr()).unwrap();
            let (bytes, _) = recv_within(&client, WAIT).expect("the second echo");
            assert_eq!(bytes, b"two");
            let counts = proxy.stop();
            assert_eq!(counts.to_client.dropped, 1);
            assert_eq!(counts.to_server.dropped, 0);
        });
    }

    #[test]
    fn delay_holds_datagrams_back() {
        deadline(LIMIT, "a slow proxy", || {
            let plan = LossPlan::perfect().with_delay(Duration::from_millis(60));
            let proxy = LossyProxy::start(echo_server(), plan).unwrap();
            let client = udp_socket(WAIT);
            let sent_at = Instant::now();
            client.send_to(b"slow", proxy.addr()).unwrap();
            let (bytes, _) = recv_within(&client, WAIT).expect("the delayed echo");
            assert_eq!(bytes, b"slow");
            assert!(sent_at.elapsed() >= Duration::from_millis(120));
            let counts = proxy.stop();
            assert_eq!((counts.to_server.delayed, counts.to_client.delayed), (1, 1));
        });
    }

    #[test]
    fn each_client_gets_its_own_upstream_address() {
        deadline(LIMIT, "two clients through one proxy", || {
            let server = udp_socket(WAIT);
            let proxy =
                LossyProxy::start(server.local_addr().unwrap(), LossPlan::perfect())
                    .unwrap();
            let (a, b) = (udp_socket(WAIT), udp_socket(WAIT));
            a.send_to(b"a", proxy.addr()).unwrap();
            let (_, from_a) = recv_within(&server, WAIT).expect("a's datagram");
            b.send_to(b"b", proxy.addr()).unwrap();
            let (_, from_b) = recv_within(&server, WAIT).expect("b's datagram");
            assert_ne!(from_a, from_b);
            server.send_to(b"for b", from_b).unwrap();
            server.send_to(b"for a", from_a).unwrap();
            assert_eq!(recv_within(&a, WAIT).expect("reply to a").0, b"for a");
            assert_eq!(recv_within(&b, WAIT).expect("reply to b").0, b"for b");
        });
    }

    #[test]
    fn a_server_answering_from_a_new_port_is_followed() {
        deadline(LIMIT, "a TFTP-like server behind the proxy", || {
            let listener = udp_socket(WAIT);
            let proxy = LossyProxy::start(
                listener.local_addr().unwrap(),
                LossPlan::perfect(),
            )
            .unwrap();
            let client = udp_socket(WAIT);
            client.send_to(b"RRQ", proxy.addr()).unwrap();
            let (_, client_seen_as) =
                recv_within(&listener, WAIT).expect("the request");

            // The server answers from a fresh socket: its "transfer id".
            let transfer = udp_socket(WAIT);
            transfer.send_to(b"DATA 1", client_seen_as).unwrap();
            let (bytes, reply_from) = recv_within(&client, WAIT).expect("DATA 1");
            assert_eq!(bytes, b"DATA 1");
            assert_ne!(reply_from, proxy.addr(), "the client must see a new port");

            client.send_to(b"ACK 1", reply_from).unwrap();
            let (bytes, from) = recv_within(&transfer, WAIT).expect("ACK 1");
            assert_eq!(bytes, b"ACK 1");
            assert_eq!(from, client_seen_as);
            assert!(recv_within(&listener, Duration::from_millis(50)).is_none());

            let log = proxy.datagrams();
            assert_eq!(log.len(), 3);
            assert_eq!(log[1].direction, Direction::ToClient);
            assert_eq!(log[1].head, b"DATA 1");
        });
    }

    #[test]
    fn stopping_closes_the_client_facing_socket() {
        deadline(LIMIT, "a stopped proxy", || {
            let proxy =
                LossyProxy::start(echo_server(), LossPlan::perfect()).unwrap();
            let addr = proxy.addr();
            let started = Instant::now();
            proxy.stop();
            assert!(started.elapsed() < Duration::from_secs(1));
            // Nobody listens there any more: the kernel answers with ICMP
            // port unreachable, which a connected socket reports.
            let client = udp_socket(WAIT);
            client.connect(addr).unwrap();
            client.send(b"anyone?").unwrap();
            let error = client.recv(&mut [0; 16]).unwrap_err();
            assert_eq!(error.kind(), io::ErrorKind::ConnectionRefused);
        });
    }

    #[test]
    fn impossible_probabilities_are_refused() {
        let error =
            LossyProxy::start(echo_server(), LossPlan::lossy(1, 1.5)).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert!(error.to_string().contains("drop"), "{error}");
    }
}
