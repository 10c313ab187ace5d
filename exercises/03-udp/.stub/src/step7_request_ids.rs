//! Step 7: many requests in flight, replies matched by id.
//!
//! Book: "Timeouts and retries", the part on request ids (chapter UDP).
//! Tests: `tests/step7_request_ids.rs`, with a server that answers in
//! reverse order and sends one reply twice.
//!
//! The wire format: a 4-byte id, big-endian ("network order"), then the
//! payload. A reply carries the id of the request it answers.
//!
//! ```text
//!   0       4                      n
//!   +-------+----------------------+
//!   |  id   |  payload …           |
//!   +-------+----------------------+
//! ```

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::fmt;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

/// The length of the id at the start of every request and reply.
pub const ID_LEN: usize = 4;

/// Puts `id` (4 bytes, big-endian) in front of `payload`.
pub fn encode_request(id: u32, payload: &[u8]) -> Vec<u8> {
    // TODO: the id's bytes, then the payload's.
    todo!("step 7: encode_request")
}

/// Why a datagram is not a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Shorter than an id.
    TooShort {
        /// The datagram's length.
        len: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::TooShort { len } => write!(
                f,
                "a reply starts with a {ID_LEN}-byte id, this datagram has {len} bytes"
            ),
        }
    }
}

impl Error for DecodeError {}

/// Splits a reply into its id and its payload.
///
/// Contract: fewer than [`ID_LEN`] bytes is `DecodeError::TooShort { len }`
/// (never a panic); exactly 4 bytes is an id with an empty payload.
pub fn decode_reply(datagram: &[u8]) -> Result<(u32, &[u8]), DecodeError> {
    // TODO: split off the first 4 bytes.
    todo!("step 7: decode_reply")
}

/// What [`Correlator::accept`] made of a datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// The first reply to a request we are waiting for: kept.
    New(u32),
    /// Another reply to a request already answered: ignored.
    Duplicate(u32),
    /// A reply to a request we never sent: ignored.
    Unexpected(u32),
    /// Not a reply at all: ignored.
    Malformed(DecodeError),
}

/// Keeps track of which requests are still waiting for a reply, and of the
/// replies so far.
#[derive(Debug, Default)]
pub struct Correlator {
    /// Ids sent and not answered yet.
    waiting: HashSet<u32>,
    /// The first reply to each answered id.
    replies: HashMap<u32, Vec<u8>>,
}

impl Correlator {
    /// A correlator waiting for nothing yet.
    pub fn new() -> Self {
        Correlator::default()
    }

    /// Notes that a request with `id` was sent and wants a reply.
    pub fn expect(&mut self, id: u32) {
        // TODO
        todo!("step 7: Correlator::expect")
    }

    /// Looks at one datagram from the server: keeps its payload if it
    /// answers a request still waiting, and says what it was.
    ///
    /// Contract: the first reply to a waiting id is `New(id)` and is kept;
    /// a later one for the same id is `Duplicate(id)` and does not replace
    /// it; an id never expected is `Unexpected(id)`; a datagram too short
    /// to hold an id is `Malformed(error)`.
    pub fn accept(&mut self, datagram: &[u8]) -> Accepted {
        // TODO: decode, then: waiting? already answered? neither?
        todo!("step 7: Correlator::accept")
    }

    /// The ids still waiting for a reply, smallest first.
    pub fn missing(&self) -> Vec<u32> {
        todo!("step 7: Correlator::missing")
    }

    /// Whether every expected request has its reply.
    pub fn is_complete(&self) -> bool {
        todo!("step 7: Correlator::is_complete")
    }

    /// The replies, by id.
    pub fn into_replies(self) -> HashMap<u32, Vec<u8>> {
        todo!("step 7: Correlator::into_replies")
    }
}

/// Why [`send_all_and_collect`] has not every reply.
#[derive(Debug)]
pub enum CollectError {
    /// Time ran out with some requests unanswered.
    Missing {
        /// The unanswered ids, smallest first.
        missing: Vec<u32>,
        /// The replies that did come, by id.
        replies: HashMap<u32, Vec<u8>>,
    },
    /// The socket reported an error.
    Io(io::Error),
}

impl fmt::Display for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CollectError::Missing { missing, replies } => write!(
                f,
                "{} replies came, none for the ids {missing:?}",
                replies.len()
            ),
            CollectError::Io(error) => {
                write!(f, "collecting replies failed: {error}")
            }
        }
    }
}

impl Error for CollectError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            CollectError::Missing { .. } => None,
            CollectError::Io(error) => Some(error),
        }
    }
}

impl From<io::Error> for CollectError {
    fn from(error: io::Error) -> Self {
        CollectError::Io(error)
    }
}

/// Sends every request (id and payload, encoded with [`encode_request`])
/// to `server` at once, then collects the replies.
///
/// Contract:
/// - all requests are sent before any reply is awaited;
/// - replies are matched by id, whatever order they come in; duplicates,
///   unknown ids and malformed datagrams are ignored (a [`Correlator`]
///   does exactly that);
/// - only datagrams whose sender is `server` count;
/// - it returns as soon as every id has its reply; if `timeout` passes
///   (counted from when the last request was sent) first, it returns
///   `CollectError::Missing` with the missing ids and the replies so far;
/// - a socket error other than a read timeout → `Err(CollectError::Io)`.
pub fn send_all_and_collect(
    socket: &UdpSocket,
    server: SocketAddr,
    requests: &[(u32, Vec<u8>)],
    timeout: Duration,
) -> Result<HashMap<u32, Vec<u8>>, CollectError> {
    // TODO: send everything, then receive until complete or out of time.
    todo!("step 7: send_all_and_collect")
}
