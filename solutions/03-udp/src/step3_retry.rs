//! Step 3: a client that survives loss.
//!
//! UDP does not resend a lost datagram; the client must. It sends, waits a
//! while, and sends again if nothing came back, waiting longer each time
//! (exponential backoff) so that a busy server or a congested link gets
//! room to recover. This is only safe for requests that may be carried out
//! twice (idempotent ones): the reply may be what got lost, not the request.
//!
//! While waiting, only a datagram from the server is an answer. Anyone can
//! send to our port; a datagram from a stranger is dropped and the wait goes
//! on, without starting the timeout again.

use std::error::Error;
use std::fmt;
use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use crate::step1_datagrams::{RECEIVE_BUFFER_LEN, is_timeout};

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
    /// The wait after each attempt, in order: `attempts` durations, the
    /// first `first_timeout`, each next one `backoff` times the one before.
    pub fn timeouts(&self) -> Vec<Duration> {
        let mut timeouts = Vec::new();
        let mut wait = self.first_timeout;
        for _ in 0..self.attempts {
            timeouts.push(wait);
            // Saturating: a silly policy must not overflow and panic.
            wait = wait.saturating_mul(self.backoff);
        }
        timeouts
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
/// `server`, sending again after each timeout of `policy`.
pub fn request_with_retries(
    socket: &UdpSocket,
    server: SocketAddr,
    request: &[u8],
    policy: &RetryPolicy,
) -> Result<Vec<u8>, RetryError> {
    let mut waited = Duration::ZERO;
    for timeout in policy.timeouts() {
        socket.send_to(request, server)?;
        if let Some(reply) = reply_within(socket, server, timeout)? {
            return Ok(reply);
        }
        waited += timeout;
    }
    Err(RetryError::GaveUp {
        attempts: policy.attempts,
        waited,
    })
}

/// Waits up to `timeout` for a datagram from `server`: `None` if none came.
/// Datagrams from anyone else are dropped without extending the wait.
fn reply_within(
    socket: &UdpSocket,
    server: SocketAddr,
    timeout: Duration,
) -> io::Result<Option<Vec<u8>>> {
    let give_up_at = Instant::now() + timeout;
    let mut buffer = vec![0; RECEIVE_BUFFER_LEN];
    loop {
        // Each receive waits only for what is left of this attempt's time.
        let left = give_up_at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        socket.set_read_timeout(Some(left))?;
        match socket.recv_from(&mut buffer) {
            Ok((len, from)) if from == server => {
                return Ok(Some(buffer[..len].to_vec()));
            }
            Ok(_stranger) => continue,
            Err(error) if is_timeout(&error) => return Ok(None),
            // Windows reports an earlier ICMP "port unreachable" here: the
            // server is not there (yet). Waiting out the attempt is right.
            Err(error) if error.kind() == io::ErrorKind::ConnectionReset => continue,
            Err(error) => return Err(error),
        }
    }
}
