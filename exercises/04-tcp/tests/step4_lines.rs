// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 4: a line protocol, read with a limit (book: "Framing").

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use support::deadline;
use support::loopback::{
    connect_tcp, describe_bytes, read_exact_within, tcp_listener,
};
use tcp::step4_lines::{MAX_LINE, serve_lines};

const LIMIT: Duration = Duration::from_secs(10);
const WAIT: Duration = Duration::from_secs(2);

/// Starts `serve_lines` on the first connection to a fresh listener, and
/// connects to it; `serve_lines`'s result arrives on the channel.
fn start() -> (TcpStream, Receiver<io::Result<u64>>) {
    let listener = tcp_listener();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let _ = done.send(serve_lines(stream));
    });
    let client = connect_tcp(addr, WAIT).unwrap();
    client.set_nodelay(true).unwrap();
    (client, result)
}

/// Reads exactly the bytes of `expected`, failing with what was sent.
fn expect(client: &mut TcpStream, sent: &str, expected: &str) {
    match read_exact_within(client, expected.len(), WAIT) {
        Ok(got) => assert!(
            got == expected.as_bytes(),
            "sent {sent:?}: expected {expected:?} back, got {}",
            describe_bytes(&got)
        ),
        Err(error) => {
            panic!("sent {sent:?}: expected {expected:?} back within 2 s: {error}")
        }
    }
}

/// Expects the server to close: EOF, nothing more.
fn expect_close(client: &mut TcpStream, after: &str) {
    let mut rest = Vec::new();
    match client.read_to_end(&mut rest) {
        Ok(_) if rest.is_empty() => {}
        Ok(_) => panic!(
            "{after}: expected the server to close, got {}",
            describe_bytes(&rest)
        ),
        Err(error) => {
            panic!("{after}: expected the server to close within 2 s: {error}")
        }
    }
}

/// A line that arrives in pieces is answered once it is whole, and a
/// `\r\n` ending counts as `\n`.
#[test]
fn serve_lines_answers_a_line_sent_in_pieces() {
    deadline(LIMIT, "serve_lines with a line in pieces", || {
        let (mut client, _) = start();
        client.write_all(b"hel").unwrap();
        thread::sleep(Duration::from_millis(50));
        client.write_all(b"lo\n").unwrap();
        expect(&mut client, "`hel`, then `lo\\n`", "HELLO\n");
        client.write_all(b"wor").unwrap();
        thread::sleep(Duration::from_millis(50));
        client.write_all(b"ld\r\n").unwrap();
        expect(&mut client, "`wor`, then `ld\\r\\n`", "WORLD\n");
    });
}

/// Twenty lines in one write get twenty answers, in order; upper case is
/// Unicode's (`ß` becomes `SS`).
#[test]
fn serve_lines_answers_many_lines_sent_at_once() {
    deadline(LIMIT, "serve_lines with 20 lines in one write", || {
        let (mut client, _) = start();
        let mut sent = String::new();
        let mut expected = String::new();
        for i in 0..19 {
            sent.push_str(&format!("line {i}\n"));
            expected.push_str(&format!("LINE {i}\n"));
        }
        sent.push_str("grüß dich\n");
        expected.push_str("GRÜSS DICH\n");
        client.write_all(sent.as_bytes()).unwrap();
        expect(&mut client, "20 lines in one write", &expected);
    });
}

/// More than `MAX_LINE` bytes without a `\n` is answered at once — without
/// waiting for a `\n` that may never come — and the server closes.
#[test]
fn serve_lines_refuses_a_line_too_long_without_waiting_for_its_end() {
    deadline(LIMIT, "serve_lines with a line too long", || {
        let (mut client, result) = start();
        client.write_all(&vec![b'a'; MAX_LINE + 1]).unwrap();
        let sent = format!("{} bytes of `a` and no newline", MAX_LINE + 1);
        expect(&mut client, &sent, "ERR line too long\n");
        expect_close(&mut client, "after `ERR line too long`");
        let answered = result
            .recv_timeout(WAIT)
            .expect("serve_lines did not return");
        assert_eq!(
            answered.expect("serve_lines failed"),
            0,
            "no line was answered (the refusal does not count)"
        );
    });
}

/// A line of exactly `MAX_LINE` bytes is fine, and its `\n` ends it.
#[test]
fn serve_lines_accepts_a_line_of_exactly_max_line() {
    deadline(LIMIT, "serve_lines with a line of MAX_LINE bytes", || {
        let (mut client, _) = start();
        let mut line = vec![b'b'; MAX_LINE];
        line.push(b'\n');
        client.write_all(&line).unwrap();
        let expected = format!("{}\n", "B".repeat(MAX_LINE));
        expect(&mut client, "a line of exactly MAX_LINE bytes", &expected);
        // And the `\n` ended that line: the next one is a line of its own.
        client.write_all(b"after\n").unwrap();
        expect(&mut client, "`after` after the longest line", "AFTER\n");
    });
}

/// A line that is not UTF-8 gets an error line, and the connection goes on.
#[test]
fn serve_lines_answers_bad_utf8_and_goes_on() {
    deadline(LIMIT, "serve_lines with bytes that are not text", || {
        let (mut client, _) = start();
        client.write_all(&[0xff, 0xfe, b'\n']).unwrap();
        expect(&mut client, "[ff fe 0a]", "ERR not UTF-8\n");
        client.write_all(b"ok\n").unwrap();
        expect(&mut client, "`ok` after a line that was not UTF-8", "OK\n");
    });
}

/// At the end of the stream the unfinished last line is answered too; then
/// the server closes and returns how many lines it answered.
#[test]
fn serve_lines_answers_an_unfinished_last_line_and_counts() {
    deadline(LIMIT, "serve_lines at the end of the stream", || {
        let (mut client, result) = start();
        client.write_all(b"one\ntwo\nthree").unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        expect(
            &mut client,
            "`one\\ntwo\\nthree` and EOF",
            "ONE\nTWO\nTHREE\n",
        );
        expect_close(&mut client, "after the client's EOF");
        let answered = result
            .recv_timeout(WAIT)
            .expect("serve_lines did not return");
        assert_eq!(
            answered.expect("serve_lines failed"),
            3,
            "three lines answered"
        );
    });
}
