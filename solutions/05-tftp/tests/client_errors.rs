//! How the `tftp` client fails: one line on stderr, a non-zero exit status
//! (2 for a command line that cannot work, 1 for a transfer that failed),
//! no half-written local file, and never a hang.

mod common;

use std::time::{Duration, Instant};

use common::{Root, Server, payload};
use support::deadline;

/// How long a test may run before it fails as hung.
const LIMIT: Duration = Duration::from_secs(60);

/// The error a user reads must be a single line that says what went wrong.
fn assert_one_line_error(outcome: &common::Outcome) {
    outcome.assert_failure();
    let lines: Vec<&str> = outcome
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(
        lines.len() == 1,
        "`{}` should explain its failure in one line on stderr, it wrote {} lines:\n{}",
        outcome.command,
        lines.len(),
        outcome.stderr
    );
}

/// A download of a file the server does not have: the server's ERROR 1 is
/// reported in one line, the exit status is non-zero, and no local file is
/// left behind.
#[test]
fn a_missing_remote_file_fails_cleanly_and_leaves_no_local_file() {
    deadline(LIMIT, "a download of a missing file", || {
        let root = Root::new();
        let server = Server::start(root.path(), &[]);
        let out = Root::new();
        let local = out.join("nothing-here");
        let outcome = common::get(&server.host_port(), "no-such-file", &local, &[]);
        assert_one_line_error(&outcome);
        assert!(
            !local.exists(),
            "`{}` failed but left {} behind",
            outcome.command,
            local.display()
        );
        assert!(
            out.listing().is_empty(),
            "no temporary file either: {:?}",
            out.listing()
        );
    });
}

/// An upload to a read-only server (no --allow-write / --allow-create):
/// refused, reported in one line, non-zero exit.
#[test]
fn a_refused_upload_fails_with_one_line() {
    deadline(LIMIT, "an upload to a read-only server", || {
        let root = Root::new();
        let server = Server::start(root.path(), &[]);
        let src = Root::new();
        let local = src.write("f", &payload(3000, 1));
        let outcome = common::put(&server.host_port(), &local, "f", &[]);
        assert_one_line_error(&outcome);
        assert!(
            root.listing().is_empty(),
            "nothing may land in the root: {:?}",
            root.listing()
        );
    });
}

/// A server that never answers: the client gives up after its retries, with
/// a non-zero exit, and leaves no local file.
#[test]
fn a_silent_server_makes_the_client_give_up() {
    deadline(LIMIT, "a download from a silent server", || {
        // Bound and never read: the RRQ vanishes without an ICMP error.
        let silent = support::loopback::udp_socket(Duration::from_secs(1));
        let host = silent.local_addr().unwrap().to_string();
        let out = Root::new();
        let local = out.join("f");
        let outcome =
            common::get(&host, "f", &local, &["--timeout", "1", "--retries", "2"]);
        outcome.assert_failure();
        assert!(
            outcome.elapsed < Duration::from_secs(15),
            "`{}` took {} s to give up on a silent server with --timeout 1 --retries 2",
            outcome.command,
            outcome.elapsed.as_secs()
        );
        assert!(
            !local.exists(),
            "a failed download left {} behind",
            local.display()
        );
    });
}

/// Bad command lines are refused with a message, not a panic.
#[test]
fn bad_arguments_are_refused_without_a_panic() {
    deadline(LIMIT, "bad command lines", || {
        let bad: &[&[&str]] = &[
            &["get"],
            &["get", "127.0.0.1:1"],
            &["fetch", "127.0.0.1:1", "f"],
            &["get", "127.0.0.1:1", "f", "-", "--blksize", "7"],
            &["get", "127.0.0.1:1", "f", "-", "--blksize", "65465"],
            &["get", "127.0.0.1:1", "f", "-", "--windowsize", "0"],
            &["get", "127.0.0.1:1", "f", "-", "--mode", "mail"],
            &["get", "127.0.0.1:99999", "f", "-"],
        ];
        for args in bad {
            let outcome = common::run(args);
            outcome.assert_failure();
            assert!(
                !outcome.stderr.contains("panicked"),
                "`tftp {}` panicked instead of explaining:\n{}",
                args.join(" "),
                outcome.stderr
            );
            assert!(
                !outcome.stderr.trim().is_empty(),
                "`tftp {}` failed silently",
                args.join(" ")
            );
        }
    });
}

/// A download into something that is not a regular file (here a FIFO; in
/// life `/dev/null`) writes into it in place: the temporary-file-and-rename
/// that protects regular files must never replace a device or a pipe.
#[test]
fn a_download_into_a_pipe_writes_through_it_and_leaves_it_a_pipe() {
    use std::os::unix::fs::FileTypeExt;

    deadline(LIMIT, "a download into a FIFO", || {
        let bytes = payload(70_000, 9);
        let root = Root::new();
        root.write("f", &bytes);
        let server = Server::start(root.path(), &[]);
        let out = Root::new();
        let fifo = out.join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success(), "mkfifo {} failed", fifo.display());
        // The reader must open the FIFO for the client's open to return.
        let reader_path = fifo.clone();
        let reader = std::thread::spawn(move || {
            std::fs::read(&reader_path).expect("reading the FIFO")
        });
        let outcome = common::get(&server.host_port(), "f", &fifo, &[]);
        outcome.assert_success();
        let received = reader.join().expect("the FIFO's reader");
        common::assert_same_bytes(
            "the bytes read from the FIFO",
            &bytes,
            &received,
            512,
        );
        let kind = std::fs::symlink_metadata(&fifo)
            .expect("the FIFO is still there")
            .file_type();
        assert!(
            kind.is_fifo(),
            "the download replaced the FIFO with {kind:?}"
        );
    });
}

/// A download to a symbolic link writes through it, as `cp` does: the link
/// stays a link and the file it points at gets the bytes.
#[test]
fn a_download_to_a_symlink_writes_the_file_it_points_at() {
    deadline(LIMIT, "a download through a symlink", || {
        let bytes = payload(3_000, 10);
        let root = Root::new();
        root.write("f", &bytes);
        let server = Server::start(root.path(), &[]);
        let out = Root::new();
        let target = out.write("target", b"old contents");
        let link = out.join("link");
        std::os::unix::fs::symlink(&target, &link).expect("making a symlink");
        common::get(&server.host_port(), "f", &link, &[]).assert_success();
        assert!(
            link.is_symlink(),
            "the download replaced the link with a file"
        );
        let received = common::read(&target, "the link's target");
        common::assert_same_bytes("the link's target", &bytes, &received, 512);
    });
}

/// `tftp` or `tftpd` with `args`, under assert_cmd with a time limit.
fn tool(binary: &str, args: &[&str]) -> assert_cmd::assert::Assert {
    assert_cmd::Command::new(binary)
        .args(args)
        .timeout(Duration::from_secs(20))
        .assert()
}

/// The text a failed command wrote on stderr.
fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

/// A port past 65535 is a mistake on the command line: exit status 2
/// (usage), and a message that says the port is out of range, not that it
/// is not a number.
#[test]
fn a_port_out_of_range_is_a_usage_error_that_says_so() {
    deadline(LIMIT, "tftp and tftpd with port 99999", || {
        for (binary, args) in [
            (common::TFTP, &["get", "127.0.0.1:99999", "x"][..]),
            (common::TFTP, &["put", "[::1]:70000", "x"][..]),
            (common::TFTP, &["get", "127.0.0.1:0", "x"][..]),
            (
                common::TFTPD,
                &["--root", ".", "--bind", "127.0.0.1:99999"][..],
            ),
        ] {
            let assert = tool(binary, args).code(2);
            let stderr = stderr_of(&assert);
            let port = args
                .iter()
                .find_map(|a| a.rsplit_once(':').map(|(_, p)| p))
                .unwrap();
            assert!(
                stderr.contains(&format!("port {port} is out of range")),
                "`{binary} {}` should say that port {port} is out of range, it said:\n{stderr}",
                args.join(" ")
            );
        }
    });
}

/// A port nobody listens on: the kernel says so at once (ICMP port
/// unreachable), and `tftp` reports "connection refused by ADDR" within a
/// moment, exit status 1, instead of waiting out its 25 s budget.
#[test]
fn a_port_where_nothing_listens_is_refused_at_once_and_named() {
    deadline(LIMIT, "tftp to a closed port", || {
        // A port from the OS, closed again: nothing listens there now.
        let closed = support::loopback::udp_socket(Duration::from_secs(1))
            .local_addr()
            .unwrap();
        let out = Root::new();
        let src = out.write("src", b"some bytes");
        let local = out.join("got");
        let host = closed.to_string();
        for args in [
            vec!["get", host.as_str(), "f", local.to_str().unwrap()],
            vec!["put", host.as_str(), src.to_str().unwrap(), "f"],
        ] {
            let started = Instant::now();
            let assert = tool(common::TFTP, &args).code(1);
            let elapsed = started.elapsed();
            let stderr = stderr_of(&assert);
            assert!(
                stderr.contains(&format!("connection refused by {closed}")),
                "`tftp {}` should report \"connection refused by {closed}\", it said:\n{stderr}",
                args.join(" ")
            );
            assert!(
                elapsed < Duration::from_secs(5),
                "`tftp {}` took {:.1} s to report a refused port: the ICMP error arrives at \
                 once (IP_RECVERR), no need to wait",
                args.join(" "),
                elapsed.as_secs_f64()
            );
            assert!(!local.exists(), "a refused download left a file behind");
        }
    });
}
