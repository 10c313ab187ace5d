// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 8: a tiny HTTP/1.1 file server (book: "HTTP on top of TCP").
//!
//! The tests talk raw bytes to the server, and the last one lets the real
//! `curl` fetch a file (without curl it says so and passes; CI, with
//! `NETLAB_REQUIRE_PEERS=1`, fails instead).

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;

use support::deadline;
use support::loopback::{connect_tcp, describe_bytes, tcp_listener};
use tcp::step8_http::serve_http;
use tempfile::TempDir;

const LIMIT: Duration = Duration::from_secs(15);
const WAIT: Duration = Duration::from_secs(3);

const INDEX: &str = "<!doctype html>\n<h1>netlab</h1>\n";
const NOTES: &str = "TCP is a byte stream.\nHTTP is text on top of it.\n";
const SECRET: &str = "the secret outside the root\n";

/// A web root with a few files, a secret beside it (outside the root), a
/// symbolic link pointing at the secret, and the server serving it.
struct Site {
    /// Holds the files until the test ends.
    dir: TempDir,
    addr: SocketAddr,
}

impl Site {
    fn start() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("www");
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("index.html"), INDEX).unwrap();
        fs::write(root.join("notes.txt"), NOTES).unwrap();
        fs::write(root.join("sub").join("page.html"), "<p>sub</p>\n").unwrap();
        fs::write(root.join("data.bin"), binary()).unwrap();
        fs::write(dir.path().join("secret.txt"), SECRET).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            dir.path().join("secret.txt"),
            root.join("escape.txt"),
        )
        .unwrap();

        let listener = tcp_listener();
        let addr = listener.local_addr().unwrap();
        let server = thread::spawn(move || serve_http(listener, root));
        thread::sleep(Duration::from_millis(50));
        if server.is_finished() {
            match server.join() {
                Ok(result) => {
                    panic!(
                        "serve_http returned at once ({result:?}): it serves for ever"
                    )
                }
                Err(_) => panic!("serve_http panicked at once"),
            }
        }
        Site { dir, addr }
    }

    fn secret_path(&self) -> String {
        self.dir.path().join("secret.txt").display().to_string()
    }
}

/// 200 KiB holding every byte value.
fn binary() -> Vec<u8> {
    (0..200 * 1024u32).map(|i| (i * 13 % 256) as u8).collect()
}

/// A response, taken apart.
#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Checks what every response must carry: a `Content-Length` that is
    /// the body's length (or, for `HEAD`, `head_len`), and `Connection:
    /// close`.
    fn assert_framed(&self, what: &str, head_len: Option<usize>) {
        let Some(length) = self.header("Content-Length") else {
            panic!("{what}: the response has no Content-Length header: {self:?}");
        };
        let length: usize = length.trim().parse().unwrap_or_else(|_| {
            panic!("{what}: Content-Length `{length}` is not a number")
        });
        let expected = head_len.unwrap_or(self.body.len());
        assert_eq!(
            length, expected,
            "{what}: Content-Length says {length}, the body is {expected} bytes"
        );
        let connection = self.header("Connection").unwrap_or("(none)");
        assert!(
            connection.eq_ignore_ascii_case("close"),
            "{what}: expected `Connection: close`, got {connection}"
        );
    }
}

/// Sends `request` as it is and reads the response until the server closes.
fn exchange(addr: SocketAddr, request: &[u8]) -> Response {
    let mut stream =
        connect_tcp(addr, WAIT).expect("could not connect to the server");
    stream.write_all(request).unwrap();
    read_response(&mut stream, request)
}

/// Reads until the server closes, then parses.
fn read_response(stream: &mut TcpStream, request: &[u8]) -> Response {
    let sent = describe_bytes(request);
    let mut bytes = Vec::new();
    match stream.read_to_end(&mut bytes) {
        Ok(_) => {}
        Err(error) if error.kind() == ErrorKind::ConnectionReset => panic!(
            "sent {sent}: the server reset the connection (RST) instead of closing it: \
             read the whole request head before answering, and close gracefully"
        ),
        Err(error) => panic!(
            "sent {sent}: the server did not close the connection within 3 s after \
             ({} bytes came: {}): {error}",
            bytes.len(),
            describe_bytes(&bytes)
        ),
    }
    parse(&bytes, &sent)
}

fn parse(bytes: &[u8], sent: &str) -> Response {
    let Some(end) = bytes.windows(4).position(|w| w == b"\r\n\r\n") else {
        panic!(
            "sent {sent}: no `\\r\\n\\r\\n` ends the response head: {}",
            describe_bytes(bytes)
        );
    };
    let head = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    assert_eq!(
        version, "HTTP/1.1",
        "sent {sent}: the status line is `{status_line}`"
    );
    let status = parts
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("sent {sent}: no status code in `{status_line}`"));
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap_or_else(|| {
                panic!("sent {sent}: a header line without `:`: `{line}`")
            });
            (name.to_string(), value.trim().to_string())
        })
        .collect();
    Response {
        status,
        headers,
        body: bytes[end + 4..].to_vec(),
    }
}

fn get(path: &str) -> Vec<u8> {
    format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: netlab-test\r\n\r\n"
    )
    .into_bytes()
}

/// GET of a text file: 200, the file, its length, its type, and a close.
#[test]
fn get_serves_a_file_with_its_length_and_closes() {
    deadline(LIMIT, "GET /notes.txt", || {
        let site = Site::start();
        let response = exchange(site.addr, &get("/notes.txt"));
        assert_eq!(response.status, 200, "GET /notes.txt");
        response.assert_framed("GET /notes.txt", None);
        assert_eq!(
            String::from_utf8_lossy(&response.body),
            NOTES,
            "the body of /notes.txt"
        );
        let kind = response.header("Content-Type").unwrap_or("(none)");
        assert!(
            kind.starts_with("text/plain"),
            "Content-Type of a .txt file: {kind}"
        );
    });
}

/// A binary file comes byte for byte, as `application/octet-stream`.
#[test]
fn get_serves_binary_files_byte_for_byte() {
    deadline(LIMIT, "GET /data.bin", || {
        let site = Site::start();
        let response = exchange(site.addr, &get("/data.bin"));
        assert_eq!(response.status, 200, "GET /data.bin");
        response.assert_framed("GET /data.bin", None);
        assert!(
            response.body == binary(),
            "the 200 KiB of /data.bin came back changed ({} bytes)",
            response.body.len()
        );
        let kind = response.header("Content-Type").unwrap_or("(none)");
        assert_eq!(
            kind, "application/octet-stream",
            "Content-Type of a .bin file"
        );
    });
}

/// HEAD: the same status and headers as GET — the file's length — and no
/// body.
#[test]
fn head_sends_the_headers_and_no_body() {
    deadline(LIMIT, "HEAD /notes.txt", || {
        let site = Site::start();
        let response =
            exchange(site.addr, b"HEAD /notes.txt HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(response.status, 200, "HEAD /notes.txt");
        response.assert_framed("HEAD /notes.txt", Some(NOTES.len()));
        assert!(
            response.body.is_empty(),
            "HEAD must send no body; {} bytes came",
            response.body.len()
        );
    });
}

/// `/` is the root's `index.html`, as `text/html`.
#[test]
fn the_root_serves_index_html() {
    deadline(LIMIT, "GET /", || {
        let site = Site::start();
        let response = exchange(site.addr, &get("/"));
        assert_eq!(response.status, 200, "GET /");
        response.assert_framed("GET /", None);
        assert_eq!(
            String::from_utf8_lossy(&response.body),
            INDEX,
            "GET / serves index.html"
        );
        let kind = response.header("Content-Type").unwrap_or("(none)");
        assert!(
            kind.starts_with("text/html"),
            "Content-Type of index.html: {kind}"
        );
    });
}

/// A file that is not there: 404, with a Content-Length for its page.
#[test]
fn a_missing_file_is_404() {
    deadline(LIMIT, "GET /nothing-here.txt", || {
        let site = Site::start();
        let response = exchange(site.addr, &get("/nothing-here.txt"));
        assert_eq!(response.status, 404, "GET /nothing-here.txt");
        response.assert_framed("the 404", None);
        let response = exchange(site.addr, &get("/sub/page.html?x=1"));
        assert_eq!(
            response.status, 200,
            "GET /sub/page.html?x=1 (the query is no part of the path)"
        );
    });
}

/// No path leaves the root: not with `..`, not with an absolute path
/// hidden behind `//`, not through a symbolic link.
#[test]
fn paths_outside_the_root_are_404() {
    deadline(LIMIT, "requests for a file outside the root", || {
        let site = Site::start();
        let mut targets = vec![
            "/../secret.txt".to_string(),
            "/sub/../../secret.txt".to_string(),
            format!("/{}", site.secret_path()),
        ];
        if cfg!(unix) {
            targets.push("/escape.txt".to_string());
        }
        for target in targets {
            let response = exchange(site.addr, &get(&target));
            assert!(
                !String::from_utf8_lossy(&response.body).contains("secret"),
                "GET {target} served the file outside the root!"
            );
            assert_eq!(
                response.status, 404,
                "GET {target}: outside the root is 404"
            );
            response.assert_framed(&format!("the 404 for {target}"), None);
        }
    });
}

/// Other methods: 405 with `Allow: GET, HEAD` — even with a body the
/// server never reads.
#[test]
fn other_methods_get_405_with_allow() {
    deadline(LIMIT, "POST and DELETE", || {
        let site = Site::start();
        for request in [
            &b"POST /notes.txt HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello=world"[..],
            b"DELETE /notes.txt HTTP/1.1\r\n\r\n",
        ] {
            let response = exchange(site.addr, request);
            let sent = describe_bytes(request);
            assert_eq!(response.status, 405, "sent {sent}");
            response.assert_framed("the 405", None);
            let allow = response.header("Allow").unwrap_or("(none)");
            assert!(
                allow.contains("GET") && allow.contains("HEAD"),
                "a 405 says what is allowed: `Allow: GET, HEAD`, got {allow}"
            );
        }
    });
}

/// What is not an HTTP request gets 400.
#[test]
fn malformed_requests_get_400() {
    deadline(LIMIT, "malformed requests", || {
        let site = Site::start();
        for request in [
            &b"garbage\r\n\r\n"[..],
            b"GET /notes.txt\r\n\r\n",
            b"GET notes.txt HTTP/1.1\r\n\r\n",
            b"GET /notes.txt HTTP/1.1\r\nno colon here\r\n\r\n",
        ] {
            let response = exchange(site.addr, request);
            assert_eq!(response.status, 400, "sent {}", describe_bytes(request));
            response.assert_framed("the 400", None);
        }
    });
}

/// A head over 8 KiB is refused with a 400 that arrives — not lost to a
/// reset because the server closed with the client's bytes unread.
#[test]
fn a_head_over_8_kib_gets_a_400_not_a_reset() {
    deadline(LIMIT, "a 20 KB request head", || {
        let site = Site::start();
        let mut request = b"GET /notes.txt HTTP/1.1\r\nX-Filler: ".to_vec();
        request.extend(vec![b'a'; 20_000]);
        request.extend(b"\r\n\r\n");
        let response = exchange(site.addr, &request);
        assert_eq!(response.status, 400, "a request head of 20 KB");
        response.assert_framed("the 400 for a large head", None);
    });
}

/// A request that arrives one byte at a time is answered once whole — and
/// a silent client connected meanwhile holds no one up.
#[test]
fn a_request_in_pieces_is_answered_while_another_client_waits() {
    deadline(LIMIT, "a request one byte at a time", || {
        let site = Site::start();
        let mut silent = connect_tcp(site.addr, WAIT).unwrap();
        silent.write_all(b"GET /notes.t").unwrap();
        let mut slow = connect_tcp(site.addr, WAIT).unwrap();
        slow.set_nodelay(true).unwrap();
        let request = get("/notes.txt");
        for byte in &request {
            slow.write_all(&[*byte]).unwrap();
            thread::sleep(Duration::from_millis(1));
        }
        let response = read_response(&mut slow, &request);
        assert_eq!(response.status, 200, "a GET sent one byte at a time");
        assert_eq!(String::from_utf8_lossy(&response.body), NOTES);
        drop(silent);
    });
}

/// Whether curl is here; without it, says so (or fails the test when the
/// environment demands every peer).
fn curl_available() -> bool {
    let found = Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
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

/// The real curl downloads a binary file intact, and sees a 404 as one.
#[test]
fn curl_fetches_a_file() {
    deadline(LIMIT, "curl against your server", || {
        let site = Site::start();
        if !curl_available() {
            return;
        }
        let out = site.dir.path().join("downloaded.bin");
        let url = format!("http://{}/data.bin", site.addr);
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
        assert!(
            status.success(),
            "curl {url} failed ({status}); see its message above"
        );
        assert!(
            fs::read(&out).unwrap() == binary(),
            "curl downloaded /data.bin, but the file it wrote differs from the original"
        );
        let missing = Command::new("curl")
            .args([
                "--silent",
                "--max-time",
                "10",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
            ])
            .arg(format!("http://{}/missing", site.addr))
            .output()
            .expect("could not run curl");
        assert_eq!(
            String::from_utf8_lossy(&missing.stdout),
            "404",
            "curl's status for /missing"
        );
    });
}
