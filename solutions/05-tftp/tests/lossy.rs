//! `tftp` and `tftpd` through a lossy network (the `support` crate's proxy:
//! drops, duplicates, reorders): every transfer still ends byte-identical,
//! and the proxy's log shows that the sender resent only what was lost —
//! no Sorcerer's Apprentice.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{Root, Server, assert_same_bytes, payload, read};
use support::deadline;
use support::proxy::{Direction, LossPlan, LossyProxy, ProxyCounts, SeenDatagram};

/// The longest wait before a retransmission, in whole seconds (the unit of
/// the binaries' --timeout and of RFC 2349); the senders adapt below it to
/// the measured round trip. A silence budget of 8 × 1 s: plenty when both
/// sides are ours and resend within milliseconds.
const TIMEOUT_FLAGS: &[&str] = &["--timeout", "1", "--retries", "8"];

/// The blocks of the test file: 60 blocks of 512 bytes and a short one.
const BLOCKS: usize = 61;
const FILE_LEN: usize = (BLOCKS - 1) * 512 + 100;

const LIMIT: Duration = Duration::from_secs(120);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Way {
    Get,
    Put,
}

impl Way {
    /// The direction in which the DATA packets travel.
    fn data_direction(self) -> Direction {
        match self {
            Way::Get => Direction::ToClient,
            Way::Put => Direction::ToServer,
        }
    }
}

/// What one transfer through the proxy did.
struct Trip {
    what: String,
    /// How many times the sender sent each DATA block (as the proxy received
    /// them: the proxy's own duplicates are not counted).
    sends: BTreeMap<u16, u32>,
    counts: ProxyCounts,
    /// The first datagrams through the proxy, one per line, for messages.
    opening: String,
}

impl Trip {
    fn resends(&self) -> u32 {
        self.sends.values().sum::<u32>() - self.sends.len() as u32
    }

    fn resent_blocks(&self) -> Vec<(u16, u32)> {
        let resent = self.sends.iter().filter(|(_, n)| **n > 1);
        resent.map(|(b, n)| (*b, *n)).collect()
    }
}

/// Moves the test file `way` through a proxy following `plan`, checks it
/// arrived byte-identical and returns what the proxy saw.
fn trip(way: Way, window: usize, plan: LossPlan) -> Trip {
    let root = Root::new();
    let bytes = payload(FILE_LEN, plan.seed);
    root.write("f", &bytes);
    let mut server_flags = vec!["--allow-write", "--allow-create"];
    server_flags.extend_from_slice(TIMEOUT_FLAGS);
    let server = Server::start(root.path(), &server_flags);
    let proxy = LossyProxy::start(server.addr(), plan.clone()).expect("the proxy");
    let host = proxy.addr().to_string();
    let w = window.to_string();
    let mut flags = vec!["--windowsize", w.as_str()];
    flags.extend_from_slice(TIMEOUT_FLAGS);

    let out = Root::new();
    let (outcome, landed) = match way {
        Way::Get => {
            let local = out.join("f");
            (common::get(&host, "f", &local, &flags), local)
        }
        Way::Put => {
            let local = out.write("f", &bytes);
            (common::put(&host, &local, "up", &flags), root.join("up"))
        }
    };
    let what = format!(
        "{way:?} of {FILE_LEN} bytes, window {window}, through a proxy with drop {} \
         duplicate {} reorder {} forced drops {:?} (seed {})",
        plan.drop, plan.duplicate, plan.reorder, plan.forced_drops, plan.seed
    );
    let log = proxy.datagrams();
    let counts = proxy.stop();
    assert!(
        outcome.succeeded(),
        "{what}: `{}` failed:\n{}\nproxy counts: {counts:?}\nserver log:\n{}",
        outcome.command,
        outcome.explain(),
        server.log()
    );
    assert_same_bytes(&what, &bytes, &read(&landed, &what), 512);
    let opening = log.iter().take(40).map(describe).collect::<Vec<_>>();
    let sends = data_sends(&log, way.data_direction());
    Trip {
        what,
        sends,
        counts,
        opening: opening.join("\n"),
    }
}

/// DATA packets per block number, as the sender sent them to the proxy.
fn data_sends(log: &[SeenDatagram], direction: Direction) -> BTreeMap<u16, u32> {
    let mut sends = BTreeMap::new();
    for datagram in log.iter().filter(|d| d.direction == direction) {
        if let [0, 3, hi, lo, ..] = datagram.head[..] {
            *sends.entry(u16::from_be_bytes([hi, lo])).or_insert(0) += 1;
        }
    }
    sends
}

/// One line per datagram of the proxy's log: direction, ports, packet, fate.
fn describe(d: &SeenDatagram) -> String {
    let word = |at: usize| {
        d.head
            .get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    };
    let packet = match (word(0), word(2)) {
        (Some(1), _) => "RRQ".to_string(),
        (Some(2), _) => "WRQ".to_string(),
        (Some(3), Some(block)) => format!("DATA {block} ({} bytes)", d.len - 4),
        (Some(4), Some(block)) => format!("ACK {block}"),
        (Some(5), Some(code)) => format!("ERROR {code}"),
        (Some(6), _) => "OACK".to_string(),
        _ => format!("{} bytes", d.len),
    };
    let (from, to) = (d.from.port(), d.to.port());
    format!("  {} {from} -> {to}: {packet} [{}]", d.direction, d.fate)
}

/// Lock-step transfers on a network that duplicates a third of all
/// datagrams (and loses none): every block is sent exactly once. A sender
/// that answers a duplicate ACK with its next DATA — the Sorcerer's
/// Apprentice bug of RFC 1350 — sends every block from then on twice.
#[test]
fn duplicated_packets_never_make_a_lockstep_sender_resend() {
    deadline(LIMIT, "lock-step transfers with duplicates", || {
        for way in [Way::Get, Way::Put] {
            for seed in [1, 2] {
                let plan = LossPlan::perfect().with_seed(seed).with_duplicate(0.3);
                let trip = trip(way, 1, plan);
                assert_eq!(
                    trip.sends.len(),
                    BLOCKS,
                    "{}: {:?}",
                    trip.what,
                    trip.sends
                );
                assert!(
                    trip.resent_blocks().is_empty(),
                    "{}: nothing was lost, yet these blocks were sent more than once \
                     (block, times): {:?} — the sender answers duplicate ACKs \
                     (Sorcerer's Apprentice); proxy counts: {:?}; the first \
                     datagrams:\n{}",
                    trip.what,
                    trip.resent_blocks(),
                    trip.counts,
                    trip.opening
                );
            }
        }
    });
}

/// Every resend must have a cause: a lost, duplicated or reordered datagram
/// can cost at most one window of DATA. `duplicates_cost` is false in
/// lock-step, where a duplicate must cost nothing. Returns what is wrong.
fn unexplained_resends(
    trip: &Trip,
    window: u32,
    duplicates_cost: bool,
) -> Option<String> {
    let c = &trip.counts;
    let both = [c.to_server, c.to_client];
    let dropped: u64 = both.iter().map(|d| d.dropped).sum();
    let duplicated: u64 = both.iter().map(|d| d.duplicated).sum();
    let reordered: u64 = both.iter().map(|d| d.reordered).sum();
    let causes =
        (dropped + reordered + if duplicates_cost { duplicated } else { 0 }) as u32;
    let allowed = window * causes + 2 * window + 3;
    let resends = trip.resends();
    (resends > allowed).then(|| {
        format!(
            "{}: the sender resent {resends} DATA packets for {causes} mishaps \
             ({dropped} dropped, {duplicated} duplicated, {reordered} reordered); at most \
             {allowed} (a window per mishap) were needed. Resent blocks (block, times): \
             {:?}",
            trip.what,
            trip.resent_blocks()
        )
    })
}

fn assert_resends_are_explained(trip: &Trip, window: u32, duplicates_cost: bool) {
    if let Some(problem) = unexplained_resends(trip, window, duplicates_cost) {
        panic!("{problem}\nthe first datagrams:\n{}", trip.opening);
    }
}

/// Lock-step get and put through 10 % loss, 5 % duplication and 5 %
/// reordering, with several seeds: byte-identical, and no more resends than
/// lost or reordered datagrams.
#[test]
fn lockstep_transfers_survive_loss_duplication_and_reordering() {
    deadline(LIMIT, "lock-step transfers through a lossy proxy", || {
        for way in [Way::Get, Way::Put] {
            for seed in [11, 12, 13] {
                let plan = LossPlan::lossy(seed, 0.1)
                    .with_duplicate(0.05)
                    .with_reorder(0.05);
                assert_resends_are_explained(&trip(way, 1, plan), 1, false);
            }
        }
    });
}

/// Windowed (8) get and put through the same network: byte-identical, and at
/// most a window of resends per mishap.
#[test]
fn windowed_transfers_survive_loss_duplication_and_reordering() {
    deadline(LIMIT, "windowed transfers through a lossy proxy", || {
        for way in [Way::Get, Way::Put] {
            for seed in [21, 22, 23] {
                let plan = LossPlan::lossy(seed, 0.1)
                    .with_duplicate(0.05)
                    .with_reorder(0.05);
                assert_resends_are_explained(&trip(way, 8, plan), 8, true);
            }
        }
    });
}

/// One datagram lost at the start of a transfer — the request, the OACK,
/// its ACK 0, the first DATA or ACK — costs at most one window of resends;
/// it must not start a cascade in which every block is sent twice (each
/// duplicate ACK answered by a window, each duplicate window by an ACK).
#[test]
fn one_early_loss_costs_at_most_one_window() {
    deadline(LIMIT, "transfers losing one early packet", || {
        let mut problems = Vec::new();
        let mut first_opening = None;
        for way in [Way::Get, Way::Put] {
            for window in [1, 8] {
                for (direction, nth) in [
                    (Direction::ToServer, 1),
                    (Direction::ToServer, 2),
                    (Direction::ToClient, 1),
                    (Direction::ToClient, 2),
                ] {
                    let plan = LossPlan::perfect().with_drop_of(direction, nth);
                    let trip = trip(way, window, plan);
                    if let Some(problem) =
                        unexplained_resends(&trip, window as u32, true)
                    {
                        problems.push(problem);
                        first_opening.get_or_insert(trip.opening);
                    }
                }
            }
        }
        assert!(
            problems.is_empty(),
            "{} of 16 transfers resent too much:\n{}\nthe first datagrams of the first:\n{}",
            problems.len(),
            problems.join("\n"),
            first_opening.unwrap_or_default()
        );
    });
}
