//! The model echo server as a teacher runs it: it says where it listens,
//! then logs each client in one line, and its echo is exact.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Kills the server when the test ends, however it ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The next line the server prints, or a failure after `within`.
fn next_line(
    lines: &mpsc::Receiver<String>,
    within: Duration,
    waiting_for: &str,
) -> String {
    lines.recv_timeout(within).unwrap_or_else(|_| {
        panic!("udp-echo-server printed no {waiting_for} within {within:?}")
    })
}

/// `listening on ADDR` first; after a client's two datagrams and a
/// pause, `ADDR: 2 datagrams, 9 bytes echoed` with the client's address.
#[test]
fn echo_server_says_where_it_listens_and_logs_each_client() {
    support::deadline(Duration::from_secs(30), "the echo server log test", || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_udp-echo-server"))
            .arg("127.0.0.1:0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("could not start udp-echo-server");
        let stdout = child.stdout.take().expect("stdout is piped");
        let _server = KillOnDrop(child);
        let (sender, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    return;
                }
            }
        });

        let first = next_line(&lines, Duration::from_secs(10), "first line");
        let addr: SocketAddr = first
            .strip_prefix("listening on ")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| {
                panic!("first line `{first}`, not `listening on ADDR`")
            });

        let client = UdpSocket::bind("127.0.0.1:0").expect("a client socket");
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("a read timeout");
        let mut buffer = [0u8; 64];
        for message in [&b"ping"[..], &b"hello"[..]] {
            client.send_to(message, addr).expect("sent");
            let (len, from) = client.recv_from(&mut buffer).unwrap_or_else(|e| {
                panic!("sent {message:?} to {addr}, nothing came back: {e}")
            });
            assert_eq!((&buffer[..len], from), (message, addr));
        }

        let logged =
            next_line(&lines, Duration::from_secs(10), "line for the client");
        let expected = format!(
            "{}: 2 datagrams, 9 bytes echoed",
            client.local_addr().expect("an address")
        );
        assert_eq!(logged, expected);
    });
}
