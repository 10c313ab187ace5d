//! Step 6: many clients at once — a thread per connection, then a bounded
//! pool that shuts down gracefully.
//!
//! Book: "Serving many clients" (chapter TCP). Tests:
//! `tests/step6_many_clients.rs`.
//!
//! A server that serves one client at a time makes every other client wait
//! for the slowest. A thread per connection fixes that, but a thousand
//! clients are then a thousand threads. A pool runs at most N handlers at
//! once: one thread accepts and queues connections, N workers take them
//! from the queue. Shutting down is the reverse: stop accepting, let the
//! workers finish what they took, then join them.
//!
//! ```text
//!             ┌───────────┐  sync_channel   ┌──────────┐
//!  clients ──►│ acceptor  │───► queue ─────►│ worker 1 │──► handler(stream)
//!             │  thread   │       │         ├──────────┤
//!             └───────────┘       └────────►│ worker N │──► handler(stream)
//!                                           └──────────┘
//! ```

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// What a server runs for each connection. An `Arc` so that every thread
/// can hold the same one: `Arc::clone(&handler)` before a `move`.
pub type Handler = Arc<dyn Fn(TcpStream) + Send + Sync>;

/// How often the pool's accepting thread looks at its stop flag: the
/// longest a shutdown can go unnoticed.
pub const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Errors of `accept` that concern one connection (it was reset while
/// queued, a signal came), not the listener. Given.
pub fn is_one_clients_trouble(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}

/// Accepts connections on `listener` for ever, running `handler` for each
/// on a thread of its own.
///
/// Contract:
/// - each accepted connection gets its own thread at once: 50 clients
///   connected together are served together, none waits for another;
/// - a handler that panics ends only its own thread: the server goes on;
/// - an `accept` error for which [`is_one_clients_trouble`] holds is
///   skipped; any other is returned (the only way this function returns).
pub fn serve_thread_per_connection(
    listener: TcpListener,
    handler: Handler,
) -> io::Result<()> {
    // TODO: loop { accept; clone the Arc; thread::spawn(move || …) }.
    todo!("step 6: serve_thread_per_connection")
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
    /// `listener`, and returns at once.
    ///
    /// The task:
    /// - a queue of accepted connections: `mpsc::sync_channel(workers)`;
    ///   its `Receiver` shared by the workers as
    ///   `Arc<Mutex<Receiver<TcpStream>>>`;
    /// - each worker loops: lock, `recv()` one stream, *unlock*, run the
    ///   handler; it ends when `recv` fails (the sender is gone);
    /// - the acceptor owns the listener and the `SyncSender`. A blocking
    ///   `accept` cannot be interrupted, so `set_nonblocking(true)` on the
    ///   listener: `accept` then fails with `WouldBlock` when nobody is
    ///   there; sleep [`POLL_INTERVAL`], look at the stop flag, try again.
    ///   Put each accepted stream back in blocking mode
    ///   (`set_nonblocking(false)`) before queueing it.
    ///
    /// Contract:
    /// - at most `workers` handlers run at once, and every client is
    ///   served in its turn;
    /// - a handler that panics does not cost the pool a worker
    ///   (`panic::catch_unwind(AssertUnwindSafe(|| handler(stream)))`);
    /// - `workers == 0` is refused with `InvalidInput`; an error starting a
    ///   thread or reading the listener's address is returned.
    pub fn start(
        listener: TcpListener,
        workers: usize,
        handler: Handler,
    ) -> io::Result<PoolServer> {
        // TODO: the channel, the workers, the acceptor, the PoolServer.
        todo!("step 6: PoolServer::start")
    }

    /// The address the server listens on (with port 0 given to `bind`, the
    /// real port).
    pub fn addr(&self) -> SocketAddr {
        todo!("step 6: PoolServer::addr")
    }

    /// Shuts the server down gracefully.
    ///
    /// Contract:
    /// - new connections are no longer accepted: once this returns,
    ///   connecting to [`PoolServer::addr`] is refused (the listener is
    ///   closed);
    /// - every connection already accepted runs to its end: this returns
    ///   only after every handler has returned and every thread has been
    ///   joined;
    /// - with no client connected it returns promptly (about one
    ///   [`POLL_INTERVAL`]);
    /// - a thread that panicked is reported as an `io::Error`.
    pub fn shutdown(self) -> io::Result<()> {
        // TODO: set the flag, join the acceptor (its end drops the sender
        // and the listener), then join every worker.
        todo!("step 6: PoolServer::shutdown")
    }
}
