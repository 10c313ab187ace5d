//! The model answer against a real peer: OpenBSD netcat (`nc -u`).
//!
//! The step tests check the solution against test code written for this
//! workbook; these check it against a program nobody here wrote. netcat
//! sends what it reads on stdin as datagrams and prints what it receives.
//!
//! Without `nc` on the machine each test says so loudly and passes; with
//! `NETLAB_REQUIRE_PEERS=1` (as CI sets it) a missing `nc` is a failure.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use support::deadline;

/// A child process that is killed when the test ends, pass or fail.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether OpenBSD netcat is here; when it is not, says so (or fails the
/// test when the environment demands every peer).
fn netcat_available() -> bool {
    let found = Command::new("nc")
        .arg("-h")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        let message = "netcat is not installed (apt-get install netcat-openbsd)";
        if std::env::var("NETLAB_REQUIRE_PEERS").as_deref() == Ok("1") {
            panic!("{message}, and NETLAB_REQUIRE_PEERS=1 requires it");
        }
        eprintln!("SKIPPED: {message}");
    }
    found
}

/// Starts the model echo server on a port from the OS and returns it with
/// the address it printed on its first line, `listening on ADDR`.
fn start_echo_server() -> (KillOnDrop, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_udp-echo-server"))
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("could not start udp-echo-server");
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().expect("stdout is piped"))
        .read_line(&mut first_line)
        .expect("could not read the echo server's address");
    let addr = first_line
        .trim()
        .strip_prefix("listening on ")
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| {
            panic!("udp-echo-server printed `{first_line}`, not `listening on ADDR`")
        });
    (KillOnDrop(child), addr)
}

/// A free UDP port on 127.0.0.1, found by binding port 0 and letting go.
fn free_udp_port() -> u16 {
    let probe = UdpSocket::bind("127.0.0.1:0").expect("could not bind a UDP socket");
    probe
        .local_addr()
        .expect("a bound socket has an address")
        .port()
}

/// `nc -u` sends a line to the model echo server and prints the same line
/// back: the server answers a client it has never seen, from the port the
/// client wrote to.
#[test]
fn echo_server_answers_netcat() {
    if !netcat_available() {
        return;
    }
    deadline(
        Duration::from_secs(10),
        "netcat talking to the echo server",
        || {
            let (_server, addr) = start_echo_server();
            let mut nc = KillOnDrop(
                Command::new("nc")
                    .args(["-u", "-w", "1", "127.0.0.1", &addr.port().to_string()])
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("could not start nc"),
            );
            nc.0.stdin
                .take()
                .expect("stdin is piped")
                .write_all(b"hello from netcat\n")
                .expect("could not write to nc");
            let mut echoed = String::new();
            nc.0.stdout
                .take()
                .expect("stdout is piped")
                .read_to_string(&mut echoed)
                .expect("could not read nc's output");
            assert_eq!(
                echoed, "hello from netcat\n",
                "sent `hello from netcat` with nc -u to the echo server at {addr}, \
             expected the same line back"
            );
        },
    );
}

/// A datagram sent with the model's `send_one` arrives whole at a listening
/// `nc -u -l`, which prints it.
#[test]
fn send_one_reaches_a_listening_netcat() {
    if !netcat_available() {
        return;
    }
    deadline(
        Duration::from_secs(10),
        "a datagram reaching netcat",
        || {
            let port = free_udp_port();
            let mut nc = KillOnDrop(
                Command::new("nc")
                    .args(["-u", "-l", "127.0.0.1", &port.to_string()])
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("could not start nc -l"),
            );
            let stdout = nc.0.stdout.take().expect("stdout is piped");
            let (line_tx, line_rx) = mpsc::channel();
            thread::spawn(move || {
                let mut line = String::new();
                let _ = BufReader::new(stdout).read_line(&mut line);
                let _ = line_tx.send(line);
            });
            let to: SocketAddr = ([127, 0, 0, 1], port).into();
            // nc needs a moment to bind; a datagram sent before is lost (UDP),
            // so send again until nc has printed one.
            for _ in 0..50 {
                udp::step1_datagrams::send_one(to, b"hello, netcat\n")
                    .expect("send_one failed");
                if let Ok(line) = line_rx.recv_timeout(Duration::from_millis(100)) {
                    assert_eq!(
                        line, "hello, netcat\n",
                        "nc -u -l printed something else"
                    );
                    return;
                }
            }
            panic!(
                "sent `hello, netcat` to nc -u -l on 127.0.0.1:{port} 50 times; nc printed nothing"
            );
        },
    );
}
