//! Our `tftpd` with real clients (tftp-hpa, atftp, curl, busybox) and our
//! `tftp` with real servers (tftpd-hpa, atftpd), all on 127.0.0.1.
//!
//! A peer that is not installed makes its test print `SKIPPED: …` and pass,
//! unless `NETLAB_REQUIRE_PEERS=1` is set (CI sets it): then it fails.
//! `.ci/install-peers` installs them all on Debian 12. Exit codes of peer
//! clients are not trusted (tftp-hpa exits 0 after an ERROR): the bytes of
//! the transferred file decide.

mod common;

use std::fs::File;
use std::io::Write as _;
use std::net::UdpSocket;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{KillOnDrop, Root, Server, assert_same_bytes, payload, read};
use support::deadline;

/// How long a test may run before it fails as hung.
const LIMIT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------- finding peers

/// Says something on the test's real stderr, past libtest's capture, so a
/// skipped peer is seen even when the test passes.
fn loud(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// `NETLAB_REQUIRE_PEERS=1`: a missing peer is a failure, not a skip.
fn peers_required() -> bool {
    std::env::var("NETLAB_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

/// An executable named `name` on PATH or in the sbin directories (not on a
/// normal user's PATH), or at one of `also` (absolute paths).
fn find_program(name: &str, also: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from));
    let candidates = also
        .iter()
        .map(PathBuf::from)
        .chain(dirs.map(|d| d.join(name)));
    candidates.into_iter().find(|p| {
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    })
}

/// Whether `program ARGS` prints something containing `needle` (on stdout
/// or stderr).
fn says(program: &Path, args: &[&str], needle: &str) -> bool {
    let mut command = Command::new(program);
    command.args(args);
    let outcome = common::run_command(command, None, Duration::from_secs(10));
    String::from_utf8_lossy(&outcome.stdout).contains(needle)
        || outcome.stderr.contains(needle)
}

/// Finds a peer, or reports it missing: `None` means "skip this test".
fn peer(name: &str, install: &str, found: Option<PathBuf>) -> Option<PathBuf> {
    if found.is_some() {
        return found;
    }
    let message = format!(
        "{name} is not installed ({install}; or run .ci/install-peers as root)"
    );
    if peers_required() {
        panic!("NETLAB_REQUIRE_PEERS=1 and {message}");
    }
    loud(&format!("SKIPPED: {message}"));
    None
}

fn tftp_hpa_client() -> Option<PathBuf> {
    let found = find_program("tftp", &[]).filter(|p| says(p, &["-V"], "tftp-hpa"));
    peer("the tftp-hpa client", "apt-get install tftp-hpa", found)
}

fn atftp_client() -> Option<PathBuf> {
    peer("atftp", "apt-get install atftp", find_program("atftp", &[]))
}

fn curl() -> Option<PathBuf> {
    let found =
        find_program("curl", &[]).filter(|p| says(p, &["--version"], " tftp"));
    peer("curl with tftp", "apt-get install curl", found)
}

fn busybox() -> Option<PathBuf> {
    let found =
        find_program("busybox", &[]).filter(|p| says(p, &["--list"], "tftp"));
    peer("busybox tftp", "apt-get install busybox", found)
}

fn tftpd_hpa() -> Option<PathBuf> {
    let found =
        find_program("in.tftpd", &[]).filter(|p| says(p, &["-V"], "tftp-hpa"));
    peer("tftpd-hpa (in.tftpd)", "apt-get install tftpd-hpa", found)
}

fn atftpd() -> Option<PathBuf> {
    let found =
        find_program("atftpd", &["/opt/netlab-peers/atftpd/usr/sbin/atftpd"]);
    peer(
        "atftpd",
        "it conflicts with tftpd-hpa: `apt-get download atftpd` and \
         `dpkg-deb -x atftpd_*.deb /opt/netlab-peers/atftpd`",
        found,
    )
}

/// Whether this process runs as root (read from /proc, no libc needed).
fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2))
            == Some("0")
    })
}

// ------------------------------------------------------- running peer servers

/// A directory every user can read and write (mode 1777), as the peer
/// servers run as `nobody` / `tftp` and need to read and create files there.
fn shared_root() -> Root {
    let root = Root::new();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o1777))
        .unwrap();
    root
}

/// Writes a file the peer servers (running as another user) can read.
fn write_readable(root: &Root, name: &str, bytes: &[u8]) {
    let path = root.write(name, bytes);
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

/// A free UDP port on 127.0.0.1: bound by us, read, and released, just
/// before a peer server binds it (hence the retries in `start_peer_server`).
fn free_udp_port() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a UDP socket");
    socket.local_addr().unwrap().port()
}

/// Whether some socket is bound to UDP `port` on 127.0.0.1 or 0.0.0.0,
/// read from /proc/net/udp (looking does not disturb the peer).
fn udp_port_bound(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/udp").unwrap_or_default();
    let wanted = [
        format!("0100007F:{port:04X}"),
        format!("00000000:{port:04X}"),
    ];
    table
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(1))
        .any(|local| wanted.iter().any(|w| w == local))
}

/// A peer server on 127.0.0.1, killed when dropped, with its output in a log.
struct PeerServer {
    _child: KillOnDrop,
    port: u16,
    log: PathBuf,
    _logs: tempfile::TempDir,
}

impl PeerServer {
    fn host_port(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

/// Starts the command `build(port)` makes on a free port, waits until it has
/// bound the port; picks another port if it exits first (somebody else took
/// the port between our look and its bind).
fn start_peer_server(what: &str, build: impl Fn(u16) -> Command) -> PeerServer {
    let logs = tempfile::tempdir().unwrap();
    let log = logs.path().join("server.log");
    for _attempt in 0..5 {
        let port = free_udp_port();
        let mut command = build(port);
        let out = File::create(&log).unwrap();
        command
            .stdin(Stdio::null())
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out));
        let mut child = KillOnDrop(
            command
                .spawn()
                .unwrap_or_else(|e| panic!("could not start {what}: {e}")),
        );
        let give_up = Instant::now() + Duration::from_secs(5);
        while Instant::now() < give_up {
            if udp_port_bound(port) {
                return PeerServer {
                    _child: child,
                    port,
                    log,
                    _logs: logs,
                };
            }
            if !matches!(child.0.try_wait(), Ok(None)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        loud(&format!(
            "{what} did not bind 127.0.0.1:{port}; retrying on another port. Its log:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        ));
    }
    panic!("{what} would not start on any of 5 ports; see the log above");
}

/// Whether `table` (/etc/passwd or /etc/group) has an entry `name`.
fn account_exists(table: &str, name: &str) -> bool {
    let entries = std::fs::read_to_string(table).unwrap_or_default();
    entries.lines().any(|l| l.split(':').next() == Some(name))
}

/// tftpd-hpa serving `root`: foreground (-L), chrooted (-s) and running as
/// the `tftp` user (-u), creating files on WRQ (-c), blocks up to 65464.
fn start_tftpd_hpa(program: &Path, root: &Root) -> PeerServer {
    let has_tftp_user = account_exists("/etc/passwd", "tftp");
    let user = if has_tftp_user { "tftp" } else { "nobody" };
    start_peer_server("tftpd-hpa", |port| {
        let address = format!("127.0.0.1:{port}");
        let mut command = Command::new(program);
        command.args(["-L", "-a", &address, "-s", "-c", "-u", user, "-B", "65464"]);
        command.arg("-v").arg(root.path());
        command
    })
}

/// atftpd serving `root` in the foreground as nobody:nogroup.
fn start_atftpd(program: &Path, root: &Root) -> PeerServer {
    let has_nogroup = account_exists("/etc/group", "nogroup");
    let group = if has_nogroup { "nogroup" } else { "nobody" };
    start_peer_server("atftpd", |port| {
        let port = port.to_string();
        let mut command = Command::new(program);
        command.args(["--daemon", "--no-fork", "--port", &port]);
        command.args(["--bind-address", "127.0.0.1", "--user", "nobody"]);
        command
            .args(["--group", group, "--logfile", "-"])
            .arg(root.path());
        command
    })
}

// ------------------------------------------------------------ running clients

/// Runs a peer client `program ARGS` and returns what it did.
fn run_peer(program: &Path, args: &[&str]) -> common::Outcome {
    let mut command = Command::new(program);
    command.args(args);
    common::run_command(command, None, Duration::from_secs(60))
}

/// Checks the result of a transfer: the bytes decide; `trust_exit` adds the
/// exit status (not for tftp-hpa, which exits 0 after an ERROR).
fn check(
    outcome: &common::Outcome,
    expected: &[u8],
    landed: &Path,
    trust_exit: bool,
    server_log: &str,
) {
    let what = format!("`{}`", outcome.command);
    let got = std::fs::read(landed).unwrap_or_else(|e| {
        panic!(
            "{what}: no file at {} ({e}):\n{}\nserver log:\n{server_log}",
            landed.display(),
            outcome.explain()
        )
    });
    if got != expected {
        loud(&format!(
            "{what}:\n{}\nserver log:\n{server_log}",
            outcome.explain()
        ));
    }
    assert_same_bytes(&what, expected, &got, 512);
    if trust_exit {
        assert!(
            outcome.succeeded(),
            "{what}: right bytes, but:\n{}",
            outcome.explain()
        );
    }
}

/// Our server with the upload flags, and a root holding `files`.
fn our_server(files: &[(&str, &[u8])]) -> (Root, Server) {
    let root = Root::new();
    for (name, bytes) in files {
        root.write(name, bytes);
    }
    let server = Server::start(root.path(), common::OPEN);
    (root, server)
}

fn port_of(server: &Server) -> String {
    server.addr().port().to_string()
}

/// The arguments of a transfer in atftp's syntax, which busybox tftp shares:
/// `PREFIX… -g -r REMOTE -l LOCAL 127.0.0.1 PORT` to get (`-p` to put).
fn atftp_style_args<'a>(
    prefix: &[&'a str],
    transfer: &'a str,
    remote: &'a str,
    local: &'a Path,
    port: &'a str,
) -> Vec<&'a str> {
    let mut args = prefix.to_vec();
    args.extend([
        transfer,
        "-r",
        remote,
        "-l",
        path_str(local),
        "127.0.0.1",
        port,
    ]);
    args
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

// ------------------------------------------------- real clients, our server

/// tftp-hpa (plain RFC 1350, no options) downloads and uploads through our
/// server, in binary and in ascii (netascii) mode.
#[test]
fn tftp_hpa_client_gets_and_puts_with_our_server() {
    let Some(hpa) = tftp_hpa_client() else { return };
    deadline(LIMIT, "tftp-hpa ⇄ our tftpd", move || {
        let bytes = payload(300 * 1024 + 5, 1);
        let text = b"one\ntwo\r\nthree\rfour\n".repeat(100);
        let (root, server) = our_server(&[
            ("bin", &bytes),
            ("empty", b""),
            ("text", &text),
            ("exact", &bytes[..1024]),
        ]);
        let (host, port) = ("127.0.0.1", port_of(&server));
        let out = Root::new();
        for (name, mode, expected) in [
            ("bin", "binary", &bytes[..]),
            ("empty", "binary", b""),
            ("exact", "binary", &bytes[..1024]),
            ("text", "ascii", &text[..]),
        ] {
            let local = out.join(&format!("{name}.{mode}"));
            let outcome = run_peer(
                &hpa,
                &["-m", mode, host, &port, "-c", "get", name, path_str(&local)],
            );
            check(&outcome, expected, &local, false, &server.log());
        }
        for (name, mode, bytes) in [
            ("up-bin", "binary", &bytes[..]),
            ("up-text", "ascii", &text[..]),
        ] {
            let local = out.write(name, bytes);
            let outcome = run_peer(
                &hpa,
                &["-m", mode, host, &port, "-c", "put", path_str(&local), name],
            );
            check(&outcome, bytes, &root.join(name), false, &server.log());
        }
    });
}

/// atftp downloads with blksize and windowsize (RFC 7440) and uploads through
/// our server.
#[test]
fn atftp_client_gets_and_puts_with_options_from_our_server() {
    let Some(atftp) = atftp_client() else { return };
    deadline(LIMIT, "atftp ⇄ our tftpd", move || {
        let bytes = payload(1024 * 1024 + 17, 2);
        let (root, server) = our_server(&[("f", &bytes), ("empty", b"")]);
        let port = port_of(&server);
        let out = Root::new();
        let option_sets: &[&[&str]] = &[
            &[],
            &["--option", "blksize 1428"],
            &["--option", "blksize 1428", "--option", "windowsize 8"],
            &["--option", "blksize 8192", "--option", "windowsize 4"],
            &["--option", "blksize 65464"],
            &["--option", "tsize 0", "--option", "blksize 1428"],
        ];
        for (i, options) in option_sets.iter().enumerate() {
            let local = out.join(&format!("get-{i}"));
            let args = atftp_style_args(options, "-g", "f", &local, &port);
            check(
                &run_peer(&atftp, &args),
                &bytes,
                &local,
                true,
                &server.log(),
            );

            let remote = format!("put-{i}");
            let src = out.write(&format!("src-{i}"), &bytes);
            let args = atftp_style_args(options, "-p", &remote, &src, &port);
            check(
                &run_peer(&atftp, &args),
                &bytes,
                &root.join(&remote),
                true,
                &server.log(),
            );
        }
        let local = out.join("empty");
        let blksize = ["--option", "blksize 1428"];
        let args = atftp_style_args(&blksize, "-g", "empty", &local, &port);
        check(&run_peer(&atftp, &args), b"", &local, true, &server.log());
    });
}

/// curl's tftp:// downloads (with its tsize/blksize/timeout options, an
/// 8192-byte blksize, and an empty file, which trips curl when a server
/// answers tsize=0) and uploads with our server.
#[test]
fn curl_gets_and_puts_with_our_server() {
    let Some(curl) = curl() else { return };
    deadline(LIMIT, "curl ⇄ our tftpd", move || {
        let bytes = payload(500 * 1024 + 3, 3);
        let (root, server) = our_server(&[("f", &bytes), ("empty", b"")]);
        let base = format!("tftp://{}", server.host_port());
        let out = Root::new();
        for (i, (name, expected, extra)) in [
            ("f", &bytes[..], &[][..]),
            ("f", &bytes[..], &["--tftp-blksize", "8192"][..]),
            ("f", &bytes[..], &["--tftp-blksize", "65464"][..]),
            ("f", &bytes[..], &["--tftp-no-options"][..]),
            ("empty", b"", &[][..]),
            ("empty", b"", &["--tftp-blksize", "1428"][..]),
        ]
        .into_iter()
        .enumerate()
        {
            let local = out.join(&format!("got-{i}"));
            let url = format!("{base}/{name}");
            let mut args = vec!["-sS", "--fail", "-o", path_str(&local)];
            args.extend_from_slice(extra);
            args.push(&url);
            check(
                &run_peer(&curl, &args),
                expected,
                &local,
                true,
                &server.log(),
            );
        }
        for (i, extra) in [&[][..], &["--tftp-blksize", "1428"][..]]
            .into_iter()
            .enumerate()
        {
            let src = out.write(&format!("src-{i}"), &bytes);
            let url = format!("{base}/up-{i}");
            let mut args = vec!["-sS", "--fail", "-T", path_str(&src)];
            args.extend_from_slice(extra);
            args.push(&url);
            check(
                &run_peer(&curl, &args),
                &bytes,
                &root.join(&format!("up-{i}")),
                true,
                &server.log(),
            );
        }
    });
}

/// busybox tftp (tsize always, blksize with -b) downloads and uploads with
/// our server.
#[test]
fn busybox_tftp_gets_and_puts_with_our_server() {
    let Some(busybox) = busybox() else { return };
    deadline(LIMIT, "busybox tftp ⇄ our tftpd", move || {
        let bytes = payload(400 * 1024 + 9, 4);
        let (root, server) = our_server(&[("f", &bytes), ("empty", b"")]);
        let port = port_of(&server);
        let out = Root::new();
        for (i, extra) in [&[][..], &["-b", "1428"][..], &["-b", "65464"][..]]
            .into_iter()
            .enumerate()
        {
            let prefix = [&["tftp"][..], extra].concat();
            let local = out.join(&format!("got-{i}"));
            let args = atftp_style_args(&prefix, "-g", "f", &local, &port);
            check(
                &run_peer(&busybox, &args),
                &bytes,
                &local,
                true,
                &server.log(),
            );

            let src = out.write(&format!("src-{i}"), &bytes);
            let remote = format!("up-{i}");
            let args = atftp_style_args(&prefix, "-p", &remote, &src, &port);
            check(
                &run_peer(&busybox, &args),
                &bytes,
                &root.join(&remote),
                true,
                &server.log(),
            );
        }
        let local = out.join("empty");
        let args = atftp_style_args(&["tftp"], "-g", "empty", &local, &port);
        check(&run_peer(&busybox, &args), b"", &local, true, &server.log());
    });
}

// ------------------------------------------------- our client, real servers

/// Gets and puts with our client against a peer server at each flag set.
/// The file is 700 KiB: at blksize 8 that is 89 601 blocks, past the
/// block-number rollover, so the peer's rollover convention (back to 0) is
/// tested too.
fn our_client_against(server: &PeerServer, root: &Root, flag_sets: &[&[&str]]) {
    let bytes = payload(700 * 1024 + 11, 5);
    write_readable(root, "f", &bytes);
    write_readable(root, "empty", b"");
    let out = Root::new();
    for (i, flags) in flag_sets.iter().enumerate() {
        let local = out.join(&format!("got-{i}"));
        let outcome = common::get(&server.host_port(), "f", &local, flags);
        check(&outcome, &bytes, &local, true, &server.log());

        let remote = format!("up-{i}");
        let outcome = common::put(&server.host_port(), &local, &remote, flags);
        check(&outcome, &bytes, &root.join(&remote), true, &server.log());
    }
    let local = out.join("empty");
    let outcome = common::get(&server.host_port(), "empty", &local, &["--tsize"]);
    check(&outcome, b"", &local, true, &server.log());
    assert_eq!(read(&local, "the empty file"), b"");
}

/// Our client with tftpd-hpa: plain, blksize 1428 and 65464, tsize, a
/// windowsize that tftpd-hpa does not know (it must fall back to lock-step),
/// and blksize 8 past the block-number rollover.
#[test]
fn our_client_gets_and_puts_with_tftpd_hpa() {
    let Some(program) = tftpd_hpa() else { return };
    if !running_as_root() {
        loud(
            "SKIPPED: tftpd-hpa needs root here (it chroots with -s and switches user with -u)",
        );
        return;
    }
    deadline(LIMIT, "our tftp ⇄ tftpd-hpa", move || {
        let root = shared_root();
        let server = start_tftpd_hpa(&program, &root);
        our_client_against(
            &server,
            &root,
            &[
                &[],
                &["--blksize", "1428"],
                &["--blksize", "65464", "--tsize"],
                &["--blksize", "1428", "--windowsize", "8"],
                &["--blksize", "8", "--timeout", "2"],
            ],
        );
    });
}

/// Our client with atftpd: blksize and windowsize both ways.
#[test]
fn our_client_gets_and_puts_with_atftpd() {
    let Some(program) = atftpd() else { return };
    if !running_as_root() {
        loud("SKIPPED: atftpd needs root here (it switches to nobody:nogroup)");
        return;
    }
    deadline(LIMIT, "our tftp ⇄ atftpd", move || {
        let root = shared_root();
        let server = start_atftpd(&program, &root);
        our_client_against(
            &server,
            &root,
            &[
                &[],
                &["--blksize", "1428"],
                &["--blksize", "1428", "--windowsize", "8"],
                &["--blksize", "8192", "--windowsize", "4"],
                &["--blksize", "65464", "--tsize"],
            ],
        );
    });
}
