//! Steps 7 and 8: option negotiation (RFC 2347) for `blksize` (RFC 2348)
//! and `windowsize` (RFC 7440) (book: "Options").
//!
//! A client adds options to its request; a server that knows them answers
//! with an OACK listing what it grants, and one that does not simply starts
//! the transfer, with RFC 1350's defaults. So every option has a default
//! that always works: 512-byte blocks, a window of one block (lock-step).
//!
//! ```text
//!   RRQ "f" octet blksize=1428 windowsize=8  ->
//!                                        <-  OACK blksize=1428 windowsize=8
//!   ACK 0                                ->
//!                                        <-  DATA 1 (1428 bytes) ...
//! ```

/// RFC 1350's block size, when no `blksize` was agreed.
pub const DEFAULT_BLKSIZE: u16 = 512;
/// The smallest `blksize` RFC 2348 allows.
pub const MIN_BLKSIZE: u16 = 8;
/// The largest `blksize` RFC 2348 allows.
pub const MAX_BLKSIZE: u16 = 65464;
/// The largest `windowsize` RFC 7440 allows.
pub const MAX_WINDOWSIZE: u16 = u16::MAX;

/// The options of one transfer: asked for (in a request) or agreed (in an
/// OACK). `None` means "not sent", so the default applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Bytes per DATA packet (RFC 2348), 8–65464.
    pub blksize: Option<u16>,
    /// Blocks sent per ACK (RFC 7440), 1–65535.
    pub windowsize: Option<u16>,
}

/// The most a server grants, whatever a client asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest block size granted.
    pub max_blksize: u16,
    /// The largest window granted.
    pub max_windowsize: u16,
}

impl Default for Limits {
    /// The RFC's own maximum block size, and a window of 64 blocks.
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
    /// ask for (or one nobody knows).
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
    /// A server may lower `blksize` and `windowsize`, never raise them.
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

impl Options {
    /// No options at all: a plain RFC 1350 request.
    pub fn is_empty(&self) -> bool {
        *self == Options::default()
    }

    /// The options as name/value pairs for a request or an OACK: `blksize`
    /// first, then `windowsize`, each only when set.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        if let Some(blksize) = self.blksize {
            pairs.push(("blksize".to_string(), blksize.to_string()));
        }
        if let Some(windowsize) = self.windowsize {
            pairs.push(("windowsize".to_string(), windowsize.to_string()));
        }
        pairs
    }

    /// The block size in force: the agreed one, or 512.
    pub fn blksize_or_default(&self) -> usize {
        usize::from(self.blksize.unwrap_or(DEFAULT_BLKSIZE))
    }

    /// The window in force: the agreed one, or 1 (lock-step).
    pub fn windowsize_or_default(&self) -> u16 {
        self.windowsize.unwrap_or(1)
    }

    /// Reads the options of a request, as a server does.
    ///
    /// RFC 2347 tells a server to ignore what it does not understand:
    /// - option names compare without case (`BLKSIZE` is `blksize`);
    ///   unknown names are skipped;
    /// - a value must be a decimal number of ASCII digits only (no sign, no
    ///   space) that fits in a `u64`; anything else is skipped, and so is a
    ///   `blksize` below 8
    ///   (step 7) or a `windowsize` of 0 (step 8);
    /// - a `blksize` above 65464 is lowered to 65464, a `windowsize` above
    ///   65535 to 65535 (a server may always grant less);
    /// - when a name appears twice, the first one counts.
    pub fn from_request(pairs: &[(String, String)]) -> Options {
        todo!("step 7: read blksize (and, in step 8, windowsize)")
    }

    /// What a server grants for these requested options within `limits`:
    /// `blksize` lowered to `limits.max_blksize` (step 7) and `windowsize`
    /// to `limits.max_windowsize` (step 8); an option not asked for stays
    /// `None`.
    pub fn negotiate(&self, limits: &Limits) -> Options {
        todo!("step 7: grant at most the limits")
    }

    /// Checks a server's OACK against the options this client asked for
    /// (`self`) and returns the options in force.
    ///
    /// A server may leave out any option (its default then applies), lower
    /// `blksize` (not below 8) and `windowsize` (not below 1), and never add
    /// or raise one. So: a name not asked for (or unknown) is
    /// `NotRequested`, a name twice is `Duplicate`, a value that is not a
    /// number (or is out of range) is `Malformed`, a value above the one
    /// asked for is `NotGranted`. Names compare without case.
    pub fn check_oack(
        &self,
        oack: &[(String, String)],
    ) -> Result<Options, OptionError> {
        todo!("step 7: accept only what was asked for, never more")
    }
}
