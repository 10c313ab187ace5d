//! The probe of an HTTP server: `cargo lab probe http ADDR [--path PATH]`.
//!
//! The workbook's HTTP server speaks HTTP/1.1, one request per connection:
//! GET and HEAD of files under its root; 200 with `Content-Length`; 400 for
//! a malformed request (a bad request line, no version, a head over 8 KiB);
//! 404 for a missing file or a path that would leave the root; 405 with
//! `Allow: GET, HEAD` for other methods; every response carries
//! `Content-Length` and `Connection: close`, and the server closes after it.
//!
//! | check | sends | expects |
//! |---|---|---|
//! | GET | `GET PATH` | 200 and a body |
//! | HEAD | `HEAD PATH` | 200, GET's `Content-Length`, no body |
//! | 404 | a path nobody has | 404 |
//! | 405 | `DELETE PATH` | 405 with `Allow` naming GET and HEAD |
//! | 400 bad request line | `NONSENSE` | 400 |
//! | 400 no version | `GET /` without `HTTP/1.1` | 400 |
//! | large request head | a 9 KiB header | 400 (or 431), never a reset |
//! | path outside the root | `/../../etc/passwd` and `/%2e%2e/%2e%2e/etc/passwd` | anything but 200 (404 by the workbook's rule) |
//! | slow dribbling | GET one byte every 10 ms | the same 200 as GET |
//! | several clients at once | 8 half-sent requests, finished last first | each its 200 while the others wait |
//! | disconnect mid-request | half a request line, then a close | the next GET still works |
//! | Content-Length | (every response above) | present, and the body's length (HEAD: GET's) |
//! | Connection: close | (every response above) | the header, and the server closes after |
//!
//! PATH (`--path`, default `/`) must be a page the server has: `/` serves
//! `index.html` on the workbook's server. The probe opens at most
//! [`MAX_CONNECTIONS`] connections, reads at most [`MAX_RESPONSE`] bytes of
//! any response, and waits at most the timeout for anything.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};

use super::net;
use super::words::{byte_count, human, quoted};
use super::{Check, ProbeOptions};

/// The most of one response the probe reads.
pub const MAX_RESPONSE: usize = 1024 * 1024 + 16 * 1024;

/// How many clients the concurrency check has waiting at once.
pub const CLIENTS: usize = 8;

/// The header the large-head check sends: over the server's 8 KiB limit.
const LARGE_HEAD: usize = 9 * 1024;

/// The pause between the bytes of the dribbled request.
const DRIBBLE_PAUSE: Duration = Duration::from_millis(10);

/// How long to wait for the server to close once a whole response came.
const CLOSE_GRACE: Duration = Duration::from_millis(500);

/// The most connections one probe opens.
pub const MAX_CONNECTIONS: usize = 10 + CLIENTS + 2;

/// What the probe promises about its traffic, for the report's header.
pub fn bounds(options: &ProbeOptions) -> String {
    format!(
        "at most {MAX_CONNECTIONS} connections, GET {}, each wait at most {}",
        options.path,
        human(options.timeout)
    )
}

/// Refuses a `--path` that cannot go into a request line.
pub fn check_path(path: &str) -> Result<()> {
    if !path.starts_with('/') {
        bail!("--path must start with `/`, e.g. --path /index.html (got `{path}`)");
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        bail!("--path must not hold spaces or control characters (got {path:?})");
    }
    Ok(())
}

/// A response as the probe read it.
#[derive(Debug, Clone)]
struct Response {
    /// `200`, `404`…
    status: u16,
    /// The status line, for messages.
    status_line: String,
    /// Header names in lower case, values trimmed.
    headers: Vec<(String, String)>,
    /// Everything after the blank line.
    body: Vec<u8>,
    /// Whether the server closed the connection after the response.
    closed: bool,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// One response's framing, for the Content-Length and Connection checks.
struct Framing {
    /// Which request it answered, e.g. `GET /`.
    request: String,
    /// The `Content-Length` header as sent, if any.
    content_length: Option<String>,
    /// The length the body must have: the body read, or for HEAD, GET's.
    expected: usize,
    /// Bytes of body that came.
    body: usize,
    connection_close: bool,
    closed: bool,
}

/// The probe's state: where to send, and the framing of every response.
struct Session {
    server: SocketAddr,
    timeout: Duration,
    host: String,
    path: String,
    seen: Vec<Framing>,
}

/// Runs every check against the HTTP server at `server`.
pub fn probe(server: SocketAddr, options: &ProbeOptions) -> Vec<Check> {
    let mut session = Session {
        server,
        timeout: options.timeout,
        host: server.to_string(),
        path: options.path.clone(),
        seen: Vec::new(),
    };
    let (first, page) = get(&mut session);
    let Some(page) = page else {
        let skipped = "not run: the server did not answer the first GET";
        let mut checks = vec![first];
        checks.extend(LATER_CHECKS.iter().map(|name| Check::fail(name, skipped)));
        return checks;
    };
    vec![
        first,
        head(&mut session, &page),
        not_found(&mut session),
        method_not_allowed(&mut session),
        bad_request(&mut session, "400 bad request line", b"NONSENSE\r\n\r\n"),
        bad_request(&mut session, "400 no version", b"GET /\r\n\r\n"),
        large_head(&mut session),
        outside_the_root(&mut session),
        slow_dribbling(&mut session, &page),
        several_clients(&mut session, &page),
        disconnect_mid_request(&mut session),
        content_length(&session),
        connection_close(&session),
    ]
}

/// The names of the checks after the first, in order.
const LATER_CHECKS: [&str; 12] = [
    "HEAD",
    "404",
    "405",
    "400 bad request line",
    "400 no version",
    "large request head",
    "path outside the root",
    "slow dribbling",
    "several clients at once",
    "disconnect mid-request",
    "Content-Length",
    "Connection: close",
];

impl Session {
    /// `METHOD PATH HTTP/1.1` with a Host header (and no `Connection:
    /// close`: closing is the server's own rule here).
    fn request(&self, method: &str, path: &str) -> Vec<u8> {
        format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nUser-Agent: netlab-probe\r\n\r\n",
            self.host
        )
        .into_bytes()
    }

    /// Sends `request` on a new connection (one byte at a time with
    /// `dribble`) and reads the response; records its framing under
    /// `label`. The error is a sentence naming what went wrong.
    fn exchange(
        &mut self,
        label: &str,
        request: &[u8],
        dribble: Option<Duration>,
    ) -> Result<Response, String> {
        let mut stream = net::connect(self.server, self.timeout)?;
        send(&mut stream, request, dribble, self.server)?;
        let response = read_response(&mut stream, self.server, self.timeout)?;
        self.record(label, &response, None);
        Ok(response)
    }

    /// Keeps a response's framing for the last two checks.
    fn record(&mut self, label: &str, response: &Response, expected: Option<usize>) {
        self.seen.push(Framing {
            request: label.to_string(),
            content_length: response.header("content-length").map(str::to_string),
            expected: expected.unwrap_or(response.body.len()),
            body: response.body.len(),
            connection_close: response
                .header("connection")
                .is_some_and(|value| value.eq_ignore_ascii_case("close")),
            closed: response.closed,
        });
    }
}

/// Writes a request; with `dribble`, one byte at a time. A server that
/// answers and closes before the whole request is written is not an error
/// here: the response says what it thought.
fn send(
    stream: &mut TcpStream,
    request: &[u8],
    dribble: Option<Duration>,
    server: SocketAddr,
) -> Result<(), String> {
    let outcome = match dribble {
        None => stream.write_all(request),
        Some(pause) => {
            let _ = stream.set_nodelay(true);
            request.iter().try_for_each(|byte| {
                stream.write_all(&[*byte])?;
                thread::sleep(pause);
                Ok(())
            })
        }
    };
    match outcome {
        Ok(()) => Ok(()),
        Err(error)
            if matches!(
                error.kind(),
                ErrorKind::BrokenPipe | ErrorKind::ConnectionReset
            ) =>
        {
            Ok(())
        }
        Err(error) => Err(format!(
            "sending the request: {}",
            net::failure(&error, server)
        )),
    }
}

/// Reads one response: the head, then the body up to `Content-Length` (or
/// to the close), then waits a moment for the server to close.
fn read_response(
    stream: &mut TcpStream,
    server: SocketAddr,
    timeout: Duration,
) -> Result<Response, String> {
    let mut bytes = Vec::new();
    let mut chunk = vec![0; 64 * 1024];
    let mut closed = false;
    let give_up_at = Instant::now() + timeout * 3;
    loop {
        let complete = parse(&bytes).is_some_and(|(response, head_len)| {
            response
                .header("content-length")
                .and_then(|value| value.parse::<usize>().ok())
                .is_some_and(|length| bytes.len() >= head_len + length)
        });
        let wait = if complete {
            CLOSE_GRACE.min(timeout)
        } else {
            timeout
        };
        let left = give_up_at.saturating_duration_since(Instant::now());
        if left.is_zero() || bytes.len() >= MAX_RESPONSE {
            break;
        }
        if stream.set_read_timeout(Some(wait.min(left))).is_err() {
            break;
        }
        match stream.read(&mut chunk) {
            Ok(0) => {
                closed = true;
                break;
            }
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) if net::is_timeout(&error) => break,
            // A reset after a whole response still leaves the response.
            Err(error) if !bytes.is_empty() => {
                let _ = error;
                closed = true;
                break;
            }
            Err(error) => return Err(net::failure(&error, server)),
        }
    }
    if bytes.is_empty() {
        return Err(format!(
            "{server} sent no response within {}{}",
            human(timeout),
            if closed {
                " and closed the connection"
            } else {
                ""
            }
        ));
    }
    match parse(&bytes) {
        Some((mut response, head_len)) => {
            response.body = bytes[head_len..].to_vec();
            response.closed = closed;
            Ok(response)
        }
        None => Err(format!("the response is not HTTP: {}", quoted(&bytes, 80))),
    }
}

/// The status line and headers, once the blank line has come: the response
/// (body empty) and the length of its head.
fn parse(bytes: &[u8]) -> Option<(Response, usize)> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?.to_string();
    let mut words = status_line.split(' ');
    let version = words.next()?;
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let status = words.next()?.parse().ok()?;
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(key, value)| {
            (key.trim().to_ascii_lowercase(), value.trim().to_string())
        })
        .collect();
    let response = Response {
        status,
        status_line,
        headers,
        body: Vec::new(),
        closed: false,
    };
    Some((response, end + 4))
}

/// What came back, for a failure: the status line and the body's size.
fn answer(response: &Response) -> String {
    format!(
        "{} with {} of body",
        quoted(response.status_line.as_bytes(), 60),
        byte_count(response.body.len())
    )
}

/// `GET PATH` is answered 200; the page is kept for later checks.
fn get(session: &mut Session) -> (Check, Option<Response>) {
    const NAME: &str = "GET";
    let path = session.path.clone();
    let sent = format!("GET {path}");
    match session.exchange(&sent, &session.request("GET", &path), None) {
        Ok(response) if response.status == 200 => {
            let detail = format!(
                "{sent}: 200, {}{}",
                byte_count(response.body.len()),
                response
                    .header("content-type")
                    .map(|kind| format!(", {kind}"))
                    .unwrap_or_default()
            );
            (Check::pass(NAME, detail), Some(response))
        }
        Ok(response) => {
            let hint = if response.status == 404 {
                " (is there such a page? choose one with --path, e.g. --path /index.html)"
            } else {
                ""
            };
            let detail =
                format!("{sent}: expected 200, got {}{hint}", answer(&response));
            (Check::fail(NAME, detail), Some(response))
        }
        Err(why) => (Check::fail(NAME, format!("{sent}: {why}")), None),
    }
}

/// `HEAD PATH`: GET's status and length, and no body.
fn head(session: &mut Session, page: &Response) -> Check {
    const NAME: &str = "HEAD";
    let path = session.path.clone();
    let sent = format!("HEAD {path}");
    let response =
        match session.exchange(&sent, &session.request("HEAD", &path), None) {
            Ok(response) => response,
            Err(why) => return Check::fail(NAME, format!("{sent}: {why}")),
        };
    // Its Content-Length must be GET's body length, not its own (none).
    if let Some(last) = session.seen.last_mut() {
        last.expected = page.body.len();
    }
    if response.status != page.status {
        return Check::fail(
            NAME,
            format!(
                "{sent}: expected {} as for GET, got {}",
                page.status,
                answer(&response)
            ),
        );
    }
    if !response.body.is_empty() {
        return Check::fail(
            NAME,
            format!(
                "{sent}: the response carried {} of body; a response to HEAD has none",
                byte_count(response.body.len())
            ),
        );
    }
    Check::pass(NAME, format!("{sent}: {}, no body", response.status))
}

/// A path nobody has is 404.
fn not_found(session: &mut Session) -> Check {
    const NAME: &str = "404";
    let path = "/netlab-probe-no-such-page.html";
    expect_status(
        session,
        NAME,
        &format!("GET {path}"),
        &session.request("GET", path),
        &[404],
    )
}

/// A method the server does not serve is 405, with `Allow`.
fn method_not_allowed(session: &mut Session) -> Check {
    const NAME: &str = "405";
    let path = session.path.clone();
    let sent = format!("DELETE {path}");
    let response =
        match session.exchange(&sent, &session.request("DELETE", &path), None) {
            Ok(response) => response,
            Err(why) => return Check::fail(NAME, format!("{sent}: {why}")),
        };
    if response.status != 405 {
        return Check::fail(
            NAME,
            format!("{sent}: expected 405, got {}", answer(&response)),
        );
    }
    let allow = response
        .header("allow")
        .unwrap_or_default()
        .to_ascii_uppercase();
    let methods: Vec<&str> = allow.split(',').map(str::trim).collect();
    if !(methods.contains(&"GET") && methods.contains(&"HEAD")) {
        return Check::fail(
            NAME,
            format!(
                "{sent}: 405, but `Allow: {allow}`: a 405 must say which methods are \
                 allowed (Allow: GET, HEAD)"
            ),
        );
    }
    Check::pass(NAME, format!("{sent}: 405 with `Allow: {allow}`"))
}

/// A malformed request is 400.
fn bad_request(session: &mut Session, name: &str, request: &[u8]) -> Check {
    let sent = quoted(request, 60);
    expect_status(session, name, &sent, request, &[400])
}

/// A request head over 8 KiB is refused with 400 (431 is the specific
/// code), after the server read it: a reset would lose the answer.
fn large_head(session: &mut Session) -> Check {
    const NAME: &str = "large request head";
    let path = session.path.clone();
    let padding: String = std::iter::repeat_n('a', LARGE_HEAD).collect();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\nX-Padding: {padding}\r\n\r\n",
        session.host
    );
    let sent = format!("GET {path} with a {} header", byte_count(LARGE_HEAD));
    expect_status(session, NAME, &sent, request.as_bytes(), &[400, 431])
}

/// `..` must not leave the root, spelt plainly or percent-encoded.
fn outside_the_root(session: &mut Session) -> Check {
    const NAME: &str = "path outside the root";
    let mut statuses = Vec::new();
    for path in [
        "/../../../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    ] {
        let sent = format!("GET {path}");
        match session.exchange(&sent, &session.request("GET", path), None) {
            Ok(response) if (200..300).contains(&response.status) => {
                return Check::fail(
                    NAME,
                    format!(
                        "{sent}: got {}: the server serves files outside its root",
                        answer(&response)
                    ),
                );
            }
            Ok(response) => statuses.push(format!("{sent}: {}", response.status)),
            Err(why) => return Check::fail(NAME, format!("{sent}: {why}")),
        }
    }
    Check::pass(NAME, statuses.join("; "))
}

/// The GET request one byte at a time: the server reads until the blank
/// line, whatever each read returns.
fn slow_dribbling(session: &mut Session, page: &Response) -> Check {
    const NAME: &str = "slow dribbling";
    let path = session.path.clone();
    let sent = format!("GET {path}, one byte every {}", human(DRIBBLE_PAUSE));
    let request = session.request("GET", &path);
    match session.exchange(&sent, &request, Some(DRIBBLE_PAUSE)) {
        Ok(response)
            if response.status == page.status && response.body == page.body =>
        {
            Check::pass(NAME, format!("{sent}: the same {} as GET", page.status))
        }
        Ok(response) => Check::fail(
            NAME,
            format!(
                "{sent}: expected {} as for GET, got {}",
                page.status,
                answer(&response)
            ),
        ),
        Err(why) => Check::fail(NAME, format!("{sent}: {why}")),
    }
}

/// `CLIENTS` connections each send half a request; then the last one
/// finishes first and must get its answer while the others still wait. A
/// server that serves one connection at a time is stuck on the first.
fn several_clients(session: &mut Session, page: &Response) -> Check {
    const NAME: &str = "several clients at once";
    let path = session.path.clone();
    let request = session.request("GET", &path);
    let (first_half, second_half) = request.split_at(request.len() / 2);
    let mut streams = Vec::new();
    for client in 0..CLIENTS {
        let stream =
            net::connect(session.server, session.timeout).and_then(|mut stream| {
                send(&mut stream, first_half, None, session.server).map(|()| stream)
            });
        match stream {
            Ok(stream) => streams.push(stream),
            Err(why) => return Check::fail(NAME, format!("client {client}: {why}")),
        }
    }
    let mut served = 0;
    for (client, mut stream) in streams.into_iter().enumerate().rev() {
        let label = format!("GET {path} (client {client} of {CLIENTS})");
        let outcome =
            send(&mut stream, second_half, None, session.server).and_then(|()| {
                read_response(&mut stream, session.server, session.timeout)
            });
        match outcome {
            Ok(response) if response.status == page.status => {
                session.record(&label, &response, None);
                served += 1;
            }
            Ok(response) => {
                return Check::fail(
                    NAME,
                    format!(
                        "{label}: expected {}, got {}",
                        page.status,
                        answer(&response)
                    ),
                );
            }
            Err(why) => {
                return Check::fail(
                    NAME,
                    format!(
                        "{CLIENTS} clients each sent half a request; client {client} then \
                         finished its request and {why}, after {served} were served (does the \
                         server serve one connection at a time?)"
                    ),
                );
            }
        }
    }
    Check::pass(
        NAME,
        format!(
            "{CLIENTS} clients each sent half a request, then finished it last first; each got its {}",
            page.status
        ),
    )
}

/// Half a request line, then the client leaves; the next GET still works.
fn disconnect_mid_request(session: &mut Session) -> Check {
    const NAME: &str = "disconnect mid-request";
    let half = b"GET /netlab-probe-half";
    match net::connect(session.server, session.timeout) {
        Ok(mut stream) => {
            let _ = stream.write_all(half);
            thread::sleep(Duration::from_millis(50));
        }
        Err(why) => return Check::fail(NAME, why),
    }
    let path = session.path.clone();
    let sent = format!("GET {path}");
    match session.exchange(&sent, &session.request("GET", &path), None) {
        Ok(response) if response.status == 200 => Check::pass(
            NAME,
            format!(
                "a client sent {} and left; the next {sent} got 200",
                quoted(half, 40)
            ),
        ),
        Ok(response) => Check::fail(
            NAME,
            format!(
                "a client sent {} and left; then {sent} got {}",
                quoted(half, 40),
                answer(&response)
            ),
        ),
        Err(why) => Check::fail(
            NAME,
            format!(
                "a client sent {} and left; then {sent}: {why}",
                quoted(half, 40)
            ),
        ),
    }
}

/// Sends `request` and expects one of `statuses`.
fn expect_status(
    session: &mut Session,
    name: &str,
    sent: &str,
    request: &[u8],
    statuses: &[u16],
) -> Check {
    let wanted: Vec<String> = statuses.iter().map(u16::to_string).collect();
    match session.exchange(sent, request, None) {
        Ok(response) if statuses.contains(&response.status) => {
            Check::pass(name, format!("{sent}: {}", response.status_line))
        }
        Ok(response) => Check::fail(
            name,
            format!(
                "{sent}: expected {}, got {}",
                wanted.join(" or "),
                answer(&response)
            ),
        ),
        Err(why) => Check::fail(
            name,
            format!("{sent}: expected {}, {why}", wanted.join(" or ")),
        ),
    }
}

/// Every response had a `Content-Length`, and it was right.
fn content_length(session: &Session) -> Check {
    const NAME: &str = "Content-Length";
    let wrong: Vec<String> = session
        .seen
        .iter()
        .filter_map(|seen| match &seen.content_length {
            None => Some(format!("{}: none", seen.request)),
            Some(value) if value.parse::<usize>().ok() != Some(seen.expected) => {
                Some(format!(
                    "{}: `Content-Length: {value}` but {}",
                    seen.request,
                    if seen.body == seen.expected {
                        format!("the body had {}", byte_count(seen.body))
                    } else {
                        format!("GET's body had {}", byte_count(seen.expected))
                    }
                ))
            }
            Some(_) => None,
        })
        .collect();
    verdict(
        NAME,
        &wrong,
        session.seen.len(),
        "had a right Content-Length",
    )
}

/// Every response said `Connection: close`, and the server closed after it.
fn connection_close(session: &Session) -> Check {
    const NAME: &str = "Connection: close";
    let wrong: Vec<String> = session
        .seen
        .iter()
        .filter_map(|seen| match (seen.connection_close, seen.closed) {
            (true, true) => None,
            (false, true) => {
                Some(format!("{}: no `Connection: close` header", seen.request))
            }
            (true, false) => Some(format!(
                "{}: said `Connection: close` but did not close within {}",
                seen.request,
                human(CLOSE_GRACE)
            )),
            (false, false) => Some(format!(
                "{}: no `Connection: close`, and the connection stayed open",
                seen.request
            )),
        })
        .collect();
    verdict(
        NAME,
        &wrong,
        session.seen.len(),
        "said Connection: close and closed",
    )
}

/// Pass when nothing is `wrong`, else name the first few.
fn verdict(name: &str, wrong: &[String], total: usize, right: &str) -> Check {
    if wrong.is_empty() {
        return Check::pass(name, format!("all {total} responses {right}"));
    }
    let shown: Vec<&str> = wrong.iter().take(3).map(String::as_str).collect();
    let more = if wrong.len() > 3 {
        format!("; and {} more", wrong.len() - 3)
    } else {
        String::new()
    };
    Check::fail(
        name,
        format!(
            "{} of {total} responses: {}{more}",
            wrong.len(),
            shown.join("; ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_response_head_parses_once_whole() {
        assert!(parse(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n").is_none());
        let (response, len) =
            parse(b"HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno")
                .unwrap();
        assert_eq!(response.status, 404);
        assert_eq!(response.header("content-length"), Some("2"));
        assert_eq!(response.header("connection"), Some("close"));
        assert_eq!(len, 64);
        assert!(parse(b"SSH-2.0-OpenSSH\r\n\r\n").is_none());
    }

    #[test]
    fn paths_must_fit_a_request_line() {
        assert!(check_path("/").is_ok());
        assert!(check_path("/a/b.html").is_ok());
        assert!(check_path("index.html").is_err());
        assert!(check_path("/a b").is_err());
        assert_eq!(LATER_CHECKS.len(), 12);
    }
}
