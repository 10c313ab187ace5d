//! `tftp`: downloads and uploads one file over TFTP.
//!
//! ```text
//! tftp get 192.0.2.7 pxelinux.0                 # -> ./pxelinux.0
//! tftp get [::1]:6969 notes.txt - --mode netascii
//! tftp put 127.0.0.1:6969 big.iso --blksize 1428 --windowsize 16 --tsize
//! ```
//!
//! Options are sent only when given; `--blksize def` and `--windowsize 1`
//! mean "send no such option". A progress bar shows on a terminal. A
//! failed download leaves no file behind, and an ERROR from the server is
//! shown as `tftp: server said: MESSAGE (error N)` with exit status 1.
//!
//! Patience: resends come as fast as the measured round trip allows, but
//! the client gives up only after `--retries` × `--timeout` of silence
//! from the server (25 × 1 s by default), with `tftp: timed out: no answer
//! from ADDR for 25.0 s`. A server port where nothing listens is reported
//! at once: `tftp: connection refused by ADDR: nothing listens on that
//! port`. Both exit 1; a command line that cannot work (a port out of
//! range, say) exits 2.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use tftp::client::{self, ClientOptions, Summary};
use tftp::options::{MAX_BLKSIZE, MIN_BLKSIZE};
use tftp::{Mode, Progress, Shutdown, TransferError};

/// A TFTP client (RFC 1350, with the blksize, timeout, tsize and windowsize
/// options).
#[derive(Debug, Parser)]
#[command(name = "tftp", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Download REMOTE from the server into LOCAL (default: REMOTE's file
    /// name; `-` for stdout).
    Get {
        /// The server: HOST, HOST:PORT or [IPV6]:PORT (port 69 by default).
        #[arg(value_parser = parse_server)]
        server: String,
        /// The file's name on the server.
        remote: String,
        /// Where to put it.
        local: Option<PathBuf>,
        #[command(flatten)]
        flags: Flags,
    },
    /// Upload LOCAL (`-` for stdin) to the server as REMOTE (default:
    /// LOCAL's file name).
    Put {
        /// The server: HOST, HOST:PORT or [IPV6]:PORT (port 69 by default).
        #[arg(value_parser = parse_server)]
        server: String,
        /// The file to send.
        local: PathBuf,
        /// Its name on the server.
        remote: Option<String>,
        #[command(flatten)]
        flags: Flags,
    },
}

#[derive(Debug, Args)]
struct Flags {
    /// Ask for this block size (8-65464); `def` asks for none (512).
    #[arg(long, value_name = "N", value_parser = parse_blksize)]
    blksize: Option<BlockSize>,
    /// Ask for this window, in blocks (1-65535); 1 asks for none.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    windowsize: Option<u16>,
    /// The longest wait between two sends, in seconds (1-255; 1 when not
    /// given), asked of the server too as the RFC 2349 timeout option.
    /// Resends come sooner when the measured round trip allows.
    #[arg(long, value_name = "S", value_parser = clap::value_parser!(u8).range(1..))]
    timeout: Option<u8>,
    /// Send the tsize option: learn the size on get, announce it on put.
    #[arg(long)]
    tsize: bool,
    /// Transfer mode.
    #[arg(long, value_name = "MODE", default_value = "octet", value_parser = parse_mode)]
    mode: Mode,
    /// Give up after N timeouts' worth of silence: when nothing new came
    /// from the server for N × the timeout (25 × 1 s by default). A count
    /// of whole timeouts, not of resends.
    #[arg(long, value_name = "N", default_value_t = tftp::timer::DEFAULT_RETRIES)]
    retries: u32,
}

/// `--blksize`: a number, or `def` for "no option".
#[derive(Debug, Clone, Copy)]
enum BlockSize {
    Default,
    Bytes(u16),
}

fn parse_blksize(text: &str) -> Result<BlockSize, String> {
    if text.eq_ignore_ascii_case("def") || text.eq_ignore_ascii_case("default") {
        return Ok(BlockSize::Default);
    }
    match text.parse::<u16>() {
        Ok(n) if (MIN_BLKSIZE..=MAX_BLKSIZE).contains(&n) => Ok(BlockSize::Bytes(n)),
        _ => Err(format!(
            "expected a block size of {MIN_BLKSIZE}-{MAX_BLKSIZE}, or def"
        )),
    }
}

/// `SERVER` as typed: a host and a port in range (resolved later).
fn parse_server(text: &str) -> Result<String, String> {
    client::parse_server(text)
        .map(|_| text.to_string())
        .map_err(|e| e.to_string())
}

fn parse_mode(text: &str) -> Result<Mode, String> {
    match text.to_ascii_lowercase().as_str() {
        "binary" => Ok(Mode::Octet),
        "ascii" => Ok(Mode::Netascii),
        name => {
            Mode::parse(name).ok_or_else(|| "expected octet or netascii".to_string())
        }
    }
}

impl Flags {
    fn client_options(&self, shutdown: Shutdown) -> ClientOptions {
        ClientOptions {
            mode: self.mode,
            blksize: match self.blksize {
                Some(BlockSize::Bytes(n)) => Some(n),
                _ => None,
            },
            windowsize: self.windowsize.filter(|&w| w > 1),
            timeout: self.timeout,
            tsize: self.tsize,
            retries: self.retries,
            shutdown,
            ..ClientOptions::default()
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            match error.downcast_ref::<TransferError>() {
                Some(TransferError::Remote { code, message }) => {
                    eprintln!(
                        "tftp: server said: {message} (error {})",
                        code.as_u16()
                    );
                }
                Some(TransferError::Cancelled) => {
                    eprintln!("tftp: interrupted");
                    return ExitCode::from(130);
                }
                _ => eprintln!("tftp: {error:#}"),
            }
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let shutdown = Shutdown::new();
    let on_interrupt = shutdown.clone();
    ctrlc::set_handler(move || on_interrupt.trigger())
        .context("cannot catch Ctrl-C")?;
    match cli.command {
        Command::Get {
            server,
            remote,
            local,
            flags,
        } => {
            let server = server_address(&server)?;
            let options = flags.client_options(shutdown);
            let local = match local {
                Some(local) => local,
                None => PathBuf::from(file_name_of(&remote)?),
            };
            let mut bar = ProgressDisplay::new();
            let summary = if local == Path::new("-") {
                let mut stdout = BufWriter::with_capacity(
                    tftp::transfer::FILE_BUFFER,
                    io::stdout().lock(),
                );
                let summary =
                    client::get(server, &remote, &mut stdout, &options, &mut |p| {
                        bar.show(p)
                    });
                stdout.flush().context("writing to stdout")?;
                summary
            } else {
                client::get_file(server, &remote, &local, &options, &mut |p| {
                    bar.show(p)
                })
            };
            bar.finish(&summary, "received");
            summary?;
        }
        Command::Put {
            server,
            local,
            remote,
            flags,
        } => {
            let server = server_address(&server)?;
            let options = flags.client_options(shutdown);
            let remote = match remote {
                Some(remote) => remote,
                None if local == Path::new("-") => {
                    bail!("put from stdin needs a REMOTE name")
                }
                None => file_name_of(&local.to_string_lossy())?,
            };
            let mut bar = ProgressDisplay::new();
            let summary = if local == Path::new("-") {
                let mut stdin = io::stdin().lock();
                client::put(server, &remote, &mut stdin, None, &options, &mut |p| {
                    bar.show(p)
                })
            } else {
                client::put_file(server, &local, &remote, &options, &mut |p| {
                    bar.show(p)
                })
                .map_err(|e| match e {
                    TransferError::File(io) => TransferError::File(io::Error::new(
                        io.kind(),
                        format!("{}: {io}", local.display()),
                    )),
                    other => other,
                })
            };
            bar.finish(&summary, "sent");
            summary?;
        }
    }
    Ok(())
}

fn server_address(text: &str) -> Result<SocketAddr> {
    client::resolve_server(text)
        .with_context(|| format!("bad server address {text:?}"))
}

/// The last component of a path-like name: the default local or remote
/// name.
fn file_name_of(name: &str) -> Result<String> {
    match name.rsplit(['/', '\\']).next() {
        Some(last) if !last.is_empty() && last != "." && last != ".." => {
            Ok(last.to_string())
        }
        _ => bail!("{name:?} has no file name to use; give one explicitly"),
    }
}

/// A progress bar on stderr when it is a terminal; nothing otherwise.
///
/// Progress is reported once per block, up to a million times a second;
/// the bar is only touched every 50 ms, so drawing it costs the transfer
/// nothing.
struct ProgressDisplay {
    bar: Option<ProgressBar>,
    last_update: Option<Instant>,
}

impl ProgressDisplay {
    fn new() -> ProgressDisplay {
        let bar = io::stderr().is_terminal().then(ProgressBar::no_length);
        ProgressDisplay {
            bar,
            last_update: None,
        }
    }

    fn show(&mut self, progress: Progress) {
        let Some(bar) = &self.bar else { return };
        let now = Instant::now();
        match self.last_update {
            Some(last) if now - last < Duration::from_millis(50) => return,
            Some(_) => {}
            None => {
                // The first report: now we know whether a total is known.
                let template = match progress.total {
                    Some(total) => {
                        bar.set_length(total);
                        "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}"
                    }
                    None => "{spinner} {bytes} {bytes_per_sec}",
                };
                if let Ok(style) = ProgressStyle::with_template(template) {
                    bar.set_style(style);
                }
                bar.enable_steady_tick(Duration::from_millis(100));
            }
        }
        self.last_update = Some(now);
        bar.set_position(progress.transferred);
    }

    fn finish(&mut self, outcome: &Result<Summary, TransferError>, verb: &str) {
        let Some(bar) = self.bar.take() else { return };
        bar.finish_and_clear();
        if let Ok(summary) = outcome {
            let seconds = summary.elapsed.as_secs_f64().max(1e-6);
            eprintln!(
                "tftp: {verb} {} bytes in {seconds:.2} s ({:.1} MB/s, blksize {}, window {})",
                summary.stats.bytes,
                summary.stats.bytes as f64 / seconds / 1e6,
                summary.blksize,
                summary.windowsize,
            );
        }
    }
}
