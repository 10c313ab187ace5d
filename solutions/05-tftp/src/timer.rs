//! The sender's retransmission timeout, adapted to the path it runs on.
//!
//! A fixed timeout is wrong everywhere: a second is an age on a loopback
//! whose round trip takes 30 µs, and too short for a satellite link. RFC
//! 1123 (4.2.3.2) asks TFTP to adapt its timeout the way TCP does, and this
//! is TCP's recipe (RFC 6298):
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
//! configured timeout, which is therefore the most a sender waits.

use std::time::Duration;

/// The shortest wait before a retransmission. Far above a loopback round
/// trip, so a busy machine that pauses a thread for a few milliseconds does
/// not cause spurious retransmissions; far below a second, so a lost packet
/// on a LAN costs little.
pub const MIN_TIMEOUT: Duration = Duration::from_millis(50);

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
