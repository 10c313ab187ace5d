//! Fuzzes `Packet::decode` with arbitrary datagrams.
//!
//! Run it (from `solutions/05-tftp`):
//!
//! ```text
//! cargo install cargo-fuzz
//! cargo +nightly fuzz run decode_packet                 # until stopped
//! cargo +nightly fuzz run decode_packet -- -max_total_time=60
//! ```
//!
//! cargo-fuzz passes `-Z` flags to rustc (sanitizers, coverage counters), so
//! it needs a nightly toolchain; on stable, `RUSTC_BOOTSTRAP=1 cargo fuzz run
//! decode_packet` also works (it lets stable rustc take the `-Z` flags).
//!
//! What it checks, for every input: decoding never panics; and whatever
//! decodes, encoded again, decodes to the very same packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tftp::Packet;

fuzz_target!(|datagram: &[u8]| {
    let Ok(packet) = Packet::decode(datagram) else {
        return;
    };
    let bytes = packet.to_bytes();
    match Packet::decode(&bytes) {
        Ok(again) => assert_eq!(again, packet, "re-encoded as {bytes:?}"),
        Err(e) => panic!("{packet:?} encodes to {bytes:?}, which does not decode: {e}"),
    }
});
