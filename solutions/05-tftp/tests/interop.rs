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
use support::proxy::LossPlan;

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

// ------------------------------------------------- through a lossy network

/// The file of the lossy runs: 64 KiB, 128 blocks of 512 in lock-step.
const LOSSY_LEN: usize = 64 * 1024;

/// How long a lossy test may run: its transfers run in parallel, each
/// within its peer's and our patience.
const LOSSY_LIMIT: Duration = Duration::from_secs(180);

/// A bad path like the ones the pairs meet in a lab: `drop` of the
/// datagrams lost each way, 5 % duplicated, 10 % held back behind the
/// next one.
fn bad_path(seed: u64, drop: f64) -> LossPlan {
    LossPlan::lossy(seed, drop)
        .with_duplicate(0.05)
        .with_reorder(0.10)
}

/// A TFTP client, as the lossy runs start it.
#[derive(Debug, Clone)]
enum Client {
    /// Our `tftp` (the given build), with extra flags.
    Ours(PathBuf, Vec<String>),
    /// tftp-hpa's `tftp`, plain RFC 1350 (it has no options).
    Hpa(PathBuf),
    /// atftp, with `--option` arguments.
    Atftp(PathBuf, Vec<String>),
}

impl Client {
    /// The command that moves `remote` to or from 127.0.0.1:`port`.
    fn command(&self, put: bool, port: u16, remote: &str, local: &Path) -> Command {
        let port = port.to_string();
        let local = path_str(local);
        match self {
            Client::Ours(program, flags) => {
                let mut command = Command::new(program);
                let server = format!("127.0.0.1:{port}");
                if put {
                    command.args(["put", &server, local, remote]);
                } else {
                    command.args(["get", &server, remote, local]);
                }
                command.args(flags);
                command
            }
            Client::Hpa(program) => {
                let mut command = Command::new(program);
                command.args(["-m", "binary", "127.0.0.1", &port, "-c"]);
                if put {
                    command.args(["put", local, remote]);
                } else {
                    command.args(["get", remote, local]);
                }
                command
            }
            Client::Atftp(program, options) => {
                let mut command = Command::new(program);
                for option in options {
                    command.args(["--option", option]);
                }
                let transfer = if put { "-p" } else { "-g" };
                command.args([
                    transfer,
                    "-r",
                    remote,
                    "-l",
                    local,
                    "127.0.0.1",
                    &port,
                ]);
                command
            }
        }
    }
}

/// What one transfer through the proxy did.
#[derive(Debug)]
struct LossyRun {
    seed: u64,
    /// Byte-identical at its destination.
    ok: bool,
    seconds: f64,
    /// Why not, for a failure.
    why: String,
}

/// One kind of transfer through a lossy path, to be tried with several
/// seeds.
#[derive(Clone, Copy)]
struct Trial<'a> {
    client: &'a Client,
    /// An upload (else a download).
    put: bool,
    /// The server, and the folder it serves.
    upstream: std::net::SocketAddr,
    root: &'a Root,
    /// The file's length in bytes.
    len: usize,
    /// The share of datagrams the proxy drops (see [`bad_path`]).
    drop: f64,
    /// How long the client may take.
    limit: Duration,
}

/// Moves a file of the trial's length through a fresh proxy
/// (`bad_path(seed, drop)`) in front of its server, with its client; the
/// bytes at the destination and the client's exit status decide.
fn lossy_run(trial: Trial<'_>, seed: u64) -> LossyRun {
    let Trial {
        client,
        put,
        upstream,
        root,
        len,
        drop,
        limit,
    } = trial;
    let bytes = payload(len, seed);
    let out = Root::new();
    let (remote, local, landed) = if put {
        let remote = format!("up-{seed}-{drop}");
        let local = out.write("src", &bytes);
        let landed = root.join(&remote);
        (remote, local, landed)
    } else {
        let remote = format!("get-{seed}-{len}");
        write_readable(root, &remote, &bytes);
        let local = out.join("got");
        (remote, local.clone(), local)
    };
    let proxy = support::proxy::LossyProxy::start(upstream, bad_path(seed, drop))
        .expect("the proxy");
    let command = client.command(put, proxy.addr().port(), &remote, &local);
    let outcome = common::run_command(command, None, limit);
    let counts = proxy.stop();
    let got = std::fs::read(&landed).unwrap_or_default();
    if put {
        // The next run with this seed uploads the same name again.
        let _ = std::fs::remove_file(&landed);
    }
    // Finished means both: the file arrived whole, and the client says so
    // (a client that gives up on a transfer that in fact arrived has
    // failed its user).
    let ok = got == bytes && outcome.succeeded();
    if std::env::var_os("NETLAB_TABLE_VERBOSE").is_some() {
        eprintln!(
            "seed {seed}: {} in {:.1} s; stdout: {}; {}",
            if ok { "arrived" } else { "FAILED" },
            outcome.elapsed.as_secs_f64(),
            String::from_utf8_lossy(&outcome.stdout).trim_end(),
            outcome.explain().trim()
        );
    }
    let why = if ok {
        String::new()
    } else {
        format!(
            "`{}` (seed {seed}, {:.0} % loss): {} of {} bytes arrived after {:.1} s; {}\n  \
             stdout: {}\n  proxy: {:?}",
            outcome.command,
            drop * 100.0,
            got.len(),
            bytes.len(),
            outcome.elapsed.as_secs_f64(),
            outcome.explain(),
            String::from_utf8_lossy(&outcome.stdout).trim_end(),
            counts
        )
    };
    LossyRun {
        seed,
        ok,
        seconds: outcome.elapsed.as_secs_f64(),
        why,
    }
}

/// [`lossy_run`] for every seed, in parallel.
fn lossy_runs(trial: Trial<'_>, seeds: &[u64]) -> Vec<LossyRun> {
    std::thread::scope(|scope| {
        let runs: Vec<_> = seeds
            .iter()
            .map(|&seed| scope.spawn(move || lossy_run(trial, seed)))
            .collect();
        runs.into_iter()
            .map(|r| r.join().expect("a lossy run"))
            .collect()
    })
}

/// Fails unless every run ended byte-identical, with the client's success.
fn assert_all_arrived(what: &str, runs: &[LossyRun], server_log: &str) {
    let failed: Vec<&str> = runs
        .iter()
        .filter(|r| !r.ok)
        .map(|r| r.why.as_str())
        .collect();
    assert!(
        failed.is_empty(),
        "{what}: {} of {} transfers through 5 % loss did not arrive byte-identical \
         with the client's success:\n{}\n\
         server log:\n{server_log}",
        failed.len(),
        runs.len(),
        failed.join("\n")
    );
}

/// The seeds of the lossy legs in CI.
const CI_SEEDS: [u64; 3] = [1, 2, 3];

/// How long one client of a lossy leg may take, within the leg's
/// [`LOSSY_LIMIT`].
const RUN_LIMIT: Duration = Duration::from_secs(150);

/// How long one client of the table may take: long enough for the slowest
/// pair of real peers (tftp-hpa uploading to tftpd-hpa waits 5 s for each
/// loss) to finish rather than be cut short.
const TABLE_RUN_LIMIT: Duration = Duration::from_secs(600);

/// Gets and puts of `client` with the server at `upstream`, all seeds at
/// 5 % loss, in parallel.
fn lossy_leg(
    what: &str,
    client: &Client,
    upstream: std::net::SocketAddr,
    root: &Root,
    log: &dyn Fn() -> String,
) {
    let get = Trial {
        client,
        put: false,
        upstream,
        root,
        len: LOSSY_LEN,
        drop: 0.05,
        limit: RUN_LIMIT,
    };
    let put = Trial { put: true, ..get };
    std::thread::scope(|scope| {
        let get = scope.spawn(|| lossy_runs(get, &CI_SEEDS));
        let put = scope.spawn(|| lossy_runs(put, &CI_SEEDS));
        let get = get.join().expect("the gets");
        let put = put.join().expect("the puts");
        assert_all_arrived(&format!("{what}, get"), &get, &log());
        assert_all_arrived(&format!("{what}, put"), &put, &log());
    });
}

fn ours(flags: &[&str]) -> Client {
    Client::Ours(
        PathBuf::from(common::TFTP),
        flags.iter().map(|f| f.to_string()).collect(),
    )
}

/// Our client with tftpd-hpa through 5 % loss: tftpd-hpa resends only on
/// its own slow timer, which our client must outlast.
#[test]
fn our_client_with_tftpd_hpa_through_loss() {
    let Some(program) = tftpd_hpa() else { return };
    if !running_as_root() {
        loud(
            "SKIPPED: tftpd-hpa needs root here (it chroots with -s and switches user with -u)",
        );
        return;
    }
    deadline(
        LOSSY_LIMIT,
        "our tftp ⇄ tftpd-hpa through loss",
        move || {
            let root = shared_root();
            let server = start_tftpd_hpa(&program, &root);
            let upstream = server.host_port().parse().unwrap();
            lossy_leg(
                "our tftp ⇄ tftpd-hpa",
                &ours(&[]),
                upstream,
                &root,
                &|| server.log(),
            );
        },
    );
}

/// Our client, windowed, with atftpd through 5 % loss.
#[test]
fn our_client_with_atftpd_through_loss() {
    let Some(program) = atftpd() else { return };
    if !running_as_root() {
        loud("SKIPPED: atftpd needs root here (it switches to nobody:nogroup)");
        return;
    }
    deadline(LOSSY_LIMIT, "our tftp ⇄ atftpd through loss", move || {
        let root = shared_root();
        let server = start_atftpd(&program, &root);
        let upstream = server.host_port().parse().unwrap();
        let client = ours(&["--windowsize", "16"]);
        lossy_leg(
            "our tftp (window 16) ⇄ atftpd",
            &client,
            upstream,
            &root,
            &|| server.log(),
        );
    });
}

/// tftp-hpa's client (5 s timer) with our server through 5 % loss.
#[test]
fn tftp_hpa_client_with_our_server_through_loss() {
    let Some(hpa) = tftp_hpa_client() else { return };
    deadline(
        LOSSY_LIMIT,
        "tftp-hpa ⇄ our tftpd through loss",
        move || {
            let (root, server) = our_server(&[]);
            lossy_leg(
                "tftp-hpa ⇄ our tftpd",
                &Client::Hpa(hpa),
                server.addr(),
                &root,
                &|| server.log(),
            );
        },
    );
}

/// atftp's windowed client (5 s timer) with our server through 5 % loss.
#[test]
fn atftp_client_with_our_server_through_loss() {
    let Some(atftp) = atftp_client() else { return };
    deadline(LOSSY_LIMIT, "atftp ⇄ our tftpd through loss", move || {
        let (root, server) = our_server(&[]);
        let client = Client::Atftp(atftp, vec!["windowsize 8".into()]);
        lossy_leg(
            "atftp (window 8) ⇄ our tftpd",
            &client,
            server.addr(),
            &root,
            &|| server.log(),
        );
    });
}

// ------------------------------------------------- the table, on request

/// One row of the table: a pair, a direction, a file size, a loss rate.
struct Row {
    pair: &'static str,
    client: Client,
    /// Which server: "ours", "hpa" or "atftpd".
    server: &'static str,
    put: bool,
    len: usize,
    drop: f64,
    seeds: Vec<u64>,
}

/// The pairs of real peers and ours through the bad path, every seed of
/// every row, printed as a Markdown table (finished, and the time range).
/// Not a test (it takes minutes and prints figures): run it with
///
/// ```text
/// cargo test -p tftp-solution --test interop -- --ignored --nocapture lossy_table
/// ```
///
/// `NETLAB_TFTP` and `NETLAB_TFTPD` name other builds of our binaries (to
/// compare with an older one); `NETLAB_TABLE_SEEDS` sets the number of
/// seeds (8); `NETLAB_TABLE_ROWS` keeps only the rows whose pair contains
/// it, and `NETLAB_TABLE_WAY` (`get` or `put`) one direction;
/// `NETLAB_TABLE_VERBOSE` prints every run.
#[test]
#[ignore = "prints the table of transfers through loss; takes minutes"]
fn lossy_table() {
    let (Some(hpa), Some(atftp), Some(hpa_server), Some(atftpd_program)) =
        (tftp_hpa_client(), atftp_client(), tftpd_hpa(), atftpd())
    else {
        return;
    };
    let our_tftp = std::env::var_os("NETLAB_TFTP")
        .map_or(PathBuf::from(common::TFTP), PathBuf::from);
    let our_tftpd = std::env::var_os("NETLAB_TFTPD")
        .map_or(PathBuf::from(common::TFTPD), PathBuf::from);
    let n: u64 = std::env::var("NETLAB_TABLE_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let seeds: Vec<u64> = (1..=n).collect();
    let two: Vec<u64> = vec![1, 2];
    let ours_plain = Client::Ours(our_tftp.clone(), Vec::new());
    let ours_w16 =
        Client::Ours(our_tftp.clone(), vec!["--windowsize".into(), "16".into()]);
    let atftp_w8 = Client::Atftp(atftp.clone(), vec!["windowsize 8".into()]);
    let hpa_client = Client::Hpa(hpa);
    let mut rows = Vec::new();
    for put in [false, true] {
        rows.extend([
            Row {
                pair: "tftp-hpa ↔ tftpd-hpa",
                client: hpa_client.clone(),
                server: "hpa",
                put,
                len: LOSSY_LEN,
                drop: 0.05,
                seeds: seeds.clone(),
            },
            Row {
                pair: "tftp-hpa ↔ our tftpd",
                client: hpa_client.clone(),
                server: "ours",
                put,
                len: LOSSY_LEN,
                drop: 0.05,
                seeds: seeds.clone(),
            },
            Row {
                pair: "our tftp ↔ tftpd-hpa",
                client: ours_plain.clone(),
                server: "hpa",
                put,
                len: LOSSY_LEN,
                drop: 0.05,
                seeds: seeds.clone(),
            },
            Row {
                pair: "atftp (w8) ↔ our tftpd",
                client: atftp_w8.clone(),
                server: "ours",
                put,
                len: LOSSY_LEN,
                drop: 0.05,
                seeds: seeds.clone(),
            },
            Row {
                pair: "our tftp (w16) ↔ atftpd",
                client: ours_w16.clone(),
                server: "atftpd",
                put,
                len: LOSSY_LEN,
                drop: 0.05,
                seeds: seeds.clone(),
            },
            Row {
                pair: "our tftp ↔ our tftpd",
                client: ours_plain.clone(),
                server: "ours",
                put,
                len: LOSSY_LEN,
                drop: 0.05,
                seeds: seeds.clone(),
            },
            Row {
                pair: "our tftp (w16) ↔ our tftpd",
                client: ours_w16.clone(),
                server: "ours",
                put,
                len: LOSSY_LEN,
                drop: 0.05,
                seeds: seeds.clone(),
            },
            Row {
                pair: "atftp (w8) ↔ our tftpd, 10 %, 1 MiB",
                client: atftp_w8.clone(),
                server: "ours",
                put,
                len: 1024 * 1024,
                drop: 0.10,
                seeds: two.clone(),
            },
        ]);
    }
    let hpa_root = shared_root();
    let hpa = start_tftpd_hpa(&hpa_server, &hpa_root);
    let atftpd_root = shared_root();
    let atftpd = start_atftpd(&atftpd_program, &atftpd_root);
    let our_root = shared_root();
    let our = Server::start_program(&our_tftpd, our_root.path(), common::OPEN);
    println!(
        "| pair (client ↔ server) | way | file | loss | finished | time (min–median–max) |"
    );
    println!("|---|---|---|---|---|---|");
    let only_pair = std::env::var("NETLAB_TABLE_ROWS").unwrap_or_default();
    let only_way = std::env::var("NETLAB_TABLE_WAY").unwrap_or_default();
    let wanted = |row: &&Row| {
        row.pair.contains(&only_pair)
            && (only_way.is_empty() || (only_way == "put") == row.put)
    };
    for row in rows.iter().filter(wanted) {
        let (upstream, root) = match row.server {
            "hpa" => (hpa.host_port().parse().unwrap(), &hpa_root),
            "atftpd" => (atftpd.host_port().parse().unwrap(), &atftpd_root),
            _ => (our.addr(), &our_root),
        };
        let trial = Trial {
            client: &row.client,
            put: row.put,
            upstream,
            root,
            len: row.len,
            drop: row.drop,
            limit: TABLE_RUN_LIMIT,
        };
        let runs = lossy_runs(trial, &row.seeds);
        let mut times: Vec<f64> =
            runs.iter().filter(|r| r.ok).map(|r| r.seconds).collect();
        times.sort_by(f64::total_cmp);
        let range = match (times.first(), times.get(times.len() / 2), times.last()) {
            (Some(a), Some(m), Some(z)) => format!("{a:.1}–{m:.1}–{z:.1} s"),
            _ => "–".to_string(),
        };
        let failed: Vec<String> = runs
            .iter()
            .filter(|r| !r.ok)
            .map(|r| format!("seed {} after {:.1} s", r.seed, r.seconds))
            .collect();
        let finished = format!("{} of {}", times.len(), runs.len());
        let finished = if failed.is_empty() {
            finished
        } else {
            format!("**{finished}** ({})", failed.join(", "))
        };
        println!(
            "| {} | {} | {} KiB | {:.0} % | {finished} | {range} |",
            row.pair,
            if row.put { "put" } else { "get" },
            row.len / 1024,
            row.drop * 100.0
        );
        for run in runs.iter().filter(|r| !r.ok) {
            eprintln!("{}", run.why);
        }
    }
}
