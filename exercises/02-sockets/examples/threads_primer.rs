//! The four tools of concurrency this workbook's servers are built from:
//! a thread, a shared flag in an `Arc`, a channel, and `join`.
//!
//! Run it: `cargo run -p sockets --example threads_primer`

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

fn main() {
    // ANCHOR: spawn
    // `move` hands `name` to the new thread: the thread may outlive this
    // function, so it cannot borrow from it.
    let name = String::from("worker");
    let handle = thread::spawn(move || {
        println!("{name}: hello from another thread");
        42 // what the thread returns, collected by `join`
    });
    let answer = handle.join().expect("the thread panicked");
    println!("main: the worker returned {answer}");
    // ANCHOR_END: spawn

    // ANCHOR: stop_flag
    // One flag, two owners: `Arc` counts them, `AtomicBool` lets both touch
    // it without a lock. This is how a server thread is told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let server = thread::spawn(move || {
        let mut rounds = 0;
        while !flag.load(Ordering::SeqCst) {
            // A real server waits here for a client, for at most 50 ms.
            thread::sleep(Duration::from_millis(50));
            rounds += 1;
        }
        rounds
    });
    thread::sleep(Duration::from_millis(200));
    stop.store(true, Ordering::SeqCst);
    let rounds = server.join().expect("the server thread panicked");
    println!("main: the server noticed the flag after {rounds} rounds");
    // ANCHOR_END: stop_flag

    // ANCHOR: channel
    // A channel carries values from threads to one receiver. The receiving
    // loop ends by itself once every `Sender` is gone.
    let (sender, receiver) = mpsc::channel();
    for id in 1..=3 {
        let sender = sender.clone();
        thread::spawn(move || {
            sender.send(format!("line from thread {id}")).unwrap();
        });
    }
    drop(sender); // our own copy: without this, the loop below never ends
    let mut lines: Vec<String> = receiver.iter().collect();
    lines.sort(); // threads finish in any order
    println!("main: received {lines:?}");
    // ANCHOR_END: channel
}
