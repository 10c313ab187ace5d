//! Live probes: `cargo lab probe KIND ADDR` checks a running server from the
//! outside, the way a teacher would in a lab session.
//!
//! A probe is the client nobody wrote for the student: it sends what the
//! exercise tests send and a few things they do not (several clients at
//! once, a burst, a client that vanishes mid-message, a malformed request),
//! and gives a verdict per check. Every probe keeps two promises, because it
//! may be pointed at a machine on a shared lab network: it sends a bounded
//! number of packets (connections, bytes), and it stops by itself (no wait
//! is longer than [`ProbeOptions::timeout`]). When nothing listens at the
//! address the probe says so at once ("connection refused by ADDR") instead
//! of waiting out its checks.
//!
//! Each check is a [`Level::Must`] or a [`Level::Should`]. The TCP probes
//! check the workbook's own protocols, where every rule is a must; the TFTP
//! probe follows the RFCs, and a SHOULD it finds broken is a warning that
//! does not fail the probe.
//!
//! - [`run`] is what the CLI calls: probe, print, and say whether all passed;
//! - [`check`] probes without printing, for tests and other callers;
//! - [`udp_echo`] is the probe of a UDP echo server (chapter 3);
//! - [`tcp_echo`], [`chat`] and [`http`] probe the TCP servers (chapter 4);
//! - [`tftp`] probes a TFTP server (chapter 5), with [`tftp::make_files`]
//!   to write the files it downloads into the server's root;
//! - [`net`] opens the probes' sockets and words their network errors;
//!   [`words`] puts bytes and durations into the details of checks.

pub mod chat;
pub mod http;
pub mod net;
pub mod tcp_echo;
pub mod tftp;
pub mod udp_echo;
pub mod words;

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
    /// The HTTP probe's page: a path the server has, e.g. `/index.html`.
    pub path: String,
    /// The TFTP probe also downloads a file of more than 65 535 blocks,
    /// to see the block number roll over.
    pub rollover: bool,
}

impl Default for ProbeOptions {
    /// Two seconds per wait, output for people, the HTTP page `/`, no
    /// rollover download.
    fn default() -> Self {
        ProbeOptions {
            timeout: Duration::from_secs(2),
            json: false,
            path: "/".to_string(),
            rollover: false,
        }
    }
}

/// The kinds of server a probe knows how to check.
pub const KINDS: &[&str] = &["udp-echo", "tcp-echo", "chat", "http", "tftp"];

/// How much a check matters, in the words of RFC 2119.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The protocol cannot work without it: a failure fails the probe.
    #[default]
    Must,
    /// Recommended: a failure is a warning, and the probe can still pass.
    Should,
}

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
    /// Whether a failure fails the probe ([`Level::Must`]) or only warns.
    pub level: Level,
    /// Where the rule comes from, e.g. `RFC 1123 4.2.3.1`, when a standard
    /// states it (the TFTP probe's checks).
    pub rule: Option<String>,
}

impl Check {
    /// A passed check.
    pub fn pass(name: &str, detail: impl Into<String>) -> Check {
        Check::new(name, true, detail.into())
    }

    /// A failed check.
    pub fn fail(name: &str, detail: impl Into<String>) -> Check {
        Check::new(name, false, detail.into())
    }

    /// A check that passed when `passed` holds.
    pub fn new(name: &str, passed: bool, detail: impl Into<String>) -> Check {
        Check {
            name: name.to_string(),
            passed,
            detail: detail.into(),
            level: Level::Must,
            rule: None,
        }
    }

    /// The same check, only recommended: its failure is a warning.
    pub fn should(mut self) -> Check {
        self.level = Level::Should;
        self
    }

    /// The same check, naming the standard that states its rule.
    pub fn per(mut self, rule: &str) -> Check {
        self.rule = Some(rule.to_string());
        self
    }

    /// A failed SHOULD: worth telling, not worth failing the probe for.
    pub fn is_warning(&self) -> bool {
        !self.passed && self.level == Level::Should
    }

    /// A failed MUST: the probe fails.
    pub fn is_failure(&self) -> bool {
        !self.passed && self.level == Level::Must
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
    /// Whether every MUST passed (a failed SHOULD is only a warning).
    pub passed: bool,
    /// How many SHOULDs failed.
    pub warnings: usize,
    /// What the probe promised about its traffic, for the header line.
    #[serde(skip)]
    pub bounds: String,
}

impl Report {
    fn new(kind: &str, addr: &str, bounds: String, checks: Vec<Check>) -> Report {
        Report {
            kind: kind.to_string(),
            addr: addr.to_string(),
            passed: !checks.iter().any(Check::is_failure),
            warnings: checks.iter().filter(|check| check.is_warning()).count(),
            checks,
            bounds,
        }
    }

    /// The checks that failed, MUSTs and SHOULDs alike.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|check| !check.passed)
    }

    /// The check called `name`, if the probe ran one.
    pub fn named(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|check| check.name == name)
    }
}

/// Runs the probe `kind` against `addr`, prints a verdict per check, and
/// returns whether every check passed. An unknown kind or an address that
/// does not parse is an error (exit code 2), not a failed check.
pub fn run(kind: &str, addr: &str, options: &ProbeOptions) -> Result<bool> {
    let report = check(kind, addr, options)?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let printed = if options.json {
        serde_json::to_writer(&mut out, &report)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out))
    } else {
        print_for_people(&mut out, &report, stdout_wants_colour())
    };
    match printed {
        // `cargo lab probe … | head`: the reader stopped reading, their choice.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
        other => other.context("writing the report")?,
    }
    Ok(report.passed)
}

/// Runs the probe `kind` against `addr` and returns its report, printing
/// nothing.
pub fn check(kind: &str, addr: &str, options: &ProbeOptions) -> Result<Report> {
    let (checks, bounds) = match kind {
        "udp-echo" => {
            let target = resolve(addr)?;
            (udp_echo::probe(target, options), udp_echo::bounds(options))
        }
        "tcp-echo" => {
            let target = resolve(addr)?;
            (tcp_echo::probe(target, options), tcp_echo::bounds(options))
        }
        "chat" => {
            let target = resolve(addr)?;
            (chat::probe(target, options), chat::bounds(options))
        }
        "http" => {
            let target = resolve(addr)?;
            http::check_path(&options.path)?;
            (http::probe(target, options), http::bounds(options))
        }
        "tftp" => {
            let target = resolve_tftp(addr)?;
            (tftp::probe(target, options), tftp::bounds(options))
        }
        _ => bail!(
            "unknown probe `{kind}`; the probes are: {}",
            KINDS.join(", ")
        ),
    };
    Ok(Report::new(kind, addr, bounds, checks))
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

/// Like [`resolve`], but a bare host means TFTP's own port, 69.
fn resolve_tftp(addr: &str) -> Result<SocketAddr> {
    if let Ok(ip) = addr.trim_start_matches('[').trim_end_matches(']').parse() {
        return Ok(SocketAddr::new(ip, tftp::PORT));
    }
    if !addr.contains(':') {
        return resolve(&format!("{addr}:{}", tftp::PORT));
    }
    resolve(addr)
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
    // A column saying MUST or SHOULD, and where the rule comes from, only
    // for probes whose checks name their standards.
    let ruled = report.checks.iter().any(|check| check.rule.is_some());
    let rules: Vec<String> = report.checks.iter().map(rule_column).collect();
    let rule_width = rules.iter().map(|r| r.chars().count()).max().unwrap_or(0);
    for (check, rule) in report.checks.iter().zip(&rules) {
        let verdict = match (check.passed, check.level, colour) {
            (true, _, true) => "\x1b[32mPASS\x1b[0m",
            (false, Level::Must, true) => "\x1b[31mFAIL\x1b[0m",
            (false, Level::Should, true) => "\x1b[33mWARN\x1b[0m",
            (true, _, false) => "PASS",
            (false, Level::Must, false) => "FAIL",
            (false, Level::Should, false) => "WARN",
        };
        if ruled {
            writeln!(
                out,
                "{verdict}  {:<width$}  {rule:<rule_width$}  {}",
                check.name, check.detail
            )?;
        } else {
            writeln!(out, "{verdict}  {:<width$}  {}", check.name, check.detail)?;
        }
    }
    writeln!(out, "{}", summary(report))
}

/// `MUST (RFC 1350)`, `SHOULD (RFC 1350 4)`, or `MUST` alone.
fn rule_column(check: &Check) -> String {
    let level = match check.level {
        Level::Must => "MUST",
        Level::Should => "SHOULD",
    };
    match &check.rule {
        Some(rule) => format!("{level} ({rule})"),
        None => level.to_string(),
    }
}

/// The last line: how many passed, and what the failures count for.
fn summary(report: &Report) -> String {
    let passed = report.checks.iter().filter(|check| check.passed).count();
    let total = report.checks.len();
    let warnings = match report.warnings {
        0 => String::new(),
        1 => " (1 SHOULD failed: a warning)".to_string(),
        n => format!(" ({n} SHOULDs failed: warnings)"),
    };
    if passed == total {
        format!("all {total} checks passed")
    } else if report.passed {
        format!("{passed} of {total} checks passed, every MUST among them{warnings}")
    } else {
        format!("{passed} of {total} checks passed{warnings}")
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
        assert_eq!(value["checks"][1]["level"], "must");
        assert_eq!(value["warnings"], 0);
        assert!(value.get("bounds").is_none());
    }

    #[test]
    fn a_failed_should_is_a_warning_and_the_report_still_passes() {
        let report = Report::new(
            "tftp",
            "127.0.0.1:69",
            "at most 9 packets".to_string(),
            vec![
                Check::pass("512 bytes", "DATA 1, then an empty DATA 2")
                    .per("RFC 1350 6"),
                Check::fail("bad opcode", "no ERROR 4")
                    .should()
                    .per("RFC 1350 5"),
            ],
        );
        assert!(report.passed);
        assert_eq!(report.warnings, 1);
        let mut out = Vec::new();
        print_for_people(&mut out, &report, false).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "probe tftp 127.0.0.1:69 (at most 9 packets)\n\
             PASS  512 bytes   MUST (RFC 1350 6)    DATA 1, then an empty DATA 2\n\
             WARN  bad opcode  SHOULD (RFC 1350 5)  no ERROR 4\n\
             1 of 2 checks passed, every MUST among them (1 SHOULD failed: a warning)\n"
        );
    }

    #[test]
    fn unknown_kinds_and_bad_addresses_are_errors() {
        let options = ProbeOptions::default();
        let error = check("gopher", "127.0.0.1:7", &options).unwrap_err();
        assert!(error.to_string().contains("udp-echo"), "{error}");
        let error = check("udp-echo", "not an address", &options).unwrap_err();
        assert!(error.to_string().contains("HOST:PORT"), "{error}");
    }

    #[test]
    fn every_kind_is_known_and_tftp_defaults_to_port_69() {
        for kind in KINDS.iter().filter(|kind| **kind != "tftp") {
            let error = check(kind, "127.0.0.1", &ProbeOptions::default());
            assert!(error.is_err(), "{kind} took an address without a port");
        }
        assert_eq!(resolve_tftp("127.0.0.1").unwrap().port(), 69);
        assert_eq!(resolve_tftp("[::1]").unwrap().port(), 69);
        assert_eq!(resolve_tftp("127.0.0.1:6969").unwrap().port(), 6969);
    }
}
