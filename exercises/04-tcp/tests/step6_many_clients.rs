// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 6: many clients at once — a thread per connection, then a bounded
//! pool that shuts down gracefully (book: "Serving many clients").

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use support::deadline;
use support::loopback::{
    connect_tcp, describe_bytes, read_exact_within, tcp_listener,
};
use tcp::step6_many_clients::{Handler, PoolServer, serve_thread_per_connection};

const LIMIT: Duration = Duration::from_secs(15);
const WAIT: Duration = Duration::from_secs(2);

/// A handler that answers each line with the same line, until EOF; a first
/// line `panic` makes it panic.
fn line_echo() -> Handler {
    Arc::new(|stream: TcpStream| {
        let mut writer = stream.try_clone().unwrap();
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if line == "panic" {
                panic!("this handler panics on purpose (a test of the server)");
            }
            if writeln!(writer, "{line}").is_err() {
                return;
            }
        }
    })
}

/// Starts `serve_thread_per_connection` on its own thread and checks it is
/// still running a moment later.
fn start_thread_per_connection(handler: Handler) -> SocketAddr {
    let listener = tcp_listener();
    let addr = listener.local_addr().unwrap();
    let server =
        thread::spawn(move || serve_thread_per_connection(listener, handler));
    thread::sleep(Duration::from_millis(50));
    if server.is_finished() {
        match server.join() {
            Ok(result) => panic!(
                "serve_thread_per_connection returned at once ({result:?}): it serves for ever"
            ),
            Err(_) => panic!("serve_thread_per_connection panicked at once"),
        }
    }
    addr
}

/// Sends a line and expects it back.
fn expect_echo(client: &mut TcpStream, line: &str, who: &str) {
    client.write_all(format!("{line}\n").as_bytes()).unwrap();
    let expected = format!("{line}\n");
    match read_exact_within(client, expected.len(), WAIT) {
        Ok(got) => assert!(
            got == expected.as_bytes(),
            "{who} sent {line:?}, got {} back",
            describe_bytes(&got)
        ),
        Err(error) => {
            panic!("{who} sent {line:?} and got no answer within 2 s: {error}")
        }
    }
}

/// Expects the line already sent by `who` back.
fn expect_line(client: &mut TcpStream, line: &str, who: &str, context: &str) {
    let expected = format!("{line}\n");
    match read_exact_within(client, expected.len(), WAIT) {
        Ok(got) => assert!(
            got == expected.as_bytes(),
            "{who}: got {}",
            describe_bytes(&got)
        ),
        Err(error) => panic!(
            "{who} sent {line:?} and got no answer within 2 s ({error}){context}"
        ),
    }
}

/// 50 clients connect and each sends a line while all of them stay
/// connected: every one is answered. A server that serves one client at a
/// time answers only the first.
#[test]
fn thread_per_connection_serves_50_clients_at_once() {
    deadline(LIMIT, "a thread per connection with 50 clients", || {
        let addr = start_thread_per_connection(line_echo());
        let mut clients: Vec<TcpStream> =
            (0..50).map(|_| connect_tcp(addr, WAIT).unwrap()).collect();
        for (i, client) in clients.iter_mut().enumerate() {
            client
                .write_all(format!("hello from {i}\n").as_bytes())
                .unwrap();
        }
        for (i, client) in clients.iter_mut().enumerate() {
            expect_line(
                client,
                &format!("hello from {i}"),
                &format!("client {i} of 50"),
                ", while the others stayed connected: does your server serve one client at a time?",
            );
        }
    });
}

/// A handler that panics ends its own connection, not the server.
#[test]
fn thread_per_connection_survives_a_panicking_handler() {
    deadline(LIMIT, "a thread per connection after a panic", || {
        let addr = start_thread_per_connection(line_echo());
        let mut doomed = connect_tcp(addr, WAIT).unwrap();
        doomed.write_all(b"panic\n").unwrap();
        let _ = read_exact_within(&mut doomed, 1, WAIT); // EOF: the handler is gone
        let mut next = connect_tcp(addr, WAIT).unwrap();
        expect_echo(
            &mut next,
            "after the panic",
            "the client after a panicking handler",
        );
    });
}

/// Starts a pool on a fresh listener.
fn start_pool(workers: usize, handler: Handler) -> PoolServer {
    PoolServer::start(tcp_listener(), workers, handler)
        .expect("PoolServer::start failed")
}

/// With 4 workers, 4 clients connected together are all served together.
#[test]
fn pool_serves_as_many_clients_at_once_as_it_has_workers() {
    deadline(LIMIT, "a pool of 4 with 4 clients", || {
        let server = start_pool(4, line_echo());
        let mut clients: Vec<TcpStream> = (0..4)
            .map(|_| connect_tcp(server.addr(), WAIT).unwrap())
            .collect();
        for (i, client) in clients.iter_mut().enumerate() {
            client
                .write_all(format!("pooled {i}\n").as_bytes())
                .unwrap();
        }
        for (i, client) in clients.iter_mut().enumerate() {
            expect_line(
                client,
                &format!("pooled {i}"),
                &format!("client {i} of 4, with 4 workers"),
                ", while the others stayed connected",
            );
        }
    });
}

/// With 3 workers and 10 clients at once, never more than 3 handlers run
/// at the same time — and every client is served in its turn.
#[test]
fn pool_never_runs_more_handlers_than_workers() {
    deadline(LIMIT, "a pool of 3 with 10 clients", || {
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let (r, m) = (Arc::clone(&running), Arc::clone(&most));
        let handler: Handler = Arc::new(move |mut stream: TcpStream| {
            let now = r.fetch_add(1, Ordering::SeqCst) + 1;
            m.fetch_max(now, Ordering::SeqCst);
            thread::sleep(Duration::from_millis(100));
            r.fetch_sub(1, Ordering::SeqCst);
            let _ = stream.write_all(b"served\n");
        });
        let server = start_pool(3, handler);
        let clients: Vec<_> = (0..10)
            .map(|i| {
                let addr = server.addr();
                thread::spawn(move || {
                    let mut client =
                        connect_tcp(addr, Duration::from_secs(5)).unwrap();
                    read_exact_within(&mut client, 7, Duration::from_secs(5))
                        .map_err(|error| {
                            format!("client {i} was never served: {error}")
                        })
                })
            })
            .collect();
        for client in clients {
            client
                .join()
                .unwrap()
                .unwrap_or_else(|message| panic!("{message}"));
        }
        let most = most.load(Ordering::SeqCst);
        assert!(
            most <= 3,
            "with 3 workers, {most} handlers ran at the same time: the pool is not bounded"
        );
    });
}

/// `shutdown` waits for the client being served — which goes on being
/// served meanwhile — and afterwards new connections are refused.
#[test]
fn shutdown_lets_a_current_client_finish_then_refuses_new_ones() {
    deadline(LIMIT, "a graceful shutdown", || {
        let server = start_pool(2, line_echo());
        let addr = server.addr();
        let mut client = connect_tcp(addr, WAIT).unwrap();
        expect_echo(&mut client, "before the shutdown", "the client");

        let (done, shut) = mpsc::channel();
        thread::spawn(move || {
            let _ = done.send(server.shutdown());
        });
        if let Ok(result) = shut.recv_timeout(Duration::from_millis(300)) {
            panic!(
                "shutdown returned ({result:?}) while a client was still connected: \
                 it must wait for the handlers to finish"
            );
        }
        expect_echo(
            &mut client,
            "during the shutdown",
            "the client being served",
        );
        drop(client);
        match shut.recv_timeout(WAIT) {
            Ok(result) => result.expect("shutdown failed"),
            Err(_) => panic!(
                "the last client left, yet shutdown did not return within 2 s"
            ),
        }
        match TcpStream::connect_timeout(&addr, WAIT) {
            Err(error) if error.kind() == io::ErrorKind::ConnectionRefused => {}
            Ok(_) => panic!("after shutdown, {addr} still accepts connections"),
            Err(error) => {
                panic!("after shutdown, expected {addr} to refuse; got {error}")
            }
        }
    });
}

/// With no client, `shutdown` is prompt, and the port is closed after.
#[test]
fn shutdown_of_an_idle_pool_is_prompt() {
    deadline(LIMIT, "shutting down an idle pool", || {
        let server = start_pool(4, line_echo());
        let addr = server.addr();
        let asked = Instant::now();
        server.shutdown().expect("shutdown failed");
        let took = asked.elapsed();
        assert!(
            took < Duration::from_secs(1),
            "shutdown took {took:?} with no client: look at the stop flag more often"
        );
        assert!(
            TcpStream::connect_timeout(&addr, WAIT).is_err(),
            "after shutdown, {addr} still accepts connections"
        );
    });
}

/// A handler that panics does not cost the pool its worker: with one
/// worker, the next client is still served.
#[test]
fn pool_survives_a_panicking_handler() {
    deadline(LIMIT, "a pool of 1 after a panic", || {
        let server = start_pool(1, line_echo());
        let mut doomed = connect_tcp(server.addr(), WAIT).unwrap();
        doomed.write_all(b"panic\n").unwrap();
        let _ = read_exact_within(&mut doomed, 1, WAIT);
        let mut next = connect_tcp(server.addr(), WAIT).unwrap();
        expect_echo(
            &mut next,
            "after the panic",
            "with 1 worker, the client after a panicking handler",
        );
        drop(next);
        server.shutdown().expect("shutdown after a panic");
    });
}

/// A pool of 0 workers could serve no one: refused.
#[test]
fn a_pool_without_workers_is_refused() {
    deadline(LIMIT, "a pool of 0", || {
        let listener: TcpListener = tcp_listener();
        match PoolServer::start(listener, 0, line_echo()) {
            Err(error) => assert_eq!(error.kind(), io::ErrorKind::InvalidInput),
            Ok(server) => {
                let _ = server.shutdown();
                panic!(
                    "PoolServer::start with 0 workers must be refused with InvalidInput"
                )
            }
        }
    });
}
