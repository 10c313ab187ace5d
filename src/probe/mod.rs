//! Live probes: `cargo lab probe KIND ADDR` checks a running server from the
//! outside, the way a teacher would in a lab session (being written).

use std::time::Duration;

/// How a probe runs.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// How long to wait for any one reply.
    pub timeout: Duration,
    /// Print one JSON object instead of lines for people.
    pub json: bool,
}

/// The kinds of server a probe knows how to check.
pub const KINDS: &[&str] = &["udp-echo"];

/// Runs the probe `kind` against `addr`, prints a verdict per check, and
/// returns whether every check passed. An unknown kind or an address that
/// does not parse is an error (exit code 2), not a failed check.
pub fn run(kind: &str, addr: &str, options: &ProbeOptions) -> anyhow::Result<bool> {
    let _ = (addr, options);
    anyhow::bail!("unknown probe `{kind}`; the probes are: {}", KINDS.join(", "))
}
