//! Option negotiation (RFC 2347) for the four options this crate speaks.
//!
//! A client may append name/value pairs to its request. A server that
//! understands some of them answers with an OACK listing the ones it
//! accepts, with the values it grants; options it leaves out fall back to
//! RFC 1350's defaults. A server that knows nothing of options ignores them
//! and answers as RFC 1350 says (DATA 1 for a read, ACK 0 for a write).
//!
//! | option | RFC | value | default | a server may |
//! |---|---|---|---|---|
//! | `blksize` | 2348 | 8–65464 bytes of DATA | 512 | lower it |
//! | `timeout` | 2349 | 1–255 seconds | (implementation's) | only accept or drop it |
//! | `tsize` | 2349 | the file's size in bytes | – | fill it in (read) or refuse the file (write) |
//! | `windowsize` | 7440 | 1–65535 blocks per ACK | 1 | lower it |
//!
//! The three steps live here as three functions:
//! [`Options::from_request`] reads what a client asked for (dropping what
//! it cannot use), [`Options::negotiate`] decides what a server grants, and
//! [`Options::check_oack`] lets a client check that answer.

use std::time::Duration;

/// The block size of RFC 1350, when no `blksize` was agreed.
pub const DEFAULT_BLKSIZE: u16 = 512;
/// The smallest `blksize` RFC 2348 allows.
pub const MIN_BLKSIZE: u16 = 8;
/// The largest `blksize` RFC 2348 allows: a DATA packet of 65468 bytes plus
/// the UDP and IPv4 headers fills the largest IPv4 datagram.
pub const MAX_BLKSIZE: u16 = 65464;
/// The smallest `timeout` in seconds (RFC 2349).
pub const MIN_TIMEOUT_SECS: u8 = 1;
/// The largest `windowsize` (RFC 7440): any `u16` but zero.
pub const MAX_WINDOWSIZE: u16 = u16::MAX;

/// The values of the options one request or one OACK carries. `None` means
/// the option is absent.
///
/// Every value inside is valid for its RFC: [`Options::from_request`] and
/// [`Options::check_oack`] never produce a `blksize` of 3 or a `windowsize`
/// of 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Bytes of payload per DATA packet (RFC 2348).
    pub blksize: Option<u16>,
    /// Seconds to wait before retransmitting (RFC 2349).
    pub timeout: Option<u8>,
    /// The file's size in bytes (RFC 2349). In a read request a client
    /// sends 0 and the server answers with the size; in a write request the
    /// client sends the size of what it is about to send.
    pub tsize: Option<u64>,
    /// Blocks sent before waiting for an ACK (RFC 7440).
    pub windowsize: Option<u16>,
}

/// The most a server grants, whatever a client asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest block size granted.
    pub max_blksize: u16,
    /// The largest window granted. Each transfer keeps a window's worth of
    /// blocks in memory, so this bounds a transfer's memory.
    pub max_windowsize: u16,
}

impl Default for Limits {
    /// The RFCs' own maxima for the block size, and a window of 64 blocks
    /// (RFC 7440's measurements found little to gain beyond a few dozen).
    fn default() -> Limits {
        Limits {
            max_blksize: MAX_BLKSIZE,
            max_windowsize: 64,
        }
    }
}

/// Why a client rejects an OACK. Each one ends the transfer with ERROR 8.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionError {
    /// RFC 2347: a server must not acknowledge an option the client did not
    /// ask for.
    #[error("the server acknowledged option {0:?}, which was not requested")]
    NotRequested(String),
    /// The same option twice in one OACK.
    #[error("the server acknowledged option {0:?} twice")]
    Duplicate(String),
    /// A value that is not a number in the option's range.
    #[error("the server's value {value:?} for option {name:?} is not valid")]
    Malformed {
        /// The option's name.
        name: String,
        /// The value the server sent.
        value: String,
    },
    /// A server may lower `blksize` and `windowsize`, never raise them, and
    /// must echo `timeout` unchanged.
    #[error("the server answered {name}={granted}, but {requested} was requested")]
    NotGranted {
        /// The option's name.
        name: &'static str,
        /// What the client asked for.
        requested: u64,
        /// What the server answered.
        granted: u64,
    },
}

/// Which of the four options a name stands for (names are case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Known {
    Blksize,
    Timeout,
    Tsize,
    Windowsize,
}

impl Known {
    fn from_name(name: &str) -> Option<Known> {
        [
            ("blksize", Known::Blksize),
            ("timeout", Known::Timeout),
            ("tsize", Known::Tsize),
            ("windowsize", Known::Windowsize),
        ]
        .into_iter()
        .find(|(known, _)| name.eq_ignore_ascii_case(known))
        .map(|(_, option)| option)
    }

    fn name(self) -> &'static str {
        match self {
            Known::Blksize => "blksize",
            Known::Timeout => "timeout",
            Known::Tsize => "tsize",
            Known::Windowsize => "windowsize",
        }
    }
}

/// A decimal number as options carry it: ASCII digits only, no sign, no
/// spaces. Too many digits for a `u64` is not a number either.
fn parse_number(value: &str) -> Option<u64> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

impl Options {
    /// No options at all: a plain RFC 1350 request.
    pub fn is_empty(&self) -> bool {
        *self == Options::default()
    }

    /// The options as name/value pairs for a request or an OACK, in a fixed
    /// order (blksize, timeout, tsize, windowsize).
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut push = |name: &str, value: Option<u64>| {
            if let Some(value) = value {
                pairs.push((name.to_string(), value.to_string()));
            }
        };
        push("blksize", self.blksize.map(u64::from));
        push("timeout", self.timeout.map(u64::from));
        push("tsize", self.tsize);
        push("windowsize", self.windowsize.map(u64::from));
        pairs
    }

    /// Reads the options of a request, as a server does.
    ///
    /// RFC 2347 tells a server to ignore what it does not understand, so
    /// unknown names are dropped, and so are values it cannot use: a value
    /// that is not a number, a `blksize` below 8, a `timeout` outside
    /// 1–255, a `windowsize` of 0. The transfer then runs with that
    /// option's default, which every client must accept. A `blksize` above
    /// 65464 is lowered to 65464 and a `windowsize` above 65535 to 65535,
    /// since a server may always grant less than was asked. When a name
    /// appears twice, the first one counts.
    pub fn from_request(pairs: &[(String, String)]) -> Options {
        let mut options = Options::default();
        let mut seen = Vec::new();
        for (name, value) in pairs {
            let Some(known) = Known::from_name(name) else {
                continue;
            };
            if seen.contains(&known) {
                continue;
            }
            seen.push(known);
            let Some(number) = parse_number(value) else {
                continue;
            };
            match known {
                Known::Blksize if number >= u64::from(MIN_BLKSIZE) => {
                    options.blksize =
                        Some(number.min(u64::from(MAX_BLKSIZE)) as u16);
                }
                Known::Timeout if (1..=255).contains(&number) => {
                    options.timeout = Some(number as u8);
                }
                Known::Tsize => options.tsize = Some(number),
                Known::Windowsize if number >= 1 => {
                    options.windowsize =
                        Some(number.min(u64::from(MAX_WINDOWSIZE)) as u16);
                }
                _ => {}
            }
        }
        options
    }

    /// What a server grants for these requested options, within `limits`.
    ///
    /// `blksize` and `windowsize` are lowered to the server's maxima;
    /// `timeout` is granted as asked (RFC 2349 lets a server only accept or
    /// decline it). `tsize` is passed through unchanged: the server itself
    /// fills in the file's size for a read, or checks the announced size of
    /// a write (see [`crate::server`]).
    pub fn negotiate(&self, limits: &Limits) -> Options {
        Options {
            blksize: self
                .blksize
                .map(|b| b.min(limits.max_blksize.max(MIN_BLKSIZE))),
            timeout: self.timeout,
            tsize: self.tsize,
            windowsize: self.windowsize.map(|w| w.min(limits.max_windowsize.max(1))),
        }
    }

    /// Checks a server's OACK against the options this client asked for
    /// (`self`), and returns the options in force.
    ///
    /// RFC 2347 lets a server drop any option (its default then applies) but
    /// never add one; RFC 2348 and 7440 let it lower `blksize` and
    /// `windowsize`, never raise them; RFC 2349 has it echo `timeout`
    /// unchanged. Any other answer is an [`OptionError`], and the client
    /// must end the transfer with ERROR 8.
    pub fn check_oack(
        &self,
        oack: &[(String, String)],
    ) -> Result<Options, OptionError> {
        let mut granted = Options::default();
        let mut seen = Vec::new();
        for (name, value) in oack {
            let known = Known::from_name(name)
                .ok_or_else(|| OptionError::NotRequested(name.clone()))?;
            if seen.contains(&known) {
                return Err(OptionError::Duplicate(name.clone()));
            }
            seen.push(known);
            let malformed = || OptionError::Malformed {
                name: name.clone(),
                value: value.clone(),
            };
            let number = parse_number(value).ok_or_else(malformed)?;
            match known {
                Known::Blksize => {
                    let asked = self
                        .blksize
                        .ok_or_else(|| OptionError::NotRequested(name.clone()))?;
                    if number < u64::from(MIN_BLKSIZE) {
                        return Err(malformed());
                    }
                    check_not_raised(known, asked.into(), number)?;
                    granted.blksize = Some(number as u16);
                }
                Known::Timeout => {
                    let asked = self
                        .timeout
                        .ok_or_else(|| OptionError::NotRequested(name.clone()))?;
                    if number != u64::from(asked) {
                        return Err(OptionError::NotGranted {
                            name: known.name(),
                            requested: asked.into(),
                            granted: number,
                        });
                    }
                    granted.timeout = Some(asked);
                }
                Known::Tsize => {
                    if self.tsize.is_none() {
                        return Err(OptionError::NotRequested(name.clone()));
                    }
                    granted.tsize = Some(number);
                }
                Known::Windowsize => {
                    let asked = self
                        .windowsize
                        .ok_or_else(|| OptionError::NotRequested(name.clone()))?;
                    if number == 0 {
                        return Err(malformed());
                    }
                    check_not_raised(known, asked.into(), number)?;
                    granted.windowsize = Some(number as u16);
                }
            }
        }
        Ok(granted)
    }

    /// The block size in force: the agreed one, or RFC 1350's 512.
    pub fn blksize_or_default(&self) -> usize {
        usize::from(self.blksize.unwrap_or(DEFAULT_BLKSIZE))
    }

    /// The window in force: the agreed one, or 1 (lock-step).
    pub fn windowsize_or_default(&self) -> u16 {
        self.windowsize.unwrap_or(1)
    }

    /// The agreed timeout, if any.
    pub fn timeout_duration(&self) -> Option<Duration> {
        self.timeout.map(|secs| Duration::from_secs(secs.into()))
    }
}

fn check_not_raised(
    known: Known,
    requested: u64,
    granted: u64,
) -> Result<(), OptionError> {
    if granted > requested {
        return Err(OptionError::NotGranted {
            name: known.name(),
            requested,
            granted,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_request_is_read_case_insensitively() {
        let asked = Options::from_request(&pairs(&[
            ("BLKSIZE", "1428"),
            ("Timeout", "3"),
            ("tsize", "0"),
            ("windowSize", "16"),
        ]));
        assert_eq!(
            asked,
            Options {
                blksize: Some(1428),
                timeout: Some(3),
                tsize: Some(0),
                windowsize: Some(16)
            }
        );
    }

    #[test]
    fn unknown_options_and_unusable_values_are_ignored() {
        let asked = Options::from_request(&pairs(&[
            ("multicast", ""),
            ("blksize", "7"),
            ("timeout", "0"),
            ("windowsize", "0"),
            ("tsize", "-1"),
        ]));
        assert!(asked.is_empty(), "{asked:?}");
        let asked =
            Options::from_request(&pairs(&[("blksize", "abc"), ("timeout", "256")]));
        assert!(asked.is_empty(), "{asked:?}");
    }

    #[test]
    fn the_first_of_two_equal_names_counts() {
        let asked =
            Options::from_request(&pairs(&[("blksize", "1024"), ("blksize", "8")]));
        assert_eq!(asked.blksize, Some(1024));
    }

    #[test]
    fn values_beyond_the_rfc_range_are_lowered_to_it() {
        let asked = Options::from_request(&pairs(&[
            ("blksize", "100000"),
            ("windowsize", "99999"),
        ]));
        assert_eq!(asked.blksize, Some(MAX_BLKSIZE));
        assert_eq!(asked.windowsize, Some(MAX_WINDOWSIZE));
    }

    #[test]
    fn a_server_grants_at_most_its_limits() {
        let asked = Options {
            blksize: Some(65464),
            timeout: Some(5),
            tsize: Some(0),
            windowsize: Some(1000),
        };
        let limits = Limits {
            max_blksize: 1428,
            max_windowsize: 16,
        };
        let granted = asked.negotiate(&limits);
        assert_eq!(granted.blksize, Some(1428));
        assert_eq!(granted.windowsize, Some(16));
        assert_eq!(granted.timeout, Some(5));
        assert_eq!(granted.tsize, Some(0));
        let small = Options {
            blksize: Some(512),
            ..Options::default()
        };
        assert_eq!(small.negotiate(&limits).blksize, Some(512));
    }

    #[test]
    fn pairs_come_out_in_a_fixed_order() {
        let options = Options {
            windowsize: Some(4),
            blksize: Some(1024),
            tsize: Some(77),
            timeout: None,
        };
        assert_eq!(
            options.to_pairs(),
            pairs(&[("blksize", "1024"), ("tsize", "77"), ("windowsize", "4")])
        );
    }

    #[test]
    fn a_client_accepts_a_lowered_or_partial_answer() {
        let asked = Options {
            blksize: Some(8192),
            timeout: Some(2),
            tsize: Some(0),
            windowsize: Some(8),
        };
        let granted = asked
            .check_oack(&pairs(&[("blksize", "1428"), ("tsize", "12345")]))
            .unwrap();
        assert_eq!(granted.blksize, Some(1428));
        assert_eq!(granted.tsize, Some(12345));
        assert_eq!(granted.windowsize, None);
        assert_eq!(granted.windowsize_or_default(), 1);
        assert_eq!(asked.check_oack(&[]).unwrap(), Options::default());
    }

    #[test]
    fn a_client_rejects_options_it_did_not_ask_for() {
        let asked = Options {
            blksize: Some(1024),
            ..Options::default()
        };
        assert_eq!(
            asked.check_oack(&pairs(&[("windowsize", "4")])),
            Err(OptionError::NotRequested("windowsize".into()))
        );
        assert_eq!(
            asked.check_oack(&pairs(&[("color", "blue")])),
            Err(OptionError::NotRequested("color".into()))
        );
    }

    #[test]
    fn a_client_rejects_raised_or_malformed_values() {
        let asked = Options {
            blksize: Some(1024),
            timeout: Some(2),
            windowsize: Some(4),
            tsize: None,
        };
        assert!(matches!(
            asked.check_oack(&pairs(&[("blksize", "2048")])),
            Err(OptionError::NotGranted {
                name: "blksize",
                ..
            })
        ));
        assert!(matches!(
            asked.check_oack(&pairs(&[("windowsize", "5")])),
            Err(OptionError::NotGranted {
                name: "windowsize",
                ..
            })
        ));
        assert!(matches!(
            asked.check_oack(&pairs(&[("timeout", "3")])),
            Err(OptionError::NotGranted {
                name: "timeout",
                ..
            })
        ));
        assert!(matches!(
            asked.check_oack(&pairs(&[("blksize", "4")])),
            Err(OptionError::Malformed { .. })
        ));
        assert!(matches!(
            asked.check_oack(&pairs(&[("windowsize", "x")])),
            Err(OptionError::Malformed { .. })
        ));
        assert!(matches!(
            asked.check_oack(&pairs(&[("blksize", "512"), ("BLKSIZE", "512")])),
            Err(OptionError::Duplicate(_))
        ));
    }
}
