//! The two state machines of a transfer: the side that sends the file's
//! blocks ([`send_file`]) and the side that receives them
//! ([`receive_file`]). A client's `get` and a server's WRQ receive; a
//! client's `put` and a server's RRQ send.
//!
//! # The rules they keep
//!
//! - **Blocks and the end rule.** The file goes in blocks of `blksize`
//!   bytes, numbered from 1. A block shorter than `blksize` is the last one;
//!   a file whose size is an exact multiple of `blksize` ends with an empty
//!   block.
//! - **Windows (RFC 7440).** The sender sends `windowsize` blocks, then
//!   waits for an ACK. An ACK of block `n` acknowledges every block up to
//!   `n`. With a window of 1 this is RFC 1350's lock-step.
//! - **Rollover.** Block numbers are 16 bits: after 65535 comes 0. Both
//!   sides count blocks in a `u64` and put the low 16 bits on the wire, so
//!   a file of any size works.
//! - **Loss: fast retransmission, slow surrender.** A sender that hears
//!   nothing for a timeout sends the window again, starting after the last
//!   acknowledged block; its timeout adapts to the measured round trip
//!   ([`crate::timer::RetransmitTimer`]), so a loss on a fast path costs
//!   milliseconds. But it gives up only after a *silence budget*
//!   ([`TransferSettings::patience`]: `retries` whole timeouts, 25 s by
//!   default) without progress, however many quick resends fitted in it:
//!   long enough to outlast a peer that retransmits on a slow timer of its
//!   own. The receiver keeps the same budget; it times its ACKs' round
//!   trips too, repeats an ACK that seems lost about as soon as a sender
//!   would resend, and otherwise leaves retransmission to the sender (see
//!   `Receiver::repeat_after`). A receiver that sees a block beyond the
//!   one it expects (a gap: something was lost) acknowledges at once the
//!   last block it has in order, once per window the sender sends, and the
//!   sender starts again from there without waiting for a timeout. A
//!   receiver that sees a block it already has (its ACK was lost, so the
//!   sender repeats itself) acknowledges again, once per repeated run of
//!   blocks, not once per block.
//! - **No Sorcerer's Apprentice (RFC 1123, 4.2.3.1).** In lock-step, a
//!   sender never resends DATA because an ACK came twice, only on a
//!   timeout. Were it to answer duplicates, one delayed packet would double
//!   every packet for the rest of the transfer: each duplicate ACK would
//!   bring a duplicate DATA, whose duplicate ACK would bring another. (The
//!   receiver does answer a repeated DATA with its ACK: that is how a lost
//!   ACK is repaired, and it is safe as long as the sender keeps this
//!   rule.) With a window the same trap exists one window at a time, so a
//!   duplicate ACK (a gap right at the start of a window) restarts the
//!   window only when it cannot be the echo of our own retransmission: when
//!   nothing after the previous ACK was ever sent twice, and only once.
//! - **The dally.** The receiver's last ACK may be lost; the sender then
//!   repeats the last DATA on its own timer. So the receiver lingers after
//!   its last ACK to answer such a repeat, until the sender has been quiet
//!   for long enough ([`Dally`], [`TransferSettings::linger`]); it also
//!   answers one sender's mistake seen in the field, an empty block past
//!   the end ([`Completion::acknowledge`]).
//!
//! Both machines talk to their peer through a [`Channel`], which a UDP
//! socket implements ([`crate::net::PeerSocket`]) and which tests can
//! implement with a script.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::options::Options;
use crate::packet::{self, DATA_HEADER_LEN, ErrorCode, Packet};
use crate::timer::{self, PEER_RETRANSMIT, RetransmitTimer, Silence};

/// The size of the buffer between a transfer and its file.
///
/// Small blocks are gathered into 32 KiB reads and writes (one system call
/// per 64 blocks of 512 bytes), while blocks of 32 KiB and more go straight
/// between the file and the packet without a copy: `BufReader` and
/// `BufWriter` bypass their buffer for any read or write at least as large
/// as it.
pub const FILE_BUFFER: usize = 32 * 1024;

/// The longest single wait of the dally, so that a lingering receiver
/// notices the shutdown flag soon.
const DALLY_POLL: Duration = Duration::from_millis(250);

/// The datagram link between a transfer and its one peer.
///
/// The transfer only sends and receives datagrams; everything about
/// addresses (who the peer is, what to do with strangers) is the
/// channel's business.
pub trait Channel {
    /// Sends one datagram to the peer.
    fn send(&mut self, datagram: &[u8]) -> io::Result<()>;

    /// Waits up to `timeout` for the peer's next datagram, copies it into
    /// `buf` and returns its length, or `None` when the time is up. A
    /// datagram longer than `buf` is cut to `buf`'s length.
    fn recv(
        &mut self,
        buf: &mut [u8],
        timeout: Duration,
    ) -> io::Result<Option<usize>>;

    /// The peer's address, when there is one, for error messages.
    fn peer_addr(&self) -> Option<SocketAddr> {
        None
    }
}

impl<C: Channel + ?Sized> Channel for &mut C {
    fn send(&mut self, datagram: &[u8]) -> io::Result<()> {
        (**self).send(datagram)
    }

    fn recv(
        &mut self,
        buf: &mut [u8],
        timeout: Duration,
    ) -> io::Result<Option<usize>> {
        (**self).recv(buf, timeout)
    }

    fn peer_addr(&self) -> Option<SocketAddr> {
        (**self).peer_addr()
    }
}

/// A flag that stops transfers early: the server sets it on Ctrl-C, the
/// client when its user gives up. A transfer notices it within one timeout,
/// tells its peer with an ERROR and ends with [`TransferError::Cancelled`].
#[derive(Debug, Clone, Default)]
pub struct Shutdown(Arc<AtomicBool>);

impl Shutdown {
    /// A flag that is not set.
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Sets the flag, for every clone of it.
    pub fn trigger(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether the flag is set.
    pub fn is_triggered(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// When the receiving side lingers after its last ACK.
///
/// Lingering costs whoever waits for it, and protects the *sender's* view
/// of the transfer: a sender that never sees the last ACK reports a failure
/// for a file that arrived whole. So a client, whose user waits, lingers
/// only after loss and briefly; a server, whose clients would report a
/// failed upload, lingers always and long enough to hear a slow peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dally {
    /// Leave at once.
    Never,
    /// Linger only if the transfer lost or repeated a packet, until the
    /// sender has been quiet for one timeout: on a clean path the last ACK
    /// is very likely to arrive, and a client that lingers only keeps its
    /// user waiting (tftp-hpa, curl and atftp all leave at once).
    AfterLoss,
    /// Always linger, until the sender has been quiet for three times the
    /// longest retransmission interval it may use (the timeout, or
    /// [`PEER_RETRANSMIT`] if that is longer: 15 s by default), within the
    /// silence budget: what a server does, as nobody waits for it. Three,
    /// so that a slow peer's first two repeats (a lost last ACK, then a
    /// lost repeat) are both heard, with a margin.
    Always,
}

/// Everything one transfer needs to know beyond its file and its peer.
#[derive(Debug, Clone)]
pub struct TransferSettings {
    /// Bytes of payload per DATA packet.
    pub blksize: usize,
    /// Blocks sent per ACK (1 is lock-step).
    pub windowsize: u16,
    /// The longest wait before a retransmission; the sender adapts its wait
    /// below this to the measured round trip (see [`crate::timer`]).
    pub timeout: Duration,
    /// How many whole timeouts' worth of silence the transfer sits through
    /// before it gives up: the silence budget is `retries × timeout` (see
    /// [`TransferSettings::patience`]). A count of timeouts, not of
    /// resends: the sender resends as often as its adaptive timer says.
    pub retries: u32,
    /// Whether the receiving side lingers after its last ACK (see
    /// [`TransferSettings::linger`]).
    pub dally: Dally,
    /// Stops the transfer early when set.
    pub shutdown: Shutdown,
}

impl TransferSettings {
    /// The settings for agreed `options`: its block size, window and
    /// timeout where present, RFC 1350's defaults (512 bytes, lock-step)
    /// and the given `timeout` where not.
    pub fn from_options(options: &Options, timeout: Duration, retries: u32) -> Self {
        TransferSettings {
            blksize: options.blksize_or_default(),
            windowsize: options.windowsize_or_default(),
            timeout: options.timeout_duration().unwrap_or(timeout),
            retries,
            dally: Dally::Always,
            shutdown: Shutdown::new(),
        }
    }
}

impl TransferSettings {
    /// The silence budget: how long the transfer goes on without progress
    /// from its peer before it gives up, `retries × timeout`
    /// ([`timer::patience`]).
    pub fn patience(&self) -> Duration {
        timer::patience(self.timeout, self.retries)
    }

    /// How long the receiver lingers after its last ACK with nothing from
    /// the sender (each repeat of the last block it answers starts the wait
    /// again, within [`TransferSettings::patience`]); `None` when it does
    /// not linger. `saw_loss` says whether the transfer lost or repeated a
    /// packet.
    pub fn linger(&self, saw_loss: bool) -> Option<Duration> {
        match self.dally {
            Dally::Never => None,
            Dally::AfterLoss if !saw_loss => None,
            Dally::AfterLoss => Some(self.timeout.min(self.patience())),
            Dally::Always => {
                let interval = self.timeout.max(PEER_RETRANSMIT);
                Some((interval * 3).min(self.patience()))
            }
        }
    }
}

impl Default for TransferSettings {
    /// Plain RFC 1350: 512-byte blocks, lock-step, the default timeout and
    /// silence budget ([`timer::DEFAULT_TIMEOUT`],
    /// [`timer::DEFAULT_RETRIES`]).
    fn default() -> Self {
        TransferSettings::from_options(
            &Options::default(),
            timer::DEFAULT_TIMEOUT,
            timer::DEFAULT_RETRIES,
        )
    }
}

/// What a finished transfer counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TransferStats {
    /// Bytes of payload delivered (as they travelled: in netascii mode,
    /// with network line endings).
    pub bytes: u64,
    /// DATA packets delivered, the empty last one included.
    pub blocks: u64,
    /// DATA packets sent again (by the sender) or ACKs repeated (by the
    /// receiver).
    pub retransmissions: u64,
    /// Waits that ended without an answer.
    pub timeouts: u64,
}

/// Why a transfer failed. Where it makes sense, the transfer has already
/// told its peer with an ERROR packet before returning this.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The socket failed.
    #[error("network error: {0}")]
    Network(#[source] io::Error),
    /// Reading or writing the local file failed.
    #[error("file error: {0}")]
    File(#[source] io::Error),
    /// Nothing useful came from the peer for the whole silence budget.
    #[error(
        "timed out: no answer from {} for {} s",
        peer_name(.peer),
        seconds(*.waited)
    )]
    TimedOut {
        /// Who went silent, when known.
        peer: Option<SocketAddr>,
        /// How long we waited without progress.
        waited: Duration,
    },
    /// The peer's host says nothing listens on that port (ICMP port
    /// unreachable): the server is not running, or the client has gone.
    #[error("connection refused by {peer}: nothing listens on that port")]
    Refused {
        /// The address that refused.
        peer: SocketAddr,
    },
    /// The peer ended the transfer with an ERROR packet.
    #[error("{message} (error {})", .code.as_u16())]
    Remote {
        /// The peer's error code.
        code: ErrorCode,
        /// The peer's message (or the code's standard wording if the peer
        /// sent none).
        message: String,
    },
    /// The peer broke the protocol (a malformed or unexpected packet).
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The server's OACK was not acceptable (the client sent ERROR 8).
    #[error("option negotiation failed: {0}")]
    Options(#[from] crate::options::OptionError),
    /// The [`Shutdown`] flag was set.
    #[error("the transfer was stopped")]
    Cancelled,
}

/// A wait in seconds with one decimal, rounded down (a budget of 2 s that
/// took 2.06 s reads "2.0 s", as set).
fn seconds(wait: Duration) -> String {
    let tenths = wait.as_millis() / 100;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// The peer's address, or "the peer" when the channel does not know it.
fn peer_name(peer: &Option<SocketAddr>) -> String {
    peer.map_or_else(|| "the peer".to_string(), |addr| addr.to_string())
}

impl TransferError {
    /// A socket error as a `TransferError`: a refusal from the peer's host
    /// (see [`crate::net::RefusedBy`]) becomes [`TransferError::Refused`],
    /// anything else [`TransferError::Network`].
    pub fn network(error: io::Error) -> TransferError {
        let refused_by = error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<crate::net::RefusedBy>())
            .map(|refused| refused.0);
        match refused_by {
            Some(peer) => TransferError::Refused { peer },
            None => TransferError::Network(error),
        }
    }

    /// The error of a transfer that heard nothing from `channel`'s peer
    /// for `waited`.
    fn silence<C: Channel + ?Sized>(channel: &C, waited: Duration) -> TransferError {
        TransferError::TimedOut {
            peer: channel.peer_addr(),
            waited,
        }
    }

    /// The error a peer sent, as a `TransferError`.
    pub fn remote(code: ErrorCode, message: &str) -> TransferError {
        let message = if message.is_empty() {
            code.default_message().to_string()
        } else {
            message.to_string()
        };
        TransferError::Remote { code, message }
    }
}

/// How the receiving side opens the transfer.
#[derive(Debug, Clone, Copy)]
pub enum Opening<'a> {
    /// Send this datagram (an ACK 0, or a server's OACK to a WRQ) and send
    /// it again on every timeout until block 1 arrives.
    Send(&'a [u8]),
    /// Block 1 has already arrived (as the answer to a client's RRQ); this
    /// is its datagram.
    Received(&'a [u8]),
}

/// Sends `source` to the peer, block by block, until the last block is
/// acknowledged.
///
/// With `opening` set (a server's OACK to an RRQ), that datagram goes first
/// and is repeated until the peer acknowledges it with ACK 0. `progress` is
/// called with the number of bytes acknowledged so far.
///
/// On failure the peer has been told with an ERROR packet, unless the peer
/// itself sent one or the network failed.
pub fn send_file<C, R>(
    mut channel: C,
    source: &mut R,
    settings: &TransferSettings,
    opening: Option<&[u8]>,
    progress: &mut dyn FnMut(u64),
) -> Result<TransferStats, TransferError>
where
    C: Channel,
    R: Read + ?Sized,
{
    let mut sender = Sender::new(settings);
    let outcome = match opening {
        Some(oack) => sender.await_ack_zero(&mut channel, oack),
        None => Ok(()),
    };
    let outcome = outcome.and_then(|()| sender.run(&mut channel, source, progress));
    finish(&mut channel, outcome)
}

/// Receives the peer's blocks into `sink` until the last block (the short
/// one) has arrived, and returns without acknowledging that last block.
///
/// The caller makes the file safe first (flushes it, renames it into
/// place) and then calls [`Completion::acknowledge`], so that the last ACK
/// promises only what is true; or [`Completion::reject`] if that failed.
/// `progress` is called with the number of bytes received so far.
pub fn receive_file<C, W>(
    mut channel: C,
    sink: &mut W,
    settings: &TransferSettings,
    opening: Opening<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<Completion, TransferError>
where
    C: Channel,
    W: Write + ?Sized,
{
    let outcome = Receiver::new(settings).run(&mut channel, sink, opening, progress);
    finish(&mut channel, outcome)
}

/// A received file whose last block still awaits its ACK.
#[derive(Debug)]
#[must_use = "the last block must be acknowledged (or rejected)"]
pub struct Completion {
    last_block: u16,
    saw_loss: bool,
    /// When to repeat the last ACK if the sender says nothing, from the
    /// round trips measured along the way (see [`Completion::acknowledge`]).
    repeat_after: Option<Duration>,
    stats: TransferStats,
}

impl Completion {
    /// What the transfer counted so far.
    pub fn stats(&self) -> TransferStats {
        self.stats
    }

    /// Acknowledges the last block, then dallies as `settings` say
    /// ([`TransferSettings::linger`]): it answers every repeat of the last
    /// DATA (its sender did not get our ACK) with the ACK again, and leaves
    /// once the sender has been quiet for the linger time, or the silence
    /// budget is spent.
    ///
    /// While it lingers it also repeats the last ACK once, unasked, as soon
    /// as a lost ACK would have been answered: after the round trip the
    /// transfer measured. A sender whose last ACK was lost would otherwise
    /// wait out its own timer before it repeats the last DATA (atftp and
    /// tftp-hpa's client wait 5 s); one that got it has left, and the
    /// repeat meets a closed port, whose refusal ends the dally at once.
    ///
    /// It also answers an *empty* DATA just past the last block with that
    /// block's ACK. No correct sender sends one (the short last block ended
    /// the file), but atftp's windowed client does when a late duplicate
    /// ACK made it go back in its window: it then takes our last ACK for a
    /// request of the next block, reads nothing, sends that empty block and
    /// waits for its ACK, half a minute if it never comes, before failing
    /// an upload that arrived whole. Acknowledging zero bytes loses nothing.
    pub fn acknowledge<C: Channel>(
        self,
        mut channel: C,
        settings: &TransferSettings,
    ) -> Result<TransferStats, TransferError> {
        let mut stats = self.stats;
        let ack = packet::ack_bytes(self.last_block);
        channel.send(&ack).map_err(TransferError::network)?;
        let Some(linger) = settings.linger(self.saw_loss) else {
            return Ok(stats);
        };
        let budget = Silence::new(settings.patience());
        let mut quiet = Silence::new(linger);
        let past_the_end = self.last_block.wrapping_add(1);
        let mut repeat_at = self.repeat_after.map(|wait| Instant::now() + wait);
        // One byte more than a header, to tell an empty DATA from a cut one.
        let mut buf = [0u8; DATA_HEADER_LEN + 1];
        while !quiet.is_spent() && !budget.is_spent() {
            if settings.shutdown.is_triggered() {
                break;
            }
            // Short waits, so that a server's shutdown is not held up by a
            // long linger.
            let mut wait = quiet.left().min(budget.left()).min(DALLY_POLL);
            if let Some(at) = repeat_at {
                let until = at.saturating_duration_since(Instant::now());
                if until.is_zero() {
                    channel.send(&ack).map_err(TransferError::network)?;
                    stats.retransmissions += 1;
                    repeat_at = None;
                    continue;
                }
                wait = wait.min(until);
            }
            // A datagram longer than `buf` is cut: its header is enough to
            // recognise a repeat of the last DATA.
            match channel.recv(&mut buf, wait) {
                Ok(Some(len)) if len >= DATA_HEADER_LEN => {
                    let header = &buf[..DATA_HEADER_LEN];
                    if header == packet::data_header(self.last_block) {
                        channel.send(&ack).map_err(TransferError::network)?;
                        stats.retransmissions += 1;
                        quiet.heard();
                        repeat_at = None;
                    } else if len == DATA_HEADER_LEN
                        && header == packet::data_header(past_the_end)
                    {
                        channel
                            .send(&packet::ack_bytes(past_the_end))
                            .map_err(TransferError::network)?;
                        quiet.heard();
                    }
                }
                Ok(_) => {}
                // The sender has gone (a refusal), or the socket failed:
                // there is nobody left to answer.
                Err(_) => break,
            }
        }
        Ok(stats)
    }

    /// Ends the transfer with an ERROR instead of the last ACK (the file
    /// could not be kept).
    pub fn reject<C: Channel>(self, mut channel: C, code: ErrorCode, message: &str) {
        let _ = channel.send(&packet::error_bytes(code, message));
    }
}

/// Tells the peer why a transfer failed, when it does not know yet.
fn finish<C: Channel, T>(
    channel: &mut C,
    outcome: Result<T, TransferError>,
) -> Result<T, TransferError> {
    if let Err(error) = &outcome {
        let (code, message) = match error {
            // The peer ended it, is not there, or the socket is broken:
            // nothing to say.
            TransferError::Remote { .. }
            | TransferError::Network(_)
            | TransferError::Refused { .. } => {
                return outcome;
            }
            TransferError::File(e) if e.kind() == io::ErrorKind::StorageFull => {
                (ErrorCode::DiskFull, e.to_string())
            }
            TransferError::File(e) => (ErrorCode::NotDefined, e.to_string()),
            TransferError::TimedOut { .. } => {
                (ErrorCode::NotDefined, "timed out".to_string())
            }
            TransferError::Protocol(why) => {
                (ErrorCode::IllegalOperation, why.clone())
            }
            TransferError::Options(why) => {
                (ErrorCode::OptionRefused, why.to_string())
            }
            TransferError::Cancelled => {
                (ErrorCode::NotDefined, "transfer cancelled".to_string())
            }
        };
        let _ = channel.send(&packet::error_bytes(code, &message));
    }
    outcome
}

/// The low 16 bits of a block count: its number on the wire.
fn wire(block: u64) -> u16 {
    block as u16
}

/// Reads until `buf` is full or the source ends, so that a short block
/// really means the end of the file (a `read` may return less at any time).
fn read_block<R: Read + ?Sized>(
    source: &mut R,
    buf: &mut [u8],
) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match source.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// What the sender makes of one datagram from the receiver.
enum AckEvent {
    /// A new ACK: blocks up to this absolute number are acknowledged.
    Progress(u64),
    /// The ACK of the last acknowledged block, again.
    Duplicate,
    /// Anything to let pass (an old ACK, a stray OACK repeat...).
    Ignore,
}

/// The sending state machine. Blocks are counted from 1 in `u64`s; the
/// window's blocks stay in `slots` until acknowledged, so that they can be
/// sent again without reading the source twice.
struct Sender<'s> {
    settings: &'s TransferSettings,
    timer: RetransmitTimer,
    /// Blocks per window.
    window: u64,
    /// One DATA packet per block of the window: header and payload, so a
    /// block is read from the file straight into the packet that carries
    /// it. Allocated as the window first fills, so a big window costs
    /// memory only when the file is big too.
    slots: Vec<Box<[u8]>>,
    /// The payload length of the block in each slot.
    lengths: Vec<usize>,
    /// The highest block acknowledged (0: none yet).
    acked: u64,
    /// The highest block read from the source (and sent at least once).
    read: u64,
    /// The next block to put on the wire.
    next: u64,
    /// The last block of the file, once the source has ended.
    last: Option<u64>,
    /// The block whose ACK will time a round trip, and when it was sent.
    probe: Option<(u64, Instant)>,
    /// The highest block ever sent twice.
    resent_high: u64,
    /// Whether a duplicate of the latest ACK can only be a gap report (see
    /// the module's documentation).
    trust_duplicate: bool,
    /// The acknowledged block a duplicate ACK already made us restart from.
    restarted_after: Option<u64>,
    /// Time since the last progress, against the silence budget.
    silence: Silence,
    bytes_acked: u64,
    stats: TransferStats,
    /// Receives ACKs: any datagram longer is not an ACK anyway.
    inbox: [u8; 1024],
}

impl<'s> Sender<'s> {
    fn new(settings: &'s TransferSettings) -> Sender<'s> {
        Sender {
            settings,
            timer: RetransmitTimer::new(settings.timeout),
            window: u64::from(settings.windowsize.max(1)),
            slots: Vec::new(),
            lengths: Vec::new(),
            acked: 0,
            read: 0,
            next: 1,
            last: None,
            probe: None,
            resent_high: 0,
            trust_duplicate: false,
            restarted_after: None,
            silence: Silence::new(settings.patience()),
            bytes_acked: 0,
            stats: TransferStats::default(),
            inbox: [0; 1024],
        }
    }

    /// Where block `block` lives while in flight.
    fn slot(&self, block: u64) -> usize {
        ((block - 1) % self.window) as usize
    }

    /// Sends a server's OACK and waits for ACK 0, repeating the OACK on
    /// every timeout.
    fn await_ack_zero<C: Channel>(
        &mut self,
        channel: &mut C,
        oack: &[u8],
    ) -> Result<(), TransferError> {
        let mut sent_once = true;
        loop {
            let sent_at = Instant::now();
            channel.send(oack).map_err(TransferError::network)?;
            // No block is in flight, so the only ACK that matters is the
            // "duplicate" of block 0: ACK 0, which acknowledges the OACK.
            match self.wait_for_ack(channel, true)? {
                Some(_) => {
                    if sent_once {
                        self.timer.on_sample(sent_at.elapsed());
                    }
                    self.silence.heard();
                    return Ok(());
                }
                None => {
                    self.on_timeout(channel)?;
                    sent_once = false;
                }
            }
        }
    }

    fn run<C: Channel, R: Read + ?Sized>(
        &mut self,
        channel: &mut C,
        source: &mut R,
        progress: &mut dyn FnMut(u64),
    ) -> Result<TransferStats, TransferError> {
        loop {
            self.send_window(channel, source)?;
            let duplicates_matter =
                self.settings.windowsize > 1 && self.trust_duplicate;
            match self.wait_for_ack(channel, duplicates_matter)? {
                Some(AckEvent::Progress(block)) => {
                    self.on_progress(block);
                    progress(self.bytes_acked);
                    if self.last == Some(self.acked) {
                        return Ok(self.stats);
                    }
                }
                Some(AckEvent::Duplicate) => self.on_gap_at_window_start(),
                Some(AckEvent::Ignore) => {}
                None => self.on_timeout(channel)?,
            }
        }
    }

    /// Puts on the wire every block the window allows that is not there
    /// yet, reading new blocks from the source as needed.
    fn send_window<C: Channel, R: Read + ?Sized>(
        &mut self,
        channel: &mut C,
        source: &mut R,
    ) -> Result<(), TransferError> {
        while self.next <= self.acked + self.window
            && self.last.is_none_or(|l| self.next <= l)
        {
            let block = self.next;
            let slot = self.slot(block);
            if block > self.read {
                if slot == self.slots.len() {
                    let packet_len = DATA_HEADER_LEN + self.settings.blksize;
                    self.slots.push(vec![0; packet_len].into_boxed_slice());
                    self.lengths.push(0);
                }
                let packet = &mut self.slots[slot];
                packet[..DATA_HEADER_LEN]
                    .copy_from_slice(&packet::data_header(wire(block)));
                let len = read_block(source, &mut packet[DATA_HEADER_LEN..])
                    .map_err(TransferError::File)?;
                self.lengths[slot] = len;
                self.read = block;
                if len < self.settings.blksize {
                    self.last = Some(block);
                }
                if self.probe.is_none() {
                    self.probe = Some((block, Instant::now()));
                }
            } else {
                // Once something is sent twice, its second copy may bring
                // an echo of an ACK: duplicates are no longer gap reports.
                self.stats.retransmissions += 1;
                self.resent_high = self.resent_high.max(block);
                self.trust_duplicate = false;
            }
            let datagram = &self.slots[slot][..DATA_HEADER_LEN + self.lengths[slot]];
            channel.send(datagram).map_err(TransferError::network)?;
            self.next += 1;
        }
        Ok(())
    }

    /// Waits for the next ACK that matters, for one timeout at most (and
    /// never past the silence budget); `None` when the time is up.
    ///
    /// Datagrams that do not matter (an old ACK, an ignored duplicate) do
    /// not restart the wait: the deadline stays, so a peer that keeps
    /// repeating itself cannot keep the transfer alive for ever.
    ///
    /// A duplicate ACK matters while waiting for ACK 0 (which is the
    /// "duplicate" of block 0) and when it is a trusted gap report;
    /// otherwise it never triggers a resend (the Sorcerer's Apprentice rule)
    /// and is let pass like any stale packet.
    fn wait_for_ack<C: Channel>(
        &mut self,
        channel: &mut C,
        duplicates_matter: bool,
    ) -> Result<Option<AckEvent>, TransferError> {
        let wait = self.timer.timeout().min(self.silence.left());
        let deadline = Instant::now() + wait;
        loop {
            let received = channel
                .recv(&mut self.inbox, wait)
                .map_err(TransferError::network)?;
            if self.settings.shutdown.is_triggered() {
                return Err(TransferError::Cancelled);
            }
            let Some(len) = received else { return Ok(None) };
            match self.classify(len)? {
                AckEvent::Ignore => {}
                AckEvent::Duplicate if !duplicates_matter => {}
                event => return Ok(Some(event)),
            }
            if Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }

    /// Reads one datagram from the receiver.
    fn classify(&self, len: usize) -> Result<AckEvent, TransferError> {
        match Packet::decode(&self.inbox[..len]) {
            Ok(Packet::Ack { block }) => {
                // How far past the last acknowledged block this ACK is.
                let ahead = u64::from(block.wrapping_sub(wire(self.acked)));
                let in_flight = self.read - self.acked;
                if ahead == 0 {
                    Ok(AckEvent::Duplicate)
                } else if ahead <= in_flight {
                    Ok(AckEvent::Progress(self.acked + ahead))
                } else {
                    Ok(AckEvent::Ignore)
                }
            }
            Ok(Packet::Error { code, message }) => {
                Err(TransferError::remote(code, &message))
            }
            // A repeat of the request or of our OACK's answer is harmless.
            Ok(Packet::Oack { .. }) => Ok(AckEvent::Ignore),
            Ok(other) => Err(TransferError::Protocol(format!(
                "expected an ACK, got {}",
                other.kind()
            ))),
            Err(malformed) => Err(TransferError::Protocol(malformed.to_string())),
        }
    }

    fn on_progress(&mut self, block: u64) {
        if let Some((probe, sent_at)) = self.probe
            && probe <= block
        {
            self.timer.on_sample(sent_at.elapsed());
            self.probe = None;
        }
        for done in self.acked + 1..=block {
            self.bytes_acked += self.lengths[self.slot(done)] as u64;
        }
        self.stats.blocks += block - self.acked;
        self.stats.bytes = self.bytes_acked;
        self.trust_duplicate = self.resent_high <= self.acked;
        self.acked = block;
        self.silence.heard();
        // An ACK short of everything sent reports a gap (RFC 7440): go
        // back and send again from the block after it.
        if self.next > self.acked + 1 {
            self.next = self.acked + 1;
            self.probe = None;
        }
    }

    /// A trusted duplicate ACK: the first block after it was lost. Start
    /// the window again from there, once.
    fn on_gap_at_window_start(&mut self) {
        if self.restarted_after != Some(self.acked) && self.next > self.acked + 1 {
            self.restarted_after = Some(self.acked);
            self.next = self.acked + 1;
            self.probe = None;
        }
    }

    /// No answer for one timeout: give up if the silence budget is spent,
    /// otherwise back off and go back to the first unacknowledged block.
    fn on_timeout<C: Channel>(&mut self, channel: &C) -> Result<(), TransferError> {
        self.stats.timeouts += 1;
        if self.silence.is_spent() {
            return Err(TransferError::silence(channel, self.silence.waited()));
        }
        self.timer.on_timeout();
        // Karn's rule: what is sent again cannot be timed.
        self.probe = None;
        self.next = self.acked + 1;
        Ok(())
    }
}

/// The receiving state machine.
struct Receiver<'s> {
    settings: &'s TransferSettings,
    /// The next block wanted, counted from 1 in a `u64`.
    expected: u64,
    /// The block our last ACK acknowledged.
    last_acked: u64,
    /// The wire number of the DATA received just before, to recognise the
    /// start of a repeated window.
    previous: Option<u16>,
    /// A gap after `expected - 1` was already reported.
    gap_reported: bool,
    /// Something was lost or repeated along the way.
    saw_loss: bool,
    /// When an ACK seems lost, from the round trips measured between an
    /// ACK and the first new block it brought (see
    /// [`Receiver::repeat_after`]).
    timer: RetransmitTimer,
    /// When the ACK now waiting for its answer went out; `None` once it
    /// was repeated (Karn's rule: an answer to a repeat times nothing).
    asked_at: Option<Instant>,
    /// Time since the last new block, against the silence budget.
    silence: Silence,
    stats: TransferStats,
}

impl<'s> Receiver<'s> {
    fn new(settings: &'s TransferSettings) -> Receiver<'s> {
        Receiver {
            settings,
            expected: 1,
            last_acked: 0,
            previous: None,
            gap_reported: false,
            saw_loss: false,
            timer: RetransmitTimer::new(settings.timeout),
            asked_at: None,
            silence: Silence::new(settings.patience()),
            stats: TransferStats::default(),
        }
    }

    fn run<C: Channel, W: Write + ?Sized>(
        &mut self,
        channel: &mut C,
        sink: &mut W,
        opening: Opening<'_>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Completion, TransferError> {
        // One byte more than the largest DATA, to tell an oversized one.
        let mut inbox = vec![0u8; DATA_HEADER_LEN + self.settings.blksize + 1];
        // On a timeout we send again the opening (until block 1 is in) or
        // the ACK of the last block we have in order.
        let mut repeat_opening = None;
        match opening {
            Opening::Send(datagram) => {
                channel.send(datagram).map_err(TransferError::network)?;
                repeat_opening = Some(datagram);
            }
            Opening::Received(datagram) => {
                if let Some(completion) =
                    self.on_datagram(channel, sink, datagram)?
                {
                    return Ok(completion);
                }
                progress(self.stats.bytes);
            }
        }
        // When to repeat ourselves: see `Receiver::repeat_after`. Each
        // wait is handed to the socket whole, the same value block after
        // block, so that its timeout is not set again for every datagram
        // (a system call each); a stale datagram does not restart the
        // wait: the deadline holds.
        let mut repeats = 0;
        let mut wait = self.repeat_after(repeats).min(self.silence.left());
        let mut deadline = Instant::now() + wait;
        loop {
            let received = channel
                .recv(&mut inbox, wait)
                .map_err(TransferError::network)?;
            if self.settings.shutdown.is_triggered() {
                return Err(TransferError::Cancelled);
            }
            if let Some(len) = received {
                let before = self.expected;
                if let Some(completion) =
                    self.on_datagram(channel, sink, &inbox[..len])?
                {
                    return Ok(completion);
                }
                if self.expected != before {
                    progress(self.stats.bytes);
                    repeats = 0;
                    wait = self.repeat_after(repeats).min(self.silence.left());
                    deadline = Instant::now() + wait;
                    continue;
                }
                if Instant::now() < deadline {
                    continue;
                }
            }
            // Nothing new before the deadline: repeat ourselves, or give
            // up once the budget is spent.
            self.on_timeout(channel)?;
            match repeat_opening {
                Some(datagram) if self.expected == 1 => {
                    channel.send(datagram).map_err(TransferError::network)?;
                }
                _ => self.send_ack(channel)?,
            }
            self.asked_at = None;
            self.timer.on_timeout();
            self.stats.retransmissions += 1;
            repeats += 1;
            wait = self.repeat_after(repeats).min(self.silence.left());
            deadline = Instant::now() + wait;
        }
    }

    /// How long to wait for the next block before repeating ourselves (the
    /// opening, or the ACK of the last block in order), after `repeats`
    /// repeats without progress.
    ///
    /// The receiver times the round trip from each ACK to the first new
    /// block it brings (`timer`, the recipe of [`RetransmitTimer`]), but it
    /// should mostly leave retransmission to the sender:
    ///
    /// - **The opening** (no block yet) goes again after one timeout,
    ///   doubling: the sender may be waiting for it (a client that repeats
    ///   its WRQ to the listener would start a second transfer).
    /// - **With a window**, the ACK goes again as soon as it seems lost:
    ///   it tells the sender where to resume (RFC 7440), and windowed
    ///   senders (atftp's, ours) wait for it, atftp for 5 s. So it waits
    ///   as a sender would: the measured round trip, 50 ms at least, the
    ///   timeout at most, doubling while nothing comes.
    /// - **In lock-step**, a lost DATA and a lost ACK both end with the
    ///   sender's own retransmission, which we answer at once; a repeat of
    ///   our ACK helps only when the ACK was lost, and then it saves the
    ///   whole of the sender's timer (5 s for tftp-hpa's client). So the
    ///   first repeat comes as soon as the ACK seems lost, after the
    ///   measured wait, when that is well below the timeout: a repeat at
    ///   the very moment of a retransmission on our timeout (tftpd-hpa's
    ///   1 s) would meet it, and tftpd-hpa then flushes its socket, our
    ///   fresh ACK with it. Before a round trip is measured, or on a path
    ///   too slow for that margin, it waits one and a half timeouts.
    ///
    ///   After that first repeat, every later one waits at least twice the
    ///   slowest standard sender's timer ([`PEER_RETRANSMIT`]), 10 s: some
    ///   lock-step senders (tftp-hpa's client) start their own
    ///   retransmission wait again on every datagram they receive, even a
    ///   duplicate ACK they ignore, and a receiver repeating itself every
    ///   second would keep such a sender from ever sending the block that
    ///   was lost.
    fn repeat_after(&self, repeats: u32) -> Duration {
        let timeout = self.settings.timeout;
        let last_resort = PEER_RETRANSMIT * 2;
        let doubled = |wait: Duration| wait.saturating_mul(1 << repeats.min(16));
        if self.expected == 1 {
            return doubled(timeout).min(last_resort.max(timeout));
        }
        if self.settings.windowsize > 1 {
            return self.timer.timeout();
        }
        match repeats {
            0 => self.quick_repeat().unwrap_or(timeout.saturating_mul(3) / 2),
            _ => doubled(timeout).max(last_resort),
        }
    }

    /// The measured wait for an answer to our ACK, if it is well below the
    /// timeout (half of it at most), so that a repeat after it cannot meet
    /// a retransmission on the sender's timer (see
    /// [`Receiver::repeat_after`]). Until a round trip is measured the
    /// timer waits the whole timeout, so this is `None`.
    fn quick_repeat(&self) -> Option<Duration> {
        let measured = self.timer.timeout();
        (measured <= self.settings.timeout / 2).then_some(measured)
    }

    /// Handles one datagram; returns the completion once the last block is
    /// in.
    fn on_datagram<C: Channel, W: Write + ?Sized>(
        &mut self,
        channel: &mut C,
        sink: &mut W,
        datagram: &[u8],
    ) -> Result<Option<Completion>, TransferError> {
        let (block, data) = match Packet::decode(datagram) {
            Ok(Packet::Data { block, data }) => (block, data),
            Ok(Packet::Error { code, message }) => {
                return Err(TransferError::remote(code, &message));
            }
            // The server repeated its OACK: our ACK 0 was lost.
            Ok(Packet::Oack { .. }) if self.expected == 1 => {
                channel
                    .send(&packet::ack_bytes(0))
                    .map_err(TransferError::network)?;
                return Ok(None);
            }
            Ok(Packet::Oack { .. }) => return Ok(None),
            Ok(other) => {
                return Err(TransferError::Protocol(format!(
                    "expected DATA, got {}",
                    other.kind()
                )));
            }
            Err(malformed) => {
                return Err(TransferError::Protocol(malformed.to_string()));
            }
        };
        if data.len() > self.settings.blksize {
            return Err(TransferError::Protocol(format!(
                "DATA {block} carries {} bytes, more than the block size {}",
                data.len(),
                self.settings.blksize
            )));
        }
        let ahead = block.wrapping_sub(wire(self.expected));
        let previous = self.previous.replace(block);
        if ahead == 0 {
            return self.on_in_order(channel, sink, data);
        }
        self.saw_loss = true;
        if ahead < 0x8000 {
            // A block beyond the expected one: something was lost. Report
            // the gap (RFC 7440), so the sender restarts from it: once per
            // window the sender sends. A block lower than the one before
            // says it went back and sent a window again; if that window
            // lacks the block too (lost twice), it needs a report of its
            // own, or the transfer would stall until our timer fires.
            let sender_went_back =
                previous.is_some_and(|p| block.wrapping_sub(p) >= 0x8000);
            if !self.gap_reported || sender_went_back {
                self.gap_reported = true;
                self.send_ack(channel)?;
            }
        } else {
            // An old block: the sender is repeating itself because our ACK
            // was lost. Answer the first block of each repeated run only,
            // so a repeated window of 16 blocks gets one ACK, not 16.
            let starts_a_run = previous.is_none_or(|p| {
                block.wrapping_sub(p) == 0 || block.wrapping_sub(p) >= 0x8000
            });
            if starts_a_run {
                self.send_ack(channel)?;
                // Karn's rule: what comes next may answer either ACK.
                self.asked_at = None;
                self.stats.retransmissions += 1;
            }
        }
        Ok(None)
    }

    fn on_in_order<C: Channel, W: Write + ?Sized>(
        &mut self,
        channel: &mut C,
        sink: &mut W,
        data: &[u8],
    ) -> Result<Option<Completion>, TransferError> {
        sink.write_all(data).map_err(TransferError::File)?;
        self.stats.bytes += data.len() as u64;
        self.stats.blocks += 1;
        self.silence.heard();
        if let Some(asked_at) = self.asked_at.take() {
            self.timer.on_sample(asked_at.elapsed());
        }
        self.gap_reported = false;
        let block = self.expected;
        self.expected += 1;
        if data.len() < self.settings.blksize {
            sink.flush().map_err(TransferError::File)?;
            self.last_acked = block;
            return Ok(Some(Completion {
                last_block: wire(block),
                saw_loss: self.saw_loss,
                repeat_after: self.quick_repeat(),
                stats: self.stats,
            }));
        }
        if block - self.last_acked >= u64::from(self.settings.windowsize.max(1)) {
            self.send_ack(channel)?;
        }
        Ok(None)
    }

    /// Acknowledges every block received in order, and starts timing the
    /// answer.
    fn send_ack<C: Channel>(
        &mut self,
        channel: &mut C,
    ) -> Result<(), TransferError> {
        self.last_acked = self.expected - 1;
        self.asked_at = Some(Instant::now());
        channel
            .send(&packet::ack_bytes(wire(self.last_acked)))
            .map_err(TransferError::network)
    }

    /// No new block for one timeout: give up if the silence budget is
    /// spent (the caller repeats itself otherwise).
    fn on_timeout<C: Channel>(&mut self, channel: &C) -> Result<(), TransferError> {
        self.stats.timeouts += 1;
        self.saw_loss = true;
        if self.silence.is_spent() {
            return Err(TransferError::silence(channel, self.silence.waited()));
        }
        // The next gap deserves a report of its own.
        self.gap_reported = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::mpsc;

    /// A peer that plays a fixed script: each `recv` takes the next entry
    /// (`None` is a timeout, which takes the whole wait asked for, so that
    /// the silence budget runs as on a real socket), and every datagram
    /// sent is recorded, as is every wait that ended in a timeout. Each
    /// datagram arrives `delay` after it is asked for, like a round trip.
    #[derive(Default)]
    struct Script {
        incoming: VecDeque<Option<Vec<u8>>>,
        sent: Vec<Vec<u8>>,
        timeouts: Vec<Duration>,
        delay: Duration,
    }

    impl Script {
        fn new(incoming: Vec<Option<Vec<u8>>>) -> Script {
            Script {
                incoming: incoming.into(),
                sent: Vec::new(),
                timeouts: Vec::new(),
                delay: Duration::ZERO,
            }
        }

        /// The sent datagrams, decoded to a readable form.
        fn sent(&self) -> Vec<String> {
            self.sent.iter().map(|d| describe(d)).collect()
        }
    }

    impl Channel for Script {
        fn send(&mut self, datagram: &[u8]) -> io::Result<()> {
            self.sent.push(datagram.to_vec());
            Ok(())
        }

        fn recv(
            &mut self,
            buf: &mut [u8],
            timeout: Duration,
        ) -> io::Result<Option<usize>> {
            match self.incoming.pop_front().flatten() {
                Some(datagram) => {
                    std::thread::sleep(self.delay);
                    let len = datagram.len().min(buf.len());
                    buf[..len].copy_from_slice(&datagram[..len]);
                    Ok(Some(len))
                }
                None => {
                    self.timeouts.push(timeout);
                    std::thread::sleep(timeout);
                    Ok(None)
                }
            }
        }
    }

    fn describe(datagram: &[u8]) -> String {
        match Packet::decode(datagram) {
            Ok(Packet::Data { block, data }) => {
                format!("DATA {block} ({} bytes)", data.len())
            }
            Ok(Packet::Ack { block }) => format!("ACK {block}"),
            Ok(Packet::Error { code, .. }) => format!("ERROR {}", code.as_u16()),
            Ok(other) => other.kind().to_string(),
            Err(e) => format!("garbage: {e}"),
        }
    }

    fn ack(block: u16) -> Option<Vec<u8>> {
        Some(packet::ack_bytes(block).to_vec())
    }

    fn data(block: u16, len: usize) -> Option<Vec<u8>> {
        Some(
            Packet::Data {
                block,
                data: &vec![b'x'; len],
            }
            .to_bytes(),
        )
    }

    fn settings(blksize: usize, windowsize: u16) -> TransferSettings {
        TransferSettings {
            blksize,
            windowsize,
            timeout: Duration::from_millis(100),
            retries: 3,
            dally: Dally::Never,
            shutdown: Shutdown::new(),
        }
    }

    fn send(
        script: &mut Script,
        file: &[u8],
        settings: &TransferSettings,
    ) -> TransferResult {
        send_file(script, &mut &file[..], settings, None, &mut |_| {})
    }

    type TransferResult = Result<TransferStats, TransferError>;

    #[test]
    fn a_short_last_block_ends_the_transfer() {
        let mut script = Script::new(vec![ack(1), ack(2)]);
        let stats = send(&mut script, &[7; 700], &settings(512, 1)).unwrap();
        assert_eq!(script.sent(), ["DATA 1 (512 bytes)", "DATA 2 (188 bytes)"]);
        assert_eq!((stats.bytes, stats.blocks), (700, 2));
    }

    #[test]
    fn an_exact_multiple_of_the_block_size_ends_with_an_empty_block() {
        let mut script = Script::new(vec![ack(1), ack(2), ack(3)]);
        send(&mut script, &[7; 1024], &settings(512, 1)).unwrap();
        assert_eq!(
            script.sent(),
            [
                "DATA 1 (512 bytes)",
                "DATA 2 (512 bytes)",
                "DATA 3 (0 bytes)"
            ]
        );
    }

    #[test]
    fn a_duplicate_ack_does_not_make_the_sender_resend() {
        // The Sorcerer's Apprentice: ACK 1 arrives twice; DATA 2 must go
        // out once, not once per ACK.
        let mut script = Script::new(vec![ack(1), ack(1), ack(2), ack(3)]);
        send(&mut script, &[7; 1100], &settings(512, 1)).unwrap();
        assert_eq!(
            script.sent(),
            [
                "DATA 1 (512 bytes)",
                "DATA 2 (512 bytes)",
                "DATA 3 (76 bytes)"
            ]
        );
    }

    #[test]
    fn a_timeout_resends_the_unacknowledged_block() {
        let mut script = Script::new(vec![None, ack(1)]);
        let stats = send(&mut script, &[7; 100], &settings(512, 1)).unwrap();
        assert_eq!(script.sent(), ["DATA 1 (100 bytes)", "DATA 1 (100 bytes)"]);
        assert_eq!((stats.timeouts, stats.retransmissions), (1, 1));
    }

    #[test]
    fn the_sender_gives_up_after_its_silence_budget_and_says_so() {
        // 3 timeouts of 100 ms: a budget of 300 ms.
        let settings = settings(512, 1);
        let mut script = Script::new(vec![]);
        let outcome = send(&mut script, &[7; 100], &settings);
        let Err(TransferError::TimedOut { waited, .. }) = outcome else {
            panic!("expected a timeout, got {outcome:?}");
        };
        assert!(waited >= settings.patience(), "{waited:?}");
        assert!(waited < settings.patience() * 2, "{waited:?}");
        let sent = script.sent();
        assert!(sent.len() >= 3, "{sent:?}");
        assert!(
            sent[..sent.len() - 1]
                .iter()
                .all(|d| d == "DATA 1 (100 bytes)")
        );
        assert_eq!(sent.last().unwrap(), "ERROR 0", "the peer is told");
        let message = TransferError::TimedOut {
            peer: Some("127.0.0.1:6969".parse().unwrap()),
            waited: Duration::from_millis(25_000),
        }
        .to_string();
        assert_eq!(
            message,
            "timed out: no answer from 127.0.0.1:6969 for 25.0 s"
        );
    }

    #[test]
    fn a_slow_peer_is_outlasted_though_the_sender_resends_quickly() {
        // The first ACK comes at once: the timer goes down to its minimum.
        // Then the peer is silent for eight waits (about 0.7 s, far more
        // than five quick timeouts) and answers: the transfer goes on.
        let mut settings = settings(512, 1);
        settings.retries = 15; // a budget of 1.5 s
        let mut incoming = vec![ack(1)];
        incoming.extend(std::iter::repeat_n(None, 8));
        incoming.push(ack(2));
        let mut script = Script::new(incoming);
        let stats = send(&mut script, &[7; 600], &settings).unwrap();
        assert_eq!(stats.timeouts, 8);
        let resent = script
            .sent()
            .iter()
            .filter(|d| *d == "DATA 2 (88 bytes)")
            .count();
        assert_eq!(resent, 9, "{:?}", script.sent());
    }

    #[test]
    fn the_receiver_gives_up_after_its_silence_budget() {
        let settings = settings(512, 1);
        let mut script = Script::new(vec![data(1, 512)]);
        let mut file = Vec::new();
        let ack0 = packet::ack_bytes(0);
        let started = Instant::now();
        let outcome = receive_file(
            &mut script,
            &mut file,
            &settings,
            Opening::Send(&ack0),
            &mut |_| {},
        );
        assert!(
            matches!(outcome, Err(TransferError::TimedOut { peer: None, .. })),
            "{outcome:?}"
        );
        assert!(started.elapsed() >= settings.patience());
        // In lock-step the receiver leaves the sender's timer its chance:
        // one repeat after 150 ms, then nothing more within the 300 ms
        // budget, then it tells the peer.
        assert_eq!(script.sent(), ["ACK 0", "ACK 1", "ACK 1", "ERROR 0"]);
    }

    #[test]
    fn a_windowed_receiver_repeats_its_ack_after_one_timeout() {
        // Window 4, block 1 in, then silence: the ACK of block 1 tells the
        // sender where to resume, after every timeout (100 ms), until the
        // 300 ms budget is spent.
        let settings = settings(8, 4);
        let mut script = Script::new(vec![data(1, 8)]);
        let mut file = Vec::new();
        let ack0 = packet::ack_bytes(0);
        let outcome = receive_file(
            &mut script,
            &mut file,
            &settings,
            Opening::Send(&ack0),
            &mut |_| {},
        );
        assert!(matches!(outcome, Err(TransferError::TimedOut { .. })));
        assert_eq!(script.sent(), ["ACK 0", "ACK 1", "ACK 1", "ERROR 0"]);
    }

    #[test]
    fn a_windowed_receiver_repeats_its_ack_after_the_measured_round_trip() {
        // Window 2 with a 1 s timeout. ACK 2 brings block 3 at once (a round
        // trip of microseconds), so when ACK 4 brings nothing it goes again
        // after the shortest wait, not after a second, and then twice that.
        let mut settings = settings(8, 2);
        settings.timeout = Duration::from_secs(1);
        let mut script = Script::new(vec![
            data(1, 8),
            data(2, 8),
            data(3, 8),
            data(4, 8),
            None,
            None,
            data(5, 0),
        ]);
        let _ = receive(&mut script, &settings);
        assert_eq!(script.sent(), ["ACK 0", "ACK 2", "ACK 4", "ACK 4", "ACK 4"]);
        assert_eq!(
            script.timeouts,
            [timer::MIN_TIMEOUT, timer::MIN_TIMEOUT * 2]
        );
    }

    #[test]
    fn a_lock_step_receiver_repeats_its_ack_first_after_the_measured_round_trip() {
        let mut settings = settings(8, 1);
        settings.timeout = Duration::from_secs(1);
        let mut script = Script::new(vec![data(1, 8), data(2, 8), None, data(3, 0)]);
        let _ = receive(&mut script, &settings);
        assert_eq!(script.sent(), ["ACK 0", "ACK 1", "ACK 2", "ACK 2"]);
        assert_eq!(script.timeouts, [timer::MIN_TIMEOUT]);
    }

    #[test]
    fn before_any_round_trip_a_lock_step_receiver_waits_longer_than_a_timeout() {
        // Only block 1 arrived: nothing measured, so the first repeat
        // keeps clear of a sender's retransmission after one timeout.
        let mut settings = settings(8, 1);
        settings.timeout = Duration::from_millis(40);
        let mut script = Script::new(vec![data(1, 8), None, data(2, 0)]);
        let _ = receive(&mut script, &settings);
        assert_eq!(script.timeouts, [Duration::from_millis(60)]);
    }

    #[test]
    fn on_a_path_slow_for_its_timeout_a_lock_step_receiver_waits_longer_than_a_timeout()
     {
        // A 30 ms round trip against a 40 ms timeout: the measured wait is
        // the whole timeout, too close to a sender's retransmission.
        let mut settings = settings(8, 1);
        settings.timeout = Duration::from_millis(40);
        let mut script = Script::new(vec![data(1, 8), data(2, 8), None, data(3, 0)]);
        script.delay = Duration::from_millis(30);
        let _ = receive(&mut script, &settings);
        assert_eq!(script.timeouts, [Duration::from_millis(60)]);
    }

    #[test]
    fn a_repeated_window_that_lacks_the_block_again_is_reported_again() {
        // Block 2 is lost, reported (ACK 1); the window sent again from 2
        // loses it again: going back to 3 says it is a new window, which
        // gets a report of its own.
        let settings = settings(8, 4);
        let mut script = Script::new(vec![
            data(1, 8),
            data(3, 8),
            data(4, 8),
            data(3, 8),
            data(4, 8),
            data(2, 8),
            data(3, 8),
            data(4, 0),
        ]);
        let (file, _) = receive(&mut script, &settings);
        assert_eq!(script.sent(), ["ACK 0", "ACK 1", "ACK 1"]);
        assert_eq!(file.len(), 24);
    }

    #[test]
    fn a_window_is_sent_before_waiting_and_a_gap_restarts_it() {
        // Window of 4, 10 blocks of 8 bytes (80 bytes + an empty block).
        // The receiver reports a gap after block 2: blocks 3.. go again.
        let mut script = Script::new(vec![ack(2), ack(6), ack(10), ack(11)]);
        send(&mut script, &[1; 80], &settings(8, 4)).unwrap();
        let blocks: Vec<String> = script.sent();
        assert_eq!(
            blocks,
            [
                "DATA 1 (8 bytes)",
                "DATA 2 (8 bytes)",
                "DATA 3 (8 bytes)",
                "DATA 4 (8 bytes)",
                "DATA 3 (8 bytes)",
                "DATA 4 (8 bytes)",
                "DATA 5 (8 bytes)",
                "DATA 6 (8 bytes)",
                "DATA 7 (8 bytes)",
                "DATA 8 (8 bytes)",
                "DATA 9 (8 bytes)",
                "DATA 10 (8 bytes)",
                "DATA 11 (0 bytes)",
            ]
        );
    }

    #[test]
    fn a_gap_report_at_the_start_of_a_window_restarts_it_once() {
        // After ACK 4 the window 5..7 goes out; the receiver lost 5 and
        // says ACK 4 again (twice): one restart, not two.
        let mut script = Script::new(vec![ack(4), ack(4), ack(4), ack(7)]);
        send(&mut script, &[1; 48], &settings(8, 4)).unwrap();
        let sends = script
            .sent()
            .iter()
            .filter(|d| *d == "DATA 5 (8 bytes)")
            .count();
        assert_eq!(sends, 2, "{:?}", script.sent());
    }

    #[test]
    fn a_duplicate_that_may_echo_a_retransmission_is_ignored() {
        // A timeout makes the sender repeat blocks 1..4; the receiver had
        // them and answers each copy of the window with ACK 4. Only the
        // first ACK 4 counts: the second must not restart the next window.
        let mut script = Script::new(vec![None, ack(4), ack(4), ack(7)]);
        send(&mut script, &[1; 48], &settings(8, 4)).unwrap();
        let sends = script
            .sent()
            .iter()
            .filter(|d| *d == "DATA 5 (8 bytes)")
            .count();
        assert_eq!(sends, 1, "{:?}", script.sent());
    }

    #[test]
    fn an_oack_is_repeated_until_ack_0() {
        let oack = Packet::Oack {
            options: vec![("blksize".into(), "8".into())],
        }
        .to_bytes();
        let mut script = Script::new(vec![None, ack(0), ack(1)]);
        send_file(
            &mut script,
            &mut &[1u8; 3][..],
            &settings(8, 1),
            Some(&oack),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(script.sent(), ["OACK", "OACK", "DATA 1 (3 bytes)"]);
    }

    #[test]
    fn an_error_from_the_receiver_ends_the_transfer() {
        let error = Packet::Error {
            code: ErrorCode::DiskFull,
            message: "full".into(),
        };
        let mut script = Script::new(vec![Some(error.to_bytes())]);
        let outcome = send(&mut script, &[7; 600], &settings(512, 1));
        assert!(
            matches!(
                outcome,
                Err(TransferError::Remote {
                    code: ErrorCode::DiskFull,
                    ..
                })
            ),
            "{outcome:?}"
        );
        assert_eq!(
            script.sent(),
            ["DATA 1 (512 bytes)"],
            "no ERROR answers an ERROR"
        );
    }

    #[test]
    fn a_malformed_ack_gets_error_4() {
        let mut script = Script::new(vec![Some(vec![0, 4, 0])]);
        let outcome = send(&mut script, &[7; 600], &settings(512, 1));
        assert!(
            matches!(outcome, Err(TransferError::Protocol(_))),
            "{outcome:?}"
        );
        assert_eq!(script.sent().last().unwrap(), "ERROR 4");
    }

    fn receive(
        script: &mut Script,
        settings: &TransferSettings,
    ) -> (Vec<u8>, Completion) {
        let mut file = Vec::new();
        let ack0 = packet::ack_bytes(0);
        let completion = receive_file(
            &mut *script,
            &mut file,
            settings,
            Opening::Send(&ack0),
            &mut |_| {},
        )
        .unwrap();
        (file, completion)
    }

    #[test]
    fn the_receiver_acknowledges_each_block_and_holds_back_the_last_ack() {
        let mut script = Script::new(vec![data(1, 512), data(2, 10)]);
        let (file, completion) = receive(&mut script, &settings(512, 1));
        assert_eq!(file.len(), 522);
        assert_eq!(script.sent(), ["ACK 0", "ACK 1"]);
        completion
            .acknowledge(&mut script, &settings(512, 1))
            .unwrap();
        assert_eq!(script.sent(), ["ACK 0", "ACK 1", "ACK 2"]);
    }

    #[test]
    fn a_repeated_block_is_acknowledged_again_but_written_once() {
        let mut script = Script::new(vec![data(1, 512), data(1, 512), data(2, 0)]);
        let (file, _) = receive(&mut script, &settings(512, 1));
        assert_eq!(file.len(), 512);
        assert_eq!(script.sent(), ["ACK 0", "ACK 1", "ACK 1"]);
    }

    #[test]
    fn the_receiver_reports_a_gap_at_once_and_only_once() {
        let settings = settings(8, 4);
        let mut script = Script::new(vec![
            data(1, 8),
            data(3, 8),
            data(4, 8),
            data(2, 8),
            data(3, 8),
            data(4, 8),
            data(5, 8),
            data(6, 2),
        ]);
        let (file, _) = receive(&mut script, &settings);
        assert_eq!(file.len(), 42);
        // ACK 1 reports the gap before block 2; ACK 5 closes the window
        // that restarted after it.
        assert_eq!(script.sent(), ["ACK 0", "ACK 1", "ACK 5"]);
    }

    #[test]
    fn a_repeated_window_gets_one_ack() {
        let settings = settings(8, 2);
        let mut script = Script::new(vec![
            data(1, 8),
            data(2, 8),
            data(1, 8),
            data(2, 8),
            data(3, 0),
        ]);
        let _ = receive(&mut script, &settings);
        assert_eq!(script.sent(), ["ACK 0", "ACK 2", "ACK 2"]);
    }

    #[test]
    fn the_opening_is_repeated_until_block_1_arrives() {
        // One timeout of silence: the opening goes again. (The next repeat
        // would wait for the sender's own timer; see `Receiver::run`.)
        let mut script = Script::new(vec![None, data(1, 3)]);
        let _ = receive(&mut script, &settings(512, 1));
        assert_eq!(script.sent(), ["ACK 0", "ACK 0"]);
    }

    #[test]
    fn oversized_data_is_a_protocol_error() {
        let mut script = Script::new(vec![data(1, 600)]);
        let mut file = Vec::new();
        let ack0 = packet::ack_bytes(0);
        let outcome = receive_file(
            &mut script,
            &mut file,
            &settings(512, 1),
            Opening::Send(&ack0),
            &mut |_| {},
        );
        assert!(
            matches!(outcome, Err(TransferError::Protocol(_))),
            "{outcome:?}"
        );
        assert_eq!(script.sent().last().unwrap(), "ERROR 4");
    }

    #[test]
    fn the_dally_answers_a_repeated_last_block() {
        let mut settings = settings(512, 1);
        settings.dally = Dally::Always;
        let mut script = Script::new(vec![data(1, 5), data(1, 5), None]);
        let (_, completion) = receive(&mut script, &settings);
        let stats = completion.acknowledge(&mut script, &settings).unwrap();
        assert_eq!(script.sent(), ["ACK 0", "ACK 1", "ACK 1"]);
        assert_eq!(stats.retransmissions, 1);
    }

    #[test]
    fn the_dally_repeats_the_last_ack_once_after_the_measured_round_trip() {
        let mut settings = settings(8, 1);
        settings.dally = Dally::Always;
        let mut script = Script::new(vec![data(1, 8), data(2, 0)]);
        let (_, completion) = receive(&mut script, &settings);
        let stats = completion.acknowledge(&mut script, &settings).unwrap();
        assert_eq!(script.sent(), ["ACK 0", "ACK 1", "ACK 2", "ACK 2"]);
        assert_eq!(stats.retransmissions, 1);
        // The first wait of the dally ends at the repeat, a round trip's
        // wait after the last ACK, not at once.
        let first = script.timeouts[0];
        assert!(
            first > timer::MIN_TIMEOUT / 2 && first <= timer::MIN_TIMEOUT,
            "{first:?}"
        );
    }

    #[test]
    fn the_dally_ends_within_the_budget_however_often_the_sender_repeats() {
        // A repeat every 50 ms keeps the sender from ever being quiet; the
        // 300 ms budget still ends the dally, after about six answers.
        let mut settings = settings(512, 1);
        settings.dally = Dally::Always;
        let mut script = Script::new(vec![data(1, 5); 21]);
        let (_, completion) = receive(&mut script, &settings);
        script.delay = Duration::from_millis(50);
        let stats = completion.acknowledge(&mut script, &settings).unwrap();
        assert!(stats.retransmissions <= 8, "{stats:?}");
    }

    #[test]
    fn the_dally_takes_no_runt_for_a_repeat_of_the_last_block() {
        let mut settings = settings(512, 1);
        settings.dally = Dally::Always;
        // The repeat is answered; a 2-byte datagram that starts like DATA
        // is not, whatever the buffer held before.
        let mut script =
            Script::new(vec![data(1, 5), data(1, 5), Some(vec![0, 3]), None]);
        let (_, completion) = receive(&mut script, &settings);
        let _ = completion.acknowledge(&mut script, &settings).unwrap();
        assert_eq!(script.sent(), ["ACK 0", "ACK 1", "ACK 1"]);
    }

    #[test]
    fn the_dally_acknowledges_an_empty_block_past_the_end_only() {
        let mut settings = settings(512, 8);
        settings.dally = Dally::Always;
        let dally = |incoming: Vec<Option<Vec<u8>>>| {
            let mut script = Script::new(incoming);
            let (_, completion) = receive(&mut script, &settings);
            let _ = completion.acknowledge(&mut script, &settings).unwrap();
            script.sent()
        };
        assert_eq!(
            dally(vec![data(1, 5), data(2, 0), None]),
            ["ACK 0", "ACK 1", "ACK 2"]
        );
        // Not empty: acknowledging it would claim bytes we dropped; and
        // an empty block further on is no such mistake.
        assert_eq!(
            dally(vec![data(1, 5), data(2, 1), data(3, 0), None]),
            ["ACK 0", "ACK 1"]
        );
    }

    /// Two channels joined by in-memory queues, as if by a perfect network.
    struct Wire {
        tx: mpsc::Sender<Vec<u8>>,
        rx: mpsc::Receiver<Vec<u8>>,
    }

    fn wire_pair() -> (Wire, Wire) {
        let (a_tx, b_rx) = mpsc::channel();
        let (b_tx, a_rx) = mpsc::channel();
        (Wire { tx: a_tx, rx: a_rx }, Wire { tx: b_tx, rx: b_rx })
    }

    impl Channel for Wire {
        fn send(&mut self, datagram: &[u8]) -> io::Result<()> {
            let _ = self.tx.send(datagram.to_vec());
            Ok(())
        }

        fn recv(
            &mut self,
            buf: &mut [u8],
            timeout: Duration,
        ) -> io::Result<Option<usize>> {
            Ok(self.rx.recv_timeout(timeout).ok().map(|datagram| {
                let len = datagram.len().min(buf.len());
                buf[..len].copy_from_slice(&datagram[..len]);
                len
            }))
        }
    }

    #[test]
    fn block_numbers_roll_over_past_65535() {
        // 70 000 blocks of 8 bytes: block numbers wrap from 65535 to 0.
        let file: Vec<u8> = (0..70_000u32 * 8).map(|i| (i % 251) as u8).collect();
        let (sender_side, mut receiver_side) = wire_pair();
        let settings = settings(8, 16);
        let sender_settings = settings.clone();
        let source = file.clone();
        let sender = std::thread::spawn(move || {
            send_file(
                sender_side,
                &mut &source[..],
                &sender_settings,
                None,
                &mut |_| {},
            )
        });
        let mut received = Vec::new();
        let ack0 = packet::ack_bytes(0);
        let completion = receive_file(
            &mut receiver_side,
            &mut received,
            &settings,
            Opening::Send(&ack0),
            &mut |_| {},
        )
        .unwrap();
        completion
            .acknowledge(&mut receiver_side, &settings)
            .unwrap();
        let stats = sender.join().unwrap().unwrap();
        assert_eq!(stats.blocks, 70_001);
        assert!(received == file, "the file arrived changed");
    }
}
