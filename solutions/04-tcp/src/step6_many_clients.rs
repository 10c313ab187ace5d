//! Step 6: many clients at once — a thread per connection, then a bounded
//! pool that shuts down gracefully.
//!
//! A server that serves one client at a time makes every other client wait
//! for the slowest. A thread per connection fixes that, but a thousand
//! clients are then a thousand threads. A pool runs at most N handlers at
//! once: one thread accepts and queues connections, N workers take them
//! from the queue. Shutting down is the reverse: stop accepting, let the
//! workers finish what they took, then join them.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// What a server runs for each connection. An `Arc` so that every thread
/// can hold the same one.
pub type Handler = Arc<dyn Fn(TcpStream) + Send + Sync>;

/// How often the pool's accepting thread looks at its stop flag: the
/// longest a shutdown can go unnoticed.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Accepts connections for ever, running `handler` for each on a thread of
/// its own. Returns only if accepting fails for a reason that is not one
/// client's.
pub fn serve_thread_per_connection(
    listener: TcpListener,
    handler: Handler,
) -> io::Result<()> {
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(error) if is_one_clients_trouble(&error) => continue,
            Err(error) => return Err(error),
        };
        let handler = Arc::clone(&handler);
        // A handler that panics ends its own thread, nothing else. If no
        // thread can be started, this one client goes unserved (the stream
        // is dropped, which closes it) and the server goes on.
        let _ = thread::Builder::new()
            .name("connection".to_string())
            .spawn(move || handler(stream));
    }
}

/// Errors of `accept` that concern one connection (it was reset while
/// queued, a signal came), not the listener.
pub fn is_one_clients_trouble(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}

/// A server that runs at most `workers` handlers at once.
#[derive(Debug)]
pub struct PoolServer {
    /// The address the server listens on.
    addr: SocketAddr,
    /// Tells the accepting thread to stop.
    stop: Arc<AtomicBool>,
    /// The accepting thread; it owns the listener and the queue's sender.
    acceptor: JoinHandle<()>,
    /// The worker threads.
    workers: Vec<JoinHandle<()>>,
}

impl PoolServer {
    /// Starts `workers` worker threads and one accepting thread on
    /// `listener`.
    pub fn start(
        listener: TcpListener,
        workers: usize,
        handler: Handler,
    ) -> io::Result<PoolServer> {
        if workers == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a pool needs at least one worker",
            ));
        }
        let addr = listener.local_addr()?;
        // A blocking `accept` cannot be interrupted; a non-blocking one
        // lets the thread look at its stop flag between connections.
        listener.set_nonblocking(true)?;
        let (queue, waiting) = mpsc::sync_channel::<TcpStream>(workers);
        let waiting = Arc::new(Mutex::new(waiting));
        let workers = (0..workers)
            .map(|n| {
                let waiting = Arc::clone(&waiting);
                let handler = Arc::clone(&handler);
                thread::Builder::new()
                    .name(format!("worker {n}"))
                    .spawn(move || run_worker(&waiting, &handler))
            })
            .collect::<io::Result<Vec<_>>>()?;
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let acceptor = thread::Builder::new()
            .name(format!("acceptor {addr}"))
            .spawn(move || run_acceptor(listener, &queue, &flag))?;
        Ok(PoolServer {
            addr,
            stop,
            acceptor,
            workers,
        })
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets every connection already accepted run to its
    /// end, and returns once every thread has ended.
    pub fn shutdown(self) -> io::Result<()> {
        self.stop.store(true, Ordering::SeqCst);
        // The acceptor's end drops the listener (new clients are refused)
        // and the queue's sender: workers drain the queue, then stop.
        self.acceptor
            .join()
            .map_err(|_| io::Error::other("the accepting thread panicked"))?;
        for worker in self.workers {
            worker
                .join()
                .map_err(|_| io::Error::other("a worker thread panicked"))?;
        }
        Ok(())
    }
}

/// The accepting thread: queues connections until told to stop.
fn run_acceptor(
    listener: TcpListener,
    queue: &SyncSender<TcpStream>,
    stop: &AtomicBool,
) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                // Accepted sockets inherit non-blocking mode on some
                // systems; handlers expect blocking ones.
                if stream.set_nonblocking(false).is_err() {
                    continue;
                }
                // Waits while every worker is busy and the queue is full:
                // new clients then wait in the kernel's accept queue.
                if queue.send(stream).is_err() {
                    return;
                }
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                thread::sleep(POLL_INTERVAL);
            }
            // One client's trouble, or a passing one (out of file
            // descriptors): wait a little and go on.
            Err(_) => thread::sleep(POLL_INTERVAL),
        }
    }
}

/// A worker: takes connections from the queue until it is closed and empty.
fn run_worker(waiting: &Mutex<Receiver<TcpStream>>, handler: &Handler) {
    loop {
        // The lock is held only while taking a connection, not while
        // serving it: the guard is dropped at the end of this statement.
        let next = match waiting.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(stream) = next else {
            return; // the acceptor has ended and the queue is empty
        };
        // A panicking handler must not cost the pool a worker.
        let _ = panic::catch_unwind(AssertUnwindSafe(|| handler(stream)));
    }
}
