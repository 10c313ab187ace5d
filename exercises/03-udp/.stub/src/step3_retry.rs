//! Step 3: a client that survives loss.
//!
//! Book: "Timeouts and retries" (chapter UDP). Tests:
//! `tests/step3_retry.rs`, which put a lossy proxy between your client and
//! an echo server.
//!
//! UDP does not resend a lost datagram; the client must. It sends, waits,
//! and sends again if nothing came back, waiting longer each time.

use std::error::Error;
use std::fmt;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

/// How hard [`request_with_retries`] tries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times the request is sent, the first time included.
    pub attempts: u32,
    /// How long to wait for a reply to the first attempt.
    pub first_timeout: Duration,
    /// Each wait is this many times the one before: 2 doubles it, 1 keeps
    /// it the same.
    pub backoff: u32,
}

impl Default for RetryPolicy {
    /// Five attempts, waiting 200 ms, 400 ms, 800 ms, 1.6 s and 3.2 s.
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            first_timeout: Duration::from_millis(200),
            backoff: 2,
        }
    }
}

impl RetryPolicy {
    /// The wait after each attempt, in order.
    ///
    /// Contract: exactly `attempts` durations (none for 0 attempts); the
    /// first is `first_timeout`, each next one is `backoff` times the one
    /// before. A silly policy must not panic: multiply with
    /// `Duration::saturating_mul`.
    pub fn timeouts(&self) -> Vec<Duration> {
        // TODO: build the list of waits.
        todo!("step 3: RetryPolicy::timeouts")
    }
}

/// Why [`request_with_retries`] has no reply to give.
#[derive(Debug)]
pub enum RetryError {
    /// Every attempt went unanswered.
    GaveUp {
        /// How many times the request was sent.
        attempts: u32,
        /// How long we waited for replies, in all.
        waited: Duration,
    },
    /// The socket reported an error.
    Io(io::Error),
}

impl fmt::Display for RetryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RetryError::GaveUp { attempts, waited } => write!(
                f,
                "no reply after {attempts} attempts ({waited:?} of waiting)"
            ),
            RetryError::Io(error) => write!(f, "the request failed: {error}"),
        }
    }
}

impl Error for RetryError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        match self {
            RetryError::GaveUp { .. } => None,
            RetryError::Io(error) => Some(error),
        }
    }
}

impl From<io::Error> for RetryError {
    fn from(error: io::Error) -> Self {
        RetryError::Io(error)
    }
}

/// Sends `request` to `server` and returns the first reply that comes from
/// `server`, sending the request again after each timeout of `policy`.
///
/// The task, for each wait in `policy.timeouts()`: send the request, then
/// wait up to that long for a reply.
///
/// Contract:
/// - the request is sent at most `policy.attempts` times, and not once
///   more after a reply came;
/// - only a datagram whose sender is exactly `server` is a reply. Anyone
///   can send to your port: drop a stranger's datagram and keep waiting,
///   *without* starting the wait again (set the read timeout to the time
///   that is left before each `recv_from`);
/// - when every attempt went unanswered:
///   `Err(RetryError::GaveUp { attempts, waited })`, after waiting out
///   every timeout;
/// - a socket error (other than a read timeout) → `Err(RetryError::Io)`.
pub fn request_with_retries(
    socket: &UdpSocket,
    server: SocketAddr,
    request: &[u8],
    policy: &RetryPolicy,
) -> Result<Vec<u8>, RetryError> {
    // TODO: for each timeout: send, then wait for a datagram from `server`.
    todo!("step 3: request_with_retries")
}
