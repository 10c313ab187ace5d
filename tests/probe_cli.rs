//! `cargo lab probe` on the command line: its help lists exactly the probes
//! there are, `--make-files` writes the TFTP probe's files, and the exit
//! code says 0 passed, 1 failed, 2 usage error.

use std::net::{TcpListener, UdpSocket};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use netlab::probe::KINDS;
use netlab::probe::tftp::{FILES, content};
use predicates::str::contains;

fn lab() -> Command {
    let mut command = Command::cargo_bin("netlab").expect("the netlab binary");
    command
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60));
    command
}

/// The help names the five probes, and no probe that does not exist.
#[test]
fn the_help_lists_only_the_probes_that_exist() {
    assert_eq!(KINDS, ["udp-echo", "tcp-echo", "chat", "http", "tftp"]);
    let output = lab().args(["probe", "--help"]).output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(
        help.contains("[possible values: udp-echo, tcp-echo, chat, http, tftp]"),
        "{help}"
    );
    for kind in KINDS {
        assert!(
            help.lines().any(|line| line.trim_start().starts_with(kind)),
            "the help does not describe {kind}:\n{help}"
        );
    }
    assert!(help.contains("--make-files"), "{help}");
    lab()
        .args(["probe", "gopher", "127.0.0.1:70"])
        .assert()
        .code(2)
        .stderr(contains("udp-echo, tcp-echo, chat, http, tftp"));
}

/// `--make-files DIR` writes every file the TFTP probe downloads, with the
/// bytes it expects, and says what it wrote.
#[test]
fn make_files_writes_the_tftp_probes_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("files");
    lab()
        .args(["probe", "tftp", "--make-files"])
        .arg(&root)
        .assert()
        .success()
        .stdout(contains("netlab-probe-512.bin"));
    for (name, size) in FILES {
        let bytes = std::fs::read(root.join(name)).unwrap();
        assert_eq!(bytes, content(size), "{name}");
    }
    lab()
        .args(["probe", "http", "--make-files"])
        .arg(&root)
        .assert()
        .code(2)
        .stderr(contains("tftp"));
}

/// A probe of a port where nothing listens fails (exit code 1) at once and
/// says "connection refused by ADDR"; a malformed address is a usage error.
#[test]
fn nothing_listening_is_exit_1_at_once_and_a_bad_address_exit_2() {
    let tcp = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let udp = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    for (kind, addr) in [
        ("tcp-echo", tcp),
        ("chat", tcp),
        ("http", tcp),
        ("udp-echo", udp),
        ("tftp", udp),
    ] {
        let started = Instant::now();
        lab()
            .args(["probe", kind, &addr.to_string(), "--timeout-ms", "5000"])
            .assert()
            .code(1)
            .stdout(contains(format!("connection refused by {addr}")));
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{kind} took {:?} to notice nothing listens",
            started.elapsed()
        );
    }
    lab()
        .args(["probe", "tcp-echo", "127.0.0.1"])
        .assert()
        .code(2);
    lab()
        .args(["probe", "http", "127.0.0.1:80", "--path", "x"])
        .assert()
        .code(2);
    lab().args(["probe", "tftp"]).assert().code(2);
}
