// Don't change the tests! `cargo lab check` grades your src/ against the originals.
//! Step 7: the blksize option (RFC 2347, 2348), in the client and the
//! server (book: "Options").

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{
    LIMIT, Root, assert_same_bytes, no_progress, payload, quick_client,
    server_config, start,
};
use support::deadline;
use support::tftp_script::{Pkt, ScriptedClient, ScriptedServer, Step, Transcript};
use tftp::client::{self, ClientOptions, Summary};
use tftp::options::{Limits, OptionError, Options};
use tftp::server::ServerConfig;
use tftp::transfer::TransferError;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn blksize(size: u16) -> Options {
    Options {
        blksize: Some(size),
        ..Options::default()
    }
}

fn asking_for(size: u16) -> ClientOptions {
    ClientOptions {
        blksize: Some(size),
        ..quick_client()
    }
}

fn download(
    server: &ScriptedServer,
    options: ClientOptions,
) -> Result<(Vec<u8>, Summary), TransferError> {
    let addr = server.addr();
    deadline(LIMIT, "your get", move || {
        let mut sink = Vec::new();
        client::get(addr, "f.bin", &mut sink, &options, &mut no_progress())
            .map(|summary| (sink, summary))
    })
}

fn play(addr: SocketAddr, steps: Vec<Step>) -> Transcript {
    deadline(LIMIT, "the exchange with your server", move || {
        ScriptedClient::new(addr).play(steps, Duration::ZERO)
    })
}

/// A server reads `blksize` without case, within 8..=65464, and skips
/// what it cannot use.
#[test]
fn from_request_reads_blksize_within_its_range() {
    deadline(LIMIT, "Options::from_request", || {
        let read =
            |list: &[(&str, &str)]| Options::from_request(&pairs(list)).blksize;
        assert_eq!(read(&[("blksize", "1024")]), Some(1024));
        assert_eq!(
            read(&[("BlkSize", "1428")]),
            Some(1428),
            "names ignore case"
        );
        assert_eq!(read(&[("blksize", "8")]), Some(8));
        assert_eq!(read(&[("blksize", "7")]), None, "below 8 is not a blksize");
        assert_eq!(
            read(&[("blksize", "70000")]),
            Some(65464),
            "lowered to 65464"
        );
        assert_eq!(read(&[("blksize", "1e3")]), None);
        assert_eq!(read(&[("blksize", "+512")]), None);
        assert_eq!(read(&[("blksize", "")]), None);
        assert_eq!(
            read(&[("blksize", "99999999999999999999999")]),
            None,
            "too big for a u64"
        );
        assert_eq!(read(&[("color", "blue"), ("blksize", "600")]), Some(600));
        assert_eq!(read(&[("blksize", "600"), ("blksize", "700")]), Some(600));
        assert_eq!(read(&[]), None);
    });
}

/// A server grants at most its limit.
#[test]
fn negotiate_grants_at_most_the_limit() {
    deadline(LIMIT, "Options::negotiate", || {
        let limits = Limits {
            max_blksize: 1024,
            ..Limits::default()
        };
        assert_eq!(blksize(4096).negotiate(&limits).blksize, Some(1024));
        assert_eq!(blksize(600).negotiate(&limits).blksize, Some(600));
        assert_eq!(Options::default().negotiate(&limits).blksize, None);
    });
}

/// A client takes what it asked for or less, and nothing else.
#[test]
fn check_oack_accepts_only_what_was_asked_or_less() {
    deadline(LIMIT, "Options::check_oack", || {
        let asked = blksize(1024);
        let check = |list: &[(&str, &str)]| asked.check_oack(&pairs(list));
        assert_eq!(
            check(&[("blksize", "1024")]).map(|o| o.blksize),
            Ok(Some(1024))
        );
        assert_eq!(
            check(&[("BLKSIZE", "512")]).map(|o| o.blksize),
            Ok(Some(512))
        );
        assert_eq!(
            check(&[]).map(|o| o.blksize),
            Ok(None),
            "an option may be left out"
        );
        assert!(
            matches!(
                check(&[("blksize", "2048")]),
                Err(OptionError::NotGranted { .. })
            ),
            "a server may not raise blksize"
        );
        assert!(matches!(
            check(&[("blksize", "7")]),
            Err(OptionError::Malformed { .. })
        ));
        assert!(matches!(
            check(&[("blksize", "big")]),
            Err(OptionError::Malformed { .. })
        ));
        assert!(matches!(
            check(&[("blksize", "512"), ("blksize", "512")]),
            Err(OptionError::Duplicate(_))
        ));
        assert!(matches!(
            check(&[("windowsize", "4")]),
            Err(OptionError::NotRequested(_))
        ));
        assert!(matches!(
            check(&[("color", "blue")]),
            Err(OptionError::NotRequested(_))
        ));
    });
}

/// RRQ with blksize, OACK, ACK 0, then blocks of the agreed size.
#[test]
fn get_asks_for_blksize_and_confirms_the_oack_with_ack_0() {
    // The last block, 652 bytes, is short for 1024 but not for 512.
    let file = payload(2700, 1);
    // ACK 0 is due at once, not after the client's timeout of 2 s.
    let server = ScriptedServer::start_with(
        vec![
            Step::Expect(Pkt::rrq_with("f.bin", &[("blksize", "1024")])),
            Step::Send(Pkt::oack(&[("blksize", "1024")])),
            Step::Expect(Pkt::ack(0)),
            Step::SendFile {
                data: file.clone(),
                blksize: 1024,
                first_block: 1,
            },
        ],
        Duration::from_secs(1),
    );
    let options = ClientOptions {
        local_timeout: Duration::from_secs(2),
        ..asking_for(1024)
    };
    let result = download(&server, options);
    server.finish();
    let (got, summary) = result.expect("get failed");
    assert_same_bytes("the downloaded file", &file, &got);
    assert_eq!(summary.blksize, 1024);
}

/// A server may grant less: the client uses what was granted, and a block
/// of 512 is then full, not the last.
#[test]
fn get_uses_a_smaller_blksize_when_granted() {
    let file = payload(1200, 2);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq_with("f.bin", &[("blksize", "1024")])),
        Step::Send(Pkt::oack(&[("blksize", "512")])),
        Step::Expect(Pkt::ack(0)),
        Step::send_file(&file),
    ]);
    let result = download(&server, asking_for(1024));
    server.finish();
    let (got, summary) = result.expect("get failed");
    assert_same_bytes("the downloaded file", &file, &got);
    assert_eq!(summary.blksize, 512);
}

/// A server that ignores options answers with DATA 1: the transfer runs
/// with 512-byte blocks, so a 512-byte DATA is not the end.
#[test]
fn get_falls_back_to_512_when_the_server_ignores_options() {
    let file = payload(1300, 3);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq_with("f.bin", &[("blksize", "1024")])),
        Step::send_file(&file),
    ]);
    let result = download(&server, asking_for(1024));
    server.finish();
    let (got, summary) = result.expect("get failed");
    assert_same_bytes("the downloaded file", &file, &got);
    assert_eq!(summary.blksize, 512);
}

/// An OACK that raises blksize is refused with ERROR 8.
#[test]
fn get_refuses_an_oack_that_raises_blksize() {
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::rrq_with("f.bin", &[("blksize", "1024")])),
        Step::Send(Pkt::oack(&[("blksize", "4096")])),
        Step::Expect(Pkt::error(8, "")),
    ]);
    let result = download(&server, asking_for(1024));
    server.finish();
    assert!(
        matches!(result, Err(TransferError::Options(_))),
        "the OACK raised blksize to 4096; expected Err(Options(_)), got {result:?}"
    );
}

/// An upload with blksize: WRQ, OACK, then DATA 1 of the agreed size.
#[test]
fn put_asks_for_blksize_too() {
    let file = payload(3500, 4);
    let server = ScriptedServer::start(vec![
        Step::Expect(Pkt::wrq_with("up.bin", &[("blksize", "1428")])),
        Step::Send(Pkt::oack(&[("blksize", "1428")])),
        Step::ReceiveFile {
            data: file.clone(),
            blksize: 1428,
        },
    ]);
    let addr = server.addr();
    let result = deadline(LIMIT, "your put", move || {
        client::put(
            addr,
            "up.bin",
            &mut file.as_slice(),
            None,
            &asking_for(1428),
            &mut |_| {},
        )
    });
    server.finish();
    assert_eq!(result.expect("put failed").blksize, 1428);
}

/// The server grants blksize with an OACK, waits for ACK 0, and sends
/// blocks of that size.
#[test]
fn the_server_grants_blksize_with_an_oack() {
    let root = Root::new();
    let file = payload(3000, 5);
    root.write("f.bin", &file);
    let (_server, addr) = start(server_config(root.path()));
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq_with("f.bin", &[("blksize", "1024")])),
            Step::Expect(Pkt::oack(&[("blksize", "1024")])),
            Step::Send(Pkt::ack(0)),
            Step::ReceiveFile {
                data: file,
                blksize: 1024,
            },
        ],
    );
}

/// A lost ACK 0: the server sends its OACK again.
#[test]
fn the_server_sends_its_oack_again_when_ack_0_is_lost() {
    let root = Root::new();
    let file = payload(100, 6);
    root.write("f.bin", &file);
    let (_server, addr) = start(server_config(root.path()));
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq_with("f.bin", &[("blksize", "1024")])),
            Step::Expect(Pkt::oack(&[("blksize", "1024")])),
            Step::Expect(Pkt::oack(&[("blksize", "1024")])),
            Step::Send(Pkt::ack(0)),
            Step::ReceiveFile {
                data: file,
                blksize: 1024,
            },
        ],
    );
}

/// The server lowers blksize to its limit, and ignores one out of range.
#[test]
fn the_server_keeps_to_its_limits() {
    let root = Root::new();
    let file = payload(1500, 7);
    root.write("f.bin", &file);
    let config = ServerConfig {
        limits: Limits {
            max_blksize: 600,
            ..Limits::default()
        },
        ..server_config(root.path())
    };
    let (_server, addr) = start(config);
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq_with("f.bin", &[("blksize", "1024")])),
            Step::Expect(Pkt::oack(&[("blksize", "600")])),
            Step::Send(Pkt::ack(0)),
            Step::ReceiveFile {
                data: file.clone(),
                blksize: 600,
            },
        ],
    );
    // blksize 4 is no blksize: no OACK, plain RFC 1350.
    play(
        addr,
        vec![
            Step::Send(Pkt::rrq_with("f.bin", &[("blksize", "4")])),
            Step::receive_file(&file),
        ],
    );
}

/// An upload with blksize to the server: OACK instead of ACK 0.
#[test]
fn the_server_accepts_an_upload_with_blksize() {
    let root = Root::new();
    let file = payload(2700, 8);
    let config = ServerConfig {
        allow_create: true,
        ..server_config(root.path())
    };
    let (_server, addr) = start(config);
    play(
        addr,
        vec![
            Step::Send(Pkt::wrq_with("up.bin", &[("blksize", "1000")])),
            Step::Expect(Pkt::oack(&[("blksize", "1000")])),
            Step::SendFile {
                data: file.clone(),
                blksize: 1000,
                first_block: 1,
            },
        ],
    );
    assert_same_bytes(
        "the uploaded file",
        &file,
        &std::fs::read(root.join("up.bin")).unwrap(),
    );
}
