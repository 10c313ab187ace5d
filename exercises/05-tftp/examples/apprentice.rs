//! The Sorcerer's Apprentice bug, simulated: the same transfer twice over
//! a make-believe network in which ACK 3 is delayed once, past the
//! sender's timeout. A sender that answers a duplicate ACK by sending its
//! DATA again ends up sending every later block twice; one that answers
//! only its timer (RFC 1123, 4.2.3.1) pays for the delay with one packet.
//!
//! No sockets: time is simulated, so every run prints the same.
//! Run it: `cargo run -p tftp --example apprentice`

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Blocks in the file.
const BLOCKS: u16 = 10;
/// One way across the network, in milliseconds.
const LATENCY: u64 = 10;
/// The sender's retransmission timeout.
const TIMEOUT: u64 = 50;
/// The first copy of this ACK takes this much longer than the others.
const DELAYED_ACK: u16 = 3;
const EXTRA_DELAY: u64 = 60;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Event {
    /// DATA n arrives at the receiver.
    Data(u16),
    /// ACK n arrives at the sender.
    Ack(u16),
    /// The sender's timer for block n goes off.
    Timer(u16),
}

// ANCHOR: sender
/// What the sender does with an ACK, the only difference between the two.
#[derive(Clone, Copy, PartialEq)]
enum Sender {
    /// RFC 1350's letter: an old duplicate is answered with the current
    /// packet, so a duplicate ACK brings the current DATA again.
    AnswersDuplicates,
    /// The fix: a duplicate ACK is ignored; only a timeout resends.
    WaitsForItsTimer,
}
// ANCHOR_END: sender

/// The simulated world: what happens next, and what was sent.
struct World {
    /// (time, order of scheduling, event), earliest first.
    queue: BinaryHeap<Reverse<(u64, u64, Event)>>,
    scheduled: u64,
    /// How many times each block's DATA was sent (index 0 unused).
    copies: Vec<u32>,
}

impl World {
    fn at(&mut self, time: u64, event: Event) {
        self.scheduled += 1;
        self.queue.push(Reverse((time, self.scheduled, event)));
    }

    /// The sender sends DATA `block` and starts its timer.
    fn send_data(&mut self, now: u64, block: u16) {
        self.copies[usize::from(block)] += 1;
        self.at(now + LATENCY, Event::Data(block));
        self.at(now + TIMEOUT, Event::Timer(block));
    }
}

/// Runs one transfer; returns how many times each block's DATA was sent.
fn simulate(sender: Sender) -> Vec<u32> {
    let mut world = World {
        queue: BinaryHeap::new(),
        scheduled: 0,
        copies: vec![0; usize::from(BLOCKS) + 1],
    };
    let mut current = 1; // the block the sender waits to see acknowledged
    let mut expected = 1; // the block the receiver waits for
    let mut delayed_once = false;
    world.send_data(0, 1);
    while let Some(Reverse((now, _, event))) = world.queue.pop() {
        match event {
            // ANCHOR: receiver
            // The receiver acknowledges every DATA, new or repeated.
            Event::Data(block) => {
                if block == expected {
                    expected += 1;
                }
                let mut delay = LATENCY;
                if block == DELAYED_ACK && !delayed_once {
                    delayed_once = true;
                    delay += EXTRA_DELAY;
                }
                world.at(now + delay, Event::Ack(block));
            }
            // ANCHOR_END: receiver
            // ANCHOR: on_ack
            Event::Ack(block) if block == current => {
                if current == BLOCKS {
                    break; // the last ACK: done
                }
                current += 1;
                world.send_data(now, current);
            }
            Event::Ack(block) if block + 1 == current => {
                // A duplicate of the previous ACK.
                if sender == Sender::AnswersDuplicates {
                    world.send_data(now, current);
                }
            }
            Event::Ack(_) => {}
            Event::Timer(block) if block == current => {
                world.send_data(now, current);
            }
            Event::Timer(_) => {} // a timer for a block since acknowledged
                                  // ANCHOR_END: on_ack
        }
    }
    world.copies
}

fn main() {
    // ANCHOR: main
    let naive = simulate(Sender::AnswersDuplicates);
    let fixed = simulate(Sender::WaitsForItsTimer);
    println!("ACK {DELAYED_ACK} is late once; DATA sent for each block:");
    println!("block   answers duplicates   waits for its timer");
    for block in 1..=usize::from(BLOCKS) {
        println!("{block:>5}   {:>18}   {:>19}", naive[block], fixed[block]);
    }
    let total = |copies: &[u32]| copies.iter().sum::<u32>();
    println!("total   {:>18}   {:>19}", total(&naive), total(&fixed));
    // ANCHOR_END: main
}
