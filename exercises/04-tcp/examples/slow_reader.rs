//! Why a chat server must never write to its clients in turn with blocking
//! writes: a client that stops reading fills its buffers, and the next write
//! to it waits for ever, with everyone else waiting behind it. A bounded
//! queue per client turns "stuck" into something the server can see.
//!
//! Run it: `cargo run -p tcp --example slow_reader`

use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{self, TrySendError};
use std::time::{Duration, Instant};

fn main() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let _sleepy_client = TcpStream::connect(listener.local_addr()?)?; // never reads
    let (mut to_sleepy, _) = listener.accept()?;

    // ANCHOR: stall
    // A write timeout, so that this demonstration ends; a server without
    // one would wait here for ever.
    to_sleepy.set_write_timeout(Some(Duration::from_millis(500)))?;
    let line = b"alice: have you seen the new exercise?\n";
    let mut sent = 0;
    let error = loop {
        let started = Instant::now();
        match to_sleepy.write(line) {
            Ok(n) => sent += n,
            Err(e) => break (e, started.elapsed()),
        }
    };
    println!(
        "the buffers took {sent} bytes; the next write waited {:.1?}, then {:?}",
        error.1,
        error.0.kind()
    );
    // ANCHOR_END: stall

    // ANCHOR: queue
    // Each client gets a queue of at most 8 lines, emptied by its own
    // writer thread. Nobody empties this one: the client is stuck.
    let (queue, _writer_end) = mpsc::sync_channel::<Vec<u8>>(8);
    for n in 1.. {
        match queue.try_send(line.to_vec()) {
            Ok(()) => continue,
            Err(TrySendError::Full(_)) => {
                println!("line {n}: the queue is full; disconnect this client");
                break;
            }
            Err(TrySendError::Disconnected(_)) => break,
        }
    }
    // ANCHOR_END: queue
    Ok(())
}
