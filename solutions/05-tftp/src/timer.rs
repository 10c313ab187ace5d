//! The two clocks of a transfer: *fast retransmission, slow surrender*.
//!
//! **The retransmission timer** ([`RetransmitTimer`]) decides when to send
//! again. A fixed timeout is wrong everywhere: a second is an age on a
//! loopback whose round trip takes 30 µs, and too short for a satellite
//! link. RFC 1123 (4.2.3.2) asks TFTP to adapt its timeout the way TCP
//! does, and this is TCP's recipe (RFC 6298):
//!
//! - keep a smoothed round-trip time `srtt` and its mean deviation
//!   `rttvar`, and wait `srtt + 4 * rttvar` before retransmitting;
//! - measure only packets sent once (Karn's rule: the ACK of a retransmitted
//!   packet may answer either copy, so its timing means nothing);
//! - double the wait after every timeout (exponential backoff), so a
//!   congested path is not flooded, and go back to the estimate once an ACK
//!   arrives.
//!
//! The wait always stays between [`MIN_TIMEOUT`] and the transfer's
//! configured timeout (the `timeout` option when one was agreed, 1 s
//! otherwise), which is therefore the most a sender waits between two
//! sends.
//!
//! **The silence budget** ([`Silence`]) decides when to give up, and it is
//! measured in time, not in resends. Our timer may resend after 50 ms, but
//! the peer keeps its own schedule: tftpd-hpa ignores a repeated ACK (rightly:
//! RFC 1123 4.2.3.1) and sends its DATA again only when *its* timer expires,
//! after 1 s and then longer; atftp's client repeats its ACK every 5 s.
//! Counting our quick timeouts would make us give up after a second and a
//! half, while such a peer is still patiently retrying. So a transfer gives
//! up only once it has heard nothing useful from its peer for
//! [`patience`]`(timeout, retries)` = `retries × timeout`: "retries" counts
//! *whole* timeouts' worth of silence, the way a peer running on that
//! timeout would count them. The defaults, [`DEFAULT_RETRIES`] ×
//! [`DEFAULT_TIMEOUT`], make 25 s, and a negotiated `timeout` of T seconds
//! makes 25 × T.

use std::time::{Duration, Instant};

/// The shortest wait before a retransmission. Far above a loopback round
/// trip, so a busy machine that pauses a thread for a few milliseconds does
/// not cause spurious retransmissions; far below a second, so a lost packet
/// on a LAN costs little.
pub const MIN_TIMEOUT: Duration = Duration::from_millis(50);

/// The longest wait between two sends when no `timeout` option was agreed:
/// RFC 6298's initial retransmission timeout, and what tftpd-hpa starts
/// with.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// How many timeouts' worth of silence a transfer sits through before it
/// gives up (see [`patience`]).
///
/// 25, so that the default budget is 25 s: what tftp-hpa's client waits in
/// all (five tries, 5 s apart) and what atftp's five 5-second tries take.
/// It outlasts the schedules of the peers a lab meets: tftpd-hpa resends a
/// block after 1 s and then backs off (2, 4… s), so at least four of its
/// resends fit in 25 s, and atftp's client repeats its ACK four times. A
/// block is then lost for good only if every try fails: at 5 % loss each
/// way a try fails one time in ten, five tries in a row one time in a
/// hundred thousand. A peer that has really gone costs 25 s, as with
/// tftp-hpa; a transfer that must fail fast says so with `--retries` (or
/// a short `--timeout`).
pub const DEFAULT_RETRIES: u32 = 25;

/// The slowest retransmission interval among the standard peers (tftp-hpa's
/// client `rexmt`, atftp's and atftpd's default timeout), in case the peer
/// did not negotiate one. A server lingers after the last ACK of an upload
/// long enough to see such a peer repeat its last block (see
/// [`crate::transfer::Dally`]).
pub const PEER_RETRANSMIT: Duration = Duration::from_secs(5);

/// The silence budget of a transfer whose longest wait is `timeout`:
/// `retries` whole timeouts (0 counts as 1).
pub fn patience(timeout: Duration, retries: u32) -> Duration {
    timeout.saturating_mul(retries.max(1))
}

/// How long a transfer has heard nothing useful from its peer, against its
/// budget (see the module's documentation).
///
/// "Useful" means progress: a new ACK for a sender, a new block for a
/// receiver. A peer that only repeats itself does not reset it, so it
/// cannot keep a transfer alive for ever.
#[derive(Debug, Clone, Copy)]
pub struct Silence {
    budget: Duration,
    since: Instant,
}

impl Silence {
    /// Starts counting now.
    pub fn new(budget: Duration) -> Silence {
        Silence {
            budget,
            since: Instant::now(),
        }
    }

    /// The peer made progress: the silence starts again.
    pub fn heard(&mut self) {
        self.since = Instant::now();
    }

    /// How long the peer has been silent.
    pub fn waited(&self) -> Duration {
        self.since.elapsed()
    }

    /// What is left of the budget (zero once it is spent).
    pub fn left(&self) -> Duration {
        self.budget.saturating_sub(self.waited())
    }

    /// Whether the budget is spent: time to give up.
    pub fn is_spent(&self) -> bool {
        self.left().is_zero()
    }

    /// The whole budget.
    pub fn budget(&self) -> Duration {
        self.budget
    }
}

/// An adaptive retransmission timeout (see the module's documentation).
#[derive(Debug, Clone)]
pub struct RetransmitTimer {
    srtt: Option<Duration>,
    rttvar: Duration,
    /// The estimate, before backoff.
    estimate: Duration,
    /// What to wait now: the estimate, doubled once per timeout since the
    /// last good sample.
    current: Duration,
    min: Duration,
    max: Duration,
}

impl RetransmitTimer {
    /// A timer whose waits never exceed `max`. Until the first round trip
    /// is measured it waits `max` (RFC 6298 starts at one second).
    pub fn new(max: Duration) -> RetransmitTimer {
        let max = max.max(Duration::from_millis(1));
        RetransmitTimer {
            srtt: None,
            rttvar: Duration::ZERO,
            estimate: max,
            current: max,
            min: MIN_TIMEOUT.min(max),
            max,
        }
    }

    /// How long to wait for an answer now, rounded up to a whole
    /// millisecond so that the socket's timeout changes rarely.
    pub fn timeout(&self) -> Duration {
        let millis = self.current.as_micros().div_ceil(1000);
        Duration::from_millis(millis.try_into().unwrap_or(u64::MAX))
    }

    /// Feeds one measured round trip (of a packet sent only once).
    pub fn on_sample(&mut self, rtt: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(rtt);
                self.rttvar = rtt / 2;
            }
            Some(srtt) => {
                let deviation = srtt.abs_diff(rtt);
                self.rttvar = self.rttvar * 3 / 4 + deviation / 4;
                self.srtt = Some(srtt * 7 / 8 + rtt / 8);
            }
        }
        let srtt = self.srtt.unwrap_or(rtt);
        self.estimate = (srtt + self.rttvar * 4).clamp(self.min, self.max);
        self.current = self.estimate;
    }

    /// Notes a timeout: the next wait is twice as long, up to the maximum.
    pub fn on_timeout(&mut self) {
        self.current = (self.current * 2).min(self.max);
    }

    /// The smoothed round-trip time, once one was measured.
    pub fn smoothed_rtt(&self) -> Option<Duration> {
        self.srtt
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn it_waits_the_maximum_until_it_has_measured() {
        assert_eq!(RetransmitTimer::new(SECOND).timeout(), SECOND);
    }

    #[test]
    fn a_fast_path_brings_the_wait_down_to_the_minimum() {
        let mut timer = RetransmitTimer::new(SECOND);
        for _ in 0..10 {
            timer.on_sample(Duration::from_micros(30));
        }
        assert_eq!(timer.timeout(), MIN_TIMEOUT);
    }

    #[test]
    fn a_slow_path_waits_longer_than_its_round_trip() {
        let mut timer = RetransmitTimer::new(Duration::from_secs(5));
        for _ in 0..20 {
            timer.on_sample(Duration::from_millis(300));
        }
        let wait = timer.timeout();
        assert!(wait >= Duration::from_millis(300), "{wait:?}");
        assert!(wait < Duration::from_millis(600), "{wait:?}");
    }

    #[test]
    fn patience_is_whole_timeouts_and_never_zero() {
        assert_eq!(patience(SECOND, 25), Duration::from_secs(25));
        assert_eq!(patience(Duration::from_secs(5), 5), Duration::from_secs(25));
        assert_eq!(patience(SECOND, 0), SECOND);
        assert_eq!(
            patience(DEFAULT_TIMEOUT, DEFAULT_RETRIES),
            Duration::from_secs(25)
        );
    }

    #[test]
    fn silence_is_spent_after_its_budget_and_progress_restarts_it() {
        let mut silence = Silence::new(Duration::from_millis(30));
        assert!(!silence.is_spent());
        std::thread::sleep(Duration::from_millis(40));
        assert!(silence.is_spent());
        assert!(silence.waited() >= Duration::from_millis(30));
        silence.heard();
        assert!(!silence.is_spent());
        assert!(silence.left() <= Duration::from_millis(30));
    }

    #[test]
    fn timeouts_double_the_wait_up_to_the_maximum() {
        let mut timer = RetransmitTimer::new(SECOND);
        timer.on_sample(Duration::from_micros(10));
        let first = timer.timeout();
        timer.on_timeout();
        assert_eq!(timer.timeout(), first * 2);
        for _ in 0..20 {
            timer.on_timeout();
        }
        assert_eq!(timer.timeout(), SECOND);
        timer.on_sample(Duration::from_micros(10));
        assert_eq!(timer.timeout(), MIN_TIMEOUT);
    }
}
