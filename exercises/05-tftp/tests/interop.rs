// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Not a step: once every step passes, your client and server against real
//! TFTP implementations (book: "Meeting real peers").
//!
//! - your client downloads from and uploads to tftpd-hpa (`in.tftpd`);
//! - curl and the tftp-hpa client download from and upload to your server.
//!
//! A missing peer skips its test loudly (the reason is printed past the
//! test harness's capture); with `NETLAB_REQUIRE_PEERS=1`, as CI sets it, a
//! missing peer fails the test instead. `.ci/install-peers` installs them.

mod common;

use std::io::Write as _;
use std::net::{SocketAddr, UdpSocket};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{
    Root, assert_same_bytes, no_progress, payload, quick_client, server_config,
    start,
};
use support::deadline;
use tftp::client::{self, ClientOptions};
use tftp::server::ServerConfig;

const LIMIT: Duration = Duration::from_secs(60);

/// Says something on the real stderr, past the harness's capture.
fn loud(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// An executable `name` on PATH or in the sbin directories, that prints
/// `needle` when run with `probe` (to tell tftp-hpa from another `tftp`).
fn find(name: &str, probe: &[&str], needle: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/local/sbin", "/usr/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .filter(|p| {
            p.metadata()
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
        .find(|p| {
            let (ok, out) = run(p, probe, Duration::from_secs(10));
            let _ = ok;
            out.contains(needle)
        })
}

/// The peer, or `None` after saying why this test is skipped (or failing
/// under `NETLAB_REQUIRE_PEERS=1`).
fn peer(what: &str, install: &str, found: Option<PathBuf>) -> Option<PathBuf> {
    if found.is_some() {
        return found;
    }
    let message = format!(
        "{what} is not installed ({install}, or run .ci/install-peers as root)"
    );
    if std::env::var("NETLAB_REQUIRE_PEERS").is_ok_and(|v| v == "1") {
        panic!("NETLAB_REQUIRE_PEERS=1 and {message}");
    }
    loud(&format!("SKIPPED: {message}"));
    None
}

/// Runs a program to its end or for `limit` at most; whether it succeeded,
/// and its stdout and stderr together.
fn run(program: &Path, args: &[&str], limit: Duration) -> (bool, String) {
    let Ok(mut child) = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        return (false, format!("could not start {}", program.display()));
    };
    let give_up = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < give_up => {
                std::thread::sleep(Duration::from_millis(10))
            }
            _ => {
                let _ = child.kill();
                break None;
            }
        }
    };
    let output = child.wait_with_output().map(|o| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    });
    let output = output.unwrap_or_default();
    match status {
        Some(status) => (status.success(), output),
        None => (
            false,
            format!("killed after {} s; output: {output}", limit.as_secs()),
        ),
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(2))
            == Some("0")
    })
}

/// A directory the peer servers (which drop to another user) can use.
fn shared_root() -> Root {
    let root = Root::new();
    std::fs::set_permissions(root.path(), std::fs::Permissions::from_mode(0o1777))
        .unwrap();
    root
}

/// tftpd-hpa, killed when dropped.
struct Tftpd(Child, SocketAddr);

impl Drop for Tftpd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn udp_port_bound(port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/udp").unwrap_or_default();
    let wanted = format!("0100007F:{port:04X}");
    table
        .lines()
        .any(|l| l.split_whitespace().nth(1) == Some(&wanted))
}

/// Starts `in.tftpd` on a free port of 127.0.0.1, serving `root`, allowing
/// uploads of new files.
fn start_tftpd_hpa(program: &Path, root: &Path) -> Tftpd {
    let user = if std::fs::read_to_string("/etc/passwd")
        .unwrap_or_default()
        .lines()
        .any(|l| l.starts_with("tftp:"))
    {
        "tftp"
    } else {
        "nobody"
    };
    for _ in 0..5 {
        let port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let mut child = Command::new(program)
            .args(["-L", "-a", &address, "-s", "-c", "-u", user, "-B", "65464"])
            .arg(root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("could not start in.tftpd");
        let give_up = Instant::now() + Duration::from_secs(5);
        while Instant::now() < give_up {
            if udp_port_bound(port) {
                return Tftpd(child, address.parse().unwrap());
            }
            if !matches!(child.try_wait(), Ok(None)) {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("in.tftpd would not start on any of 5 ports");
}

/// Your server on 127.0.0.1, serving `files`, allowing uploads.
fn your_server(
    files: &[(&str, &[u8])],
) -> (Root, tftp::server::RunningServer, SocketAddr) {
    let root = Root::new();
    for (name, bytes) in files {
        root.write(name, bytes);
    }
    let config = ServerConfig {
        allow_create: true,
        allow_write: true,
        timeout: Duration::from_millis(500),
        retries: 5,
        ..server_config(root.path())
    };
    let (server, addr) = start(config);
    (root, server, addr)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path)
        .unwrap_or_else(|e| panic!("{} was not written: {e}", path.display()))
}

/// Your `get_file` and `put` against tftpd-hpa, plain and with blksize.
#[test]
fn your_client_against_tftpd_hpa() {
    let Some(program) = peer(
        "tftpd-hpa (in.tftpd)",
        "apt-get install tftpd-hpa",
        find("in.tftpd", &["-V"], "tftp-hpa"),
    ) else {
        return;
    };
    if !is_root() {
        loud(
            "SKIPPED: tftpd-hpa needs root here (it chroots with -s and switches user with -u)",
        );
        return;
    }
    deadline(LIMIT, "your client ⇄ tftpd-hpa", move || {
        let root = shared_root();
        let bytes = payload(100 * 1024 + 7, 1);
        let served = root.write("f.bin", &bytes);
        std::fs::set_permissions(served, std::fs::Permissions::from_mode(0o644))
            .unwrap();
        let tftpd = start_tftpd_hpa(&program, root.path());
        let out = Root::new();
        for (i, blksize) in [None, Some(1428)].into_iter().enumerate() {
            let options = ClientOptions {
                blksize,
                ..quick_client()
            };
            let local = out.join(&format!("got-{i}"));
            client::get_file(tftpd.1, "f.bin", &local, &options, &mut no_progress())
                .unwrap_or_else(|e| {
                    panic!("get from tftpd-hpa (blksize {blksize:?}): {e}")
                });
            assert_same_bytes("the file from tftpd-hpa", &bytes, &read(&local));

            let remote = format!("up-{i}.bin");
            client::put(
                tftpd.1,
                &remote,
                &mut bytes.as_slice(),
                None,
                &options,
                &mut no_progress(),
            )
            .unwrap_or_else(|e| {
                panic!("put to tftpd-hpa (blksize {blksize:?}): {e}")
            });
            assert_same_bytes(
                "the file put to tftpd-hpa",
                &bytes,
                &read(&root.join(&remote)),
            );
        }
    });
}

/// curl downloads (with its default options, with blksize 8192, without
/// options) and uploads through your server.
#[test]
fn curl_against_your_server() {
    let Some(curl) = peer(
        "curl with tftp",
        "apt-get install curl",
        find("curl", &["--version"], " tftp"),
    ) else {
        return;
    };
    deadline(LIMIT, "curl ⇄ your server", move || {
        let bytes = payload(200 * 1024 + 3, 2);
        let (root, _server, addr) = your_server(&[("f", &bytes), ("empty", b"")]);
        let out = Root::new();
        for (i, (name, expected, extra)) in [
            ("f", &bytes[..], &[][..]),
            ("f", &bytes[..], &["--tftp-blksize", "8192"][..]),
            ("f", &bytes[..], &["--tftp-no-options"][..]),
            ("empty", b"", &[][..]),
        ]
        .into_iter()
        .enumerate()
        {
            let local = out.join(&format!("got-{i}"));
            let url = format!("tftp://{addr}/{name}");
            let mut args = vec!["-sS", "--fail", "-o", local.to_str().unwrap()];
            args.extend_from_slice(extra);
            args.push(&url);
            let (ok, output) = run(&curl, &args, Duration::from_secs(30));
            assert!(ok, "curl {} failed: {output}", args.join(" "));
            assert_same_bytes("the file curl downloaded", expected, &read(&local));
        }
        let src = out.write("src", &bytes);
        let url = format!("tftp://{addr}/up.bin");
        let args = ["-sS", "--fail", "-T", src.to_str().unwrap(), &url];
        let (ok, output) = run(&curl, &args, Duration::from_secs(30));
        assert!(ok, "curl {} failed: {output}", args.join(" "));
        wait_for(&root.join("up.bin"));
        assert_same_bytes(
            "the file curl uploaded",
            &bytes,
            &read(&root.join("up.bin")),
        );
    });
}

/// The tftp-hpa client (plain RFC 1350) downloads and uploads through your
/// server.
#[test]
fn tftp_hpa_against_your_server() {
    let Some(hpa) = peer(
        "the tftp-hpa client",
        "apt-get install tftp-hpa",
        find("tftp", &["-V"], "tftp-hpa"),
    ) else {
        return;
    };
    deadline(LIMIT, "tftp-hpa ⇄ your server", move || {
        let bytes = payload(150 * 1024 + 9, 3);
        let (root, _server, addr) =
            your_server(&[("f", &bytes), ("exact", &bytes[..1024])]);
        let (host, port) = (addr.ip().to_string(), addr.port().to_string());
        let out = Root::new();
        for (name, expected) in [("f", &bytes[..]), ("exact", &bytes[..1024])] {
            let local = out.join(name);
            let args = [
                "-m",
                "binary",
                &host,
                &port,
                "-c",
                "get",
                name,
                local.to_str().unwrap(),
            ];
            let (ok, output) = run(&hpa, &args, Duration::from_secs(30));
            assert!(
                ok && output.trim().is_empty(),
                "tftp {} failed: {output}",
                args.join(" ")
            );
            assert_same_bytes(
                "the file tftp-hpa downloaded",
                expected,
                &read(&local),
            );
        }
        let src = out.write("src", &bytes);
        let args = [
            "-m",
            "binary",
            &host,
            &port,
            "-c",
            "put",
            src.to_str().unwrap(),
            "up",
        ];
        let (ok, output) = run(&hpa, &args, Duration::from_secs(30));
        assert!(
            ok && output.trim().is_empty(),
            "tftp {} failed: {output}",
            args.join(" ")
        );
        wait_for(&root.join("up"));
        assert_same_bytes(
            "the file tftp-hpa uploaded",
            &bytes,
            &read(&root.join("up")),
        );
    });
}

/// A server renames an upload before its last ACK; allow for scheduling.
fn wait_for(path: &Path) {
    let give_up = Instant::now() + Duration::from_secs(5);
    while !path.exists() && Instant::now() < give_up {
        std::thread::sleep(Duration::from_millis(20));
    }
}
