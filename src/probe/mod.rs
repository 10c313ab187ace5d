//! Live probes: `cargo lab probe KIND ADDR` checks a running server from the
//! outside, the way a teacher would in a lab session.
//!
//! A probe is the client nobody wrote for the student: it sends what the
//! exercise tests send and a few things they do not (several clients at
//! once, a burst), and gives a verdict per check. Every probe keeps two
//! promises, because it may be pointed at a machine on a shared lab network:
//! it sends a bounded number of packets, and it stops by itself (no wait is
//! longer than [`ProbeOptions::timeout`]).
//!
//! - [`run`] is what the CLI calls: probe, print, and say whether all passed;
//! - [`check`] probes without printing, for tests and other callers;
//! - [`udp_echo`] is the probe of a UDP echo server (chapter 3).

pub mod udp_echo;

use std::io::{self, IsTerminal, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Serialize;

/// How a probe runs.
#[derive(Debug, Clone)]
pub struct ProbeOptions {
    /// How long to wait for any one reply.
    pub timeout: Duration,
    /// Print one JSON object instead of lines for people.
    pub json: bool,
}

impl Default for ProbeOptions {
    /// Two seconds per wait, output for people.
    fn default() -> Self {
        ProbeOptions {
            timeout: Duration::from_secs(2),
            json: false,
        }
    }
}

/// The kinds of server a probe knows how to check.
pub const KINDS: &[&str] = &["udp-echo"];

/// The verdict on one thing a probe checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked, short: `size 1472`, `reply address`.
    pub name: String,
    /// Whether the server did what was expected.
    pub passed: bool,
    /// On a pass, what was seen; on a failure, what was expected and what
    /// came back.
    pub detail: String,
}

impl Check {
    /// A passed check.
    pub fn pass(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_string(),
            passed: true,
            detail: detail.into(),
        }
    }

    /// A failed check.
    pub fn fail(name: &str, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_string(),
            passed: false,
            detail: detail.into(),
        }
    }
}

/// Everything one probe found: the JSON object `--format json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The probe's kind, e.g. `udp-echo`.
    pub kind: String,
    /// The address probed, as given.
    pub addr: String,
    /// One verdict per check, in the order they ran.
    pub checks: Vec<Check>,
    /// Whether every check passed.
    pub passed: bool,
    /// What the probe promised about its traffic, for the header line.
    #[serde(skip)]
    pub bounds: String,
}

impl Report {
    fn new(kind: &str, addr: &str, bounds: String, checks: Vec<Check>) -> Report {
        Report {
            kind: kind.to_string(),
            addr: addr.to_string(),
            passed: checks.iter().all(|check| check.passed),
            checks,
            bounds,
        }
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|check| !check.passed)
    }
}

/// Runs the probe `kind` against `addr`, prints a verdict per check, and
/// returns whether every check passed. An unknown kind or an address that
/// does not parse is an error (exit code 2), not a failed check.
pub fn run(kind: &str, addr: &str, options: &ProbeOptions) -> Result<bool> {
    let report = check(kind, addr, options)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    if options.json {
        serde_json::to_writer(&mut out, &report)
            .context("writing the JSON report")?;
        writeln!(out).context("writing the JSON report")?;
    } else {
        let colour = stdout_wants_colour();
        print_for_people(&mut out, &report, colour).context("writing the report")?;
    }
    Ok(report.passed)
}

/// Runs the probe `kind` against `addr` and returns its report, printing
/// nothing.
pub fn check(kind: &str, addr: &str, options: &ProbeOptions) -> Result<Report> {
    match kind {
        "udp-echo" => {
            let target = resolve(addr)?;
            let checks = udp_echo::probe(target, options);
            Ok(Report::new(kind, addr, udp_echo::bounds(options), checks))
        }
        _ => bail!(
            "unknown probe `{kind}`; the probes are: {}",
            KINDS.join(", ")
        ),
    }
}

/// `HOST:PORT` (a name or an address; `[::1]:7` for IPv6) to a socket
/// address.
fn resolve(addr: &str) -> Result<SocketAddr> {
    let mut found = addr.to_socket_addrs().with_context(|| {
        format!("`{addr}` is not an address to probe; expected HOST:PORT, e.g. 127.0.0.1:7")
    })?;
    found
        .next()
        .with_context(|| format!("`{addr}` resolves to no address"))
}

/// Colour only for a person at a terminal, and never when `NO_COLOR` is set
/// (<https://no-color.org>).
fn stdout_wants_colour() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// `PASS  name  detail` lines, a header and a summary.
fn print_for_people(
    out: &mut impl Write,
    report: &Report,
    colour: bool,
) -> io::Result<()> {
    writeln!(
        out,
        "probe {} {} ({})",
        report.kind, report.addr, report.bounds
    )?;
    let width = report
        .checks
        .iter()
        .map(|check| check.name.chars().count())
        .max()
        .unwrap_or(0);
    for check in &report.checks {
        let verdict = match (check.passed, colour) {
            (true, true) => "\x1b[32mPASS\x1b[0m",
            (false, true) => "\x1b[31mFAIL\x1b[0m",
            (true, false) => "PASS",
            (false, false) => "FAIL",
        };
        writeln!(out, "{verdict}  {:<width$}  {}", check.name, check.detail)?;
    }
    let passed = report.checks.iter().filter(|check| check.passed).count();
    let total = report.checks.len();
    if report.passed {
        writeln!(out, "all {total} checks passed")
    } else {
        writeln!(out, "{passed} of {total} checks passed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report::new(
            "udp-echo",
            "127.0.0.1:7",
            "at most 3 datagrams".to_string(),
            vec![
                Check::pass("single datagram", "came back"),
                Check::fail("size 1472", "got nothing"),
            ],
        )
    }

    #[test]
    fn people_get_one_line_per_check_and_a_summary() {
        let mut out = Vec::new();
        print_for_people(&mut out, &report(), false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "probe udp-echo 127.0.0.1:7 (at most 3 datagrams)\n\
             PASS  single datagram  came back\n\
             FAIL  size 1472        got nothing\n\
             1 of 2 checks passed\n"
        );
    }

    #[test]
    fn json_has_the_documented_fields() {
        let value = serde_json::to_value(report()).unwrap();
        assert_eq!(value["kind"], "udp-echo");
        assert_eq!(value["addr"], "127.0.0.1:7");
        assert_eq!(value["passed"], false);
        assert_eq!(value["checks"][1]["name"], "size 1472");
        assert_eq!(value["checks"][1]["passed"], false);
        assert!(value.get("bounds").is_none());
    }

    #[test]
    fn unknown_kinds_and_bad_addresses_are_errors() {
        let options = ProbeOptions::default();
        let error = check("gopher", "127.0.0.1:7", &options).unwrap_err();
        assert!(error.to_string().contains("udp-echo"), "{error}");
        let error = check("udp-echo", "not an address", &options).unwrap_err();
        assert!(error.to_string().contains("HOST:PORT"), "{error}");
    }
}
