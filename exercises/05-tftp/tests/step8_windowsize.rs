// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 8, the final challenge: the windowsize option (RFC 7440), a window
//! of blocks per ACK, and a lost block repaired without waiting for a
//! timeout (book: "Windows").

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{
    LIMIT, Root, assert_same_bytes, no_progress, patient_client, payload,
    server_config, start,
};
use support::deadline;
use support::proxy::{LossPlan, LossyProxy};
use support::tftp_script::{Pkt, ScriptedClient, ScriptedServer, Step};
use tftp::client::{self, ClientOptions};
use tftp::options::{Limits, OptionError, Options};
use tftp::server::ServerConfig;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn window(size: u16, local_timeout: Duration) -> ClientOptions {
    ClientOptions {
        windowsize: Some(size),
        local_timeout,
        retries: 4,
        ..ClientOptions::default()
    }
}

/// The DATA packets of blocks `from..=to` of `file` (512-byte blocks).
fn blocks(file: &[u8], from: u16, to: u16) -> Vec<Step> {
    (from..=to)
        .map(|n| {
            let start = (usize::from(n) - 1) * 512;
            let end = (start + 512).min(file.len());
            Step::Send(Pkt::data(n, &file[start..end]))
        })
        .collect()
}

/// The same, expected rather than sent.
fn expect_blocks(file: &[u8], from: u16, to: u16) -> Vec<Step> {
    (from..=to)
        .map(|n| {
            let start = (usize::from(n) - 1) * 512;
            let end = (start + 512).min(file.len());
            Step::Expect(Pkt::data(n, &file[start..end]))
        })
        .collect()
}

fn download(server: &ScriptedServer, options: ClientOptions) -> Vec<u8> {
    let addr = server.addr();
    deadline(LIMIT, "your get with a window", move || {
        let mut sink = Vec::new();
        client::get(addr, "f.bin", &mut sink, &options, &mut no_progress())
            .expect("get failed");
        sink
    })
}

/// `windowsize` is read like `blksize`: 1..=65535, without case.
#[test]
fn from_request_reads_windowsize() {
    deadline(LIMIT, "Options::from_request", || {
        let read =
            |list: &[(&str, &str)]| Options::from_request(&pairs(list)).windowsize;
        assert_eq!(read(&[("windowsize", "8")]), Some(8));
        assert_eq!(read(&[("WINDOWSIZE", "1")]), Some(1));
        assert_eq!(
            read(&[("windowsize", "0")]),
            None,
            "a window of 0 is no window"
        );
        assert_eq!(read(&[("windowsize", "70000")]), Some(65535));
        assert_eq!(read(&[("windowsize", "-4")]), None);
        let both = Options::from_request(&pairs(&[
            ("blksize", "1024"),
            ("windowsize", "4"),
        ]));
        assert_eq!((both.blksize, both.windowsize), (Some(1024), Some(4)));
    });
}

/// A server lowers the window to its limit; a client refuses a raised one.
#[test]
fn windows_are_lowered_never_raised() {
    deadline(LIMIT, "negotiate and check_oack", || {
        let asked = Options {
            windowsize: Some(16),
            ..Options::default()
        };
        let limits = Limits {
            max_windowsize: 4,
            ..Limits::default()
        };
        assert_eq!(asked.negotiate(&limits).windowsize, Some(4));
        assert_eq!(
            asked
                .check_oack(&pairs(&[("windowsize", "8")]))
                .map(|o| o.windowsize),
            Ok(Some(8))
        );
        assert!(matches!(
            asked.check_oack(&pairs(&[("windowsize", "32")])),
            Err(OptionError::NotGranted { .. })
        ));
        assert!(matches!(
            asked.check_oack(&pairs(&[("windowsize", "0")])),
            Err(OptionError::Malformed { .. })
        ));
    });
}

/// With a window of 4 the client acknowledges blocks 4, 8 and the last,
/// not each block.
#[test]
fn get_acknowledges_once_per_window() {
    let file = payload(8 * 512 + 100, 1);
    let mut steps = vec![
        Step::Expect(Pkt::rrq_with("f.bin", &[("windowsize", "4")])),
        Step::Send(Pkt::oack(&[("windowsize", "4")])),
        Step::Expect(Pkt::ack(0)),
    ];
    steps.extend(blocks(&file, 1, 4));
    steps.push(Step::Expect(Pkt::ack(4)));
    steps.extend(blocks(&file, 5, 8));
    steps.push(Step::Expect(Pkt::ack(8)));
    steps.extend(blocks(&file, 9, 9));
    steps.push(Step::Expect(Pkt::ack(9)));
    let server = ScriptedServer::start(steps);
    let got = download(&server, window(4, Duration::from_secs(1)));
    let transcript = server.finish();
    assert_same_bytes("the downloaded file", &file, &got);
    let acks = transcript
        .seen
        .iter()
        .filter(|s| matches!(s.packet(), Some(Pkt::Ack { .. })))
        .count();
    assert!(
        acks <= 5,
        "ACK 0, 4, 8 and 9 were due; your client sent {acks} ACKs"
    );
}

/// DATA 3 is lost: DATA 4 arrives early, and the client says ACK 2 at
/// once, long before its timeout; the server goes on from block 3.
#[test]
fn get_reports_a_gap_at_once() {
    let file = payload(6 * 512 + 10, 2);
    let mut steps = vec![
        Step::Expect(Pkt::rrq_with("f.bin", &[("windowsize", "4")])),
        Step::Send(Pkt::oack(&[("windowsize", "4")])),
        Step::Expect(Pkt::ack(0)),
    ];
    steps.extend(blocks(&file, 1, 2));
    steps.extend(blocks(&file, 4, 4));
    steps.push(Step::Expect(Pkt::ack(2)));
    steps.extend(blocks(&file, 3, 6));
    steps.push(Step::Expect(Pkt::ack(6)));
    steps.extend(blocks(&file, 7, 7));
    steps.push(Step::Expect(Pkt::ack(7)));
    // Half a second to report the gap, against a client timeout of 2 s:
    // only the gap rule, not a timeout, can be that quick.
    let server = ScriptedServer::start_with(steps, Duration::from_millis(500));
    let got = download(&server, window(4, Duration::from_secs(2)));
    server.finish();
    assert_same_bytes(
        "the downloaded file (DATA 4 came before DATA 3)",
        &file,
        &got,
    );
}

fn play(addr: SocketAddr, steps: Vec<Step>, patience: Duration) {
    deadline(LIMIT, "the exchange with your server", move || {
        ScriptedClient::new(addr)
            .with_patience(patience)
            .play(steps, Duration::ZERO)
    });
}

/// The server sends a whole window before it waits for an ACK.
#[test]
fn the_server_sends_a_window_before_waiting() {
    let root = Root::new();
    let file = payload(8 * 512 + 30, 3);
    root.write("f.bin", &file);
    let config = ServerConfig {
        timeout: Duration::from_secs(2),
        ..server_config(root.path())
    };
    let (_server, addr) = start(config);
    let mut steps = vec![
        Step::Send(Pkt::rrq_with("f.bin", &[("windowsize", "4")])),
        Step::Expect(Pkt::oack(&[("windowsize", "4")])),
        Step::Send(Pkt::ack(0)),
    ];
    steps.extend(expect_blocks(&file, 1, 4));
    steps.push(Step::Send(Pkt::ack(4)));
    steps.extend(expect_blocks(&file, 5, 8));
    steps.push(Step::Send(Pkt::ack(8)));
    steps.extend(expect_blocks(&file, 9, 9));
    steps.push(Step::Send(Pkt::ack(9)));
    play(addr, steps, Duration::from_millis(800));
}

/// After DATA 1–4 the client says ACK 2 (3 was lost): the server sends 3,
/// 4, 5, 6 at once, without waiting for its timeout.
#[test]
fn the_server_goes_on_from_a_gap_report_at_once() {
    let root = Root::new();
    let file = payload(8 * 512 + 40, 4);
    root.write("f.bin", &file);
    let config = ServerConfig {
        timeout: Duration::from_secs(3),
        ..server_config(root.path())
    };
    let (_server, addr) = start(config);
    let mut steps = vec![
        Step::Send(Pkt::rrq_with("f.bin", &[("windowsize", "4")])),
        Step::Expect(Pkt::oack(&[("windowsize", "4")])),
        Step::Send(Pkt::ack(0)),
    ];
    steps.extend(expect_blocks(&file, 1, 4));
    steps.push(Step::Send(Pkt::ack(2)));
    steps.extend(expect_blocks(&file, 3, 6));
    steps.push(Step::Send(Pkt::ack(6)));
    steps.extend(expect_blocks(&file, 7, 9));
    steps.push(Step::Send(Pkt::ack(9)));
    // Patience of 1 s against a server timeout of 3 s.
    play(addr, steps, Duration::from_secs(1));
}

/// The server grants at most its limit.
#[test]
fn the_server_grants_a_window_within_its_limit() {
    let root = Root::new();
    let file = payload(3 * 512 + 1, 5);
    root.write("f.bin", &file);
    let config = ServerConfig {
        limits: Limits {
            max_windowsize: 2,
            ..Limits::default()
        },
        ..server_config(root.path())
    };
    let (_server, addr) = start(config);
    let mut steps = vec![
        Step::Send(Pkt::rrq_with("f.bin", &[("windowsize", "8")])),
        Step::Expect(Pkt::oack(&[("windowsize", "2")])),
        Step::Send(Pkt::ack(0)),
    ];
    steps.extend(expect_blocks(&file, 1, 2));
    steps.push(Step::Send(Pkt::ack(2)));
    steps.extend(expect_blocks(&file, 3, 4));
    steps.push(Step::Send(Pkt::ack(4)));
    play(addr, steps, Duration::from_secs(1));
}

/// Your client and your server with blksize 1024 and a window of 8,
/// through a proxy that loses 15 % and reorders 5 % of the datagrams.
#[test]
fn a_windowed_download_survives_a_lossy_network() {
    let root = Root::new();
    let file = payload(200 * 1024 + 3, 6);
    root.write("f.bin", &file);
    let config = ServerConfig {
        timeout: Duration::from_millis(150),
        retries: 12,
        ..server_config(root.path())
    };
    let (_server, addr) = start(config);
    let proxy = LossyProxy::start(addr, LossPlan::lossy(5, 0.15).with_reorder(0.05))
        .unwrap();
    let via = proxy.addr();
    let got = deadline(LIMIT, "your get through a lossy proxy", move || {
        let options = ClientOptions {
            blksize: Some(1024),
            windowsize: Some(8),
            ..patient_client()
        };
        let mut sink = Vec::new();
        client::get(via, "f.bin", &mut sink, &options, &mut no_progress())
            .map(|_| sink)
    });
    assert_same_bytes(
        "the file through a lossy proxy",
        &file,
        &got.expect("a windowed get through the lossy proxy failed"),
    );
}
