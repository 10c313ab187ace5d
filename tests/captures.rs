//! The packet captures the book reads (`book/captures/*.pcapng`, made by
//! `scripts/captures.sh`): `tshark -r` reads each one, each holds the
//! packets its page talks about, and the quiz questions answered from a
//! capture have the answer the capture gives.
//!
//! Without tshark each test says so and passes; with
//! `NETLAB_REQUIRE_PEERS=1` (CI, where `.ci/install-peers` installs it) a
//! missing tshark fails.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use netlab::quiz::{self, Kind};
use netlab::workbook::Workbook;
use support::deadline;

/// How long one `tshark -r` of a tiny file may take, on a loaded machine.
const TSHARK_LIMIT: Duration = Duration::from_secs(60);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn capture(name: &str) -> PathBuf {
    root().join("book/captures").join(format!("{name}.pcapng"))
}

/// Whether tshark is here; when it is not, says so (or fails the test when
/// the environment demands every peer).
fn tshark_available() -> bool {
    let found = Command::new("tshark")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        let message = "tshark is not installed (apt-get install tshark; \
                       .ci/install-peers does it)";
        if std::env::var("NETLAB_REQUIRE_PEERS").as_deref() == Ok("1") {
            panic!("{message}, and NETLAB_REQUIRE_PEERS=1 requires it");
        }
        eprintln!("skipped: {message}");
    }
    found
}

/// One line per packet: the fields asked for, separated by `|`, as
/// `tshark -r FILE -T fields` prints them (after `extra` arguments such
/// as a decode-as).
fn fields(name: &str, extra: &[&str], wanted: &[&str]) -> Vec<Vec<String>> {
    let file = capture(name);
    let mut args: Vec<String> =
        vec!["-n".into(), "-r".into(), file.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    args.extend(["-T", "fields", "-E", "separator=|"].map(String::from));
    for field in wanted {
        args.push("-e".into());
        args.push(field.to_string());
    }
    let what = format!("tshark -r {name}.pcapng");
    let output = deadline(TSHARK_LIMIT, &what.clone(), move || {
        Command::new("tshark")
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .expect("running tshark")
    });
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.split('|').map(str::to_owned).collect())
        .collect()
}

/// The answer the chapter's quiz gives to question `id`.
fn quiz_answer(package: &str, id: &str) -> Vec<String> {
    let workbook = Workbook::load(&root()).expect("reading the workbook");
    let exercise = workbook.exercise(package).expect("the chapter's exercise");
    let quiz = quiz::load(&workbook, exercise).expect("the chapter's quiz");
    let question = quiz
        .questions
        .iter()
        .find(|q| q.id == id)
        .unwrap_or_else(|| panic!("{} has no question `{id}`", quiz.file));
    match &question.kind {
        Kind::Short { answers } => answers.clone(),
        Kind::Choice { options, correct } => {
            correct.iter().map(|&i| options[i].clone()).collect()
        }
    }
}

/// Every capture the book reads is there and tshark reads it.
#[test]
fn tshark_reads_every_capture() {
    if !tshark_available() {
        return;
    }
    for name in [
        "udp-echo",
        "icmp-unreachable",
        "tcp-session",
        "tcp-reset",
        "tftp-lost-ack",
    ] {
        let packets = fields(name, &[], &["frame.number"]);
        assert!(
            !packets.is_empty(),
            "{name}.pcapng holds no packets (run sudo bash scripts/captures.sh {name})"
        );
    }
}

/// The UDP echo capture: three datagrams to port 7000 from one client port,
/// each echoed back from 7000, the first a 47-byte frame carrying `hello`.
#[test]
fn udp_echo_capture_holds_three_requests_and_their_echoes() {
    if !tshark_available() {
        return;
    }
    let packets = fields(
        "udp-echo",
        &[],
        &["frame.len", "udp.srcport", "udp.dstport", "data.data"],
    );
    assert_eq!(
        packets.len(),
        6,
        "three requests and three echoes: {packets:?}"
    );
    let client_port = &packets[0][1];
    let hex = |text: &str| {
        text.bytes()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join("")
    };
    for (pair, message) in packets.chunks(2).zip(["hello", "ping", "bye"]) {
        let (request, echo) = (&pair[0], &pair[1]);
        assert_eq!((&request[1], request[2].as_str()), (client_port, "7000"));
        assert_eq!((echo[1].as_str(), &echo[2]), ("7000", client_port));
        assert_eq!(request[3].replace(':', ""), hex(message));
        assert_eq!(echo[3], request[3], "the echo carries the same bytes");
    }
    assert_eq!(packets[0][0], "47");
    assert!(
        quiz_answer("udp", "udp-capture-echo-frame").contains(&packets[0][0]),
        "the quiz's frame length disagrees with the capture"
    );
}

/// The ICMP capture: a datagram to port 9999, answered by ICMP type 3 code
/// 3 that quotes it.
#[test]
fn icmp_capture_holds_a_port_unreachable_quoting_the_datagram() {
    if !tshark_available() {
        return;
    }
    let packets = fields(
        "icmp-unreachable",
        &[],
        &["_ws.col.Protocol", "icmp.type", "icmp.code", "udp.dstport"],
    );
    assert_eq!(packets.len(), 2, "{packets:?}");
    assert_eq!(packets[0][0], "UDP");
    assert_eq!(packets[0][3], "9999");
    assert_eq!(
        (
            packets[1][0].as_str(),
            packets[1][1].as_str(),
            packets[1][2].as_str()
        ),
        ("ICMP", "3", "3"),
        "the answer should be destination unreachable, port unreachable"
    );
    assert_eq!(
        packets[1][3], "9999",
        "the ICMP message quotes the datagram"
    );
    assert!(quiz_answer("udp", "udp-capture-icmp-port").contains(&packets[1][3]));
}

/// The TCP session: the three-way handshake, 14 bytes each way, and the
/// close, the client's FIN first.
#[test]
fn tcp_session_capture_holds_handshake_data_and_close() {
    if !tshark_available() {
        return;
    }
    let packets = fields(
        "tcp-session",
        &[],
        &["tcp.srcport", "tcp.flags.str", "tcp.len"],
    );
    let flags: Vec<String> = packets.iter().map(|p| p[1].replace('·', "")).collect();
    let client = &packets[0][0];
    assert!(
        flags[0].ends_with('S') && !flags[0].contains('A'),
        "SYN first: {flags:?}"
    );
    assert!(
        flags[1].contains('S') && flags[1].contains('A'),
        "then SYN-ACK: {flags:?}"
    );
    assert_eq!(packets[2][2], "0", "then the ACK that ends the handshake");
    let data: Vec<(&str, &str)> = packets
        .iter()
        .filter(|p| p[2] != "0")
        .map(|p| (p[0].as_str(), p[2].as_str()))
        .collect();
    assert_eq!(data.len(), 2, "one segment each way: {packets:?}");
    assert_eq!(data[0], (client.as_str(), "14"));
    assert_eq!(data[1].1, "14");
    let fins: Vec<&String> = packets
        .iter()
        .zip(&flags)
        .filter(|(_, f)| f.contains('F'))
        .map(|(p, _)| &p[0])
        .collect();
    assert_eq!(fins.len(), 2, "a FIN each way: {flags:?}");
    assert_eq!(fins[0], client, "the client closes first");
    assert!(
        quiz_answer("tcp", "tcp-capture-session-bytes")
            .contains(&data[0].1.to_string())
    );
    let first_fin = quiz_answer("tcp", "tcp-capture-session-first-fin");
    assert!(
        first_fin[0].contains(client.as_str()),
        "the quiz's answer should name the client's port {client}: {first_fin:?}"
    );
}

/// The reset capture: a SYN to a closed port answered by RST, and a
/// connection whose server closed with unread data ended by RST.
#[test]
fn tcp_reset_capture_holds_both_resets() {
    if !tshark_available() {
        return;
    }
    let packets = fields(
        "tcp-reset",
        &[],
        &[
            "tcp.srcport",
            "tcp.dstport",
            "tcp.flags.reset",
            "tcp.flags.syn",
        ],
    );
    let resets: Vec<&Vec<String>> = packets
        .iter()
        .filter(|p| p[2] == "1" || p[2] == "True")
        .collect();
    assert_eq!(resets.len(), 2, "two resets: {packets:?}");
    assert_eq!(
        resets[0][0], "7002",
        "the closed port answers the SYN with RST"
    );
    assert_eq!(
        resets[1][0], "7003",
        "the server that closed with unread data"
    );
    let syn_to_closed = packets
        .iter()
        .position(|p| p[1] == "7002" && (p[3] == "1" || p[3] == "True"));
    assert_eq!(
        syn_to_closed,
        Some(0),
        "the capture starts with the SYN to 7002"
    );
}

/// The TFTP capture: a read of 1200 bytes in which DATA 2 is sent twice,
/// since its first ACK never came; the last DATA carries 176 bytes.
#[test]
fn tftp_capture_holds_a_retransmitted_data_after_a_lost_ack() {
    if !tshark_available() {
        return;
    }
    let packets = fields(
        "tftp-lost-ack",
        &["-d", "udp.port==6969,tftp"],
        &["tftp.opcode", "tftp.block", "udp.length"],
    );
    let data_blocks: Vec<&str> = packets
        .iter()
        .filter(|p| p[0] == "3")
        .map(|p| p[1].as_str())
        .collect();
    assert_eq!(data_blocks, ["1", "2", "2", "3"], "{packets:?}");
    let acks: Vec<&str> = packets
        .iter()
        .filter(|p| p[0] == "4")
        .map(|p| p[1].as_str())
        .collect();
    assert_eq!(
        acks,
        ["1", "2", "3"],
        "no ACK between the two DATA 2: {packets:?}"
    );
    let last = packets.iter().rfind(|p| p[0] == "3").expect("a last DATA");
    let last_data: usize = last[2].parse::<usize>().expect("a UDP length") - 8 - 4;
    assert_eq!(last_data, 176);
    assert!(
        quiz_answer("tftp", "tftp-capture-lost-ack-last")
            .contains(&last_data.to_string())
    );
    assert!(
        quiz_answer("tftp", "tftp-capture-lost-ack-retransmit")
            .contains(&"2".to_string())
    );
}
