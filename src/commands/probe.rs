//! `cargo lab probe KIND ADDR`: checks a live server from the outside; the
//! probes themselves live in [`crate::probe`]. This file holds the verb's
//! command line, so its help is written next to the probes it describes.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::builder::PossibleValuesParser;

use super::{Format, Verdict};
use crate::probe::{self, ProbeOptions, tftp};

/// What `cargo lab probe --help` shows after the options.
const AFTER_HELP: &str = "\
The probes:
  udp-echo  a UDP echo server (chapter 3): sizes up to 8 KiB, binary data,
            8 clients at once, a burst, the reply's source address
  tcp-echo  a TCP echo server (chapter 4): binary data, 1 MiB both ways at
            once, slow dribbling, half-close, 8 clients at once, a client
            that vanishes mid-message
  chat      the workbook's chat server (chapter 4): join and leave notices,
            broadcast to every other client and never back to the sender,
            order, CR LF, slow dribbling, 6 clients at once, the 4096-byte
            line limit, a client that vanishes mid-line, a client that stops
            reading (the others must not stall)
  http      the workbook's HTTP server (chapter 4): GET and HEAD of --path,
            404, 405, 400 for malformed requests, a large request head, a
            path out of the root, slow dribbling, 8 clients at once,
            Content-Length and Connection: close on every response
  tftp      a TFTP server (chapter 5): downloads of 0, 511, 512, 513 bytes
            and of several blocks, a missing file (ERROR 1), a bad opcode
            (ERROR 4), a stranger's packet (ERROR 5, the transfer goes on),
            a duplicate ACK (no Sorcerer's Apprentice), 4 transfers at once,
            blksize and windowsize when the server offers them; --rollover
            adds the block-number rollover. Each check says MUST or SHOULD;
            a failed SHOULD of the RFCs is a warning.

The TFTP probe downloads files the server must have (netlab-probe-*.bin,
about 600 KB): put them in its root once with --make-files, e.g.
  cargo lab probe tftp --make-files ./files
  cargo run -p tftp-solution --bin tftpd -- --root ./files --bind 0.0.0.0:6969
  cargo lab probe tftp 192.0.2.17:6969

Every probe sends a bounded number of packets and stops by itself. Exit
code: 0 every check passed (for tftp: every MUST), 1 a check failed, 2 a
usage or setup error.";

/// The arguments of `cargo lab probe`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct ProbeArgs {
    /// What kind of server
    #[arg(value_parser = PossibleValuesParser::new(probe::KINDS))]
    pub kind: String,
    /// Where it listens, e.g. 127.0.0.1:7000 (tftp: a bare HOST means port 69)
    #[arg(required_unless_present = "make_files")]
    pub addr: Option<String>,
    /// How long to wait for any one reply, in milliseconds
    #[arg(long, value_name = "N", default_value_t = 2000)]
    pub timeout_ms: u64,
    /// `json` for programs
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// http: a page the server has, fetched with GET and HEAD
    #[arg(long, value_name = "PATH", default_value = "/")]
    pub path: String,
    /// tftp: also download a file of more than 65 535 blocks of 8 bytes,
    /// to see the block number roll over (about 65 000 packets)
    #[arg(long)]
    pub rollover: bool,
    /// tftp: write the files the probe downloads into DIR (the server's
    /// root), then stop
    #[arg(long, value_name = "DIR", conflicts_with = "addr")]
    pub make_files: Option<PathBuf>,
}

/// Runs the probe (or writes the TFTP probe's files) and turns its verdict
/// into an exit code.
pub fn run(args: &ProbeArgs) -> Result<Verdict> {
    if let Some(dir) = &args.make_files {
        if args.kind != "tftp" {
            bail!(
                "--make-files is for the tftp probe: cargo lab probe tftp --make-files DIR"
            );
        }
        return make_files(dir);
    }
    let addr = args
        .addr
        .as_deref()
        .context("the address to probe is missing")?;
    if args.timeout_ms == 0 {
        bail!("--timeout-ms must be at least 1");
    }
    let options = ProbeOptions {
        timeout: Duration::from_millis(args.timeout_ms),
        json: args.format == Format::Json,
        path: args.path.clone(),
        rollover: args.rollover,
    };
    probe::run(&args.kind, addr, &options).map(Verdict::from_bool)
}

/// `--make-files DIR`: writes the files and says what they are for.
fn make_files(dir: &std::path::Path) -> Result<Verdict> {
    let written = tftp::make_files(dir)?;
    println!("wrote {} files into {}:", written.len(), dir.display());
    for (name, size) in &written {
        println!("  {name:<28} {size:>7} bytes");
    }
    println!(
        "serve this folder with the TFTP server to probe, then run \
         `cargo lab probe tftp HOST:PORT`"
    );
    Ok(Verdict::Passed)
}
