//! `cargo lab probe tftp`: the probe passes the workbook's `tftpd` and
//! tftpd-hpa (with warnings where tftpd-hpa leaves out a SHOULD), and fails,
//! naming the check, against atftpd 0.8 (the Sorcerer's Apprentice) and
//! against small in-test servers that each break one rule.
//!
//! The real servers run on 127.0.0.1 with ports from the OS. A peer that is
//! not installed makes its test print `SKIPPED: …` and pass, unless
//! `NETLAB_REQUIRE_PEERS=1` is set: then it fails.

mod common;

use std::fs::{self, File};
use std::net::{SocketAddr, UdpSocket};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::peers::{self, KillOnDrop};
use common::tcp::failed_names;
use netlab::probe::tftp::{FILES, content, make_files};
use netlab::probe::{self, Level, ProbeOptions, Report};
use support::deadline;

const LIMIT: Duration = Duration::from_secs(120);

fn options() -> ProbeOptions {
    ProbeOptions {
        timeout: Duration::from_millis(1000),
        ..ProbeOptions::default()
    }
}

fn probe_at(addr: SocketAddr, options: &ProbeOptions) -> Report {
    probe::check("tftp", &addr.to_string(), options).unwrap()
}

/// The names of the failed MUSTs.
fn failed_musts(report: &Report) -> Vec<&str> {
    report
        .checks
        .iter()
        .filter(|check| check.is_failure())
        .map(|check| check.name.as_str())
        .collect()
}

// ------------------------------------------------------- an in-test server

/// What is wrong with an in-test server, if anything.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flaw {
    None,
    /// Ends a file of 512 bytes after its full block, with no empty DATA.
    StopsAt512,
    /// Says nothing about a missing file.
    NoError1,
    /// Answers every ACK with the next DATA, duplicates included.
    Sorcerer,
    /// Ignores a stranger's packets without telling it.
    NoError5,
}

/// A lock-step TFTP server of the probe's files, no options, on 127.0.0.1
/// with a port from the OS; it stops after 10 s of silence.
fn tftp_server(flaw: Flaw) -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let addr = socket.local_addr().unwrap();
    thread::spawn(move || {
        let mut buffer = [0; 1024];
        while let Ok((len, client)) = socket.recv_from(&mut buffer) {
            let packet = &buffer[..len];
            if packet.len() < 2 || packet[..2] != [0, 1] {
                let _ =
                    socket.send_to(b"\x00\x05\x00\x04illegal operation\x00", client);
                continue;
            }
            let name = packet[2..].split(|b| *b == 0).next().unwrap_or_default();
            let name = String::from_utf8_lossy(name).into_owned();
            match FILES.iter().find(|(file, _)| *file == name) {
                Some((_, size)) => {
                    let bytes = content(*size);
                    thread::spawn(move || send_file(client, &bytes, flaw));
                }
                None if flaw == Flaw::NoError1 => {}
                None => {
                    let _ = socket
                        .send_to(b"\x00\x05\x00\x01File not found\x00", client);
                }
            }
        }
    });
    addr
}

/// Sends `bytes` to `client` in lock-step from a port of its own.
fn send_file(client: SocketAddr, bytes: &[u8], flaw: Flaw) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut block: u16 = 1;
    let mut offset = 0;
    loop {
        let chunk = &bytes[offset..bytes.len().min(offset + 512)];
        if flaw == Flaw::StopsAt512 && chunk.is_empty() && offset > 0 {
            return;
        }
        let mut data = vec![0, 3];
        data.extend_from_slice(&block.to_be_bytes());
        data.extend_from_slice(chunk);
        let _ = socket.send_to(&data, client);
        let mut silences = 0;
        let mut buffer = [0; 1024];
        loop {
            let Ok((len, from)) = socket.recv_from(&mut buffer) else {
                silences += 1;
                if silences == 10 {
                    return;
                }
                let _ = socket.send_to(&data, client);
                continue;
            };
            if from != client {
                if flaw != Flaw::NoError5 {
                    let _ = socket
                        .send_to(b"\x00\x05\x00\x05unknown transfer ID\x00", from);
                }
                continue;
            }
            let packet = &buffer[..len];
            if len != 4 || packet[..2] != [0, 4] {
                return;
            }
            let acked = u16::from_be_bytes([packet[2], packet[3]]);
            if acked == block {
                break;
            }
            if flaw == Flaw::Sorcerer && acked == block.wrapping_sub(1) {
                let _ = socket.send_to(&data, client);
            }
        }
        if chunk.len() < 512 {
            return;
        }
        block = block.wrapping_add(1);
        offset += 512;
    }
}

/// A correct lock-step server passes every MUST and every SHOULD; it takes
/// up no options, which the option checks allow.
#[test]
fn a_correct_server_passes_every_check() {
    deadline(LIMIT, "probing a correct in-test TFTP server", || {
        let report = probe_at(tftp_server(Flaw::None), &options());
        assert!(report.passed, "{:#?}", report.checks);
        assert_eq!(report.warnings, 0, "{:#?}", report.checks);
        assert_eq!(report.checks.len(), 13);
        let blksize = report.named("blksize").unwrap();
        assert!(
            blksize.detail.contains("not taken up"),
            "{}",
            blksize.detail
        );
        for check in &report.checks {
            assert!(check.rule.is_some(), "{} names no RFC", check.name);
        }
        let sorcerer = report.named("duplicate ACK").unwrap();
        assert_eq!(sorcerer.level, Level::Must);
        assert_eq!(sorcerer.rule.as_deref(), Some("RFC 1123 4.2.3.1"));
    });
}

/// A server that ends a 512-byte file after its full block (no empty DATA
/// 2) fails the 512-byte check, and only it.
#[test]
fn a_server_stopping_at_512_without_an_empty_block_fails_the_end_rule() {
    deadline(LIMIT, "probing a server that stops at 512", || {
        let report = probe_at(tftp_server(Flaw::StopsAt512), &options());
        assert_eq!(failed_names(&report), ["512 bytes"], "{:#?}", report.checks);
        assert!(!report.passed);
        let detail = &report.named("512 bytes").unwrap().detail;
        assert!(detail.contains("empty DATA 2"), "{detail}");
    });
}

/// A server silent about a missing file fails the ERROR 1 check.
#[test]
fn a_server_without_error_1_fails_the_missing_file_check() {
    deadline(LIMIT, "probing a server without ERROR 1", || {
        let report = probe_at(tftp_server(Flaw::NoError1), &options());
        assert_eq!(
            failed_names(&report),
            ["missing file"],
            "{:#?}",
            report.checks
        );
        assert!(!report.passed);
    });
}

/// The Sorcerer's Apprentice fails the duplicate-ACK check.
#[test]
fn a_sorcerers_apprentice_fails_the_duplicate_ack_check() {
    deadline(LIMIT, "probing a Sorcerer's Apprentice", || {
        let report = probe_at(tftp_server(Flaw::Sorcerer), &options());
        assert_eq!(
            failed_musts(&report),
            ["duplicate ACK"],
            "{:#?}",
            report.checks
        );
        let detail = &report.named("duplicate ACK").unwrap().detail;
        assert!(detail.contains("Sorcerer's Apprentice"), "{detail}");
    });
}

/// A server that serves one transfer at a time, so that a second request
/// waits in its queue until the first is done.
fn one_at_a_time_server() -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let addr = socket.local_addr().unwrap();
    thread::spawn(move || {
        let mut buffer = [0; 1024];
        while let Ok((len, client)) = socket.recv_from(&mut buffer) {
            let packet = &buffer[..len];
            let name = packet
                .get(2..)
                .unwrap_or_default()
                .split(|b| *b == 0)
                .next();
            let name =
                String::from_utf8_lossy(name.unwrap_or_default()).into_owned();
            match FILES.iter().find(|(file, _)| *file == name) {
                Some((_, size)) if packet.starts_with(&[0, 1]) => {
                    // Each transfer in turn, on the listener's own thread,
                    // and a pause after it: longer than a probe waits for
                    // a fourth request's answer.
                    send_file(client, &content(*size), Flaw::None);
                    thread::sleep(Duration::from_millis(500));
                }
                Some(_) => {
                    let _ = socket
                        .send_to(b"\x00\x05\x00\x04illegal operation\x00", client);
                }
                None => {
                    let _ = socket
                        .send_to(b"\x00\x05\x00\x01File not found\x00", client);
                }
            }
        }
    });
    addr
}

/// Transfers served one after the other: a warning on the concurrency
/// check, a SHOULD.
#[test]
fn a_server_of_one_transfer_at_a_time_gets_a_warning() {
    deadline(
        LIMIT,
        "probing a one-transfer-at-a-time TFTP server",
        || {
            // A probe that gives up on a request after 4 × 300 ms.
            let quick = ProbeOptions {
                timeout: Duration::from_millis(300),
                ..options()
            };
            let report = probe_at(one_at_a_time_server(), &quick);
            assert!(
                failed_names(&report).contains(&"several transfers at once"),
                "{:#?}",
                report.checks
            );
            let check = report.named("several transfers at once").unwrap();
            assert_eq!(check.level, Level::Should);
        },
    );
}

/// A server that ignores strangers silently breaks a SHOULD: a warning, and
/// the probe still passes (exit code 0).
#[test]
fn a_server_without_error_5_gets_a_warning_and_still_passes() {
    deadline(LIMIT, "probing a server without ERROR 5", || {
        let addr = tftp_server(Flaw::NoError5);
        let report = probe_at(addr, &options());
        assert_eq!(failed_names(&report), ["stranger gets ERROR 5"]);
        assert!(report.passed);
        assert_eq!(report.warnings, 1);
        assert!(probe::run("tftp", &addr.to_string(), &options()).unwrap());
    });
}

/// Nothing listening: "connection refused by ADDR" at once, nothing else
/// run.
#[test]
fn a_closed_port_is_refused_at_once() {
    deadline(LIMIT, "probing a closed UDP port", || {
        let addr = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let started = Instant::now();
        let slow = ProbeOptions {
            timeout: Duration::from_secs(5),
            ..options()
        };
        let report = probe_at(addr, &slow);
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{:?}",
            started.elapsed()
        );
        let detail = &report.checks[0].detail;
        assert!(
            detail.contains(&format!("connection refused by {addr}")),
            "{detail}"
        );
        assert!(
            report.checks[1..]
                .iter()
                .all(|c| c.detail.starts_with("not run"))
        );
        assert!(!report.passed);
    });
}

/// A server without the probe's files: the failures say how to make them.
#[test]
fn missing_probe_files_point_at_make_files() {
    deadline(LIMIT, "probing a server without the probe's files", || {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        thread::spawn(move || {
            let mut buffer = [0; 1024];
            while let Ok((_, client)) = socket.recv_from(&mut buffer) {
                let _ =
                    socket.send_to(b"\x00\x05\x00\x01File not found\x00", client);
            }
        });
        let report = probe_at(addr, &options());
        let detail = &report.checks[0].detail;
        assert!(detail.contains("--make-files"), "{detail}");
        assert!(report.named("missing file").unwrap().passed);
    });
}

// ------------------------------------------------------------ real servers

/// A folder every user can read, holding the probe's files (the peer
/// servers run as `nobody` or `tftp`).
fn shared_root() -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755)).unwrap();
    make_files(root.path()).unwrap();
    root
}

/// The workbook's own `tftpd` passes every check, rollover included.
#[test]
fn the_workbooks_tftpd_passes_every_check() {
    let tftpd = common::build_binary("tftp-solution", "tftpd");
    deadline(LIMIT, "probing the workbook's tftpd", move || {
        let root = shared_root();
        let root_arg = root.path().to_str().unwrap().to_string();
        let (_server, addr) = peers::start_listening(
            &tftpd,
            &["--root", &root_arg, "--bind", "127.0.0.1:0"],
        );
        let with_rollover = ProbeOptions {
            rollover: true,
            ..options()
        };
        let report = probe_at(addr, &with_rollover);
        assert!(report.passed, "{:#?}", report.checks);
        assert_eq!(report.warnings, 0, "{:#?}", report.checks);
        assert!(report.named("rollover").unwrap().passed);
        let windows = &report.named("windowsize").unwrap().detail;
        assert!(windows.contains("OACK windowsize 8"), "{windows}");
    });
}

/// Whether some socket is bound to UDP `port` on 127.0.0.1 (read from
/// /proc/net/udp, which does not disturb the server).
fn udp_port_bound(port: u16) -> bool {
    let table = fs::read_to_string("/proc/net/udp").unwrap_or_default();
    let wanted = format!("0100007F:{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|line| line.split_whitespace().nth(1))
        .any(|local| local == wanted)
}

/// Starts the server `build(port)` makes on a free port and waits until it
/// has bound it; tries another port if it exits first.
fn start_peer(
    what: &str,
    build: impl Fn(u16) -> Command,
) -> (KillOnDrop, SocketAddr) {
    let logs = tempfile::tempdir().unwrap();
    for _attempt in 0..5 {
        let port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = File::create(logs.path().join("log")).unwrap();
        let mut command = build(port);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log));
        let mut child = KillOnDrop(
            command
                .spawn()
                .unwrap_or_else(|e| panic!("could not start {what}: {e}")),
        );
        let give_up = Instant::now() + Duration::from_secs(5);
        while Instant::now() < give_up {
            if udp_port_bound(port) {
                return (child, SocketAddr::from(([127, 0, 0, 1], port)));
            }
            if !matches!(child.0.try_wait(), Ok(None)) {
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("{what} would not start on any of 5 ports");
}

/// Whether `name` is in `/etc/passwd` or `/etc/group`.
fn account_exists(table: &str, name: &str) -> bool {
    let entries = fs::read_to_string(table).unwrap_or_default();
    entries
        .lines()
        .any(|line| line.split(':').next() == Some(name))
}

/// Whether this process runs as root (atftpd must, to change user).
fn running_as_root() -> bool {
    fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find(|line| line.starts_with("Uid:"))
            .and_then(|line| line.split_whitespace().nth(2))
            == Some("0")
    })
}

/// Whether `program -V` says it is tftp-hpa.
fn is_tftp_hpa(program: &Path) -> bool {
    Command::new(program).arg("-V").output().is_ok_and(|out| {
        String::from_utf8_lossy(&out.stdout).contains("tftp-hpa")
            || String::from_utf8_lossy(&out.stderr).contains("tftp-hpa")
    })
}

/// tftpd-hpa passes every MUST; it leaves out ERROR 4 and ERROR 5, so those
/// SHOULDs are warnings and the probe still passes.
#[test]
fn tftpd_hpa_passes_with_warnings_for_the_shoulds_it_skips() {
    let found = peers::find_program("in.tftpd", &[]).filter(|p| is_tftp_hpa(p));
    let Some(program) =
        peers::or_skip("tftpd-hpa (in.tftpd)", "apt-get install tftpd-hpa", found)
    else {
        return;
    };
    deadline(LIMIT, "probing tftpd-hpa", move || {
        let root = shared_root();
        let user = if account_exists("/etc/passwd", "tftp") {
            "tftp"
        } else {
            "nobody"
        };
        let (_server, addr) = start_peer("tftpd-hpa", |port| {
            let mut command = Command::new(&program);
            command.args([
                "-L",
                "-a",
                &format!("127.0.0.1:{port}"),
                "-s",
                "-u",
                user,
            ]);
            command.arg(root.path());
            command
        });
        let with_rollover = ProbeOptions {
            rollover: true,
            ..options()
        };
        let report = probe_at(addr, &with_rollover);
        assert!(report.passed, "{:#?}", report.checks);
        assert!(report.warnings >= 1, "{:#?}", report.checks);
        for warning in report.failures() {
            assert_eq!(warning.level, Level::Should, "{warning:#?}");
        }
        assert!(report.named("rollover").unwrap().passed);
        assert!(probe::run("tftp", &addr.to_string(), &options()).unwrap());
    });
}

/// atftpd 0.8 sends every DATA twice after one duplicate ACK: the probe
/// fails it on the duplicate-ACK check.
#[test]
fn atftpd_fails_the_duplicate_ack_check() {
    let found =
        peers::find_program("atftpd", &["/opt/netlab-peers/atftpd/usr/sbin/atftpd"]);
    let install =
        "apt-get download atftpd; dpkg-deb -x atftpd_*.deb /opt/netlab-peers/atftpd";
    let Some(program) = peers::or_skip("atftpd", install, found) else {
        return;
    };
    if !running_as_root() {
        peers::loud("SKIPPED: atftpd needs root here (it switches to nobody)");
        assert!(
            !peers::required(),
            "NETLAB_REQUIRE_PEERS=1 and atftpd cannot run as non-root"
        );
        return;
    }
    deadline(LIMIT, "probing atftpd", move || {
        let root = shared_root();
        let group = if account_exists("/etc/group", "nogroup") {
            "nogroup"
        } else {
            "nobody"
        };
        let (_server, addr) = start_peer("atftpd", |port| {
            let mut command = Command::new(&program);
            command.args(["--daemon", "--no-fork", "--port", &port.to_string()]);
            command.args([
                "--bind-address",
                "127.0.0.1",
                "--user",
                "nobody",
                "--group",
                group,
            ]);
            command.args(["--logfile", "-"]).arg(root.path());
            command
        });
        let report = probe_at(addr, &options());
        assert!(!report.passed);
        assert_eq!(
            failed_musts(&report),
            ["duplicate ACK"],
            "{:#?}",
            report.checks
        );
        assert!(!probe::run("tftp", &addr.to_string(), &options()).unwrap());
    });
}
