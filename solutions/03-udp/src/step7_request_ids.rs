//! Step 7: many requests in flight, replies matched by id.
//!
//! Waiting for each reply before sending the next request costs a round
//! trip per request. Sending them all at once is faster, but then replies
//! come back in any order, some twice, some never. So each request carries
//! an id, the server copies it into its reply, and the client matches
//! replies to requests by id, not by order. DNS does exactly this with the
//! 16-bit id at the start of every message.
//!
//! The wire format here: a 4-byte id, big-endian ("network order"), then
//! the payload.
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
use std::time::{Duration, Instant};

use crate::step1_datagrams::{RECEIVE_BUFFER_LEN, is_timeout};

/// The length of the id at the start of every request and reply.
pub const ID_LEN: usize = 4;

/// Puts `id` (big-endian) in front of `payload`.
pub fn encode_request(id: u32, payload: &[u8]) -> Vec<u8> {
    let mut datagram = Vec::with_capacity(ID_LEN + payload.len());
    datagram.extend_from_slice(&id.to_be_bytes());
    datagram.extend_from_slice(payload);
    datagram
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
pub fn decode_reply(datagram: &[u8]) -> Result<(u32, &[u8]), DecodeError> {
    let Some((id, payload)) = datagram.split_first_chunk::<ID_LEN>() else {
        return Err(DecodeError::TooShort {
            len: datagram.len(),
        });
    };
    Ok((u32::from_be_bytes(*id), payload))
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
    waiting: HashSet<u32>,
    replies: HashMap<u32, Vec<u8>>,
}

impl Correlator {
    /// A correlator waiting for nothing yet.
    pub fn new() -> Self {
        Correlator::default()
    }

    /// Notes that a request with `id` was sent and wants a reply.
    pub fn expect(&mut self, id: u32) {
        if !self.replies.contains_key(&id) {
            self.waiting.insert(id);
        }
    }

    /// Looks at one datagram from the server: keeps it if it answers a
    /// request still waiting, and says what it was.
    pub fn accept(&mut self, datagram: &[u8]) -> Accepted {
        let (id, payload) = match decode_reply(datagram) {
            Ok(reply) => reply,
            Err(error) => return Accepted::Malformed(error),
        };
        if self.waiting.remove(&id) {
            self.replies.insert(id, payload.to_vec());
            Accepted::New(id)
        } else if self.replies.contains_key(&id) {
            Accepted::Duplicate(id)
        } else {
            Accepted::Unexpected(id)
        }
    }

    /// The ids still waiting for a reply, smallest first.
    pub fn missing(&self) -> Vec<u32> {
        let mut missing: Vec<u32> = self.waiting.iter().copied().collect();
        missing.sort_unstable();
        missing
    }

    /// Whether every expected request has its reply.
    pub fn is_complete(&self) -> bool {
        self.waiting.is_empty()
    }

    /// The replies, by id.
    pub fn into_replies(self) -> HashMap<u32, Vec<u8>> {
        self.replies
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

/// Sends every request (id and payload) to `server` at once, then collects
/// replies from `server` until each id has one or `timeout` has passed
/// since the last request went out.
pub fn send_all_and_collect(
    socket: &UdpSocket,
    server: SocketAddr,
    requests: &[(u32, Vec<u8>)],
    timeout: Duration,
) -> Result<HashMap<u32, Vec<u8>>, CollectError> {
    let mut correlator = Correlator::new();
    for (id, payload) in requests {
        correlator.expect(*id);
        socket.send_to(&encode_request(*id, payload), server)?;
    }

    let give_up_at = Instant::now() + timeout;
    let mut buffer = vec![0; RECEIVE_BUFFER_LEN];
    while !correlator.is_complete() {
        let left = give_up_at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(CollectError::Missing {
                missing: correlator.missing(),
                replies: correlator.into_replies(),
            });
        }
        socket.set_read_timeout(Some(left))?;
        match socket.recv_from(&mut buffer) {
            // Duplicates, strays and garbage are all simply not kept.
            Ok((len, from)) if from == server => {
                correlator.accept(&buffer[..len]);
            }
            Ok(_stranger) => {}
            Err(error) if is_timeout(&error) => {}
            Err(error) => return Err(CollectError::Io(error)),
        }
    }
    Ok(correlator.into_replies())
}
