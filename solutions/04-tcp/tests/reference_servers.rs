//! The lab's reference servers, run as a teacher runs them: each binary is
//! started on `127.0.0.1:0`, its first line `listening on ADDR` read, and
//! then it is talked to over TCP — and, for `http-server`, by the real
//! `curl` (without curl that part says so and passes; with
//! `NETLAB_REQUIRE_PEERS=1`, as CI sets it, it fails).
//!
//! What the binaries promise (and the probes and the book rely on):
//! `NAME ADDR`, a first line `listening on <real address>`, then one line
//! per connection as it ends, `<peer>: <N> bytes in, <M> bytes out, <how>`,
//! and a clean exit (status 0, last line `shutting down`) on SIGTERM.

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use support::deadline;
use support::loopback::{connect_tcp, read_exact_within};

const LIMIT: Duration = Duration::from_secs(20);
const WAIT: Duration = Duration::from_secs(5);

/// A reference server running as a child process, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    lines: Receiver<String>,
    shown: String,
}

impl Server {
    /// Starts `binary` with `args` and reads its first line.
    fn start(binary: &str, args: &[&str]) -> Server {
        let shown =
            format!("{} {}", binary.rsplit('/').next().unwrap(), args.join(" "));
        let mut child = Command::new(binary)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start `{shown}`: {e}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (line_tx, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if line_tx.send(line).is_err() {
                    return;
                }
            }
        });
        let first = lines.recv_timeout(WAIT).unwrap_or_else(|_| {
            panic!("`{shown}` printed no first line within 5 s")
        });
        let addr: SocketAddr = first
            .strip_prefix("listening on ")
            .and_then(|addr| addr.parse().ok())
            .unwrap_or_else(|| {
                panic!("`{shown}`: expected `listening on 127.0.0.1:PORT` first, got {first:?}")
            });
        assert!(
            addr.ip().is_loopback() && addr.port() != 0,
            "`{shown}` says it listens on {addr}: expected 127.0.0.1 and the real port"
        );
        Server {
            child,
            addr,
            lines,
            shown,
        }
    }

    /// Waits for a log line for which `wanted` holds, and returns it.
    fn expect_log(&self, what: &str, wanted: impl Fn(&str) -> bool) -> String {
        let give_up = Instant::now() + WAIT;
        let mut seen = Vec::new();
        while let Some(left) = give_up.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!(
            "`{}`: expected a log line {what}; it printed {seen:?}",
            self.shown
        );
    }

    /// Sends SIGTERM and waits for the process to end.
    fn terminate(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("could not run kill");
        assert!(status.success(), "kill -TERM failed");
        let give_up = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                Instant::now() < give_up,
                "`{}` was still running 5 s after SIGTERM",
                self.shown
            );
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const ECHO: &str = env!("CARGO_BIN_EXE_tcp-echo-server");
const CHAT: &str = env!("CARGO_BIN_EXE_chat-server");
const HTTP: &str = env!("CARGO_BIN_EXE_http-server");

/// Sends `bytes` and expects them back.
fn expect_echo(stream: &mut TcpStream, bytes: &[u8]) {
    stream.write_all(bytes).unwrap();
    let back = read_exact_within(stream, bytes.len(), WAIT).expect("no echo");
    assert_eq!(back, bytes);
}

/// Two clients at once get their own bytes back; a half-close gets the
/// rest and EOF; the connection is logged with its counts.
#[test]
fn echo_server_echoes_clients_at_once_and_logs_each() {
    deadline(LIMIT, "tcp-echo-server", || {
        let server = Server::start(ECHO, &["127.0.0.1:0"]);
        let mut alice = connect_tcp(server.addr, WAIT).unwrap();
        let mut bob = connect_tcp(server.addr, WAIT).unwrap();
        expect_echo(&mut alice, b"hello from alice");
        expect_echo(&mut bob, b"hello from bob");
        expect_echo(&mut alice, b"+more");
        alice.write_all(b"last words").unwrap();
        alice.shutdown(Shutdown::Write).unwrap();
        let mut rest = Vec::new();
        alice
            .read_to_end(&mut rest)
            .expect("EOF after the half-close");
        assert_eq!(rest, b"last words");
        let expected = format!(
            "{}: 31 bytes in, 31 bytes out, closed by the client",
            alice.local_addr().unwrap()
        );
        server.expect_log(&format!("`{expected}`"), |line| line == expected);
        drop(bob);
    });
}

/// SIGTERM ends a server cleanly: exit status 0, last line
/// `shutting down`.
#[test]
fn servers_end_cleanly_on_sigterm() {
    deadline(LIMIT, "SIGTERM to each reference server", || {
        for binary in [ECHO, CHAT, HTTP] {
            let mut server = Server::start(binary, &["127.0.0.1:0"]);
            let _client = connect_tcp(server.addr, WAIT).unwrap();
            let status = server.terminate();
            assert!(
                status.success(),
                "`{}` ended with {status} on SIGTERM",
                server.shown
            );
            server.expect_log("`shutting down`", |line| line == "shutting down");
        }
    });
}

/// A chat client's line reaches the other; joins and leaves are announced;
/// the one who left is logged.
#[test]
fn chat_server_relays_lines_and_logs_who_left() {
    deadline(LIMIT, "chat-server", || {
        let server = Server::start(CHAT, &["127.0.0.1:0"]);
        let alice = connect_tcp(server.addr, WAIT).unwrap();
        let mut alice_lines = BufReader::new(alice.try_clone().unwrap());
        // The server adds clients in the order they connect: Alice is in
        // the room before Bob is accepted.
        let mut bob = connect_tcp(server.addr, WAIT).unwrap();
        let bob_name = bob.local_addr().unwrap();
        let mut line = String::new();
        alice_lines.read_line(&mut line).unwrap();
        assert_eq!(line, format!("* {bob_name} joined\n"));
        bob.write_all(b"hi alice\r\n").unwrap();
        line.clear();
        alice_lines.read_line(&mut line).unwrap();
        assert_eq!(line, format!("{bob_name}: hi alice\n"));
        drop(bob);
        line.clear();
        alice_lines.read_line(&mut line).unwrap();
        assert_eq!(line, format!("* {bob_name} left\n"));
        let expected = format!("{bob_name}: 10 bytes in, 0 bytes out, left");
        server.expect_log(&format!("`{expected}`"), |line| line == expected);
        drop(alice);
    });
}

/// Whether curl is here; without it, says so (or fails under
/// `NETLAB_REQUIRE_PEERS=1`).
fn curl_available() -> bool {
    let found = Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    if !found {
        let message = "curl is not installed (apt-get install curl)";
        if std::env::var("NETLAB_REQUIRE_PEERS").as_deref() == Ok("1") {
            panic!("{message}, and NETLAB_REQUIRE_PEERS=1 requires it");
        }
        eprintln!("SKIPPED: {message}");
    }
    found
}

/// curl fetches a file from `http-server --root DIR`, the request is
/// logged, and a path out of the root is a 404.
#[test]
fn http_server_serves_a_file_to_curl() {
    deadline(LIMIT, "http-server and curl", || {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("www");
        fs::create_dir(&root).unwrap();
        let page: Vec<u8> = (0..100_000u32).map(|i| (i % 256) as u8).collect();
        fs::write(root.join("page.bin"), &page).unwrap();
        fs::write(dir.path().join("private.txt"), "not for you").unwrap();
        let root_arg = root.display().to_string();
        let server = Server::start(HTTP, &["127.0.0.1:0", "--root", &root_arg]);

        let mut raw = connect_tcp(server.addr, WAIT).unwrap();
        raw.write_all(b"GET /../private.txt HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut response = String::new();
        raw.read_to_string(&mut response).unwrap();
        assert!(response.starts_with("HTTP/1.1 404 "), "{response}");
        server.expect_log("ending in `GET /../private.txt 404`", |line| {
            line.ends_with("GET /../private.txt 404")
        });

        if !curl_available() {
            return;
        }
        let out = dir.path().join("fetched.bin");
        let url = format!("http://{}/page.bin", server.addr);
        let status = Command::new("curl")
            .args([
                "--silent",
                "--show-error",
                "--fail",
                "--max-time",
                "10",
                "-o",
            ])
            .arg(&out)
            .arg(&url)
            .status()
            .expect("could not run curl");
        assert!(status.success(), "curl {url} failed with {status}");
        assert!(
            fs::read(&out).unwrap() == page,
            "curl's copy of page.bin differs"
        );
        let logged = server.expect_log("ending in `GET /page.bin 200`", |line| {
            line.ends_with("GET /page.bin 200")
        });
        let bytes_out: usize = logged
            .split(", ")
            .find_map(|part| part.strip_suffix(" bytes out"))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no `N bytes out` in {logged:?}"));
        assert!(
            bytes_out > page.len(),
            "the log says {bytes_out} bytes out for a file of {}: {logged}",
            page.len()
        );
    });
}

/// Usage errors exit with status 2 and say why: no address, a root that
/// is not a folder.
#[test]
fn usage_errors_exit_with_status_2() {
    deadline(LIMIT, "reference servers with bad arguments", || {
        for (binary, args) in [
            (ECHO, &[][..]),
            (CHAT, &["127.0.0.1:0", "extra"][..]),
            (HTTP, &["127.0.0.1:0", "--root", "/no/such/folder"][..]),
        ] {
            let output = Command::new(binary).args(args).output().unwrap();
            assert_eq!(
                output.status.code(),
                Some(2),
                "{binary} {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(
                !output.stderr.is_empty(),
                "{binary} {args:?} said nothing on stderr"
            );
        }
    });
}
