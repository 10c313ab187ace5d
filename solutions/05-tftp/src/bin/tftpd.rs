//! `tftpd`: serves the files under a directory over TFTP.
//!
//! ```text
//! tftpd --root /srv/tftp                          # read-only, on 0.0.0.0:69
//! tftpd --root /srv/tftp --bind 127.0.0.1:0       # a free port, printed
//! tftpd --root DIR --bind [::]:69 --allow-create  # IPv6 too, new files allowed
//! ```
//!
//! On start it prints one line to stdout, `listening on ADDR:PORT`; logs
//! (one line per transfer) go to stderr, filtered by `RUST_LOG` (default
//! `info`). Ctrl-C stops it: running transfers end with an ERROR to their
//! client, and it exits 0.
//!
//! A transfer resends as fast as the measured round trip allows, but gives
//! up only after `--retries` × `--timeout` of silence from its client (25 ×
//! 1 s by default; a client's timeout option replaces `--timeout`), logged
//! as `outcome="timed out: no answer from ADDR for 25.0 s"`; a client that
//! has closed its port is noticed at once (`connection refused by ADDR`).

use std::io::{IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Parser;
use tftp::options::{Limits, MAX_BLKSIZE, MIN_BLKSIZE};
use tftp::{Server, ServerConfig};

/// A TFTP server (RFC 1350, with the blksize, timeout, tsize and windowsize
/// options).
#[derive(Debug, Parser)]
#[command(name = "tftpd", version)]
struct Args {
    /// The directory to serve; nothing outside it is read or written.
    #[arg(long, value_name = "DIR")]
    root: PathBuf,
    /// Where to listen: ADDR:PORT, or a bare ADDR (port 69, or --port).
    /// Use `[::]:69` to serve IPv6 (and IPv4, on a dual-stack system).
    #[arg(long, value_name = "ADDR[:PORT]", default_value = "0.0.0.0:69",
          value_parser = parse_bind)]
    bind: SocketAddr,
    /// The port to listen on, overriding the port of --bind.
    #[arg(long, value_name = "N")]
    port: Option<u16>,
    /// Accept uploads that overwrite existing files.
    #[arg(long)]
    allow_write: bool,
    /// Accept uploads that create new files.
    #[arg(long)]
    allow_create: bool,
    /// The largest block size granted (8-65464).
    #[arg(long, value_name = "N", default_value_t = MAX_BLKSIZE,
          value_parser = clap::value_parser!(u16).range(i64::from(MIN_BLKSIZE)..=i64::from(MAX_BLKSIZE)))]
    max_blksize: u16,
    /// The largest window granted, in blocks (1-65535).
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_windowsize,
          value_parser = clap::value_parser!(u16).range(1..))]
    max_window: u16,
    /// Transfers at once; more requests are refused with "server busy".
    #[arg(long, value_name = "N", default_value_t = 64,
          value_parser = clap::value_parser!(u64).range(1..))]
    max_clients: u64,
    /// The longest wait between two sends, in seconds (1-255), unless the
    /// client asks for another with the timeout option. Resends come
    /// sooner when the measured round trip allows.
    #[arg(long, value_name = "S", default_value_t = 1,
          value_parser = clap::value_parser!(u64).range(1..=255))]
    timeout: u64,
    /// A transfer gives up after N timeouts' worth of silence: when nothing
    /// new came from its client for N × the timeout (25 × 1 s by default).
    /// A count of whole timeouts, not of resends.
    #[arg(long, value_name = "N", default_value_t = tftp::timer::DEFAULT_RETRIES)]
    retries: u32,
    /// The largest upload accepted, in bytes (no limit by default).
    #[arg(long, value_name = "BYTES")]
    max_upload: Option<u64>,
}

/// `ADDR:PORT`, `[V6]:PORT`, or a bare `ADDR` / `[V6]` / `V6` (port 69).
fn parse_bind(text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 69));
    }
    // ADDR:PORT with a port that does not fit: say so.
    if let Some((_, port)) = text.rsplit_once(':')
        && !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>().is_err()
    {
        return Err(format!("port {port} is out of range (0-65535)"));
    }
    Err(format!("{text:?} is not ADDR:PORT or an IP address"))
}

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("tftpd: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<()> {
    let mut bind = args.bind;
    if let Some(port) = args.port {
        bind.set_port(port);
    }
    let config = ServerConfig {
        bind,
        allow_write: args.allow_write,
        allow_create: args.allow_create,
        limits: Limits {
            max_blksize: args.max_blksize,
            max_windowsize: args.max_window,
        },
        max_clients: usize::try_from(args.max_clients).unwrap_or(usize::MAX),
        timeout: Duration::from_secs(args.timeout),
        retries: args.retries,
        max_upload: args.max_upload,
        ..ServerConfig::new(args.root)
    };
    let server = Server::bind(config.clone()).with_context(|| {
        format!("cannot serve {} on {bind}", config.root.display())
    })?;
    let shutdown = server.shutdown_handle();
    ctrlc::set_handler(move || shutdown.trigger()).context("cannot catch Ctrl-C")?;

    let addr = server.local_addr()?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on {addr}")?;
    stdout.flush()?;
    tracing::info!(
        root = %config.root.display(), %addr,
        writes = match (config.allow_write, config.allow_create) {
            (false, false) => "refused",
            (true, false) => "overwrite only",
            (false, true) => "create only",
            (true, true) => "allowed",
        },
        "serving"
    );
    server.run().context("the listener failed")?;
    tracing::info!("stopped");
    Ok(())
}
