//! Six clients at once, each asking for work that takes 200 ms, served
//! three ways: one at a time, a thread per connection, and a pool of two
//! threads. Then a server that shuts down gracefully: it stops accepting
//! and lets the connections it has finish.
//!
//! Run it: `cargo run -p tcp --example many_clients`

use std::io::{self, BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// A way of serving every connection a listener accepts.
type Server = fn(TcpListener);

const CLIENTS: usize = 6;
const WORK: Duration = Duration::from_millis(200);

// ANCHOR: handle
/// Serves one client: reads a line, "works" for 200 ms, answers.
fn handle(stream: TcpStream) -> io::Result<()> {
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    thread::sleep(WORK); // a database, a disk, a slow computation
    (&stream).write_all(format!("done: {line}").as_bytes())
}
// ANCHOR_END: handle

// ANCHOR: one_at_a_time
fn one_at_a_time(listener: TcpListener) {
    for stream in listener.incoming().flatten() {
        let _ = handle(stream); // everyone else waits in the backlog
    }
}
// ANCHOR_END: one_at_a_time

// ANCHOR: thread_per_connection
fn thread_per_connection(listener: TcpListener) {
    for stream in listener.incoming().flatten() {
        thread::spawn(move || handle(stream)); // no limit at all
    }
}
// ANCHOR_END: thread_per_connection

// ANCHOR: pool
/// `threads` workers, each accepting on its own handle to the listener:
/// the kernel gives each new connection to one waiting `accept`.
fn pool(listener: TcpListener, threads: usize) {
    for _ in 0..threads {
        let listener = listener.try_clone().expect("a second handle");
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = handle(stream);
            }
        });
    }
}
// ANCHOR_END: pool

fn main() -> io::Result<()> {
    let servers: [(&str, Server); 3] = [
        ("one at a time", one_at_a_time),
        ("thread per connection", thread_per_connection),
        ("pool of 2 threads", |listener| pool(listener, 2)),
    ];
    for (name, serve) in servers {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        thread::spawn(move || serve(listener));
        println!(
            "{name:<22} {CLIENTS} clients served in {:?}",
            time_clients(addr)?
        );
    }
    graceful()
}

/// Starts CLIENTS clients at once; returns when the last has its answer.
fn time_clients(addr: SocketAddr) -> io::Result<Duration> {
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| thread::spawn(move || ask(addr, &format!("job {n}"))))
        .collect();
    for client in clients {
        client.join().expect("a client panicked")?;
    }
    Ok(round(started.elapsed()))
}

fn ask(addr: SocketAddr, job: &str) -> io::Result<String> {
    let stream = TcpStream::connect(addr)?;
    (&stream).write_all(format!("{job}\n").as_bytes())?;
    let mut answer = String::new();
    BufReader::new(&stream).read_line(&mut answer)?;
    Ok(answer)
}

fn round(elapsed: Duration) -> Duration {
    Duration::from_millis(elapsed.as_millis() as u64)
}

fn graceful() -> io::Result<()> {
    // ANCHOR: graceful
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let stop = Arc::new(AtomicBool::new(false));
    let server_stop = Arc::clone(&stop);
    let server = thread::spawn(move || {
        let mut connections = Vec::new();
        for stream in listener.incoming().flatten() {
            if server_stop.load(Ordering::SeqCst) {
                break; // the wake-up call below, or a latecomer
            }
            connections.push(thread::spawn(move || handle(stream)));
        }
        drop(listener); // new clients are refused from here on
        let finished = connections.len();
        for connection in connections {
            let _ = connection.join(); // let every current client finish
        }
        finished
    });

    let client = thread::spawn(move || ask(addr, "one last job"));
    thread::sleep(Duration::from_millis(50)); // it is being served now
    stop.store(true, Ordering::SeqCst);
    let _ = TcpStream::connect(addr); // wake the accept loop up
    let finished = server.join().expect("the server panicked");
    let answer = client.join().expect("the client panicked")?;
    println!(
        "shut down after finishing {finished} connection(s); it got {answer:?}"
    );
    // ANCHOR_END: graceful
    Ok(())
}
