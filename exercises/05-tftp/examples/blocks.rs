//! The DATA packets a file of a given size becomes: how many, how long the
//! last one is, and what block numbers go on the wire once they pass 65535.
//!
//! Run it: `cargo run -p tftp --example blocks -- 1200 1024 0 40000000`
//! (file sizes in bytes; add `--blksize N` for another block size)

// ANCHOR: end_rule
/// The number of DATA packets for a file of `size` bytes: one per full
/// block, plus the short (maybe empty) one that ends the transfer.
fn data_packets(size: u64, blksize: u64) -> u64 {
    size / blksize + 1
}

/// The length of the last DATA's payload: always shorter than `blksize`.
fn last_block_len(size: u64, blksize: u64) -> u64 {
    size % blksize
}
// ANCHOR_END: end_rule

// ANCHOR: rollover
/// What the n-th block (counting from 1, in a u64) is called on the wire.
fn wire_number(n: u64) -> u16 {
    (n % 65_536) as u16
}
// ANCHOR_END: rollover

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut blksize = 512;
    if let Some(at) = args.iter().position(|a| a == "--blksize") {
        blksize = args.get(at + 1).and_then(|n| n.parse().ok()).unwrap_or(512);
        args.drain(at..(at + 2).min(args.len()));
    }
    if args.is_empty() {
        args = ["1200", "1024", "0", "40000000"].map(String::from).to_vec();
    }
    for size in args.iter().filter_map(|a| a.parse::<u64>().ok()) {
        let count = data_packets(size, blksize);
        let last = last_block_len(size, blksize);
        print!(
            "{size} bytes in blocks of {blksize}: {count} DATA, the last with {last} bytes"
        );
        if count > 65_535 {
            // The blocks on each side of the first rollover.
            let around: Vec<String> = (65_534..=65_538)
                .map(|n| format!("{n} is {}", wire_number(n)))
                .collect();
            print!("; on the wire block {}", around.join(", "));
        }
        println!();
    }
}
